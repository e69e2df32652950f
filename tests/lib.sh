# tests/lib.sh - the shell test library: TAP output and helpers.
#
#   . "$SLUICE_SRC/tests/lib.sh"
#   check "what it shows" test "$a" = "$b"
#   expect_eq "desc" "$got" "$want";  expect_contains "desc" "$haystack" "$needle"
#   finish
#
# Each test script runs in a fresh temporary directory ($T), removed at the
# end; $SLUICE is the binary under test.
set -u
: "${SLUICE_SRC:?run through tests/run}"
: "${SLUICE:=$SLUICE_BUILD/sluice}"
T=$(mktemp -d "${TMPDIR:-/tmp}/sluice-t.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
_n=0
_fail=0

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _fail=$((_fail + 1)); echo "not ok $_n - $*"; }
diag() { echo "# $*" | sed '2,$s/^/# /'; }

# check DESC CMD...: passes when CMD exits 0.
check() {
	_d=$1; shift
	if "$@"; then ok "$_d"; else not_ok "$_d"; diag "command failed: $*"; fi
}
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; diag "got:  $2"; diag "want: $3"; fi
}
expect_contains() {
	case "$2" in
	*"$3"*) ok "$1" ;;
	*) not_ok "$1"; diag "missing: $3"; diag "in: $(printf '%s' "$2" | head -40)" ;;
	esac
}
expect_not_contains() {
	case "$2" in
	*"$3"*) not_ok "$1"; diag "unexpected: $3" ;;
	*) ok "$1" ;;
	esac
}
# expect_exit DESC CODE CMD...
expect_exit() {
	_d=$1; _want=$2; shift 2
	"$@" >"$T/.out" 2>"$T/.err"
	_rc=$?
	if [ "$_rc" = "$_want" ]; then ok "$_d"; else not_ok "$_d"; diag "exit $_rc, want $_want"; diag "$(head -20 "$T/.err")"; fi
}
# A JSON query through the engine's own JSON reader is not available in sh;
# tests use jq-free greps on `--format json` output, or python3 when present.
json_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
# report_rows KIND FORMAT [FIELD=VALUE...] [--join SEP] <report.json: one row per
# file, statement or finding of a `sluice check --format json` report, or the
# summary (tests/report.py says which fields), e.g.
#   report_rows findings '{path}:{line}|{severity}' rule=lock-timeout-missing
report_rows() { /usr/bin/python3 "$SLUICE_SRC/tests/report.py" "$@"; }

# new_repo DIR: an empty git repository on branch main with one commit.
new_repo() {
	mkdir -p "$1" && git -C "$1" init -q -b main && \
	git -C "$1" commit -q --allow-empty -m "initial"
}
# commit_all DIR MSG
commit_all() { git -C "$1" add -A && git -C "$1" commit -q -m "$2"; }

finish() {
	echo "1..$_n"
	[ "$_fail" = 0 ]
	exit $?
}
