# tests/httpd/lib.sh - the LLM test server and a repository to draft in.
#
#   . "$SLUICE_SRC/tests/httpd/lib.sh"
#   start_llm_server          sets LLM_PORT, LLM_LOG; stopped at exit
#   llm_repo DIR PROVIDER MODEL   a git repo with a risky index migration,
#                             configured for the server
#   tree_state DIR            status, HEAD and file hashes (compare before/after)

start_llm_server() {
	LLM_LOG=$T/llm-requests.log
	: >"$LLM_LOG"
	python3 "$SLUICE_SRC/tests/httpd/llm_server.py" "$T/llm-port" "$LLM_LOG" &
	LLM_PID=$!
	trap 'kill $LLM_PID 2>/dev/null; rm -rf "$T"' EXIT
	for _i in $(seq 1 100); do
		[ -s "$T/llm-port" ] && break
		sleep 0.05
	done
	LLM_PORT=$(cat "$T/llm-port")
}

# A port nothing listens on: bind one, note it, let it go.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

llm_repo() {
	new_repo "$1" && mkdir -p "$1/db/migrations" && (
		cd "$1" &&
		printf 'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n' \
			>db/migrations/000001_init.up.sql &&
		printf 'DROP TABLE users;\n' >db/migrations/000001_init.down.sql &&
		printf 'CREATE INDEX users_email_idx ON users (email);\n' \
			>db/migrations/000002_index.up.sql &&
		printf 'DROP INDEX users_email_idx;\n' >db/migrations/000002_index.down.sql &&
		git add -A && git commit -q -m "migrations" &&
		git config sluice.llm.provider "$2" &&
		git config sluice.llm.url "http://127.0.0.1:${LLM_PORT:-1}" &&
		git config sluice.llm.model "$3" &&
		git config sluice.llm.keyEnv SLUICE_TEST_KEY &&
		git config sluice.llm.timeout 3
	)
}

tree_state() {
	(cd "$1" && git status --porcelain --untracked-files=all && git rev-parse HEAD &&
	 find . -path ./.git -prune -o -type f -print | sort | xargs sha1sum)
}
