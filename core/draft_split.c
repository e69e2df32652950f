/*
 * draft_split.c - the built-in safe-pattern library: a risky migration
 * rewritten as an expand / migrate / contract sequence.
 *
 * The target's statements are walked in order. A statement the judge
 * found nothing wrong with stays where it is; a risky one is replaced by
 * the steps of its safe pattern, each step a migration of its own when it
 * must be (CONCURRENTLY outside a transaction, VALIDATE after NOT VALID, a
 * batched backfill that commits as it goes):
 *
 *   CREATE INDEX           -> CREATE INDEX CONCURRENTLY, alone, no transaction
 *   DROP INDEX / REINDEX   -> ... CONCURRENTLY, alone, no transaction
 *   ADD COLUMN NOT NULL /  -> add nullable (+ SET DEFAULT for new rows),
 *     volatile DEFAULT        batched idempotent backfill with a progress row,
 *                             CHECK (col IS NOT NULL) NOT VALID, VALIDATE,
 *                             SET NOT NULL, drop the check
 *   SET NOT NULL           -> the same last four steps
 *   ADD FOREIGN KEY/CHECK  -> NOT VALID, then VALIDATE in a later migration
 *   ADD UNIQUE/PRIMARY KEY -> CREATE UNIQUE INDEX CONCURRENTLY, then USING INDEX
 *   ALTER COLUMN TYPE      -> new column, sync trigger, backfill, swap
 *   RENAME COLUMN          -> new column, two-way sync trigger, backfill
 *                             (cut-over and drop are later, after a deploy)
 *   RENAME TABLE           -> rename plus a view under the old name
 *   UPDATE / DELETE        -> batches keyed by the primary key, progress row
 *
 * The first step rewrites the target's own files; later steps become new
 * migrations numbered after the highest one in the directory. Steps that
 * lock an existing table start with SET LOCAL lock_timeout. Every
 * generated statement is parsed again here, and the whole draft is
 * re-judged by draft_verify() before anyone may accept it.
 */
#include "draft_int.h"
#include "parse.h"

#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

struct split {
	struct unit *units;
	size_t nr, alloc;
	long cur;                  /* unit collecting kept statements; -1: open a new one */
	struct schema *s;
	const struct judge_opts *opts;
	struct draft *d;
	int rewritten;
	bool progress_table;       /* the progress table was created in an earlier step */
	char *comment;             /* the engineer's comment on the statement being rewritten */
};

#define PROGRESS_TABLE "sluice_backfill_progress"
#define BATCH_SIZE 5000

static struct unit *new_unit(struct split *sp, const char *phase, bool no_txn, const char *name,
			     const char *purpose)
{
	ALLOC_GROW(sp->units, sp->nr + 1, sp->alloc);
	struct unit *u = &sp->units[sp->nr++];
	memset(u, 0, sizeof(*u));
	u->phase = phase;
	u->no_txn = no_txn;
	u->name = xstrdup(name);
	u->purpose = xstrdup(purpose);
	return u;
}

static void release_unit(struct unit *u)
{
	strlist_clear(&u->ups);
	strlist_clear(&u->downs);
	free(u->name);
	free(u->purpose);
}

/* Parses one generated statement; NULL (and a note) when it does not parse: a sluice bug. */
static cJSON *parse_generated(struct split *sp, const char *sql)
{
	PgQueryParseResult r = pg_query_parse(sql);
	cJSON *root = NULL, *node = NULL;
	if (r.error) {
		strlist_add_nodup(&sp->d->notes, xstrfmt("internal: a generated statement does not "
							 "parse (%s): %s", r.error->message, sql));
	} else {
		root = cJSON_Parse(r.parse_tree);
		cJSON *first = cJSON_GetArrayItem(tree_path(root, "stmts", NULL), 0);
		if (first)
			node = cJSON_DetachItemFromObject(first, "stmt");
	}
	pg_query_free_parse_result(r);
	cJSON_Delete(root);
	return node;
}

/*
 * Adds a generated statement to a unit: its down (given, or derived from
 * the tree against the running schema) and its effect on the schema.
 */
/*
 * The comment lines before a statement, without the framework's markers
 * (the layout writes its own) or sluice's ignores (the rewrite no longer
 * needs them); NULL when nothing is left. The engineer wrote them for the
 * reviewer: a draft that drops "why this index" loses something.
 */
static char *own_comment(const char *comments)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = comments;
	while (p && *p) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		size_t len = (size_t)(end - p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
			len--;
		if (len > 2 && !strncmp(p, "--", 2) && strncmp(p, "-- +goose", 9) &&
		    strncmp(p, "-- migrate:", 11) && strncmp(p, "-- sluice:", 10) &&
		    strncmp(p, "--sluice:", 9))
			strbuf_addf(&sb, "%.*s\n", (int)len, p);
		p = nl ? nl + 1 : end;
	}
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

/* Adds an up statement, with the comment of the statement it came from before the first. */
static void add_up(struct split *sp, struct unit *u, const char *sql)
{
	if (sp->comment) {
		strlist_add_nodup(&u->ups, xstrfmt("%s%s", sp->comment, sql));
		free(sp->comment);
		sp->comment = NULL;
	} else {
		strlist_add(&u->ups, sql);
	}
}

static void unit_add(struct split *sp, struct unit *u, const char *sql, const char *down)
{
	cJSON *tree = parse_generated(sp, sql);
	add_up(sp, u, sql);
	if (down) {
		strlist_add(&u->downs, down);
	} else if (tree) {
		struct stmt st;
		struct strbuf loss = STRBUF_INIT;
		memset(&st, 0, sizeof(st));
		st.tree = tree;
		st.kind = tree_kind(tree);
		st.sql = (char *)sql;
		reverse_statement(&st, sp->s, &u->downs, &loss);
		strbuf_release(&loss);
	}
	if (tree) {
		schema_apply(sp->s, tree);
		cJSON_Delete(tree);
	}
}

static struct unit *current_unit(struct split *sp)
{
	if (sp->cur < 0) {
		new_unit(sp, "expand", false, "follow_up", "the statements that followed");
		sp->cur = (long)sp->nr - 1;
	}
	return &sp->units[sp->cur];
}

/* --- pieces of the user's statement -------------------------------------- */

/* The ALTER TABLE's subcommands as text spans, in order; false if they cannot be matched. */
static bool alter_pieces(const struct stmt *st, const cJSON *b, size_t *from, size_t *to, int n)
{
	const char *sql = st->sql;
	int loc = tree_int(tree_path(b, "relation", NULL), "location");
	size_t p = (size_t)loc, len = strlen(sql);
	/* Skip the relation name: identifiers, dots and quotes. */
	while (p < len && (sql[p] == '"' || sql[p] == '.' || sql[p] == '_' ||
			   (unsigned char)sql[p] >= 0x80 || (sql[p] >= '0' && sql[p] <= '9') ||
			   ((sql[p] | 0x20) >= 'a' && (sql[p] | 0x20) <= 'z'))) {
		if (sql[p] == '"') {
			p++;
			while (p < len && sql[p] != '"')
				p++;
		}
		p++;
	}
	for (int i = 0; i < n; i++) {
		size_t e = sql_clause_end(sql, p, len, NULL);
		from[i] = p;
		to[i] = e;
		if (i < n - 1 && (e >= len || sql[e] != ','))
			return false;
		p = e + 1;
	}
	return to[n - 1] <= len;
}

static char *rel_of(const cJSON *b)
{
	char *name = tree_rangevar_name(tree_path(b, "relation", NULL));
	char *r = sql_qualified(name ? name : "?");
	free(name);
	return r;
}


/* The table's single-column primary key when the history says, else "id" (noted). */
static const char *primary_key(struct split *sp, const char *table)
{
	const char *t = table_key(table);
	for (size_t i = 0; i < sp->s->nr_cons; i++) {
		const struct constraint_def *c = &sp->s->cons[i];
		if (c->type == CON_PRIMARY && !strcmp(c->table, t) && c->columns.nr == 1)
			return c->columns.items[0];
	}
	for (size_t i = 0; i < sp->s->nr_indexes; i++) {
		const struct index_def *ix = &sp->s->indexes[i];
		if (ix->primary && !strcmp(ix->table, t) && ix->columns.nr == 1)
			return ix->columns.items[0];
	}
	strlist_add_nodup(&sp->d->notes, xstrfmt("the history shows no single-column primary key "
						 "for '%s': the backfill batches by 'id'; change it "
						 "if the key is another column", t));
	return "id";
}

/* --- the shared steps ----------------------------------------------------- */

static void ensure_progress_table(struct split *sp, struct unit *u)
{
	if (sp->progress_table)
		return;
	unit_add(sp, u, "CREATE TABLE IF NOT EXISTS " PROGRESS_TABLE " (\n"
		 "    job text PRIMARY KEY,\n"
		 "    last_id bigint NOT NULL DEFAULT 0,\n"
		 "    updated_at timestamptz NOT NULL DEFAULT now()\n)",
		 "DROP TABLE IF EXISTS " PROGRESS_TABLE);
	sp->progress_table = true;
}

/*
 * A batched, resumable, idempotent data change: a DO block that walks the
 * primary key in ranges of BATCH_SIZE, commits after each batch (so locks
 * and WAL stay small and replicas keep up), records its position in the
 * progress table (a re-run resumes), and pauses between batches. `change`
 * is an UPDATE or DELETE with "{range}" where the key range predicate goes;
 * its own WHERE makes a re-run touch nothing twice.
 */
static void add_backfill(struct split *sp, const char *table, const char *job, const char *change,
			 const char *purpose)
{
	const char *pk = primary_key(sp, table);
	char *qt = sql_qualified(table), *qpk = sql_ident(pk);
	char *range = xstrfmt("%s > v_last AND %s <= v_last + batch_size", qpk, qpk);
	const char *at = strstr(change, "{range}");
	char *body = at ? xstrfmt("%.*s%s%s", (int)(at - change), change, range, at + 7) : xstrdup(change);
	struct strbuf sb = STRBUF_INIT, jobl = STRBUF_INIT;
	char *name = xstrfmt("backfill_%s", job);
	for (char *c = name; *c; c++)
		if (*c == '.')
			*c = '_';
	sql_add_literal(&jobl, job);
	strbuf_addf(&sb,
		    "DO $sluice$\n"
		    "DECLARE\n"
		    "    batch_size CONSTANT bigint := %d;\n"
		    "    v_last bigint;\n"
		    "    v_max bigint;\n"
		    "BEGIN\n"
		    "    INSERT INTO " PROGRESS_TABLE " (job) VALUES (%s) ON CONFLICT (job) DO NOTHING;\n"
		    "    SELECT last_id INTO v_last FROM " PROGRESS_TABLE " WHERE job = %s;\n"
		    "    SELECT coalesce(max(%s), 0) INTO v_max FROM %s;\n"
		    "    WHILE v_last < v_max LOOP\n"
		    "        %s;\n"
		    "        v_last := v_last + batch_size;\n"
		    "        UPDATE " PROGRESS_TABLE " SET last_id = v_last, updated_at = now() WHERE job = %s;\n"
		    "%s"
		    "        PERFORM pg_sleep(0.05);\n"
		    "    END LOOP;\n"
		    "END\n"
		    "$sluice$",
		    BATCH_SIZE, jobl.buf, jobl.buf, qpk, qt, body, jobl.buf,
		    sp->opts->pg_version >= 11 ? "        COMMIT;\n" : "");
	if (sp->opts->pg_version < 11)
		strlist_add_nodup(&sp->d->notes, xstrfmt("PostgreSQL %d cannot COMMIT inside DO: the "
							 "backfill of '%s' runs as one transaction; on "
							 "a large table run its batches from a script",
							 sp->opts->pg_version, job));
	struct unit *u = new_unit(sp, "migrate", true, name, purpose);
	/* The data stays (the previous step's down drops the column); the progress row goes,
	 * so that a re-run after a rollback starts from the beginning. */
	char *forget = xstrfmt("DELETE FROM " PROGRESS_TABLE " WHERE job = %s", jobl.buf);
	unit_add(sp, u, sb.buf, forget);
	free(forget);
	strbuf_release(&sb);
	strbuf_release(&jobl);
	free(name);
	free(body);
	free(range);
	free(qt);
	free(qpk);
}

/*
 * VALIDATE, whose exact undo is "the same constraint, not validated": the
 * down drops it and adds it back NOT VALID (both brief, neither scans).
 */
static void add_validate(struct split *sp, struct unit *u, const char *rel, const char *qcon,
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

/* CHECK (col IS NOT NULL) NOT VALID, VALIDATE, SET NOT NULL, drop the check. */
static void add_not_null_steps(struct split *sp, const char *table, const char *col)
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

/* --- one rewrite per risky shape ----------------------------------------- */

static bool rw_create_index(struct split *sp, const struct stmt *st, const cJSON *b)
{
	size_t on = sql_find_word(st->sql, 0, "on");
	const char *idx = tree_str(tree_path(b, "idxname", NULL));
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	char *gen = NULL;
	if (on == (size_t)-1 || !table) {
		free(table);
		return false;
	}
	if (!idx) {
		const cJSON *first = cJSON_GetArrayItem(tree_path(b, "indexParams", NULL), 0);
		idx = gen = sql_make_name(table_key(table),
					  tree_str(tree_path(first, "IndexElem", "name", NULL)), "idx");
	}
	char *qidx = sql_ident(idx);
	char *sql = xstrfmt("CREATE %sINDEX CONCURRENTLY %s %s", tree_bool(b, "unique") ? "UNIQUE " : "",
			    qidx, st->sql + on);
	char *down = xstrfmt("DROP INDEX CONCURRENTLY IF EXISTS %s", qidx);
	char *nm = xstrfmt("create_%s", idx), *purpose = xstrfmt("build index '%s' CONCURRENTLY: "
								  "writes go on during the build", idx);
	struct unit *u = new_unit(sp, "expand", true, nm, purpose);
	unit_add(sp, u, sql, down);
	free(nm);
	free(purpose);
	free(sql);
	free(down);
	free(qidx);
	free(gen);
	free(table);
	return true;
}

static bool rw_drop_index(struct split *sp, const struct stmt *st, const cJSON *b)
{
	const char *t = nonnull(tree_str(tree_path(b, "removeType", NULL)));
	const char *behavior = nonnull(tree_str(tree_path(b, "behavior", NULL)));
	const cJSON *obj;
	if (strcmp(t, "OBJECT_INDEX") || !strcmp(behavior, "DROP_CASCADE"))
		return false;
	cJSON_ArrayForEach(obj, tree_path(b, "objects", NULL)) {
		char *name = tree_name_list(tree_path(obj, "List", "items", NULL));
		char *q = sql_qualified(nonnull(name));
		char *sql = xstrfmt("DROP INDEX CONCURRENTLY IF EXISTS %s", q);
		char *nm = xstrfmt("drop_%s", table_key(nonnull(name)));
		char *purpose = xstrfmt("drop index '%s' CONCURRENTLY: no ACCESS EXCLUSIVE", nonnull(name));
		struct unit *u = new_unit(sp, "contract", true, nm, purpose);
		unit_add(sp, u, sql, NULL);
		free(nm);
		free(purpose);
		free(sql);
		free(q);
		free(name);
	}
	(void)st;
	return true;
}

static bool rw_reindex(struct split *sp, const struct stmt *st, const cJSON *b)
{
	const char *kind = nonnull(tree_str(tree_path(b, "kind", NULL)));
	char *rel = tree_rangevar_name(tree_path(b, "relation", NULL));
	const char *what = !strcmp(kind, "REINDEX_OBJECT_INDEX") ? "INDEX" :
			   !strcmp(kind, "REINDEX_OBJECT_TABLE") ? "TABLE" : NULL;
	(void)st;
	if (!what || !rel || sp->opts->pg_version < 12) {
		free(rel);
		return false;
	}
	char *q = sql_qualified(rel);
	char *sql = xstrfmt("REINDEX %s CONCURRENTLY %s", what, q);
	char *nm = xstrfmt("reindex_%s", table_key(rel));
	struct unit *u = new_unit(sp, "migrate", true, nm, "rebuild CONCURRENTLY: writes go on");
	unit_add(sp, u, sql, NULL);
	free(nm);
	free(sql);
	free(q);
	free(rel);
	return true;
}

static const cJSON *find_constraint(const cJSON *coldef, const char *contype)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, tree_path(coldef, "constraints", NULL)) {
		const char *t = tree_str(tree_path(c, "Constraint", "contype", NULL));
		if (t && !strcmp(t, contype))
			return tree_path(c, "Constraint", NULL);
	}
	return NULL;
}

/* Only NOT NULL, NULL and DEFAULT: other column constraints keep the statement as is. */
static bool simple_column_constraints(const cJSON *coldef)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, tree_path(coldef, "constraints", NULL)) {
		const char *t = nonnull(tree_str(tree_path(c, "Constraint", "contype", NULL)));
		if (strcmp(t, "CONSTR_NOTNULL") && strcmp(t, "CONSTR_DEFAULT") && strcmp(t, "CONSTR_NULL"))
			return false;
	}
	return true;
}

/* The smallest constraint location after `after`, or `limit`. */
static size_t next_constraint(const cJSON *coldef, size_t after, size_t limit)
{
	const cJSON *c;
	size_t best = limit;
	cJSON_ArrayForEach(c, tree_path(coldef, "constraints", NULL)) {
		size_t loc = (size_t)tree_int(tree_path(c, "Constraint", NULL), "location");
		if (loc > after && loc < best)
			best = loc;
	}
	return best;
}

static bool rw_add_column(struct split *sp, const char *table, const struct stmt *st,
			  const cJSON *cd, size_t to)
{
	const char *col = tree_str(tree_path(cd, "colname", NULL));
	const cJSON *def = find_constraint(cd, "CONSTR_DEFAULT");
	bool not_null = find_constraint(cd, "CONSTR_NOTNULL") != NULL;
	size_t tloc = (size_t)tree_int(tree_path(cd, "typeName", NULL), "location");
	if (!col || !simple_column_constraints(cd) || !tree_path(cd, "typeName", NULL))
		return false;
	char *type = sql_slice(st->sql, tloc, next_constraint(cd, tloc, to));
	char *expr = NULL;
	if (def) {
		size_t dloc = (size_t)tree_int(def, "location") + 7; /* "DEFAULT" */
		expr = sql_slice(st->sql, dloc, next_constraint(cd, dloc, to));
	}
	char *rel = sql_qualified(table), *qc = sql_ident(col);
	char *add = xstrfmt("ALTER TABLE %s ADD COLUMN %s %s", rel, qc, type);
	char *nm = xstrfmt("add_%s_%s", table_key(table), col);
	char *purpose = xstrfmt("add '%s' nullable%s: no rewrite, no scan", col,
				expr ? ", default for new rows only" : "");
	struct unit *u = new_unit(sp, "expand", false, nm, purpose);
	u->locks = true;
	unit_add(sp, u, add, NULL);
	if (expr) {
		char *setd = xstrfmt("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", rel, qc, expr);
		unit_add(sp, u, setd, NULL);
		free(setd);
	}
	if (expr || not_null) {
		char *job = xstrfmt("%s.%s", table_key(table), col);
		char *change;
		if (expr)
			change = xstrfmt("UPDATE %s SET %s = %s WHERE {range} AND %s IS NULL", rel, qc, expr, qc);
		else
			change = xstrfmt("RAISE EXCEPTION 'sluice draft: choose the value of %s.%s for "
					 "existing rows, then edit this backfill'", table_key(table), col);
		ensure_progress_table(sp, u);
		char *bp = xstrfmt("backfill '%s' for existing rows in batches of %d, resumable",
				   col, BATCH_SIZE);
		add_backfill(sp, table, job, change, bp);
		if (!expr)
			strlist_add_nodup(&sp->d->notes, xstrfmt("'%s' is NOT NULL without a DEFAULT: "
								 "the backfill stops with a message until "
								 "you write the value existing rows get",
								 col));
		free(bp);
		free(job);
		free(change);
	}
	if (not_null)
		add_not_null_steps(sp, table, col);
	free(nm);
	free(purpose);
	free(add);
	free(rel);
	free(qc);
	free(type);
	free(expr);
	return true;
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

static bool rw_add_constraint(struct split *sp, const char *table, const struct stmt *st,
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
		unit_add(sp, u, use, NULL);
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

/* CREATE FUNCTION + CREATE TRIGGER that run `body` for every written row. */
static void add_sync_trigger(struct split *sp, struct unit *u, const char *table, const char *fn,
			     const char *body)
{
	char *rel = sql_qualified(table), *qfn = sql_ident(fn);
	char *f = xstrfmt("CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS "
			  "$sluice$\nBEGIN\n%sRETURN NEW;\nEND\n$sluice$", qfn, body);
	char *t = xstrfmt("CREATE TRIGGER %s BEFORE INSERT OR UPDATE ON %s FOR EACH ROW "
			  "EXECUTE FUNCTION %s()", qfn, rel, qfn);
	unit_add(sp, u, f, NULL);
	unit_add(sp, u, t, NULL);
	free(f);
	free(t);
	free(rel);
	free(qfn);
}

static bool rw_alter_type(struct split *sp, const char *table, const struct stmt *st,
			  const cJSON *cmd, size_t to)
{
	static const char *const stops[] = { "using", "collate", NULL };
	const char *col = tree_str(tree_path(cmd, "name", NULL));
	const cJSON *cd = tree_path(cmd, "def", "ColumnDef", NULL);
	const struct table_def *t = schema_table(sp->s, table_key(table));
	const struct column *c = t && col ? table_column(t, col) : NULL;
	if (!col || !cd || tree_path(cd, "raw_default", NULL) || !c)
		return false;
	size_t tloc = (size_t)tree_int(tree_path(cd, "typeName", NULL), "location");
	char *type = sql_slice(st->sql, tloc, sql_clause_end(st->sql, tloc, to, stops));
	char *tmp = sql_make_name(col, NULL, "new"), *old = sql_make_name(col, NULL, "old");
	char *rel = sql_qualified(table), *qc = sql_ident(col), *qtmp = sql_ident(tmp);
	char *qold = sql_ident(old);
	char *fn = sql_make_name(table_key(table), col, "sync");
	char *add = xstrfmt("ALTER TABLE %s ADD COLUMN %s %s", rel, qtmp, type);
	char *body = xstrfmt("NEW.%s := NEW.%s::%s;\n", qtmp, qc, type);
	char *nm = xstrfmt("add_%s_%s", table_key(table), tmp);
	char *purpose = xstrfmt("add '%s' as %s and keep it in sync with '%s' by trigger", tmp, type, col);
	struct unit *u = new_unit(sp, "expand", false, nm, purpose);
	u->locks = true;
	unit_add(sp, u, add, NULL);
	add_sync_trigger(sp, u, table, fn, body);
	ensure_progress_table(sp, u);

	char *job = xstrfmt("%s.%s", table_key(table), tmp);
	char *change = xstrfmt("UPDATE %s SET %s = %s::%s WHERE {range} AND %s IS NULL AND %s IS NOT NULL",
			       rel, qtmp, qc, type, qtmp, qc);
	add_backfill(sp, table, job, change, "copy existing values into the new column in batches");
	if (c->not_null)
		add_not_null_steps(sp, table, tmp);

	/* The swap: one transaction, so the name always exists for the app. */
	char *r1 = xstrfmt("-- sluice:ignore rename-column -- swapped in one transaction: '%s' "
			   "exists before and after\nALTER TABLE %s RENAME COLUMN %s TO %s", col, rel, qc, qold);
	char *r2 = xstrfmt("-- sluice:ignore rename-column -- swapped in one transaction: '%s' "
			   "exists before and after\nALTER TABLE %s RENAME COLUMN %s TO %s", col, rel, qtmp, qc);
	char *qfn = sql_ident(fn);
	char *dt = xstrfmt("DROP TRIGGER IF EXISTS %s ON %s", qfn, rel);
	char *df = xstrfmt("DROP FUNCTION IF EXISTS %s()", qfn);
	free(nm);
	nm = xstrfmt("swap_%s_%s", table_key(table), col);
	u = new_unit(sp, "contract", false, nm, "swap the columns in one transaction: the name "
		     "never disappears; the old column stays as a copy");
	u->locks = true;
	unit_add(sp, u, dt, NULL);
	unit_add(sp, u, df, NULL);
	unit_add(sp, u, r1, NULL);
	unit_add(sp, u, r2, NULL);
	/* the undo of the trigger drop: the swap's down does not restore the sync */
	strlist_clear(&u->downs);
	/* written last first: age -> age_new, then age_old -> age */
	strlist_add_nodup(&u->downs, xstrfmt("ALTER TABLE %s RENAME COLUMN %s TO %s", rel, qold, qc));
	strlist_add_nodup(&u->downs, xstrfmt("ALTER TABLE %s RENAME COLUMN %s TO %s", rel, qc, qtmp));
	strlist_add_nodup(&sp->d->notes, xstrfmt("after the swap ships and the app is verified, drop "
						 "the copy in a later migration: ALTER TABLE %s DROP "
						 "COLUMN %s; (indexes, constraints and defaults on "
						 "'%s' stay on the old column: recreate them on the "
						 "new one before the swap)", rel, qold, col));
	free(qfn);
	free(dt);
	free(df);
	free(r1);
	free(r2);
	free(job);
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

enum rw_result { RW_NONE, RW_DONE, RW_KEPT };

/*
 * now() and its kin are STABLE: PostgreSQL 11+ stores one value without a
 * rewrite. Any other function call in a DEFAULT is treated as volatile;
 * a needless split is cheaper than a table rewrite.
 */
static bool not_stable(const char *name, void *data)
{
	(void)data;
	return strcmp(name, "now") && strcmp(name, "statement_timestamp") &&
	       strcmp(name, "transaction_timestamp");
}

static enum rw_result rw_alter(struct split *sp, const struct stmt *st, const cJSON *b)
{
	const cJSON *cmds = tree_path(b, "cmds", NULL), *cmd;
	int n = cJSON_GetArraySize(cmds), i = 0;
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	size_t *from, *to;
	bool any = false;
	enum rw_result ret = RW_NONE;
	if (!n || !table || st->new_table) {
		free(table);
		return RW_NONE;
	}
	from = xcalloc((size_t)n, sizeof(*from));
	to = xcalloc((size_t)n, sizeof(*to));
	if (!alter_pieces(st, b, from, to, n))
		goto out;
	/* Rewrite each subcommand on its own; keep the ones with nothing to fix. */
	char *rel = rel_of(b);
	cJSON_ArrayForEach(cmd, cmds) {
		const cJSON *c = tree_body(cmd);
		const char *sub = nonnull(tree_str(tree_path(c, "subtype", NULL)));
		bool done = false;
		if (!strcmp(sub, "AT_AddColumn")) {
			const cJSON *cd = tree_path(c, "def", "ColumnDef", NULL);
			const cJSON *def = find_constraint(cd, "CONSTR_DEFAULT");
			bool volatile_def = def && tree_any_funccall(tree_path(def, "raw_expr", NULL),
								     not_stable, NULL);
			bool not_null = find_constraint(cd, "CONSTR_NOTNULL") != NULL;
			/* A constant default is metadata only since PostgreSQL 11, NOT NULL included. */
			if ((not_null && !def) || volatile_def || (def && sp->opts->pg_version < 11))
				done = rw_add_column(sp, table, st, cd, to[i]);
		} else if (!strcmp(sub, "AT_SetNotNull")) {
			const char *col = tree_str(tree_path(c, "name", NULL));
			if (col) {
				add_not_null_steps(sp, table, col);
				done = true;
			}
		} else if (!strcmp(sub, "AT_AddConstraint")) {
			done = rw_add_constraint(sp, table, st, tree_path(c, "def", "Constraint", NULL), to[i]);
		} else if (!strcmp(sub, "AT_AlterColumnType")) {
			done = rw_alter_type(sp, table, st, c, to[i]);
		}
		if (done) {
			any = true;
			sp->cur = -1;
		} else {
			char *piece = sql_slice(st->sql, from[i], to[i]);
			char *sql = xstrfmt("ALTER TABLE %s %s", rel, piece);
			struct unit *u = current_unit(sp);
			u->locks = true;
			unit_add(sp, u, sql, NULL);
			free(sql);
			free(piece);
		}
		i++;
	}
	free(rel);
	ret = RW_DONE;
	if (!any) {
		/* Nothing to rewrite after all: the statement stays whole, as written. */
		struct unit *u = &sp->units[sp->cur];
		for (int k = 0; k < n && u->ups.nr; k++)
			free(u->ups.items[--u->ups.nr]);
		free(sp->comment);   /* it may have gone with a piece taken back */
		sp->comment = own_comment(st->comments);
		add_up(sp, u, st->sql);
		ret = RW_KEPT;
	}
out:
	free(from);
	free(to);
	free(table);
	return ret;
}

static bool rw_rename(struct split *sp, const struct stmt *st, const cJSON *b)
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
		char *qfrom = sql_ident(from);
		char *fn = sql_make_name(table_key(table), to, "sync");
		char *add = xstrfmt("ALTER TABLE %s ADD COLUMN %s %s", rel, qto, c->type);
		/* Old code writes the old name, new code the new one: copy whichever changed. */
		char *body = xstrfmt("IF TG_OP = 'INSERT' THEN\n"
				     "    NEW.%s := coalesce(NEW.%s, NEW.%s);\n"
				     "    NEW.%s := coalesce(NEW.%s, NEW.%s);\n"
				     "ELSIF NEW.%s IS DISTINCT FROM OLD.%s THEN\n"
				     "    NEW.%s := NEW.%s;\n"
				     "ELSE\n"
				     "    NEW.%s := NEW.%s;\n"
				     "END IF;\n",
				     qto, qto, qfrom, qfrom, qfrom, qto, qto, qto, qfrom, qto, qto, qfrom);
		char *nm = xstrfmt("add_%s_%s", table_key(table), to);
		char *purpose = xstrfmt("add '%s' next to '%s', kept in sync both ways by trigger", to, from);
		struct unit *u = new_unit(sp, "expand", false, nm, purpose);
		u->locks = true;
		unit_add(sp, u, add, NULL);
		add_sync_trigger(sp, u, table, fn, body);
		ensure_progress_table(sp, u);
		char *job = xstrfmt("%s.%s", table_key(table), to);
		char *change = xstrfmt("UPDATE %s SET %s = %s WHERE {range} AND %s IS NULL AND %s IS NOT NULL",
				       rel, qto, qfrom, qto, qfrom);
		add_backfill(sp, table, job, change, "copy existing values to the new name in batches");
		if (c->not_null)
			add_not_null_steps(sp, table, to);
		char *qfn = sql_ident(fn);
		strlist_add_nodup(&sp->d->notes, xstrfmt("cut over: deploy code that reads and writes "
							 "'%s'; then, in a later migration: DROP "
							 "TRIGGER %s ON %s; DROP FUNCTION %s(); ALTER "
							 "TABLE %s DROP COLUMN %s;", to, qfn, rel, qfn,
							 rel, qfrom));
		free(qfn);
		free(job);
		free(change);
		free(nm);
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

/* UPDATE t SET ... [WHERE ...] and DELETE FROM t [WHERE ...], no FROM/USING/RETURNING. */
static bool rw_data_change(struct split *sp, const struct stmt *st, const cJSON *b)
{
	bool update = !strcmp(st->kind, "UpdateStmt");
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	const char *sql = st->sql;
	size_t len = strlen(sql);
	if (!table || tree_path(b, "fromClause", NULL) || tree_path(b, "usingClause", NULL) ||
	    tree_path(b, "returningList", NULL) || tree_path(b, "withClause", NULL) ||
	    tree_path(b, "relation", "alias", NULL)) {
		free(table);
		return false;
	}
	size_t w = sql_find_word(sql, 0, "where");
	char *where = w == (size_t)-1 ? xstrdup("true") : sql_slice(sql, w + 5, len);
	char *rel = sql_qualified(table), *change;
	if (update) {
		size_t s = sql_find_word(sql, 0, "set");
		char *set = sql_slice(sql, s + 3, w == (size_t)-1 ? len : w);
		change = xstrfmt("UPDATE %s SET %s WHERE {range} AND (%s)", rel, set, where);
		free(set);
	} else {
		change = xstrfmt("DELETE FROM %s WHERE {range} AND (%s)", rel, where);
	}
	char *job = xstrfmt("%s.%s_line_%d", table_key(table), update ? "update" : "delete", st->line);
	struct unit *u = current_unit(sp);
	ensure_progress_table(sp, u);
	add_backfill(sp, table, job, change, update ? "the UPDATE in batches, resumable"
		     : "the DELETE in batches, resumable");
	if (update)
		strlist_add_nodup(&sp->d->notes, xstrfmt("line %d: make the UPDATE's WHERE skip rows it "
							 "already changed (e.g. AND col IS DISTINCT "
							 "FROM new_value) so a re-run is idempotent",
							 st->line));
	sp->cur = -1;
	free(job);
	free(change);
	free(rel);
	free(where);
	free(table);
	return true;
}

static enum rw_result rewrite_statement(struct split *sp, const struct stmt *st)
{
	const cJSON *b = tree_body(st->tree);
	const char *k = st->kind;
	bool done = false;
	if (!strcmp(k, "IndexStmt") && !tree_bool(b, "concurrent"))
		done = rw_create_index(sp, st, b);
	else if (!strcmp(k, "DropStmt") && !tree_bool(b, "concurrent"))
		done = rw_drop_index(sp, st, b);
	else if (!strcmp(k, "ReindexStmt"))
		done = rw_reindex(sp, st, b);
	else if (!strcmp(k, "AlterTableStmt"))
		return rw_alter(sp, st, b);  /* keeps what it does not rewrite itself */
	else if (!strcmp(k, "RenameStmt"))
		done = rw_rename(sp, st, b);
	else if (!strcmp(k, "UpdateStmt") || !strcmp(k, "DeleteStmt"))
		done = rw_data_change(sp, st, b);
	if (done)
		sp->cur = -1;
	return done ? RW_DONE : RW_NONE;
}

static bool is_risky(const struct stmt *st)
{
	return st->kind && !st->new_table && (st->sev >= SEV_MEDIUM || st->cls >= CLASS_BLOCKING);
}

/* Statements the split drops: its own transaction control and lock_timeout replace them. */
static bool is_scaffolding(const struct stmt *st)
{
	if (!strcmp(st->kind, "TransactionStmt"))
		return true;
	if (!strcmp(st->kind, "VariableSetStmt")) {
		const char *n = nonnull(tree_str(tree_path(tree_body(st->tree), "name", NULL)));
		return !strcmp(n, "lock_timeout");
	}
	return false;
}

static void keep_statement(struct split *sp, const struct stmt *st)
{
	struct unit *u = current_unit(sp);
	struct strbuf loss = STRBUF_INIT;
	add_up(sp, u, st->sql);
	if (reverse_statement(st, sp->s, &u->downs, &loss) == REV_UNKNOWN)
		strlist_add_nodup(&sp->d->notes, xstrfmt("line %d is kept as written and has no "
							 "automatic down", st->line));
	if (st->table && !st->new_table && lock_blocks_writes(st->lock))
		u->locks = true;
	strbuf_release(&loss);
	schema_apply(sp->s, st->tree);
}

int draft_split(const struct draft_ctx *ctx, struct draft *d)
{
	const struct migration *m = ctx->ms->v[ctx->target];
	const struct file_report *fr = ctx->report;
	struct schema s;
	struct split sp;
	struct layout l;
	size_t kept_unparsed = 0;

	if (!m->up || !fr)
		return -1;
	memset(&sp, 0, sizeof(sp));
	draft_history_schema(ctx->ms, ctx->target, &s);
	schema_begin_migration(&s, m->id);
	sp.s = &s;
	sp.opts = ctx->opts;
	sp.d = d;
	sp.cur = 0;
	new_unit(&sp, "expand", !m->up->in_txn, "original", "the migration, without its risky statements");

	for (size_t i = 0; i < fr->nr_stmts; i++) {
		const struct stmt *st = &fr->stmts[i];
		if (!st->kind) {
			kept_unparsed++;
			continue;
		}
		if (is_scaffolding(st))
			continue;
		free(sp.comment);
		sp.comment = own_comment(st->comments);
		enum rw_result r = is_risky(st) ? rewrite_statement(&sp, st) : RW_NONE;
		if (r == RW_DONE) {
			sp.rewritten++;
			continue;
		}
		if (is_risky(st))
			strlist_add_nodup(&d->notes, xstrfmt("line %d: no built-in rewrite for %s (%s); "
							     "kept as written", st->line, st->kind,
							     st->nr_findings ? st->findings[0].rule : "risky"));
		if (r == RW_NONE)
			keep_statement(&sp, st);
	}

	int ret = 0;
	free(d->title);
	if (kept_unparsed) {
		draft_fail(d, "%zu statement(s) of '%s' do not parse: fix them first", kept_unparsed,
			   m->up->path);
		ret = -1;
	} else if (!sp.rewritten) {
		d->title = xstrfmt("no split for %s", m->up->path);
		draft_fail(d, "nothing in '%s' has a built-in safer rewrite", m->up->path);
		ret = -1;
	} else {
		layout_detect(ctx->ms, ctx->target, &l);
		unsigned k = 0;
		/* Unit 0 is the original; an empty one gives its place to the next step. */
		for (size_t i = 0; i < sp.nr; i++) {
			struct unit *u = &sp.units[i];
			if (!u->ups.nr)
				continue;
			if (k == 0)
				layout_emit_target(&l, m, u, d);
			else
				layout_emit(&l, k, u, d);
			k++;
		}
		d->title = xstrfmt("split %s into %u migration%s (expand / migrate / contract)",
				   m->up->path, k, k == 1 ? "" : "s");
		layout_release(&l);
	}
	for (size_t i = 0; i < sp.nr; i++)
		release_unit(&sp.units[i]);
	free(sp.units);
	free(sp.comment);
	schema_release(&s);
	return ret;
}
