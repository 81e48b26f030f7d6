/* behave-inject.c: code-injection techniques against its own child
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Forks a child that waits, then writes into the child's memory three ways:
 * PTRACE_ATTACH + PTRACE_POKEDATA, process_vm_writev, and /proc/PID/mem.
 * Prints the child's pid. Harmless: the child only holds a counter.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile long target_value = 1;

int
main (void)
{
  int ready[2];
  char c;
  pid_t child;
  long v = 42;
  struct iovec local = { &v, sizeof v }, remote = { (void *) &target_value, sizeof v };
  char path[64];
  int fd;

  if (pipe (ready) != 0)
    return 1;
  child = fork ();
  if (child == 0)
    {
      close (ready[0]);
      if (write (ready[1], "r", 1) != 1)
        _exit (1);
      for (;;)
        pause ();
    }
  close (ready[1]);
  if (read (ready[0], &c, 1) != 1)
    return 1;
  printf ("%d\n", (int) child);
  fflush (stdout);

  if (ptrace (PTRACE_ATTACH, child, NULL, NULL) != 0)
    perror ("PTRACE_ATTACH");
  waitpid (child, NULL, __WALL);
  if (ptrace (PTRACE_POKEDATA, child, (void *) &target_value, (void *) 7L) != 0)
    perror ("PTRACE_POKEDATA");
  ptrace (PTRACE_DETACH, child, NULL, NULL);

  if (process_vm_writev (child, &local, 1, &remote, 1, 0) != (ssize_t) sizeof v)
    perror ("process_vm_writev");

  snprintf (path, sizeof path, "/proc/%d/mem", (int) child);
  fd = open (path, O_RDWR);
  if (fd >= 0)
    {
      if (pwrite (fd, &v, sizeof v, (off_t) (long) &target_value) != (ssize_t) sizeof v)
        perror ("pwrite /proc/PID/mem");
      close (fd);
    }
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  return 0;
}
