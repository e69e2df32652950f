#!/bin/sh
# t-completion.sh - bash completion (completion/sluice) driven by a
# real bash: COMP_WORDS as bash fills them, _sluice called, COMPREPLY read.
# Commands, options, formats and rule names come from the binary itself, so
# each check compares with what the binary says.
. "$SLUICE_SRC/tests/lib.sh"

mkdir -p bin migrations
ln -s "$SLUICE" bin/sluice
touch migrations/001_a.up.sql

# complete WORD... : the candidates for the last word, one per line, sorted.
complete_words() {
	PATH="$T/bin:$PATH" bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_sluice
		printf "%s\n" "${COMPREPLY[@]}" | sort -u' sh "$SLUICE_SRC/completion/sluice" "$@"
}

got=$(complete_words sluice "" | grep -v / | grep -v migrations | tr '\n' ' ')
for c in check draft drift rules verify; do
	expect_contains "commands: $c" "$got" "$c "
done
expect_eq "commands: 'ch' completes to check" "$(complete_words sluice ch)" "check"
expect_eq "commands: after -C DIR too" "$(complete_words sluice -C . ve)" "verify"

got=$(complete_words sluice check --f)
expect_eq "check options: --f gives --fail-on and --format" "$got" "--fail-on
--format"
want=$("$SLUICE" check --help | sed -n 's/^  *\(--[a-z-]*\).*/\1/p' | sort -u | tr '\n' ' ')
got=$(complete_words sluice check -- | grep -v '^-C$' | tr '\n' ' ')
expect_eq "check options: every option of 'sluice check --help'" "$got" "$want"
got=$(complete_words sluice draft --sp)
expect_eq "draft options: --split from draft's own help" "$got" "--split"

got=$(complete_words sluice check --format "" | tr '\n' ' ')
expect_eq "formats after --format" "$got" "github gitlab json junit markdown sarif text "
expect_eq "formats: 'ju' is junit" "$(complete_words sluice check --format ju)" "junit"
expect_eq "drift formats come from drift's help" "$(complete_words sluice drift --format "" | tr '\n' ' ')" "json markdown text "

want=$("$SLUICE" rules | awk '{print $1}' | grep '^create-index' | sort | tr '\n' ' ')
got=$(complete_words sluice check --disable create-index | tr '\n' ' ')
expect_eq "rule names after --disable" "$got" "$want"
check "rule names: there is at least one" test -n "$want"

expect_eq "severities after --fail-on" "$(complete_words sluice check --fail-on B)" "BLOCKER"
expect_eq "file names for paths" "$(complete_words sluice check migrations/00)" "migrations/001_a.up.sql"
expect_eq "nothing made up after --db (a URL)" "$(complete_words sluice check --db "")" ""
finish
