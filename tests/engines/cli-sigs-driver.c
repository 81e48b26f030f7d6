/* cli-sigs-driver.c: runs petri_cli_sigs() as a program for the tests
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Usage: cli-sigs-driver DATA_DIR sigs ARGS…
 */
#include "config.h"

#include "petri-app.h"

#include <locale.h>

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  if (argc < 3)
    {
      g_printerr ("usage: %s DATA_DIR sigs ARGS…\n", argv[0]);
      return 2;
    }
  return petri_cli_sigs (argv[1], argc - 2, argv + 2);
}
