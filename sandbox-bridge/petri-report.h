/* petri-report.h: CAPE and Cuckoo 2 JSON reports in Petri's behaviour model
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A report is streamed (see petri-json-reader.h): only one API call, one
 * signature or one network entry is held as a tree at a time, and the events
 * derived from them are deduplicated, so reports of tens of megabytes are read
 * in bounded memory. The dialect is told apart by the process entries (CAPE:
 * "process_id"; Cuckoo 2: "pid") and the call arguments (CAPE: a list of
 * {"name", "value"}; Cuckoo 2: an object).
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "petri-behavior.h"

G_BEGIN_DECLS

#define PETRI_REPORT_ERROR (petri_report_error_quark ())
typedef enum
{
  PETRI_REPORT_ERROR_INVALID,   /* not JSON, truncated, or not a sandbox report */
  PETRI_REPORT_ERROR_NO_TARGET, /* no target file with a valid SHA-256 */
  PETRI_REPORT_ERROR_IO,
} PetriReportError;
GQuark petri_report_error_quark (void);

typedef enum
{
  PETRI_REPORT_DIALECT_UNKNOWN,
  PETRI_REPORT_DIALECT_CAPE,
  PETRI_REPORT_DIALECT_CUCKOO,
} PetriReportDialect;

const char *petri_report_dialect_to_string (PetriReportDialect dialect); /* "cape", "cuckoo" */

typedef struct
{
  char *name, *path, *sha256, *sha1, *md5;
  guint64 size;
} PetriReportFile;

typedef struct
{
  PetriReportDialect dialect;

  /* The target file (sha256/sha1/md5 lower-case hex; sha256 always set). */
  char *sha256, *sha1, *md5, *ssdeep, *file_name, *file_type;
  guint64 size;

  /* The run. Times are Unix seconds, 0 when the report does not say. */
  char *report_id, *machine, *platform, *package;
  gint64 started, ended;
  gint64 duration;

  GPtrArray *events;         /* PetriBehaviorEvent, in the order of ts */
  GPtrArray *signatures;     /* JsonObject {"name","description","severity"} */
  GPtrArray *dropped;        /* PetriReportFile */
  double score;              /* info.score / malscore, -1 when absent */
  char *family;              /* CAPE's malfamily / detections, or NULL */
  guint calls;               /* API calls read */
  gboolean events_truncated; /* more distinct events than the limit */
} PetriReport;

/* Blocking; call from a worker for large files. */
PetriReport *petri_report_parse_file (const char *path, GCancellable *cancellable, GError **error);
PetriReport *petri_report_parse_stream (GInputStream *stream, const char *name,
                                        GCancellable *cancellable, GError **error);
void petri_report_free (PetriReport *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriReport, petri_report_free)

/* The summary object Petri stores with the analysis: dialect, report id,
 * package, score, family, signatures, counts per category. */
JsonObject *petri_report_summary (const PetriReport *self);

/* A Windows I/O control code taken apart: "device_type", "device_type_name",
 * "function", "method", "access", and "name" when it is a well-known code. */
JsonObject *petri_report_decode_ioctl (guint32 code);

G_END_DECLS
