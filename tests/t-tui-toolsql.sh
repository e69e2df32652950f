#!/bin/sh
# t-tui-toolsql.sh - the workbench on SQL a tool printed (Alembic's offline
# mode, no database needed): the SQL pane numbers the SQL with the lines of
# the migration file it came from, as for a Rails translation, so that its
# statements (whose lines are the file's) are marked and opened at their
# rows, and the editor opens the .py at the operation's line.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

if ! /usr/bin/python3 -c 'import alembic' 2>/dev/null; then
	echo "1..0 # SKIP python3-alembic is not installed (./dev test installs it)"
	exit 0
fi
export TERM=xterm-256color LC_ALL=C.UTF-8
unset NO_COLOR

new_repo al
cd al
/usr/bin/python3 -m alembic init alembic >/dev/null 2>&1
sed -i 's|^sqlalchemy.url = .*|sqlalchemy.url = postgresql://app@db.invalid/app|' alembic.ini
cat >alembic/versions/1975_account.py <<'PY'
"""account

Revision ID: 1975ea83b712
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "1975ea83b712"
down_revision = None


def upgrade():
    op.create_table("account", sa.Column("id", sa.BigInteger, primary_key=True))


def downgrade():
    op.drop_table("account")
PY
feature_branch .
cat >alembic/versions/0aa1_email.py <<'PY'
"""email

Revision ID: ae1027a6acf
Revises: 1975ea83b712
"""
from alembic import op
import sqlalchemy as sa

revision = "ae1027a6acf"
down_revision = "1975ea83b712"


def upgrade():
    op.add_column("account", sa.Column("email", sa.String(200)))
    op.create_index("ix_account_email", "account", ["email"])


def downgrade():
    op.drop_index("ix_account_email", table_name="account")
    op.drop_column("account", "email")
PY
commit_all . "email"
git config sluice.alembic.command "/usr/bin/python3 -m alembic"

# The editor is a script that writes the line it was asked to open.
printf '#!/bin/sh\necho "$@" >%s/edited\n' "$T" >"$T/editor"
chmod +x "$T/editor"
cat >"$T/sql.keys" <<KEYS
<Enter>
:save-screen $T/sql-screen.txt
e
KEYS
COLUMNS=120 LINES=30 SLUICE_SCRIPT="$T/sql.keys" EDITOR="$T/editor" "$SLUICE" >"$T/out" 2>"$T/err"
expect_eq "the scripted workbench exits 0" "$?" 0
screen=$(cat "$T/sql-screen.txt")
expect_contains "the ALTER TABLE is numbered with op.add_column's line, marked MEDIUM" "$screen" \
	"14 M ALTER TABLE account ADD COLUMN email VARCHAR(200);"
expect_contains "the CREATE INDEX with op.create_index's line, marked HIGH" "$screen" \
	"15 H CREATE INDEX ix_account_email ON account (email);"
expect_contains "Enter opens the worst statement, at the .py's lines" "$screen" \
	"Statement 2 of 2, lines 15-15"
expect_contains "... with its verdict" "$screen" "HIGH create-index-nonconcurrent"
expect_contains "e opens the migration file at the statement's line" "$(cat "$T/edited" 2>/dev/null)" \
	"+15 $T/al/alembic/versions/0aa1_email.py"
finish
