#!/bin/sh
# t-rails-renames.sh - what sluice translates without Ruby for the calls of
# rails_renames (tests/rails-lib.sh; t-rails-activerecord.sh compares the
# same files with ActiveRecord): the index names ActiveRecord derives follow
# rename_column and rename_table (an index made on the base branch too; a
# custom name does not; a dropped column's index is gone), create_join_table
# with its options and block, composite primary keys.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/rails-lib.sh"

new_repo repo
rails_history repo
rails_branch repo
commit_all repo "history: users (email indexed by 20240201000002), the rest"
git -C repo checkout -q -b feature
rails_renames repo
commit_all repo "renames, join tables, a composite key"
cd repo
"$SLUICE" check --format json >../out.json 2>../err
cd ..
stmts() { report_rows statements '{line}: {sql}' path="db/migrate/$1" direction="$2" <out.json; }

expect_eq "rename_column renames the indexes named after the column, rename_table those named after the table" \
	"$(stmts 20240301000002_rename_indexed.rb up)" \
'3: ALTER TABLE "posts" RENAME COLUMN "title" TO "headline"
3: ALTER INDEX "index_posts_on_title" RENAME TO "index_posts_on_headline"
3: ALTER INDEX "index_posts_on_title_and_slug" RENAME TO "index_posts_on_headline_and_slug"
4: ALTER TABLE "posts" RENAME TO "articles"
4: ALTER INDEX "posts_pkey" RENAME TO "articles_pkey"
4: ALTER TABLE "public"."posts_id_seq" RENAME TO "articles_id_seq"
4: ALTER INDEX "index_posts_on_author_id" RENAME TO "index_articles_on_author_id"
4: ALTER INDEX "index_posts_on_headline" RENAME TO "index_articles_on_headline"
4: ALTER INDEX "index_posts_on_headline_and_slug" RENAME TO "index_articles_on_headline_and_slug"
5: ALTER TABLE "users" RENAME COLUMN "email" TO "login"
5: ALTER INDEX "index_users_on_email" RENAME TO "index_users_on_login"'
expect_eq "... and the down renames them back, in reverse" \
	"$(stmts 20240301000002_rename_indexed.rb down | grep -c 'ALTER INDEX')" 7
expect_not_contains "a custom index name is not renamed" "$(cat out.json)" '"posts_custom_slug" RENAME'
expect_eq "create_join_table: the tables sorted, the singulars' columns NOT NULL, no id" \
	"$(stmts 20240301000003_join_tables.rb up | sed -n 1p)" \
	'3: CREATE TABLE "articles_users" ("user_id" bigint NOT NULL, "article_id" bigint NOT NULL)'
expect_eq "... table_name:, column_options: and the block's calls" \
	"$(stmts 20240301000003_join_tables.rb up | tail -2)" \
'4: CREATE TABLE "artist_records" ("music_artist_id" uuid, "music_record_id" uuid, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)
6: CREATE UNIQUE INDEX "index_artist_records_on_music_artist_id_and_music_record_id" ON "artist_records" ("music_artist_id", "music_record_id")'
expect_eq "... its down drops them" "$(stmts 20240301000003_join_tables.rb down)" \
'4: DROP TABLE "artist_records"
3: DROP TABLE "articles_users"'
expect_eq "primary_key: [:a, :b]: no id, PRIMARY KEY after the columns" \
	"$(stmts 20240301000004_composite.rb up | sed -n 1p)" \
	'3: CREATE TABLE "memberships" ("user_id" bigint NOT NULL, "article_id" bigint NOT NULL, "role" character varying, PRIMARY KEY ("user_id", "article_id"))'
expect_eq "nothing left untranslated" \
	"$(report_rows findings '{path}:{line}' rule=rails-untranslated <out.json)" ""

# A column whose index is gone (dropped with the column, or by remove_index)
# renames nothing; a derived name past 63 bytes makes ActiveRecord raise:
# not judged, at the call.
cd repo
cat >db/migrate/20240301000005_more.rb <<'EOF'
class More < ActiveRecord::Migration[6.1]
  def change
    remove_column :users, :login, :string
    add_column :users, :login, :string
    rename_column :users, :login, :email
    remove_index :users, :tz
    rename_column :users, :tz, :time_zone
    add_index :articles, :slug
    rename_column :articles, :slug, :a_slug_whose_name_is_long_enough_to_overflow_the_index_name
  end
end
EOF
"$SLUICE" check --format json >../more.json 2>/dev/null
cd ..
expect_eq "no index left to rename after remove_column and remove_index" \
	"$(report_rows statements '{line}: {sql}' path=db/migrate/20240301000005_more.rb direction=up <more.json |
		grep -c 'ALTER INDEX "index_users')" 0
expect_eq "an index name over 63 bytes (the first by name): not judged at the rename, with ActiveRecord's reason" \
	"$(report_rows findings '{line}|{message}' rule=rails-untranslated path=db/migrate/20240301000005_more.rb \
		direction=up <more.json)" \
	"9|sluice cannot translate this Rails migration call into SQL: ActiveRecord raises ArgumentError renaming index 'index_articles_on_headline_and_slug': Index name 'index_articles_on_headline_and_a_slug_whose_name_is_long_enough_to_overflow_the_index_name' on table 'articles' is too long; the limit is 63 characters; not judged"
finish
