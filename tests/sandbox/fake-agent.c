/* fake-agent.c: see fake-agent.h
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "fake-agent.h"

#include "petri-agent-protocol.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct _FakeAgent
{
  GMutex lock;
  int listen_fd;
  int wake[2];
  GThread *thread;
  FakeAgentMode mode;
  guint sessions;
  char *upload_sha256;
  char *run_name;
  gint64 run_duration;
  gboolean poweroff_seen;
};

static gboolean
write_all (int fd, const void *data, gsize len)
{
  const guint8 *p = data;

  while (len > 0)
    {
      ssize_t n = send (fd, p, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gboolean
read_all (int fd, void *data, gsize len)
{
  guint8 *p = data;

  while (len > 0)
    {
      ssize_t n = read (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gboolean
send_frame (int fd, guint type, const void *data, gsize len)
{
  guint8 h[PETRI_AGENT_HEADER_SIZE] = { 'P',
                                        'T',
                                        'R',
                                        'A',
                                        type & 0xff,
                                        type >> 8,
                                        0,
                                        0,
                                        len & 0xff,
                                        (len >> 8) & 0xff,
                                        (len >> 16) & 0xff,
                                        (len >> 24) & 0xff };

  return write_all (fd, h, sizeof h) && (len == 0 || write_all (fd, data, len));
}

static gboolean
send_json (int fd, guint type, const char *json)
{
  return send_frame (fd, type, json, strlen (json));
}

/* Reads one frame; the payload is NUL-terminated. */
static gboolean
recv_frame (int fd, guint *type, GByteArray **payload)
{
  guint8 h[PETRI_AGENT_HEADER_SIZE];
  guint32 len;

  if (!read_all (fd, h, sizeof h) || memcmp (h, "PTRA", 4) != 0)
    return FALSE;
  *type = h[4] | h[5] << 8;
  len = (guint32) h[8] | (guint32) h[9] << 8 | (guint32) h[10] << 16 | (guint32) h[11] << 24;
  if (len > PETRI_AGENT_MAX_PAYLOAD)
    return FALSE;
  *payload = g_byte_array_sized_new (len + 1);
  g_byte_array_set_size (*payload, len);
  if (len > 0 && !read_all (fd, (*payload)->data, len))
    {
      g_byte_array_unref (*payload);
      return FALSE;
    }
  g_byte_array_append (*payload, (const guint8 *) "", 1);
  g_byte_array_set_size (*payload, len);
  return TRUE;
}

static JsonObject *
parse (GByteArray *payload)
{
  g_autoptr (JsonNode) node = json_from_string ((const char *) payload->data, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

static void
send_file (int fd, const char *path, const char *content, gboolean corrupt)
{
  g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
  g_autofree char *begin = g_strdup_printf (
      "{\"path\":\"%s\",\"size\":%zu,\"sha256\":\"%s\",\"pid\":4242}", path, strlen (content), sha);
  g_autofree char *data = g_strdup (content);

  if (corrupt)
    data[0] ^= 1;
  send_json (fd, PETRI_AGENT_MSG_FILE_BEGIN, begin);
  send_frame (fd, PETRI_AGENT_MSG_FILE_DATA, data, strlen (data));
  send_json (fd, PETRI_AGENT_MSG_FILE_END, "{}");
}

static void
serve (FakeAgent *self, int fd, FakeAgentMode mode)
{
  GChecksum *upload = NULL;
  gboolean running = TRUE;

  /* What an earlier session left in the pipe: junk, then a stale reply. */
  if (mode == FAKE_AGENT_NORMAL)
    {
      write_all (fd, "garbage!", 8);
      send_json (fd, PETRI_AGENT_MSG_HELLO_ACK,
                 "{\"nonce\":\"00000000000000000000000000000000\",\"version\":1}");
      send_json (fd, PETRI_AGENT_MSG_EVENT, "{\"category\":\"file\",\"action\":\"read\"}");
    }

  while (running)
    {
      g_autoptr (GByteArray) payload = NULL;
      g_autoptr (JsonObject) o = NULL;
      guint type;

      if (!recv_frame (fd, &type, &payload))
        break;
      if (mode == FAKE_AGENT_SILENT)
        continue;
      if (type != PETRI_AGENT_MSG_PUT_DATA)
        o = parse (payload);

      switch (type)
        {
        case PETRI_AGENT_MSG_HELLO:
          {
            g_autofree char *ack = g_strdup_printf (
                "{\"nonce\":\"%s\",\"version\":%d,\"platform\":\"linux\",\"agent\":\"fake-agent "
                "1\",\"kernel\":\"none\",\"monitor\":\"none\"}",
                json_object_get_string_member (o, "nonce"),
                mode == FAKE_AGENT_OLD_VERSION ? 99 : PETRI_AGENT_PROTOCOL_VERSION);
            send_json (fd, PETRI_AGENT_MSG_HELLO_ACK, ack);
          }
          break;
        case PETRI_AGENT_MSG_PUT_BEGIN:
          upload = g_checksum_new (G_CHECKSUM_SHA256);
          if (mode == FAKE_AGENT_FLOOD)
            {
              /* Never read again; write until the host goes away. */
              g_autofree char *junk = g_strnfill (60000, 'x');
              g_autofree char *ev = g_strdup_printf (
                  "{\"category\":\"file\",\"action\":\"write\",\"target\":\"%s\"}", junk);
              while (send_json (fd, PETRI_AGENT_MSG_EVENT, ev))
                ;
              running = FALSE;
            }
          break;
        case PETRI_AGENT_MSG_PUT_DATA:
          g_checksum_update (upload, payload->data, payload->len);
          break;
        case PETRI_AGENT_MSG_PUT_END:
          {
            g_autofree char *ok
                = g_strdup_printf ("{\"sha256\":\"%s\"}", g_checksum_get_string (upload));
            g_mutex_lock (&self->lock);
            g_free (self->upload_sha256);
            self->upload_sha256 = g_strdup (g_checksum_get_string (upload));
            g_mutex_unlock (&self->lock);
            send_json (fd, PETRI_AGENT_MSG_OK, ok);
          }
          break;
        case PETRI_AGENT_MSG_RUN:
          g_mutex_lock (&self->lock);
          g_free (self->run_name);
          self->run_name = g_strdup (json_object_get_string_member (o, "name"));
          self->run_duration = json_object_get_int_member (o, "duration");
          g_mutex_unlock (&self->lock);
          send_json (fd, PETRI_AGENT_MSG_STARTED, "{\"pid\":4242}");
          if (mode == FAKE_AGENT_SLOW_RUN)
            break;
          for (int i = 0; i < 3; i++)
            {
              g_autofree char *ev = g_strdup_printf (
                  "{\"ts\":0.%d,\"category\":\"process\",\"action\":\"fork\",\"pid\":%d,"
                  "\"ppid\":4242,\"process\":\"sample\",\"target\":\"/tmp/sample\","
                  "\"details\":{\"n\":%d}}",
                  i + 1, 5000 + i, i);
              send_json (fd, PETRI_AGENT_MSG_EVENT, ev);
            }
          if (mode == FAKE_AGENT_DIE_MID_RUN)
            {
              running = FALSE;
              break;
            }
          if (mode == FAKE_AGENT_BAD_FRAME)
            {
              write_all (fd, "XXXX\x0a\0\0\0\2\0\0\0{}", 14);
              break;
            }
          if (mode == FAKE_AGENT_HUGE_FILE)
            {
              send_json (fd, PETRI_AGENT_MSG_FILE_BEGIN,
                         "{\"path\":\"/tmp/big\",\"size\":999999999999,\"sha256\":"
                         "\"0000000000000000000000000000000000000000000000000000000000000000\"}");
              break;
            }
          /* Like the real agent: the sample runs for the whole duration. */
          g_usleep ((gulong) self->run_duration * G_USEC_PER_SEC);
          send_json (fd, PETRI_AGENT_MSG_EVENT,
                     "{\"ts\":0.5,\"category\":\"file\",\"action\":\"create\",\"pid\":4242,"
                     "\"target\":\"/tmp/dropped.bin\"}");
          /* A guest path that must never become a host path. */
          send_file (fd, "../../../../etc/evil", "dropped content\n", mode == FAKE_AGENT_BAD_SHA);
          send_json (fd, PETRI_AGENT_MSG_RUN_DONE,
                     "{\"exit_status\":0,\"events\":5,\"dropped\":1,\"truncated\":false}");
          break;
        case PETRI_AGENT_MSG_POWEROFF:
          g_mutex_lock (&self->lock);
          self->poweroff_seen = TRUE;
          g_mutex_unlock (&self->lock);
          running = FALSE;
          break;
        default:
          break;
        }
    }
  if (upload != NULL)
    g_checksum_free (upload);
}

static gpointer
agent_thread (gpointer data)
{
  FakeAgent *self = data;

  for (;;)
    {
      struct pollfd fds[2] = { { .fd = self->listen_fd, .events = POLLIN },
                               { .fd = self->wake[0], .events = POLLIN } };
      FakeAgentMode mode;
      int fd;

      if (poll (fds, 2, -1) < 0 && errno != EINTR)
        break;
      if (fds[1].revents)
        break;
      if (!(fds[0].revents & POLLIN))
        continue;
      fd = accept (self->listen_fd, NULL, NULL);
      if (fd < 0)
        continue;
      g_mutex_lock (&self->lock);
      mode = self->mode;
      self->sessions++;
      self->poweroff_seen = FALSE;
      g_mutex_unlock (&self->lock);
      serve (self, fd, mode);
      close (fd);
    }
  return NULL;
}

FakeAgent *
fake_agent_new (const char *socket_path)
{
  FakeAgent *self = g_new0 (FakeAgent, 1);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };

  g_mutex_init (&self->lock);
  g_assert (strlen (socket_path) < sizeof addr.sun_path);
  strcpy (addr.sun_path, socket_path);
  unlink (socket_path);
  self->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert (self->listen_fd >= 0);
  g_assert (bind (self->listen_fd, (struct sockaddr *) &addr, sizeof addr) == 0);
  g_assert (listen (self->listen_fd, 4) == 0);
  g_assert (pipe (self->wake) == 0);
  self->thread = g_thread_new ("fake-agent", agent_thread, self);
  return self;
}

void
fake_agent_set_mode (FakeAgent *self, FakeAgentMode mode)
{
  g_mutex_lock (&self->lock);
  self->mode = mode;
  g_mutex_unlock (&self->lock);
}

guint
fake_agent_get_sessions (FakeAgent *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->sessions;
  g_mutex_unlock (&self->lock);
  return n;
}

char *
fake_agent_dup_last_upload_sha256 (FakeAgent *self)
{
  char *s;

  g_mutex_lock (&self->lock);
  s = g_strdup (self->upload_sha256);
  g_mutex_unlock (&self->lock);
  return s;
}

char *
fake_agent_dup_last_run_name (FakeAgent *self)
{
  char *s;

  g_mutex_lock (&self->lock);
  s = g_strdup (self->run_name);
  g_mutex_unlock (&self->lock);
  return s;
}

gint64
fake_agent_get_last_run_duration (FakeAgent *self)
{
  gint64 v;

  g_mutex_lock (&self->lock);
  v = self->run_duration;
  g_mutex_unlock (&self->lock);
  return v;
}

gboolean
fake_agent_get_poweroff_seen (FakeAgent *self)
{
  gboolean v;

  g_mutex_lock (&self->lock);
  v = self->poweroff_seen;
  g_mutex_unlock (&self->lock);
  return v;
}

void
fake_agent_free (FakeAgent *self)
{
  if (write (self->wake[1], "x", 1) != 1)
    g_error ("cannot stop the fake agent");
  g_thread_join (self->thread);
  close (self->listen_fd);
  close (self->wake[0]);
  close (self->wake[1]);
  g_free (self->upload_sha256);
  g_free (self->run_name);
  g_mutex_clear (&self->lock);
  g_free (self);
}
