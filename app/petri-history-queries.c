/* petri-history-queries.c: the export model and the retro-hunt query
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-history.h"
#include "petri-case-store-private.h"

#include <glib/gi18n.h>
#include <stdio.h>

/* ---------------------------------------------------------------------- */
/* The case model                                                           */

typedef struct
{
  PetriSqlStmt *names, *tags, *results, *detections, *analyses, *events, *dropped;
} CaseStmts;

static void
case_stmts_clear (CaseStmts *s)
{
  g_clear_pointer (&s->names, petri_sql_stmt_free);
  g_clear_pointer (&s->tags, petri_sql_stmt_free);
  g_clear_pointer (&s->results, petri_sql_stmt_free);
  g_clear_pointer (&s->detections, petri_sql_stmt_free);
  g_clear_pointer (&s->analyses, petri_sql_stmt_free);
  g_clear_pointer (&s->events, petri_sql_stmt_free);
  g_clear_pointer (&s->dropped, petri_sql_stmt_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CaseStmts, case_stmts_clear)

static gboolean
add_sample_details (JsonBuilder *b, sqlite3 *db, CaseStmts *s, gint64 case_id, gint64 sample_id,
                    GError **error)
{
  int rc;

  json_builder_set_member_name (b, "names");
  json_builder_begin_array (b);
  sqlite3_bind_int64 (s->names, 1, case_id);
  sqlite3_bind_int64 (s->names, 2, sample_id);
  while ((rc = sqlite3_step (s->names)) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      petri_json_add_col_string (b, "name", s->names, 0);
      petri_json_add_col_string (b, "path", s->names, 1);
      petri_json_add_col_string (b, "root", s->names, 2);
      petri_json_add_col_time (b, "added", s->names, 3);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (!petri_sql_finish_rows (db, s->names, rc, error))
    return FALSE;

  json_builder_set_member_name (b, "tags");
  json_builder_begin_array (b);
  sqlite3_bind_int64 (s->tags, 1, case_id);
  sqlite3_bind_int64 (s->tags, 2, sample_id);
  while ((rc = sqlite3_step (s->tags)) == SQLITE_ROW)
    json_builder_add_string_value (b, petri_sql_col_text (s->tags, 0));
  json_builder_end_array (b);
  if (!petri_sql_finish_rows (db, s->tags, rc, error))
    return FALSE;

  json_builder_set_member_name (b, "results");
  json_builder_begin_array (b);
  sqlite3_bind_int64 (s->results, 1, sample_id);
  while ((rc = sqlite3_step (s->results)) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      petri_json_add_col_string (b, "engine", s->results, 0);
      petri_json_add_col_string (b, "engine_version", s->results, 1);
      petri_json_add_col_string (b, "signatures", s->results, 2);
      petri_json_add_col_string (b, "result", s->results, 3);
      petri_json_add_col_json (b, "names", s->results, 4, FALSE);
      json_builder_set_member_name (b, "heuristic");
      json_builder_add_boolean_value (b, sqlite3_column_int (s->results, 5) != 0);
      petri_json_add_col_json (b, "details", s->results, 6, FALSE);
      petri_json_add_col_string (b, "error", s->results, 7);
      petri_json_add_col_time (b, "scanned", s->results, 8);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (!petri_sql_finish_rows (db, s->results, rc, error))
    return FALSE;

  json_builder_set_member_name (b, "detections");
  json_builder_begin_array (b);
  sqlite3_bind_int64 (s->detections, 1, sample_id);
  while ((rc = sqlite3_step (s->detections)) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      petri_json_add_col_string (b, "engine", s->detections, 0);
      petri_json_add_col_string (b, "name", s->detections, 1);
      json_builder_set_member_name (b, "heuristic");
      json_builder_add_boolean_value (b, sqlite3_column_int (s->detections, 2) != 0);
      petri_json_add_col_time (b, "first_seen", s->detections, 3);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (!petri_sql_finish_rows (db, s->detections, rc, error))
    return FALSE;

  json_builder_set_member_name (b, "analyses");
  json_builder_begin_array (b);
  sqlite3_bind_int64 (s->analyses, 1, sample_id);
  while ((rc = sqlite3_step (s->analyses)) == SQLITE_ROW)
    {
      int erc;

      json_builder_begin_object (b);
      petri_json_add_col_string (b, "source", s->analyses, 1);
      petri_json_add_col_string (b, "vm", s->analyses, 2);
      petri_json_add_col_string (b, "platform", s->analyses, 3);
      petri_json_add_col_string (b, "status", s->analyses, 4);
      petri_json_add_col_string (b, "reason", s->analyses, 5);
      petri_json_add_col_time (b, "queued", s->analyses, 6);
      petri_json_add_col_time (b, "started", s->analyses, 7);
      petri_json_add_col_time (b, "finished", s->analyses, 8);
      petri_json_add_col_int (b, "duration", s->analyses, 9);
      petri_json_add_col_json (b, "summary", s->analyses, 10, FALSE);
      petri_json_add_col_string (b, "case", s->analyses, 11);
      json_builder_set_member_name (b, "events");
      json_builder_begin_array (b);
      sqlite3_bind_int64 (s->events, 1, sqlite3_column_int64 (s->analyses, 0));
      while ((erc = sqlite3_step (s->events)) == SQLITE_ROW)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "ts");
          json_builder_add_double_value (b, sqlite3_column_double (s->events, 0));
          petri_json_add_col_string (b, "category", s->events, 1);
          petri_json_add_col_string (b, "action", s->events, 2);
          petri_json_add_col_int (b, "pid", s->events, 3);
          petri_json_add_col_int (b, "ppid", s->events, 4);
          petri_json_add_col_string (b, "process", s->events, 5);
          petri_json_add_col_string (b, "target", s->events, 6);
          petri_json_add_col_json (b, "details", s->events, 7, TRUE);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      if (!petri_sql_finish_rows (db, s->events, erc, error))
        return FALSE;
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (!petri_sql_finish_rows (db, s->analyses, rc, error))
    return FALSE;

  json_builder_set_member_name (b, "dropped");
  json_builder_begin_array (b);
  sqlite3_bind_int64 (s->dropped, 1, sample_id);
  while ((rc = sqlite3_step (s->dropped)) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      petri_json_add_col_string (b, "sha256", s->dropped, 0);
      petri_json_add_col_string (b, "path", s->dropped, 1);
      petri_json_add_col_string (b, "relation", s->dropped, 2);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return petri_sql_finish_rows (db, s->dropped, rc, error);
}

static JsonNode *
case_model_query (sqlite3 *db, const char *arg, gpointer data, GCancellable *cancellable,
                  GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (PetriSqlStmt) c = NULL, samples = NULL;
  g_auto (CaseStmts) s = { 0 };
  g_autofree char *now = petri_format_time (g_get_real_time () / G_USEC_PER_SEC);
  gint64 case_id;
  int rc;

  c = petri_sql_prepare (db, "SELECT id, name, created, notes FROM cases WHERE name = ?", error);
  samples
      = petri_sql_prepare (db,
                           "SELECT s.id, s.sha256, s.sha1, s.md5, s.size, s.mime, s.description, "
                           "s.ssdeep, s.first_seen, s.verdict, s.detections, s.engines, cs.added, "
                           "cs.notes, cs.analyst_verdict, cs.analyst_comment "
                           "FROM case_samples cs JOIN samples s ON s.id = cs.sample_id "
                           "WHERE cs.case_id = ? ORDER BY cs.added, s.sha256",
                           error);
  if (c == NULL || samples == NULL)
    return NULL;
  if (!(s.names = petri_sql_prepare (db,
                                     "SELECT name, path, root, added FROM sightings "
                                     "WHERE case_id = ?1 AND sample_id = ?2 ORDER BY id",
                                     error))
      || !(s.tags = petri_sql_prepare (db,
                                       "SELECT tag FROM tags WHERE case_id = ? AND sample_id = ? "
                                       "ORDER BY tag",
                                       error))
      || !(s.results
           = petri_sql_prepare (db,
                                "SELECT engine, engine_version, signatures, result, names, "
                                "heuristic, details, error, scanned FROM engine_results "
                                "WHERE sample_id = ? ORDER BY id",
                                error))
      || !(s.detections
           = petri_sql_prepare (db,
                                "SELECT engine, name, heuristic, first_seen FROM "
                                "detection_names WHERE sample_id = ? ORDER BY first_seen, "
                                "engine, name",
                                error))
      || !(s.analyses
           = petri_sql_prepare (db,
                                "SELECT a.id, a.source, a.vm, a.platform, a.status, a.reason, "
                                "a.queued, a.started, a.finished, a.duration, a.summary, c.name "
                                "FROM analyses a LEFT JOIN cases c ON c.id = a.case_id "
                                "WHERE a.sample_id = ? ORDER BY a.id",
                                error))
      || !(s.events = petri_sql_prepare (db,
                                         "SELECT ts, category, action, pid, ppid, process, target, "
                                         "details FROM events WHERE analysis_id = ? ORDER BY seq",
                                         error))
      || !(s.dropped
           = petri_sql_prepare (db,
                                "SELECT s.sha256, l.path, l.relation FROM sample_links l "
                                "JOIN samples s ON s.id = l.child_id WHERE l.parent_id = ? "
                                "ORDER BY s.sha256",
                                error)))
    return NULL;

  sqlite3_bind_text (c, 1, arg, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (c);
  if (rc != SQLITE_ROW)
    {
      if (petri_sql_finish_rows (db, c, rc, error))
        g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_NOT_FOUND, _ ("There is no case “%s”"),
                     arg);
      return NULL;
    }
  case_id = sqlite3_column_int64 (c, 0);

  json_builder_begin_object (b);
  petri_json_add_string (b, "format", "petri-case");
  petri_json_add_int (b, "version", 1);
  petri_json_add_string (b, "petri", PACKAGE_VERSION);
  petri_json_add_string (b, "exported", now);
  json_builder_set_member_name (b, "case");
  json_builder_begin_object (b);
  petri_json_add_col_string (b, "name", c, 1);
  petri_json_add_col_time (b, "created", c, 2);
  petri_json_add_col_string (b, "notes", c, 3);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "samples");
  json_builder_begin_array (b);
  sqlite3_bind_int64 (samples, 1, case_id);
  while ((rc = sqlite3_step (samples)) == SQLITE_ROW)
    {
      gint64 sample_id = sqlite3_column_int64 (samples, 0);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      json_builder_begin_object (b);
      petri_json_add_col_string (b, "sha256", samples, 1);
      petri_json_add_col_string (b, "sha1", samples, 2);
      petri_json_add_col_string (b, "md5", samples, 3);
      petri_json_add_col_int (b, "size", samples, 4);
      petri_json_add_col_string (b, "mime", samples, 5);
      petri_json_add_col_string (b, "type", samples, 6);
      petri_json_add_col_string (b, "ssdeep", samples, 7);
      petri_json_add_col_time (b, "first_seen", samples, 8);
      petri_json_add_col_string (b, "verdict", samples, 9);
      petri_json_add_col_int (b, "detection_count", samples, 10);
      petri_json_add_col_int (b, "engine_count", samples, 11);
      petri_json_add_col_time (b, "added", samples, 12);
      petri_json_add_col_string (b, "notes", samples, 13);
      petri_json_add_col_string (b, "analyst_verdict", samples, 14);
      petri_json_add_col_string (b, "analyst_comment", samples, 15);
      if (!add_sample_details (b, db, &s, case_id, sample_id, error))
        return NULL;
      json_builder_end_object (b);
    }
  if (!petri_sql_finish_rows (db, samples, rc, error))
    return NULL;
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
petri_history_query_case (PetriCaseStore *store, const char *case_name, GCancellable *cancellable,
                          GError **error)
{
  g_return_val_if_fail (PETRI_IS_CASE_STORE (store), NULL);
  g_return_val_if_fail (case_name != NULL, NULL);

  return petri_case_store_read (store, case_model_query, case_name, NULL, cancellable, error);
}

/* ---------------------------------------------------------------------- */
/* Retro-hunt                                                               */

static JsonNode *
new_since_query (sqlite3 *db, const char *arg, gpointer data, GCancellable *cancellable,
                 GError **error)
{
  gint64 since = *(gint64 *) data;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  /* A detection name first seen at or after @since on a sample that had
   * been scanned before that moment by the same engine: a new detection of
   * an old sample. What the engine said in that earlier scan is the
   * "previous" result. */
  g_autoptr (PetriSqlStmt) stmt = petri_sql_prepare (
      db,
      "SELECT s.sha256, c.name, cs.added, "
      "  (SELECT g.name FROM sightings g WHERE g.case_id = c.id AND g.sample_id = s.id "
      "   ORDER BY g.id LIMIT 1), "
      "  d.engine, d.name, d.first_seen, "
      "  (SELECT r.result FROM engine_results r WHERE r.sample_id = s.id "
      "   AND r.engine = d.engine AND r.scanned < d.first_seen ORDER BY r.id DESC LIMIT 1) "
      "FROM detection_names d JOIN samples s ON s.id = d.sample_id "
      "JOIN case_samples cs ON cs.sample_id = s.id JOIN cases c ON c.id = cs.case_id "
      "WHERE d.first_seen >= ?1 AND EXISTS (SELECT 1 FROM engine_results r "
      "  WHERE r.sample_id = d.sample_id AND r.engine = d.engine AND r.scanned < d.first_seen) "
      "ORDER BY d.first_seen, s.sha256, c.name, d.engine, d.name LIMIT 10000",
      error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since);
  json_builder_begin_array (b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      petri_json_add_col_string (b, "sha256", stmt, 0);
      petri_json_add_col_string (b, "case", stmt, 1);
      petri_json_add_col_time (b, "added", stmt, 2);
      petri_json_add_col_string (b, "name", stmt, 3);
      petri_json_add_col_string (b, "engine", stmt, 4);
      petri_json_add_col_string (b, "detection", stmt, 5);
      petri_json_add_col_time (b, "first_seen", stmt, 6);
      petri_json_add_col_string (b, "previous_result", stmt, 7);
      json_builder_end_object (b);
    }
  if (!petri_sql_finish_rows (db, stmt, rc, error))
    return NULL;
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

JsonNode *
petri_history_query_new_since (PetriCaseStore *store, gint64 since, GCancellable *cancellable,
                               GError **error)
{
  g_return_val_if_fail (PETRI_IS_CASE_STORE (store), NULL);

  return petri_case_store_read (store, new_since_query, NULL, &since, cancellable, error);
}

gboolean
petri_history_parse_date (const char *text, gint64 *out, GError **error)
{
  g_autoptr (GDateTime) dt = NULL;
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  int y, mo, d, h = 0, mi = 0, s = 0, n;
  char tail[8] = "";

  g_return_val_if_fail (text != NULL && out != NULL, FALSE);

  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    {
      n = sscanf (text, "%4d-%2d-%2d%*1[ T]%2d:%2d:%2d%7s", &y, &mo, &d, &h, &mi, &s, tail);
      if (n == 3 || n == 5 || n == 6 || (n == 7 && g_str_equal (tail, "Z")))
        dt = g_date_time_new_utc (y, mo, d, h, mi, s);
      else if (sscanf (text, "%4d-%2d-%2d%7s", &y, &mo, &d, tail) == 3)
        dt = g_date_time_new_utc (y, mo, d, 0, 0, 0);
    }
  if (dt == NULL)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INVALID,
                   _ ("“%s” is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"), text);
      return FALSE;
    }
  *out = g_date_time_to_unix (dt);
  return TRUE;
}
