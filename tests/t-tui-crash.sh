#!/bin/sh
# t-tui-crash.sh - a crash gives the terminal back (issue 16): the
# workbench, running in tmux, gets SIGABRT (then, in a second run,
# SIGSEGV); the shell after it finds the terminal in canonical mode with
# echo and the alternate screen left, and the signal still ends sluice
# through the action it had before (the default, or a sanitizer's), as
# htop does.
. "$SLUICE_SRC/tests/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi

trap 'for s in ABRT SEGV; do tmux -L "sluice-crash-$$-$s" kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
. "$SLUICE_SRC/tests/tmux-lib.sh"

new_repo repo
mkdir -p repo/db/migrations
echo 'CREATE TABLE t (id int);' >repo/db/migrations/001_init.up.sql
commit_all repo "init"
git -C repo checkout -q -b feature
echo 'CREATE INDEX t_id ON t (id);' >repo/db/migrations/002_index.up.sql

printf 'set -g default-terminal tmux-256color\nset -g status off\n' >"$T/tmux.conf"

# crash SIGNAL STATUS: runs the workbench, sends it SIGNAL, checks the terminal after.
crash() {
	sock=sluice-crash-$$-$1   # a server per run: the last one's may still be going
	tmx -f "$T/tmux.conf" new-session -d -s w -x 100 -y 30 \
		"cd '$T/repo' && printf 'shell-before\n' && env LC_ALL=C.UTF-8 HOME='$HOME' \
		 sh -c 'echo \$\$ >\"\$0\"; exec \"\$1\"' '$T/pid' '$SLUICE' 2>'$T/err.$1'; \
		 echo \"sluice-exit=\$?\"; \
		 stty -a | tr ' ' '\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\n' ' '; echo stty-done; exec sleep 120"
	check "$1: the workbench is up" wait_for "002 index"
	expect_eq "$1: the pane is on the alternate screen" "$(tmx display -p -t w '#{alternate_on}')" 1
	kill -"$1" "$(cat "$T/pid")"
	wait_for stty-done
	status=$(screen | sed -n 's/^sluice-exit=\([0-9]*\)$/\1/p')
	check "$1: sluice ends through the signal's own action (status $status, want one of $2)" \
		sh -c "echo ' $2 ' | grep -q ' $status '"
	expect_contains "$1: the terminal is back in canonical mode with echo" "$(screen)" "icanon echo"
	expect_eq "$1: the alternate screen is left" "$(tmx display -p -t w '#{alternate_on}')" 0
	expect_contains "$1: the shell's own output is back" "$(screen)" "shell-before"
	expect_contains "$1: sluice says what happened on its stderr" "$(cat "$T/err.$1")" \
		"sluice: crashed; the terminal was restored"
}
# The status is the shell's for the signal (128 + n), or, in a sanitized
# build, the sanitizer's (tests/run's exitcode=99 and 98): its handler, which
# sluice's hands the signal back to, reports the crash.
crash ABRT "134 98 99"
crash SEGV "139 98 99"

finish
