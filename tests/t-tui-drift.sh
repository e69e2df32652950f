#!/bin/sh
# t-tui-drift.sh - the workbench's drift view (key D) against the real
# test server: each kind of drift, no drift, where the database comes from
# (--db, sluice.db.url, DATABASE_URL), no database at all, and databases
# that fail (unreachable, wrong password, no shadow), in the scripted mode;
# then in tmux, keys working while drift computes on a throwaway cluster,
# and ^C giving the terminal back after and during a computation.
. "$SLUICE_SRC/tests/lib.sh"
sh "$SLUICE_SRC/tests/pg.sh" need || exit 0
if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
sock=sluice-test-$$
. "$SLUICE_SRC/tests/tmux-lib.sh"

export TERM=xterm-256color LC_ALL=C.UTF-8
unset NO_COLOR DATABASE_URL
. "$SLUICE_SRC/tests/db-lib.sh"
scratch_db OK_DB sluice_tdrift_ok
scratch_db BAD_DB sluice_tdrift_bad
scratch_db SLOW_DB sluice_tdrift_slow
trap 'tmx kill-server 2>/dev/null; db_cleanup; rm -rf "$T"' EXIT

# The repository: users and orders on main, a pending migration on the branch.
new_repo repo
mkdir -p repo/db/migrations
printf 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, score int DEFAULT 0);\n' \
	>repo/db/migrations/000001_users.up.sql
printf 'DROP TABLE users;\n' >repo/db/migrations/000001_users.down.sql
printf 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX orders_user_idx ON orders (user_id);\n' \
	>repo/db/migrations/000002_orders.up.sql
printf 'DROP TABLE orders;\n' >repo/db/migrations/000002_orders.down.sql
commit_all repo "history"
git -C repo checkout -q -b feature
printf 'ALTER TABLE orders ADD COLUMN status text;\n' >repo/db/migrations/000003_status.up.sql
commit_all repo "status"

# In step with the history (golang-migrate's table at 3).
psql "$PG dbname=$OK_DB" \
	-c "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, score int DEFAULT 0)" \
	-c "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), status text)" \
	-c "CREATE INDEX orders_user_idx ON orders (user_id)" \
	-c "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)" \
	-c "INSERT INTO schema_migrations VALUES (3, false)"
# Drifted: a hand-made index, a missing one, a changed column type; goose's
# table records 1, 2 and 5, the repository has 1, 2 and 3.
drifted_goose "$PG dbname=$BAD_DB"

# run NAME [args...]: the script $T/NAME.keys at 120x24 in repo; rc, $T/NAME.err.
run() {
	_name=$1; shift
	COLUMNS=${W:-120} LINES=24 SLUICE_SCRIPT="$T/$_name.keys" "$SLUICE" -C repo "$@" \
		>"$T/$_name.out" 2>"$T/$_name.err"
	rc=$?
}
# status FILE: the status line of a saved screen.
status() { tail -1 "$1"; }
# body FILE: a saved screen without its status line, the port and database names fixed.
body() { sed '$d' "$1" | sed "s/:$SLUICE_TEST_PG_PORT\//:PORT\//; s/$BAD_DB/BAD_DB/; s/$OK_DB/OK_DB/"; }

# Each kind of drift. No :wait: a script never runs its next line while
# drift computes.
cat >"$T/bad.keys" <<KEYS
D
:save-screen $T/bad.txt
KEYS
run bad --db "$PG dbname=$BAD_DB" --shadow "$PG"
expect_eq "drifted: the workbench exits 0" "$rc" 0
check "drifted: no error written" test ! -s "$T/bad.err"
cat >"$T/want-bad.txt" <<'SCREEN'
 Schema drift: the live database against the migration history                                                     1/15
 postgresql://postgres@127.0.0.1:PORT/BAD_DB  goose_db_version: 2 of 3 migrations applied

 database-only (2): in the database, not made this way by any migration (a change by hand)
  database-only   column    users.email     differs: the database has 'character varying(50) not null', the history
                                            gives 'text not null'
  database-only   index     users_name_idx  CREATE INDEX users_name_idx ON public.users USING btree (name)

 repository-only (1): in the migration history, missing from the database
  repository-only index     orders_user_idx CREATE INDEX orders_user_idx ON public.orders USING btree (user_id)

 version-skew (2): the migration table and the repository disagree on what is applied
  version-skew    migration 5               recorded as applied in goose_db_version, but no migration in the
                                            repository has this version
  version-skew    migration 3               'db/migrations/000003_status.up.sql' is in the repository but
                                            goose_db_version does not record it as applied






 Enter open migration  r again  q back  / search                                                                 ? help
SCREEN
body "$T/bad.txt" >"$T/got-bad.txt"
check "drifted: the view groups database-only, repository-only and version-skew items" \
	cmp -s "$T/got-bad.txt" "$T/want-bad.txt"
cmp -s "$T/got-bad.txt" "$T/want-bad.txt" || diag "$(diff "$T/want-bad.txt" "$T/got-bad.txt")"
expect_contains "drifted: the status line counts the differences" "$(status "$T/bad.txt")" "drift: 5 differences"

# Search goes through the items; Enter on a version-skew item opens its
# migration, on a recorded version with no migration says so.
cat >"$T/nav.keys" <<KEYS
D
/orders_user<Enter>
:save-screen $T/nav-search.txt
/000003<Enter>
<Enter>
:save-screen $T/nav-enter.txt
q
/recorded as applied<Enter>
<Enter>
:save-screen $T/nav-five.txt
KEYS
run nav --db "$PG dbname=$BAD_DB" --shadow "$PG"
row=$(grep -n 'repository-only index     orders_user_idx' "$T/nav-search.txt" | cut -d: -f1)
expect_contains "search moves the cursor to the matching item" "$(head -1 "$T/nav-search.txt")" " $((row - 1))/15"
# (the SQL pane's title keeps the file's name; a narrow pane drops its directories first)
expect_contains "Enter on a version-skew item opens its migration" "$(head -1 "$T/nav-enter.txt")" \
	"/000003_status.up.sql"
expect_contains "the migration's statement is shown" "$(cat "$T/nav-enter.txt")" "ALTER TABLE orders ADD COLUMN status"
expect_contains "Enter on a version no migration has says so" "$(status "$T/nav-five.txt")" \
	"no migration in the repository has version 5"

# No drift.
cat >"$T/ok.keys" <<KEYS
D
:wait
:save-screen $T/ok.txt
KEYS
run ok --db "$PG dbname=$OK_DB" --shadow "$PG"
cat >"$T/want-ok.txt" <<'SCREEN'
 Schema drift: the live database against the migration history                                                      1/3
 postgresql://postgres@127.0.0.1:PORT/OK_DB  schema_migrations: 3 of 3 migrations applied

 no drift: the database has the schema its 3 migrations give
SCREEN
body "$T/ok.txt" | head -4 >"$T/got-ok.txt"
check "in step: the view says no drift" cmp -s "$T/got-ok.txt" "$T/want-ok.txt"
cmp -s "$T/got-ok.txt" "$T/want-ok.txt" || diag "$(diff "$T/want-ok.txt" "$T/got-ok.txt")"
expect_contains "in step: so does the status line" "$(status "$T/ok.txt")" "drift: no drift"

# Where the database comes from: sluice.db.url, then DATABASE_URL; --db wins.
cat >"$T/src.keys" <<KEYS
D
:save-screen $T/src.txt
KEYS
DATABASE_URL="$PG dbname=$OK_DB" run src --shadow "$PG"
expect_contains "DATABASE_URL names the database" "$(sed -n 2p "$T/src.txt")" "/$OK_DB "
git -C repo config sluice.db.url "$PG dbname=$BAD_DB"
DATABASE_URL="$PG dbname=$OK_DB" run src --shadow "$PG"
expect_contains "sluice.db.url wins over DATABASE_URL" "$(sed -n 2p "$T/src.txt")" "/$BAD_DB "
run src --db "$PG dbname=$OK_DB" --shadow "$PG"
expect_contains "--db wins over sluice.db.url" "$(sed -n 2p "$T/src.txt")" "/$OK_DB "
git -C repo config --unset sluice.db.url

# No database: D says how to name one, and nothing else changes.
cat >"$T/nodb.keys" <<KEYS
:save-screen $T/nodb-before.txt
D
:save-screen $T/nodb.txt
j
:save-screen $T/nodb-after.txt
KEYS
run nodb
expect_eq "no database: exits 0" "$rc" 0
expect_contains "no database: the status line says how to name one" "$(status "$T/nodb.txt")" \
	"drift needs a database: --db URL, sluice.db.url or DATABASE_URL"
expect_eq "no database: the screen is otherwise unchanged" "$(sed '$d' "$T/nodb.txt")" \
	"$(sed '$d' "$T/nodb-before.txt")"
expect_contains "no database: the list still works" "$(cat "$T/nodb-after.txt")" "MIGRATION (pending)"

# A database that does not answer, a wrong password, no shadow: the
# reason in the status line and the view, no password shown, and the rest
# of the workbench still works.
cat >"$T/fail.keys" <<KEYS
D
:save-screen $T/fail.txt
q
:save-screen $T/fail-after.txt
KEYS
run fail --db "host=127.0.0.1 port=1 user=u password=drift-secret dbname=x" --shadow "$PG"
expect_eq "unreachable: exits 0" "$rc" 0
expect_contains "unreachable: the status line says so" "$(status "$T/fail.txt")" \
	"drift: cannot connect to 'postgresql://u:***@127.0.0.1:1/x'"
expect_contains "unreachable: the view gives the whole reason" "$(sed '$d' "$T/fail.txt" | tr -s ' \n' '  ')" \
	"Connection refused Is the server running on that host"
expect_not_contains "unreachable: the password is never shown" "$(cat "$T/fail.txt" "$T/fail.err")" "drift-secret"
expect_contains "unreachable: q goes back to the list" "$(cat "$T/fail-after.txt")" "MIGRATION (pending)"
expect_contains "unreachable: the list is intact" "$(cat "$T/fail-after.txt")" "000003 status"

run fail --db "host=$SLUICE_TEST_PG_HOST port=$SLUICE_TEST_PG_PORT user=$SLUICE_TEST_PG_PWUSER password=wrong-pw dbname=postgres" \
	--shadow "$PG"
expect_contains "wrong password: the server's refusal is shown" "$(cat "$T/fail.txt")" \
	"password authentication failed for user \"$SLUICE_TEST_PG_PWUSER\""
expect_not_contains "wrong password: not the password" "$(cat "$T/fail.txt")" "wrong-pw"

run fail --db "$PG dbname=$OK_DB" --shadow "host=127.0.0.1 port=1 user=u dbname=x"
expect_contains "no shadow: the status line names the shadow" "$(status "$T/fail.txt")" \
	"drift: no shadow database: cannot connect to 'postgresql://u@127.0.0.1:1/x'"

# In a real terminal, on a throwaway cluster (no --shadow), with a
# history that takes seconds on it: keys work while drift computes.
new_repo slow
mkdir -p slow/db/migrations
printf 'CREATE TABLE t (id bigint PRIMARY KEY);\nSELECT pg_sleep(5);\n' >slow/db/migrations/001_t.up.sql
commit_all slow "history"
git -C slow checkout -q -b feature
printf 'CREATE TABLE a (id bigint);\n' >slow/db/migrations/002_a.up.sql
printf 'CREATE TABLE b (id bigint);\n' >slow/db/migrations/003_b.up.sql
commit_all slow "pending"
psql "$PG dbname=$SLOW_DB" -c "CREATE TABLE t (id bigint PRIMARY KEY)" -c "CREATE TABLE a (id bigint)" \
	-c "CREATE TABLE b (id bigint)"
# The cluster's directory goes under $T/tmp: it must be reachable by the
# postgres user when the tests run as root.
mkdir "$T/tmp" && chmod 711 "$T" && chmod 1777 "$T/tmp"

start_tui() {
	printf 'set -g default-terminal tmux-256color\nset -g status off\n' >"$T/tmux.conf"
	tmx -f "$T/tmux.conf" new-session -d -s w -x 120 -y 30 \
		"cd '$T/slow' && env LC_ALL=C.UTF-8 HOME='$HOME' TMPDIR='$T/tmp' '$SLUICE' --db '$PG dbname=$SLOW_DB'; echo \"sluice-exit=\$?\"; stty -a | tr ' ' '\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\n' ' '; echo; exec sleep 120"
	wait_for "002 a"
}
start_tui
t0=$(date +%s.%N)
keys D
check "D opens the drift view at once" wait_for "Computing the drift of postgresql://postgres@127.0.0.1"
check "the status line shows what the worker is doing" wait_for "drift: applying the history on the shadow"
keys ?
check "help opens while drift computes" wait_for "Help: keys"
expect_contains "help lists the drift key" "$(screen)" "drift"
keys q q
check "q closes the view while drift computes" wait_for "MIGRATION (pending)"
keys j Enter
check "the list moves and opens a migration while drift computes" wait_for "003_b.up.sql"
expect_contains "and drift is still computing" "$(screen | tail -1)" "drift: applying the history"
keys q
keys D
check "a second D does not start a second computation" wait_for "drift: already computing"
check "the view shows the result when done" wait_for "no drift: the database has the schema its 3 migrations give" 30
t1=$(date +%s.%N)
diag "drift on a throwaway cluster, D to result: $(python3 -c "print(round($t1 - $t0, 2))") s"
expect_eq "the throwaway cluster is gone" "$(ls "$T/tmp")" ""
expect_contains "no drift is drawn in the safe colour (green)" "$(sgr_before "no drift: the database")" "32"
keys C-c
check "^C after a drift on a cluster still quits cleanly" wait_for "sluice-exit=0"
check "and gives the terminal back" wait_for "icanon echo"

# ^C while the cluster runs: the cluster is stopped and removed, and the
# workbench quits as usual.
# A new tmux server on a socket of its own: one started on the old socket
# while the old server is still exiting dies with it.
tmx kill-server 2>/dev/null
sock=sluice-test-$$-2
start_tui
keys D
wait_for "drift: applying the history on the shadow"
check "the cluster runs" test -n "$(ls "$T/tmp")"
keys C-c
check "^C during a drift quits cleanly" wait_for "sluice-exit=0" 20
check "and gives the terminal back" wait_for "icanon echo"
expect_eq "the interrupted cluster is gone" "$(ls "$T/tmp")" ""
finish
