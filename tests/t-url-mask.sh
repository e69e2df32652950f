#!/bin/sh
# t-url-mask.sh - a password in a connection string libpq cannot parse is
# never printed: libpq quotes such a string in its error message, so sluice
# masks it by its text first. Every command that takes a database (--db,
# DATABASE_URL, sluice.db.url, --shadow) and every form (URI, key=value).
. "$SLUICE_SRC/tests/lib.sh"

new_repo r
mkdir -p r/migrations
echo 'CREATE TABLE a (id int);' >r/migrations/1_a.sql
commit_all r history
git -C r checkout -q -b feature
echo 'CREATE INDEX a_id ON a (id);' >r/migrations/2_idx.sql
commit_all r work
cd r

PW=S3cr3tPw9
# URL | what the message must still say
cases="postgresql://app:$PW@[::1/appdb|matching \"]\"
postgresql://app:${PW}%zz@localhost/appdb|cannot be read
postgres://app:$PW@localhost/appdb?foo=bar|invalid URI query parameter
postgresql://app@localhost/appdb?password=$PW&foo=bar|invalid URI query parameter
postgresql://app:$PW@localhost:99999/appdb|invalid port number
host=localhost password=$PW foo=bar|invalid connection option \"foo\"
host=localhost password='$PW dbname=x|cannot be read
host=localhost password = $PW port=notaport|invalid integer value
app:$PW@localhost/appdb|missing \"=\""
printf '%s\n' "$cases" | while IFS='|' read -r url why; do
	for how in check drift verify draft env config; do
		case $how in
		check) out=$("$SLUICE" check --db "$url" 2>&1) ;;
		drift) out=$("$SLUICE" drift --db "$url" 2>&1) ;;
		verify) out=$("$SLUICE" verify --shadow "$url" 2>&1) ;;
		draft) out=$("$SLUICE" draft --shadow "$url" migrations/2_idx.sql 2>&1) ;;
		env) out=$(DATABASE_URL=$url "$SLUICE" drift 2>&1) ;;
		config) git config sluice.db.url "$url"
			out=$("$SLUICE" check 2>&1)
			git config --unset sluice.db.url ;;
		esac
		expect_not_contains "$how '$url': the password is not printed" "$out" "$PW"
		expect_contains "$how '$url': ... the reason is" "$out" "$why"
	done
done
finish
