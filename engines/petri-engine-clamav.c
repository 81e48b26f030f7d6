/* petri-engine-clamav.c: libclamav, one compiled engine shared by every worker
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-engine-private.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <clamav.h>

/* Database formats libclamav loads (readdb.h); .yar/.yara belong to the YARA
 * engine, .cfg/.info only live inside .cvd containers. */
static const char *const database_extensions[] = {
  "cvd", "cld", "cud", "db",  "hdb", "hdu", "hsb", "hsu", "mdb",  "mdu",  "msb", "msu",
  "ndb", "ndu", "ldb", "ldu", "cdb", "fp",  "sfp", "ign", "ign2", "idb",  "wdb", "pdb",
  "gdb", "ftm", "cbc", "crb", "cat", "sdb", "zmd", "rmd", "imp",  "pwdb", "ioc",
};

/* What `clamscan` does with no options, plus all-match; the limits alert is
 * turned into a warning on the result and never into a name. */
#define LIMITS_PREFIX "Heuristics.Limits.Exceeded."

#define PETRI_TYPE_ENGINE_CLAMAV (petri_engine_clamav_get_type ())
G_DECLARE_FINAL_TYPE (PetriEngineClamav, petri_engine_clamav, PETRI, ENGINE_CLAMAV, GObject)

struct _PetriEngineClamav
{
  GObject parent_instance;

  struct cl_engine *engine;
  struct cl_scan_options options;
  char *version;
  char *signatures;
  guint n_signatures;
  guint64 max_file_size; /* in force, for meta_cb */
};

static void petri_engine_clamav_iface_init (PetriEngineInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PetriEngineClamav, petri_engine_clamav, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PETRI_TYPE_ENGINE,
                                                      petri_engine_clamav_iface_init))

/* One scan: the virus-found callback is engine-wide, the context is ours. */
typedef struct
{
  GPtrArray *names;  /* char *, unique, in the order found */
  GPtrArray *limits; /* char *, "MaxFileSize" … */
  guint64 max_file_size;
} ScanContext;

static void
add_unique (GPtrArray *array, const char *s)
{
  for (guint i = 0; i < array->len; i++)
    if (strcmp (g_ptr_array_index (array, i), s) == 0)
      return;
  g_ptr_array_add (array, g_strdup (s));
}

static void
virus_found_cb (int fd, const char *virname, void *context)
{
  ScanContext *ctx = context;

  if (ctx == NULL || virname == NULL)
    return;
  if (g_str_has_prefix (virname, LIMITS_PREFIX))
    add_unique (ctx->limits, virname + strlen (LIMITS_PREFIX));
  else
    add_unique (ctx->names, virname);
}

/* Archive members larger than the file-size limit are cut to it without a
 * word from libclamav (cli_unzip "trims" them); their declared size comes
 * through here. */
static cl_error_t
meta_cb (const char *container_type, unsigned long fsize_container, const char *filename,
         unsigned long fsize_real, int is_encrypted, unsigned int filepos_container, void *context)
{
  ScanContext *ctx = context;

  if (ctx != NULL && ctx->max_file_size > 0 && fsize_real > ctx->max_file_size)
    add_unique (ctx->limits, "MaxFileSize");
  return CL_CLEAN;
}

gboolean
petri_clamav_is_database_name (const char *name)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *ext = NULL;

  if (dot == NULL || dot == name)
    return FALSE;
  ext = g_ascii_strdown (dot + 1, -1);
  return g_strv_contains (database_extensions, ext);
}

static gboolean
is_ignore_list (const char *path)
{
  return g_str_has_suffix (path, ".ign") || g_str_has_suffix (path, ".ign2");
}

/* The files to load, in the order libclamav's own folder loader uses:
 * ignore lists first, so that they apply to everything after them. */
static GPtrArray *
list_databases (const char *dir, GError **error)
{
  g_autoptr (GPtrArray) all = petri_list_dir_files (dir, error);
  g_autoptr (GPtrArray) ordered = g_ptr_array_new_with_free_func (g_free);

  if (all == NULL)
    return NULL;
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < all->len; i++)
      {
        const char *path = g_ptr_array_index (all, i);
        g_autofree char *base = g_path_get_basename (path);

        if (petri_clamav_is_database_name (base) && is_ignore_list (path) == (pass == 0))
          g_ptr_array_add (ordered, g_strdup (path));
      }
  return g_steal_pointer (&ordered);
}

/* libclamav's reason for @rc with what it logged meanwhile. The reason
 * alone: callers name the file. */
static gboolean
check_rc (cl_error_t rc, const char *messages, GError **error)
{
  if (rc == CL_SUCCESS)
    return TRUE;
  g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_SIGNATURES, "%s%s%s", cl_strerror (rc),
               messages != NULL ? " — " : "", messages != NULL ? messages : "");
  return FALSE;
}

static gboolean
load_database (struct cl_engine *engine, const char *path, guint *n_signatures, GError **error)
{
  g_autofree char *messages = NULL;
  unsigned int count = 0;
  cl_error_t rc;

  petri_clamav_capture_begin ();
  rc = cl_load (path, engine, &count, CL_DB_STDOPT);
  messages = petri_clamav_capture_end ();
  if (!check_rc (rc, messages, error))
    return FALSE;
  if (n_signatures != NULL)
    *n_signatures += count;
  return TRUE;
}

static gboolean
compile_engine (struct cl_engine *engine, GError **error)
{
  g_autofree char *messages = NULL;
  cl_error_t rc;

  petri_clamav_capture_begin ();
  rc = cl_engine_compile (engine);
  messages = petri_clamav_capture_end ();
  return check_rc (rc, messages, error);
}

gboolean
petri_clamav_check_database (const char *path, guint *n_signatures, GError **error)
{
  struct cl_engine *engine;
  guint count = 0;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);

  engine = cl_engine_new ();
  if (engine == NULL)
    {
      g_set_error_literal (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_LOAD,
                           _ ("ClamAV could not create an engine (out of memory)."));
      return FALSE;
    }
  ok = load_database (engine, path, &count, error) && compile_engine (engine, error);
  cl_engine_free (engine);
  if (ok && n_signatures != NULL)
    *n_signatures = count;
  return ok;
}

static char *
describe_cvd (const char *path)
{
  struct cl_cvd *cvd = cl_cvdhead (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *date = NULL;
  char *out;

  if (cvd == NULL)
    return NULL;
  date = petri_format_date (cvd->stime);
  out = g_strdup_printf ("%s %u (%s)", base, cvd->version, date);
  cl_cvdfree (cvd);
  return out;
}

static gboolean
is_container (const char *path)
{
  return g_str_has_suffix (path, ".cvd") || g_str_has_suffix (path, ".cld")
         || g_str_has_suffix (path, ".cud");
}

JsonNode *
petri_clamav_describe_database (const char *path, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *base = g_path_get_basename (path);
  unsigned int count = 0;
  GStatBuf st;
  cl_error_t rc;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      return NULL;
    }
  rc = cl_countsigs (path, CL_COUNTSIGS_ALL, &count);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "engine");
  json_builder_add_string_value (b, "clamav");
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, base);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "file");
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, rc == CL_SUCCESS ? (gint64) count : -1);
  if (is_container (path))
    {
      struct cl_cvd *cvd = cl_cvdhead (path);

      if (cvd != NULL)
        {
          g_autofree char *date = petri_format_date (cvd->stime);

          json_builder_set_member_name (b, "version");
          json_builder_add_int_value (b, cvd->version);
          json_builder_set_member_name (b, "date");
          json_builder_add_string_value (b, date);
          cl_cvdfree (cvd);
        }
    }
  else
    {
      g_autofree char *date = petri_format_date (st.st_mtime);

      json_builder_set_member_name (b, "date");
      json_builder_add_string_value (b, date);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---------------------------------------------------------------------- */
/* The engine                                                               */

static void
petri_engine_clamav_finalize (GObject *object)
{
  PetriEngineClamav *self = PETRI_ENGINE_CLAMAV (object);

  g_clear_pointer (&self->engine, cl_engine_free);
  g_free (self->version);
  g_free (self->signatures);
  G_OBJECT_CLASS (petri_engine_clamav_parent_class)->finalize (object);
}

static void
petri_engine_clamav_class_init (PetriEngineClamavClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = petri_engine_clamav_finalize;
}

static void
petri_engine_clamav_init (PetriEngineClamav *self)
{
  /* clamscan's defaults: every parser, heuristic alerts, and --allmatch. */
  self->options.general = CL_SCAN_GENERAL_ALLMATCHES | CL_SCAN_GENERAL_HEURISTICS;
  self->options.parse = ~0u;
  /* Not a clamscan default: it makes libclamav tell us (as a heuristic
   * name, which scan() turns into a warning) when a limit cut a scan short,
   * where clamscan stays silent. */
  self->options.heuristic = CL_SCAN_HEURISTIC_EXCEEDS_MAX;
}

static const char *
clamav_get_name (PetriEngine *engine)
{
  return "clamav";
}

static const char *
clamav_get_version (PetriEngine *engine)
{
  return PETRI_ENGINE_CLAMAV (engine)->version;
}

static const char *
clamav_get_signatures (PetriEngine *engine)
{
  return PETRI_ENGINE_CLAMAV (engine)->signatures;
}

static guint
clamav_get_signature_count (PetriEngine *engine)
{
  return PETRI_ENGINE_CLAMAV (engine)->n_signatures;
}

static const char *
limit_description (const char *limit)
{
  /* The names libclamav uses after "Heuristics.Limits.Exceeded.". */
  if (strcmp (limit, "MaxFileSize") == 0)
    return _ ("file size");
  if (strcmp (limit, "MaxScanSize") == 0)
    return _ ("scan size");
  if (strcmp (limit, "MaxRecursion") == 0)
    return _ ("archive recursion depth");
  if (strcmp (limit, "MaxFiles") == 0)
    return _ ("number of files in the archive");
  if (strcmp (limit, "MaxScanTime") == 0)
    return _ ("scan time");
  return limit;
}

static void
set_details_limits (PetriEngineResult *result, GPtrArray *limits)
{
  JsonObject *details = json_object_new ();
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < limits->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (limits, i));
  json_object_set_array_member (details, "limits", array);
  result->details = json_node_init_object (json_node_alloc (), details);
  json_object_unref (details);
}

static PetriEngineResult *
clamav_scan (PetriEngine *engine, const PetriSampleData *sample, GCancellable *cancellable)
{
  PetriEngineClamav *self = PETRI_ENGINE_CLAMAV (engine);
  PetriEngineResult *result = petri_engine_result_new ("clamav", self->version, self->signatures);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) limits = g_ptr_array_new_with_free_func (g_free);
  const char *display = sample->file_path != NULL ? sample->file_path : sample->store_path;
  ScanContext ctx = { names, limits, self->max_file_size };
  struct cl_scan_options options = self->options;
  const char *virname = NULL;
  unsigned long scanned = 0;
  gboolean heuristic_only = TRUE;
  cl_error_t rc;

  if (g_cancellable_is_cancelled (cancellable))
    {
      result->kind = PETRI_RESULT_ERROR;
      result->error = g_strdup (_ ("The scan was cancelled."));
      return result;
    }

  if (sample->data != NULL || sample->fd < 0)
    {
      /* The mapping the caller made: libclamav does not map the file a
       * second time (measurably faster, and the same names as clamscan). */
      static const guint8 empty[1];
      cl_fmap_t *map = cl_fmap_open_memory (sample->data != NULL ? sample->data : empty,
                                            sample->data != NULL ? sample->size : 0);

      if (map == NULL)
        {
          result->kind = PETRI_RESULT_ERROR;
          result->error
              = g_strdup_printf (_ ("ClamAV could not scan “%s”: out of memory."), display);
          return result;
        }
      rc = cl_scanmap_callback (map, sample->store_path, &virname, &scanned, self->engine, &options,
                                &ctx);
      cl_fmap_close (map);
    }
  else
    {
      /* Not mapped (empty, or larger than the caller maps): the descriptor. */
      rc = cl_scandesc_callback (sample->fd, sample->store_path, &virname, &scanned, self->engine,
                                 &options, &ctx);
    }

  switch (rc)
    {
    case CL_VIRUS:
      /* The callback saw every name; this is only a fallback. */
      if (names->len == 0 && limits->len == 0 && virname != NULL)
        virus_found_cb (-1, virname, &ctx);
      break;
    case CL_CLEAN:
      break;
    case CL_ETIMEOUT:
      add_unique (limits, "MaxScanTime");
      break;
    case CL_EMAXREC:
      add_unique (limits, "MaxRecursion");
      break;
    case CL_EMAXSIZE:
      add_unique (limits, "MaxScanSize");
      break;
    case CL_EMAXFILES:
      add_unique (limits, "MaxFiles");
      break;
    default:
      result->kind = PETRI_RESULT_ERROR;
      result->error
          = g_strdup_printf (_ ("ClamAV could not scan “%s”: %s"), display, cl_strerror (rc));
      break;
    }

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      g_ptr_array_add (result->names, g_strdup (name));
      heuristic_only = heuristic_only && petri_name_is_heuristic (name);
    }
  if (result->kind != PETRI_RESULT_ERROR)
    result->kind = names->len > 0 ? PETRI_RESULT_DETECTED : PETRI_RESULT_CLEAN;
  result->heuristic = names->len > 0 && heuristic_only;

  if (limits->len > 0)
    {
      g_autoptr (GString) what = g_string_new (NULL);

      for (guint i = 0; i < limits->len; i++)
        {
          if (i > 0)
            g_string_append (what, ", ");
          g_string_append (what, limit_description (g_ptr_array_index (limits, i)));
        }
      set_details_limits (result, limits);
      if (result->error == NULL)
        /* Translators: the second %s lists limits, e.g. "scan size, number of files". */
        result->error = g_strdup_printf (
            _ ("ClamAV did not scan all of “%s”: limit exceeded (%s)."), display, what->str);
    }
  return result;
}

static void
petri_engine_clamav_iface_init (PetriEngineInterface *iface)
{
  iface->get_name = clamav_get_name;
  iface->get_version = clamav_get_version;
  iface->get_signatures = clamav_get_signatures;
  iface->get_signature_count = clamav_get_signature_count;
  iface->scan = clamav_scan;
}

static gboolean
apply_limits (struct cl_engine *engine, const PetriEngineLimits *limits, GError **error)
{
  struct
  {
    enum cl_engine_field field;
    guint64 value;
  } set[] = {
    { CL_ENGINE_MAX_FILESIZE, limits->max_file_size },
    { CL_ENGINE_MAX_SCANSIZE, limits->max_scan_size },
    { CL_ENGINE_MAX_RECURSION, limits->max_recursion },
    { CL_ENGINE_MAX_FILES, limits->max_files },
  };

  for (guint i = 0; i < G_N_ELEMENTS (set); i++)
    {
      cl_error_t rc;

      if (set[i].value == 0)
        continue; /* libclamav's default, as clamscan */
      rc = cl_engine_set_num (engine, set[i].field, (long long) set[i].value);
      if (rc != CL_SUCCESS)
        {
          g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_LOAD,
                       _ ("ClamAV refused a scan limit: %s"), cl_strerror (rc));
          return FALSE;
        }
    }
  return TRUE;
}

static char *
describe_set (GPtrArray *loaded, guint n_signatures)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GPtrArray) containers = g_ptr_array_new_with_free_func (g_free);
  gint64 newest = 0;

  for (guint i = 0; i < loaded->len; i++)
    {
      const char *path = g_ptr_array_index (loaded, i);
      GStatBuf st;

      if (is_container (path))
        {
          char *cvd = describe_cvd (path);
          if (cvd != NULL)
            g_ptr_array_add (containers, cvd);
        }
      else if (g_stat (path, &st) == 0)
        newest = MAX (newest, (gint64) st.st_mtime);
    }

  g_string_append_printf (out, ngettext ("%u signature", "%u signatures", n_signatures),
                          n_signatures);
  for (guint i = 0; i < containers->len; i++)
    g_string_append_printf (out, ", %s", (const char *) g_ptr_array_index (containers, i));
  if (newest > 0)
    {
      g_autofree char *date = petri_format_date (newest);
      guint n = loaded->len - containers->len;

      /* Translators: appended to "%u signatures, daily.cvd 27000 (2026-01-02)": the
       * number of loose database files and the date of the newest */
      g_string_append_printf (out, ngettext (" in %u file, up to %s", " in %u files, up to %s", n),
                              n, date);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static PetriEngine *
clamav_load (const char *dir, const PetriEngineLimits *limits, GPtrArray *warnings, GError **error)
{
  g_autoptr (GPtrArray) files = list_databases (dir, error);
  g_autoptr (GHashTable) skip = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) loaded = NULL;
  struct cl_engine *engine = NULL;
  g_autoptr (GError) local_error = NULL;
  guint n_signatures = 0;
  PetriEngineClamav *self;

  if (files == NULL)
    return NULL;
  if (files->len == 0)
    return NULL;

  /* Load every file; one that fails is left out and the engine rebuilt
   * without it (a failed cl_load() can leave half a file in the engine). */
  for (;;)
    {
      const char *bad = NULL;

      engine = cl_engine_new ();
      if (engine == NULL)
        {
          g_set_error_literal (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_LOAD,
                               _ ("ClamAV could not create an engine (out of memory)."));
          return NULL;
        }
      g_clear_pointer (&loaded, g_ptr_array_unref);
      loaded = g_ptr_array_new ();
      n_signatures = 0;
      for (guint i = 0; i < files->len && bad == NULL; i++)
        {
          const char *path = g_ptr_array_index (files, i);
          g_autoptr (GError) file_error = NULL;

          if (g_hash_table_contains (skip, path))
            continue;
          if (load_database (engine, path, &n_signatures, &file_error))
            g_ptr_array_add (loaded, (gpointer) path);
          else
            {
              g_ptr_array_add (warnings, g_strdup_printf (_ ("ClamAV cannot load “%s”: %s"), path,
                                                          file_error->message));
              bad = path;
            }
        }
      if (bad == NULL)
        break;
      g_hash_table_add (skip, (gpointer) bad);
      cl_engine_free (engine);
      engine = NULL;
    }

  if (loaded->len == 0)
    {
      cl_engine_free (engine);
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_LOAD,
                   _ ("No ClamAV database in “%s” could be loaded."), dir);
      return NULL;
    }
  if (!apply_limits (engine, limits, error))
    {
      cl_engine_free (engine);
      return NULL;
    }
  if (!compile_engine (engine, &local_error))
    {
      g_set_error (error, PETRI_ENGINE_ERROR, PETRI_ENGINE_ERROR_LOAD,
                   _ ("ClamAV cannot compile the signatures in “%s”: %s"), dir,
                   local_error->message);
      cl_engine_free (engine);
      return NULL;
    }
  cl_engine_set_clcb_virus_found (engine, virus_found_cb);
  cl_engine_set_clcb_meta (engine, meta_cb);

  self = g_object_new (PETRI_TYPE_ENGINE_CLAMAV, NULL);
  self->engine = engine;
  self->version = g_strdup (cl_retver ());
  self->n_signatures = n_signatures;
  self->max_file_size = (guint64) cl_engine_get_num (engine, CL_ENGINE_MAX_FILESIZE, NULL);
  self->signatures = describe_set (loaded, n_signatures);
  g_debug ("ClamAV %s: %s", self->version, self->signatures);
  return PETRI_ENGINE (self);
}

const PetriEngineKind petri_engine_kind_clamav = {
  .name = "clamav",
  .subdir = "clamav",
  .load = clamav_load,
};
