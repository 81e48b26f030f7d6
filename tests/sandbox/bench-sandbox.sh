#!/bin/sh
# bench-sandbox.sh [BUILD_DIR]: what an analysis costs besides the sample's own
# run time, on plain QEMU (no KVM) unless PETRI_BENCH_KVM=1.
#
# Sets up a pool of two VMs in a scratch data folder, then runs the harmless
# behave-e2e program: once alone, then twice at once (one per VM). Prints,
# per analysis, the time from dispatch to the agent's handshake and the
# overhead (everything but the time the sample ran), and the ratio of each
# to the 10 s overhead target. Not a test: run it by hand (as root).
#
# Copyright 2026 The Petri authors
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../_build}
build=$(cd "$build" && pwd)
petri=$build/ui/petri
behave=$build/tests/sandbox/behave-e2e
duration=${PETRI_BENCH_DURATION:-10}
target=10

[ -x "$petri" ] && [ -x "$behave" ] || {
  echo "bench-sandbox.sh: build first (meson compile -C $build)" >&2
  exit 1
}
sh "$here/start-libvirt.sh" "$build/tests/sandbox/petri-reaper"

data=$(mktemp -d /tmp/petri-bench.XXXXXX)
chmod 755 "$data"
cleanup() {
  for dom in $(sed -n 's/^domain=//p' "$data/sandbox.conf" 2>/dev/null); do
    virsh -c qemu:///system destroy "$dom" >/dev/null 2>&1 || true
    virsh -c qemu:///system undefine "$dom" >/dev/null 2>&1 || true
  done
  rm -rf "$data"
}
trap cleanup EXIT

tcg=--tcg
[ "${PETRI_BENCH_KVM:-0}" = 1 ] && tcg=
"$petri" --data-dir "$data" sandbox init --vms 2 $tcg >/dev/null 2>"$data/init.log" || {
  cat "$data/init.log" >&2
  exit 1
}
cp "$behave" "$data/a"
cp "$behave" "$data/b"
printf '\n' >>"$data/b" # another hash, same behaviour

report() {
  jq -r --argjson t "$target" '
    "  \(.file | split("/") | last)  vm=\(.vm)  status=\(.status)  handshake=\(.handshake_seconds * 10 | round / 10) s  run=\(.summary.run_seconds * 10 | round / 10) s  overhead=\(.overhead_seconds * 10 | round / 10) s  overhead/target=\(.overhead_seconds / $t * 100 | round / 100)"' "$1"
}

echo "Petri sandbox benchmark ($(nproc) cores, $([ -n "$tcg" ] && echo 'plain QEMU, no KVM' || echo KVM), run time $duration s)"
echo "one analysis:"
t0=$(date +%s.%N)
"$petri" --data-dir "$data" sandbox run --json --duration "$duration" "$data/a" >"$data/one.json" 2>/dev/null
t1=$(date +%s.%N)
report "$data/one.json"
echo "  wall clock $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"

echo "two analyses at once on two VMs:"
t0=$(date +%s.%N)
"$petri" --data-dir "$data" sandbox run --json --duration "$duration" "$data/a" "$data/b" >"$data/two.json" 2>/dev/null
t1=$(date +%s.%N)
report "$data/two.json"
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
vms=$(jq -r .vm "$data/two.json" | sort -u | wc -l)
echo "  wall clock $wall s on $vms VMs; the two overlapped: $(jq -s '[.[].summary.total_seconds] | add' "$data/two.json" | awk -v w="$wall" '{ printf "%s", ($1 > w * 1.3) ? "yes" : "no" }')"
