#!/bin/sh
# fuzz-agent-parser.sh SOURCE_ROOT BUILD_ROOT: build the libFuzzer target for
# the host-side agent parser with clang and run it for $PETRI_FUZZ_SECONDS
# (default 30). The project compiler is gcc, so this script drives clang.
#
# Copyright 2026 The Petri authors
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

src=${1:?usage: fuzz-agent-parser.sh SOURCE_ROOT BUILD_ROOT}
build=${2:?usage: fuzz-agent-parser.sh SOURCE_ROOT BUILD_ROOT}
seconds=${PETRI_FUZZ_SECONDS:-30}

if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz-agent-parser.sh: clang is missing (apt-get install clang)" >&2
  exit 77
fi
out=$build/tests/sandbox/fuzz
mkdir -p "$out/corpus"
bin=$out/fuzz-agent-parser

# shellcheck disable=SC2046
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -DG_LOG_DOMAIN='"petri-sandbox"' \
  -I"$build" -I"$src/sandbox-bridge" \
  $(pkg-config --cflags glib-2.0 gio-2.0 json-glib-1.0 libvirt) \
  "$src/tests/sandbox/fuzz-agent-parser.c" \
  "$src/sandbox-bridge/petri-agent-receiver.c" \
  "$src/sandbox-bridge/petri-agent-frame.c" \
  "$src/sandbox-bridge/petri-behavior.c" \
  "$src/sandbox-bridge/petri-sandbox-config.c" \
  $(pkg-config --libs glib-2.0 gio-2.0 json-glib-1.0) -lm \
  -o "$bin"

# A few valid sessions to start from (structured mode, see the target).
seed() { printf '%b' "$2" >"$out/corpus/$1"; }
seed hello '\x80\x02\x3d\x00{"nonce":"0123456789abcdef0123456789abcdef","version":1,"x":1}'
seed event '\x83\x0a\x2a\x00{"category":"file","action":"write","pid":1}'
seed file '\x83\x0b\x5f\x00{"path":"/a","size":3,"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}\x0c\x03\x00abc\x0d\x02\x00{}\x0e\x02\x00{}'
seed started '\x82\x09\x0b\x00{"pid":12}\x0a\x10\x00{"category":"x"}'

ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$seconds" -max_len=8192 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/" \
  "$out/corpus"
