/* test-engines.c: ClamAV and YARA behind one interface, on small fixtures
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "engines-test-util.h"
#include "petri-app.h"

#include <glib/gstdio.h>

#include <clamav.h>

typedef TestFixture Fixture;

static PetriEngineSet *
load_set (const char *signatures, const PetriEngineLimits *limits, GPtrArray **warnings)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) local_warnings = NULL;
  PetriEngineSet *set = petri_engine_set_load (signatures, limits, &local_warnings, &error);

  g_assert_no_error (error);
  g_assert_nonnull (set);
  if (warnings != NULL)
    *warnings = g_steal_pointer (&local_warnings);
  else
    g_assert_cmpuint (local_warnings->len, ==, 0);
  return set;
}

/* A fresh data dir gets the default set, and it finds EICAR with both
 * engines; the result JSON has the shape `petri scan --json` prints. */
static void
test_defaults_detect_eicar (Fixture *f, gconstpointer data)
{
  g_autofree char *defaults = test_default_signatures_dir ();
  g_autofree char *sample = test_write_eicar (f->samples, "eicar.com");
  g_autofree char *clean = test_write_file (f->samples, "hello.txt", "hello, world\n", -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriEngineSet) set = NULL;
  g_autoptr (GHashTable) results = NULL;
  g_autoptr (GHashTable) clean_results = NULL;
  PetriEngineResult *clamav, *yara;
  g_autoptr (JsonNode) json = NULL;
  JsonObject *o, *match, *string;
  JsonArray *matches, *strings;

  g_assert_true (petri_signatures_seed_defaults (f->signatures, defaults, &error));
  g_assert_no_error (error);
  set = load_set (f->signatures, NULL, NULL);
  g_assert_cmpuint (petri_engine_set_get_n_engines (set), ==, 2);
  g_assert_cmpuint (petri_engine_get_signature_count (test_set_engine (set, "clamav")), ==, 2);
  g_assert_cmpuint (petri_engine_get_signature_count (test_set_engine (set, "yara")), ==, 4);

  results = test_scan_file (set, sample);
  clamav = g_hash_table_lookup (results, "clamav");
  yara = g_hash_table_lookup (results, "yara");
  g_assert_cmpint (clamav->kind, ==, PETRI_RESULT_DETECTED);
  g_assert_cmpuint (clamav->names->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (clamav->names, 0), ==, "Petri.Test.EICAR.UNOFFICIAL");
  g_assert_false (clamav->heuristic);
  g_assert_null (clamav->error);
  g_assert_cmpstr (clamav->engine_version, ==, cl_retver ());
  g_assert_cmpint (yara->kind, ==, PETRI_RESULT_DETECTED);
  g_assert_cmpuint (yara->names->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (yara->names, 0), ==, "petri-default:Petri_Test_EICAR");
  g_assert_false (yara->heuristic);

  json = petri_engine_result_to_json (yara);
  o = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (o, "engine"), ==, "yara");
  g_assert_cmpstr (json_object_get_string_member (o, "version"), ==, "4.2.3");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "signatures"),
                                   "4 rules in 1 file, up to "));
  g_assert_cmpstr (json_object_get_string_member (o, "result"), ==, "detected");
  g_assert_false (json_object_get_boolean_member (o, "heuristic"));
  g_assert_true (json_object_get_null_member (o, "error"));
  matches = json_object_get_array_member (o, "matches");
  g_assert_cmpuint (json_array_get_length (matches), ==, 1);
  match = json_array_get_object_element (matches, 0);
  g_assert_cmpstr (json_object_get_string_member (match, "rule"), ==, "Petri_Test_EICAR");
  g_assert_cmpstr (json_object_get_string_member (match, "namespace"), ==, "petri-default");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (match, "tags")), ==, 0);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (match, "meta"), "description"),
      ==, "EICAR anti-virus test file");
  strings = json_object_get_array_member (match, "strings");
  g_assert_cmpuint (json_array_get_length (strings), ==, 1);
  string = json_array_get_object_element (strings, 0);
  g_assert_cmpstr (json_object_get_string_member (string, "identifier"), ==, "$eicar");
  g_assert_cmpint (json_object_get_int_member (string, "offset"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (string, "length"), ==, 68);
  /* 32 bytes shown, backslash escaped, the rest elided. */
  g_assert_cmpstr (json_object_get_string_member (string, "preview"), ==,
                   "X5O!P%@AP[4\\x5cPZX54(P^)7CC)7}$EICA…");

  clean_results = test_scan_file (set, clean);
  g_assert_cmpint (((PetriEngineResult *) g_hash_table_lookup (clean_results, "clamav"))->kind, ==,
                   PETRI_RESULT_CLEAN);
  g_assert_cmpint (((PetriEngineResult *) g_hash_table_lookup (clean_results, "yara"))->kind, ==,
                   PETRI_RESULT_CLEAN);
}

static char *
hex (const char *s)
{
  GString *out = g_string_new (NULL);

  for (const char *p = s; *p != '\0'; p++)
    g_string_append_printf (out, "%02x", (guint8) *p);
  return g_string_free (out, FALSE);
}

static PetriVerdict
verdict_of (GHashTable *results)
{
  g_autoptr (GPtrArray) array = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, results);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (array, value);
  return petri_verdict_from_results (array);
}

/* Hits on generic/suspicious names only: heuristic, verdict "suspicious";
 * one real name besides: "malicious". YARA judges the rule name only. */
static void
test_heuristic_verdict (Fixture *f, gconstpointer data)
{
  g_autofree char *heur_hex = hex ("PETRI-TRAIT-MARKER");
  g_autofree char *mal_hex = hex ("PETRI-FAMILY-MARKER");
  g_autofree char *ndb = g_strdup_printf ("Test.Suspicious.Trait:0:*:%s\n"
                                          "Test.Family.Marker:0:*:%s\n",
                                          heur_hex, mal_hex);
  g_autofree char *ndb_path = test_write_file (f->signatures, "clamav/test.ndb", ndb, -1);
  g_autofree char *yar1
      = test_write_file (f->signatures, "yara/generic_traits.yar",
                         "rule Generic_Trait { strings: $a = \"PETRI-TRAIT-MARKER\""
                         " condition: $a }\n"
                         "rule Family_Marker_Rule { strings: $a = "
                         "\"PETRI-FAMILY-MARKER\" condition: $a }\n",
                         -1);
  g_autofree char *heur = test_write_file (f->samples, "heur.bin", "xx PETRI-TRAIT-MARKER xx", -1);
  g_autofree char *mixed
      = test_write_file (f->samples, "mixed.bin", "PETRI-TRAIT-MARKER PETRI-FAMILY-MARKER", -1);
  g_autofree char *clean = test_write_file (f->samples, "clean.bin", "nothing here", -1);
  g_autoptr (PetriEngineSet) set = load_set (f->signatures, NULL, NULL);
  g_autoptr (GHashTable) r_heur = test_scan_file (set, heur);
  g_autoptr (GHashTable) r_mixed = test_scan_file (set, mixed);
  g_autoptr (GHashTable) r_clean = test_scan_file (set, clean);
  PetriEngineResult *c, *y;

  c = g_hash_table_lookup (r_heur, "clamav");
  y = g_hash_table_lookup (r_heur, "yara");
  g_assert_cmpint (c->kind, ==, PETRI_RESULT_DETECTED);
  g_assert_true (test_result_has_name (c, "Test.Suspicious.Trait.UNOFFICIAL"));
  g_assert_true (c->heuristic);
  g_assert_cmpint (y->kind, ==, PETRI_RESULT_DETECTED);
  g_assert_true (test_result_has_name (y, "generic_traits:Generic_Trait"));
  g_assert_true (y->heuristic);
  g_assert_cmpint (verdict_of (r_heur), ==, PETRI_VERDICT_SUSPICIOUS);

  c = g_hash_table_lookup (r_mixed, "clamav");
  y = g_hash_table_lookup (r_mixed, "yara");
  g_assert_cmpuint (c->names->len, ==, 2);
  g_assert_false (c->heuristic);
  g_assert_cmpuint (y->names->len, ==, 2);
  /* "generic_traits" is the namespace: it does not make the rule generic. */
  g_assert_true (test_result_has_name (y, "generic_traits:Family_Marker_Rule"));
  g_assert_false (y->heuristic);
  g_assert_cmpint (verdict_of (r_mixed), ==, PETRI_VERDICT_MALICIOUS);

  g_assert_cmpint (verdict_of (r_clean), ==, PETRI_VERDICT_CLEAN);
}

/* filename, filepath, extension, filetype come from each sample. */
static void
test_yara_externals (Fixture *f, gconstpointer data)
{
  g_autofree char *yar = test_write_file (
      f->signatures, "yara/ext.yar",
      "rule Ext_Name { condition: filename matches /^invoice/ and extension == \".exe\" }\n"
      "rule Ext_Path { condition: filepath contains \"/inbox/\" }\n"
      "rule Ext_Type { condition: filetype contains \"PE32\" }\n"
      "rule Ext_Owner { condition: owner == \"\" }\n",
      -1);
  g_autofree char *path = test_write_file (f->samples, "x.bin", "MZ", -1);
  g_autoptr (PetriEngineSet) set = load_set (f->signatures, NULL, NULL);
  PetriEngine *yara = test_set_engine (set, "yara");
  g_autoptr (TestSample) sample = test_sample_open (path);
  g_autoptr (PetriEngineResult) plain = NULL;
  g_autoptr (PetriEngineResult) named = NULL;

  plain = petri_engine_scan (yara, &sample->data, NULL);
  g_assert_cmpuint (plain->names->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (plain->names, 0), ==, "ext:Ext_Owner");

  sample->data.file_name = "invoice-2024.exe";
  sample->data.file_path = "/home/analyst/inbox/invoice-2024.exe";
  sample->data.extension = "exe";
  sample->data.description = "PE32 executable (GUI) Intel 80386, for MS Windows";
  named = petri_engine_scan (yara, &sample->data, NULL);
  g_assert_cmpuint (named->names->len, ==, 4);
  g_assert_true (test_result_has_name (named, "ext:Ext_Name"));
  g_assert_true (test_result_has_name (named, "ext:Ext_Path"));
  g_assert_true (test_result_has_name (named, "ext:Ext_Type"));
}

/* Each file its own namespace (rule names may repeat); a file another one
 * includes is compiled through it; a file that does not compile is left out
 * with file:line: message, and the rest load. */
static void
test_yara_namespaces (Fixture *f, gconstpointer data)
{
  g_autofree char *a = test_write_file (
      f->signatures, "yara/a.yar",
      "rule Dup { strings: $ = \"shared-marker\" condition: all of them }\n", -1);
  g_autofree char *b = test_write_file (
      f->signatures, "yara/set/b.yara",
      "rule Dup { strings: $ = \"shared-marker\" condition: all of them }\n", -1);
  g_autofree char *index
      = test_write_file (f->signatures, "yara/index.yar", "include \"./parts/one.yar\"\n", -1);
  g_autofree char *one = test_write_file (
      f->signatures, "yara/parts/one.yar",
      "rule One { strings: $ = \"shared-marker\" condition: all of them }\n", -1);
  g_autofree char *broken = test_write_file (f->signatures, "yara/broken.yar",
                                             "rule Fine { condition: true }\n\n"
                                             "rule Broken { condition: undefined_thing }\n",
                                             -1);
  g_autofree char *sample = test_write_file (f->samples, "s.txt", "a shared-marker b", -1);
  g_autoptr (GPtrArray) warnings = NULL;
  g_autoptr (PetriEngineSet) set = load_set (f->signatures, NULL, &warnings);
  g_autoptr (GHashTable) results = test_scan_file (set, sample);
  PetriEngineResult *y = g_hash_table_lookup (results, "yara");
  g_autofree char *expected_warning = g_strdup_printf ("%s:3: ", broken);

  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (warnings, 0), expected_warning));
  g_assert_nonnull (strstr (g_ptr_array_index (warnings, 0), "undefined_thing"));
  g_assert_cmpuint (petri_engine_get_signature_count (test_set_engine (set, "yara")), ==, 3);
  g_assert_cmpuint (y->names->len, ==, 3);
  g_assert_true (test_result_has_name (y, "a:Dup"));
  g_assert_true (test_result_has_name (y, "set/b:Dup"));
  g_assert_true (test_result_has_name (y, "index:One"));
}

static char *
find_cache_file (const char *cache_dir, const char *suffix)
{
  g_autoptr (GDir) d = g_dir_open (cache_dir, 0, NULL);
  const char *name;
  char *found = NULL;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "yara-") && g_str_has_suffix (name, suffix))
      {
        g_assert_null (found); /* one cache, older ones removed */
        found = g_build_filename (cache_dir, name, NULL);
      }
  return found;
}

/* The second load takes the compiled rules from the cache (proved by
 * planting other rules under the cache's name); a changed rule file is a
 * new key, so it is compiled again. */
static void
test_yara_cache (Fixture *f, gconstpointer data)
{
  g_autofree char *cache_dir = g_build_filename (f->root, "cache", NULL);
  g_autofree char *rules = test_write_file (
      f->signatures, "yara/r.yar",
      "rule Original { strings: $ = \"cache-marker\" condition: all of them }\n", -1);
  g_autofree char *planted_src = test_write_file (
      f->root, "planted.yar",
      "rule Planted { strings: $ = \"cache-marker\" condition: all of them }\n", -1);
  g_autofree char *sample = test_write_file (f->samples, "s.txt", "cache-marker", -1);
  g_autofree char *cached = NULL;
  g_autofree char *cached_after = NULL;
  g_autofree char *out = NULL;
  int status;

  {
    g_autoptr (PetriEngineSet) set = load_set (f->signatures, NULL, NULL);
    g_autoptr (GHashTable) results = test_scan_file (set, sample);
    g_assert_true (test_result_has_name (g_hash_table_lookup (results, "yara"), "r:Original"));
  }
  cached = find_cache_file (cache_dir, ".yarc");
  g_assert_nonnull (cached);

  {
    const char *argv[]
        = { "yarac", "-d",        "filename=", "-d",     "filepath=", "-d",   "extension=",
            "-d",    "filetype=", "-d",        "owner=", planted_src, cached, NULL };
    out = test_run (argv, &status);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  {
    g_autoptr (PetriEngineSet) set = load_set (f->signatures, NULL, NULL);
    g_autoptr (GHashTable) results = test_scan_file (set, sample);
    PetriEngineResult *y = g_hash_table_lookup (results, "yara");

    g_assert_cmpuint (y->names->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (y->names, 0), ==, "default:Planted");
  }

  g_free (test_write_file (
      f->signatures, "yara/r.yar",
      "rule Changed { strings: $ = \"cache-marker\" condition: all of them }\n", -1));
  {
    g_autoptr (PetriEngineSet) set = load_set (f->signatures, NULL, NULL);
    g_autoptr (GHashTable) results = test_scan_file (set, sample);
    PetriEngineResult *y = g_hash_table_lookup (results, "yara");

    g_assert_cmpuint (y->names->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (y->names, 0), ==, "r:Changed");
  }
  cached_after = find_cache_file (cache_dir, ".yarc");
  g_assert_nonnull (cached_after);
  g_assert_cmpstr (cached_after, !=, cached);
  g_assert_false (g_file_test (cached, G_FILE_TEST_EXISTS));
}

/* An empty file, and a sample handed over as a mapping without a
 * descriptor. */
static void
test_empty_and_mapped (Fixture *f, gconstpointer data)
{
  g_autofree char *defaults = test_default_signatures_dir ();
  g_autofree char *empty = test_write_file (f->samples, "empty", "", 0);
  g_autofree char *eicar = test_write_eicar (f->samples, "e.txt");
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriEngineSet) set = NULL;
  g_autoptr (GHashTable) r_empty = NULL;
  g_autoptr (TestSample) sample = NULL;

  g_assert_true (petri_signatures_seed_defaults (f->signatures, defaults, &error));
  set = load_set (f->signatures, NULL, NULL);
  r_empty = test_scan_file (set, empty);
  g_assert_cmpint (((PetriEngineResult *) g_hash_table_lookup (r_empty, "clamav"))->kind, ==,
                   PETRI_RESULT_CLEAN);
  g_assert_cmpint (((PetriEngineResult *) g_hash_table_lookup (r_empty, "yara"))->kind, ==,
                   PETRI_RESULT_CLEAN);

  sample = test_sample_open (eicar);
  sample->data.fd = -1;
  for (guint i = 0; i < petri_engine_set_get_n_engines (set); i++)
    {
      g_autoptr (PetriEngineResult) r
          = petri_engine_scan (petri_engine_set_get_engine (set, i), &sample->data, NULL);
      g_assert_cmpint (r->kind, ==, PETRI_RESULT_DETECTED);
    }
  /* A descriptor without a mapping (the app does not map very large files). */
  sample->data.fd = sample->fd;
  sample->data.data = NULL;
  for (guint i = 0; i < petri_engine_set_get_n_engines (set); i++)
    {
      g_autoptr (PetriEngineResult) r
          = petri_engine_scan (petri_engine_set_get_engine (set, i), &sample->data, NULL);
      g_assert_cmpint (r->kind, ==, PETRI_RESULT_DETECTED);
    }
}

/* Two rule files that include the same file come in together, with it;
 * the included file is part of both, not a set of its own. A staging
 * folder left by a killed import is cleaned up. */
static void
test_import_shared_include (Fixture *f, gconstpointer data)
{
  g_autofree char *in = g_build_filename (f->root, "incoming", NULL);
  g_autofree char *a = test_write_file (in, "a.yar", "include \"./lib/common.yar\"\n", -1);
  g_autofree char *b = test_write_file (
      in, "b.yar", "include \"lib/common.yar\"\nrule B { condition: false }\n", -1);
  g_autofree char *common = test_write_file (
      in, "lib/common.yar",
      "rule Common { strings: $ = \"common-marker\" condition: all of them }\n", -1);
  g_autofree char *stale = test_write_file (f->signatures, ".import-AbCdEf/yara/x.yar", "junk", -1);
  g_autofree char *stale_dir = g_build_filename (f->signatures, ".import-AbCdEf", NULL);
  g_autofree char *sample = test_write_file (f->samples, "s.txt", "common-marker", -1);
  g_autofree char *stored = g_build_filename (f->signatures, "yara", "lib", "common.yar", NULL);
  const char *paths[] = { a, b, NULL };
  g_autoptr (GPtrArray) imported = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriEngineSet) set = NULL;
  g_autoptr (GHashTable) results = NULL;
  g_autoptr (JsonNode) list = NULL;
  PetriEngineResult *y;

  g_assert_true (petri_signatures_import (f->signatures, paths, &imported, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imported->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (imported, 0), ==, "yara: a.yar (1 rule)");
  g_assert_cmpstr (g_ptr_array_index (imported, 1), ==, "yara: b.yar (2 rules)");
  g_assert_true (g_file_test (stored, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (stale_dir, G_FILE_TEST_EXISTS));

  set = load_set (f->signatures, NULL, NULL);
  results = test_scan_file (set, sample);
  y = g_hash_table_lookup (results, "yara");
  g_assert_cmpuint (y->names->len, ==, 2);
  g_assert_true (test_result_has_name (y, "a:Common"));
  g_assert_true (test_result_has_name (y, "b:Common"));

  list = petri_signatures_list (f->signatures, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 2);
}

/* A cancelled scan is an error result, never a verdict. */
static void
test_cancelled (Fixture *f, gconstpointer data)
{
  g_autofree char *defaults = test_default_signatures_dir ();
  g_autofree char *eicar = test_write_eicar (f->samples, "e.txt");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriEngineSet) set = NULL;
  g_autoptr (TestSample) sample = test_sample_open (eicar);

  g_assert_true (petri_signatures_seed_defaults (f->signatures, defaults, &error));
  set = load_set (f->signatures, NULL, NULL);
  g_cancellable_cancel (cancellable);
  for (guint i = 0; i < petri_engine_set_get_n_engines (set); i++)
    {
      g_autoptr (PetriEngineResult) r
          = petri_engine_scan (petri_engine_set_get_engine (set, i), &sample->data, cancellable);
      g_assert_cmpint (r->kind, ==, PETRI_RESULT_ERROR);
      g_assert_nonnull (r->error);
    }
}

/* No signatures at all: no engines, and no error. */
static void
test_empty_store (Fixture *f, gconstpointer data)
{
  g_autoptr (PetriEngineSet) set = load_set (f->signatures, NULL, NULL);

  g_assert_cmpuint (petri_engine_set_get_n_engines (set), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  petri_engines_init ();

#define ADD(path, fn)                                                                              \
  g_test_add (path, Fixture, NULL, test_fixture_set_up, fn, test_fixture_tear_down)
  ADD ("/engines/defaults-detect-eicar", test_defaults_detect_eicar);
  ADD ("/engines/heuristic-verdict", test_heuristic_verdict);
  ADD ("/engines/yara/externals", test_yara_externals);
  ADD ("/engines/yara/namespaces", test_yara_namespaces);
  ADD ("/engines/yara/cache", test_yara_cache);
  ADD ("/engines/empty-and-mapped", test_empty_and_mapped);
  ADD ("/engines/empty-store", test_empty_store);
  ADD ("/engines/cancelled", test_cancelled);
  ADD ("/engines/signatures/import-shared-include", test_import_shared_include);
#undef ADD
  return g_test_run ();
}
