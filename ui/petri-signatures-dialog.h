/* petri-signatures-dialog.h: the signature sets in force
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "petri-app.h"

G_BEGIN_DECLS

GtkWidget *petri_signatures_dialog_new (GtkWindow *parent, PetriContext *context);

G_END_DECLS
