/* petri-import.c: CAPE/Cuckoo reports and Petri bundles into the case database
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Everything is read and checked before anything is written; the database
 * part of an import is one write operation (one savepoint on the writer
 * thread), so a failure leaves the database as it was. Nothing present is
 * overwritten: rows are added with ON CONFLICT DO NOTHING, results and
 * analyses are matched by their content, so a second import of the same
 * file changes nothing.
 */
#include "config.h"

#include "petri-history.h"
#include "petri-case-store-private.h"
#include "petri-report.h"
#include "petri-sample-store.h"
#include "petri-zip.h"

#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

#define MAX_RECORDS (1024u * 1024u * 1024u) /* case.json in a bundle */
#define MAX_MANIFEST (64u * 1024u * 1024u)
#define MAX_SAMPLE (4ull * 1024u * 1024u * 1024u)

static gint64
parse_iso (const char *s)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = s && *s ? g_date_time_new_from_iso8601 (s, utc) : NULL;

  return dt ? g_date_time_to_unix (dt) : 0;
}

static gboolean
is_hex (const char *s, gsize len)
{
  if (s == NULL || strlen (s) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
      return FALSE;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Running a write and waiting for it                                       */

typedef struct
{
  gboolean done, ok;
  GError *error;
} SyncWrite;

static void
write_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SyncWrite *w = user_data;

  w->ok = petri_case_store_write_finish (PETRI_CASE_STORE (source), result, &w->error);
  w->done = TRUE;
}

/* @data stays the caller's (it may carry results back). */
static gboolean
write_sync (PetriCaseStore *store, PetriStoreWriteFunc func, gpointer data, GError **error)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  SyncWrite w = { 0 };

  g_main_context_push_thread_default (ctx);
  petri_case_store_write (store, func, data, NULL, write_done_cb, &w);
  while (!w.done)
    g_main_context_iteration (ctx, TRUE);
  g_main_context_pop_thread_default (ctx);
  if (!w.ok)
    g_propagate_error (error, w.error);
  return w.ok;
}

/* ---------------------------------------------------------------------- */
/* Shared writer-side steps                                                 */

/* A name from a report or a bundle: its bytes are its display form unescaped. */
static gboolean
add_sighting (PetriCaseStore *self, sqlite3 *db, gint64 case_id, gint64 sample_id, const char *name,
              const char *path, const char *root, gint64 added, GError **error)
{
  gsize raw_len = 0;
  g_autofree char *raw = petri_display_name_unescape (path, &raw_len);

  return petri_store_add_sighting (self, db, case_id, sample_id, name, path, raw, raw_len, root,
                                   added, error);
}

static gboolean
add_events (PetriCaseStore *self, sqlite3 *db, gint64 analysis_id, GPtrArray *events,
            GError **error)
{
  gint64 seq = 1;

  return petri_store_insert_events (self, db, analysis_id, &seq, events, error);
}

/* ---------------------------------------------------------------------- */
/* Reports                                                                  */

typedef struct
{
  PetriReport *report;
  char *case_name, *display, *report_sha256;
  /* results */
  gboolean sample_added, analysis_added;
} ReportImport;

static gboolean
report_import_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  ReportImport *ri = data;
  PetriReport *r = ri->report;
  const char *source = petri_report_dialect_to_string (r->dialect);
  g_autoptr (JsonObject) summary = petri_report_summary (r);
  g_autoptr (JsonNode) summary_node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *summary_text = NULL;
  gint64 sample_id, case_id, analysis_id, now = petri_now_seconds ();
  sqlite3_stmt *stmt;
  gboolean found;

  sample_id = petri_store_lookup_sample (self, db, r->sha256, error);
  if (sample_id < 0)
    return FALSE;
  if (sample_id == 0)
    {
      if (r->sha1 == NULL || r->md5 == NULL)
        {
          g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INPUT,
                       _ ("Cannot import “%s”: the report gives no SHA-1 or MD5 of its target, "
                          "and Petri has never seen the sample %s."),
                       ri->display, r->sha256);
          return FALSE;
        }
      PetriSampleInfo info = { .sha256 = r->sha256,
                               .sha1 = r->sha1,
                               .md5 = r->md5,
                               .ssdeep = r->ssdeep,
                               .description = r->file_type,
                               .size = r->size };

      sample_id = petri_store_insert_sample (self, db, &info, now, NULL, error);
      if (sample_id <= 0)
        return FALSE;
      ri->sample_added = TRUE;
    }

  /* The same report (by content) on the same sample: nothing to do. */
  stmt = PETRI_STMT (self, db,
                     "SELECT 1 FROM analyses WHERE sample_id = ? AND source = ? "
                     "AND json_extract (summary, '$.report_sha256') = ?",
                     error);
  sqlite3_bind_int64 (stmt, 1, sample_id);
  petri_sql_bind_text (stmt, 2, source);
  petri_sql_bind_text (stmt, 3, ri->report_sha256);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  case_id = petri_store_ensure_case (self, db, ri->case_name, error);
  if (case_id < 0)
    return FALSE;
  stmt = PETRI_STMT (self, db,
                     "INSERT INTO case_samples (case_id, sample_id, added) VALUES (?, ?, ?) "
                     "ON CONFLICT DO NOTHING",
                     error);
  sqlite3_bind_int64 (stmt, 1, case_id);
  sqlite3_bind_int64 (stmt, 2, sample_id);
  sqlite3_bind_int64 (stmt, 3, now);
  if (!petri_sql_step (db, stmt, N_ ("adding a sample to a case"), error))
    return FALSE;
  if (r->file_name != NULL && *r->file_name != '\0')
    {
      g_autofree char *name = petri_display_name (r->file_name);

      if (!add_sighting (self, db, case_id, sample_id, name, name, NULL, now, error))
        return FALSE;
    }
  if (found)
    return TRUE;

  json_object_set_string_member (summary, "report_sha256", ri->report_sha256);
  json_object_set_string_member (summary, "report_file", ri->display);
  json_node_set_object (summary_node, summary);
  summary_text = json_to_string (summary_node, FALSE);
  stmt = PETRI_STMT (
      self, db,
      "INSERT INTO analyses (sample_id, case_id, source, vm, platform, status, reason, "
      "queued, started, finished, duration, summary) "
      "VALUES (?, ?, ?, ?, ?, 'done', '', ?, ?, ?, ?, ?)",
      error);
  sqlite3_bind_int64 (stmt, 1, sample_id);
  sqlite3_bind_int64 (stmt, 2, case_id);
  petri_sql_bind_text (stmt, 3, source);
  petri_sql_bind_text (stmt, 4, r->machine ? r->machine : "");
  petri_sql_bind_text (stmt, 5, r->platform ? r->platform : "windows");
  sqlite3_bind_int64 (stmt, 6, r->started > 0 ? r->started : now);
  petri_sql_bind_time (stmt, 7, r->started);
  petri_sql_bind_time (stmt, 8, r->ended);
  if (r->duration > 0)
    sqlite3_bind_int64 (stmt, 9, r->duration);
  else
    sqlite3_bind_null (stmt, 9);
  petri_sql_bind_text (stmt, 10, summary_text);
  if (!petri_sql_step (db, stmt, N_ ("recording an analysis"), error))
    return FALSE;
  analysis_id = sqlite3_last_insert_rowid (db);
  ri->analysis_added = TRUE;
  if (!add_events (self, db, analysis_id, r->events, error))
    return FALSE;

  /* Dropped files Petri holds as samples of their own. */
  for (guint i = 0; i < r->dropped->len; i++)
    {
      PetriReportFile *f = g_ptr_array_index (r->dropped, i);
      gint64 child = petri_store_lookup_sample (self, db, f->sha256, error);

      if (child < 0)
        return FALSE;
      if (child == 0 || child == sample_id)
        continue;
      stmt = PETRI_STMT (
          self, db,
          "INSERT INTO sample_links (parent_id, child_id, analysis_id, relation, path) "
          "VALUES (?, ?, ?, 'dropped', ?) ON CONFLICT DO NOTHING",
          error);
      sqlite3_bind_int64 (stmt, 1, sample_id);
      sqlite3_bind_int64 (stmt, 2, child);
      sqlite3_bind_int64 (stmt, 3, analysis_id);
      petri_sql_bind_text (stmt, 4, f->path ? f->path : "");
      if (!petri_sql_step (db, stmt, N_ ("linking a dropped file"), error))
        return FALSE;
    }
  return TRUE;
}

static char *
file_sha256 (const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) in = g_file_read (file, NULL, error);
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = NULL;
  gssize n;

  if (in == NULL)
    return NULL;
  buf = g_malloc (256 * 1024);
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, 256 * 1024, NULL, error)) > 0)
    g_checksum_update (sum, buf, n);
  if (n < 0)
    return NULL;
  return g_strdup (g_checksum_get_string (sum));
}

JsonNode *
petri_import_report (PetriContext *context, const char *path, const char *case_name,
                     GCancellable *cancellable, GError **error)
{
  g_autoptr (PetriReport) report = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  ReportImport ri = { 0 };
  g_autofree char *display = NULL, *sum = NULL;
  gboolean ok;

  g_return_val_if_fail (PETRI_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (case_name == NULL)
    case_name = _ ("Imported reports");
  if (!petri_store_check_case_name (case_name, error))
    return NULL;
  display = g_filename_display_name (path);
  report = petri_report_parse_file (path, cancellable, error);
  if (report == NULL)
    return NULL;
  sum = file_sha256 (path, &local);
  if (sum == NULL)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INPUT, _ ("Cannot read “%s”: %s"),
                   display, local->message);
      return NULL;
    }

  ri.report = report;
  ri.case_name = (char *) case_name;
  ri.display = display;
  ri.report_sha256 = sum;
  ok = write_sync (petri_context_get_store (context), report_import_write, &ri, error);
  if (!ok)
    return NULL;

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "report");
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, display);
  json_builder_set_member_name (b, "dialect");
  json_builder_add_string_value (b, petri_report_dialect_to_string (report->dialect));
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, report->sha256);
  json_builder_set_member_name (b, "case");
  json_builder_add_string_value (b, case_name);
  json_builder_set_member_name (b, "sample");
  json_builder_add_string_value (b, ri.sample_added ? "added" : "present");
  json_builder_set_member_name (b, "analysis");
  json_builder_add_string_value (b, ri.analysis_added ? "added" : "already present");
  json_builder_set_member_name (b, "events");
  json_builder_add_int_value (b, ri.analysis_added ? report->events->len : 0);
  json_builder_set_member_name (b, "calls");
  json_builder_add_int_value (b, report->calls);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---------------------------------------------------------------------- */
/* Bundles                                                                  */

typedef struct
{
  JsonObject *model; /* case.json */
  const char *display;
  /* results */
  guint samples_added, samples_present, results_added, analyses_added, names_added;
} BundleImport;

static const char *
ostr (JsonObject *o, const char *member)
{
  JsonNode *n = o ? json_object_get_member (o, member) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static JsonArray *
oarr (JsonObject *o, const char *member)
{
  JsonNode *n = o ? json_object_get_member (o, member) : NULL;

  return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

static guint
alen (JsonArray *a)
{
  return a ? json_array_get_length (a) : 0;
}

static JsonObject *
aobj (JsonArray *a, guint i)
{
  JsonNode *n = json_array_get_element (a, i);

  return JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static char *
node_json (JsonObject *o, const char *member)
{
  JsonNode *n = o ? json_object_get_member (o, member) : NULL;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return NULL;
  return json_to_string (n, FALSE);
}

static gboolean
bundle_sample_write (PetriCaseStore *self, sqlite3 *db, BundleImport *bi, gint64 case_id,
                     JsonObject *s, GError **error)
{
  const char *sha256 = ostr (s, "sha256");
  gint64 sample_id;
  gboolean results_added = FALSE;
  sqlite3_stmt *stmt;
  JsonArray *a;

  {
    PetriSampleInfo info = {
      .sha256 = sha256,
      .sha1 = ostr (s, "sha1"),
      .md5 = ostr (s, "md5"),
      .ssdeep = ostr (s, "ssdeep"),
      .mime = ostr (s, "mime"),
      .description = ostr (s, "type"),
      .size = (guint64) json_object_get_int_member_with_default (s, "size", 0),
    };
    gboolean added = FALSE;

    sample_id = petri_store_insert_sample (
        self, db, &info, MAX (parse_iso (ostr (s, "first_seen")), 1), &added, error);
    if (added)
      bi->samples_added++;
    else
      bi->samples_present++;
  }
  if (sample_id <= 0)
    return FALSE;

  stmt = PETRI_STMT (self, db,
                     "INSERT INTO case_samples (case_id, sample_id, added, notes, analyst_verdict, "
                     "analyst_comment) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                     error);
  sqlite3_bind_int64 (stmt, 1, case_id);
  sqlite3_bind_int64 (stmt, 2, sample_id);
  sqlite3_bind_int64 (stmt, 3, MAX (parse_iso (ostr (s, "added")), 1));
  petri_sql_bind_text (stmt, 4, ostr (s, "notes") ? ostr (s, "notes") : "");
  petri_sql_bind_text (stmt, 5, ostr (s, "analyst_verdict"));
  petri_sql_bind_text (stmt, 6, ostr (s, "analyst_comment") ? ostr (s, "analyst_comment") : "");
  if (!petri_sql_step (db, stmt, N_ ("adding a sample to a case"), error))
    return FALSE;

  a = oarr (s, "names");
  for (guint i = 0; i < alen (a); i++)
    {
      JsonObject *n = aobj (a, i);
      gint before = sqlite3_total_changes (db);

      if (ostr (n, "path") == NULL)
        continue;
      if (!add_sighting (self, db, case_id, sample_id, ostr (n, "name") ? ostr (n, "name") : "",
                         ostr (n, "path"), ostr (n, "root"), MAX (parse_iso (ostr (n, "added")), 1),
                         error))
        return FALSE;
      if (sqlite3_total_changes (db) != before)
        bi->names_added++;
    }

  a = oarr (s, "tags");
  for (guint i = 0; i < alen (a); i++)
    {
      const char *tag = json_array_get_string_element (a, i);

      stmt = PETRI_STMT (self, db,
                         "INSERT INTO tags (case_id, sample_id, tag) VALUES (?, ?, ?) "
                         "ON CONFLICT DO NOTHING",
                         error);
      sqlite3_bind_int64 (stmt, 1, case_id);
      sqlite3_bind_int64 (stmt, 2, sample_id);
      petri_sql_bind_text (stmt, 3, tag);
      if (!petri_sql_step (db, stmt, N_ ("tagging a sample"), error))
        return FALSE;
    }

  /* Engine results: appended unless the same result is there already. */
  a = oarr (s, "results");
  for (guint i = 0; i < alen (a); i++)
    {
      JsonObject *r = aobj (a, i);
      g_autofree char *names = node_json (r, "names");
      g_autofree char *details = node_json (r, "details");
      gboolean exists;

      stmt = PETRI_STMT (self, db,
                         "SELECT 1 FROM engine_results WHERE sample_id = ? AND engine = ? "
                         "AND scanned = ? AND result = ? AND names = ? AND signatures = ? "
                         "AND engine_version = ?",
                         error);
      sqlite3_bind_int64 (stmt, 1, sample_id);
      petri_sql_bind_text (stmt, 2, ostr (r, "engine"));
      sqlite3_bind_int64 (stmt, 3, parse_iso (ostr (r, "scanned")));
      petri_sql_bind_text (stmt, 4, ostr (r, "result"));
      petri_sql_bind_text (stmt, 5, names ? names : "[]");
      petri_sql_bind_text (stmt, 6, ostr (r, "signatures") ? ostr (r, "signatures") : "");
      petri_sql_bind_text (stmt, 7, ostr (r, "engine_version") ? ostr (r, "engine_version") : "");
      exists = sqlite3_step (stmt) == SQLITE_ROW;
      sqlite3_reset (stmt);
      if (exists)
        continue;
      stmt = PETRI_STMT (
          self, db,
          "INSERT INTO engine_results (sample_id, engine, engine_version, signatures, "
          "result, names, heuristic, details, error, scanned) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          error);
      sqlite3_bind_int64 (stmt, 1, sample_id);
      petri_sql_bind_text (stmt, 2, ostr (r, "engine"));
      petri_sql_bind_text (stmt, 3, ostr (r, "engine_version") ? ostr (r, "engine_version") : "");
      petri_sql_bind_text (stmt, 4, ostr (r, "signatures") ? ostr (r, "signatures") : "");
      petri_sql_bind_text (stmt, 5, ostr (r, "result"));
      petri_sql_bind_text (stmt, 6, names ? names : "[]");
      sqlite3_bind_int (stmt, 7,
                        json_object_get_boolean_member_with_default (r, "heuristic", FALSE));
      petri_sql_bind_text (stmt, 8, details);
      petri_sql_bind_text (stmt, 9, ostr (r, "error"));
      sqlite3_bind_int64 (stmt, 10, parse_iso (ostr (r, "scanned")));
      if (!petri_sql_step (db, stmt, N_ ("recording an engine result"), error))
        return FALSE;
      bi->results_added++;
      results_added = TRUE;
    }

  a = oarr (s, "detections");
  for (guint i = 0; i < alen (a); i++)
    {
      JsonObject *d = aobj (a, i);

      stmt = PETRI_STMT (
          self, db,
          "INSERT INTO detection_names (sample_id, engine, name, heuristic, first_seen) "
          "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
          error);
      sqlite3_bind_int64 (stmt, 1, sample_id);
      petri_sql_bind_text (stmt, 2, ostr (d, "engine"));
      petri_sql_bind_text (stmt, 3, ostr (d, "name"));
      sqlite3_bind_int (stmt, 4,
                        json_object_get_boolean_member_with_default (d, "heuristic", FALSE));
      sqlite3_bind_int64 (stmt, 5, parse_iso (ostr (d, "first_seen")));
      if (!petri_sql_step (db, stmt, N_ ("recording a detection name"), error))
        return FALSE;
      if (sqlite3_changes (db) > 0
          && !petri_store_index_text (self, db, ostr (d, "name"), "detection", sample_id, 0, error))
        return FALSE;
    }
  if (results_added && !petri_store_update_verdict (self, db, sample_id, error))
    return FALSE;

  /* Analyses: matched by source, machine and times. */
  a = oarr (s, "analyses");
  for (guint i = 0; i < alen (a); i++)
    {
      JsonObject *an = aobj (a, i);
      g_autofree char *summary = node_json (an, "summary");
      JsonArray *evs = oarr (an, "events");
      g_autoptr (GPtrArray) events = NULL;
      gint64 analysis_id, queued = parse_iso (ostr (an, "queued"));
      gboolean exists;

      stmt = PETRI_STMT (self, db,
                         "SELECT 1 FROM analyses WHERE sample_id = ? AND source = ? AND vm = ? "
                         "AND platform = ? AND queued = ? AND started IS ? AND status = ?",
                         error);
      sqlite3_bind_int64 (stmt, 1, sample_id);
      petri_sql_bind_text (stmt, 2, ostr (an, "source"));
      petri_sql_bind_text (stmt, 3, ostr (an, "vm") ? ostr (an, "vm") : "");
      petri_sql_bind_text (stmt, 4, ostr (an, "platform") ? ostr (an, "platform") : "");
      sqlite3_bind_int64 (stmt, 5, queued);
      petri_sql_bind_time (stmt, 6, parse_iso (ostr (an, "started")));
      petri_sql_bind_text (stmt, 7, ostr (an, "status"));
      exists = sqlite3_step (stmt) == SQLITE_ROW;
      sqlite3_reset (stmt);
      if (exists)
        continue;
      stmt = PETRI_STMT (self, db,
                         "INSERT INTO analyses (sample_id, case_id, source, vm, platform, status, "
                         "reason, queued, started, finished, duration, summary) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         error);
      sqlite3_bind_int64 (stmt, 1, sample_id);
      sqlite3_bind_int64 (stmt, 2, case_id);
      petri_sql_bind_text (stmt, 3, ostr (an, "source"));
      petri_sql_bind_text (stmt, 4, ostr (an, "vm") ? ostr (an, "vm") : "");
      petri_sql_bind_text (stmt, 5, ostr (an, "platform") ? ostr (an, "platform") : "");
      petri_sql_bind_text (stmt, 6, ostr (an, "status"));
      petri_sql_bind_text (stmt, 7, ostr (an, "reason") ? ostr (an, "reason") : "");
      sqlite3_bind_int64 (stmt, 8, queued);
      petri_sql_bind_time (stmt, 9, parse_iso (ostr (an, "started")));
      petri_sql_bind_time (stmt, 10, parse_iso (ostr (an, "finished")));
      if (json_object_get_int_member_with_default (an, "duration", 0) > 0)
        sqlite3_bind_int64 (stmt, 11, json_object_get_int_member (an, "duration"));
      else
        sqlite3_bind_null (stmt, 11);
      petri_sql_bind_text (stmt, 12, summary);
      if (!petri_sql_step (db, stmt, N_ ("recording an analysis"), error))
        return FALSE;
      analysis_id = sqlite3_last_insert_rowid (db);
      bi->analyses_added++;
      events = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_behavior_event_unref);
      for (guint j = 0; j < alen (evs); j++)
        {
          /* Checked before the write began. */
          PetriBehaviorEvent *ev
              = petri_behavior_event_from_json (json_array_get_element (evs, j), NULL);

          if (ev != NULL)
            g_ptr_array_add (events, ev);
        }
      if (!add_events (self, db, analysis_id, events, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
bundle_links_write (PetriCaseStore *self, sqlite3 *db, JsonObject *s, GError **error)
{
  JsonArray *a = oarr (s, "dropped");
  gint64 parent = petri_store_lookup_sample (self, db, ostr (s, "sha256"), error);

  if (parent <= 0)
    return parent == 0;
  for (guint i = 0; i < alen (a); i++)
    {
      JsonObject *l = aobj (a, i);
      gint64 child = petri_store_lookup_sample (self, db, ostr (l, "sha256"), error);
      sqlite3_stmt *stmt;

      if (child < 0)
        return FALSE;
      if (child == 0)
        continue;
      stmt = PETRI_STMT (self, db,
                         "INSERT INTO sample_links (parent_id, child_id, relation, path) "
                         "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                         error);
      sqlite3_bind_int64 (stmt, 1, parent);
      sqlite3_bind_int64 (stmt, 2, child);
      petri_sql_bind_text (stmt, 3, ostr (l, "relation") ? ostr (l, "relation") : "dropped");
      petri_sql_bind_text (stmt, 4, ostr (l, "path") ? ostr (l, "path") : "");
      if (!petri_sql_step (db, stmt, N_ ("linking samples"), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
bundle_import_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  BundleImport *bi = data;
  JsonObject *c = json_object_get_object_member (bi->model, "case");
  JsonArray *samples = oarr (bi->model, "samples");
  sqlite3_stmt *stmt;
  gint64 case_id;

  /* The case keeps its name, creation time and notes; an existing case of
   * that name keeps its own. */
  stmt = PETRI_STMT (self, db,
                     "INSERT INTO cases (name, created, notes) VALUES (?, ?, ?) "
                     "ON CONFLICT (name) DO NOTHING",
                     error);
  petri_sql_bind_text (stmt, 1, ostr (c, "name"));
  sqlite3_bind_int64 (stmt, 2, MAX (parse_iso (ostr (c, "created")), 1));
  petri_sql_bind_text (stmt, 3, ostr (c, "notes") ? ostr (c, "notes") : "");
  if (!petri_sql_step (db, stmt, N_ ("creating a case"), error))
    return FALSE;
  case_id = petri_store_lookup_case (self, db, ostr (c, "name"), error);
  if (case_id <= 0)
    return FALSE;
  for (guint i = 0; i < alen (samples); i++)
    if (!bundle_sample_write (self, db, bi, case_id, aobj (samples, i), error))
      return FALSE;
  for (guint i = 0; i < alen (samples); i++)
    if (!bundle_links_write (self, db, aobj (samples, i), error))
      return FALSE;
  return TRUE;
}

static gboolean G_GNUC_PRINTF (3, 4)
    bad_bundle (GError **error, const char *display, const char *format, ...)
{
  va_list args;
  g_autofree char *reason = NULL;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INPUT,
               _ ("Cannot import the bundle “%s”: %s"), display, reason);
  return FALSE;
}

/* Checks the records before anything is written: the shapes the writer
 * relies on, valid hashes and verdicts, and every behaviour event through
 * the behaviour model's strict check. */
static gboolean
check_model (JsonObject *model, const char *display, GError **error)
{
  static const char *const verdicts[]
      = { "pending", "malicious", "suspicious", "clean", "error", NULL };
  static const char *const analyst[] = { "malicious", "suspicious", "clean", "unknown", NULL };
  static const char *const results[] = { "detected", "clean", "error", NULL };
  static const char *const states[]
      = { "not_eligible", "queued", "starting", "running", "collecting", "done", "failed", NULL };
  JsonObject *c;
  JsonArray *samples;
  g_autoptr (GError) local = NULL;

  if (g_strcmp0 (ostr (model, "format"), "petri-case") != 0
      || json_object_get_int_member_with_default (model, "version", 0) != 1)
    return bad_bundle (error, display, _ ("its records are not a Petri case (version 1)"));
  c = json_object_has_member (model, "case")
              && JSON_NODE_HOLDS_OBJECT (json_object_get_member (model, "case"))
          ? json_object_get_object_member (model, "case")
          : NULL;
  if (c == NULL || !petri_store_check_case_name (ostr (c, "name"), NULL))
    return bad_bundle (error, display, _ ("its records name no valid case"));
  samples = oarr (model, "samples");
  for (guint i = 0; i < alen (samples); i++)
    {
      JsonObject *s = aobj (samples, i);
      const char *sha256 = ostr (s, "sha256");

      if (s == NULL || !is_hex (sha256, 64) || !is_hex (ostr (s, "sha1"), 40)
          || !is_hex (ostr (s, "md5"), 32))
        return bad_bundle (error, display, _ ("sample %u has no valid SHA-256, SHA-1 and MD5"),
                           i + 1);
      if (!g_strv_contains (verdicts, ostr (s, "verdict") ? ostr (s, "verdict") : "")
          || (ostr (s, "analyst_verdict") != NULL
              && !g_strv_contains (analyst, ostr (s, "analyst_verdict"))))
        return bad_bundle (error, display, _ ("sample %s has an unknown verdict"), sha256);
      for (guint j = 0; j < alen (oarr (s, "results")); j++)
        {
          JsonObject *r = aobj (oarr (s, "results"), j);

          if (r == NULL || ostr (r, "engine") == NULL
              || !g_strv_contains (results, ostr (r, "result") ? ostr (r, "result") : "")
              || parse_iso (ostr (r, "scanned")) <= 0)
            return bad_bundle (error, display, _ ("sample %s has a malformed engine result"),
                               sha256);
        }
      for (guint j = 0; j < alen (oarr (s, "detections")); j++)
        {
          JsonObject *d = aobj (oarr (s, "detections"), j);

          if (d == NULL || ostr (d, "engine") == NULL || ostr (d, "name") == NULL)
            return bad_bundle (error, display, _ ("sample %s has a malformed detection"), sha256);
        }
      for (guint j = 0; j < alen (oarr (s, "analyses")); j++)
        {
          JsonObject *a = aobj (oarr (s, "analyses"), j);
          JsonArray *evs = oarr (a, "events");

          if (a == NULL || ostr (a, "source") == NULL
              || !g_strv_contains (states, ostr (a, "status") ? ostr (a, "status") : "")
              || parse_iso (ostr (a, "queued")) <= 0)
            return bad_bundle (error, display, _ ("sample %s has a malformed analysis"), sha256);
          for (guint k = 0; k < alen (evs); k++)
            {
              g_autoptr (PetriBehaviorEvent) ev
                  = petri_behavior_event_from_json (json_array_get_element (evs, k), &local);

              if (ev == NULL)
                return bad_bundle (error, display, _ ("sample %s, event %u: %s"), sha256, k + 1,
                                   local->message);
            }
        }
    }
  return TRUE;
}

static gboolean
remove_tree (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      g_unlink (p);
    }
  return g_rmdir (dir) == 0;
}

JsonNode *
petri_import_bundle (PetriContext *context, const char *path, GCancellable *cancellable,
                     GError **error)
{
  g_autoptr (PetriZipReader) zip = NULL;
  g_autoptr (GBytes) manifest_bytes = NULL, records = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonParser) records_parser = json_parser_new ();
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) sample_files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) local = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  g_autofree char *display = NULL, *tmpdir = NULL;
  JsonObject *manifest;
  JsonArray *files;
  BundleImport bi = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (PETRI_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  display = g_filename_display_name (path);
  zip = petri_zip_reader_open (path, PETRI_ZIP_PASSWORD, &local);
  if (zip == NULL)
    return bad_bundle (error, display, "%s", local->message), NULL;

  /* The manifest lists every entry with its size and SHA-256. */
  manifest_bytes = petri_zip_reader_read (zip, "manifest.json", MAX_MANIFEST, &local);
  if (manifest_bytes == NULL)
    return bad_bundle (error, display, "%s", local->message), NULL;
  if (!json_parser_load_from_data (parser, g_bytes_get_data (manifest_bytes, NULL),
                                   g_bytes_get_size (manifest_bytes), &local)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return bad_bundle (error, display, _ ("its manifest is not valid JSON: %s"),
                       local ? local->message : _ ("not an object")),
           NULL;
  manifest = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (ostr (manifest, "format"), "petri-bundle") != 0
      || json_object_get_int_member_with_default (manifest, "version", 0) != 1)
    return bad_bundle (error, display, _ ("it is not a Petri bundle (version 1)")), NULL;
  files = oarr (manifest, "files");

  tmpdir = g_dir_make_tmp ("petri-import-XXXXXX", &local);
  if (tmpdir == NULL)
    return bad_bundle (error, display, "%s", local->message), NULL;

  for (guint i = 0; i < alen (files); i++)
    {
      JsonObject *f = aobj (files, i);
      const char *name = ostr (f, "path"), *want = ostr (f, "sha256");
      gint64 want_size = f ? json_object_get_int_member_with_default (f, "size", -1) : -1;
      guint64 size = 0;
      g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

      if (name == NULL || !is_hex (want, 64) || want_size < 0)
        {
          bad_bundle (error, display, _ ("manifest entry %u is malformed"), i + 1);
          goto out;
        }
      if (!g_hash_table_add (listed, (gpointer) name))
        {
          bad_bundle (error, display, _ ("the manifest lists “%s” twice"), name);
          goto out;
        }
      if (!petri_zip_reader_get_size (zip, name, &size))
        {
          bad_bundle (error, display, _ ("“%s” is in the manifest but not in the bundle"), name);
          goto out;
        }
      if ((gint64) size != want_size)
        {
          bad_bundle (error, display, _ ("“%s” is %llu bytes, the manifest says %lld"), name,
                      (unsigned long long) size, (long long) want_size);
          goto out;
        }
      if (g_str_equal (name, "case.json"))
        {
          records = petri_zip_reader_read (zip, name, MAX_RECORDS, &local);
          if (records == NULL)
            {
              bad_bundle (error, display, "%s", local->message);
              goto out;
            }
          g_checksum_update (sum, g_bytes_get_data (records, NULL), g_bytes_get_size (records));
        }
      else if (g_str_has_prefix (name, "samples/") && is_hex (name + 8, 64))
        {
          g_autofree char *tmp = g_build_filename (tmpdir, name + 8, NULL);
          g_autoptr (GFile) file = g_file_new_for_path (tmp);
          g_autoptr (GFileOutputStream) out
              = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, cancellable, &local);

          if (out == NULL
              || !petri_zip_reader_extract (zip, name, G_OUTPUT_STREAM (out), MAX_SAMPLE, sum,
                                            &local)
              || !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, &local))
            {
              bad_bundle (error, display, "%s", local->message);
              goto out;
            }
          if (!g_str_equal (name + 8, want))
            {
              bad_bundle (error, display, _ ("“%s” is listed with the SHA-256 %s"), name, want);
              goto out;
            }
          g_ptr_array_add (sample_files, g_steal_pointer (&tmp));
        }
      else
        {
          bad_bundle (error, display, _ ("it holds an unexpected entry “%s”"), name);
          goto out;
        }
      if (!g_str_equal (g_checksum_get_string (sum), want))
        {
          bad_bundle (error, display,
                      _ ("the SHA-256 of “%s” does not match the manifest (%s, not %s)"), name,
                      g_checksum_get_string (sum), want);
          goto out;
        }
    }
  /* And nothing that the manifest does not list. */
  for (guint i = 0; i < petri_zip_reader_get_n_entries (zip); i++)
    {
      const char *name = petri_zip_reader_get_name (zip, i);

      if (name != NULL && !g_str_equal (name, "manifest.json")
          && !g_hash_table_contains (listed, name))
        {
          bad_bundle (error, display, _ ("“%s” is in the bundle but not in the manifest"), name);
          goto out;
        }
    }
  if (records == NULL)
    {
      bad_bundle (error, display, _ ("it holds no case records (case.json)"));
      goto out;
    }
  if (!json_parser_load_from_data (records_parser, g_bytes_get_data (records, NULL),
                                   g_bytes_get_size (records), &local)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (records_parser)))
    {
      bad_bundle (error, display, _ ("its case records are not valid JSON: %s"),
                  local ? local->message : _ ("not an object"));
      goto out;
    }
  bi.model = json_node_get_object (json_parser_get_root (records_parser));
  bi.display = display;
  if (!check_model (bi.model, display, error))
    goto out;

  /* The bytes first (the store keeps each content once, and checks the
   * hash again), then the records in one write. */
  for (guint i = 0; i < sample_files->len; i++)
    {
      const char *tmp = g_ptr_array_index (sample_files, i);
      g_auto (PetriStoredSample) stored = { 0 };
      int fd = petri_sample_store_open_input (tmp, &local);

      if (fd < 0
          || !petri_sample_store_ingest (petri_context_get_samples_dir (context), fd, tmp, &stored,
                                         &local))
        {
          if (fd >= 0)
            close (fd);
          bad_bundle (error, display, "%s", local->message);
          goto out;
        }
      close (fd);
    }
  if (!write_sync (petri_context_get_store (context), bundle_import_write, &bi, error))
    goto out;
  ok = TRUE;

out:
  remove_tree (tmpdir);
  if (!ok)
    return NULL;
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "bundle");
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, display);
  json_builder_set_member_name (b, "case");
  json_builder_add_string_value (b,
                                 ostr (json_object_get_object_member (bi.model, "case"), "name"));
  json_builder_set_member_name (b, "samples_added");
  json_builder_add_int_value (b, bi.samples_added);
  json_builder_set_member_name (b, "samples_present");
  json_builder_add_int_value (b, bi.samples_present);
  json_builder_set_member_name (b, "results_added");
  json_builder_add_int_value (b, bi.results_added);
  json_builder_set_member_name (b, "analyses_added");
  json_builder_add_int_value (b, bi.analyses_added);
  json_builder_set_member_name (b, "names_added");
  json_builder_add_int_value (b, bi.names_added);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
petri_import_file (PetriContext *context, const char *path, const char *case_name,
                   GCancellable *cancellable, GError **error)
{
  char magic[4] = { 0 };
  g_autofree char *display = g_filename_display_name (path);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  ssize_t n;

  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INPUT, _ ("Cannot open “%s”: %s"),
                   display, g_strerror (errsv));
      return NULL;
    }
  n = read (fd, magic, sizeof magic);
  close (fd);
  if (n == 4 && memcmp (magic, "PK\x03\x04", 4) == 0)
    return petri_import_bundle (context, path, cancellable, error);
  return petri_import_report (context, path, case_name, cancellable, error);
}
