/* test-agent-helpers.c: the agent's JSON writer/parser and SHA-256
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "petri-json.h"
#include "petri-sha256.h"

#include <glib.h>
#include <string.h>

static void
test_sha256 (void)
{
  const char *inputs[] = { "", "abc", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq" };
  GRand *rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      PetriSha256 ctx;
      char hex[65];
      g_autofree char *expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, inputs[i], -1);

      petri_sha256_init (&ctx);
      petri_sha256_update (&ctx, inputs[i], strlen (inputs[i]));
      petri_sha256_final_hex (&ctx, hex);
      g_assert_cmpstr (hex, ==, expected);
    }
  /* every length around the block boundaries, fed in odd pieces */
  for (guint len = 0; len < 300; len++)
    {
      g_autofree guint8 *buf = g_malloc (len + 1);
      g_autofree char *expected = NULL;
      PetriSha256 ctx;
      char hex[65];
      guint off = 0;

      for (guint i = 0; i < len; i++)
        buf[i] = (guint8) g_rand_int (rand);
      expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, buf, len);
      petri_sha256_init (&ctx);
      while (off < len)
        {
          guint piece = (guint) g_rand_int_range (rand, 1, 70);
          guint n = MIN (len - off, piece);
          petri_sha256_update (&ctx, buf + off, n);
          off += n;
        }
      petri_sha256_final_hex (&ctx, hex);
      g_assert_cmpstr (hex, ==, expected);
    }
  g_rand_free (rand);
}

static void
test_writer (void)
{
  PjWriter w;

  pj_writer_init (&w);
  pj_begin_object (&w);
  pj_member_string (&w, "a", "x\"y\\z\n\x01");
  pj_member_int (&w, "n", -5);
  pj_key (&w, "arr");
  pj_begin_array (&w);
  pj_string (&w, "one");
  pj_uint (&w, 2);
  pj_begin_object (&w);
  pj_end_object (&w);
  pj_null (&w);
  pj_end_array (&w);
  pj_member_string (&w, "bad", "ok\xff\xfe\xc3\xa9"); /* invalid UTF-8 replaced */
  pj_member_bool (&w, "t", 1);
  pj_end_object (&w);
  g_assert_false (w.oom);
  g_assert_cmpstr (w.buf, ==,
                   "{\"a\":\"x\\\"y\\\\z\\u000a\\u0001\",\"n\":-5,\"arr\":[\"one\",2,{},null],"
                   "\"bad\":\"ok\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9\",\"t\":true}");
  g_assert_true (pj_utf8_valid (w.buf, w.len));
  pj_writer_clear (&w);
}

static void
test_parser_good (void)
{
  const char *text = " {\"name\":\"sample\",\"args\":[\"-v\",\"\\u00e9\\ud83d\\ude00\"],"
                     "\"duration\":60,\"ratio\":1.5e2,\"on\":false,\"none\":null} ";
  char err[128];
  PjNode *n = pj_parse (text, strlen (text), err, sizeof err);
  PjNode *args;
  long long v = 0;

  g_assert_nonnull (n);
  g_assert_cmpstr (pj_object_get_string (n, "name"), ==, "sample");
  args = pj_object_get (n, "args");
  g_assert_cmpuint (pj_array_length (args), ==, 2);
  g_assert_cmpstr (args->child->next->string, ==, "\xc3\xa9\xf0\x9f\x98\x80");
  g_assert_cmpint (pj_object_get_int (n, "duration", &v), ==, 0);
  g_assert_cmpint (v, ==, 60);
  g_assert_cmpint (pj_object_get_int (n, "ratio", &v), ==, -1); /* not an integer */
  g_assert_cmpfloat (pj_object_get (n, "ratio")->number, ==, 150.0);
  g_assert_cmpint (pj_object_get (n, "on")->type, ==, PJ_BOOL);
  g_assert_false (pj_object_get (n, "on")->boolean);
  g_assert_cmpint (pj_object_get (n, "none")->type, ==, PJ_NULL);
  pj_node_free (n);
}

static void
test_parser_bad (void)
{
  const char *bad[] = {
    "",
    "{",
    "}",
    "{\"a\":1,}",
    "[1,]",
    "{\"a\" 1}",
    "{\"a\":01}",
    "{\"a\":1.}",
    "{\"a\":-}",
    "{\"a\":\"\\u0000\"}",
    "{\"a\":\"\\ud800\"}",
    "{\"a\":\"\\udc00x\"}",
    "{\"a\":\"\\q\"}",
    "{\"a\":\"\x01\"}",
    "{\"a\":\"\xff\"}",
    "{\"a\":\"\xc0\xaf\"}",
    "{\"a\":1,\"a\":2}",
    "{\"a\":tru}",
    "{\"a\":1} x",
    "[[[[[[[[[[[[1]]]]]]]]]]]]",
    "nul",
    "\"unterminated",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      char err[128];
      PjNode *n = pj_parse (bad[i], strlen (bad[i]), err, sizeof err);

      if (n != NULL)
        g_error ("accepted bad JSON %s", bad[i]);
      g_assert_cmpstr (err, !=, "");
    }
}

/* Random bytes and random mutations of a valid message never crash it. */
static void
test_parser_random (void)
{
  const char *seed
      = "{\"name\":\"s\",\"args\":[\"a\",\"b\"],\"duration\":5,\"x\":{\"y\":[1,2.5,true]}}";
  GRand *rand = g_rand_new_with_seed (7);
  size_t len = strlen (seed);

  for (guint round = 0; round < 20000; round++)
    {
      char buf[128];
      char err[128];
      PjNode *n;

      memcpy (buf, seed, len);
      for (guint k = 0; k < 1 + round % 4; k++)
        buf[g_rand_int_range (rand, 0, len)] = (char) g_rand_int (rand);
      n = pj_parse (buf, g_rand_int_range (rand, 0, len + 1), err, sizeof err);
      pj_node_free (n);
    }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/guest/helpers/sha256", test_sha256);
  g_test_add_func ("/guest/helpers/json-writer", test_writer);
  g_test_add_func ("/guest/helpers/json-parser-good", test_parser_good);
  g_test_add_func ("/guest/helpers/json-parser-bad", test_parser_bad);
  g_test_add_func ("/guest/helpers/json-parser-random", test_parser_random);
  return g_test_run ();
}
