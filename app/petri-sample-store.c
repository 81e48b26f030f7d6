/* petri-sample-store.c: one read-only copy of every sample, named by its hash
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Petri never executes a sample, nor hands it to another program, on the
 * host: files are only read, copied and mapped.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include "config.h"

#include "petri-sample-store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_CHUNK (1024 * 1024)

void
petri_stored_sample_clear (PetriStoredSample *s)
{
  g_clear_pointer (&s->sha256, g_free);
  g_clear_pointer (&s->sha1, g_free);
  g_clear_pointer (&s->md5, g_free);
  g_clear_pointer (&s->ssdeep, g_free);
  g_clear_pointer (&s->store_path, g_free);
  s->size = 0;
}

char *
petri_sample_store_path (const char *samples_dir, const char *sha256)
{
  char a[3] = { sha256[0], sha256[1], 0 };
  char b[3] = { sha256[2], sha256[3], 0 };

  return g_build_filename (samples_dir, a, b, sha256, NULL);
}

static const char *
file_kind (mode_t mode)
{
  if (S_ISFIFO (mode))
    return _ ("a FIFO");
  if (S_ISSOCK (mode))
    return _ ("a socket");
  if (S_ISCHR (mode))
    return _ ("a character device");
  if (S_ISBLK (mode))
    return _ ("a block device");
  if (S_ISDIR (mode))
    return _ ("a folder");
  return _ ("not a regular file");
}

static gboolean
input_error (const char *path, const char *reason, GError **error)
{
  g_autofree char *display = petri_display_name (path);

  g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INPUT, "%s: %s", display, reason);
  return FALSE;
}

int
petri_sample_store_open_input (const char *path, GError **error)
{
  struct stat st;
  int fd;

  /* stat follows symlinks; a loop gives ELOOP here. */
  if (stat (path, &st) != 0)
    {
      int saved = errno;
      if (saved == ELOOP)
        input_error (path, _ ("symbolic link loop (too many levels of symbolic links)"), error);
      else
        input_error (path, g_strerror (saved), error);
      return -1;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_autofree char *reason
          = g_strdup_printf (_ ("skipped: %s, not a regular file"), file_kind (st.st_mode));
      input_error (path, reason, error);
      return -1;
    }
  fd = open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    {
      input_error (path, g_strerror (errno), error);
      return -1;
    }
  /* The path may have been swapped for something else in between. */
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_autofree char *reason
          = g_strdup_printf (_ ("skipped: %s, not a regular file"), file_kind (st.st_mode));
      close (fd);
      input_error (path, reason, error);
      return -1;
    }
  /* Regular files ignore O_NONBLOCK, but clear it anyway. */
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return fd;
}

static gboolean
same_file_state (const struct stat *a, const struct stat *b)
{
  return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec
         && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec
         && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec && a->st_ino == b->st_ino;
}

static gboolean
write_all (int fd, const guint8 *buf, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      buf += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* SHA-256 of a stored file, read back from disk. */
static char *
hash_file (const char *path, guint64 *size, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  char *sha256;

  if (fd < 0)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_FAILED,
                   _ ("Cannot read the stored copy “%s”: %s"), path, g_strerror (errno));
      return NULL;
    }
  sha256 = petri_sha256_fd (fd, size, &local_error);
  close (fd);
  if (sha256 == NULL)
    g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_FAILED,
                 _ ("Cannot read the stored copy “%s”: %s"), path, local_error->message);
  return sha256;
}

static gboolean
verify_stored (const char *path, const char *sha256, guint64 size, GError **error)
{
  guint64 got_size = 0;
  g_autofree char *got = hash_file (path, &got_size, error);

  if (got == NULL)
    return FALSE;
  if (got_size != size || strcmp (got, sha256) != 0)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_FAILED,
                   _ ("The stored copy “%s” does not match its hash"), path);
      return FALSE;
    }
  return TRUE;
}

/* Gives the finished copy its name; fails with EEXIST when it has one. */
static int
link_into_place (int fd, const char *tmp, const char *final)
{
  char proc[64];

  if (tmp != NULL)
    return link (tmp, final);
  g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  return linkat (AT_FDCWD, proc, AT_FDCWD, final, AT_SYMLINK_FOLLOW);
}

gboolean
petri_sample_store_ingest (const char *samples_dir, int fd, const char *display_path,
                           PetriStoredSample *out, GError **error)
{
  g_autoptr (PetriHasher) hasher = petri_hasher_new ();
  g_autofree guint8 *buf = g_malloc (COPY_CHUNK);
  g_autofree char *incoming = g_build_filename (samples_dir, ".incoming", NULL);
  g_autofree char *tmp = NULL, *final = NULL, *dir = NULL;
  struct stat before, after;
  int out_fd;
  gboolean ok = FALSE, verified = FALSE;

  g_return_val_if_fail (out != NULL, FALSE);

  if (fstat (fd, &before) != 0)
    return input_error (display_path, g_strerror (errno), error);
  if (g_mkdir_with_parents (incoming, 0700) != 0)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_FAILED,
                   _ ("Cannot create the sample store folder “%s”: %s"), incoming,
                   g_strerror (errno));
      return FALSE;
    }
  /* An unnamed file, linked into place once complete (no name to clean up
   * after a crash); a named temporary where the file system has no
   * O_TMPFILE. */
  out_fd = open (incoming, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (out_fd < 0)
    {
      tmp = g_build_filename (incoming, "sample-XXXXXX", NULL);
      out_fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
    }
  if (out_fd < 0)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_FAILED,
                   _ ("Cannot write to the sample store “%s”: %s"), incoming, g_strerror (errno));
      return FALSE;
    }

  petri_hasher_set_size (hasher, (guint64) before.st_size);
  for (;;)
    {
      ssize_t n = read (fd, buf, COPY_CHUNK);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          input_error (display_path, g_strerror (errno), error);
          goto out;
        }
      if (n == 0)
        break;
      petri_hasher_update (hasher, buf, n);
      if (!write_all (out_fd, buf, n))
        {
          g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_FAILED,
                       _ ("Cannot write to the sample store “%s”: %s"), tmp, g_strerror (errno));
          goto out;
        }
    }
  petri_hasher_finish (hasher);

  if (fstat (fd, &after) != 0 || !same_file_state (&before, &after)
      || petri_hasher_get_size (hasher) != (guint64) after.st_size)
    {
      input_error (display_path, _ ("the file changed while it was being read; nothing was stored"),
                   error);
      goto out;
    }

  out->sha256 = g_strdup (petri_hasher_get_sha256 (hasher));
  out->sha1 = g_strdup (petri_hasher_get_sha1 (hasher));
  out->md5 = g_strdup (petri_hasher_get_md5 (hasher));
  out->ssdeep = g_strdup (petri_hasher_get_ssdeep (hasher));
  out->size = petri_hasher_get_size (hasher);

  final = petri_sample_store_path (samples_dir, out->sha256);
  dir = g_path_get_dirname (final);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_FAILED,
                   _ ("Cannot create the sample store folder “%s”: %s"), dir, g_strerror (errno));
      goto out;
    }
  /* Never executable, and read-only. */
  if (fchmod (out_fd, 0400) != 0)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_FAILED,
                   _ ("Cannot protect the stored copy “%s”: %s"), tmp, g_strerror (errno));
      goto out;
    }

  /* Stored once: link() refuses to replace a copy another worker (or an
   * earlier intake) already made. */
  if (link_into_place (out_fd, tmp, final) != 0)
    {
      if (errno != EEXIST)
        {
          g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_FAILED,
                       _ ("Cannot store the sample as “%s”: %s"), final, g_strerror (errno));
          goto out;
        }
      /* Already there: keep it if it is intact, else put this copy instead. */
      verified = verify_stored (final, out->sha256, out->size, NULL);
      if (!verified)
        {
          if (g_chmod (final, 0600) != 0 && errno != ENOENT)
            {
              g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_FAILED,
                           _ ("Cannot replace the damaged stored copy “%s”: %s"), final,
                           g_strerror (errno));
              goto out;
            }
          if ((unlink (final) != 0 && errno != ENOENT) || link_into_place (out_fd, tmp, final) != 0)
            {
              g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_FAILED,
                           _ ("Cannot store the sample as “%s”: %s"), final, g_strerror (errno));
              goto out;
            }
        }
    }

  if (!verified && !verify_stored (final, out->sha256, out->size, error))
    goto out;

  out->store_path = g_steal_pointer (&final);
  ok = TRUE;

out:
  close (out_fd);
  if (tmp != NULL)
    g_unlink (tmp);
  if (!ok)
    petri_stored_sample_clear (out);
  return ok;
}
