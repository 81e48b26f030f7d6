/* petri-preferences-dialog.c: worker count and scan limits
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every control is bound to a GSettings key; the values reach the pipeline
 * and the engines the next time Petri starts (PetriSettings is read once,
 * when the context is created). The sandbox's run time and size limit are
 * part of its own configuration (sandbox.conf, `petri sandbox`).
 */
#include "config.h"

#include "petri-preferences-dialog.h"

#include <glib/gi18n.h>

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
add_field (GtkGrid *grid, int row, GSettings *settings, const Field *f)
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
}

GtkWidget *
petri_preferences_dialog_new (GtkWindow *parent, GSettings *settings)
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
        add_field (GTK_GRID (grid), i, settings, &scan_fields[i]);
      note = gtk_label_new (_ ("Changes take effect the next time Petri starts."));
      gtk_label_set_xalign (GTK_LABEL (note), 0);
      gtk_style_context_add_class (gtk_widget_get_style_context (note), "dim-label");
      gtk_box_pack_start (GTK_BOX (box), note, FALSE, FALSE, 6);
    }
  gtk_container_add (GTK_CONTAINER (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), box);
  gtk_widget_show_all (box);
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_widget_destroy), NULL);
  return dialog;
}
