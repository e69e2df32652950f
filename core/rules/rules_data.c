/*
 * rules_data.c - changing rows rather than schema: backfills, mass deletes,
 * bulk copies.
 *
 * An UPDATE or DELETE over a big table in one statement is one long
 * transaction: it holds a row lock on every row it touches until commit,
 * writes WAL for each of them (replicas fall behind replaying it) and keeps
 * dead tuples from being vacuumed. The safe shape is a batched, idempotent
 * backfill (keyed ranges or a LIMITed subquery, a WHERE that skips done
 * rows, optionally a progress table), so these rules look for that shape
 * and stay quiet when they find it. Tables created in this migration are
 * empty, so nothing here fires on them.
 *
 * A targeted write is no backfill either: a WHERE that pins a whole primary
 * or unique key by equality (every key column, AND-ed, = a constant or IN a
 * list of constants) touches a handful of rows; so does a write to a seeded
 * lookup table, whose every row the history inserted itself. The leading
 * column of a composite key pins nothing: many rows share it.
 */
#include "judge.h"
#include "rules.h"

#include <stdlib.h>
#include <string.h>

/* What the WHERE (and FROM/USING) of an UPDATE or DELETE tells us. */
struct dml_shape {
	bool batched;      /* LIMITed subquery, BETWEEN, ctid or a two-sided range */
	bool idempotent;   /* skips rows already done: IS NULL, <>, IS DISTINCT FROM */
	bool targeted;     /* a whole key pinned: touches a handful of rows */
	bool progress;     /* reads or writes a progress/checkpoint table */
	bool lower, upper; /* a > / >= and a < / <= bound seen */
	struct strlist pinned; /* columns AND-ed equal to a constant (or IN constants) */
};

/* Does the model know a primary or unique key of `table`, and do the pinned
 * columns cover every column of one? */
static bool pins_a_key(const struct schema *sc, const char *table, const struct strlist *pinned,
		       bool *known)
{
	const struct index_def *ix;
	*known = false;
	for (size_t it = 0; (ix = schema_next_index(sc, table, &it));) {
		if (!(ix->unique || ix->primary) || !ix->columns.nr)
			continue;
		*known = true;
		bool all = true;
		for (size_t i = 0; i < ix->columns.nr && all; i++)
			all = strlist_has(pinned, ix->columns.items[i]);
		if (all)
			return true;
	}
	return false;
}

/*
 * Targeted: the pinned columns hold a whole key. A table the model knows no
 * key of (created outside the history) gets the benefit of the doubt for
 * "id" and "uuid" alone, the names a surrogate key has.
 */
static bool shape_targets_key(const struct rule_ctx *ctx, const struct dml_shape *s)
{
	bool known;
	if (pins_a_key(ctx->schema, ctx->st->table, &s->pinned, &known))
		return true;
	return !known && (strlist_has(&s->pinned, "id") || strlist_has(&s->pinned, "uuid"));
}

/* The last field of a ColumnRef ("id" of users.id), or NULL. */
static const char *column_ref_name(const cJSON *node)
{
	const cJSON *fields = tree_path(node, "ColumnRef", "fields", NULL);
	int n = cJSON_GetArraySize(fields);
	return n ? tree_str(tree_path(cJSON_GetArrayItem(fields, n - 1), "String", "sval", NULL))
		 : NULL;
}

static bool is_constant(const cJSON *node)
{
	return tree_as(node, "A_Const") || tree_as(node, "ParamRef") ||
	       tree_as(tree_path(node, "TypeCast", "arg", NULL), "A_Const");
}

static void shape_where(const struct rule_ctx *ctx, const cJSON *node, struct dml_shape *s);

static void shape_expr(const struct rule_ctx *ctx, const cJSON *a, struct dml_shape *s)
{
	const char *kind = nonnull(tree_str(tree_path(a, "kind", NULL)));
	const char *op = tree_str(tree_path(cJSON_GetArrayItem(tree_path(a, "name", NULL), 0),
					   "String", "sval", NULL));
	const cJSON *l = tree_path(a, "lexpr", NULL), *r = tree_path(a, "rexpr", NULL);
	const char *col = column_ref_name(l);

	/* ctid = ANY (ARRAY(SELECT ctid ... LIMIT n)) and friends */
	if (tree_as(r, "SubLink"))
		shape_where(ctx, r, s);
	/* ctid ranges: WHERE ctid >= '(0,0)' AND ctid < '(1000,0)' */
	if (col && !strcmp(col, "ctid") && strcmp(kind, "AEXPR_IN"))
		s->batched = true;
	if (!strcmp(kind, "AEXPR_BETWEEN") || !strcmp(kind, "AEXPR_BETWEEN_SYM"))
		s->batched = true;
	else if (!strcmp(kind, "AEXPR_DISTINCT"))
		s->idempotent = true;
	else if (!strcmp(kind, "AEXPR_IN") && col && tree_path(r, "List", "items", NULL)) {
		bool all_const = true;
		const cJSON *v;
		cJSON_ArrayForEach(v, tree_path(r, "List", "items", NULL))
			all_const &= is_constant(v);
		if (all_const)
			strlist_add(&s->pinned, col);
	} else if (!strcmp(kind, "AEXPR_OP") && op) {
		if (!strcmp(op, "<>") || !strcmp(op, "!="))
			s->idempotent = true;
		else if (!strcmp(op, "=") && col && (is_constant(r) || tree_as(r, "SubLink")))
			strlist_add(&s->pinned, col); /* id = 42, id = (SELECT ... LIMIT 1) */
		else if (!strcmp(op, ">") || !strcmp(op, ">="))
			s->lower = true;
		else if (!strcmp(op, "<") || !strcmp(op, "<="))
			s->upper = true;
	}
}

/* Walks a WHERE tree; only AND-ed terms can narrow the statement. */
static void shape_where(const struct rule_ctx *ctx, const cJSON *node, struct dml_shape *s)
{
	const cJSON *b;
	if ((b = tree_as(node, "BoolExpr"))) {
		const char *op = nonnull(tree_str(tree_path(b, "boolop", NULL)));
		const cJSON *arg;
		if (strcmp(op, "AND_EXPR"))
			return;
		cJSON_ArrayForEach(arg, tree_path(b, "args", NULL))
			shape_where(ctx, arg, s);
	} else if ((b = tree_as(node, "A_Expr"))) {
		shape_expr(ctx, b, s);
	} else if ((b = tree_as(node, "NullTest"))) {
		const char *t = nonnull(tree_str(tree_path(b, "nulltesttype", NULL)));
		if (!strcmp(t, "IS_NULL"))
			s->idempotent = true;
	} else if ((b = tree_as(node, "SubLink"))) {
		const char *t = nonnull(tree_str(tree_path(b, "subLinkType", NULL)));
		const cJSON *sel = tree_path(b, "subselect", "SelectStmt", NULL);
		if (tree_path(sel, "limitCount", NULL))
			s->batched = true;
		/* "id IN (SELECT id ... WHERE col IS NULL LIMIT n)": the inner WHERE counts */
		if (!strcmp(t, "ANY_SUBLINK") || !strcmp(t, "ARRAY_SUBLINK"))
			shape_where(ctx, tree_path(sel, "whereClause", NULL), s);
		/* NOT EXISTS (a row saying it is done) */
		if (!strcmp(t, "EXISTS_SUBLINK"))
			s->idempotent = true;
	}
}

static bool names_progress_table(const char *rel)
{
	return rel && (strstr(rel, "progress") || strstr(rel, "checkpoint") ||
		       strstr(rel, "backfill_state") || strstr(rel, "batch"));
}

/* Any RangeVar below `node` naming a progress table. */
static bool mentions_progress(const cJSON *node)
{
	const cJSON *c;
	if (!node)
		return false;
	if (cJSON_IsObject(node) && tree_as(node, "RangeVar") &&
	    names_progress_table(tree_str(tree_path(node, "RangeVar", "relname", NULL))))
		return true;
	cJSON_ArrayForEach(c, node)
		if (mentions_progress(c))
			return true;
	return false;
}

/* A progress table created or written earlier in this script also counts. */
static bool script_has_progress(const struct rule_ctx *ctx)
{
	for (size_t i = 0; i < ctx->idx; i++)
		if (names_progress_table(ctx->fr->stmts[i].table))
			return true;
	return false;
}

static struct dml_shape dml_shape_of(const struct rule_ctx *ctx)
{
	struct dml_shape s;
	const cJSON *from = tree_path(ctx->body, "fromClause", NULL);
	if (!from)
		from = tree_path(ctx->body, "usingClause", NULL);
	memset(&s, 0, sizeof(s));
	shape_where(ctx, tree_path(ctx->body, "whereClause", NULL), &s);
	if (s.lower && s.upper)
		s.batched = true;
	/* UPDATE ... FROM (SELECT ... LIMIT n) batch */
	const cJSON *f;
	cJSON_ArrayForEach(f, from)
		if (tree_path(f, "RangeSubselect", "subquery", "SelectStmt", "limitCount", NULL))
			s.batched = true;
	s.progress = mentions_progress(ctx->body) || script_has_progress(ctx);
	s.targeted = shape_targets_key(ctx, &s);
	strlist_clear(&s.pinned);
	return s;
}

/* pg_catalog.X, or an unqualified pg_X, which search_path resolves there first. */
static bool is_system_catalog(const char *t)
{
	return starts_with(t, "pg_catalog.") || (starts_with(t, "pg_") && !strchr(t, '.'));
}

static const char *verb_of(const struct rule_ctx *ctx)
{
	return !strcmp(ctx->st->kind, "UpdateStmt") ? "UPDATE" : "DELETE";
}

static void check_backfill(struct rule_ctx *ctx)
{
	if (strcmp(ctx->st->kind, "UpdateStmt") && strcmp(ctx->st->kind, "DeleteStmt"))
		return;
	const char *t = nonnull(ctx->st->table);
	const char *verb = verb_of(ctx);
	/* A seeded lookup table holds the rows the history put there: a handful. */
	if (schema_table_seeded(ctx->schema, t))
		return;
	/* A write to the system catalogues (UPDATE pg_index SET indisready ... in
	 * lemmy) touches the rows of a few objects, not a user table's rows. */
	if (is_system_catalog(t))
		return;
	if (!strcmp(verb, "DELETE") && !tree_path(ctx->body, "whereClause", NULL))
		return; /* delete-all-rows */
	if (!tree_path(ctx->body, "whereClause", NULL)) {
		flag(ctx, "UPDATE of every row of '%s' in one statement: one long transaction "
		     "holding a row lock on each row (ROW EXCLUSIVE on the table), WAL for every "
		     "row and replica lag", t);
		return;
	}
	struct dml_shape s = dml_shape_of(ctx);
	if (s.targeted || (s.batched && (s.idempotent || s.progress)))
		return;
	if (s.batched)
		flag_as(ctx, SEV_MEDIUM, "Add a WHERE that skips rows already done (col IS NULL, "
			"col <> new_value) or record progress in a table, so a failed run resumes",
			"%s of '%s' is batched but not idempotent: a re-run after a failure redoes "
			"every batch", verb, t);
	else if (s.idempotent)
		flag(ctx, "%s of '%s' has an idempotent WHERE but no batching: every matching row "
		     "is locked and logged in one transaction (WAL, replica lag)", verb, t);
	else
		flag(ctx, "%s of '%s' touches every matching row in one transaction: row locks "
		     "until commit, WAL for each row and replica lag", verb, t);
}

/*
 * Targeted writes one after another (a generated list of fixes, one row
 * each) add up: from this many on one table in one file they are a backfill
 * after all, reported once, on the first, not once per statement.
 */
#define TARGETED_LOOP_MIN 20

/* An UPDATE or DELETE whose WHERE pins a whole key (see dml_shape). */
static bool pins_key(struct rule_ctx *ctx, const struct stmt *st)
{
	if (!st->kind || !st->table ||
	    (strcmp(st->kind, "UpdateStmt") && strcmp(st->kind, "DeleteStmt")) ||
	    !tree_path(tree_body(st->tree), "whereClause", NULL))
		return false;
	struct stmt *saved_st = ctx->st;
	const cJSON *saved_body = ctx->body;
	ctx->st = (struct stmt *)st;
	ctx->body = tree_body(st->tree);
	struct dml_shape s = dml_shape_of(ctx);
	ctx->st = saved_st;
	ctx->body = saved_body;
	return s.targeted;
}

bool dml_touches_few_rows(struct rule_ctx *ctx, const struct stmt *st)
{
	return (st->table && schema_table_seeded(ctx->schema, st->table)) || pins_key(ctx, st);
}

static bool is_targeted_write(struct rule_ctx *ctx, const struct stmt *st)
{
	if (!st->table || st->new_table || schema_table_seeded(ctx->schema, st->table))
		return false;
	for (size_t f = 0; f < st->nr_findings; f++)
		if (!strcmp(st->findings[f].rule, ctx->rule->id))
			return false;
	return pins_key(ctx, st);
}

static void check_targeted_loop(struct rule_ctx *ctx)
{
	struct strlist done = STRLIST_INIT;
	for (size_t i = 0; i < ctx->fr->nr_stmts; i++) {
		struct stmt *first = &ctx->fr->stmts[i];
		if (!first->table || strlist_has(&done, table_key(first->table)))
			continue;
		size_t n = 0;
		int last = 0;
		ctx->idx = i;
		if (!is_targeted_write(ctx, first))
			continue;
		strlist_add(&done, table_key(first->table));
		for (size_t k = i; k < ctx->fr->nr_stmts; k++) {
			const struct stmt *st = &ctx->fr->stmts[k];
			ctx->idx = k;
			if (table_names_equal(st->table, first->table) && is_targeted_write(ctx, st)) {
				n++;
				last = st->line;
			}
		}
		if (n < TARGETED_LOOP_MIN)
			continue;
		ctx->st = first;
		ctx->body = tree_body(first->tree);
		ctx->idx = i;
		flag_as(ctx, SEV_MEDIUM, NULL, "%zu targeted writes of '%s' in this file (lines %d "
			"to %d): each touches a row or a few, together they are a backfill in one "
			"run, holding every row lock and its WAL to the end", n, first->table,
			first->line, last);
		ctx->st = NULL;
		ctx->body = NULL;
	}
	strlist_clear(&done);
	ctx->idx = 0;
}

static void check_delete_all(struct rule_ctx *ctx)
{
	if (tree_path(ctx->body, "whereClause", NULL) || ctx->st->new_table)
		return;
	flag(ctx, "DELETE without WHERE removes every row of '%s' (ROW EXCLUSIVE, a row lock "
	     "and WAL for each row) and the down migration cannot bring them back",
	     nonnull(ctx->st->table));
}

/* Existing tables an INSERT ... SELECT reads, joined with ", "; NULL if none. */
static char *copied_tables(const struct rule_ctx *ctx, const cJSON *sel)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *f;
	cJSON_ArrayForEach(f, tree_path(sel, "fromClause", NULL)) {
		const cJSON *rv = tree_as(f, "RangeVar");
		if (!rv)
			rv = tree_path(f, "JoinExpr", "larg", "RangeVar", NULL);
		char *name = rv ? tree_rangevar_name(rv) : NULL;
		long long rows = name ? ctx_table_rows(ctx, name) : -1;
		if (name && !ctx_table_is_new(ctx, name) &&
		    (rows < 0 || rows >= ctx->opts->small_rows)) {
			if (sb.len)
				strbuf_addstr(&sb, ", ");
			strbuf_addf(&sb, "'%s'", name);
		}
		free(name);
	}
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static void check_insert_select(struct rule_ctx *ctx)
{
	const cJSON *sel = tree_path(ctx->body, "selectStmt", "SelectStmt", NULL);
	if (!sel || tree_path(sel, "limitCount", NULL) || tree_path(sel, "valuesLists", NULL))
		return;
	char *from = copied_tables(ctx, sel);
	if (!from)
		return;
	flag(ctx, "INSERT INTO '%s' SELECT copies every row of %s in one transaction: WAL and "
	     "replica lag in proportion to the source's size, and the new rows stay locked "
	     "until commit", nonnull(ctx->st->table), from);
	free(from);
}

const struct rule rules_data[] = {
	{
		.id = "backfill-unbatched",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_SLOW,
		.cats = CATBIT(CAT_WRITES) | CATBIT(CAT_REPLICATION) | CATBIT(CAT_LOCK),
		.flags = RULE_SIZE_SCALED,
		.title = "UPDATE / DELETE without batching on an existing table",
		.fix = "Backfill in batches of 1k-10k rows keyed by id (WHERE id IN (SELECT id ... "
		       "WHERE col IS NULL ORDER BY id LIMIT 5000)), committing each batch, with an "
		       "idempotent WHERE and a pause between batches, outside the schema migration",
		.check = check_backfill,
		.check_file = check_targeted_loop,
	},
	{
		.id = "delete-all-rows",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_DESTRUCTIVE,
		.cats = CATBIT(CAT_DATALOSS) | CATBIT(CAT_REPLICATION) | CATBIT(CAT_ROLLBACK),
		.kind = "DeleteStmt",
		.title = "DELETE without WHERE on an existing table",
		.fix = "Back the rows up first (CREATE TABLE ... AS SELECT, or pg_dump -t); if you "
		       "mean to empty the table, TRUNCATE it in its own step, else delete in "
		       "batches with a WHERE",
		.check = check_delete_all,
	},
	{
		.id = "insert-select-copy",
		.sev = SEV_MEDIUM,
		.cq = CQ_SLOW,
		.cls = CLASS_SLOW,
		.cats = CATBIT(CAT_REPLICATION) | CATBIT(CAT_WRITES),
		.kind = "InsertStmt",
		.title = "INSERT ... SELECT copying a whole existing table",
		.fix = "Copy in batches keyed by id (INSERT ... SELECT ... WHERE id > $last ORDER BY "
		       "id LIMIT 5000), committing each batch, outside the schema migration",
		.check = check_insert_select,
	},
	{ .id = NULL },
};
