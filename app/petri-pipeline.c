/* petri-pipeline.c: walk, copy into the store, hash, type, scan, record
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Threads: one walker turns paths into items; a pool of workers (one per
 * core) takes each file through the store and every engine; the database
 * writer commits. Workers never touch an item: they post updates, and one
 * idle callback on the main context applies them in order and emits the
 * batch ("items-added", "items-changed").
 */
#include "config.h"

#include "petri-case-store-private.h"
#include "petri-item-private.h"
#include "petri-pipeline-private.h"
#include "petri-sample-store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger files are never mapped: engines report them as over the limit. */
#define DEFAULT_MAP_LIMIT (400 * 1024 * 1024)
#define TYPE_HEAD_BYTES (256 * 1024)
#define MAX_UPDATES_PER_FLUSH 2000

typedef enum
{
  UPDATE_ADDED,
  UPDATE_STATE,
  UPDATE_HASHED,
  UPDATE_ENGINES,
  UPDATE_RESULT,
  UPDATE_FINAL,
  UPDATE_SANDBOX,
  UPDATE_HOLD,
  UPDATE_RELEASE,
  UPDATE_WALK_DONE,
} UpdateKind;

typedef struct
{
  UpdateKind kind;
  PetriItem *item; /* strong; NULL for WALK_DONE */
  PetriItemState state;
  char *text1, *text2; /* error / sandbox status and reason */
  PetriStoredSample stored;
  char *mime, *description;
  guint n;
  PetriEngineResult *result;
  guint64 request; /* WALK_DONE: the walk request that finished */
} Update;

typedef struct
{
  PetriItem *item;           /* strong */
  char *source_path;         /* what to read (NULL: the stored copy, for rescans) */
  char *root;                /* display path of the folder taken in, or NULL */
  char *sha256;              /* rescans: the sample */
  guint64 size;              /* for ordering: large files start first */
  gboolean resume;           /* finishes an intake an earlier session left unscanned */
  GCancellable *cancellable; /* the request's, or NULL */
} Job;

typedef struct
{
  char *case_name;
  char **paths; /* raw */
  gboolean rescan;
  PetriRescanFlags flags;
  guint64 id;
  GCancellable *cancellable; /* nullable */
} WalkRequest;

/* A rescan someone waits for (main thread only). */
typedef struct
{
  guint64 id; /* the key in the table */
  GTask *task;
  guint items;     /* file items it created */
  guint unsettled; /* of those, not settled yet */
  gboolean walked; /* every item is created */
} Request;

struct _PetriPipeline
{
  GObject parent_instance;

  PetriContext *context;
  PetriCaseStore *store;
  GMainContext *main_context;
  GCancellable *cancellable;
  GThreadPool *workers;
  GThreadPool *walker;
  guint64 map_limit;
  dev_t data_dir_dev; /* never take in Petri's own data folder */
  ino_t data_dir_ino;

  GMutex lock;
  GPtrArray *pending; /* Update */
  GSource *flush_source;

  /* Main thread only. */
  guint outstanding; /* file items not yet final */
  guint holds;       /* holds on items */
  guint walks;       /* walk requests not finished */
  gboolean was_busy;
  GHashTable *requests; /* id → Request */
  GPtrArray *finished;  /* Request: completed once the batch is out */

  /* Under the lock: samples being scanned (sha256 → count, item → sha256). */
  GHashTable *in_flight;
  GHashTable *in_flight_items;

  PetriPostScanHook hook;
  gpointer hook_data;
  GDestroyNotify hook_destroy;
};

G_DEFINE_FINAL_TYPE (PetriPipeline, petri_pipeline, G_TYPE_OBJECT)

enum
{
  ITEMS_ADDED,
  ITEMS_CHANGED,
  IDLE,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static guint64 next_item_id = 1;    /* atomic */
static guint64 next_request_id = 1; /* atomic */

static guint64
new_item_id (void)
{
  return __atomic_fetch_add (&next_item_id, 1, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------------- */
/* Updates: posted from any thread, applied on the main context             */

static void
update_free (Update *u)
{
  g_clear_object (&u->item);
  g_free (u->text1);
  g_free (u->text2);
  petri_stored_sample_clear (&u->stored);
  g_free (u->mime);
  g_free (u->description);
  g_clear_pointer (&u->result, petri_engine_result_unref);
  g_free (u);
}

static gboolean flush_cb (gpointer data);

static void
post (PetriPipeline *self, Update *u)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->pending, u);
  if (self->flush_source == NULL)
    {
      self->flush_source = g_idle_source_new ();
      g_source_set_priority (self->flush_source, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_callback (self->flush_source, flush_cb, g_object_ref (self), g_object_unref);
      g_source_set_static_name (self->flush_source, "[petri] pipeline flush");
      g_source_attach (self->flush_source, self->main_context);
    }
  g_mutex_unlock (&self->lock);
}

static Update *
update_new (UpdateKind kind, PetriItem *item)
{
  Update *u = g_new0 (Update, 1);

  u->kind = kind;
  u->item = item != NULL ? g_object_ref (item) : NULL;
  return u;
}

/* Any thread: @item scans the sample @sha256 until it is final. */
static void
in_flight_add (PetriPipeline *self, PetriItem *item, const char *sha256)
{
  gpointer n;

  g_mutex_lock (&self->lock);
  if (g_hash_table_insert (self->in_flight_items, item, g_strdup (sha256)))
    {
      n = g_hash_table_lookup (self->in_flight, sha256);
      g_hash_table_insert (self->in_flight, g_strdup (sha256),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (n) + 1));
    }
  g_mutex_unlock (&self->lock);
}

static void
in_flight_remove (PetriPipeline *self, PetriItem *item)
{
  g_autofree char *sha256 = NULL;

  g_mutex_lock (&self->lock);
  if (g_hash_table_steal_extended (self->in_flight_items, item, NULL, (gpointer *) &sha256))
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->in_flight, sha256));
      if (n <= 1)
        g_hash_table_remove (self->in_flight, sha256);
      else
        g_hash_table_insert (self->in_flight, g_strdup (sha256), GUINT_TO_POINTER (n - 1));
    }
  g_mutex_unlock (&self->lock);
}

static gboolean
in_flight_contains (PetriPipeline *self, const char *sha256)
{
  gboolean found;

  g_mutex_lock (&self->lock);
  found = g_hash_table_contains (self->in_flight, sha256);
  g_mutex_unlock (&self->lock);
  return found;
}

static void
request_free (Request *r)
{
  g_clear_object (&r->task);
  g_free (r);
}

static void
request_check_done (PetriPipeline *self, guint64 id, Request *r)
{
  if (!r->walked || r->unsettled > 0)
    return;
  g_hash_table_steal (self->requests, &id);
  g_ptr_array_add (self->finished, r);
}

/* Main thread: a file item is settled (final, nothing holds it). */
static void
item_settled (PetriPipeline *self, PetriItem *item)
{
  Request *r;

  if (item->request == 0 || item->folder || item->settled_counted)
    return;
  item->settled_counted = TRUE;
  r = g_hash_table_lookup (self->requests, &item->request);
  if (r == NULL)
    return;
  g_assert (r->unsettled > 0);
  r->unsettled--;
  request_check_done (self, item->request, r);
}

static void
post_state (PetriPipeline *self, PetriItem *item, PetriItemState state)
{
  Update *u = update_new (UPDATE_STATE, item);
  u->state = state;
  post (self, u);
}

static void
post_final (PetriPipeline *self, PetriItem *item, const char *error)
{
  Update *u = update_new (UPDATE_FINAL, item);
  u->state = error != NULL ? PETRI_ITEM_ERROR : PETRI_ITEM_DONE;
  u->text1 = g_strdup (error);
  post (self, u);
}

static void
mark_changed (GPtrArray *changed, GHashTable *seen, PetriItem *item)
{
  if (g_hash_table_add (seen, item))
    g_ptr_array_add (changed, g_object_ref (item));
}

/* A file became final: its folders count it and take the worst verdict. */
static void
propagate_final (PetriItem *item, GPtrArray *changed, GHashTable *seen)
{
  gboolean failed = item->state == PETRI_ITEM_ERROR;

  for (PetriItem *p = item->parent; p != NULL; p = p->parent)
    {
      /* Only folders sum up their rows; a file's own verdict stays its own
       * when files it dropped hang below it. */
      if (!p->folder)
        continue;
      if (p->pending > 0)
        p->pending--;
      if (failed)
        p->failed++;
      if (p->pending == 0)
        p->state = PETRI_ITEM_DONE;
      mark_changed (changed, seen, p);
    }
}

static void
propagate_verdict (PetriItem *item, GPtrArray *changed, GHashTable *seen)
{
  static const int rank[] = {
    [PETRI_VERDICT_PENDING] = 0,    [PETRI_VERDICT_CLEAN] = 1,     [PETRI_VERDICT_ERROR] = 2,
    [PETRI_VERDICT_SUSPICIOUS] = 3, [PETRI_VERDICT_MALICIOUS] = 4,
  };

  for (PetriItem *p = item->parent; p != NULL; p = p->parent)
    {
      if (!p->folder)
        continue;
      if (rank[item->verdict] > rank[p->verdict]
          || (p->verdict == PETRI_VERDICT_PENDING && item->verdict != PETRI_VERDICT_PENDING))
        {
          p->verdict = item->verdict;
          mark_changed (changed, seen, p);
        }
    }
}

static void
apply (PetriPipeline *self, Update *u, GPtrArray *added, GPtrArray *changed, GHashTable *seen)
{
  PetriItem *item = u->item;

  switch (u->kind)
    {
    case UPDATE_ADDED:
      if (!item->folder)
        {
          Request *r
              = item->request != 0 ? g_hash_table_lookup (self->requests, &item->request) : NULL;
          if (r != NULL)
            {
              r->items++;
              r->unsettled++;
            }
          self->outstanding++;
          for (PetriItem *p = item->parent; p != NULL; p = p->parent)
            {
              if (!p->folder)
                continue;
              p->pending++;
              if (p->state == PETRI_ITEM_DONE)
                p->state = PETRI_ITEM_SCANNING;
            }
        }
      else
        item->state = PETRI_ITEM_SCANNING;
      g_hash_table_add (seen, item);
      g_ptr_array_add (added, g_object_ref (item));
      break;

    case UPDATE_STATE:
      if (!petri_item_is_final (item) && item->state != u->state)
        {
          item->state = u->state;
          mark_changed (changed, seen, item);
        }
      break;

    case UPDATE_HASHED:
      g_free (item->sha256);
      item->sha256 = g_steal_pointer (&u->stored.sha256);
      g_free (item->sha1);
      item->sha1 = g_steal_pointer (&u->stored.sha1);
      g_free (item->md5);
      item->md5 = g_steal_pointer (&u->stored.md5);
      g_free (item->ssdeep);
      item->ssdeep = g_steal_pointer (&u->stored.ssdeep);
      item->size = u->stored.size;
      g_free (item->mime);
      item->mime = g_steal_pointer (&u->mime);
      g_free (item->description);
      item->description = g_steal_pointer (&u->description);
      mark_changed (changed, seen, item);
      break;

    case UPDATE_ENGINES:
      item->n_engines = u->n;
      mark_changed (changed, seen, item);
      break;

    case UPDATE_RESULT:
      g_ptr_array_add (item->results, g_steal_pointer (&u->result));
      petri_item_update_verdict (item);
      propagate_verdict (item, changed, seen);
      mark_changed (changed, seen, item);
      break;

    case UPDATE_FINAL:
      if (petri_item_is_final (item))
        break;
      /* A failure recorded earlier (e.g. by the database) wins. */
      if (u->state == PETRI_ITEM_ERROR || item->error == NULL)
        {
          item->state = u->state;
          if (u->text1 != NULL)
            {
              g_free (item->error);
              item->error = g_steal_pointer (&u->text1);
            }
        }
      else
        item->state = PETRI_ITEM_ERROR;
      petri_item_update_verdict (item);
      if (!item->folder)
        {
          self->outstanding--;
          propagate_final (item, changed, seen);
          propagate_verdict (item, changed, seen);
          in_flight_remove (self, item);
          if (item->holds == 0)
            item_settled (self, item);
        }
      mark_changed (changed, seen, item);
      break;

    case UPDATE_SANDBOX:
      g_free (item->sandbox_status);
      item->sandbox_status = g_steal_pointer (&u->text1);
      g_free (item->sandbox_reason);
      item->sandbox_reason = g_steal_pointer (&u->text2);
      mark_changed (changed, seen, item);
      break;

    case UPDATE_HOLD:
      item->holds++;
      self->holds++;
      break;

    case UPDATE_RELEASE:
      g_assert (item->holds > 0);
      item->holds--;
      self->holds--;
      if (item->holds == 0 && petri_item_is_final (item))
        item_settled (self, item);
      mark_changed (changed, seen, item);
      break;

    case UPDATE_WALK_DONE:
      g_assert (self->walks > 0);
      self->walks--;
      {
        Request *r = g_hash_table_lookup (self->requests, &u->request);
        if (r != NULL)
          {
            r->walked = TRUE;
            request_check_done (self, u->request, r);
          }
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
flush_cb (gpointer data)
{
  PetriPipeline *self = data;
  g_autoptr (GPtrArray) batch = NULL;
  g_autoptr (GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) changed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  gboolean more;

  g_mutex_lock (&self->lock);
  if (self->pending->len <= MAX_UPDATES_PER_FLUSH)
    {
      batch = g_steal_pointer (&self->pending);
      self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) update_free);
    }
  else
    {
      /* Keep each main-loop iteration short: take a slice, come back. */
      batch = g_ptr_array_new_full (MAX_UPDATES_PER_FLUSH, (GDestroyNotify) update_free);
      for (guint i = 0; i < MAX_UPDATES_PER_FLUSH; i++)
        g_ptr_array_add (batch, g_ptr_array_index (self->pending, i));
      g_ptr_array_set_free_func (self->pending, NULL);
      g_ptr_array_remove_range (self->pending, 0, MAX_UPDATES_PER_FLUSH);
      g_ptr_array_set_free_func (self->pending, (GDestroyNotify) update_free);
    }
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < batch->len; i++)
    apply (self, g_ptr_array_index (batch, i), added, changed, seen);

  /* Rows that were added in this batch are not also "changed". */
  if (added->len > 0)
    g_signal_emit (self, signals[ITEMS_ADDED], 0, added);
  if (changed->len > 0)
    {
      g_autoptr (GPtrArray) only_changed = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr (GHashTable) new_rows = g_hash_table_new (NULL, NULL);

      for (guint i = 0; i < added->len; i++)
        g_hash_table_add (new_rows, g_ptr_array_index (added, i));
      for (guint i = 0; i < changed->len; i++)
        {
          PetriItem *item = g_ptr_array_index (changed, i);
          if (!g_hash_table_contains (new_rows, item) || petri_item_is_final (item))
            g_ptr_array_add (only_changed, g_object_ref (item));
        }
      if (only_changed->len > 0)
        g_signal_emit (self, signals[ITEMS_CHANGED], 0, only_changed);
    }

  /* Rescans complete once their last items are out. */
  while (self->finished->len > 0)
    {
      Request *r = g_ptr_array_steal_index (self->finished, 0);
      GCancellable *cancellable = g_task_get_cancellable (r->task);

      if (g_cancellable_is_cancelled (cancellable)
          || g_cancellable_is_cancelled (self->cancellable))
        g_task_return_new_error (r->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 _ ("The re-scan was cancelled."));
      else
        g_task_return_int (r->task, r->items);
      request_free (r);
    }

  g_mutex_lock (&self->lock);
  more = self->pending->len > 0;
  if (!more)
    g_clear_pointer (&self->flush_source, g_source_unref);
  g_mutex_unlock (&self->lock);

  if (!more && self->was_busy && !petri_pipeline_is_busy (self))
    {
      self->was_busy = FALSE;
      g_signal_emit (self, signals[IDLE], 0);
    }
  return more ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* ---------------------------------------------------------------------- */
/* Workers                                                                  */

static void
job_free (Job *job)
{
  g_clear_object (&job->cancellable);
  g_clear_object (&job->item);
  g_free (job->source_path);
  g_free (job->root);
  g_free (job->sha256);
  g_free (job);
}

typedef struct
{
  PetriPipeline *pipeline;
  PetriItem *item;
  char *error; /* the item's failure, reported once what was queued is committed */
} ItemRef;

static void
item_ref_free (ItemRef *r)
{
  g_object_unref (r->pipeline);
  g_object_unref (r->item);
  g_free (r->error);
  g_free (r);
}

static ItemRef *
item_ref_new (PetriPipeline *self, PetriItem *item)
{
  ItemRef *r = g_new0 (ItemRef, 1);

  r->pipeline = g_object_ref (self);
  r->item = g_object_ref (item);
  return r;
}

/* A failed database write fails the item (its results are not all kept). */
static void
write_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  ItemRef *r = data;
  g_autoptr (GError) error = NULL;

  if (!petri_case_store_write_finish (PETRI_CASE_STORE (source), result, &error))
    {
      g_autofree char *msg = g_strdup_printf (_ ("%s: not recorded in the case database: %s"),
                                              r->item->display_path, error->message);
      post_final (r->pipeline, r->item, msg);
    }
  item_ref_free (r);
}

static void
committed_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  ItemRef *r = data;
  g_autoptr (GError) error = NULL;

  if (!petri_case_store_write_finish (PETRI_CASE_STORE (source), result, &error))
    {
      g_autofree char *msg = g_strdup_printf (_ ("%s: not recorded in the case database: %s"),
                                              r->item->display_path, error->message);
      post_final (r->pipeline, r->item, msg);
    }
  else
    post_final (r->pipeline, r->item, r->error);
  item_ref_free (r);
}

/* Final state once everything queued for the item is in the database, so
 * that whatever is reported as done is already recorded. */
static void
finish_after_commit (PetriPipeline *self, PetriItem *item, const char *error)
{
  ItemRef *r = item_ref_new (self, item);

  r->error = g_strdup (error);
  petri_case_store_barrier (self->store, committed_cb, r);
}

static PetriEngineResult *
over_limit_result (PetriEngine *engine, guint64 size, guint64 limit)
{
  PetriEngineResult *r
      = petri_engine_result_new (petri_engine_get_name (engine), petri_engine_get_version (engine),
                                 petri_engine_get_signatures (engine));
  g_autofree char *have = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *max = g_format_size_full (limit, G_FORMAT_SIZE_IEC_UNITS);

  r->kind = PETRI_RESULT_ERROR;
  r->error = g_strdup_printf (_ ("not scanned: the file (%s) is larger than the scan limit (%s)"),
                              have, max);
  return r;
}

static char *
lower_extension (const char *name)
{
  const char *dot = strrchr (name, '.');

  if (dot == NULL || dot == name || dot[1] == '\0')
    return g_strdup ("");
  return g_ascii_strdown (dot + 1, -1);
}

static void
worker_func (gpointer data, gpointer user_data)
{
  PetriPipeline *self = user_data;
  Job *job = data;
  PetriItem *item = job->item;
  g_auto (PetriStoredSample) stored = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriEngineSet) engines = NULL;
  g_autofree char *no_engine_msg = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autofree char *mime = NULL, *description = NULL, *extension = NULL;
  g_autofree guint8 *head = NULL;
  gsize head_len = 0;
  guint8 *map = NULL;
  int fd = -1;
  Update *u;

  if (g_cancellable_is_cancelled (self->cancellable)
      || g_cancellable_is_cancelled (job->cancellable))
    {
      g_autofree char *msg = g_strdup_printf (_ ("%s: cancelled"), item->display_path);
      post_final (self, item, msg);
      goto out;
    }
  post_state (self, item, PETRI_ITEM_SCANNING);

  if (job->source_path != NULL)
    {
      /* Intake: copy into the store while hashing. */
      int in = petri_sample_store_open_input (job->source_path, &error);
      gboolean ok;

      if (in < 0)
        {
          post_final (self, item, error->message);
          goto out;
        }
      ok = petri_sample_store_ingest (petri_context_get_samples_dir (self->context), in,
                                      job->source_path, &stored, &error);
      close (in);
      if (!ok)
        {
          post_final (self, item, error->message);
          goto out;
        }
      in_flight_add (self, item, stored.sha256);
    }
  else
    {
      /* Rescan: the stored copy is the sample. */
      struct stat st;

      stored.sha256 = g_strdup (job->sha256);
      stored.store_path
          = petri_sample_store_path (petri_context_get_samples_dir (self->context), job->sha256);
      if (stat (stored.store_path, &st) != 0)
        {
          g_autofree char *msg = g_strdup_printf (_ ("%s: the stored copy is missing: %s"),
                                                  item->display_path, g_strerror (errno));
          post_final (self, item, msg);
          goto out;
        }
      stored.size = (guint64) st.st_size;
    }

  fd = open (stored.store_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    {
      g_autofree char *msg = g_strdup_printf (_ ("%s: cannot open the stored copy: %s"),
                                              item->display_path, g_strerror (errno));
      post_final (self, item, msg);
      goto out;
    }
  if (stored.size > 0 && stored.size <= self->map_limit)
    {
      map = mmap (NULL, stored.size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (map == MAP_FAILED)
        {
          g_autofree char *msg = g_strdup_printf (_ ("%s: cannot map the stored copy: %s"),
                                                  item->display_path, g_strerror (errno));
          map = NULL;
          post_final (self, item, msg);
          goto out;
        }
      madvise (map, stored.size, MADV_WILLNEED);
    }

  /* Typing looks at the head of the file only. */
  head_len = MIN (stored.size, TYPE_HEAD_BYTES);
  if (map != NULL)
    head = g_memdup2 (map, head_len);
  else
    {
      ssize_t n;
      head = g_malloc (MAX (head_len, 1));
      n = pread (fd, head, head_len, 0);
      head_len = n > 0 ? (gsize) n : 0;
    }
  if (!petri_type_buffer (head, head_len, &mime, &description, &error))
    {
      g_autofree char *msg = g_strdup_printf ("%s: %s", item->display_path, error->message);
      post_final (self, item, msg);
      goto out;
    }

  if (job->source_path != NULL)
    {
      PetriSampleInfo info = {
        .sha256 = stored.sha256,
        .sha1 = stored.sha1,
        .md5 = stored.md5,
        .ssdeep = stored.ssdeep,
        .mime = mime,
        .description = description,
        .size = stored.size,
      };
      petri_case_store_add_sample (self->store, item->case_name, &info, item->path_raw, job->root,
                                   write_done_cb, item_ref_new (self, item));
    }

  u = update_new (UPDATE_HASHED, item);
  u->stored.sha256 = g_strdup (stored.sha256);
  u->stored.sha1 = g_strdup (stored.sha1);
  u->stored.md5 = g_strdup (stored.md5);
  u->stored.ssdeep = g_strdup (stored.ssdeep);
  u->stored.size = stored.size;
  u->mime = g_strdup (mime);
  u->description = g_strdup (description);
  post (self, u);

  /* Scans in flight keep the set they started with, even across a reload. */
  engines = petri_context_wait_engines (self->context);
  u = update_new (UPDATE_ENGINES, item);
  u->n = petri_engine_set_get_n_engines (engines);
  post (self, u);

  if (petri_engine_set_get_n_engines (engines) == 0)
    /* Later stages (the sandbox) still see the file. */
    no_engine_msg = g_strdup_printf (
        _ ("%s: stored, but not scanned: no detection engine is loaded (see `petri sigs list`)"),
        item->display_path);

  extension = lower_extension (item->display_name);
  results = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_engine_result_unref);
  for (guint i = 0; i < petri_engine_set_get_n_engines (engines); i++)
    {
      PetriEngine *engine = petri_engine_set_get_engine (engines, i);
      PetriSampleData sample = {
        .data = map,
        .size = stored.size,
        .fd = fd,
        .store_path = stored.store_path,
        .file_name = item->display_name,
        .file_path = item->display_path,
        .extension = extension,
        .mime = mime,
        .description = description,
        .sha256 = stored.sha256,
      };
      PetriEngineResult *result;

      if (g_cancellable_is_cancelled (self->cancellable)
          || g_cancellable_is_cancelled (job->cancellable))
        break;
      if (stored.size > self->map_limit)
        result = over_limit_result (engine, stored.size, self->map_limit);
      else
        result = petri_engine_scan (engine, &sample, self->cancellable);

      petri_case_store_add_result (self->store, stored.sha256, result, write_done_cb,
                                   item_ref_new (self, item));
      u = update_new (UPDATE_RESULT, item);
      u->result = petri_engine_result_ref (result);
      post (self, u);
      g_ptr_array_add (results, result);
    }

  if (g_cancellable_is_cancelled (self->cancellable)
      || g_cancellable_is_cancelled (job->cancellable))
    {
      g_autofree char *msg = g_strdup_printf (_ ("%s: cancelled"), item->display_path);
      finish_after_commit (self, item, msg);
      goto out;
    }

  if (self->hook != NULL)
    {
      PetriScanOutcome outcome = {
        .case_name = item->case_name,
        .sha256 = stored.sha256,
        .store_path = stored.store_path,
        .display_name = item->display_name,
        .mime = mime,
        .description = description,
        .head = head,
        .head_len = head_len,
        .size = stored.size,
        .results = results,
        /* A resumed intake goes on to the later stages as an intake. */
        .rescan = job->source_path == NULL && !job->resume,
      };
      self->hook (self, item, &outcome, self->hook_data);
    }

  finish_after_commit (self, item, no_engine_msg);

out:
  if (map != NULL)
    munmap (map, stored.size);
  if (fd >= 0)
    close (fd);
  job_free (job);
}

static Job *
job_new (PetriItem *item, const char *source_path, const char *root, const char *sha256,
         guint64 size)
{
  Job *job = g_new0 (Job, 1);

  job->item = g_object_ref (item);
  job->source_path = g_strdup (source_path);
  job->root = g_strdup (root);
  job->sha256 = g_strdup (sha256);
  job->size = size;
  return job;
}

static void
queue_job (PetriPipeline *self, PetriItem *item, const char *source_path, const char *root,
           const char *sha256)
{
  g_thread_pool_push (self->workers, job_new (item, source_path, root, sha256, 0), NULL);
}

/* ---------------------------------------------------------------------- */
/* The walker                                                               */

typedef struct
{
  dev_t dev;
  ino_t ino;
} DirKey;

static guint
dir_key_hash (gconstpointer p)
{
  const DirKey *k = p;
  return (guint) (k->ino ^ (k->ino >> 32) ^ k->dev);
}

static gboolean
dir_key_equal (gconstpointer a, gconstpointer b)
{
  const DirKey *x = a, *y = b;
  return x->dev == y->dev && x->ino == y->ino;
}

typedef struct
{
  PetriPipeline *self;
  const char *case_name;
  GHashTable *ancestors; /* DirKey → display path */
  GPtrArray *jobs;       /* found but not queued yet */
  gint64 last_queued;
  guint64 request;
  GCancellable *cancellable; /* the request's, or NULL */
} Walk;

/* Files are handed to the workers in chunks, largest first within each
 * chunk, so that a big file does not start last and leave the other cores
 * idle at the end; chunks keep the first results coming quickly. */
#define WALK_CHUNK_FILES 1024
#define WALK_CHUNK_USEC (200 * 1000)

static int
compare_jobs_by_size (gconstpointer a, gconstpointer b)
{
  const Job *x = *(const Job *const *) a, *y = *(const Job *const *) b;

  return x->size < y->size ? 1 : x->size > y->size ? -1 : 0;
}

static void
walk_queue_jobs (Walk *w)
{
  g_ptr_array_sort (w->jobs, compare_jobs_by_size);
  for (guint i = 0; i < w->jobs->len; i++)
    g_thread_pool_push (w->self->workers, g_ptr_array_index (w->jobs, i), NULL);
  g_ptr_array_set_size (w->jobs, 0);
  w->last_queued = g_get_monotonic_time ();
}

static void
walk_add_job (Walk *w, Job *job)
{
  g_set_object (&job->cancellable, w->cancellable);
  g_ptr_array_add (w->jobs, job);
  if (w->jobs->len >= WALK_CHUNK_FILES
      || g_get_monotonic_time () - w->last_queued >= WALK_CHUNK_USEC)
    walk_queue_jobs (w);
}

/* An item of this walk: it carries the request that made it. */
static PetriItem *
walk_item_new (Walk *w, PetriItem *parent, gboolean folder, const char *path,
               const char *display_name)
{
  PetriItem *item
      = petri_item_new (new_item_id (), parent, folder, w->case_name, path, display_name);

  item->request = w->request;
  return item;
}

static void
add_error_item (Walk *w, PetriItem *parent, const char *path, const char *message)
{
  g_autoptr (PetriItem) item = walk_item_new (w, parent, FALSE, path, NULL);
  post (w->self, update_new (UPDATE_ADDED, item));
  post_final (w->self, item, message);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void walk_path (Walk *w, PetriItem *parent, const char *path, const char *root);

static void
walk_dir (Walk *w, PetriItem *parent, const char *path, const char *root, const struct stat *st)
{
  g_autoptr (PetriItem) folder = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  DirKey *key;
  DIR *dir;
  struct dirent *entry;
  DirKey lookup = { st->st_dev, st->st_ino };

  if (st->st_dev == w->self->data_dir_dev && st->st_ino == w->self->data_dir_ino)
    {
      g_autofree char *display = petri_display_name (path);
      g_autofree char *msg
          = g_strdup_printf (_ ("%s: skipped: this is Petri’s own data folder"), display);
      add_error_item (w, parent, path, msg);
      return;
    }
  if (g_hash_table_contains (w->ancestors, &lookup))
    {
      g_autofree char *display = petri_display_name (path);
      g_autofree char *msg
          = g_strdup_printf (_ ("%s: symbolic link loop (leads back to “%s”); not followed"),
                             display, (const char *) g_hash_table_lookup (w->ancestors, &lookup));
      add_error_item (w, parent, path, msg);
      return;
    }

  dir = opendir (path);
  if (dir == NULL)
    {
      g_autofree char *display = petri_display_name (path);
      g_autofree char *msg = g_strdup_printf ("%s: %s", display, g_strerror (errno));
      add_error_item (w, parent, path, msg);
      return;
    }

  folder = walk_item_new (w, parent, TRUE, path, NULL);
  post (w->self, update_new (UPDATE_ADDED, folder));

  while ((entry = readdir (dir)) != NULL)
    {
      if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0)
        continue;
      g_ptr_array_add (names, g_strdup (entry->d_name));
    }
  closedir (dir);
  g_ptr_array_sort (names, compare_names);

  key = g_new (DirKey, 1);
  *key = lookup;
  g_hash_table_insert (w->ancestors, key, g_strdup (folder->display_path));
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *child = g_build_filename (path, g_ptr_array_index (names, i), NULL);

      if (g_cancellable_is_cancelled (w->self->cancellable))
        break;
      /* Files record the top folder that was taken in. */
      walk_path (w, folder, child, root != NULL ? root : folder->display_path);
    }
  g_hash_table_remove (w->ancestors, &lookup);
}

static void
walk_path (Walk *w, PetriItem *parent, const char *path, const char *root)
{
  struct stat st;

  if (stat (path, &st) != 0)
    {
      int saved = errno;
      g_autofree char *display = petri_display_name (path);
      g_autofree char *msg = NULL;

      if (saved == ELOOP)
        msg = g_strdup_printf (_ ("%s: symbolic link loop (too many levels of symbolic links)"),
                               display);
      else
        msg = g_strdup_printf ("%s: %s", display, g_strerror (saved));
      add_error_item (w, parent, path, msg);
      return;
    }

  if (S_ISDIR (st.st_mode))
    walk_dir (w, parent, path, root, &st);
  else if (S_ISREG (st.st_mode))
    {
      g_autoptr (PetriItem) item = walk_item_new (w, parent, FALSE, path, NULL);
      post (w->self, update_new (UPDATE_ADDED, item));
      walk_add_job (w, job_new (item, path, root, NULL, (guint64) st.st_size));
    }
  else
    {
      /* FIFOs, sockets and devices are never opened (a FIFO would block). */
      g_autoptr (GError) error = NULL;
      int fd = petri_sample_store_open_input (path, &error);

      g_assert (fd < 0);
      add_error_item (w, parent, path, error->message);
    }
}

static JsonNode *
rescan_list_query (sqlite3 *db, const char *case_name, gpointer data, GCancellable *cancellable,
                   GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  gboolean unscanned = (GPOINTER_TO_UINT (data) & PETRI_RESCAN_UNSCANNED) != 0;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  sql = g_strdup_printf (
      case_name != NULL
          ? "SELECT s.sha256, (SELECT g.path FROM sightings g WHERE g.sample_id = s.id "
            "AND g.case_id = c.id ORDER BY g.id LIMIT 1) FROM cases c "
            "JOIN case_samples cs ON cs.case_id = c.id JOIN samples s ON s.id = cs.sample_id "
            "WHERE c.name = ?1 %s ORDER BY cs.added, s.id"
          : "SELECT s.sha256, (SELECT g.path FROM sightings g WHERE g.sample_id = s.id "
            "ORDER BY g.id LIMIT 1) FROM samples s WHERE 1 %s ORDER BY s.id",
      unscanned ? "AND NOT EXISTS (SELECT 1 FROM engine_results r WHERE r.sample_id = s.id)" : "");
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      petri_store_set_sqlite_error (db, rc, N_ ("listing samples"), error);
      return NULL;
    }
  if (case_name != NULL)
    sqlite3_bind_text (stmt, 1, case_name, -1, SQLITE_TRANSIENT);
  json_builder_begin_array (b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *path = (const char *) sqlite3_column_text (stmt, 1);
      json_builder_begin_array (b);
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 0));
      json_builder_add_string_value (b, path != NULL ? path : "");
      json_builder_end_array (b);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      petri_store_set_sqlite_error (db, rc, N_ ("listing samples"), error);
      return NULL;
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

static void
rescan_walk (Walk *w, const char *case_name, PetriRescanFlags flags)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) list
      = petri_case_store_read (w->self->store, rescan_list_query, case_name,
                               GUINT_TO_POINTER (flags), w->self->cancellable, &error);
  JsonArray *a;

  if (list == NULL)
    {
      add_error_item (w, NULL, case_name != NULL ? case_name : _ ("(all samples)"), error->message);
      return;
    }
  a = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonArray *row = json_array_get_array_element (a, i);
      const char *sha256 = json_array_get_string_element (row, 0);
      const char *display = json_array_get_string_element (row, 1);
      g_autofree char *raw = petri_display_name_unescape (*display ? display : sha256, NULL);
      g_autofree char *stored
          = petri_sample_store_path (petri_context_get_samples_dir (w->self->context), sha256);
      g_autoptr (PetriItem) item = NULL;
      Job *job;

      struct stat st;

      if (g_cancellable_is_cancelled (w->cancellable))
        break;
      /* Samples known only from an imported report have no bytes to scan. */
      if (stat (stored, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      /* A sample this pipeline is scanning now gets its results anyway. */
      if ((flags & PETRI_RESCAN_UNSCANNED) && in_flight_contains (w->self, sha256))
        continue;
      item = walk_item_new (w, NULL, FALSE, raw, NULL);
      in_flight_add (w->self, item, sha256);
      post (w->self, update_new (UPDATE_ADDED, item));
      job = job_new (item, NULL, NULL, sha256, (guint64) st.st_size);
      job->resume = (flags & PETRI_RESCAN_UNSCANNED) != 0;
      walk_add_job (w, job);
    }
}

static void
walk_request_free (WalkRequest *req)
{
  g_clear_object (&req->cancellable);
  g_free (req->case_name);
  g_strfreev (req->paths);
  g_free (req);
}

static void
walker_func (gpointer data, gpointer user_data)
{
  PetriPipeline *self = user_data;
  WalkRequest *req = data;
  g_autoptr (GHashTable) ancestors
      = g_hash_table_new_full (dir_key_hash, dir_key_equal, g_free, g_free);
  g_autoptr (GPtrArray) jobs = g_ptr_array_new ();
  Walk w = { self,    req->case_name,  ancestors, jobs, g_get_monotonic_time (),
             req->id, req->cancellable };
  Update *u;

  if (req->rescan)
    rescan_walk (&w, req->paths != NULL ? req->paths[0] : NULL, req->flags);
  else
    for (guint i = 0; req->paths[i] != NULL; i++)
      {
        if (g_cancellable_is_cancelled (self->cancellable))
          break;
        walk_path (&w, NULL, req->paths[i], NULL);
      }
  walk_queue_jobs (&w);

  u = update_new (UPDATE_WALK_DONE, NULL);
  u->request = req->id;
  post (self, u);
  walk_request_free (req);
}

/* ---------------------------------------------------------------------- */
/* Object                                                                   */

static void
petri_pipeline_dispose (GObject *object)
{
  PetriPipeline *self = PETRI_PIPELINE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->walker != NULL)
    g_thread_pool_free (g_steal_pointer (&self->walker), FALSE, TRUE);
  if (self->workers != NULL)
    g_thread_pool_free (g_steal_pointer (&self->workers), FALSE, TRUE);
  if (self->hook_destroy != NULL)
    self->hook_destroy (self->hook_data);
  self->hook = NULL;
  self->hook_destroy = NULL;
  /* Rescans still waited for end here. */
  if (self->requests != NULL)
    {
      GHashTableIter iter;
      Request *r;

      g_hash_table_iter_init (&iter, self->requests);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &r))
        g_task_return_new_error (r->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 _ ("The re-scan was cancelled."));
      g_hash_table_remove_all (self->requests);
    }

  G_OBJECT_CLASS (petri_pipeline_parent_class)->dispose (object);
}

static void
petri_pipeline_finalize (GObject *object)
{
  PetriPipeline *self = PETRI_PIPELINE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->requests, g_hash_table_unref);
  g_clear_pointer (&self->finished, g_ptr_array_unref);
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_clear_pointer (&self->in_flight_items, g_hash_table_unref);
  if (self->flush_source != NULL)
    {
      g_source_destroy (self->flush_source);
      g_source_unref (self->flush_source);
    }
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (petri_pipeline_parent_class)->finalize (object);
}

static void
petri_pipeline_class_init (PetriPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = petri_pipeline_dispose;
  object_class->finalize = petri_pipeline_finalize;

  signals[ITEMS_ADDED] = g_signal_new ("items-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
  signals[ITEMS_CHANGED]
      = g_signal_new ("items-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
  signals[IDLE] = g_signal_new ("idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                NULL, G_TYPE_NONE, 0);
}

static void
petri_pipeline_init (PetriPipeline *self)
{
  g_mutex_init (&self->lock);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) update_free);
  self->cancellable = g_cancellable_new ();
  self->requests
      = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) request_free);
  self->finished = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->in_flight_items = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}

PetriPipeline *
petri_pipeline_new (PetriContext *context)
{
  PetriPipeline *self;
  const PetriSettings *settings;

  g_return_val_if_fail (PETRI_IS_CONTEXT (context), NULL);

  self = g_object_new (PETRI_TYPE_PIPELINE, NULL);
  self->context = g_object_ref (context);
  self->store = petri_context_get_store (context);
  self->main_context = g_main_context_ref_thread_default ();
  settings = petri_context_get_settings (context);
  self->map_limit
      = settings->limits.max_scan_size > 0 ? settings->limits.max_scan_size : DEFAULT_MAP_LIMIT;
  self->workers = g_thread_pool_new (worker_func, self, settings->workers, TRUE, NULL);
  self->walker = g_thread_pool_new (walker_func, self, 1, TRUE, NULL);
  {
    struct stat st;
    if (stat (petri_context_get_data_dir (context), &st) == 0)
      {
        self->data_dir_dev = st.st_dev;
        self->data_dir_ino = st.st_ino;
      }
  }
  petri_context_load_engines (context);
  return self;
}

PetriContext *
petri_pipeline_get_context (PetriPipeline *self)
{
  g_return_val_if_fail (PETRI_IS_PIPELINE (self), NULL);
  return self->context;
}

static void
push_walk (PetriPipeline *self, WalkRequest *req)
{
  self->walks++;
  self->was_busy = TRUE;
  g_thread_pool_push (self->walker, req, NULL);
}

void
petri_pipeline_add_paths (PetriPipeline *self, const char *case_name, const char *const *paths)
{
  WalkRequest *req;

  g_return_if_fail (PETRI_IS_PIPELINE (self));
  g_return_if_fail (case_name != NULL && paths != NULL);

  req = g_new0 (WalkRequest, 1);
  req->case_name = g_strdup (case_name);
  req->paths = g_strdupv ((char **) paths);
  push_walk (self, req);
}

static WalkRequest *
rescan_request_new (const char *case_name, PetriRescanFlags flags)
{
  WalkRequest *req = g_new0 (WalkRequest, 1);

  req->rescan = TRUE;
  req->flags = flags;
  req->id = __atomic_fetch_add (&next_request_id, 1, __ATOMIC_RELAXED);
  /* Rescanned items show under the case they were asked for. */
  req->case_name = g_strdup (case_name != NULL ? case_name : "");
  if (case_name != NULL)
    {
      req->paths = g_new0 (char *, 2);
      req->paths[0] = g_strdup (case_name);
    }
  return req;
}

void
petri_pipeline_rescan (PetriPipeline *self, const char *case_name)
{
  g_return_if_fail (PETRI_IS_PIPELINE (self));

  push_walk (self, rescan_request_new (case_name, PETRI_RESCAN_ALL));
}

guint64
petri_pipeline_rescan_async (PetriPipeline *self, const char *case_name, PetriRescanFlags flags,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  WalkRequest *req;
  Request *r;

  g_return_val_if_fail (PETRI_IS_PIPELINE (self), 0);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), 0);

  req = rescan_request_new (case_name, flags);
  req->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  r = g_new0 (Request, 1);
  /* No source object: a pending task must not keep the pipeline alive. */
  r->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (r->task, petri_pipeline_rescan_async);
  r->id = req->id;
  g_hash_table_insert (self->requests, &r->id, r);
  push_walk (self, req);
  return r->id;
}

gboolean
petri_pipeline_rescan_finish (PetriPipeline *self, GAsyncResult *result, guint *n_samples,
                              GError **error)
{
  gssize n;

  g_return_val_if_fail (PETRI_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == petri_pipeline_rescan_async,
                        FALSE);

  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  if (n_samples != NULL)
    *n_samples = (guint) n;
  return TRUE;
}

gboolean
petri_pipeline_is_busy (PetriPipeline *self)
{
  gboolean pending;

  g_return_val_if_fail (PETRI_IS_PIPELINE (self), FALSE);

  g_mutex_lock (&self->lock);
  pending = self->pending->len > 0;
  g_mutex_unlock (&self->lock);
  return pending || self->walks > 0 || self->outstanding > 0 || self->holds > 0;
}

void
petri_pipeline_cancel (PetriPipeline *self)
{
  g_return_if_fail (PETRI_IS_PIPELINE (self));
  g_cancellable_cancel (self->cancellable);
}

/* ---------------------------------------------------------------------- */
/* Hooks for later stages                                                   */

void
petri_pipeline_set_post_scan_hook (PetriPipeline *self, PetriPostScanHook hook, gpointer user_data,
                                   GDestroyNotify destroy)
{
  g_return_if_fail (PETRI_IS_PIPELINE (self));

  if (self->hook_destroy != NULL)
    self->hook_destroy (self->hook_data);
  self->hook = hook;
  self->hook_data = user_data;
  self->hook_destroy = destroy;
}

GCancellable *
petri_pipeline_get_cancellable (PetriPipeline *self)
{
  g_return_val_if_fail (PETRI_IS_PIPELINE (self), NULL);
  return self->cancellable;
}

void
petri_pipeline_hold (PetriPipeline *self, PetriItem *item)
{
  g_return_if_fail (PETRI_IS_PIPELINE (self));
  post (self, update_new (UPDATE_HOLD, item));
}

void
petri_pipeline_release (PetriPipeline *self, PetriItem *item)
{
  g_return_if_fail (PETRI_IS_PIPELINE (self));
  post (self, update_new (UPDATE_RELEASE, item));
}

void
petri_pipeline_set_sandbox_status (PetriPipeline *self, PetriItem *item, const char *status,
                                   const char *reason)
{
  Update *u;

  g_return_if_fail (PETRI_IS_PIPELINE (self));

  u = update_new (UPDATE_SANDBOX, item);
  u->text1 = g_strdup (status);
  u->text2 = g_strdup (reason);
  post (self, u);
}

void
petri_pipeline_add_child_file (PetriPipeline *self, PetriItem *parent, const char *path,
                               const char *display_name)
{
  g_autoptr (PetriItem) item = NULL;

  g_return_if_fail (PETRI_IS_PIPELINE (self));
  g_return_if_fail (PETRI_IS_ITEM (parent) && path != NULL);

  /* The name it had where it was made; the bytes come from @path. It shows
   * below the file that made it. */
  item = petri_item_new (new_item_id (), parent, FALSE, parent->case_name,
                         display_name != NULL ? display_name : path, NULL);
  post (self, update_new (UPDATE_ADDED, item));
  queue_job (self, item, path, NULL, NULL);
}
