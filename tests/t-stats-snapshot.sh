#!/bin/sh
# t-stats-snapshot.sh - table sizes without production credentials:
# `sluice stats` snapshots a live database (a 60-row and a 3,000,000-row
# table), and `sluice check --stats FILE` judges with it exactly as --db
# does: the index build LOW on the small table, a BLOCKER with its lock-time
# estimate on the large one, HIGH on a table the snapshot lacks; a hot
# table makes a missing lock_timeout HIGH; a malformed or newer snapshot is
# an error naming the file (exit 2).
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/db-lib.sh"
scratch_db DB sluice_snap
LIVE="$PG dbname=$DB"
# 3M rows of one int column, unlogged: a few seconds. VACUUM makes the
# planner's row count exact.
psql "$LIVE" -c "CREATE TABLE small (id int PRIMARY KEY, v text)" \
	-c "INSERT INTO small SELECT g, 'secret-value-' || g FROM generate_series(1, 60) g" \
	-c "CREATE UNLOGGED TABLE big AS SELECT g AS id FROM generate_series(1, 3000000) g" \
	-c "VACUUM ANALYZE small" -c "VACUUM ANALYZE big" >/dev/null

sev_of() { # FILE SQL-PREFIX RULE: the finding's severity and message
	python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["files"]:
    for s in f["statements"]:
        if s["sql"].startswith(sys.argv[2]):
            for x in s["findings"]:
                if x["rule"] == sys.argv[3]:
                    print(x["severity"], x["message"])
PY
}

# --- the snapshot ---------------------------------------------------------
expect_exit "sluice stats writes a snapshot" 0 "$SLUICE" stats --db "$LIVE" -o snap.json
tbl() { python3 -c '
import json, sys
d = json.load(open("snap.json"))
t = [t for t in d["tables"] if t["name"] == sys.argv[1]][0]
print(eval(sys.argv[2]))' "$@"; }
expect_eq "format number 1" "$(python3 -c 'import json; print(json.load(open("snap.json"))["sluice_stats"])')" 1
check "taken_at is a UTC time" python3 -c 'import json, datetime; datetime.datetime.strptime(json.load(open("snap.json"))["taken_at"], "%Y-%m-%dT%H:%M:%SZ")'
expect_contains "the server's version" "$(python3 -c 'import json; print(json.load(open("snap.json"))["server_version"])')" "."
expect_eq "small: 60 rows" "$(tbl small 't["rows"]')" 60
expect_eq "big: 3,000,000 rows" "$(tbl big 't["rows"]')" 3000000
expect_eq "small: schema public" "$(tbl small 't["schema"]')" public
check "big: heap bytes, no index bytes" python3 -c 'import json; t = [t for t in json.load(open("snap.json"))["tables"] if t["name"] == "big"][0]; assert t["heap_bytes"] > 50e6 and t["index_bytes"] == 0'
expect_eq "small: its primary key, valid" "$(tbl small '[(i["name"], i["valid"], i["bytes"] > 0) for i in t["indexes"]]')" "[('small_pkey', True, True)]"
check "write rates since the stats reset (big was just loaded)" python3 -c 'import json; t = [t for t in json.load(open("snap.json"))["tables"] if t["name"] == "big"][0]; assert t["inserts_per_s"] > 0 and t["updates_per_s"] == 0 and t["deletes_per_s"] == 0'
expect_eq "per table exactly the documented keys" "$(tbl big 'sorted(t)')" \
	"['deletes_per_s', 'heap_bytes', 'index_bytes', 'indexes', 'inserts_per_s', 'name', 'rows', 'schema', 'updates_per_s']"
expect_not_contains "no data in the snapshot" "$(cat snap.json)" "secret-value"
out=$("$SLUICE" stats --db "$LIVE")
expect_contains "without -o: to standard output" "$out" '"sluice_stats"'

# --- judging with it --------------------------------------------------------
mkdir m
printf 'CREATE INDEX small_v ON small (v);\nCREATE INDEX big_id ON big (id);\n' >m/001_idx.up.sql
"$SLUICE" check --format json --stats snap.json m >with.json 2>with.err
got=$(sev_of with.json "CREATE INDEX small_v" create-index-nonconcurrent)
expect_contains "60-row table: the index build is LOW" "$got" "LOW "
got=$(sev_of with.json "CREATE INDEX big_id" create-index-nonconcurrent)
expect_contains "3M-row table: the index build is a BLOCKER" "$got" "BLOCKER "
check "... with its estimate: '$got'" python3 -c 'import re, sys; sys.exit(not re.search(r"~1[0-9] s under SHARE on big \(3\.0M rows, [0-9.]+ MB\)", sys.argv[1]))' "$got"
expect_eq "exit 1 (fails on HIGH)" "$(cd . && "$SLUICE" check --stats snap.json m >/dev/null 2>&1; echo $?)" 1

# Every reporter shows the estimate beside the finding.
for fmt in text github markdown sarif; do
	out=$("$SLUICE" check --format $fmt --color never --stats snap.json m 2>&1)
	expect_contains "$fmt: the estimate beside the finding" "$out" "under SHARE on big (3.0M rows"
done

# Exactly as --db: the same severities and messages from the live database.
"$SLUICE" check --format json --db "$LIVE" m >db.json 2>/dev/null
expect_eq "--db rates the small table's index alike" "$(sev_of db.json "CREATE INDEX small_v" create-index-nonconcurrent)" \
	"$(sev_of with.json "CREATE INDEX small_v" create-index-nonconcurrent)"
expect_eq "--db rates the big table's index alike" "$(sev_of db.json "CREATE INDEX big_id" create-index-nonconcurrent)" \
	"$(sev_of with.json "CREATE INDEX big_id" create-index-nonconcurrent)"

# Near miss: without sizes both builds are HIGH (size unknown).
"$SLUICE" check --format json m >without.json 2>/dev/null
expect_contains "without sizes: the small table's index is HIGH" "$(sev_of without.json "CREATE INDEX small_v" create-index-nonconcurrent)" "HIGH "
expect_not_contains "... and carries no estimate" "$(sev_of without.json "CREATE INDEX big_id" create-index-nonconcurrent)" "under SHARE"

# A table the snapshot lacks is unknown, not small: HIGH as without sizes.
python3 -c '
import json
d = json.load(open("snap.json"))
d["tables"] = [t for t in d["tables"] if t["name"] != "big"]
json.dump(d, open("nobig.json", "w"))'
"$SLUICE" check --format json --stats nobig.json m >nobig.out 2>&1
got=$(sev_of nobig.out "CREATE INDEX big_id" create-index-nonconcurrent)
expect_contains "table missing from the snapshot: HIGH" "$got" "HIGH "
expect_not_contains "... with no estimate" "$got" "rows"
expect_contains "... while the small table is still LOW" "$(sev_of nobig.out "CREATE INDEX small_v" create-index-nonconcurrent)" "LOW "

# --- bad snapshots: exit 2, the file named -----------------------------------
printf '{"sluice_stats": 1,\n "taken_at": "2026-01-01T00:00:00Z",\n "tables": [}\n' >broken.json
expect_exit "malformed snapshot: exit 2" 2 "$SLUICE" check --stats broken.json m
expect_contains "... naming the file and line" "$(cat .err)" "'broken.json':3: not valid JSON"
python3 -c '
import json
d = json.load(open("snap.json")); d["sluice_stats"] = 2
json.dump(d, open("future.json", "w"))'
expect_exit "future-version snapshot: exit 2" 2 "$SLUICE" check --stats future.json m
expect_contains "... naming the file and the format" "$(cat .err)" "'future.json' is a snapshot in format 2, and this sluice reads format 1"
python3 -c '
import json
d = json.load(open("snap.json")); d["tables"][0]["rows"] = "many"
json.dump(d, open("wrongtype.json", "w"))'
expect_exit "a field of the wrong type: exit 2" 2 "$SLUICE" check --stats wrongtype.json m
expect_contains "... naming the file and the field" "$(cat .err)" "'wrongtype.json': tables[0]: \"rows\" is not a number"
python3 -c '
import json
d = json.load(open("snap.json")); d["tables"][0]["heap_bytes"] = 1e300
json.dump(d, open("huge.json", "w"))'
expect_exit "a number out of range: exit 2, no overflow" 2 "$SLUICE" check --stats huge.json m
expect_contains "... naming the field" "$(cat .err)" "\"heap_bytes\" is not a number from -1 to 1e15"
expect_exit "a missing snapshot: exit 2" 2 "$SLUICE" check --stats nosuch.json m
expect_contains "... naming it" "$(cat .err)" "cannot read statistics snapshot 'nosuch.json'"
printf '[1, 2]\n' >array.json
expect_exit "JSON that is not a snapshot: exit 2" 2 "$SLUICE" check --stats array.json m
expect_contains "... says so" "$(cat .err)" "'array.json' is not a sluice statistics snapshot"

# --- an old snapshot: used, with a warning -----------------------------------
python3 -c '
import json
d = json.load(open("snap.json")); d["taken_at"] = "2020-01-01T00:00:00Z"
json.dump(d, open("old.json", "w"))'
"$SLUICE" check --format json --stats old.json m >old.out 2>old.err
expect_contains "old snapshot: a warning" "$(cat old.err)" "'old.json' was taken"
expect_contains "... naming the setting" "$(cat old.err)" "sluice.statsMaxAge is 30"
expect_contains "... and it is still used" "$(sev_of old.out "CREATE INDEX small_v" create-index-nonconcurrent)" "LOW "
"$SLUICE" check --format json --stats snap.json m >/dev/null 2>fresh.err
expect_not_contains "a fresh snapshot: no warning" "$(cat fresh.err)" "was taken"

# --- sluice.stats in a repository's .sluice, and the thresholds ---------------
new_repo repo
mkdir -p repo/migrations repo/.sluice.d
cp m/001_idx.up.sql repo/migrations/001_idx.up.sql
cp snap.json repo/.sluice.d/stats.json
printf '[sluice]\n\tstats = .sluice.d/stats.json\n' >repo/.sluice
commit_all repo "migrations and stats"
"$SLUICE" -C repo/migrations check --format json . >repo.json 2>repo.err
expect_contains "sluice.stats (relative to the repository) is used" \
	"$(sev_of repo.json "CREATE INDEX big_id" create-index-nonconcurrent)" "BLOCKER "
git -C repo config sluice.blockerSeconds 60
"$SLUICE" -C repo check --format json migrations >repo60.json 2>&1
expect_contains "sluice.blockerSeconds 60: the 14 s build on 3M rows is HIGH" \
	"$(sev_of repo60.json "CREATE INDEX big_id" create-index-nonconcurrent)" "HIGH "
git -C repo config sluice.smallTableRows 50
"$SLUICE" -C repo check --format json migrations >repo50.json 2>&1
expect_contains "sluice.smallTableRows 50: the 60-row table is no longer small" \
	"$(sev_of repo50.json "CREATE INDEX small_v" create-index-nonconcurrent)" "MEDIUM "
git -C repo config sluice.blockerSeconds soon
expect_exit "a threshold that is not a number: exit 2" 2 "$SLUICE" -C repo check migrations
expect_contains "... naming the key and the value" "$(cat .err)" "sluice.blockerSeconds"
expect_contains "... and the value" "$(cat .err)" "'soon' is not a non-negative number"

# --- a hot table: no lock_timeout turns HIGH -----------------------------------
mkdir h
printf 'ALTER TABLE small ADD COLUMN w int;\n' >h/001_col.up.sql
python3 -c '
import json
d = json.load(open("snap.json"))
for rate, name in ((500, "hot.json"), (0, "cold.json")):
    for t in d["tables"]:
        t["inserts_per_s"] = t["updates_per_s"] = t["deletes_per_s"] = 0
        if t["name"] == "small":
            t["updates_per_s"] = rate
    json.dump(d, open(name, "w"))'
"$SLUICE" check --format json --stats hot.json h >hot.out 2>&1
got=$(sev_of hot.out "ALTER TABLE small" lock-timeout-missing)
expect_contains "hot table (500 writes/s): no lock_timeout is HIGH" "$got" "HIGH "
expect_contains "... saying why" "$got" "500 writes/s"
"$SLUICE" check --format json --stats cold.json h >cold.out 2>&1
expect_contains "cold table: it stays MEDIUM" "$(sev_of cold.out "ALTER TABLE small" lock-timeout-missing)" "MEDIUM "

# --- stats refuses what it cannot do ------------------------------------------
expect_exit "stats without a database: exit 2" 2 "$SLUICE" stats
expect_contains "... saying how to give one" "$(cat .err)" "give --db URL"
expect_exit "an unreachable database: exit 2" 2 "$SLUICE" stats --db "host=127.0.0.1 port=1 user=app password=pw-9931 dbname=x connect_timeout=2" -o x.json
expect_not_contains "... the password never shown" "$(cat .err)" "pw-9931"
check "... and no file written" test ! -e x.json
finish
