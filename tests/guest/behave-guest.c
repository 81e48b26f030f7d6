/* behave-guest.c: the sample the guest tests upload
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   behave-guest DIR [--system]
 * Spawns a child that writes and deletes DIR/petri-temp.txt, leaves
 * DIR/petri-dropped.txt behind (collected by the agent), connects to
 * 127.0.0.1:9, sends an ioctl to /dev/urandom, and probes for a hypervisor
 * (/sys/hypervisor, /proc/cpuinfo, DMI). With --system (only ever given
 * inside the disposable guest) it also writes /etc/cron.d/petri-test and
 * appends to /etc/profile. Harmless.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/random.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void
put (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  if (fd >= 0)
    {
      if (write (fd, text, strlen (text)) < 0)
        perror (path);
      close (fd);
    }
}

int
main (int argc, char **argv)
{
  const char *dir = argc > 1 ? argv[1] : "/tmp";
  char temp[4096], dropped[4096], buf[256];
  struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons (9) };
  struct stat st;
  pid_t child;
  int fd, n = 0, s;

  snprintf (temp, sizeof temp, "%s/petri-temp.txt", dir);
  snprintf (dropped, sizeof dropped, "%s/petri-dropped.txt", dir);
  child = fork ();
  if (child == 0)
    {
      put (temp, "temporary\n");
      unlink (temp);
      put (dropped, "dropped by the sample\n");
      _exit (0);
    }
  waitpid (child, NULL, 0);

  s = socket (AF_INET, SOCK_STREAM, 0);
  inet_pton (AF_INET, "127.0.0.1", &in.sin_addr);
  connect (s, (struct sockaddr *) &in, sizeof in); /* refused: still recorded */
  close (s);

  fd = open ("/dev/urandom", O_RDONLY);
  ioctl (fd, RNDGETENTCNT, &n);
  close (fd);

  stat ("/sys/hypervisor/type", &st);
  fd = open ("/proc/cpuinfo", O_RDONLY);
  if (fd >= 0)
    {
      if (read (fd, buf, sizeof buf) < 0)
        perror ("cpuinfo");
      close (fd);
    }
  fd = open ("/sys/class/dmi/id/sys_vendor", O_RDONLY);
  if (fd >= 0)
    close (fd);
  if (argc > 2 && strcmp (argv[2], "--system") == 0)
    {
      put ("/etc/cron.d/petri-test", "* * * * * root /tmp/petri-dropped.txt\n");
      fd = open ("/etc/profile", O_WRONLY | O_APPEND | O_CREAT, 0644);
      if (fd >= 0)
        {
          if (write (fd, "# petri test\n", 13) < 0)
            perror ("/etc/profile");
          close (fd);
        }
    }
  printf ("done\n");
  return 0;
}
