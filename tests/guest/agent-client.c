/* agent-client.c: a small host side of the agent protocol, for the tests
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "agent-client.h"

#include "petri-behavior.h"

#include <errno.h>
#include <gio/gio.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

AgentClient *
agent_client_new (int fd)
{
  AgentClient *c = g_new0 (AgentClient, 1);

  c->fd = fd;
  g_assert_cmpint (petri_agent_frame_reader_init (&c->reader), ==, 0);
  return c;
}

void
agent_client_free (AgentClient *c)
{
  if (c == NULL)
    return;
  if (c->fd >= 0)
    close (c->fd);
  petri_agent_frame_reader_clear (&c->reader);
  g_free (c);
}

gboolean
agent_client_send_raw (AgentClient *c, const void *bytes, gsize len, GError **error)
{
  const guint8 *p = bytes;

  while (len > 0)
    {
      ssize_t n = write (c->fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "write: %s",
                       g_strerror (errno));
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

gboolean
agent_client_send (AgentClient *c, guint type, const void *payload, gsize len, GError **error)
{
  guint8 header[PETRI_AGENT_HEADER_SIZE];

  g_assert_cmpint (petri_agent_frame_encode_header (header, type, (uint32_t) len), ==, 0);
  return agent_client_send_raw (c, header, sizeof header, error)
         && (len == 0 || agent_client_send_raw (c, payload, len, error));
}

gboolean
agent_client_recv (AgentClient *c, guint timeout_ms, guint *type, GBytes **payload,
                   JsonObject **json, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      PetriAgentFrameHeader h;
      const uint8_t *data;
      PetriAgentFrameStatus st = petri_agent_frame_reader_next (&c->reader, &h, &data);
      struct pollfd pfd = { c->fd, POLLIN, 0 };
      gint64 left;
      size_t room;
      uint8_t *space;
      ssize_t n;

      if (st == PETRI_AGENT_FRAME_OK)
        {
          *type = h.type;
          if (payload != NULL)
            *payload = g_bytes_new (data, h.length);
          if (json != NULL)
            {
              *json = NULL;
              if (!petri_agent_msg_type_is_raw (h.type))
                {
                  g_autoptr (JsonParser) parser = json_parser_new ();
                  if (!json_parser_load_from_data (parser, (const char *) data, h.length, error))
                    return FALSE;
                  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
                    {
                      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                   "%s payload is not an object",
                                   petri_agent_msg_type_to_string (h.type));
                      return FALSE;
                    }
                  *json = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
                }
            }
          return TRUE;
        }
      if (st != PETRI_AGENT_FRAME_NEED_MORE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad frame from the agent: %s",
                       petri_agent_frame_status_to_string (st));
          return FALSE;
        }
      left = (deadline - g_get_monotonic_time ()) / 1000;
      if (left <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "no frame from the agent within %u ms", timeout_ms);
          return FALSE;
        }
      if (poll (&pfd, 1, (int) left) <= 0)
        continue;
      space = petri_agent_frame_reader_space (&c->reader, &room);
      n = read (c->fd, space, room);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       "the agent's side closed (%s)", n == 0 ? "EOF" : g_strerror (errno));
          return FALSE;
        }
      petri_agent_frame_reader_commit (&c->reader, (size_t) n);
    }
}

JsonObject *
agent_client_handshake (AgentClient *c, guint timeout_ms, GError **error)
{
  g_autofree char *nonce = NULL;
  g_autofree char *hello = NULL;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint8 raw[16];

  for (guint i = 0; i < sizeof raw; i++)
    raw[i] = (guint8) g_random_int ();
  nonce = g_compute_checksum_for_data (G_CHECKSUM_MD5, raw, sizeof raw); /* 32 hex */
  hello
      = g_strdup_printf ("{\"nonce\":\"%s\",\"version\":%d}", nonce, PETRI_AGENT_PROTOCOL_VERSION);
  if (!agent_client_send (c, PETRI_AGENT_MSG_HELLO, hello, strlen (hello), error))
    return NULL;
  for (;;)
    {
      g_autoptr (JsonObject) o = NULL;
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      guint type;

      if (left <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "no HELLO_ACK within %u ms",
                       timeout_ms);
          return NULL;
        }
      if (!agent_client_recv (c, (guint) left, &type, NULL, &o, error))
        return NULL;
      if (type == PETRI_AGENT_MSG_HELLO_ACK && o != NULL
          && g_strcmp0 (json_object_get_string_member_with_default (o, "nonce", ""), nonce) == 0)
        return g_steal_pointer (&o);
      /* stale: an answer to an earlier HELLO, or leftovers */
    }
}

gboolean
agent_client_upload (AgentClient *c, const char *name, GBytes *data, const char *announced_sha256,
                     guint *reply_type, JsonObject **reply, GError **error)
{
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  g_autofree char *begin = NULL;
  gsize len;
  const guint8 *p = g_bytes_get_data (data, &len);

  begin = g_strdup_printf ("{\"name\":\"%s\",\"size\":%" G_GSIZE_FORMAT ",\"sha256\":\"%s\"}", name,
                           len, announced_sha256 ? announced_sha256 : sha);
  if (!agent_client_send (c, PETRI_AGENT_MSG_PUT_BEGIN, begin, strlen (begin), error))
    return FALSE;
  for (gsize off = 0; off < len; off += PETRI_AGENT_MAX_CHUNK)
    if (!agent_client_send (c, PETRI_AGENT_MSG_PUT_DATA, p + off,
                            MIN (len - off, PETRI_AGENT_MAX_CHUNK), error))
      return FALSE;
  if (!agent_client_send (c, PETRI_AGENT_MSG_PUT_END, "{}", 2, error))
    return FALSE;
  return agent_client_recv (c, 30000, reply_type, NULL, reply, error);
}

void
agent_run_clear (AgentRun *run)
{
  g_clear_pointer (&run->events, g_ptr_array_unref);
  g_clear_pointer (&run->arrival, g_array_unref);
  g_clear_pointer (&run->files, g_hash_table_unref);
  g_clear_pointer (&run->done, json_object_unref);
}

gboolean
agent_client_run (AgentClient *c, const char *name, const char *const *args, guint duration,
                  guint timeout_ms, AgentRun *run, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *file_path = NULL;
  g_autoptr (GByteArray) file_data = NULL;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "args");
  json_builder_begin_array (b);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    json_builder_add_string_value (b, args[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "duration");
  json_builder_add_int_value (b, duration);
  json_builder_set_member_name (b, "collect_max");
  json_builder_add_int_value (b, 8 * 1024 * 1024);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);

  run->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  run->arrival = g_array_new (FALSE, FALSE, sizeof (gint64));
  run->files
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  if (!agent_client_send (c, PETRI_AGENT_MSG_RUN, text, strlen (text), error))
    return FALSE;
  for (;;)
    {
      g_autoptr (JsonObject) o = NULL;
      g_autoptr (GBytes) payload = NULL;
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      guint type;

      if (left <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "no RUN_DONE within %u ms",
                       timeout_ms);
          return FALSE;
        }
      if (!agent_client_recv (c, (guint) left, &type, &payload, &o, error))
        return FALSE;
      switch (type)
        {
        case PETRI_AGENT_MSG_STARTED:
          run->started_at = g_get_monotonic_time ();
          break;
        case PETRI_AGENT_MSG_EVENT:
          {
            g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
            g_autoptr (PetriBehaviorEvent) ev = NULL;
            gint64 now = g_get_monotonic_time ();

            json_node_set_object (node, o);
            ev = petri_behavior_event_from_json (node, error);
            if (ev == NULL)
              return FALSE;
            g_ptr_array_add (run->events, json_object_ref (o));
            g_array_append_val (run->arrival, now);
            break;
          }
        case PETRI_AGENT_MSG_FILE_BEGIN:
          g_free (file_path);
          file_path = g_strdup (json_object_get_string_member (o, "path"));
          g_clear_pointer (&file_data, g_byte_array_unref);
          file_data = g_byte_array_new ();
          break;
        case PETRI_AGENT_MSG_FILE_DATA:
          if (file_data == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "FILE_DATA out of place");
              return FALSE;
            }
          g_byte_array_append (file_data, g_bytes_get_data (payload, NULL),
                               g_bytes_get_size (payload));
          break;
        case PETRI_AGENT_MSG_FILE_END:
          if (file_data == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "FILE_END out of place");
              return FALSE;
            }
          g_hash_table_replace (run->files, g_steal_pointer (&file_path),
                                g_byte_array_free_to_bytes (g_steal_pointer (&file_data)));
          break;
        case PETRI_AGENT_MSG_RUN_DONE:
          run->done = g_steal_pointer (&o);
          return TRUE;
        case PETRI_AGENT_MSG_ERROR:
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "agent error: %s",
                       json_object_get_string_member_with_default (o, "message", "?"));
          return FALSE;
        default:
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unexpected %s during a run",
                       petri_agent_msg_type_to_string (type));
          return FALSE;
        }
    }
}

JsonObject *
agent_run_find (AgentRun *run, const char *category, const char *action,
                const char *target_substring)
{
  for (guint i = 0; i < run->events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (run->events, i);
      const char *target = json_object_get_string_member_with_default (o, "target", NULL);

      if (g_str_equal (json_object_get_string_member (o, "category"), category)
          && g_str_equal (json_object_get_string_member (o, "action"), action)
          && (target_substring == NULL || (target != NULL && strstr (target, target_substring))))
        return o;
    }
  return NULL;
}
