/* petri-item-private.h: the item's fields, for the pipeline (app-internal)
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "petri-app.h"

G_BEGIN_DECLS

struct _PetriItem
{
  GObject parent_instance;

  /* Set at creation, never changed: readable from any thread. */
  guint64 id;
  PetriItem *parent; /* strong reference */
  gboolean folder;
  char *case_name;
  char *path_raw;
  char *display_path;
  char *display_name;
  guint64 request; /* the walk or rescan that made it (0: none); set before it is posted */

  /* Main thread only. */
  PetriItemState state;
  char *error;
  char *sha256, *sha1, *md5, *ssdeep, *mime, *description;
  guint64 size;
  GPtrArray *results; /* PetriEngineResult */
  guint n_engines;
  PetriVerdict verdict;
  char *sandbox_status;
  char *sandbox_reason;
  guint holds;
  /* Folders: how many files below are not final yet, and how many failed. */
  guint pending;
  guint failed;
  gboolean final_counted;
  gboolean settled_counted; /* counted as settled by its request */
};

PetriItem *petri_item_new (guint64 id, PetriItem *parent, gboolean folder, const char *case_name,
                           const char *path_raw, const char *display_name);
/* Recomputes the verdict from the results (files) or children (folders). */
void petri_item_update_verdict (PetriItem *self);
gboolean petri_item_is_final (PetriItem *self);

G_END_DECLS
