/* petri-preferences-dialog.c: worker count, scan limits and the sandbox's limits
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The scan controls are bound to GSettings keys; the values reach the
 * pipeline and the engines the next time Petri starts (PetriSettings is
 * read once, when the context is created). The sandbox's run time and size
 * limit are part of its own configuration, `<data dir>/sandbox.conf`, which
 * `petri sandbox` and the pool read too: they are read and written here on
 * a worker thread, and apply to the next sample sent to the sandbox.
 */
#include "config.h"

#include "petri-preferences-dialog.h"

#include <glib/gi18n.h>

#include "petri-sandbox.h"
#include "petri-ui-util.h"

#define SANDBOX_SAVE_DELAY_MS 500
#define MIB (1024u * 1024u)

/* The sandbox part: two spin buttons over sandbox.conf. */
typedef struct
{
  GtkWidget *dialog;
  char *conf_path;
  GtkSpinButton *duration;
  GtkSpinButton *max_size; /* MiB */
  GtkLabel *status;
  GCancellable *life;
  guint save_id;
  gboolean loaded;
  gboolean writing;
  gboolean dirty;          /* changed while a write was running */
  guint64 loaded_max_size; /* bytes, kept when the MiB field is not touched */
} SandboxPart;

typedef struct
{
  char *conf_path;
  PetriSandboxLimits limits;
} LimitsData;

static void
limits_data_free (LimitsData *d)
{
  g_free (d->conf_path);
  g_free (d);
}

static void write_thread (GTask *task, gpointer source, gpointer task_data,
                          GCancellable *cancellable);
static LimitsData *limits_from_fields (SandboxPart *p);

/* Before the fields go: what was typed last is written, dialog or not. */
static void
dialog_destroy_cb (GtkWidget *dialog, SandboxPart *p)
{
  if (p->loaded && (p->save_id != 0 || p->dirty))
    {
      g_autoptr (GTask) task = g_task_new (NULL, NULL, NULL, NULL);

      g_task_set_task_data (task, limits_from_fields (p), (GDestroyNotify) limits_data_free);
      g_task_run_in_thread (task, write_thread);
    }
  p->loaded = FALSE;
  g_clear_handle_id (&p->save_id, g_source_remove);
}

static void
sandbox_part_free (SandboxPart *p)
{
  g_cancellable_cancel (p->life);
  g_clear_object (&p->life);
  g_clear_handle_id (&p->save_id, g_source_remove);
  g_free (p->conf_path);
  g_free (p);
}

static void
read_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LimitsData *d = task_data;
  GError *error = NULL;

  if (petri_sandbox_read_limits (d->conf_path, &d->limits, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
write_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LimitsData *d = task_data;
  GError *error = NULL;

  if (petri_sandbox_write_limits (d->conf_path, &d->limits, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void save_limits (SandboxPart *p);

static void
written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SandboxPart *p = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  p->writing = FALSE;
  if (!ok)
    gtk_label_set_text (p->status, error->message);
  else
    {
      /* Translators: %s is the path of sandbox.conf */
      g_autofree char *text = g_strdup_printf (_ ("Saved in %s."), p->conf_path);
      gtk_label_set_text (p->status, text);
    }
  if (p->dirty)
    {
      p->dirty = FALSE;
      save_limits (p);
    }
}

static LimitsData *
limits_from_fields (SandboxPart *p)
{
  LimitsData *d = g_new0 (LimitsData, 1);
  guint64 mib = (guint64) gtk_spin_button_get_value_as_int (p->max_size);

  d->conf_path = g_strdup (p->conf_path);
  d->limits.duration = (guint) gtk_spin_button_get_value_as_int (p->duration);
  /* A limit that is not a whole number of MiB stays as it was until the
   * field is changed. */
  d->limits.max_size = (p->loaded_max_size + MIB - 1) / MIB == mib ? p->loaded_max_size : mib * MIB;
  return d;
}

static void
save_limits (SandboxPart *p)
{
  g_autoptr (GTask) task = NULL;
  LimitsData *d;

  if (p->writing)
    {
      p->dirty = TRUE;
      return;
    }
  d = limits_from_fields (p);
  p->loaded_max_size = d->limits.max_size;
  p->writing = TRUE;
  gtk_label_set_text (p->status, _ ("Saving…"));
  task = g_task_new (NULL, p->life, written_cb, p);
  g_task_set_source_tag (task, save_limits);
  g_task_set_task_data (task, d, (GDestroyNotify) limits_data_free);
  g_task_run_in_thread (task, write_thread);
}

static gboolean
save_timeout_cb (gpointer user_data)
{
  SandboxPart *p = user_data;

  p->save_id = 0;
  save_limits (p);
  return G_SOURCE_REMOVE;
}

static void
limit_changed_cb (GtkSpinButton *spin, SandboxPart *p)
{
  if (!p->loaded)
    return;
  g_clear_handle_id (&p->save_id, g_source_remove);
  p->save_id = g_timeout_add (SANDBOX_SAVE_DELAY_MS, save_timeout_cb, p);
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SandboxPart *p = user_data;
  LimitsData *d = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      gtk_label_set_text (p->status, error->message);
      return;
    }
  gtk_spin_button_set_value (p->duration, d->limits.duration);
  gtk_spin_button_set_value (p->max_size, (double) ((d->limits.max_size + MIB - 1) / MIB));
  p->loaded_max_size = d->limits.max_size;
  p->loaded = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (p->duration), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (p->max_size), TRUE);
  gtk_label_set_text (p->status, p->conf_path);
}

typedef struct
{
  const char *key;
  const char *label; /* with a mnemonic */
  const char *unit;
} Field;

static GtkWidget *
add_group (GtkBox *box, const char *title)
{
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *grid = gtk_grid_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_style_context_add_class (gtk_widget_get_style_context (label), "petri-heading");
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_widget_set_margin_start (grid, 12);
  gtk_box_pack_start (box, label, FALSE, FALSE, 0);
  gtk_box_pack_start (box, grid, FALSE, FALSE, 0);
  return grid;
}

static void
add_field (GtkGrid *grid, int row, GSettings *settings, const Field *f, GtkSizeGroup *labels,
           GtkSizeGroup *spins)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (_ (f->label));
  GtkWidget *spin;
  GtkWidget *unit = gtk_label_new (f->unit != NULL ? _ (f->unit) : "");
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GSettingsSchemaKey) key = NULL;
  g_autoptr (GVariant) range = NULL;
  const char *type = NULL;
  g_autoptr (GVariant) limits = NULL;
  guint32 min = 0, max = G_MAXINT32;

  g_object_get (settings, "settings-schema", &schema, NULL);
  key = g_settings_schema_get_key (schema, f->key);
  range = g_settings_schema_key_get_range (key);
  g_variant_get (range, "(&sv)", &type, &limits);
  if (g_str_equal (type, "range"))
    g_variant_get (limits, "(uu)", &min, &max);

  spin = gtk_spin_button_new_with_range (min, max, 1);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_widget_set_halign (spin, GTK_ALIGN_START);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), spin);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_tooltip_text (spin, g_settings_schema_key_get_description (key));
  gtk_label_set_xalign (GTK_LABEL (unit), 0);
  gtk_style_context_add_class (gtk_widget_get_style_context (unit), "dim-label");
  g_settings_bind (settings, f->key, spin, "value", G_SETTINGS_BIND_DEFAULT);

  gtk_grid_attach (grid, label, 0, row, 1, 1);
  gtk_grid_attach (grid, spin, 1, row, 1, 1);
  gtk_grid_attach (grid, unit, 2, row, 1, 1);
  gtk_size_group_add_widget (labels, label);
  gtk_size_group_add_widget (spins, spin);
}

static GtkSpinButton *
add_sandbox_field (GtkGrid *grid, int row, const char *label_text, const char *unit_text,
                   const char *tooltip, const char *accessible, double max, GtkSizeGroup *labels,
                   GtkSizeGroup *spins)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (label_text);
  GtkWidget *spin = gtk_spin_button_new_with_range (1, max, 1);
  GtkWidget *unit = gtk_label_new (unit_text);

  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_widget_set_halign (spin, GTK_ALIGN_START);
  gtk_widget_set_sensitive (spin, FALSE);
  gtk_widget_set_tooltip_text (spin, tooltip);
  petri_set_accessible_name (spin, accessible);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), spin);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_label_set_xalign (GTK_LABEL (unit), 0);
  gtk_style_context_add_class (gtk_widget_get_style_context (unit), "dim-label");
  gtk_grid_attach (grid, label, 0, row, 1, 1);
  gtk_grid_attach (grid, spin, 1, row, 1, 1);
  gtk_grid_attach (grid, unit, 2, row, 1, 1);
  gtk_size_group_add_widget (labels, label);
  gtk_size_group_add_widget (spins, spin);
  return GTK_SPIN_BUTTON (spin);
}

static void
add_sandbox_group (GtkWidget *dialog, GtkBox *box, const char *data_dir, GtkSizeGroup *labels,
                   GtkSizeGroup *spins)
{
  GtkWidget *grid = add_group (box, _ ("Sandbox"));
  SandboxPart *p;
  GtkWidget *status;
  g_autoptr (GTask) task = NULL;
  LimitsData *d;

  p = g_new0 (SandboxPart, 1);
  p->dialog = dialog;
  p->life = g_cancellable_new ();
  p->duration = add_sandbox_field (
      GTK_GRID (grid), 0, _ ("Analysis d_uration"), _ ("seconds"),
      _ ("How long each sample runs in the sandbox before its behaviour is collected"),
      _ ("Analysis duration"), 3600, labels, spins);
  p->max_size = add_sandbox_field (GTK_GRID (grid), 1, _ ("Largest sample to _run"), _ ("MiB"),
                                   _ ("Larger executables are not sent to the sandbox"),
                                   _ ("Largest sample to run"), 1024, labels, spins);
  status = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (status), 0);
  gtk_label_set_line_wrap (GTK_LABEL (status), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (status), 50);
  gtk_label_set_selectable (GTK_LABEL (status), TRUE);
  gtk_style_context_add_class (gtk_widget_get_style_context (status), "dim-label");
  gtk_grid_attach (GTK_GRID (grid), status, 0, 2, 3, 1);
  p->status = GTK_LABEL (status);
  g_object_set_data_full (G_OBJECT (dialog), "petri-sandbox-part", p,
                          (GDestroyNotify) sandbox_part_free);
  g_signal_connect (dialog, "destroy", G_CALLBACK (dialog_destroy_cb), p);

  if (data_dir == NULL)
    {
      gtk_label_set_text (p->status, _ ("The data directory is not open yet."));
      return;
    }
  p->conf_path = petri_sandbox_config_path (data_dir);
  gtk_label_set_text (p->status, _ ("Reading the sandbox configuration…"));
  g_signal_connect (p->duration, "value-changed", G_CALLBACK (limit_changed_cb), p);
  g_signal_connect (p->max_size, "value-changed", G_CALLBACK (limit_changed_cb), p);

  d = g_new0 (LimitsData, 1);
  d->conf_path = g_strdup (p->conf_path);
  task = g_task_new (NULL, p->life, read_cb, p);
  g_task_set_source_tag (task, add_sandbox_group);
  g_task_set_task_data (task, d, (GDestroyNotify) limits_data_free);
  g_task_run_in_thread (task, read_thread);
}

GtkWidget *
petri_preferences_dialog_new (GtkWindow *parent, GSettings *settings, const char *data_dir)
{
  static const Field scan_fields[] = {
    { "workers", N_ ("Scan _workers (0: one per core)"), NULL },
    { "max-file-size", N_ ("Largest _file to scan"), N_ ("MiB") },
    { "max-scan-size", N_ ("Most _data read per file"), N_ ("MiB") },
    { "max-recursion", N_ ("Archive _nesting depth"), N_ ("levels") },
    { "max-files", N_ ("Most _members per archive"), N_ ("files") },
    { "yara-timeout", N_ ("_YARA time limit per file"), N_ ("seconds") },
  };
  GtkWidget *dialog = g_object_new (GTK_TYPE_DIALOG, "use-header-bar", TRUE, "title",
                                    _ ("Preferences"), "transient-for", parent, "modal", TRUE,
                                    "destroy-with-parent", TRUE, "resizable", FALSE, NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *note;
  /* The two groups' columns line up. */
  g_autoptr (GtkSizeGroup) labels = gtk_size_group_new (GTK_SIZE_GROUP_HORIZONTAL);
  g_autoptr (GtkSizeGroup) spins = gtk_size_group_new (GTK_SIZE_GROUP_HORIZONTAL);

  g_object_set (box, "margin", 18, NULL);
  if (settings == NULL)
    {
      GtkWidget *label = gtk_label_new (
          _ ("Preferences are not available: the settings schema org.petri.Workbench is not "
             "installed. Petri uses its default limits."));
      gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 50);
      gtk_container_add (GTK_CONTAINER (box), label);
    }
  else
    {
      GtkWidget *grid = add_group (GTK_BOX (box), _ ("Scanning"));
      for (guint i = 0; i < G_N_ELEMENTS (scan_fields); i++)
        add_field (GTK_GRID (grid), i, settings, &scan_fields[i], labels, spins);
    }
  add_sandbox_group (dialog, GTK_BOX (box), data_dir, labels, spins);
  note = gtk_label_new (_ ("Scanning changes take effect the next time Petri starts; sandbox "
                           "changes apply to the next sample sent to it."));
  gtk_label_set_line_wrap (GTK_LABEL (note), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (note), 50);
  gtk_label_set_xalign (GTK_LABEL (note), 0);
  gtk_style_context_add_class (gtk_widget_get_style_context (note), "dim-label");
  gtk_box_pack_start (GTK_BOX (box), note, FALSE, FALSE, 6);
  gtk_container_add (GTK_CONTAINER (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), box);
  gtk_widget_show_all (box);
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_widget_destroy), NULL);
  return dialog;
}
