/* bench-intake.c: does the window stall while 10,000 files come in?
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Not a test: a benchmark (`meson test --benchmark bench-intake`, under
 * gui-session for the X server). It runs the real application in-process
 * with a fresh data directory, drops a folder of N small files on the
 * window (the same petri_window_add_paths() a drop calls), and measures:
 *
 *   - main-loop stalls: a G_PRIORITY_HIGH 1 ms timeout records the gap
 *     between its runs; a gap is how long something else held the loop;
 *   - the time until every row is final (Done or Error) in the tree;
 *   - peak memory (maximum resident set size);
 *   - then the same stalls while the case is opened again: its N rows come
 *     from the case database instead of the pipeline.
 *
 * Usage: bench-intake [--files N] [--signatures DIR] [--expand]
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <sys/resource.h>

#include "petri-application.h"
#include "petri-sample-list.h"
#include "petri-window.h"

static int n_files = 10000;
static char *signatures = NULL;
static gboolean expand = FALSE;

typedef struct
{
  PetriApplication *app;
  PetriWindow *window;
  char *corpus;
  gint64 start_us;
  gint64 last_tick_us;
  GArray *gaps_us; /* gint64 */
  gboolean dropped;
  gboolean finished;
  gint64 final_us;
  guint rows_final;
  guint rows;
  gint64 max_gap_us, max_gap_at_us;
  /* Opening the case again. */
  char *case_name;
  gboolean reopening;
  gboolean reopened;
  gint64 reopen_start_us, reopen_us;
  GArray *reopen_gaps_us; /* gint64 */
  gint64 reopen_max_gap_us;
} Bench;

static gboolean
tick_cb (gpointer data)
{
  Bench *b = data;
  gint64 now = g_get_monotonic_time ();

  if (b->reopening && !b->reopened && b->last_tick_us != 0)
    {
      gint64 gap = now - b->last_tick_us;
      g_array_append_val (b->reopen_gaps_us, gap);
      b->reopen_max_gap_us = MAX (b->reopen_max_gap_us, gap);
    }
  if (b->dropped && !b->finished && b->last_tick_us != 0)
    {
      gint64 gap = now - b->last_tick_us;
      g_array_append_val (b->gaps_us, gap);
      if (gap > b->max_gap_us)
        {
          b->max_gap_us = gap;
          b->max_gap_at_us = b->last_tick_us - b->start_us;
        }
    }
  b->last_tick_us = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
count_cb (GtkTreeModel *model, GtkTreePath *path, GtkTreeIter *iter, gpointer data)
{
  Bench *b = data;
  int state;

  gtk_tree_model_get (model, iter, PETRI_SAMPLE_COL_STATE, &state, -1);
  b->rows++;
  if (state == PETRI_ITEM_DONE || state == PETRI_ITEM_ERROR)
    b->rows_final++;
  return FALSE;
}

static gboolean
reopened_cb (gpointer data)
{
  Bench *b = data;
  GtkTreeModel *model = gtk_tree_view_get_model (petri_window_get_sample_view (b->window));

  if (petri_window_is_applying (b->window))
    return G_SOURCE_CONTINUE;
  b->rows = b->rows_final = 0;
  gtk_tree_model_foreach (model, count_cb, b);
  /* One row per file (the folder row is the intake's, not the database's). */
  if (b->rows < (guint) n_files)
    return G_SOURCE_CONTINUE;
  b->reopen_us = g_get_monotonic_time () - b->reopen_start_us;
  b->reopened = TRUE;
  g_application_quit (G_APPLICATION (b->app));
  return G_SOURCE_REMOVE;
}

/* Another case, then this one again: its rows come from the database. */
static gboolean
reopen_cb (gpointer data)
{
  Bench *b = data;

  if (!b->reopening)
    {
      petri_window_open_case (b->window, "Bench elsewhere", NULL);
      b->reopening = TRUE;
      return G_SOURCE_CONTINUE;
    }
  b->reopen_start_us = g_get_monotonic_time ();
  petri_window_open_case (b->window, b->case_name, NULL);
  g_timeout_add (20, reopened_cb, b);
  return G_SOURCE_REMOVE;
}

static gboolean
check_done_cb (gpointer data)
{
  Bench *b = data;
  GtkTreeView *view;
  GtkTreeModel *model;
  PetriPipeline *pipeline = petri_application_get_pipeline (b->app);

  if (b->window == NULL || !b->dropped || pipeline == NULL)
    return G_SOURCE_CONTINUE;
  view = petri_window_get_sample_view (b->window);
  model = gtk_tree_view_get_model (view);
  if (expand)
    gtk_tree_view_expand_all (view);
  if (petri_pipeline_is_busy (pipeline) || petri_window_is_applying (b->window))
    return G_SOURCE_CONTINUE;
  b->rows = b->rows_final = 0;
  gtk_tree_model_foreach (model, count_cb, b);
  /* The folder row and one row per file. */
  if (b->rows < (guint) n_files + 1 || b->rows_final < b->rows)
    return G_SOURCE_CONTINUE;
  b->final_us = g_get_monotonic_time () - b->start_us;
  b->finished = TRUE;
  b->case_name = g_strdup (petri_window_get_case (b->window));
  g_timeout_add (50, reopen_cb, b);
  return G_SOURCE_REMOVE;
}

static gboolean
drop_cb (gpointer data)
{
  Bench *b = data;
  const char *paths[] = { b->corpus, NULL };

  if (petri_application_get_context (b->app) == NULL || b->window == NULL
      || petri_window_get_case (b->window) == NULL)
    return G_SOURCE_CONTINUE;
  {
    /* Wait for the engines: the benchmark is about intake, not start-up. */
    g_autoptr (PetriEngineSet) engines
        = petri_context_get_engines (petri_application_get_context (b->app));
    if (engines == NULL)
      return G_SOURCE_CONTINUE;
  }
  b->start_us = g_get_monotonic_time ();
  b->dropped = TRUE;
  petri_window_add_paths (b->window, paths);
  return G_SOURCE_REMOVE;
}

static void
window_added_cb (GtkApplication *app, GtkWindow *window, Bench *b)
{
  if (PETRI_IS_WINDOW (window) && b->window == NULL)
    b->window = PETRI_WINDOW (window);
}

static void
make_corpus (const char *dir)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261201);

  g_mkdir_with_parents (dir, 0700);
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/file-%05d.txt", dir, i);
      gsize len = g_rand_int_range (rand, 64, 4096);
      g_autofree char *data = g_malloc (len);

      for (gsize j = 0; j < len; j++)
        data[j] = "abcdefghijklmnopqrstuvwxyz \n"[g_rand_int_range (rand, 0, 28)];
      if (!g_file_set_contents (path, data, len, NULL))
        g_error ("cannot write %s", path);
    }
}

static int
compare_gaps (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

static void
copy_tree (const char *from, const char *to)
{
  g_autofree char *cmd = g_strdup_printf ("cp -r '%s/.' '%s/'", from, to);
  int status;

  g_mkdir_with_parents (to, 0700);
  if (!g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL) || status != 0)
    g_error ("cannot copy the signatures from %s", from);
}

int
main (int argc, char **argv)
{
  static GOptionEntry entries[] = {
    { "files", 'n', 0, G_OPTION_ARG_INT, &n_files, "Number of files (10000)", "N" },
    { "signatures", 's', 0, G_OPTION_ARG_FILENAME, &signatures,
      "Signature folder (clamav/, yara/); default: the UI test fixtures", "DIR" },
    { "expand", 0, 0, G_OPTION_ARG_NONE, &expand, "Keep the folder row open", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) options = g_option_context_new ("- window intake benchmark");
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *sig_dir = NULL;
  g_autofree char *rm = NULL;
  Bench b = { 0 };
  struct rusage usage;
  char *app_argv[4];
  gint64 max_gap = 0, p99 = 0, p50 = 0;
  guint over_20 = 0;

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  tmp = g_dir_make_tmp ("petri-bench-intake-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (tmp, "data", NULL);
  sig_dir = g_build_filename (data_dir, "signatures", NULL);
  b.corpus = g_build_filename (tmp, "corpus", NULL);
  copy_tree (signatures != NULL ? signatures : PETRI_SOURCE_DIR "/tests/ui/fixtures/signatures",
             sig_dir);
  g_print ("# making %d files in %s\n", n_files, b.corpus);
  make_corpus (b.corpus);

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  b.gaps_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  b.reopen_gaps_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  b.app = petri_application_new ();
  g_application_set_flags (G_APPLICATION (b.app),
                           G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_signal_connect (b.app, "window-added", G_CALLBACK (window_added_cb), &b);
  g_timeout_add_full (G_PRIORITY_HIGH, 1, tick_cb, &b, NULL);
  g_timeout_add (100, drop_cb, &b);
  g_timeout_add (50, check_done_cb, &b);

  app_argv[0] = (char *) "petri";
  app_argv[1] = (char *) "--data-dir";
  app_argv[2] = data_dir;
  app_argv[3] = NULL;
  g_application_run (G_APPLICATION (b.app), 3, app_argv);

  if (!b.finished || !b.reopened)
    {
      g_printerr ("the window closed before every row was final\n");
      return 1;
    }
  g_array_sort (b.gaps_us, compare_gaps);
  if (b.gaps_us->len > 0)
    {
      max_gap = g_array_index (b.gaps_us, gint64, b.gaps_us->len - 1);
      p99 = g_array_index (b.gaps_us, gint64, (guint) (b.gaps_us->len * 0.99));
      p50 = g_array_index (b.gaps_us, gint64, b.gaps_us->len / 2);
      for (guint i = 0; i < b.gaps_us->len; i++)
        if (g_array_index (b.gaps_us, gint64, i) > 20000)
          over_20++;
    }
  getrusage (RUSAGE_SELF, &usage);

  g_print ("files:                   %d (+1 folder row)\n", n_files);
  g_print ("rows final after:        %.2f s\n", b.final_us / 1e6);
  g_print ("main-loop gaps sampled:  %u\n", b.gaps_us->len);
  g_print ("longest main-loop stall: %.1f ms (target < 100 ms), %.2f s after the drop\n",
           max_gap / 1000.0, b.max_gap_at_us / 1e6);
  g_print ("p99 main-loop gap:       %.1f ms (target < 20 ms)\n", p99 / 1000.0);
  g_print ("median main-loop gap:    %.1f ms\n", p50 / 1000.0);
  g_print ("gaps over 20 ms:         %u\n", over_20);
  g_print ("peak memory (max RSS):   %.1f MiB\n", usage.ru_maxrss / 1024.0);
  g_array_sort (b.reopen_gaps_us, compare_gaps);
  g_print ("case opened again:       %u rows in %.2f s\n", b.rows, b.reopen_us / 1e6);
  g_print ("  longest stall:         %.1f ms (target < 100 ms)\n", b.reopen_max_gap_us / 1000.0);
  if (b.reopen_gaps_us->len > 0)
    g_print ("  p99 gap:               %.1f ms (target < 20 ms)\n",
             g_array_index (b.reopen_gaps_us, gint64, (guint) (b.reopen_gaps_us->len * 0.99))
                 / 1000.0);

  g_object_unref (b.app);
  g_array_unref (b.gaps_us);
  g_array_unref (b.reopen_gaps_us);
  g_free (b.case_name);
  rm = g_strdup_printf ("rm -rf '%s'", tmp);
  g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
  return 0;
}
