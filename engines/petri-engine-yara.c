/* petri-engine-yara.c: libyara, one YR_RULES shared, one scanner per worker
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every rule file under signatures/yara/ is compiled in a namespace of its
 * own, named from its relative path. A file that another rule file there
 * includes is compiled through the includer (how index files such as
 * Yara-Rules' malware_index.yar are meant to be used), not on its own.
 */
#include "config.h"

#include "petri-engine-private.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include <string.h>
#include <yara.h>

/* THOR/LOKI-style external variables, defined when compiling and set for
 * every sample (owner stays empty: the stored copy has no meaningful one). */
static const char *const externals[] = { "filename", "filepath", "extension", "filetype", "owner" };

/* Bumped whenever what goes into the cache changes. */
#define CACHE_FORMAT "petri-yara-cache-1"

#define DEFAULT_TIMEOUT_S 60
/* What one match reports, so that a rule hitting a string a million times
 * does not produce a result of a million lines. */
#define MAX_STRING_MATCHES_PER_RULE 32
#define PREVIEW_BYTES 32

#define PETRI_TYPE_ENGINE_YARA (petri_engine_yara_get_type ())
G_DECLARE_FINAL_TYPE (PetriEngineYara, petri_engine_yara, PETRI, ENGINE_YARA, GObject)

struct _PetriEngineYara
{
  GObject parent_instance;

  YR_RULES *rules;
  int timeout_s;
  char *version;
  char *signatures;
  guint n_rules;

  /* Idle scanners: a worker takes one for a scan and gives it back, so
   * there are never more than the number of concurrent scans, and a scanner
   * is never used by two threads at once. */
  GMutex lock;
  GPtrArray *idle; /* YR_SCANNER */
  guint n_scanners;
};

static void petri_engine_yara_iface_init (PetriEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PetriEngineYara, petri_engine_yara, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PETRI_TYPE_ENGINE,
                                                      petri_engine_yara_iface_init))

static const char *
yara_error_string (int code)
{
  switch (code)
    {
    case ERROR_INSUFFICIENT_MEMORY:
      return _ ("out of memory");
    case ERROR_COULD_NOT_OPEN_FILE:
      return _ ("cannot open the file");
    case ERROR_COULD_NOT_MAP_FILE:
      return _ ("cannot map the file");
    case ERROR_INVALID_FILE:
      return _ ("not a compiled rules file");
    case ERROR_CORRUPT_FILE:
      return _ ("corrupt compiled rules file");
    case ERROR_UNSUPPORTED_FILE_VERSION:
      return _ ("compiled by another YARA version");
    case ERROR_SCAN_TIMEOUT:
      return _ ("timeout");
    case ERROR_TOO_MANY_MATCHES:
      return _ ("too many matches");
    case ERROR_EXEC_STACK_OVERFLOW:
      return _ ("stack overflow while evaluating a condition");
    default:
      return _ ("internal error");
    }
}

static void
set_yara_error (GError **error, int code, const char *what)
{
  g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_LOAD, _ ("YARA: %s: %s (error %d)"),
               what, yara_error_string (code), code);
}

/* ---------------------------------------------------------------------- */
/* Finding the entry points                                                 */

gboolean
petri_yara_is_rule_file_name (const char *name)
{
  return g_str_has_suffix (name, ".yar") || g_str_has_suffix (name, ".yara")
         || g_str_has_suffix (name, ".YAR") || g_str_has_suffix (name, ".YARA");
}

GPtrArray *
petri_yara_read_includes (const char *path, GError **error)
{
  static GRegex *include_re;
  g_autofree char *text = NULL;
  g_autoptr (GMatchInfo) match = NULL;
  g_autoptr (GPtrArray) includes = g_ptr_array_new_with_free_func (g_free);

  if (g_once_init_enter (&include_re))
    {
      GRegex *re = g_regex_new ("^[ \\t]*include[ \\t]+\"((?:[^\"\\\\\\n]|\\\\.)*)\"",
                                G_REGEX_MULTILINE | G_REGEX_OPTIMIZE | G_REGEX_RAW, 0, NULL);
      g_assert (re != NULL);
      g_once_init_leave (&include_re, re);
    }

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  /* Cheap test first: most rule files include nothing. */
  if (strstr (text, "include") == NULL)
    return g_steal_pointer (&includes);
  g_regex_match (include_re, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_ptr_array_add (includes, g_match_info_fetch (match, 1));
      g_match_info_next (match, NULL);
    }
  return g_steal_pointer (&includes);
}

GPtrArray *
petri_yara_find_entry_points (const char *dir, GError **error)
{
  g_autoptr (GPtrArray) files = petri_list_tree_files (dir, error);
  g_autoptr (GHashTable) rule_files = g_hash_table_new (g_str_hash, g_str_equal);
  /* rel → GPtrArray of rel paths it includes (rule files under @dir only) */
  g_autoptr (GHashTable) edges
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GHashTable) included = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) reached = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GQueue) todo = g_queue_new ();
  g_autofree char *root = NULL;

  if (files == NULL)
    return NULL;
  root = g_canonicalize_filename (dir, NULL);

  for (guint i = 0; i < files->len; i++)
    if (petri_yara_is_rule_file_name (g_ptr_array_index (files, i)))
      g_hash_table_add (rule_files, g_ptr_array_index (files, i));

  for (guint i = 0; i < files->len; i++)
    {
      const char *rel = g_ptr_array_index (files, i);
      g_autofree char *path = NULL;
      g_autofree char *parent = NULL;
      g_autoptr (GPtrArray) includes = NULL;
      GPtrArray *targets;

      if (!g_hash_table_contains (rule_files, rel))
        continue;
      path = g_build_filename (root, rel, NULL);
      includes = petri_yara_read_includes (path, NULL);
      targets = g_ptr_array_new ();
      g_hash_table_insert (edges, (gpointer) rel, targets);
      if (includes == NULL)
        continue; /* unreadable: it will fail to compile, and say so */
      parent = g_path_get_dirname (path);
      for (guint j = 0; j < includes->len; j++)
        {
          g_autofree char *target
              = g_canonicalize_filename (g_ptr_array_index (includes, j), parent);
          const char *target_rel;
          gpointer key;

          if (!g_str_has_prefix (target, root) || target[strlen (root)] != G_DIR_SEPARATOR)
            continue;
          target_rel = target + strlen (root) + 1;
          if (!g_hash_table_lookup_extended (rule_files, target_rel, &key, NULL)
              || strcmp (key, rel) == 0)
            continue;
          g_hash_table_add (included, key);
          g_ptr_array_add (targets, key);
        }
    }

  /* Entry points: what nothing includes; then anything an include cycle
   * hides from them, so that no file is silently left out. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < files->len; i++)
      {
        char *rel = g_ptr_array_index (files, i);

        if (!g_hash_table_contains (rule_files, rel) || g_hash_table_contains (reached, rel))
          continue;
        if (pass == 0 && g_hash_table_contains (included, rel))
          continue;
        g_ptr_array_add (entries, g_strdup (rel));
        g_queue_push_tail (todo, rel);
        g_hash_table_add (reached, rel);
        while (!g_queue_is_empty (todo))
          {
            GPtrArray *targets = g_hash_table_lookup (edges, g_queue_pop_head (todo));

            for (guint j = 0; targets != NULL && j < targets->len; j++)
              if (g_hash_table_add (reached, g_ptr_array_index (targets, j)))
                g_queue_push_tail (todo, g_ptr_array_index (targets, j));
          }
      }
  g_ptr_array_sort (entries, petri_compare_strings);
  return g_steal_pointer (&entries);
}

char *
petri_yara_namespace_for (const char *relative_path)
{
  const char *dot = strrchr (relative_path, '.');
  const char *slash = strrchr (relative_path, G_DIR_SEPARATOR);

  if (dot != NULL && (slash == NULL || dot > slash) && petri_yara_is_rule_file_name (relative_path))
    return g_strndup (relative_path, dot - relative_path);
  return g_strdup (relative_path);
}

/* ---------------------------------------------------------------------- */
/* Compiling                                                                */

typedef struct
{
  const char *path;  /* the entry point being compiled */
  GPtrArray *errors; /* char *: "file:line: message" */
} CompileLog;

static void
compiler_cb (int error_level, const char *file_name, int line_number, const YR_RULE *rule,
             const char *message, void *user_data)
{
  CompileLog *log = user_data;

  if (error_level != YARA_ERROR_LEVEL_ERROR)
    {
      g_debug ("%s:%d: %s", file_name != NULL ? file_name : log->path, line_number, message);
      return;
    }
  g_ptr_array_add (log->errors,
                   g_strdup_printf ("%s:%d: %s", file_name != NULL ? file_name : log->path,
                                    line_number, message));
}

static YR_COMPILER *
new_compiler (CompileLog *log, GError **error)
{
  YR_COMPILER *compiler = NULL;
  int rc = yr_compiler_create (&compiler);

  if (rc != ERROR_SUCCESS)
    {
      set_yara_error (error, rc, _ ("cannot create a compiler"));
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (externals); i++)
    {
      rc = yr_compiler_define_string_variable (compiler, externals[i], "");
      if (rc != ERROR_SUCCESS)
        {
          yr_compiler_destroy (compiler);
          set_yara_error (error, rc, externals[i]);
          return NULL;
        }
    }
  yr_compiler_set_callback (compiler, compiler_cb, log);
  return compiler;
}

/* Adds one file; on failure the compiler is unusable and @log says why. */
static gboolean
add_file (YR_COMPILER *compiler, CompileLog *log, const char *path, const char *namespace_)
{
  FILE *fp = fopen (path, "rb");
  int n_errors;

  log->path = path;
  if (fp == NULL)
    {
      int saved = errno;
      g_ptr_array_add (log->errors, g_strdup_printf ("%s: %s", path, g_strerror (saved)));
      return FALSE;
    }
  n_errors = yr_compiler_add_file (compiler, fp, namespace_, path);
  fclose (fp);
  if (n_errors > 0 && log->errors->len == 0)
    g_ptr_array_add (log->errors, g_strdup_printf ("%s: %s", path, _ ("does not compile")));
  return n_errors == 0;
}

static guint
count_rules (YR_RULES *rules)
{
  const YR_RULE *rule;
  guint n = 0;

  yr_rules_foreach (rules, rule) n++;
  return n;
}

gboolean
petri_yara_check_file (const char *path, const char *namespace_, guint *n_rules, GError **error)
{
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  CompileLog log = { path, errors };
  YR_COMPILER *compiler = new_compiler (&log, error);
  YR_RULES *rules = NULL;
  int rc;

  if (compiler == NULL)
    return FALSE;
  if (!add_file (compiler, &log, path, namespace_))
    {
      g_autofree char *joined = NULL;

      g_ptr_array_add (errors, NULL);
      joined = g_strjoinv ("; ", (char **) errors->pdata);
      g_set_error_literal (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES, joined);
      yr_compiler_destroy (compiler);
      return FALSE;
    }
  rc = yr_compiler_get_rules (compiler, &rules);
  yr_compiler_destroy (compiler);
  if (rc != ERROR_SUCCESS)
    {
      set_yara_error (error, rc, path);
      return FALSE;
    }
  if (n_rules != NULL)
    *n_rules = count_rules (rules);
  yr_rules_destroy (rules);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* The compiled-rule cache                                                  */

/* A hash of everything the compiled rules depend on: every file under the
 * folder (entry points and what they include), its path and contents, and
 * the libyara version. */
static char *
cache_key (const char *dir, GPtrArray *files, GError **error)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (sum, (const guchar *) CACHE_FORMAT, sizeof CACHE_FORMAT);
  g_checksum_update (sum, (const guchar *) YR_VERSION, sizeof YR_VERSION);
  for (guint i = 0; i < G_N_ELEMENTS (externals); i++)
    g_checksum_update (sum, (const guchar *) externals[i], strlen (externals[i]) + 1);
  for (guint i = 0; i < files->len; i++)
    {
      const char *rel = g_ptr_array_index (files, i);
      g_autofree char *path = g_build_filename (dir, rel, NULL);
      g_autoptr (GMappedFile) map = g_mapped_file_new (path, FALSE, error);
      char size[32];

      if (map == NULL)
        return NULL;
      g_snprintf (size, sizeof size, "%" G_GSIZE_FORMAT, g_mapped_file_get_length (map));
      g_checksum_update (sum, (const guchar *) rel, strlen (rel) + 1);
      g_checksum_update (sum, (const guchar *) size, strlen (size) + 1);
      if (g_mapped_file_get_length (map) > 0)
        g_checksum_update (sum, (const guchar *) g_mapped_file_get_contents (map),
                           g_mapped_file_get_length (map));
    }
  return g_strdup (g_checksum_get_string (sum));
}

static char *
cache_dir_for (const char *yara_dir)
{
  /* <data>/signatures/yara → <data>/cache */
  g_autofree char *signatures = g_path_get_dirname (yara_dir);
  g_autofree char *data = g_path_get_dirname (signatures);

  return g_build_filename (data, "cache", NULL);
}

typedef struct
{
  YR_RULES *rules;
  GPtrArray *warnings; /* char *: files left out and why */
  guint n_entries;     /* entry points that compiled */
  gboolean from_cache;
} Compiled;

static void
compiled_clear (Compiled *c)
{
  g_clear_pointer (&c->rules, yr_rules_destroy);
  g_clear_pointer (&c->warnings, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Compiled, compiled_clear)

static gboolean
cache_load (const char *cache_dir, const char *key, Compiled *out)
{
  g_autofree char *base = g_strdup_printf ("yara-%s", key);
  g_autofree char *rules_path = g_strdup_printf ("%s/%s.yarc", cache_dir, base);
  g_autofree char *side_path = g_strdup_printf ("%s/%s.json", cache_dir, base);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;
  JsonArray *warnings;
  YR_RULES *rules = NULL;
  int rc;

  if (!g_file_test (rules_path, G_FILE_TEST_IS_REGULAR)
      || !json_parser_load_from_file (parser, side_path, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  o = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (o, "warnings")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "warnings")))
    return FALSE;
  rc = yr_rules_load (rules_path, &rules);
  if (rc != ERROR_SUCCESS)
    {
      g_debug ("YARA cache %s not usable (error %d), compiling", rules_path, rc);
      return FALSE;
    }
  warnings = json_object_get_array_member (o, "warnings");
  out->rules = rules;
  out->warnings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (warnings); i++)
    {
      const char *w = json_array_get_string_element (warnings, i);
      if (w != NULL)
        g_ptr_array_add (out->warnings, g_strdup (w));
    }
  out->from_cache = TRUE;
  return TRUE;
}

static void
cache_save (const char *cache_dir, const char *key, Compiled *c)
{
  g_autofree char *base = g_strdup_printf ("yara-%s", key);
  g_autofree char *rules_path = g_strdup_printf ("%s/%s.yarc", cache_dir, base);
  g_autofree char *side_path = g_strdup_printf ("%s/%s.json", cache_dir, base);
  g_autofree char *tmp_path = g_strdup_printf ("%s/.%s.yarc-XXXXXX", cache_dir, base);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GDir) d = NULL;
  g_autofree char *json = NULL;
  const char *name;
  int fd;

  if (g_mkdir_with_parents (cache_dir, 0700) != 0)
    {
      g_debug ("cannot create %s: %s", cache_dir, g_strerror (errno));
      return;
    }

  /* The rules first (to a temporary name, then renamed): a reader that
   * finds the side file always finds complete rules. */
  fd = g_mkstemp (tmp_path);
  if (fd < 0)
    {
      g_debug ("cannot write the YARA cache in %s: %s", cache_dir, g_strerror (errno));
      return;
    }
  close (fd);
  if (yr_rules_save (c->rules, tmp_path) != ERROR_SUCCESS || g_rename (tmp_path, rules_path) != 0)
    {
      g_debug ("cannot write %s", rules_path);
      g_unlink (tmp_path);
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, CACHE_FORMAT);
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; i < c->warnings->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (c->warnings, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  if (!g_file_set_contents (side_path, json, -1, &local_error))
    {
      g_debug ("cannot write %s: %s", side_path, local_error->message);
      return;
    }

  /* Older caches of this folder are of no more use. */
  d = g_dir_open (cache_dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      if (g_str_has_prefix (name, "yara-") && !g_str_has_prefix (name, base)
          && (g_str_has_suffix (name, ".yarc") || g_str_has_suffix (name, ".json")))
        {
          g_autofree char *old = g_build_filename (cache_dir, name, NULL);
          g_unlink (old);
        }
    }
}

/* Checks each entry point alone, then compiles the good ones together. */
static gboolean
compile_all (const char *dir, GPtrArray *entries, Compiled *out, GError **error)
{
  g_autoptr (GPtrArray) good = g_ptr_array_new ();
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  CompileLog log = { NULL, errors };
  YR_COMPILER *compiler;
  int rc;

  for (guint i = 0; i < entries->len; i++)
    {
      const char *rel = g_ptr_array_index (entries, i);
      g_autofree char *path = g_build_filename (dir, rel, NULL);
      g_autofree char *ns = petri_yara_namespace_for (rel);
      g_autoptr (GError) local_error = NULL;

      if (petri_yara_check_file (path, ns, NULL, &local_error))
        g_ptr_array_add (good, (gpointer) rel);
      else
        g_ptr_array_add (warnings, g_strdup (local_error->message));
    }
  if (good->len == 0)
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_LOAD,
                   _ ("No YARA rule file in “%s” compiles."), dir);
      return FALSE;
    }

  compiler = new_compiler (&log, error);
  if (compiler == NULL)
    return FALSE;
  for (guint i = 0; i < good->len; i++)
    {
      const char *rel = g_ptr_array_index (good, i);
      g_autofree char *path = g_build_filename (dir, rel, NULL);
      g_autofree char *ns = petri_yara_namespace_for (rel);

      if (!add_file (compiler, &log, path, ns))
        {
          /* Each file compiled alone: only a resource limit gets here. */
          g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_LOAD,
                       _ ("YARA rules in “%s” do not compile together: %s"), dir,
                       (const char *) g_ptr_array_index (errors, 0));
          yr_compiler_destroy (compiler);
          return FALSE;
        }
    }
  rc = yr_compiler_get_rules (compiler, &out->rules);
  yr_compiler_destroy (compiler);
  if (rc != ERROR_SUCCESS)
    {
      set_yara_error (error, rc, dir);
      return FALSE;
    }
  out->warnings = g_steal_pointer (&warnings);
  out->n_entries = good->len;
  return TRUE;
}

/* The rules in force under @dir: from the cache when it matches the files,
 * else compiled (and cached). FALSE without error when there are none. */
static gboolean
load_rules (const char *dir, Compiled *out, GError **error)
{
  g_autoptr (GPtrArray) files = petri_list_tree_files (dir, error);
  g_autoptr (GPtrArray) entries = NULL;
  g_autofree char *key = NULL;
  g_autofree char *cache_dir = NULL;
  g_autoptr (GError) key_error = NULL;

  if (files == NULL)
    return FALSE;
  entries = petri_yara_find_entry_points (dir, error);
  if (entries == NULL || entries->len == 0)
    return FALSE;

  cache_dir = cache_dir_for (dir);
  key = cache_key (dir, files, &key_error);
  if (key == NULL)
    g_debug ("no YARA cache: %s", key_error->message);
  else if (cache_load (cache_dir, key, out))
    {
      out->n_entries = entries->len - MIN (entries->len, out->warnings->len);
      g_debug ("YARA rules of %s loaded from the cache", dir);
      return TRUE;
    }

  if (!compile_all (dir, entries, out, error))
    return FALSE;
  if (key != NULL)
    cache_save (cache_dir, key, out);
  return TRUE;
}

GHashTable *
petri_yara_count_rules (const char *dir, GPtrArray *warnings, GError **error)
{
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto (Compiled) compiled = { 0 };
  g_autoptr (GError) local_error = NULL;
  const YR_RULE *rule;

  if (!load_rules (dir, &compiled, &local_error))
    {
      if (local_error != NULL)
        {
          g_hash_table_unref (counts);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      return counts;
    }
  yr_rules_foreach (compiled.rules, rule)
  {
    const char *ns = rule->ns->name;
    guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, ns));

    g_hash_table_insert (counts, g_strdup (ns), GUINT_TO_POINTER (n + 1));
  }
  for (guint i = 0; warnings != NULL && i < compiled.warnings->len; i++)
    g_ptr_array_add (warnings, g_strdup (g_ptr_array_index (compiled.warnings, i)));
  return counts;
}

/* ---------------------------------------------------------------------- */
/* Scanning                                                                 */

typedef struct
{
  GPtrArray *names;    /* char *: "namespace:rule" */
  JsonArray *matches;  /* one object per matching rule */
  GPtrArray *too_many; /* char *: strings that hit YARA's match limit */
  gboolean heuristic_only;
  GCancellable *cancellable;
} ScanState;

static char *
preview (const guint8 *data, gsize len, gsize match_length)
{
  GString *out = g_string_new (NULL);
  gsize n = MIN (len, PREVIEW_BYTES);

  for (gsize i = 0; i < n; i++)
    {
      guint8 c = data[i];

      if (c >= 0x20 && c < 0x7f && c != '\\')
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "\\x%02x", c);
    }
  if (match_length > n)
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

static JsonNode *
match_to_json (YR_SCAN_CONTEXT *context, const YR_RULE *rule)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GHashTable) seen_meta = g_hash_table_new (g_str_hash, g_str_equal);
  const char *tag;
  const YR_META *meta;
  const YR_STRING *string;
  guint n_strings = 0, n_shown = 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rule");
  json_builder_add_string_value (b, rule->identifier);
  json_builder_set_member_name (b, "namespace");
  json_builder_add_string_value (b, rule->ns->name);

  json_builder_set_member_name (b, "tags");
  json_builder_begin_array (b);
  yr_rule_tags_foreach (rule, tag) json_builder_add_string_value (b, tag);
  json_builder_end_array (b);

  json_builder_set_member_name (b, "meta");
  json_builder_begin_object (b);
  yr_rule_metas_foreach (rule, meta)
  {
    /* A key may repeat in YARA; JSON keeps the first. */
    if (!g_hash_table_add (seen_meta, (gpointer) meta->identifier))
      continue;
    json_builder_set_member_name (b, meta->identifier);
    switch (meta->type)
      {
      case META_TYPE_INTEGER:
        json_builder_add_int_value (b, meta->integer);
        break;
      case META_TYPE_BOOLEAN:
        json_builder_add_boolean_value (b, meta->integer != 0);
        break;
      default:
        {
          /* Meta strings are not promised to be UTF-8. */
          g_autofree char *valid = g_utf8_make_valid (meta->string, -1);
          json_builder_add_string_value (b, valid);
        }
        break;
      }
  }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "strings");
  json_builder_begin_array (b);
  yr_rule_strings_foreach (rule, string)
  {
    const YR_MATCH *next = context->matches[string->idx].head;

    /* Not yr_string_matches_foreach: libyara's notebook hands out matches
     * aligned to 4 bytes only, so each is read through an aligned copy. */
    while (next != NULL)
      {
        YR_MATCH copy;
        const YR_MATCH *m = &copy;

        memcpy (&copy, next, sizeof copy);
        next = copy.next;
        if (copy.is_private)
          continue;
        n_strings++;
        if (n_shown >= MAX_STRING_MATCHES_PER_RULE)
          continue;
        n_shown++;
        {
          g_autofree char *text = preview (m->data, m->data_length, m->match_length);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "identifier");
          json_builder_add_string_value (b, string->identifier);
          json_builder_set_member_name (b, "offset");
          json_builder_add_int_value (b, m->base + m->offset);
          json_builder_set_member_name (b, "length");
          json_builder_add_int_value (b, m->match_length);
          json_builder_set_member_name (b, "preview");
          json_builder_add_string_value (b, text);
          json_builder_end_object (b);
        }
      }
  }
  json_builder_end_array (b);
  if (n_strings > n_shown)
    {
      json_builder_set_member_name (b, "strings_total");
      json_builder_add_int_value (b, n_strings);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static int
scan_cb (YR_SCAN_CONTEXT *context, int message, void *message_data, void *user_data)
{
  ScanState *state = user_data;

  switch (message)
    {
    case CALLBACK_MSG_RULE_MATCHING:
      {
        const YR_RULE *rule = message_data;

        g_ptr_array_add (state->names, g_strdup_printf ("%s:%s", rule->ns->name, rule->identifier));
        /* Only the rule name says whether it is generic: namespaces are
         * file names such as "gen_suspicious_strings". */
        state->heuristic_only = state->heuristic_only && petri_name_is_heuristic (rule->identifier);
        json_array_add_element (state->matches, match_to_json (context, rule));
      }
      break;
    case CALLBACK_MSG_TOO_MANY_MATCHES:
      {
        const YR_STRING *string = message_data;
        const YR_RULE *rule = &context->rules->rules_table[string->rule_idx];

        g_ptr_array_add (state->too_many, g_strdup_printf ("%s:%s %s", rule->ns->name,
                                                           rule->identifier, string->identifier));
      }
      break;
    default:
      break;
    }
  return g_cancellable_is_cancelled (state->cancellable) ? CALLBACK_ABORT : CALLBACK_CONTINUE;
}

static YR_SCANNER *
take_scanner (PetriEngineYara *self, GError **error)
{
  YR_SCANNER *scanner = NULL;
  int rc;

  g_mutex_lock (&self->lock);
  if (self->idle->len > 0)
    scanner = g_ptr_array_steal_index_fast (self->idle, self->idle->len - 1);
  g_mutex_unlock (&self->lock);
  if (scanner != NULL)
    return scanner;

  rc = yr_scanner_create (self->rules, &scanner);
  if (rc != ERROR_SUCCESS)
    {
      set_yara_error (error, rc, _ ("cannot create a scanner"));
      return NULL;
    }
  yr_scanner_set_timeout (scanner, self->timeout_s);
  g_mutex_lock (&self->lock);
  self->n_scanners++;
  g_mutex_unlock (&self->lock);
  return scanner;
}

static void
give_back_scanner (PetriEngineYara *self, YR_SCANNER *scanner)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->idle, scanner);
  g_mutex_unlock (&self->lock);
}

static gboolean
set_externals (YR_SCANNER *scanner, const PetriSampleData *sample)
{
  g_autofree char *extension = NULL;
  const char *values[G_N_ELEMENTS (externals)];

  /* THOR and LOKI rules compare the extension with its dot (".exe"). */
  if (sample->extension != NULL && *sample->extension != '\0')
    extension = g_strconcat (".", sample->extension, NULL);
  values[0] = sample->file_name;
  values[1] = sample->file_path;
  values[2] = extension;
  values[3] = sample->description;
  values[4] = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (externals); i++)
    if (yr_scanner_define_string_variable (scanner, externals[i],
                                           values[i] != NULL ? values[i] : "")
        != ERROR_SUCCESS)
      return FALSE;
  return TRUE;
}

static PetriEngineResult *
yara_scan (PetriEngine *engine, const PetriSampleData *sample, GCancellable *cancellable)
{
  PetriEngineYara *self = PETRI_ENGINE_YARA (engine);
  PetriEngineResult *result = petri_engine_result_new ("yara", self->version, self->signatures);
  const char *display = sample->file_path != NULL ? sample->file_path : sample->store_path;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GPtrArray) too_many = g_ptr_array_new_with_free_func (g_free);
  JsonArray *matches = json_array_new ();
  ScanState state = { result->names, matches, too_many, TRUE, cancellable };
  static const guint8 empty[1];
  YR_SCANNER *scanner;
  JsonObject *details;
  int rc;

  if (g_cancellable_is_cancelled (cancellable))
    {
      json_array_unref (matches);
      result->kind = PETRI_RESULT_ERROR;
      result->error = g_strdup (_ ("The scan was cancelled."));
      return result;
    }

  scanner = take_scanner (self, &local_error);
  if (scanner == NULL)
    {
      json_array_unref (matches);
      result->kind = PETRI_RESULT_ERROR;
      result->error
          = g_strdup_printf (_ ("YARA could not scan “%s”: %s"), display, local_error->message);
      return result;
    }
  yr_scanner_set_callback (scanner, scan_cb, &state);
  if (!set_externals (scanner, sample))
    rc = ERROR_INSUFFICIENT_MEMORY;
  else if (sample->data != NULL)
    rc = yr_scanner_scan_mem (scanner, sample->data, sample->size);
  else if (sample->fd >= 0 && sample->size > 0)
    rc = yr_scanner_scan_fd (scanner, sample->fd); /* not mapped by the caller */
  else
    rc = yr_scanner_scan_mem (scanner, empty, 0);
  yr_scanner_set_callback (scanner, NULL, NULL);
  give_back_scanner (self, scanner);

  details = json_object_new ();
  json_object_set_array_member (details, "matches", matches);
  if (too_many->len > 0)
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < too_many->len; i++)
        json_array_add_string_element (array, g_ptr_array_index (too_many, i));
      json_object_set_array_member (details, "too_many_matches", array);
    }
  result->details = json_node_init_object (json_node_alloc (), details);
  json_object_unref (details);

  result->heuristic = result->names->len > 0 && state.heuristic_only;
  if (rc == ERROR_SCAN_TIMEOUT)
    {
      result->kind = PETRI_RESULT_ERROR;
      result->error = g_strdup_printf (_ ("YARA stopped scanning “%s” after the %d s timeout."),
                                       display, self->timeout_s);
    }
  else if (rc != ERROR_SUCCESS)
    {
      result->kind = PETRI_RESULT_ERROR;
      result->error = g_strdup_printf (_ ("YARA could not scan “%s”: %s (error %d)"), display,
                                       yara_error_string (rc), rc);
    }
  else if (g_cancellable_is_cancelled (cancellable))
    {
      result->kind = PETRI_RESULT_ERROR;
      result->error = g_strdup (_ ("The scan was cancelled."));
    }
  else
    {
      result->kind = result->names->len > 0 ? PETRI_RESULT_DETECTED : PETRI_RESULT_CLEAN;
      if (too_many->len > 0)
        result->error = g_strdup_printf (
            ngettext ("YARA stopped recording matches of %u string in “%s” (too many matches).",
                      "YARA stopped recording matches of %u strings in “%s” (too many matches).",
                      too_many->len),
            too_many->len, display);
    }
  return result;
}

/* ---------------------------------------------------------------------- */
/* The engine                                                               */

static void
petri_engine_yara_finalize (GObject *object)
{
  PetriEngineYara *self = PETRI_ENGINE_YARA (object);

  /* Every scan holds a reference: all scanners are idle by now. */
  g_assert (self->idle->len == self->n_scanners);
  for (guint i = 0; i < self->idle->len; i++)
    yr_scanner_destroy (g_ptr_array_index (self->idle, i));
  g_ptr_array_unref (self->idle);
  g_clear_pointer (&self->rules, yr_rules_destroy);
  g_mutex_clear (&self->lock);
  g_free (self->version);
  g_free (self->signatures);
  G_OBJECT_CLASS (petri_engine_yara_parent_class)->finalize (object);
}

static void
petri_engine_yara_class_init (PetriEngineYaraClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = petri_engine_yara_finalize;
}

static void
petri_engine_yara_init (PetriEngineYara *self)
{
  g_mutex_init (&self->lock);
  self->idle = g_ptr_array_new ();
}

static const char *
yara_get_name (PetriEngine *engine)
{
  return "yara";
}

static const char *
yara_get_version (PetriEngine *engine)
{
  return PETRI_ENGINE_YARA (engine)->version;
}

static const char *
yara_get_signatures (PetriEngine *engine)
{
  return PETRI_ENGINE_YARA (engine)->signatures;
}

static guint
yara_get_signature_count (PetriEngine *engine)
{
  return PETRI_ENGINE_YARA (engine)->n_rules;
}

static void
petri_engine_yara_iface_init (PetriEngineInterface *iface)
{
  iface->get_name = yara_get_name;
  iface->get_version = yara_get_version;
  iface->get_signatures = yara_get_signatures;
  iface->get_signature_count = yara_get_signature_count;
  iface->scan = yara_scan;
}

static char *
describe_set (const char *dir, guint n_rules, guint n_entries)
{
  g_autoptr (GPtrArray) files = petri_list_tree_files (dir, NULL);
  gint64 newest = 0;
  g_autofree char *date = NULL, *rules = NULL;

  for (guint i = 0; files != NULL && i < files->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (files, i), NULL);
      GStatBuf st;

      if (g_stat (path, &st) == 0)
        newest = MAX (newest, (gint64) st.st_mtime);
    }
  date = petri_format_date (newest);
  rules = g_strdup_printf (ngettext ("%u rule", "%u rules", n_rules), n_rules);
  /* Translators: "%u rules", the number of rule files, the date of the newest */
  return g_strdup_printf (
      ngettext ("%s in %u file, up to %s", "%s in %u files, up to %s", n_entries), rules, n_entries,
      date);
}

static PetriEngine *
yara_load (const char *dir, const PetriEngineLimits *limits, GPtrArray *warnings, GError **error)
{
  g_auto (Compiled) compiled = { 0 };
  g_autoptr (GError) local_error = NULL;
  PetriEngineYara *self;

  if (!load_rules (dir, &compiled, &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  for (guint i = 0; i < compiled.warnings->len; i++)
    g_ptr_array_add (warnings, g_strdup (g_ptr_array_index (compiled.warnings, i)));

  self = g_object_new (PETRI_TYPE_ENGINE_YARA, NULL);
  self->rules = g_steal_pointer (&compiled.rules);
  self->timeout_s = limits->yara_timeout_s > 0 ? (int) MIN (limits->yara_timeout_s, G_MAXINT)
                                               : DEFAULT_TIMEOUT_S;
  self->version = g_strdup (YR_VERSION);
  self->n_rules = count_rules (self->rules);
  self->signatures = describe_set (dir, self->n_rules, compiled.n_entries);
  g_debug ("YARA %s: %s%s", self->version, self->signatures,
           compiled.from_cache ? " (cached)" : "");
  return PETRI_ENGINE (self);
}

const PetriEngineKind petri_engine_kind_yara = {
  .name = "yara",
  .subdir = "yara",
  .load = yara_load,
};
