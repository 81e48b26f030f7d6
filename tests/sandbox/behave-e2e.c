/* behave-e2e.c: a harmless program that behaves a little like malware
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Run in the sandbox by the end-to-end test, which then looks for each of
 * these in the recorded behaviour: it spawns a child, writes and deletes a
 * file, leaves another one behind, connects to an address, sends an ioctl to a device and probes
 * for a hypervisor. Nothing here does harm, and it never runs on the host. Built static so that it
 * runs in any guest.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/random.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MARK_FILE "/tmp/petri-e2e-marker.txt"
#define DROP_FILE "/tmp/petri-e2e-dropped.sh"
#define DROP_TEXT "#!/bin/sh\necho dropped by the petri end-to-end test\n"
#define MARK_ADDR "192.0.2.7" /* TEST-NET-1: never routed */
#define MARK_PORT 4444

int
main (void)
{
  pid_t child;
  int fd, count = 0;
  char buf[256];

  /* A child process. */
  child = fork ();
  if (child == 0)
    {
      execl ("/bin/sh", "sh", "-c", "echo petri-e2e-child", (char *) NULL);
      _exit (0);
    }
  if (child > 0)
    waitpid (child, NULL, 0);

  /* A file written, then deleted. */
  fd = open (MARK_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0)
    {
      const char text[] = "petri end-to-end marker\n";
      if (write (fd, text, sizeof text - 1) < 0)
        perror ("write");
      close (fd);
    }
  unlink (MARK_FILE);

  /* A file left behind: the sandbox brings it back as a sample of its own. */
  fd = open (DROP_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0755);
  if (fd >= 0)
    {
      if (write (fd, DROP_TEXT, sizeof DROP_TEXT - 1) < 0)
        perror ("write");
      close (fd);
    }

  /* A connection attempt (the guest has no network: it fails, it is recorded). */
  fd = socket (AF_INET, SOCK_STREAM, 0);
  if (fd >= 0)
    {
      struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (MARK_PORT) };

      inet_pton (AF_INET, MARK_ADDR, &addr.sin_addr);
      connect (fd, (struct sockaddr *) &addr, sizeof addr);
      close (fd);
    }

  /* A command to a device driver. */
  fd = open ("/dev/urandom", O_RDONLY);
  if (fd >= 0)
    {
      ioctl (fd, RNDGETENTCNT, &count);
      close (fd);
    }

  /* A hypervisor probe: the DMI product name and the CPU flags. */
  fd = open ("/sys/class/dmi/id/product_name", O_RDONLY);
  if (fd >= 0)
    {
      ssize_t n = read (fd, buf, sizeof buf - 1);
      (void) n;
      close (fd);
    }
  fd = open ("/proc/cpuinfo", O_RDONLY);
  if (fd >= 0)
    {
      ssize_t n = read (fd, buf, sizeof buf - 1);
      (void) n;
      close (fd);
    }

  printf ("petri-e2e done (entropy %d)\n", count);
  return 0;
}
