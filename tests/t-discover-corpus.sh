#!/bin/sh
# t-discover-corpus.sh - discovery on the four real repositories of
# ../shared/corpus (diesel, golang-migrate, kratos/popx): every file of
# files.tsv found with its direction, nothing else, each down judged right
# after its own up (pairing), and popx's .autocommit. files outside a
# transaction. Skipped when the corpus is not there.
. "$SLUICE_SRC/tests/lib.sh"

corpus=${SLUICE_CORPUS:-$SLUICE_SRC/../shared/corpus}
if [ ! -f "$corpus/files.tsv" ]; then
	ok "# SKIP no corpus at $corpus"
	finish
fi
for repo in LemmyNet__lemmy DanielRondonGarcia__coder ory__kratos ente-io__ente; do
	(cd "$corpus/$repo" && "$SLUICE" check --format json --fail-on BLOCKER .) \
		>"$T/$repo.json" 2>"$T/$repo.err"
	res=$(python3 - "$corpus/files.tsv" "$repo" "$T/$repo.json" <<'PY'
import csv, json, sys
tsv, repo, out = sys.argv[1:]
want, key = {}, {}
for r in csv.DictReader(open(tsv), delimiter="\t"):
    if r["repo"] == repo:
        want[r["path"]] = r["direction"]
        key[r["path"]] = r["pair_key"]
files = [f for f in json.load(open(out))["files"]]
got = {f["path"].removeprefix("./"): f["direction"] for f in files}
problems = []
for p in sorted(set(want) - set(got))[:3]:
    problems.append("missing " + p)
for p in sorted(set(got) - set(want))[:3]:
    problems.append("extra " + p)
for p in sorted(set(want) & set(got)):
    if want[p] != got[p]:
        problems.append("direction of %s: %s" % (p, got[p]))
paths = [f["path"].removeprefix("./") for f in files]
for i, p in enumerate(paths):
    if want.get(p) == "down" and any(key[q] == key[p] and want[q] == "up" for q in key):
        if i == 0 or key.get(paths[i - 1]) != key[p]:
            problems.append("down not after its up: " + p)
auto = [f for f in files if ".autocommit." in f["path"]]
if any(f["in_transaction"] for f in auto):
    problems.append("an .autocommit. file in a transaction")
print("%d files%s" % (len(got), "; " + "; ".join(problems[:5]) if problems else ""))
PY
)
	want=$(awk -F'\t' -v r="$repo" '$1 == r' "$corpus/files.tsv" | wc -l | tr -d ' ')
	expect_eq "$repo: every migration found, paired, nothing else" "$res" "$want files"
done
finish
