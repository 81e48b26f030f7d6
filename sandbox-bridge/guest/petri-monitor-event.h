/* petri-monitor-event.h: the record the eBPF programs hand to user space
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Shared by petri-monitor.bpf.c (compiled with clang -target bpf) and the
 * agent. Only fixed-width types, the same layout on both sides.
 */
#pragma once

#define PETRI_MON_STR0 1024   /* first path, or a socket address */
#define PETRI_MON_STR1 1024   /* second path, argv, or a payload prefix */
#define PETRI_MON_PAYLOAD 512 /* bytes of a send() payload kept (DNS) */
#define PETRI_MON_ADDR 128    /* bytes of a sockaddr kept */
#define PETRI_MON_MAX_TRACKED 8192

enum petri_mon_kind
{
  PETRI_MON_EXEC = 1,    /* str0 = filename, str1 = argv (NUL separated, len1 bytes) */
  PETRI_MON_FORK = 2,    /* pid = child, ppid = parent */
  PETRI_MON_EXIT = 3,    /* aux = exit code as wait() reports it */
  PETRI_MON_SYSCALL = 4, /* nr, args, ret; strings depend on nr */
};

struct petri_mon_event
{
  unsigned long long ts_ns; /* CLOCK_MONOTONIC */
  unsigned int kind;
  unsigned int pid;  /* thread group id */
  unsigned int tid;  /* thread id */
  unsigned int ppid; /* parent's thread group id */
  long long nr;      /* syscall number (SYSCALL) */
  long long ret;     /* syscall return value (SYSCALL) */
  unsigned long long args[6];
  unsigned long long aux; /* open: file f_mode; exit: exit code; | PETRI_MON_AUX_COMPAT */
  unsigned int len0;      /* bytes valid in str0 (strings: including the NUL) */
  unsigned int len1;      /* bytes valid in str1 */
  char comm[16];
  char str0[PETRI_MON_STR0];
  char str1[PETRI_MON_STR1];
};

/* In aux of a SYSCALL record: the call came through the 32-bit (i386)
 * entry; nr and args are translated to their x86-64 forms. */
#define PETRI_MON_AUX_COMPAT (1ULL << 63)

/* Counters in the "stats" array map. */
enum petri_mon_stat
{
  PETRI_MON_STAT_DROPPED = 0, /* ring buffer full */
  PETRI_MON_STAT_UNTRACKED,   /* tracked map full: a child not followed */
  PETRI_MON_STAT_N,
};
