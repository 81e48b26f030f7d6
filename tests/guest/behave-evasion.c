/* behave-evasion.c: sandbox-evasion probes
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Reads /proc/cpuinfo (the hypervisor flag), the DMI vendor, looks for
 * /sys/hypervisor and /proc/scsi, and reads /proc/self/status; then sets up
 * an io_uring, through which calls would not be seen. Harmless.
 */
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
file_has (const char *path, const char *needle)
{
  char buf[8192];
  ssize_t n;
  int fd = open (path, O_RDONLY);

  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  return strstr (buf, needle) != NULL;
}

int
main (void)
{
  struct stat st;
  int score = 0;

  score += file_has ("/proc/cpuinfo", "hypervisor");
  score += file_has ("/sys/class/dmi/id/sys_vendor", "QEMU");
  score += stat ("/sys/hypervisor/type", &st) == 0;
  score += access ("/proc/scsi/scsi", R_OK) == 0;
  score += file_has ("/proc/self/status", "TracerPid:\t0") == 0;
  printf ("virtualisation score %d\n", score);
  {
    struct io_uring_params params;
    long ring;

    memset (&params, 0, sizeof params);
    ring = syscall (__NR_io_uring_setup, 4, &params);
    if (ring >= 0)
      close ((int) ring);
  }
  return 0;
}
