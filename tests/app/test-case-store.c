/* test-case-store.c: the case database
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "petri-app.h"
#include "petri-behavior.h"

typedef struct
{
  char *dir;
  char *db_path;
  PetriCaseStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("petri-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, "cases.db", NULL);
  f->store = petri_case_store_open (f->db_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
rm_rf (const char *path)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", path);
  g_assert_cmpint (system (cmd), ==, 0);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->store != NULL)
    petri_case_store_close (f->store);
  g_clear_object (&f->store);
  rm_rf (f->dir);
  g_free (f->db_path);
  g_free (f->dir);
}

/* Waits for one write's callback on the default main context. */
typedef struct
{
  gboolean done;
  GError *error;
} Wait;

static void
write_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Wait *w = data;
  petri_case_store_write_finish (PETRI_CASE_STORE (source), result, &w->error);
  w->done = TRUE;
}

static void
wait_for (Wait *w)
{
  while (!w->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
sync_store (PetriCaseStore *store)
{
  Wait w = { 0 };
  petri_case_store_barrier (store, write_cb, &w);
  wait_for (&w);
  g_assert_no_error (w.error);
}

static char *
fake_hash (char c, guint len)
{
  return g_strnfill (len, c);
}

static void
add_sample (PetriCaseStore *store, const char *case_name, char c, const char *path)
{
  g_autofree char *sha256 = fake_hash (c, 64), *sha1 = fake_hash (c, 40), *md5 = fake_hash (c, 32);
  PetriSampleInfo info = { .sha256 = sha256,
                           .sha1 = sha1,
                           .md5 = md5,
                           .ssdeep = "3::",
                           .mime = "text/plain",
                           .description = "ASCII text",
                           .size = 42 };
  Wait w = { 0 };

  petri_case_store_add_sample (store, case_name, &info, path, NULL, write_cb, &w);
  wait_for (&w);
  g_assert_no_error (w.error);
}

static PetriEngineResult *
make_result (const char *engine, PetriResultKind kind, const char *name, gboolean heuristic)
{
  PetriEngineResult *r = petri_engine_result_new (engine, "1.0", "test sigs");

  r->kind = kind;
  if (name != NULL)
    g_ptr_array_add (r->names, g_strdup (name));
  r->heuristic = heuristic;
  return r;
}

static void
add_result (PetriCaseStore *store, char c, PetriEngineResult *r)
{
  g_autofree char *sha256 = fake_hash (c, 64);
  Wait w = { 0 };

  petri_case_store_add_result (store, sha256, r, write_cb, &w);
  wait_for (&w);
  g_assert_no_error (w.error);
  petri_engine_result_unref (r);
}

static JsonNode *
query (PetriCaseStore *store, PetriQueryKind kind, const char *arg)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = petri_case_store_query_sync (store, kind, arg, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static char *
sql_text (const char *db_path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *out = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return out;
}

static void
test_open_new (Fixture *f, gconstpointer data)
{
  g_autofree char *mode = NULL, *version = NULL, *app_id = NULL;

  sync_store (f->store);
  mode = sql_text (f->db_path, "PRAGMA journal_mode");
  version = sql_text (f->db_path, "PRAGMA user_version");
  app_id = sql_text (f->db_path, "PRAGMA application_id");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpstr (version, ==, "3"); /* 0001-initial, 0002-history, 0003-analysis-owner */
  g_assert_cmpstr (app_id, ==, "1346720850");

  /* Reopening an existing database works and migrates nothing. */
  petri_case_store_close (f->store);
  g_clear_object (&f->store);
  {
    g_autoptr (GError) error = NULL;
    f->store = petri_case_store_open (f->db_path, &error);
    g_assert_no_error (error);
  }
}

static void
test_samples_and_cases (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) cases = NULL, sample = NULL, one = NULL;
  JsonArray *a, *in_cases;
  JsonObject *o;

  add_sample (f->store, "Alpha", 'a', "/x/one.exe");
  add_sample (f->store, "Alpha", 'a', "/x/copy-of-one.exe"); /* same content, other name */
  add_sample (f->store, "Beta", 'a', "/y/one.exe");
  add_sample (f->store, "Beta", 'b', "/y/two.txt");

  cases = query (f->store, PETRI_QUERY_CASES, NULL);
  a = json_node_get_array (cases);
  g_assert_cmpuint (json_array_get_length (a), ==, 2);

  one = query (f->store, PETRI_QUERY_CASE, "Alpha");
  o = json_node_get_object (one);
  a = json_object_get_array_member (o, "samples");
  g_assert_cmpuint (json_array_get_length (a), ==, 1); /* stored once */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_array_get_object_element (a, 0), "names")),
                    ==, 2);

  sample = query (f->store, PETRI_QUERY_SAMPLE, "aaaa");
  o = json_node_get_object (sample);
  in_cases = json_object_get_array_member (o, "cases");
  g_assert_cmpuint (json_array_get_length (in_cases), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (o, "verdict"), ==, "pending");
}

static void
test_prefix_lookup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *md5 = fake_hash ('c', 32);

  add_sample (f->store, "Alpha", 'c', "/x/c");
  add_sample (f->store, "Alpha", 'd', "/x/d");

  node = petri_case_store_query_sync (f->store, PETRI_QUERY_SAMPLE, "eeee", NULL, &error);
  g_assert_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_NOT_FOUND);
  g_assert_null (node);
  g_clear_error (&error);

  node = petri_case_store_query_sync (f->store, PETRI_QUERY_SAMPLE, "zz", NULL, &error);
  g_assert_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INVALID);
  g_clear_error (&error);

  node = petri_case_store_query_sync (f->store, PETRI_QUERY_SAMPLE, md5, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "md5"), ==, md5);
}

static void
test_results_append (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) s1 = NULL, s2 = NULL, s3 = NULL;
  JsonObject *o;

  add_sample (f->store, "Alpha", 'a', "/x/a");
  add_result (f->store, 'a', make_result ("clamav", PETRI_RESULT_CLEAN, NULL, FALSE));
  add_result (f->store, 'a', make_result ("yara", PETRI_RESULT_DETECTED, "ns:Generic_Thing", TRUE));
  s1 = query (f->store, PETRI_QUERY_SAMPLE, "aaaa");
  o = json_node_get_object (s1);
  g_assert_cmpstr (json_object_get_string_member (o, "verdict"), ==, "suspicious");

  /* A rescan appends; the latest result per engine decides. */
  add_result (f->store, 'a',
              make_result ("clamav", PETRI_RESULT_DETECTED, "Win.Test.EICAR", FALSE));
  s2 = query (f->store, PETRI_QUERY_SAMPLE, "aaaa");
  o = json_node_get_object (s2);
  g_assert_cmpstr (json_object_get_string_member (o, "verdict"), ==, "malicious");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "engines")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "history")), ==, 3);

  add_result (f->store, 'a', make_result ("clamav", PETRI_RESULT_CLEAN, NULL, FALSE));
  s3 = query (f->store, PETRI_QUERY_SAMPLE, "aaaa");
  o = json_node_get_object (s3);
  g_assert_cmpstr (json_object_get_string_member (o, "verdict"), ==, "suspicious");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "history")), ==, 4);
}

static void
test_new_detection (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) before = NULL, after = NULL, in_case = NULL;
  JsonArray *fresh;
  JsonObject *summary;

  add_sample (f->store, "Alpha", 'a', "/x/a");
  add_result (f->store, 'a', make_result ("clamav", PETRI_RESULT_CLEAN, NULL, FALSE));
  before = query (f->store, PETRI_QUERY_SAMPLE, "aaaa");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_node_get_object (before), "new_detections")),
                    ==, 0);

  /* A later scan with new signatures finds something: a new detection. */
  g_usleep (1100 * 1000);
  add_result (f->store, 'a', make_result ("clamav", PETRI_RESULT_DETECTED, "Win.New.Sig", FALSE));
  after = query (f->store, PETRI_QUERY_SAMPLE, "aaaa");
  fresh = json_object_get_array_member (json_node_get_object (after), "new_detections");
  g_assert_cmpuint (json_array_get_length (fresh), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (fresh, 0), "name"),
                   ==, "Win.New.Sig");

  in_case = query (f->store, PETRI_QUERY_CASE, "Alpha");
  summary = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (in_case), "samples"), 0);
  g_assert_false (json_object_get_null_member (summary, "new_detection_since"));
}

static void
test_search (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) by_name = NULL, by_detection = NULL, by_hash = NULL;
  JsonArray *a;

  add_sample (f->store, "Alpha", 'a', "/cases/invoice-2026.pdf.exe");
  add_sample (f->store, "Beta", 'a', "/other/renamed.bin");
  add_sample (f->store, "Beta", 'b', "/other/readme.txt");
  add_result (f->store, 'a',
              make_result ("clamav", PETRI_RESULT_DETECTED, "Win.Trojan.Petrified-1", FALSE));

  by_name = query (f->store, PETRI_QUERY_SEARCH, "invoice-2026");
  a = json_node_get_array (by_name);
  g_assert_cmpuint (json_array_get_length (a), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (a, 0), "case"), ==,
                   "Alpha");

  /* A detection belongs to the sample: every case it is in answers. */
  by_detection = query (f->store, PETRI_QUERY_SEARCH, "petrified");
  a = json_node_get_array (by_detection);
  g_assert_cmpuint (json_array_get_length (a), ==, 2);

  by_hash = query (f->store, PETRI_QUERY_SEARCH, "bbbbbbbb");
  a = json_node_get_array (by_hash);
  g_assert_cmpuint (json_array_get_length (a), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (a, 0), "kind"), ==,
                   "sha256");
}

static void
test_case_operations (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) cases = NULL, sample = NULL;
  g_autofree char *sha = fake_hash ('a', 64);
  const char *tags[] = { "apt", " phishing ", NULL };
  JsonObject *c;
  Wait w1 = { 0 }, w2 = { 0 }, w3 = { 0 }, w4 = { 0 }, w5 = { 0 }, w6 = { 0 }, w7 = { 0 };

  petri_case_store_create_case (f->store, "Gamma", write_cb, &w1);
  petri_case_store_create_case (f->store, "Gamma", write_cb, &w2);
  wait_for (&w2);
  g_assert_no_error (w1.error);
  g_assert_error (w2.error, PETRI_APP_ERROR, PETRI_APP_ERROR_EXISTS);
  g_clear_error (&w2.error);

  add_sample (f->store, "Gamma", 'a', "/g/a");
  petri_case_store_set_sample_tags (f->store, "Gamma", sha, tags, write_cb, &w3);
  petri_case_store_set_sample_notes (f->store, "Gamma", sha, "seen in mail", write_cb, &w4);
  petri_case_store_set_analyst_verdict (f->store, "Gamma", sha, "malicious", "by hand", write_cb,
                                        &w5);
  petri_case_store_rename_case (f->store, "Gamma", "Delta", write_cb, &w6);
  wait_for (&w6);
  g_assert_no_error (w3.error);
  g_assert_no_error (w4.error);
  g_assert_no_error (w5.error);
  g_assert_no_error (w6.error);

  sample = query (f->store, PETRI_QUERY_SAMPLE, sha);
  c = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (sample), "cases"), 0);
  g_assert_cmpstr (json_object_get_string_member (c, "case"), ==, "Delta");
  g_assert_cmpstr (json_object_get_string_member (c, "notes"), ==, "seen in mail");
  g_assert_cmpstr (json_object_get_string_member (c, "analyst_verdict"), ==, "malicious");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (c, "tags")), ==, 2);
  /* The analyst's verdict sits beside the engines' one. */
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (sample), "verdict"), ==,
                   "pending");

  petri_case_store_delete_case (f->store, "Delta", write_cb, &w7);
  wait_for (&w7);
  g_assert_no_error (w7.error);
  cases = query (f->store, PETRI_QUERY_CASES, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (cases)), ==, 0);
}

static void
test_analyses (Fixture *f, gconstpointer data)
{
  g_autoptr (PetriAnalysisRef) ref = NULL;
  g_autoptr (GPtrArray) events
      = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_behavior_event_unref);
  g_autoptr (JsonNode) sample = NULL;
  g_autofree char *sha = fake_hash ('a', 64);
  PetriBehaviorEvent *e;
  JsonObject *analysis;
  Wait w = { 0 };

  add_sample (f->store, "Alpha", 'a', "/x/a");
  ref = petri_case_store_add_analysis (f->store, sha, "Alpha", "petri", "vm1", "linux", "queued",
                                       NULL, 60, NULL, NULL);
  petri_case_store_update_analysis (f->store, ref, "starting", NULL, NULL, NULL, NULL);
  e = petri_behavior_event_new ("process", "exec");
  e->pid = 10;
  e->target = g_strdup ("/bin/sh");
  g_ptr_array_add (events, e);
  e = petri_behavior_event_new ("network", "connect");
  e->pid = 10;
  e->target = g_strdup ("192.0.2.1:443");
  g_ptr_array_add (events, e);
  petri_case_store_add_events (f->store, ref, events, NULL, NULL);
  petri_case_store_update_analysis (f->store, ref, "done", "", NULL, write_cb, &w);
  wait_for (&w);
  g_assert_no_error (w.error);
  g_assert_cmpint (petri_analysis_ref_get_id (ref), >, 0);

  sample = query (f->store, PETRI_QUERY_SAMPLE, sha);
  analysis = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (sample), "analyses"), 0);
  g_assert_cmpstr (json_object_get_string_member (analysis, "status"), ==, "done");
  g_assert_false (json_object_get_null_member (analysis, "started"));
  g_assert_false (json_object_get_null_member (analysis, "finished"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (analysis, "events")), ==,
                    2);
}

static void
sql_exec (const char *db_path, const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static JsonObject *
analysis_by_vm (JsonNode *sample, const char *vm)
{
  JsonArray *analyses = json_object_get_array_member (json_node_get_object (sample), "analyses");

  for (guint i = 0; i < json_array_get_length (analyses); i++)
    {
      JsonObject *a = json_array_get_object_element (analyses, i);
      if (g_strcmp0 (json_object_get_string_member (a, "vm"), vm) == 0)
        return a;
    }
  g_assert_not_reached ();
}

/* An analysis left "running" by a process that stopped is marked failed by
 * the next open; one whose process still runs (this one) is left alone. */
static void
test_interrupted_analyses (Fixture *f, gconstpointer data)
{
  g_autofree char *sha = fake_hash ('a', 64);
  g_autofree char *boot = NULL, *owner = NULL, *sql = NULL;
  g_autoptr (PetriAnalysisRef) live = NULL, dead = NULL, rebooted = NULL, old = NULL, done = NULL;
  g_autoptr (JsonNode) sample = NULL;
  g_autoptr (GError) error = NULL;
  JsonObject *a;
  Wait w = { 0 };
  pid_t child;
  int status;

  add_sample (f->store, "Alpha", 'a', "/x/a");
  live = petri_case_store_add_analysis (f->store, sha, "Alpha", "petri", "live", "linux", "queued",
                                        NULL, 60, NULL, NULL);
  petri_case_store_update_analysis (f->store, live, "running", NULL, NULL, NULL, NULL);
  dead = petri_case_store_add_analysis (f->store, sha, "Alpha", "petri", "dead", "linux", "queued",
                                        NULL, 60, NULL, NULL);
  petri_case_store_update_analysis (f->store, dead, "collecting", NULL, NULL, NULL, NULL);
  rebooted = petri_case_store_add_analysis (f->store, sha, "Alpha", "petri", "rebooted", "linux",
                                            "starting", NULL, 60, NULL, NULL);
  old = petri_case_store_add_analysis (f->store, sha, "Alpha", "petri", "old", "linux", "queued",
                                       NULL, 60, NULL, NULL);
  done = petri_case_store_add_analysis (f->store, sha, "Alpha", "petri", "done", "linux", "queued",
                                        NULL, 60, NULL, NULL);
  petri_case_store_update_analysis (f->store, done, "done", "", NULL, write_cb, &w);
  wait_for (&w);
  g_assert_no_error (w.error);
  petri_case_store_close (f->store);
  g_clear_object (&f->store);

  /* Every unfinished analysis names this process; a finished one nobody. */
  owner = sql_text (f->db_path, "SELECT owner FROM analyses WHERE vm = 'live'");
  g_assert_nonnull (strstr (owner, " "));
  g_free (sql);
  sql = sql_text (f->db_path, "SELECT owner FROM analyses WHERE vm = 'done'");
  g_assert_cmpstr (sql, ==, "");
  g_clear_pointer (&sql, g_free);

  /* A pid that has exited, an owner from another boot, and one written
   * before owners were recorded. */
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    _exit (0);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (g_file_get_contents ("/proc/sys/kernel/random/boot_id", &boot, NULL, NULL));
  g_strstrip (boot);
  sql = g_strdup_printf ("UPDATE analyses SET owner = '%s %d 12345' WHERE vm = 'dead';"
                         "UPDATE analyses SET owner = '00000000-0000-0000-0000-000000000000 %d "
                         "%s' WHERE vm = 'rebooted';"
                         "UPDATE analyses SET owner = '' WHERE vm = 'old';",
                         boot, (int) child, (int) getpid (), strrchr (owner, ' ') + 1);
  sql_exec (f->db_path, sql);

  f->store = petri_case_store_open (f->db_path, &error);
  g_assert_no_error (error);
  sample = query (f->store, PETRI_QUERY_SAMPLE, sha);

  a = analysis_by_vm (sample, "live");
  g_assert_cmpstr (json_object_get_string_member (a, "status"), ==, "running");
  a = analysis_by_vm (sample, "done");
  g_assert_cmpstr (json_object_get_string_member (a, "status"), ==, "done");
  for (guint i = 0; i < 3; i++)
    {
      const char *vm = (const char *[]){ "dead", "rebooted", "old" }[i];
      a = analysis_by_vm (sample, vm);
      g_test_message ("%s: %s", vm, json_object_get_string_member (a, "reason"));
      g_assert_cmpstr (json_object_get_string_member (a, "status"), ==, "failed");
      g_assert_nonnull (strstr (json_object_get_string_member (a, "reason"), "interrupted"));
      g_assert_false (json_object_get_null_member (a, "finished"));
    }
  g_assert_nonnull (
      strstr (json_object_get_string_member (analysis_by_vm (sample, "dead"), "reason"),
              "stopped before it finished"));
}

/* ---------------------------------------------------------------------- */
/* Refusals: the file must come out byte for byte as it went in.            */

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

static void
assert_refused (const char *path, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriCaseStore) store = NULL;
  g_autofree char *before = file_checksum (path);
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  store = petri_case_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, fragment));
  g_assert_nonnull (strstr (error->message, "left untouched"));
  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
}

static void
test_refuse_foreign (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "other.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (
      sqlite3_exec (db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", NULL, NULL, NULL), ==,
      SQLITE_OK);
  sqlite3_close (db);
  assert_refused (path, "not a Petri case database");
}

static void
test_refuse_newer (Fixture *f, gconstpointer data)
{
  sqlite3 *db = NULL;

  petri_case_store_close (f->store);
  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (f->db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99; PRAGMA journal_mode = DELETE;",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  assert_refused (f->db_path, "newer Petri");
}

static void
test_refuse_not_sqlite (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "garbage.db", NULL);
  g_autofree char *junk = g_strnfill (8192, 'J');

  g_assert_true (g_file_set_contents (path, junk, -1, NULL));
  assert_refused (path, "not a Petri case database");
}

static void
test_refuse_corrupt (Fixture *f, gconstpointer data)
{
  g_autofree char *contents = NULL;
  sqlite3 *db = NULL;
  gsize len = 0;

  /* A real Petri database with some rows, then one page overwritten. */
  for (char c = 'a'; c <= 'z'; c++)
    add_sample (f->store, "Alpha", c, "/x/file");
  petri_case_store_close (f->store);
  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (f->db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);

  {
    g_autofree char *root
        = sql_text (f->db_path, "SELECT rootpage FROM sqlite_schema WHERE name = 'samples'");
    g_autofree char *page_size = sql_text (f->db_path, "PRAGMA page_size");
    gsize offset = (g_ascii_strtoull (root, NULL, 10) - 1) * g_ascii_strtoull (page_size, NULL, 10);

    g_assert_true (g_file_get_contents (f->db_path, &contents, &len, NULL));
    g_assert_cmpuint (len, >, offset + 64);
    /* The b-tree page header of the samples table. */
    memset (contents + offset, 0x5a, 16);
  }
  g_assert_true (g_file_set_contents (f->db_path, contents, len, NULL));
  assert_refused (f->db_path, "corrupt");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/case-store/open-new", test_open_new);
  ADD ("/case-store/samples-and-cases", test_samples_and_cases);
  ADD ("/case-store/prefix-lookup", test_prefix_lookup);
  ADD ("/case-store/results-append", test_results_append);
  ADD ("/case-store/search", test_search);
  ADD ("/case-store/new-detection", test_new_detection);
  ADD ("/case-store/case-operations", test_case_operations);
  ADD ("/case-store/analyses", test_analyses);
  ADD ("/case-store/interrupted-analyses", test_interrupted_analyses);
  ADD ("/case-store/refuse-foreign", test_refuse_foreign);
  ADD ("/case-store/refuse-newer", test_refuse_newer);
  ADD ("/case-store/refuse-not-sqlite", test_refuse_not_sqlite);
  ADD ("/case-store/refuse-corrupt", test_refuse_corrupt);
#undef ADD

  return g_test_run ();
}
