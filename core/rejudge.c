/*
 * rejudge.c - file stamps and following a statement across an edit (see
 * rejudge.h).
 */
#include "rejudge.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/*
 * The kernel stamps files from a coarse clock that may lag the one we read
 * by a tick (a few ms). Comparing with the scan's start as it is, a file
 * written in the scan's first tick may look older than the scan and be
 * missed until its next write; allowing for the lag instead would take
 * every file written just before a scan for one written during it, and
 * judge a whole repository twice. The lag is allowed for only where it
 * keeps a future stamp from looking current.
 */
#define CLOCK_SLACK_NS 10000000LL

static long long wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void stamp(struct file_stamp *fs, const char *root, const char *path)
{
	struct stat st;
	char *full = *path == '/' ? xstrdup(path) : xstrfmt("%s%s", root, path);
	fs->mtime_ns = -1;
	fs->size = 0;
	fs->ino = 0;
	if (!stat(full, &st)) {
		fs->mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		fs->size = (long long)st.st_size;
		fs->ino = st.st_ino;
	}
	free(full);
}

static bool stamped(const struct file_stamps *s, const char *path)
{
	/* A migration's up and down are often one file (goose, Rails): the last one added. */
	return s->nr && !strcmp(s->v[s->nr - 1].path, path);
}

void file_stamps_take(struct file_stamps *s, const char *root, const struct report *r, double since)
{
	long long since_ns = (long long)(since * 1e9), now = wall_ns() + CLOCK_SLACK_NS;

	file_stamps_release(s);
	s->root = xstrdup(root ? root : "");
	for (size_t i = 0; i < r->nr; i++) {
		const char *path = r->files[i].path;
		if (!path || stamped(s, path))
			continue;
		ALLOC_GROW(s->v, s->nr + 1, s->alloc);
		struct file_stamp *fs = &s->v[s->nr++];
		fs->path = xstrdup(path);
		stamp(fs, s->root, path);
		/* Written while the scan ran (not a clock-skewed future stamp, which would loop). */
		if (since > 0 && fs->mtime_ns > since_ns && fs->mtime_ns <= now)
			s->stale = true;
	}
}

const char *file_stamps_changed(const struct file_stamps *s)
{
	for (size_t i = 0; i < s->nr; i++) {
		struct file_stamp now;
		stamp(&now, s->root, s->v[i].path);
		if (s->stale || now.mtime_ns != s->v[i].mtime_ns || now.size != s->v[i].size ||
		    now.ino != s->v[i].ino)
			return s->v[i].path;
	}
	return NULL;
}

void file_stamps_release(struct file_stamps *s)
{
	for (size_t i = 0; i < s->nr; i++)
		free(s->v[i].path);
	free(s->v);
	free(s->root);
	*s = (struct file_stamps)FILE_STAMPS_INIT;
}

static bool same_stmt(const struct stmt *a, const struct stmt *b)
{
	return a->sql && b->sql && !strcmp(a->sql, b->sql);
}

/* Past this many cells the middle is matched by position only (a file of thousands of statements rewritten). */
#define MAX_LCS_CELLS ((size_t)1 << 22)

/*
 * The partner in now[n0, n1) of old[at] (old[o0, o1) being the edited
 * middle), by the longest common subsequence of the two middles: -1 when
 * it has none; else *below and *above bound where an unmatched one went:
 * the partners of its nearest matched neighbours (*from: the old index
 * after the one below).
 */
static long lcs_partner(const struct stmt *old, size_t o0, size_t o1, const struct stmt *now, size_t n0,
			size_t n1, size_t at, size_t *from, size_t *below, size_t *above)
{
	size_t n = o1 - o0, m = n1 - n0, w = m + 1;
	long partner = -1;
	if (!n || !m || (n + 1) * w > MAX_LCS_CELLS)
		return -1;
	unsigned *len = xcalloc((n + 1) * w, sizeof(*len));
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			len[i * w + j] = same_stmt(&old[o0 + i], &now[n0 + j]) ? len[(i + 1) * w + j + 1] + 1
			      : len[(i + 1) * w + j] > len[i * w + j + 1] ? len[(i + 1) * w + j] : len[i * w + j + 1];
	for (size_t i = 0, j = 0; i < n && j < m;) {
		if (same_stmt(&old[o0 + i], &now[n0 + j])) {
			if (o0 + i == at)
				partner = (long)(n0 + j);
			else if (o0 + i < at)
				*below = n0 + j + 1, *from = o0 + i + 1;
			else if (n0 + j < *above)
				*above = n0 + j;
			i++, j++;
		} else if (len[(i + 1) * w + j] >= len[i * w + j + 1]) {
			i++;
		} else {
			j++;
		}
	}
	free(len);
	return partner;
}

long stmt_follow(const struct stmt *old, size_t nr_old, long at, const struct stmt *now, size_t nr_now)
{
	size_t head = 0, tail = 0;

	if (!nr_now || at < 0 || (size_t)at >= nr_old)
		return -1;
	while (head < nr_old && head < nr_now && same_stmt(&old[head], &now[head]))
		head++;
	while (tail < nr_old - head && tail < nr_now - head &&
	       same_stmt(&old[nr_old - 1 - tail], &now[nr_now - 1 - tail]))
		tail++;
	if ((size_t)at < head)
		return at;
	if ((size_t)at >= nr_old - tail)
		return (long)(nr_now - (nr_old - (size_t)at));
	/*
	 * In the edited middle: the statement itself if it is still there
	 * (moved by what was added or removed around it), else the same place
	 * after its nearest unchanged neighbour, among what replaced it.
	 */
	size_t from = head, below = head, above = nr_now - tail;
	long partner = lcs_partner(old, head, nr_old - tail, now, head, nr_now - tail, (size_t)at, &from, &below,
				   &above);
	if (partner >= 0)
		return partner;
	if (below >= above)   /* nothing replaced it: the statement after, or the last */
		return (long)(above < nr_now ? above : nr_now - 1);
	size_t want = below + ((size_t)at - from);
	return (long)(want < above ? want : above - 1);
}
