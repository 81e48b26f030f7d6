/* petri-zip.h: password-protected zip archives (app-internal)
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Samples leave Petri only inside a zip protected with the customary
 * password "infected" (traditional PKWARE encryption, which every unzip
 * reads), so that nothing on the way scans, opens or quarantines them.
 * libzip does the work; entries are deflated, then encrypted.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PETRI_ZIP_PASSWORD "infected"

typedef struct _PetriZipWriter PetriZipWriter;

/* Nothing is written until petri_zip_writer_close(), which writes a
 * temporary file beside @path and renames it into place. */
PetriZipWriter *petri_zip_writer_new (const char *path, const char *password, GError **error);
gboolean petri_zip_writer_add_bytes (PetriZipWriter *self, const char *name, GBytes *bytes,
                                     GError **error);
/* The file is read when the archive is closed. */
gboolean petri_zip_writer_add_file (PetriZipWriter *self, const char *name, const char *file_path,
                                    GError **error);
gboolean petri_zip_writer_close (PetriZipWriter *self, GError **error);
/* Discards the archive unless it was closed. */
void petri_zip_writer_free (PetriZipWriter *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriZipWriter, petri_zip_writer_free)

typedef struct _PetriZipReader PetriZipReader;

PetriZipReader *petri_zip_reader_open (const char *path, const char *password, GError **error);
guint petri_zip_reader_get_n_entries (PetriZipReader *self);
const char *petri_zip_reader_get_name (PetriZipReader *self, guint index);
/* The uncompressed size, or FALSE when there is no such entry. */
gboolean petri_zip_reader_get_size (PetriZipReader *self, const char *name, guint64 *size);
/* Reads an entry whole; refuses one larger than @max_size (checked while
 * reading, not only by the size the archive claims). CRC errors and a wrong
 * password are errors naming the archive and the entry. */
GBytes *petri_zip_reader_read (PetriZipReader *self, const char *name, guint64 max_size,
                               GError **error);
/* Streams an entry into @out, feeding @checksum (may be NULL). */
gboolean petri_zip_reader_extract (PetriZipReader *self, const char *name, GOutputStream *out,
                                   guint64 max_size, GChecksum *checksum, GError **error);
void petri_zip_reader_free (PetriZipReader *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriZipReader, petri_zip_reader_free)

G_END_DECLS
