/* petri-sandbox-dialog.h: the sandbox's health and its set-up
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "petri-application.h"

G_BEGIN_DECLS

#define PETRI_TYPE_SANDBOX_DIALOG (petri_sandbox_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PetriSandboxDialog, petri_sandbox_dialog, PETRI, SANDBOX_DIALOG, GtkDialog)

/* Checks the sandbox of @app's data directory at once (off the main thread). */
PetriSandboxDialog *petri_sandbox_dialog_new (GtkWindow *parent, PetriApplication *app);

G_END_DECLS
