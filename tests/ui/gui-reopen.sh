#!/bin/bash
# Close the window in the middle of a scan, open it again: every result
# that was finished is there, with its verdict.
. "$(dirname "$0")/gui-lib.sh"
require_engines

mkdir "$IN/many"
for i in $(seq -w 1 600); do
  printf 'file %s\n%s\n' "$i" "$(head -c 2048 /dev/zero | tr '\0' "$((10#$i % 10))")" > "$IN/many/f$i.txt"
done
make_eicar "$IN/many/a-eicar.com"

start_petri
"$T/drag-files" --via pcmanfm --title '^Petri' "$IN/many" || fail "drag failed"

# Close as soon as part of the folder is done.
for _ in $(seq 1 200); do
  done_now=$(cli cases --json 2>/dev/null | sed -n 's/.*"samples" *: *\([0-9]*\).*/\1/p' | head -1)
  [ "${done_now:-0}" -ge 40 ] && break
  sleep 0.1
done
log "closing with ${done_now:-0} samples recorded"
click --role 'push button' --name '^Close$'
status=0
for _ in $(seq 1 300); do
  kill -0 "$APP_PID" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$APP_PID" 2>/dev/null && fail "the window did not close"
wait "$APP_PID" || status=$?
APP_PID=
[ "$status" -eq 0 ] || fail "petri exited with $status when closed"

# What the database holds as finished now is what the window must show.
case_name=$(cli cases --json | sed -n 's/.*"name" *: *"\([^"]*\)".*/\1/p' | head -1)
cli show --case "$case_name" --json > "$ART/case.json"
finished=$(python3 - "$ART/case.json" <<'PY'
import json, sys
case = json.load(open(sys.argv[1]))
done = [s for s in case["samples"] if s["verdict"] in ("clean", "malicious", "suspicious")]
for s in done:
    print(s["names"][0], s["verdict"].capitalize())
PY
)
n_finished=$(echo "$finished" | grep -c . || true)
log "$n_finished finished results before closing"
[ "$n_finished" -ge 1 ] || fail "nothing was finished before closing"

PETRI_READY="'Samples'" start_petri
dump > "$ART/reopened.txt"
while read -r name verdict; do
  grep -q "${name//./\\.} |[^|]*|[^|]*|[^|]*|[^|]*| $verdict |" "$ART/reopened.txt" \
    || fail "$name ($verdict) is missing after reopening"
done <<< "$finished"
shot reopened

# What was stored but not scanned when the window closed is scanned now:
# no row stays Pending, and the database has a result for every sample.
pending_at_close=$(python3 -c 'import json,sys; print(sum(1 for s in json.load(open(sys.argv[1]))["samples"] if s["engines"] == 0))' "$ART/case.json")
log "$pending_at_close samples were stored unscanned"
for _ in $(seq 1 120); do
  dump > "$ART/resumed.txt"
  grep -q '| Pending |' "$ART/resumed.txt" || break
  sleep 0.5
done
grep -q '| Pending |' "$ART/resumed.txt" && fail "rows stay Pending after reopening"
stop_petri
cli show --case "$case_name" --json > "$ART/case-after.json"
python3 - "$ART/case-after.json" <<'PY' || fail "a sample of the case has no result after reopening"
import json, sys
case = json.load(open(sys.argv[1]))
left = [s["names"][0] for s in case["samples"] if s["engines"] == 0]
assert not left, left
PY
echo "ok"
