#!/bin/bash
# The Sandbox dialog with no sandbox set up: it says so and offers to set
# up the default guest. The sandbox's limits in Preferences: typed in, they
# land in sandbox.conf (and the Sandbox dialog reads them back).
. "$(dirname "$0")/gui-lib.sh"

start_petri

log "no sandbox yet"
xdotool key --clearmodifiers ctrl+shift+b
expect "\[dialog\] 'Sandbox'"
expect "\[label\] 'No sandbox is configured \([^']*sandbox\.conf does not exist\); run “petri sandbox init”\.[^']*'" 30
expect "\[push button\] 'Set Up the Default Guest'"
expect "\[label\] 'Each sample runs for 60 seconds; samples up to 8\.0.{1,4}MiB are sent\. Change this in Preferences\.'"
shot_screen sandbox-unset
xdotool key --clearmodifiers Escape
sleep 0.5

log "the limits in Preferences"
xdotool key --clearmodifiers ctrl+comma
expect "\[dialog\] 'Preferences'"
expect "\[spin button\] 'Analysis duration'[^\n]*value=60"
expect "\[label\] '[^']*/sandbox\.conf'"
sleep 1 # the window manager places the dialog
# set_field NAME KEY VALUE: the field's mnemonic (Alt+KEY) focuses it.
set_field() {
  xdotool key --clearmodifiers "alt+$2"
  expect "\[spin button\] '$1' \{focused\}" 10
  xdotool key --clearmodifiers ctrl+a
  xdotool type --delay 20 "$3"
  xdotool key --clearmodifiers Tab
}
set_field 'Analysis duration' u 25
set_field 'Largest sample to run' r 12
ok=0
for _ in $(seq 1 40); do
  if grep -qx 'duration=25' "$DATA/sandbox.conf" 2>/dev/null \
    && grep -qx 'max_size=12582912' "$DATA/sandbox.conf"; then
    ok=1
    break
  fi
  sleep 0.25
done
[ "$ok" = 1 ] || fail "sandbox.conf did not get the new limits: $(cat "$DATA/sandbox.conf" 2>&1)"
[ "$(stat -c %a "$DATA/sandbox.conf")" = 600 ] || fail "sandbox.conf is not private"
expect "\[label\] 'Saved in [^']*sandbox\.conf\.'"
shot_screen preferences
xdotool key --clearmodifiers Escape
sleep 0.5

log "the Sandbox dialog reads them back"
xdotool key --clearmodifiers ctrl+shift+b
expect "\[label\] 'Each sample runs for 25 seconds; samples up to 12\.0.{1,4}MiB are sent\. Change this in Preferences\.'"
# Still not a sandbox: no VM is named.
expect "\[label\] '[^']*names no VM; run “petri sandbox init” or add a \[vm NAME\] group\.[^']*'"
expect "\[push button\] 'Set Up the Default Guest'"
stop_petri
echo "ok"
