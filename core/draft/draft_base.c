/*
 * draft_base.c - the draft container (files, notes, the first reason it
 * failed) and the schema the history leaves, which every draft is built
 * on. A leaf: the split, the downs, the runbook and the verification all
 * use it, and it calls none of them.
 */
#include "draft.h"
#include "parse.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void draft_init(struct draft *d)
{
	memset(d, 0, sizeof(*d));
}

void draft_release(struct draft *d)
{
	for (size_t i = 0; i < d->nr; i++) {
		free(d->files[i].path);
		free(d->files[i].text);
		free(d->files[i].purpose);
	}
	free(d->files);
	free(d->title);
	free(d->origin);
	free(d->failed);
	free(d->shadow);
	strlist_clear(&d->notes);
	memset(d, 0, sizeof(*d));
}

struct draft_file *draft_add_file(struct draft *d, const char *path, char *text,
				  const char *purpose, bool sql)
{
	ALLOC_GROW(d->files, d->nr + 1, d->alloc);
	struct draft_file *f = &d->files[d->nr++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->text = text;
	f->purpose = xstrdup(nonnull(purpose));
	f->sql = sql;
	f->dir = DIR_UP;
	return f;
}

void draft_fail(struct draft *d, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (d->failed) {
		strbuf_release(&sb);
		return; /* the first reason is the one to show */
	}
	d->failed = strbuf_detach(&sb, NULL);
}

void draft_history_schema(const struct migration_set *ms, size_t upto, struct schema *out)
{
	schema_init(out);
	for (size_t i = 0; i < upto && i < ms->nr; i++) {
		schema_begin_migration(out, ms->v[i]->id);
		if (ms->v[i]->up)
			replay_script(out, ms->v[i]->up);
	}
}
