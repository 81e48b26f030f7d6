/* petri-sample-store.h: the sample store (app-internal)
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "petri-app.h"

G_BEGIN_DECLS

/* What intake learnt about one file. */
typedef struct
{
  char *sha256, *sha1, *md5, *ssdeep;
  guint64 size;
  char *store_path; /* samples/aa/bb/<sha256> */
} PetriStoredSample;

void petri_stored_sample_clear (PetriStoredSample *s);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PetriStoredSample, petri_stored_sample_clear)

/* Opens @path for intake without ever blocking or following it anywhere
 * surprising: FIFOs, sockets and devices are refused by what lstat/stat say
 * before opening, and again by fstat after (O_NONBLOCK, O_NOCTTY). The
 * error names the path and the reason. Returns the descriptor or -1. */
int petri_sample_store_open_input (const char *path, GError **error);

/* Streams @fd (never loaded whole) into the store under @samples_dir while
 * hashing it; refuses a file that changed while being read; stores each
 * content once, mode 0400, and verifies the stored copy's SHA-256. */
gboolean petri_sample_store_ingest (const char *samples_dir, int fd, const char *display_path,
                                    PetriStoredSample *out, GError **error);

/* samples/aa/bb/<sha256> */
char *petri_sample_store_path (const char *samples_dir, const char *sha256);

G_END_DECLS
