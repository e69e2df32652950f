#!/bin/sh
# The cross-check on Django models: field names, db_column, db_table, the
# app_model default table name, and lookups like email__iexact.
. "$SLUICE_SRC/tests/xref-lib.sh"

xref_repo 'CREATE TABLE shop_customer (id bigint PRIMARY KEY, email text, email_verified bool);
CREATE TABLE vendors (id bigint PRIMARY KEY, email text, mail text);'
mkdir -p r/shop
cat >r/shop/models.py <<'PY'
from django.db import models


class Customer(models.Model):
    email = models.EmailField()  # the email column
    email_verified = models.BooleanField()


class Vendor(models.Model):
    email = models.EmailField()
    contact = models.CharField(db_column='mail', max_length=200)

    class Meta:
        db_table = 'vendors'
PY
cat >r/shop/views.py <<'PY'
from .models import Customer, Vendor

# look customers up by email
def find(q):
    Vendor.objects.filter(email=q)
    return Customer.objects.filter(email__iexact=q)
PY
commit_all r "app"
xref_migrate 'ALTER TABLE shop_customer DROP COLUMN email;
ALTER TABLE vendors RENAME COLUMN mail TO contact_mail;'
xref_check
expect_ref "the model field (app_model default table)" "shop/models.py:5:2"
expect_ref "a lookup email__iexact on Customer" "shop/views.py:6:2"
expect_ref "db_column='mail' in the Vendor model (db_table vendors)" "shop/models.py:11:2"
expect_no_ref "email_verified" "shop/models.py:6:"
expect_no_ref "Vendor.email is another table's" "shop/models.py:10:"
expect_no_ref "Vendor.objects.filter(email=)" "shop/views.py:5:"
expect_no_ref "a comment" "shop/views.py:3:"
expect_eq "verdict of the drop" "$(xref_verdict shop_customer.email)" "drop column no BLOCKER"
expect_eq "verdict of the rename" "$(xref_verdict vendors.mail)" "rename column no BLOCKER"
expect_contains "file:line in the finding" "$(xref_findings app-references-dropped)" "shop/models.py:5, shop/views.py:6"
finish
