/* petri-engine-private.h: what the engines of libpetri-engines share
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "petri-engines.h"

G_BEGIN_DECLS

/* One engine kind: its folder under signatures/ and how to load it. A new
 * engine is one new file plus one line in petri-engine-set.c. */
typedef struct
{
  const char *name;   /* "clamav" */
  const char *subdir; /* "clamav", relative to the signatures directory */
  /* Blocking. Returns NULL (without error) when the folder holds nothing for
   * this engine; skipped files are described in @warnings. */
  PetriEngine *(*load) (const char *dir, const PetriEngineLimits *limits, GPtrArray *warnings,
                        GError **error);
} PetriEngineKind;

extern const PetriEngineKind petri_engine_kind_clamav;
extern const PetriEngineKind petri_engine_kind_yara;

/* ---------------------------------------------------------------------- */
/* Shared helpers (petri-engine-util.c)                                     */

/* libclamav reports load errors only through its message callback: while a
 * capture is open on the calling thread, its error and warning lines are
 * collected instead of logged. */
void petri_clamav_capture_begin (void);
/* Returns the collected lines joined with "; " (or NULL when none). */
char *petri_clamav_capture_end (void);
void petri_clamav_install_message_handler (void);

/* Regular files directly in @dir (sorted by name, hidden ones left out),
 * as full paths. A missing folder gives an empty array. */
GPtrArray *petri_list_dir_files (const char *dir, GError **error);
/* Every regular file under @dir, recursively (sorted, hidden ones left
 * out), as paths relative to @dir. */
GPtrArray *petri_list_tree_files (const char *dir, GError **error);

/* For g_ptr_array_sort() of strings. */
gint petri_compare_strings (gconstpointer a, gconstpointer b);

/* "2024-11-01" for a Unix time, UTC. */
char *petri_format_date (gint64 unix_seconds);

/* ---------------------------------------------------------------------- */
/* ClamAV (petri-engine-clamav.c)                                           */

/* Whether @name ends in an extension libclamav loads as a database. */
gboolean petri_clamav_is_database_name (const char *name);
/* Loads one database file into a scratch engine and compiles it: the check
 * made before a file is let into the store. The error gives the reason
 * (libclamav's, with line numbers) without the file name. */
gboolean petri_clamav_check_database (const char *path, guint *n_signatures, GError **error);
/* One entry of `petri sigs list` for a database file in the store. */
JsonNode *petri_clamav_describe_database (const char *path, GError **error);

/* ---------------------------------------------------------------------- */
/* YARA (petri-engine-yara.c)                                               */

/* *.yar or *.yara */
gboolean petri_yara_is_rule_file_name (const char *name);
/* Paths (relative to the including file's folder, as written) of the
 * `include` directives of one rule file. */
GPtrArray *petri_yara_read_includes (const char *path, GError **error);
/* The files under @dir compiled as entry points, relative to @dir: every
 * rule file that no other rule file there includes (sorted). */
GPtrArray *petri_yara_find_entry_points (const char *dir, GError **error);
/* The stable namespace of an entry point: its relative path without the
 * extension ("signature-base/apt_foo"). */
char *petri_yara_namespace_for (const char *relative_path);
/* Compiles one rule file alone (with the external variables defined); the
 * error names the file, line and message. */
gboolean petri_yara_check_file (const char *path, const char *namespace_, guint *n_rules,
                                GError **error);
/* Rule counts of the rules in force under @dir, by namespace (char * →
 * GUINT_TO_POINTER), using the compiled-rule cache when it is current. */
GHashTable *petri_yara_count_rules (const char *dir, GPtrArray *warnings, GError **error);

G_END_DECLS
