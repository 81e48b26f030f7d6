/* test-sandbox-check.c: `petri sandbox check` against libvirt's test driver
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Each VM of the fixture has one thing wrong (or nothing); the agent of the
 * good ones is played by fake-agent.c, as in test-sandbox-pool.c.
 */
#include "config.h"

#include "fake-agent.h"
#include "petri-sandbox-private.h"

#include <glib/gstdio.h>
#include <string.h>

#define DOMAIN_BODY(name, uuid)                                                                    \
  "<name>" name "</name><uuid>" uuid "</uuid><memory>262144</memory><vcpu>1</vcpu>"                \
  "<os><type arch='x86_64'>hvm</type></os>"

#define CHANNEL                                                                                    \
  "<channel type='unix'><source mode='bind' path='@DIR@/agent.sock'/>"                             \
  "<target type='virtio' name='org.petri.agent.0'/></channel>"

#define SNAPSHOT(name, state, active, uuid)                                                        \
  "<test:domainsnapshot><name>" name "</name><state>" state "</state>"                             \
  "<creationTime>1500000000</creationTime><active>" active "</active>"                             \
  "<domain type='test'>" DOMAIN_BODY ("snap", uuid) "<devices>" CHANNEL "</devices></domain>"      \
                                                    "</test:domainsnapshot>"

static const char fixture[]
    = "<node>"
      "<domain type='test'>" DOMAIN_BODY (
          "good",
          "6695eb01-f6a4-8304-79aa-97f2502e1b01") "<devices>" CHANNEL "</devices></domain>"
                                                  "<domain type='test' "
                                                  "xmlns:test='http://libvirt.org/schemas/"
                                                  "domain/test/1.0'>" DOMAIN_BODY (
                                                      "snap", "6695eb01-f6a4-8304-79aa-"
                                                              "97f2502e1b02") "<devices>" CHANNEL "</devices>" SNAPSHOT ("cold",
                                                                                                                         "shutoff",
                                                                                                                         "0",
                                                                                                                         "6695eb01-f6a4-8304-79aa-97f2502e1b02")
                                                      SNAPSHOT (
                                                          "warm", "running", "1",
                                                          "6695eb01-f6a4-8304-79aa-"
                                                          "97f2502e1b02") "</domain>"
                                                                          "<domain "
                                                                          "type='test'"
                                                                          ">" DOMAIN_BODY (
                                                                              "bridged",
                                                                              "6695eb01-"
                                                                              "f6a4-8304-"
                                                                              "79aa-"
                                                                              "97f2502e1b0"
                                                                              "3") "<device"
                                                                                   "s"
                                                                                   ">" CHANNEL
                                                                                   "<interf"
                                                                                   "ace "
                                                                                   "type='"
                                                                                   "bridge'"
                                                                                   "><"
                                                                                   "source "
                                                                                   "bridge="
                                                                                   "'br0'/"
                                                                                   "></"
                                                                                   "interfa"
                                                                                   "ce>"
                                                                                   "</"
                                                                                   "devices"
                                                                                   "></"
                                                                                   "domain>"
                                                                                   "<domain"
                                                                                   " type='"
                                                                                   "test'"
                                                                                   ">" DOMAIN_BODY (
                                                                                       "noc"
                                                                                       "ha"
                                                                                       "n",
                                                                                       "669"
                                                                                       "5eb"
                                                                                       "01-"
                                                                                       "f6a"
                                                                                       "4-"
                                                                                       "830"
                                                                                       "4-"
                                                                                       "79a"
                                                                                       "a-"
                                                                                       "97f"
                                                                                       "250"
                                                                                       "2e1"
                                                                                       "b0"
                                                                                       "4") "<devic"
                                                                                            "es/></"
                                                                                            "domain"
                                                                                            ">"
                                                                                            "<domai"
                                                                                            "n "
                                                                                            "type='"
                                                                                            "test'"
                                                                                            ">" DOMAIN_BODY (
                                                                                                "di"
                                                                                                "s"
                                                                                                "k",
                                                                                                "66"
                                                                                                "95"
                                                                                                "eb"
                                                                                                "01"
                                                                                                "-f"
                                                                                                "6a"
                                                                                                "4-"
                                                                                                "83"
                                                                                                "04"
                                                                                                "-7"
                                                                                                "9a"
                                                                                                "a-"
                                                                                                "97"
                                                                                                "f2"
                                                                                                "50"
                                                                                                "2e"
                                                                                                "1b"
                                                                                                "0"
                                                                                                "5") "<devices><disk type='file' device='disk'><source file='/var/lib/x.qcow2'/>"
                                                                                                     "<target dev='vda' bus='virtio'/></disk>" CHANNEL
                                                                                                     "</devices></domain>"
                                                                                                     "</node>";

typedef struct
{
  char *dir;
  char *conf;
  FakeAgent *agent;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GString) xml = g_string_new (fixture);
  g_autofree char *node = NULL;
  g_autofree char *sock = NULL;
  g_autofree char *conf = NULL;

  f->dir = g_dir_make_tmp ("petri-check-XXXXXX", NULL);
  g_string_replace (xml, "@DIR@", f->dir, 0);
  node = g_build_filename (f->dir, "node.xml", NULL);
  g_assert_true (g_file_set_contents (node, xml->str, -1, NULL));
  sock = g_build_filename (f->dir, "agent.sock", NULL);
  f->agent = fake_agent_new (sock);

  conf = g_strdup_printf ("[vm good]\nuri = test://%1$s\ndomain = good\n"
                          "[vm warm]\nuri = test://%1$s\ndomain = snap\nclean = snapshot:warm\n"
                          "[vm cold]\nuri = test://%1$s\ndomain = snap\nclean = snapshot:cold\n"
                          "[vm nosnap]\nuri = test://%1$s\ndomain = snap\nclean = snapshot:gone\n"
                          "[vm bridged]\nuri = test://%1$s\ndomain = bridged\n"
                          "[vm allowed]\nuri = test://%1$s\ndomain = bridged\n"
                          "allow_network = true\n"
                          "[vm nochan]\nuri = test://%1$s\ndomain = nochan\n"
                          "[vm disk]\nuri = test://%1$s\ndomain = disk\n"
                          "[vm ghost]\nuri = test://%1$s\ndomain = ghost\n"
                          "[vm down]\nuri = qemu+unix:///system?socket=%2$s/no.sock\n"
                          "domain = x\n",
                          node, f->dir);
  f->conf = g_build_filename (f->dir, "sandbox.conf", NULL);
  g_assert_true (g_file_set_contents (f->conf, conf, -1, NULL));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  fake_agent_free (f->agent);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->conf);
}

static PetriSandboxCheck *
find (GPtrArray *checks, const char *vm, const char *check)
{
  for (guint i = 0; i < checks->len; i++)
    {
      PetriSandboxCheck *c = g_ptr_array_index (checks, i);
      if (strcmp (c->vm, vm) == 0 && strcmp (c->check, check) == 0)
        return c;
    }
  return NULL;
}

static void
expect (GPtrArray *checks, const char *vm, const char *check, gboolean ok, const char *part)
{
  PetriSandboxCheck *c = find (checks, vm, check);

  if (c == NULL)
    g_error ("no %s check for %s", check, vm);
  g_test_message ("%s %s: %s (%s)", vm, check, c->message, c->fix ? c->fix : "");
  if (c->ok != ok)
    g_error ("%s %s: expected %s, got “%s”", vm, check, ok ? "ok" : "a failure", c->message);
  g_assert_true (g_utf8_validate (c->message, -1, NULL));
  /* Every failure says how to fix it. */
  if (!ok)
    g_assert_true (c->fix != NULL && *c->fix != '\0');
  if (part != NULL && strstr (c->message, part) == NULL
      && (c->fix == NULL || strstr (c->fix, part) == NULL))
    g_error ("%s %s: “%s” / “%s” does not mention “%s”", vm, check, c->message, c->fix, part);
}

static void
test_check (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) checks = petri_sandbox_check (f->conf, NULL, &error);
  const char *all[] = { "libvirt", "domain", "clean-state", "channel", "network", "agent" };

  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    expect (checks, "good", all[i], TRUE, NULL);
  expect (checks, "good", "agent", TRUE, "fake-agent 1");
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    expect (checks, "warm", all[i], TRUE, NULL);
  expect (checks, "warm", "clean-state", TRUE, "taken while running");

  expect (checks, "cold", "clean-state", FALSE, "virsh snapshot-create-as snap cold");
  expect (checks, "cold", "clean-state", FALSE, "shutoff");
  expect (checks, "nosnap", "clean-state", FALSE, "no snapshot “gone”");

  expect (checks, "bridged", "network", FALSE, "bridge br0");
  expect (checks, "bridged", "network", FALSE, "allow_network = true");
  expect (checks, "allowed", "network", TRUE, "allowed by allow_network");

  expect (checks, "nochan", "channel", FALSE, "org.petri.agent.0");
  expect (checks, "nochan", "agent", FALSE, "Fix the channel first");

  expect (checks, "disk", "clean-state", FALSE, "1 writable disk");

  expect (checks, "ghost", "libvirt", TRUE, NULL);
  expect (checks, "ghost", "domain", FALSE, "“ghost” is not defined");
  g_assert_null (find (checks, "ghost", "agent"));

  expect (checks, "down", "libvirt", FALSE, "virtlogd -d && libvirtd -d");
  g_assert_null (find (checks, "down", "domain"));
}

static void
test_agent_version (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) checks = NULL;

  fake_agent_set_mode (f->agent, FAKE_AGENT_OLD_VERSION);
  checks = petri_sandbox_check (f->conf, NULL, &error);
  g_assert_no_error (error);
  expect (checks, "good", "agent", FALSE, "protocol version 99");
}

static void
test_agent_silent (Fixture *f, gconstpointer data)
{
  g_autofree char *node = g_build_filename (f->dir, "node.xml", NULL);
  g_autofree char *conf = g_strdup_printf ("[sandbox]\nhandshake_timeout = 1\n"
                                           "[vm good]\nuri = test://%s\ndomain = good\n",
                                           node);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) checks = NULL;

  g_assert_true (g_file_set_contents (f->conf, conf, -1, NULL));
  fake_agent_set_mode (f->agent, FAKE_AGENT_SILENT);
  checks = petri_sandbox_check (f->conf, NULL, &error);
  g_assert_no_error (error);
  expect (checks, "good", "agent", FALSE, "never answered the handshake");
}

static void
test_no_config (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (petri_sandbox_check ("/nonexistent/sandbox.conf", NULL, &error));
  g_assert_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_NOT_CONFIGURED);
}

static void
test_probe (void)
{
  g_autofree char *down = petri_sandbox_probe_libvirt ("qemu+unix:///system?socket=/nonexistent");

  g_assert_null (petri_sandbox_probe_libvirt ("test:///default"));
  g_assert_nonnull (down);
  g_assert_nonnull (strstr (down, "virtlogd -d && libvirtd -d"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/sandbox/check/all", Fixture, NULL, fixture_set_up, test_check, fixture_tear_down);
  g_test_add ("/sandbox/check/agent-version", Fixture, NULL, fixture_set_up, test_agent_version,
              fixture_tear_down);
  g_test_add ("/sandbox/check/agent-silent", Fixture, NULL, fixture_set_up, test_agent_silent,
              fixture_tear_down);
  g_test_add_func ("/sandbox/check/no-config", test_no_config);
  g_test_add_func ("/sandbox/check/probe", test_probe);
  return g_test_run ();
}
