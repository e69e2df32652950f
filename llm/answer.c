/*
 * answer.c - from a model's answer to a draft, and the CLI's blocking run.
 *
 * Only ```sql file=PATH fences count. A path must be relative, stay inside
 * the repository (no "..", no absolute path) and end in .sql; a file named
 * twice, an unterminated fence or an answer without any fence makes the
 * draft fail with the reason, so a chatty or truncated answer can never be
 * accepted by mistake.
 */
#include "llm.h"
#include "draft.h"

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

int llm_parse_answer(const char *answer, const struct draft_ctx *ctx, struct draft *d)
{
	const char *p = answer;
	char *name = NULL;
	struct strbuf body = STRBUF_INIT;
	(void)ctx;
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
			struct draft_file *f = draft_add_file(d, name, strbuf_detach(&body, NULL),
							      "drafted by the model", true);
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
		  struct strbuf *err)
{
	struct strbuf sys = STRBUF_INIT, user = STRBUF_INIT;
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
		r = llm_stream_perform(s, NULL);
	} while (r > 0);
	if (r < 0) {
		strbuf_addstr(err, llm_stream_error(s));
		ret = -1;
	} else {
		llm_draft_finish(cfg, ctx, llm_stream_text(s), d);
	}
	llm_stream_free(s);
	return ret;
}
