/*
 * prompt.c - what the model is told.
 *
 * Everything a careful engineer would look at: the migration as written,
 * its existing down, what the judge found (rule, line, why, the safer
 * alternative), the schema of every table it touches as the history
 * leaves it (columns, types, primary key, foreign keys in and out,
 * indexes, row counts when sizes are known), where the application uses
 * the objects it touches, how this repository names and numbers its
 * migrations, whether the framework runs this one in a transaction, and
 * the PostgreSQL version. The answer format is strict (```sql file=PATH
 * fences) because it is parsed, not read: anything outside the fences is
 * ignored, and every file is re-judged before it can be accepted.
 */
#include "llm.h"
#include "draft.h"
#include "schema.h"

#include <string.h>

#define MAX_PROMPT_SQL (256 * 1024)

static const char system_prompt[] =
	"You are a PostgreSQL migration reviewer. You rewrite risky schema migrations "
	"into safe sequences (expand / migrate / contract) that never block production "
	"traffic: CREATE INDEX CONCURRENTLY in its own non-transactional migration, "
	"constraints added NOT VALID and validated later, NOT NULL via a validated CHECK, "
	"batched idempotent backfills with a progress table, lock_timeout before "
	"blocking DDL, no renames or drops that break running code.\n"
	"Answer with SQL files only, each in a fence of exactly this form:\n"
	"```sql file=RELATIVE/PATH.sql\n"
	"...statements...\n"
	"```\n"
	"Use the repository's own directory, naming and numbering. Rewrite the original "
	"file in place when it changes; give new files the next numbers. Include down "
	"migrations where the layout has them. Text outside fences is ignored.";

static void add_findings(struct strbuf *u, const struct file_report *fr)
{
	bool any = false;
	for (size_t i = 0; i < fr->nr_stmts; i++)
		for (size_t j = 0; j < fr->stmts[i].nr_findings; j++) {
			const struct finding *f = &fr->stmts[i].findings[j];
			if (f->ignored)
				continue;
			strbuf_addf(u, "- line %d [%s %s] %s. Safer: %s\n", fr->stmts[i].line,
				    severity_name(f->sev), f->rule, f->message, nonnull(f->fix));
			any = true;
		}
	for (size_t i = 0; i < fr->nr_findings; i++) {
		const struct finding *f = &fr->findings[i];
		if (!f->ignored) {
			strbuf_addf(u, "- line %d [%s %s] %s\n", f->line, severity_name(f->sev),
				    f->rule, f->message);
			any = true;
		}
	}
	if (!any)
		strbuf_addstr(u, "- none\n");
}

static const char *const con_names[] = { "PRIMARY KEY", "UNIQUE", "FOREIGN KEY", "CHECK",
					 "EXCLUDE", "NOT NULL" };

/* The type as people write it (the model reads "bigint" better than "int8"). */
static const char *shown_type(const char *t)
{
	static const char *const names[][2] = { { "int8", "bigint" }, { "int4", "integer" },
		{ "int2", "smallint" }, { "float8", "double precision" }, { "float4", "real" },
		{ "bool", "boolean" }, { "timestamptz", "timestamp with time zone" } };
	for (size_t i = 0; t && i < ARRAY_SIZE(names); i++)
		if (!strcmp(t, names[i][0]))
			return names[i][1];
	return nonnull(t);
}

/* A constraint's name, or the one PostgreSQL gives it (users_pkey, users_org_id_fkey). */
static void add_con_name(struct strbuf *u, const char *table, const struct constraint_def *c)
{
	static const char *const suffix[] = { "pkey", "key", "fkey", "check", "excl", "not_null" };
	if (c->name) {
		strbuf_addstr(u, c->name);
		return;
	}
	strbuf_addstr(u, table_key(table));
	for (size_t i = 0; c->type != CON_PRIMARY && i < c->columns.nr; i++)
		strbuf_addf(u, "_%s", c->columns.items[i]);
	strbuf_addf(u, "_%s", suffix[c->type]);
}

static void add_list(struct strbuf *u, const struct strlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		strbuf_addf(u, "%s%s", i ? ", " : "", l->items[i]);
}

/* One table as the history leaves it, and its size when known. */
static void add_table(struct strbuf *u, const struct schema *s, const struct table_def *t,
		      const struct schema *stats)
{
	const struct table_def *sized = stats ? schema_table(stats, t->name) : NULL;
	strbuf_addf(u, "- table %s", t->name);
	if (sized && sized->rows >= 0)
		strbuf_addf(u, " (%lld rows, %lld bytes)", sized->rows, sized->bytes);
	strbuf_addstr(u, ":\n");
	for (size_t i = 0; i < t->nr_cols; i++)
		strbuf_addf(u, "  - %s %s%s%s\n", t->cols[i].name, shown_type(t->cols[i].type),
			    t->cols[i].not_null ? " NOT NULL" : "",
			    t->cols[i].row_default ? " (filled per row: serial, identity or a volatile "
						     "default)" : t->cols[i].has_default ? " DEFAULT ..." : "");
	const struct index_def *ix;
	for (size_t it = 0; (ix = schema_next_index(s, t->name, &it));) {
		strbuf_addf(u, "  - %s ", ix->primary ? "primary key" : ix->unique ? "unique index" : "index");
		if (ix->name)
			strbuf_addstr(u, ix->name);
		else
			strbuf_addf(u, "%s_%s", table_key(t->name), ix->primary ? "pkey" : "key");
		strbuf_addstr(u, " (");
		add_list(u, &ix->columns);
		strbuf_addstr(u, ")\n");
	}
	const struct constraint_def *c;
	for (size_t it = 0; (c = schema_next_constraint(s, t->name, &it));) {
		if (c->type == CON_PRIMARY || c->type == CON_NOTNULL)
			continue;
		strbuf_addstr(u, "  - constraint ");
		add_con_name(u, t->name, c);
		strbuf_addf(u, " %s (", con_names[c->type]);
		add_list(u, &c->columns);
		strbuf_addch(u, ')');
		if (c->ref_table) {
			strbuf_addf(u, " REFERENCES %s (", c->ref_table);
			add_list(u, &c->ref_columns);
			strbuf_addch(u, ')');
		}
		strbuf_addf(u, "%s\n", c->validated ? "" : " NOT VALID");
	}
}

/* Foreign keys of other tables pointing at `table`. */
static void add_inbound(struct strbuf *u, const struct schema *s, const char *table)
{
	for (size_t i = 0; i < s->nr_tables; i++) {
		const struct constraint_def *c;
		for (size_t it = 0; (c = schema_next_constraint(s, s->tables[i].name, &it));)
			if (c->type == CON_FOREIGN && c->ref_table && table_names_equal(c->ref_table, table)) {
				strbuf_addf(u, "  - referenced by %s.", s->tables[i].name);
				add_con_name(u, s->tables[i].name, c);
				strbuf_addstr(u, " (");
				add_list(u, &c->columns);
				strbuf_addstr(u, ")\n");
			}
	}
}

/* The tables the migration touches, as the history before it leaves them. */
static void add_schema(struct strbuf *u, const struct draft_ctx *ctx)
{
	struct schema s;
	struct strlist seen = STRLIST_INIT;
	draft_history_schema(ctx->ms, ctx->target, &s);
	for (size_t i = 0; i < ctx->report->nr_stmts; i++) {
		const char *name = ctx->report->stmts[i].table;
		const struct table_def *t = name ? schema_table(&s, name) : NULL;
		if (!t || strlist_has(&seen, t->name))
			continue;
		strlist_add(&seen, t->name);
		add_table(u, &s, t, ctx->stats);
		add_inbound(u, &s, t->name);
	}
	if (!seen.nr)
		strbuf_addstr(u, "- no existing table (the history creates none it touches)\n");
	strlist_clear(&seen);
	schema_release(&s);
}

static void add_refs(struct strbuf *u, const struct file_report *fr)
{
	size_t n = 0;
	for (size_t i = 0; i < fr->nr_stmts; i++)
		for (size_t j = 0; j < fr->stmts[i].nr_refs && n < 40; j++, n++) {
			const struct app_ref *r = &fr->stmts[i].refs[j];
			strbuf_addf(u, "- %s:%d uses '%s': %s\n", r->path, r->line, r->ident, r->text);
		}
	if (!n)
		strbuf_addstr(u, "- none found\n");
}

static void add_conventions(struct strbuf *u, const struct draft_ctx *ctx)
{
	struct draft_conventions l;
	const struct migration *m = ctx->ms->v[ctx->target];
	draft_conventions(ctx->ms, ctx->target, &l);
	strbuf_addf(u, "- framework: %s\n- directory: %s\n- this migration: %s", framework_name(l.fw),
		    *l.dir ? l.dir : "./", m->up->path);
	if (m->down)
		strbuf_addf(u, " (down: %s)", m->down->path);
	strbuf_addf(u, "\n- numbering: %d digits%s; highest existing number %llu, so new files "
		    "start at %llu\n", l.width, l.dashed ? " (YYYY-MM-DD-HHMMSS)" : "", l.max, l.max + 1);
	if (l.no_txn_marker)
		strbuf_addf(u, "- a migration that must run outside a transaction starts with: %s",
			    l.no_txn_marker);
	else
		strbuf_addf(u, "- outside a transaction: %s\n", l.no_txn_how);
	strbuf_addstr(u, "- other migrations in the directory:");
	for (size_t i = 0, n = 0; i < ctx->ms->nr && n < 12; i++) {
		const struct script *sc = ctx->ms->v[i]->up;
		if (sc && i != ctx->target) {
			strbuf_addf(u, " %s", sc->path);
			n++;
		}
	}
	strbuf_addch(u, '\n');
	draft_conventions_release(&l);
}

void llm_prompt(const struct draft_ctx *ctx, struct strbuf *system, struct strbuf *user)
{
	const struct migration *m = ctx->ms->v[ctx->target];
	strbuf_addstr(system, system_prompt);
	strbuf_addf(user, "PostgreSQL version: %d\n\n", ctx->opts->pg_version);
	/* A model's context is finite: a huge migration goes in cut, and says so. */
	int shown = m->up->len > MAX_PROMPT_SQL ? MAX_PROMPT_SQL : (int)m->up->len;
	strbuf_addf(user, "Migration %s:\n```sql\n%.*s%s```\n\n", m->up->path, shown, m->up->text,
		    shown && m->up->text[shown - 1] == '\n' ? "" : "\n");
	if ((size_t)shown < m->up->len)
		strbuf_addf(user, "(the migration is %zu bytes; only the first %d are shown)\n\n",
			    m->up->len, shown);
	if (m->down)
		strbuf_addf(user, "Its existing down migration %s:\n```sql\n%.*s%s```\n\n", m->down->path,
			    m->down->len > MAX_PROMPT_SQL ? MAX_PROMPT_SQL : (int)m->down->len,
			    m->down->text, m->down->len && m->down->text[m->down->len - 1] == '\n' ? "" : "\n");
	strbuf_addf(user, "Transaction mode: the framework runs this migration %s.\n\n",
		    !m->up->in_txn ? "outside a transaction (each statement commits on its own)" :
		    m->up->implicit_txn ? "as one multi-statement query: an implicit transaction, so a "
					  "statement that cannot run in a transaction needs a file of its own" :
		    "inside a transaction");
	strbuf_addstr(user, "Schema of the tables it touches (as the history leaves them):\n");
	add_schema(user, ctx);
	strbuf_addstr(user, "\nFindings of the linter (sluice):\n");
	add_findings(user, ctx->report);
	strbuf_addstr(user, "\nApplication code that uses what the migration touches:\n");
	add_refs(user, ctx->report);
	strbuf_addstr(user, "\nRepository conventions:\n");
	add_conventions(user, ctx);
	strbuf_addstr(user, "\nRewrite the migration so that no finding of severity HIGH or BLOCKER "
		      "remains. Answer only with ```sql file=PATH fences.\n");
}
