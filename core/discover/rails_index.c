/*
 * rails_index.c - the indexes earlier Rails migration calls made (struct
 * rindexes, rails_int.h), so that rename_column and rename_table send the
 * ALTER INDEX statements ActiveRecord 6.1 sends after them:
 *
 *   rename_column_indexes(table, old, new)   postgresql/schema_statements.rb
 *     each index of the table (by name) whose columns, with the new name
 *     put back to the old once, give the name ActiveRecord derives
 *     (index_<table>_on_<a>_and_<b>) is renamed to the name derived from
 *     its columns now;
 *   rename_table_indexes(old, new)
 *     each index of the renamed table (by name) named as derived from the
 *     old table's name is renamed to the one derived from the new.
 *
 * ActiveRecord lists them from the database (`indexes`, ORDER BY relname,
 * which sorts as bytes); sluice from what the migrations before made. A
 * new name over 63 bytes makes ActiveRecord raise (validate_index_length!).
 */
#include "rails_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_INDEX_NAME 63

static void rindex_release(struct rindex *r)
{
	free(r->table);
	free(r->name);
	strlist_clear(&r->cols);
}

void rindexes_release(struct rindexes *ix)
{
	for (size_t i = 0; ix && i < ix->nr; i++)
		rindex_release(&ix->v[i]);
	if (ix) {
		free(ix->v);
		memset(ix, 0, sizeof(*ix));
	}
}

static struct rindex *add(struct rindexes *ix, const char *table, const char *name)
{
	ALLOC_GROW(ix->v, ix->nr + 1, ix->alloc);
	struct rindex *r = &ix->v[ix->nr++];
	memset(r, 0, sizeof(*r));
	r->table = xstrdup(table);
	r->name = xstrdup(name);
	return r;
}

void rindexes_copy(struct rindexes *to, const struct rindexes *from)
{
	for (size_t i = 0; i < from->nr; i++) {
		struct rindex *r = add(to, from->v[i].table, from->v[i].name);
		for (size_t k = 0; k < from->v[i].cols.nr; k++)
			strlist_add(&r->cols, from->v[i].cols.items[k]);
	}
}

/* Keeps the entries `drop` says no to. */
static void drop_where(struct rindexes *ix, bool (*drop)(const struct rindex *, const char *, const char *),
		       const char *a, const char *b)
{
	size_t out = 0;
	for (size_t i = 0; ix && i < ix->nr; i++) {
		if (drop(&ix->v[i], a, b))
			rindex_release(&ix->v[i]);
		else
			ix->v[out++] = ix->v[i];
	}
	if (ix)
		ix->nr = out;
}

static bool named(const struct rindex *r, const char *name, const char *unused)
{
	(void)unused;
	return !strcmp(r->name, name);
}

static bool on_table(const struct rindex *r, const char *table, const char *unused)
{
	(void)unused;
	return !strcmp(r->table, table);
}

/* PostgreSQL drops the indexes a dropped column is in. */
static bool with_column(const struct rindex *r, const char *table, const char *col)
{
	return !strcmp(r->table, table) && strlist_has(&r->cols, col);
}

void rindex_made(struct rindexes *ix, const char *table, const char *name, const struct rvalue *cols,
		 bool expression)
{
	if (!ix)
		return;
	drop_where(ix, named, name, NULL);   /* if_not_exists, or a name made again */
	struct rindex *r = add(ix, table, name);
	size_t n = cols->kind == RV_ARRAY ? cols->nr : 1;
	for (size_t i = 0; i < n && !expression; i++)
		strlist_add(&r->cols, nonnull(rv_name(cols->kind == RV_ARRAY ? &cols->items[i] : cols)));
}

void rindex_dropped(struct rindexes *ix, const char *name)
{
	drop_where(ix, named, name, NULL);
}

void rindex_table_dropped(struct rindexes *ix, const char *table)
{
	drop_where(ix, on_table, table, NULL);
}

void rindex_column_dropped(struct rindexes *ix, const char *table, const char *col)
{
	drop_where(ix, with_column, table, col);
}

/* index_name(table, column: cols): index_<table>_on_<a>_and_<b> */
static char *derived_name(const char *table, const struct strlist *cols)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "index_%s_on_", table);
	for (size_t i = 0; i < cols->nr; i++)
		strbuf_addf(&sb, "%s%s", i ? "_and_" : "", cols->items[i]);
	return strbuf_detach(&sb, NULL);
}

static int by_name(const void *a, const void *b)
{
	const struct rindex *x = *(const struct rindex *const *)a, *y = *(const struct rindex *const *)b;
	return strcmp(x->name, y->name);
}

/* The table's indexes with columns, as `indexes(table)` lists them: by name. */
static size_t indexes_of(struct rindexes *ix, const char *table, struct rindex ***out)
{
	size_t n = 0;
	*out = xcalloc(ix->nr + 1, sizeof(**out));
	for (size_t i = 0; i < ix->nr; i++)
		if (!strcmp(ix->v[i].table, table) && ix->v[i].cols.nr)
			(*out)[n++] = &ix->v[i];
	qsort(*out, n, sizeof(**out), by_name);
	return n;
}

/* rename_index: ALTER INDEX "old" RENAME TO "new", or false when `to` is too long. */
static bool rename_index(struct rindex *r, char *to, const char *table, const struct rcall *c,
			 struct remits *out)
{
	if (strlen(to) > MAX_INDEX_NAME) {
		remit_untranslated(out, c, "ActiveRecord raises ArgumentError renaming index '%s': "
				   "Index name '%s' on table '%s' is too long; the limit is %d "
				   "characters", r->name, to, table, MAX_INDEX_NAME);
		free(to);
		return false;
	}
	char *a = rsql_ident(r->name), *b = rsql_ident(to);
	remit_sql(out, c->line, xstrfmt("ALTER INDEX %s RENAME TO %s", a, b));
	free(a);
	free(b);
	free(r->name);
	r->name = to;
	return true;
}

void rindex_rename_column(struct rindexes *ix, const char *table, const char *from, const char *to,
			  const struct rcall *c, struct remits *out)
{
	struct rindex **v;
	if (!ix)
		return;
	/* the database's columns are renamed first: the indexes show the new name */
	for (size_t i = 0; i < ix->nr; i++)
		for (size_t k = 0; !strcmp(ix->v[i].table, table) && k < ix->v[i].cols.nr; k++)
			if (!strcmp(ix->v[i].cols.items[k], from)) {
				free(ix->v[i].cols.items[k]);
				ix->v[i].cols.items[k] = xstrdup(to);
			}
	size_t n = indexes_of(ix, table, &v);
	for (size_t i = 0; i < n; i++) {
		struct strlist *cols = &v[i]->cols;
		size_t k = 0;
		while (k < cols->nr && strcmp(cols->items[k], to))
			k++;
		if (k == cols->nr)
			continue;
		char *now = cols->items[k];
		cols->items[k] = (char *)from;
		char *old = derived_name(table, cols);
		cols->items[k] = now;
		if (!strcmp(old, v[i]->name) && !rename_index(v[i], derived_name(table, cols), table, c, out))
			i = n;   /* ActiveRecord stops at the error */
		free(old);
	}
	free(v);
}

void rindex_rename_table(struct rindexes *ix, const char *from, const char *to, const struct rcall *c,
			 struct remits *out)
{
	struct rindex **v;
	if (!ix)
		return;
	for (size_t i = 0; i < ix->nr; i++)
		if (!strcmp(ix->v[i].table, from)) {
			free(ix->v[i].table);
			ix->v[i].table = xstrdup(to);
		}
	size_t n = indexes_of(ix, to, &v);
	for (size_t i = 0; i < n; i++) {
		char *old = derived_name(from, &v[i]->cols);
		if (!strcmp(old, v[i]->name) && !rename_index(v[i], derived_name(to, &v[i]->cols), to, c, out))
			i = n;
		free(old);
	}
	free(v);
}
