/*
 * prompt.c - what the model is told.
 *
 * Everything a careful engineer would look at: the migration as written,
 * what the judge found (rule, line, why, the safer alternative), where the
 * application uses the objects it touches, how this repository names and
 * numbers its migrations and marks the non-transactional ones, and the
 * PostgreSQL version. The answer format is strict (```sql file=PATH
 * fences) because it is parsed, not read: anything outside the fences is
 * ignored, and every file is re-judged before it can be accepted.
 */
#include "llm.h"
#include "draft.h"
#include "../core/draft_int.h"

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
	struct layout l;
	const struct migration *m = ctx->ms->v[ctx->target];
	const char *marker;
	layout_detect(ctx->ms, ctx->target, &l);
	strbuf_addf(u, "- framework: %s\n- directory: %s\n- this migration: %s", framework_name(l.fw),
		    *l.dir ? l.dir : "./", m->up->path);
	if (m->down)
		strbuf_addf(u, " (down: %s)", m->down->path);
	strbuf_addf(u, "\n- numbering: %d digits%s; highest existing number %llu, so new files "
		    "start at %llu\n", l.width, l.dashed ? " (YYYY-MM-DD-HHMMSS)" : "", l.max, l.max + 1);
	marker = layout_no_txn_marker(l.fw);
	if (marker)
		strbuf_addf(u, "- a migration that must run outside a transaction starts with: %s", marker);
	else if (l.fw == FW_DBMATE)
		strbuf_addstr(u, "- outside a transaction: '-- migrate:up transaction:false'\n");
	else if (l.fw == FW_FLYWAY)
		strbuf_addstr(u, "- outside a transaction: a V...sql.conf file with executeInTransaction=false\n");
	else if (l.fw == FW_DIESEL)
		strbuf_addstr(u, "- outside a transaction: metadata.toml with run_in_transaction = false\n");
	else
		strbuf_addstr(u, "- outside a transaction: put the statement alone in its own file\n");
	strbuf_addstr(u, "- other migrations in the directory:");
	for (size_t i = 0, n = 0; i < ctx->ms->nr && n < 12; i++) {
		const struct script *sc = ctx->ms->v[i]->up;
		if (sc && i != ctx->target) {
			strbuf_addf(u, " %s", sc->path);
			n++;
		}
	}
	strbuf_addch(u, '\n');
	layout_release(&l);
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
	strbuf_addstr(user, "Findings of the linter (sluice):\n");
	add_findings(user, ctx->report);
	strbuf_addstr(user, "\nApplication code that uses what the migration touches:\n");
	add_refs(user, ctx->report);
	strbuf_addstr(user, "\nRepository conventions:\n");
	add_conventions(user, ctx);
	strbuf_addstr(user, "\nRewrite the migration so that no finding of severity HIGH or BLOCKER "
		      "remains. Answer only with ```sql file=PATH fences.\n");
}
