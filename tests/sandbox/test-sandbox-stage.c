/* test-sandbox-stage.c: `petri scan` with a sandbox, through the petri binary
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The pool is configured on libvirt's test driver and the agent is played by
 * fake-agent.c in this process, so this runs in any CI in seconds; the real
 * VM is e2e-sandbox.sh's. Checked through `petri show --json`: the analysis
 * and its events are stored, the dropped file became a linked sample, text
 * is not eligible, a second scan does not run a sample again unless asked.
 */
#include "config.h"

#include "fake-agent.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

typedef struct
{
  char *dir, *data, *in, *exe, *exe_sha256, *txt_sha256;
  FakeAgent *agent;
} Fixture;

static const char node_xml[]
    = "<node><domain type='test'><name>vm</name>"
      "<uuid>6695eb01-f6a4-8304-79aa-97f2502e1c01</uuid><memory>262144</memory><vcpu>1</vcpu>"
      "<os><type arch='x86_64'>hvm</type></os><devices>"
      "<channel type='unix'><source mode='bind' path='@DIR@/agent.sock'/>"
      "<target type='virtio' name='org.petri.agent.0'/></channel></devices></domain></node>";

static char *
petri (Fixture *f, int *status, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  const char *exe = g_getenv ("PETRI_EXE");
  const char *arg;
  va_list args;
  int wait_status;

  g_assert_nonnull (exe);
  g_ptr_array_add (argv, (gpointer) exe);
  g_ptr_array_add (argv, "--data-dir");
  g_ptr_array_add (argv, f->data);
  va_start (args, status);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &wait_status, &error));
  g_assert_no_error (error);
  g_test_message ("petri %s: %s", (char *) argv->pdata[3], err);
  *status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  return g_steal_pointer (&out);
}

static JsonObject *
show (Fixture *f, const char *sha256)
{
  int status;
  g_autofree char *out = petri (f, &status, "show", "--json", sha256, NULL);
  g_autoptr (JsonNode) node = json_from_string (out, NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GString) xml = g_string_new (node_xml);
  g_autofree char *node = NULL, *sock = NULL, *conf = NULL, *conf_path = NULL, *txt = NULL;
  static const char script[] = "#!/bin/sh\necho a harmless test script\n";
  static const char text[] = "plain notes, not a program\n";

  f->dir = g_dir_make_tmp ("petri-stage-XXXXXX", NULL);
  f->data = g_build_filename (f->dir, "data", NULL);
  f->in = g_build_filename (f->dir, "in", NULL);
  g_assert_cmpint (g_mkdir (f->data, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (f->in, 0700), ==, 0);
  g_string_replace (xml, "@DIR@", f->dir, 0);
  node = g_build_filename (f->dir, "node.xml", NULL);
  g_assert_true (g_file_set_contents (node, xml->str, -1, NULL));
  sock = g_build_filename (f->dir, "agent.sock", NULL);
  f->agent = fake_agent_new (sock);

  conf = g_strdup_printf ("[sandbox]\nduration = 1\nhandshake_timeout = 5\n"
                          "[vm test]\nuri = test://%s\ndomain = vm\n",
                          node);
  conf_path = g_build_filename (f->data, "sandbox.conf", NULL);
  g_assert_true (g_file_set_contents (conf_path, conf, -1, NULL));

  f->exe = g_build_filename (f->in, "run-me.sh", NULL);
  g_assert_true (g_file_set_contents (f->exe, script, -1, NULL));
  f->exe_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, script, -1);
  txt = g_build_filename (f->in, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (txt, text, -1, NULL));
  f->txt_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  fake_agent_free (f->agent);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  g_free (f->dir);
  g_free (f->data);
  g_free (f->in);
  g_free (f->exe);
  g_free (f->exe_sha256);
  g_free (f->txt_sha256);
}

static guint
n_analyses (JsonObject *sample)
{
  return json_array_get_length (json_object_get_array_member (sample, "analyses"));
}

static void
test_scan (Fixture *f, gconstpointer data)
{
  int status;
  g_autofree char *out = petri (f, &status, "scan", "--json", f->in, NULL);
  g_autoptr (JsonObject) sample = NULL;
  g_autoptr (JsonObject) text = NULL;
  g_autoptr (JsonObject) child = NULL;
  g_autofree char *dropped_sha = NULL;
  JsonObject *a;
  JsonArray *events, *dropped;

  /* No signatures in this data folder: 2 for "not scanned", not a crash. */
  g_assert_cmpint (status, <=, 2);
  g_assert_nonnull (strstr (out, "\"sandbox\":{\"status\":\"done\""));

  sample = show (f, f->exe_sha256);
  g_assert_cmpuint (n_analyses (sample), ==, 1);
  a = json_array_get_object_element (json_object_get_array_member (sample, "analyses"), 0);
  g_assert_cmpstr (json_object_get_string_member (a, "status"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (a, "vm"), ==, "test");
  g_assert_cmpstr (json_object_get_string_member (a, "platform"), ==, "linux");
  g_assert_cmpint (json_object_get_int_member (a, "duration"), ==, 1);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (a, "summary"), "agent"), ==,
      "fake-agent 1");
  events = json_object_get_array_member (a, "events");
  g_assert_cmpuint (json_array_get_length (events), ==, 4);
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (events, 0), "action"), ==,
      "fork");
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (events, 3), "target"), ==,
      "/tmp/dropped.bin");

  /* The dropped file is a sample of the case, linked both ways. */
  dropped_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "dropped content\n", -1);
  dropped = json_object_get_array_member (sample, "dropped");
  g_assert_cmpuint (json_array_get_length (dropped), ==, 1);
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (dropped, 0), "sha256"), ==,
      dropped_sha);
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (dropped, 0), "path"), ==,
      "../../../../etc/evil");
  child = show (f, dropped_sha);
  g_assert_cmpstr (
      json_array_get_string_element (json_object_get_array_member (child, "dropped_by"), 0), ==,
      f->exe_sha256);
  /* Dropped files are not run in their turn. */
  g_assert_cmpuint (n_analyses (child), ==, 0);

  text = show (f, f->txt_sha256);
  g_assert_cmpuint (n_analyses (text), ==, 1);
  a = json_array_get_object_element (json_object_get_array_member (text, "analyses"), 0);
  g_assert_cmpstr (json_object_get_string_member (a, "status"), ==, "not_eligible");
  g_assert_cmpstr (json_object_get_string_member (a, "reason"), ==,
                   "not an executable (text/plain)");
  g_assert_cmpuint (fake_agent_get_sessions (f->agent), ==, 1);

  /* Scanning again runs nothing again… */
  g_free (petri (f, &status, "scan", "--json", f->in, NULL));
  g_assert_cmpuint (fake_agent_get_sessions (f->agent), ==, 1);
  g_clear_pointer (&sample, json_object_unref);
  sample = show (f, f->exe_sha256);
  g_assert_cmpuint (n_analyses (sample), ==, 1);
  g_clear_pointer (&text, json_object_unref);
  text = show (f, f->txt_sha256);
  g_assert_cmpuint (n_analyses (text), ==, 1);

  /* …unless asked, and never with --no-sandbox. */
  g_free (petri (f, &status, "scan", "--no-sandbox", f->exe, NULL));
  g_assert_cmpuint (fake_agent_get_sessions (f->agent), ==, 1);
  g_free (petri (f, &status, "scan", "--sandbox-again", f->exe, NULL));
  g_assert_cmpuint (fake_agent_get_sessions (f->agent), ==, 2);
  g_clear_pointer (&sample, json_object_unref);
  sample = show (f, f->exe_sha256);
  g_assert_cmpuint (n_analyses (sample), ==, 2);
}

static void
test_failure_recorded (Fixture *f, gconstpointer data)
{
  int status;
  g_autofree char *out = NULL;
  g_autoptr (JsonObject) sample = NULL;
  JsonObject *a;

  /* The guest dies after three events: the analysis fails with the reason,
   * and the three events stay. */
  fake_agent_set_mode (f->agent, FAKE_AGENT_DIE_MID_RUN);
  out = petri (f, &status, "scan", "--json", f->exe, NULL);
  g_assert_nonnull (strstr (out, "\"sandbox\":{\"status\":\"failed\""));
  sample = show (f, f->exe_sha256);
  a = json_array_get_object_element (json_object_get_array_member (sample, "analyses"), 0);
  g_assert_cmpstr (json_object_get_string_member (a, "status"), ==, "failed");
  g_assert_nonnull (strstr (json_object_get_string_member (a, "reason"), "closed the connection"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (a, "events")), ==, 3);
  g_assert_false (json_node_is_null (json_object_get_member (a, "finished")));

  /* A failed analysis does not count as analysed. */
  fake_agent_set_mode (f->agent, FAKE_AGENT_NORMAL);
  g_free (petri (f, &status, "scan", f->exe, NULL));
  g_clear_pointer (&sample, json_object_unref);
  sample = show (f, f->exe_sha256);
  g_assert_cmpuint (n_analyses (sample), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/sandbox/stage/scan", Fixture, NULL, fixture_set_up, test_scan, fixture_tear_down);
  g_test_add ("/sandbox/stage/failure-recorded", Fixture, NULL, fixture_set_up,
              test_failure_recorded, fixture_tear_down);
  return g_test_run ();
}
