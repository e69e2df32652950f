#!/bin/sh
# t-down-missing-repo.sh - down-missing only where the framework runs downs
# AND the repository writes them (most migrations of the directory have
# one): never on up-only repositories, never on up-only tools.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

# golang-migrate, every migration with its down: a new up without one is flagged
mkdir -p with/db
for n in 1 2 3; do
	echo "CREATE TABLE t$n (id bigint PRIMARY KEY);" >with/db/00000${n}_t$n.up.sql
	echo "DROP TABLE t$n;" >with/db/00000${n}_t$n.down.sql
done
echo 'CREATE TABLE t4 (id bigint PRIMARY KEY);' >with/db/000004_t4.up.sql
expect_eq "downs used (3 of 4): the up without one is flagged" \
	"$(rule_findings down-missing with/db | cut -d'|' -f1,2)" "with/db/000004_t4.up.sql|MEDIUM"

# the same tool, a repository that never writes downs: nothing
mkdir -p without/db
for n in 1 2 3 4; do
	echo "CREATE TABLE t$n (id bigint PRIMARY KEY);" >without/db/00000${n}_t$n.up.sql
done
echo 'DROP TABLE t1;' >without/db/000001_t1.down.sql
expect_eq "downs not used (1 of 4): no down-missing" "$(rule_findings down-missing without/db)" ""

# half and half is not "most"
rm without/db/00000[34]_t*.up.sql
expect_eq "1 of 2: still not most" "$(rule_findings down-missing without/db)" ""

# one up-only file named alone
expect_eq "a lone up file: no down-missing" \
	"$(rule_findings down-missing with/db/000004_t4.up.sql)" ""

# directories count on their own
mkdir -p both/a both/b
cp with/db/* both/a/
echo 'CREATE TABLE x (id bigint PRIMARY KEY);' >both/b/000001_x.up.sql
echo 'CREATE TABLE y (id bigint PRIMARY KEY);' >both/b/000002_y.up.sql
expect_eq "two directories: only the one that writes downs is asked for one" \
	"$(rule_findings down-missing both | cut -d'|' -f1)" "both/a/000004_t4.up.sql"

# an up-only tool (Prisma) is never asked for a down, whatever the directory
mkdir -p prisma/migrations/20240101000000_init
echo 'CREATE TABLE "User" (id serial PRIMARY KEY);' >prisma/migrations/20240101000000_init/migration.sql
expect_eq "prisma: no down-missing" "$(rule_findings down-missing prisma)" ""

# in a repository, the history decides: a branch adding ups without downs
# does not make downs look unused
new_repo g
mkdir -p g/db/migrations
echo 'CREATE TABLE a (id bigint PRIMARY KEY);' >g/db/migrations/000001_a.up.sql
echo 'DROP TABLE a;' >g/db/migrations/000001_a.down.sql
commit_all g history
git -C g checkout -q -b feature
for n in 2 3 4; do echo "CREATE TABLE t$n (id bigint PRIMARY KEY);" >g/db/migrations/00000${n}_t$n.up.sql; done
commit_all g work
expect_eq "history with downs (1 of 1), three new ups without: each flagged" \
	"$(cd g && rule_findings down-missing | cut -d'|' -f1 | tr '\n' ' ')" \
	"db/migrations/000002_t2.up.sql db/migrations/000003_t3.up.sql db/migrations/000004_t4.up.sql "
finish
