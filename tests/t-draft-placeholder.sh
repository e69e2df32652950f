#!/bin/sh
# t-draft-placeholder.sh - a new NOT NULL column without a DEFAULT, and the
# value only the engineer can choose (core/draft/draft.h):
#   - PostgreSQL 11+: the draft is one instant statement, ADD COLUMN ...
#     NOT NULL DEFAULT <value>, no split; without --set it holds a
#     placeholder and is NEEDS INPUT: exit 1, not verified, not written
#     (--out), not committed (--commit), never run on the shadow;
#   - --set users.plan="'free'": verified, and on the test server existing
#     rows get 'free' (seeded rows) and the round trip is ok;
#   - --set with a volatile value: the long split backfills it;
#   - --set that is not one expression: exit 2, named;
#   - PostgreSQL 10: the long split, its backfill holding the placeholder;
#   - a placeholder that reaches a migration: HIGH draft-placeholder (BLOCKER where it leaves the database half-migrated) in
#     `sluice check`, exit 1;
#   - the workbench refuses to accept the NEEDS INPUT draft, saying why.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"

export TERM=xterm-256color LC_ALL=C.UTF-8
unset NO_COLOR

# plan_repo DIR: users with rows on main; a NOT NULL column without a default on `feature`.
plan_repo() {
	new_repo "$1" && mkdir -p "$1/db/migrations" && (
		cd "$1/db/migrations" &&
		printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n' >000001_init.up.sql &&
		printf 'DROP TABLE users;\n' >000001_init.down.sql &&
		commit_all ../.. init && git checkout -q -b feature &&
		printf 'ALTER TABLE users ADD COLUMN plan text NOT NULL;\n' >000002_plan.up.sql &&
		printf 'ALTER TABLE users DROP COLUMN plan;\n' >000002_plan.down.sql &&
		commit_all ../.. plan
	)
}

plan_repo r
mig=db/migrations/000002_plan.up.sql
head0=$(git -C r rev-parse HEAD)

# --- No value: NEEDS INPUT, nothing verified, written, committed or run.
out=$(cd r && "$SLUICE" draft "$mig" 2>&1)
expect_eq "a draft that needs a value exits 1" "$?" 1
expect_contains "one instant statement with the placeholder where the value goes" "$out" \
	"ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT sluice_draft_placeholder('users.plan');"
expect_contains "it says no split is needed, and why" "$out" "is instant (no rewrite, no scan): no split needed"
expect_contains "it is marked NEEDS INPUT, naming the column and --set" "$out" \
	"# NEEDS INPUT: only you can choose the value existing rows get for users.plan"
expect_contains "it says how to give the value headless" "$out" "--set users.plan=\"'free'\""
expect_not_contains "it is never called verified" "$out" "# verified"
expect_not_contains "nor failed: it is waiting for input" "$out" "# FAILED"

out=$(cd r && "$SLUICE" draft --out "$T/written" "$mig" 2>&1)
expect_eq "--out: exit 1" "$?" 1
check "--out writes nothing" test ! -e "$T/written"
out=$(cd r && "$SLUICE" draft --commit "$mig" 2>&1)
expect_eq "--commit: exit 1" "$?" 1
expect_contains "--commit says why" "$out" "not committing: the draft failed verification: NEEDS INPUT"
expect_eq "--commit commits nothing" "$(git -C r rev-parse HEAD)" "$head0"
expect_eq "the work tree is untouched" "$(git -C r status --porcelain)" ""
out=$(cd r && "$SLUICE" draft --shadow "$PG" "$mig" 2>&1)
expect_eq "--shadow: exit 1" "$?" 1
expect_not_contains "a placeholder never runs on the shadow, so it never 'verifies' there" "$out" "# shadow:"

# --- The value given: verified, and on the server with rows it fills them.
out=$(cd r && "$SLUICE" draft --set users.plan="'free'" "$mig" 2>&1)
expect_eq "--set: exit 0" "$?" 0
expect_contains "the value is in the statement" "$out" \
	"ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';"
expect_contains "--set: verified" "$out" "# verified: worst finding HIGH before"
expect_contains "the title says no split" "$out" "as instant statements: no split needed"
expect_not_contains "no backfill, no progress table" "$out" "sluice_backfill_progress"

scratch_db db plh
psql "$PG dbname=$db" -c "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)" \
	-c "INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 2000) g"
(cd r && "$SLUICE" draft --set users.plan="'free'" --out "$T/set" "$mig" >/dev/null 2>&1)
psql "$PG dbname=$db" -f "$T/set/$mig" >/dev/null
expect_eq "on 2,000 existing rows the instant statement applies; every row has the value" \
	"$(command psql -X -At "$PG dbname=$db" -c "SELECT count(*) FILTER (WHERE plan = 'free') || '/' || count(*) FROM users")" \
	"2000/2000"
out=$(cd r && "$SLUICE" draft --set users.plan="'free'" --shadow "$PG" "$mig" 2>&1)
expect_eq "--set --shadow: exit 0" "$?" 0
expect_contains "on the shadow: round trip ok" "$out" "round trip ok"
out=$(cd r && "$SLUICE" draft --set users.plan="'free'" --commit "$mig" 2>&1)
expect_eq "--set --commit: committed" "$(git -C r rev-list --count "$head0"..HEAD)" 1
expect_eq "the committed migration has the value (and, one statement, its lock_timeout)" \
	"$(git -C r show HEAD:$mig)" "SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';"

# --- A value that cannot be a stored default: the long split backfills it.
plan_repo v
out=$(cd v && "$SLUICE" draft --set "users.plan=md5(random()::text)" "$mig" 2>&1)
expect_eq "a volatile value: exit 0" "$?" 0
expect_contains "it is backfilled in batches" "$out" "SET plan = md5(random()::text)"
expect_contains "the note says why it is not one statement" "$out" "is not a constant"

# --- Bad input.
out=$(cd v && "$SLUICE" draft --set "users.plan='x'; DROP TABLE users" "$mig" 2>&1)
expect_eq "--set with a second statement: exit 2" "$?" 2
expect_contains "it is named" "$out" "is not one SQL expression"
out=$(cd v && "$SLUICE" draft --set "plan='x'" "$mig" 2>&1)
expect_eq "--set without TABLE.COLUMN: exit 2" "$?" 2
expect_contains "the form is shown" "$out" "expected TABLE.COLUMN=EXPRESSION"

# --- PostgreSQL 10: no instant default; the long split's backfill holds the placeholder.
out=$(cd v && "$SLUICE" draft --pg-version 10 "$mig" 2>&1)
expect_eq "PostgreSQL 10, no value: exit 1" "$?" 1
expect_contains "the backfill holds the placeholder" "$out" \
	"SET plan = sluice_draft_placeholder('users.plan') WHERE"
expect_contains "NEEDS INPUT" "$out" "# NEEDS INPUT:"

# --- A placeholder that reaches a migration is HIGH (the deploy fails and rolls back).
(cd v && printf "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT sluice_draft_placeholder('users.plan');\n" >"$mig")
out=$(cd v && "$SLUICE" check --format json db/migrations 2>&1)
expect_eq "sluice check: exit 1" "$?" 1
expect_eq "the finding is draft-placeholder, HIGH (the deploy fails and rolls back)" \
	"$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(x["rule"] + ":" + x["severity"] for f in d["files"] for s in f["statements"]
               for x in s["findings"] if x["rule"] == "draft-placeholder"))')" "draft-placeholder:HIGH"

# --- The workbench asks for the value first; A refuses (asks again) until it is given.
plan_repo w
headw=$(git -C w rev-parse HEAD)
cat >"$T/w.keys" <<KEYS
d
<Esc>
A
:save-screen $T/w.txt
<Esc>
q
q
KEYS
(COLUMNS=160 LINES=30 SLUICE_SCRIPT="$T/w.keys" "$SLUICE" -C w >/dev/null 2>"$T/w.err")
s=$(tr -s ' \n' '  ' <"$T/w.txt")
expect_contains "A on the draft asks for the value instead of accepting" "$s" \
	"NEEDS INPUT: the value existing rows get for users.plan (SQL, e.g. 'free'):"
expect_contains "the draft screen says NEEDS INPUT" "$s" "NEEDS INPUT"
expect_eq "the workbench committed nothing" "$(git -C w rev-parse HEAD)" "$headw"
expect_eq "and left the work tree as it was" "$(git -C w status --porcelain)" ""

finish
