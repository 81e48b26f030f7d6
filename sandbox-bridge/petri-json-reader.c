/* petri-json-reader.c: a pull tokenizer for large JSON documents
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-json-reader.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <string.h>

#define BUFFER_SIZE (64 * 1024)
#define MAX_DEPTH 512
#define MAX_NUMBER 64
#define NODE_OVERHEAD 64

/* The quark name is stringified: keep it as written. */
/* clang-format off */
G_DEFINE_QUARK (petri-json-reader-error-quark, petri_json_reader_error)
/* clang-format on */

typedef enum
{
  STATE_VALUE,        /* a value must come (top level, after ':' or ',' in an array) */
  STATE_VALUE_OR_END, /* just after '[' */
  STATE_KEY,          /* after ',' in an object */
  STATE_KEY_OR_END,   /* just after '{' */
  STATE_COLON,        /* after a key */
  STATE_COMMA_OR_END, /* after a value inside a container */
  STATE_DONE,         /* the top-level value is complete */
} State;

struct _PetriJsonReader
{
  GInputStream *stream;
  char *name;
  guint8 *buf;
  gsize len, pos;
  gboolean eof;
  guint64 offset; /* bytes before buf[0] */
  guint line, line_start_col_offset;
  guint64 line_start;

  State state;
  GByteArray *stack; /* '{' or '[' per open container */

  GString *str;
  gboolean truncated;
  gsize max_string;
};

PetriJsonReader *
petri_json_reader_new (GInputStream *stream, const char *name)
{
  PetriJsonReader *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  self = g_new0 (PetriJsonReader, 1);
  self->stream = g_object_ref (stream);
  self->name = g_strdup (name != NULL ? name : "JSON");
  self->buf = g_malloc (BUFFER_SIZE);
  self->line = 1;
  self->state = STATE_VALUE;
  self->stack = g_byte_array_new ();
  self->str = g_string_sized_new (256);
  self->max_string = 1024 * 1024;
  return self;
}

void
petri_json_reader_free (PetriJsonReader *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->stream);
  g_free (self->name);
  g_free (self->buf);
  g_byte_array_unref (self->stack);
  g_string_free (self->str, TRUE);
  g_free (self);
}

void
petri_json_reader_set_max_string (PetriJsonReader *self, gsize max_bytes)
{
  g_return_if_fail (self != NULL);
  self->max_string = MAX (max_bytes, 16);
}

const char *
petri_json_reader_get_string (PetriJsonReader *self)
{
  return self->str->str;
}

gsize
petri_json_reader_get_length (PetriJsonReader *self)
{
  return self->str->len;
}

gboolean
petri_json_reader_get_truncated (PetriJsonReader *self)
{
  return self->truncated;
}

guint
petri_json_reader_get_depth (PetriJsonReader *self)
{
  return self->stack->len;
}

guint64
petri_json_reader_get_offset (PetriJsonReader *self)
{
  return self->offset + self->pos;
}

void
petri_json_reader_set_error (PetriJsonReader *self, GError **error, int code, const char *message)
{
  guint64 here = self->offset + self->pos;

  g_set_error (error, PETRI_JSON_READER_ERROR, code, _ ("%s: line %u, column %u: %s"), self->name,
               self->line, (guint) (here - self->line_start) + 1, message);
}

/* Returns the next byte without consuming it, or -1 at the end of the
 * stream, or -2 on a read error. */
static int
peek (PetriJsonReader *self, GCancellable *cancellable, GError **error)
{
  if (self->pos < self->len)
    return self->buf[self->pos];
  if (self->eof)
    return -1;

  self->offset += self->len;
  self->len = self->pos = 0;
  while (self->len == 0)
    {
      g_autoptr (GError) local = NULL;
      gssize n = g_input_stream_read (self->stream, self->buf, BUFFER_SIZE, cancellable, &local);

      if (n < 0)
        {
          g_set_error (error, PETRI_JSON_READER_ERROR, PETRI_JSON_READER_ERROR_IO,
                       _ ("Could not read “%s”: %s"), self->name, local->message);
          return -2;
        }
      if (n == 0)
        {
          self->eof = TRUE;
          return -1;
        }
      self->len = n;
    }
  return self->buf[0];
}

static inline void
advance (PetriJsonReader *self)
{
  if (self->buf[self->pos] == '\n')
    {
      self->line++;
      self->line_start = self->offset + self->pos + 1;
    }
  self->pos++;
}

/* Skips blanks; returns the next byte (not consumed), -1 at the end, -2 on error. */
static int
peek_nonblank (PetriJsonReader *self, GCancellable *cancellable, GError **error)
{
  for (;;)
    {
      int c = peek (self, cancellable, error);

      if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
        return c;
      advance (self);
    }
}

static PetriJsonToken
fail (PetriJsonReader *self, GError **error, int c, const char *what)
{
  if (c == -2)
    return PETRI_JSON_ERROR; /* already set */
  if (c == -1)
    petri_json_reader_set_error (self, error, PETRI_JSON_READER_ERROR_TRUNCATED,
                                 _ ("the document ends too early"));
  else
    {
      g_autofree char *msg = NULL;

      if (c >= 0x20 && c < 0x7f)
        msg = g_strdup_printf (_ ("unexpected “%c”, expected %s"), c, what);
      else
        msg = g_strdup_printf (_ ("unexpected byte 0x%02x, expected %s"), c, what);
      petri_json_reader_set_error (self, error, PETRI_JSON_READER_ERROR_SYNTAX, msg);
    }
  return PETRI_JSON_ERROR;
}

static void
append_byte (PetriJsonReader *self, char c)
{
  if (self->str->len < self->max_string)
    g_string_append_c (self->str, c);
  else
    self->truncated = TRUE;
}

static void
append_unichar (PetriJsonReader *self, gunichar u)
{
  char out[8];
  int n = g_unichar_to_utf8 (u, out);

  for (int i = 0; i < n; i++)
    append_byte (self, out[i]);
}

static int
read_hex4 (PetriJsonReader *self, GCancellable *cancellable, GError **error)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      int c = peek (self, cancellable, error);

      if (c < 0 || !g_ascii_isxdigit (c))
        {
          fail (self, error, c, _ ("four hexadecimal digits after \\u"));
          return -1;
        }
      v = v * 16 + g_ascii_xdigit_value (c);
      advance (self);
    }
  return v;
}

/* The opening quote is consumed. */
static gboolean
read_string (PetriJsonReader *self, GCancellable *cancellable, GError **error)
{
  g_string_truncate (self->str, 0);
  self->truncated = FALSE;

  for (;;)
    {
      int c;

      /* Fast path: copy plain bytes straight from the buffer. */
      while (self->pos < self->len)
        {
          guint8 b = self->buf[self->pos];

          if (b == '"' || b == '\\' || b < 0x20)
            break;
          append_byte (self, (char) b);
          self->pos++;
        }

      c = peek (self, cancellable, error);
      if (c < 0)
        return fail (self, error, c, _ ("the end of a string")), FALSE;
      if (c == '"')
        {
          advance (self);
          break;
        }
      if (c < 0x20)
        return fail (self, error, c, _ ("a character (control characters must be escaped)")), FALSE;
      if (c != '\\')
        {
          append_byte (self, (char) c);
          advance (self);
          continue;
        }
      advance (self);
      c = peek (self, cancellable, error);
      switch (c)
        {
        case '"':
          append_byte (self, '"');
          break;
        case '\\':
          append_byte (self, '\\');
          break;
        case '/':
          append_byte (self, '/');
          break;
        case 'b':
          append_byte (self, '\b');
          break;
        case 'f':
          append_byte (self, '\f');
          break;
        case 'n':
          append_byte (self, '\n');
          break;
        case 'r':
          append_byte (self, '\r');
          break;
        case 't':
          append_byte (self, '\t');
          break;
        case 'u':
          {
            int hi, lo;

            advance (self);
            if ((hi = read_hex4 (self, cancellable, error)) < 0)
              return FALSE;
            if (hi >= 0xd800 && hi <= 0xdbff)
              {
                /* A high surrogate: pair it when a low one follows. */
                if (peek (self, cancellable, error) == '\\')
                  {
                    advance (self);
                    if (peek (self, cancellable, error) != 'u')
                      return fail (self, error, peek (self, cancellable, error), "\\u"), FALSE;
                    advance (self);
                    if ((lo = read_hex4 (self, cancellable, error)) < 0)
                      return FALSE;
                    if (lo >= 0xdc00 && lo <= 0xdfff)
                      append_unichar (self, 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00));
                    else
                      {
                        append_unichar (self, 0xfffd);
                        append_unichar (self, (lo >= 0xd800 && lo <= 0xdfff) ? 0xfffd : lo);
                      }
                  }
                else
                  append_unichar (self, 0xfffd);
              }
            else if (hi >= 0xdc00 && hi <= 0xdfff)
              append_unichar (self, 0xfffd);
            else if (hi == 0)
              append_unichar (self, 0xfffd); /* no NUL inside C strings */
            else
              append_unichar (self, hi);
            continue;
          }
        default:
          return fail (self, error, c, _ ("an escape sequence")), FALSE;
        }
      advance (self);
    }

  if (!g_utf8_validate_len (self->str->str, self->str->len, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (self->str->str, self->str->len);

      g_string_assign (self->str, valid);
    }
  return TRUE;
}

static gboolean
read_number (PetriJsonReader *self, GCancellable *cancellable, GError **error)
{
  int c;

  g_string_truncate (self->str, 0);
  self->truncated = FALSE;

#define TAKE()                                                                                     \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if (self->str->len >= MAX_NUMBER)                                                              \
      {                                                                                            \
        petri_json_reader_set_error (self, error, PETRI_JSON_READER_ERROR_SYNTAX,                  \
                                     _ ("a number is too long"));                                  \
        return FALSE;                                                                              \
      }                                                                                            \
    g_string_append_c (self->str, (char) c);                                                       \
    advance (self);                                                                                \
    c = peek (self, cancellable, error);                                                           \
  }                                                                                                \
  G_STMT_END

  c = peek (self, cancellable, error);
  if (c == '-')
    TAKE ();
  if (c == '0')
    TAKE ();
  else if (c >= '1' && c <= '9')
    while (c >= '0' && c <= '9')
      TAKE ();
  else
    return fail (self, error, c, _ ("a digit")), FALSE;
  if (c == '.')
    {
      TAKE ();
      if (!(c >= '0' && c <= '9'))
        return fail (self, error, c, _ ("a digit")), FALSE;
      while (c >= '0' && c <= '9')
        TAKE ();
    }
  if (c == 'e' || c == 'E')
    {
      TAKE ();
      if (c == '+' || c == '-')
        TAKE ();
      if (!(c >= '0' && c <= '9'))
        return fail (self, error, c, _ ("a digit")), FALSE;
      while (c >= '0' && c <= '9')
        TAKE ();
    }
#undef TAKE
  return c != -2;
}

static gboolean
read_literal (PetriJsonReader *self, const char *word, GCancellable *cancellable, GError **error)
{
  for (const char *p = word; *p != '\0'; p++)
    {
      int c = peek (self, cancellable, error);

      if (c != *p)
        {
          g_autofree char *what = g_strdup_printf ("“%s”", word);

          return fail (self, error, c, what), FALSE;
        }
      advance (self);
    }
  return TRUE;
}

static void
after_value (PetriJsonReader *self)
{
  self->state = self->stack->len == 0 ? STATE_DONE : STATE_COMMA_OR_END;
}

static PetriJsonToken
begin_value (PetriJsonReader *self, int c, GCancellable *cancellable, GError **error)
{
  switch (c)
    {
    case '{':
    case '[':
      if (self->stack->len >= MAX_DEPTH)
        {
          petri_json_reader_set_error (self, error, PETRI_JSON_READER_ERROR_TOO_DEEP,
                                       _ ("the document is nested too deeply"));
          return PETRI_JSON_ERROR;
        }
      advance (self);
      g_byte_array_append (self->stack, (const guint8 *) &c, 1);
      self->state = c == '{' ? STATE_KEY_OR_END : STATE_VALUE_OR_END;
      return c == '{' ? PETRI_JSON_BEGIN_OBJECT : PETRI_JSON_BEGIN_ARRAY;
    case '"':
      advance (self);
      if (!read_string (self, cancellable, error))
        return PETRI_JSON_ERROR;
      after_value (self);
      return PETRI_JSON_STRING;
    case 't':
      if (!read_literal (self, "true", cancellable, error))
        return PETRI_JSON_ERROR;
      after_value (self);
      return PETRI_JSON_TRUE;
    case 'f':
      if (!read_literal (self, "false", cancellable, error))
        return PETRI_JSON_ERROR;
      after_value (self);
      return PETRI_JSON_FALSE;
    case 'n':
      if (!read_literal (self, "null", cancellable, error))
        return PETRI_JSON_ERROR;
      after_value (self);
      return PETRI_JSON_NULL;
    default:
      if (c == '-' || (c >= '0' && c <= '9'))
        {
          if (!read_number (self, cancellable, error))
            return PETRI_JSON_ERROR;
          after_value (self);
          return PETRI_JSON_NUMBER;
        }
      return fail (self, error, c, _ ("a value"));
    }
}

static PetriJsonToken
end_container (PetriJsonReader *self, int c)
{
  advance (self);
  g_byte_array_set_size (self->stack, self->stack->len - 1);
  after_value (self);
  return c == '}' ? PETRI_JSON_END_OBJECT : PETRI_JSON_END_ARRAY;
}

PetriJsonToken
petri_json_reader_next (PetriJsonReader *self, GCancellable *cancellable, GError **error)
{
  int c;

  g_return_val_if_fail (self != NULL, PETRI_JSON_ERROR);

  c = peek_nonblank (self, cancellable, error);
  if (c == -2)
    return PETRI_JSON_ERROR;

  switch (self->state)
    {
    case STATE_DONE:
      if (c == -1)
        return PETRI_JSON_EOF;
      return fail (self, error, c, _ ("the end of the document"));

    case STATE_VALUE:
      return begin_value (self, c, cancellable, error);

    case STATE_VALUE_OR_END:
      if (c == ']')
        return end_container (self, c);
      return begin_value (self, c, cancellable, error);

    case STATE_KEY_OR_END:
      if (c == '}')
        return end_container (self, c);
      G_GNUC_FALLTHROUGH;
    case STATE_KEY:
      if (c != '"')
        return fail (self, error, c, _ ("a member name"));
      advance (self);
      if (!read_string (self, cancellable, error))
        return PETRI_JSON_ERROR;
      self->state = STATE_COLON;
      c = peek_nonblank (self, cancellable, error);
      if (c != ':')
        return fail (self, error, c, "“:”");
      advance (self);
      self->state = STATE_VALUE;
      return PETRI_JSON_KEY;

    case STATE_COLON:
      g_assert_not_reached ();

    case STATE_COMMA_OR_END:
      {
        guint8 top = self->stack->data[self->stack->len - 1];

        if ((top == '{' && c == '}') || (top == '[' && c == ']'))
          return end_container (self, c);
        if (c != ',')
          return fail (self, error, c, top == '{' ? _ ("“,” or “}”") : _ ("“,” or “]”"));
        advance (self);
        if (top == '[')
          {
            c = peek_nonblank (self, cancellable, error);
            return begin_value (self, c, cancellable, error);
          }
        self->state = STATE_KEY;
        return petri_json_reader_next (self, cancellable, error);
      }
    default:
      g_assert_not_reached ();
    }
  return PETRI_JSON_ERROR;
}

gboolean
petri_json_reader_skip (PetriJsonReader *self, PetriJsonToken first, GCancellable *cancellable,
                        GError **error)
{
  guint depth;

  g_return_val_if_fail (self != NULL, FALSE);

  if (first != PETRI_JSON_BEGIN_OBJECT && first != PETRI_JSON_BEGIN_ARRAY)
    return first != PETRI_JSON_ERROR;

  depth = self->stack->len;
  while (self->stack->len >= depth)
    {
      PetriJsonToken t = petri_json_reader_next (self, cancellable, error);

      if (t == PETRI_JSON_ERROR)
        return FALSE;
      if (t == PETRI_JSON_EOF)
        return fail (self, error, -1, NULL), FALSE;
    }
  return TRUE;
}

static JsonNode *
scalar_node (PetriJsonReader *self, PetriJsonToken t)
{
  JsonNode *node = json_node_alloc ();

  switch (t)
    {
    case PETRI_JSON_STRING:
      json_node_init_string (node, self->str->str);
      break;
    case PETRI_JSON_TRUE:
    case PETRI_JSON_FALSE:
      json_node_init_boolean (node, t == PETRI_JSON_TRUE);
      break;
    case PETRI_JSON_NULL:
      json_node_init_null (node);
      break;
    case PETRI_JSON_NUMBER:
      {
        const char *text = self->str->str;
        char *end = NULL;

        if (strpbrk (text, ".eE") == NULL)
          {
            gint64 v;

            errno = 0;
            v = g_ascii_strtoll (text, &end, 10);

            if (end != NULL && *end == '\0' && errno != ERANGE)
              {
                json_node_init_int (node, v);
                break;
              }
          }
        json_node_init_double (node, g_ascii_strtod (text, NULL));
      }
      break;
    default:
      g_assert_not_reached ();
    }
  return node;
}

JsonNode *
petri_json_reader_build (PetriJsonReader *self, PetriJsonToken first, gsize budget,
                         GCancellable *cancellable, GError **error)
{
  g_autoptr (GPtrArray) stack = NULL; /* JsonNode containers, borrowed */
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *key = NULL;
  gsize used = 0;
  PetriJsonToken t = first;

  g_return_val_if_fail (self != NULL, NULL);

  if (first == PETRI_JSON_ERROR)
    return NULL;
  stack = g_ptr_array_new ();

  for (;;)
    {
      JsonNode *node = NULL;

      switch (t)
        {
        case PETRI_JSON_BEGIN_OBJECT:
          node = json_node_new (JSON_NODE_OBJECT);
          json_node_take_object (node, json_object_new ());
          break;
        case PETRI_JSON_BEGIN_ARRAY:
          node = json_node_new (JSON_NODE_ARRAY);
          json_node_take_array (node, json_array_new ());
          break;
        case PETRI_JSON_END_OBJECT:
        case PETRI_JSON_END_ARRAY:
          g_ptr_array_set_size (stack, stack->len - 1);
          break;
        case PETRI_JSON_KEY:
          g_free (key);
          key = g_strndup (self->str->str, self->str->len);
          used += self->str->len;
          break;
        case PETRI_JSON_STRING:
        case PETRI_JSON_NUMBER:
        case PETRI_JSON_TRUE:
        case PETRI_JSON_FALSE:
        case PETRI_JSON_NULL:
          node = scalar_node (self, t);
          used += self->str->len;
          break;
        case PETRI_JSON_EOF:
          return fail (self, error, -1, NULL), NULL;
        case PETRI_JSON_ERROR:
        default:
          return NULL;
        }

      if (node != NULL)
        {
          used += NODE_OVERHEAD;
          if (stack->len == 0)
            root = node;
          else
            {
              JsonNode *parent = g_ptr_array_index (stack, stack->len - 1);

              if (JSON_NODE_HOLDS_OBJECT (parent))
                json_object_set_member (json_node_get_object (parent), key, node);
              else
                json_array_add_element (json_node_get_array (parent), node);
            }
          if (JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node))
            g_ptr_array_add (stack, node);
        }

      if (stack->len == 0)
        break;

      if (used > budget)
        {
          /* Consume the rest of the value so the caller can carry on. */
          guint depth = self->stack->len - stack->len + 1;

          while (self->stack->len >= depth)
            if (petri_json_reader_next (self, cancellable, error) == PETRI_JSON_ERROR)
              return NULL;
          petri_json_reader_set_error (self, error, PETRI_JSON_READER_ERROR_TOO_LARGE,
                                       _ ("a value is too large to be read"));
          return NULL;
        }
      t = petri_json_reader_next (self, cancellable, error);
    }
  return g_steal_pointer (&root);
}
