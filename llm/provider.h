/*
 * provider.h - what differs between the three APIs: the request body and
 * headers, and how one line of the streamed answer reads (llm/provider.c).
 */
#ifndef SLUICE_LLM_PROVIDER_H
#define SLUICE_LLM_PROVIDER_H

#include "llm.h"

struct curl_slist;

enum llm_event {
	LLM_EV_NONE,       /* nothing for us (blank, comment, event name, role delta) */
	LLM_EV_TEXT,       /* text appended */
	LLM_EV_DONE,       /* the stream's end marker */
	LLM_EV_BAD_JSON,   /* a data line that is not JSON */
	LLM_EV_ERROR,      /* the server sent an error object in the stream */
	LLM_EV_CUT,        /* the model stopped at its output limit: the answer is cut short */
};

char *llm_request_body(const struct llm_config *cfg, const char *system, const char *user);
struct curl_slist *llm_request_headers(const struct llm_config *cfg);
/* One line of the body (no newline). Text goes to `text`, problems to `why`. */
enum llm_event llm_parse_line(enum llm_provider p, const char *line, size_t len,
			      struct strbuf *text, struct strbuf *why);
/* A whole non-streamed JSON answer; 0 when text was found. */
int llm_parse_whole(enum llm_provider p, const char *body, struct strbuf *text);
/* The message of an error body ({"error":{"message":...}}), cleaned to one short line. */
char *llm_error_message(const char *body);
/* Replaces every occurrence of the key, and control bytes, in a message. */
void llm_scrub(struct strbuf *sb, const char *key);

#endif
