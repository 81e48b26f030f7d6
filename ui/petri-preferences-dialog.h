/* petri-preferences-dialog.h: worker count, scan limits and the sandbox's limits
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* @settings may be NULL (schema not installed): the dialog then says so.
 * @data_dir (nullable until the data directory is open) holds sandbox.conf,
 * where the sandbox's analysis duration and size limit live. */
GtkWidget *petri_preferences_dialog_new (GtkWindow *parent, GSettings *settings,
                                         const char *data_dir);

G_END_DECLS
