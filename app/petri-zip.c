/* petri-zip.c: password-protected zip archives
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-zip.h"
#include "petri-app.h"

#include <glib/gi18n.h>
#include <zip.h>

struct _PetriZipWriter
{
  zip_t *zip;
  char *display;
  char *password;
  GPtrArray *buffers; /* GBytes kept alive until the archive is written */
};

struct _PetriZipReader
{
  zip_t *zip;
  char *display;
};

static void
set_zip_error (GError **error, const char *display, const char *what, zip_error_t *ze)
{
  g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INPUT, _ ("%s: %s: %s"), display, what,
               zip_error_strerror (ze));
}

PetriZipWriter *
petri_zip_writer_new (const char *path, const char *password, GError **error)
{
  PetriZipWriter *self;
  zip_t *zip;
  int code = 0;

  g_return_val_if_fail (path != NULL, NULL);

  zip = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (zip == NULL)
    {
      zip_error_t ze;
      g_autofree char *display = g_filename_display_name (path);

      zip_error_init_with_code (&ze, code);
      set_zip_error (error, display, _ ("cannot create the archive"), &ze);
      zip_error_fini (&ze);
      return NULL;
    }
  self = g_new0 (PetriZipWriter, 1);
  self->zip = zip;
  self->display = g_filename_display_name (path);
  self->password = g_strdup (password);
  self->buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return self;
}

static gboolean
add_source (PetriZipWriter *self, const char *name, zip_source_t *source, GError **error)
{
  zip_int64_t index;

  if (source == NULL)
    {
      set_zip_error (error, self->display, name, zip_get_error (self->zip));
      return FALSE;
    }
  index = zip_file_add (self->zip, name, source, ZIP_FL_ENC_UTF_8);
  if (index < 0)
    {
      zip_source_free (source);
      set_zip_error (error, self->display, name, zip_get_error (self->zip));
      return FALSE;
    }
  if (zip_set_file_compression (self->zip, index, ZIP_CM_DEFLATE, 6) < 0
      || (self->password != NULL
          && zip_file_set_encryption (self->zip, index, ZIP_EM_TRAD_PKWARE, self->password) < 0))
    {
      set_zip_error (error, self->display, name, zip_get_error (self->zip));
      return FALSE;
    }
  return TRUE;
}

gboolean
petri_zip_writer_add_bytes (PetriZipWriter *self, const char *name, GBytes *bytes, GError **error)
{
  gsize len;
  const void *data;

  g_return_val_if_fail (self != NULL && name != NULL && bytes != NULL, FALSE);

  data = g_bytes_get_data (bytes, &len);
  g_ptr_array_add (self->buffers, g_bytes_ref (bytes));
  return add_source (self, name, zip_source_buffer (self->zip, data, len, 0), error);
}

gboolean
petri_zip_writer_add_file (PetriZipWriter *self, const char *name, const char *file_path,
                           GError **error)
{
  g_return_val_if_fail (self != NULL && name != NULL && file_path != NULL, FALSE);

  return add_source (self, name, zip_source_file (self->zip, file_path, 0, -1), error);
}

gboolean
petri_zip_writer_close (PetriZipWriter *self, GError **error)
{
  g_return_val_if_fail (self != NULL && self->zip != NULL, FALSE);

  if (zip_close (self->zip) < 0)
    {
      set_zip_error (error, self->display, _ ("cannot write the archive"),
                     zip_get_error (self->zip));
      zip_discard (self->zip);
      self->zip = NULL;
      return FALSE;
    }
  self->zip = NULL;
  return TRUE;
}

void
petri_zip_writer_free (PetriZipWriter *self)
{
  if (self == NULL)
    return;
  if (self->zip != NULL)
    zip_discard (self->zip);
  g_ptr_array_unref (self->buffers);
  g_free (self->display);
  g_free (self->password);
  g_free (self);
}

/* ---------------------------------------------------------------------- */

PetriZipReader *
petri_zip_reader_open (const char *path, const char *password, GError **error)
{
  PetriZipReader *self;
  zip_t *zip;
  int code = 0;
  g_autofree char *display = g_filename_display_name (path);

  g_return_val_if_fail (path != NULL, NULL);

  zip = zip_open (path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (zip == NULL)
    {
      zip_error_t ze;

      zip_error_init_with_code (&ze, code);
      set_zip_error (error, display, _ ("not a readable zip archive"), &ze);
      zip_error_fini (&ze);
      return NULL;
    }
  if (password != NULL)
    zip_set_default_password (zip, password);
  self = g_new0 (PetriZipReader, 1);
  self->zip = zip;
  self->display = g_steal_pointer (&display);
  return self;
}

guint
petri_zip_reader_get_n_entries (PetriZipReader *self)
{
  zip_int64_t n = zip_get_num_entries (self->zip, 0);

  return n > 0 ? (guint) MIN (n, G_MAXUINT) : 0;
}

const char *
petri_zip_reader_get_name (PetriZipReader *self, guint index)
{
  return zip_get_name (self->zip, index, ZIP_FL_ENC_GUESS);
}

gboolean
petri_zip_reader_get_size (PetriZipReader *self, const char *name, guint64 *size)
{
  zip_stat_t st;

  zip_stat_init (&st);
  if (zip_stat (self->zip, name, ZIP_FL_ENC_GUESS, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
    return FALSE;
  *size = st.size;
  return TRUE;
}

static gboolean
copy_entry (PetriZipReader *self, const char *name, guint64 max_size,
            gboolean (*sink) (const guint8 *, gsize, gpointer, GError **), gpointer data,
            GError **error)
{
  zip_file_t *f = zip_fopen (self->zip, name, 0);
  g_autofree guint8 *buf = NULL;
  guint64 total = 0;
  zip_int64_t n;

  if (f == NULL)
    {
      g_autofree char *what = g_strdup_printf (_ ("cannot open “%s”"), name);

      set_zip_error (error, self->display, what, zip_get_error (self->zip));
      return FALSE;
    }
  buf = g_malloc (64 * 1024);
  while ((n = zip_fread (f, buf, 64 * 1024)) > 0)
    {
      total += n;
      if (total > max_size)
        {
          g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INPUT,
                       _ ("%s: “%s” is larger than it may be"), self->display, name);
          zip_fclose (f);
          return FALSE;
        }
      if (!sink (buf, n, data, error))
        {
          zip_fclose (f);
          return FALSE;
        }
    }
  if (n < 0)
    {
      g_autofree char *what = g_strdup_printf (_ ("cannot read “%s”"), name);

      set_zip_error (error, self->display, what, zip_file_get_error (f));
      zip_fclose (f);
      return FALSE;
    }
  zip_fclose (f);
  return TRUE;
}

static gboolean
sink_array (const guint8 *data, gsize len, gpointer user_data, GError **error)
{
  g_byte_array_append (user_data, data, len);
  return TRUE;
}

GBytes *
petri_zip_reader_read (PetriZipReader *self, const char *name, guint64 max_size, GError **error)
{
  g_autoptr (GByteArray) array = g_byte_array_new ();

  if (!copy_entry (self, name, max_size, sink_array, array, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&array));
}

typedef struct
{
  GOutputStream *out;
  GChecksum *checksum;
} ExtractSink;

static gboolean
sink_stream (const guint8 *data, gsize len, gpointer user_data, GError **error)
{
  ExtractSink *s = user_data;

  if (s->checksum != NULL)
    g_checksum_update (s->checksum, data, len);
  return g_output_stream_write_all (s->out, data, len, NULL, NULL, error);
}

gboolean
petri_zip_reader_extract (PetriZipReader *self, const char *name, GOutputStream *out,
                          guint64 max_size, GChecksum *checksum, GError **error)
{
  ExtractSink s = { out, checksum };

  return copy_entry (self, name, max_size, sink_stream, &s, error);
}

void
petri_zip_reader_free (PetriZipReader *self)
{
  if (self == NULL)
    return;
  zip_discard (self->zip);
  g_free (self->display);
  g_free (self);
}
