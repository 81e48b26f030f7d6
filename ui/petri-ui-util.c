/* petri-ui-util.c: small helpers shared by the widgets
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-ui-util.h"

#include <glib/gi18n.h>

typedef struct
{
  PetriAskNameFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  GtkEntry *entry;
} AskData;

static void
ask_data_free (gpointer data)
{
  AskData *ask = data;

  if (ask->destroy != NULL)
    ask->destroy (ask->user_data);
  g_free (ask);
}

static void
ask_response_cb (GtkDialog *dialog, int response, AskData *ask)
{
  g_autofree char *text = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    text = g_strstrip (g_strdup (gtk_entry_get_text (ask->entry)));
  if (response == GTK_RESPONSE_ACCEPT && (text == NULL || *text == '\0'))
    return;
  ask->func (text, ask->user_data);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
ask_entry_changed_cb (GtkEntry *entry, GtkDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_entry_get_text (entry)));

  gtk_dialog_set_response_sensitive (dialog, GTK_RESPONSE_ACCEPT, *text != '\0');
}

void
petri_ask_name (GtkWindow *parent, const char *title, const char *label, const char *initial,
                const char *accept_label, PetriAskNameFunc func, gpointer user_data,
                GDestroyNotify destroy)
{
  GtkWidget *dialog, *box, *lbl, *entry;
  AskData *ask = g_new0 (AskData, 1);

  dialog = g_object_new (GTK_TYPE_DIALOG, "use-header-bar", TRUE, "title", title, "modal", TRUE,
                         "transient-for", parent, "resizable", FALSE, NULL);
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _ ("_Cancel"), GTK_RESPONSE_CANCEL, accept_label,
                          GTK_RESPONSE_ACCEPT, NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  gtk_style_context_add_class (gtk_widget_get_style_context (gtk_dialog_get_widget_for_response (
                                   GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT)),
                               "suggested-action");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  g_object_set (box, "margin", 18, NULL);
  lbl = gtk_label_new_with_mnemonic (label);
  gtk_label_set_xalign (GTK_LABEL (lbl), 0);
  entry = gtk_entry_new ();
  gtk_entry_set_text (GTK_ENTRY (entry), initial != NULL ? initial : "");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_width_chars (GTK_ENTRY (entry), 36);
  gtk_label_set_mnemonic_widget (GTK_LABEL (lbl), entry);
  gtk_container_add (GTK_CONTAINER (box), lbl);
  gtk_container_add (GTK_CONTAINER (box), entry);
  gtk_container_add (GTK_CONTAINER (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), box);
  gtk_widget_show_all (box);

  ask->func = func;
  ask->user_data = user_data;
  ask->destroy = destroy;
  ask->entry = GTK_ENTRY (entry);
  g_signal_connect (entry, "changed", G_CALLBACK (ask_entry_changed_cb), dialog);
  ask_entry_changed_cb (GTK_ENTRY (entry), GTK_DIALOG (dialog));
  g_signal_connect_data (dialog, "response", G_CALLBACK (ask_response_cb), ask,
                         (GClosureNotify) (void (*) (void)) ask_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  GCallback func;
  gpointer user_data;
} ConfirmData;

static void
confirm_response_cb (GtkDialog *dialog, int response, ConfirmData *data)
{
  if (response == GTK_RESPONSE_ACCEPT)
    ((void (*) (gpointer)) data->func) (data->user_data);
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

void
petri_confirm (GtkWindow *parent, const char *primary, const char *secondary,
               const char *accept_label, GCallback func, gpointer user_data)
{
  GtkWidget *dialog
      = gtk_message_dialog_new (parent, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE, "%s", primary);
  ConfirmData *data = g_new0 (ConfirmData, 1);
  GtkWidget *button;

  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", secondary);
  gtk_dialog_add_button (GTK_DIALOG (dialog), _ ("_Cancel"), GTK_RESPONSE_CANCEL);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), accept_label, GTK_RESPONSE_ACCEPT);
  gtk_style_context_add_class (gtk_widget_get_style_context (button), "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  data->func = func;
  data->user_data = user_data;
  g_signal_connect_data (dialog, "response", G_CALLBACK (confirm_response_cb), data,
                         (GClosureNotify) (void (*) (void)) g_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

const char *
petri_json_string (JsonObject *o, const char *member)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

gint64
petri_json_int (JsonObject *o, const char *member, gint64 fallback)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return fallback;
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_INT64:
      return json_node_get_int (n);
    case G_TYPE_DOUBLE:
      return (gint64) json_node_get_double (n);
    case G_TYPE_BOOLEAN:
      return json_node_get_boolean (n);
    default:
      return fallback;
    }
}

JsonArray *
petri_json_array (JsonObject *o, const char *member)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

  return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

JsonObject *
petri_json_object (JsonObject *o, const char *member)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

char *
petri_json_time_text (JsonObject *o, const char *member)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return g_strdup ("");
  if (json_node_get_value_type (n) == G_TYPE_STRING)
    utc = g_date_time_new_from_iso8601 (json_node_get_string (n), NULL);
  else
    utc = g_date_time_new_from_unix_utc (petri_json_int (o, member, 0));
  if (utc == NULL)
    return g_strdup (json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n) : "");
  local = g_date_time_to_local (utc);
  /* Translators: a date and time as strftime() formats it; keep it short */
  return g_date_time_format (local, _ ("%Y-%m-%d %H:%M"));
}

void
petri_set_accessible_name (GtkWidget *widget, const char *name)
{
  atk_object_set_name (gtk_widget_get_accessible (widget), name);
}
