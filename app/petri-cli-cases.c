/* petri-cli-cases.c: `petri cases`, `petri show`
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-cli.h"

#include <glib/gi18n.h>
#include <stdio.h>

static const char *
member_string (JsonObject *o, const char *member)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return "";
  return json_node_get_string (n);
}

static JsonNode *
query (const char *data_dir, PetriQueryKind kind, const char *arg)
{
  g_autoptr (PetriContext) context = petri_cli_open_context (data_dir, NULL);
  g_autoptr (GError) error = NULL;
  JsonNode *node;

  if (context == NULL)
    return NULL;
  node = petri_case_store_query_sync (petri_context_get_store (context), kind, arg, NULL, &error);
  if (node == NULL)
    petri_cli_error ("%s", error->message);
  return node;
}

/* Columns are counted in characters: translated headings are not ASCII. */
static void
print_case_row (const char *name, const char *created, const char *samples, const char *detections)
{
  g_autoptr (GString) line = g_string_new (NULL);
  /* Counts are right-aligned under their headings, however long those are. */
  int samples_width = MAX (8, (int) g_utf8_strlen (_ ("SAMPLES"), -1));
  int detections_width = MAX (10, (int) g_utf8_strlen (_ ("DETECTIONS"), -1));

  petri_cli_pad (line, name, 30);
  g_string_append_c (line, ' ');
  petri_cli_pad (line, created, 20);
  g_string_append_c (line, ' ');
  petri_cli_pad (line, samples, -samples_width);
  g_string_append_c (line, ' ');
  petri_cli_pad (line, detections, -detections_width);
  g_print ("%s\n", line->str);
}

int
petri_cli_cases (const char *data_dir, int argc, char **argv)
{
  g_autofree char *dir = g_strdup (data_dir);
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON"), NULL },
    { NULL },
  };
  g_autoptr (JsonNode) node = NULL;
  JsonArray *cases;

  if (!petri_cli_parse (&argc, &argv, entries, NULL, _ ("Lists every case."), &dir))
    return 2;
  if (argc > 1)
    {
      petri_cli_error (_ ("`petri cases` takes no arguments"));
      return 2;
    }
  node = query (dir, PETRI_QUERY_CASES, NULL);
  if (node == NULL)
    return 2;
  if (json)
    {
      petri_cli_print_json (node, TRUE);
      return 0;
    }
  cases = json_node_get_array (node);
  if (json_array_get_length (cases) == 0)
    {
      g_print (_ ("No cases yet.\n"));
      return 0;
    }
  print_case_row (_ ("CASE"), _ ("CREATED"), _ ("SAMPLES"), _ ("DETECTIONS"));
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_autofree char *samples
          = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (c, "samples"));
      g_autofree char *detections
          = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (c, "detections"));

      print_case_row (member_string (c, "name"), member_string (c, "created"), samples, detections);
    }
  return 0;
}

static void
print_results (JsonArray *results)
{
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *r = json_array_get_object_element (results, i);
      JsonArray *names = json_object_get_array_member (r, "names");
      g_autoptr (GString) line = g_string_new (NULL);

      g_string_append (line, "  ");
      petri_cli_pad (line, member_string (r, "engine"), 8);
      g_string_append_c (line, ' ');
      petri_cli_pad (line, petri_keyword_label (member_string (r, "result")), 10);
      g_string_append_printf (line, " %s", member_string (r, "scanned"));
      for (guint j = 0; names != NULL && j < json_array_get_length (names); j++)
        g_string_append_printf (line, "%s%s", j == 0 ? "  " : ", ",
                                json_array_get_string_element (names, j));
      if (json_object_get_boolean_member_with_default (r, "heuristic", FALSE))
        g_string_append (line, _ (" (heuristic only)"));
      if (*member_string (r, "error") != '\0')
        g_string_append_printf (line, "  [%s]", member_string (r, "error"));
      g_print ("%s\n", line->str);
      g_print ("           %s %s, %s\n", member_string (r, "engine"), member_string (r, "version"),
               member_string (r, "signatures"));
    }
}

static void
print_field (int width, const char *label, const char *value)
{
  g_autoptr (GString) line = g_string_new (NULL);

  petri_cli_pad (line, label, width);
  g_string_append_printf (line, " %s", value);
  g_print ("%s\n", line->str);
}

static void
print_sample (JsonObject *s)
{
  JsonArray *cases = json_object_get_array_member (s, "cases");
  JsonArray *analyses = json_object_get_array_member (s, "analyses");
  JsonArray *history = json_object_get_array_member (s, "history");
  JsonArray *engines = json_object_get_array_member (s, "engines");
  JsonArray *fresh = json_object_get_array_member (s, "new_detections");
  gint64 size = json_object_get_int_member (s, "size");
  /* Translators: the labels of `petri show`, in one column. */
  const char *size_label = _ ("Size"), *type_label = _ ("Type");
  const char *first_seen_label = _ ("First seen"), *verdict_label = _ ("Verdict");
  const char *new_label = C_ ("detection", "New");
  const char *const labels[]
      = { "SHA-256", size_label, type_label, first_seen_label, verdict_label, new_label };
  g_autofree char *size_text = NULL, *type_text = NULL;
  int width = 0;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    width = MAX (width, (int) g_utf8_strlen (labels[i], -1));
  width += 1;
  size_text = g_strdup_printf (ngettext ("%lld byte", "%lld bytes", (gulong) MAX (size, 0)),
                               (long long) size);
  type_text = g_strdup_printf ("%s (%s)", member_string (s, "type"), member_string (s, "mime"));

  print_field (width, "SHA-256", member_string (s, "sha256"));
  print_field (width, "SHA-1", member_string (s, "sha1"));
  print_field (width, "MD5", member_string (s, "md5"));
  print_field (width, "ssdeep", member_string (s, "ssdeep"));
  print_field (width, size_label, size_text);
  print_field (width, type_label, type_text);
  print_field (width, first_seen_label, member_string (s, "first_seen"));
  print_field (width, verdict_label, petri_keyword_label (member_string (s, "verdict")));
  for (guint i = 0; fresh != NULL && i < json_array_get_length (fresh); i++)
    {
      JsonObject *d = json_array_get_object_element (fresh, i);
      /* Translators: engine, detection name, date */
      g_autofree char *text
          = g_strdup_printf (_ ("%s: %s, new detection since %s"), member_string (d, "engine"),
                             member_string (d, "name"), member_string (d, "first_seen"));

      print_field (width, new_label, text);
    }
  g_print (_ ("Engines:\n"));
  print_results (engines);
  if (history != NULL && json_array_get_length (history) > json_array_get_length (engines))
    {
      guint n = json_array_get_length (history);

      g_print (ngettext ("History (%u result):\n", "History (%u results):\n", n), n);
      print_results (history);
    }
  g_print (_ ("Cases:\n"));
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      JsonArray *names = json_object_get_array_member (c, "names");

      g_print ("  %s (%s)\n", member_string (c, "case"), member_string (c, "added"));
      for (guint j = 0; j < json_array_get_length (names); j++)
        g_print ("    %s\n", member_string (json_array_get_object_element (names, j), "path"));
    }
  if (analyses != NULL && json_array_get_length (analyses) > 0)
    {
      g_print (_ ("Sandbox:\n"));
      for (guint i = 0; i < json_array_get_length (analyses); i++)
        {
          JsonObject *a = json_array_get_object_element (analyses, i);
          JsonArray *events = json_object_get_array_member (a, "events");
          guint n = events != NULL ? json_array_get_length (events) : 0;
          g_autofree char *count = g_strdup_printf (ngettext ("%u event", "%u events", n), n);

          g_print ("  #%" G_GINT64_FORMAT " %s %s %s: %s%s%s\n",
                   json_object_get_int_member (a, "id"), member_string (a, "source"),
                   member_string (a, "vm"), petri_keyword_label (member_string (a, "status")),
                   count, *member_string (a, "reason") ? " — " : "", member_string (a, "reason"));
        }
    }
}

static void
print_case (JsonObject *c)
{
  JsonArray *samples = json_object_get_array_member (c, "samples");
  guint n = json_array_get_length (samples);

  /* Translators: case name, date, number of samples */
  g_print (ngettext ("Case %s, created %s, %u sample\n", "Case %s, created %s, %u samples\n", n),
           member_string (c, "name"), member_string (c, "created"), n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *s = json_array_get_object_element (samples, i);
      JsonArray *paths = json_object_get_array_member (s, "paths");
      g_autoptr (GString) line = g_string_new (NULL);

      g_string_append_printf (line, "  %.16s  ", member_string (s, "sha256"));
      petri_cli_pad (line, petri_keyword_label (member_string (s, "verdict")), 10);
      g_string_append_printf (
          line, " %2" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "  %s",
          json_object_get_int_member (s, "detections"), json_object_get_int_member (s, "engines"),
          json_array_get_length (paths) > 0 ? json_array_get_string_element (paths, 0) : "");
      g_print ("%s\n", line->str);
    }
}

int
petri_cli_show (const char *data_dir, int argc, char **argv)
{
  g_autofree char *dir = g_strdup (data_dir);
  g_autofree char *case_name = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON"), NULL },
    { "case", 'c', 0, G_OPTION_ARG_STRING, &case_name, N_ ("Show this case instead"), N_ ("NAME") },
    { NULL },
  };
  g_autoptr (JsonNode) node = NULL;

  if (!petri_cli_parse (&argc, &argv, entries, _ ("SHA256|PREFIX"),
                        _ ("Shows a sample with every result, the cases it is in and its "
                           "sandbox analyses; or, with --case, a whole case."),
                        &dir))
    return 2;
  if ((case_name == NULL && argc != 2) || (case_name != NULL && argc != 1))
    {
      petri_cli_error (_ ("give one SHA-256 (or a unique prefix), or --case NAME"));
      return 2;
    }
  node = case_name != NULL ? query (dir, PETRI_QUERY_CASE, case_name)
                           : query (dir, PETRI_QUERY_SAMPLE, argv[1]);
  if (node == NULL)
    return 2;
  if (json)
    petri_cli_print_json (node, TRUE);
  else if (case_name != NULL)
    print_case (json_node_get_object (node));
  else
    print_sample (json_node_get_object (node));
  return 0;
}
