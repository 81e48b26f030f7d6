/* behave-persist.c: persistence writes into $HOME
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Appends to $HOME/.bashrc, writes an autostart entry and a systemd user
 * unit under $HOME/.config. The tests point HOME at a temporary folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static int
write_file (const char *home, const char *rel, const char *mode, const char *text)
{
  char path[4096];
  FILE *f;

  snprintf (path, sizeof path, "%s/%s", home, rel);
  f = fopen (path, mode);
  if (f == NULL)
    return 1;
  fputs (text, f);
  return fclose (f) != 0;
}

int
main (void)
{
  const char *home = getenv ("HOME");
  char dir[4096];

  if (home == NULL)
    return 2;
  snprintf (dir, sizeof dir, "%s/.config", home);
  mkdir (dir, 0755);
  snprintf (dir, sizeof dir, "%s/.config/autostart", home);
  mkdir (dir, 0755);
  snprintf (dir, sizeof dir, "%s/.config/systemd", home);
  mkdir (dir, 0755);
  snprintf (dir, sizeof dir, "%s/.config/systemd/user", home);
  mkdir (dir, 0755);
  return write_file (home, ".bashrc", "a", "/tmp/.petri-test-implant &\n")
         | write_file (home, ".config/autostart/petri-test.desktop", "w",
                       "[Desktop Entry]\nExec=/tmp/.petri-test-implant\n")
         | write_file (home, ".config/systemd/user/petri-test.service", "w",
                       "[Service]\nExecStart=/tmp/.petri-test-implant\n");
}
