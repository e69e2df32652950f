#!/bin/sh
# t-git-lazy.sh - libgit2 is opened only when a run needs git
# (core/discover/git_shim.c, core/gitprobe.c): `sluice check DIR`
# outside any repository, with no sluice.* key in the user's git config,
# never loads it and reports what it reported with it; in a repository (at
# its top, below it, a bare one) it does; a sluice.* key in ~/.gitconfig, $XDG_CONFIG_HOME/git/config,
# ~/.config/git/config or a file ~/.gitconfig includes still counts
# outside one. And libgit2's start-up still skips the CA certificates
# (cli/tls_certs.c), now that the program exports its stand-ins itself.
. "$SLUICE_SRC/tests/lib.sh"

# This test's own home, with no ~/.gitconfig: the runner's is shared with
# the tests running beside it, and names "Sluice Test" (tests/run exports
# the commits' author instead).
export HOME="$T/home"
unset XDG_CONFIG_HOME
mkdir -p "$HOME"

check "sluice is not linked with libgit2" sh -c '! ldd "$0" | grep -q "libgit2"' "$SLUICE"

mkdir -p plain/db
echo 'CREATE INDEX users_id ON users (id);' >plain/db/1_idx.sql

# sluice_logged ARGS...: `sluice ARGS` with its report in $T/out.json and
# the libraries it loaded (its LD_DEBUG log) in $T/libs.log.
sluice_logged() {
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T/ld" "$SLUICE" "$@" >"$T/out.json" 2>"$T/err"
	cat "$T"/ld.* >"$T/libs.log" 2>/dev/null; rm -f "$T"/ld.*
}
# rules: the rules `sluice check --format json plain/db` reports, joined by spaces.
rules() {
	sluice_logged check --format json plain/db
	report_rows findings '{rule}' --join ' ' <"$T/out.json"
}
loaded_git() { grep -q 'file=libgit2\.so' "$T/libs.log"; }

both="create-index-nonconcurrent lock-timeout-missing"
# libgit2 reads /etc/gitconfig whatever GIT_CONFIG_NOSYSTEM says.
if git -C "$T" rev-parse --git-dir >/dev/null 2>&1; then
	ok "skipped: $T is inside a git repository # SKIP"
elif grep -qiE 'sluice|include' /etc/gitconfig 2>/dev/null; then
	ok "skipped: /etc/gitconfig names sluice or include # SKIP"
else
	expect_eq "outside a repository: the findings" "$(rules)" "$both"
	cp "$T/out.json" fast.json
	check "... without loading libgit2" sh -c '! grep -q "file=libgit2" "$0"' "$T/libs.log"
	check "... (the LD_DEBUG log is read: it names libcjson)" grep -q 'file=libcjson' "$T/libs.log"

	# "include" anywhere in ~/.gitconfig (here a comment) sends sluice
	# through libgit2: the report it gives is the same.
	printf '# include nothing\n' >>"$HOME/.gitconfig"
	rules >/dev/null
	check "a config naming 'include': libgit2 is loaded" loaded_git
	check "... and the report is the one given without it" cmp -s fast.json "$T/out.json"

	git config --global sluice.disable create-index-nonconcurrent
	expect_eq "sluice.disable in ~/.gitconfig counts outside a repository" \
		"$(rules)" "lock-timeout-missing"
	git config --global --unset sluice.disable
	printf '[SLUICE]\n\tdisable = lock-timeout-missing\n' >"$HOME/.gitconfig"
	expect_eq "... in any case ([SLUICE])" "$(rules)" "create-index-nonconcurrent"

	: >"$HOME/.gitconfig"
	mkdir -p "$HOME/.config/git" xdg/git
	printf '[sluice]\n\tdisable = lock-timeout-missing\n' >"$HOME/.config/git/config"
	expect_eq "sluice.disable in ~/.config/git/config counts" "$(rules)" \
		"create-index-nonconcurrent"
	rm "$HOME/.config/git/config"
	printf '[sluice]\n\tdisable = create-index-nonconcurrent\n' >xdg/git/config
	expect_eq "... \$XDG_CONFIG_HOME/git/config, unset, is not read" "$(rules)" "$both"
	check "... and libgit2 was not loaded for it" sh -c '! grep -q "file=libgit2" "$0"' "$T/libs.log"
	expect_eq "sluice.disable in \$XDG_CONFIG_HOME/git/config counts" \
		"$(XDG_CONFIG_HOME="$T/xdg" && export XDG_CONFIG_HOME && rules)" "lock-timeout-missing"
	rm xdg/git/config

	# A file reached through include.path: ~/.gitconfig says "include", not
	# "sluice" (a relative path: $T's name has "sluice" in it).
	printf '[sluice]\n\tdisable = create-index-nonconcurrent\n' >"$HOME/more.cfg"
	printf '[include]\n\tpath = more.cfg\n' >"$HOME/.gitconfig"
	expect_eq "sluice.disable in a file ~/.gitconfig includes counts" "$(rules)" \
		"lock-timeout-missing"
	: >"$HOME/.gitconfig"
fi

# In a repository, libgit2 reads its config: a key there counts.
new_repo repo
mkdir -p repo/db/migrations
echo 'CREATE TABLE users (id bigint PRIMARY KEY);' >repo/db/migrations/1_users.sql
commit_all repo "history"
git -C repo checkout -q -b feature
cp plain/db/1_idx.sql repo/db/migrations/2_idx.sql
git -C repo config sluice.disable lock-timeout-missing
sluice_logged -C repo check --format json
expect_eq "in a repository: its pending migration, judged with its .git/config" \
	"$(report_rows findings '{path} {rule}' <"$T/out.json")" "db/migrations/2_idx.sql create-index-nonconcurrent"
check "... through libgit2" loaded_git
(cd repo/db/migrations && sluice_logged check --format json 2_idx.sql)
expect_eq "from a directory below the top, a FILE: judged with .git/config too" \
	"$(report_rows findings '{rule}' <"$T/out.json")" "create-index-nonconcurrent"
# A bare repository has no .git: libgit2 knows it by its HEAD (and more).
git clone -q --bare repo bare.git
git -C bare.git config sluice.disable lock-timeout-missing
(cd bare.git && sluice_logged check --format json ../plain/db/1_idx.sql)
expect_eq "in a bare repository, a FILE: judged with its config" \
	"$(report_rows findings '{rule}' <"$T/out.json")" "create-index-nonconcurrent"

# libgit2's start-up would parse ~140 CA certificates; cli/tls_certs.c's
# mbedtls_x509_crt_parse_file(), exported by the program, stands in.
if ! command -v strace >/dev/null 2>&1; then
	ok "skipped: strace is not installed # SKIP"
else
	strace -f -o "$T/strace.log" -e trace=openat "$SLUICE" -C repo check --format json \
		>/dev/null 2>&1
	check "strace: libgit2 was opened" grep -q 'libgit2\.so' "$T/strace.log"
	check "... the CA certificates never were" \
		sh -c '! grep -q "ca-certificates" "$0"' "$T/strace.log"
fi
finish
