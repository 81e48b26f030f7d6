/* petri-sandbox-setup.c: `petri sandbox init` and `petri sandbox check`
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-sandbox-private.h"
#include "petri-sandbox-resources.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_URI "qemu:///system"
#define BOOT_TIMEOUT_S 120

char *
petri_sandbox_probe_libvirt (const char *uri)
{
  virConnectPtr conn;
  g_autoptr (GError) error = NULL;

  petri_libvirt_init ();
  if (uri == NULL)
    uri = DEFAULT_URI;
  conn = virConnectOpen (uri);
  if (conn != NULL)
    {
      virConnectClose (conn);
      return NULL;
    }
  petri_libvirt_set_error (&error, uri);
  return g_strdup_printf (_ ("No libvirt daemon answers at %s (%s). Start one as root with "
                             "“virtlogd -d && libvirtd -d”, or with “systemctl start "
                             "virtlogd libvirtd” where systemd runs."),
                          uri, error->message);
}

/* ---------------------------------------------------------------------- */
/* Booting a VM once until its agent answers                                */

static gboolean
boot_and_handshake (PetriVm *vm, guint timeout_s, PetriAgentHello *hello, double *seconds,
                    GCancellable *cancellable, GError **error)
{
  g_autoptr (PetriAgentChannel) channel = NULL;
  g_autofree char *path = NULL;
  gint64 t0 = g_get_monotonic_time ();
  gint64 deadline = t0 + (gint64) timeout_s * G_USEC_PER_SEC;
  gboolean ok;

  if (!petri_vm_lookup (vm, error) || !petri_vm_make_clean (vm, error)
      || !petri_vm_start (vm, error))
    return FALSE;
  ok = (path = petri_vm_get_channel_path (vm, error)) != NULL
       && (channel = petri_agent_channel_connect (path, deadline, cancellable, error)) != NULL
       && petri_agent_channel_handshake (channel, deadline, hello, cancellable, error);
  *seconds = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  if (ok)
    petri_agent_channel_poweroff (channel, NULL);
  g_clear_pointer (&channel, petri_agent_channel_free);
  petri_vm_stop (vm, 0);
  if (petri_vm_get_config (vm)->snapshot != NULL)
    {
      petri_vm_make_clean (vm, NULL);
      petri_vm_stop (vm, 0);
    }
  return ok;
}

/* ---------------------------------------------------------------------- */
/* init                                                                     */

static void say (void (*progress) (const char *, gpointer), gpointer user_data, const char *format,
                 ...) G_GNUC_PRINTF (3, 4);

static void
say (void (*progress) (const char *, gpointer), gpointer user_data, const char *format, ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  if (progress != NULL)
    progress (line, user_data);
}

/* The first directory on the way to @path (itself included) that QEMU,
 * running as another user, cannot traverse; NULL when all can be. */
static char *
first_closed_dir (const char *path)
{
  g_autofree char *dir = g_canonicalize_filename (path, NULL);

  for (;;)
    {
      struct stat st;
      g_autofree char *parent = NULL;

      if (g_stat (dir, &st) == 0 && (st.st_mode & S_IXOTH) == 0)
        return g_steal_pointer (&dir);
      parent = g_path_get_dirname (dir);
      if (strcmp (parent, dir) == 0)
        return NULL;
      g_free (dir);
      dir = g_steal_pointer (&parent);
    }
}

static char *
find_builder (const char *explicit)
{
  const char *env = g_getenv ("PETRI_GUEST_BUILDER");
  g_autofree char *source_dir = NULL;
  g_autofree char *in_tree = NULL;

  if (explicit != NULL)
    return g_strdup (explicit);
  if (env != NULL && *env != '\0')
    return g_strdup (env);
  source_dir = g_strdup (g_getenv ("PETRI_SOURCE_DIR"));
  if (source_dir == NULL || *source_dir == '\0')
    {
      g_free (source_dir);
      source_dir = g_strdup (PETRI_SOURCE_DIR);
    }
  in_tree = g_build_filename (source_dir, "sandbox-bridge", "guest", "petri-build-guest", NULL);
  if (g_file_test (in_tree, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&in_tree);
  return g_build_filename (PETRI_LIBEXECDIR, "petri", "petri-build-guest", NULL);
}

static gboolean
run_builder (const char *builder, const char *outdir, GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  const char *argv[] = { builder, outdir, NULL };

  if (!g_file_test (builder, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_FAILED,
                   _ ("The guest image builder %s is missing or not executable."), builder);
      return FALSE;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  if (g_getenv ("PETRI_BUILD_DIR") == NULL)
    g_subprocess_launcher_setenv (launcher, "PETRI_BUILD_DIR", PETRI_BUILD_DIR, TRUE);
  if (g_getenv ("PETRI_SOURCE_DIR") == NULL)
    g_subprocess_launcher_setenv (launcher, "PETRI_SOURCE_DIR", PETRI_SOURCE_DIR, TRUE);
  /* Our standard output stays for results: the builder talks on stderr. */
  g_subprocess_launcher_take_stdout_fd (launcher, dup (STDERR_FILENO));
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL || !g_subprocess_wait (process, NULL, error))
    return FALSE;
  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_FAILED,
                   _ ("The guest image builder %s failed (exit status %d)."), builder,
                   g_subprocess_get_exit_status (process));
      return FALSE;
    }
  return TRUE;
}

static char *
uuid_for_name (const char *name)
{
  g_autofree char *h = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);

  /* A version-4-shaped UUID derived from the name, so redefining keeps it. */
  return g_strdup_printf ("%.8s-%.4s-4%.3s-a%.3s-%.12s", h, h + 8, h + 13, h + 17, h + 20);
}

static char *
fill_template (const char *const *pairs)
{
  g_autoptr (GBytes) bytes = g_resource_lookup_data (
      petri_sandbox_get_resource (), "/org/petri/Workbench/sandbox/petri-linux-domain.xml",
      G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_autoptr (GString) xml = NULL;

  g_assert (bytes != NULL);
  xml = g_string_new_len (g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes));
  for (guint i = 0; pairs[i] != NULL; i += 2)
    {
      g_autofree char *escaped = g_markup_escape_text (pairs[i + 1], -1);
      g_string_replace (xml, pairs[i], escaped, 0);
    }
  return g_string_free (g_steal_pointer (&xml), FALSE);
}

/* guest.json from the builder: optional "cmdline" and "memory_mib". */
static void
read_guest_json (const char *images_dir, char **cmdline, guint *memory_mib)
{
  g_autofree char *path = g_build_filename (images_dir, "guest.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *o;

  if (!json_parser_load_from_file (parser, path, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  o = json_node_get_object (root);
  if (json_object_has_member (o, "cmdline")
      && json_node_get_value_type (json_object_get_member (o, "cmdline")) == G_TYPE_STRING)
    {
      g_free (*cmdline);
      *cmdline = g_strdup (json_object_get_string_member (o, "cmdline"));
    }
  if (*memory_mib == 0 && json_object_has_member (o, "memory_mib")
      && json_node_get_value_type (json_object_get_member (o, "memory_mib")) == G_TYPE_INT64)
    *memory_mib = (guint) CLAMP (json_object_get_int_member (o, "memory_mib"), 64, 4096);
}

static gboolean
define_domain (virConnectPtr conn, const char *xml, const char *name, GError **error)
{
  virDomainPtr dom = virDomainLookupByName (conn, name);

  virResetLastError ();
  if (dom != NULL)
    {
      int state = VIR_DOMAIN_NOSTATE;

      if (virDomainGetState (dom, &state, NULL, 0) == 0 && state != VIR_DOMAIN_SHUTOFF)
        virDomainDestroy (dom);
      virDomainFree (dom);
    }
  dom = virDomainDefineXML (conn, xml);
  if (dom == NULL)
    {
      g_autofree char *what = g_strdup_printf (_ ("libvirt refused to define “%s”"), name);
      petri_libvirt_set_error (error, what);
      return FALSE;
    }
  virDomainFree (dom);
  return TRUE;
}

gboolean
petri_sandbox_init (const PetriSandboxInitOptions *options,
                    void (*progress) (const char *line, gpointer user_data), gpointer user_data,
                    GError **error)
{
  const char *uri = options->uri ? options->uri : DEFAULT_URI;
  g_autofree char *data_dir = NULL;
  g_autofree char *images_dir = NULL;
  g_autofree char *closed = NULL;
  g_autofree char *builder = NULL;
  g_autofree char *kernel = NULL, *initrd = NULL;
  g_autofree char *cmdline = g_strdup ("console=ttyS0 quiet panic=-1");
  g_autofree char *tag = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *conf_text = NULL;
  g_autofree char *probe = NULL;
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_auto (GStrv) groups = NULL;
  virConnectPtr conn;
  gboolean kvm;
  guint n_vms = options->n_vms > 0 ? options->n_vms : 1;
  guint memory_mib = options->memory_mib;

  g_return_val_if_fail (options != NULL && options->data_dir != NULL, FALSE);
  petri_libvirt_init ();

  if ((probe = petri_sandbox_probe_libvirt (uri)) != NULL)
    {
      g_set_error_literal (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_LIBVIRT, probe);
      return FALSE;
    }

  data_dir = g_canonicalize_filename (options->data_dir, NULL);
  tag = g_compute_checksum_for_string (G_CHECKSUM_SHA256, data_dir, -1);
  tag[8] = '\0';
  if (g_mkdir_with_parents (data_dir, 0700) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _ ("Cannot create the data folder %s: %s"), data_dir, g_strerror (errno));
      return FALSE;
    }

  /* QEMU runs as another user: every folder on the way must let it pass. */
  images_dir = options->images_dir ? g_canonicalize_filename (options->images_dir, NULL)
                                   : g_build_filename (data_dir, "sandbox", NULL);
  if (g_mkdir_with_parents (images_dir, 0755) < 0 || g_chmod (images_dir, 0755) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _ ("Cannot create the images folder %s: %s"), images_dir, g_strerror (errno));
      return FALSE;
    }
  if ((closed = first_closed_dir (images_dir)) != NULL)
    {
      if (options->images_dir != NULL || getuid () != 0)
        {
          g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_FAILED,
                       _ ("QEMU cannot reach %s: the folder %s is closed to other users. Choose "
                          "another folder with --images-dir, or open it with “chmod o+x %s”."),
                       images_dir, closed, closed);
          return FALSE;
        }
      g_rmdir (images_dir);
      g_free (images_dir);
      images_dir = g_strdup_printf ("/var/lib/petri/sandbox-%s", tag);
      say (progress, user_data, _ ("%s is closed to QEMU; the guest images go to %s instead."),
           closed, images_dir);
      if (g_mkdir_with_parents (images_dir, 0755) < 0 || g_chmod ("/var/lib/petri", 0755) < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       _ ("Cannot create the images folder %s: %s"), images_dir,
                       g_strerror (errno));
          return FALSE;
        }
    }

  kernel = g_build_filename (images_dir, "vmlinux", NULL);
  initrd = g_build_filename (images_dir, "initramfs.img", NULL);
  if (options->rebuild || !g_file_test (kernel, G_FILE_TEST_EXISTS)
      || !g_file_test (initrd, G_FILE_TEST_EXISTS))
    {
      builder = find_builder (options->builder);
      say (progress, user_data, _ ("Building the guest image with %s into %s…"), builder,
           images_dir);
      if (!run_builder (builder, images_dir, error))
        return FALSE;
    }
  else
    say (progress, user_data, _ ("Using the guest image in %s."), images_dir);
  if (!g_file_test (kernel, G_FILE_TEST_EXISTS) || !g_file_test (initrd, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_FAILED,
                   _ ("The guest image builder left no %s or %s."), kernel, initrd);
      return FALSE;
    }
  g_chmod (kernel, 0644);
  g_chmod (initrd, 0644);
  read_guest_json (images_dir, &cmdline, &memory_mib);
  if (memory_mib == 0)
    memory_mib = 256;

  kvm = !options->force_tcg && g_access ("/dev/kvm", R_OK | W_OK) == 0;
  say (progress, user_data,
       kvm ? _ ("Using KVM (/dev/kvm is present).") : _ ("Using plain QEMU emulation (no KVM)."));

  conf_path = petri_sandbox_config_path (data_dir);
  g_key_file_load_from_file (kf, conf_path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  /* The VMs init made before are replaced; the analyst's own stay. */
  groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (g_str_has_prefix (groups[i], "vm petri-linux-"))
      g_key_file_remove_group (kf, groups[i], NULL);
  if (!g_key_file_has_key (kf, "sandbox", "duration", NULL))
    g_key_file_set_integer (kf, "sandbox", "duration", PETRI_SANDBOX_DEFAULT_DURATION);
  if (!g_key_file_has_key (kf, "sandbox", "max_size", NULL))
    g_key_file_set_uint64 (kf, "sandbox", "max_size", PETRI_SANDBOX_DEFAULT_MAX_SIZE);
  g_key_file_set_string (kf, "sandbox", "images_dir", images_dir);

  for (;;)
    {
      g_autoptr (GError) boot_error = NULL;

      conn = virConnectOpen (uri);
      if (conn == NULL)
        {
          petri_libvirt_set_error (error, uri);
          return FALSE;
        }
      for (guint i = 1; i <= n_vms; i++)
        {
          g_autofree char *name = g_strdup_printf ("petri-%s-%u", tag, i);
          g_autofree char *vm_name = g_strdup_printf ("petri-linux-%u", i);
          g_autofree char *group = g_strdup_printf ("vm %s", vm_name);
          g_autofree char *uuid = uuid_for_name (name);
          g_autofree char *console = g_strdup_printf ("%s/console-%u.log", images_dir, i);
          g_autofree char *memory = g_strdup_printf ("%u", memory_mib);
          g_autofree char *xml = NULL;
          const char *pairs[] = {
            "@TYPE@",     kvm ? "kvm" : "qemu",
            "@NAME@",     name,
            "@UUID@",     uuid,
            "@MEMORY@",   memory,
            "@KERNEL@",   kernel,
            "@INITRD@",   initrd,
            "@CMDLINE@",  cmdline,
            "@CONSOLE@",  console,
            "@DATA_DIR@", data_dir,
            NULL,
          };

          xml = fill_template (pairs);
          if (!define_domain (conn, xml, name, error))
            {
              virConnectClose (conn);
              return FALSE;
            }
          say (progress, user_data, _ ("Defined the domain %s at %s."), name, uri);
          g_key_file_set_string (kf, group, "uri", uri);
          g_key_file_set_string (kf, group, "domain", name);
          g_key_file_set_string (kf, group, "clean", "boot");
          g_key_file_set_string (kf, group, "platform", "linux");
          g_key_file_set_boolean (kf, group, "allow_network", FALSE);
        }
      virConnectClose (conn);

      g_free (conf_text);
      conf_text = g_key_file_to_data (kf, NULL, NULL);
      if (!g_file_set_contents_full (conf_path, conf_text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                     error))
        return FALSE;
      say (progress, user_data, _ ("Wrote %s."), conf_path);

      /* Boot each VM once: the pool is ready only when every agent answers. */
      {
        g_autoptr (PetriSandboxConfig) config = petri_sandbox_config_load (conf_path, error);

        if (config == NULL)
          return FALSE;
        for (guint i = 0; i < config->vms->len; i++)
          {
            PetriVmConfig *vmc = g_ptr_array_index (config->vms, i);
            g_autoptr (PetriVm) vm = NULL;
            PetriAgentHello hello = { 0 };
            double seconds = 0;

            if (!g_str_has_prefix (vmc->name, "petri-linux-"))
              continue;
            vm = petri_vm_new (vmc);
            if (!boot_and_handshake (vm, BOOT_TIMEOUT_S, &hello, &seconds, NULL, &boot_error))
              {
                if (kvm)
                  break;
                g_propagate_prefixed_error (error, g_steal_pointer (&boot_error),
                                            _ ("%s did not come up: "), vmc->name);
                return FALSE;
              }
            say (progress, user_data, _ ("%s: the agent (%s, kernel %s) answered after %.1f s."),
                 vmc->name, hello.agent ? hello.agent : "?", hello.kernel ? hello.kernel : "?",
                 seconds);
            petri_agent_hello_clear (&hello);
          }
      }
      if (boot_error == NULL)
        break;
      /* /dev/kvm can be there and still closed to QEMU's user. */
      say (progress, user_data, _ ("KVM does not work here (%s); using plain QEMU emulation."),
           boot_error->message);
      kvm = FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* check                                                                    */

void
petri_sandbox_check_free (PetriSandboxCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->vm);
  g_free (check->check);
  g_free (check->message);
  g_free (check->fix);
  g_free (check);
}

static void
add_check (GPtrArray *out, const char *vm, const char *check, gboolean ok, char *message, char *fix)
{
  PetriSandboxCheck *c = g_new0 (PetriSandboxCheck, 1);

  c->vm = g_strdup (vm);
  c->check = g_strdup (check);
  c->ok = ok;
  c->message = message;
  c->fix = fix;
  g_ptr_array_add (out, c);
}

/* The <state> of a snapshot's XML ("running", "shutoff" …). */
static char *
snapshot_state (virDomainSnapshotPtr snap)
{
  char *xml = virDomainSnapshotGetXMLDesc (snap, 0);
  const char *start, *end;
  char *state = NULL;

  if (xml == NULL)
    {
      virResetLastError ();
      return NULL;
    }
  /* The snapshot's own <state> comes before the embedded <domain>. */
  start = strstr (xml, "<state>");
  if (start != NULL && (end = strstr (start, "</state>")) != NULL)
    state = g_strndup (start + 7, (gsize) (end - start - 7));
  free (xml);
  return state;
}

static void
check_vm (const PetriVmConfig *vmc, guint handshake_timeout, GPtrArray *out,
          GCancellable *cancellable)
{
  g_autoptr (PetriVm) vm = petri_vm_new (vmc);
  g_autoptr (GError) error = NULL;
  g_autofree char *xml = NULL;
  gboolean channel_ok = FALSE;
  const char *name = vmc->name;

  if (!petri_vm_lookup (vm, &error))
    {
      if (petri_vm_get_connection (vm) == NULL)
        {
          g_autofree char *probe = petri_sandbox_probe_libvirt (vmc->uri);
          add_check (out, name, "libvirt", FALSE,
                     g_strdup_printf (_ ("libvirt does not answer at %s."), vmc->uri),
                     probe ? g_steal_pointer (&probe)
                           : g_strdup (_ ("Check the URI in sandbox.conf.")));
          return;
        }
      add_check (out, name, "libvirt", TRUE,
                 g_strdup_printf (_ ("libvirt answers at %s."), vmc->uri), NULL);
      add_check (
          out, name, "domain", FALSE,
          g_strdup_printf (_ ("The domain “%s” is not defined at %s."), vmc->domain, vmc->uri),
          g_strdup (_ ("Run “petri sandbox init”, or define the domain and fix “domain” "
                       "in sandbox.conf.")));
      return;
    }
  add_check (out, name, "libvirt", TRUE, g_strdup_printf (_ ("libvirt answers at %s."), vmc->uri),
             NULL);
  add_check (out, name, "domain", TRUE,
             g_strdup_printf (_ ("The domain “%s” is defined."), vmc->domain), NULL);

  xml = virDomainGetXMLDesc (petri_vm_get_domain (vm), VIR_DOMAIN_XML_INACTIVE);
  if (xml == NULL)
    {
      virResetLastError ();
      xml = g_strdup ("<domain/>");
    }
  else
    {
      char *tmp = g_strdup (xml);
      free (xml);
      xml = tmp;
    }

  /* Clean state. */
  if (vmc->snapshot != NULL)
    {
      virDomainSnapshotPtr snap
          = virDomainSnapshotLookupByName (petri_vm_get_domain (vm), vmc->snapshot, 0);
      g_autofree char *state = NULL;

      if (snap == NULL)
        {
          virResetLastError ();
          add_check (out, name, "clean-state", FALSE,
                     g_strdup_printf (_ ("The domain has no snapshot “%s”."), vmc->snapshot),
                     g_strdup_printf (_ ("Start the VM, wait until its agent runs, then take it "
                                         "with “virsh snapshot-create-as %s %s”."),
                                      vmc->domain, vmc->snapshot));
        }
      else
        {
          state = snapshot_state (snap);
          virDomainSnapshotFree (snap);
          if (g_strcmp0 (state, "running") == 0)
            add_check (
                out, name, "clean-state", TRUE,
                g_strdup_printf (_ ("The snapshot “%s” was taken while running."), vmc->snapshot),
                NULL);
          else
            add_check (out, name, "clean-state", FALSE,
                       g_strdup_printf (_ ("The snapshot “%s” was taken while the VM was %s: "
                                           "every analysis would boot from cold and may never "
                                           "reach the agent."),
                                        vmc->snapshot, state ? state : _ ("in an unknown state")),
                       g_strdup_printf (_ ("Start the VM, wait until its agent runs, then "
                                           "re-take the snapshot with “virsh snapshot-create-as "
                                           "%s %s” while it runs."),
                                        vmc->domain, vmc->snapshot));
        }
    }
  else
    {
      guint writable = petri_domain_xml_count_writable_disks (xml);

      if (writable == 0)
        add_check (out, name, "clean-state", TRUE,
                   g_strdup (_ ("Fresh boot of a guest without writable disks: clean at every "
                                "run.")),
                   NULL);
      else
        add_check (out, name, "clean-state", FALSE,
                   g_strdup_printf (ngettext ("“clean = boot” but the domain has %u writable "
                                              "disk: what one sample writes stays for the next.",
                                              "“clean = boot” but the domain has %u writable "
                                              "disks: what one sample writes stays for the next.",
                                              writable),
                                    writable),
                   g_strdup (_ ("Use “clean = snapshot:NAME” with a snapshot taken while "
                                "running, or mark the disks <transient/>.")));
    }

  /* Agent channel. */
  {
    gboolean found = FALSE, is_unix = FALSE;
    g_autofree char *path
        = petri_domain_xml_channel_path (xml, PETRI_AGENT_PORT_NAME, &found, &is_unix);

    channel_ok = found && is_unix;
    if (channel_ok)
      add_check (out, name, "channel", TRUE,
                 g_strdup_printf (_ ("The virtio-serial channel “%s” is a unix socket."),
                                  PETRI_AGENT_PORT_NAME),
                 NULL);
    else
      add_check (out, name, "channel", FALSE,
                 found ? g_strdup_printf (_ ("The channel “%s” is not of type unix."),
                                          PETRI_AGENT_PORT_NAME)
                       : g_strdup_printf (_ ("The domain has no virtio-serial channel “%s”."),
                                          PETRI_AGENT_PORT_NAME),
                 g_strdup_printf (_ ("Add <channel type='unix'><source mode='bind'/><target "
                                     "type='virtio' name='%s'/></channel> to the domain "
                                     "(“virsh edit %s”)."),
                                  PETRI_AGENT_PORT_NAME, vmc->domain));
  }

  /* Network isolation. */
  {
    guint n_interfaces = 0;
    g_autoptr (GPtrArray) open
        = petri_domain_xml_open_interfaces (petri_vm_get_connection (vm), xml, &n_interfaces);

    if (open->len == 0)
      add_check (out, name, "network", TRUE,
                 n_interfaces == 0 ? g_strdup (_ ("No network interface: the guest is isolated."))
                                   : g_strdup (_ ("Only isolated networks (no <forward>).")),
                 NULL);
    else
      {
        g_ptr_array_add (open, NULL);
        g_autofree char *list = g_strjoinv (", ", (char **) open->pdata);

        if (vmc->allow_network)
          add_check (out, name, "network", TRUE,
                     g_strdup_printf (_ ("Interfaces that reach out (%s), allowed by "
                                         "allow_network."),
                                      list),
                     NULL);
        else
          add_check (out, name, "network", FALSE,
                     g_strdup_printf (_ ("The guest has interfaces that can reach the host's "
                                         "network: %s."),
                                      list),
                     g_strdup_printf (_ ("Remove them (“virsh edit %s”), attach an isolated "
                                         "network without <forward>, or set allow_network = "
                                         "true for this VM."),
                                      vmc->domain));
      }
  }

  /* The agent. */
  if (!channel_ok)
    {
      add_check (out, name, "agent", FALSE, g_strdup (_ ("Not tried: no agent channel.")),
                 g_strdup (_ ("Fix the channel first.")));
      return;
    }
  {
    PetriAgentHello hello = { 0 };
    double seconds = 0;

    if (boot_and_handshake (vm, handshake_timeout, &hello, &seconds, cancellable, &error))
      add_check (out, name, "agent", TRUE,
                 g_strdup_printf (
                     _ ("The agent %s answered after %.1f s with protocol version "
                        "%d (platform %s, monitor %s)."),
                     hello.agent ? hello.agent : "?", seconds, PETRI_AGENT_PROTOCOL_VERSION,
                     hello.platform ? hello.platform : "?", hello.monitor ? hello.monitor : "?"),
                 NULL);
    else
      add_check (out, name, "agent", FALSE,
                 g_strdup_printf (_ ("The agent failed the handshake: %s"), error->message),
                 g_strdup_printf (_ ("Look at the guest's console log and at "
                                     "/var/log/libvirt/qemu/%s.log; “petri sandbox init” "
                                     "rebuilds Petri's own guest."),
                                  vmc->domain));
    petri_agent_hello_clear (&hello);
  }
}

GPtrArray *
petri_sandbox_check (const char *conf_path, GCancellable *cancellable, GError **error)
{
  g_autoptr (PetriSandboxConfig) config = petri_sandbox_config_load (conf_path, error);
  GPtrArray *out;

  if (config == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_sandbox_check_free);
  for (guint i = 0; i < config->vms->len; i++)
    check_vm (g_ptr_array_index (config->vms, i), config->handshake_timeout, out, cancellable);
  return out;
}
