/* petri-engine-util.c: small helpers the engines share
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-engine-private.h"

#include <clamav.h>
#include <glib/gi18n.h>

/* ---------------------------------------------------------------------- */
/* libclamav messages                                                       */

static void
capture_free (gpointer data)
{
  g_ptr_array_unref (data);
}

static GPrivate capture_key = G_PRIVATE_INIT (capture_free);

static void
clamav_message_cb (enum cl_msg severity, const char *fullmsg, const char *msg, void *context)
{
  GPtrArray *capture = g_private_get (&capture_key);
  g_autofree char *line = g_strstrip (g_strdup (msg != NULL ? msg : ""));

  if (capture != NULL && severity >= CL_MSG_WARN && *line != '\0')
    {
      g_ptr_array_add (capture, g_steal_pointer (&line));
      return;
    }
  /* libclamav talks a lot while scanning (broken files, parser limits):
   * that is debugging output, never a message for the analyst. */
  g_debug ("libclamav: %s", line);
}

void
petri_clamav_install_message_handler (void)
{
  cl_set_clcb_msg (clamav_message_cb);
}

void
petri_clamav_capture_begin (void)
{
  g_private_replace (&capture_key, g_ptr_array_new_with_free_func (g_free));
}

char *
petri_clamav_capture_end (void)
{
  GPtrArray *capture = g_private_get (&capture_key);
  GString *out;

  if (capture == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (guint i = 0; i < capture->len; i++)
    {
      const char *line = g_ptr_array_index (capture, i);

      /* "Can't load X: Malformed database" repeats what the return code
       * says; the line numbers come from the other messages. */
      if (g_str_has_prefix (line, "Can't load "))
        continue;
      if (out->len > 0)
        g_string_append (out, "; ");
      g_string_append (out, line);
    }
  g_private_replace (&capture_key, NULL);
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------------- */
/* Folders                                                                  */

gint
petri_compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
petri_list_dir_files (const char *dir, GError **error)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &local_error);
  const char *name;

  if (d == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&files);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;

      if (name[0] == '.')
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_steal_pointer (&path));
    }
  g_ptr_array_sort (files, petri_compare_strings);
  return g_steal_pointer (&files);
}

static gboolean
list_tree (const char *root, const char *rel, GPtrArray *out, guint depth, GError **error)
{
  g_autofree char *dir = rel != NULL ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr (GDir) d = NULL;
  const char *name;

  /* Symbolic links to folders could loop; a real rule tree is never this
   * deep. */
  if (depth > 32)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_LOOP, _ ("%s: folders nested too deeply"),
                   dir);
      return FALSE;
    }
  d = g_dir_open (dir, 0, error);
  if (d == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child_rel = NULL;
      g_autofree char *child = NULL;

      if (name[0] == '.')
        continue;
      child_rel = rel != NULL ? g_build_filename (rel, name, NULL) : g_strdup (name);
      child = g_build_filename (root, child_rel, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          if (!list_tree (root, child_rel, out, depth + 1, error))
            return FALSE;
        }
      else if (g_file_test (child, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (out, g_steal_pointer (&child_rel));
    }
  return TRUE;
}

GPtrArray *
petri_list_tree_files (const char *dir, GError **error)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&files);
  if (!list_tree (dir, NULL, files, 0, error))
    return NULL;
  g_ptr_array_sort (files, petri_compare_strings);
  return g_steal_pointer (&files);
}

char *
petri_format_date (gint64 unix_seconds)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  if (dt == NULL)
    return g_strdup ("?");
  return g_date_time_format (dt, "%Y-%m-%d");
}
