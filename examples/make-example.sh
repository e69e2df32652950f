#!/bin/sh
# make-example.sh DIR - builds the example repository sluice's demo and many
# tests open: a small shop application (Go, Python and Ruby code reading a
# `users` table) with golang-migrate migrations.
#
#   main             five migrations: users, orders, products, order items,
#                    a display name; all applied, the history.
#   feature/risky    (checked out at the end) seven more, the kind of branch a
#                    reviewer should stop: an index built without
#                    CONCURRENTLY, a NOT NULL column without a default, a DROP
#                    COLUMN of users.legacy_status that the Go and Python code
#                    still read, a column rename, an unbatched backfill, a
#                    migration without its down, and one safe migration.
#
# Deterministic: fixed names and dates, no network, no user or system git
# configuration, so the commit ids are the same on every machine.
set -eu

dir=${1:?usage: make-example.sh DIR}
if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
	echo "make-example.sh: '$dir' exists and is not empty" >&2
	exit 2
fi
mkdir -p "$dir"
cd "$dir"

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME="Ada Example" GIT_AUTHOR_EMAIL="ada@example.com"
export GIT_COMMITTER_NAME="Ada Example" GIT_COMMITTER_EMAIL="ada@example.com"
export TZ=UTC LC_ALL=C
# Each commit one hour after the last, from a fixed day.
tick=0
commit() {
	tick=$((tick + 1))
	GIT_AUTHOR_DATE="2024-03-01T$(printf %02d "$tick"):00:00Z" \
	GIT_COMMITTER_DATE="2024-03-01T$(printf %02d "$tick"):00:00Z" \
		git commit -q -m "$1"
}
# up NAME / down NAME: writes migrations/NAME.{up,down}.sql from stdin.
up() { cat >"migrations/$1.up.sql"; }
down() { cat >"migrations/$1.down.sql"; }

git init -q -b main .
git config core.autocrlf false
mkdir -p migrations cmd/shop internal/store app/models shop

cat >README.md <<'EOF'
# shop

A small shop: a Go API (cmd/shop, internal/store), Python reports (shop/)
and a Rails admin (app/models). Migrations are in migrations/, applied
with golang-migrate:

    migrate -path migrations -database "$DATABASE_URL" up
EOF
cat >go.mod <<'EOF'
module example.com/shop

go 1.21

require github.com/jackc/pgx/v5 v5.5.0
EOF

# --- the history, on main ---------------------------------------------------
up 000001_create_users <<'EOF'
CREATE TABLE users (
    id              bigserial PRIMARY KEY,
    email           text        NOT NULL,
    email_verified  boolean     NOT NULL DEFAULT false,
    legacy_status   text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
EOF
down 000001_create_users <<'EOF'
DROP TABLE users;
EOF
git add . && commit "users table"

up 000002_create_orders <<'EOF'
CREATE TABLE orders (
    id           bigserial PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id),
    status       text        NOT NULL DEFAULT 'pending',
    total_cents  bigint      NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_user_id_idx ON orders (user_id);
EOF
down 000002_create_orders <<'EOF'
DROP TABLE orders;
EOF
git add . && commit "orders table"

up 000003_create_products <<'EOF'
CREATE TABLE products (
    id          bigserial PRIMARY KEY,
    name        text   NOT NULL,
    price_cents bigint NOT NULL CHECK (price_cents >= 0)
);
EOF
down 000003_create_products <<'EOF'
DROP TABLE products;
EOF
up 000004_create_order_items <<'EOF'
CREATE TABLE order_items (
    order_id    bigint NOT NULL REFERENCES orders (id),
    product_id  bigint NOT NULL REFERENCES products (id),
    quantity    integer NOT NULL DEFAULT 1,
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX order_items_product_id_idx ON order_items (product_id);
EOF
down 000004_create_order_items <<'EOF'
DROP TABLE order_items;
EOF
git add . && commit "products and order items"

up 000005_users_display_name <<'EOF'
ALTER TABLE users ADD COLUMN display_name text;
EOF
down 000005_users_display_name <<'EOF'
ALTER TABLE users DROP COLUMN display_name;
EOF
git add . && commit "users: display name"

# --- the application ----------------------------------------------------------
cat >internal/store/users.go <<'EOF'
// Package store reads and writes the shop's tables.
package store

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// User is one row of users.
type User struct {
	ID            int64  `db:"id"`
	Email         string `db:"email"`
	EmailVerified bool   `db:"email_verified"`
	LegacyStatus  string `db:"legacy_status"`
}

const userByID = `SELECT id, email, email_verified, legacy_status
	FROM users WHERE id = $1`

// UserByID loads one user.
func UserByID(ctx context.Context, db *pgxpool.Pool, id int64) (User, error) {
	var u User
	err := db.QueryRow(ctx, userByID, id).Scan(&u.ID, &u.Email, &u.EmailVerified, &u.LegacyStatus)
	return u, err
}

// VerifiedEmails lists the addresses we may write to.
func VerifiedEmails(ctx context.Context, db *pgxpool.Pool) ([]string, error) {
	rows, err := db.Query(ctx, "SELECT email FROM users WHERE email_verified")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
EOF
cat >internal/store/orders.go <<'EOF'
package store

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// OrderTotal sums a user's orders.
func OrderTotal(ctx context.Context, db *pgxpool.Pool, userID int64) (int64, error) {
	var total int64
	err := db.QueryRow(ctx,
		"SELECT coalesce(sum(total_cents), 0) FROM orders WHERE user_id = $1", userID).Scan(&total)
	return total, err
}
EOF
cat >cmd/shop/main.go <<'EOF'
// Command shop serves the shop's API.
package main

import (
	"log"
	"net/http"
)

func main() {
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	log.Fatal(http.ListenAndServe(":8080", nil))
}
EOF
cat >shop/__init__.py <<'EOF'
EOF
cat >shop/models.py <<'EOF'
"""SQLAlchemy models for the reporting jobs."""
from sqlalchemy import Boolean, BigInteger, Column, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "users"

    id = Column(BigInteger, primary_key=True)
    email = Column(String, nullable=False)
    email_verified = Column(Boolean, nullable=False, default=False)
    legacy_status = Column(String)
EOF
cat >shop/reports.py <<'EOF'
"""Nightly reports."""
from sqlalchemy import text

INACTIVE = text(
    "SELECT id, email FROM users WHERE legacy_status = 'inactive' AND NOT email_verified"
)


def inactive_users(conn):
    """Users the support team should contact."""
    return conn.execute(INACTIVE).fetchall()
EOF
cat >app/models/user.rb <<'EOF'
# The admin's view of a shop user.
class User < ApplicationRecord
  has_many :orders

  validates :email, presence: true
  scope :verified, -> { where(email_verified: true) }
end
EOF
cat >app/models/order.rb <<'EOF'
class Order < ApplicationRecord
  belongs_to :user
end
EOF
git add . && commit "shop application: Go API, Python reports, Rails admin"

# --- the risky branch ----------------------------------------------------------
git checkout -q -b feature/risky

up 000006_orders_created_at_index <<'EOF'
-- Speed up the "recent orders" page.
CREATE INDEX orders_created_at_idx ON orders (created_at);
EOF
down 000006_orders_created_at_index <<'EOF'
DROP INDEX orders_created_at_idx;
EOF
git add . && commit "orders: index created_at"

up 000007_users_add_plan <<'EOF'
ALTER TABLE users ADD COLUMN plan text NOT NULL;
EOF
down 000007_users_add_plan <<'EOF'
ALTER TABLE users DROP COLUMN plan;
EOF
git add . && commit "users: plan"

up 000008_drop_users_legacy_status <<'EOF'
-- legacy_status was replaced by plan.
ALTER TABLE users DROP COLUMN legacy_status;
EOF
down 000008_drop_users_legacy_status <<'EOF'
ALTER TABLE users ADD COLUMN legacy_status text;
EOF
git add . && commit "users: drop legacy_status"

up 000009_rename_orders_total <<'EOF'
ALTER TABLE orders RENAME COLUMN total_cents TO amount_cents;
EOF
down 000009_rename_orders_total <<'EOF'
ALTER TABLE orders RENAME COLUMN amount_cents TO total_cents;
EOF
git add . && commit "orders: rename total_cents to amount_cents"

up 000010_backfill_email_verified <<'EOF'
-- Everyone who signed up through the partner portal is verified.
UPDATE users SET email_verified = true WHERE email LIKE '%@partner.example.com';
EOF
down 000010_backfill_email_verified <<'EOF'
-- Nothing to undo: the flag is not reset.
SELECT 1;
EOF
git add . && commit "users: backfill email_verified for partners"

up 000011_products_sku <<'EOF'
ALTER TABLE products ADD COLUMN sku text;
EOF
git add . && commit "products: sku (no down migration)"

up 000012_create_audit_log <<'EOF'
CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    user_id    bigint REFERENCES users (id),
    action     text        NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_user_id_idx ON audit_log (user_id);
EOF
down 000012_create_audit_log <<'EOF'
DROP TABLE audit_log;
EOF
git add . && commit "audit log"

git log --oneline --decorate -1
