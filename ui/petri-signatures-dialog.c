/* petri-signatures-dialog.c: the signature sets in force
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-signatures-dialog.h"

#include <glib/gi18n.h>

#include "petri-detail-models.h"
#include "petri-ui-util.h"

enum
{
  COL_ENGINE,
  COL_VERSION,
  COL_COUNT,
  COL_DESCRIPTION,
  N_COLS
};

typedef struct
{
  PetriContext *context;
  GtkListStore *store;
  GtkLabel *status;
  GtkTextBuffer *warnings;
  GtkWidget *warnings_box;
  GtkWidget *reload_button;
  guint poll_id;
  gulong changed_id;
} Dialog;

static void
dialog_free (Dialog *d)
{
  g_clear_handle_id (&d->poll_id, g_source_remove);
  g_clear_signal_handler (&d->changed_id, d->context);
  g_clear_object (&d->context);
  g_clear_object (&d->store);
  g_free (d);
}

static gboolean
fill (Dialog *d)
{
  g_autoptr (PetriEngineSet) engines = petri_context_get_engines (d->context);
  g_autoptr (GPtrArray) warnings = NULL;
  GString *text;

  if (engines == NULL)
    {
      gtk_label_set_text (d->status, _ ("Loading signatures…"));
      gtk_widget_set_sensitive (d->reload_button, FALSE);
      return FALSE;
    }
  gtk_list_store_clear (d->store);
  for (guint i = 0; i < petri_engine_set_get_n_engines (engines); i++)
    {
      PetriEngine *e = petri_engine_set_get_engine (engines, i);
      gtk_list_store_insert_with_values (d->store, NULL, -1, COL_ENGINE,
                                         petri_engine_display_name (petri_engine_get_name (e)),
                                         COL_VERSION, petri_engine_get_version (e), COL_COUNT,
                                         petri_engine_get_signature_count (e), COL_DESCRIPTION,
                                         petri_engine_get_signatures (e), -1);
    }
  {
    /* Translators: %s is the folder the signatures are loaded from */
    g_autofree char *status
        = g_strdup_printf (_ ("Loaded from %s"), petri_context_get_signatures_dir (d->context));
    gtk_label_set_text (d->status, status);
  }
  warnings = petri_context_get_engine_warnings (d->context);
  text = g_string_new (NULL);
  for (guint i = 0; warnings != NULL && i < warnings->len; i++)
    g_string_append_printf (text, "%s\n", (const char *) g_ptr_array_index (warnings, i));
  gtk_text_buffer_set_text (d->warnings, text->str, -1);
  gtk_widget_set_visible (d->warnings_box, text->len > 0);
  g_string_free (text, TRUE);
  gtk_widget_set_sensitive (d->reload_button, TRUE);
  return TRUE;
}

static gboolean
poll_cb (gpointer data)
{
  Dialog *d = data;

  if (!fill (d))
    return G_SOURCE_CONTINUE;
  d->poll_id = 0;
  return G_SOURCE_REMOVE;
}

static void
engines_changed_cb (PetriContext *context, Dialog *d)
{
  fill (d);
}

static void
reload_clicked_cb (GtkButton *button, Dialog *d)
{
  gtk_widget_set_sensitive (d->reload_button, FALSE);
  gtk_label_set_text (d->status, _ ("Reloading signatures…"));
  petri_context_reload_engines (d->context);
}

static GtkWidget *
column (GtkTreeView *view, const char *title, int col, gboolean expand, float xalign)
{
  GtkCellRenderer *cell = gtk_cell_renderer_text_new ();
  GtkTreeViewColumn *c = gtk_tree_view_column_new_with_attributes (title, cell, "text", col, NULL);

  g_object_set (cell, "xalign", xalign, "ellipsize", PANGO_ELLIPSIZE_END, NULL);
  gtk_tree_view_column_set_expand (c, expand);
  gtk_tree_view_column_set_resizable (c, TRUE);
  gtk_tree_view_append_column (view, c);
  return GTK_WIDGET (view);
}

GtkWidget *
petri_signatures_dialog_new (GtkWindow *parent, PetriContext *context)
{
  GtkWidget *dialog
      = g_object_new (GTK_TYPE_DIALOG, "use-header-bar", TRUE, "title", _ ("Signatures"),
                      "transient-for", parent, "modal", TRUE, "destroy-with-parent", TRUE,
                      "default-width", 720, "default-height", 420, NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *scrolled = gtk_scrolled_window_new (NULL, NULL);
  GtkWidget *view, *label, *warnings_view, *wscroll;
  GtkWidget *header = gtk_dialog_get_header_bar (GTK_DIALOG (dialog));
  Dialog *d = g_new0 (Dialog, 1);

  d->context = g_object_ref (context);
  d->store = gtk_list_store_new (N_COLS, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_STRING);

  g_object_set (box, "margin", 12, NULL);
  view = gtk_tree_view_new_with_model (GTK_TREE_MODEL (d->store));
  petri_set_accessible_name (view, _ ("Signature sets"));
  column (GTK_TREE_VIEW (view), _ ("Engine"), COL_ENGINE, FALSE, 0);
  column (GTK_TREE_VIEW (view), _ ("Version"), COL_VERSION, FALSE, 0);
  column (GTK_TREE_VIEW (view), _ ("Signatures"), COL_COUNT, FALSE, 1);
  column (GTK_TREE_VIEW (view), _ ("Set"), COL_DESCRIPTION, TRUE, 0);
  gtk_scrolled_window_set_shadow_type (GTK_SCROLLED_WINDOW (scrolled), GTK_SHADOW_IN);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_container_add (GTK_CONTAINER (scrolled), view);
  gtk_box_pack_start (GTK_BOX (box), scrolled, FALSE, TRUE, 0);

  label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_style_context_add_class (gtk_widget_get_style_context (label), "dim-label");
  d->status = GTK_LABEL (label);
  gtk_box_pack_start (GTK_BOX (box), label, FALSE, FALSE, 0);

  d->warnings_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  label = gtk_label_new (_ ("Files that could not be loaded"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_style_context_add_class (gtk_widget_get_style_context (label), "petri-heading");
  gtk_box_pack_start (GTK_BOX (d->warnings_box), label, FALSE, FALSE, 0);
  warnings_view = gtk_text_view_new ();
  gtk_text_view_set_editable (GTK_TEXT_VIEW (warnings_view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (warnings_view), TRUE);
  d->warnings = gtk_text_view_get_buffer (GTK_TEXT_VIEW (warnings_view));
  wscroll = gtk_scrolled_window_new (NULL, NULL);
  gtk_scrolled_window_set_shadow_type (GTK_SCROLLED_WINDOW (wscroll), GTK_SHADOW_IN);
  gtk_container_add (GTK_CONTAINER (wscroll), warnings_view);
  gtk_widget_set_vexpand (wscroll, TRUE);
  gtk_box_pack_start (GTK_BOX (d->warnings_box), wscroll, TRUE, TRUE, 0);
  gtk_box_pack_start (GTK_BOX (box), d->warnings_box, TRUE, TRUE, 0);

  d->reload_button = gtk_button_new_with_mnemonic (_ ("_Reload"));
  gtk_widget_set_tooltip_text (d->reload_button,
                               _ ("Load the signature folder again; scans in progress finish "
                                  "with the signatures they started with"));
  g_signal_connect (d->reload_button, "clicked", G_CALLBACK (reload_clicked_cb), d);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), d->reload_button);
  gtk_widget_show (d->reload_button);

  gtk_container_add (GTK_CONTAINER (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), box);
  gtk_widget_show_all (box);
  gtk_widget_hide (d->warnings_box);

  if (g_signal_lookup ("engines-changed", PETRI_TYPE_CONTEXT) != 0)
    d->changed_id
        = g_signal_connect (context, "engines-changed", G_CALLBACK (engines_changed_cb), d);
  if (!fill (d))
    d->poll_id = g_timeout_add (250, poll_cb, d);
  g_object_set_data_full (G_OBJECT (dialog), "petri-signatures", d, (GDestroyNotify) dialog_free);
  return dialog;
}
