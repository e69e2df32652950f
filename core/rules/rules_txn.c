/*
 * rules_txn.c - what the transaction around a statement does to its locks.
 *
 * PostgreSQL releases table locks only at commit. So a blocking statement
 * with no lock_timeout can queue behind a long query and stall every
 * query behind it; several blocking statements on one table in one
 * transaction keep it locked for all of them; anything slow after an
 * ACCESS EXCLUSIVE lock stretches the outage; and BEGIN/COMMIT that do not
 * pair up change which statements share a transaction at all. The judge
 * keeps the transaction state (struct txn_state); these rules read it.
 *
 * Holding a lock across several statements matters only when one of them
 * takes a time that grows with a table (a scan, a rewrite, a backfill, a
 * SELECT over it, a VALIDATE, a non-concurrent index build): instant catalog
 * changes stacked in one transaction (ADD COLUMN then CREATE TRIGGER, SET
 * NOT NULL then DROP CONSTRAINT, as sluice's own drafts write) are fine.
 */
#include "rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A lock that stalls ordinary traffic (writes, or reads too). */
static bool blocks_traffic(const struct stmt *st)
{
	return lock_blocks_writes(st->lock);
}

/* A DDL statement locking an existing table: what the timeout rules are about. */
static bool blocking_ddl(const struct rule_ctx *ctx)
{
	const struct stmt *st = ctx->st;
	return st->table && !st->new_table && blocks_traffic(st) &&
	       strcmp(st->kind, "CreateStmt") && strcmp(st->kind, "CreateTableAsStmt") &&
	       strcmp(st->kind, "ViewStmt");
}

/* "ALTER TABLE", "CREATE INDEX", "UPDATE": the statement's verb for messages. */
static char *stmt_verb(const struct stmt *st)
{
	static const char *const dml[][2] = {
		{ "UpdateStmt", "UPDATE" }, { "DeleteStmt", "DELETE" }, { "InsertStmt", "INSERT" },
	};
	/* WITH ... UPDATE: the statement's verb, not the text's first word */
	for (size_t i = 0; i < ARRAY_SIZE(dml); i++)
		if (!strcmp(st->kind, dml[i][0]))
			return xstrdup(dml[i][1]);
	struct strbuf sb = STRBUF_INIT;
	const char *p = nonnull(st->sql);
	for (int words = 0; words < 2 && *p; words++) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		size_t n = strcspn(p, " \t\r\n(;");
		if (words && (n != 5 || strncasecmp(p, "TABLE", 5)) &&
		    (n != 5 || strncasecmp(p, "INDEX", 5)) && (n != 7 || strncasecmp(p, "TRIGGER", 7)))
			break;
		if (words)
			strbuf_addch(&sb, ' ');
		for (size_t i = 0; i < n; i++)
			strbuf_addch(&sb, toupper((unsigned char)p[i]));
		p += n;
	}
	return strbuf_detach(&sb, NULL);
}

/* Once per transaction: was the rule reported on a statement since `line`? */
static bool flagged_since(const struct rule_ctx *ctx, const char *rule, int line)
{
	for (size_t i = ctx->idx; i-- > 0 && ctx->fr->stmts[i].line >= line;) {
		const struct stmt *st = &ctx->fr->stmts[i];
		for (size_t f = 0; f < st->nr_findings; f++)
			if (!strcmp(st->findings[f].rule, rule))
				return true;
	}
	return false;
}

static void check_lock_timeout(struct rule_ctx *ctx)
{
	if (ctx->txn->lock_timeout || !blocking_ddl(ctx) || flagged_since(ctx, ctx->rule->id, 0))
		return;
	char *verb = stmt_verb(ctx->st);
	flag(ctx, "%s on '%s' waits for %s with no lock_timeout: behind one long query it "
	     "queues, and every %s of '%s' queues behind it", verb, ctx->st->table,
	     lock_name(ctx->st->lock), lock_blocks_reads(ctx->st->lock) ? "read and write" : "write",
	     ctx->st->table);
	free(verb);
}

/* Does a SELECT (or INSERT ... SELECT) read an existing table? */
static bool reads_existing_table(struct rule_ctx *ctx, const cJSON *sel)
{
	const cJSON *f;
	cJSON_ArrayForEach(f, tree_path(sel, "fromClause", NULL)) {
		const cJSON *rv = tree_as(f, "RangeVar");
		if (!rv)
			rv = tree_path(f, "JoinExpr", "larg", "RangeVar", NULL);
		if (!rv)
			return true; /* a join or subquery: assume it reads something real */
		char *name = tree_rangevar_name(rv);
		bool existing = name && !ctx_table_is_new(ctx, name);
		free(name);
		if (existing)
			return true;
	}
	return false;
}

/*
 * Slow: takes a time that grows with a table that already exists. A scan or
 * rewrite under a lock, an UPDATE or DELETE that is not pinned to a key (or
 * a seeded lookup table), an INSERT ... SELECT or a SELECT reading a table.
 * INSERT ... VALUES and targeted writes are instant.
 */
static bool is_slow(struct rule_ctx *ctx, const struct stmt *st)
{
	const cJSON *b = tree_body(st->tree);
	if (st->new_table || !st->kind)
		return false;
	if (st->rewrite || (st->scan && st->lock != LOCK_NONE))
		return true;
	if (st->table && (!strcmp(st->kind, "UpdateStmt") || !strcmp(st->kind, "DeleteStmt")))
		return !dml_touches_few_rows(ctx, st);
	if (st->table && !strcmp(st->kind, "InsertStmt"))
		return reads_existing_table(ctx, tree_path(b, "selectStmt", "SelectStmt", NULL));
	if (!strcmp(st->kind, "SelectStmt"))
		return reads_existing_table(ctx, b);
	return false;
}

/* The first slow statement of the transaction from statement `from` to the current one. */
static const struct stmt *slow_since(struct rule_ctx *ctx, size_t from)
{
	for (size_t i = from; i <= ctx->idx; i++)
		if (is_slow(ctx, &ctx->fr->stmts[i]))
			return &ctx->fr->stmts[i];
	return NULL;
}

/* The first blocking statement on this table in the current transaction, and
 * whether the rule already reported this table in it. */
static const struct stmt *first_blocking(const struct rule_ctx *ctx, size_t *at, bool *told)
{
	const struct stmt *first = NULL;
	*told = false;
	for (size_t i = ctx->idx; i-- > 0;) {
		const struct stmt *st = &ctx->fr->stmts[i];
		if (st->kind && !strcmp(st->kind, "TransactionStmt"))
			break;
		if (!st->in_txn || !table_names_equal(st->table, ctx->st->table))
			continue;
		for (size_t f = 0; f < st->nr_findings; f++)
			*told |= !strcmp(st->findings[f].rule, ctx->rule->id);
		if (!st->new_table && blocks_traffic(st)) {
			first = st;
			*at = i;
		}
	}
	return first;
}

static void check_stacked_ddl(struct rule_ctx *ctx)
{
	if (!ctx_in_txn(ctx) || !blocking_ddl(ctx))
		return;
	size_t at = 0;
	bool told;
	const struct stmt *first = first_blocking(ctx, &at, &told);
	/* Once per table and transaction, when something holds the lock long. */
	const struct stmt *slow = first && !told ? slow_since(ctx, at) : NULL;
	if (!slow)
		return;
	char *verb = stmt_verb(slow);
	flag(ctx, "another blocking statement on '%s' in the transaction that locked it at line "
	     "%d: %s is held from line %d until commit, across the %s at line %d, whose time "
	     "grows with the table", ctx->st->table, first->line,
	     lock_name(first->lock > ctx->st->lock ? first->lock : ctx->st->lock), first->line,
	     verb, slow->line);
	free(verb);
}

/* DROP INDEX's st->table names the index, not the table it locks. */
static bool is_drop_index(const struct stmt *st)
{
	const char *t = tree_str(tree_path(tree_body(st->tree), "removeType", NULL));
	return !strcmp(st->kind, "DropStmt") && t && !strcmp(t, "OBJECT_INDEX");
}

static void check_after_access_exclusive(struct rule_ctx *ctx)
{
	const struct txn_state *t = ctx->txn;
	const struct stmt *st = ctx->st;
	if (!t->ae_table || !ctx_in_txn(ctx) || !strcmp(st->kind, "TransactionStmt") ||
	    flagged_since(ctx, ctx->rule->id, t->ae_line))
		return;
	if (is_slow(ctx, st)) {
		char *verb = stmt_verb(st);
		flag(ctx, "%s runs while ACCESS EXCLUSIVE on '%s' (taken at line %d) is held until "
		     "commit: every query on '%s' waits for it to finish too", verb, t->ae_table,
		     t->ae_line, t->ae_table);
		free(verb);
		return;
	}
	/*
	 * Waiting for another table's lock while holding one: only worth telling
	 * when the transaction holds it long anyway (a slow statement since the
	 * lock was taken). CREATE TABLE waits only on what it references.
	 */
	char *on = NULL;
	enum lock_mode lock = st->lock;
	const char *target = st->table;
	if (!strcmp(st->kind, "CreateStmt")) {
		lock = create_table_lock(ctx->body, ctx->schema, &on);
		target = on;
	}
	size_t from = ctx->idx;
	while (from > 0 && ctx->fr->stmts[from - 1].line >= t->ae_line)
		from--;
	if (target && !ctx_table_is_new(ctx, target) && !table_names_equal(target, t->ae_table) &&
	    lock >= LOCK_SHARE_UPDATE_EXCLUSIVE && !is_drop_index(st) && slow_since(ctx, from))
		flag(ctx, "waits for %s on '%s' while holding ACCESS EXCLUSIVE on '%s' (line %d) "
		     "through slow work: if it queues, '%s' stays blocked the whole time",
		     lock_name(lock), target, t->ae_table, t->ae_line, t->ae_table);
	free(on);
}

static bool is_txn_kind(const struct rule_ctx *ctx, const char *k1, const char *k2)
{
	const char *k = tree_str(tree_path(ctx->body, "kind", NULL));
	return k && (!strcmp(k, k1) || (k2 && !strcmp(k, k2)));
}

static void check_nested_begin(struct rule_ctx *ctx)
{
	if (!is_txn_kind(ctx, "TRANS_STMT_BEGIN", "TRANS_STMT_START"))
		return;
	if (ctx->txn->explicit_depth > 0) {
		flag(ctx, "BEGIN inside the transaction opened at line %d: PostgreSQL ignores it "
		     "with a warning, and the first COMMIT ends both", ctx->txn->begin_line);
		return;
	}
	/*
	 * golang-migrate's postgres driver sends the file as one multi-statement
	 * query: an explicit BEGIN there turns the implicit transaction into a
	 * real one, which is fine. Other tools open a transaction of their own.
	 */
	if (ctx->txn->framework_txn && ctx->mig && ctx->mig->fw != FW_GOLANG_MIGRATE)
		flag(ctx, "%s already runs this file in a transaction: this BEGIN is ignored with "
		     "a warning and its COMMIT ends %s's transaction early",
		     framework_name(ctx->mig->fw), framework_name(ctx->mig->fw));
}

static void check_commit_without_begin(struct rule_ctx *ctx)
{
	if (!is_txn_kind(ctx, "TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK") ||
	    ctx->txn->explicit_depth > 0)
		return;
	if (ctx->txn->framework_txn && ctx->mig && ctx->mig->fw != FW_GOLANG_MIGRATE)
		flag(ctx, "COMMIT with no BEGIN in this file ends %s's own transaction: the "
		     "statements after it run without one", framework_name(ctx->mig->fw));
	else if (!ctx->txn->framework_txn)
		flag(ctx, "COMMIT with no BEGIN before it: PostgreSQL warns that no transaction is "
		     "in progress, and the statements above it were not in one");
}

static void check_unclosed_begin(struct rule_ctx *ctx)
{
	if (ctx->txn->explicit_depth <= 0)
		return;
	flag_file(ctx, ctx->txn->begin_line, "BEGIN at line %d has no COMMIT: the tool's "
		  "session ends with the transaction open and PostgreSQL rolls it back",
		  ctx->txn->begin_line);
}

/* --- unrelated changes: tables grouped by the statements that link them --- */

struct groups {
	struct strlist tables;
	int *parent;
	size_t alloc;
};

static int group_find(struct groups *g, int i)
{
	while (g->parent[i] != i)
		i = g->parent[i] = g->parent[g->parent[i]];
	return i;
}

static int group_add(struct groups *g, const char *table)
{
	const char *t = table_key(table);
	for (size_t i = 0; i < g->tables.nr; i++)
		if (!strcmp(g->tables.items[i], t))
			return (int)i;
	strlist_add(&g->tables, t);
	ALLOC_GROW(g->parent, g->tables.nr, g->alloc);
	g->parent[g->tables.nr - 1] = (int)g->tables.nr - 1;
	return (int)g->tables.nr - 1;
}

/* Links the statement's table with every other relation it names (a FK's target). */
static void link_relations(struct groups *g, int root, const cJSON *node)
{
	const cJSON *c;
	if (!node)
		return;
	const cJSON *rv = cJSON_IsObject(node) ? tree_as(node, "RangeVar") : NULL;
	if (rv) {
		char *name = tree_rangevar_name(rv);
		if (name) {
			int other = group_add(g, name);
			g->parent[group_find(g, other)] = group_find(g, root);
		}
		free(name);
	}
	cJSON_ArrayForEach(c, node)
		link_relations(g, root, c);
}

static bool is_schema_change(const struct stmt *st)
{
	/* DROP INDEX and ALTER INDEX name the index, not its table */
	const char *t = tree_str(tree_path(tree_body(st->tree), "removeType", NULL));
	const char *r = tree_str(tree_path(tree_body(st->tree), "renameType", NULL));
	if ((t && strcmp(t, "OBJECT_TABLE")) || (r && !strcmp(r, "OBJECT_INDEX")))
		return false;
	static const char *const kinds[] = {
		"AlterTableStmt", "IndexStmt", "DropStmt", "RenameStmt", "CreateTrigStmt",
	};
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(st->kind, kinds[i]))
			return true;
	return false;
}

/* How many groups of related tables there are (the roots of the union-find). */
static int count_groups(struct groups *g)
{
	int n = 0;
	for (size_t i = 0; i < g->tables.nr; i++)
		n += group_find(g, (int)i) == (int)i;
	return n;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * Tables a foreign key joins belong together, wherever it was declared.
 * Only the constraints of the file's tables can join two of them; they are
 * linked in the schema's order, which decides each group's first-named
 * table (the one the message shows).
 */
static void link_foreign_keys(struct groups *g, const struct schema *s)
{
	size_t *pos = NULL, nr = 0, alloc = 0;
	const struct constraint_def *c;
	for (size_t t = 0; t < g->tables.nr; t++)
		for (size_t it = 0; (c = schema_next_constraint(s, g->tables.items[t], &it));) {
			ALLOC_GROW(pos, nr + 1, alloc);
			pos[nr++] = (size_t)(c - s->cons);
		}
	if (nr)
		qsort(pos, nr, sizeof(*pos), cmp_size);
	for (size_t i = 0; i < nr; i++) {
		c = &s->cons[pos[i]];
		if (c->type != CON_FOREIGN || !c->table || !c->ref_table ||
		    !strlist_has(&g->tables, c->table) || !strlist_has(&g->tables, c->ref_table))
			continue;
		int a = group_add(g, c->table), b = group_add(g, c->ref_table);
		g->parent[group_find(g, a)] = group_find(g, b);
	}
	free(pos);
}

static void check_unrelated_changes(struct rule_ctx *ctx)
{
	struct groups g = { STRLIST_INIT, NULL, 0 };
	int first_line = 0;
	for (size_t i = 0; i < ctx->fr->nr_stmts; i++) {
		const struct stmt *st = &ctx->fr->stmts[i];
		if (!st->kind || !st->table || st->new_table || !is_schema_change(st))
			continue;
		int root = group_add(&g, st->table);
		link_relations(&g, root, tree_body(st->tree));
		if (!first_line)
			first_line = st->line;
	}
	/*
	 * One table (most migrations) cannot be unrelated to itself: skip the
	 * walk over every constraint of the schema, which is what made this
	 * rule the costliest of a 5,000-file run.
	 */
	if (g.tables.nr < 2 || count_groups(&g) < 2)
		goto out;
	link_foreign_keys(&g, ctx->schema);
	struct strbuf sb = STRBUF_INIT;
	int nr_groups = 0;
	if (count_groups(&g) < 2)
		goto done;
	for (size_t i = 0; i < g.tables.nr; i++)
		if (group_find(&g, (int)i) == (int)i) {
			strbuf_addf(&sb, "%s'%s'", nr_groups ? ", " : "", g.tables.items[i]);
			nr_groups++;
		}
	if (nr_groups >= 2)
		flag_file(ctx, first_line, "changes %d unrelated tables (%s) in one migration: a "
			  "failure or a rollback takes all of them together", nr_groups, sb.buf);
done:
	strbuf_release(&sb);
out:
	strlist_clear(&g.tables);
	free(g.parent);
}

const struct rule rules_txn[] = {
	{
		.id = "lock-timeout-missing",
		.sev = SEV_MEDIUM,
		.cq = CQ_BRIEF_LOCK,
		.cq_worst = CQ_HOT_QUEUE,
		.cls = CLASS_SAFE,
		.flags = RULE_HOT_SCALED,
		.cats = CATBIT(CAT_LOCK),
		.title = "Blocking DDL with no lock_timeout set earlier in the file",
		.fix = "Start the migration with SET lock_timeout = '2s' (and retry on timeout), so "
		       "it gives up instead of stalling every query behind it",
		.check = check_lock_timeout,
		.squawk = "require-timeout-settings",
	},
	{
		.id = "ddl-stacked-in-transaction",
		.sev = SEV_MEDIUM,
		.cq = CQ_BRIEF_LOCK,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK) | CATBIT(CAT_WRITES),
		.title = "Several blocking statements on one table in one transaction",
		.fix = "Fold them into one ALTER TABLE (one lock, one pass), or give each its own "
		       "migration; SET lock_timeout first",
		.check = check_stacked_ddl,
	},
	{
		.id = "work-after-access-exclusive",
		.sev = SEV_MEDIUM,
		.cq = CQ_BRIEF_LOCK,
		.cls = CLASS_BLOCKING,
		.cats = CATBIT(CAT_LOCK),
		.title = "Work after ACCESS EXCLUSIVE was taken in the same transaction",
		.fix = "Take the ACCESS EXCLUSIVE lock last, right before COMMIT, or move the slow "
		       "statement to its own migration",
		.check = check_after_access_exclusive,
	},
	{
		.id = "transaction-nested",
		.sev = SEV_MEDIUM,
		.cq = CQ_HYGIENE,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK),
		.flags = RULE_DOWN_TOO,
		.kind = "TransactionStmt",
		.title = "BEGIN inside a transaction",
		.fix = "Drop the inner BEGIN/COMMIT, or tell the tool not to wrap the file (goose: "
		       "-- +goose NO TRANSACTION; dbmate: -- migrate:up transaction:false)",
		.check = check_nested_begin,
		.squawk = "transaction-nesting",
	},
	{
		.id = "transaction-unbalanced",
		.sev = SEV_MEDIUM,
		.cq = CQ_HYGIENE,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK),
		.flags = RULE_DOWN_TOO,
		.kind = "TransactionStmt",
		.title = "BEGIN without COMMIT, or COMMIT without BEGIN",
		.fix = "Pair every BEGIN with a COMMIT in the same file, or leave transactions to "
		       "the migration tool",
		.check = check_commit_without_begin,
		.check_file = check_unclosed_begin,
		.squawk = "transaction-nesting",
	},
	{
		.id = "unrelated-changes",
		.sev = SEV_LOW,
		.cq = CQ_ADVICE,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK),
		.title = "Unrelated changes in one migration",
		.fix = "Split into one migration per change, so each can ship and roll back alone",
		.check_file = check_unrelated_changes,
	},
	{ .id = NULL },
};
