#!/bin/sh
# The cross-check on GORM: struct tags gorm:"column:...", TableName(), the
# naming convention, and raw SQL; a retype lists the code.
. "$SLUICE_SRC/tests/xref-lib.sh"

xref_repo 'CREATE TABLE users (id bigint PRIMARY KEY, email text, email_verified bool, age int);
CREATE TABLE customers (id bigint PRIMARY KEY, email text);'
mkdir -p r/store
cat >r/store/models.go <<'GO'
package store

// User is a row of users; Email is the login.
type User struct {
	ID            int64
	Login         string `gorm:"column:email;not null"`
	EmailVerified bool
	Age           int32 `gorm:"column:age"`
}

type Customer struct {
	ID    int64
	Email string `gorm:"column:email"`
}

func (Customer) TableName() string { return "customers" }
GO
cat >r/store/repo.go <<'GO'
package store

func ByMail(db *DB, q string) (u User) {
	db.Where("email = ?", q).First(&u)
	db.Raw("SELECT email FROM customers").Scan(&u)
	return u
}
GO
commit_all r "app"
xref_migrate 'ALTER TABLE users DROP COLUMN email;
ALTER TABLE users ALTER COLUMN age TYPE bigint;'
xref_check
expect_ref "gorm column tag in User (users by convention)" "store/models.go:6:2"
expect_ref "a Where fragment" "store/repo.go:4:1"
expect_no_ref "the comment" "store/models.go:3:"
expect_no_ref "EmailVerified" "store/models.go:7:"
expect_no_ref "Customer's email (TableName customers)" "store/models.go:13:"
expect_no_ref "SQL on customers" "store/repo.go:5:"
expect_eq "verdict" "$(xref_verdict users.email)" "drop column no BLOCKER"
expect_eq "retype: a review" "$(xref_verdict users.age)" "change type review MEDIUM"
expect_contains "retype lists the code" "$(xref_findings app-references-retyped)" "to bigint; 1 place in the app uses it and may assume the old type: store/models.go:8"
finish
