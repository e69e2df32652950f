/*
 * rules_plpgsql.c - the SQL inside DO blocks and PL/pgSQL functions.
 *
 * A DO block runs its statements at migration time, so an UPDATE looping
 * over a big table inside one is a backfill, and an ALTER TABLE inside one
 * locks like any other. libpg_query parses PL/pgSQL
 * (pg_query_parse_plpgsql); we walk the result, pull out the embedded SQL
 * (plain statements and EXECUTE of a literal string) and run the rest of
 * the catalogue on each as if it stood in the migration, reporting what
 * they find on the DO statement. Loops are looked at as a whole: a loop
 * that COMMITs per batch is a batched backfill; one that batches but never
 * commits is still one long transaction.
 *
 * A function's body runs when it is called, not when it is created, so its
 * SQL is not judged here; only whether it parses (PostgreSQL checks that at
 * CREATE FUNCTION time). Functions and triggers a migration creates are
 * objects its down must drop: core/rules/rules_rollback.c lists them.
 */
#include "judge.h"
#include "rules.h"

#include <ctype.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One statement found in a body, with what surrounds it. */
struct embedded {
	char *sql;
	int lineno;          /* in the body, 1-based */
	bool in_loop;
	bool loop_commits;   /* the innermost loop around it COMMITs */
};

struct body_walk {
	struct embedded *v;
	size_t nr, alloc;
	int commit_line;     /* first COMMIT/ROLLBACK in the body; 0 none */
};

static bool is_loop(const char *kind)
{
	static const char *const loops[] = {
		"PLpgSQL_stmt_loop", "PLpgSQL_stmt_while", "PLpgSQL_stmt_fori",
		"PLpgSQL_stmt_fors", "PLpgSQL_stmt_forc", "PLpgSQL_stmt_foreach_a",
		"PLpgSQL_stmt_dynfors",
	};
	for (size_t i = 0; i < ARRAY_SIZE(loops); i++)
		if (!strcmp(kind, loops[i]))
			return true;
	return false;
}

static bool is_commit(const char *kind)
{
	return !strcmp(kind, "PLpgSQL_stmt_commit") || !strcmp(kind, "PLpgSQL_stmt_rollback");
}

/* Does the PL/pgSQL tree below `node` hold a COMMIT (not counting nested loops')? */
static bool has_commit(const cJSON *node)
{
	const cJSON *c;
	if (!node)
		return false;
	if (node->string && is_commit(node->string))
		return true;
	cJSON_ArrayForEach(c, node)
		if (has_commit(c))
			return true;
	return false;
}

/* 'ALTER TABLE t ...' as EXECUTE's argument: the text, or NULL if built at run time. */
static char *literal_sql(const char *q)
{
	size_t n = strlen(q);
	while (n && (q[n - 1] == ' ' || q[n - 1] == '\n'))
		n--;
	while (*q == ' ' || *q == '\n')
		q++, n--;
	if (n < 2 || q[0] != '\'' || q[n - 1] != '\'')
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 1; i + 1 < n; i++) {
		if (q[i] == '\'') {
			if (q[i + 1] != '\'' || i + 2 >= n) {
				/* 'a' || x || 'b': built at run time */
				strbuf_release(&sb);
				return NULL;
			}
			i++;
		}
		strbuf_addch(&sb, q[i]);
	}
	return strbuf_detach(&sb, NULL);
}

static void add_embedded(struct body_walk *w, char *sql, int lineno, bool in_loop, bool commits)
{
	ALLOC_GROW(w->v, w->nr + 1, w->alloc);
	w->v[w->nr].sql = sql;
	w->v[w->nr].lineno = lineno;
	w->v[w->nr].in_loop = in_loop;
	w->v[w->nr].loop_commits = commits;
	w->nr++;
}

static void walk_body(struct body_walk *w, const cJSON *node, bool in_loop, bool commits)
{
	const cJSON *c;
	if (!node)
		return;
	const char *k = node->string;
	if (k && is_loop(k)) {
		in_loop = true;
		commits = has_commit(node);
	} else if (k && is_commit(k) && !w->commit_line) {
		w->commit_line = tree_int(node, "lineno");
		if (!w->commit_line)
			w->commit_line = 1;
	} else if (k && !strcmp(k, "PLpgSQL_stmt_execsql")) {
		const char *q = tree_str(tree_path(node, "sqlstmt", "PLpgSQL_expr", "query", NULL));
		if (q)
			add_embedded(w, xstrdup(q), tree_int(node, "lineno"), in_loop, commits);
		return;
	} else if (k && !strcmp(k, "PLpgSQL_stmt_dynexecute")) {
		const char *q = tree_str(tree_path(node, "query", "PLpgSQL_expr", "query", NULL));
		char *sql = q ? literal_sql(q) : NULL;
		if (sql)
			add_embedded(w, sql, tree_int(node, "lineno"), in_loop, commits);
		return;
	}
	cJSON_ArrayForEach(c, node)
		walk_body(w, c, in_loop, commits);
}

static void release_walk(struct body_walk *w)
{
	for (size_t i = 0; i < w->nr; i++)
		free(w->v[i].sql);
	free(w->v);
}

/* A dollar tag that does not occur in `body`. */
static char *free_tag(const char *body)
{
	char *tag = xstrdup("$sluice$");
	for (int n = 1; strstr(body, tag); n++) {
		free(tag);
		tag = xstrfmt("$sluice%d$", n);
	}
	return tag;
}

/*
 * Parses a PL/pgSQL function (the whole CREATE FUNCTION text). Returns the
 * parsed function list, or NULL with *err set (caller frees both).
 */
static cJSON *parse_plpgsql(const char *create_sql, char **err)
{
	PgQueryPlpgsqlParseResult r = pg_query_parse_plpgsql(create_sql);
	cJSON *tree = NULL;
	*err = NULL;
	if (r.error)
		*err = xstrfmt("%s", r.error->message);
	else if (!(tree = tree_parse_json(r.plpgsql_funcs)))
		*err = xstrdup("unreadable parse tree");
	pg_query_free_plpgsql_parse_result(r);
	return tree;
}

/*
 * libpg_query compiles a body without the database's catalog, so two things
 * PostgreSQL 15 accepts fail there (both checked on a real server by
 * tests/t-plpgsql-valid.sh):
 *  - a variable declared with COLLATE: "collations are not supported by
 *    type" (it cannot look the type up; pl_comp.c's plpgsql_build_datatype);
 *  - RETURN NEXT; or RETURN; with no expression in a function with OUT or
 *    TABLE parameters: "missing expression" (pl_gram.y's make_return_stmt
 *    takes the expression from the OUT parameters, which libpg_query does
 *    not register).
 * A failed parse is retried once with those spelled in a form the parser
 * accepts: COLLATE "x" blanked out, RETURN NEXT; as RETURN NEXT NULL;. The
 * retry only decides whether the body is readable; lines stay where they are.
 */
static bool is_word_at(const char *s, size_t i, const char *w)
{
	size_t n = strlen(w);
	return (i == 0 || !(isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_')) &&
	       !strncasecmp(s + i, w, n) && !(isalnum((unsigned char)s[i + n]) || s[i + n] == '_');
}

static size_t skip_blanks(const char *s, size_t i)
{
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	return i;
}

static char *readable_variant(const char *sql, bool out_params)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; sql[i];) {
		if (is_word_at(sql, i, "COLLATE")) {
			/* COLLATE "C" / COLLATE pg_catalog.default -> blanks */
			size_t j = skip_blanks(sql, i + 7);
			while (sql[j] == '"' || sql[j] == '.' || sql[j] == '_' ||
			       isalnum((unsigned char)sql[j])) {
				if (sql[j] == '"') {
					const char *e = strchr(sql + j + 1, '"');
					j = e ? (size_t)(e - sql) + 1 : strlen(sql);
				} else
					j++;
			}
			for (; i < j; i++)
				strbuf_addch(&sb, sql[i] == '\n' ? '\n' : ' ');
			continue;
		}
		if (out_params && is_word_at(sql, i, "RETURN")) {
			size_t j = skip_blanks(sql, i + 6);
			if (is_word_at(sql, j, "NEXT"))
				j = skip_blanks(sql, j + 4);
			if (sql[j] == ';') {
				strbuf_add(&sb, sql + i, j - i);
				strbuf_addstr(&sb, " NULL");
				i = j;
				continue;
			}
		}
		strbuf_addch(&sb, sql[i++]);
	}
	return strbuf_detach(&sb, NULL);
}

/* Does the function have OUT, INOUT or TABLE parameters? */
static bool has_out_params(const cJSON *create_body)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, tree_path(create_body, "parameters", NULL)) {
		const char *m = nonnull(tree_str(tree_path(p, "FunctionParameter", "mode", NULL)));
		if (!strcmp(m, "FUNC_PARAM_OUT") || !strcmp(m, "FUNC_PARAM_INOUT") ||
		    !strcmp(m, "FUNC_PARAM_TABLE"))
			return true;
	}
	return false;
}

/* parse_plpgsql(), retried once past libpg_query's known gaps (above). */
static cJSON *parse_plpgsql_body(const char *create_sql, bool out_params, char **err)
{
	cJSON *tree = parse_plpgsql(create_sql, err);
	if (tree || (!strstr(*err, "collations are not supported") &&
		     !(out_params && strstr(*err, "missing expression"))))
		return tree;
	char *variant = readable_variant(create_sql, out_params), *err2;
	tree = parse_plpgsql(variant, &err2);
	if (tree) {
		free(*err);
		*err = NULL;
	}
	free(err2);
	free(variant);
	return tree;
}

/* The body and language of a DO statement. */
static const char *do_body(const cJSON *b, const char **lang)
{
	const cJSON *args = tree_path(b, "args", NULL);
	const char *language = tree_option_str(args, "language");
	*lang = language ? language : "plpgsql";
	return tree_option_str(args, "as");
}

static const char *function_language(const cJSON *b)
{
	return tree_option_str(tree_path(b, "options", NULL), "language");
}

/* --- judging embedded statements ------------------------------------------ */

static bool own_family(const struct rule *r);

static bool applies_inside(const struct rule *r, const struct rule_ctx *ctx, const struct stmt *st)
{
	if (!r->check || own_family(r) || !rule_enabled(ctx->opts, r->id))
		return false;
	if ((r->flags & RULE_UNPARSED) ||
	    (ctx->script->dir == DIR_DOWN && !(r->flags & RULE_DOWN_TOO)))
		return false;
	if (r->kind && strcmp(r->kind, st->kind))
		return false;
	return !((r->flags & RULE_SIZE_SCALED) && st->new_table);
}

static bool has_rule(const struct stmt *st, const char *rule)
{
	for (size_t i = 0; i < st->nr_findings; i++)
		if (!strcmp(st->findings[i].rule, rule))
			return true;
	return false;
}

/* Folds what a DO block's statement locks into the DO statement itself. */
static void fold_lock(struct stmt *outer, const struct stmt *in)
{
	if (!in->table || in->new_table || in->lock <= outer->lock)
		return;
	outer->lock = in->lock;
	free(outer->table);
	outer->table = xstrdup(in->table);
	outer->scan |= in->scan;
	outer->rewrite |= in->rewrite;
}

static void report_inner(struct rule_ctx *ctx, const struct stmt *in, const struct embedded *e)
{
	for (size_t i = 0; i < in->nr_findings; i++) {
		const struct finding *f = &in->findings[i];
		/* A loop that COMMITs each round is the batching the rule asks for. */
		if (!strcmp(f->rule, "backfill-unbatched") && e->in_loop && e->loop_commits)
			continue;
		char *msg = xstrfmt("in the DO block (line %d)%s: %s", in->line,
				    e->in_loop ? ", in a loop" : "", f->message);
		struct finding *nf = stmt_add_finding(ctx->st, f->rule, f->sev, f->categories,
						      msg, f->fix);
		nf->cls = f->cls;
		free(msg);
	}
}

static void judge_embedded(struct rule_ctx *ctx, const struct embedded *e)
{
	PgQueryParseResult r = pg_query_parse(e->sql);
	cJSON *root = r.error ? NULL : tree_parse_json(r.parse_tree);
	pg_query_free_parse_result(r);
	const cJSON *item;
	cJSON_ArrayForEach(item, tree_path(root, "stmts", NULL)) {
		struct stmt in;
		struct stmt *outer = ctx->st;
		const cJSON *saved_body = ctx->body;
		const struct rule *saved_rule = ctx->rule;
		memset(&in, 0, sizeof(in));
		in.tree = cJSON_DetachItemFromObject((cJSON *)item, "stmt");
		in.kind = tree_kind(in.tree);
		in.sql = xstrdup(e->sql);
		in.line = outer->line + (e->lineno > 0 ? e->lineno - 1 : 0);
		in.in_txn = outer->in_txn;
		if (!in.kind) {
			stmt_release(&in);
			continue;
		}
		assess_statement(&in, ctx->schema, ctx_pg(ctx));
		in.new_table = ctx_table_is_new(ctx, in.table);
		ctx->st = &in;
		ctx->body = tree_body(in.tree);
		for (size_t i = 0; i < rules_count(); i++) {
			ctx->rule = rule_at(i);
			if (applies_inside(ctx->rule, ctx, &in))
				ctx->rule->check(ctx);
		}
		ctx->st = outer;
		ctx->body = saved_body;
		ctx->rule = rule_find("do-batches-without-commit");
		bool dml = !strcmp(in.kind, "UpdateStmt") || !strcmp(in.kind, "DeleteStmt");
		if (dml && e->in_loop && !e->loop_commits && in.table && !in.new_table &&
		    !has_rule(&in, "backfill-unbatched") && ctx->rule &&
		    rule_enabled(ctx->opts, ctx->rule->id))
			flag(ctx, "the loop at line %d batches %s of '%s' but never COMMITs: every "
			     "batch is one transaction, holding its row locks and WAL to the end",
			     in.line, !strcmp(in.kind, "UpdateStmt") ? "UPDATE" : "DELETE", in.table);
		ctx->rule = saved_rule;
		report_inner(ctx, &in, e);
		fold_lock(outer, &in);
		/* A table the block creates is new from here on (and empty in production). */
		if (!strcmp(in.kind, "CreateStmt") && in.table && !schema_table(ctx->schema, in.table))
			schema_apply(ctx->schema, in.tree);
		stmt_release(&in);
	}
	cJSON_Delete(root);
}

/* --- the rules ------------------------------------------------------------ */

/* Not judged, like a statement that does not parse: sluice.unparsedSeverity. */
static enum severity unreadable_sev(const struct rule_ctx *ctx)
{
	return ctx->opts->unparsed_sev ? ctx->opts->unparsed_sev : ctx->rule->sev;
}

/* A DO block's PL/pgSQL body as the function libpg_query parses, or NULL (not PL/pgSQL). */
static char *do_function(const cJSON *b)
{
	const char *lang;
	const char *body = do_body(b, &lang);
	if (!body || strcmp(lang, "plpgsql"))
		return NULL;
	char *tag = free_tag(body);
	char *fn = xstrfmt("CREATE FUNCTION sluice_do() RETURNS void LANGUAGE plpgsql AS %s%s%s",
			   tag, body, tag);
	free(tag);
	return fn;
}

static bool has_as_body(const cJSON *b);

/*
 * What check_body parses for st: a DO block's body, a PL/pgSQL function's
 * CREATE text (with *out_params), or NULL when there is nothing to parse.
 */
static char *body_source(const struct stmt *st, bool *out_params)
{
	const cJSON *b = tree_body(st->tree);
	*out_params = false;
	if (!st->kind)
		return NULL;
	if (!strcmp(st->kind, "DoStmt"))
		return do_function(b);
	const char *lang = strcmp(st->kind, "CreateFunctionStmt") ? NULL : function_language(b);
	if (!lang || strcmp(lang, "plpgsql") || !st->sql || !has_as_body(b))
		return NULL;
	*out_params = has_out_params(b);
	return xstrdup(st->sql);
}

void plpgsql_prepare(struct stmt *st)
{
	bool out_params;
	char *src = body_source(st, &out_params);
	if (!src)
		return;
	st->body_tree = parse_plpgsql_body(src, out_params, &st->body_error);
	st->body_parsed = true;
	free(src);
}

/* st's body parsed: by plpgsql_prepare() on a parse worker (taken from st), or now. */
static cJSON *parsed_body(struct stmt *st, char **err)
{
	if (st->body_parsed) {
		cJSON *tree = st->body_tree;
		*err = st->body_error;
		st->body_tree = NULL;
		st->body_error = NULL;
		st->body_parsed = false;
		return tree;
	}
	bool out_params;
	char *src = body_source(st, &out_params);
	cJSON *tree = parse_plpgsql_body(src, out_params, err);
	free(src);
	return tree;
}

static void check_do_body(struct rule_ctx *ctx)
{
	const char *lang;
	const char *body = do_body(ctx->body, &lang);
	if (!body || strcmp(lang, "plpgsql"))
		return;
	char *err;
	cJSON *tree = parsed_body(ctx->st, &err);
	if (tree) {
		struct body_walk w = { NULL, 0, 0, 0 };
		walk_body(&w, tree, false, false);
		for (size_t i = 0; i < w.nr; i++)
			judge_embedded(ctx, &w.v[i]);
		const struct rule *saved = ctx->rule;
		ctx->rule = rule_find("do-commit-in-transaction");
		if (w.commit_line && ctx->rule && rule_enabled(ctx->opts, ctx->rule->id)) {
			if (ctx_in_txn(ctx))
				flag(ctx, "COMMIT inside a DO block (line %d) that runs in a transaction "
				     "block: PostgreSQL stops with 'invalid transaction termination'",
				     ctx->st->line + w.commit_line - 1);
			else if (ctx_pg(ctx) < 11)
				flag(ctx, "COMMIT inside a DO block (line %d) needs PostgreSQL 11 or "
				     "later", ctx->st->line + w.commit_line - 1);
		}
		ctx->rule = saved;
		release_walk(&w);
	} else {
		ctx->rule = rule_find("plpgsql-unreadable");
		if (ctx->rule && rule_enabled(ctx->opts, ctx->rule->id))
			flag_as(ctx, unreadable_sev(ctx), NULL, "the DO block's body does not parse "
				"with libpg_query's PL/pgSQL parser (PostgreSQL 15's, without the "
				"database's catalog): %s; its SQL was not judged", err);
	}
	cJSON_Delete(tree);
	free(err);
}

/* Has the function an AS body? (libpg_query asserts it has, and aborts: found by fuzz-judge) */
static bool has_as_body(const cJSON *b)
{
	const cJSON *opt;
	cJSON_ArrayForEach(opt, tree_path(b, "options", NULL)) {
		const char *n = tree_str(tree_path(opt, "DefElem", "defname", NULL));
		if (n && !strcmp(n, "as"))
			return true;
	}
	return false;
}

static void check_function_body(struct rule_ctx *ctx)
{
	const char *lang = function_language(ctx->body);
	if (!lang || strcmp(lang, "plpgsql") || !ctx->st->sql)
		return;
	if (!has_as_body(ctx->body)) {
		flag(ctx, "this PL/pgSQL function has no body (AS '...'): PostgreSQL refuses it "
		     "and the migration stops");
		return;
	}
	char *err;
	cJSON *tree = parsed_body(ctx->st, &err);
	if (!tree)
		flag_as(ctx, unreadable_sev(ctx), NULL, "the body of this PL/pgSQL function does "
			"not parse with libpg_query's PL/pgSQL parser (PostgreSQL 15's, without the "
			"database's catalog): %s; not judged (if PostgreSQL cannot parse it either, "
			"CREATE FUNCTION fails)", err);
	cJSON_Delete(tree);
	free(err);
}

static void check_body(struct rule_ctx *ctx)
{
	if (!strcmp(ctx->st->kind, "DoStmt"))
		check_do_body(ctx);
	else if (!strcmp(ctx->st->kind, "CreateFunctionStmt"))
		check_function_body(ctx);
}

/* The last two are reported from check_body; they have no check of their own. */
const struct rule rules_plpgsql[] = {
	{
		.id = "plpgsql-unreadable",
		.sev = SEV_MEDIUM,   /* sluice.unparsedSeverity changes it */
		.cq = CQ_UNREAD,
		.cls = CLASS_SAFE,
		.flags = RULE_DOWN_TOO,
		.title = "DO block or PL/pgSQL function body sluice cannot read (not judged)",
		.fix = "Run the block with psql on a scratch database of your PostgreSQL version: "
		       "if it fails there, fix it; if not, review its SQL by hand",
		.check = check_body,
	},
	{
		.id = "do-batches-without-commit",
		.sev = SEV_HIGH,
		.cq = CQ_LOCK_GROWS,
		.cls = CLASS_SLOW,
		.cats = CATBIT(CAT_WRITES) | CATBIT(CAT_REPLICATION) | CATBIT(CAT_LOCK),
		.title = "DO block loop that batches but never commits",
		.fix = "COMMIT after each batch (PostgreSQL 11+, with the DO block outside any "
		       "transaction), or run the batches from a script, one transaction each",
	},
	{
		.id = "do-commit-in-transaction",
		.sev = SEV_HIGH,
		.cq = CQ_FAILS_CLEANLY,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_ROLLBACK),
		.title = "COMMIT inside a DO block that runs in a transaction",
		.fix = "Run the DO block in a migration the tool does not wrap in a transaction "
		       "(goose: -- +goose NO TRANSACTION; dbmate: transaction:false), with no BEGIN",
	},
	{ .id = NULL },
};

static bool own_family(const struct rule *r)
{
	for (const struct rule *p = rules_plpgsql; p->id; p++)
		if (p == r)
			return true;
	return false;
}

/*
 * libpg_query 15-4's pg_query_parse_plpgsql() forgets to free one byte
 * (pg_query_raw_parse's empty stderr buffer, strdup'd) when a body does not
 * parse. It is not ours to free, and under LeakSanitizer it would turn every
 * run that meets a broken DO block into exit 99; tell LSan about it here,
 * next to the only caller. Without sanitizers this is an unused function.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:pg_query_raw_parse\n";
}

/* ... and keep quiet about having used it (LSAN_OPTIONS still wins). */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
