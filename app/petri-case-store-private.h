/* petri-case-store-private.h: what app/ shares about the case database
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "petri-app.h"

G_BEGIN_DECLS

/* Runs on the writer thread inside the batch transaction (in a savepoint of
 * its own: returning FALSE rolls back just this operation). */
typedef gboolean (*PetriStoreWriteFunc) (PetriCaseStore *self, sqlite3 *db, gpointer data,
                                         GError **error);

/* Queues @func; @callback runs on the caller's thread-default main context
 * once the batch holding it is committed. */
void petri_case_store_write (PetriCaseStore *self, PetriStoreWriteFunc func, gpointer data,
                             GDestroyNotify destroy, GAsyncReadyCallback callback,
                             gpointer user_data);

/* Writer thread only: a cached prepared statement, reset and unbound. */
sqlite3_stmt *petri_case_store_stmt (PetriCaseStore *self, sqlite3 *db, const char *sql,
                                     GError **error);

/* Reader side: runs @func on a read-only connection of its own (any thread
 * but the writer; blocking). */
typedef JsonNode *(*PetriStoreReadFunc) (sqlite3 *db, const char *arg, gpointer data,
                                         GCancellable *cancellable, GError **error);
JsonNode *petri_case_store_read (PetriCaseStore *self, PetriStoreReadFunc func, const char *arg,
                                 gpointer data, GCancellable *cancellable, GError **error);

/* Sets @error from the connection's last error, prefixed by @what: an N_()
 * phrase ("recording a sample"), translated here. */
void petri_store_set_sqlite_error (sqlite3 *db, int rc, const char *what, GError **error);

/* Inside the writer: ids by key, creating rows as needed. */
gint64 petri_store_ensure_case (PetriCaseStore *self, sqlite3 *db, const char *name,
                                GError **error);
gint64 petri_store_lookup_case (PetriCaseStore *self, sqlite3 *db, const char *name,
                                GError **error);
gint64 petri_store_lookup_sample (PetriCaseStore *self, sqlite3 *db, const char *sha256,
                                  GError **error);
/* Recomputes samples.verdict/detections/engines from the latest results. */
gboolean petri_store_update_verdict (PetriCaseStore *self, sqlite3 *db, gint64 sample_id,
                                     GError **error);

/* ---------------------------------------------------------------------- */
/* Shared helpers (petri-store-sql.c)                                       */

/* A statement on a reader connection, finalized when it goes out of scope. */
typedef sqlite3_stmt PetriSqlStmt;
void petri_sql_stmt_free (PetriSqlStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriSqlStmt, petri_sql_stmt_free)
PetriSqlStmt *petri_sql_prepare (sqlite3 *db, const char *sql, GError **error);

/* Inside a PetriStoreWriteFunc: the writer's cached statement, or return
 * FALSE (with @error set) from the enclosing function. */
#define PETRI_STMT(self, db, sql, error)                                                           \
  ({                                                                                               \
    sqlite3_stmt *_s = petri_case_store_stmt ((self), (db), (sql), (error));                       \
    if (_s == NULL)                                                                                \
      return FALSE;                                                                                \
    _s;                                                                                            \
  })

/* Steps once and resets; FALSE with @error (naming @what) on failure. */
gboolean petri_sql_step (sqlite3 *db, sqlite3_stmt *stmt, const char *what, GError **error);
/* After a row loop: TRUE when @rc is SQLITE_DONE, else sets @error. */
gboolean petri_sql_done (sqlite3 *db, int rc, GError **error);
/* The same after resetting @stmt. */
gboolean petri_sql_finish_rows (sqlite3 *db, sqlite3_stmt *stmt, int rc, GError **error);
void petri_sql_bind_text (sqlite3_stmt *stmt, int i, const char *s); /* NULL → NULL */
void petri_sql_bind_time (sqlite3_stmt *stmt, int i, gint64 t);      /* 0 → NULL */
const char *petri_sql_col_text (sqlite3_stmt *stmt, int i);          /* NULL → "" */
gint64 petri_now_seconds (void);
/* "<boot id> <pid> <start time>" of this process, recorded on unfinished analyses. */
const char *petri_store_process_owner (void);

void petri_json_add_string (JsonBuilder *b, const char *member, const char *value);
void petri_json_add_int (JsonBuilder *b, const char *member, gint64 value);
void petri_json_add_col_string (JsonBuilder *b, const char *member, sqlite3_stmt *stmt, int i);
void petri_json_add_col_int (JsonBuilder *b, const char *member, sqlite3_stmt *stmt, int i);
/* ISO 8601 (UTC) or null. */
void petri_json_add_col_time (JsonBuilder *b, const char *member, sqlite3_stmt *stmt, int i);
/* A column holding JSON text; null (or {} when @object) when empty. */
void petri_json_add_col_json (JsonBuilder *b, const char *member, sqlite3_stmt *stmt, int i,
                              gboolean object);

gboolean petri_store_check_case_name (const char *name, GError **error);
/* Records a sample unless its SHA-256 is known; its row id (-1 on error). */
gint64 petri_store_insert_sample (PetriCaseStore *self, sqlite3 *db, const PetriSampleInfo *info,
                                  gint64 first_seen, gboolean *added, GError **error);
/* Writer steps shared by the store's operations and imports. */
gboolean petri_store_index_text (PetriCaseStore *self, sqlite3 *db, const char *text,
                                 const char *kind, gint64 sample_id, gint64 case_id,
                                 GError **error);
/* Records a name a sample was seen under in a case (and indexes its path). */
gboolean petri_store_add_sighting (PetriCaseStore *self, sqlite3 *db, gint64 case_id,
                                   gint64 sample_id, const char *name, const char *path,
                                   const char *path_raw, gsize raw_len, const char *root,
                                   gint64 added, GError **error);
/* Appends @events (PetriBehaviorEvent) numbered from *@seq on. */
gboolean petri_store_insert_events (PetriCaseStore *self, sqlite3 *db, gint64 analysis_id,
                                    gint64 *seq, GPtrArray *events, GError **error);

/* The queries (petri-case-queries.c), each a PetriStoreReadFunc. */
JsonNode *petri_query_cases (sqlite3 *db, const char *arg, gpointer data, GCancellable *cancellable,
                             GError **error);
JsonNode *petri_query_case (sqlite3 *db, const char *arg, gpointer data, GCancellable *cancellable,
                            GError **error);
JsonNode *petri_query_sample (sqlite3 *db, const char *arg, gpointer data,
                              GCancellable *cancellable, GError **error);
JsonNode *petri_query_search (sqlite3 *db, const char *arg, gpointer data,
                              GCancellable *cancellable, GError **error);

G_END_DECLS
