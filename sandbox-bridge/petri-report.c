/* petri-report.c: CAPE and Cuckoo 2 JSON reports in Petri's behaviour model
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Where things are in the two formats (both derive from Cuckoo 1):
 *
 *   info        id, started, ended, duration, machine{name}, package, platform, score
 *   target      file{name, size, md5, sha1, sha256, ssdeep, type}
 *   behavior    processes[]   Cuckoo: pid, ppid, process_name, process_path,
 *                                     command_line, first_seen (epoch),
 *                                     calls[]{api, arguments{…}, time, return_value}
 *                             CAPE:   process_id, parent_id, process_name, module_path,
 *                                     environ{CommandLine}, first_seen,
 *                                     calls[]{api, arguments[{name, value}], timestamp, return}
 *               summary       Cuckoo: file_created, regkey_written, mutex, command_line …
 *                             CAPE:   files, write_keys, mutexes, executed_commands …
 *               generic[]     Cuckoo: per process {pid, ppid, summary{…}}
 *   network     hosts, domains, dns, tcp, udp, http
 *   signatures  [{name, description, severity, marks|data}]
 *   dropped     [{name, path|guest_paths, size, md5, sha1, sha256}]
 *
 * Only the file-system, registry, mutex and command lists of the summaries are
 * turned into events (they are short and deduplicated already); calls are
 * read for what the summaries do not tell: injections into other processes
 * and driver I/O control requests (with the device they went to, found by
 * following the handles the process opened).
 */
#include "config.h"

#include "petri-report.h"
#include "petri-json-reader.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#define MAX_EVENTS 200000
#define CALL_BUDGET (256 * 1024)
#define SMALL_BUDGET (256 * 1024)
#define MAX_HANDLES 8192
#define MAX_DETAIL_STRING 512

/* The quark name is stringified: keep it as written. */
/* clang-format off */
G_DEFINE_QUARK (petri-report-error-quark, petri_report_error)
/* clang-format on */

const char *
petri_report_dialect_to_string (PetriReportDialect dialect)
{
  switch (dialect)
    {
    case PETRI_REPORT_DIALECT_CAPE:
      return "cape";
    case PETRI_REPORT_DIALECT_CUCKOO:
      return "cuckoo";
    case PETRI_REPORT_DIALECT_UNKNOWN:
    default:
      return "unknown";
    }
}

static void
report_file_free (PetriReportFile *f)
{
  g_free (f->name);
  g_free (f->path);
  g_free (f->sha256);
  g_free (f->sha1);
  g_free (f->md5);
  g_free (f);
}

void
petri_report_free (PetriReport *self)
{
  if (self == NULL)
    return;
  g_free (self->sha256);
  g_free (self->sha1);
  g_free (self->md5);
  g_free (self->ssdeep);
  g_free (self->file_name);
  g_free (self->file_type);
  g_free (self->report_id);
  g_free (self->machine);
  g_free (self->platform);
  g_free (self->package);
  g_free (self->family);
  g_clear_pointer (&self->events, g_ptr_array_unref);
  g_clear_pointer (&self->signatures, g_ptr_array_unref);
  g_clear_pointer (&self->dropped, g_ptr_array_unref);
  g_free (self);
}

/* ---------------------------------------------------------------------- */
/* I/O control codes                                                        */

static const struct
{
  guint32 type;
  const char *name;
} device_types[] = {
  { 0x01, "FILE_DEVICE_BEEP" },
  { 0x02, "FILE_DEVICE_CD_ROM" },
  { 0x04, "FILE_DEVICE_CONTROLLER" },
  { 0x07, "FILE_DEVICE_DISK" },
  { 0x08, "FILE_DEVICE_DISK_FILE_SYSTEM" },
  { 0x09, "FILE_DEVICE_FILE_SYSTEM" },
  { 0x0b, "FILE_DEVICE_KEYBOARD" },
  { 0x0f, "FILE_DEVICE_MOUSE" },
  { 0x12, "FILE_DEVICE_NETWORK" },
  { 0x14, "FILE_DEVICE_NETWORK_FILE_SYSTEM" },
  { 0x15, "FILE_DEVICE_NULL" },
  { 0x17, "FILE_DEVICE_PHYSICAL_NETCARD" },
  { 0x1b, "FILE_DEVICE_SERIAL_PORT" },
  { 0x1f, "FILE_DEVICE_TAPE" },
  { 0x22, "FILE_DEVICE_UNKNOWN" },
  { 0x24, "FILE_DEVICE_VIRTUAL_DISK" },
  { 0x2d, "FILE_DEVICE_MASS_STORAGE" },
  { 0x39, "FILE_DEVICE_KSEC" },
  { 0x56, "FILE_DEVICE_VOLUME" },
};

static const struct
{
  guint32 code;
  const char *name;
} known_ioctls[] = {
  { 0x00070000, "IOCTL_DISK_GET_DRIVE_GEOMETRY" },
  { 0x00070048, "IOCTL_DISK_GET_PARTITION_INFO_EX" },
  { 0x00070050, "IOCTL_DISK_GET_DRIVE_LAYOUT_EX" },
  { 0x000700a0, "IOCTL_DISK_GET_DRIVE_GEOMETRY_EX" },
  { 0x0007405c, "IOCTL_DISK_GET_LENGTH_INFO" },
  { 0x0007c054, "IOCTL_DISK_SET_DRIVE_LAYOUT_EX" },
  { 0x00074080, "SMART_GET_VERSION" },
  { 0x0007c088, "SMART_RCV_DRIVE_DATA" },
  { 0x002d1400, "IOCTL_STORAGE_QUERY_PROPERTY" },
  { 0x002d1080, "IOCTL_STORAGE_GET_DEVICE_NUMBER" },
  { 0x0004d008, "IOCTL_SCSI_MINIPORT" },
  { 0x0004d014, "IOCTL_SCSI_PASS_THROUGH_DIRECT" },
  { 0x00090018, "FSCTL_LOCK_VOLUME" },
  { 0x0009001c, "FSCTL_UNLOCK_VOLUME" },
  { 0x00090020, "FSCTL_DISMOUNT_VOLUME" },
  { 0x00090064, "FSCTL_GET_NTFS_VOLUME_DATA" },
  { 0x000900a4, "FSCTL_SET_REPARSE_POINT" },
  { 0x000900a8, "FSCTL_GET_REPARSE_POINT" },
  { 0x000900bb, "FSCTL_READ_USN_JOURNAL" },
  { 0x000900f8, "FSCTL_DELETE_USN_JOURNAL" },
  { 0x00560000, "IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS" },
  { 0x00170002, "IOCTL_NDIS_QUERY_GLOBAL_STATS" },
  /* AFD (sockets) builds its codes as (FILE_DEVICE_NETWORK << 12) | (n << 2) | method. */
  { 0x00012003, "IOCTL_AFD_BIND" },
  { 0x00012007, "IOCTL_AFD_CONNECT" },
  { 0x00012017, "IOCTL_AFD_RECV" },
  { 0x0001201f, "IOCTL_AFD_SEND" },
  { 0x00012047, "IOCTL_AFD_SET_CONTEXT" },
};

static const char *const methods[] = {
  "METHOD_BUFFERED",
  "METHOD_IN_DIRECT",
  "METHOD_OUT_DIRECT",
  "METHOD_NEITHER",
};
static const char *const accesses[] = {
  "FILE_ANY_ACCESS",
  "FILE_READ_ACCESS",
  "FILE_WRITE_ACCESS",
  "FILE_READ_ACCESS|FILE_WRITE_ACCESS",
};

JsonObject *
petri_report_decode_ioctl (guint32 code)
{
  JsonObject *o = json_object_new ();
  guint32 type = code >> 16;
  g_autofree char *hex = g_strdup_printf ("0x%08x", code);
  const char *type_name = NULL;

  json_object_set_string_member (o, "request", hex);
  json_object_set_int_member (o, "device_type", type);
  for (guint i = 0; i < G_N_ELEMENTS (device_types); i++)
    if (device_types[i].type == type)
      {
        type_name = device_types[i].name;
        break;
      }
  if (type_name != NULL)
    json_object_set_string_member (o, "device_type_name", type_name);
  else if (type & 0x8000)
    json_object_set_string_member (o, "device_type_name", "vendor");
  json_object_set_int_member (o, "function", (code >> 2) & 0xfff);
  json_object_set_string_member (o, "method", methods[code & 3]);
  json_object_set_string_member (o, "access", accesses[(code >> 14) & 3]);
  for (guint i = 0; i < G_N_ELEMENTS (known_ioctls); i++)
    if (known_ioctls[i].code == code)
      {
        json_object_set_string_member (o, "name", known_ioctls[i].name);
        break;
      }
  return o;
}

/* ---------------------------------------------------------------------- */
/* The parser                                                               */

typedef struct
{
  PetriJsonReader *r;
  GCancellable *cancellable;
  const char *name;
  PetriReport *report;

  GHashTable *seen;  /* "category\x1faction\x1fpid\x1ftarget" → event (borrowed) */
  GPtrArray *events; /* owned; ts holds absolute Unix time, or 0 */
  GHashTable *unattributed_seen;
  GPtrArray *unattributed; /* from the report-wide summary, merged at the end */
  double first_seen;       /* earliest process start seen */
  gboolean has_info, has_behavior, cape_hints;
} Parser;

typedef struct
{
  gint64 pid, ppid;
  char *name, *path, *command_line;
  double first_seen;
  GPtrArray *pending;  /* events whose pid is filled in at the end */
  GHashTable *seen;    /* deduplicates pending */
  GPtrArray *remote;   /* RemoteOp, decided once the own pid is known */
  GHashTable *handles; /* handle text → path */
} Process;

typedef struct
{
  char *action, *api, *handle;
  gint64 target_pid;
  double ts;
  gboolean handle_counts; /* a non-pseudo process handle alone is enough */
  guint count;
} RemoteOp;

static void
remote_op_free (RemoteOp *op)
{
  g_free (op->action);
  g_free (op->api);
  g_free (op->handle);
  g_free (op);
}

static void
process_clear (Process *p)
{
  g_free (p->name);
  g_free (p->path);
  g_free (p->command_line);
  g_clear_pointer (&p->pending, g_ptr_array_unref);
  g_clear_pointer (&p->seen, g_hash_table_unref);
  g_clear_pointer (&p->remote, g_ptr_array_unref);
  g_clear_pointer (&p->handles, g_hash_table_unref);
}

static void
note_dialect (Parser *p, PetriReportDialect d)
{
  if (p->report->dialect == PETRI_REPORT_DIALECT_UNKNOWN)
    p->report->dialect = d;
}

static char *
clip (const char *s)
{
  if (s == NULL)
    return NULL;
  if (strlen (s) <= MAX_DETAIL_STRING)
    return g_strdup (s);
  return g_utf8_make_valid (s, MAX_DETAIL_STRING);
}

/* Takes @ev; merges it with an equal one seen before in @seen (counting). */
static void
add_event_in (Parser *p, GHashTable *seen, GPtrArray *into, PetriBehaviorEvent *ev)
{
  g_autofree char *key = NULL;
  PetriBehaviorEvent *old;

  /* Driver requests differ by their code, not only by device. */
  key = g_strdup_printf (
      "%s\x1f%s\x1f%" G_GINT64_FORMAT "\x1f%s\x1f%s", ev->category, ev->action, ev->pid,
      ev->target ? ev->target : "",
      ev->details ? json_object_get_string_member_with_default (ev->details, "request", "") : "");
  old = g_hash_table_lookup (seen, key);
  if (old != NULL)
    {
      gint64 n;

      if (old->details == NULL)
        old->details = json_object_new ();
      n = json_object_has_member (old->details, "count")
              ? json_object_get_int_member (old->details, "count")
              : 1;
      json_object_set_int_member (old->details, "count", n + 1);
      if (ev->ts > 0 && (old->ts == 0 || ev->ts < old->ts))
        old->ts = ev->ts;
      petri_behavior_event_unref (ev);
      return;
    }
  if (g_hash_table_size (seen) >= MAX_EVENTS)
    {
      p->report->events_truncated = TRUE;
      petri_behavior_event_unref (ev);
      return;
    }
  g_hash_table_insert (seen, g_steal_pointer (&key), ev);
  g_ptr_array_add (into, ev);
}

static void
add_event (Parser *p, PetriBehaviorEvent *ev)
{
  add_event_in (p, p->seen, p->events, ev);
}

static GHashTable *
seen_table_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
set_str (char **out, const char *value)
{
  char *copy = g_strdup (value);

  g_free (*out);
  *out = copy;
}

static PetriBehaviorEvent *
event_new (const char *category, const char *action, const char *target)
{
  PetriBehaviorEvent *ev = petri_behavior_event_new (category, action);

  ev->target = clip (target);
  return ev;
}

/* "2021-03-31 10:21:46,123", "2017-05-12 11:12:13", ISO 8601, or a number. */
static double
parse_time_string (const char *s)
{
  int y, mo, d, h, mi;
  double sec;
  g_autoptr (GDateTime) dt = NULL;
  g_autofree char *copy = NULL;

  if (s == NULL || *s == '\0')
    return 0;
  copy = g_strdup (s);
  g_strdelimit (copy, ",", '.');
  if (sscanf (copy, "%d-%d-%d%*1[ T]%d:%d:%lf", &y, &mo, &d, &h, &mi, &sec) == 6)
    {
      dt = g_date_time_new_utc (y, mo, d, h, mi, sec);
      if (dt != NULL)
        return g_date_time_to_unix (dt) + (sec - (int) sec);
    }
  return g_ascii_strtod (copy, NULL);
}

static double
node_time (JsonNode *n)
{
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return 0;
  if (json_node_get_value_type (n) == G_TYPE_STRING)
    return parse_time_string (json_node_get_string (n));
  if (json_node_get_value_type (n) == G_TYPE_INT64 || json_node_get_value_type (n) == G_TYPE_DOUBLE)
    return json_node_get_double (n);
  return 0;
}

/* A scalar as text ("0x1f" for numbers stays decimal), or NULL. */
static char *
node_text (JsonNode *n)
{
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return NULL;
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (n));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
    case G_TYPE_DOUBLE:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (n)));
      }
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (n) ? "true" : "false");
    default:
      return NULL;
    }
}

/* Integers come as numbers, "0x…" or decimal strings. */
static gboolean
node_uint (JsonNode *n, guint64 *out)
{
  g_autofree char *text = NULL;
  char *end = NULL;

  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64)
    {
      *out = (guint64) json_node_get_int (n);
      return TRUE;
    }
  text = node_text (n);
  if (text == NULL)
    return FALSE;
  g_strstrip (text);
  if (g_ascii_strncasecmp (text, "0x", 2) == 0)
    *out = g_ascii_strtoull (text + 2, &end, 16);
  else if (text[0] == '-')
    *out = (guint64) g_ascii_strtoll (text, &end, 10);
  else
    *out = g_ascii_strtoull (text, &end, 10);
  return end != NULL && end != text && *end == '\0';
}

static gboolean
is_hex (const char *s, gsize len)
{
  if (s == NULL || strlen (s) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

static char *
hash_or_null (const char *s, gsize len)
{
  return is_hex (s, len) ? g_ascii_strdown (s, -1) : NULL;
}

/* ---------------------------------------------------------------------- */
/* Small helpers over the reader                                            */

#define NEXT(p) petri_json_reader_next ((p)->r, (p)->cancellable, error)
#define SKIP(p, t) petri_json_reader_skip ((p)->r, (t), (p)->cancellable, error)
#define STR(p) petri_json_reader_get_string ((p)->r)

static gboolean
expect (Parser *p, PetriJsonToken got, PetriJsonToken want, const char *what, GError **error)
{
  g_autofree char *msg = NULL;

  if (got == PETRI_JSON_ERROR)
    return FALSE;
  if (got == want)
    return TRUE;
  msg = g_strdup_printf (_ ("“%s” is not %s"), what,
                         want == PETRI_JSON_BEGIN_OBJECT ? _ ("an object") : _ ("a list"));
  petri_json_reader_set_error (p->r, error, PETRI_JSON_READER_ERROR_SYNTAX, msg);
  return FALSE;
}

/* Builds a small value; a value over budget is skipped and gives NULL with
 * no error. */
static gboolean
build_small (Parser *p, PetriJsonToken t, gsize budget, JsonNode **out, GError **error)
{
  g_autoptr (GError) local = NULL;

  *out = petri_json_reader_build (p->r, t, budget, p->cancellable, &local);
  if (*out != NULL)
    return TRUE;
  if (g_error_matches (local, PETRI_JSON_READER_ERROR, PETRI_JSON_READER_ERROR_TOO_LARGE))
    {
      g_debug ("%s: %s", p->name, local->message);
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* Calls @func for every element of a list of strings (other elements are
 * built as small nodes and passed as @node). */
typedef void (*ElementFunc) (Parser *p, const char *text, JsonNode *node, gpointer data);

static gboolean
each_element (Parser *p, PetriJsonToken t, const char *what, ElementFunc func, gpointer data,
              GError **error)
{
  if (t == PETRI_JSON_NULL)
    return TRUE;
  if (!expect (p, t, PETRI_JSON_BEGIN_ARRAY, what, error))
    return FALSE;
  for (;;)
    {
      t = NEXT (p);
      if (t == PETRI_JSON_END_ARRAY)
        return TRUE;
      if (t == PETRI_JSON_ERROR)
        return FALSE;
      if (g_cancellable_set_error_if_cancelled (p->cancellable, error))
        return FALSE;
      if (t == PETRI_JSON_STRING)
        func (p, STR (p), NULL, data);
      else
        {
          g_autoptr (JsonNode) node = NULL;

          if (!build_small (p, t, SMALL_BUDGET, &node, error))
            return FALSE;
          if (node != NULL)
            func (p, NULL, node, data);
        }
    }
}

/* ---------------------------------------------------------------------- */
/* Summaries                                                                */

typedef struct
{
  const char *key, *category, *action;
} SummaryMap;

static const SummaryMap summary_map[] = {
  /* Cuckoo 2 */
  { "file_created", "file", "create" },
  { "file_written", "file", "write" },
  { "file_recreated", "file", "write" },
  { "file_deleted", "file", "delete" },
  { "file_read", "file", "read" },
  { "file_opened", "file", "open" },
  { "file_moved", "file", "rename" },
  { "file_copied", "file", "copy" },
  { "directory_created", "file", "mkdir" },
  { "directory_removed", "file", "rmdir" },
  { "regkey_opened", "registry", "open" },
  { "regkey_read", "registry", "read" },
  { "regkey_written", "registry", "set" },
  { "regkey_deleted", "registry", "delete" },
  { "mutex", "mutex", "create" },
  { "command_line", "command", "exec" },
  { "created_service", "persistence", "create_service" },
  { "started_service", "persistence", "start_service" },
  /* CAPE */
  { "files", "file", "open" },
  { "read_files", "file", "read" },
  { "write_files", "file", "write" },
  { "delete_files", "file", "delete" },
  { "keys", "registry", "open" },
  { "read_keys", "registry", "read" },
  { "write_keys", "registry", "set" },
  { "delete_keys", "registry", "delete" },
  { "mutexes", "mutex", "create" },
  { "executed_commands", "command", "exec" },
  { "created_services", "persistence", "create_service" },
  { "started_services", "persistence", "start_service" },
};

typedef struct
{
  const SummaryMap *map;
  GHashTable *seen;
  GPtrArray *into;
} SummaryCtx;

static void
summary_element (Parser *p, const char *text, JsonNode *node, gpointer data)
{
  SummaryCtx *ctx = data;
  PetriBehaviorEvent *ev;

  if (text != NULL)
    {
      if (*text == '\0')
        return;
      ev = event_new (ctx->map->category, ctx->map->action, text);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) == 2)
    {
      /* file_moved, file_copied: [from, to] */
      JsonArray *a = json_node_get_array (node);
      g_autofree char *from = node_text (json_array_get_element (a, 0));
      g_autofree char *to = node_text (json_array_get_element (a, 1));

      if (from == NULL || to == NULL)
        return;
      ev = event_new (ctx->map->category, ctx->map->action, from);
      ev->details = json_object_new ();
      json_object_set_string_member (ev->details, "new_path", to);
    }
  else
    return;
  if (g_str_equal (ctx->map->category, "command"))
    {
      if (ev->details == NULL)
        ev->details = json_object_new ();
      json_object_set_string_member (ev->details, "command_line", text);
    }
  add_event_in (p, ctx->seen, ctx->into, ev);
}

static gboolean
walk_summary (Parser *p, PetriJsonToken t, GHashTable *seen, GPtrArray *into, GError **error)
{
  if (t == PETRI_JSON_NULL)
    return TRUE;
  if (!expect (p, t, PETRI_JSON_BEGIN_OBJECT, "summary", error))
    return FALSE;
  while ((t = NEXT (p)) == PETRI_JSON_KEY)
    {
      const SummaryMap *map = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (summary_map); i++)
        if (g_str_equal (STR (p), summary_map[i].key))
          map = &summary_map[i];
      t = NEXT (p);
      if (map != NULL && t == PETRI_JSON_BEGIN_ARRAY)
        {
          SummaryCtx ctx = { map, seen, into };

          if (!each_element (p, t, map->key, summary_element, &ctx, error))
            return FALSE;
        }
      else if (!SKIP (p, t))
        return FALSE;
    }
  return t == PETRI_JSON_END_OBJECT;
}

/* ---------------------------------------------------------------------- */
/* Calls                                                                    */

static JsonNode *
arg_lookup (JsonObject *args, const char *const *names)
{
  for (const char *const *n = names; *n != NULL; n++)
    {
      JsonNode *v = json_object_get_member (args, *n);

      if (v != NULL)
        return v;
    }
  return NULL;
}

static gboolean
api_is (const char *api, const char *const *list)
{
  for (const char *const *a = list; *a != NULL; a++)
    if (g_ascii_strcasecmp (api, *a) == 0)
      return TRUE;
  return FALSE;
}

static const char *const file_open_apis[]
    = { "NtCreateFile", "NtOpenFile", "CreateFileA", "CreateFileW", NULL };
static const char *const ioctl_apis[]
    = { "DeviceIoControl", "NtDeviceIoControlFile", "NtFsControlFile", NULL };
static const char *const write_apis[]
    = { "WriteProcessMemory", "NtWriteVirtualMemory", "NtWow64WriteVirtualMemory64", NULL };
static const char *const thread_apis[]
    = { "CreateRemoteThread", "CreateRemoteThreadEx", "NtCreateThreadEx",
        "NtCreateThread",     "RtlCreateUserThread",  NULL };
static const char *const map_apis[]
    = { "NtMapViewOfSection", "NtMapViewOfSectionEx", "MapViewOfFile2", NULL };
static const char *const apc_apis[]
    = { "QueueUserAPC", "NtQueueApcThread", "NtQueueApcThreadEx", NULL };
static const char *const context_apis[] = { "SetThreadContext", "NtSetContextThread", NULL };
static const char *const regset_apis[]
    = { "RegSetValueExA", "RegSetValueExW", "NtSetValueKey", NULL };

static const char *const pid_args[] = { "ProcessId",   "process_identifier", "pid", "TargetPid",
                                        "dwProcessId", "ProcessIdentifier",  NULL };
static const char *const process_handle_args[]
    = { "ProcessHandle", "process_handle", "hProcess", NULL };
static const char *const file_handle_args[]
    = { "FileHandle", "file_handle", "DeviceHandle", "device_handle", "hDevice", "Handle", NULL };
static const char *const file_name_args[]
    = { "FileName", "filepath", "lpFileName", "filename", "file_path", NULL };
static const char *const ioctl_code_args[]
    = { "IoControlCode", "control_code", "dwIoControlCode", "FsControlCode", NULL };
static const char *const regkey_args[] = { "FullName", "regkey", "KeyName", NULL };
static const char *const regvalue_args[] = { "ValueName", "regkey_r", "lpValueName", NULL };
static const char *const regdata_args[] = { "Buffer", "value", "lpData", "Data", NULL };

/* Handles that mean the calling process itself: (HANDLE)-1. */
static gboolean
handle_is_self (const char *handle)
{
  guint64 v;
  char *end = NULL;

  if (handle == NULL)
    return TRUE;
  if (g_ascii_strncasecmp (handle, "0x", 2) == 0)
    v = g_ascii_strtoull (handle + 2, &end, 16);
  else
    v = (guint64) g_ascii_strtoll (handle, &end, 10);
  if (end == handle || v == 0)
    return TRUE;
  return v == G_MAXUINT64 || v == G_MAXUINT32 || v == (guint64) -1;
}

static char *
normalise_handle (JsonNode *n)
{
  guint64 v;

  if (!node_uint (n, &v))
    return node_text (n);
  return g_strdup_printf ("0x%08" G_GINT64_MODIFIER "x", v);
}

static void
remember_handle (Process *proc, const char *handle, const char *path)
{
  if (handle == NULL || path == NULL || handle_is_self (handle))
    return;
  if (g_hash_table_size (proc->handles) >= MAX_HANDLES)
    g_hash_table_remove_all (proc->handles);
  g_hash_table_replace (proc->handles, g_strdup (handle), clip (path));
}

static void
add_remote (Process *proc, const char *action, const char *api, JsonObject *args, double ts,
            gboolean handle_counts)
{
  JsonNode *pid_node = arg_lookup (args, pid_args);
  g_autofree char *handle = normalise_handle (arg_lookup (args, process_handle_args));
  guint64 target_pid;
  RemoteOp *op;

  if (pid_node == NULL || !node_uint (pid_node, &target_pid))
    target_pid = (guint64) -1;

  /* Merge repeats of the same operation on the same victim. */
  for (guint i = 0; i < proc->remote->len; i++)
    {
      op = g_ptr_array_index (proc->remote, i);
      if (g_str_equal (op->action, action) && op->target_pid == (gint64) target_pid
          && g_strcmp0 (op->handle, handle) == 0)
        {
          op->count++;
          return;
        }
    }
  if (proc->remote->len >= 1024)
    return;
  op = g_new0 (RemoteOp, 1);
  op->action = g_strdup (action);
  op->api = g_strdup (api);
  op->handle = g_steal_pointer (&handle);
  op->target_pid = (gint64) target_pid;
  op->ts = ts;
  op->handle_counts = handle_counts;
  op->count = 1;
  g_ptr_array_add (proc->remote, op);
}

/* CAPE: [{"name": …, "value": …}] → {name: value} */
static JsonObject *
args_from_list (JsonArray *list)
{
  JsonObject *args = json_object_new ();

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *el = json_array_get_element (list, i);
      JsonObject *o;
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT (el))
        continue;
      o = json_node_get_object (el);
      name = json_object_get_string_member_with_default (o, "name", NULL);
      if (name != NULL && json_object_has_member (o, "value"))
        json_object_set_member (args, name, json_node_copy (json_object_get_member (o, "value")));
    }
  return args;
}

static void
handle_call (Parser *p, Process *proc, JsonNode *node)
{
  JsonObject *call, *args;
  g_autoptr (JsonObject) owned_args = NULL;
  JsonNode *args_node;
  const char *api;
  double ts;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;
  call = json_node_get_object (node);
  p->report->calls++;
  api = json_object_get_string_member_with_default (call, "api", NULL);
  if (api == NULL)
    return;
  args_node = json_object_get_member (call, "arguments");
  if (args_node != NULL && JSON_NODE_HOLDS_ARRAY (args_node))
    {
      note_dialect (p, PETRI_REPORT_DIALECT_CAPE);
      args = owned_args = args_from_list (json_node_get_array (args_node));
    }
  else if (args_node != NULL && JSON_NODE_HOLDS_OBJECT (args_node))
    {
      note_dialect (p, PETRI_REPORT_DIALECT_CUCKOO);
      args = json_node_get_object (args_node);
    }
  else
    args = owned_args = json_object_new ();

  ts = node_time (json_object_get_member (call, "time"));
  if (ts == 0)
    ts = node_time (json_object_get_member (call, "timestamp"));

  if (api_is (api, file_open_apis))
    {
      g_autofree char *path = node_text (arg_lookup (args, file_name_args));
      g_autofree char *handle = NULL;

      if (g_str_has_prefix (api, "Nt"))
        handle = normalise_handle (
            arg_lookup (args, (const char *const[]){ "FileHandle", "file_handle", NULL }));
      else
        {
          JsonNode *ret = json_object_get_member (call, "return_value");

          handle = normalise_handle (ret != NULL ? ret : json_object_get_member (call, "return"));
        }
      remember_handle (proc, handle, path);
    }
  else if (api_is (api, ioctl_apis))
    {
      g_autofree char *handle = normalise_handle (arg_lookup (args, file_handle_args));
      const char *device = handle ? g_hash_table_lookup (proc->handles, handle) : NULL;
      g_autofree char *target = NULL;
      PetriBehaviorEvent *ev;
      guint64 code;

      if (!node_uint (arg_lookup (args, ioctl_code_args), &code) || code > G_MAXUINT32)
        return;
      target = device ? g_strdup (device) : g_strdup_printf ("handle %s", handle ? handle : "?");
      ev = event_new ("driver", "ioctl", target);
      ev->ts = ts;
      ev->details = petri_report_decode_ioctl ((guint32) code);
      json_object_set_string_member (ev->details, "api", api);
      if (handle != NULL)
        json_object_set_string_member (ev->details, "handle", handle);
      add_event_in (p, proc->seen, proc->pending, ev);
    }
  else if (api_is (api, write_apis))
    add_remote (proc, "write_process_memory", api, args, ts, TRUE);
  else if (api_is (api, thread_apis))
    add_remote (proc, "create_remote_thread", api, args, ts, TRUE);
  else if (api_is (api, map_apis))
    add_remote (proc, "map_view_of_section", api, args, ts, TRUE);
  else if (api_is (api, apc_apis))
    add_remote (proc, "queue_apc", api, args, ts, FALSE);
  else if (api_is (api, context_apis))
    add_remote (proc, "set_thread_context", api, args, ts, FALSE);
  else if (api_is (api, regset_apis))
    {
      g_autofree char *key = node_text (arg_lookup (args, regkey_args));
      g_autofree char *value = node_text (arg_lookup (args, regvalue_args));
      g_autofree char *data = node_text (arg_lookup (args, regdata_args));
      PetriBehaviorEvent *ev;

      if (key == NULL)
        return;
      ev = event_new ("registry", "set", key);
      ev->ts = ts;
      ev->details = json_object_new ();
      if (value != NULL)
        json_object_set_string_member (ev->details, "value", value);
      if (data != NULL)
        {
          g_autofree char *clipped = clip (data);

          json_object_set_string_member (ev->details, "data", clipped);
        }
      add_event_in (p, proc->seen, proc->pending, ev);
    }
}

/* ---------------------------------------------------------------------- */
/* Processes                                                                */

static gboolean
read_scalar_text (Parser *p, PetriJsonToken t, char **out, GError **error)
{
  if (t == PETRI_JSON_STRING || t == PETRI_JSON_NUMBER)
    {
      g_free (*out);
      *out = g_strdup (STR (p));
      return TRUE;
    }
  return SKIP (p, t);
}

static gboolean
read_int (Parser *p, PetriJsonToken t, gint64 *out, GError **error)
{
  if (t == PETRI_JSON_NUMBER || t == PETRI_JSON_STRING)
    {
      char *end = NULL;
      gint64 v = g_ascii_strtoll (STR (p), &end, 10);

      if (end != STR (p) && *end == '\0' && v >= 0)
        *out = v;
      return TRUE;
    }
  return SKIP (p, t);
}

static void
finish_process (Parser *p, Process *proc)
{
  PetriBehaviorEvent *ev;
  const char *pname = proc->name;
  g_autofree char *base = NULL;

  if (pname == NULL && proc->path != NULL)
    pname = base = g_path_get_basename (proc->path);

  if (proc->first_seen > 0 && (p->first_seen == 0 || proc->first_seen < p->first_seen))
    p->first_seen = proc->first_seen;

  ev = event_new ("process", "exec", proc->path ? proc->path : pname);
  ev->ts = proc->first_seen;
  ev->pid = proc->pid;
  ev->ppid = proc->ppid;
  ev->process = clip (pname);
  if (proc->command_line != NULL)
    {
      g_autofree char *cl = clip (proc->command_line);

      ev->details = json_object_new ();
      json_object_set_string_member (ev->details, "command_line", cl);
    }
  add_event (p, ev);

  for (guint i = 0; i < proc->remote->len; i++)
    {
      RemoteOp *op = g_ptr_array_index (proc->remote, i);
      gboolean other = op->target_pid >= 0 ? op->target_pid != proc->pid
                                           : op->handle_counts && !handle_is_self (op->handle);
      g_autofree char *target = NULL;

      if (!other)
        continue;
      target = op->target_pid >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, op->target_pid)
                                   : g_strdup_printf ("handle %s", op->handle);
      ev = event_new ("injection", op->action, target);
      ev->ts = op->ts;
      ev->details = json_object_new ();
      json_object_set_string_member (ev->details, "api", op->api);
      if (op->target_pid >= 0)
        json_object_set_int_member (ev->details, "target_pid", op->target_pid);
      if (op->handle != NULL)
        json_object_set_string_member (ev->details, "handle", op->handle);
      if (op->count > 1)
        json_object_set_int_member (ev->details, "count", op->count);
      add_event_in (p, proc->seen, proc->pending, ev);
    }

  for (guint i = 0; i < proc->pending->len; i++)
    {
      ev = petri_behavior_event_ref (g_ptr_array_index (proc->pending, i));
      if (ev->pid < 0)
        ev->pid = proc->pid;
      if (ev->ppid < 0)
        ev->ppid = proc->ppid;
      if (ev->process == NULL)
        ev->process = clip (pname);
      add_event (p, ev);
    }
}

static gboolean
walk_process (Parser *p, PetriJsonToken t, GError **error)
{
  Process proc = { .pid = -1, .ppid = -1 };
  gboolean ok = FALSE;

  if (!expect (p, t, PETRI_JSON_BEGIN_OBJECT, "processes", error))
    return FALSE;
  proc.pending = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_behavior_event_unref);
  proc.remote = g_ptr_array_new_with_free_func ((GDestroyNotify) remote_op_free);
  proc.handles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  proc.seen = seen_table_new ();

  while ((t = NEXT (p)) == PETRI_JSON_KEY)
    {
      g_autofree char *key = g_strdup (STR (p));

      t = NEXT (p);
      if (g_str_equal (key, "process_id") || g_str_equal (key, "pid"))
        {
          note_dialect (p, key[1] == 'r' ? PETRI_REPORT_DIALECT_CAPE : PETRI_REPORT_DIALECT_CUCKOO);
          if (!read_int (p, t, &proc.pid, error))
            goto out;
        }
      else if (g_str_equal (key, "parent_id") || g_str_equal (key, "ppid"))
        {
          if (!read_int (p, t, &proc.ppid, error))
            goto out;
        }
      else if (g_str_equal (key, "process_name"))
        {
          if (!read_scalar_text (p, t, &proc.name, error))
            goto out;
        }
      else if (g_str_equal (key, "process_path") || g_str_equal (key, "module_path"))
        {
          if (!read_scalar_text (p, t, &proc.path, error))
            goto out;
        }
      else if (g_str_equal (key, "command_line"))
        {
          if (!read_scalar_text (p, t, &proc.command_line, error))
            goto out;
        }
      else if (g_str_equal (key, "first_seen"))
        {
          if (t == PETRI_JSON_NUMBER)
            proc.first_seen = g_ascii_strtod (STR (p), NULL);
          else if (t == PETRI_JSON_STRING)
            proc.first_seen = parse_time_string (STR (p));
          else if (!SKIP (p, t))
            goto out;
        }
      else if (g_str_equal (key, "environ"))
        {
          g_autoptr (JsonNode) env = NULL;

          if (!build_small (p, t, SMALL_BUDGET, &env, error))
            goto out;
          if (env != NULL && JSON_NODE_HOLDS_OBJECT (env))
            {
              g_autofree char *cl
                  = node_text (json_object_get_member (json_node_get_object (env), "CommandLine"));

              if (cl != NULL)
                {
                  g_free (proc.command_line);
                  proc.command_line = g_steal_pointer (&cl);
                }
            }
        }
      else if (g_str_equal (key, "calls") && t == PETRI_JSON_BEGIN_ARRAY)
        {
          while ((t = NEXT (p)) != PETRI_JSON_END_ARRAY)
            {
              g_autoptr (JsonNode) call = NULL;

              if (t == PETRI_JSON_ERROR)
                goto out;
              if (!build_small (p, t, CALL_BUDGET, &call, error))
                goto out;
              if (call != NULL)
                handle_call (p, &proc, call);
              if ((p->report->calls & 0x3ff) == 0
                  && g_cancellable_set_error_if_cancelled (p->cancellable, error))
                goto out;
            }
        }
      else if (g_str_equal (key, "file_activities"))
        {
          if (!walk_summary (p, t, proc.seen, proc.pending, error))
            goto out;
        }
      else if (!SKIP (p, t))
        goto out;
    }
  if (t != PETRI_JSON_END_OBJECT)
    goto out;
  finish_process (p, &proc);
  ok = TRUE;
out:
  process_clear (&proc);
  return ok;
}

/* Cuckoo 2's behavior.generic: [{pid, ppid, process_name, summary{…}}] */
static gboolean
walk_generic (Parser *p, PetriJsonToken t, GError **error)
{
  if (!expect (p, t, PETRI_JSON_BEGIN_ARRAY, "generic", error))
    return FALSE;
  while ((t = NEXT (p)) == PETRI_JSON_BEGIN_OBJECT)
    {
      g_autoptr (GPtrArray) pending
          = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_behavior_event_unref);
      g_autofree char *name = NULL;
      gint64 pid = -1, ppid = -1;

      while ((t = NEXT (p)) == PETRI_JSON_KEY)
        {
          g_autofree char *key = g_strdup (STR (p));

          t = NEXT (p);
          if (g_str_equal (key, "pid"))
            {
              note_dialect (p, PETRI_REPORT_DIALECT_CUCKOO);
              if (!read_int (p, t, &pid, error))
                return FALSE;
            }
          else if (g_str_equal (key, "ppid"))
            {
              if (!read_int (p, t, &ppid, error))
                return FALSE;
            }
          else if (g_str_equal (key, "process_name"))
            {
              if (!read_scalar_text (p, t, &name, error))
                return FALSE;
            }
          else if (g_str_equal (key, "summary"))
            {
              /* Collected apart, then attributed once the pid is known
               * (it may come after the summary). */
              g_autoptr (GHashTable) seen = seen_table_new ();

              if (!walk_summary (p, t, seen, pending, error))
                return FALSE;
            }
          else if (!SKIP (p, t))
            return FALSE;
        }
      if (t != PETRI_JSON_END_OBJECT)
        return FALSE;
      for (guint i = 0; i < pending->len; i++)
        {
          PetriBehaviorEvent *ev = petri_behavior_event_ref (g_ptr_array_index (pending, i));

          ev->pid = pid;
          ev->ppid = ppid;
          ev->process = clip (name);
          add_event (p, ev);
        }
    }
  return t == PETRI_JSON_END_ARRAY;
}

static gboolean
walk_behavior (Parser *p, PetriJsonToken t, GError **error)
{
  if (!expect (p, t, PETRI_JSON_BEGIN_OBJECT, "behavior", error))
    return FALSE;
  p->has_behavior = TRUE;
  while ((t = NEXT (p)) == PETRI_JSON_KEY)
    {
      g_autofree char *key = g_strdup (STR (p));

      t = NEXT (p);
      if (g_str_equal (key, "processes") && t == PETRI_JSON_BEGIN_ARRAY)
        {
          while ((t = NEXT (p)) != PETRI_JSON_END_ARRAY)
            if (!walk_process (p, t, error))
              return FALSE;
        }
      else if (g_str_equal (key, "summary"))
        {
          if (!walk_summary (p, t, p->unattributed_seen, p->unattributed, error))
            return FALSE;
        }
      else if (g_str_equal (key, "generic") && t == PETRI_JSON_BEGIN_ARRAY)
        {
          if (!walk_generic (p, t, error))
            return FALSE;
        }
      else if (!SKIP (p, t))
        return FALSE;
    }
  return t == PETRI_JSON_END_OBJECT;
}

/* ---------------------------------------------------------------------- */
/* Network                                                                  */

static void
network_element (Parser *p, const char *text, JsonNode *node, gpointer data)
{
  const char *list = data;
  JsonObject *o = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  PetriBehaviorEvent *ev = NULL;

  if (g_str_equal (list, "hosts"))
    {
      g_autofree char *ip = text ? g_strdup (text)
                            : o  ? node_text (json_object_get_member (o, "ip"))
                                 : NULL;
      if (ip == NULL || *ip == '\0')
        return;
      ev = event_new ("network", "host", ip);
      if (o != NULL && json_object_has_member (o, "hostname"))
        {
          g_autofree char *h = node_text (json_object_get_member (o, "hostname"));

          if (h != NULL && *h != '\0')
            {
              ev->details = json_object_new ();
              json_object_set_string_member (ev->details, "hostname", h);
            }
        }
    }
  else if (o == NULL)
    return;
  else if (g_str_equal (list, "domains"))
    {
      g_autofree char *domain = node_text (json_object_get_member (o, "domain"));
      g_autofree char *ip = node_text (json_object_get_member (o, "ip"));

      if (domain == NULL)
        return;
      ev = event_new ("network", "resolve", domain);
      ev->details = json_object_new ();
      if (ip != NULL)
        json_object_set_string_member (ev->details, "address", ip);
    }
  else if (g_str_equal (list, "dns"))
    {
      g_autofree char *request = node_text (json_object_get_member (o, "request"));
      g_autofree char *type = node_text (json_object_get_member (o, "type"));
      JsonNode *answers = json_object_get_member (o, "answers");

      if (request == NULL)
        return;
      ev = event_new ("network", "dns", request);
      ev->details = json_object_new ();
      if (type != NULL)
        json_object_set_string_member (ev->details, "type", type);
      if (answers != NULL && JSON_NODE_HOLDS_ARRAY (answers))
        {
          JsonArray *out = json_array_new ();
          JsonArray *in = json_node_get_array (answers);

          for (guint i = 0; i < json_array_get_length (in) && i < 32; i++)
            {
              JsonNode *a = json_array_get_element (in, i);
              g_autofree char *d
                  = JSON_NODE_HOLDS_OBJECT (a)
                        ? node_text (json_object_get_member (json_node_get_object (a), "data"))
                        : node_text (a);
              if (d != NULL)
                json_array_add_string_element (out, d);
            }
          json_object_set_array_member (ev->details, "answers", out);
        }
    }
  else if (g_str_equal (list, "tcp") || g_str_equal (list, "udp"))
    {
      g_autofree char *dst = node_text (json_object_get_member (o, "dst"));
      g_autofree char *dport = node_text (json_object_get_member (o, "dport"));
      g_autofree char *src = node_text (json_object_get_member (o, "src"));
      g_autofree char *target = NULL;

      if (dst == NULL || dport == NULL)
        return;
      target = strchr (dst, ':') ? g_strdup_printf ("[%s]:%s", dst, dport)
                                 : g_strdup_printf ("%s:%s", dst, dport);
      ev = event_new ("network", "connect", target);
      ev->details = json_object_new ();
      json_object_set_string_member (ev->details, "protocol", list);
      if (src != NULL)
        json_object_set_string_member (ev->details, "source", src);
    }
  else if (g_str_has_prefix (list, "http"))
    {
      g_autofree char *host = node_text (json_object_get_member (o, "host"));
      g_autofree char *uri = node_text (json_object_get_member (o, "uri"));
      g_autofree char *path = node_text (json_object_get_member (o, "path"));
      g_autofree char *method = node_text (json_object_get_member (o, "method"));
      g_autofree char *ua = node_text (json_object_get_member (o, "user-agent"));
      g_autofree char *port = node_text (json_object_get_member (o, "port"));

      if (uri == NULL && host != NULL)
        uri = g_strdup_printf ("%s://%s%s", g_str_equal (list, "https_ex") ? "https" : "http", host,
                               path ? path : "/");
      if (uri == NULL)
        return;
      ev = event_new ("network", "http", uri);
      ev->details = json_object_new ();
      if (method != NULL)
        json_object_set_string_member (ev->details, "method", method);
      if (host != NULL)
        json_object_set_string_member (ev->details, "host", host);
      if (port != NULL)
        json_object_set_string_member (ev->details, "port", port);
      if (ua != NULL)
        {
          g_autofree char *c = clip (ua);

          json_object_set_string_member (ev->details, "user_agent", c);
        }
    }
  if (ev != NULL)
    add_event (p, ev);
}

static gboolean
walk_network (Parser *p, PetriJsonToken t, GError **error)
{
  static const char *const lists[]
      = { "hosts", "domains", "dns", "tcp", "udp", "http", "http_ex", "https_ex", NULL };

  if (t == PETRI_JSON_NULL)
    return TRUE;
  if (!expect (p, t, PETRI_JSON_BEGIN_OBJECT, "network", error))
    return FALSE;
  while ((t = NEXT (p)) == PETRI_JSON_KEY)
    {
      const char *list = NULL;

      for (const char *const *l = lists; *l != NULL; l++)
        if (g_str_equal (STR (p), *l))
          list = *l;
      t = NEXT (p);
      if (list != NULL && t == PETRI_JSON_BEGIN_ARRAY)
        {
          if (!each_element (p, t, list, network_element, (gpointer) list, error))
            return FALSE;
        }
      else if (!SKIP (p, t))
        return FALSE;
    }
  return t == PETRI_JSON_END_OBJECT;
}

/* ---------------------------------------------------------------------- */
/* Signatures, dropped files, info, target                                  */

static gboolean
signature_is_injection (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return strstr (lower, "inject") != NULL || strstr (lower, "hollow") != NULL
         || strstr (lower, "runpe") != NULL || strstr (lower, "remote_thread") != NULL
         || strstr (lower, "createremotethread") != NULL;
}

/* A short text for one mark (Cuckoo) or data entry (CAPE). */
static char *
mark_text (JsonNode *mark, gint64 *pid)
{
  JsonObject *o;

  if (!JSON_NODE_HOLDS_OBJECT (mark))
    return node_text (mark);
  o = json_node_get_object (mark);
  if (json_object_has_member (o, "pid") && *pid < 0)
    {
      guint64 v;

      if (node_uint (json_object_get_member (o, "pid"), &v))
        *pid = (gint64) v;
    }
  if (json_object_has_member (o, "call"))
    {
      JsonNode *call = json_object_get_member (o, "call");

      if (JSON_NODE_HOLDS_OBJECT (call))
        return g_strdup (
            json_object_get_string_member_with_default (json_node_get_object (call), "api", ""));
    }
  if (json_object_has_member (o, "ioc"))
    return node_text (json_object_get_member (o, "ioc"));
  /* CAPE: {"Injection": "a.exe(1234) -> b.exe(5678)"} and the like */
  {
    g_autoptr (GList) members = json_object_get_members (o);

    for (GList *l = members; l != NULL; l = l->next)
      {
        g_autofree char *v = node_text (json_object_get_member (o, l->data));

        if (v != NULL)
          return g_strdup_printf ("%s: %s", (const char *) l->data, v);
      }
  }
  return NULL;
}

static gboolean
walk_signature (Parser *p, PetriJsonToken t, GError **error)
{
  g_autofree char *name = NULL, *description = NULL;
  gint64 severity = 0, pid = -1;
  g_autoptr (JsonArray) marks = json_array_new ();

  if (t != PETRI_JSON_BEGIN_OBJECT)
    return SKIP (p, t);
  while ((t = NEXT (p)) == PETRI_JSON_KEY)
    {
      g_autofree char *key = g_strdup (STR (p));

      t = NEXT (p);
      if (g_str_equal (key, "name"))
        {
          if (!read_scalar_text (p, t, &name, error))
            return FALSE;
        }
      else if (g_str_equal (key, "description"))
        {
          if (!read_scalar_text (p, t, &description, error))
            return FALSE;
        }
      else if (g_str_equal (key, "severity"))
        {
          if (!read_int (p, t, &severity, error))
            return FALSE;
        }
      else if ((g_str_equal (key, "marks") || g_str_equal (key, "data"))
               && t == PETRI_JSON_BEGIN_ARRAY)
        {
          while ((t = NEXT (p)) != PETRI_JSON_END_ARRAY)
            {
              g_autoptr (JsonNode) mark = NULL;

              if (t == PETRI_JSON_ERROR || !build_small (p, t, SMALL_BUDGET, &mark, error))
                return FALSE;
              if (mark != NULL && json_array_get_length (marks) < 16)
                {
                  g_autofree char *text = mark_text (mark, &pid);
                  g_autofree char *c = clip (text);

                  if (c != NULL && *c != '\0')
                    json_array_add_string_element (marks, c);
                }
            }
        }
      else if (!SKIP (p, t))
        return FALSE;
    }
  if (t != PETRI_JSON_END_OBJECT)
    return FALSE;
  if (name == NULL)
    return TRUE;

  {
    JsonObject *sig = json_object_new ();

    json_object_set_string_member (sig, "name", name);
    json_object_set_string_member (sig, "description", description ? description : "");
    json_object_set_int_member (sig, "severity", severity);
    if (p->report->signatures->len < 1000)
      g_ptr_array_add (p->report->signatures, sig);
    else
      json_object_unref (sig);
  }
  if (signature_is_injection (name))
    {
      PetriBehaviorEvent *ev = event_new ("injection", "signature", name);

      ev->pid = pid;
      ev->details = json_object_new ();
      json_object_set_string_member (ev->details, "signature", name);
      if (description != NULL)
        json_object_set_string_member (ev->details, "description", description);
      json_object_set_int_member (ev->details, "severity", severity);
      json_object_set_array_member (ev->details, "marks", json_array_ref (marks));
      add_event (p, ev);
    }
  return TRUE;
}

static void
dropped_element (Parser *p, const char *text, JsonNode *node, gpointer data)
{
  JsonObject *o;
  PetriReportFile *f;
  JsonNode *n;
  guint64 size = 0;
  PetriBehaviorEvent *ev;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  o = json_node_get_object (node);
  f = g_new0 (PetriReportFile, 1);
  f->sha256 = hash_or_null (json_object_get_string_member_with_default (o, "sha256", NULL), 64);
  f->sha1 = hash_or_null (json_object_get_string_member_with_default (o, "sha1", NULL), 40);
  f->md5 = hash_or_null (json_object_get_string_member_with_default (o, "md5", NULL), 32);
  if (node_uint (json_object_get_member (o, "size"), &size))
    f->size = size;
  n = json_object_get_member (o, "name");
  if (n != NULL && JSON_NODE_HOLDS_ARRAY (n) && json_array_get_length (json_node_get_array (n)))
    f->name = node_text (json_array_get_element (json_node_get_array (n), 0));
  else
    f->name = node_text (n);
  /* The path inside the guest: Cuckoo's "filepath", CAPE's "guest_paths". */
  n = json_object_get_member (o, "guest_paths");
  if (n != NULL && JSON_NODE_HOLDS_ARRAY (n) && json_array_get_length (json_node_get_array (n)))
    f->path = node_text (json_array_get_element (json_node_get_array (n), 0));
  else if (n != NULL)
    f->path = node_text (n);
  if (f->path == NULL)
    f->path = node_text (json_object_get_member (o, "filepath"));
  if (f->sha256 == NULL || p->report->dropped->len >= 10000)
    {
      report_file_free (f);
      return;
    }
  ev = event_new ("file", "drop", f->path ? f->path : f->name);
  ev->details = json_object_new ();
  json_object_set_string_member (ev->details, "sha256", f->sha256);
  json_object_set_int_member (ev->details, "size", f->size);
  add_event (p, ev);
  g_ptr_array_add (p->report->dropped, f);
}

/* Calls @func (p, key, first token, data) for each member of an object. */
typedef gboolean (*MemberFunc) (Parser *p, const char *key, PetriJsonToken t, gpointer data,
                                GError **error);

static gboolean
each_member (Parser *p, PetriJsonToken t, const char *what, MemberFunc func, gpointer data,
             GError **error)
{
  if (!expect (p, t, PETRI_JSON_BEGIN_OBJECT, what, error))
    return FALSE;
  while ((t = NEXT (p)) == PETRI_JSON_KEY)
    {
      g_autofree char *key = g_strdup (STR (p));

      t = NEXT (p);
      if (t == PETRI_JSON_ERROR || !func (p, key, t, data, error))
        return FALSE;
    }
  return t == PETRI_JSON_END_OBJECT;
}

static gboolean
machine_member (Parser *p, const char *key, PetriJsonToken t, gpointer data, GError **error)
{
  PetriReport *r = p->report;

  if (g_str_equal (key, "name"))
    return read_scalar_text (p, t, &r->machine, error);
  if (g_str_equal (key, "platform") && r->platform == NULL)
    return read_scalar_text (p, t, &r->platform, error);
  return SKIP (p, t);
}

static gboolean
info_member (Parser *p, const char *key, PetriJsonToken t, gpointer data, GError **error)
{
  PetriReport *r = p->report;

  if (g_str_equal (key, "id"))
    return read_scalar_text (p, t, &r->report_id, error);
  if (g_str_equal (key, "package"))
    return read_scalar_text (p, t, &r->package, error);
  if (g_str_equal (key, "platform"))
    return read_scalar_text (p, t, &r->platform, error);
  if (g_str_equal (key, "duration"))
    return read_int (p, t, &r->duration, error);
  if (g_str_equal (key, "score") && t == PETRI_JSON_NUMBER)
    {
      r->score = g_ascii_strtod (STR (p), NULL);
      return TRUE;
    }
  if (g_str_equal (key, "started") || g_str_equal (key, "ended"))
    {
      gint64 *out = key[0] == 's' ? &r->started : &r->ended;

      if (t == PETRI_JSON_STRING)
        *out = (gint64) parse_time_string (STR (p));
      else if (t == PETRI_JSON_NUMBER)
        *out = (gint64) g_ascii_strtod (STR (p), NULL);
      else
        return SKIP (p, t);
      return TRUE;
    }
  if (g_str_equal (key, "machine"))
    {
      if (t == PETRI_JSON_BEGIN_OBJECT)
        return each_member (p, t, "machine", machine_member, NULL, error);
      return read_scalar_text (p, t, &r->machine, error);
    }
  return SKIP (p, t);
}

static gboolean
file_member (Parser *p, const char *key, PetriJsonToken t, gpointer data, GError **error)
{
  PetriReport *r = p->report;
  g_autofree char *text = NULL;

  if (g_str_equal (key, "size") || g_str_equal (key, "file_size"))
    {
      gint64 v = -1;

      if (!read_int (p, t, &v, error))
        return FALSE;
      if (v >= 0)
        r->size = v;
      return TRUE;
    }
  if (!g_str_equal (key, "name") && !g_str_equal (key, "sha256") && !g_str_equal (key, "sha1")
      && !g_str_equal (key, "md5") && !g_str_equal (key, "ssdeep") && !g_str_equal (key, "type"))
    return SKIP (p, t);
  if (!read_scalar_text (p, t, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (g_str_equal (key, "name"))
    set_str (&r->file_name, text);
  else if (g_str_equal (key, "ssdeep"))
    set_str (&r->ssdeep, text);
  else if (g_str_equal (key, "type"))
    {
      g_autofree char *c = clip (text);

      set_str (&r->file_type, c);
    }
  else
    {
      gsize len = key[3] == '2' ? 64 : key[3] == '1' ? 40 : 32;
      char **out = len == 64 ? &r->sha256 : len == 40 ? &r->sha1 : &r->md5;

      if (!is_hex (text, len))
        {
          g_autofree char *msg = g_strdup_printf (_ ("the target’s %s is not a valid hash"), key);

          petri_json_reader_set_error (p->r, error, PETRI_JSON_READER_ERROR_SYNTAX, msg);
          return FALSE;
        }
      g_free (*out);
      *out = g_ascii_strdown (text, -1);
    }
  return TRUE;
}

static gboolean
target_member (Parser *p, const char *key, PetriJsonToken t, gpointer data, GError **error)
{
  if (g_str_equal (key, "file") && t == PETRI_JSON_BEGIN_OBJECT)
    return each_member (p, t, "target.file", file_member, NULL, error);
  return SKIP (p, t);
}

static gboolean
top_member (Parser *p, const char *key, PetriJsonToken t, gpointer data, GError **error)
{
  PetriReport *r = p->report;

  if (g_str_equal (key, "info"))
    {
      p->has_info = TRUE;
      return each_member (p, t, "info", info_member, NULL, error);
    }
  if (g_str_equal (key, "target"))
    return each_member (p, t, "target", target_member, NULL, error);
  if (g_str_equal (key, "behavior"))
    return walk_behavior (p, t, error);
  if (g_str_equal (key, "network"))
    return walk_network (p, t, error);
  if (g_str_equal (key, "signatures") && t == PETRI_JSON_BEGIN_ARRAY)
    {
      while ((t = NEXT (p)) != PETRI_JSON_END_ARRAY)
        if (t == PETRI_JSON_ERROR || !walk_signature (p, t, error))
          return FALSE;
      return TRUE;
    }
  if (g_str_equal (key, "dropped") && t == PETRI_JSON_BEGIN_ARRAY)
    return each_element (p, t, "dropped", dropped_element, NULL, error);
  if (g_str_equal (key, "malfamily") || g_str_equal (key, "detections")
      || g_str_equal (key, "malscore") || g_str_equal (key, "CAPE"))
    {
      p->cape_hints = TRUE;
      if (g_str_equal (key, "malscore") && t == PETRI_JSON_NUMBER)
        {
          r->score = g_ascii_strtod (STR (p), NULL);
          return TRUE;
        }
      if (!g_str_equal (key, "CAPE") && t == PETRI_JSON_STRING && *STR (p) != '\0')
        {
          set_str (&r->family, STR (p));
          return TRUE;
        }
      if (g_str_equal (key, "detections") && t == PETRI_JSON_BEGIN_ARRAY)
        {
          g_autoptr (JsonNode) n = NULL;

          if (!build_small (p, t, SMALL_BUDGET, &n, error))
            return FALSE;
          if (n != NULL && json_array_get_length (json_node_get_array (n)) > 0)
            {
              JsonNode *first = json_array_get_element (json_node_get_array (n), 0);
              g_autofree char *family
                  = JSON_NODE_HOLDS_OBJECT (first) ? node_text (
                        json_object_get_member (json_node_get_object (first), "family"))
                                                   : node_text (first);

              if (family != NULL)
                set_str (&r->family, family);
            }
          return TRUE;
        }
    }
  return SKIP (p, t);
}

static int
compare_ts (gconstpointer a, gconstpointer b)
{
  const PetriBehaviorEvent *x = *(PetriBehaviorEvent *const *) a;
  const PetriBehaviorEvent *y = *(PetriBehaviorEvent *const *) b;

  return x->ts < y->ts ? -1 : x->ts > y->ts ? 1 : 0;
}

PetriReport *
petri_report_parse_stream (GInputStream *stream, const char *name, GCancellable *cancellable,
                           GError **error)
{
  g_autoptr (PetriJsonReader) reader = NULL;
  g_autoptr (PetriReport) report = NULL;
  g_autoptr (GError) local = NULL;
  Parser p = { 0 };
  PetriJsonToken t;
  double base;
  gboolean ok;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  reader = petri_json_reader_new (stream, name);
  petri_json_reader_set_max_string (reader, 64 * 1024);
  report = g_new0 (PetriReport, 1);
  report->score = -1;
  report->events = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_behavior_event_unref);
  report->signatures = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  report->dropped = g_ptr_array_new_with_free_func ((GDestroyNotify) report_file_free);

  p.r = reader;
  p.cancellable = cancellable;
  p.name = name;
  p.report = report;
  p.seen = seen_table_new ();
  p.unattributed_seen = seen_table_new ();
  p.events = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_behavior_event_unref);
  p.unattributed = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_behavior_event_unref);

  t = petri_json_reader_next (reader, cancellable, &local);
  ok = t != PETRI_JSON_ERROR && each_member (&p, t, name, top_member, NULL, &local);
  if (ok && petri_json_reader_next (reader, cancellable, &local) != PETRI_JSON_EOF)
    ok = FALSE;

  if (!ok)
    {
      g_hash_table_unref (p.seen);
      g_hash_table_unref (p.unattributed_seen);
      g_ptr_array_unref (p.events);
      g_ptr_array_unref (p.unattributed);
      if (local == NULL)
        petri_json_reader_set_error (reader, &local, PETRI_JSON_READER_ERROR_SYNTAX,
                                     _ ("unexpected structure"));
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, PETRI_REPORT_ERROR,
                     local->domain == PETRI_JSON_READER_ERROR
                             && local->code == PETRI_JSON_READER_ERROR_IO
                         ? PETRI_REPORT_ERROR_IO
                         : PETRI_REPORT_ERROR_INVALID,
                     _ ("Cannot import the report: %s"), local->message);
      return NULL;
    }

  /* Summary events nobody else reported with a pid. */
  {
    g_autoptr (GHashTable) attributed
        = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < p.events->len; i++)
      {
        PetriBehaviorEvent *ev = g_ptr_array_index (p.events, i);

        g_hash_table_add (attributed, g_strdup_printf ("%s\x1f%s\x1f%s", ev->category, ev->action,
                                                       ev->target ? ev->target : ""));
      }
    for (guint i = 0; i < p.unattributed->len; i++)
      {
        PetriBehaviorEvent *ev = g_ptr_array_index (p.unattributed, i);
        g_autofree char *key = g_strdup_printf ("%s\x1f%s\x1f%s", ev->category, ev->action,
                                                ev->target ? ev->target : "");

        if (!g_hash_table_contains (attributed, key))
          g_ptr_array_add (p.events, petri_behavior_event_ref (ev));
      }
  }
  g_hash_table_unref (p.seen);
  g_hash_table_unref (p.unattributed_seen);
  g_ptr_array_unref (p.unattributed);

  if (report->dialect == PETRI_REPORT_DIALECT_UNKNOWN && p.cape_hints)
    report->dialect = PETRI_REPORT_DIALECT_CAPE;
  if (!p.has_info && !p.has_behavior)
    {
      g_ptr_array_unref (p.events);
      g_set_error (error, PETRI_REPORT_ERROR, PETRI_REPORT_ERROR_INVALID,
                   _ ("Cannot import “%s”: it is not a CAPE or Cuckoo report (no “info” or "
                      "“behavior” section)."),
                   name);
      return NULL;
    }
  if (report->sha256 == NULL)
    {
      g_ptr_array_unref (p.events);
      g_set_error (error, PETRI_REPORT_ERROR, PETRI_REPORT_ERROR_NO_TARGET,
                   _ ("Cannot import “%s”: the report names no target file with a SHA-256."), name);
      return NULL;
    }

  /* Absolute times become seconds since the run started. */
  base = report->started > 0 ? (double) report->started : p.first_seen;
  for (guint i = 0; i < p.events->len; i++)
    {
      PetriBehaviorEvent *ev = g_ptr_array_index (p.events, i);

      ev->ts = (ev->ts > 0 && base > 0 && ev->ts >= base) ? ev->ts - base : 0;
      if (ev->ts > 1e7)
        ev->ts = 0;
    }
  g_ptr_array_sort (p.events, compare_ts);
  g_ptr_array_unref (report->events);
  report->events = p.events;
  return g_steal_pointer (&report);
}

PetriReport *
petri_report_parse_file (const char *path, GCancellable *cancellable, GError **error)
{
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFileInputStream) in = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *display = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  display = g_filename_display_name (path);
  file = g_file_new_for_path (path);
  in = g_file_read (file, cancellable, &local);
  if (in == NULL)
    {
      g_set_error (error, PETRI_REPORT_ERROR, PETRI_REPORT_ERROR_IO,
                   _ ("Cannot open the report “%s”: %s"), display, local->message);
      return NULL;
    }
  return petri_report_parse_stream (G_INPUT_STREAM (in), display, cancellable, error);
}

JsonObject *
petri_report_summary (const PetriReport *self)
{
  JsonObject *o = json_object_new ();
  JsonObject *counts = json_object_new ();
  JsonArray *sigs = json_array_new ();

  g_return_val_if_fail (self != NULL, o);

  json_object_set_string_member (o, "dialect", petri_report_dialect_to_string (self->dialect));
  if (self->report_id != NULL)
    json_object_set_string_member (o, "report_id", self->report_id);
  if (self->package != NULL)
    json_object_set_string_member (o, "package", self->package);
  if (self->score >= 0)
    json_object_set_double_member (o, "score", self->score);
  if (self->family != NULL)
    json_object_set_string_member (o, "family", self->family);
  json_object_set_int_member (o, "calls", self->calls);
  json_object_set_boolean_member (o, "truncated", self->events_truncated);
  for (guint i = 0; i < self->events->len; i++)
    {
      PetriBehaviorEvent *ev = g_ptr_array_index (self->events, i);
      gint64 n = json_object_get_int_member_with_default (counts, ev->category, 0);

      json_object_set_int_member (counts, ev->category, n + 1);
    }
  json_object_set_object_member (o, "events", counts);
  for (guint i = 0; i < self->signatures->len; i++)
    json_array_add_object_element (sigs, json_object_ref (g_ptr_array_index (self->signatures, i)));
  json_object_set_array_member (o, "signatures", sigs);
  return o;
}
