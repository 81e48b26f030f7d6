/* petri-monitor.h: Petri's Linux behaviour monitor (eBPF), user-space half
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Loads the CO-RE programs of petri-monitor.bpf.c, follows the process tree
 * started with petri_monitor_track() and turns the raw records into
 * behaviour events (JSON objects as petri-behavior.h describes them), handed
 * to a callback as they are decoded.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct PetriMonitor PetriMonitor;

/* One behaviour event: a JSON object, len bytes, NUL-terminated. */
typedef void (*PetriMonitorEventFunc) (const char *json, size_t len, void *user_data);

/* Loads and attaches the programs. NULL with a message in err when BPF is not
 * available (not root, no BTF, …). */
PetriMonitor *petri_monitor_new (PetriMonitorEventFunc func, void *user_data, char *err,
                                 size_t err_size);
void petri_monitor_free (PetriMonitor *mon);

/* Starts following pid (and every process it creates) as a new run: times
 * are counted from now, state of an earlier run is forgotten. cwd is the
 * directory pid runs in (for relative paths). Returns 0 or -errno. */
int petri_monitor_track (PetriMonitor *mon, pid_t pid, const char *cwd);

/* A descriptor that becomes readable when records are waiting. */
int petri_monitor_fd (PetriMonitor *mon);
/* Decodes what is waiting, calling the event function; waits up to
 * timeout_ms for records. Returns the number of records, or -errno. */
int petri_monitor_poll (PetriMonitor *mon, int timeout_ms);

/* The thread groups still followed; returns how many (at most max). */
unsigned int petri_monitor_tracked (PetriMonitor *mon, pid_t *pids, unsigned int max);
/* Stops following every process (after they were killed). */
void petri_monitor_untrack_all (PetriMonitor *mon);

/* Records lost in this run (ring buffer full, tracking table full). */
uint64_t petri_monitor_dropped (PetriMonitor *mon);
/* Events delivered in this run. */
uint64_t petri_monitor_events (PetriMonitor *mon);

/* Regular files the tree created or wrote in this run, in first-seen order,
 * with the pid that did it. Returns the count; the arrays stay owned by the
 * monitor until the next run. */
unsigned int petri_monitor_written_files (PetriMonitor *mon, const char *const **paths,
                                          const pid_t **pids);

/* Helpers, exposed for tests. */
const char *petri_monitor_ioctl_name (unsigned long request);
/* Decodes a DNS query (UDP payload). Writes the name ("example.org") and
 * returns the query type, or -1 when it is not a query. */
int petri_monitor_decode_dns (const uint8_t *payload, size_t len, char *name, size_t name_size);
