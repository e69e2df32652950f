/*
 * rules.h - the rule catalogue.
 *
 * A rule is one entry in a family table (core/rules_<family>.c): an id, a
 * default severity, the class it gives the statement, its risk categories,
 * the node kind it looks at, a title, the safer alternative and a check
 * function. Adding a rule is one entry plus one test file in tests/rules/.
 *
 * The judge (core/judge.c) walks a script's statements in order, keeps the
 * transaction and "created here" context in struct rule_ctx, and calls each
 * enabled rule whose `kind` matches the statement. A check looks at
 * ctx->body (the node's body) and calls flag() to report.
 */
#ifndef SLUICE_RULES_H
#define SLUICE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include "model.h"
#include "schema.h"
#include "tree.h"
#include "types.h"
#include "util.h"

struct judge_opts;

/* Rule flags. */
#define RULE_SIZE_SCALED 0x1   /* about lock/rewrite cost: nothing on a table created
				  in this migration, milder on small tables */
#define RULE_UNPARSED    0x2   /* called only for statements that did not parse */
#define RULE_DOWN_TOO    0x4   /* also judged in down scripts (default: up only) */

/* What the judge knows of the transaction around the current statement. */
struct txn_state {
	bool framework_txn;      /* the framework wraps the script in a transaction */
	int explicit_depth;      /* BEGIN ... COMMIT nesting seen in the text */
	int begin_line;          /* line of the open BEGIN */
	bool lock_timeout;       /* SET lock_timeout seen earlier in the script */
	bool statement_timeout;
	char *ae_table;          /* ACCESS EXCLUSIVE already held in this transaction */
	int ae_line;
	struct strlist created;  /* tables created earlier in this script */
	struct strlist blocking; /* "table" once per blocking DDL in this transaction */
	int ddl_count;           /* DDL statements in this transaction */
};

struct rule_ctx {
	const struct judge_opts *opts;
	struct schema *schema;
	const struct migration *mig;  /* NULL for a loose file */
	const struct script *script;
	struct file_report *fr;
	struct stmt *st;              /* NULL in check_file */
	const cJSON *body;            /* the statement node's body */
	size_t idx;                   /* index of st in fr->stmts */
	struct txn_state *txn;
	const struct rule *rule;      /* the rule being run */
};

struct rule {
	const char *id;
	enum severity sev;
	enum stmt_class cls;
	unsigned cats;               /* CATBIT(CAT_...) */
	unsigned flags;              /* RULE_... */
	const char *kind;            /* node kind, e.g. "IndexStmt"; NULL: every statement */
	const char *title;           /* short description (help, SARIF) */
	const char *fix;             /* the default safer alternative */
	void (*check)(struct rule_ctx *ctx);
	void (*check_file)(struct rule_ctx *ctx);  /* once, after the last statement */
	const char *squawk;          /* squawk's name for it, for squawk-ignore */
};

/* Report the current rule on the current statement, with its default severity and fix. */
struct finding *flag(struct rule_ctx *ctx, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* The same with a severity and fix of the caller's (fix NULL: the rule's). */
struct finding *flag_as(struct rule_ctx *ctx, enum severity sev, const char *fix,
			const char *fmt, ...) ATTR_PRINTF(4, 5);
/* A file-level finding at `line` (check_file). */
struct finding *flag_file(struct rule_ctx *ctx, int line, const char *fmt, ...) ATTR_PRINTF(3, 4);

/* Helpers rules share. */
bool ctx_table_is_new(const struct rule_ctx *ctx, const char *table);
long long ctx_table_rows(const struct rule_ctx *ctx, const char *table);
bool ctx_in_txn(const struct rule_ctx *ctx);
int ctx_pg(const struct rule_ctx *ctx);       /* PostgreSQL major version */

/* DEFAULT expressions (core/locks.c): does one call a volatile function (so
 * ADD COLUMN rewrites the table), and which function in it has a
 * volatility sluice does not know (NULL: none)? Functions the schema saw
 * created are known; `s` may be NULL. */
bool expr_is_volatile(const cJSON *expr, const struct schema *s);
const char *expr_unknown_function(const cJSON *expr, const struct schema *s);

/* The lock a CREATE TABLE (body `b`) takes on an existing table, and which
 * table (*on, the caller frees; NULL with LOCK_NONE): see core/locks.c. */
enum lock_mode create_table_lock(const cJSON *b, const struct schema *s, char **on);

/* Does an UPDATE or DELETE touch a handful of rows: a WHERE pinning a whole
 * key, or a seeded lookup table (core/rules_data.c)? */
bool dml_touches_few_rows(struct rule_ctx *ctx, const struct stmt *st);

/* The catalogue. */
size_t rules_count(void);
const struct rule *rule_at(size_t i);
const struct rule *rule_find(const char *id);

#endif
