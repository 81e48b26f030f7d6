/* behave-ioctl.c: commands sent to device drivers
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * TCGETS on /dev/null, RNDGETENTCNT on /dev/urandom, BLKGETSIZE64 on
 * /dev/zero, FIONREAD on /dev/null, SIOCGIFCONF on a socket. Harmless: the
 * requests only read, and most are refused by the device.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/random.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

int
main (void)
{
  struct termios t;
  int n = 0, fd, s;
  uint64_t size;
  char buf[1024];
  struct ifconf ifc = { .ifc_len = sizeof buf, .ifc_buf = buf };

  fd = open ("/dev/null", O_RDWR);
  ioctl (fd, TCGETS, &t); /* ENOTTY */
  ioctl (fd, FIONREAD, &n);
  close (fd);
  fd = open ("/dev/urandom", O_RDONLY);
  ioctl (fd, RNDGETENTCNT, &n);
  close (fd);
  fd = open ("/dev/zero", O_RDONLY);
  ioctl (fd, BLKGETSIZE64, &size); /* ENOTTY */
  close (fd);
  s = socket (AF_INET, SOCK_DGRAM, 0);
  ioctl (s, SIOCGIFCONF, &ifc);
  close (s);
  return 0;
}
