/* bare-loop.c: the benchmark's floor — libclamav and libyara with nothing
 * around them
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Loads one ClamAV engine (every database in a folder) and compiled YARA
 * rules (yarac output) once, then scans every file under a folder on N
 * threads: each file opened and mapped once, ClamAV on the descriptor with
 * clamscan's options plus --allmatch, YARA on the mapping with one scanner
 * per thread. No hashing, typing, database or result records: what Petri's
 * scan pipeline adds is measured against this.
 *
 * Usage: bare-loop -t THREADS -d CLAMAV_DIR -y RULES.yarc DIR
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <clamav.h>
#include <yara.h>

static const char *const externals[] = { "filename", "filepath", "extension", "filetype", "owner" };

static gboolean skip_clamav, skip_yara;

typedef struct
{
  struct cl_engine *clamav;
  struct cl_scan_options options;
  YR_RULES *rules;
  GPtrArray *files;
  gint next;
  gint clamav_hits;
  gint yara_hits;
  gint errors;
} Bench;

static int
count_cb (YR_SCAN_CONTEXT *context, int message, void *message_data, void *user_data)
{
  if (message == CALLBACK_MSG_RULE_MATCHING)
    (*(int *) user_data)++;
  return CALLBACK_CONTINUE;
}

static void
virus_found_cb (int fd, const char *virname, void *context)
{
  (*(int *) context)++;
}

static gpointer
worker (gpointer data)
{
  Bench *b = data;
  YR_SCANNER *scanner = NULL;
  int n_clamav = 0, n_yara = 0, n_errors = 0;
  gint i;

  if (yr_scanner_create (b->rules, &scanner) != ERROR_SUCCESS)
    g_error ("yr_scanner_create failed");
  yr_scanner_set_callback (scanner, count_cb, &n_yara);
  yr_scanner_set_timeout (scanner, 60);
  for (guint e = 0; e < G_N_ELEMENTS (externals); e++)
    yr_scanner_define_string_variable (scanner, externals[e], "");

  while ((i = g_atomic_int_add (&b->next, 1)) < (gint) b->files->len)
    {
      const char *path = g_ptr_array_index (b->files, i);
      int fd = open (path, O_RDONLY | O_CLOEXEC);
      struct stat st;
      void *map = NULL;
      const char *virname = NULL;
      unsigned long scanned = 0;
      static const guint8 empty[1];
      cl_error_t rc;

      if (fd < 0 || fstat (fd, &st) != 0)
        {
          n_errors++;
          if (fd >= 0)
            close (fd);
          continue;
        }
      if (st.st_size > 0)
        {
          map = mmap (NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
          if (map == MAP_FAILED)
            {
              n_errors++;
              close (fd);
              continue;
            }
        }
      if (!skip_clamav)
        {
          rc = cl_scandesc_callback (fd, path, &virname, &scanned, b->clamav, &b->options,
                                     &n_clamav);
          if (rc != CL_CLEAN && rc != CL_VIRUS)
            n_errors++;
        }
      if (!skip_yara &&
          yr_scanner_scan_mem (scanner, map != NULL ? map : empty, st.st_size) != ERROR_SUCCESS)
        n_errors++;
      if (map != NULL)
        munmap (map, st.st_size);
      close (fd);
    }
  yr_scanner_destroy (scanner);
  g_atomic_int_add (&b->clamav_hits, n_clamav);
  g_atomic_int_add (&b->yara_hits, n_yara);
  g_atomic_int_add (&b->errors, n_errors);
  return NULL;
}

static void
walk (const char *dir, GPtrArray *out)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        walk (path, out);
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (out, g_steal_pointer (&path));
    }
}

int
main (int argc, char **argv)
{
  int threads = (int) g_get_num_processors ();
  g_autofree char *clamav_dir = NULL;
  g_autofree char *rules_path = NULL;
  GOptionEntry entries[] = {
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Scanning threads (default: cores)", "N" },
    { "clamav", 'd', 0, G_OPTION_ARG_FILENAME, &clamav_dir, "ClamAV database folder", "DIR" },
    { "yara", 'y', 0, G_OPTION_ARG_FILENAME, &rules_path, "Compiled YARA rules", "FILE" },
    { "no-clamav", 0, 0, G_OPTION_ARG_NONE, &skip_clamav, "Scan with YARA only", NULL },
    { "no-yara", 0, 0, G_OPTION_ARG_NONE, &skip_yara, "Scan with ClamAV only", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("DIR — scan every file under DIR");
  g_autoptr (GError) error = NULL;
  Bench b = { 0 };
  unsigned int sigs = 0;
  gint64 t0, t1, t2;
  GThread **pool;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 ||
      clamav_dir == NULL || rules_path == NULL || threads < 1)
    {
      g_printerr ("bare-loop: %s\n", error != NULL ? error->message : "bad arguments (see --help)");
      return 2;
    }

  t0 = g_get_monotonic_time ();
  if (cl_init (CL_INIT_DEFAULT) != CL_SUCCESS || yr_initialize () != ERROR_SUCCESS)
    g_error ("cannot initialise libclamav or libyara");
  b.clamav = cl_engine_new ();
  if (cl_load (clamav_dir, b.clamav, &sigs, CL_DB_STDOPT) != CL_SUCCESS ||
      cl_engine_compile (b.clamav) != CL_SUCCESS)
    g_error ("cannot load %s", clamav_dir);
  cl_engine_set_clcb_virus_found (b.clamav, virus_found_cb);
  b.options.general = CL_SCAN_GENERAL_ALLMATCHES | CL_SCAN_GENERAL_HEURISTICS;
  b.options.parse = ~0u;
  if (yr_rules_load (rules_path, &b.rules) != ERROR_SUCCESS)
    g_error ("cannot load %s", rules_path);

  b.files = g_ptr_array_new_with_free_func (g_free);
  walk (argv[1], b.files);
  t1 = g_get_monotonic_time ();

  pool = g_new0 (GThread *, threads);
  for (int i = 0; i < threads; i++)
    pool[i] = g_thread_new ("scan", worker, &b);
  for (int i = 0; i < threads; i++)
    g_thread_join (pool[i]);
  t2 = g_get_monotonic_time ();

  g_print ("bare-loop: %u files, %u ClamAV signatures, %d ClamAV names, %d YARA matches, "
           "%d errors, %d threads, load %.2f s, scan %.2f s\n",
           b.files->len, sigs, b.clamav_hits, b.yara_hits, b.errors, threads, (t1 - t0) / 1e6,
           (t2 - t1) / 1e6);

  g_free (pool);
  g_ptr_array_unref (b.files);
  yr_rules_destroy (b.rules);
  yr_finalize ();
  cl_engine_free (b.clamav);
  return b.errors == 0 ? 0 : 1;
}
