/*
 * xref_sql.c - the application's SQL statements on given tables, for the
 * shadow to replay (see app_sql.h).
 *
 * The same walk and tokenizer as the cross-check (xref_files.c,
 * xref_lex.c): files that mention one of the tables are tokenized and
 * their SQL groups found (a run of string literals joined by
 * concatenation, or a statement of a .sql file); each group's text is put
 * back together and kept when it is a statement sluice can replay on one
 * of the tables.
 */
#include "app_sql.h"
#include "check.h"
#include "xref_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define APP_SQL_MAX_FILE (2u << 20)

struct collect {
	struct xref_keys keys;
	const struct strlist *tables;
	const struct schema *schema;
	struct app_sql *out;
	pthread_mutex_t lock;
};

/* A string literal's content as the program sees it (the common escapes undone). */
static void add_unescaped(struct strbuf *sb, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\\' || i + 1 == len) {
			strbuf_addch(sb, s[i]);
			continue;
		}
		char c = s[++i];
		strbuf_addch(sb, c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? ' ' : c);
	}
}

static char *group_text(const struct xref_file *f, const struct xref_group *g)
{
	struct strbuf sb = STRBUF_INIT;
	if (f->lang == LANG_SQL) {
		const char *from = f->t[g->first].s;
		const char *to = g->end < f->nr ? f->t[g->end].s : f->buf + f->len;
		strbuf_add(&sb, from, (size_t)(to - from));
	} else {
		for (size_t i = g->first; i < g->end; i++)
			if (f->t[i].kind == TK_STRING && is_code(f, i)) {
				add_unescaped(&sb, f->t[i].s, f->t[i].len);
				strbuf_addch(&sb, ' ');
			}
	}
	return strbuf_detach(&sb, NULL);
}

static bool names_a_table(const struct app_stmt *s, const struct strlist *tables)
{
	for (size_t i = 0; i < s->tables.nr; i++)
		if (strlist_has(tables, s->tables.items[i]))
			return true;
	return false;
}

static void keep(struct collect *c, struct app_stmt *s)
{
	pthread_mutex_lock(&c->lock);
	c->out->found++;
	ALLOC_GROW(c->out->v, c->out->nr + 1, c->out->alloc);
	c->out->v[c->out->nr++] = *s;
	pthread_mutex_unlock(&c->lock);
	free(s);
}

static int scan_file(const char *path, const char *buf, size_t len, void *data)
{
	struct collect *c = data;
	if (!xref_keys_match(&c->keys, buf, len))
		return 0;
	struct xref_set none = { NULL, 0, 0 };
	struct xref_ctx cx;
	struct xref_file f;
	memset(&cx, 0, sizeof(cx));
	memset(&f, 0, sizeof(f));
	cx.schema = c->schema;
	cx.set = &none;
	f.path = xstrdup(path);
	f.lang = xref_lang_of(path);
	f.buf = buf;
	f.len = len;
	xref_tokenize(&f);
	xref_structure(&f, &cx);
	for (size_t g = 0; g < f.nr_groups; g++) {
		if (!f.groups[g].sql || f.groups[g].first >= f.nr)
			continue;
		char *text = group_text(&f, &f.groups[g]);
		struct app_stmt *s = app_stmt_from(text, path, f.t[f.groups[g].first].line);
		free(text);
		if (s)
			s->end_line = f.t[(f.groups[g].end > f.nr ? f.nr : f.groups[g].end) - 1].line;
		if (s && names_a_table(s, c->tables))
			keep(c, s);
		else
			app_stmt_free(s);
	}
	strlist_clear(&cx.model_names);
	strlist_clear(&cx.model_tables);
	xref_file_release(&f);
	return 0;
}

static int by_place(const void *a, const void *b)
{
	const struct app_stmt *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

int app_sql_collect(const struct check_run *run, const struct strlist *tables, struct app_sql *out,
		    struct strbuf *err)
{
	struct collect c;
	struct xref_walk_stats stats;
	memset(out, 0, sizeof(*out));
	if (!run->ms.workdir || !tables->nr)
		return 0;
	memset(&c, 0, sizeof(c));
	c.tables = tables;
	c.schema = &run->schema;
	c.out = out;
	pthread_mutex_init(&c.lock, NULL);
	xref_keys_init(&c.keys);
	for (size_t i = 0; i < tables->nr; i++) {
		const char *dot = strrchr(tables->items[i], '.');
		xref_keys_add(&c.keys, dot ? dot + 1 : tables->items[i]);
	}
	int r = xref_walk(run->ms.workdir, &run->ms.dirs, APP_SQL_MAX_FILE, scan_file, &c, &stats, err);
	xref_keys_release(&c.keys);
	pthread_mutex_destroy(&c.lock);
	if (out->nr > 1)
		qsort(out->v, out->nr, sizeof(*out->v), by_place);
	while (out->nr > APP_SQL_MAX)
		app_stmt_clear(&out->v[--out->nr]);
	return r;
}
