/* fuzz-agent-parser.c: libFuzzer target for the host's parser of guest output
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Built with clang -fsanitize=fuzzer,address by fuzz-agent-parser.sh. The
 * first byte picks the receiver's phase and how the rest is read:
 *   bit 7 clear: raw bytes, pushed in chunks whose sizes come from the input;
 *   bit 7 set:   a list of (type: 1 byte, length: 2 bytes LE, payload) that
 *                the harness wraps in valid frame headers, so that the fuzzer
 *                reaches the JSON and state checks quickly.
 */
#include "config.h"

#include "petri-sandbox-private.h"

#include <stdint.h>
#include <string.h>

#define NONCE "0123456789abcdef0123456789abcdef"

static void
drain (PetriAgentReceiver *r)
{
  for (;;)
    {
      PetriAgentMessage msg = { 0 };
      GError *error = NULL;
      gboolean ok = petri_agent_receiver_next (r, &msg, &error);

      if (ok)
        {
          /* Touch what the host would use. */
          if (msg.event != NULL)
            {
              JsonNode *n = petri_behavior_event_to_json (msg.event);
              json_node_unref (n);
            }
          if (msg.data_len > 0)
            g_assert (msg.data != NULL);
          petri_agent_message_clear (&msg);
          continue;
        }
      if (error != NULL)
        g_error_free (error);
      return;
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  PetriAgentReceiver *r;
  PetriAgentPhase phase;
  size_t i = 1;

  if (size < 2)
    return 0;
  phase = (PetriAgentPhase) ((data[0] & 0x7f) % (PETRI_AGENT_PHASE_DONE + 1));
  r = petri_agent_receiver_new (4096);
  petri_agent_receiver_set_phase (r, phase, NONCE);

  if (data[0] & 0x80)
    {
      while (i + 3 <= size)
        {
          guint type = data[i];
          size_t len = data[i + 1] | (size_t) data[i + 2] << 8;
          GBytes *frame;
          gsize flen;
          const guint8 *fp;

          i += 3;
          len = MIN (len, size - i);
          frame = petri_agent_frame_raw (type, data + i, len);
          fp = g_bytes_get_data (frame, &flen);
          petri_agent_receiver_push (r, fp, flen);
          g_bytes_unref (frame);
          i += len;
          drain (r);
        }
    }
  else
    {
      while (i < size)
        {
          size_t chunk = 1 + data[i] % 64;

          i++;
          chunk = MIN (chunk, size - i);
          petri_agent_receiver_push (r, data + i, chunk);
          i += chunk;
          drain (r);
        }
    }
  petri_agent_receiver_free (r);
  return 0;
}
