/*
 * judge.c - walks a script's statements in order and runs the rules.
 *
 * For each statement: assess its lock and cost (locks.c), note whether its
 * table was created earlier in this migration, run every enabled rule whose
 * kind matches, then advance the transaction state and the schema model.
 * After the last statement the file-level checks run. Ignore comments and
 * table-size scaling are applied last, so rules never need to know about
 * either.
 */
#include "judge.h"
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

long long ctx_table_rows(const struct rule_ctx *ctx, const char *table)
{
	const struct table_def *t = schema_table(ctx->schema, table);
	return t ? t->rows : -1;
}

bool ctx_in_txn(const struct rule_ctx *ctx)
{
	return ctx->txn->framework_txn || ctx->txn->explicit_depth > 0;
}

int ctx_pg(const struct rule_ctx *ctx)
{
	return ctx->opts->pg_version;
}

/* --- ignore comments ----------------------------------------------------- */

struct ignore {
	char *rule;      /* our id, or "all" */
	char *reason;
	int line;        /* of the comment */
	bool file_wide;
	bool used;
	size_t stmt;     /* index of the statement it precedes */
	size_t group;    /* ignores from one squawk name share the first one's index */
};

struct ignores {
	struct ignore *v;
	size_t nr, alloc;
};

static void add_ignore(struct ignores *ig, const char *rule, size_t rlen, const char *reason,
		       int line, bool file_wide, size_t stmt)
{
	ALLOC_GROW(ig->v, ig->nr + 1, ig->alloc);
	struct ignore *i = &ig->v[ig->nr++];
	i->rule = xstrndup(rule, rlen);
	i->reason = reason ? xstrdup(reason) : NULL;
	i->line = line;
	i->file_wide = file_wide;
	i->used = false;
	i->stmt = stmt;
	i->group = ig->nr - 1;
}

/* Does `r` list squawk's rule `name` ("a|b" lists several)? */
static bool rule_has_squawk_name(const struct rule *r, const char *name)
{
	size_t len = strlen(name);
	for (const char *sq = r->squawk; sq && *sq;) {
		size_t n = strcspn(sq, "|");
		if (len == n && !strncmp(sq, name, n))
			return true;
		sq += n + (sq[n] == '|');
	}
	return false;
}

/*
 * squawk's names are coarser than ours: "transaction-nesting" covers both
 * a nested BEGIN and a COMMIT that ends the tool's transaction. One squawk
 * ignore is an ignore of every rule mapped to that name; each is reported
 * unused on its own only if none of them matched (see report_unused()).
 */
static bool add_squawk_ignores(struct ignores *ig, const char *name, const char *reason,
			       int line, bool file_wide, size_t stmt)
{
	bool any = false;
	for (size_t i = 0; i < rules_count(); i++) {
		const struct rule *r = rule_at(i);
		if (!rule_has_squawk_name(r, name))
			continue;
		add_ignore(ig, r->id, strlen(r->id), reason, line, file_wide, stmt);
		ig->v[ig->nr - 1].group = any ? ig->v[ig->nr - 2].group : ig->nr - 1;
		any = true;
	}
	return any;
}

/*
 * One comment line: "-- sluice:ignore rule-a, rule-b -- reason",
 * "-- sluice:ignore-file rule", or squawk's "-- squawk-ignore rule-name".
 */
static void parse_ignore_line(struct ignores *ig, const char *p, const char *end, int line, size_t stmt)
{
	bool file_wide = false, squawk = false;
	const char *reason = NULL;
	while (p < end && (*p == '-' || isspace((unsigned char)*p)))
		p++;
	if (end - p > 19 && !strncmp(p, "sluice:ignore-file", 18) && isspace((unsigned char)p[18])) {
		file_wide = true;
		p += 18;
	} else if (end - p > 14 && !strncmp(p, "sluice:ignore", 13) && isspace((unsigned char)p[13])) {
		p += 13;
	} else if (end - p > 14 && !strncmp(p, "squawk-ignore", 13) && isspace((unsigned char)p[13])) {
		p += 13;
		squawk = true;
	} else if (end - p > 19 && !strncmp(p, "squawk-ignore-file", 18) && isspace((unsigned char)p[18])) {
		p += 18;
		squawk = file_wide = true;
	} else
		return;
	char *text = xstrndup(p, (size_t)(end - p));
	char *sep = strstr(text, "--");
	if (sep) {
		*sep = '\0';
		reason = sep + 2;
		while (isspace((unsigned char)*reason))
			reason++;
		char *r_end = (char *)reason + strlen(reason);
		while (r_end > reason && isspace((unsigned char)r_end[-1]))
			*--r_end = '\0';
		if (!*reason)
			reason = NULL;
	}
	for (char *save, *tok = strtok_r(text, ", \t\r", &save); tok;
	     tok = strtok_r(NULL, ", \t\r", &save)) {
		if (squawk && add_squawk_ignores(ig, tok, reason, line, file_wide, stmt))
			continue;
		add_ignore(ig, tok, strlen(tok), reason, line, file_wide, stmt);
	}
	free(text);
}

static void scan_ignores(struct ignores *ig, const char *text, size_t len, int first_line,
			 size_t stmt, bool only_file_wide)
{
	int line = first_line;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *c = p;
		while (c < le && isspace((unsigned char)*c))
			c++;
		if (le - c > 2 && c[0] == '-' && c[1] == '-') {
			size_t before = ig->nr;
			parse_ignore_line(ig, c, le, line, stmt);
			/* keep only file-wide ones from this pass (one line is all one or the other) */
			if (only_file_wide && ig->nr > before && !ig->v[before].file_wide) {
				for (size_t k = before; k < ig->nr; k++) {
					free(ig->v[k].rule);
					free(ig->v[k].reason);
				}
				ig->nr = before;
			}
		}
		line++;
		p = le + 1;
	}
}

static void apply_ignores(struct ignores *ig, struct file_report *fr)
{
	for (size_t s = 0; s < fr->nr_stmts; s++) {
		struct stmt *st = &fr->stmts[s];
		for (size_t f = 0; f < st->nr_findings; f++) {
			struct finding *fd = &st->findings[f];
			for (size_t i = 0; i < ig->nr; i++) {
				struct ignore *g = &ig->v[i];
				if (!g->file_wide && g->stmt != s)
					continue;
				if (strcmp(g->rule, fd->rule) && strcmp(g->rule, "all"))
					continue;
				g->used = true;
				free(fd->ignored);
				fd->ignored = xstrdup(g->reason ? g->reason : "");
			}
		}
	}
	for (size_t f = 0; f < fr->nr_findings; f++) {
		struct finding *fd = &fr->findings[f];
		for (size_t i = 0; i < ig->nr; i++) {
			struct ignore *g = &ig->v[i];
			if (g->file_wide && (!strcmp(g->rule, fd->rule) || !strcmp(g->rule, "all"))) {
				g->used = true;
				free(fd->ignored);
				fd->ignored = xstrdup(g->reason ? g->reason : "");
			}
		}
	}
}

/* An ignore that matched nothing, once per comment (per squawk name's group). */
static void report_unused(struct rule_ctx *ctx, struct ignores *ig)
{
	ctx->rule = rule_find("unused-ignore");
	if (!ctx->rule || !rule_enabled(ctx->opts, ctx->rule->id))
		return;
	for (size_t i = 0; i < ig->nr; i++) {
		bool used = false;
		if (ig->v[i].group != i)
			continue;
		for (size_t k = i; k < ig->nr && ig->v[k].group == i; k++)
			used |= ig->v[k].used;
		if (!used)
			flag_file(ctx, ig->v[i].line, "ignore of '%s' matched no finding",
				  ig->v[i].rule);
	}
}

static void release_ignores(struct ignores *ig)
{
	for (size_t i = 0; i < ig->nr; i++) {
		free(ig->v[i].rule);
		free(ig->v[i].reason);
	}
	free(ig->v);
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

static void scale_by_size(const struct judge_opts *o, const struct schema *s, struct stmt *st)
{
	const struct table_def *t = schema_table(s, st->table);
	if (!t || t->rows < 0)
		return;
	for (size_t i = 0; i < st->nr_findings; i++) {
		struct finding *f = &st->findings[i];
		const struct rule *r = rule_find(f->rule);
		if (!r || !(r->flags & RULE_SIZE_SCALED))
			continue;
		if (t->rows < o->small_rows && f->sev > SEV_LOW) {
			f->sev = f->sev >= SEV_HIGH ? f->sev - 2 : SEV_LOW;
			if (f->sev < SEV_LOW)
				f->sev = SEV_LOW;
			char *m = xstrfmt("%s (table has %lld rows: brief)", f->message, t->rows);
			free(f->message);
			f->message = m;
		} else {
			char *m = xstrfmt("%s (table has %lld rows)", f->message, t->rows);
			free(f->message);
			f->message = m;
		}
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

/*
 * The script's statements: taken from the parse-ahead worker when one runs
 * and this script is next in its order, parsed here otherwise. Called for
 * every script, refused or not, so the worker's order is kept.
 */
static bool take_parsed(const struct script *sc, struct file_report *pre)
{
	memset(pre, 0, sizeof(*pre));
	return parse_ahead_take(current_parse_ahead, sc, pre);
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

void judge_script(const struct judge_opts *o, struct schema *s, const struct migration *m,
		  const struct script *sc, struct file_report *out)
{
	struct txn_state txn;
	struct ignores ig = { NULL, 0, 0 };
	struct rule_ctx ctx;
	size_t nrules = rules_count();
	size_t bad_at;
	struct file_report pre;
	bool have = take_parsed(sc, &pre);

	memset(out, 0, sizeof(*out));
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

	if (!utf8_valid(sc->text, sc->len, &bad_at)) {
		ctx.rule = rule_find("not-utf8");
		if (ctx.rule && rule_enabled(o, ctx.rule->id))
			flag_file(&ctx, sc->first_line + line_of_offset(sc->text, bad_at) - 1,
				  "file is not valid UTF-8 (first bad byte at offset %zu); "
				  "PostgreSQL will reject it unless the client encoding matches",
				  bad_at);
	}

	use_parsed(sc, &pre, have, out);
	scan_ignores(&ig, sc->text, sc->len, sc->first_line, (size_t)-1, true);

	for (size_t i = 0; i < out->nr_stmts; i++) {
		struct stmt *st = &out->stmts[i];
		if (st->comments) {
			/* The comments end on the statement's line: count back. */
			int nl = 0;
			for (const char *c = st->comments; *c; c++)
				nl += *c == '\n';
			scan_ignores(&ig, st->comments, strlen(st->comments), st->line - nl, i, false);
		}
		st->in_txn = txn.framework_txn || txn.explicit_depth > 0;
		if (st->kind) {
			assess_statement(st, s, o->pg_version);
			st->new_table = ctx_table_is_new(&ctx, st->table);
		}
		ctx.st = st;
		ctx.body = tree_body(st->tree);
		ctx.idx = i;
		for (size_t r = 0; r < nrules; r++) {
			ctx.rule = rule_at(r);
			if (rule_applies(ctx.rule, &ctx))
				ctx.rule->check(&ctx);
		}
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

	apply_ignores(&ig, out);
	report_unused(&ctx, &ig);

	out->sev = SEV_NONE;
	for (size_t i = 0; i < out->nr_stmts; i++) {
		scale_by_size(o, s, &out->stmts[i]);
		settle_statement(&out->stmts[i]);
		if (out->stmts[i].sev > out->sev)
			out->sev = out->stmts[i].sev;
	}
	for (size_t i = 0; i < out->nr_findings; i++)
		if (!out->findings[i].ignored && out->findings[i].sev > out->sev)
			out->sev = out->findings[i].sev;

	release_ignores(&ig);
	free(txn.ae_table);
	strlist_clear(&txn.created);
	strlist_clear(&txn.blocking);
}

void replay_script(struct schema *s, const struct script *sc)
{
	struct file_report fr, pre;
	bool have = take_parsed(sc, &pre);
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
	parse_ahead_discard(current_parse_ahead, trees, n);
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
