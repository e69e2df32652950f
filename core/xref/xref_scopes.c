/*
 * xref_scopes.c - the classes, structs and models an ORM maps to a table.
 *
 * A scope is a span of tokens (a class body, a struct, a Prisma model, a
 * diesel table! block) and the table it stands for: explicit where the
 * code says so (__tablename__, db_table, @Table(name = ...), @@map,
 * TableName(), #[diesel(table_name = ...)]), else by the framework's
 * naming convention (ActiveRecord's User -> users, Django's app_model,
 * TypeORM's snake_case), checked against the tables the schema knows so
 * that a plain struct named like nothing in the database stays unmapped.
 * Inside a scope of another table, a column of the same name is not ours.
 */
#include "xref_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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
char *xref_convention_table(const struct xref_ctx *cx, const char *name, size_t len)
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
			table = xref_convention_table(cx, f->t[n].s, f->t[n].len);
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
				table = xref_convention_table(cx, name->s, name->len);
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

void xref_find_scopes(struct xref_file *f, struct xref_ctx *cx)
{
	switch (f->lang) {
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
}
