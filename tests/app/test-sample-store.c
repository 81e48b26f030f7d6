/* test-sample-store.c: the sample store
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "petri-sample-store.h"

typedef struct
{
  char *dir;
  char *samples;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("petri-samples-XXXXXX", NULL);
  f->samples = g_build_filename (f->dir, "samples", NULL);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("chmod -R u+w '%s'; rm -rf '%s'", f->dir, f->dir);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->samples);
  g_free (f->dir);
}

static char *
write_file (Fixture *f, const char *name, const char *contents, gssize len)
{
  char *path = g_build_filename (f->dir, name, NULL);
  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  return path;
}

static gboolean
ingest_path (Fixture *f, const char *path, PetriStoredSample *out, GError **error)
{
  int fd = petri_sample_store_open_input (path, error);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = petri_sample_store_ingest (f->samples, fd, path, out, error);
  close (fd);
  return ok;
}

static void
test_ingest (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_file (f, "hello.sh", "#!/bin/sh\necho hi\n", -1);
  g_autofree char *expected = NULL;
  g_auto (PetriStoredSample) s = { 0 };
  g_autoptr (GError) error = NULL;
  struct stat st;

  g_assert_cmpint (chmod (path, 0755), ==, 0);
  g_assert_true (ingest_path (f, path, &s, &error));
  g_assert_no_error (error);
  expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "#!/bin/sh\necho hi\n", -1);
  g_assert_cmpstr (s.sha256, ==, expected);
  g_assert_cmpuint (s.size, ==, 18);
  g_assert_true (g_str_has_suffix (s.store_path, expected));
  {
    char prefix[8];
    g_snprintf (prefix, sizeof prefix, "/%.2s/%.2s/", expected, expected + 2);
    g_assert_nonnull (strstr (s.store_path, prefix));
  }
  /* Read-only and never executable, whatever the original's mode. */
  g_assert_cmpint (stat (s.store_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0400);
}

static void
test_dedupe (Fixture *f, gconstpointer data)
{
  g_autofree char *a = write_file (f, "a.bin", "same bytes", -1);
  g_autofree char *b = write_file (f, "b.bin", "same bytes", -1);
  g_auto (PetriStoredSample) s1 = { 0 };
  g_auto (PetriStoredSample) s2 = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *cmd = NULL, *out = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (ingest_path (f, a, &s1, &error));
  g_assert_true (ingest_path (f, b, &s2, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (s1.store_path, ==, s2.store_path);
  cmd = g_strdup_printf ("find '%s' -type f -not -path '*/.incoming/*'", f->samples);
  g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL));
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
}

static void
test_damaged_copy_replaced (Fixture *f, gconstpointer data)
{
  g_autofree char *a = write_file (f, "a.bin", "original content", -1);
  g_auto (PetriStoredSample) s1 = { 0 };
  g_auto (PetriStoredSample) s2 = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;

  g_assert_true (ingest_path (f, a, &s1, &error));
  /* Someone tampers with the stored copy … */
  g_assert_cmpint (chmod (s1.store_path, 0600), ==, 0);
  g_assert_true (g_file_set_contents (s1.store_path, "tampered", -1, NULL));
  /* … the next intake of the same content puts a good copy back. */
  g_assert_true (ingest_path (f, a, &s2, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (s2.store_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "original content");
}

static void
test_empty_file (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_file (f, "empty", "", 0);
  g_auto (PetriStoredSample) s = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_true (ingest_path (f, path, &s, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (s.sha256, ==,
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  g_assert_cmpuint (s.size, ==, 0);
  g_assert_cmpstr (s.ssdeep, ==, "3::");
}

static void
assert_refused (const char *path, const char *reason)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *display = petri_display_name (path);
  int fd = petri_sample_store_open_input (path, &error);

  g_assert_cmpint (fd, <, 0);
  g_assert_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INPUT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, display));
  g_assert_nonnull (strstr (error->message, reason));
}

static void
test_special_files (Fixture *f, gconstpointer data)
{
  g_autofree char *fifo = g_build_filename (f->dir, "fifo", NULL);
  g_autofree char *sock = g_build_filename (f->dir, "sock", NULL);
  g_autofree char *loop = g_build_filename (f->dir, "loop", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing", NULL);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int s;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  assert_refused (fifo, "FIFO");

  s = socket (AF_UNIX, SOCK_STREAM, 0);
  g_strlcpy (addr.sun_path, sock, sizeof addr.sun_path);
  g_assert_cmpint (bind (s, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  assert_refused (sock, "socket");
  close (s);

  assert_refused ("/dev/null", "character device");
  g_assert_cmpint (symlink ("loop", loop), ==, 0);
  assert_refused (loop, "symbolic link loop");
  assert_refused (missing, "No such file");
  assert_refused (f->dir, "folder");
}

static void
test_unreadable (Fixture *f, gconstpointer data)
{
  g_autofree char *path = write_file (f, "secret", "top secret", -1);
  g_auto (PetriStoredSample) s = { 0 };
  g_autoptr (GError) error = NULL;

  if (geteuid () == 0)
    {
      /* root reads everything: use a file whose read fails instead. */
      g_free (path);
      path = g_strdup ("/proc/self/mem");
      g_assert_false (ingest_path (f, path, &s, &error));
    }
  else
    {
      g_assert_cmpint (chmod (path, 0), ==, 0);
      g_assert_cmpint (petri_sample_store_open_input (path, &error), <, 0);
    }
  g_assert_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INPUT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, path));
}

typedef struct
{
  char *path;
  volatile gint stop;
} Scribbler;

static gpointer
scribble (gpointer data)
{
  Scribbler *sc = data;
  int fd = open (sc->path, O_WRONLY);
  guint8 b = 0;

  while (!g_atomic_int_get (&sc->stop))
    {
      g_assert_cmpint (pwrite (fd, &b, 1, 0), ==, 1);
      b++;
      g_usleep (200);
    }
  close (fd);
  return NULL;
}

static void
test_changing_file (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "growing", NULL);
  g_autofree char *chunk = g_strnfill (1024 * 1024, 'x');
  g_auto (PetriStoredSample) s = { 0 };
  g_autoptr (GError) error = NULL;
  Scribbler sc = { path, 0 };
  GThread *thread;
  FILE *fp = fopen (path, "w");
  int fd;

  for (int i = 0; i < 64; i++)
    fwrite (chunk, 1, strlen (chunk), fp);
  fclose (fp);

  fd = petri_sample_store_open_input (path, &error);
  g_assert_no_error (error);
  thread = g_thread_new ("scribbler", scribble, &sc);
  g_usleep (20000);
  g_assert_false (petri_sample_store_ingest (f->samples, fd, path, &s, &error));
  g_atomic_int_set (&sc.stop, 1);
  g_thread_join (thread);
  close (fd);
  g_assert_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INPUT);
  g_assert_nonnull (strstr (error->message, "changed while it was being read"));
  g_assert_null (s.store_path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, setup, func, teardown)
  ADD ("/sample-store/ingest", test_ingest);
  ADD ("/sample-store/dedupe", test_dedupe);
  ADD ("/sample-store/damaged-copy-replaced", test_damaged_copy_replaced);
  ADD ("/sample-store/empty-file", test_empty_file);
  ADD ("/sample-store/special-files", test_special_files);
  ADD ("/sample-store/unreadable", test_unreadable);
  ADD ("/sample-store/changing-file", test_changing_file);
#undef ADD

  return g_test_run ();
}
