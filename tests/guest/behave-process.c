/* behave-process.c: a process tree for the monitor tests
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Forks two children: one execs /bin/true, the other forks a grandchild
 * that execs /bin/echo, then exits 3. Harmless.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int
main (void)
{
  pid_t a, b;

  a = fork ();
  if (a == 0)
    {
      execl ("/bin/true", "true", "first-child", (char *) NULL);
      _exit (127);
    }
  b = fork ();
  if (b == 0)
    {
      pid_t c = fork ();
      if (c == 0)
        {
          execl ("/bin/echo", "echo", "grandchild", "says", "hi", (char *) NULL);
          _exit (127);
        }
      waitpid (c, NULL, 0);
      _exit (3);
    }
  waitpid (a, NULL, 0);
  waitpid (b, NULL, 0);
  return 0;
}
