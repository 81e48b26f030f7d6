/* petri-engine-set.c: every engine, loaded once and shared
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-engine-private.h"

struct _PetriEngineSet
{
  gatomicrefcount ref_count;
  GPtrArray *engines; /* PetriEngine */
};

static const PetriEngineKind *const engine_kinds[] = {
  NULL, /* engines register here */
};

void
petri_engines_init (void)
{
}

PetriEngineSet *
petri_engine_set_load (const char *signatures_dir, const PetriEngineLimits *limits,
                       GPtrArray **warnings, GError **error)
{
  g_autoptr (GPtrArray) engines = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) warns = g_ptr_array_new_with_free_func (g_free);
  PetriEngineLimits defaults = { 0 };
  PetriEngineSet *self;

  g_return_val_if_fail (signatures_dir != NULL, NULL);

  if (limits == NULL)
    limits = &defaults;

  for (guint i = 0; i < G_N_ELEMENTS (engine_kinds); i++)
    {
      const PetriEngineKind *kind = engine_kinds[i];
      g_autofree char *dir = NULL;
      g_autoptr (GError) local_error = NULL;
      PetriEngine *engine;

      if (kind == NULL)
        continue;
      dir = g_build_filename (signatures_dir, kind->subdir, NULL);
      engine = kind->load (dir, limits, warns, &local_error);
      if (engine != NULL)
        g_ptr_array_add (engines, engine);
      else if (local_error != NULL)
        g_ptr_array_add (warns, g_strdup_printf ("%s: %s", kind->name, local_error->message));
    }

  self = g_new0 (PetriEngineSet, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->engines = g_steal_pointer (&engines);
  if (warnings != NULL)
    *warnings = g_steal_pointer (&warns);
  return self;
}

PetriEngineSet *
petri_engine_set_new_empty (void)
{
  PetriEngineSet *self = g_new0 (PetriEngineSet, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->engines = g_ptr_array_new_with_free_func (g_object_unref);
  return self;
}

PetriEngineSet *
petri_engine_set_ref (PetriEngineSet *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
petri_engine_set_unref (PetriEngineSet *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_ptr_array_unref (self->engines);
  g_free (self);
}

guint
petri_engine_set_get_n_engines (PetriEngineSet *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->engines->len;
}

PetriEngine *
petri_engine_set_get_engine (PetriEngineSet *self, guint i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->engines->len, NULL);
  return g_ptr_array_index (self->engines, i);
}
