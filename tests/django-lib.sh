# tests/django-lib.sh - a small Django project for the Django tests
# (t-django.sh, t-django-history.sh), sourced after tests/lib.sh.
#
#   django_skip            exits the test (SKIP) without python3-django,
#                          psycopg2 or the test server sqlmigrate reads
#   django_project DIR     a repository DIR (the current directory after):
#                          manage.py, proj/settings.py on the test server,
#                          app shop whose 0001_initial creates Author
#                          (id, name varchar(100)); not committed (feature_branch)
#
# manage.py appends its arguments to $SQLMIGRATE_LOG when that is set.

django_skip() {
	if ! /usr/bin/python3 -c 'import django, psycopg2' 2>/dev/null; then
		echo "1..0 # SKIP python3-django or python3-psycopg2 is not installed (./dev test installs them)"
		exit 0
	fi
	if [ -z "${SLUICE_TEST_PG_HOST:-}" ]; then
		echo "1..0 # SKIP no test server (sqlmigrate reads the database's migration table)"
		exit 0
	fi
}

django_project() {
new_repo "$1"
cd "$1" || exit 1
mkdir -p proj shop/migrations
cat >manage.py <<'PY'
import os, sys
if os.environ.get("SQLMIGRATE_LOG"):
    with open(os.environ["SQLMIGRATE_LOG"], "a") as log:
        log.write(" ".join(sys.argv[1:]) + "\n")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
PY
: >proj/__init__.py
cat >proj/settings.py <<'PY'
import os
SECRET_KEY = "test"
INSTALLED_APPS = ["shop"]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql",
    "HOST": os.environ["SLUICE_TEST_PG_HOST"], "PORT": os.environ["SLUICE_TEST_PG_PORT"],
    "USER": "postgres", "NAME": "postgres",
}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
PY
: >shop/__init__.py
: >shop/migrations/__init__.py
cat >shop/migrations/0001_initial.py <<'PY'
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Author",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=100)),
            ],
        ),
    ]
PY
}
