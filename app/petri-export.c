/* petri-export.c: a case as JSON, HTML, a MISP event, a STIX 2.1 bundle or a bundle
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every format is rendered from one model (petri_history_query_case()), so
 * they agree with each other and with `petri show`. Identifiers in MISP and
 * STIX are name-based UUIDs (version 5): exporting the same case twice gives
 * the same ids, and a STIX file object gets the id every other STIX producer
 * computes for the same SHA-256.
 */
#include "config.h"

#include "petri-history.h"
#include "petri-sample-store.h"
#include "petri-zip.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

/* STIX 2.1 §2.9: the namespace of deterministic SCO identifiers. */
#define STIX_SCO_NAMESPACE "00abedb4-aa42-466c-9c01-fed23315a9b7"
/* Petri's own namespace for the other ids. */
#define PETRI_NAMESPACE "4f1d7c2a-5b0e-4e39-9a57-2f1c8d6b3e10"

gboolean
petri_export_format_from_string (const char *name, PetriExportFormat *out)
{
  static const char *const names[] = { "json", "html", "misp", "stix", "bundle" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *out = (PetriExportFormat) i;
        return TRUE;
      }
  return FALSE;
}

/* ---------------------------------------------------------------------- */
/* Helpers                                                                  */

static char *
uuid5 (const char *namespace, const char *name)
{
  guint8 ns[16], digest[20];
  gsize len = sizeof digest;
  g_autoptr (GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  int j = 0;

  for (const char *p = namespace; *p != '\0' && j < 16; p++)
    {
      if (*p == '-')
        continue;
      ns[j++] = g_ascii_xdigit_value (p[0]) * 16 + g_ascii_xdigit_value (p[1]);
      p++;
    }
  g_checksum_update (sha1, ns, sizeof ns);
  g_checksum_update (sha1, (const guint8 *) name, strlen (name));
  g_checksum_get_digest (sha1, digest, &len);
  digest[6] = (digest[6] & 0x0f) | 0x50;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          digest[0], digest[1], digest[2], digest[3], digest[4], digest[5],
                          digest[6], digest[7], digest[8], digest[9], digest[10], digest[11],
                          digest[12], digest[13], digest[14], digest[15]);
}

static char *
stix_id (const char *type, const char *namespace, const char *name)
{
  g_autofree char *u = uuid5 (namespace, name);

  return g_strdup_printf ("%s--%s", type, u);
}

static const char *
str (JsonObject *o, const char *member)
{
  JsonNode *n = o ? json_object_get_member (o, member) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static const char *
str0 (JsonObject *o, const char *member)
{
  const char *s = str (o, member);

  return s != NULL ? s : "";
}

static JsonArray *
arr (JsonObject *o, const char *member)
{
  JsonNode *n = o ? json_object_get_member (o, member) : NULL;

  return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

static guint
arr_len (JsonArray *a)
{
  return a != NULL ? json_array_get_length (a) : 0;
}

static JsonObject *
obj_at (JsonArray *a, guint i)
{
  JsonNode *n = json_array_get_element (a, i);

  return JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static const char *
sample_name (JsonObject *sample)
{
  JsonArray *names = arr (sample, "names");

  if (arr_len (names) > 0 && obj_at (names, 0) != NULL)
    return str0 (obj_at (names, 0), "name");
  return str0 (sample, "sha256");
}

/* The latest result of each engine, in the order engines first appear. */
static GPtrArray *
latest_results (JsonObject *sample)
{
  JsonArray *results = arr (sample, "results");
  GPtrArray *latest = g_ptr_array_new ();

  for (guint i = 0; i < arr_len (results); i++)
    {
      JsonObject *r = obj_at (results, i);
      gboolean replaced = FALSE;

      if (r == NULL)
        continue;
      for (guint j = 0; j < latest->len; j++)
        if (g_strcmp0 (str (g_ptr_array_index (latest, j), "engine"), str (r, "engine")) == 0)
          {
            latest->pdata[j] = r;
            replaced = TRUE;
          }
      if (!replaced)
        g_ptr_array_add (latest, r);
    }
  return latest;
}

static char *
names_joined (JsonObject *result, const char *sep)
{
  JsonArray *names = arr (result, "names");
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < arr_len (names); i++)
    {
      const char *n = json_array_get_string_element (names, i);

      if (n == NULL)
        continue;
      if (s->len > 0)
        g_string_append (s, sep);
      g_string_append (s, n);
    }
  return g_string_free (s, FALSE);
}

static GBytes *
node_to_bytes (JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  gsize len = 0;
  char *text;

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  text = json_generator_to_data (gen, &len);
  text = g_realloc (text, len + 2);
  text[len++] = '\n';
  text[len] = '\0';
  return g_bytes_new_take (text, len);
}

/* ---------------------------------------------------------------------- */
/* HTML                                                                     */

static void
esc (GString *out, const char *s)
{
  if (s == NULL)
    return;
  for (; *s != '\0'; s++)
    switch (*s)
      {
      case '&':
        g_string_append (out, "&amp;");
        break;
      case '<':
        g_string_append (out, "&lt;");
        break;
      case '>':
        g_string_append (out, "&gt;");
        break;
      case '"':
        g_string_append (out, "&quot;");
        break;
      case '\'':
        g_string_append (out, "&#39;");
        break;
      default:
        g_string_append_c (out, *s);
        break;
      }
}

static void G_GNUC_PRINTF (2, 3) html (GString *out, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_string_append_vprintf (out, format, args);
  va_end (args);
}

static void
kv_row (GString *out, const char *key, const char *value, gboolean mono)
{
  if (value == NULL || *value == '\0')
    return;
  html (out, "<tr><th>");
  esc (out, key);
  html (out, "</th><td%s>", mono ? " class=\"mono\"" : "");
  esc (out, value);
  html (out, "</td></tr>\n");
}

static const char *html_style
    = "body{font-family:sans-serif;margin:2em;max-width:75em;color:#222}"
      "h1{border-bottom:2px solid #444}h2{margin-top:2em;border-bottom:1px solid #aaa}"
      "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em "
      ".5em;text-align:left;vertical-align:top}th{background:#f0f0f0}"
      ".mono{font-family:monospace;word-break:break-all}"
      ".malicious{color:#fff;background:#b00020}.suspicious{background:#f6c344}"
      ".clean{background:#c8e6c9}.pending,.error{background:#ddd}"
      ".verdict{padding:0 .4em;border-radius:.2em}.more{color:#666;font-style:italic}"
      "pre{white-space:pre-wrap}";

static void
verdict_span (GString *out, const char *verdict)
{
  const char *v = verdict && *verdict ? verdict : "pending";
  const char *cls = g_str_equal (v, "malicious") || g_str_equal (v, "suspicious")
                            || g_str_equal (v, "clean") || g_str_equal (v, "error")
                        ? v
                        : "pending";

  html (out, "<span class=\"verdict %s\">", cls);
  esc (out, petri_keyword_label (v));
  html (out, "</span>");
}

#define HTML_EVENTS_PER_CATEGORY 200

static void
html_behaviour (GString *out, JsonObject *analysis)
{
  static const char *const order[]
      = { "process",  "command", "injection",   "driver",  "network", "file",
          "registry", "mutex",   "persistence", "evasion", NULL };
  JsonArray *events = arr (analysis, "events");
  g_autofree char *title = NULL;

  title = g_strdup_printf (_ ("Analysis by %s on %s"), str0 (analysis, "source"),
                           *str0 (analysis, "vm") ? str0 (analysis, "vm") : "—");
  html (out, "<h4>");
  esc (out, title);
  html (out, "</h4>\n<table>\n");
  kv_row (out, _ ("Status"), petri_keyword_label (str (analysis, "status")), FALSE);
  kv_row (out, _ ("Reason"), str (analysis, "reason"), FALSE);
  kv_row (out, _ ("Platform"), str (analysis, "platform"), FALSE);
  kv_row (out, _ ("Started"), str (analysis, "started"), FALSE);
  kv_row (out, _ ("Finished"), str (analysis, "finished"), FALSE);
  html (out, "</table>\n");
  if (arr_len (events) == 0)
    {
      html (out, "<p>");
      esc (out, _ ("No behaviour was recorded."));
      html (out, "</p>\n");
      return;
    }
  for (const char *const *cat = order; *cat != NULL; cat++)
    {
      guint shown = 0, total = 0;

      for (guint i = 0; i < arr_len (events); i++)
        if (g_strcmp0 (str (obj_at (events, i), "category"), *cat) == 0)
          total++;
      if (total == 0)
        continue;
      html (out, "<h5>");
      esc (out, *cat);
      html (out, " (%u)</h5>\n<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
            total, _ ("Time"), _ ("Process"), _ ("Action"), _ ("Target"));
      for (guint i = 0; i < arr_len (events) && shown < HTML_EVENTS_PER_CATEGORY; i++)
        {
          JsonObject *ev = obj_at (events, i);
          JsonNode *pid;
          g_autofree char *proc = NULL;
          char ts[32];

          if (g_strcmp0 (str (ev, "category"), *cat) != 0)
            continue;
          shown++;
          pid = json_object_get_member (ev, "pid");
          if (pid != NULL && JSON_NODE_HOLDS_VALUE (pid))
            proc = g_strdup_printf ("%s (%" G_GINT64_FORMAT ")", str0 (ev, "process"),
                                    json_node_get_int (pid));
          else
            proc = g_strdup (str0 (ev, "process"));
          g_snprintf (ts, sizeof ts, "%.3f",
                      json_object_get_double_member_with_default (ev, "ts", 0));
          html (out, "<tr><td>%s</td><td>", ts);
          esc (out, proc);
          html (out, "</td><td>");
          esc (out, str (ev, "action"));
          html (out, "</td><td class=\"mono\">");
          esc (out, str (ev, "target"));
          {
            JsonObject *d = json_object_get_object_member (ev, "details");
            const char *extra = str (d, "command_line");

            if (extra == NULL)
              extra = str (d, "name");
            if (extra == NULL)
              extra = str (d, "new_path");
            if (extra != NULL)
              {
                html (out, "<br>");
                esc (out, extra);
              }
          }
          html (out, "</td></tr>\n");
        }
      html (out, "</table>\n");
      if (shown < total)
        {
          g_autofree char *more = g_strdup_printf (
              ngettext ("%u more event in this category is in the JSON export.",
                        "%u more events in this category are in the JSON export.", total - shown),
              total - shown);

          html (out, "<p class=\"more\">");
          esc (out, more);
          html (out, "</p>\n");
        }
    }
}

static GBytes *
render_html (JsonObject *model)
{
  GString *out = g_string_sized_new (64 * 1024);
  JsonObject *c = json_object_get_object_member (model, "case");
  JsonArray *samples = arr (model, "samples");
  guint n_mal = 0, n_susp = 0;
  g_autofree char *title = g_strdup_printf (_ ("Petri case report: %s"), str0 (c, "name"));

  for (guint i = 0; i < arr_len (samples); i++)
    {
      const char *v = str0 (obj_at (samples, i), "verdict");

      n_mal += g_str_equal (v, "malicious");
      n_susp += g_str_equal (v, "suspicious");
    }

  html (out,
        "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"generator\" content=\"Petri %s\">\n<title>",
        /* Translators: the language code of this translation ("de"), for the
         * lang attribute of the HTML report. */
        C_ ("html lang", "en"), PACKAGE_VERSION);
  esc (out, title);
  html (out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", html_style);
  esc (out, title);
  html (out, "</h1>\n<table>\n");
  kv_row (out, _ ("Case"), str (c, "name"), FALSE);
  kv_row (out, _ ("Created"), str (c, "created"), FALSE);
  kv_row (out, _ ("Exported"), str (model, "exported"), FALSE);
  {
    g_autofree char *counts
        = g_strdup_printf (ngettext ("%u sample: %u malicious, %u suspicious",
                                     "%u samples: %u malicious, %u suspicious", arr_len (samples)),
                           arr_len (samples), n_mal, n_susp);

    kv_row (out, _ ("Samples"), counts, FALSE);
  }
  kv_row (out, _ ("Notes"), str (c, "notes"), FALSE);
  html (out, "</table>\n");

  /* Summary */
  html (out,
        "<h2>%s</h2>\n<table>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
        "</tr>\n",
        _ ("Summary"), _ ("Name"), _ ("SHA-256"), _ ("Verdict"), _ ("Detections"),
        _ ("Analyst verdict"));
  for (guint i = 0; i < arr_len (samples); i++)
    {
      JsonObject *s = obj_at (samples, i);
      g_autoptr (GPtrArray) latest = latest_results (s);
      GString *dets = g_string_new (NULL);

      for (guint j = 0; j < latest->len; j++)
        {
          JsonObject *r = g_ptr_array_index (latest, j);
          g_autofree char *names = names_joined (r, ", ");

          if (g_strcmp0 (str (r, "result"), "detected") != 0)
            continue;
          if (dets->len > 0)
            g_string_append (dets, "; ");
          g_string_append_printf (dets, "%s: %s", str0 (r, "engine"), names);
        }
      html (out, "<tr><td><a href=\"#s-%s\">", str0 (s, "sha256"));
      esc (out, sample_name (s));
      html (out, "</a></td><td class=\"mono\">");
      esc (out, str (s, "sha256"));
      html (out, "</td><td>");
      verdict_span (out, str (s, "verdict"));
      html (out, "</td><td>");
      esc (out, dets->str);
      html (out, "</td><td>");
      esc (out, petri_keyword_label (str (s, "analyst_verdict")));
      html (out, "</td></tr>\n");
      g_string_free (dets, TRUE);
    }
  html (out, "</table>\n");

  /* Samples */
  for (guint i = 0; i < arr_len (samples); i++)
    {
      JsonObject *s = obj_at (samples, i);
      JsonArray *names = arr (s, "names"), *tags = arr (s, "tags");
      JsonArray *results = arr (s, "results"), *analyses = arr (s, "analyses");
      g_autofree char *size = g_strdup_printf (
          "%" G_GINT64_FORMAT, json_object_get_int_member_with_default (s, "size", 0));
      GString *tagline = g_string_new (NULL);

      html (out, "<section id=\"s-%s\">\n<h2>", str0 (s, "sha256"));
      esc (out, sample_name (s));
      html (out, " ");
      verdict_span (out, str (s, "verdict"));
      html (out, "</h2>\n<table>\n");
      kv_row (out, "SHA-256", str (s, "sha256"), TRUE);
      kv_row (out, "SHA-1", str (s, "sha1"), TRUE);
      kv_row (out, "MD5", str (s, "md5"), TRUE);
      kv_row (out, "ssdeep", str (s, "ssdeep"), TRUE);
      kv_row (out, _ ("Size (bytes)"), size, FALSE);
      kv_row (out, _ ("Type"), str (s, "type"), FALSE);
      kv_row (out, _ ("MIME type"), str (s, "mime"), FALSE);
      kv_row (out, _ ("First seen"), str (s, "first_seen"), FALSE);
      kv_row (out, _ ("Added to the case"), str (s, "added"), FALSE);
      kv_row (out, _ ("Analyst verdict"), petri_keyword_label (str (s, "analyst_verdict")), FALSE);
      kv_row (out, _ ("Analyst comment"), str (s, "analyst_comment"), FALSE);
      for (guint j = 0; j < arr_len (tags); j++)
        g_string_append_printf (tagline, "%s%s", j ? ", " : "",
                                json_array_get_string_element (tags, j));
      kv_row (out, _ ("Tags"), tagline->str, FALSE);
      g_string_free (tagline, TRUE);
      kv_row (out, _ ("Notes"), str (s, "notes"), FALSE);
      for (guint j = 0; j < arr_len (names); j++)
        kv_row (out, _ ("Seen as"), str (obj_at (names, j), "path"), TRUE);
      html (out, "</table>\n");

      html (out, "<h3>%s</h3>\n", _ ("Detections"));
      if (arr_len (results) == 0)
        html (out, "<p>%s</p>\n", _ ("No engine has scanned this sample."));
      else
        {
          html (out, "<table>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
                _ ("Scanned"), _ ("Engine"), _ ("Result"), _ ("Names"), _ ("Signatures"));
          for (guint j = 0; j < arr_len (results); j++)
            {
              JsonObject *r = obj_at (results, j);
              g_autofree char *n = names_joined (r, ", ");
              g_autofree char *engine
                  = g_strdup_printf ("%s %s", str0 (r, "engine"), str0 (r, "engine_version"));

              html (out, "<tr><td>");
              esc (out, str (r, "scanned"));
              html (out, "</td><td>");
              esc (out, engine);
              html (out, "</td><td>");
              esc (out, petri_keyword_label (str (r, "result")));
              html (out, "</td><td class=\"mono\">");
              esc (out, n);
              if (str (r, "error") != NULL)
                {
                  html (out, "<br>");
                  esc (out, str (r, "error"));
                }
              html (out, "</td><td>");
              esc (out, str (r, "signatures"));
              html (out, "</td></tr>\n");
            }
          html (out, "</table>\n");
        }

      html (out, "<h3>%s</h3>\n", _ ("Behaviour"));
      if (arr_len (analyses) == 0)
        html (out, "<p>%s</p>\n", _ ("This sample was not run in a sandbox."));
      for (guint j = 0; j < arr_len (analyses); j++)
        html_behaviour (out, obj_at (analyses, j));
      html (out, "</section>\n");
    }
  html (out, "</body>\n</html>\n");
  return g_string_free_to_bytes (out);
}

/* ---------------------------------------------------------------------- */
/* Network indicators seen in behaviour (MISP and STIX)                     */

typedef struct
{
  char *kind; /* domain, url, ip, ip-port */
  char *value, *port;
} Indicator;

static void
indicator_free (Indicator *i)
{
  g_free (i->kind);
  g_free (i->value);
  g_free (i->port);
  g_free (i);
}

static gboolean
looks_like_ip (const char *s)
{
  return g_hostname_is_ip_address (s);
}

static GPtrArray *
indicators (JsonObject *sample)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) indicator_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *analyses = arr (sample, "analyses");

  for (guint a = 0; a < arr_len (analyses); a++)
    {
      JsonArray *events = arr (obj_at (analyses, a), "events");

      for (guint i = 0; i < arr_len (events); i++)
        {
          JsonObject *ev = obj_at (events, i);
          const char *action = str0 (ev, "action"), *target = str (ev, "target");
          Indicator *ind;

          if (g_strcmp0 (str (ev, "category"), "network") != 0 || target == NULL)
            continue;
          ind = g_new0 (Indicator, 1);
          if (g_str_equal (action, "dns") || g_str_equal (action, "resolve"))
            {
              ind->kind = g_strdup (looks_like_ip (target) ? "ip" : "domain");
              ind->value = g_strdup (target);
            }
          else if (g_str_equal (action, "http"))
            {
              ind->kind = g_strdup ("url");
              ind->value = g_strdup (target);
            }
          else if (g_str_equal (action, "host"))
            {
              ind->kind = g_strdup ("ip");
              ind->value = g_strdup (target);
            }
          else if (g_str_equal (action, "connect"))
            {
              const char *colon = strrchr (target, ':');

              if (colon != NULL)
                {
                  ind->value = g_strndup (target, colon - target);
                  ind->port = g_strdup (colon + 1);
                  if (ind->value[0] == '[')
                    {
                      char *inner = g_strndup (ind->value + 1, strlen (ind->value) - 2);

                      g_free (ind->value);
                      ind->value = inner;
                    }
                }
              else
                ind->value = g_strdup (target);
              ind->kind = g_strdup (ind->port ? "ip-port" : "ip");
            }
          if (ind->kind == NULL
              || (g_str_has_prefix (ind->kind, "ip") && !looks_like_ip (ind->value)))
            {
              indicator_free (ind);
              continue;
            }
          if (!g_hash_table_add (seen, g_strdup_printf ("%s|%s|%s", ind->kind, ind->value,
                                                        ind->port ? ind->port : "")))
            {
              indicator_free (ind);
              continue;
            }
          g_ptr_array_add (out, ind);
        }
    }
  return out;
}

/* ---------------------------------------------------------------------- */
/* MISP                                                                     */

static gint64
parse_iso (const char *s)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = s ? g_date_time_new_from_iso8601 (s, utc) : NULL;

  return dt ? g_date_time_to_unix (dt) : 0;
}

static void
misp_attribute (JsonBuilder *b, const char *uuid_seed, const char *relation, const char *type,
                const char *category, const char *value, gboolean to_ids, const char *comment,
                const char *timestamp)
{
  g_autofree char *uuid = uuid5 (PETRI_NAMESPACE, uuid_seed);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "uuid");
  json_builder_add_string_value (b, uuid);
  if (relation != NULL)
    {
      json_builder_set_member_name (b, "object_relation");
      json_builder_add_string_value (b, relation);
    }
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "category");
  json_builder_add_string_value (b, category);
  json_builder_set_member_name (b, "value");
  json_builder_add_string_value (b, value);
  json_builder_set_member_name (b, "to_ids");
  json_builder_add_boolean_value (b, to_ids);
  json_builder_set_member_name (b, "distribution");
  json_builder_add_string_value (b, "5");
  json_builder_set_member_name (b, "timestamp");
  json_builder_add_string_value (b, timestamp);
  json_builder_set_member_name (b, "comment");
  json_builder_add_string_value (b, comment ? comment : "");
  json_builder_end_object (b);
}

static GBytes *
render_misp (JsonObject *model)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  JsonObject *c = json_object_get_object_member (model, "case");
  JsonArray *samples = arr (model, "samples");
  g_autofree char *event_seed
      = g_strdup_printf ("case|%s|%s", str0 (c, "name"), str0 (c, "created"));
  g_autofree char *event_uuid = uuid5 (PETRI_NAMESPACE, event_seed);
  g_autofree char *info = g_strdup_printf (_ ("Petri case %s"), str0 (c, "name"));
  g_autofree char *date = g_strndup (str0 (c, "created"), 10);
  g_autofree char *timestamp
      = g_strdup_printf ("%" G_GINT64_FORMAT, parse_iso (str (c, "created")));
  gboolean any_mal = FALSE, any_susp = FALSE;

  for (guint i = 0; i < arr_len (samples); i++)
    {
      any_mal |= g_strcmp0 (str (obj_at (samples, i), "verdict"), "malicious") == 0;
      any_susp |= g_strcmp0 (str (obj_at (samples, i), "verdict"), "suspicious") == 0;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Event");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "uuid");
  json_builder_add_string_value (b, event_uuid);
  json_builder_set_member_name (b, "info");
  json_builder_add_string_value (b, info);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, date);
  json_builder_set_member_name (b, "timestamp");
  json_builder_add_string_value (b, timestamp);
  /* 1 high, 2 medium, 3 low, 4 undefined */
  json_builder_set_member_name (b, "threat_level_id");
  json_builder_add_string_value (b, any_mal ? "2" : any_susp ? "3" : "4");
  /* 0 initial, 1 ongoing, 2 completed */
  json_builder_set_member_name (b, "analysis");
  json_builder_add_string_value (b, "2");
  /* 0: your organisation only */
  json_builder_set_member_name (b, "distribution");
  json_builder_add_string_value (b, "0");
  json_builder_set_member_name (b, "published");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "Tag");
  json_builder_begin_array (b);
  {
    g_autofree char *tag = g_strdup_printf ("petri:case=\"%s\"", str0 (c, "name"));

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "name");
    json_builder_add_string_value (b, tag);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);

  /* Detections and network indicators as event attributes. */
  json_builder_set_member_name (b, "Attribute");
  json_builder_begin_array (b);
  for (guint i = 0; i < arr_len (samples); i++)
    {
      JsonObject *s = obj_at (samples, i);
      const char *sha256 = str0 (s, "sha256");
      JsonArray *dets = arr (s, "detections");
      g_autoptr (GPtrArray) inds = indicators (s);

      for (guint j = 0; j < arr_len (dets); j++)
        {
          JsonObject *d = obj_at (dets, j);
          g_autofree char *value = g_strdup_printf ("%s: %s", str0 (d, "engine"), str0 (d, "name"));
          g_autofree char *seed = g_strdup_printf ("detection|%s|%s", sha256, value);
          g_autofree char *ts
              = g_strdup_printf ("%" G_GINT64_FORMAT, parse_iso (str (d, "first_seen")));

          misp_attribute (b, seed, NULL, "text", "Antivirus detection", value, FALSE, sha256, ts);
        }
      for (guint j = 0; j < inds->len; j++)
        {
          Indicator *ind = g_ptr_array_index (inds, j);
          g_autofree char *value = ind->port ? g_strdup_printf ("%s|%s", ind->value, ind->port)
                                             : g_strdup (ind->value);
          const char *type = g_str_equal (ind->kind, "domain") ? "domain"
                             : g_str_equal (ind->kind, "url")  ? "url"
                             : ind->port                       ? "ip-dst|port"
                                                               : "ip-dst";
          g_autofree char *seed = g_strdup_printf ("network|%s|%s|%s", sha256, type, value);
          g_autofree char *comment = g_strdup_printf (_ ("seen while %s ran in a sandbox"), sha256);

          misp_attribute (b, seed, NULL, type, "Network activity", value, FALSE, comment,
                          timestamp);
        }
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "Object");
  json_builder_begin_array (b);
  for (guint i = 0; i < arr_len (samples); i++)
    {
      JsonObject *s = obj_at (samples, i);
      const char *sha256 = str0 (s, "sha256");
      g_autofree char *seed = g_strdup_printf ("file|%s", sha256);
      g_autofree char *uuid = uuid5 (PETRI_NAMESPACE, seed);
      g_autofree char *size = g_strdup_printf (
          "%" G_GINT64_FORMAT, json_object_get_int_member_with_default (s, "size", 0));
      g_autofree char *ts = g_strdup_printf ("%" G_GINT64_FORMAT, parse_iso (str (s, "added")));
      g_autofree char *comment = g_strdup_printf ("Petri verdict: %s", str0 (s, "verdict"));
      JsonArray *names = arr (s, "names");
      JsonArray *dets = arr (s, "detections");
      struct
      {
        const char *relation, *type, *category, *value;
        gboolean to_ids;
      } hashes[] = {
        { "sha256", "sha256", "Payload delivery", str (s, "sha256"), TRUE },
        { "sha1", "sha1", "Payload delivery", str (s, "sha1"), TRUE },
        { "md5", "md5", "Payload delivery", str (s, "md5"), TRUE },
        { "ssdeep", "ssdeep", "Payload delivery", str (s, "ssdeep"), FALSE },
        { "mimetype", "mime-type", "Payload delivery", str (s, "mime"), FALSE },
        { "size-in-bytes", "size-in-bytes", "Other", size, FALSE },
      };

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, "file");
      json_builder_set_member_name (b, "meta-category");
      json_builder_add_string_value (b, "file");
      json_builder_set_member_name (b, "description");
      json_builder_add_string_value (b, "File object describing a file with meta-information");
      json_builder_set_member_name (b, "template_uuid");
      json_builder_add_string_value (b, "688c46fb-5edb-40a3-8273-1af7923e2215");
      json_builder_set_member_name (b, "template_version");
      json_builder_add_string_value (b, "24");
      json_builder_set_member_name (b, "uuid");
      json_builder_add_string_value (b, uuid);
      json_builder_set_member_name (b, "distribution");
      json_builder_add_string_value (b, "5");
      json_builder_set_member_name (b, "timestamp");
      json_builder_add_string_value (b, ts);
      json_builder_set_member_name (b, "comment");
      json_builder_add_string_value (b, comment);
      json_builder_set_member_name (b, "Attribute");
      json_builder_begin_array (b);
      for (guint j = 0; j < G_N_ELEMENTS (hashes); j++)
        {
          g_autofree char *aseed = NULL;

          if (hashes[j].value == NULL || *hashes[j].value == '\0')
            continue;
          aseed = g_strdup_printf ("file|%s|%s", sha256, hashes[j].relation);
          misp_attribute (b, aseed, hashes[j].relation, hashes[j].type, hashes[j].category,
                          hashes[j].value, hashes[j].to_ids, NULL, ts);
        }
      for (guint j = 0; j < arr_len (names); j++)
        {
          const char *n = str (obj_at (names, j), "name");
          g_autofree char *aseed = g_strdup_printf ("file|%s|filename|%s", sha256, n);

          if (n != NULL && *n != '\0')
            misp_attribute (b, aseed, "filename", "filename", "Payload delivery", n, FALSE,
                            str (obj_at (names, j), "path"), ts);
        }
      json_builder_end_array (b);
      /* The file object points at its detection attributes. */
      json_builder_set_member_name (b, "ObjectReference");
      json_builder_begin_array (b);
      for (guint j = 0; j < arr_len (dets); j++)
        {
          JsonObject *d = obj_at (dets, j);
          g_autofree char *value = g_strdup_printf ("%s: %s", str0 (d, "engine"), str0 (d, "name"));
          g_autofree char *dseed = g_strdup_printf ("detection|%s|%s", sha256, value);
          g_autofree char *duuid = uuid5 (PETRI_NAMESPACE, dseed);
          g_autofree char *rseed = g_strdup_printf ("ref|%s|%s", uuid, duuid);
          g_autofree char *ruuid = uuid5 (PETRI_NAMESPACE, rseed);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "uuid");
          json_builder_add_string_value (b, ruuid);
          json_builder_set_member_name (b, "object_uuid");
          json_builder_add_string_value (b, uuid);
          json_builder_set_member_name (b, "referenced_uuid");
          json_builder_add_string_value (b, duuid);
          json_builder_set_member_name (b, "relationship_type");
          json_builder_add_string_value (b, "detected-as");
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return node_to_bytes (root);
}

/* ---------------------------------------------------------------------- */
/* STIX 2.1                                                                 */

/* "2026-03-02T09:15:01Z" → "2026-03-02T09:15:01.000Z" */
static char *
stix_time (const char *iso)
{
  if (iso == NULL || strlen (iso) != 20 || iso[19] != 'Z')
    return g_strdup ("1970-01-01T00:00:00.000Z");
  return g_strdup_printf ("%.19s.000Z", iso);
}

static void
member_str (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
stix_common (JsonBuilder *b, const char *type, const char *id, const char *time,
             const char *identity)
{
  member_str (b, "type", type);
  member_str (b, "spec_version", "2.1");
  member_str (b, "id", id);
  if (time != NULL)
    {
      member_str (b, "created", time);
      member_str (b, "modified", time);
    }
  if (identity != NULL)
    member_str (b, "created_by_ref", identity);
}

static char *
stix_sco_id (const char *type, const char *member, const char *value)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) n = NULL;
  g_autofree char *canon = NULL;

  json_builder_begin_object (b);
  member_str (b, member, value);
  json_builder_end_object (b);
  n = json_builder_get_root (b);
  canon = json_to_string (n, FALSE);
  return stix_id (type, STIX_SCO_NAMESPACE, canon);
}

static void
stix_relationship (JsonBuilder *b, const char *type, const char *source, const char *target,
                   const char *time, const char *identity)
{
  g_autofree char *seed = g_strdup_printf ("%s|%s|%s", source, type, target);
  g_autofree char *id = stix_id ("relationship", PETRI_NAMESPACE, seed);

  json_builder_begin_object (b);
  stix_common (b, "relationship", id, time, identity);
  member_str (b, "relationship_type", type);
  member_str (b, "source_ref", source);
  member_str (b, "target_ref", target);
  json_builder_end_object (b);
}

static const char *
stix_result (const char *result, gboolean heuristic)
{
  if (g_strcmp0 (result, "detected") == 0)
    return heuristic ? "suspicious" : "malicious";
  if (g_strcmp0 (result, "clean") == 0)
    return "benign";
  return "unknown";
}

static GBytes *
render_stix (JsonObject *model)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  JsonObject *c = json_object_get_object_member (model, "case");
  JsonArray *samples = arr (model, "samples");
  g_autofree char *bundle_seed
      = g_strdup_printf ("bundle|%s|%s", str0 (c, "name"), str0 (c, "created"));
  g_autofree char *bundle_id = stix_id ("bundle", PETRI_NAMESPACE, bundle_seed);
  g_autofree char *identity = stix_id ("identity", PETRI_NAMESPACE, "Petri");
  g_autofree char *epoch = stix_time ("2026-01-01T00:00:00Z");
  g_autoptr (GHashTable) scos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  json_builder_begin_object (b);
  member_str (b, "type", "bundle");
  member_str (b, "id", bundle_id);
  json_builder_set_member_name (b, "objects");
  json_builder_begin_array (b);

  json_builder_begin_object (b);
  stix_common (b, "identity", identity, epoch, NULL);
  member_str (b, "name", "Petri");
  member_str (b, "identity_class", "system");
  member_str (b, "description", "Petri malware analysis workbench");
  json_builder_end_object (b);

  for (guint i = 0; i < arr_len (samples); i++)
    {
      JsonObject *s = obj_at (samples, i);
      const char *sha256 = str0 (s, "sha256");
      g_autofree char *file_id = stix_sco_id ("file", "SHA-256", sha256);
      g_autofree char *added = stix_time (str (s, "added"));
      g_autofree char *malware_id = NULL;
      g_autoptr (GPtrArray) latest = latest_results (s);
      g_autoptr (GPtrArray) inds = indicators (s);
      g_autoptr (GPtrArray) ind_ids = g_ptr_array_new_with_free_func (g_free);
      JsonArray *analyses = arr (s, "analyses");
      const char *verdict = str0 (s, "verdict");

      /* The file observable; its id is the STIX-computed one for the hash. */
      {
        g_autoptr (JsonBuilder) hb = json_builder_new ();
        g_autoptr (JsonNode) canon_node = NULL;
        g_autofree char *canon = NULL;

        json_builder_begin_object (hb);
        json_builder_set_member_name (hb, "hashes");
        json_builder_begin_object (hb);
        member_str (hb, "SHA-256", sha256);
        json_builder_end_object (hb);
        json_builder_end_object (hb);
        canon_node = json_builder_get_root (hb);
        canon = json_to_string (canon_node, FALSE);
        g_free (file_id);
        file_id = stix_id ("file", STIX_SCO_NAMESPACE, canon);
      }
      json_builder_begin_object (b);
      stix_common (b, "file", file_id, NULL, NULL);
      json_builder_set_member_name (b, "hashes");
      json_builder_begin_object (b);
      member_str (b, "SHA-256", sha256);
      if (*str0 (s, "sha1"))
        member_str (b, "SHA-1", str0 (s, "sha1"));
      if (*str0 (s, "md5"))
        member_str (b, "MD5", str0 (s, "md5"));
      if (*str0 (s, "ssdeep"))
        member_str (b, "SSDEEP", str0 (s, "ssdeep"));
      json_builder_end_object (b);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, json_object_get_int_member_with_default (s, "size", 0));
      if (arr_len (arr (s, "names")) > 0)
        member_str (b, "name", sample_name (s));
      if (*str0 (s, "mime"))
        member_str (b, "mime_type", str0 (s, "mime"));
      json_builder_end_object (b);

      /* Network observables seen in its behaviour. */
      for (guint j = 0; j < inds->len; j++)
        {
          Indicator *ind = g_ptr_array_index (inds, j);
          const char *type = g_str_equal (ind->kind, "domain") ? "domain-name"
                             : g_str_equal (ind->kind, "url")  ? "url"
                             : strchr (ind->value, ':')        ? "ipv6-addr"
                                                               : "ipv4-addr";
          char *id = stix_sco_id (type, "value", ind->value);

          g_ptr_array_add (ind_ids, id);
          if (!g_hash_table_add (scos, g_strdup (id)))
            continue;
          json_builder_begin_object (b);
          stix_common (b, type, id, NULL, NULL);
          member_str (b, "value", ind->value);
          json_builder_end_object (b);
        }

      if (g_str_equal (verdict, "malicious") || g_str_equal (verdict, "suspicious"))
        {
          JsonArray *dets = arr (s, "detections");
          const char *name = arr_len (dets) > 0 ? str0 (obj_at (dets, 0), "name") : sha256;
          g_autofree char *seed = g_strdup_printf ("malware|%s", sha256);

          malware_id = stix_id ("malware", PETRI_NAMESPACE, seed);
          json_builder_begin_object (b);
          stix_common (b, "malware", malware_id, added, identity);
          member_str (b, "name", name);
          json_builder_set_member_name (b, "is_family");
          json_builder_add_boolean_value (b, FALSE);
          json_builder_set_member_name (b, "sample_refs");
          json_builder_begin_array (b);
          json_builder_add_string_value (b, file_id);
          json_builder_end_array (b);
          json_builder_end_object (b);
        }

      /* One malware-analysis per engine (its latest result). */
      for (guint j = 0; j < latest->len; j++)
        {
          JsonObject *r = g_ptr_array_index (latest, j);
          g_autofree char *seed = g_strdup_printf ("engine|%s|%s|%s", sha256, str0 (r, "engine"),
                                                   str0 (r, "scanned"));
          g_autofree char *id = stix_id ("malware-analysis", PETRI_NAMESPACE, seed);
          g_autofree char *t = stix_time (str (r, "scanned"));
          g_autofree char *names = names_joined (r, ", ");

          json_builder_begin_object (b);
          stix_common (b, "malware-analysis", id, t, identity);
          member_str (b, "product", str0 (r, "engine"));
          if (*str0 (r, "engine_version"))
            member_str (b, "version", str0 (r, "engine_version"));
          if (*str0 (r, "signatures"))
            member_str (b, "analysis_definition_version", str0 (r, "signatures"));
          member_str (b, "analysis_ended", t);
          member_str (b, "result",
                      stix_result (str (r, "result"), json_object_get_boolean_member_with_default (
                                                          r, "heuristic", FALSE)));
          if (*names)
            member_str (b, "result_name", names);
          member_str (b, "sample_ref", file_id);
          json_builder_set_member_name (b, "analysis_sco_refs");
          json_builder_begin_array (b);
          json_builder_add_string_value (b, file_id);
          json_builder_end_array (b);
          json_builder_end_object (b);
          if (malware_id != NULL && g_strcmp0 (str (r, "result"), "detected") == 0)
            stix_relationship (b, "static-analysis-of", id, malware_id, t, identity);
        }

      /* One per sandbox run. */
      for (guint j = 0; j < arr_len (analyses); j++)
        {
          JsonObject *a = obj_at (analyses, j);
          g_autofree char *seed = g_strdup_printf ("sandbox|%s|%s|%s|%u", sha256,
                                                   str0 (a, "source"), str0 (a, "queued"), j);
          g_autofree char *id = stix_id ("malware-analysis", PETRI_NAMESPACE, seed);
          g_autofree char *t = stix_time (str (a, "queued"));
          const char *product = str0 (a, "source");

          json_builder_begin_object (b);
          stix_common (b, "malware-analysis", id, t, identity);
          member_str (b, "product", g_str_equal (product, "petri") ? "petri-sandbox" : product);
          if (str (a, "started") != NULL)
            {
              g_autofree char *st = stix_time (str (a, "started"));

              member_str (b, "analysis_started", st);
            }
          if (str (a, "finished") != NULL)
            {
              g_autofree char *ft = stix_time (str (a, "finished"));

              member_str (b, "analysis_ended", ft);
            }
          member_str (b, "result",
                      g_str_equal (verdict, "malicious")    ? "malicious"
                      : g_str_equal (verdict, "suspicious") ? "suspicious"
                                                            : "unknown");
          member_str (b, "sample_ref", file_id);
          json_builder_set_member_name (b, "analysis_sco_refs");
          json_builder_begin_array (b);
          json_builder_add_string_value (b, file_id);
          for (guint k = 0; k < ind_ids->len; k++)
            json_builder_add_string_value (b, g_ptr_array_index (ind_ids, k));
          json_builder_end_array (b);
          json_builder_end_object (b);
          if (malware_id != NULL)
            stix_relationship (b, "dynamic-analysis-of", id, malware_id, t, identity);
        }
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return node_to_bytes (root);
}

GBytes *
petri_export_render (JsonNode *model, PetriExportFormat format, GError **error)
{
  g_return_val_if_fail (model != NULL && JSON_NODE_HOLDS_OBJECT (model), NULL);

  switch (format)
    {
    case PETRI_EXPORT_JSON:
      return node_to_bytes (model);
    case PETRI_EXPORT_HTML:
      return render_html (json_node_get_object (model));
    case PETRI_EXPORT_MISP:
      return render_misp (json_node_get_object (model));
    case PETRI_EXPORT_STIX:
      return render_stix (json_node_get_object (model));
    case PETRI_EXPORT_BUNDLE:
    default:
      g_set_error_literal (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INVALID,
                           _ ("A bundle is not a report format"));
      return NULL;
    }
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                  */

static const char *
report_entry_name (PetriExportFormat format)
{
  switch (format)
    {
    case PETRI_EXPORT_HTML:
      return "report.html";
    case PETRI_EXPORT_MISP:
      return "misp-event.json";
    case PETRI_EXPORT_STIX:
      return "stix-bundle.json";
    case PETRI_EXPORT_BUNDLE:
      return "case.json";
    case PETRI_EXPORT_JSON:
    default:
      return "case.json";
    }
}

static void
manifest_add (JsonBuilder *m, const char *path, const char *sha256, guint64 size)
{
  json_builder_begin_object (m);
  member_str (m, "path", path);
  member_str (m, "sha256", sha256);
  json_builder_set_member_name (m, "size");
  json_builder_add_int_value (m, (gint64) size);
  json_builder_end_object (m);
}

gboolean
petri_export_case (PetriContext *context, const char *case_name, PetriExportFormat format,
                   gboolean with_samples, const char *path, GCancellable *cancellable,
                   GError **error)
{
  g_autoptr (JsonNode) model = NULL;
  g_autoptr (GBytes) report = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *display = NULL;
  g_autoptr (PetriZipWriter) zip = NULL;
  g_autoptr (JsonBuilder) manifest = NULL;
  JsonArray *samples;

  g_return_val_if_fail (PETRI_IS_CONTEXT (context), FALSE);
  g_return_val_if_fail (case_name != NULL && path != NULL, FALSE);

  display = g_filename_display_name (path);
  model
      = petri_history_query_case (petri_context_get_store (context), case_name, cancellable, error);
  if (model == NULL)
    return FALSE;
  if (format == PETRI_EXPORT_BUNDLE)
    {
      JsonObject *o = json_node_get_object (model);

      /* A bundle's records are the JSON model itself. */
      report = node_to_bytes (model);
      with_samples = TRUE;
      (void) o;
    }
  else
    report = petri_export_render (model, format, error);
  if (report == NULL)
    return FALSE;

  if (!with_samples)
    {
      if (!g_file_set_contents (path, g_bytes_get_data (report, NULL), g_bytes_get_size (report),
                                &local))
        {
          g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_FAILED,
                       _ ("Cannot write the export “%s”: %s"), display, local->message);
          return FALSE;
        }
      return TRUE;
    }

  /* A zip protected with "infected": the report (or the records), the
   * sample bytes the store holds, and a manifest of hashes. */
  zip = petri_zip_writer_new (path, PETRI_ZIP_PASSWORD, error);
  if (zip == NULL)
    return FALSE;
  manifest = json_builder_new ();
  json_builder_begin_object (manifest);
  member_str (manifest, "format", format == PETRI_EXPORT_BUNDLE ? "petri-bundle" : "petri-export");
  json_builder_set_member_name (manifest, "version");
  json_builder_add_int_value (manifest, 1);
  member_str (manifest, "case", case_name);
  member_str (manifest, "exported", str0 (json_node_get_object (model), "exported"));
  json_builder_set_member_name (manifest, "files");
  json_builder_begin_array (manifest);
  {
    g_autofree char *sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, report);

    manifest_add (manifest, report_entry_name (format), sum, g_bytes_get_size (report));
  }
  if (!petri_zip_writer_add_bytes (zip, report_entry_name (format), report, error))
    return FALSE;

  samples = arr (json_node_get_object (model), "samples");
  for (guint i = 0; i < arr_len (samples); i++)
    {
      JsonObject *s = obj_at (samples, i);
      const char *sha256 = str0 (s, "sha256");
      g_autofree char *stored
          = petri_sample_store_path (petri_context_get_samples_dir (context), sha256);
      g_autofree char *entry = g_strdup_printf ("samples/%s", sha256);
      GStatBuf st;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      /* Samples known only from an imported report have no bytes here. */
      if (g_stat (stored, &st) != 0)
        continue;
      manifest_add (manifest, entry, sha256, st.st_size);
      if (!petri_zip_writer_add_file (zip, entry, stored, error))
        return FALSE;
    }
  json_builder_end_array (manifest);
  json_builder_end_object (manifest);
  {
    g_autoptr (JsonNode) mnode = json_builder_get_root (manifest);
    g_autoptr (GBytes) mbytes = node_to_bytes (mnode);

    if (!petri_zip_writer_add_bytes (zip, "manifest.json", mbytes, error))
      return FALSE;
  }
  return petri_zip_writer_close (zip, error);
}
