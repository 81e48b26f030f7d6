/* agent-client.h: a small host side of the agent protocol, for the tests
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "petri-agent-frame.h"

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct
{
  int fd;
  PetriAgentFrameReader reader;
} AgentClient;

typedef struct
{
  GPtrArray *events; /* JsonObject */
  GArray *arrival;   /* gint64 monotonic µs, one per event */
  gint64 started_at; /* when STARTED arrived */
  GHashTable *files; /* guest path → GBytes */
  JsonObject *done;  /* RUN_DONE */
} AgentRun;

AgentClient *agent_client_new (int fd);
void agent_client_free (AgentClient *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgentClient, agent_client_free)

gboolean agent_client_send (AgentClient *c, guint type, const void *payload, gsize len,
                            GError **error);
gboolean agent_client_send_raw (AgentClient *c, const void *bytes, gsize len, GError **error);
/* Waits up to timeout_ms for a frame. A JSON payload comes back parsed. */
gboolean agent_client_recv (AgentClient *c, guint timeout_ms, guint *type, GBytes **payload,
                            JsonObject **json, GError **error);
/* Sends HELLO with a fresh nonce, skips everything until the HELLO_ACK with
 * it. Returns the HELLO_ACK. */
JsonObject *agent_client_handshake (AgentClient *c, guint timeout_ms, GError **error);
/* PUT_BEGIN/DATA/END; returns the reply (OK or ERROR) type and object. */
gboolean agent_client_upload (AgentClient *c, const char *name, GBytes *data,
                              const char *announced_sha256, guint *reply_type, JsonObject **reply,
                              GError **error);
/* RUN and everything up to RUN_DONE. */
gboolean agent_client_run (AgentClient *c, const char *name, const char *const *args,
                           guint duration, guint timeout_ms, AgentRun *run, GError **error);
void agent_run_clear (AgentRun *run);
/* Every event must validate as a behaviour event. */
JsonObject *agent_run_find (AgentRun *run, const char *category, const char *action,
                            const char *target_substring);
