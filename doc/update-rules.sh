#!/bin/sh
# doc/update-rules.sh [SLUICE] - regenerates the rule catalogue in README.md
# (between the "rules:begin" and "rules:end" markers) from `sluice rules`,
# so the README never lists a rule the binary does not have.
set -eu
cd "$(dirname "$0")/.."
sluice=${1:-build/sluice}
table=$(mktemp)
trap 'rm -f "$table"' EXIT
{
	echo "| rule | severity | consequence | class | what it catches |"
	echo "|---|---|---|---|---|"
	"$sluice" rules | awk '{ id = $1; sev = $2; cls = $3; cq = $4; $1 = $2 = $3 = $4 = "";
		sub(/^ +/, ""); gsub(/\|/, "\\|");
		printf "| `%s` | %s | `%s` | %s | %s |\n", id, sev, cq, cls, $0 }'
} >"$table"
awk -v table="$table" '
	/<!-- rules:begin -->/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
	/<!-- rules:end -->/ { skip = 0 }
	!skip' README.md >README.md.new
mv README.md.new README.md
