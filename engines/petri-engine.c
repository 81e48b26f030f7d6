/* petri-engine.c: the engine interface and engine results
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-engines.h"

#include <glib/gi18n.h>

/* The quark name is stringified: keep it as written. */
/* clang-format off */
G_DEFINE_QUARK (petri-engine-error-quark, petri_engine_error)
/* clang-format on */
G_DEFINE_INTERFACE (PetriEngine, petri_engine, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (PetriEngineResult, petri_engine_result, petri_engine_result_ref,
                     petri_engine_result_unref)

static void
petri_engine_default_init (PetriEngineInterface *iface)
{
}

const char *
petri_engine_get_name (PetriEngine *self)
{
  g_return_val_if_fail (PETRI_IS_ENGINE (self), NULL);
  return PETRI_ENGINE_GET_IFACE (self)->get_name (self);
}

const char *
petri_engine_get_version (PetriEngine *self)
{
  g_return_val_if_fail (PETRI_IS_ENGINE (self), NULL);
  return PETRI_ENGINE_GET_IFACE (self)->get_version (self);
}

const char *
petri_engine_get_signatures (PetriEngine *self)
{
  g_return_val_if_fail (PETRI_IS_ENGINE (self), NULL);
  return PETRI_ENGINE_GET_IFACE (self)->get_signatures (self);
}

guint
petri_engine_get_signature_count (PetriEngine *self)
{
  g_return_val_if_fail (PETRI_IS_ENGINE (self), 0);
  return PETRI_ENGINE_GET_IFACE (self)->get_signature_count (self);
}

PetriEngineResult *
petri_engine_scan (PetriEngine *self, const PetriSampleData *sample, GCancellable *cancellable)
{
  PetriEngineResult *result;

  g_return_val_if_fail (PETRI_IS_ENGINE (self), NULL);
  g_return_val_if_fail (sample != NULL, NULL);

  result = PETRI_ENGINE_GET_IFACE (self)->scan (self, sample, cancellable);
  g_assert (result != NULL);
  return result;
}

const char *
petri_result_kind_to_string (PetriResultKind kind)
{
  switch (kind)
    {
    case PETRI_RESULT_CLEAN:
      return "clean";
    case PETRI_RESULT_DETECTED:
      return "detected";
    case PETRI_RESULT_ERROR:
      return "error";
    default:
      g_return_val_if_reached ("error");
    }
}

static gboolean
result_kind_from_string (const char *s, PetriResultKind *kind)
{
  if (g_strcmp0 (s, "clean") == 0)
    *kind = PETRI_RESULT_CLEAN;
  else if (g_strcmp0 (s, "detected") == 0)
    *kind = PETRI_RESULT_DETECTED;
  else if (g_strcmp0 (s, "error") == 0)
    *kind = PETRI_RESULT_ERROR;
  else
    return FALSE;
  return TRUE;
}

PetriEngineResult *
petri_engine_result_new (const char *engine, const char *engine_version, const char *signatures)
{
  PetriEngineResult *self = g_new0 (PetriEngineResult, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->engine = g_strdup (engine);
  self->engine_version = g_strdup (engine_version ? engine_version : "");
  self->signatures = g_strdup (signatures ? signatures : "");
  self->names = g_ptr_array_new_with_free_func (g_free);
  self->kind = PETRI_RESULT_CLEAN;
  return self;
}

PetriEngineResult *
petri_engine_result_ref (PetriEngineResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
petri_engine_result_unref (PetriEngineResult *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->engine);
  g_free (self->engine_version);
  g_free (self->signatures);
  g_ptr_array_unref (self->names);
  g_clear_pointer (&self->details, json_node_unref);
  g_free (self->error);
  g_free (self);
}

JsonNode *
petri_engine_result_to_json (const PetriEngineResult *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "engine");
  json_builder_add_string_value (b, self->engine);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, self->engine_version);
  json_builder_set_member_name (b, "signatures");
  json_builder_add_string_value (b, self->signatures);
  json_builder_set_member_name (b, "result");
  json_builder_add_string_value (b, petri_result_kind_to_string (self->kind));
  json_builder_set_member_name (b, "names");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->names->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (self->names, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "heuristic");
  json_builder_add_boolean_value (b, self->heuristic);
  if (self->details != NULL && JSON_NODE_HOLDS_OBJECT (self->details))
    {
      JsonObject *details = json_node_get_object (self->details);
      g_autoptr (GList) members = json_object_get_members (details);

      /* Details are spliced in at the top level ("matches", "limits" …). */
      for (GList *l = members; l != NULL; l = l->next)
        {
          json_builder_set_member_name (b, l->data);
          json_builder_add_value (b, json_node_copy (json_object_get_member (details, l->data)));
        }
    }
  json_builder_set_member_name (b, "error");
  if (self->error != NULL)
    json_builder_add_string_value (b, self->error);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

PetriEngineResult *
petri_engine_result_from_json (JsonNode *node, GError **error)
{
  static const char *const known[]
      = { "engine", "version", "signatures", "result", "names", "heuristic", "error", NULL };
  JsonObject *o;
  PetriEngineResult *self;
  JsonArray *names;
  g_autoptr (GList) members = NULL;
  JsonObject *details = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_FAILED,
                           _ ("engine result is not a JSON object"));
      return NULL;
    }
  o = json_node_get_object (node);
  self = petri_engine_result_new (json_object_get_string_member_with_default (o, "engine", ""),
                                  json_object_get_string_member_with_default (o, "version", ""),
                                  json_object_get_string_member_with_default (o, "signatures", ""));
  if (!result_kind_from_string (json_object_get_string_member_with_default (o, "result", ""),
                                &self->kind))
    {
      g_set_error_literal (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_FAILED,
                           _ ("engine result has no valid \"result\""));
      petri_engine_result_unref (self);
      return NULL;
    }
  names = json_object_has_member (o, "names") ? json_object_get_array_member (o, "names") : NULL;
  for (guint i = 0; names != NULL && i < json_array_get_length (names); i++)
    {
      const char *name = json_array_get_string_element (names, i);
      if (name != NULL)
        g_ptr_array_add (self->names, g_strdup (name));
    }
  self->heuristic = json_object_get_boolean_member_with_default (o, "heuristic", FALSE);
  if (json_object_has_member (o, "error") && !json_object_get_null_member (o, "error"))
    self->error = g_strdup (json_object_get_string_member_with_default (o, "error", NULL));

  members = json_object_get_members (o);
  for (GList *l = members; l != NULL; l = l->next)
    {
      if (g_strv_contains (known, l->data))
        continue;
      if (details == NULL)
        details = json_object_new ();
      json_object_set_member (details, l->data,
                              json_node_copy (json_object_get_member (o, l->data)));
    }
  if (details != NULL)
    {
      self->details = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (self->details, details);
    }
  return self;
}

gboolean
petri_name_is_heuristic (const char *name)
{
  static const char *const markers[] = { "heur", "suspicious", "generic", "pua" };
  g_autofree char *folded = NULL;

  g_return_val_if_fail (name != NULL, FALSE);

  if (g_str_has_prefix (name, "Heuristics.") || strstr (name, ".Heuristics.") != NULL)
    return TRUE;
  folded = g_ascii_strdown (name, -1);
  for (guint i = 0; i < G_N_ELEMENTS (markers); i++)
    if (strstr (folded, markers[i]) != NULL)
      return TRUE;
  return FALSE;
}
