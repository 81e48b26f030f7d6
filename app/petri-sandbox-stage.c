/* petri-sandbox-stage.c: from the static scan to the sandbox and back into the case
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The post-scan hook runs on a pipeline worker; the pool's callbacks run on
 * its VM workers. Both only queue writes to the case store (which commits
 * them in order on its own thread) and post to the pipeline, so nothing
 * here blocks the main thread. A held item keeps the pipeline busy until
 * its analysis is over, which is how `petri scan` waits.
 */
#include "config.h"

#include "petri-sandbox-stage.h"

#include "petri-pipeline-private.h"
#include "petri-sandbox.h"

#include <glib/gi18n.h>
#include <string.h>
#include <sys/stat.h>

typedef struct
{
  char *parent_sha256;
  PetriAnalysisRef *ref;
  char *guest_path;
} Link;

typedef struct
{
  PetriPipeline *pipeline; /* owns the stage */
  PetriCaseStore *store;
  PetriSandboxPool *pool;
  gboolean again;
  char *conf_path;

  GMutex lock;
  /* The limits in force, read again whenever sandbox.conf changes (the
   * preferences write it), so a change applies to the next sample. */
  PetriSandboxLimits limits;
  struct stat conf_stat;
  gboolean closing;
  GHashTable *submitted;     /* sha256 sent by this stage */
  GHashTable *pending_links; /* child sha256 → Link */
  GPtrArray *done;           /* PetriAnalysis: their dropped files wait for the pipeline */
  gulong idle_id;
} Stage;

typedef struct
{
  Stage *stage;
  PetriItem *item;
  PetriAnalysisRef *ref;
  char *sha256;
  gboolean vm_recorded;
} Job;

static void
link_free (Link *link)
{
  g_free (link->parent_sha256);
  g_clear_pointer (&link->ref, petri_analysis_ref_unref);
  g_free (link->guest_path);
  g_free (link);
}

static void
job_free (Job *job)
{
  g_clear_object (&job->item);
  g_clear_pointer (&job->ref, petri_analysis_ref_unref);
  g_free (job->sha256);
  g_free (job);
}

/* ---------------------------------------------------------------------- */
/* The pool's callbacks (VM worker threads)                                 */

static void
state_changed_cb (PetriAnalysis *analysis, PetriAnalysisState state, const char *reason,
                  gpointer user_data)
{
  Job *job = user_data;
  Stage *stage = job->stage;
  const char *status = petri_analysis_state_to_string (state);
  g_autoptr (JsonObject) summary = NULL;

  if (!job->vm_recorded && state != PETRI_ANALYSIS_QUEUED)
    {
      g_autofree char *vm = petri_analysis_dup_vm (analysis);
      g_autofree char *platform = petri_analysis_dup_platform (analysis);

      if (vm != NULL)
        {
          petri_case_store_set_analysis_vm (stage->store, job->ref, vm, platform, NULL, NULL);
          job->vm_recorded = TRUE;
        }
    }
  if (state == PETRI_ANALYSIS_RUNNING || state == PETRI_ANALYSIS_DONE
      || state == PETRI_ANALYSIS_FAILED)
    summary = petri_analysis_dup_summary (analysis);
  petri_case_store_update_analysis (stage->store, job->ref, status, reason, summary, NULL, NULL);

  g_mutex_lock (&stage->lock);
  if (!stage->closing)
    petri_pipeline_set_sandbox_status (stage->pipeline, job->item, status, reason);
  g_mutex_unlock (&stage->lock);
}

static void
events_cb (PetriAnalysis *analysis, GPtrArray *events, gpointer user_data)
{
  Job *job = user_data;

  /* The store copies the batch. */
  petri_case_store_add_events (job->stage->store, job->ref, events, NULL, NULL);
}

static void
dropped_file_cb (PetriAnalysis *analysis, const PetriDroppedFile *file, gpointer user_data)
{
  Job *job = user_data;
  Stage *stage = job->stage;
  Link *link = g_new0 (Link, 1);

  link->parent_sha256 = g_strdup (job->sha256);
  link->ref = petri_analysis_ref_ref (job->ref);
  link->guest_path = g_strdup (file->guest_path);

  g_mutex_lock (&stage->lock);
  if (g_strcmp0 (file->sha256, job->sha256) == 0
      || g_hash_table_contains (stage->pending_links, file->sha256))
    {
      /* The sample copying itself, or the same content twice. */
      link_free (link);
    }
  else
    {
      g_hash_table_insert (stage->pending_links, g_strdup (file->sha256), link);
      /* The bytes come from Petri's own copy; the guest's path is a label. */
      if (!stage->closing)
        petri_pipeline_add_child_file (stage->pipeline, job->item, file->host_path,
                                       file->guest_path);
    }
  g_mutex_unlock (&stage->lock);
}

static void
finished_cb (PetriAnalysis *analysis, gpointer user_data)
{
  Job *job = user_data;
  Stage *stage = job->stage;

  g_mutex_lock (&stage->lock);
  /* Dropped files stay until the pipeline has taken them in. */
  g_ptr_array_add (stage->done, petri_analysis_ref (analysis));
  if (!stage->closing)
    petri_pipeline_release (stage->pipeline, job->item);
  g_mutex_unlock (&stage->lock);
}

static const PetriAnalysisCallbacks callbacks = {
  .state_changed = state_changed_cb,
  .events = events_cb,
  .dropped_file = dropped_file_cb,
  .finished = finished_cb,
};

/* ---------------------------------------------------------------------- */
/* The post-scan hook (pipeline worker thread)                              */

static gboolean
same_stat (const struct stat *a, const struct stat *b)
{
  return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size
         && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The duration and size limit for the next sample: sandbox.conf's, read
 * again when the file has changed since; the last good ones when it now
 * cannot be read (the pool itself keeps running on what it loaded). */
static PetriSandboxLimits
current_limits (Stage *stage)
{
  struct stat st;
  PetriSandboxLimits limits;

  g_mutex_lock (&stage->lock);
  if (stat (stage->conf_path, &st) == 0 && !same_stat (&st, &stage->conf_stat))
    {
      g_autoptr (GError) error = NULL;
      PetriSandboxLimits read = { 0 };

      if (petri_sandbox_read_limits (stage->conf_path, &read, &error))
        stage->limits = read;
      else
        g_warning ("%s", error->message);
      stage->conf_stat = st;
    }
  limits = stage->limits;
  g_mutex_unlock (&stage->lock);
  return limits;
}

typedef enum
{
  PRIOR_NONE,
  PRIOR_NOT_ELIGIBLE,
  /* Done. (One left "running" by a process that was killed does not
   * count; one in flight in this process is in Stage.submitted.) */
  PRIOR_ANALYSED,
} Prior;

/* What the case database already knows about the sample's analyses. */
static Prior
prior_analysis (Stage *stage, const char *sha256, char **status)
{
  g_autoptr (JsonNode) sample = NULL;
  JsonArray *analyses;
  Prior prior = PRIOR_NONE;

  *status = NULL;
  sample = petri_case_store_query_sync (stage->store, PETRI_QUERY_SAMPLE, sha256, NULL, NULL);
  if (sample == NULL || !JSON_NODE_HOLDS_OBJECT (sample))
    return PRIOR_NONE;
  analyses = json_object_get_array_member (json_node_get_object (sample), "analyses");
  for (guint i = 0; analyses != NULL && i < json_array_get_length (analyses); i++)
    {
      JsonObject *a = json_array_get_object_element (analyses, i);
      const char *source = json_object_get_string_member_with_default (a, "source", "");
      const char *st = json_object_get_string_member_with_default (a, "status", "");

      if (g_strcmp0 (source, "petri") != 0)
        continue;
      if (g_strcmp0 (st, "not_eligible") == 0)
        prior = MAX (prior, PRIOR_NOT_ELIGIBLE);
      else if (g_strcmp0 (st, "done") == 0)
        {
          g_free (*status);
          *status = g_strdup (st);
          prior = PRIOR_ANALYSED;
        }
    }
  return prior;
}

static void
post_scan_hook (PetriPipeline *pipeline, PetriItem *item, const PetriScanOutcome *outcome,
                gpointer user_data)
{
  Stage *stage = user_data;
  g_autofree char *reason = NULL;
  g_autofree char *prior_status = NULL;
  PetriAnalysisRequest request = { 0 };
  PetriSandboxLimits limits;
  PetriAnalysis *analysis;
  Link *link;
  Job *job;
  Prior prior;

  if (outcome->rescan)
    return;

  /* A file dropped in the sandbox: link it to the sample that made it. It
   * is not run in its turn (its parent's analysis already saw it run). */
  g_mutex_lock (&stage->lock);
  {
    gpointer key = NULL, value = NULL;

    if (g_hash_table_steal_extended (stage->pending_links, outcome->sha256, &key, &value))
      g_free (key);
    link = value;
  }
  g_mutex_unlock (&stage->lock);
  if (link != NULL)
    {
      /* Queued after the child's own rows, so both samples exist. */
      petri_case_store_link_samples (stage->store, link->parent_sha256, outcome->sha256, link->ref,
                                     "dropped", link->guest_path, NULL, NULL);
      link_free (link);
      return;
    }

  limits = current_limits (stage);
  if (!petri_sandbox_is_eligible (outcome->mime, outcome->description, outcome->head,
                                  outcome->head_len, outcome->size, limits.max_size, &reason))
    {
      if (prior_analysis (stage, outcome->sha256, &prior_status) == PRIOR_NONE)
        {
          PetriAnalysisRef *ref = petri_case_store_add_analysis (
              stage->store, outcome->sha256, outcome->case_name, "petri", "", "", "not_eligible",
              reason, 0, NULL, NULL);
          petri_analysis_ref_unref (ref);
        }
      petri_pipeline_set_sandbox_status (pipeline, item, "not_eligible", reason);
      return;
    }

  g_mutex_lock (&stage->lock);
  if (!stage->again && g_hash_table_contains (stage->submitted, outcome->sha256))
    prior = PRIOR_ANALYSED;
  else
    prior = PRIOR_NONE;
  g_hash_table_add (stage->submitted, g_strdup (outcome->sha256));
  g_mutex_unlock (&stage->lock);
  if (prior == PRIOR_NONE && !stage->again)
    prior = prior_analysis (stage, outcome->sha256, &prior_status);
  if (prior == PRIOR_ANALYSED)
    {
      petri_pipeline_set_sandbox_status (pipeline, item,
                                         prior_status != NULL ? prior_status : "queued",
                                         _ ("analysed before; scan with --sandbox-again to run "
                                            "it again"));
      return;
    }

  job = g_new0 (Job, 1);
  job->stage = stage;
  job->item = g_object_ref (item);
  job->sha256 = g_strdup (outcome->sha256);
  job->ref
      = petri_case_store_add_analysis (stage->store, outcome->sha256, outcome->case_name, "petri",
                                       "", "", "queued", NULL, limits.duration, NULL, NULL);
  petri_pipeline_set_sandbox_status (pipeline, item, "queued", NULL);
  petri_pipeline_hold (pipeline, item);

  request.sample_path = outcome->store_path;
  request.sha256 = outcome->sha256;
  request.display_name = outcome->display_name;
  request.duration = limits.duration;
  request.max_size = limits.max_size;
  analysis = petri_sandbox_pool_submit (stage->pool, &request, &callbacks, job,
                                        (GDestroyNotify) job_free,
                                        petri_pipeline_get_cancellable (pipeline));
  petri_analysis_unref (analysis);
}

/* ---------------------------------------------------------------------- */
/* Life cycle                                                               */

static void
pipeline_idle_cb (PetriPipeline *pipeline, gpointer user_data)
{
  Stage *stage = user_data;
  g_autoptr (GPtrArray) done = NULL;

  /* Everything dropped has been copied into the sample store by now. */
  g_mutex_lock (&stage->lock);
  done = g_steal_pointer (&stage->done);
  stage->done = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_analysis_unref);
  g_mutex_unlock (&stage->lock);
}

static void
stage_free (gpointer data)
{
  Stage *stage = data;

  g_mutex_lock (&stage->lock);
  stage->closing = TRUE;
  g_mutex_unlock (&stage->lock);
  /* Waits for the VMs to be back in a clean state. */
  petri_sandbox_pool_free (stage->pool);
  if (stage->idle_id != 0)
    g_signal_handler_disconnect (stage->pipeline, stage->idle_id);
  g_hash_table_unref (stage->submitted);
  g_hash_table_unref (stage->pending_links);
  g_ptr_array_unref (stage->done);
  g_object_unref (stage->store);
  g_free (stage->conf_path);
  g_mutex_clear (&stage->lock);
  g_free (stage);
}

gboolean
petri_sandbox_stage_attach (PetriPipeline *pipeline, gboolean again, GError **error)
{
  PetriContext *context;
  g_autofree char *conf = NULL;
  PetriSandboxPool *pool;
  struct stat conf_stat;
  Stage *stage;

  g_return_val_if_fail (PETRI_IS_PIPELINE (pipeline), FALSE);

  context = petri_pipeline_get_context (pipeline);
  conf = petri_sandbox_config_path (petri_context_get_data_dir (context));
  /* stat()ed before the pool reads it, so that any later change is read. */
  if (stat (conf, &conf_stat) != 0)
    memset (&conf_stat, 0, sizeof conf_stat);
  pool = petri_sandbox_pool_new (conf, error);
  if (pool == NULL)
    return FALSE;

  stage = g_new0 (Stage, 1);
  stage->pipeline = pipeline;
  stage->store = g_object_ref (petri_context_get_store (context));
  stage->pool = pool;
  stage->again = again;
  stage->conf_path = g_steal_pointer (&conf);
  stage->limits.duration = petri_sandbox_pool_get_duration (pool);
  stage->limits.max_size = petri_sandbox_pool_get_max_size (pool);
  stage->conf_stat = conf_stat;
  g_mutex_init (&stage->lock);
  stage->submitted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  stage->pending_links
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) link_free);
  stage->done = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_analysis_unref);
  stage->idle_id = g_signal_connect (pipeline, "idle", G_CALLBACK (pipeline_idle_cb), stage);
  petri_pipeline_set_post_scan_hook (pipeline, post_scan_hook, stage, stage_free);
  return TRUE;
}
