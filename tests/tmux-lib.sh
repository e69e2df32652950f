# tests/tmux-lib.sh - driving the real workbench in tmux.
#
#   . "$SLUICE_SRC/tests/tmux-lib.sh"   (after tests/lib.sh; set $sock first)
#   tmx new-session -d -s w ...          a server of our own, socket $sock
#   keys j L                             send-keys to the pane
#   wait_for TEXT [SECONDS]              poll the pane until TEXT shows
#   wait_flat TEXT [SECONDS]             the same, rows joined (wrapped text)
#   wait_gone TEXT                       poll until it has gone
#   screen [-e]                          the pane's text now (-e: with colours)
#   sgr_before TEXT                      the colour escapes in effect where TEXT starts

tmx() { tmux -L "$sock" "$@"; }
screen() { tmx capture-pane -p "$@" -t w; }
keys() { tmx send-keys -t w "$@"; }
# screen_flat: the pane's text with its rows joined and blanks squeezed (a pane
# wraps long notes at its width); wait_flat TEXT [SECONDS] waits on it.
screen_flat() { screen | tr -s ' \n' '  '; }
wait_for() { _wait_in screen "$@"; }
wait_flat() { _wait_in screen_flat "$@"; }
_wait_in() {
	_get=$1
	shift
	_i=0 _max=$(( ${2:-10} * 20 ))
	while [ $_i -lt $_max ]; do
		$_get | grep -qF -- "$1" && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	diag "timed out waiting for: $1"
	diag "$(screen)"
	return 1
}
wait_gone() {
	_i=0
	while [ $_i -lt 200 ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
# sgr_before TEXT: the colour escapes in effect where TEXT starts on the screen.
sgr_before() {
	screen -e | python3 -c 'import re,sys
t=sys.stdin.read(); i=t.find(sys.argv[1])
print(" ".join(re.findall(r"\x1b\[([0-9;]*)m", t[:i])[-3:]) if i >= 0 else "absent")' "$1"
}
