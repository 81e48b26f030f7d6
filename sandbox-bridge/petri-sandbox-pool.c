/* petri-sandbox-pool.c: the queue of analyses and one worker per VM
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Each VM has a worker thread that owns its libvirt connection and runs one
 * analysis at a time: clean state → start → handshake → upload → run while
 * events stream back → collect → power off → clean state. All analyses wait
 * in one queue, so the first idle VM takes the next one.
 */
#include "config.h"

#include "petri-sandbox-private.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

struct _PetriAnalysis
{
  gatomicrefcount ref_count;
  GMutex lock;
  GCond cond;

  char *sample_path, *sha256, *name;
  guint duration;
  guint64 max_size; /* caps each collected file */
  PetriAnalysisCallbacks callbacks;
  gpointer user_data;
  GDestroyNotify destroy;
  GCancellable *cancellable;

  PetriAnalysisState state;
  gboolean finished;
  char *reason, *vm, *platform;
  JsonObject *summary;
  char *drop_dir;
  double handshake_seconds, overhead_seconds;
};

struct _PetriSandboxPool
{
  PetriSandboxConfig *config;
  GAsyncQueue *queue; /* PetriAnalysis, or the pool itself to stop a worker */
  GPtrArray *workers; /* GThread */
  GMutex lock;
  GPtrArray *live; /* PetriAnalysis not finished, to cancel on free */
};

typedef struct
{
  PetriSandboxPool *pool;
  PetriVmConfig *config; /* owned by pool->config */
} Worker;

G_DEFINE_BOXED_TYPE (PetriAnalysis, petri_analysis, petri_analysis_ref, petri_analysis_unref)

static const char *const state_names[] = {
  [PETRI_ANALYSIS_QUEUED] = "queued",   [PETRI_ANALYSIS_STARTING] = "starting",
  [PETRI_ANALYSIS_RUNNING] = "running", [PETRI_ANALYSIS_COLLECTING] = "collecting",
  [PETRI_ANALYSIS_DONE] = "done",       [PETRI_ANALYSIS_FAILED] = "failed",
};

const char *
petri_analysis_state_to_string (PetriAnalysisState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (state_names), "failed");
  return state_names[state];
}

PetriAnalysis *
petri_analysis_ref (PetriAnalysis *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

static void
remove_tree (const char *dir)
{
  g_autoptr (GDir) d = NULL;
  const char *name;

  if (dir == NULL || (d = g_dir_open (dir, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

void
petri_analysis_unref (PetriAnalysis *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  remove_tree (self->drop_dir);
  g_free (self->drop_dir);
  g_free (self->sample_path);
  g_free (self->sha256);
  g_free (self->name);
  g_free (self->reason);
  g_free (self->vm);
  g_free (self->platform);
  g_clear_pointer (&self->summary, json_object_unref);
  g_clear_object (&self->cancellable);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

PetriAnalysisState
petri_analysis_get_state (PetriAnalysis *self)
{
  PetriAnalysisState state;

  g_return_val_if_fail (self != NULL, PETRI_ANALYSIS_FAILED);
  g_mutex_lock (&self->lock);
  state = self->state;
  g_mutex_unlock (&self->lock);
  return state;
}

static char *
dup_locked (PetriAnalysis *self, char **field)
{
  char *copy;

  g_mutex_lock (&self->lock);
  copy = g_strdup (*field);
  g_mutex_unlock (&self->lock);
  return copy;
}

char *
petri_analysis_dup_reason (PetriAnalysis *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return dup_locked (self, &self->reason);
}

char *
petri_analysis_dup_vm (PetriAnalysis *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return dup_locked (self, &self->vm);
}

char *
petri_analysis_dup_platform (PetriAnalysis *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return dup_locked (self, &self->platform);
}

const char *
petri_analysis_get_sha256 (PetriAnalysis *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->sha256;
}

guint
petri_analysis_get_duration (PetriAnalysis *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->duration;
}

JsonObject *
petri_analysis_dup_summary (PetriAnalysis *self)
{
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (JsonNode) copy = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_mutex_lock (&self->lock);
  node = json_node_init_object (json_node_alloc (), self->summary);
  text = json_to_string (node, FALSE);
  g_mutex_unlock (&self->lock);
  copy = json_from_string (text, NULL);
  return json_object_ref (json_node_get_object (copy));
}

double
petri_analysis_get_handshake_seconds (PetriAnalysis *self)
{
  double v;

  g_return_val_if_fail (self != NULL, -1);
  g_mutex_lock (&self->lock);
  v = self->handshake_seconds;
  g_mutex_unlock (&self->lock);
  return v;
}

double
petri_analysis_get_overhead_seconds (PetriAnalysis *self)
{
  double v;

  g_return_val_if_fail (self != NULL, -1);
  g_mutex_lock (&self->lock);
  v = self->overhead_seconds;
  g_mutex_unlock (&self->lock);
  return v;
}

gboolean
petri_analysis_is_finished (PetriAnalysis *self)
{
  gboolean v;

  g_return_val_if_fail (self != NULL, FALSE);
  g_mutex_lock (&self->lock);
  v = self->finished;
  g_mutex_unlock (&self->lock);
  return v;
}

void
petri_analysis_wait (PetriAnalysis *self)
{
  g_return_if_fail (self != NULL);
  g_mutex_lock (&self->lock);
  while (!self->finished)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

/* ---------------------------------------------------------------------- */
/* One analysis on one VM (worker thread)                                   */

static void
set_state (PetriAnalysis *self, PetriAnalysisState state, const char *reason)
{
  g_mutex_lock (&self->lock);
  self->state = state;
  g_free (self->reason);
  self->reason = g_strdup (reason);
  g_mutex_unlock (&self->lock);
  g_debug ("analysis %.12s: %s%s%s", self->sha256, petri_analysis_state_to_string (state),
           reason ? ": " : "", reason ? reason : "");
  if (self->callbacks.state_changed != NULL)
    self->callbacks.state_changed (self, state, reason, self->user_data);
}

static void
summary_set_string (PetriAnalysis *self, const char *member, const char *value)
{
  g_mutex_lock (&self->lock);
  if (value != NULL)
    json_object_set_string_member (self->summary, member, value);
  g_mutex_unlock (&self->lock);
}

static void
summary_set_int (PetriAnalysis *self, const char *member, gint64 value)
{
  g_mutex_lock (&self->lock);
  json_object_set_int_member (self->summary, member, value);
  g_mutex_unlock (&self->lock);
}

static void
summary_set_double (PetriAnalysis *self, const char *member, double value)
{
  g_mutex_lock (&self->lock);
  json_object_set_double_member (self->summary, member, value);
  g_mutex_unlock (&self->lock);
}

static void
run_started_cb (gint64 pid, gpointer user_data)
{
  PetriAnalysis *self = user_data;

  summary_set_int (self, "pid", pid);
}

static void
run_events_cb (GPtrArray *events, gpointer user_data)
{
  PetriAnalysis *self = user_data;

  if (self->callbacks.events != NULL)
    self->callbacks.events (self, events, self->user_data);
}

static void
run_dropped_cb (const PetriDroppedFile *file, gpointer user_data)
{
  PetriAnalysis *self = user_data;

  if (self->callbacks.dropped_file != NULL)
    self->callbacks.dropped_file (self, file, self->user_data);
}

static void
run_collecting_cb (gpointer user_data)
{
  PetriAnalysis *self = user_data;

  set_state (self, PETRI_ANALYSIS_COLLECTING, NULL);
}

/* The name the sample gets in the guest: its base name without anything a
 * shell or a path could trip on. */
static char *
guest_name (const char *display_name)
{
  g_autofree char *base = g_path_get_basename (display_name ? display_name : "sample");
  GString *out = g_string_new (NULL);

  for (const char *p = base; *p != '\0' && out->len < 64; p++)
    out = g_string_append_c (
        out, (g_ascii_isalnum (*p) || *p == '.' || *p == '-' || *p == '_') ? *p : '_');
  while (out->len > 0 && out->str[0] == '.')
    g_string_erase (out, 0, 1);
  if (out->len == 0)
    g_string_assign (out, "sample");
  return g_string_free (out, FALSE);
}

static char *
failure_reason (const char *step, GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_ ("cancelled"));
  /* Translators: "%s: %s" is a step ("start", "handshake" …) and what went wrong. */
  return g_strdup_printf (_ ("%s: %s"), g_dpgettext2 (GETTEXT_PACKAGE, "sandbox step", step),
                          error->message);
}

static void
run_analysis (Worker *worker, PetriVm *vm, PetriAnalysis *self)
{
  PetriSandboxConfig *config = worker->pool->config;
  const PetriVmConfig *vmc = worker->config;
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriAgentChannel) channel = NULL;
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GBytes) sample = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *name = NULL;
  PetriAgentHello hello = { 0 };
  PetriAgentRunResult result = { 0 };
  gint64 t_dispatch = g_get_monotonic_time (), t_end;
  gboolean touched_vm = FALSE;
  const char *step = NC_ ("sandbox step", "start");

  g_mutex_lock (&self->lock);
  self->vm = g_strdup (vmc->name);
  self->platform = g_strdup (vmc->platform);
  g_mutex_unlock (&self->lock);
  summary_set_string (self, "vm", vmc->name);
  summary_set_string (self, "platform", vmc->platform);
  summary_set_string (self, "domain", vmc->domain);

  if (g_cancellable_set_error_if_cancelled (self->cancellable, &error))
    goto out;
  set_state (self, PETRI_ANALYSIS_STARTING, NULL);

  step = NC_ ("sandbox step", "sample");
  mapped = g_mapped_file_new (self->sample_path, FALSE, &error);
  if (mapped == NULL)
    goto out;
  if (g_mapped_file_get_length (mapped) > config->max_size)
    {
      g_set_error (&error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_FAILED,
                   _ ("“%s” is larger than the sandbox limit of %llu bytes"), self->sample_path,
                   (unsigned long long) config->max_size);
      goto out;
    }
  sample = g_mapped_file_get_bytes (mapped);
  if (self->drop_dir == NULL
      && (self->drop_dir = g_dir_make_tmp ("petri-drop-XXXXXX", &error)) == NULL)
    goto out;

  step = NC_ ("sandbox step", "start");
  touched_vm = TRUE;
  if (!petri_vm_lookup (vm, &error) || !petri_vm_make_clean (vm, &error)
      || !petri_vm_start (vm, &error))
    goto out;
  if ((socket_path = petri_vm_get_channel_path (vm, &error)) == NULL)
    goto out;

  step = NC_ ("sandbox step", "handshake");
  {
    gint64 deadline = t_dispatch + (gint64) config->handshake_timeout * G_USEC_PER_SEC;

    channel = petri_agent_channel_connect (socket_path, deadline, self->cancellable, &error);
    if (channel == NULL
        || !petri_agent_channel_handshake (channel, deadline, &hello, self->cancellable, &error))
      goto out;
  }
  g_mutex_lock (&self->lock);
  self->handshake_seconds = (double) (g_get_monotonic_time () - t_dispatch) / G_USEC_PER_SEC;
  g_mutex_unlock (&self->lock);
  summary_set_double (self, "handshake_seconds", self->handshake_seconds);
  summary_set_string (self, "agent", hello.agent);
  summary_set_string (self, "kernel", hello.kernel);
  summary_set_string (self, "monitor", hello.monitor);
  summary_set_string (self, "guest_platform", hello.platform);

  step = NC_ ("sandbox step", "upload");
  name = guest_name (self->name);
  if (!petri_agent_channel_upload (channel, name, sample,
                                   g_get_monotonic_time ()
                                       + (gint64) config->io_timeout * G_USEC_PER_SEC,
                                   self->cancellable, &error))
    goto out;

  step = NC_ ("sandbox step", "run");
  set_state (self, PETRI_ANALYSIS_RUNNING, NULL);
  {
    PetriAgentRunFuncs funcs = {
      .started = run_started_cb,
      .events = run_events_cb,
      .dropped_file = run_dropped_cb,
      .collecting = run_collecting_cb,
    };
    gint64 deadline
        = g_get_monotonic_time ()
          + (gint64) (self->duration + config->grace + config->io_timeout) * G_USEC_PER_SEC;

    if (!petri_agent_channel_run (channel, name, self->duration, self->max_size, self->drop_dir,
                                  deadline, &funcs, self, &result, self->cancellable, &error))
      goto out;
  }
  /* The agent is told; the domain is destroyed right after anyway, which
   * loses nothing for a diskless guest or one reverted to a snapshot. */
  petri_agent_channel_poweroff (channel, NULL);

out:
  petri_agent_hello_clear (&hello);
  if (error != NULL
      && g_error_matches (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_DISCONNECTED)
      && petri_vm_get_domain (vm) != NULL)
    {
      /* A guest that crashed or powered off takes a moment to be reaped. */
      for (int i = 0; i < 20 && petri_vm_is_running (vm); i++)
        g_usleep (100 * 1000);
    }
  if (error != NULL
      && g_error_matches (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_DISCONNECTED)
      && petri_vm_get_domain (vm) != NULL && !petri_vm_is_running (vm))
    {
      /* The connection went because the whole VM did. */
      g_autoptr (GError) stopped = g_error_new (
          PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_DISCONNECTED,
          _ ("the VM stopped (the guest crashed or powered off): %s"), error->message);
      g_clear_error (&error);
      error = g_steal_pointer (&stopped);
    }
  if (error != NULL)
    reason = failure_reason (step, error);
  g_clear_pointer (&channel, petri_agent_channel_free);

  /* Back to a clean state whatever happened. */
  if (touched_vm && petri_vm_get_domain (vm) != NULL)
    {
      petri_vm_stop (vm, 0);
      if (vmc->snapshot != NULL)
        {
          g_autoptr (GError) clean_error = NULL;

          if (!petri_vm_make_clean (vm, &clean_error))
            g_debug ("%s: %s", vmc->name, clean_error->message);
          petri_vm_stop (vm, 0);
        }
    }
  t_end = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  if (error == NULL)
    self->overhead_seconds = (double) (t_end - t_dispatch) / G_USEC_PER_SEC - result.run_seconds;
  json_object_set_double_member (self->summary, "run_seconds", result.run_seconds);
  json_object_set_double_member (self->summary, "total_seconds",
                                 (double) (t_end - t_dispatch) / G_USEC_PER_SEC);
  if (error == NULL)
    json_object_set_double_member (self->summary, "overhead_seconds", self->overhead_seconds);
  json_object_set_int_member (self->summary, "events", result.n_events);
  json_object_set_int_member (self->summary, "dropped", result.n_dropped);
  json_object_set_boolean_member (self->summary, "truncated", result.truncated);
  if (error == NULL)
    json_object_set_int_member (self->summary, "exit_status", result.exit_status);
  g_mutex_unlock (&self->lock);

  if (error != NULL)
    set_state (self, PETRI_ANALYSIS_FAILED, reason);
  else
    set_state (self, PETRI_ANALYSIS_DONE, NULL);
}

static void
finish_analysis (PetriSandboxPool *pool, PetriAnalysis *self)
{
  if (self->callbacks.finished != NULL)
    self->callbacks.finished (self, self->user_data);
  if (self->destroy != NULL)
    self->destroy (self->user_data);
  self->user_data = NULL;
  self->destroy = NULL;

  g_mutex_lock (&pool->lock);
  g_ptr_array_remove_fast (pool->live, self);
  g_mutex_unlock (&pool->lock);

  g_mutex_lock (&self->lock);
  self->finished = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  g_autoptr (PetriVm) vm = petri_vm_new (worker->config);

  for (;;)
    {
      gpointer item = g_async_queue_pop (worker->pool->queue);
      PetriAnalysis *analysis;

      if (item == worker->pool)
        break;
      analysis = item;
      run_analysis (worker, vm, analysis);
      finish_analysis (worker->pool, analysis);
      petri_analysis_unref (analysis);
    }
  g_free (worker);
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* The pool                                                                 */

PetriSandboxPool *
petri_sandbox_pool_new (const char *conf_path, GError **error)
{
  g_autoptr (PetriSandboxConfig) config = NULL;
  PetriSandboxPool *self;

  g_return_val_if_fail (conf_path != NULL, NULL);

  if ((config = petri_sandbox_config_load (conf_path, error)) == NULL)
    return NULL;
  petri_libvirt_init ();

  self = g_new0 (PetriSandboxPool, 1);
  self->config = g_steal_pointer (&config);
  self->queue = g_async_queue_new ();
  self->workers = g_ptr_array_new ();
  self->live = g_ptr_array_new ();
  g_mutex_init (&self->lock);
  for (guint i = 0; i < self->config->vms->len; i++)
    {
      Worker *worker = g_new0 (Worker, 1);
      g_autofree char *thread_name = g_strdup_printf ("petri-vm-%u", i);

      worker->pool = self;
      worker->config = g_ptr_array_index (self->config->vms, i);
      g_ptr_array_add (self->workers, g_thread_new (thread_name, worker_thread, worker));
    }
  return self;
}

void
petri_sandbox_pool_free (PetriSandboxPool *self)
{
  if (self == NULL)
    return;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->live->len; i++)
    g_cancellable_cancel (((PetriAnalysis *) g_ptr_array_index (self->live, i))->cancellable);
  g_mutex_unlock (&self->lock);

  /* Queued analyses come first and fail as cancelled; then each worker
   * takes one stop marker. */
  for (guint i = 0; i < self->workers->len; i++)
    g_async_queue_push (self->queue, self);
  for (guint i = 0; i < self->workers->len; i++)
    g_thread_join (g_ptr_array_index (self->workers, i));

  g_ptr_array_unref (self->workers);
  g_ptr_array_unref (self->live);
  g_async_queue_unref (self->queue);
  g_mutex_clear (&self->lock);
  petri_sandbox_config_free (self->config);
  g_free (self);
}

guint
petri_sandbox_pool_get_n_vms (PetriSandboxPool *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->config->vms->len;
}

guint
petri_sandbox_pool_get_duration (PetriSandboxPool *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->config->duration;
}

guint64
petri_sandbox_pool_get_max_size (PetriSandboxPool *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->config->max_size;
}

PetriAnalysis *
petri_sandbox_pool_submit (PetriSandboxPool *self, const PetriAnalysisRequest *request,
                           const PetriAnalysisCallbacks *callbacks, gpointer user_data,
                           GDestroyNotify destroy, GCancellable *cancellable)
{
  PetriAnalysis *analysis;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (request != NULL && request->sample_path != NULL, NULL);
  g_return_val_if_fail (request->sha256 != NULL, NULL);

  analysis = g_new0 (PetriAnalysis, 1);
  g_atomic_ref_count_init (&analysis->ref_count);
  g_mutex_init (&analysis->lock);
  g_cond_init (&analysis->cond);
  analysis->sample_path = g_strdup (request->sample_path);
  analysis->sha256 = g_strdup (request->sha256);
  analysis->name = g_strdup (request->display_name);
  analysis->duration = request->duration > 0 ? request->duration : self->config->duration;
  analysis->max_size = request->max_size > 0 ? request->max_size : self->config->max_size;
  if (callbacks != NULL)
    analysis->callbacks = *callbacks;
  analysis->user_data = user_data;
  analysis->destroy = destroy;
  analysis->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  analysis->state = PETRI_ANALYSIS_QUEUED;
  analysis->summary = json_object_new ();
  analysis->handshake_seconds = -1;
  analysis->overhead_seconds = -1;

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->live, analysis);
  g_mutex_unlock (&self->lock);
  g_async_queue_push (self->queue, petri_analysis_ref (analysis));
  return analysis;
}
