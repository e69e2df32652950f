#!/bin/sh
# squawk-bench.sh - `sluice check --format json` against squawk on the real
# corpus, paired.
#
# The 2,348 files of ../shared/corpus (four repositories): sluice checks each
# repository's migration directory (`sluice check --format json DIR`, as
# /work/notes/measure.sh and bench/corpus-stats.sh run it), squawk lints the
# same directory's *.sql files (`squawk --reporter json FILE...`). One run of
# each is the four directories one after the other; the two alternate,
# BENCH_RUNS times (default 5), and the medians and their ratio are printed,
# of wall time and of CPU time (user + sys: on a loaded machine the steadier
# of the two). The claim to check: sluice takes at most half squawk's wall
# time.
#
# squawk is squawk-cli from the npm registry (SQUAWK_VERSION, default 2.66),
# installed into a temporary folder ($TMPDIR/sluice-bench-squawk-VERSION,
# kept for the next run) when it is missing; SQUAWK=/path/to/squawk uses
# another. The package's native binary is run directly, not its node
# wrapper, so squawk is not charged node's start-up.
#
# Use an optimised build without sanitizers:
#   SLUICE_BUILD=/path/to/build sh bench/squawk-bench.sh
# SLUICE_THREADS is passed through (1 judges on one thread).
set -eu
: "${SLUICE_SRC:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${SLUICE_BUILD:=$SLUICE_SRC/build}"
SLUICE=${SLUICE:-$SLUICE_BUILD/sluice}
RUNS=${BENCH_RUNS:-5}
CORPUS=${CORPUS:-$SLUICE_SRC/../shared/corpus}
VERSION=${SQUAWK_VERSION:-2.66}
DIRS="LemmyNet__lemmy/migrations DanielRondonGarcia__coder/coderd/database/migrations
ory__kratos/persistence/sql/migrations/sql ente-io__ente/server/migrations"

[ -x "$SLUICE" ] || { echo "squawk-bench: no binary at $SLUICE (build first)" >&2; exit 2; }
[ -d "$CORPUS" ] || { echo "squawk-bench: no corpus at $CORPUS" >&2; exit 2; }

# Both run from the corpus, as outside a repository as its directories are:
# sluice reads the git config and .sluice of the directory it runs in
# (libgit2 is loaded only when there may be one, core/gitprobe.h),
# and where this script is started from must not change what is measured.
absolute() {
	case $1 in
	/*) echo "$1" ;;
	*/*) echo "$PWD/$1" ;;
	*) echo "$1" ;;   # a bare name, looked up in $PATH
	esac
}
SLUICE=$(absolute "$SLUICE")
CORPUS=$(cd "$CORPUS" && pwd)

# squawk: $SQUAWK, else the native binary of an npm install in a temporary folder.
install_squawk() {
	dir=${TMPDIR:-/tmp}/sluice-bench-squawk-$VERSION
	bin=$(ls "$dir"/node_modules/@squawk-cli/*/bin/squawk 2>/dev/null | head -1 || true)
	if [ -z "$bin" ]; then
		command -v npm >/dev/null || { echo "squawk-bench: npm is needed to install squawk" >&2; exit 2; }
		mkdir -p "$dir"
		echo "squawk-bench: npm install squawk-cli@$VERSION into $dir" >&2
		(cd "$dir" && npm install --silent --no-audit --no-fund "squawk-cli@$VERSION" >&2)
		bin=$(ls "$dir"/node_modules/@squawk-cli/*/bin/squawk 2>/dev/null | head -1 || true)
		# No native package for this platform: the wrapper, with node's start-up.
		[ -n "$bin" ] || bin=$dir/node_modules/.bin/squawk
	fi
	SQUAWK=$bin
}
[ -n "${SQUAWK:-}" ] || install_squawk
SQUAWK=$(absolute "$SQUAWK")
"$SQUAWK" --version >/dev/null 2>&1 || { echo "squawk-bench: $SQUAWK does not run" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$CORPUS"
files=0
for d in $DIRS; do
	find "$CORPUS/$d" -name '*.sql' | sort >"$tmp/$(echo "$d" | tr / _).list"
	files=$((files + $(wc -l <"$tmp/$(echo "$d" | tr / _).list")))
done

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# CPU time (user + sys) of this shell's children so far, in ms: the 2nd
# line of `times`, run in this shell (in $(...) it would see a subshell's).
cpu_ms() {
	awk 'NR == 2 {
		t = 0
		for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
		printf "%d\n", t * 1000 }' "$tmp/times"
}

# Exit 1 (findings) is expected of both; anything else is a failure.
run_sluice() {
	for d in $DIRS; do
		"$SLUICE" check --format json "$CORPUS/$d" >/dev/null 2>&1 || [ $? = 1 ] ||
			{ echo "squawk-bench: sluice check $d failed" >&2; exit 1; }
	done
}
run_squawk() {
	for d in $DIRS; do
		# shellcheck disable=SC2046 # one argument per file, as a shell glob gives them
		"$SQUAWK" --reporter json $(cat "$tmp/$(echo "$d" | tr / _).list") >/dev/null 2>&1 || [ $? = 1 ] ||
			{ echo "squawk-bench: squawk $d failed" >&2; exit 1; }
	done
}

echo "== sluice vs $("$SQUAWK" --version): $files files of $CORPUS, $RUNS paired runs ($(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
run_sluice; run_squawk    # warm the page cache
: >"$tmp/sluice"; : >"$tmp/squawk"
for i in $(seq "$RUNS"); do
	times >"$tmp/times"; c0=$(cpu_ms); t0=$(now_ms); run_sluice
	times >"$tmp/times"; c1=$(cpu_ms); t1=$(now_ms); run_squawk
	times >"$tmp/times"; c2=$(cpu_ms); t2=$(now_ms)
	echo $((t1 - t0)) >>"$tmp/sluice"
	echo $((t2 - t1)) >>"$tmp/squawk"
	echo $((c1 - c0)) >>"$tmp/sluice.cpu"
	echo $((c2 - c1)) >>"$tmp/squawk.cpu"
	echo "  run $i: sluice $((t1 - t0)) ms (CPU $((c1 - c0)) ms), squawk $((t2 - t1)) ms (CPU $((c2 - c1)) ms)"
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
sl=$(median "$tmp/sluice"); sq=$(median "$tmp/squawk")
awk -v a="$(median "$tmp/sluice.cpu")" -v b="$(median "$tmp/squawk.cpu")" 'BEGIN {
	printf "  median CPU (user + sys): sluice %d ms, squawk %d ms, ratio %.2f\n", a, b, b ? a / b : 0 }'
awk -v a="$sl" -v b="$sq" 'BEGIN {
	r = b ? a / b : 0
	printf "  median wall: sluice %d ms, squawk %d ms, ratio %.2f (target <= 0.50: %s)\n",
		a, b, r, r <= 0.5 ? "meets" : "misses" }'
