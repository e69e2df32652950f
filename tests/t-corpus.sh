#!/bin/sh
# t-corpus.sh - sluice over 2,348 real migrations (../shared/corpus).
#
# The corpus is four public repositories' migration directories, copied
# unchanged (diesel, golang-migrate, popx). For each, `sluice check
# --format json` must not crash (exit 0 or 1, nothing from the sanitizers
# on stderr), must report every file listed in the corpus's files.tsv, and
# every statement that does not parse must carry its line and the parser's
# message. Skipped when the corpus is not there (a checkout on its own).
. "$SLUICE_SRC/tests/lib.sh"

CORPUS="$SLUICE_SRC/../shared/corpus"
if [ ! -f "$CORPUS/files.tsv" ]; then
	ok "skipped: no corpus ($CORPUS absent) # SKIP"
	finish
fi

for dir in "$CORPUS"/*/; do
	repo=$(basename "$dir")
	[ "$repo" = _xref ] && continue
	"$SLUICE" check --format json "$dir" >"$repo.json" 2>"$repo.err"
	rc=$?
	check "$repo: exit 0 or 1 (got $rc)" test "$rc" -le 1
	if grep -q -E 'Sanitizer|runtime error|LeakSanitizer' "$repo.err"; then
		not_ok "$repo: no sanitizer report"
		diag "$(grep -m5 -E 'Sanitizer|runtime error' "$repo.err")"
	else
		ok "$repo: no sanitizer report"
	fi
	# Every file of the corpus list, by its path inside the repository.
	awk -F'\t' -v r="$repo" '$1 == r { print $2 }' "$CORPUS/files.tsv" | sort >want.txt
	jq -r '.files[].path' "$repo.json" | sed "s|^$dir||; s|^$CORPUS/$repo/||" | sort -u >got.txt
	missing=$(comm -23 want.txt got.txt | head -5)
	expect_eq "$repo: every file is in the report ($(wc -l <want.txt) files)" "$missing" ""
	# Parse errors: a line, and the parser's message.
	bad=$(jq -r '.files[] | .path as $p | .statements[] | select(any(.findings[]?; .rule == "parse-error"))
		| select((.line // 0) < 1 or ([.findings[] | select(.rule == "parse-error") | .message | length > 20] | all | not))
		| "\($p): \(.line)"' "$repo.json" | head -5)
	expect_eq "$repo: every parse error has a line and a message" "$bad" ""
	unread=$(jq -r '.files[] | select(.error) | "\(.path): \(.error)"' "$repo.json" | head -3)
	expect_eq "$repo: no file left unjudged" "$unread" ""
done
finish
