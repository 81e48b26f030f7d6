/* test-util.c: display names, verdicts
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-app.h"

#include <fuzzy.h>

static void
test_display_roundtrip (void)
{
  const char *cases[] = {
    "plain.txt",   "ümlaut-日本.exe",  "bad-\xff\xfe-bytes",
    "back\\slash", "looks-like-\\x41", "\xc3", /* a truncated UTF-8 sequence */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *display = petri_display_name (cases[i]);
      g_autofree char *back = NULL;
      gsize len = 0;

      g_assert_true (g_utf8_validate (display, -1, NULL));
      back = petri_display_name_unescape (display, &len);
      g_assert_cmpuint (len, ==, strlen (cases[i]));
      g_assert_cmpmem (back, len, cases[i], strlen (cases[i]));
    }
  {
    g_autofree char *d = petri_display_name ("a\xff");
    g_assert_cmpstr (d, ==, "a\\xff");
  }
  {
    g_autofree char *d = petri_display_name ("C:\\Windows");
    g_assert_cmpstr (d, ==, "C:\\Windows"); /* no escape needed */
  }
}

static PetriEngineResult *
result (PetriResultKind kind, gboolean heuristic)
{
  PetriEngineResult *r = petri_engine_result_new ("e", "1", "s");
  r->kind = kind;
  r->heuristic = heuristic;
  if (kind == PETRI_RESULT_DETECTED)
    g_ptr_array_add (r->names, g_strdup ("X"));
  return r;
}

static void
test_verdicts (void)
{
  g_autoptr (GPtrArray) rs
      = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_engine_result_unref);

  g_assert_cmpint (petri_verdict_from_results (rs), ==, PETRI_VERDICT_PENDING);
  g_ptr_array_add (rs, result (PETRI_RESULT_CLEAN, FALSE));
  g_assert_cmpint (petri_verdict_from_results (rs), ==, PETRI_VERDICT_CLEAN);
  g_ptr_array_add (rs, result (PETRI_RESULT_ERROR, FALSE));
  g_assert_cmpint (petri_verdict_from_results (rs), ==, PETRI_VERDICT_ERROR);
  g_ptr_array_add (rs, result (PETRI_RESULT_DETECTED, TRUE));
  g_assert_cmpint (petri_verdict_from_results (rs), ==, PETRI_VERDICT_SUSPICIOUS);
  g_ptr_array_add (rs, result (PETRI_RESULT_DETECTED, FALSE));
  g_assert_cmpint (petri_verdict_from_results (rs), ==, PETRI_VERDICT_MALICIOUS);
}

static void
test_heuristic_names (void)
{
  g_assert_true (petri_name_is_heuristic ("Heuristics.Encrypted.PDF"));
  g_assert_true (petri_name_is_heuristic ("Win.Trojan.Generic-12345"));
  g_assert_true (petri_name_is_heuristic ("SUSPICIOUS_Packer"));
  g_assert_true (petri_name_is_heuristic ("PUA.Win.Tool.Agent"));
  g_assert_true (petri_name_is_heuristic ("HEUR:Trojan.Win32"));
  g_assert_false (petri_name_is_heuristic ("Win.Test.EICAR_HDB-1"));
  g_assert_false (petri_name_is_heuristic ("Eicar-Signature"));
}

static void
test_hashes (void)
{
  g_autoptr (PetriHasher) h = petri_hasher_new ();
  g_autoptr (PetriHasher) big = petri_hasher_new ();
  g_autofree guint8 *data = g_malloc (3 * 1024 * 1024 + 7);
  g_autofree char *sha256 = NULL, *sha1 = NULL, *md5 = NULL;
  gsize len = 3 * 1024 * 1024 + 7;

  petri_hasher_update (h, (const guint8 *) "abc", 3);
  petri_hasher_finish (h);
  g_assert_cmpstr (petri_hasher_get_md5 (h), ==, "900150983cd24fb0d6963f7d28e17f72");
  g_assert_cmpstr (petri_hasher_get_sha1 (h), ==, "a9993e364706816aba3e25717850c26c9cd0d89d");
  g_assert_cmpstr (petri_hasher_get_sha256 (h), ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_cmpuint (petri_hasher_get_size (h), ==, 3);

  /* Fed in uneven pieces, a large buffer hashes as GLib hashes it whole. */
  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 2654435761u >> 13);
  petri_hasher_set_size (big, len);
  for (gsize off = 0; off < len;)
    {
      gsize n = MIN (len - off, 1 + (off % 700001));
      petri_hasher_update (big, data + off, n);
      off += n;
    }
  petri_hasher_finish (big);
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
  sha1 = g_compute_checksum_for_data (G_CHECKSUM_SHA1, data, len);
  md5 = g_compute_checksum_for_data (G_CHECKSUM_MD5, data, len);
  g_assert_cmpstr (petri_hasher_get_sha256 (big), ==, sha256);
  g_assert_cmpstr (petri_hasher_get_sha1 (big), ==, sha1);
  g_assert_cmpstr (petri_hasher_get_md5 (big), ==, md5);
  g_assert_cmpuint (petri_hasher_get_size (big), ==, len);

  /* Fed more than announced (a file that grew): no ssdeep, no crash. */
  {
    g_autoptr (PetriHasher) grew = petri_hasher_new ();
    petri_hasher_set_size (grew, 10);
    petri_hasher_update (grew, data, 100000);
    petri_hasher_finish (grew);
    g_assert_cmpstr (petri_hasher_get_ssdeep (grew), ==, "");
    g_assert_cmpuint (petri_hasher_get_size (grew), ==, 100000);
  }
  {
    char whole[FUZZY_MAX_RESULT];
    g_assert_cmpint (fuzzy_hash_buf (data, len, whole), ==, 0);
    g_assert_cmpstr (petri_hasher_get_ssdeep (big), ==, whole);
  }
}

static void
test_data_dir (void)
{
  g_autofree char *explicit = petri_data_dir_resolve ("/tmp/x/../y");
  g_assert_cmpstr (explicit, ==, "/tmp/y");
  g_setenv ("PETRI_DATA_DIR", "/tmp/from-env", TRUE);
  {
    g_autofree char *env = petri_data_dir_resolve (NULL);
    g_assert_cmpstr (env, ==, "/tmp/from-env");
  }
  g_unsetenv ("PETRI_DATA_DIR");
  {
    g_autofree char *xdg = petri_data_dir_resolve (NULL);
    g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "petri", NULL);
    g_assert_cmpstr (xdg, ==, expected);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/util/display-roundtrip", test_display_roundtrip);
  g_test_add_func ("/util/verdicts", test_verdicts);
  g_test_add_func ("/util/heuristic-names", test_heuristic_names);
  g_test_add_func ("/util/data-dir", test_data_dir);
  g_test_add_func ("/util/hashes", test_hashes);
  return g_test_run ();
}
