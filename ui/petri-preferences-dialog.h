/* petri-preferences-dialog.h: worker count and scan limits
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* @settings may be NULL (schema not installed): the dialog then says so. */
GtkWidget *petri_preferences_dialog_new (GtkWindow *parent, GSettings *settings);

G_END_DECLS
