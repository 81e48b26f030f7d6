#!/bin/bash
# The Signatures dialog as an analyst uses it: a refused import names the
# file and the reason and changes nothing; an import from a "removable
# drive" through the real file chooser brings new counts; a re-scan of the
# case finds what the new rule detects, lists it, badges the row and says
# so in the Detection tab.
. "$(dirname "$0")/gui-lib.sh"
require_engines

make_eicar "$IN/eicar.com"
printf 'nothing to see here\n' > "$IN/clean.txt"
# The "drive": a rule that detects the clean file (as hex, so that this
# script is not what it matches) and one that does not compile.
USB=$WORK/usb
mkdir -p "$USB"
cat > "$USB/hunt.yar" <<'EOF'
rule UI_Hunt_Nothing
{
    strings:
        $text = { 6e 6f 74 68 69 6e 67 20 74 6f 20 73 65 65 20 68 65 72 65 }
    condition:
        $text
}
EOF
printf 'rule UI_Broken { condition: no_such_identifier }\n' > "$USB/broken.yar"
clean_sha=$(sha256sum "$IN/clean.txt" | cut -c1-64)
sets_before=$(ls "$DATA/signatures/clamav" "$DATA/signatures/yara")

start_petri
"$T/drag-files" --via pcmanfm --title '^Petri' "$IN/eicar.com" "$IN/clean.txt" || fail "drag-files failed"
expect "eicar\.com \|[^\n]*\| Malicious \| 2 / 2 engines"
expect "clean\.txt \|[^\n]*\| Clean \| 0 / 2 engines"

log "the sets in force, listed off the main thread"
xdotool key --clearmodifiers ctrl+shift+s
expect "\[dialog\] 'Signatures'"
expect "row [0-9]: ClamAV \| ui-test\.ndb \| 1 \| [0-9-]+ \| "
expect "row [0-9]: YARA \| ui-test\.yar \| 2 \| [0-9-]+ \| "
expect "\[label\] 'ClamAV [0-9.]+: 1 signature · YARA [0-9.]+: 2 signatures'"
shot_screen signatures

# choose FILE: the real file chooser, a path typed in its location field.
choose() {
  click --role 'push button' --name 'Import Files…'
  expect "\[(file chooser|dialog)\] 'Import Signature Files'" 20
  sleep 0.5
  xdotool key --clearmodifiers ctrl+l
  sleep 0.3
  xdotool type --delay 15 "$1"
  sleep 0.3
  xdotool key --clearmodifiers Return
}

log "a refused import names the file and the reason; nothing changes"
choose "$USB/broken.yar"
expect "\[label\] 'Nothing was imported: Refused “${USB//./\\.}/broken\.yar”: [^']*no_such_identifier[^']*The signatures in force are unchanged\.'" 30
[ "$(ls "$DATA/signatures/clamav" "$DATA/signatures/yara")" = "$sets_before" ] \
  || fail "the refused import changed the signature folder"
expect "\[label\] 'ClamAV [0-9.]+: 1 signature · YARA [0-9.]+: 2 signatures'"
shot_screen import-refused

log "an import from the drive: the new rule is in force"
choose "$USB/hunt.yar"
expect "\[label\] 'The new signatures are in force: ClamAV [0-9.]+: 1 signature · YARA [0-9.]+: 3 signatures\.'" 60
expect "row [0-9]: YARA \| hunt\.yar \| 1 \| [0-9-]+ \| "
[ -f "$DATA/signatures/yara/hunt.yar" ] || fail "hunt.yar is not in the signature folder"
# The window's status bar counts the new set too (and the dialog's summary).
for _ in $(seq 1 20); do
  n=$(dump | grep -c "\[label\] 'ClamAV [0-9.]*: 1 signature · YARA [0-9.]*: 3 signatures'$" || true)
  [ "$n" -ge 2 ] && break
  sleep 0.5
done
[ "$n" -ge 2 ] || fail "the window does not show the new counts"
shot_screen import-done

log "re-scan this case: the clean file has a new detection"
sleep 1 # the re-scan's results must be later than the first scan's
click --role 'toggle button' --name 'Re-scan samples'
click --role 'push button' --name 'This Case \(Default\)'
expect "\[label\] 'Re-scanned 2 samples: 1 has a new detection\.'" 60
expect "table 'New detections'|\[table\] 'New detections'"
expect "row 0: clean\.txt \| Default \| YARA \| hunt:UI_Hunt_Nothing \| Clean \| "
shot_screen rescan

log "the row carries a badge; the Detection tab says since when"
expect "clean\.txt \|[^\n]*\| Malicious +new +\| 1 / 2 engines"
expect "eicar\.com \|[^\n]*\| Malicious \| 2 / 2 engines"
# Double-clicking the hit shows the sample in the window. (The window's
# hidden Detection tab may hold a cell of the same name: the one on screen
# is clicked.)
clicked=0
for nth in 0 1 2; do
  if "$T/atspi-click" --app '^petri$' --role 'table cell' --name 'hunt:UI_Hunt_Nothing' \
    --nth "$nth" --double > /dev/null 2>&1; then
    clicked=1
    break
  fi
done
[ "$clicked" = 1 ] || fail "could not double-click the new detection"
expect "row [0-9] \{selected\}: clean\.txt"

xdotool key --clearmodifiers Escape
sleep 0.5
click --role 'page tab' --name 'Detection'
expect "\[label\] 'New detection since [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}: YARA hunt:UI_Hunt_Nothing'"
expect "YARA \| [0-9.]+ \|[^\n]*\| Detected \| hunt:UI_Hunt_Nothing"
shot new-detection
cli show --json "$clean_sha" > "$ART/clean.json"
grep -q '"name" *: *"hunt:UI_Hunt_Nothing"' "$ART/clean.json" || fail "the new detection is not in petri show"

log "re-scan every case: nothing more is new"
xdotool key --clearmodifiers ctrl+shift+s
expect "\[dialog\] 'Signatures'"
sleep 1
click --role 'toggle button' --name 'Re-scan samples'
click --role 'push button' --name 'All Cases'
expect "\[label\] 'Re-scanned 2 samples: no new detection\.'" 60
stop_petri
echo "ok"
