/* petri-agent-receiver.c: the host's parser for what a guest agent sends
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Everything here handles bytes from a hostile guest: a frame's header is
 * checked before its payload is buffered, JSON is checked for depth before
 * json-glib sees it, every member is type-checked, and the totals of one
 * analysis are bounded. No I/O: the channel feeds bytes in and acts on the
 * messages, which keeps this file fuzzable on its own.
 */
#include "config.h"

#include "petri-agent-frame.h"
#include "petri-sandbox-private.h"

#include <glib/gi18n.h>
#include <string.h>

#define MAX_JSON_DEPTH 32

struct _PetriAgentReceiver
{
  GByteArray *buf;
  gsize pos;
  PetriAgentPhase phase;
  char *nonce;
  gboolean dead;
  gsize skipped;

  guint64 max_file_size;
  guint n_events;
  guint64 event_bytes;
  guint n_files;
  guint64 file_bytes;
  gboolean truncated;

  /* The dropped file being received. */
  gboolean in_file;
  gboolean skip_file;
  guint64 file_size;
  guint64 file_received;
};

PetriAgentReceiver *
petri_agent_receiver_new (guint64 max_file_size)
{
  PetriAgentReceiver *self = g_new0 (PetriAgentReceiver, 1);

  self->buf = g_byte_array_new ();
  self->max_file_size = max_file_size;
  return self;
}

void
petri_agent_receiver_free (PetriAgentReceiver *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->buf);
  g_free (self->nonce);
  g_free (self);
}

void
petri_agent_receiver_set_phase (PetriAgentReceiver *self, PetriAgentPhase phase, const char *nonce)
{
  g_return_if_fail (self != NULL);
  self->phase = phase;
  if (nonce != NULL)
    {
      g_free (self->nonce);
      self->nonce = g_strdup (nonce);
    }
}

void
petri_agent_receiver_set_max_file_size (PetriAgentReceiver *self, guint64 max_file_size)
{
  g_return_if_fail (self != NULL);
  self->max_file_size = max_file_size;
}

PetriAgentPhase
petri_agent_receiver_get_phase (PetriAgentReceiver *self)
{
  return self->phase;
}

gboolean
petri_agent_receiver_get_truncated (PetriAgentReceiver *self)
{
  return self->truncated;
}

guint
petri_agent_receiver_get_n_events (PetriAgentReceiver *self)
{
  return self->n_events;
}

gsize
petri_agent_receiver_get_buffered (PetriAgentReceiver *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->buf->len - self->pos;
}

void
petri_agent_receiver_push (PetriAgentReceiver *self, const guint8 *data, gsize len)
{
  g_return_if_fail (self != NULL);
  /* Drop what was consumed before growing. */
  if (self->pos > 0 && (self->pos >= 65536 || self->pos == self->buf->len))
    {
      g_byte_array_remove_range (self->buf, 0, self->pos);
      self->pos = 0;
    }
  g_byte_array_append (self->buf, data, len);
}

void
petri_agent_message_clear (PetriAgentMessage *msg)
{
  g_clear_pointer (&msg->nonce, g_free);
  g_clear_pointer (&msg->platform, g_free);
  g_clear_pointer (&msg->agent, g_free);
  g_clear_pointer (&msg->kernel, g_free);
  g_clear_pointer (&msg->monitor, g_free);
  g_clear_pointer (&msg->sha256, g_free);
  g_clear_pointer (&msg->message, g_free);
  g_clear_pointer (&msg->path, g_free);
  g_clear_pointer (&msg->event, petri_behavior_event_unref);
  memset (msg, 0, sizeof *msg);
}

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static const char *
type_name (guint type)
{
  static const char *const names[] = {
    NULL,  "HELLO",   "HELLO_ACK", "PUT_BEGIN",  "PUT_DATA",  "PUT_END",  "OK",       "ERROR",
    "RUN", "STARTED", "EVENT",     "FILE_BEGIN", "FILE_DATA", "FILE_END", "RUN_DONE", "POWEROFF",
  };
  return type < G_N_ELEMENTS (names) && names[type] != NULL ? names[type] : "unknown";
}

static gboolean violation (PetriAgentReceiver *self, GError **error, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

/* @format is translated; protocol keywords in it (HELLO_ACK, FILE_BEGIN …)
 * stay as they are. */
static gboolean
violation (PetriAgentReceiver *self, GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  self->dead = TRUE;
  g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_PROTOCOL,
               _ ("the guest agent broke the protocol: %s"), text);
  return FALSE;
}

/* Refuses JSON nested deeper than json-glib's recursive parser should see. */
static gboolean
json_depth_ok (const guint8 *p, gsize len)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = p[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_JSON_DEPTH)
            return FALSE;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}

static JsonObject *
parse_object (PetriAgentReceiver *self, guint type, const guint8 *payload, gsize len,
              GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;

  if (len == 0 || !g_utf8_validate_len ((const char *) payload, len, NULL))
    {
      violation (self, error, _ ("%s payload is empty or not UTF-8"), type_name (type));
      return NULL;
    }
  if (!json_depth_ok (payload, len))
    {
      violation (self, error, _ ("%s payload is nested too deeply"), type_name (type));
      return NULL;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, (const char *) payload, (gssize) len, &local_error))
    {
      violation (self, error, _ ("%s payload is not JSON: %s"), type_name (type),
                 local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      violation (self, error, _ ("%s payload is not a JSON object"), type_name (type));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

typedef enum
{
  FIELD_OPTIONAL = 0,
  FIELD_REQUIRED = 1,
} FieldFlags;

static gboolean
get_string (PetriAgentReceiver *self, JsonObject *o, guint type, const char *member,
            FieldFlags flags, char **out, GError **error)
{
  JsonNode *n = json_object_get_member (o, member);
  const char *s;

  *out = NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      if (flags & FIELD_REQUIRED)
        return violation (self, error, "%s lacks “%s”", type_name (type), member);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return violation (self, error, _ ("%s member “%s” is not a string"), type_name (type), member);
  s = json_node_get_string (n);
  if (strlen (s) > PETRI_AGENT_MAX_STRING)
    return violation (self, error, _ ("%s member “%s” is too long"), type_name (type), member);
  *out = g_strdup (s);
  return TRUE;
}

static gboolean
get_int (PetriAgentReceiver *self, JsonObject *o, guint type, const char *member, FieldFlags flags,
         gint64 min, gint64 max, gint64 *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, member);
  gint64 v;

  *out = -1;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      if (flags & FIELD_REQUIRED)
        return violation (self, error, "%s lacks “%s”", type_name (type), member);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return violation (self, error, _ ("%s member “%s” is not an integer"), type_name (type),
                      member);
  v = json_node_get_int (n);
  if (v < min || v > max)
    return violation (self, error, _ ("%s member “%s” is out of range"), type_name (type), member);
  *out = v;
  return TRUE;
}

static gboolean
is_hex (const char *s, gsize len)
{
  if (s == NULL || strlen (s) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
      return FALSE;
  return TRUE;
}

static gboolean
decode_hello_ack (PetriAgentReceiver *self, JsonObject *o, PetriAgentMessage *msg, GError **error)
{
  guint t = PETRI_AGENT_MSG_HELLO_ACK;

  if (!get_string (self, o, t, "nonce", FIELD_REQUIRED, &msg->nonce, error)
      || !get_int (self, o, t, "version", FIELD_REQUIRED, 0, G_MAXINT32, &msg->version, error)
      || !get_string (self, o, t, "platform", FIELD_OPTIONAL, &msg->platform, error)
      || !get_string (self, o, t, "agent", FIELD_OPTIONAL, &msg->agent, error)
      || !get_string (self, o, t, "kernel", FIELD_OPTIONAL, &msg->kernel, error)
      || !get_string (self, o, t, "monitor", FIELD_OPTIONAL, &msg->monitor, error))
    return FALSE;
  if (!is_hex (msg->nonce, 32))
    return violation (self, error, _ ("HELLO_ACK nonce is malformed"));
  return TRUE;
}

static gboolean
decode_file_begin (PetriAgentReceiver *self, JsonObject *o, PetriAgentMessage *msg, GError **error)
{
  guint t = PETRI_AGENT_MSG_FILE_BEGIN;
  gint64 size;

  if (!get_string (self, o, t, "path", FIELD_REQUIRED, &msg->path, error)
      || !get_int (self, o, t, "size", FIELD_REQUIRED, 0, G_MAXINT64, &size, error)
      || !get_string (self, o, t, "sha256", FIELD_REQUIRED, &msg->sha256, error)
      || !get_int (self, o, t, "pid", FIELD_OPTIONAL, 0, G_MAXINT32, &msg->pid, error))
    return FALSE;
  if (!g_utf8_validate (msg->path, -1, NULL) || *msg->path == '\0')
    return violation (self, error, _ ("FILE_BEGIN path is empty or not UTF-8"));
  if (!is_hex (msg->sha256, 64))
    return violation (self, error, _ ("FILE_BEGIN sha256 is malformed"));
  if ((guint64) size > self->max_file_size)
    return violation (self, error,
                      _ ("FILE_BEGIN announces %lld bytes, more than the %llu asked for"),
                      (long long) size, (unsigned long long) self->max_file_size);
  msg->size = (guint64) size;
  return TRUE;
}

static gboolean
decode_run_done (PetriAgentReceiver *self, JsonObject *o, PetriAgentMessage *msg, GError **error)
{
  guint t = PETRI_AGENT_MSG_RUN_DONE;
  JsonNode *n;

  if (!get_int (self, o, t, "exit_status", FIELD_OPTIONAL, G_MININT32, G_MAXINT32,
                &msg->exit_status, error)
      || !get_int (self, o, t, "events", FIELD_OPTIONAL, 0, G_MAXINT64, &msg->n_events, error)
      || !get_int (self, o, t, "dropped", FIELD_OPTIONAL, 0, G_MAXINT64, &msg->n_dropped, error))
    return FALSE;
  n = json_object_get_member (o, "truncated");
  if (n != NULL && !JSON_NODE_HOLDS_NULL (n))
    {
      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
        return violation (self, error, _ ("RUN_DONE member “truncated” is not a boolean"));
      msg->truncated = json_node_get_boolean (n);
    }
  return TRUE;
}

/* The payload of a complete frame, in the current phase. Returns TRUE with
 * msg->type == 0 when the frame is skipped. */
static gboolean
decode (PetriAgentReceiver *self, guint type, const guint8 *payload, gsize len,
        PetriAgentMessage *msg, GError **error)
{
  g_autoptr (JsonObject) o = NULL;
  PetriAgentPhase phase = self->phase;

  if (phase == PETRI_AGENT_PHASE_HANDSHAKE && type != PETRI_AGENT_MSG_HELLO_ACK)
    return TRUE; /* stale output from an earlier session */

  switch (type)
    {
    case PETRI_AGENT_MSG_HELLO_ACK:
      if (phase != PETRI_AGENT_PHASE_HANDSHAKE)
        return violation (self, error, _ ("HELLO_ACK after the handshake"));
      if (!json_depth_ok (payload, len) || !g_utf8_validate_len ((const char *) payload, len, NULL))
        return TRUE; /* garbage before the handshake is skipped */
      {
        g_autoptr (JsonParser) parser = json_parser_new_immutable ();
        JsonNode *root;
        gboolean ok;

        if (!json_parser_load_from_data (parser, (const char *) payload, (gssize) len, NULL))
          return TRUE;
        root = json_parser_get_root (parser);
        if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
          return TRUE;
        ok = decode_hello_ack (self, json_node_get_object (root), msg, NULL);
        if (!ok || g_strcmp0 (msg->nonce, self->nonce) != 0)
          {
            /* A reply to an earlier HELLO, or junk: keep waiting. */
            self->dead = FALSE;
            petri_agent_message_clear (msg);
            return TRUE;
          }
      }
      msg->type = type;
      self->phase = PETRI_AGENT_PHASE_UPLOAD;
      return TRUE;

    case PETRI_AGENT_MSG_OK:
      if (phase != PETRI_AGENT_PHASE_UPLOAD)
        return violation (self, error, _ ("OK out of turn"));
      if ((o = parse_object (self, type, payload, len, error)) == NULL
          || !get_string (self, o, type, "sha256", FIELD_REQUIRED, &msg->sha256, error))
        return FALSE;
      if (!is_hex (msg->sha256, 64))
        return violation (self, error, _ ("OK sha256 is malformed"));
      msg->type = type;
      self->phase = PETRI_AGENT_PHASE_STARTING;
      return TRUE;

    case PETRI_AGENT_MSG_ERROR:
      if ((o = parse_object (self, type, payload, len, error)) == NULL
          || !get_string (self, o, type, "message", FIELD_REQUIRED, &msg->message, error))
        return FALSE;
      if (!g_utf8_validate (msg->message, -1, NULL))
        return violation (self, error, _ ("ERROR message is not UTF-8"));
      msg->type = type;
      self->phase = PETRI_AGENT_PHASE_DONE;
      return TRUE;

    case PETRI_AGENT_MSG_STARTED:
      if (phase != PETRI_AGENT_PHASE_STARTING)
        return violation (self, error, _ ("STARTED out of turn"));
      if ((o = parse_object (self, type, payload, len, error)) == NULL
          || !get_int (self, o, type, "pid", FIELD_REQUIRED, 0, G_MAXINT32, &msg->pid, error))
        return FALSE;
      msg->type = type;
      self->phase = PETRI_AGENT_PHASE_RUNNING;
      return TRUE;

    case PETRI_AGENT_MSG_EVENT:
      {
        g_autoptr (JsonParser) parser = NULL;
        g_autoptr (GError) local_error = NULL;
        JsonNode *root;

        if (phase != PETRI_AGENT_PHASE_RUNNING || self->in_file)
          return violation (self, error, _ ("EVENT out of turn"));
        if ((o = parse_object (self, type, payload, len, error)) == NULL)
          return FALSE;
        root = json_node_init_object (json_node_alloc (), o);
        msg->event = petri_behavior_event_from_json (root, &local_error);
        json_node_unref (root);
        if (msg->event == NULL)
          return violation (self, error, _ ("bad EVENT: %s"), local_error->message);
        if (self->n_events >= PETRI_AGENT_MAX_EVENTS
            || self->event_bytes + len > PETRI_AGENT_MAX_EVENT_BYTES)
          {
            self->truncated = TRUE;
            petri_agent_message_clear (msg);
            return TRUE;
          }
        self->n_events++;
        self->event_bytes += len;
        msg->type = type;
        return TRUE;
      }

    case PETRI_AGENT_MSG_FILE_BEGIN:
      if (phase != PETRI_AGENT_PHASE_RUNNING || self->in_file)
        return violation (self, error, _ ("FILE_BEGIN out of turn"));
      if ((o = parse_object (self, type, payload, len, error)) == NULL
          || !decode_file_begin (self, o, msg, error))
        return FALSE;
      self->in_file = TRUE;
      self->file_size = msg->size;
      self->file_received = 0;
      if (self->n_files >= PETRI_AGENT_MAX_FILES
          || self->file_bytes + msg->size > PETRI_AGENT_MAX_FILES_TOTAL)
        {
          /* Over the totals: the file is received and thrown away. */
          self->skip_file = TRUE;
          self->truncated = TRUE;
          petri_agent_message_clear (msg);
          return TRUE;
        }
      self->skip_file = FALSE;
      self->n_files++;
      self->file_bytes += msg->size;
      msg->type = type;
      return TRUE;

    case PETRI_AGENT_MSG_FILE_DATA:
      if (phase != PETRI_AGENT_PHASE_RUNNING || !self->in_file)
        return violation (self, error, _ ("FILE_DATA out of turn"));
      if (len > self->file_size - self->file_received)
        return violation (self, error, _ ("FILE_DATA beyond the announced size"));
      self->file_received += len;
      if (self->skip_file)
        return TRUE;
      msg->type = type;
      msg->data = payload;
      msg->data_len = len;
      return TRUE;

    case PETRI_AGENT_MSG_FILE_END:
      if (phase != PETRI_AGENT_PHASE_RUNNING || !self->in_file)
        return violation (self, error, _ ("FILE_END out of turn"));
      if ((o = parse_object (self, type, payload, len, error)) == NULL)
        return FALSE;
      if (self->file_received != self->file_size)
        return violation (self, error, _ ("FILE_END after %llu of %llu bytes"),
                          (unsigned long long) self->file_received,
                          (unsigned long long) self->file_size);
      self->in_file = FALSE;
      if (self->skip_file)
        {
          self->skip_file = FALSE;
          return TRUE;
        }
      msg->type = type;
      return TRUE;

    case PETRI_AGENT_MSG_RUN_DONE:
      if (phase != PETRI_AGENT_PHASE_RUNNING || self->in_file)
        return violation (self, error, _ ("RUN_DONE out of turn"));
      if ((o = parse_object (self, type, payload, len, error)) == NULL
          || !decode_run_done (self, o, msg, error))
        return FALSE;
      msg->type = type;
      self->phase = PETRI_AGENT_PHASE_DONE;
      return TRUE;

    default:
      return violation (self, error, _ ("the guest sent %s"), type_name (type));
    }
}

gboolean
petri_agent_receiver_next (PetriAgentReceiver *self, PetriAgentMessage *msg, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (msg != NULL && msg->type == 0, FALSE);

  if (self->dead)
    return violation (self, error, _ ("the session is already broken"));

  for (;;)
    {
      gsize avail = self->buf->len - self->pos;
      const guint8 *p;
      guint type, flags;
      guint32 len;
      gboolean header_ok;
      PetriAgentFrameHeader header;
      PetriAgentFrameStatus status;

      if (avail < PETRI_AGENT_HEADER_SIZE)
        return FALSE;
      p = self->buf->data + self->pos;
      if (self->phase == PETRI_AGENT_PHASE_DONE)
        return violation (self, error, _ ("data after the end of the session"));

      /* The header checks are the codec the guest agent uses too. */
      status = petri_agent_frame_decode_header (p, avail, &header);
      header_ok = status == PETRI_AGENT_FRAME_OK;
      type = p[4] | (p[5] << 8);
      flags = p[6] | (p[7] << 8);
      len = read_le32 (p + 8);

      if (!header_ok)
        {
          if (self->phase != PETRI_AGENT_PHASE_HANDSHAKE)
            return violation (self, error, _ ("bad frame header (type %u, flags %u, length %u)"),
                              type, flags, len);
          /* Before the handshake: resynchronise on the next magic. */
          self->pos++;
          if (++self->skipped > PETRI_AGENT_MAX_RESYNC)
            return violation (self, error, _ ("no frame in %u bytes before the handshake"),
                              PETRI_AGENT_MAX_RESYNC);
          continue;
        }
      if (avail - PETRI_AGENT_HEADER_SIZE < len)
        return FALSE;

      self->pos += PETRI_AGENT_HEADER_SIZE + len;
      if (!decode (self, type, p + PETRI_AGENT_HEADER_SIZE, len, msg, error))
        {
          petri_agent_message_clear (msg);
          return FALSE;
        }
      if (msg->type != 0)
        return TRUE;
      if (self->phase == PETRI_AGENT_PHASE_HANDSHAKE)
        {
          self->skipped += PETRI_AGENT_HEADER_SIZE + len;
          if (self->skipped > PETRI_AGENT_MAX_RESYNC)
            return violation (self, error, _ ("no handshake in %u bytes"), PETRI_AGENT_MAX_RESYNC);
        }
    }
}

static GBytes *
frame (PetriAgentMsgType type, const guint8 *data, gsize len)
{
  GByteArray *out = g_byte_array_sized_new (PETRI_AGENT_HEADER_SIZE + len);
  guint8 header[PETRI_AGENT_HEADER_SIZE];

  /* No check on the type: tests build invalid frames with this too. */
  g_assert (len <= PETRI_AGENT_MAX_PAYLOAD);
  memcpy (header, PETRI_AGENT_MAGIC, 4);
  header[4] = type & 0xff;
  header[5] = (type >> 8) & 0xff;
  header[6] = header[7] = 0;
  header[8] = len & 0xff;
  header[9] = (len >> 8) & 0xff;
  header[10] = (len >> 16) & 0xff;
  header[11] = (len >> 24) & 0xff;
  g_byte_array_append (out, header, sizeof header);
  if (len > 0)
    g_byte_array_append (out, data, len);
  return g_byte_array_free_to_bytes (out);
}

GBytes *
petri_agent_frame_json (PetriAgentMsgType type, JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *text = json_to_string (node, FALSE);

  return frame (type, (const guint8 *) text, strlen (text));
}

GBytes *
petri_agent_frame_raw (PetriAgentMsgType type, const guint8 *data, gsize len)
{
  return frame (type, data, len);
}
