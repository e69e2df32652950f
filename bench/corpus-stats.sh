#!/bin/sh
# corpus-stats.sh - how many findings each rule raises over the real corpus.
#
#   bench/corpus-stats.sh [SLUICE] [CORPUS]
#
# Runs `sluice check --format json` over every repository of
# ../shared/corpus (2,348 real migrations) and prints, per rule, the
# findings it raised, how many files they are in, and its severities, most
# frequent first. For the closing note and for tuning rules against noise:
# a rule that fires on most files is either right about most files or
# wrong, and either way worth reading.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
SLUICE=${1:-${SLUICE:-$src/sluice}}
CORPUS=${2:-$src/../shared/corpus}
[ -x "$SLUICE" ] || { echo "error: no sluice binary at '$SLUICE'" >&2; exit 2; }
[ -d "$CORPUS" ] || { echo "error: no corpus at '$CORPUS'" >&2; exit 2; }
command -v jq >/dev/null || { echo "error: jq is needed" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files=0
for dir in "$CORPUS"/*/; do
	[ "$(basename "$dir")" = _xref ] && continue
	"$SLUICE" check --format json "$dir" >"$tmp/$(basename "$dir").json" 2>/dev/null || true
done
files=$(jq -s '[.[].files[]] | length' "$tmp"/*.json)
# One line per finding: rule, severity, file (statement- and file-level).
jq -r '.files[] | .path as $p
	| ((.statements[]?.findings[]?), (.findings[]?))
	| select(.ignored != true) | "\(.rule)\t\(.severity)\t\($p)"' "$tmp"/*.json >"$tmp/all.tsv"

printf '%s files judged, %s findings\n\n' "$files" "$(wc -l <"$tmp/all.tsv")"
printf '| %-30s | %8s | %6s | %-28s |\n' rule findings files severities
printf '|%s|%s|%s|%s|\n' -------------------------------- ---------- -------- ------------------------------
awk -F'\t' '
	{ n[$1]++; s[$1 "\t" $2]++; if (!f[$1 "\t" $3]++) nf[$1]++ }
	END {
		for (r in n) {
			sev = ""
			split("BLOCKER HIGH MEDIUM LOW", order, " ")
			for (i = 1; i <= 4; i++)
				if (s[r "\t" order[i]]) sev = sev (sev ? " " : "") order[i] "=" s[r "\t" order[i]]
			printf "%d\t%s\t%d\t%s\n", n[r], r, nf[r], sev
		}
	}' "$tmp/all.tsv" | sort -t '	' -k1,1nr -k2,2 |
	awk -F'\t' '{ printf "| %-30s | %8d | %6d | %-28s |\n", $2, $1, $3, $4 }'
