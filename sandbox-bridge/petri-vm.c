/* petri-vm.c: one analysis VM through libvirt
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A PetriVm owns one libvirt connection and is used by one thread at a time
 * (its pool worker, or the check command): every call here blocks.
 */
#include "config.h"

#include "petri-sandbox-private.h"

#include <glib/gi18n.h>
#include <libvirt/virterror.h>
#include <string.h>

struct _PetriVm
{
  PetriVmConfig *config;
  virConnectPtr conn;
  virDomainPtr dom;
};

static void
silent_error_cb (void *user_data, virErrorPtr error)
{
  /* Errors are read back with virGetLastError() and reported as GError. */
}

void
petri_libvirt_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      virInitialize ();
      virSetErrorFunc (NULL, silent_error_cb);
      g_once_init_leave (&once, 1);
    }
}

void
petri_libvirt_set_error (GError **error, const char *what)
{
  virErrorPtr err = virGetLastError ();

  g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_LIBVIRT, "%s: %s", what,
               err != NULL && err->message != NULL ? err->message : _ ("unknown libvirt error"));
  virResetLastError ();
}

/* ---------------------------------------------------------------------- */
/* Domain XML                                                               */

typedef struct
{
  GPtrArray *stack; /* element names */
  const char *port_name;
  /* the <channel> being read */
  gboolean in_channel, channel_unix;
  char *channel_path, *channel_target;
  gboolean found_channel, found_unix;
  char *result_path;
  /* <disk device='disk'> without <readonly/> or <transient/> */
  gboolean in_disk, disk_protected;
  guint writable_disks;
  /* the <interface> being read */
  gboolean in_interface;
  char *iface_type, *iface_source;
  GPtrArray *interfaces; /* "type source" */
} DomainXml;

static const char *
attr (const char **names, const char **values, const char *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], name) == 0)
      return values[i];
  return NULL;
}

static gboolean
parent_is (DomainXml *x, const char *name)
{
  return x->stack->len >= 1 && strcmp (g_ptr_array_index (x->stack, x->stack->len - 1), name) == 0;
}

static void
xml_start (GMarkupParseContext *context, const char *element, const char **names,
           const char **values, gpointer user_data, GError **error)
{
  DomainXml *x = user_data;
  gboolean in_devices = x->stack->len == 2 && parent_is (x, "devices");

  if (in_devices && strcmp (element, "channel") == 0)
    {
      x->in_channel = TRUE;
      x->channel_unix = g_strcmp0 (attr (names, values, "type"), "unix") == 0;
    }
  else if (in_devices && strcmp (element, "disk") == 0)
    {
      x->in_disk = g_strcmp0 (attr (names, values, "device"), "disk") == 0
                   || attr (names, values, "device") == NULL;
      x->disk_protected = FALSE;
    }
  else if (x->in_disk && parent_is (x, "disk")
           && (strcmp (element, "readonly") == 0 || strcmp (element, "transient") == 0))
    x->disk_protected = TRUE;
  else if (in_devices && strcmp (element, "interface") == 0)
    {
      x->in_interface = TRUE;
      g_free (x->iface_type);
      x->iface_type = g_strdup (attr (names, values, "type"));
    }
  else if (x->in_channel && parent_is (x, "channel"))
    {
      if (strcmp (element, "source") == 0)
        {
          g_free (x->channel_path);
          x->channel_path = g_strdup (attr (names, values, "path"));
        }
      else if (strcmp (element, "target") == 0)
        {
          g_free (x->channel_target);
          x->channel_target = g_strdup (attr (names, values, "name"));
        }
    }
  else if (x->in_interface && parent_is (x, "interface") && strcmp (element, "source") == 0)
    {
      const char *keys[] = { "network", "bridge", "dev", "address", NULL };

      for (guint i = 0; keys[i] != NULL; i++)
        if (attr (names, values, keys[i]) != NULL)
          {
            g_free (x->iface_source);
            x->iface_source = g_strdup (attr (names, values, keys[i]));
            break;
          }
    }
  g_ptr_array_add (x->stack, g_strdup (element));
}

static void
xml_end (GMarkupParseContext *context, const char *element, gpointer user_data, GError **error)
{
  DomainXml *x = user_data;

  g_ptr_array_set_size (x->stack, x->stack->len - 1);
  if (x->in_channel && strcmp (element, "channel") == 0 && x->stack->len == 2)
    {
      if (g_strcmp0 (x->channel_target, x->port_name) == 0 && !x->found_channel)
        {
          x->found_channel = TRUE;
          x->found_unix = x->channel_unix;
          if (x->channel_unix)
            x->result_path = g_strdup (x->channel_path);
        }
      x->in_channel = FALSE;
      g_clear_pointer (&x->channel_path, g_free);
      g_clear_pointer (&x->channel_target, g_free);
    }
  else if (x->in_disk && strcmp (element, "disk") == 0 && x->stack->len == 2)
    {
      if (!x->disk_protected)
        x->writable_disks++;
      x->in_disk = FALSE;
    }
  else if (x->in_interface && strcmp (element, "interface") == 0 && x->stack->len == 2)
    {
      g_ptr_array_add (x->interfaces, g_strdup_printf ("%s %s", x->iface_type ? x->iface_type : "?",
                                                       x->iface_source ? x->iface_source : ""));
      x->in_interface = FALSE;
      g_clear_pointer (&x->iface_type, g_free);
      g_clear_pointer (&x->iface_source, g_free);
    }
}

static gboolean
parse_domain_xml (const char *xml, DomainXml *x)
{
  static const GMarkupParser parser = { .start_element = xml_start, .end_element = xml_end };
  g_autoptr (GMarkupParseContext) context = NULL;
  gboolean ok;

  x->stack = g_ptr_array_new_with_free_func (g_free);
  x->interfaces = g_ptr_array_new_with_free_func (g_free);
  context = g_markup_parse_context_new (&parser, G_MARKUP_IGNORE_QUALIFIED, x, NULL);
  ok = g_markup_parse_context_parse (context, xml, -1, NULL)
       && g_markup_parse_context_end_parse (context, NULL);
  g_ptr_array_unref (x->stack);
  g_free (x->channel_path);
  g_free (x->channel_target);
  g_free (x->iface_type);
  g_free (x->iface_source);
  return ok;
}

char *
petri_domain_xml_channel_path (const char *xml, const char *port_name, gboolean *found_channel,
                               gboolean *is_unix)
{
  DomainXml x = { .port_name = port_name };

  g_return_val_if_fail (xml != NULL && port_name != NULL, NULL);
  if (!parse_domain_xml (xml, &x))
    {
      g_clear_pointer (&x.result_path, g_free);
      x.found_channel = x.found_unix = FALSE;
    }
  g_ptr_array_unref (x.interfaces);
  if (found_channel != NULL)
    *found_channel = x.found_channel;
  if (is_unix != NULL)
    *is_unix = x.found_unix;
  return x.result_path;
}

guint
petri_domain_xml_count_writable_disks (const char *xml)
{
  DomainXml x = { .port_name = "" };
  guint n;

  parse_domain_xml (xml, &x);
  n = x.writable_disks;
  g_free (x.result_path);
  g_ptr_array_unref (x.interfaces);
  return n;
}

/* A libvirt network is isolated when it has no <forward>. */
static gboolean
network_is_isolated (virConnectPtr conn, const char *name)
{
  virNetworkPtr net;
  char *xml;
  gboolean isolated;

  if (conn == NULL || name == NULL || (net = virNetworkLookupByName (conn, name)) == NULL)
    {
      virResetLastError ();
      return FALSE;
    }
  xml = virNetworkGetXMLDesc (net, 0);
  virNetworkFree (net);
  if (xml == NULL)
    {
      virResetLastError ();
      return FALSE;
    }
  isolated = strstr (xml, "<forward") == NULL;
  free (xml);
  return isolated;
}

GPtrArray *
petri_domain_xml_open_interfaces (virConnectPtr conn, const char *xml, guint *n_interfaces)
{
  DomainXml x = { .port_name = "" };
  GPtrArray *open = g_ptr_array_new_with_free_func (g_free);

  if (!parse_domain_xml (xml, &x))
    {
      g_ptr_array_add (open, g_strdup (_ ("unreadable domain XML")));
      *n_interfaces = 0;
    }
  else
    {
      *n_interfaces = x.interfaces->len;
      for (guint i = 0; i < x.interfaces->len; i++)
        {
          const char *desc = g_ptr_array_index (x.interfaces, i);

          if (g_str_has_prefix (desc, "network ") && network_is_isolated (conn, desc + 8))
            continue;
          g_ptr_array_add (open, g_strdup (desc));
        }
    }
  g_free (x.result_path);
  g_ptr_array_unref (x.interfaces);
  return open;
}

/* ---------------------------------------------------------------------- */
/* The VM                                                                   */

static void
copy_config (PetriVmConfig *dst, const PetriVmConfig *src)
{
  dst->name = g_strdup (src->name);
  dst->uri = g_strdup (src->uri);
  dst->domain = g_strdup (src->domain);
  dst->snapshot = g_strdup (src->snapshot);
  dst->platform = g_strdup (src->platform);
  dst->allow_network = src->allow_network;
}

PetriVm *
petri_vm_new (const PetriVmConfig *config)
{
  PetriVm *self = g_new0 (PetriVm, 1);

  petri_libvirt_init ();
  self->config = g_new0 (PetriVmConfig, 1);
  copy_config (self->config, config);
  return self;
}

void
petri_vm_free (PetriVm *self)
{
  if (self == NULL)
    return;
  if (self->dom != NULL)
    virDomainFree (self->dom);
  if (self->conn != NULL)
    virConnectClose (self->conn);
  petri_vm_config_free (self->config);
  g_free (self);
}

const PetriVmConfig *
petri_vm_get_config (PetriVm *self)
{
  return self->config;
}

virConnectPtr
petri_vm_get_connection (PetriVm *self)
{
  return self->conn;
}

virDomainPtr
petri_vm_get_domain (PetriVm *self)
{
  return self->dom;
}

gboolean
petri_vm_lookup (PetriVm *self, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->conn != NULL && virConnectIsAlive (self->conn) != 1)
    {
      g_clear_pointer (&self->dom, virDomainFree);
      g_clear_pointer (&self->conn, virConnectClose);
    }
  if (self->conn == NULL)
    {
      self->conn = virConnectOpen (self->config->uri);
      if (self->conn == NULL)
        {
          g_autofree char *what
              = g_strdup_printf (_ ("libvirt does not answer at %s"), self->config->uri);
          petri_libvirt_set_error (error, what);
          return FALSE;
        }
    }
  g_clear_pointer (&self->dom, virDomainFree);
  self->dom = virDomainLookupByName (self->conn, self->config->domain);
  if (self->dom == NULL)
    {
      virResetLastError ();
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_LIBVIRT,
                   _ ("the domain “%s” is not defined at %s"), self->config->domain,
                   self->config->uri);
      return FALSE;
    }
  return TRUE;
}

static int
domain_state (PetriVm *self)
{
  int state = VIR_DOMAIN_NOSTATE, reason;

  if (self->dom == NULL || virDomainGetState (self->dom, &state, &reason, 0) < 0)
    {
      virResetLastError ();
      return -1;
    }
  return state;
}

gboolean
petri_vm_is_running (PetriVm *self)
{
  int state = domain_state (self);

  return state != -1 && state != VIR_DOMAIN_SHUTOFF;
}

gboolean
petri_vm_make_clean (PetriVm *self, GError **error)
{
  g_return_val_if_fail (self->dom != NULL, FALSE);

  if (petri_vm_is_running (self) && virDomainDestroy (self->dom) < 0)
    {
      g_autofree char *what = g_strdup_printf (_ ("cannot stop “%s”"), self->config->domain);
      petri_libvirt_set_error (error, what);
      return FALSE;
    }
  if (self->config->snapshot != NULL)
    {
      virDomainSnapshotPtr snap
          = virDomainSnapshotLookupByName (self->dom, self->config->snapshot, 0);
      int rc;

      if (snap == NULL)
        {
          virResetLastError ();
          g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_LIBVIRT,
                       _ ("the domain “%s” has no snapshot “%s”"), self->config->domain,
                       self->config->snapshot);
          return FALSE;
        }
      rc = virDomainRevertToSnapshot (snap, 0);
      if (rc < 0)
        {
          virErrorPtr err = virGetLastError ();
          if (err != NULL && err->code == VIR_ERR_SNAPSHOT_REVERT_RISKY)
            rc = virDomainRevertToSnapshot (snap, VIR_DOMAIN_SNAPSHOT_REVERT_FORCE);
        }
      virDomainSnapshotFree (snap);
      if (rc < 0)
        {
          g_autofree char *what = g_strdup_printf (_ ("cannot revert “%s” to snapshot “%s”"),
                                                   self->config->domain, self->config->snapshot);
          petri_libvirt_set_error (error, what);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
petri_vm_start (PetriVm *self, GError **error)
{
  g_return_val_if_fail (self->dom != NULL, FALSE);

  /* A snapshot taken while running comes back running. */
  if (domain_state (self) == VIR_DOMAIN_RUNNING)
    return TRUE;
  if (domain_state (self) == VIR_DOMAIN_PAUSED)
    {
      if (virDomainResume (self->dom) < 0)
        {
          g_autofree char *what = g_strdup_printf (_ ("cannot resume “%s”"), self->config->domain);
          petri_libvirt_set_error (error, what);
          return FALSE;
        }
      return TRUE;
    }
  if (virDomainCreate (self->dom) < 0)
    {
      g_autofree char *what
          = g_strdup_printf (_ ("libvirt refused to start “%s”"), self->config->domain);
      petri_libvirt_set_error (error, what);
      return FALSE;
    }
  return TRUE;
}

char *
petri_vm_get_channel_path (PetriVm *self, GError **error)
{
  char *xml;
  char *path;
  gboolean found = FALSE;

  g_return_val_if_fail (self->dom != NULL, NULL);

  xml = virDomainGetXMLDesc (self->dom, 0);
  if (xml == NULL)
    {
      petri_libvirt_set_error (error, _ ("cannot read the domain XML"));
      return NULL;
    }
  path = petri_domain_xml_channel_path (xml, PETRI_AGENT_PORT_NAME, &found, NULL);
  free (xml);
  if (path == NULL && found)
    g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG,
                 _ ("the agent channel “%s” of “%s” is not a unix socket with a path"),
                 PETRI_AGENT_PORT_NAME, self->config->domain);
  else if (path == NULL)
    g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG,
                 _ ("the domain “%s” has no agent channel “%s”"), self->config->domain,
                 PETRI_AGENT_PORT_NAME);
  return path;
}

void
petri_vm_stop (PetriVm *self, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  if (self->dom == NULL)
    return;
  while (petri_vm_is_running (self) && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  if (petri_vm_is_running (self) && virDomainDestroy (self->dom) < 0)
    {
      g_debug ("destroying %s: %s", self->config->domain, virGetLastErrorMessage ());
      virResetLastError ();
    }
}
