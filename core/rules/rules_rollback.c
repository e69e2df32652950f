/*
 * rules_rollback.c - is there a way back?
 *
 * A down migration is only a rollback path if it exists, does something,
 * and undoes what the up did. These rules compare the two statically: the
 * objects the up creates (tables, columns, indexes, constraints, types,
 * sequences, views, functions, triggers) against what the down drops, and
 * name what is left behind. Renames are followed on both sides (the up may
 * create new_type and rename it to type; the down may rename a table back
 * before dropping its columns), and an index or constraint goes with any
 * column it uses. Frameworks with no down migrations (Prisma, Atlas,
 * sqlx's forward-only layout, plain files) are not nagged. What no down
 * can restore - the rows of a dropped table or column - gets a note naming
 * what a backup must hold.
 */
#include "parse.h"
#include "rules.h"

#include <stdlib.h>
#include <string.h>

/* One object the up creates. */
struct object {
	const char *kind;      /* "table", "column", "index", ... */
	char *name;            /* the column's name for a column; NULL: unnamed index */
	char *table;           /* the table it belongs to; NULL for types, functions ... */
	const char *variant;   /* "DOMAIN", "PROCEDURE", ...: the DROP word when not kind's */
	struct strlist cols;   /* columns an index or constraint uses */
	bool replaced;         /* the up dropped one of that name first: a replacement */
	int line;
};

struct objects {
	struct object *v;
	size_t nr, alloc;
};


static struct object *add_object(struct objects *os, int line, const char *kind,
				 const char *name, const char *table)
{
	ALLOC_GROW(os->v, os->nr + 1, os->alloc);
	struct object *o = &os->v[os->nr++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->name = name ? xstrdup(table_key(name)) : NULL;
	o->table = table ? xstrdup(table_key(table)) : NULL;
	o->line = line;
	return o;
}

static void release_objects(struct objects *os)
{
	for (size_t i = 0; i < os->nr; i++) {
		free(os->v[i].name);
		free(os->v[i].table);
		strlist_clear(&os->v[i].cols);
	}
	free(os->v);
}

/* Every column name an index or constraint node mentions. */
static void collect_columns(struct strlist *cols, const cJSON *node)
{
	const cJSON *c;
	if (!node)
		return;
	const char *s;
	if (cJSON_IsObject(node)) {
		const cJSON *f = tree_path(node, "ColumnRef", "fields", NULL);
		int n = cJSON_GetArraySize(f);
		if (n && (s = tree_str(tree_path(cJSON_GetArrayItem(f, n - 1), "String", "sval", NULL))))
			strlist_add(cols, s);
		if ((s = tree_str(tree_path(node, "IndexElem", "name", NULL))))
			strlist_add(cols, s);
	}
	/* UNIQUE (a, b), FOREIGN KEY (a): lists of plain strings */
	if (node->string && (!strcmp(node->string, "keys") || !strcmp(node->string, "fk_attrs") ||
			     !strcmp(node->string, "including"))) {
		cJSON_ArrayForEach(c, node)
			if ((s = tree_str(tree_path(c, "String", "sval", NULL))))
				strlist_add(cols, s);
	}
	cJSON_ArrayForEach(c, node)
		collect_columns(cols, c);
}

static struct object *find_object(struct objects *os, const char *kind, const char *name,
				  const char *table)
{
	for (size_t i = 0; i < os->nr; i++) {
		struct object *o = &os->v[i];
		if (strcmp(o->kind, kind) || !o->name || strcmp(o->name, table_key(name)))
			continue;
		if (table && (!o->table || strcmp(o->table, table_key(table))))
			continue;
		return o;
	}
	return NULL;
}

static void collect_alter(struct objects *os, const struct stmt *st, const cJSON *b)
{
	const cJSON *cmd;
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	if (!table)
		return;
	cJSON_ArrayForEach(cmd, tree_path(b, "cmds", NULL)) {
		const cJSON *c = tree_as(cmd, "AlterTableCmd");
		const char *sub = nonnull(tree_str(tree_path(c, "subtype", NULL)));
		if (!strcmp(sub, "AT_AddColumn")) {
			const char *col = tree_str(tree_path(c, "def", "ColumnDef", "colname", NULL));
			if (col)
				add_object(os, st->line, "column", col, table);
		} else if (!strcmp(sub, "AT_AddConstraint")) {
			const cJSON *con = tree_path(c, "def", "Constraint", NULL);
			const char *name = tree_str(tree_path(con, "conname", NULL));
			if (name)
				collect_columns(&add_object(os, st->line, "constraint", name, table)->cols,
						con);
		}
	}
	free(table);
}

/* An ALTER ... RENAME, read once for both sides. */
struct rename {
	const char *type;   /* "OBJECT_TABLE", ... */
	const char *to;     /* the new name */
	const char *sub;    /* the column or constraint renamed */
	char *rel;          /* the table (or index) */
	char *obj;          /* the type */
};

static bool read_rename(struct rename *r, const cJSON *b)
{
	r->type = nonnull(tree_str(tree_path(b, "renameType", NULL)));
	r->to = tree_str(tree_path(b, "newname", NULL));
	r->sub = tree_str(tree_path(b, "subname", NULL));
	r->rel = tree_rangevar_name(tree_path(b, "relation", NULL));
	r->obj = tree_name_list(tree_path(b, "object", "List", "items", NULL));
	return r->to != NULL;
}

static void release_rename(struct rename *r)
{
	free(r->rel);
	free(r->obj);
}

/* The up renames something it (or the history) has: follow it. */
static void follow_rename(struct objects *os, const cJSON *b)
{
	struct rename r;
	struct object *o = NULL;
	if (!read_rename(&r, b))
		goto out;
	const char *type = r.type, *to = r.to, *sub = r.sub, *rel = r.rel, *obj = r.obj;
	if (!strcmp(type, "OBJECT_TABLE") && rel) {
		for (size_t i = 0; i < os->nr; i++)
			if (os->v[i].table && !strcmp(os->v[i].table, table_key(rel))) {
				free(os->v[i].table);
				os->v[i].table = xstrdup(to);
			}
		o = find_object(os, "table", rel, NULL);
	} else if (!strcmp(type, "OBJECT_COLUMN") && rel && sub) {
		o = find_object(os, "column", sub, rel);
	} else if (!strcmp(type, "OBJECT_TABCONSTRAINT") && sub) {
		o = find_object(os, "constraint", sub, NULL);
	} else if (!strcmp(type, "OBJECT_INDEX") && rel) {
		o = find_object(os, "index", rel, NULL);
	} else if (!strcmp(type, "OBJECT_TYPE") && obj) {
		o = find_object(os, "type", obj, NULL);
	}
	if (o) {
		free(o->name);
		o->name = xstrdup(to);
	}
out:
	release_rename(&r);
}

static void collect_function(struct objects *os, const struct stmt *st, const cJSON *b)
{
	char *name = tree_name_list(tree_path(b, "funcname", NULL));
	if (!name)
		return;
	struct object *o = add_object(os, st->line, "function", name, NULL);
	o->variant = tree_bool(b, "is_procedure") ? "PROCEDURE" : "FUNCTION";
	/* CREATE OR REPLACE of an existing function: the down restores, not drops */
	o->replaced = tree_bool(b, "replace") && find_object(os, "function", name, NULL) != o;
	free(name);
}

static void collect_type(struct objects *os, const struct stmt *st, const cJSON *b)
{
	char *name;
	if (!strcmp(st->kind, "CompositeTypeStmt"))
		name = tree_rangevar_name(tree_path(b, "typevar", NULL));
	else
		name = tree_name_list(tree_path(b, !strcmp(st->kind, "CreateDomainStmt") ?
						   "domainname" : "typeName", NULL));
	if (name)
		add_object(os, st->line, "type", name, NULL)->variant =
			!strcmp(st->kind, "CreateDomainStmt") ? "DOMAIN" : "TYPE";
	free(name);
}

/* Records what one up statement creates (or renames). */
static void collect_created(struct objects *os, const struct stmt *st)
{
	const cJSON *b = tree_body(st->tree);
	const char *k = st->kind;
	if ((!strcmp(k, "CreateStmt") || !strcmp(k, "CreateTableAsStmt")) && st->table) {
		/* CREATE MATERIALIZED VIEW is a CreateTableAsStmt too; DROP names it a view */
		const char *obj = tree_str(tree_path(b, "objtype", NULL));
		bool matview = obj && !strcmp(obj, "OBJECT_MATVIEW");
		add_object(os, st->line, matview ? "view" : "table", st->table, NULL)->variant =
			matview ? "MATERIALIZED VIEW" : NULL;
	} else if (!strcmp(k, "ViewStmt") && st->table) {
		add_object(os, st->line, "view", st->table, NULL);
	} else if (!strcmp(k, "AlterTableStmt")) {
		collect_alter(os, st, b);
	} else if (!strcmp(k, "IndexStmt")) {
		struct object *o = add_object(os, st->line, "index",
					      tree_str(tree_path(b, "idxname", NULL)), st->table);
		collect_columns(&o->cols, b);
	} else if (!strcmp(k, "CreateEnumStmt") || !strcmp(k, "CompositeTypeStmt") ||
		   !strcmp(k, "CreateDomainStmt")) {
		collect_type(os, st, b);
	} else if (!strcmp(k, "CreateSeqStmt")) {
		char *name = tree_rangevar_name(tree_path(b, "sequence", NULL));
		if (name)
			add_object(os, st->line, "sequence", name, NULL);
		free(name);
	} else if (!strcmp(k, "CreateFunctionStmt")) {
		collect_function(os, st, b);
	} else if (!strcmp(k, "CreateTrigStmt")) {
		const char *tg = tree_str(tree_path(b, "trigname", NULL));
		if (tg && st->table)
			add_object(os, st->line, "trigger", tg, st->table);
	} else if (!strcmp(k, "RenameStmt")) {
		follow_rename(os, b);
	}
}

/* "ALTER TABLE users DROP COLUMN nick", for the fix. */
static char *undo_sql(const struct object *o)
{
	if (!strcmp(o->kind, "column"))
		return xstrfmt("ALTER TABLE %s DROP COLUMN %s", o->table, o->name);
	if (!strcmp(o->kind, "constraint"))
		return xstrfmt("ALTER TABLE %s DROP CONSTRAINT %s", o->table, o->name);
	if (!strcmp(o->kind, "trigger"))
		return xstrfmt("DROP TRIGGER %s ON %s", o->name, o->table);
	if (!strcmp(o->kind, "index") && !o->name)
		return xstrfmt("DROP INDEX <the index on %s> (name it in the up)", o->table);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "DROP ");
	for (const char *p = o->variant ? o->variant : o->kind; *p; p++)
		strbuf_addch(&sb, *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	strbuf_addf(&sb, " %s", o->name);
	return strbuf_detach(&sb, NULL);
}

/* "column 'users.nick'", for the message. */
static char *describe(const struct object *o)
{
	if (!strcmp(o->kind, "column"))
		return xstrfmt("column '%s.%s'", o->table, o->name);
	if (!strcmp(o->kind, "trigger"))
		return xstrfmt("trigger '%s' on '%s'", o->name, o->table);
	if (!o->name)
		return xstrfmt("an unnamed index on '%s'", o->table);
	return xstrfmt("%s '%s'", o->variant && !strcmp(o->variant, "PROCEDURE") ? "procedure" :
		       o->kind, o->name);
}

/* --- what the down removes ----------------------------------------------- */

/* What a down drops, in the up's names (renames in the down followed back). */
struct dropped {
	struct strlist keys;     /* "table:orders", "column:users.nick", ... */
	struct strlist alias_to; /* "table:new" ... renamed back from */
	struct strlist alias_from;
	bool everything;         /* DROP SCHEMA, DROP OWNED: assume all */
};

static char *key_of(const char *kind, const char *table, const char *name)
{
	return table ? xstrfmt("%s:%s.%s", kind, table_key(table), table_key(name))
		     : xstrfmt("%s:%s", kind, table_key(name));
}

/* The up's name for a table the down may have renamed. */
static const char *up_table(const struct dropped *d, const char *table)
{
	char *k = key_of("table", NULL, table);
	const char *up = table_key(table);
	for (size_t i = d->alias_to.nr; i-- > 0;)
		if (!strcmp(d->alias_to.items[i], k)) {
			up = d->alias_from.items[i] + strlen("table:");
			break;
		}
	free(k);
	return up;
}

static void add_dropped(struct dropped *d, const char *kind, const char *table, const char *name)
{
	char *k = key_of(kind, table ? up_table(d, table) : NULL, name);
	/* the down renamed X to Y first: dropping Y drops the up's X */
	for (size_t i = d->alias_to.nr; i-- > 0;)
		if (!strcmp(d->alias_to.items[i], k)) {
			free(k);
			k = xstrdup(d->alias_from.items[i]);
			break;
		}
	strlist_add_nodup(&d->keys, k);
}

static const char *drop_kind(const char *remove_type)
{
	static const char *const map[][2] = {
		{ "OBJECT_TABLE", "table" }, { "OBJECT_VIEW", "view" },
		{ "OBJECT_MATVIEW", "view" }, { "OBJECT_INDEX", "index" },
		{ "OBJECT_TYPE", "type" }, { "OBJECT_DOMAIN", "type" },
		{ "OBJECT_SEQUENCE", "sequence" }, { "OBJECT_FUNCTION", "function" },
		{ "OBJECT_PROCEDURE", "function" }, { "OBJECT_TRIGGER", "trigger" },
		{ "OBJECT_SCHEMA", "schema" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(remove_type, map[i][0]))
			return map[i][1];
	return NULL;
}

static void down_drop(struct dropped *d, const cJSON *b)
{
	const char *kind = drop_kind(nonnull(tree_str(tree_path(b, "removeType", NULL))));
	const cJSON *obj;
	if (kind && !strcmp(kind, "schema")) {
		d->everything = true;
		return;
	}
	cJSON_ArrayForEach(obj, tree_path(b, "objects", NULL)) {
		const cJSON *items = tree_path(obj, "List", "items", NULL);
		char *name = NULL;
		if (!kind)
			break;
		if (!strcmp(kind, "function"))
			name = tree_name_list(tree_path(obj, "ObjectWithArgs", "objname", NULL));
		else if (!strcmp(kind, "type"))
			name = tree_name_list(tree_path(obj, "TypeName", "names", NULL));
		else if (!strcmp(kind, "trigger")) {
			/* [table, trigger] */
			int n = cJSON_GetArraySize(items);
			const char *tg = tree_str(tree_path(cJSON_GetArrayItem(items, n - 1),
							    "String", "sval", NULL));
			/* keyed by name alone, as collect_created() keys it */
			if (tg && n > 1)
				add_dropped(d, "trigger", NULL, tg);
			continue;
		} else
			name = items ? tree_name_list(items) : NULL;
		if (name)
			add_dropped(d, kind, NULL, name);
		free(name);
	}
}

static void down_alter(struct dropped *d, const cJSON *b)
{
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	const cJSON *cmd;
	cJSON_ArrayForEach(cmd, tree_path(b, "cmds", NULL)) {
		const cJSON *c = tree_as(cmd, "AlterTableCmd");
		const char *sub = nonnull(tree_str(tree_path(c, "subtype", NULL)));
		const char *name = tree_str(tree_path(c, "name", NULL));
		if (!table || !name)
			continue;
		if (!strcmp(sub, "AT_DropColumn"))
			add_dropped(d, "column", table, name);
		else if (!strcmp(sub, "AT_DropConstraint"))
			add_dropped(d, "constraint", NULL, name);
	}
	free(table);
}

/* ALTER ... RENAME in the down: later drops of the new name mean the old. */
static void down_rename(struct dropped *d, const cJSON *b)
{
	struct rename r;
	char *from = NULL, *as = NULL;
	bool ok = read_rename(&r, b);
	const char *type = r.type, *to = r.to, *sub = r.sub, *rel = r.rel, *obj = r.obj;
	if (!ok)
		;
	else if (!strcmp(type, "OBJECT_TABLE") && rel) {
		from = key_of("table", NULL, up_table(d, rel));
		as = key_of("table", NULL, to);
	} else if (!strcmp(type, "OBJECT_COLUMN") && rel && sub) {
		from = key_of("column", up_table(d, rel), sub);
		as = key_of("column", up_table(d, rel), to);
	} else if (!strcmp(type, "OBJECT_INDEX") && rel) {
		from = key_of("index", NULL, rel);
		as = key_of("index", NULL, to);
	} else if (!strcmp(type, "OBJECT_TYPE") && obj) {
		from = key_of("type", NULL, obj);
		as = key_of("type", NULL, to);
	} else if (!strcmp(type, "OBJECT_TABCONSTRAINT") && sub) {
		from = key_of("constraint", NULL, sub);
		as = key_of("constraint", NULL, to);
	}
	if (from) {
		strlist_add_nodup(&d->alias_from, from);
		strlist_add_nodup(&d->alias_to, as);
	}
	release_rename(&r);
}

static void collect_dropped(struct dropped *d, const struct stmt *st)
{
	const cJSON *b = tree_body(st->tree);
	if (!strcmp(st->kind, "DropStmt"))
		down_drop(d, b);
	else if (!strcmp(st->kind, "AlterTableStmt"))
		down_alter(d, b);
	else if (!strcmp(st->kind, "RenameStmt"))
		down_rename(d, b);
	else if (!strcmp(st->kind, "DropOwnedStmt"))
		d->everything = true;
	else if (!strcmp(st->kind, "CreateFunctionStmt") && tree_bool(b, "replace")) {
		/* CREATE OR REPLACE in the down restores the old body: that undoes it too */
		char *name = tree_name_list(tree_path(b, "funcname", NULL));
		if (name)
			add_dropped(d, "function", NULL, name);
		free(name);
	}
}

/* Was `o` removed by the down: dropped itself, its table, or a column it uses? */
static bool undone(const struct object *o, const struct dropped *d)
{
	if (d->everything || o->replaced)
		return true;
	if (o->table) {
		/* its table, or the materialized view an index is on */
		char *k = key_of("table", NULL, o->table), *v = key_of("view", NULL, o->table);
		bool gone = strlist_has(&d->keys, k) || strlist_has(&d->keys, v);
		free(k);
		free(v);
		for (size_t i = 0; !gone && i < o->cols.nr; i++) {
			k = key_of("column", o->table, o->cols.items[i]);
			gone = strlist_has(&d->keys, k);
			free(k);
		}
		if (gone)
			return true;
	}
	if (!o->name)
		return false;
	char *k = key_of(o->kind, !strcmp(o->kind, "column") ? o->table : NULL, o->name);
	bool gone = strlist_has(&d->keys, k);
	free(k);
	return gone;
}

/* --- the rules ------------------------------------------------------------ */

/*
 * ory's popx (kratos, keto, hydra) splits a version into numbered steps,
 * 20-digit ids whose last six digits count them, and runs the downs in
 * reverse: the down named like step 1 undoes the last step, so pairing one
 * file with its namesake says nothing. Recognised by the 20-digit id.
 */
static bool is_popx_step(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (int i = 0; i < 20; i++)
		if (base[i] < '0' || base[i] > '9')
			return false;
	return base[20] == '_';
}

/* What the up creates; a name it dropped earlier in the file is a replacement. */
static void collect_up(const struct rule_ctx *ctx, struct objects *os)
{
	struct dropped before = { STRLIST_INIT, STRLIST_INIT, STRLIST_INIT, false };
	for (size_t i = 0; i < ctx->fr->nr_stmts; i++) {
		const struct stmt *st = &ctx->fr->stmts[i];
		if (!st->kind)
			continue;
		size_t n = os->nr;
		collect_created(os, st);
		for (size_t k = n; k < os->nr; k++)
			if (os->v[k].name && !os->v[k].replaced) {
				char *key = key_of(os->v[k].kind, !strcmp(os->v[k].kind, "column") ?
							   os->v[k].table : NULL, os->v[k].name);
				os->v[k].replaced = strlist_has(&before.keys, key);
				free(key);
			}
		if (!strcmp(st->kind, "DropStmt") || !strcmp(st->kind, "AlterTableStmt"))
			collect_dropped(&before, st);
	}
	strlist_clear(&before.keys);
}

/* "table 'a', column 'b.c'" or "DROP TABLE a; ..." over the objects left. */
static char *list_objects(const struct objects *os, const bool *missing, bool sql)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < os->nr; i++) {
		if ((missing && !missing[i]) || os->v[i].replaced)
			continue;
		char *s = sql ? undo_sql(&os->v[i]) : describe(&os->v[i]);
		if (sb.len)
			strbuf_addstr(&sb, sql ? "; " : ", ");
		strbuf_addstr(&sb, s);
		free(s);
	}
	return strbuf_detach(&sb, NULL);
}

static bool script_is_blank(const struct script *sc)
{
	return sql_count_upto(sc->text, sc->len, 1) == 0;
}

static void check_missing_down(struct rule_ctx *ctx)
{
	const struct migration *m = ctx->mig;
	/*
	 * Only where the tool runs downs (the framework table in model.h: Prisma,
	 * Atlas and Supabase are forward-only, Flyway's undo a paid feature most
	 * projects never use) and the repository writes them.
	 */
	if (!m || ctx->script->dir != DIR_UP || m->down || !framework_runs_downs(m->fw) ||
	    m->downs_unused ||
	    !ctx->fr->nr_stmts)
		return;
	struct objects os = { NULL, 0, 0 };
	collect_up(ctx, &os);
	char *what = list_objects(&os, NULL, false);
	if (*what) {
		char *undo = list_objects(&os, NULL, true);
		struct finding *f = flag_file(ctx, ctx->fr->stmts[0].line, "no down migration: "
					      "nothing undoes %s", what);
		free(f->fix);
		f->fix = xstrfmt("Add a down migration: %s;", undo);
		free(undo);
	} else {
		flag_file(ctx, ctx->fr->stmts[0].line, "no down migration: %s has no way back "
			  "from this change", framework_name(m->fw));
	}
	free(what);
	release_objects(&os);
}

/*
 * Does the up change the schema? A data fix (UPDATE, DELETE, INSERT) or a
 * COMMENT often has no sensible reverse, and an empty down says so.
 */
static bool up_changes_schema(const struct file_report *fr)
{
	static const char *const data_kinds[] = {
		"InsertStmt", "UpdateStmt", "DeleteStmt", "SelectStmt", "CommentStmt",
		"VariableSetStmt", "TransactionStmt", "DoStmt", "GrantStmt", "NotifyStmt",
	};
	for (size_t i = 0; i < fr->nr_stmts; i++) {
		const char *k = fr->stmts[i].kind;
		bool data = !k;
		for (size_t d = 0; k && d < ARRAY_SIZE(data_kinds); d++)
			data |= !strcmp(k, data_kinds[d]);
		if (!data)
			return true;
	}
	return false;
}

static void check_empty_down(struct rule_ctx *ctx)
{
	const struct migration *m = ctx->mig;
	if (!m || ctx->script->dir != DIR_UP || !m->down || !up_changes_schema(ctx->fr) ||
	    !script_is_blank(m->down) || is_popx_step(ctx->script->path))
		return;
	flag_file(ctx, m->down->first_line, "the down migration '%s' is empty or only comments: "
		  "rolling back does nothing", m->down->path);
}

static void check_down_mismatch(struct rule_ctx *ctx)
{
	const struct migration *m = ctx->mig;
	if (!m || ctx->script->dir != DIR_UP || !m->down || script_is_blank(m->down) ||
	    is_popx_step(ctx->script->path))
		return;
	struct file_report parsed;
	struct dropped d = { STRLIST_INIT, STRLIST_INIT, STRLIST_INIT, false };
	struct objects os = { NULL, 0, 0 };
	bool unsure = false;
	memset(&parsed, 0, sizeof(parsed));
	/* Parsed ahead for its own judging, when a worker runs; else here. */
	const struct file_report *down = ctx->down;
	if (!down) {
		parse_script(m->down, &parsed);
		down = &parsed;
	}
	for (size_t i = 0; i < down->nr_stmts; i++) {
		const struct stmt *st = &down->stmts[i];
		/* Statements we cannot read (or dynamic SQL) may drop anything. */
		if (!st->kind || !strcmp(st->kind, "DoStmt"))
			unsure = true;
		else
			collect_dropped(&d, st);
	}
	collect_up(ctx, &os);
	bool *missing = xcalloc(os.nr ? os.nr : 1, sizeof(*missing));
	size_t nr_missing = 0;
	int line = 0;
	for (size_t i = 0; i < os.nr; i++) {
		missing[i] = !undone(&os.v[i], &d);
		if (missing[i] && !nr_missing++)
			line = os.v[i].line;
	}
	if (nr_missing && !unsure) {
		char *what = list_objects(&os, missing, false);
		char *undo = list_objects(&os, missing, true);
		struct finding *f = flag_file(ctx, line, "the down migration does not undo %s: "
					      "rolling back leaves %s behind", what,
					      nr_missing > 1 ? "them" : "it");
		free(f->fix);
		f->fix = xstrfmt("Add to the down migration: %s; then verify by applying up, "
				 "down and up again", undo);
		free(what);
		free(undo);
	}
	free(missing);
	release_objects(&os);
	strlist_clear(&d.keys);
	strlist_clear(&d.alias_to);
	strlist_clear(&d.alias_from);
	file_report_release(&parsed);
}

/* --- what no down can bring back ----------------------------------------- */

static void check_irreversible(struct rule_ctx *ctx)
{
	const cJSON *b = ctx->body;
	const char *k = ctx->st->kind;
	if (ctx->st->new_table)
		return;
	if (!strcmp(k, "DropStmt") &&
	    !strcmp(nonnull(tree_str(tree_path(b, "removeType", NULL))), "OBJECT_TABLE")) {
		const char *t = nonnull(ctx->st->table);
		if (!ctx_table_is_new(ctx, t) && schema_table(ctx->schema, t))
			flag(ctx, "DROP TABLE '%s' cannot be undone by a down migration: the down "
			     "can recreate the table, not its rows; a backup must hold all of '%s'",
			     t, t);
		return;
	}
	if (!strcmp(k, "AlterTableStmt")) {
		const cJSON *cmd;
		cJSON_ArrayForEach(cmd, tree_path(b, "cmds", NULL)) {
			const cJSON *c = tree_as(cmd, "AlterTableCmd");
			const char *sub = nonnull(tree_str(tree_path(c, "subtype", NULL)));
			const char *col = tree_str(tree_path(c, "name", NULL));
			if (strcmp(sub, "AT_DropColumn") || !col)
				continue;
			const struct table_def *t = schema_table(ctx->schema, ctx->st->table);
			const struct column *cd = t ? table_column(t, col) : NULL;
			flag(ctx, "DROP COLUMN '%s.%s'%s%s%s cannot be undone by a down migration: the "
			     "down can add it back, empty; a backup must hold '%s' with the key of "
			     "each row", nonnull(ctx->st->table), col, cd && cd->type ? " (" : "",
			     cd && cd->type ? cd->type : "", cd && cd->type ? ")" : "", col);
		}
	}
}

const struct rule rules_rollback[] = {
	{
		.id = "down-missing",
		.sev = SEV_MEDIUM,
		.cq = CQ_HYGIENE,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK),
		.title = "No down migration where the framework expects one",
		.fix = "Add a down migration that reverses the up",
		.check_file = check_missing_down,
	},
	{
		.id = "down-empty",
		.sev = SEV_MEDIUM,
		.cq = CQ_HYGIENE,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK),
		.title = "Down migration is empty or only comments",
		.fix = "Write the reverse of the up (or, if it truly cannot be reversed, say so "
		       "with a statement that fails: DO $$ BEGIN RAISE EXCEPTION 'irreversible'; "
		       "END $$)",
		.check_file = check_empty_down,
	},
	{
		.id = "down-incomplete",
		.sev = SEV_MEDIUM,
		.cq = CQ_HYGIENE,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK),
		.title = "Down migration does not undo the up",
		.fix = "Drop in the down everything the up creates; verify by applying up, down, up",
		.check_file = check_down_mismatch,
	},
	{
		.id = "irreversible-drop",
		.sev = SEV_LOW,
		.cq = CQ_ADVICE,
		.cls = CLASS_DESTRUCTIVE,
		.cats = CATBIT(CAT_ROLLBACK) | CATBIT(CAT_DATALOSS),
		.title = "Dropped data no down migration can restore",
		.fix = "Back up the data first (CREATE TABLE backup AS SELECT ..., or pg_dump -t), "
		       "and ship the drop only after the code stopped using it",
		.check = check_irreversible,
		.squawk = "ban-drop-column|ban-drop-table",
	},
	{ .id = NULL },
};
