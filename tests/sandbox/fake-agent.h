/* fake-agent.h: an in-process peer that speaks the guest side of the agent
 * protocol on a unix socket, to test the host's control flow against
 * libvirt's test driver (which runs no guest). It is not a stand-in for the
 * real guest: the end-to-end test boots one.
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

typedef enum
{
  FAKE_AGENT_NORMAL,      /* stale output, handshake, upload, events, a file, RUN_DONE */
  FAKE_AGENT_SILENT,      /* accepts and reads, never answers */
  FAKE_AGENT_DIE_MID_RUN, /* three events, then the connection drops */
  FAKE_AGENT_BAD_FRAME,   /* a frame with a bad magic during the run */
  FAKE_AGENT_OLD_VERSION, /* HELLO_ACK with version 99 */
  FAKE_AGENT_HUGE_FILE,   /* FILE_BEGIN announcing more than collect_max */
  FAKE_AGENT_BAD_SHA,     /* a dropped file whose bytes do not match its hash */
  FAKE_AGENT_SLOW_RUN,    /* STARTED, then silence past the deadline */
  FAKE_AGENT_FLOOD,       /* stops reading at PUT_BEGIN and floods the host with frames */
} FakeAgentMode;

typedef struct _FakeAgent FakeAgent;

FakeAgent *fake_agent_new (const char *socket_path);
void fake_agent_set_mode (FakeAgent *self, FakeAgentMode mode);
/* Sessions served so far, and what the last one received. */
guint fake_agent_get_sessions (FakeAgent *self);
char *fake_agent_dup_last_upload_sha256 (FakeAgent *self);
char *fake_agent_dup_last_run_name (FakeAgent *self);
gint64 fake_agent_get_last_run_duration (FakeAgent *self);
gboolean fake_agent_get_poweroff_seen (FakeAgent *self);
void fake_agent_free (FakeAgent *self);
