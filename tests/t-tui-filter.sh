#!/bin/sh
# t-tui-filter.sh - the list's filter (f) in the real workbench (tmux), at
# 80x24 and 200x60: a word found only inside a file's SQL keeps that
# migration and hides the others (names alone would match nothing); the
# list's title shows the filter and how many match; table:, rule: and
# sev: filter by what the judge found; a bad filter says why and keeps
# the list; Enter on a filtered row opens that migration; Esc clears the
# filter (and, with none, still never quits); an empty filter clears it.
. "$SLUICE_SRC/tests/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
sock=sluice-filter-$$
trap 'for s in 1 2; do tmux -L "sluice-filter-$$-$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
. "$SLUICE_SRC/tests/tmux-lib.sh"
printf 'set -g status off\nset -g escape-time 0\n' >"$T/tmux.conf"

new_repo r
mkdir -p r/db/migrations
printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text, legacy text);\nCREATE TABLE orders (id bigserial PRIMARY KEY, created_at timestamptz);\n' \
	>r/db/migrations/000001_init.up.sql
printf 'DROP TABLE orders;\nDROP TABLE users;\n' >r/db/migrations/000001_init.down.sql
commit_all r init
git -C r checkout -q -b feature
# Names that say nothing of what is inside.
printf 'CREATE INDEX orders_created_idx ON orders (created_at);\n' >r/db/migrations/000002_alpha.up.sql
printf 'DROP INDEX orders_created_idx;\n' >r/db/migrations/000002_alpha.down.sql
printf -- '-- the profile page\nALTER TABLE users ADD COLUMN nickname text;\n' >r/db/migrations/000003_beta.up.sql
printf 'ALTER TABLE users DROP COLUMN nickname;\n' >r/db/migrations/000003_beta.down.sql
printf 'ALTER TABLE users DROP COLUMN legacy;\n' >r/db/migrations/000004_gamma.up.sql
printf 'ALTER TABLE users ADD COLUMN legacy text;\n' >r/db/migrations/000004_gamma.down.sql
commit_all r pending

# The rows of the list, "000002_alpha ..." (the list's own rows, not the
# verdict's or the preview's paths).
rows() { screen | sed -n 's/^  [A-Z]\{1,\} *\(00000[1-4]\) \{1,\}\([a-z]\{1,\}\).*/\1_\2/p' | tr '\n' ' '; }

n=0
for size in 80x24 200x60; do
	n=$((n + 1))
	sock=sluice-filter-$$-$n
	cols=${size%x*} lines=${size#*x}
	tmx -f "$T/tmux.conf" new-session -d -s w -x "$cols" -y "$lines" \
		"cd '$T/r' && env LC_ALL=C.UTF-8 HOME='$HOME' ESCDELAY=25 '$SLUICE'; \
		  echo \"sluice-exit=\$?\"; exec sleep 120"
	check "$size: the list appears" wait_for "000004"
	wait_for "Verdict:" >/dev/null
	expect_eq "$size: three pending migrations" "$(rows)" "000002_alpha 000003_beta 000004_gamma "

	keys f
	check "$size: f asks for a filter" wait_for "filter:"
	keys nickname Enter
	check "$size: the title shows the filter" wait_for "nickname"
	check "$size: ... and how many match" wait_for "1 of 3"
	expect_eq "$size: the SQL that mentions nickname keeps 000003 only" "$(rows)" "000003_beta "

	keys Escape
	# (the verdict's rows name 000004_gamma whatever the filter: wait on the list's own rows)
	check "$size: Esc clears the filter" _wait_in rows "000002_alpha 000003_beta 000004_gamma "
	expect_eq "$size: all three again" "$(rows)" "000002_alpha 000003_beta 000004_gamma "
	expect_not_contains "$size: the title no longer shows it" "$(screen)" "of 3"

	keys f "table:orders" Enter
	check "$size: table:orders" wait_for "1 of 3"
	expect_eq "$size: table:orders keeps the index on orders" "$(rows)" "000002_alpha "
	# The prompt starts from the filter shown; C-u clears it.
	keys f
	check "$size: f again shows the current filter" wait_for "filter: table:orders"
	keys C-u "rule:create-index" Enter
	check "$size: rule:create-index" wait_for "rule:create-index"
	expect_eq "$size: ... keeps the migration that raised it" "$(rows)" "000002_alpha "

	keys f C-u "table:users !nickname" Enter
	check "$size: two words, one negated" wait_for "1 of 3"
	expect_eq "$size: table:users !nickname keeps the drop" "$(rows)" "000004_gamma "
	keys Enter
	check "$size: Enter opens the filtered migration" wait_for "000004_gamma.up.sql"
	keys q
	check "$size: q goes back to the filtered list" wait_for "table:users !nickname"

	keys f C-u "sev:hgh" Enter
	check "$size: a misspelt severity says why" wait_for "unknown severity 'hgh'"
	expect_eq "$size: ... and keeps the list as it was" "$(rows)" "000004_gamma "

	keys f C-u "zzz_nowhere" Enter
	check "$size: nothing matches: the list says so" wait_for "No migration matches"
	keys f C-u Enter
	check "$size: an empty filter clears it" _wait_in rows "000002_alpha 000003_beta 000004_gamma "
	expect_eq "$size: all three again" "$(rows)" "000002_alpha 000003_beta 000004_gamma "

	keys Escape
	check "$size: Esc with no filter does not quit" wait_for "q quits"
	keys q
	check "$size: q quits" wait_for "sluice-exit=0"
done

finish
