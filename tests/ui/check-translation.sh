#!/bin/sh
# A translation is complete when msgfmt finds no untranslated or fuzzy message.
set -eu
po=$1
stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1)
echo "$stats"
case "$stats" in
  *untranslated* | *fuzzy*) echo "incomplete translation: $po" >&2; exit 1 ;;
esac
# And it covers every message of the current sources.
pot=$(mktemp)
trap 'rm -f "$pot"' EXIT
srcdir=$(dirname "$po")/..
(cd "$srcdir" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
  --keyword=NC_:1c,2 --keyword=ngettext:1,2 --add-comments=Translators -o "$pot" \
  $(grep -v '^#' po/POTFILES.in)) 2> /dev/null
if ! LC_ALL=C msgcmp "$po" "$pot"; then
  echo "$po lacks messages of the sources (or translates them fuzzily)" >&2
  exit 1
fi
