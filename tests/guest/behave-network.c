/* behave-network.c: network activity for the monitor tests
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   behave-network TCP_PORT DNS_PORT
 * Connects to 127.0.0.1:TCP_PORT and sends a line, then again and writes an
 * HTTP request; sends a DNS query for "petri-test.example" (type A) to
 * 127.0.0.1:DNS_PORT over UDP, and one for "petri-tcp.example" over TCP
 * (written with its two bytes of length); tries [::1]:TCP_PORT and a unix
 * socket, and binds a UDP socket to 127.0.0.1:0. Harmless: loopback only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static size_t
dns_query (unsigned char *out, const char *name)
{
  size_t n = 0;
  const char *p = name;
  static const unsigned char header[12] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };

  memcpy (out, header, sizeof header);
  n = sizeof header;
  while (*p)
    {
      const char *dot = strchr (p, '.');
      size_t l = dot ? (size_t) (dot - p) : strlen (p);
      out[n++] = (unsigned char) l;
      memcpy (out + n, p, l);
      n += l;
      p += l + (dot ? 1 : 0);
    }
  out[n++] = 0;
  out[n++] = 0, out[n++] = 1; /* A */
  out[n++] = 0, out[n++] = 1; /* IN */
  return n;
}

int
main (int argc, char **argv)
{
  struct sockaddr_in in = { .sin_family = AF_INET };
  struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
  struct sockaddr_un un = { .sun_family = AF_UNIX };
  unsigned char q[512];
  size_t qlen;
  int s;

  if (argc != 3)
    return 2;
  inet_pton (AF_INET, "127.0.0.1", &in.sin_addr);

  s = socket (AF_INET, SOCK_STREAM, 0);
  in.sin_port = htons ((unsigned short) atoi (argv[1]));
  if (s < 0 || connect (s, (struct sockaddr *) &in, sizeof in) != 0)
    {
      perror ("connect");
      return 1;
    }
  if (send (s, "hello\n", 6, 0) != 6)
    return 1;
  close (s);

  s = socket (AF_INET, SOCK_STREAM, 0);
  if (s < 0 || connect (s, (struct sockaddr *) &in, sizeof in) != 0)
    return 1;
  {
    static const char request[] = "GET /petri-c2 HTTP/1.0\r\nHost: petri.test\r\n\r\n";
    if (write (s, request, sizeof request - 1) != (ssize_t) sizeof request - 1)
      return 1;
  }
  close (s);

  s = socket (AF_INET, SOCK_DGRAM, 0);
  in.sin_port = htons ((unsigned short) atoi (argv[2]));
  qlen = dns_query (q, "petri-test.example");
  if (s < 0 || sendto (s, q, qlen, 0, (struct sockaddr *) &in, sizeof in) != (ssize_t) qlen)
    {
      perror ("sendto");
      return 1;
    }
  close (s);

  /* DNS over TCP: the same query, behind two bytes of length. */
  s = socket (AF_INET, SOCK_STREAM, 0);
  qlen = dns_query (q + 2, "petri-tcp.example");
  q[0] = (unsigned char) (qlen >> 8);
  q[1] = (unsigned char) qlen;
  if (s >= 0 && connect (s, (struct sockaddr *) &in, sizeof in) == 0)
    {
      if (write (s, q, qlen + 2) != (ssize_t) qlen + 2)
        return 1;
    }
  close (s);

  s = socket (AF_INET6, SOCK_STREAM, 0);
  in6.sin6_port = htons ((unsigned short) atoi (argv[1]));
  inet_pton (AF_INET6, "::1", &in6.sin6_addr);
  if (s >= 0)
    {
      connect (s, (struct sockaddr *) &in6, sizeof in6); /* may be refused */
      close (s);
    }

  s = socket (AF_UNIX, SOCK_STREAM, 0);
  strcpy (un.sun_path, "/nonexistent/petri.sock");
  connect (s, (struct sockaddr *) &un, sizeof un); /* refused: still recorded */
  close (s);

  s = socket (AF_INET, SOCK_DGRAM, 0);
  in.sin_port = 0;
  if (bind (s, (struct sockaddr *) &in, sizeof in) != 0)
    return 1;
  close (s);
  return 0;
}
