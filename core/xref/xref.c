/*
 * xref.c - the app-code cross-check's driver (see xref.h).
 *
 *   1. the schema elements the pending up scripts change (xref_extract.c);
 *   2. one walk over the repository's source: every file goes through the
 *      one-pass prefilter for all the names at once, and only files that
 *      mention one are kept (xref_files.c, xref_lex.c);
 *   3. those are tokenized and given structure; the models they declare
 *      are pooled, so that `User.where(email: ...)` in a controller knows
 *      what a model file says `User` maps to;
 *   4. each candidate is matched against every element (xref_match.c);
 *   5. the verdict goes onto the statements and files (xref_compat.c).
 */
#include "xref_int.h"
#include "check.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Files over this size are data or generated code, not something people edit. */
#define XREF_MAX_FILE_SIZE (2u << 20)

const char *xref_confidence_name(int confidence)
{
	switch (confidence) {
	case XREF_SQL:
		return "sql";
	case XREF_ORM:
		return "orm";
	case XREF_BARE:
		return "identifier";
	}
	return "?";
}

struct candidate {
	char *path;
	char *buf;
	size_t len;
};

struct scan {
	struct xref_keys keys;
	struct candidate *v;
	size_t nr, alloc;
	pthread_mutex_t lock;    /* keep_candidate runs on the walk's threads */
};

static int keep_candidate(const char *path, const char *buf, size_t len, void *data)
{
	struct scan *sc = data;
	if (!xref_keys_match(&sc->keys, buf, len))
		return 0;
	pthread_mutex_lock(&sc->lock);
	ALLOC_GROW(sc->v, sc->nr + 1, sc->alloc);
	sc->v[sc->nr].path = xstrdup(path);
	sc->v[sc->nr].buf = xstrndup(buf, len);
	sc->v[sc->nr].len = len;
	sc->nr++;
	pthread_mutex_unlock(&sc->lock);
	return 0;
}

static void add_table_keys(struct xref_keys *k, const char *table)
{
	char *one = xref_singular(table);
	xref_keys_add(k, table);
	xref_keys_add(k, one);
	free(one);
}

static void build_keys(struct xref_keys *k, const struct xref_set *set)
{
	xref_keys_init(k);
	for (size_t i = 0; i < set->nr; i++) {
		const struct xref_elem *e = &set->v[i];
		if (e->column && !xref_change_notnull(e->change))
			xref_keys_add(k, e->column);
		else
			add_table_keys(k, e->table);
	}
}

static void extract_file(const struct check_run *run, size_t f, struct xref_set *set)
{
	const struct file_report *fr = &run->report.files[f];
	if (fr->dir != DIR_UP && fr->dir != DIR_REPEATABLE)
		return;
	for (size_t s = 0; s < fr->nr_stmts; s++)
		if (!fr->stmts[s].new_table)
			xref_extract(&fr->stmts[s], f, s, set);
}

static void extract_all(struct check_run *run, struct xref_set *set)
{
	if (run->xref_facts) {
		/* taken file by file as judged, before the trees were freed */
		*set = *run->xref_facts;
		free(run->xref_facts);
		run->xref_facts = NULL;
		return;
	}
	for (size_t f = 0; f < run->report.nr; f++)
		extract_file(run, f, set);
}

void xref_extract_file(struct check_run *run, size_t f)
{
	if (!run->xref_facts)
		run->xref_facts = xcalloc(1, sizeof(*run->xref_facts));
	extract_file(run, f, run->xref_facts);
}

void xref_facts_free(struct check_run *run)
{
	if (run->xref_facts) {
		xref_set_release(run->xref_facts);
		free(run->xref_facts);
		run->xref_facts = NULL;
	}
}

/* Tokenizes every candidate, pools their models, then matches each. */
static void match_candidates(struct scan *sc, struct xref_ctx *cx)
{
	struct xref_file *files = xcalloc(sc->nr + 1, sizeof(*files));
	for (size_t i = 0; i < sc->nr; i++) {
		files[i].path = xstrdup(sc->v[i].path);
		files[i].lang = xref_lang_of(sc->v[i].path);
		files[i].buf = sc->v[i].buf;
		files[i].len = sc->v[i].len;
		xref_tokenize(&files[i]);
		xref_structure(&files[i], cx);
	}
	for (size_t i = 0; i < sc->nr; i++) {
		xref_match_file(&files[i], cx);
		xref_file_release(&files[i]);
	}
	free(files);
}

static int cmp_ref(const void *a, const void *b)
{
	const struct app_ref *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

int xref_annotate(struct check_run *run)
{
	struct xref_set set = { NULL, 0, 0 };
	struct scan sc;
	struct xref_ctx cx;
	struct xref_walk_stats stats;
	struct strbuf err = STRBUF_INIT;
	double t0 = now_seconds();
	int ret = 0;

	if (!run->ms.workdir)
		return 0;
	extract_all(run, &set);
	if (!set.nr) {
		xref_set_release(&set);
		return 0;
	}
	memset(&sc, 0, sizeof(sc));
	pthread_mutex_init(&sc.lock, NULL);
	build_keys(&sc.keys, &set);
	if (xref_walk(run->ms.workdir, &run->ms.dirs, XREF_MAX_FILE_SIZE, keep_candidate, &sc,
		      &stats, &err) < 0) {
		strlist_add(&run->report.errors, err.buf);
		ret = -1;
	} else {
		memset(&cx, 0, sizeof(cx));
		cx.schema = &run->schema;
		cx.set = &set;
		match_candidates(&sc, &cx);
		strlist_clear(&cx.model_names);
		strlist_clear(&cx.model_tables);
		for (size_t i = 0; i < set.nr; i++)
			if (set.v[i].nr_hits > 1)
				qsort(set.v[i].hits, set.v[i].nr_hits, sizeof(*set.v[i].hits), cmp_ref);
		xref_conclude(run, &set, now_seconds() - t0, &stats);
	}
	for (size_t i = 0; i < sc.nr; i++) {
		free(sc.v[i].path);
		free(sc.v[i].buf);
	}
	free(sc.v);
	xref_keys_release(&sc.keys);
	pthread_mutex_destroy(&sc.lock);
	xref_set_release(&set);
	strbuf_release(&err);
	return ret;
}
