/* petri-pipeline-private.h: the pipeline's hooks for later stages (app-internal)
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "petri-app.h"

G_BEGIN_DECLS

/* What the static scan of one file produced, for the stages after it. */
typedef struct
{
  const char *case_name;
  const char *sha256;
  const char *store_path;
  const char *display_name;
  const char *mime;
  const char *description;
  const guint8 *head; /* first bytes of the file */
  gsize head_len;
  guint64 size;
  GPtrArray *results; /* PetriEngineResult */
  gboolean rescan;    /* a re-scan of a stored sample, not an intake */
} PetriScanOutcome;

/* Runs on the worker thread after a file's engine results are queued for
 * the database. A stage that goes on working on the item (a sandbox
 * analysis) calls petri_pipeline_hold() before returning. */
typedef void (*PetriPostScanHook) (PetriPipeline *pipeline, PetriItem *item,
                                   const PetriScanOutcome *outcome, gpointer user_data);

void petri_pipeline_set_post_scan_hook (PetriPipeline *self, PetriPostScanHook hook,
                                        gpointer user_data, GDestroyNotify destroy);

/* Cancelled when the pipeline is (any thread; transfer none). */
GCancellable *petri_pipeline_get_cancellable (PetriPipeline *self);

/* Any thread. A held item is not settled, and the pipeline stays busy,
 * until every hold is released. */
void petri_pipeline_hold (PetriPipeline *self, PetriItem *item);
void petri_pipeline_release (PetriPipeline *self, PetriItem *item);
/* Any thread: shows the item's sandbox state. */
void petri_pipeline_set_sandbox_status (PetriPipeline *self, PetriItem *item, const char *status,
                                        const char *reason);
/* Any thread: takes in a file a sample produced (e.g. dropped in the
 * sandbox) as a new item under @parent in the same case. */
void petri_pipeline_add_child_file (PetriPipeline *self, PetriItem *parent, const char *path,
                                    const char *display_name);

G_END_DECLS
