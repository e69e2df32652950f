#!/bin/sh
# t-example.sh - the bundled example repository (examples/make-example.sh):
# it builds deterministically, and `sluice check` inside it judges exactly
# the branch's pending migrations, each risky one with the finding it was
# written to show, and the safe one with none.
. "$SLUICE_SRC/tests/lib.sh"

mk() { sh "$SLUICE_SRC/examples/make-example.sh" "$1" >/dev/null 2>"$T/mk.err"; }

check "make-example.sh builds the repository" mk shop
expect_eq "feature/risky is checked out" "$(git -C shop symbolic-ref --short HEAD)" feature/risky
expect_eq "the work tree is clean" "$(git -C shop status --porcelain)" ""
check "a second build is identical (fixed dates and names)" mk shop2
expect_eq "same commit ids" "$(git -C shop2 rev-parse HEAD)" "$(git -C shop rev-parse HEAD)"
expect_exit "refuses to write into a non-empty directory" 2 sh "$SLUICE_SRC/examples/make-example.sh" shop
expect_eq "history on main: five migrations, up and down" \
	"$(git -C shop ls-tree --name-only main migrations/ | wc -l | tr -d ' ')" 10
expect_eq "the branch adds seven migrations, one without its down" \
	"$(git -C shop diff --name-only main...HEAD -- migrations | wc -l | tr -d ' ')" 13
check "the app reads users.legacy_status in Go" grep -qw legacy_status shop/internal/store/users.go
check "the app reads users.legacy_status in Python" grep -qw legacy_status shop/shop/reports.py
check "the app has a Rails model" test -f shop/app/models/user.rb

# --- repo mode: no paths, the branch's pending migrations --------------------
(cd shop && "$SLUICE" check --format json) >repo.json 2>repo.err
expect_eq "sluice check in the repository: exit 1 (BLOCKER)" "$?" 1
expect_eq "judges exactly the branch's pending migrations" \
	"$(json_get '" ".join(sorted(f["path"] for f in d["files"]))' <repo.json)" \
	"$(git -C shop diff --name-only main...HEAD -- migrations | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "verdict BLOCK" "$(json_get 'd["summary"]["verdict"]' <repo.json)" BLOCK

# rules_of FILE: the rules found in that file, sorted, space-separated.
rules_of() {
	python3 - "$1" repo.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[2]))
rules = set()
for f in d["files"]:
    if f["path"] == sys.argv[1]:
        rules.update(x["rule"] for s in f["statements"] for x in s["findings"] if not x.get("ignored"))
        rules.update(x["rule"] for x in f["findings"] if not x.get("ignored"))
print(" ".join(sorted(rules)))
EOF
}
expect_contains "000006: CREATE INDEX without CONCURRENTLY" \
	"$(rules_of migrations/000006_orders_created_at_index.up.sql)" create-index-nonconcurrent
expect_contains "000007: NOT NULL column without a default" \
	"$(rules_of migrations/000007_users_add_plan.up.sql)" add-column-required
expect_contains "000008: DROP COLUMN" "$(rules_of migrations/000008_drop_users_legacy_status.up.sql)" drop-column
expect_contains "000009: RENAME COLUMN" "$(rules_of migrations/000009_rename_orders_total.up.sql)" rename-column
expect_contains "000010: unbatched backfill" \
	"$(rules_of migrations/000010_backfill_email_verified.up.sql)" backfill-unbatched
expect_contains "000011: no down migration" "$(rules_of migrations/000011_products_sku.up.sql)" down-missing
expect_eq "000012 (the safe one): no findings" "$(rules_of migrations/000012_create_audit_log.up.sql)" ""
expect_eq "000012 (the safe one): no down finding either" \
	"$(rules_of migrations/000012_create_audit_log.down.sql)" ""

# The cross-check (issue 3) makes dropping a column the app still reads a
# BLOCKER with every file:line: the JSON carries it in its "compat" section.
expect_contains "the JSON has the cross-check's compat section" "$(cat repo.json)" '"compat"'
refs=$(json_get '"\n".join("%s:%d" % (r["path"], r["line"]) for f in d["files"] for s in f["statements"] if "legacy_status" in s["sql"] and s["sql"].startswith("ALTER TABLE users DROP") for r in s["references"])' <repo.json)
for want in $(cd shop && git grep -n -w legacy_status -- ':!migrations' | cut -d: -f1,2); do
	expect_contains "cross-check: the drop lists $want" "$refs" "$want"
done
expect_eq "cross-check: dropping users.legacy_status is a BLOCKER" \
	"$(json_get '[s["severity"] for f in d["files"] for s in f["statements"] if s["sql"].startswith("ALTER TABLE users DROP COLUMN legacy_status")][0]' <repo.json)" BLOCKER
expect_not_contains "cross-check: email_verified is not a reference to legacy_status" "$refs" "WHERE email_verified"

# --- near misses -------------------------------------------------------------------
git -C shop checkout -q main
(cd shop && "$SLUICE" check --format json) >main.json 2>main.err
expect_eq "on main nothing is pending: exit 0" "$?" 0
expect_eq "on main nothing is pending: no files judged" "$(json_get 'len(d["files"])' <main.json)" 0
git -C shop checkout -q feature/risky

# An uncommitted migration is pending too.
printf 'DROP TABLE products;\n' >shop/migrations/000013_drop_products.up.sql
(cd shop && "$SLUICE" check --format json) >wt.json 2>/dev/null
expect_contains "an untracked migration is judged as well" \
	"$(json_get '" ".join(f["path"] for f in d["files"])' <wt.json)" migrations/000013_drop_products.up.sql
rm shop/migrations/000013_drop_products.up.sql

# --- paths mode: the whole directory, history included ----------------------------
"$SLUICE" check --format json shop/migrations >paths.json 2>/dev/null
expect_eq "with a path, every file in it is judged (12 ups, 11 downs)" \
	"$(json_get 'len(d["files"])' <paths.json)" 23

# --- the PR comment carries the app cross-check's verdict table -----------------
md=$(cd shop && "$SLUICE" check --format markdown 2>/dev/null)
expect_contains "markdown names the file whose change the app still uses" "$md" \
	'App code compatibility of `migrations/000008_drop_users_legacy_status.up.sql`'
expect_contains "markdown lists the Go reference of the dropped column" "$md" \
	'| `users.legacy_status` | drop column |'
expect_not_contains "a migration the app does not touch gets no table" "$md" \
	'App code compatibility of `migrations/000012_create_audit_log.up.sql`'

finish
