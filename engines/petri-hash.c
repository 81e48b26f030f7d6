/* petri-hash.c: streaming hashes and libmagic typing
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-engines.h"

#include <fuzzy.h>
#include <magic.h>

struct _PetriHasher
{
  GChecksum *md5;
  GChecksum *sha1;
  GChecksum *sha256;
  struct fuzzy_state *fuzzy;
  guint64 size;
  char ssdeep[FUZZY_MAX_RESULT];
  gboolean finished;
};

PetriHasher *
petri_hasher_new (void)
{
  PetriHasher *self = g_new0 (PetriHasher, 1);

  self->md5 = g_checksum_new (G_CHECKSUM_MD5);
  self->sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  self->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  self->fuzzy = fuzzy_new ();
  if (self->fuzzy == NULL)
    g_error ("libfuzzy: out of memory");
  return self;
}

void
petri_hasher_update (PetriHasher *self, const guint8 *data, gsize len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->finished);

  while (len > 0)
    {
      /* GChecksum takes a gssize. */
      gsize chunk = MIN (len, (gsize) G_MAXINT32);

      g_checksum_update (self->md5, data, chunk);
      g_checksum_update (self->sha1, data, chunk);
      g_checksum_update (self->sha256, data, chunk);
      if (fuzzy_update (self->fuzzy, data, chunk) != 0)
        g_error ("libfuzzy: update failed");
      self->size += chunk;
      data += chunk;
      len -= chunk;
    }
}

void
petri_hasher_finish (PetriHasher *self)
{
  g_return_if_fail (self != NULL);
  if (self->finished)
    return;
  self->finished = TRUE;
  /* ssdeep of an empty input is "3::", as the ssdeep tool prints it. */
  if (fuzzy_digest (self->fuzzy, self->ssdeep, 0) != 0)
    self->ssdeep[0] = '\0';
}

const char *
petri_hasher_get_md5 (PetriHasher *self)
{
  g_return_val_if_fail (self != NULL && self->finished, NULL);
  return g_checksum_get_string (self->md5);
}

const char *
petri_hasher_get_sha1 (PetriHasher *self)
{
  g_return_val_if_fail (self != NULL && self->finished, NULL);
  return g_checksum_get_string (self->sha1);
}

const char *
petri_hasher_get_sha256 (PetriHasher *self)
{
  g_return_val_if_fail (self != NULL && self->finished, NULL);
  return g_checksum_get_string (self->sha256);
}

const char *
petri_hasher_get_ssdeep (PetriHasher *self)
{
  g_return_val_if_fail (self != NULL && self->finished, NULL);
  return self->ssdeep;
}

guint64
petri_hasher_get_size (PetriHasher *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->size;
}

void
petri_hasher_free (PetriHasher *self)
{
  if (self == NULL)
    return;
  g_checksum_free (self->md5);
  g_checksum_free (self->sha1);
  g_checksum_free (self->sha256);
  fuzzy_free (self->fuzzy);
  g_free (self);
}

/* libmagic handles are not thread-safe: one per thread, loaded on first use. */
typedef struct
{
  magic_t mime;
  magic_t description;
} MagicPair;

static void
magic_pair_free (gpointer data)
{
  MagicPair *pair = data;

  if (pair->mime != NULL)
    magic_close (pair->mime);
  if (pair->description != NULL)
    magic_close (pair->description);
  g_free (pair);
}

static GPrivate magic_key = G_PRIVATE_INIT (magic_pair_free);

static magic_t
open_magic (int flags, GError **error)
{
  /* MAGIC_NO_CHECK_COMPRESS: never decompress (it can fork a helper);
   * MAGIC_ERROR: report errors instead of printing them. */
  magic_t m = magic_open (flags | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS);

  if (m == NULL)
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_LOAD, "libmagic: cannot open: %s",
                   g_strerror (errno));
      return NULL;
    }
  if (magic_load (m, NULL) != 0)
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_LOAD,
                   "libmagic: cannot load the magic database: %s", magic_error (m));
      magic_close (m);
      return NULL;
    }
  return m;
}

static MagicPair *
get_magic (GError **error)
{
  MagicPair *pair = g_private_get (&magic_key);

  if (pair != NULL)
    return pair;

  pair = g_new0 (MagicPair, 1);
  pair->mime = open_magic (MAGIC_MIME_TYPE, error);
  if (pair->mime != NULL)
    pair->description = open_magic (MAGIC_NONE, error);
  if (pair->description == NULL)
    {
      magic_pair_free (pair);
      return NULL;
    }
  g_private_set (&magic_key, pair);
  return pair;
}

gboolean
petri_type_buffer (const guint8 *data, gsize len, char **mime, char **description, GError **error)
{
  MagicPair *pair = get_magic (error);
  const char *m, *d;

  if (pair == NULL)
    return FALSE;

  /* libmagic reads at most its configured bytes (1 MiB by default). */
  m = magic_buffer (pair->mime, data != NULL ? data : (const guint8 *) "", len);
  d = magic_buffer (pair->description, data != NULL ? data : (const guint8 *) "", len);
  if (m == NULL || d == NULL)
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SCAN, "libmagic: %s",
                   magic_error (m == NULL ? pair->mime : pair->description));
      return FALSE;
    }
  if (mime != NULL)
    *mime = g_strdup (m);
  if (description != NULL)
    *description = g_strdup (d);
  return TRUE;
}
