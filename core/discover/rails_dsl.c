/*
 * rails_dsl.c - the translation table: one row per ActiveRecord migration
 * call, with the SQL ActiveRecord's PostgreSQL adapter sends for it and the
 * reverse a `change` method gets on rollback.
 *
 * The rows follow ActiveRecord 6.1 (Debian 12's ruby-activerecord):
 *   connection_adapters/abstract/schema_statements.rb, schema_creation.rb
 *   connection_adapters/postgresql/schema_statements.rb, schema_creation.rb
 *   migration/command_recorder.rb (what `change` reverses, and what it
 *   refuses: IrreversibleMigration)
 * tests/t-rails.sh runs every translated call with ActiveRecord against a
 * real server and compares the statements, one by one.
 *
 * A row's `down` is NULL when ActiveRecord cannot reverse the call; a
 * `change` that makes it then cannot be rolled back, and the derived down
 * says so at the call's line.
 */
#include "rails_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef bool (*dsl_fn)(const struct rctx *x, const struct rcall *c, struct remits *out);

/* --- emitting ------------------------------------------------------------ */

void remit_release(struct remit *r)
{
	free(r->sql);
	free(r->why);
	free(r->source);
	strlist_clear(&r->comments);
	memset(r, 0, sizeof(*r));
}

void remits_release(struct remits *e)
{
	for (size_t i = 0; i < e->nr; i++)
		remit_release(&e->v[i]);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static struct remit *add_remit(struct remits *e, int line)
{
	ALLOC_GROW(e->v, e->nr + 1, e->alloc);
	struct remit *r = &e->v[e->nr++];
	memset(r, 0, sizeof(*r));
	r->line = line;
	return r;
}

struct remit *remit_sql(struct remits *e, int line, char *sql)
{
	struct remit *r = add_remit(e, line);
	r->sql = sql;
	return r;
}

struct remit *remit_untranslated(struct remits *e, const struct rcall *c, const char *fmt, ...)
{
	va_list ap;
	struct strbuf sb = STRBUF_INIT;
	struct remit *r = add_remit(e, c->line);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	r->why = strbuf_detach(&sb, NULL);
	/* never empty: a statement's text has at least one byte */
	r->source = c->source && *c->source ? xstrdup(c->source) : xstrfmt("(line %d)", c->line);
	return r;
}

/* A statement built with printf, at the call's line. */
static void emit(struct remits *out, int line, const char *fmt, ...) ATTR_PRINTF(3, 4);
static void emit(struct remits *out, int line, const char *fmt, ...)
{
	va_list ap;
	struct strbuf sb = STRBUF_INIT;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	remit_sql(out, line, strbuf_detach(&sb, NULL));
}

/* --- the pieces ------------------------------------------------------------ */

static const char *arg_name(const struct rcall *c, size_t i)
{
	return rv_name(rcall_arg(c, i));
}

/* The table a call is on: its first argument, or the create/change_table's. */
static const char *table_of(const struct rctx *x, const struct rcall *c, size_t *first)
{
	if (x->table && c->recv) {
		*first = 0;
		return x->table;
	}
	*first = 1;
	return arg_name(c, 0);
}

static bool has_default(const struct rcall *c)
{
	const struct rvalue *d = rcall_kw(c, "default"), *n = rcall_kw(c, "null");
	return d && !(n && n->kind == RV_FALSE && d->kind == RV_NIL);
}

/*
 * "name" type [COLLATE "c"] [DEFAULT x] [NOT NULL] [PRIMARY KEY], as
 * add_column_options! writes it. NULL (and *why) when a value is not known.
 */
static char *column_sql(const struct rctx *x, const char *name, const char *type,
			const struct rcall *c, const char **why)
{
	char *t = rsql_type(type, c, x->ar_version), *q = rsql_ident(name);
	struct strbuf sb = STRBUF_INIT;
	if (!t) {
		*why = "a column type sluice does not know";
		free(q);
		return NULL;
	}
	strbuf_addf(&sb, "%s %s", q, t);
	free(q);
	free(t);
	const struct rvalue *coll = rcall_kw(c, "collation");
	if (rv_name(coll)) {
		char *cq = rsql_ident(rv_name(coll));
		strbuf_addf(&sb, " COLLATE %s", cq);
		free(cq);
	}
	if (has_default(c)) {
		char *d = rsql_literal(rcall_kw(c, "default"));
		if (!d) {
			*why = "its default is a Ruby expression sluice does not evaluate";
			strbuf_release(&sb);
			return NULL;
		}
		strbuf_addf(&sb, " DEFAULT %s", d);
		free(d);
	}
	if (rcall_kw(c, "null") && rcall_kw(c, "null")->kind == RV_FALSE)
		strbuf_addstr(&sb, " NOT NULL");
	if (rv_bool(rcall_kw(c, "primary_key"), false))
		strbuf_addstr(&sb, " PRIMARY KEY");
	return strbuf_detach(&sb, NULL);
}

static void comment_on_column(struct remits *out, int line, const char *table, const char *col,
			      const struct rcall *c)
{
	const struct rvalue *cm = rcall_kw(c, "comment");
	char *lit = cm && cm->kind == RV_STR ? rsql_literal(cm) : NULL;
	if (!lit)
		return;
	char *t = rsql_ident(table), *q = rsql_ident(col);
	emit(out, line, "COMMENT ON COLUMN %s.%s IS %s", t, q, lit);
	free(t);
	free(q);
	free(lit);
}

/* ON DELETE / ON UPDATE actions. */
static const char *fk_action(const struct rvalue *v)
{
	const char *a = rv_name(v);
	if (!a)
		return NULL;
	if (!strcmp(a, "cascade"))
		return "CASCADE";
	if (!strcmp(a, "nullify"))
		return "SET NULL";
	if (!strcmp(a, "restrict"))
		return "RESTRICT";
	return NULL;
}

/* A foreign key's options: from add_foreign_key's keywords, or a references' foreign_key: {} */
struct fk {
	const char *from, *to, *column, *pk, *name;
	const struct rvalue *opts;   /* hash holding on_delete ... (the call's kw or a nested hash) */
	bool not_valid;
};

static const struct rvalue *hash_get(const struct rvalue *h, const char *key)
{
	if (!h || h->kind != RV_HASH)
		return NULL;
	for (size_t i = 0; i < h->nr; i++)
		if (!strcmp(h->keys[i], key))
			return &h->items[i];
	return NULL;
}

/* FOREIGN KEY ("col") REFERENCES "to" ("id") [ON DELETE ...], the name given or fk_rails_. */
static char *fk_clause(const struct fk *k, char **name)
{
	char *col = rsql_ident(k->column), *to = rsql_ident(k->to), *pk = rsql_ident(k->pk ? k->pk : "id");
	struct strbuf sb = STRBUF_INIT;
	*name = k->name ? xstrdup(k->name) : rsql_fk_name(k->from, k->column);
	strbuf_addf(&sb, "FOREIGN KEY (%s)\n  REFERENCES %s (%s)", col, to, pk);
	const char *del = fk_action(hash_get(k->opts, "on_delete"));
	const char *upd = fk_action(hash_get(k->opts, "on_update"));
	if (del)
		strbuf_addf(&sb, "\n ON DELETE %s", del);
	if (upd)
		strbuf_addf(&sb, "\n ON UPDATE %s", upd);
	free(col);
	free(to);
	free(pk);
	return strbuf_detach(&sb, NULL);
}

static void emit_add_fk(struct remits *out, int line, const struct fk *k)
{
	char *name, *clause = fk_clause(k, &name), *t = rsql_ident(k->from), *n = rsql_ident(name);
	emit(out, line, "ALTER TABLE %s ADD CONSTRAINT %s\n%s%s", t, n, clause,
	     k->not_valid ? "\n NOT VALID" : "");
	free(name);
	free(clause);
	free(t);
	free(n);
}

/* add_foreign_key :from, :to, column:, primary_key:, name:, on_delete:, validate: */
static bool fk_from_call(const struct rcall *c, struct fk *k, char **owned_column)
{
	memset(k, 0, sizeof(*k));
	k->from = arg_name(c, 0);
	k->to = arg_name(c, 1);
	k->column = rv_name(rcall_kw(c, "column"));
	k->pk = rv_name(rcall_kw(c, "primary_key"));
	k->name = rv_name(rcall_kw(c, "name"));
	k->opts = &c->kw;
	k->not_valid = rcall_kw(c, "validate") && !rv_bool(rcall_kw(c, "validate"), true);
	*owned_column = NULL;
	if (!k->from || !k->to)
		return false;
	if (!k->column) {
		/* foreign_key_column_for: the singular of the table, _id */
		const char *dot = strrchr(k->to, '.');
		char *one = rsql_singular(dot ? dot + 1 : k->to);
		k->column = *owned_column = xstrfmt("%s_id", one);
		free(one);
	}
	return true;
}

/* --- indexes ------------------------------------------------------------------ */

/* add_index :t, "lower(email)": an expression, not a column's name */
static bool index_expression(const struct rvalue *cols)
{
	return cols->kind == RV_STR && strpbrk(cols->s, "()+-*/ ,:'\"");
}

/* ("a", "b" DESC) or the expression as written. */
static char *index_columns(const struct rvalue *cols, const struct rcall *c)
{
	struct strbuf sb = STRBUF_INIT;
	const struct rvalue *order = rcall_kw(c, "order"), *opclass = rcall_kw(c, "opclass");
	if (index_expression(cols))
		return xstrdup(cols->s);   /* sent as written */
	size_t n = cols->kind == RV_ARRAY ? cols->nr : 1;
	for (size_t i = 0; i < n; i++) {
		const char *name = rv_name(cols->kind == RV_ARRAY ? &cols->items[i] : cols);
		if (!name) {
			strbuf_release(&sb);
			return NULL;
		}
		char *q = rsql_ident(name);
		strbuf_addf(&sb, "%s%s", i ? ", " : "", q);
		free(q);
		const char *oc = opclass && opclass->kind == RV_HASH ? rv_name(hash_get(opclass, name))
				 : rv_name(opclass);
		if (oc)
			strbuf_addf(&sb, " %s", oc);
		const char *o = order && order->kind == RV_HASH ? rv_name(hash_get(order, name))
				: rv_name(order);
		if (o)
			strbuf_addf(&sb, " %s", !strcasecmp_ascii(o, "desc") ? "DESC" : "ASC");
	}
	return strbuf_detach(&sb, NULL);
}

static bool concurrently(const struct rcall *c)
{
	const char *a = rv_name(rcall_kw(c, "algorithm"));
	return a && !strcmp(a, "concurrently");
}

/* CREATE [UNIQUE] INDEX [CONCURRENTLY] "name" ON "t" [USING m] (cols) [WHERE w] */
static bool emit_index(const struct rctx *x, struct remits *out, int line, const char *table,
		       const struct rvalue *cols, const struct rcall *opts)
{
	const char *given = rv_name(rcall_kw(opts, "name")), *using = rv_name(rcall_kw(opts, "using"));
	const struct rvalue *where = rcall_kw(opts, "where");
	char *list = index_columns(cols, opts);
	if (!list || (where && (where->kind != RV_STR || where->interp)))
		return free(list), false;
	char *name = given ? xstrdup(given) : rsql_index_name(table, cols);
	char *qn = rsql_ident(name), *qt = rsql_ident(table);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "CREATE %sINDEX %s%s%s ON %s", rv_bool(rcall_kw(opts, "unique"), false) ? "UNIQUE " : "",
		    concurrently(opts) ? "CONCURRENTLY " : "",
		    rv_bool(rcall_kw(opts, "if_not_exists"), false) ? "IF NOT EXISTS " : "", qn, qt);
	if (using)
		strbuf_addf(&sb, " USING %s", using);
	strbuf_addf(&sb, " (%s)", list);
	if (where)
		strbuf_addf(&sb, " WHERE %s", where->s);
	remit_sql(out, line, strbuf_detach(&sb, NULL));
	rindex_made(x->known, table, name, cols, index_expression(cols));
	free(list);
	free(name);
	free(qn);
	free(qt);
	return true;
}

static void emit_drop_index(const struct rctx *x, struct remits *out, int line, const char *name,
			    const struct rcall *opts)
{
	char *q = rsql_ident(name);
	rindex_dropped(x->known, name);
	emit(out, line, "DROP INDEX %s%s%s", concurrently(opts) ? "CONCURRENTLY " : "",
	     rv_bool(rcall_kw(opts, "if_exists"), false) ? "IF EXISTS " : "", q);
	free(q);
}

/* The columns add_index/remove_index name: the 2nd argument or column: */
static const struct rvalue *index_cols_of(const struct rcall *c, size_t first)
{
	const struct rvalue *v = rcall_arg(c, first);
	return v ? v : rcall_kw(c, "column");
}

static bool add_index(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first);
	const struct rvalue *cols = index_cols_of(c, first);
	return table && cols && emit_index(x, out, c->line, table, cols, c);
}

/* The name of the index remove_index means, or NULL. */
static char *index_name_for(const struct rctx *x, const struct rcall *c, const char **table)
{
	size_t first;
	*table = table_of(x, c, &first);
	const char *given = rv_name(rcall_kw(c, "name"));
	const struct rvalue *cols = index_cols_of(c, first);
	if (!*table)
		return NULL;
	if (given)
		return xstrdup(given);
	return cols ? rsql_index_name(*table, cols) : NULL;
}

static bool add_index_down(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	const char *table;
	char *name = index_name_for(x, c, &table);
	if (!name)
		return false;
	emit_drop_index(x, out, c->line, name, c);
	free(name);
	return true;
}

static bool remove_index(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	return add_index_down(x, c, out);
}

static bool remove_index_down(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first);
	const struct rvalue *cols = index_cols_of(c, first);
	if (table && !cols) {
		remit_untranslated(out, c, "ActiveRecord cannot reverse it (remove_index is only "
				   "reversible if given a :column option): rolling back raises "
				   "ActiveRecord::IrreversibleMigration");
		return true;
	}
	return table && cols && emit_index(x, out, c->line, table, cols, c);
}

/* --- columns -------------------------------------------------------------- */

static bool add_column(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first), *name = arg_name(c, first),
		   *type = arg_name(c, first + 1), *why = NULL;
	if (!table || !name || !type)
		return false;
	char *col = column_sql(x, name, type, c, &why);
	if (!col) {
		remit_untranslated(out, c, "%s", why);
		return true;
	}
	char *t = rsql_ident(table);
	emit(out, c->line, "ALTER TABLE %s ADD %s", t, col);
	comment_on_column(out, c->line, table, name, c);
	free(t);
	free(col);
	return true;
}

static void drop_column(const struct rctx *x, struct remits *out, int line, const char *table,
			const char *name)
{
	char *t = rsql_ident(table), *q = rsql_ident(name);
	rindex_column_dropped(x->known, table, name);
	emit(out, line, "ALTER TABLE %s DROP COLUMN %s", t, q);
	free(t);
	free(q);
}

static bool add_column_down(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first), *name = arg_name(c, first);
	if (!table || !name)
		return false;
	drop_column(x, out, c->line, table, name);
	return true;
}

static bool remove_column(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	return add_column_down(x, c, out);
}

/* remove_column with a type comes back as add_column */
static bool remove_column_down(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	table_of(x, c, &first);
	if (!rcall_arg(c, first + 1)) {
		remit_untranslated(out, c, "ActiveRecord cannot reverse it (remove_column is only "
				   "reversible if given a type): rolling back raises "
				   "ActiveRecord::IrreversibleMigration");
		return true;
	}
	return add_column(x, c, out);
}

static bool remove_columns(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first);
	if (!table || c->args.nr <= first)
		return false;
	for (size_t i = first; i < c->args.nr; i++)
		if (!arg_name(c, i))
			return false;
	for (size_t i = first; i < c->args.nr; i++)
		drop_column(x, out, c->line, table, arg_name(c, i));
	return true;
}

static bool remove_columns_down(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first), *type = rv_name(rcall_kw(c, "type")), *why = NULL;
	if (!type) {
		remit_untranslated(out, c, "ActiveRecord cannot reverse it (remove_columns is only "
				   "reversible if given a type): rolling back raises "
				   "ActiveRecord::IrreversibleMigration");
		return true;
	}
	if (!table)
		return false;
	char *t = rsql_ident(table);
	for (size_t i = first; i < c->args.nr; i++) {
		char *col = arg_name(c, i) ? column_sql(x, arg_name(c, i), type, c, &why) : NULL;
		if (col)
			emit(out, c->line, "ALTER TABLE %s ADD %s", t, col);
		free(col);
	}
	free(t);
	return true;
}

static void rename_column_sql(struct remits *out, int line, const char *table, const char *from,
			      const char *to)
{
	char *t = rsql_ident(table), *a = rsql_ident(from), *b = rsql_ident(to);
	emit(out, line, "ALTER TABLE %s RENAME COLUMN %s TO %s", t, a, b);
	free(t);
	free(a);
	free(b);
}

static bool rename_column(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first), *from = arg_name(c, first), *to = arg_name(c, first + 1);
	if (!table || !from || !to)
		return false;
	if (x->down) {
		const char *swap = from;
		from = to;
		to = swap;
	}
	rename_column_sql(out, c->line, table, from, to);
	rindex_rename_column(x->known, table, from, to, c, out);
	return true;
}

static bool change_column(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first), *name = arg_name(c, first),
		   *type = arg_name(c, first + 1);
	if (!table || !name || !type)
		return false;
	char *ty = rsql_type(type, c, x->ar_version);
	if (!ty)
		return false;
	char *t = rsql_ident(table), *q = rsql_ident(name);
	struct strbuf sb = STRBUF_INIT;
	const struct rvalue *using = rcall_kw(c, "using"), *nul = rcall_kw(c, "null");
	strbuf_addf(&sb, "ALTER TABLE %s ALTER COLUMN %s TYPE %s", t, q, ty);
	if (using && using->kind == RV_STR && !using->interp)
		strbuf_addf(&sb, " USING %s", using->s);
	if (rcall_kw(c, "default")) {
		char *d = rsql_literal(rcall_kw(c, "default"));
		if (d && rcall_kw(c, "default")->kind != RV_NIL)
			strbuf_addf(&sb, ", ALTER COLUMN %s SET DEFAULT %s", q, d);
		else if (d)
			strbuf_addf(&sb, ", ALTER COLUMN %s DROP DEFAULT", q);
		free(d);
	}
	if (nul)
		strbuf_addf(&sb, ", ALTER COLUMN %s %s NOT NULL", q, rv_bool(nul, true) ? "DROP" : "SET");
	remit_sql(out, c->line, strbuf_detach(&sb, NULL));
	free(t);
	free(q);
	free(ty);
	return true;
}

static bool change_column_default(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first), *name = arg_name(c, first);
	const struct rvalue *v = rcall_arg(c, first + 1);
	if (rcall_kw(c, "to") || rcall_kw(c, "from"))
		v = rcall_kw(c, x->down ? "from" : "to");
	else if (x->down) {
		remit_untranslated(out, c, "ActiveRecord cannot reverse it (change_column_default is "
				   "only reversible if given a :from and :to option): rolling back "
				   "raises ActiveRecord::IrreversibleMigration");
		return true;
	}
	if (!table || !name)
		return false;
	char *d = v ? rsql_literal(v) : xstrdup("NULL");
	if (!d)
		return false;
	char *t = rsql_ident(table), *q = rsql_ident(name);
	if (!v || v->kind == RV_NIL)
		emit(out, c->line, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", t, q);
	else
		emit(out, c->line, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", t, q, d);
	free(t);
	free(q);
	free(d);
	return true;
}

static bool change_column_null(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first), *name = arg_name(c, first);
	const struct rvalue *nul = rcall_arg(c, first + 1), *dflt = rcall_arg(c, first + 2);
	if (!table || !name || !nul || (nul->kind != RV_TRUE && nul->kind != RV_FALSE))
		return false;
	bool allow = nul->kind == RV_TRUE;
	if (x->down)
		allow = !allow;
	char *t = rsql_ident(table), *q = rsql_ident(name);
	if (!allow && dflt && !x->down) {
		char *d = rsql_literal(dflt);
		if (!d) {
			free(t);
			free(q);
			return false;
		}
		emit(out, c->line, "UPDATE %s SET %s=%s WHERE %s IS NULL", t, q, d, q);
		free(d);
	}
	emit(out, c->line, "ALTER TABLE %s ALTER COLUMN %s %s NOT NULL", t, q, allow ? "DROP" : "SET");
	free(t);
	free(q);
	return true;
}

/* created_at and updated_at, NOT NULL unless null: true */
static void timestamps_sql(const struct rctx *x, const struct rcall *c, const char *table,
			   struct strlist *cols)
{
	/* ActiveRecord 5.0 made timestamps NOT NULL; a Migration[4.2] keeps them nullable */
	bool old = x->ar_version && x->ar_version < 500;
	bool not_null = !rv_bool(rcall_kw(c, "null"), old);
	const struct rvalue *p = rcall_kw(c, "precision");
	char prec[16] = "";
	if (p && p->kind == RV_NUM)
		snprintf(prec, sizeof(prec), "(%d)", atoi(p->s));
	else if (!p && (x->ar_version == 0 || x->ar_version >= 600))
		strcpy(prec, "(6)");
	(void)table;
	strlist_add_nodup(cols, xstrfmt("\"created_at\" timestamp%s%s", prec, not_null ? " NOT NULL" : ""));
	strlist_add_nodup(cols, xstrfmt("\"updated_at\" timestamp%s%s", prec, not_null ? " NOT NULL" : ""));
}

static bool add_timestamps(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first);
	struct strlist cols = STRLIST_INIT;
	if (!table)
		return false;
	timestamps_sql(x, c, table, &cols);
	char *t = rsql_ident(table);
	for (size_t i = 0; i < cols.nr; i++)
		emit(out, c->line, "ALTER TABLE %s ADD %s", t, cols.items[i]);
	free(t);
	strlist_clear(&cols);
	return true;
}

static bool remove_timestamps(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first);
	if (!table)
		return false;
	drop_column(x, out, c->line, table, "updated_at");
	drop_column(x, out, c->line, table, "created_at");
	return true;
}

/* --- references -------------------------------------------------------------- */

/* What t.references / add_reference add: columns, then an index, then a key. */
struct reference {
	char *id_col, *type_col;     /* "user_id", "commentable_type" */
	char *col_sql, *type_sql;
	bool index;
	struct fk fk;
	bool has_fk;
	char *to_owned;
};

static void reference_release(struct reference *r)
{
	free(r->id_col);
	free(r->type_col);
	free(r->col_sql);
	free(r->type_sql);
	free(r->to_owned);
	memset(r, 0, sizeof(*r));
}

/* A fake call holding a hash's entries as keywords (index: { unique: true }). */
static void hash_as_call(const struct rvalue *h, struct rcall *out)
{
	memset(out, 0, sizeof(*out));
	out->kw = *h;
	out->args.kind = RV_ARRAY;
}

static bool reference_of(const struct rctx *x, const char *table, const char *name,
			 const struct rcall *c, struct reference *r)
{
	const char *type = rv_name(rcall_kw(c, "type"));
	const struct rvalue *fk = rcall_kw(c, "foreign_key"), *idx = rcall_kw(c, "index");
	const char *why = NULL;
	struct rcall col = *c;
	memset(r, 0, sizeof(*r));
	r->id_col = xstrfmt("%s_id", name);
	/* the column takes null:, default:, comment: ... but not index: or foreign_key: */
	col.kw.nr = 0;
	col.kw.items = NULL;
	col.kw.keys = NULL;
	struct rvalue kw = { .kind = RV_HASH };
	for (size_t i = 0; i < c->kw.nr; i++)
		if (!strcmp(c->kw.keys[i], "null") || !strcmp(c->kw.keys[i], "default") ||
		    !strcmp(c->kw.keys[i], "limit")) {
			kw.items = xrealloc(kw.items, (kw.nr + 1) * sizeof(*kw.items));
			kw.keys = xrealloc(kw.keys, (kw.nr + 1) * sizeof(*kw.keys));
			kw.items[kw.nr] = c->kw.items[i];
			kw.keys[kw.nr++] = c->kw.keys[i];
		}
	col.kw = kw;
	/* references are bigint since ActiveRecord 5.1, indexed by default since 5.0 */
	bool pre51 = x->ar_version && x->ar_version < 501;
	r->col_sql = column_sql(x, r->id_col, type ? type : pre51 ? "integer" : "bigint", &col, &why);
	if (rv_bool(rcall_kw(c, "polymorphic"), false)) {
		r->type_col = xstrfmt("%s_type", name);
		r->type_sql = column_sql(x, r->type_col, "string", &col, &why);
	}
	free(kw.items);
	free(kw.keys);
	r->index = idx ? idx->kind != RV_FALSE && idx->kind != RV_NIL
		       : !(x->ar_version && x->ar_version < 500);
	if (fk && fk->kind != RV_FALSE && fk->kind != RV_NIL) {
		r->has_fk = true;
		r->fk.from = table;
		r->fk.column = r->id_col;
		r->fk.opts = fk->kind == RV_HASH ? fk : NULL;
		r->fk.to = rv_name(hash_get(fk, "to_table"));
		r->fk.name = rv_name(hash_get(fk, "name"));
		r->fk.pk = rv_name(hash_get(fk, "primary_key"));
		if (!r->fk.to)
			r->fk.to = r->to_owned = rsql_plural(name);
		if (fk->kind != RV_TRUE && fk->kind != RV_HASH)
			return false;
	}
	return r->col_sql && (!r->type_col || r->type_sql);
}

/* The index a reference makes: on (x_id), or (x_type, x_id) when polymorphic. */
static bool reference_index(const struct rctx *x, struct remits *out, int line, const char *table,
			    const struct reference *r, const struct rcall *c)
{
	struct rvalue cols = { .kind = RV_ARRAY }, item[2];
	struct rcall opts;
	const struct rvalue *idx = rcall_kw(c, "index");
	char *poly = r->type_col ? xstrndup(r->type_col, strlen(r->type_col) - 5) : NULL;
	memset(item, 0, sizeof(item));
	if (r->type_col) {
		item[0] = (struct rvalue){ .kind = RV_STR, .s = r->type_col };
		item[1] = (struct rvalue){ .kind = RV_STR, .s = r->id_col };
		cols.items = item;
		cols.nr = 2;
	} else {
		item[0] = (struct rvalue){ .kind = RV_STR, .s = r->id_col };
		cols.items = item;
		cols.nr = 1;
	}
	hash_as_call(idx && idx->kind == RV_HASH ? idx : &(struct rvalue){ .kind = RV_HASH }, &opts);
	/* polymorphic: index_comments_on_commentable (the reference's name) */
	char *name = NULL;
	if (!rv_name(rcall_kw(&opts, "name")) && poly)
		name = xstrfmt("index_%s_on_%s", table, poly);
	bool ok;
	if (name) {
		struct rvalue nm = { .kind = RV_STR, .s = name };
		struct rvalue keys = opts.kw;
		struct rvalue merged = { .kind = RV_HASH };
		merged.nr = keys.nr + 1;
		merged.items = xmalloc(merged.nr * sizeof(*merged.items));
		merged.keys = xmalloc(merged.nr * sizeof(*merged.keys));
		for (size_t i = 0; i < keys.nr; i++) {
			merged.items[i] = keys.items[i];
			merged.keys[i] = keys.keys[i];
		}
		merged.items[keys.nr] = nm;
		merged.keys[keys.nr] = (char *)"name";
		opts.kw = merged;
		ok = emit_index(x, out, line, table, &cols, &opts);
		free(merged.items);
		free(merged.keys);
	} else {
		ok = emit_index(x, out, line, table, &cols, &opts);
	}
	free(name);
	free(poly);
	return ok;
}

static bool add_reference(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first), *name = arg_name(c, first);
	struct reference r;
	if (!table || !name)
		return false;
	if (!reference_of(x, table, name, c, &r)) {
		reference_release(&r);
		return false;
	}
	char *t = rsql_ident(table);
	if (r.type_sql)
		emit(out, c->line, "ALTER TABLE %s ADD %s", t, r.type_sql);
	emit(out, c->line, "ALTER TABLE %s ADD %s", t, r.col_sql);
	free(t);
	if (r.index)
		reference_index(x, out, c->line, table, &r, c);
	if (r.has_fk)
		emit_add_fk(out, c->line, &r.fk);
	reference_release(&r);
	return true;
}

static bool remove_reference(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	size_t first;
	const char *table = table_of(x, c, &first), *name = arg_name(c, first);
	struct reference r;
	if (!table || !name)
		return false;
	bool ok = reference_of(x, table, name, c, &r);
	if (ok && r.has_fk) {
		char *fkname, *clause = fk_clause(&r.fk, &fkname), *t = rsql_ident(table), *n = rsql_ident(fkname);
		emit(out, c->line, "ALTER TABLE %s DROP CONSTRAINT %s", t, n);
		free(fkname);
		free(clause);
		free(t);
		free(n);
	}
	if (ok) {
		drop_column(x, out, c->line, table, r.id_col);
		if (r.type_col)
			drop_column(x, out, c->line, table, r.type_col);
	}
	reference_release(&r);
	return ok;
}

/* --- constraints ------------------------------------------------------------ */

static bool add_foreign_key(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	struct fk k;
	char *col;
	(void)x;
	if (!fk_from_call(c, &k, &col))
		return false;
	emit_add_fk(out, c->line, &k);
	free(col);
	return true;
}

static void drop_constraint(struct remits *out, int line, const char *table, const char *name)
{
	char *t = rsql_ident(table), *n = rsql_ident(name);
	emit(out, line, "ALTER TABLE %s DROP CONSTRAINT %s", t, n);
	free(t);
	free(n);
}

/* The fk's name from the call: name:, else fk_rails_ from the column. */
static char *fk_name_of(const struct rcall *c)
{
	struct fk k;
	char *col, *name = NULL;
	const char *given = rv_name(rcall_kw(c, "name"));
	if (given)
		return xstrdup(given);
	if (!rcall_arg(c, 1) && !rcall_kw(c, "column"))
		return NULL;
	if (!rcall_arg(c, 1)) {
		/* validate_foreign_key :posts, column: :author_id */
		const char *table = arg_name(c, 0), *column = rv_name(rcall_kw(c, "column"));
		return table && column ? rsql_fk_name(table, column) : NULL;
	}
	if (fk_from_call(c, &k, &col))
		name = rsql_fk_name(k.from, k.column);
	free(col);
	return name;
}

/*
 * DROP CONSTRAINT `name` (taken) on the call's table: the down of an
 * add_* constraint call, and the remove_* call itself. False when either
 * is unknown.
 */
static bool drop_named_constraint(const struct rcall *c, char *name, struct remits *out)
{
	bool known = name && arg_name(c, 0);
	if (known)
		drop_constraint(out, c->line, arg_name(c, 0), name);
	free(name);
	return known;
}

static bool add_foreign_key_down(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	(void)x;
	return drop_named_constraint(c, fk_name_of(c), out);
}

static bool remove_foreign_key(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	return add_foreign_key_down(x, c, out);
}

static bool remove_foreign_key_down(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	if (!rcall_arg(c, 1)) {
		remit_untranslated(out, c, "ActiveRecord cannot reverse it (remove_foreign_key is only "
				   "reversible if given a second table): rolling back raises "
				   "ActiveRecord::IrreversibleMigration");
		return true;
	}
	return add_foreign_key(x, c, out);
}

static bool validate_constraint(struct remits *out, const struct rcall *c, const char *table, char *name)
{
	if (!table || !name)
		return free(name), false;
	char *t = rsql_ident(table), *n = rsql_ident(name);
	emit(out, c->line, "ALTER TABLE %s VALIDATE CONSTRAINT %s", t, n);
	free(t);
	free(n);
	free(name);
	return true;
}

static bool validate_foreign_key(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	(void)x;
	return validate_constraint(out, c, arg_name(c, 0), fk_name_of(c));
}

static char *check_name_of(const struct rcall *c)
{
	const char *given = rv_name(rcall_kw(c, "name")), *table = arg_name(c, 0);
	const struct rvalue *expr = rcall_arg(c, 1);
	if (given)
		return xstrdup(given);
	return table && expr && expr->kind == RV_STR && !expr->interp ? rsql_check_name(table, expr->s)
								       : NULL;
}

static bool add_check_constraint(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	const char *table = arg_name(c, 0);
	const struct rvalue *expr = rcall_arg(c, 1);
	char *name = check_name_of(c);
	(void)x;
	if (!table || !name || !expr || expr->kind != RV_STR || expr->interp)
		return free(name), false;
	char *t = rsql_ident(table);
	bool not_valid = rcall_kw(c, "validate") && !rv_bool(rcall_kw(c, "validate"), true);
	emit(out, c->line, "ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s)%s", t, name, expr->s,
	     not_valid ? " NOT VALID" : "");
	free(t);
	free(name);
	return true;
}

static bool add_check_constraint_down(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	(void)x;
	return drop_named_constraint(c, check_name_of(c), out);
}

static bool remove_check_constraint_down(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	if (!rcall_arg(c, 1)) {
		remit_untranslated(out, c, "ActiveRecord cannot reverse it (remove_check_constraint is "
				   "only reversible if given an expression): rolling back raises "
				   "ActiveRecord::IrreversibleMigration");
		return true;
	}
	return add_check_constraint(x, c, out);
}

static bool validate_check_constraint(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	(void)x;
	return validate_constraint(out, c, arg_name(c, 0), check_name_of(c));
}

/* --- tables ---------------------------------------------------------------- */

struct table_def {
	struct strlist cols;         /* column definitions, in order */
	struct strlist constraints;  /* CONSTRAINT ... inside the CREATE TABLE */
	struct remits after;         /* indexes, comments: after the CREATE TABLE */
	struct remits comments;
	struct remits bad;           /* the block's calls that could not be read */
};

static void table_def_release(struct table_def *td)
{
	strlist_clear(&td->cols);
	strlist_clear(&td->constraints);
	remits_release(&td->after);
	remits_release(&td->comments);
	remits_release(&td->bad);
}

/*
 * primary_key: [:a, :b]: no id column, PRIMARY KEY ("a", "b") after the
 * columns the block adds (schema_creation's visit_PrimaryKeyDefinition),
 * before the foreign keys.
 */
static bool composite_key_sql(const struct rvalue *cols, struct table_def *td)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "PRIMARY KEY (");
	for (size_t i = 0; i < cols->nr; i++) {
		const char *name = rv_name(&cols->items[i]);
		if (!name)
			return strbuf_release(&sb), false;
		char *q = rsql_ident(name);
		strbuf_addf(&sb, "%s%s", i ? ", " : "", q);
		free(q);
	}
	strbuf_addch(&sb, ')');
	strlist_add_nodup(&td->constraints, strbuf_detach(&sb, NULL));
	return cols->nr > 0;
}

/* The primary key create_table makes: id:, primary_key:, and the version's default. */
static bool primary_key_sql(const struct rctx *x, const struct rcall *c, struct table_def *td)
{
	const struct rvalue *id = rcall_kw(c, "id"), *pkv = rcall_kw(c, "primary_key");
	const char *pk = rv_name(pkv) ? rv_name(pkv) : "id";
	if (id && id->kind == RV_FALSE)
		return true;
	if (pkv && pkv->kind == RV_ARRAY)
		return composite_key_sql(pkv, td);
	const char *type = id ? rv_name(id) : NULL;
	char *q = rsql_ident(pk);
	if (!type || !strcmp(type, "primary_key")) {
		/* ActiveRecord 5.1 made ids bigserial; Migration[5.0] and older keep serial */
		if (x->ar_version && x->ar_version < 501)
			strlist_add_nodup(&td->cols, xstrfmt("%s serial NOT NULL PRIMARY KEY", q));
		else
			strlist_add_nodup(&td->cols, xstrfmt("%s bigserial primary key", q));
	} else if (!strcmp(type, "uuid")) {
		const struct rvalue *d = rcall_kw(c, "default");
		char *dv = d ? rsql_literal(d) : xstrdup("gen_random_uuid()");
		if (!dv)
			return free(q), false;
		strlist_add_nodup(&td->cols, xstrfmt("%s uuid DEFAULT %s NOT NULL PRIMARY KEY", q, dv));
		free(dv);
	} else {
		const char *t = !strcmp(type, "bigint") ? "bigserial" : !strcmp(type, "integer") ? "serial" : type;
		struct rcall none;
		hash_as_call(&(struct rvalue){ .kind = RV_HASH }, &none);
		char *ty = rsql_type(t, &none, x->ar_version);
		if (!ty)
			return free(q), false;
		strlist_add_nodup(&td->cols, xstrfmt("%s %s NOT NULL PRIMARY KEY", q, ty));
		free(ty);
	}
	free(q);
	return true;
}

static bool column_in_table(const struct rctx *x, const char *table, const char *name,
			    const char *type, const struct rcall *t, struct table_def *td)
{
	const char *why = NULL;
	char *col = column_sql(x, name, type, t, &why);
	if (!col) {
		remit_untranslated(&td->bad, t, "%s", why);
		return true;
	}
	strlist_add_nodup(&td->cols, col);
	comment_on_column(&td->comments, t->line, table, name, t);
	if (rcall_kw(t, "index") && rcall_kw(t, "index")->kind != RV_FALSE) {
		struct rvalue cols = { .kind = RV_STR, .s = (char *)name };
		const struct rvalue *idx = rcall_kw(t, "index");
		struct rcall opts;
		hash_as_call(idx->kind == RV_HASH ? idx : &(struct rvalue){ .kind = RV_HASH }, &opts);
		emit_index(x, &td->after, t->line, table, &cols, &opts);
	}
	return true;
}

/* One t.<something> in a create_table block. */
static bool table_call(const struct rctx *x, const char *table, const struct rcall *t,
		       struct table_def *td)
{
	const char *m = t->name;
	if (!strcmp(m, "timestamps")) {
		timestamps_sql(x, t, table, &td->cols);
		return true;
	}
	if (!strcmp(m, "references") || !strcmp(m, "belongs_to")) {
		for (size_t i = 0; i < t->args.nr; i++) {
			struct reference r = { 0 };
			const char *name = arg_name(t, i);
			if (!name || !reference_of(x, table, name, t, &r)) {
				reference_release(&r);
				return false;
			}
			if (r.type_sql)
				strlist_add(&td->cols, r.type_sql);
			strlist_add(&td->cols, r.col_sql);
			if (r.index)
				reference_index(x, &td->after, t->line, table, &r, t);
			if (r.has_fk) {
				char *fkname, *clause = fk_clause(&r.fk, &fkname), *n = rsql_ident(fkname);
				strlist_add_nodup(&td->constraints, xstrfmt("CONSTRAINT %s\n%s", n, clause));
				free(fkname);
				free(clause);
				free(n);
			}
			reference_release(&r);
		}
		return true;
	}
	if (!strcmp(m, "index")) {
		const struct rvalue *cols = rcall_arg(t, 0);
		return cols && emit_index(x, &td->after, t->line, table, cols, t);
	}
	if (!strcmp(m, "check_constraint")) {
		const struct rvalue *expr = rcall_arg(t, 0);
		const char *given = rv_name(rcall_kw(t, "name"));
		if (!expr || expr->kind != RV_STR || expr->interp)
			return false;
		char *name = given ? xstrdup(given) : rsql_check_name(table, expr->s);
		strlist_add_nodup(&td->constraints, xstrfmt("CONSTRAINT %s CHECK (%s)", name, expr->s));
		free(name);
		return true;
	}
	if (!strcmp(m, "column")) {
		const char *name = arg_name(t, 0), *type = arg_name(t, 1);
		return name && type && column_in_table(x, table, name, type, t, td);
	}
	/* t.string :a, :b, null: false */
	if (!t->args.nr)
		return false;
	if (!rsql_native_type(m) || !strcmp(m, "primary_key"))
		return false;
	for (size_t i = 0; i < t->args.nr; i++) {
		const char *name = arg_name(t, i);
		if (!name || !column_in_table(x, table, name, m, t, td))
			return false;
	}
	return true;
}

static bool create_table(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	const char *table = arg_name(c, 0);
	struct table_def td;
	if (!table)
		return false;
	memset(&td, 0, sizeof(td));
	if ((rv_name(rcall_kw(c, "force")) || rv_bool(rcall_kw(c, "force"), false)) && !x->dump)
		rindex_table_dropped(x->known, table);   /* dropped first: its indexes too */
	if (!primary_key_sql(x, c, &td)) {
		table_def_release(&td);
		return false;
	}
	for (size_t i = 0; i < c->nr_body; i++) {
		const struct rcall *t = &c->body[i];
		if (t->bad || !t->recv || !c->param || strcmp(t->recv, c->param) ||
		    !table_call(x, table, t, &td))
			remit_untranslated(&td.bad, t, "%s", t->bad ? t->bad
					   : "a create_table line sluice does not translate");
	}
	char *q = rsql_ident(table);
	struct strbuf sb = STRBUF_INIT;
	const char *force = rv_name(rcall_kw(c, "force"));
	if ((force || rv_bool(rcall_kw(c, "force"), false)) && !x->dump)
		emit(out, c->line, "DROP TABLE IF EXISTS %s%s", q,
		     force && !strcmp(force, "cascade") ? " CASCADE" : "");
	strbuf_addf(&sb, "CREATE%s TABLE %s%s (", rv_bool(rcall_kw(c, "temporary"), false) ? " TEMPORARY" : "",
		    rv_bool(rcall_kw(c, "if_not_exists"), false) ? "IF NOT EXISTS " : "", q);
	for (size_t i = 0; i < td.cols.nr; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", td.cols.items[i]);
	for (size_t i = 0; i < td.constraints.nr; i++)
		strbuf_addf(&sb, "%s%s", td.cols.nr || i ? ", " : "", td.constraints.items[i]);
	strbuf_addch(&sb, ')');
	const struct rvalue *opts = rcall_kw(c, "options");
	if (opts && opts->kind == RV_STR)
		strbuf_addf(&sb, " %s", opts->s);
	remit_sql(out, c->line, strbuf_detach(&sb, NULL));
	for (size_t i = 0; i < td.after.nr; i++) {
		remit_sql(out, td.after.v[i].line, td.after.v[i].sql);
		td.after.v[i].sql = NULL;
	}
	const struct rvalue *tc = rcall_kw(c, "comment");
	if (tc && tc->kind == RV_STR && !tc->interp) {
		char *lit = rsql_literal(tc);
		emit(out, c->line, "COMMENT ON TABLE %s IS %s", q, lit);
		free(lit);
	}
	for (size_t i = 0; i < td.comments.nr; i++) {
		remit_sql(out, td.comments.v[i].line, td.comments.v[i].sql);
		td.comments.v[i].sql = NULL;
	}
	for (size_t i = 0; i < td.bad.nr; i++) {
		struct remit *r = add_remit(out, td.bad.v[i].line);
		r->why = td.bad.v[i].why;
		r->source = td.bad.v[i].source;
		td.bad.v[i].why = td.bad.v[i].source = NULL;
	}
	free(q);
	table_def_release(&td);
	return true;
}

static void drop_table_sql(const struct rctx *x, struct remits *out, int line, const char *table,
			   const struct rcall *c)
{
	char *q = rsql_ident(table);
	rindex_table_dropped(x->known, table);
	const char *force = rv_name(rcall_kw(c, "force"));
	emit(out, line, "DROP TABLE %s%s%s", rv_bool(rcall_kw(c, "if_exists"), false) ? "IF EXISTS " : "",
	     q, force && !strcmp(force, "cascade") ? " CASCADE" : "");
	free(q);
}

/* DROP TABLE without options: what a create_table's (and a join table's) down sends */
static void drop_table_plain(const struct rctx *x, struct remits *out, int line, const char *table)
{
	char *q = rsql_ident(table);
	emit(out, line, "DROP TABLE %s", q);
	rindex_table_dropped(x->known, table);
	free(q);
}

static bool create_table_down(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	const char *table = arg_name(c, 0);
	if (!table)
		return false;
	drop_table_plain(x, out, c->line, table);
	return true;
}

static bool drop_table(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	const char *table = arg_name(c, 0);
	if (!table || c->args.nr > 1)
		return false;
	drop_table_sql(x, out, c->line, table, c);
	return true;
}

/* drop_table reverses to create_table only with options or a block */
static bool drop_table_down(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	if (!c->block && !c->kw.nr) {
		remit_untranslated(out, c, "ActiveRecord cannot reverse it (drop_table is only "
				   "reversible if given options or a block): rolling back raises "
				   "ActiveRecord::IrreversibleMigration");
		return true;
	}
	struct rctx up = *x;
	up.down = false;
	return create_table(&up, c, out);
}

static void rename_table_sql(struct remits *out, int line, const char *from, const char *to)
{
	char *a = rsql_ident(from), *b = rsql_ident(to);
	char *pa = xstrfmt("%s_pkey", from), *pb = xstrfmt("%s_pkey", to);
	char *sa = xstrfmt("%s_id_seq", from), *sb = xstrfmt("%s_id_seq", to);
	char *qpa = rsql_ident(pa), *qpb = rsql_ident(pb), *qsa = rsql_ident(sa), *qsb = rsql_ident(sb);
	emit(out, line, "ALTER TABLE %s RENAME TO %s", a, b);
	/* the primary key's index and sequence follow, as rename_table renames them */
	emit(out, line, "ALTER INDEX %s RENAME TO %s", qpa, qpb);
	emit(out, line, "ALTER TABLE \"public\".%s RENAME TO %s", qsa, qsb);
	free(a), free(b), free(pa), free(pb), free(sa), free(sb);
	free(qpa), free(qpb), free(qsa), free(qsb);
}

static bool rename_table(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	const char *from = arg_name(c, 0), *to = arg_name(c, 1);
	if (!from || !to)
		return false;
	if (x->down) {
		const char *swap = from;
		from = to;
		to = swap;
	}
	rename_table_sql(out, c->line, from, to);
	rindex_rename_table(x->known, from, to, c, out);
	return true;
}

/* --- join tables ----------------------------------------------------------------- */

/*
 * derive_join_table_name: the two names sorted and joined by "_", a prefix
 * ending in "_" they share written once (music_artists + music_records:
 * music_artists_records), as the regex ^(.*_)(.+)\0\1(.+) takes it: the
 * longest such prefix.
 */
static char *join_table_name(const char *a, const char *b)
{
	if (strcmp(a, b) > 0) {
		const char *t = a;
		a = b;
		b = t;
	}
	for (size_t k = strlen(a) - (*a != '\0'); k > 0; k--)
		if (a[k - 1] == '_' && !strncmp(a, b, k) && b[k])
			return xstrfmt("%s_%s", a, b + k);
	return xstrfmt("%s_%s", a, b);
}

/* find_join_table_name: table_name:, else the derived one; NULL when not known. */
static char *join_table_of(const struct rcall *c)
{
	const char *t1 = arg_name(c, 0), *t2 = arg_name(c, 1), *given = rv_name(rcall_kw(c, "table_name"));
	if (!t1 || !t2 || (rcall_kw(c, "table_name") && !given))
		return NULL;
	return given ? xstrdup(given) : join_table_name(t1, t2);
}

/* Appends key: value to a hash rvalue whose arrays the caller frees (not the values). */
static void hash_put(struct rvalue *h, const char *key, struct rvalue v)
{
	h->items = xrealloc(h->items, (h->nr + 1) * sizeof(*h->items));
	h->keys = xrealloc(h->keys, (h->nr + 1) * sizeof(*h->keys));
	h->items[h->nr] = v;
	h->keys[h->nr++] = (char *)key;
}

/*
 * create_join_table :users, :accounts, column_options: {}, **options do |t| ... end
 * is create_table(name, id: false, **options) whose block starts with
 * t.references for each table's singular (null: false, index: false unless
 * column_options says otherwise), then runs the given block.
 */
static bool create_join_table(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	const struct rvalue *colopts = rcall_kw(c, "column_options");
	char *table = join_table_of(c);
	if (!table || (colopts && colopts->kind != RV_HASH))
		return free(table), false;
	struct rvalue refkw = { .kind = RV_HASH }, kw = { .kind = RV_HASH }, name[2], tname;
	struct rcall refs[2], ct = *c;
	for (size_t i = 0; colopts && i < colopts->nr; i++)
		hash_put(&refkw, colopts->keys[i], colopts->items[i]);
	if (!hash_get(colopts, "null"))
		hash_put(&refkw, "null", (struct rvalue){ .kind = RV_FALSE });
	if (!hash_get(colopts, "index"))
		hash_put(&refkw, "index", (struct rvalue){ .kind = RV_FALSE });
	for (size_t i = 0; i < c->kw.nr; i++)
		if (strcmp(c->kw.keys[i], "table_name") && strcmp(c->kw.keys[i], "column_options") &&
		    strcmp(c->kw.keys[i], "id"))
			hash_put(&kw, c->kw.keys[i], c->kw.items[i]);
	hash_put(&kw, "id", (struct rvalue){ .kind = RV_FALSE });
	ct.param = c->param ? c->param : (char *)"t";
	ct.body = xcalloc(c->nr_body + 2, sizeof(*ct.body));
	for (int i = 0; i < 2; i++) {
		name[i] = (struct rvalue){ .kind = RV_STR, .s = rsql_singular(arg_name(c, (size_t)i)) };
		refs[i] = (struct rcall){ .recv = ct.param, .name = (char *)"references", .line = c->line,
					  .end_line = c->line, .args = { .kind = RV_ARRAY, .items = &name[i], .nr = 1 },
					  .kw = refkw, .source = c->source };
		ct.body[i] = refs[i];
	}
	for (size_t i = 0; i < c->nr_body; i++)
		ct.body[i + 2] = c->body[i];
	ct.nr_body = c->nr_body + 2;
	tname = (struct rvalue){ .kind = RV_STR, .s = table };
	ct.args = (struct rvalue){ .kind = RV_ARRAY, .items = &tname, .nr = 1 };
	ct.kw = kw;
	bool ok = create_table(x, &ct, out);
	free(ct.body);
	free(name[0].s);
	free(name[1].s);
	free(refkw.items);
	free(refkw.keys);
	free(kw.items);
	free(kw.keys);
	free(table);
	return ok;
}

/* drop_join_table: drop_table of the join table's name, its other options not passed on */
static bool drop_join_table(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	char *table = join_table_of(c);
	if (!table)
		return false;
	drop_table_plain(x, out, c->line, table);
	free(table);
	return true;
}

/* --- SQL as written ------------------------------------------------------------ */

static bool execute(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	const struct rvalue *sql = rcall_arg(c, 0);
	(void)x;
	if (!sql || sql->kind != RV_STR)
		return false;
	if (sql->interp) {
		remit_untranslated(out, c, "the SQL is built when the migration runs (#{...}), so "
				   "sluice cannot know it");
		return true;
	}
	struct remit *r = remit_sql(out, sql->line, xstrdup(sql->s));
	r->follows = true;
	return true;
}

static bool extension(const struct rcall *c, struct remits *out, bool enable)
{
	const char *name = arg_name(c, 0);
	if (!name)
		return false;
	char *q = rsql_ident(name);
	if (enable)
		emit(out, c->line, "CREATE EXTENSION IF NOT EXISTS %s", q);
	else
		emit(out, c->line, "DROP EXTENSION IF EXISTS %s CASCADE", q);
	free(q);
	return true;
}

static bool enable_extension(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	return extension(c, out, !x->down);
}

static bool disable_extension(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	return extension(c, out, x->down);
}

/* --- change_table: each t.<call> is the migration call of its own name --------- */

static const struct { const char *t, *call; } change_table_calls[] = {
	{ "column", "add_column" }, { "remove", "remove_columns" }, { "rename", "rename_column" },
	{ "change", "change_column" }, { "change_default", "change_column_default" },
	{ "change_null", "change_column_null" }, { "index", "add_index" },
	{ "remove_index", "remove_index" }, { "references", "add_reference" },
	{ "belongs_to", "add_reference" }, { "remove_references", "remove_reference" },
	{ "remove_belongs_to", "remove_reference" }, { "timestamps", "add_timestamps" },
	{ "remove_timestamps", "remove_timestamps" }, { "check_constraint", "add_check_constraint" },
	{ "remove_check_constraint", "remove_check_constraint" },
};

/* t.string :a, :b, null: false: add_column for each name, the type from the method */
static bool change_table_column(const struct rctx *x, const struct rcall *t, struct remits *out)
{
	struct rvalue args[2];
	struct rcall one = *t;
	if (!rsql_native_type(t->name) || !strcmp(t->name, "primary_key") || !t->args.nr)
		return false;
	for (size_t i = 0; i < t->args.nr; i++) {
		args[0] = t->args.items[i];
		args[1] = (struct rvalue){ .kind = RV_SYM, .s = t->name };
		one.args = (struct rvalue){ .kind = RV_ARRAY, .items = args, .nr = 2 };
		if (!add_column(x, &one, out))
			return false;
	}
	return true;
}

/*
 * bulk: true, up: consecutive column changes (the calls with a *_for_alter
 * in ActiveRecord's PostgreSQL adapter) become one ALTER TABLE; anything
 * else (an index, a reference) sends what came before and runs alone.
 */
struct bulk {
	struct strbuf alter;   /* "ALTER TABLE "t" ADD ..., DROP COLUMN ..." */
	int line;
	size_t prefix;         /* bytes of "ALTER TABLE "t" " */
};

static void bulk_flush(struct bulk *b, struct remits *out)
{
	if (b->alter.len > b->prefix)
		remit_sql(out, b->line, xstrdup(b->alter.buf));
	b->alter.len = b->prefix;
	b->alter.buf[b->prefix] = '\0';
}

static bool combinable(const char *call)
{
	static const char *const calls[] = { "add_column", "remove_columns", "change_column",
		"change_column_default", "change_column_null", "add_timestamps",
		"remove_timestamps", NULL };
	for (const char *const *k = calls; *k; k++)
		if (!strcmp(*k, call))
			return true;
	return false;
}

/* Moves tmp's statements out, joining the combinable ALTER TABLEs. */
static void bulk_take(struct bulk *b, struct remits *tmp, bool combine, struct remits *out)
{
	for (size_t i = 0; i < tmp->nr; i++) {
		struct remit *r = &tmp->v[i];
		if (combine && r->sql && !strncmp(r->sql, b->alter.buf, b->prefix)) {
			if (b->alter.len == b->prefix)
				b->line = r->line;
			else
				strbuf_addstr(&b->alter, ", ");
			strbuf_addstr(&b->alter, r->sql + b->prefix);
			continue;
		}
		bulk_flush(b, out);
		*add_remit(out, r->line) = *r;
		memset(r, 0, sizeof(*r));
	}
	remits_release(tmp);
}

static bool change_table(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	const char *table = arg_name(c, 0);
	if (!table || !c->block)
		return false;
	struct rctx in = *x;
	in.table = table;
	bool bulk = rv_bool(rcall_kw(c, "bulk"), false) && !x->down;
	struct bulk b = { STRBUF_INIT, 0, 0 };
	char *qt = rsql_ident(table);
	strbuf_addf(&b.alter, "ALTER TABLE %s ", qt);
	b.prefix = b.alter.len;
	free(qt);
	for (size_t k = 0; k < c->nr_body; k++) {
		struct remits tmp = { 0 };
		struct remits *to = bulk ? &tmp : out;
		/* a change's down reverses the block's calls too */
		const struct rcall *t = &c->body[x->down ? c->nr_body - 1 - k : k];
		struct rcall as = *t;
		bool done = false, combine = false;
		for (size_t i = 0; i < ARRAY_SIZE(change_table_calls) && !t->bad; i++)
			if (!strcmp(change_table_calls[i].t, t->name)) {
				as.name = (char *)change_table_calls[i].call;
				done = rails_dsl_translate(&in, &as, to);
				combine = combinable(as.name);
			}
		if (!done && !t->bad && t->recv && c->param && !strcmp(t->recv, c->param)) {
			size_t before = to->nr;
			if (x->down && rsql_native_type(t->name)) {
				/* t.string :a in a change: its down drops the columns */
				for (size_t i = t->args.nr; i > 0 && arg_name(t, i - 1); i--)
					drop_column(x, to, t->line, table, arg_name(t, i - 1));
				done = to->nr > before;
			} else {
				done = combine = change_table_column(&in, t, to);
			}
		}
		if (!done)
			remit_untranslated(to, t, "%s", t->bad ? t->bad
					   : "a change_table line sluice does not translate");
		if (bulk)
			bulk_take(&b, &tmp, combine, out);
	}
	bulk_flush(&b, out);
	strbuf_release(&b.alter);
	return true;
}

/* --- the table ------------------------------------------------------------------ */

/*
 * One row per call. `up` is what ActiveRecord sends; `down` what a `change`
 * method sends for it on rollback (NULL: ActiveRecord cannot reverse it).
 * A row whose down is its up reads ctx->down itself (rename_column).
 */
static const struct dsl_row {
	const char *name;
	dsl_fn up, down;
} rows[] = {
	{ "create_table", create_table, create_table_down },
	{ "drop_table", drop_table, drop_table_down },
	{ "rename_table", rename_table, rename_table },
	{ "add_column", add_column, add_column_down },
	{ "remove_column", remove_column, remove_column_down },
	{ "remove_columns", remove_columns, remove_columns_down },
	{ "rename_column", rename_column, rename_column },
	{ "change_column", change_column, NULL },
	{ "change_column_null", change_column_null, change_column_null },
	{ "change_column_default", change_column_default, change_column_default },
	{ "add_index", add_index, add_index_down },
	{ "remove_index", remove_index, remove_index_down },
	{ "add_foreign_key", add_foreign_key, add_foreign_key_down },
	{ "remove_foreign_key", remove_foreign_key, remove_foreign_key_down },
	{ "validate_foreign_key", validate_foreign_key, NULL },
	{ "add_check_constraint", add_check_constraint, add_check_constraint_down },
	{ "remove_check_constraint", add_check_constraint_down, remove_check_constraint_down },
	{ "validate_check_constraint", validate_check_constraint, NULL },
	{ "add_reference", add_reference, remove_reference },
	{ "add_belongs_to", add_reference, remove_reference },
	{ "remove_reference", remove_reference, add_reference },
	{ "remove_belongs_to", remove_reference, add_reference },
	{ "add_timestamps", add_timestamps, remove_timestamps },
	{ "remove_timestamps", remove_timestamps, add_timestamps },
	{ "execute", execute, NULL },
	{ "enable_extension", enable_extension, enable_extension },
	{ "disable_extension", disable_extension, disable_extension },
	{ "change_table", change_table, change_table },
	{ "create_join_table", create_join_table, drop_join_table },
	{ "drop_join_table", drop_join_table, create_join_table },
};

bool rails_dsl_translate(const struct rctx *x, const struct rcall *c, struct remits *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct dsl_row *row = &rows[i];
		if (strcmp(row->name, c->name) || (c->recv && !x->table))
			continue;
		dsl_fn fn = x->down ? row->down : row->up;
		if (!fn) {
			remit_untranslated(out, c, "ActiveRecord cannot reverse '%s' in a change method: "
					   "rolling back raises ActiveRecord::IrreversibleMigration "
					   "(write up and down instead)", c->name);
			return true;
		}
		size_t before = out->nr;
		if (fn(x, c, out))
			return true;
		while (out->nr > before)
			remit_release(&out->v[--out->nr]);
		remit_untranslated(out, c, "'%s' with arguments sluice cannot read (a value known "
				   "only when Ruby runs, or options it does not translate)", c->name);
		return true;
	}
	return false;
}
