/* petri-agent-frame.c: framing of the agent wire protocol
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "petri-agent-frame.h"

#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
  [PETRI_AGENT_MSG_HELLO] = "HELLO",           [PETRI_AGENT_MSG_HELLO_ACK] = "HELLO_ACK",
  [PETRI_AGENT_MSG_PUT_BEGIN] = "PUT_BEGIN",   [PETRI_AGENT_MSG_PUT_DATA] = "PUT_DATA",
  [PETRI_AGENT_MSG_PUT_END] = "PUT_END",       [PETRI_AGENT_MSG_OK] = "OK",
  [PETRI_AGENT_MSG_ERROR] = "ERROR",           [PETRI_AGENT_MSG_RUN] = "RUN",
  [PETRI_AGENT_MSG_STARTED] = "STARTED",       [PETRI_AGENT_MSG_EVENT] = "EVENT",
  [PETRI_AGENT_MSG_FILE_BEGIN] = "FILE_BEGIN", [PETRI_AGENT_MSG_FILE_DATA] = "FILE_DATA",
  [PETRI_AGENT_MSG_FILE_END] = "FILE_END",     [PETRI_AGENT_MSG_RUN_DONE] = "RUN_DONE",
  [PETRI_AGENT_MSG_POWEROFF] = "POWEROFF",
};

const char *
petri_agent_frame_status_to_string (PetriAgentFrameStatus status)
{
  switch (status)
    {
    case PETRI_AGENT_FRAME_OK:
      return "ok";
    case PETRI_AGENT_FRAME_NEED_MORE:
      return "incomplete frame";
    case PETRI_AGENT_FRAME_BAD_MAGIC:
      return "bad magic";
    case PETRI_AGENT_FRAME_BAD_FLAGS:
      return "reserved flags set";
    case PETRI_AGENT_FRAME_BAD_TYPE:
      return "unknown message type";
    case PETRI_AGENT_FRAME_TOO_LARGE:
      return "payload too large";
    default:
      return "invalid status";
    }
}

const char *
petri_agent_msg_type_to_string (uint32_t type)
{
  if (type == 0 || type > PETRI_AGENT_MSG_LAST)
    return NULL;
  return type_names[type];
}

int
petri_agent_msg_type_is_raw (uint32_t type)
{
  return type == PETRI_AGENT_MSG_PUT_DATA || type == PETRI_AGENT_MSG_FILE_DATA;
}

uint32_t
petri_agent_msg_type_max_length (uint32_t type)
{
  if (type == 0 || type > PETRI_AGENT_MSG_LAST)
    return 0;
  return petri_agent_msg_type_is_raw (type) ? PETRI_AGENT_MAX_CHUNK : PETRI_AGENT_MAX_PAYLOAD;
}

static void
put_le16 (uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t) (v & 0xff);
  p[1] = (uint8_t) (v >> 8);
}

static void
put_le32 (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) (v & 0xff);
  p[1] = (uint8_t) ((v >> 8) & 0xff);
  p[2] = (uint8_t) ((v >> 16) & 0xff);
  p[3] = (uint8_t) (v >> 24);
}

static uint16_t
get_le16 (const uint8_t *p)
{
  return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t
get_le32 (const uint8_t *p)
{
  return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16)
         | ((uint32_t) p[3] << 24);
}

int
petri_agent_frame_encode_header (uint8_t out[PETRI_AGENT_HEADER_SIZE], uint32_t type,
                                 uint32_t length)
{
  uint32_t max = petri_agent_msg_type_max_length (type);

  if (max == 0 || length > max)
    return -1;
  memcpy (out, PETRI_AGENT_MAGIC, 4);
  put_le16 (out + 4, (uint16_t) type);
  put_le16 (out + 6, 0);
  put_le32 (out + 8, length);
  return 0;
}

PetriAgentFrameStatus
petri_agent_frame_decode_header (const uint8_t *buf, size_t len, PetriAgentFrameHeader *out)
{
  size_t magic_len = len < 4 ? len : 4;
  PetriAgentFrameHeader h;
  uint32_t max;

  if (memcmp (buf, PETRI_AGENT_MAGIC, magic_len) != 0)
    return PETRI_AGENT_FRAME_BAD_MAGIC;
  if (len < PETRI_AGENT_HEADER_SIZE)
    return PETRI_AGENT_FRAME_NEED_MORE;

  h.type = get_le16 (buf + 4);
  h.flags = get_le16 (buf + 6);
  h.length = get_le32 (buf + 8);
  if (h.flags != 0)
    return PETRI_AGENT_FRAME_BAD_FLAGS;
  max = petri_agent_msg_type_max_length (h.type);
  if (max == 0)
    return PETRI_AGENT_FRAME_BAD_TYPE;
  if (h.length > max)
    return PETRI_AGENT_FRAME_TOO_LARGE;
  if (out != NULL)
    *out = h;
  return PETRI_AGENT_FRAME_OK;
}

int
petri_agent_frame_reader_init (PetriAgentFrameReader *reader)
{
  memset (reader, 0, sizeof *reader);
  reader->cap = PETRI_AGENT_HEADER_SIZE + PETRI_AGENT_MAX_PAYLOAD;
  reader->buf = malloc (reader->cap);
  if (reader->buf == NULL)
    {
      reader->cap = 0;
      return -1;
    }
  return 0;
}

void
petri_agent_frame_reader_clear (PetriAgentFrameReader *reader)
{
  free (reader->buf);
  memset (reader, 0, sizeof *reader);
}

void
petri_agent_frame_reader_reset (PetriAgentFrameReader *reader)
{
  reader->start = reader->end = 0;
}

size_t
petri_agent_frame_reader_pending (const PetriAgentFrameReader *reader)
{
  return reader->end - reader->start;
}

static void
compact (PetriAgentFrameReader *reader)
{
  if (reader->start == 0)
    return;
  if (reader->end > reader->start)
    memmove (reader->buf, reader->buf + reader->start, reader->end - reader->start);
  reader->end -= reader->start;
  reader->start = 0;
}

uint8_t *
petri_agent_frame_reader_space (PetriAgentFrameReader *reader, size_t *room)
{
  compact (reader);
  *room = reader->cap - reader->end;
  return reader->buf + reader->end;
}

void
petri_agent_frame_reader_commit (PetriAgentFrameReader *reader, size_t n)
{
  if (n > reader->cap - reader->end)
    n = reader->cap - reader->end;
  reader->end += n;
}

size_t
petri_agent_frame_reader_feed (PetriAgentFrameReader *reader, const void *data, size_t n)
{
  size_t room;
  uint8_t *space = petri_agent_frame_reader_space (reader, &room);

  if (n > room)
    n = room;
  if (n > 0)
    memcpy (space, data, n);
  reader->end += n;
  return n;
}

PetriAgentFrameStatus
petri_agent_frame_reader_next (PetriAgentFrameReader *reader, PetriAgentFrameHeader *header,
                               const uint8_t **payload)
{
  size_t avail = reader->end - reader->start;
  PetriAgentFrameHeader h;
  PetriAgentFrameStatus status;

  if (avail == 0)
    return PETRI_AGENT_FRAME_NEED_MORE;
  status = petri_agent_frame_decode_header (reader->buf + reader->start, avail, &h);
  if (status != PETRI_AGENT_FRAME_OK)
    return status;
  if (avail - PETRI_AGENT_HEADER_SIZE < h.length)
    return PETRI_AGENT_FRAME_NEED_MORE;
  *header = h;
  *payload = reader->buf + reader->start + PETRI_AGENT_HEADER_SIZE;
  reader->start += PETRI_AGENT_HEADER_SIZE + h.length;
  return PETRI_AGENT_FRAME_OK;
}

size_t
petri_agent_frame_reader_resync (PetriAgentFrameReader *reader)
{
  size_t dropped = 0;

  if (reader->end == reader->start)
    return 0;
  /* Always drop the first byte, then up to the next 'P' that could begin a
   * magic (a partial magic at the very end is kept). */
  reader->start++;
  dropped++;
  while (reader->start < reader->end)
    {
      size_t avail = reader->end - reader->start;
      size_t n = avail < 4 ? avail : 4;

      if (memcmp (reader->buf + reader->start, PETRI_AGENT_MAGIC, n) == 0)
        break;
      reader->start++;
      dropped++;
    }
  return dropped;
}
