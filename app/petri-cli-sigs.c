/* petri-cli-sigs.c: `petri sigs import PATH...` and `petri sigs list [--json]`
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-cli.h"

#include <glib/gi18n.h>

#define EXIT_USAGE 2

static void
print_error (const char *message)
{
  /* Translators: %s is an error message. */
  g_printerr (_ ("petri sigs: %s\n"), message);
}

static int
usage_error (GOptionContext *context, const char *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  print_error (message);
  g_printerr ("%s", help);
  return EXIT_USAGE;
}

static int
sigs_import (const char *signatures_dir, int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("PATH… — add signature files"));
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) imported = NULL;
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_option_context_set_summary (
      context, _ ("Copies ClamAV database files (.cvd .cld .hdb .ndb .ldb …) and YARA rule files\n"
                  "or folders (.yar .yara) into the signature store after checking each one.\n"
                  "When one fails, nothing is imported."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);
  if (argc < 2)
    return usage_error (context, _ ("Name at least one signature file or folder."));

  for (int i = 1; i < argc; i++)
    {
      /* Paths as the file system has them: no conversion. */
      g_ptr_array_add (paths, g_canonicalize_filename (argv[i], NULL));
    }
  g_ptr_array_add (paths, NULL);

  if (!petri_signatures_import (signatures_dir, (const char *const *) paths->pdata, &imported, NULL,
                                &error))
    {
      print_error (error->message);
      g_printerr (_ ("Nothing was imported; the signatures in force are unchanged.\n"));
      return EXIT_FAILURE;
    }
  for (guint i = 0; i < imported->len; i++)
    g_print (_ ("Imported %s\n"), (const char *) g_ptr_array_index (imported, i));
  return EXIT_SUCCESS;
}

/* Columns are counted in characters: translated headings are not ASCII. */
static void
print_row (const char *engine, int width, const char *name, const char *count, const char *when)
{
  g_autoptr (GString) line = g_string_new (NULL);

  petri_cli_pad (line, engine, 7);
  g_string_append_c (line, ' ');
  petri_cli_pad (line, name, width);
  g_string_append_c (line, ' ');
  petri_cli_pad (line, count, -9);
  g_string_append_printf (line, "  %s", when);
  g_print ("%s\n", line->str);
}

static void
print_table (JsonArray *sets)
{
  guint width = g_utf8_strlen (_ ("SET"), -1);
  guint64 totals[2] = { 0, 0 };

  for (guint i = 0; i < json_array_get_length (sets); i++)
    {
      JsonObject *o = json_array_get_object_element (sets, i);
      g_autofree char *name = g_strdup_printf (
          "%s%s", json_object_get_string_member (o, "name"),
          g_str_equal (json_object_get_string_member (o, "kind"), "folder") ? "/" : "");
      width = MAX (width, (guint) g_utf8_strlen (name, -1));
    }

  print_row (_ ("ENGINE"), (int) width, _ ("SET"), _ ("COUNT"), _ ("VERSION/DATE"));
  for (guint i = 0; i < json_array_get_length (sets); i++)
    {
      JsonObject *o = json_array_get_object_element (sets, i);
      const char *engine = json_object_get_string_member (o, "engine");
      gboolean folder = g_str_equal (json_object_get_string_member (o, "kind"), "folder");
      g_autofree char *name
          = g_strdup_printf ("%s%s", json_object_get_string_member (o, "name"), folder ? "/" : "");
      gint64 count = json_object_get_int_member (o, "count");
      g_autofree char *count_text = g_strdup_printf ("%" G_GINT64_FORMAT, count);
      g_autofree char *when = NULL;

      if (json_object_has_member (o, "version"))
        when = g_strdup_printf ("%" G_GINT64_FORMAT " (%s)",
                                json_object_get_int_member (o, "version"),
                                json_object_get_string_member (o, "date"));
      else
        when = g_strdup (json_object_get_string_member (o, "date"));
      print_row (engine, (int) width, name, count_text, when);
      totals[g_str_equal (engine, "yara") ? 1 : 0] += MAX (count, 0);

      if (json_object_has_member (o, "errors"))
        {
          JsonArray *errors = json_object_get_array_member (o, "errors");

          for (guint j = 0; j < json_array_get_length (errors); j++)
            /* Translators: %s is "file:line: message" of a rule file that is left out. */
            g_print (_ ("        not loaded: %s\n"), json_array_get_string_element (errors, j));
        }
    }
  {
    g_autofree char *clamav
        = g_strdup_printf (ngettext ("%llu signature", "%llu signatures", (gulong) totals[0]),
                           (unsigned long long) totals[0]);
    g_autofree char *yara = g_strdup_printf (
        ngettext ("%llu rule", "%llu rules", (gulong) totals[1]), (unsigned long long) totals[1]);

    /* Translators: "%llu signatures", "%llu rules" */
    g_print (_ ("ClamAV: %s; YARA: %s.\n"), clamav, yara);
  }
}

static int
sigs_list (const char *signatures_dir, int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON"), NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("— show the signature sets"));
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) sets = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);
  if (argc > 1)
    return usage_error (context, _ ("“list” takes no arguments."));

  sets = petri_signatures_list (signatures_dir, &error);
  if (sets == NULL)
    {
      print_error (error->message);
      return EXIT_FAILURE;
    }
  if (json)
    {
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      g_autofree char *text = NULL;

      json_generator_set_pretty (gen, TRUE);
      json_generator_set_root (gen, sets);
      text = json_generator_to_data (gen, NULL);
      g_print ("%s\n", text);
    }
  else
    print_table (json_node_get_array (sets));
  return EXIT_SUCCESS;
}

int
petri_cli_sigs (const char *data_dir, int argc, char **argv)
{
  g_autofree char *signatures_dir = NULL;
  g_autoptr (GError) error = NULL;
  const char *command;

  g_return_val_if_fail (data_dir != NULL, EXIT_FAILURE);
  g_return_val_if_fail (argc >= 1 && g_strcmp0 (argv[0], "sigs") == 0, EXIT_FAILURE);

  command = argc >= 2 ? argv[1] : NULL;
  if (command == NULL || g_str_equal (command, "--help") || g_str_equal (command, "-h"))
    {
      g_print ("%s", _ ("Usage:\n"
                        "  petri sigs import PATH…   add ClamAV databases and YARA rules\n"
                        "  petri sigs list [--json]  show the signature sets in force\n"));
      return command == NULL ? EXIT_USAGE : EXIT_SUCCESS;
    }
  if (!g_str_equal (command, "import") && !g_str_equal (command, "list"))
    {
      g_autofree char *message
          = g_strdup_printf (_ ("Unknown command “%s”; use import or list."), command);
      print_error (message);
      return EXIT_USAGE;
    }

  petri_engines_init ();
  signatures_dir = g_build_filename (data_dir, "signatures", NULL);
  /* A fresh data dir starts with the default set, as the window does. */
  if (!petri_signatures_seed_defaults (signatures_dir, PETRI_DEFAULT_SIGNATURES_DIR, &error))
    {
      print_error (error->message);
      return EXIT_FAILURE;
    }

  if (g_str_equal (command, "import"))
    return sigs_import (signatures_dir, argc - 1, argv + 1);
  return sigs_list (signatures_dir, argc - 1, argv + 1);
}
