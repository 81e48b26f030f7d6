/* test-sandbox-config.c: sandbox.conf, eligibility and the domain XML checks
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-sandbox-private.h"

#include <glib/gstdio.h>
#include <string.h>

static char *
write_conf (const char *dir, const char *text)
{
  char *path = g_build_filename (dir, "sandbox.conf", NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_config_good (void)
{
  g_autofree char *dir = g_dir_make_tmp ("petri-conf-XXXXXX", NULL);
  g_autofree char *path = write_conf (dir, "[sandbox]\nduration = 30\nmax_size = 1000\n"
                                           "[vm one]\nuri = test:///default\ndomain = test\n"
                                           "[vm two]\nuri = qemu+ssh://lab/system\n"
                                           "domain = win10\nclean = snapshot:ready\n"
                                           "platform = windows\nallow_network = true\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxConfig) c = petri_sandbox_config_load (path, &error);
  PetriVmConfig *vm;

  g_assert_no_error (error);
  g_assert_cmpuint (c->duration, ==, 30);
  g_assert_cmpuint (c->max_size, ==, 1000);
  g_assert_cmpuint (c->vms->len, ==, 2);
  vm = g_ptr_array_index (c->vms, 0);
  g_assert_cmpstr (vm->name, ==, "one");
  g_assert_cmpstr (vm->uri, ==, "test:///default");
  g_assert_null (vm->snapshot);
  g_assert_cmpstr (vm->platform, ==, "linux");
  g_assert_false (vm->allow_network);
  vm = g_ptr_array_index (c->vms, 1);
  g_assert_cmpstr (vm->snapshot, ==, "ready");
  g_assert_cmpstr (vm->platform, ==, "windows");
  g_assert_true (vm->allow_network);
  g_assert_true (petri_sandbox_is_configured (dir));

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_config_defaults (void)
{
  g_autofree char *dir = g_dir_make_tmp ("petri-conf-XXXXXX", NULL);
  g_autofree char *path = write_conf (dir, "[vm a]\nuri = test:///default\ndomain = test\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxConfig) c = petri_sandbox_config_load (path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (c->duration, ==, 60);
  g_assert_cmpuint (c->max_size, ==, 8 * 1024 * 1024);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_config_errors (void)
{
  struct
  {
    const char *text;
    int code;
    const char *part;
  } cases[] = {
    { "[sandbox]\nduration = 30\n", PETRI_SANDBOX_ERROR_NOT_CONFIGURED, "names no VM" },
    { "[vm a]\ndomain = x\n", PETRI_SANDBOX_ERROR_CONFIG, "[vm a] has no “uri”" },
    { "[vm a]\nuri = test:///default\n", PETRI_SANDBOX_ERROR_CONFIG, "no “domain”" },
    { "[vm a]\nuri = u\ndomain = d\nclean = revert\n", PETRI_SANDBOX_ERROR_CONFIG,
      "“boot” or “snapshot:NAME”" },
    { "[vm a]\nuri = u\ndomain = d\nclean = snapshot:\n", PETRI_SANDBOX_ERROR_CONFIG,
      "snapshot:NAME" },
    { "[vm a]\nuri = u\ndomain = d\nplatform = amiga\n", PETRI_SANDBOX_ERROR_CONFIG, "amiga" },
    { "[vm a]\nuri = u\ndomain = d\nallow_network = maybe\n", PETRI_SANDBOX_ERROR_CONFIG,
      "allow_network" },
    { "[sandbox]\nduration = 0\n[vm a]\nuri = u\ndomain = d\n", PETRI_SANDBOX_ERROR_CONFIG,
      "duration" },
    { "[sandbox]\nmax_size = -5\n[vm a]\nuri = u\ndomain = d\n", PETRI_SANDBOX_ERROR_CONFIG,
      "max_size" },
    { "[machine a]\nuri = u\n", PETRI_SANDBOX_ERROR_CONFIG, "unknown group" },
    { "this is not a key file", PETRI_SANDBOX_ERROR_CONFIG, "Cannot read" },
  };
  g_autofree char *dir = g_dir_make_tmp ("petri-conf-XXXXXX", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_conf (dir, cases[i].text);
      g_autoptr (GError) error = NULL;
      g_autoptr (PetriSandboxConfig) c = petri_sandbox_config_load (path, &error);

      g_assert_null (c);
      g_assert_error (error, PETRI_SANDBOX_ERROR, cases[i].code);
      /* Errors name the file. */
      g_assert_nonnull (strstr (error->message, path));
      if (strstr (error->message, cases[i].part) == NULL)
        g_error ("“%s” does not mention “%s”", error->message, cases[i].part);
      g_unlink (path);
    }
  {
    g_autofree char *missing = g_build_filename (dir, "sandbox.conf", NULL);
    g_autoptr (GError) error = NULL;

    g_assert_null (petri_sandbox_config_load (missing, &error));
    g_assert_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_NOT_CONFIGURED);
    g_assert_false (petri_sandbox_is_configured (dir));
  }
  g_rmdir (dir);
}

static void
test_eligibility (void)
{
  const guint8 elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
  const guint8 pe[] = { 'M', 'Z', 0x90, 0 };
  const guint8 sh[] = "#!/bin/sh\n";
  const guint8 txt[] = "hello world";
  const guint64 max = 8 * 1024 * 1024;
  char *reason = NULL;

  g_assert_true (petri_sandbox_is_eligible ("application/x-pie-executable", "ELF 64-bit", elf,
                                            sizeof elf, 1000, max, &reason));
  g_assert_null (reason);
  g_assert_true (petri_sandbox_is_eligible ("application/x-dosexec", "PE32 executable", pe,
                                            sizeof pe, 1000, max, &reason));
  g_assert_true (petri_sandbox_is_eligible ("text/x-shellscript", "POSIX shell script", sh,
                                            sizeof sh - 1, 10, max, &reason));
  /* "MZ" alone is not a PE. */
  g_assert_false (petri_sandbox_is_eligible ("text/plain", "ASCII text", (const guint8 *) "MZ hi",
                                             5, 5, max, &reason));
  g_assert_cmpstr (reason, ==, "not an executable (text/plain)");
  g_clear_pointer (&reason, g_free);

  g_assert_false (petri_sandbox_is_eligible ("text/plain", "ASCII text", txt, sizeof txt - 1, 11,
                                             max, &reason));
  g_assert_cmpstr (reason, ==, "not an executable (text/plain)");
  g_clear_pointer (&reason, g_free);

  g_assert_false (petri_sandbox_is_eligible ("application/x-executable", "ELF", elf, sizeof elf,
                                             max + 1, max, &reason));
  g_assert_cmpstr (reason, ==, "larger than 8 MB");
  g_clear_pointer (&reason, g_free);

  g_assert_false (
      petri_sandbox_is_eligible ("application/x-empty", "empty", NULL, 0, 0, max, &reason));
  g_assert_cmpstr (reason, ==, "an empty file");
  g_clear_pointer (&reason, g_free);

  g_assert_false (petri_sandbox_is_eligible (NULL, NULL, txt, 3, 3, max, &reason));
  g_assert_cmpstr (reason, ==, "not an executable (unknown type)");
  g_clear_pointer (&reason, g_free);

  g_assert_cmpstr (petri_analysis_state_to_string (PETRI_ANALYSIS_COLLECTING), ==, "collecting");
  g_assert_cmpstr (petri_analysis_state_to_string (PETRI_ANALYSIS_FAILED), ==, "failed");
}

static const char domain_xml[]
    = "<domain type='kvm'><name>x</name>"
      "<devices>"
      "<disk type='file' device='disk'><source file='/a.qcow2'/><target dev='vda'/></disk>"
      "<disk type='file' device='disk'><source file='/b.qcow2'/><transient/></disk>"
      "<disk type='file' device='cdrom'><source file='/c.iso'/><readonly/></disk>"
      "<channel type='unix'><source mode='bind' path='/run/other.sock'/>"
      "<target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
      "<channel type='unix'><source mode='bind' path='/run/petri.sock'/>"
      "<target type='virtio' name='org.petri.agent.0'/></channel>"
      "<interface type='bridge'><source bridge='br0'/></interface>"
      "<interface type='network'><source network='default'/></interface>"
      "<interface type='network'><source network='missing'/></interface>"
      "</devices></domain>";

static void
test_domain_xml (void)
{
  gboolean found = FALSE, is_unix = FALSE;
  g_autofree char *path
      = petri_domain_xml_channel_path (domain_xml, "org.petri.agent.0", &found, &is_unix);
  g_autofree char *none = NULL;
  g_autoptr (GPtrArray) open = NULL;
  virConnectPtr conn;
  guint n = 0;

  g_assert_cmpstr (path, ==, "/run/petri.sock");
  g_assert_true (found);
  g_assert_true (is_unix);
  none = petri_domain_xml_channel_path ("<domain><devices><channel type='pty'><target "
                                        "type='virtio' name='org.petri.agent.0'/></channel>"
                                        "</devices></domain>",
                                        "org.petri.agent.0", &found, &is_unix);
  g_assert_null (none);
  g_assert_true (found);
  g_assert_false (is_unix);
  g_assert_null (petri_domain_xml_channel_path ("<domain/>", "org.petri.agent.0", &found, NULL));
  g_assert_false (found);
  g_assert_null (petri_domain_xml_channel_path ("<domain", "org.petri.agent.0", &found, NULL));

  /* Only the first disk survives a fresh boot. */
  g_assert_cmpuint (petri_domain_xml_count_writable_disks (domain_xml), ==, 1);

  /* The test driver's "default" network forwards: not isolated. */
  petri_libvirt_init ();
  conn = virConnectOpen ("test:///default");
  g_assert_nonnull (conn);
  open = petri_domain_xml_open_interfaces (conn, domain_xml, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (open->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (open, 0), ==, "bridge br0");
  g_assert_cmpstr (g_ptr_array_index (open, 1), ==, "network default");
  g_ptr_array_unref (g_steal_pointer (&open));
  {
    /* An isolated network (no <forward>) passes. */
    virNetworkPtr net
        = virNetworkDefineXML (conn, "<network><name>iso</name><bridge name='virbr9'/></network>");
    g_assert_nonnull (net);
    virNetworkFree (net);
    open = petri_domain_xml_open_interfaces (
        conn,
        "<domain><devices><interface type='network'><source network='iso'/></interface>"
        "</devices></domain>",
        &n);
    g_assert_cmpuint (n, ==, 1);
    g_assert_cmpuint (open->len, ==, 0);
  }
  virConnectClose (conn);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sandbox/config/good", test_config_good);
  g_test_add_func ("/sandbox/config/defaults", test_config_defaults);
  g_test_add_func ("/sandbox/config/errors", test_config_errors);
  g_test_add_func ("/sandbox/eligibility", test_eligibility);
  g_test_add_func ("/sandbox/domain-xml", test_domain_xml);
  return g_test_run ();
}
