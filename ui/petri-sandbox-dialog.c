/* petri-sandbox-dialog.c: the sandbox's health and its set-up
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * `petri sandbox check` and `petri sandbox init` in the window. Both block
 * (libvirt calls, booting a VM), so both run on a worker thread; the set-up
 * sends its progress lines to the main loop as they come. Once a guest is
 * set up, the application starts sending executables to it.
 */
#include "config.h"

#include "petri-sandbox-dialog.h"

#include <glib/gi18n.h>

#include "petri-sandbox.h"
#include "petri-ui-util.h"

enum
{
  CHECK_COL_ICON,
  CHECK_COL_STATE,
  CHECK_COL_VM,
  CHECK_COL_CHECK,
  CHECK_COL_MESSAGE,
  CHECK_COL_FIX,
  CHECK_N_COLS
};

struct _PetriSandboxDialog
{
  GtkDialog parent_instance;

  /* Template children */
  GtkSpinner *spinner;
  GtkImage *status_image;
  GtkLabel *status_label;
  GtkScrolledWindow *checks_scroll;
  GtkTreeView *checks_view;
  GtkBox *setup_box;
  GtkButton *setup_button;
  GtkBox *progress_box;
  GtkProgressBar *progress_bar;
  GtkTextView *log_view;
  GtkLabel *limits_label;

  GtkWidget *check_button;
  GtkListStore *checks;
  PetriApplication *app;
  char *data_dir;
  GCancellable *life;
  gboolean busy;
  guint pulse_id;
};

G_DEFINE_FINAL_TYPE (PetriSandboxDialog, petri_sandbox_dialog, GTK_TYPE_DIALOG)

static void run_check (PetriSandboxDialog *self);

static void
set_status (PetriSandboxDialog *self, const char *icon, const char *text)
{
  gtk_image_set_from_icon_name (self->status_image, icon, GTK_ICON_SIZE_LARGE_TOOLBAR);
  gtk_widget_set_visible (GTK_WIDGET (self->status_image), icon != NULL);
  gtk_label_set_text (self->status_label, text);
  petri_set_accessible_name (GTK_WIDGET (self->status_label), text);
}

static void
set_busy (PetriSandboxDialog *self, gboolean busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  if (busy)
    gtk_spinner_start (self->spinner);
  else
    gtk_spinner_stop (self->spinner);
  gtk_widget_set_sensitive (self->check_button, !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->setup_button), !busy);
}

/* ---------------------------------------------------------------------- */
/* The limits in sandbox.conf                                               */

static void
limits_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  g_autofree char *conf = petri_sandbox_config_path (task_data);
  PetriSandboxLimits *limits = g_new0 (PetriSandboxLimits, 1);
  GError *error = NULL;

  if (!petri_sandbox_read_limits (conf, limits, &error))
    {
      g_free (limits);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, limits, g_free);
}

static void
limits_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PetriSandboxDialog *self = PETRI_SANDBOX_DIALOG (source);
  g_autoptr (GError) error = NULL;
  g_autofree PetriSandboxLimits *limits = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;

  if (g_cancellable_is_cancelled (self->life))
    return;
  if (limits == NULL)
    text = g_strdup (error->message);
  else
    {
      g_autofree char *size = g_format_size_full (limits->max_size, G_FORMAT_SIZE_IEC_UNITS);
      /* Translators: %u is seconds, %s a size ("8.0 MiB") */
      text = g_strdup_printf (ngettext ("Each sample runs for %u second; samples up to %s are "
                                        "sent. Change this in Preferences.",
                                        "Each sample runs for %u seconds; samples up to %s are "
                                        "sent. Change this in Preferences.",
                                        limits->duration),
                              limits->duration, size);
    }
  gtk_label_set_text (self->limits_label, text);
}

static void
read_limits (PetriSandboxDialog *self)
{
  g_autoptr (GTask) task = g_task_new (self, self->life, limits_read_cb, NULL);

  g_task_set_source_tag (task, read_limits);
  g_task_set_task_data (task, g_strdup (self->data_dir), g_free);
  g_task_run_in_thread (task, limits_thread);
}

/* ---------------------------------------------------------------------- */
/* Checking                                                                 */

typedef struct
{
  GPtrArray *checks; /* PetriSandboxCheck, or NULL */
  GError *error;     /* when there is no configuration to check */
  char *probe;       /* how to start libvirt, or NULL when it answers */
} CheckResult;

static void
check_result_free (CheckResult *r)
{
  g_clear_pointer (&r->checks, g_ptr_array_unref);
  g_clear_error (&r->error);
  g_free (r->probe);
  g_free (r);
}

static void
check_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  g_autofree char *conf = petri_sandbox_config_path (task_data);
  CheckResult *r = g_new0 (CheckResult, 1);

  r->checks = petri_sandbox_check (conf, cancellable, &r->error);
  if (r->checks == NULL)
    r->probe = petri_sandbox_probe_libvirt (NULL);
  g_task_return_pointer (task, r, (GDestroyNotify) check_result_free);
}

static void
checked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PetriSandboxDialog *self = PETRI_SANDBOX_DIALOG (source);
  CheckResult *r = g_task_propagate_pointer (G_TASK (result), NULL);
  guint failed = 0;
  g_autoptr (GHashTable) vms = g_hash_table_new (g_str_hash, g_str_equal);

  if (g_cancellable_is_cancelled (self->life) || r == NULL)
    {
      g_clear_pointer (&r, check_result_free);
      return;
    }
  set_busy (self, FALSE);
  gtk_list_store_clear (self->checks);
  if (r->checks == NULL)
    {
      gboolean unset
          = g_error_matches (r->error, PETRI_SANDBOX_ERROR, PETRI_SANDBOX_ERROR_NOT_CONFIGURED);
      g_autofree char *text = NULL;

      if (r->probe != NULL)
        text = g_strdup_printf ("%s\n%s", r->error->message, r->probe);
      else
        text = g_strdup (r->error->message);
      set_status (self, unset ? "dialog-information-symbolic" : "dialog-error-symbolic", text);
      gtk_widget_set_visible (GTK_WIDGET (self->checks_scroll), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->setup_box), unset);
      check_result_free (r);
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->checks_scroll), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->setup_box), FALSE);
  for (guint i = 0; i < r->checks->len; i++)
    {
      PetriSandboxCheck *c = g_ptr_array_index (r->checks, i);

      failed += !c->ok;
      g_hash_table_add (vms, c->vm);
      gtk_list_store_insert_with_values (
          self->checks, NULL, -1, CHECK_COL_ICON,
          c->ok ? "emblem-ok-symbolic" : "dialog-error-symbolic", CHECK_COL_STATE,
          c->ok ? C_ ("sandbox check", "OK") : C_ ("sandbox check", "Failed"), CHECK_COL_VM, c->vm,
          CHECK_COL_CHECK, c->check, CHECK_COL_MESSAGE, c->message, CHECK_COL_FIX,
          !c->ok && c->fix != NULL ? c->fix : "", -1);
    }
  if (failed == 0)
    {
      guint n_vms = g_hash_table_size (vms);
      g_autofree char *text = g_strdup_printf (
          /* Translators: %u is the number of VMs */
          ngettext ("The sandbox is ready: every check of its %u VM passed.",
                    "The sandbox is ready: every check of its %u VMs passed.", n_vms),
          n_vms);
      set_status (self, "emblem-ok-symbolic", text);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (
          ngettext ("%u check failed: see below what was found and how to fix it.",
                    "%u checks failed: see below what was found and how to fix them.", failed),
          failed);
      set_status (self, "dialog-error-symbolic", text);
    }
  check_result_free (r);
}

static void
run_check (PetriSandboxDialog *self)
{
  g_autoptr (GTask) task = g_task_new (self, self->life, checked_cb, NULL);

  set_busy (self, TRUE);
  set_status (self, NULL, _ ("Checking the sandbox…"));
  g_task_set_source_tag (task, run_check);
  g_task_set_task_data (task, g_strdup (self->data_dir), g_free);
  g_task_run_in_thread (task, check_thread);
  read_limits (self);
}

static void
check_clicked_cb (GtkButton *button, PetriSandboxDialog *self)
{
  if (!self->busy)
    run_check (self);
}

/* ---------------------------------------------------------------------- */
/* Setting up the default guest                                             */

typedef struct
{
  char *data_dir;
  GMainContext *main_context;
  PetriSandboxDialog *dialog; /* strong */
} InitData;

static void
init_data_free (InitData *d)
{
  g_free (d->data_dir);
  g_main_context_unref (d->main_context);
  g_object_unref (d->dialog);
  g_free (d);
}

typedef struct
{
  PetriSandboxDialog *dialog; /* strong */
  char *line;
} Line;

static void
line_free (Line *l)
{
  g_object_unref (l->dialog);
  g_free (l->line);
  g_free (l);
}

static gboolean
line_idle (gpointer data)
{
  Line *l = data;
  PetriSandboxDialog *self = l->dialog;
  GtkTextBuffer *buffer;
  GtkTextIter end;

  if (g_cancellable_is_cancelled (self->life))
    return G_SOURCE_REMOVE;
  buffer = gtk_text_view_get_buffer (self->log_view);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, l->line, -1);
  gtk_text_buffer_insert (buffer, &end, "\n", 1);
  gtk_text_view_scroll_to_mark (self->log_view, gtk_text_buffer_get_insert (buffer), 0, FALSE, 0,
                                1);
  gtk_progress_bar_set_text (self->progress_bar, l->line);
  return G_SOURCE_REMOVE;
}

/* Set-up thread. */
static void
init_progress (const char *line, gpointer user_data)
{
  InitData *d = user_data;
  Line *l = g_new0 (Line, 1);

  l->dialog = g_object_ref (d->dialog);
  l->line = g_strdup (line);
  g_main_context_invoke_full (d->main_context, G_PRIORITY_DEFAULT, line_idle, l,
                              (GDestroyNotify) line_free);
}

static void
init_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  InitData *d = task_data;
  PetriSandboxInitOptions options = { .data_dir = d->data_dir };
  GError *error = NULL;

  if (petri_sandbox_init (&options, init_progress, d, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
pulse_cb (gpointer data)
{
  PetriSandboxDialog *self = data;

  gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
initialised_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PetriSandboxDialog *self = PETRI_SANDBOX_DIALOG (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) attach_error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  /* Even with the dialog closed: executables go to the new guest from now on. */
  if (ok && !petri_application_attach_sandbox (self->app, &attach_error))
    g_message ("The sandbox is set up but cannot be used: %s", attach_error->message);
  if (g_cancellable_is_cancelled (self->life))
    return;
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  set_busy (self, FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, ok ? 1.0 : 0.0);
  if (!ok)
    {
      /* Translators: %s says why the guest could not be set up */
      g_autofree char *text
          = g_strdup_printf (_ ("The guest could not be set up: %s"), error->message);
      gtk_progress_bar_set_text (self->progress_bar, _ ("Set-up failed"));
      set_status (self, "dialog-error-symbolic", text);
      return;
    }
  if (attach_error != NULL)
    {
      /* Translators: %s says why the sandbox cannot be used */
      g_autofree char *text = g_strdup_printf (
          _ ("The guest is set up, but Petri cannot use it: %s"), attach_error->message);
      set_status (self, "dialog-error-symbolic", text);
      return;
    }
  gtk_progress_bar_set_text (self->progress_bar, _ ("The guest is set up."));
  run_check (self);
}

static void
setup_clicked_cb (GtkButton *button, PetriSandboxDialog *self)
{
  g_autoptr (GTask) task = NULL;
  InitData *d;

  if (self->busy)
    return;
  set_busy (self, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->setup_box), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_box), TRUE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->log_view), "", -1);
  gtk_progress_bar_set_text (self->progress_bar, _ ("Setting up the guest…"));
  set_status (self, NULL,
              _ ("Setting up the default guest: building its image, defining it in libvirt and "
                 "booting it once…"));
  self->pulse_id = g_timeout_add (150, pulse_cb, self);

  d = g_new0 (InitData, 1);
  d->data_dir = g_strdup (self->data_dir);
  d->main_context = g_main_context_ref_thread_default ();
  d->dialog = g_object_ref (self);
  /* Not cancellable: a half-defined guest is worse than waiting. */
  task = g_task_new (self, NULL, initialised_cb, NULL);
  g_task_set_source_tag (task, setup_clicked_cb);
  g_task_set_task_data (task, d, (GDestroyNotify) init_data_free);
  g_task_run_in_thread (task, init_thread);
}

/* ---------------------------------------------------------------------- */
/* Set-up                                                                   */

static void
add_column (GtkTreeView *view, const char *title, int col, gboolean expand, gboolean wrap)
{
  GtkCellRenderer *cell = gtk_cell_renderer_text_new ();
  GtkTreeViewColumn *c = gtk_tree_view_column_new_with_attributes (title, cell, "text", col, NULL);

  if (wrap)
    g_object_set (cell, "wrap-mode", PANGO_WRAP_WORD_CHAR, "wrap-width", 260, NULL);
  gtk_tree_view_column_set_expand (c, expand);
  gtk_tree_view_column_set_resizable (c, TRUE);
  gtk_tree_view_append_column (view, c);
}

static void
petri_sandbox_dialog_dispose (GObject *object)
{
  PetriSandboxDialog *self = PETRI_SANDBOX_DIALOG (object);

  g_cancellable_cancel (self->life);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  /* The rows' accessibles go with the model, before the view does (a
   * screen reader may still hold them). */
  if (self->checks_view != NULL && self->checks != NULL)
    gtk_tree_view_set_model (self->checks_view, NULL);
  g_clear_object (&self->checks);
  G_OBJECT_CLASS (petri_sandbox_dialog_parent_class)->dispose (object);
}

static void
petri_sandbox_dialog_finalize (GObject *object)
{
  PetriSandboxDialog *self = PETRI_SANDBOX_DIALOG (object);

  g_clear_object (&self->life);
  g_clear_object (&self->app);
  g_free (self->data_dir);
  G_OBJECT_CLASS (petri_sandbox_dialog_parent_class)->finalize (object);
}

static void
petri_sandbox_dialog_class_init (PetriSandboxDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = petri_sandbox_dialog_dispose;
  object_class->finalize = petri_sandbox_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               PETRI_RESOURCE_PATH "/petri-sandbox-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PetriSandboxDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, PetriSandboxDialog, status_image);
  gtk_widget_class_bind_template_child (widget_class, PetriSandboxDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, PetriSandboxDialog, checks_scroll);
  gtk_widget_class_bind_template_child (widget_class, PetriSandboxDialog, checks_view);
  gtk_widget_class_bind_template_child (widget_class, PetriSandboxDialog, setup_box);
  gtk_widget_class_bind_template_child (widget_class, PetriSandboxDialog, setup_button);
  gtk_widget_class_bind_template_child (widget_class, PetriSandboxDialog, progress_box);
  gtk_widget_class_bind_template_child (widget_class, PetriSandboxDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PetriSandboxDialog, log_view);
  gtk_widget_class_bind_template_child (widget_class, PetriSandboxDialog, limits_label);
  gtk_widget_class_bind_template_callback (widget_class, setup_clicked_cb);
}

static void
petri_sandbox_dialog_init (PetriSandboxDialog *self)
{
  GtkTreeViewColumn *column;
  GtkCellRenderer *cell;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->life = g_cancellable_new ();
  self->checks = gtk_list_store_new (CHECK_N_COLS, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                                     G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  gtk_tree_view_set_model (self->checks_view, GTK_TREE_MODEL (self->checks));
  gtk_tree_selection_set_mode (gtk_tree_view_get_selection (self->checks_view), GTK_SELECTION_NONE);

  column = gtk_tree_view_column_new ();
  gtk_tree_view_column_set_title (column, _ ("Result"));
  cell = gtk_cell_renderer_pixbuf_new ();
  gtk_tree_view_column_pack_start (column, cell, FALSE);
  gtk_tree_view_column_add_attribute (column, cell, "icon-name", CHECK_COL_ICON);
  cell = gtk_cell_renderer_text_new ();
  g_object_set (cell, "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_tree_view_column_pack_start (column, cell, FALSE);
  gtk_tree_view_column_add_attribute (column, cell, "text", CHECK_COL_STATE);
  gtk_tree_view_append_column (self->checks_view, column);
  add_column (self->checks_view, _ ("VM"), CHECK_COL_VM, FALSE, FALSE);
  add_column (self->checks_view, _ ("Check"), CHECK_COL_CHECK, FALSE, FALSE);
  add_column (self->checks_view, _ ("Found"), CHECK_COL_MESSAGE, TRUE, TRUE);
  add_column (self->checks_view, _ ("How to fix it"), CHECK_COL_FIX, TRUE, TRUE);
}

PetriSandboxDialog *
petri_sandbox_dialog_new (GtkWindow *parent, PetriApplication *app)
{
  PetriSandboxDialog *self;
  PetriContext *context;
  GtkWidget *header;

  g_return_val_if_fail (PETRI_IS_APPLICATION (app), NULL);
  context = petri_application_get_context (app);
  g_return_val_if_fail (context != NULL, NULL);

  self = g_object_new (PETRI_TYPE_SANDBOX_DIALOG, "use-header-bar", TRUE, "transient-for", parent,
                       NULL);
  self->app = g_object_ref (app);
  self->data_dir = g_strdup (petri_context_get_data_dir (context));

  header = gtk_dialog_get_header_bar (GTK_DIALOG (self));
  self->check_button = gtk_button_new_with_mnemonic (_ ("Check _Again"));
  gtk_widget_set_tooltip_text (self->check_button,
                               _ ("Run every check of every VM again: libvirt, domain, clean "
                                  "state, agent channel, network isolation, agent"));
  g_signal_connect (self->check_button, "clicked", G_CALLBACK (check_clicked_cb), self);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), self->check_button);
  gtk_widget_show (self->check_button);

  run_check (self);
  return self;
}
