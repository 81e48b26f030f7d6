/* petri-agent-protocol.h: the wire protocol between Petri and its guest agent
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Shared by the host (sandbox-bridge/, GLib) and the static guest agent
 * (plain C, no GLib): this header uses only <stdint.h>.
 *
 * Transport: a byte stream (virtio-serial port in the guest, the unix socket
 * QEMU binds on the host). Everything is framed:
 *
 *   offset size
 *   0      4    magic   "PTRA" (0x50 0x54 0x52 0x41)
 *   4      2    type    PetriAgentMsgType, little endian
 *   6      2    flags   0 (reserved, must be 0)
 *   8      4    length  payload bytes, little endian, <= PETRI_AGENT_MAX_PAYLOAD
 *   12     length payload
 *
 * Payloads are UTF-8 JSON objects unless the type says "raw". A receiver that
 * sees a bad magic, a non-zero flag, an unknown type or an oversized length
 * drops the connection (the host marks the analysis failed). Bytes the host
 * sends before the agent opens its port are queued by QEMU: the handshake is
 * therefore keyed by a nonce, and the host ignores anything before the
 * HELLO_ACK carrying its current nonce.
 *
 * A session:
 *   host  HELLO      {"nonce":"<32 hex>","version":1}
 *   guest HELLO_ACK  {"nonce":"<same>","version":1,"platform":"linux",
 *                     "agent":"petri-agent 0.1","kernel":"6.1.0-…","monitor":"ebpf"}
 *   host  PUT_BEGIN  {"name":"sample","size":N,"sha256":"…"}
 *   host  PUT_DATA   raw bytes (repeated; each <= PETRI_AGENT_MAX_CHUNK)
 *   host  PUT_END    {}
 *   guest OK         {"sha256":"…"}  or ERROR {"message":"…"}
 *   host  RUN        {"name":"sample","args":[…],"duration":60,"collect_max":8388608}
 *   guest STARTED    {"pid":123}
 *   guest EVENT      one behaviour event (below), repeated while it runs
 *   guest FILE_BEGIN {"path":"/tmp/x","size":N,"sha256":"…","pid":123}
 *   guest FILE_DATA  raw bytes (repeated)
 *   guest FILE_END   {}
 *   guest RUN_DONE   {"exit_status":0,"events":N,"dropped":N,"truncated":false}
 *   host  POWEROFF   {}
 *
 * A behaviour event (EVENT payload):
 *   {"ts":1.234,              seconds since the sample started
 *    "category":"process",    process | file | network | injection | driver |
 *                             evasion | persistence | registry
 *    "action":"exec",         exec fork exit | create write delete rename chmod read |
 *                             socket connect bind send dns | ptrace_attach ptrace_poke
 *                             process_vm_writev proc_mem_write | ioctl | probe …
 *    "pid":123, "ppid":1, "process":"sample",
 *    "target":"/etc/passwd",  what the action was on (path, address:port, pid …)
 *    "details":{…}}           per action (argv, flags, request decoding …)
 */
#pragma once

#include <stdint.h>

#define PETRI_AGENT_MAGIC "PTRA"
#define PETRI_AGENT_PROTOCOL_VERSION 1
#define PETRI_AGENT_HEADER_SIZE 12
#define PETRI_AGENT_MAX_PAYLOAD (1024u * 1024u)
#define PETRI_AGENT_MAX_CHUNK (256u * 1024u)
/* The name of the virtio-serial port (<target type='virtio' name='…'>). */
#define PETRI_AGENT_PORT_NAME "org.petri.agent.0"

typedef enum
{
  PETRI_AGENT_MSG_HELLO = 1,
  PETRI_AGENT_MSG_HELLO_ACK = 2,
  PETRI_AGENT_MSG_PUT_BEGIN = 3,
  PETRI_AGENT_MSG_PUT_DATA = 4, /* raw */
  PETRI_AGENT_MSG_PUT_END = 5,
  PETRI_AGENT_MSG_OK = 6,
  PETRI_AGENT_MSG_ERROR = 7,
  PETRI_AGENT_MSG_RUN = 8,
  PETRI_AGENT_MSG_STARTED = 9,
  PETRI_AGENT_MSG_EVENT = 10,
  PETRI_AGENT_MSG_FILE_BEGIN = 11,
  PETRI_AGENT_MSG_FILE_DATA = 12, /* raw */
  PETRI_AGENT_MSG_FILE_END = 13,
  PETRI_AGENT_MSG_RUN_DONE = 14,
  PETRI_AGENT_MSG_POWEROFF = 15,
  PETRI_AGENT_MSG_LAST = PETRI_AGENT_MSG_POWEROFF,
} PetriAgentMsgType;
