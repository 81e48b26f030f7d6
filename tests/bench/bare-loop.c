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
 * With --petri SIGNATURES_DIR the same loop goes through Petri's engine
 * layer instead (petri_engine_set_load, petri_engine_scan on each engine),
 * which tells the engine code's own cost apart from the rest of `petri scan`.
 *
 * Usage: bare-loop -t THREADS -d CLAMAV_DIR -y RULES.yarc DIR
 *        bare-loop -t THREADS --petri SIGNATURES_DIR DIR
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

#include "petri-engines.h"

static const char *const externals[] = { "filename", "filepath", "extension", "filetype", "owner" };

static gboolean skip_clamav, skip_yara;

typedef struct
{
  struct cl_engine *clamav;
  struct cl_scan_options options;
  YR_RULES *rules;
  PetriEngineSet *set;
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

/* Opens and maps a file once, as Petri's pipeline does. */
static gboolean
open_mapped (const char *path, int *fd, struct stat *st, void **map)
{
  *map = NULL;
  *fd = open (path, O_RDONLY | O_CLOEXEC);
  if (*fd < 0)
    return FALSE;
  if (fstat (*fd, st) != 0)
    {
      close (*fd);
      return FALSE;
    }
  if (st->st_size > 0)
    {
      *map = mmap (NULL, st->st_size, PROT_READ, MAP_PRIVATE, *fd, 0);
      if (*map == MAP_FAILED)
        {
          *map = NULL;
          close (*fd);
          return FALSE;
        }
    }
  return TRUE;
}

static void
close_mapped (int fd, const struct stat *st, void *map)
{
  if (map != NULL)
    munmap (map, st->st_size);
  close (fd);
}

/* The same loop through Petri's engines. */
static gpointer
petri_worker (gpointer data)
{
  Bench *b = data;
  int n_clamav = 0, n_yara = 0, n_errors = 0;
  gint i;

  while ((i = g_atomic_int_add (&b->next, 1)) < (gint) b->files->len)
    {
      const char *path = g_ptr_array_index (b->files, i);
      g_autofree char *name = g_path_get_basename (path);
      int fd;
      struct stat st;
      void *map;

      if (!open_mapped (path, &fd, &st, &map))
        {
          n_errors++;
          continue;
        }
      for (guint e = 0; e < petri_engine_set_get_n_engines (b->set); e++)
        {
          PetriEngine *engine = petri_engine_set_get_engine (b->set, e);
          PetriSampleData sample = {
            .data = map,
            .size = st.st_size,
            .fd = fd,
            .store_path = path,
            .file_name = name,
            .file_path = path,
            .extension = "",
            .mime = "application/octet-stream",
            .description = "data",
            .sha256 = "",
          };
          g_autoptr (PetriEngineResult) r = petri_engine_scan (engine, &sample, NULL);

          if (r->kind == PETRI_RESULT_ERROR)
            n_errors++;
          if (g_str_equal (r->engine, "clamav"))
            n_clamav += r->names->len;
          else
            n_yara += r->names->len;
        }
      close_mapped (fd, &st, map);
    }
  g_atomic_int_add (&b->clamav_hits, n_clamav);
  g_atomic_int_add (&b->yara_hits, n_yara);
  g_atomic_int_add (&b->errors, n_errors);
  return NULL;
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
      int fd;
      struct stat st;
      void *map;
      const char *virname = NULL;
      unsigned long scanned = 0;
      static const guint8 empty[1];
      cl_error_t rc;

      if (!open_mapped (path, &fd, &st, &map))
        {
          n_errors++;
          continue;
        }
      if (!skip_clamav)
        {
          rc = cl_scandesc_callback (fd, path, &virname, &scanned, b->clamav, &b->options,
                                     &n_clamav);
          if (rc != CL_CLEAN && rc != CL_VIRUS)
            n_errors++;
        }
      if (!skip_yara
          && yr_scanner_scan_mem (scanner, map != NULL ? map : empty, st.st_size) != ERROR_SUCCESS)
        n_errors++;
      close_mapped (fd, &st, map);
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
  g_autofree char *petri_dir = NULL;
  GOptionEntry entries[] = {
    { "petri", 0, 0, G_OPTION_ARG_FILENAME, &petri_dir, "Scan through Petri's engines",
      "SIGNATURES_DIR" },
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
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2
      || ((clamav_dir == NULL || rules_path == NULL) && petri_dir == NULL) || threads < 1)
    {
      g_printerr ("bare-loop: %s\n", error != NULL ? error->message : "bad arguments (see --help)");
      return 2;
    }

  t0 = g_get_monotonic_time ();
  if (petri_dir != NULL)
    {
      g_autoptr (GPtrArray) warnings = NULL;

      petri_engines_init ();
      b.set = petri_engine_set_load (petri_dir, NULL, &warnings, &error);
      if (b.set == NULL)
        g_error ("cannot load %s: %s", petri_dir, error->message);
      for (guint e = 0; e < petri_engine_set_get_n_engines (b.set); e++)
        if (g_str_equal (petri_engine_get_name (petri_engine_set_get_engine (b.set, e)), "clamav"))
          sigs = petri_engine_get_signature_count (petri_engine_set_get_engine (b.set, e));
    }
  else
    {
      if (cl_init (CL_INIT_DEFAULT) != CL_SUCCESS || yr_initialize () != ERROR_SUCCESS)
        g_error ("cannot initialise libclamav or libyara");
      b.clamav = cl_engine_new ();
      if (cl_load (clamav_dir, b.clamav, &sigs, CL_DB_STDOPT) != CL_SUCCESS
          || cl_engine_compile (b.clamav) != CL_SUCCESS)
        g_error ("cannot load %s", clamav_dir);
      cl_engine_set_clcb_virus_found (b.clamav, virus_found_cb);
      b.options.general = CL_SCAN_GENERAL_ALLMATCHES | CL_SCAN_GENERAL_HEURISTICS;
      b.options.parse = ~0u;
      if (yr_rules_load (rules_path, &b.rules) != ERROR_SUCCESS)
        g_error ("cannot load %s", rules_path);
    }

  b.files = g_ptr_array_new_with_free_func (g_free);
  walk (argv[1], b.files);
  t1 = g_get_monotonic_time ();

  pool = g_new0 (GThread *, threads);
  for (int i = 0; i < threads; i++)
    pool[i] = g_thread_new ("scan", petri_dir != NULL ? petri_worker : worker, &b);
  for (int i = 0; i < threads; i++)
    g_thread_join (pool[i]);
  t2 = g_get_monotonic_time ();

  g_print ("%s: %u files, %u ClamAV signatures, %d ClamAV names, %d YARA matches, "
           "%d errors, %d threads, load %.2f s, scan %.2f s\n",
           petri_dir != NULL ? "engines-loop" : "bare-loop", b.files->len, sigs, b.clamav_hits,
           b.yara_hits, b.errors, threads, (t1 - t0) / 1e6, (t2 - t1) / 1e6);

  g_free (pool);
  g_ptr_array_unref (b.files);
  if (b.set != NULL)
    petri_engine_set_unref (b.set);
  else
    {
      yr_rules_destroy (b.rules);
      yr_finalize ();
      cl_engine_free (b.clamav);
    }
  return b.errors == 0 ? 0 : 1;
}
