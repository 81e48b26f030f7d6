/* test-bad-input.c: corrupt signatures, slow rules, archive bombs, reloads
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "engines-test-util.h"

#include <glib/gstdio.h>

typedef TestFixture Fixture;

static void
seed_defaults (Fixture *f)
{
  g_autofree char *defaults = test_default_signatures_dir ();
  g_autoptr (GError) error = NULL;

  g_assert_true (petri_signatures_seed_defaults (f->signatures, defaults, &error));
  g_assert_no_error (error);
}

/* Every file under @dir with a hash of its contents: "rel sha256\n"… */
static char *
snapshot (const char *dir)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, test_compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      const char *n = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (dir, n, NULL);

      if (g_str_equal (n, ".lock"))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_autofree char *sub = snapshot (path);
          g_string_append_printf (out, "%s/ {\n%s}\n", n, sub);
        }
      else
        {
          g_autofree char *contents = NULL;
          gsize len;
          g_autofree char *sum = NULL;

          g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
          sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) contents, len);
          g_string_append_printf (out, "%s %s\n", n, sum);
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
python (const char *script, const char *arg1, const char *arg2)
{
  const char *argv[] = { "python3", "-c", script, arg1, arg2, NULL };
  int status;
  char *out = test_run (argv, &status);

  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

/* A .cvd whose body is intact (right MD5) but whose digital signature is
 * not Cisco's. */
static char *
write_forged_cvd (const char *dir)
{
  static const char script[]
      = "import hashlib, io, sys, tarfile\n"
        "buf = io.BytesIO()\n"
        "with tarfile.open(fileobj=buf, mode='w:gz') as t:\n"
        "    for name, data in (('forged.ndb', b'Forged.Sig:0:*:414243444546474849\\n'),\n"
        "                       ('forged.info', b'forged.ndb:0:0\\n')):\n"
        "        ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))\n"
        "body = buf.getvalue()\n"
        "hdr = 'ClamAV-VDB:01 Jan 2024 00-00 +0000:99:1:90:%s:%s:petri:1704067200' % (\n"
        "    hashlib.md5(body).hexdigest(), 'Q' * 86)\n"
        "open(sys.argv[1], 'wb').write(hdr.encode().ljust(512, b' ') + body)\n";
  char *path = g_build_filename (dir, "forged.cvd", NULL);
  g_autofree char *out = python (script, path, "");

  return path;
}

/* A store with broken files: each is left out with its name and reason,
 * the good ones load. */
static void
test_clamav_store_corrupt (Fixture *f, gconstpointer data)
{
  g_autofree char *bench = test_shared_bench_dir ();
  g_autofree char *hdb = g_build_filename (bench, "sigs", "clamav", "rfxn.hdb", NULL);
  g_autofree char *hdb_text = NULL;
  g_autofree char *clamav_dir = g_build_filename (f->signatures, "clamav", NULL);
  g_autofree char *good
      = test_write_file (clamav_dir, "good.ndb", "Good.Marker:0:*:474f4f442d4d41524b4552\n", -1);
  g_autofree char *truncated = NULL;
  g_autofree char *garbage = test_write_file (clamav_dir, "garbage.cvd", "not a cvd at all", -1);
  g_autofree char *empty = test_write_file (clamav_dir, "empty.ndb", "", 0);
  g_autofree char *forged = write_forged_cvd (clamav_dir);
  g_autofree char *sample = test_write_file (f->samples, "s.bin", "xx GOOD-MARKER xx", -1);
  g_autoptr (GPtrArray) warnings = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriEngineSet) set = NULL;
  g_autoptr (GHashTable) results = NULL;
  PetriEngineResult *r;
  gsize len;

  /* rfxn.hdb cut in the middle of a line. */
  g_assert_true (g_file_get_contents (hdb, &hdb_text, &len, NULL));
  truncated = test_write_file (clamav_dir, "truncated.hdb", hdb_text, 3000);

  set = petri_engine_set_load (f->signatures, NULL, &warnings, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < warnings->len; i++)
    g_test_message ("warning: %s", (const char *) g_ptr_array_index (warnings, i));
  g_assert_cmpuint (warnings->len, ==, 4);
  {
    const char *expect[][2] = { { garbage, "Broken or not a CVD file" },
                                { empty, "Empty database file" },
                                { forged, "Can't verify database integrity" },
                                { truncated, "line 45" } };

    for (guint e = 0; e < G_N_ELEMENTS (expect); e++)
      {
        gboolean found = FALSE;

        for (guint i = 0; i < warnings->len; i++)
          {
            const char *w = g_ptr_array_index (warnings, i);
            if (strstr (w, expect[e][0]) != NULL && strstr (w, expect[e][1]) != NULL)
              found = TRUE;
          }
        if (!found)
          g_error ("no warning names %s with “%s”", expect[e][0], expect[e][1]);
      }
  }
  g_assert_cmpuint (petri_engine_get_signature_count (test_set_engine (set, "clamav")), ==, 1);
  results = test_scan_file (set, sample);
  r = g_hash_table_lookup (results, "clamav");
  g_assert_cmpint (r->kind, ==, PETRI_RESULT_DETECTED);
  g_assert_true (test_result_has_name (r, "Good.Marker.UNOFFICIAL"));
}

static void
assert_import_refused (Fixture *f, const char *const *paths, const char *names_file,
                       const char *reason)
{
  g_autofree char *before = snapshot (f->signatures);
  g_autofree char *stamp_path = petri_signatures_stamp_path (f->signatures);
  g_autofree char *stamp_before = NULL;
  g_autofree char *stamp_after = NULL;
  g_autofree char *after = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) imported = NULL;

  g_file_get_contents (stamp_path, &stamp_before, NULL, NULL);
  g_assert_false (petri_signatures_import (f->signatures, paths, &imported, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  g_assert_null (imported);
  g_assert_nonnull (strstr (error->message, names_file));
  g_assert_nonnull (strstr (error->message, reason));
  /* Nothing changed, and no staging folder is left behind. */
  after = snapshot (f->signatures);
  g_assert_cmpstr (after, ==, before);
  /* Running processes are not told to reload. */
  g_file_get_contents (stamp_path, &stamp_after, NULL, NULL);
  g_assert_cmpstr (stamp_after, ==, stamp_before);
}

/* Imports that fail change nothing, even when good files come first. */
static void
test_import_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *bench = test_shared_bench_dir ();
  g_autofree char *hdb = g_build_filename (bench, "sigs", "clamav", "rfxn.hdb", NULL);
  g_autofree char *hdb_text = NULL;
  g_autofree char *in = g_build_filename (f->root, "incoming", NULL);
  g_autofree char *good_ndb
      = test_write_file (in, "new.ndb", "New.Sig:0:*:4e45572d5349472d31\n", -1);
  g_autofree char *good_yar
      = test_write_file (in, "new.yar", "rule New { condition: false }\n", -1);
  g_autofree char *truncated = NULL;
  g_autofree char *garbage = test_write_file (in, "garbage.cld", "\x1f\x8b garbage", -1);
  g_autofree char *forged = write_forged_cvd (in);
  g_autofree char *bad_ndb
      = test_write_file (in, "bad.ndb", "Ok.Sig:0:*:414243\nBad.Sig:0:*:4142ZZ\n", -1);
  g_autofree char *bad_yar
      = test_write_file (in, "bad.yar",
                         "rule A { condition: true }\n"
                         "rule B {\n  strings: $a = \"x\"\n  condition: $b\n}\n",
                         -1);
  g_autofree char *folder_bad
      = test_write_file (in, "set/sub/deep.yar", "rule Deep { condition: nonsense( }\n", -1);
  g_autofree char *folder_good
      = test_write_file (in, "set/fine.yar", "rule Fine { condition: true }\n", -1);
  g_autofree char *folder = g_build_filename (in, "set", NULL);
  g_autofree char *notes = test_write_file (in, "notes.txt", "hello", -1);
  g_autofree char *escape_inc
      = test_write_file (in, "sub2/escape.yar", "include \"../new.yar\"\n", -1);
  gsize len;

  seed_defaults (f);
  g_assert_true (g_file_get_contents (hdb, &hdb_text, &len, NULL));
  truncated = test_write_file (in, "truncated.hdb", hdb_text, 3000);

  {
    const char *paths[] = { good_ndb, good_yar, truncated, NULL };
    assert_import_refused (f, paths, truncated, "line 45");
  }
  {
    const char *paths[] = { good_ndb, garbage, NULL };
    assert_import_refused (f, paths, garbage, "CVD");
  }
  {
    const char *paths[] = { forged, NULL };
    assert_import_refused (f, paths, forged, "Can't verify database integrity");
  }
  {
    const char *paths[] = { bad_ndb, NULL };
    assert_import_refused (f, paths, bad_ndb, "line 2");
  }
  {
    g_autofree char *where = g_strdup_printf ("%s:5: ", bad_yar);
    const char *paths[] = { good_ndb, good_yar, bad_yar, NULL };
    assert_import_refused (f, paths, where, "$b");
  }
  {
    /* Inside a folder: the message names the file as the user has it. */
    g_autofree char *where = g_strdup_printf ("%s:1: ", folder_bad);
    const char *paths[] = { folder, NULL };
    assert_import_refused (f, paths, where, "undefined identifier");
  }
  {
    const char *paths[] = { good_ndb, notes, NULL };
    assert_import_refused (f, paths, notes, "not a ClamAV database");
  }
  {
    const char *paths[] = { escape_inc, NULL };
    assert_import_refused (f, paths, escape_inc, "outside its folder");
  }
  {
    g_autofree char *missing = g_build_filename (in, "missing.ndb", NULL);
    const char *paths[] = { good_ndb, missing, NULL };
    assert_import_refused (f, paths, missing, "No such file");
  }

  /* And the same good files alone go in. */
  {
    const char *paths[] = { good_ndb, good_yar, folder_good, NULL };
    g_autoptr (GPtrArray) imported = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *stored = g_build_filename (f->signatures, "clamav", "new.ndb", NULL);

    g_autofree char *stamp_path = petri_signatures_stamp_path (f->signatures);
    g_autofree char *stamp_before = NULL;
    g_autofree char *stamp_after = NULL;

    g_assert_true (g_file_get_contents (stamp_path, &stamp_before, NULL, NULL));
    g_usleep (2000);
    g_assert_true (petri_signatures_import (f->signatures, paths, &imported, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (stamp_path, &stamp_after, NULL, NULL));
    g_assert_cmpstr (stamp_after, !=, stamp_before);
    g_assert_cmpuint (imported->len, ==, 3);
    g_assert_cmpstr (g_ptr_array_index (imported, 0), ==, "clamav: new.ndb (1 signature)");
    g_assert_cmpstr (g_ptr_array_index (imported, 1), ==, "yara: new.yar (1 rule)");
    g_assert_true (g_file_test (stored, G_FILE_TEST_IS_REGULAR));
  }
}

/* A rule that cannot finish within the timeout: a result of kind error
 * naming the timeout, and the engine goes on with the next file. */
static void
test_yara_timeout (Fixture *f, gconstpointer data)
{
  g_autofree char *yar = test_write_file (
      f->signatures, "yara/slow.yar",
      "rule Quick { strings: $q = \"QQQQ\" condition: $q }\n"
      "rule Pathological {\n"
      "  strings: $a = \"AAAA\"\n"
      "  condition: for all i in (1..#a) : ( for all j in (1..#a) : ( @a[i] + @a[j] >= 0 ) )\n"
      "}\n",
      -1);
  g_autofree char *big = g_strnfill (400000, 'A');
  g_autofree char *slow_sample = test_write_file (f->samples, "slow.bin", big, -1);
  g_autofree char *quick_sample = test_write_file (f->samples, "quick.bin", "QQQQ", -1);
  PetriEngineLimits limits = { .yara_timeout_s = 1 };
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriEngineSet) set = petri_engine_set_load (f->signatures, &limits, NULL, &error);
  PetriEngine *yara = test_set_engine (set, "yara");
  g_autoptr (TestSample) slow = test_sample_open (slow_sample);
  g_autoptr (TestSample) quick = test_sample_open (quick_sample);
  g_autoptr (PetriEngineResult) r_slow = NULL;
  g_autoptr (PetriEngineResult) r_quick = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_no_error (error);
  r_slow = petri_engine_scan (yara, &slow->data, NULL);
  g_test_message ("slow scan: %.1f s: %s", (g_get_monotonic_time () - start) / 1e6, r_slow->error);
  g_assert_cmpint (r_slow->kind, ==, PETRI_RESULT_ERROR);
  g_assert_nonnull (strstr (r_slow->error, "timeout"));
  g_assert_nonnull (strstr (r_slow->error, "slow.bin"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);

  r_quick = petri_engine_scan (yara, &quick->data, NULL);
  g_assert_cmpint (r_quick->kind, ==, PETRI_RESULT_DETECTED);
  g_assert_true (test_result_has_name (r_quick, "slow:Quick"));
}

static gint64
peak_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *p;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  p = strstr (status, "VmHWM:");
  g_assert_nonnull (p);
  return g_ascii_strtoll (p + strlen ("VmHWM:"), NULL, 10);
}

static gboolean
details_has_limit (PetriEngineResult *r, const char *limit)
{
  JsonArray *limits;

  if (r->details == NULL || !json_object_has_member (json_node_get_object (r->details), "limits"))
    return FALSE;
  limits = json_object_get_array_member (json_node_get_object (r->details), "limits");
  for (guint i = 0; i < json_array_get_length (limits); i++)
    if (g_str_equal (json_array_get_string_element (limits, i), limit))
      return TRUE;
  return FALSE;
}

/* Archive bombs: every limit hit is on the result (details "limits" and a
 * warning), not a silent skip; memory stays bounded. */
static void
test_archive_bombs (Fixture *f, gconstpointer data)
{
  static const char script[]
      = "import io, sys, zipfile\n"
        "out, eicar_path = sys.argv[1], sys.argv[2]\n"
        "eicar = open(eicar_path, 'rb').read()\n"
        "def z(members):\n"
        "    b = io.BytesIO()\n"
        "    with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as zf:\n"
        "        for n, d in members: zf.writestr(n, d)\n"
        "    return b.getvalue()\n"
        "# EICAR under 12 levels of zip\n"
        "data = eicar\n"
        "for level in range(12):\n"
        "    data = z([('level%d.bin' % level if level == 0 else 'level%d.zip' % level, data)])\n"
        "open(out + '/nested.zip', 'wb').write(data)\n"
        "# one 600 MB member of zeros (about 600 KB compressed)\n"
        "block = bytes(1 << 20)\n"
        "with zipfile.ZipFile(out + '/ratio.zip', 'w', zipfile.ZIP_DEFLATED) as zf:\n"
        "    with zf.open('zeros.bin', 'w') as m:\n"
        "        for i in range(600): m.write(block)\n"
        "import gzip\n"
        "with gzip.open(out + '/zeros.gz', 'wb', compresslevel=1) as g:\n"
        "    for i in range(300): g.write(block)\n"
        "# 300 small members\n"
        "open(out + '/many.zip', 'wb').write(z([('f%03d.txt' % i, b'x' * 100) for i in "
        "range(300)]))\n";
  g_autofree char *eicar = test_write_eicar (f->root, "eicar.bin");
  g_autofree char *out = NULL;
  g_autofree char *nested = g_build_filename (f->samples, "nested.zip", NULL);
  g_autofree char *ratio = g_build_filename (f->samples, "ratio.zip", NULL);
  g_autofree char *many = g_build_filename (f->samples, "many.zip", NULL);
  g_autofree char *gz = g_build_filename (f->samples, "zeros.gz", NULL);
  PetriEngineLimits limits = { .max_recursion = 5, .max_files = 100 };
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriEngineSet) set = NULL;
  PetriEngine *clamav;
  gint64 rss_before, rss_after;

  seed_defaults (f);
  out = python (script, f->samples, eicar);
  set = petri_engine_set_load (f->signatures, &limits, NULL, &error);
  g_assert_no_error (error);
  clamav = test_set_engine (set, "clamav");
  rss_before = peak_rss_kib ();

  {
    g_autoptr (TestSample) s = test_sample_open (nested);
    g_autoptr (PetriEngineResult) r = petri_engine_scan (clamav, &s->data, NULL);

    g_test_message ("nested: %s", r->error);
    g_assert_cmpint (r->kind, ==, PETRI_RESULT_CLEAN);
    g_assert_true (details_has_limit (r, "MaxRecursion"));
    g_assert_nonnull (r->error);
    g_assert_nonnull (strstr (r->error, "nested.zip"));
  }
  {
    g_autoptr (TestSample) s = test_sample_open (ratio);
    g_autoptr (PetriEngineResult) r = petri_engine_scan (clamav, &s->data, NULL);

    g_test_message ("ratio: %s", r->error);
    g_assert_cmpint (r->kind, ==, PETRI_RESULT_CLEAN);
    g_assert_true (details_has_limit (r, "MaxFileSize"));
    g_assert_nonnull (r->error);
  }
  {
    g_autoptr (TestSample) s = test_sample_open (gz);
    g_autoptr (PetriEngineResult) r = petri_engine_scan (clamav, &s->data, NULL);

    g_test_message ("gzip: %s", r->error);
    g_assert_cmpint (r->kind, ==, PETRI_RESULT_CLEAN);
    g_assert_true (details_has_limit (r, "MaxFileSize"));
    g_assert_cmpuint (r->names->len, ==, 0);
  }
  {
    g_autoptr (TestSample) s = test_sample_open (many);
    g_autoptr (PetriEngineResult) r = petri_engine_scan (clamav, &s->data, NULL);

    g_test_message ("many: %s", r->error);
    g_assert_true (details_has_limit (r, "MaxFiles"));
    g_assert_nonnull (r->error);
  }
  rss_after = peak_rss_kib ();
  g_test_message ("peak RSS %" G_GINT64_FORMAT " KiB before, %" G_GINT64_FORMAT " KiB after",
                  rss_before, rss_after);
  /* The ratio bomb expands to 600 MB; the engine never holds it. */
  g_assert_cmpint (rss_after - rss_before, <, 150 * 1024);

  /* With the default limits the nested EICAR is found. */
  {
    g_autoptr (PetriEngineSet) defaults = petri_engine_set_load (f->signatures, NULL, NULL, &error);
    g_autoptr (TestSample) s = test_sample_open (nested);
    g_autoptr (PetriEngineResult) r = NULL;

    g_assert_no_error (error);
    r = petri_engine_scan (test_set_engine (defaults, "clamav"), &s->data, NULL);
    g_assert_cmpint (r->kind, ==, PETRI_RESULT_DETECTED);
    g_assert_true (test_result_has_name (r, "Petri.Test.EICAR.UNOFFICIAL"));
    g_assert_null (r->error);
  }
}

/* ---------------------------------------------------------------------- */
/* Importing and swapping in new engines while workers scan                  */

typedef struct
{
  GMutex lock;
  PetriEngineSet *current;
  gint stop;
  gint started;
  gint finished;
  gint errors;
  gint missed;
  char *eicar;
  char *marker;
} Shared;

static gpointer
worker (gpointer data)
{
  Shared *s = data;
  g_autoptr (TestSample) eicar = test_sample_open (s->eicar);
  g_autoptr (TestSample) marker = test_sample_open (s->marker);

  while (!g_atomic_int_get (&s->stop))
    {
      g_autoptr (PetriEngineSet) set = NULL;

      g_mutex_lock (&s->lock);
      set = petri_engine_set_ref (s->current);
      g_mutex_unlock (&s->lock);

      for (guint i = 0; i < petri_engine_set_get_n_engines (set); i++)
        {
          PetriEngine *engine = petri_engine_set_get_engine (set, i);
          g_autoptr (PetriEngineResult) r1 = NULL;
          g_autoptr (PetriEngineResult) r2 = NULL;

          g_atomic_int_add (&s->started, 2);
          r1 = petri_engine_scan (engine, &eicar->data, NULL);
          r2 = petri_engine_scan (engine, &marker->data, NULL);
          g_atomic_int_add (&s->finished, 2);
          if (r1->kind == PETRI_RESULT_ERROR || r2->kind == PETRI_RESULT_ERROR)
            g_atomic_int_inc (&s->errors);
          if (r1->kind != PETRI_RESULT_DETECTED)
            g_atomic_int_inc (&s->missed);
        }
    }
  return NULL;
}

static void
weak_notify_cb (gpointer data, GObject *where_the_object_was)
{
  g_atomic_int_inc ((gint *) data);
}

static void
test_reload_while_scanning (Fixture *f, gconstpointer data)
{
  Shared s = { 0 };
  GThread *threads[4];
  g_autoptr (GError) error = NULL;
  g_autofree char *in = g_build_filename (f->root, "incoming", NULL);

  seed_defaults (f);
  g_mutex_init (&s.lock);
  s.eicar = test_write_eicar (f->samples, "eicar.com");
  s.marker = test_write_file (f->samples, "marker.txt", "reload-marker-3", -1);
  s.current = petri_engine_set_load (f->signatures, NULL, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("scan", worker, &s);

  for (guint round = 1; round <= 3; round++)
    {
      g_autofree char *name = g_strdup_printf ("reload%u.yar", round);
      g_autofree char *rule = g_strdup_printf ("rule Reload_%u { strings: $ = \"reload-marker-%u\""
                                               " condition: all of them }\n",
                                               round, round);
      g_autofree char *path = test_write_file (in, name, rule, -1);
      const char *paths[] = { path, NULL };
      g_autoptr (PetriEngineSet) in_flight = NULL;
      PetriEngineSet *fresh, *old;
      gint finalized = 0;
      guint n_engines;

      /* Let the workers run on the current set for a while. */
      g_usleep (150 * 1000);
      g_assert_true (petri_signatures_import (f->signatures, paths, NULL, NULL, &error));
      g_assert_no_error (error);
      fresh = petri_engine_set_load (f->signatures, NULL, NULL, &error);
      g_assert_no_error (error);

      g_mutex_lock (&s.lock);
      old = s.current;
      s.current = fresh;
      /* A scan still "in flight" on the old set. */
      in_flight = petri_engine_set_ref (old);
      g_mutex_unlock (&s.lock);
      n_engines = petri_engine_set_get_n_engines (old);
      for (guint i = 0; i < n_engines; i++)
        g_object_weak_ref (G_OBJECT (petri_engine_set_get_engine (old, i)), weak_notify_cb,
                           &finalized);
      petri_engine_set_unref (old);

      /* The old engines live as long as a scan holds them … */
      g_usleep (100 * 1000);
      g_assert_cmpint (g_atomic_int_get (&finalized), ==, 0);
      {
        g_autoptr (TestSample) e = test_sample_open (s.eicar);
        for (guint i = 0; i < n_engines; i++)
          {
            g_autoptr (PetriEngineResult) r
                = petri_engine_scan (petri_engine_set_get_engine (in_flight, i), &e->data, NULL);
            g_assert_cmpint (r->kind, ==, PETRI_RESULT_DETECTED);
          }
      }
      /* … and are freed once the last one is done. */
      g_clear_pointer (&in_flight, petri_engine_set_unref);
      for (guint wait = 0; wait < 500 && g_atomic_int_get (&finalized) < (gint) n_engines; wait++)
        g_usleep (10 * 1000);
      g_assert_cmpint (g_atomic_int_get (&finalized), ==, n_engines);
    }

  g_usleep (150 * 1000);
  g_atomic_int_set (&s.stop, 1);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_test_message ("%d scans started, %d finished, %d errors, %d missed", s.started, s.finished,
                  s.errors, s.missed);
  g_assert_cmpint (s.started, >, 50);
  g_assert_cmpint (s.finished, ==, s.started);
  g_assert_cmpint (s.errors, ==, 0);
  g_assert_cmpint (s.missed, ==, 0);

  /* The set in force has the last import. */
  {
    g_autoptr (GHashTable) results = test_scan_file (s.current, s.marker);
    g_assert_true (
        test_result_has_name (g_hash_table_lookup (results, "yara"), "reload3:Reload_3"));
  }
  petri_engine_set_unref (s.current);
  g_mutex_clear (&s.lock);
  g_free (s.eicar);
  g_free (s.marker);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  petri_engines_init ();

#define ADD(path, fn)                                                                              \
  g_test_add (path, Fixture, NULL, test_fixture_set_up, fn, test_fixture_tear_down)
  ADD ("/engines/bad-input/clamav-store-corrupt", test_clamav_store_corrupt);
  ADD ("/engines/bad-input/import-refused", test_import_refused);
  ADD ("/engines/bad-input/yara-timeout", test_yara_timeout);
  ADD ("/engines/bad-input/archive-bombs", test_archive_bombs);
  ADD ("/engines/bad-input/reload-while-scanning", test_reload_while_scanning);
#undef ADD
  return g_test_run ();
}
