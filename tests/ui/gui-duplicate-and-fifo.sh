#!/bin/bash
# The same file dropped twice is one sample (one row, one database entry);
# a dropped FIFO gives an error row and the window keeps working.
. "$(dirname "$0")/gui-lib.sh"
require_engines

printf 'the same bytes every time\n' > "$IN/twice.txt"
mkdir "$IN/pipe"
mkfifo "$IN/pipe/fifo"
printf 'after the fifo\n' > "$IN/after.txt"

start_petri

log "drop the same file twice"
"$T/drag-files" --via pcmanfm --title '^Petri' "$IN/twice.txt" || fail "first drag failed"
expect "twice\.txt \|[^\n]*\| Done \| Clean"
"$T/drag-files" --via pcmanfm --title '^Petri' "$IN/twice.txt" || fail "second drag failed"
# Give the second drop time to be hashed and folded into the first row.
sleep 3
dump > "$ART/after-second-drop.txt"
rows=$(grep -c 'twice\.txt |' "$ART/after-second-drop.txt" || true)
[ "$rows" -eq 1 ] || fail "twice.txt shows in $rows rows"
cli cases --json > "$ART/cases.json"
grep -q '"samples" *: *1' "$ART/cases.json" || fail "the case does not hold exactly one sample"
shot duplicate

log "drop a FIFO (with a regular file)"
"$T/drag-files" --via pcmanfm --title '^Petri' "$IN/pipe/fifo" || fail "fifo drag failed"
expect "fifo \|[^\n]*\| Error \| Error"
# Still responsive: the next drop is taken in and scanned.
"$T/drag-files" --via pcmanfm --title '^Petri' "$IN/after.txt" || fail "drag after the fifo failed"
expect "after\.txt \|[^\n]*\| Done \| Clean" 30
click --role 'table cell' --name '^fifo$'
expect "not a regular file|is a FIFO|named pipe|cannot"
shot fifo

stop_petri
echo "ok"
