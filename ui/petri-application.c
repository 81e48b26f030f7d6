/* petri-application.c: the GtkApplication
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One instance per session: `petri FILE…` while Petri runs hands the files
 * to the running window. The context (data directory, case database,
 * engines) opens on a worker thread while the window already shows.
 */
#include "config.h"

#include "petri-application.h"

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "petri-preferences-dialog.h"
#include "petri-sandbox-stage.h"
#include "petri-sandbox.h"
#include "petri-window.h"

struct _PetriApplication
{
  GtkApplication parent_instance;

  char *data_dir_override;
  GSettings *settings;
  PetriContext *context;
  PetriPipeline *pipeline;
  GError *error;
  GError *sandbox_error; /* a sandbox is set up but cannot be used */
  gboolean sandbox_attached;
  gboolean loading;
  GCancellable *cancellable;
  guint sigterm_id;
  guint sigint_id;
};

G_DEFINE_FINAL_TYPE (PetriApplication, petri_application, GTK_TYPE_APPLICATION)

enum
{
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------- */
/* Settings                                                                 */

GSettings *
petri_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, PETRI_APP_ID, TRUE);
  if (schema == NULL && petri_running_uninstalled ())
    {
      /* The build compiles the schema into its data/ directory. */
      g_autoptr (GSettingsSchemaSource) build = g_settings_schema_source_new_from_directory (
          PETRI_BUILD_DIR "/data", source, FALSE, NULL);
      if (build != NULL)
        schema = g_settings_schema_source_lookup (build, PETRI_APP_ID, FALSE);
    }
  if (schema == NULL)
    {
      g_debug ("GSettings schema %s is not installed; using the defaults", PETRI_APP_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

void
petri_settings_from_gsettings (PetriSettings *out, GSettings *settings)
{
  *out = (PetriSettings){ 0 };
  if (settings == NULL)
    return;
  out->workers = g_settings_get_uint (settings, "workers");
  out->limits.max_file_size = (guint64) g_settings_get_uint (settings, "max-file-size") << 20;
  out->limits.max_scan_size = (guint64) g_settings_get_uint (settings, "max-scan-size") << 20;
  out->limits.max_recursion = g_settings_get_uint (settings, "max-recursion");
  out->limits.max_files = g_settings_get_uint (settings, "max-files");
  out->limits.yara_timeout_s = g_settings_get_uint (settings, "yara-timeout");
}

GSettings *
petri_application_get_settings (PetriApplication *self)
{
  g_return_val_if_fail (PETRI_IS_APPLICATION (self), NULL);
  return self->settings;
}

PetriContext *
petri_application_get_context (PetriApplication *self)
{
  g_return_val_if_fail (PETRI_IS_APPLICATION (self), NULL);
  return self->context;
}

PetriPipeline *
petri_application_get_pipeline (PetriApplication *self)
{
  g_return_val_if_fail (PETRI_IS_APPLICATION (self), NULL);
  return self->pipeline;
}

const GError *
petri_application_get_error (PetriApplication *self)
{
  g_return_val_if_fail (PETRI_IS_APPLICATION (self), NULL);
  return self->error;
}

const GError *
petri_application_get_sandbox_error (PetriApplication *self)
{
  g_return_val_if_fail (PETRI_IS_APPLICATION (self), NULL);
  return self->sandbox_error;
}

gboolean
petri_application_attach_sandbox (PetriApplication *self, GError **error)
{
  g_return_val_if_fail (PETRI_IS_APPLICATION (self), FALSE);

  if (self->sandbox_attached)
    return TRUE;
  if (self->pipeline == NULL)
    {
      g_set_error_literal (error, PETRI_APP_ERROR, PETRI_APP_ERROR_FAILED,
                           _ ("The data directory is not open."));
      return FALSE;
    }
  if (!petri_sandbox_stage_attach (self->pipeline, FALSE, error))
    return FALSE;
  self->sandbox_attached = TRUE;
  g_clear_error (&self->sandbox_error);
  return TRUE;
}

gboolean
petri_application_has_sandbox (PetriApplication *self)
{
  g_return_val_if_fail (PETRI_IS_APPLICATION (self), FALSE);
  return self->sandbox_attached;
}

gboolean
petri_application_is_loading (PetriApplication *self)
{
  g_return_val_if_fail (PETRI_IS_APPLICATION (self), FALSE);
  return self->loading;
}

/* ---------------------------------------------------------------------- */
/* Opening the context off the main thread                                  */

typedef struct
{
  char *data_dir_override;
  PetriSettings settings;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->data_dir_override);
  g_free (data);
}

static void
open_context_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  OpenData *data = task_data;
  g_autofree char *dir = petri_data_dir_resolve (data->data_dir_override);
  GError *error = NULL;
  PetriContext *context = petri_context_new (dir, &data->settings, &error);

  if (context == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, context, g_object_unref);
}

static void
open_context_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PetriApplication *self = PETRI_APPLICATION (source);
  g_autoptr (GError) error = NULL;
  PetriContext *context = g_task_propagate_pointer (G_TASK (result), &error);

  self->loading = FALSE;
  if (context == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("Could not open the data directory: %s", error->message);
      self->error = g_steal_pointer (&error);
    }
  else
    {
      g_autoptr (GError) sandbox_error = NULL;

      self->context = context;
      petri_context_load_engines (context);
      self->pipeline = petri_pipeline_new (context);
      /* Executables go to the sandbox when one is set up (as with `petri scan`). */
      if (petri_sandbox_stage_attach (self->pipeline, FALSE, &sandbox_error))
        self->sandbox_attached = TRUE;
      else if (!g_error_matches (sandbox_error, PETRI_SANDBOX_ERROR,
                                 PETRI_SANDBOX_ERROR_NOT_CONFIGURED))
        self->sandbox_error = g_steal_pointer (&sandbox_error);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTEXT]);
}

static void
start_opening (PetriApplication *self)
{
  g_autoptr (GTask) task = NULL;
  OpenData *data = g_new0 (OpenData, 1);

  data->data_dir_override = g_strdup (self->data_dir_override);
  petri_settings_from_gsettings (&data->settings, self->settings);
  self->loading = TRUE;
  task = g_task_new (self, self->cancellable, open_context_cb, NULL);
  g_task_set_source_tag (task, start_opening);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_context_thread);
}

/* ---------------------------------------------------------------------- */
/* Actions                                                                  */

static void
quit_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PetriApplication *self = user_data;
  GList *windows;

  /* Closing the windows lets each save its state. */
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (self))) != NULL)
    gtk_widget_destroy (windows->data);
  g_application_quit (G_APPLICATION (self));
}

static void
preferences_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PetriApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *dialog = petri_preferences_dialog_new (
      parent, self->settings,
      self->context != NULL ? petri_context_get_data_dir (self->context) : NULL);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
about_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PetriApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *authors[] = { _ ("The Petri authors"), NULL };

  gtk_show_about_dialog (
      parent, "program-name", "Petri", "version", PACKAGE_VERSION, "logo-icon-name", PETRI_APP_ID,
      "comments", _ ("An offline workbench for malware analysts"), "license-type",
      GTK_LICENSE_GPL_2_0, "authors", authors, "copyright", _ ("© 2026 The Petri authors"),
      /* Translators: put your names here, one per line */
      "translator-credits", _ ("translator-credits"), NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated, NULL, NULL, NULL, { 0 } },
  { "preferences", preferences_activated, NULL, NULL, NULL, { 0 } },
  { "about", about_activated, NULL, NULL, NULL, { 0 } },
};

static gboolean
terminate_cb (gpointer user_data)
{
  PetriApplication *self = user_data;

  g_debug ("terminating on a signal");
  g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* GApplication                                                             */

static PetriWindow *
ensure_window (PetriApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (petri_window_new (self));
  return PETRI_WINDOW (window);
}

static void
petri_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (ensure_window (PETRI_APPLICATION (app))));
}

static void
petri_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  PetriWindow *window = ensure_window (PETRI_APPLICATION (app));
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  for (int i = 0; i < n_files; i++)
    {
      char *path = g_file_get_path (files[i]);
      if (path != NULL)
        g_ptr_array_add (paths, path);
    }
  g_ptr_array_add (paths, NULL);
  petri_window_add_paths (window, (const char *const *) paths->pdata);
  gtk_window_present (GTK_WINDOW (window));
}

static int
petri_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  PetriApplication *self = PETRI_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("petri %s\n", PACKAGE_VERSION);
      return 0;
    }
  g_variant_dict_lookup (options, "data-dir", "^ay", &self->data_dir_override);
  return -1;
}

static void
petri_application_startup (GApplication *app)
{
  PetriApplication *self = PETRI_APPLICATION (app);
  g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();
  static const struct
  {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Primary>q", NULL } },
    { "app.preferences", { "<Primary>comma", NULL } },
    { "win.add-files", { "<Primary>o", NULL } },
    { "win.add-folder", { "<Primary><Shift>o", NULL } },
    { "win.search", { "<Primary>f", NULL } },
    { "win.new-case", { "<Primary>n", NULL } },
    { "win.switch-case", { "F9", NULL } },
    { "win.case-history", { "<Primary>h", NULL } },
    { "win.signatures", { "<Primary><Shift>s", NULL } },
    { "win.sandbox", { "<Primary><Shift>b", NULL } },
    { "win.copy-sha256", { "<Primary><Shift>c", NULL } },
    { "win.show-tab(0)", { "<Alt>1", NULL } },
    { "win.show-tab(1)", { "<Alt>2", NULL } },
    { "win.show-tab(2)", { "<Alt>3", NULL } },
    { "win.show-tab(3)", { "<Alt>4", NULL } },
    { "win.close", { "<Primary>w", NULL } },
    { "win.show-help-overlay", { "<Primary>question", "<Primary>F1", NULL } },
  };

  G_APPLICATION_CLASS (petri_application_parent_class)->startup (app);

  /* libclamav and libyara are initialised once, here on the main thread. */
  petri_engines_init ();

  g_set_application_name ("Petri");
  gtk_window_set_default_icon_name (PETRI_APP_ID);
  gtk_css_provider_load_from_resource (css, PETRI_RESOURCE_PATH "/style.css");
  gtk_style_context_add_provider_for_screen (gdk_screen_get_default (), GTK_STYLE_PROVIDER (css),
                                             GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action,
                                           accels[i].accels);

  self->settings = petri_settings_new ();
  self->sigterm_id = g_unix_signal_add (SIGTERM, terminate_cb, self);
  self->sigint_id = g_unix_signal_add (SIGINT, terminate_cb, self);
  start_opening (self);
}

static void
petri_application_shutdown (GApplication *app)
{
  PetriApplication *self = PETRI_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  if (self->pipeline != NULL)
    petri_pipeline_cancel (self->pipeline);
  g_clear_object (&self->pipeline);
  /* Every write queued so far is committed before Petri exits. */
  if (self->context != NULL)
    petri_case_store_close (petri_context_get_store (self->context));
  g_clear_object (&self->context);
  if (self->settings != NULL)
    g_settings_sync ();

  G_APPLICATION_CLASS (petri_application_parent_class)->shutdown (app);
}

static void
petri_application_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PetriApplication *self = PETRI_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
petri_application_finalize (GObject *object)
{
  PetriApplication *self = PETRI_APPLICATION (object);

  g_clear_object (&self->pipeline);
  g_clear_object (&self->context);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  g_clear_error (&self->sandbox_error);
  g_free (self->data_dir_override);
  G_OBJECT_CLASS (petri_application_parent_class)->finalize (object);
}

static void
petri_application_class_init (PetriApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->get_property = petri_application_get_property;
  object_class->finalize = petri_application_finalize;
  app_class->activate = petri_application_activate;
  app_class->open = petri_application_open;
  app_class->startup = petri_application_startup;
  app_class->shutdown = petri_application_shutdown;
  app_class->handle_local_options = petri_application_handle_local_options;

  properties[PROP_CONTEXT] = g_param_spec_object ("context", NULL, NULL, PETRI_TYPE_CONTEXT,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
petri_application_init (PetriApplication *self)
{
  static const GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
      N_ ("Keep cases, samples and signatures in DIR"), N_ ("DIR") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Show the version and exit"), NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };

  self->cancellable = g_cancellable_new ();
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _ ("[FILE…]"));
  g_application_set_option_context_summary (
      G_APPLICATION (self), _ ("Without a command, opens the workbench window; FILE… are added to "
                               "the current case."));
}

PetriApplication *
petri_application_new (void)
{
  return g_object_new (PETRI_TYPE_APPLICATION, "application-id", PETRI_APP_ID, "flags",
                       G_APPLICATION_HANDLES_OPEN, NULL);
}
