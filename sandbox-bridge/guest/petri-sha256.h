/* petri-sha256.h: SHA-256 (FIPS 180-4) for the static guest agent
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct
{
  uint32_t state[8];
  uint64_t total;
  uint8_t block[64];
  size_t used;
} PetriSha256;

void petri_sha256_init (PetriSha256 *ctx);
void petri_sha256_update (PetriSha256 *ctx, const void *data, size_t len);
void petri_sha256_final (PetriSha256 *ctx, uint8_t digest[32]);
/* 64 lowercase hex digits and a NUL. */
void petri_sha256_final_hex (PetriSha256 *ctx, char hex[65]);
