/* petri-cli-sandbox.c: `petri sandbox init | check | run`
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-cli.h"
#include "petri-sandbox.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

static void
progress_cb (const char *line, gpointer user_data)
{
  g_printerr ("%s\n", line);
}

static int
sandbox_init (char **data_dir, int argc, char **argv)
{
  g_autofree char *uri = NULL, *images_dir = NULL, *builder = NULL;
  int n_vms = 1, memory = 0;
  gboolean tcg = FALSE, rebuild = FALSE;
  const GOptionEntry entries[] = {
    { "uri", 0, 0, G_OPTION_ARG_STRING, &uri, N_ ("libvirt URI (default qemu:///system)"),
      N_ ("URI") },
    { "images-dir", 0, 0, G_OPTION_ARG_FILENAME, &images_dir,
      N_ ("Where the guest kernel and initramfs go (default DATA_DIR/sandbox)"), N_ ("DIR") },
    { "builder", 0, 0, G_OPTION_ARG_FILENAME, &builder, N_ ("The guest image builder to run"),
      N_ ("PATH") },
    { "vms", 0, 0, G_OPTION_ARG_INT, &n_vms, N_ ("How many VMs the pool gets (default 1)"),
      N_ ("N") },
    { "memory", 0, 0, G_OPTION_ARG_INT, &memory, N_ ("Guest memory in MiB (default 256)"),
      N_ ("MIB") },
    { "tcg", 0, 0, G_OPTION_ARG_NONE, &tcg, N_ ("Plain QEMU emulation even when KVM is there"),
      NULL },
    { "rebuild", 0, 0, G_OPTION_ARG_NONE, &rebuild, N_ ("Rebuild the guest image"), NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  PetriSandboxInitOptions options = { 0 };

  if (!petri_cli_parse (&argc, &argv, entries, NULL,
                        _ ("Build Petri’s Linux guest, define it in libvirt and check that its "
                           "agent answers."),
                        data_dir))
    return 2;
  if (argc > 1 || n_vms < 1 || n_vms > 16 || memory < 0 || memory > 16384)
    {
      petri_cli_error (_ ("bad arguments (see “petri sandbox init --help”)"));
      return 2;
    }
  options.data_dir = *data_dir;
  options.uri = uri;
  options.images_dir = images_dir;
  options.builder = builder;
  options.n_vms = (guint) n_vms;
  options.memory_mib = (guint) memory;
  options.force_tcg = tcg;
  options.rebuild = rebuild;
  if (!petri_sandbox_init (&options, progress_cb, NULL, &error))
    {
      petri_cli_error ("%s", error->message);
      return 1;
    }
  g_print (_ ("The sandbox is ready.\n"));
  return 0;
}

static int
sandbox_check (char **data_dir, int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON"), NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) checks = NULL;
  g_autofree char *conf = NULL;
  gboolean all_ok = TRUE;

  if (!petri_cli_parse (&argc, &argv, entries, NULL,
                        _ ("Check every VM of the sandbox pool: libvirt, domain, clean state, "
                           "agent channel, network isolation, agent."),
                        data_dir))
    return 2;
  conf = petri_sandbox_config_path (*data_dir);
  checks = petri_sandbox_check (conf, NULL, &error);
  if (checks == NULL)
    {
      /* No configuration: still say whether a daemon answers. */
      g_autofree char *probe = petri_sandbox_probe_libvirt (NULL);

      if (json)
        {
          g_autoptr (JsonBuilder) b = json_builder_new ();
          g_autoptr (JsonNode) root = NULL;

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "ok");
          json_builder_add_boolean_value (b, FALSE);
          json_builder_set_member_name (b, "error");
          json_builder_add_string_value (b, error->message);
          if (probe != NULL)
            {
              json_builder_set_member_name (b, "libvirt");
              json_builder_add_string_value (b, probe);
            }
          json_builder_end_object (b);
          root = json_builder_get_root (b);
          petri_cli_print_json (root, TRUE);
        }
      else
        {
          if (probe != NULL)
            petri_cli_error ("%s", probe);
          petri_cli_error ("%s", error->message);
        }
      return 1;
    }

  for (guint i = 0; i < checks->len; i++)
    all_ok &= ((PetriSandboxCheck *) g_ptr_array_index (checks, i))->ok;

  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, all_ok);
      json_builder_set_member_name (b, "checks");
      json_builder_begin_array (b);
      for (guint i = 0; i < checks->len; i++)
        {
          PetriSandboxCheck *c = g_ptr_array_index (checks, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "vm");
          json_builder_add_string_value (b, c->vm);
          json_builder_set_member_name (b, "check");
          json_builder_add_string_value (b, c->check);
          json_builder_set_member_name (b, "ok");
          json_builder_add_boolean_value (b, c->ok);
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, c->message);
          json_builder_set_member_name (b, "fix");
          if (c->fix != NULL)
            json_builder_add_string_value (b, c->fix);
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      petri_cli_print_json (root, TRUE);
    }
  else
    {
      /* Translators: the outcome of one `petri sandbox check`, in a column */
      const char *ok_label = C_ ("check", "ok"), *fail_label = C_ ("check", "FAIL");
      int width = (int) MAX (g_utf8_strlen (ok_label, -1), g_utf8_strlen (fail_label, -1));

      for (guint i = 0; i < checks->len; i++)
        {
          PetriSandboxCheck *c = g_ptr_array_index (checks, i);
          g_autoptr (GString) line = g_string_new (NULL);

          petri_cli_pad (line, c->ok ? ok_label : fail_label, width);
          g_string_append_printf (line, " %s %-11s %s", c->vm, c->check, c->message);
          g_print ("%s\n", line->str);
          if (!c->ok && c->fix != NULL)
            g_print ("%*s %*s %s %s\n", width, "", (int) g_utf8_strlen (c->vm, -1), "", _ ("fix:"),
                     c->fix);
        }
    }
  return all_ok ? 0 : 1;
}

/* `sandbox run`: analyses outside any case, for trying a VM and for the
 * benchmark. Results are printed, nothing is stored. */
typedef struct
{
  char *file;
  JsonArray *events;
  JsonArray *dropped;
  GMutex lock;
  gboolean verbose;
} RunRecord;

static void
run_state_cb (PetriAnalysis *a, PetriAnalysisState state, const char *reason, gpointer data)
{
  RunRecord *r = data;

  if (r->verbose)
    g_printerr ("%s: %s%s%s\n", r->file,
                petri_keyword_label (petri_analysis_state_to_string (state)), reason ? ": " : "",
                reason ? reason : "");
}

static void
run_events_cb (PetriAnalysis *a, GPtrArray *events, gpointer data)
{
  RunRecord *r = data;

  g_mutex_lock (&r->lock);
  for (guint i = 0; i < events->len; i++)
    json_array_add_element (r->events,
                            petri_behavior_event_to_json (g_ptr_array_index (events, i)));
  g_mutex_unlock (&r->lock);
}

static void
run_dropped_cb (PetriAnalysis *a, const PetriDroppedFile *file, gpointer data)
{
  RunRecord *r = data;
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "path", file->guest_path);
  json_object_set_string_member (o, "sha256", file->sha256);
  json_object_set_int_member (o, "size", (gint64) file->size);
  json_object_set_int_member (o, "pid", file->pid);
  g_mutex_lock (&r->lock);
  json_array_add_object_element (r->dropped, o);
  g_mutex_unlock (&r->lock);
}

static int
sandbox_run (char **data_dir, int argc, char **argv)
{
  gboolean json = FALSE;
  int duration = 0;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON, one object per file"), NULL },
    { "duration", 0, 0, G_OPTION_ARG_INT, &duration,
      N_ ("Seconds each sample runs (default: sandbox.conf)"), N_ ("SECONDS") },
    { NULL },
  };
  static const PetriAnalysisCallbacks callbacks = {
    .state_changed = run_state_cb,
    .events = run_events_cb,
    .dropped_file = run_dropped_cb,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (PetriSandboxPool) pool = NULL;
  g_autoptr (GPtrArray) analyses
      = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_analysis_unref);
  g_autoptr (GPtrArray) records = g_ptr_array_new ();
  g_autofree char *conf = NULL;
  int status = 0;

  if (!petri_cli_parse (&argc, &argv, entries, _ ("FILE…"),
                        _ ("Run files in the sandbox pool without storing anything, and print "
                           "what they did."),
                        data_dir))
    return 2;
  if (argc < 2 || duration < 0 || duration > 3600)
    {
      petri_cli_error (_ ("bad arguments (see “petri sandbox run --help”)"));
      return 2;
    }
  conf = petri_sandbox_config_path (*data_dir);
  pool = petri_sandbox_pool_new (conf, &error);
  if (pool == NULL)
    {
      petri_cli_error ("%s", error->message);
      return 1;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GMappedFile) mapped = g_mapped_file_new (argv[i], FALSE, &error);
      g_autofree char *sha256 = NULL, *mime = NULL, *description = NULL, *reason = NULL;
      g_autofree char *display = petri_display_name (argv[i]);
      const guint8 *data;
      gsize len;
      RunRecord *r;
      PetriAnalysisRequest req = { 0 };

      if (mapped == NULL)
        {
          petri_cli_error (_ ("Cannot read “%s”: %s"), display, error->message);
          g_clear_error (&error);
          status = 1;
          continue;
        }
      data = (const guint8 *) g_mapped_file_get_contents (mapped);
      len = g_mapped_file_get_length (mapped);
      if (!petri_type_buffer (data, len, &mime, &description, &error))
        {
          /* Translators: file name, error message */
          petri_cli_error (_ ("%s: %s"), display, error->message);
          g_clear_error (&error);
        }
      if (!petri_sandbox_is_eligible (mime, description, data, len, len,
                                      petri_sandbox_pool_get_max_size (pool), &reason))
        {
          petri_cli_error (_ ("“%s” is not eligible for the sandbox: %s"), display, reason);
          status = 1;
          continue;
        }
      sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
      r = g_new0 (RunRecord, 1);
      r->file = g_strdup (display);
      r->events = json_array_new ();
      r->dropped = json_array_new ();
      r->verbose = TRUE;
      g_mutex_init (&r->lock);
      g_ptr_array_add (records, r);
      req.sample_path = argv[i];
      req.sha256 = sha256;
      req.display_name = argv[i];
      req.duration = (guint) duration;
      g_ptr_array_add (analyses, petri_sandbox_pool_submit (pool, &req, &callbacks, r, NULL, NULL));
    }

  for (guint i = 0; i < analyses->len; i++)
    {
      PetriAnalysis *a = g_ptr_array_index (analyses, i);
      RunRecord *r = g_ptr_array_index (records, i);
      g_autofree char *reason = NULL, *vm = NULL;
      g_autoptr (JsonObject) summary = NULL;

      petri_analysis_wait (a);
      reason = petri_analysis_dup_reason (a);
      vm = petri_analysis_dup_vm (a);
      summary = petri_analysis_dup_summary (a);
      if (petri_analysis_get_state (a) != PETRI_ANALYSIS_DONE)
        status = 1;
      if (json)
        {
          g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
          JsonObject *o = json_object_new ();

          json_object_set_string_member (o, "file", r->file);
          json_object_set_string_member (o, "sha256", petri_analysis_get_sha256 (a));
          json_object_set_string_member (
              o, "status", petri_analysis_state_to_string (petri_analysis_get_state (a)));
          json_object_set_string_member (o, "reason", reason ? reason : "");
          json_object_set_string_member (o, "vm", vm ? vm : "");
          json_object_set_int_member (o, "duration", petri_analysis_get_duration (a));
          json_object_set_double_member (o, "handshake_seconds",
                                         petri_analysis_get_handshake_seconds (a));
          json_object_set_double_member (o, "overhead_seconds",
                                         petri_analysis_get_overhead_seconds (a));
          json_object_set_object_member (o, "summary", json_object_ref (summary));
          json_object_set_array_member (o, "events", json_array_ref (r->events));
          json_object_set_array_member (o, "dropped", json_array_ref (r->dropped));
          json_node_take_object (root, o);
          petri_cli_print_json (root, FALSE);
        }
      else
        {
          guint n = json_array_get_length (r->events);
          g_autofree char *state = g_strdup_printf (
              "%s%s%s",
              petri_keyword_label (petri_analysis_state_to_string (petri_analysis_get_state (a))),
              reason ? ": " : "", reason ? reason : "");

          /* Translators: file, state (and why), VM, number of events, seconds, seconds */
          g_print (ngettext ("%s: %s (VM %s, %u event, handshake %.1f s, overhead %.1f s)\n",
                             "%s: %s (VM %s, %u events, handshake %.1f s, overhead %.1f s)\n", n),
                   r->file, state, vm ? vm : "-", n, petri_analysis_get_handshake_seconds (a),
                   petri_analysis_get_overhead_seconds (a));
          for (guint e = 0; e < json_array_get_length (r->events); e++)
            {
              JsonObject *ev = json_array_get_object_element (r->events, e);
              const char *target = json_object_get_string_member_with_default (ev, "target", "");

              g_print ("  %8.3f %-11s %-16s %s\n", json_object_get_double_member (ev, "ts"),
                       json_object_get_string_member (ev, "category"),
                       json_object_get_string_member (ev, "action"), target ? target : "");
            }
        }
    }

  for (guint i = 0; i < records->len; i++)
    {
      RunRecord *r = g_ptr_array_index (records, i);

      g_free (r->file);
      json_array_unref (r->events);
      json_array_unref (r->dropped);
      g_mutex_clear (&r->lock);
      g_free (r);
    }
  return status;
}

int
petri_cli_sandbox (const char *data_dir, int argc, char **argv)
{
  g_autofree char *dir = g_strdup (data_dir);
  const char *sub = argc >= 2 ? argv[1] : NULL;

  if (g_strcmp0 (sub, "init") == 0)
    return sandbox_init (&dir, argc - 1, argv + 1);
  if (g_strcmp0 (sub, "check") == 0)
    return sandbox_check (&dir, argc - 1, argv + 1);
  if (g_strcmp0 (sub, "run") == 0)
    return sandbox_run (&dir, argc - 1, argv + 1);
  g_printerr (_ ("Usage: petri sandbox init [--uri URI] [--images-dir DIR] [--vms N] [--tcg]\n"
                 "       petri sandbox check [--json]\n"
                 "       petri sandbox run [--json] [--duration SECONDS] FILE…\n"));
  return sub == NULL || g_strcmp0 (sub, "--help") == 0 || g_strcmp0 (sub, "help") == 0 ? 0 : 2;
}
