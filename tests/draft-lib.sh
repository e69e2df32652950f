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
