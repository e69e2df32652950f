#!/bin/sh
# t-lazy-libs.sh - libpq and libcurl are opened when first used, not at start.
#
# Linked, they and what they pull in (OpenSSL, GnuTLS, LDAP, Kerberos) were
# two thirds of every sluice process's start (core/dynlib.h). The program
# must not name them among its libraries, a `sluice check` must not load
# them, a check against a database must (and then judge as before), and a
# libpq that cannot be loaded must end with a message naming it and the
# package to install, exit 2, not a crash.
. "$SLUICE_SRC/tests/lib.sh"

mkdir m
printf 'CREATE TABLE t (id int PRIMARY KEY);\n' >m/000001_t.up.sql
printf 'CREATE INDEX t_id ON t (id);\n' >m/000002_i.up.sql

libs=$(ldd "$SLUICE" 2>&1)
check "sluice is not linked with libpq" sh -c "! echo \"\$1\" | grep -q 'libpq\\.so'" - "$libs"
check "sluice is not linked with libcurl" sh -c "! echo \"\$1\" | grep -q 'libcurl\\.so'" - "$libs"

LD_DEBUG=files "$SLUICE" check --format json m >check.json 2>loaded.txt
check "sluice check judges (exit 1: the index takes a lock)" test $? = 1
check "sluice check loads no libpq" sh -c "! grep -q 'file=libpq\\.so' loaded.txt"
check "sluice check loads no libcurl" sh -c "! grep -q 'file=libcurl\\.so' loaded.txt"

# A database that is not there: libpq is loaded, fails to connect, check
# warns and judges statically, the same findings.
LD_DEBUG=files "$SLUICE" check --format json --db "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2" m \
	>db.json 2>db.txt
check "with --db, libpq is loaded" grep -q 'file=libpq\.so' db.txt
expect_eq "with --db unreachable, the same statements judged" \
	"$(json_get '[s["severity"] for f in d["files"] for s in f["statements"]]' <db.json)" \
	"$(json_get '[s["severity"] for f in d["files"] for s in f["statements"]]' <check.json)"

mkdir fakelib
: >fakelib/libpq.so.5
LD_LIBRARY_PATH=$PWD/fakelib "$SLUICE" check --db "postgresql://nobody@127.0.0.1:1/none" m >/dev/null 2>broken.txt
expect_eq "a libpq that cannot be loaded: exit 2" "$?" 2
expect_contains "... naming the library" "$(cat broken.txt)" "cannot load libpq.so.5"
expect_contains "... and the package to install" "$(cat broken.txt)" "libpq5"
check "... without a sanitizer report" sh -c "! grep -q -E 'Sanitizer|runtime error' broken.txt"
finish
