#!/bin/sh
# t-rails.sh - Rails migrations judged in a real repository: db/migrate/*.rb
# read without Ruby (core/discover/rails.c), the SQL ActiveRecord sends judged, every
# finding at its Ruby line. The migrations are tests/rails-lib.sh's, whose
# translation tests/t-rails-activerecord.sh compares with ActiveRecord's.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/rails-lib.sh"

new_repo repo
rails_history repo
commit_all repo "users, accounts, events"
git -C repo checkout -q -b feature
rails_branch repo
rails_untranslatable repo
d=repo/db/migrate
# an ignore written as a Ruby comment
cat >"$d/20240201000014_score_index.rb" <<'EOF'
class ScoreIndex < ActiveRecord::Migration[6.1]
  def change
    # sluice:ignore create-index-nonconcurrent -- users has 40 rows
    add_index :users, :score
  end
end
EOF
commit_all repo "the branch's migrations"

cd repo
"$SLUICE" check >../text.out 2>../text.err
expect_eq "findings reach --fail-on: exit 1" "$?" 1
"$SLUICE" check --format json >../out.json 2>/dev/null
cd ..
out=$(cat text.out)
q() { json_get "$1" <out.json; }

# Pending: the branch's files only; the base's migration is history.
expect_eq "the branch's 16 migrations are judged, the base's is history" \
	"$(q 'len(set(f["path"] for f in d["files"]))')" 16
expect_eq "framework rails" "$(q 'd["files"][0]["framework"]')" rails

# add_index algorithm: :concurrently: fine with disable_ddl_transaction!, the
# finding inside the transaction ActiveRecord opens otherwise.
expect_eq "disable_ddl_transaction!: no transaction" \
	"$(q '[f["in_transaction"] for f in d["files"] if "index_users_email" in f["path"]]')" "[False, False]"
expect_not_contains "concurrent index outside a transaction: no finding" "$out" \
	"20240201000002_index_users_email.rb:5"
expect_contains "concurrent index inside ActiveRecord's transaction: the finding, at the Ruby line" "$out" \
	"db/migrate/20240201000003_index_users_age.rb:3: HIGH [concurrently-in-transaction]"
expect_contains "add_index without concurrently on an existing table: flagged at its line" "$out" \
	"db/migrate/20240201000004_index_users_bio.rb:3: HIGH [create-index-nonconcurrent]"
expect_contains "add_foreign_key validate: false, then validate_foreign_key: the index it lacks" "$out" \
	"db/migrate/20240201000005_constraints.rb:3: MEDIUM [foreign-key-without-index]"
expect_not_contains "validate: false: no foreign-key-without-not-valid" "$out" "[foreign-key-without-not-valid]"
expect_contains "change_column: a rewrite, at its line" "$out" \
	"db/migrate/20240201000007_change_columns.rb:3: HIGH [alter-column-type]"
expect_contains "change_column_null with a default: the UPDATE ActiveRecord sends first" "$out" \
	"db/migrate/20240201000007_change_columns.rb:4: HIGH [backfill-unbatched]"
expect_contains "rename_column, at its line" "$out" "db/migrate/20240201000008_renames.rb:3: HIGH [rename-column]"
expect_contains "remove_columns: each column" "$out" \
	"db/migrate/20240201000009_removals.rb:4: HIGH [drop-column] dropping 'updated_at' from 'accounts'"
expect_eq "drop_table, at its line" \
	"$(q '[s["line"] for f in d["files"] if f["path"].endswith("_removals.rb") and f["direction"] == "up" for s in f["statements"] if s["sql"].startswith("DROP TABLE")]')" "[5]"
expect_not_contains "... of a table the branch created: no drop-table (it is empty in production)" "$out" \
	"20240201000009_removals.rb:5: HIGH [drop-table]"
expect_eq "execute \"SQL\": at its line; a heredoc from its first line to its last" \
	"$(q '[(s["line"], s["end_line"]) for f in d["files"] if f["path"].endswith("_sql.rb") and f["direction"] == "up" for s in f["statements"]]')" \
	"[(3, 3), (5, 8)]"

# A change migration's down is derived: the calls reversed and inverted.
expect_eq "a change's derived down: reversible's down block, then remove_column" \
	"$(q '[(s["line"], s["sql"]) for f in d["files"] if f["path"].endswith("_status.rb") and f["direction"] == "down" for s in f["statements"]]')" \
	"[(6, 'UPDATE users SET status = NULL'), (3, 'ALTER TABLE \"users\" DROP COLUMN \"status\"')]"
expect_eq "up/down: the down as written" \
	"$(q '[s["line"] for f in d["files"] if f["path"].endswith("_change_columns.rb") and f["direction"] == "down" for s in f["statements"]]')" \
	"[9, 10, 11]"

# strong_migrations' safety_assured is an ignore with its reason
expect_contains "safety_assured: the finding is ignored, reason safety_assured" "$out" \
	"db/migrate/20240201000012_safety.rb:3: HIGH [drop-column] dropping 'status' from 'users' deletes the data, and code still running during the deploy that reads or writes it fails (ignored: safety_assured)"
expect_contains "outside safety_assured: the finding stands" "$out" \
	"db/migrate/20240201000012_safety.rb:4: HIGH [create-index-nonconcurrent]"
expect_contains "# sluice:ignore as a Ruby comment" "$out" \
	"db/migrate/20240201000014_score_index.rb:4: HIGH [create-index-nonconcurrent] CREATE INDEX index_users_on_score on 'users' holds SHARE for the whole build: every write to the table waits (ignored: users has 40 rows)"

# What sluice cannot translate is not judged, at its line, never skipped.
expect_contains "Ruby code: not judged, at its line" "$out" \
	"db/migrate/20240201000013_backfill.rb:3: MEDIUM [rails-untranslated] sluice cannot translate this Rails migration call into SQL: Ruby code ('User.where(...).update_all')"
expect_contains "a call under a condition: not judged" "$out" \
	"db/migrate/20240201000013_backfill.rb:4: MEDIUM [rails-untranslated]"
expect_contains "the statement shown is the Ruby" "$out" "User.where(admin: nil).update_all(admin: false)"
expect_contains "the next call is still judged" "$out" "ALTER TABLE \"users\" ALTER COLUMN \"email\" SET NOT NULL"
expect_contains "up without down: down-missing" "$out" "db/migrate/20240201000013_backfill.rb:3: MEDIUM [down-missing]"
expect_contains "change_column in a change: its down says rolling back raises" "$(
	cat >"$d/20240201000016_retype.rb" <<'EOF'
class Retype < ActiveRecord::Migration[6.1]
  def change
    change_column :users, :age, :bigint
  end
end
EOF
	"$SLUICE" -C repo check 2>&1)" \
	"db/migrate/20240201000016_retype.rb:3: MEDIUM [rails-untranslated] sluice cannot translate this Rails migration call into SQL: ActiveRecord cannot reverse 'change_column' in a change method"
rm "$d/20240201000016_retype.rb"

# Bad input: a message naming the file and line; the rest is judged.
cat >"$d/20240201000020_broken.rb" <<'EOF'
class Broken < ActiveRecord::Migration[6.1]
  def up
    add_column :users, :flag, :boolean
    execute "UPDATE users SET flag = true
  end
end
EOF
printf 'class Latin < ActiveRecord::Migration[6.1]\n  # caf\351\n  def up\n    add_column :users, :l, :text\n  end\nend\n' >"$d/20240201000021_latin.rb"
"$SLUICE" -C repo check >bad.out 2>bad.err
bad=$(cat bad.out bad.err)
expect_contains "unterminated string: file and line" "$bad" \
	"db/migrate/20240201000020_broken.rb:4: MEDIUM [rails-untranslated] sluice cannot translate this Rails migration call into SQL: unterminated string: it runs to the end of the file; sluice read the file up to here"
expect_contains "... what comes before it is judged" "$bad" "ALTER TABLE \"users\" ADD \"flag\" boolean"
expect_contains "not UTF-8: file and line" "$bad" "db/migrate/20240201000021_latin.rb:2: MEDIUM [not-utf8]"
expect_contains "... and the file is judged" "$bad" "ALTER TABLE \"users\" ADD \"l\" text"
expect_contains "the other migrations still judged" "$bad" "20240201000004_index_users_bio.rb:3: HIGH [create-index-nonconcurrent]"
head -c $((50 << 20)) /dev/zero | tr '\0' '#' >"$d/20240201000022_huge.rb"
"$SLUICE" -C repo check >huge.out 2>huge.err
expect_eq "a 50 MB Ruby file: exit 1 (the others' findings come first)" "$?" 1
expect_contains "... the verdict is NOT JUDGED" "$(cat huge.out)" "verdict: NOT JUDGED"
expect_contains "... with a message naming it" "$(cat huge.out huge.err)" \
	"'db/migrate/20240201000022_huge.rb' is 50.0 MB of Ruby, over the 10 MB sluice translates"
expect_contains "... the rest still judged" "$(cat huge.out)" "20240201000004_index_users_bio.rb:3: HIGH [create-index-nonconcurrent]"
rm "$d/20240201000022_huge.rb"

# db/schema.rb and db/structure.sql: the history when the migrations
# before the branch are gone (squashed). The base's dump counts, not the
# branch's (which already holds what the branch does).
new_repo squashed
mkdir -p squashed/db/migrate
cat >squashed/db/schema.rb <<'EOF'
ActiveRecord::Schema[7.0].define(version: 2023_06_01_000000) do
  enable_extension "plpgsql"

  create_table "users", force: :cascade do |t|
    t.string "email", null: false
    t.string "name"
    t.datetime "created_at", null: false
    t.index ["email"], name: "index_users_on_email", unique: true
  end

  create_table "events", force: :cascade do |t|
    t.bigint "user_id", null: false
  end

  add_foreign_key "events", "users"
end
EOF
cat >squashed/db/migrate/20230101000000_old.rb <<'EOF'
class Old < ActiveRecord::Migration[6.1]
  def change
    create_table :gone
  end
end
EOF
commit_all squashed "squashed history"
git -C squashed checkout -q -b feature
cat >squashed/db/migrate/20240301000000_tighten.rb <<'EOF'
class Tighten < ActiveRecord::Migration[6.1]
  def change
    change_column_null :users, :email, false
    change_column_null :users, :name, false
    create_table :widgets do |t|
      t.string :x
    end
    add_index :widgets, :x
    add_index :events, :user_id
  end
end
EOF
# the branch's dump, as `rails db:migrate` rewrites it: not history
sed -i 's/2023_06_01_000000/2024_03_01_000000/; s/t.string "name"/t.string "name", null: false/' squashed/db/schema.rb
commit_all squashed "tighten"
"$SLUICE" -C squashed check >dump.out 2>dump.err
dump=$(cat dump.out dump.err)
expect_not_contains "schema.rb: email is NOT NULL there, so no set-not-null" "$dump" "tighten.rb:3: HIGH [set-not-null]"
expect_contains "schema.rb: name is nullable at the base: set-not-null" "$dump" "tighten.rb:4: HIGH [set-not-null]"
expect_not_contains "a table the branch creates is new (the branch's dump is not history)" "$dump" "tighten.rb:8: HIGH"
expect_contains "a table the dump holds exists: add_index is flagged" "$dump" "tighten.rb:9: HIGH [create-index-nonconcurrent]"
expect_not_contains "the dump is history, not judged" "$dump" "db/schema.rb"

# the same from db/structure.sql (config.active_record.schema_format = :sql)
git -C squashed checkout -q main
git -C squashed rm -q db/schema.rb
cat >squashed/db/structure.sql <<'EOF'
SET statement_timeout = 0;
CREATE TABLE public.users (
    id bigint NOT NULL,
    email character varying NOT NULL,
    name character varying
);
CREATE TABLE public.events (id bigint NOT NULL, user_id bigint NOT NULL);
ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
SET search_path TO "$user", public;
INSERT INTO "schema_migrations" (version) VALUES
('20230101000000'),
('20230601000000');
EOF
commit_all squashed "structure.sql"
git -C squashed checkout -q -b feature2
git -C squashed show feature:db/migrate/20240301000000_tighten.rb >squashed/db/migrate/20240301000000_tighten.rb
commit_all squashed "tighten again"
"$SLUICE" -C squashed check >sdump.out 2>&1
sdump=$(cat sdump.out)
expect_not_contains "structure.sql: email NOT NULL there" "$sdump" "tighten.rb:3: HIGH [set-not-null]"
expect_contains "structure.sql: name nullable: set-not-null" "$sdump" "tighten.rb:4: HIGH [set-not-null]"
expect_contains "structure.sql: events exists: add_index flagged" "$sdump" "tighten.rb:9: HIGH [create-index-nonconcurrent]"

# Named on the command line, a file is judged as its layout says.
"$SLUICE" check --format json repo/db/migrate/20240201000003_index_users_age.rb >one.json 2>/dev/null
expect_eq "a named .rb file: rails, in a transaction" \
	"$(json_get '(d["files"][0]["framework"], d["files"][0]["in_transaction"])' <one.json)" "('rails', True)"
expect_eq "change_table: each t.<call> at its line; the down reversed" \
	"$(q '[(f["direction"], [s["line"] for s in f["statements"]]) for f in d["files"] if f["path"].endswith("_change_users.rb")]')" \
	"[('up', [4, 4, 5, 6, 7, 8, 9]), ('down', [9, 8, 7, 6, 5, 4, 4])]"
expect_contains "change_table: t.index on an existing table is flagged at its line" "$out" \
	"db/migrate/20240201000030_change_users.rb:6: HIGH [create-index-nonconcurrent]"

expect_eq "change_table bulk: true: the column changes in one ALTER TABLE, then the index" \
	"$(q '[(s["line"], s["sql"]) for f in d["files"] if f["path"].endswith("_bulk_users.rb") and f["direction"] == "up" for s in f["statements"]]')" \
	"[(4, 'ALTER TABLE \"users\" ADD \"logins\" integer DEFAULT 0 NOT NULL, ADD \"tz\" character varying, DROP COLUMN \"country\"'), (7, 'CREATE INDEX \"index_users_on_tz\" ON \"users\" (\"tz\")')]"

# The workbench: the translated SQL, numbered with the Ruby lines.
printf ':save-screen %s/list.txt\njj\n<Enter>\n:save-screen %s/stmt.txt\n' "$T" "$T" >tui.keys
TERM=xterm-256color COLUMNS=120 LINES=30 SLUICE_SCRIPT="$T/tui.keys" "$SLUICE" -C repo >tui.out 2>tui.err
expect_eq "the workbench runs on a Rails repository" "$?" 0
expect_contains "the list shows Rails migrations" "$(cat list.txt)" "20240201000003 index_users_age"
expect_contains "... their framework and transaction" "$(cat list.txt)" "rails     no-txn yes"
expect_contains "the statement screen numbers the SQL with the Ruby line" "$(cat stmt.txt)" \
	'3 H CREATE INDEX CONCURRENTLY "index_users_on_age" ON "users"'
expect_contains "concurrently-in-transaction's fix names Rails' way" "$out" "Rails: disable_ddl_transaction!)"

# Drafts write SQL files: never over a Ruby migration.
cp repo/db/migrate/20240201000004_index_users_bio.rb before.rb
"$SLUICE" -C repo draft --commit db/migrate/20240201000004_index_users_bio.rb >draft.out 2>&1
expect_eq "a draft of a Rails migration is refused (exit 1)" "$?" 1
expect_contains "... saying why" "$(cat draft.out)" "is a Rails migration: sluice drafts SQL files"
check "... and the Ruby file is untouched" cmp -s before.rb repo/db/migrate/20240201000004_index_users_bio.rb
finish
