/* petri-detail-view.c: the notebook about the selected sample
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Summary, Detection, Behavioral information and Notes. A live item (still
 * being scanned) gives the engine results the moment they arrive; the case
 * database gives everything else (names, cases, analyses, notes).
 */
#include "config.h"

#include "petri-detail-view.h"

#include <glib/gi18n.h>

#include "petri-detail-models.h"
#include "petri-sample-list.h"
#include "petri-ui-util.h"

#define SAVE_DELAY_MS 600

struct _PetriDetailView
{
  GtkBox parent_instance;

  GtkStack *stack;
  GtkLabel *placeholder;
  GtkNotebook *notebook;
  GtkImage *verdict_image;
  GtkLabel *verdict_label;
  GtkLabel *verdict_detail;
  GtkGrid *summary_grid;
  GtkTreeView *engine_view;
  GtkLabel *new_detection_label;
  GtkStack *matches_stack;
  GtkTreeView *matches_view;
  GtkStack *behavior_stack;
  GtkImage *behavior_icon;
  GtkLabel *behavior_notice;
  GtkLabel *behavior_summary;
  GtkTreeView *behavior_view;
  GtkTextView *notes_view;
  GtkEntry *tags_entry;
  GtkLabel *notes_status;
  GtkLabel *summary_tab;
  GtkLabel *detection_tab;
  GtkLabel *behavior_tab;
  GtkLabel *notes_tab;

  PetriContext *context;
  char *case_name;
  PetriItem *item;
  char *sha256;
  char *name;
  JsonNode *sample;        /* the last PETRI_QUERY_SAMPLE answer */
  gboolean sample_settled; /* ... asked for once the item had settled */
  gboolean query_settled;  /* the query in flight was asked for so */
  GCancellable *cancellable;
  int last_state;
  char *last_sandbox;

  GtkListStore *engines;
  GtkTreeStore *matches;
  GtkTreeStore *behavior;

  guint refresh_id;
  guint save_id;
  gboolean loading_notes;
  gboolean notes_dirty;
  gboolean tags_dirty;
};

G_DEFINE_FINAL_TYPE (PetriDetailView, petri_detail_view, GTK_TYPE_BOX)

static void query_sample (PetriDetailView *self);
static void save_now (PetriDetailView *self);

/* ---------------------------------------------------------------------- */
/* Reading the sample                                                       */

static JsonObject *
sample_object (PetriDetailView *self)
{
  return self->sample != NULL && JSON_NODE_HOLDS_OBJECT (self->sample)
             ? json_node_get_object (self->sample)
             : NULL;
}

static const char *
field (PetriDetailView *self, const char *member)
{
  JsonObject *s = sample_object (self);
  const char *value = NULL;

  if (self->item != NULL)
    {
      if (g_str_equal (member, "md5"))
        value = petri_item_get_md5 (self->item);
      else if (g_str_equal (member, "sha1"))
        value = petri_item_get_sha1 (self->item);
      else if (g_str_equal (member, "sha256"))
        value = petri_item_get_sha256 (self->item);
      else if (g_str_equal (member, "ssdeep"))
        value = petri_item_get_ssdeep (self->item);
      else if (g_str_equal (member, "mime"))
        value = petri_item_get_mime (self->item);
      else if (g_str_equal (member, "description"))
        value = petri_item_get_description (self->item);
    }
  if (value == NULL)
    /* The database calls libmagic's description "type". */
    value = petri_json_string (s, g_str_equal (member, "description") ? "type" : member);
  return value;
}

/* The database has the last word once the item has settled and the sample
 * was read after that: a later re-scan (of every case, say) may have added
 * results the item never saw. Until then the live item is fresher. */
static gboolean
use_stored (PetriDetailView *self)
{
  return self->item == NULL || (sample_object (self) != NULL && self->sample_settled);
}

/* Engine results: the live item's, else the latest of each engine stored. */
static GPtrArray *
current_results (PetriDetailView *self)
{
  GPtrArray *results = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_engine_result_unref);
  GPtrArray *live
      = self->item != NULL && !use_stored (self) ? petri_item_get_results (self->item) : NULL;
  JsonObject *s = sample_object (self);
  JsonArray *stored = petri_json_array (s, "engines"); /* the latest of each engine */
  if (live != NULL && live->len > 0)
    {
      for (guint i = 0; i < live->len; i++)
        g_ptr_array_add (results, petri_engine_result_ref (g_ptr_array_index (live, i)));
      return results;
    }
  for (guint i = 0; stored != NULL && i < json_array_get_length (stored); i++)
    {
      PetriEngineResult *r
          = petri_engine_result_from_json (json_array_get_element (stored, i), NULL);
      if (r != NULL)
        g_ptr_array_add (results, r);
    }
  return results;
}

static PetriVerdict
current_verdict (PetriDetailView *self, GPtrArray *results)
{
  if (self->item != NULL && !use_stored (self))
    {
      if (petri_item_get_state (self->item) == PETRI_ITEM_ERROR)
        return PETRI_VERDICT_ERROR;
      return petri_item_get_verdict (self->item);
    }
  if (sample_object (self) != NULL)
    return petri_verdict_from_string (petri_json_string (sample_object (self), "verdict"));
  return petri_verdict_from_results (results);
}

/* ---------------------------------------------------------------------- */
/* Summary                                                                  */

static void
copy_clicked_cb (GtkButton *button, PetriDetailView *self)
{
  const char *text = g_object_get_data (G_OBJECT (button), "text");

  gtk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button), GDK_SELECTION_CLIPBOARD),
                          text, -1);
}

static void
add_row (PetriDetailView *self, int row, const char *title, const char *value, gboolean mono,
         gboolean copy)
{
  GtkWidget *key = gtk_label_new (title);
  GtkWidget *val = gtk_label_new (value != NULL && *value != '\0' ? value : "—");

  gtk_label_set_xalign (GTK_LABEL (key), 1);
  /* Lines of several rows read from the top; one-liners sit by their button. */
  gtk_widget_set_valign (key, value != NULL && strchr (value, '\n') != NULL ? GTK_ALIGN_START
                                                                            : GTK_ALIGN_CENTER);
  gtk_style_context_add_class (gtk_widget_get_style_context (key), "dim-label");
  gtk_label_set_xalign (GTK_LABEL (val), 0);
  gtk_label_set_selectable (GTK_LABEL (val), TRUE);
  gtk_label_set_line_wrap (GTK_LABEL (val), TRUE);
  gtk_label_set_line_wrap_mode (GTK_LABEL (val), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (val, TRUE);
  gtk_label_set_mnemonic_widget (GTK_LABEL (key), val);
  if (mono)
    gtk_style_context_add_class (gtk_widget_get_style_context (val), "petri-mono");
  gtk_grid_attach (self->summary_grid, key, 0, row, 1, 1);
  gtk_grid_attach (self->summary_grid, val, 1, row, 1, 1);
  if (copy && value != NULL && *value != '\0')
    {
      GtkWidget *button
          = gtk_button_new_from_icon_name ("edit-copy-symbolic", GTK_ICON_SIZE_BUTTON);
      /* Translators: tooltip and accessible name of a copy button; %s is "MD5", "SHA-256" … */
      g_autofree char *tip = g_strdup_printf (_ ("Copy %s"), title);

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_button_set_relief (GTK_BUTTON (button), GTK_RELIEF_NONE);
      gtk_widget_set_tooltip_text (button, tip);
      petri_set_accessible_name (button, tip);
      g_object_set_data_full (G_OBJECT (button), "text", g_strdup (value), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (copy_clicked_cb), self);
      gtk_grid_attach (self->summary_grid, button, 2, row, 1, 1);
    }
}

static char *
join_json_strings (JsonArray *a, const char *member, const char *separator)
{
  GString *s = g_string_new (NULL);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      JsonNode *n = json_array_get_element (a, i);
      const char *text = NULL;

      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        text = json_node_get_string (n);
      else if (JSON_NODE_HOLDS_OBJECT (n) && member != NULL)
        text = petri_json_string (json_node_get_object (n), member);
      if (text == NULL || g_hash_table_contains (seen, text))
        continue;
      g_hash_table_add (seen, (gpointer) text);
      if (s->len > 0)
        g_string_append (s, separator);
      g_string_append (s, text);
    }
  return g_string_free (s, FALSE);
}

static void
render_verdict (PetriDetailView *self, GPtrArray *results)
{
  PetriVerdict verdict = current_verdict (self, results);
  guint detected = 0;
  guint n_engines = self->item != NULL && !use_stored (self) ? petri_item_get_n_engines (self->item)
                                                             : results->len;
  g_autofree char *detail = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < results->len; i++)
    {
      PetriEngineResult *r = g_ptr_array_index (results, i);
      if (r->kind != PETRI_RESULT_DETECTED)
        continue;
      detected++;
      for (guint j = 0; r->names != NULL && j < r->names->len && names->len < 6; j++)
        g_ptr_array_add (names, g_ptr_array_index (r->names, j));
    }
  g_ptr_array_add (names, NULL);
  n_engines = MAX (n_engines, results->len);

  gtk_image_set_from_icon_name (self->verdict_image, petri_verdict_icon_name (verdict),
                                GTK_ICON_SIZE_DIALOG);
  gtk_label_set_text (self->verdict_label, petri_verdict_label (verdict));

  switch (verdict)
    {
    case PETRI_VERDICT_MALICIOUS:
    case PETRI_VERDICT_SUSPICIOUS:
      {
        g_autofree char *joined = g_strjoinv (", ", (char **) names->pdata);
        if (verdict == PETRI_VERDICT_SUSPICIOUS)
          /* Translators: %u of %u engines; %s lists the detection names */
          detail = g_strdup_printf (ngettext ("Heuristic detections only, by %u of %u engine: %s",
                                              "Heuristic detections only, by %u of %u engines: %s",
                                              n_engines),
                                    detected, n_engines, joined);
        else
          /* Translators: %u of %u engines; %s lists the detection names */
          detail = g_strdup_printf (ngettext ("Detected by %u of %u engine: %s",
                                              "Detected by %u of %u engines: %s", n_engines),
                                    detected, n_engines, joined);
        break;
      }
    case PETRI_VERDICT_CLEAN:
      detail = g_strdup_printf (
          ngettext ("No detection by %u engine.", "No detection by any of %u engines.", n_engines),
          n_engines);
      break;
    case PETRI_VERDICT_ERROR:
      detail = g_strdup (self->item != NULL && petri_item_get_error (self->item) != NULL
                             ? petri_item_get_error (self->item)
                             : _ ("The file could not be scanned."));
      break;
    case PETRI_VERDICT_PENDING:
    default:
      if (self->item != NULL)
        /* Translators: %s is "Queued" or "Scanning" */
        detail = g_strdup_printf (_ ("%s — results appear as each engine finishes."),
                                  petri_item_state_label (petri_item_get_state (self->item)));
      else
        detail = g_strdup (_ ("Not scanned yet."));
      break;
    }
  gtk_label_set_text (self->verdict_detail, detail);
}

static void
render_summary (PetriDetailView *self, GPtrArray *results)
{
  JsonObject *s = sample_object (self);
  g_autoptr (GList) children = gtk_container_get_children (GTK_CONTAINER (self->summary_grid));
  g_autofree char *names = NULL;
  g_autofree char *cases = NULL;
  g_autofree char *size = NULL;
  g_autofree char *first_seen = NULL;
  g_autofree char *type = NULL;
  const char *description = field (self, "description");
  const char *mime = field (self, "mime");
  guint64 bytes = self->item != NULL ? petri_item_get_size (self->item)
                                     : (guint64) petri_json_int (s, "size", 0);
  int row = 0;

  for (GList *l = children; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);

  render_verdict (self, results);

  {
    JsonArray *in_cases = petri_json_array (s, "cases");
    GString *n = g_string_new (NULL), *c = g_string_new (NULL);
    g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; in_cases != NULL && i < json_array_get_length (in_cases); i++)
      {
        JsonObject *entry = json_array_get_object_element (in_cases, i);
        JsonArray *sightings = petri_json_array (entry, "names");
        const char *case_name = petri_json_string (entry, "case");

        if (case_name != NULL)
          g_string_append_printf (c, "%s%s", c->len > 0 ? "\n" : "", case_name);
        for (guint j = 0; sightings != NULL && j < json_array_get_length (sightings); j++)
          {
            const char *name
                = petri_json_string (json_array_get_object_element (sightings, j), "name");
            if (name == NULL || g_hash_table_contains (seen, name))
              continue;
            g_hash_table_add (seen, (gpointer) name);
            g_string_append_printf (n, "%s%s", n->len > 0 ? "\n" : "", name);
          }
      }
    if (n->len == 0 && self->name != NULL)
      g_string_append (n, self->name);
    if (c->len == 0 && self->case_name != NULL)
      g_string_append (c, self->case_name);
    names = g_string_free (n, FALSE);
    cases = g_string_free (c, FALSE);
  }
  if (self->sha256 != NULL || s != NULL)
    {
      g_autofree char *rounded = g_format_size (bytes);

      if (bytes < 1000)
        size = g_steal_pointer (&rounded);
      else
        {
          g_autofree char *exact = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
          /* Translators: a file size, rounded and exact: "1.2 MB (1234567 bytes)" */
          size = g_strdup_printf (ngettext ("%s (%s byte)", "%s (%s bytes)", (gulong) bytes),
                                  rounded, exact);
        }
    }
  first_seen = petri_json_time_text (s, "first_seen");
  if (description != NULL && mime != NULL)
    type = g_strdup_printf ("%s\n%s", description, mime);
  else
    type = g_strdup (description != NULL ? description : mime);

  add_row (self, row++, _ ("Names"), names, FALSE, FALSE);
  add_row (self, row++, _ ("Size"), size, FALSE, FALSE);
  add_row (self, row++, _ ("Type"), type, FALSE, FALSE);
  add_row (self, row++, "MD5", field (self, "md5"), TRUE, TRUE);
  add_row (self, row++, "SHA-1", field (self, "sha1"), TRUE, TRUE);
  add_row (self, row++, "SHA-256", field (self, "sha256"), TRUE, TRUE);
  add_row (self, row++, "ssdeep", field (self, "ssdeep"), TRUE, TRUE);
  add_row (self, row++, _ ("First seen"), first_seen, FALSE, FALSE);
  add_row (self, row++, _ ("Cases"), cases, FALSE, FALSE);
  gtk_widget_show_all (GTK_WIDGET (self->summary_grid));
}

/* ---------------------------------------------------------------------- */
/* Detection                                                                */

static gboolean
expand_small_cb (GtkTreeModel *model, GtkTreePath *path, GtkTreeIter *iter, gpointer data)
{
  GtkTreeView *view = data;

  /* Rules and their groups open; long lists of strings stay folded. */
  if (gtk_tree_path_get_depth (path) == 1 || gtk_tree_model_iter_n_children (model, iter) <= 8)
    gtk_tree_view_expand_row (view, path, FALSE);
  return FALSE;
}

/* "New detection since DATE": what a re-scan found that earlier scans of
 * the sample had not (the sample's "new_detections"). */
static void
render_new_detections (PetriDetailView *self)
{
  JsonArray *fresh = petri_json_array (sample_object (self), "new_detections");
  guint n = fresh != NULL ? json_array_get_length (fresh) : 0;
  g_autofree char *since = NULL;
  g_autofree char *text = NULL;
  GString *names;

  if (n == 0)
    {
      gtk_widget_hide (GTK_WIDGET (self->new_detection_label));
      return;
    }
  names = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *d = json_array_get_object_element (fresh, i);
      const char *engine = petri_json_string (d, "engine");
      const char *name = petri_json_string (d, "name");

      if (name == NULL)
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append_printf (names, "%s %s",
                              engine != NULL ? petri_engine_display_name (engine) : "", name);
    }
  /* The list is oldest first. */
  since = petri_json_time_text (json_array_get_object_element (fresh, 0), "first_seen");
  /* Translators: %s is a date and time; %s lists engine and detection name */
  text = g_strdup_printf (ngettext ("New detection since %s: %s", "New detections since %s: %s", n),
                          since, names->str);
  g_string_free (names, TRUE);
  gtk_label_set_text (self->new_detection_label, text);
  gtk_widget_show (GTK_WIDGET (self->new_detection_label));
}

static void
render_detection (PetriDetailView *self, GPtrArray *results)
{
  guint n_rules;

  render_new_detections (self);
  petri_engine_list_fill (self->engines, results);
  n_rules = petri_match_tree_fill (self->matches, results);
  gtk_stack_set_visible_child_name (self->matches_stack, n_rules > 0 ? "tree" : "none");
  if (n_rules > 0 && n_rules <= 20)
    gtk_tree_model_foreach (GTK_TREE_MODEL (self->matches), expand_small_cb, self->matches_view);
}

/* ---------------------------------------------------------------------- */
/* Behavioral information                                                   */

static JsonObject *
latest_analysis (PetriDetailView *self)
{
  JsonArray *analyses = petri_json_array (sample_object (self), "analyses");
  JsonObject *latest = NULL;
  gint64 latest_id = G_MININT64;

  for (guint i = 0; analyses != NULL && i < json_array_get_length (analyses); i++)
    {
      JsonObject *a = json_array_get_object_element (analyses, i);
      gint64 id = petri_json_int (a, "id", i);

      if (a != NULL && id >= latest_id)
        {
          latest = a;
          latest_id = id;
        }
    }
  return latest;
}

static void
render_behavior (PetriDetailView *self)
{
  JsonObject *analysis = latest_analysis (self);
  gboolean is_error = FALSE;
  g_autofree char *notice = NULL;
  g_autoptr (GPtrArray) events = NULL;
  JsonArray *array;
  guint n;
  g_autofree char *summary = NULL;
  const char *sandbox = self->item != NULL ? petri_item_get_sandbox_status (self->item) : NULL;

  if (analysis == NULL && sandbox != NULL && self->item != NULL)
    {
      /* Not in the database yet, but the pipeline already knows. */
      g_autoptr (JsonObject) o = json_object_new ();
      json_object_set_string_member (o, "status", sandbox);
      json_object_set_string_member (o, "reason",
                                     petri_item_get_sandbox_reason (self->item) != NULL
                                         ? petri_item_get_sandbox_reason (self->item)
                                         : "");
      notice = petri_analysis_notice (o, &is_error);
    }
  else if (self->sha256 == NULL && self->item != NULL)
    notice = g_strdup (_ ("This sample has not been analysed in the sandbox yet."));
  else
    notice = petri_analysis_notice (analysis, &is_error);

  if (notice != NULL)
    {
      gtk_label_set_text (self->behavior_notice, notice);
      gtk_image_set_from_icon_name (self->behavior_icon,
                                    is_error ? "dialog-error-symbolic" : "system-run-symbolic",
                                    GTK_ICON_SIZE_DIALOG);
      gtk_stack_set_visible_child_name (self->behavior_stack, "notice");
      gtk_tree_store_clear (self->behavior);
      return;
    }

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_behavior_event_unref);
  array = petri_json_array (analysis, "events");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autoptr (GError) error = NULL;
      PetriBehaviorEvent *e
          = petri_behavior_event_from_json (json_array_get_element (array, i), &error);
      if (e != NULL)
        g_ptr_array_add (events, e);
      else
        g_debug ("skipping a stored event: %s", error->message);
    }
  n = petri_behavior_tree_fill (self->behavior, events);
  {
    const char *vm = petri_json_string (analysis, "vm");
    const char *platform = petri_json_string (analysis, "platform");
    /* Translators: "%u events recorded in VM-NAME (PLATFORM)" */
    summary = g_strdup_printf (
        ngettext ("%u event recorded in %s (%s).", "%u events recorded in %s (%s).", n), n,
        vm != NULL && *vm != '\0' ? vm : "—",
        platform != NULL && *platform != '\0' ? platform : "—");
  }
  gtk_label_set_text (self->behavior_summary, summary);
  gtk_stack_set_visible_child_name (self->behavior_stack, "tree");
  if (n <= 200)
    gtk_tree_view_expand_all (self->behavior_view);
}

/* ---------------------------------------------------------------------- */
/* Notes                                                                    */

static void
render_notes (PetriDetailView *self)
{
  JsonArray *cases = petri_json_array (sample_object (self), "cases");
  const char *notes = NULL;
  g_autofree char *tags = NULL;

  /* Notes and tags belong to the sample in this case. */
  for (guint i = 0; cases != NULL && i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      if (c != NULL && g_strcmp0 (petri_json_string (c, "case"), self->case_name) == 0)
        {
          notes = petri_json_string (c, "notes");
          tags = join_json_strings (petri_json_array (c, "tags"), NULL, ", ");
        }
    }
  if (tags == NULL)
    tags = g_strdup ("");

  self->loading_notes = TRUE;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->notes_view), notes != NULL ? notes : "",
                            -1);
  gtk_entry_set_text (self->tags_entry, tags);
  self->loading_notes = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->notes_view), self->sha256 != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->tags_entry), self->sha256 != NULL);
  gtk_label_set_text (self->notes_status,
                      self->sha256 != NULL ? ""
                                           : _ ("Notes can be written once the file is hashed."));
}

static void
saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (PetriDetailView) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!petri_case_store_write_finish (PETRI_CASE_STORE (source), result, &error))
    {
      /* Translators: %s says why the notes could not be saved */
      g_autofree char *text = g_strdup_printf (_ ("Not saved: %s"), error->message);
      gtk_label_set_text (self->notes_status, text);
      return;
    }
  if (self->save_id == 0)
    gtk_label_set_text (self->notes_status, _ ("Saved"));
}

static void
save_now (PetriDetailView *self)
{
  PetriCaseStore *store;

  g_clear_handle_id (&self->save_id, g_source_remove);
  if (self->context == NULL || self->sha256 == NULL || self->case_name == NULL)
    return;
  store = petri_context_get_store (self->context);
  if (self->notes_dirty)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->notes_view);
      GtkTextIter start, end;
      g_autofree char *text = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      petri_case_store_set_sample_notes (store, self->case_name, self->sha256, text, saved_cb,
                                         g_object_ref (self));
      self->notes_dirty = FALSE;
    }
  if (self->tags_dirty)
    {
      g_auto (GStrv) parts = g_strsplit (gtk_entry_get_text (self->tags_entry), ",", -1);
      g_autoptr (GPtrArray) tags = g_ptr_array_new ();

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_strstrip (parts[i]);
          if (*parts[i] != '\0')
            g_ptr_array_add (tags, parts[i]);
        }
      g_ptr_array_add (tags, NULL);
      petri_case_store_set_sample_tags (store, self->case_name, self->sha256,
                                        (const char *const *) tags->pdata, saved_cb,
                                        g_object_ref (self));
      self->tags_dirty = FALSE;
    }
}

static gboolean
save_timeout_cb (gpointer user_data)
{
  PetriDetailView *self = user_data;

  self->save_id = 0;
  save_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_save (PetriDetailView *self)
{
  gtk_label_set_text (self->notes_status, _ ("Saving…"));
  g_clear_handle_id (&self->save_id, g_source_remove);
  self->save_id = g_timeout_add (SAVE_DELAY_MS, save_timeout_cb, self);
}

static void
notes_changed_cb (GtkTextBuffer *buffer, PetriDetailView *self)
{
  if (self->loading_notes)
    return;
  self->notes_dirty = TRUE;
  schedule_save (self);
}

static void
tags_changed_cb (GtkEditable *editable, PetriDetailView *self)
{
  if (self->loading_notes)
    return;
  self->tags_dirty = TRUE;
  schedule_save (self);
}

/* ---------------------------------------------------------------------- */
/* Showing a sample                                                         */

static void
render (PetriDetailView *self)
{
  g_autoptr (GPtrArray) results = current_results (self);

  render_summary (self, results);
  render_detection (self, results);
  render_behavior (self);
}

static void
sample_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PetriDetailView *self;
  g_autoptr (GError) error = NULL;
  JsonNode *node = petri_case_store_query_finish (PETRI_CASE_STORE (source), result, &error);

  if (node == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = PETRI_DETAIL_VIEW (user_data);
  if (node == NULL)
    {
      /* A sample still being taken in is not in the database yet. */
      if (!g_error_matches (error, PETRI_APP_ERROR, PETRI_APP_ERROR_NOT_FOUND))
        g_debug ("could not read sample %s: %s", self->sha256, error->message);
      return;
    }
  g_clear_pointer (&self->sample, json_node_unref);
  self->sample = node;
  self->sample_settled = self->query_settled;
  render (self);
  if (!self->notes_dirty && !self->tags_dirty)
    render_notes (self);
}

static void
query_sample (PetriDetailView *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->context == NULL || self->sha256 == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  self->query_settled = self->item == NULL || petri_item_is_settled (self->item);
  petri_case_store_query_async (petri_context_get_store (self->context), PETRI_QUERY_SAMPLE,
                                self->sha256, self->cancellable, sample_loaded_cb, self);
}

void
petri_detail_view_show (PetriDetailView *self, const char *case_name, PetriItem *item,
                        const char *sha256, const char *name)
{
  g_return_if_fail (PETRI_IS_DETAIL_VIEW (self));

  if (self->save_id != 0)
    save_now (self);
  g_clear_handle_id (&self->refresh_id, g_source_remove);

  g_set_object (&self->item, item);
  g_free (self->case_name);
  self->case_name = g_strdup (case_name);
  g_free (self->sha256);
  self->sha256
      = g_strdup (sha256 != NULL ? sha256 : (item != NULL ? petri_item_get_sha256 (item) : NULL));
  g_free (self->name);
  self->name = g_strdup (name);
  g_clear_pointer (&self->sample, json_node_unref);
  self->sample_settled = FALSE;
  self->last_state = item != NULL ? (int) petri_item_get_state (item) : -1;
  g_free (self->last_sandbox);
  self->last_sandbox = g_strdup (item != NULL ? petri_item_get_sandbox_status (item) : NULL);

  if (item == NULL && self->sha256 == NULL)
    {
      g_cancellable_cancel (self->cancellable);
      if (name != NULL)
        {
          /* Translators: shown when a folder row is selected; %s is its name */
          g_autofree char *text
              = g_strdup_printf (_ ("“%s” is a folder: select one of its files."), name);
          gtk_label_set_text (self->placeholder, text);
        }
      else
        gtk_label_set_text (self->placeholder, _ ("Select a sample to see its details"));
      gtk_stack_set_visible_child_name (self->stack, "none");
      return;
    }

  gtk_stack_set_visible_child_name (self->stack, "sample");
  render (self);
  render_notes (self);
  query_sample (self);
}

static gboolean
refresh_cb (gpointer user_data)
{
  PetriDetailView *self = user_data;
  const char *sha256 = self->item != NULL ? petri_item_get_sha256 (self->item) : NULL;
  int state = self->item != NULL ? (int) petri_item_get_state (self->item) : -1;
  const char *sandbox = self->item != NULL ? petri_item_get_sandbox_status (self->item) : NULL;

  self->refresh_id = 0;
  if (self->sha256 == NULL && sha256 != NULL)
    {
      self->sha256 = g_strdup (sha256);
      render_notes (self);
    }
  render (self);
  /* The database has more once the file is recorded, once it is done and
   * each time the sandbox moves on (its events are read from there). */
  if ((state != self->last_state && (state == PETRI_ITEM_DONE || state == PETRI_ITEM_ERROR))
      || g_strcmp0 (sandbox, self->last_sandbox) != 0)
    query_sample (self);
  else if (self->sample == NULL && self->sha256 != NULL)
    query_sample (self);
  self->last_state = state;
  g_free (self->last_sandbox);
  self->last_sandbox = g_strdup (sandbox);
  return G_SOURCE_REMOVE;
}

void
petri_detail_view_item_changed (PetriDetailView *self, PetriItem *item)
{
  g_return_if_fail (PETRI_IS_DETAIL_VIEW (self));

  if (item == NULL)
    return;
  if (item != self->item)
    {
      /* A newer item for the sample shown (a re-scan of it): follow it. */
      if (self->sha256 == NULL || g_strcmp0 (petri_item_get_sha256 (item), self->sha256) != 0
          || g_strcmp0 (petri_item_get_case (item), self->case_name) != 0)
        return;
      g_set_object (&self->item, item);
      self->sample_settled = FALSE;
    }
  if (self->refresh_id != 0)
    return;
  self->refresh_id = g_timeout_add (100, refresh_cb, self);
}

void
petri_detail_view_reload (PetriDetailView *self)
{
  g_return_if_fail (PETRI_IS_DETAIL_VIEW (self));
  query_sample (self);
}

void
petri_detail_view_set_context (PetriDetailView *self, PetriContext *context)
{
  g_return_if_fail (PETRI_IS_DETAIL_VIEW (self));
  g_set_object (&self->context, context);
}

void
petri_detail_view_set_page (PetriDetailView *self, PetriDetailPage page)
{
  g_return_if_fail (PETRI_IS_DETAIL_VIEW (self));
  gtk_notebook_set_current_page (self->notebook, page);
}

const char *
petri_detail_view_get_sha256 (PetriDetailView *self)
{
  g_return_val_if_fail (PETRI_IS_DETAIL_VIEW (self), NULL);
  return self->sha256;
}

/* ---------------------------------------------------------------------- */
/* Set-up                                                                   */

static GtkTreeViewColumn *
text_column_full (GtkTreeView *view, const char *title, int col, gboolean mono, gboolean expand,
                  GtkCellRenderer **cell_out)
{
  GtkCellRenderer *cell = gtk_cell_renderer_text_new ();
  GtkTreeViewColumn *column
      = gtk_tree_view_column_new_with_attributes (title, cell, "text", col, NULL);

  if (mono)
    g_object_set (cell, "family", "monospace", NULL);
  g_object_set (cell, "ellipsize", PANGO_ELLIPSIZE_END, NULL);
  gtk_tree_view_column_set_resizable (column, TRUE);
  gtk_tree_view_column_set_expand (column, expand);
  gtk_tree_view_append_column (view, column);
  if (cell_out != NULL)
    *cell_out = cell;
  return column;
}

static GtkTreeViewColumn *
text_column (GtkTreeView *view, const char *title, int col, gboolean mono, gboolean expand)
{
  return text_column_full (view, title, col, mono, expand, NULL);
}

static void
setup_views (PetriDetailView *self)
{
  GtkTreeViewColumn *column;
  GtkCellRenderer *cell;

  self->engines = petri_engine_list_new ();
  gtk_tree_view_set_model (self->engine_view, GTK_TREE_MODEL (self->engines));
  text_column (self->engine_view, _ ("Engine"), PETRI_ENGINE_COL_ENGINE, FALSE, FALSE);
  text_column (self->engine_view, _ ("Version"), PETRI_ENGINE_COL_VERSION, FALSE, FALSE);
  column = text_column (self->engine_view, _ ("Signatures"), PETRI_ENGINE_COL_SIGNATURES, FALSE,
                        FALSE);
  gtk_tree_view_column_set_min_width (column, 220);
  gtk_tree_view_column_set_max_width (column, 320);
  gtk_tree_selection_set_mode (gtk_tree_view_get_selection (self->engine_view), GTK_SELECTION_NONE);
  column = gtk_tree_view_column_new ();
  gtk_tree_view_column_set_title (column, _ ("Result"));
  cell = gtk_cell_renderer_pixbuf_new ();
  gtk_tree_view_column_pack_start (column, cell, FALSE);
  gtk_tree_view_column_add_attribute (column, cell, "icon-name", PETRI_ENGINE_COL_RESULT_ICON);
  cell = gtk_cell_renderer_text_new ();
  g_object_set (cell, "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_tree_view_column_pack_start (column, cell, FALSE);
  gtk_tree_view_column_add_attribute (column, cell, "text", PETRI_ENGINE_COL_RESULT);
  gtk_tree_view_append_column (self->engine_view, column);
  column = gtk_tree_view_column_new ();
  gtk_tree_view_column_set_title (column, _ ("Names"));
  cell = gtk_cell_renderer_text_new ();
  gtk_tree_view_column_pack_start (column, cell, FALSE);
  gtk_tree_view_column_add_attribute (column, cell, "markup", PETRI_ENGINE_COL_BADGE);
  cell = gtk_cell_renderer_text_new ();
  g_object_set (cell, "ellipsize", PANGO_ELLIPSIZE_END, NULL);
  gtk_tree_view_column_pack_start (column, cell, TRUE);
  gtk_tree_view_column_add_attribute (column, cell, "text", PETRI_ENGINE_COL_NAMES);
  gtk_tree_view_column_set_expand (column, TRUE);
  gtk_tree_view_append_column (self->engine_view, column);

  self->matches = petri_match_tree_new ();
  gtk_tree_view_set_model (self->matches_view, GTK_TREE_MODEL (self->matches));
  column = text_column_full (self->matches_view, _ ("Rule / string"), PETRI_MATCH_COL_NAME, FALSE,
                             FALSE, &cell);
  gtk_tree_view_column_add_attribute (column, cell, "weight", PETRI_MATCH_COL_WEIGHT);
  gtk_tree_view_column_set_min_width (column, 260);
  text_column (self->matches_view, _ ("Offset"), PETRI_MATCH_COL_OFFSET, TRUE, FALSE);
  text_column (self->matches_view, _ ("Data"), PETRI_MATCH_COL_VALUE, TRUE, TRUE);

  self->behavior = petri_behavior_tree_new ();
  gtk_tree_view_set_model (self->behavior_view, GTK_TREE_MODEL (self->behavior));
  column = text_column_full (self->behavior_view, _ ("Activity"), PETRI_BEHAVIOR_COL_TITLE, FALSE,
                             FALSE, &cell);
  gtk_tree_view_column_add_attribute (column, cell, "weight", PETRI_BEHAVIOR_COL_WEIGHT);
  gtk_tree_view_column_set_min_width (column, 260);
  text_column (self->behavior_view, _ ("Target"), PETRI_BEHAVIOR_COL_TARGET, TRUE, TRUE);
  /* The target takes what is left; who did it and when stay readable. */
  column
      = text_column (self->behavior_view, _ ("Process"), PETRI_BEHAVIOR_COL_PROCESS, FALSE, FALSE);
  gtk_tree_view_column_set_min_width (column, 160);
  column = text_column (self->behavior_view, _ ("Time"), PETRI_BEHAVIOR_COL_TIME, FALSE, FALSE);
  gtk_tree_view_column_set_min_width (column, 72);
  /* Every detail of an event (arguments, modes, results…) on hover. */
  gtk_tree_view_set_tooltip_column (self->behavior_view, PETRI_BEHAVIOR_COL_TOOLTIP);

  g_signal_connect (gtk_text_view_get_buffer (self->notes_view), "changed",
                    G_CALLBACK (notes_changed_cb), self);
  g_signal_connect (self->tags_entry, "changed", G_CALLBACK (tags_changed_cb), self);
}

static void
petri_detail_view_dispose (GObject *object)
{
  PetriDetailView *self = PETRI_DETAIL_VIEW (object);

  /* What was typed last is written before the view goes. */
  if (self->save_id != 0)
    save_now (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_object (&self->item);
  g_clear_object (&self->context);
  g_clear_pointer (&self->sample, json_node_unref);
  g_clear_object (&self->engines);
  g_clear_object (&self->matches);
  g_clear_object (&self->behavior);
  G_OBJECT_CLASS (petri_detail_view_parent_class)->dispose (object);
}

static void
petri_detail_view_finalize (GObject *object)
{
  PetriDetailView *self = PETRI_DETAIL_VIEW (object);

  g_free (self->case_name);
  g_free (self->sha256);
  g_free (self->name);
  g_free (self->last_sandbox);
  G_OBJECT_CLASS (petri_detail_view_parent_class)->finalize (object);
}

static void
petri_detail_view_class_init (PetriDetailViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = petri_detail_view_dispose;
  object_class->finalize = petri_detail_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               PETRI_RESOURCE_PATH "/petri-detail-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, stack);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, placeholder);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, notebook);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, verdict_image);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, verdict_detail);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, summary_grid);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, engine_view);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, new_detection_label);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, matches_stack);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, matches_view);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, behavior_stack);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, behavior_icon);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, behavior_notice);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, behavior_summary);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, behavior_view);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, notes_view);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, tags_entry);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, notes_status);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, summary_tab);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, detection_tab);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, behavior_tab);
  gtk_widget_class_bind_template_child (widget_class, PetriDetailView, notes_tab);
}

static void
petri_detail_view_init (PetriDetailView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  setup_views (self);
  gtk_stack_set_visible_child_name (self->stack, "none");
}
