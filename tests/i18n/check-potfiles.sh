#!/bin/bash
# po/POTFILES.in names every source with translatable strings — each .c file
# of app/, engines/, sandbox-bridge/ (host side) and ui/ that uses _(), N_(),
# C_(), NC_() or ngettext(), and every GtkBuilder .ui file — and nothing that
# does not exist.
set -euo pipefail
srcdir=$(realpath "$1")
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { echo "not ok - $*"; exit 1; }
cd "$srcdir"

listed=$(grep -v '^\s*#' po/POTFILES.in | sed '/^\s*$/d' | sort)
missing=()
# The static guest agent (sandbox-bridge/guest) is built without gettext.
while IFS= read -r f; do
  if grep -qE '(^|[^A-Za-z0-9_])(N?C?_|ngettext|g_dpgettext2) ?\(' "$f" \
      && ! grep -qxF "$f" <<< "$listed"; then
    missing+=("$f")
  fi
done < <(find app engines sandbox-bridge ui -name '*.c' -not -path 'sandbox-bridge/guest/*' | sort)
while IFS= read -r f; do
  grep -qxF "$f" <<< "$listed" || missing+=("$f")
done < <(find ui -name '*.ui' | sort)
if [ ${#missing[@]} -gt 0 ]; then
  printf '# not in po/POTFILES.in: %s\n' "${missing[@]}"
  fail "po/POTFILES.in misses ${#missing[@]} file(s) with translatable strings"
fi
ok "every source with translatable strings is in po/POTFILES.in"

while IFS= read -r f; do
  [ -f "$f" ] || fail "po/POTFILES.in names $f, which does not exist"
done <<< "$listed"
ok "every file in po/POTFILES.in exists"
echo "1..$n"
