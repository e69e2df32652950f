#!/bin/sh
# t-django-history.sh - the history's Django migrations get their SQL too
# (sqlmigrate, when sluice.django.command allows it), so the schema model
# knows the tables they made: a branch's AlterField that widens a varchar
# created by an earlier migration is known not to rewrite the table. The
# SQL is asked for once and kept (core/discover/sqlgen_cache.c): a second
# check runs the tool for the pending migration only.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"
. "$SLUICE_SRC/tests/django-lib.sh"

django_skip
django_project dj
feature_branch .
cat >shop/migrations/0002_longer_name.py <<'PY'
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AlterField(
            model_name="author",
            name="name",
            field=models.CharField(max_length=200),
        ),
    ]
PY
commit_all . "a longer name"
export SQLMIGRATE_LOG="$T/sqlmigrate.log"

# Without the command, nothing runs: the history has no SQL, so the old type is unknown.
git config sluice.django.command ""
"$SLUICE" check >/dev/null 2>&1
check "nothing runs with the command set to nothing" test ! -e "$SQLMIGRATE_LOG"

git config sluice.django.command "/usr/bin/python3 manage.py"
"$SLUICE" check --format json >"$T/out.json" 2>"$T/err"
expect_eq "the AlterField is judged, at its operation's line" \
	"$(report_rows statements '{line}: {head}' direction=up <"$T/out.json")" \
	'7: ALTER_TABLE_"shop_author"'
expect_eq "varchar(100) to varchar(200), known from the history's CreateModel: no rewrite finding" \
	"$(report_rows findings '{line}|{severity}' rule=alter-column-type <"$T/out.json")" ""
expect_eq "sqlmigrate ran for the history's migration and the pending one (up, down)" \
	"$(sort "$SQLMIGRATE_LOG")" \
"sqlmigrate shop 0001_initial
sqlmigrate shop 0002_longer_name
sqlmigrate shop 0002_longer_name --backwards"

# The history's SQL is kept: the second check asks for the pending migration's only.
: >"$SQLMIGRATE_LOG"
"$SLUICE" check --format json >"$T/again.json" 2>/dev/null
expect_eq "a second check runs sqlmigrate for the pending migration only" \
	"$(sort "$SQLMIGRATE_LOG")" \
"sqlmigrate shop 0002_longer_name
sqlmigrate shop 0002_longer_name --backwards"
expect_eq "... and judges the same" "$(report_rows findings '{line}|{rule}' <"$T/again.json")" \
	"$(report_rows findings '{line}|{rule}' <"$T/out.json")"

# The base's history edited (and merged): a new key, asked for again.
git checkout -q main
sed -i 's/initial = True/initial = True  # edited/' shop/migrations/0001_initial.py
commit_all . "edit the history"
git checkout -q feature
git merge -q --no-edit main
: >"$SQLMIGRATE_LOG"
"$SLUICE" check >/dev/null 2>&1
expect_eq "an edited history migration is asked for again" "$(grep -c 'sqlmigrate shop 0001_initial' "$SQLMIGRATE_LOG")" 1
finish
