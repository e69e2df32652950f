#!/bin/sh
# t-layout.sh - the parts of the source keep to their borders:
#
#   - each part of core/ (core/<part>/) has one public header, named after
#     it (core/db/db.h); every other header there is private (*_int.h);
#   - outside core/<part>/, the only header of the part anyone includes is
#     its public one; unit tests (tests/unit-*.c) may include its private
#     headers too;
#   - core/ and llm/ never include curses (the engine runs headless);
#   - views/ never include libpq-fe.h or curl (screens ask the engine);
#   - in core/draft/, nothing calls back into the driver: no object but
#     draft.o uses a symbol draft_split.o defines, and neither the rewrites
#     (draft_rw_*.o) nor the leaves they build with use one of draft.o's.
#
# Each rule is first run on a small tree with one violation planted, so
# that a checker that sees nothing cannot pass.
. "$SLUICE_SRC/tests/lib.sh"

# Every C source and header under $1, as paths relative to it (no build trees).
sources() {
	(cd "$1" && find . \( -name .git -o -name 'build*' \) -prune -o \
		-type f \( -name '*.c' -o -name '*.h' \) -print | sed 's|^\./||' | sort)
}

# "file name" for every #include of the C files under $1 (name without <>, "" or a directory).
all_includes() {
	sources "$1" | (cd "$1" && xargs awk '
		/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]/ {
			s = $0; sub(/^[^<"]*[<"]/, "", s); sub(/[>"].*$/, "", s); print FILENAME, s
		}')
}

# "part header" for every header in a part of core/ (core/<part>/<header>).
part_headers() {
	(cd "$1" && ls core/*/*.h 2>/dev/null) | awk -F/ '{ print $2, $3 }'
}

# part_violations ROOT: "file includes core/<part>/<header>" for every header of a part
# included outside core/<part>/ that is not the part's public one (<part>.h), unless
# a unit test (tests/unit-*.c) includes a private one (*_int.h).
part_violations() {
	part_headers "$1" >"$T/parts"
	all_includes "$1" | awk '
		NR == FNR { part[$2] = $1; next }
		{
			name = $2; sub(/.*\//, "", name)
			if (!(name in part)) next
			p = part[name]
			if (index($1, "core/" p "/") == 1 || name == p ".h") next
			if ($1 ~ /^tests\/unit-[^\/]*\.c$/ && name ~ /_int\.h$/) next
			print $1 " includes core/" p "/" name
		}' "$T/parts" -
}

# header_violations ROOT: a part without its public header (core/<part>/<part>.h), and
# every header of a part that is neither that one nor private (*_int.h).
header_violations() {
	for d in $(cd "$1" && ls -d core/*/ 2>/dev/null); do
		p=$(basename "$d")
		[ -f "$1/core/$p/$p.h" ] || echo "core/$p/$p.h is missing"
	done
	part_headers "$1" | awk '$2 != $1 ".h" && $2 !~ /_int\.h$/ { print "core/" $1 "/" $2 }'
}

# banned_violations ROOT DIRS PATTERN: "file includes name" for includes matching PATTERN (ERE).
banned_violations() {
	all_includes "$1" | awk -v dirs="$2" -v pat="$3" '
		BEGIN { n = split(dirs, d, " ") }
		{ for (i = 1; i <= n; i++) if (index($1, d[i] "/") == 1 && $2 ~ pat) print $1 " includes " $2 }'
}

CURSES='(^|/)n?curses(w)?(\.h$|/)|^ncursesw?/|(^|/)(term|panel|menu|form)\.h$'
NETDB='(^|/)libpq-fe\.h$|(^|/)libpq/|^curl/'

# The rules on a planted tree: each must name exactly the violation planted.
mkdir -p plant/core/draft plant/core/xref plant/core/db plant/llm plant/views plant/tests plant/cli
echo '#include "draft.h"' >plant/core/draft/draft.h
echo '#include "draft_int.h"' >plant/core/draft/draft_rw_x.c
: >plant/core/draft/draft_int.h
: >plant/core/draft/draft_shadow.h
: >plant/core/xref/xref.h
: >plant/core/xref/xref_int.h
: >plant/core/db/shadow.h
echo '#include "xref_int.h"' >plant/tests/unit-xref.c
echo '#include "draft_int.h"' >plant/tests/unit-xref2.c
echo '#include "draft_shadow.h"' >plant/tests/unit-draft.c
printf '#include "draft.h"\n#include "draft_shadow.h"\n#include "core/xref/xref.h"\n' >plant/cli/cmd.c
printf '#include <stdio.h>\n  #  include "draft_int.h" /* private */\n' >plant/llm/prompt.c
echo '#include <ncursesw/curses.h>' >plant/core/draft/ui.c
echo '#include <curses.h>' >plant/llm/tty.c
echo '#include <curses.h>' >plant/views/ok.c
echo '#include <libpq-fe.h>' >plant/views/db.c
echo '#include <curl/curl.h>' >plant/views/net.c
echo '#include <libpq-fe.h>' >plant/cli/fine.c
expect_eq "planted: a part's headers but its public one used outside the part are named" \
	"$(part_violations plant | sort)" \
"cli/cmd.c includes core/draft/draft_shadow.h
llm/prompt.c includes core/draft/draft_int.h
tests/unit-draft.c includes core/draft/draft_shadow.h"
expect_eq "planted: a part without its public header, and a header neither public nor private, are named" \
	"$(header_violations plant | sort)" \
"core/db/db.h is missing
core/db/shadow.h
core/draft/draft_shadow.h"
expect_eq "planted: curses in core/ and llm/ is named" \
	"$(banned_violations plant 'core llm' "$CURSES" | sort)" \
"core/draft/ui.c includes ncursesw/curses.h
llm/tty.c includes curses.h"
expect_eq "planted: libpq and curl in views/ are named" \
	"$(banned_violations plant views "$NETDB" | sort)" \
"views/db.c includes libpq-fe.h
views/net.c includes curl/curl.h"

# The rules on the source tree.
v=$(header_violations "$SLUICE_SRC")
expect_eq "each part of core/ has one public header (core/<part>/<part>.h), the rest *_int.h" "$v" ""
v=$(part_violations "$SLUICE_SRC")
expect_eq "outside core/<part>/, only the part's public header is included (unit tests: *_int.h too)" "$v" ""
expect_contains "the parts' headers were found (core/draft/draft_int.h among them)" \
	"$(part_headers "$SLUICE_SRC" | tr '\n' ,)" "draft draft_int.h,"
v=$(banned_violations "$SLUICE_SRC" 'core llm' "$CURSES")
expect_eq "core/ and llm/ include no curses header" "$v" ""
v=$(banned_violations "$SLUICE_SRC" views "$NETDB")
expect_eq "views/ include neither libpq nor curl" "$v" ""
check "views/ exist and were searched" test -n "$(sources "$SLUICE_SRC" | grep '^views/.*\.c$')"

# The draft code: the driver calls the rewrites, nothing calls back (from the objects).
obj=$SLUICE_BUILD/core/draft
if [ -f "$obj/draft_split.o" ] && command -v nm >/dev/null; then
	defs() { nm --defined-only -g "$obj/$1.o" | awk '$2 ~ /^[TDBR]$/ { print $3 }' | sort; }
	uses() { nm -u "$obj/$1.o" | awk '{ print $2 }' | sort; }
	defs draft_split >"$T/split.defs"
	defs draft >"$T/draft.defs"
	back=
	for o in "$obj"/*.o; do
		n=$(basename "$o" .o)
		[ "$n" = draft ] || [ "$n" = draft_split ] && continue
		s=$(uses "$n" | comm -12 - "$T/split.defs" | tr '\n' ' ')
		[ -n "$s" ] && back="$back $n -> draft_split: $s;"
		case $n in
		draft_rw_*|draft_unit|draft_backfill|draft_steps|draft_sql|draft_down|draft_down_history|draft_deps)
			s=$(uses "$n" | comm -12 - "$T/draft.defs" | tr '\n' ' ')
			[ -n "$s" ] && back="$back $n -> draft: $s;" ;;
		esac
	done
	expect_eq "core/draft: nothing calls back into the driver (draft_split.o, draft.o)" "$back" ""
	check "core/draft: the driver does call the rewrites" \
		sh -c "nm -u '$obj/draft_split.o' | grep -q rw_alter"
else
	not_ok "core/draft: the objects to check are in $obj (build first)"
fi

# Every header compiles alone, included twice (make headers-alone: its own
# includes and its guard), so no file depends on what another brought in.
expect_exit "every header under core/, llm/, tui/, views/, themes/ and cli/ compiles alone" 0 \
	make -s -C "$SLUICE_BUILD" headers-alone

finish
