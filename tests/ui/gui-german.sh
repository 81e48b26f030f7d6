#!/bin/bash
# LANGUAGE=de shows the German window.
. "$(dirname "$0")/gui-lib.sh"
require_engines
export LANGUAGE=de

make_eicar "$IN/eicar.com"
printf 'harmlos\n' > "$IN/sauber.txt"

PETRI_READY="Dateien oder Ordner zum Analysieren ablegen" start_petri
shot leer
# Only Petri speaks German here: drag-files reads pcmanfm's English status bar.
env -u LANGUAGE "$T/drag-files" --via pcmanfm --title '^Petri' "$IN/eicar.com" "$IN/sauber.txt" || fail "drag failed"
expect "eicar\.com \|[^\n]*\| Fertig \| Bösartig \| 2 / 2 Engines"
expect "sauber\.txt \|[^\n]*\| Fertig \| Sauber"
click --role 'table cell' --name '^eicar\.com$'
click --role 'page tab' --name '^Erkennung$'
expect "ClamAV \|[^\n]*\| Erkannt"
expect "'Verhaltensinformationen'"
expect "'Notizen'"
shot erkennung
cp "$ART/erkennung.png" "$ART/window-de.png"
stop_petri
echo "ok"
