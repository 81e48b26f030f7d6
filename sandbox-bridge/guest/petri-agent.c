/* petri-agent.c: Petri's guest agent
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A static program the guest's /init starts. It talks to Petri over the
 * virtio-serial port named PETRI_AGENT_PORT_NAME (petri-agent-protocol.h):
 * answers the nonce handshake, receives a sample, runs it under the eBPF
 * monitor streaming behaviour events as they happen, kills the whole process
 * tree when the time is up, sends back the files the sample wrote, and powers
 * the guest off when asked.
 *
 *   petri-agent --guest                       the guest's agent
 *   petri-agent --port PATH [--workdir DIR]   same protocol over a unix socket
 *                                             or device (tests; never powers off)
 *   petri-agent --monitor-only [--events FILE] [--timeout S] -- CMD [ARG…]
 *                                             run CMD under the monitor here,
 *                                             one JSON event per line
 */
#define _GNU_SOURCE
#include "config.h"

#include "petri-agent-frame.h"
#include "petri-json.h"
#include "petri-monitor.h"
#include "petri-sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define AGENT_NAME "petri-agent " PACKAGE_VERSION
#define MAX_SAMPLE (64u * 1024u * 1024u)
#define MAX_COLLECT_TOTAL (256u * 1024u * 1024u)
#define MAX_COLLECT_FILE (32u * 1024u * 1024u)
#define MAX_COLLECT_FILES 256
#define MAX_ARGS 256
#define MAX_ARG_LEN 4096
#define MAX_DURATION 3600
#define MAX_UPLOADS 16
#define SEND_TIMEOUT_MS 30000

typedef struct
{
  /* transport */
  const char *port_path;
  int fd;
  int is_socket;
  int connected; /* 0 after a write failed: nothing more is sent this session */
  int guest;     /* POWEROFF powers the machine off */
  PetriAgentFrameReader reader;
  /* monitor */
  PetriMonitor *mon;
  char mon_error[256];
  /* session */
  int hello;
  char workdir[PATH_MAX];
  char uploads[MAX_UPLOADS][65];
  unsigned int n_uploads;
  /* upload in progress */
  int put_fd;
  char put_name[65];
  uint64_t put_size;
  uint64_t put_got;
  char put_sha[65];
  PetriSha256 put_ctx;
  /* run in progress */
  pid_t run_pid;
  int run_active;
  int run_reaped;
  int run_status;
  int out_fd;
  uint64_t run_deadline_ms;
  uint64_t collect_max;
  /* monitor-only output */
  FILE *events_out;
  PjWriter w;
} Agent;

static void
log_msg (const char *fmt, ...)
{
  va_list ap;

  fputs ("petri-agent: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
}

static uint64_t
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

static void
sleep_ms (unsigned int ms)
{
  struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };

  nanosleep (&ts, NULL);
}

/* dir + "/" + name into out; -1 when it does not fit. */
static int
join_path (char *out, size_t size, const char *dir, const char *name)
{
  size_t dl = strlen (dir), nl = strlen (name);

  if (dl + 1 + nl + 1 > size)
    return -1;
  memcpy (out, dir, dl);
  out[dl] = '/';
  memcpy (out + dl + 1, name, nl + 1);
  return 0;
}

/* ---- transport ---- */

static int
write_all (Agent *a, const void *data, size_t len)
{
  const uint8_t *p = data;
  uint64_t deadline = now_ms () + SEND_TIMEOUT_MS;

  if (!a->connected || a->fd < 0)
    return -1;
  while (len > 0)
    {
      ssize_t n = write (a->fd, p, len);

      if (n > 0)
        {
          p += n;
          len -= (size_t) n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno != EAGAIN)
        {
          log_msg ("cannot write to the host: %s", strerror (errno));
          a->connected = 0;
          return -1;
        }
      if (now_ms () > deadline)
        {
          log_msg ("the host does not read: giving up on this session");
          a->connected = 0;
          return -1;
        }
      {
        struct pollfd pfd = { a->fd, POLLOUT, 0 };
        if (poll (&pfd, 1, 200) > 0 && (pfd.revents & POLLOUT) == 0)
          sleep_ms (50); /* host not connected (POLLHUP) */
      }
    }
  return 0;
}

static int
send_frame (Agent *a, uint32_t type, const void *payload, size_t len)
{
  uint8_t header[PETRI_AGENT_HEADER_SIZE];

  if (len > UINT32_MAX || petri_agent_frame_encode_header (header, type, (uint32_t) len) != 0)
    {
      log_msg ("refusing to send an oversized %s frame", petri_agent_msg_type_to_string (type));
      return -1;
    }
  if (write_all (a, header, sizeof header) != 0)
    return -1;
  if (len > 0 && write_all (a, payload, len) != 0)
    return -1;
  return 0;
}

static int
send_json (Agent *a, uint32_t type)
{
  if (a->w.oom)
    return -1;
  return send_frame (a, type, a->w.buf, a->w.len);
}

static int
send_error (Agent *a, const char *fmt, ...)
{
  char msg[512];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  log_msg ("%s", msg);
  pj_writer_reset (&a->w);
  pj_begin_object (&a->w);
  pj_member_string (&a->w, "message", msg);
  pj_end_object (&a->w);
  return send_json (a, PETRI_AGENT_MSG_ERROR);
}

/* The virtio-serial port whose name is PETRI_AGENT_PORT_NAME: /dev/vportNpM */
static int
find_virtio_port (char *out, size_t out_size)
{
  DIR *d = opendir ("/sys/class/virtio-ports");
  struct dirent *de;
  int found = 0;

  if (d == NULL)
    return 0;
  while (!found && (de = readdir (d)) != NULL)
    {
      char path[PATH_MAX], name[128];
      FILE *f;

      if (de->d_name[0] == '.')
        continue;
      snprintf (path, sizeof path, "/sys/class/virtio-ports/%s/name", de->d_name);
      f = fopen (path, "re");
      if (f == NULL)
        continue;
      if (fgets (name, sizeof name, f) != NULL)
        {
          name[strcspn (name, "\n")] = '\0';
          if (strcmp (name, PETRI_AGENT_PORT_NAME) == 0)
            {
              snprintf (out, out_size, "/dev/%s", de->d_name);
              found = 1;
            }
        }
      fclose (f);
    }
  closedir (d);
  return found;
}

static int
open_port (Agent *a)
{
  static char dev[PATH_MAX];
  struct stat st;

  if (a->guest && a->port_path == NULL)
    {
      uint64_t start = now_ms (), last_log = start;

      while (!find_virtio_port (dev, sizeof dev))
        {
          if (now_ms () - last_log > 10000)
            {
              log_msg ("still no virtio-serial port named %s", PETRI_AGENT_PORT_NAME);
              last_log = now_ms ();
            }
          sleep_ms (100);
        }
      a->port_path = dev;
    }
  if (stat (a->port_path, &st) == 0 && S_ISSOCK (st.st_mode))
    {
      struct sockaddr_un sun = { .sun_family = AF_UNIX };

      if (strlen (a->port_path) >= sizeof sun.sun_path)
        {
          log_msg ("socket path too long: %s", a->port_path);
          return -1;
        }
      strcpy (sun.sun_path, a->port_path);
      a->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (a->fd < 0 || connect (a->fd, (struct sockaddr *) &sun, sizeof sun) != 0)
        {
          log_msg ("cannot connect to %s: %s", a->port_path, strerror (errno));
          return -1;
        }
      a->is_socket = 1;
    }
  else
    {
      a->fd = open (a->port_path, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
      if (a->fd < 0)
        {
          log_msg ("cannot open %s: %s", a->port_path, strerror (errno));
          return -1;
        }
    }
  log_msg ("talking to the host on %s", a->port_path);
  return 0;
}

/* ---- session state ---- */

static void
abort_upload (Agent *a)
{
  if (a->put_fd >= 0)
    {
      char path[PATH_MAX];

      close (a->put_fd);
      a->put_fd = -1;
      if (join_path (path, sizeof path, a->workdir, a->put_name) == 0)
        unlink (path);
    }
}

static void kill_tree (Agent *a);
static void finish_run (Agent *a, int send);

static void
reset_session (Agent *a)
{
  abort_upload (a);
  if (a->run_active)
    finish_run (a, 0);
  a->hello = 0;
  a->n_uploads = 0;
}

static int
valid_name (const char *s)
{
  size_t n = s ? strlen (s) : 0;

  if (n == 0 || n > 64 || s[0] == '.')
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')
          || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
      return 0;
  return 1;
}

static int
valid_hex (const char *s, size_t min, size_t max)
{
  size_t n = s ? strlen (s) : 0;

  if (n < min || n > max)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return 1;
}

/* ---- messages ---- */

static void
handle_hello (Agent *a, const PjNode *msg)
{
  const char *nonce = pj_object_get_string (msg, "nonce");
  long long version = 0;
  struct utsname u;

  if (!valid_hex (nonce, 8, 64) || pj_object_get_int (msg, "version", &version) != 0)
    {
      log_msg ("ignoring a malformed HELLO");
      return;
    }
  reset_session (a);
  a->hello = 1;
  a->connected = 1;
  uname (&u);
  pj_writer_reset (&a->w);
  pj_begin_object (&a->w);
  pj_member_string (&a->w, "nonce", nonce);
  pj_member_int (&a->w, "version", PETRI_AGENT_PROTOCOL_VERSION);
  pj_member_string (&a->w, "platform", "linux");
  pj_member_string (&a->w, "agent", AGENT_NAME);
  pj_member_string (&a->w, "kernel", u.release);
  pj_member_string (&a->w, "monitor", a->mon != NULL ? "ebpf" : "none");
  if (a->mon == NULL)
    pj_member_string (&a->w, "monitor_error", a->mon_error);
  pj_end_object (&a->w);
  send_json (a, PETRI_AGENT_MSG_HELLO_ACK);
  if (version != PETRI_AGENT_PROTOCOL_VERSION)
    log_msg ("the host speaks protocol version %lld, this agent %d", version,
             PETRI_AGENT_PROTOCOL_VERSION);
}

static void
handle_put_begin (Agent *a, const PjNode *msg)
{
  const char *name = pj_object_get_string (msg, "name");
  const char *sha = pj_object_get_string (msg, "sha256");
  long long size = -1;
  char path[PATH_MAX];

  abort_upload (a);
  if (!valid_name (name))
    {
      send_error (a, "PUT_BEGIN: the name must be 1-64 characters of [A-Za-z0-9._-]");
      return;
    }
  if (pj_object_get_int (msg, "size", &size) != 0 || size < 0 || size > MAX_SAMPLE)
    {
      send_error (a, "PUT_BEGIN: size missing or over %u bytes", MAX_SAMPLE);
      return;
    }
  if (!valid_hex (sha, 64, 64))
    {
      send_error (a, "PUT_BEGIN: sha256 must be 64 lowercase hex digits");
      return;
    }
  if (a->run_active)
    {
      send_error (a, "PUT_BEGIN: a run is in progress");
      return;
    }
  if (join_path (path, sizeof path, a->workdir, name) != 0)
    {
      send_error (a, "PUT_BEGIN: the path is too long");
      return;
    }
  unlink (path);
  a->put_fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0755);
  if (a->put_fd < 0)
    {
      send_error (a, "PUT_BEGIN: cannot create %s: %s", path, strerror (errno));
      return;
    }
  snprintf (a->put_name, sizeof a->put_name, "%s", name);
  snprintf (a->put_sha, sizeof a->put_sha, "%s", sha);
  a->put_size = (uint64_t) size;
  a->put_got = 0;
  petri_sha256_init (&a->put_ctx);
}

static void
handle_put_data (Agent *a, const uint8_t *data, uint32_t len)
{
  const uint8_t *p = data;
  size_t left = len;

  if (a->put_fd < 0)
    {
      send_error (a, "PUT_DATA without PUT_BEGIN");
      return;
    }
  if (a->put_got + len > a->put_size)
    {
      abort_upload (a);
      send_error (a, "PUT_DATA: more than the announced %llu bytes",
                  (unsigned long long) a->put_size);
      return;
    }
  petri_sha256_update (&a->put_ctx, data, len);
  while (left > 0)
    {
      ssize_t n = write (a->put_fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : ENOSPC;

          abort_upload (a);
          send_error (a, "PUT_DATA: cannot write the sample: %s", strerror (saved));
          return;
        }
      p += n;
      left -= (size_t) n;
    }
  a->put_got += len;
}

static void
handle_put_end (Agent *a)
{
  char got[65];

  if (a->put_fd < 0)
    {
      send_error (a, "PUT_END without PUT_BEGIN");
      return;
    }
  petri_sha256_final_hex (&a->put_ctx, got);
  if (a->put_got != a->put_size)
    {
      abort_upload (a);
      send_error (a, "PUT_END: received %llu of %llu bytes", (unsigned long long) a->put_got,
                  (unsigned long long) a->put_size);
      return;
    }
  if (strcmp (got, a->put_sha) != 0)
    {
      abort_upload (a);
      send_error (a, "PUT_END: sha256 mismatch: announced %s, received %s", a->put_sha, got);
      return;
    }
  if (fsync (a->put_fd) != 0 && errno != EINVAL)
    log_msg ("fsync: %s", strerror (errno));
  close (a->put_fd);
  a->put_fd = -1;
  if (a->n_uploads < MAX_UPLOADS)
    snprintf (a->uploads[a->n_uploads++], sizeof a->uploads[0], "%s", a->put_name);
  pj_writer_reset (&a->w);
  pj_begin_object (&a->w);
  pj_member_string (&a->w, "sha256", got);
  pj_end_object (&a->w);
  send_json (a, PETRI_AGENT_MSG_OK);
}

/* ---- running a sample ---- */

static void
on_event (const char *json, size_t len, void *user_data)
{
  Agent *a = user_data;

  if (a->events_out != NULL)
    {
      fwrite (json, 1, len, a->events_out);
      fputc ('\n', a->events_out);
      fflush (a->events_out);
      return;
    }
  send_frame (a, PETRI_AGENT_MSG_EVENT, json, len);
}

static const char *const guest_env[] = {
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  "HOME=/root",
  "USER=root",
  "LOGNAME=root",
  "SHELL=/bin/sh",
  "TERM=linux",
  "LANG=C.UTF-8",
  NULL,
};

/* Starts argv[0] under the monitor. Returns the pid or -errno. */
static pid_t
start_child (Agent *a, char *const *argv, char *const *envp, int capture_output)
{
  int sync_pipe[2], out_pipe[2] = { -1, -1 };
  pid_t pid;
  int rc;
  char c = 'x';

  if (pipe2 (sync_pipe, O_CLOEXEC) != 0)
    return -errno;
  if (capture_output && pipe2 (out_pipe, O_CLOEXEC) != 0)
    {
      rc = -errno;
      close (sync_pipe[0]);
      close (sync_pipe[1]);
      return rc;
    }
  pid = fork ();
  if (pid < 0)
    {
      rc = -errno;
      close (sync_pipe[0]);
      close (sync_pipe[1]);
      if (out_pipe[0] >= 0)
        {
          close (out_pipe[0]);
          close (out_pipe[1]);
        }
      return rc;
    }
  if (pid == 0)
    {
      sigset_t none;

      setsid ();
      close (sync_pipe[1]);
      /* Wait until the monitor follows this pid. */
      while (read (sync_pipe[0], &c, 1) < 0 && errno == EINTR)
        ;
      if (capture_output)
        {
          int null = open ("/dev/null", O_RDONLY);
          if (null >= 0)
            dup2 (null, 0);
          dup2 (out_pipe[1], 1);
          dup2 (out_pipe[1], 2);
        }
      /* Nothing of the agent (port, BPF objects) stays visible. */
      close_range (3, ~0U, 0);
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      signal (SIGPIPE, SIG_DFL);
      signal (SIGCHLD, SIG_DFL);
      if (chdir (a->workdir) != 0)
        _exit (126);
      execve (argv[0], argv, envp);
      _exit (127);
    }
  close (sync_pipe[0]);
  if (capture_output)
    {
      close (out_pipe[1]);
      a->out_fd = out_pipe[0];
      fcntl (a->out_fd, F_SETFL, O_NONBLOCK);
    }
  rc = petri_monitor_track (a->mon, pid, a->workdir);
  if (rc != 0)
    {
      kill (pid, SIGKILL);
      close (sync_pipe[1]);
      waitpid (pid, NULL, 0);
      return rc;
    }
  if (write (sync_pipe[1], &c, 1) != 1)
    log_msg ("cannot release the sample: %s", strerror (errno));
  close (sync_pipe[1]);
  a->run_pid = pid;
  a->run_active = 1;
  a->run_reaped = 0;
  a->run_status = 0;
  return pid;
}

/* Reaps every child (the agent is a child subreaper: orphans come here).
 * A sample that called ptrace(PTRACE_TRACEME) made the agent its tracer:
 * such a child reports ptrace stops here; it is let go with its signal, as
 * if nobody were tracing it (the trap that follows its exec is dropped). */
static void
reap (Agent *a)
{
  int status;
  pid_t pid;

  while ((pid = waitpid (-1, &status, WNOHANG | __WALL)) > 0)
    {
      if (WIFSTOPPED (status))
        {
          int sig = WSTOPSIG (status);
          siginfo_t si = { 0 };

          if (sig == SIGTRAP && ptrace (PTRACE_GETSIGINFO, pid, NULL, &si) == 0 && si.si_code <= 0)
            sig = 0;
          ptrace (PTRACE_DETACH, pid, NULL, (void *) (long) sig);
          continue;
        }
      if (pid == a->run_pid)
        {
          a->run_reaped = 1;
          a->run_status = status;
        }
    }
}

static void
kill_tree (Agent *a)
{
  pid_t pids[1024];

  if (a->run_pid > 0)
    kill (-a->run_pid, SIGKILL);
  for (int round = 0; round < 200; round++)
    {
      unsigned int n = petri_monitor_tracked (a->mon, pids, 1024);

      if (n == 0)
        break;
      for (unsigned int i = 0; i < n; i++)
        kill (pids[i], SIGKILL);
      reap (a);
      petri_monitor_poll (a->mon, 10);
    }
  petri_monitor_untrack_all (a->mon);
  /* The killed processes become zombies a moment after their exit was
   * traced: wait (up to 2 s) until every child of the agent is reaped. */
  for (int round = 0; round < 400; round++)
    {
      siginfo_t si;

      reap (a);
      if (waitid (P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0 && errno == ECHILD)
        break;
      sleep_ms (5);
    }
}

static void
drain_output (Agent *a)
{
  char buf[4096];

  if (a->out_fd < 0)
    return;
  while (read (a->out_fd, buf, sizeof buf) > 0)
    ;
}

static int
run_exit_status (Agent *a)
{
  if (!a->run_reaped)
    return -1;
  if (WIFEXITED (a->run_status))
    return WEXITSTATUS (a->run_status);
  if (WIFSIGNALED (a->run_status))
    return 128 + WTERMSIG (a->run_status);
  return -1;
}

static void
send_file (Agent *a, const char *path, pid_t pid, uint64_t *budget, int *truncated)
{
  struct stat st;
  uint8_t *data;
  size_t got = 0;
  uint64_t cap = *budget < MAX_COLLECT_FILE ? *budget : MAX_COLLECT_FILE;
  PetriSha256 ctx;
  char sha[65];
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return; /* deleted since, or not a plain file */
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return;
    }
  if ((uint64_t) st.st_size > cap)
    {
      log_msg ("not collecting %s: %lld bytes over the limit", path, (long long) st.st_size);
      *truncated = 1;
      close (fd);
      return;
    }
  data = malloc (st.st_size > 0 ? (size_t) st.st_size : 1);
  if (data == NULL)
    {
      close (fd);
      *truncated = 1;
      return;
    }
  while (got < (size_t) st.st_size)
    {
      ssize_t n = read (fd, data + got, (size_t) st.st_size - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += (size_t) n;
    }
  close (fd);
  petri_sha256_init (&ctx);
  petri_sha256_update (&ctx, data, got);
  petri_sha256_final_hex (&ctx, sha);
  pj_writer_reset (&a->w);
  pj_begin_object (&a->w);
  pj_member_string (&a->w, "path", path);
  pj_member_uint (&a->w, "size", got);
  pj_member_string (&a->w, "sha256", sha);
  pj_member_int (&a->w, "pid", pid);
  pj_end_object (&a->w);
  if (send_json (a, PETRI_AGENT_MSG_FILE_BEGIN) == 0)
    {
      for (size_t off = 0; off < got; off += PETRI_AGENT_MAX_CHUNK)
        {
          size_t n = got - off < PETRI_AGENT_MAX_CHUNK ? got - off : PETRI_AGENT_MAX_CHUNK;
          if (send_frame (a, PETRI_AGENT_MSG_FILE_DATA, data + off, n) != 0)
            break;
        }
      send_frame (a, PETRI_AGENT_MSG_FILE_END, "{}", 2);
    }
  *budget -= got;
  free (data);
}

static void
finish_run (Agent *a, int send)
{
  const char *const *paths;
  const pid_t *pids;
  unsigned int n;
  uint64_t budget = a->collect_max;
  int truncated = 0;

  kill_tree (a);
  /* Events still in the ring buffer, then the sample's last output. */
  while (petri_monitor_poll (a->mon, 50) > 0)
    ;
  drain_output (a);
  if (a->out_fd >= 0)
    {
      close (a->out_fd);
      a->out_fd = -1;
    }
  if (send && a->events_out == NULL)
    {
      n = petri_monitor_written_files (a->mon, &paths, &pids);
      for (unsigned int i = 0; i < n && a->connected; i++)
        {
          if (i >= MAX_COLLECT_FILES)
            {
              truncated = 1;
              break;
            }
          send_file (a, paths[i], pids[i], &budget, &truncated);
        }
      pj_writer_reset (&a->w);
      pj_begin_object (&a->w);
      pj_member_int (&a->w, "exit_status", run_exit_status (a));
      pj_member_uint (&a->w, "events", petri_monitor_events (a->mon));
      pj_member_uint (&a->w, "dropped", petri_monitor_dropped (a->mon));
      pj_member_bool (&a->w, "truncated", truncated);
      pj_end_object (&a->w);
      send_json (a, PETRI_AGENT_MSG_RUN_DONE);
    }
  a->run_active = 0;
  a->run_pid = 0;
}

static void
handle_run (Agent *a, const PjNode *msg)
{
  const char *name = pj_object_get_string (msg, "name");
  const PjNode *args = pj_object_get (msg, "args");
  long long duration = 60, collect_max = 8 * 1024 * 1024;
  char *argv[MAX_ARGS + 2];
  char path[PATH_MAX];
  unsigned int argc = 0, known = 0;
  pid_t pid;

  if (a->run_active)
    {
      send_error (a, "RUN: a run is already in progress");
      return;
    }
  if (a->mon == NULL)
    {
      send_error (a, "RUN: the behaviour monitor is not available: %s", a->mon_error);
      return;
    }
  if (!valid_name (name))
    {
      send_error (a, "RUN: bad sample name");
      return;
    }
  for (unsigned int i = 0; i < a->n_uploads; i++)
    if (strcmp (a->uploads[i], name) == 0)
      known = 1;
  if (!known)
    {
      send_error (a, "RUN: “%s” was not uploaded in this session", name);
      return;
    }
  if (pj_object_get (msg, "duration") != NULL
      && (pj_object_get_int (msg, "duration", &duration) != 0 || duration < 1
          || duration > MAX_DURATION))
    {
      send_error (a, "RUN: duration must be 1-%d seconds", MAX_DURATION);
      return;
    }
  if (pj_object_get (msg, "collect_max") != NULL
      && (pj_object_get_int (msg, "collect_max", &collect_max) != 0 || collect_max < 0
          || collect_max > MAX_COLLECT_TOTAL))
    {
      send_error (a, "RUN: collect_max must be 0-%u bytes", MAX_COLLECT_TOTAL);
      return;
    }
  if (args != NULL && (args->type != PJ_ARRAY || pj_array_length (args) > MAX_ARGS))
    {
      send_error (a, "RUN: args must be an array of at most %d strings", MAX_ARGS);
      return;
    }
  if (join_path (path, sizeof path, a->workdir, name) != 0)
    {
      send_error (a, "RUN: the path is too long");
      return;
    }
  argv[argc++] = path;
  for (const PjNode *c = args ? args->child : NULL; c != NULL; c = c->next)
    {
      if (c->type != PJ_STRING || strlen (c->string) > MAX_ARG_LEN)
        {
          send_error (a, "RUN: every argument must be a string of at most %d bytes", MAX_ARG_LEN);
          return;
        }
      argv[argc++] = c->string;
    }
  argv[argc] = NULL;

  a->collect_max = (uint64_t) collect_max;
  pid = start_child (a, argv, (char *const *) guest_env, 1);
  if (pid < 0)
    {
      send_error (a, "RUN: cannot start the sample: %s", strerror ((int) -pid));
      return;
    }
  a->run_deadline_ms = now_ms () + (uint64_t) duration * 1000u;
  pj_writer_reset (&a->w);
  pj_begin_object (&a->w);
  pj_member_int (&a->w, "pid", pid);
  pj_end_object (&a->w);
  send_json (a, PETRI_AGENT_MSG_STARTED);
  log_msg ("running %s (pid %d) for %lld s", name, (int) pid, duration);
}

static void
power_off (Agent *a)
{
  if (a->run_active)
    finish_run (a, 0);
  if (!a->guest)
    {
      log_msg ("POWEROFF: exiting (not in a guest)");
      exit (0);
    }
  log_msg ("powering off");
  sync ();
  reboot (RB_POWER_OFF);
  log_msg ("reboot(RB_POWER_OFF) failed: %s", strerror (errno));
  exit (1);
}

static void
handle_frame (Agent *a, const PetriAgentFrameHeader *h, const uint8_t *payload)
{
  PjNode *msg = NULL;
  char err[128];

  if (!petri_agent_msg_type_is_raw (h->type))
    {
      msg = pj_parse ((const char *) payload, h->length, err, sizeof err);
      if (msg == NULL || msg->type != PJ_OBJECT)
        {
          if (a->hello)
            send_error (a, "%s: the payload is not a JSON object (%s)",
                        petri_agent_msg_type_to_string (h->type),
                        msg == NULL ? err : "not an object");
          pj_node_free (msg);
          return;
        }
    }
  if (h->type == PETRI_AGENT_MSG_HELLO)
    {
      handle_hello (a, msg);
      pj_node_free (msg);
      return;
    }
  if (!a->hello)
    {
      /* Stale bytes queued before this agent started: not for us. */
      pj_node_free (msg);
      return;
    }
  switch (h->type)
    {
    case PETRI_AGENT_MSG_PUT_BEGIN:
      handle_put_begin (a, msg);
      break;
    case PETRI_AGENT_MSG_PUT_DATA:
      handle_put_data (a, payload, h->length);
      break;
    case PETRI_AGENT_MSG_PUT_END:
      handle_put_end (a);
      break;
    case PETRI_AGENT_MSG_RUN:
      handle_run (a, msg);
      break;
    case PETRI_AGENT_MSG_POWEROFF:
      pj_node_free (msg);
      power_off (a);
      return;
    default:
      send_error (a, "unexpected %s message from the host",
                  petri_agent_msg_type_to_string (h->type));
      break;
    }
  pj_node_free (msg);
}

/* Reads what the host sent and handles every whole frame. Returns 0, or -1
 * when the host is not there (read returned 0). */
static int
read_port (Agent *a)
{
  for (;;)
    {
      size_t room;
      uint8_t *space = petri_agent_frame_reader_space (&a->reader, &room);
      PetriAgentFrameHeader h;
      const uint8_t *payload;
      PetriAgentFrameStatus st;
      ssize_t n = 0;

      if (room > 0)
        {
          n = read (a->fd, space, room);
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0 && errno != EAGAIN)
            {
              log_msg ("cannot read from the host: %s", strerror (errno));
              return -1;
            }
          if (n == 0)
            return -1;
          if (n > 0)
            petri_agent_frame_reader_commit (&a->reader, (size_t) n);
        }
      while ((st = petri_agent_frame_reader_next (&a->reader, &h, &payload))
             == PETRI_AGENT_FRAME_OK)
        handle_frame (a, &h, payload);
      if (st != PETRI_AGENT_FRAME_NEED_MORE)
        {
          size_t dropped = petri_agent_frame_reader_resync (&a->reader);
          log_msg ("bad frame from the host (%s): dropped %zu bytes, waiting for a new HELLO",
                   petri_agent_frame_status_to_string (st), dropped);
          reset_session (a);
          continue;
        }
      if (n <= 0)
        return 0;
    }
}

static int
serve (Agent *a)
{
  if (petri_agent_frame_reader_init (&a->reader) != 0 || open_port (a) != 0)
    return 1;
  a->connected = 1;
  for (;;)
    {
      struct pollfd pfd[3];
      int nfds = 0, timeout = 1000;

      pfd[nfds++] = (struct pollfd){ a->fd, POLLIN, 0 };
      if (a->run_active)
        {
          uint64_t now = now_ms ();
          pfd[nfds++] = (struct pollfd){ petri_monitor_fd (a->mon), POLLIN, 0 };
          if (a->out_fd >= 0)
            pfd[nfds++] = (struct pollfd){ a->out_fd, POLLIN, 0 };
          timeout = now >= a->run_deadline_ms ? 0 : (int) (a->run_deadline_ms - now);
          if (timeout > 100)
            timeout = 100;
        }
      if (poll (pfd, (nfds_t) nfds, timeout) < 0 && errno != EINTR)
        {
          log_msg ("poll: %s", strerror (errno));
          return 1;
        }
      if (pfd[0].revents & POLLIN)
        {
          if (read_port (a) != 0)
            {
              if (a->is_socket)
                {
                  log_msg ("the host closed the connection");
                  if (a->run_active)
                    finish_run (a, 0);
                  return 0;
                }
              sleep_ms (50); /* no host connected yet */
            }
        }
      else if (pfd[0].revents & (POLLHUP | POLLERR))
        {
          if (a->is_socket)
            {
              log_msg ("the host closed the connection");
              return 0;
            }
          sleep_ms (50);
        }
      if (a->run_active)
        {
          pid_t live[1];

          petri_monitor_poll (a->mon, 0);
          drain_output (a);
          reap (a);
          if (now_ms () >= a->run_deadline_ms
              || (a->run_reaped && petri_monitor_tracked (a->mon, live, 1) == 0))
            finish_run (a, 1);
        }
    }
}

/* ---- monitor-only mode ---- */

static int
monitor_only (Agent *a, char **argv, unsigned int timeout_s)
{
  extern char **environ;
  uint64_t deadline;
  char cwd[PATH_MAX];
  char resolved[PATH_MAX];
  char *cmd[MAX_ARGS + 2];
  unsigned int i;
  pid_t pid;

  if (getcwd (cwd, sizeof cwd) == NULL)
    snprintf (cwd, sizeof cwd, "/");
  snprintf (a->workdir, sizeof a->workdir, "%s", cwd);
  for (i = 0; argv[i] != NULL && i < MAX_ARGS; i++)
    cmd[i] = argv[i];
  cmd[i] = NULL;
  /* execve() does not search PATH: resolve a bare command name here. */
  if (strchr (cmd[0], '/') == NULL)
    {
      const char *pathenv = getenv ("PATH");
      char *copy = strdup (pathenv ? pathenv : "/usr/bin:/bin");
      char *save = NULL;

      for (char *dir = strtok_r (copy, ":", &save); dir != NULL; dir = strtok_r (NULL, ":", &save))
        {
          if (join_path (resolved, sizeof resolved, dir, cmd[0]) == 0
              && access (resolved, X_OK) == 0)
            {
              cmd[0] = resolved;
              break;
            }
        }
      free (copy);
    }
  pid = start_child (a, cmd, environ, 0);
  if (pid < 0)
    {
      log_msg ("cannot start %s: %s", argv[0], strerror ((int) -pid));
      return 127;
    }
  deadline = now_ms () + (uint64_t) timeout_s * 1000u;
  for (;;)
    {
      pid_t live[1];

      petri_monitor_poll (a->mon, 50);
      reap (a);
      if (a->run_reaped && petri_monitor_tracked (a->mon, live, 1) == 0)
        break;
      if (now_ms () >= deadline)
        {
          log_msg ("time is up after %u s: killing the process tree", timeout_s);
          break;
        }
    }
  finish_run (a, 0);
  {
    int status = a->run_status;
    if (WIFEXITED (status))
      return WEXITSTATUS (status);
    return 128 + (WIFSIGNALED (status) ? WTERMSIG (status) : 0);
  }
}

static void
usage (FILE *out)
{
  fprintf (out, "Usage: petri-agent --guest\n"
                "       petri-agent --port PATH [--workdir DIR]\n"
                "       petri-agent --monitor-only [--events FILE] [--timeout S] -- CMD [ARG…]\n");
}

int
main (int argc, char **argv)
{
  static const struct option options[] = {
    { "guest", no_argument, NULL, 'g' },
    { "port", required_argument, NULL, 'p' },
    { "workdir", required_argument, NULL, 'w' },
    { "monitor-only", no_argument, NULL, 'm' },
    { "events", required_argument, NULL, 'e' },
    { "timeout", required_argument, NULL, 't' },
    { "version", no_argument, NULL, 'V' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  Agent agent = { .fd = -1, .put_fd = -1, .out_fd = -1 };
  Agent *a = &agent;
  int monitor_mode = 0, opt, rc;
  unsigned int timeout_s = 600;
  const char *events_path = NULL;

  while ((opt = getopt_long (argc, argv, "+", options, NULL)) != -1)
    switch (opt)
      {
      case 'g':
        a->guest = 1;
        break;
      case 'p':
        a->port_path = optarg;
        break;
      case 'w':
        snprintf (a->workdir, sizeof a->workdir, "%s", optarg);
        break;
      case 'm':
        monitor_mode = 1;
        break;
      case 'e':
        events_path = optarg;
        break;
      case 't':
        timeout_s = (unsigned int) strtoul (optarg, NULL, 10);
        if (timeout_s == 0)
          timeout_s = 1;
        break;
      case 'V':
        printf ("%s\n", AGENT_NAME);
        return 0;
      case 'h':
        usage (stdout);
        return 0;
      default:
        usage (stderr);
        return 2;
      }
  if (monitor_mode == (a->guest || a->port_path != NULL) || (monitor_mode && optind >= argc)
      || (!monitor_mode && optind < argc))
    {
      usage (stderr);
      return 2;
    }

  signal (SIGPIPE, SIG_IGN);
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  pj_writer_init (&a->w);
  a->mon = petri_monitor_new (on_event, a, a->mon_error, sizeof a->mon_error);

  if (monitor_mode)
    {
      if (a->mon == NULL)
        {
          log_msg ("the behaviour monitor is not available: %s", a->mon_error);
          return 77;
        }
      a->events_out = stdout;
      if (events_path != NULL && (a->events_out = fopen (events_path, "we")) == NULL)
        {
          log_msg ("cannot write %s: %s", events_path, strerror (errno));
          return 1;
        }
      rc = monitor_only (a, argv + optind, timeout_s);
      if (a->events_out != stdout)
        fclose (a->events_out);
      petri_monitor_free (a->mon);
      pj_writer_clear (&a->w);
      return rc;
    }

  if (a->mon == NULL)
    log_msg ("the behaviour monitor is not available: %s", a->mon_error);
  if (a->workdir[0] == '\0')
    snprintf (a->workdir, sizeof a->workdir, "/tmp");
  if (mkdir (a->workdir, 0755) != 0 && errno != EEXIST)
    {
      log_msg ("cannot create %s: %s", a->workdir, strerror (errno));
      return 1;
    }
  rc = serve (a);
  petri_agent_frame_reader_clear (&a->reader);
  petri_monitor_free (a->mon);
  pj_writer_clear (&a->w);
  return rc;
}
