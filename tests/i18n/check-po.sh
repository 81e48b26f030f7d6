#!/bin/bash
# Every language in po/LINGUAS translates every message of the current
# sources: msgfmt --check passes, none is fuzzy or untranslated, and no
# message of the sources is missing from the .po (a string added to the code
# without `meson compile petri-update-po` and a translation fails here).
set -euo pipefail
srcdir=$(realpath "$1")
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { echo "not ok - $*"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$srcdir"
# The same keywords as meson's i18n.gettext (preset: 'glib').
mapfile -t files < <(grep -v '^\s*#' po/POTFILES.in | sed '/^\s*$/d')
if ! LC_ALL=C xgettext --from-code=UTF-8 --add-comments=Translators: \
    --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 \
    --keyword=g_dpgettext2:2c,3 --keyword=ngettext:1,2 --keyword=dngettext:2,3 \
    --flag=g_set_error:4:c-format --flag=g_strdup_printf:1:c-format \
    -o "$tmp/petri.pot" "${files[@]}" 2> "$tmp/xgettext.log"; then
  sed 's/^/# /' "$tmp/xgettext.log"
  fail "xgettext cannot read the sources"
fi
# Messages xgettext takes apart (a format macro inside a string, a \r) are
# messages no catalogue can translate. The fallback ITS notice is harmless.
if grep -v 'fallback ITS rule file' "$tmp/xgettext.log" | grep -q .; then
  grep -v 'fallback ITS rule file' "$tmp/xgettext.log" | sed 's/^/# /'
  fail "xgettext warns about translatable messages"
fi
ok "xgettext reads every file of POTFILES.in without a warning"

# A format macro inside a message ("%" G_GINT64_FORMAT) cuts it at the "%".
if grep -nE '^(msgid|msgid_plural|)\s*".*[^%]%"$' "$tmp/petri.pot" > "$tmp/cut"; then
  sed 's/^/# /' "$tmp/cut"
  fail "messages cut by a format macro (format the number first, or use %lld)"
fi
ok "no message is cut by a format macro"

while read -r lang; do
  [ -n "$lang" ] || continue
  po=po/$lang.po
  [ -f "$po" ] || fail "$po is in LINGUAS but missing"
  stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1) \
    || { echo "$stats" | sed 's/^/# /'; fail "msgfmt --check $po"; }
  echo "# $lang: $stats"
  case "$stats" in
    *fuzzy* | *untranslated*) fail "$po: $stats" ;;
  esac
  ok "$lang: msgfmt --check passes with no fuzzy and no untranslated message"

  if ! out=$(LC_ALL=C msgcmp --use-untranslated "$po" "$tmp/petri.pot" 2>&1); then
    echo "$out" | grep -v 'this message is not used' | sed 's/^/# /'
    fail "$po lacks messages of the sources (run meson compile petri-pot petri-update-po)"
  fi
  ok "$lang: every message of the sources is in $po"

  # Nothing obsolete left behind either.
  if grep -q '^#~' "$po"; then
    fail "$po keeps obsolete messages"
  fi
  ok "$lang: no obsolete messages"
done < <(grep -v '^\s*#' po/LINGUAS)
echo "1..$n"
