/* bench-history.c: the case history at scale
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   bench-history [--keep] [--samples N] [DATA_DIR]
 *
 * Fills a case database (created and migrated by Petri itself) straight
 * through SQL in one process: 100,000 samples in 1,000 cases (one case of
 * 1,000 samples), every sample with a file name, an engine result (one in
 * ten detected) and a sandbox analysis, 1,000,000 behaviour events in all
 * (file paths, registry keys, domains, addresses, command lines — some
 * shared by many samples, some unique). The schema's own triggers index
 * them for search, as in normal use. Then it times, through the same calls
 * the CLI and the window use:
 *
 *   listing cases          target  50 ms
 *   opening a case         target 100 ms
 *   hash-prefix search     target  10 ms
 *   full-text search       target 100 ms
 *   export of 1,000 samples (JSON, all records and events) target 5 s
 *
 * and prints each time, its target and the ratio. An existing DATA_DIR
 * holding a generated database is reused (generation takes a while).
 */
#include "config.h"

#include "petri-history.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>

#define N_CASES 1000
#define BIG_CASE_SAMPLES 1000
#define EVENTS_PER_SAMPLE 10

static void
check (sqlite3 *db, int rc, const char *what)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    g_error ("%s: %s", what, sqlite3_errmsg (db));
}

static sqlite3_stmt *
prep (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *s = NULL;

  check (db, sqlite3_prepare_v2 (db, sql, -1, &s, NULL), sql);
  return s;
}

static void
run (sqlite3 *db, sqlite3_stmt *s, const char *what)
{
  check (db, sqlite3_step (s), what);
  sqlite3_reset (s);
}

static char *
hash_of (const char *kind, guint i, GChecksumType type)
{
  g_autofree char *seed = g_strdup_printf ("%s-%u", kind, i);

  return g_compute_checksum_for_string (type, seed, -1);
}

/* The behaviour of sample i: EVENTS_PER_SAMPLE events, half drawn from
 * pools shared across samples, half unique to it. */
static void
event_for (guint sample, guint k, const char **category, const char **action, char **target,
           char **details)
{
  guint pool = (sample * 7 + k * 13) % 500;

  *details = NULL;
  switch (k)
    {
    case 0:
      *category = "process";
      *action = "exec";
      *target = g_strdup_printf ("C:\\Users\\lab\\AppData\\Local\\Temp\\s%u.exe", sample);
      *details = g_strdup_printf ("{\"command_line\":\"s%u.exe /install /id %u\"}", sample, sample);
      break;
    case 1:
      *category = "network";
      *action = "dns";
      *target = g_strdup_printf ("c%u.gate%u.example.test", sample % 5000, pool);
      break;
    case 2:
      *category = "network";
      *action = "connect";
      *target = g_strdup_printf ("198.51.%u.%u:443", pool % 256, sample % 256);
      break;
    case 3:
      *category = "file";
      *action = "write";
      *target = g_strdup_printf ("C:\\ProgramData\\cache%u\\part%u.dat", pool, sample % 100);
      break;
    case 4:
      *category = "registry";
      *action = "set";
      *target = g_strdup_printf (
          "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\upd%u", pool);
      break;
    case 5:
      *category = "command";
      *action = "exec";
      *target = g_strdup_printf ("cmd.exe /c schtasks /create /tn job%u /tr s%u.exe", pool, sample);
      break;
    case 6:
      *category = "mutex";
      *action = "create";
      *target = g_strdup_printf ("Global\\mtx-%u", pool);
      break;
    case 7:
      *category = "file";
      *action = "read";
      *target = g_strdup ("C:\\Windows\\System32\\drivers\\etc\\hosts");
      break;
    case 8:
      *category = "driver";
      *action = "ioctl";
      *target = g_strdup ("\\??\\PhysicalDrive0");
      *details
          = g_strdup ("{\"request\":\"0x00070000\",\"name\":\"IOCTL_DISK_GET_DRIVE_GEOMETRY\"}");
      break;
    default:
      *category = "injection";
      *action = "write_process_memory";
      *target = g_strdup_printf ("%u", 1000 + pool);
      break;
    }
}

static void
generate (const char *data_dir, guint n_samples)
{
  g_autofree char *path = g_build_filename (data_dir, "cases.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *cs, *ss, *link, *sight, *fts, *res, *det, *an, *ev;
  gint64 t0 = g_get_monotonic_time ();
  gint64 base = 1767225600; /* 2026-01-01 */
  guint per_case = (n_samples - BIG_CASE_SAMPLES) / (N_CASES - 1);

  /* Petri creates and migrates the database. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (PetriContext) context = petri_context_new (data_dir, NULL, &error);

    if (context == NULL)
      g_error ("%s", error->message);
  }
  check (db, sqlite3_open (path, &db), "open");
  sqlite3_exec (db, "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; BEGIN", NULL, NULL,
                NULL);
  cs = prep (db, "INSERT INTO cases (id, name, created, notes) VALUES (?, ?, ?, '')");
  ss = prep (db,
             "INSERT INTO samples (id, sha256, sha1, md5, size, mime, description, ssdeep, "
             "first_seen, verdict, detections, engines) "
             "VALUES (?, ?, ?, ?, ?, 'application/x-dosexec', 'PE32 executable', '', ?, ?, ?, 1)");
  link = prep (db, "INSERT INTO case_samples (case_id, sample_id, added) VALUES (?, ?, ?)");
  sight = prep (db, "INSERT INTO sightings (case_id, sample_id, name, path, path_raw, added) "
                    "VALUES (?, ?, ?, ?, ?, ?)");
  fts = prep (db, "INSERT INTO search_index (text, kind, sample_id, case_id) VALUES (?, ?, ?, ?)");
  res = prep (db, "INSERT INTO engine_results (sample_id, engine, engine_version, signatures, "
                  "result, names, scanned) VALUES (?, 'clamav', '1.4.6', 'bench', ?, ?, ?)");
  det = prep (db, "INSERT INTO detection_names (sample_id, engine, name, first_seen) "
                  "VALUES (?, 'clamav', ?, ?)");
  an = prep (db, "INSERT INTO analyses (id, sample_id, case_id, source, vm, platform, status, "
                 "queued, started, finished, duration) "
                 "VALUES (?, ?, ?, 'petri', 'bench-vm', 'linux', 'done', ?, ?, ?, 60)");
  ev = prep (db, "INSERT INTO events (analysis_id, seq, ts, category, action, pid, ppid, process, "
                 "target, details) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)");

  for (guint c = 0; c < N_CASES; c++)
    {
      g_autofree char *name = c == 0 ? g_strdup ("Big case") : g_strdup_printf ("Case %04u", c);

      sqlite3_bind_int (cs, 1, c + 1);
      sqlite3_bind_text (cs, 2, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (cs, 3, base + c * 600);
      run (db, cs, "case");
    }
  for (guint i = 0; i < n_samples; i++)
    {
      g_autofree char *sha256 = hash_of ("sample", i, G_CHECKSUM_SHA256);
      g_autofree char *sha1 = hash_of ("sample", i, G_CHECKSUM_SHA1);
      g_autofree char *md5 = hash_of ("sample", i, G_CHECKSUM_MD5);
      g_autofree char *fname = g_strdup_printf ("invoice_%06u.exe", i);
      g_autofree char *fpath = g_strdup_printf ("/evidence/batch%03u/%s", i % 700, fname);
      g_autofree char *detection = g_strdup_printf ("Win.Trojan.Bench-%u", i % 97);
      guint case_id = i < BIG_CASE_SAMPLES ? 1 : 2 + (i - BIG_CASE_SAMPLES) / MAX (per_case, 1);
      gboolean detected = i % 10 == 0;
      gint64 when = base + i * 20;

      case_id = MIN (case_id, N_CASES);
      sqlite3_bind_int (ss, 1, i + 1);
      sqlite3_bind_text (ss, 2, sha256, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (ss, 3, sha1, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (ss, 4, md5, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (ss, 5, 4096 + i % 100000);
      sqlite3_bind_int64 (ss, 6, when);
      sqlite3_bind_text (ss, 7, detected ? "malicious" : "clean", -1, SQLITE_STATIC);
      sqlite3_bind_int (ss, 8, detected);
      run (db, ss, "sample");

      sqlite3_bind_int (link, 1, case_id);
      sqlite3_bind_int (link, 2, i + 1);
      sqlite3_bind_int64 (link, 3, when);
      run (db, link, "case sample");
      sqlite3_bind_int (sight, 1, case_id);
      sqlite3_bind_int (sight, 2, i + 1);
      sqlite3_bind_text (sight, 3, fname, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (sight, 4, fpath, -1, SQLITE_TRANSIENT);
      sqlite3_bind_blob (sight, 5, fpath, strlen (fpath), SQLITE_TRANSIENT);
      sqlite3_bind_int64 (sight, 6, when);
      run (db, sight, "sighting");
      sqlite3_bind_text (fts, 1, fpath, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (fts, 2, "path", -1, SQLITE_STATIC);
      sqlite3_bind_int (fts, 3, i + 1);
      sqlite3_bind_int (fts, 4, case_id);
      run (db, fts, "index");

      sqlite3_bind_int (res, 1, i + 1);
      sqlite3_bind_text (res, 2, detected ? "detected" : "clean", -1, SQLITE_STATIC);
      if (detected)
        {
          g_autofree char *names = g_strdup_printf ("[\"%s\"]", detection);

          sqlite3_bind_text (res, 3, names, -1, SQLITE_TRANSIENT);
        }
      else
        sqlite3_bind_text (res, 3, "[]", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (res, 4, when);
      run (db, res, "result");
      if (detected)
        {
          sqlite3_bind_int (det, 1, i + 1);
          sqlite3_bind_text (det, 2, detection, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (det, 3, when);
          run (db, det, "detection");
          sqlite3_bind_text (fts, 1, detection, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (fts, 2, "detection", -1, SQLITE_STATIC);
          sqlite3_bind_int (fts, 3, i + 1);
          sqlite3_bind_null (fts, 4);
          run (db, fts, "index");
        }

      sqlite3_bind_int (an, 1, i + 1);
      sqlite3_bind_int (an, 2, i + 1);
      sqlite3_bind_int (an, 3, case_id);
      sqlite3_bind_int64 (an, 4, when);
      sqlite3_bind_int64 (an, 5, when + 1);
      sqlite3_bind_int64 (an, 6, when + 61);
      run (db, an, "analysis");
      for (guint k = 0; k < EVENTS_PER_SAMPLE; k++)
        {
          const char *category, *action;
          g_autofree char *target = NULL, *details = NULL;

          event_for (i, k, &category, &action, &target, &details);
          sqlite3_bind_int (ev, 1, i + 1);
          sqlite3_bind_int (ev, 2, k + 1);
          sqlite3_bind_double (ev, 3, k * 0.5);
          sqlite3_bind_text (ev, 4, category, -1, SQLITE_STATIC);
          sqlite3_bind_text (ev, 5, action, -1, SQLITE_STATIC);
          sqlite3_bind_int (ev, 6, 100 + k);
          sqlite3_bind_text (ev, 7, fname, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (ev, 8, target, -1, SQLITE_TRANSIENT);
          if (details != NULL)
            sqlite3_bind_text (ev, 9, details, -1, SQLITE_TRANSIENT);
          else
            sqlite3_bind_null (ev, 9);
          run (db, ev, "event");
        }
      if (i % 10000 == 9999)
        fprintf (stderr, "  %u samples, %.0f s\n", i + 1, (g_get_monotonic_time () - t0) / 1e6);
    }
  for (sqlite3_stmt **s = (sqlite3_stmt *[]){ cs, ss, link, sight, fts, res, det, an, ev, NULL };
       *s != NULL; s++)
    sqlite3_finalize (*s);
  check (db,
         sqlite3_exec (db, "COMMIT; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
         "commit");
  sqlite3_close (db);
  fprintf (stderr, "generated %u samples in %u cases, %u events in %.1f s\n", n_samples, N_CASES,
           n_samples * EVENTS_PER_SAMPLE, (g_get_monotonic_time () - t0) / 1e6);
}

typedef JsonNode *(*Op) (PetriContext *context, gpointer data);

typedef struct
{
  PetriQueryKind kind;
  const char *arg;
} QueryArgs;

static JsonNode *
op_query (PetriContext *context, gpointer data)
{
  QueryArgs *q = data;
  g_autoptr (GError) error = NULL;
  JsonNode *node = petri_case_store_query_sync (petri_context_get_store (context), q->kind, q->arg,
                                                NULL, &error);

  if (node == NULL)
    g_error ("%s", error->message);
  return node;
}

static JsonNode *
op_export (PetriContext *context, gpointer data)
{
  g_autoptr (GError) error = NULL;

  if (!petri_export_case (context, "Big case", PETRI_EXPORT_JSON, FALSE, data, NULL, &error))
    g_error ("%s", error->message);
  return json_node_new (JSON_NODE_NULL);
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static gboolean
measure (PetriContext *context, const char *label, Op op, gpointer data, double target_ms,
         guint runs, const char *check_what, guint min_results)
{
  double times[16];
  guint results = 0;

  for (guint r = 0; r < runs; r++)
    {
      gint64 t = g_get_monotonic_time ();
      g_autoptr (JsonNode) node = op (context, data);

      times[r] = (g_get_monotonic_time () - t) / 1000.0;
      if (JSON_NODE_HOLDS_ARRAY (node))
        results = json_array_get_length (json_node_get_array (node));
      else if (JSON_NODE_HOLDS_OBJECT (node))
        results = json_array_get_length (
            json_object_get_array_member (json_node_get_object (node), "samples"));
    }
  qsort (times, runs, sizeof (double), compare_double);
  printf ("%-34s %9.2f ms  (min %8.2f)  target %7.0f ms  ratio %5.2f  %s  [%u %s]\n", label,
          times[runs / 2], times[0] > 0 ? times[0] : 0, target_ms, times[runs / 2] / target_ms,
          times[runs / 2] <= target_ms ? "ok" : "SLOW", results, check_what);
  if (results < min_results)
    g_error ("%s: expected at least %u %s, got %u", label, min_results, check_what, results);
  return times[runs / 2] <= target_ms;
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL, *export_path = NULL, *prefix = NULL;
  g_autoptr (PetriContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *marker = NULL;
  gboolean keep = FALSE, ok = TRUE;
  int samples = 100000;
  const GOptionEntry entries[] = {
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the generated data directory", NULL },
    { "samples", 0, 0, G_OPTION_ARG_INT, &samples, "Samples to generate (100000)", "N" },
    { NULL },
  };
  g_autoptr (GOptionContext) octx = g_option_context_new ("[DATA_DIR]");

  g_option_context_add_main_entries (octx, entries, NULL);
  if (!g_option_context_parse (octx, &argc, &argv, &error))
    g_error ("%s", error->message);
  samples = MAX (samples, BIG_CASE_SAMPLES + N_CASES);
  petri_engines_init ();

  if (argc > 1)
    {
      dir = g_canonicalize_filename (argv[1], NULL);
      keep = TRUE;
    }
  else
    dir = g_dir_make_tmp ("petri-bench-history-XXXXXX", NULL);
  marker = g_build_filename (dir, "generated", NULL);
  if (!g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      generate (dir, samples);
      g_file_set_contents (marker, "", 0, NULL);
    }

  context = petri_context_new (dir, NULL, &error);
  if (context == NULL)
    g_error ("%s", error->message);
  export_path = g_build_filename (dir, "big-case.json", NULL);
  prefix = hash_of ("sample", 4242, G_CHECKSUM_SHA256);
  prefix[8] = '\0';

  printf ("petri case history at scale: %d samples, %d cases, %d events\n", samples, N_CASES,
          samples * EVENTS_PER_SAMPLE);
  ok &= measure (context, "list cases", op_query, &(QueryArgs){ PETRI_QUERY_CASES, NULL }, 50, 7,
                 "cases", N_CASES);
  ok &= measure (context, "open a case (~100 samples)", op_query,
                 &(QueryArgs){ PETRI_QUERY_CASE, "Case 0500" }, 100, 7, "samples",
                 (samples - BIG_CASE_SAMPLES) / (N_CASES - 1));
  ok &= measure (context, "open the big case (1,000 samples)", op_query,
                 &(QueryArgs){ PETRI_QUERY_CASE, "Big case" }, 100, 7, "samples", BIG_CASE_SAMPLES);
  ok &= measure (context, "hash-prefix search (8 hex)", op_query,
                 &(QueryArgs){ PETRI_QUERY_SEARCH, prefix }, 10, 9, "hits", 1);
  ok &= measure (context, "full-text search: file name", op_query,
                 &(QueryArgs){ PETRI_QUERY_SEARCH, "invoice_004242" }, 100, 7, "hits", 1);
  ok &= measure (context, "full-text search: domain", op_query,
                 &(QueryArgs){ PETRI_QUERY_SEARCH, "c4242.gate" }, 100, 7, "hits", 1);
  ok &= measure (context, "full-text search: command line", op_query,
                 &(QueryArgs){ PETRI_QUERY_SEARCH, "s4242.exe /install" }, 100, 7, "hits", 1);
  ok &= measure (context, "full-text search: in every sample", op_query,
                 &(QueryArgs){ PETRI_QUERY_SEARCH, "drivers\\etc\\hosts" }, 100, 7, "hits", 1000);
  ok &= measure (context, "full-text search: detection", op_query,
                 &(QueryArgs){ PETRI_QUERY_SEARCH, "Bench-42" }, 100, 7, "hits", 1);
  ok &= measure (context, "export 1,000 samples (json)", op_export, export_path, 5000, 3, "records",
                 0);
  {
    GStatBuf st;

    if (g_stat (export_path, &st) == 0)
      printf ("  export size: %.1f MB\n", st.st_size / 1e6);
  }

  g_clear_object (&context);
  if (!keep)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

      if (system (cmd) != 0)
        g_warning ("could not remove %s", dir);
    }
  else
    printf ("data kept in %s\n", dir);
  return ok ? 0 : 1;
}
