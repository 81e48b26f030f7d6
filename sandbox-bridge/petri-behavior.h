/* petri-behavior.h: one behaviour model for every platform and source
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Events come from Petri's own guest monitor (Linux), from Windows guests and
 * from imported CAPE/Cuckoo reports. Categories and the usual actions:
 *
 *   process     exec fork exit                  target: executable path
 *   file        create write delete rename chmod read
 *                                               target: path (rename: details.new_path)
 *   registry    create set delete open          target: key (details.value, details.data)
 *   network     socket connect bind send dns     target: "addr:port" or the name
 *   injection   ptrace_attach ptrace_poke process_vm_writev proc_mem_write
 *               write_process_memory create_remote_thread …
 *                                               target: the victim pid / process
 *   driver      ioctl                           target: device path;
 *                                               details: request, dir, type, nr, size, name
 *   evasion     probe                           target: what was probed
 *   persistence create write                    target: cron file, unit, rc file …
 *   mutex       create                          target: the mutex name
 *   command     exec                            target: the command line
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  /*< private >*/
  gatomicrefcount ref_count;
  /*< public >*/
  double ts;           /* seconds since the sample started */
  char *category;      /* one of petri_behavior_categories() */
  char *action;        /* short verb, [a-z0-9_]+ */
  gint64 pid;          /* -1 when unknown */
  gint64 ppid;         /* -1 when unknown */
  char *process;       /* name of the acting process, or NULL */
  char *target;        /* what the action was on, or NULL */
  JsonObject *details; /* or NULL */
} PetriBehaviorEvent;

GType petri_behavior_event_get_type (void) G_GNUC_CONST;
#define PETRI_TYPE_BEHAVIOR_EVENT (petri_behavior_event_get_type ())

/* NULL-terminated: "process", "file", "registry", "network", "injection",
 * "driver", "evasion", "persistence", "mutex", "command". */
const char *const *petri_behavior_categories (void);
gboolean petri_behavior_category_is_valid (const char *category);

PetriBehaviorEvent *petri_behavior_event_new (const char *category, const char *action);
PetriBehaviorEvent *petri_behavior_event_ref (PetriBehaviorEvent *self);
void petri_behavior_event_unref (PetriBehaviorEvent *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriBehaviorEvent, petri_behavior_event_unref)

/* {"ts", "category", "action", "pid", "ppid", "process", "target", "details"} */
JsonNode *petri_behavior_event_to_json (const PetriBehaviorEvent *self);
/* Strict: the input may come from a hostile guest or a forged report. Unknown
 * categories, malformed actions, wrong types, strings over 4 KiB (details
 * over 64 KiB serialised) are refused with PETRI_BEHAVIOR_ERROR. */
PetriBehaviorEvent *petri_behavior_event_from_json (JsonNode *node, GError **error);

#define PETRI_BEHAVIOR_ERROR (petri_behavior_error_quark ())
typedef enum
{
  PETRI_BEHAVIOR_ERROR_INVALID,
} PetriBehaviorError;
GQuark petri_behavior_error_quark (void);

G_END_DECLS
