#!/bin/sh
# tests/pg.sh - a throwaway PostgreSQL server for the database tests.
#
#   sh tests/pg.sh start   prints shell `export` lines (tests/run evals them)
#   sh tests/pg.sh need    for a test script: exits 0 when a server is there,
#                          else prints a TAP skip and exits 1
#   sh tests/pg.sh stop    stops the server and removes its directory (the
#                          one in $SLUICE_TEST_PG_STATE, exported by start)
#
# The cluster lives in a fresh temporary directory, listens on 127.0.0.1 on a
# free port and on a unix socket in that directory, and trusts local
# connections, except for one role (sluice_pw) that must give a password so
# the tests can see a wrong password refused. initdb refuses to run as root,
# and CI runs as root: then the server runs as the `postgres` system user.
# fsync is off: the data is thrown away, and start-up must take seconds.
set -u

find_bindir() {
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
		[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
	done
	return 1
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + $$ % 30000))
}

start() {
	bindir=$(find_bindir) || {
		echo "pg.sh: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (install the Debian package postgresql-15)" >&2
		exit 1
	}
	dir=$(mktemp -d "${TMPDIR:-/tmp}/sluice-pg.XXXXXX") || exit 1
	as=""
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || {
			echo "pg.sh: running as root and there is no 'postgres' user to run the server as" >&2
			rm -rf "$dir"; exit 1
		}
		chown postgres "$dir"
		as="runuser -u postgres --"
	fi
	$as "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C \
		--no-sync >"$dir/initdb.log" 2>&1 || {
		echo "pg.sh: initdb failed: $(tail -3 "$dir/initdb.log")" >&2
		rm -rf "$dir"; exit 1
	}
	# Everyone is trusted except sluice_pw, which needs its password over TCP.
	cat >"$dir/data/pg_hba.conf" <<-EOF
	local all all trust
	host all sluice_pw 127.0.0.1/32 scram-sha-256
	host all all 127.0.0.1/32 trust
	EOF
	tries=0
	while :; do
		port=$(free_port)
		if $as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=40" \
			start >"$dir/pg_ctl.log" 2>&1; then
			break
		fi
		tries=$((tries + 1))
		if [ "$tries" -ge 3 ]; then
			echo "pg.sh: the server did not start: $(tail -3 "$dir/server.log" 2>/dev/null)" >&2
			rm -rf "$dir"; exit 1
		fi
	done
	"$bindir/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
		-c "CREATE ROLE sluice_pw LOGIN PASSWORD 'sluice-secret-pw'" >/dev/null 2>&1 || {
		echo "pg.sh: cannot create the password role" >&2
		$as "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
		rm -rf "$dir"; exit 1
	}
	echo "export SLUICE_TEST_PG='host=127.0.0.1 port=$port user=postgres dbname=postgres'"
	echo "export SLUICE_TEST_PG_HOST=127.0.0.1 SLUICE_TEST_PG_PORT=$port SLUICE_TEST_PG_SOCKET='$dir'"
	echo "export SLUICE_TEST_PG_PWUSER=sluice_pw SLUICE_TEST_PG_PASSWORD=sluice-secret-pw"
	echo "export SLUICE_TEST_PG_BIN='$bindir' SLUICE_TEST_PG_STATE='$dir'"
}

stop() {
	dir=${2:-${SLUICE_TEST_PG_STATE:-}}
	bindir=${SLUICE_TEST_PG_BIN:-}
	[ -n "$dir" ] && [ -d "$dir/data" ] || return 0
	[ -n "$bindir" ] || bindir=$(find_bindir)
	as=""
	[ "$(id -u)" = 0 ] && as="runuser -u postgres --"
	$as "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1
	rm -rf "$dir"
}

case "${1:-}" in
need)
	[ -n "${SLUICE_TEST_PG:-}" ] && exit 0
	echo "ok 1 # skip no PostgreSQL server (SLUICE_TEST_PG is unset)"
	echo "1..1"
	exit 1 ;;
start) start ;;
stop) stop "$@" ;;
*) echo "usage: sh tests/pg.sh start|stop|need" >&2; exit 2 ;;
esac
