#!/bin/sh
# t-commit-faults.sh - committing a draft when something goes wrong: an
# index lock someone holds, a full disk at each step (injected through
# SLUICE_TEST_COMMIT_FAIL, which only tests set), the user editing a file
# while the commit fails, a model-chosen path through a symbolic link, and
# a model that rewrites files outside the draft's declared set. Each leaves
# the refs, the index and the work tree byte-identical, with a message.
. "$SLUICE_SRC/tests/lib.sh"
. "$SLUICE_SRC/tests/httpd/lib.sh"
start_llm_server
export SLUICE_TEST_KEY=sk-test-commit-0001

# Everything a failed commit must not change, byte for byte.
state() {
	sha1sum .git/index
	git --no-optional-locks status --porcelain --untracked-files=all --ignored
	git for-each-ref --format='%(refname) %(objectname)'
	git symbolic-ref -q HEAD
	ls .git | grep -v '^objects$\|^logs$'
	find . -path ./.git -prune -o -print | sort | while read -r f; do
		if [ -f "$f" ]; then sha1sum "$f"; else echo "dir $f"; fi
	done
}

setup() { # MODEL
	rm -rf "$T/r" && llm_repo "$T/r" openai "${1:-ok}" && cd "$T/r"
}

draft_commit() { "$SLUICE" draft "$@" --commit db/migrations/000002_index.up.sql 2>&1; }

refused() { # DESC WANT ENV=VALUE|- [DRAFT-ARGS...]
	desc=$1 want=$2 envspec=$3 code=${REFUSED_EXIT:-2}
	shift 3
	[ "$envspec" = - ] && envspec=SLUICE_TEST_NOTHING=1
	before=$(state)
	out=$(env "$envspec" "$SLUICE" draft "$@" --commit db/migrations/000002_index.up.sql 2>&1)
	rc=$?
	expect_eq "$desc: refused (exit $code)" "$rc" "$code"
	expect_contains "$desc: says why" "$out" "$want"
	expect_eq "$desc: refs, index and work tree as they were" "$(state)" "$before"
}

# --- the index lock ---------------------------------------------------------
setup
echo "held by another git" >.git/index.lock
refused "index.lock present" "'$T/r/.git/index.lock' exists: another git process" -
expect_eq "... the other process's lock is left alone" "$(cat .git/index.lock)" "held by another git"
rm .git/index.lock

# --- a full disk at each step -----------------------------------------------
for step in write index branch install; do
	setup
	refused "disk full at '$step'" "" SLUICE_TEST_COMMIT_FAIL=$step
	check "... '$step': no index.lock left" test ! -e .git/index.lock
	check "... '$step': no temporary left" sh -c "! find . -name '*.sluice-*' | grep -q ."
done
setup
refused "a failed index write names it" "cannot write the index" SLUICE_TEST_COMMIT_FAIL=index
refused "a failed branch move names it" "cannot move the branch" SLUICE_TEST_COMMIT_FAIL=branch
refused "a failed index install: the branch moved back" "moving the branch back" \
	SLUICE_TEST_COMMIT_FAIL=install

# And without a fault: committed, the index agrees with HEAD, nothing left over.
setup
out=$("$SLUICE" draft --llm --commit db/migrations/000002_index.up.sql 2>&1)
expect_contains "no fault: committed" "$out" "committed 2 files"
expect_eq "... git status is clean (index entries and stat data right)" \
	"$(git status --porcelain --untracked-files=all)" ""
expect_eq "... the index is HEAD's" "$(git diff-index --cached HEAD)" ""
check "... no index.lock left" test ! -e .git/index.lock
check "... git fsck is happy" git fsck --no-progress --no-dangling
expect_contains "... the commit holds the draft" "$(git show HEAD:db/migrations/000002_index.up.sql)" \
	"CREATE INDEX CONCURRENTLY"

# --- the user edits a drafted file while the commit fails ------------------
setup
orig=$(cat db/migrations/000002_index.up.sql)
SLUICE_TEST_COMMIT_FAIL=index:2 "$SLUICE" draft --llm --commit \
	db/migrations/000002_index.up.sql >../edit.out 2>&1 &
pid=$!
for _i in $(seq 1 200); do
	[ "$(cat db/migrations/000002_index.up.sql)" != "$orig" ] && break
	sleep 0.05
done
echo "-- my edit, made while sluice was committing" >>db/migrations/000002_index.up.sql
wait $pid
expect_eq "edited meanwhile: the commit failed (exit 2)" "$?" 2
expect_contains "... the user's edit is kept" "$(cat db/migrations/000002_index.up.sql)" \
	"-- my edit, made while sluice was committing"
expect_contains "... and the message says so" "$(cat ../edit.out)" \
	"'db/migrations/000002_index.up.sql' changed while the draft was being committed: left as it is"
expect_eq "... the other file is rolled back" "$(git status --porcelain db/migrations/000002_index.down.sql)" ""
expect_eq "... HEAD did not move" "$(git log --oneline | wc -l | tr -d ' ')" 2

# --- a model-chosen path through a symbolic link ---------------------------
# The model may write only the migration under review and new migrations
# after it in its directory (llm/answer.c): a file anywhere else fails the
# draft itself (exit 1) before anything could be written or committed.
REFUSED_EXIT=1
mkdir -p "$T/outside"
setup "extra:db/migrations/linked/000003_more.up.sql"
ln -s "$T/outside" db/migrations/linked
commit_all . "a linked directory"
refused "a path through a linked directory" \
	"'db/migrations/linked/000003_more.up.sql' is not a new migration after 'db/migrations/000002_index.up.sql' in its directory" - --llm
expect_eq "... nothing written outside the repository" "$(ls -A "$T/outside")" ""
setup "extra:db/linked2/x.sql"
ln -s "$T/outside" db/linked2
refused "an untracked link of the user's too" "'db/linked2/x.sql' is not a new migration after" - --llm
expect_eq "... nothing written outside the repository" "$(ls -A "$T/outside")" ""

# --- the draft's declared set ----------------------------------------------
setup "extra:db/migrations/000001_init.up.sql"
refused "a model rewriting an applied migration" \
	"'db/migrations/000001_init.up.sql' is another migration, one the base branch has: the model may write only 'db/migrations/000002_index.up.sql' and new migrations after it" - --llm
setup "extra:queries/report.sql"
refused "a model writing SQL outside the migrations" \
	"'queries/report.sql' is not a new migration after" - --llm
setup "extra:db/migrations/000001_5_backfill.up.sql"
refused "a model adding a migration before the one under review" \
	"'db/migrations/000001_5_backfill.up.sql' is not a new migration after" - --llm
REFUSED_EXIT=2
setup "extra:db/migrations/000003_more.up.sql"
out=$(draft_commit --llm)
expect_contains "a new migration after it is in the set: committed" "$out" "committed 3 files"
expect_eq "... with it" "$(git show HEAD:db/migrations/000003_more.up.sql)" "SELECT 1;"
finish
