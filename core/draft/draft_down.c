/*
 * draft_down.c - down migrations from the parse tree and the schema model.
 *
 * Each statement of the up script is reversed against the schema as it was
 * just before that statement (the model replays the script as we go), so
 * ALTER COLUMN TYPE goes back to the type the history gave the column, and
 * a dropped table comes back with the columns it had. Some statements lose
 * data for good (DROP COLUMN, DROP TABLE, TRUNCATE, UPDATE, DELETE): their
 * down can restore the shape but not the rows, so the draft carries an
 * explicit data-loss block naming what a backup taken before the up must
 * hold, instead of a down that only looks complete.
 */
#include "draft_int.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>

static char *rel_sql(const cJSON *rangevar)
{
	char *name = tree_rangevar_name(rangevar);
	char *r = sql_qualified(name ? name : "?");
	free(name);
	return r;
}

/* Model names drop "public."; the SQL keeps what the user wrote. */
static const struct table_def *model_table(const struct schema *s, const cJSON *rangevar)
{
	char *name = tree_rangevar_name(rangevar);
	const struct table_def *t = NULL;
	if (name)
		t = schema_table(s, table_key(name));
	free(name);
	return t;
}

/* The name PostgreSQL gives an unnamed constraint or index: table_col_suffix. */
static char *default_name(const char *table, const cJSON *cols, const char *suffix)
{
	const cJSON *c = cJSON_GetArrayItem(cols, 0);
	const char *first = tree_str(tree_path(c, "String", "sval", NULL));
	if (!first)
		first = tree_str(tree_path(c, "IndexElem", "name", NULL));
	return sql_make_name(table, first, suffix);
}

static const char *constraint_suffix(const char *contype)
{
	if (!strcmp(contype, "CONSTR_FOREIGN"))
		return "fkey";
	if (!strcmp(contype, "CONSTR_PRIMARY"))
		return "pkey";
	if (!strcmp(contype, "CONSTR_UNIQUE"))
		return "key";
	if (!strcmp(contype, "CONSTR_EXCLUSION"))
		return "excl";
	return "check";
}

static void add_column_back(struct strbuf *sb, const char *rel, const struct column *c)
{
	strbuf_addf(sb, "ALTER TABLE %s ADD COLUMN ", rel);
	sql_add_ident(sb, c->name);
	strbuf_addf(sb, " %s", c->type);
}

static const char *const con_names[] = {
	[CON_PRIMARY] = "PRIMARY KEY", [CON_UNIQUE] = "UNIQUE", [CON_FOREIGN] = "FOREIGN KEY",
	[CON_CHECK] = "CHECK", [CON_EXCLUDE] = "EXCLUDE", [CON_NOTNULL] = "NOT NULL",
};

static void add_ident_list(struct strbuf *sb, const struct strlist *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		sql_add_ident(sb, l->items[i]);
	}
}

static const struct constraint_def *model_constraint(const struct schema *s, const char *table,
						     const char *name)
{
	for (size_t i = 0; i < s->nr_cons; i++)
		if (!strcmp(s->cons[i].name ? s->cons[i].name : "", name) &&
		    !strcmp(s->cons[i].table, table))
			return &s->cons[i];
	return NULL;
}

static enum reversal reverse_alter_cmd(const char *rel, const struct table_def *t,
				       const struct schema *s, const cJSON *cmd,
				       struct strlist *downs, struct strbuf *loss)
{
	const char *sub = nonnull(tree_str(tree_path(cmd, "subtype", NULL)));
	const char *col = tree_str(tree_path(cmd, "name", NULL));
	const struct column *c = t && col ? table_column(t, col) : NULL;
	struct strbuf sb = STRBUF_INIT;
	enum reversal r = REV_OK;

	if (!strcmp(sub, "AT_AddColumn")) {
		const char *name = tree_str(tree_path(cmd, "def", "ColumnDef", "colname", NULL));
		strbuf_addf(&sb, "ALTER TABLE %s DROP COLUMN IF EXISTS ", rel);
		sql_add_ident(&sb, nonnull(name));
	} else if (!strcmp(sub, "AT_DropColumn")) {
		r = REV_LOSSY;
		strbuf_addf(loss, "DROP COLUMN %s.%s%s%s: every value of the column; the down "
			    "re-adds it empty. Back up before the up, outside the database: \\copy (SELECT * "
			    "FROM %s) TO '%s_%s.csv' CSV HEADER\n", rel, nonnull(col), c ? " " : "",
			    c ? c->type : "", rel, t ? t->name : "t", nonnull(col));
		if (c)
			add_column_back(&sb, rel, c);
	} else if (!strcmp(sub, "AT_AlterColumnType")) {
		if (!c) {
			strbuf_release(&sb);
			return REV_UNKNOWN;
		}
		strbuf_addf(&sb, "ALTER TABLE %s ALTER COLUMN ", rel);
		sql_add_ident(&sb, col);
		/* serial is no type: the column is an integer with a sequence default */
		const char *type = !strcmp(c->type, "serial") || !strcmp(c->type, "serial4") ? "integer"
				 : !strcmp(c->type, "bigserial") || !strcmp(c->type, "serial8") ? "bigint"
				 : !strcmp(c->type, "smallserial") || !strcmp(c->type, "serial2") ? "smallint"
				 : c->type;
		strbuf_addf(&sb, " TYPE %s USING ", type);
		sql_add_ident(&sb, col);
		strbuf_addf(&sb, "::%s", type);
	} else if (!strcmp(sub, "AT_SetNotNull") || !strcmp(sub, "AT_DropNotNull")) {
		bool set = !strcmp(sub, "AT_SetNotNull");
		if (c && c->not_null == set) {
			strbuf_release(&sb);
			return REV_NOOP;
		}
		strbuf_addf(&sb, "ALTER TABLE %s ALTER COLUMN ", rel);
		sql_add_ident(&sb, nonnull(col));
		strbuf_addstr(&sb, set ? " DROP NOT NULL" : " SET NOT NULL");
	} else if (!strcmp(sub, "AT_ColumnDefault")) {
		if (!c || c->has_default) {
			strbuf_release(&sb);
			return REV_UNKNOWN;
		}
		strbuf_addf(&sb, "ALTER TABLE %s ALTER COLUMN ", rel);
		sql_add_ident(&sb, col);
		strbuf_addstr(&sb, " DROP DEFAULT");
	} else if (!strcmp(sub, "AT_AddConstraint")) {
		const cJSON *con = tree_path(cmd, "def", "Constraint", NULL);
		const char *name = tree_str(tree_path(con, "conname", NULL));
		const char *contype = nonnull(tree_str(tree_path(con, "contype", NULL)));
		char *gen = NULL;
		if (!name) {
			const cJSON *cols = tree_path(con, "fk_attrs", NULL);
			if (!cols)
				cols = tree_path(con, "keys", NULL);
			if (!cols) {
				strbuf_release(&sb);
				return REV_UNKNOWN;
			}
			name = gen = default_name(t ? t->name : rel, cols, constraint_suffix(contype));
		}
		strbuf_addf(&sb, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS ", rel);
		sql_add_ident(&sb, name);
		free(gen);
	} else if (!strcmp(sub, "AT_DropConstraint")) {
		const struct constraint_def *cd = t && col ? model_constraint(s, t->name, col) : NULL;
		if (!cd || cd->type == CON_CHECK || cd->type == CON_EXCLUDE || !cd->columns.nr) {
			strbuf_release(&sb);
			return REV_UNKNOWN;
		}
		strbuf_addf(&sb, "ALTER TABLE %s ADD CONSTRAINT ", rel);
		sql_add_ident(&sb, col);
		strbuf_addf(&sb, " %s (", con_names[cd->type]);
		add_ident_list(&sb, &cd->columns);
		strbuf_addch(&sb, ')');
		if (cd->type == CON_FOREIGN) {
			strbuf_addstr(&sb, " REFERENCES ");
			sql_add_qualified(&sb, nonnull(cd->ref_table));
			if (cd->ref_columns.nr) {
				strbuf_addstr(&sb, " (");
				add_ident_list(&sb, &cd->ref_columns);
				strbuf_addch(&sb, ')');
			}
			strbuf_addstr(&sb, " NOT VALID");
		}
	} else if (!strcmp(sub, "AT_ValidateConstraint") || !strcmp(sub, "AT_SetStatistics")) {
		r = REV_NOOP;
	} else {
		r = REV_UNKNOWN;
	}
	if (sb.len)
		strlist_add_nodup(downs, strbuf_detach(&sb, NULL));
	strbuf_release(&sb);
	return r;
}

static enum reversal worse(enum reversal a, enum reversal b)
{
	return a > b ? a : b;
}

static enum reversal reverse_alter(const cJSON *b, const struct schema *s, struct strlist *downs,
				   struct strbuf *loss)
{
	const cJSON *rv = tree_path(b, "relation", NULL), *cmd;
	const struct table_def *t = model_table(s, rv);
	char *rel = rel_sql(rv);
	enum reversal r = REV_NOOP;
	cJSON_ArrayForEach(cmd, tree_path(b, "cmds", NULL))
		r = worse(r, reverse_alter_cmd(rel, t, s, tree_body(cmd), downs, loss));
	free(rel);
	return r;
}

static enum reversal reverse_rename(const cJSON *b, struct strlist *downs)
{
	const char *type = nonnull(tree_str(tree_path(b, "renameType", NULL)));
	const char *sub = tree_str(tree_path(b, "subname", NULL));
	const char *to = nonnull(tree_str(tree_path(b, "newname", NULL)));
	const cJSON *rv = tree_path(b, "relation", NULL);
	struct strbuf sb = STRBUF_INIT;
	char *rel = rel_sql(rv);
	if (!strcmp(type, "OBJECT_COLUMN") || !strcmp(type, "OBJECT_TABCONSTRAINT")) {
		strbuf_addf(&sb, "ALTER TABLE %s RENAME %s ", rel,
			    type[7] == 'C' ? "COLUMN" : "CONSTRAINT");
		sql_add_ident(&sb, to);
		strbuf_addstr(&sb, " TO ");
		sql_add_ident(&sb, nonnull(sub));
	} else if (!strcmp(type, "OBJECT_TABLE") || !strcmp(type, "OBJECT_INDEX") ||
		   !strcmp(type, "OBJECT_VIEW") || !strcmp(type, "OBJECT_SEQUENCE")) {
		const char *schema = tree_str(tree_path(rv, "schemaname", NULL));
		const char *old = tree_str(tree_path(rv, "relname", NULL));
		strbuf_addf(&sb, "ALTER %s ", type + 7);
		if (schema) {
			sql_add_ident(&sb, schema);
			strbuf_addch(&sb, '.');
		}
		sql_add_ident(&sb, to);
		strbuf_addstr(&sb, " RENAME TO ");
		sql_add_ident(&sb, nonnull(old));
	}
	free(rel);
	if (!sb.len)
		return REV_UNKNOWN;
	strlist_add_nodup(downs, strbuf_detach(&sb, NULL));
	return REV_OK;
}

static void recreate_table(struct strbuf *sb, const char *rel, const struct table_def *t)
{
	strbuf_addf(sb, "CREATE TABLE %s (", rel);
	for (size_t i = 0; i < t->nr_cols; i++) {
		strbuf_addstr(sb, i ? ", " : "");
		sql_add_ident(sb, t->cols[i].name);
		strbuf_addf(sb, " %s%s", t->cols[i].type, t->cols[i].not_null ? " NOT NULL" : "");
	}
	strbuf_addch(sb, ')');
}

static enum reversal reverse_drop(const cJSON *b, const struct schema *s, struct strlist *downs,
				  struct strbuf *loss)
{
	const char *type = nonnull(tree_str(tree_path(b, "removeType", NULL)));
	const cJSON *obj;
	enum reversal r = REV_NOOP;
	cJSON_ArrayForEach(obj, tree_path(b, "objects", NULL)) {
		char *name = tree_name_list(tree_path(obj, "List", "items", NULL));
		const char *key = table_key(name);
		struct strbuf sb = STRBUF_INIT;
		if (!name)
			continue;
		if (!strcmp(type, "OBJECT_TABLE")) {
			const struct table_def *t = schema_table(s, key);
			char *rel = sql_qualified(name);
			r = worse(r, REV_LOSSY);
			strbuf_addf(loss, "DROP TABLE %s: every row of the table%s. Back up before the "
				    "up: pg_dump --table=%s --data-only\n", rel,
				    t ? "" : " (its columns are unknown to the history)", name);
			if (t && t->nr_cols)
				recreate_table(&sb, rel, t);
			free(rel);
		} else if (!strcmp(type, "OBJECT_INDEX")) {
			const struct index_def *ix = schema_index(s, key);
			if (ix && ix->columns.nr && !strlist_has(&ix->columns, "?")) {
				strbuf_addf(&sb, "CREATE %sINDEX CONCURRENTLY IF NOT EXISTS ",
					    ix->unique ? "UNIQUE " : "");
				sql_add_ident(&sb, ix->name);
				strbuf_addstr(&sb, " ON ");
				sql_add_qualified(&sb, ix->table);
				strbuf_addstr(&sb, " (");
				add_ident_list(&sb, &ix->columns);
				strbuf_addch(&sb, ')');
				r = worse(r, REV_OK);
			} else
				r = worse(r, REV_UNKNOWN);
		} else {
			r = worse(r, REV_UNKNOWN);
		}
		if (sb.len)
			strlist_add_nodup(downs, strbuf_detach(&sb, NULL));
		strbuf_release(&sb);
		free(name);
	}
	/* Drops of other kinds: recreating them needs their definition. */
	if (strcmp(type, "OBJECT_TABLE") && strcmp(type, "OBJECT_INDEX"))
		r = worse(r, REV_UNKNOWN);
	return r;
}

/* DROP <what> IF EXISTS <name> for the CREATE kinds whose undo is a plain drop. */
static bool drop_created(const char *kind, const cJSON *b, struct strlist *downs)
{
	static const struct { const char *kind, *what, *field; } creates[] = {
		{ "CreateStmt", "TABLE", "relation" },
		{ "ViewStmt", "VIEW", "view" },
		{ "CreateSeqStmt", "SEQUENCE", "sequence" },
		{ "CreateTableAsStmt", "TABLE", "into" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(creates); i++) {
		if (strcmp(kind, creates[i].kind))
			continue;
		const cJSON *rv = tree_path(b, creates[i].field, NULL);
		if (!strcmp(kind, "CreateTableAsStmt"))
			rv = tree_path(rv, "rel", NULL);
		char *rel = rel_sql(rv);
		strlist_add_nodup(downs, xstrfmt("DROP %s IF EXISTS %s", creates[i].what, rel));
		free(rel);
		return true;
	}
	return false;
}

static enum reversal reverse_index(const cJSON *b, struct strlist *downs)
{
	const char *name = tree_str(tree_path(b, "idxname", NULL));
	char *gen = NULL, *rel = tree_rangevar_name(tree_path(b, "relation", NULL));
	const char *schema = tree_str(tree_path(b, "relation", "schemaname", NULL));
	struct strbuf sb = STRBUF_INIT;
	if (!name)
		name = gen = default_name(nonnull(rel), tree_path(b, "indexParams", NULL), "idx");
	strbuf_addstr(&sb, tree_bool(b, "concurrent") ? "DROP INDEX CONCURRENTLY IF EXISTS "
		      : "DROP INDEX IF EXISTS ");
	if (schema) {
		sql_add_ident(&sb, schema);
		strbuf_addch(&sb, '.');
	}
	sql_add_ident(&sb, name);
	strlist_add_nodup(downs, strbuf_detach(&sb, NULL));
	free(gen);
	free(rel);
	return REV_OK;
}

enum reversal reverse_statement(const struct stmt *st, const struct schema *before,
				struct strlist *downs, struct strbuf *loss)
{
	const char *k = st->kind;
	const cJSON *b = tree_body(st->tree);
	if (!k)
		return REV_UNKNOWN;
	if (drop_created(k, b, downs))
		return REV_OK;
	if (!strcmp(k, "IndexStmt"))
		return reverse_index(b, downs);
	if (!strcmp(k, "AlterTableStmt"))
		return reverse_alter(b, before, downs, loss);
	if (!strcmp(k, "RenameStmt"))
		return reverse_rename(b, downs);
	if (!strcmp(k, "DropStmt"))
		return reverse_drop(b, before, downs, loss);
	if (!strcmp(k, "TruncateStmt") || !strcmp(k, "UpdateStmt") || !strcmp(k, "DeleteStmt")) {
		char *rel = st->table ? sql_qualified(st->table) : xstrdup("the table");
		strbuf_addf(loss, "%s on %s: the rows it %s. Back up before the up: CREATE TABLE "
			    "backup AS SELECT * FROM %s (with the statement's WHERE)\n",
			    !strcmp(k, "UpdateStmt") ? "UPDATE" : !strcmp(k, "DeleteStmt") ? "DELETE"
			    : "TRUNCATE", rel, !strcmp(k, "UpdateStmt") ? "changes (their old values)"
			    : "removes", rel);
		free(rel);
		return REV_LOSSY;
	}
	if (!strcmp(k, "CreateTrigStmt")) {
		char *rel = rel_sql(tree_path(b, "relation", NULL));
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, "DROP TRIGGER IF EXISTS ");
		sql_add_ident(&sb, nonnull(tree_str(tree_path(b, "trigname", NULL))));
		strbuf_addf(&sb, " ON %s", rel);
		strlist_add_nodup(downs, strbuf_detach(&sb, NULL));
		free(rel);
		return REV_OK;
	}
	if (!strcmp(k, "CreateFunctionStmt")) {
		char *name = tree_name_list(tree_path(b, "funcname", NULL));
		char *q = sql_qualified(nonnull(name));
		strlist_add_nodup(downs, xstrfmt("DROP %s IF EXISTS %s",
						 tree_bool(b, "is_procedure") ? "PROCEDURE" : "FUNCTION", q));
		free(q);
		free(name);
		return REV_OK;
	}
	if (!strcmp(k, "CreateEnumStmt")) {
		char *name = tree_name_list(tree_path(b, "typeName", NULL));
		char *q = sql_qualified(nonnull(name));
		strlist_add_nodup(downs, xstrfmt("DROP TYPE IF EXISTS %s", q));
		free(q);
		free(name);
		return REV_OK;
	}
	if (!strcmp(k, "CreateExtensionStmt") || !strcmp(k, "CreateSchemaStmt")) {
		bool ext = k[6] == 'E';
		const char *name = tree_str(tree_path(b, ext ? "extname" : "schemaname", NULL));
		char *q = sql_ident(nonnull(name));
		strlist_add_nodup(downs, xstrfmt("DROP %s IF EXISTS %s", ext ? "EXTENSION" : "SCHEMA", q));
		free(q);
		return REV_OK;
	}
	if (!strcmp(k, "VariableSetStmt") || !strcmp(k, "TransactionStmt") ||
	    !strcmp(k, "SelectStmt") || !strcmp(k, "VacuumStmt") || !strcmp(k, "ReindexStmt") ||
	    !strcmp(k, "ClusterStmt") || !strcmp(k, "CommentStmt") || !strcmp(k, "GrantStmt"))
		return REV_NOOP;
	return REV_UNKNOWN;
}

/*
 * The down script: every statement reversed, last first. Statements that
 * cannot be reversed from what sluice knows are listed in a comment so a
 * person writes them; data loss gets its own block at the top.
 */
enum reversal reverse_with_history(const struct stmt *st, const struct schema *before,
				   const struct migration_set *ms, size_t upto, struct strlist *downs,
				   struct strbuf *loss)
{
	struct strlist exact = STRLIST_INIT, scratch = STRLIST_INIT;
	enum reversal r = reverse_from_history(st, ms, upto, &exact);
	if (r == REV_UNKNOWN) {
		strlist_clear(&exact);
		return reverse_statement(st, before, downs, loss);
	}
	/* the data-loss wording is reverse_statement's; its down gives way to the exact one */
	reverse_statement(st, before, &scratch, loss);
	for (size_t i = 0; i < exact.nr; i++)
		strlist_add(downs, exact.items[i]);
	strlist_clear(&exact);
	strlist_clear(&scratch);
	return r;
}

int draft_down(const struct draft_ctx *ctx, struct draft *d)
{
	const struct migration *m = ctx->ms->v[ctx->target];
	struct schema s;
	struct strlist downs = STRLIST_INIT;
	struct strbuf loss = STRBUF_INIT, unknown = STRBUF_INIT, text = STRBUF_INIT;
	struct layout l;
	const struct file_report *fr = ctx->report;
	bool single_file;

	if (!m->up || !fr)
		return -1;
	layout_detect(ctx->ms, ctx->target, &l);
	single_file = l.single_file;
	draft_history_schema(ctx->ms, ctx->target, &s);
	schema_begin_migration(&s, m->id);
	for (size_t i = 0; i < fr->nr_stmts; i++) {
		const struct stmt *st = &fr->stmts[i];
		enum reversal r = reverse_with_history(st, &s, ctx->ms, ctx->target, &downs, &loss);
		if (r == REV_UNKNOWN)
			strbuf_addf(&unknown, "--   line %d: %.*s\n", st->line,
				    (int)strcspn(st->sql, "\n"), st->sql);
		if (st->tree)
			schema_apply(&s, st->tree);
	}
	if (loss.len) {
		strbuf_addstr(&text, "-- DATA LOSS: this migration cannot be fully undone. The down below\n"
			      "-- restores the schema, not the data. A backup taken before the up must hold:\n");
		for (char *save, *line = strtok_r(loss.buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			strbuf_addf(&text, "--   %s\n", line);
		strlist_add(&d->notes, "data loss: the up destroys data a down cannot bring back; "
			    "see the DATA LOSS block");
	}
	if (unknown.len) {
		strbuf_addf(&text, "-- NOT REVERSED (write these by hand; sluice does not know how):\n%s",
			    unknown.buf);
		strlist_add(&d->notes, "some statements could not be reversed automatically");
	}
	if (single_file) {
		/* Single-file layouts: the draft is the whole file with a new Down section. */
		struct unit u;
		memset(&u, 0, sizeof(u));
		for (size_t i = 0; i < fr->nr_stmts; i++)
			if (fr->stmts[i].kind && strcmp(fr->stmts[i].kind, "TransactionStmt"))
				strlist_add(&u.ups, fr->stmts[i].sql);
		u.downs = downs;
		u.purpose = "down section";
		u.no_txn = !m->up->in_txn;
		size_t before = d->nr;
		layout_emit_target(&l, m, &u, d);
		if (text.len && d->nr > before) {
			struct draft_file *f = &d->files[before];
			char *t = xstrfmt("%s%s", text.buf, f->text);
			free(f->text);
			f->text = t;
		}
		strlist_clear(&u.ups);
	} else {
		for (size_t j = downs.nr; j-- > 0;)
			strbuf_addf(&text, "%s;\n", downs.items[j]);
		if (!downs.nr)
			strbuf_addstr(&text, "-- nothing to undo\n");
		char *path = layout_down_path(&l, m);
		struct draft_file *f = draft_add_file(d, path, strbuf_detach(&text, NULL),
						      "down migration", true);
		f->dir = DIR_DOWN;
		f->replaces = m->down != NULL;
		free(path);
		strlist_clear(&downs);
	}
	free(d->title);
	d->title = xstrfmt("down migration for %s", m->up->path);
	strbuf_release(&text);
	strbuf_release(&loss);
	strbuf_release(&unknown);
	schema_release(&s);
	layout_release(&l);
	if (single_file)
		strlist_clear(&downs);
	return 0;
}
