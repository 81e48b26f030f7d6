#!/bin/sh
# e2e-sandbox.sh PETRI REAPER BEHAVE BEHAVE32: the sandbox end to end on a real VM.
#
# Starts the libvirt daemons when none answers, runs `petri sandbox init`
# (plain QEMU even where KVM exists: CI has none), checks the pool, scans
# BEHAVE (a harmless program that behaves like malware) and a text file,
# and checks that `petri show --json` lists every behaviour BEHAVE has and
# records the text file as not eligible; then the same for BEHAVE32, the
# program built for i386 (its calls go through the 32-bit entry). Needs root (libvirt's system
# daemon); the packages come from ./run.
#
# Copyright 2026 The Petri authors
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

petri=${1:?usage: e2e-sandbox.sh PETRI REAPER BEHAVE}
reaper=${2:?}
behave=${3:?}
behave32=${4:?}
here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "e2e-sandbox.sh: needs root for libvirt's system daemon" >&2
  exit 77
fi
for tool in virsh libvirtd virtlogd qemu-system-x86_64 jq; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "e2e-sandbox.sh: $tool is missing (./run installs it)" >&2
    exit 1
  }
done

sh "$here/start-libvirt.sh" "$reaper"

data=$(mktemp -d /tmp/petri-e2e.XXXXXX)
chmod 755 "$data"
cleanup() {
  if [ -f "$data/sandbox.conf" ]; then
    for dom in $(sed -n 's/^domain=//p' "$data/sandbox.conf"); do
      virsh -c qemu:///system destroy "$dom" >/dev/null 2>&1 || true
      virsh -c qemu:///system undefine "$dom" >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$data"
}
trap cleanup EXIT
fail() {
  echo "e2e-sandbox.sh: FAIL: $*" >&2
  for log in "$data"/sandbox/console-*.log; do
    [ -f "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
  done
  exit 1
}

t0=$(date +%s)
"$petri" --data-dir "$data" sandbox init --tcg || fail "petri sandbox init"
grep -q "<domain type='qemu'" /etc/libvirt/qemu/"$(sed -n 's/^domain=//p' "$data/sandbox.conf" | head -1)".xml \
  || fail "the domain is not plain QEMU (TCG)"
"$petri" --data-dir "$data" sandbox check --json >"$data/check.json" || {
  cat "$data/check.json" >&2
  fail "petri sandbox check"
}
jq -e '.ok == true and (.checks | length) == 6' "$data/check.json" >/dev/null \
  || fail "sandbox check JSON: $(cat "$data/check.json")"
t1=$(date +%s)
echo "e2e-sandbox.sh: init + check in $((t1 - t0)) s" >&2

# A short run keeps CI quick; the program is done in well under a second.
sed -i 's/^duration=.*/duration=10/' "$data/sandbox.conf"
mkdir -p "$data/in"
cp "$behave" "$data/in/behave-e2e"
printf 'just some text\n' >"$data/in/notes.txt"
status=0
"$petri" --data-dir "$data" scan --json --case e2e "$data/in" >"$data/scan.json" || status=$?
# 2 only for "no detection engine is loaded" (no signatures in this data
# folder): the sandbox does not need any.
if [ "$status" -gt 1 ] && grep -v -q 'no detection engine is loaded' "$data/scan.json"; then
  fail "petri scan exited with $status: $(cat "$data/scan.json")"
fi
t2=$(date +%s)
echo "e2e-sandbox.sh: scan with the sandbox in $((t2 - t1)) s" >&2

sha=$(sha256sum "$behave" | cut -d' ' -f1)
"$petri" --data-dir "$data" show --json "$sha" >"$data/show.json" || fail "petri show $sha"
jq -e '.analyses | length == 1' "$data/show.json" >/dev/null || fail "not one analysis: $(jq -c .analyses "$data/show.json")"
jq -e '.analyses[0].status == "done"' "$data/show.json" >/dev/null \
  || fail "analysis not done: $(jq -c '.analyses[0] | {status, reason}' "$data/show.json")"
jq -e '.analyses[0].vm | startswith("petri-linux-")' "$data/show.json" >/dev/null \
  || fail "no VM recorded"

show=$data/show.json
expect() {
  # expect CATEGORY ACTION [TARGET] (in $show)
  if [ $# -eq 3 ]; then
    q=".analyses[0].events | map(select(.category == \"$1\" and .action == \"$2\" and .target == \"$3\")) | length > 0"
  else
    q=".analyses[0].events | map(select(.category == \"$1\" and .action == \"$2\")) | length > 0"
  fi
  jq -e "$q" "$show" >/dev/null || fail "no $* event in: $(jq -c '[.analyses[0].events[] | [.category, .action, .target]]' "$show")"
  echo "e2e-sandbox.sh: ok: $*" >&2
}
expect_all() {
  expect process fork
  expect process exec /bin/sh
  expect file create /tmp/petri-e2e-marker.txt
  expect file write /tmp/petri-e2e-marker.txt
  expect file delete /tmp/petri-e2e-marker.txt
  expect network connect 192.0.2.7:4444
  expect driver ioctl /dev/urandom
  expect evasion probe /sys/class/dmi/id/product_name
}
expect_all

# The file it left behind became a sample of the case, linked to its parent.
dropped=$(printf '#!/bin/sh\necho dropped by the petri end-to-end test\n' | sha256sum | cut -d' ' -f1)
jq -e --arg d "$dropped" '.dropped | map(select(.sha256 == $d and .path == "/tmp/petri-e2e-dropped.sh")) | length == 1' \
  "$data/show.json" >/dev/null || fail "dropped file not linked: $(jq -c '{dropped}' "$data/show.json")"
"$petri" --data-dir "$data" show --json "$dropped" >"$data/show-dropped.json" || fail "petri show $dropped"
jq -e --arg s "$sha" '.dropped_by | index($s) != null' "$data/show-dropped.json" >/dev/null \
  || fail "dropped file does not name its parent: $(jq -c '{dropped_by}' "$data/show-dropped.json")"
echo "e2e-sandbox.sh: ok: dropped file stored and linked" >&2

txt=$(sha256sum "$data/in/notes.txt" | cut -d' ' -f1)
"$petri" --data-dir "$data" show --json "$txt" >"$data/show-txt.json" || fail "petri show $txt"
jq -e '.analyses[0].status == "not_eligible" and (.analyses[0].reason | startswith("not an executable"))' \
  "$data/show-txt.json" >/dev/null || fail "text file: $(jq -c .analyses "$data/show-txt.json")"

# The guest dies mid-run: the analysis fails with the reason, what was
# recorded before stays, and the VM comes back for the next one.
cp "$here/crash-guest.sh" "$data/in/crash-guest.sh"
"$petri" --data-dir "$data" scan --json --case e2e "$data/in/crash-guest.sh" >/dev/null || true
crash=$(sha256sum "$here/crash-guest.sh" | cut -d' ' -f1)
"$petri" --data-dir "$data" show --json "$crash" >"$data/show-crash.json" || fail "petri show $crash"
jq -e '.analyses[0].status == "failed" and (.analyses[0].reason | contains("the VM stopped"))' \
  "$data/show-crash.json" >/dev/null || fail "crash: $(jq -c '.analyses[0] | {status, reason}' "$data/show-crash.json")"
jq -e '.analyses[0].events | map(select(.category == "file" and .target == "/tmp/petri-e2e-before-crash")) | length > 0' \
  "$data/show-crash.json" >/dev/null || fail "crash: the events before the crash are lost"
"$petri" --data-dir "$data" sandbox check >/dev/null || fail "the VM did not come back after the crash"
echo "e2e-sandbox.sh: ok: guest crash recorded, VM back in the pool" >&2

# The same program built for i386: every call goes through the 32-bit
# entry, socket calls through socketcall; the same behaviour is recorded,
# and marked as such.
mkdir -p "$data/in32"
cp "$behave32" "$data/in32/behave-e2e-32"
"$petri" --data-dir "$data" scan --json --case e2e "$data/in32/behave-e2e-32" >/dev/null || true
sha32=$(sha256sum "$behave32" | cut -d' ' -f1)
show=$data/show32.json
"$petri" --data-dir "$data" show --json "$sha32" >"$show" || fail "petri show $sha32"
jq -e '.analyses[0].status == "done"' "$show" >/dev/null \
  || fail "i386: analysis not done: $(jq -c '.analyses[0] | {status, reason}' "$show")"
expect_all
jq -e '.analyses[0].events | map(select(.category == "network" and .action == "connect"))
       | .[0].details.abi == "i386"' "$show" >/dev/null \
  || fail "i386: the connect is not marked as a 32-bit call"
echo "e2e-sandbox.sh: ok: the i386 program's behaviour is recorded" >&2
show=$data/show.json

# Scanning again does not run it again.
"$petri" --data-dir "$data" scan --json --case e2e "$data/in/behave-e2e" >/dev/null || true
"$petri" --data-dir "$data" show --json "$sha" >"$data/show2.json"
jq -e '.analyses | length == 1' "$data/show2.json" >/dev/null || fail "analysed twice"

# Petri killed mid-analysis: the next Petri to open the case database marks
# that analysis failed ("interrupted"), instead of showing it running forever.
sed -i 's/^duration=.*/duration=120/' "$data/sandbox.conf"
printf '#!/bin/sh\n# petri e2e: runs until the analysis is cut short\nsleep 600\n' >"$data/in/sleeper.sh"
sleeper=$(sha256sum "$data/in/sleeper.sh" | cut -d' ' -f1)
"$petri" --data-dir "$data" scan --json --case e2e "$data/in/sleeper.sh" >/dev/null 2>&1 &
scan_pid=$!
i=0
# (jq -e succeeds on empty input: look at petri's status too.)
until "$petri" --data-dir "$data" show --json "$sleeper" >"$data/show-sleeper.json" 2>/dev/null \
  && jq -e '.analyses | map(select(.status == "running")) | length == 1' \
    "$data/show-sleeper.json" >/dev/null; do
  i=$((i + 1))
  [ "$i" -lt 180 ] || fail "the sleeper's analysis never started running"
  sleep 1
done
kill -9 "$scan_pid"
wait "$scan_pid" 2>/dev/null || true
"$petri" --data-dir "$data" show --json "$sleeper" >"$data/show-killed.json" 2>"$data/show-killed.err" \
  || fail "petri show $sleeper after the kill: $(cat "$data/show-killed.err")"
jq -e '.analyses | length == 1 and .[0].status == "failed" and (.[0].reason | startswith("interrupted"))' \
  "$data/show-killed.json" >/dev/null \
  || fail "killed mid-analysis: $(jq -c '[.analyses[] | {status, reason}]' "$data/show-killed.json")"
echo "e2e-sandbox.sh: ok: an analysis cut short by SIGKILL is failed (interrupted) on the next open" >&2
echo "e2e-sandbox.sh: PASS in $(($(date +%s) - t0)) s" >&2
