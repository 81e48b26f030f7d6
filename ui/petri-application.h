/* petri-application.h: the GtkApplication
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "petri-app.h"

G_BEGIN_DECLS

#define PETRI_TYPE_APPLICATION (petri_application_get_type ())
G_DECLARE_FINAL_TYPE (PetriApplication, petri_application, PETRI, APPLICATION, GtkApplication)

PetriApplication *petri_application_new (void);
/* The settings, or NULL when the schema is not installed (defaults apply). */
GSettings *petri_application_get_settings (PetriApplication *self);
/* NULL while the context is opening or when it failed (see _get_error). */
PetriContext *petri_application_get_context (PetriApplication *self);
PetriPipeline *petri_application_get_pipeline (PetriApplication *self);
const GError *petri_application_get_error (PetriApplication *self);
/* Set when a sandbox is configured but could not be used. */
const GError *petri_application_get_sandbox_error (PetriApplication *self);
/* Sends executables to the sandbox from now on (after a guest was set up
 * in the window). TRUE when it does (or did already). */
gboolean petri_application_attach_sandbox (PetriApplication *self, GError **error);
gboolean petri_application_has_sandbox (PetriApplication *self);
gboolean petri_application_is_loading (PetriApplication *self);

/* Reads PetriSettings from @settings (or the defaults when NULL). */
void petri_settings_from_gsettings (PetriSettings *out, GSettings *settings);
/* Finds the schema in the installed schemas, then next to an uninstalled build. */
GSettings *petri_settings_new (void);

G_END_DECLS
