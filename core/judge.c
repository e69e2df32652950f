/*
 * judge.c - walks a script's statements in order and runs the rules.
 *
 * For each statement: assess its lock and cost (locks.c), note whether its
 * table was created earlier in this migration, run every enabled rule whose
 * kind matches, then advance the transaction state and the schema model.
 * After the last statement the file-level checks run, then table-size
 * scaling. Ignore comments are read here and applied by judge_settle(),
 * once every stage of the pipeline (core/check.c) has raised its findings,
 * so rules never need to know about either.
 */
#include "judge.h"
#include "ignore.h"
#include "estimate.h"
#include "parse.h"
#include "parseahead.h"
#include "rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void judge_opts_init(struct judge_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pg_version = 15;
	o->fail_on = SEV_HIGH;
	o->small_rows = 10000;
	o->large_rows = 1000000;
	o->blocker_seconds = 10;
	o->hot_writes = 10;
	o->verify_rows = 1000;
}

void judge_opts_release(struct judge_opts *o)
{
	strlist_clear(&o->disabled);
}

bool rule_enabled(const struct judge_opts *o, const char *id)
{
	return !strlist_has(&o->disabled, id);
}

/* --- reporting from rules ------------------------------------------------ */

ATTR_PRINTF(5, 0)
static struct finding *vflag(struct rule_ctx *ctx, enum severity sev, const char *fix,
			     int line, const char *fmt, va_list ap)
{
	struct strbuf msg = STRBUF_INIT;
	struct finding *f;
	strbuf_vaddf(&msg, fmt, ap);
	if (ctx->st && line == 0)
		f = stmt_add_finding(ctx->st, ctx->rule->id, sev, ctx->rule->cats, msg.buf,
				     fix ? fix : ctx->rule->fix);
	else
		f = file_add_finding(ctx->fr, ctx->rule->id, sev, ctx->rule->cats, line, msg.buf,
				     fix ? fix : ctx->rule->fix);
	f->cls = ctx->rule->cls;
	strbuf_release(&msg);
	return f;
}

struct finding *flag(struct rule_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct finding *f = vflag(ctx, ctx->rule->sev, NULL, 0, fmt, ap);
	va_end(ap);
	return f;
}

struct finding *flag_as(struct rule_ctx *ctx, enum severity sev, const char *fix, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct finding *f = vflag(ctx, sev, fix, 0, fmt, ap);
	va_end(ap);
	return f;
}

struct finding *flag_file(struct rule_ctx *ctx, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct stmt *saved = ctx->st;
	ctx->st = NULL;
	struct finding *f = vflag(ctx, ctx->rule->sev, NULL, line > 0 ? line : 1, fmt, ap);
	ctx->st = saved;
	va_end(ap);
	return f;
}

bool ctx_table_is_new(const struct rule_ctx *ctx, const char *table)
{
	if (!table)
		return false;
	const char *t = table_key(table);
	return strlist_has(&ctx->txn->created, t) || schema_table_is_new(ctx->schema, t);
}

/*
 * Is the table the statement locks new? DROP INDEX names the index: its
 * table is the one the model says the index is on (an index on a table
 * recreated above goes with the new table).
 */
static bool stmt_table_is_new(const struct rule_ctx *ctx, const struct stmt *st)
{
	const cJSON *b = tree_body(st->tree);
	if (st->table && !strcmp(st->kind, "DropStmt") &&
	    !strcmp(nonnull(tree_str(tree_path(b, "removeType", NULL))), "OBJECT_INDEX")) {
		const struct index_def *ix = schema_index(ctx->schema, table_key(st->table));
		return ix && ctx_table_is_new(ctx, ix->table);
	}
	return ctx_table_is_new(ctx, st->table);
}

long long ctx_table_rows(const struct rule_ctx *ctx, const char *table)
{
	const struct table_def *t = schema_table(ctx->schema, table);
	return t ? t->rows : -1;
}

bool ctx_in_txn(const struct rule_ctx *ctx)
{
	return ctx->txn->framework_txn || ctx->txn->explicit_depth > 0;
}

/*
 * Would a failure here leave the database half-migrated? Only outside a
 * transaction, and only when an earlier statement of the script changed
 * something that stays applied (a SET or a BEGIN/COMMIT does not count).
 */
bool ctx_half_migrated(const struct rule_ctx *ctx)
{
	if (ctx_in_txn(ctx) || !ctx->st)
		return false;
	for (size_t i = 0; i < ctx->idx; i++) {
		const char *k = ctx->fr->stmts[i].kind;
		if (k && strcmp(k, "VariableSetStmt") && strcmp(k, "TransactionStmt") &&
		    strcmp(k, "SelectStmt"))
			return true;
	}
	return false;
}

int ctx_pg(const struct rule_ctx *ctx)
{
	return ctx->opts->pg_version;
}

/* --- the transaction state ----------------------------------------------- */

static bool set_stmt_names(const cJSON *b, const char *name)
{
	const char *n = tree_str(tree_path(b, "name", NULL));
	return n && !strcmp(n, name);
}

static void advance_txn(struct txn_state *t, const struct stmt *st, const struct schema *s)
{
	const cJSON *b = tree_body(st->tree);
	if (!st->kind)
		return;
	if (!strcmp(st->kind, "TransactionStmt")) {
		const char *k = nonnull(tree_str(tree_path(b, "kind", NULL)));
		if (!strcmp(k, "TRANS_STMT_BEGIN") || !strcmp(k, "TRANS_STMT_START")) {
			t->explicit_depth++;
			t->begin_line = st->line;
		} else if (!strcmp(k, "TRANS_STMT_COMMIT") || !strcmp(k, "TRANS_STMT_ROLLBACK") ||
			   !strcmp(k, "TRANS_STMT_COMMIT_PREPARED") || !strcmp(k, "TRANS_STMT_PREPARE")) {
			if (t->explicit_depth > 0)
				t->explicit_depth--;
			if (!t->explicit_depth && !t->framework_txn) {
				free(t->ae_table);
				t->ae_table = NULL;
				strlist_clear(&t->blocking);
				t->ddl_count = 0;
			}
		}
		return;
	}
	if (!strcmp(st->kind, "VariableSetStmt")) {
		if (set_stmt_names(b, "lock_timeout"))
			t->lock_timeout = true;
		if (set_stmt_names(b, "statement_timeout"))
			t->statement_timeout = true;
		return;
	}
	/*
	 * CREATE TABLE IF NOT EXISTS of a table the history already has creates
	 * nothing: the table keeps its rows, so it must not count as new.
	 */
	if ((!strcmp(st->kind, "CreateStmt") || !strcmp(st->kind, "CreateTableAsStmt")) && st->table &&
	    !(tree_bool(b, "if_not_exists") && schema_table(s, st->table)))
		strlist_add(&t->created, table_key(st->table));
	bool in_txn = t->framework_txn || t->explicit_depth > 0;
	/* CREATE TABLE/VIEW lock only the relation they create: nobody waits on it. */
	bool creates = !strcmp(st->kind, "CreateStmt") || !strcmp(st->kind, "CreateTableAsStmt") ||
		       !strcmp(st->kind, "ViewStmt");
	/* DROP INDEX locks the index's table, but st->table names the index */
	bool drop_index = !strcmp(st->kind, "DropStmt") &&
			  !strcmp(nonnull(tree_str(tree_path(b, "removeType", NULL))), "OBJECT_INDEX");
	if (in_txn && st->lock == LOCK_ACCESS_EXCLUSIVE && st->table && !st->new_table && !creates &&
	    !drop_index && !t->ae_table) {
		t->ae_table = xstrdup(st->table);
		t->ae_line = st->line;
	}
	if (in_txn && st->table && !st->new_table && lock_blocks_writes(st->lock) && !creates)
		strlist_add(&t->blocking, st->table);
	if (in_txn && strcmp(st->kind, "SelectStmt") && strcmp(st->kind, "InsertStmt"))
		t->ddl_count++;
}

/* --- severity scaling and the statement's class -------------------------- */

/*
 * The ladder's size rules, once the statement's table has a known size
 * (--db, --stats): a lock that grows with the table is LOW on a small
 * table, a BLOCKER when its estimate passes blockerSeconds, HIGH on a large
 * table, MEDIUM in between (a brief lock). A finding its rule rated below
 * HIGH (a "verify this" sub-case) is no such lock: it never becomes a
 * BLOCKER. The estimate goes into the message, so every reporter shows it.
 */
static void scale_finding(const struct judge_opts *o, const struct stmt *st,
			  const struct table_def *t, struct finding *f)
{
	struct strbuf m = STRBUF_INIT;
	double secs = lock_estimate_seconds(st, t);
	strbuf_addf(&m, "%s (", f->message);
	if (t->rows < o->small_rows) {
		f->sev = SEV_LOW;
		strbuf_addstr(&m, "small table: ");
	} else if (secs > o->blocker_seconds && f->sev >= SEV_HIGH) {
		f->sev = SEV_BLOCKER;
		strbuf_addf(&m, "over the %g s sluice.blockerSeconds: ", o->blocker_seconds);
	} else if (t->rows < o->large_rows && f->sev > SEV_MEDIUM) {
		f->sev = SEV_MEDIUM;
	}
	lock_estimate_describe(&m, st, t);
	strbuf_addch(&m, ')');
	free(f->message);
	f->message = strbuf_detach(&m, NULL);
}

/* A hot table: a lock queued behind a long transaction stalls many writers. */
static void heat_finding(const struct judge_opts *o, const struct table_def *t, struct finding *f)
{
	if (f->sev != SEV_MEDIUM || t->writes_per_s < o->hot_writes)
		return;
	f->sev = SEV_HIGH;
	char *m = xstrfmt("%s ('%s' is hot: %.0f writes/s, and every one queues behind the "
			  "waiting lock)", f->message, t->name, t->writes_per_s);
	free(f->message);
	f->message = m;
}

static void scale_by_size(const struct judge_opts *o, const struct schema *s, struct stmt *st)
{
	const struct table_def *t = st->table ? schema_table(s, st->table) : NULL;
	if (!t || t->rows < 0)
		return;
	for (size_t i = 0; i < st->nr_findings; i++) {
		struct finding *f = &st->findings[i];
		const struct rule *r = rule_find(f->rule);
		if (r && (r->flags & RULE_SIZE_SCALED))
			scale_finding(o, st, t, f);
		else if (r && (r->flags & RULE_HOT_SCALED))
			heat_finding(o, t, f);
	}
}

static void settle_statement(struct stmt *st)
{
	enum stmt_class cls = CLASS_SAFE;
	enum severity sev = SEV_NONE;
	if (!st->new_table && (st->rewrite || st->scan) && st->kind && strcmp(st->kind, "SelectStmt"))
		cls = lock_blocks_writes(st->lock) ? CLASS_BLOCKING : CLASS_SLOW;
	for (size_t i = 0; i < st->nr_findings; i++) {
		const struct finding *f = &st->findings[i];
		if (f->ignored)
			continue;
		if (f->sev > sev)
			sev = f->sev;
		if (f->cls > cls)
			cls = f->cls;
	}
	st->cls = cls;
	st->sev = sev;
}

/* --- the walk ------------------------------------------------------------ */

static bool rule_applies(const struct rule *r, const struct rule_ctx *ctx)
{
	const struct stmt *st = ctx->st;
	if (!r->check || !rule_enabled(ctx->opts, r->id))
		return false;
	if (ctx->script->dir == DIR_DOWN && !(r->flags & RULE_DOWN_TOO))
		return false;
	if (!st->kind || (r->flags & RULE_UNPARSED))
		return !st->kind && (r->flags & RULE_UNPARSED);
	if (r->kind && !str_eq(r->kind, st->kind))
		return false;
	if ((r->flags & RULE_SIZE_SCALED) && st->new_table)
		return false;
	return true;
}

static bool looks_binary(const char *text, size_t len)
{
	size_t n = len < 8192 ? len : 8192;
	return memchr(text, '\0', n) != NULL;
}

/*
 * Judging keeps every statement's parse tree, about 80 bytes of memory per
 * byte of SQL, so a file past this size (a data load, not a schema change)
 * is refused with a message rather than judged for seconds in gigabytes.
 */
#define MAX_SCRIPT_MB 10

static char *refuse_script(const struct script *sc)
{
	if (sc->origin && sc->origin->error)
		return xstrdup(sc->origin->error);
	if (looks_binary(sc->text, sc->len))
		return xstrfmt("'%s' looks like a binary file (it has NUL bytes); not judged",
			       sc->path);
	if (sc->len > (size_t)MAX_SCRIPT_MB << 20)
		return xstrfmt("'%s' is %.1f MB, over the %d MB sluice judges (a file this big is "
			       "a data load, not a schema change); split it, or review it by hand",
			       sc->path, (double)sc->len / (1 << 20), MAX_SCRIPT_MB);
	return NULL;
}

/* The parse-ahead worker asks this: it must refuse exactly what the judge does. */
bool script_refused(const struct script *sc)
{
	char *why = refuse_script(sc);
	bool refused = why != NULL;
	free(why);
	return refused;
}

void judge_prepare(struct file_report *fr)
{
	for (size_t i = 0; i < fr->nr_stmts; i++)
		plpgsql_prepare(&fr->stmts[i]);
}

/*
 * The script's statements: taken from the parse-ahead worker when one runs
 * and this script is next in its order, parsed here otherwise. Called for
 * every script, refused or not, so the worker's order is kept.
 */
static bool take_parsed(struct parse_ahead *pa, const struct script *sc, struct file_report *pre)
{
	memset(pre, 0, sizeof(*pre));
	return parse_ahead_take(pa, sc, pre);
}

static void use_parsed(const struct script *sc, struct file_report *pre, bool have,
		       struct file_report *out)
{
	if (!have) {
		parse_script(sc, out);
		return;
	}
	out->stmts = pre->stmts;
	out->nr_stmts = pre->nr_stmts;
	out->alloc_stmts = pre->alloc_stmts;
}

void judge_rules(const struct judge_opts *o, struct schema *s, const struct migration *m,
		 const struct script *sc, struct parse_ahead *pa, struct file_report *out)
{
	struct txn_state txn;
	struct rule_ctx ctx;
	size_t nrules = rules_count();
	size_t bad_at;
	struct file_report pre;
	bool have = take_parsed(pa, sc, &pre);

	memset(out, 0, sizeof(*out));
	out->mig = m;
	out->path = xstrdup(sc->path);
	out->fw = m ? m->fw : FW_PLAIN;
	out->dir = sc->dir;
	out->in_txn = sc->in_txn;
	out->error = refuse_script(sc);
	if (out->error) {
		file_report_release(&pre);
		return;
	}

	memset(&txn, 0, sizeof(txn));
	txn.framework_txn = sc->in_txn;
	memset(&ctx, 0, sizeof(ctx));
	ctx.opts = o;
	ctx.schema = s;
	ctx.mig = m;
	ctx.script = sc;
	ctx.fr = out;
	ctx.txn = &txn;
	/* Next in the worker's order after an up comes its down (check.c); a
	 * refused one the worker left unparsed. */
	if (m && sc == m->up && m->down && !script_refused(m->down))
		ctx.down = parse_ahead_peek(pa, m->down);

	bool translated = sc->origin && sc->origin->translated;
	if (translated && sc->origin->not_utf8_line) {
		/* a translated file: its own text, not the SQL made of it */
		ctx.rule = rule_find("not-utf8");
		if (ctx.rule && rule_enabled(o, ctx.rule->id))
			flag_file(&ctx, sc->origin->not_utf8_line,
				  "file is not valid UTF-8 (first bad byte on this line); Ruby refuses "
				  "to load it, and sluice read it as best it could");
	} else if (!translated && !utf8_valid(sc->text, sc->len, &bad_at)) {
		ctx.rule = rule_find("not-utf8");
		if (ctx.rule && rule_enabled(o, ctx.rule->id))
			flag_file(&ctx, sc->first_line + line_of_offset(sc->text, bad_at) - 1,
				  "file is not valid UTF-8 (first bad byte at offset %zu); "
				  "PostgreSQL will reject it unless the client encoding matches",
				  bad_at);
	}

	use_parsed(sc, &pre, have, out);
	ignores_scan(out, sc);

	for (size_t i = 0; i < out->nr_stmts; i++) {
		struct stmt *st = &out->stmts[i];
		st->in_txn = txn.framework_txn || txn.explicit_depth > 0;
		if (st->kind) {
			assess_statement(st, s, o->pg_version);
			st->new_table = stmt_table_is_new(&ctx, st);
		}
		ctx.st = st;
		ctx.body = tree_body(st->tree);
		ctx.idx = i;
		for (size_t r = 0; r < nrules; r++) {
			ctx.rule = rule_at(r);
			if (rule_applies(ctx.rule, &ctx))
				ctx.rule->check(&ctx);
		}
		merge_findings(st);
		advance_txn(&txn, st, s);
		if (st->tree)
			schema_apply(s, st->tree);
	}

	ctx.st = NULL;
	ctx.body = NULL;
	for (size_t r = 0; r < nrules; r++) {
		ctx.rule = rule_at(r);
		if (ctx.rule->check_file && rule_enabled(o, ctx.rule->id) &&
		    (sc->dir != DIR_DOWN || (ctx.rule->flags & RULE_DOWN_TOO)))
			ctx.rule->check_file(&ctx);
	}

	for (size_t i = 0; i < out->nr_stmts; i++)
		scale_by_size(o, s, &out->stmts[i]);

	free(txn.ae_table);
	strlist_clear(&txn.created);
	strlist_clear(&txn.blocking);
}

void judge_settle(const struct judge_opts *o, struct file_report *fr)
{
	if (fr->error)
		return;
	ignores_apply(fr, o);
	fr->sev = SEV_NONE;
	for (size_t i = 0; i < fr->nr_stmts; i++) {
		/* One finding per hazard, whichever stage raised it (rules, cross-check, shadow). */
		merge_findings(&fr->stmts[i]);
		settle_statement(&fr->stmts[i]);
		if (fr->stmts[i].sev > fr->sev)
			fr->sev = fr->stmts[i].sev;
	}
	for (size_t i = 0; i < fr->nr_findings; i++)
		if (!fr->findings[i].ignored && fr->findings[i].sev > fr->sev)
			fr->sev = fr->findings[i].sev;
}

void judge_script(const struct judge_opts *o, struct schema *s, const struct migration *m,
		  const struct script *sc, struct file_report *out)
{
	judge_rules(o, s, m, sc, NULL, out);
	judge_settle(o, out);
}

void replay_script(struct schema *s, const struct script *sc)
{
	replay_script_from(NULL, s, sc);
}

void replay_script_from(struct parse_ahead *pa, struct schema *s, const struct script *sc)
{
	struct file_report fr, pre;
	bool have = take_parsed(pa, sc, &pre);
	memset(&fr, 0, sizeof(fr));
	if (script_refused(sc)) {
		file_report_release(&pre);
		return;
	}
	use_parsed(sc, &pre, have, &fr);
	/* The trees go to the parse-ahead worker to free, when one runs. */
	cJSON **trees = xmalloc((fr.nr_stmts + 1) * sizeof(*trees));
	size_t n = 0;
	for (size_t i = 0; i < fr.nr_stmts; i++)
		if (fr.stmts[i].tree) {
			schema_apply(s, fr.stmts[i].tree);
			trees[n++] = fr.stmts[i].tree;
			fr.stmts[i].tree = NULL;
			fr.stmts[i].kind = NULL;    /* it pointed into the tree */
		}
	parse_ahead_discard(pa, trees, n);
	free(trees);
	file_report_release(&fr);
}

enum verdict verdict_of(const struct file_report *files, size_t n)
{
	enum severity worst = SEV_NONE;
	for (size_t i = 0; i < n; i++)
		if (files[i].sev > worst)
			worst = files[i].sev;
	if (worst >= SEV_BLOCKER)
		return VERDICT_BLOCK;
	if (worst >= SEV_MEDIUM)
		return VERDICT_MODIFY;
	return VERDICT_SAFE;
}
