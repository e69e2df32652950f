#!/bin/sh
# The cross-check on Rails/ActiveRecord: a model maps to its table by
# inflection (User <-> users), attributes are symbols and keyword keys.
. "$SLUICE_SRC/tests/xref-lib.sh"

xref_repo 'CREATE TABLE users (id bigint PRIMARY KEY, email text, email_verified bool);
CREATE TABLE accounts (id bigint PRIMARY KEY, email text);
CREATE TABLE people (id bigint PRIMARY KEY, nickname text);'
mkdir -p r/app/models r/app/controllers r/db
cat >r/app/models/user.rb <<'RB'
class User < ApplicationRecord
  # email is validated below
  validates :email, presence: true
  validates :email_verified, inclusion: [true, false]
end
RB
cat >r/app/models/account.rb <<'RB'
class Account < ApplicationRecord
  validates :email, presence: true
end
RB
cat >r/app/models/person.rb <<'RB'
class Person < ActiveRecord::Base
  def label = nickname
end
RB
cat >r/app/controllers/users_controller.rb <<'RB'
class UsersController < ApplicationController
  def show
    @user = User.find_by(email: params[:q])
    @account = Account.find_by(email: params[:q])
    rows = ActiveRecord::Base.connection.select_all(<<~SQL)
      SELECT id, email FROM users
    SQL
  end
end
RB
cat >r/db/schema.rb <<'RB'
  create_table "users" do |t|
    t.string "email"
  end
RB
commit_all r "app"
xref_migrate 'ALTER TABLE users DROP COLUMN email;
ALTER TABLE people DROP COLUMN nickname;'
xref_check
expect_ref "a symbol in the User model" "app/models/user.rb:3:2"
expect_ref "User.find_by(email:): the model names the table" "app/controllers/users_controller.rb:3:2"
expect_ref "SQL in a heredoc" "app/controllers/users_controller.rb:6:3"
expect_ref "Person maps to people (irregular plural)" "app/models/person.rb:2:2"
expect_no_ref "a comment in the model" "app/models/user.rb:2:"
expect_no_ref "email_verified" "app/models/user.rb:4:"
expect_no_ref "Account's email is another table's" "app/models/account.rb"
expect_no_ref "Account.find_by(email:)" "app/controllers/users_controller.rb:4:"
expect_no_ref "the generated db/schema.rb" "db/schema.rb"
expect_eq "verdict" "$(xref_verdict users.email)" "drop column no BLOCKER"
expect_contains "the finding lists file:line" "$(xref_findings app-references-dropped)" \
	"app/controllers/users_controller.rb:3, app/controllers/users_controller.rb:6, app/models/user.rb:3"
finish
