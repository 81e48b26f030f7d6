/* petri-sandbox-config.c: sandbox.conf and which samples go to the sandbox
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "config.h"

#include "petri-sandbox-private.h"

#include <glib/gi18n.h>
#include <string.h>

/* The quark name is stringified: keep it as written. */
/* clang-format off */
G_DEFINE_QUARK (petri-sandbox-error-quark, petri_sandbox_error)
/* clang-format on */

void
petri_vm_config_free (PetriVmConfig *vm)
{
  if (vm == NULL)
    return;
  g_free (vm->name);
  g_free (vm->uri);
  g_free (vm->domain);
  g_free (vm->snapshot);
  g_free (vm->platform);
  g_free (vm);
}

void
petri_sandbox_config_free (PetriSandboxConfig *config)
{
  if (config == NULL)
    return;
  g_clear_pointer (&config->vms, g_ptr_array_unref);
  g_free (config->images_dir);
  g_free (config);
}

char *
petri_sandbox_config_path (const char *data_dir)
{
  g_return_val_if_fail (data_dir != NULL, NULL);
  return g_build_filename (data_dir, "sandbox.conf", NULL);
}

static gboolean
get_uint (GKeyFile *kf, const char *path, const char *group, const char *key, guint64 def,
          guint64 min, guint64 max, guint64 *out, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  guint64 v;

  if (!g_key_file_has_key (kf, group, key, NULL))
    {
      *out = def;
      return TRUE;
    }
  v = g_key_file_get_uint64 (kf, group, key, &local_error);
  if (local_error != NULL || v < min || v > max)
    {
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG,
                   _ ("%s: [%s] %s must be a whole number from %llu to %llu."), path, group, key,
                   (unsigned long long) min, (unsigned long long) max);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static char *
get_string (GKeyFile *kf, const char *path, const char *group, const char *key, const char *def,
            GError **error)
{
  g_autofree char *v = g_key_file_get_string (kf, group, key, NULL);

  if (v != NULL)
    g_strstrip (v);
  if (v == NULL || *v == '\0')
    {
      if (def != NULL)
        return g_strdup (def);
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG,
                   _ ("%s: [%s] has no “%s”."), path, group, key);
      return NULL;
    }
  return g_steal_pointer (&v);
}

PetriSandboxConfig *
petri_sandbox_config_load (const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (PetriSandboxConfig) config = g_new0 (PetriSandboxConfig, 1);
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv) groups = NULL;
  guint64 v;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_NOT_CONFIGURED,
                     _ ("No sandbox is configured (%s does not exist); run “petri sandbox "
                        "init”."),
                     path);
      else
        g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG,
                     _ ("Cannot read the sandbox configuration %s: %s"), path,
                     local_error->message);
      return NULL;
    }

  config->vms = g_ptr_array_new_with_free_func ((GDestroyNotify) petri_vm_config_free);
  if (!get_uint (kf, path, "sandbox", "duration", PETRI_SANDBOX_DEFAULT_DURATION, 1, 3600, &v,
                 error))
    return NULL;
  config->duration = (guint) v;
  if (!get_uint (kf, path, "sandbox", "max_size", PETRI_SANDBOX_DEFAULT_MAX_SIZE, 1,
                 1024u * 1024u * 1024u, &config->max_size, error))
    return NULL;
  if (!get_uint (kf, path, "sandbox", "handshake_timeout", 90, 1, 3600, &v, error))
    return NULL;
  config->handshake_timeout = (guint) v;
  if (!get_uint (kf, path, "sandbox", "io_timeout", 30, 1, 3600, &v, error))
    return NULL;
  config->io_timeout = (guint) v;
  if (!get_uint (kf, path, "sandbox", "grace", 30, 1, 3600, &v, error))
    return NULL;
  config->grace = (guint) v;
  config->images_dir = g_key_file_get_string (kf, "sandbox", "images_dir", NULL);

  groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autoptr (PetriVmConfig) vm = NULL;
      g_autofree char *clean = NULL;
      const char *group = groups[i];

      if (strcmp (group, "sandbox") == 0)
        continue;
      if (!g_str_has_prefix (group, "vm ") || group[3] == '\0')
        {
          g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG,
                       _ ("%s: unknown group [%s]; VMs are groups named [vm NAME]."), path, group);
          return NULL;
        }
      vm = g_new0 (PetriVmConfig, 1);
      vm->name = g_strdup (group + 3);
      if ((vm->uri = get_string (kf, path, group, "uri", NULL, error)) == NULL
          || (vm->domain = get_string (kf, path, group, "domain", NULL, error)) == NULL
          || (clean = get_string (kf, path, group, "clean", "boot", error)) == NULL
          || (vm->platform = get_string (kf, path, group, "platform", "linux", error)) == NULL)
        return NULL;
      if (g_str_has_prefix (clean, "snapshot:") && clean[9] != '\0')
        vm->snapshot = g_strdup (clean + 9);
      else if (strcmp (clean, "boot") != 0)
        {
          g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG,
                       _ ("%s: [%s] clean must be “boot” or “snapshot:NAME”, not “%s”."), path,
                       group, clean);
          return NULL;
        }
      if (strcmp (vm->platform, "linux") != 0 && strcmp (vm->platform, "windows") != 0)
        {
          g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG,
                       _ ("%s: [%s] platform must be “linux” or “windows”, not “%s”."), path, group,
                       vm->platform);
          return NULL;
        }
      if (g_key_file_has_key (kf, group, "allow_network", NULL))
        {
          vm->allow_network = g_key_file_get_boolean (kf, group, "allow_network", &local_error);
          if (local_error != NULL)
            {
              g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG,
                           _ ("%s: [%s] allow_network must be true or false."), path, group);
              return NULL;
            }
        }
      g_ptr_array_add (config->vms, g_steal_pointer (&vm));
    }
  if (config->vms->len == 0)
    {
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_NOT_CONFIGURED,
                   _ ("%s names no VM; run “petri sandbox init” or add a [vm NAME] group."), path);
      return NULL;
    }
  return g_steal_pointer (&config);
}

gboolean
petri_sandbox_is_configured (const char *data_dir)
{
  g_autofree char *path = petri_sandbox_config_path (data_dir);
  g_autoptr (PetriSandboxConfig) config = petri_sandbox_config_load (path, NULL);

  return config != NULL;
}

/* The limits' ranges, as petri_sandbox_config_load() accepts them. */
#define DURATION_MAX 3600
#define MAX_SIZE_MAX (1024u * 1024u * 1024u)

gboolean
petri_sandbox_read_limits (const char *conf_path, PetriSandboxLimits *limits, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  guint64 duration;

  g_return_val_if_fail (conf_path != NULL, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);

  if (!g_key_file_load_from_file (kf, conf_path, G_KEY_FILE_NONE, &local_error)
      && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG,
                   _ ("Cannot read the sandbox configuration %s: %s"), conf_path,
                   local_error->message);
      return FALSE;
    }
  if (!get_uint (kf, conf_path, "sandbox", "duration", PETRI_SANDBOX_DEFAULT_DURATION, 1,
                 DURATION_MAX, &duration, error)
      || !get_uint (kf, conf_path, "sandbox", "max_size", PETRI_SANDBOX_DEFAULT_MAX_SIZE, 1,
                    MAX_SIZE_MAX, &limits->max_size, error))
    return FALSE;
  limits->duration = (guint) duration;
  return TRUE;
}

gboolean
petri_sandbox_write_limits (const char *conf_path, const PetriSandboxLimits *limits, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;

  g_return_val_if_fail (conf_path != NULL, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);

  if (limits->duration < 1 || limits->duration > DURATION_MAX || limits->max_size < 1
      || limits->max_size > MAX_SIZE_MAX)
    {
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG,
                   _ ("%s: the analysis duration must be from 1 to %u seconds and the size limit "
                      "from 1 byte to %u bytes."),
                   conf_path, (guint) DURATION_MAX, (guint) MAX_SIZE_MAX);
      return FALSE;
    }
  /* Everything else in the file (VMs, comments) stays as it is. */
  if (!g_key_file_load_from_file (
          kf, conf_path, G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, &local_error)
      && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG,
                   _ ("Cannot read the sandbox configuration %s: %s"), conf_path,
                   local_error->message);
      return FALSE;
    }
  g_key_file_set_uint64 (kf, "sandbox", "duration", limits->duration);
  g_key_file_set_uint64 (kf, "sandbox", "max_size", limits->max_size);
  text = g_key_file_to_data (kf, &len, NULL);
  g_clear_error (&local_error);
  if (!g_file_set_contents_full (conf_path, text, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, &local_error))
    {
      g_set_error (error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_CONFIG,
                   _ ("Cannot write the sandbox configuration %s: %s"), conf_path,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
mime_is_executable (const char *mime)
{
  static const char *const types[] = {
    "application/x-executable",
    "application/x-pie-executable",
    "application/x-sharedlib",
    "application/x-dosexec",
    "application/vnd.microsoft.portable-executable",
    NULL,
  };
  return mime != NULL && g_strv_contains (types, mime);
}

gboolean
petri_sandbox_is_eligible (const char *mime, const char *description, const guint8 *head,
                           gsize head_len, guint64 size, guint64 max_size, char **reason)
{
  gboolean elf = head_len >= 4 && memcmp (head, "\177ELF", 4) == 0;
  gboolean pe = head_len >= 2 && memcmp (head, "MZ", 2) == 0
                && (mime_is_executable (mime)
                    || (description != NULL && strstr (description, "PE32") != NULL));
  gboolean script = head_len >= 2 && head[0] == '#' && head[1] == '!';

  if (reason != NULL)
    *reason = NULL;
  if (size == 0)
    {
      if (reason != NULL)
        *reason = g_strdup (_ ("an empty file"));
      return FALSE;
    }
  if (!(elf || pe || script))
    {
      if (reason != NULL)
        *reason = g_strdup_printf (_ ("not an executable (%s)"),
                                   mime != NULL && *mime != '\0' ? mime : _ ("unknown type"));
      return FALSE;
    }
  if (max_size > 0 && size > max_size)
    {
      if (reason != NULL)
        {
          g_autofree char *limit = NULL;

          if (max_size % (1024 * 1024) == 0)
            /* Translators: a size limit in megabytes */
            limit
                = g_strdup_printf (_ ("%llu MB"), (unsigned long long) (max_size / (1024 * 1024)));
          else
            limit = g_format_size_full (max_size, G_FORMAT_SIZE_IEC_UNITS);
          *reason = g_strdup_printf (_ ("larger than %s"), limit);
        }
      return FALSE;
    }
  return TRUE;
}
