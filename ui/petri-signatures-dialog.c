/* petri-signatures-dialog.c: the signature sets, imports and the retro-hunt
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Everything slow runs on a worker thread: listing the sets (YARA counts may
 * need a compile), importing (ClamAV loads each database to check it) and
 * reading the retro-hunt's hits. An import is all or nothing; once it is in,
 * the context sees the rewritten stamp and reloads the engines, and the
 * dialog shows the new counts when "engines-changed" arrives. A re-scan goes
 * through the pipeline like any scan; its items carry the request's id,
 * which is how the dialog counts them.
 */
#include "config.h"

#include "petri-signatures-dialog.h"

#include <glib/gi18n.h>
#include <string.h>

#include "petri-detail-models.h"
#include "petri-history.h"
#include "petri-ui-util.h"

enum
{
  SET_COL_ENGINE,
  SET_COL_NAME,
  SET_COL_COUNT,
  SET_COL_WHEN,
  SET_COL_PROBLEMS,
  SET_N_COLS
};

enum
{
  HUNT_COL_NAME,
  HUNT_COL_CASE,
  HUNT_COL_ENGINE,
  HUNT_COL_DETECTION,
  HUNT_COL_PREVIOUS,
  HUNT_COL_FIRST_SEEN,
  HUNT_COL_SHA256,
  HUNT_N_COLS
};

typedef enum
{
  BUSY_NONE,
  BUSY_IMPORT,
  BUSY_RESCAN,
} Busy;

struct _PetriSignaturesDialog
{
  GtkDialog parent_instance;

  /* Template children */
  GtkLabel *summary_label;
  GtkTreeView *sets_view;
  GtkLabel *folder_label;
  GtkExpander *warnings_expander;
  GtkLabel *warnings_label;
  GtkTextView *warnings_view;
  GtkButton *import_files_button;
  GtkButton *import_folder_button;
  GtkMenuButton *rescan_button;
  GtkRevealer *progress_revealer;
  GtkLabel *progress_label;
  GtkProgressBar *progress_bar;
  GtkButton *cancel_button;
  GtkInfoBar *message_bar;
  GtkLabel *message_label;
  GtkBox *hunt_box;
  GtkTreeView *hunt_view;

  GtkWidget *reload_button;
  GtkListStore *sets;
  GtkListStore *hunt;

  PetriContext *context;
  PetriPipeline *pipeline;
  char *case_name;
  gulong engines_changed_id;
  gulong items_added_id, items_changed_id;
  guint poll_id;
  guint pulse_id;

  Busy busy;
  GCancellable *cancellable; /* the running import or re-scan */
  GCancellable *life;        /* cancelled when the dialog goes */
  gboolean imported;         /* an import went in: the next engine reload is its */
  guint64 rescan_id;
  char *rescan_case;        /* NULL: every case */
  gint64 rescan_since;      /* Unix seconds */
  GHashTable *rescan_items; /* PetriItem → settled (GINT_TO_POINTER) */
  guint rescan_settled;
  guint rescan_total;
};

G_DEFINE_FINAL_TYPE (PetriSignaturesDialog, petri_signatures_dialog, GTK_TYPE_DIALOG)

enum
{
  RESCAN_FINISHED,
  OPEN_SAMPLE,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void list_sets (PetriSignaturesDialog *self);

/* ---------------------------------------------------------------------- */
/* Messages and progress                                                    */

static void
show_message (PetriSignaturesDialog *self, GtkMessageType type, const char *text)
{
  gtk_info_bar_set_message_type (self->message_bar, type);
  gtk_label_set_text (self->message_label, text);
  gtk_widget_show (GTK_WIDGET (self->message_bar));
}

static void
message_response_cb (GtkInfoBar *bar, int response, PetriSignaturesDialog *self)
{
  gtk_widget_hide (GTK_WIDGET (bar));
}

static gboolean
pulse_cb (gpointer data)
{
  PetriSignaturesDialog *self = data;

  gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

/* @fraction < 0: the bar pulses. */
static void
set_progress (PetriSignaturesDialog *self, const char *text, double fraction)
{
  gtk_label_set_text (self->progress_label, text);
  if (fraction < 0)
    {
      if (self->pulse_id == 0)
        self->pulse_id = g_timeout_add (120, pulse_cb, self);
    }
  else
    {
      g_clear_handle_id (&self->pulse_id, g_source_remove);
      gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
    }
}

static void
set_busy (PetriSignaturesDialog *self, Busy busy)
{
  gboolean idle = busy == BUSY_NONE;

  self->busy = busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_files_button), idle);
  gtk_widget_set_sensitive (GTK_WIDGET (self->import_folder_button), idle);
  gtk_widget_set_sensitive (GTK_WIDGET (self->rescan_button), idle && self->pipeline != NULL);
  gtk_widget_set_sensitive (self->reload_button, idle);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), !idle);
  gtk_revealer_set_reveal_child (self->progress_revealer, !idle);
  if (idle)
    {
      g_clear_handle_id (&self->pulse_id, g_source_remove);
      g_clear_object (&self->cancellable);
    }
  else
    {
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
    }
}

static void
cancel_clicked_cb (GtkButton *button, PetriSignaturesDialog *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  gtk_label_set_text (self->progress_label, _ ("Stopping…"));
  g_cancellable_cancel (self->cancellable);
}

/* ---------------------------------------------------------------------- */
/* What is in force                                                         */

static void
show_engines (PetriSignaturesDialog *self)
{
  g_autoptr (PetriEngineSet) engines = petri_context_get_engines (self->context);
  g_autoptr (GPtrArray) warnings = NULL;
  g_autoptr (GString) summary = NULL;
  g_autoptr (GString) text = NULL;

  if (engines == NULL)
    {
      gtk_label_set_text (self->summary_label, _ ("Loading signatures…"));
      return;
    }
  summary = g_string_new (NULL);
  for (guint i = 0; i < petri_engine_set_get_n_engines (engines); i++)
    {
      PetriEngine *e = petri_engine_set_get_engine (engines, i);
      guint n = petri_engine_get_signature_count (e);

      if (summary->len > 0)
        g_string_append (summary, " · ");
      /* Translators: engine name, version and signature count: "ClamAV 1.4.6: 11412 signatures" */
      g_string_append_printf (summary, ngettext ("%s %s: %u signature", "%s %s: %u signatures", n),
                              petri_engine_display_name (petri_engine_get_name (e)),
                              petri_engine_get_version (e), n);
    }
  if (summary->len == 0)
    g_string_append (summary, _ ("No detection engine is loaded: import signatures."));
  gtk_label_set_text (self->summary_label, summary->str);
  petri_set_accessible_name (GTK_WIDGET (self->summary_label), summary->str);

  warnings = petri_context_get_engine_warnings (self->context);
  text = g_string_new (NULL);
  for (guint i = 0; warnings != NULL && i < warnings->len; i++)
    g_string_append_printf (text, "%s\n", (const char *) g_ptr_array_index (warnings, i));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->warnings_view), text->str, -1);
  if (warnings != NULL && warnings->len > 0)
    {
      g_autofree char *label = g_strdup_printf (
          ngettext ("%u file could not be loaded", "%u files could not be loaded", warnings->len),
          warnings->len);
      gtk_label_set_text (self->warnings_label, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->warnings_expander),
                          warnings != NULL && warnings->len > 0);
}

static gboolean
poll_engines_cb (gpointer data)
{
  PetriSignaturesDialog *self = data;
  g_autoptr (PetriEngineSet) engines = petri_context_get_engines (self->context);

  if (engines == NULL)
    return G_SOURCE_CONTINUE;
  self->poll_id = 0;
  show_engines (self);
  return G_SOURCE_REMOVE;
}

static void
engines_changed_cb (PetriContext *context, PetriSignaturesDialog *self)
{
  show_engines (self);
  list_sets (self);
  if (self->imported)
    {
      self->imported = FALSE;
      if (self->busy == BUSY_NONE)
        {
          /* Translators: shown once imported signatures are loaded; %s lists the engines */
          g_autofree char *text = g_strdup_printf (_ ("The new signatures are in force: %s."),
                                                   gtk_label_get_text (self->summary_label));
          show_message (self, GTK_MESSAGE_INFO, text);
        }
    }
}

static void
reload_clicked_cb (GtkButton *button, PetriSignaturesDialog *self)
{
  gtk_label_set_text (self->summary_label, _ ("Reloading signatures…"));
  petri_context_reload_engines (self->context);
}

/* The sets on disk, with their counts, versions and dates. */
static void
list_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  JsonNode *sets = petri_signatures_list (task_data, &error);

  if (sets == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, sets, (GDestroyNotify) json_node_unref);
}

static void
sets_listed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) sets = g_task_propagate_pointer (G_TASK (result), &error);
  PetriSignaturesDialog *self = PETRI_SIGNATURES_DIALOG (source);
  JsonArray *array;

  if (g_cancellable_is_cancelled (self->life))
    return;
  if (sets == NULL)
    {
      show_message (self, GTK_MESSAGE_ERROR, error->message);
      return;
    }
  gtk_list_store_clear (self->sets);
  array = JSON_NODE_HOLDS_ARRAY (sets) ? json_node_get_array (sets) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      const char *engine = petri_json_string (o, "engine");
      const char *name = petri_json_string (o, "name");
      const char *date = petri_json_string (o, "date");
      JsonArray *errors = petri_json_array (o, "errors");
      gboolean folder = g_strcmp0 (petri_json_string (o, "kind"), "folder") == 0;
      g_autofree char *shown
          = g_strdup_printf ("%s%s", name != NULL ? name : "", folder ? "/" : "");
      g_autofree char *when = NULL;
      g_autofree char *problems = NULL;

      if (json_object_has_member (o, "version"))
        {
          g_autofree char *version
              = g_strdup_printf ("%" G_GINT64_FORMAT, petri_json_int (o, "version", 0));
          /* Translators: a ClamAV database version and its date: "27500 (2024-12-01)" */
          when = g_strdup_printf (_ ("%s (%s)"), version, date != NULL ? date : "—");
        }
      else
        when = g_strdup (date != NULL ? date : "—");
      if (errors != NULL && json_array_get_length (errors) > 0)
        problems = g_strdup_printf (ngettext ("%u file not loaded: %s", "%u files not loaded: %s",
                                              json_array_get_length (errors)),
                                    json_array_get_length (errors),
                                    json_array_get_string_element (errors, 0));
      gtk_list_store_insert_with_values (
          self->sets, NULL, -1, SET_COL_ENGINE,
          engine != NULL ? petri_engine_display_name (engine) : "", SET_COL_NAME, shown,
          SET_COL_COUNT, (guint) MAX (petri_json_int (o, "count", 0), 0), SET_COL_WHEN, when,
          SET_COL_PROBLEMS, problems != NULL ? problems : "", -1);
    }
}

static void
list_sets (PetriSignaturesDialog *self)
{
  g_autoptr (GTask) task = g_task_new (self, self->life, sets_listed_cb, NULL);

  g_task_set_source_tag (task, list_sets);
  g_task_set_task_data (task, g_strdup (petri_context_get_signatures_dir (self->context)), g_free);
  g_task_run_in_thread (task, list_thread);
}

/* ---------------------------------------------------------------------- */
/* Importing                                                                */

typedef struct
{
  char *signatures_dir;
  GStrv paths;
  GMainContext *main_context;
  PetriSignaturesDialog *dialog; /* strong */
} ImportData;

static void
import_data_free (ImportData *d)
{
  g_free (d->signatures_dir);
  g_strfreev (d->paths);
  g_main_context_unref (d->main_context);
  g_object_unref (d->dialog);
  g_free (d);
}

typedef struct
{
  PetriSignaturesDialog *dialog; /* strong */
  char *file;                    /* NULL: moving into place */
  guint index, total;
} Progress;

static void
progress_free (Progress *p)
{
  g_object_unref (p->dialog);
  g_free (p->file);
  g_free (p);
}

static gboolean
import_progress_idle (gpointer data)
{
  Progress *p = data;
  PetriSignaturesDialog *self = p->dialog;
  g_autofree char *text = NULL;
  g_autofree char *shown = NULL;

  if (self->busy != BUSY_IMPORT || g_cancellable_is_cancelled (self->cancellable))
    return G_SOURCE_REMOVE;
  if (p->file == NULL)
    {
      set_progress (self, _ ("Every file passed: moving the signatures into place…"), 1.0);
      return G_SOURCE_REMOVE;
    }
  shown = petri_display_name (p->file);
  /* Translators: the file being checked; "(2 of 5)" counts what was chosen */
  text = g_strdup_printf (_ ("Checking “%s” (%u of %u)…"), shown, p->index + 1, p->total);
  set_progress (self, text, p->total > 0 ? (double) p->index / p->total : -1);
  return G_SOURCE_REMOVE;
}

/* Importing thread. */
static void
import_progress (const char *file, guint index, guint total, gpointer user_data)
{
  ImportData *d = user_data;
  Progress *p = g_new0 (Progress, 1);

  p->dialog = g_object_ref (d->dialog);
  p->file = g_strdup (file);
  p->index = index;
  p->total = total;
  g_main_context_invoke_full (d->main_context, G_PRIORITY_DEFAULT, import_progress_idle, p,
                              (GDestroyNotify) progress_free);
}

static void
import_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ImportData *d = task_data;
  GPtrArray *imported = NULL;
  GError *error = NULL;

  if (!petri_signatures_import_full (d->signatures_dir, (const char *const *) d->paths,
                                     import_progress, d, &imported, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, imported, (GDestroyNotify) g_ptr_array_unref);
}

static void
imported_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PetriSignaturesDialog *self = PETRI_SIGNATURES_DIALOG (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) imported = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;

  if (g_cancellable_is_cancelled (self->life))
    return;
  set_busy (self, BUSY_NONE);
  if (imported == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        text = g_strdup (_ ("The import was stopped. Nothing was imported; the signatures in "
                            "force are unchanged."));
      else
        {
          g_autofree char *reason = g_strdup (error->message);

          g_strchomp (reason);
          if (g_str_has_suffix (reason, "."))
            reason[strlen (reason) - 1] = '\0';
          /* Translators: %s names the file that was refused and why */
          text = g_strdup_printf (_ ("Nothing was imported: %s. The signatures in force are "
                                     "unchanged."),
                                  reason);
        }
      show_message (self, GTK_MESSAGE_ERROR, text);
      return;
    }
  g_ptr_array_add (imported, NULL);
  {
    g_autofree char *lines = g_strjoinv ("; ", (char **) imported->pdata);
    /* Translators: %s lists what was imported: "yara: rules.yar (12 rules); clamav: …" */
    text = g_strdup_printf (_ ("Imported %s. Loading the new signatures…"), lines);
  }
  show_message (self, GTK_MESSAGE_INFO, text);
  gtk_label_set_text (self->summary_label, _ ("Loading the new signatures…"));
  /* The context sees the rewritten stamp and reloads the engines; the new
   * counts come with "engines-changed". */
  self->imported = TRUE;
  list_sets (self);
}

void
petri_signatures_dialog_import (PetriSignaturesDialog *self, const char *const *paths)
{
  g_autoptr (GTask) task = NULL;
  ImportData *d;

  g_return_if_fail (PETRI_IS_SIGNATURES_DIALOG (self));
  g_return_if_fail (paths != NULL);

  if (paths[0] == NULL || self->busy != BUSY_NONE)
    return;
  gtk_widget_hide (GTK_WIDGET (self->message_bar));
  set_busy (self, BUSY_IMPORT);
  set_progress (self, _ ("Starting the import…"), -1);

  d = g_new0 (ImportData, 1);
  d->signatures_dir = g_strdup (petri_context_get_signatures_dir (self->context));
  d->paths = g_strdupv ((char **) paths);
  d->main_context = g_main_context_ref_thread_default ();
  d->dialog = g_object_ref (self);
  task = g_task_new (self, self->cancellable, imported_cb, NULL);
  g_task_set_source_tag (task, petri_signatures_dialog_import);
  g_task_set_task_data (task, d, (GDestroyNotify) import_data_free);
  g_task_run_in_thread (task, import_thread);
}

static void
chooser_response_cb (GtkNativeDialog *chooser, int response, PetriSignaturesDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      GSList *files = gtk_file_chooser_get_filenames (GTK_FILE_CHOOSER (chooser));
      g_autoptr (GPtrArray) paths = g_ptr_array_new ();

      for (GSList *l = files; l != NULL; l = l->next)
        g_ptr_array_add (paths, l->data);
      g_ptr_array_add (paths, NULL);
      petri_signatures_dialog_import (self, (const char *const *) paths->pdata);
      g_slist_free_full (files, g_free);
    }
  g_object_unref (chooser);
}

static void
choose (PetriSignaturesDialog *self, gboolean folders)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
      folders ? _ ("Import YARA Rule Folders") : _ ("Import Signature Files"), GTK_WINDOW (self),
      folders ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Import"),
      _ ("_Cancel"));

  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_file_chooser_set_local_only (GTK_FILE_CHOOSER (chooser), TRUE);
  if (!folders)
    {
      GtkFileFilter *all = gtk_file_filter_new ();
      GtkFileFilter *sigs = gtk_file_filter_new ();
      static const char *const patterns[]
          = { "*.yar", "*.yara", "*.cvd", "*.cld",  "*.cud", "*.hdb", "*.hsb", "*.hdu",
              "*.hsu", "*.mdb",  "*.msb", "*.mdu",  "*.msu", "*.ndb", "*.ndu", "*.ldb",
              "*.ldu", "*.idb",  "*.cdb", "*.cbc",  "*.pdb", "*.gdb", "*.wdb", "*.ftm",
              "*.fp",  "*.sfp",  "*.ign", "*.ign2", "*.crb", "*.cat", "*.info" };

      gtk_file_filter_set_name (sigs, _ ("Signature files"));
      for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
        gtk_file_filter_add_pattern (sigs, patterns[i]);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), sigs);
      gtk_file_filter_set_name (all, _ ("All files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
    }
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
import_files_clicked_cb (GtkButton *button, PetriSignaturesDialog *self)
{
  choose (self, FALSE);
}

static void
import_folder_clicked_cb (GtkButton *button, PetriSignaturesDialog *self)
{
  choose (self, TRUE);
}

/* ---------------------------------------------------------------------- */
/* The retro-hunt                                                           */

static void
rescan_progress (PetriSignaturesDialog *self)
{
  g_autofree char *text = NULL;

  if (self->rescan_total == 0)
    {
      set_progress (self, _ ("Listing the stored samples…"), -1);
      return;
    }
  /* Translators: progress of a re-scan: "Re-scanning: 3 of 10 samples" */
  text = g_strdup_printf (ngettext ("Re-scanning: %u of %u sample", "Re-scanning: %u of %u samples",
                                    self->rescan_total),
                          self->rescan_settled, self->rescan_total);
  set_progress (self, text, (double) self->rescan_settled / self->rescan_total);
}

static void
count_items (PetriSignaturesDialog *self, GPtrArray *items)
{
  gboolean moved = FALSE;

  if (self->busy != BUSY_RESCAN)
    return;
  for (guint i = 0; i < items->len; i++)
    {
      PetriItem *item = g_ptr_array_index (items, i);
      gpointer settled;

      if (petri_item_get_request (item) != self->rescan_id || petri_item_is_folder (item))
        continue;
      if (!g_hash_table_lookup_extended (self->rescan_items, item, NULL, &settled))
        {
          g_hash_table_insert (self->rescan_items, g_object_ref (item), GINT_TO_POINTER (FALSE));
          self->rescan_total++;
          settled = GINT_TO_POINTER (FALSE);
          moved = TRUE;
        }
      if (!GPOINTER_TO_INT (settled) && petri_item_is_settled (item))
        {
          g_hash_table_insert (self->rescan_items, g_object_ref (item), GINT_TO_POINTER (TRUE));
          self->rescan_settled++;
          moved = TRUE;
        }
    }
  if (moved)
    rescan_progress (self);
}

static void
items_cb (PetriPipeline *pipeline, GPtrArray *items, PetriSignaturesDialog *self)
{
  count_items (self, items);
}

typedef struct
{
  PetriCaseStore *store;
  gint64 since;
} HuntData;

static void
hunt_data_free (HuntData *d)
{
  g_object_unref (d->store);
  g_free (d);
}

static void
hunt_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  HuntData *d = task_data;
  GError *error = NULL;
  JsonNode *hits = petri_history_query_new_since (d->store, d->since, cancellable, &error);

  if (hits == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, hits, (GDestroyNotify) json_node_unref);
}

static void
hunted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PetriSignaturesDialog *self = PETRI_SIGNATURES_DIALOG (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) hits = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr (GHashTable) samples = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;
  g_autofree char *text = NULL;
  guint n_scanned = self->rescan_total;

  if (g_cancellable_is_cancelled (self->life))
    return;
  set_busy (self, BUSY_NONE);
  g_signal_emit (self, signals[RESCAN_FINISHED], 0);
  if (hits == NULL)
    {
      /* Translators: %s says why the new detections could not be listed */
      text = g_strdup_printf (_ ("The samples were re-scanned, but the new detections could not "
                                 "be listed: %s"),
                              error->message);
      show_message (self, GTK_MESSAGE_ERROR, text);
      return;
    }
  gtk_list_store_clear (self->hunt);
  array = JSON_NODE_HOLDS_ARRAY (hits) ? json_node_get_array (hits) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      const char *case_name = petri_json_string (o, "case");
      const char *sha256 = petri_json_string (o, "sha256");
      const char *engine = petri_json_string (o, "engine");
      const char *previous = petri_json_string (o, "previous_result");
      g_autofree char *first_seen = petri_json_time_text (o, "first_seen");

      if (sha256 == NULL
          || (self->rescan_case != NULL && g_strcmp0 (case_name, self->rescan_case) != 0))
        continue;
      g_hash_table_add (samples, (gpointer) sha256);
      gtk_list_store_insert_with_values (
          self->hunt, NULL, -1, HUNT_COL_NAME,
          petri_json_string (o, "name") != NULL ? petri_json_string (o, "name") : sha256,
          HUNT_COL_CASE, case_name, HUNT_COL_ENGINE,
          engine != NULL ? petri_engine_display_name (engine) : "", HUNT_COL_DETECTION,
          petri_json_string (o, "detection"), HUNT_COL_PREVIOUS,
          g_strcmp0 (previous, "clean") == 0 ? _ ("Clean")
          : previous != NULL                 ? previous
                                             : "",
          HUNT_COL_FIRST_SEEN, first_seen, HUNT_COL_SHA256, sha256, -1);
    }
  gtk_widget_show (GTK_WIDGET (self->hunt_box));
  if (g_hash_table_size (samples) == 0)
    /* Translators: after a re-scan; %u is how many samples were scanned */
    text = g_strdup_printf (ngettext ("Re-scanned %u sample: no new detection.",
                                      "Re-scanned %u samples: no new detection.", n_scanned),
                            n_scanned);
  else
    {
      guint n_new = g_hash_table_size (samples);
      g_autofree char *first = g_strdup_printf (
          ngettext ("Re-scanned %u sample:", "Re-scanned %u samples:", n_scanned), n_scanned);
      /* Translators: the first %s is "Re-scanned N samples:" */
      text = g_strdup_printf (
          ngettext ("%s %u has a new detection.", "%s %u have a new detection.", n_new), first,
          n_new);
    }
  show_message (self, GTK_MESSAGE_INFO, text);
}

static void
rescanned_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PetriSignaturesDialog *self = user_data; /* strong */
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = NULL;
  guint n = 0;
  HuntData *d;

  if (!petri_pipeline_rescan_finish (self->pipeline, result, &n, &error))
    {
      if (!g_cancellable_is_cancelled (self->life))
        {
          g_autofree char *text = NULL;

          set_busy (self, BUSY_NONE);
          g_signal_emit (self, signals[RESCAN_FINISHED], 0);
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            /* Translators: a re-scan was stopped; "3 of 10 samples" */
            text = g_strdup_printf (ngettext ("The re-scan was stopped after %u of %u sample.",
                                              "The re-scan was stopped after %u of %u samples.",
                                              self->rescan_total),
                                    self->rescan_settled, self->rescan_total);
          else
            text = g_strdup (error->message);
          show_message (self, GTK_MESSAGE_WARNING, text);
        }
      g_object_unref (self);
      return;
    }
  if (g_cancellable_is_cancelled (self->life))
    {
      g_object_unref (self);
      return;
    }
  self->rescan_total = MAX (self->rescan_total, n);
  self->rescan_settled = self->rescan_total;
  set_progress (self, _ ("Listing the new detections…"), -1);
  d = g_new0 (HuntData, 1);
  d->store = g_object_ref (petri_context_get_store (self->context));
  d->since = self->rescan_since;
  task = g_task_new (self, self->life, hunted_cb, NULL);
  g_task_set_source_tag (task, rescanned_cb);
  g_task_set_task_data (task, d, (GDestroyNotify) hunt_data_free);
  g_task_run_in_thread (task, hunt_thread);
  g_object_unref (self);
}

static void
start_rescan (PetriSignaturesDialog *self, const char *case_name)
{
  if (self->busy != BUSY_NONE || self->pipeline == NULL)
    return;
  gtk_widget_hide (GTK_WIDGET (self->message_bar));
  set_busy (self, BUSY_RESCAN);
  g_free (self->rescan_case);
  self->rescan_case = g_strdup (case_name);
  g_hash_table_remove_all (self->rescan_items);
  self->rescan_total = self->rescan_settled = 0;
  /* Detections first seen from this second on are the re-scan's. */
  self->rescan_since = g_get_real_time () / G_USEC_PER_SEC;
  rescan_progress (self);
  self->rescan_id
      = petri_pipeline_rescan_async (self->pipeline, case_name, PETRI_RESCAN_ALL, self->cancellable,
                                     rescanned_cb, g_object_ref (self));
}

static void
rescan_case_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PetriSignaturesDialog *self = user_data;

  if (self->case_name != NULL)
    start_rescan (self, self->case_name);
}

static void
rescan_all_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  start_rescan (PETRI_SIGNATURES_DIALOG (user_data), NULL);
}

static void
hunt_row_activated_cb (GtkTreeView *view, GtkTreePath *path, GtkTreeViewColumn *column,
                       PetriSignaturesDialog *self)
{
  GtkTreeIter iter;
  g_autofree char *case_name = NULL;
  g_autofree char *sha256 = NULL;

  if (!gtk_tree_model_get_iter (GTK_TREE_MODEL (self->hunt), &iter, path))
    return;
  gtk_tree_model_get (GTK_TREE_MODEL (self->hunt), &iter, HUNT_COL_CASE, &case_name,
                      HUNT_COL_SHA256, &sha256, -1);
  if (case_name != NULL && sha256 != NULL)
    g_signal_emit (self, signals[OPEN_SAMPLE], 0, case_name, sha256);
}

/* ---------------------------------------------------------------------- */
/* Set-up                                                                   */

static void
add_column (GtkTreeView *view, const char *title, int col, gboolean expand, float xalign)
{
  GtkCellRenderer *cell = gtk_cell_renderer_text_new ();
  GtkTreeViewColumn *c = gtk_tree_view_column_new_with_attributes (title, cell, "text", col, NULL);

  g_object_set (cell, "xalign", xalign, "ellipsize", PANGO_ELLIPSIZE_END, NULL);
  gtk_tree_view_column_set_expand (c, expand);
  gtk_tree_view_column_set_resizable (c, TRUE);
  gtk_tree_view_column_set_sort_column_id (c, col);
  gtk_tree_view_append_column (view, c);
}

static void
petri_signatures_dialog_dispose (GObject *object)
{
  PetriSignaturesDialog *self = PETRI_SIGNATURES_DIALOG (object);

  /* Closing stops what runs: an import is all or nothing, so nothing
   * changes; a re-scan keeps what it scanned so far. */
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->life);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  if (self->context != NULL)
    g_clear_signal_handler (&self->engines_changed_id, self->context);
  if (self->pipeline != NULL)
    {
      g_clear_signal_handler (&self->items_added_id, self->pipeline);
      g_clear_signal_handler (&self->items_changed_id, self->pipeline);
    }
  /* The rows' accessibles go with the models, before the views do (a
   * screen reader may still hold them). */
  if (self->sets_view != NULL && self->sets != NULL)
    gtk_tree_view_set_model (self->sets_view, NULL);
  if (self->hunt_view != NULL && self->hunt != NULL)
    gtk_tree_view_set_model (self->hunt_view, NULL);
  if (self->rescan_button != NULL)
    gtk_menu_button_set_menu_model (self->rescan_button, NULL);
  g_clear_object (&self->sets);
  g_clear_object (&self->hunt);
  g_clear_pointer (&self->rescan_items, g_hash_table_unref);
  G_OBJECT_CLASS (petri_signatures_dialog_parent_class)->dispose (object);
}

static void
petri_signatures_dialog_finalize (GObject *object)
{
  PetriSignaturesDialog *self = PETRI_SIGNATURES_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->life);
  g_clear_object (&self->context);
  g_clear_object (&self->pipeline);
  g_free (self->case_name);
  g_free (self->rescan_case);
  G_OBJECT_CLASS (petri_signatures_dialog_parent_class)->finalize (object);
}

static void
petri_signatures_dialog_class_init (PetriSignaturesDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = petri_signatures_dialog_dispose;
  object_class->finalize = petri_signatures_dialog_finalize;

  signals[RESCAN_FINISHED] = g_signal_new ("rescan-finished", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[OPEN_SAMPLE]
      = g_signal_new ("open-sample", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               PETRI_RESOURCE_PATH "/petri-signatures-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, sets_view);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, folder_label);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, warnings_expander);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, warnings_label);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, warnings_view);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, import_files_button);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, import_folder_button);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, rescan_button);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, message_bar);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, hunt_box);
  gtk_widget_class_bind_template_child (widget_class, PetriSignaturesDialog, hunt_view);
  gtk_widget_class_bind_template_callback (widget_class, import_files_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, import_folder_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, message_response_cb);
  gtk_widget_class_bind_template_callback (widget_class, hunt_row_activated_cb);
}

static void
petri_signatures_dialog_init (PetriSignaturesDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->life = g_cancellable_new ();
  self->rescan_items = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);

  self->sets = gtk_list_store_new (SET_N_COLS, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT,
                                   G_TYPE_STRING, G_TYPE_STRING);
  gtk_tree_view_set_model (self->sets_view, GTK_TREE_MODEL (self->sets));
  add_column (self->sets_view, _ ("Engine"), SET_COL_ENGINE, FALSE, 0);
  add_column (self->sets_view, _ ("Set"), SET_COL_NAME, TRUE, 0);
  add_column (self->sets_view, _ ("Signatures"), SET_COL_COUNT, FALSE, 1);
  add_column (self->sets_view, _ ("Version / date"), SET_COL_WHEN, FALSE, 0);
  add_column (self->sets_view, _ ("Problems"), SET_COL_PROBLEMS, TRUE, 0);

  self->hunt = gtk_list_store_new (HUNT_N_COLS, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                                   G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  gtk_tree_view_set_model (self->hunt_view, GTK_TREE_MODEL (self->hunt));
  add_column (self->hunt_view, _ ("Sample"), HUNT_COL_NAME, TRUE, 0);
  add_column (self->hunt_view, _ ("Case"), HUNT_COL_CASE, FALSE, 0);
  add_column (self->hunt_view, _ ("Engine"), HUNT_COL_ENGINE, FALSE, 0);
  add_column (self->hunt_view, _ ("Detection"), HUNT_COL_DETECTION, TRUE, 0);
  add_column (self->hunt_view, _ ("Before"), HUNT_COL_PREVIOUS, FALSE, 0);
  add_column (self->hunt_view, _ ("First seen"), HUNT_COL_FIRST_SEEN, FALSE, 0);
}

PetriSignaturesDialog *
petri_signatures_dialog_new (GtkWindow *parent, PetriContext *context, PetriPipeline *pipeline,
                             const char *case_name)
{
  static const GActionEntry actions[] = {
    { "rescan-case", rescan_case_activated, NULL, NULL, NULL, { 0 } },
    { "rescan-all", rescan_all_activated, NULL, NULL, NULL, { 0 } },
  };
  PetriSignaturesDialog *self;
  g_autoptr (GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr (GMenu) menu = g_menu_new ();
  g_autofree char *folder = NULL;
  GtkWidget *header;

  g_return_val_if_fail (PETRI_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (pipeline == NULL || PETRI_IS_PIPELINE (pipeline), NULL);

  self = g_object_new (PETRI_TYPE_SIGNATURES_DIALOG, "use-header-bar", TRUE, "transient-for",
                       parent, NULL);
  self->context = g_object_ref (context);
  self->pipeline = pipeline != NULL ? g_object_ref (pipeline) : NULL;
  self->case_name = g_strdup (case_name);

  header = gtk_dialog_get_header_bar (GTK_DIALOG (self));
  self->reload_button = gtk_button_new_with_mnemonic (_ ("_Reload"));
  gtk_widget_set_tooltip_text (self->reload_button,
                               _ ("Load the signature folder again; scans in progress finish "
                                  "with the signatures they started with"));
  g_signal_connect (self->reload_button, "clicked", G_CALLBACK (reload_clicked_cb), self);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), self->reload_button);
  gtk_widget_show (self->reload_button);

  /* Translators: %s is the folder the signatures are loaded from */
  folder = g_strdup_printf (_ ("Signature folder: %s"), petri_context_get_signatures_dir (context));
  gtk_label_set_text (self->folder_label, folder);

  g_action_map_add_action_entries (G_ACTION_MAP (group), actions, G_N_ELEMENTS (actions), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "sigs", G_ACTION_GROUP (group));
  if (case_name != NULL)
    {
      /* Translators: a menu item; %s is the case name */
      g_autofree char *label = g_strdup_printf (_ ("This Case (%s)"), case_name);
      g_menu_append (menu, label, "sigs.rescan-case");
    }
  g_menu_append (menu, _ ("All Cases"), "sigs.rescan-all");
  gtk_menu_button_set_menu_model (self->rescan_button, G_MENU_MODEL (menu));

  self->engines_changed_id
      = g_signal_connect (context, "engines-changed", G_CALLBACK (engines_changed_cb), self);
  if (pipeline != NULL)
    {
      self->items_added_id
          = g_signal_connect (pipeline, "items-added", G_CALLBACK (items_cb), self);
      self->items_changed_id
          = g_signal_connect (pipeline, "items-changed", G_CALLBACK (items_cb), self);
    }
  set_busy (self, BUSY_NONE);
  show_engines (self);
  {
    g_autoptr (PetriEngineSet) engines = petri_context_get_engines (context);
    if (engines == NULL)
      self->poll_id = g_timeout_add (250, poll_engines_cb, self);
  }
  list_sets (self);
  return self;
}
