/* petri-util.c: paths, display names, verdicts
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-app.h"

#include <glib/gi18n.h>
#include <locale.h>

/* The quark name is stringified: keep it as written. */
/* clang-format off */
G_DEFINE_QUARK (petri-app-error-quark, petri_app_error)
/* clang-format on */

gboolean
petri_running_uninstalled (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe != NULL && g_str_has_prefix (exe, PETRI_BUILD_DIR "/");
}

/* meson's i18n.gettext() compiles each language to po/LANG/LC_MESSAGES/
 * GETTEXT_PACKAGE.mo in the build tree: the layout bindtextdomain() wants. */
static gboolean
build_tree_has_catalogues (const char *podir)
{
  g_autoptr (GDir) dir = g_dir_open (podir, 0, NULL);
  const char *lang;

  while (dir != NULL && (lang = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *mo
          = g_build_filename (podir, lang, "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);

      if (g_file_test (mo, G_FILE_TEST_IS_REGULAR))
        return TRUE;
    }
  return FALSE;
}

const char *
petri_i18n_init (void)
{
  static gsize once;
  static const char *localedir;

  if (g_once_init_enter (&once))
    {
      const char *dir = LOCALEDIR;

      /* Uninstalled (./run, the tests), the catalogues are in the build tree. */
      if (petri_running_uninstalled () && build_tree_has_catalogues (PETRI_BUILD_DIR "/po"))
        dir = PETRI_BUILD_DIR "/po";
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, dir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
      localedir = dir;
      g_once_init_leave (&once, 1);
    }
  return localedir;
}

char *
petri_data_dir_resolve (const char *override)
{
  const char *env;

  if (override != NULL && *override != '\0')
    return g_canonicalize_filename (override, NULL);
  env = g_getenv ("PETRI_DATA_DIR");
  if (env != NULL && *env != '\0')
    return g_canonicalize_filename (env, NULL);
  return g_build_filename (g_get_user_data_dir (), "petri", NULL);
}

char *
petri_display_name (const char *raw)
{
  GString *out;
  const char *p, *end;

  g_return_val_if_fail (raw != NULL, NULL);

  out = g_string_sized_new (strlen (raw));
  p = raw;
  while (*p != '\0')
    {
      if (g_utf8_validate (p, -1, &end))
        end = p + strlen (p);
      /* Keep the valid run, escaping "\x" so that the escape stays unambiguous. */
      for (const char *q = p; q < end; q++)
        {
          if (q[0] == '\\' && q[1] == 'x')
            g_string_append (out, "\\\\");
          else
            g_string_append_c (out, *q);
        }
      p = end;
      if (*p != '\0')
        {
          g_string_append_printf (out, "\\x%02x", (guint8) *p);
          p++;
        }
    }
  return g_string_free (out, FALSE);
}

char *
petri_display_name_unescape (const char *display, gsize *len)
{
  GString *out;

  g_return_val_if_fail (display != NULL, NULL);

  out = g_string_sized_new (strlen (display));
  for (const char *p = display; *p != '\0'; p++)
    {
      if (p[0] == '\\' && p[1] == '\\' && p[2] == 'x')
        {
          g_string_append_c (out, '\\');
          p++;
        }
      else if (p[0] == '\\' && p[1] == 'x' && g_ascii_isxdigit (p[2]) && g_ascii_isxdigit (p[3]))
        {
          g_string_append_c (
              out, (char) (g_ascii_xdigit_value (p[2]) * 16 + g_ascii_xdigit_value (p[3])));
          p += 3;
        }
      else
        g_string_append_c (out, *p);
    }
  if (len != NULL)
    *len = out->len;
  return g_string_free (out, FALSE);
}

char *
petri_format_time (gint64 unix_seconds)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  if (dt == NULL)
    return g_strdup ("");
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static const char *const verdict_names[] = {
  [PETRI_VERDICT_PENDING] = "pending",       [PETRI_VERDICT_CLEAN] = "clean",
  [PETRI_VERDICT_SUSPICIOUS] = "suspicious", [PETRI_VERDICT_MALICIOUS] = "malicious",
  [PETRI_VERDICT_ERROR] = "error",
};

const char *
petri_verdict_to_string (PetriVerdict verdict)
{
  g_return_val_if_fail (verdict < G_N_ELEMENTS (verdict_names), "error");
  return verdict_names[verdict];
}

const char *
petri_keyword_label (const char *keyword)
{
  static const struct
  {
    const char *keyword;
    const char *label;
  } labels[] = {
    /* Verdicts, the engine's and the analyst's */
    { "pending", N_ ("Pending") },
    { "clean", N_ ("Clean") },
    { "suspicious", N_ ("Suspicious") },
    { "malicious", N_ ("Malicious") },
    { "unknown", N_ ("Unknown") },
    { "error", N_ ("Error") },
    /* Engine results */
    { "detected", N_ ("Detected") },
    /* Sandbox analyses */
    { "not_eligible", N_ ("Not eligible") },
    { "queued", N_ ("Queued") },
    { "starting", N_ ("Starting") },
    { "running", N_ ("Running") },
    { "collecting", N_ ("Collecting") },
    { "done", N_ ("Analysed") },
    { "failed", N_ ("Failed") },
  };

  if (keyword == NULL)
    return "";
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (keyword, labels[i].keyword))
      return _ (labels[i].label);
  return keyword;
}

PetriVerdict
petri_verdict_from_string (const char *s)
{
  for (guint i = 0; i < G_N_ELEMENTS (verdict_names); i++)
    if (g_strcmp0 (s, verdict_names[i]) == 0)
      return i;
  return PETRI_VERDICT_PENDING;
}

PetriVerdict
petri_verdict_from_results (GPtrArray *results)
{
  gboolean any_error = FALSE, any_heuristic = FALSE, any_clean = FALSE;

  if (results == NULL || results->len == 0)
    return PETRI_VERDICT_PENDING;

  for (guint i = 0; i < results->len; i++)
    {
      PetriEngineResult *r = g_ptr_array_index (results, i);

      switch (r->kind)
        {
        case PETRI_RESULT_DETECTED:
          /* The engine flags a result heuristic only when every name is. */
          if (!r->heuristic)
            return PETRI_VERDICT_MALICIOUS;
          any_heuristic = TRUE;
          break;
        case PETRI_RESULT_ERROR:
          any_error = TRUE;
          break;
        case PETRI_RESULT_CLEAN:
        default:
          any_clean = TRUE;
          break;
        }
    }
  if (any_heuristic)
    return PETRI_VERDICT_SUSPICIOUS;
  if (any_error)
    return PETRI_VERDICT_ERROR;
  return any_clean ? PETRI_VERDICT_CLEAN : PETRI_VERDICT_PENDING;
}
