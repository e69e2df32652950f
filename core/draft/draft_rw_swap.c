/*
 * draft_rw_swap.c - carrying what hangs on a column to its copy, for the
 * type change (new column, backfill, swap) and the column rename (new
 * column, two-way sync, cut-over later) of draft_rw_rename.c.
 *
 * Before the switch (carry_build), every dependent object gets a copy on
 * the new column, built without blocking: unique and plain indexes
 * CREATE ... CONCURRENTLY (the primary key's too), CHECKs and foreign keys,
 * out of the column and into it from other tables, NOT VALID and then
 * VALIDATEd. At the switch (carry_swap, one transaction with the column
 * renames), the old objects are dropped and the copies take their names:
 * the primary key by ADD CONSTRAINT ... PRIMARY KEY USING INDEX, UNIQUE by
 * UNIQUE USING INDEX, the rest by renames; the default (a serial's
 * nextval), the identity, the sequence's type and OWNED BY move to the new
 * column, and views reading the table are dropped and created again so
 * that they read the new column. Every step has the down that puts back
 * exactly what was there.
 */
#include "draft_deps_int.h"
#include "draft_split_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The copy's name: the swap's are "<name>_new"; a rename's name the new column where it can. */
char *carry_name(const char *name, const char *col, const char *newcol, bool swap)
{
	const char *at = swap ? NULL : strstr(name, col);
	if (at) {
		char *s = xstrfmt("%.*s%s%s", (int)(at - name), name, newcol, at + strlen(col));
		if (strlen(s) <= 63)
			return s;
		free(s);
	}
	return sql_make_name(name, NULL, swap ? "new" : newcol);
}

/* "(a, b)" of "PRIMARY KEY (a, b)" / "UNIQUE (a, b)". */
static const char *key_list(const char *def)
{
	const char *p = strchr(def, '(');
	return p ? p : def;
}

static struct unit *one_step(struct split *sp, const char *phase, bool no_txn, const char *what,
			     const char *name, const char *purpose)
{
	char *nm = xstrfmt("%s_%s", what, name);
	struct unit *u = new_unit(sp, phase, no_txn, nm, purpose);
	u->locks = !no_txn;
	free(nm);
	return u;
}

/* ADD CONSTRAINT ... NOT VALID in one migration, VALIDATE in the next. */
static void not_valid_then_validate(struct split *sp, const char *table, const char *copy,
				    const char *def)
{
	char *rel = sql_qualified(table), *q = sql_ident(copy);
	char *add = xstrfmt("ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID", rel, q, def);
	char *val = xstrfmt("ALTER TABLE %s VALIDATE CONSTRAINT %s", rel, q);
	char *why = xstrfmt("add '%s' NOT VALID: only new rows are checked, no scan", copy);
	struct unit *u = one_step(sp, "migrate", false, "add", copy, why);
	unit_add(sp, u, add, NULL);
	u = one_step(sp, "migrate", false, "validate", copy,
		     "VALIDATE: scans under SHARE UPDATE EXCLUSIVE, reads and writes go on");
	add_validate(sp, u, rel, q, val, add);
	free(why);
	free(add);
	free(val);
	free(rel);
	free(q);
}

static void build_index(struct split *sp, const char *table, const char *copy, bool unique,
			const char *def)
{
	char *rel = sql_qualified(table), *q = sql_ident(copy);
	char *sql = xstrfmt("CREATE %sINDEX CONCURRENTLY %s ON %s %s", unique ? "UNIQUE " : "", q, rel, def);
	char *down = xstrfmt("DROP INDEX CONCURRENTLY IF EXISTS %s", q);
	char *why = xstrfmt("build '%s' CONCURRENTLY on the new column: writes go on", copy);
	struct unit *u = one_step(sp, "expand", true, "create", copy, why);
	unit_add(sp, u, sql, down);
	free(why);
	free(sql);
	free(down);
	free(rel);
	free(q);
}

void carry_build(struct split *sp, const char *table, const struct col_deps *cd, const char *col,
		 const char *newcol, bool swap)
{
	/* indexes first: a copied foreign key into the column needs the unique one */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < cd->nr; i++) {
			const struct col_dep *x = &cd->v[i];
			char *copy = carry_name(x->name, col, newcol, swap);
			bool index = x->kind == DEP_PRIMARY || x->kind == DEP_UNIQUE || x->kind == DEP_INDEX;
			if (pass == 0 && index && x->kind != DEP_INDEX) {
				char *def = xstrfmt("USING btree %s", key_list(x->renamed));
				build_index(sp, table, copy, true, def);
				free(def);
			} else if (pass == 0 && x->kind == DEP_INDEX) {
				build_index(sp, table, copy, x->unique, x->renamed);
			} else if (pass == 1 && (x->kind == DEP_CHECK || x->kind == DEP_FK_OUT ||
						 x->kind == DEP_FK_IN)) {
				not_valid_then_validate(sp, x->table, copy, x->renamed);
			}
			free(copy);
		}
	if (!swap && cd->default_sql) {
		/* both names get the default: old code inserts one, new code the other */
		char *rel = sql_qualified(table), *q = sql_ident(newcol);
		char *sql = xstrfmt("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", rel, q, cd->default_sql);
		char *why = xstrfmt("'%s' gets the default of '%s'", newcol, col);
		struct unit *u = one_step(sp, "expand", false, "default", newcol, why);
		unit_add(sp, u, sql, NULL);
		free(why);
		free(sql);
		free(rel);
		free(q);
	}
}

/* An up statement with its down statements (run in the order given). */
static void step(struct split *sp, struct unit *u, char *up, char *down1, char *down2)
{
	add_up(sp, u, up);
	/* downs are written last first */
	if (down2)
		strlist_add(&u->downs, down2);
	if (down1)
		strlist_add(&u->downs, down1);
	free(up);
	free(down1);
	free(down2);
}

/* xstrfmt into *tmp (freed on the next call): for strings add_up copies. */
static const char *xstrfmt_tmp(char **tmp, const char *fmt, ...) ATTR_PRINTF(2, 3);
static const char *xstrfmt_tmp(char **tmp, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(*tmp);
	*tmp = strbuf_detach(&sb, NULL);
	return *tmp;
}

/*
 * The undo of ADD CONSTRAINT ... USING INDEX: the constraint goes with its
 * index, and the copied foreign keys into the column depend on that index
 * (a primary key's), so they go first and come back after the plain unique
 * index is there again. At that point of the down the new column still has
 * the old name: the definitions as written name it.
 */
static void attach_down(struct unit *u, const struct col_deps *cd, const struct col_dep *key,
			const char *xr, const char *qn, const char *qcopy, const char *col,
			const char *newcol)
{
	struct strlist downs = STRLIST_INIT;
	bool fks = key->kind == DEP_PRIMARY && !key->multi;
	for (size_t i = 0; fks && i < cd->nr; i++)
		if (cd->v[i].kind == DEP_FK_IN) {
			char *c = carry_name(cd->v[i].name, col, newcol, true), *qc = sql_ident(c);
			char *fr = sql_qualified(cd->v[i].table);
			strlist_add_nodup(&downs, xstrfmt("ALTER TABLE %s DROP CONSTRAINT %s", fr, qc));
			free(c);
			free(qc);
			free(fr);
		}
	strlist_add_nodup(&downs, xstrfmt("ALTER TABLE %s DROP CONSTRAINT %s", xr, qn));
	strlist_add_nodup(&downs, xstrfmt("CREATE UNIQUE INDEX %s ON %s USING btree %s", qcopy, xr,
					  key_list(key->def)));
	for (size_t i = 0; fks && i < cd->nr; i++)
		if (cd->v[i].kind == DEP_FK_IN) {
			char *c = carry_name(cd->v[i].name, col, newcol, true), *qc = sql_ident(c);
			char *fr = sql_qualified(cd->v[i].table);
			strlist_add_nodup(&downs, xstrfmt("ALTER TABLE %s ADD CONSTRAINT %s %s", fr, qc,
							  cd->v[i].def));
			free(c);
			free(qc);
			free(fr);
		}
	/* downs are written last first */
	for (size_t i = downs.nr; i-- > 0;)
		strlist_add(&u->downs, downs.items[i]);
	strlist_clear(&downs);
}

static const char *seq_type(const struct col_deps *cd)
{
	return strcmp(cd->type, "int2") ? "integer" : "smallint";
}

void carry_swap(struct split *sp, struct unit *u, const char *table, const struct col_deps *cd,
		const char *col, const char *oldcol, const char *newtype)
{
	char *rel = sql_qualified(table), *qc = sql_ident(col), *qold = sql_ident(oldcol);
	char *newcol = sql_make_name(col, NULL, "new"), *qnew = sql_ident(newcol);
	/* 1. what reads or references the old column goes */
	for (size_t i = 0; i < cd->nr; i++) {
		const struct col_dep *x = &cd->v[i];
		if (x->kind == DEP_FK_IN || x->kind == DEP_FK_OUT || x->kind == DEP_CHECK ||
		    x->kind == DEP_UNIQUE || x->kind == DEP_PRIMARY)
			continue;   /* below, in an order the catalogue accepts */
		char *xr = sql_qualified(x->table), *qn = sql_ident(x->name);
		if (x->kind == DEP_VIEW)
			step(sp, u, xstrfmt("DROP VIEW %s", qn), xstrdup(x->def), NULL);
		else
			step(sp, u, xstrfmt("DROP INDEX %s", qn),
			     xstrfmt("CREATE %sINDEX %s ON %s %s", x->unique ? "UNIQUE " : "", qn, xr, x->def),
			     NULL);
		free(xr);
		free(qn);
	}
	static const enum dep_kind order[] = { DEP_FK_IN, DEP_FK_OUT, DEP_CHECK, DEP_UNIQUE, DEP_PRIMARY };
	for (size_t k = 0; k < ARRAY_SIZE(order); k++)
		for (size_t i = 0; i < cd->nr; i++) {
			const struct col_dep *x = &cd->v[i];
			if (x->kind != order[k])
				continue;
			char *xr = sql_qualified(x->table), *qn = sql_ident(x->name);
			step(sp, u, xstrfmt("ALTER TABLE %s DROP CONSTRAINT %s", xr, qn),
			     xstrfmt("ALTER TABLE %s ADD CONSTRAINT %s %s", xr, qn, x->def), NULL);
			free(xr);
			free(qn);
		}
	if (cd->default_sql)
		step(sp, u, xstrfmt("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", rel, qc),
		     xstrfmt("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", rel, qc, cd->default_sql), NULL);
	if (cd->identity)
		step(sp, u, xstrfmt("ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY", rel, qc),
		     xstrfmt("ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY", rel, qc,
			     cd->identity_when == 'a' ? "ALWAYS" : "BY DEFAULT"),
		     xstrfmt("SELECT setval(pg_get_serial_sequence('%s', '%s'), coalesce(max(%s), 0) + 1, "
			     "false) FROM %s", rel, col, qc, rel));
	/* the old column stops being written: NOT NULL would fail every INSERT */
	/* back: rows written after the swap have only the new value; they get it (if it fits) */
	if (cd->not_null)
		step(sp, u, xstrfmt("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", rel, qc),
		     xstrfmt("UPDATE %s SET %s = %s::%s WHERE %s IS NULL", rel, qc, qnew, cd->type, qc),
		     xstrfmt("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", rel, qc));

	/* 2. the swap: one transaction, so the name always exists */
	step(sp, u, xstrfmt("-- sluice:ignore rename-column -- swapped in one transaction: '%s' "
			    "exists before and after\nALTER TABLE %s RENAME COLUMN %s TO %s", col, rel, qc, qold),
	     xstrfmt("ALTER TABLE %s RENAME COLUMN %s TO %s", rel, qold, qc), NULL);
	step(sp, u, xstrfmt("-- sluice:ignore rename-column -- swapped in one transaction: '%s' "
			    "exists before and after\nALTER TABLE %s RENAME COLUMN %s TO %s", col, rel, qnew, qc),
	     xstrfmt("ALTER TABLE %s RENAME COLUMN %s TO %s", rel, qc, qnew), NULL);

	/* 3. the copies take the old names and places */
	char *tmp = NULL;
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < cd->nr; i++) {
			const struct col_dep *x = &cd->v[i];
			char *copy = carry_name(x->name, col, newcol, true);
			char *xr = sql_qualified(x->table), *qn = sql_ident(x->name), *qcopy = sql_ident(copy);
			if (k == 0 && (x->kind == DEP_PRIMARY || x->kind == DEP_UNIQUE)) {
				bool pk = x->kind == DEP_PRIMARY;
				add_up(sp, u, xstrfmt_tmp(&tmp, "ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s",
							  xr, qn, pk ? "PRIMARY KEY" : "UNIQUE", qcopy));
				attach_down(u, cd, x, xr, qn, qcopy, col, newcol);
			} else if (k == 1 && x->kind == DEP_INDEX) {
				step(sp, u, xstrfmt("ALTER INDEX %s RENAME TO %s", qcopy, qn),
				     xstrfmt("ALTER INDEX %s RENAME TO %s", qn, qcopy), NULL);
			} else if (k == 2 && (x->kind == DEP_CHECK || x->kind == DEP_FK_OUT ||
					      x->kind == DEP_FK_IN)) {
				step(sp, u, xstrfmt("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", xr, qcopy, qn),
				     xstrfmt("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", xr, qn, qcopy), NULL);
			}
			free(copy);
			free(xr);
			free(qn);
			free(qcopy);
		}
	if (cd->default_sql)
		step(sp, u, xstrfmt("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", rel, qc, cd->default_sql),
		     xstrfmt("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", rel, qc), NULL);
	if (cd->identity)
		step(sp, u, xstrfmt("ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY", rel, qc,
				    cd->identity_when == 'a' ? "ALWAYS" : "BY DEFAULT"),
		     xstrfmt("ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY", rel, qc), NULL);
	if (cd->identity)
		step(sp, u, xstrfmt("SELECT setval(pg_get_serial_sequence('%s', '%s'), coalesce(max(%s), 0) "
				    "+ 1, false) FROM %s", rel, col, qc, rel), NULL, NULL);
	if (cd->sequence) {
		char *qs = sql_qualified(cd->sequence);
		if (cd->serial_int && (!strcmp(newtype, "int8") || !strcmp(newtype, "bigint")))
			step(sp, u, xstrfmt("ALTER SEQUENCE %s AS bigint", qs),
			     xstrfmt("ALTER SEQUENCE %s AS %s", qs, seq_type(cd)), NULL);
		/* owned by the old column, the sequence would go with it when it is dropped */
		step(sp, u, xstrfmt("ALTER SEQUENCE %s OWNED BY %s.%s", qs, rel, qc),
		     xstrfmt("ALTER SEQUENCE %s OWNED BY %s.%s", qs, rel, qold), NULL);
		free(qs);
	}
	for (size_t i = 0; i < cd->nr; i++) {
		const struct col_dep *x = &cd->v[i];
		char *qv = sql_qualified(x->name);
		if (x->kind == DEP_VIEW)
			step(sp, u, xstrdup(x->def), xstrfmt("DROP VIEW %s", qv), NULL);
		free(qv);
	}
	free(tmp);
	free(rel);
	free(qc);
	free(qold);
	free(newcol);
	free(qnew);
}
