#!/bin/bash
# The Behavioral information tab against a real VM. Starts libvirt when no
# daemon answers, sets up Petri's guest with `petri sandbox init --tcg`
# (plain QEMU: CI has no KVM), checks it from the Sandbox dialog, drops a
# harmless program that behaves like malware (tests/sandbox/behave-e2e.c),
# watches its row go through the sandbox states to Analysed, and reads the
# behaviour categories and their events through AT-SPI. Then, in a second
# data directory, the Sandbox dialog's own set-up button builds the guest
# and the window sends the next executable to it without a restart. Needs
# root (libvirt's system daemon); suite "slow".
. "$(dirname "$0")/gui-lib.sh"

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: needs root for libvirt's system daemon" >&2
  exit 77
fi
for tool in virsh libvirtd virtlogd qemu-system-x86_64; do
  command -v "$tool" > /dev/null 2>&1 || fail "$tool is missing (./run installs it)"
done
: "${PETRI_REAPER:?}" "${PETRI_BEHAVE:?}" "${PETRI_SOURCE_DIR:?}"

DATA2=$WORK/data2
scenario_cleanup() {
  for conf in "$DATA/sandbox.conf" "$DATA2/sandbox.conf"; do
    [ -f "$conf" ] || continue
    for dom in $(sed -n 's/^domain=//p' "$conf"); do
      virsh -c qemu:///system destroy "$dom" > /dev/null 2>&1 || true
      virsh -c qemu:///system undefine "$dom" > /dev/null 2>&1 || true
    done
  done
}

# The daemons outlive this session: gui-session ends every process that
# carries its id, so they are started without it.
env -u GUI_SESSION_ID sh "$PETRI_SOURCE_DIR/tests/sandbox/start-libvirt.sh" "$PETRI_REAPER" \
  || fail "no libvirt daemon"

# QEMU runs as its own user: the guest images must be reachable.
mkdir -p "$DATA2/signatures"
cp -r "${PETRI_UI_FIXTURES:?}/signatures/." "$DATA2/signatures/"
chmod 755 "$WORK" "$DATA" "$DATA2"
t0=$SECONDS
cli sandbox init --tcg > "$ART/init.log" 2>&1 || fail "petri sandbox init: $(tail -n 5 "$ART/init.log")"
log "sandbox init in $((SECONDS - t0)) s"
# A short run keeps CI quick; the program is done in well under a second.
sed -i 's/^duration=.*/duration=10/' "$DATA/sandbox.conf"
cp "$PETRI_BEHAVE" "$IN/behave-e2e"

start_petri

log "the Sandbox dialog checks the real VM"
xdotool key --clearmodifiers ctrl+shift+b
expect "\[dialog\] 'Sandbox'"
expect "\[label\] 'The sandbox is ready: every check of its 1 VM passed\.'" 120
for check in libvirt domain clean-state channel network agent; do
  expect "row [0-9]: OK \| petri-linux-1 \| $check \| [^|]+"
done
expect "\[label\] 'Each sample runs for 10 seconds; samples up to 8\.0.{1,4}MiB are sent\. Change this in Preferences\.'"
shot_screen sandbox-ready
xdotool key --clearmodifiers Escape
sleep 0.5

# watch_sandbox: the states the row of behave-e2e shows, up to Analysed; at
# least one of them before it (the analysis is seen going on).
watch_sandbox() {
  local states=() row state deadline=$((SECONDS + 300)) seen_running=0 s
  while :; do
    row=$(dump | grep -m1 'behave-e2e |' || true)
    state=$(echo "$row" | awk -F' \\| ' '{print $NF}' | sed 's/ *$//')
    if [ -n "$state" ] && { [ ${#states[@]} -eq 0 ] || [ "${states[-1]}" != "$state" ]; }; then
      states+=("$state")
      log "sandbox: $state"
    fi
    [ "$state" = Analysed ] && break
    [ "$state" = Failed ] && fail "the analysis failed (states: ${states[*]})"
    [ "$SECONDS" -lt "$deadline" ] || fail "the row never read Analysed (states: ${states[*]})"
    sleep 0.4
  done
  for s in "${states[@]}"; do
    case "$s" in Queued | Starting | Running | Collecting) seen_running=1 ;; esac
  done
  [ "$seen_running" = 1 ] || fail "the row went to Analysed without showing the analysis (states: ${states[*]})"
  echo "${states[*]}" >> "$ART/states.txt"
}

log "drop the program; its row moves through the sandbox states"
"$T/drag-files" --via pcmanfm --title '^Petri' "$IN/behave-e2e" || fail "drag-files failed"
watch_sandbox

log "the Behavioral information tab"
click --role 'table cell' --name 'behave-e2e'
click --role 'page tab' --name 'Behavioral information'
expect "\[label\] '[0-9]+ events recorded in petri-linux-1 \(linux\)\.'"
expect "row [0-9]+[^\n]*: Processes \([1-9][0-9]*\) \|"
expect "row [0-9]+[^\n]*: File activity \([1-9][0-9]*\) \|"
expect "row [0-9]+[^\n]*: Network \([1-9][0-9]*\) \|"
expect "row [0-9]+[^\n]*: Commands sent to device drivers \([1-9][0-9]*\) \|"
# A few of the events themselves.
# the child with its command line
expect "exec \| /bin/sh — sh -c echo petri-e2e-child \|"
expect "\| /tmp/petri-e2e-marker\.txt \|"
expect "connect \| 192\.0\.2\.7:4444 \|"
expect "ioctl \| /dev/urandom[^|]* \|"
shot behaviour
stop_petri

log "set up from the window: a second data directory with no sandbox"
DATA=$DATA2
# Limits set before the guest (as Preferences would): the set-up keeps them.
printf '[sandbox]\nduration=10\n' > "$DATA/sandbox.conf"
start_petri
xdotool key --clearmodifiers ctrl+shift+b
expect "\[push button\] 'Set Up the Default Guest'" 60
click --role 'push button' --name 'Set Up the Default Guest'
expect "\[text\] 'Set-up log' text='[^']*Defined the domain petri-[^']*" 300
expect "\[label\] 'The sandbox is ready: every check of its 1 VM passed\.'" 400
shot_screen sandbox-set-up
grep -q '^\[vm petri-linux-1\]' "$DATA/sandbox.conf" || fail "the set-up wrote no VM into sandbox.conf"
grep -qx 'duration=10' "$DATA/sandbox.conf" || fail "the set-up lost the analysis duration"
xdotool key --clearmodifiers Escape
sleep 0.5
# No restart: the next executable goes to the guest just set up.
"$T/drag-files" --via pcmanfm --title '^Petri' "$IN/behave-e2e" || fail "drag-files failed"
watch_sandbox
stop_petri
echo "ok"
