#!/bin/sh
# The cross-check on TypeORM and Sequelize: @Entity/@Column decorators,
# sequelize.define with field:, Model.init with tableName.
. "$SLUICE_SRC/tests/xref-lib.sh"

xref_repo 'CREATE TABLE users (id bigint PRIMARY KEY, email text, email_verified bool);
CREATE TABLE teams (id bigint PRIMARY KEY, email text);
CREATE TABLE invoices (id bigint PRIMARY KEY, billing_email text);'
mkdir -p r/src
cat >r/src/user.entity.ts <<'TS'
import { Entity, Column } from "typeorm";

// the email column is unique
@Entity({ name: "users" })
export class User {
  @Column({ name: "email" })
  login: string;

  @Column()
  emailVerified: boolean;
}

@Entity("teams")
export class Team {
  @Column()
  email: string;
}
TS
cat >r/src/invoice.js <<'JS'
const Invoice = sequelize.define('invoices', {
  billingEmail: { type: DataTypes.STRING, field: 'billing_email' },
  /* billing_email in a comment */
});
const Other = sequelize.define('teams', {
  billing_email: DataTypes.STRING,
});
JS
commit_all r "app"
xref_migrate 'ALTER TABLE users DROP COLUMN email;
ALTER TABLE invoices DROP COLUMN billing_email;'
xref_check
expect_ref "@Column({ name: \"email\" }) in the users entity" "src/user.entity.ts:6:2"
expect_ref "field: 'billing_email' in define('invoices')" "src/invoice.js:2:2"
expect_no_ref "emailVerified" "src/user.entity.ts:10:"
expect_no_ref "Team.email is teams'" "src/user.entity.ts:16:"
expect_no_ref "a comment" "src/user.entity.ts:3:"
expect_no_ref "a block comment" "src/invoice.js:3:"
expect_no_ref "define('teams') is another table" "src/invoice.js:6:"
expect_eq "verdict users.email" "$(xref_verdict users.email)" "drop column no BLOCKER"
expect_eq "verdict invoices.billing_email" "$(xref_verdict invoices.billing_email)" "drop column no BLOCKER"
finish
