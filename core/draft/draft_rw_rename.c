/*
 * draft_rw_rename.c - the split's rewrites of renames and type changes:
 * ALTER COLUMN TYPE, RENAME COLUMN and RENAME TABLE, and the sync trigger
 * that keeps an old and a new column in step.
 *
 * A type change rewrites the table under ACCESS EXCLUSIVE; a rename breaks
 * every running copy of the application that uses the old name the moment
 * it commits. Instead a new column is added next to the old one, a trigger
 * copies each write across, existing rows are backfilled in batches
 * (draft_rw_batch.c), and the switch comes last: a swap in one transaction
 * (the name always exists), or dropping the old column after a deploy. A
 * renamed table leaves a simple view under its old name, which running code
 * can still read and write through.
 */
#include "draft_deps_int.h"
#include "draft_split_int.h"
#include "typechange.h"

#include <stdlib.h>
#include <string.h>

/* The CREATE FUNCTION and CREATE TRIGGER that run `body` for every written row. */
static void sync_trigger_sql(const char *table, const char *fn, const char *body, char **f, char **t)
{
	char *rel = sql_qualified(table), *qfn = sql_ident(fn);
	*f = xstrfmt("CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS "
		     "$sluice$\nBEGIN\n%sRETURN NEW;\nEND\n$sluice$", qfn, body);
	*t = xstrfmt("CREATE TRIGGER %s BEFORE INSERT OR UPDATE ON %s FOR EACH ROW "
		     "EXECUTE FUNCTION %s()", qfn, rel, qfn);
	free(rel);
	free(qfn);
}

static void add_sync_trigger(struct split *sp, struct unit *u, const char *table, const char *fn,
			     const char *body)
{
	char *f, *t;
	sync_trigger_sql(table, fn, body, &f, &t);
	unit_add(sp, u, f, NULL);
	unit_add(sp, u, t, NULL);
	free(f);
	free(t);
}

/* What the history could not tell, as notes. */
static void note_unknown(struct split *sp, const struct col_deps *cd)
{
	for (size_t i = 0; i < cd->unknown.nr; i++)
		strlist_add(&sp->d->notes, cd->unknown.items[i]);
}

/*
 * The expand step a type change and a column rename share: add the new
 * column, keep it in sync with the old one by trigger, copy the rows that
 * are there in batches, and carry NOT NULL over (a validated check, then
 * SET NOT NULL without a scan).
 */
static void expand_synced_column(struct split *sp, const char *table, const char *col,
				 const char *add, const char *fn, const char *body,
				 const char *purpose, const char *change, const char *why,
				 bool not_null, char *check_first)
{
	char *nm = xstrfmt("add_%s_%s", table_key(table), col);
	char *job = xstrfmt("%s.%s", table_key(table), col);
	struct unit *u = new_unit(sp, "expand", false, nm, purpose);
	u->locks = true;
	u->check_first = check_first;
	unit_add(sp, u, add, NULL);
	add_sync_trigger(sp, u, table, fn, body);
	ensure_progress_table(sp, u);
	add_backfill(sp, table, job, change, why);
	if (not_null)
		add_not_null_steps(sp, table, col);
	free(nm);
	free(job);
}

/* text, varchar(n), char(n): a cast from them to another type can refuse values */
static bool is_text_type(const char *t)
{
	return t && (!strcmp(t, "text") || starts_with(t, "varchar") || starts_with(t, "bpchar") ||
		     starts_with(t, "char") || starts_with(t, "character"));
}

/*
 * The exact count of rows whose value the conversion refuses, as one line
 * a person runs (on a replica: it only reads): each row is converted in a
 * block of its own that counts the error instead of stopping, and a
 * NOTICE reports the count.
 */
static char *conversion_check(const char *rel, const char *expr, const char *type)
{
	char *s = xstrfmt("DO $sluice$ DECLARE r record; bad bigint := 0; BEGIN FOR r IN SELECT ctid "
		       "FROM %s LOOP BEGIN PERFORM (%s)::%s FROM %s WHERE ctid = r.ctid; EXCEPTION "
		       "WHEN others THEN bad := bad + 1; END; END LOOP; RAISE NOTICE 'sluice check: "
		       "%% value(s) the conversion refuses', bad; END $sluice$;", rel, expr, type, rel);
	for (char *p = s; *p; p++)   /* one line: an expression written over several */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return s;
}

/*
 * A type change PostgreSQL makes without a rewrite (typechange.h:
 * varchar(n) to varchar(m >= n) or text, numeric precision up, ...) is
 * metadata only: a swap would be six migrations of needless work. It is
 * kept as written, and the reason recorded.
 */
static bool type_change_is_free(struct split *sp, const char *table, const struct column *c,
				const cJSON *cd)
{
	char *to = tree_type_name(tree_path(cd, "typeName", NULL));
	int pg = sp->opts->pg_version;
	bool utc = sp->s->session_utc && type_change_free_in_utc(c->type, to, pg);
	bool free_change = c->type && (type_change_is_binary_coercible(c->type, to, pg) || utc);
	if (free_change)
		strlist_add_nodup(&sp->safe, xstrfmt("%s.%s %s -> %s is %s: no rewrite, no scan, "
						     "only a brief ACCESS EXCLUSIVE (catalogue "
						     "change)", table_key(table), c->name, c->type, to,
						     utc ? "free with the session TimeZone UTC"
							 : "binary-coercible"));
	free(to);
	return free_change;
}

/* Where the column itself is named in the expression: offsets into the statement. */
static void column_refs(const cJSON *n, const char *col, struct strlist *at)
{
	const cJSON *cr = tree_as(n, "ColumnRef");
	const cJSON *fields = cr ? cJSON_GetObjectItem(cr, "fields") : NULL;
	if (fields && cJSON_GetArraySize(fields) == 1 &&
	    !strcmp(nonnull(tree_str(tree_path(cJSON_GetArrayItem(fields, 0), "String", "sval", NULL))), col))
		strlist_add_nodup(at, xstrfmt("%d", tree_int(cr, "location")));
	for (const cJSON *c = n ? n->child : NULL; c; c = c->next)
		column_refs(c, col, at);
}

/*
 * ALTER COLUMN ... TYPE ... USING expr: the expression as written (for the
 * backfill's UPDATE, where the column is the row's) and with each mention
 * of the column as NEW.column (for the trigger). false when there is no
 * USING or it is the plain cast the swap writes anyway.
 */
static bool using_expr(const struct stmt *st, const cJSON *cd, const char *col, const char *type,
		       size_t to, char **plain, char **in_trigger)
{
	const cJSON *u = tree_path(cd, "raw_default", NULL);
	size_t tloc = (size_t)tree_int(tree_path(cd, "typeName", NULL), "location");
	size_t from = u ? sql_find_word(st->sql, tloc, "using") : to;
	if (!u || from >= to || type_change_using_is_plain(u, col, type))
		return false;
	from += 5;   /* past USING */
	char *text = sql_slice(st->sql, from, to);
	struct strlist refs = STRLIST_INIT;
	struct strbuf trig = STRBUF_INIT;
	column_refs(u, col, &refs);
	size_t pos = from;
	while (pos < to) {
		size_t next = to;
		for (size_t k = 0; k < refs.nr; k++) {
			size_t at = (size_t)atol(refs.items[k]);
			if (at >= pos && at < next)
				next = at;
		}
		strbuf_add(&trig, st->sql + pos, next - pos);
		if (next == to)
			break;
		strbuf_addstr(&trig, "NEW.");
		pos = next;
		/* the name itself is copied on the next round */
		strbuf_add(&trig, st->sql + pos, 1);
		pos++;
	}
	strbuf_trim(&trig);
	strlist_clear(&refs);
	*plain = text;
	*in_trigger = strbuf_detach(&trig, NULL);
	return true;
}

bool rw_alter_type(struct split *sp, const char *table, const struct stmt *st,
		   const cJSON *cmd, size_t to)
{
	static const char *const stops[] = { "using", "collate", NULL };
	const char *col = tree_str(tree_path(cmd, "name", NULL));
	const cJSON *cd = tree_path(cmd, "def", "ColumnDef", NULL);
	const struct table_def *t = schema_table(sp->s, table_key(table));
	const struct column *c = t && col ? table_column(t, col) : NULL;
	if (!col || !cd || !c)
		return false;
	if (type_change_is_free(sp, table, c, cd))
		return false;
	/* c points into the table's columns, which the ADD COLUMN below may move */
	bool not_null = c->not_null, from_text = is_text_type(c->type);
	size_t tloc = (size_t)tree_int(tree_path(cd, "typeName", NULL), "location");
	char *type = sql_slice(st->sql, tloc, sql_clause_end(st->sql, tloc, to, stops));
	char *tmp = sql_make_name(col, NULL, "new"), *old = sql_make_name(col, NULL, "old");
	char *rel = sql_qualified(table), *qc = sql_ident(col), *qtmp = sql_ident(tmp);
	char *qold = sql_ident(old);
	struct col_deps deps;
	col_deps_read(sp->ms, sp->target, table, col, tmp, &deps);
	not_null |= deps.not_null;
	char *fn = sql_make_name(table_key(table), col, "sync");
	char *add = xstrfmt("ALTER TABLE %s ADD COLUMN %s %s", rel, qtmp, type);
	char *expr = NULL, *nexpr = NULL, *check = NULL;
	char *body, *change;
	if (using_expr(st, cd, col, type, to, &expr, &nexpr)) {
		/* the engineer's conversion, as written, in the trigger and the backfill */
		body = xstrfmt("NEW.%s := (%s)::%s;\n", qtmp, nexpr, type);
		change = xstrfmt("UPDATE %s SET %s = (%s)::%s WHERE {range} AND %s IS NULL AND %s IS NOT NULL",
				 rel, qtmp, expr, type, qtmp, qc);
		check = conversion_check(rel, expr, type);
	} else {
		body = xstrfmt("NEW.%s := NEW.%s::%s;\n", qtmp, qc, type);
		change = xstrfmt("UPDATE %s SET %s = %s::%s WHERE {range} AND %s IS NULL AND %s IS NOT NULL",
				 rel, qtmp, qc, type, qtmp, qc);
		if (from_text)
			check = conversion_check(rel, qc, type);
	}
	if (check)
		strlist_add_nodup(&sp->d->notes, xstrfmt(
			"values the conversion to %s refuses would stop the backfill and fail the app's "
			"writes once the trigger is in: the first step's '" DRAFT_CHECK_MARK "' line (the "
			"runbook's check before it) counts them; it must report 0", type));
	free(expr);
	free(nexpr);
	char *purpose = xstrfmt("add '%s' as %s and keep it in sync with '%s' by trigger", tmp, type, col);
	expand_synced_column(sp, table, tmp, add, fn, body, purpose, change,
			     "copy existing values into the new column in batches", not_null, check);

	/* The copies of everything on the old column, built without blocking. */
	carry_build(sp, table, &deps, col, tmp, true);

	/* The swap: one transaction, so the name always exists for the app. */
	char *qfn = sql_ident(fn), *fsql, *tsql;
	sync_trigger_sql(table, fn, body, &fsql, &tsql);
	char *dt = xstrfmt("DROP TRIGGER IF EXISTS %s ON %s", qfn, rel);
	char *df = xstrfmt("DROP FUNCTION IF EXISTS %s()", qfn);
	char *nm = xstrfmt("swap_%s_%s", table_key(table), col);
	struct unit *u = new_unit(sp, "contract", false, nm, "swap the columns in one transaction: the name "
		     "never disappears; keys, indexes, constraints, default and sequence move to the "
		     "new column; the old one stays as a copy");
	u->locks = true;
	/* downs run last first: the function is back before the trigger that calls it */
	add_up(sp, u, dt);
	strlist_add(&u->downs, tsql);
	add_up(sp, u, df);
	strlist_add(&u->downs, fsql);
	carry_swap(sp, u, table, &deps, col, old, type_canonical(type));
	note_unknown(sp, &deps);
	strlist_add_nodup(&sp->d->notes, xstrfmt("after the swap ships and the app is verified, drop "
						 "the copy in a later migration: ALTER TABLE %s DROP "
						 "COLUMN %s;", rel, qold));
	for (size_t i = 0; i < deps.nr; i++)
		if (deps.v[i].kind == DEP_FK_IN)
			strlist_add_nodup(&sp->d->notes, xstrfmt("the referencing column of '%s' on '%s' "
								 "keeps its type (the foreign key works "
								 "across integer types): widen it next",
								 deps.v[i].name, deps.v[i].table));
	col_deps_release(&deps);
	free(fsql);
	free(tsql);
	free(qfn);
	free(dt);
	free(df);
	free(change);
	free(nm);
	free(purpose);
	free(add);
	free(body);
	free(fn);
	free(type);
	free(tmp);
	free(old);
	free(rel);
	free(qc);
	free(qtmp);
	free(qold);
	return true;
}

bool rw_rename(struct split *sp, const struct stmt *st, const cJSON *b)
{
	const char *type = nonnull(tree_str(tree_path(b, "renameType", NULL)));
	const char *from = tree_str(tree_path(b, "subname", NULL));
	const char *to = tree_str(tree_path(b, "newname", NULL));
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	(void)st;
	if (!table || !to) {
		free(table);
		return false;
	}
	char *rel = sql_qualified(table), *qto = sql_ident(to);
	if (!strcmp(type, "OBJECT_TABLE")) {
		const char *schema = tree_str(tree_path(b, "relation", "schemaname", NULL));
		char *newrel = schema ? xstrfmt("%s.%s", schema, to) : xstrdup(to);
		char *qnew = sql_qualified(newrel);
		char *r = xstrfmt("-- sluice:ignore rename-table -- the old name stays as a view, "
				  "created in the same transaction\nALTER TABLE %s RENAME TO %s", rel, qto);
		char *v = xstrfmt("CREATE VIEW %s AS SELECT * FROM %s", rel, qnew);
		char *nm = xstrfmt("rename_%s_to_%s", table_key(table), to);
		struct unit *u = new_unit(sp, "expand", false, nm, "rename the table and keep the old "
					  "name as a simple (updatable) view for running code");
		u->locks = true;
		unit_add(sp, u, r, NULL);
		unit_add(sp, u, v, NULL);
		/* the view answers to the old name: it gets the table's grants, as written there */
		struct col_deps deps;
		col_deps_read(sp->ms, sp->target, table, "", "", &deps);
		for (size_t i = 0; i < deps.grants.nr; i++)
			add_up(sp, u, deps.grants.items[i]);   /* DROP VIEW in the down takes them along */
		col_deps_release(&deps);
		strlist_add_nodup(&sp->d->notes, xstrfmt("once no code uses '%s', drop the view in a "
							 "later migration: DROP VIEW %s;", table, rel));
		free(nm);
		free(r);
		free(v);
		free(qnew);
		free(newrel);
	} else if (!strcmp(type, "OBJECT_COLUMN") && from) {
		const struct table_def *t = schema_table(sp->s, table_key(table));
		const struct column *c = t ? table_column(t, from) : NULL;
		if (!c) {
			free(rel);
			free(qto);
			free(table);
			return false;
		}
		bool not_null = c->not_null;   /* c may move with the ADD COLUMN below */
		char *qfrom = sql_ident(from);
		char *fn = sql_make_name(table_key(table), to, "sync");
		char *add = xstrfmt("ALTER TABLE %s ADD COLUMN %s %s", rel, qto, c->type);
		/* Old code writes the old name, new code the new one: copy whichever changed. */
		struct col_deps deps;
		col_deps_read(sp->ms, sp->target, table, from, to, &deps);
		char *body;
		if (deps.default_sql)
			/*
			 * Both names have the default (the new one from a later step): on
			 * INSERT the name the code did not write holds the default, so the
			 * one that differs from it is what was written.
			 */
			body = xstrfmt("IF TG_OP = 'INSERT' THEN\n"
				       "    IF NEW.%s IS NULL OR (NEW.%s IS NOT DISTINCT FROM (%s) AND\n"
				       "                          NEW.%s IS DISTINCT FROM (%s)) THEN\n"
				       "        NEW.%s := NEW.%s;\n"
				       "    ELSE\n"
				       "        NEW.%s := NEW.%s;\n"
				       "    END IF;\n"
				       "ELSIF NEW.%s IS DISTINCT FROM OLD.%s THEN\n"
				       "    NEW.%s := NEW.%s;\n"
				       "ELSE\n"
				       "    NEW.%s := NEW.%s;\n"
				       "END IF;\n",
				       qto, qto, deps.default_sql, qfrom, deps.default_sql, qto, qfrom, qfrom,
				       qto, qto, qto, qfrom, qto, qto, qfrom);
		else
			body = xstrfmt("IF TG_OP = 'INSERT' THEN\n"
				       "    NEW.%s := coalesce(NEW.%s, NEW.%s);\n"
				       "    NEW.%s := coalesce(NEW.%s, NEW.%s);\n"
				       "ELSIF NEW.%s IS DISTINCT FROM OLD.%s THEN\n"
				       "    NEW.%s := NEW.%s;\n"
				       "ELSE\n"
				       "    NEW.%s := NEW.%s;\n"
				       "END IF;\n",
				       qto, qto, qfrom, qfrom, qfrom, qto, qto, qto, qfrom, qto, qto, qfrom);
		char *purpose = xstrfmt("add '%s' next to '%s', kept in sync both ways by trigger", to, from);
		char *change = xstrfmt("UPDATE %s SET %s = %s WHERE {range} AND %s IS NULL AND %s IS NOT NULL",
				       rel, qto, qfrom, qto, qfrom);
		expand_synced_column(sp, table, to, add, fn, body, purpose, change,
				     "copy existing values to the new name in batches",
				     not_null || deps.not_null, NULL);
		/* indexes, CHECKs, keys and the default: on the new name too, before the cut-over */
		carry_build(sp, table, &deps, from, to, false);
		note_unknown(sp, &deps);
		for (size_t i = 0; i < deps.nr; i++)
			if (deps.v[i].kind == DEP_VIEW || deps.v[i].kind == DEP_PRIMARY)
				strlist_add_nodup(&sp->d->notes, xstrfmt(
					"%s '%s' stays on '%s' until the cut-over: %s", deps.v[i].kind ==
					DEP_VIEW ? "view" : "the primary key", deps.v[i].name, from,
					deps.v[i].kind == DEP_VIEW ? "create it again on the new name then"
					: "its unique index on the new name is built: ADD PRIMARY KEY USING "
					  "INDEX then"));
		col_deps_release(&deps);
		char *qfn = sql_ident(fn);
		strlist_add_nodup(&sp->d->notes, xstrfmt("cut over: deploy code that reads and writes "
							 "'%s'; then, in a later migration: DROP "
							 "TRIGGER %s ON %s; DROP FUNCTION %s(); ALTER "
							 "TABLE %s DROP COLUMN %s;", to, qfn, rel, qfn,
							 rel, qfrom));
		free(qfn);
		free(change);
		free(purpose);
		free(add);
		free(body);
		free(fn);
		free(qfrom);
	} else {
		free(rel);
		free(qto);
		free(table);
		return false;
	}
	free(rel);
	free(qto);
	free(table);
	return true;
}
