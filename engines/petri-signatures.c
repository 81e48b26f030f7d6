/* petri-signatures.c: importing, listing and seeding signature sets
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * An import copies everything into a staging folder inside the signatures
 * folder (same file system), checks every staged file, and only then moves
 * the files into place with rename(2): a file that fails leaves the store
 * untouched.
 */
#define _GNU_SOURCE /* renameat2 */
#include "config.h"

#include "petri-engine-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

typedef struct
{
  char *staged; /* path under the staging folder */
  char *dest;   /* path in the store */
  gboolean is_dir;
} Move;

static void
move_free (gpointer data)
{
  Move *m = data;

  g_free (m->staged);
  g_free (m->dest);
  g_free (m);
}

/* Removes a file or a folder tree without following symbolic links. */
static gboolean
remove_tree (const char *path, GError **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GDir) d = g_dir_open (path, 0, error);
      const char *name;

      if (d == NULL)
        return FALSE;
      while ((name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (!remove_tree (child, error))
            return FALSE;
        }
      if (g_rmdir (path) != 0)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", path,
                       g_strerror (errno));
          return FALSE;
        }
      return TRUE;
    }
  if (g_unlink (path) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
copy_file (const char *from, const char *to, GError **error)
{
  g_autoptr (GFile) src = g_file_new_for_path (from);
  g_autoptr (GFile) dst = g_file_new_for_path (to);
  g_autofree char *parent = g_path_get_dirname (to);
  g_autoptr (GError) local_error = NULL;

  if (g_mkdir_with_parents (parent, 0755) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", parent,
                   g_strerror (errno));
      return FALSE;
    }
  /* Keep the modification time (the date `sigs list` shows) but not the
   * permissions of the source, which may be read-only media. */
  if (!g_file_copy (src, dst,
                    G_FILE_COPY_OVERWRITE | G_FILE_COPY_ALL_METADATA
                        | G_FILE_COPY_TARGET_DEFAULT_PERMS,
                    NULL, NULL, NULL, &local_error))
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_FAILED, _ ("Cannot copy “%s”: %s"),
                   from, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Staged paths in messages are replaced by the file the user named. */
static char *
unstage_message (const char *message, const char *staged_root, const char *original_root)
{
  g_auto (GStrv) parts = g_strsplit (message, staged_root, -1);

  return g_strjoinv (original_root, parts);
}

typedef struct
{
  const char *signatures_dir;
  char *staging;
  GPtrArray *moves;         /* Move */
  GHashTable *dests;        /* dest path → the argument that claims it */
  GPtrArray *imported;      /* char * */
  GPtrArray *clamav_staged; /* Move (borrowed): ClamAV files, for .cvd/.cld pairs */
  gboolean yara_changed;
  PetriImportProgressFunc progress; /* nullable */
  gpointer progress_data;
  guint index, total; /* the argument being checked, of how many */
  GCancellable *cancellable;
} Import;

static void
report (Import *imp, const char *file)
{
  if (imp->progress != NULL)
    imp->progress (file, imp->index, imp->total, imp->progress_data);
}

static gboolean
claim_dest (Import *imp, const char *dest, const char *source, GError **error)
{
  const char *other = g_hash_table_lookup (imp->dests, dest);

  if (other != NULL)
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES,
                   _ ("“%s” and “%s” would both be stored as “%s”; import them separately."), other,
                   source, dest);
      return FALSE;
    }
  g_hash_table_insert (imp->dests, g_strdup (dest), g_strdup (source));
  return TRUE;
}

static Move *
add_move (Import *imp, const char *staged, const char *dest, gboolean is_dir)
{
  Move *m = g_new0 (Move, 1);

  m->staged = g_strdup (staged);
  m->dest = g_strdup (dest);
  m->is_dir = is_dir;
  g_ptr_array_add (imp->moves, m);
  return m;
}

static gboolean
stage_clamav (Import *imp, const char *path, GError **error)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *staged = g_build_filename (imp->staging, "clamav", base, NULL);
  g_autofree char *dest = g_build_filename (imp->signatures_dir, "clamav", base, NULL);
  g_autoptr (GError) local_error = NULL;
  guint n = 0;

  if (!claim_dest (imp, dest, path, error) || !copy_file (path, staged, error))
    return FALSE;
  report (imp, path);
  if (!petri_clamav_check_database (staged, &n, &local_error))
    {
      g_autofree char *msg = unstage_message (local_error->message, staged, path);
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES, _ ("Refused “%s”: %s"),
                   path, msg);
      return FALSE;
    }
  g_ptr_array_add (imp->clamav_staged, add_move (imp, staged, dest, FALSE));
  g_ptr_array_add (imp->imported, g_strdup_printf (ngettext ("clamav: %s (%u signature)",
                                                             "clamav: %s (%u signatures)", n),
                                                   base, n));
  return TRUE;
}

static gboolean
check_yara (const char *staged, const char *namespace_, const char *staged_root,
            const char *original_root, const char *shown, guint *n_rules, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  guint n = 0;

  if (!petri_yara_check_file (staged, namespace_, &n, &local_error))
    {
      g_autofree char *msg = unstage_message (local_error->message, staged_root, original_root);
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES, _ ("Refused “%s”: %s"),
                   shown, msg);
      return FALSE;
    }
  *n_rules += n;
  return TRUE;
}

/* One rule file and, recursively, the files it includes, kept at the same
 * places relative to it (they may not be outside its folder). */
static gboolean
stage_yara_file (Import *imp, const char *path, GError **error)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *src_dir = g_path_get_dirname (path);
  g_autofree char *stage_dir = g_build_filename (imp->staging, "yara", NULL);
  g_autofree char *store_dir = g_build_filename (imp->signatures_dir, "yara", NULL);
  g_autofree char *staged_root = NULL;
  g_autofree char *ns = petri_yara_namespace_for (base);
  g_autoptr (GHashTable) done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GQueue) todo = g_queue_new ();
  guint n_rules = 0, n_files = 0;

  g_queue_push_tail (todo, g_strdup (base));
  while (!g_queue_is_empty (todo))
    {
      g_autofree char *rel = g_queue_pop_head (todo);
      g_autofree char *from = g_build_filename (src_dir, rel, NULL);
      g_autofree char *staged = g_build_filename (stage_dir, rel, NULL);
      g_autofree char *dest = g_build_filename (store_dir, rel, NULL);
      g_autofree char *from_dir = g_path_get_dirname (from);
      g_autoptr (GPtrArray) includes = NULL;

      if (!g_hash_table_add (done, g_strdup (rel)))
        continue;
      if (!g_file_test (from, G_FILE_TEST_IS_REGULAR))
        {
          /* The compile below reports a missing include with its line. */
          continue;
        }
      /* Two rule files of one folder may include the same file. */
      if (g_strcmp0 (g_hash_table_lookup (imp->dests, dest), from) == 0)
        continue;
      if (!claim_dest (imp, dest, from, error) || !copy_file (from, staged, error))
        return FALSE;
      add_move (imp, staged, dest, FALSE);
      n_files++;
      includes = petri_yara_read_includes (from, error);
      if (includes == NULL)
        return FALSE;
      for (guint i = 0; i < includes->len; i++)
        {
          const char *inc = g_ptr_array_index (includes, i);
          g_autofree char *target = g_canonicalize_filename (inc, from_dir);
          g_autofree char *root = g_canonicalize_filename (src_dir, NULL);

          if (!g_str_has_prefix (target, root) || target[strlen (root)] != G_DIR_SEPARATOR)
            {
              g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES,
                           _ ("Refused “%s”: it includes “%s”, which is outside its folder; "
                              "import the folder instead."),
                           from, inc);
              return FALSE;
            }
          g_queue_push_tail (todo, g_strdup (target + strlen (root) + 1));
        }
    }

  staged_root = g_build_filename (stage_dir, base, NULL);
  {
    g_autofree char *original = g_build_filename (src_dir, base, NULL);
    g_autofree char *stage_prefix = g_strconcat (stage_dir, G_DIR_SEPARATOR_S, NULL);
    g_autofree char *src_prefix = g_strconcat (src_dir, G_DIR_SEPARATOR_S, NULL);

    report (imp, original);
    if (!check_yara (staged_root, ns, stage_prefix, src_prefix, original, &n_rules, error))
      return FALSE;
  }
  g_ptr_array_add (imp->imported,
                   g_strdup_printf (ngettext ("yara: %s (%u rule)", "yara: %s (%u rules)", n_rules),
                                    base, n_rules));
  if (n_files > 1)
    g_debug ("%s: %u included files staged", base, n_files - 1);
  return TRUE;
}

static gboolean
stage_yara_folder (Import *imp, const char *path, GError **error)
{
  g_autofree char *canonical = g_canonicalize_filename (path, NULL);
  g_autofree char *base = g_path_get_basename (canonical);
  g_autofree char *staged = g_build_filename (imp->staging, "yara", base, NULL);
  g_autofree char *dest = g_build_filename (imp->signatures_dir, "yara", base, NULL);
  g_autofree char *staged_prefix = g_strconcat (staged, G_DIR_SEPARATOR_S, NULL);
  g_autofree char *src_prefix = g_strconcat (canonical, G_DIR_SEPARATOR_S, NULL);
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  guint n_rules = 0;

  if (base[0] == '.' || strcmp (base, G_DIR_SEPARATOR_S) == 0)
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES,
                   _ ("Refused “%s”: a rule folder needs a plain name."), path);
      return FALSE;
    }
  if (!claim_dest (imp, dest, path, error))
    return FALSE;
  files = petri_list_tree_files (canonical, error);
  if (files == NULL)
    return FALSE;
  /* The whole folder: rule files and what sits beside them (licences,
   * files the rules include under other extensions), but not the ClamAV
   * databases a drive may hold too: those go to clamav/. */
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *from = g_build_filename (canonical, g_ptr_array_index (files, i), NULL);
      g_autofree char *to = g_build_filename (staged, g_ptr_array_index (files, i), NULL);
      g_autofree char *name = g_path_get_basename (from);

      if (petri_clamav_is_database_name (name))
        continue;
      if (!copy_file (from, to, error))
        return FALSE;
    }
  entries = petri_yara_find_entry_points (staged, error);
  if (entries == NULL)
    return FALSE;
  if (entries->len == 0)
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES,
                   _ ("Refused “%s”: the folder holds no YARA rule file (*.yar, *.yara)."), path);
      return FALSE;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      const char *rel = g_ptr_array_index (entries, i);
      g_autofree char *file = g_build_filename (staged, rel, NULL);
      g_autofree char *shown = g_build_filename (canonical, rel, NULL);
      g_autofree char *store_rel = g_build_filename (base, rel, NULL);
      g_autofree char *ns = petri_yara_namespace_for (store_rel);

      if (g_cancellable_set_error_if_cancelled (imp->cancellable, error))
        return FALSE;
      report (imp, shown);
      if (!check_yara (file, ns, staged_prefix, src_prefix, shown, &n_rules, error))
        return FALSE;
    }
  add_move (imp, staged, dest, TRUE);
  g_ptr_array_add (imp->imported, g_strdup_printf (ngettext ("yara: %s/ (%u rule)",
                                                             "yara: %s/ (%u rules)", n_rules),
                                                   base, n_rules));
  return TRUE;
}

/* A folder or a removable drive: its ClamAV databases (anywhere below it)
 * go to clamav/, and when it holds YARA rules it is one rule folder. */
static gboolean
stage_folder (Import *imp, const char *path, GError **error)
{
  g_autoptr (GPtrArray) files = petri_list_tree_files (path, error);
  gboolean has_yara = FALSE;
  guint n_clamav = 0;

  if (files == NULL)
    return FALSE;
  for (guint i = 0; i < files->len; i++)
    {
      const char *rel = g_ptr_array_index (files, i);
      g_autofree char *name = g_path_get_basename (rel);
      g_autofree char *full = NULL;

      if (petri_yara_is_rule_file_name (name))
        {
          has_yara = TRUE;
          continue;
        }
      if (!petri_clamav_is_database_name (name))
        continue;
      full = g_build_filename (path, rel, NULL);
      if (!stage_clamav (imp, full, error))
        return FALSE;
      n_clamav++;
    }
  if (has_yara)
    {
      imp->yara_changed = TRUE;
      return stage_yara_folder (imp, path, error);
    }
  if (n_clamav == 0)
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES,
                   _ ("Refused “%s”: the folder holds no ClamAV database (.cvd .cld .hdb .ndb "
                      ".ldb …) and no YARA rule file (.yar .yara)."),
                   path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
stage_path (Import *imp, const char *path, GError **error)
{
  g_autofree char *base = g_path_get_basename (path);
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES, _ ("Refused “%s”: %s"),
                   path, g_strerror (saved));
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    return stage_folder (imp, path, error);
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES,
                   _ ("Refused “%s”: not a regular file or folder."), path);
      return FALSE;
    }
  if (petri_yara_is_rule_file_name (base))
    {
      imp->yara_changed = TRUE;
      return stage_yara_file (imp, path, error);
    }
  if (petri_clamav_is_database_name (base))
    return stage_clamav (imp, path, error);
  g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES,
               _ ("Refused “%s”: not a ClamAV database (.cvd .cld .hdb .ndb .ldb …) or a YARA "
                  "rule file (.yar .yara)."),
               path);
  return FALSE;
}

/* Moves one staged entry into place. A folder that exists already is
 * swapped with the staged one atomically and the old one removed. */
static gboolean
commit_move (Move *m, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (m->dest);

  if (g_mkdir_with_parents (parent, 0755) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", parent,
                   g_strerror (errno));
      return FALSE;
    }
  if (m->is_dir && g_file_test (m->dest, G_FILE_TEST_EXISTS))
    {
      if (renameat2 (AT_FDCWD, m->staged, AT_FDCWD, m->dest, RENAME_EXCHANGE) != 0)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       _ ("Cannot replace “%s”: %s"), m->dest, g_strerror (errno));
          return FALSE;
        }
      /* The staged path now holds the old folder: the staging clean-up
       * removes it. */
      return TRUE;
    }
  if (g_rename (m->staged, m->dest) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _ ("Cannot move “%s” into place: %s"), m->dest, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* daily.cld replaces daily.cvd and the other way round, as freshclam does. */
static void
drop_container_twins (Import *imp)
{
  static const char *const kinds[] = { ".cvd", ".cld", ".cud" };

  for (guint i = 0; i < imp->clamav_staged->len; i++)
    {
      Move *m = g_ptr_array_index (imp->clamav_staged, i);

      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        {
          if (!g_str_has_suffix (m->dest, kinds[k]))
            continue;
          for (guint o = 0; o < G_N_ELEMENTS (kinds); o++)
            {
              g_autofree char *stem = NULL;
              g_autofree char *twin = NULL;

              if (o == k)
                continue;
              stem = g_strndup (m->dest, strlen (m->dest) - strlen (kinds[k]));
              twin = g_strconcat (stem, kinds[o], NULL);
              if (g_unlink (twin) == 0)
                g_debug ("removed %s, replaced by %s", twin, m->dest);
            }
        }
    }
}

static int
lock_store (const char *signatures_dir, GError **error)
{
  g_autofree char *path = g_build_filename (signatures_dir, ".lock", NULL);
  int fd;

  if (g_mkdir_with_parents (signatures_dir, 0755) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", signatures_dir,
                   g_strerror (errno));
      return -1;
    }
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || flock (fd, LOCK_EX) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

/* Rewritten after every import that changed the store, for running
 * processes to notice (see petri_signatures_stamp_path()). */
static void
touch_stamp (const char *signatures_dir)
{
  g_autofree char *path = petri_signatures_stamp_path (signatures_dir);
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", g_get_real_time ());
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, text, -1, &error))
    g_debug ("cannot write %s: %s", path, error->message);
}

char *
petri_signatures_stamp_path (const char *signatures_dir)
{
  g_return_val_if_fail (signatures_dir != NULL, NULL);
  return g_build_filename (signatures_dir, ".stamp", NULL);
}

/* An import that was killed leaves its staging folder behind; with the lock
 * held, no other import is using one. */
static void
remove_stale_staging (const char *signatures_dir)
{
  g_autoptr (GDir) d = g_dir_open (signatures_dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr (GError) error = NULL;

      if (!g_str_has_prefix (name, ".import-"))
        continue;
      path = g_build_filename (signatures_dir, name, NULL);
      if (!remove_tree (path, &error))
        g_debug ("cannot remove %s: %s", path, error->message);
    }
}

gboolean
petri_signatures_import (const char *signatures_dir, const char *const *paths, GPtrArray **imported,
                         GCancellable *cancellable, GError **error)
{
  return petri_signatures_import_full (signatures_dir, paths, NULL, NULL, imported, cancellable,
                                       error);
}

gboolean
petri_signatures_import_full (const char *signatures_dir, const char *const *paths,
                              PetriImportProgressFunc progress, gpointer progress_data,
                              GPtrArray **imported, GCancellable *cancellable, GError **error)
{
  g_autofree char *template = NULL;
  g_autoptr (GPtrArray) moves = g_ptr_array_new_with_free_func (move_free);
  g_autoptr (GHashTable) dests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) done = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) clamav_staged = g_ptr_array_new ();
  g_autoptr (GError) cleanup_error = NULL;
  Import imp = { signatures_dir, NULL,     moves,         dests, done, clamav_staged,
                 FALSE,          progress, progress_data, 0,     0,    cancellable };
  gboolean ok = TRUE;
  int lock_fd;

  g_return_val_if_fail (signatures_dir != NULL, FALSE);
  g_return_val_if_fail (paths != NULL, FALSE);

  if (paths[0] == NULL)
    {
      g_set_error_literal (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES,
                           _ ("Nothing to import: name signature files or folders."));
      return FALSE;
    }

  petri_engines_init ();
  lock_fd = lock_store (signatures_dir, error);
  if (lock_fd < 0)
    return FALSE;

  remove_stale_staging (signatures_dir);
  template = g_build_filename (signatures_dir, ".import-XXXXXX", NULL);
  imp.staging = g_mkdtemp (template);
  if (imp.staging == NULL)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _ ("Cannot create a staging folder in “%s”: %s"), signatures_dir,
                   g_strerror (errno));
      close (lock_fd);
      return FALSE;
    }

  imp.total = g_strv_length ((char **) paths);
  for (guint i = 0; ok && paths[i] != NULL; i++)
    {
      imp.index = i;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
      else
        ok = stage_path (&imp, paths[i], error);
    }
  /* The last chance to stop: nothing has been moved yet. */
  if (ok && g_cancellable_set_error_if_cancelled (cancellable, error))
    ok = FALSE;

  /* Everything checked: move it in. */
  imp.index = imp.total;
  if (ok)
    report (&imp, NULL);
  for (guint i = 0; ok && i < moves->len; i++)
    ok = commit_move (g_ptr_array_index (moves, i), error);
  if (ok)
    drop_container_twins (&imp);
  if (ok)
    touch_stamp (signatures_dir);
  if (ok && imp.yara_changed)
    {
      /* Compile the new YARA set now, into the cache, so that the next
       * start does not. A file that does not compile cannot be here. */
      g_autofree char *yara_dir = g_build_filename (signatures_dir, "yara", NULL);
      g_autoptr (GHashTable) counts = petri_yara_count_rules (yara_dir, NULL, NULL);
    }

  if (!remove_tree (imp.staging, &cleanup_error))
    g_debug ("cannot remove %s: %s", imp.staging, cleanup_error->message);
  close (lock_fd);

  if (ok && imported != NULL)
    *imported = g_steal_pointer (&done);
  return ok;
}

/* ---------------------------------------------------------------------- */
/* Listing                                                                  */

static gint64
newest_mtime (const char *path)
{
  GStatBuf st;
  gint64 newest = 0;

  if (g_stat (path, &st) != 0)
    return 0;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GPtrArray) files = petri_list_tree_files (path, NULL);

      for (guint i = 0; files != NULL && i < files->len; i++)
        {
          g_autofree char *child = g_build_filename (path, g_ptr_array_index (files, i), NULL);
          newest = MAX (newest, newest_mtime (child));
        }
      return newest;
    }
  return st.st_mtime;
}

typedef struct
{
  char *name;
  gboolean is_dir;
  guint count;
  gboolean has_entries;
  GPtrArray *errors;
} YaraSet;

static void
yara_set_free (gpointer data)
{
  YaraSet *s = data;

  g_free (s->name);
  g_ptr_array_unref (s->errors);
  g_free (s);
}

static gint
compare_sets (gconstpointer a, gconstpointer b)
{
  const YaraSet *x = *(const YaraSet *const *) a;
  const YaraSet *y = *(const YaraSet *const *) b;

  return strcmp (x->name, y->name);
}

static void
list_yara (const char *dir, JsonArray *out, GError **error)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) counts = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GPtrArray) sets = g_ptr_array_new_with_free_func (yara_set_free);
  g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GDir) d = NULL;
  g_autoptr (GError) local_error = NULL;
  const char *name;

  d = g_dir_open (dir, 0, &local_error);
  if (d == NULL)
    return; /* no yara/ folder: no sets */

  counts = petri_yara_count_rules (dir, warnings, &local_error);
  if (counts == NULL)
    {
      /* Nothing compiles: every set shows as failing. */
      g_ptr_array_add (warnings, g_strdup (local_error->message));
      counts = g_hash_table_new (g_str_hash, g_str_equal);
    }
  entries = petri_yara_find_entry_points (dir, NULL);

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      gboolean is_dir = g_file_test (path, G_FILE_TEST_IS_DIR);
      YaraSet *set;

      if (name[0] == '.' || (!is_dir && !petri_yara_is_rule_file_name (name)))
        continue;
      set = g_new0 (YaraSet, 1);
      set->name = g_strdup (name);
      set->is_dir = is_dir;
      set->errors = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (sets, set);
      g_hash_table_insert (by_name, set->name, set);
    }

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      const char *rel = g_ptr_array_index (entries, i);
      g_autofree char *top = g_strdup (rel);
      g_autofree char *ns = petri_yara_namespace_for (rel);
      char *slash = strchr (top, G_DIR_SEPARATOR);
      YaraSet *set;

      if (slash != NULL)
        *slash = '\0';
      set = g_hash_table_lookup (by_name, top);
      if (set == NULL)
        continue;
      set->has_entries = TRUE;
      set->count += GPOINTER_TO_UINT (g_hash_table_lookup (counts, ns));
    }
  /* Warnings start with the path of the file that failed. */
  for (guint i = 0; i < warnings->len; i++)
    {
      const char *w = g_ptr_array_index (warnings, i);
      gboolean placed = FALSE;

      for (guint j = 0; j < sets->len; j++)
        {
          YaraSet *set = g_ptr_array_index (sets, j);
          g_autofree char *prefix = g_build_filename (dir, set->name, NULL);

          if (g_str_has_prefix (w, prefix)
              && (w[strlen (prefix)] == ':' || w[strlen (prefix)] == G_DIR_SEPARATOR))
            {
              g_ptr_array_add (set->errors, g_strdup (w));
              placed = TRUE;
              break;
            }
        }
      if (!placed && sets->len > 0)
        g_ptr_array_add (((YaraSet *) g_ptr_array_index (sets, 0))->errors, g_strdup (w));
    }

  g_ptr_array_sort (sets, compare_sets);
  for (guint i = 0; i < sets->len; i++)
    {
      YaraSet *set = g_ptr_array_index (sets, i);
      g_autofree char *path = g_build_filename (dir, set->name, NULL);
      g_autofree char *date = petri_format_date (newest_mtime (path));
      JsonObject *o;

      /* A folder holding only files that other rule files include is part
       * of those sets. */
      if (!set->has_entries && set->errors->len == 0)
        continue;
      o = json_object_new ();
      json_object_set_string_member (o, "engine", "yara");
      json_object_set_string_member (o, "name", set->name);
      json_object_set_string_member (o, "kind", set->is_dir ? "folder" : "file");
      json_object_set_int_member (o, "count", set->count);
      json_object_set_string_member (o, "date", date);
      if (set->errors->len > 0)
        {
          JsonArray *errors = json_array_new ();
          for (guint j = 0; j < set->errors->len; j++)
            json_array_add_string_element (errors, g_ptr_array_index (set->errors, j));
          json_object_set_array_member (o, "errors", errors);
        }
      json_array_add_object_element (out, o);
    }
}

JsonNode *
petri_signatures_list (const char *signatures_dir, GError **error)
{
  g_autofree char *clamav_dir = NULL;
  g_autofree char *yara_dir = NULL;
  g_autoptr (GPtrArray) files = NULL;
  JsonArray *out;
  JsonNode *node;

  g_return_val_if_fail (signatures_dir != NULL, NULL);

  petri_engines_init ();
  clamav_dir = g_build_filename (signatures_dir, "clamav", NULL);
  yara_dir = g_build_filename (signatures_dir, "yara", NULL);
  files = petri_list_dir_files (clamav_dir, error);
  if (files == NULL)
    return NULL;

  out = json_array_new ();
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *base = g_path_get_basename (path);
      JsonNode *entry;

      if (!petri_clamav_is_database_name (base))
        continue;
      entry = petri_clamav_describe_database (path, NULL);
      if (entry != NULL)
        json_array_add_element (out, entry);
    }
  list_yara (yara_dir, out, error);

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, out);
  return node;
}

/* ---------------------------------------------------------------------- */
/* Seeding                                                                  */

static gboolean
store_is_empty (const char *signatures_dir)
{
  g_autofree char *clamav_dir = g_build_filename (signatures_dir, "clamav", NULL);
  g_autofree char *yara_dir = g_build_filename (signatures_dir, "yara", NULL);
  g_autoptr (GPtrArray) clamav = petri_list_dir_files (clamav_dir, NULL);
  g_autoptr (GPtrArray) yara = petri_list_tree_files (yara_dir, NULL);

  for (guint i = 0; clamav != NULL && i < clamav->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (clamav, i));
      if (petri_clamav_is_database_name (base))
        return FALSE;
    }
  for (guint i = 0; yara != NULL && i < yara->len; i++)
    if (petri_yara_is_rule_file_name (g_ptr_array_index (yara, i)))
      return FALSE;
  return TRUE;
}

gboolean
petri_signatures_seed_defaults (const char *signatures_dir, const char *defaults_dir,
                                GError **error)
{
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *clamav_dir = NULL;
  g_autofree char *yara_dir = NULL;
  g_autoptr (GPtrArray) clamav = NULL;
  g_autoptr (GPtrArray) yara = NULL;

  g_return_val_if_fail (signatures_dir != NULL, FALSE);
  g_return_val_if_fail (defaults_dir != NULL, FALSE);

  if (!store_is_empty (signatures_dir))
    return TRUE;

  clamav_dir = g_build_filename (defaults_dir, "clamav", NULL);
  yara_dir = g_build_filename (defaults_dir, "yara", NULL);
  clamav = petri_list_dir_files (clamav_dir, error);
  if (clamav == NULL)
    return FALSE;
  yara = petri_list_dir_files (yara_dir, error);
  if (yara == NULL)
    return FALSE;
  for (guint i = 0; i < clamav->len; i++)
    g_ptr_array_add (paths, g_strdup (g_ptr_array_index (clamav, i)));
  for (guint i = 0; i < yara->len; i++)
    if (petri_yara_is_rule_file_name (g_ptr_array_index (yara, i)))
      g_ptr_array_add (paths, g_strdup (g_ptr_array_index (yara, i)));
  if (paths->len == 0)
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES,
                   _ ("No default signatures in “%s”."), defaults_dir);
      return FALSE;
    }
  g_ptr_array_add (paths, NULL);
  /* The same checks as any import. */
  return petri_signatures_import (signatures_dir, (const char *const *) paths->pdata, NULL, NULL,
                                  error);
}
