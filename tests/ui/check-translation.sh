#!/bin/sh
# The German translation covers every message of the window and of its
# desktop files: none untranslated, none fuzzy. (Messages of the command
# line, listed in POTFILES.in by their owners, are checked by msgfmt only.)
set -eu
po=$1
srcdir=$(cd "$(dirname "$po")/.." && pwd)
LC_ALL=C msgfmt --check -o /dev/null "$po"
pot=$(mktemp)
trap 'rm -f "$pot"' EXIT
(cd "$srcdir" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
  --keyword=NC_:1c,2 --keyword=ngettext:1,2 -o "$pot" \
  $(grep -v '^#' po/POTFILES.in | grep '^ui/\|^data/')) 2> /dev/null
if ! out=$(LC_ALL=C msgcmp "$po" "$pot" 2>&1); then
  echo "$out" | grep -v 'this message is not used' >&2
  echo "$po does not translate every message of the window" >&2
  exit 1
fi
echo "every message of the window is translated"
