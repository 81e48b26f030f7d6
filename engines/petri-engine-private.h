/* petri-engine-private.h: what the engines of libpetri-engines share
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "petri-engines.h"

G_BEGIN_DECLS

/* One engine kind: its folder under signatures/ and how to load it. A new
 * engine is one new file plus one line in petri-engine-set.c. */
typedef struct
{
  const char *name;   /* "clamav" */
  const char *subdir; /* "clamav", relative to the signatures directory */
  /* Blocking. Returns NULL (without error) when the folder holds nothing for
   * this engine; skipped files are described in @warnings. */
  PetriEngine *(*load) (const char *dir, const PetriEngineLimits *limits, GPtrArray *warnings,
                        GError **error);
} PetriEngineKind;

G_END_DECLS
