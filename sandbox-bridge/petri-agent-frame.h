/* petri-agent-frame.h: framing of the agent wire protocol
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Plain C (no GLib): linked into the static guest agent and into the host
 * side of the bridge. See petri-agent-protocol.h for the frame layout.
 *
 * Every byte given to the reader is treated as hostile: a header is accepted
 * only with the right magic, zero flags, a known type and a length within
 * PETRI_AGENT_MAX_PAYLOAD (and within PETRI_AGENT_MAX_CHUNK for the raw data
 * types). The reader's buffer is allocated once and never grows.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petri-agent-protocol.h"

#ifdef __cplusplus
extern "C"
{
#endif

  typedef enum
  {
    PETRI_AGENT_FRAME_OK = 0,    /* a whole frame is available */
    PETRI_AGENT_FRAME_NEED_MORE, /* not enough bytes yet */
    PETRI_AGENT_FRAME_BAD_MAGIC, /* the first four bytes are not "PTRA" */
    PETRI_AGENT_FRAME_BAD_FLAGS, /* reserved flags are not 0 */
    PETRI_AGENT_FRAME_BAD_TYPE,  /* type outside 1..PETRI_AGENT_MSG_LAST */
    PETRI_AGENT_FRAME_TOO_LARGE, /* length over the limit for this type */
  } PetriAgentFrameStatus;

  typedef struct
  {
    uint16_t type;   /* a PetriAgentMsgType */
    uint16_t flags;  /* always 0 once validated */
    uint32_t length; /* payload bytes */
  } PetriAgentFrameHeader;

  /* A printable name for the status ("bad magic", …), never NULL. */
  const char *petri_agent_frame_status_to_string (PetriAgentFrameStatus status);

  /* "HELLO", "PUT_DATA", … or NULL for an unknown type. */
  const char *petri_agent_msg_type_to_string (uint32_t type);

  /* Whether the payload of this type is raw bytes (PUT_DATA, FILE_DATA) rather
   * than a JSON object. */
  int petri_agent_msg_type_is_raw (uint32_t type);

  /* The largest payload accepted for this type: PETRI_AGENT_MAX_CHUNK for the
   * raw types, PETRI_AGENT_MAX_PAYLOAD otherwise, 0 for an unknown type. */
  uint32_t petri_agent_msg_type_max_length (uint32_t type);

  /* Writes the 12-byte header. Returns 0, or -1 when the type is unknown or the
   * length is over the limit for the type (nothing is written then). */
  int petri_agent_frame_encode_header (uint8_t out[PETRI_AGENT_HEADER_SIZE], uint32_t type,
                                       uint32_t length);

  /* Parses and validates a header from the first len bytes of buf. Returns
   * NEED_MORE when len < PETRI_AGENT_HEADER_SIZE (but reports BAD_MAGIC as soon
   * as the bytes already there cannot start a magic). */
  PetriAgentFrameStatus petri_agent_frame_decode_header (const uint8_t *buf, size_t len,
                                                         PetriAgentFrameHeader *out);

  /* Incremental reader over a byte stream. */
  typedef struct
  {
    uint8_t *buf;
    size_t cap;   /* header + largest payload */
    size_t start; /* first unconsumed byte */
    size_t end;   /* one past the last byte held */
  } PetriAgentFrameReader;

  /* Returns 0, or -1 when the buffer cannot be allocated. */
  int petri_agent_frame_reader_init (PetriAgentFrameReader *reader);
  void petri_agent_frame_reader_clear (PetriAgentFrameReader *reader);
  /* Forgets every byte held (for a new session). */
  void petri_agent_frame_reader_reset (PetriAgentFrameReader *reader);

  /* Where the caller may read() into and how much room there is; call
   * petri_agent_frame_reader_commit() with the bytes actually read. The space
   * is at least 1 byte unless a complete frame is waiting to be taken. */
  uint8_t *petri_agent_frame_reader_space (PetriAgentFrameReader *reader, size_t *room);
  void petri_agent_frame_reader_commit (PetriAgentFrameReader *reader, size_t n);

  /* Copies up to n bytes in; returns how many were taken (fewer only when the
   * buffer is full of unread frames). */
  size_t petri_agent_frame_reader_feed (PetriAgentFrameReader *reader, const void *data, size_t n);

  /* Takes the next whole frame: on OK, *header is filled and *payload points
   * into the reader's buffer, valid until the next call on the reader. On an
   * error status nothing is consumed: the stream is broken; the caller either
   * drops it or calls petri_agent_frame_reader_resync(). */
  PetriAgentFrameStatus petri_agent_frame_reader_next (PetriAgentFrameReader *reader,
                                                       PetriAgentFrameHeader *header,
                                                       const uint8_t **payload);

  /* Drops bytes until the next possible magic (at least one byte). Returns the
   * number of bytes dropped. */
  size_t petri_agent_frame_reader_resync (PetriAgentFrameReader *reader);

  /* Bytes held and not yet taken as frames. */
  size_t petri_agent_frame_reader_pending (const PetriAgentFrameReader *reader);

#ifdef __cplusplus
}
#endif
