#!/usr/bin/env bash
# bench-engines.sh - time `petri scan` against the reference tools on the
# same files and the same signatures, and print the ratios and peak memory.
#
# Usage: tests/bench/bench-engines.sh [-n FILES] [-s MBYTES] [-p PROFILE] [-r ROUNDS] [-b BUILDDIR] [-k]
#   -n FILES    corpus size in files          (default 2000)
#   -s MBYTES   corpus size in MB             (default 300)
#   -p PROFILE  YARA profile: default | all   (default: default = yara/entrypoints.txt)
#   -r ROUNDS   rounds; each time is the best of them (default 3)
#   -b DIR      meson build folder            (default _build)
#   -k          keep the work folder
#
# Measured, interleaved in every round (this machine's CPU speed drifts, so
# the best of the rounds is compared):
#   petri scan        fresh data dir, signatures imported, compiled-rule cache warm
#   clamscan + yara   clamscan --allmatch, then yara -p CORES (compiling its rules)
#   clamd + yara      clamdscan --multiscan --allmatch (clamd started beforehand), then yara
#   bare loop         tests/bench/bare-loop: libclamav + libyara loaded once, CORES threads
#   engines loop      the same loop through Petri's engine layer (bare-loop --petri)
# All of them use the files of the Petri signature store made for the run:
# the bench's ClamAV databases and YARA entry points (one namespace per file)
# plus Petri's default set, so every tool does the same work.
# The corpus is made once with ../shared/bench/make-corpus.sh and kept in
# /tmp/petri-bench-corpus (or /tmp/petri-bench-corpus-N-S for other sizes).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
shared=$(cd "$here/../shared/bench" && pwd)
files=2000
mbytes=300
profile=default
rounds=3
build=_build
keep=0
while getopts "n:s:p:r:b:kh" opt; do
  case "$opt" in
    n) files=$OPTARG ;;
    s) mbytes=$OPTARG ;;
    p) profile=$OPTARG ;;
    r) rounds=$OPTARG ;;
    b) build=$OPTARG ;;
    k) keep=1 ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done
case "$build" in /*) ;; *) build="$here/$build" ;; esac
case "$profile" in
  default) entrypoints="$shared/sigs/yara/entrypoints.txt" ;;
  all) entrypoints="$shared/sigs/yara/entrypoints-all.txt" ;;
  *) echo "bench-engines: unknown profile $profile (default or all)" >&2; exit 2 ;;
esac

cores=$(nproc)
petri="$build/ui/petri"
bare="$build/tests/bench/bare-loop"
for tool in "$petri" "$bare"; do
  [ -x "$tool" ] || { echo "bench-engines: $tool is missing; build first (meson compile -C $build)" >&2; exit 1; }
done
for tool in clamscan yara clamd clamdscan /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench-engines: $tool is missing (./run test installs it)" >&2; exit 1; }
done
sigs_cmd() { # DATA_DIR ARGS…
  local data=$1; shift
  "$petri" --data-dir "$data" sigs "$@"
}

log() { printf '==> %s\n' "$*" >&2; }

# --- the corpus ---------------------------------------------------------------
if [ "$files" = 2000 ] && [ "$mbytes" = 300 ]; then
  corpus=/tmp/petri-bench-corpus
else
  corpus=/tmp/petri-bench-corpus-$files-$mbytes
fi
if [ ! -d "$corpus" ] || [ ! -f "$corpus.SUMMARY.txt" ]; then
  log "making the corpus in $corpus ($files files, ~$mbytes MB)"
  rm -rf "$corpus"
  "$shared/make-corpus.sh" -n "$files" -s "$mbytes" "$corpus" >/dev/null
fi
# Every tool reads the files from the page cache.
find "$corpus" -type f -exec cat {} + >/dev/null

work=$(mktemp -d /tmp/petri-bench-XXXXXX)
clamd_pid=
cleanup() {
  if [ -n "$clamd_pid" ]; then kill "$clamd_pid" 2>/dev/null || true; wait "$clamd_pid" 2>/dev/null || true; fi
  if [ "$keep" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- the signatures -------------------------------------------------------------
template="$work/template"
log "importing the signatures into a Petri data dir ($profile YARA profile)"
mapfile -t yara_entries < <(sed -e '/^$/d' -e "s|^|$shared/sigs/|" "$entrypoints")
( cd "$shared/sigs/clamav" &&
  sigs_cmd "$template" import "$PWD"/*.ndb "$PWD"/*.ldb "$PWD"/*.hdb "${yara_entries[@]}" ) \
  > "$work/import.log" 2>&1 || { cat "$work/import.log" >&2; exit 1; }
store="$template/signatures"
yarc=$(ls "$template"/cache/yara-*.yarc)
# The entry points are the top-level rule files of the store (the files they
# include sit in folders beside them); one namespace each, as Petri does.
yara_args=(-w -r -p "$cores" -d filename= -d filepath= -d extension= -d filetype= -d owner=)
n_yara_files=0
for f in "$store"/yara/*.yar "$store"/yara/*.yara; do
  [ -f "$f" ] || continue
  b=$(basename "$f"); yara_args+=("${b%.*}:$f"); n_yara_files=$((n_yara_files + 1))
done
n_clamav_files=$(ls "$store/clamav" | wc -l)
log "store: $n_clamav_files ClamAV files, $n_yara_files YARA entry points; $cores cores; $rounds rounds"

# --- clamd ----------------------------------------------------------------------
mkdir -p "$work/clamd-tmp"
cat > "$work/clamd.conf" <<EOF
LocalSocket $work/clamd.sock
DatabaseDirectory $store/clamav
TemporaryDirectory $work/clamd-tmp
LogFile $work/clamd.log
Foreground yes
MaxThreads $cores
MaxDirectoryRecursion 64
# clamd remembers the hashes of clean files it has scanned: without this,
# every round after the first would time its cache, not a scan.
DisableCache yes
EOF
clamd --config-file="$work/clamd.conf" --foreground >/dev/null 2>&1 &
clamd_pid=$!
clamdscan --config-file="$work/clamd.conf" --ping 120:1 >/dev/null 2>&1 || { echo "bench-engines: clamd did not start" >&2; exit 1; }

# --- timing ---------------------------------------------------------------------
# run NAME CMD…: elapsed s, peak RSS (KiB), user s, system s into $work/NAME.times
run() {
  local name=$1; shift
  local status=0
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >"$work/$name.out" 2>"$work/$name.err" || status=$?
  # clamscan, clamdscan and petri scan exit 1 when they find something.
  if [ "$status" -gt 1 ]; then
    echo "bench-engines: $name failed (exit $status):" >&2; tail -5 "$work/$name.err" >&2; exit 1
  fi
  tail -1 "$work/time" >> "$work/$name.times"
}

for r in $(seq 1 "$rounds"); do
  log "round $r/$rounds"
  rm -rf "$work/data"; cp -a "$template" "$work/data"
  run petri "$petri" --data-dir "$work/data" scan --no-sandbox -j "$cores" "$corpus"
  run clamscan clamscan --allmatch --no-summary --infected --database="$store/clamav" -r "$corpus"
  run yara yara "${yara_args[@]}" "$corpus"
  run clamd clamdscan --config-file="$work/clamd.conf" --multiscan --allmatch --no-summary --infected "$corpus"
  run bare "$bare" -t "$cores" -d "$store/clamav" -y "$yarc" "$corpus"
  run engines "$bare" -t "$cores" --petri "$store" "$corpus"
done
clamd_rss=$(awk '/VmHWM/ {print $2}' "/proc/$clamd_pid/status")
# Memory by worker count: one engine instance, a scanner per worker.
for t in 1 $((cores * 4)); do
  run "mem$t" "$bare" -t "$t" --petri "$store" "$corpus/testfiles"
done

# --- report ---------------------------------------------------------------------
python3 - "$work" "$clamd_rss" "$corpus" "$profile" "$cores" <<'PYEOF'
import sys
work, clamd_rss, corpus, profile, cores = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
def rounds_of(name):
    # (wall s, peak KiB, cpu s) per round
    return [(float(r[0]), int(r[1]), float(r[2]) + float(r[3]))
            for r in (l.split() for l in open(f"{work}/{name}.times")) if r]
t = {n: rounds_of(n) for n in ("petri", "clamscan", "yara", "clamd", "bare", "engines")}
def pair(a, b, rss=None):
    return [(x[0] + y[0], rss if rss is not None else max(x[1], y[1]), x[2] + y[2])
            for x, y in zip(a, b)]
# clamd's CPU time is the daemon's, not clamdscan's: its row shows the client's only.
rows = [("petri scan", t["petri"]), ("clamscan + yara", pair(t["clamscan"], t["yara"])),
        ("clamd + yara", pair(t["clamd"], t["yara"], max(clamd_rss, max(r[1] for r in t["yara"])))),
        ("bare loop", t["bare"]), ("engines loop", t["engines"])]
best = {name: min(rs, key=lambda r: r[0]) for name, rs in rows}
cpu = {name: min(r[2] for r in rs) for name, rs in rows}
n = len(t["petri"])
print(f"corpus {corpus}, YARA profile {profile}, {cores} cores, best of {n} rounds")
print(f"{'':16} {'wall s':>7} {'rounds (wall s)':<20} {'CPU%':>5} {'peak MB':>8} {'x clamscan+yara':>16}"
      f" {'x bare':>7} {'CPU s':>7} {'CPU x bare':>10}")
for name, rs in rows:
    w, rss, c = best[name]
    print(f"{name:16} {w:7.2f} {' '.join(f'{r[0]:.1f}' for r in rs):<20} {100 * c / w:5.0f}"
          f" {max(r[1] for r in rs) / 1024:8.0f} {best['clamscan + yara'][0] / w:15.2f}x"
          f" {w / best['bare loop'][0]:6.2f}x {cpu[name]:7.1f} {cpu[name] / cpu['bare loop']:9.2f}x")
print(f"(alone: clamscan {min(r[0] for r in t['clamscan']):.2f} s, yara -p {cores} "
      f"{min(r[0] for r in t['yara']):.2f} s, clamdscan {min(r[0] for r in t['clamd']):.2f} s;"
      " clamd's peak includes its database, its CPU time is not counted)")
m1 = rounds_of("mem1")[0][1]
mn = rounds_of(f"mem{cores * 4}")[0][1]
print(f"engines loop peak memory: {m1 / 1024:.0f} MB with 1 worker, {mn / 1024:.0f} MB with {cores * 4}"
      f" ({(mn - m1) / 1024 / (cores * 4 - 1):.1f} MB per extra worker)")
print()
print(f"petri scan: {best['clamscan + yara'][0] / best['petri scan'][0]:.2f}x as fast as clamscan then yara"
      f" (target >= 1.25x); {best['petri scan'][0] / best['bare loop'][0]:.2f}x the bare loop's wall time"
      f" and {cpu['petri scan'] / cpu['bare loop']:.2f}x its CPU time (target <= 1.10x).")
print("CPU% below 100 x cores means the machine did not give the tools all its cores;"
      " CPU s is then the steadier measure of work done.")
PYEOF
echo
echo "what each found:"
echo "  petri:    $(tail -1 "$work/petri.err" 2>/dev/null || true)"
echo "  clamscan: $(sort -u "$work/clamscan.out" | cut -d: -f1 | sort -u | wc -l) files with ClamAV names"
echo "  yara:     $(cut -d' ' -f2- "$work/yara.out" | sort -u | wc -l) files with YARA matches"
echo "  bare:     $(tail -1 "$work/bare.out")"
echo "  engines:  $(tail -1 "$work/engines.out")"
