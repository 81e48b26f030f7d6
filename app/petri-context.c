/* petri-context.c: one data directory, its database, store and engines
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-app.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

struct _PetriContext
{
  GObject parent_instance;

  char *data_dir;
  char *samples_dir;
  char *signatures_dir;
  PetriSettings settings;
  PetriCaseStore *store;
  GMainContext *main_context;

  /* Engines: loaded on a worker, read by workers, swapped on reload. */
  GMutex lock;
  GCond loaded_cond;
  PetriEngineSet *engines; /* NULL until the first load finished */
  GPtrArray *warnings;
  gboolean loading;
  gboolean reload_pending;
  gboolean closing;
  GThread *loader; /* joined, never detached */

  /* Main context: an import by any process rewrites the stamp. */
  GFileMonitor *stamp_monitor;
};

G_DEFINE_FINAL_TYPE (PetriContext, petri_context, G_TYPE_OBJECT)

/* The default signatures: from the source tree when running uninstalled,
 * else from the installed data. */
static const char *
petri_default_signatures_dir (void)
{
  const char *env = g_getenv ("PETRI_DEFAULT_SIGNATURES_DIR");

  if (env != NULL && *env != '\0')
    return env;
  if (g_file_test (PETRI_DEFAULT_SIGNATURES_DIR, G_FILE_TEST_IS_DIR))
    return PETRI_DEFAULT_SIGNATURES_DIR;
  return PETRI_INSTALLED_SIGNATURES_DIR;
}

enum
{
  ENGINES_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void stop_loading (PetriContext *self);

static void
petri_context_dispose (GObject *object)
{
  PetriContext *self = PETRI_CONTEXT (object);

  /* While the count is still held: the loader may take a reference. */
  stop_loading (self);

  G_OBJECT_CLASS (petri_context_parent_class)->dispose (object);
}

static void
petri_context_finalize (GObject *object)
{
  PetriContext *self = PETRI_CONTEXT (object);

  if (self->stamp_monitor != NULL)
    g_file_monitor_cancel (self->stamp_monitor);
  g_clear_object (&self->stamp_monitor);
  if (self->store != NULL)
    petri_case_store_close (self->store);
  g_clear_object (&self->store);
  g_clear_pointer (&self->engines, petri_engine_set_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->loaded_cond);
  g_free (self->data_dir);
  g_free (self->samples_dir);
  g_free (self->signatures_dir);

  G_OBJECT_CLASS (petri_context_parent_class)->finalize (object);
}

static void
petri_context_class_init (PetriContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = petri_context_dispose;
  object_class->finalize = petri_context_finalize;

  /* Emitted on the main context after a (re)load swapped in new engines. */
  signals[ENGINES_CHANGED] = g_signal_new ("engines-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
petri_context_init (PetriContext *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->loaded_cond);
}

static gboolean
make_dir (const char *path, int mode, GError **error)
{
  if (g_mkdir_with_parents (path, mode) != 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Cannot create the data folder “%s”: %s"), display, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

PetriContext *
petri_context_new (const char *data_dir, const PetriSettings *settings, GError **error)
{
  g_autoptr (PetriContext) self = NULL;
  g_autofree char *db_path = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);

  self = g_object_new (PETRI_TYPE_CONTEXT, NULL);
  self->data_dir = g_canonicalize_filename (data_dir, NULL);
  self->samples_dir = g_build_filename (self->data_dir, "samples", NULL);
  self->signatures_dir = g_build_filename (self->data_dir, "signatures", NULL);
  if (settings != NULL)
    self->settings = *settings;
  if (self->settings.workers == 0)
    self->settings.workers = MAX (1, g_get_num_processors ());
  self->main_context = g_main_context_ref_thread_default ();

  if (!make_dir (self->data_dir, 0700, error) || !make_dir (self->samples_dir, 0700, error)
      || !make_dir (self->signatures_dir, 0700, error))
    return NULL;

  /* A fresh install detects with the default set shipped with Petri. */
  if (!petri_signatures_seed_defaults (self->signatures_dir, petri_default_signatures_dir (),
                                       error))
    return NULL;

  db_path = g_build_filename (self->data_dir, "cases.db", NULL);
  self->store = petri_case_store_open (db_path, error);
  if (self->store == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

void
petri_context_close (PetriContext *self)
{
  g_return_if_fail (PETRI_IS_CONTEXT (self));

  stop_loading (self);
  if (self->store != NULL)
    petri_case_store_close (self->store);
}

const char *
petri_context_get_data_dir (PetriContext *self)
{
  g_return_val_if_fail (PETRI_IS_CONTEXT (self), NULL);
  return self->data_dir;
}

const char *
petri_context_get_samples_dir (PetriContext *self)
{
  g_return_val_if_fail (PETRI_IS_CONTEXT (self), NULL);
  return self->samples_dir;
}

const char *
petri_context_get_signatures_dir (PetriContext *self)
{
  g_return_val_if_fail (PETRI_IS_CONTEXT (self), NULL);
  return self->signatures_dir;
}

PetriCaseStore *
petri_context_get_store (PetriContext *self)
{
  g_return_val_if_fail (PETRI_IS_CONTEXT (self), NULL);
  return self->store;
}

const PetriSettings *
petri_context_get_settings (PetriContext *self)
{
  g_return_val_if_fail (PETRI_IS_CONTEXT (self), NULL);
  return &self->settings;
}

/* ---------------------------------------------------------------------- */
/* Engines                                                                  */

static gboolean
emit_engines_changed_cb (gpointer data)
{
  g_signal_emit (data, signals[ENGINES_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void start_load (PetriContext *self);

static void
stamp_changed_cb (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event,
                  PetriContext *self)
{
  if (event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT || event == G_FILE_MONITOR_EVENT_CREATED
      || event == G_FILE_MONITOR_EVENT_MOVED_IN || event == G_FILE_MONITOR_EVENT_RENAMED)
    {
      g_debug ("signatures changed; reloading the engines");
      start_load (self);
    }
}

static void
watch_stamp (PetriContext *self)
{
  g_autofree char *path = petri_signatures_stamp_path (self->signatures_dir);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;

  /* Watch the folder (the stamp is replaced by a rename). */
  self->stamp_monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->stamp_monitor == NULL)
    {
      g_debug ("cannot watch %s: %s", path, error->message);
      return;
    }
  g_signal_connect (self->stamp_monitor, "changed", G_CALLBACK (stamp_changed_cb), self);
}

/* One loader thread at a time; it loads again while reloads were asked for
 * during a load, and is joined (never detached) so that nothing outlives the
 * context. */
static gpointer
load_thread (gpointer data)
{
  PetriContext *self = data;

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) warnings = NULL;
      g_autoptr (PetriEngineSet) set = NULL;
      PetriEngineSet *old;
      gboolean closing;

      set = petri_engine_set_load (self->signatures_dir, &self->settings.limits, &warnings, &error);
      if (set == NULL)
        {
          /* Intake still runs, with no engine to report. */
          if (warnings == NULL)
            warnings = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (warnings, g_strdup (error->message));
          set = petri_engine_set_new_empty ();
        }

      g_mutex_lock (&self->lock);
      old = self->engines;
      self->engines = g_steal_pointer (&set);
      g_clear_pointer (&self->warnings, g_ptr_array_unref);
      self->warnings = g_steal_pointer (&warnings);
      closing = self->closing;
      g_cond_broadcast (&self->loaded_cond);
      g_mutex_unlock (&self->lock);

      /* Scans in flight hold their own reference to the old set. */
      if (old != NULL)
        petri_engine_set_unref (old);
      if (!closing)
        g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT, emit_engines_changed_cb,
                                    g_object_ref (self), g_object_unref);

      g_mutex_lock (&self->lock);
      if (!self->reload_pending || self->closing)
        {
          self->loading = FALSE;
          g_cond_broadcast (&self->loaded_cond);
          g_mutex_unlock (&self->lock);
          return NULL;
        }
      self->reload_pending = FALSE;
      g_mutex_unlock (&self->lock);
    }
}

static void
start_load (PetriContext *self)
{
  GThread *finished = NULL;

  g_mutex_lock (&self->lock);
  if (self->closing)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  if (self->loading)
    {
      self->reload_pending = TRUE;
      g_mutex_unlock (&self->lock);
      return;
    }
  self->loading = TRUE;
  finished = g_steal_pointer (&self->loader);
  g_mutex_unlock (&self->lock);

  if (finished != NULL)
    g_thread_join (finished);
  self->loader = g_thread_new ("petri-engine-load", load_thread, self);
}

/* Waits for a load in flight (it cannot be interrupted: libclamav compiles
 * in one call) and stops further ones. */
static void
stop_loading (PetriContext *self)
{
  GThread *loader;

  g_mutex_lock (&self->lock);
  self->closing = TRUE;
  self->reload_pending = FALSE;
  while (self->loading)
    g_cond_wait (&self->loaded_cond, &self->lock);
  loader = g_steal_pointer (&self->loader);
  g_mutex_unlock (&self->lock);
  if (loader != NULL)
    g_thread_join (loader);
}

void
petri_context_load_engines (PetriContext *self)
{
  gboolean needed;

  g_return_if_fail (PETRI_IS_CONTEXT (self));

  g_mutex_lock (&self->lock);
  needed = self->engines == NULL && !self->loading;
  g_mutex_unlock (&self->lock);
  if (needed)
    {
      if (self->stamp_monitor == NULL)
        watch_stamp (self);
      start_load (self);
    }
}

void
petri_context_reload_engines (PetriContext *self)
{
  g_return_if_fail (PETRI_IS_CONTEXT (self));
  start_load (self);
}

PetriEngineSet *
petri_context_wait_engines (PetriContext *self)
{
  PetriEngineSet *set;

  g_return_val_if_fail (PETRI_IS_CONTEXT (self), NULL);

  petri_context_load_engines (self);
  g_mutex_lock (&self->lock);
  while (self->engines == NULL)
    g_cond_wait (&self->loaded_cond, &self->lock);
  set = petri_engine_set_ref (self->engines);
  g_mutex_unlock (&self->lock);
  return set;
}

PetriEngineSet *
petri_context_get_engines (PetriContext *self)
{
  PetriEngineSet *set;

  g_return_val_if_fail (PETRI_IS_CONTEXT (self), NULL);

  g_mutex_lock (&self->lock);
  set = self->engines != NULL ? petri_engine_set_ref (self->engines) : NULL;
  g_mutex_unlock (&self->lock);
  return set;
}

GPtrArray *
petri_context_get_engine_warnings (PetriContext *self)
{
  GPtrArray *warnings;

  g_return_val_if_fail (PETRI_IS_CONTEXT (self), NULL);

  g_mutex_lock (&self->lock);
  warnings = self->warnings != NULL ? g_ptr_array_ref (self->warnings) : NULL;
  g_mutex_unlock (&self->lock);
  return warnings;
}
