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
