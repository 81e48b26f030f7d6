/* petri-item.c: one file or folder taken in, as the pipeline shows it
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-item-private.h"

G_DEFINE_FINAL_TYPE (PetriItem, petri_item, G_TYPE_OBJECT)

static const char *const state_names[] = {
  [PETRI_ITEM_QUEUED] = "queued",
  [PETRI_ITEM_SCANNING] = "scanning",
  [PETRI_ITEM_DONE] = "done",
  [PETRI_ITEM_ERROR] = "error",
};

const char *
petri_item_state_to_string (PetriItemState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (state_names), "error");
  return state_names[state];
}

static void
petri_item_finalize (GObject *object)
{
  PetriItem *self = PETRI_ITEM (object);

  g_clear_object (&self->parent);
  g_free (self->case_name);
  g_free (self->path_raw);
  g_free (self->display_path);
  g_free (self->display_name);
  g_free (self->error);
  g_free (self->sha256);
  g_free (self->sha1);
  g_free (self->md5);
  g_free (self->ssdeep);
  g_free (self->mime);
  g_free (self->description);
  g_ptr_array_unref (self->results);
  g_free (self->sandbox_status);
  g_free (self->sandbox_reason);

  G_OBJECT_CLASS (petri_item_parent_class)->finalize (object);
}

static void
petri_item_class_init (PetriItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = petri_item_finalize;
}

static void
petri_item_init (PetriItem *self)
{
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_engine_result_unref);
}

PetriItem *
petri_item_new (guint64 id, PetriItem *parent, gboolean folder, const char *case_name,
                const char *path_raw, const char *display_name)
{
  PetriItem *self = g_object_new (PETRI_TYPE_ITEM, NULL);
  g_autofree char *base = NULL;

  self->id = id;
  self->parent = parent != NULL ? g_object_ref (parent) : NULL;
  self->folder = folder;
  self->case_name = g_strdup (case_name);
  self->path_raw = g_strdup (path_raw);
  self->display_path = petri_display_name (path_raw);
  if (display_name != NULL)
    self->display_name = g_strdup (display_name);
  else
    {
      base = g_path_get_basename (path_raw);
      self->display_name = petri_display_name (base);
    }
  return self;
}

gboolean
petri_item_is_final (PetriItem *self)
{
  return self->state == PETRI_ITEM_DONE || self->state == PETRI_ITEM_ERROR;
}

void
petri_item_update_verdict (PetriItem *self)
{
  if (self->folder)
    return; /* folders are updated from their children by the pipeline */
  if (self->state == PETRI_ITEM_ERROR)
    self->verdict = PETRI_VERDICT_ERROR;
  else
    self->verdict = petri_verdict_from_results (self->results);
}

guint64
petri_item_get_id (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), 0);
  return self->id;
}

PetriItem *
petri_item_get_parent (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->parent;
}

gboolean
petri_item_is_folder (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), FALSE);
  return self->folder;
}

const char *
petri_item_get_case (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->case_name;
}

const char *
petri_item_get_path_raw (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->path_raw;
}

const char *
petri_item_get_display_path (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->display_path;
}

const char *
petri_item_get_display_name (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->display_name;
}

PetriItemState
petri_item_get_state (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), PETRI_ITEM_ERROR);
  return self->state;
}

const char *
petri_item_get_error (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->error;
}

const char *
petri_item_get_sha256 (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->sha256;
}

const char *
petri_item_get_sha1 (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->sha1;
}

const char *
petri_item_get_md5 (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->md5;
}

const char *
petri_item_get_ssdeep (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->ssdeep;
}

const char *
petri_item_get_mime (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->mime;
}

const char *
petri_item_get_description (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->description;
}

guint64
petri_item_get_size (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), 0);
  return self->size;
}

GPtrArray *
petri_item_get_results (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->results;
}

guint
petri_item_get_n_engines (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), 0);
  return self->n_engines;
}

PetriVerdict
petri_item_get_verdict (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), PETRI_VERDICT_ERROR);
  return self->verdict;
}

const char *
petri_item_get_sandbox_status (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->sandbox_status;
}

const char *
petri_item_get_sandbox_reason (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);
  return self->sandbox_reason;
}

guint64
petri_item_get_request (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), 0);
  return self->request;
}

gboolean
petri_item_is_settled (PetriItem *self)
{
  g_return_val_if_fail (PETRI_IS_ITEM (self), FALSE);
  return petri_item_is_final (self) && self->holds == 0;
}

static void
add_member_string (JsonObject *o, const char *member, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (o, member, value);
  else
    json_object_set_null_member (o, member);
}

JsonNode *
petri_item_to_json (PetriItem *self)
{
  JsonObject *o = json_object_new ();
  JsonArray *engines = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  g_return_val_if_fail (PETRI_IS_ITEM (self), NULL);

  json_object_set_string_member (o, "name", self->display_name);
  json_object_set_string_member (o, "path", self->display_path);
  /* A path that is not UTF-8 also travels as its exact bytes. */
  if (!g_utf8_validate (self->path_raw, -1, NULL))
    {
      g_autofree char *b64
          = g_base64_encode ((const guchar *) self->path_raw, strlen (self->path_raw));
      json_object_set_string_member (o, "path_bytes", b64);
    }
  if (self->parent != NULL && self->parent->folder)
    json_object_set_string_member (o, "folder", self->parent->display_path);
  else if (self->parent != NULL && self->parent->sha256 != NULL)
    json_object_set_string_member (o, "dropped_by", self->parent->sha256);
  json_object_set_string_member (o, "case", self->case_name);
  add_member_string (o, "sha256", self->sha256);
  add_member_string (o, "sha1", self->sha1);
  add_member_string (o, "md5", self->md5);
  if (self->sha256 != NULL)
    json_object_set_int_member (o, "size", (gint64) self->size);
  else
    json_object_set_null_member (o, "size");
  add_member_string (o, "mime", self->mime);
  add_member_string (o, "type", self->description);
  add_member_string (o, "ssdeep", self->ssdeep);
  json_object_set_string_member (o, "verdict", petri_verdict_to_string (self->verdict));
  for (guint i = 0; i < self->results->len; i++)
    json_array_add_element (engines,
                            petri_engine_result_to_json (g_ptr_array_index (self->results, i)));
  json_object_set_array_member (o, "engines", engines);
  if (self->sandbox_status != NULL)
    {
      JsonObject *sandbox = json_object_new ();
      json_object_set_string_member (sandbox, "status", self->sandbox_status);
      add_member_string (sandbox, "reason", self->sandbox_reason);
      json_object_set_object_member (o, "sandbox", sandbox);
    }
  else
    json_object_set_null_member (o, "sandbox");
  add_member_string (o, "error", self->error);
  json_node_take_object (node, o);
  return node;
}
