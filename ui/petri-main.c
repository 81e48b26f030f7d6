/* petri-main.c: `petri` — the window, or a headless command
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <locale.h>

#include "petri-app.h"

static void
activate_cb (GtkApplication *app)
{
  GtkWidget *window = gtk_application_window_new (app);

  gtk_window_set_title (GTK_WINDOW (window), "Petri");
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_widget_show_all (window);
}

int
main (int argc, char **argv)
{
  g_autoptr (GtkApplication) app = NULL;
  int first = 1;

  /* `petri [--data-dir DIR] COMMAND …` runs headless, without a display. */
  while (first < argc && g_str_has_prefix (argv[first], "--data-dir"))
    first += strchr (argv[first], '=') != NULL ? 1 : 2;
  if (first < argc && petri_cli_is_command (argv[first]))
    return petri_cli_run (argc, argv);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = gtk_application_new (PETRI_APP_ID, G_APPLICATION_HANDLES_OPEN);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
