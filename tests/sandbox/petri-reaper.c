/* petri-reaper.c: run a command as a child sub-reaper and reap every orphan
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   petri-reaper COMMAND [ARGS…]
 *
 * Daemons started by COMMAND (virtlogd -d, libvirtd -d) and the processes
 * they leave behind are re-parented to this process instead of PID 1, which
 * on machines whose PID 1 reaps late makes every VM destroy seconds faster.
 * It exits when the last of them is gone.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  pid_t child;

  if (argc < 2)
    {
      fprintf (stderr, "usage: petri-reaper COMMAND [ARGS…]\n");
      return 2;
    }
  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    {
      perror ("petri-reaper: prctl(PR_SET_CHILD_SUBREAPER)");
      return 1;
    }
  child = fork ();
  if (child < 0)
    {
      perror ("petri-reaper: fork");
      return 1;
    }
  if (child == 0)
    {
      execvp (argv[1], argv + 1);
      perror ("petri-reaper: exec");
      _exit (127);
    }
  for (;;)
    {
      int status;
      pid_t pid = wait (&status);

      if (pid < 0 && errno == ECHILD)
        return 0;
    }
}
