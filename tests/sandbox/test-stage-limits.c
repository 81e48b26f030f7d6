/* test-stage-limits.c: the sandbox's limits apply to the next sample
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One long-lived pipeline with the sandbox stage attached (as the window
 * has), on libvirt's test driver with fake-agent.c as the guest. Between
 * two intakes the limits in sandbox.conf change, as the Preferences dialog
 * changes them: the next sample runs for the new duration (the agent is
 * told it, the analysis records it), and a sample over the new size limit
 * is not eligible — without restarting anything.
 */
#include "config.h"

#include "fake-agent.h"
#include "petri-app.h"
#include "petri-sandbox-stage.h"
#include "petri-sandbox.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

static const char node_xml[]
    = "<node><domain type='test'><name>vm</name>"
      "<uuid>6695eb01-f6a4-8304-79aa-97f2502e1c02</uuid><memory>262144</memory><vcpu>1</vcpu>"
      "<os><type arch='x86_64'>hvm</type></os><devices>"
      "<channel type='unix'><source mode='bind' path='@DIR@/agent.sock'/>"
      "<target type='virtio' name='org.petri.agent.0'/></channel></devices></domain></node>";

static void
idle_cb (PetriPipeline *pipeline, gpointer data)
{
  g_main_loop_quit (data);
}

static char *
write_script (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = g_strdup_printf ("#!/bin/sh\necho %s, a harmless test script\n", name);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static void
take_in (PetriPipeline *pipeline, GMainLoop *loop, const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  const char *paths[] = { path, NULL };

  petri_pipeline_add_paths (pipeline, "limits", paths);
  g_main_loop_run (loop);
}

static JsonObject *
only_analysis (PetriContext *context, const char *sha256)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = petri_case_store_query_sync (
      petri_context_get_store (context), PETRI_QUERY_SAMPLE, sha256, NULL, &error);
  JsonArray *analyses;

  g_assert_no_error (error);
  g_assert_nonnull (node);
  analyses = json_object_get_array_member (json_node_get_object (node), "analyses");
  g_assert_cmpuint (json_array_get_length (analyses), ==, 1);
  return json_object_ref (json_array_get_object_element (analyses, 0));
}

static void
test_limits_apply_to_next_sample (void)
{
  g_autofree char *dir = g_dir_make_tmp ("petri-limits-XXXXXX", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *in = g_build_filename (dir, "in", NULL);
  g_autofree char *node = g_build_filename (dir, "node.xml", NULL);
  g_autofree char *sock = g_build_filename (dir, "agent.sock", NULL);
  g_autofree char *conf_path = NULL, *conf = NULL, *cmd = NULL;
  g_autofree char *first = NULL, *second = NULL, *third = NULL;
  g_autoptr (GString) xml = g_string_new (node_xml);
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriContext) context = NULL;
  g_autoptr (PetriPipeline) pipeline = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (JsonObject) a = NULL;
  PetriSandboxLimits limits;
  FakeAgent *agent;

  g_assert_cmpint (g_mkdir (data, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (in, 0700), ==, 0);
  g_string_replace (xml, "@DIR@", dir, 0);
  g_assert_true (g_file_set_contents (node, xml->str, -1, NULL));
  agent = fake_agent_new (sock);
  conf_path = petri_sandbox_config_path (data);
  conf = g_strdup_printf ("[sandbox]\nduration = 1\nhandshake_timeout = 5\n"
                          "[vm test]\nuri = test://%s\ndomain = vm\n",
                          node);
  g_assert_true (g_file_set_contents (conf_path, conf, -1, NULL));
  first = write_script (in, "first.sh");
  second = write_script (in, "second.sh");
  third = write_script (in, "third.sh");

  context = petri_context_new (data, NULL, &error);
  g_assert_no_error (error);
  pipeline = petri_pipeline_new (context);
  g_assert_true (petri_sandbox_stage_attach (pipeline, FALSE, &error));
  g_assert_no_error (error);
  g_signal_connect (pipeline, "idle", G_CALLBACK (idle_cb), loop);

  /* As configured when the stage started. */
  take_in (pipeline, loop, in, "first.sh");
  a = only_analysis (context, first);
  g_assert_cmpstr (json_object_get_string_member (a, "status"), ==, "done");
  g_assert_cmpint (json_object_get_int_member (a, "duration"), ==, 1);
  g_assert_cmpint (fake_agent_get_last_run_duration (agent), ==, 1);
  g_clear_pointer (&a, json_object_unref);

  /* A longer run, set the way the Preferences dialog sets it. */
  limits.duration = 2;
  limits.max_size = 1024 * 1024;
  g_assert_true (petri_sandbox_write_limits (conf_path, &limits, &error));
  g_assert_no_error (error);
  take_in (pipeline, loop, in, "second.sh");
  a = only_analysis (context, second);
  g_assert_cmpstr (json_object_get_string_member (a, "status"), ==, "done");
  g_assert_cmpint (json_object_get_int_member (a, "duration"), ==, 2);
  g_assert_cmpint (fake_agent_get_last_run_duration (agent), ==, 2);
  g_assert_cmpuint (fake_agent_get_sessions (agent), ==, 2);
  g_clear_pointer (&a, json_object_unref);

  /* A size limit below the next sample's size. */
  limits.max_size = 16;
  g_assert_true (petri_sandbox_write_limits (conf_path, &limits, &error));
  g_assert_no_error (error);
  take_in (pipeline, loop, in, "third.sh");
  a = only_analysis (context, third);
  g_test_message ("third: %s", json_object_get_string_member (a, "reason"));
  g_assert_cmpstr (json_object_get_string_member (a, "status"), ==, "not_eligible");
  g_assert_cmpuint (fake_agent_get_sessions (agent), ==, 2);

  g_clear_object (&pipeline);
  petri_context_close (context);
  fake_agent_free (agent);
  cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sandbox/stage/limits-apply-to-next-sample", test_limits_apply_to_next_sample);
  return g_test_run ();
}
