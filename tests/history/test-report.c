/* test-report.c: the streaming JSON reader and CAPE/Cuckoo report import
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-json-reader.h"
#include "petri-report.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>

static char *
fixture (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "history", "fixtures", name, NULL);
}

static PetriBehaviorEvent *
find_event (PetriReport *r, const char *category, const char *action, const char *target)
{
  for (guint i = 0; i < r->events->len; i++)
    {
      PetriBehaviorEvent *ev = g_ptr_array_index (r->events, i);

      if (g_str_equal (ev->category, category) && g_str_equal (ev->action, action)
          && g_strcmp0 (ev->target, target) == 0)
        return ev;
    }
  return NULL;
}

static guint
count_events (PetriReport *r, const char *category, const char *action)
{
  guint n = 0;

  for (guint i = 0; i < r->events->len; i++)
    {
      PetriBehaviorEvent *ev = g_ptr_array_index (r->events, i);

      if (g_str_equal (ev->category, category) && (!action || g_str_equal (ev->action, action)))
        n++;
    }
  return n;
}

static const char *
detail (PetriBehaviorEvent *ev, const char *member)
{
  g_assert_nonnull (ev->details);
  return json_object_get_string_member_with_default (ev->details, member, NULL);
}

/* ---------------------------------------------------------------------- */

static PetriJsonReader *
reader_for (const char *text)
{
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_data (g_strdup (text), -1, g_free);

  return petri_json_reader_new (in, "test.json");
}

static void
test_reader_tokens (void)
{
  g_autoptr (PetriJsonReader) r
      = reader_for (" {\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\ud83d\\ude00\\n\"],"
                    " \"b\": {}, \"c\": []} ");
  g_autoptr (GError) error = NULL;
  static const PetriJsonToken want[]
      = { PETRI_JSON_BEGIN_OBJECT, PETRI_JSON_KEY,        PETRI_JSON_BEGIN_ARRAY,
          PETRI_JSON_NUMBER,       PETRI_JSON_NUMBER,     PETRI_JSON_TRUE,
          PETRI_JSON_FALSE,        PETRI_JSON_NULL,       PETRI_JSON_STRING,
          PETRI_JSON_END_ARRAY,    PETRI_JSON_KEY,        PETRI_JSON_BEGIN_OBJECT,
          PETRI_JSON_END_OBJECT,   PETRI_JSON_KEY,        PETRI_JSON_BEGIN_ARRAY,
          PETRI_JSON_END_ARRAY,    PETRI_JSON_END_OBJECT, PETRI_JSON_EOF };

  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      PetriJsonToken t = petri_json_reader_next (r, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (t, ==, want[i]);
      if (i == 4)
        g_assert_cmpstr (petri_json_reader_get_string (r), ==, "-2.5e3");
      if (i == 8)
        g_assert_cmpstr (petri_json_reader_get_string (r), ==, "x\xc3\xa9\xf0\x9f\x98\x80\n");
    }
}

static void
test_reader_build (void)
{
  g_autoptr (PetriJsonReader) r = reader_for ("[{\"k\": [1, 2, {\"z\": \"v\"}]}, 3]");
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;
  PetriJsonToken t;

  g_assert_cmpint (petri_json_reader_next (r, NULL, &error), ==, PETRI_JSON_BEGIN_ARRAY);
  t = petri_json_reader_next (r, NULL, &error);
  node = petri_json_reader_build (r, t, 4096, NULL, &error);
  g_assert_no_error (error);
  text = json_to_string (node, FALSE);
  g_assert_cmpstr (text, ==, "{\"k\":[1,2,{\"z\":\"v\"}]}");
  g_assert_cmpint (petri_json_reader_next (r, NULL, &error), ==, PETRI_JSON_NUMBER);
  g_assert_cmpint (petri_json_reader_next (r, NULL, &error), ==, PETRI_JSON_END_ARRAY);
  g_assert_cmpint (petri_json_reader_next (r, NULL, &error), ==, PETRI_JSON_EOF);
}

static void
test_reader_budget (void)
{
  g_autoptr (PetriJsonReader) r = reader_for (
      "[{\"big\": [\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", {\"x\": [1,2,3]}]}, 7]");
  g_autoptr (GError) error = NULL;
  JsonNode *node;
  PetriJsonToken t;

  g_assert_cmpint (petri_json_reader_next (r, NULL, &error), ==, PETRI_JSON_BEGIN_ARRAY);
  t = petri_json_reader_next (r, NULL, &error);
  node = petri_json_reader_build (r, t, 100, NULL, &error);
  g_assert_null (node);
  g_assert_error (error, PETRI_JSON_READER_ERROR, PETRI_JSON_READER_ERROR_TOO_LARGE);
  g_clear_error (&error);
  /* The oversized value was consumed: reading goes on after it. */
  g_assert_cmpint (petri_json_reader_next (r, NULL, &error), ==, PETRI_JSON_NUMBER);
  g_assert_cmpstr (petri_json_reader_get_string (r), ==, "7");
  g_assert_cmpint (petri_json_reader_next (r, NULL, &error), ==, PETRI_JSON_END_ARRAY);
}

static void
test_reader_errors (void)
{
  static const struct
  {
    const char *text;
    int code;
    const char *where;
  } cases[] = {
    { "{\"a\": 1,}", PETRI_JSON_READER_ERROR_SYNTAX, "line 1, column 9" },
    { "{\"a\" 1}", PETRI_JSON_READER_ERROR_SYNTAX, "line 1, column 6" },
    { "[1 2]", PETRI_JSON_READER_ERROR_SYNTAX, "column 4" },
    { "[01]", PETRI_JSON_READER_ERROR_SYNTAX, "column 3" },
    { "[1.]", PETRI_JSON_READER_ERROR_SYNTAX, "column 4" },
    { "[\"a\tb\"]", PETRI_JSON_READER_ERROR_SYNTAX, "column 4" },
    { "[\"\\x\"]", PETRI_JSON_READER_ERROR_SYNTAX, "column 4" },
    { "[tru]", PETRI_JSON_READER_ERROR_SYNTAX, "column 5" },
    { "{\"a\": [1,\n 2", PETRI_JSON_READER_ERROR_TRUNCATED, "line 2" },
    { "{\"a\": \"unterminated", PETRI_JSON_READER_ERROR_TRUNCATED, "line 1" },
    { "[1] [2]", PETRI_JSON_READER_ERROR_SYNTAX, "column 5" },
    { "", PETRI_JSON_READER_ERROR_TRUNCATED, "line 1" },
    { "}", PETRI_JSON_READER_ERROR_SYNTAX, "column 1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (PetriJsonReader) r = reader_for (cases[i].text);
      g_autoptr (GError) error = NULL;
      PetriJsonToken t;

      do
        t = petri_json_reader_next (r, NULL, &error);
      while (t != PETRI_JSON_ERROR && t != PETRI_JSON_EOF);
      g_test_message ("%s → %s", cases[i].text, error ? error->message : "(no error)");
      g_assert_error (error, PETRI_JSON_READER_ERROR, cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, "test.json: "));
      g_assert_nonnull (strstr (error->message, cases[i].where));
    }
}

static void
test_reader_depth (void)
{
  GString *deep = g_string_new (NULL);
  g_autoptr (PetriJsonReader) r = NULL;
  g_autoptr (GError) error = NULL;
  PetriJsonToken t;

  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  r = reader_for (deep->str);
  g_string_free (deep, TRUE);
  do
    t = petri_json_reader_next (r, NULL, &error);
  while (t != PETRI_JSON_ERROR);
  g_assert_error (error, PETRI_JSON_READER_ERROR, PETRI_JSON_READER_ERROR_TOO_DEEP);
}

/* ---------------------------------------------------------------------- */

static void
test_cape (void)
{
  g_autofree char *path = fixture ("cape-report.json");
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriReport) r = petri_report_parse_file (path, NULL, &error);
  g_autoptr (JsonObject) summary = NULL;
  PetriBehaviorEvent *ev;

  g_assert_no_error (error);
  g_assert_cmpint (r->dialect, ==, PETRI_REPORT_DIALECT_CAPE);
  g_assert_cmpstr (r->sha256, ==,
                   "5f0c4c0ff1a9d5e7c2b8a6d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4");
  g_assert_cmpstr (r->md5, ==, "0f343b0931126a20f133d67c2b018a3b");
  g_assert_cmpstr (r->sha1, ==, "1c2b3a4d5e6f708192a3b4c5d6e7f80912a3b4c5");
  g_assert_cmpstr (r->file_name, ==, "invoice_0312.exe");
  g_assert_cmpuint (r->size, ==, 73728);
  g_assert_cmpstr (r->machine, ==, "win10-x64-01");
  g_assert_cmpstr (r->platform, ==, "windows");
  g_assert_cmpstr (r->package, ==, "exe");
  g_assert_cmpstr (r->report_id, ==, "4711");
  g_assert_cmpint (r->duration, ==, 124);
  g_assert_cmpint (r->started, ==, 1772442901); /* 2026-03-02 09:15:01 UTC */
  g_assert_cmpstr (r->family, ==, "PetriFixtureLoader");
  g_assert_cmpfloat (r->score, ==, 7.5);
  g_assert_cmpuint (r->calls, ==, 11);
  g_assert_cmpuint (r->signatures->len, ==, 2);

  /* Process tree */
  ev = find_event (r, "process", "exec",
                   "C:\\Users\\analyst\\AppData\\Local\\Temp\\invoice_0312.exe");
  g_assert_nonnull (ev);
  g_assert_cmpint (ev->pid, ==, 2340);
  g_assert_cmpint (ev->ppid, ==, 1888);
  g_assert_cmpstr (ev->process, ==, "invoice_0312.exe");
  g_assert_cmpstr (detail (ev, "command_line"), ==,
                   "\"C:\\Users\\analyst\\AppData\\Local\\Temp\\invoice_0312.exe\" /silent");
  g_assert_cmpfloat_with_epsilon (ev->ts, 9.125, 0.001);
  ev = find_event (r, "process", "exec", "C:\\Windows\\System32\\notepad.exe");
  g_assert_nonnull (ev);
  g_assert_cmpint (ev->pid, ==, 3120);
  g_assert_cmpint (ev->ppid, ==, 2340);

  /* Driver: the handle leads back to the device it was opened on. */
  ev = find_event (r, "driver", "ioctl", "\\??\\PhysicalDrive0");
  g_assert_nonnull (ev);
  g_assert_cmpint (ev->pid, ==, 2340);
  g_assert_cmpstr (detail (ev, "request"), ==, "0x00070000");
  g_assert_cmpstr (detail (ev, "name"), ==, "IOCTL_DISK_GET_DRIVE_GEOMETRY");
  g_assert_cmpstr (detail (ev, "device_type_name"), ==, "FILE_DEVICE_DISK");
  g_assert_cmpstr (detail (ev, "method"), ==, "METHOD_BUFFERED");
  g_assert_cmpstr (detail (ev, "access"), ==, "FILE_ANY_ACCESS");
  g_assert_cmpstr (detail (ev, "api"), ==, "DeviceIoControl");
  g_assert_cmpint (json_object_get_int_member (ev->details, "count"), ==, 2);
  g_assert_cmpuint (count_events (r, "driver", NULL), ==, 1);

  /* Injection: writes into notepad, not the write into its own memory. */
  ev = find_event (r, "injection", "write_process_memory", "3120");
  g_assert_nonnull (ev);
  g_assert_cmpint (ev->pid, ==, 2340);
  g_assert_cmpstr (detail (ev, "api"), ==, "NtWriteVirtualMemory");
  g_assert_null (find_event (r, "injection", "write_process_memory", "2340"));
  g_assert_nonnull (find_event (r, "injection", "map_view_of_section", "3120"));
  g_assert_nonnull (find_event (r, "injection", "create_remote_thread", "3120"));
  ev = find_event (r, "injection", "signature", "injection_write_memory");
  g_assert_nonnull (ev);
  g_assert_cmpint (json_object_get_int_member (ev->details, "severity"), ==, 3);
  g_assert_cmpstr (
      json_array_get_string_element (json_object_get_array_member (ev->details, "marks"), 0), ==,
      "Injection: invoice_0312.exe(2340) -> notepad.exe(3120)");

  /* Registry: the call (with its value) and the summary lists. */
  ev = find_event (r, "registry", "set",
                   "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater");
  g_assert_nonnull (ev);
  g_assert_cmpint (ev->pid, ==, 2340);
  g_assert_cmpstr (detail (ev, "value"), ==, "Updater");
  g_assert_cmpstr (detail (ev, "data"), ==, "C:\\Users\\analyst\\AppData\\Roaming\\svcupd.exe");
  g_assert_cmpuint (count_events (r, "registry", "set"), ==, 1);
  g_assert_nonnull (
      find_event (r, "registry", "delete",
                  "HKEY_CURRENT_USER\\Software\\Classes\\ms-settings\\shell\\open\\command"));
  g_assert_nonnull (find_event (
      r, "registry", "read",
      "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProductName"));
  g_assert_nonnull (
      find_event (r, "registry", "open",
                  "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"));

  /* Files: per-process activities carry the pid, the summary adds the rest. */
  ev = find_event (r, "file", "write", "C:\\Users\\analyst\\AppData\\Roaming\\svcupd.exe");
  g_assert_nonnull (ev);
  g_assert_cmpint (ev->pid, ==, 2340);
  g_assert_cmpuint (count_events (r, "file", "write"), ==, 1);
  ev = find_event (r, "file", "delete",
                   "C:\\Users\\analyst\\AppData\\Local\\Temp\\invoice_0312.exe");
  g_assert_nonnull (ev);
  g_assert_cmpint (ev->pid, ==, -1);
  ev = find_event (r, "file", "drop", "C:\\Users\\analyst\\AppData\\Roaming\\svcupd.exe");
  g_assert_nonnull (ev);
  g_assert_cmpstr (detail (ev, "sha256"), ==,
                   "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b");
  g_assert_cmpuint (r->dropped->len, ==, 1);

  g_assert_nonnull (find_event (r, "mutex", "create", "Global\\petri-fixture-mutex"));
  g_assert_nonnull (
      find_event (r, "command", "exec", "cmd.exe /c vssadmin delete shadows /all /quiet"));

  /* Network */
  ev = find_event (r, "network", "host", "198.51.100.23");
  g_assert_nonnull (ev);
  g_assert_cmpstr (detail (ev, "hostname"), ==, "update.example-bad.test");
  ev = find_event (r, "network", "dns", "update.example-bad.test");
  g_assert_nonnull (ev);
  g_assert_cmpstr (
      json_array_get_string_element (json_object_get_array_member (ev->details, "answers"), 0), ==,
      "198.51.100.23");
  g_assert_nonnull (find_event (r, "network", "resolve", "update.example-bad.test"));
  g_assert_nonnull (find_event (r, "network", "connect", "198.51.100.23:80"));
  g_assert_nonnull (find_event (r, "network", "connect", "192.168.56.1:53"));
  ev = find_event (r, "network", "http", "http://update.example-bad.test/gate.php");
  g_assert_nonnull (ev);
  g_assert_cmpstr (detail (ev, "user_agent"), ==, "Mozilla/4.0 (compatible; PetriFixture)");

  /* Every event passes the behaviour model's own strict check. */
  for (guint i = 0; i < r->events->len; i++)
    {
      g_autoptr (JsonNode) node = petri_behavior_event_to_json (g_ptr_array_index (r->events, i));
      g_autoptr (PetriBehaviorEvent) back = petri_behavior_event_from_json (node, &error);

      g_assert_no_error (error);
      if (i > 0)
        g_assert_cmpfloat (((PetriBehaviorEvent *) g_ptr_array_index (r->events, i - 1))->ts, <=,
                           ((PetriBehaviorEvent *) g_ptr_array_index (r->events, i))->ts);
    }

  summary = petri_report_summary (r);
  g_assert_cmpstr (json_object_get_string_member (summary, "dialect"), ==, "cape");
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (summary, "events"), "injection"),
      ==, 4);
}

static void
test_cuckoo (void)
{
  g_autofree char *path = fixture ("cuckoo-report.json");
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriReport) r = petri_report_parse_file (path, NULL, &error);
  PetriBehaviorEvent *ev;

  g_assert_no_error (error);
  g_assert_cmpint (r->dialect, ==, PETRI_REPORT_DIALECT_CUCKOO);
  g_assert_cmpstr (r->sha256, ==,
                   "9a271f2a916b0b6ee6cecb2426f0b3206ef074578be55d9bc94f6f3fe3ab86aa");
  g_assert_cmpstr (r->file_name, ==, "dropper.exe");
  g_assert_cmpstr (r->machine, ==, "cuckoo1");
  g_assert_cmpfloat (r->score, ==, 6.2);
  g_assert_null (r->family);

  /* The calls come before "pid" in a Cuckoo process entry. */
  ev = find_event (r, "driver", "ioctl", "\\??\\C:");
  g_assert_nonnull (ev);
  g_assert_cmpint (ev->pid, ==, 2200);
  g_assert_cmpint (ev->ppid, ==, 512);
  g_assert_cmpstr (ev->process, ==, "dropper.exe");
  g_assert_cmpstr (detail (ev, "name"), ==, "IOCTL_STORAGE_QUERY_PROPERTY");
  g_assert_cmpstr (detail (ev, "device_type_name"), ==, "FILE_DEVICE_MASS_STORAGE");
  g_assert_cmpint (json_object_get_int_member (ev->details, "function"), ==, 0x500);
  ev = find_event (r, "driver", "ioctl", "handle 0x00000128");
  g_assert_nonnull (ev);
  g_assert_cmpstr (detail (ev, "request"), ==, "0x0022801c");
  g_assert_cmpstr (detail (ev, "device_type_name"), ==, "FILE_DEVICE_UNKNOWN");
  g_assert_cmpstr (detail (ev, "access"), ==, "FILE_WRITE_ACCESS");
  g_assert_cmpint (json_object_get_int_member (ev->details, "function"), ==, 7);
  g_assert_null (json_object_get_member (ev->details, "name"));

  ev = find_event (r, "injection", "write_process_memory", "1400");
  g_assert_nonnull (ev);
  g_assert_cmpint (ev->pid, ==, 2200);
  g_assert_null (find_event (r, "injection", "write_process_memory", "2200"));
  g_assert_nonnull (find_event (r, "injection", "create_remote_thread", "1400"));
  g_assert_nonnull (find_event (r, "injection", "queue_apc", "1400"));
  ev = find_event (r, "injection", "signature", "injection_createremotethread");
  g_assert_nonnull (ev);
  g_assert_cmpint (ev->pid, ==, 2200);
  g_assert_null (find_event (r, "injection", "signature", "persistence_autorun"));

  ev = find_event (r, "process", "exec", "C:\\Users\\cuckoo\\AppData\\Local\\Temp\\dropper.exe");
  g_assert_nonnull (ev);
  g_assert_cmpstr (detail (ev, "command_line"), ==,
                   "\"C:\\Users\\cuckoo\\AppData\\Local\\Temp\\dropper.exe\" --install");
  g_assert_cmpfloat_with_epsilon (ev->ts, 0.125, 0.001);

  /* behavior.generic attributes the summary to processes; the report-wide
   * summary adds only what no process claimed. */
  ev = find_event (r, "registry", "set",
                   "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\dropper");
  g_assert_nonnull (ev);
  g_assert_cmpint (ev->pid, ==, 2200);
  g_assert_cmpuint (count_events (r, "registry", "set"), ==, 1);
  ev = find_event (r, "registry", "delete", "HKEY_CURRENT_USER\\Software\\Petri\\Fixture");
  g_assert_nonnull (ev);
  g_assert_cmpint (ev->pid, ==, 1400);
  g_assert_cmpuint (count_events (r, "file", "create"), ==, 1);
  ev = find_event (r, "file", "mkdir", "C:\\ProgramData\\svc");
  g_assert_nonnull (ev);
  g_assert_cmpint (ev->pid, ==, -1);
  ev = find_event (r, "file", "rename", "C:\\Users\\cuckoo\\AppData\\Local\\Temp\\payload.bin");
  g_assert_nonnull (ev);
  g_assert_cmpstr (detail (ev, "new_path"), ==, "C:\\ProgramData\\svc\\payload.bin");
  g_assert_nonnull (find_event (r, "mutex", "create", "Local\\DropperSingleInstance"));
  g_assert_nonnull (
      find_event (r, "command", "exec", "cmd.exe /c ping -n 3 127.0.0.1 & del dropper.exe"));
  g_assert_null (find_event (r, "file", "exists", "C:\\Windows\\System32\\kernel32.dll"));

  g_assert_nonnull (find_event (r, "network", "host", "203.0.113.77"));
  ev = find_event (r, "network", "connect", "203.0.113.77:443");
  g_assert_nonnull (ev);
  g_assert_cmpint (json_object_get_int_member (ev->details, "count"), ==, 2);
  g_assert_nonnull (find_event (r, "network", "http", "http://cdn.bad-example.test/payload.bin"));
  g_assert_nonnull (find_event (r, "network", "dns", "cdn.bad-example.test"));
  ev = find_event (r, "file", "drop", "C:\\Users\\cuckoo\\AppData\\Local\\Temp\\payload.bin");
  g_assert_nonnull (ev);
}

static void
test_ioctl_decode (void)
{
  g_autoptr (JsonObject) o = petri_report_decode_ioctl (0x0007c088);

  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "SMART_RCV_DRIVE_DATA");
  g_assert_cmpint (json_object_get_int_member (o, "device_type"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (o, "function"), ==, 0x22);
  g_assert_cmpstr (json_object_get_string_member (o, "access"), ==,
                   "FILE_READ_ACCESS|FILE_WRITE_ACCESS");
  json_object_unref (g_steal_pointer (&o));
  o = petri_report_decode_ioctl (0x9c402003);
  g_assert_cmpstr (json_object_get_string_member (o, "device_type_name"), ==, "vendor");
  g_assert_cmpstr (json_object_get_string_member (o, "method"), ==, "METHOD_NEITHER");
}

/* ---------------------------------------------------------------------- */

static PetriReport *
parse_text (const char *text, gssize len, GError **error)
{
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_data (
      g_memdup2 (text, len < 0 ? strlen (text) : (gsize) len),
      len < 0 ? (gssize) strlen (text) : len, g_free);

  return petri_report_parse_stream (in, "bad.json", NULL, error);
}

static void
test_bad_reports (void)
{
  static const struct
  {
    const char *text;
    int code;
    const char *fragment;
  } cases[] = {
    { "", PETRI_REPORT_ERROR_INVALID, "ends too early" },
    { "not json", PETRI_REPORT_ERROR_INVALID, "line 1, column 2: unexpected" },
    { "[1, 2]", PETRI_REPORT_ERROR_INVALID, "is not an object" },
    { "{\"foo\": 1}", PETRI_REPORT_ERROR_INVALID, "not a CAPE or Cuckoo report" },
    { "{\"info\": {\"id\": 1}}", PETRI_REPORT_ERROR_NO_TARGET, "no target" },
    { "{\"info\": {}, \"target\": {\"file\": {\"sha256\": \"xyz\"}}}", PETRI_REPORT_ERROR_INVALID,
      "sha256 is not a valid hash" },
    { "{\"info\": {}, \"behavior\": {\"processes\": [{\"pid\": 1, \"calls\": [{\"api\": \"x\"}",
      PETRI_REPORT_ERROR_INVALID, "ends too early" },
    { "{\"info\": {}, \"behavior\": {\"processes\": [7]}}", PETRI_REPORT_ERROR_INVALID,
      "“processes” is not an object" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (PetriReport) r = parse_text (cases[i].text, -1, &error);

      g_test_message ("%s → %s", cases[i].text, error ? error->message : "(no error)");
      g_assert_null (r);
      g_assert_error (error, PETRI_REPORT_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, "bad.json"));
      g_assert_nonnull (strstr (error->message, cases[i].fragment));
    }
}

/* Every prefix of a real report is refused cleanly (no crash, no leak, an
 * error naming the file). */
static void
test_truncated_everywhere (void)
{
  const char *names[] = { "cape-report.json", "cuckoo-report.json" };

  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      g_autofree char *path = fixture (names[n]);
      g_autofree char *text = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &text, &len, NULL));
      while (len > 0 && g_ascii_isspace (text[len - 1]))
        len--;
      for (gsize cut = 0; cut < len; cut += 1 + cut / 40)
        {
          g_autoptr (GError) error = NULL;
          g_autoptr (PetriReport) r = parse_text (text, cut, &error);

          g_assert_null (r);
          g_assert_error (error, PETRI_REPORT_ERROR, PETRI_REPORT_ERROR_INVALID);
          g_assert_nonnull (strstr (error->message, "bad.json"));
        }
    }
}

static void
test_missing_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriReport) r = petri_report_parse_file ("/nonexistent/report.json", NULL, &error);

  g_assert_null (r);
  g_assert_error (error, PETRI_REPORT_ERROR, PETRI_REPORT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/report.json"));
}

/* ---------------------------------------------------------------------- */
/* A Cuckoo report of tens of megabytes, streamed in bounded memory         */

static glong
peak_rss_kib (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static void
write_big_report (const char *path, guint n_processes, guint calls_per_process)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileOutputStream) out
      = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL);
  g_autoptr (GOutputStream) buffered
      = g_buffered_output_stream_new_sized (G_OUTPUT_STREAM (out), 1 << 20);
  GString *s = g_string_sized_new (1 << 16);

#define FLUSH()                                                                                    \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_assert_true (g_output_stream_write_all (buffered, s->str, s->len, NULL, NULL, NULL));        \
    g_string_truncate (s, 0);                                                                      \
  }                                                                                                \
  G_STMT_END

  g_string_append (s, "{\"info\": {\"started\": \"2026-03-02 10:00:00\", \"id\": 9, "
                      "\"machine\": {\"name\": \"big\"}},\n \"target\": {\"file\": {\"name\": "
                      "\"big.exe\", \"size\": 1, \"md5\": \"d41d8cd98f00b204e9800998ecf8427e\", "
                      "\"sha1\": \"da39a3ee5e6b4b0d3255bfef95601890afd80709\", \"sha256\": "
                      "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}},\n"
                      " \"behavior\": {\"processes\": [\n");
  for (guint p = 0; p < n_processes; p++)
    {
      g_string_append_printf (s, "%s{\"process_path\": \"C:\\\\p%u.exe\", \"calls\": [\n",
                              p ? "," : "", p);
      for (guint c = 0; c < calls_per_process; c++)
        {
          switch (c % 4)
            {
            case 0:
              g_string_append_printf (
                  s,
                  "{\"category\": \"file\", \"status\": 1, \"stacktrace\": [], \"api\": "
                  "\"NtWriteFile\", \"return_value\": 0, \"arguments\": {\"file_handle\": "
                  "\"0x%08x\", \"buffer\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                  "AAAAAAAAAAAAAAAAAAAAAAAAAA\", \"offset\": %u}, \"time\": 1772445600.%u, "
                  "\"tid\": 100, \"flags\": {}}",
                  c, c, c % 1000);
              break;
            case 1:
              g_string_append_printf (
                  s,
                  "{\"category\": \"device\", \"status\": 1, \"api\": \"DeviceIoControl\", "
                  "\"return_value\": 1, \"arguments\": {\"device_handle\": \"0x00000040\", "
                  "\"control_code\": %u, \"input_buffer\": \"\"}, \"time\": 1772445601.5, "
                  "\"tid\": 100, \"flags\": {}}",
                  0x00070000 + ((c / 4) % 8) * 4);
              break;
            case 2:
              g_string_append_printf (
                  s,
                  "{\"category\": \"registry\", \"status\": 1, \"api\": \"RegSetValueExW\", "
                  "\"return_value\": 0, \"arguments\": {\"regkey\": "
                  "\"HKEY_CURRENT_USER\\\\Software\\\\Big\\\\%u\", \"value\": \"%u\"}, "
                  "\"time\": 1772445602.0, \"tid\": 100, \"flags\": {}}",
                  (c / 4) % 64, c);
              break;
            default:
              g_string_append_printf (
                  s,
                  "{\"category\": \"process\", \"status\": 1, \"api\": \"NtWriteVirtualMemory\", "
                  "\"return_value\": 0, \"arguments\": {\"process_handle\": \"0x000000f0\", "
                  "\"process_identifier\": %u, \"buffer\": \"\\u0000\\u00ff\"}, \"time\": "
                  "1772445603.0, \"tid\": 100, \"flags\": {}}",
                  5000 + (c / 4) % 3);
              break;
            }
          g_string_append (s, c + 1 < calls_per_process ? ",\n" : "\n");
          if (s->len > 60000)
            FLUSH ();
        }
      g_string_append_printf (s, "], \"pid\": %u, \"ppid\": 4, \"process_name\": \"p%u.exe\"}\n",
                              1000 + p, p);
    }
  g_string_append (s, "]}}\n");
  FLUSH ();
  g_string_free (s, TRUE);
  g_assert_true (g_output_stream_close (buffered, NULL, NULL));
#undef FLUSH
}

static void
test_big_report (void)
{
  g_autofree char *dir = g_dir_make_tmp ("petri-report-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "big.json", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriReport) r = NULL;
  GStatBuf st;
  glong before, after;
  guint calls = g_test_slow () ? 200000 : 60000;

  write_big_report (path, 4, calls);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_test_message ("report: %.1f MB", st.st_size / 1e6);
  g_assert_cmpint (st.st_size, >, 20 * 1000 * 1000);

  before = peak_rss_kib ();
  r = petri_report_parse_file (path, NULL, &error);
  after = peak_rss_kib ();
  g_assert_no_error (error);
  g_assert_cmpuint (r->calls, ==, 4 * calls);
  g_test_message ("peak RSS before %ld KiB, after %ld KiB, events %u", before, after,
                  r->events->len);
  /* 4 processes × (exec + 8 ioctl codes + 64 keys + 3 victims) */
  g_assert_cmpuint (r->events->len, ==, 4 * (1 + 8 + 64 + 3));
#if !defined(__SANITIZE_ADDRESS__)
  /* Bounded: far less than the document, whatever its size. */
  g_assert_cmpint ((after - before) * 1024, <, st.st_size / 4);
  g_assert_cmpint (after - before, <, 32 * 1024);
#endif
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-reader/tokens", test_reader_tokens);
  g_test_add_func ("/json-reader/build", test_reader_build);
  g_test_add_func ("/json-reader/budget", test_reader_budget);
  g_test_add_func ("/json-reader/errors", test_reader_errors);
  g_test_add_func ("/json-reader/depth", test_reader_depth);
  g_test_add_func ("/report/cape", test_cape);
  g_test_add_func ("/report/cuckoo", test_cuckoo);
  g_test_add_func ("/report/ioctl", test_ioctl_decode);
  g_test_add_func ("/report/bad", test_bad_reports);
  g_test_add_func ("/report/truncated", test_truncated_everywhere);
  g_test_add_func ("/report/missing-file", test_missing_file);
  g_test_add_func ("/report/big", test_big_report);
  return g_test_run ();
}
