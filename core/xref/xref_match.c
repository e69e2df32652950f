/*
 * xref_match.c - finding references to schema elements in one source file.
 *
 * A tokenized file is first given structure:
 *   - scopes: the classes, structs and models an ORM maps to a table
 *     (ActiveRecord by inflection, Django, SQLAlchemy, Prisma, GORM and sqlc
 *     structs, JPA/Kotlin and TypeORM/Sequelize entities, diesel's table!
 *     blocks and #[diesel(table_name = ...)] structs);
 *   - groups: SQL, either a statement of a .sql file or a run of string
 *     literals joined by concatenation, with the tables it names.
 * Then each identifier that names a sought column is weighed in its
 * context: SQL that names the table (XREF_SQL), an ORM attribute of a model
 * of that table (XREF_ORM), or just the identifier (XREF_BARE). When the
 * context names a different table, it is not a reference at all: that is
 * how `email` of `accounts` stays out of a report about `users.email`.
 */
#include "xref_int.h"
#include "schema.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- what tables exist ---------------------------------------------------------- */

bool xref_known_table(const struct xref_ctx *cx, const char *table)
{
	if (cx->schema && schema_table(cx->schema, table))
		return true;
	for (size_t i = 0; i < cx->set->nr; i++)
		if (!strcmp(cx->set->v[i].table, table))
			return true;
	return false;
}

/* The first of the candidate names that is a known table, or NULL. */
/* --- SQL groups -------------------------------------------------------------------- */

static struct xref_group *new_group(struct xref_file *f, size_t first, size_t end)
{
	ALLOC_GROW(f->groups, f->nr_groups + 1, f->alloc_groups);
	struct xref_group *g = &f->groups[f->nr_groups++];
	memset(g, 0, sizeof(*g));
	g->first = first;
	g->end = end;
	for (size_t i = first; i < end; i++)
		f->group_of[i] = (int)(f->nr_groups - 1);
	return g;
}

/* Within a group, the next token that is SQL (not a string's opening token). */
static size_t sql_next(const struct xref_file *f, const struct xref_group *g, size_t i)
{
	for (i++; i < g->end; i++)
		if (f->lang == LANG_SQL || !is_code(f, i))
			return i;
	return g->end;
}

static bool is_name(const struct tok *t)
{
	return t->kind == TK_IDENT || t->kind == TK_QIDENT;
}

/* Reads `[schema.]table [[AS] alias]` at i; returns the token after it. */
static size_t read_relation(const struct xref_file *f, struct xref_group *g, size_t i)
{
	if (i >= g->end || !is_name(&f->t[i]))
		return i;
	if (f->t[i].kind == TK_IDENT && (tok_ieq(&f->t[i], "only") || tok_ieq(&f->t[i], "lateral")))
		i = sql_next(f, g, i);
	if (i >= g->end || !is_name(&f->t[i]))
		return i;
	char *name = sql_name(&f->t[i]);
	size_t j = sql_next(f, g, i);
	if (j < g->end && tok_punct(&f->t[j], '.')) {
		size_t k = sql_next(f, g, j);
		if (k < g->end && is_name(&f->t[k])) {
			char *rel = sql_name(&f->t[k]);
			char *q = strcmp(name, "public") ? xstrfmt("%s.%s", name, rel) : xstrdup(rel);
			free(rel);
			free(name);
			name = q;
			j = sql_next(f, g, k);
		}
	}
	char *alias = NULL;
	if (j < g->end && f->t[j].kind == TK_IDENT && tok_ieq(&f->t[j], "as"))
		j = sql_next(f, g, j);
	if (j < g->end && is_name(&f->t[j]) &&
	    !(f->t[j].kind == TK_IDENT && xref_is_sql_keyword(f->t[j].s, f->t[j].len))) {
		alias = sql_name(&f->t[j]);
		j = sql_next(f, g, j);
	}
	strlist_add_nodup(&g->tables, name);
	strlist_add_nodup(&g->aliases, alias ? alias : xstrdup(""));
	return j;
}

static void group_tables(const struct xref_file *f, struct xref_group *g)
{
	bool sel = false, from = false, ins = false, into = false, upd = false, set = false,
	     del = false, ret = false, join = false;
	for (size_t i = g->first; i < g->end; i = sql_next(f, g, i)) {
		const struct tok *t = &f->t[i];
		if (t->kind != TK_IDENT || (f->lang != LANG_SQL && is_code(f, i)))
			continue;
		sel |= tok_ieq(t, "select");
		ins |= tok_ieq(t, "insert");
		into |= tok_ieq(t, "into");
		upd |= tok_ieq(t, "update");
		set |= tok_ieq(t, "set");
		del |= tok_ieq(t, "delete");
		ret |= tok_ieq(t, "returning");
		join |= tok_ieq(t, "join");
		if (tok_ieq(t, "from") || tok_ieq(t, "join") || tok_ieq(t, "into") ||
		    tok_ieq(t, "update") || tok_ieq(t, "table")) {
			from |= tok_ieq(t, "from");
			size_t j = read_relation(f, g, sql_next(f, g, i));
			while (tok_ieq(t, "from") && j < g->end && tok_punct(&f->t[j], ','))
				j = read_relation(f, g, sql_next(f, g, j));
		}
	}
	g->sql = f->lang == LANG_SQL || (sel && from) || (ins && into) || (upd && set) ||
		 (del && from) || ret || (join && from);
}

/* A run of string literals joined by +, ., \ or nothing (Python, C). */
static void find_string_groups(struct xref_file *f)
{
	for (size_t i = 0; i < f->nr;) {
		if (f->t[i].kind != TK_STRING || !is_code(f, i)) {
			i++;
			continue;
		}
		size_t first = i, end = next_code(f, i);
		for (;;) {
			size_t j = end;
			if (j < f->nr && f->t[j].kind == TK_PUNCT &&
			    (tok_punct(&f->t[j], '+') || tok_punct(&f->t[j], '.') || tok_punct(&f->t[j], '\\')))
				j = next_code(f, j);
			if (j < f->nr && f->t[j].kind == TK_STRING)
				end = next_code(f, j);
			else
				break;
		}
		group_tables(f, new_group(f, first, end));
		i = end;
	}
}

static void find_sql_statements(struct xref_file *f)
{
	size_t first = 0;
	for (size_t i = 0; i <= f->nr; i++) {
		if (i < f->nr && !tok_punct(&f->t[i], ';'))
			continue;
		if (i > first)
			group_tables(f, new_group(f, first, i));
		first = i + 1;
	}
}

void xref_structure(struct xref_file *f, struct xref_ctx *cx)
{
	f->group_of = xmalloc((f->nr + 1) * sizeof(*f->group_of));
	for (size_t i = 0; i < f->nr; i++)
		f->group_of[i] = -1;
	if (f->lang == LANG_SQL) {
		find_sql_statements(f);
		return;
	}
	xref_find_scopes(f, cx);
	find_string_groups(f);
	for (size_t i = 0; i < f->nr_scopes; i++) {
		if (!f->scopes[i].name || !f->scopes[i].table || f->scopes[i].schema_dsl)
			continue;
		strlist_add(&cx->model_names, f->scopes[i].name);
		strlist_add(&cx->model_tables, f->scopes[i].table);
	}
}

/* --- matching ------------------------------------------------------------------------ */

/* Does a table name seen in code ("t" or "schema.t") name the element's table? */
static bool names_table(const struct xref_elem *e, const char *t)
{
	const char *dot = strchr(t, '.');
	if (!dot)
		return !strcmp(t, e->table);
	size_t sl = (size_t)(dot - t);
	if (strcmp(dot + 1, e->table))
		return false;
	if (!e->schema)
		return sl == 6 && !strncmp(t, "public", 6);
	return strlen(e->schema) == sl && !strncmp(t, e->schema, sl);
}

static bool group_names_table(const struct xref_group *g, const struct xref_elem *e)
{
	for (size_t i = 0; i < g->tables.nr; i++)
		if (names_table(e, g->tables.items[i]))
			return true;
	return false;
}

/* The table an alias (or a table name) stands for in a group; NULL if neither. */
static const char *group_resolve(const struct xref_group *g, const char *q)
{
	for (size_t i = 0; i < g->tables.nr; i++) {
		const char *t = g->tables.items[i], *dot = strrchr(t, '.');
		if (!strcmp(g->aliases.items[i], q) || !strcmp(t, q) || (dot && !strcmp(dot + 1, q)))
			return t;
	}
	return NULL;
}

/* An identifier in SQL naming the element's column: 0 or XREF_SQL/XREF_BARE. */
static int sql_column_ref(const struct xref_file *f, const struct xref_ctx *cx,
			  const struct xref_group *g, size_t i, const struct xref_elem *e)
{
	const struct tok *t = &f->t[i];
	char *name = sql_name(t);
	bool same = !strcmp(name, e->column);
	free(name);
	if (!same)
		return 0;
	size_t p = i > g->first ? i - 1 : i;
	size_t n = sql_next(f, g, i);
	if (n < g->end && tok_punct(&f->t[n], '('))
		return 0;   /* a function of the same name */
	if (p != i && f->t[p].kind == TK_IDENT && tok_ieq(&f->t[p], "as"))
		return 0;   /* an output name */
	if (p != i && p > g->first && tok_punct(&f->t[p], '.') && is_name(&f->t[p - 1])) {
		char *q = sql_name(&f->t[p - 1]);
		const char *rel = group_resolve(g, q);
		int r = -1;
		if (names_table(e, q) || (rel && names_table(e, rel)))
			r = XREF_SQL;
		else if (rel || xref_known_table(cx, q))
			r = 0;
		free(q);
		if (r >= 0)
			return r;
	}
	if (!g->tables.nr)
		return g->sql ? XREF_SQL : XREF_BARE;
	return group_names_table(g, e) ? XREF_SQL : 0;
}

static bool model_declared(const struct xref_ctx *cx, const struct tok *t)
{
	for (size_t i = 0; i < cx->model_names.nr; i++)
		if (strlen(cx->model_names.items[i]) == t->len &&
		    !strncasecmp(cx->model_names.items[i], t->s, t->len))
			return true;
	return false;
}

/* The table a qualifier or model name in code stands for; NULL when unknown. */
static const char *model_table(const struct xref_ctx *cx, const struct tok *t, char **owned)
{
	*owned = NULL;
	for (size_t i = 0; i < cx->model_names.nr; i++)
		if (strlen(cx->model_names.items[i]) == t->len &&
		    !strncasecmp(cx->model_names.items[i], t->s, t->len))
			return cx->model_tables.items[i];
	*owned = xref_convention_table(cx, t->s, t->len);
	return *owned;
}

static const struct xref_scope *scope_at(const struct xref_file *f, size_t i)
{
	const struct xref_scope *best = NULL;
	for (size_t k = 0; k < f->nr_scopes; k++) {
		const struct xref_scope *s = &f->scopes[k];
		if (i >= s->first && i < s->end && (!best || s->first >= best->first))
			best = s;
	}
	return best;
}

/*
 * How sure an identifier in code (or in a mapping string) refers to the
 * element's column on its table: 0 when the context names another table.
 */
static int code_context(const struct xref_file *f, const struct xref_ctx *cx, size_t i,
			const struct xref_elem *e)
{
	size_t p = prev_code(f, is_code(f, i) ? i : (size_t)f->t[i].str);
	const struct xref_scope *s;
	char *owned;
	int r = -1;

	/* diesel: users::email, users::dsl::email */
	if (is_code(f, i) && p != (size_t)-1 && p > 1 && tok_punct(&f->t[p], ':') &&
	    tok_punct(&f->t[p - 1], ':')) {
		size_t q = prev_code(f, p - 1);
		if (q != (size_t)-1 && tok_eq(&f->t[q], "dsl") && q > 2)
			q = prev_code(f, q - 2);
		if (q != (size_t)-1 && f->t[q].kind == TK_IDENT) {
			char *name = tok_dup(&f->t[q]);
			if (names_table(e, name))
				r = XREF_ORM;
			else if (xref_known_table(cx, name))
				r = 0;
			free(name);
			if (r >= 0)
				return r;
		}
	}
	/* user.email, User.email: a model (or an instance named after one) */
	if (is_code(f, i) && p != (size_t)-1 && p > 0 && tok_punct(&f->t[p], '.') &&
	    f->t[p - 1].kind == TK_IDENT && is_code(f, p - 1)) {
		const char *mt = model_table(cx, &f->t[p - 1], &owned);
		if (mt)
			r = names_table(e, mt) ? XREF_ORM : 0;
		free(owned);
		if (r >= 0)
			return r;
	}
	s = scope_at(f, i);
	if (s && s->table)
		return names_table(e, s->table) ? XREF_ORM : 0;
	/* User.where(email: ...), User.objects.filter(email=...) */
	for (size_t k = i; k-- > 0 && f->t[k].line == f->t[i].line;) {
		const struct tok *t = &f->t[k];
		if (!is_code(f, k) || t->kind != TK_IDENT)
			continue;
		/* prisma.user.findFirst(...): a client accessor named after a model */
		if (!isupper((unsigned char)t->s[0]) &&
		    !(k + 1 < f->nr && tok_punct(&f->t[k + 1], '.') && model_declared(cx, t)))
			continue;
		const char *mt = model_table(cx, t, &owned);
		if (mt)
			r = names_table(e, mt) ? XREF_ORM : 0;
		free(owned);
		if (r >= 0)
			return r;
	}
	return XREF_BARE;
}

/* Is a string in code one whose words are identifiers (a mapping, tag or SQL fragment)? */
static bool mapping_string(const struct xref_file *f, size_t s)
{
	const struct tok *t = &f->t[s];
	size_t words = 0;
	for (size_t i = s + 1; i < f->nr && f->t[i].str == (int)s; i++)
		words += f->t[i].kind != TK_PUNCT;
	if (words == 1 && t->len && !memchr(t->s, ' ', t->len))
		return true;   /* 'email', "users.email" */
	for (size_t i = 0; i < t->len; i++)
		if (strchr("=<>?$", t->s[i]) || (t->s[i] == ':' && i + 1 < t->len && t->s[i + 1] == '"'))
			return true;
	return tok_has(t, "column:");
}

/* The identifier as the element's column in code: Django's email__iexact counts. */
static bool code_names_column(const struct xref_file *f, const struct tok *t, const char *column)
{
	size_t len = t->len;
	if (f->lang == LANG_PYTHON && len > 2 && t->s[0] != '_') {
		for (size_t k = 1; k + 1 < len; k++)
			if (t->s[k] == '_' && t->s[k + 1] == '_') {
				len = k;
				break;
			}
	}
	return xref_code_names(t->s, len, column);
}

static void match_column(const struct xref_file *f, const struct xref_ctx *cx, struct xref_elem *e)
{
	for (size_t i = 0; i < f->nr; i++) {
		const struct tok *t = &f->t[i];
		int g = f->group_of[i], conf = 0;
		if (!is_name(t))
			continue;
		if (g >= 0 && (f->lang == LANG_SQL || !is_code(f, i)) && f->groups[g].sql) {
			conf = sql_column_ref(f, cx, &f->groups[g], i, e);
		} else if (!is_code(f, i)) {
			if (mapping_string(f, (size_t)t->str) && code_names_column(f, t, e->column))
				conf = code_context(f, cx, i, e);
		} else if (f->lang != LANG_SQL && code_names_column(f, t, e->column)) {
			conf = code_context(f, cx, i, e);
		}
		if (conf)
			xref_elem_add_hit(e, f, t->line, e->column, conf);
	}
}

static void match_table(const struct xref_file *f, const struct xref_ctx *cx, struct xref_elem *e)
{
	for (size_t k = 0; k < f->nr_scopes; k++)
		if (f->scopes[k].table && names_table(e, f->scopes[k].table))
			xref_elem_add_hit(e, f, f->t[f->scopes[k].decl].line,
					  f->scopes[k].name ? f->scopes[k].name : e->table, XREF_ORM);
	for (size_t i = 0; i < f->nr; i++) {
		const struct tok *t = &f->t[i];
		int g = f->group_of[i];
		if (!is_name(t))
			continue;
		if (g >= 0 && (f->lang == LANG_SQL || !is_code(f, i)) && f->groups[g].sql) {
			char *name = sql_name(t);
			bool same = !strcmp(name, e->table);
			free(name);
			size_t p = i > f->groups[g].first ? i - 1 : i;
			if (same && p != i && tok_punct(&f->t[p], '.') && is_name(&f->t[p - 1])) {
				char *q = sql_name(&f->t[p - 1]);
				same = e->schema ? !strcmp(q, e->schema) : !strcmp(q, "public");
				free(q);
			}
			if (same)
				xref_elem_add_hit(e, f, t->line, e->table, XREF_SQL);
		} else if (is_code(f, i) && t->kind == TK_IDENT) {
			/* diesel's users::table, users::dsl::... */
			size_t n = next_code(f, i);
			if (n + 1 < f->nr && tok_punct(&f->t[n], ':') && tok_punct(&f->t[n + 1], ':') &&
			    t->len == strlen(e->table) && !memcmp(t->s, e->table, t->len)) {
				xref_elem_add_hit(e, f, t->line, e->table, XREF_ORM);
				continue;
			}
			/* a model of the table used elsewhere: User.find(...) */
			for (size_t m = 0; m < cx->model_names.nr; m++)
				if (tok_eq(t, cx->model_names.items[m]) &&
				    names_table(e, cx->model_tables.items[m]))
					xref_elem_add_hit(e, f, t->line, cx->model_names.items[m], XREF_ORM);
		}
	}
}

/* A scope's body names the column (a field, a mapping string)? */
static bool scope_has_column(const struct xref_file *f, const struct xref_scope *s, const char *col)
{
	for (size_t i = s->first; i < s->end && i < f->nr; i++)
		if (is_name(&f->t[i]) && code_names_column(f, &f->t[i], col))
			return true;
	return false;
}

/* INSERTs into the table that do not set the column, and models without it. */
static void match_inserts(const struct xref_file *f, struct xref_elem *e)
{
	for (size_t k = 0; k < f->nr_scopes; k++) {
		const struct xref_scope *s = &f->scopes[k];
		if (s->fields && !s->schema_dsl && s->table && names_table(e, s->table) &&
		    !scope_has_column(f, s, e->column))
			xref_elem_add_hit(e, f, f->t[s->decl].line, s->name ? s->name : e->table, XREF_ORM);
	}
	for (size_t gi = 0; gi < f->nr_groups; gi++) {
		const struct xref_group *g = &f->groups[gi];
		if (!g->sql)
			continue;
		for (size_t i = g->first; i < g->end; i = sql_next(f, g, i)) {
			if (f->t[i].kind != TK_IDENT || !tok_ieq(&f->t[i], "insert"))
				continue;
			size_t j = sql_next(f, g, i);
			if (j >= g->end || !tok_ieq(&f->t[j], "into"))
				continue;
			j = sql_next(f, g, j);
			if (j >= g->end || !is_name(&f->t[j]))
				continue;
			char *name = sql_name(&f->t[j]);
			size_t n = sql_next(f, g, j);
			if (n < g->end && tok_punct(&f->t[n], '.') && sql_next(f, g, n) < g->end) {
				char *rel = sql_name(&f->t[sql_next(f, g, n)]);
				char *q = xstrfmt("%s.%s", name, rel);
				free(rel);
				free(name);
				name = q;
				n = sql_next(f, g, sql_next(f, g, n));
			}
			bool ours = names_table(e, name), sets = false;
			free(name);
			if (!ours)
				continue;
			if (n < g->end && tok_punct(&f->t[n], '(')) {
				for (size_t c = sql_next(f, g, n); c < g->end && !tok_punct(&f->t[c], ')');
				     c = sql_next(f, g, c)) {
					char *col = is_name(&f->t[c]) ? sql_name(&f->t[c]) : NULL;
					sets |= col && !strcmp(col, e->column);
					free(col);
				}
			}
			if (!sets)
				xref_elem_add_hit(e, f, f->t[i].line, e->table, XREF_SQL);
		}
	}
}

void xref_match_file(struct xref_file *f, struct xref_ctx *cx)
{
	for (size_t k = 0; k < cx->set->nr; k++) {
		struct xref_elem *e = &cx->set->v[k];
		if (xref_change_notnull(e->change))
			match_inserts(f, e);
		else if (e->column)
			match_column(f, cx, e);
		else
			match_table(f, cx, e);
	}
}

void xref_elem_add_hit(struct xref_elem *e, const struct xref_file *f, int line,
		       const char *ident, int confidence)
{
	for (size_t i = 0; i < e->nr_hits; i++) {
		struct app_ref *h = &e->hits[i];
		if (h->line == line && !strcmp(h->path, f->path)) {
			if (confidence > h->confidence)
				h->confidence = confidence;
			return;
		}
	}
	ALLOC_GROW(e->hits, e->nr_hits + 1, e->alloc_hits);
	struct app_ref *h = &e->hits[e->nr_hits++];
	h->path = xstrdup(f->path);
	h->line = line;
	h->text = xref_line_text(f, line);
	h->ident = xstrdup(ident);
	h->confidence = confidence;
}
