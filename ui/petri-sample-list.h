/* petri-sample-list.h: the sample tree's model
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "petri-app.h"

G_BEGIN_DECLS

enum
{
  PETRI_SAMPLE_COL_KEY,             /* char *: "item:ID" or "sample:SHA256\nPATH" */
  PETRI_SAMPLE_COL_ITEM,            /* PetriItem, or NULL for a row read from the database */
  PETRI_SAMPLE_COL_IS_FOLDER,       /* gboolean */
  PETRI_SAMPLE_COL_ICON,            /* char *: icon name of the file kind */
  PETRI_SAMPLE_COL_NAME,            /* char * */
  PETRI_SAMPLE_COL_PATH,            /* char *: display path (tooltip) */
  PETRI_SAMPLE_COL_TYPE,            /* char * */
  PETRI_SAMPLE_COL_SIZE,            /* guint64 (sort key) */
  PETRI_SAMPLE_COL_SIZE_TEXT,       /* char * */
  PETRI_SAMPLE_COL_SHA256,          /* char *: full hash or NULL */
  PETRI_SAMPLE_COL_SHA256_SHORT,    /* char * */
  PETRI_SAMPLE_COL_STATE,           /* int: PetriItemState */
  PETRI_SAMPLE_COL_STATE_TEXT,      /* char * */
  PETRI_SAMPLE_COL_VERDICT,         /* int: severity, the sort key of the verdict column */
  PETRI_SAMPLE_COL_VERDICT_ICON,    /* char * */
  PETRI_SAMPLE_COL_VERDICT_TEXT,    /* char * */
  PETRI_SAMPLE_COL_DETECTIONS,      /* int (sort key) */
  PETRI_SAMPLE_COL_DETECTIONS_TEXT, /* char *: "2 / 2 engines" */
  PETRI_SAMPLE_COL_SANDBOX_TEXT,    /* char * */
  PETRI_SAMPLE_COL_SEARCH,          /* char *: case-folded text the search field matches */
  PETRI_SAMPLE_COL_ERROR,           /* char *: why the row is in error, or NULL */
  PETRI_SAMPLE_COL_SEQ,             /* guint64: order of arrival (the default order) */
  PETRI_SAMPLE_COL_NEW_SINCE,       /* char *: when a re-scan found a new detection, or NULL */
  PETRI_SAMPLE_N_COLUMNS
};

/* One row's values, filled from a live PetriItem or from the case database. */
typedef struct
{
  const char *key;
  const char *parent_key; /* NULL: a top-level row */
  PetriItem *item;        /* nullable */
  gboolean is_folder;
  const char *name;
  const char *path;
  const char *mime;
  const char *description;
  guint64 size;
  const char *sha256, *sha1, *md5;
  PetriItemState state;
  PetriVerdict verdict;
  guint n_detections;
  guint n_engines;
  const char *const *detection_names; /* nullable */
  const char *sandbox_status;         /* as stored, nullable */
  const char *error;
  /* A detection a re-scan found that earlier scans had not: when it was
   * first seen (shown as is). NULL leaves the row's value, "" clears it. */
  const char *new_since;
} PetriSampleRow;

#define PETRI_TYPE_SAMPLE_LIST (petri_sample_list_get_type ())
G_DECLARE_FINAL_TYPE (PetriSampleList, petri_sample_list, PETRI, SAMPLE_LIST, GObject)

PetriSampleList *petri_sample_list_new (void);
GtkTreeStore *petri_sample_list_get_store (PetriSampleList *self);
/* Inserts the row or updates the columns whose values changed. Returns FALSE
 * when the row's parent is unknown (the row is not added). */
gboolean petri_sample_list_apply (PetriSampleList *self, const PetriSampleRow *row);
/* Makes @alias find the row of @key (a second sighting of the same file). */
void petri_sample_list_alias (PetriSampleList *self, const char *alias, const char *key);
gboolean petri_sample_list_lookup (PetriSampleList *self, const char *key, GtkTreeIter *iter);
gboolean petri_sample_list_remove (PetriSampleList *self, const char *key);
void petri_sample_list_clear (PetriSampleList *self);
/* Empties the list at once for a view that was detached from it: a new
 * store replaces the old one (petri_sample_list_get_store() changes), and
 * the old rows are let go of over the next main-loop iterations. */
void petri_sample_list_reset (PetriSampleList *self);
guint petri_sample_list_get_n_rows (PetriSampleList *self);

/* Fills @row from a live item; the strings stay owned by the item and @names. */
void petri_sample_row_from_item (PetriSampleRow *row, PetriItem *item, char **key,
                                 char **parent_key, GPtrArray *names);
char *petri_sample_list_item_key (PetriItem *item);

/* The default sort function for a GtkTreeModelSort over the store: order of
 * arrival (the store itself prepends, which is O(1) at any size). */
int petri_sample_list_compare_arrival (GtkTreeModel *model, GtkTreeIter *a, GtkTreeIter *b,
                                       gpointer user_data);

/* Row-visibility test for GtkTreeModelFilter: @needle is case-folded. */
gboolean petri_sample_list_row_matches (GtkTreeModel *model, GtkTreeIter *iter, const char *needle);

const char *petri_verdict_icon_name (PetriVerdict verdict);
const char *petri_verdict_label (PetriVerdict verdict);
int petri_verdict_severity (PetriVerdict verdict);
const char *petri_item_state_label (PetriItemState state);
const char *petri_sandbox_status_label (const char *status);
/* Pango markup of the "new" badge of a re-scan's new detection. */
char *petri_new_detection_badge (void);
char *petri_detections_label (guint n_detections, guint n_engines);

G_END_DECLS
