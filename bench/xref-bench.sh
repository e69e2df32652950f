#!/bin/sh
# xref-bench.sh - the app-code cross-check against `git grep -w`, paired.
#
# Generates (once, deterministically) a git repository of 10,000 source
# files, about 100 MB of Go, Python, Ruby and TypeScript, whose branch has
# one pending migration dropping or renaming five columns. Then times, in
# alternation, BENCH_RUNS times each:
#
#   sluice check --format json        (discovery, judging, the cross-check)
#   git grep -w -n -e id1 ... -e id5   (the same five identifiers)
#
# and prints the median of each, plus the cross-check's own share as
# `sluice check` reports it (compat.elapsed_ms). The claim to check: the
# cross-check reads every file once and looks all names up in one pass, so
# it is no slower than git grep for the same names.
#
# Use an optimised build without sanitizers:
#   SLUICE_BUILD=/path/to/build sh bench/xref-bench.sh
set -eu
: "${SLUICE_SRC:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${SLUICE_BUILD:=$SLUICE_SRC/build}"
SLUICE=${SLUICE:-$SLUICE_BUILD/sluice}
FILES=${XREF_BENCH_FILES:-10000}
RUNS=${BENCH_RUNS:-5}
REPO=${XREF_BENCH_REPO:-/tmp/sluice-xref-bench-$FILES}
IDS="email legacy_status nickname billing_code token_hash"

generate() {
	rm -rf "$REPO"
	mkdir -p "$REPO/db/migrations"
	cd "$REPO"
	git init -q -b main
	cat >db/migrations/001_init.up.sql <<'SQL'
CREATE TABLE users (id bigint PRIMARY KEY, email text, email_verified bool);
CREATE TABLE orders (id bigint PRIMARY KEY, legacy_status text);
CREATE TABLE accounts (id bigint PRIMARY KEY, nickname text);
CREATE TABLE invoices (id bigint PRIMARY KEY, billing_code text);
CREATE TABLE sessions (id bigint PRIMARY KEY, token_hash text);
SQL
	# Park-Miller in awk: the same tree on every machine. About 1 file in
	# 100 uses a sought column; near misses (email_verified, comments) are
	# common, as in real code.
	awk -v n="$FILES" '
	function rnd(k) { seed = (seed * 16807) % 2147483647; return seed % k }
	function word() { return words[1 + rnd(nw)] }
	function ident() { return word() "_" word() }
	BEGIN {
		seed = 42
		nw = split("account amount batch cache client config count cursor data " \
			   "delta entry event field filter handler index item job key " \
			   "label limit list lock log model node offset order owner page " \
			   "parent path payload price queue rate record region request " \
			   "result retry role route row rule scope score session shard " \
			   "size slot source state status step store stream tag task " \
			   "tenant tick timer token total trace type unit user value " \
			   "version view weight window worker zone", words, " ")
		split("go py rb ts", exts, " ")
		split("email legacy_status nickname billing_code token_hash", ids, " ")
		for (f = 0; f < n; f++) {
			ext = exts[1 + f % 4]
			dir = sprintf("src/pkg%03d", f % 200)
			if (f < 200)
				system("mkdir -p " dir)
			file = sprintf("%s/file%05d.%s", dir, f, ext)
			cm = (ext == "py" || ext == "rb") ? "#" : "//"
			hit = rnd(100) == 0
			for (l = 0; l < 202; l++) {
				r = rnd(20)
				if (r == 0)
					printf "%s note: the %s of the email_verified %s\n", cm, word(), word() > file
				else if (r == 1)
					printf "    q := \"SELECT %s, %s FROM %s WHERE id = $1\"\n", ident(), word(), word() "s" > file
				else if (hit && l == 80)
					printf "    q := \"SELECT id, %s FROM users, orders, accounts, invoices, sessions\"\n", ids[1 + rnd(5)] > file
				else
					printf "    %s := %s.%s(%s, %d)\n", ident(), word(), ident(), word(), rnd(1000) > file
			}
			close(file)
		}
	}'
	git add -A
	git -c user.name=bench -c user.email=bench@example.com commit -q -m "app"
	git checkout -q -b feature
	cat >db/migrations/002_contract.up.sql <<'SQL'
ALTER TABLE users DROP COLUMN email;
ALTER TABLE orders DROP COLUMN legacy_status;
ALTER TABLE accounts RENAME COLUMN nickname TO display_name;
ALTER TABLE invoices DROP COLUMN billing_code;
ALTER TABLE sessions DROP COLUMN token_hash;
SQL
	git add db/migrations/002_contract.up.sql
	git -c user.name=bench -c user.email=bench@example.com commit -q -m "contract"
	touch .generated
}

[ -f "$REPO/.generated" ] || generate
cd "$REPO"
echo "xref-bench: $(git ls-files | wc -l) files, $(git ls-files -z | xargs -0 cat | wc -c | awk "{ printf \"%.0f\", \$1 / 1e6 }") MB in $REPO"

grep_args=""
for id in $IDS; do
	grep_args="$grep_args -e $id"
done

now() { date +%s.%N; }
# Warm the page cache for both, then alternate.
"$SLUICE" check --format json >/dev/null 2>&1 || true
git grep -w -n $grep_args >/dev/null || true
: >"$REPO/.times-sluice"
: >"$REPO/.times-grep"
: >"$REPO/.times-xref"
for i in $(seq "$RUNS"); do
	t0=$(now)
	"$SLUICE" check --format json >"$REPO/.out.json" 2>/dev/null || true
	t1=$(now)
	git grep -w -n $grep_args >/dev/null || true
	t2=$(now)
	echo "$t1 - $t0" | bc >>"$REPO/.times-sluice"
	echo "$t2 - $t1" | bc >>"$REPO/.times-grep"
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(max(f["compat"]["elapsed_ms"] for f in d["files"] if "compat" in f) / 1000)' \
		"$REPO/.out.json" >>"$REPO/.times-xref"
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] }'; }
refs=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(sum(len(s["references"]) for f in d["files"] for s in f["statements"]))' "$REPO/.out.json")
hits=$(git grep -w -n $grep_args | wc -l)
echo "xref-bench: sluice check (whole run) median $(median "$REPO/.times-sluice") s;" \
     "the cross-check itself $(median "$REPO/.times-xref") s; $refs references"
echo "xref-bench: git grep -w (5 identifiers)  median $(median "$REPO/.times-grep") s; $hits lines"
