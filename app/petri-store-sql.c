/* petri-store-sql.c: small SQL and JSON helpers every part of the case
 * database shares (writer operations, queries, imports)
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-case-store-private.h"
#include "petri-behavior.h"

#include <glib/gi18n.h>

/* ---------------------------------------------------------------------- */
/* Statements                                                               */

void
petri_sql_stmt_free (PetriSqlStmt *stmt)
{
  sqlite3_finalize (stmt);
}

PetriSqlStmt *
petri_sql_prepare (sqlite3 *db, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      petri_store_set_sqlite_error (db, rc, N_ ("preparing a query"), error);
      return NULL;
    }
  return stmt;
}

gboolean
petri_sql_step (sqlite3 *db, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      petri_store_set_sqlite_error (db, rc, what, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
petri_sql_done (sqlite3 *db, int rc, GError **error)
{
  if (rc == SQLITE_DONE)
    return TRUE;
  petri_store_set_sqlite_error (db, rc, N_ ("reading the case database"), error);
  return FALSE;
}

gboolean
petri_sql_finish_rows (sqlite3 *db, sqlite3_stmt *stmt, int rc, GError **error)
{
  sqlite3_reset (stmt);
  return petri_sql_done (db, rc, error);
}

void
petri_sql_bind_text (sqlite3_stmt *stmt, int i, const char *s)
{
  if (s != NULL)
    sqlite3_bind_text (stmt, i, s, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, i);
}

void
petri_sql_bind_time (sqlite3_stmt *stmt, int i, gint64 t)
{
  if (t > 0)
    sqlite3_bind_int64 (stmt, i, t);
  else
    sqlite3_bind_null (stmt, i);
}

const char *
petri_sql_col_text (sqlite3_stmt *stmt, int i)
{
  const char *s = (const char *) sqlite3_column_text (stmt, i);
  return s != NULL ? s : "";
}

gint64
petri_now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---------------------------------------------------------------------- */
/* JSON out of rows                                                         */

void
petri_json_add_string (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
petri_json_add_int (JsonBuilder *b, const char *member, gint64 value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_int_value (b, value);
}

void
petri_json_add_col_string (JsonBuilder *b, const char *member, sqlite3_stmt *stmt, int i)
{
  petri_json_add_string (b, member, (const char *) sqlite3_column_text (stmt, i));
}

void
petri_json_add_col_int (JsonBuilder *b, const char *member, sqlite3_stmt *stmt, int i)
{
  json_builder_set_member_name (b, member);
  if (sqlite3_column_type (stmt, i) == SQLITE_NULL)
    json_builder_add_null_value (b);
  else
    json_builder_add_int_value (b, sqlite3_column_int64 (stmt, i));
}

void
petri_json_add_col_time (JsonBuilder *b, const char *member, sqlite3_stmt *stmt, int i)
{
  json_builder_set_member_name (b, member);
  if (sqlite3_column_type (stmt, i) == SQLITE_NULL)
    json_builder_add_null_value (b);
  else
    {
      g_autofree char *s = petri_format_time (sqlite3_column_int64 (stmt, i));
      json_builder_add_string_value (b, s);
    }
}

void
petri_json_add_col_json (JsonBuilder *b, const char *member, sqlite3_stmt *stmt, int i,
                         gboolean object)
{
  const char *text = (const char *) sqlite3_column_text (stmt, i);
  g_autoptr (JsonNode) node = NULL;

  json_builder_set_member_name (b, member);
  if (text != NULL && *text != '\0')
    node = json_from_string (text, NULL);
  if (node != NULL)
    json_builder_add_value (b, g_steal_pointer (&node));
  else if (object)
    {
      json_builder_begin_object (b);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
}

/* ---------------------------------------------------------------------- */
/* Writer steps shared by the store's operations and by imports             */

gboolean
petri_store_check_case_name (const char *name, GError **error)
{
  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL) || strlen (name) > 200)
    {
      g_set_error_literal (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INVALID,
                           _ ("A case name must be 1 to 200 characters of text"));
      return FALSE;
    }
  return TRUE;
}

gint64
petri_store_insert_sample (PetriCaseStore *self, sqlite3 *db, const PetriSampleInfo *info,
                           gint64 first_seen, gboolean *added, GError **error)
{
  sqlite3_stmt *stmt = petri_case_store_stmt (
      self, db,
      "INSERT INTO samples (sha256, sha1, md5, size, mime, description, ssdeep, first_seen) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
      error);

  if (stmt == NULL)
    return -1;
  petri_sql_bind_text (stmt, 1, info->sha256);
  petri_sql_bind_text (stmt, 2, info->sha1);
  petri_sql_bind_text (stmt, 3, info->md5);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) info->size);
  petri_sql_bind_text (stmt, 5, info->mime ? info->mime : "");
  petri_sql_bind_text (stmt, 6, info->description ? info->description : "");
  petri_sql_bind_text (stmt, 7, info->ssdeep ? info->ssdeep : "");
  sqlite3_bind_int64 (stmt, 8, first_seen);
  if (!petri_sql_step (db, stmt, N_ ("recording a sample"), error))
    return -1;
  if (added != NULL)
    *added = sqlite3_changes (db) > 0;
  return petri_store_lookup_sample (self, db, info->sha256, error);
}

gboolean
petri_store_index_text (PetriCaseStore *self, sqlite3 *db, const char *text, const char *kind,
                        gint64 sample_id, gint64 case_id, GError **error)
{
  sqlite3_stmt *stmt = PETRI_STMT (
      self, db, "INSERT INTO search_index (text, kind, sample_id, case_id) VALUES (?, ?, ?, ?)",
      error);

  petri_sql_bind_text (stmt, 1, text);
  petri_sql_bind_text (stmt, 2, kind);
  sqlite3_bind_int64 (stmt, 3, sample_id);
  if (case_id > 0)
    sqlite3_bind_int64 (stmt, 4, case_id);
  else
    sqlite3_bind_null (stmt, 4);
  return petri_sql_step (db, stmt, N_ ("indexing for search"), error);
}

gboolean
petri_store_add_sighting (PetriCaseStore *self, sqlite3 *db, gint64 case_id, gint64 sample_id,
                          const char *name, const char *path, const char *path_raw, gsize raw_len,
                          const char *root, gint64 added, GError **error)
{
  sqlite3_stmt *stmt = PETRI_STMT (self, db,
                                   "INSERT INTO sightings (case_id, sample_id, name, path, "
                                   "path_raw, root, added) VALUES (?, ?, ?, ?, ?, ?, ?) "
                                   "ON CONFLICT DO NOTHING",
                                   error);

  sqlite3_bind_int64 (stmt, 1, case_id);
  sqlite3_bind_int64 (stmt, 2, sample_id);
  petri_sql_bind_text (stmt, 3, name);
  petri_sql_bind_text (stmt, 4, path);
  sqlite3_bind_blob (stmt, 5, path_raw, raw_len, SQLITE_TRANSIENT);
  petri_sql_bind_text (stmt, 6, root);
  sqlite3_bind_int64 (stmt, 7, added);
  if (!petri_sql_step (db, stmt, N_ ("recording a file name"), error))
    return FALSE;
  if (sqlite3_changes (db) > 0)
    return petri_store_index_text (self, db, path, "path", sample_id, case_id, error);
  return TRUE;
}

gboolean
petri_store_insert_events (PetriCaseStore *self, sqlite3 *db, gint64 analysis_id, gint64 *seq,
                           GPtrArray *events, GError **error)
{
  for (guint i = 0; i < events->len; i++)
    {
      PetriBehaviorEvent *e = g_ptr_array_index (events, i);
      g_autofree char *details = NULL;
      sqlite3_stmt *stmt = PETRI_STMT (self, db,
                                       "INSERT INTO events (analysis_id, seq, ts, category, "
                                       "action, pid, ppid, process, target, details) "
                                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                       error);

      if (e->details != NULL)
        {
          g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);

          json_node_set_object (node, e->details);
          details = json_to_string (node, FALSE);
        }
      sqlite3_bind_int64 (stmt, 1, analysis_id);
      sqlite3_bind_int64 (stmt, 2, (*seq)++);
      sqlite3_bind_double (stmt, 3, e->ts);
      petri_sql_bind_text (stmt, 4, e->category);
      petri_sql_bind_text (stmt, 5, e->action);
      if (e->pid >= 0)
        sqlite3_bind_int64 (stmt, 6, e->pid);
      else
        sqlite3_bind_null (stmt, 6);
      if (e->ppid >= 0)
        sqlite3_bind_int64 (stmt, 7, e->ppid);
      else
        sqlite3_bind_null (stmt, 7);
      petri_sql_bind_text (stmt, 8, e->process);
      petri_sql_bind_text (stmt, 9, e->target);
      petri_sql_bind_text (stmt, 10, details);
      if (!petri_sql_step (db, stmt, N_ ("recording a behaviour event"), error))
        return FALSE;
    }
  return TRUE;
}
