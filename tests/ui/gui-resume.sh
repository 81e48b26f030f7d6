#!/bin/bash
# Files a case holds but that were never scanned (Petri closed while they
# were queued) are scanned when the case opens, instead of showing Pending
# forever. To leave them unscanned on purpose, `petri scan` runs first with
# a signature folder where nothing loads; the folder is then fixed.
. "$(dirname "$0")/gui-lib.sh"
require_engines

make_eicar "$IN/eicar.com"
printf 'nothing to see here\n' > "$IN/clean.txt"
make_suspect "$IN/marked.txt"

rm -rf "$DATA/signatures"
mkdir -p "$DATA/signatures/yara"
printf 'rule UI_Broken { condition: no_such_identifier }\n' > "$DATA/signatures/yara/broken.yar"
cli scan --case Resume "$IN/eicar.com" "$IN/clean.txt" "$IN/marked.txt" > "$ART/scan.txt" 2>&1 || true
cli show --case Resume --json > "$ART/before.json"
python3 - "$ART/before.json" <<'PY' || fail "the files were not left unscanned"
import json, sys
case = json.load(open(sys.argv[1]))
assert len(case["samples"]) == 3, case
assert all(s["verdict"] == "pending" and s["engines"] == 0 for s in case["samples"]), case
PY

rm -rf "$DATA/signatures"
mkdir -p "$DATA/signatures"
cp -r "${PETRI_UI_FIXTURES:?}/signatures/." "$DATA/signatures/"

# The window opens the last case there is: Resume.
PETRI_READY="'Samples'" start_petri
expect "eicar\.com \|[^\n]*\| Malicious \| 2 / 2 engines"
expect "clean\.txt \|[^\n]*\| Clean \| 0 / 2 engines"
expect "marked\.txt \|[^\n]*\| Suspicious \| 1 / 2 engines"
dump | grep -q '| Pending |' && fail "a row still reads Pending"
shot resumed

cli show --case Resume --json > "$ART/after.json"
python3 - "$ART/after.json" <<'PY' || fail "the results did not reach the case database"
import json, sys
case = json.load(open(sys.argv[1]))
verdicts = sorted((s["names"][0], s["verdict"], s["engines"]) for s in case["samples"])
assert verdicts == [("clean.txt", "clean", 2), ("eicar.com", "malicious", 2),
                    ("marked.txt", "suspicious", 2)], verdicts
PY

# Opening the case again queues nothing more: each sample keeps its one
# result per engine.
stop_petri
PETRI_READY="'Samples'" start_petri
expect "eicar\.com \|[^\n]*\| Malicious \| 2 / 2 engines"
sleep 2
stop_petri
for sha in $(python3 -c 'import json,sys; [print(s["sha256"]) for s in json.load(open(sys.argv[1]))["samples"]]' "$ART/after.json"); do
  n=$(cli show --json "$sha" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["history"]))')
  [ "$n" = 2 ] || fail "$sha has $n results after reopening (scanned again?)"
done
echo "ok"
