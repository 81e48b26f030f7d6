/* petri-detail-models.h: what the Detection and Behavioral information tabs show
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "petri-app.h"
#include "petri-behavior.h"

G_BEGIN_DECLS

/* One row per engine. */
enum
{
  PETRI_ENGINE_COL_ENGINE,      /* char *: "ClamAV" */
  PETRI_ENGINE_COL_VERSION,     /* char * */
  PETRI_ENGINE_COL_SIGNATURES,  /* char * */
  PETRI_ENGINE_COL_RESULT_ICON, /* char *: verdict icon name */
  PETRI_ENGINE_COL_RESULT,      /* char *: "Detected", "Clean", "Error" */
  PETRI_ENGINE_COL_NAMES,       /* char *: detection names, or the error */
  PETRI_ENGINE_COL_HEURISTIC,   /* gboolean: every name is heuristic-only */
  PETRI_ENGINE_COL_BADGE,       /* char *: Pango markup of the "heuristic" badge or "" */
  PETRI_ENGINE_N_COLUMNS
};

/* YARA matches: rule → "Strings" → (identifier, offset, preview), rule → "Meta" → (key, value). */
enum
{
  PETRI_MATCH_COL_NAME,   /* char *: rule, group title, string identifier or meta key */
  PETRI_MATCH_COL_OFFSET, /* char *: "0x1c" for strings */
  PETRI_MATCH_COL_VALUE,  /* char *: tags, string preview or meta value */
  PETRI_MATCH_COL_WEIGHT, /* int: bold for rules */
  PETRI_MATCH_N_COLUMNS
};

/* Behaviour: one row per category with its count, events below. */
enum
{
  PETRI_BEHAVIOR_COL_TITLE,    /* char *: category with count, or the action */
  PETRI_BEHAVIOR_COL_TARGET,   /* char *: what the action was on */
  PETRI_BEHAVIOR_COL_PROCESS,  /* char *: "name (pid)" */
  PETRI_BEHAVIOR_COL_TIME,     /* char *: "+1.25 s" */
  PETRI_BEHAVIOR_COL_CATEGORY, /* char *: the category key ("process") */
  PETRI_BEHAVIOR_COL_COUNT,    /* int: events in the category, -1 on event rows */
  PETRI_BEHAVIOR_COL_WEIGHT,   /* int */
  PETRI_BEHAVIOR_COL_TOOLTIP,  /* char *: every detail of the event, Pango markup, or NULL */
  PETRI_BEHAVIOR_N_COLUMNS
};

GtkListStore *petri_engine_list_new (void);
void petri_engine_list_fill (GtkListStore *store, GPtrArray *results /* PetriEngineResult */);
const char *petri_engine_display_name (const char *engine);

GtkTreeStore *petri_match_tree_new (void);
/* Returns the number of matched rules. */
guint petri_match_tree_fill (GtkTreeStore *store, GPtrArray *results);

GtkTreeStore *petri_behavior_tree_new (void);
/* Returns the number of events. Categories come in the order of
 * petri_behavior_categories(), with processes as a tree by parent pid. */
guint petri_behavior_tree_fill (GtkTreeStore *store, GPtrArray *events /* PetriBehaviorEvent */);
const char *petri_behavior_category_label (const char *category);

/* What the Behavioral information tab says for the latest analysis (a JSON
 * object with "status" and "reason", or NULL when the sample was never sent
 * to the sandbox). Returns NULL when the behaviour tree should be shown. */
char *petri_analysis_notice (JsonObject *analysis, gboolean *is_error);

G_END_DECLS
