/* engines-test-util.h: what the engine tests share
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "petri-engines.h"

G_BEGIN_DECLS

/* A file mapped and opened the way the app hands samples to the engines. */
typedef struct
{
  PetriSampleData data;
  GMappedFile *map;
  int fd;
  char *file_name;
  char *file_path;
  char *extension;
} TestSample;

TestSample *test_sample_open (const char *path);
void test_sample_free (TestSample *sample);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestSample, test_sample_free)

/* A temporary data dir for one test: root/signatures (not created) and
 * root/samples. For g_test_add (path, TestFixture, NULL, test_fixture_set_up,
 * fn, test_fixture_tear_down). */
typedef struct
{
  char *root;
  char *signatures;
  char *samples;
} TestFixture;

void test_fixture_set_up (TestFixture *f, gconstpointer data);
void test_fixture_tear_down (TestFixture *f, gconstpointer data);

/* The EICAR test string, assembled at run time so that no file of the
 * repository contains it. */
GBytes *test_eicar (void);
/* Writes it to @dir/@name; returns the path. */
char *test_write_eicar (const char *dir, const char *name);

/* A fresh temporary folder, removed (recursively) by test_tmpdir_remove(). */
char *test_tmpdir_new (const char *prefix);
void test_tmpdir_remove (const char *path);

/* Writes @contents (len -1: a string) to @dir/@name, creating folders. */
char *test_write_file (const char *dir, const char *name, const char *contents, gssize len);

/* ../shared/bench beside the source tree (see the project README). */
char *test_shared_bench_dir (void);
/* <source>/data/signatures */
char *test_default_signatures_dir (void);

/* Runs a command; returns stdout, fails the test on a spawn error. @status
 * gets the wait status when not NULL. */
char *test_run (const char *const *argv, int *exit_status);

/* Scans a file with every engine of @set; results (PetriEngineResult) by
 * engine name. */
GHashTable *test_scan_file (PetriEngineSet *set, const char *path);
PetriEngine *test_set_engine (PetriEngineSet *set, const char *name);
gboolean test_result_has_name (PetriEngineResult *result, const char *name);
/* For g_ptr_array_sort() of strings. */
gint test_compare_strings (gconstpointer a, gconstpointer b);

G_END_DECLS
