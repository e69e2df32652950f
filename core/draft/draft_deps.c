/*
 * draft_deps.c - what hangs on a column, from the history (see draft_deps_int.h).
 */
#include "draft_deps_int.h"
#include "draft_int.h"
#include "parse.h"
#include "schema.h"
#include "tree.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	struct col_deps *d;
	const char *table, *col, *newcol;
	char *pk_single;       /* the table's primary key when it is one column */
};

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/*
 * `text` with every identifier token `col` (bare or double-quoted, outside
 * string literals, not a function name) replaced by `newcol` quoted as
 * needed; *found says whether there was one. NULL newcol: only *found.
 */
static char *replace_ident(const char *text, const char *col, const char *newcol, bool *found)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = strlen(col);
	char *q = newcol ? sql_ident(newcol) : NULL;
	*found = false;
	for (const char *p = text; *p;) {
		if (*p == '\'') {
			const char *e = p + 1;
			while (*e && !(*e == '\'' && e[1] != '\''))
				e += *e == '\'' ? 2 : 1;
			e += *e ? 1 : 0;
			strbuf_add(&sb, p, (size_t)(e - p));
			p = e;
			continue;
		}
		const char *s = p, *e;
		bool quoted = *p == '"';
		if (quoted) {
			e = strchr(p + 1, '"');
			e = e ? e + 1 : p + strlen(p);
		} else if (ident_char(*p) && !isdigit((unsigned char)*p)) {
			e = p;
			while (ident_char(*e))
				e++;
		} else {
			strbuf_addch(&sb, *p++);
			continue;
		}
		size_t len = (size_t)(e - s) - (quoted ? 2 : 0);
		const char *name = quoted ? s + 1 : s;
		const char *after = e;
		while (*after == ' ')
			after++;
		bool match = len == n && (quoted ? !strncmp(name, col, n) : !strncasecmp(name, col, n)) &&
			     *after != '(';
		if (match) {
			*found = true;
			strbuf_addstr(&sb, q ? q : col);
		} else {
			strbuf_add(&sb, s, (size_t)(e - s));
		}
		p = e;
	}
	free(q);
	return strbuf_detach(&sb, NULL);
}

static bool mentions(const char *text, const char *col)
{
	bool found;
	free(replace_ident(text, col, NULL, &found));
	return found;
}

static struct col_dep *add_dep(struct reader *r, enum dep_kind kind, const char *name,
			       const char *table, const char *def)
{
	struct col_deps *d = r->d;
	bool found;
	ALLOC_GROW(d->v, d->nr + 1, d->alloc);
	struct col_dep *x = &d->v[d->nr++];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->name = xstrdup(name);
	x->table = xstrdup(table_key(table));
	x->def = xstrdup(def);
	x->renamed = kind == DEP_VIEW ? NULL : replace_ident(def, r->col, r->newcol, &found);
	return x;
}

static void forget(struct col_deps *d, const char *name, enum dep_kind only, bool any)
{
	for (size_t i = 0; i < d->nr;) {
		struct col_dep *x = &d->v[i];
		if (strcmp(x->name, name) || (!any && x->kind != only)) {
			i++;
			continue;
		}
		free(x->name);
		free(x->table);
		free(x->def);
		free(x->renamed);
		memmove(x, x + 1, (d->nr - i - 1) * sizeof(*x));
		d->nr--;
	}
}

/*
 * The names of a [{String}] list joined: "a, b" quoted as needed for SQL,
 * or "a_b" as PostgreSQL joins them into the names it chooses.
 */
static char *join_names(const cJSON *list, const char *sep, bool quote)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *it;
	cJSON_ArrayForEach(it, list) {
		const char *s = tree_str(it);
		if (!s)
			continue;
		if (sb.len)
			strbuf_addstr(&sb, sep);
		if (quote)
			sql_add_ident(&sb, s);
		else
			strbuf_addstr(&sb, s);
	}
	return strbuf_detach(&sb, NULL);
}

static char *ident_list(const cJSON *list)
{
	return join_names(list, ", ", true);
}

static char *name_part(const cJSON *list)
{
	return join_names(list, "_", false);
}

static bool list_has(const cJSON *list, const char *col)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, list)
		if (tree_str(it) && !strcmp(tree_str(it), col))
			return true;
	return false;
}

static const char *fk_action(char c)
{
	switch (c) {
	case 'c': return "CASCADE";
	case 'n': return "SET NULL";
	case 'd': return "SET DEFAULT";
	case 'r': return "RESTRICT";
	default: return NULL;
	}
}

/* The text of CHECK (...) starting at the constraint's location. */
static char *check_text(const char *sql, int loc)
{
	size_t len = strlen(sql);
	size_t at = sql_find_word(sql, (size_t)loc, "check");
	const char *open = at == (size_t)-1 ? NULL : strchr(sql + at, '(');
	if (!open)
		return NULL;
	size_t from = (size_t)(open - sql) + 1, to = sql_clause_end(sql, from, len, NULL);
	char *inner = sql_slice(sql, from, to);
	char *t = xstrfmt("CHECK (%s)", inner);
	free(inner);
	return t;
}

/*
 * One constraint of `table` (inline on column `colname`, or a table
 * constraint when colname is NULL), from statement text `sql`.
 */
static void read_constraint(struct reader *r, const char *table, const char *colname,
			    const cJSON *con, const char *sql)
{
	const char *type = nonnull(tree_str(tree_path(con, "contype", NULL)));
	const char *conname = tree_str(tree_path(con, "conname", NULL));
	const cJSON *keys = tree_path(con, "keys", NULL);
	bool ours = table_names_equal(table, r->table);
	char *name = NULL;
	bool has = colname ? !strcmp(colname, r->col) : list_has(keys, r->col);
	char *cols = colname ? sql_ident(colname) : ident_list(keys);
	char *part = colname ? xstrdup(colname) : name_part(keys);

	if (ours && (!strcmp(type, "CONSTR_PRIMARY") || !strcmp(type, "CONSTR_UNIQUE"))) {
		bool pk = !strcmp(type, "CONSTR_PRIMARY");
		name = conname ? xstrdup(conname) : pk ? xstrfmt("%s_pkey", table_key(table))
						 : xstrfmt("%s_%s_key", table_key(table), part);
		if (pk) {
			free(r->pk_single);
			r->pk_single = (colname || cJSON_GetArraySize(keys) == 1)
				       ? xstrdup(colname ? colname : tree_str(cJSON_GetArrayItem(keys, 0)))
				       : NULL;
		}
		if (has) {
			char *def = xstrfmt("%s (%s)", pk ? "PRIMARY KEY" : "UNIQUE", cols);
			struct col_dep *x = add_dep(r, pk ? DEP_PRIMARY : DEP_UNIQUE, name, table, def);
			x->multi = !colname && cJSON_GetArraySize(keys) > 1;
			free(def);
		}
	} else if (ours && !strcmp(type, "CONSTR_CHECK")) {
		char *def = check_text(sql, tree_int(con, "location"));
		if (def && (colname ? !strcmp(colname, r->col) : mentions(def, r->col))) {
			name = conname ? xstrdup(conname) : xstrfmt("%s_%s_check", table_key(table),
								     colname ? colname : r->col);
			add_dep(r, DEP_CHECK, name, table, def);
		}
		free(def);
	} else if (!strcmp(type, "CONSTR_FOREIGN")) {
		const cJSON *fk = colname ? NULL : tree_path(con, "fk_attrs", NULL);
		char *fkcols = colname ? sql_ident(colname) : ident_list(fk);
		char *fkpart = colname ? xstrdup(colname) : name_part(fk);
		char *ref = tree_rangevar_name(tree_path(con, "pktable", NULL));
		const cJSON *pkattrs = tree_path(con, "pk_attrs", NULL);
		char *refcols = ident_list(pkattrs);
		struct strbuf def = STRBUF_INIT;
		strbuf_addf(&def, "FOREIGN KEY (%s) REFERENCES ", fkcols);
		sql_add_qualified(&def, nonnull(ref));
		/* an implied key is named, so that the copy can name its own */
		if (*refcols)
			strbuf_addf(&def, " (%s)", refcols);
		else if (ref && table_names_equal(ref, r->table) && r->pk_single)
			strbuf_addf(&def, " (%s)", r->pk_single);
		const char *upd = fk_action(nonnull(tree_str(tree_path(con, "fk_upd_action", NULL)))[0]);
		const char *del = fk_action(nonnull(tree_str(tree_path(con, "fk_del_action", NULL)))[0]);
		if (del)
			strbuf_addf(&def, " ON DELETE %s", del);
		if (upd)
			strbuf_addf(&def, " ON UPDATE %s", upd);
		name = conname ? xstrdup(conname) : xstrfmt("%s_%s_fkey", table_key(table), fkpart);
		bool in = ref && table_names_equal(ref, r->table) &&
			  (list_has(pkattrs, r->col) ||
			   (!cJSON_GetArraySize(pkattrs) && r->pk_single && !strcmp(r->pk_single, r->col)));
		if (ours && (colname ? !strcmp(colname, r->col) : list_has(fk, r->col)))
			add_dep(r, DEP_FK_OUT, name, table, def.buf);
		if (in) {
			/* the copy is referenced instead: only the REFERENCES part names it */
			struct col_dep *x = add_dep(r, DEP_FK_IN, name, table, def.buf);
			char *refs = strstr(def.buf, " REFERENCES ");
			bool found;
			char *tail = replace_ident(refs, r->col, r->newcol, &found);
			free(x->renamed);
			x->renamed = xstrfmt("%.*s%s", (int)(refs - def.buf), def.buf, tail);
			free(tail);
		}
		strbuf_release(&def);
		free(fkcols);
		free(fkpart);
		free(ref);
		free(refcols);
	}
	free(name);
	free(cols);
	free(part);
}

/* The DEFAULT expression of a column definition, as written. */
static char *default_text(const cJSON *cd, const cJSON *def, const char *sql)
{
	size_t from = (size_t)tree_int(def, "location") + 7, len = strlen(sql);
	size_t to = sql_clause_end(sql, from, len, NULL);
	const cJSON *c;
	cJSON_ArrayForEach(c, tree_path(cd, "constraints", NULL)) {
		size_t loc = (size_t)tree_int(tree_path(c, "Constraint", NULL), "location");
		if (loc > from && loc < to)
			to = loc;
	}
	return sql_slice(sql, from, to);
}

static void read_coldef(struct reader *r, const char *table, const cJSON *cd, const char *sql)
{
	const char *name = tree_str(tree_path(cd, "colname", NULL));
	const cJSON *c;
	if (!name)
		return;
	bool ours = table_names_equal(table, r->table) && !strcmp(name, r->col);
	if (ours) {
		struct coldef_facts f;
		coldef_facts_read(cd, &f);
		struct col_deps *d = r->d;
		d->found = true;
		free(d->type);
		free(d->default_sql);
		free(d->sequence);
		d->default_sql = d->sequence = NULL;
		d->type = xstrdup(nonnull(f.type));
		d->not_null = f.not_null || f.primary;
		d->identity = f.identity;
		if (f.serial) {
			d->sequence = xstrfmt("%s_%s_seq", table_key(table), name);
			d->default_sql = xstrfmt("nextval('%s'::regclass)", d->sequence);
			d->serial_int = strcmp(f.type, "bigserial") && strcmp(f.type, "serial8");
			free(d->type);
			d->type = xstrdup(strstr(f.type, "small") ? "int2" : d->serial_int ? "int4" : "int8");
		}
		coldef_facts_release(&f);
	}
	cJSON_ArrayForEach(c, tree_path(cd, "constraints", NULL)) {
		const cJSON *con = tree_path(c, "Constraint", NULL);
		const char *t = nonnull(tree_str(tree_path(con, "contype", NULL)));
		if (ours && !strcmp(t, "CONSTR_DEFAULT")) {
			free(r->d->default_sql);
			r->d->default_sql = default_text(cd, con, sql);
		} else if (ours && !strcmp(t, "CONSTR_IDENTITY")) {
			r->d->identity_when = nonnull(tree_str(tree_path(con, "generated_when", NULL)))[0];
		} else {
			read_constraint(r, table, name, con, sql);
		}
	}
}

static void read_index(struct reader *r, const cJSON *b, const char *sql)
{
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	if (!table || !table_names_equal(table, r->table)) {
		free(table);
		return;
	}
	int loc = tree_int(tree_path(b, "relation", NULL), "location");
	const char *open = strchr(sql + loc, '(');
	char *rest = open ? xstrdup(open) : NULL;
	if (rest && mentions(rest, r->col)) {
		const char *name = tree_str(tree_path(b, "idxname", NULL));
		char *chosen = name ? xstrdup(name) : xstrfmt("%s_%s_idx", table_key(table), r->col);
		const char *method = tree_str(tree_path(b, "accessMethod", NULL));
		char *def = xstrfmt("USING %s %s", method ? method : "btree", rest);
		struct col_dep *x = add_dep(r, tree_bool(b, "primary") ? DEP_PRIMARY : DEP_INDEX, chosen,
					    table, def);
		x->unique = tree_bool(b, "unique");
		x->multi = cJSON_GetArraySize(tree_path(b, "indexParams", NULL)) > 1;
		free(chosen);
		free(def);
	}
	free(rest);
	free(table);
}

static void read_alter(struct reader *r, const cJSON *b, const char *sql)
{
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	const cJSON *cmd;
	bool ours = table && table_names_equal(table, r->table);
	cJSON_ArrayForEach(cmd, tree_path(b, "cmds", NULL)) {
		const cJSON *c = tree_body(cmd);
		const char *sub = nonnull(tree_str(tree_path(c, "subtype", NULL)));
		const char *name = tree_str(tree_path(c, "name", NULL));
		bool on_col = ours && name && !strcmp(name, r->col);
		if (!strcmp(sub, "AT_AddColumn"))
			read_coldef(r, table, tree_path(c, "def", "ColumnDef", NULL), sql);
		else if (!strcmp(sub, "AT_AddConstraint"))
			read_constraint(r, table, NULL, tree_path(c, "def", "Constraint", NULL), sql);
		else if (!strcmp(sub, "AT_DropConstraint") && name)
			forget(r->d, name, DEP_CHECK, true);
		else if (on_col && !strcmp(sub, "AT_ColumnDefault")) {
			free(r->d->default_sql);
			r->d->default_sql = NULL;
			if (tree_path(c, "def", NULL)) {
				size_t at = sql_find_word(sql, 0, "default");
				r->d->default_sql = at == (size_t)-1 ? NULL
					: sql_slice(sql, at + 7, sql_clause_end(sql, at + 7, strlen(sql), NULL));
			}
		} else if (on_col && !strcmp(sub, "AT_SetNotNull"))
			r->d->not_null = true;
		else if (on_col && !strcmp(sub, "AT_DropNotNull"))
			r->d->not_null = false;
		else if (on_col && !strcmp(sub, "AT_AlterColumnType")) {
			free(r->d->type);
			r->d->type = tree_type_name(tree_path(c, "def", "ColumnDef", "typeName", NULL));
		} else if (on_col && !strcmp(sub, "AT_AddIdentity")) {
			r->d->identity = true;
			r->d->identity_when = nonnull(tree_str(tree_path(c, "def", "Constraint",
									 "generated_when", NULL)))[0];
		} else if (on_col && !strcmp(sub, "AT_DropIdentity"))
			r->d->identity = false;
	}
	free(table);
}

static void read_drop(struct reader *r, const cJSON *b)
{
	const char *type = nonnull(tree_str(tree_path(b, "removeType", NULL)));
	const cJSON *obj;
	cJSON_ArrayForEach(obj, tree_path(b, "objects", NULL)) {
		char *name = tree_name_list(tree_path(obj, "List", "items", NULL));
		const char *key = table_key(name);
		if (!strcmp(type, "OBJECT_INDEX") || !strcmp(type, "OBJECT_VIEW"))
			forget(r->d, key, DEP_INDEX, true);
		free(name);
	}
}

/* Does the view's query read the table? */
static bool reads_table(const cJSON *node, const char *table)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, node) {
		if (c->string && !strcmp(c->string, "RangeVar")) {
			char *n = tree_rangevar_name(c);
			bool hit = n && table_names_equal(n, table);
			free(n);
			if (hit)
				return true;
		}
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && reads_table(c, table))
			return true;
	}
	return false;
}

static bool grants_on(const cJSON *b, const char *table)
{
	const cJSON *obj;
	if (strcmp(nonnull(tree_str(tree_path(b, "objtype", NULL))), "OBJECT_TABLE") ||
	    !tree_bool(b, "is_grant"))
		return false;
	cJSON_ArrayForEach(obj, tree_path(b, "objects", NULL)) {
		char *n = tree_rangevar_name(tree_path(obj, "RangeVar", NULL));
		bool hit = n && table_names_equal(n, table);
		free(n);
		if (hit)
			return true;
	}
	return false;
}

static void read_statement(struct reader *r, const struct stmt *st)
{
	const cJSON *b = tree_body(st->tree);
	const char *k = st->kind;
	if (!strcmp(k, "CreateStmt")) {
		char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
		const cJSON *el;
		cJSON_ArrayForEach(el, tree_path(b, "tableElts", NULL)) {
			if (tree_path(el, "ColumnDef", NULL))
				read_coldef(r, table, tree_path(el, "ColumnDef", NULL), st->sql);
			else if (tree_path(el, "Constraint", NULL))
				read_constraint(r, table, NULL, tree_path(el, "Constraint", NULL), st->sql);
		}
		free(table);
	} else if (!strcmp(k, "AlterTableStmt")) {
		read_alter(r, b, st->sql);
	} else if (!strcmp(k, "IndexStmt")) {
		read_index(r, b, st->sql);
	} else if (!strcmp(k, "DropStmt")) {
		read_drop(r, b);
	} else if (!strcmp(k, "ViewStmt") && reads_table(tree_path(b, "query", NULL), r->table)) {
		char *view = tree_rangevar_name(tree_path(b, "view", NULL));
		forget(r->d, table_key(nonnull(view)), DEP_VIEW, false);
		add_dep(r, DEP_VIEW, table_key(nonnull(view)), nonnull(view), st->sql);
		free(view);
	} else if (!strcmp(k, "GrantStmt") && grants_on(b, r->table)) {
		strlist_add(&r->d->grants, st->sql);
	} else if (!strcmp(k, "RenameStmt")) {
		char *t = tree_rangevar_name(tree_path(b, "relation", NULL));
		if (t && table_names_equal(t, r->table))
			strlist_add_nodup(&r->d->unknown, xstrfmt("the history renames something on '%s' "
								  "('%s'): check the names this draft "
								  "uses", r->table, st->sql));
		free(t);
	}
}

void history_each_statement(const struct migration_set *ms, size_t upto,
			    void (*fn)(const struct stmt *st, void *data), void *data)
{
	for (size_t i = 0; i < upto && i < ms->nr; i++) {
		const struct script *sc = ms->v[i]->up;
		struct file_report fr;
		if (!sc)
			continue;
		memset(&fr, 0, sizeof(fr));
		parse_script(sc, &fr);
		for (size_t k = 0; k < fr.nr_stmts; k++)
			if (fr.stmts[k].kind)
				fn(&fr.stmts[k], data);
		file_report_release(&fr);
	}
}

static void read_one(const struct stmt *st, void *data)
{
	read_statement(data, st);
}

void col_deps_read(const struct migration_set *ms, size_t upto, const char *table,
		   const char *col, const char *newcol, struct col_deps *out)
{
	struct reader r = { out, table_key(table), col, newcol, NULL };
	memset(out, 0, sizeof(*out));
	history_each_statement(ms, upto, read_one, &r);
	free(r.pk_single);
}

void col_deps_release(struct col_deps *d)
{
	for (size_t i = 0; i < d->nr; i++) {
		free(d->v[i].name);
		free(d->v[i].table);
		free(d->v[i].def);
		free(d->v[i].renamed);
	}
	free(d->v);
	free(d->type);
	free(d->default_sql);
	free(d->sequence);
	strlist_clear(&d->grants);
	strlist_clear(&d->unknown);
	memset(d, 0, sizeof(*d));
}
