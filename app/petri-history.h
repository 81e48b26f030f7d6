/* petri-history.h: case history, retro-hunt, reports and interchange
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Exports of a case (JSON, HTML, MISP, STIX 2.1, bundle), imports of CAPE
 * and Cuckoo reports and of Petri bundles, and the history queries. GLib/GIO
 * only; every function blocks (call it from a worker or the CLI) and must not
 * be called on the store's writer thread.
 */
#pragma once

#include "petri-app.h"

G_BEGIN_DECLS

/* ---------------------------------------------------------------------- */
/* Queries                                                                  */

/* Everything about one case: the export model (see docs/history.md).
 * {"format":"petri-case","version":1,"exported","case":{…},"samples":[…]} */
JsonNode *petri_history_query_case (PetriCaseStore *store, const char *case_name,
                                    GCancellable *cancellable, GError **error);

/* Detections that appeared since @since (Unix seconds) on samples that had
 * been scanned before without them: the retro-hunt's hits.
 * [{"sha256","name","case","added","engine","detection","first_seen",
 *   "previous_verdict"}] */
JsonNode *petri_history_query_new_since (PetriCaseStore *store, gint64 since,
                                         GCancellable *cancellable, GError **error);

/* "2026-03-01", "2026-03-01T10:00:00Z", "2026-03-01 10:00" (UTC) → Unix
 * seconds; FALSE with @error naming the text otherwise. */
gboolean petri_history_parse_date (const char *text, gint64 *out, GError **error);

/* ---------------------------------------------------------------------- */
/* Exports                                                                  */

typedef enum
{
  PETRI_EXPORT_JSON,
  PETRI_EXPORT_HTML,
  PETRI_EXPORT_MISP,
  PETRI_EXPORT_STIX,
  PETRI_EXPORT_BUNDLE,
} PetriExportFormat;

gboolean petri_export_format_from_string (const char *name, PetriExportFormat *out);

/* Renders the case model (petri_history_query_case()) in @format (not
 * BUNDLE). Pure: same model, same bytes. */
GBytes *petri_export_render (JsonNode *model, PetriExportFormat format, GError **error);

/* Writes the case to @path (atomically: a failed export leaves nothing
 * behind and never replaces an existing file with half a report). With
 * @with_samples (and always for BUNDLE) the output is a zip protected with
 * the password "infected" holding the report and the sample bytes. */
gboolean petri_export_case (PetriContext *context, const char *case_name, PetriExportFormat format,
                            gboolean with_samples, const char *path, GCancellable *cancellable,
                            GError **error);

/* ---------------------------------------------------------------------- */
/* Imports                                                                  */

/* A CAPE or Cuckoo 2 JSON report (streamed) into @case_name: the target
 * sample is found by SHA-256 (created from the report's hashes if unknown,
 * never overwritten if known), a finished analysis with the report's events
 * is added. Importing the same report again changes nothing. Returns a
 * summary {"kind":"report","dialect","sha256","case","events","analysis":
 * "added"|"already present","sample":"added"|"present"}. */
JsonNode *petri_import_report (PetriContext *context, const char *path, const char *case_name,
                               GCancellable *cancellable, GError **error);

/* A bundle written by petri_export_case(…, BUNDLE, …): every entry is
 * checked against the manifest before anything is written; samples are
 * deduplicated by hash and nothing present is overwritten. Returns a summary
 * {"kind":"bundle","case","samples_added","samples_present","results_added",
 *  "analyses_added"}. */
JsonNode *petri_import_bundle (PetriContext *context, const char *path, GCancellable *cancellable,
                               GError **error);

/* Tells a bundle (a zip) from a report (JSON) and imports it. */
JsonNode *petri_import_file (PetriContext *context, const char *path, const char *case_name,
                             GCancellable *cancellable, GError **error);

G_END_DECLS
