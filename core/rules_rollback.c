/*
 * rules_rollback.c - is there a way back?
 *
 * A down migration is only a rollback path if it exists, does something,
 * and undoes what the up did. These rules compare the two statically: the
 * objects the up creates (tables, columns, indexes, constraints, types,
 * sequences, views, functions, triggers) against what the down drops, and
 * name what is left behind. Frameworks with no down migrations (Prisma,
 * Atlas, sqlx's forward-only layout, plain files) are not nagged. What no
 * down can restore - the rows of a dropped table or column - gets a note
 * naming what a backup must hold.
 */
#include "parse.h"
#include "rules.h"

#include <stdlib.h>
#include <string.h>

/* One object the up creates, and how the down can remove it. */
struct object {
	char *what;     /* "table 'orders'", for messages */
	char *undo;     /* "DROP TABLE orders", for the fix */
	char *key;      /* "table:orders", "column:users.nick", ... */
	char *table;    /* the table it belongs to (dropping it removes the object) */
	int line;
};

struct objects {
	struct object *v;
	size_t nr, alloc;
};

static void add_object(struct objects *os, int line, const char *table, char *key, char *what,
		       char *undo)
{
	ALLOC_GROW(os->v, os->nr + 1, os->alloc);
	struct object *o = &os->v[os->nr++];
	o->key = key;
	o->what = what;
	o->undo = undo;
	o->table = table ? xstrdup(starts_with(table, "public.") ? table + 7 : table) : NULL;
	o->line = line;
}

static void release_objects(struct objects *os)
{
	for (size_t i = 0; i < os->nr; i++) {
		free(os->v[i].key);
		free(os->v[i].what);
		free(os->v[i].undo);
		free(os->v[i].table);
	}
	free(os->v);
}

static const char *bare(const char *name)
{
	return starts_with(name, "public.") ? name + 7 : name;
}

/* "kind:name" with public. dropped, so up and down spellings meet. */
static char *object_key(const char *kind, const char *name)
{
	return xstrfmt("%s:%s", kind, bare(name));
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
			if (!col)
				continue;
			add_object(os, st->line, table,
				   xstrfmt("column:%s.%s", bare(table), col),
				   xstrfmt("column '%s.%s'", bare(table), col),
				   xstrfmt("ALTER TABLE %s DROP COLUMN %s", table, col));
		} else if (!strcmp(sub, "AT_AddConstraint")) {
			const char *con = tree_str(tree_path(c, "def", "Constraint", "conname", NULL));
			if (!con)
				continue;
			add_object(os, st->line, table, object_key("constraint", con),
				   xstrfmt("constraint '%s'", con),
				   xstrfmt("ALTER TABLE %s DROP CONSTRAINT %s", table, con));
		}
	}
	free(table);
}

/* A function's name from CreateFunctionStmt's funcname list. */
static char *function_name(const cJSON *b)
{
	return tree_name_list(tree_path(b, "funcname", NULL));
}

/* Records what one up statement creates. */
static void collect_created(struct objects *os, const struct stmt *st)
{
	const cJSON *b = tree_body(st->tree);
	const char *k = st->kind;
	char *name = NULL;
	if (!strcmp(k, "CreateStmt") || !strcmp(k, "CreateTableAsStmt")) {
		if (!st->table)
			return;
		add_object(os, st->line, st->table, object_key("table", st->table),
			   xstrfmt("table '%s'", bare(st->table)),
			   xstrfmt("DROP TABLE %s", st->table));
	} else if (!strcmp(k, "ViewStmt") && st->table) {
		add_object(os, st->line, NULL, object_key("view", st->table),
			   xstrfmt("view '%s'", bare(st->table)), xstrfmt("DROP VIEW %s", st->table));
	} else if (!strcmp(k, "AlterTableStmt")) {
		collect_alter(os, st, b);
	} else if (!strcmp(k, "IndexStmt")) {
		const char *ix = tree_str(tree_path(b, "idxname", NULL));
		if (ix)
			add_object(os, st->line, st->table, object_key("index", ix),
				   xstrfmt("index '%s'", ix), xstrfmt("DROP INDEX %s", ix));
		else if (st->table)
			add_object(os, st->line, st->table, xstrfmt("index:?%s", bare(st->table)),
				   xstrfmt("an unnamed index on '%s'", bare(st->table)),
				   xstrfmt("DROP INDEX <the index on %s> (name it in the up)",
					   st->table));
	} else if (!strcmp(k, "CreateEnumStmt") || !strcmp(k, "CompositeTypeStmt") ||
		   !strcmp(k, "CreateDomainStmt")) {
		if (!strcmp(k, "CompositeTypeStmt"))
			name = tree_rangevar_name(tree_path(b, "typevar", NULL));
		else
			name = tree_name_list(tree_path(b, !strcmp(k, "CreateDomainStmt") ?
							   "domainname" : "typeName", NULL));
		if (name)
			add_object(os, st->line, NULL, object_key("type", name),
				   xstrfmt("type '%s'", bare(name)),
				   xstrfmt("DROP %s %s", !strcmp(k, "CreateDomainStmt") ? "DOMAIN"
											: "TYPE", name));
	} else if (!strcmp(k, "CreateSeqStmt")) {
		name = tree_rangevar_name(tree_path(b, "sequence", NULL));
		if (name)
			add_object(os, st->line, NULL, object_key("sequence", name),
				   xstrfmt("sequence '%s'", bare(name)), xstrfmt("DROP SEQUENCE %s", name));
	} else if (!strcmp(k, "CreateFunctionStmt")) {
		name = function_name(b);
		bool proc = tree_bool(b, "is_procedure");
		/* CREATE OR REPLACE of an existing function: the down restores, not drops. */
		if (name && !tree_bool(b, "replace"))
			add_object(os, st->line, NULL, object_key("function", name),
				   xstrfmt("%s '%s'", proc ? "procedure" : "function", bare(name)),
				   xstrfmt("DROP %s %s", proc ? "PROCEDURE" : "FUNCTION", name));
		else if (name)
			add_object(os, st->line, NULL, object_key("function", name),
				   xstrfmt("%s '%s' (CREATE OR REPLACE: the down must drop it or "
					   "restore the old body)", proc ? "procedure" : "function",
					   bare(name)),
				   xstrfmt("DROP %s %s", proc ? "PROCEDURE" : "FUNCTION", name));
	} else if (!strcmp(k, "CreateTrigStmt")) {
		const char *tg = tree_str(tree_path(b, "trigname", NULL));
		if (tg && st->table)
			add_object(os, st->line, st->table, xstrfmt("trigger:%s", tg),
				   xstrfmt("trigger '%s' on '%s'", tg, bare(st->table)),
				   xstrfmt("DROP TRIGGER %s ON %s", tg, st->table));
	}
	free(name);
}

static const char *drop_kind(const char *remove_type)
{
	static const char *const map[][2] = {
		{ "OBJECT_TABLE", "table" }, { "OBJECT_VIEW", "view" },
		{ "OBJECT_MATVIEW", "view" }, { "OBJECT_INDEX", "index" },
		{ "OBJECT_TYPE", "type" }, { "OBJECT_DOMAIN", "type" },
		{ "OBJECT_SEQUENCE", "sequence" }, { "OBJECT_FUNCTION", "function" },
		{ "OBJECT_PROCEDURE", "function" }, { "OBJECT_TRIGGER", "trigger" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(remove_type, map[i][0]))
			return map[i][1];
	return NULL;
}

/* The name a DropStmt object carries, the way collect_created() keys it. */
static char *dropped_name(const char *kind, const cJSON *obj)
{
	const cJSON *items = tree_path(obj, "List", "items", NULL);
	if (!strcmp(kind, "function"))
		items = tree_path(obj, "ObjectWithArgs", "objname", NULL);
	if (!strcmp(kind, "type"))
		items = tree_path(obj, "TypeName", "names", NULL);
	if (!items)
		return tree_str(tree_path(obj, "String", "sval", NULL)) ?
		       xstrdup(tree_str(tree_path(obj, "String", "sval", NULL))) : NULL;
	if (!strcmp(kind, "trigger")) {
		/* [table..., trigger]: the last item is the trigger */
		int n = cJSON_GetArraySize(items);
		const char *tg = tree_str(tree_path(cJSON_GetArrayItem(items, n - 1), "String",
						    "sval", NULL));
		return tg ? xstrdup(tg) : NULL;
	}
	return tree_name_list(items);
}

/* Records what one down statement removes, as keys; dropped tables in `tables`. */
static void collect_dropped(struct strlist *keys, struct strlist *tables, const struct stmt *st)
{
	const cJSON *b = tree_body(st->tree);
	if (!strcmp(st->kind, "DropStmt")) {
		const char *kind = drop_kind(nonnull(tree_str(tree_path(b, "removeType", NULL))));
		const cJSON *obj;
		if (!kind)
			return;
		cJSON_ArrayForEach(obj, tree_path(b, "objects", NULL)) {
			char *name = dropped_name(kind, obj);
			if (!name)
				continue;
			strlist_add_nodup(keys, object_key(kind, name));
			if (!strcmp(kind, "table"))
				strlist_add(tables, bare(name));
			free(name);
		}
	} else if (!strcmp(st->kind, "AlterTableStmt")) {
		char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
		const cJSON *cmd;
		cJSON_ArrayForEach(cmd, tree_path(b, "cmds", NULL)) {
			const cJSON *c = tree_as(cmd, "AlterTableCmd");
			const char *sub = nonnull(tree_str(tree_path(c, "subtype", NULL)));
			const char *name = tree_str(tree_path(c, "name", NULL));
			if (!table || !name)
				continue;
			if (!strcmp(sub, "AT_DropColumn"))
				strlist_add_nodup(keys, xstrfmt("column:%s.%s", bare(table), name));
			else if (!strcmp(sub, "AT_DropConstraint"))
				strlist_add_nodup(keys, object_key("constraint", name));
		}
		free(table);
	} else if (!strcmp(st->kind, "DropdbStmt") || !strcmp(st->kind, "DropOwnedStmt")) {
		strlist_add(keys, "*");
	}
}

static bool has_downs(enum framework fw)
{
	/*
	 * Prisma, Atlas and Supabase are forward-only; sqlx and plain
	 * directories may or may not use downs; Flyway's undo is a paid
	 * feature most projects never use. Only nag where a down is the norm.
	 */
	return fw == FW_GOLANG_MIGRATE || fw == FW_GOOSE || fw == FW_DBMATE ||
	       fw == FW_DIESEL || fw == FW_SQITCH;
}

static void collect_up(const struct rule_ctx *ctx, struct objects *os)
{
	for (size_t i = 0; i < ctx->fr->nr_stmts; i++)
		if (ctx->fr->stmts[i].kind)
			collect_created(os, &ctx->fr->stmts[i]);
}

/* "table 'a', column 'b.c'" over the objects; NULL-free. */
static char *list_objects(const struct objects *os, const bool *missing, const char *field)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < os->nr; i++) {
		if (missing && !missing[i])
			continue;
		if (sb.len)
			strbuf_addstr(&sb, !strcmp(field, "undo") ? "; " : ", ");
		strbuf_addstr(&sb, !strcmp(field, "undo") ? os->v[i].undo : os->v[i].what);
	}
	return strbuf_detach(&sb, NULL);
}

static bool script_is_blank(const struct script *sc)
{
	struct sql_piece *pieces = NULL;
	size_t n = sql_split(sc->text, sc->len, &pieces);
	free(pieces);
	return n == 0;
}

static void check_missing_down(struct rule_ctx *ctx)
{
	const struct migration *m = ctx->mig;
	if (!m || ctx->script->dir != DIR_UP || m->down || !has_downs(m->fw) || !ctx->fr->nr_stmts)
		return;
	struct objects os = { NULL, 0, 0 };
	collect_up(ctx, &os);
	if (os.nr) {
		char *what = list_objects(&os, NULL, "what");
		char *undo = list_objects(&os, NULL, "undo");
		struct finding *f = flag_file(ctx, ctx->fr->stmts[0].line, "no down migration: "
					      "nothing undoes %s", what);
		free(f->fix);
		f->fix = xstrfmt("Add a down migration: %s;", undo);
		free(what);
		free(undo);
	} else {
		flag_file(ctx, ctx->fr->stmts[0].line, "no down migration: %s has no way back "
			  "from this change", framework_name(m->fw));
	}
	release_objects(&os);
}

static void check_empty_down(struct rule_ctx *ctx)
{
	const struct migration *m = ctx->mig;
	if (!m || ctx->script->dir != DIR_UP || !m->down || !ctx->fr->nr_stmts ||
	    !script_is_blank(m->down))
		return;
	flag_file(ctx, m->down->first_line, "the down migration '%s' is empty or only comments: "
		  "rolling back does nothing", m->down->path);
}

/* Was `o` removed by the down: dropped itself, or its table dropped? */
static bool undone(const struct object *o, const struct strlist *keys, const struct strlist *tables)
{
	if (strlist_has(keys, "*") || strlist_has(keys, o->key))
		return true;
	return o->table && strlist_has(tables, o->table);
}

static void check_down_mismatch(struct rule_ctx *ctx)
{
	const struct migration *m = ctx->mig;
	if (!m || ctx->script->dir != DIR_UP || !m->down || script_is_blank(m->down))
		return;
	struct file_report down;
	struct strlist keys = STRLIST_INIT, tables = STRLIST_INIT;
	struct objects os = { NULL, 0, 0 };
	bool unsure = false;
	memset(&down, 0, sizeof(down));
	parse_script(m->down, &down);
	for (size_t i = 0; i < down.nr_stmts; i++) {
		const struct stmt *st = &down.stmts[i];
		/* Statements we cannot read (or dynamic SQL) may drop anything. */
		if (!st->kind || !strcmp(st->kind, "DoStmt")) {
			unsure = true;
			continue;
		}
		collect_dropped(&keys, &tables, st);
	}
	collect_up(ctx, &os);
	bool *missing = xcalloc(os.nr ? os.nr : 1, sizeof(*missing));
	size_t nr_missing = 0;
	int line = 0;
	for (size_t i = 0; i < os.nr; i++) {
		missing[i] = !undone(&os.v[i], &keys, &tables);
		if (missing[i] && !nr_missing++)
			line = os.v[i].line;
	}
	if (nr_missing && !unsure) {
		char *what = list_objects(&os, missing, "what");
		char *undo = list_objects(&os, missing, "undo");
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
	strlist_clear(&keys);
	strlist_clear(&tables);
	file_report_release(&down);
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
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK),
		.title = "No down migration where the framework expects one",
		.fix = "Add a down migration that reverses the up",
		.check_file = check_missing_down,
	},
	{
		.id = "down-empty",
		.sev = SEV_MEDIUM,
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
		.sev = SEV_HIGH,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK),
		.title = "Down migration does not undo the up",
		.fix = "Drop in the down everything the up creates; verify by applying up, down, up",
		.check_file = check_down_mismatch,
	},
	{
		.id = "irreversible-drop",
		.sev = SEV_LOW,
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
