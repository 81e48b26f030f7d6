/* test-agent-frame.c: the frame codec shared by the agent and the host
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-agent-frame.h"

#include <glib.h>
#include <string.h>

static GByteArray *
make_frame (uint32_t type, const void *payload, uint32_t len)
{
  GByteArray *out = g_byte_array_new ();
  uint8_t header[PETRI_AGENT_HEADER_SIZE];

  g_assert_cmpint (petri_agent_frame_encode_header (header, type, len), ==, 0);
  g_byte_array_append (out, header, sizeof header);
  if (len > 0)
    g_byte_array_append (out, payload, len);
  return out;
}

static void
test_header_layout (void)
{
  uint8_t h[PETRI_AGENT_HEADER_SIZE];
  const uint8_t expected[] = { 'P', 'T', 'R', 'A', 0x0a, 0x00, 0x00, 0x00, 0x04, 0x03, 0x02, 0x01 };
  PetriAgentFrameHeader parsed;

  g_assert_cmpint (petri_agent_frame_encode_header (h, PETRI_AGENT_MSG_EVENT, 0x01020304), ==,
                   -1); /* over 1 MiB */
  g_assert_cmpint (petri_agent_frame_encode_header (h, PETRI_AGENT_MSG_EVENT, 0x00020304), ==, 0);
  g_assert_cmpmem (h, 8, expected, 8);
  g_assert_cmpint (h[8], ==, 0x04);
  g_assert_cmpint (h[10], ==, 0x02);
  g_assert_cmpint (h[11], ==, 0x00);
  g_assert_cmpint (petri_agent_frame_decode_header (h, sizeof h, &parsed), ==,
                   PETRI_AGENT_FRAME_OK);
  g_assert_cmpuint (parsed.type, ==, PETRI_AGENT_MSG_EVENT);
  g_assert_cmpuint (parsed.length, ==, 0x00020304);

  /* Unknown types and oversize raw chunks are refused on encode. */
  g_assert_cmpint (petri_agent_frame_encode_header (h, 0, 0), ==, -1);
  g_assert_cmpint (petri_agent_frame_encode_header (h, PETRI_AGENT_MSG_LAST + 1, 0), ==, -1);
  g_assert_cmpint (
      petri_agent_frame_encode_header (h, PETRI_AGENT_MSG_PUT_DATA, PETRI_AGENT_MAX_CHUNK + 1), ==,
      -1);
  g_assert_cmpint (
      petri_agent_frame_encode_header (h, PETRI_AGENT_MSG_PUT_DATA, PETRI_AGENT_MAX_CHUNK), ==, 0);
  g_assert_cmpstr (petri_agent_msg_type_to_string (PETRI_AGENT_MSG_FILE_DATA), ==, "FILE_DATA");
  g_assert_null (petri_agent_msg_type_to_string (99));
  g_assert_true (petri_agent_msg_type_is_raw (PETRI_AGENT_MSG_PUT_DATA));
  g_assert_false (petri_agent_msg_type_is_raw (PETRI_AGENT_MSG_PUT_BEGIN));
}

static void
test_header_errors (void)
{
  uint8_t h[PETRI_AGENT_HEADER_SIZE];

  g_assert_cmpint (petri_agent_frame_encode_header (h, PETRI_AGENT_MSG_HELLO, 5), ==, 0);
  g_assert_cmpint (petri_agent_frame_decode_header (h, 3, NULL), ==, PETRI_AGENT_FRAME_NEED_MORE);
  g_assert_cmpint (petri_agent_frame_decode_header ((const uint8_t *) "PX", 2, NULL), ==,
                   PETRI_AGENT_FRAME_BAD_MAGIC);

  h[6] = 1;
  g_assert_cmpint (petri_agent_frame_decode_header (h, sizeof h, NULL), ==,
                   PETRI_AGENT_FRAME_BAD_FLAGS);
  h[6] = 0;
  h[4] = 0;
  g_assert_cmpint (petri_agent_frame_decode_header (h, sizeof h, NULL), ==,
                   PETRI_AGENT_FRAME_BAD_TYPE);
  h[4] = PETRI_AGENT_MSG_LAST + 1;
  g_assert_cmpint (petri_agent_frame_decode_header (h, sizeof h, NULL), ==,
                   PETRI_AGENT_FRAME_BAD_TYPE);
  h[4] = 0xff;
  h[5] = 0xff;
  g_assert_cmpint (petri_agent_frame_decode_header (h, sizeof h, NULL), ==,
                   PETRI_AGENT_FRAME_BAD_TYPE);
  h[4] = PETRI_AGENT_MSG_EVENT;
  h[5] = 0;
  h[8] = 0x01;
  h[10] = 0x10; /* 1 MiB + 1 */
  g_assert_cmpint (petri_agent_frame_decode_header (h, sizeof h, NULL), ==,
                   PETRI_AGENT_FRAME_TOO_LARGE);
  h[4] = PETRI_AGENT_MSG_FILE_DATA;
  h[8] = 0x01;
  h[10] = 0x04; /* 256 KiB + 1: over the chunk limit */
  g_assert_cmpint (petri_agent_frame_decode_header (h, sizeof h, NULL), ==,
                   PETRI_AGENT_FRAME_TOO_LARGE);
  h[0] = h[1] = h[2] = h[3] = 0xff;
  g_assert_cmpint (petri_agent_frame_decode_header (h, sizeof h, NULL), ==,
                   PETRI_AGENT_FRAME_BAD_MAGIC);
  g_assert_cmpstr (petri_agent_frame_status_to_string (PETRI_AGENT_FRAME_TOO_LARGE), ==,
                   "payload too large");
}

/* Frames split at every possible byte boundary come out whole and in order. */
static void
test_reader_byte_by_byte (void)
{
  PetriAgentFrameReader r;
  g_autoptr (GByteArray) stream = g_byte_array_new ();
  const char *payloads[] = { "{\"nonce\":\"ab\",\"version\":1}", "", "{}", "x" };
  uint32_t types[] = { PETRI_AGENT_MSG_HELLO, PETRI_AGENT_MSG_PUT_END, PETRI_AGENT_MSG_OK,
                       PETRI_AGENT_MSG_PUT_DATA };
  guint got = 0;

  for (guint i = 0; i < G_N_ELEMENTS (payloads); i++)
    {
      g_autoptr (GByteArray) f = make_frame (types[i], payloads[i], strlen (payloads[i]));
      g_byte_array_append (stream, f->data, f->len);
    }

  g_assert_cmpint (petri_agent_frame_reader_init (&r), ==, 0);
  for (guint i = 0; i < stream->len; i++)
    {
      PetriAgentFrameHeader h;
      const uint8_t *payload;
      PetriAgentFrameStatus st;

      g_assert_cmpuint (petri_agent_frame_reader_feed (&r, stream->data + i, 1), ==, 1);
      while ((st = petri_agent_frame_reader_next (&r, &h, &payload)) == PETRI_AGENT_FRAME_OK)
        {
          g_assert_cmpuint (got, <, G_N_ELEMENTS (payloads));
          g_assert_cmpuint (h.type, ==, types[got]);
          g_assert_cmpuint (h.length, ==, strlen (payloads[got]));
          g_assert_cmpmem (payload, h.length, payloads[got], strlen (payloads[got]));
          got++;
        }
      g_assert_cmpint (st, ==, PETRI_AGENT_FRAME_NEED_MORE);
    }
  g_assert_cmpuint (got, ==, G_N_ELEMENTS (payloads));
  g_assert_cmpuint (petri_agent_frame_reader_pending (&r), ==, 0);
  petri_agent_frame_reader_clear (&r);
}

/* The largest frame fits; the buffer never grows; space/commit works. */
static void
test_reader_max_frame (void)
{
  PetriAgentFrameReader r;
  g_autofree uint8_t *big = g_malloc (PETRI_AGENT_MAX_PAYLOAD);
  g_autoptr (GByteArray) f = NULL;
  PetriAgentFrameHeader h;
  const uint8_t *payload;
  size_t off = 0;

  for (guint i = 0; i < PETRI_AGENT_MAX_PAYLOAD; i++)
    big[i] = (uint8_t) (i * 7);
  f = make_frame (PETRI_AGENT_MSG_EVENT, big, PETRI_AGENT_MAX_PAYLOAD);
  g_assert_cmpint (petri_agent_frame_reader_init (&r), ==, 0);
  /* Leave a partial frame in front so compaction is exercised. */
  g_assert_cmpuint (petri_agent_frame_reader_feed (&r, f->data, 5), ==, 5);
  off = 5;
  while (off < f->len)
    {
      size_t room;
      uint8_t *space = petri_agent_frame_reader_space (&r, &room);
      size_t n = MIN (room, MIN ((size_t) 65536, f->len - off));

      g_assert_cmpuint (room, >, 0);
      memcpy (space, f->data + off, n);
      petri_agent_frame_reader_commit (&r, n);
      off += n;
    }
  g_assert_cmpint (petri_agent_frame_reader_next (&r, &h, &payload), ==, PETRI_AGENT_FRAME_OK);
  g_assert_cmpuint (h.length, ==, PETRI_AGENT_MAX_PAYLOAD);
  g_assert_cmpmem (payload, h.length, big, PETRI_AGENT_MAX_PAYLOAD);
  g_assert_cmpint (petri_agent_frame_reader_next (&r, &h, &payload), ==,
                   PETRI_AGENT_FRAME_NEED_MORE);

  /* A full buffer of unread frames takes nothing more. */
  g_assert_cmpuint (petri_agent_frame_reader_feed (&r, f->data, f->len), ==, f->len);
  g_assert_cmpuint (petri_agent_frame_reader_feed (&r, "PTRA", 4), ==, 0);
  petri_agent_frame_reader_clear (&r);
}

/* Truncated frames wait; oversize and bad headers are reported without
 * consuming; resync finds the next good frame after garbage. */
static void
test_reader_errors_and_resync (void)
{
  PetriAgentFrameReader r;
  g_autoptr (GByteArray) good = make_frame (PETRI_AGENT_MSG_HELLO, "{}", 2);
  uint8_t oversize[PETRI_AGENT_HEADER_SIZE] = { 'P', 'T', 'R', 'A', 10, 0, 0, 0, 1, 0, 0x10, 0 };
  PetriAgentFrameHeader h;
  const uint8_t *payload;
  size_t dropped = 0;

  g_assert_cmpint (petri_agent_frame_reader_init (&r), ==, 0);

  /* truncated */
  petri_agent_frame_reader_feed (&r, good->data, good->len - 1);
  g_assert_cmpint (petri_agent_frame_reader_next (&r, &h, &payload), ==,
                   PETRI_AGENT_FRAME_NEED_MORE);
  petri_agent_frame_reader_reset (&r);

  /* oversize: reported at once, nothing consumed */
  petri_agent_frame_reader_feed (&r, oversize, sizeof oversize);
  g_assert_cmpint (petri_agent_frame_reader_next (&r, &h, &payload), ==,
                   PETRI_AGENT_FRAME_TOO_LARGE);
  g_assert_cmpuint (petri_agent_frame_reader_pending (&r), ==, sizeof oversize);
  petri_agent_frame_reader_feed (&r, "xxPTRPTXX", 9);
  petri_agent_frame_reader_feed (&r, good->data, good->len);
  for (;;)
    {
      PetriAgentFrameStatus st = petri_agent_frame_reader_next (&r, &h, &payload);

      if (st == PETRI_AGENT_FRAME_OK)
        break;
      g_assert_cmpint (st, !=, PETRI_AGENT_FRAME_NEED_MORE);
      dropped += petri_agent_frame_reader_resync (&r);
    }
  g_assert_cmpuint (dropped, ==, sizeof oversize + 9);
  g_assert_cmpuint (h.type, ==, PETRI_AGENT_MSG_HELLO);
  g_assert_cmpmem (payload, h.length, "{}", 2);
  petri_agent_frame_reader_clear (&r);
}

/* Random bytes never crash the reader nor produce an invalid frame; every
 * frame it accepts has a valid header and fits in what was fed. */
static void
test_reader_random (void)
{
  PetriAgentFrameReader r;
  GRand *rand = g_rand_new_with_seed (0x5eed);

  g_assert_cmpint (petri_agent_frame_reader_init (&r), ==, 0);
  for (guint round = 0; round < 2000; round++)
    {
      uint8_t chunk[512];
      guint n = g_rand_int_range (rand, 1, sizeof chunk);
      PetriAgentFrameHeader h;
      const uint8_t *payload;
      PetriAgentFrameStatus st;

      for (guint i = 0; i < n; i++)
        chunk[i] = (uint8_t) g_rand_int (rand);
      /* Now and then plant a plausible header so frames are also accepted. */
      if (n > 16 && g_rand_int_range (rand, 0, 4) == 0)
        petri_agent_frame_encode_header (chunk + 2, g_rand_int_range (rand, 1, 16),
                                         g_rand_int_range (rand, 0, 40));
      petri_agent_frame_reader_feed (&r, chunk, n);
      while ((st = petri_agent_frame_reader_next (&r, &h, &payload)) != PETRI_AGENT_FRAME_NEED_MORE)
        {
          if (st == PETRI_AGENT_FRAME_OK)
            {
              g_assert_cmpuint (h.type, >=, 1);
              g_assert_cmpuint (h.type, <=, PETRI_AGENT_MSG_LAST);
              g_assert_cmpuint (h.length, <=, petri_agent_msg_type_max_length (h.type));
              g_assert_true (payload >= r.buf && payload + h.length <= r.buf + r.cap);
            }
          else
            g_assert_cmpuint (petri_agent_frame_reader_resync (&r), >, 0);
        }
    }
  g_rand_free (rand);
  petri_agent_frame_reader_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/guest/frame/header-layout", test_header_layout);
  g_test_add_func ("/guest/frame/header-errors", test_header_errors);
  g_test_add_func ("/guest/frame/reader-byte-by-byte", test_reader_byte_by_byte);
  g_test_add_func ("/guest/frame/reader-max-frame", test_reader_max_frame);
  g_test_add_func ("/guest/frame/reader-errors-resync", test_reader_errors_and_resync);
  g_test_add_func ("/guest/frame/reader-random", test_reader_random);
  return g_test_run ();
}
