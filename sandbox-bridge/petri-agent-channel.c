/* petri-agent-channel.c: one session with a guest agent over a stream socket
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Blocking calls with deadlines, meant for a pool worker thread. Every wait
 * polls the socket together with the GCancellable, so cancelling or a silent
 * guest ends a call within its deadline.
 */
#include "config.h"

#include "petri-sandbox-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define READ_CHUNK 65536
#define EVENT_BATCH 256
#define EVENT_FLUSH_US (100 * 1000)
#define MAX_BUFFERED (PETRI_AGENT_HEADER_SIZE + PETRI_AGENT_MAX_PAYLOAD + READ_CHUNK)

struct _PetriAgentChannel
{
  int fd;
  PetriAgentReceiver *receiver;
  char *nonce;
};

PetriAgentChannel *
petri_agent_channel_new_for_fd (int fd)
{
  PetriAgentChannel *self = g_new0 (PetriAgentChannel, 1);
  int flags;

  self->fd = fd;
  flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    fcntl (fd, F_SETFL, flags | O_NONBLOCK);
  fcntl (fd, F_SETFD, FD_CLOEXEC);
  self->receiver = petri_agent_receiver_new (PETRI_SANDBOX_DEFAULT_MAX_SIZE);
  return self;
}

void
petri_agent_channel_free (PetriAgentChannel *self)
{
  if (self == NULL)
    return;
  if (self->fd >= 0)
    close (self->fd);
  petri_agent_receiver_free (self->receiver);
  g_free (self->nonce);
  g_free (self);
}

void
petri_agent_hello_clear (PetriAgentHello *hello)
{
  g_clear_pointer (&hello->platform, g_free);
  g_clear_pointer (&hello->agent, g_free);
  g_clear_pointer (&hello->kernel, g_free);
  g_clear_pointer (&hello->monitor, g_free);
}

static int
remaining_ms (gint64 deadline)
{
  gint64 left = deadline - g_get_monotonic_time ();

  if (left <= 0)
    return 0;
  return (int) MIN ((left + 999) / 1000, G_MAXINT);
}

static gboolean
check_cancelled (GCancellable *cancellable, GError **error)
{
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
      return TRUE;
    }
  return FALSE;
}

PetriAgentChannel *
petri_agent_channel_connect (const char *socket_path, gint64 deadline, GCancellable *cancellable,
                             GError **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };

  g_return_val_if_fail (socket_path != NULL, NULL);

  if (strlen (socket_path) >= sizeof addr.sun_path)
    {
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_FAILED,
                   _ ("the agent socket path “%s” is too long"), socket_path);
      return NULL;
    }
  strcpy (addr.sun_path, socket_path);

  for (;;)
    {
      int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      int saved;

      if (fd < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       _ ("cannot create a socket: %s"), g_strerror (errno));
          return NULL;
        }
      if (connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0)
        return petri_agent_channel_new_for_fd (fd);
      saved = errno;
      close (fd);
      if (saved != ENOENT && saved != ECONNREFUSED && saved != EAGAIN)
        {
          g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_FAILED,
                       _ ("cannot connect to the agent socket “%s”: %s"), socket_path,
                       g_strerror (saved));
          return NULL;
        }
      if (check_cancelled (cancellable, error))
        return NULL;
      if (remaining_ms (deadline) == 0)
        {
          g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_TIMEOUT,
                       _ ("the agent socket “%s” never accepted a connection: %s"), socket_path,
                       g_strerror (saved));
          return NULL;
        }
      g_usleep (50 * 1000);
    }
}

/* Waits for @events on the socket; reads whatever arrives into the receiver.
 * Returns FALSE on timeout, cancellation, disconnection or error. */
static gboolean
wait_io (PetriAgentChannel *self, short events, gint64 deadline, GCancellable *cancellable,
         short *revents, GError **error)
{
  GPollFD fds[2] = { { .fd = self->fd, .events = events } };
  guint n = 1;
  int rc;

  /* A guest that talks while it should listen fills our buffer only up to
   * one frame's worth; then we stop reading and it stalls (and times out). */
  if (petri_agent_receiver_get_buffered (self->receiver) < MAX_BUFFERED)
    fds[0].events |= POLLIN;

  if (g_cancellable_make_pollfd (cancellable, &fds[1]))
    n = 2;
  do
    rc = g_poll (fds, n, remaining_ms (deadline));
  while (rc < 0 && errno == EINTR);
  if (n == 2)
    g_cancellable_release_fd (cancellable);

  if (rc < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "poll: %s",
                   g_strerror (errno));
      return FALSE;
    }
  if (check_cancelled (cancellable, error))
    return FALSE;
  if (rc == 0)
    {
      g_set_error_literal (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_TIMEOUT,
                           _ ("timed out"));
      return FALSE;
    }
  if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
    {
      guint8 buf[READ_CHUNK];
      ssize_t got;

      do
        got = read (self->fd, buf, sizeof buf);
      while (got < 0 && errno == EINTR);
      if (got == 0 || (got < 0 && errno != EAGAIN))
        {
          g_set_error_literal (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_DISCONNECTED,
                               got == 0 ? _ ("the guest closed the connection")
                                        : g_strerror (errno));
          return FALSE;
        }
      if (got > 0)
        petri_agent_receiver_push (self->receiver, buf, (gsize) got);
    }
  *revents = fds[0].revents;
  return TRUE;
}

static gboolean
send_bytes (PetriAgentChannel *self, GBytes *bytes, gint64 deadline, GCancellable *cancellable,
            GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = send (self->fd, data + done, len - done, MSG_NOSIGNAL);
      short revents;

      if (n > 0)
        {
          done += (gsize) n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno != EAGAIN)
        {
          g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_DISCONNECTED,
                       _ ("the guest connection broke: %s"), g_strerror (errno));
          return FALSE;
        }
      /* Reading while waiting keeps a guest that talks back from blocking us. */
      if (!wait_io (self, POLLOUT, deadline, cancellable, &revents, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
send_json (PetriAgentChannel *self, PetriAgentMsgType type, JsonObject *o, gint64 deadline,
           GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) bytes = petri_agent_frame_json (type, o);

  return send_bytes (self, bytes, deadline, cancellable, error);
}

/* The next validated message, waiting until @deadline. */
static gboolean
next_message (PetriAgentChannel *self, PetriAgentMessage *msg, gint64 deadline,
              GCancellable *cancellable, GError **error)
{
  for (;;)
    {
      g_autoptr (GError) local_error = NULL;
      short revents;

      if (petri_agent_receiver_next (self->receiver, msg, &local_error))
        return TRUE;
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (!wait_io (self, 0, deadline, cancellable, &revents, error))
        return FALSE;
    }
}

gboolean
petri_agent_channel_handshake (PetriAgentChannel *self, gint64 deadline, PetriAgentHello *hello,
                               GCancellable *cancellable, GError **error)
{
  g_autoptr (JsonObject) o = json_object_new ();
  g_autofree char *uuid = g_uuid_string_random ();
  GString *nonce = g_string_new (NULL);
  PetriAgentMessage msg = { 0 };

  for (const char *p = uuid; *p != '\0'; p++)
    if (*p != '-')
      g_string_append_c (nonce, *p);
  g_free (self->nonce);
  self->nonce = g_string_free (nonce, FALSE);
  petri_agent_receiver_set_phase (self->receiver, PETRI_AGENT_PHASE_HANDSHAKE, self->nonce);

  json_object_set_string_member (o, "nonce", self->nonce);
  json_object_set_int_member (o, "version", PETRI_AGENT_PROTOCOL_VERSION);
  if (!send_json (self, PETRI_AGENT_MSG_HELLO, o, deadline, cancellable, error)
      || !next_message (self, &msg, deadline, cancellable, error))
    {
      if (error != NULL && *error != NULL
          && g_error_matches (*error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_TIMEOUT))
        {
          g_clear_error (error);
          g_set_error_literal (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_TIMEOUT,
                               _ ("the guest agent never answered the handshake"));
        }
      return FALSE;
    }
  g_assert (msg.type == PETRI_AGENT_MSG_HELLO_ACK);
  hello->version = msg.version;
  hello->platform = g_steal_pointer (&msg.platform);
  hello->agent = g_steal_pointer (&msg.agent);
  hello->kernel = g_steal_pointer (&msg.kernel);
  hello->monitor = g_steal_pointer (&msg.monitor);
  petri_agent_message_clear (&msg);
  if (hello->version != PETRI_AGENT_PROTOCOL_VERSION)
    {
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_PROTOCOL,
                   _ ("the guest agent speaks protocol version %lld, this Petri speaks version %d"),
                   (long long) hello->version, PETRI_AGENT_PROTOCOL_VERSION);
      return FALSE;
    }
  return TRUE;
}

static gboolean
expect_reply (PetriAgentChannel *self, PetriAgentMsgType want, PetriAgentMessage *msg,
              gint64 deadline, GCancellable *cancellable, GError **error)
{
  if (!next_message (self, msg, deadline, cancellable, error))
    return FALSE;
  if (msg->type == PETRI_AGENT_MSG_ERROR)
    {
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_GUEST,
                   _ ("the guest agent reported: %s"), msg->message);
      petri_agent_message_clear (msg);
      return FALSE;
    }
  g_assert (msg->type == want);
  return TRUE;
}

gboolean
petri_agent_channel_upload (PetriAgentChannel *self, const char *name, GBytes *data,
                            gint64 deadline, GCancellable *cancellable, GError **error)
{
  g_autoptr (JsonObject) begin = json_object_new ();
  g_autoptr (JsonObject) end = json_object_new ();
  g_autofree char *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  gsize len;
  const guint8 *p = g_bytes_get_data (data, &len);
  PetriAgentMessage msg = { 0 };
  gboolean ok;

  g_return_val_if_fail (petri_agent_receiver_get_phase (self->receiver) == PETRI_AGENT_PHASE_UPLOAD,
                        FALSE);

  json_object_set_string_member (begin, "name", name);
  json_object_set_int_member (begin, "size", (gint64) len);
  json_object_set_string_member (begin, "sha256", sha256);
  if (!send_json (self, PETRI_AGENT_MSG_PUT_BEGIN, begin, deadline, cancellable, error))
    goto fail;
  for (gsize off = 0; off < len; off += PETRI_AGENT_MAX_CHUNK)
    {
      g_autoptr (GBytes) chunk = petri_agent_frame_raw (PETRI_AGENT_MSG_PUT_DATA, p + off,
                                                        MIN (PETRI_AGENT_MAX_CHUNK, len - off));
      if (!send_bytes (self, chunk, deadline, cancellable, error))
        goto fail;
    }
  if (!send_json (self, PETRI_AGENT_MSG_PUT_END, end, deadline, cancellable, error)
      || !expect_reply (self, PETRI_AGENT_MSG_OK, &msg, deadline, cancellable, error))
    goto fail;
  ok = g_strcmp0 (msg.sha256, sha256) == 0;
  petri_agent_message_clear (&msg);
  if (!ok)
    {
      g_set_error_literal (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_PROTOCOL,
                           _ ("the guest received a different file than was sent"));
      return FALSE;
    }
  return TRUE;

fail:
  return FALSE;
}

typedef struct
{
  int fd;
  char *host_path;
  char *guest_path;
  gint64 pid;
  guint64 size;
  char *sha256;
  GChecksum *checksum;
} Incoming;

static void
incoming_free (Incoming *in)
{
  if (in == NULL)
    return;
  if (in->fd >= 0)
    close (in->fd);
  g_free (in->host_path);
  g_free (in->guest_path);
  g_free (in->sha256);
  g_clear_pointer (&in->checksum, g_checksum_free);
  g_free (in);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Incoming, incoming_free)

static void
flush_events (GPtrArray *batch, const PetriAgentRunFuncs *funcs, gpointer user_data,
              gint64 *last_flush)
{
  if (batch->len > 0 && funcs->events != NULL)
    funcs->events (batch, user_data);
  g_ptr_array_set_size (batch, 0);
  *last_flush = g_get_monotonic_time ();
}

gboolean
petri_agent_channel_run (PetriAgentChannel *self, const char *name, guint duration,
                         guint64 collect_max, const char *drop_dir, gint64 deadline,
                         const PetriAgentRunFuncs *funcs, gpointer user_data,
                         PetriAgentRunResult *result, GCancellable *cancellable, GError **error)
{
  g_autoptr (JsonObject) run = json_object_new ();
  g_autoptr (GPtrArray) batch
      = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_behavior_event_unref);
  g_autoptr (Incoming) in = NULL;
  gint64 run_end = 0, last_flush = g_get_monotonic_time ();
  gboolean collecting = FALSE;
  guint n_files = 0;

  g_return_val_if_fail (
      petri_agent_receiver_get_phase (self->receiver) == PETRI_AGENT_PHASE_STARTING, FALSE);
  memset (result, 0, sizeof *result);

  /* The receiver refuses files over what we ask for. */
  petri_agent_receiver_set_max_file_size (self->receiver, collect_max);

  json_object_set_string_member (run, "name", name);
  json_object_set_array_member (run, "args", json_array_new ());
  json_object_set_int_member (run, "duration", duration);
  json_object_set_int_member (run, "collect_max", (gint64) collect_max);
  if (!send_json (self, PETRI_AGENT_MSG_RUN, run, deadline, cancellable, error))
    goto fail;

  for (;;)
    {
      PetriAgentMessage msg = { 0 };
      g_autoptr (GError) local_error = NULL;
      gint64 now = g_get_monotonic_time ();
      gint64 wait_until = deadline;
      short revents;

      if (!collecting && run_end != 0 && now >= run_end)
        {
          collecting = TRUE;
          if (funcs->collecting != NULL)
            funcs->collecting (user_data);
        }

      if (petri_agent_receiver_next (self->receiver, &msg, &local_error))
        {
          switch (msg.type)
            {
            case PETRI_AGENT_MSG_ERROR:
              g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_GUEST,
                           _ ("the guest agent reported: %s"), msg.message);
              petri_agent_message_clear (&msg);
              goto fail_flush;
            case PETRI_AGENT_MSG_STARTED:
              run_end = g_get_monotonic_time () + (gint64) duration * G_USEC_PER_SEC;
              if (funcs->started != NULL)
                funcs->started (msg.pid, user_data);
              break;
            case PETRI_AGENT_MSG_EVENT:
              g_ptr_array_add (batch, g_steal_pointer (&msg.event));
              result->n_events++;
              if (batch->len >= EVENT_BATCH)
                flush_events (batch, funcs, user_data, &last_flush);
              break;
            case PETRI_AGENT_MSG_FILE_BEGIN:
              in = g_new0 (Incoming, 1);
              in->host_path = g_strdup_printf ("%s/dropped-%u", drop_dir, ++n_files);
              in->fd = g_open (in->host_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
              in->guest_path = g_steal_pointer (&msg.path);
              in->sha256 = g_steal_pointer (&msg.sha256);
              in->pid = msg.pid;
              in->size = msg.size;
              in->checksum = g_checksum_new (G_CHECKSUM_SHA256);
              if (in->fd < 0)
                {
                  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                               _ ("cannot create “%s”: %s"), in->host_path, g_strerror (errno));
                  petri_agent_message_clear (&msg);
                  goto fail_flush;
                }
              break;
            case PETRI_AGENT_MSG_FILE_DATA:
              g_assert (in != NULL);
              g_checksum_update (in->checksum, msg.data, msg.data_len);
              for (gsize off = 0; off < msg.data_len;)
                {
                  ssize_t n = write (in->fd, msg.data + off, msg.data_len - off);
                  if (n < 0 && errno == EINTR)
                    continue;
                  if (n <= 0)
                    {
                      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                                   _ ("cannot write “%s”: %s"), in->host_path, g_strerror (errno));
                      petri_agent_message_clear (&msg);
                      goto fail_flush;
                    }
                  off += (gsize) n;
                }
              break;
            case PETRI_AGENT_MSG_FILE_END:
              {
                PetriDroppedFile file;
                const char *got;

                g_assert (in != NULL);
                got = g_checksum_get_string (in->checksum);
                if (g_strcmp0 (got, in->sha256) != 0)
                  {
                    g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_PROTOCOL,
                                 _ ("the guest agent broke the protocol: dropped file “%s” does "
                                    "not match its SHA-256"),
                                 in->guest_path);
                    g_unlink (in->host_path);
                    petri_agent_message_clear (&msg);
                    goto fail_flush;
                  }
                close (in->fd);
                in->fd = -1;
                /* Events before the file come first. */
                flush_events (batch, funcs, user_data, &last_flush);
                file = (PetriDroppedFile){ .host_path = in->host_path,
                                           .guest_path = in->guest_path,
                                           .pid = in->pid,
                                           .size = in->size,
                                           .sha256 = got };
                result->n_dropped++;
                if (funcs->dropped_file != NULL)
                  funcs->dropped_file (&file, user_data);
                g_clear_pointer (&in, incoming_free);
              }
              break;
            case PETRI_AGENT_MSG_RUN_DONE:
              if (run_end != 0)
                result->run_seconds
                    = (double) (MIN (g_get_monotonic_time (), run_end) - run_end) / G_USEC_PER_SEC
                      + duration;
              result->exit_status = msg.exit_status;
              result->truncated
                  = msg.truncated || petri_agent_receiver_get_truncated (self->receiver);
              flush_events (batch, funcs, user_data, &last_flush);
              if (!collecting && funcs->collecting != NULL)
                funcs->collecting (user_data);
              petri_agent_message_clear (&msg);
              return TRUE;
            default:
              g_assert_not_reached ();
            }
          petri_agent_message_clear (&msg);
          continue;
        }
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto fail_flush;
        }

      /* Nothing complete buffered: deliver what we have before waiting. */
      if (batch->len > 0)
        {
          if (now - last_flush >= EVENT_FLUSH_US)
            flush_events (batch, funcs, user_data, &last_flush);
          else
            wait_until = MIN (wait_until, last_flush + EVENT_FLUSH_US);
        }
      if (!collecting && run_end != 0)
        wait_until = MIN (wait_until, run_end);
      if (!wait_io (self, 0, wait_until, cancellable, &revents, &local_error))
        {
          if (wait_until < deadline
              && g_error_matches (local_error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_TIMEOUT))
            continue;
          if (g_error_matches (local_error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_TIMEOUT))
            {
              g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_TIMEOUT,
                           _ ("the guest agent did not finish within %u s of the run time"),
                           (guint) ((deadline - (run_end ? run_end : deadline)) / G_USEC_PER_SEC));
              if (run_end == 0)
                {
                  g_clear_error (error);
                  g_set_error_literal (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_TIMEOUT,
                                       _ ("the guest agent never started the sample"));
                }
            }
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          goto fail_flush;
        }
    }

fail_flush:
  /* What arrived before the failure is kept. */
  flush_events (batch, funcs, user_data, &last_flush);
  result->truncated = petri_agent_receiver_get_truncated (self->receiver);
  if (in != NULL && in->fd >= 0)
    g_unlink (in->host_path);
fail:
  return FALSE;
}

gboolean
petri_agent_channel_poweroff (PetriAgentChannel *self, GError **error)
{
  g_autoptr (JsonObject) o = json_object_new ();
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  return send_json (self, PETRI_AGENT_MSG_POWEROFF, o, deadline, NULL, error);
}
