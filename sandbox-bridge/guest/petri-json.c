/* petri-json.c: the small JSON writer and strict parser of the guest agent
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "petri-json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writer ---- */

void
pj_writer_init (PjWriter *w)
{
  memset (w, 0, sizeof *w);
}

void
pj_writer_clear (PjWriter *w)
{
  free (w->buf);
  memset (w, 0, sizeof *w);
}

void
pj_writer_reset (PjWriter *w)
{
  w->len = 0;
  w->oom = 0;
  w->depth = 0;
  memset (w->need, 0, sizeof w->need);
  if (w->buf != NULL)
    w->buf[0] = '\0';
}

static void
put (PjWriter *w, const char *s, size_t n)
{
  if (w->oom)
    return;
  if (w->len + n + 1 > w->cap)
    {
      size_t cap = w->cap ? w->cap : 256;
      char *nb;

      while (cap < w->len + n + 1)
        cap *= 2;
      nb = realloc (w->buf, cap);
      if (nb == NULL)
        {
          w->oom = 1;
          return;
        }
      w->buf = nb;
      w->cap = cap;
    }
  memcpy (w->buf + w->len, s, n);
  w->len += n;
  w->buf[w->len] = '\0';
}

static void
putc_ (PjWriter *w, char c)
{
  put (w, &c, 1);
}

/* Before a value: a comma when a sibling came before (not after a key). */
static void
before_value (PjWriter *w)
{
  unsigned int d = w->depth < 16 ? w->depth : 15;

  if (w->need[d] == 1)
    putc_ (w, ',');
  w->need[d] = 1;
}

static void write_escaped (PjWriter *w, const char *s, size_t n);

void
pj_key (PjWriter *w, const char *key)
{
  before_value (w);
  write_escaped (w, key, strlen (key));
  putc_ (w, ':');
  /* the value that follows must not add a comma */
  w->need[w->depth < 16 ? w->depth : 15] = 2;
}

static void
value_start (PjWriter *w)
{
  unsigned int d = w->depth < 16 ? w->depth : 15;

  if (w->need[d] == 2)
    w->need[d] = 1;
  else
    before_value (w);
}

static void
open_ (PjWriter *w, char c)
{
  value_start (w);
  putc_ (w, c);
  w->depth++;
  if (w->depth < 16)
    w->need[w->depth] = 0;
}

static void
close_ (PjWriter *w, char c)
{
  if (w->depth > 0)
    w->depth--;
  putc_ (w, c);
}

void
pj_begin_object (PjWriter *w)
{
  open_ (w, '{');
}

void
pj_end_object (PjWriter *w)
{
  close_ (w, '}');
}

void
pj_begin_array (PjWriter *w)
{
  open_ (w, '[');
}

void
pj_end_array (PjWriter *w)
{
  close_ (w, ']');
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t
utf8_seq (const unsigned char *s, size_t n)
{
  uint32_t cp;
  size_t len;

  if (s[0] < 0x80)
    return 1;
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    len = 2, cp = s[0] & 0x1f;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    len = 3, cp = s[0] & 0x0f;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    len = 4, cp = s[0] & 0x07;
  else
    return 0;
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++)
    {
      if ((s[i] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i] & 0x3f);
    }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))
      || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

int
pj_utf8_valid (const char *s, size_t n)
{
  const unsigned char *p = (const unsigned char *) s;
  size_t i = 0;

  while (i < n)
    {
      size_t l = utf8_seq (p + i, n - i);
      if (l == 0)
        return 0;
      i += l;
    }
  return 1;
}

static void
write_escaped (PjWriter *w, const char *s, size_t n)
{
  const unsigned char *p = (const unsigned char *) s;
  size_t i = 0;

  putc_ (w, '"');
  while (i < n)
    {
      unsigned char c = p[i];
      size_t l;

      if (c == '"' || c == '\\')
        {
          char esc[2] = { '\\', (char) c };
          put (w, esc, 2);
          i++;
        }
      else if (c < 0x20)
        {
          char esc[8];
          snprintf (esc, sizeof esc, "\\u%04x", c);
          put (w, esc, 6);
          i++;
        }
      else if ((l = utf8_seq (p + i, n - i)) == 0)
        {
          put (w, "\xef\xbf\xbd", 3); /* U+FFFD */
          i++;
        }
      else
        {
          put (w, s + i, l);
          i += l;
        }
    }
  putc_ (w, '"');
}

void
pj_string_len (PjWriter *w, const char *s, size_t n)
{
  value_start (w);
  write_escaped (w, s, n);
}

void
pj_string (PjWriter *w, const char *s)
{
  if (s == NULL)
    pj_null (w);
  else
    pj_string_len (w, s, strlen (s));
}

void
pj_int (PjWriter *w, long long v)
{
  char tmp[32];
  int n = snprintf (tmp, sizeof tmp, "%lld", v);

  value_start (w);
  put (w, tmp, (size_t) n);
}

void
pj_uint (PjWriter *w, unsigned long long v)
{
  char tmp[32];
  int n = snprintf (tmp, sizeof tmp, "%llu", v);

  value_start (w);
  put (w, tmp, (size_t) n);
}

void
pj_double (PjWriter *w, double v)
{
  char tmp[48];
  int n;

  if (!isfinite (v))
    v = 0;
  n = snprintf (tmp, sizeof tmp, "%.6f", v);
  value_start (w);
  put (w, tmp, (size_t) n);
}

void
pj_bool (PjWriter *w, int v)
{
  value_start (w);
  put (w, v ? "true" : "false", v ? 4 : 5);
}

void
pj_null (PjWriter *w)
{
  value_start (w);
  put (w, "null", 4);
}

void
pj_member_string (PjWriter *w, const char *key, const char *s)
{
  pj_key (w, key);
  pj_string (w, s);
}

void
pj_member_int (PjWriter *w, const char *key, long long v)
{
  pj_key (w, key);
  pj_int (w, v);
}

void
pj_member_uint (PjWriter *w, const char *key, unsigned long long v)
{
  pj_key (w, key);
  pj_uint (w, v);
}

void
pj_member_bool (PjWriter *w, const char *key, int v)
{
  pj_key (w, key);
  pj_bool (w, v);
}

void
pj_member_hex (PjWriter *w, const char *key, unsigned long long v)
{
  char tmp[32];

  snprintf (tmp, sizeof tmp, "0x%llx", v);
  pj_member_string (w, key, tmp);
}

/* ---- parser ---- */

typedef struct
{
  const char *start;
  const char *p;
  const char *end;
  unsigned int nodes;
  char *err;
  size_t err_size;
} Parser;

static void
fail (Parser *ps, const char *msg)
{
  if (ps->err != NULL && ps->err_size > 0 && ps->err[0] == '\0')
    snprintf (ps->err, ps->err_size, "%s at offset %ld", msg, (long) (ps->p - ps->start));
}

static void
skip_ws (Parser *ps)
{
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static PjNode *
new_node (Parser *ps, PjType type)
{
  PjNode *n;

  if (++ps->nodes > PJ_MAX_NODES)
    {
      fail (ps, "too many values");
      return NULL;
    }
  n = calloc (1, sizeof *n);
  if (n == NULL)
    fail (ps, "out of memory");
  else
    n->type = type;
  return n;
}

void
pj_node_free (PjNode *node)
{
  while (node != NULL)
    {
      PjNode *next = node->next;

      pj_node_free (node->child);
      free (node->string);
      free (node->key);
      free (node);
      node = next;
    }
}

static int
hex4 (Parser *ps, uint32_t *out)
{
  uint32_t v = 0;

  if (ps->end - ps->p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      char c = *ps->p++;
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= (uint32_t) (c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= (uint32_t) (c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= (uint32_t) (c - 'A' + 10);
      else
        return -1;
    }
  *out = v;
  return 0;
}

/* Parses a string at ps->p (the opening quote); returns a malloc'd copy. */
static char *
parse_string (Parser *ps)
{
  size_t cap = 32, len = 0;
  char *out = malloc (cap);

  if (out == NULL)
    {
      fail (ps, "out of memory");
      return NULL;
    }
  ps->p++; /* " */
  for (;;)
    {
      unsigned char c;
      char enc[4];
      size_t n = 0;

      if (ps->p >= ps->end)
        {
          fail (ps, "unterminated string");
          goto error;
        }
      c = (unsigned char) *ps->p;
      if (c == '"')
        {
          ps->p++;
          break;
        }
      if (c < 0x20)
        {
          fail (ps, "control character in string");
          goto error;
        }
      if (c == '\\')
        {
          ps->p++;
          if (ps->p >= ps->end)
            {
              fail (ps, "unterminated escape");
              goto error;
            }
          c = (unsigned char) *ps->p++;
          switch (c)
            {
            case '"':
            case '\\':
            case '/':
              enc[n++] = (char) c;
              break;
            case 'b':
              enc[n++] = '\b';
              break;
            case 'f':
              enc[n++] = '\f';
              break;
            case 'n':
              enc[n++] = '\n';
              break;
            case 'r':
              enc[n++] = '\r';
              break;
            case 't':
              enc[n++] = '\t';
              break;
            case 'u':
              {
                uint32_t cp, lo;

                if (hex4 (ps, &cp) != 0)
                  {
                    fail (ps, "bad \\u escape");
                    goto error;
                  }
                if (cp >= 0xd800 && cp <= 0xdbff)
                  {
                    if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u')
                      {
                        fail (ps, "lone surrogate");
                        goto error;
                      }
                    ps->p += 2;
                    if (hex4 (ps, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
                      {
                        fail (ps, "lone surrogate");
                        goto error;
                      }
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                  }
                else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0)
                  {
                    fail (ps, "lone surrogate or NUL");
                    goto error;
                  }
                if (cp < 0x80)
                  enc[n++] = (char) cp;
                else if (cp < 0x800)
                  {
                    enc[n++] = (char) (0xc0 | (cp >> 6));
                    enc[n++] = (char) (0x80 | (cp & 0x3f));
                  }
                else if (cp < 0x10000)
                  {
                    enc[n++] = (char) (0xe0 | (cp >> 12));
                    enc[n++] = (char) (0x80 | ((cp >> 6) & 0x3f));
                    enc[n++] = (char) (0x80 | (cp & 0x3f));
                  }
                else
                  {
                    enc[n++] = (char) (0xf0 | (cp >> 18));
                    enc[n++] = (char) (0x80 | ((cp >> 12) & 0x3f));
                    enc[n++] = (char) (0x80 | ((cp >> 6) & 0x3f));
                    enc[n++] = (char) (0x80 | (cp & 0x3f));
                  }
                break;
              }
            default:
              fail (ps, "bad escape");
              goto error;
            }
        }
      else
        {
          size_t l = utf8_seq ((const unsigned char *) ps->p, (size_t) (ps->end - ps->p));
          if (l == 0)
            {
              fail (ps, "invalid UTF-8");
              goto error;
            }
          memcpy (enc, ps->p, l);
          n = l;
          ps->p += l;
        }
      if (len + n + 1 > cap)
        {
          char *nb;
          cap *= 2;
          nb = realloc (out, cap);
          if (nb == NULL)
            {
              fail (ps, "out of memory");
              goto error;
            }
          out = nb;
        }
      memcpy (out + len, enc, n);
      len += n;
    }
  out[len] = '\0';
  return out;

error:
  free (out);
  return NULL;
}

static PjNode *parse_value (Parser *ps, unsigned int depth);

static int
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static PjNode *
parse_number (Parser *ps)
{
  const char *start = ps->p;
  int integer = 1;
  char tmp[64];
  size_t len;
  PjNode *n;

  if (ps->p < ps->end && *ps->p == '-')
    ps->p++;
  if (ps->p >= ps->end || !is_digit (*ps->p))
    {
      fail (ps, "bad number");
      return NULL;
    }
  if (*ps->p == '0')
    ps->p++;
  else
    while (ps->p < ps->end && is_digit (*ps->p))
      ps->p++;
  if (ps->p < ps->end && *ps->p == '.')
    {
      integer = 0;
      ps->p++;
      if (ps->p >= ps->end || !is_digit (*ps->p))
        {
          fail (ps, "bad number");
          return NULL;
        }
      while (ps->p < ps->end && is_digit (*ps->p))
        ps->p++;
    }
  if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E'))
    {
      integer = 0;
      ps->p++;
      if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
        ps->p++;
      if (ps->p >= ps->end || !is_digit (*ps->p))
        {
          fail (ps, "bad number");
          return NULL;
        }
      while (ps->p < ps->end && is_digit (*ps->p))
        ps->p++;
    }
  len = (size_t) (ps->p - start);
  if (len >= sizeof tmp)
    {
      fail (ps, "number too long");
      return NULL;
    }
  memcpy (tmp, start, len);
  tmp[len] = '\0';
  n = new_node (ps, PJ_NUMBER);
  if (n == NULL)
    return NULL;
  n->number = strtod (tmp, NULL);
  if (integer && len <= 18)
    {
      n->is_integer = 1;
      n->integer = strtoll (tmp, NULL, 10);
    }
  return n;
}

static int
literal (Parser *ps, const char *word)
{
  size_t l = strlen (word);

  if ((size_t) (ps->end - ps->p) < l || memcmp (ps->p, word, l) != 0)
    return 0;
  ps->p += l;
  return 1;
}

static PjNode *
parse_container (Parser *ps, unsigned int depth, int object)
{
  PjNode *node = new_node (ps, object ? PJ_OBJECT : PJ_ARRAY);
  PjNode **tail;

  if (node == NULL)
    return NULL;
  tail = &node->child;
  ps->p++;
  skip_ws (ps);
  if (ps->p < ps->end && *ps->p == (object ? '}' : ']'))
    {
      ps->p++;
      return node;
    }
  for (;;)
    {
      char *key = NULL;
      PjNode *v;

      skip_ws (ps);
      if (object)
        {
          if (ps->p >= ps->end || *ps->p != '"')
            {
              fail (ps, "expected a member name");
              goto error;
            }
          key = parse_string (ps);
          if (key == NULL)
            goto error;
          if (pj_object_get (node, key) != NULL)
            {
              fail (ps, "duplicate member");
              free (key);
              goto error;
            }
          skip_ws (ps);
          if (ps->p >= ps->end || *ps->p != ':')
            {
              fail (ps, "expected ':'");
              free (key);
              goto error;
            }
          ps->p++;
        }
      v = parse_value (ps, depth + 1);
      if (v == NULL)
        {
          free (key);
          goto error;
        }
      v->key = key;
      *tail = v;
      tail = &v->next;
      skip_ws (ps);
      if (ps->p < ps->end && *ps->p == ',')
        {
          ps->p++;
          continue;
        }
      if (ps->p < ps->end && *ps->p == (object ? '}' : ']'))
        {
          ps->p++;
          return node;
        }
      fail (ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
      goto error;
    }
error:
  pj_node_free (node);
  return NULL;
}

static PjNode *
parse_value (Parser *ps, unsigned int depth)
{
  PjNode *n;

  if (depth > PJ_MAX_DEPTH)
    {
      fail (ps, "nested too deeply");
      return NULL;
    }
  skip_ws (ps);
  if (ps->p >= ps->end)
    {
      fail (ps, "unexpected end");
      return NULL;
    }
  switch (*ps->p)
    {
    case '{':
      return parse_container (ps, depth, 1);
    case '[':
      return parse_container (ps, depth, 0);
    case '"':
      {
        char *s = parse_string (ps);
        if (s == NULL)
          return NULL;
        n = new_node (ps, PJ_STRING);
        if (n == NULL)
          {
            free (s);
            return NULL;
          }
        n->string = s;
        return n;
      }
    case 't':
    case 'f':
    case 'n':
      if (literal (ps, "true") || literal (ps, "false"))
        {
          n = new_node (ps, PJ_BOOL);
          if (n != NULL)
            n->boolean = ps->p[-1] == 'e' && ps->p[-2] == 'u';
          return n;
        }
      if (literal (ps, "null"))
        return new_node (ps, PJ_NULL);
      fail (ps, "bad literal");
      return NULL;
    default:
      return parse_number (ps);
    }
}

PjNode *
pj_parse (const char *text, size_t len, char *err, size_t err_size)
{
  Parser ps = { text, text, text + len, 0, err, err_size };
  PjNode *root;

  if (err != NULL && err_size > 0)
    err[0] = '\0';
  root = parse_value (&ps, 0);
  if (root == NULL)
    return NULL;
  skip_ws (&ps);
  if (ps.p != ps.end)
    {
      fail (&ps, "trailing bytes");
      pj_node_free (root);
      return NULL;
    }
  return root;
}

PjNode *
pj_object_get (const PjNode *object, const char *key)
{
  if (object == NULL || object->type != PJ_OBJECT)
    return NULL;
  for (PjNode *c = object->child; c != NULL; c = c->next)
    if (c->key != NULL && strcmp (c->key, key) == 0)
      return c;
  return NULL;
}

const char *
pj_object_get_string (const PjNode *object, const char *key)
{
  PjNode *n = pj_object_get (object, key);

  return n != NULL && n->type == PJ_STRING ? n->string : NULL;
}

int
pj_object_get_int (const PjNode *object, const char *key, long long *out)
{
  PjNode *n = pj_object_get (object, key);

  if (n == NULL || n->type != PJ_NUMBER || !n->is_integer)
    return -1;
  *out = n->integer;
  return 0;
}

unsigned int
pj_array_length (const PjNode *array)
{
  unsigned int n = 0;

  if (array == NULL || array->type != PJ_ARRAY)
    return 0;
  for (PjNode *c = array->child; c != NULL; c = c->next)
    n++;
  return n;
}
