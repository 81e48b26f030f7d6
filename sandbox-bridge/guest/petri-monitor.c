/* petri-monitor.c: Petri's Linux behaviour monitor (eBPF), user-space half
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include "petri-monitor.h"

#include "petri-json.h"
#include "petri-monitor-event.h"
#include "petri-monitor.skel.h"

#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 4096
#define MAX_SEEN 65536
#define MAX_WRITTEN 1024
#define PROC_SLOTS 16384 /* power of two, > PETRI_MON_MAX_TRACKED */

#ifndef PTRACE_SEIZE
#define PTRACE_SEIZE 0x4206
#endif
#define PTRACE_SETREGSET_ 0x4205

typedef struct
{
  char *path; /* file path, or NULL */
  int is_socket;
  int domain;
  int type;
  int protocol;
  char *peer; /* "addr:port" after connect */
  unsigned int peer_port;
} FdEntry;

typedef struct
{
  pid_t pid; /* 0: free slot; -1: deleted */
  pid_t ppid;
  char comm[16];
  char *cwd;
  FdEntry *fds;
  unsigned int nfds;
} Proc;

struct PetriMonitor
{
  struct petri_monitor_bpf *skel;
  struct ring_buffer *rb;
  PetriMonitorEventFunc func;
  void *user_data;
  PjWriter w;
  uint64_t start_ns;
  uint64_t events;
  uint64_t dropped_base;
  unsigned int created_mask;
  int calibrating;
  pid_t calib_pid;
  unsigned long long calib_modes[2];
  unsigned int calib_seen;
  Proc *procs;    /* open addressing by pid */
  uint64_t *seen; /* hashes of reported (pid, what) pairs, open addressing */
  unsigned int n_seen;
  char **written;
  pid_t *written_pids;
  unsigned int n_written;
};

/* ---- small helpers ---- */

static uint64_t
fnv1a (const void *data, size_t len, uint64_t h)
{
  const unsigned char *p = data;

  for (size_t i = 0; i < len; i++)
    {
      h ^= p[i];
      h *= 0x100000001b3ULL;
    }
  return h;
}

/* Whether (pid, kind, what) was reported already; remembers it if not. */
static int
seen_before (PetriMonitor *mon, pid_t pid, const char *kind, const char *what, size_t what_len)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  unsigned int slot;

  h = fnv1a (&pid, sizeof pid, h);
  h = fnv1a (kind, strlen (kind) + 1, h);
  h = fnv1a (what, what_len, h);
  if (h == 0)
    h = 1;
  if (mon->n_seen >= MAX_SEEN / 2)
    return 0; /* table full: report everything rather than lose events */
  slot = (unsigned int) (h & (MAX_SEEN - 1));
  while (mon->seen[slot] != 0)
    {
      if (mon->seen[slot] == h)
        return 1;
      slot = (slot + 1) & (MAX_SEEN - 1);
    }
  mon->seen[slot] = h;
  mon->n_seen++;
  return 0;
}

static uint64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static int
has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

/* Joins base and rel and removes ".", ".." and duplicate slashes. */
static char *
normalize_path (const char *base, const char *rel)
{
  size_t cap = (base ? strlen (base) : 0) + strlen (rel) + 3;
  char *joined = malloc (cap);
  char *out, *save = NULL, *tok;
  size_t len = 0;

  if (joined == NULL)
    return NULL;
  if (rel[0] == '/' || base == NULL)
    snprintf (joined, cap, "%s", rel);
  else
    snprintf (joined, cap, "%s/%s", base, rel);
  if (joined[0] != '/')
    return joined; /* still relative: leave as is */
  out = malloc (cap);
  if (out == NULL)
    {
      free (joined);
      return NULL;
    }
  out[0] = '\0';
  for (tok = strtok_r (joined, "/", &save); tok != NULL; tok = strtok_r (NULL, "/", &save))
    {
      if (strcmp (tok, ".") == 0)
        continue;
      if (strcmp (tok, "..") == 0)
        {
          char *slash = strrchr (out, '/');
          if (slash != NULL)
            {
              *slash = '\0';
              len = (size_t) (slash - out);
            }
          continue;
        }
      len += (size_t) snprintf (out + len, cap - len, "/%s", tok);
    }
  if (len == 0)
    snprintf (out, cap, "/");
  free (joined);
  return out;
}

/* ---- process table ---- */

static Proc *
proc_find (PetriMonitor *mon, pid_t pid)
{
  unsigned int slot = ((unsigned int) pid * 2654435761u) & (PROC_SLOTS - 1);

  for (unsigned int i = 0; i < PROC_SLOTS; i++)
    {
      Proc *p = &mon->procs[(slot + i) & (PROC_SLOTS - 1)];
      if (p->pid == pid)
        return p;
      if (p->pid == 0)
        return NULL;
    }
  return NULL;
}

static void
fd_entry_clear (FdEntry *e)
{
  free (e->path);
  free (e->peer);
  memset (e, 0, sizeof *e);
}

static void
proc_clear (Proc *p)
{
  for (unsigned int i = 0; i < p->nfds; i++)
    fd_entry_clear (&p->fds[i]);
  free (p->fds);
  free (p->cwd);
  memset (p, 0, sizeof *p);
}

static Proc *
proc_get (PetriMonitor *mon, pid_t pid)
{
  unsigned int slot = ((unsigned int) pid * 2654435761u) & (PROC_SLOTS - 1);
  Proc *p = proc_find (mon, pid);

  if (p != NULL)
    return p;
  for (unsigned int i = 0; i < PROC_SLOTS; i++)
    {
      p = &mon->procs[(slot + i) & (PROC_SLOTS - 1)];
      if (p->pid <= 0)
        {
          memset (p, 0, sizeof *p);
          p->pid = pid;
          return p;
        }
    }
  return NULL;
}

static void
proc_remove (PetriMonitor *mon, pid_t pid)
{
  Proc *p = proc_find (mon, pid);

  if (p == NULL)
    return;
  proc_clear (p);
  p->pid = -1; /* tombstone keeps probe chains intact */
}

static FdEntry *
proc_fd (Proc *p, long fd, int create)
{
  if (p == NULL || fd < 0 || fd >= MAX_FDS)
    return NULL;
  if ((unsigned long) fd >= p->nfds)
    {
      unsigned int n = p->nfds ? p->nfds : 16;
      FdEntry *nf;

      if (!create)
        return NULL;
      while (n <= (unsigned long) fd)
        n *= 2;
      nf = realloc (p->fds, n * sizeof *nf);
      if (nf == NULL)
        return NULL;
      memset (nf + p->nfds, 0, (n - p->nfds) * sizeof *nf);
      p->fds = nf;
      p->nfds = n;
    }
  return &p->fds[fd];
}

static void
fd_copy (FdEntry *dst, const FdEntry *src)
{
  fd_entry_clear (dst);
  *dst = *src;
  dst->path = src->path ? strdup (src->path) : NULL;
  dst->peer = src->peer ? strdup (src->peer) : NULL;
}

/* The path an fd refers to: from the table, else from /proc (the process may
 * have inherited it from outside the tree). Returns a pointer into the
 * table; or NULL. */
static const char *
fd_path (Proc *p, long fd)
{
  FdEntry *e = proc_fd (p, fd, 0);
  char link[64], target[PATH_MAX];
  ssize_t n;

  if (e != NULL && e->path != NULL)
    return e->path;
  if (p == NULL || fd < 0)
    return NULL;
  snprintf (link, sizeof link, "/proc/%d/fd/%ld", (int) p->pid, fd);
  n = readlink (link, target, sizeof target - 1);
  if (n <= 0)
    return NULL;
  target[n] = '\0';
  e = proc_fd (p, fd, 1);
  if (e == NULL)
    return NULL;
  e->path = strdup (target);
  if (has_prefix (target, "socket:"))
    e->is_socket = 1;
  return e->path;
}

/* ---- event output ---- */

static void
begin_event (PetriMonitor *mon, const struct petri_mon_event *e, const char *category,
             const char *action, pid_t pid, pid_t ppid, const char *target)
{
  PjWriter *w = &mon->w;
  char comm[17];
  double ts = e->ts_ns > mon->start_ns ? (double) (e->ts_ns - mon->start_ns) / 1e9 : 0.0;

  memcpy (comm, e->comm, 16);
  comm[16] = '\0';
  pj_writer_reset (w);
  pj_begin_object (w);
  pj_key (w, "ts");
  pj_double (w, ts);
  pj_member_string (w, "category", category);
  pj_member_string (w, "action", action);
  pj_member_int (w, "pid", pid);
  pj_member_int (w, "ppid", ppid);
  pj_member_string (w, "process", comm);
  pj_member_string (w, "target", target);
  pj_key (w, "details");
  pj_begin_object (w);
  /* A call through the 32-bit entry: a 32-bit program, or a 64-bit one
   * that uses it to slip past monitors that only watch the 64-bit table. */
  if (e->kind == PETRI_MON_SYSCALL && (e->aux & PETRI_MON_AUX_COMPAT))
    pj_member_string (w, "abi", "i386");
}

static void
end_event (PetriMonitor *mon)
{
  PjWriter *w = &mon->w;

  pj_end_object (w); /* details */
  pj_end_object (w);
  if (w->oom)
    return;
  mon->events++;
  if (mon->func != NULL)
    mon->func (w->buf, w->len, mon->user_data);
}

static void
member_result (PetriMonitor *mon, long long ret)
{
  pj_member_int (&mon->w, "result", ret);
  if (ret < 0 && ret > -4096)
    pj_member_string (&mon->w, "error", strerrorname_np ((int) -ret));
}

/* The head of a payload as text: printable ASCII kept, anything else a
 * dot ("GET /x HTTP/1.1..Host: …"), at most 96 bytes. */
static void
member_preview (PetriMonitor *mon, const struct petri_mon_event *e)
{
  char text[97];
  size_t n = e->len1 < sizeof text - 1 ? (size_t) e->len1 : sizeof text - 1;

  if (n == 0)
    return;
  for (size_t i = 0; i < n; i++)
    {
      unsigned char c = (unsigned char) e->str1[i];
      text[i] = c >= 0x20 && c < 0x7f ? (char) c : '.';
    }
  text[n] = '\0';
  pj_member_string (&mon->w, "preview", text);
}

static const char *
syscall_name (long nr)
{
  switch (nr)
    {
    case SYS_open:
      return "open";
    case SYS_openat:
      return "openat";
    case SYS_openat2:
      return "openat2";
    case SYS_creat:
      return "creat";
    case SYS_access:
      return "access";
    case SYS_faccessat:
      return "faccessat";
    case SYS_faccessat2:
      return "faccessat2";
    case SYS_stat:
      return "stat";
    case SYS_lstat:
      return "lstat";
    case SYS_newfstatat:
      return "newfstatat";
    case SYS_statx:
      return "statx";
    case SYS_readlink:
      return "readlink";
    case SYS_readlinkat:
      return "readlinkat";
    default:
      return "syscall";
    }
}

/* ---- classification of paths ---- */

static const char *const sensitive_paths[] = {
  "/etc/shadow",        "/etc/gshadow",     "/etc/passwd",        "/etc/sudoers",
  "/etc/master.passwd", "/etc/krb5.keytab", "/etc/ssh/ssh_host_", NULL,
};
static const char *const sensitive_parts[] = {
  "/.ssh/id_",
  "/.ssh/known_hosts",
  "/.gnupg/",
  "/.mozilla/firefox/",
  "/.config/google-chrome/",
  "/.config/chromium/",
  "/.config/BraveSoftware/",
  "/.bash_history",
  "/.aws/credentials",
  "/.netrc",
  "/.kube/config",
  "/.docker/config.json",
  "/.git-credentials",
  "/etc/ssl/private/",
  NULL,
};

static const char *const persistence_paths[] = {
  "/etc/cron",
  "/var/spool/cron/",
  "/etc/anacrontab",
  "/etc/systemd/system/",
  "/lib/systemd/system/",
  "/usr/lib/systemd/system/",
  "/etc/init.d/",
  "/etc/rc.local",
  "/etc/rc",
  "/etc/ld.so.preload",
  "/etc/profile",
  "/etc/bash.bashrc",
  "/etc/xdg/autostart/",
  "/etc/udev/rules.d/",
  "/etc/modules-load.d/",
  "/etc/modules",
  NULL,
};
static const char *const persistence_parts[] = {
  "/.bashrc",
  "/.bash_profile",
  "/.bash_login",
  "/.profile",
  "/.zshrc",
  "/.zprofile",
  "/.config/autostart/",
  "/.config/systemd/user/",
  "/.ssh/authorized_keys",
  "/.xinitrc",
  "/.xprofile",
  NULL,
};

static const char *const evasion_paths[] = {
  "/sys/class/dmi/id",
  "/sys/devices/virtual/dmi/",
  "/proc/cpuinfo",
  "/sys/hypervisor",
  "/proc/scsi/",
  "/sys/firmware/acpi/",
  "/proc/xen",
  "/dev/vboxguest",
  "/dev/vboxuser",
  "/proc/ide/",
  "/proc/sysinfo",
  "/proc/device-tree/hypervisor",
  "/sys/bus/pci/devices/",
  "/proc/modules",
  "/sys/module/vboxguest",
  "/sys/module/virtio",
  "/.dockerenv",
  "/proc/1/cgroup",
  "/proc/self/cgroup",
  "/sys/class/net/",
  "/proc/bus/pci/",
  NULL,
};

static int
matches (const char *path, const char *const *prefixes, const char *const *parts)
{
  for (unsigned int i = 0; prefixes != NULL && prefixes[i] != NULL; i++)
    if (has_prefix (path, prefixes[i]))
      return 1;
  for (unsigned int i = 0; parts != NULL && parts[i] != NULL; i++)
    if (strstr (path, parts[i]) != NULL)
      return 1;
  return 0;
}

/* /proc/self/status, /proc/<own pid>/status, /proc/thread-self/status … */
static int
is_status_probe (const char *path, pid_t pid)
{
  char own[64];

  snprintf (own, sizeof own, "/proc/%d/status", (int) pid);
  return strcmp (path, "/proc/self/status") == 0 || strcmp (path, own) == 0
         || (has_prefix (path, "/proc/") && strstr (path, "/task/") != NULL
             && strstr (path, "/status") != NULL);
}

/* /proc/<pid>/mem (or /proc/<pid>/task/<tid>/mem): returns the pid or 0 */
static long
proc_mem_target (const char *path, pid_t self)
{
  char *end;
  long pid;

  if (!has_prefix (path, "/proc/"))
    return 0;
  if (has_prefix (path, "/proc/self/"))
    {
      pid = self;
      end = (char *) path + strlen ("/proc/self");
    }
  else
    {
      pid = strtol (path + 6, &end, 10);
      if (end == path + 6 || pid <= 0)
        return 0;
    }
  if (strcmp (end, "/mem") == 0)
    return pid;
  if (has_prefix (end, "/task/") && strlen (end) > 4
      && strcmp (end + strlen (end) - 4, "/mem") == 0)
    return pid;
  return 0;
}

/* ---- written-file list for collection ---- */

static void
note_written (PetriMonitor *mon, const char *path, pid_t pid)
{
  if (path == NULL || path[0] != '/' || has_prefix (path, "/proc/") || has_prefix (path, "/sys/")
      || has_prefix (path, "/dev/"))
    return;
  for (unsigned int i = 0; i < mon->n_written; i++)
    if (strcmp (mon->written[i], path) == 0)
      return;
  if (mon->n_written >= MAX_WRITTEN)
    return;
  mon->written[mon->n_written] = strdup (path);
  if (mon->written[mon->n_written] == NULL)
    return;
  mon->written_pids[mon->n_written++] = pid;
}

static void
rename_written (PetriMonitor *mon, const char *from, const char *to, pid_t pid)
{
  for (unsigned int i = 0; i < mon->n_written; i++)
    if (strcmp (mon->written[i], from) == 0)
      {
        char *copy = strdup (to);
        if (copy == NULL)
          return;
        free (mon->written[i]);
        mon->written[i] = copy;
        return;
      }
  note_written (mon, to, pid);
}

/* ---- decoding ---- */

static char *
resolve (Proc *p, long dirfd, const char *path)
{
  const char *base = NULL;

  if (path[0] == '/')
    return normalize_path (NULL, path);
  if (dirfd == AT_FDCWD)
    base = p ? p->cwd : NULL;
  else
    base = fd_path (p, dirfd);
  if (base != NULL && base[0] != '/')
    base = NULL;
  return normalize_path (base, path);
}

static const char *
str0 (const struct petri_mon_event *e)
{
  return e->len0 > 0 ? e->str0 : "";
}

static void
format_sockaddr (const unsigned char *sa, size_t len, char *out, size_t out_size,
                 unsigned int *port_out, int *family_out)
{
  unsigned short family;

  *port_out = 0;
  *family_out = -1;
  out[0] = '\0';
  if (len < 2)
    return;
  memcpy (&family, sa, 2);
  *family_out = family;
  if (family == AF_INET && len >= sizeof (struct sockaddr_in))
    {
      struct sockaddr_in in;
      char a[INET_ADDRSTRLEN];

      memcpy (&in, sa, sizeof in);
      inet_ntop (AF_INET, &in.sin_addr, a, sizeof a);
      *port_out = ntohs (in.sin_port);
      snprintf (out, out_size, "%s:%u", a, *port_out);
    }
  else if (family == AF_INET6 && len >= sizeof (struct sockaddr_in6))
    {
      struct sockaddr_in6 in6;
      char a[INET6_ADDRSTRLEN];

      memcpy (&in6, sa, sizeof in6);
      inet_ntop (AF_INET6, &in6.sin6_addr, a, sizeof a);
      *port_out = ntohs (in6.sin6_port);
      snprintf (out, out_size, "[%s]:%u", a, *port_out);
    }
  else if (family == AF_UNIX)
    {
      const char *path = (const char *) sa + 2;
      size_t plen = len - 2;

      if (plen > 0 && path[0] == '\0')
        snprintf (out, out_size, "unix:@%.*s", (int) strnlen (path + 1, plen - 1), path + 1);
      else
        snprintf (out, out_size, "unix:%.*s", (int) strnlen (path, plen), path);
    }
  else if (family == AF_NETLINK)
    snprintf (out, out_size, "netlink");
  else
    snprintf (out, out_size, "family %u", family);
}

static const char *
family_name (int d)
{
  switch (d)
    {
    case AF_UNIX:
      return "unix";
    case AF_INET:
      return "inet";
    case AF_INET6:
      return "inet6";
    case AF_NETLINK:
      return "netlink";
    case AF_PACKET:
      return "packet";
    default:
      return "other";
    }
}

static const char *
socktype_name (int t)
{
  switch (t & 0xf)
    {
    case SOCK_STREAM:
      return "stream";
    case SOCK_DGRAM:
      return "dgram";
    case SOCK_RAW:
      return "raw";
    case SOCK_SEQPACKET:
      return "seqpacket";
    default:
      return "other";
    }
}

int
petri_monitor_decode_dns (const uint8_t *p, size_t len, char *name, size_t name_size)
{
  size_t off = 12, out = 0;
  unsigned int qdcount;

  if (len < 17 || name_size < 2)
    return -1;
  if (p[2] & 0x80) /* a response */
    return -1;
  if (((p[2] >> 3) & 0xf) != 0) /* opcode: standard query only */
    return -1;
  qdcount = (unsigned int) (p[4] << 8 | p[5]);
  if (qdcount < 1)
    return -1;
  for (;;)
    {
      unsigned int l;

      if (off >= len)
        return -1;
      l = p[off++];
      if (l == 0)
        break;
      if (l > 63 || off + l > len || out + l + 2 > name_size || out + l > 253)
        return -1;
      if (out > 0)
        name[out++] = '.';
      for (unsigned int i = 0; i < l; i++)
        {
          unsigned char c = p[off + i];
          name[out++] = (c > 0x20 && c < 0x7f) ? (char) c : '?';
        }
      off += l;
    }
  if (off + 4 > len)
    return -1;
  if (out == 0)
    name[out++] = '.';
  name[out] = '\0';
  return p[off] << 8 | p[off + 1];
}

static const char *
dns_type_name (int t)
{
  switch (t)
    {
    case 1:
      return "A";
    case 2:
      return "NS";
    case 5:
      return "CNAME";
    case 6:
      return "SOA";
    case 12:
      return "PTR";
    case 15:
      return "MX";
    case 16:
      return "TXT";
    case 28:
      return "AAAA";
    case 33:
      return "SRV";
    case 255:
      return "ANY";
    default:
      return NULL;
    }
}

/* A DNS query in what a socket sent to port 53 (over TCP, after the two
 * bytes of length): emitted as a dns event. */
static int
emit_dns (PetriMonitor *mon, const struct petri_mon_event *e, const char *server, int stream)
{
  const uint8_t *q = (const uint8_t *) e->str1;
  size_t len = e->len1;
  char name[256];
  const char *tn;
  int qtype;

  if (stream)
    {
      if (len < 2)
        return 0;
      q += 2;
      len -= 2;
    }
  qtype = petri_monitor_decode_dns (q, len, name, sizeof name);
  if (qtype < 0)
    return 0;
  tn = dns_type_name (qtype);
  begin_event (mon, e, "network", "dns", (pid_t) e->pid, (pid_t) e->ppid, name);
  pj_member_string (&mon->w, "server", server);
  pj_member_string (&mon->w, "transport", stream ? "tcp" : "udp");
  if (tn != NULL)
    pj_member_string (&mon->w, "qtype", tn);
  else
    pj_member_int (&mon->w, "qtype", qtype);
  member_result (mon, e->ret);
  end_event (mon);
  return 1;
}

typedef struct
{
  unsigned long request;
  const char *name;
} IoctlName;

/* Requests with a fixed number, from the kernel's uapi headers. */
static const IoctlName ioctl_names[] = {
  { 0x5401, "TCGETS" },
  { 0x5402, "TCSETS" },
  { 0x5403, "TCSETSW" },
  { 0x5404, "TCSETSF" },
  { 0x5409, "TCSBRK" },
  { 0x540b, "TCFLSH" },
  { 0x540e, "TIOCSCTTY" },
  { 0x540f, "TIOCGPGRP" },
  { 0x5410, "TIOCSPGRP" },
  { 0x5412, "TIOCSTI" },
  { 0x5413, "TIOCGWINSZ" },
  { 0x5414, "TIOCSWINSZ" },
  { 0x5415, "TIOCMGET" },
  { 0x541b, "FIONREAD" },
  { 0x541c, "TIOCLINUX" },
  { 0x5421, "FIONBIO" },
  { 0x5422, "TIOCNOTTY" },
  { 0x5450, "FIONCLEX" },
  { 0x5451, "FIOCLEX" },
  { 0x5452, "FIOASYNC" },
  { 0x80045430, "TIOCGPTN" },
  { 0x40045431, "TIOCSPTLCK" },
  { 0x8910, "SIOCGIFNAME" },
  { 0x8912, "SIOCGIFCONF" },
  { 0x8913, "SIOCGIFFLAGS" },
  { 0x8914, "SIOCSIFFLAGS" },
  { 0x8915, "SIOCGIFADDR" },
  { 0x8916, "SIOCSIFADDR" },
  { 0x891b, "SIOCGIFNETMASK" },
  { 0x8921, "SIOCGIFMTU" },
  { 0x8927, "SIOCGIFHWADDR" },
  { 0x8924, "SIOCSIFHWADDR" },
  { 0x8933, "SIOCGIFINDEX" },
  { 0x8946, "SIOCETHTOOL" },
  { 0x890b, "SIOCADDRT" },
  { 0x890c, "SIOCDELRT" },
  { 0x1260, "BLKGETSIZE" },
  { 0x1268, "BLKSSZGET" },
  { 0x125e, "BLKROGET" },
  { 0x125f, "BLKRRPART" },
  { 0x80081272, "BLKGETSIZE64" },
  { 0x0301, "HDIO_GETGEO" },
  { 0x030d, "HDIO_GET_IDENTITY" },
  { 0x2285, "SG_IO" },
  { 0x2282, "SG_GET_VERSION_NUM" },
  { 0x4b33, "KDGKBTYPE" },
  { 0x4b3a, "KDSETMODE" },
  { 0x4b3b, "KDGETMODE" },
  { 0x4b44, "KDGKBMODE" },
  { 0x4b45, "KDSKBMODE" },
  { 0x5603, "VT_GETSTATE" },
  { 0x5606, "VT_ACTIVATE" },
  { 0x5607, "VT_WAITACTIVE" },
  { 0x4c00, "LOOP_SET_FD" },
  { 0x4c01, "LOOP_CLR_FD" },
  { 0x4c04, "LOOP_SET_STATUS64" },
  { 0x4c05, "LOOP_GET_STATUS64" },
  { 0x4c82, "LOOP_CTL_GET_FREE" },
  { 0x400454ca, "TUNSETIFF" },
  { 0x800454d2, "TUNGETIFF" },
  { 0x400454cb, "TUNSETPERSIST" },
  { 0x80045200, "RNDGETENTCNT" },
  { 0x40085203, "RNDADDENTROPY" },
  { 0x5331, "CDROM_GET_CAPABILITY" },
  { 0x5309, "CDROMEJECT" },
  { 0x80045700, "WDIOC_GETSUPPORT" },
  { 0x80045705, "WDIOC_KEEPALIVE" },
  { 0xae00, "KVM_GET_API_VERSION" },
  { 0xae01, "KVM_CREATE_VM" },
  { 0, NULL },
};

const char *
petri_monitor_ioctl_name (unsigned long request)
{
  unsigned int type = (request >> 8) & 0xff, nr = request & 0xff;

  request &= 0xffffffffUL;
  for (unsigned int i = 0; ioctl_names[i].name != NULL; i++)
    if (ioctl_names[i].request == request)
      return ioctl_names[i].name;
  /* Requests whose size field varies with the caller's buffer. */
  if (type == 'E' && ((request >> 30) & 3) == 2)
    {
      if (nr == 0x06)
        return "EVIOCGNAME";
      if (nr == 0x07)
        return "EVIOCGPHYS";
      if (nr == 0x08)
        return "EVIOCGUNIQ";
      if (nr >= 0x20 && nr < 0x40)
        return "EVIOCGBIT";
    }
  if (type == 'E' && request == 0x80044501)
    return "EVIOCGVERSION";
  return NULL;
}

static void
emit_ioctl (PetriMonitor *mon, const struct petri_mon_event *e, Proc *p)
{
  unsigned long req = (unsigned long) e->args[1] & 0xffffffffUL;
  const char *path = fd_path (p, (long) e->args[0]);
  FdEntry *fe = proc_fd (p, (long) e->args[0], 0);
  unsigned int dir = (req >> 30) & 3, size = (req >> 16) & 0x3fff;
  unsigned int type = (req >> 8) & 0xff, nr = req & 0xff;
  static const char *const dirs[] = { "none", "write", "read", "read_write" };
  const char *name = petri_monitor_ioctl_name (req);

  /* A request that carries a long or a size_t is 4 bytes smaller in the
   * 32-bit ABI (BLKGETSIZE64 is 0x80041272 there): named as its 64-bit twin. */
  if (name == NULL && (e->aux & PETRI_MON_AUX_COMPAT) && ((req >> 16) & 0x3fff) == 4)
    name = petri_monitor_ioctl_name ((req & ~(0x3fffUL << 16)) | (8UL << 16));
  char what[64], type_str[8];
  int is_socket = (fe != NULL && fe->is_socket) || (path != NULL && has_prefix (path, "socket:"));

  if (path == NULL || (!has_prefix (path, "/dev/") && !is_socket))
    return; /* not a device: pipes, regular files */
  snprintf (what, sizeof what, "%ld/%lx", (long) e->args[0], req);
  if (seen_before (mon, (pid_t) e->pid, "ioctl", what, strlen (what)))
    return;
  if (type >= 0x20 && type < 0x7f)
    snprintf (type_str, sizeof type_str, "%c", (char) type);
  else
    snprintf (type_str, sizeof type_str, "0x%02x", type);
  begin_event (mon, e, "driver", "ioctl", (pid_t) e->pid, (pid_t) e->ppid,
               is_socket ? "socket" : path);
  pj_member_hex (&mon->w, "request", req);
  pj_member_string (&mon->w, "dir", dirs[dir]);
  pj_member_string (&mon->w, "type", type_str);
  pj_member_uint (&mon->w, "nr", nr);
  pj_member_uint (&mon->w, "size", size);
  if (name != NULL)
    pj_member_string (&mon->w, "name", name);
  pj_member_int (&mon->w, "fd", (long long) e->args[0]);
  member_result (mon, e->ret);
  end_event (mon);
}

static void
emit_path_event (PetriMonitor *mon, const struct petri_mon_event *e, const char *category,
                 const char *action, const char *path, const char *why)
{
  begin_event (mon, e, category, action, (pid_t) e->pid, (pid_t) e->ppid, path);
  pj_member_string (&mon->w, "syscall", syscall_name ((long) e->nr));
  if (why != NULL)
    pj_member_string (&mon->w, "why", why);
  member_result (mon, e->ret);
  end_event (mon);
}

/* stat/access/readlink/open of a path: evasion probes and sensitive reads */
static void
classify_lookup (PetriMonitor *mon, const struct petri_mon_event *e, const char *path, int is_open)
{
  const char *why = NULL;

  if (matches (path, evasion_paths, NULL))
    why = "virtualisation artefact";
  else if (is_status_probe (path, (pid_t) e->pid))
    why = "tracer check";
  if (why != NULL)
    {
      if (!seen_before (mon, (pid_t) e->pid, "probe", path, strlen (path)))
        emit_path_event (mon, e, "evasion", "probe", path, why);
      return;
    }
  if (is_open && matches (path, sensitive_paths, sensitive_parts)
      && !seen_before (mon, (pid_t) e->pid, "read", path, strlen (path)))
    {
      begin_event (mon, e, "file", "read", (pid_t) e->pid, (pid_t) e->ppid, path);
      pj_member_bool (&mon->w, "sensitive", 1);
      pj_member_string (&mon->w, "syscall", syscall_name ((long) e->nr));
      member_result (mon, e->ret);
      end_event (mon);
    }
}

static void
handle_open (PetriMonitor *mon, const struct petri_mon_event *e, Proc *p)
{
  long dirfd = AT_FDCWD;
  unsigned long long flags;
  char *path;
  int write_intent, created;
  long target_pid;

  switch (e->nr)
    {
    case SYS_openat:
    case SYS_openat2:
      dirfd = (int) e->args[0];
      flags = e->args[2];
      break;
    case SYS_creat:
      flags = O_CREAT | O_WRONLY | O_TRUNC;
      break;
    default:
      flags = e->args[1];
      break;
    }
  if (e->len0 == 0)
    return;
  path = resolve (p, dirfd, str0 (e));
  if (path == NULL)
    return;

  if (mon->calibrating)
    {
      if ((pid_t) e->pid == mon->calib_pid && mon->calib_seen < 2 && strstr (path, ".petri-calib"))
        mon->calib_modes[mon->calib_seen++] = e->aux & ~PETRI_MON_AUX_COMPAT;
      free (path);
      return;
    }

  if (e->ret >= 0)
    {
      FdEntry *fe = proc_fd (p, e->ret, 1);
      if (fe != NULL)
        {
          fd_entry_clear (fe);
          fe->path = strdup (path);
        }
    }
  write_intent = (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) != 0;
  created = e->ret >= 0 && (e->aux & mon->created_mask) != 0;

  if ((target_pid = proc_mem_target (path, (pid_t) e->pid)) > 0 && (flags & O_ACCMODE) != O_RDONLY)
    {
      char t[32];
      snprintf (t, sizeof t, "%ld", target_pid);
      begin_event (mon, e, "injection", "proc_mem_write", (pid_t) e->pid, (pid_t) e->ppid, t);
      pj_member_string (&mon->w, "path", path);
      member_result (mon, e->ret);
      end_event (mon);
    }
  else if (created)
    {
      begin_event (mon, e, "file", "create", (pid_t) e->pid, (pid_t) e->ppid, path);
      pj_member_hex (&mon->w, "flags", flags);
      pj_member_int (&mon->w, "fd", e->ret);
      end_event (mon);
      note_written (mon, path, (pid_t) e->pid);
    }
  else if (e->ret >= 0 && (flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY
           && !has_prefix (path, "/dev/"))
    {
      begin_event (mon, e, "file", "write", (pid_t) e->pid, (pid_t) e->ppid, path);
      pj_member_bool (&mon->w, "truncate", 1);
      end_event (mon);
      note_written (mon, path, (pid_t) e->pid);
    }
  if (write_intent && matches (path, persistence_paths, persistence_parts))
    {
      begin_event (mon, e, "persistence", created ? "create" : "write", (pid_t) e->pid,
                   (pid_t) e->ppid, path);
      pj_member_string (&mon->w, "syscall", syscall_name ((long) e->nr));
      member_result (mon, e->ret);
      end_event (mon);
    }
  if (!write_intent)
    classify_lookup (mon, e, path, 1);
  free (path);
}

/* A write to @fd; @via names the call when it is not a plain write
 * (sendfile, copy_file_range, splice: copies made by the kernel). */
static void
handle_write (PetriMonitor *mon, const struct petri_mon_event *e, Proc *p, long fd, const char *via)
{
  const char *path = fd_path (p, fd);
  FdEntry *fe = proc_fd (p, fd, 0);

  if (path == NULL)
    return;
  if ((fe != NULL && fe->is_socket) || has_prefix (path, "socket:"))
    {
      /* a stream send through write() */
      if (via == NULL && fe != NULL && fe->peer != NULL && fe->peer_port == 53
          && emit_dns (mon, e, fe->peer, fe->type == SOCK_STREAM))
        return;
      begin_event (mon, e, "network", "send", (pid_t) e->pid, (pid_t) e->ppid,
                   fe != NULL && fe->peer != NULL ? fe->peer : "socket");
      pj_member_int (&mon->w, "fd", fd);
      pj_member_int (&mon->w, "bytes", e->ret);
      if (via == NULL)
        member_preview (mon, e);
      if (via != NULL)
        pj_member_string (&mon->w, "via", via);
      end_event (mon);
      return;
    }
  if (path[0] != '/' || has_prefix (path, "/dev/") || has_prefix (path, "/proc/")
      || has_prefix (path, "/sys/"))
    return; /* pipes, terminals, pseudo files */
  begin_event (mon, e, "file", "write", (pid_t) e->pid, (pid_t) e->ppid, path);
  pj_member_int (&mon->w, "fd", fd);
  pj_member_int (&mon->w, "bytes", e->ret);
  if (via != NULL)
    pj_member_string (&mon->w, "via", via);
  end_event (mon);
  note_written (mon, path, (pid_t) e->pid);
}

static void
handle_socket_call (PetriMonitor *mon, const struct petri_mon_event *e, Proc *p)
{
  long fd = (long) e->args[0];
  FdEntry *fe;
  char addr[160] = "";
  unsigned int port = 0;
  int family = -1;

  if (e->nr == SYS_socket)
    {
      char target[64];

      if (e->ret >= 0 && (fe = proc_fd (p, e->ret, 1)) != NULL)
        {
          fd_entry_clear (fe);
          fe->is_socket = 1;
          fe->domain = (int) e->args[0];
          fe->type = (int) e->args[1];
          fe->protocol = (int) e->args[2];
          fe->path = strdup ("socket:");
        }
      snprintf (target, sizeof target, "%s/%s", family_name ((int) e->args[0]),
                socktype_name ((int) e->args[1]));
      begin_event (mon, e, "network", "socket", (pid_t) e->pid, (pid_t) e->ppid, target);
      pj_member_int (&mon->w, "domain", (long long) e->args[0]);
      pj_member_int (&mon->w, "type", (long long) (e->args[1] & 0xf));
      pj_member_int (&mon->w, "protocol", (long long) e->args[2]);
      member_result (mon, e->ret);
      end_event (mon);
      return;
    }

  fe = proc_fd (p, fd, 0);
  format_sockaddr ((const unsigned char *) e->str0, e->len0, addr, sizeof addr, &port, &family);

  if (e->nr == SYS_connect || e->nr == SYS_bind)
    {
      if (e->nr == SYS_connect && fe != NULL && addr[0] != '\0')
        {
          free (fe->peer);
          fe->peer = strdup (addr);
          fe->peer_port = port;
        }
      begin_event (mon, e, "network", e->nr == SYS_connect ? "connect" : "bind", (pid_t) e->pid,
                   (pid_t) e->ppid, addr[0] ? addr : NULL);
      pj_member_int (&mon->w, "fd", fd);
      if (fe != NULL && fe->is_socket)
        pj_member_string (&mon->w, "socket", socktype_name (fe->type));
      member_result (mon, e->ret);
      end_event (mon);
      return;
    }

  /* sendto / sendmsg / sendmmsg */
  if (addr[0] == '\0' && fe != NULL && fe->peer != NULL)
    {
      snprintf (addr, sizeof addr, "%s", fe->peer);
      port = fe->peer_port;
    }
  if (port == 53 && e->len1 > 0
      && emit_dns (mon, e, addr, fe != NULL && fe->is_socket && fe->type == SOCK_STREAM))
    return;
  {
    char what[192];
    snprintf (what, sizeof what, "%ld/%s", fd, addr);
    if (seen_before (mon, (pid_t) e->pid, "send", what, strlen (what)))
      return;
  }
  begin_event (mon, e, "network", "send", (pid_t) e->pid, (pid_t) e->ppid,
               addr[0] ? addr : "socket");
  pj_member_int (&mon->w, "fd", fd);
  pj_member_uint (&mon->w, "bytes", e->nr == SYS_sendto ? e->args[2] : 0);
  member_result (mon, e->ret);
  member_preview (mon, e);
  end_event (mon);
}

static void
handle_ptrace (PetriMonitor *mon, const struct petri_mon_event *e)
{
  long req = (long) e->args[0];
  const char *action = NULL;
  const char *name = NULL;
  char target[32];

  switch (req)
    {
    case 0: /* PTRACE_TRACEME */
      begin_event (mon, e, "evasion", "probe", (pid_t) e->pid, (pid_t) e->ppid,
                   "ptrace(PTRACE_TRACEME)");
      pj_member_string (&mon->w, "why", "tracer check");
      member_result (mon, e->ret);
      end_event (mon);
      return;
    case 16:
      action = "ptrace_attach", name = "PTRACE_ATTACH";
      break;
    case PTRACE_SEIZE:
      action = "ptrace_attach", name = "PTRACE_SEIZE";
      break;
    case 4:
      action = "ptrace_poke", name = "PTRACE_POKETEXT";
      break;
    case 5:
      action = "ptrace_poke", name = "PTRACE_POKEDATA";
      break;
    case 6:
      action = "ptrace_poke", name = "PTRACE_POKEUSER";
      break;
    case 13:
      action = "ptrace_poke", name = "PTRACE_SETREGS";
      break;
    case 15:
      action = "ptrace_poke", name = "PTRACE_SETFPREGS";
      break;
    case PTRACE_SETREGSET_:
      action = "ptrace_poke", name = "PTRACE_SETREGSET";
      break;
    default:
      return;
    }
  snprintf (target, sizeof target, "%lld", (long long) e->args[1]);
  if (strcmp (action, "ptrace_poke") == 0)
    {
      char what[64];
      snprintf (what, sizeof what, "%s/%s", target, name);
      if (seen_before (mon, (pid_t) e->pid, "poke", what, strlen (what)))
        return;
    }
  begin_event (mon, e, "injection", action, (pid_t) e->pid, (pid_t) e->ppid, target);
  pj_member_string (&mon->w, "request", name);
  pj_member_hex (&mon->w, "addr", e->args[2]);
  member_result (mon, e->ret);
  end_event (mon);
}

static void
handle_fd_bookkeeping (PetriMonitor *mon, const struct petri_mon_event *e, Proc *p)
{
  long oldfd = (long) e->args[0];
  FdEntry *src, *dst;

  if (e->nr == SYS_close)
    {
      FdEntry *fe = proc_fd (p, oldfd, 0);
      if (fe != NULL)
        fd_entry_clear (fe);
      return;
    }
  if (e->nr == SYS_fcntl && e->args[1] != F_DUPFD && e->args[1] != F_DUPFD_CLOEXEC)
    return;
  if (e->ret < 0 || e->ret == oldfd)
    return;
  fd_path (p, oldfd); /* fill from /proc if unknown */
  src = proc_fd (p, oldfd, 0);
  dst = proc_fd (p, e->ret, 1);
  if (dst == NULL)
    return;
  if (src == NULL)
    fd_entry_clear (dst);
  else
    {
      FdEntry copy = *src;
      fd_copy (dst, &copy);
    }
}

static void
handle_syscall (PetriMonitor *mon, const struct petri_mon_event *e)
{
  Proc *p = proc_get (mon, (pid_t) e->pid);
  char *path = NULL, *path2 = NULL;
  long dirfd = AT_FDCWD, dirfd2 = AT_FDCWD;

  if (p != NULL)
    {
      memcpy (p->comm, e->comm, sizeof p->comm);
      p->ppid = (pid_t) e->ppid;
    }

  switch (e->nr)
    {
    case SYS_open:
    case SYS_openat:
    case SYS_openat2:
    case SYS_creat:
      handle_open (mon, e, p);
      return;
    case SYS_close:
    case SYS_dup:
    case SYS_dup2:
    case SYS_dup3:
    case SYS_fcntl:
      handle_fd_bookkeeping (mon, e, p);
      return;
    case SYS_write:
    case SYS_pwrite64:
    case SYS_writev:
    case SYS_pwritev:
    case SYS_pwritev2:
      handle_write (mon, e, p, (long) e->args[0], NULL);
      return;
    case SYS_sendfile:
      handle_write (mon, e, p, (long) e->args[0], "sendfile");
      return;
    case SYS_copy_file_range:
      handle_write (mon, e, p, (long) e->args[2], "copy_file_range");
      return;
    case SYS_splice:
      handle_write (mon, e, p, (long) e->args[2], "splice");
      return;
    case SYS_io_uring_setup:
      /* What goes through the rings is not seen: say so. */
      begin_event (mon, e, "evasion", "io_uring", (pid_t) e->pid, (pid_t) e->ppid, NULL);
      pj_member_string (&mon->w, "note",
                        "file and network operations submitted through io_uring are not recorded");
      pj_member_int (&mon->w, "result", e->ret);
      end_event (mon);
      return;
    case SYS_socket:
    case SYS_connect:
    case SYS_bind:
    case SYS_sendto:
    case SYS_sendmsg:
    case SYS_sendmmsg:
      handle_socket_call (mon, e, p);
      return;
    case SYS_ptrace:
      handle_ptrace (mon, e);
      return;
    case SYS_ioctl:
      emit_ioctl (mon, e, p);
      return;
    case SYS_process_vm_writev:
    case SYS_process_vm_readv:
      {
        char target[32];
        snprintf (target, sizeof target, "%lld", (long long) e->args[0]);
        begin_event (mon, e, "injection",
                     e->nr == SYS_process_vm_writev ? "process_vm_writev" : "process_vm_readv",
                     (pid_t) e->pid, (pid_t) e->ppid, target);
        member_result (mon, e->ret);
        end_event (mon);
        return;
      }
    default:
      break;
    }

  /* Calls on one or two paths. */
  switch (e->nr)
    {
    case SYS_unlinkat:
    case SYS_mkdirat:
    case SYS_fchmodat:
    case SYS_fchownat:
    case SYS_faccessat:
    case SYS_faccessat2:
    case SYS_newfstatat:
    case SYS_statx:
    case SYS_readlinkat:
      dirfd = (int) e->args[0];
      break;
    case SYS_renameat:
    case SYS_renameat2:
    case SYS_linkat:
      dirfd = (int) e->args[0];
      dirfd2 = (int) e->args[2];
      break;
    case SYS_symlinkat:
      dirfd2 = (int) e->args[1];
      break;
    default:
      break;
    }
  if (e->nr == SYS_fchmod || e->nr == SYS_fchown)
    {
      const char *fp = fd_path (p, (long) e->args[0]);
      path = fp ? strdup (fp) : NULL;
    }
  else if (e->len0 > 0)
    path = resolve (p, dirfd, str0 (e));
  if (e->len1 > 0)
    path2 = e->nr == SYS_symlink || e->nr == SYS_symlinkat
                ? resolve (p, dirfd2, e->str1) /* the link's own path */
                : resolve (p, dirfd2, e->str1);
  if (path == NULL)
    goto out;

  switch (e->nr)
    {
    case SYS_unlink:
    case SYS_unlinkat:
    case SYS_rmdir:
      if (e->ret == 0)
        {
          int is_dir = e->nr == SYS_rmdir || (e->nr == SYS_unlinkat && (e->args[2] & AT_REMOVEDIR));
          begin_event (mon, e, "file", "delete", (pid_t) e->pid, (pid_t) e->ppid, path);
          if (is_dir)
            pj_member_bool (&mon->w, "directory", 1);
          end_event (mon);
        }
      break;
    case SYS_mkdir:
    case SYS_mkdirat:
      if (e->ret == 0)
        {
          begin_event (mon, e, "file", "create", (pid_t) e->pid, (pid_t) e->ppid, path);
          pj_member_bool (&mon->w, "directory", 1);
          end_event (mon);
        }
      break;
    case SYS_rename:
    case SYS_renameat:
    case SYS_renameat2:
      if (e->ret == 0 && path2 != NULL)
        {
          begin_event (mon, e, "file", "rename", (pid_t) e->pid, (pid_t) e->ppid, path);
          pj_member_string (&mon->w, "new_path", path2);
          end_event (mon);
          rename_written (mon, path, path2, (pid_t) e->pid);
          if (matches (path2, persistence_paths, persistence_parts))
            {
              begin_event (mon, e, "persistence", "create", (pid_t) e->pid, (pid_t) e->ppid, path2);
              pj_member_string (&mon->w, "syscall", "rename");
              end_event (mon);
            }
        }
      break;
    case SYS_symlink:
    case SYS_symlinkat:
    case SYS_link:
    case SYS_linkat:
      if (e->ret == 0 && path2 != NULL)
        {
          int sym = e->nr == SYS_symlink || e->nr == SYS_symlinkat;
          const char *link_path = path2;

          begin_event (mon, e, "file", "link", (pid_t) e->pid, (pid_t) e->ppid, link_path);
          pj_member_string (&mon->w, "points_to", sym ? str0 (e) : path);
          pj_member_bool (&mon->w, "symbolic", sym);
          end_event (mon);
          if (matches (link_path, persistence_paths, persistence_parts))
            {
              begin_event (mon, e, "persistence", "create", (pid_t) e->pid, (pid_t) e->ppid,
                           link_path);
              pj_member_string (&mon->w, "syscall", sym ? "symlink" : "link");
              end_event (mon);
            }
        }
      break;
    case SYS_chmod:
    case SYS_fchmod:
    case SYS_fchmodat:
      if (e->ret == 0)
        {
          char mode[16];
          unsigned long long m = e->nr == SYS_fchmodat ? e->args[2] : e->args[1];
          snprintf (mode, sizeof mode, "%04llo", m & 07777);
          begin_event (mon, e, "file", "chmod", (pid_t) e->pid, (pid_t) e->ppid, path);
          pj_member_string (&mon->w, "mode", mode);
          end_event (mon);
        }
      break;
    case SYS_chown:
    case SYS_fchown:
    case SYS_lchown:
    case SYS_fchownat:
      if (e->ret == 0)
        {
          int base = e->nr == SYS_fchownat ? 2 : 1;
          begin_event (mon, e, "file", "chown", (pid_t) e->pid, (pid_t) e->ppid, path);
          pj_member_int (&mon->w, "uid", (int) e->args[base]);
          pj_member_int (&mon->w, "gid", (int) e->args[base + 1]);
          end_event (mon);
        }
      break;
    case SYS_chdir:
      if (e->ret == 0 && p != NULL)
        {
          free (p->cwd);
          p->cwd = path;
          path = NULL;
        }
      break;
    case SYS_access:
    case SYS_faccessat:
    case SYS_faccessat2:
    case SYS_stat:
    case SYS_lstat:
    case SYS_newfstatat:
    case SYS_statx:
    case SYS_readlink:
    case SYS_readlinkat:
      if (path[0] != '\0')
        classify_lookup (mon, e, path, 0);
      break;
    default:
      break;
    }
out:
  free (path);
  free (path2);
}

static void
handle_exec (PetriMonitor *mon, const struct petri_mon_event *e)
{
  Proc *p = proc_get (mon, (pid_t) e->pid);
  char *path = resolve (p, AT_FDCWD, str0 (e));
  size_t off = 0;

  if (p != NULL)
    {
      memcpy (p->comm, e->comm, sizeof p->comm);
      p->ppid = (pid_t) e->ppid;
      /* close-on-exec descriptors are gone; others stay: keep the table */
    }
  begin_event (mon, e, "process", "exec", (pid_t) e->pid, (pid_t) e->ppid, path ? path : str0 (e));
  pj_key (&mon->w, "argv");
  pj_begin_array (&mon->w);
  while (off < e->len1 && off < sizeof e->str1)
    {
      size_t l = strnlen (e->str1 + off, e->len1 - off);
      pj_string_len (&mon->w, e->str1 + off, l);
      off += l + 1;
    }
  pj_end_array (&mon->w);
  if (e->len1 >= sizeof e->str1)
    pj_member_bool (&mon->w, "argv_truncated", 1);
  end_event (mon);
  free (path);
}

static void
handle_fork (PetriMonitor *mon, const struct petri_mon_event *e)
{
  Proc *parent = proc_find (mon, (pid_t) e->ppid);
  Proc *child = proc_get (mon, (pid_t) e->pid);

  if (child != NULL)
    {
      proc_clear (child);
      child->pid = (pid_t) e->pid;
      child->ppid = (pid_t) e->ppid;
      memcpy (child->comm, e->comm, sizeof child->comm);
      if (parent != NULL)
        {
          child->cwd = parent->cwd ? strdup (parent->cwd) : NULL;
          for (unsigned int i = 0; i < parent->nfds; i++)
            if (parent->fds[i].path != NULL)
              {
                FdEntry *d = proc_fd (child, i, 1);
                if (d != NULL)
                  fd_copy (d, &parent->fds[i]);
              }
        }
    }
  begin_event (mon, e, "process", "fork", (pid_t) e->pid, (pid_t) e->ppid, NULL);
  pj_member_int (&mon->w, "parent", e->ppid);
  pj_member_int (&mon->w, "child", e->pid);
  end_event (mon);
}

static void
handle_exit (PetriMonitor *mon, const struct petri_mon_event *e)
{
  unsigned int status = (unsigned int) e->aux;

  begin_event (mon, e, "process", "exit", (pid_t) e->pid, (pid_t) e->ppid, NULL);
  pj_member_uint (&mon->w, "status", status);
  if ((status & 0x7f) == 0)
    pj_member_int (&mon->w, "exit_code", (status >> 8) & 0xff);
  else
    pj_member_int (&mon->w, "signal", status & 0x7f);
  end_event (mon);
  proc_remove (mon, (pid_t) e->pid);
}

static int
ring_cb (void *ctx, void *data, size_t size)
{
  PetriMonitor *mon = ctx;
  const struct petri_mon_event *e = data;

  if (size < sizeof *e)
    return 0;
  if (mon->calibrating)
    {
      if (e->kind == PETRI_MON_SYSCALL)
        handle_open (mon, e, NULL);
      return 0;
    }
  switch (e->kind)
    {
    case PETRI_MON_EXEC:
      handle_exec (mon, e);
      break;
    case PETRI_MON_FORK:
      handle_fork (mon, e);
      break;
    case PETRI_MON_EXIT:
      handle_exit (mon, e);
      break;
    case PETRI_MON_SYSCALL:
      handle_syscall (mon, e);
      break;
    default:
      break;
    }
  return 0;
}

/* ---- life cycle ---- */

static int
libbpf_quiet (enum libbpf_print_level level, const char *fmt, va_list ap)
{
  if (level == LIBBPF_WARN && getenv ("PETRI_MONITOR_DEBUG") != NULL)
    return vfprintf (stderr, fmt, ap);
  if (level == LIBBPF_DEBUG && getenv ("PETRI_MONITOR_DEBUG") != NULL)
    return vfprintf (stderr, fmt, ap);
  return 0;
}

/* Finds which f_mode bit says "created" on this kernel: opens a new file
 * (created) and then the same file again (not created) while tracked. */
static int
calibrate (PetriMonitor *mon, char *err, size_t err_size)
{
  char path[] = "/tmp/.petri-calib-XXXXXX";
  unsigned int key = (unsigned int) getpid ();
  unsigned long long diff;
  int fd;

  mon->calibrating = 1;
  mon->calib_pid = getpid ();
  mon->calib_seen = 0;
  fd = mkstemp (path); /* O_CREAT|O_EXCL */
  if (fd < 0)
    {
      snprintf (err, err_size, "cannot create a file in /tmp: %s", strerror (errno));
      return -1;
    }
  close (fd);
  unlink (path);
  if (bpf_map__update_elem (mon->skel->maps.tracked, &key, sizeof key, &key, sizeof key, BPF_ANY)
      != 0)
    {
      snprintf (err, err_size, "cannot update the BPF map: %s", strerror (errno));
      return -1;
    }
  fd = open (path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0)
    close (fd);
  fd = open (path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0)
    close (fd);
  bpf_map__delete_elem (mon->skel->maps.tracked, &key, sizeof key, BPF_ANY);
  unlink (path);
  ring_buffer__poll (mon->rb, 100);
  ring_buffer__consume (mon->rb);
  mon->calibrating = 0;
  if (mon->calib_seen < 2)
    {
      snprintf (err, err_size, "the monitor saw no open() while calibrating");
      return -1;
    }
  diff = mon->calib_modes[0] & ~mon->calib_modes[1];
  if (diff == 0 || (diff & (diff - 1)) != 0)
    {
      snprintf (err, err_size, "cannot tell created files apart (f_mode %llx vs %llx)",
                mon->calib_modes[0], mon->calib_modes[1]);
      return -1;
    }
  mon->created_mask = (unsigned int) diff;
  return 0;
}

PetriMonitor *
petri_monitor_new (PetriMonitorEventFunc func, void *user_data, char *err, size_t err_size)
{
  PetriMonitor *mon = calloc (1, sizeof *mon);
  int rc;

  if (mon == NULL)
    {
      snprintf (err, err_size, "out of memory");
      return NULL;
    }
  mon->func = func;
  mon->user_data = user_data;
  pj_writer_init (&mon->w);
  mon->procs = calloc (PROC_SLOTS, sizeof *mon->procs);
  mon->seen = calloc (MAX_SEEN, sizeof *mon->seen);
  mon->written = calloc (MAX_WRITTEN, sizeof *mon->written);
  mon->written_pids = calloc (MAX_WRITTEN, sizeof *mon->written_pids);
  if (mon->procs == NULL || mon->seen == NULL || mon->written == NULL || mon->written_pids == NULL)
    {
      snprintf (err, err_size, "out of memory");
      goto error;
    }

  libbpf_set_print (libbpf_quiet);
  if (geteuid () != 0)
    {
      snprintf (err, err_size, "the eBPF monitor needs root (running as uid %u)",
                (unsigned int) geteuid ());
      goto error;
    }
  if (access ("/sys/kernel/btf/vmlinux", R_OK) != 0)
    {
      snprintf (err, err_size, "this kernel has no BTF (/sys/kernel/btf/vmlinux: %s)",
                strerror (errno));
      goto error;
    }
  mon->skel = petri_monitor_bpf__open ();
  if (mon->skel == NULL)
    {
      snprintf (err, err_size, "cannot open the BPF object: %s", strerror (errno));
      goto error;
    }
  rc = petri_monitor_bpf__load (mon->skel);
  if (rc != 0)
    {
      snprintf (err, err_size, "cannot load the BPF programs: %s (set PETRI_MONITOR_DEBUG=1)",
                strerror (-rc));
      goto error;
    }
  rc = petri_monitor_bpf__attach (mon->skel);
  if (rc != 0)
    {
      snprintf (err, err_size, "cannot attach the BPF programs: %s", strerror (-rc));
      goto error;
    }
  mon->rb = ring_buffer__new (bpf_map__fd (mon->skel->maps.events), ring_cb, mon, NULL);
  if (mon->rb == NULL)
    {
      snprintf (err, err_size, "cannot open the BPF ring buffer: %s", strerror (errno));
      goto error;
    }
  if (calibrate (mon, err, err_size) != 0)
    goto error;
  return mon;

error:
  petri_monitor_free (mon);
  return NULL;
}

static void
reset_run (PetriMonitor *mon)
{
  for (unsigned int i = 0; i < PROC_SLOTS; i++)
    if (mon->procs[i].pid != 0)
      proc_clear (&mon->procs[i]);
  memset (mon->seen, 0, MAX_SEEN * sizeof *mon->seen);
  mon->n_seen = 0;
  for (unsigned int i = 0; i < mon->n_written; i++)
    free (mon->written[i]);
  mon->n_written = 0;
  mon->events = 0;
}

void
petri_monitor_free (PetriMonitor *mon)
{
  if (mon == NULL)
    return;
  if (mon->procs != NULL && mon->seen != NULL && mon->written != NULL)
    reset_run (mon);
  ring_buffer__free (mon->rb);
  petri_monitor_bpf__destroy (mon->skel);
  pj_writer_clear (&mon->w);
  free (mon->procs);
  free (mon->seen);
  free (mon->written);
  free (mon->written_pids);
  free (mon);
}

static uint64_t
read_stat (PetriMonitor *mon, unsigned int which)
{
  uint64_t v = 0;

  bpf_map__lookup_elem (mon->skel->maps.stats, &which, sizeof which, &v, sizeof v, 0);
  return v;
}

int
petri_monitor_track (PetriMonitor *mon, pid_t pid, const char *cwd)
{
  unsigned int key = (unsigned int) pid, parent = 0;
  Proc *p;

  petri_monitor_untrack_all (mon);
  ring_buffer__consume (mon->rb); /* records of an earlier run */
  reset_run (mon);
  mon->dropped_base
      = read_stat (mon, PETRI_MON_STAT_DROPPED) + read_stat (mon, PETRI_MON_STAT_UNTRACKED);
  p = proc_get (mon, pid);
  if (p != NULL && cwd != NULL)
    p->cwd = strdup (cwd);
  mon->start_ns = now_ns ();
  if (bpf_map__update_elem (mon->skel->maps.tracked, &key, sizeof key, &parent, sizeof parent,
                            BPF_ANY)
      != 0)
    return -errno;
  return 0;
}

int
petri_monitor_fd (PetriMonitor *mon)
{
  return ring_buffer__epoll_fd (mon->rb);
}

int
petri_monitor_poll (PetriMonitor *mon, int timeout_ms)
{
  return ring_buffer__poll (mon->rb, timeout_ms);
}

unsigned int
petri_monitor_tracked (PetriMonitor *mon, pid_t *pids, unsigned int max)
{
  unsigned int key, next, n = 0;
  void *prev = NULL;

  while (n < max && bpf_map__get_next_key (mon->skel->maps.tracked, prev, &next, sizeof next) == 0)
    {
      pids[n++] = (pid_t) next;
      key = next;
      prev = &key;
    }
  return n;
}

void
petri_monitor_untrack_all (PetriMonitor *mon)
{
  unsigned int key;

  while (bpf_map__get_next_key (mon->skel->maps.tracked, NULL, &key, sizeof key) == 0)
    bpf_map__delete_elem (mon->skel->maps.tracked, &key, sizeof key, BPF_ANY);
}

uint64_t
petri_monitor_dropped (PetriMonitor *mon)
{
  uint64_t now
      = read_stat (mon, PETRI_MON_STAT_DROPPED) + read_stat (mon, PETRI_MON_STAT_UNTRACKED);

  return now > mon->dropped_base ? now - mon->dropped_base : 0;
}

uint64_t
petri_monitor_events (PetriMonitor *mon)
{
  return mon->events;
}

unsigned int
petri_monitor_written_files (PetriMonitor *mon, const char *const **paths, const pid_t **pids)
{
  *paths = (const char *const *) mon->written;
  *pids = mon->written_pids;
  return mon->n_written;
}
