#!/bin/bash
# Drag an EICAR file, a clean file and a folder from pcmanfm into the
# window; watch the verdicts arrive; read the Detection, Behavioral
# information, Summary and Notes tabs; hand a file to the running instance.
. "$(dirname "$0")/gui-lib.sh"
require_engines

make_eicar "$IN/eicar.com"
printf 'nothing to see here\n' > "$IN/clean.txt"
mkdir "$IN/folder"
printf 'just a readme\n' > "$IN/folder/readme.txt"
make_suspect "$IN/folder/marked.txt"
eicar_sha=$(sha256sum "$IN/eicar.com" | cut -c1-64)
clean_sha=$(sha256sum "$IN/clean.txt" | cut -c1-64)

start_petri
shot empty

log "drag from pcmanfm"
"$T/drag-files" --via pcmanfm --title '^Petri' "$IN/eicar.com" "$IN/clean.txt" "$IN/folder" \
  || fail "drag-files failed"

expect "eicar\.com \|[^\n]*\| Malicious \| 2 / 2 engines"
expect "clean\.txt \|[^\n]*\| Clean \| 0 / 2 engines"
expect "folder \| Folder"

# The sources are untouched: Petri copies.
for f in eicar.com clean.txt folder/readme.txt folder/marked.txt; do
  [ -f "$IN/$f" ] || fail "the source $f was moved or deleted"
done

log "open the folder"
"$T/atspi-click" --app '^petri$' --role 'table cell' --name '^folder$' --action 'expand or contract' \
  > /dev/null 2>&1 || click --role 'table cell' --name '^folder$' --double
expect "marked\.txt \|[^\n]*\| Suspicious \| 1 / 2 engines"
expect "readme\.txt \|[^\n]*\| Clean"

log "the EICAR file's details"
click --role 'table cell' --name '^eicar\.com$'
expect "Malicious"
click --role 'page tab' --name '^Detection$'
expect "ClamAV \| [0-9.]+ \|[^\n]*\| Detected \| UI\.Test\.EICAR"
expect "YARA \| [0-9.]+ \|[^\n]*\| Detected \| [^\n]*UI_Test_EICAR"
# YARA matches open to their strings (identifier, offset, preview) and meta.
expect "UI_Test_EICAR"
expect "\\\$start \| 0x0 \| X5O!P"
expect "\\\$name \| 0x1c \| EICAR-STANDARD"
expect "author \|  \| Petri tests"
shot detection

click --role 'page tab' --name '^Behavioral information$'
expect "This sample has not been analysed in the sandbox yet\."
shot behavioral

click --role 'page tab' --name '^Summary$'
expect "$eicar_sha"
expect "Detected by 2 of 2 engines"
shot summary

log "a heuristic-only hit is marked as such"
click --role 'table cell' --name '^marked\.txt$'
click --role 'page tab' --name '^Detection$'
expect "YARA \| [0-9.]+ \|[^\n]*\| Suspicious \| [^\n]*heuristic[^\n]*UI_Suspicious_Marker|YARA \| [0-9.]+ \|[^\n]*\| Suspicious \| [^\n]*UI_Suspicious_Marker"
shot heuristic

log "notes are saved as typed"
click --role 'table cell' --name '^clean\.txt$'
click --role 'page tab' --name '^Notes$'
click --role 'text' --name '^Notes$'
xdotool type --delay 20 'seen in the phishing mail'
ok=0
for _ in $(seq 1 40); do
  if cli show "$clean_sha" --json 2>/dev/null | grep -q 'seen in the phishing mail'; then ok=1; break; fi
  sleep 0.25
done
[ "$ok" = 1 ] || fail "the note never reached the case database"
shot notes

log "the search field filters by name, hash or detection name"
xdotool key --clearmodifiers ctrl+f
sleep 0.3
xdotool type --delay 20 'ui.test.eicar'
expect "tree table\] 'Samples'\n *table rows=1 [^\n]*\n *row 0[^\n]*eicar\.com"
dump | grep -q 'clean\.txt |' && fail "the search left clean.txt visible"
shot search
xdotool key --clearmodifiers ctrl+a BackSpace
sleep 0.3
xdotool type --delay 20 "${clean_sha:0:12}"
expect "tree table\] 'Samples'\n *table rows=1 [^\n]*\n *row 0[^\n]*clean\.txt"
xdotool key --clearmodifiers Escape
expect "tree table\] 'Samples'\n *table rows=[3-9] "

log "a second petri FILE hands the file to the running window"
printf 'second instance\n' > "$IN/later.txt"
"$PETRI" --data-dir "$DATA" "$IN/later.txt" || fail "the second instance failed"
expect "later\.txt \|[^\n]*\| Clean"
[ "$(pgrep -c -f "^$PETRI --data-dir $DATA\$" || true)" -le 1 ] || fail "a second window process stayed"

cp "$ART/summary.png" "$ART/window.png"
stop_petri
echo "ok"
