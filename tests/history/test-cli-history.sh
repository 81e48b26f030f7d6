#!/bin/bash
# The history commands end to end, through the petri binary:
# import, search, tag/note/verdict, export (+ samples zip), bundle round trip,
# and bad input (exit status 2, a message naming the file, nothing changed).
set -euo pipefail
petri=$(realpath "$1")
fixtures=$(cd "$(dirname "$0")/fixtures" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { echo "not ok - $*"; exit 1; }
expect_status() { # STATUS CMD…
  local want=$1; shift
  set +e; "$@" >out 2>err; local got=$?; set -e
  [ "$got" = "$want" ] || { sed 's/^/# /' out err; fail "$* exited $got, not $want"; }
}
dump() { sqlite3 "$1/cases.db" .dump | sha256sum; }
cape=5f0c4c0ff1a9d5e7c2b8a6d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4

mkdir in
printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-' 'ANTIVIRUS-TEST-FILE!$H+H*' > in/eicar.com
echo 'just text' > in/notes.txt
"$petri" --data-dir a scan --case Field in/ >/dev/null 2>&1 || true
eicar=$(sha256sum in/eicar.com | cut -d' ' -f1)

expect_status 0 "$petri" --data-dir a import --case Field "$fixtures/cape-report.json" "$fixtures/cuckoo-report.json"
grep -q "cape report on $cape" out || fail "import summary"
ok "import two reports"
before=$(dump a)
expect_status 0 "$petri" --data-dir a import --case Field "$fixtures/cape-report.json"
grep -q "already present" out || fail "re-import summary"
[ "$(dump a)" = "$before" ] || fail "re-import changed the database"
ok "importing a report again changes nothing"

expect_status 0 "$petri" --data-dir a search --json 'vssadmin delete'
grep -q "\"sha256\" : \"$cape\"" out && grep -q '"case" : "Field"' out || fail "search by command line"
expect_status 0 "$petri" --data-dir a search 203.0.113.77
expect_status 0 "$petri" --data-dir a search eicar.com
grep -q "$eicar" out || fail "search by file name"
expect_status 0 "$petri" --data-dir a search "${eicar:0:12}"
expect_status 1 "$petri" --data-dir a search 'no-such-thing-anywhere'
expect_status 1 "$petri" --data-dir a search --new-since 2026-01-01
expect_status 2 "$petri" --data-dir a search --new-since yesterday
grep -q yesterday err || fail "bad date message"
ok "search: behaviour, address, name, prefix, nothing, new-since"

expect_status 0 "$petri" --data-dir a tag --case Field "${eicar:0:10}" test eicar
expect_status 0 "$petri" --data-dir a note --case Field --sample "$eicar" harmless test file
expect_status 0 "$petri" --data-dir a verdict --case Field "$eicar" clean -m "it is the test file"
expect_status 2 "$petri" --data-dir a verdict --case Field "$eicar" sort-of
expect_status 0 "$petri" --data-dir a show --json "$eicar"
grep -q '"analyst_verdict" : "clean"' out && grep -q '"eicar"' out || fail "tag/verdict not shown"
ok "tag, note, analyst verdict"

for f in json html misp stix; do
  expect_status 0 "$petri" --data-dir a export --case Field --format $f -o report.$f
  [ -s report.$f ] || fail "empty $f export"
  ! grep -q 'EICAR-STANDARD' report.$f || fail "$f export holds sample bytes"
done
expect_status 0 "$petri" --data-dir a export --case Field --format html --with-samples -o report.zip
unzip -P infected -p report.zip "samples/$eicar" | grep -q EICAR-STANDARD || fail "zip sample"
! unzip -P wrong -p report.zip "samples/$eicar" >/dev/null 2>&1 || fail "zip opened without the password"
ok "exports, and samples only in a zip protected with infected"

mkdir ro && touch ro/file
expect_status 2 "$petri" --data-dir a export --case Field --format html -o ro/file/out.html
grep -q 'out.html' err || fail "unwritable export message"
expect_status 2 "$petri" --data-dir a export --case Nope --format json -o x.json
expect_status 2 "$petri" --data-dir a export --case Field --format pdf -o x.pdf
ok "export errors"

expect_status 0 "$petri" --data-dir a export --case Field --format bundle -o field.bundle
expect_status 0 "$petri" --data-dir b import field.bundle
after_first=$(dump b)
expect_status 0 "$petri" --data-dir b import field.bundle
grep -q '0 samples added' out || fail "second bundle import added samples"
[ "$(dump b)" = "$after_first" ] || fail "second bundle import changed the database"
expect_status 0 "$petri" --data-dir b search 'vssadmin'
expect_status 0 "$petri" --data-dir b show --json "$eicar"
grep -q '"analyst_verdict" : "clean"' out || fail "verdict did not travel"
ok "bundle round trip; a second import changes nothing"

head -c 300 field.bundle > truncated.bundle
before=$(dump b)
expect_status 2 "$petri" --data-dir b import truncated.bundle
grep -q truncated.bundle err || fail "truncated bundle message"
head -c 2000 "$fixtures/cape-report.json" > truncated.json
expect_status 2 "$petri" --data-dir b import truncated.json
grep -q 'truncated.json' err && grep -q 'ends too early' err || fail "truncated report message"
[ "$(dump b)" = "$before" ] || fail "bad input changed the database"
ok "bad bundle and report: exit 2, named, nothing changed"
echo "1..$n"
