/* petri-ui-util.h: small helpers shared by the widgets
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Called with the entered text, or NULL when the dialog was cancelled. */
typedef void (*PetriAskNameFunc) (const char *name, gpointer user_data);

/* A small modal dialog asking for a name (new case, rename). */
void petri_ask_name (GtkWindow *parent, const char *title, const char *label, const char *initial,
                     const char *accept_label, PetriAskNameFunc func, gpointer user_data,
                     GDestroyNotify destroy);

/* Asks to confirm something destructive; @func runs only on confirmation. */
void petri_confirm (GtkWindow *parent, const char *primary, const char *secondary,
                    const char *accept_label, GCallback func, gpointer user_data);

/* Lenient JSON getters: NULL / the default when missing or of another type. */
const char *petri_json_string (JsonObject *o, const char *member);
gint64 petri_json_int (JsonObject *o, const char *member, gint64 fallback);
JsonArray *petri_json_array (JsonObject *o, const char *member);
JsonObject *petri_json_object (JsonObject *o, const char *member);
/* A time member stored as Unix seconds or as an ISO 8601 string, shown in
 * local time; "" when missing. */
char *petri_json_time_text (JsonObject *o, const char *member);

void petri_set_accessible_name (GtkWidget *widget, const char *name);

G_END_DECLS
