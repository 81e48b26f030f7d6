/* petri-detail-view.h: the notebook about the selected sample
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "petri-app.h"

G_BEGIN_DECLS

typedef enum
{
  PETRI_DETAIL_PAGE_SUMMARY,
  PETRI_DETAIL_PAGE_DETECTION,
  PETRI_DETAIL_PAGE_BEHAVIOR,
  PETRI_DETAIL_PAGE_NOTES,
} PetriDetailPage;

#define PETRI_TYPE_DETAIL_VIEW (petri_detail_view_get_type ())
G_DECLARE_FINAL_TYPE (PetriDetailView, petri_detail_view, PETRI, DETAIL_VIEW, GtkBox)

void petri_detail_view_set_context (PetriDetailView *self, PetriContext *context);
/* Shows a sample: a live @item (nullable) and/or a stored @sha256 (nullable
 * until hashed), in @case_name. Everything NULL: nothing selected. */
void petri_detail_view_show (PetriDetailView *self, const char *case_name, PetriItem *item,
                             const char *sha256, const char *name);
/* @item changed: refreshes the view when it shows @item. */
void petri_detail_view_item_changed (PetriDetailView *self, PetriItem *item);
/* Re-reads the shown sample from the database (sandbox progress …). */
void petri_detail_view_reload (PetriDetailView *self);
void petri_detail_view_set_page (PetriDetailView *self, PetriDetailPage page);
const char *petri_detail_view_get_sha256 (PetriDetailView *self);

G_END_DECLS
