/* petri-window.c: the workbench window
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A front end on the pipeline: dropped files go to petri_pipeline_add_paths();
 * the items it reports are queued here and applied to the sample tree a few
 * milliseconds at a time, so that the main loop never stalls however large
 * the batch.
 */
#include "config.h"

#include "petri-window.h"

#include <glib/gi18n.h>

#include "petri-case-history.h"
#include "petri-detail-models.h"
#include "petri-detail-view.h"
#include "petri-sample-list.h"
#include "petri-sandbox-dialog.h"
#include "petri-signatures-dialog.h"
#include "petri-ui-util.h"

/* How long one main-loop iteration may spend applying items (µs). */
#define FLUSH_BUDGET_US 6000

struct _PetriWindow
{
  GtkApplicationWindow parent_instance;

  /* Template children */
  GtkHeaderBar *header_bar;
  GtkLabel *subtitle_label;
  GtkMenuButton *case_button;
  GtkLabel *case_label;
  GtkListBox *case_list;
  GtkPopover *case_popover;
  GtkToggleButton *search_button;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkInfoBar *info_bar;
  GtkLabel *info_label;
  GtkStack *stack;
  GtkLabel *failed_label;
  GtkLabel *loading_label;
  GtkPaned *paned;
  GtkTreeView *sample_view;
  PetriDetailView *detail_view;
  GtkLabel *status_label;
  GtkLabel *engines_label;
  GtkSpinner *busy_spinner;

  PetriContext *context;
  PetriPipeline *pipeline;
  char *case_name;
  char *select_sha256; /* select this sample once it is listed */

  PetriSampleList *list;
  GtkTreeModel *sort;        /* arrival order (or a column) over the store */
  GtkTreeModel *filter;      /* only while searching: the filter ... */
  GtkTreeModel *filter_sort; /* ... and a sort model over it */
  char *needle;
  /* The order chosen while the models are detached (see detach_models). */
  int sort_column;
  GtkSortType sort_order;

  GQueue pending;          /* PetriItem, owned */
  GHashTable *pending_set; /* PetriItem, not owned */
  guint flush_id;
  GPtrArray *queued_paths; /* char *, until a case is open */

  GCancellable *case_cancellable;
  GCancellable *cancellable; /* the window's life */
  struct _Loading *loading;  /* rows from the database still to apply */
  guint loading_id;
  guint status_id;
  gulong added_id, changed_id, idle_id, engines_changed_id;
};

G_DEFINE_FINAL_TYPE (PetriWindow, petri_window, GTK_TYPE_APPLICATION_WINDOW)

static void set_case (PetriWindow *self, const char *case_name);
static void schedule_status (PetriWindow *self);
static void engines_changed_cb (PetriContext *context, PetriWindow *self);

/* ---------------------------------------------------------------------- */
/* Messages                                                                 */

static void
show_message (PetriWindow *self, GtkMessageType type, const char *text)
{
  gtk_info_bar_set_message_type (self->info_bar, type);
  gtk_label_set_text (self->info_label, text);
  gtk_widget_show (GTK_WIDGET (self->info_bar));
}

static void
info_bar_response_cb (GtkInfoBar *bar, int response, PetriWindow *self)
{
  gtk_widget_hide (GTK_WIDGET (bar));
}

/* ---------------------------------------------------------------------- */
/* Items → rows                                                             */

static char *
stored_key (const char *sha256, const char *path)
{
  return g_strdup_printf ("sample:%s\n%s", sha256, path != NULL ? path : "");
}

static void
apply_item (PetriWindow *self, PetriItem *item)
{
  PetriSampleRow row;
  g_autofree char *key = NULL;
  g_autofree char *parent_key = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  GtkTreeIter iter;

  petri_sample_row_from_item (&row, item, &key, &parent_key, names);

  /* The same file taken in again (same content, same path) is one row: the
   * new item's updates go to the row that is already there. */
  if (!row.is_folder && row.sha256 != NULL)
    {
      g_autofree char *skey = stored_key (row.sha256, row.path);
      GtkTreeIter existing;

      if (petri_sample_list_lookup (self->list, skey, &existing))
        {
          g_autofree char *existing_key = NULL;

          gtk_tree_model_get (GTK_TREE_MODEL (petri_sample_list_get_store (self->list)), &existing,
                              PETRI_SAMPLE_COL_KEY, &existing_key, -1);
          if (g_strcmp0 (existing_key, key) != 0)
            {
              if (petri_sample_list_lookup (self->list, key, &iter))
                {
                  g_autofree char *own_key = NULL;
                  gtk_tree_model_get (GTK_TREE_MODEL (petri_sample_list_get_store (self->list)),
                                      &iter, PETRI_SAMPLE_COL_KEY, &own_key, -1);
                  if (g_strcmp0 (own_key, key) == 0)
                    petri_sample_list_remove (self->list, key);
                }
              petri_sample_list_alias (self->list, key, existing_key);
            }
          row.key = key;
          row.parent_key = NULL;
          petri_sample_list_apply (self->list, &row);
          return;
        }
      if (!petri_sample_list_apply (self->list, &row))
        {
          row.parent_key = NULL;
          petri_sample_list_apply (self->list, &row);
        }
      petri_sample_list_alias (self->list, skey, key);
      return;
    }

  if (!petri_sample_list_apply (self->list, &row))
    {
      /* The folder row is gone (another case was opened meanwhile): show
       * the file at the top level rather than lose it. */
      row.parent_key = NULL;
      petri_sample_list_apply (self->list, &row);
    }
}

static void
select_pending_sample (PetriWindow *self)
{
  GtkTreeIter iter;
  gboolean found = FALSE;
  GtkTreeModel *model = gtk_tree_view_get_model (self->sample_view);

  if (self->select_sha256 == NULL || model == NULL || !gtk_tree_model_get_iter_first (model, &iter))
    return;
  do
    {
      g_autofree char *sha = NULL;
      gtk_tree_model_get (model, &iter, PETRI_SAMPLE_COL_SHA256, &sha, -1);
      found = g_strcmp0 (sha, self->select_sha256) == 0;
    }
  while (!found && gtk_tree_model_iter_next (model, &iter));
  if (found)
    {
      g_autoptr (GtkTreePath) path = gtk_tree_model_get_path (model, &iter);
      gtk_tree_selection_select_iter (gtk_tree_view_get_selection (self->sample_view), &iter);
      gtk_tree_view_scroll_to_cell (self->sample_view, path, NULL, FALSE, 0, 0);
      g_clear_pointer (&self->select_sha256, g_free);
    }
}

static gboolean loading_case (PetriWindow *self);

static void
update_page (PetriWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  /* A case filling from the database shows once it is all there. */
  if (loading_case (self))
    {
      gtk_stack_set_visible_child_name (self->stack, "loading");
      return;
    }
  if (g_strcmp0 (page, "loading") == 0 || g_strcmp0 (page, "failed") == 0)
    if (self->case_name == NULL)
      return;
  gtk_stack_set_visible_child_name (
      self->stack, petri_sample_list_get_n_rows (self->list) > 0 ? "samples" : "empty");
}

static gboolean
flush_cb (gpointer user_data)
{
  PetriWindow *self = user_data;
  gint64 deadline = g_get_monotonic_time () + FLUSH_BUDGET_US;
  gboolean was_empty = petri_sample_list_get_n_rows (self->list) == 0;

  while (!g_queue_is_empty (&self->pending))
    {
      g_autoptr (PetriItem) item = g_queue_pop_head (&self->pending);

      g_hash_table_remove (self->pending_set, item);
      if (g_strcmp0 (petri_item_get_case (item), self->case_name) == 0)
        {
          apply_item (self, item);
          petri_detail_view_item_changed (self->detail_view, item);
        }
      if (g_get_monotonic_time () >= deadline)
        break;
    }
  if (was_empty)
    {
      GtkTreeIter first;
      GtkTreeModel *model = gtk_tree_view_get_model (self->sample_view);

      update_page (self);
      /* Something is shown in the details from the first file on. */
      if (model != NULL && gtk_tree_model_get_iter_first (model, &first)
          && !gtk_tree_selection_get_selected (gtk_tree_view_get_selection (self->sample_view),
                                               NULL, NULL))
        gtk_tree_selection_select_iter (gtk_tree_view_get_selection (self->sample_view), &first);
    }
  schedule_status (self);
  if (!g_queue_is_empty (&self->pending))
    return G_SOURCE_CONTINUE;
  self->flush_id = 0;
  return G_SOURCE_REMOVE;
}

static void
enqueue_items (PetriWindow *self, GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    {
      PetriItem *item = g_ptr_array_index (items, i);

      if (g_hash_table_contains (self->pending_set, item))
        continue;
      g_hash_table_add (self->pending_set, item);
      g_queue_push_tail (&self->pending, g_object_ref (item));
    }
  if (self->flush_id == 0 && !g_queue_is_empty (&self->pending))
    self->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, flush_cb, self, NULL);
}

static void
items_added_cb (PetriPipeline *pipeline, GPtrArray *items, PetriWindow *self)
{
  gtk_widget_show (GTK_WIDGET (self->busy_spinner));
  gtk_spinner_start (self->busy_spinner);
  enqueue_items (self, items);
}

static void
items_changed_cb (PetriPipeline *pipeline, GPtrArray *items, PetriWindow *self)
{
  enqueue_items (self, items);
}

static void
pipeline_idle_cb (PetriPipeline *pipeline, PetriWindow *self)
{
  gtk_spinner_stop (self->busy_spinner);
  gtk_widget_hide (GTK_WIDGET (self->busy_spinner));
  schedule_status (self);
}

/* ---------------------------------------------------------------------- */
/* Rows from the database                                                   */

static PetriItemState
state_from_verdict (PetriVerdict verdict)
{
  switch (verdict)
    {
    case PETRI_VERDICT_ERROR:
      return PETRI_ITEM_ERROR;
    case PETRI_VERDICT_PENDING:
      return PETRI_ITEM_QUEUED;
    default:
      return PETRI_ITEM_DONE;
    }
}

/* TRUE when the row of @key shows an item the pipeline is still working on. */
static gboolean
row_is_live (PetriWindow *self, const char *key)
{
  GtkTreeIter iter;
  g_autoptr (PetriItem) item = NULL;

  if (!petri_sample_list_lookup (self->list, key, &iter))
    return FALSE;
  gtk_tree_model_get (GTK_TREE_MODEL (petri_sample_list_get_store (self->list)), &iter,
                      PETRI_SAMPLE_COL_ITEM, &item, -1);
  return item != NULL && !petri_item_is_settled (item);
}

/* A sample as the case database has it. With @refresh, rows an item in
 * flight shows are left to the item. Returns TRUE when the sample has no
 * engine result yet. */
static gboolean
apply_stored_sample (PetriWindow *self, JsonObject *s, gboolean refresh)
{
  const char *sha256 = petri_json_string (s, "sha256");
  PetriVerdict verdict = petri_verdict_from_string (petri_json_string (s, "verdict"));
  JsonArray *names = petri_json_array (s, "names");
  JsonArray *paths = petri_json_array (s, "paths");
  JsonArray *names_array = petri_json_array (s, "detection_names");
  JsonObject *sandbox = petri_json_object (s, "sandbox");
  g_autoptr (GPtrArray) detections = g_ptr_array_new ();
  guint n_sightings = names != NULL ? json_array_get_length (names) : 0;
  const char *new_since = petri_json_string (s, "new_detection_since");
  g_autofree char *new_since_text = NULL;

  if (sha256 == NULL)
    return FALSE;
  if (new_since != NULL)
    new_since_text = petri_json_time_text (s, "new_detection_since");
  for (guint i = 0; names_array != NULL && i < json_array_get_length (names_array); i++)
    {
      const char *n = json_array_get_string_element (names_array, i);
      if (n != NULL)
        g_ptr_array_add (detections, (gpointer) n);
    }
  g_ptr_array_add (detections, NULL);

  /* One row per path the sample was taken in under in this case. */
  for (guint i = 0; i < MAX (n_sightings, 1); i++)
    {
      const char *name = n_sightings > 0 ? json_array_get_string_element (names, i) : NULL;
      const char *path = paths != NULL && i < json_array_get_length (paths)
                             ? json_array_get_string_element (paths, i)
                             : NULL;
      g_autofree char *key = stored_key (sha256, path);
      PetriSampleRow row = {
        .key = key,
        .name = name != NULL ? name : sha256,
        .path = path,
        .mime = petri_json_string (s, "mime"),
        .description = petri_json_string (s, "type"),
        .size = petri_json_int (s, "size", 0),
        .sha256 = sha256,
        .sha1 = petri_json_string (s, "sha1"),
        .md5 = petri_json_string (s, "md5"),
        .state = state_from_verdict (verdict),
        .verdict = verdict,
        .n_detections = petri_json_int (s, "detections", 0),
        .n_engines = petri_json_int (s, "engines", 0),
        .detection_names = (const char *const *) detections->pdata,
        .sandbox_status = petri_json_string (sandbox, "status"),
        .new_since = new_since_text != NULL ? new_since_text : "",
      };
      if (refresh && row_is_live (self, key))
        continue;
      petri_sample_list_apply (self->list, &row);
    }
  return verdict == PETRI_VERDICT_PENDING && petri_json_int (s, "engines", 0) == 0;
}

static void reload_rows (PetriWindow *self);

/* ---------------------------------------------------------------------- */
/* Files an earlier session left unscanned                                  */

typedef struct
{
  GWeakRef window;
  PetriPipeline *pipeline;
  char *case_name;
} Resume;

static void
resume_free (Resume *r)
{
  g_weak_ref_clear (&r->window);
  g_object_unref (r->pipeline);
  g_free (r->case_name);
  g_free (r);
}

static void
resumed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Resume *r = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriWindow) self = NULL;
  guint n = 0;

  if (!petri_pipeline_rescan_finish (r->pipeline, result, &n, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      resume_free (r);
      return;
    }
  self = g_weak_ref_get (&r->window);
  if (self != NULL && error != NULL)
    {
      /* Translators: %s says why the files left unscanned could not be scanned now */
      g_autofree char *text
          = g_strdup_printf (_ ("Could not finish the files left unscanned: %s"), error->message);
      show_message (self, GTK_MESSAGE_ERROR, text);
    }
  g_debug ("%u samples of “%s” left unscanned are scanned now", n, r->case_name);
  /* Every sighting's row, not only the one each item showed. */
  if (self != NULL && g_strcmp0 (self->case_name, r->case_name) == 0)
    reload_rows (self);
  resume_free (r);
}

/* Samples of the case stored but never scanned (Petri closed while they
 * were queued) are scanned now. */
static void
resume_unscanned (PetriWindow *self)
{
  Resume *r = g_new0 (Resume, 1);

  g_weak_ref_init (&r->window, self);
  r->pipeline = g_object_ref (self->pipeline);
  r->case_name = g_strdup (self->case_name);
  petri_pipeline_rescan_async (self->pipeline, self->case_name, PETRI_RESCAN_UNSCANNED,
                               self->cancellable, resumed_cb, r);
}

/* A case's rows from the database go into the tree a few milliseconds at a
 * time too: a case of 10,000 samples must not stall the main loop. */
typedef struct _Loading
{
  JsonNode *node;
  guint index;
  gboolean refresh; /* a re-read after a re-scan, not the case opening */
  guint unscanned;
} Loading;

static void
loading_free (Loading *l)
{
  json_node_unref (l->node);
  g_free (l);
}

static void
stop_loading (PetriWindow *self)
{
  g_clear_handle_id (&self->loading_id, g_source_remove);
  g_clear_pointer (&self->loading, loading_free);
}

static gboolean
loading_case (PetriWindow *self)
{
  return self->loading != NULL && !self->loading->refresh;
}

static void detach_models (PetriWindow *self);
static void attach_models (PetriWindow *self);

static gboolean
load_rows_cb (gpointer user_data)
{
  PetriWindow *self = user_data;
  Loading *l = self->loading;
  gint64 deadline = g_get_monotonic_time () + FLUSH_BUDGET_US;
  JsonArray *samples = JSON_NODE_HOLDS_OBJECT (l->node)
                           ? petri_json_array (json_node_get_object (l->node), "samples")
                           : NULL;
  guint n = samples != NULL ? json_array_get_length (samples) : 0;

  while (l->index < n && g_get_monotonic_time () < deadline)
    {
      JsonNode *s = json_array_get_element (samples, l->index++);

      if (JSON_NODE_HOLDS_OBJECT (s)
          && apply_stored_sample (self, json_node_get_object (s), l->refresh))
        l->unscanned++;
    }
  if (l->index < n)
    {
      update_page (self);
      return G_SOURCE_CONTINUE;
    }

  self->loading_id = 0;
  self->loading = NULL;
  if (!l->refresh)
    attach_models (self);
  update_page (self);
  schedule_status (self);
  if (l->refresh)
    petri_detail_view_reload (self->detail_view);
  else
    {
      GtkTreeIter first;
      GtkTreeModel *model = gtk_tree_view_get_model (self->sample_view);

      if (gtk_tree_model_get_iter_first (model, &first)
          && !gtk_tree_selection_get_selected (gtk_tree_view_get_selection (self->sample_view),
                                               NULL, NULL))
        gtk_tree_selection_select_iter (gtk_tree_view_get_selection (self->sample_view), &first);
      select_pending_sample (self);
      if (l->unscanned > 0)
        resume_unscanned (self);
    }
  loading_free (l);
  return G_SOURCE_REMOVE;
}

static void
load_rows (PetriWindow *self, JsonNode *node, gboolean refresh)
{
  stop_loading (self);
  /* Filling a case: the view and its sort model look away meanwhile. */
  if (!refresh)
    detach_models (self);
  self->loading = g_new0 (Loading, 1);
  self->loading->node = json_node_ref (node);
  self->loading->refresh = refresh;
  self->loading_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, load_rows_cb, self, NULL);
}

static void
case_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PetriWindow *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = petri_case_store_query_finish (PETRI_CASE_STORE (source), result, &error);

  if (node == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = PETRI_WINDOW (user_data);
  if (node == NULL)
    {
      /* A case that does not exist yet is created by the first drop. */
      if (!g_error_matches (error, PETRI_APP_ERROR, PETRI_APP_ERROR_NOT_FOUND))
        show_message (self, GTK_MESSAGE_ERROR, error->message);
      attach_models (self);
      update_page (self);
      return;
    }
  load_rows (self, node, FALSE);
}

static void
rows_reloaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PetriWindow *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = petri_case_store_query_finish (PETRI_CASE_STORE (source), result, &error);

  if (node == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = PETRI_WINDOW (user_data);
  if (node == NULL)
    {
      g_debug ("could not read the case again: %s", error->message);
      return;
    }
  /* The case opening is still filling the tree: it reads the same rows. */
  if (self->loading != NULL && !self->loading->refresh)
    return;
  load_rows (self, node, TRUE);
}

/* Reads the case's rows again (after a re-scan: verdicts, "new" badges). */
static void
reload_rows (PetriWindow *self)
{
  if (self->context == NULL || self->case_name == NULL)
    return;
  petri_case_store_query_async (petri_context_get_store (self->context), PETRI_QUERY_CASE,
                                self->case_name, self->case_cancellable, rows_reloaded_cb, self);
}

/* ---------------------------------------------------------------------- */
/* Cases                                                                    */

static void
update_title (PetriWindow *self)
{
  g_autofree char *title = NULL;

  if (self->case_name == NULL)
    {
      gtk_window_set_title (GTK_WINDOW (self), "Petri");
      gtk_widget_hide (GTK_WIDGET (self->subtitle_label));
      return;
    }
  /* Translators: the window title; %s is the case name */
  title = g_strdup_printf (_ ("Petri — %s"), self->case_name);
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_label_set_text (self->subtitle_label, self->case_name);
  gtk_widget_show (GTK_WIDGET (self->subtitle_label));
  gtk_label_set_text (self->case_label, self->case_name);
}

static void
set_case (PetriWindow *self, const char *case_name)
{
  PetriApplication *app = PETRI_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  GSettings *settings = app != NULL ? petri_application_get_settings (app) : NULL;

  g_return_if_fail (self->context != NULL);

  g_cancellable_cancel (self->case_cancellable);
  g_clear_object (&self->case_cancellable);
  self->case_cancellable = g_cancellable_new ();

  g_free (self->case_name);
  self->case_name = g_strdup (case_name);
  if (settings != NULL)
    g_settings_set_string (settings, "last-case", case_name);
  update_title (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->case_button), TRUE);

  petri_detail_view_show (self->detail_view, NULL, NULL, NULL, NULL);
  stop_loading (self);
  /* Nothing watches the store while it empties (see detach_models). */
  detach_models (self);
  petri_sample_list_reset (self->list);
  attach_models (self);
  gtk_stack_set_visible_child_name (self->stack, "empty");

  petri_case_store_query_async (petri_context_get_store (self->context), PETRI_QUERY_CASE,
                                case_name, self->case_cancellable, case_loaded_cb, self);

  /* Items of this case still in flight come back through the pipeline's
   * signals; files dropped before the database was open go in now. */
  if (self->queued_paths != NULL && self->queued_paths->len > 0)
    {
      g_ptr_array_add (self->queued_paths, NULL);
      petri_pipeline_add_paths (self->pipeline, self->case_name,
                                (const char *const *) self->queued_paths->pdata);
      g_ptr_array_set_size (self->queued_paths, 0);
    }
}

const char *
petri_window_get_case (PetriWindow *self)
{
  g_return_val_if_fail (PETRI_IS_WINDOW (self), NULL);
  return self->case_name;
}

GtkTreeView *
petri_window_get_sample_view (PetriWindow *self)
{
  g_return_val_if_fail (PETRI_IS_WINDOW (self), NULL);
  return self->sample_view;
}

gboolean
petri_window_is_applying (PetriWindow *self)
{
  g_return_val_if_fail (PETRI_IS_WINDOW (self), FALSE);
  return !g_queue_is_empty (&self->pending) || self->loading != NULL;
}

void
petri_window_open_case (PetriWindow *self, const char *case_name, const char *sha256)
{
  g_return_if_fail (PETRI_IS_WINDOW (self));
  g_return_if_fail (case_name != NULL);

  g_free (self->select_sha256);
  self->select_sha256 = g_strdup (sha256);
  if (g_strcmp0 (case_name, self->case_name) == 0)
    select_pending_sample (self);
  else
    set_case (self, case_name);
}

static char *
new_case_name (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  /* Case names are data, kept as typed: the default is not translated. */
  return g_date_time_format (now, "Case %Y-%m-%d");
}

static void
initial_cases_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PetriWindow *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = petri_case_store_query_finish (PETRI_CASE_STORE (source), result, &error);
  PetriApplication *app;
  GSettings *settings;
  g_autofree char *last = NULL;
  const char *chosen = NULL;
  JsonArray *cases;

  if (node == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = PETRI_WINDOW (user_data);
  app = PETRI_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  settings = app != NULL ? petri_application_get_settings (app) : NULL;
  if (node == NULL)
    show_message (self, GTK_MESSAGE_ERROR, error->message);

  last = settings != NULL ? g_settings_get_string (settings, "last-case") : NULL;
  cases = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  /* The last case shown, else the newest (the list comes newest first). */
  for (guint i = 0; cases != NULL && i < json_array_get_length (cases); i++)
    {
      const char *name = petri_json_string (json_array_get_object_element (cases, i), "name");

      if (name == NULL)
        continue;
      if (chosen == NULL)
        chosen = name;
      if (last != NULL && g_str_equal (name, last))
        {
          chosen = name;
          break;
        }
    }
  /* The command line's default case, so that `petri scan` and the window
   * meet in the same place (case names are data: not translated). */
  if (chosen == NULL)
    chosen = "Default";
  set_case (self, chosen);
}

/* Loads once, before the first drop, what showing the first row would
 * otherwise load in the middle of intake: the verdict icons (SVG), the
 * MIME database and the monospace font. */
static gboolean
warm_up_cb (gpointer user_data)
{
  PetriWindow *self = user_data;
  GtkIconTheme *theme = gtk_icon_theme_get_for_screen (gtk_widget_get_screen (GTK_WIDGET (self)));
  static const PetriVerdict verdicts[]
      = { PETRI_VERDICT_PENDING, PETRI_VERDICT_CLEAN, PETRI_VERDICT_SUSPICIOUS,
          PETRI_VERDICT_MALICIOUS, PETRI_VERDICT_ERROR };
  g_autofree char *icon = g_content_type_get_generic_icon_name ("text/plain");
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), "0123abcd");
  g_autoptr (PangoFontDescription) mono = pango_font_description_from_string ("monospace");
  int width, height;

  for (guint i = 0; i < G_N_ELEMENTS (verdicts); i++)
    {
      g_autoptr (GdkPixbuf) pixbuf
          = gtk_icon_theme_load_icon (theme, petri_verdict_icon_name (verdicts[i]), 16, 0, NULL);
    }
  pango_layout_set_font_description (layout, mono);
  pango_layout_get_pixel_size (layout, &width, &height);
  return G_SOURCE_REMOVE;
}

static void
context_ready (PetriWindow *self, PetriApplication *app)
{
  PetriContext *context = petri_application_get_context (app);
  const GError *error = petri_application_get_error (app);

  if (context == NULL)
    {
      if (error != NULL)
        {
          gtk_label_set_text (self->failed_label, error->message);
          gtk_stack_set_visible_child_name (self->stack, "failed");
        }
      return;
    }
  if (self->context != NULL)
    return;

  self->context = g_object_ref (context);
  self->pipeline = g_object_ref (petri_application_get_pipeline (app));
  petri_detail_view_set_context (self->detail_view, context);
  if (petri_application_get_sandbox_error (app) != NULL)
    {
      /* Translators: %s says why the configured sandbox cannot be used */
      g_autofree char *text = g_strdup_printf (_ ("Not using the sandbox: %s"),
                                               petri_application_get_sandbox_error (app)->message);
      show_message (self, GTK_MESSAGE_WARNING, text);
    }
  self->added_id
      = g_signal_connect (self->pipeline, "items-added", G_CALLBACK (items_added_cb), self);
  self->changed_id
      = g_signal_connect (self->pipeline, "items-changed", G_CALLBACK (items_changed_cb), self);
  self->idle_id = g_signal_connect (self->pipeline, "idle", G_CALLBACK (pipeline_idle_cb), self);
  self->engines_changed_id
      = g_signal_connect (context, "engines-changed", G_CALLBACK (engines_changed_cb), self);
  gtk_label_set_text (self->loading_label, _ ("Opening the case…"));
  g_idle_add_full (G_PRIORITY_LOW, warm_up_cb, g_object_ref (self), g_object_unref);
  petri_case_store_query_async (petri_context_get_store (context), PETRI_QUERY_CASES, NULL,
                                self->case_cancellable, initial_cases_cb, self);
  schedule_status (self);
}

static void
context_notify_cb (PetriApplication *app, GParamSpec *pspec, PetriWindow *self)
{
  context_ready (self, app);
}

/* The case switcher lists the cases each time it opens. */
static void
fill_case_list_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (PetriWindow) self = user_data;
  g_autoptr (JsonNode) node
      = petri_case_store_query_finish (PETRI_CASE_STORE (source), result, NULL);
  g_autoptr (GList) children = gtk_container_get_children (GTK_CONTAINER (self->case_list));
  JsonArray *cases;

  for (GList *l = children; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
  cases = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  for (guint i = 0; cases != NULL && i < json_array_get_length (cases) && i < 50; i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *name = petri_json_string (c, "name");
      gint64 n = petri_json_int (c, "samples", 0);
      GtkWidget *row, *box, *label, *count;
      g_autofree char *count_text = NULL;

      if (name == NULL)
        continue;
      row = gtk_list_box_row_new ();
      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      g_object_set (box, "margin", 6, NULL);
      label = gtk_label_new (name);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (label, TRUE);
      if (g_strcmp0 (name, self->case_name) == 0)
        gtk_style_context_add_class (gtk_widget_get_style_context (label), "petri-current");
      /* Translators: the number of samples in a case, in the case switcher */
      count_text = g_strdup_printf (ngettext ("%u sample", "%u samples", (gulong) n), (guint) n);
      count = gtk_label_new (count_text);
      gtk_style_context_add_class (gtk_widget_get_style_context (count), "dim-label");
      gtk_container_add (GTK_CONTAINER (box), label);
      gtk_container_add (GTK_CONTAINER (box), count);
      gtk_container_add (GTK_CONTAINER (row), box);
      g_object_set_data_full (G_OBJECT (row), "case-name", g_strdup (name), g_free);
      gtk_widget_show_all (row);
      gtk_container_add (GTK_CONTAINER (self->case_list), row);
    }
}

static void
case_button_toggled_cb (GtkToggleButton *button, PetriWindow *self)
{
  if (!gtk_toggle_button_get_active (button) || self->context == NULL)
    return;
  petri_case_store_query_async (petri_context_get_store (self->context), PETRI_QUERY_CASES, NULL,
                                NULL, fill_case_list_cb, g_object_ref (self));
}

static void
case_row_activated_cb (GtkListBox *box, GtkListBoxRow *row, PetriWindow *self)
{
  const char *name = g_object_get_data (G_OBJECT (row), "case-name");

  gtk_popover_popdown (self->case_popover);
  if (name != NULL && g_strcmp0 (name, self->case_name) != 0)
    set_case (self, name);
}

static void
case_created_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (PetriWindow) self = PETRI_WINDOW (g_object_get_data (G_OBJECT (user_data), "window"));
  g_autofree char *name = g_strdup (g_object_get_data (G_OBJECT (user_data), "name"));
  g_autoptr (GError) error = NULL;

  g_object_unref (user_data);
  if (!petri_case_store_write_finish (PETRI_CASE_STORE (source), result, &error))
    {
      show_message (self, GTK_MESSAGE_ERROR, error->message);
      return;
    }
  set_case (self, name);
}

static void
new_case_named (const char *name, gpointer user_data)
{
  PetriWindow *self = user_data;
  GObject *data;

  if (name == NULL || self->context == NULL)
    return;
  data = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_data_full (data, "window", g_object_ref (self), NULL);
  g_object_set_data_full (data, "name", g_strdup (name), g_free);
  petri_case_store_create_case (petri_context_get_store (self->context), name, case_created_cb,
                                data);
}

/* ---------------------------------------------------------------------- */
/* Status                                                                   */

static gboolean
count_cb (GtkTreeModel *model, GtkTreePath *path, GtkTreeIter *iter, gpointer data)
{
  guint *counts = data;
  int verdict, state;
  gboolean folder;

  gtk_tree_model_get (model, iter, PETRI_SAMPLE_COL_VERDICT, &verdict, PETRI_SAMPLE_COL_STATE,
                      &state, PETRI_SAMPLE_COL_IS_FOLDER, &folder, -1);
  if (folder)
    return FALSE;
  counts[0]++;
  if (verdict == petri_verdict_severity (PETRI_VERDICT_MALICIOUS))
    counts[1]++;
  else if (verdict == petri_verdict_severity (PETRI_VERDICT_SUSPICIOUS))
    counts[2]++;
  else if (verdict == petri_verdict_severity (PETRI_VERDICT_ERROR))
    counts[3]++;
  if (state == PETRI_ITEM_QUEUED || state == PETRI_ITEM_SCANNING)
    counts[4]++;
  return FALSE;
}

static void
update_engines_label (PetriWindow *self)
{
  g_autoptr (PetriEngineSet) engines
      = self->context != NULL ? petri_context_get_engines (self->context) : NULL;
  GString *s;

  if (self->context == NULL)
    return;
  if (engines == NULL)
    {
      gtk_label_set_text (self->engines_label, _ ("Loading signatures…"));
      return;
    }
  s = g_string_new (NULL);
  for (guint i = 0; i < petri_engine_set_get_n_engines (engines); i++)
    {
      PetriEngine *e = petri_engine_set_get_engine (engines, i);
      guint n = petri_engine_get_signature_count (e);
      if (s->len > 0)
        g_string_append (s, " · ");
      /* Translators: engine name, version and signature count: "ClamAV 1.4.6: 11412 signatures" */
      g_string_append_printf (s, ngettext ("%s %s: %u signature", "%s %s: %u signatures", n),
                              petri_engine_display_name (petri_engine_get_name (e)),
                              petri_engine_get_version (e), n);
    }
  gtk_label_set_text (self->engines_label, s->str);
  g_string_free (s, TRUE);
}

static gboolean
status_cb (gpointer user_data)
{
  PetriWindow *self = user_data;
  guint counts[5] = { 0 };
  GString *s = g_string_new (NULL);

  self->status_id = 0;
  gtk_tree_model_foreach (GTK_TREE_MODEL (petri_sample_list_get_store (self->list)), count_cb,
                          counts);
  if (counts[0] > 0)
    {
      g_string_append_printf (s, ngettext ("%u sample", "%u samples", counts[0]), counts[0]);
      if (counts[1] > 0)
        {
          g_string_append (s, " · ");
          g_string_append_printf (s, ngettext ("%u malicious", "%u malicious", counts[1]),
                                  counts[1]);
        }
      if (counts[2] > 0)
        {
          g_string_append (s, " · ");
          g_string_append_printf (s, ngettext ("%u suspicious", "%u suspicious", counts[2]),
                                  counts[2]);
        }
      if (counts[3] > 0)
        {
          g_string_append (s, " · ");
          g_string_append_printf (s, ngettext ("%u error", "%u errors", counts[3]), counts[3]);
        }
      if (counts[4] > 0)
        {
          g_string_append (s, " · ");
          g_string_append_printf (s, ngettext ("%u waiting", "%u waiting", counts[4]), counts[4]);
        }
    }
  gtk_label_set_text (self->status_label, s->str);
  g_string_free (s, TRUE);
  update_engines_label (self);
  if (self->filter != NULL)
    gtk_tree_model_filter_refilter (GTK_TREE_MODEL_FILTER (self->filter));
  return G_SOURCE_REMOVE;
}

static void
schedule_status (PetriWindow *self)
{
  if (self->status_id == 0)
    self->status_id = g_timeout_add (400, status_cb, self);
}

static void
engines_changed_cb (PetriContext *context, PetriWindow *self)
{
  g_autoptr (GPtrArray) warnings = petri_context_get_engine_warnings (context);

  update_engines_label (self);
  if (warnings != NULL && warnings->len > 0)
    {
      g_autofree char *text = g_strdup_printf (
          ngettext ("%u problem while loading the signatures: %s",
                    "%u problems while loading the signatures; the first: %s", warnings->len),
          warnings->len, (const char *) g_ptr_array_index (warnings, 0));
      show_message (self, GTK_MESSAGE_WARNING, text);
    }
}

/* ---------------------------------------------------------------------- */
/* Taking files in                                                          */

void
petri_window_add_paths (PetriWindow *self, const char *const *paths)
{
  g_return_if_fail (PETRI_IS_WINDOW (self));

  if (paths == NULL || paths[0] == NULL)
    return;
  if (self->pipeline == NULL || self->case_name == NULL)
    {
      for (guint i = 0; paths[i] != NULL; i++)
        g_ptr_array_add (self->queued_paths, g_strdup (paths[i]));
      return;
    }
  petri_pipeline_add_paths (self->pipeline, self->case_name, paths);
}

static void
drag_data_received_cb (GtkWidget *widget, GdkDragContext *context, int x, int y,
                       GtkSelectionData *data, guint info, guint time, PetriWindow *self)
{
  g_auto (GStrv) uris = gtk_selection_data_get_uris (data);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) rejected = g_string_new (NULL);

  for (guint i = 0; uris != NULL && uris[i] != NULL; i++)
    {
      char *path = g_filename_from_uri (uris[i], NULL, NULL);
      if (path != NULL)
        g_ptr_array_add (paths, path);
      else
        g_string_append_printf (rejected, "%s%s", rejected->len > 0 ? ", " : "", uris[i]);
    }
  if (rejected->len > 0)
    {
      /* Translators: %s lists the dropped addresses that are not local files */
      g_autofree char *text
          = g_strdup_printf (_ ("Only local files can be analysed; ignored: %s"), rejected->str);
      show_message (self, GTK_MESSAGE_WARNING, text);
    }
  g_ptr_array_add (paths, NULL);
  petri_window_add_paths (self, (const char *const *) paths->pdata);
  /* Never ask the source to delete anything, whatever action it offered:
   * Petri takes a copy. */
  gtk_drag_finish (context, paths->len > 1, FALSE, time);
}

static gboolean
drag_motion_cb (GtkWidget *widget, GdkDragContext *context, int x, int y, guint time,
                PetriWindow *self)
{
  GdkDragAction offered = gdk_drag_context_get_actions (context);
  GdkDragAction action = 0;

  if (gtk_drag_dest_find_target (widget, context, NULL) != GDK_NONE)
    {
      /* Prefer a copy; a move or a link is taken as one too. */
      if (offered & GDK_ACTION_COPY)
        action = GDK_ACTION_COPY;
      else if (offered & GDK_ACTION_LINK)
        action = GDK_ACTION_LINK;
      else if (offered & GDK_ACTION_MOVE)
        action = GDK_ACTION_MOVE;
    }
  gdk_drag_status (context, action, time);
  if (action != 0)
    gtk_drag_highlight (widget);
  return action != 0;
}

static void
drag_leave_cb (GtkWidget *widget, GdkDragContext *context, guint time, PetriWindow *self)
{
  gtk_drag_unhighlight (widget);
}

static void
file_chooser_response_cb (GtkNativeDialog *dialog, int response, PetriWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      GSList *files = gtk_file_chooser_get_filenames (GTK_FILE_CHOOSER (dialog));
      g_autoptr (GPtrArray) paths = g_ptr_array_new ();

      for (GSList *l = files; l != NULL; l = l->next)
        g_ptr_array_add (paths, l->data);
      g_ptr_array_add (paths, NULL);
      petri_window_add_paths (self, (const char *const *) paths->pdata);
      g_slist_free_full (files, g_free);
    }
  g_object_unref (dialog);
}

static void
choose_files (PetriWindow *self, gboolean folders)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
      folders ? _ ("Add Folders") : _ ("Add Files"), GTK_WINDOW (self),
      folders ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Add"),
      _ ("_Cancel"));

  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_file_chooser_set_local_only (GTK_FILE_CHOOSER (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (file_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---------------------------------------------------------------------- */
/* Actions                                                                  */

static void
add_files_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  choose_files (PETRI_WINDOW (user_data), FALSE);
}

static void
add_folder_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  choose_files (PETRI_WINDOW (user_data), TRUE);
}

static void
search_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PetriWindow *self = user_data;

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
new_case_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PetriWindow *self = user_data;
  g_autofree char *suggestion = new_case_name ();

  petri_ask_name (GTK_WINDOW (self), _ ("New Case"), _ ("Case _name"), suggestion, _ ("C_reate"),
                  new_case_named, g_object_ref (self), g_object_unref);
}

static void
switch_case_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PetriWindow *self = user_data;

  if (gtk_widget_get_sensitive (GTK_WIDGET (self->case_button)))
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->case_button), TRUE);
}

static void
history_open_cb (PetriCaseHistory *history, const char *case_name, const char *sha256,
                 PetriWindow *self)
{
  petri_window_open_case (self, case_name, sha256);
}

static void
history_renamed_cb (PetriCaseHistory *history, const char *old_name, const char *new_name,
                    PetriWindow *self)
{
  if (g_strcmp0 (old_name, self->case_name) == 0)
    {
      g_free (self->case_name);
      self->case_name = g_strdup (new_name);
      update_title (self);
    }
}

static void
history_deleted_cb (PetriCaseHistory *history, const char *name, PetriWindow *self)
{
  if (g_strcmp0 (name, self->case_name) == 0)
    {
      g_autofree char *fresh = new_case_name ();
      set_case (self, fresh);
    }
}

static void
case_history_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PetriWindow *self = user_data;
  GtkWidget *history;

  if (self->context == NULL)
    return;
  gtk_popover_popdown (self->case_popover);
  history = petri_case_history_new (GTK_WINDOW (self), self->context, self->case_name);
  g_signal_connect_object (history, "open-case", G_CALLBACK (history_open_cb), self, 0);
  g_signal_connect_object (history, "case-renamed", G_CALLBACK (history_renamed_cb), self, 0);
  g_signal_connect_object (history, "case-deleted", G_CALLBACK (history_deleted_cb), self, 0);
  gtk_window_present (GTK_WINDOW (history));
}

static void
rescan_finished_cb (PetriSignaturesDialog *dialog, PetriWindow *self)
{
  reload_rows (self);
}

static void
open_sample_cb (PetriSignaturesDialog *dialog, const char *case_name, const char *sha256,
                PetriWindow *self)
{
  petri_window_open_case (self, case_name, sha256);
}

static void
signatures_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PetriWindow *self = user_data;
  PetriSignaturesDialog *dialog;

  if (self->context == NULL)
    return;
  dialog = petri_signatures_dialog_new (GTK_WINDOW (self), self->context, self->pipeline,
                                        self->case_name);
  g_signal_connect_object (dialog, "rescan-finished", G_CALLBACK (rescan_finished_cb), self, 0);
  g_signal_connect_object (dialog, "open-sample", G_CALLBACK (open_sample_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sandbox_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PetriWindow *self = user_data;
  PetriApplication *app = PETRI_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  if (self->context == NULL || app == NULL)
    return;
  gtk_window_present (GTK_WINDOW (petri_sandbox_dialog_new (GTK_WINDOW (self), app)));
}

static void
copy_sha256_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PetriWindow *self = user_data;
  const char *sha256 = petri_detail_view_get_sha256 (self->detail_view);

  if (sha256 != NULL)
    gtk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self), GDK_SELECTION_CLIPBOARD),
                            sha256, -1);
}

static void
show_tab_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PetriWindow *self = user_data;

  petri_detail_view_set_page (self->detail_view, g_variant_get_int32 (param));
}

static void
close_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
}

static const GActionEntry win_actions[] = {
  { "add-files", add_files_activated, NULL, NULL, NULL, { 0 } },
  { "add-folder", add_folder_activated, NULL, NULL, NULL, { 0 } },
  { "search", search_activated, NULL, NULL, NULL, { 0 } },
  { "new-case", new_case_activated, NULL, NULL, NULL, { 0 } },
  { "switch-case", switch_case_activated, NULL, NULL, NULL, { 0 } },
  { "case-history", case_history_activated, NULL, NULL, NULL, { 0 } },
  { "signatures", signatures_activated, NULL, NULL, NULL, { 0 } },
  { "sandbox", sandbox_activated, NULL, NULL, NULL, { 0 } },
  { "copy-sha256", copy_sha256_activated, NULL, NULL, NULL, { 0 } },
  { "show-tab", show_tab_activated, "i", NULL, NULL, { 0 } },
  { "close", close_activated, NULL, NULL, NULL, { 0 } },
};

/* ---------------------------------------------------------------------- */
/* The tree                                                                 */

static gboolean visible_func (GtkTreeModel *model, GtkTreeIter *iter, gpointer user_data);

static GtkTreeModel *
new_sort_model (GtkTreeModel *child, GtkTreeModel *like)
{
  GtkTreeModel *sort = gtk_tree_model_sort_new_with_model (child);
  int column = GTK_TREE_SORTABLE_DEFAULT_SORT_COLUMN_ID;
  GtkSortType order = GTK_SORT_ASCENDING;

  gtk_tree_sortable_set_default_sort_func (GTK_TREE_SORTABLE (sort),
                                           petri_sample_list_compare_arrival, NULL, NULL);
  if (like != NULL)
    gtk_tree_sortable_get_sort_column_id (GTK_TREE_SORTABLE (like), &column, &order);
  gtk_tree_sortable_set_sort_column_id (GTK_TREE_SORTABLE (sort), column, order);
  return sort;
}

/* Shows @model, keeping the selected sample selected. */
static void
set_view_model (PetriWindow *self, GtkTreeModel *model)
{
  GtkTreeSelection *selection = gtk_tree_view_get_selection (self->sample_view);
  GtkTreeModel *old;
  GtkTreeIter iter;
  g_autofree char *key = NULL;

  if (gtk_tree_selection_get_selected (selection, &old, &iter))
    gtk_tree_model_get (old, &iter, PETRI_SAMPLE_COL_KEY, &key, -1);
  g_signal_handlers_block_matched (selection, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_tree_view_set_model (self->sample_view, model);
  g_signal_handlers_unblock_matched (selection, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  if (key != NULL && gtk_tree_model_get_iter_first (model, &iter))
    {
      /* The row is found in the store, then mapped up through the models. */
      GtkTreeIter store_iter;
      if (petri_sample_list_lookup (self->list, key, &store_iter))
        {
          g_autoptr (GtkTreePath) store_path = gtk_tree_model_get_path (
              GTK_TREE_MODEL (petri_sample_list_get_store (self->list)), &store_iter);
          g_autoptr (GtkTreePath) path = NULL;

          if (model == self->sort)
            path = gtk_tree_model_sort_convert_child_path_to_path (GTK_TREE_MODEL_SORT (model),
                                                                   store_path);
          else
            {
              g_autoptr (GtkTreePath) filter_path
                  = gtk_tree_model_filter_convert_child_path_to_path (
                      GTK_TREE_MODEL_FILTER (self->filter), store_path);
              if (filter_path != NULL)
                path = gtk_tree_model_sort_convert_child_path_to_path (GTK_TREE_MODEL_SORT (model),
                                                                       filter_path);
            }
          if (path != NULL)
            {
              gtk_tree_view_expand_to_path (self->sample_view, path);
              gtk_tree_selection_select_path (selection, path);
              gtk_tree_view_scroll_to_cell (self->sample_view, path, NULL, FALSE, 0, 0);
            }
        }
    }
}

/* A GtkTreeModelSort shifts the offsets of every row after the one
 * inserted or deleted: filling or emptying a store of 10,000 rows under it
 * costs seconds. While a case is cleared or filled from the database, the
 * view and its sort (and search) models let go of the store; the order
 * chosen and the search stay. */
static void apply_search (PetriWindow *self, const char *text);

static void
detach_models (PetriWindow *self)
{
  GtkTreeModel *shown = self->filter_sort != NULL ? self->filter_sort : self->sort;

  if (self->sort == NULL)
    return;
  gtk_tree_sortable_get_sort_column_id (GTK_TREE_SORTABLE (shown), &self->sort_column,
                                        &self->sort_order);
  g_signal_handlers_block_matched (gtk_tree_view_get_selection (self->sample_view),
                                   G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_tree_view_set_model (self->sample_view, NULL);
  g_signal_handlers_unblock_matched (gtk_tree_view_get_selection (self->sample_view),
                                     G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  g_clear_object (&self->filter_sort);
  g_clear_object (&self->filter);
  g_clear_object (&self->sort);
}

static void
attach_models (PetriWindow *self)
{
  const char *text = gtk_entry_get_text (GTK_ENTRY (self->search_entry));

  if (self->sort != NULL)
    return;
  self->sort = new_sort_model (GTK_TREE_MODEL (petri_sample_list_get_store (self->list)), NULL);
  gtk_tree_sortable_set_sort_column_id (GTK_TREE_SORTABLE (self->sort), self->sort_column,
                                        self->sort_order);
  gtk_tree_view_set_model (self->sample_view, self->sort);
  if (gtk_search_bar_get_search_mode (self->search_bar) && *text != '\0')
    apply_search (self, text);
}

static void
apply_search (PetriWindow *self, const char *text)
{
  g_free (self->needle);
  self->needle = g_utf8_casefold (text, -1);
  if (self->sort == NULL)
    return; /* attach_models() applies it */
  if (*text == '\0')
    {
      /* No filter in the way while nothing is searched: rows come in faster. */
      if (self->filter != NULL)
        {
          int column = GTK_TREE_SORTABLE_DEFAULT_SORT_COLUMN_ID;
          GtkSortType order = GTK_SORT_ASCENDING;

          /* The order chosen while searching stays. */
          gtk_tree_sortable_get_sort_column_id (GTK_TREE_SORTABLE (self->filter_sort), &column,
                                                &order);
          gtk_tree_sortable_set_sort_column_id (GTK_TREE_SORTABLE (self->sort), column, order);
          set_view_model (self, self->sort);
          g_clear_object (&self->filter_sort);
          g_clear_object (&self->filter);
        }
      return;
    }
  if (self->filter == NULL)
    {
      self->filter = gtk_tree_model_filter_new (
          GTK_TREE_MODEL (petri_sample_list_get_store (self->list)), NULL);
      gtk_tree_model_filter_set_visible_func (GTK_TREE_MODEL_FILTER (self->filter), visible_func,
                                              self, NULL);
      self->filter_sort = new_sort_model (self->filter, self->sort);
      set_view_model (self, self->filter_sort);
    }
  else
    gtk_tree_model_filter_refilter (GTK_TREE_MODEL_FILTER (self->filter));
  gtk_tree_view_expand_all (self->sample_view);
}

static void
search_changed_cb (GtkSearchEntry *entry, PetriWindow *self)
{
  apply_search (self, gtk_entry_get_text (GTK_ENTRY (entry)));
}

/* Closing the search bar (Escape) shows every row again. */
static void
search_mode_cb (GtkSearchBar *bar, GParamSpec *pspec, PetriWindow *self)
{
  if (!gtk_search_bar_get_search_mode (bar))
    apply_search (self, "");
}

static gboolean
visible_func (GtkTreeModel *model, GtkTreeIter *iter, gpointer user_data)
{
  PetriWindow *self = user_data;

  return petri_sample_list_row_matches (model, iter, self->needle);
}

static void
selection_changed_cb (GtkTreeSelection *selection, PetriWindow *self)
{
  GtkTreeModel *model;
  GtkTreeIter iter;
  g_autoptr (PetriItem) item = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *name = NULL;
  gboolean folder = FALSE;

  if (!gtk_tree_selection_get_selected (selection, &model, &iter))
    {
      petri_detail_view_show (self->detail_view, NULL, NULL, NULL, NULL);
      return;
    }
  gtk_tree_model_get (model, &iter, PETRI_SAMPLE_COL_ITEM, &item, PETRI_SAMPLE_COL_SHA256, &sha256,
                      PETRI_SAMPLE_COL_NAME, &name, PETRI_SAMPLE_COL_IS_FOLDER, &folder, -1);
  if (folder)
    petri_detail_view_show (self->detail_view, NULL, NULL, NULL, name);
  else
    petri_detail_view_show (self->detail_view, self->case_name, item, sha256, name);
}

static GtkTreeViewColumn *
add_text_column (PetriWindow *self, const char *title, int text_col, int sort_col, int width,
                 gboolean mono, float xalign)
{
  GtkCellRenderer *cell = gtk_cell_renderer_text_new ();
  GtkTreeViewColumn *column = gtk_tree_view_column_new ();

  gtk_tree_view_column_set_title (column, title);
  gtk_tree_view_column_pack_start (column, cell, TRUE);
  gtk_tree_view_column_add_attribute (column, cell, "text", text_col);
  g_object_set (cell, "ellipsize", PANGO_ELLIPSIZE_END, "xalign", xalign, NULL);
  if (mono)
    g_object_set (cell, "family", "monospace", NULL);
  gtk_tree_view_column_set_sizing (column, GTK_TREE_VIEW_COLUMN_FIXED);
  gtk_tree_view_column_set_fixed_width (column, width);
  gtk_tree_view_column_set_resizable (column, TRUE);
  gtk_tree_view_column_set_sort_column_id (column, sort_col);
  gtk_tree_view_append_column (self->sample_view, column);
  return column;
}

/* The verdict word, bold from Suspicious up, and the "new" badge when a
 * re-scan found a detection that earlier scans had not. One renderer: the
 * view does not measure rows (fixed height mode), so a second one would get
 * no width. */
static void
verdict_cell_func (GtkTreeViewColumn *column, GtkCellRenderer *cell, GtkTreeModel *model,
                   GtkTreeIter *iter, gpointer data)
{
  const char *badge = data;
  int verdict;
  g_autofree char *text = NULL;
  g_autofree char *since = NULL;
  g_autofree char *markup = NULL;

  gtk_tree_model_get (model, iter, PETRI_SAMPLE_COL_VERDICT, &verdict,
                      PETRI_SAMPLE_COL_VERDICT_TEXT, &text, PETRI_SAMPLE_COL_NEW_SINCE, &since, -1);
  markup = g_markup_printf_escaped (
      verdict >= petri_verdict_severity (PETRI_VERDICT_SUSPICIOUS) ? "<b>%s</b>" : "%s",
      text != NULL ? text : "");
  if (since != NULL)
    {
      char *with_badge = g_strconcat (markup, " ", badge, NULL);
      g_free (markup);
      markup = with_badge;
    }
  g_object_set (cell, "markup", markup, NULL);
}

static void
setup_tree (PetriWindow *self)
{
  GtkTreeViewColumn *column;
  GtkCellRenderer *cell;
  GtkTreeSelection *selection;

  self->list = petri_sample_list_new ();
  /* The view shows the store in order of arrival; a filter comes in
   * between only while a search is active (apply_search). */
  self->sort_column = GTK_TREE_SORTABLE_DEFAULT_SORT_COLUMN_ID;
  self->sort_order = GTK_SORT_ASCENDING;
  self->sort = new_sort_model (GTK_TREE_MODEL (petri_sample_list_get_store (self->list)), NULL);
  gtk_tree_view_set_model (self->sample_view, self->sort);

  /* Name: file-kind icon and name. */
  column = gtk_tree_view_column_new ();
  gtk_tree_view_column_set_title (column, _ ("Name"));
  cell = gtk_cell_renderer_pixbuf_new ();
  gtk_tree_view_column_pack_start (column, cell, FALSE);
  gtk_tree_view_column_add_attribute (column, cell, "icon-name", PETRI_SAMPLE_COL_ICON);
  cell = gtk_cell_renderer_text_new ();
  g_object_set (cell, "ellipsize", PANGO_ELLIPSIZE_MIDDLE, NULL);
  gtk_tree_view_column_pack_start (column, cell, TRUE);
  gtk_tree_view_column_add_attribute (column, cell, "text", PETRI_SAMPLE_COL_NAME);
  gtk_tree_view_column_set_sizing (column, GTK_TREE_VIEW_COLUMN_FIXED);
  gtk_tree_view_column_set_fixed_width (column, 280);
  gtk_tree_view_column_set_expand (column, TRUE);
  gtk_tree_view_column_set_resizable (column, TRUE);
  gtk_tree_view_column_set_sort_column_id (column, PETRI_SAMPLE_COL_NAME);
  gtk_tree_view_append_column (self->sample_view, column);
  gtk_tree_view_set_expander_column (self->sample_view, column);

  add_text_column (self, _ ("Type"), PETRI_SAMPLE_COL_TYPE, PETRI_SAMPLE_COL_TYPE, 170, FALSE, 0);
  add_text_column (self, _ ("Size"), PETRI_SAMPLE_COL_SIZE_TEXT, PETRI_SAMPLE_COL_SIZE, 80, FALSE,
                   1);
  add_text_column (self, _ ("SHA-256"), PETRI_SAMPLE_COL_SHA256_SHORT, PETRI_SAMPLE_COL_SHA256, 160,
                   TRUE, 0);
  add_text_column (self, _ ("Status"), PETRI_SAMPLE_COL_STATE_TEXT, PETRI_SAMPLE_COL_STATE, 90,
                   FALSE, 0);

  /* Verdict: icon and word. */
  column = gtk_tree_view_column_new ();
  gtk_tree_view_column_set_title (column, _ ("Verdict"));
  cell = gtk_cell_renderer_pixbuf_new ();
  gtk_tree_view_column_pack_start (column, cell, FALSE);
  gtk_tree_view_column_add_attribute (column, cell, "icon-name", PETRI_SAMPLE_COL_VERDICT_ICON);
  cell = gtk_cell_renderer_text_new ();
  gtk_tree_view_column_pack_start (column, cell, TRUE);
  gtk_tree_view_column_set_cell_data_func (column, cell, verdict_cell_func,
                                           petri_new_detection_badge (), g_free);
  gtk_tree_view_column_set_sizing (column, GTK_TREE_VIEW_COLUMN_FIXED);
  gtk_tree_view_column_set_fixed_width (column, 170);
  gtk_tree_view_column_set_resizable (column, TRUE);
  gtk_tree_view_column_set_sort_column_id (column, PETRI_SAMPLE_COL_VERDICT);
  gtk_tree_view_append_column (self->sample_view, column);

  add_text_column (self, _ ("Detections"), PETRI_SAMPLE_COL_DETECTIONS_TEXT,
                   PETRI_SAMPLE_COL_DETECTIONS, 120, FALSE, 0);
  add_text_column (self, _ ("Sandbox"), PETRI_SAMPLE_COL_SANDBOX_TEXT,
                   PETRI_SAMPLE_COL_SANDBOX_TEXT, 110, FALSE, 0);

  /* Every row has the same height: the view need not measure 10,000 of them. */
  gtk_tree_view_set_fixed_height_mode (self->sample_view, TRUE);

  selection = gtk_tree_view_get_selection (self->sample_view);
  gtk_tree_selection_set_mode (selection, GTK_SELECTION_BROWSE);
  g_signal_connect (selection, "changed", G_CALLBACK (selection_changed_cb), self);
}

/* ---------------------------------------------------------------------- */
/* GtkWidget                                                                */

static gboolean
key_press_cb (GtkWidget *widget, GdkEvent *event, PetriWindow *self)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (self));

  /* Typing starts a search, except where text is being typed. */
  if (focus != NULL && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT_VIEW (focus)))
    return GDK_EVENT_PROPAGATE;
  return gtk_search_bar_handle_event (self->search_bar, event);
}

static void
save_state (PetriWindow *self)
{
  PetriApplication *app = PETRI_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  GSettings *settings = app != NULL ? petri_application_get_settings (app) : NULL;
  int width, height;

  if (settings == NULL)
    return;
  gtk_window_get_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)))
    {
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
    }
  g_settings_set_int (settings, "pane-position", gtk_paned_get_position (self->paned));
}

static gboolean
petri_window_delete_event (GtkWidget *widget, GdkEventAny *event)
{
  GtkWidgetClass *parent_class = GTK_WIDGET_CLASS (petri_window_parent_class);

  save_state (PETRI_WINDOW (widget));
  /* GtkWindow has no handler of its own: the default destroys the window. */
  if (parent_class->delete_event != NULL)
    return parent_class->delete_event (widget, event);
  return GDK_EVENT_PROPAGATE;
}

/* Once the window belongs to @app ("application" is set after constructed()). */
static void
attach_to_application (PetriWindow *self, PetriApplication *app)
{
  GSettings *settings = petri_application_get_settings (app);

  if (settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      if (g_settings_get_int (settings, "pane-position") > 0)
        gtk_paned_set_position (self->paned, g_settings_get_int (settings, "pane-position"));
    }

  g_signal_connect_object (app, "notify::context", G_CALLBACK (context_notify_cb), self, 0);
  if (!petri_application_is_loading (app))
    context_ready (self, app);
}

static void
petri_window_dispose (GObject *object)
{
  PetriWindow *self = PETRI_WINDOW (object);

  g_cancellable_cancel (self->case_cancellable);
  g_clear_object (&self->case_cancellable);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  stop_loading (self);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_handle_id (&self->status_id, g_source_remove);
  if (self->context != NULL)
    g_clear_signal_handler (&self->engines_changed_id, self->context);
  if (self->pipeline != NULL)
    {
      g_clear_signal_handler (&self->added_id, self->pipeline);
      g_clear_signal_handler (&self->changed_id, self->pipeline);
      g_clear_signal_handler (&self->idle_id, self->pipeline);
    }
  g_queue_clear_full (&self->pending, g_object_unref);
  g_clear_pointer (&self->pending_set, g_hash_table_unref);
  if (self->sample_view != NULL)
    gtk_tree_view_set_model (self->sample_view, NULL);
  g_clear_object (&self->sort);
  g_clear_object (&self->filter_sort);
  g_clear_object (&self->filter);
  g_clear_object (&self->list);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->context);
  g_clear_pointer (&self->queued_paths, g_ptr_array_unref);
  G_OBJECT_CLASS (petri_window_parent_class)->dispose (object);
}

static void
petri_window_finalize (GObject *object)
{
  PetriWindow *self = PETRI_WINDOW (object);

  g_free (self->case_name);
  g_free (self->select_sha256);
  g_free (self->needle);
  G_OBJECT_CLASS (petri_window_parent_class)->finalize (object);
}

static void
petri_window_class_init (PetriWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = petri_window_dispose;
  object_class->finalize = petri_window_finalize;
  widget_class->delete_event = petri_window_delete_event;

  g_type_ensure (PETRI_TYPE_DETAIL_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               PETRI_RESOURCE_PATH "/petri-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, case_button);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, case_label);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, case_list);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, case_popover);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, info_bar);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, info_label);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, failed_label);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, loading_label);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, sample_view);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, detail_view);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, engines_label);
  gtk_widget_class_bind_template_child (widget_class, PetriWindow, busy_spinner);
  gtk_widget_class_bind_template_callback (widget_class, case_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, case_button_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, info_bar_response_cb);
}

static void
petri_window_init (PetriWindow *self)
{
  static const GtkTargetEntry targets[] = { { (char *) "text/uri-list", 0, 0 } };

  gtk_widget_init_template (GTK_WIDGET (self));
  g_queue_init (&self->pending);
  self->pending_set = g_hash_table_new (NULL, NULL);
  self->queued_paths = g_ptr_array_new_with_free_func (g_free);
  self->case_cancellable = g_cancellable_new ();
  self->cancellable = g_cancellable_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions),
                                   self);
  g_object_bind_property (self->search_button, "active", self->search_bar, "search-mode-enabled",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_search_bar_connect_entry (self->search_bar, GTK_ENTRY (self->search_entry));
  g_signal_connect (self->search_bar, "notify::search-mode-enabled", G_CALLBACK (search_mode_cb),
                    self);
  g_signal_connect (self, "key-press-event", G_CALLBACK (key_press_cb), self);

  setup_tree (self);

  /* Files and folders from any file manager. Only the drop is handled
   * here; motion picks the action (see drag_motion_cb). */
  gtk_drag_dest_set (GTK_WIDGET (self->stack), GTK_DEST_DEFAULT_DROP, targets,
                     G_N_ELEMENTS (targets), GDK_ACTION_COPY | GDK_ACTION_MOVE | GDK_ACTION_LINK);
  g_signal_connect (self->stack, "drag-data-received", G_CALLBACK (drag_data_received_cb), self);
  g_signal_connect (self->stack, "drag-motion", G_CALLBACK (drag_motion_cb), self);
  g_signal_connect (self->stack, "drag-leave", G_CALLBACK (drag_leave_cb), self);
}

PetriWindow *
petri_window_new (PetriApplication *app)
{
  PetriWindow *self = g_object_new (PETRI_TYPE_WINDOW, "application", app, NULL);

  attach_to_application (self, app);
  return self;
}
