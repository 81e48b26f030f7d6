/* petri-json-reader.h: a pull tokenizer for large JSON documents
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Sandbox reports run to tens of megabytes; JsonParser would hold all of it
 * (several times over) in memory. The reader walks a GInputStream one token at
 * a time with a fixed buffer, checks the grammar as it goes, and can build a
 * small JsonNode subtree (one API call, one signature) under a size budget.
 * Memory stays bounded by the budget and the maximum string length, whatever
 * the size of the document.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PETRI_JSON_READER_ERROR (petri_json_reader_error_quark ())
typedef enum
{
  PETRI_JSON_READER_ERROR_SYNTAX,    /* malformed JSON (message names line and column) */
  PETRI_JSON_READER_ERROR_TRUNCATED, /* the document ends early */
  PETRI_JSON_READER_ERROR_TOO_DEEP,  /* nesting deeper than the limit */
  PETRI_JSON_READER_ERROR_TOO_LARGE, /* a subtree exceeded its budget (it was skipped) */
  PETRI_JSON_READER_ERROR_IO,        /* reading the stream failed */
} PetriJsonReaderError;
GQuark petri_json_reader_error_quark (void);

typedef enum
{
  PETRI_JSON_ERROR = 0, /* see the GError */
  PETRI_JSON_BEGIN_OBJECT,
  PETRI_JSON_END_OBJECT,
  PETRI_JSON_BEGIN_ARRAY,
  PETRI_JSON_END_ARRAY,
  PETRI_JSON_KEY, /* a member name: petri_json_reader_get_string() */
  PETRI_JSON_STRING,
  PETRI_JSON_NUMBER,
  PETRI_JSON_TRUE,
  PETRI_JSON_FALSE,
  PETRI_JSON_NULL,
  PETRI_JSON_EOF, /* the single top-level value is complete and only blanks follow */
} PetriJsonToken;

typedef struct _PetriJsonReader PetriJsonReader;

/* @name is used in error messages (usually the file's display name). */
PetriJsonReader *petri_json_reader_new (GInputStream *stream, const char *name);
void petri_json_reader_free (PetriJsonReader *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PetriJsonReader, petri_json_reader_free)

/* Strings longer than this (bytes, default 1 MiB) are cut, not stored whole;
 * petri_json_reader_get_truncated() tells. */
void petri_json_reader_set_max_string (PetriJsonReader *self, gsize max_bytes);

PetriJsonToken petri_json_reader_next (PetriJsonReader *self, GCancellable *cancellable,
                                       GError **error);

/* For KEY and STRING: valid UTF-8 (invalid bytes replaced), valid until the
 * next call. For NUMBER: the number's text. */
const char *petri_json_reader_get_string (PetriJsonReader *self);
gsize petri_json_reader_get_length (PetriJsonReader *self);
gboolean petri_json_reader_get_truncated (PetriJsonReader *self);
/* Depth of the current container (0 at top level). */
guint petri_json_reader_get_depth (PetriJsonReader *self);
/* Bytes consumed so far. */
guint64 petri_json_reader_get_offset (PetriJsonReader *self);

/* After @first was returned as the first token of a value, consume the rest
 * of that value. */
gboolean petri_json_reader_skip (PetriJsonReader *self, PetriJsonToken first,
                                 GCancellable *cancellable, GError **error);
/* After @first was returned as the first token of a value, build that value.
 * @budget bounds the bytes held (strings plus a per-node overhead); a value
 * over budget is consumed and PETRI_JSON_READER_ERROR_TOO_LARGE returned, so
 * the caller may go on reading after it. */
JsonNode *petri_json_reader_build (PetriJsonReader *self, PetriJsonToken first, gsize budget,
                                   GCancellable *cancellable, GError **error);

/* Sets @error to "NAME: line L, column C: MESSAGE" at the current position. */
void petri_json_reader_set_error (PetriJsonReader *self, GError **error, int code,
                                  const char *message);

G_END_DECLS
