/* petri-app.h: the public face of libpetri-app
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The core shared by the window and the command line: where data lives, the
 * case database, the sample store and the job pipeline. GLib/GIO only — never
 * GTK. Signals are emitted on the main context that was the thread-default
 * when the object was created, in batches.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "petri-engines.h"

G_BEGIN_DECLS

#define PETRI_APP_ERROR (petri_app_error_quark ())
typedef enum
{
  PETRI_APP_ERROR_FAILED,
  PETRI_APP_ERROR_DATABASE,  /* not a Petri database, newer, corrupt, SQLite error */
  PETRI_APP_ERROR_NOT_FOUND, /* no such case or sample */
  PETRI_APP_ERROR_AMBIGUOUS, /* a hash prefix matches several samples */
  PETRI_APP_ERROR_INPUT,     /* a file that cannot be taken in */
  PETRI_APP_ERROR_EXISTS,    /* a case with that name exists */
  PETRI_APP_ERROR_INVALID,   /* bad argument */
} PetriAppError;
GQuark petri_app_error_quark (void);

/* ---------------------------------------------------------------------- */
/* Paths                                                                    */

/* --data-dir DIR, else $PETRI_DATA_DIR, else $XDG_DATA_HOME/petri. */
char *petri_data_dir_resolve (const char *override);

/* A file name as UTF-8 that loses nothing: valid UTF-8 is kept, every other
 * byte becomes "\xNN" (and a backslash followed by 'x' is itself escaped). */
char *petri_display_name (const char *raw);
/* The inverse of petri_display_name(). */
char *petri_display_name_unescape (const char *display, gsize *len);

char *petri_format_time (gint64 unix_seconds); /* ISO 8601, UTC */

/* TRUE when this executable runs from its build tree. */
gboolean petri_running_uninstalled (void);
/* Sets the locale and binds Petri's text domain, once per process: to the
 * build tree's compiled catalogues when running uninstalled and they are
 * there, else to LOCALEDIR. Returns the directory it bound. */
const char *petri_i18n_init (void);

/* ---------------------------------------------------------------------- */
/* Verdicts                                                                 */

typedef enum
{
  PETRI_VERDICT_PENDING,
  PETRI_VERDICT_CLEAN,
  PETRI_VERDICT_SUSPICIOUS, /* heuristic hits only */
  PETRI_VERDICT_MALICIOUS,  /* at least one non-heuristic hit */
  PETRI_VERDICT_ERROR,
} PetriVerdict;

const char *petri_verdict_to_string (PetriVerdict verdict); /* "malicious" … */
PetriVerdict petri_verdict_from_string (const char *s);
/* A keyword of the case database (a verdict, an engine result, a sandbox
 * state: "malicious", "detected", "done") as the user reads it, translated;
 * an unknown keyword as it is. */
const char *petri_keyword_label (const char *keyword);
/* The overall verdict of the latest result of each engine. */
PetriVerdict petri_verdict_from_results (GPtrArray *results /* PetriEngineResult */);

/* ---------------------------------------------------------------------- */
/* The case database                                                        */

#define PETRI_TYPE_CASE_STORE (petri_case_store_get_type ())
G_DECLARE_FINAL_TYPE (PetriCaseStore, petri_case_store, PETRI, CASE_STORE, GObject)

/* Blocking (call it off the GTK main thread): validates the file read-only
 * first — a database that is not Petri's, is newer than this build, or is
 * corrupt is refused and left untouched — then migrates it and starts the
 * writer thread. */
PetriCaseStore *petri_case_store_open (const char *path, GError **error);
const char *petri_case_store_get_path (PetriCaseStore *self);
/* Waits for every queued write to be committed, then stops the writer. */
void petri_case_store_close (PetriCaseStore *self);

/* Writes. Each is queued to the writer thread, which commits batches in one
 * transaction. @callback (may be NULL) runs on the caller's thread-default
 * main context once the write is committed (or failed). */
typedef struct
{
  const char *sha256, *sha1, *md5, *ssdeep, *mime, *description;
  guint64 size;
} PetriSampleInfo;

void petri_case_store_add_sample (PetriCaseStore *self, const char *case_name,
                                  const PetriSampleInfo *info, const char *path_raw,
                                  const char *root, GAsyncReadyCallback callback,
                                  gpointer user_data);
void petri_case_store_add_result (PetriCaseStore *self, const char *sha256,
                                  PetriEngineResult *result, GAsyncReadyCallback callback,
                                  gpointer user_data);
/* Completes once everything queued before it is committed. */
void petri_case_store_barrier (PetriCaseStore *self, GAsyncReadyCallback callback,
                               gpointer user_data);
void petri_case_store_create_case (PetriCaseStore *self, const char *name,
                                   GAsyncReadyCallback callback, gpointer user_data);
void petri_case_store_rename_case (PetriCaseStore *self, const char *name, const char *new_name,
                                   GAsyncReadyCallback callback, gpointer user_data);
void petri_case_store_delete_case (PetriCaseStore *self, const char *name,
                                   GAsyncReadyCallback callback, gpointer user_data);
void petri_case_store_set_case_notes (PetriCaseStore *self, const char *name, const char *notes,
                                      GAsyncReadyCallback callback, gpointer user_data);
void petri_case_store_set_sample_notes (PetriCaseStore *self, const char *case_name,
                                        const char *sha256, const char *notes,
                                        GAsyncReadyCallback callback, gpointer user_data);
/* Replaces the sample's tags in that case. */
void petri_case_store_set_sample_tags (PetriCaseStore *self, const char *case_name,
                                       const char *sha256, const char *const *tags,
                                       GAsyncReadyCallback callback, gpointer user_data);
/* @verdict: "malicious", "suspicious", "clean", "unknown" or NULL to clear. */
void petri_case_store_set_analyst_verdict (PetriCaseStore *self, const char *case_name,
                                           const char *sha256, const char *verdict,
                                           const char *comment, GAsyncReadyCallback callback,
                                           gpointer user_data);
gboolean petri_case_store_write_finish (PetriCaseStore *self, GAsyncResult *result, GError **error);

/* Sandbox analyses. The handle is filled in by the writer thread: later
 * writes that name it (queued after it) see its row id. */
typedef struct _PetriAnalysisRef PetriAnalysisRef;
PetriAnalysisRef *petri_analysis_ref_ref (PetriAnalysisRef *self);
void petri_analysis_ref_unref (PetriAnalysisRef *self);
/* The row id once committed, else 0. Any thread. */
gint64 petri_analysis_ref_get_id (PetriAnalysisRef *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriAnalysisRef, petri_analysis_ref_unref)

/* @status: "not_eligible", "queued", "starting", "running", "collecting",
 * "done", "failed". @source: "petri", "cape", "cuckoo". Returns a new handle. */
PetriAnalysisRef *petri_case_store_add_analysis (PetriCaseStore *self, const char *sha256,
                                                 const char *case_name, const char *source,
                                                 const char *vm, const char *platform,
                                                 const char *status, const char *reason,
                                                 guint duration, GAsyncReadyCallback callback,
                                                 gpointer user_data);
/* Also stamps "started" (on starting) and "finished" (on done/failed). */
void petri_case_store_update_analysis (PetriCaseStore *self, PetriAnalysisRef *analysis,
                                       const char *status, const char *reason, JsonObject *summary,
                                       GAsyncReadyCallback callback, gpointer user_data);
/* The VM an analysis ran on, once a VM took it. */
void petri_case_store_set_analysis_vm (PetriCaseStore *self, PetriAnalysisRef *analysis,
                                       const char *vm, const char *platform,
                                       GAsyncReadyCallback callback, gpointer user_data);
/* @events: PetriBehaviorEvent (sandbox-bridge/petri-behavior.h). */
void petri_case_store_add_events (PetriCaseStore *self, PetriAnalysisRef *analysis,
                                  GPtrArray *events, GAsyncReadyCallback callback,
                                  gpointer user_data);
/* Records that @child_sha256 was dropped (or extracted) by @parent_sha256. */
void petri_case_store_link_samples (PetriCaseStore *self, const char *parent_sha256,
                                    const char *child_sha256, PetriAnalysisRef *analysis,
                                    const char *relation, const char *path,
                                    GAsyncReadyCallback callback, gpointer user_data);

/* Reads, on a reader connection of their own. The _sync forms block (CLI,
 * worker threads); the async forms run on a worker and call back on the
 * caller's main context. Each returns JSON in the shape `--json` prints. */
typedef enum
{
  PETRI_QUERY_CASES,  /* arg: NULL → [{name, created, notes, samples, detections}] */
  PETRI_QUERY_CASE,   /* arg: case name → {name, created, notes, samples: [...]} */
  PETRI_QUERY_SAMPLE, /* arg: sha256 or unique prefix → the whole sample */
  PETRI_QUERY_SEARCH, /* arg: text → [{sha256, name, case, added, match, kind}] */
} PetriQueryKind;

JsonNode *petri_case_store_query_sync (PetriCaseStore *self, PetriQueryKind kind, const char *arg,
                                       GCancellable *cancellable, GError **error);
void petri_case_store_query_async (PetriCaseStore *self, PetriQueryKind kind, const char *arg,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
JsonNode *petri_case_store_query_finish (PetriCaseStore *self, GAsyncResult *result,
                                         GError **error);

/* ---------------------------------------------------------------------- */
/* The context: one data directory, its database, store and engines         */

#define PETRI_TYPE_CONTEXT (petri_context_get_type ())
G_DECLARE_FINAL_TYPE (PetriContext, petri_context, PETRI, CONTEXT, GObject)

typedef struct
{
  guint workers;            /* 0: one per core */
  PetriEngineLimits limits; /* engine limits; 0 fields take the defaults */
} PetriSettings;

/* Blocking: creates the directory layout, opens the case database. Engines
 * load in the background (see petri_context_get_engines()). */
PetriContext *petri_context_new (const char *data_dir, const PetriSettings *settings,
                                 GError **error);
/* Commits every queued write and closes the case database (blocking). */
void petri_context_close (PetriContext *self);
const char *petri_context_get_data_dir (PetriContext *self);
const char *petri_context_get_samples_dir (PetriContext *self);
const char *petri_context_get_signatures_dir (PetriContext *self);
PetriCaseStore *petri_context_get_store (PetriContext *self);
const PetriSettings *petri_context_get_settings (PetriContext *self);

/* Starts loading the engines on a worker (once). */
void petri_context_load_engines (PetriContext *self);
/* Any thread; blocks until the engines are loaded. Transfer full. */
PetriEngineSet *petri_context_wait_engines (PetriContext *self);
/* Any thread; NULL while loading, else a new reference. */
PetriEngineSet *petri_context_get_engines (PetriContext *self);
/* Warnings of the last load ("file:line: message"), a new reference or NULL. */
GPtrArray *petri_context_get_engine_warnings (PetriContext *self);
/* Builds a new engine set off the main thread and swaps it in; scans in
 * flight finish on the old set. Emits "engines-changed" on the main context. */
void petri_context_reload_engines (PetriContext *self);

/* ---------------------------------------------------------------------- */
/* Items: what the pipeline shows, one per file or folder taken in          */

typedef enum
{
  PETRI_ITEM_QUEUED,
  PETRI_ITEM_SCANNING,
  PETRI_ITEM_DONE,
  PETRI_ITEM_ERROR,
} PetriItemState;

const char *petri_item_state_to_string (PetriItemState state);

#define PETRI_TYPE_ITEM (petri_item_get_type ())
G_DECLARE_FINAL_TYPE (PetriItem, petri_item, PETRI, ITEM, GObject)

/* Every getter is for the main thread (the one the pipeline was created on). */
guint64 petri_item_get_id (PetriItem *self);
PetriItem *petri_item_get_parent (PetriItem *self); /* the folder row, or NULL */
gboolean petri_item_is_folder (PetriItem *self);
const char *petri_item_get_case (PetriItem *self);
const char *petri_item_get_path_raw (PetriItem *self);     /* bytes as given */
const char *petri_item_get_display_path (PetriItem *self); /* petri_display_name() */
const char *petri_item_get_display_name (PetriItem *self);
PetriItemState petri_item_get_state (PetriItem *self);
const char *petri_item_get_error (PetriItem *self);
/* NULL until hashed. */
const char *petri_item_get_sha256 (PetriItem *self);
const char *petri_item_get_sha1 (PetriItem *self);
const char *petri_item_get_md5 (PetriItem *self);
const char *petri_item_get_ssdeep (PetriItem *self);
const char *petri_item_get_mime (PetriItem *self);
const char *petri_item_get_description (PetriItem *self);
guint64 petri_item_get_size (PetriItem *self);
GPtrArray *petri_item_get_results (PetriItem *self); /* PetriEngineResult, transfer none */
guint petri_item_get_n_engines (PetriItem *self);    /* engines that will report */
PetriVerdict petri_item_get_verdict (PetriItem *self);
/* Sandbox state as stored ("queued", "running", "not_eligible" …) or NULL. */
const char *petri_item_get_sandbox_status (PetriItem *self);
const char *petri_item_get_sandbox_reason (PetriItem *self);
/* TRUE once the item is done or failed and nothing (such as a sandbox
 * analysis) still holds it. */
gboolean petri_item_is_settled (PetriItem *self);
/* The rescan that made the item (petri_pipeline_rescan_async()), or 0. */
guint64 petri_item_get_request (PetriItem *self);
/* The JSON object `petri scan --json` prints for this item. */
JsonNode *petri_item_to_json (PetriItem *self);

/* ---------------------------------------------------------------------- */
/* The pipeline: walk, copy into the store, hash, type, scan, record        */

#define PETRI_TYPE_PIPELINE (petri_pipeline_get_type ())
G_DECLARE_FINAL_TYPE (PetriPipeline, petri_pipeline, PETRI, PIPELINE, GObject)

/* Signals (main context, batched):
 *   "items-added"   (GPtrArray *items)  new rows, parents before children
 *   "items-changed" (GPtrArray *items)  rows whose state or results changed
 *   "idle"          ()                  nothing queued or running any more
 */
PetriPipeline *petri_pipeline_new (PetriContext *context);
/* Takes in files and folders (recursively) into @case_name (created when
 * missing). Paths are raw file-system bytes. Main thread; returns at once. */
void petri_pipeline_add_paths (PetriPipeline *self, const char *case_name,
                               const char *const *paths);
/* Re-scans stored samples (of @case_name, or all when NULL) with the engines
 * in force; new results are appended. Main thread; returns at once. */
void petri_pipeline_rescan (PetriPipeline *self, const char *case_name);

typedef enum
{
  PETRI_RESCAN_ALL = 0,
  /* Only samples with no engine result that this pipeline is not scanning
   * now: files an earlier session stored but had not scanned when it
   * closed. They go on to the later stages (the sandbox) like an intake. */
  PETRI_RESCAN_UNSCANNED = 1 << 0,
} PetriRescanFlags;

/* petri_pipeline_rescan() that reports back: the items it makes carry the
 * returned id (petri_item_get_request()); @callback runs on the main
 * context once every one of them is settled, or the re-scan was cancelled
 * through @cancellable. Main thread. */
guint64 petri_pipeline_rescan_async (PetriPipeline *self, const char *case_name,
                                     PetriRescanFlags flags, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
/* @n_samples: how many samples were re-scanned. */
gboolean petri_pipeline_rescan_finish (PetriPipeline *self, GAsyncResult *result, guint *n_samples,
                                       GError **error);
gboolean petri_pipeline_is_busy (PetriPipeline *self);
void petri_pipeline_cancel (PetriPipeline *self);
PetriContext *petri_pipeline_get_context (PetriPipeline *self);

/* ---------------------------------------------------------------------- */
/* The command line                                                         */

/* `petri COMMAND …`: runs headless, returns the exit status. */
gboolean petri_cli_is_command (const char *arg);
int petri_cli_run (int argc, char **argv);

G_END_DECLS
