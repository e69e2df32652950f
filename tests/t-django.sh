#!/bin/sh
# t-django.sh - Django migrations, judged from the SQL the project's own
# `manage.py sqlmigrate` prints (Debian's python3-django, against the test
# server): as Django runs them (atomic unless atomic = False), findings at
# the line of the operation in the migration file. The command is the
# user's setting, never the repository's .sluice.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"
. "$SLUICE_SRC/tests/django-lib.sh"

django_skip
django_project dj
feature_branch .
# The README's example ("Using sluice with Django") is this migration.
cat >shop/migrations/0002_author_email.py <<'PY'
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField(
            model_name="author",
            name="email",
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AddIndex(
            model_name="author",
            index=models.Index(fields=["email"], name="author_email_idx"),
        ),
    ]
PY
cat >shop/migrations/0003_author_name_concurrently.py <<'PY'
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0002_author_email")]
    operations = [
        AddIndexConcurrently(
            "author", models.Index(fields=["name"], name="author_name_idx")
        ),
    ]
PY
commit_all . "email, and an index built concurrently"
git config sluice.django.command "/usr/bin/python3 manage.py"

json=$("$SLUICE" check --format json 2>"$T/err")
files() { echo "$json" | report_rows files '{path} {framework} {direction} {txn}'; }
lines() { # PATH DIRECTION: the statements' lines
	echo "$json" | report_rows files '{lines}' path="$1" direction="$2"
}
findings() { # RULE: path:line|severity|message
	echo "$json" | report_rows findings '{path}:{line}|{severity}|{message}' rule="$1" level=statement
}
expect_eq "each pending migration, atomic unless atomic = False" "$(files)" \
"shop/migrations/0002_author_email.py django up txn
shop/migrations/0002_author_email.py django down txn
shop/migrations/0003_author_name_concurrently.py django up notxn
shop/migrations/0003_author_name_concurrently.py django down notxn"
expect_eq "statements at the lines of their operations (AddField 7, AddIndex 12)" \
	"$(lines shop/migrations/0002_author_email.py up)" "7 12"
expect_contains "the AddIndex is a blocking index build, at its line" \
	"$(findings create-index-nonconcurrent)" \
	"shop/migrations/0002_author_email.py:12|HIGH|CREATE INDEX author_email_idx on 'shop_author' holds SHARE"
expect_eq "the statement is the SQL Django sends" \
	"$(echo "$json" | report_rows statements '{sql}' direction=up line=12)" \
	'CREATE INDEX "author_email_idx" ON "shop_author" ("email")'
expect_eq "CONCURRENTLY with atomic = False: no transaction finding" \
	"$(findings concurrently-in-transaction)" ""
expect_eq "the down is sqlmigrate --backwards, each statement at its operation" \
	"$(lines shop/migrations/0002_author_email.py down)" "12 7"

# The same concurrent index in an atomic migration: Django refuses it when
# it runs; sqlmigrate says so, and the migration is not judged, by name.
cat >shop/migrations/0004_atomic_concurrently.py <<'PY'
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_author_name_concurrently")]
    operations = [
        AddIndexConcurrently("author", models.Index(fields=["id", "name"], name="a_idx")),
    ]
PY
"$SLUICE" check --fail-on BLOCKER >"$T/out" 2>"$T/err"
expect_eq "a migration sqlmigrate refuses is NOT JUDGED (exit 2)" "$?" 2
expect_contains "... named, with Django's reason" "$(cat "$T/err")" \
	"shop/migrations/0004_atomic_concurrently.py: '/usr/bin/python3 manage.py sqlmigrate shop 0004_atomic_concurrently' exited with status 1: django.db.utils.NotSupportedError: The AddIndexConcurrently operation cannot be executed inside a transaction"
expect_contains "... and the others are still judged" "$(cat "$T/out")" \
	"shop/migrations/0002_author_email.py:12: HIGH [create-index-nonconcurrent]"
rm shop/migrations/0004_atomic_concurrently.py

# No Python where the setting says: one clear message per migration, not judged.
git config sluice.django.command "/nonexistent/python3 manage.py"
expect_exit "the tool missing: NOT JUDGED" 2 "$SLUICE" check
expect_contains "... naming the migration and the program" "$(cat "$T/.err")" \
	"shop/migrations/0002_author_email.py: cannot run '/nonexistent/python3': No such file or directory"
expect_eq "... and how to set the command, once" "$(grep -c "git config sluice.django.command" "$T/.err")" 1

# Set to nothing, no project code runs: the migrations are NOT JUDGED, saying so.
git config sluice.django.command ""
expect_exit "the command set to nothing: NOT JUDGED" 2 "$SLUICE" check
expect_contains "... and nothing was run" "$(cat "$T/.err")" \
	"shop/migrations/0002_author_email.py: not run: its command is set to nothing in git config; not judged"

# The command is the user's: a .sluice that sets it is warned about and ignored.
git config --unset sluice.django.command
printf '[sluice "django"]\n\tcommand = /bin/sh -c "touch %s/pwned"\n' "$T" >.sluice
"$SLUICE" check >/dev/null 2>"$T/err"
expect_contains "a .sluice setting the command gets a warning naming the key" "$(cat "$T/err")" \
	"'sluice.django.command' is ignored"
check "... and it is not run" test ! -e "$T/pwned"
expect_contains "... nor any other: unset, the project's code never runs" "$(cat "$T/err")" \
	"only when you allow it (git config sluice.django.command 'python manage.py')"
finish
