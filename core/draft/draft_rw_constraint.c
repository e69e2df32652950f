/*
 * draft_rw_constraint.c - the split's rewrites of ADD CONSTRAINT: FOREIGN
 * KEY and CHECK become NOT VALID, then VALIDATE; UNIQUE and PRIMARY KEY a
 * unique index built CONCURRENTLY, then attached USING INDEX.
 *
 * Adding a validated constraint scans the table under a lock that blocks
 * writes. NOT VALID checks new rows only and is brief; VALIDATE, in a
 * migration of its own, scans under SHARE UPDATE EXCLUSIVE, which lets
 * reads and writes go on. A UNIQUE or PRIMARY KEY builds its index under
 * ACCESS EXCLUSIVE; built CONCURRENTLY first, it is attached in a moment.
 * A foreign key also gets an index on its columns when the history shows
 * none, so that deletes on the referenced table do not scan this one.
 */
#include "draft_split_int.h"

#include <stdlib.h>
#include <string.h>

/*
 * The code that must deploy before a CHECK that makes columns required:
 * the INSERTs that do not set them fail from the NOT VALID step on.
 */
static char *check_deploy_first(const struct split *sp, const char *table, const cJSON *con)
{
	struct strlist cols = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	tree_check_required_columns(tree_path(con, "raw_expr", NULL), &cols);
	for (size_t i = 0; i < cols.nr; i++) {
		char *code = insert_missing_code(sp, table, cols.items[i]);
		if (code)
			strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", code);
		free(code);
	}
	strlist_clear(&cols);
	return sb.len ? strbuf_detach(&sb, NULL) : (strbuf_release(&sb), NULL);
}

/*
 * A foreign key wants an index on its columns (else every DELETE on the
 * referenced table scans this one): build it first, CONCURRENTLY, when the
 * history shows none.
 */
static void add_fk_index(struct split *sp, const char *table, const cJSON *attrs)
{
	struct strlist cols = STRLIST_INIT;
	struct strbuf list = STRBUF_INIT;
	const cJSON *a;
	cJSON_ArrayForEach(a, attrs) {
		const char *c = tree_str(tree_path(a, "String", "sval", NULL));
		if (!c) {
			strlist_clear(&cols);
			return;
		}
		strlist_add(&cols, c);
		if (list.len)
			strbuf_addstr(&list, ", ");
		sql_add_ident(&list, c);
	}
	if (cols.nr && !schema_has_index_prefix(sp->s, table_key(table), &cols)) {
		char *idx = sql_make_name(table_key(table), cols.items[0], "idx");
		char *rel = sql_qualified(table), *qidx = sql_ident(idx);
		char *sql = xstrfmt("CREATE INDEX CONCURRENTLY %s ON %s (%s)", qidx, rel, list.buf);
		char *down = xstrfmt("DROP INDEX CONCURRENTLY IF EXISTS %s", qidx);
		char *nm = xstrfmt("create_%s", idx);
		struct unit *u = new_unit(sp, "expand", true, nm, "index the foreign key's columns "
					  "CONCURRENTLY, so deletes on the referenced table do not scan");
		unit_add(sp, u, sql, down);
		free(nm);
		free(sql);
		free(down);
		free(qidx);
		free(rel);
		free(idx);
	}
	strlist_clear(&cols);
	strbuf_release(&list);
}

bool rw_add_constraint(struct split *sp, const char *table, const struct stmt *st,
		       const cJSON *con, size_t to)
{
	const char *type = nonnull(tree_str(tree_path(con, "contype", NULL)));
	const char *name = tree_str(tree_path(con, "conname", NULL));
	size_t loc = (size_t)tree_int(con, "location");
	char *rel = sql_qualified(table), *gen = NULL;
	bool fk = !strcmp(type, "CONSTR_FOREIGN"), check = !strcmp(type, "CONSTR_CHECK");
	bool uniq = !strcmp(type, "CONSTR_UNIQUE"), pk = !strcmp(type, "CONSTR_PRIMARY");

	if (tree_bool(con, "skip_validation") || tree_path(con, "indexname", NULL) ||
	    !(fk || check || uniq || pk)) {
		free(rel);
		return false;
	}
	if (!name) {
		const cJSON *cols = tree_path(con, fk ? "fk_attrs" : "keys", NULL);
		const char *first = tree_str(tree_path(cJSON_GetArrayItem(cols, 0), "String", "sval", NULL));
		if (!first && check) {
			free(rel);
			return false;  /* PostgreSQL names it from the expression; we cannot know */
		}
		name = gen = sql_make_name(table_key(table), pk ? NULL : first,
					   fk ? "fkey" : pk ? "pkey" : "key");
	}
	char *qn = sql_ident(name);
	if (fk)
		add_fk_index(sp, table, tree_path(con, "fk_attrs", NULL));
	if (fk || check) {
		char *body = sql_slice(st->sql, loc, to);
		/* the slice starts at CONSTRAINT name when one was given */
		char *add = xstrfmt("ALTER TABLE %s ADD %s%s%s%s NOT VALID", rel, gen ? "CONSTRAINT " : "",
			      gen ? qn : "", gen ? " " : "", body);
		char *nm = xstrfmt("add_%s", name);
		char *purpose = xstrfmt("add %s '%s' NOT VALID: checked for new rows only, no scan",
					fk ? "foreign key" : "check", name);
		struct unit *u = new_unit(sp, "expand", false, nm, purpose);
		u->locks = true;
		if (check)
			u->deploy_first = check_deploy_first(sp, table, con);
		unit_add(sp, u, add, NULL);
		free(nm);
		free(purpose);
		char *validate = xstrfmt("ALTER TABLE %s VALIDATE CONSTRAINT %s", rel, qn);
		nm = xstrfmt("validate_%s", name);
		u = new_unit(sp, "migrate", false, nm, "VALIDATE in its own migration: SHARE UPDATE "
			     "EXCLUSIVE, reads and writes go on");
		u->locks = true;
		add_validate(sp, u, rel, qn, validate, add);
		free(nm);
		free(validate);
		free(add);
		free(body);
	} else {
		struct strbuf cols = STRBUF_INIT;
		const cJSON *k;
		cJSON_ArrayForEach(k, tree_path(con, "keys", NULL)) {
			if (cols.len)
				strbuf_addstr(&cols, ", ");
			sql_add_ident(&cols, nonnull(tree_str(tree_path(k, "String", "sval", NULL))));
		}
		char *idx = xstrfmt("CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (%s)", qn, rel, cols.buf);
		char *undo = xstrfmt("DROP INDEX CONCURRENTLY IF EXISTS %s", qn);
		char *nm = xstrfmt("index_%s", name);
		char *purpose = xstrfmt("build the unique index '%s' CONCURRENTLY", name);
		struct unit *u = new_unit(sp, "expand", true, nm, purpose);
		unit_add(sp, u, idx, undo);
		free(nm);
		free(purpose);
		char *use = xstrfmt("ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s", rel, qn,
				    pk ? "PRIMARY KEY" : "UNIQUE", qn);
		nm = xstrfmt("add_%s", name);
		u = new_unit(sp, "migrate", false, nm, "attach the built index as the constraint: "
			     "a brief lock, no build");
		u->locks = true;
		/* dropping the constraint drops its index: the down builds it again, as step 1 left it */
		char *unuse = xstrfmt("ALTER TABLE %s DROP CONSTRAINT %s;\nCREATE UNIQUE INDEX %s ON %s (%s)",
				      rel, qn, qn, rel, cols.buf);
		unit_add(sp, u, use, unuse);
		free(unuse);
		if (pk)
			strlist_add_nodup(&sp->d->notes, xstrfmt("PRIMARY KEY USING INDEX needs its "
								 "columns NOT NULL already, or it scans "
								 "to set them: make them NOT NULL first"));
		free(nm);
		free(use);
		free(idx);
		free(undo);
		strbuf_release(&cols);
	}
	free(qn);
	free(gen);
	free(rel);
	return true;
}
