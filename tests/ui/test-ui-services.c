/* test-ui-services.c: what the window's dialogs build on, below GTK
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Re-scans that report back (the retro-hunt) and that finish what an
 * earlier session left unscanned, an import that says which file it is
 * checking, and the sandbox limits in sandbox.conf. Real engines (the
 * window tests' fixtures), a real case database on disk.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "petri-app.h"
#include "petri-sandbox.h"

typedef struct
{
  char *dir;      /* scratch: data/ and in/ */
  char *data_dir; /* the data directory */
  char *eicar, *clean;
} Fixture;

static void
copy_tree (const char *from, const char *to)
{
  g_autoptr (GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0755), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);

      if (g_file_test (src, G_FILE_TEST_IS_DIR))
        copy_tree (src, dst);
      else
        {
          g_autofree char *contents = NULL;
          gsize len;

          g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
          g_assert_true (g_file_set_contents (dst, contents, (gssize) len, NULL));
        }
    }
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static char *
fixture_signatures (void)
{
  return g_build_filename (g_getenv ("PETRI_UI_FIXTURES"), "signatures", NULL);
}

static void
write_file (const char *path, const char *contents)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *in = NULL;
  /* Put together here, so that no file of the repository holds it whole. */
  g_autofree char *eicar = g_strconcat ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$",
                                        "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*", NULL);

  f->dir = g_dir_make_tmp ("petri-ui-services-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->data_dir = g_build_filename (f->dir, "data", NULL);
  in = g_build_filename (f->dir, "in", NULL);
  g_assert_cmpint (g_mkdir_with_parents (in, 0755), ==, 0);
  f->eicar = g_build_filename (in, "eicar.com", NULL);
  f->clean = g_build_filename (in, "clean.txt", NULL);
  write_file (f->eicar, eicar);
  write_file (f->clean, "nothing to see here\n");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->data_dir);
  g_free (f->eicar);
  g_free (f->clean);
}

/* ---------------------------------------------------------------------- */
/* Waiting on the main loop                                                 */

static void
idle_cb (PetriPipeline *pipeline, gboolean *idle)
{
  *idle = TRUE;
}

static void
wait_idle (PetriPipeline *pipeline)
{
  gboolean idle = FALSE;
  gulong id = g_signal_connect (pipeline, "idle", G_CALLBACK (idle_cb), &idle);

  while (!idle)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (pipeline, id);
}

static void
wait_engines (PetriContext *context)
{
  g_autoptr (PetriEngineSet) engines = petri_context_wait_engines (context);
}

static PetriContext *
open_context (Fixture *f)
{
  PetriSettings settings = { .workers = 2 };
  g_autoptr (GError) error = NULL;
  PetriContext *context = petri_context_new (f->data_dir, &settings, &error);

  g_assert_no_error (error);
  g_assert_nonnull (context);
  return context;
}

static void
close_context (PetriContext *context, PetriPipeline *pipeline)
{
  g_object_unref (pipeline);
  petri_context_close (context);
  g_object_unref (context);
}

typedef struct
{
  gboolean done;
  gboolean ok;
  guint n;
  GError *error;
  PetriPipeline *pipeline;
} Rescan;

static void
rescanned_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Rescan *r = user_data;

  r->ok = petri_pipeline_rescan_finish (r->pipeline, result, &r->n, &r->error);
  r->done = TRUE;
}

static JsonObject *
sample_by_name (JsonNode *case_node, const char *name)
{
  JsonArray *samples = json_object_get_array_member (json_node_get_object (case_node), "samples");

  for (guint i = 0; i < json_array_get_length (samples); i++)
    {
      JsonObject *s = json_array_get_object_element (samples, i);
      JsonArray *names = json_object_get_array_member (s, "names");

      if (json_array_get_length (names) > 0
          && g_str_equal (json_array_get_string_element (names, 0), name))
        return s;
    }
  g_assert_not_reached ();
}

static JsonNode *
query_case (PetriContext *context, const char *name)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = petri_case_store_query_sync (petri_context_get_store (context), PETRI_QUERY_CASE,
                                                name, NULL, &error);

  g_assert_no_error (error);
  return node;
}

/* ---------------------------------------------------------------------- */
/* Re-scans                                                                 */

typedef struct
{
  guint64 request;
  guint n_items;
  guint n_other;
} Seen;

static void
items_added_cb (PetriPipeline *pipeline, GPtrArray *items, Seen *seen)
{
  for (guint i = 0; i < items->len; i++)
    {
      if (petri_item_get_request (g_ptr_array_index (items, i)) == seen->request)
        seen->n_items++;
      else
        seen->n_other++;
    }
}

/* Files stored while no engine could scan them are scanned when a re-scan
 * of the unscanned runs; a second one finds nothing left to do. */
static void
test_resume_unscanned (Fixture *f, gconstpointer data)
{
  g_autofree char *yara_dir = g_build_filename (f->data_dir, "signatures", "yara", NULL);
  g_autofree char *broken = g_build_filename (yara_dir, "broken.yar", NULL);
  g_autofree char *signatures = g_build_filename (f->data_dir, "signatures", NULL);
  g_autofree char *fixtures = fixture_signatures ();
  const char *paths[] = { f->eicar, f->clean, NULL };
  PetriContext *context;
  PetriPipeline *pipeline;
  Rescan r = { 0 };
  Seen seen = { 0 };
  gulong id;

  /* A signature folder with one broken rule: no engine loads, so the files
   * are stored and recorded but not scanned. */
  g_assert_cmpint (g_mkdir_with_parents (yara_dir, 0755), ==, 0);
  write_file (broken, "rule Broken { condition: nope }\n");
  context = open_context (f);
  pipeline = petri_pipeline_new (context);
  petri_pipeline_add_paths (pipeline, "Resume", paths);
  wait_idle (pipeline);
  {
    g_autoptr (JsonNode) c = query_case (context, "Resume");
    JsonObject *s = sample_by_name (c, "eicar.com");

    g_assert_cmpstr (json_object_get_string_member (s, "verdict"), ==, "pending");
    g_assert_cmpint (json_object_get_int_member (s, "engines"), ==, 0);
  }
  close_context (context, pipeline);

  /* The signatures are fixed; the next session finishes the job. */
  remove_tree (signatures);
  copy_tree (fixtures, signatures);
  context = open_context (f);
  pipeline = petri_pipeline_new (context);
  wait_engines (context);
  r.pipeline = pipeline;
  id = g_signal_connect (pipeline, "items-added", G_CALLBACK (items_added_cb), &seen);
  seen.request = petri_pipeline_rescan_async (pipeline, "Resume", PETRI_RESCAN_UNSCANNED, NULL,
                                              rescanned_cb, &r);
  g_assert_cmpuint (seen.request, >, 0);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.n, ==, 2);
  g_assert_cmpuint (seen.n_items, ==, 2);
  g_assert_cmpuint (seen.n_other, ==, 0);
  {
    g_autoptr (JsonNode) c = query_case (context, "Resume");

    g_assert_cmpstr (json_object_get_string_member (sample_by_name (c, "eicar.com"), "verdict"), ==,
                     "malicious");
    g_assert_cmpstr (json_object_get_string_member (sample_by_name (c, "clean.txt"), "verdict"), ==,
                     "clean");
    g_assert_cmpint (json_object_get_int_member (sample_by_name (c, "clean.txt"), "engines"), ==,
                     2);
  }

  /* Nothing is left unscanned: nothing is queued. */
  r = (Rescan){ .pipeline = pipeline };
  seen.n_items = 0;
  seen.request = petri_pipeline_rescan_async (pipeline, "Resume", PETRI_RESCAN_UNSCANNED, NULL,
                                              rescanned_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.n, ==, 0);
  g_assert_cmpuint (seen.n_items, ==, 0);

  /* A full re-scan takes both again, and appends. */
  r = (Rescan){ .pipeline = pipeline };
  seen.request
      = petri_pipeline_rescan_async (pipeline, "Resume", PETRI_RESCAN_ALL, NULL, rescanned_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.n, ==, 2);
  g_signal_handler_disconnect (pipeline, id);
  close_context (context, pipeline);
}

/* A re-scan that is stopped reports so, and the samples it had not reached
 * are left as they were. */
static void
test_rescan_cancelled (Fixture *f, gconstpointer data)
{
  g_autofree char *signatures = g_build_filename (f->data_dir, "signatures", NULL);
  g_autofree char *fixtures = fixture_signatures ();
  const char *paths[] = { f->eicar, f->clean, NULL };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  PetriContext *context;
  PetriPipeline *pipeline;
  Rescan r = { 0 };

  copy_tree (fixtures, signatures);
  context = open_context (f);
  pipeline = petri_pipeline_new (context);
  petri_pipeline_add_paths (pipeline, "Stop", paths);
  wait_idle (pipeline);

  r.pipeline = pipeline;
  g_cancellable_cancel (cancellable);
  petri_pipeline_rescan_async (pipeline, "Stop", PETRI_RESCAN_ALL, cancellable, rescanned_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);
  {
    g_autoptr (JsonNode) c = query_case (context, "Stop");

    /* One result per engine, from the intake only. */
    g_assert_cmpint (json_object_get_int_member (sample_by_name (c, "clean.txt"), "engines"), ==,
                     2);
    g_assert_cmpstr (json_object_get_string_member (sample_by_name (c, "eicar.com"), "verdict"), ==,
                     "malicious");
  }

  /* A re-scan still pending when the pipeline goes completes as cancelled. */
  r = (Rescan){ .pipeline = pipeline };
  petri_pipeline_rescan_async (pipeline, "Stop", PETRI_RESCAN_ALL, NULL, rescanned_cb, &r);
  petri_pipeline_cancel (pipeline);
  g_object_unref (pipeline);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);
  petri_context_close (context);
  g_object_unref (context);
}

/* ---------------------------------------------------------------------- */
/* Imports that say what they check                                         */

typedef struct
{
  GPtrArray *files; /* "INDEX/TOTAL FILE" or "INDEX/TOTAL -" */
} Progress;

static void
progress_cb (const char *file, guint index, guint total, gpointer user_data)
{
  Progress *p = user_data;
  g_autofree char *base = file != NULL ? g_path_get_basename (file) : g_strdup ("-");

  g_ptr_array_add (p->files, g_strdup_printf ("%u/%u %s", index, total, base));
}

static char *
listing (const char *dir)
{
  g_autoptr (GString) s = g_string_new (NULL);
  g_autofree char *clamav = g_build_filename (dir, "clamav", NULL);
  g_autofree char *yara = g_build_filename (dir, "yara", NULL);
  const char *dirs[] = { clamav, yara };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autoptr (GDir) d = g_dir_open (dirs[i], 0, NULL);
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        if (name[0] != '.')
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
      for (guint j = 0; j < names->len; j++)
        g_string_append_printf (s, "%s/%s\n", i == 0 ? "clamav" : "yara",
                                (char *) g_ptr_array_index (names, j));
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_import_progress (Fixture *f, gconstpointer data)
{
  g_autofree char *signatures = g_build_filename (f->data_dir, "signatures", NULL);
  g_autofree char *fixtures = fixture_signatures ();
  g_autofree char *usb = g_build_filename (f->dir, "usb", NULL);
  g_autofree char *rules = g_build_filename (usb, "hunt.yar", NULL);
  g_autofree char *hashes = g_build_filename (usb, "extra.hdb", NULL);
  g_autofree char *broken = g_build_filename (usb, "broken.yar", NULL);
  g_autofree char *before = NULL, *after = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *hdb = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) imported = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Progress p = { g_ptr_array_new_with_free_func (g_free) };

  petri_engines_init ();
  copy_tree (fixtures, signatures);
  g_assert_cmpint (g_mkdir_with_parents (usb, 0755), ==, 0);
  write_file (rules, "rule Hunt { strings: $a = \"nothing to see\" condition: $a }\n");
  write_file (broken, "rule Broken { condition: nope }\n");
  digest = g_compute_checksum_for_string (G_CHECKSUM_MD5, "nothing to see here\n", -1);
  hdb = g_strdup_printf ("%s:20:Test.Extra.Hash\n", digest);
  write_file (hashes, hdb);
  before = listing (signatures);

  /* A refused file: named, with the reason; nothing changes. */
  {
    const char *paths[] = { rules, broken, NULL };

    g_assert_false (
        petri_signatures_import_full (signatures, paths, progress_cb, &p, &imported, NULL, &error));
    g_assert_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES);
    g_assert_nonnull (strstr (error->message, broken));
    g_assert_nonnull (strstr (error->message, "nope"));
    g_clear_error (&error);
    g_assert_null (imported);
    after = listing (signatures);
    g_assert_cmpstr (after, ==, before);
    g_assert_cmpuint (p.files->len, ==, 2);
    g_assert_cmpstr (g_ptr_array_index (p.files, 0), ==, "0/2 hunt.yar");
    g_assert_cmpstr (g_ptr_array_index (p.files, 1), ==, "1/2 broken.yar");
    g_clear_pointer (&after, g_free);
  }

  /* Stopped before anything moves: nothing changes. */
  {
    const char *paths[] = { rules, hashes, NULL };

    g_cancellable_cancel (cancellable);
    g_assert_false (petri_signatures_import_full (signatures, paths, progress_cb, &p, NULL,
                                                  cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    after = listing (signatures);
    g_assert_cmpstr (after, ==, before);
    g_clear_pointer (&after, g_free);
  }

  /* Both pass: each file once, then the move (index == total, no file). */
  {
    const char *paths[] = { rules, hashes, NULL };

    g_ptr_array_set_size (p.files, 0);
    g_assert_true (
        petri_signatures_import_full (signatures, paths, progress_cb, &p, &imported, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (imported->len, ==, 2);
    g_assert_cmpuint (p.files->len, ==, 3);
    g_assert_cmpstr (g_ptr_array_index (p.files, 0), ==, "0/2 hunt.yar");
    g_assert_cmpstr (g_ptr_array_index (p.files, 1), ==, "1/2 extra.hdb");
    g_assert_cmpstr (g_ptr_array_index (p.files, 2), ==, "2/2 -");
    after = listing (signatures);
    g_assert_nonnull (strstr (after, "yara/hunt.yar\n"));
    g_assert_nonnull (strstr (after, "clamav/extra.hdb\n"));
  }
  g_ptr_array_unref (p.files);
}

/* ---------------------------------------------------------------------- */
/* The sandbox's limits                                                     */

static void
test_sandbox_limits (Fixture *f, gconstpointer data)
{
  g_autofree char *conf = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  PetriSandboxLimits limits = { 0 };
  PetriSandboxLimits bad = { .duration = 0, .max_size = 1024 };
  GStatBuf st;

  g_assert_cmpint (g_mkdir_with_parents (f->data_dir, 0755), ==, 0);
  conf = petri_sandbox_config_path (f->data_dir);

  /* No file: the defaults. */
  g_assert_true (petri_sandbox_read_limits (conf, &limits, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (limits.duration, ==, PETRI_SANDBOX_DEFAULT_DURATION);
  g_assert_cmpuint (limits.max_size, ==, PETRI_SANDBOX_DEFAULT_MAX_SIZE);

  /* Written when there is none: private, and not a configured sandbox. */
  limits = (PetriSandboxLimits){ .duration = 30, .max_size = 16u << 20 };
  g_assert_true (petri_sandbox_write_limits (conf, &limits, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (conf, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_false (petri_sandbox_is_configured (f->data_dir));
  limits = (PetriSandboxLimits){ 0 };
  g_assert_true (petri_sandbox_read_limits (conf, &limits, &error));
  g_assert_cmpuint (limits.duration, ==, 30);
  g_assert_cmpuint (limits.max_size, ==, 16u << 20);

  /* A configured sandbox keeps its VMs, its comments and its other keys. */
  write_file (conf, "# the lab's sandbox\n"
                    "[sandbox]\n"
                    "duration=60\n"
                    "grace=12\n"
                    "\n"
                    "[vm lab-1]\n"
                    "# a comment on the VM\n"
                    "uri=test:///default\n"
                    "domain=test\n");
  limits = (PetriSandboxLimits){ .duration = 45, .max_size = 2u << 20 };
  g_assert_true (petri_sandbox_write_limits (conf, &limits, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "# the lab's sandbox"));
  g_assert_nonnull (strstr (text, "# a comment on the VM"));
  g_assert_nonnull (strstr (text, "grace=12"));
  g_assert_nonnull (strstr (text, "uri=test:///default"));
  g_assert_nonnull (strstr (text, "duration=45"));
  g_assert_nonnull (strstr (text, "max_size=2097152"));
  g_assert_true (petri_sandbox_is_configured (f->data_dir));

  /* Out of range: refused, the file is left alone. */
  g_assert_false (petri_sandbox_write_limits (conf, &bad, &error));
  g_assert_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, conf));
  g_clear_error (&error);
  limits = (PetriSandboxLimits){ 0 };
  g_assert_true (petri_sandbox_read_limits (conf, &limits, &error));
  g_assert_cmpuint (limits.duration, ==, 45);

  /* A value out of range in the file is named when read. */
  write_file (conf, "[sandbox]\nduration=99999\n");
  g_assert_false (petri_sandbox_read_limits (conf, &limits, &error));
  g_assert_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "duration"));
  g_assert_nonnull (strstr (error->message, conf));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  petri_engines_init ();

  g_test_add ("/ui/services/resume-unscanned", Fixture, NULL, fixture_set_up, test_resume_unscanned,
              fixture_tear_down);
  g_test_add ("/ui/services/rescan-cancelled", Fixture, NULL, fixture_set_up, test_rescan_cancelled,
              fixture_tear_down);
  g_test_add ("/ui/services/import-progress", Fixture, NULL, fixture_set_up, test_import_progress,
              fixture_tear_down);
  g_test_add ("/ui/services/sandbox-limits", Fixture, NULL, fixture_set_up, test_sandbox_limits,
              fixture_tear_down);
  return g_test_run ();
}
