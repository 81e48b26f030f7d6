# gui-lib.sh: shared set-up for the window's GUI scenarios (sourced).
#
# Runs inside gui-session (a private Xvfb, D-Bus and AT-SPI bus). Each
# scenario gets a fresh data directory with the test signatures, a work
# folder of files to drop, and an artefact folder for screenshots.
set -euo pipefail

T=${PETRI_UI_TOOLS:?}
PETRI=${PETRI_BIN:?}
SCENARIO=$(basename "$0" .sh)
ART=${PETRI_UI_ARTIFACTS:?}/$SCENARIO
WORK=$(mktemp -d "${TMPDIR:-/tmp}/petri-$SCENARIO.XXXXXX")
DATA=$WORK/data
IN=$WORK/in
APP_PID=

rm -rf "$ART"
mkdir -p "$ART" "$DATA/signatures" "$IN"
cp -r "${PETRI_UI_FIXTURES:?}/signatures/." "$DATA/signatures/"
export GSETTINGS_BACKEND=memory
# The tests read the window through AT-SPI: the bridge must load.
unset NO_AT_BRIDGE

log() { printf '# %s\n' "$*" >&2; }

# These scenarios read verdicts: without a detection engine in this build
# there is nothing to read, and the scenario is skipped (exit 77), never
# passed. The probe scans one file in a data directory of its own.
require_engines() {
  local probe=$WORK/probe
  mkdir -p "$probe/signatures"
  cp -r "${PETRI_UI_FIXTURES:?}/signatures/." "$probe/signatures/"
  printf 'probe\n' > "$WORK/probe.txt"
  local out
  out=$("$PETRI" --data-dir "$probe" scan --json "$WORK/probe.txt" 2>/dev/null || true)
  if echo "$out" | grep -q '"engines" *: *\[\]'; then
    echo "SKIP: this build loads no detection engine" >&2
    exit 77
  fi
  rm -rf "$probe" "$WORK/probe.txt"
}
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  [ -n "$APP_PID" ] && "$T/atspi-dump" --app petri > "$ART/failure-dump.txt" 2>&1 || true
  "$T/screenshot" "$ART/failure.png" >/dev/null 2>&1 || true
  exit 1
}

cleanup() {
  if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
    kill -TERM "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
  fi
  # A scenario's own clean-up (VMs it defined …), when it has one.
  if declare -F scenario_cleanup > /dev/null; then
    scenario_cleanup || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The EICAR test file, put together here so that no file of the repository
# holds the whole string.
make_eicar() {
  local a='X5O!P%@AP[4\PZX54(P^)7CC)7}$'
  local b='EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
  printf '%s%s' "$a" "$b" > "$1"
}

make_suspect() {
  printf 'plain text with a marker: PETRI-UI-%s\n' 'SUSPECT' > "$1"
}

start_petri() {
  "$PETRI" --data-dir "$DATA" "$@" > "$ART/petri.log" 2>&1 &
  APP_PID=$!
  "$T/atspi-dump" --app '^petri$' --wait 30 --expect "${PETRI_READY:-Drop files or folders to analyse|'Samples'}" \
    > /dev/null || fail "the window did not come up"
}

stop_petri() {
  kill -TERM "$APP_PID"
  local status=0
  wait "$APP_PID" || status=$?
  APP_PID=
  [ "$status" -eq 0 ] || fail "petri exited with status $status on SIGTERM"
}

dump() { "$T/atspi-dump" --app '^petri$' "$@"; }

# expect REGEX [SECONDS]: waits until the accessible tree matches. Each try
# is a fresh atspi-dump, so that no cached accessible hides a change.
expect() {
  local deadline=$((SECONDS + ${2:-60}))
  while :; do
    if dump --wait 2 --expect "$1" > "$ART/last-dump.txt" 2>&1; then
      return 0
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail "never matched: $1"
    sleep 0.3
  done
}

# The largest visible window whose title starts with "Petri" (popovers and
# tooltips are windows too).
petri_window() {
  local best='' best_area=0 w geo width height
  for w in $(xdotool search --onlyvisible --name '^Petri' 2>/dev/null); do
    geo=$(xdotool getwindowgeometry --shell "$w" 2>/dev/null) || continue
    width=$(echo "$geo" | sed -n 's/^WIDTH=//p')
    height=$(echo "$geo" | sed -n 's/^HEIGHT=//p')
    if [ $((width * height)) -gt "$best_area" ]; then
      best=$w
      best_area=$((width * height))
    fi
  done
  echo "$best"
}

shot() {
  local wid
  sleep 0.3 # let the last frame be drawn
  wid=$(petri_window)
  [ -n "$wid" ] || fail "no Petri window to take a picture of"
  "$T/screenshot" --window "$wid" "$ART/$1.png" > /dev/null || fail "screenshot $1"
}

# The whole screen: a dialog and the window it belongs to.
shot_screen() {
  sleep 0.3
  "$T/screenshot" "$ART/$1.png" > /dev/null || fail "screenshot $1"
}

click() { "$T/atspi-click" --app '^petri$' "$@" > /dev/null || fail "could not click: $*"; }

cli() { "$PETRI" --data-dir "$DATA" "$@"; }
