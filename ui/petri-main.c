/* petri-main.c: `petri` — the window, or a headless command
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-app.h"
#include "petri-application.h"

int
main (int argc, char **argv)
{
  g_autoptr (PetriApplication) app = NULL;
  int first = 1;

  petri_i18n_init ();

  /* `petri [--data-dir DIR] COMMAND …` never touches GTK: it runs without
   * a display. */
  while (first < argc && g_str_has_prefix (argv[first], "--data-dir"))
    first += strchr (argv[first], '=') != NULL ? 1 : 2;
  if (first < argc && petri_cli_is_command (argv[first]))
    return petri_cli_run (argc, argv);

  app = petri_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
