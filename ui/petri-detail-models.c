/* petri-detail-models.c: what the Detection and Behavioral information tabs show
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-detail-models.h"

#include <glib/gi18n.h>
#include <pango/pango.h>

#include "petri-sample-list.h"

/* ---------------------------------------------------------------------- */
/* Engines                                                                  */

GtkListStore *
petri_engine_list_new (void)
{
  return gtk_list_store_new (PETRI_ENGINE_N_COLUMNS, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                             G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN,
                             G_TYPE_STRING);
}

const char *
petri_engine_display_name (const char *engine)
{
  /* Product names, not translated. */
  if (g_strcmp0 (engine, "clamav") == 0)
    return "ClamAV";
  if (g_strcmp0 (engine, "yara") == 0)
    return "YARA";
  return engine != NULL ? engine : "";
}

static char *
join_names (GPtrArray *names)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; names != NULL && i < names->len; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, g_ptr_array_index (names, i));
    }
  return g_string_free (s, FALSE);
}

void
petri_engine_list_fill (GtkListStore *store, GPtrArray *results)
{
  g_return_if_fail (GTK_IS_LIST_STORE (store));

  gtk_list_store_clear (store);
  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      PetriEngineResult *r = g_ptr_array_index (results, i);
      const char *result, *icon;
      g_autofree char *names = NULL;
      g_autofree char *badge = NULL;

      switch (r->kind)
        {
        case PETRI_RESULT_DETECTED:
          result = r->heuristic ? _ ("Suspicious") : _ ("Detected");
          icon = petri_verdict_icon_name (r->heuristic ? PETRI_VERDICT_SUSPICIOUS
                                                       : PETRI_VERDICT_MALICIOUS);
          names = join_names (r->names);
          break;
        case PETRI_RESULT_ERROR:
          result = _ ("Error");
          icon = petri_verdict_icon_name (PETRI_VERDICT_ERROR);
          names = g_strdup (r->error != NULL ? r->error : "");
          break;
        case PETRI_RESULT_CLEAN:
        default:
          result = _ ("Clean");
          icon = petri_verdict_icon_name (PETRI_VERDICT_CLEAN);
          /* A warning (a limit that was hit) is worth showing next to "Clean". */
          names = g_strdup (r->error != NULL ? r->error : "");
          break;
        }
      if (r->kind == PETRI_RESULT_DETECTED && r->heuristic)
        /* Translators: a badge next to detections that come from heuristics only */
        badge = g_markup_printf_escaped (
            "<span background=\"#f6d32d\" foreground=\"#3d3846\" weight=\"bold\" "
            "size=\"small\"> %s </span>",
            _ ("heuristic"));
      gtk_list_store_insert_with_values (
          store, NULL, -1, PETRI_ENGINE_COL_ENGINE, petri_engine_display_name (r->engine),
          PETRI_ENGINE_COL_VERSION, r->engine_version, PETRI_ENGINE_COL_SIGNATURES, r->signatures,
          PETRI_ENGINE_COL_RESULT_ICON, icon, PETRI_ENGINE_COL_RESULT, result,
          PETRI_ENGINE_COL_NAMES, names, PETRI_ENGINE_COL_HEURISTIC,
          r->kind == PETRI_RESULT_DETECTED && r->heuristic, PETRI_ENGINE_COL_BADGE,
          badge != NULL ? badge : "", -1);
    }
}

/* ---------------------------------------------------------------------- */
/* YARA matches                                                             */

GtkTreeStore *
petri_match_tree_new (void)
{
  return gtk_tree_store_new (PETRI_MATCH_N_COLUMNS, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                             G_TYPE_INT);
}

static const char *
member_string (JsonObject *o, const char *const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      JsonNode *n = json_object_get_member (o, names[i]);
      if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        return json_node_get_string (n);
    }
  return NULL;
}

static char *
node_to_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType t = json_node_get_value_type (node);
      if (t == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (t == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? "true" : "false");
      if (t == G_TYPE_DOUBLE)
        return g_strdup_printf ("%g", json_node_get_double (node));
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    }
  return json_to_string (node, FALSE);
}

static char *
offset_text (JsonObject *s)
{
  JsonNode *n = json_object_get_member (s, "offset");

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) == G_TYPE_STRING)
    return n != NULL ? node_to_text (n) : g_strdup ("");
  return g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", json_node_get_int (n));
}

/* The engine's preview is text already (escaped bytes, "…" when cut):
 * only control characters are made visible here. */
static char *
preview_text (const char *data)
{
  GString *s = g_string_new (NULL);

  if (!g_utf8_validate (data, -1, NULL))
    {
      for (const char *p = data; *p != '\0'; p++)
        if ((guchar) *p >= 0x20 && (guchar) *p < 0x7f)
          g_string_append_c (s, *p);
        else
          g_string_append_printf (s, "\\x%02x", (guchar) *p);
      return g_string_free (s, FALSE);
    }
  for (const char *p = data; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (s, "\\x%02x", c);
      else
        g_string_append_unichar (s, c);
    }
  return g_string_free (s, FALSE);
}

static void
add_strings (GtkTreeStore *store, GtkTreeIter *rule, JsonArray *strings, gint64 total)
{
  static const char *const id_names[] = { "identifier", "id", "name", NULL };
  static const char *const data_names[] = { "preview", "data", "text", "hex", NULL };
  GtkTreeIter group;
  g_autofree char *title = NULL;
  guint n = json_array_get_length (strings);

  if (n == 0)
    return;
  /* Translators: a group of YARA string matches; %u is how many */
  title = g_strdup_printf (ngettext ("%u string", "%u strings", MAX (n, total)),
                           (guint) MAX (n, total));
  gtk_tree_store_insert_with_values (store, &group, rule, -1, PETRI_MATCH_COL_NAME, title,
                                     PETRI_MATCH_COL_WEIGHT, PANGO_WEIGHT_NORMAL, -1);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (strings, i);
      JsonObject *s;
      g_autofree char *offset = NULL;
      g_autofree char *preview = NULL;
      const char *data;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      s = json_node_get_object (node);
      data = member_string (s, data_names);
      offset = offset_text (s);
      preview = preview_text (data != NULL ? data : "");
      gtk_tree_store_insert_with_values (store, NULL, &group, -1, PETRI_MATCH_COL_NAME,
                                         member_string (s, id_names), PETRI_MATCH_COL_OFFSET,
                                         offset, PETRI_MATCH_COL_VALUE, preview,
                                         PETRI_MATCH_COL_WEIGHT, PANGO_WEIGHT_NORMAL, -1);
    }
  if (total > n)
    {
      /* Translators: YARA string matches that are not listed */
      g_autofree char *more
          = g_strdup_printf (ngettext ("… and %u more match", "… and %u more matches", total - n),
                             (guint) (total - n));
      gtk_tree_store_insert_with_values (store, NULL, &group, -1, PETRI_MATCH_COL_NAME, more,
                                         PETRI_MATCH_COL_WEIGHT, PANGO_WEIGHT_NORMAL, -1);
    }
}

static void
add_meta_row (GtkTreeStore *store, GtkTreeIter *group, const char *key, JsonNode *value)
{
  g_autofree char *text = node_to_text (value);

  gtk_tree_store_insert_with_values (store, NULL, group, -1, PETRI_MATCH_COL_NAME, key,
                                     PETRI_MATCH_COL_VALUE, text, PETRI_MATCH_COL_WEIGHT,
                                     PANGO_WEIGHT_NORMAL, -1);
}

static void
add_meta (GtkTreeStore *store, GtkTreeIter *rule, JsonNode *meta)
{
  static const char *const key_names[] = { "identifier", "key", "name", NULL };
  GtkTreeIter group;
  guint n;

  if (JSON_NODE_HOLDS_OBJECT (meta))
    n = json_object_get_size (json_node_get_object (meta));
  else if (JSON_NODE_HOLDS_ARRAY (meta))
    n = json_array_get_length (json_node_get_array (meta));
  else
    return;
  if (n == 0)
    return;

  gtk_tree_store_insert_with_values (store, &group, rule, -1, PETRI_MATCH_COL_NAME,
                                     /* Translators: YARA rule meta data */
                                     _ ("Meta"), PETRI_MATCH_COL_WEIGHT, PANGO_WEIGHT_NORMAL, -1);
  if (JSON_NODE_HOLDS_OBJECT (meta))
    {
      JsonObject *o = json_node_get_object (meta);
      g_autoptr (GList) members = json_object_get_members (o);

      for (GList *l = members; l != NULL; l = l->next)
        add_meta_row (store, &group, l->data, json_object_get_member (o, l->data));
    }
  else
    {
      JsonArray *a = json_node_get_array (meta);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          JsonObject *o;

          if (!JSON_NODE_HOLDS_OBJECT (e))
            continue;
          o = json_node_get_object (e);
          add_meta_row (store, &group, member_string (o, key_names),
                        json_object_get_member (o, "value"));
        }
    }
}

static char *
tags_text (JsonObject *m)
{
  JsonArray *tags = json_object_has_member (m, "tags")
                            && JSON_NODE_HOLDS_ARRAY (json_object_get_member (m, "tags"))
                        ? json_object_get_array_member (m, "tags")
                        : NULL;
  GString *s = g_string_new (NULL);

  for (guint i = 0; tags != NULL && i < json_array_get_length (tags); i++)
    {
      const char *t = json_array_get_string_element (tags, i);
      if (t == NULL)
        continue;
      if (s->len > 0)
        g_string_append (s, " ");
      g_string_append (s, t);
    }
  return g_string_free (s, FALSE);
}

guint
petri_match_tree_fill (GtkTreeStore *store, GPtrArray *results)
{
  static const char *const rule_names[] = { "rule", "identifier", "name", NULL };
  guint n_rules = 0;

  g_return_val_if_fail (GTK_IS_TREE_STORE (store), 0);

  gtk_tree_store_clear (store);
  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      PetriEngineResult *r = g_ptr_array_index (results, i);
      JsonObject *details;
      JsonArray *matches;

      if (r->details == NULL || !JSON_NODE_HOLDS_OBJECT (r->details))
        continue;
      details = json_node_get_object (r->details);
      if (!json_object_has_member (details, "matches")
          || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (details, "matches")))
        continue;
      matches = json_object_get_array_member (details, "matches");
      for (guint j = 0; j < json_array_get_length (matches); j++)
        {
          JsonNode *node = json_array_get_element (matches, j);
          JsonObject *m;
          const char *rule, *ns;
          g_autofree char *title = NULL;
          g_autofree char *tags = NULL;
          GtkTreeIter iter;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          m = json_node_get_object (node);
          rule = member_string (m, rule_names);
          ns = member_string (m, (const char *const[]){ "namespace", NULL });
          title = ns != NULL && *ns != '\0' && rule != NULL && strchr (rule, ':') == NULL
                      ? g_strdup_printf ("%s:%s", ns, rule)
                      : g_strdup (rule != NULL ? rule : "");
          tags = tags_text (m);
          gtk_tree_store_insert_with_values (store, &iter, NULL, -1, PETRI_MATCH_COL_NAME, title,
                                             PETRI_MATCH_COL_VALUE, tags, PETRI_MATCH_COL_WEIGHT,
                                             PANGO_WEIGHT_BOLD, -1);
          if (json_object_has_member (m, "strings")
              && JSON_NODE_HOLDS_ARRAY (json_object_get_member (m, "strings")))
            add_strings (store, &iter, json_object_get_array_member (m, "strings"),
                         json_object_get_int_member_with_default (m, "strings_total", 0));
          if (json_object_has_member (m, "meta"))
            add_meta (store, &iter, json_object_get_member (m, "meta"));
          n_rules++;
        }
    }
  return n_rules;
}

/* ---------------------------------------------------------------------- */
/* Behaviour                                                                */

GtkTreeStore *
petri_behavior_tree_new (void)
{
  return gtk_tree_store_new (PETRI_BEHAVIOR_N_COLUMNS, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                             G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT, G_TYPE_INT, G_TYPE_STRING);
}

const char *
petri_behavior_category_label (const char *category)
{
  static const struct
  {
    const char *key;
    const char *label;
  } labels[] = {
    { "process", N_ ("Processes") },
    { "file", N_ ("File activity") },
    { "registry", N_ ("Registry activity") },
    { "network", N_ ("Network") },
    { "injection", N_ ("Code injections") },
    { "driver", N_ ("Commands sent to device drivers") },
    { "evasion", N_ ("Evasion checks") },
    { "persistence", N_ ("Persistence") },
    { "mutex", N_ ("Mutexes") },
    { "command", N_ ("Commands") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (category, labels[i].key) == 0)
      return _ (labels[i].label);
  return category;
}

static char *
process_text (PetriBehaviorEvent *e)
{
  if (e->process != NULL && e->pid >= 0)
    return g_strdup_printf ("%s (%" G_GINT64_FORMAT ")", e->process, e->pid);
  if (e->process != NULL)
    return g_strdup (e->process);
  if (e->pid >= 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, e->pid);
  return g_strdup ("");
}

/* A detail as text: strings as they are, arrays of strings joined by
 * spaces (argv), anything else as JSON. */
static char *
detail_text (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      g_autoptr (GString) s = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *item = json_array_get_element (a, i);

          if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
            return json_to_string (node, FALSE);
          if (i > 0)
            g_string_append_c (s, ' ');
          g_string_append (s, json_node_get_string (item));
        }
      return g_string_free (g_steal_pointer (&s), FALSE);
    }
  return json_to_string (node, FALSE);
}

static char *
detail_string (PetriBehaviorEvent *e, const char *member)
{
  JsonNode *node;

  if (e->details == NULL || (node = json_object_get_member (e->details, member)) == NULL)
    return NULL;
  return detail_text (node);
}

/* Every detail as "key: value" lines, for the row's tooltip. */
static char *
tooltip_text (PetriBehaviorEvent *e)
{
  g_autoptr (GString) s = NULL;
  g_autoptr (GList) members = NULL;

  if (e->details == NULL || json_object_get_size (e->details) == 0)
    return NULL;
  s = g_string_new (NULL);
  /* In the order the monitor wrote them. */
  members = json_object_get_members (e->details);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;
      g_autofree char *value = detail_text (json_object_get_member (e->details, member));
      g_autofree char *key_markup = g_markup_escape_text (member, -1);
      g_autofree char *value_markup = g_markup_escape_text (value, -1);

      if (s->len > 0)
        g_string_append_c (s, '\n');
      g_string_append_printf (s, "<b>%s</b>: %s", key_markup, value_markup);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
target_text (PetriBehaviorEvent *e)
{
  const char *new_path = NULL;

  if (e->details != NULL && json_object_has_member (e->details, "new_path"))
    new_path = json_object_get_string_member_with_default (e->details, "new_path", NULL);
  /* A program started with arguments: its command line too. */
  if (g_strcmp0 (e->category, "process") == 0 && g_strcmp0 (e->action, "exec") == 0
      && e->details != NULL && json_object_has_member (e->details, "argv")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (e->details, "argv"))
      && json_array_get_length (json_object_get_array_member (e->details, "argv")) > 1)
    {
      g_autofree char *argv = detail_string (e, "argv");
      return g_strdup_printf ("%s — %s", e->target != NULL ? e->target : "", argv);
    }
  /* What a send carried, as far as it is text. */
  if (g_strcmp0 (e->category, "network") == 0 && g_strcmp0 (e->action, "send") == 0
      && e->details != NULL && json_object_has_member (e->details, "preview"))
    {
      g_autofree char *preview = detail_string (e, "preview");
      return g_strdup_printf ("%s “%s”", e->target != NULL ? e->target : "", preview);
    }
  if (g_strcmp0 (e->category, "driver") == 0 && e->details != NULL
      && json_object_has_member (e->details, "name"))
    return g_strdup_printf ("%s %s", e->target != NULL ? e->target : "",
                            json_object_get_string_member_with_default (e->details, "name", ""));
  if (new_path != NULL)
    return g_strdup_printf ("%s → %s", e->target != NULL ? e->target : "", new_path);
  return g_strdup (e->target != NULL ? e->target : "");
}

static void
insert_event (GtkTreeStore *store, GtkTreeIter *parent, GtkTreeIter *iter, PetriBehaviorEvent *e)
{
  g_autofree char *process = process_text (e);
  g_autofree char *target = target_text (e);
  g_autofree char *time = g_strdup_printf ("+%.2f s", e->ts);
  g_autofree char *tooltip = tooltip_text (e);

  gtk_tree_store_insert_with_values (
      store, iter, parent, -1, PETRI_BEHAVIOR_COL_TITLE, e->action, PETRI_BEHAVIOR_COL_TARGET,
      target, PETRI_BEHAVIOR_COL_PROCESS, process, PETRI_BEHAVIOR_COL_TIME, time,
      PETRI_BEHAVIOR_COL_CATEGORY, e->category, PETRI_BEHAVIOR_COL_COUNT, -1,
      PETRI_BEHAVIOR_COL_WEIGHT, PANGO_WEIGHT_NORMAL, PETRI_BEHAVIOR_COL_TOOLTIP, tooltip, -1);
}

/* Processes: one node per process (its exec, or its first event), placed
 * under the node of its parent pid when that is known; the process's other
 * events (fork, exit) go below its node. */
static guint
fill_processes (GtkTreeStore *store, GtkTreeIter *category, GPtrArray *events)
{
  g_autoptr (GHashTable) nodes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                        (GDestroyNotify) gtk_tree_iter_free);
  guint n = 0;

  for (guint i = 0; i < events->len; i++)
    {
      PetriBehaviorEvent *e = g_ptr_array_index (events, i);
      GtkTreeIter iter;
      GtkTreeIter *parent = category;
      GtkTreeIter *node;

      if (g_strcmp0 (e->category, "process") != 0)
        continue;
      n++;

      node = e->pid >= 0 ? g_hash_table_lookup (nodes, &e->pid) : NULL;
      if (node != NULL && g_strcmp0 (e->action, "exec") != 0)
        {
          insert_event (store, node, NULL, e);
          continue;
        }
      if (node != NULL)
        parent = node; /* an exec in a process we know: a new image below it */
      else if (e->ppid >= 0)
        {
          GtkTreeIter *pnode = g_hash_table_lookup (nodes, &e->ppid);
          if (pnode != NULL)
            parent = pnode;
        }
      insert_event (store, parent, &iter, e);
      if (e->pid >= 0)
        {
          gint64 *key = g_new (gint64, 1);
          *key = e->pid;
          g_hash_table_replace (nodes, key, gtk_tree_iter_copy (&iter));
        }
    }
  return n;
}

guint
petri_behavior_tree_fill (GtkTreeStore *store, GPtrArray *events)
{
  const char *const *categories = petri_behavior_categories ();
  g_autoptr (GPtrArray) none = g_ptr_array_new ();
  guint total = 0;

  g_return_val_if_fail (GTK_IS_TREE_STORE (store), 0);

  if (events == NULL)
    events = none;
  gtk_tree_store_clear (store);
  for (guint c = 0; categories[c] != NULL; c++)
    {
      GtkTreeIter cat;
      guint n = 0;
      g_autofree char *title = NULL;

      gtk_tree_store_insert_with_values (store, &cat, NULL, -1, PETRI_BEHAVIOR_COL_CATEGORY,
                                         categories[c], PETRI_BEHAVIOR_COL_WEIGHT,
                                         PANGO_WEIGHT_BOLD, -1);
      if (g_str_equal (categories[c], "process"))
        n = fill_processes (store, &cat, events);
      else
        for (guint i = 0; i < events->len; i++)
          {
            PetriBehaviorEvent *e = g_ptr_array_index (events, i);
            if (g_strcmp0 (e->category, categories[c]) != 0)
              continue;
            insert_event (store, &cat, NULL, e);
            n++;
          }
      /* Translators: a behaviour category and how many events it holds: "Network (3)" */
      title = g_strdup_printf (_ ("%s (%u)"), petri_behavior_category_label (categories[c]), n);
      gtk_tree_store_set (store, &cat, PETRI_BEHAVIOR_COL_TITLE, title, PETRI_BEHAVIOR_COL_COUNT,
                          (int) n, -1);
      total += n;
    }
  return total;
}

char *
petri_analysis_notice (JsonObject *analysis, gboolean *is_error)
{
  const char *status, *reason;
  g_autofree char *trimmed = NULL;

  *is_error = FALSE;
  if (analysis == NULL)
    return g_strdup (_ ("This sample has not been analysed in the sandbox yet."));

  status = json_object_get_string_member_with_default (analysis, "status", "");
  reason = json_object_get_string_member_with_default (analysis, "reason", "");
  if (g_str_has_suffix (reason, "."))
    reason = trimmed = g_strndup (reason, strlen (reason) - 1);
  if (g_str_equal (status, "done"))
    return NULL;
  if (g_str_equal (status, "queued"))
    return g_strdup (_ ("This sample is queued for the sandbox."));
  if (g_str_equal (status, "starting") || g_str_equal (status, "running")
      || g_str_equal (status, "collecting"))
    return g_strdup (_ ("This sample is running in the sandbox. Its behaviour is shown when the "
                        "analysis ends."));
  if (g_str_equal (status, "not_eligible"))
    {
      if (*reason == '\0')
        return g_strdup (_ ("This sample is not eligible for the sandbox."));
      /* Translators: %s says why, e.g. "not an executable" */
      return g_strdup_printf (_ ("This sample is not eligible for the sandbox: %s."), reason);
    }
  if (g_str_equal (status, "failed"))
    {
      *is_error = TRUE;
      if (*reason == '\0')
        return g_strdup (_ ("The sandbox analysis failed."));
      /* Translators: %s is the reason the analysis failed */
      return g_strdup_printf (_ ("The sandbox analysis failed: %s."), reason);
    }
  /* Translators: %s is an analysis status this version does not know */
  return g_strdup_printf (_ ("The sandbox analysis is in an unknown state (%s)."), status);
}
