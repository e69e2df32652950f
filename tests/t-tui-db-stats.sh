#!/bin/sh
# t-tui-db-stats.sh - the workbench with a live database (--db): the scan
# reads table statistics read-only in its worker, so the list's severities
# scale with table size and the verdict pane gives the row count and an
# estimated lock time; an unreachable database is a status-line warning and
# the workbench judges statically.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"
export TERM=xterm-256color LC_ALL=C.UTF-8
scratch_db DB sluice_tuistats
LIVE="$PG dbname=$DB"
stats_tables "$LIVE"

mkdir m
printf 'CREATE INDEX small_v ON small (v);\n' >m/001_small.up.sql
printf 'CREATE INDEX big_v ON big (v);\n' >m/002_big.up.sql

# "Hot" is a write rate: rows written over the seconds the counters cover
# (since the server started, for a new database). On a server a minute old
# the 2,000 rows loaded into 'small' are 33 writes a second, hot by the
# default of 10. The threshold is set between the two tables' rates, ten
# times above small's and ten times below big's, whatever the server's age.
# A HOME of the test's own: the shared one is every test's.
hot_threshold() {
	_secs=$(command psql -X -At "$LIVE" -c "SELECT GREATEST(1, EXTRACT(epoch FROM now() - COALESCE(
		(SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()),
		pg_postmaster_start_time())))")
	mkdir -p "$T/home"
	git config --file "$T/home/.gitconfig" sluice.hotWritesPerSecond \
		"$(python3 -c 'import sys; print(round(20000 / float(sys.argv[1]), 3))' "$_secs")"
}

# run NAME [args]: $T/NAME.keys at 120x40; screens in $T/NAME-*.txt
run() {
	_name=$1; shift
	hot_threshold
	HOME="$T/home" COLUMNS=120 LINES=40 SLUICE_SCRIPT="$T/$_name.keys" "$SLUICE" "$@" >"$T/$_name.out" 2>"$T/$_name.err"
	rc=$?
}
cat >"$T/db.keys" <<KEYS
:save-screen $T/db-list.txt
<Enter>
:save-screen $T/db-small.txt
q
j<Enter>
:save-screen $T/db-big.txt
KEYS
run db --db "$LIVE" m
expect_eq "the workbench with --db exits 0" "$rc" 0
list=$(cat "$T/db-list.txt")
expect_not_contains "the 2,000-row table's index is no longer HIGH" "$list" "HIGH     001 small"
expect_contains "its finding is eased to LOW" "$(cat "$T/db-small.txt")" "LOW create-index-nonconcurrent"
expect_contains "the 200,000-row table's migration is HIGH: the table was just loaded, so it is hot" "$list" "HIGH     002 big"
expect_contains "the verdict pane gives the small table's rows" "$(cat "$T/db-small.txt")" "Table small has 2000 rows"
big=$(cat "$T/db-big.txt")
expect_contains "... and the big table's" "$big" "Table big has 200000 rows"
expect_contains "with the lock and how long it is held" "$big" "SHARE held for ~"
expect_contains "its index build is MEDIUM (200,000 rows: not large, under a second)" "$big" "MEDIUM create-index-nonconcurrent"
expect_contains "no lock_timeout on the hot table is HIGH" "$big" "HIGH lock-timeout-missing"
expect_not_contains "the password-free URL is not printed either" "$(cat "$T/db.err")" "dbname="

# Near miss: the same files without a database are judged alike.
cat >"$T/nodb.keys" <<KEYS
:save-screen $T/nodb-list.txt
<Enter>
:save-screen $T/nodb-small.txt
KEYS
run nodb m
expect_contains "without --db the small table's index is HIGH" "$(cat "$T/nodb-list.txt")" "HIGH     001 small"
expect_not_contains "without --db no table line" "$(cat "$T/nodb-small.txt")" "rows ("
expect_contains "without --db the finding is HIGH" "$(cat "$T/nodb-small.txt")" "HIGH create-index-nonconcurrent"

# An unreachable database: a warning, and the workbench judges statically.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
cat >"$T/down.keys" <<KEYS
:save-screen $T/down-list.txt
KEYS
run down --db "host=127.0.0.1 port=$port user=nobody password=hunter2 connect_timeout=2" m
expect_eq "an unreachable database: still exits 0" "$rc" 0
expect_contains "the list is judged statically" "$(cat "$T/down-list.txt")" "HIGH     001 small"
expect_contains "the warning says why" "$(cat "$T/down.err" "$T/down-list.txt")" "127.0.0.1"
expect_not_contains "the password is never shown" "$(cat "$T/down.err" "$T/down-list.txt")" "hunter2"
finish
