#!/bin/sh
# check-format.sh SOURCE_ROOT: every C file is formatted as .clang-format says.
set -eu
cd "$1"
command -v clang-format >/dev/null || { echo "clang-format is missing (./run test installs it)"; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files '*.c' '*.h')
else
  files=$(find app engines sandbox-bridge ui tests -name '*.[ch]' -not -path '*/_build*')
fi
# shellcheck disable=SC2086
clang-format --dry-run --Werror $files
echo "$(echo "$files" | wc -w) files formatted"
