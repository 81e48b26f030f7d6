/* test-monitor.c: the eBPF monitor, on this host, against strace
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Runs each behave-* program once under `petri-agent --monitor-only` and
 * once under `strace -f`, and compares what both saw: the exec'd paths, the
 * created, deleted and renamed paths, the number of child processes. Then
 * checks the category each program exercises. Needs root and BPF; skips
 * with the reason otherwise.
 */
#include "config.h"

#include "petri-behavior.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

static const char *agent_path;
static const char *behave_dir;
static char *skip_reason;

typedef struct
{
  GPtrArray *events; /* JsonObject */
  int exit_status;
} MonitorRun;

typedef struct
{
  GHashTable *execs;   /* path */
  GHashTable *created; /* path */
  GHashTable *deleted; /* path */
  GHashTable *renamed; /* "from -> to" */
  guint children;
  int exit_status;
} StraceRun;

static void
monitor_run_clear (MonitorRun *r)
{
  g_clear_pointer (&r->events, g_ptr_array_unref);
}

static void
strace_run_clear (StraceRun *r)
{
  g_clear_pointer (&r->execs, g_hash_table_unref);
  g_clear_pointer (&r->created, g_hash_table_unref);
  g_clear_pointer (&r->deleted, g_hash_table_unref);
  g_clear_pointer (&r->renamed, g_hash_table_unref);
}

static char *
behave (const char *name)
{
  char *path = g_build_filename (behave_dir, name, NULL);

  /* The 32-bit programs need gcc-multilib, which ./run test installs. */
  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s was not built (a 32-bit one needs gcc-multilib)", path);
  return path;
}

static int
spawn_wait (char **argv, char **envp, char **out)
{
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, argv, envp, G_SPAWN_SEARCH_PATH | (out ? 0 : G_SPAWN_STDOUT_TO_DEV_NULL),
                     NULL, NULL, out, NULL, &status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 128 + (WIFSIGNALED (status) ? WTERMSIG (status) : 0);
}

/* Runs argv under the monitor; every event line must be a valid behaviour
 * event. */
static void
run_monitor (char **argv, char **envp, MonitorRun *run)
{
  g_autofree char *tmp = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GPtrArray) cmd = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  int fd = g_file_open_tmp ("petri-events-XXXXXX.jsonl", &tmp, &error);

  g_assert_no_error (error);
  close (fd);
  g_ptr_array_add (cmd, (char *) agent_path);
  g_ptr_array_add (cmd, "--monitor-only");
  g_ptr_array_add (cmd, "--events");
  g_ptr_array_add (cmd, tmp);
  g_ptr_array_add (cmd, "--timeout");
  g_ptr_array_add (cmd, "60");
  g_ptr_array_add (cmd, "--");
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (cmd, argv[i]);
  g_ptr_array_add (cmd, NULL);
  run->exit_status = spawn_wait ((char **) cmd->pdata, envp, NULL);
  g_assert_cmpint (run->exit_status, !=, 77);
  g_assert_true (g_file_get_contents (tmp, &text, NULL, NULL));
  g_unlink (tmp);
  run->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonNode) node = NULL;
      g_autoptr (PetriBehaviorEvent) ev = NULL;
      g_autoptr (GError) err = NULL;

      if (lines[i][0] == '\0')
        continue;
      node = json_from_string (lines[i], &err);
      g_assert_no_error (err);
      ev = petri_behavior_event_from_json (node, &err);
      if (err != NULL)
        g_error ("invalid event %s: %s", lines[i], err->message);
      g_assert_nonnull (ev->process);
      g_assert_cmpint (ev->pid, >, 0);
      g_assert_cmpint (ev->ppid, >, 0);
      g_ptr_array_add (run->events, json_object_ref (json_node_get_object (node)));
    }
  g_test_message ("%s: %u events, exit %d", argv[0], run->events->len, run->exit_status);
}

static char *
unquote (const char *s, const char **end)
{
  GString *out = g_string_new (NULL);

  g_assert_true (*s == '"');
  for (s++; *s != '\0' && *s != '"'; s++)
    {
      if (*s == '\\' && s[1] != '\0')
        s++;
      g_string_append_c (out, *s);
    }
  if (end != NULL)
    *end = *s ? s + 1 : s;
  return g_string_free (out, FALSE);
}

/* "3</tmp/dir>, \"name\"": the directory of a dirfd argument, or NULL for
 * an undecorated one. */
static char *
decorated_dir (const char *arg)
{
  const char *lt = strchr (arg, '<'), *gt;

  if (lt == NULL || lt > strchr (arg, ','))
    return NULL;
  gt = strchr (lt, '>');
  return gt ? g_strndup (lt + 1, gt - lt - 1) : NULL;
}

static char *
nth_path (const char *args, guint n, gboolean has_dirfd)
{
  const char *p = args;
  g_autofree char *dir = NULL;
  char *path;

  for (guint i = 0; i <= n; i++)
    {
      if (has_dirfd)
        {
          g_free (dir);
          dir = decorated_dir (p);
        }
      p = strchr (p, '"');
      g_assert_nonnull (p);
      path = unquote (p, &p);
      if (i == n)
        {
          if (path[0] != '/' && dir != NULL)
            {
              char *joined = g_build_filename (dir, path, NULL);
              g_free (path);
              return joined;
            }
          return path;
        }
      g_free (path);
      p = strchr (p, ',');
      g_assert_nonnull (p);
      p++;
    }
  return NULL;
}

static void
run_strace (char **argv, char **envp, StraceRun *run)
{
  g_autofree char *tmp = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GPtrArray) cmd = g_ptr_array_new ();
  g_autoptr (GHashTable) pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GRegex) re = NULL;
  g_autoptr (GError) error = NULL;
  int fd = g_file_open_tmp ("petri-strace-XXXXXX.txt", &tmp, &error);

  g_assert_no_error (error);
  close (fd);
  g_ptr_array_add (cmd, "strace");
  g_ptr_array_add (cmd, "-f");
  g_ptr_array_add (cmd, "-qq");
  g_ptr_array_add (cmd, "-y");
  g_ptr_array_add (cmd, "-s");
  g_ptr_array_add (cmd, "4096");
  g_ptr_array_add (cmd, "-o");
  g_ptr_array_add (cmd, tmp);
  g_ptr_array_add (cmd, "-e");
  g_ptr_array_add (cmd, "trace=open,openat,creat,unlink,unlinkat,rmdir,rename,renameat,renameat2,"
                        "mkdir,mkdirat,execve,fork,vfork,clone,clone3");
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (cmd, argv[i]);
  g_ptr_array_add (cmd, NULL);
  run->exit_status = spawn_wait ((char **) cmd->pdata, envp, NULL);
  g_assert_true (g_file_get_contents (tmp, &text, NULL, NULL));
  g_unlink (tmp);

  run->execs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->deleted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->renamed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  re = g_regex_new ("^(\\d+) +(\\w+)\\((.*)\\) += (-?\\d+)(<(.*)>)?", 0, 0, NULL);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (GMatchInfo) m = NULL;
      g_autofree char *line = g_strdup (lines[i]);
      g_autofree char *pid = NULL, *name = NULL, *args = NULL, *decor = NULL;
      long ret;

      /* Calls interrupted by another process: "… <unfinished ...>" then
       * "PID <... name resumed>…". */
      if (g_str_has_suffix (line, " <unfinished ...>"))
        {
          char *sp = strchr (line, ' ');
          *strstr (line, " <unfinished ...>") = '\0';
          g_hash_table_replace (pending, g_strndup (line, sp - line), g_strdup (line));
          continue;
        }
      if (strstr (line, " resumed>") != NULL)
        {
          char *sp = strchr (line, ' ');
          g_autofree char *key = sp ? g_strndup (line, sp - line) : NULL;
          const char *head = key ? g_hash_table_lookup (pending, key) : NULL;
          char *rest = strstr (line, " resumed>") + strlen (" resumed>");

          char *joined;

          if (head == NULL)
            continue;
          joined = g_strconcat (head, rest, NULL);
          g_free (line);
          line = joined;
          g_hash_table_remove (pending, key);
        }
      if (!g_regex_match (re, line, 0, &m))
        continue;
      pid = g_match_info_fetch (m, 1);
      name = g_match_info_fetch (m, 2);
      args = g_match_info_fetch (m, 3);
      {
        g_autofree char *ret_text = g_match_info_fetch (m, 4);
        ret = strtol (ret_text, NULL, 10);
      }
      decor = g_match_info_fetch (m, 6);
      if (ret < 0)
        continue;
      if (g_str_equal (name, "execve"))
        g_hash_table_add (run->execs, nth_path (args, 0, FALSE));
      else if ((g_str_equal (name, "openat") || g_str_equal (name, "open"))
               && strstr (args, "O_CREAT") != NULL && decor != NULL)
        g_hash_table_add (run->created, g_strdup (decor));
      else if (g_str_equal (name, "creat") && decor != NULL)
        g_hash_table_add (run->created, g_strdup (decor));
      else if (g_str_equal (name, "mkdir"))
        g_hash_table_add (run->created, nth_path (args, 0, FALSE));
      else if (g_str_equal (name, "mkdirat"))
        g_hash_table_add (run->created, nth_path (args, 0, TRUE));
      else if (g_str_equal (name, "unlink") || g_str_equal (name, "rmdir"))
        g_hash_table_add (run->deleted, nth_path (args, 0, FALSE));
      else if (g_str_equal (name, "unlinkat"))
        g_hash_table_add (run->deleted, nth_path (args, 0, TRUE));
      else if (g_str_equal (name, "rename") || g_str_has_prefix (name, "renameat"))
        {
          gboolean at = !g_str_equal (name, "rename");
          g_autofree char *from = nth_path (args, 0, at);
          g_autofree char *to = nth_path (args, 1, at);
          g_hash_table_add (run->renamed, g_strdup_printf ("%s -> %s", from, to));
        }
      else if ((g_str_equal (name, "fork") || g_str_equal (name, "vfork")
                || g_str_has_prefix (name, "clone"))
               && ret > 0 && strstr (args, "CLONE_THREAD") == NULL)
        run->children++;
    }
}

static GHashTable *
monitor_set (MonitorRun *run, const char *category, const char *action, gboolean with_new_path)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < run->events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (run->events, i);
      const char *target;

      if (!g_str_equal (json_object_get_string_member (o, "category"), category)
          || !g_str_equal (json_object_get_string_member (o, "action"), action))
        continue;
      target = json_object_get_string_member_with_default (o, "target", "");
      if (with_new_path)
        {
          JsonObject *d = json_object_get_object_member (o, "details");
          g_hash_table_add (set, g_strdup_printf ("%s -> %s", target,
                                                  json_object_get_string_member (d, "new_path")));
        }
      else
        g_hash_table_add (set, g_strdup (target));
    }
  return set;
}

static guint
count_events (MonitorRun *run, const char *category, const char *action)
{
  guint n = 0;

  for (guint i = 0; i < run->events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (run->events, i);
      if (g_str_equal (json_object_get_string_member (o, "category"), category)
          && g_str_equal (json_object_get_string_member (o, "action"), action))
        n++;
    }
  return n;
}

/* The first event of category/action whose target is target (or any target
 * when NULL). */
static JsonObject *
find_event (MonitorRun *run, const char *category, const char *action, const char *target)
{
  for (guint i = 0; i < run->events->len; i++)
    {
      JsonObject *o = g_ptr_array_index (run->events, i);
      if (g_str_equal (json_object_get_string_member (o, "category"), category)
          && g_str_equal (json_object_get_string_member (o, "action"), action)
          && (target == NULL
              || g_strcmp0 (json_object_get_string_member_with_default (o, "target", ""), target)
                     == 0))
        return o;
    }
  return NULL;
}

static void
assert_same_set (const char *what, GHashTable *from_monitor, GHashTable *from_strace)
{
  GHashTableIter it;
  gpointer key;

  g_hash_table_iter_init (&it, from_strace);
  while (g_hash_table_iter_next (&it, &key, NULL))
    if (!g_hash_table_contains (from_monitor, key))
      g_error ("%s: strace saw “%s”, the monitor did not", what, (char *) key);
  g_hash_table_iter_init (&it, from_monitor);
  while (g_hash_table_iter_next (&it, &key, NULL))
    if (!g_hash_table_contains (from_strace, key))
      g_error ("%s: the monitor saw “%s”, strace did not", what, (char *) key);
  g_test_message ("%s: %u the same", what, g_hash_table_size (from_strace));
}

/* Runs argv under both and compares processes and file events. The work
 * folder is emptied before each run so both see the same paths. */
static void
compare_with_strace (char **argv, char **envp, const char *workdir, MonitorRun *mon, StraceRun *st)
{
  g_autoptr (GHashTable) execs = NULL, created = NULL, deleted = NULL, renamed = NULL;
  g_autoptr (GHashTable) created_dirs = NULL;

  if (workdir != NULL)
    g_assert_cmpint (g_mkdir_with_parents (workdir, 0755), ==, 0);
  run_monitor (argv, envp, mon);
  if (workdir != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", workdir);
      g_assert_cmpint (system (cmd), ==, 0);
      g_assert_cmpint (g_mkdir_with_parents (workdir, 0755), ==, 0);
    }
  run_strace (argv, envp, st);
  g_assert_cmpint (mon->exit_status, ==, st->exit_status);

  execs = monitor_set (mon, "process", "exec", FALSE);
  created = monitor_set (mon, "file", "create", FALSE);
  deleted = monitor_set (mon, "file", "delete", FALSE);
  renamed = monitor_set (mon, "file", "rename", TRUE);
  assert_same_set ("exec'd paths", execs, st->execs);
  assert_same_set ("created paths", created, st->created);
  assert_same_set ("deleted paths", deleted, st->deleted);
  assert_same_set ("renamed paths", renamed, st->renamed);
  g_assert_cmpuint (count_events (mon, "process", "fork"), ==, st->children);
  /* every process that started also ended */
  g_assert_cmpuint (count_events (mon, "process", "exit"), ==, st->children + 1);
}

static gboolean
need_monitor (void)
{
  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return FALSE;
    }
  return TRUE;
}

static char *
make_workdir (const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *base = g_dir_make_tmp ("petri-monitor-XXXXXX", &error);

  g_assert_no_error (error);
  return g_build_filename (base, name, NULL);
}

static void
remove_tree (const char *dir)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", parent);

  g_assert_cmpint (system (cmd), ==, 0);
}

static void
test_process_tree (gconstpointer data)
{
  g_autofree char *prog = behave (data);
  char *argv[] = { prog, NULL };
  MonitorRun mon = { 0 };
  StraceRun st = { 0 };
  JsonObject *echo;
  JsonArray *av;

  if (!need_monitor ())
    return;
  compare_with_strace (argv, NULL, NULL, &mon, &st);
  g_assert_cmpuint (st.children, ==, 3);
  echo = find_event (&mon, "process", "exec", "/bin/echo");
  g_assert_nonnull (echo);
  av = json_object_get_array_member (json_object_get_object_member (echo, "details"), "argv");
  g_assert_cmpuint (json_array_get_length (av), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (av, 1), ==, "grandchild");
  /* the grandchild's parent is the second child, not the sample */
  g_assert_cmpint (json_object_get_int_member (echo, "ppid"), !=,
                   json_object_get_int_member (find_event (&mon, "process", "exec", prog), "pid"));
  /* exit statuses: the second child exits 3 */
  {
    gboolean saw3 = FALSE;
    for (guint i = 0; i < mon.events->len; i++)
      {
        JsonObject *o = g_ptr_array_index (mon.events, i);
        JsonObject *d = json_object_get_object_member (o, "details");
        if (g_str_equal (json_object_get_string_member (o, "action"), "exit")
            && json_object_get_int_member_with_default (d, "exit_code", -1) == 3)
          saw3 = TRUE;
      }
    g_assert_true (saw3);
  }
  monitor_run_clear (&mon);
  strace_run_clear (&st);
}

static void
test_file_ops (gconstpointer data)
{
  g_autofree char *prog = behave (data);
  g_autofree char *dir = make_workdir ("files");
  g_autofree char *a = g_build_filename (dir, "a.txt", NULL);
  g_autofree char *c = g_build_filename (dir, "c.txt", NULL);
  g_autofree char *d = g_build_filename (dir, "sub", "d.bin", NULL);
  g_autofree char *e = g_build_filename (dir, "e.txt", NULL);
  g_autofree char *f = g_build_filename (dir, "f.txt", NULL);
  char *argv[] = { prog, dir, NULL };
  MonitorRun mon = { 0 };
  StraceRun st = { 0 };
  JsonObject *o;

  if (!need_monitor ())
    return;
  compare_with_strace (argv, NULL, dir, &mon, &st);
  /* a, b, sub, sub/d, b again, e, f */
  g_assert_cmpuint (g_hash_table_size (st.created), ==, 6);
  g_assert_true (g_hash_table_contains (st.created, d)); /* relative to a dirfd */
  g_assert_cmpuint (g_hash_table_size (st.deleted), ==, 3);
  /* a.txt opened again without O_CREAT: a write, not a creation */
  g_assert_nonnull (find_event (&mon, "file", "write", a));
  o = find_event (&mon, "file", "chmod", c);
  g_assert_nonnull (o);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (o, "details"), "mode"), ==,
      "0600");
  o = find_event (&mon, "file", "read", "/etc/passwd");
  g_assert_nonnull (o);
  g_assert_true (
      json_object_get_boolean_member (json_object_get_object_member (o, "details"), "sensitive"));
  /* written by copies the kernel made */
  o = find_event (&mon, "file", "write", e);
  g_assert_nonnull (o);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (o, "details"), "via"), ==,
      "copy_file_range");
  o = find_event (&mon, "file", "write", f);
  g_assert_nonnull (o);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (o, "details"), "via"), ==,
      "sendfile");
  monitor_run_clear (&mon);
  strace_run_clear (&st);
  remove_tree (dir);
}

static void
test_network (gconstpointer data)
{
  g_autofree char *prog = behave (data);
  g_autoptr (GSocket) tcp = NULL, udp = NULL, tcp53 = NULL;
  gboolean have_tcp53;
  g_autoptr (GSocketAddress) any = NULL, bound = NULL, dns_bound = NULL;
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GError) error = NULL;
  g_autofree char *tcp_port = NULL, *dns_port = NULL, *expect_connect = NULL;
  g_autofree char *expect_dns_server = NULL;
  MonitorRun mon = { 0 };
  JsonObject *o;

  if (!need_monitor ())
    return;
  tcp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new (lo, 0);
  g_socket_bind (tcp, any, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (tcp, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (tcp, &error);
  tcp_port = g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  /* The DNS listener: port 53 when it is free (root), which is where the
   * monitor decodes queries. */
  udp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  {
    g_autoptr (GSocketAddress) a53 = g_inet_socket_address_new (lo, 53);
    if (!g_socket_bind (udp, a53, TRUE, NULL))
      g_test_message ("127.0.0.1:53 is taken; the query goes to its listener instead");
    /* DNS over TCP: a listener the query's connect() completes against */
    tcp53
        = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
    g_assert_no_error (error);
    have_tcp53 = g_socket_bind (tcp53, a53, TRUE, NULL) && g_socket_listen (tcp53, NULL);
    if (!have_tcp53)
      g_test_message ("127.0.0.1:53 (TCP) is taken; a resolver there gets the TCP query");
  }
  dns_port = g_strdup ("53");
  {
    char *argv[] = { prog, tcp_port, dns_port, NULL };
    run_monitor (argv, NULL, &mon);
  }
  g_assert_cmpint (mon.exit_status, ==, 0);
  expect_connect = g_strdup_printf ("127.0.0.1:%s", tcp_port);
  o = find_event (&mon, "network", "connect", expect_connect);
  g_assert_nonnull (o);
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (o, "details"), "result"), ==, 0);
  /* what was sent, as text: through send(), and through write() */
  o = find_event (&mon, "network", "send", expect_connect);
  g_assert_nonnull (o);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (o, "details"), "preview"), ==,
      "hello.");
  {
    gboolean saw_request = FALSE;
    for (guint i = 0; i < mon.events->len; i++)
      {
        JsonObject *ev = g_ptr_array_index (mon.events, i);
        JsonObject *dt = json_object_get_object_member (ev, "details");
        if (g_str_equal (json_object_get_string_member (ev, "action"), "send")
            && g_strcmp0 (json_object_get_string_member_with_default (dt, "preview", ""),
                          "GET /petri-c2 HTTP/1.0..Host: petri.test....")
                   == 0)
          saw_request = TRUE;
      }
    g_assert_true (saw_request);
  }
  o = find_event (&mon, "network", "dns", "petri-test.example");
  g_assert_nonnull (o);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (o, "details"), "qtype"), ==,
      "A");
  expect_dns_server = g_strdup_printf ("127.0.0.1:%s", dns_port);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (o, "details"), "server"), ==,
      expect_dns_server);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (o, "details"), "transport"), ==,
      "udp");
  if (have_tcp53)
    {
      o = find_event (&mon, "network", "dns", "petri-tcp.example");
      g_assert_nonnull (o);
      g_assert_cmpstr (
          json_object_get_string_member (json_object_get_object_member (o, "details"), "transport"),
          ==, "tcp");
    }
  {
    g_autofree char *v6 = g_strdup_printf ("[::1]:%s", tcp_port);
    g_assert_nonnull (find_event (&mon, "network", "connect", v6));
  }
  g_assert_nonnull (find_event (&mon, "network", "connect", "unix:/nonexistent/petri.sock"));
  g_assert_nonnull (find_event (&mon, "network", "bind", "127.0.0.1:0"));
  g_assert_cmpuint (count_events (&mon, "network", "socket"), ==, 7);
  g_assert_nonnull (find_event (&mon, "network", "socket", "inet/dgram"));
  monitor_run_clear (&mon);
}

static void
test_injection (void)
{
  g_autofree char *prog = behave ("behave-inject");
  g_autofree char *out = NULL;
  char *argv[] = { prog, NULL };
  MonitorRun mon = { 0 };
  JsonObject *fork_ev;
  g_autofree char *child = NULL;

  if (!need_monitor ())
    return;
  run_monitor (argv, NULL, &mon);
  g_assert_cmpint (mon.exit_status, ==, 0);
  fork_ev = find_event (&mon, "process", "fork", NULL);
  g_assert_nonnull (fork_ev);
  child = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (fork_ev, "pid"));
  g_assert_nonnull (find_event (&mon, "injection", "ptrace_attach", child));
  g_assert_nonnull (find_event (&mon, "injection", "ptrace_poke", child));
  g_assert_nonnull (find_event (&mon, "injection", "process_vm_writev", child));
  g_assert_nonnull (find_event (&mon, "injection", "proc_mem_write", child));
  monitor_run_clear (&mon);
}

static void
test_ioctl (gconstpointer data)
{
  g_autofree char *prog = behave (data);
  gboolean i386 = g_str_has_suffix (data, "-32");
  char *argv[] = { prog, NULL };
  MonitorRun mon = { 0 };
  JsonObject *o, *d;

  if (!need_monitor ())
    return;
  run_monitor (argv, NULL, &mon);
  g_assert_cmpint (mon.exit_status, ==, 0);
  g_assert_cmpuint (count_events (&mon, "driver", "ioctl"), ==, 5);
  o = find_event (&mon, "driver", "ioctl", "/dev/urandom");
  g_assert_nonnull (o);
  d = json_object_get_object_member (o, "details");
  g_assert_cmpstr (json_object_get_string_member (d, "name"), ==, "RNDGETENTCNT");
  g_assert_cmpstr (json_object_get_string_member (d, "dir"), ==, "read");
  g_assert_cmpstr (json_object_get_string_member (d, "type"), ==, "R");
  g_assert_cmpint (json_object_get_int_member (d, "nr"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (d, "size"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (d, "result"), ==, 0);
  /* Calls through the 32-bit entry say so. */
  g_assert_cmpstr (json_object_get_string_member_with_default (d, "abi", "x86-64"), ==,
                   i386 ? "i386" : "x86-64");
  o = find_event (&mon, "driver", "ioctl", "/dev/zero");
  g_assert_nonnull (o);
  d = json_object_get_object_member (o, "details");
  g_assert_cmpstr (json_object_get_string_member (d, "name"), ==, "BLKGETSIZE64");
  /* _IOR (0x12, 114, size_t): 4 bytes of size in the 32-bit ABI */
  g_assert_cmpint (json_object_get_int_member (d, "size"), ==, i386 ? 4 : 8);
  g_assert_cmpstr (json_object_get_string_member (d, "error"), ==, "ENOTTY");
  o = find_event (&mon, "driver", "ioctl", "socket");
  g_assert_nonnull (o);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (o, "details"), "name"), ==,
      "SIOCGIFCONF");
  monitor_run_clear (&mon);
}

static void
test_persistence (void)
{
  g_autofree char *prog = behave ("behave-persist");
  g_autofree char *home = make_workdir ("home");
  g_autofree char *env_home = g_strconcat ("HOME=", home, NULL);
  g_autofree char *bashrc = g_build_filename (home, ".bashrc", NULL);
  g_autofree char *unit = g_build_filename (home, ".config/systemd/user/petri-test.service", NULL);
  g_autofree char *autostart
      = g_build_filename (home, ".config/autostart/petri-test.desktop", NULL);
  char *argv[] = { prog, NULL };
  char *envp[] = { env_home, "PATH=/usr/bin:/bin", NULL };
  MonitorRun mon = { 0 };
  StraceRun st = { 0 };

  if (!need_monitor ())
    return;
  compare_with_strace (argv, envp, home, &mon, &st);
  g_assert_nonnull (find_event (&mon, "persistence", "create", bashrc));
  g_assert_nonnull (find_event (&mon, "persistence", "create", unit));
  g_assert_nonnull (find_event (&mon, "persistence", "create", autostart));
  monitor_run_clear (&mon);
  strace_run_clear (&st);
  remove_tree (home);
}

static void
test_evasion (void)
{
  g_autofree char *prog = behave ("behave-evasion");
  char *argv[] = { prog, NULL };
  MonitorRun mon = { 0 };

  if (!need_monitor ())
    return;
  run_monitor (argv, NULL, &mon);
  g_assert_cmpint (mon.exit_status, ==, 0);
  g_assert_nonnull (find_event (&mon, "evasion", "probe", "/proc/cpuinfo"));
  g_assert_nonnull (find_event (&mon, "evasion", "probe", "/sys/class/dmi/id/sys_vendor"));
  g_assert_nonnull (find_event (&mon, "evasion", "probe", "/sys/hypervisor/type"));
  g_assert_nonnull (find_event (&mon, "evasion", "probe", "/proc/scsi/scsi"));
  g_assert_nonnull (find_event (&mon, "evasion", "probe", "/proc/self/status"));
  /* the lookups of the C run-time are not probes */
  g_assert_cmpuint (count_events (&mon, "evasion", "probe"), ==, 5);
  /* a blind spot, said as such */
  g_assert_nonnull (find_event (&mon, "evasion", "io_uring", NULL));
  monitor_run_clear (&mon);
}

/* Under strace the program sees it is traced and skips its payload; under
 * the monitor it does not, and the payload is recorded. */
static void
test_antitrace (void)
{
  g_autofree char *prog = behave ("behave-antitrace");
  g_autofree char *dir = make_workdir ("anti");
  g_autofree char *payload = g_build_filename (dir, "payload.txt", NULL);
  char *argv[] = { prog, dir, NULL };
  MonitorRun mon = { 0 };
  StraceRun st = { 0 };

  if (!need_monitor ())
    return;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  run_strace (argv, NULL, &st);
  g_assert_cmpint (st.exit_status, ==, 2); /* TracerPid != 0 */
  g_assert_false (g_file_test (payload, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (g_hash_table_size (st.created), ==, 0);

  run_monitor (argv, NULL, &mon);
  g_assert_cmpint (mon.exit_status, ==, 0);
  g_assert_true (g_file_test (payload, G_FILE_TEST_EXISTS));
  g_assert_nonnull (find_event (&mon, "evasion", "probe", "/proc/self/status"));
  g_assert_nonnull (find_event (&mon, "evasion", "probe", "ptrace(PTRACE_TRACEME)"));
  g_assert_cmpint (
      json_object_get_int_member (
          json_object_get_object_member (
              find_event (&mon, "evasion", "probe", "ptrace(PTRACE_TRACEME)"), "details"),
          "result"),
      ==, 0);
  g_assert_nonnull (find_event (&mon, "file", "create", payload));
  g_assert_nonnull (find_event (&mon, "process", "exec", "/bin/true"));
  monitor_run_clear (&mon);
  strace_run_clear (&st);
  remove_tree (dir);
}

static gboolean
have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);
  return path != NULL;
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  agent_path = g_getenv ("PETRI_AGENT");
  behave_dir = g_getenv ("PETRI_BEHAVE_DIR");
  g_assert_nonnull (agent_path);
  g_assert_nonnull (behave_dir);
  if (geteuid () != 0)
    skip_reason = g_strdup ("the eBPF monitor needs root");
  else if (!have_program ("strace"))
    skip_reason = g_strdup ("strace is not installed (apt-get install strace)");
  else
    {
      char *probe[] = { (char *) agent_path, "--monitor-only", "--", "/bin/true", NULL };
      g_autofree char *err = NULL;
      int status = 0;

      g_spawn_sync (NULL, probe, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status,
                    NULL);
      if (WIFEXITED (status) && WEXITSTATUS (status) == 77)
        skip_reason = g_strdup_printf ("BPF is not available here: %s", err);
    }

  g_test_add_data_func ("/guest/monitor/process-tree", "behave-process", test_process_tree);
  g_test_add_data_func ("/guest/monitor/file-ops", "behave-file", test_file_ops);
  g_test_add_data_func ("/guest/monitor/network", "behave-network", test_network);
  g_test_add_func ("/guest/monitor/injection", test_injection);
  g_test_add_data_func ("/guest/monitor/ioctl", "behave-ioctl", test_ioctl);
  /* The same programs built for i386: every call through the 32-bit entry. */
  g_test_add_data_func ("/guest/monitor/i386/process-tree", "behave-process-32", test_process_tree);
  g_test_add_data_func ("/guest/monitor/i386/file-ops", "behave-file-32", test_file_ops);
  g_test_add_data_func ("/guest/monitor/i386/network", "behave-network-32", test_network);
  g_test_add_data_func ("/guest/monitor/i386/ioctl", "behave-ioctl-32", test_ioctl);
  g_test_add_func ("/guest/monitor/persistence", test_persistence);
  g_test_add_func ("/guest/monitor/evasion", test_evasion);
  g_test_add_func ("/guest/monitor/antitrace", test_antitrace);
  return g_test_run ();
}
