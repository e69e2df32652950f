# tests/draft-lib.sh - helpers for the t-draft-*.sh scripts.
#
#   draft_repo DIR "SQL of 000002"   golang-migrate history + one migration
#   no_high DIR                      prints every HIGH/BLOCKER `sluice check`
#                                    finds in DIR's migrations (empty: none)

draft_repo() {
	rm -rf "$1" && mkdir -p "$1/db/migrations" && (
		cd "$1/db/migrations" &&
		cat >000001_init.up.sql <<'SQL' &&
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, age int, org_id bigint, nick text);
CREATE TABLE orgs (id bigserial PRIMARY KEY, name text);
CREATE INDEX users_email_idx ON users (email);
SQL
		printf 'DROP TABLE orgs;\nDROP TABLE users;\n' >000001_init.down.sql &&
		printf '%s\n' "$2" >000002_change.up.sql
	)
}

# No HIGH or BLOCKER finding left in the files `sluice check` finds at $1.
no_high() {
	"$SLUICE" check --format json "$1" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
for f in d["files"]:
    for s in f["statements"]:
        for x in s["findings"]:
            if x.get("ignored") is not None:
                continue
            if x["severity"] in ("HIGH", "BLOCKER"):
                print(f["path"], s["line"], x["rule"], x["severity"])'
}

# apply_files URL FILE...: each migration file sent the way golang-migrate
# sends it: the whole file as one query (one statement runs outside a
# transaction, several in an implicit one). Stops at the first that fails.
apply_files() {
	_url=$1
	shift
	for _f in "$@"; do
		command psql -X -q -v ON_ERROR_STOP=1 "$_url" -c "$(cat "$_f")" >/dev/null 2>"$T/apply.err" ||
			{ echo "$_f: $(cat "$T/apply.err")"; return 1; }
	done
}

# drafted_ups DIR / drafted_downs DIR: the migrations after 000001, in apply
# order / in rollback order.
drafted_ups() { ls "$1"/db/migrations/*.up.sql | sort | grep -v /000001_; }
drafted_downs() { ls "$1"/db/migrations/*.down.sql | sort -r | grep -v /000001_; }

# schema_of URL: the schema as pg_dump writes it, for a before/after comparison.
schema_of() { pg_dump -s -x -O "$1" | grep -v '^--\|^\\' | grep -v '^SET \|^SELECT pg_catalog' | sed '/^$/d'; }
