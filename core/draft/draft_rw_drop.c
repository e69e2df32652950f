/*
 * draft_rw_drop.c - DROP COLUMN and DROP TABLE as a removal a DBRE would
 * ship: the code stops using it first, then the drop, in its own later
 * migration, after a backup kept outside the database.
 *
 * The application code still naming the column or table is the
 * cross-check's list (app-references-dropped on the original): the drop
 * step says `-- sluice: deploy first: FILE:LINE, ...` (the shadow's replay
 * then expects those statements to fail from there on, and the judge
 * takes the drop as sequenced), and the draft's notes name the code and
 * the step. A NOT NULL column without a default is made nullable in the
 * first step, so that the new code, which no longer writes it, can insert
 * while the column still exists. The backup is a `-- sluice: backup
 * first:` line on the drop step (a `\copy ... TO` file of the key and the
 * column, or `pg_dump --table`), which the runbook makes a step of its
 * own: never a copy of user data into the same database. The down puts
 * back the schema exactly as the history wrote it (draft_down_history.c).
 */
#include "draft_deps_int.h"
#include "draft_split_int.h"
#include "app_sql.h"
#include "schema.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The code the cross-check found still using `element` ("users.nick", "legacy"); NULL. */
static char *code_using(const struct split *sp, const char *element)
{
	const struct app_compat *c = sp->report ? sp->report->compat : NULL;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; c && i < c->nr; i++) {
		const struct compat_row *row = &c->v[i];
		if (!row->rule || strcmp(row->rule, "app-references-dropped") ||
		    (strcmp(row->element, element) && strcmp(table_key(row->element), element)))
			continue;
		for (size_t k = 0; k < row->where.nr; k++)
			strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", row->where.items[k]);
	}
	return sb.len ? strbuf_detach(&sb, NULL) : (strbuf_release(&sb), NULL);
}

/* The table's primary key columns, quoted and joined, or NULL. */
static char *primary_key(const struct schema *s, const char *table)
{
	size_t it = 0;
	const struct index_def *ix;
	while ((ix = schema_next_index(s, table, &it)))
		if (ix->primary && ix->columns.nr) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t i = 0; i < ix->columns.nr; i++) {
				if (i)
					strbuf_addstr(&sb, ", ");
				sql_add_ident(&sb, ix->columns.items[i]);
			}
			return strbuf_detach(&sb, NULL);
		}
	return NULL;
}

static void add_shell_char(struct strbuf *sb, char c)
{
	if (c == '\'')
		strbuf_addstr(sb, "'\\''");
	else
		strbuf_addch(sb, c);
}

/* The file name a backup goes to: table[_column].csv or .dump, safe characters only. */
static char *backup_file(const char *table, const char *col, const char *ext)
{
	char *name = col ? xstrfmt("%s_%s.%s", table_key(table), col, ext)
			 : xstrfmt("%s.%s", table_key(table), ext);
	for (char *p = name; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-'))
			*p = '_';
	return name;
}

/*
 * The drop's down brings the column back with the history's definition,
 * nullable when the first step made it so (that step's own down makes it
 * NOT NULL again), and says where its values are: in the backup.
 */
static void down_from_backup(struct unit *u, const char *file, bool nullable)
{
	for (size_t i = 0; i < u->downs.nr; i++) {
		char *s = u->downs.items[i], *nn = strstr(s, " NOT NULL");
		if (!strstr(s, " ADD COLUMN "))
			continue;
		if (nullable && nn && (!nn[9] || nn[9] == ' ' || nn[9] == ','))
			memmove(nn, nn + 9, strlen(nn + 9) + 1);
		u->downs.items[i] = xstrfmt("-- the values are in %s (the backup taken before the up): "
					    "load it with \\copy ... FROM into a table of its own and "
					    "UPDATE from it\n%s", file, s);
		free(s);
		return;
	}
}

/*
 * A table other tables' foreign keys point at cannot be dropped (without
 * CASCADE, which would drop them unsaid): a step of its own drops them
 * first, by name, after the same code deploy as the drop. Its down adds
 * them back as the history wrote them and validates them, so it runs once
 * the table's own down has brought the table back and its backup is
 * loaded (the note says so).
 */
static void drop_inbound_fks(struct split *sp, const char *table, const char *deploy_first)
{
	struct unit *u = NULL;
	struct strlist cols = STRLIST_INIT, done = STRLIST_INIT;
	for (size_t i = 0; i < sp->s->nr_cons; i++) {
		const struct constraint_def *c = &sp->s->cons[i];
		if (c->type == CON_FOREIGN && c->ref_table && table_names_equal(c->ref_table, table))
			for (size_t k = 0; k < c->ref_columns.nr; k++)
				if (!strlist_has(&cols, c->ref_columns.items[k]))
					strlist_add(&cols, c->ref_columns.items[k]);
	}
	for (size_t i = 0; i < cols.nr; i++) {
		struct col_deps cd;
		col_deps_read(sp->ms, sp->target, table, cols.items[i], cols.items[i], &cd);
		for (size_t k = 0; k < cd.nr; k++) {
			const struct col_dep *dep = &cd.v[k];
			char *key = xstrfmt("%s.%s", dep->table, dep->name);
			if (dep->kind != DEP_FK_IN || table_names_equal(dep->table, table) ||
			    strlist_has(&done, key)) {
				free(key);
				continue;
			}
			strlist_add_nodup(&done, key);
			char *rel = sql_qualified(dep->table), *qn = sql_ident(dep->name);
			char *drop = xstrfmt("ALTER TABLE %s DROP CONSTRAINT %s", rel, qn);
			char *add = xstrfmt("ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID", rel, qn, dep->def);
			char *validate = xstrfmt("ALTER TABLE %s VALIDATE CONSTRAINT %s", rel, qn);
			if (!u) {
				char *nm = xstrfmt("drop_fks_to_%s", table_key(table));
				char *purpose = xstrfmt("drop the foreign keys that point at %s, once no "
							"deployed code uses it", table_key(table));
				u = new_unit(sp, "contract", false, nm, purpose);
				u->locks = true;
				u->deploy_first = deploy_first ? xstrdup(deploy_first) : NULL;
				u->down_first = xstrfmt("if the next step dropped '%s', its down made "
							"the table again, empty: load its backup into it "
							"first, or VALIDATE fails on the rows that point "
							"at it", table_key(table));
				free(nm);
				free(purpose);
			}
			/* downs run last first: added back NOT VALID, then validated */
			strlist_add(&u->downs, validate);
			unit_add(sp, u, drop, add);
			strlist_add_nodup(&sp->d->notes, xstrfmt("the drop of '%s' drops the foreign key "
								 "%s on '%s' in the step before; rolling "
								 "back, that step's down validates it again: "
								 "load the table's backup before it",
								 table_key(table), dep->name, dep->table));
			free(validate);
			free(rel);
			free(qn);
			free(drop);
			free(add);
		}
		col_deps_release(&cd);
	}
	strlist_clear(&cols);
	strlist_clear(&done);
}

/* The drop step: its own migration, after the code deploy and the backup. */
static struct unit *add_drop_step(struct split *sp, const char *table, const char *col,
				  const char *sql, const char *backup)
{
	char *element = col ? xstrfmt("%s.%s", table_key(table), col) : xstrdup(table_key(table));
	char *nm = col ? xstrfmt("drop_%s_%s", table_key(table), col) : xstrfmt("drop_%s", table_key(table));
	char *purpose = xstrfmt("drop %s %s, once no deployed code uses it and the backup is taken",
				col ? "column" : "table", element);
	char *code = code_using(sp, element);
	if (!col)
		drop_inbound_fks(sp, table, code);
	struct unit *u = new_unit(sp, "contract", false, nm, purpose);
	u->locks = true;
	u->deploy_first = code;
	u->backup_first = xstrdup(backup);
	unit_add_from_history(sp, u, sql);
	if (!u->deploy_first)
		strlist_add_nodup(&sp->d->notes, xstrfmt("remove %s: the cross-check found no code "
							 "using it; the drop still waits for its backup",
							 element));
	free(element);
	free(nm);
	free(purpose);
	return u;
}

bool rw_drop_column(struct split *sp, const char *table, const cJSON *cmd)
{
	const char *col = tree_str(tree_path(cmd, "name", NULL));
	const struct table_def *t = schema_table(sp->s, table);
	const struct column *c = t && col ? table_column(t, col) : NULL;
	if (!c || !strcmp(nonnull(tree_str(tree_path(cmd, "behavior", NULL))), "DROP_CASCADE"))
		return false;
	char *rel = sql_qualified(table), *qc = sql_ident(col);
	bool nullable_first = c->not_null && !c->has_default;
	if (nullable_first) {
		/* the new code stops writing it: its INSERTs must work while the column exists */
		char *sql = xstrfmt("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", rel, qc);
		struct unit *u = current_unit(sp);
		u->locks = true;
		unit_add(sp, u, sql, NULL);
		free(sql);
	}
	char *key = primary_key(sp->s, table);
	char *file = backup_file(table, col, "csv");
	char *backup = xstrfmt("\\copy (SELECT %s%s%s FROM %s) TO '%s' CSV HEADER", key ? key : "",
			       key ? ", " : "", qc, rel, file);
	char *sql = xstrfmt("ALTER TABLE %s DROP COLUMN %s", rel, qc);
	struct unit *u = add_drop_step(sp, table, col, sql, backup);
	down_from_backup(u, file, nullable_first);
	free(sql);
	free(backup);
	free(file);
	free(key);
	free(rel);
	free(qc);
	return true;
}

bool rw_drop_table(struct split *sp, const struct stmt *st, const cJSON *b)
{
	const char *t = nonnull(tree_str(tree_path(b, "removeType", NULL)));
	const cJSON *objs = tree_path(b, "objects", NULL);
	if (strcmp(t, "OBJECT_TABLE") || cJSON_GetArraySize(objs) != 1 ||
	    !strcmp(nonnull(tree_str(tree_path(b, "behavior", NULL))), "DROP_CASCADE"))
		return false;
	char *name = tree_name_list(tree_path(cJSON_GetArrayItem(objs, 0), "List", "items", NULL));
	if (!name || !schema_table(sp->s, name)) {
		free(name);
		return false;
	}
	char *rel = sql_qualified(name), *file = backup_file(name, NULL, "dump");
	struct strbuf backup = STRBUF_INIT;
	/* a shell word: the name in single quotes, pg_dump reads its SQL quoting */
	strbuf_addstr(&backup, "pg_dump --format=custom --table='");
	for (const char *p = rel; *p; p++)
		add_shell_char(&backup, *p);
	strbuf_addf(&backup, "' --file=%s \"$DATABASE_URL\"", file);
	char *sql = xstrfmt("DROP TABLE %s", rel);
	add_drop_step(sp, name, NULL, sql, backup.buf);
	strbuf_release(&backup);
	free(sql);
	free(file);
	free(rel);
	free(name);
	(void)st;
	return true;
}
