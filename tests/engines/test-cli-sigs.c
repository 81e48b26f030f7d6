/* test-cli-sigs.c: `petri sigs import` and `petri sigs list`
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "engines-test-util.h"

static const char *petri;

typedef struct
{
  char *root;
  char *data;
  char *in;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->root = test_tmpdir_new ("cli-sigs");
  f->data = g_build_filename (f->root, "data", NULL);
  f->in = g_build_filename (f->root, "incoming", NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  test_tmpdir_remove (f->root);
  g_free (f->root);
  g_free (f->data);
  g_free (f->in);
}

typedef struct
{
  int status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* petri sigs ARGS… on @f's data dir; returns the exit status. */
static void
sigs (Fixture *f, Run *r, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  va_list ap;
  const char *arg;
  int wait_status;

  g_ptr_array_add (argv, (gpointer) petri);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, f->data);
  g_ptr_array_add (argv, (gpointer) "sigs");
  va_start (ap, r);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r->out, &r->err,
                &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
  g_test_message ("exit %d\nstdout:\n%sstderr:\n%s", r->status, r->out, r->err);
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” not found in:\n%s", needle, haystack);
}

/* A fresh data dir lists the default set. */
static void
test_list_defaults (Fixture *f, gconstpointer data)
{
  g_auto (Run) text = { 0 };
  g_auto (Run) json = { 0 };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonArray *sets;
  JsonObject *first;

  sigs (f, &text, "list", NULL);
  g_assert_cmpint (text.status, ==, 0);
  assert_contains (text.out, "ENGINE");
  assert_contains (text.out, "petri-default.ndb");
  assert_contains (text.out, "petri-default.yar");
  assert_contains (text.out, "ClamAV: 2 signatures; YARA: 4 rules.");

  sigs (f, &json, "list", "--json", NULL);
  g_assert_cmpint (json.status, ==, 0);
  json_parser_load_from_data (parser, json.out, -1, &error);
  g_assert_no_error (error);
  sets = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (sets), ==, 2);
  first = json_array_get_object_element (sets, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "engine"), ==, "clamav");
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "petri-default.ndb");
  g_assert_cmpstr (json_object_get_string_member (first, "kind"), ==, "file");
  g_assert_cmpint (json_object_get_int_member (first, "count"), ==, 2);
  g_assert_true (g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                                       json_object_get_string_member (first, "date"), 0, 0));
}

static void
test_import (Fixture *f, gconstpointer data)
{
  g_autofree char *ndb
      = test_write_file (f->in, "site.ndb", "Site.Marker:0:*:534954452d4d41524b\n", -1);
  g_autofree char *a
      = test_write_file (f->in, "community/a.yar", "rule A { condition: true }\n", -1);
  g_autofree char *b
      = test_write_file (f->in, "community/deeper/b.yara",
                         "rule B1 { condition: false }\nrule B2 { condition: false }\n", -1);
  g_autofree char *folder = g_build_filename (f->in, "community", NULL);
  g_autofree char *bad = test_write_file (
      f->in, "bad.yar", "rule Ok { condition: true }\nrule Bad { condition: and }\n", -1);
  g_autofree char *before = NULL;
  g_auto (Run) import = { 0 };
  g_auto (Run) refused = { 0 };
  g_auto (Run) list = { 0 };
  g_auto (Run) list_again = { 0 };
  g_auto (Run) none = { 0 };
  g_auto (Run) unknown = { 0 };

  sigs (f, &import, "import", ndb, folder, NULL);
  g_assert_cmpint (import.status, ==, 0);
  assert_contains (import.out, "Imported clamav: site.ndb (1 signature)");
  assert_contains (import.out, "Imported yara: community/ (3 rules)");

  sigs (f, &list, "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  assert_contains (list.out, "site.ndb");
  assert_contains (list.out, "community/");
  assert_contains (list.out, "ClamAV: 3 signatures; YARA: 7 rules.");

  /* A file that does not compile: named with the reason, exit status 1,
   * nothing changes. */
  sigs (f, &refused, "import", ndb, bad, NULL);
  g_assert_cmpint (refused.status, ==, 1);
  assert_contains (refused.err, bad);
  assert_contains (refused.err, "bad.yar:2: syntax error");
  assert_contains (refused.err, "Nothing was imported");
  sigs (f, &list_again, "list", NULL);
  g_assert_cmpstr (list_again.out, ==, list.out);

  sigs (f, &none, "import", NULL);
  g_assert_cmpint (none.status, ==, 2);
  sigs (f, &unknown, "frobnicate", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
}

/* A removable drive as analysts bring them: ClamAV databases and YARA rules
 * side by side, in folders of their own or not. */
static void
test_import_drive (Fixture *f, gconstpointer data)
{
  g_autofree char *ndb = test_write_file (f->in, "drive/clamav/site.ndb",
                                          "Site.Marker:0:*:534954452d4d41524b\n", -1);
  g_autofree char *hdb = test_write_file (f->in, "drive/extra.hdb",
                                          "44d88612fea8a8f36de82e1278abb02f:68:Drive.Hash\n", -1);
  g_autofree char *yar
      = test_write_file (f->in, "drive/rules/a.yar", "rule DriveRule { condition: false }\n", -1);
  g_autofree char *empty = g_build_filename (f->in, "nothing", NULL);
  g_autofree char *only_clamav = g_build_filename (f->in, "drive/clamav", NULL);
  g_autofree char *drive = g_build_filename (f->in, "drive", NULL);
  g_autofree char *readme = test_write_file (f->in, "nothing/readme.txt", "no signatures\n", -1);
  g_auto (Run) import = { 0 };
  g_auto (Run) clamav_only = { 0 };
  g_auto (Run) refused = { 0 };
  g_auto (Run) list = { 0 };

  sigs (f, &import, "import", drive, NULL);
  g_assert_cmpint (import.status, ==, 0);
  assert_contains (import.out, "Imported clamav: site.ndb (1 signature)");
  assert_contains (import.out, "Imported clamav: extra.hdb (1 signature)");
  assert_contains (import.out, "Imported yara: drive/ (1 rule)");
  sigs (f, &list, "list", NULL);
  /* The databases sit in clamav/, not among the rules. */
  assert_contains (list.out, "ClamAV: 4 signatures; YARA: 5 rules.");

  /* A folder of databases alone is a ClamAV import, not a refused rule folder. */
  sigs (f, &clamav_only, "import", only_clamav, NULL);
  g_assert_cmpint (clamav_only.status, ==, 0);
  assert_contains (clamav_only.out, "Imported clamav: site.ndb (1 signature)");

  sigs (f, &refused, "import", empty, NULL);
  g_assert_cmpint (refused.status, ==, 1);
  assert_contains (refused.err, "no ClamAV database");
  (void) ndb;
  (void) hdb;
  (void) yar;
  (void) readme;
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  petri = argv[1];

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/engines/cli-sigs/list-defaults", test_list_defaults);
  ADD ("/engines/cli-sigs/import", test_import);
  ADD ("/engines/cli-sigs/import-drive", test_import_drive);
#undef ADD
  return g_test_run ();
}
