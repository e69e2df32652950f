#!/bin/sh
# t-cluster-reap.sh - a throwaway cluster never outlives sluice, and no
# shell reads its paths.
#   - kill -9 of sluice while its cluster runs: the postmaster stops by
#     itself (parent-death signal), the directory is left, and the next
#     run reaps it; a leftover whose postmaster still runs is stopped and
#     removed, but a recorded pid that is now another process is left alone.
#   - SIGQUIT and SIGTERM stop the cluster and remove its directory.
#   - `sluice drift | true` (SIGPIPE on stdout): the cluster is removed.
#   - TMPDIR='.../a b/$(touch pwned)': the cluster works, nothing is run.
. "$SLUICE_SRC/tests/lib.sh"
sh "$SLUICE_SRC/tests/pg.sh" need || exit 0
PG=$SLUICE_TEST_PG
BINDIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r | head -1)

# As root the cluster runs as postgres, which must reach (and, for the
# "$(touch pwned)" probe, write to) these directories.
chmod 1777 "$T"
export TMPDIR="$T/tmp"
mkdir -m 1777 "$TMPDIR"

mkdir slow fast
printf 'SELECT pg_sleep(60);\n' >slow/001_slow.up.sql
printf 'CREATE TABLE a (id int);\n' >fast/001_a.up.sql
printf 'DROP TABLE a;\n' >fast/001_a.down.sql

clusters() { ls -d "$TMPDIR"/sluice-shadow.* 2>/dev/null; }
gone() { # PID: not running (a zombie no one reaped counts as gone)
	[ ! -e "/proc/$1/stat" ] || [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -c1)" = Z ]
}
wait_gone() { i=0; while ! gone "$1" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done; gone "$1"; }
# Starts `sluice verify slow` in the background and waits until its
# postmaster runs and the slow statement is under way; sets $pid, $dir, $pm.
start_slow() {
	env --default-signal "$SLUICE" verify slow >/dev/null 2>&1 &
	pid=$!
	i=0 pm=0 dir=""
	while [ $i -lt 300 ]; do
		dir=$(clusters | head -1)
		pm=$(sed -n 's/^postmaster //p' "$dir/sluice-owner" 2>/dev/null)
		[ -n "$pm" ] && [ "$pm" != 0 ] && [ -S "$dir/.s.PGSQL.5432" ] && break
		sleep 0.1; i=$((i + 1))
	done
	sleep 1
}

# kill -9: the directory stays, the postmaster goes by itself, the next run reaps.
start_slow
check "a cluster runs, its marker names the postmaster ($pm)" test -n "$dir" -a "$pm" != 0
kill -9 $pid; wait $pid 2>/dev/null
check "kill -9 of sluice: its cluster directory is left behind" test -d "$dir"
check "... but the postmaster stops by itself" wait_gone "$pm"
"$SLUICE" verify fast >fast.out 2>&1
expect_contains "the next run works" "$(cat fast.out)" "round trip: ok"
expect_eq "... and reaped the leftover: no cluster directory remains" "$(clusters)" ""

# A leftover whose postmaster still runs (sluice died before it could say
# so): the reaper stops it. Built by hand: initdb and postgres as pg.sh does.
fake="$TMPDIR/sluice-shadow.fake01"
mkdir -m 700 "$fake"
as=""
if [ "$(id -u)" = 0 ]; then chown postgres "$fake"; as="runuser -u postgres --"; fi
$as "$BINDIR/initdb" -D "$fake/data" -U postgres -A trust --no-sync >/dev/null 2>&1
$as "$BINDIR/postgres" -D "$fake/data" -c listen_addresses= -c "unix_socket_directories=$fake" \
	-c port=5432 >/dev/null 2>&1 &
i=0; while [ ! -S "$fake/.s.PGSQL.5432" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
fake_pm=$(head -1 "$fake/data/postmaster.pid")
sh -c 'exit 0' & dead=$!; wait $dead
printf 'sluice %s 1\npostmaster %s\n' "$dead" "$fake_pm" >"$fake/sluice-owner"
# And one whose recorded postmaster pid is now an unrelated process.
other="$TMPDIR/sluice-shadow.other1"
mkdir -p "$other/data"
sleep 60 & sleeper=$!
printf 'sluice %s 1\npostmaster %s\n' "$dead" "$sleeper" >"$other/sluice-owner"
# And a directory of that name without a marker of ours: not touched.
mkdir -p "$TMPDIR/sluice-shadow.notours"
check "the stale postmaster runs before the next run" test ! -n "$(gone "$fake_pm" && echo gone)"
"$SLUICE" verify fast >/dev/null 2>&1
check "the stale postmaster is stopped" wait_gone "$fake_pm"
check "its directory is removed" test ! -e "$fake"
check "a recorded pid that is another process now is not killed" test ! -n "$(gone "$sleeper" && echo gone)"
check "... and its directory is removed" test ! -e "$other"
check "a directory without sluice's marker is left alone" test -d "$TMPDIR/sluice-shadow.notours"
kill $sleeper 2>/dev/null
rmdir "$TMPDIR/sluice-shadow.notours"

# SIGQUIT and SIGTERM: stopped and removed at once.
for sig in QUIT TERM; do
	start_slow
	kill -$sig $pid; wait $pid 2>/dev/null
	check "SIG$sig: the postmaster is stopped" wait_gone "$pm"
	expect_eq "SIG$sig: the cluster directory is removed" "$(clusters)" ""
done

# SIGPIPE: drift's output into a pipe nobody reads. Enough drift (200
# hand-made tables) that stdout is written while the cluster runs.
. "$SLUICE_SRC/tests/db-lib.sh"
scratch_db LIVE sluice_reap
command psql -X -q "$PG dbname=$LIVE" -c "DO \$\$ BEGIN FOR i IN 1..200 LOOP EXECUTE format('CREATE TABLE hand_made_%s (id int)', i); END LOOP; END \$\$" >/dev/null
new_repo hist
mkdir -p hist/db/migrations
printf 'CREATE TABLE users (id int);\n' >hist/db/migrations/000001_users.up.sql
commit_all hist "history"
"$SLUICE" -C hist drift --db "$PG dbname=$LIVE" 2>drift.err | true
expect_eq "drift | true: no cluster directory remains" "$(clusters)" ""
"$SLUICE" -C hist drift --db "$PG dbname=$LIVE" 2>/dev/null | head -1 >head.out
expect_contains "drift | head -1: the first line came through" "$(cat head.out)" "drift"
expect_eq "drift | head -1: no cluster directory remains" "$(clusters)" ""

# A TMPDIR with a space and a command substitution in its name.
weird="$T/a b/\$(touch pwned)"
mkdir -p "$weird"
chmod 755 "$T/a b" "$weird"
out=$(cd "$T" && TMPDIR="$weird" "$SLUICE" verify "$T/fast" 2>&1)
expect_contains "TMPDIR with a space and \$(...): the cluster works" "$out" "round trip: ok"
expect_eq "... and nothing was executed" "$(find "$T" -name pwned)" ""
expect_eq "... and its cluster is removed" "$(ls -d "$weird"/sluice-shadow.* 2>/dev/null)" ""
finish
