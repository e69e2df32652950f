/*
 * llm.h - drafts from a language model: OpenAI-compatible chat completions
 * (OpenAI, vLLM, llama.cpp server, LM Studio), Anthropic's Messages API and
 * Ollama's /api/chat, streamed.
 *
 * The stream is driven from outside so that the workbench's poll() loop
 * keeps handling keys while the answer arrives:
 *
 *	struct llm_stream *s = llm_stream_start(&cfg, system, user, &err);
 *	for (;;) {
 *		n = llm_stream_fds(s, fds, 4, &timeout_ms);   + the terminal's fd
 *		poll(fds, n, timeout_ms);
 *		r = llm_stream_perform(s, &chunk);            new text in chunk
 *		if (r <= 0) break;                            0 done, -1 failed
 *	}
 *	llm_stream_cancel(s) on Esc; llm_stream_free(s).
 *
 * Faults (timeout, refused, 401, 429 with Retry-After, 5xx, invalid JSON,
 * a stream cut half way, an answer over the size cap) end in -1 with a
 * one-line llm_stream_error(). The key is never printed, logged or put in
 * a message: every message is scrubbed of it.
 */
#ifndef SLUICE_LLM_H
#define SLUICE_LLM_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "settings.h"
#include "util.h"

struct draft;
struct draft_ctx;

enum llm_provider { LLM_OPENAI, LLM_ANTHROPIC, LLM_OLLAMA };

struct llm_config {
	enum llm_provider provider;
	char *url;            /* full endpoint URL: may hold user:password@ */
	char *shown_url;      /* the same as messages show it: user:***@ */
	char *url_password;   /* the password in it, scrubbed from messages; or NULL */
	char *model;
	char *key;            /* secret: never printed; NULL for Ollama */
	long timeout_ms;      /* whole request (sluice.llm.timeout, seconds; default 120) */
	size_t max_bytes;     /* answer size cap (sluice.llm.maxBytes; default 4 MiB) */
	int max_retries;      /* on 429 (default 2) */
	long max_retry_wait_ms; /* longest Retry-After honoured (default 30 s) */
};

/* sluice.llm.provider, url, model, keyEnv, keyFile, timeout, maxBytes. -1 with *err set. */
int llm_config_load(const struct config *c, struct llm_config *out, struct strbuf *err);
void llm_config_release(struct llm_config *lc);
const char *llm_provider_name(enum llm_provider p);

/* `cfg` must outlive the stream: the stream reads the URL and key from it. */
struct llm_stream;
struct llm_stream *llm_stream_start(const struct llm_config *cfg, const char *system,
				    const char *user, struct strbuf *err);
/* The descriptors to wait on and for how long (ms, -1 none). Returns the count filled. */
int llm_stream_fds(struct llm_stream *s, struct pollfd *fds, int max, int *timeout_ms);
/* Does whatever is ready without blocking; appends new text. 1 running, 0 done, -1 failed. */
int llm_stream_perform(struct llm_stream *s, struct strbuf *chunk);
const char *llm_stream_error(const struct llm_stream *s);
const char *llm_stream_text(const struct llm_stream *s);
void llm_stream_cancel(struct llm_stream *s);
void llm_stream_free(struct llm_stream *s);

/* The prompt for a draft of ctx's migration (llm/prompt.c). */
void llm_prompt(const struct draft_ctx *ctx, struct strbuf *system, struct strbuf *user);
/*
 * Parses an answer's ```sql file=NAME fences into d. Names must be relative
 * paths without "..". Returns the number of files, or -1 (d->failed says why).
 */
int llm_parse_answer(const char *answer, const struct draft_ctx *ctx, struct draft *d);
/*
 * After a stream ended with 0: names the draft (origin, title) and parses
 * the answer into it. The workbench then calls draft_verify() and shows it.
 */
void llm_draft_finish(const struct llm_config *cfg, const struct draft_ctx *ctx,
		      const char *answer, struct draft *d);
/*
 * Prompt, stream to the end (blocking poll loop; the CLI's), parse. The
 * answer is echoed to `echo` as it arrives when not NULL. -1 with *err set.
 */
int llm_draft_run(const struct llm_config *cfg, const struct draft_ctx *ctx, struct draft *d,
		  FILE *echo, struct strbuf *err);

#endif
