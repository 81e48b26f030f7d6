/* petri-engines.h: the public face of libpetri-engines
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Hashing, typing and the detection engines (ClamAV, YARA) behind one
 * interface. Nothing here touches GTK or SQLite; everything except
 * petri_engines_init() may be called from any thread.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PETRI_ENGINE_ERROR (petri_engine_error_quark ())
typedef enum
{
  PETRI_ENGINE_ERROR_FAILED,
  PETRI_ENGINE_ERROR_LOAD,       /* an engine or its signatures could not be loaded */
  PETRI_ENGINE_ERROR_SIGNATURES, /* a signature file is corrupt or does not compile */
  PETRI_ENGINE_ERROR_SCAN,       /* the scan itself failed */
  PETRI_ENGINE_ERROR_TIMEOUT,    /* the per-file scan timeout was hit */
} PetriEngineError;
GQuark petri_engine_error_quark (void);

/* Once per process, from the main thread, before any other call. */
void petri_engines_init (void);

/* ---------------------------------------------------------------------- */
/* Hashing and typing                                                       */

typedef struct _PetriHasher PetriHasher;

/* Streaming MD5, SHA-1, SHA-256 (libcrypto) and ssdeep (libfuzzy). */
PetriHasher *petri_hasher_new (void);
/* Optional, before the first update: the length that will be fed, which
 * makes ssdeep several times faster. Feeding more leaves ssdeep empty. */
void petri_hasher_set_size (PetriHasher *self, guint64 size);
void petri_hasher_update (PetriHasher *self, const guint8 *data, gsize len);
/* Finishes the hashes; the strings stay valid until petri_hasher_free(). */
void petri_hasher_finish (PetriHasher *self);
const char *petri_hasher_get_md5 (PetriHasher *self);
const char *petri_hasher_get_sha1 (PetriHasher *self);
const char *petri_hasher_get_sha256 (PetriHasher *self);
const char *petri_hasher_get_ssdeep (PetriHasher *self);
guint64 petri_hasher_get_size (PetriHasher *self);
void petri_hasher_free (PetriHasher *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriHasher, petri_hasher_free)

/* SHA-256 of what @fd reads from its current offset to the end. */
char *petri_sha256_fd (int fd, guint64 *size, GError **error);

/* libmagic, one handle per calling thread. Returns FALSE with @error when
 * libmagic fails; never executes or opens the sample with another program. */
gboolean petri_type_buffer (const guint8 *data, gsize len, char **mime, char **description,
                            GError **error);

/* ---------------------------------------------------------------------- */
/* A sample as the engines see it                                           */

/* The stored copy of a sample, mapped read-only by the caller. The strings
 * are UTF-8 (display forms of file names). */
typedef struct
{
  const guint8 *data; /* the whole file, mapped; NULL when size == 0 */
  gsize size;
  int fd;                  /* read-only descriptor of the stored copy */
  const char *store_path;  /* path of the stored copy */
  const char *file_name;   /* original base name ("invoice.exe") */
  const char *file_path;   /* original full path */
  const char *extension;   /* original extension without the dot, lower case, or "" */
  const char *mime;        /* libmagic MIME type */
  const char *description; /* libmagic description (YARA's "filetype") */
  const char *sha256;
} PetriSampleData;

typedef enum
{
  PETRI_RESULT_CLEAN,
  PETRI_RESULT_DETECTED,
  PETRI_RESULT_ERROR,
} PetriResultKind;

const char *petri_result_kind_to_string (PetriResultKind kind); /* "clean", "detected", "error" */

/* What one engine said about one sample. Reference counted, immutable once
 * returned by an engine, safe to pass between threads. */
typedef struct
{
  /*< private >*/
  gatomicrefcount ref_count;
  /*< public >*/
  char *engine;         /* "clamav", "yara" */
  char *engine_version; /* "1.4.6" */
  char *signatures;     /* signature-set description: "11412 signatures, 2024-11-01" */
  PetriResultKind kind;
  GPtrArray *names;   /* char *: every name found, in order (YARA: "namespace:rule") */
  gboolean heuristic; /* TRUE when names is not empty and every name is heuristic-only */
  JsonNode *details;  /* a JSON object or NULL: "matches" for YARA, "limits" … */
  char *error;        /* set when kind == PETRI_RESULT_ERROR, or a warning otherwise
                       * (for example a limit that was exceeded) */
} PetriEngineResult;

GType petri_engine_result_get_type (void) G_GNUC_CONST;
#define PETRI_TYPE_ENGINE_RESULT (petri_engine_result_get_type ())
PetriEngineResult *petri_engine_result_new (const char *engine, const char *engine_version,
                                            const char *signatures);
PetriEngineResult *petri_engine_result_ref (PetriEngineResult *self);
void petri_engine_result_unref (PetriEngineResult *self);
/* One JSON object as printed by `petri scan --json` in "engines". */
JsonNode *petri_engine_result_to_json (const PetriEngineResult *self);
PetriEngineResult *petri_engine_result_from_json (JsonNode *node, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriEngineResult, petri_engine_result_unref)

/* Heur, Suspicious, Generic, PUA (any case) or ClamAV's Heuristics.* */
gboolean petri_name_is_heuristic (const char *name);

/* ---------------------------------------------------------------------- */
/* The engine interface                                                     */

#define PETRI_TYPE_ENGINE (petri_engine_get_type ())
G_DECLARE_INTERFACE (PetriEngine, petri_engine, PETRI, ENGINE, GObject)

struct _PetriEngineInterface
{
  GTypeInterface parent_iface;

  const char *(*get_name) (PetriEngine *self);
  const char *(*get_version) (PetriEngine *self);
  /* Short description of the signatures in force ("11412 signatures, …"). */
  const char *(*get_signatures) (PetriEngine *self);
  guint (*get_signature_count) (PetriEngine *self);
  /* Any worker thread, concurrently: must be reentrant, must not touch GTK.
   * Never returns NULL: failures are results of kind PETRI_RESULT_ERROR. */
  PetriEngineResult *(*scan) (PetriEngine *self, const PetriSampleData *sample,
                              GCancellable *cancellable);
};

const char *petri_engine_get_name (PetriEngine *self);
const char *petri_engine_get_version (PetriEngine *self);
const char *petri_engine_get_signatures (PetriEngine *self);
guint petri_engine_get_signature_count (PetriEngine *self);
PetriEngineResult *petri_engine_scan (PetriEngine *self, const PetriSampleData *sample,
                                      GCancellable *cancellable);

/* ---------------------------------------------------------------------- */
/* The set of engines in force                                              */

typedef struct
{
  guint64 max_file_size; /* bytes; 0 = engine default (ClamAV: 100 MiB) */
  guint64 max_scan_size; /* bytes; 0 = engine default (ClamAV: 400 MiB) */
  guint max_recursion;   /* 0 = default (17) */
  guint max_files;       /* 0 = default (10000) */
  guint yara_timeout_s;  /* per-file YARA timeout; 0 = default (60 s) */
} PetriEngineLimits;

/* Every engine, loaded once from a signatures directory (holding clamav/ and
 * yara/), shared by every worker; reference counted so that a reload can
 * swap in a new set while scans in flight finish on the old one. */
typedef struct _PetriEngineSet PetriEngineSet;

/* Blocking: call from a worker thread. Files that fail to load are left out
 * and described in @warnings (char *, "path:line: message"); an error is
 * returned only when nothing usable could be loaded. */
PetriEngineSet *petri_engine_set_load (const char *signatures_dir, const PetriEngineLimits *limits,
                                       GPtrArray **warnings, GError **error);
/* A set with no engine (when nothing could be loaded). */
PetriEngineSet *petri_engine_set_new_empty (void);
PetriEngineSet *petri_engine_set_ref (PetriEngineSet *self);
void petri_engine_set_unref (PetriEngineSet *self);
guint petri_engine_set_get_n_engines (PetriEngineSet *self);
PetriEngine *petri_engine_set_get_engine (PetriEngineSet *self, guint i);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriEngineSet, petri_engine_set_unref)

/* ---------------------------------------------------------------------- */
/* Signature management (offline)                                           */

/* Copies ClamAV database files (by extension: .cvd .cld .hdb .ndb .ldb …)
 * and YARA rule files (.yar/.yara, with the files they include) or folders
 * of them into @signatures_dir (clamav/, yara/), replacing entries of the
 * same name. Every file is checked first — ClamAV loads it in a scratch
 * engine (which verifies signed .cvd/.cld), YARA compiles it — and the
 * import is all or nothing: when one fails, @error names the file and the
 * reason and the signatures in force stay exactly as they were. Blocking;
 * serialised between processes by a lock file. @imported (optional)
 * receives one line per set taken in ("yara: rules.yar (12 rules)"). */
gboolean petri_signatures_import (const char *signatures_dir, const char *const *paths,
                                  GPtrArray **imported, GCancellable *cancellable, GError **error);

/* Called on the importing thread before each file is checked: @file is the
 * file (a rule file inside a folder that was given, too), @index the
 * argument it belongs to, of @total. Last, once everything passed, with
 * @file NULL and @index == @total, before the files are moved into place. */
typedef void (*PetriImportProgressFunc) (const char *file, guint index, guint total,
                                         gpointer user_data);
/* petri_signatures_import() that reports its progress; @cancellable is also
 * checked between the rule files of a folder. */
gboolean petri_signatures_import_full (const char *signatures_dir, const char *const *paths,
                                       PetriImportProgressFunc progress, gpointer progress_data,
                                       GPtrArray **imported, GCancellable *cancellable,
                                       GError **error);

/* A file rewritten after every successful import (by any process): a
 * running process watches it (GFileMonitor) to reload its engines. */
char *petri_signatures_stamp_path (const char *signatures_dir);

/* The sets in @signatures_dir, as a JSON array of objects: engine
 * ("clamav", "yara"), name (file or folder under the engine's folder), kind
 * ("file", "folder"), count (signatures or rules), date ("YYYY-MM-DD") and,
 * for .cvd/.cld, version; sets with files that do not load have "errors".
 * Blocking (YARA counts come from the compiled-rule cache, or a compile). */
JsonNode *petri_signatures_list (const char *signatures_dir, GError **error);

/* Copies the default set shipped with Petri (@defaults_dir, holding
 * clamav/ and yara/) into @signatures_dir when that holds no signatures at
 * all. Returns FALSE with @error only when copying fails. */
gboolean petri_signatures_seed_defaults (const char *signatures_dir, const char *defaults_dir,
                                         GError **error);

G_END_DECLS
