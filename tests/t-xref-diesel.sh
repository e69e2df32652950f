#!/bin/sh
# The cross-check on Rust/diesel: table! blocks, #[diesel(table_name = ...)]
# structs, users::email paths; and on lemmy's real code when it is there.
. "$SLUICE_SRC/tests/xref-lib.sh"

xref_repo 'CREATE TABLE person (id int PRIMARY KEY, email text, email_verified bool);
CREATE TABLE community (id int PRIMARY KEY, email text);'
mkdir -p r/src
cat >r/src/schema.rs <<'RS'
diesel::table! {
    person (id) {
        id -> Int4,
        email -> Nullable<Text>,
        email_verified -> Bool,
    }
}

diesel::table! {
    community (id) {
        id -> Int4,
        email -> Nullable<Text>,
    }
}
RS
cat >r/src/person.rs <<'RS'
// email is optional
#[derive(Queryable)]
#[cfg_attr(feature = "full", diesel(table_name = person))]
pub struct Person<'a> {
    pub id: i32,
    pub email: Option<&'a str>,
}

fn find(conn: &mut Conn) {
    person::table.filter(person::email.eq("x"));
    community::table.filter(community::email.eq("x"));
}
RS
commit_all r "app"
xref_migrate 'ALTER TABLE person DROP COLUMN email;'
xref_check
expect_ref "the table! column" "src/schema.rs:4:2"
expect_ref "the struct field of a diesel(table_name = person) struct" "src/person.rs:6:2"
expect_ref "person::email" "src/person.rs:10:2"
expect_no_ref "email_verified" "src/schema.rs:5:"
expect_no_ref "community's email column" "src/schema.rs:12:"
expect_no_ref "community::email" "src/person.rs:11:"
expect_no_ref "a comment" "src/person.rs:1:"
expect_eq "verdict" "$(xref_verdict person.email)" "drop column no BLOCKER"

corpus=$SLUICE_SRC/../shared/corpus/_xref/LemmyNet__lemmy
if [ -d "$corpus" ]; then
	rm -rf r/src && cp -r "$corpus/crates" r/crates
	printf 'CREATE TABLE local_user_invite (id int PRIMARY KEY, max_uses int);\n' >>r/db/migrations/001_init.up.sql
	git -C r add -A src crates db/migrations/001_init.up.sql && git -C r commit -qm lemmy
	xref_migrate 'ALTER TABLE local_user_invite DROP COLUMN max_uses;'
	xref_check
	refs=$(xref_refs)
	expect_contains "lemmy: the table! column" "$refs" "crates/db_schema_file/src/schema.rs:"
	expect_contains "lemmy: the source struct" "$refs" "crates/db_schema/src/source/local_user_invite.rs:"
	expect_eq "lemmy: verdict" "$(xref_verdict local_user_invite.max_uses)" "drop column no BLOCKER"
else
	ok "# SKIP no shared corpus"
fi
finish
