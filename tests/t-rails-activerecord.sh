#!/bin/sh
# t-rails-activerecord.sh - the real thing: every migration of
# tests/rails-lib.sh runs with ActiveRecord (Debian's ruby-activerecord and
# ruby-pg) against the test server, SQL logged (tests/rails-ar.rb), up then
# down; the statements it sends are compared with sluice's translation of
# the same file, statement by statement, in order. Whitespace and double
# quotes are normalised; nothing else.
. "$SLUICE_SRC/tests/lib.sh"
if ! command -v ruby >/dev/null 2>&1 ||
	! ruby -e 'require "active_record"; require "pg"' >/dev/null 2>&1; then
	echo "ok 1 # SKIP ruby, ruby-activerecord or ruby-pg is not installed (./dev installs them)"
	echo "1..1"
	exit 0
fi
. "$SLUICE_SRC/tests/db-lib.sh"
. "$SLUICE_SRC/tests/rails-lib.sh"
scratch_db DB sluice_rails

rails_old_versions repo
rails_history repo
rails_branch repo
rails_renames repo
ruby "$SLUICE_SRC/tests/rails-ar.rb" "$PG dbname=$DB" repo/db/migrate >ar.out 2>ar.err
expect_eq "ActiveRecord ran every migration" "$?" 0
[ -s ar.err ] && diag "$(head -5 ar.err)"
"$SLUICE" check --format json repo/db/migrate >sluice.json 2>sluice.err
expect_eq "sluice judged them (exit 1: findings)" "$?" 1

# One TAP line per file and direction ActiveRecord ran.
python3 - ar.out sluice.json "$_n" <<'EOF'
import json, re, sys

def norm(sql):
    s = re.sub(r"\s+", " ", sql.replace('"', "")).strip().rstrip(";").strip()
    return re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", s))

ar, order = {}, []
key = None
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("== "):
        key = tuple(line[3:].rsplit(" ", 1))
        ar[key] = []
        order.append(key)
    elif line.startswith("-- error: "):
        ar[key].append(("error", line[10:]))
    elif key:
        ar[key].append(("sql", line))

sl = {}
for f in json.load(open(sys.argv[2]))["files"]:
    k = (f["path"].rsplit("/", 1)[-1], f["direction"])
    sl[k] = [(s["line"], s["sql"], [x["rule"] for x in s["findings"]]) for s in f["statements"]]

n = int(sys.argv[3])
fails = 0
for key in order:
    n += 1
    got = [norm(s) for s in (x[1] for x in sl.get(key, []))]
    want = [norm(s) for kind, s in ar[key] if kind == "sql"]
    desc = "%s %s: sluice's %d statement(s) are the ones ActiveRecord sends" % (key[0], key[1], len(got))
    if got == want and key in sl:
        print("ok %d - %s" % (n, desc))
    else:
        print("not ok %d - %s" % (n, desc))
        fails += 1
        for i in range(max(len(got), len(want))):
            g = got[i] if i < len(got) else "(none)"
            w = want[i] if i < len(want) else "(none)"
            if g != w:
                print("# statement %d\n#   sluice:       %s\n#   ActiveRecord: %s" % (i + 1, g, w))
    errors = [s for kind, s in ar[key] if kind == "error"]
    if errors:
        # PostgreSQL refused it: sluice said so beforehand, at that statement
        n += 1
        rules = [r for (_, _, rs) in sl.get(key, []) for r in rs]
        ok = "ActiveSqlTransaction" in errors[0] and "concurrently-in-transaction" in rules
        fails += not ok
        print("%s %d - %s %s: the server refused it (%s) where sluice found concurrently-in-transaction"
              % ("ok" if ok else "not ok", n, key[0], key[1], errors[0][:60]))
print("# sections: %d" % len(order))
open("count", "w").write("%d %d" % (n, fails))
EOF
# the python block printed its own TAP lines: continue the numbering after them
read _n py_fails <count
_fail=$((_fail + py_fails))
# The translation runs on PostgreSQL itself too: the shadow applies every
# migration up and down. What differs after a down is ActiveRecord's own
# doing, and sluice says so: remove_columns' down adds the timestamps back
# without the precision they had, t.remove's a column without its default;
# validate_*'s empty down leaves them valid.
"$SLUICE" check --shadow "$PG" repo/db/migrate >shadow.out 2>&1
shadow=$(cat shadow.out)
expect_not_contains "the shadow ran every translated statement" "$shadow" "shadow-apply-error"
expect_contains "... and found remove_columns' down loses the timestamp precision" "$shadow" \
	"20240201000009_removals.rb:5: MEDIUM [down-mismatch] column \"accounts.created_at\" differs after the down script: was 'timestamp(6) without time zone', now 'timestamp without time zone'"
expect_contains "... and t.remove's down brings the column back without its default" "$shadow" \
	"20240201000030_change_users.rb:9: MEDIUM [down-mismatch] column \"users.age\" differs after the down script: was 'integer default 18', now 'integer'"
expect_eq "... 21 round trips, 18 of them exact" "$(grep -c 'round trip: ok' shadow.out) $(grep -c 'round trip:' shadow.out)" "18 21"

sections=$(grep -c '^== ' ar.out)
expect_eq "every migration up and down (one refused) was compared" "$sections" 41
finish
