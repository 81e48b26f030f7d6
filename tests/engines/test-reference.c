/* test-reference.c: the same verdicts as clamscan and yara
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A 200-file corpus made by ../shared/bench/make-corpus.sh, the bench's
 * ClamAV databases and a subset of its YARA entry points (imported with
 * petri_signatures_import, one namespace per file): for every file, the set
 * of ClamAV names equals what `clamscan --allmatch` prints and the set of
 * YARA rules equals what `yara -e` prints with the same files compiled in
 * the same namespaces. Then Debian's clamav-testfiles with the bench's
 * self-test signatures.
 */
#include "config.h"

#include "engines-test-util.h"
#include "petri-engine-private.h"

/* Every Nth entry of yara/entrypoints.txt, plus two Yara-Rules index files
 * (they include other files) and the self-test rules. */
#define YARA_STRIDE 8
static const char *const extra_yara[] = {
  "yara/yara-rules/webshells_index.yar",
  "yara/yara-rules/antidebug_antivm_index.yar",
  "yara/bench-selftest.yar",
};

typedef struct
{
  char *tmp;
  char *bench;             /* ../shared/bench */
  char *sigs;              /* ../shared/bench/sigs */
  char *corpus;            /* tmp/corpus */
  char *data;              /* tmp/data: signatures/, cache/ */
  char *signatures;        /* tmp/data/signatures */
  GPtrArray *yara_sources; /* char *: paths relative to sigs/ */
} Env;

static Env env;

/* path → GHashTable (set of names) */
typedef GHashTable NameSets;

static NameSets *
name_sets_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) g_hash_table_unref);
}

static void
name_sets_add (NameSets *sets, const char *path, const char *name)
{
  GHashTable *set = g_hash_table_lookup (sets, path);

  if (set == NULL)
    {
      set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (sets, g_strdup (path), set);
    }
  g_hash_table_add (set, g_strdup (name));
}

static char *
set_to_string (GHashTable *set)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  if (set == NULL)
    return g_strdup ("{}");
  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, test_compare_strings);
  g_ptr_array_add (names, NULL);
  {
    g_autofree char *joined = g_strjoinv (", ", (char **) names->pdata);
    return g_strdup_printf ("{%s}", joined);
  }
}

static gboolean
sets_equal (GHashTable *a, GHashTable *b)
{
  guint na = a != NULL ? g_hash_table_size (a) : 0;
  guint nb = b != NULL ? g_hash_table_size (b) : 0;
  GHashTableIter iter;
  gpointer key;

  if (na != nb)
    return FALSE;
  if (na == 0)
    return TRUE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (b, key))
      return FALSE;
  return TRUE;
}

/* clamscan prints "PATH: NAME FOUND" once per name with --allmatch. */
static NameSets *
clamscan_names (const char *database_dir, const char *target)
{
  g_autofree char *db_arg = g_strdup_printf ("--database=%s", database_dir);
  const char *argv[]
      = { "clamscan", "--allmatch", "--no-summary", "--infected", "-r", db_arg, target, NULL };
  int status;
  g_autofree char *out = test_run (argv, &status);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  NameSets *sets = name_sets_new ();

  /* 0: nothing found, 1: something found, else an error. */
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), <=, 1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *sep;

      if (!g_str_has_suffix (lines[i], " FOUND"))
        continue;
      lines[i][strlen (lines[i]) - strlen (" FOUND")] = '\0';
      sep = g_strrstr (lines[i], ": ");
      g_assert_nonnull (sep);
      *sep = '\0';
      name_sets_add (sets, lines[i], sep + 2);
    }
  return sets;
}

/* yara -e prints "NAMESPACE:RULE PATH". */
static NameSets *
yara_names (GPtrArray *sources, const char *target)
{
  g_autoptr (GStrvBuilder) argv = g_strv_builder_new ();
  g_auto (GStrv) args = NULL;
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  NameSets *sets = name_sets_new ();
  int status;

  g_strv_builder_add_many (argv, "yara", "-w", "-e", "-r", "-d", "filename=", "-d",
                           "filepath=", "-d", "extension=", "-d", "filetype=", "-d",
                           "owner=", NULL);
  for (guint i = 0; i < sources->len; i++)
    {
      const char *rel = g_ptr_array_index (sources, i);
      g_autofree char *base = g_path_get_basename (rel);
      g_autofree char *ns = petri_yara_namespace_for (base);
      g_autofree char *path = g_build_filename (env.sigs, rel, NULL);
      g_autofree char *arg = g_strdup_printf ("%s:%s", ns, path);

      g_strv_builder_add (argv, arg);
    }
  g_strv_builder_add (argv, target);
  args = g_strv_builder_end (argv);
  out = test_run ((const char *const *) args, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *space = strchr (lines[i], ' ');

      if (space == NULL)
        continue;
      *space = '\0';
      name_sets_add (sets, space + 1, lines[i]);
    }
  return sets;
}

/* What Petri's engines find in every regular file under @dir. The sample
 * has no name, path, extension or type, as `yara -d VAR=` above. */
static void
petri_names (PetriEngineSet *set, const char *dir, NameSets *clamav, NameSets *yara,
             GPtrArray *files)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr (TestSample) sample = NULL;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          petri_names (set, path, clamav, yara, files);
          continue;
        }
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      g_ptr_array_add (files, g_strdup (path));
      sample = test_sample_open (path);
      sample->data.file_name = "";
      sample->data.file_path = "";
      sample->data.extension = "";
      sample->data.description = "";
      for (guint i = 0; i < petri_engine_set_get_n_engines (set); i++)
        {
          PetriEngine *engine = petri_engine_set_get_engine (set, i);
          g_autoptr (PetriEngineResult) r = petri_engine_scan (engine, &sample->data, NULL);
          NameSets *sets = g_str_equal (petri_engine_get_name (engine), "clamav") ? clamav : yara;

          g_assert_cmpint (r->kind, !=, PETRI_RESULT_ERROR);
          for (guint j = 0; j < r->names->len; j++)
            name_sets_add (sets, path, g_ptr_array_index (r->names, j));
        }
    }
}

/* Compares per file; returns how many files had names. */
static guint
compare (const char *engine, NameSets *petri, NameSets *reference, GPtrArray *files)
{
  guint detected = 0, differing = 0;

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      GHashTable *p = g_hash_table_lookup (petri, path);
      GHashTable *r = g_hash_table_lookup (reference, path);

      if (r != NULL && g_hash_table_size (r) > 0)
        detected++;
      if (!sets_equal (p, r))
        {
          g_autofree char *ps = set_to_string (p);
          g_autofree char *rs = set_to_string (r);

          g_test_message ("%s: %s: Petri %s, reference %s", engine, path, ps, rs);
          differing++;
        }
    }
  /* Every name the reference printed belongs to a file Petri scanned. */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, reference);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (!g_ptr_array_find_with_equal_func (files, key, g_str_equal, NULL))
        {
          g_test_message ("%s: reference names a file Petri did not scan: %s", engine,
                          (const char *) key);
          differing++;
        }
  }
  g_test_message ("%s: %u files, %u with detections, %u differing", engine, files->len, detected,
                  differing);
  g_assert_cmpuint (differing, ==, 0);
  return detected;
}

static void
test_corpus (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) warnings = NULL;
  g_autoptr (PetriEngineSet) set = NULL;
  g_autoptr (GHashTable) p_clamav = name_sets_new ();
  g_autoptr (GHashTable) p_yara = name_sets_new ();
  g_autoptr (GHashTable) r_clamav = NULL;
  g_autoptr (GHashTable) r_yara = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *clamav_dir = g_build_filename (env.signatures, "clamav", NULL);
  guint n_clamav, n_yara;

  set = petri_engine_set_load (env.signatures, NULL, &warnings, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (warnings->len, ==, 0);
  g_assert_cmpuint (petri_engine_set_get_n_engines (set), ==, 2);
  /* The README's count for the five ClamAV files. */
  g_assert_cmpuint (petri_engine_get_signature_count (test_set_engine (set, "clamav")), ==, 11412);

  petri_names (set, env.corpus, p_clamav, p_yara, files);
  g_assert_cmpuint (files->len, ==, 200);

  r_clamav = clamscan_names (clamav_dir, env.corpus);
  r_yara = yara_names (env.yara_sources, env.corpus);
  n_clamav = compare ("clamav", p_clamav, r_clamav, files);
  n_yara = compare ("yara", p_yara, r_yara, files);

  /* The corpus holds EICAR copies and all of clamav-testfiles: a
   * comparison of empty sets would prove nothing. */
  g_assert_cmpuint (n_clamav, >=, 45);
  g_assert_cmpuint (n_yara, >=, 20);
}

static void
test_clamav_testfiles (void)
{
  const char *testfiles = "/usr/share/clamav-testfiles";
  g_autofree char *root = test_tmpdir_new ("testfiles");
  g_autofree char *signatures = g_build_filename (root, "signatures", NULL);
  g_autofree char *ndb = g_build_filename (env.sigs, "clamav", "bench-selftest.ndb", NULL);
  g_autofree char *yar = g_build_filename (env.sigs, "yara", "bench-selftest.yar", NULL);
  g_autofree char *clamav_dir = g_build_filename (signatures, "clamav", NULL);
  const char *paths[] = { ndb, yar, NULL };
  g_autoptr (GPtrArray) sources = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriEngineSet) set = NULL;
  g_autoptr (GHashTable) p_clamav = name_sets_new ();
  g_autoptr (GHashTable) p_yara = name_sets_new ();
  g_autoptr (GHashTable) r_clamav = NULL;
  g_autoptr (GHashTable) r_yara = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint n_clamav, n_yara;

  g_assert_true (g_file_test (testfiles, G_FILE_TEST_IS_DIR));
  g_assert_true (petri_signatures_import (signatures, paths, NULL, NULL, &error));
  g_assert_no_error (error);
  set = petri_engine_set_load (signatures, NULL, NULL, &error);
  g_assert_no_error (error);

  petri_names (set, testfiles, p_clamav, p_yara, files);
  g_assert_cmpuint (files->len, ==, 44);
  r_clamav = clamscan_names (clamav_dir, testfiles);
  g_ptr_array_add (sources, (gpointer) "yara/bench-selftest.yar");
  r_yara = yara_names (sources, testfiles);
  n_clamav = compare ("clamav", p_clamav, r_clamav, files);
  n_yara = compare ("yara", p_yara, r_yara, files);
  /* The bench README: the self-test signatures find all 44 with ClamAV. */
  g_assert_cmpuint (n_clamav, ==, 44);
  g_assert_cmpuint (n_yara, >, 0);

  test_tmpdir_remove (root);
}

static void
env_set_up (void)
{
  g_autofree char *make_corpus = NULL;
  g_autofree char *list_path = NULL;
  g_autofree char *list = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GPtrArray) imports = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  const char *corpus_env = g_getenv ("PETRI_TEST_CORPUS");
  static const char *const clamav_files[]
      = { "bench-selftest.ndb", "ditekshen_clamav.ldb", "ditekshen_indicator_rmm.ldb", "rfxn.hdb",
          "rfxn.ndb" };

  env.tmp = test_tmpdir_new ("reference");
  env.bench = test_shared_bench_dir ();
  env.sigs = g_build_filename (env.bench, "sigs", NULL);
  env.data = g_build_filename (env.tmp, "data", NULL);
  env.signatures = g_build_filename (env.data, "signatures", NULL);
  env.yara_sources = g_ptr_array_new_with_free_func (g_free);

  /* The corpus (about 5 s to make), unless one is given. */
  if (corpus_env != NULL && *corpus_env != '\0')
    env.corpus = g_strdup (corpus_env);
  else
    {
      const char *argv[] = { NULL, "-n", "200", "-s", "30", NULL, NULL };
      int status;
      g_autofree char *out = NULL;

      env.corpus = g_build_filename (env.tmp, "corpus", NULL);
      make_corpus = g_build_filename (env.bench, "make-corpus.sh", NULL);
      argv[0] = make_corpus;
      argv[5] = env.corpus;
      out = test_run (argv, &status);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }

  /* The YARA subset. */
  list_path = g_build_filename (env.sigs, "yara", "entrypoints.txt", NULL);
  g_file_get_contents (list_path, &list, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (list, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (*line == '\0' || i % YARA_STRIDE != 0 || g_str_has_prefix (line, "yara/yara-rules/")
          || g_str_equal (line, "yara/bench-selftest.yar"))
        continue;
      g_ptr_array_add (env.yara_sources, g_strdup (line));
    }
  for (guint i = 0; i < G_N_ELEMENTS (extra_yara); i++)
    g_ptr_array_add (env.yara_sources, g_strdup (extra_yara[i]));

  for (guint i = 0; i < G_N_ELEMENTS (clamav_files); i++)
    g_ptr_array_add (imports, g_build_filename (env.sigs, "clamav", clamav_files[i], NULL));
  for (guint i = 0; i < env.yara_sources->len; i++)
    g_ptr_array_add (imports,
                     g_build_filename (env.sigs, g_ptr_array_index (env.yara_sources, i), NULL));
  g_ptr_array_add (imports, NULL);
  g_assert_true (petri_signatures_import (env.signatures, (const char *const *) imports->pdata,
                                          NULL, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("%u YARA files, corpus %s", env.yara_sources->len, env.corpus);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  petri_engines_init ();
  env_set_up ();

  g_test_add_func ("/engines/reference/corpus", test_corpus);
  g_test_add_func ("/engines/reference/clamav-testfiles", test_clamav_testfiles);
  rc = g_test_run ();

  test_tmpdir_remove (env.tmp);
  g_free (env.tmp);
  g_free (env.bench);
  g_free (env.sigs);
  g_free (env.corpus);
  g_free (env.data);
  g_free (env.signatures);
  g_ptr_array_unref (env.yara_sources);
  return rc;
}
