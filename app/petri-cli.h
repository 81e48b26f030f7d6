/* petri-cli.h: the commands of `petri` (app-internal)
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "petri-app.h"

G_BEGIN_DECLS

/* argv[0] is the command's name; returns the exit status. */
typedef int (*PetriCliCommand) (const char *data_dir, int argc, char **argv);

int petri_cli_scan (const char *data_dir, int argc, char **argv);
int petri_cli_cases (const char *data_dir, int argc, char **argv);
int petri_cli_show (const char *data_dir, int argc, char **argv);
int petri_cli_sigs (const char *data_dir, int argc, char **argv);
/* petri-cli-history.c */
int petri_cli_search (const char *data_dir, int argc, char **argv);
int petri_cli_rescan (const char *data_dir, int argc, char **argv);
int petri_cli_export (const char *data_dir, int argc, char **argv);
int petri_cli_import (const char *data_dir, int argc, char **argv);
int petri_cli_tag (const char *data_dir, int argc, char **argv);
int petri_cli_note (const char *data_dir, int argc, char **argv);
int petri_cli_verdict (const char *data_dir, int argc, char **argv);
/* petri-cli-sandbox.c */
int petri_cli_sandbox (const char *data_dir, int argc, char **argv);

/* Parses a command's options plus the common --data-dir (which replaces
 * *data_dir). Prints the error and returns FALSE on bad options. */
gboolean petri_cli_parse (int *argc, char ***argv, const GOptionEntry *entries,
                          const char *parameters, const char *summary, char **data_dir);
PetriContext *petri_cli_open_context (const char *data_dir, const PetriSettings *settings);
void petri_cli_error (const char *format, ...) G_GNUC_PRINTF (1, 2);
void petri_cli_print_json (JsonNode *node, gboolean pretty);
/* Appends @text padded with spaces to @width characters (not bytes): on the
 * right when @width > 0, on the left when < 0. */
void petri_cli_pad (GString *line, const char *text, int width);

G_END_DECLS
