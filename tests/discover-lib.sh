# tests/discover-lib.sh - helpers shared by the discovery tests
# (tests/t-discover-*.sh), sourced after tests/lib.sh.
#
#   judged [CHECK-ARGS]       one line per judged file, in apply order:
#                             "path framework direction txn|notxn"
#   stmt_lines PATH DIR [..]  the statement line numbers of one judged file
#   summary KEY [..]          a field of the JSON summary ("" when absent)
#   feature_branch DIR        main gets a commit, then branch "feature"
#   rule_findings RULE [..]   "path|severity|message" per (unignored) finding
#
# Each runs `sluice check --format json` in the current directory; its
# stderr is kept in $T/.judged.err for message checks.

judged() {
	"$SLUICE" check --format json "$@" 2>"$T/.judged.err" |
		report_rows files '{path} {framework} {direction} {txn}'
}

stmt_lines() {
	_p=$1; _d=$2; shift 2
	"$SLUICE" check --format json "$@" 2>"$T/.judged.err" |
		report_rows files '{lines}' path="$_p" direction="$_d"
}

summary() {
	_k=$1; shift
	"$SLUICE" check --format json "$@" 2>"$T/.judged.err" | report_rows summary "{$_k}"
}

# new_repo plus the habit of every test: history on main, work on feature.
# rule_findings RULE [CHECK-ARGS]: "path|severity|message" per finding of
# RULE (ignored ones left out), file-level and statement-level alike.
rule_findings() {
	_rule=$1
	shift
	"$SLUICE" check --format json "$@" >"$T/out.json" 2>"$T/err"
	_rc=$?
	# No report at all: its exit status and stderr go to the test's log.
	report_rows findings '{path}|{severity}|{message}' rule="$_rule" ignored=false <"$T/out.json" ||
		echo "# sluice check exited $_rc: $(cat "$T/err")" >&2
}

feature_branch() {
	commit_all "$1" "history" && git -C "$1" checkout -q -b feature
}
