/* engines-test-util.c: what the engine tests share
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "engines-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

TestSample *
test_sample_open (const char *path)
{
  TestSample *s = g_new0 (TestSample, 1);
  g_autoptr (GError) error = NULL;
  const char *dot;

  s->fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  g_assert_cmpint (s->fd, >=, 0);
  s->map = g_mapped_file_new_from_fd (s->fd, FALSE, &error);
  g_assert_no_error (error);
  s->file_name = g_path_get_basename (path);
  s->file_path = g_canonicalize_filename (path, NULL);
  dot = strrchr (s->file_name, '.');
  s->extension = g_ascii_strdown (dot != NULL && dot != s->file_name ? dot + 1 : "", -1);

  s->data.size = g_mapped_file_get_length (s->map);
  s->data.data = s->data.size > 0 ? (const guint8 *) g_mapped_file_get_contents (s->map) : NULL;
  s->data.fd = s->fd;
  s->data.store_path = s->file_path;
  s->data.file_name = s->file_name;
  s->data.file_path = s->file_path;
  s->data.extension = s->extension;
  s->data.mime = "application/octet-stream";
  s->data.description = "data";
  s->data.sha256 = "";
  return s;
}

void
test_sample_free (TestSample *s)
{
  if (s == NULL)
    return;
  g_mapped_file_unref (s->map);
  close (s->fd);
  g_free (s->file_name);
  g_free (s->file_path);
  g_free (s->extension);
  g_free (s);
}

GBytes *
test_eicar (void)
{
  /* Two halves and a swap so that the bytes never appear in this file. */
  static const char *const parts[]
      = { "X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*" };
  g_autofree char *s = g_strconcat (parts[0], parts[1], NULL);

  return g_bytes_new (s, strlen (s));
}

char *
test_write_eicar (const char *dir, const char *name)
{
  g_autoptr (GBytes) eicar = test_eicar ();
  gsize len;
  const char *data = g_bytes_get_data (eicar, &len);

  return test_write_file (dir, name, data, len);
}

char *
test_tmpdir_new (const char *prefix)
{
  g_autofree char *template = g_strdup_printf ("petri-%s-XXXXXX", prefix);
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
      const char *name;

      /* Tests make some folders read-only. */
      g_chmod (path, 0700);
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

void
test_tmpdir_remove (const char *path)
{
  if (path != NULL)
    remove_tree (path);
}

char *
test_write_file (const char *dir, const char *name, const char *contents, gssize len)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

char *
test_shared_bench_dir (void)
{
  return g_build_filename (PETRI_SOURCE_DIR, "..", "shared", "bench", NULL);
}

char *
test_default_signatures_dir (void)
{
  return g_strdup (PETRI_DEFAULT_SIGNATURES_DIR);
}

char *
test_run (const char *const *argv, int *exit_status)
{
  g_autoptr (GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  if (exit_status != NULL)
    *exit_status = status;
  return out;
}

GHashTable *
test_scan_file (PetriEngineSet *set, const char *path)
{
  GHashTable *results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) petri_engine_result_unref);
  g_autoptr (TestSample) sample = test_sample_open (path);

  for (guint i = 0; i < petri_engine_set_get_n_engines (set); i++)
    {
      PetriEngine *engine = petri_engine_set_get_engine (set, i);

      g_hash_table_insert (results, g_strdup (petri_engine_get_name (engine)),
                           petri_engine_scan (engine, &sample->data, NULL));
    }
  return results;
}

PetriEngine *
test_set_engine (PetriEngineSet *set, const char *name)
{
  for (guint i = 0; i < petri_engine_set_get_n_engines (set); i++)
    {
      PetriEngine *engine = petri_engine_set_get_engine (set, i);

      if (g_strcmp0 (petri_engine_get_name (engine), name) == 0)
        return engine;
    }
  return NULL;
}

gboolean
test_result_has_name (PetriEngineResult *result, const char *name)
{
  for (guint i = 0; i < result->names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (result->names, i), name) == 0)
      return TRUE;
  return FALSE;
}

gint
test_compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

void
test_fixture_set_up (TestFixture *f, gconstpointer data)
{
  f->root = test_tmpdir_new ("engines");
  f->signatures = g_build_filename (f->root, "signatures", NULL);
  f->samples = g_build_filename (f->root, "samples", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->samples, 0755), ==, 0);
}

void
test_fixture_tear_down (TestFixture *f, gconstpointer data)
{
  test_tmpdir_remove (f->root);
  g_free (f->root);
  g_free (f->signatures);
  g_free (f->samples);
}
