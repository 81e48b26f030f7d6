/* test-history.c: report import, search, retro-hunt query, exports and bundles
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Everything runs on a real case database in a temporary data directory,
 * through the same calls the command line uses.
 */
#include "config.h"

#include "petri-history.h"
#include "petri-zip.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct
{
  char *dir;
  PetriContext *context;
} Fixture;

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "history", "fixtures", name, NULL);
}

static PetriContext *
open_context (const char *dir)
{
  g_autoptr (GError) error = NULL;
  PetriContext *context = petri_context_new (dir, NULL, &error);

  g_assert_no_error (error);
  return context;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *d = g_dir_make_tmp ("petri-history-XXXXXX", NULL);

  f->dir = g_build_filename (d, "data", NULL);
  f->context = open_context (f->dir);
  g_free (f->dir);
  f->dir = g_steal_pointer (&d);
}

static void
rm_rf (const char *path)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", path);

  g_assert_cmpint (system (cmd), ==, 0);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->context);
  rm_rf (f->dir);
  g_free (f->dir);
}

/* Waits for a store write. */
typedef struct
{
  gboolean done;
  GError *error;
} Wait;

static void
wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *w = user_data;

  petri_case_store_write_finish (PETRI_CASE_STORE (source), result, &w->error);
  w->done = TRUE;
}

static void
wait_for (Wait *w)
{
  while (!w->done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (w->error);
}

/* A checksum of everything the database holds (every table, every row). */
static char *
db_checksum (PetriContext *context)
{
  g_autofree char *path = g_build_filename (petri_context_get_data_dir (context), "cases.db", NULL);
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr (GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  Wait w = { 0 };

  petri_case_store_barrier (petri_context_get_store (context), wait_cb, &w);
  wait_for (&w);
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (
      sqlite3_prepare_v2 (db,
                          "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                          "name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_index_%' "
                          "ORDER BY name",
                          -1, &stmt, NULL),
      ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  for (guint i = 0; i < tables->len; i++)
    {
      g_autofree char *sql
          = g_strdup_printf ("SELECT * FROM \"%s\"", (char *) g_ptr_array_index (tables, i));

      g_checksum_update (sum, g_ptr_array_index (tables, i), -1);
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count (stmt); c++)
          {
            const void *blob = sqlite3_column_blob (stmt, c);

            g_checksum_update (sum, (const guint8 *) "|", 1);
            if (blob != NULL)
              g_checksum_update (sum, blob, sqlite3_column_bytes (stmt, c));
          }
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return g_strdup (g_checksum_get_string (sum));
}

/* Takes a file into a case the way intake records it. */
static void
add_sample (PetriContext *context, const char *case_name, const char *name, const char *content)
{
  g_autofree char *sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
  g_autofree char *sha1 = g_compute_checksum_for_string (G_CHECKSUM_SHA1, content, -1);
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, content, -1);
  g_autofree char *path = g_build_filename ("/evidence", name, NULL);
  PetriSampleInfo info = { .sha256 = sha256,
                           .sha1 = sha1,
                           .md5 = md5,
                           .ssdeep = "3:abc:def",
                           .mime = "text/plain",
                           .description = "ASCII text",
                           .size = strlen (content) };
  Wait w = { 0 };

  petri_case_store_add_sample (petri_context_get_store (context), case_name, &info, path, NULL,
                               wait_cb, &w);
  wait_for (&w);
}

static void
add_result (PetriContext *context, const char *content, const char *detection)
{
  g_autofree char *sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
  g_autoptr (PetriEngineResult) r = petri_engine_result_new ("yara", "4.2.3", "test rules");
  Wait w = { 0 };

  r->kind = detection ? PETRI_RESULT_DETECTED : PETRI_RESULT_CLEAN;
  if (detection != NULL)
    g_ptr_array_add (r->names, g_strdup (detection));
  petri_case_store_add_result (petri_context_get_store (context), sha256, r, wait_cb, &w);
  wait_for (&w);
}

static JsonNode *
import_ok (PetriContext *context, const char *path, const char *case_name)
{
  g_autoptr (GError) error = NULL;
  JsonNode *summary = petri_import_file (context, path, case_name, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (summary);
  return summary;
}

static void
import_fixture (PetriContext *context, const char *name, const char *case_name)
{
  g_autofree char *path = fixture_path (name);
  g_autoptr (JsonNode) summary = import_ok (context, path, case_name);
}

static JsonArray *
search (PetriContext *context, const char *text, JsonNode **keep)
{
  g_autoptr (GError) error = NULL;

  *keep = petri_case_store_query_sync (petri_context_get_store (context), PETRI_QUERY_SEARCH, text,
                                       NULL, &error);
  g_assert_no_error (error);
  return json_node_get_array (*keep);
}

static gboolean
hits_have (JsonArray *hits, const char *sha256, const char *kind, const char *case_name)
{
  for (guint i = 0; i < json_array_get_length (hits); i++)
    {
      JsonObject *h = json_array_get_object_element (hits, i);

      if (g_str_equal (json_object_get_string_member (h, "sha256"), sha256)
          && g_str_has_prefix (json_object_get_string_member (h, "kind"), kind)
          && g_strcmp0 (json_object_get_string_member (h, "case"), case_name) == 0)
        return TRUE;
    }
  return FALSE;
}

#define CAPE_SHA256 "5f0c4c0ff1a9d5e7c2b8a6d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4"
#define CUCKOO_SHA256 "9a271f2a916b0b6ee6cecb2426f0b3206ef074578be55d9bc94f6f3fe3ab86aa"

/* ---------------------------------------------------------------------- */

static void
test_import_report (Fixture *f, gconstpointer data)
{
  g_autofree char *cape = fixture_path ("cape-report.json");
  g_autoptr (JsonNode) summary = import_ok (f->context, cape, "Imports");
  g_autoptr (JsonNode) again = NULL, sample = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL, *after = NULL;
  JsonObject *s, *analysis;
  JsonArray *events;
  gboolean ioctl = FALSE, injection = FALSE, registry = FALSE;

  s = json_node_get_object (summary);
  g_assert_cmpstr (json_object_get_string_member (s, "dialect"), ==, "cape");
  g_assert_cmpstr (json_object_get_string_member (s, "sample"), ==, "added");
  g_assert_cmpstr (json_object_get_string_member (s, "analysis"), ==, "added");

  sample = petri_case_store_query_sync (petri_context_get_store (f->context), PETRI_QUERY_SAMPLE,
                                        "5f0c4c0f", NULL, &error);
  g_assert_no_error (error);
  s = json_node_get_object (sample);
  g_assert_cmpstr (json_object_get_string_member (s, "md5"), ==,
                   "0f343b0931126a20f133d67c2b018a3b");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (s, "analyses")), ==, 1);
  analysis = json_array_get_object_element (json_object_get_array_member (s, "analyses"), 0);
  g_assert_cmpstr (json_object_get_string_member (analysis, "source"), ==, "cape");
  g_assert_cmpstr (json_object_get_string_member (analysis, "vm"), ==, "win10-x64-01");
  g_assert_cmpstr (json_object_get_string_member (analysis, "status"), ==, "done");
  events = json_object_get_array_member (analysis, "events");
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *ev = json_array_get_object_element (events, i);
      const char *cat = json_object_get_string_member (ev, "category");

      ioctl |= g_str_equal (cat, "driver");
      injection |= g_str_equal (cat, "injection");
      registry |= g_str_equal (cat, "registry");
    }
  g_assert_true (ioctl && injection && registry);

  /* The same report again changes nothing at all. */
  before = db_checksum (f->context);
  again = import_ok (f->context, cape, "Imports");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (again), "analysis"), ==,
                   "already present");
  after = db_checksum (f->context);
  g_assert_cmpstr (before, ==, after);
}

/* A report for a sample Petri already holds: attached, nothing overwritten. */
static void
test_import_report_known_sample (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (f->dir, "reports", NULL);
  g_autofree char *path = g_build_filename (dir, "report.json", NULL);
  g_autofree char *text = NULL, *fixture = fixture_path ("cuckoo-report.json");
  g_autofree char *sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "known sample", -1);
  g_autofree char *sha1 = g_compute_checksum_for_string (G_CHECKSUM_SHA1, "known sample", -1);
  g_autoptr (JsonNode) summary = NULL, sample = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) s = NULL;
  JsonObject *o;

  add_sample (f->context, "Cases", "known.exe", "known sample");
  add_result (f->context, "known sample", NULL);
  /* The Cuckoo fixture, retargeted at that sample (with a wrong SHA-1). */
  g_assert_true (g_file_get_contents (fixture, &text, NULL, NULL));
  s = g_string_new (text);
  g_string_replace (s, CUCKOO_SHA256, sha256, 0);
  g_string_replace (s, "da39a3ee5e6b4b0d3255bfef95601890afd80709",
                    "0000000000000000000000000000000000000000", 0);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, s->str, s->len, NULL));

  summary = import_ok (f->context, path, "Cases");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (summary), "sample"), ==,
                   "present");
  sample = petri_case_store_query_sync (petri_context_get_store (f->context), PETRI_QUERY_SAMPLE,
                                        sha256, NULL, &error);
  g_assert_no_error (error);
  o = json_node_get_object (sample);
  g_assert_cmpstr (json_object_get_string_member (o, "sha1"), ==, sha1);
  g_assert_cmpstr (json_object_get_string_member (o, "ssdeep"), ==, "3:abc:def");
  g_assert_cmpstr (json_object_get_string_member (o, "verdict"), ==, "clean");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "analyses")), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "history")), ==, 1);
}

static void
test_import_bad_reports (Fixture *f, gconstpointer data)
{
  g_autofree char *cape = fixture_path ("cape-report.json");
  g_autofree char *text = NULL, *before = NULL;
  g_autofree char *bad = g_build_filename (f->dir, "bad-report.json", NULL);
  gsize len;
  struct
  {
    const char *what;
    gssize cut;
    const char *replace_from, *replace_to;
    const char *message;
  } cases[] = {
    { "truncated", 4000, NULL, NULL, "ends too early" },
    { "malformed", -1, "\"process_id\": 2340,", "\"process_id\": 2340,,", "line" },
    { "no hashes for an unknown sample", -1, "\"md5\": \"0F343B0931126A20F133D67C2B018A3B\",", "",
      "no SHA-1 or MD5" },
    { "not a report", -1, "\"info\"", "\"infox\"", "not a CAPE or Cuckoo report" },
  };

  g_assert_true (g_file_get_contents (cape, &text, &len, NULL));
  import_fixture (f->context, "cuckoo-report.json", "Base");
  before = db_checksum (f->context);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GString) s
          = g_string_new_len (text, cases[i].cut >= 0 ? cases[i].cut : (gssize) len);
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) summary = NULL;
      g_autofree char *after = NULL;

      if (cases[i].replace_from != NULL)
        g_assert_cmpuint (g_string_replace (s, cases[i].replace_from, cases[i].replace_to, 0), >=,
                          1);
      if (g_str_equal (cases[i].what, "not a report"))
        g_string_replace (s, "\"behavior\"", "\"behaviorx\"", 0);
      g_assert_true (g_file_set_contents (bad, s->str, s->len, NULL));
      summary = petri_import_file (f->context, bad, "Base", NULL, &error);
      g_test_message ("%s: %s", cases[i].what, error ? error->message : "(no error)");
      g_assert_null (summary);
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, "bad-report.json"));
      g_assert_nonnull (strstr (error->message, cases[i].message));
      after = db_checksum (f->context);
      g_assert_cmpstr (before, ==, after);
    }
}

static void
test_search (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) n1 = NULL, n2 = NULL, n3 = NULL, n4 = NULL, n5 = NULL, n6 = NULL;
  g_autoptr (JsonNode) n7 = NULL;
  g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "plain file", -1);

  import_fixture (f->context, "cape-report.json", "Phishing");
  import_fixture (f->context, "cuckoo-report.json", "Dropper");
  add_sample (f->context, "Phishing", "invoice-scan.pdf", "plain file");

  /* A domain, an address, a file path, a command line, a registry key. */
  g_assert_true (hits_have (search (f->context, "example-bad.test", &n1), CAPE_SHA256,
                            "behavior:network", "Phishing"));
  g_assert_true (hits_have (search (f->context, "203.0.113.77", &n2), CUCKOO_SHA256,
                            "behavior:network", "Dropper"));
  g_assert_true (hits_have (search (f->context, "ProgramData\\svc", &n3), CUCKOO_SHA256,
                            "behavior:file", "Dropper"));
  g_assert_true (hits_have (search (f->context, "vssadmin delete", &n4), CAPE_SHA256,
                            "behavior:command", "Phishing"));
  g_assert_true (hits_have (search (f->context, "CurrentVersion\\Run\\dropper", &n5), CUCKOO_SHA256,
                            "behavior:registry", "Dropper"));
  /* File names and hash prefixes still work, results say which case. */
  g_assert_true (hits_have (search (f->context, "invoice-scan", &n6), sha, "path", "Phishing"));
  {
    g_autofree char *prefix = g_strndup (sha, 10);

    g_assert_true (hits_have (search (f->context, prefix, &n7), sha, "sha256", "Phishing"));
  }
}

static void
test_new_since (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;
  JsonArray *hits;
  JsonObject *h;
  gint64 between;

  add_sample (f->context, "Retro", "old.bin", "old sample");
  add_sample (f->context, "Retro", "bad.bin", "always bad");
  add_result (f->context, "old sample", NULL);
  add_result (f->context, "always bad", "Test.AlwaysBad");
  /* Results are stamped in whole seconds: let the clock move on. */
  g_usleep (1100 * 1000);
  between = g_get_real_time () / G_USEC_PER_SEC;
  g_usleep (1100 * 1000);
  add_result (f->context, "old sample", "Test.NewRule");
  add_result (f->context, "always bad", "Test.AlwaysBad");

  node
      = petri_history_query_new_since (petri_context_get_store (f->context), between, NULL, &error);
  g_assert_no_error (error);
  hits = json_node_get_array (node);
  /* Only the clean-then-detected sample; the one detected all along is not new. */
  g_assert_cmpuint (json_array_get_length (hits), ==, 1);
  h = json_array_get_object_element (hits, 0);
  g_assert_cmpstr (json_object_get_string_member (h, "name"), ==, "old.bin");
  g_assert_cmpstr (json_object_get_string_member (h, "case"), ==, "Retro");
  g_assert_cmpstr (json_object_get_string_member (h, "detection"), ==, "Test.NewRule");
  g_assert_cmpstr (json_object_get_string_member (h, "previous_result"), ==, "clean");
  json_node_unref (node);
  node = petri_history_query_new_since (petri_context_get_store (f->context), between + 3600, NULL,
                                        &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 0);
}

static void
test_parse_date (void)
{
  gint64 t;
  g_autoptr (GError) error = NULL;

  g_assert_true (petri_history_parse_date ("2026-03-01", &t, NULL));
  g_assert_cmpint (t, ==, 1772323200);
  g_assert_true (petri_history_parse_date ("2026-03-01T10:00:00Z", &t, NULL));
  g_assert_cmpint (t, ==, 1772323200 + 36000);
  g_assert_true (petri_history_parse_date ("2026-03-01 10:00", &t, NULL));
  g_assert_cmpint (t, ==, 1772323200 + 36000);
  g_assert_false (petri_history_parse_date ("last tuesday", &t, &error));
  g_assert_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "last tuesday"));
}

/* ---------------------------------------------------------------------- */
/* Exports                                                                  */

static void
fill_case (Fixture *f)
{
  Wait w = { 0 };
  g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "evil <content>", -1);

  import_fixture (f->context, "cape-report.json", "Export <case> & \"more\"");
  add_sample (f->context, "Export <case> & \"more\"", "<script>alert(1)<!--x-->.exe",
              "evil <content>");
  add_result (f->context, "evil <content>", "Test.<b>Bold</b>");
  petri_case_store_set_analyst_verdict (petri_context_get_store (f->context),
                                        "Export <case> & \"more\"", sha, "malicious", "looks <bad>",
                                        wait_cb, &w);
  wait_for (&w);
}

#define EXPORT_CASE "Export <case> & \"more\""

static GBytes *
render (Fixture *f, PetriExportFormat format, JsonNode **model_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) model
      = petri_history_query_case (petri_context_get_store (f->context), EXPORT_CASE, NULL, &error);
  GBytes *bytes;

  g_assert_no_error (error);
  bytes = petri_export_render (model, format, &error);
  g_assert_no_error (error);
  if (model_out != NULL)
    *model_out = g_steal_pointer (&model);
  return bytes;
}

static JsonNode *
parse_bytes (GBytes *bytes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) p = json_parser_new ();

  json_parser_load_from_data (p, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (p));
}

static JsonObject *
find_sample (JsonArray *samples, const char *sha256)
{
  for (guint i = 0; i < json_array_get_length (samples); i++)
    {
      JsonObject *s = json_array_get_object_element (samples, i);

      if (g_str_equal (json_object_get_string_member (s, "sha256"), sha256))
        return s;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
test_export_json (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *evil = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "evil <content>", -1);
  JsonObject *o, *s0;
  JsonArray *samples, *analyses;

  fill_case (f);
  bytes = render (f, PETRI_EXPORT_JSON, NULL);
  root = parse_bytes (bytes);
  o = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "petri-case");
  g_assert_cmpint (json_object_get_int_member (o, "version"), ==, 1);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (o, "case"), "name"), ==,
      EXPORT_CASE);
  samples = json_object_get_array_member (o, "samples");
  g_assert_cmpuint (json_array_get_length (samples), ==, 2);
  s0 = find_sample (samples, CAPE_SHA256);
  analyses = json_object_get_array_member (s0, "analyses");
  g_assert_cmpuint (json_array_get_length (analyses), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_array_get_object_element (analyses, 0), "events")),
                    >, 20);
  s0 = find_sample (samples, evil);
  g_assert_cmpstr (json_object_get_string_member (s0, "analyst_verdict"), ==, "malicious");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (s0, "results")), ==, 1);
  g_assert_cmpstr (
      json_object_get_string_member (
          json_array_get_object_element (json_object_get_array_member (s0, "detections"), 0),
          "name"),
      ==, "Test.<b>Bold</b>");
}

static void
test_export_html (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *text = NULL;

  fill_case (f);
  bytes = render (f, PETRI_EXPORT_HTML, NULL);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_true (g_str_has_prefix (text, "<!DOCTYPE html>"));
  /* Everything is escaped. */
  g_assert_null (strstr (text, "<script"));
  g_assert_null (strstr (text, "<b>Bold"));
  g_assert_nonnull (strstr (text, "&lt;script&gt;alert(1)&lt;!--x--&gt;.exe"));
  g_assert_nonnull (strstr (text, "Test.&lt;b&gt;Bold&lt;/b&gt;"));
  g_assert_nonnull (strstr (text, "Export &lt;case&gt; &amp; &quot;more&quot;"));
  /* Self-contained: no external resources at all. */
  g_assert_null (strstr (text, "src="));
  g_assert_null (strstr (text, "<link"));
  g_assert_null (strstr (text, "href=\"http"));
  g_assert_null (strstr (text, "url("));
  /* The content: hashes, detections, behaviour. */
  g_assert_nonnull (strstr (text, CAPE_SHA256));
  g_assert_nonnull (strstr (text, "0f343b0931126a20f133d67c2b018a3b"));
  g_assert_nonnull (strstr (text, "\\??\\PhysicalDrive0"));
  g_assert_nonnull (strstr (text, "IOCTL_DISK_GET_DRIVE_GEOMETRY"));
  g_assert_nonnull (strstr (text, "update.example-bad.test"));
  g_assert_nonnull (strstr (text, "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\"
                                  "CurrentVersion\\Run\\Updater"));
}

static void
test_export_misp (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *evil = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "evil <content>", -1);
  JsonObject *event, *file = NULL;
  JsonArray *objects, *attributes;
  gboolean detection = FALSE, domain = FALSE, sha256 = FALSE, filename = FALSE;

  fill_case (f);
  bytes = render (f, PETRI_EXPORT_MISP, NULL);
  root = parse_bytes (bytes);
  event = json_object_get_object_member (json_node_get_object (root), "Event");
  g_assert_nonnull (event);
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (event, "uuid")));
  g_assert_cmpstr (json_object_get_string_member (event, "threat_level_id"), ==, "2");
  attributes = json_object_get_array_member (event, "Attribute");
  for (guint i = 0; i < json_array_get_length (attributes); i++)
    {
      JsonObject *a = json_array_get_object_element (attributes, i);

      detection
          |= g_str_equal (json_object_get_string_member (a, "category"), "Antivirus detection")
             && g_str_equal (json_object_get_string_member (a, "value"), "yara: Test.<b>Bold</b>");
      domain
          |= g_str_equal (json_object_get_string_member (a, "type"), "domain")
             && g_str_equal (json_object_get_string_member (a, "value"), "update.example-bad.test");
    }
  g_assert_true (detection && domain);
  objects = json_object_get_array_member (event, "Object");
  g_assert_cmpuint (json_array_get_length (objects), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *o = json_array_get_object_element (objects, i);

      g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "file");
      g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (o, "uuid")));
      attributes = json_object_get_array_member (o, "Attribute");
      for (guint j = 0; j < json_array_get_length (attributes); j++)
        {
          JsonObject *a = json_array_get_object_element (attributes, j);

          if (g_str_equal (json_object_get_string_member (a, "value"), evil))
            file = o;
        }
    }
  g_assert_nonnull (file);
  attributes = json_object_get_array_member (file, "Attribute");
  for (guint i = 0; i < json_array_get_length (attributes); i++)
    {
      JsonObject *a = json_array_get_object_element (attributes, i);
      const char *rel = json_object_get_string_member (a, "object_relation");

      sha256 |= g_str_equal (rel, "sha256") && json_object_get_boolean_member (a, "to_ids");
      filename |= g_str_equal (rel, "filename")
                  && g_str_equal (json_object_get_string_member (a, "value"),
                                  "<script>alert(1)<!--x-->.exe");
    }
  g_assert_true (sha256 && filename);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (file, "ObjectReference")),
                    ==, 1);
}

static void
test_export_stix (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) bytes = NULL, again = NULL;
  g_autoptr (JsonNode) root = NULL, model = NULL;
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *objects;
  guint files = 0, analyses = 0, sandbox = 0, relationships = 0, malware = 0, domains = 0;

  fill_case (f);
  bytes = render (f, PETRI_EXPORT_STIX, &model);
  /* Deterministic: the same model renders to the same bytes. */
  again = petri_export_render (model, PETRI_EXPORT_STIX, NULL);
  g_assert_true (g_bytes_equal (bytes, again));
  root = parse_bytes (bytes);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "type"), ==,
                   "bundle");
  objects = json_object_get_array_member (json_node_get_object (root), "objects");
  for (guint i = 0; i < json_array_get_length (objects); i++)
    {
      JsonObject *o = json_array_get_object_element (objects, i);
      const char *type = json_object_get_string_member (o, "type");
      const char *id = json_object_get_string_member (o, "id");

      g_assert_cmpstr (json_object_get_string_member (o, "spec_version"), ==, "2.1");
      g_assert_true (g_str_has_prefix (id, type));
      g_assert_true (g_uuid_string_is_valid (id + strlen (type) + 2));
      g_assert_true (g_hash_table_add (ids, (gpointer) id));
      if (g_str_equal (type, "file"))
        files++;
      else if (g_str_equal (type, "malware-analysis"))
        {
          analyses++;
          g_assert_true (json_object_has_member (o, "result"));
          g_assert_true (
              g_hash_table_contains (ids, json_object_get_string_member (o, "sample_ref")));
          if (g_str_equal (json_object_get_string_member (o, "product"), "cape"))
            sandbox++;
        }
      else if (g_str_equal (type, "relationship"))
        {
          relationships++;
          g_assert_true (
              g_hash_table_contains (ids, json_object_get_string_member (o, "source_ref")));
          g_assert_true (
              g_hash_table_contains (ids, json_object_get_string_member (o, "target_ref")));
        }
      else if (g_str_equal (type, "malware"))
        malware++;
      else if (g_str_equal (type, "domain-name"))
        domains++;
    }
  g_assert_cmpuint (files, ==, 2);
  g_assert_cmpuint (analyses, ==, 2); /* one engine result, one CAPE run */
  g_assert_cmpuint (sandbox, ==, 1);
  g_assert_cmpuint (malware, ==, 1);
  g_assert_cmpuint (relationships, ==, 1);
  g_assert_cmpuint (domains, ==, 1);
}

static void
test_export_unwritable (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (f->dir, "readonly", NULL);
  g_autofree char *path = g_build_filename (dir, "out.html", NULL);
  g_autofree char *zip = g_build_filename (dir, "out.zip", NULL);
  g_autofree char *before = NULL, *after = NULL;
  g_autoptr (GError) error = NULL;

  fill_case (f);
  g_assert_cmpint (g_mkdir (dir, 0500), ==, 0);
  if (access (dir, W_OK) == 0)
    {
      /* root ignores directory modes: use a path under a regular file. */
      g_autofree char *file = g_build_filename (f->dir, "plain", NULL);

      g_assert_true (g_file_set_contents (file, "x", 1, NULL));
      g_free (path);
      g_free (zip);
      path = g_build_filename (file, "out.html", NULL);
      zip = g_build_filename (file, "out.zip", NULL);
    }
  before = db_checksum (f->context);
  g_assert_false (
      petri_export_case (f->context, EXPORT_CASE, PETRI_EXPORT_HTML, FALSE, path, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "out.html"));
  g_clear_error (&error);
  g_assert_false (
      petri_export_case (f->context, EXPORT_CASE, PETRI_EXPORT_BUNDLE, FALSE, zip, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "out.zip"));
  g_clear_error (&error);
  g_assert_false (
      petri_export_case (f->context, "No such case", PETRI_EXPORT_JSON, FALSE, path, NULL, &error));
  g_assert_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_NOT_FOUND);
  after = db_checksum (f->context);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  chmod (dir, 0700);
}

/* ---------------------------------------------------------------------- */
/* Samples leave only inside a zip protected with "infected"                */

static gboolean
run_tool (const char *const *argv, char **out)
{
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, out, NULL, &status, &error))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

static void
write_sample_file (Fixture *f, const char *content)
{
  g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
  g_autofree char *dir = NULL;
  g_autofree char *stored = NULL;

  /* Where the sample store keeps it: samples/aa/bb/<sha256>. */
  dir = g_build_filename (petri_context_get_samples_dir (f->context), (char[]){ sha[0], sha[1], 0 },
                          (char[]){ sha[2], sha[3], 0 }, NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  stored = g_build_filename (dir, sha, NULL);
  g_assert_true (g_file_set_contents (stored, content, -1, NULL));
}

static char *
eicar (void)
{
  /* Built from pieces so that the source itself is not flagged. */
  return g_strconcat ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-",
                      "ANTIVIRUS-TEST-FILE!$H+H*", NULL);
}

static void
test_with_samples (Fixture *f, gconstpointer data)
{
  g_autofree char *e = eicar ();
  g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, e, -1);
  g_autofree char *zip = g_build_filename (f->dir, "report.zip", NULL);
  g_autofree char *entry = g_strdup_printf ("samples/%s", sha);
  g_autofree char *out = NULL, *listing = NULL;
  g_autoptr (GError) error = NULL;

  add_sample (f->context, "Handover", "eicar.com", e);
  write_sample_file (f, e);
  /* Without --with-samples the report holds no bytes. */
  g_assert_true (
      petri_export_case (f->context, "Handover", PETRI_EXPORT_HTML, FALSE, zip, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (zip, &text, NULL, NULL));
    g_assert_null (strstr (text, "EICAR-STANDARD"));
    g_assert_true (g_str_has_prefix (text, "<!DOCTYPE html>"));
  }
  g_assert_true (
      petri_export_case (f->context, "Handover", PETRI_EXPORT_HTML, TRUE, zip, NULL, &error));
  g_assert_no_error (error);
  /* unzip reads it with the password, and not without. */
  g_assert_true (
      run_tool ((const char *const[]){ "unzip", "-P", "infected", "-p", zip, entry, NULL }, &out));
  g_assert_cmpstr (out, ==, e);
  g_clear_pointer (&out, g_free);
  g_assert_false (
      run_tool ((const char *const[]){ "unzip", "-P", "wrong", "-p", zip, entry, NULL }, &out));
  g_clear_pointer (&out, g_free);
  g_assert_true (run_tool ((const char *const[]){ "unzip", "-Z", "-1", zip, NULL }, &listing));
  g_assert_nonnull (strstr (listing, "report.html"));
  g_assert_nonnull (strstr (listing, entry));
  if (g_file_test ("/usr/bin/7z", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_autofree char *opt = g_strdup ("-pinfected");

      g_assert_true (run_tool ((const char *const[]){ "7z", "t", opt, zip, NULL }, &out));
      g_clear_pointer (&out, g_free);
      g_assert_false (run_tool ((const char *const[]){ "7z", "t", "-pwrong", zip, NULL }, &out));
    }
  else
    g_test_message ("7z not installed: checked with unzip only");
}

/* ---------------------------------------------------------------------- */
/* Bundles                                                                  */

static void
test_bundle_roundtrip (Fixture *f, gconstpointer data)
{
  g_autofree char *e = eicar ();
  g_autofree char *bundle = g_build_filename (f->dir, "case.bundle", NULL);
  g_autofree char *other_dir = g_build_filename (f->dir, "other", NULL);
  g_autofree char *first = NULL, *second = NULL, *stored = NULL, *sha = NULL;
  g_autoptr (PetriContext) other = NULL;
  g_autoptr (JsonNode) s1 = NULL, s2 = NULL, model_a = NULL, model_b = NULL, s3 = NULL;
  g_autoptr (GError) error = NULL;
  JsonObject *o;
  Wait w = { 0 };

  fill_case (f);
  add_sample (f->context, EXPORT_CASE, "eicar.com", e);
  write_sample_file (f, e);
  add_result (f->context, e, "Eicar-Test-Signature");
  sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, e, -1);
  petri_case_store_set_sample_tags (petri_context_get_store (f->context), EXPORT_CASE, sha,
                                    (const char *const[]){ "test", "eicar", NULL }, wait_cb, &w);
  wait_for (&w);
  g_assert_true (petri_export_case (f->context, EXPORT_CASE, PETRI_EXPORT_BUNDLE, FALSE, bundle,
                                    NULL, &error));
  g_assert_no_error (error);

  other = open_context (other_dir);
  /* Something already there on the other machine stays as it is. */
  add_sample (other, "Local", "eicar-local.com", e);
  s1 = import_ok (other, bundle, NULL);
  o = json_node_get_object (s1);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "bundle");
  g_assert_cmpint (json_object_get_int_member (o, "samples_added"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (o, "samples_present"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (o, "analyses_added"), ==, 1);
  first = db_checksum (other);
  s2 = import_ok (other, bundle, NULL);
  o = json_node_get_object (s2);
  g_assert_cmpint (json_object_get_int_member (o, "samples_added"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "results_added"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "analyses_added"), ==, 0);
  second = db_checksum (other);
  g_assert_cmpstr (first, ==, second);

  /* The case reads the same on both machines (but for the export time). */
  model_a
      = petri_history_query_case (petri_context_get_store (f->context), EXPORT_CASE, NULL, &error);
  model_b = petri_history_query_case (petri_context_get_store (other), EXPORT_CASE, NULL, &error);
  g_assert_no_error (error);
  /* The sample the other machine had first keeps its own first_seen. */
  for (JsonNode **m = (JsonNode *[]){ model_a, model_b, NULL }; *m != NULL; m++)
    {
      JsonArray *samples = json_object_get_array_member (json_node_get_object (*m), "samples");

      json_object_remove_member (json_node_get_object (*m), "exported");
      for (guint i = 0; i < json_array_get_length (samples); i++)
        json_object_remove_member (json_array_get_object_element (samples, i), "first_seen");
    }
  {
    g_autofree char *a = json_to_string (model_a, FALSE);
    g_autofree char *b = json_to_string (model_b, FALSE);

    g_assert_cmpstr (a, ==, b);
  }
  /* The bytes arrived in the store, and the local case kept its own name. */
  stored = g_build_filename (petri_context_get_samples_dir (other), (char[]){ sha[0], sha[1], 0 },
                             (char[]){ sha[2], sha[3], 0 }, sha, NULL);
  g_assert_true (g_file_test (stored, G_FILE_TEST_IS_REGULAR));
  s3 = petri_case_store_query_sync (petri_context_get_store (other), PETRI_QUERY_CASE, "Local",
                                    NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (
      json_array_get_string_element (
          json_object_get_array_member (
              json_array_get_object_element (
                  json_object_get_array_member (json_node_get_object (s3), "samples"), 0),
              "names"),
          0),
      ==, "eicar-local.com");
}

/* Builds a bundle from parts, to tamper with. */
static void
write_bundle (const char *path, const char *password, GHashTable *entries)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriZipWriter) w = petri_zip_writer_new (path, password, &error);
  GHashTableIter iter;
  gpointer k, v;

  g_assert_no_error (error);
  g_hash_table_iter_init (&iter, entries);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_assert_true (petri_zip_writer_add_bytes (w, k, v, NULL));
  g_assert_true (petri_zip_writer_close (w, &error));
}

static GHashTable *
read_bundle (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriZipReader) r = petri_zip_reader_open (path, PETRI_ZIP_PASSWORD, &error);
  GHashTable *entries
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);

  g_assert_no_error (error);
  for (guint i = 0; i < petri_zip_reader_get_n_entries (r); i++)
    {
      const char *name = petri_zip_reader_get_name (r, i);

      g_hash_table_insert (entries, g_strdup (name),
                           petri_zip_reader_read (r, name, 1 << 30, &error));
      g_assert_no_error (error);
    }
  return entries;
}

static void
test_bundle_bad (Fixture *f, gconstpointer data)
{
  g_autofree char *e = eicar ();
  g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, e, -1);
  g_autofree char *entry = g_strdup_printf ("samples/%s", sha);
  g_autofree char *good = g_build_filename (f->dir, "good.bundle", NULL);
  g_autofree char *bad = g_build_filename (f->dir, "bad.bundle", NULL);
  g_autofree char *other_dir = g_build_filename (f->dir, "other", NULL);
  g_autofree char *before = NULL;
  g_autoptr (PetriContext) other = NULL;
  g_autoptr (GError) error = NULL;
  guint n_cases;
  enum
  {
    SWAPPED_SAMPLE,
    EXTRA_ENTRY,
    MISSING_ENTRY,
    BAD_RECORDS,
    BAD_EVENT,
    WRONG_PASSWORD,
    TRUNCATED,
    N_CASES
  };
  static const char *const expected[] = {
    [SWAPPED_SAMPLE] = "does not match the manifest",
    [EXTRA_ENTRY] = "is in the bundle but not in the manifest",
    [MISSING_ENTRY] = "is in the manifest but not in the bundle",
    [BAD_RECORDS] = "not valid JSON",
    [BAD_EVENT] = "unknown event category",
    [WRONG_PASSWORD] = "bad.bundle",
    [TRUNCATED] = "bad.bundle",
  };

  add_sample (f->context, "Move", "eicar.com", e);
  write_sample_file (f, e);
  import_fixture (f->context, "cape-report.json", "Move");
  g_assert_true (
      petri_export_case (f->context, "Move", PETRI_EXPORT_BUNDLE, FALSE, good, NULL, &error));
  g_assert_no_error (error);
  other = open_context (other_dir);
  import_fixture (other, "cuckoo-report.json", "Already here");
  before = db_checksum (other);

  for (n_cases = 0; n_cases < N_CASES; n_cases++)
    {
      g_autoptr (GHashTable) entries = read_bundle (good);
      g_autoptr (JsonNode) summary = NULL;
      g_autofree char *after = NULL;

      switch (n_cases)
        {
        case SWAPPED_SAMPLE:
          /* Same size, other bytes: only the hash tells. */
          {
            g_autofree char *swapped = g_strdup (e);

            swapped[0] = 'Y';
            g_hash_table_insert (entries, g_strdup (entry),
                                 g_bytes_new (swapped, strlen (swapped)));
          }
          break;
        case EXTRA_ENTRY:
          g_hash_table_insert (entries, g_strdup ("samples/extra"), g_bytes_new ("x", 1));
          break;
        case MISSING_ENTRY:
          g_hash_table_remove (entries, entry);
          break;
        case BAD_RECORDS:
          {
            /* Keep the manifest consistent: the problem is the content. */
            GBytes *records = g_hash_table_lookup (entries, "case.json");
            g_autoptr (GBytes) broken
                = g_bytes_new_from_bytes (records, 0, g_bytes_get_size (records) / 2);
            g_autofree char *old_sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, records);
            g_autofree char *new_sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, broken);
            g_autofree char *old_size
                = g_strdup_printf (" %" G_GSIZE_FORMAT "\n", g_bytes_get_size (records));
            g_autofree char *new_size
                = g_strdup_printf (" %" G_GSIZE_FORMAT "\n", g_bytes_get_size (broken));
            GBytes *manifest = g_hash_table_lookup (entries, "manifest.json");
            g_autoptr (GString) s
                = g_string_new_len (g_bytes_get_data (manifest, NULL), g_bytes_get_size (manifest));

            g_assert_cmpuint (g_string_replace (s, old_sum, new_sum, 0), ==, 1);
            g_assert_cmpuint (g_string_replace (s, old_size, new_size, 0), ==, 1);
            g_hash_table_insert (entries, g_strdup ("manifest.json"), g_bytes_new (s->str, s->len));
            g_hash_table_insert (entries, g_strdup ("case.json"), g_bytes_ref (broken));
          }
          break;
        case BAD_EVENT:
          {
            GBytes *records = g_hash_table_lookup (entries, "case.json");
            GBytes *manifest = g_hash_table_lookup (entries, "manifest.json");
            g_autoptr (GString) r
                = g_string_new_len (g_bytes_get_data (records, NULL), g_bytes_get_size (records));
            g_autoptr (GString) m
                = g_string_new_len (g_bytes_get_data (manifest, NULL), g_bytes_get_size (manifest));
            g_autofree char *old_sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, records);
            g_autofree char *new_sum = NULL;
            g_autoptr (GBytes) nr = NULL;

            /* Same length: an event category that does not exist. */
            g_assert_cmpuint (
                g_string_replace (r, "\"category\" : \"process\"", "\"category\" : \"procxxx\"", 1),
                ==, 1);
            nr = g_bytes_new (r->str, r->len);
            new_sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, nr);
            g_assert_cmpuint (g_string_replace (m, old_sum, new_sum, 0), ==, 1);
            g_hash_table_insert (entries, g_strdup ("case.json"), g_bytes_ref (nr));
            g_hash_table_insert (entries, g_strdup ("manifest.json"), g_bytes_new (m->str, m->len));
          }
          break;
        default:
          break;
        }
      if (n_cases == TRUNCATED)
        {
          g_autofree char *text = NULL;
          gsize len;

          g_assert_true (g_file_get_contents (good, &text, &len, NULL));
          g_assert_true (g_file_set_contents (bad, text, len / 2, NULL));
        }
      else
        write_bundle (bad, n_cases == WRONG_PASSWORD ? "secret" : PETRI_ZIP_PASSWORD, entries);

      summary = petri_import_file (other, bad, NULL, NULL, &error);
      g_test_message ("case %u: %s", n_cases, error ? error->message : "(no error)");
      g_assert_null (summary);
      g_assert_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INPUT);
      g_assert_nonnull (strstr (error->message, "bad.bundle"));
      g_assert_nonnull (strstr (error->message, expected[n_cases]));
      g_clear_error (&error);
      after = db_checksum (other);
      g_assert_cmpstr (before, ==, after);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  petri_engines_init ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/history/import/report", test_import_report);
  ADD ("/history/import/known-sample", test_import_report_known_sample);
  ADD ("/history/import/bad-reports", test_import_bad_reports);
  ADD ("/history/search/behaviour", test_search);
  ADD ("/history/retro-hunt/new-since", test_new_since);
  g_test_add_func ("/history/retro-hunt/parse-date", test_parse_date);
  ADD ("/history/export/json", test_export_json);
  ADD ("/history/export/html", test_export_html);
  ADD ("/history/export/misp", test_export_misp);
  ADD ("/history/export/stix", test_export_stix);
  ADD ("/history/export/unwritable", test_export_unwritable);
  ADD ("/history/export/with-samples", test_with_samples);
  ADD ("/history/bundle/roundtrip", test_bundle_roundtrip);
  ADD ("/history/bundle/bad", test_bundle_bad);
  return g_test_run ();
}
