/* behave-antitrace.c: refuses to run its payload when traced
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   behave-antitrace DIR
 * Checks TracerPid in /proc/self/status and calls ptrace(PTRACE_TRACEME);
 * if either says "traced" it exits 2 (TracerPid) or 3 (TRACEME refused)
 * without doing anything. Otherwise the payload: writes DIR/payload.txt and
 * runs /bin/true. Harmless.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static long
tracer_pid (void)
{
  char buf[4096];
  ssize_t n;
  char *p;
  int fd = open ("/proc/self/status", O_RDONLY);

  if (fd < 0)
    return -1;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  p = strstr (buf, "TracerPid:");
  return p ? strtol (p + 10, NULL, 10) : -1;
}

int
main (int argc, char **argv)
{
  char path[4096];
  pid_t child;
  int fd;

  if (argc != 2)
    return 1;
  if (tracer_pid () != 0)
    return 2;
  if (ptrace (PTRACE_TRACEME, 0, NULL, NULL) != 0)
    return 3;
  /* payload */
  snprintf (path, sizeof path, "%s/payload.txt", argv[1]);
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0 || write (fd, "payload ran\n", 12) != 12)
    return 1;
  close (fd);
  child = fork ();
  if (child == 0)
    {
      execl ("/bin/true", "true", (char *) NULL);
      _exit (127);
    }
  waitpid (child, NULL, 0);
  return 0;
}
