/* petri-case-queries.c: what the CLI and the window read from the case database
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every query returns JSON in the shape `--json` prints, so that the command
 * line and the window share one implementation.
 */
#include "config.h"

#include "petri-case-store-private.h"

#include <glib/gi18n.h>

#define SEARCH_LIMIT 1000

/* ---------------------------------------------------------------------- */
/* Cases                                                                    */

JsonNode *
petri_query_cases (sqlite3 *db, const char *arg, gpointer data, GCancellable *cancellable,
                   GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (PetriSqlStmt) stmt = petri_sql_prepare (
      db,
      "SELECT c.name, c.created, c.notes, "
      "  (SELECT count(*) FROM case_samples cs WHERE cs.case_id = c.id), "
      "  (SELECT count(*) FROM case_samples cs JOIN samples s ON s.id = cs.sample_id "
      "   WHERE cs.case_id = c.id AND s.verdict IN ('malicious', 'suspicious')) "
      "FROM cases c ORDER BY c.created DESC, c.id DESC",
      error);
  int rc;

  if (stmt == NULL)
    return NULL;
  json_builder_begin_array (b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      petri_json_add_string (b, "name", petri_sql_col_text (stmt, 0));
      petri_json_add_col_time (b, "created", stmt, 1);
      petri_json_add_string (b, "notes", petri_sql_col_text (stmt, 2));
      petri_json_add_int (b, "samples", sqlite3_column_int64 (stmt, 3));
      petri_json_add_int (b, "detections", sqlite3_column_int64 (stmt, 4));
      json_builder_end_object (b);
    }
  if (!petri_sql_done (db, rc, error))
    return NULL;
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

/* The columns every sample query starts with, in this order. */
#define SAMPLE_COLUMNS                                                                             \
  "s.id, s.sha256, s.sha1, s.md5, s.size, s.mime, s.description, s.ssdeep, s.first_seen, "         \
  "s.verdict, s.detections, s.engines"
#define N_SAMPLE_COLUMNS 12

static void
add_sample_fields (JsonBuilder *b, sqlite3_stmt *stmt)
{
  petri_json_add_string (b, "sha256", petri_sql_col_text (stmt, 1));
  petri_json_add_string (b, "sha1", petri_sql_col_text (stmt, 2));
  petri_json_add_string (b, "md5", petri_sql_col_text (stmt, 3));
  petri_json_add_int (b, "size", sqlite3_column_int64 (stmt, 4));
  petri_json_add_string (b, "mime", petri_sql_col_text (stmt, 5));
  petri_json_add_string (b, "type", petri_sql_col_text (stmt, 6));
  petri_json_add_string (b, "ssdeep", petri_sql_col_text (stmt, 7));
  petri_json_add_col_time (b, "first_seen", stmt, 8);
  petri_json_add_string (b, "verdict", petri_sql_col_text (stmt, 9));
}

static gboolean
add_strings_column (JsonBuilder *b, sqlite3 *db, sqlite3_stmt *stmt, int col, GError **error)
{
  int rc;

  json_builder_begin_array (b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    json_builder_add_string_value (b, petri_sql_col_text (stmt, col));
  json_builder_end_array (b);
  sqlite3_reset (stmt);
  return petri_sql_done (db, rc, error);
}

/* Detection names that appeared on a sample after the same engine had
 * already scanned it without them: the retro-hunt's "new detection since". */
#define NEW_DETECTIONS_SQL                                                                         \
  "SELECT d.engine, d.name, d.first_seen FROM detection_names d WHERE d.sample_id = ?1 "           \
  "AND EXISTS (SELECT 1 FROM engine_results r WHERE r.sample_id = d.sample_id "                    \
  "AND r.engine = d.engine AND r.scanned < d.first_seen) ORDER BY d.first_seen, d.engine, d.name"

JsonNode *
petri_query_case (sqlite3 *db, const char *arg, gpointer data, GCancellable *cancellable,
                  GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (PetriSqlStmt) c = NULL, samples = NULL, names = NULL, tags = NULL, sandbox = NULL;
  g_autoptr (PetriSqlStmt) fresh = NULL;
  g_autoptr (PetriSqlStmt) detections = NULL;
  gint64 case_id;
  int rc;

  c = petri_sql_prepare (db, "SELECT id, name, created, notes FROM cases WHERE name = ?", error);
  samples = petri_sql_prepare (db,
                               "SELECT " SAMPLE_COLUMNS ", cs.added, cs.notes, cs.analyst_verdict "
                               "FROM case_samples cs JOIN samples s ON s.id = cs.sample_id "
                               "WHERE cs.case_id = ? ORDER BY cs.added, s.id",
                               error);
  names
      = petri_sql_prepare (db,
                           "SELECT name, path FROM sightings WHERE case_id = ?1 AND sample_id = ?2 "
                           "ORDER BY id",
                           error);
  tags = petri_sql_prepare (
      db, "SELECT tag FROM tags WHERE case_id = ?1 AND sample_id = ?2 ORDER BY tag", error);
  sandbox = petri_sql_prepare (db,
                               "SELECT status, reason FROM analyses WHERE sample_id = ? "
                               "ORDER BY id DESC LIMIT 1",
                               error);
  fresh = petri_sql_prepare (db, NEW_DETECTIONS_SQL " LIMIT 1", error);
  /* The window's search field matches detection names too. */
  detections = petri_sql_prepare (db,
                                  "SELECT DISTINCT name FROM detection_names WHERE sample_id = ? "
                                  "ORDER BY name",
                                  error);
  if (c == NULL || samples == NULL || names == NULL || tags == NULL || sandbox == NULL
      || fresh == NULL || detections == NULL)
    return NULL;

  sqlite3_bind_text (c, 1, arg, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (c);
  if (rc != SQLITE_ROW)
    {
      if (petri_sql_done (db, rc, error))
        g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_NOT_FOUND, _ ("There is no case “%s”"),
                     arg);
      return NULL;
    }
  case_id = sqlite3_column_int64 (c, 0);

  json_builder_begin_object (b);
  petri_json_add_string (b, "name", petri_sql_col_text (c, 1));
  petri_json_add_col_time (b, "created", c, 2);
  petri_json_add_string (b, "notes", petri_sql_col_text (c, 3));
  json_builder_set_member_name (b, "samples");
  json_builder_begin_array (b);
  sqlite3_bind_int64 (samples, 1, case_id);
  while ((rc = sqlite3_step (samples)) == SQLITE_ROW)
    {
      gint64 sample_id = sqlite3_column_int64 (samples, 0);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      json_builder_begin_object (b);
      add_sample_fields (b, samples);
      petri_json_add_int (b, "detections", sqlite3_column_int64 (samples, 10));
      petri_json_add_int (b, "engines", sqlite3_column_int64 (samples, 11));

      sqlite3_bind_int64 (names, 1, case_id);
      sqlite3_bind_int64 (names, 2, sample_id);
      json_builder_set_member_name (b, "names");
      if (!add_strings_column (b, db, names, 0, error))
        return NULL;
      json_builder_set_member_name (b, "paths");
      if (!add_strings_column (b, db, names, 1, error))
        return NULL;
      petri_json_add_col_time (b, "added", samples, N_SAMPLE_COLUMNS);
      sqlite3_bind_int64 (tags, 1, case_id);
      sqlite3_bind_int64 (tags, 2, sample_id);
      json_builder_set_member_name (b, "tags");
      if (!add_strings_column (b, db, tags, 0, error))
        return NULL;
      petri_json_add_string (b, "notes", petri_sql_col_text (samples, N_SAMPLE_COLUMNS + 1));
      petri_json_add_string (b, "analyst_verdict",
                             (const char *) sqlite3_column_text (samples, N_SAMPLE_COLUMNS + 2));
      sqlite3_bind_int64 (detections, 1, sample_id);
      json_builder_set_member_name (b, "detection_names");
      if (!add_strings_column (b, db, detections, 0, error))
        return NULL;

      json_builder_set_member_name (b, "sandbox");
      sqlite3_bind_int64 (sandbox, 1, sample_id);
      if (sqlite3_step (sandbox) == SQLITE_ROW)
        {
          json_builder_begin_object (b);
          petri_json_add_string (b, "status", petri_sql_col_text (sandbox, 0));
          petri_json_add_string (b, "reason", petri_sql_col_text (sandbox, 1));
          json_builder_end_object (b);
        }
      else
        json_builder_add_null_value (b);
      sqlite3_reset (sandbox);

      sqlite3_bind_int64 (fresh, 1, sample_id);
      if (sqlite3_step (fresh) == SQLITE_ROW)
        petri_json_add_col_time (b, "new_detection_since", fresh, 2);
      else
        petri_json_add_string (b, "new_detection_since", NULL);
      sqlite3_reset (fresh);
      json_builder_end_object (b);
    }
  if (!petri_sql_done (db, rc, error))
    return NULL;
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---------------------------------------------------------------------- */
/* One sample                                                               */

static gboolean
is_hex (const char *s)
{
  for (; *s != '\0'; s++)
    if (!g_ascii_isxdigit (*s))
      return FALSE;
  return TRUE;
}

/* Resolves a SHA-256 (or unique prefix of at least 4), an MD5 or a SHA-1. */
static gint64
resolve_sample (sqlite3 *db, const char *arg, GError **error)
{
  g_autofree char *key = g_ascii_strdown (arg != NULL ? arg : "", -1);
  g_autofree char *upper = NULL;
  g_autoptr (PetriSqlStmt) stmt = NULL;
  gint64 id = 0;
  guint n = 0;
  int rc;

  g_strstrip (key);
  if (strlen (key) < 4 || strlen (key) > 64 || !is_hex (key))
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INVALID,
                   _ ("“%s” is not a SHA-256, MD5, SHA-1 or a hash prefix of at least 4 hex "
                      "digits"),
                   arg);
      return -1;
    }
  /* Prefix as a range, so that the unique index answers it. */
  upper = g_strconcat (key, "g", NULL);
  stmt = petri_sql_prepare (db, "SELECT id FROM samples WHERE sha256 >= ? AND sha256 < ? LIMIT 2",
                            error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, upper, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0);
      n++;
    }
  if (!petri_sql_done (db, rc, error))
    return -1;
  if (n > 1)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_AMBIGUOUS,
                   _ ("The prefix “%s” matches more than one sample; give more digits"), arg);
      return -1;
    }
  if (n == 1)
    return id;

  if (strlen (key) == 32 || strlen (key) == 40)
    {
      g_autoptr (PetriSqlStmt) other
          = petri_sql_prepare (db,
                               strlen (key) == 32 ? "SELECT id FROM samples WHERE md5 = ?"
                                                  : "SELECT id FROM samples WHERE sha1 = ?",
                               error);
      if (other == NULL)
        return -1;
      sqlite3_bind_text (other, 1, key, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (other) == SQLITE_ROW)
        return sqlite3_column_int64 (other, 0);
    }
  g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_NOT_FOUND, _ ("No sample matches “%s”"),
               arg);
  return -1;
}

static JsonNode *
result_from_row (sqlite3_stmt *stmt, int first)
{
  g_autoptr (PetriEngineResult) r = petri_engine_result_new (petri_sql_col_text (stmt, first),
                                                             petri_sql_col_text (stmt, first + 1),
                                                             petri_sql_col_text (stmt, first + 2));
  const char *kind = petri_sql_col_text (stmt, first + 3);
  g_autoptr (JsonNode) names = json_from_string (petri_sql_col_text (stmt, first + 4), NULL);
  const char *details = (const char *) sqlite3_column_text (stmt, first + 6);
  JsonNode *node;

  r->kind = g_str_equal (kind, "detected") ? PETRI_RESULT_DETECTED
            : g_str_equal (kind, "error")  ? PETRI_RESULT_ERROR
                                           : PETRI_RESULT_CLEAN;
  if (names != NULL && JSON_NODE_HOLDS_ARRAY (names))
    {
      JsonArray *a = json_node_get_array (names);
      for (guint i = 0; i < json_array_get_length (a); i++)
        g_ptr_array_add (r->names, g_strdup (json_array_get_string_element (a, i)));
    }
  r->heuristic = sqlite3_column_int (stmt, first + 5) != 0;
  if (details != NULL)
    r->details = json_from_string (details, NULL);
  if (sqlite3_column_type (stmt, first + 7) != SQLITE_NULL)
    r->error = g_strdup (petri_sql_col_text (stmt, first + 7));

  node = petri_engine_result_to_json (r);
  {
    g_autofree char *scanned = petri_format_time (sqlite3_column_int64 (stmt, first + 8));
    json_object_set_string_member (json_node_get_object (node), "scanned", scanned);
  }
  return node;
}

#define RESULT_COLUMNS                                                                             \
  "engine, engine_version, signatures, result, names, heuristic, details, error, scanned"

static gboolean
add_results (JsonBuilder *b, sqlite3 *db, const char *sql, gint64 sample_id, GError **error)
{
  g_autoptr (PetriSqlStmt) stmt = petri_sql_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, sample_id);
  json_builder_begin_array (b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    json_builder_add_value (b, result_from_row (stmt, 0));
  json_builder_end_array (b);
  return petri_sql_done (db, rc, error);
}

static gboolean
add_cases_of_sample (JsonBuilder *b, sqlite3 *db, gint64 sample_id, GError **error)
{
  g_autoptr (PetriSqlStmt) cases
      = petri_sql_prepare (db,
                           "SELECT c.id, c.name, cs.added, cs.notes, cs.analyst_verdict, "
                           "cs.analyst_comment FROM case_samples cs "
                           "JOIN cases c ON c.id = cs.case_id WHERE cs.sample_id = ? "
                           "ORDER BY cs.added, c.id",
                           error);
  g_autoptr (PetriSqlStmt) names
      = petri_sql_prepare (db,
                           "SELECT name, path, added FROM sightings "
                           "WHERE case_id = ? AND sample_id = ? ORDER BY id",
                           error);
  g_autoptr (PetriSqlStmt) tags = petri_sql_prepare (
      db, "SELECT tag FROM tags WHERE case_id = ? AND sample_id = ? ORDER BY tag", error);
  int rc;

  if (cases == NULL || names == NULL || tags == NULL)
    return FALSE;
  sqlite3_bind_int64 (cases, 1, sample_id);
  json_builder_begin_array (b);
  while ((rc = sqlite3_step (cases)) == SQLITE_ROW)
    {
      gint64 case_id = sqlite3_column_int64 (cases, 0);

      json_builder_begin_object (b);
      petri_json_add_string (b, "case", petri_sql_col_text (cases, 1));
      petri_json_add_col_time (b, "added", cases, 2);
      json_builder_set_member_name (b, "names");
      json_builder_begin_array (b);
      sqlite3_bind_int64 (names, 1, case_id);
      sqlite3_bind_int64 (names, 2, sample_id);
      while (sqlite3_step (names) == SQLITE_ROW)
        {
          json_builder_begin_object (b);
          petri_json_add_string (b, "name", petri_sql_col_text (names, 0));
          petri_json_add_string (b, "path", petri_sql_col_text (names, 1));
          petri_json_add_col_time (b, "added", names, 2);
          json_builder_end_object (b);
        }
      sqlite3_reset (names);
      json_builder_end_array (b);
      sqlite3_bind_int64 (tags, 1, case_id);
      sqlite3_bind_int64 (tags, 2, sample_id);
      json_builder_set_member_name (b, "tags");
      if (!add_strings_column (b, db, tags, 0, error))
        return FALSE;
      petri_json_add_string (b, "notes", petri_sql_col_text (cases, 3));
      petri_json_add_string (b, "analyst_verdict", (const char *) sqlite3_column_text (cases, 4));
      petri_json_add_string (b, "analyst_comment", petri_sql_col_text (cases, 5));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return petri_sql_done (db, rc, error);
}

static gboolean
add_analyses (JsonBuilder *b, sqlite3 *db, gint64 sample_id, GError **error)
{
  g_autoptr (PetriSqlStmt) analyses
      = petri_sql_prepare (db,
                           "SELECT a.id, a.source, a.vm, a.platform, a.status, "
                           "a.reason, a.queued, a.started, a.finished, a.duration, "
                           "a.summary, c.name FROM analyses a "
                           "LEFT JOIN cases c ON c.id = a.case_id "
                           "WHERE a.sample_id = ? ORDER BY a.id",
                           error);
  g_autoptr (PetriSqlStmt) events
      = petri_sql_prepare (db,
                           "SELECT ts, category, action, pid, ppid, process, target, "
                           "details FROM events WHERE analysis_id = ? ORDER BY seq",
                           error);
  int rc;

  if (analyses == NULL || events == NULL)
    return FALSE;
  sqlite3_bind_int64 (analyses, 1, sample_id);
  json_builder_begin_array (b);
  while ((rc = sqlite3_step (analyses)) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      petri_json_add_int (b, "id", sqlite3_column_int64 (analyses, 0));
      petri_json_add_string (b, "case", (const char *) sqlite3_column_text (analyses, 11));
      petri_json_add_string (b, "source", petri_sql_col_text (analyses, 1));
      petri_json_add_string (b, "vm", petri_sql_col_text (analyses, 2));
      petri_json_add_string (b, "platform", petri_sql_col_text (analyses, 3));
      petri_json_add_string (b, "status", petri_sql_col_text (analyses, 4));
      petri_json_add_string (b, "reason", petri_sql_col_text (analyses, 5));
      petri_json_add_col_time (b, "queued", analyses, 6);
      petri_json_add_col_time (b, "started", analyses, 7);
      petri_json_add_col_time (b, "finished", analyses, 8);
      json_builder_set_member_name (b, "duration");
      if (sqlite3_column_type (analyses, 9) == SQLITE_NULL)
        json_builder_add_null_value (b);
      else
        json_builder_add_int_value (b, sqlite3_column_int64 (analyses, 9));
      petri_json_add_col_json (b, "summary", analyses, 10, FALSE);

      json_builder_set_member_name (b, "events");
      json_builder_begin_array (b);
      sqlite3_bind_int64 (events, 1, sqlite3_column_int64 (analyses, 0));
      while (sqlite3_step (events) == SQLITE_ROW)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "ts");
          json_builder_add_double_value (b, sqlite3_column_double (events, 0));
          petri_json_add_string (b, "category", petri_sql_col_text (events, 1));
          petri_json_add_string (b, "action", petri_sql_col_text (events, 2));
          json_builder_set_member_name (b, "pid");
          if (sqlite3_column_type (events, 3) == SQLITE_NULL)
            json_builder_add_null_value (b);
          else
            json_builder_add_int_value (b, sqlite3_column_int64 (events, 3));
          json_builder_set_member_name (b, "ppid");
          if (sqlite3_column_type (events, 4) == SQLITE_NULL)
            json_builder_add_null_value (b);
          else
            json_builder_add_int_value (b, sqlite3_column_int64 (events, 4));
          petri_json_add_string (b, "process", (const char *) sqlite3_column_text (events, 5));
          petri_json_add_string (b, "target", (const char *) sqlite3_column_text (events, 6));
          petri_json_add_col_json (b, "details", events, 7, FALSE);
          json_builder_end_object (b);
        }
      sqlite3_reset (events);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return petri_sql_done (db, rc, error);
}

static gboolean
add_links (JsonBuilder *b, sqlite3 *db, gint64 sample_id, gboolean parents, GError **error)
{
  g_autoptr (PetriSqlStmt) stmt = petri_sql_prepare (
      db,
      parents ? "SELECT s.sha256, l.path, l.relation FROM sample_links l "
                "JOIN samples s ON s.id = l.parent_id WHERE l.child_id = ? ORDER BY s.sha256"
              : "SELECT s.sha256, l.path, l.relation FROM sample_links l "
                "JOIN samples s ON s.id = l.child_id WHERE l.parent_id = ? ORDER BY l.path",
      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, sample_id);
  json_builder_begin_array (b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (parents)
        json_builder_add_string_value (b, petri_sql_col_text (stmt, 0));
      else
        {
          json_builder_begin_object (b);
          petri_json_add_string (b, "sha256", petri_sql_col_text (stmt, 0));
          petri_json_add_string (b, "path", petri_sql_col_text (stmt, 1));
          petri_json_add_string (b, "relation", petri_sql_col_text (stmt, 2));
          json_builder_end_object (b);
        }
    }
  json_builder_end_array (b);
  return petri_sql_done (db, rc, error);
}

JsonNode *
petri_query_sample (sqlite3 *db, const char *arg, gpointer data, GCancellable *cancellable,
                    GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (PetriSqlStmt) stmt = NULL;
  gint64 sample_id = resolve_sample (db, arg, error);

  if (sample_id < 0)
    return NULL;
  stmt = petri_sql_prepare (db, "SELECT " SAMPLE_COLUMNS " FROM samples s WHERE s.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, sample_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      petri_store_set_sqlite_error (db, SQLITE_ERROR, N_ ("reading a sample"), error);
      return NULL;
    }

  json_builder_begin_object (b);
  add_sample_fields (b, stmt);
  petri_json_add_int (b, "detections", sqlite3_column_int64 (stmt, 10));
  json_builder_set_member_name (b, "engines");
  if (!add_results (b, db,
                    "SELECT " RESULT_COLUMNS " FROM engine_results WHERE id IN "
                    "(SELECT max(id) FROM engine_results WHERE sample_id = ? GROUP BY engine) "
                    "ORDER BY engine",
                    sample_id, error))
    return NULL;
  json_builder_set_member_name (b, "history");
  if (!add_results (b, db,
                    "SELECT " RESULT_COLUMNS " FROM engine_results WHERE sample_id = ? ORDER BY id",
                    sample_id, error))
    return NULL;
  json_builder_set_member_name (b, "cases");
  if (!add_cases_of_sample (b, db, sample_id, error))
    return NULL;
  json_builder_set_member_name (b, "analyses");
  if (!add_analyses (b, db, sample_id, error))
    return NULL;
  json_builder_set_member_name (b, "dropped_by");
  if (!add_links (b, db, sample_id, TRUE, error))
    return NULL;
  json_builder_set_member_name (b, "dropped");
  if (!add_links (b, db, sample_id, FALSE, error))
    return NULL;
  json_builder_set_member_name (b, "new_detections");
  {
    g_autoptr (PetriSqlStmt) fresh = petri_sql_prepare (db, NEW_DETECTIONS_SQL, error);
    int rc;

    if (fresh == NULL)
      return NULL;
    sqlite3_bind_int64 (fresh, 1, sample_id);
    json_builder_begin_array (b);
    while ((rc = sqlite3_step (fresh)) == SQLITE_ROW)
      {
        json_builder_begin_object (b);
        petri_json_add_string (b, "engine", petri_sql_col_text (fresh, 0));
        petri_json_add_string (b, "name", petri_sql_col_text (fresh, 1));
        petri_json_add_col_time (b, "first_seen", fresh, 2);
        json_builder_end_object (b);
      }
    json_builder_end_array (b);
    if (!petri_sql_done (db, rc, error))
      return NULL;
  }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---------------------------------------------------------------------- */
/* Search                                                                   */

typedef struct
{
  JsonBuilder *b;
  GHashTable *seen;
  guint n;
} Hits;

static void
add_hit (Hits *hits, sqlite3_stmt *row, const char *kind, const char *match)
{
  /* row: sha256, case name, added, first name in that case */
  g_autofree char *key = g_strdup_printf ("%s\t%s\t%s\t%s", petri_sql_col_text (row, 0),
                                          petri_sql_col_text (row, 1), kind, match);

  if (hits->n >= SEARCH_LIMIT || !g_hash_table_add (hits->seen, g_steal_pointer (&key)))
    return;
  hits->n++;
  json_builder_begin_object (hits->b);
  petri_json_add_string (hits->b, "sha256", petri_sql_col_text (row, 0));
  petri_json_add_string (hits->b, "case", petri_sql_col_text (row, 1));
  petri_json_add_col_time (hits->b, "added", row, 2);
  petri_json_add_string (hits->b, "name", petri_sql_col_text (row, 3));
  petri_json_add_string (hits->b, "kind", kind);
  petri_json_add_string (hits->b, "match", match);
  json_builder_end_object (hits->b);
}

/* Each case a sample is in (optionally only @case_id). */
static gboolean
add_sample_hits (Hits *hits, sqlite3 *db, sqlite3_stmt *cases, gint64 sample_id, gint64 case_id,
                 const char *kind, const char *match, GError **error)
{
  int rc;

  sqlite3_bind_int64 (cases, 1, sample_id);
  if (case_id > 0)
    sqlite3_bind_int64 (cases, 2, case_id);
  else
    sqlite3_bind_null (cases, 2);
  while ((rc = sqlite3_step (cases)) == SQLITE_ROW)
    add_hit (hits, cases, kind, match);
  sqlite3_reset (cases);
  return petri_sql_done (db, rc, error);
}

/* "a b" → "\"a b\"" as one FTS5 phrase (trigram: substring match). */
static char *
fts_phrase (const char *text)
{
  GString *s = g_string_new ("\"");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

JsonNode *
petri_query_search (sqlite3 *db, const char *arg, gpointer data, GCancellable *cancellable,
                    GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *text = g_strstrip (g_strdup (arg != NULL ? arg : ""));
  g_autofree char *lower = g_ascii_strdown (text, -1);
  g_autoptr (PetriSqlStmt) cases = NULL;
  Hits hits = { b, seen, 0 };

  if (*text == '\0')
    {
      g_set_error_literal (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INVALID,
                           _ ("Nothing to search for"));
      return NULL;
    }
  cases = petri_sql_prepare (db,
                             "SELECT s.sha256, c.name, cs.added, "
                             "  (SELECT name FROM sightings g WHERE g.case_id = c.id "
                             "   AND g.sample_id = s.id ORDER BY g.id LIMIT 1) "
                             "FROM case_samples cs JOIN cases c ON c.id = cs.case_id "
                             "JOIN samples s ON s.id = cs.sample_id "
                             "WHERE cs.sample_id = ?1 AND (?2 IS NULL OR cs.case_id = ?2) "
                             "ORDER BY cs.added",
                             error);
  if (cases == NULL)
    return NULL;

  json_builder_begin_array (b);

  /* Hashes: a SHA-256 prefix, or a whole MD5/SHA-1. */
  if (strlen (lower) >= 4 && strlen (lower) <= 64 && is_hex (lower))
    {
      g_autofree char *upper = g_strconcat (lower, "g", NULL);
      g_autoptr (PetriSqlStmt) h
          = petri_sql_prepare (db,
                               "SELECT id, 'sha256', sha256 FROM samples "
                               "WHERE sha256 >= ?1 AND sha256 < ?2 "
                               "UNION ALL SELECT id, 'md5', md5 FROM samples WHERE md5 = ?1 "
                               "UNION ALL SELECT id, 'sha1', sha1 FROM samples WHERE sha1 = ?1 "
                               "LIMIT 1000",
                               error);
      if (h == NULL)
        return NULL;
      sqlite3_bind_text (h, 1, lower, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (h, 2, upper, -1, SQLITE_TRANSIENT);
      while (sqlite3_step (h) == SQLITE_ROW)
        if (!add_sample_hits (&hits, db, cases, sqlite3_column_int64 (h, 0), 0,
                              petri_sql_col_text (h, 1), petri_sql_col_text (h, 2), error))
          return NULL;
    }

  /* File names, paths and detection names: trigram FTS needs 3 characters. */
  if (g_utf8_strlen (text, -1) >= 3)
    {
      g_autofree char *phrase = fts_phrase (text);
      g_autoptr (PetriSqlStmt) f
          = petri_sql_prepare (db,
                               "SELECT sample_id, case_id, kind, text FROM search_index "
                               "WHERE search_index MATCH ?1 LIMIT 5000",
                               error);
      int rc;

      if (f == NULL)
        return NULL;
      sqlite3_bind_text (f, 1, phrase, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (f)) == SQLITE_ROW && hits.n < SEARCH_LIMIT)
        {
          gint64 case_id
              = sqlite3_column_type (f, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64 (f, 1);
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return NULL;
          if (!add_sample_hits (&hits, db, cases, sqlite3_column_int64 (f, 0), case_id,
                                petri_sql_col_text (f, 2), petri_sql_col_text (f, 3), error))
            return NULL;
        }
      if (rc != SQLITE_ROW && !petri_sql_done (db, rc, error))
        return NULL;
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}
