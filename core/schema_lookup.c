/*
 * schema_lookup.c - the schema model's caches (see schema_lookup.h).
 *
 * Tables: an open-addressing hash maps a name's hash to a position in
 * s->tables. Every hit is checked against the table's current name, so
 * stale entries (a table moved or renamed) are harmless; a miss is
 * trusted, so whatever adds, renames or moves a table calls lookup_note().
 *
 * Indexes and constraints: a hash from a key (the table, or the index's
 * name) to the set of positions filed under it. Unlike the table hash these
 * sets are kept exact, since the arrays are swap-removed: schema.c reports
 * each append, removal and move.
 */
#include "schema_lookup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The positions filed under one key. */
struct posgroup {
	char *key;               /* NULL: empty slot */
	uint32_t hash;
	size_t *pos;
	size_t nr, alloc;
};

struct posmap {
	struct posgroup *v;
	size_t cap, used;        /* cap is 0 or a power of two */
};

struct schema_lookup {
	uint32_t *hash;          /* tables; 0: empty slot */
	uint32_t *pos;
	size_t cap, used;
	struct posmap ix_by_table, ix_by_name, cons_by_table;
};

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;    /* FNV-1a */
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h ? h : 1;
}

/* --- tables -------------------------------------------------------------- */

static void lookup_put(struct schema_lookup *l, uint32_t h, size_t pos)
{
	size_t i = h & (l->cap - 1);
	while (l->hash[i]) {
		if (l->hash[i] == h && l->pos[i] == pos)
			return;
		i = (i + 1) & (l->cap - 1);
	}
	l->hash[i] = h;
	l->pos[i] = (uint32_t)pos;
	l->used++;
}

static void lookup_rebuild(struct schema_lookup *l, const struct schema *s, size_t cap)
{
	free(l->hash);
	free(l->pos);
	l->cap = cap;
	l->used = 0;
	l->hash = xcalloc(cap, sizeof(*l->hash));
	l->pos = xcalloc(cap, sizeof(*l->pos));
	for (size_t i = 0; i < s->nr_tables; i++)
		lookup_put(l, name_hash(s->tables[i].name), i);
}

void lookup_note(const struct schema *s, const char *name, size_t pos)
{
	struct schema_lookup *l = s->lookup;
	if (!l)
		return;
	/* Stale entries pile up as tables move: rebuilding drops them. */
	if ((l->used + 1) * 2 > l->cap) {
		size_t cap = 64;    /* a power of two: probing masks with cap - 1 */
		while (cap < 4 * (s->nr_tables + 1))
			cap *= 2;
		lookup_rebuild(l, s, cap);
	}
	lookup_put(l, name_hash(name), pos);
}

struct table_def *lookup_find(const struct schema *s, const char *name)
{
	const struct schema_lookup *l = s->lookup;
	if (!l->cap)
		return NULL;
	uint32_t h = name_hash(name);
	for (size_t i = h & (l->cap - 1); l->hash[i]; i = (i + 1) & (l->cap - 1))
		if (l->hash[i] == h && l->pos[i] < s->nr_tables &&
		    !strcmp(s->tables[l->pos[i]].name, name))
			return &s->tables[l->pos[i]];
	return NULL;
}

/* --- position sets ------------------------------------------------------- */

static struct posgroup *posmap_find(const struct posmap *m, const char *key)
{
	if (!m->cap || !key)
		return NULL;
	uint32_t h = name_hash(key);
	for (size_t i = h & (m->cap - 1); m->v[i].key; i = (i + 1) & (m->cap - 1))
		if (m->v[i].hash == h && !strcmp(m->v[i].key, key))
			return &m->v[i];
	return NULL;
}

static struct posgroup *posmap_slot(struct posgroup *v, size_t cap, uint32_t h)
{
	size_t i = h & (cap - 1);
	while (v[i].key)
		i = (i + 1) & (cap - 1);
	return &v[i];
}

/* Groups are never removed (an emptied one waits for its key to come back). */
static struct posgroup *posmap_get(struct posmap *m, const char *key)
{
	struct posgroup *g = posmap_find(m, key);
	if (g)
		return g;
	if ((m->used + 1) * 2 > m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct posgroup *v = xcalloc(cap, sizeof(*v));
		for (size_t i = 0; i < m->cap; i++)
			if (m->v[i].key)
				*posmap_slot(v, cap, m->v[i].hash) = m->v[i];
		free(m->v);
		m->v = v;
		m->cap = cap;
	}
	uint32_t h = name_hash(key);
	g = posmap_slot(m->v, m->cap, h);
	g->key = xstrdup(key);
	g->hash = h;
	m->used++;
	return g;
}

static void posmap_add(struct posmap *m, const char *key, size_t pos)
{
	if (!key)
		return;
	struct posgroup *g = posmap_get(m, key);
	ALLOC_GROW(g->pos, g->nr + 1, g->alloc);
	g->pos[g->nr++] = pos;
}

static void posmap_del(struct posmap *m, const char *key, size_t pos)
{
	struct posgroup *g = posmap_find(m, key);
	for (size_t i = 0; g && i < g->nr; i++)
		if (g->pos[i] == pos) {
			g->pos[i] = g->pos[--g->nr];
			return;
		}
}

static void posmap_move(struct posmap *m, const char *key, size_t from, size_t to)
{
	struct posgroup *g = posmap_find(m, key);
	for (size_t i = 0; g && i < g->nr; i++)
		if (g->pos[i] == from) {
			g->pos[i] = to;
			return;
		}
}

static const size_t *posmap_positions(const struct posmap *m, const char *key, size_t *n)
{
	const struct posgroup *g = posmap_find(m, key);
	*n = g ? g->nr : 0;
	return g && g->nr ? g->pos : NULL;
}

static void posmap_clear(struct posmap *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->v[i].key);
		free(m->v[i].pos);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* --- indexes and constraints --------------------------------------------- */

void lookup_index_added(const struct schema *s, size_t i)
{
	struct schema_lookup *l = s->lookup;
	if (!l)
		return;
	posmap_add(&l->ix_by_table, s->indexes[i].table, i);
	posmap_add(&l->ix_by_name, s->indexes[i].name, i);
}

void lookup_index_removing(const struct schema *s, size_t i)
{
	struct schema_lookup *l = s->lookup;
	if (!l)
		return;
	posmap_del(&l->ix_by_table, s->indexes[i].table, i);
	posmap_del(&l->ix_by_name, s->indexes[i].name, i);
}

void lookup_index_moved(const struct schema *s, size_t from, size_t i)
{
	struct schema_lookup *l = s->lookup;
	if (!l)
		return;
	posmap_move(&l->ix_by_table, s->indexes[i].table, from, i);
	posmap_move(&l->ix_by_name, s->indexes[i].name, from, i);
}

void lookup_index_renamed(const struct schema *s, size_t i, const char *old)
{
	struct schema_lookup *l = s->lookup;
	if (!l)
		return;
	posmap_del(&l->ix_by_name, old, i);
	posmap_add(&l->ix_by_name, s->indexes[i].name, i);
}

void lookup_constraint_added(const struct schema *s, size_t i)
{
	if (s->lookup)
		posmap_add(&s->lookup->cons_by_table, s->cons[i].table, i);
}

void lookup_constraint_removing(const struct schema *s, size_t i)
{
	if (s->lookup)
		posmap_del(&s->lookup->cons_by_table, s->cons[i].table, i);
}

void lookup_constraint_moved(const struct schema *s, size_t from, size_t i)
{
	if (s->lookup)
		posmap_move(&s->lookup->cons_by_table, s->cons[i].table, from, i);
}

void lookup_reindex(const struct schema *s)
{
	struct schema_lookup *l = s->lookup;
	if (!l)
		return;
	posmap_clear(&l->ix_by_table);
	posmap_clear(&l->ix_by_name);
	posmap_clear(&l->cons_by_table);
	for (size_t i = 0; i < s->nr_indexes; i++)
		lookup_index_added(s, i);
	for (size_t i = 0; i < s->nr_cons; i++)
		lookup_constraint_added(s, i);
}

long lookup_index_named(const struct schema *s, const char *name)
{
	size_t n;
	const size_t *pos = posmap_positions(&s->lookup->ix_by_name, name, &n);
	long first = -1;
	for (size_t i = 0; i < n; i++)
		if (first < 0 || pos[i] < (size_t)first)
			first = (long)pos[i];
	return first;
}

const size_t *lookup_indexes_of(const struct schema *s, const char *table, size_t *n)
{
	return posmap_positions(&s->lookup->ix_by_table, table, n);
}

const size_t *lookup_constraints_of(const struct schema *s, const char *table, size_t *n)
{
	return posmap_positions(&s->lookup->cons_by_table, table, n);
}

/* --- life ---------------------------------------------------------------- */

struct schema_lookup *lookup_new(void)
{
	return xcalloc(1, sizeof(struct schema_lookup));
}

void lookup_free(struct schema_lookup *l)
{
	if (!l)
		return;
	free(l->hash);
	free(l->pos);
	posmap_clear(&l->ix_by_table);
	posmap_clear(&l->ix_by_name);
	posmap_clear(&l->cons_by_table);
	free(l);
}

/* --- columns ------------------------------------------------------------- */

/*
 * A wide table's columns by name: CREATE TABLE with 200,000 columns looked
 * each new one up among those before it (quadratic, 86 s). Built on the
 * first lookup in a table past a few columns, kept up to date on append,
 * dropped on any other change (a drop shifts positions, a rename changes
 * a name) and built again when next needed.
 */
struct col_index {
	uint32_t *slot;          /* position + 1; 0: empty */
	size_t cap;              /* a power of two, over twice nr_cols */
};

#define COL_INDEX_MIN 16     /* below this a scan is as quick */

static void col_put(struct col_index *ci, const struct table_def *t, size_t pos)
{
	size_t i = name_hash(t->cols[pos].name) & (ci->cap - 1);
	while (ci->slot[i])
		i = (i + 1) & (ci->cap - 1);
	ci->slot[i] = (uint32_t)pos + 1;
}

static struct col_index *col_index_build(const struct table_def *t)
{
	struct col_index *ci = xcalloc(1, sizeof(*ci));
	ci->cap = 64;
	while (ci->cap < 2 * t->nr_cols + 2)
		ci->cap *= 2;
	ci->slot = xcalloc(ci->cap, sizeof(*ci->slot));
	/* from the last: a first-match scan finds the first of a repeated name */
	for (size_t i = t->nr_cols; i-- > 0;)
		col_put(ci, t, i);
	return ci;
}

void lookup_columns_changed(struct table_def *t)
{
	if (t->col_index) {
		free(t->col_index->slot);
		free(t->col_index);
		t->col_index = NULL;
	}
}

void lookup_column_added(struct table_def *t)
{
	struct col_index *ci = t->col_index;
	if (!ci)
		return;
	if (2 * t->nr_cols + 2 > ci->cap) {
		lookup_columns_changed(t);
		return; /* rebuilt, bigger, on the next lookup */
	}
	col_put(ci, t, t->nr_cols - 1);
}

struct column *lookup_column(const struct table_def *t, const char *name)
{
	if (t->nr_cols < COL_INDEX_MIN || t->nr_cols > UINT32_MAX - 1) {
		for (size_t i = 0; i < t->nr_cols; i++)
			if (str_eq(t->cols[i].name, name))
				return &t->cols[i];
		return NULL;
	}
	/* a cache: filled in through a const table, as the lookups above are */
	struct table_def *mt = (struct table_def *)t;
	if (!mt->col_index)
		mt->col_index = col_index_build(t);
	struct col_index *ci = mt->col_index;
	struct column *found = NULL;
	for (size_t i = name_hash(name) & (ci->cap - 1); ci->slot[i]; i = (i + 1) & (ci->cap - 1)) {
		struct column *c = &t->cols[ci->slot[i] - 1];
		/* the lowest position wins, as in a scan */
		if (str_eq(c->name, name) && (!found || c < found))
			found = c;
	}
	return found;
}
