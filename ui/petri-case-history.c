/* petri-case-history.c: every case, and a search across them
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-case-history.h"

#include <glib/gi18n.h>

#include "petri-ui-util.h"

enum
{
  CASE_COL_NAME,
  CASE_COL_CREATED,
  CASE_COL_CREATED_TEXT,
  CASE_COL_SAMPLES,
  CASE_COL_DETECTIONS,
  CASE_N_COLS
};

enum
{
  RESULT_COL_NAME,
  RESULT_COL_CASE,
  RESULT_COL_MATCH,
  RESULT_COL_SHA256,
  RESULT_N_COLS
};

enum
{
  OPEN_CASE,
  CASE_RENAMED,
  CASE_DELETED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _PetriCaseHistory
{
  GtkDialog parent_instance;

  GtkSearchEntry *search_entry;
  GtkStack *stack;
  GtkTreeView *cases_view;
  GtkTreeView *results_view;
  GtkButton *open_button;
  GtkButton *rename_button;
  GtkButton *delete_button;
  GtkLabel *status_label;

  PetriContext *context;
  char *current_case;
  GtkListStore *cases;
  GtkListStore *results;
  GCancellable *cancellable;
  GCancellable *search_cancellable;
};

G_DEFINE_FINAL_TYPE (PetriCaseHistory, petri_case_history, GTK_TYPE_DIALOG)

static void reload (PetriCaseHistory *self);

static PetriCaseStore *
store (PetriCaseHistory *self)
{
  return petri_context_get_store (self->context);
}

static void
show_error (PetriCaseHistory *self, const GError *error)
{
  gtk_label_set_text (self->status_label, error->message);
}

static char *
selected_case (PetriCaseHistory *self)
{
  GtkTreeModel *model;
  GtkTreeIter iter;
  char *name = NULL;

  if (gtk_tree_selection_get_selected (gtk_tree_view_get_selection (self->cases_view), &model,
                                       &iter))
    gtk_tree_model_get (model, &iter, CASE_COL_NAME, &name, -1);
  return name;
}

static void
update_buttons (PetriCaseHistory *self)
{
  gboolean on_cases = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "cases") == 0;
  gboolean has;

  if (on_cases)
    has = gtk_tree_selection_count_selected_rows (gtk_tree_view_get_selection (self->cases_view))
          > 0;
  else
    has = gtk_tree_selection_count_selected_rows (gtk_tree_view_get_selection (self->results_view))
          > 0;
  gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), has);
  gtk_widget_set_sensitive (GTK_WIDGET (self->rename_button), on_cases && has);
  gtk_widget_set_sensitive (GTK_WIDGET (self->delete_button), on_cases && has);
}

/* ---------------------------------------------------------------------- */
/* Listing                                                                  */

static void
cases_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PetriCaseHistory *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = petri_case_store_query_finish (PETRI_CASE_STORE (source), result, &error);
  JsonArray *cases;

  if (node == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = PETRI_CASE_HISTORY (user_data);
  if (node == NULL)
    {
      show_error (self, error);
      return;
    }
  gtk_list_store_clear (self->cases);
  cases = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  for (guint i = 0; cases != NULL && i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_autofree char *created = petri_json_time_text (c, "created");
      GtkTreeIter iter;

      if (petri_json_string (c, "name") == NULL)
        continue;
      gtk_list_store_insert_with_values (
          self->cases, &iter, -1, CASE_COL_NAME, petri_json_string (c, "name"), CASE_COL_CREATED,
          petri_json_int (c, "created", 0), CASE_COL_CREATED_TEXT, created, CASE_COL_SAMPLES,
          (guint) petri_json_int (c, "samples", 0), CASE_COL_DETECTIONS,
          (guint) petri_json_int (c, "detections", 0), -1);
      if (g_strcmp0 (petri_json_string (c, "name"), self->current_case) == 0)
        gtk_tree_selection_select_iter (gtk_tree_view_get_selection (self->cases_view), &iter);
    }
  /* Translators: the number of cases in the case history */
  {
    guint n = gtk_tree_model_iter_n_children (GTK_TREE_MODEL (self->cases), NULL);
    g_autofree char *text = g_strdup_printf (ngettext ("%u case", "%u cases", n), n);
    gtk_label_set_text (self->status_label, text);
  }
  update_buttons (self);
}

static void
reload (PetriCaseHistory *self)
{
  petri_case_store_query_async (store (self), PETRI_QUERY_CASES, NULL, self->cancellable,
                                cases_loaded_cb, self);
}

/* ---------------------------------------------------------------------- */
/* Searching                                                                */

static void
search_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PetriCaseHistory *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = petri_case_store_query_finish (PETRI_CASE_STORE (source), result, &error);
  JsonArray *hits;
  guint n = 0;

  if (node == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = PETRI_CASE_HISTORY (user_data);
  gtk_list_store_clear (self->results);
  if (node == NULL)
    {
      show_error (self, error);
      gtk_stack_set_visible_child_name (self->stack, "none");
      return;
    }
  hits = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  for (guint i = 0; hits != NULL && i < json_array_get_length (hits); i++)
    {
      JsonObject *h = json_array_get_object_element (hits, i);
      const char *match = petri_json_string (h, "match");
      const char *kind = petri_json_string (h, "kind");
      g_autofree char *match_text = NULL;

      if (petri_json_string (h, "sha256") == NULL)
        continue;
      match_text = kind != NULL && match != NULL ? g_strdup_printf ("%s: %s", kind, match)
                                                 : g_strdup (match != NULL ? match : "");
      gtk_list_store_insert_with_values (
          self->results, NULL, -1, RESULT_COL_NAME, petri_json_string (h, "name"), RESULT_COL_CASE,
          petri_json_string (h, "case"), RESULT_COL_MATCH, match_text, RESULT_COL_SHA256,
          petri_json_string (h, "sha256"), -1);
      n++;
    }
  {
    /* Translators: the number of search results across all cases */
    g_autofree char *text = g_strdup_printf (ngettext ("%u match", "%u matches", n), n);
    gtk_label_set_text (self->status_label, text);
  }
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "results" : "none");
  update_buttons (self);
}

static void
search_changed_cb (GtkSearchEntry *entry, PetriCaseHistory *self)
{
  const char *text = gtk_entry_get_text (GTK_ENTRY (entry));

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  if (*text == '\0')
    {
      gtk_stack_set_visible_child_name (self->stack, "cases");
      reload (self);
      update_buttons (self);
      return;
    }
  self->search_cancellable = g_cancellable_new ();
  petri_case_store_query_async (store (self), PETRI_QUERY_SEARCH, text, self->search_cancellable,
                                search_done_cb, self);
}

/* ---------------------------------------------------------------------- */
/* Open, rename, delete                                                     */

static void
open_selected (PetriCaseHistory *self)
{
  GtkTreeModel *model;
  GtkTreeIter iter;
  g_autofree char *name = NULL;
  g_autofree char *sha256 = NULL;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "cases") == 0)
    name = selected_case (self);
  else if (gtk_tree_selection_get_selected (gtk_tree_view_get_selection (self->results_view),
                                            &model, &iter))
    gtk_tree_model_get (model, &iter, RESULT_COL_CASE, &name, RESULT_COL_SHA256, &sha256, -1);
  if (name == NULL)
    return;
  g_signal_emit (self, signals[OPEN_CASE], 0, name, sha256);
  gtk_widget_destroy (GTK_WIDGET (self));
}

static void
open_clicked_cb (GtkButton *button, PetriCaseHistory *self)
{
  open_selected (self);
}

static void
cases_row_activated_cb (GtkTreeView *view, GtkTreePath *path, GtkTreeViewColumn *column,
                        PetriCaseHistory *self)
{
  open_selected (self);
}

static void
results_row_activated_cb (GtkTreeView *view, GtkTreePath *path, GtkTreeViewColumn *column,
                          PetriCaseHistory *self)
{
  open_selected (self);
}

typedef struct
{
  PetriCaseHistory *self; /* owned */
  char *old_name;
  char *new_name;
} CaseOp;

static void
case_op_free (CaseOp *op)
{
  g_object_unref (op->self);
  g_free (op->old_name);
  g_free (op->new_name);
  g_free (op);
}

static void
renamed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CaseOp *op = user_data;
  g_autoptr (GError) error = NULL;

  if (!petri_case_store_write_finish (PETRI_CASE_STORE (source), result, &error))
    show_error (op->self, error);
  else
    g_signal_emit (op->self, signals[CASE_RENAMED], 0, op->old_name, op->new_name);
  if (g_strcmp0 (op->self->current_case, op->old_name) == 0 && error == NULL)
    {
      g_free (op->self->current_case);
      op->self->current_case = g_strdup (op->new_name);
    }
  reload (op->self);
  case_op_free (op);
}

static void
rename_named (const char *new_name, gpointer user_data)
{
  CaseOp *op = user_data;

  if (new_name == NULL || g_strcmp0 (new_name, op->old_name) == 0)
    return;
  op->new_name = g_strdup (new_name);
  petri_case_store_rename_case (store (op->self), op->old_name, new_name, renamed_cb, op);
}

static void
rename_done (gpointer user_data)
{
  CaseOp *op = user_data;

  /* Freed here only when no rename was started. */
  if (op->new_name == NULL)
    case_op_free (op);
}

static void
rename_clicked_cb (GtkButton *button, PetriCaseHistory *self)
{
  g_autofree char *name = selected_case (self);
  CaseOp *op;

  if (name == NULL)
    return;
  op = g_new0 (CaseOp, 1);
  op->self = g_object_ref (self);
  op->old_name = g_strdup (name);
  petri_ask_name (GTK_WINDOW (self), _ ("Rename Case"), _ ("New _name"), name, _ ("_Rename"),
                  rename_named, op, rename_done);
}

static void
deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CaseOp *op = user_data;
  g_autoptr (GError) error = NULL;

  if (!petri_case_store_write_finish (PETRI_CASE_STORE (source), result, &error))
    show_error (op->self, error);
  else
    g_signal_emit (op->self, signals[CASE_DELETED], 0, op->old_name);
  reload (op->self);
  case_op_free (op);
}

static void
delete_confirmed (gpointer user_data)
{
  CaseOp *op = user_data;

  petri_case_store_delete_case (store (op->self), op->old_name, deleted_cb, op);
}

static void
delete_clicked_cb (GtkButton *button, PetriCaseHistory *self)
{
  g_autofree char *name = selected_case (self);
  g_autofree char *primary = NULL;
  CaseOp *op;

  if (name == NULL)
    return;
  op = g_new0 (CaseOp, 1);
  op->self = g_object_ref (self);
  op->old_name = g_strdup (name);
  /* Translators: %s is the case name */
  primary = g_strdup_printf (_ ("Delete the case “%s”?"), name);
  petri_confirm (GTK_WINDOW (self), primary,
                 _ ("Its notes, tags and list of samples are deleted. Samples that appear in "
                    "other cases stay there."),
                 _ ("_Delete"), G_CALLBACK (delete_confirmed), op);
}

/* ---------------------------------------------------------------------- */

static void
add_column (GtkTreeView *view, const char *title, int col, int sort_col, gboolean expand,
            float xalign)
{
  GtkCellRenderer *cell = gtk_cell_renderer_text_new ();
  GtkTreeViewColumn *column
      = gtk_tree_view_column_new_with_attributes (title, cell, "text", col, NULL);

  g_object_set (cell, "ellipsize", PANGO_ELLIPSIZE_END, "xalign", xalign, NULL);
  gtk_tree_view_column_set_expand (column, expand);
  gtk_tree_view_column_set_resizable (column, TRUE);
  if (sort_col >= 0)
    gtk_tree_view_column_set_sort_column_id (column, sort_col);
  gtk_tree_view_append_column (view, column);
}

static void
selection_changed_cb (GtkTreeSelection *selection, PetriCaseHistory *self)
{
  update_buttons (self);
}

static void
petri_case_history_dispose (GObject *object)
{
  PetriCaseHistory *self = PETRI_CASE_HISTORY (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_object (&self->cases);
  g_clear_object (&self->results);
  g_clear_object (&self->context);
  g_clear_pointer (&self->current_case, g_free);
  G_OBJECT_CLASS (petri_case_history_parent_class)->dispose (object);
}

static void
petri_case_history_class_init (PetriCaseHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = petri_case_history_dispose;

  signals[OPEN_CASE]
      = g_signal_new ("open-case", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[CASE_RENAMED]
      = g_signal_new ("case-renamed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[CASE_DELETED]
      = g_signal_new ("case-deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               PETRI_RESOURCE_PATH "/petri-case-history.ui");
  gtk_widget_class_bind_template_child (widget_class, PetriCaseHistory, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PetriCaseHistory, stack);
  gtk_widget_class_bind_template_child (widget_class, PetriCaseHistory, cases_view);
  gtk_widget_class_bind_template_child (widget_class, PetriCaseHistory, results_view);
  gtk_widget_class_bind_template_child (widget_class, PetriCaseHistory, open_button);
  gtk_widget_class_bind_template_child (widget_class, PetriCaseHistory, rename_button);
  gtk_widget_class_bind_template_child (widget_class, PetriCaseHistory, delete_button);
  gtk_widget_class_bind_template_child (widget_class, PetriCaseHistory, status_label);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, cases_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, results_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, rename_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, delete_clicked_cb);
}

static void
petri_case_history_init (PetriCaseHistory *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  self->cases = gtk_list_store_new (CASE_N_COLS, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_STRING,
                                    G_TYPE_UINT, G_TYPE_UINT);
  gtk_tree_view_set_model (self->cases_view, GTK_TREE_MODEL (self->cases));
  add_column (self->cases_view, _ ("Name"), CASE_COL_NAME, CASE_COL_NAME, TRUE, 0);
  add_column (self->cases_view, _ ("Created"), CASE_COL_CREATED_TEXT, CASE_COL_CREATED, FALSE, 0);
  add_column (self->cases_view, _ ("Samples"), CASE_COL_SAMPLES, CASE_COL_SAMPLES, FALSE, 1);
  add_column (self->cases_view, _ ("Detections"), CASE_COL_DETECTIONS, CASE_COL_DETECTIONS, FALSE,
              1);

  self->results = gtk_list_store_new (RESULT_N_COLS, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                                      G_TYPE_STRING);
  gtk_tree_view_set_model (self->results_view, GTK_TREE_MODEL (self->results));
  add_column (self->results_view, _ ("Name"), RESULT_COL_NAME, RESULT_COL_NAME, TRUE, 0);
  add_column (self->results_view, _ ("Case"), RESULT_COL_CASE, RESULT_COL_CASE, FALSE, 0);
  add_column (self->results_view, _ ("Match"), RESULT_COL_MATCH, RESULT_COL_MATCH, TRUE, 0);
  add_column (self->results_view, "SHA-256", RESULT_COL_SHA256, -1, FALSE, 0);

  g_signal_connect (gtk_tree_view_get_selection (self->cases_view), "changed",
                    G_CALLBACK (selection_changed_cb), self);
  g_signal_connect (gtk_tree_view_get_selection (self->results_view), "changed",
                    G_CALLBACK (selection_changed_cb), self);
}

GtkWidget *
petri_case_history_new (GtkWindow *parent, PetriContext *context, const char *current_case)
{
  PetriCaseHistory *self = g_object_new (PETRI_TYPE_CASE_HISTORY, "transient-for", parent,
                                         "use-header-bar", TRUE, NULL);

  self->context = g_object_ref (context);
  self->current_case = g_strdup (current_case);
  reload (self);
  return GTK_WIDGET (self);
}
