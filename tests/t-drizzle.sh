#!/bin/sh
# t-drizzle.sh - Drizzle Kit: the journal layout (meta/_journal.json and
# NNNN_tag.sql, queries cut at "--> statement-breakpoint") and drizzle-kit
# 1.x's folder per migration (migration.sql beside snapshot.json). Drizzle
# runs every migration in a transaction; a file the journal does not list
# never runs.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

journal() { # TAG...: a journal listing the tags, in that order
	{
		printf '{\n  "version": "7",\n  "dialect": "postgresql",\n  "entries": [\n'
		i=0
		for t in "$@"; do
			[ $i -gt 0 ] && printf ',\n'
			printf '    { "idx": %d, "version": "7", "when": %d, "tag": "%s", "breakpoints": true }' \
				$i $((1709553600000 + i)) "$t"
			i=$((i + 1))
		done
		printf '\n  ]\n}\n'
	} >drizzle/meta/_journal.json
}

new_repo dz
cd dz
mkdir -p drizzle/meta
cat >drizzle/0000_initial.sql <<'SQL'
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL
);
SQL
journal 0000_initial
feature_branch .
# The README's example ("Using sluice with Drizzle") is this file.
cat >drizzle/0001_user_names.sql <<'SQL'
ALTER TABLE "users" ADD COLUMN "name" text
--> statement-breakpoint
CREATE INDEX CONCURRENTLY "users_name_idx" ON "users" ("name");
SQL
echo 'DROP TABLE "users";' >drizzle/0002_never_journaled.sql
journal 0000_initial 0001_user_names
commit_all . "drizzle migration"
out=$(judged)
expect_eq "the journal's new entry, in a transaction; a file not in the journal is not a migration" \
	"$out" "drizzle/0001_user_names.sql drizzle up txn"
expect_eq "a breakpoint ends a query that has no ';'" "$(stmt_lines drizzle/0001_user_names.sql up)" "1 3"
expect_contains "CONCURRENTLY inside drizzle's transaction is the finding" \
	"$(rule_findings concurrently-in-transaction)" \
	"drizzle/0001_user_names.sql|HIGH|CONCURRENTLY cannot run inside a transaction block, and drizzle runs this file in one"

# The journal's order is the apply order, not the file names'.
cat >drizzle/0003_b.sql <<'SQL'
CREATE TABLE b (id bigint PRIMARY KEY);
SQL
cat >drizzle/0002_a.sql <<'SQL'
CREATE TABLE a (id bigint PRIMARY KEY, b bigint REFERENCES b);
SQL
journal 0000_initial 0001_user_names 0003_b 0002_a
expect_eq "ordered by the journal" "$(judged)" "drizzle/0001_user_names.sql drizzle up txn
drizzle/0003_b.sql drizzle up txn
drizzle/0002_a.sql drizzle up txn"

# A MySQL journal: its files are not PostgreSQL migrations.
new_repo ../my
cd ../my
mkdir -p drizzle/meta
echo 'CREATE TABLE t (id int);' >drizzle/0000_t.sql
journal 0000_t
sed -i 's/"postgresql"/"mysql"/' drizzle/meta/_journal.json
feature_branch .
echo 'ALTER TABLE t ADD COLUMN a int;' >drizzle/0001_a.sql
journal 0000_t 0001_a
sed -i 's/"postgresql"/"mysql"/' drizzle/meta/_journal.json
expect_exit "a mysql journal has no PostgreSQL migrations" 2 "$SLUICE" check

# drizzle-kit 1.x: a folder per migration, migration.sql and snapshot.json.
new_repo ../v1
cd ../v1
mkdir -p drizzle/20250101120000_init
echo 'CREATE TABLE t (id bigint PRIMARY KEY, a int);' >drizzle/20250101120000_init/migration.sql
echo '{}' >drizzle/20250101120000_init/snapshot.json
feature_branch .
mkdir -p drizzle/20250102120000_a_idx drizzle/20250103120000_notes
printf 'CREATE INDEX "t_a_idx" ON "t" ("a");\n' >drizzle/20250102120000_a_idx/migration.sql
echo '{}' >drizzle/20250102120000_a_idx/snapshot.json
echo 'CREATE TABLE notes (id bigint PRIMARY KEY);' >drizzle/20250103120000_notes/migration.sql
echo '{}' >drizzle/20250103120000_notes/snapshot.json
commit_all . "v1 migrations"
expect_eq "drizzle-kit 1.x folders, by timestamp, in a transaction" "$(judged)" \
"drizzle/20250102120000_a_idx/migration.sql drizzle up txn
drizzle/20250103120000_notes/migration.sql drizzle up txn"
expect_contains "the index on a table with rows blocks writes" \
	"$(rule_findings create-index-nonconcurrent)" "drizzle/20250102120000_a_idx/migration.sql|HIGH"
rm drizzle/20250103120000_notes/snapshot.json
expect_eq "without snapshot.json, drizzle/ is no migration directory" "$(judged)" \
	"drizzle/20250102120000_a_idx/migration.sql drizzle up txn"
finish
