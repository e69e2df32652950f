#!/bin/sh
# t-stats-workbench.sh - a statistics snapshot (no database at all) scales
# severities in the workbench (--stats, and sluice.stats) and gives drafts
# their sizes: the runbook's duration is the findings' estimate. A snapshot
# that cannot be read is an error naming it, in the workbench's status line
# and as draft's exit 2.
. "$SLUICE_SRC/tests/lib.sh"
export TERM=xterm-256color LC_ALL=C.UTF-8

cat >snap.json <<'JSON'
{"sluice_stats": 1, "taken_at": "2026-12-01T00:00:00Z", "server_version": "15.8",
 "tables": [
  {"schema": "public", "name": "small", "rows": 60, "heap_bytes": 8192, "index_bytes": 16384,
   "inserts_per_s": 0, "updates_per_s": 0, "deletes_per_s": 0, "indexes": []},
  {"schema": "public", "name": "big", "rows": 3000000, "heap_bytes": 115343360, "index_bytes": 0,
   "inserts_per_s": 1, "updates_per_s": 0, "deletes_per_s": 0, "indexes": []}]}
JSON
mkdir m
printf 'CREATE INDEX small_v ON small (v);\n' >m/001_small.up.sql
printf 'CREATE INDEX big_v ON big (v);\n' >m/002_big.up.sql

# run NAME [args]: $T/NAME.keys at 120x40; screens in $T/NAME-*.txt
run() {
	_name=$1; shift
	COLUMNS=120 LINES=40 SLUICE_SCRIPT="$T/$_name.keys" "$SLUICE" "$@" >"$T/$_name.out" 2>"$T/$_name.err"
	rc=$?
}
cat >"$T/wb.keys" <<KEYS
:save-screen $T/wb-list.txt
<Enter>
:save-screen $T/wb-small.txt
q
j<Enter>
:save-screen $T/wb-big.txt
KEYS
run wb --stats snap.json m
expect_eq "the workbench with --stats exits 0" "$rc" 0
expect_contains "the 3M-row table's index build is a BLOCKER in the list" "$(cat "$T/wb-list.txt")" "BLOCKER  002 big"
expect_contains "the 60-row table's finding is LOW" "$(cat "$T/wb-small.txt")" "LOW create-index-nonconcurrent"
big=$(cat "$T/wb-big.txt")
expect_contains "the verdict pane gives the big table's rows" "$big" "Table big has 3000000 rows"
expect_contains "the finding carries the estimate" "$big" "~14 s under"

# Near miss: the same files without a snapshot: HIGH, no sizes.
cat >"$T/none.keys" <<KEYS
:save-screen $T/none-list.txt
KEYS
run none m
expect_contains "without a snapshot the big table's index is HIGH" "$(cat "$T/none-list.txt")" "HIGH     002 big"

# A snapshot it cannot read: the status line names it.
printf '{"sluice_stats": 9, "taken_at": "2026-12-01T00:00:00Z", "tables": []}\n' >future.json
cat >"$T/bad.keys" <<KEYS
:save-screen $T/bad-list.txt
KEYS
run bad --stats future.json m
expect_contains "a newer snapshot: the status line names the file" "$(cat "$T/bad-list.txt" "$T/bad.err")" "'future.json' is a snapshot in format 9"

# sluice.stats in a repository: the workbench and drafts use it.
new_repo repo
mkdir -p repo/migrations repo/ops
cp m/*.sql repo/migrations/
cp snap.json repo/ops/stats.json
printf '[sluice]\n\tstats = ops/stats.json\n' >repo/.sluice
commit_all repo "migrations and stats"
cat >"$T/repo.keys" <<KEYS
:save-screen $T/repo-list.txt
KEYS
run repo -C repo --all
expect_contains "workbench, sluice.stats: the big table's index build is a BLOCKER" "$(cat "$T/repo-list.txt")" "BLOCKER  002 big"

out=$("$SLUICE" draft --runbook repo/migrations/002_big.up.sql 2>&1)
expect_contains "draft: the runbook's duration is the findings' estimate, from the snapshot" "$out" \
	"~14 s under SHARE on big (3.0M rows, 110.0 MB), from table statistics"
expect_contains "draft: the finding it lists is the BLOCKER" "$out" "BLOCKER create-index-nonconcurrent"

# committed on the base branch: a branch's own .sluice is not its policy
printf '[sluice]\n\tstats = ops/nosuch.json\n' >repo/.sluice
commit_all repo "stats moved"
expect_exit "draft with an unreadable sluice.stats: exit 2" 2 "$SLUICE" draft --runbook repo/migrations/002_big.up.sql
expect_contains "... naming the file" "$(cat "$T/.err")" "ops/nosuch.json"
expect_exit "check with an unreadable sluice.stats: exit 2" 2 "$SLUICE" -C repo check migrations
expect_contains "... naming the file" "$(cat "$T/.err")" "cannot read statistics snapshot"
finish
