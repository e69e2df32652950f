#!/bin/sh
# t-read-disk.sh - discovery reads each file with one open and one fstat
# (no stat of the path first) and takes a directory entry's word that a
# file is regular (no stat either): what each kind of entry is still
# says the same. In a walked directory and named on the command line: a
# regular file and a symlink to one are judged; a socket (which cannot be
# opened at all) and a FIFO are named as such; a file over 64 MiB is
# refused with its size before it is read; a dangling link is skipped.
. "$SLUICE_SRC/tests/lib.sh"

mkdir -p m/migrations m/elsewhere
echo "CREATE TABLE a (id int);" >m/migrations/1_a.sql
echo "DROP TABLE users;" >m/elsewhere/real.sql
ln -s ../elsewhere/real.sql m/migrations/2_link.sql
ln -s ../elsewhere/gone.sql m/migrations/3_dangling.sql
/usr/bin/python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' m/migrations/4_sock.sql
mkfifo m/migrations/5_fifo.sql
truncate -s 70M m/migrations/6_big.sql

expect_exit "a walked directory with a socket, a FIFO and a big file: no hang, exit 1 (a finding)" 1 \
	timeout 30 "$SLUICE" check --format json m
files=$(json_get 'sorted(f["path"] for f in d["files"])' <"$T/.out")
expect_eq "... the regular file and the link to one judged" "$files" \
	"['m/migrations/1_a.sql', 'm/migrations/2_link.sql']"
expect_contains "... the linked file's finding" "$(cat "$T/.out")" "drop-table"
expect_contains "... the socket named as one" "$(cat "$T/.err")" \
	"m/migrations/4_sock.sql: a socket, not a migration file; not judged"
expect_contains "... the FIFO named as one" "$(cat "$T/.err")" \
	"m/migrations/5_fifo.sql: a FIFO, not a migration file; not judged"
expect_contains "... the big file refused with its size" "$(cat "$T/.err")" \
	"m/migrations/6_big.sql: file is 73400320 bytes, over sluice's 64 MiB limit for one migration; not judged"
expect_not_contains "... the dangling link not mentioned" "$(cat "$T/.err")" "3_dangling"

# named on the command line, each says the same
expect_exit "a socket named: exit 2" 2 timeout 30 "$SLUICE" check m/migrations/4_sock.sql
expect_contains "... said to be a socket" "$(cat "$T/.err")" "m/migrations/4_sock.sql: a socket"
expect_exit "a big file named: exit 2" 2 timeout 30 "$SLUICE" check m/migrations/6_big.sql
expect_contains "... refused with its size" "$(cat "$T/.err")" "file is 73400320 bytes"
expect_exit "a link to a regular file named: judged (exit 1, a finding)" 1 \
	"$SLUICE" check m/migrations/2_link.sql
expect_exit "a dangling link named: exit 2" 2 "$SLUICE" check m/migrations/3_dangling.sql
expect_contains "... No such file" "$(cat "$T/.err")" "No such file"
finish
