/* petri-cli.c: `petri COMMAND …`, headless
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A thin front end on the same pipeline and queries the window uses.
 */
#include "config.h"

#include "petri-cli.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>

typedef struct
{
  const char *name;
  PetriCliCommand func;
  const char *summary; /* translatable */
} Command;

static int cmd_help (const char *data_dir, int argc, char **argv);
static int cmd_version (const char *data_dir, int argc, char **argv);

static const Command commands[] = {
  { "scan", petri_cli_scan, N_ ("Take files and folders into a case and scan them") },
  { "cases", petri_cli_cases, N_ ("List the cases") },
  { "show", petri_cli_show, N_ ("Show a sample (by hash or prefix) or a case") },
  { "search", petri_cli_search, N_ ("Search every case (hashes, names, detections, behaviour)") },
  { "rescan", petri_cli_rescan, N_ ("Re-scan stored samples with the signatures in force") },
  { "export", petri_cli_export, N_ ("Export a case (json, html, misp, stix, bundle)") },
  { "import", petri_cli_import, N_ ("Import CAPE/Cuckoo reports and Petri bundles") },
  { "tag", petri_cli_tag, N_ ("Tag a sample in a case") },
  { "note", petri_cli_note, N_ ("Set the notes of a case or of a sample in it") },
  { "verdict", petri_cli_verdict, N_ ("Record the analyst’s verdict on a sample") },
  { "sigs", petri_cli_sigs, N_ ("Import and list signature sets (ClamAV, YARA)") },
  { "sandbox", petri_cli_sandbox, N_ ("Set up, check and try the analysis VMs") },
  { "help", cmd_help, N_ ("Show this help") },
  { "version", cmd_version, N_ ("Show the version") },
};

gboolean
petri_cli_is_command (const char *arg)
{
  if (arg == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (arg, commands[i].name))
      return TRUE;
  return FALSE;
}

static int
cmd_help (const char *data_dir, int argc, char **argv)
{
  g_print (_ ("Usage:\n"
              "  petri [--data-dir DIR]                 open the window\n"
              "  petri [--data-dir DIR] FILE…           open the window and analyse FILE…\n"
              "  petri [--data-dir DIR] COMMAND [OPTIONS] [ARGS…]\n\n"
              "Commands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_print ("  %-10s %s\n", commands[i].name, _ (commands[i].summary));
  g_print (_ ("\nData lives in --data-dir DIR, else $PETRI_DATA_DIR, else "
              "$XDG_DATA_HOME/petri.\n"
              "`petri COMMAND --help` shows the options of a command.\n"));
  return 0;
}

static int
cmd_version (const char *data_dir, int argc, char **argv)
{
  g_print ("petri %s\n", PACKAGE_VERSION);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Shared helpers                                                           */

void
petri_cli_error (const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("petri: %s\n", msg);
}

gboolean
petri_cli_parse (int *argc, char ***argv, const GOptionEntry *entries, const char *parameters,
                 const char *summary, char **data_dir)
{
  g_autoptr (GOptionContext) octx = g_option_context_new (parameters);
  g_autoptr (GError) error = NULL;
  char *dir = NULL;
  const GOptionEntry common[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      N_ ("Where cases, samples and signatures live"), N_ ("DIR") },
    { NULL },
  };

  g_option_context_set_summary (octx, summary);
  g_option_context_set_translation_domain (octx, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (octx, common, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (octx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (octx, argc, argv, &error))
    {
      petri_cli_error ("%s", error->message);
      g_free (dir);
      return FALSE;
    }
  if (dir != NULL)
    {
      g_free (*data_dir);
      *data_dir = petri_data_dir_resolve (dir);
      g_free (dir);
    }
  return TRUE;
}

PetriContext *
petri_cli_open_context (const char *data_dir, const PetriSettings *settings)
{
  g_autoptr (GError) error = NULL;
  PetriContext *context = petri_context_new (data_dir, settings, &error);

  if (context == NULL)
    petri_cli_error ("%s", error->message);
  return context;
}

void
petri_cli_pad (GString *line, const char *text, int width)
{
  glong len = g_utf8_strlen (text, -1);

  if (width < 0)
    for (glong i = len; i < -width; i++)
      g_string_append_c (line, ' ');
  g_string_append (line, text);
  if (width > 0)
    for (glong i = len; i < width; i++)
      g_string_append_c (line, ' ');
}

void
petri_cli_print_json (JsonNode *node, gboolean pretty)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, pretty);
  text = json_generator_to_data (gen, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
}

/* ---------------------------------------------------------------------- */
/* Dispatch                                                                 */

int
petri_cli_run (int argc, char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *override = NULL;
  int i = 1;

  petri_i18n_init ();
  petri_engines_init ();
  /* stdout carries results (JSON lines); every log message goes to stderr. */
  g_log_writer_default_set_use_stderr (TRUE);

  /* Global options before the command. */
  while (i < argc)
    {
      if (g_str_equal (argv[i], "--data-dir") && i + 1 < argc)
        {
          g_free (override);
          override = g_strdup (argv[i + 1]);
          i += 2;
        }
      else if (g_str_has_prefix (argv[i], "--data-dir="))
        {
          g_free (override);
          override = g_strdup (argv[i] + strlen ("--data-dir="));
          i++;
        }
      else
        break;
    }
  data_dir = petri_data_dir_resolve (override);

  if (i >= argc)
    return cmd_help (data_dir, 0, NULL);

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    if (g_str_equal (argv[i], commands[c].name))
      return commands[c].func (data_dir, argc - i, argv + i);

  petri_cli_error (_ ("unknown command “%s” (see `petri help`)"), argv[i]);
  return 2;
}
