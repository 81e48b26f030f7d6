/* petri-window.h: the workbench window
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "petri-application.h"

G_BEGIN_DECLS

#define PETRI_TYPE_WINDOW (petri_window_get_type ())
G_DECLARE_FINAL_TYPE (PetriWindow, petri_window, PETRI, WINDOW, GtkApplicationWindow)

PetriWindow *petri_window_new (PetriApplication *app);
/* Adds files and folders (raw file-system paths) to the current case; kept
 * until the case database is open. */
void petri_window_add_paths (PetriWindow *self, const char *const *paths);
/* Shows @case_name; selects the sample @sha256 once it is listed (nullable). */
void petri_window_open_case (PetriWindow *self, const char *case_name, const char *sha256);
const char *petri_window_get_case (PetriWindow *self);
/* The sample tree (its model is sorted and filtered over the store). */
GtkTreeView *petri_window_get_sample_view (PetriWindow *self);
/* TRUE while items (or a case's rows from the database) wait to be
 * applied to the tree. */
gboolean petri_window_is_applying (PetriWindow *self);

G_END_DECLS
