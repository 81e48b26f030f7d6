/* petri-sandbox-private.h: shared between the sandbox bridge's files and its tests
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <libvirt/libvirt.h>

#include "petri-agent-protocol.h"
#include "petri-sandbox.h"

G_BEGIN_DECLS

/* ---------------------------------------------------------------------- */
/* Configuration                                                            */

typedef struct
{
  char *name; /* group "vm NAME" */
  char *uri;
  char *domain;
  char *snapshot; /* NULL: fresh boot */
  char *platform;
  gboolean allow_network;
} PetriVmConfig;

typedef struct
{
  guint duration;
  guint64 max_size;
  guint handshake_timeout; /* seconds from start to HELLO_ACK */
  guint io_timeout;        /* seconds for an upload or a reply */
  guint grace;             /* seconds past the duration for RUN_DONE */
  char *images_dir;
  GPtrArray *vms; /* PetriVmConfig */
} PetriSandboxConfig;

void petri_vm_config_free (PetriVmConfig *vm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriVmConfig, petri_vm_config_free)
void petri_sandbox_config_free (PetriSandboxConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriSandboxConfig, petri_sandbox_config_free)
PetriSandboxConfig *petri_sandbox_config_load (const char *path, GError **error);

/* ---------------------------------------------------------------------- */
/* Host side of the agent protocol: the receiver                            */

/* Limits on what a guest may send in one analysis. */
#define PETRI_AGENT_MAX_EVENTS 200000
#define PETRI_AGENT_MAX_EVENT_BYTES (64u * 1024u * 1024u)
#define PETRI_AGENT_MAX_FILES 256
#define PETRI_AGENT_MAX_FILES_TOTAL (128u * 1024u * 1024u)
#define PETRI_AGENT_MAX_STRING 4096
/* Bytes skipped looking for a frame before the handshake. */
#define PETRI_AGENT_MAX_RESYNC (8u * 1024u * 1024u)

typedef enum
{
  PETRI_AGENT_PHASE_HANDSHAKE, /* HELLO_ACK with our nonce; anything else is skipped */
  PETRI_AGENT_PHASE_UPLOAD,    /* OK or ERROR */
  PETRI_AGENT_PHASE_STARTING,  /* STARTED or ERROR */
  PETRI_AGENT_PHASE_RUNNING,   /* EVENT, FILE_*, RUN_DONE, ERROR */
  PETRI_AGENT_PHASE_DONE,      /* nothing more is accepted */
} PetriAgentPhase;

/* One validated message from the guest. */
typedef struct
{
  PetriAgentMsgType type;
  /* HELLO_ACK */
  char *nonce;
  gint64 version;
  char *platform, *agent, *kernel, *monitor;
  /* OK, FILE_BEGIN */
  char *sha256;
  /* ERROR */
  char *message;
  /* STARTED, FILE_BEGIN */
  gint64 pid;
  /* FILE_BEGIN */
  char *path;
  guint64 size;
  /* FILE_DATA: points into the receiver's buffer, valid until the next feed */
  const guint8 *data;
  gsize data_len;
  /* EVENT */
  PetriBehaviorEvent *event;
  /* RUN_DONE */
  gint64 exit_status, n_events, n_dropped;
  gboolean truncated;
} PetriAgentMessage;

void petri_agent_message_clear (PetriAgentMessage *msg);

typedef struct _PetriAgentReceiver PetriAgentReceiver;

PetriAgentReceiver *petri_agent_receiver_new (guint64 max_file_size);
void petri_agent_receiver_free (PetriAgentReceiver *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriAgentReceiver, petri_agent_receiver_free)
void petri_agent_receiver_set_phase (PetriAgentReceiver *self, PetriAgentPhase phase,
                                     const char *nonce);
void petri_agent_receiver_set_max_file_size (PetriAgentReceiver *self, guint64 max_file_size);
PetriAgentPhase petri_agent_receiver_get_phase (PetriAgentReceiver *self);
/* Bytes received and not consumed yet. */
gsize petri_agent_receiver_get_buffered (PetriAgentReceiver *self);
/* Appends bytes received. */
void petri_agent_receiver_push (PetriAgentReceiver *self, const guint8 *data, gsize len);
/* The next complete, validated message. Returns FALSE when more bytes are
 * needed (error unset) or on a protocol violation (error set, the receiver
 * is then dead). Moves to the next phase by itself on HELLO_ACK (→ UPLOAD is
 * the caller's business), counts events and dropped bytes, and drops events
 * past the limits (reported by petri_agent_receiver_get_truncated()). */
gboolean petri_agent_receiver_next (PetriAgentReceiver *self, PetriAgentMessage *msg,
                                    GError **error);
gboolean petri_agent_receiver_get_truncated (PetriAgentReceiver *self);
guint petri_agent_receiver_get_n_events (PetriAgentReceiver *self);

/* Frames for the host to send. */
GBytes *petri_agent_frame_json (PetriAgentMsgType type, JsonObject *object);
GBytes *petri_agent_frame_raw (PetriAgentMsgType type, const guint8 *data, gsize len);

/* ---------------------------------------------------------------------- */
/* The channel: a session with one agent over a connected stream           */

typedef struct _PetriAgentChannel PetriAgentChannel;

/* Connects to the unix socket QEMU bound, retrying until @deadline
 * (g_get_monotonic_time() µs). Takes @fd (connected) otherwise. */
PetriAgentChannel *petri_agent_channel_connect (const char *socket_path, gint64 deadline,
                                                GCancellable *cancellable, GError **error);
PetriAgentChannel *petri_agent_channel_new_for_fd (int fd);
void petri_agent_channel_free (PetriAgentChannel *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriAgentChannel, petri_agent_channel_free)

typedef struct
{
  gint64 version;
  char *platform, *agent, *kernel, *monitor;
} PetriAgentHello;

void petri_agent_hello_clear (PetriAgentHello *hello);

gboolean petri_agent_channel_handshake (PetriAgentChannel *self, gint64 deadline,
                                        PetriAgentHello *hello, GCancellable *cancellable,
                                        GError **error);
gboolean petri_agent_channel_upload (PetriAgentChannel *self, const char *name, GBytes *data,
                                     gint64 deadline, GCancellable *cancellable, GError **error);

typedef struct
{
  /* Every callback runs on the calling thread. */
  void (*started) (gint64 pid, gpointer user_data);
  void (*events) (GPtrArray *events, gpointer user_data);
  /* A file was received whole and its hash checked; @host_path is a file in
   * @drop_dir the callee may keep. */
  void (*dropped_file) (const PetriDroppedFile *file, gpointer user_data);
  void (*collecting) (gpointer user_data);
} PetriAgentRunFuncs;

typedef struct
{
  gint64 exit_status;
  guint n_events, n_dropped;
  gboolean truncated;
  /* From STARTED until the run ended (RUN_DONE or the duration, whichever
   * came first): the time the sample had, as opposed to overhead. */
  double run_seconds;
} PetriAgentRunResult;

/* RUN; streams events and files until RUN_DONE or @deadline. Files go to
 * @drop_dir as "dropped-N" (0600). */
gboolean petri_agent_channel_run (PetriAgentChannel *self, const char *name, guint duration,
                                  guint64 collect_max, const char *drop_dir, gint64 deadline,
                                  const PetriAgentRunFuncs *funcs, gpointer user_data,
                                  PetriAgentRunResult *result, GCancellable *cancellable,
                                  GError **error);
gboolean petri_agent_channel_poweroff (PetriAgentChannel *self, GError **error);

/* ---------------------------------------------------------------------- */
/* libvirt                                                                  */

/* Once per process, any thread. Keeps libvirt from printing on stderr. */
void petri_libvirt_init (void);
/* libvirt's last error on this thread as GError (PETRI_SANDBOX_ERROR_LIBVIRT). */
void petri_libvirt_set_error (GError **error, const char *what);

/* The first <channel type='unix'> whose target is @port_name: its socket path
 * (NULL if missing; *found_channel tells whether the channel exists). */
char *petri_domain_xml_channel_path (const char *xml, const char *port_name,
                                     gboolean *found_channel, gboolean *is_unix);
/* Disks a fresh boot would not reset (no <readonly/>, no <transient/>). */
guint petri_domain_xml_count_writable_disks (const char *xml);

/* How many network interfaces the domain XML has and, for each that is not
 * isolated, a description ("bridge br0"); @conn resolves <interface
 * type='network'> (may be NULL). */
GPtrArray *petri_domain_xml_open_interfaces (virConnectPtr conn, const char *xml,
                                             guint *n_interfaces);

/* A VM of the pool: one libvirt connection, owned by one thread. */
typedef struct _PetriVm PetriVm;

PetriVm *petri_vm_new (const PetriVmConfig *config);
void petri_vm_free (PetriVm *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriVm, petri_vm_free)
const PetriVmConfig *petri_vm_get_config (PetriVm *self);
/* Connect (or reconnect) and look the domain up. */
gboolean petri_vm_lookup (PetriVm *self, GError **error);
/* Destroy when running; for a snapshot, revert to it. */
gboolean petri_vm_make_clean (PetriVm *self, GError **error);
/* Starts the domain unless the clean state left it running. */
gboolean petri_vm_start (PetriVm *self, GError **error);
/* The agent socket of the running domain. */
char *petri_vm_get_channel_path (PetriVm *self, GError **error);
gboolean petri_vm_is_running (PetriVm *self);
/* Waits up to @timeout_ms for the guest to power itself off, then destroys. */
void petri_vm_stop (PetriVm *self, guint timeout_ms);
virConnectPtr petri_vm_get_connection (PetriVm *self);
virDomainPtr petri_vm_get_domain (PetriVm *self);

G_END_DECLS
