/* test-agent-protocol.c: the agent's side of the protocol, on this host
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Starts `petri-agent --port SOCKET` against a unix socket this test
 * listens on, and speaks the protocol as the host would: stale frames and
 * garbage before the handshake, upload errors, a run streamed as it
 * happens, a run killed at its deadline with its whole process tree, and
 * POWEROFF (which only ends the agent outside a guest). The runs need root
 * and BPF and are skipped without them.
 */
#define _GNU_SOURCE
#include "config.h"

#include "agent-client.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

typedef struct
{
  char *dir;
  char *workdir;
  GSubprocess *agent;
  AgentClient *client;
  JsonObject *ack;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sock_path = NULL;
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  struct pollfd pfd;
  int lfd, fd;

  f->dir = g_dir_make_tmp ("petri-agent-proto-XXXXXX", &error);
  g_assert_no_error (error);
  f->workdir = g_build_filename (f->dir, "work", NULL);
  sock_path = g_build_filename (f->dir, "agent.sock", NULL);
  lfd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (lfd, >=, 0);
  g_strlcpy (sun.sun_path, sock_path, sizeof sun.sun_path);
  g_assert_cmpint (bind (lfd, (struct sockaddr *) &sun, sizeof sun), ==, 0);
  g_assert_cmpint (listen (lfd, 1), ==, 0);
  f->agent = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, g_getenv ("PETRI_AGENT"), "--port",
                               sock_path, "--workdir", f->workdir, NULL);
  g_assert_no_error (error);
  pfd = (struct pollfd){ lfd, POLLIN, 0 };
  g_assert_cmpint (poll (&pfd, 1, 20000), ==, 1);
  fd = accept4 (lfd, NULL, NULL, SOCK_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  close (lfd);
  f->client = agent_client_new (fd);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_clear_pointer (&f->ack, json_object_unref);
  g_clear_pointer (&f->client, agent_client_free);
  if (f->agent != NULL)
    {
      g_subprocess_force_exit (f->agent);
      g_subprocess_wait (f->agent, NULL, NULL);
      g_clear_object (&f->agent);
    }
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->workdir);
  g_free (f->dir);
}

static gboolean
monitor_ready (Fixture *f)
{
  if (g_strcmp0 (json_object_get_string_member (f->ack, "monitor"), "ebpf") != 0)
    {
      g_autofree char *msg = g_strdup_printf (
          "no monitor in the agent: %s",
          json_object_get_string_member_with_default (f->ack, "monitor_error", "?"));
      g_test_skip (msg);
      return FALSE;
    }
  return TRUE;
}

/* Nothing must come within ms. */
static void
assert_silent (Fixture *f, guint ms)
{
  g_autoptr (GError) error = NULL;
  guint type;

  g_assert_false (agent_client_recv (f->client, ms, &type, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static void
expect_error (Fixture *f, const char *substring)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) o = NULL;
  guint type = 0;

  g_assert_true (agent_client_recv (f->client, 10000, &type, NULL, &o, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (type, ==, PETRI_AGENT_MSG_ERROR);
  if (strstr (json_object_get_string_member (o, "message"), substring) == NULL)
    g_error ("ERROR “%s” does not mention “%s”", json_object_get_string_member (o, "message"),
             substring);
}

static void
test_handshake (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *stale_hello = "{\"nonce\":\"00112233445566778899aabbccddeeff\",\"version\":1}";
  const char *stale_run = "{\"name\":\"x\",\"duration\":5}";
  const guint8 garbage[] = "\x00\x01PTRXgarbage\xff\xfe";

  /* Left over from an earlier host: ignored or answered, never confusing. */
  g_assert_true (
      agent_client_send (f->client, PETRI_AGENT_MSG_RUN, stale_run, strlen (stale_run), &error));
  g_assert_true (agent_client_send (f->client, PETRI_AGENT_MSG_HELLO, stale_hello,
                                    strlen (stale_hello), &error));
  f->ack = agent_client_handshake (f->client, 20000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (f->ack, "version"), ==,
                   PETRI_AGENT_PROTOCOL_VERSION);
  g_assert_cmpstr (json_object_get_string_member (f->ack, "platform"), ==, "linux");
  g_assert_true (
      g_str_has_prefix (json_object_get_string_member (f->ack, "agent"), "petri-agent "));
  g_assert_nonnull (json_object_get_string_member (f->ack, "kernel"));

  /* Garbage drops the session: a command is then ignored until HELLO. */
  g_assert_true (agent_client_send_raw (f->client, garbage, sizeof garbage, &error));
  g_assert_true (agent_client_send (f->client, PETRI_AGENT_MSG_PUT_END, "{}", 2, &error));
  assert_silent (f, 700);
  g_clear_pointer (&f->ack, json_object_unref);
  f->ack = agent_client_handshake (f->client, 20000, &error);
  g_assert_no_error (error);
  g_assert_true (agent_client_send (f->client, PETRI_AGENT_MSG_PUT_END, "{}", 2, &error));
  expect_error (f, "PUT_END without PUT_BEGIN");

  /* An oversized header is refused the same way. */
  {
    const guint8 huge[PETRI_AGENT_HEADER_SIZE] = { 'P', 'T', 'R', 'A', 3, 0, 0, 0, 0, 0, 0, 0x7f };
    g_assert_true (agent_client_send_raw (f->client, huge, sizeof huge, &error));
    g_assert_true (agent_client_send (f->client, PETRI_AGENT_MSG_PUT_END, "{}", 2, &error));
    assert_silent (f, 500);
  }
  g_clear_pointer (&f->ack, json_object_unref);
  f->ack = agent_client_handshake (f->client, 20000, &error);
  g_assert_no_error (error);

  /* POWEROFF outside a guest ends the agent. */
  g_assert_true (agent_client_send (f->client, PETRI_AGENT_MSG_POWEROFF, "{}", 2, &error));
  g_assert_true (g_subprocess_wait (f->agent, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (f->agent));
  g_assert_cmpint (g_subprocess_get_exit_status (f->agent), ==, 0);
}

static void
test_upload_errors (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) blob = g_bytes_new_static ("#!/bin/sh\nexit 0\n", 17);
  g_autoptr (JsonObject) reply = NULL;
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, blob);
  g_autofree char *stored = g_build_filename (f->workdir, "ok.sh", NULL);
  const char *msgs[][2] = {
    { "{\"name\":\"../evil\",\"size\":1,\"sha256\":\"00\"}", "name" },
    { "{\"name\":\"big\",\"size\":99999999999,\"sha256\":\"00\"}", "size" },
    { "{\"name\":\"x\",\"size\":1,\"sha256\":\"XYZ\"}", "sha256" },
    { "{\"name\":\"x\",\"size\":\"1\"}", "size" },
    { "[1,2]", "not a JSON object" },
    { "{\"name\":\"x\",", "not a JSON object" },
  };
  guint type = 0;

  f->ack = agent_client_handshake (f->client, 20000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (msgs); i++)
    {
      g_assert_true (agent_client_send (f->client, PETRI_AGENT_MSG_PUT_BEGIN, msgs[i][0],
                                        strlen (msgs[i][0]), &error));
      expect_error (f, msgs[i][1]);
    }
  g_assert_true (agent_client_send (f->client, PETRI_AGENT_MSG_PUT_DATA, "x", 1, &error));
  expect_error (f, "PUT_DATA without PUT_BEGIN");
  g_assert_true (agent_client_send (f->client, PETRI_AGENT_MSG_EVENT, "{}", 2, &error));
  expect_error (f, "unexpected EVENT");

  /* wrong checksum: refused, nothing left behind */
  g_assert_true (agent_client_upload (
      f->client, "ok.sh", blob, "0000000000000000000000000000000000000000000000000000000000000000",
      &type, &reply, &error));
  g_assert_cmpuint (type, ==, PETRI_AGENT_MSG_ERROR);
  g_assert_nonnull (strstr (json_object_get_string_member (reply, "message"), "sha256 mismatch"));
  g_assert_false (g_file_test (stored, G_FILE_TEST_EXISTS));
  g_clear_pointer (&reply, json_object_unref);

  /* a RUN of something never uploaded */
  {
    const char *run = "{\"name\":\"ok.sh\",\"args\":[],\"duration\":5}";
    g_assert_true (agent_client_send (f->client, PETRI_AGENT_MSG_RUN, run, strlen (run), &error));
    expect_error (f, "");
  }

  /* right checksum */
  g_assert_true (agent_client_upload (f->client, "ok.sh", blob, NULL, &type, &reply, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (type, ==, PETRI_AGENT_MSG_OK);
  g_assert_cmpstr (json_object_get_string_member (reply, "sha256"), ==, sha);
  g_assert_true (g_file_test (stored, G_FILE_TEST_IS_EXECUTABLE));

  /* more data than announced */
  {
    const char *begin = "{\"name\":\"short\",\"size\":2,\"sha256\":"
                        "\"0000000000000000000000000000000000000000000000000000000000000000\"}";
    g_assert_true (
        agent_client_send (f->client, PETRI_AGENT_MSG_PUT_BEGIN, begin, strlen (begin), &error));
    g_assert_true (agent_client_send (f->client, PETRI_AGENT_MSG_PUT_DATA, "abc", 3, &error));
    expect_error (f, "more than the announced");
  }
  /* RUN with bad fields */
  {
    const char *bad_runs[][2] = {
      { "{\"name\":\"ok.sh\",\"duration\":0}", "duration" },
      { "{\"name\":\"ok.sh\",\"duration\":5,\"args\":[1]}", "argument" },
      { "{\"name\":\"ok.sh\",\"duration\":5,\"args\":\"x\"}", "args" },
      { "{\"name\":\"ok.sh\",\"duration\":5,\"collect_max\":-1}", "collect_max" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad_runs); i++)
      {
        g_assert_true (agent_client_send (f->client, PETRI_AGENT_MSG_RUN, bad_runs[i][0],
                                          strlen (bad_runs[i][0]), &error));
        expect_error (f, bad_runs[i][1]);
      }
  }
}

static GBytes *
read_behave (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("PETRI_BEHAVE_DIR"), name, NULL);
  g_autoptr (GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
test_run (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) sample = read_behave ("behave-guest");
  g_autoptr (JsonObject) reply = NULL;
  g_autofree char *dropped = NULL;
  g_autofree char *temp = NULL;
  AgentRun run = { 0 };
  const char *args[] = { NULL, NULL };
  GBytes *collected;
  gint64 t0;
  guint type = 0;

  f->ack = agent_client_handshake (f->client, 20000, &error);
  g_assert_no_error (error);
  if (!monitor_ready (f))
    return;
  g_assert_true (
      agent_client_upload (f->client, "behave-guest", sample, NULL, &type, &reply, &error));
  g_assert_cmpuint (type, ==, PETRI_AGENT_MSG_OK);
  args[0] = f->workdir;
  t0 = g_get_monotonic_time ();
  g_assert_true (agent_client_run (f->client, "behave-guest", args, 30, 60000, &run, &error));
  g_assert_no_error (error);
  /* the tree finished by itself: the run ends early */
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (json_object_get_int_member (run.done, "exit_status"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (run.done, "events"), ==, run.events->len);
  g_assert_cmpint (json_object_get_int_member (run.done, "dropped"), ==, 0);

  dropped = g_build_filename (f->workdir, "petri-dropped.txt", NULL);
  temp = g_build_filename (f->workdir, "petri-temp.txt", NULL);
  g_assert_nonnull (agent_run_find (&run, "process", "exec", "behave-guest"));
  g_assert_nonnull (agent_run_find (&run, "process", "fork", NULL));
  g_assert_nonnull (agent_run_find (&run, "file", "create", temp));
  g_assert_nonnull (agent_run_find (&run, "file", "delete", temp));
  g_assert_nonnull (agent_run_find (&run, "file", "create", dropped));
  g_assert_nonnull (agent_run_find (&run, "network", "connect", "127.0.0.1:9"));
  g_assert_nonnull (agent_run_find (&run, "driver", "ioctl", "/dev/urandom"));
  g_assert_nonnull (agent_run_find (&run, "evasion", "probe", "/sys/hypervisor"));
  g_assert_nonnull (agent_run_find (&run, "evasion", "probe", "/proc/cpuinfo"));

  /* the dropped file came back, the deleted one did not */
  collected = g_hash_table_lookup (run.files, dropped);
  g_assert_nonnull (collected);
  g_assert_cmpmem (g_bytes_get_data (collected, NULL), g_bytes_get_size (collected),
                   "dropped by the sample\n", 22);
  g_assert_false (g_hash_table_contains (run.files, temp));
  agent_run_clear (&run);
}

/* A sample that outlives its time is killed with everything it started. */
static void
test_run_deadline (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) script
      = g_bytes_new_static ("#!/bin/sh\nsleep 300 &\n(setsid sleep 301 &)\nsleep 302\n", 53);
  g_autoptr (JsonObject) reply = NULL;
  AgentRun run = { 0 };
  guint type = 0, forks = 0;
  gint64 t0;

  f->ack = agent_client_handshake (f->client, 20000, &error);
  g_assert_no_error (error);
  if (!monitor_ready (f))
    return;
  g_assert_true (agent_client_upload (f->client, "sleeper", script, NULL, &type, &reply, &error));
  g_assert_cmpuint (type, ==, PETRI_AGENT_MSG_OK);
  t0 = g_get_monotonic_time ();
  g_assert_true (agent_client_run (f->client, "sleeper", NULL, 2, 30000, &run, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 8 * G_USEC_PER_SEC);
  g_assert_cmpint (json_object_get_int_member (run.done, "exit_status"), ==, 128 + SIGKILL);
  /* every process of the tree, even the one that left the session, is gone */
  for (guint i = 0; i < run.events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (run.events, i);
      if (g_str_equal (json_object_get_string_member (o, "action"), "fork"))
        {
          g_autofree char *proc
              = g_strdup_printf ("/proc/%" G_GINT64_FORMAT, json_object_get_int_member (o, "pid"));
          g_autofree char *stat_path = g_build_filename (proc, "stat", NULL);
          g_autofree char *stat = NULL;

          forks++;
          if (g_file_get_contents (stat_path, &stat, NULL, NULL))
            g_assert_null (strstr (stat, "sleep")); /* a recycled pid is someone else */
        }
    }
  g_assert_cmpuint (forks, >=, 3);
  g_assert_nonnull (agent_run_find (&run, "process", "exec", "sleep"));
  agent_run_clear (&run);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  g_test_add ("/guest/protocol/handshake", Fixture, NULL, fixture_set_up, test_handshake,
              fixture_tear_down);
  g_test_add ("/guest/protocol/upload-errors", Fixture, NULL, fixture_set_up, test_upload_errors,
              fixture_tear_down);
  g_test_add ("/guest/protocol/run", Fixture, NULL, fixture_set_up, test_run, fixture_tear_down);
  g_test_add ("/guest/protocol/run-deadline", Fixture, NULL, fixture_set_up, test_run_deadline,
              fixture_tear_down);
  return g_test_run ();
}
