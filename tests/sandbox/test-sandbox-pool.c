/* test-sandbox-pool.c: the analysis state machine against libvirt's test driver
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * libvirt's test:/// driver accepts the calls the pool makes (lookup,
 * destroy, create, snapshot revert, XML) but runs no guest, so the agent's
 * side is played by fake-agent.c on the unix socket the fixture domain names.
 */
#include "config.h"

#include "fake-agent.h"
#include "petri-sandbox-private.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>

typedef struct
{
  char *dir;
  char *sample;
  char *sample_sha256;
  char *conf;
  FakeAgent *agents[2];
} Fixture;

typedef struct
{
  GMutex lock;
  GPtrArray *states;  /* char * */
  GPtrArray *events;  /* PetriBehaviorEvent */
  GPtrArray *dropped; /* char *: "guest_path|host_path|sha256|content" */
  gboolean finished;
  gint64 t_running, t_finished;
} Record;

static const char fixture_template[]
    = "<node>\n"
      " <domain type='test'>\n"
      "  <name>vm-a</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e1a01</uuid>\n"
      "  <memory>262144</memory><vcpu>1</vcpu>\n"
      "  <os><type arch='x86_64'>hvm</type><kernel>/boot/vmlinux</kernel></os>\n"
      "  <devices>\n"
      "   <channel type='unix'><source mode='bind' path='@DIR@/a.sock'/>\n"
      "    <target type='virtio' name='org.petri.agent.0'/></channel>\n"
      "  </devices>\n"
      " </domain>\n"
      " <domain type='test'>\n"
      "  <name>vm-b</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e1a02</uuid>\n"
      "  <memory>262144</memory><vcpu>1</vcpu>\n"
      "  <os><type arch='x86_64'>hvm</type></os>\n"
      "  <devices>\n"
      "   <channel type='unix'><source mode='bind' path='@DIR@/b.sock'/>\n"
      "    <target type='virtio' name='org.petri.agent.0'/></channel>\n"
      "  </devices>\n"
      " </domain>\n"
      /* Destroying a transient domain makes it vanish: starting it again is
       * refused by libvirt, which is how this fixture gets a start refusal. */
      " <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
      "  <name>vm-transient</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e1a03</uuid>\n"
      "  <memory>262144</memory><vcpu>1</vcpu>\n"
      "  <os><type arch='x86_64'>hvm</type></os>\n"
      "  <test:transient/>\n"
      " </domain>\n"
      /* Reverting to a snapshot taken while running brings it back running. */
      " <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
      "  <name>vm-snap</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e1a05</uuid>\n"
      "  <memory>262144</memory><vcpu>1</vcpu>\n"
      "  <os><type arch='x86_64'>hvm</type></os>\n"
      "  <devices>\n"
      "   <channel type='unix'><source mode='bind' path='@DIR@/a.sock'/>\n"
      "    <target type='virtio' name='org.petri.agent.0'/></channel>\n"
      "  </devices>\n"
      "  <test:runstate>5</test:runstate>\n"
      "  <test:domainsnapshot><name>ready</name><state>running</state>\n"
      "   <creationTime>1500000000</creationTime><active>1</active>\n"
      "   <domain type='test'><name>vm-snap</name>"
      "<uuid>6695eb01-f6a4-8304-79aa-97f2502e1a05</uuid>\n"
      "    <memory>262144</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>\n"
      "    <devices><channel type='unix'><source mode='bind' path='@DIR@/a.sock'/>\n"
      "     <target type='virtio' name='org.petri.agent.0'/></channel></devices></domain>\n"
      "  </test:domainsnapshot>\n"
      " </domain>\n"
      " <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
      "  <name>vm-nochannel</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e1a04</uuid>\n"
      "  <memory>262144</memory><vcpu>1</vcpu>\n"
      "  <os><type arch='x86_64'>hvm</type></os>\n"
      "  <test:runstate>5</test:runstate>\n"
      " </domain>\n"
      "</node>\n";

static void
fixture_write_conf (Fixture *f, const char *vms)
{
  g_autofree char *text = g_strdup_printf ("[sandbox]\nduration = 1\nhandshake_timeout = 2\n"
                                           "io_timeout = 2\ngrace = 1\n%s",
                                           vms);
  g_assert_true (g_file_set_contents (f->conf, text, -1, NULL));
}

static char *
vm_group (Fixture *f, const char *name, const char *domain)
{
  return g_strdup_printf ("[vm %s]\nuri = test://%s/node.xml\ndomain = %s\n", name, f->dir, domain);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GString) xml = g_string_new (fixture_template);
  g_autofree char *node = NULL;
  g_autofree char *a = NULL, *b = NULL;
  g_autofree char *vms = NULL;
  static const char content[] = "#!/bin/sh\necho harmless\n";

  f->dir = g_dir_make_tmp ("petri-pool-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  g_string_replace (xml, "@DIR@", f->dir, 0);
  node = g_build_filename (f->dir, "node.xml", NULL);
  g_assert_true (g_file_set_contents (node, xml->str, -1, NULL));
  f->sample = g_build_filename (f->dir, "sample.sh", NULL);
  g_assert_true (g_file_set_contents (f->sample, content, -1, NULL));
  f->sample_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
  f->conf = g_build_filename (f->dir, "sandbox.conf", NULL);

  a = g_build_filename (f->dir, "a.sock", NULL);
  b = g_build_filename (f->dir, "b.sock", NULL);
  f->agents[0] = fake_agent_new (a);
  f->agents[1] = fake_agent_new (b);

  vms = vm_group (f, "a", "vm-a");
  fixture_write_conf (f, vms);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  fake_agent_free (f->agents[0]);
  fake_agent_free (f->agents[1]);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->sample);
  g_free (f->sample_sha256);
  g_free (f->conf);
}

static Record *
record_new (void)
{
  Record *r = g_new0 (Record, 1);

  g_mutex_init (&r->lock);
  r->states = g_ptr_array_new_with_free_func (g_free);
  r->events = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_behavior_event_unref);
  r->dropped = g_ptr_array_new_with_free_func (g_free);
  return r;
}

static void
record_free (Record *r)
{
  g_ptr_array_unref (r->states);
  g_ptr_array_unref (r->events);
  g_ptr_array_unref (r->dropped);
  g_mutex_clear (&r->lock);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Record, record_free)

static void
state_cb (PetriAnalysis *a, PetriAnalysisState state, const char *reason, gpointer data)
{
  Record *r = data;

  g_mutex_lock (&r->lock);
  g_ptr_array_add (r->states, g_strdup (petri_analysis_state_to_string (state)));
  if (state == PETRI_ANALYSIS_RUNNING)
    r->t_running = g_get_monotonic_time ();
  if (state == PETRI_ANALYSIS_FAILED)
    g_assert_nonnull (reason);
  g_mutex_unlock (&r->lock);
}

static void
events_cb (PetriAnalysis *a, GPtrArray *events, gpointer data)
{
  Record *r = data;

  g_assert_cmpuint (events->len, >, 0);
  g_mutex_lock (&r->lock);
  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add (r->events, petri_behavior_event_ref (g_ptr_array_index (events, i)));
  g_mutex_unlock (&r->lock);
}

static void
dropped_cb (PetriAnalysis *a, const PetriDroppedFile *file, gpointer data)
{
  Record *r = data;
  g_autofree char *content = NULL;

  /* The file exists now, under a name Petri chose. */
  g_assert_true (g_file_get_contents (file->host_path, &content, NULL, NULL));
  g_mutex_lock (&r->lock);
  g_ptr_array_add (r->dropped, g_strdup_printf ("%s|%s|%s|%s|%" G_GINT64_FORMAT, file->guest_path,
                                                file->host_path, file->sha256, content, file->pid));
  g_mutex_unlock (&r->lock);
}

static void
finished_cb (PetriAnalysis *a, gpointer data)
{
  Record *r = data;

  g_mutex_lock (&r->lock);
  g_assert_false (r->finished);
  r->finished = TRUE;
  r->t_finished = g_get_monotonic_time ();
  g_mutex_unlock (&r->lock);
}

static const PetriAnalysisCallbacks callbacks = {
  .state_changed = state_cb,
  .events = events_cb,
  .dropped_file = dropped_cb,
  .finished = finished_cb,
};

static PetriAnalysis *
submit (Fixture *f, PetriSandboxPool *pool, Record *r, GCancellable *cancellable)
{
  PetriAnalysisRequest req = {
    .sample_path = f->sample,
    .sha256 = f->sample_sha256,
    .display_name = "../odd name;rm -rf.sh",
  };

  return petri_sandbox_pool_submit (pool, &req, &callbacks, r, NULL, cancellable);
}

static char *
joined_states (Record *r)
{
  g_ptr_array_add (r->states, NULL);
  g_ptr_array_set_size (r->states, r->states->len - 1);
  return g_strjoinv (" ", (char **) r->states->pdata);
}

static void
assert_failed_with (PetriAnalysis *a, Record *r, const char *expected_states,
                    const char *reason_part)
{
  g_autofree char *reason = petri_analysis_dup_reason (a);
  g_autofree char *states = joined_states (r);

  g_assert_cmpint (petri_analysis_get_state (a), ==, PETRI_ANALYSIS_FAILED);
  g_assert_cmpstr (states, ==, expected_states);
  g_assert_nonnull (reason);
  if (strstr (reason, reason_part) == NULL)
    g_error ("reason “%s” does not mention “%s”", reason, reason_part);
  g_assert_true (r->finished);
}

static void
test_success (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxPool) pool = petri_sandbox_pool_new (f->conf, &error);
  g_autoptr (Record) r = record_new ();
  g_autoptr (PetriAnalysis) a = NULL;
  g_autoptr (JsonObject) summary = NULL;
  g_autofree char *states = NULL;
  g_autofree char *uploaded = NULL;
  g_autofree char *run_name = NULL;
  g_auto (GStrv) parts = NULL;
  g_autofree char *drop_dir = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (petri_sandbox_pool_get_n_vms (pool), ==, 1);
  g_assert_cmpuint (petri_sandbox_pool_get_duration (pool), ==, 1);

  a = submit (f, pool, r, NULL);
  petri_analysis_wait (a);

  states = joined_states (r);
  g_assert_cmpstr (states, ==, "starting running collecting done");
  g_assert_cmpint (petri_analysis_get_state (a), ==, PETRI_ANALYSIS_DONE);
  g_assert_null (petri_analysis_dup_reason (a));
  g_assert_true (r->finished);

  /* The stale event sent before the handshake was dropped; the rest arrived. */
  g_assert_cmpuint (r->events->len, ==, 4);
  {
    PetriBehaviorEvent *e = g_ptr_array_index (r->events, 0);
    g_assert_cmpstr (e->category, ==, "process");
    g_assert_cmpstr (e->action, ==, "fork");
    g_assert_cmpint (e->pid, ==, 5000);
    g_assert_cmpint (e->ppid, ==, 4242);
    e = g_ptr_array_index (r->events, 3);
    g_assert_cmpstr (e->category, ==, "file");
    g_assert_cmpstr (e->target, ==, "/tmp/dropped.bin");
  }

  /* The guest got the sample intact, under a harmless name. */
  uploaded = fake_agent_dup_last_upload_sha256 (f->agents[0]);
  g_assert_cmpstr (uploaded, ==, f->sample_sha256);
  run_name = fake_agent_dup_last_run_name (f->agents[0]);
  g_assert_cmpstr (run_name, ==, "odd_name_rm_-rf.sh");
  g_assert_cmpint (fake_agent_get_last_run_duration (f->agents[0]), ==, 1);

  /* The dropped file: content kept, host path chosen by Petri. */
  g_assert_cmpuint (r->dropped->len, ==, 1);
  parts = g_strsplit (g_ptr_array_index (r->dropped, 0), "|", -1);
  g_assert_cmpstr (parts[0], ==, "../../../../etc/evil");
  g_assert_true (g_str_has_suffix (parts[1], "/dropped-1"));
  g_assert_null (strstr (parts[1], "evil"));
  g_assert_cmpstr (parts[3], ==, "dropped content\n");
  g_assert_cmpstr (parts[4], ==, "4242");
  {
    g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, parts[3], -1);
    g_assert_cmpstr (parts[2], ==, sha);
  }
  g_assert_true (g_file_test (parts[1], G_FILE_TEST_EXISTS));
  drop_dir = g_path_get_dirname (parts[1]);

  summary = petri_analysis_dup_summary (a);
  g_assert_cmpstr (json_object_get_string_member (summary, "agent"), ==, "fake-agent 1");
  g_assert_cmpint (json_object_get_int_member (summary, "events"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (summary, "dropped"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "exit_status"), ==, 0);
  g_assert_cmpfloat (petri_analysis_get_handshake_seconds (a), >=, 0);
  g_assert_cmpfloat (petri_analysis_get_handshake_seconds (a), <, 2);
  g_assert_cmpfloat (petri_analysis_get_overhead_seconds (a), >=, 0);

  /* The agent was told to power off. */
  g_assert_true (fake_agent_get_poweroff_seen (f->agents[0]));

  /* Freeing the analysis removes what the guest dropped. */
  g_clear_pointer (&a, petri_analysis_unref);
  /* (The worker may still hold its reference for a moment.) */
  for (int i = 0; i < 200 && g_file_test (drop_dir, G_FILE_TEST_EXISTS); i++)
    g_usleep (10 * 1000);
  g_assert_false (g_file_test (drop_dir, G_FILE_TEST_EXISTS));
}

/* Runs one analysis that must fail, then checks the VM is back in the pool
 * by running a good one on it. */
static void
run_failing (Fixture *f, FakeAgentMode mode, const char *states, const char *reason,
             guint expect_events)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxPool) pool = petri_sandbox_pool_new (f->conf, &error);
  g_autoptr (Record) r = record_new ();
  g_autoptr (Record) r2 = record_new ();
  g_autoptr (PetriAnalysis) a = NULL;
  g_autoptr (PetriAnalysis) b = NULL;

  g_assert_no_error (error);
  fake_agent_set_mode (f->agents[0], mode);
  a = submit (f, pool, r, NULL);
  petri_analysis_wait (a);
  assert_failed_with (a, r, states, reason);
  g_assert_cmpuint (r->events->len, ==, expect_events);
  g_assert_cmpuint (r->dropped->len, ==, 0);

  fake_agent_set_mode (f->agents[0], FAKE_AGENT_NORMAL);
  b = submit (f, pool, r2, NULL);
  petri_analysis_wait (b);
  g_assert_cmpint (petri_analysis_get_state (b), ==, PETRI_ANALYSIS_DONE);
  g_assert_cmpuint (r2->events->len, ==, 4);
}

static void
test_handshake_timeout (Fixture *f, gconstpointer data)
{
  gint64 t0 = g_get_monotonic_time ();

  run_failing (f, FAKE_AGENT_SILENT, "starting failed", "never answered the handshake", 0);
  /* handshake_timeout = 2 s, then a good run of ~1 s. */
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 20 * G_USEC_PER_SEC);
}

static void
test_guest_dies (Fixture *f, gconstpointer data)
{
  /* Events that arrived before the guest went away are kept. */
  run_failing (f, FAKE_AGENT_DIE_MID_RUN, "starting running failed", "closed the connection", 3);
}

static void
test_bad_frame (Fixture *f, gconstpointer data)
{
  run_failing (f, FAKE_AGENT_BAD_FRAME, "starting running failed", "bad frame header", 3);
}

static void
test_old_version (Fixture *f, gconstpointer data)
{
  run_failing (f, FAKE_AGENT_OLD_VERSION, "starting failed", "protocol version 99", 0);
}

static void
test_huge_file (Fixture *f, gconstpointer data)
{
  run_failing (f, FAKE_AGENT_HUGE_FILE, "starting running failed", "more than the", 3);
}

static void
test_bad_sha (Fixture *f, gconstpointer data)
{
  run_failing (f, FAKE_AGENT_BAD_SHA, "starting running collecting failed",
               "does not match its SHA-256", 4);
}

static void
test_slow_run (Fixture *f, gconstpointer data)
{
  run_failing (f, FAKE_AGENT_SLOW_RUN, "starting running collecting failed", "did not finish", 0);
}

static long
max_rss_kib (void)
{
  struct rusage usage;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return usage.ru_maxrss;
}

static void
test_flood (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxPool) pool = petri_sandbox_pool_new (f->conf, &error);
  g_autoptr (Record) r = record_new ();
  g_autoptr (PetriAnalysis) a = NULL;
  g_autofree char *big = g_build_filename (f->dir, "big.sh", NULL);
  g_autofree char *content = g_strnfill (4 * 1024 * 1024, '#');
  g_autofree char *sha = NULL;
  PetriAnalysisRequest req = { 0 };
  long rss0;

  /* A 4 MiB sample does not fit in the socket buffers: the host blocks in
   * the upload while the guest floods it, and must neither hoard what it
   * receives nor wait for ever. */
  content[0] = '#', content[1] = '!';
  g_assert_true (g_file_set_contents (big, content, -1, NULL));
  sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
  req.sample_path = big;
  req.sha256 = sha;
  g_assert_no_error (error);
  fake_agent_set_mode (f->agents[0], FAKE_AGENT_FLOOD);
  rss0 = max_rss_kib ();
  a = petri_sandbox_pool_submit (pool, &req, &callbacks, r, NULL, NULL);
  petri_analysis_wait (a);
  assert_failed_with (a, r, "starting failed", "upload: timed out");
  g_assert_cmpint (max_rss_kib () - rss0, <, 64 * 1024);
}

static void
test_domain_missing (Fixture *f, gconstpointer data)
{
  g_autofree char *vms = vm_group (f, "ghost", "no-such-domain");
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxPool) pool = NULL;
  g_autoptr (Record) r = record_new ();
  g_autoptr (PetriAnalysis) a = NULL;

  fixture_write_conf (f, vms);
  pool = petri_sandbox_pool_new (f->conf, &error);
  g_assert_no_error (error);
  a = submit (f, pool, r, NULL);
  petri_analysis_wait (a);
  assert_failed_with (a, r, "starting failed", "“no-such-domain” is not defined");
  g_assert_cmpuint (fake_agent_get_sessions (f->agents[0]), ==, 0);
}

static void
test_snapshot (Fixture *f, gconstpointer data)
{
  g_autofree char *group = vm_group (f, "s", "vm-snap");
  g_autofree char *vms = g_strconcat (group, "clean = snapshot:ready\n", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxPool) pool = NULL;
  g_autoptr (Record) r = record_new ();
  g_autoptr (Record) r2 = record_new ();
  g_autoptr (PetriAnalysis) a = NULL;
  g_autoptr (PetriAnalysis) b = NULL;

  fixture_write_conf (f, vms);
  pool = petri_sandbox_pool_new (f->conf, &error);
  g_assert_no_error (error);
  a = submit (f, pool, r, NULL);
  petri_analysis_wait (a);
  g_assert_cmpint (petri_analysis_get_state (a), ==, PETRI_ANALYSIS_DONE);
  /* And again: the revert after the first run left it clean. */
  b = submit (f, pool, r2, NULL);
  petri_analysis_wait (b);
  g_assert_cmpint (petri_analysis_get_state (b), ==, PETRI_ANALYSIS_DONE);
  g_assert_cmpuint (r2->events->len, ==, 4);
}

static void
test_snapshot_missing (Fixture *f, gconstpointer data)
{
  g_autofree char *group = vm_group (f, "s", "vm-snap");
  g_autofree char *vms = g_strconcat (group, "clean = snapshot:nope\n", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxPool) pool = NULL;
  g_autoptr (Record) r = record_new ();
  g_autoptr (PetriAnalysis) a = NULL;

  fixture_write_conf (f, vms);
  pool = petri_sandbox_pool_new (f->conf, &error);
  g_assert_no_error (error);
  a = submit (f, pool, r, NULL);
  petri_analysis_wait (a);
  assert_failed_with (a, r, "starting failed", "has no snapshot “nope”");
}

static void
test_start_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *vms = vm_group (f, "t", "vm-transient");
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxPool) pool = NULL;
  g_autoptr (Record) r = record_new ();
  g_autoptr (PetriAnalysis) a = NULL;

  fixture_write_conf (f, vms);
  pool = petri_sandbox_pool_new (f->conf, &error);
  g_assert_no_error (error);
  a = submit (f, pool, r, NULL);
  petri_analysis_wait (a);
  assert_failed_with (a, r, "starting failed", "libvirt refused to start “vm-transient”");
}

static void
test_no_channel (Fixture *f, gconstpointer data)
{
  g_autofree char *vms = vm_group (f, "n", "vm-nochannel");
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxPool) pool = NULL;
  g_autoptr (Record) r = record_new ();
  g_autoptr (PetriAnalysis) a = NULL;

  fixture_write_conf (f, vms);
  pool = petri_sandbox_pool_new (f->conf, &error);
  g_assert_no_error (error);
  a = submit (f, pool, r, NULL);
  petri_analysis_wait (a);
  assert_failed_with (a, r, "starting failed", "has no agent channel");
}

static void
test_missing_sample (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxPool) pool = petri_sandbox_pool_new (f->conf, &error);
  g_autoptr (Record) r = record_new ();
  g_autoptr (PetriAnalysis) a = NULL;
  PetriAnalysisRequest req = {
    .sample_path = "/nonexistent/petri/sample",
    .sha256 = f->sample_sha256,
  };

  g_assert_no_error (error);
  a = petri_sandbox_pool_submit (pool, &req, &callbacks, r, NULL, NULL);
  petri_analysis_wait (a);
  assert_failed_with (a, r, "starting failed", "/nonexistent/petri/sample");
}

static gpointer
cancel_soon_thread (gpointer data)
{
  g_usleep (200 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxPool) pool = petri_sandbox_pool_new (f->conf, &error);
  g_autoptr (Record) r = record_new ();
  g_autoptr (PetriAnalysis) a = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  GThread *canceller;
  gint64 t0 = g_get_monotonic_time ();

  g_assert_no_error (error);
  fake_agent_set_mode (f->agents[0], FAKE_AGENT_SILENT);
  a = submit (f, pool, r, cancellable);
  canceller = g_thread_new ("cancel", cancel_soon_thread, cancellable);
  petri_analysis_wait (a);
  g_thread_join (canceller);
  assert_failed_with (a, r, "starting failed", "cancelled");
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 2 * G_USEC_PER_SEC);
}

static void
test_two_vms_in_parallel (Fixture *f, gconstpointer data)
{
  g_autofree char *a_group = vm_group (f, "a", "vm-a");
  g_autofree char *b_group = vm_group (f, "b", "vm-b");
  g_autofree char *vms = g_strconcat (a_group, b_group, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxPool) pool = NULL;
  Record *r[3];
  PetriAnalysis *a[3];
  g_autofree char *vm0 = NULL, *vm1 = NULL;

  fixture_write_conf (f, vms);
  pool = petri_sandbox_pool_new (f->conf, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (petri_sandbox_pool_get_n_vms (pool), ==, 2);

  for (guint i = 0; i < 3; i++)
    {
      r[i] = record_new ();
      a[i] = submit (f, pool, r[i], NULL);
    }
  for (guint i = 0; i < 3; i++)
    {
      petri_analysis_wait (a[i]);
      g_assert_cmpint (petri_analysis_get_state (a[i]), ==, PETRI_ANALYSIS_DONE);
    }
  /* The first two ran at the same time on different VMs. */
  vm0 = petri_analysis_dup_vm (a[0]);
  vm1 = petri_analysis_dup_vm (a[1]);
  g_assert_cmpstr (vm0, !=, vm1);
  g_assert_cmpint (r[0]->t_running, <, r[1]->t_finished);
  g_assert_cmpint (r[1]->t_running, <, r[0]->t_finished);
  /* The third waited for one of them. */
  g_assert_cmpint (r[2]->t_running, >, MIN (r[0]->t_finished, r[1]->t_finished) - 1);
  g_assert_cmpuint (fake_agent_get_sessions (f->agents[0]) + fake_agent_get_sessions (f->agents[1]),
                    ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      petri_analysis_unref (a[i]);
      record_free (r[i]);
    }
}

static void
test_free_cancels_queue (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  PetriSandboxPool *pool = petri_sandbox_pool_new (f->conf, &error);
  g_autoptr (Record) r1 = record_new ();
  g_autoptr (Record) r2 = record_new ();
  g_autoptr (PetriAnalysis) a = NULL;
  g_autoptr (PetriAnalysis) b = NULL;

  g_assert_no_error (error);
  fake_agent_set_mode (f->agents[0], FAKE_AGENT_SILENT);
  a = submit (f, pool, r1, NULL);
  b = submit (f, pool, r2, NULL);
  g_usleep (300 * 1000);
  petri_sandbox_pool_free (pool);
  g_assert_true (petri_analysis_is_finished (a));
  g_assert_true (petri_analysis_is_finished (b));
  g_assert_cmpint (petri_analysis_get_state (a), ==, PETRI_ANALYSIS_FAILED);
  g_assert_cmpint (petri_analysis_get_state (b), ==, PETRI_ANALYSIS_FAILED);
  {
    g_autofree char *reason = petri_analysis_dup_reason (b);
    g_assert_cmpstr (reason, ==, "cancelled");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/sandbox/pool/success", test_success);
  ADD ("/sandbox/pool/handshake-timeout", test_handshake_timeout);
  ADD ("/sandbox/pool/guest-dies", test_guest_dies);
  ADD ("/sandbox/pool/bad-frame", test_bad_frame);
  ADD ("/sandbox/pool/old-version", test_old_version);
  ADD ("/sandbox/pool/huge-file", test_huge_file);
  ADD ("/sandbox/pool/bad-sha", test_bad_sha);
  ADD ("/sandbox/pool/slow-run", test_slow_run);
  ADD ("/sandbox/pool/flood", test_flood);
  ADD ("/sandbox/pool/domain-missing", test_domain_missing);
  ADD ("/sandbox/pool/start-refused", test_start_refused);
  ADD ("/sandbox/pool/snapshot", test_snapshot);
  ADD ("/sandbox/pool/snapshot-missing", test_snapshot_missing);
  ADD ("/sandbox/pool/no-channel", test_no_channel);
  ADD ("/sandbox/pool/missing-sample", test_missing_sample);
  ADD ("/sandbox/pool/cancel", test_cancel);
  ADD ("/sandbox/pool/two-vms", test_two_vms_in_parallel);
  ADD ("/sandbox/pool/free-cancels-queue", test_free_cancels_queue);
#undef ADD
  return g_test_run ();
}
