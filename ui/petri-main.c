/* petri-main.c: `petri` — the window, or a headless command
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "petri-app.h"
#include "petri-application.h"

int
main (int argc, char **argv)
{
  g_autoptr (PetriApplication) app = NULL;
  int first = 1;

  setlocale (LC_ALL, "");
  /* Uninstalled (./run, the tests), the catalogues are in the build tree. */
  if (petri_running_uninstalled ())
    bindtextdomain (GETTEXT_PACKAGE, PETRI_BUILD_DIR "/po");
  else
    bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* `petri [--data-dir DIR] COMMAND …` never touches GTK: it runs without
   * a display. */
  while (first < argc && g_str_has_prefix (argv[first], "--data-dir"))
    first += strchr (argv[first], '=') != NULL ? 1 : 2;
  if (first < argc && petri_cli_is_command (argv[first]))
    return petri_cli_run (argc, argv);

  app = petri_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
