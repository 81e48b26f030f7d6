/* petri-case-history.h: every case, and a search across them
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "petri-app.h"

G_BEGIN_DECLS

#define PETRI_TYPE_CASE_HISTORY (petri_case_history_get_type ())
G_DECLARE_FINAL_TYPE (PetriCaseHistory, petri_case_history, PETRI, CASE_HISTORY, GtkDialog)

/* Signals: "open-case" (case, sha256 or NULL), "case-renamed" (old, new),
 * "case-deleted" (name). */
GtkWidget *petri_case_history_new (GtkWindow *parent, PetriContext *context,
                                   const char *current_case);

G_END_DECLS
