#!/bin/sh
# t-heap-threads.sh - more threads must not mean more memory.
#
# A batch run gives each thread its own malloc arena in huge pages
# (core/heap.c). Threads that end leave their arena to the next ones, and
# an arena set up again for each of them took 2 MiB of huge page a thread:
# on 5,000 generated files, peak RSS went from 88 MB on one thread to 127
# MB on two (the bench target is 100 MB); and trees freed only at the end
# when both threads were always busy parsing swung it between 91 and 150 MB
# from run to run. Here: 5,000 files, peak RSS with 2 threads (eight runs)
# and 3 (two) within a tenth (and 4 MB) of one thread's, and the same
# report. Under a sanitizer malloc is the sanitizer's: skipped.
. "$SLUICE_SRC/tests/lib.sh"

if nm -D "$SLUICE" 2>/dev/null | grep -q '__asan_init\|__tsan_init'; then
	ok "skipped: a sanitizer's build, not glibc's malloc # SKIP"
	finish
fi

sh "$SLUICE_SRC/bench/gen-migrations.sh" 5000 m >/dev/null 2>&1
check "the generator wrote 5,000 files" test "$(ls m | wc -l)" -ge 5000

# peak RSS (KiB) of `sluice check --format json m` on $1 threads; its report in json.$1
peak_rss() {
	SLUICE_THREADS=$1 python3 -c '
import resource, subprocess, sys
with open(sys.argv[2], "wb") as out:
    subprocess.run(sys.argv[1:2] + ["check", "--format", "json", "m"], stdout=out,
                   stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$SLUICE" "json.$1"
}

one=$(peak_rss 1)
check "one thread: a peak RSS was read" test "${one:-0}" -gt 1000
limit=$((one + one / 10 + 4096))
for t in 2 2 2 2 2 2 2 2 3 3; do
	rss=$(peak_rss $t)
	if [ "${rss:-0}" -gt 1000 ] && [ "$rss" -le "$limit" ]; then
		ok "$t threads: peak RSS $((rss / 1024)) MB, one thread $((one / 1024)) MB"
	else
		not_ok "$t threads: peak RSS ${rss:-?} KiB, over $limit (one thread: $one)"
	fi
done
for t in 2 3; do
	check "$t threads: the same report as one" cmp -s json.1 "json.$t"
done
finish
