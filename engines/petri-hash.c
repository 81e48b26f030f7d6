/* petri-hash.c: streaming hashes and libmagic typing
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-engines.h"

#include <errno.h>
#include <fuzzy.h>
#include <glib/gi18n.h>
#include <unistd.h>
#include <magic.h>
#include <openssl/evp.h>

/* MD5, SHA-1 and SHA-256 through libcrypto's EVP digests (the library
 * libclamav already loads): its assembly (SHA-NI, AVX2) hashes several
 * times faster than GLib's portable C, and every file taken in is hashed
 * once while copied and once more when its stored copy is verified. */
enum
{
  DIGEST_MD5,
  DIGEST_SHA1,
  DIGEST_SHA256,
  N_DIGESTS
};

struct _PetriHasher
{
  EVP_MD_CTX *ctx[N_DIGESTS];
  char hex[N_DIGESTS][EVP_MAX_MD_SIZE * 2 + 1];
  struct fuzzy_state *fuzzy;
  guint64 size;
  char ssdeep[FUZZY_MAX_RESULT];
  gboolean fuzzy_failed;
  gboolean finished;
};

static const EVP_MD *
digest_type (guint i)
{
  switch (i)
    {
    case DIGEST_MD5:
      return EVP_md5 ();
    case DIGEST_SHA1:
      return EVP_sha1 ();
    case DIGEST_SHA256:
    default:
      return EVP_sha256 ();
    }
}

static void
to_hex (const guint8 *digest, guint len, char *out)
{
  static const char digits[] = "0123456789abcdef";

  for (guint i = 0; i < len; i++)
    {
      out[2 * i] = digits[digest[i] >> 4];
      out[2 * i + 1] = digits[digest[i] & 0xf];
    }
  out[2 * len] = '\0';
}

PetriHasher *
petri_hasher_new (void)
{
  PetriHasher *self = g_new0 (PetriHasher, 1);

  for (guint i = 0; i < N_DIGESTS; i++)
    {
      self->ctx[i] = EVP_MD_CTX_new ();
      if (self->ctx[i] == NULL || EVP_DigestInit_ex (self->ctx[i], digest_type (i), NULL) != 1)
        g_error ("libcrypto: cannot start a digest");
    }
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

  for (guint i = 0; i < N_DIGESTS; i++)
    if (EVP_DigestUpdate (self->ctx[i], data, len) != 1)
      g_error ("libcrypto: digest update failed");
  /* Fails only past a length announced with petri_hasher_set_size(): the
   * file grew, which the caller finds out by its size. */
  if (!self->fuzzy_failed && fuzzy_update (self->fuzzy, data, len) != 0)
    self->fuzzy_failed = TRUE;
  self->size += len;
}

void
petri_hasher_set_size (PetriHasher *self, guint64 size)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->size == 0);

  /* ssdeep then skips the block sizes a file of this length cannot use. */
  if (fuzzy_set_total_input_length (self->fuzzy, size) != 0)
    g_debug ("libfuzzy refused the input length %" G_GUINT64_FORMAT, size);
}

void
petri_hasher_finish (PetriHasher *self)
{
  g_return_if_fail (self != NULL);
  if (self->finished)
    return;
  self->finished = TRUE;
  for (guint i = 0; i < N_DIGESTS; i++)
    {
      guint8 digest[EVP_MAX_MD_SIZE];
      unsigned int len = 0;

      if (EVP_DigestFinal_ex (self->ctx[i], digest, &len) != 1)
        g_error ("libcrypto: digest failed");
      to_hex (digest, len, self->hex[i]);
    }
  /* ssdeep of an empty input is "3::", as the ssdeep tool prints it. */
  if (self->fuzzy_failed || fuzzy_digest (self->fuzzy, self->ssdeep, 0) != 0)
    self->ssdeep[0] = '\0';
}

const char *
petri_hasher_get_md5 (PetriHasher *self)
{
  g_return_val_if_fail (self != NULL && self->finished, NULL);
  return self->hex[DIGEST_MD5];
}

const char *
petri_hasher_get_sha1 (PetriHasher *self)
{
  g_return_val_if_fail (self != NULL && self->finished, NULL);
  return self->hex[DIGEST_SHA1];
}

const char *
petri_hasher_get_sha256 (PetriHasher *self)
{
  g_return_val_if_fail (self != NULL && self->finished, NULL);
  return self->hex[DIGEST_SHA256];
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
  for (guint i = 0; i < N_DIGESTS; i++)
    EVP_MD_CTX_free (self->ctx[i]);
  fuzzy_free (self->fuzzy);
  g_free (self);
}

char *
petri_sha256_fd (int fd, guint64 *size, GError **error)
{
  g_autofree guint8 *buf = g_malloc (1024 * 1024);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  guint8 digest[EVP_MAX_MD_SIZE];
  char hex[EVP_MAX_MD_SIZE * 2 + 1];
  unsigned int len = 0;
  guint64 total = 0;

  if (ctx == NULL || EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL) != 1)
    g_error ("libcrypto: cannot start a digest");
  for (;;)
    {
      ssize_t n = read (fd, buf, 1024 * 1024);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
          EVP_MD_CTX_free (ctx);
          return NULL;
        }
      if (n == 0)
        break;
      EVP_DigestUpdate (ctx, buf, n);
      total += (guint64) n;
    }
  EVP_DigestFinal_ex (ctx, digest, &len);
  EVP_MD_CTX_free (ctx);
  to_hex (digest, len, hex);
  if (size != NULL)
    *size = total;
  return g_strdup (hex);
}

/* libmagic handles are not thread-safe: one per thread, loaded on first use
 * and asked twice per file (MIME type, then description). */
static void
magic_free (gpointer data)
{
  magic_close (data);
}

static GPrivate magic_key = G_PRIVATE_INIT (magic_free);

/* MAGIC_NO_CHECK_COMPRESS: never decompress (it can fork a helper);
 * MAGIC_ERROR: report errors instead of printing them. */
#define MAGIC_BASE_FLAGS (MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS)

static magic_t
get_magic (GError **error)
{
  magic_t m = g_private_get (&magic_key);

  if (m != NULL)
    return m;
  m = magic_open (MAGIC_BASE_FLAGS);
  if (m == NULL)
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_LOAD,
                   _ ("libmagic: cannot open: %s"), g_strerror (errno));
      return NULL;
    }
  if (magic_load (m, NULL) != 0)
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_LOAD,
                   _ ("libmagic: cannot load the magic database: %s"), magic_error (m));
      magic_close (m);
      return NULL;
    }
  g_private_set (&magic_key, m);
  return m;
}

gboolean
petri_type_buffer (const guint8 *data, gsize len, char **mime, char **description, GError **error)
{
  magic_t m = get_magic (error);
  const guint8 *buf = data != NULL ? data : (const guint8 *) "";
  const char *result;

  if (m == NULL)
    return FALSE;

  if (mime != NULL)
    {
      magic_setflags (m, MAGIC_BASE_FLAGS | MAGIC_MIME_TYPE);
      result = magic_buffer (m, buf, len);
      if (result == NULL)
        goto failed;
      *mime = g_strdup (result);
    }
  if (description != NULL)
    {
      magic_setflags (m, MAGIC_BASE_FLAGS);
      result = magic_buffer (m, buf, len);
      if (result == NULL)
        goto failed;
      *description = g_strdup (result);
    }
  return TRUE;

failed:
  g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SCAN, "libmagic: %s", magic_error (m));
  if (mime != NULL)
    g_clear_pointer (mime, g_free);
  return FALSE;
}
