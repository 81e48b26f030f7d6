/* petri-cli-history.c: `petri search`, `rescan`, `export`, `import`, `tag`, `note`, `verdict`
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-cli.h"
#include "petri-history.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

static const char *
member_string (JsonObject *o, const char *member)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return "";
  return json_node_get_string (n);
}

/* ---------------------------------------------------------------------- */
/* Waiting for writes                                                       */

typedef struct
{
  GMainLoop *loop;
  GError *error;
} Wait;

static void
write_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *w = user_data;

  petri_case_store_write_finish (PETRI_CASE_STORE (source), result, &w->error);
  g_main_loop_quit (w->loop);
}

static int
finish_write (Wait *w)
{
  g_main_loop_run (w->loop);
  g_main_loop_unref (w->loop);
  if (w->error != NULL)
    {
      petri_cli_error ("%s", w->error->message);
      g_error_free (w->error);
      return 2;
    }
  return 0;
}

/* The full SHA-256 of a sample named by hash or unique prefix. */
static char *
resolve_sample (PetriContext *context, const char *key)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = petri_case_store_query_sync (petri_context_get_store (context),
                                                           PETRI_QUERY_SAMPLE, key, NULL, &error);

  if (node == NULL)
    {
      petri_cli_error ("%s", error->message);
      return NULL;
    }
  return g_strdup (member_string (json_node_get_object (node), "sha256"));
}

/* ---------------------------------------------------------------------- */
/* search                                                                   */

/* What a search hit matched: a hash (named as it is), a file path, a
 * detection name or a string from behaviour ("behavior:CATEGORY"). */
static char *
search_kind_label (const char *kind)
{
  if (g_str_equal (kind, "path"))
    return g_strdup (C_ ("search match", "file path"));
  if (g_str_equal (kind, "detection"))
    return g_strdup (C_ ("search match", "detection"));
  if (g_str_has_prefix (kind, "behavior:"))
    /* Translators: %s is a behaviour category (process, file, network …) */
    return g_strdup_printf (C_ ("search match", "behaviour (%s)"), kind + strlen ("behavior:"));
  return g_strdup (kind);
}

int
petri_cli_search (const char *data_dir, int argc, char **argv)
{
  g_autofree char *dir = g_strdup (data_dir);
  g_autofree char *since_text = NULL;
  g_auto (GStrv) words = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON"), NULL },
    { "new-since", 0, 0, G_OPTION_ARG_STRING, &since_text,
      N_ ("List detections that appeared since DATE on samples scanned before"), N_ ("DATE") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &words, NULL, NULL },
    { NULL },
  };
  g_autoptr (PetriContext) context = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *query = NULL;
  JsonArray *hits;

  if (!petri_cli_parse (&argc, &argv, entries, _ ("[QUERY]"),
                        _ ("Searches every case for a hash or hash prefix, a file name, a "
                           "detection name or a string from behaviour (a domain, an address, a "
                           "file path, a command line). With --new-since, lists the retro-hunt's "
                           "new detections instead.\n"
                           "Exit status: 0 found, 1 nothing found, 2 errors."),
                        &dir))
    return 2;
  if ((words == NULL || words[0] == NULL) && since_text == NULL)
    {
      petri_cli_error (_ ("give something to search for, or --new-since DATE"));
      return 2;
    }
  context = petri_cli_open_context (dir, NULL);
  if (context == NULL)
    return 2;

  if (since_text != NULL)
    {
      gint64 since;

      if (words != NULL && words[0] != NULL)
        {
          petri_cli_error (_ ("--new-since takes no search text"));
          return 2;
        }
      if (!petri_history_parse_date (since_text, &since, &error))
        {
          petri_cli_error ("%s", error->message);
          return 2;
        }
      node = petri_history_query_new_since (petri_context_get_store (context), since, NULL, &error);
      if (node == NULL)
        {
          petri_cli_error ("%s", error->message);
          return 2;
        }
      hits = json_node_get_array (node);
      if (json)
        petri_cli_print_json (node, TRUE);
      else
        for (guint i = 0; i < json_array_get_length (hits); i++)
          {
            JsonObject *h = json_array_get_object_element (hits, i);
            /* Translators: sha256, file name, case, engine, detection, date, previous result */
            g_print (_ ("%s  %s  [%s]  %s=%s  new detection since %s (was %s)\n"),
                     member_string (h, "sha256"), member_string (h, "name"),
                     member_string (h, "case"), member_string (h, "engine"),
                     member_string (h, "detection"), member_string (h, "first_seen"),
                     petri_keyword_label (member_string (h, "previous_result")));
          }
      return json_array_get_length (hits) > 0 ? 0 : 1;
    }

  query = g_strjoinv (" ", words);
  node = petri_case_store_query_sync (petri_context_get_store (context), PETRI_QUERY_SEARCH, query,
                                      NULL, &error);
  if (node == NULL)
    {
      petri_cli_error ("%s", error->message);
      return 2;
    }
  hits = json_node_get_array (node);
  if (json)
    petri_cli_print_json (node, TRUE);
  else
    {
      for (guint i = 0; i < json_array_get_length (hits); i++)
        {
          JsonObject *h = json_array_get_object_element (hits, i);

          g_autofree char *kind = search_kind_label (member_string (h, "kind"));

          /* Translators: sha256, file name, case, added, kind of match, what matched */
          g_print (_ ("%s  %s  [%s, added %s]  %s: %s\n"), member_string (h, "sha256"),
                   member_string (h, "name"), member_string (h, "case"), member_string (h, "added"),
                   kind, member_string (h, "match"));
        }
      if (json_array_get_length (hits) == 0)
        g_printerr (_ ("Nothing matches “%s”.\n"), query);
    }
  return json_array_get_length (hits) > 0 ? 0 : 1;
}

/* ---------------------------------------------------------------------- */
/* rescan                                                                   */

typedef struct
{
  GMainLoop *loop;
  PetriPipeline *pipeline;
  GHashTable *items; /* PetriItem* → nothing */
  GHashTable *done;
  guint errors;
  gboolean tty;
} Rescan;

static void
rescan_items_cb (PetriPipeline *pipeline, GPtrArray *items, Rescan *r)
{
  for (guint i = 0; i < items->len; i++)
    {
      PetriItem *item = g_ptr_array_index (items, i);

      if (petri_item_is_folder (item))
        continue;
      g_hash_table_add (r->items, g_object_ref (item));
      if (petri_item_is_settled (item) && g_hash_table_add (r->done, g_object_ref (item)))
        {
          if (petri_item_get_state (item) == PETRI_ITEM_ERROR)
            {
              r->errors++;
              g_printerr ("%s%s: %s\n", r->tty ? "\r\033[K" : "",
                          petri_item_get_display_path (item),
                          petri_item_get_error (item) ? petri_item_get_error (item) : "");
            }
          if (r->tty)
            {
              guint total = g_hash_table_size (r->items);

              g_printerr ("\r");
              g_printerr (
                  ngettext ("Re-scanned %u of %u sample", "Re-scanned %u of %u samples", total),
                  g_hash_table_size (r->done), total);
            }
        }
    }
}

static void
rescan_idle_cb (PetriPipeline *pipeline, Rescan *r)
{
  g_main_loop_quit (r->loop);
}

static gboolean
rescan_interrupt_cb (gpointer data)
{
  Rescan *r = data;

  g_printerr (_ ("petri: interrupted; finishing what is being recorded\n"));
  petri_pipeline_cancel (r->pipeline);
  return G_SOURCE_CONTINUE;
}

int
petri_cli_rescan (const char *data_dir, int argc, char **argv)
{
  g_autofree char *dir = g_strdup (data_dir);
  g_autofree char *case_name = NULL;
  gboolean all = FALSE, json = FALSE;
  const GOptionEntry entries[] = {
    { "case", 'c', 0, G_OPTION_ARG_STRING, &case_name, N_ ("Re-scan the samples of this case"),
      N_ ("NAME") },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, N_ ("Re-scan every stored sample"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print the new detections as JSON"), NULL },
    { NULL },
  };
  g_autoptr (PetriContext) context = NULL;
  g_autoptr (PetriPipeline) pipeline = NULL;
  g_autoptr (GHashTable) items = NULL, done = NULL;
  g_autoptr (JsonNode) fresh = NULL;
  g_autoptr (GError) error = NULL;
  Rescan r = { 0 };
  guint sigint, sigterm;
  gint64 started = g_get_real_time () / G_USEC_PER_SEC;
  JsonArray *hits;

  if (!petri_cli_parse (&argc, &argv, entries, NULL,
                        _ ("Re-scans stored samples with the signatures in force. New results "
                           "are added to each sample's history; detections that were not there "
                           "before are listed at the end (see also search --new-since).\n"
                           "Exit status: 0 no new detection, 1 new detections, 2 errors."),
                        &dir))
    return 2;
  if ((case_name == NULL) == !all)
    {
      petri_cli_error (_ ("give either --case NAME or --all"));
      return 2;
    }
  context = petri_cli_open_context (dir, NULL);
  if (context == NULL)
    return 2;
  if (case_name != NULL)
    {
      g_autoptr (JsonNode) c = petri_case_store_query_sync (
          petri_context_get_store (context), PETRI_QUERY_CASE, case_name, NULL, &error);

      if (c == NULL)
        {
          petri_cli_error ("%s", error->message);
          return 2;
        }
    }

  items = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  done = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  pipeline = petri_pipeline_new (context);
  r.loop = g_main_loop_new (NULL, FALSE);
  r.pipeline = pipeline;
  r.items = items;
  r.done = done;
  r.tty = isatty (STDERR_FILENO);
  g_signal_connect (pipeline, "items-added", G_CALLBACK (rescan_items_cb), &r);
  g_signal_connect (pipeline, "items-changed", G_CALLBACK (rescan_items_cb), &r);
  g_signal_connect (pipeline, "idle", G_CALLBACK (rescan_idle_cb), &r);
  sigint = g_unix_signal_add (SIGINT, rescan_interrupt_cb, &r);
  sigterm = g_unix_signal_add (SIGTERM, rescan_interrupt_cb, &r);
  petri_pipeline_rescan (pipeline, case_name);
  g_main_loop_run (r.loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_data (pipeline, &r);
  g_clear_object (&pipeline);
  g_main_loop_unref (r.loop);
  {
    guint n = g_hash_table_size (done);
    g_autofree char *errors
        = g_strdup_printf (ngettext ("%u error", "%u errors", r.errors), r.errors);

    if (r.tty)
      g_printerr ("\r\033[K");
    /* Translators: the second %s is "%u errors" */
    g_printerr (ngettext ("Re-scanned %u sample, %s.\n", "Re-scanned %u samples, %s.\n", n), n,
                errors);
  }

  fresh = petri_history_query_new_since (petri_context_get_store (context), started, NULL, &error);
  if (fresh == NULL)
    {
      petri_cli_error ("%s", error->message);
      return 2;
    }
  hits = json_node_get_array (fresh);
  if (json)
    petri_cli_print_json (fresh, TRUE);
  else
    for (guint i = 0; i < json_array_get_length (hits); i++)
      {
        JsonObject *h = json_array_get_object_element (hits, i);

        /* Translators: sha256, file name, case, engine, detection, previous result */
        g_print (_ ("NEW %s  %s  [%s]  %s=%s (was %s)\n"), member_string (h, "sha256"),
                 member_string (h, "name"), member_string (h, "case"), member_string (h, "engine"),
                 member_string (h, "detection"),
                 petri_keyword_label (member_string (h, "previous_result")));
      }
  if (r.errors > 0)
    return 2;
  return json_array_get_length (hits) > 0 ? 1 : 0;
}

/* ---------------------------------------------------------------------- */
/* export / import                                                          */

/* What `petri import` did with a sample or an analysis of a report. */
static const char *
import_status_label (const char *status)
{
  if (g_str_equal (status, "added"))
    return C_ ("import", "added");
  if (g_str_equal (status, "present") || g_str_equal (status, "already present"))
    return C_ ("import", "already present");
  return status;
}

int
petri_cli_export (const char *data_dir, int argc, char **argv)
{
  g_autofree char *dir = g_strdup (data_dir);
  g_autofree char *case_name = NULL, *format_name = NULL, *output = NULL;
  gboolean with_samples = FALSE;
  const GOptionEntry entries[] = {
    { "case", 'c', 0, G_OPTION_ARG_STRING, &case_name, N_ ("The case to export"), N_ ("NAME") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      N_ ("json, html, misp, stix or bundle (default: json)"), N_ ("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_ ("Where to write"), N_ ("FILE") },
    { "with-samples", 0, 0, G_OPTION_ARG_NONE, &with_samples,
      N_ ("Also the sample bytes: the output becomes a zip protected with the password "
          "“infected”"),
      NULL },
    { NULL },
  };
  g_autoptr (PetriContext) context = NULL;
  g_autoptr (GError) error = NULL;
  PetriExportFormat format = PETRI_EXPORT_JSON;

  if (!petri_cli_parse (&argc, &argv, entries, NULL,
                        _ ("Writes a report of a case, or a bundle (a zip protected with "
                           "“infected” holding the case's records, samples and a manifest of "
                           "hashes) for `petri import` on another machine."),
                        &dir))
    return 2;
  if (case_name == NULL || output == NULL || argc > 1)
    {
      petri_cli_error (_ ("give --case NAME and -o FILE"));
      return 2;
    }
  if (format_name != NULL && !petri_export_format_from_string (format_name, &format))
    {
      petri_cli_error (_ ("unknown format “%s” (json, html, misp, stix, bundle)"), format_name);
      return 2;
    }
  context = petri_cli_open_context (dir, NULL);
  if (context == NULL)
    return 2;
  if (!petri_export_case (context, case_name, format, with_samples, output, NULL, &error))
    {
      petri_cli_error ("%s", error->message);
      return 2;
    }
  return 0;
}

int
petri_cli_import (const char *data_dir, int argc, char **argv)
{
  g_autofree char *dir = g_strdup (data_dir);
  g_autofree char *case_name = NULL;
  g_auto (GStrv) files = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "case", 'c', 0, G_OPTION_ARG_STRING, &case_name,
      N_ ("The case reports go to (default: Imported reports)"), N_ ("NAME") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("One JSON summary per file and line"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_ ("FILE…") },
    { NULL },
  };
  g_autoptr (PetriContext) context = NULL;
  int status = 0;

  if (!petri_cli_parse (&argc, &argv, entries, NULL,
                        _ ("Imports CAPE or Cuckoo 2 JSON reports (the behaviour is attached to "
                           "the sample by its SHA-256) and Petri bundles (merged: nothing present "
                           "is overwritten, importing twice changes nothing)."),
                        &dir))
    return 2;
  if (files == NULL || files[0] == NULL)
    {
      petri_cli_error (_ ("give the report or bundle files to import"));
      return 2;
    }
  context = petri_cli_open_context (dir, NULL);
  if (context == NULL)
    return 2;
  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) summary = petri_import_file (context, files[i], case_name, NULL, &error);
      JsonObject *s;

      if (summary == NULL)
        {
          petri_cli_error ("%s", error->message);
          status = 2;
          continue;
        }
      s = json_node_get_object (summary);
      if (json)
        petri_cli_print_json (summary, FALSE);
      else if (g_str_equal (member_string (s, "kind"), "report"))
        {
          gint64 events = json_object_get_int_member (s, "events");

          /* Translators: file, report dialect (CAPE, Cuckoo), SHA-256, case, whether the
           * sample and the analysis were "added" or "already present", number of events */
          g_print (ngettext ("%s: %s report on %s → case “%s”: sample %s, analysis %s (%lld "
                             "event)\n",
                             "%s: %s report on %s → case “%s”: sample %s, analysis %s (%lld "
                             "events)\n",
                             (gulong) MAX (events, 0)),
                   member_string (s, "file"), member_string (s, "dialect"),
                   member_string (s, "sha256"), member_string (s, "case"),
                   import_status_label (member_string (s, "sample")),
                   import_status_label (member_string (s, "analysis")), (long long) events);
        }
      else
        {
          gint64 added = json_object_get_int_member (s, "samples_added");
          gint64 present = json_object_get_int_member (s, "samples_present");
          gint64 results = json_object_get_int_member (s, "results_added");
          gint64 analyses = json_object_get_int_member (s, "analyses_added");
          g_autofree char *added_text = g_strdup_printf (
              ngettext ("%lld sample added", "%lld samples added", (gulong) MAX (added, 0)),
              (long long) added);
          g_autofree char *present_text = g_strdup_printf (
              ngettext ("%lld already present", "%lld already present", (gulong) MAX (present, 0)),
              (long long) present);
          g_autofree char *results_text = g_strdup_printf (
              ngettext ("%lld result added", "%lld results added", (gulong) MAX (results, 0)),
              (long long) results);
          g_autofree char *analyses_text = g_strdup_printf (
              ngettext ("%lld analysis added", "%lld analyses added", (gulong) MAX (analyses, 0)),
              (long long) analyses);

          /* Translators: file, case, then "%lld samples added", "%lld already present",
           * "%lld results added", "%lld analyses added" */
          g_print (_ ("%s: bundle of case “%s”: %s, %s, %s, %s\n"), member_string (s, "file"),
                   member_string (s, "case"), added_text, present_text, results_text,
                   analyses_text);
        }
    }
  return status;
}

/* ---------------------------------------------------------------------- */
/* tag / note / verdict                                                     */

int
petri_cli_tag (const char *data_dir, int argc, char **argv)
{
  g_autofree char *dir = g_strdup (data_dir);
  g_autofree char *case_name = NULL;
  g_auto (GStrv) args = NULL, remove = NULL;
  const GOptionEntry entries[] = {
    { "case", 'c', 0, G_OPTION_ARG_STRING, &case_name, N_ ("The case"), N_ ("NAME") },
    { "remove", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &remove, N_ ("Remove this tag"), N_ ("TAG") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, NULL },
    { NULL },
  };
  g_autoptr (PetriContext) context = NULL;
  g_autoptr (JsonNode) c = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *sha256 = NULL;
  JsonArray *samples;
  Wait w = { 0 };

  if (!petri_cli_parse (&argc, &argv, entries, _ ("SHA256 [TAG…]"),
                        _ ("Adds tags to (or with --remove, removes them from) a sample in a "
                           "case, and prints the sample's tags."),
                        &dir))
    return 2;
  if (case_name == NULL || args == NULL || args[0] == NULL)
    {
      petri_cli_error (_ ("give --case NAME and a sample’s SHA-256 (or prefix)"));
      return 2;
    }
  context = petri_cli_open_context (dir, NULL);
  if (context == NULL || (sha256 = resolve_sample (context, args[0])) == NULL)
    return 2;
  c = petri_case_store_query_sync (petri_context_get_store (context), PETRI_QUERY_CASE, case_name,
                                   NULL, &error);
  if (c == NULL)
    {
      petri_cli_error ("%s", error->message);
      return 2;
    }
  samples = json_object_get_array_member (json_node_get_object (c), "samples");
  for (guint i = 0; i < json_array_get_length (samples); i++)
    {
      JsonObject *s = json_array_get_object_element (samples, i);
      JsonArray *t = json_object_get_array_member (s, "tags");

      if (!g_str_equal (member_string (s, "sha256"), sha256))
        continue;
      for (guint j = 0; j < json_array_get_length (t); j++)
        g_ptr_array_add (tags, g_strdup (json_array_get_string_element (t, j)));
    }
  for (guint i = 1; args[i] != NULL; i++)
    {
      if (*args[i] == '\0' || !g_utf8_validate (args[i], -1, NULL))
        {
          petri_cli_error (_ ("a tag must be text"));
          return 2;
        }
      if (!g_ptr_array_find_with_equal_func (tags, args[i], g_str_equal, NULL))
        g_ptr_array_add (tags, g_strdup (args[i]));
    }
  for (guint i = 0; remove != NULL && remove[i] != NULL; i++)
    {
      guint index;

      if (g_ptr_array_find_with_equal_func (tags, remove[i], g_str_equal, &index))
        g_ptr_array_remove_index (tags, index);
    }
  g_ptr_array_add (tags, NULL);
  w.loop = g_main_loop_new (NULL, FALSE);
  petri_case_store_set_sample_tags (petri_context_get_store (context), case_name, sha256,
                                    (const char *const *) tags->pdata, write_done_cb, &w);
  if (finish_write (&w) != 0)
    return 2;
  for (guint i = 0; i + 1 < tags->len; i++)
    g_print ("%s\n", (const char *) g_ptr_array_index (tags, i));
  return 0;
}

int
petri_cli_note (const char *data_dir, int argc, char **argv)
{
  g_autofree char *dir = g_strdup (data_dir);
  g_autofree char *case_name = NULL, *sample = NULL;
  g_auto (GStrv) args = NULL;
  const GOptionEntry entries[] = {
    { "case", 'c', 0, G_OPTION_ARG_STRING, &case_name, N_ ("The case"), N_ ("NAME") },
    { "sample", 's', 0, G_OPTION_ARG_STRING, &sample,
      N_ ("A sample of the case (SHA-256 or prefix); without it, the case’s own notes"),
      N_ ("SHA256") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, NULL },
    { NULL },
  };
  g_autoptr (PetriContext) context = NULL;
  g_autofree char *text = NULL, *sha256 = NULL;
  Wait w = { 0 };

  if (!petri_cli_parse (&argc, &argv, entries, _ ("TEXT…"),
                        _ ("Sets the notes of a case, or of a sample in a case (an empty TEXT "
                           "clears them)."),
                        &dir))
    return 2;
  if (case_name == NULL || args == NULL)
    {
      petri_cli_error (_ ("give --case NAME and the text of the notes"));
      return 2;
    }
  text = g_strjoinv (" ", args);
  if (!g_utf8_validate (text, -1, NULL))
    {
      petri_cli_error (_ ("notes must be text"));
      return 2;
    }
  context = petri_cli_open_context (dir, NULL);
  if (context == NULL)
    return 2;
  w.loop = g_main_loop_new (NULL, FALSE);
  if (sample != NULL)
    {
      if ((sha256 = resolve_sample (context, sample)) == NULL)
        {
          g_main_loop_unref (w.loop);
          return 2;
        }
      petri_case_store_set_sample_notes (petri_context_get_store (context), case_name, sha256, text,
                                         write_done_cb, &w);
    }
  else
    petri_case_store_set_case_notes (petri_context_get_store (context), case_name, text,
                                     write_done_cb, &w);
  return finish_write (&w);
}

int
petri_cli_verdict (const char *data_dir, int argc, char **argv)
{
  g_autofree char *dir = g_strdup (data_dir);
  g_autofree char *case_name = NULL, *comment = NULL;
  g_auto (GStrv) args = NULL;
  const GOptionEntry entries[] = {
    { "case", 'c', 0, G_OPTION_ARG_STRING, &case_name, N_ ("The case"), N_ ("NAME") },
    { "comment", 'm', 0, G_OPTION_ARG_STRING, &comment, N_ ("Why"), N_ ("TEXT") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args, NULL, NULL },
    { NULL },
  };
  g_autoptr (PetriContext) context = NULL;
  g_autofree char *sha256 = NULL;
  const char *verdict;
  Wait w = { 0 };

  if (!petri_cli_parse (&argc, &argv, entries, _ ("SHA256 VERDICT"),
                        _ ("Records the analyst’s own verdict on a sample in a case (malicious, "
                           "suspicious, clean, unknown, or none to clear it). It is kept beside "
                           "the engines’ results, never in their place."),
                        &dir))
    return 2;
  if (case_name == NULL || args == NULL || g_strv_length (args) != 2)
    {
      petri_cli_error (_ ("give --case NAME, a sample’s SHA-256 (or prefix) and a verdict"));
      return 2;
    }
  verdict = g_str_equal (args[1], "none") ? NULL : args[1];
  context = petri_cli_open_context (dir, NULL);
  if (context == NULL || (sha256 = resolve_sample (context, args[0])) == NULL)
    return 2;
  w.loop = g_main_loop_new (NULL, FALSE);
  petri_case_store_set_analyst_verdict (petri_context_get_store (context), case_name, sha256,
                                        verdict, comment, write_done_cb, &w);
  return finish_write (&w);
}
