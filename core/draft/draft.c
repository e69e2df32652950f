/*
 * draft.c - the draft container, the history schema drafts are built on,
 * and the verification every draft must pass before it can be accepted.
 *
 * Verification does not trust the drafter (ours or a model's): the draft's
 * SQL files go through discovery as if they were in the repository, and
 * the repository as it will be is judged by the same pipeline as `sluice
 * check` (core/draft/draft_run.c). A file that does not parse, or a draft whose
 * worst finding is not better than the original's, fails.
 */
#include "draft.h"
#include "draft_int.h"
#include "parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first statement of a judged file that did not parse, or NULL. */
static const struct stmt *first_unparsed(const struct file_report *fr)
{
	for (size_t i = 0; i < fr->nr_stmts; i++)
		if (fr->stmts[i].parse_error)
			return &fr->stmts[i];
	return NULL;
}

/* The finding that makes a report as bad as it is, for the failure message. */
static const struct finding *worst_finding(const struct file_report *fr, int *line)
{
	const struct finding *w = NULL;
	for (size_t i = 0; i < fr->nr_stmts; i++)
		for (size_t j = 0; j < fr->stmts[i].nr_findings; j++) {
			const struct finding *f = &fr->stmts[i].findings[j];
			if (!f->ignored && (!w || f->sev > w->sev)) {
				w = f;
				*line = fr->stmts[i].line;
			}
		}
	for (size_t i = 0; i < fr->nr_findings; i++)
		if (!fr->findings[i].ignored && (!w || fr->findings[i].sev > w->sev)) {
			w = &fr->findings[i];
			*line = w->line;
		}
	return w;
}

/* The worst severity of the target's up script, judged as `sluice check` would judge it. */
static enum severity original_severity(const struct draft_ctx *ctx)
{
	struct check_run run;
	enum severity sev = SEV_NONE;
	size_t history = draft_run_prepare(&run, ctx, NULL, true);
	check_judge(&run);
	for (size_t i = 0; i < run.report.nr; i++) {
		const struct file_report *fr = &run.report.files[i];
		if (draft_run_file(&run, history, fr) && fr->dir != DIR_DOWN && fr->sev > sev)
			sev = fr->sev;
	}
	check_run_release(&run);
	return sev;
}

/*
 * A draft holding a placeholder is NEEDS INPUT: failed (so that nothing
 * verifies, writes or commits it) with the values to choose and how.
 * True when it does.
 */
static bool needs_input(struct draft *d)
{
	struct strlist names = { 0 };
	const char *where = NULL;
	for (size_t i = 0; i < d->nr; i++)
		if (d->files[i].sql && draft_find_placeholders(d->files[i].text, &names) && !where)
			where = d->files[i].path;
	d->needs_input = where != NULL;
	if (where) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < names.nr; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", names.items[i]);
		draft_fail(d, "NEEDS INPUT: only you can choose the value existing rows get for %s "
			   "(the placeholder " DRAFT_PLACEHOLDER_FN "(...) in %s): edit the file, or "
			   "draft again with --set %s=VALUE, e.g. --set %s=\"'free'\"",
			   names.nr ? sb.buf : "a column", where, names.nr ? names.items[0] : "TABLE.COLUMN",
			   names.nr ? names.items[0] : "TABLE.COLUMN");
		strbuf_release(&sb);
	}
	strlist_clear(&names);
	return where != NULL;
}

void draft_verify(const struct draft_ctx *ctx, struct draft *d)
{
	struct check_run run;
	enum severity after = SEV_NONE;
	char *worst_path = NULL;
	size_t judged = 0;

	if (needs_input(d))
		return;
	/*
	 * The original and the draft are each judged by the whole pipeline of
	 * `sluice check` (core/check.h), in the repository as it will be (the
	 * cross-check with application code included), so that "safer"
	 * compares like with like and what passes here passes in CI.
	 */
	if (d->before > SEV_NONE && ctx->ms->v[ctx->target]->up) {
		enum severity orig = original_severity(ctx);
		d->before = orig > SEV_NONE ? orig : d->before;
	}
	size_t history = draft_run_prepare(&run, ctx, d, true);
	check_judge(&run);
	for (size_t i = 0; i < run.report.nr && !d->failed; i++) {
		const struct file_report *fr = &run.report.files[i];
		if (!draft_run_file(&run, history, fr))
			continue;
		judged++;
		const struct stmt *bad = first_unparsed(fr);
		if (fr->error)
			draft_fail(d, "%s", fr->error);
		else if (bad)
			draft_fail(d, "%s:%d does not parse: %s", fr->path, bad->line, bad->parse_error);
		if (fr->dir != DIR_DOWN && fr->sev > after) {
			int line = 0;
			const struct finding *worst = worst_finding(fr, &line);
			after = fr->sev;
			free(worst_path);
			worst_path = worst ? xstrfmt("%s:%d: %s (%s)", fr->path, line,
						     worst->message, worst->rule) : NULL;
		}
	}
	d->after = after;
	if (!judged && !d->failed)
		draft_fail(d, "the draft holds no SQL file sluice can judge");
	else if (!d->failed && after >= d->before && d->before > SEV_NONE)
		draft_fail(d, "no safer than the original: worst finding %s, was %s%s%s",
			   severity_name(after), severity_name(d->before),
			   worst_path ? "; " : "", nonnull(worst_path));
	free(worst_path);
	check_run_release(&run);
}

/*
 * A migration whose file a draft cannot rewrite: its SQL came from a tool
 * (core/discover/sqlgen.c), or the file holds other migrations too (a Liquibase
 * changelog), or the tool would never run new files (Drizzle's journal).
 * NULL when drafts may replace it.
 */
static const char *not_rewritable(const struct migration *m)
{
	switch (m->fw) {
	case FW_DJANGO:
	case FW_ALEMBIC:
	case FW_KNEX:
	case FW_SQLFROM:
		return "its SQL is what a tool printed from a file that is not SQL: sluice "
		       "drafts SQL migrations only (the runbook still applies)";
	case FW_LIQUIBASE:
		return "it is one changeset of a Liquibase changelog: rewriting the file would "
		       "drop the others (the runbook still applies)";
	case FW_DRIZZLE:
		return "Drizzle runs only what its journal lists, and drizzle-kit writes both: "
		       "generate the steps with drizzle-kit (the runbook still applies)";
	case FW_RAILS:
		return "it is a Rails migration: sluice drafts SQL files, and Rails runs Ruby; "
		       "write the safer version with the findings' fixes (the runbook still "
		       "applies: --runbook)";
	default:
		return NULL;
	}
}

void draft_builtin(const struct draft_ctx *ctx, enum draft_what what, struct draft *d)
{
	const char *fixed = not_rewritable(ctx->ms->v[ctx->target]);
	d->before = ctx->report->sev;
	if (fixed && what != DRAFT_RUNBOOK) {
		draft_fail(d, "%s: %s", ctx->ms->v[ctx->target]->up->path, fixed);
	} else if (fixed) {
		draft_runbook(ctx, NULL, d);
		d->before = SEV_NONE;
	} else if (what == DRAFT_DOWN) {
		d->before = SEV_NONE;  /* a down is not safer or less safe: it must parse */
		draft_down(ctx, d);
		draft_verify_parse_only(d);
	} else if (what == DRAFT_RUNBOOK) {
		struct draft split;
		draft_init(&split);
		split.before = ctx->report->sev;
		if (draft_split(ctx, &split) == 0)
			draft_verify(ctx, &split);
		draft_runbook(ctx, split.failed ? NULL : &split, d);
		d->before = SEV_NONE;  /* prose: nothing to re-judge */
		draft_release(&split);
	} else if (draft_split(ctx, d) == 0) {
		draft_verify(ctx, d);
	}
}

/* Characters (not bytes) in the first n bytes of UTF-8 text. */
static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/*
 * The subject: the title, with the migration named by its file name rather
 * than its path when that makes it fit, else cut at a word; at most
 * COMMIT_SUBJECT_MAX characters (git's one-line summaries). The full title
 * goes in the body whenever the subject is not it.
 */
static bool commit_subject(const char *title, const char *file, struct strbuf *out)
{
	const char *base = strrchr(file, '/');
	const char *at = base ? strstr(title, file) : NULL;
	strbuf_reset(out);
	if (utf8_chars(title, strlen(title)) <= COMMIT_SUBJECT_MAX)
		at = NULL;   /* it fits as it is */
	if (at) {
		strbuf_add(out, title, (size_t)(at - title));
		strbuf_addstr(out, base + 1);
		strbuf_addstr(out, at + strlen(file));
	} else {
		strbuf_addstr(out, title);
	}
	if (utf8_chars(out->buf, out->len) > COMMIT_SUBJECT_MAX) {
		size_t cut = out->len;
		while (cut && (utf8_chars(out->buf, cut) > COMMIT_SUBJECT_MAX - 3 || out->buf[cut] != ' '))
			cut--;
		if (!cut)   /* one long word: cut it at a character */
			for (cut = out->len; cut && utf8_chars(out->buf, cut) > COMMIT_SUBJECT_MAX - 3;)
				while (cut && ((unsigned char)out->buf[--cut] & 0xC0) == 0x80)
					;
		out->len = cut;
		out->buf[cut] = '\0';
		strbuf_addstr(out, "...");
	}
	return strcmp(out->buf, title) != 0;
}

void draft_commit_message(const struct draft *d, const char *file, struct strbuf *msg)
{
	/* Names come from the repository: no control bytes into `git log`. */
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, subject = STRBUF_INIT;
	const char *title = printable(&a, nonnull(d->title));
	bool shortened = commit_subject(title, printable(&b, file), &subject);
	strbuf_addf(msg, "%s\n\n", subject.buf);
	if (shortened)
		strbuf_addf(msg, "%s.\n\n", title);
	strbuf_addf(msg, "Drafted by sluice (%s) for ", printable(&b, d->origin ? d->origin : "built-in"));
	strbuf_addf(msg, "%s:\n", printable(&a, file));
	for (size_t i = 0; i < d->nr; i++) {
		strbuf_addf(msg, "- %s: ", printable(&a, d->files[i].path));
		strbuf_addf(msg, "%s\n", printable(&b, nonnull(d->files[i].purpose)));
	}
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&subject);
}

/*
 * The headers and notes quote identifiers and paths from the repository:
 * their control bytes are escaped (printable()). The files' text is SQL to
 * save as it is, except on a terminal, where it is escaped too.
 */
void draft_print(FILE *out, const struct draft *d)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	bool tty = isatty(fileno(out));
	fprintf(out, "# %s (%s)\n", printable(&a, d->title), d->origin ? d->origin : "built-in");
	for (size_t i = 0; i < d->nr; i++) {
		const struct draft_file *f = &d->files[i];
		fprintf(out, "\n==> %s <==%s%s\n", printable(&a, f->path), f->purpose[0] ? "  -- " : "",
			printable(&b, f->purpose));
		strbuf_reset(&a);
		if (tty)
			strbuf_add_printable(&a, f->text, strlen(f->text), true);
		fputs(tty ? a.buf : f->text, out);
		if (f->text[0] && f->text[strlen(f->text) - 1] != '\n')
			fputc('\n', out);
	}
	if (d->notes.nr)
		fputc('\n', out);
	for (size_t i = 0; i < d->notes.nr; i++)
		fprintf(out, "# note: %s\n", printable(&a, d->notes.items[i]));
	if (d->shadow)
		fprintf(out, "# %s\n", printable(&a, d->shadow));
	if (d->failed)
		fprintf(out, "# %s%s\n", d->needs_input ? "" : "FAILED: ", printable(&a, d->failed));
	else if (d->before > SEV_NONE || d->after > SEV_NONE)
		fprintf(out, "# verified: worst finding %s before, %s after\n",
			severity_name(d->before), severity_name(d->after));
	else if (d->nr && d->files[0].sql)
		fputs("# verified: every statement parses\n", out);
	strbuf_release(&a);
	strbuf_release(&b);
}

/* mkdir -p for the directories of `path` (not the last component). */
static int make_parents(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			int r = error("cannot create directory '%s': %s", p, strerror(errno));
			free(p);
			return r;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

int draft_write_dir(const struct draft *d, const char *dir)
{
	for (size_t i = 0; i < d->nr; i++) {
		const char *rel = d->files[i].path;
		while (starts_with(rel, "./"))
			rel += 2;
		char *path = xstrfmt("%s/%s", dir, rel[0] == '/' ? rel + 1 : rel);
		FILE *f;
		if (make_parents(path) < 0) {
			free(path);
			return -1;
		}
		f = fopen(path, "w");
		int bad = !f || fputs(d->files[i].text, f) < 0;
		if (f && fclose(f) != 0)
			bad = 1;
		if (bad) {
			int r = error("cannot write '%s': %s", path, strerror(errno));
			free(path);
			return r;
		}
		free(path);
	}
	return 0;
}

void draft_verify_parse_only(struct draft *d)
{
	if (needs_input(d))
		return;
	for (size_t i = 0; i < d->nr && !d->failed; i++) {
		struct draft_file *f = &d->files[i];
		if (!f->sql)
			continue;
		struct script *sc = script_new(f->path, f->text, strlen(f->text));
		struct file_report fr;
		memset(&fr, 0, sizeof(fr));
		parse_script(sc, &fr);
		const struct stmt *bad = first_unparsed(&fr);
		if (bad)
			draft_fail(d, "%s:%d does not parse: %s", f->path, bad->line, bad->parse_error);
		file_report_release(&fr);
		script_free(sc);
	}
}
