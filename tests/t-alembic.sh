#!/bin/sh
# t-alembic.sh - Alembic revisions, judged from the SQL Alembic's offline
# mode prints (`alembic upgrade <prev>:<rev> --sql`, Debian's
# python3-alembic; offline needs no database): in the revision chain's
# order, each statement at its op.* call, downs from `alembic downgrade
# <rev>:<prev> --sql`, an autocommit_block() outside the transaction.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/discover-lib.sh"

if ! /usr/bin/python3 -c 'import alembic' 2>/dev/null; then
	echo "1..0 # SKIP python3-alembic is not installed (./dev test installs it)"
	exit 0
fi

new_repo al
cd al
/usr/bin/python3 -m alembic init alembic >/dev/null 2>&1
sed -i 's|^sqlalchemy.url = .*|sqlalchemy.url = postgresql://app@db.invalid/app|' alembic.ini
rev() { # FILE REVISION DOWN_REVISION: the header alembic revision writes
	cat >"alembic/versions/$1" <<PY
"""$1

Revision ID: $2
Revises: $3
"""
from alembic import op
import sqlalchemy as sa

revision = "$2"
down_revision = ${3:+\"}${3:-None}${3:+\"}
branch_labels = None
depends_on = None
PY
}
rev 1975ea83b712_create_account.py 1975ea83b712 ""
cat >>alembic/versions/1975ea83b712_create_account.py <<'PY'


def upgrade():
    op.create_table(
        "account",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )


def downgrade():
    op.drop_table("account")
PY
feature_branch .
# The README's example ("Using sluice with Alembic") is this revision.
rev 0aa1_email.py ae1027a6acf 1975ea83b712
cat >>alembic/versions/0aa1_email.py <<'PY'


def upgrade():
    op.add_column("account", sa.Column("email", sa.String(200)))
    op.create_index("ix_account_email", "account", ["email"])


def downgrade():
    op.drop_index("ix_account_email", table_name="account")
    op.drop_column("account", "email")
PY
rev 00ff_name_idx.py 27c6a30d7c24 ae1027a6acf
cat >>alembic/versions/00ff_name_idx.py <<'PY'


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_account_name", "account", ["name"], postgresql_concurrently=True
        )


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_account_name", postgresql_concurrently=True)
PY
commit_all . "two revisions"
git config sluice.alembic.command "/usr/bin/python3 -m alembic"

json=$("$SLUICE" check --format json 2>"$T/err")
files() { echo "$json" | report_rows files '{path} {framework} {direction} {txn}'; }
stmts() { # PATH DIRECTION: line:first words of each statement
	echo "$json" | report_rows statements '{line}:{head}' path="$1" direction="$2" --join ' '
}
findings() { # RULE: path:line|severity
	echo "$json" | report_rows findings '{path}:{line}|{severity}' rule="$1" level=statement
}
expect_eq "in the chain's order (not the file names'), each in Alembic's transaction" "$(files)" \
"alembic/versions/0aa1_email.py alembic up txn
alembic/versions/0aa1_email.py alembic down txn
alembic/versions/00ff_name_idx.py alembic up notxn
alembic/versions/00ff_name_idx.py alembic down notxn"
expect_eq "each statement at its op call; alembic_version's bookkeeping left out" \
	"$(stmts alembic/versions/0aa1_email.py up)" \
	"16:ALTER_TABLE_account 17:CREATE_INDEX_ix_account_email"
expect_eq "the down, from alembic downgrade --sql" \
	"$(stmts alembic/versions/0aa1_email.py down)" \
	"21:DROP_INDEX_ix_account_email 22:ALTER_TABLE_account"
expect_eq "the blocking index build is HIGH, at its line" "$(findings create-index-nonconcurrent)" \
	"alembic/versions/0aa1_email.py:17|HIGH"
expect_eq "autocommit_block: COMMIT, the concurrent build, BEGIN, as Alembic sends them" \
	"$(stmts alembic/versions/00ff_name_idx.py up)" \
	"17:BEGIN 17:COMMIT 17:CREATE_INDEX_CONCURRENTLY 17:BEGIN 17:COMMIT"
expect_eq "... so CONCURRENTLY is outside any transaction: no finding" \
	"$(findings concurrently-in-transaction)" ""

# A revision whose upgrade fails in Alembic: that one NOT JUDGED, named, the rest judged.
rev 00ee_unwritten.py 5f0c0c0c0c0c 27c6a30d7c24
printf '\n\ndef upgrade():\n    raise NotImplementedError("write me")\n' >>alembic/versions/00ee_unwritten.py
"$SLUICE" check --fail-on BLOCKER >"$T/out" 2>"$T/err"
expect_eq "a revision alembic fails on: exit 2" "$?" 2
expect_contains "... named, with alembic's reason" "$(cat "$T/err")" \
	"alembic/versions/00ee_unwritten.py: '/usr/bin/python3 -m alembic upgrade 27c6a30d7c24:5f0c0c0c0c0c --sql' exited with status 1: NotImplementedError: write me; not judged"
expect_contains "... and the others are still judged" "$(cat "$T/out")" \
	"alembic/versions/0aa1_email.py:17: HIGH [create-index-nonconcurrent]"
rm alembic/versions/00ee_unwritten.py

# An ignore comment in the revision, above the call, as in a SQL file.
sed -i 's|^    op.create_index("ix_account_email"|    # sluice:ignore create-index-nonconcurrent -- account has 40 rows\n&|' \
	alembic/versions/0aa1_email.py
expect_eq "a '# sluice:ignore' above the op.* call ignores its statement, with the reason" \
	"$("$SLUICE" check --format json 2>/dev/null |
		report_rows findings '{path} {line} {ignore_reason}' rule=create-index-nonconcurrent \
			level=statement)" \
	"alembic/versions/0aa1_email.py 18 account has 40 rows"
git checkout -q alembic/versions/0aa1_email.py

git config sluice.alembic.command "/nonexistent/alembic"
expect_exit "no alembic: NOT JUDGED" 2 "$SLUICE" check
expect_contains "... naming each migration" "$(cat "$T/.err")" \
	"alembic/versions/00ff_name_idx.py: cannot run '/nonexistent/alembic': No such file or directory"
expect_contains "... and how to set the command" "$(cat "$T/.err")" \
	"git config sluice.alembic.command"
finish
