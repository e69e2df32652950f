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
 *
 * This file is the driver: it walks the statements, keeps the safe ones,
 * gathers the steps in units (one migration each) and hands each risky
 * statement to the rewrite of its family, one file each:
 *
 *   draft_rw_index.c       CREATE INDEX, DROP INDEX, REINDEX
 *   draft_rw_alter.c       ALTER TABLE, subcommand by subcommand, to:
 *   draft_rw_column.c        ADD COLUMN, SET NOT NULL
 *   draft_rw_constraint.c    ADD CONSTRAINT, VALIDATE
 *   draft_rw_rename.c        ALTER COLUMN TYPE; and RENAME COLUMN / TABLE
 *   draft_rw_batch.c       UPDATE, DELETE; the batched backfill the others share
 */
#include "draft_split_int.h"
#include "parse.h"

#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

struct unit *new_unit(struct split *sp, const char *phase, bool no_txn, const char *name,
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
	free(u->deploy_first);
	free(u->backup_first);
}

/* Parses one generated statement; NULL (and a note) when it does not parse: a sluice bug. */
cJSON *parse_generated(struct split *sp, const char *sql)
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
 * The comment lines before a statement, without the framework's markers
 * (the layout writes its own) or sluice's ignores (the rewrite no longer
 * needs them); NULL when nothing is left. The engineer wrote them for the
 * reviewer: a draft that drops "why this index" loses something.
 */
char *own_comment(const char *comments)
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
void add_up(struct split *sp, struct unit *u, const char *sql)
{
	if (sp->comment) {
		strlist_add_nodup(&u->ups, xstrfmt("%s%s", sp->comment, sql));
		free(sp->comment);
		sp->comment = NULL;
	} else {
		strlist_add(&u->ups, sql);
	}
}

/*
 * Adds a generated statement to a unit: its down (given, or derived from
 * the tree against the running schema) and its effect on the schema.
 */
static void add_with_down(struct split *sp, struct unit *u, const char *sql, const char *down,
			  bool from_history)
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
		if (from_history)
			reverse_with_history(&st, sp->s, sp->ms, sp->target, &u->downs, &loss);
		else
			reverse_statement(&st, sp->s, &u->downs, &loss);
		strbuf_release(&loss);
	}
	if (tree) {
		schema_apply(sp->s, tree);
		cJSON_Delete(tree);
	}
}

void unit_add(struct split *sp, struct unit *u, const char *sql, const char *down)
{
	add_with_down(sp, u, sql, down, false);
}

/*
 * unit_add() for a statement that destroys something the history created
 * (DROP TABLE, DROP COLUMN): its down is the history's own definition.
 */
void unit_add_from_history(struct split *sp, struct unit *u, const char *sql)
{
	add_with_down(sp, u, sql, NULL, true);
}

struct unit *current_unit(struct split *sp)
{
	if (sp->cur < 0) {
		new_unit(sp, "expand", false, "follow_up", "the statements that followed");
		sp->cur = (long)sp->nr - 1;
	}
	return &sp->units[sp->cur];
}

static enum rw_result rewrite_statement(struct split *sp, const struct stmt *st)
{
	const cJSON *b = tree_body(st->tree);
	const char *k = st->kind;
	bool done = false;
	if (!strcmp(k, "IndexStmt") && !tree_bool(b, "concurrent"))
		done = rw_create_index(sp, st, b);
	else if (!strcmp(k, "DropStmt") && !tree_bool(b, "concurrent"))
		done = rw_drop_index(sp, st, b) || rw_drop_table(sp, st, b);
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
	if (reverse_with_history(st, sp->s, sp->ms, sp->target, &u->downs, &loss) == REV_UNKNOWN)
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
	sp.values = ctx->values;
	sp.ms = ctx->ms;
	sp.target = ctx->target;
	sp.report = fr;
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
	} else if (!sp.rewritten && sp.safe.nr) {
		struct strbuf why = STRBUF_INIT;
		for (size_t i = 0; i < sp.safe.nr; i++)
			strbuf_addf(&why, "%s%s", i ? "; " : "", sp.safe.items[i]);
		d->title = xstrfmt("no split for %s: already safe", m->up->path);
		draft_fail(d, "no split needed: %s", why.buf);
		d->already_safe = true;
		strbuf_release(&why);
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
			size_t first_file = d->nr;
			if (!u->ups.nr)
				continue;
			if (k == 0)
				layout_emit_target(&l, m, u, d);
			else
				layout_emit(&l, k, u, d);
			k++;
			if (u->deploy_first && first_file < d->nr)
				strlist_add_nodup(&d->notes, xstrfmt(
					"deploy first: the code at %s must be deployed before %s: its "
					"statements fail from that step on (the step says so in its '-- "
					"sluice: deploy first' line)", u->deploy_first,
					d->files[first_file].path));
			if (u->backup_first && first_file < d->nr)
				strlist_add_nodup(&d->notes, xstrfmt(
					"backup first: before %s, outside the database: %s",
					d->files[first_file].path, u->backup_first));
		}
		if (k == 1 && sp.instant)
			d->title = xstrfmt("%s as instant statements: no split needed", m->up->path);
		else
			d->title = xstrfmt("split %s into %u migration%s (expand / migrate / contract)",
					   m->up->path, k, k == 1 ? "" : "s");
		layout_release(&l);
		for (size_t i = 0; i < sp.safe.nr; i++)
			strlist_add_nodup(&d->notes, xstrfmt("no split needed: %s", sp.safe.items[i]));
	}
	strlist_clear(&sp.safe);
	for (size_t i = 0; i < sp.nr; i++)
		release_unit(&sp.units[i]);
	free(sp.units);
	free(sp.comment);
	schema_release(&s);
	return ret;
}
