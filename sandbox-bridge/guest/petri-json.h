/* petri-json.h: the small JSON writer and strict parser of the guest agent
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Plain C for the static agent. The writer always produces valid UTF-8 (bytes
 * that are not are replaced by U+FFFD). The parser takes input from the host,
 * which the agent does not trust either: bounded depth and node count, strict
 * grammar, valid UTF-8, no NUL in strings, no duplicate keys.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/* Writer */
typedef struct
{
  char *buf;
  size_t len;
  size_t cap;
  int oom;               /* an allocation failed: the text is unusable */
  unsigned int depth;    /* nesting level */
  unsigned int need[16]; /* per level: a comma is due before the next item */
} PjWriter;

void pj_writer_init (PjWriter *w);
void pj_writer_clear (PjWriter *w);
void pj_writer_reset (PjWriter *w);

void pj_begin_object (PjWriter *w);
void pj_end_object (PjWriter *w);
void pj_begin_array (PjWriter *w);
void pj_end_array (PjWriter *w);
/* Inside an object: the member name; the next value call writes its value. */
void pj_key (PjWriter *w, const char *key);
void pj_string (PjWriter *w, const char *s);
void pj_string_len (PjWriter *w, const char *s, size_t n);
void pj_int (PjWriter *w, long long v);
void pj_uint (PjWriter *w, unsigned long long v);
void pj_double (PjWriter *w, double v);
void pj_bool (PjWriter *w, int v);
void pj_null (PjWriter *w);
/* Shorthands for members. */
void pj_member_string (PjWriter *w, const char *key, const char *s);
void pj_member_int (PjWriter *w, const char *key, long long v);
void pj_member_uint (PjWriter *w, const char *key, unsigned long long v);
void pj_member_bool (PjWriter *w, const char *key, int v);
void pj_member_hex (PjWriter *w, const char *key, unsigned long long v);

/* Parser */
typedef enum
{
  PJ_NULL,
  PJ_BOOL,
  PJ_NUMBER,
  PJ_STRING,
  PJ_ARRAY,
  PJ_OBJECT,
} PjType;

typedef struct PjNode PjNode;
struct PjNode
{
  PjType type;
  int boolean;
  double number;
  int is_integer; /* the number was written without fraction or exponent */
  long long integer;
  char *string;  /* PJ_STRING: NUL-terminated UTF-8 */
  char *key;     /* member name when inside an object */
  PjNode *child; /* first element or member */
  PjNode *next;  /* next sibling */
};

#define PJ_MAX_DEPTH 8
#define PJ_MAX_NODES 4096

/* Parses exactly one JSON value filling len bytes. Returns NULL and a message
 * in err on any error. */
PjNode *pj_parse (const char *text, size_t len, char *err, size_t err_size);
void pj_node_free (PjNode *node);

/* The member named key of an object, or NULL. */
PjNode *pj_object_get (const PjNode *object, const char *key);
/* Members: the string (or NULL unless it is a string) */
const char *pj_object_get_string (const PjNode *object, const char *key);
/* Returns 0 and sets *out if the member is an integer number. */
int pj_object_get_int (const PjNode *object, const char *key, long long *out);
unsigned int pj_array_length (const PjNode *array);

/* Whether the bytes are valid UTF-8 (no overlongs, no surrogates). */
int pj_utf8_valid (const char *s, size_t n);
