/* petri-case-store-writes.c: what the writer thread does
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-case-store-private.h"
#include "petri-behavior.h"

#include <glib/gi18n.h>

/* ---------------------------------------------------------------------- */
/* Lookups                                                                  */

static gint64
lookup_id (PetriCaseStore *self, sqlite3 *db, const char *sql, const char *key, GError **error)
{
  sqlite3_stmt *stmt = petri_case_store_stmt (self, db, sql, error);
  gint64 id = 0;
  int rc;

  if (stmt == NULL)
    return -1;
  petri_sql_bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    {
      petri_store_set_sqlite_error (db, rc, N_ ("looking up a row"), error);
      id = -1;
    }
  sqlite3_reset (stmt);
  return id;
}

gint64
petri_store_lookup_case (PetriCaseStore *self, sqlite3 *db, const char *name, GError **error)
{
  return lookup_id (self, db, "SELECT id FROM cases WHERE name = ?", name, error);
}

gint64
petri_store_lookup_sample (PetriCaseStore *self, sqlite3 *db, const char *sha256, GError **error)
{
  return lookup_id (self, db, "SELECT id FROM samples WHERE sha256 = ?", sha256, error);
}

gint64
petri_store_ensure_case (PetriCaseStore *self, sqlite3 *db, const char *name, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 id = petri_store_lookup_case (self, db, name, error);

  if (id != 0)
    return id;
  stmt = petri_case_store_stmt (self, db, "INSERT INTO cases (name, created) VALUES (?, ?)", error);
  if (stmt == NULL)
    return -1;
  petri_sql_bind_text (stmt, 1, name);
  sqlite3_bind_int64 (stmt, 2, petri_now_seconds ());
  if (!petri_sql_step (db, stmt, N_ ("creating a case"), error))
    return -1;
  return sqlite3_last_insert_rowid (db);
}

gboolean
petri_store_update_verdict (PetriCaseStore *self, sqlite3 *db, gint64 sample_id, GError **error)
{
  sqlite3_stmt *stmt = PETRI_STMT (self, db,
                                   "SELECT result, heuristic FROM engine_results WHERE id IN "
                                   "(SELECT max(id) FROM engine_results WHERE sample_id = ?1 "
                                   "GROUP BY engine)",
                                   error);
  gboolean malicious = FALSE, suspicious = FALSE, failed = FALSE;
  guint detections = 0, engines = 0;
  PetriVerdict verdict;
  int rc;

  sqlite3_bind_int64 (stmt, 1, sample_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *result = (const char *) sqlite3_column_text (stmt, 0);
      gboolean heuristic = sqlite3_column_int (stmt, 1) != 0;

      engines++;
      if (g_strcmp0 (result, "detected") == 0)
        {
          detections++;
          if (heuristic)
            suspicious = TRUE;
          else
            malicious = TRUE;
        }
      else if (g_strcmp0 (result, "error") == 0)
        failed = TRUE;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      petri_store_set_sqlite_error (db, rc, N_ ("reading results"), error);
      return FALSE;
    }

  if (malicious)
    verdict = PETRI_VERDICT_MALICIOUS;
  else if (suspicious)
    verdict = PETRI_VERDICT_SUSPICIOUS;
  else if (failed)
    verdict = PETRI_VERDICT_ERROR;
  else if (engines > 0)
    verdict = PETRI_VERDICT_CLEAN;
  else
    verdict = PETRI_VERDICT_PENDING;

  stmt = PETRI_STMT (
      self, db, "UPDATE samples SET verdict = ?, detections = ?, engines = ? WHERE id = ?", error);
  petri_sql_bind_text (stmt, 1, petri_verdict_to_string (verdict));
  sqlite3_bind_int (stmt, 2, detections);
  sqlite3_bind_int (stmt, 3, engines);
  sqlite3_bind_int64 (stmt, 4, sample_id);
  return petri_sql_step (db, stmt, N_ ("updating a verdict"), error);
}

/* ---------------------------------------------------------------------- */
/* Samples                                                                  */

typedef struct
{
  char *case_name;
  char *sha256, *sha1, *md5, *ssdeep, *mime, *description;
  guint64 size;
  char *path_raw;
  char *root;
  gint64 when;
} AddSample;

static void
add_sample_free (AddSample *a)
{
  g_free (a->case_name);
  g_free (a->sha256);
  g_free (a->sha1);
  g_free (a->md5);
  g_free (a->ssdeep);
  g_free (a->mime);
  g_free (a->description);
  g_free (a->path_raw);
  g_free (a->root);
  g_free (a);
}

static gboolean
add_sample_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  AddSample *a = data;
  g_autofree char *path = NULL, *base = NULL, *name = NULL;
  sqlite3_stmt *stmt;
  gint64 case_id, sample_id;

  case_id = petri_store_ensure_case (self, db, a->case_name, error);
  if (case_id < 0)
    return FALSE;

  {
    PetriSampleInfo info = { .sha256 = a->sha256,
                             .sha1 = a->sha1,
                             .md5 = a->md5,
                             .ssdeep = a->ssdeep,
                             .mime = a->mime,
                             .description = a->description,
                             .size = a->size };
    sample_id = petri_store_insert_sample (self, db, &info, a->when, NULL, error);
  }
  if (sample_id <= 0)
    return FALSE;

  stmt = PETRI_STMT (self, db,
                     "INSERT INTO case_samples (case_id, sample_id, added) VALUES (?, ?, ?) "
                     "ON CONFLICT DO NOTHING",
                     error);
  sqlite3_bind_int64 (stmt, 1, case_id);
  sqlite3_bind_int64 (stmt, 2, sample_id);
  sqlite3_bind_int64 (stmt, 3, a->when);
  if (!petri_sql_step (db, stmt, N_ ("adding a sample to a case"), error))
    return FALSE;

  if (a->path_raw == NULL)
    return TRUE;

  path = petri_display_name (a->path_raw);
  base = g_path_get_basename (a->path_raw);
  name = petri_display_name (base);
  return petri_store_add_sighting (self, db, case_id, sample_id, name, path, a->path_raw,
                                   strlen (a->path_raw), a->root, a->when, error);
}

void
petri_case_store_add_sample (PetriCaseStore *self, const char *case_name,
                             const PetriSampleInfo *info, const char *path_raw, const char *root,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  AddSample *a;

  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  g_return_if_fail (case_name != NULL && info != NULL && info->sha256 != NULL);

  a = g_new0 (AddSample, 1);
  a->case_name = g_strdup (case_name);
  a->sha256 = g_strdup (info->sha256);
  a->sha1 = g_strdup (info->sha1);
  a->md5 = g_strdup (info->md5);
  a->ssdeep = g_strdup (info->ssdeep);
  a->mime = g_strdup (info->mime);
  a->description = g_strdup (info->description);
  a->size = info->size;
  a->path_raw = g_strdup (path_raw);
  a->root = g_strdup (root);
  a->when = petri_now_seconds ();
  petri_case_store_write (self, add_sample_write, a, (GDestroyNotify) add_sample_free, callback,
                          user_data);
}

/* ---------------------------------------------------------------------- */
/* Engine results                                                           */

typedef struct
{
  char *sha256;
  PetriEngineResult *result;
  gint64 when;
} AddResult;

static void
add_result_free (AddResult *a)
{
  g_free (a->sha256);
  petri_engine_result_unref (a->result);
  g_free (a);
}

static gboolean
add_result_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  AddResult *a = data;
  PetriEngineResult *r = a->result;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) names_node = NULL;
  g_autofree char *names = NULL, *details = NULL;
  sqlite3_stmt *stmt;
  gint64 sample_id = petri_store_lookup_sample (self, db, a->sha256, error);

  if (sample_id < 0)
    return FALSE;
  if (sample_id == 0)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_NOT_FOUND,
                   _ ("no sample %s in the case database"), a->sha256);
      return FALSE;
    }

  json_builder_begin_array (b);
  for (guint i = 0; i < r->names->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (r->names, i));
  json_builder_end_array (b);
  names_node = json_builder_get_root (b);
  names = json_to_string (names_node, FALSE);
  if (r->details != NULL)
    details = json_to_string (r->details, FALSE);

  stmt = PETRI_STMT (self, db,
                     "INSERT INTO engine_results (sample_id, engine, engine_version, signatures, "
                     "result, names, heuristic, details, error, scanned) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     error);
  sqlite3_bind_int64 (stmt, 1, sample_id);
  petri_sql_bind_text (stmt, 2, r->engine);
  petri_sql_bind_text (stmt, 3, r->engine_version);
  petri_sql_bind_text (stmt, 4, r->signatures);
  petri_sql_bind_text (stmt, 5, petri_result_kind_to_string (r->kind));
  petri_sql_bind_text (stmt, 6, names);
  sqlite3_bind_int (stmt, 7, r->heuristic);
  petri_sql_bind_text (stmt, 8, details);
  petri_sql_bind_text (stmt, 9, r->error);
  sqlite3_bind_int64 (stmt, 10, a->when);
  if (!petri_sql_step (db, stmt, N_ ("recording an engine result"), error))
    return FALSE;

  for (guint i = 0; r->kind == PETRI_RESULT_DETECTED && i < r->names->len; i++)
    {
      const char *name = g_ptr_array_index (r->names, i);

      stmt = PETRI_STMT (
          self, db,
          "INSERT INTO detection_names (sample_id, engine, name, heuristic, first_seen) "
          "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
          error);
      sqlite3_bind_int64 (stmt, 1, sample_id);
      petri_sql_bind_text (stmt, 2, r->engine);
      petri_sql_bind_text (stmt, 3, name);
      sqlite3_bind_int (stmt, 4, petri_name_is_heuristic (name));
      sqlite3_bind_int64 (stmt, 5, a->when);
      if (!petri_sql_step (db, stmt, N_ ("recording a detection name"), error))
        return FALSE;
      if (sqlite3_changes (db) > 0
          && !petri_store_index_text (self, db, name, "detection", sample_id, 0, error))
        return FALSE;
    }
  return petri_store_update_verdict (self, db, sample_id, error);
}

void
petri_case_store_add_result (PetriCaseStore *self, const char *sha256, PetriEngineResult *result,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  AddResult *a;

  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  g_return_if_fail (sha256 != NULL && result != NULL);

  a = g_new0 (AddResult, 1);
  a->sha256 = g_strdup (sha256);
  a->result = petri_engine_result_ref (result);
  a->when = petri_now_seconds ();
  petri_case_store_write (self, add_result_write, a, (GDestroyNotify) add_result_free, callback,
                          user_data);
}

static gboolean
barrier_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  return TRUE;
}

void
petri_case_store_barrier (PetriCaseStore *self, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  petri_case_store_write (self, barrier_write, NULL, NULL, callback, user_data);
}

/* ---------------------------------------------------------------------- */
/* Cases, notes, tags, analyst verdicts                                     */

typedef struct
{
  char *a, *b, *c, *d;
  char **strv;
} Strings;

static void
strings_free (Strings *s)
{
  g_free (s->a);
  g_free (s->b);
  g_free (s->c);
  g_free (s->d);
  g_strfreev (s->strv);
  g_free (s);
}

static Strings *
strings_new (const char *a, const char *b, const char *c, const char *d)
{
  Strings *s = g_new0 (Strings, 1);

  s->a = g_strdup (a);
  s->b = g_strdup (b);
  s->c = g_strdup (c);
  s->d = g_strdup (d);
  return s;
}

static gint64
require_case (PetriCaseStore *self, sqlite3 *db, const char *name, GError **error)
{
  gint64 id = petri_store_lookup_case (self, db, name, error);

  if (id == 0)
    g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_NOT_FOUND, _ ("There is no case “%s”"),
                 name);
  return id > 0 ? id : -1;
}

static gboolean
create_case_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  Strings *s = data;
  gint64 id;

  if (!petri_store_check_case_name (s->a, error))
    return FALSE;
  id = petri_store_lookup_case (self, db, s->a, error);
  if (id < 0)
    return FALSE;
  if (id > 0)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_EXISTS, _ ("A case “%s” already exists"),
                   s->a);
      return FALSE;
    }
  return petri_store_ensure_case (self, db, s->a, error) > 0;
}

void
petri_case_store_create_case (PetriCaseStore *self, const char *name, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  petri_case_store_write (self, create_case_write, strings_new (name, NULL, NULL, NULL),
                          (GDestroyNotify) strings_free, callback, user_data);
}

static gboolean
rename_case_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  Strings *s = data;
  sqlite3_stmt *stmt;
  gint64 id, other;

  if (!petri_store_check_case_name (s->b, error))
    return FALSE;
  id = require_case (self, db, s->a, error);
  if (id < 0)
    return FALSE;
  other = petri_store_lookup_case (self, db, s->b, error);
  if (other < 0)
    return FALSE;
  if (other > 0 && other != id)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_EXISTS, _ ("A case “%s” already exists"),
                   s->b);
      return FALSE;
    }
  stmt = PETRI_STMT (self, db, "UPDATE cases SET name = ? WHERE id = ?", error);
  petri_sql_bind_text (stmt, 1, s->b);
  sqlite3_bind_int64 (stmt, 2, id);
  return petri_sql_step (db, stmt, N_ ("renaming a case"), error);
}

void
petri_case_store_rename_case (PetriCaseStore *self, const char *name, const char *new_name,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  petri_case_store_write (self, rename_case_write, strings_new (name, new_name, NULL, NULL),
                          (GDestroyNotify) strings_free, callback, user_data);
}

static gboolean
delete_case_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  Strings *s = data;
  sqlite3_stmt *stmt;
  gint64 id = require_case (self, db, s->a, error);

  if (id < 0)
    return FALSE;
  /* Samples stay in the store and in other cases; what named them in this
   * case goes, with its search entries. */
  stmt = PETRI_STMT (self, db, "DELETE FROM search_index WHERE case_id = ?", error);
  sqlite3_bind_int64 (stmt, 1, id);
  if (!petri_sql_step (db, stmt, N_ ("deleting a case"), error))
    return FALSE;
  stmt = PETRI_STMT (self, db, "DELETE FROM cases WHERE id = ?", error);
  sqlite3_bind_int64 (stmt, 1, id);
  return petri_sql_step (db, stmt, N_ ("deleting a case"), error);
}

void
petri_case_store_delete_case (PetriCaseStore *self, const char *name, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  petri_case_store_write (self, delete_case_write, strings_new (name, NULL, NULL, NULL),
                          (GDestroyNotify) strings_free, callback, user_data);
}

static gboolean
case_notes_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  Strings *s = data;
  sqlite3_stmt *stmt;
  gint64 id = require_case (self, db, s->a, error);

  if (id < 0)
    return FALSE;
  stmt = PETRI_STMT (self, db, "UPDATE cases SET notes = ? WHERE id = ?", error);
  petri_sql_bind_text (stmt, 1, s->b ? s->b : "");
  sqlite3_bind_int64 (stmt, 2, id);
  return petri_sql_step (db, stmt, N_ ("saving case notes"), error);
}

void
petri_case_store_set_case_notes (PetriCaseStore *self, const char *name, const char *notes,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  petri_case_store_write (self, case_notes_write, strings_new (name, notes, NULL, NULL),
                          (GDestroyNotify) strings_free, callback, user_data);
}

/* The (case, sample) pair named by case name and full SHA-256. */
static gboolean
require_case_sample (PetriCaseStore *self, sqlite3 *db, const char *case_name, const char *sha256,
                     gint64 *case_id, gint64 *sample_id, GError **error)
{
  sqlite3_stmt *stmt;
  gboolean found;

  *case_id = require_case (self, db, case_name, error);
  if (*case_id < 0)
    return FALSE;
  *sample_id = petri_store_lookup_sample (self, db, sha256, error);
  if (*sample_id < 0)
    return FALSE;
  stmt = PETRI_STMT (self, db, "SELECT 1 FROM case_samples WHERE case_id = ? AND sample_id = ?",
                     error);
  sqlite3_bind_int64 (stmt, 1, *case_id);
  sqlite3_bind_int64 (stmt, 2, *sample_id);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  if (!found)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_NOT_FOUND,
                   _ ("The case “%s” has no sample %s"), case_name, sha256);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sample_notes_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  Strings *s = data;
  sqlite3_stmt *stmt;
  gint64 case_id, sample_id;

  if (!require_case_sample (self, db, s->a, s->b, &case_id, &sample_id, error))
    return FALSE;
  stmt = PETRI_STMT (
      self, db, "UPDATE case_samples SET notes = ? WHERE case_id = ? AND sample_id = ?", error);
  petri_sql_bind_text (stmt, 1, s->c ? s->c : "");
  sqlite3_bind_int64 (stmt, 2, case_id);
  sqlite3_bind_int64 (stmt, 3, sample_id);
  return petri_sql_step (db, stmt, N_ ("saving notes"), error);
}

void
petri_case_store_set_sample_notes (PetriCaseStore *self, const char *case_name, const char *sha256,
                                   const char *notes, GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  petri_case_store_write (self, sample_notes_write, strings_new (case_name, sha256, notes, NULL),
                          (GDestroyNotify) strings_free, callback, user_data);
}

static gboolean
sample_tags_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  Strings *s = data;
  sqlite3_stmt *stmt;
  gint64 case_id, sample_id;

  if (!require_case_sample (self, db, s->a, s->b, &case_id, &sample_id, error))
    return FALSE;
  stmt = PETRI_STMT (self, db, "DELETE FROM tags WHERE case_id = ? AND sample_id = ?", error);
  sqlite3_bind_int64 (stmt, 1, case_id);
  sqlite3_bind_int64 (stmt, 2, sample_id);
  if (!petri_sql_step (db, stmt, N_ ("saving tags"), error))
    return FALSE;
  for (guint i = 0; s->strv != NULL && s->strv[i] != NULL; i++)
    {
      g_autofree char *tag = g_strstrip (g_strdup (s->strv[i]));

      if (*tag == '\0')
        continue;
      stmt = PETRI_STMT (self, db,
                         "INSERT INTO tags (case_id, sample_id, tag) VALUES (?, ?, ?) "
                         "ON CONFLICT DO NOTHING",
                         error);
      sqlite3_bind_int64 (stmt, 1, case_id);
      sqlite3_bind_int64 (stmt, 2, sample_id);
      petri_sql_bind_text (stmt, 3, tag);
      if (!petri_sql_step (db, stmt, N_ ("saving tags"), error))
        return FALSE;
    }
  return TRUE;
}

void
petri_case_store_set_sample_tags (PetriCaseStore *self, const char *case_name, const char *sha256,
                                  const char *const *tags, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  Strings *s;

  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  s = strings_new (case_name, sha256, NULL, NULL);
  s->strv = g_strdupv ((char **) tags);
  petri_case_store_write (self, sample_tags_write, s, (GDestroyNotify) strings_free, callback,
                          user_data);
}

static gboolean
analyst_verdict_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  static const char *const valid[] = { "malicious", "suspicious", "clean", "unknown", NULL };
  Strings *s = data;
  sqlite3_stmt *stmt;
  gint64 case_id, sample_id;

  if (s->c != NULL && !g_strv_contains (valid, s->c))
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INVALID,
                   _ ("“%s” is not a verdict (malicious, suspicious, clean, unknown)"), s->c);
      return FALSE;
    }
  if (!require_case_sample (self, db, s->a, s->b, &case_id, &sample_id, error))
    return FALSE;
  stmt = PETRI_STMT (self, db,
                     "UPDATE case_samples SET analyst_verdict = ?, analyst_comment = ? "
                     "WHERE case_id = ? AND sample_id = ?",
                     error);
  petri_sql_bind_text (stmt, 1, s->c);
  petri_sql_bind_text (stmt, 2, s->d ? s->d : "");
  sqlite3_bind_int64 (stmt, 3, case_id);
  sqlite3_bind_int64 (stmt, 4, sample_id);
  return petri_sql_step (db, stmt, N_ ("saving a verdict"), error);
}

void
petri_case_store_set_analyst_verdict (PetriCaseStore *self, const char *case_name,
                                      const char *sha256, const char *verdict, const char *comment,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  petri_case_store_write (self, analyst_verdict_write,
                          strings_new (case_name, sha256, verdict, comment),
                          (GDestroyNotify) strings_free, callback, user_data);
}

/* ---------------------------------------------------------------------- */
/* Analyses and behaviour events                                            */

struct _PetriAnalysisRef
{
  gatomicrefcount ref_count;
  gint64 id;       /* written by the writer thread, read atomically elsewhere */
  gint64 next_seq; /* writer thread only */
};

PetriAnalysisRef *
petri_analysis_ref_ref (PetriAnalysisRef *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
petri_analysis_ref_unref (PetriAnalysisRef *self)
{
  g_return_if_fail (self != NULL);
  if (g_atomic_ref_count_dec (&self->ref_count))
    g_free (self);
}

gint64
petri_analysis_ref_get_id (PetriAnalysisRef *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return __atomic_load_n (&self->id, __ATOMIC_ACQUIRE);
}

static gboolean
require_analysis (PetriAnalysisRef *ref, GError **error)
{
  if (ref->id <= 0)
    {
      g_set_error_literal (error, PETRI_APP_ERROR, PETRI_APP_ERROR_NOT_FOUND,
                           _ ("the analysis was never recorded"));
      return FALSE;
    }
  return TRUE;
}

static const char *const analysis_states[]
    = { "not_eligible", "queued", "starting", "running", "collecting", "done", "failed", NULL };

typedef struct
{
  PetriAnalysisRef *ref;
  char *sha256, *case_name, *source, *vm, *platform, *status, *reason;
  guint duration;
  JsonObject *summary;
  GPtrArray *events;
  char *child, *relation, *path;
  gint64 when;
} AnalysisOp;

static void
analysis_op_free (AnalysisOp *a)
{
  g_clear_pointer (&a->ref, petri_analysis_ref_unref);
  g_free (a->sha256);
  g_free (a->case_name);
  g_free (a->source);
  g_free (a->vm);
  g_free (a->platform);
  g_free (a->status);
  g_free (a->reason);
  g_clear_pointer (&a->summary, json_object_unref);
  g_clear_pointer (&a->events, g_ptr_array_unref);
  g_free (a->child);
  g_free (a->relation);
  g_free (a->path);
  g_free (a);
}

static const char *const unfinished_states[]
    = { "queued", "starting", "running", "collecting", NULL };

static gboolean
add_analysis_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  AnalysisOp *a = data;
  sqlite3_stmt *stmt;
  gint64 sample_id, case_id = 0;

  if (!g_strv_contains (analysis_states, a->status))
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INVALID, _ ("bad analysis state “%s”"),
                   a->status);
      return FALSE;
    }
  sample_id = petri_store_lookup_sample (self, db, a->sha256, error);
  if (sample_id <= 0)
    {
      if (sample_id == 0)
        g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_NOT_FOUND,
                     _ ("no sample %s in the case database"), a->sha256);
      return FALSE;
    }
  if (a->case_name != NULL
      && (case_id = petri_store_lookup_case (self, db, a->case_name, error)) < 0)
    return FALSE;

  stmt = PETRI_STMT (
      self, db,
      "INSERT INTO analyses (sample_id, case_id, source, vm, platform, status, reason, "
      "queued, started, finished, duration, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      error);
  sqlite3_bind_int64 (stmt, 1, sample_id);
  if (case_id > 0)
    sqlite3_bind_int64 (stmt, 2, case_id);
  else
    sqlite3_bind_null (stmt, 2);
  petri_sql_bind_text (stmt, 3, a->source ? a->source : "petri");
  petri_sql_bind_text (stmt, 4, a->vm ? a->vm : "");
  petri_sql_bind_text (stmt, 5, a->platform ? a->platform : "");
  petri_sql_bind_text (stmt, 6, a->status);
  petri_sql_bind_text (stmt, 7, a->reason ? a->reason : "");
  sqlite3_bind_int64 (stmt, 8, a->when);
  /* Imported and ineligible analyses are complete when recorded. */
  if (g_strcmp0 (a->status, "done") == 0 || g_strcmp0 (a->status, "failed") == 0)
    {
      sqlite3_bind_int64 (stmt, 9, a->when);
      sqlite3_bind_int64 (stmt, 10, a->when);
    }
  else
    {
      sqlite3_bind_null (stmt, 9);
      sqlite3_bind_null (stmt, 10);
    }
  /* Until it finishes: who runs it, in case this process stops first. */
  petri_sql_bind_text (
      stmt, 12, g_strv_contains (unfinished_states, a->status) ? petri_store_process_owner () : "");
  if (a->duration > 0)
    sqlite3_bind_int (stmt, 11, a->duration);
  else
    sqlite3_bind_null (stmt, 11);
  if (!petri_sql_step (db, stmt, N_ ("recording an analysis"), error))
    return FALSE;
  __atomic_store_n (&a->ref->id, sqlite3_last_insert_rowid (db), __ATOMIC_RELEASE);
  return TRUE;
}

PetriAnalysisRef *
petri_case_store_add_analysis (PetriCaseStore *self, const char *sha256, const char *case_name,
                               const char *source, const char *vm, const char *platform,
                               const char *status, const char *reason, guint duration,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  PetriAnalysisRef *ref;
  AnalysisOp *a;

  g_return_val_if_fail (PETRI_IS_CASE_STORE (self), NULL);
  g_return_val_if_fail (sha256 != NULL && status != NULL, NULL);

  ref = g_new0 (PetriAnalysisRef, 1);
  g_atomic_ref_count_init (&ref->ref_count);
  a = g_new0 (AnalysisOp, 1);
  a->ref = petri_analysis_ref_ref (ref);
  a->sha256 = g_strdup (sha256);
  a->case_name = g_strdup (case_name);
  a->source = g_strdup (source);
  a->vm = g_strdup (vm);
  a->platform = g_strdup (platform);
  a->status = g_strdup (status);
  a->reason = g_strdup (reason);
  a->duration = duration;
  a->when = petri_now_seconds ();
  petri_case_store_write (self, add_analysis_write, a, (GDestroyNotify) analysis_op_free, callback,
                          user_data);
  return ref;
}

static gboolean
update_analysis_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  AnalysisOp *a = data;
  sqlite3_stmt *stmt;
  g_autofree char *summary = NULL;
  gboolean starting = g_strcmp0 (a->status, "starting") == 0;
  gboolean finished = g_strcmp0 (a->status, "done") == 0 || g_strcmp0 (a->status, "failed") == 0;

  if (!require_analysis (a->ref, error))
    return FALSE;
  if (!g_strv_contains (analysis_states, a->status))
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_INVALID, _ ("bad analysis state “%s”"),
                   a->status);
      return FALSE;
    }
  if (a->summary != NULL)
    {
      g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (node, a->summary);
      summary = json_to_string (node, FALSE);
    }
  stmt = PETRI_STMT (self, db,
                     "UPDATE analyses SET status = ?1, reason = coalesce(?2, reason), "
                     "started = CASE WHEN ?3 THEN ?5 ELSE started END, "
                     "finished = CASE WHEN ?4 THEN ?5 ELSE finished END, "
                     "owner = CASE WHEN ?4 THEN '' ELSE owner END, "
                     "summary = coalesce(?6, summary) WHERE id = ?7",
                     error);
  petri_sql_bind_text (stmt, 1, a->status);
  petri_sql_bind_text (stmt, 2, a->reason);
  sqlite3_bind_int (stmt, 3, starting);
  sqlite3_bind_int (stmt, 4, finished);
  sqlite3_bind_int64 (stmt, 5, a->when);
  petri_sql_bind_text (stmt, 6, summary);
  sqlite3_bind_int64 (stmt, 7, a->ref->id);
  return petri_sql_step (db, stmt, N_ ("updating an analysis"), error);
}

void
petri_case_store_update_analysis (PetriCaseStore *self, PetriAnalysisRef *analysis,
                                  const char *status, const char *reason, JsonObject *summary,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  AnalysisOp *a;

  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  g_return_if_fail (analysis != NULL && status != NULL);

  a = g_new0 (AnalysisOp, 1);
  a->ref = petri_analysis_ref_ref (analysis);
  a->status = g_strdup (status);
  a->reason = g_strdup (reason);
  a->summary = summary != NULL ? json_object_ref (summary) : NULL;
  a->when = petri_now_seconds ();
  petri_case_store_write (self, update_analysis_write, a, (GDestroyNotify) analysis_op_free,
                          callback, user_data);
}

static gboolean
analysis_vm_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  AnalysisOp *a = data;
  sqlite3_stmt *stmt;

  if (!require_analysis (a->ref, error))
    return FALSE;
  stmt = PETRI_STMT (self, db, "UPDATE analyses SET vm = ?, platform = ? WHERE id = ?", error);
  petri_sql_bind_text (stmt, 1, a->vm ? a->vm : "");
  petri_sql_bind_text (stmt, 2, a->platform ? a->platform : "");
  sqlite3_bind_int64 (stmt, 3, a->ref->id);
  return petri_sql_step (db, stmt, N_ ("recording an analysis' VM"), error);
}

void
petri_case_store_set_analysis_vm (PetriCaseStore *self, PetriAnalysisRef *analysis, const char *vm,
                                  const char *platform, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  AnalysisOp *a;

  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  g_return_if_fail (analysis != NULL);

  a = g_new0 (AnalysisOp, 1);
  a->ref = petri_analysis_ref_ref (analysis);
  a->vm = g_strdup (vm);
  a->platform = g_strdup (platform);
  petri_case_store_write (self, analysis_vm_write, a, (GDestroyNotify) analysis_op_free, callback,
                          user_data);
}

static gboolean
add_events_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  AnalysisOp *a = data;

  if (!require_analysis (a->ref, error))
    return FALSE;
  if (a->ref->next_seq == 0)
    {
      sqlite3_stmt *stmt = PETRI_STMT (
          self, db, "SELECT coalesce(max(seq), 0) FROM events WHERE analysis_id = ?", error);
      sqlite3_bind_int64 (stmt, 1, a->ref->id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        a->ref->next_seq = sqlite3_column_int64 (stmt, 0) + 1;
      sqlite3_reset (stmt);
    }
  /* A failed batch leaves the counter ahead: gaps in seq are harmless. */
  return petri_store_insert_events (self, db, a->ref->id, &a->ref->next_seq, a->events, error);
}

void
petri_case_store_add_events (PetriCaseStore *self, PetriAnalysisRef *analysis, GPtrArray *events,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  AnalysisOp *a;

  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  g_return_if_fail (analysis != NULL && events != NULL);

  a = g_new0 (AnalysisOp, 1);
  a->ref = petri_analysis_ref_ref (analysis);
  a->events = g_ptr_array_new_full (events->len, (GDestroyNotify) petri_behavior_event_unref);
  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add (a->events, petri_behavior_event_ref (g_ptr_array_index (events, i)));
  petri_case_store_write (self, add_events_write, a, (GDestroyNotify) analysis_op_free, callback,
                          user_data);
}

static gboolean
link_samples_write (PetriCaseStore *self, sqlite3 *db, gpointer data, GError **error)
{
  AnalysisOp *a = data;
  sqlite3_stmt *stmt;
  gint64 parent = petri_store_lookup_sample (self, db, a->sha256, error);
  gint64 child = parent > 0 ? petri_store_lookup_sample (self, db, a->child, error) : -1;

  if (parent <= 0 || child <= 0)
    {
      if (parent == 0 || child == 0)
        g_set_error_literal (error, PETRI_APP_ERROR, PETRI_APP_ERROR_NOT_FOUND,
                             _ ("linking samples that are not in the case database"));
      return FALSE;
    }
  stmt = PETRI_STMT (self, db,
                     "INSERT INTO sample_links (parent_id, child_id, analysis_id, relation, path) "
                     "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                     error);
  sqlite3_bind_int64 (stmt, 1, parent);
  sqlite3_bind_int64 (stmt, 2, child);
  if (a->ref != NULL && a->ref->id > 0)
    sqlite3_bind_int64 (stmt, 3, a->ref->id);
  else
    sqlite3_bind_null (stmt, 3);
  petri_sql_bind_text (stmt, 4, a->relation ? a->relation : "dropped");
  petri_sql_bind_text (stmt, 5, a->path ? a->path : "");
  return petri_sql_step (db, stmt, N_ ("linking samples"), error);
}

void
petri_case_store_link_samples (PetriCaseStore *self, const char *parent_sha256,
                               const char *child_sha256, PetriAnalysisRef *analysis,
                               const char *relation, const char *path, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  AnalysisOp *a;

  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  g_return_if_fail (parent_sha256 != NULL && child_sha256 != NULL);

  a = g_new0 (AnalysisOp, 1);
  a->ref = analysis != NULL ? petri_analysis_ref_ref (analysis) : NULL;
  a->sha256 = g_strdup (parent_sha256);
  a->child = g_strdup (child_sha256);
  a->relation = g_strdup (relation);
  a->path = g_strdup (path);
  petri_case_store_write (self, link_samples_write, a, (GDestroyNotify) analysis_op_free, callback,
                          user_data);
}
