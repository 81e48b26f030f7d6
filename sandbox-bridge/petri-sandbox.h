/* petri-sandbox.h: the public face of the sandbox bridge
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A pool of analysis VMs driven through libvirt, configured by
 * `<data dir>/sandbox.conf`, a GKeyFile:
 *
 *   [sandbox]
 *   duration = 60            # seconds a sample runs
 *   max_size = 8388608       # larger samples are not eligible
 *   images_dir = /var/lib/…  # written by `petri sandbox init` (informational)
 *
 *   [vm linux-1]             # one group per VM: "vm NAME"
 *   uri = qemu:///system     # any libvirt URI: qemu+ssh://lab/system, test:///…
 *   domain = petri-linux-1   # the libvirt domain name
 *   clean = boot             # "boot" (diskless guest) or "snapshot:NAME"
 *   platform = linux         # linux | windows
 *   allow_network = false
 *
 * Every libvirt call runs on the pool's worker threads (one per VM); the
 * main thread never blocks on a VM. The guest is treated as hostile.
 */
#pragma once

#include <gio/gio.h>

#include "petri-behavior.h"

G_BEGIN_DECLS

#define PETRI_SANDBOX_ERROR (petri_sandbox_error_quark ())
typedef enum
{
  PETRI_SANDBOX_ERROR_FAILED,
  PETRI_SANDBOX_ERROR_CONFIG, /* sandbox.conf is missing or invalid */
  PETRI_SANDBOX_ERROR_NOT_CONFIGURED,
  PETRI_SANDBOX_ERROR_LIBVIRT,      /* libvirt refused or is not reachable */
  PETRI_SANDBOX_ERROR_PROTOCOL,     /* the guest broke the protocol */
  PETRI_SANDBOX_ERROR_TIMEOUT,      /* the guest was silent or slow */
  PETRI_SANDBOX_ERROR_DISCONNECTED, /* the guest went away */
  PETRI_SANDBOX_ERROR_GUEST,        /* the agent reported an error */
} PetriSandboxError;
GQuark petri_sandbox_error_quark (void);

#define PETRI_SANDBOX_DEFAULT_DURATION 60
#define PETRI_SANDBOX_DEFAULT_MAX_SIZE (8u * 1024u * 1024u)

/* ---------------------------------------------------------------------- */
/* Eligibility                                                              */

/* ELF, PE and scripts starting with "#!" up to @max_size bytes are eligible.
 * @mime and @description are libmagic's, @head the first bytes of the file
 * (at least 4 when the file has them). Otherwise returns FALSE and sets
 * @reason (translated, for the analyst: "not an executable (text/plain)"). */
gboolean petri_sandbox_is_eligible (const char *mime, const char *description, const guint8 *head,
                                    gsize head_len, guint64 size, guint64 max_size, char **reason);

/* ---------------------------------------------------------------------- */
/* Analyses                                                                 */

typedef enum
{
  PETRI_ANALYSIS_QUEUED,
  PETRI_ANALYSIS_STARTING,
  PETRI_ANALYSIS_RUNNING,
  PETRI_ANALYSIS_COLLECTING,
  PETRI_ANALYSIS_DONE,
  PETRI_ANALYSIS_FAILED,
} PetriAnalysisState;

/* "queued", "starting", "running", "collecting", "done", "failed": the
 * values of analyses.status in the case database. */
const char *petri_analysis_state_to_string (PetriAnalysisState state);

typedef struct _PetriAnalysis PetriAnalysis;

GType petri_analysis_get_type (void) G_GNUC_CONST;
#define PETRI_TYPE_ANALYSIS (petri_analysis_get_type ())
PetriAnalysis *petri_analysis_ref (PetriAnalysis *self);
/* The last unref removes the dropped files' temporary directory. */
void petri_analysis_unref (PetriAnalysis *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriAnalysis, petri_analysis_unref)

/* Any thread. */
PetriAnalysisState petri_analysis_get_state (PetriAnalysis *self);
char *petri_analysis_dup_reason (PetriAnalysis *self); /* NULL unless failed */
char *petri_analysis_dup_vm (PetriAnalysis *self);     /* NULL while queued */
char *petri_analysis_dup_platform (PetriAnalysis *self);
const char *petri_analysis_get_sha256 (PetriAnalysis *self);
guint petri_analysis_get_duration (PetriAnalysis *self);
/* {"agent":…, "kernel":…, "monitor":…, "exit_status":…, "events":N,
 *  "dropped":N, "truncated":bool, "handshake_seconds":…, "run_seconds":…,
 *  "overhead_seconds":…, "total_seconds":…} — filled as the analysis goes;
 *  transfer full. */
JsonObject *petri_analysis_dup_summary (PetriAnalysis *self);
/* Seconds from dispatch (a VM took it) to the agent's handshake, and the whole
 * time the VM was busy minus the time the sample ran (the configured
 * duration, or less when everything it started exited earlier); -1 until
 * known. */
double petri_analysis_get_handshake_seconds (PetriAnalysis *self);
double petri_analysis_get_overhead_seconds (PetriAnalysis *self);
gboolean petri_analysis_is_finished (PetriAnalysis *self);
/* Blocks until the analysis is done or failed (never on the GTK thread). */
void petri_analysis_wait (PetriAnalysis *self);

/* A file the sample created in the guest, copied out. @host_path is a file
 * Petri named in its own temporary directory (never derived from the guest
 * path); it lives until the analysis is freed. @guest_path is only a label. */
typedef struct
{
  const char *host_path;
  const char *guest_path; /* UTF-8, as the guest reported it */
  gint64 pid;             /* the process that wrote it, or -1 */
  guint64 size;
  const char *sha256; /* computed on the host */
} PetriDroppedFile;

/* Called on a pool worker thread, in order, never concurrently for one
 * analysis. @events: PetriBehaviorEvent, transfer none. */
typedef struct
{
  void (*state_changed) (PetriAnalysis *analysis, PetriAnalysisState state, const char *reason,
                         gpointer user_data);
  void (*events) (PetriAnalysis *analysis, GPtrArray *events, gpointer user_data);
  void (*dropped_file) (PetriAnalysis *analysis, const PetriDroppedFile *file, gpointer user_data);
  /* Last call for this analysis (after the final state_changed). */
  void (*finished) (PetriAnalysis *analysis, gpointer user_data);
} PetriAnalysisCallbacks;

typedef struct
{
  const char *sample_path; /* the stored copy, read by the pool */
  const char *sha256;
  const char *display_name; /* the name the sample runs under in the guest */
  guint duration;           /* seconds; 0 = the configured duration */
  guint64 max_size;         /* caps each collected file; 0 = the configured max_size */
} PetriAnalysisRequest;

/* ---------------------------------------------------------------------- */
/* The pool                                                                 */

typedef struct _PetriSandboxPool PetriSandboxPool;

/* `<data dir>/sandbox.conf` exists and names at least one VM. */
gboolean petri_sandbox_is_configured (const char *data_dir);
char *petri_sandbox_config_path (const char *data_dir);

/* The [sandbox] limits an analyst tunes (the window's Preferences). */
typedef struct
{
  guint duration;   /* seconds a sample runs: 1–3600 */
  guint64 max_size; /* larger samples are not eligible: 1 B–1 GiB */
} PetriSandboxLimits;

/* Blocking (a small file). The defaults fill in what the file (or the
 * whole file) does not have; a value out of range is an error naming it. */
gboolean petri_sandbox_read_limits (const char *conf_path, PetriSandboxLimits *limits,
                                    GError **error);
/* Blocking. Sets both keys and keeps every other group, key and comment;
 * creates the file (mode 0600) when there is none; replaces it atomically.
 * A pool reads them when it starts; the app's sandbox stage also before
 * each sample it queues, so a change applies to the next sample. */
gboolean petri_sandbox_write_limits (const char *conf_path, const PetriSandboxLimits *limits,
                                     GError **error);

/* Reads the configuration (no libvirt call) and starts one worker per VM. */
PetriSandboxPool *petri_sandbox_pool_new (const char *conf_path, GError **error);
/* Cancels everything queued or running, waits for the workers to return
 * their VMs to a clean state, and frees the pool. */
void petri_sandbox_pool_free (PetriSandboxPool *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriSandboxPool, petri_sandbox_pool_free)

guint petri_sandbox_pool_get_n_vms (PetriSandboxPool *self);
guint petri_sandbox_pool_get_duration (PetriSandboxPool *self);
guint64 petri_sandbox_pool_get_max_size (PetriSandboxPool *self);

/* Queues one analysis; the first idle VM takes it. Any thread. @callbacks
 * is copied; @destroy frees @user_data after the finished callback.
 * Cancelling @cancellable fails the analysis ("cancelled") and returns its
 * VM to the pool. Transfer full. */
PetriAnalysis *petri_sandbox_pool_submit (PetriSandboxPool *self,
                                          const PetriAnalysisRequest *request,
                                          const PetriAnalysisCallbacks *callbacks,
                                          gpointer user_data, GDestroyNotify destroy,
                                          GCancellable *cancellable);

/* ---------------------------------------------------------------------- */
/* Set-up and health (`petri sandbox init` / `check`); blocking            */

/* NULL when libvirt answers at @uri, else how to start a daemon. */
char *petri_sandbox_probe_libvirt (const char *uri);

typedef struct
{
  const char *data_dir;
  const char *uri;        /* NULL: qemu:///system */
  const char *images_dir; /* NULL: <data dir>/sandbox (or a reachable fallback) */
  const char *builder;    /* NULL: found next to the sources or in libexecdir */
  guint n_vms;            /* 0: 1 */
  guint memory_mib;       /* 0: 256 */
  gboolean force_tcg;     /* plain QEMU even when /dev/kvm exists */
  gboolean rebuild;       /* rebuild the guest image even when present */
} PetriSandboxInitOptions;

/* Builds the guest image, defines the domains, writes sandbox.conf and boots
 * each VM once until its agent answers. Progress lines go to @progress. */
gboolean petri_sandbox_init (const PetriSandboxInitOptions *options,
                             void (*progress) (const char *line, gpointer user_data),
                             gpointer user_data, GError **error);

/* One health check of one VM. */
typedef struct
{
  char *vm;    /* the VM's name in sandbox.conf */
  char *check; /* "libvirt", "domain", "clean-state", "channel", "network", "agent" */
  gboolean ok;
  char *message; /* what was found */
  char *fix;     /* how to fix it, or NULL */
} PetriSandboxCheck;

void petri_sandbox_check_free (PetriSandboxCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriSandboxCheck, petri_sandbox_check_free)

/* Every check of every VM (PetriSandboxCheck). @error only when the
 * configuration cannot be read. */
GPtrArray *petri_sandbox_check (const char *conf_path, GCancellable *cancellable, GError **error);

G_END_DECLS
