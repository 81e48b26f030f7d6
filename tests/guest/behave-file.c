/* behave-file.c: file activity for the monitor tests
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   behave-file DIR
 * Creates, writes, renames, chmods and deletes files inside DIR (which must
 * exist and be empty), one of them relative to a directory descriptor, two
 * of them written by copies the kernel makes (copy_file_range, sendfile),
 * and reads /etc/passwd. Harmless.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

static void
put (const char *dir, const char *name, const char *text, int flags)
{
  char path[4096];
  int fd;

  snprintf (path, sizeof path, "%s/%s", dir, name);
  fd = open (path, flags, 0644);
  if (fd < 0)
    {
      perror (path);
      exit (1);
    }
  if (write (fd, text, strlen (text)) < 0)
    exit (1);
  close (fd);
}

int
main (int argc, char **argv)
{
  char a[4096], b[4096], c[4096], sub[4096], buf[64];
  int dfd, fd;

  if (argc != 2)
    return 2;
  put (argv[1], "a.txt", "alpha\n", O_WRONLY | O_CREAT | O_EXCL);
  put (argv[1], "b.txt", "beta\n", O_WRONLY | O_CREAT | O_TRUNC);
  snprintf (a, sizeof a, "%s/a.txt", argv[1]);
  snprintf (b, sizeof b, "%s/b.txt", argv[1]);
  snprintf (c, sizeof c, "%s/c.txt", argv[1]);
  snprintf (sub, sizeof sub, "%s/sub", argv[1]);
  /* an existing file written again: a write, not a creation */
  put (argv[1], "a.txt", "alpha again\n", O_WRONLY | O_APPEND);
  if (rename (a, c) != 0 || chmod (c, 0600) != 0 || unlink (b) != 0)
    return 1;
  if (mkdir (sub, 0755) != 0)
    return 1;
  dfd = open (sub, O_RDONLY | O_DIRECTORY);
  fd = openat (dfd, "d.bin", O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (dfd < 0 || fd < 0 || write (fd, "d", 1) != 1)
    return 1;
  close (fd);
  if (unlinkat (dfd, "d.bin", 0) != 0)
    return 1;
  close (dfd);
  if (rmdir (sub) != 0)
    return 1;
  fd = creat (b, 0644); /* the legacy call */
  if (fd < 0)
    return 1;
  close (fd);
  /* Copies made by the kernel write too. */
  {
    char e[4096], f[4096];
    int in = open (c, O_RDONLY), out;

    snprintf (e, sizeof e, "%s/e.txt", argv[1]);
    snprintf (f, sizeof f, "%s/f.txt", argv[1]);
    out = open (e, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (in < 0 || out < 0 || copy_file_range (in, NULL, out, NULL, 4, 0) != 4)
      return 1;
    close (out);
    out = open (f, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (out < 0 || lseek (in, 0, SEEK_SET) != 0 || sendfile (out, in, NULL, 4) != 4)
      return 1;
    close (out);
    close (in);
  }
  fd = open ("/etc/passwd", O_RDONLY);
  if (fd >= 0)
    {
      if (read (fd, buf, sizeof buf) < 0)
        return 1;
      close (fd);
    }
  return 0;
}
