/*
 * answer.c - from a model's answer to a draft, and the CLI's blocking run.
 *
 * Only ```sql file=PATH fences count. A path must be relative, stay inside
 * the repository (no "..", no absolute path) and end in .sql; a file named
 * twice, an unterminated fence or an answer without any fence makes the
 * draft fail with the reason, so a chatty or truncated answer can never be
 * accepted by mistake.
 *
 * The model writes only the migration under review (its up and down) and
 * new migrations that apply after it: a file of any other migration (one
 * the base branch has, above all) or another existing file fails the
 * draft, naming it. Ignore comments the model adds (sluice's
 * and other linters') are taken out of its files and named in the notes:
 * a draft is judged on what it does, not on what its author waves away.
 */
#include "llm.h"
#include "draft.h"
#include "ignore.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool safe_path(const char *p)
{
	if (!*p || p[0] == '/' || strstr(p, "..") || strchr(p, '\\') || !ends_with(p, ".sql"))
		return false;
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20)
			return false;
	return true;
}

/* "```sql file=NAME" -> NAME (malloc'd), else NULL. */
static char *fence_name(const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	if (len < 3 || strncmp(p, "```", 3))
		return NULL;
	p += 3;
	while (p < end && *p == ' ')
		p++;
	if (end - p < 3 || strncasecmp(p, "sql", 3))
		return NULL;
	p += 3;
	while (p < end && *p == ' ')
		p++;
	if (end - p < 5 || strncmp(p, "file=", 5))
		return NULL;
	p += 5;
	if (p < end && (*p == '"' || *p == '\''))
		p++;
	const char *q = p;
	while (q < end && *q != ' ' && *q != '"' && *q != '\'' && *q != '\r')
		q++;
	return xstrndup(p, (size_t)(q - p));
}

/* Does the new migration file `path` apply after (or with) the target, in its directory? */
static bool applies_after(const struct migration *target, const char *path, const char *text)
{
	struct migration_set ms;
	bool ok = false;
	migration_set_init(&ms);
	if (discover_add_file(&ms, target->up->path, target->up->text, target->up->len, false) == 0 &&
	    discover_add_file(&ms, path, text, strlen(text), true) == 0) {
		discover_finish(&ms);
		long t = -1, n = -1;
		for (size_t i = 0; i < ms.nr; i++) {
			const struct migration *m = ms.v[i];
			if (m->up && !strcmp(m->up->path, target->up->path))
				t = (long)i;
			if ((m->up && !strcmp(m->up->path, path)) || (m->down && !strcmp(m->down->path, path)))
				n = (long)i;
		}
		/* n == t: the target's own down, new */
		ok = ms.dirs.nr == 1 && t >= 0 && n >= t;
	}
	migration_set_release(&ms);
	return ok;
}

static bool is_script_of(const struct migration *m, const char *path)
{
	return (m->up && !strcmp(m->up->path, path)) || (m->down && !strcmp(m->down->path, path));
}

/* NULL when the model may write `path`, else why not (malloc'd). */
static char *out_of_scope(const struct draft_ctx *ctx, const char *path, const char *text)
{
	const struct migration *target = ctx->ms->v[ctx->target];
	if (is_script_of(target, path))
		return NULL;
	for (size_t i = 0; i < ctx->ms->nr; i++)
		if (i != ctx->target && is_script_of(ctx->ms->v[i], path))
			return xstrfmt("'%s' is another migration%s: the model may write only '%s' "
				       "and new migrations after it", path,
				       ctx->ms->v[i]->pending ? "" : ", one the base branch has",
				       target->up->path);
	if (access(path, F_OK) == 0)
		return xstrfmt("'%s' is an existing file, not the migration under review ('%s')",
			       path, target->up->path);
	if (!applies_after(target, path, text))
		return xstrfmt("'%s' is not a new migration after '%s' in its directory", path,
			       target->up->path);
	return NULL;
}

/* Is this line, trimmed, a line of the target migration's own scripts? */
static bool original_line(const struct migration *m, const char *line, size_t len)
{
	const struct script *sc[2] = { m->up, m->down };
	for (int k = 0; k < 2; k++)
		for (const char *p = sc[k] ? sc[k]->text : NULL; p && *p;) {
			size_t n = strcspn(p, "\n");
			if (n == len && !memcmp(p, line, len))
				return true;
			p += n + (p[n] == '\n');
		}
	return false;
}

/* Takes the ignore comments the model added out of f's text, naming each in the notes. */
static void strip_ignores(const struct draft_ctx *ctx, struct draft *d, struct draft_file *f)
{
	struct script *sc = script_new(f->path, f->text, strlen(f->text));
	struct file_report fr;
	struct strlist drop = STRLIST_INIT;
	memset(&fr, 0, sizeof(fr));
	parse_script(sc, &fr);
	ignores_scan(&fr, sc);
	for (size_t i = 0; i < fr.nr_ignores; i++)
		strlist_add_nodup(&drop, xstrfmt("%d", fr.ignores[i].line));
	struct strbuf out = STRBUF_INIT;
	int line = 1;
	for (const char *p = f->text; *p; line++) {
		size_t n = strcspn(p, "\n");
		char *num = xstrfmt("%d", line);
		const char *s = p;
		size_t len = n;
		while (len && (*s == ' ' || *s == '\t'))
			s++, len--;
		if (strlist_has(&drop, num) && !original_line(ctx->ms->v[ctx->target], p, n))
			strlist_add_nodup(&d->notes, xstrfmt("the model's ignore comment was removed "
							     "(%s:%d: %.*s): the draft is judged on "
							     "what it does", f->path, line, (int)len, s));
		else
			strbuf_add(&out, p, n + (p[n] == '\n'));
		free(num);
		p += n + (p[n] == '\n');
	}
	free(f->text);
	f->text = strbuf_detach(&out, NULL);
	strlist_clear(&drop);
	file_report_release(&fr);
	script_free(sc);
}

int llm_parse_answer(const char *answer, const struct draft_ctx *ctx, struct draft *d)
{
	const char *p = answer;
	char *name = NULL;
	struct strbuf body = STRBUF_INIT;
	while (*p) {
		size_t len = strcspn(p, "\n");
		if (!name) {
			name = fence_name(p, len);
			if (name && !safe_path(name)) {
				draft_fail(d, "the model named an unsafe file '%s' (must be a relative "
					   ".sql path inside the repository)", name);
				free(name);
				strbuf_release(&body);
				return -1;
			}
		} else if (len >= 3 && !strncmp(p, "```", 3)) {
			for (size_t i = 0; i < d->nr; i++)
				if (!strcmp(d->files[i].path, name)) {
					draft_fail(d, "the model wrote '%s' twice", name);
					free(name);
					strbuf_release(&body);
					return -1;
				}
			char *why = ctx ? out_of_scope(ctx, name, body.buf) : NULL;
			if (why) {
				draft_fail(d, "%s", why);
				free(why);
				free(name);
				strbuf_release(&body);
				return -1;
			}
			struct draft_file *f = draft_add_file(d, name, strbuf_detach(&body, NULL),
							      "drafted by the model", true);
			if (ctx)
				strip_ignores(ctx, d, f);
			f->replaces = access(name, F_OK) == 0;
			if (strstr(f->text, "+goose NO TRANSACTION") || strstr(f->text, "transaction:false") ||
			    !strncmp(f->text, "-- no-transaction", 17))
				f->no_txn = true;
			if (ends_with(name, ".down.sql") || ends_with(name, "/down.sql"))
				f->dir = DIR_DOWN;
			free(name);
			name = NULL;
		} else {
			strbuf_add(&body, p, len);
			strbuf_addch(&body, '\n');
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	strbuf_release(&body);
	if (name) {
		draft_fail(d, "the answer stopped inside the fence of '%s'", name);
		free(name);
		return -1;
	}
	if (!d->nr) {
		draft_fail(d, "the answer holds no ```sql file=PATH fence");
		return -1;
	}
	return (int)d->nr;
}

void llm_draft_finish(const struct llm_config *cfg, const struct draft_ctx *ctx,
		      const char *answer, struct draft *d)
{
	free(d->origin);
	d->origin = xstrfmt("llm %s %s", llm_provider_name(cfg->provider), cfg->model);
	free(d->title);
	d->title = xstrfmt("model draft for %s", ctx->ms->v[ctx->target]->up->path);
	llm_parse_answer(answer, ctx, d);
}

int llm_draft_run(const struct llm_config *cfg, const struct draft_ctx *ctx, struct draft *d,
		  FILE *echo, struct strbuf *err)
{
	struct strbuf sys = STRBUF_INIT, user = STRBUF_INIT, chunk = STRBUF_INIT;
	struct llm_stream *s;
	int r, ret = 0;

	llm_prompt(ctx, &sys, &user);
	s = llm_stream_start(cfg, sys.buf, user.buf, err);
	strbuf_release(&sys);
	strbuf_release(&user);
	if (!s)
		return -1;
	do {
		struct pollfd fds[8];
		int timeout, n = llm_stream_fds(s, fds, 8, &timeout);
		if (n || timeout)
			poll(fds, (nfds_t)n, timeout);
		r = llm_stream_perform(s, echo ? &chunk : NULL);
		if (echo && chunk.len) {
			/* the answer as it arrives, as the workbench shows it; control bytes left out */
			for (size_t i = 0; i < chunk.len; i++)
				if ((unsigned char)chunk.buf[i] >= 0x20 || chunk.buf[i] == '\n' ||
				    chunk.buf[i] == '\t')
					fputc(chunk.buf[i], echo);
			fflush(echo);
			strbuf_reset(&chunk);
		}
	} while (r > 0);
	if (echo)
		fputs("\n", echo);
	strbuf_release(&chunk);
	if (r < 0) {
		strbuf_addstr(err, llm_stream_error(s));
		ret = -1;
	} else {
		llm_draft_finish(cfg, ctx, llm_stream_text(s), d);
	}
	llm_stream_free(s);
	return ret;
}
