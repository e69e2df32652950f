/*
 * draft_steps.c - steps several rewrites end with: VALIDATE a constraint
 * added NOT VALID (with its exact undo), and NOT NULL reached without a
 * scan under ACCESS EXCLUSIVE (CHECK NOT VALID, VALIDATE, SET NOT NULL),
 * each sequenced after the code that must deploy first. A leaf: it adds
 * units (draft_unit.c) and calls no rewrite.
 */
#include "draft_unit_int.h"

#include <stdlib.h>
#include <string.h>

/*
 * VALIDATE, whose exact undo is "the same constraint, not validated": the
 * down drops it and adds it back NOT VALID (both brief, neither scans).
 */
void add_validate(struct split *sp, struct unit *u, const char *rel, const char *qcon,
		  const char *validate, const char *add_not_valid)
{
	char *drop = xstrfmt("ALTER TABLE %s DROP CONSTRAINT %s", rel, qcon);
	add_up(sp, u, validate);
	/* downs are written last first: drop, then add back */
	strlist_add(&u->downs, add_not_valid);
	strlist_add(&u->downs, drop);
	free(drop);
	cJSON *tree = parse_generated(sp, validate);
	if (tree)
		schema_apply(sp->s, tree);
	cJSON_Delete(tree);
}

/*
 * The application code that inserts into table.col without setting it
 * (the cross-check's app-insert-missing-column list), as "a.go:3, b.py:7",
 * or NULL: from the NOT VALID check on, those INSERTs fail, so that code
 * deploys first.
 */
char *insert_missing_code(const struct split *sp, const char *table, const char *col)
{
	const struct app_compat *c = sp->report ? sp->report->compat : NULL;
	char *a = xstrfmt("%s.%s", table, col), *b = xstrfmt("%s.%s", table_key(table), col);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; c && i < c->nr; i++) {
		const struct compat_row *row = &c->v[i];
		if (!row->rule || strcmp(row->rule, "app-insert-missing-column") ||
		    (strcmp(row->element, a) && strcmp(row->element, b)))
			continue;
		for (size_t k = 0; k < row->where.nr; k++)
			strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", row->where.items[k]);
	}
	free(a);
	free(b);
	return sb.len ? strbuf_detach(&sb, NULL) : (strbuf_release(&sb), NULL);
}

/* CHECK (col IS NOT NULL) NOT VALID, VALIDATE, SET NOT NULL, drop the check. */
void add_not_null_steps(struct split *sp, const char *table, const char *col)
{
	char *rel = sql_qualified(table), *qc = sql_ident(col);
	char *con = sql_make_name(table_key(table), col, "not_null");
	char *qcon = sql_ident(con);
	char *add = xstrfmt("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID",
			    rel, qcon, qc);
	char *validate = xstrfmt("ALTER TABLE %s VALIDATE CONSTRAINT %s", rel, qcon);
	char *nm = xstrfmt("check_%s_%s_not_null", table_key(table), col);
	char *purpose = xstrfmt("add CHECK (%s IS NOT NULL) NOT VALID: only new rows are checked, "
				"no scan", col);
	struct unit *u = new_unit(sp, "migrate", false, nm, purpose);
	u->locks = true;
	u->deploy_first = insert_missing_code(sp, table, col);
	unit_add(sp, u, add, NULL);
	free(nm);
	free(purpose);

	nm = xstrfmt("validate_%s_%s_not_null", table_key(table), col);
	u = new_unit(sp, "migrate", false, nm, "VALIDATE the check: scans under SHARE UPDATE "
		     "EXCLUSIVE, reads and writes go on");
	u->locks = true;
	add_validate(sp, u, rel, qcon, validate, add);
	free(nm);

	if (sp->opts->pg_version >= 12) {
		char *setnn = xstrfmt("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", rel, qc);
		char *drop = xstrfmt("ALTER TABLE %s DROP CONSTRAINT %s", rel, qcon);
		char *undrop = xstrfmt("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID",
				       rel, qcon, qc);
		nm = xstrfmt("set_%s_%s_not_null", table_key(table), col);
		u = new_unit(sp, "contract", false, nm, "SET NOT NULL (PostgreSQL 12+ trusts the "
			     "validated check: no scan), then drop the check");
		u->locks = true;
		unit_add(sp, u, setnn, NULL);
		/*
		 * The check this drops was validated: its undo adds it back NOT
		 * VALID and validates it (downs are written last first), or the
		 * schema after the down is not the one before the up.
		 */
		strlist_add(&u->downs, validate);
		unit_add(sp, u, drop, undrop);
		free(nm);
		free(setnn);
		free(drop);
		free(undrop);
	} else {
		strlist_add_nodup(&sp->d->notes, xstrfmt("PostgreSQL %d: SET NOT NULL would scan the "
							 "table again; the validated CHECK on '%s' "
							 "enforces the same and stays", sp->opts->pg_version, col));
	}
	free(add);
	free(validate);
	free(con);
	free(qcon);
	free(rel);
	free(qc);
}
