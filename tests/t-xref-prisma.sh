#!/bin/sh
# The cross-check on Prisma: schema.prisma models with @map/@@map, and the
# Prisma client in TypeScript; a NOT NULL column INSERTs do not set.
. "$SLUICE_SRC/tests/xref-lib.sh"

xref_repo 'CREATE TABLE users (id bigint PRIMARY KEY, email text, email_verified bool);
CREATE TABLE "Post" (id bigint PRIMARY KEY, email text, title text);'
mkdir -p r/prisma r/src
cat >r/prisma/schema.prisma <<'PR'
// email is the login
model User {
  id            Int     @id
  mail          String  @map("email")
  emailVerified Boolean @map("email_verified")
  @@map("users")
}

model Post {
  id    Int    @id
  email String
  title String
}
PR
cat >r/src/users.ts <<'TS'
// find by email
export const byMail = (q: string) => prisma.user.findFirst({ where: { email: q } });
export const posts = (q: string) => prisma.post.findMany({ where: { email: q } });
export const add = () => db.query("INSERT INTO users (id, email) VALUES ($1, $2)");
TS
commit_all r "app"
xref_migrate 'ALTER TABLE users DROP COLUMN email;
ALTER TABLE "Post" ADD COLUMN author_id bigint NOT NULL;'
xref_check
expect_ref "@map(\"email\") in the users model" "prisma/schema.prisma:4:2"
expect_ref "prisma.user ... email" "src/users.ts:2:2"
expect_ref "raw SQL through the client" "src/users.ts:4:3"
expect_no_ref "@map(\"email_verified\")" "prisma/schema.prisma:5:"
expect_no_ref "Post.email is another table's" "prisma/schema.prisma:11:"
expect_no_ref "prisma.post ... email" "src/users.ts:3:"
expect_no_ref "a comment" "src/users.ts:1:"
expect_eq "verdict" "$(xref_verdict users.email)" "drop column no BLOCKER"
expect_eq "the quoted \"Post\" model lacks author_id" "$(xref_verdict Post.author_id)" "add not null column no HIGH"
expect_contains "the model is listed" "$(xref_findings app-insert-missing-column)" "prisma/schema.prisma:9"
finish
