/* petri-sandbox-stage.h: the pipeline's sandbox stage (app-internal)
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "petri-app.h"

G_BEGIN_DECLS

/* After the static scan, sends each eligible sample that was never analysed
 * (by SHA-256; always when @again) to the sandbox pool configured in the
 * context's data directory, and records the others as not eligible. States,
 * events and dropped files go to the case database as they arrive; dropped
 * files become samples of their own, linked to their parent. The pipeline
 * stays busy until every analysis is over. Returns FALSE (with
 * PETRI_SANDBOX_ERROR_NOT_CONFIGURED when no sandbox is set up) and leaves
 * the pipeline alone when there is no usable pool. Main thread. */
gboolean petri_sandbox_stage_attach (PetriPipeline *pipeline, gboolean again, GError **error);

G_END_DECLS
