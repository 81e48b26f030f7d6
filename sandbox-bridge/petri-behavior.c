/* petri-behavior.c: behaviour events
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-behavior.h"

#include <glib/gi18n.h>
#include <math.h>

#define MAX_STRING 4096
#define MAX_DETAILS 65536

/* The quark name is stringified: keep it as written. */
/* clang-format off */
G_DEFINE_QUARK (petri-behavior-error-quark, petri_behavior_error)
/* clang-format on */
G_DEFINE_BOXED_TYPE (PetriBehaviorEvent, petri_behavior_event, petri_behavior_event_ref,
                     petri_behavior_event_unref)

static const char *const categories[] = {
  "process", "file",        "registry", "network", "injection", "driver",
  "evasion", "persistence", "mutex",    "command", NULL,
};

const char *const *
petri_behavior_categories (void)
{
  return categories;
}

gboolean
petri_behavior_category_is_valid (const char *category)
{
  return category != NULL && g_strv_contains (categories, category);
}

static gboolean
action_is_valid (const char *action)
{
  if (action == NULL || *action == '\0' || strlen (action) > 64)
    return FALSE;
  for (const char *p = action; *p != '\0'; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_'))
      return FALSE;
  return TRUE;
}

PetriBehaviorEvent *
petri_behavior_event_new (const char *category, const char *action)
{
  PetriBehaviorEvent *self;

  g_return_val_if_fail (petri_behavior_category_is_valid (category), NULL);
  g_return_val_if_fail (action_is_valid (action), NULL);

  self = g_new0 (PetriBehaviorEvent, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->category = g_strdup (category);
  self->action = g_strdup (action);
  self->pid = -1;
  self->ppid = -1;
  return self;
}

PetriBehaviorEvent *
petri_behavior_event_ref (PetriBehaviorEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
petri_behavior_event_unref (PetriBehaviorEvent *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->category);
  g_free (self->action);
  g_free (self->process);
  g_free (self->target);
  g_clear_pointer (&self->details, json_object_unref);
  g_free (self);
}

JsonNode *
petri_behavior_event_to_json (const PetriBehaviorEvent *self)
{
  JsonObject *o = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_double_member (o, "ts", self->ts);
  json_object_set_string_member (o, "category", self->category);
  json_object_set_string_member (o, "action", self->action);
  if (self->pid >= 0)
    json_object_set_int_member (o, "pid", self->pid);
  else
    json_object_set_null_member (o, "pid");
  if (self->ppid >= 0)
    json_object_set_int_member (o, "ppid", self->ppid);
  else
    json_object_set_null_member (o, "ppid");
  if (self->process != NULL)
    json_object_set_string_member (o, "process", self->process);
  else
    json_object_set_null_member (o, "process");
  if (self->target != NULL)
    json_object_set_string_member (o, "target", self->target);
  else
    json_object_set_null_member (o, "target");
  if (self->details != NULL)
    json_object_set_object_member (o, "details", json_object_ref (self->details));
  else
    json_object_set_object_member (o, "details", json_object_new ());
  json_node_take_object (node, o);
  return node;
}

static gboolean
get_optional_string (JsonObject *o, const char *member, char **out, GError **error)
{
  JsonNode *n = json_object_get_member (o, member);
  const char *s;

  *out = NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      g_set_error (error, PETRI_BEHAVIOR_ERROR, PETRI_BEHAVIOR_ERROR_INVALID,
                   _ ("event member “%s” is not a string"), member);
      return FALSE;
    }
  s = json_node_get_string (n);
  if (strlen (s) > MAX_STRING || !g_utf8_validate (s, -1, NULL))
    {
      g_set_error (error, PETRI_BEHAVIOR_ERROR, PETRI_BEHAVIOR_ERROR_INVALID,
                   _ ("event member “%s” is too long or not UTF-8"), member);
      return FALSE;
    }
  *out = g_strdup (s);
  return TRUE;
}

static gboolean
get_optional_int (JsonObject *o, const char *member, gint64 *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, member);

  *out = -1;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64
      || json_node_get_int (n) < 0)
    {
      g_set_error (error, PETRI_BEHAVIOR_ERROR, PETRI_BEHAVIOR_ERROR_INVALID,
                   _ ("event member “%s” is not a non-negative integer"), member);
      return FALSE;
    }
  *out = json_node_get_int (n);
  return TRUE;
}

PetriBehaviorEvent *
petri_behavior_event_from_json (JsonNode *node, GError **error)
{
  g_autoptr (PetriBehaviorEvent) self = NULL;
  g_autofree char *category = NULL, *action = NULL;
  JsonObject *o;
  JsonNode *ts, *details;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, PETRI_BEHAVIOR_ERROR, PETRI_BEHAVIOR_ERROR_INVALID,
                           _ ("event is not a JSON object"));
      return NULL;
    }
  o = json_node_get_object (node);
  if (!get_optional_string (o, "category", &category, error)
      || !get_optional_string (o, "action", &action, error))
    return NULL;
  if (!petri_behavior_category_is_valid (category))
    {
      g_set_error (error, PETRI_BEHAVIOR_ERROR, PETRI_BEHAVIOR_ERROR_INVALID,
                   _ ("unknown event category “%s”"), category ? category : _ ("(none)"));
      return NULL;
    }
  if (!action_is_valid (action))
    {
      g_set_error_literal (error, PETRI_BEHAVIOR_ERROR, PETRI_BEHAVIOR_ERROR_INVALID,
                           _ ("event action is missing or malformed"));
      return NULL;
    }
  self = petri_behavior_event_new (category, action);

  ts = json_object_get_member (o, "ts");
  if (ts != NULL && !JSON_NODE_HOLDS_NULL (ts))
    {
      GType t = JSON_NODE_HOLDS_VALUE (ts) ? json_node_get_value_type (ts) : G_TYPE_INVALID;
      if (t != G_TYPE_DOUBLE && t != G_TYPE_INT64)
        {
          g_set_error_literal (error, PETRI_BEHAVIOR_ERROR, PETRI_BEHAVIOR_ERROR_INVALID,
                               _ ("event member “ts” is not a number"));
          return NULL;
        }
      self->ts = json_node_get_double (ts);
      if (!isfinite (self->ts) || self->ts < 0 || self->ts > 1e7)
        {
          g_set_error_literal (error, PETRI_BEHAVIOR_ERROR, PETRI_BEHAVIOR_ERROR_INVALID,
                               _ ("event member “ts” is out of range"));
          return NULL;
        }
    }
  if (!get_optional_int (o, "pid", &self->pid, error)
      || !get_optional_int (o, "ppid", &self->ppid, error)
      || !get_optional_string (o, "process", &self->process, error)
      || !get_optional_string (o, "target", &self->target, error))
    return NULL;

  details = json_object_get_member (o, "details");
  if (details != NULL && !JSON_NODE_HOLDS_NULL (details))
    {
      g_autofree char *text = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (details))
        {
          g_set_error_literal (error, PETRI_BEHAVIOR_ERROR, PETRI_BEHAVIOR_ERROR_INVALID,
                               _ ("event member “details” is not an object"));
          return NULL;
        }
      text = json_to_string (details, FALSE);
      if (strlen (text) > MAX_DETAILS)
        {
          g_set_error_literal (error, PETRI_BEHAVIOR_ERROR, PETRI_BEHAVIOR_ERROR_INVALID,
                               _ ("event member “details” is too large"));
          return NULL;
        }
      self->details = json_object_ref (json_node_get_object (details));
    }
  return g_steal_pointer (&self);
}
