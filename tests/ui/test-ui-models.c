/* test-ui-models.c: the sample tree's model and the detail tabs' models
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>

#include "petri-detail-models.h"
#include "petri-sample-list.h"

/* ---------------------------------------------------------------------- */
/* Sample list                                                              */

typedef struct
{
  guint inserted, changed, deleted;
} Signals;

static void
row_inserted_cb (GtkTreeModel *model, GtkTreePath *path, GtkTreeIter *iter, Signals *s)
{
  s->inserted++;
}

static void
row_changed_cb (GtkTreeModel *model, GtkTreePath *path, GtkTreeIter *iter, Signals *s)
{
  s->changed++;
}

static void
row_deleted_cb (GtkTreeModel *model, GtkTreePath *path, Signals *s)
{
  s->deleted++;
}

static PetriSampleList *
new_list (Signals *s)
{
  PetriSampleList *list = petri_sample_list_new ();
  GtkTreeModel *model = GTK_TREE_MODEL (petri_sample_list_get_store (list));

  g_signal_connect (model, "row-inserted", G_CALLBACK (row_inserted_cb), s);
  g_signal_connect (model, "row-changed", G_CALLBACK (row_changed_cb), s);
  g_signal_connect (model, "row-deleted", G_CALLBACK (row_deleted_cb), s);
  return list;
}

static char *
get_string (PetriSampleList *list, const char *key, int column)
{
  GtkTreeIter iter;
  char *value = NULL;

  g_assert_true (petri_sample_list_lookup (list, key, &iter));
  gtk_tree_model_get (GTK_TREE_MODEL (petri_sample_list_get_store (list)), &iter, column, &value,
                      -1);
  return value;
}

static void
test_list_updates_only_changes (void)
{
  Signals s = { 0 };
  g_autoptr (PetriSampleList) list = new_list (&s);
  PetriSampleRow row = {
    .key = "item:1",
    .name = "invoice.exe",
    .path = "/tmp/invoice.exe",
    .state = PETRI_ITEM_QUEUED,
    .verdict = PETRI_VERDICT_PENDING,
  };
  g_autofree char *text = NULL;

  g_assert_true (petri_sample_list_apply (list, &row));
  g_assert_cmpuint (s.inserted, ==, 1);
  g_assert_cmpuint (petri_sample_list_get_n_rows (list), ==, 1);

  /* The same values again: nothing to tell the view. */
  s.changed = 0;
  g_assert_true (petri_sample_list_apply (list, &row));
  g_assert_cmpuint (s.changed, ==, 0);
  g_assert_cmpuint (s.inserted, ==, 1);

  /* Hashed and scanning: one row-changed for all the columns that moved. */
  row.sha256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
  row.size = 68;
  row.state = PETRI_ITEM_SCANNING;
  row.n_engines = 2;
  g_assert_true (petri_sample_list_apply (list, &row));
  g_assert_cmpuint (s.changed, ==, 1);
  text = get_string (list, "item:1", PETRI_SAMPLE_COL_STATE_TEXT);
  g_assert_cmpstr (text, ==, "Scanning");
  g_clear_pointer (&text, g_free);
  text = get_string (list, "item:1", PETRI_SAMPLE_COL_SHA256_SHORT);
  g_assert_cmpstr (text, ==, "275a021bbfb6489e");
  g_clear_pointer (&text, g_free);

  /* The first engine result arrives. */
  row.n_detections = 1;
  row.verdict = PETRI_VERDICT_MALICIOUS;
  row.detection_names = (const char *const[]){ "Win.Test.EICAR_HDB-1", NULL };
  g_assert_true (petri_sample_list_apply (list, &row));
  g_assert_cmpuint (s.changed, ==, 2);
  text = get_string (list, "item:1", PETRI_SAMPLE_COL_VERDICT_TEXT);
  g_assert_cmpstr (text, ==, "Malicious");
  g_clear_pointer (&text, g_free);
  text = get_string (list, "item:1", PETRI_SAMPLE_COL_DETECTIONS_TEXT);
  g_assert_cmpstr (text, ==, "1 / 2 engines");
  g_clear_pointer (&text, g_free);

  /* An error overrides the verdict. */
  row.state = PETRI_ITEM_ERROR;
  row.error = "“invoice.exe” is not a regular file";
  g_assert_true (petri_sample_list_apply (list, &row));
  g_assert_cmpuint (s.changed, ==, 3);
  text = get_string (list, "item:1", PETRI_SAMPLE_COL_VERDICT_TEXT);
  g_assert_cmpstr (text, ==, "Error");
}

static void
test_list_tree_and_search (void)
{
  Signals s = { 0 };
  g_autoptr (PetriSampleList) list = new_list (&s);
  GtkTreeModel *model = GTK_TREE_MODEL (petri_sample_list_get_store (list));
  PetriSampleRow folder = { .key = "item:1", .name = "drop", .is_folder = TRUE };
  PetriSampleRow child = {
    .key = "item:2",
    .parent_key = "item:1",
    .name = "payload.bin",
    .sha256 = "aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999",
    .detection_names = (const char *const[]){ "yara:Petri_Test_EICAR", NULL },
  };
  PetriSampleRow orphan = { .key = "item:9", .parent_key = "item:8", .name = "lost" };
  GtkTreeIter iter, parent;

  g_assert_true (petri_sample_list_apply (list, &folder));
  g_assert_true (petri_sample_list_apply (list, &child));
  g_assert_false (petri_sample_list_apply (list, &orphan));
  g_assert_cmpuint (petri_sample_list_get_n_rows (list), ==, 2);

  g_assert_true (petri_sample_list_lookup (list, "item:2", &iter));
  g_assert_true (gtk_tree_model_iter_parent (model, &parent, &iter));

  /* Name, hash and detection name all match, case-insensitively; the
   * folder stays visible for its file. */
  g_assert_true (petri_sample_list_row_matches (model, &iter, "payload"));
  g_assert_true (petri_sample_list_row_matches (model, &iter, "ccccdddd"));
  g_assert_true (petri_sample_list_row_matches (model, &iter, "petri_test_eicar"));
  g_assert_false (petri_sample_list_row_matches (model, &iter, "invoice"));
  g_assert_true (petri_sample_list_row_matches (model, &parent, "eicar"));
  g_assert_false (petri_sample_list_row_matches (model, &parent, "invoice"));

  /* An alias reaches the same row; removing the folder removes its file. */
  petri_sample_list_alias (list, "item:3", "item:2");
  g_assert_true (petri_sample_list_lookup (list, "item:3", &iter));
  g_assert_true (petri_sample_list_remove (list, "item:1"));
  g_assert_cmpuint (petri_sample_list_get_n_rows (list), ==, 0);
  g_assert_false (petri_sample_list_lookup (list, "item:2", &iter));
  g_assert_cmpint (gtk_tree_model_iter_n_children (model, NULL), ==, 0);
}

static void
test_list_many_rows (void)
{
  Signals s = { 0 };
  g_autoptr (PetriSampleList) list = new_list (&s);
  PetriSampleRow folder = { .key = "f", .name = "corpus", .is_folder = TRUE };

  g_assert_true (petri_sample_list_apply (list, &folder));
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *key = g_strdup_printf ("item:%u", i);
      g_autofree char *name = g_strdup_printf ("file-%04u", i);
      PetriSampleRow row = { .key = key, .parent_key = "f", .name = name };
      g_assert_true (petri_sample_list_apply (list, &row));
    }
  /* Every reference still finds its own row after the inserts. */
  for (guint i = 0; i < 2000; i += 97)
    {
      g_autofree char *key = g_strdup_printf ("item:%u", i);
      g_autofree char *expected = g_strdup_printf ("file-%04u", i);
      g_autofree char *name = get_string (list, key, PETRI_SAMPLE_COL_NAME);
      g_assert_cmpstr (name, ==, expected);
    }
  petri_sample_list_clear (list);
  g_assert_cmpuint (petri_sample_list_get_n_rows (list), ==, 0);
}

/* A reset starts a new store at once; the old rows go over the next
 * main-loop iterations, and the list works as before. */
static void
test_list_reset (void)
{
  Signals s = { 0 };
  g_autoptr (PetriSampleList) list = new_list (&s);
  GtkTreeStore *old = petri_sample_list_get_store (list);
  g_autoptr (GtkTreeStore) old_ref = g_object_ref (old);
  gpointer weak = old;
  PetriSampleRow row = { .key = "item:1", .name = "again.txt" };

  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *key = g_strdup_printf ("sample:%u", i);
      PetriSampleRow r = { .key = key, .name = key };
      g_assert_true (petri_sample_list_apply (list, &r));
    }
  petri_sample_list_reset (list);
  g_assert_cmpuint (petri_sample_list_get_n_rows (list), ==, 0);
  g_assert_true (petri_sample_list_get_store (list) != old);
  g_assert_cmpint (
      gtk_tree_model_iter_n_children (GTK_TREE_MODEL (petri_sample_list_get_store (list)), NULL),
      ==, 0);
  /* No signal reached the old store's watchers: nothing was deleted there. */
  g_assert_cmpuint (s.deleted, ==, 0);

  g_object_add_weak_pointer (G_OBJECT (old), &weak);
  g_clear_object (&old_ref);
  while (weak != NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (petri_sample_list_apply (list, &row));
  g_assert_cmpuint (petri_sample_list_get_n_rows (list), ==, 1);
  {
    g_autofree char *name = get_string (list, "item:1", PETRI_SAMPLE_COL_NAME);
    g_assert_cmpstr (name, ==, "again.txt");
  }
}

static void
test_list_arrival_order (void)
{
  Signals s = { 0 };
  g_autoptr (PetriSampleList) list = new_list (&s);
  GtkTreeModel *store = GTK_TREE_MODEL (petri_sample_list_get_store (list));
  g_autoptr (GtkTreeModel) sort = gtk_tree_model_sort_new_with_model (store);
  static const char *const names[] = { "first", "second", "third" };
  GtkTreeIter iter;
  guint i = 0;

  g_assert_cmpint (gtk_tree_model_get_n_columns (store), ==, PETRI_SAMPLE_N_COLUMNS);
  for (int c = 0; c < PETRI_SAMPLE_N_COLUMNS; c++)
    g_assert_true (gtk_tree_model_get_column_type (store, c) != G_TYPE_INVALID);

  gtk_tree_sortable_set_default_sort_func (GTK_TREE_SORTABLE (sort),
                                           petri_sample_list_compare_arrival, NULL, NULL);
  gtk_tree_sortable_set_sort_column_id (
      GTK_TREE_SORTABLE (sort), GTK_TREE_SORTABLE_DEFAULT_SORT_COLUMN_ID, GTK_SORT_ASCENDING);
  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *key = g_strdup_printf ("item:%u", i);
      PetriSampleRow row = { .key = key, .name = names[i] };
      g_assert_true (petri_sample_list_apply (list, &row));
    }
  /* The store prepends; the sorted view shows the order of arrival. */
  g_assert_true (gtk_tree_model_get_iter_first (sort, &iter));
  i = 0;
  do
    {
      g_autofree char *name = NULL;
      gtk_tree_model_get (sort, &iter, PETRI_SAMPLE_COL_NAME, &name, -1);
      g_assert_cmpstr (name, ==, names[i++]);
    }
  while (gtk_tree_model_iter_next (sort, &iter));
  g_assert_cmpuint (i, ==, G_N_ELEMENTS (names));
}

/* ---------------------------------------------------------------------- */
/* Detection                                                                */

static PetriEngineResult *
result_from_json (const char *json)
{
  g_autoptr (JsonNode) node = json_from_string (json, NULL);
  g_autoptr (GError) error = NULL;
  PetriEngineResult *r;

  g_assert_nonnull (node);
  r = petri_engine_result_from_json (node, &error);
  g_assert_no_error (error);
  return r;
}

static char *
tree_dump (GtkTreeModel *model, GtkTreeIter *parent, int depth, const int *columns, guint n)
{
  GString *s = g_string_new (NULL);
  GtkTreeIter iter;

  if (!gtk_tree_model_iter_children (model, &iter, parent))
    return g_string_free (s, FALSE);
  do
    {
      g_autofree char *children = NULL;

      for (int d = 0; d < depth; d++)
        g_string_append (s, "  ");
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *v = NULL;
          gtk_tree_model_get (model, &iter, columns[i], &v, -1);
          g_string_append_printf (s, "%s%s", i > 0 ? " | " : "", v != NULL ? v : "");
        }
      g_string_append_c (s, '\n');
      children = tree_dump (model, &iter, depth + 1, columns, n);
      g_string_append (s, children);
    }
  while (gtk_tree_model_iter_next (model, &iter));
  return g_string_free (s, FALSE);
}

static void
test_detection_models (void)
{
  g_autoptr (GPtrArray) results
      = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_engine_result_unref);
  g_autoptr (GtkListStore) engines = petri_engine_list_new ();
  g_autoptr (GtkTreeStore) matches = petri_match_tree_new ();
  static const int match_cols[]
      = { PETRI_MATCH_COL_NAME, PETRI_MATCH_COL_OFFSET, PETRI_MATCH_COL_VALUE };
  static const int engine_cols[]
      = { PETRI_ENGINE_COL_ENGINE, PETRI_ENGINE_COL_RESULT, PETRI_ENGINE_COL_NAMES };
  g_autofree char *dump = NULL;
  GtkTreeIter iter;
  gboolean heuristic;
  g_autofree char *badge = NULL;

  g_ptr_array_add (results, result_from_json (
                                "{\"engine\":\"clamav\",\"version\":\"1.4.6\",\"signatures\":\"2\","
                                "\"result\":\"clean\",\"names\":[],\"heuristic\":false}"));
  g_ptr_array_add (
      results,
      result_from_json (
          "{\"engine\":\"yara\",\"version\":\"4.2.3\",\"signatures\":\"4 rules\","
          "\"result\":\"detected\",\"names\":[\"ui:Suspicious_Marker\"],\"heuristic\":true,"
          "\"matches\":[{\"rule\":\"Suspicious_Marker\",\"namespace\":\"ui\",\"tags\":[\"test\"],"
          "\"meta\":{\"description\":\"a trait\",\"score\":40},"
          "\"strings\":[{\"identifier\":\"$m\",\"offset\":28,\"length\":5,\"preview\":"
          "\"MARK\\u0001\"}],"
          "\"strings_total\":3}]}"));

  petri_engine_list_fill (engines, results);
  dump = tree_dump (GTK_TREE_MODEL (engines), NULL, 0, engine_cols, G_N_ELEMENTS (engine_cols));
  g_assert_cmpstr (dump, ==,
                   "ClamAV | Clean | \n"
                   "YARA | Suspicious | ui:Suspicious_Marker\n");
  g_assert_true (gtk_tree_model_iter_nth_child (GTK_TREE_MODEL (engines), &iter, NULL, 1));
  gtk_tree_model_get (GTK_TREE_MODEL (engines), &iter, PETRI_ENGINE_COL_HEURISTIC, &heuristic,
                      PETRI_ENGINE_COL_BADGE, &badge, -1);
  g_assert_true (heuristic);
  g_assert_nonnull (strstr (badge, "heuristic"));

  g_assert_cmpuint (petri_match_tree_fill (matches, results), ==, 1);
  g_clear_pointer (&dump, g_free);
  dump = tree_dump (GTK_TREE_MODEL (matches), NULL, 0, match_cols, G_N_ELEMENTS (match_cols));
  g_assert_cmpstr (dump, ==,
                   "ui:Suspicious_Marker |  | test\n"
                   "  3 strings |  | \n"
                   "    $m | 0x1c | MARK\\x01\n"
                   "    … and 2 more matches |  | \n"
                   "  Meta |  | \n"
                   "    description |  | a trait\n"
                   "    score |  | 40\n");
}

/* ---------------------------------------------------------------------- */
/* Behaviour                                                                */

static PetriBehaviorEvent *
event (const char *category, const char *action, gint64 pid, gint64 ppid, const char *process,
       const char *target)
{
  PetriBehaviorEvent *e = petri_behavior_event_new (category, action);

  e->pid = pid;
  e->ppid = ppid;
  e->process = g_strdup (process);
  e->target = g_strdup (target);
  return e;
}

static JsonObject *
json_from_string_object (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = json_from_string (text, &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

typedef struct
{
  const char *target_prefix;
  char *tooltip;
} FindTooltip;

static gboolean
find_tooltip_cb (GtkTreeModel *model, GtkTreePath *path, GtkTreeIter *iter, gpointer data)
{
  FindTooltip *f = data;
  g_autofree char *target = NULL;

  gtk_tree_model_get (model, iter, PETRI_BEHAVIOR_COL_TARGET, &target, -1);
  if (target == NULL || !g_str_has_prefix (target, f->target_prefix))
    return FALSE;
  gtk_tree_model_get (model, iter, PETRI_BEHAVIOR_COL_TOOLTIP, &f->tooltip, -1);
  return TRUE;
}

static void
test_behavior_tree (void)
{
  g_autoptr (GPtrArray) events
      = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_behavior_event_unref);
  g_autoptr (GtkTreeStore) store = petri_behavior_tree_new ();
  static const int cols[]
      = { PETRI_BEHAVIOR_COL_TITLE, PETRI_BEHAVIOR_COL_TARGET, PETRI_BEHAVIOR_COL_PROCESS };
  g_autofree char *dump = NULL;

  g_ptr_array_add (events, event ("process", "exec", 100, 1, "sample", "/tmp/sample"));
  g_ptr_array_add (events, event ("file", "write", 100, 1, "sample", "/tmp/dropped"));
  g_ptr_array_add (events, event ("process", "fork", 101, 100, "sample", NULL));
  g_ptr_array_add (events, event ("process", "exec", 101, 100, "sh", "/bin/sh"));
  g_ptr_array_add (events, event ("network", "connect", 101, 100, "sh", "10.0.0.1:80"));
  g_ptr_array_add (events, event ("process", "exit", 100, 1, "sample", NULL));
  {
    PetriBehaviorEvent *e = event ("process", "exec", 102, 101, "curl", "/usr/bin/curl");
    PetriBehaviorEvent *send = event ("network", "send", 102, 101, "curl", "10.0.0.1:80");

    e->details = json_from_string_object ("{\"argv\": [\"curl\", \"-s\", \"http://x/<a>\"]}");
    send->details = json_from_string_object ("{\"bytes\": 40, \"preview\": \"GET / HTTP/1.0..\"}");
    g_ptr_array_add (events, e);
    g_ptr_array_add (events, send);
  }

  g_assert_cmpuint (petri_behavior_tree_fill (store, events), ==, 8);
  dump = tree_dump (GTK_TREE_MODEL (store), NULL, 0, cols, G_N_ELEMENTS (cols));
  g_assert_cmpstr (dump, ==,
                   "Processes (5) |  | \n"
                   "  exec | /tmp/sample | sample (100)\n"
                   "    fork |  | sample (101)\n"
                   "      exec | /bin/sh | sh (101)\n"
                   "        exec | /usr/bin/curl — curl -s http://x/<a> | curl (102)\n"
                   "    exit |  | sample (100)\n"
                   "File activity (1) |  | \n"
                   "  write | /tmp/dropped | sample (100)\n"
                   "Registry activity (0) |  | \n"
                   "Network (2) |  | \n"
                   "  connect | 10.0.0.1:80 | sh (101)\n"
                   "  send | 10.0.0.1:80 “GET / HTTP/1.0..” | curl (102)\n"
                   "Code injections (0) |  | \n"
                   "Commands sent to device drivers (0) |  | \n"
                   "Evasion checks (0) |  | \n"
                   "Persistence (0) |  | \n"
                   "Mutexes (0) |  | \n"
                   "Commands (0) |  | \n");

  /* Every detail on hover, as markup: "<" stays text. */
  {
    FindTooltip f = { "/usr/bin/curl", NULL };

    gtk_tree_model_foreach (GTK_TREE_MODEL (store), find_tooltip_cb, &f);
    g_assert_cmpstr (f.tooltip, ==, "<b>argv</b>: curl -s http://x/&lt;a&gt;");
    g_free (f.tooltip);
    f.target_prefix = "10.0.0.1:80 “";
    f.tooltip = NULL;
    gtk_tree_model_foreach (GTK_TREE_MODEL (store), find_tooltip_cb, &f);
    g_assert_cmpstr (f.tooltip, ==, "<b>bytes</b>: 40\n<b>preview</b>: GET / HTTP/1.0..");
    g_free (f.tooltip);
  }
}

static void
test_analysis_notice (void)
{
  static const struct
  {
    const char *json;
    const char *notice; /* NULL: the tree */
    gboolean is_error;
  } cases[] = {
    { NULL, "This sample has not been analysed in the sandbox yet.", FALSE },
    { "{\"status\":\"queued\",\"reason\":\"\"}", "This sample is queued for the sandbox.", FALSE },
    { "{\"status\":\"running\",\"reason\":\"\"}",
      "This sample is running in the sandbox. Its behaviour is shown when the analysis ends.",
      FALSE },
    { "{\"status\":\"not_eligible\",\"reason\":\"not an executable.\"}",
      "This sample is not eligible for the sandbox: not an executable.", FALSE },
    { "{\"status\":\"failed\",\"reason\":\"the VM did not start\"}",
      "The sandbox analysis failed: the VM did not start.", TRUE },
    { "{\"status\":\"done\",\"reason\":\"\"}", NULL, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode) node
          = cases[i].json != NULL ? json_from_string (cases[i].json, NULL) : NULL;
      gboolean is_error = !cases[i].is_error;
      g_autofree char *notice
          = petri_analysis_notice (node != NULL ? json_node_get_object (node) : NULL, &is_error);

      g_assert_cmpstr (notice, ==, cases[i].notice);
      g_assert_cmpint (is_error, ==, cases[i].is_error);
    }
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ui/sample-list/updates-only-changes", test_list_updates_only_changes);
  g_test_add_func ("/ui/sample-list/tree-and-search", test_list_tree_and_search);
  g_test_add_func ("/ui/sample-list/many-rows", test_list_many_rows);
  g_test_add_func ("/ui/sample-list/arrival-order", test_list_arrival_order);
  g_test_add_func ("/ui/sample-list/reset", test_list_reset);
  g_test_add_func ("/ui/detection/models", test_detection_models);
  g_test_add_func ("/ui/behavior/tree", test_behavior_tree);
  g_test_add_func ("/ui/behavior/notice", test_analysis_notice);
  return g_test_run ();
}
