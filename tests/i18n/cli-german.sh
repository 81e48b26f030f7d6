#!/bin/bash
# The command line speaks German from the build tree (the catalogues meson
# compiles into BUILD/po, not LOCALEDIR): help, a scan with a missing file
# and with EICAR, cases, show; with LANGUAGE=de over C.UTF-8 and, where
# localedef can build it, with a real de_DE.UTF-8 locale.
set -euo pipefail
petri=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { echo "not ok - $*"; exit 1; }
run() { # STATUS CMD…: runs with stdout in out, stderr in err
  local want=$1; shift
  set +e; "$@" >out 2>err; local got=$?; set -e
  [ "$got" = "$want" ] || { sed 's/^/# /' out err; fail "$* exited $got, not $want"; }
}
has() { # FILE TEXT
  grep -qF -- "$2" "$1" || { sed 's/^/# /' "$1"; fail "$1 lacks “$2”"; }
}
export LC_ALL=C.UTF-8
unset LANG LANGUAGE LC_MESSAGES

# Without LANGUAGE the same build speaks English: German below is no accident.
run 0 "$petri" help
has out "Usage:"
has out "List the cases"
ok "petri help is English in C.UTF-8"

export LANGUAGE=de
run 0 "$petri" help
has out "Aufruf:"
has out "Befehle:"
has out "Die Fälle auflisten"
has out "„petri BEFEHL --help“ zeigt die Optionen eines Befehls."
ok "petri help is German with LANGUAGE=de"

run 2 "$petri" --data-dir data scan --no-sandbox "$tmp/fehlt.exe"
has out "$tmp/fehlt.exe: FEHLER "
has err "1 Datei in "
has err "0 bösartig, 0 verdächtig, 0 sauber, 1 Fehler"
ok "petri scan of a missing file reports in German"

run 0 "$petri" --data-dir leer cases
has out "Noch keine Fälle."
ok "petri cases without cases"

mkdir in
printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-' 'ANTIVIRUS-TEST-FILE!$H+H*' > in/eicar.com
printf 'harmlos\n' > in/sauber.txt
run 1 "$petri" --data-dir data scan --no-sandbox --case Prüfung in
has out "in/eicar.com: BÖSARTIG "
has out "in/sauber.txt: sauber"
has err "2 Dateien in "
has err "1 bösartig, 0 verdächtig, 1 sauber, 0 Fehler"
ok "petri scan of EICAR and a clean file"

run 0 "$petri" --data-dir data cases
has out "FALL"
has out "ERKENNUNGEN"
header=$(sed -n 1p out)
row=$(grep '^Prüfung ' out)
# Columns line up by characters, whatever the bytes of „ü“ and the headings.
[ ${#header} = ${#row} ] || { sed 's/^/# /' out; fail "the columns of petri cases do not line up"; }
ok "petri cases: German headings, aligned columns"

run 0 "$petri" --data-dir data show --case Prüfung
has out "Fall Prüfung, angelegt "
has out ", 2 Samples"
has out "Bösartig"
has out "Sauber"
sha=$(sha256sum in/eicar.com | cut -d' ' -f1)
run 0 "$petri" --data-dir data show "$sha"
has out "Größe"
has out "68 Bytes"
has out "Urteil"
has out "Erkannt"
has out "Fälle:"
ok "petri show of a case and of a sample"

run 2 "$petri" --data-dir data sigs bogus
has err "Unbekannter Befehl „bogus“; verwenden Sie import oder list."
run 2 "$petri" --data-dir data show
has err "geben Sie einen SHA-256 (oder ein eindeutiges Präfix) oder --case NAME an"
ok "usage errors in German"

# A real German locale, built where the test runs (no root needed).
mkdir -p "$tmp/locale"
if command -v localedef >/dev/null && localedef -i de_DE -f UTF-8 "$tmp/locale/de_DE.UTF-8" \
    >/dev/null 2>&1 || [ -d "$tmp/locale/de_DE.UTF-8" ]; then
  export LOCPATH=$tmp/locale
  unset LC_ALL LANGUAGE
  export LANG=de_DE.UTF-8
  run 0 "$petri" help
  has out "Aufruf:"
  LANGUAGE=de run 2 "$petri" --data-dir data scan --no-sandbox "$tmp/fehlt.exe"
  has out "FEHLER"
  # LC_NUMERIC comes from the locale too.
  grep -qE '^1 Datei in [0-9]+,[0-9] s' err || { sed 's/^/# /' err; fail "no decimal comma"; }
  ok "LANG=de_DE.UTF-8 (with and without LANGUAGE=de)"
else
  ok "# SKIP localedef cannot build de_DE.UTF-8 here"
fi
echo "1..$n"
