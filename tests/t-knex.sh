#!/bin/sh
# t-knex.sh - knex migrations, judged from the SQL knex itself builds: knex
# and pg from the npm registry (installed once under the build directory),
# the migration's up and down run by sluice's runner against a recording
# connection, exports.config = { transaction: false } honoured. Without
# knex (or node): said once, those migrations NOT JUDGED by name, the rest
# judged.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

cache="$SLUICE_BUILD/test-cache/npm-knex"
if [ ! -d "$cache/node_modules/knex" ] || [ ! -d "$cache/node_modules/pg" ]; then
	mkdir -p "$cache"
	if ! command -v npm >/dev/null 2>&1 ||
	   ! (cd "$cache" && timeout 300 npm install --no-audit --no-fund --silent knex pg) \
		>"$T/npm.log" 2>&1; then
		echo "ok 1 # SKIP npm registry unreachable: $(tail -n 1 "$T/npm.log" 2>/dev/null)"
		echo "1..1"
		exit 0
	fi
fi

new_repo kx
cd kx
mkdir -p migrations db/migrations
echo 'node_modules' >.gitignore
echo '{ "name": "app", "private": true }' >package.json
cat >migrations/20240101000000_create_users.js <<'JS'
exports.up = function (knex) {
  return knex.schema.createTable("users", (t) => {
    t.bigIncrements("id");
    t.string("email");
    t.string("name");
  });
};
exports.down = (knex) => knex.schema.dropTable("users");
JS
echo 'CREATE TABLE audit (id bigint PRIMARY KEY);' >db/migrations/001_audit.sql
feature_branch .
# The README's example ("Using sluice with knex") is this migration.
cat >migrations/20240201000000_users_email.js <<'JS'
exports.up = async function (knex) {
  await knex.schema.alterTable("users", (t) => {
    t.index(["email"], "users_email_idx");
  });
};

exports.down = async function (knex) {
  await knex.schema.alterTable("users", (t) => {
    t.dropIndex(["email"], "users_email_idx");
  });
};
JS
cat >migrations/20240202000000_users_name.js <<'JS'
exports.config = { transaction: false };

exports.up = (knex) =>
  knex.raw('CREATE INDEX CONCURRENTLY "users_name_idx" ON "users" ("name")');

exports.down = (knex) => knex.raw('DROP INDEX CONCURRENTLY "users_name_idx"');
JS
cat >migrations/20240203000000_users_lower_email.js <<'JS'
exports.up = (knex) =>
  knex.raw("CREATE INDEX CONCURRENTLY users_lower_email ON users (lower(email))");

exports.down = (knex) => knex.raw("DROP INDEX users_lower_email");
JS
echo 'ALTER TABLE audit ADD COLUMN at timestamptz;' >db/migrations/002_audit_at.sql
commit_all . "knex migrations"
ln -s "$cache/node_modules" node_modules

# Not allowed yet: the migrations are the repository's own code, so nothing runs.
"$SLUICE" check >/dev/null 2>"$T/err"
expect_contains "sluice.knex.node unset: the project's code is not run, saying how to allow it" \
	"$(cat "$T/err")" "only when you allow it (git config sluice.knex.node 'node')"
git config sluice.knex.node node

json=$("$SLUICE" check --format json 2>"$T/err")
files() { echo "$json" | report_rows files '{path} {framework} {direction} {txn}'; }
stmts() { # PATH DIRECTION: line:sql of each statement
	echo "$json" | report_rows statements '{line}:{sql}' path="$1" direction="$2"
}
findings() { # RULE: path:line|severity
	echo "$json" | report_rows findings '{path}:{line}|{severity}' rule="$1" level=statement
}
expect_eq "each pending knex migration, in a transaction unless its config says not" "$(files)" \
"db/migrations/002_audit_at.sql plain up notxn
migrations/20240201000000_users_email.js knex up txn
migrations/20240201000000_users_email.js knex down txn
migrations/20240202000000_users_name.js knex up notxn
migrations/20240202000000_users_name.js knex down notxn
migrations/20240203000000_users_lower_email.js knex up txn
migrations/20240203000000_users_lower_email.js knex down txn"
expect_eq "the SQL knex builds, at the line of the call" \
	"$(stmts migrations/20240201000000_users_email.js up)" \
	'3:create index "users_email_idx" on "users" ("email")'
expect_eq "... and for the down" "$(stmts migrations/20240201000000_users_email.js down)" \
	'9:drop index "users_email_idx"'
expect_eq "the index built inside knex's transaction blocks writes" \
	"$(findings create-index-nonconcurrent)" "migrations/20240201000000_users_email.js:3|HIGH"
expect_eq "CONCURRENTLY with transaction: false passes; without, it cannot run" \
	"$(findings concurrently-in-transaction)" "migrations/20240203000000_users_lower_email.js:2|HIGH"
echo "$json" >"$T/with-knex.json"

# No knex in the project: said once, each knex migration NOT JUDGED, the SQL ones judged.
rm node_modules
"$SLUICE" check --format json --fail-on BLOCKER >"$T/out" 2>"$T/err"
expect_eq "without knex: exit 2" "$?" 2
expect_contains "... the first knex migration names the reason" "$(cat "$T/err")" \
	"migrations/20240201000000_users_email.js: 'node <sluice's knex runner> migrations/20240201000000_users_email.js up' exited with status 3: knex is not installed in $PWD (npm install knex pg there); not judged"
expect_eq "... said once" "$(grep -c 'knex is not installed' "$T/err")" 1
expect_contains "... the others are named too" "$(cat "$T/err")" \
	"migrations/20240203000000_users_lower_email.js: no knex to run knex migrations, as above; not judged"
expect_eq "... and the rest is judged" "$(report_rows summary '{verdict}: {paths}' <"$T/out")" \
	"NOT JUDGED: db/migrations/002_audit_at.sql"

# No node at all.
ln -s "$cache/node_modules" node_modules
git config sluice.knex.node /nonexistent/node
"$SLUICE" check >/dev/null 2>"$T/err"
expect_contains "without node: named, and how to set it" "$(cat "$T/err")" \
	"migrations/20240201000000_users_email.js: cannot run '/nonexistent/node': No such file or directory (knex migrations need node"
finish
