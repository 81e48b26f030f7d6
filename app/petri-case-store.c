/* petri-case-store.c: the case database (SQLite, one file)
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One writer thread owns the read-write connection and commits queued
 * operations in batches, one transaction per batch; reads run on read-only
 * connections of their own (WAL lets them proceed while the writer works).
 * Nothing here ever runs on the GTK main thread.
 */
#include "config.h"

#include "petri-case-store-private.h"
#include "petri-sql-resources.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define PETRI_APPLICATION_ID 1346720850 /* "PETR" */
#define SQL_RESOURCE_DIR "/org/petri/Workbench/sql/"
#define BATCH_MAX_OPS 512
#define BATCH_MAX_USEC (50 * 1000)
#define BUSY_TIMEOUT_MS 10000
/* quick_check reads the whole file: affordable on every open up to here. */
#define QUICK_CHECK_MAX_BYTES (256 * 1024 * 1024)

typedef struct
{
  PetriStoreWriteFunc func;
  gpointer data;
  GDestroyNotify destroy;
  GTask *task; /* NULL: nobody waits */
  gboolean stop;
} WriteOp;

struct _PetriCaseStore
{
  GObject parent_instance;

  char *path;
  GThread *writer;
  GAsyncQueue *queue; /* WriteOp */
  gboolean closed;

  /* Writer thread only. */
  sqlite3 *db;
  GHashTable *stmts; /* const char *sql → sqlite3_stmt */

  /* Read-only connections not in use. */
  GMutex readers_lock;
  GSList *readers;
};

G_DEFINE_FINAL_TYPE (PetriCaseStore, petri_case_store, G_TYPE_OBJECT)

void
petri_store_set_sqlite_error (sqlite3 *db, int rc, const char *what, GError **error)
{
  const char *msg = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  /* Translators: %1$s is what Petri was doing ("recording a sample"), %2$s
   * SQLite's own (English) message. */
  g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE, _ ("%s: %s"), _ (what), msg);
}

static void
error_free_nullable (GError *error)
{
  if (error != NULL)
    g_error_free (error);
}

static void
write_op_free (WriteOp *op)
{
  if (op->destroy != NULL && op->data != NULL)
    op->destroy (op->data);
  g_clear_object (&op->task);
  g_free (op);
}

/* ---------------------------------------------------------------------- */
/* Opening                                                                  */

static int
compare_strv_items (const void *a, const void *b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
load_migrations (GError **error)
{
  g_auto (GStrv) names = NULL;
  GPtrArray *sql = g_ptr_array_new_with_free_func (g_free);

  GResource *resource = petri_sql_get_resource ();

  names = g_resource_enumerate_children (resource, SQL_RESOURCE_DIR, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                         error);
  if (names == NULL)
    {
      g_ptr_array_unref (sql);
      return NULL;
    }
  qsort (names, g_strv_length (names), sizeof (char *), compare_strv_items);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat (SQL_RESOURCE_DIR, names[i], NULL);
      g_autoptr (GBytes) bytes = NULL;

      if (!g_str_has_suffix (names[i], ".sql"))
        continue;
      bytes = g_resource_lookup_data (resource, path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      if (bytes == NULL)
        {
          g_ptr_array_unref (sql);
          return NULL;
        }
      g_ptr_array_add (sql, g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
    }
  if (sql->len == 0)
    {
      g_set_error_literal (error, PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE,
                           _ ("this build of Petri carries no database schema"));
      g_ptr_array_unref (sql);
      return NULL;
    }
  return sql;
}

static gboolean
pragma_int (sqlite3 *db, const char *pragma, gint64 *value, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA %s", pragma);
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      petri_store_set_sqlite_error (db, rc, pragma, error);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

/* Read-only look before anything is written: refuses foreign, newer and
 * corrupt databases without touching them. */
static gboolean
validate_existing (const char *path, guint n_migrations, GError **error)
{
  sqlite3 *db = NULL;
  gint64 app_id = 0, version = 0, n_tables = 0;
  GStatBuf st;
  int rc;
  g_autofree char *display = g_filename_display_name (path);

  if (g_stat (path, &st) != 0 || st.st_size == 0)
    return TRUE; /* a new database */

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE,
                   _ ("Cannot open the case database “%s”: %s"), display, sqlite3_errstr (rc));
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);

  {
    g_autoptr (GError) local_error = NULL;

    if (!pragma_int (db, "application_id", &app_id, &local_error)
        || !pragma_int (db, "user_version", &version, &local_error))
      {
        g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE,
                     _ ("“%s” is not a Petri case database (%s); it was left untouched"), display,
                     sqlite3_errmsg (db));
        sqlite3_close (db);
        return FALSE;
      }
  }
  {
    sqlite3_stmt *stmt = NULL;
    rc = sqlite3_prepare_v2 (db, "SELECT count(*) FROM sqlite_schema", -1, &stmt, NULL);
    if (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
      n_tables = sqlite3_column_int64 (stmt, 0);
    else
      {
        g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE,
                     _ ("The case database “%s” is corrupt (%s); it was left untouched"), display,
                     sqlite3_errmsg (db));
        sqlite3_finalize (stmt);
        sqlite3_close (db);
        return FALSE;
      }
    sqlite3_finalize (stmt);
  }

  if (app_id != PETRI_APPLICATION_ID && (app_id != 0 || version != 0 || n_tables != 0))
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE,
                   _ ("“%s” is an SQLite database, but not a Petri case database; it was left "
                      "untouched"),
                   display);
      sqlite3_close (db);
      return FALSE;
    }
  if (version > (gint64) n_migrations)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE,
                   _ ("The case database “%s” was written by a newer Petri (schema version "
                      "%lld; this Petri knows up to %u); it was left untouched"),
                   display, (long long) version, n_migrations);
      sqlite3_close (db);
      return FALSE;
    }

  if (st.st_size <= QUICK_CHECK_MAX_BYTES)
    {
      sqlite3_stmt *stmt = NULL;
      const char *verdict = NULL;

      rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check(1)", -1, &stmt, NULL);
      if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        verdict = (const char *) sqlite3_column_text (stmt, 0);
      if (verdict == NULL || strcmp (verdict, "ok") != 0)
        {
          g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE,
                       _ ("The case database “%s” is corrupt (%s); it was left untouched"), display,
                       verdict != NULL ? verdict : sqlite3_errmsg (db));
          sqlite3_finalize (stmt);
          sqlite3_close (db);
          return FALSE;
        }
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return TRUE;
}

/* @what: a translated phrase. */
static gboolean
exec_sql (sqlite3 *db, const char *sql, const char *what, GError **error)
{
  char *errmsg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &errmsg);

  if (rc != SQLITE_OK)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE, _ ("%s: %s"), what,
                   errmsg != NULL ? errmsg : sqlite3_errstr (rc));
      sqlite3_free (errmsg);
      return FALSE;
    }
  return TRUE;
}

static gboolean
migrate (sqlite3 *db, GPtrArray *migrations, GError **error)
{
  gint64 version = 0;

  if (!pragma_int (db, "user_version", &version, error))
    return FALSE;

  for (guint v = (guint) version; v < migrations->len; v++)
    {
      g_autofree char *sql = g_strdup_printf (
          "BEGIN IMMEDIATE;\n%s\nPRAGMA application_id = %d;\nPRAGMA user_version = %u;\nCOMMIT;",
          (const char *) g_ptr_array_index (migrations, v), PETRI_APPLICATION_ID, v + 1);
      g_autofree char *what
          = g_strdup_printf (_ ("migrating the case database to version %u"), v + 1);

      if (!exec_sql (db, sql, what, error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Analyses left unfinished by a process that stopped                       */

#define UNFINISHED_STATES "('queued', 'starting', 'running', 'collecting')"

/* The start time (field 22 of /proc/PID/stat, in clock ticks since boot):
 * with the boot id, it tells a process apart from a later one that got the
 * same pid. */
static gboolean
read_process_start (int pid, guint64 *start)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  /* The name (field 2) may hold spaces and parentheses: skip past its last ')'. */
  p = strrchr (text, ')');
  if (p == NULL)
    return FALSE;
  p++;
  for (int field = 3; field < 22; field++)
    {
      while (*p == ' ')
        p++;
      while (*p != ' ' && *p != '\0')
        p++;
      if (*p == '\0')
        return FALSE;
    }
  *start = g_ascii_strtoull (p, NULL, 10);
  return *start > 0;
}

static char *
read_boot_id (void)
{
  char *text = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &text, NULL, NULL))
    return g_strdup ("-");
  return g_strstrip (text);
}

static gpointer
compute_owner (gpointer data)
{
  g_autofree char *boot = read_boot_id ();
  guint64 start = 0;

  read_process_start ((int) getpid (), &start);
  return g_strdup_printf ("%s %d %" G_GUINT64_FORMAT, boot, (int) getpid (), start);
}

const char *
petri_store_process_owner (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, compute_owner, NULL);
}

/* Whether the process that wrote @owner may still be running, on this
 * boot (@boot). When this cannot be told (no /proc), it is taken to be: an
 * analysis another live process runs must never be marked failed under it. */
static gboolean
owner_alive (const char *owner, const char *boot, int *pid_out)
{
  g_auto (GStrv) parts = g_strsplit (owner, " ", 3);
  guint64 start = 0, now_start = 0;
  int pid;

  *pid_out = 0;
  if (g_strv_length (parts) != 3)
    return FALSE; /* written before owners were recorded */
  pid = (int) g_ascii_strtoll (parts[1], NULL, 10);
  start = g_ascii_strtoull (parts[2], NULL, 10);
  *pid_out = pid;
  if (strcmp (boot, "-") == 0 || strcmp (parts[0], "-") == 0 || start == 0)
    return pid > 0 && (kill (pid, 0) == 0 || errno == EPERM);
  if (strcmp (boot, parts[0]) != 0)
    return FALSE; /* the machine has rebooted since */
  if (pid <= 0 || !read_process_start (pid, &now_start))
    return FALSE;
  return now_start == start;
}

/* Marks failed every analysis whose process has stopped (killed, crashed,
 * or the machine rebooted), so that it is not shown as running forever. */
static gboolean
fail_orphaned_analyses (sqlite3 *db, GError **error)
{
  g_autoptr (PetriSqlStmt) select = NULL;
  g_autoptr (PetriSqlStmt) update = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) owners = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) pids = g_array_new (FALSE, FALSE, sizeof (int));
  /* This process's owner starts with the boot id, read once. */
  g_auto (GStrv) self = g_strsplit (petri_store_process_owner (), " ", 2);
  gboolean ok;
  int rc;

  select = petri_sql_prepare (
      db, "SELECT id, owner FROM analyses WHERE status IN " UNFINISHED_STATES, error);
  if (select == NULL)
    return FALSE;
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (select, 0);
      const char *owner = petri_sql_col_text (select, 1);
      int pid;

      if (owner_alive (owner, self[0], &pid))
        continue;
      g_array_append_val (ids, id);
      g_ptr_array_add (owners, g_strdup (owner));
      g_array_append_val (pids, pid);
    }
  if (!petri_sql_finish_rows (db, select, rc, error))
    return FALSE;
  if (ids->len == 0)
    return TRUE;

  if (!exec_sql (db, "BEGIN IMMEDIATE", _ ("starting a transaction"), error))
    return FALSE;
  update = petri_sql_prepare (
      db,
      "UPDATE analyses SET status = 'failed', reason = ?1, finished = ?2, owner = '' "
      "WHERE id = ?3 AND owner = ?4 AND status IN " UNFINISHED_STATES,
      error);
  ok = update != NULL;
  for (guint i = 0; ok && i < ids->len; i++)
    {
      int pid = g_array_index (pids, int, i);
      g_autofree char *reason
          = pid > 0 ? g_strdup_printf (_ ("interrupted: the Petri process that ran it (pid %d) "
                                          "stopped before it finished"),
                                       pid)
                    : g_strdup (_ ("interrupted: Petri stopped before it finished"));

      petri_sql_bind_text (update, 1, reason);
      sqlite3_bind_int64 (update, 2, petri_now_seconds ());
      sqlite3_bind_int64 (update, 3, g_array_index (ids, gint64, i));
      petri_sql_bind_text (update, 4, g_ptr_array_index (owners, i));
      ok = petri_sql_step (db, update, N_ ("marking an interrupted analysis failed"), error);
    }
  if (!ok)
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return exec_sql (db, "COMMIT", _ ("committing a transaction"), error);
}

static sqlite3 *
open_connection (const char *path, gboolean readonly, GError **error)
{
  sqlite3 *db = NULL;
  int flags = SQLITE_OPEN_NOMUTEX
              | (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2 (path, &db, flags, NULL);

  if (rc != SQLITE_OK)
    {
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE,
                   _ ("Cannot open the case database “%s”: %s"), display,
                   db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  if (!exec_sql (db, "PRAGMA foreign_keys = ON", _ ("enabling foreign keys"), error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

/* ---------------------------------------------------------------------- */
/* The writer                                                               */

sqlite3_stmt *
petri_case_store_stmt (PetriCaseStore *self, sqlite3 *db, const char *sql, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_assert (db == self->db);

  stmt = g_hash_table_lookup (self->stmts, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  rc = sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      petri_store_set_sqlite_error (db, rc, N_ ("preparing a statement"), error);
      return NULL;
    }
  g_hash_table_insert (self->stmts, (gpointer) sql, stmt);
  return stmt;
}

static void
complete_op (WriteOp *op, const GError *error)
{
  if (op->task == NULL)
    return;
  if (error != NULL)
    g_task_return_error (op->task, g_error_copy (error));
  else
    g_task_return_boolean (op->task, TRUE);
}

static gpointer
writer_thread (gpointer data)
{
  PetriCaseStore *self = data;
  gboolean stop = FALSE;

  while (!stop)
    {
      g_autoptr (GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) write_op_free);
      g_autoptr (GError) commit_error = NULL;
      WriteOp *op = g_async_queue_pop (self->queue);
      gint64 deadline = g_get_monotonic_time () + BATCH_MAX_USEC;
      GPtrArray *errors = g_ptr_array_new_with_free_func ((GDestroyNotify) error_free_nullable);

      if (!exec_sql (self->db, "BEGIN IMMEDIATE", _ ("starting a transaction"), &commit_error))
        g_debug ("%s", commit_error->message);

      for (;;)
        {
          GError *op_error = NULL;

          if (op->stop)
            {
              stop = TRUE;
              g_ptr_array_add (batch, op);
              g_ptr_array_add (errors, NULL);
              break;
            }
          if (commit_error == NULL)
            {
              sqlite3_exec (self->db, "SAVEPOINT op", NULL, NULL, NULL);
              if (op->func (self, self->db, op->data, &op_error))
                sqlite3_exec (self->db, "RELEASE op", NULL, NULL, NULL);
              else
                {
                  sqlite3_exec (self->db, "ROLLBACK TO op", NULL, NULL, NULL);
                  sqlite3_exec (self->db, "RELEASE op", NULL, NULL, NULL);
                  if (op_error == NULL)
                    op_error = g_error_new_literal (PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE,
                                                    _ ("database write failed"));
                  g_debug ("write failed: %s", op_error->message);
                }
            }
          g_ptr_array_add (batch, op);
          g_ptr_array_add (errors, op_error);

          if (batch->len >= BATCH_MAX_OPS || g_get_monotonic_time () >= deadline)
            break;
          op = g_async_queue_try_pop (self->queue);
          if (op == NULL)
            break;
        }

      if (commit_error == NULL
          && !exec_sql (self->db, "COMMIT", _ ("committing a transaction"), &commit_error))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);

      for (guint i = 0; i < batch->len; i++)
        {
          WriteOp *done = g_ptr_array_index (batch, i);
          const GError *e = commit_error != NULL ? commit_error : g_ptr_array_index (errors, i);
          complete_op (done, e);
        }
      g_ptr_array_unref (errors);
    }
  return NULL;
}

void
petri_case_store_write (PetriCaseStore *self, PetriStoreWriteFunc func, gpointer data,
                        GDestroyNotify destroy, GAsyncReadyCallback callback, gpointer user_data)
{
  WriteOp *op;

  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  g_return_if_fail (func != NULL);

  op = g_new0 (WriteOp, 1);
  op->func = func;
  op->data = data;
  op->destroy = destroy;
  if (callback != NULL)
    {
      op->task = g_task_new (self, NULL, callback, user_data);
      g_task_set_source_tag (op->task, petri_case_store_write);
    }
  if (self->closed)
    {
      GError *error = g_error_new_literal (PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE,
                                           _ ("the case database is closed"));
      complete_op (op, error);
      g_error_free (error);
      write_op_free (op);
      return;
    }
  g_async_queue_push (self->queue, op);
}

gboolean
petri_case_store_write_finish (PetriCaseStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------------- */
/* Object                                                                   */

static void
close_db (gpointer db)
{
  sqlite3_close (db);
}

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
close_readers (PetriCaseStore *self)
{
  g_mutex_lock (&self->readers_lock);
  g_slist_free_full (g_steal_pointer (&self->readers), close_db);
  g_mutex_unlock (&self->readers_lock);
}

void
petri_case_store_close (PetriCaseStore *self)
{
  WriteOp *op;

  g_return_if_fail (PETRI_IS_CASE_STORE (self));

  if (self->closed)
    return;
  self->closed = TRUE;
  op = g_new0 (WriteOp, 1);
  op->stop = TRUE;
  g_async_queue_push (self->queue, op);
  g_thread_join (g_steal_pointer (&self->writer));

  g_hash_table_remove_all (self->stmts);
  /* Checkpoint so that the database is one file again. */
  sqlite3_exec (self->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  close_readers (self);
  sqlite3_close (self->db);
  self->db = NULL;
}

static void
petri_case_store_finalize (GObject *object)
{
  PetriCaseStore *self = PETRI_CASE_STORE (object);

  if (self->db != NULL)
    petri_case_store_close (self);
  g_hash_table_unref (self->stmts);
  g_async_queue_unref (self->queue);
  g_mutex_clear (&self->readers_lock);
  g_free (self->path);

  G_OBJECT_CLASS (petri_case_store_parent_class)->finalize (object);
}

static void
petri_case_store_class_init (PetriCaseStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = petri_case_store_finalize;
}

static void
petri_case_store_init (PetriCaseStore *self)
{
  self->queue = g_async_queue_new ();
  self->stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, finalize_stmt);
  g_mutex_init (&self->readers_lock);
}

PetriCaseStore *
petri_case_store_open (const char *path, GError **error)
{
  g_autoptr (PetriCaseStore) self = NULL;
  g_autoptr (GPtrArray) migrations = NULL;
  g_autofree char *mode = NULL;
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  migrations = load_migrations (error);
  if (migrations == NULL)
    return NULL;
  if (!validate_existing (path, migrations->len, error))
    return NULL;

  self = g_object_new (PETRI_TYPE_CASE_STORE, NULL);
  self->path = g_strdup (path);
  self->db = open_connection (path, FALSE, error);
  if (self->db == NULL)
    return NULL;

  /* WAL: readers never wait for the writer. */
  if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    mode = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (g_strcmp0 (mode, "wal") != 0)
    {
      g_set_error (error, PETRI_APP_ERROR, PETRI_APP_ERROR_DATABASE,
                   _ ("Cannot switch the case database “%s” to WAL mode: %s"), path,
                   sqlite3_errmsg (self->db));
      return NULL;
    }
  if (!exec_sql (self->db, "PRAGMA synchronous = NORMAL", _ ("setting synchronous"), error)
      || !migrate (self->db, migrations, error))
    return NULL;
  {
    g_autoptr (GError) sweep_error = NULL;

    /* Best effort: a database busy with another Petri still opens. */
    if (!fail_orphaned_analyses (self->db, &sweep_error))
      g_warning ("Cannot mark interrupted analyses in “%s”: %s", path, sweep_error->message);
  }

  self->writer = g_thread_new ("petri-db-writer", writer_thread, self);
  return g_steal_pointer (&self);
}

const char *
petri_case_store_get_path (PetriCaseStore *self)
{
  g_return_val_if_fail (PETRI_IS_CASE_STORE (self), NULL);
  return self->path;
}

/* ---------------------------------------------------------------------- */
/* Reading                                                                  */

JsonNode *
petri_case_store_read (PetriCaseStore *self, PetriStoreReadFunc func, const char *arg,
                       gpointer data, GCancellable *cancellable, GError **error)
{
  sqlite3 *db = NULL;
  JsonNode *result;

  g_return_val_if_fail (PETRI_IS_CASE_STORE (self), NULL);
  g_return_val_if_fail (g_thread_self () != self->writer, NULL);

  g_mutex_lock (&self->readers_lock);
  if (self->readers != NULL)
    {
      db = self->readers->data;
      self->readers = g_slist_delete_link (self->readers, self->readers);
    }
  g_mutex_unlock (&self->readers_lock);

  if (db == NULL)
    {
      db = open_connection (self->path, TRUE, error);
      if (db == NULL)
        return NULL;
    }

  /* One read transaction, so that a query sees one consistent state. */
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  result = func (db, arg, data, cancellable, error);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);

  g_mutex_lock (&self->readers_lock);
  self->readers = g_slist_prepend (self->readers, db);
  g_mutex_unlock (&self->readers_lock);

  return result;
}

static PetriStoreReadFunc
query_func (PetriQueryKind kind)
{
  switch (kind)
    {
    case PETRI_QUERY_CASES:
      return petri_query_cases;
    case PETRI_QUERY_CASE:
      return petri_query_case;
    case PETRI_QUERY_SAMPLE:
      return petri_query_sample;
    case PETRI_QUERY_SEARCH:
      return petri_query_search;
    default:
      return NULL;
    }
}

JsonNode *
petri_case_store_query_sync (PetriCaseStore *self, PetriQueryKind kind, const char *arg,
                             GCancellable *cancellable, GError **error)
{
  PetriStoreReadFunc func = query_func (kind);

  g_return_val_if_fail (func != NULL, NULL);
  return petri_case_store_read (self, func, arg, NULL, cancellable, error);
}

typedef struct
{
  PetriQueryKind kind;
  char *arg;
} QueryData;

static void
query_data_free (QueryData *q)
{
  g_free (q->arg);
  g_free (q);
}

static void
query_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  QueryData *q = task_data;
  GError *error = NULL;
  JsonNode *node = petri_case_store_query_sync (source, q->kind, q->arg, cancellable, &error);

  if (node == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

void
petri_case_store_query_async (PetriCaseStore *self, PetriQueryKind kind, const char *arg,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  QueryData *q;

  g_return_if_fail (PETRI_IS_CASE_STORE (self));
  g_return_if_fail (query_func (kind) != NULL);

  q = g_new0 (QueryData, 1);
  q->kind = kind;
  q->arg = g_strdup (arg);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, petri_case_store_query_async);
  g_task_set_task_data (task, q, (GDestroyNotify) query_data_free);
  g_task_run_in_thread (task, query_thread);
}

JsonNode *
petri_case_store_query_finish (PetriCaseStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
