/* petri-sample-list.c: the sample tree's model
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A GtkTreeStore whose rows are found through a key → GtkTreeRowReference
 * table. Each row keeps a copy of what it shows, so that an update sets only
 * the columns whose values changed (one "row-changed" per update, none when
 * nothing changed).
 */
#include "config.h"

#include "petri-sample-list.h"

#include <glib/gi18n.h>

typedef struct
{
  GtkTreeRowReference *ref;
  PetriItem *item;
  char *name, *path, *type, *sha256, *sandbox, *search, *error, *icon, *new_since;
  guint64 size;
  int state;
  int verdict;
  guint n_detections, n_engines;
  gboolean is_folder;
  guint64 seq; /* order of creation */
} RowInfo;

struct _PetriSampleList
{
  GObject parent_instance;

  GtkTreeStore *store;
  GHashTable *rows;    /* key → RowInfo (owned) */
  GHashTable *aliases; /* alias key → key */
  guint64 seq;
};

G_DEFINE_FINAL_TYPE (PetriSampleList, petri_sample_list, G_TYPE_OBJECT)

static void
row_info_free (gpointer data)
{
  RowInfo *info = data;

  g_clear_pointer (&info->ref, gtk_tree_row_reference_free);
  g_clear_object (&info->item);
  g_free (info->name);
  g_free (info->path);
  g_free (info->type);
  g_free (info->sha256);
  g_free (info->sandbox);
  g_free (info->search);
  g_free (info->error);
  g_free (info->icon);
  g_free (info->new_since);
  g_free (info);
}

static void
petri_sample_list_dispose (GObject *object)
{
  PetriSampleList *self = PETRI_SAMPLE_LIST (object);

  /* Row references go before the store they watch. */
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->aliases, g_hash_table_unref);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (petri_sample_list_parent_class)->dispose (object);
}

static void
petri_sample_list_class_init (PetriSampleListClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = petri_sample_list_dispose;
}

static GtkTreeStore *
new_store (void)
{
  return gtk_tree_store_new (PETRI_SAMPLE_N_COLUMNS, G_TYPE_STRING, /* key */
                             PETRI_TYPE_ITEM,                       /* item */
                             G_TYPE_BOOLEAN,                        /* is folder */
                             G_TYPE_STRING,                         /* icon */
                             G_TYPE_STRING,                         /* name */
                             G_TYPE_STRING,                         /* path */
                             G_TYPE_STRING,                         /* type */
                             G_TYPE_UINT64,                         /* size */
                             G_TYPE_STRING,                         /* size text */
                             G_TYPE_STRING,                         /* sha256 */
                             G_TYPE_STRING,                         /* sha256 short */
                             G_TYPE_INT,                            /* state */
                             G_TYPE_STRING,                         /* state text */
                             G_TYPE_INT,                            /* verdict severity */
                             G_TYPE_STRING,                         /* verdict icon */
                             G_TYPE_STRING,                         /* verdict text */
                             G_TYPE_INT,                            /* detections */
                             G_TYPE_STRING,                         /* detections text */
                             G_TYPE_STRING,                         /* sandbox */
                             G_TYPE_STRING,                         /* search */
                             G_TYPE_STRING,                         /* error */
                             G_TYPE_UINT64,                         /* seq */
                             G_TYPE_STRING);                        /* new since */
}

static void
petri_sample_list_init (PetriSampleList *self)
{
  self->store = new_store ();
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, row_info_free);
  self->aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

PetriSampleList *
petri_sample_list_new (void)
{
  return g_object_new (PETRI_TYPE_SAMPLE_LIST, NULL);
}

GtkTreeStore *
petri_sample_list_get_store (PetriSampleList *self)
{
  g_return_val_if_fail (PETRI_IS_SAMPLE_LIST (self), NULL);
  return self->store;
}

guint
petri_sample_list_get_n_rows (PetriSampleList *self)
{
  g_return_val_if_fail (PETRI_IS_SAMPLE_LIST (self), 0);
  return g_hash_table_size (self->rows);
}

static RowInfo *
find_row (PetriSampleList *self, const char *key)
{
  RowInfo *info = g_hash_table_lookup (self->rows, key);

  if (info == NULL)
    {
      const char *target = g_hash_table_lookup (self->aliases, key);
      if (target != NULL)
        info = g_hash_table_lookup (self->rows, target);
    }
  return info;
}

static gboolean
row_iter (RowInfo *info, GtkTreeIter *iter)
{
  g_autoptr (GtkTreePath) path = gtk_tree_row_reference_get_path (info->ref);

  if (path == NULL)
    return FALSE;
  return gtk_tree_model_get_iter (gtk_tree_row_reference_get_model (info->ref), iter, path);
}

gboolean
petri_sample_list_lookup (PetriSampleList *self, const char *key, GtkTreeIter *iter)
{
  RowInfo *info;

  g_return_val_if_fail (PETRI_IS_SAMPLE_LIST (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  info = find_row (self, key);
  return info != NULL && row_iter (info, iter);
}

void
petri_sample_list_alias (PetriSampleList *self, const char *alias, const char *key)
{
  g_return_if_fail (PETRI_IS_SAMPLE_LIST (self));
  g_hash_table_insert (self->aliases, g_strdup (alias), g_strdup (key));
}

gboolean
petri_sample_list_remove (PetriSampleList *self, const char *key)
{
  RowInfo *info;
  GtkTreeIter iter;
  g_autofree char *real_key = NULL;

  g_return_val_if_fail (PETRI_IS_SAMPLE_LIST (self), FALSE);

  info = find_row (self, key);
  if (info == NULL || !row_iter (info, &iter))
    return FALSE;

  gtk_tree_model_get (GTK_TREE_MODEL (self->store), &iter, PETRI_SAMPLE_COL_KEY, &real_key, -1);
  /* Children first: their references would otherwise dangle in the table. */
  if (gtk_tree_model_iter_has_child (GTK_TREE_MODEL (self->store), &iter))
    {
      GtkTreeIter child;
      g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

      if (gtk_tree_model_iter_children (GTK_TREE_MODEL (self->store), &child, &iter))
        do
          {
            char *k = NULL;
            gtk_tree_model_get (GTK_TREE_MODEL (self->store), &child, PETRI_SAMPLE_COL_KEY, &k, -1);
            g_ptr_array_add (keys, k);
          }
        while (gtk_tree_model_iter_next (GTK_TREE_MODEL (self->store), &child));
      for (guint i = 0; i < keys->len; i++)
        petri_sample_list_remove (self, g_ptr_array_index (keys, i));
      if (!row_iter (info, &iter))
        return FALSE;
    }
  gtk_tree_store_remove (self->store, &iter);
  g_hash_table_remove (self->rows, real_key);
  return TRUE;
}

static int
compare_newest_first (gconstpointer a, gconstpointer b)
{
  const RowInfo *x = *(const RowInfo *const *) a, *y = *(const RowInfo *const *) b;

  return (x->seq < y->seq) - (x->seq > y->seq);
}

/* The rows of a store let go of by petri_sample_list_reset(). Freeing a row
 * reference walks the store down to its row (GtkTreeStore finds the n-th
 * child by walking its siblings), so freeing 10,000 of them at once holds
 * the main loop for a quarter of a second: they go a few at a time. */
typedef struct
{
  GtkTreeStore *store;
  GHashTable *rows;
  GPtrArray *infos; /* RowInfo, borrowed from @rows */
  guint next;
} Graveyard;

#define GRAVEYARD_BUDGET_US 4000

static gboolean
graveyard_cb (gpointer data)
{
  Graveyard *g = data;
  gint64 deadline = g_get_monotonic_time () + GRAVEYARD_BUDGET_US;

  while (g->next < g->infos->len && g_get_monotonic_time () < deadline)
    {
      RowInfo *info = g_ptr_array_index (g->infos, g->next++);
      g_clear_pointer (&info->ref, gtk_tree_row_reference_free);
    }
  return g->next < g->infos->len ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
graveyard_free (Graveyard *g)
{
  /* Whatever is left goes now (when the main loop ends first). */
  for (guint i = g->next; i < g->infos->len; i++)
    {
      RowInfo *info = g_ptr_array_index (g->infos, i);
      g_clear_pointer (&info->ref, gtk_tree_row_reference_free);
    }
  g_ptr_array_unref (g->infos);
  g_hash_table_unref (g->rows);
  g_object_unref (g->store);
  g_free (g);
}

void
petri_sample_list_reset (PetriSampleList *self)
{
  Graveyard *g;
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (PETRI_IS_SAMPLE_LIST (self));

  g_hash_table_remove_all (self->aliases);
  if (g_hash_table_size (self->rows) == 0)
    return;
  g = g_new0 (Graveyard, 1);
  g->store = g_steal_pointer (&self->store);
  g->rows = g_steal_pointer (&self->rows);
  g->infos = g_ptr_array_sized_new (g_hash_table_size (g->rows));
  g_hash_table_iter_init (&iter, g->rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (g->infos, value);
  g_idle_add_full (G_PRIORITY_LOW, graveyard_cb, g, (GDestroyNotify) graveyard_free);

  self->store = new_store ();
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, row_info_free);
}

void
petri_sample_list_clear (PetriSampleList *self)
{
  g_autoptr (GPtrArray) infos = NULL;

  g_return_if_fail (PETRI_IS_SAMPLE_LIST (self));

  /* Dropping the references first saves the store from updating each of
   * them for every row it removes. The model keeps its references in a
   * list, newest first: freeing them newest first finds each at its head
   * (in any other order, 10,000 rows took half a second). */
  {
    g_autoptr (GList) values = g_hash_table_get_values (self->rows);

    infos = g_ptr_array_new ();
    for (GList *l = values; l != NULL; l = l->next)
      g_ptr_array_add (infos, l->data);
  }
  g_ptr_array_sort (infos, compare_newest_first);
  for (guint i = 0; i < infos->len; i++)
    {
      RowInfo *info = g_ptr_array_index (infos, i);
      g_clear_pointer (&info->ref, gtk_tree_row_reference_free);
    }
  g_hash_table_remove_all (self->rows);
  g_hash_table_remove_all (self->aliases);
  gtk_tree_store_clear (self->store);
}

/* ---------------------------------------------------------------------- */
/* Labels                                                                   */

const char *
petri_verdict_icon_name (PetriVerdict verdict)
{
  switch (verdict)
    {
    case PETRI_VERDICT_MALICIOUS:
      return "petri-verdict-malicious";
    case PETRI_VERDICT_SUSPICIOUS:
      return "petri-verdict-suspicious";
    case PETRI_VERDICT_CLEAN:
      return "petri-verdict-clean";
    case PETRI_VERDICT_ERROR:
      return "petri-verdict-error";
    case PETRI_VERDICT_PENDING:
    default:
      return "petri-verdict-pending";
    }
}

const char *
petri_verdict_label (PetriVerdict verdict)
{
  switch (verdict)
    {
    case PETRI_VERDICT_MALICIOUS:
      return _ ("Malicious");
    case PETRI_VERDICT_SUSPICIOUS:
      return _ ("Suspicious");
    case PETRI_VERDICT_CLEAN:
      return _ ("Clean");
    case PETRI_VERDICT_ERROR:
      return _ ("Error");
    case PETRI_VERDICT_PENDING:
    default:
      return _ ("Pending");
    }
}

/* Sorting by verdict puts the worst first in descending order. */
int
petri_verdict_severity (PetriVerdict verdict)
{
  switch (verdict)
    {
    case PETRI_VERDICT_MALICIOUS:
      return 4;
    case PETRI_VERDICT_SUSPICIOUS:
      return 3;
    case PETRI_VERDICT_ERROR:
      return 2;
    case PETRI_VERDICT_PENDING:
      return 1;
    case PETRI_VERDICT_CLEAN:
    default:
      return 0;
    }
}

const char *
petri_item_state_label (PetriItemState state)
{
  switch (state)
    {
    case PETRI_ITEM_QUEUED:
      return _ ("Queued");
    case PETRI_ITEM_SCANNING:
      return _ ("Scanning");
    case PETRI_ITEM_DONE:
      return _ ("Done");
    case PETRI_ITEM_ERROR:
    default:
      return _ ("Error");
    }
}

const char *
petri_sandbox_status_label (const char *status)
{
  if (status == NULL || *status == '\0')
    return "";
  if (g_str_equal (status, "not_eligible"))
    return _ ("Not eligible");
  if (g_str_equal (status, "queued"))
    return _ ("Queued");
  if (g_str_equal (status, "starting"))
    return _ ("Starting");
  if (g_str_equal (status, "running"))
    return _ ("Running");
  if (g_str_equal (status, "collecting"))
    return _ ("Collecting");
  if (g_str_equal (status, "done"))
    return _ ("Analysed");
  if (g_str_equal (status, "failed"))
    return _ ("Failed");
  return status;
}

char *
petri_new_detection_badge (void)
{
  /* Translators: a badge in the verdict column of a sample on which a
     re-scan found a detection that earlier scans had not */
  return g_markup_printf_escaped ("<span background=\"#e01b24\" foreground=\"#ffffff\" "
                                  "weight=\"bold\" size=\"small\"> %s </span>",
                                  C_ ("detection", "new"));
}

char *
petri_detections_label (guint n_detections, guint n_engines)
{
  /* Translators: detections in the sample list: "2 / 2 engines" */
  return g_strdup_printf (ngettext ("%u / %u engine", "%u / %u engines", n_engines), n_detections,
                          n_engines);
}

/* ---------------------------------------------------------------------- */
/* Rows                                                                     */

static char *
type_text (const PetriSampleRow *row)
{
  if (row->is_folder)
    return g_strdup (_ ("Folder"));
  if (row->description != NULL && *row->description != '\0')
    {
      /* libmagic's descriptions run long: keep the part before the first comma. */
      const char *comma = strchr (row->description, ',');
      return comma != NULL ? g_strndup (row->description, comma - row->description)
                           : g_strdup (row->description);
    }
  if (row->mime != NULL && *row->mime != '\0')
    return g_strdup (row->mime);
  return g_strdup ("");
}

static char *
icon_name (const PetriSampleRow *row)
{
  g_autofree char *generic = NULL;

  if (row->is_folder)
    return g_strdup ("folder-symbolic");
  if (row->mime == NULL || *row->mime == '\0')
    return g_strdup ("text-x-generic-symbolic");
  generic = g_content_type_get_generic_icon_name (row->mime);
  if (generic == NULL)
    return g_strdup ("text-x-generic-symbolic");
  return g_strconcat (generic, "-symbolic", NULL);
}

static char *
search_text (const PetriSampleRow *row)
{
  GString *s = g_string_new (NULL);
  g_autofree char *folded = NULL;

  g_string_append (s, row->name != NULL ? row->name : "");
  if (row->sha256 != NULL)
    g_string_append_printf (s, "\n%s", row->sha256);
  if (row->sha1 != NULL)
    g_string_append_printf (s, "\n%s", row->sha1);
  if (row->md5 != NULL)
    g_string_append_printf (s, "\n%s", row->md5);
  for (guint i = 0; row->detection_names != NULL && row->detection_names[i] != NULL; i++)
    g_string_append_printf (s, "\n%s", row->detection_names[i]);
  folded = g_utf8_casefold (s->str, s->len);
  g_string_free (s, TRUE);
  return g_steal_pointer (&folded);
}

static PetriVerdict
row_verdict (const PetriSampleRow *row)
{
  if (row->state == PETRI_ITEM_ERROR)
    return PETRI_VERDICT_ERROR;
  return row->verdict;
}

typedef struct
{
  int columns[PETRI_SAMPLE_N_COLUMNS + 4];
  GValue values[PETRI_SAMPLE_N_COLUMNS + 4];
  int n;
} Changes;

static void
changes_add_string (Changes *c, int column, const char *value)
{
  g_value_init (&c->values[c->n], G_TYPE_STRING);
  g_value_set_string (&c->values[c->n], value);
  c->columns[c->n++] = column;
}

static void
changes_take_string (Changes *c, int column, char *value)
{
  g_value_init (&c->values[c->n], G_TYPE_STRING);
  g_value_take_string (&c->values[c->n], value);
  c->columns[c->n++] = column;
}

static void
changes_add_int (Changes *c, int column, int value)
{
  g_value_init (&c->values[c->n], G_TYPE_INT);
  g_value_set_int (&c->values[c->n], value);
  c->columns[c->n++] = column;
}

static void
changes_clear (Changes *c)
{
  for (int i = 0; i < c->n; i++)
    g_value_unset (&c->values[i]);
  c->n = 0;
}

/* Replaces *field with @value when they differ; TRUE when it changed. */
static gboolean
update_string (char **field, char *value /* transfer full */)
{
  if (g_strcmp0 (*field, value) == 0)
    {
      g_free (value);
      return FALSE;
    }
  g_free (*field);
  *field = value;
  return TRUE;
}

static void
collect_changes (RowInfo *info, const PetriSampleRow *row, Changes *c, gboolean fresh)
{
  PetriVerdict verdict = row_verdict (row);

  if (update_string (&info->name, g_strdup (row->name != NULL ? row->name : "")) || fresh)
    changes_add_string (c, PETRI_SAMPLE_COL_NAME, info->name);
  if (update_string (&info->path, g_strdup (row->path)) || fresh)
    changes_add_string (c, PETRI_SAMPLE_COL_PATH, info->path);
  if (update_string (&info->type, type_text (row)) || fresh)
    changes_add_string (c, PETRI_SAMPLE_COL_TYPE, info->type);
  if (update_string (&info->icon, icon_name (row)) || fresh)
    changes_add_string (c, PETRI_SAMPLE_COL_ICON, info->icon);
  if (info->size != row->size || fresh)
    {
      info->size = row->size;
      g_value_init (&c->values[c->n], G_TYPE_UINT64);
      g_value_set_uint64 (&c->values[c->n], row->size);
      c->columns[c->n++] = PETRI_SAMPLE_COL_SIZE;
      changes_take_string (c, PETRI_SAMPLE_COL_SIZE_TEXT,
                           row->is_folder || (row->sha256 == NULL && row->size == 0)
                               ? g_strdup ("")
                               : g_format_size (row->size));
    }
  if (update_string (&info->sha256, g_strdup (row->sha256)) || fresh)
    {
      changes_add_string (c, PETRI_SAMPLE_COL_SHA256, info->sha256);
      changes_take_string (c, PETRI_SAMPLE_COL_SHA256_SHORT,
                           info->sha256 != NULL ? g_strndup (info->sha256, 16) : g_strdup (""));
    }
  if (info->state != (int) row->state || fresh)
    {
      info->state = row->state;
      changes_add_int (c, PETRI_SAMPLE_COL_STATE, row->state);
      changes_add_string (c, PETRI_SAMPLE_COL_STATE_TEXT, petri_item_state_label (row->state));
    }
  if (info->verdict != (int) verdict || fresh)
    {
      info->verdict = verdict;
      changes_add_int (c, PETRI_SAMPLE_COL_VERDICT, petri_verdict_severity (verdict));
      changes_add_string (c, PETRI_SAMPLE_COL_VERDICT_ICON, petri_verdict_icon_name (verdict));
      changes_add_string (c, PETRI_SAMPLE_COL_VERDICT_TEXT, petri_verdict_label (verdict));
    }
  if (info->n_detections != row->n_detections || info->n_engines != row->n_engines || fresh)
    {
      info->n_detections = row->n_detections;
      info->n_engines = row->n_engines;
      changes_add_int (c, PETRI_SAMPLE_COL_DETECTIONS, row->n_detections);
      changes_take_string (c, PETRI_SAMPLE_COL_DETECTIONS_TEXT,
                           row->is_folder || row->n_engines == 0
                               ? g_strdup ("")
                               : petri_detections_label (row->n_detections, row->n_engines));
    }
  if (update_string (&info->sandbox, g_strdup (row->sandbox_status)) || fresh)
    changes_add_string (c, PETRI_SAMPLE_COL_SANDBOX_TEXT,
                        petri_sandbox_status_label (info->sandbox));
  if (update_string (&info->search, search_text (row)) || fresh)
    changes_add_string (c, PETRI_SAMPLE_COL_SEARCH, info->search);
  if (update_string (&info->error, g_strdup (row->error)) || fresh)
    changes_add_string (c, PETRI_SAMPLE_COL_ERROR, info->error);
  if ((row->new_since != NULL
       && update_string (&info->new_since,
                         *row->new_since != '\0' ? g_strdup (row->new_since) : NULL))
      || fresh)
    changes_add_string (c, PETRI_SAMPLE_COL_NEW_SINCE, info->new_since);
}

gboolean
petri_sample_list_apply (PetriSampleList *self, const PetriSampleRow *row)
{
  RowInfo *info;
  Changes changes = { 0 };
  GtkTreeIter iter;

  g_return_val_if_fail (PETRI_IS_SAMPLE_LIST (self), FALSE);
  g_return_val_if_fail (row != NULL && row->key != NULL, FALSE);

  info = find_row (self, row->key);
  if (info == NULL)
    {
      GtkTreeIter parent_iter;
      GtkTreeIter *parent = NULL;
      g_autoptr (GtkTreePath) path = NULL;

      if (row->parent_key != NULL)
        {
          RowInfo *parent_info = find_row (self, row->parent_key);
          if (parent_info == NULL || !row_iter (parent_info, &parent_iter))
            return FALSE;
          parent = &parent_iter;
        }

      info = g_new0 (RowInfo, 1);
      info->seq = self->seq + 1;
      info->state = -1;
      info->verdict = -1;
      info->is_folder = row->is_folder;
      info->item = row->item != NULL ? g_object_ref (row->item) : NULL;
      collect_changes (info, row, &changes, TRUE);
      changes.columns[changes.n] = PETRI_SAMPLE_COL_KEY;
      g_value_init (&changes.values[changes.n], G_TYPE_STRING);
      g_value_set_string (&changes.values[changes.n++], row->key);
      changes.columns[changes.n] = PETRI_SAMPLE_COL_ITEM;
      g_value_init (&changes.values[changes.n], PETRI_TYPE_ITEM);
      g_value_set_object (&changes.values[changes.n++], row->item);
      changes.columns[changes.n] = PETRI_SAMPLE_COL_IS_FOLDER;
      g_value_init (&changes.values[changes.n], G_TYPE_BOOLEAN);
      g_value_set_boolean (&changes.values[changes.n++], row->is_folder);
      changes.columns[changes.n] = PETRI_SAMPLE_COL_SEQ;
      g_value_init (&changes.values[changes.n], G_TYPE_UINT64);
      g_value_set_uint64 (&changes.values[changes.n++], ++self->seq);

      /* Prepending costs the same at any size; appending walks every
       * sibling (for the node and for its path). The view sorts by arrival. */
      gtk_tree_store_insert_with_valuesv (self->store, &iter, parent, 0, changes.columns,
                                          changes.values, changes.n);
      changes_clear (&changes);
      path = gtk_tree_model_get_path (GTK_TREE_MODEL (self->store), &iter);
      info->ref = gtk_tree_row_reference_new (GTK_TREE_MODEL (self->store), path);
      g_hash_table_insert (self->rows, g_strdup (row->key), info);
      return TRUE;
    }

  if (row->item != NULL && info->item != row->item)
    {
      g_set_object (&info->item, row->item);
      changes.columns[changes.n] = PETRI_SAMPLE_COL_ITEM;
      g_value_init (&changes.values[changes.n], PETRI_TYPE_ITEM);
      g_value_set_object (&changes.values[changes.n++], row->item);
    }
  collect_changes (info, row, &changes, FALSE);
  if (changes.n > 0 && row_iter (info, &iter))
    gtk_tree_store_set_valuesv (self->store, &iter, changes.columns, changes.values, changes.n);
  changes_clear (&changes);
  return TRUE;
}

char *
petri_sample_list_item_key (PetriItem *item)
{
  return g_strdup_printf ("item:%" G_GUINT64_FORMAT, petri_item_get_id (item));
}

void
petri_sample_row_from_item (PetriSampleRow *row, PetriItem *item, char **key, char **parent_key,
                            GPtrArray *names)
{
  GPtrArray *results = petri_item_get_results (item);
  PetriItem *parent = petri_item_get_parent (item);
  guint n_detections = 0;

  *key = petri_sample_list_item_key (item);
  *parent_key = parent != NULL ? petri_sample_list_item_key (parent) : NULL;

  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      PetriEngineResult *r = g_ptr_array_index (results, i);

      if (r->kind == PETRI_RESULT_DETECTED)
        n_detections++;
      for (guint j = 0; r->names != NULL && j < r->names->len; j++)
        g_ptr_array_add (names, g_ptr_array_index (r->names, j));
    }
  g_ptr_array_add (names, NULL);

  *row = (PetriSampleRow){
    .key = *key,
    .parent_key = *parent_key,
    .item = item,
    .is_folder = petri_item_is_folder (item),
    .name = petri_item_get_display_name (item),
    .path = petri_item_get_display_path (item),
    .mime = petri_item_get_mime (item),
    .description = petri_item_get_description (item),
    .size = petri_item_get_size (item),
    .sha256 = petri_item_get_sha256 (item),
    .sha1 = petri_item_get_sha1 (item),
    .md5 = petri_item_get_md5 (item),
    .state = petri_item_get_state (item),
    .verdict = petri_item_get_verdict (item),
    .n_detections = n_detections,
    .n_engines = petri_item_get_n_engines (item),
    .detection_names = (const char *const *) names->pdata,
    .sandbox_status = petri_item_get_sandbox_status (item),
    .error = petri_item_get_error (item),
  };
}

int
petri_sample_list_compare_arrival (GtkTreeModel *model, GtkTreeIter *a, GtkTreeIter *b,
                                   gpointer user_data)
{
  guint64 x, y;

  gtk_tree_model_get (model, a, PETRI_SAMPLE_COL_SEQ, &x, -1);
  gtk_tree_model_get (model, b, PETRI_SAMPLE_COL_SEQ, &y, -1);
  return (x > y) - (x < y);
}

gboolean
petri_sample_list_row_matches (GtkTreeModel *model, GtkTreeIter *iter, const char *needle)
{
  g_autofree char *haystack = NULL;
  GtkTreeIter child;

  if (needle == NULL || *needle == '\0')
    return TRUE;

  gtk_tree_model_get (model, iter, PETRI_SAMPLE_COL_SEARCH, &haystack, -1);
  if (haystack != NULL && strstr (haystack, needle) != NULL)
    return TRUE;

  /* A folder stays visible while one of its files matches. */
  if (gtk_tree_model_iter_children (model, &child, iter))
    do
      if (petri_sample_list_row_matches (model, &child, needle))
        return TRUE;
    while (gtk_tree_model_iter_next (model, &child));
  return FALSE;
}
