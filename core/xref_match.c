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

/* --- small token helpers ------------------------------------------------------ */

static bool is_code(const struct xref_file *f, size_t i)
{
	return f->t[i].str < 0;
}

static bool tok_eq(const struct tok *t, const char *s)
{
	return t->len == strlen(s) && !memcmp(t->s, s, t->len);
}

static bool tok_ieq(const struct tok *t, const char *s)
{
	return t->len == strlen(s) && !strncasecmp(t->s, s, t->len);
}

static bool tok_punct(const struct tok *t, char c)
{
	return t->kind == TK_PUNCT && t->s[0] == c;
}

static char *tok_dup(const struct tok *t)
{
	return xstrndup(t->s, t->len);
}

/* The next code-level token after i (past a string's content), or f->nr. */
static size_t next_code(const struct xref_file *f, size_t i)
{
	for (i++; i < f->nr && !is_code(f, i); i++)
		;
	return i;
}

static size_t prev_code(const struct xref_file *f, size_t i)
{
	while (i > 0) {
		i--;
		if (is_code(f, i))
			return i;
	}
	return (size_t)-1;
}

/* An identifier as PostgreSQL folds it: unquoted lower case, quoted as is. */
static char *sql_name(const struct tok *t)
{
	char *s = tok_dup(t);
	return t->kind == TK_QIDENT ? s : str_lower(s);
}

/* A string literal's content as a new string, or NULL when i is not one. */
static char *string_at(const struct xref_file *f, size_t i)
{
	return i < f->nr && f->t[i].kind == TK_STRING ? tok_dup(&f->t[i]) : NULL;
}

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
static char *pick_table(const struct xref_ctx *cx, char **cands, size_t n)
{
	char *found = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!found && cands[i] && xref_known_table(cx, cands[i]))
			found = cands[i];
		else
			free(cands[i]);
	}
	return found;
}

/* Tables a class name maps to by convention: User -> users, user; GitSSHKey -> gitsshkeys. */
static char *convention_table(const struct xref_ctx *cx, const char *name, size_t len)
{
	char *snake = xref_snake(name, len);
	char *lower = str_lower(xstrndup(name, len));
	char *cands[5];
	cands[0] = xref_plural(snake);
	cands[1] = xstrdup(snake);
	cands[2] = xref_plural(lower);
	cands[3] = xstrdup(lower);
	cands[4] = xstrndup(name, len);
	free(snake);
	free(lower);
	return pick_table(cx, cands, ARRAY_SIZE(cands));
}

static void add_scope(struct xref_file *f, const struct tok *name, char *table, size_t decl,
		      size_t first, size_t end, bool fields)
{
	ALLOC_GROW(f->scopes, f->nr_scopes + 1, f->alloc_scopes);
	struct xref_scope *s = &f->scopes[f->nr_scopes++];
	memset(s, 0, sizeof(*s));
	s->name = name ? tok_dup(name) : NULL;
	s->table = table;
	s->decl = decl;
	s->first = first;
	s->end = end;
	s->fields = fields;
}

/*
 * Inside [first, end): an explicit table name given the common ways,
 * `__tablename__ = "t"`, `db_table = 't'`, `self.table_name = "t"`,
 * `tableName: 't'`, `@@map("t")`, `@Table(name = "t")`.
 */
static char *explicit_table(const struct xref_file *f, size_t first, size_t end)
{
	static const char *const keys[] = {
		"__tablename__", "db_table", "table_name", "tableName", "TableName",
	};
	for (size_t i = first; i < end && i < f->nr; i = next_code(f, i)) {
		const struct tok *t = &f->t[i];
		if (t->kind != TK_IDENT)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			if (!tok_eq(t, keys[k]))
				continue;
			/* the first string within a few tokens: = "t", : 't', () string { return "t" */
			size_t j = i;
			for (int n = 0; n < 8 && j < f->nr; n++) {
				j = next_code(f, j);
				if (j < f->nr && f->t[j].kind == TK_STRING)
					return string_at(f, j);
			}
		}
	}
	return NULL;
}

/* --- scopes per language ------------------------------------------------------- */

/* The next code token `class` (or f->nr): where a class-per-scope language's scope ends. */
static size_t next_class(const struct xref_file *f, size_t from, const char *kw)
{
	for (size_t i = next_code(f, from); i < f->nr; i = next_code(f, i))
		if (f->t[i].kind == TK_IDENT && tok_eq(&f->t[i], kw))
			return i;
	return f->nr;
}

static bool tok_has(const struct tok *t, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= t->len; i++)
		if (!memcmp(t->s + i, needle, n))
			return true;
	return false;
}

/* `class` NAME (taking the last segment of A::B); the name token or NULL. */
static const struct tok *class_name_after(const struct xref_file *f, size_t i, size_t *at)
{
	const struct tok *name = NULL;
	size_t j = next_code(f, i);
	while (j < f->nr && f->t[j].kind == TK_IDENT) {
		name = &f->t[j];
		*at = j;
		size_t a = next_code(f, j), b = a < f->nr ? next_code(f, a) : f->nr;
		if (a < f->nr && b < f->nr && tok_punct(&f->t[a], ':') && tok_punct(&f->t[b], ':'))
			j = next_code(f, b);
		else if (a < f->nr && tok_punct(&f->t[a], '.'))
			j = next_code(f, a);
		else
			break;
	}
	return name;
}

/* Ruby: class User < ApplicationRecord (ActiveRecord maps it to `users`). */
static void scopes_ruby(struct xref_file *f)
{
	for (size_t i = 0; i < f->nr; i = next_code(f, i)) {
		size_t at = i;
		if (f->t[i].kind != TK_IDENT || !tok_eq(&f->t[i], "class"))
			continue;
		const struct tok *name = class_name_after(f, i, &at);
		bool lt = false, model = false;
		if (!name)
			continue;
		for (size_t j = next_code(f, at); j < f->nr && f->t[j].line == name->line; j = next_code(f, j)) {
			const struct tok *t = &f->t[j];
			if (tok_punct(t, '<'))
				lt = true;
			else if (lt && t->kind == TK_IDENT &&
				 (tok_has(t, "Record") || tok_eq(t, "Base") || tok_eq(t, "Model")))
				model = true;
		}
		if (!model)
			continue;
		size_t end = next_class(f, i, "class");
		char *table = explicit_table(f, i, end);
		if (!table) {
			char *snake = xref_snake(name->s, name->len);
			table = xref_plural(snake);
			free(snake);
		}
		add_scope(f, name, table, i, i, end, false);
	}
}

/* The directory holding a Django app's models: app/models.py, app/models/x.py -> app. */
static char *django_app_label(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (!slash) {
		free(dir);
		return NULL;
	}
	*slash = '\0';
	if (ends_with(dir, "/models") || !strcmp(dir, "models")) {
		slash = strrchr(dir, '/');
		if (!slash) {
			free(dir);
			return NULL;
		}
		*slash = '\0';
	}
	slash = strrchr(dir, '/');
	char *label = xstrdup(slash ? slash + 1 : dir);
	free(dir);
	return label;
}

/* Python: Django models, SQLAlchemy and SQLModel classes. */
static void scopes_python(struct xref_file *f, const struct xref_ctx *cx)
{
	for (size_t i = 0; i < f->nr; i = next_code(f, i)) {
		size_t at = i;
		if (f->t[i].kind != TK_IDENT || !tok_eq(&f->t[i], "class"))
			continue;
		const struct tok *name = class_name_after(f, i, &at);
		size_t open = next_code(f, at);
		bool model = false, django = false;
		if (!name || open >= f->nr || !tok_punct(&f->t[open], '(') || f->match[open] < 0)
			continue;
		for (size_t j = open; j < (size_t)f->match[open]; j = next_code(f, j)) {
			const struct tok *t = &f->t[j];
			if (t->kind != TK_IDENT)
				continue;
			if (tok_eq(t, "Model") || tok_eq(t, "Base") || tok_has(t, "DeclarativeBase") ||
			    tok_eq(t, "SQLModel"))
				model = true;
			if (tok_eq(t, "models"))
				django = true;
		}
		if (!model)
			continue;
		/* The body ends at the next line that starts in column 0. */
		size_t end = (size_t)f->match[open];
		while (end < f->nr && !(is_code(f, end) && f->t[end].col == 0 &&
					f->t[end].line > name->line))
			end++;
		char *table = explicit_table(f, i, end);
		if (!table) {
			char *label = django ? django_app_label(f->path) : NULL;
			char *lname = str_lower(tok_dup(name));
			char *cands[2];
			cands[0] = label ? xstrfmt("%s_%s", label, lname) : NULL;
			cands[1] = lname;
			free(label);
			table = pick_table(cx, cands, 2);
		}
		add_scope(f, name, table, i, i, end, true);
	}
}

/* Does a string literal in [first, end) look like an ORM struct tag? */
static bool has_orm_tags(const struct xref_file *f, size_t first, size_t end)
{
	for (size_t i = first; i < end && i < f->nr; i++)
		if (f->t[i].kind == TK_STRING &&
		    (tok_has(&f->t[i], "db:\"") || tok_has(&f->t[i], "gorm:\"") ||
		     tok_has(&f->t[i], "bun:\"") || tok_has(&f->t[i], "sql:\"") ||
		     tok_has(&f->t[i], "pg:\"")))
			return true;
	return false;
}

/* `func (u User) TableName() string { return "t" }` anywhere in the file. */
static char *go_table_name(const struct xref_file *f, const struct tok *name)
{
	for (size_t i = 0; i < f->nr; i = next_code(f, i)) {
		if (f->t[i].kind != TK_IDENT || !tok_eq(&f->t[i], "TableName"))
			continue;
		bool ours = false;
		for (size_t k = i; k-- > 0 && f->t[k].line == f->t[i].line;)
			if (f->t[k].kind == TK_IDENT && f->t[k].len == name->len &&
			    !memcmp(f->t[k].s, name->s, name->len))
				ours = true;
		if (ours)
			return explicit_table(f, i, f->nr);
	}
	return NULL;
}

/* Go: `type User struct {...}` with db:/gorm: tags (GORM, sqlc, sqlx, bun). */
static void scopes_go(struct xref_file *f, const struct xref_ctx *cx)
{
	for (size_t i = 0; i < f->nr; i = next_code(f, i)) {
		if (f->t[i].kind != TK_IDENT || !tok_eq(&f->t[i], "type"))
			continue;
		size_t n = next_code(f, i), s = n < f->nr ? next_code(f, n) : f->nr;
		size_t open = s < f->nr ? next_code(f, s) : f->nr;
		if (open >= f->nr || f->t[n].kind != TK_IDENT || !tok_eq(&f->t[s], "struct") ||
		    !tok_punct(&f->t[open], '{') || f->match[open] < 0)
			continue;
		size_t end = (size_t)f->match[open];
		char *table = go_table_name(f, &f->t[n]);
		if (!table && !has_orm_tags(f, open, end))
			continue;
		if (!table)
			table = convention_table(cx, f->t[n].s, f->t[n].len);
		add_scope(f, &f->t[n], table, i, open, end, true);
	}
}

/* The table of an annotation's arguments: @Table(name = "t"), @Entity('t'), @Entity({ name: 't' }). */
static char *annotation_table(const struct xref_file *f, size_t open)
{
	if (open >= f->nr || !tok_punct(&f->t[open], '(') || f->match[open] < 0)
		return NULL;
	size_t close = (size_t)f->match[open], first_string = 0;
	for (size_t j = next_code(f, open); j < close; j = next_code(f, j)) {
		const struct tok *t = &f->t[j];
		if (t->kind == TK_IDENT && (tok_eq(t, "name") || tok_eq(t, "tableName"))) {
			size_t k = next_code(f, next_code(f, j));
			if (k < close && f->t[k].kind == TK_STRING)
				return string_at(f, k);
		}
		if (t->kind == TK_STRING && !first_string)
			first_string = j;
		if (t->kind == TK_IDENT && (tok_eq(t, "schema") || tok_eq(t, "catalog")))
			first_string = (size_t)-1;
	}
	return first_string && first_string != (size_t)-1 ? string_at(f, first_string) : NULL;
}

/*
 * JPA, Kotlin, TypeORM, sequelize-typescript: @Entity / @Table before a
 * class. Sequelize: sequelize.define('t', {...}) and class X extends Model
 * with `tableName: 't'`.
 */
static void scopes_annotated(struct xref_file *f, const struct xref_ctx *cx)
{
	char *pending = NULL;
	bool entity = false;
	size_t decl = 0;
	for (size_t i = 0; i < f->nr; i = next_code(f, i)) {
		const struct tok *t = &f->t[i];
		if (t->kind != TK_IDENT)
			continue;
		size_t prev = prev_code(f, i);
		bool at = prev != (size_t)-1 && tok_punct(&f->t[prev], '@');
		if (at && (tok_eq(t, "Entity") || tok_eq(t, "Table"))) {
			char *tab = annotation_table(f, next_code(f, i));
			if (!entity)
				decl = prev;
			entity = true;
			if (tab) {
				free(pending);
				pending = tab;
			}
		} else if (tok_eq(t, "define") && f->lang == LANG_JS) {
			size_t open = next_code(f, i), s = open < f->nr ? next_code(f, open) : f->nr;
			if (s < f->nr && tok_punct(&f->t[open], '(') && f->t[s].kind == TK_STRING &&
			    f->match[open] > 0) {
				char *name = string_at(f, s);
				char *cands[3] = { xstrdup(name), xref_plural(name), str_lower(xstrdup(name)) };
				char *table = pick_table(cx, cands, 3);
				add_scope(f, &f->t[s], table ? table : name, i, open, (size_t)f->match[open], true);
				if (table)
					free(name);
			}
		} else if (tok_eq(t, "class")) {
			size_t at_name = i;
			const struct tok *name = class_name_after(f, i, &at_name);
			size_t end = next_class(f, i, "class");
			char *table = pending;
			bool model = entity;
			pending = NULL;
			if (!name) {
				free(table);
				entity = false;
				continue;
			}
			/* class User extends Model { ... } User.init({...}, { tableName: 'users' }) */
			for (size_t j = next_code(f, at_name); !model && j < f->nr && f->t[j].line == name->line;
			     j = next_code(f, j))
				if (f->t[j].kind == TK_IDENT && tok_eq(&f->t[j], "Model"))
					model = true;
			if (!model) {
				entity = false;
				continue;
			}
			if (!table)
				table = explicit_table(f, i, end);
			if (!table)
				table = convention_table(cx, name->s, name->len);
			if (!table) {
				char *snake = xref_snake(name->s, name->len);
				table = snake;
			}
			add_scope(f, name, table, entity ? decl : i, i, end, true);
			entity = false;
		}
	}
	free(pending);
}

/* Prisma: model User { ... @@map("users") }; the model name is the table otherwise. */
static void scopes_prisma(struct xref_file *f)
{
	for (size_t i = 0; i < f->nr; i = next_code(f, i)) {
		if (f->t[i].kind != TK_IDENT || !tok_eq(&f->t[i], "model") || f->t[i].col != 0)
			continue;
		size_t n = next_code(f, i), open = n < f->nr ? next_code(f, n) : f->nr;
		if (open >= f->nr || !tok_punct(&f->t[open], '{') || f->match[open] < 0)
			continue;
		size_t end = (size_t)f->match[open];
		char *table = NULL;
		for (size_t j = open; j < end; j = next_code(f, j))
			if (tok_punct(&f->t[j], '@') && j + 2 < end && tok_punct(&f->t[j + 1], '@') &&
			    tok_eq(&f->t[j + 2], "map"))
				table = annotation_table(f, next_code(f, j + 2));
		add_scope(f, &f->t[n], table ? table : tok_dup(&f->t[n]), i, open, end, true);
	}
}

/* Rust/diesel: table! { users (id) { email -> Text, } } and #[diesel(table_name = users)]. */
static void scopes_rust(struct xref_file *f)
{
	char *pending = NULL;
	size_t decl = 0;
	for (size_t i = 0; i < f->nr; i = next_code(f, i)) {
		const struct tok *t = &f->t[i];
		size_t n = next_code(f, i);
		if (t->kind != TK_IDENT)
			continue;
		if (tok_eq(t, "table") && n < f->nr && tok_punct(&f->t[n], '!')) {
			size_t open = next_code(f, n);
			if (open >= f->nr || f->match[open] < 0)
				continue;
			size_t close = (size_t)f->match[open];
			for (size_t j = next_code(f, open); j < close; j = next_code(f, j)) {
				size_t p = next_code(f, j);
				if (f->t[j].kind != TK_IDENT || p >= close || !tok_punct(&f->t[p], '(') ||
				    f->match[p] < 0)
					continue;
				size_t body = next_code(f, (size_t)f->match[p]);
				if (body >= close || !tok_punct(&f->t[body], '{') || f->match[body] < 0)
					continue;
				add_scope(f, &f->t[j], tok_dup(&f->t[j]), j, body, (size_t)f->match[body], true);
				f->scopes[f->nr_scopes - 1].schema_dsl = true;
				j = (size_t)f->match[body];
			}
			i = close;
		} else if (tok_eq(t, "table_name")) {
			/* table_name = users, table_name = crate::schema::users, table_name = "users" */
			size_t j = next_code(f, n);
			char *name = NULL;
			while (j < f->nr && (f->t[j].kind == TK_IDENT || f->t[j].kind == TK_STRING ||
					     tok_punct(&f->t[j], ':'))) {
				if (f->t[j].kind != TK_PUNCT) {
					free(name);
					name = tok_dup(&f->t[j]);
				}
				j = next_code(f, j);
			}
			if (name) {
				free(pending);
				pending = name;
				decl = i;
			}
		} else if (tok_eq(t, "struct") && pending) {
			/* past generics: struct Person<'a> { */
			size_t open = n < f->nr ? next_code(f, n) : f->nr;
			while (open < f->nr && !tok_punct(&f->t[open], '{') && !tok_punct(&f->t[open], ';'))
				open = next_code(f, open);
			if (open < f->nr && tok_punct(&f->t[open], '{') && f->match[open] > 0) {
				add_scope(f, &f->t[n], pending, decl, open, (size_t)f->match[open], true);
				pending = NULL;
			}
		}
	}
	free(pending);
}

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
	switch (f->lang) {
	case LANG_SQL:
		find_sql_statements(f);
		return;
	case LANG_RUBY:
		scopes_ruby(f);
		break;
	case LANG_PYTHON:
		scopes_python(f, cx);
		break;
	case LANG_GO:
		scopes_go(f, cx);
		break;
	case LANG_JAVA:
	case LANG_JS:
	case LANG_PHP:
		scopes_annotated(f, cx);
		break;
	case LANG_PRISMA:
		scopes_prisma(f);
		break;
	case LANG_RUST:
		scopes_rust(f);
		break;
	default:
		break;
	}
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
	*owned = convention_table(cx, t->s, t->len);
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
