/* test-agent-receiver.c: the host's parser of what a guest sends
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-sandbox-private.h"

#include <string.h>

#define NONCE "0123456789abcdef0123456789abcdef"

static void
push_frame (PetriAgentReceiver *r, guint type, const char *payload)
{
  g_autoptr (GBytes) b = petri_agent_frame_raw (type, (const guint8 *) payload, strlen (payload));
  gsize len;
  const guint8 *p = g_bytes_get_data (b, &len);

  petri_agent_receiver_push (r, p, len);
}

static PetriAgentReceiver *
receiver_in (PetriAgentPhase phase)
{
  PetriAgentReceiver *r = petri_agent_receiver_new (1024);

  petri_agent_receiver_set_phase (r, phase, NONCE);
  return r;
}

/* The next message, which must be of @type. */
static void
expect (PetriAgentReceiver *r, guint type, PetriAgentMessage *msg)
{
  g_autoptr (GError) error = NULL;

  memset (msg, 0, sizeof *msg);
  g_assert_true (petri_agent_receiver_next (r, msg, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (msg->type, ==, type);
}

static void
expect_violation (PetriAgentReceiver *r, const char *part)
{
  g_autoptr (GError) error = NULL;
  PetriAgentMessage msg = { 0 };

  g_assert_false (petri_agent_receiver_next (r, &msg, &error));
  g_assert_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_PROTOCOL);
  if (strstr (error->message, part) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, part);
  g_assert_cmpuint (msg.type, ==, 0);
}

static void
expect_need_more (PetriAgentReceiver *r)
{
  g_autoptr (GError) error = NULL;
  PetriAgentMessage msg = { 0 };

  g_assert_false (petri_agent_receiver_next (r, &msg, &error));
  g_assert_no_error (error);
}

static void
test_handshake_drains_stale (void)
{
  g_autoptr (PetriAgentReceiver) r = receiver_in (PETRI_AGENT_PHASE_HANDSHAKE);
  PetriAgentMessage msg;

  petri_agent_receiver_push (r, (const guint8 *) "\0\0junkPTR", 9);
  push_frame (r, PETRI_AGENT_MSG_EVENT, "{\"category\":\"file\",\"action\":\"read\"}");
  push_frame (r, PETRI_AGENT_MSG_HELLO_ACK,
              "{\"nonce\":\"ffffffffffffffffffffffffffffffff\","
              "\"version\":1}");
  push_frame (r, PETRI_AGENT_MSG_HELLO_ACK, "not json");
  push_frame (r, PETRI_AGENT_MSG_RUN_DONE, "{}");
  expect_need_more (r);
  push_frame (r, PETRI_AGENT_MSG_HELLO_ACK,
              "{\"nonce\":\"" NONCE "\",\"version\":1,\"agent\":\"a\",\"kernel\":\"k\","
              "\"platform\":\"linux\",\"monitor\":\"ebpf\",\"extra\":[1,2]}");
  expect (r, PETRI_AGENT_MSG_HELLO_ACK, &msg);
  g_assert_cmpstr (msg.nonce, ==, NONCE);
  g_assert_cmpint (msg.version, ==, 1);
  g_assert_cmpstr (msg.agent, ==, "a");
  g_assert_cmpstr (msg.monitor, ==, "ebpf");
  petri_agent_message_clear (&msg);
  g_assert_cmpint (petri_agent_receiver_get_phase (r), ==, PETRI_AGENT_PHASE_UPLOAD);

  /* After the handshake, junk is a violation. */
  petri_agent_receiver_push (r, (const guint8 *) "garbage-garbage", 15);
  expect_violation (r, "bad frame header");
  /* And the receiver stays dead. */
  push_frame (r, PETRI_AGENT_MSG_OK, "{}");
  expect_violation (r, "already broken");
}

static void
test_oversized_header (void)
{
  g_autoptr (PetriAgentReceiver) r = receiver_in (PETRI_AGENT_PHASE_RUNNING);
  /* Claims 4 GiB: refused from the header alone, before any payload. */
  const guint8 header[] = { 'P', 'T', 'R', 'A', 10, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };

  petri_agent_receiver_push (r, header, sizeof header);
  expect_violation (r, "bad frame header");
}

static void
test_oversized_chunk (void)
{
  g_autoptr (PetriAgentReceiver) r = receiver_in (PETRI_AGENT_PHASE_RUNNING);
  guint32 len = PETRI_AGENT_MAX_CHUNK + 1;
  const guint8 header[] = { 'P',
                            'T',
                            'R',
                            'A',
                            PETRI_AGENT_MSG_FILE_DATA,
                            0,
                            0,
                            0,
                            len & 0xff,
                            (len >> 8) & 0xff,
                            (len >> 16) & 0xff,
                            len >> 24 };

  petri_agent_receiver_push (r, header, sizeof header);
  expect_violation (r, "bad frame header");
}

static void
test_flags_and_types (void)
{
  {
    g_autoptr (PetriAgentReceiver) r = receiver_in (PETRI_AGENT_PHASE_RUNNING);
    const guint8 header[] = { 'P', 'T', 'R', 'A', 10, 0, 1, 0, 0, 0, 0, 0 };

    petri_agent_receiver_push (r, header, sizeof header);
    expect_violation (r, "flags 1");
  }
  {
    g_autoptr (PetriAgentReceiver) r = receiver_in (PETRI_AGENT_PHASE_RUNNING);
    const guint8 header[] = { 'P', 'T', 'R', 'A', 99, 0, 0, 0, 0, 0, 0, 0 };

    petri_agent_receiver_push (r, header, sizeof header);
    expect_violation (r, "type 99");
  }
  {
    /* A host-to-guest type coming from the guest. */
    g_autoptr (PetriAgentReceiver) r = receiver_in (PETRI_AGENT_PHASE_RUNNING);

    push_frame (r, PETRI_AGENT_MSG_PUT_BEGIN, "{}");
    expect_violation (r, "PUT_BEGIN");
  }
}

static void
test_split_delivery (void)
{
  g_autoptr (PetriAgentReceiver) r = receiver_in (PETRI_AGENT_PHASE_RUNNING);
  const char *ev = "{\"ts\":1.5,\"category\":\"network\",\"action\":\"connect\",\"pid\":7,"
                   "\"target\":\"10.0.0.1:80\",\"details\":{\"family\":\"inet\"}}";
  g_autoptr (GBytes) b
      = petri_agent_frame_raw (PETRI_AGENT_MSG_EVENT, (const guint8 *) ev, strlen (ev));
  gsize len;
  const guint8 *p = g_bytes_get_data (b, &len);
  PetriAgentMessage msg;

  /* One byte at a time. */
  for (gsize i = 0; i + 1 < len; i++)
    {
      petri_agent_receiver_push (r, p + i, 1);
      expect_need_more (r);
    }
  petri_agent_receiver_push (r, p + len - 1, 1);
  expect (r, PETRI_AGENT_MSG_EVENT, &msg);
  g_assert_cmpstr (msg.event->category, ==, "network");
  g_assert_cmpstr (msg.event->target, ==, "10.0.0.1:80");
  g_assert_cmpint (msg.event->pid, ==, 7);
  petri_agent_message_clear (&msg);
  g_assert_cmpuint (petri_agent_receiver_get_n_events (r), ==, 1);
}

static void
test_bad_payloads (void)
{
  struct
  {
    PetriAgentPhase phase;
    guint type;
    const char *payload;
    const char *part;
  } cases[] = {
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_EVENT, "[1]", "not a JSON object" },
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_EVENT, "{\"category\":\"bogus\",\"action\":\"x\"}",
      "unknown event category" },
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_EVENT,
      "{\"category\":\"file\",\"action\":\"x\","
      "\"pid\":\"12\"}",
      "pid" },
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_EVENT, "{\"a\":\"\xff\xfe\"}", "UTF-8" },
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_EVENT, "{\"a\":1", "not JSON" },
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_EVENT, "", "empty" },
    { PETRI_AGENT_PHASE_UPLOAD, PETRI_AGENT_MSG_OK, "{\"sha256\":\"ABC\"}", "malformed" },
    { PETRI_AGENT_PHASE_UPLOAD, PETRI_AGENT_MSG_OK, "{}", "lacks" },
    { PETRI_AGENT_PHASE_UPLOAD, PETRI_AGENT_MSG_EVENT, "{}", "out of turn" },
    { PETRI_AGENT_PHASE_STARTING, PETRI_AGENT_MSG_STARTED, "{\"pid\":-1}", "out of range" },
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_STARTED, "{\"pid\":1}", "out of turn" },
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_HELLO_ACK, "{}", "after the handshake" },
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_FILE_DATA, "abc", "out of turn" },
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_FILE_END, "{}", "out of turn" },
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_FILE_BEGIN,
      "{\"path\":\"/x\",\"size\":2048,\"sha256\":"
      "\"0000000000000000000000000000000000000000000000000000000000000000\"}",
      "more than the 1024" },
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_FILE_BEGIN,
      "{\"path\":\"\",\"size\":1,\"sha256\":"
      "\"0000000000000000000000000000000000000000000000000000000000000000\"}",
      "path is empty" },
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_RUN_DONE, "{\"truncated\":1}", "boolean" },
    { PETRI_AGENT_PHASE_RUNNING, PETRI_AGENT_MSG_ERROR, "{\"message\":5}", "not a string" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (PetriAgentReceiver) r = receiver_in (cases[i].phase);

      g_test_message ("case %u", i);
      push_frame (r, cases[i].type, cases[i].payload);
      expect_violation (r, cases[i].part);
    }
}

static void
test_deep_json (void)
{
  g_autoptr (PetriAgentReceiver) r = receiver_in (PETRI_AGENT_PHASE_RUNNING);
  GString *s = g_string_new ("{\"category\":\"file\",\"action\":\"x\",\"details\":");

  for (int i = 0; i < 100000; i++)
    g_string_append_c (s, '[');
  push_frame (r, PETRI_AGENT_MSG_EVENT, s->str);
  expect_violation (r, "nested too deeply");
  g_string_free (s, TRUE);
}

static void
test_dropped_file (void)
{
  g_autoptr (PetriAgentReceiver) r = receiver_in (PETRI_AGENT_PHASE_RUNNING);
  PetriAgentMessage msg;

  push_frame (r, PETRI_AGENT_MSG_FILE_BEGIN,
              "{\"path\":\"/tmp/x\",\"size\":6,\"pid\":3,\"sha256\":"
              "\"0000000000000000000000000000000000000000000000000000000000000000\"}");
  push_frame (r, PETRI_AGENT_MSG_FILE_DATA, "abc");
  push_frame (r, PETRI_AGENT_MSG_FILE_DATA, "def");
  push_frame (r, PETRI_AGENT_MSG_FILE_END, "{}");
  expect (r, PETRI_AGENT_MSG_FILE_BEGIN, &msg);
  g_assert_cmpstr (msg.path, ==, "/tmp/x");
  g_assert_cmpuint (msg.size, ==, 6);
  g_assert_cmpint (msg.pid, ==, 3);
  petri_agent_message_clear (&msg);
  expect (r, PETRI_AGENT_MSG_FILE_DATA, &msg);
  g_assert_cmpmem (msg.data, msg.data_len, "abc", 3);
  petri_agent_message_clear (&msg);
  expect (r, PETRI_AGENT_MSG_FILE_DATA, &msg);
  petri_agent_message_clear (&msg);
  expect (r, PETRI_AGENT_MSG_FILE_END, &msg);
  petri_agent_message_clear (&msg);

  /* An event in the middle of a file, more data than announced, a short file. */
  push_frame (r, PETRI_AGENT_MSG_FILE_BEGIN,
              "{\"path\":\"/tmp/y\",\"size\":2,\"sha256\":"
              "\"0000000000000000000000000000000000000000000000000000000000000000\"}");
  push_frame (r, PETRI_AGENT_MSG_FILE_DATA, "abc");
  expect (r, PETRI_AGENT_MSG_FILE_BEGIN, &msg);
  petri_agent_message_clear (&msg);
  expect_violation (r, "beyond the announced size");
}

static void
test_short_file (void)
{
  g_autoptr (PetriAgentReceiver) r = receiver_in (PETRI_AGENT_PHASE_RUNNING);
  PetriAgentMessage msg;

  push_frame (r, PETRI_AGENT_MSG_FILE_BEGIN,
              "{\"path\":\"/tmp/x\",\"size\":6,\"sha256\":"
              "\"0000000000000000000000000000000000000000000000000000000000000000\"}");
  push_frame (r, PETRI_AGENT_MSG_FILE_DATA, "abc");
  push_frame (r, PETRI_AGENT_MSG_FILE_END, "{}");
  expect (r, PETRI_AGENT_MSG_FILE_BEGIN, &msg);
  petri_agent_message_clear (&msg);
  expect (r, PETRI_AGENT_MSG_FILE_DATA, &msg);
  petri_agent_message_clear (&msg);
  expect_violation (r, "FILE_END after 3 of 6 bytes");
}

static void
test_event_limit (void)
{
  g_autoptr (PetriAgentReceiver) r = receiver_in (PETRI_AGENT_PHASE_RUNNING);
  const char *ev = "{\"category\":\"file\",\"action\":\"write\"}";
  g_autoptr (GBytes) one
      = petri_agent_frame_raw (PETRI_AGENT_MSG_EVENT, (const guint8 *) ev, strlen (ev));
  guint delivered = 0;
  PetriAgentMessage msg = { 0 };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < PETRI_AGENT_MAX_EVENTS + 10; i++)
    {
      gsize len;
      const guint8 *p = g_bytes_get_data (one, &len);

      petri_agent_receiver_push (r, p, len);
      while (petri_agent_receiver_next (r, &msg, &error))
        {
          delivered++;
          petri_agent_message_clear (&msg);
        }
      g_assert_no_error (error);
    }
  g_assert_cmpuint (delivered, ==, PETRI_AGENT_MAX_EVENTS);
  g_assert_true (petri_agent_receiver_get_truncated (r));
  push_frame (r, PETRI_AGENT_MSG_RUN_DONE, "{\"exit_status\":3,\"events\":5,\"truncated\":false}");
  expect (r, PETRI_AGENT_MSG_RUN_DONE, &msg);
  g_assert_cmpint (msg.exit_status, ==, 3);
  petri_agent_message_clear (&msg);
  /* Nothing is accepted after RUN_DONE. */
  push_frame (r, PETRI_AGENT_MSG_EVENT, ev);
  expect_violation (r, "after the end");
}

static void
test_frame_encoding (void)
{
  g_autoptr (JsonObject) o = json_object_new ();
  g_autoptr (GBytes) b = NULL;
  gsize len;
  const guint8 *p;

  json_object_set_string_member (o, "nonce", NONCE);
  b = petri_agent_frame_json (PETRI_AGENT_MSG_HELLO, o);
  p = g_bytes_get_data (b, &len);
  g_assert_cmpmem (p, 4, "PTRA", 4);
  g_assert_cmpuint (p[4] | p[5] << 8, ==, PETRI_AGENT_MSG_HELLO);
  g_assert_cmpuint (p[6] | p[7], ==, 0);
  g_assert_cmpuint (p[8] | p[9] << 8 | p[10] << 16 | (guint) p[11] << 24, ==, len - 12);
  g_assert_cmpmem (p + 12, len - 12, "{\"nonce\":\"" NONCE "\"}", len - 12);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sandbox/receiver/handshake-drains-stale", test_handshake_drains_stale);
  g_test_add_func ("/sandbox/receiver/oversized-header", test_oversized_header);
  g_test_add_func ("/sandbox/receiver/oversized-chunk", test_oversized_chunk);
  g_test_add_func ("/sandbox/receiver/flags-and-types", test_flags_and_types);
  g_test_add_func ("/sandbox/receiver/split-delivery", test_split_delivery);
  g_test_add_func ("/sandbox/receiver/bad-payloads", test_bad_payloads);
  g_test_add_func ("/sandbox/receiver/deep-json", test_deep_json);
  g_test_add_func ("/sandbox/receiver/dropped-file", test_dropped_file);
  g_test_add_func ("/sandbox/receiver/short-file", test_short_file);
  g_test_add_func ("/sandbox/receiver/event-limit", test_event_limit);
  g_test_add_func ("/sandbox/receiver/frame-encoding", test_frame_encoding);
  return g_test_run ();
}
