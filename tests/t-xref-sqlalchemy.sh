#!/bin/sh
# The cross-check on SQLAlchemy: __tablename__, Column('name'),
# mapped_column, attribute access through the model.
. "$SLUICE_SRC/tests/xref-lib.sh"

xref_repo 'CREATE TABLE users (id bigint PRIMARY KEY, email text, email_verified bool);
CREATE TABLE orders (id bigint PRIMARY KEY, email text);'
mkdir -p r/app
cat >r/app/models.py <<'PY'
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy import Column, String


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    address = Column("email", String)
    email_verified: Mapped[bool]


class Order(Base):
    __tablename__ = "orders"
    email: Mapped[str]
PY
cat >r/app/queries.py <<'PY'
from .models import User, Order

def by_mail(session, q):
    a = session.query(User).filter(User.email == q)  # email via the model
    b = session.query(Order).filter(Order.email == q)
    return a, b
PY
commit_all r "app"
xref_migrate 'ALTER TABLE users DROP COLUMN email;'
xref_check
expect_ref "Column(\"email\") in the users model" "app/models.py:12:2"
expect_ref "User.email" "app/queries.py:4:2"
expect_no_ref "email_verified" "app/models.py:13:"
expect_no_ref "Order.email is orders'" "app/models.py:18:"
expect_no_ref "Order.email in a query" "app/queries.py:5:"
expect_eq "verdict" "$(xref_verdict users.email)" "drop column no BLOCKER"
expect_contains "file:line in JSON" "$(xref_findings app-references-dropped)" "app/models.py:12, app/queries.py:4"
finish
