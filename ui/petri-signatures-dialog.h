/* petri-signatures-dialog.h: the signature sets, imports and the retro-hunt
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "petri-app.h"

G_BEGIN_DECLS

#define PETRI_TYPE_SIGNATURES_DIALOG (petri_signatures_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PetriSignaturesDialog, petri_signatures_dialog, PETRI, SIGNATURES_DIALOG,
                      GtkDialog)

/* Signals:
 *   "rescan-finished" ()                                  a re-scan ended
 *   "open-sample"     (const char *case, const char *sha256)  a new detection was activated
 * @case_name: the window's case (nullable: only "All Cases" can be re-scanned). */
PetriSignaturesDialog *petri_signatures_dialog_new (GtkWindow *parent, PetriContext *context,
                                                    PetriPipeline *pipeline, const char *case_name);

/* Starts an import of @paths (raw file-system paths), as the file chooser does. */
void petri_signatures_dialog_import (PetriSignaturesDialog *self, const char *const *paths);

G_END_DECLS
