/* petri-cli-scan.c: `petri scan`
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-cli.h"
#include "petri-sandbox-stage.h"
#include "petri-sandbox.h"
#include "petri-item-private.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>

typedef struct
{
  GMainLoop *loop;
  PetriPipeline *pipeline;
  gboolean json;
  GHashTable *reported; /* PetriItem* */
  guint files, malicious, suspicious, clean, errors;
  gint64 started;
} Scan;

static void
print_text (PetriItem *item)
{
  g_autoptr (GString) line = g_string_new (petri_item_get_display_path (item));
  GPtrArray *results = petri_item_get_results (item);
  PetriVerdict verdict = petri_item_get_verdict (item);
  const char *error = petri_item_get_error (item);

  g_string_append (line, ": ");
  if (petri_item_get_state (item) == PETRI_ITEM_ERROR)
    {
      /* Errors already name the path. */
      const char *prefix = petri_item_get_display_path (item);
      if (error != NULL && g_str_has_prefix (error, prefix) && error[strlen (prefix)] == ':')
        error += strlen (prefix) + 1;
      while (error != NULL && *error == ' ')
        error++;
      /* Translators: a `petri scan` line: "PATH: ERROR message" */
      g_string_append_printf (line, _ ("ERROR %s"), error != NULL ? error : "");
    }
  else
    {
      const char *label = petri_keyword_label (petri_verdict_to_string (verdict));
      /* As clamscan's FOUND: anything but clean stands out. */
      g_autofree char *shown
          = verdict == PETRI_VERDICT_CLEAN ? g_utf8_strdown (label, -1) : g_utf8_strup (label, -1);

      g_string_append (line, shown);
      for (guint i = 0; i < results->len; i++)
        {
          PetriEngineResult *r = g_ptr_array_index (results, i);

          if (r->kind == PETRI_RESULT_DETECTED)
            {
              g_string_append_printf (line, " %s=", r->engine);
              for (guint j = 0; j < r->names->len; j++)
                g_string_append_printf (line, "%s%s", j > 0 ? "," : "",
                                        (const char *) g_ptr_array_index (r->names, j));
              if (r->heuristic)
                g_string_append_printf (line, " (%s)", C_ ("detection", "heuristic"));
            }
          else if (r->kind == PETRI_RESULT_ERROR)
            g_string_append_printf (line, " %s-error=\"%s\"", r->engine,
                                    r->error != NULL ? r->error : "");
        }
      if (petri_item_get_sandbox_status (item) != NULL)
        {
          const char *reason = petri_item_get_sandbox_reason (item);
          g_string_append_printf (line, " sandbox=%s", petri_item_get_sandbox_status (item));
          if (reason != NULL && *reason != '\0')
            g_string_append_printf (line, " (%s)", reason);
        }
    }
  puts (line->str);
}

static void
report (Scan *scan, PetriItem *item)
{
  if (petri_item_is_folder (item) || !petri_item_is_settled (item))
    return;
  if (!g_hash_table_add (scan->reported, g_object_ref (item)))
    return;

  scan->files++;
  if (petri_item_get_state (item) == PETRI_ITEM_ERROR)
    scan->errors++;
  else
    switch (petri_item_get_verdict (item))
      {
      case PETRI_VERDICT_MALICIOUS:
        scan->malicious++;
        break;
      case PETRI_VERDICT_SUSPICIOUS:
        scan->suspicious++;
        break;
      case PETRI_VERDICT_CLEAN:
        scan->clean++;
        break;
      case PETRI_VERDICT_ERROR:
      case PETRI_VERDICT_PENDING:
      default:
        scan->errors++;
        break;
      }

  if (scan->json)
    {
      g_autoptr (JsonNode) node = petri_item_to_json (item);
      petri_cli_print_json (node, FALSE);
    }
  else
    print_text (item);
  /* Reported means recorded: a kill after this line loses nothing above it. */
  fflush (stdout);
}

static void
items_cb (PetriPipeline *pipeline, GPtrArray *items, Scan *scan)
{
  for (guint i = 0; i < items->len; i++)
    report (scan, g_ptr_array_index (items, i));
}

static void
idle_cb (PetriPipeline *pipeline, Scan *scan)
{
  g_main_loop_quit (scan->loop);
}

static gboolean
interrupt_cb (gpointer data)
{
  Scan *scan = data;

  g_printerr (_ ("petri: interrupted; finishing what is being recorded\n"));
  petri_pipeline_cancel (scan->pipeline);
  return G_SOURCE_CONTINUE;
}

int
petri_cli_scan (const char *data_dir, int argc, char **argv)
{
  g_autofree char *dir = g_strdup (data_dir);
  g_autofree char *case_name = NULL;
  g_auto (GStrv) paths = NULL;
  gboolean json = FALSE, no_sandbox = FALSE, sandbox_again = FALSE;
  int workers = 0;
  const GOptionEntry entries[] = {
    { "case", 'c', 0, G_OPTION_ARG_STRING, &case_name,
      N_ ("The case to add the files to (default: Default)"), N_ ("NAME") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("One JSON object per file and line"), NULL },
    { "no-sandbox", 0, 0, G_OPTION_ARG_NONE, &no_sandbox,
      N_ ("Do not send executables to the sandbox"), NULL },
    { "sandbox-again", 0, 0, G_OPTION_ARG_NONE, &sandbox_again,
      N_ ("Run samples in the sandbox even when they were analysed before"), NULL },
    { "workers", 'j', 0, G_OPTION_ARG_INT, &workers,
      N_ ("Scan on N threads (default: one per core)"), "N" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths, NULL, N_ ("PATH…") },
    { NULL },
  };
  g_autoptr (PetriContext) context = NULL;
  g_autoptr (PetriPipeline) pipeline = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GHashTable) reported = NULL;
  PetriSettings settings = { 0 };
  Scan scan = { 0 };
  guint sigint, sigterm;
  double seconds;

  if (!petri_cli_parse (&argc, &argv, entries, NULL,
                        _ ("Copies each file into the sample store, hashes, types and scans it, "
                           "and records everything in the case.\n"
                           "Exit status: 0 nothing found, 1 something detected, 2 errors."),
                        &dir))
    return 2;
  if (paths == NULL || paths[0] == NULL)
    {
      petri_cli_error (_ ("nothing to scan: give files or folders"));
      return 2;
    }
  if (case_name != NULL && (*case_name == '\0' || !g_utf8_validate (case_name, -1, NULL)))
    {
      petri_cli_error (_ ("a case name must be text"));
      return 2;
    }

  settings.workers = workers > 0 ? (guint) workers : 0;
  context = petri_cli_open_context (dir, &settings);
  if (context == NULL)
    return 2;
  loop = g_main_loop_new (NULL, FALSE);
  pipeline = petri_pipeline_new (context);
  if (!no_sandbox)
    {
      g_autoptr (GError) sandbox_error = NULL;

      /* Executables go to the sandbox when one is configured. */
      if (!petri_sandbox_stage_attach (pipeline, sandbox_again, &sandbox_error)
          && !g_error_matches (sandbox_error, PETRI_SANDBOX_ERROR,
                               PETRI_SANDBOX_ERROR_NOT_CONFIGURED))
        petri_cli_error (_ ("not using the sandbox: %s"), sandbox_error->message);
    }
  reported = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  scan.loop = loop;
  scan.pipeline = pipeline;
  scan.json = json;
  scan.reported = reported;
  scan.started = g_get_monotonic_time ();
  g_signal_connect (pipeline, "items-added", G_CALLBACK (items_cb), &scan);
  g_signal_connect (pipeline, "items-changed", G_CALLBACK (items_cb), &scan);
  g_signal_connect (pipeline, "idle", G_CALLBACK (idle_cb), &scan);
  sigint = g_unix_signal_add (SIGINT, interrupt_cb, &scan);
  sigterm = g_unix_signal_add (SIGTERM, interrupt_cb, &scan);

  petri_pipeline_add_paths (pipeline, case_name != NULL ? case_name : "Default",
                            (const char *const *) paths);
  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_data (pipeline, &scan);
  g_clear_object (&pipeline);
  petri_context_close (context);

  seconds = (g_get_monotonic_time () - scan.started) / (double) G_USEC_PER_SEC;
  {
    g_autofree char *files
        = g_strdup_printf (ngettext ("%u file", "%u files", scan.files), scan.files);
    g_autofree char *errors
        = g_strdup_printf (ngettext ("%u error", "%u errors", scan.errors), scan.errors);

    /* Translators: "%u files", seconds, three counts, "%u errors" */
    g_printerr (_ ("%s in %.1f s: %u malicious, %u suspicious, %u clean, %s\n"), files, seconds,
                scan.malicious, scan.suspicious, scan.clean, errors);
  }

  /* As clamscan: a detection wins over errors. */
  if (scan.malicious + scan.suspicious > 0)
    return 1;
  return scan.errors > 0 ? 2 : 0;
}
