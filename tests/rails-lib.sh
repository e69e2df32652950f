# tests/rails-lib.sh - Rails migrations that cover every call sluice
# translates (core/discover/rails_dsl.c), for tests/t-rails.sh (judged by sluice) and
# tests/t-rails-activerecord.sh (run by ActiveRecord, compared statement by
# statement). They run in this order on one database.
#
#   rails_history DIR   the base branch's migration (db/migrate/ under DIR)
#   rails_branch DIR    the branch's migrations
rails_history() {
	mkdir -p "$1/db/migrate"
	cat >"$1/db/migrate/20240101000001_create_users.rb" <<'EOF'
class CreateUsers < ActiveRecord::Migration[6.1]
  def change
    create_table :users do |t|
      t.string :email, null: false
      t.string :name, default: "anon"
      t.integer :age
      t.boolean :admin, default: false, null: false
      t.text :bio
      t.timestamps
    end
    create_table :accounts, id: :uuid do |t|
      t.string :plan, default: "free", index: true
      t.timestamps null: true
    end
    create_table :events, id: :bigint do |t|
      t.references :user, null: false, foreign_key: true
      t.jsonb :payload, default: {}
      t.datetime :at, precision: 6
      t.decimal :amount, precision: 10, scale: 2
    end
  end
end
EOF
}

rails_branch() {
	d="$1/db/migrate"
	mkdir -p "$d"
	cat >"$d/20240201000001_add_columns.rb" <<'EOF'
class AddColumns < ActiveRecord::Migration[6.1]
  def change
    add_column :users, :nickname, :string
    add_column :users, :score, :integer, default: 0, null: false
    add_reference :accounts, :user, index: false
  end
end
EOF
	cat >"$d/20240201000002_index_users_email.rb" <<'EOF'
class IndexUsersEmail < ActiveRecord::Migration[6.1]
  disable_ddl_transaction!

  def change
    add_index :users, :email, unique: true, algorithm: :concurrently
    add_index :users, :name, where: "admin", name: "users_admins_name", algorithm: :concurrently
  end
end
EOF
	cat >"$d/20240201000003_index_users_age.rb" <<'EOF'
class IndexUsersAge < ActiveRecord::Migration[6.1]
  def change
    add_index :users, :age, algorithm: :concurrently
  end
end
EOF
	cat >"$d/20240201000004_index_users_bio.rb" <<'EOF'
class IndexUsersBio < ActiveRecord::Migration[6.1]
  def up
    add_index :users, :bio
  end

  def down
    remove_index :users, :bio
  end
end
EOF
	cat >"$d/20240201000005_constraints.rb" <<'EOF'
class Constraints < ActiveRecord::Migration[6.1]
  def change
    add_foreign_key :accounts, :users, validate: false
    add_check_constraint :users, "age >= 0", name: "users_age_nonneg", validate: false
  end
end
EOF
	cat >"$d/20240201000006_validate_constraints.rb" <<'EOF'
class ValidateConstraints < ActiveRecord::Migration[6.1]
  def up
    validate_foreign_key :accounts, :users
    validate_check_constraint :users, name: "users_age_nonneg"
  end

  def down
  end
end
EOF
	cat >"$d/20240201000007_change_columns.rb" <<'EOF'
class ChangeColumns < ActiveRecord::Migration[6.1]
  def up
    change_column :users, :bio, :string, limit: 500
    change_column_null :users, :name, false, "anon"
    change_column_default :users, :age, from: nil, to: 18
  end

  def down
    change_column_default :users, :age, nil
    change_column_null :users, :name, true
    change_column :users, :bio, :text
  end
end
EOF
	cat >"$d/20240201000008_renames.rb" <<'EOF'
class Renames < ActiveRecord::Migration[6.1]
  def change
    rename_column :users, :nickname, :handle
    create_table :old_things
    rename_table :old_things, :things
  end
end
EOF
	cat >"$d/20240201000009_removals.rb" <<'EOF'
class Removals < ActiveRecord::Migration[6.1]
  def change
    remove_column :users, :handle, :string
    remove_columns :accounts, :created_at, :updated_at, type: :datetime
    drop_table :things do |t|
    end
  end
end
EOF
	cat >"$d/20240201000010_sql.rb" <<'EOF'
class Sql < ActiveRecord::Migration[6.1]
  def up
    execute "UPDATE users SET admin = false WHERE admin IS NULL"
    execute <<~SQL
      CREATE VIEW active_users AS
        SELECT id, email
        FROM users
        WHERE NOT admin
    SQL
  end

  def down
    execute "DROP VIEW active_users"
  end
end
EOF
	cat >"$d/20240201000011_status.rb" <<'EOF'
class Status < ActiveRecord::Migration[6.1]
  def change
    add_column :users, :status, :string
    reversible do |dir|
      dir.up { execute "UPDATE users SET status = 'active'" }
      dir.down { execute "UPDATE users SET status = NULL" }
    end
  end
end
EOF
	cat >"$d/20240201000012_safety.rb" <<'EOF'
class Safety < ActiveRecord::Migration[6.1]
  def change
    safety_assured { remove_column :users, :status, :string }
    add_index :users, :created_at
  end
end
EOF
	cat >"$d/20240201000030_change_users.rb" <<'EOF'
class ChangeUsers < ActiveRecord::Migration[6.1]
  def change
    change_table :users do |t|
      t.string :city, :country
      t.integer :visits, default: 0, null: false
      t.index :city
      t.rename :name, :full_name
      t.references :account, type: :uuid, index: false
      t.remove :age, type: :integer
    end
  end
end
EOF
	cat >"$d/20240201000031_bulk_users.rb" <<'EOF'
class BulkUsers < ActiveRecord::Migration[6.1]
  def change
    change_table :users, bulk: true do |t|
      t.column :logins, :integer, default: 0, null: false
      t.string :tz
      t.remove :country, type: :string
      t.index :tz
    end
  end
end
EOF
}

# Calls sluice cannot translate: judged NOT by ActiveRecord's comparison
# (they need the application), only by sluice.
rails_untranslatable() {
	cat >"$1/db/migrate/20240201000013_backfill.rb" <<'EOF'
class Backfill < ActiveRecord::Migration[6.1]
  def up
    User.where(admin: nil).update_all(admin: false)
    add_column :users, :legacy, :string if ENV["LEGACY"]
    change_column_null :users, :email, false
  end
end
EOF
}

# Older migration classes, as ActiveRecord's compatibility layer runs them:
# Migration[4.2] (serial ids, nullable timestamps, unindexed references)
# and [5.0] (timestamps NOT NULL, references indexed). For the
# comparison with ActiveRecord only.
rails_old_versions() {
	mkdir -p "$1/db/migrate"
	cat >"$1/db/migrate/20150101000000_old_style.rb" <<'EOF'
class OldStyle < ActiveRecord::Migration[4.2]
  def change
    create_table :o42 do |t|
      t.references :user
      t.datetime :at
      t.timestamps
    end
  end
end
EOF
	cat >"$1/db/migrate/20170101000000_five_oh.rb" <<'EOF'
class FiveOh < ActiveRecord::Migration[5.0]
  def change
    create_table :o50 do |t|
      t.references :user
      t.timestamps
    end
    add_reference :o42, :thing
  end
end
EOF
}

# Index names ActiveRecord derives follow a rename_column / rename_table
# (rename_column_indexes, rename_table_indexes: a custom name does not);
# create_join_table with its options and block; composite primary keys.
# After rails_branch, in both tests.
rails_renames() {
	d="$1/db/migrate"
	mkdir -p "$d"
	cat >"$d/20240301000001_posts.rb" <<'EOF'
class Posts < ActiveRecord::Migration[6.1]
  def change
    create_table :posts do |t|
      t.string :title, index: true
      t.references :author
      t.string :slug
      t.index [:title, :slug], unique: true
      t.index :slug, name: "posts_custom_slug"
    end
  end
end
EOF
	cat >"$d/20240301000002_rename_indexed.rb" <<'EOF'
class RenameIndexed < ActiveRecord::Migration[6.1]
  def change
    rename_column :posts, :title, :headline
    rename_table :posts, :articles
    rename_column :users, :email, :login
  end
end
EOF
	cat >"$d/20240301000003_join_tables.rb" <<'EOF'
class JoinTables < ActiveRecord::Migration[6.1]
  def change
    create_join_table :users, :articles
    create_join_table :music_artists, :music_records, table_name: "artist_records",
                      column_options: { type: :uuid, null: true } do |t|
      t.index [:music_artist_id, :music_record_id], unique: true
      t.timestamps
    end
  end
end
EOF
	cat >"$d/20240301000004_composite.rb" <<'EOF'
class Composite < ActiveRecord::Migration[6.1]
  def change
    create_table :memberships, primary_key: [:user_id, :article_id] do |t|
      t.bigint :user_id, null: false
      t.bigint :article_id, null: false
      t.string :role
    end
    add_index :memberships, :role
  end
end
EOF
}
