/*
 * provider.c - the three chat APIs sluice speaks.
 *
 *   openai     POST .../v1/chat/completions, "Authorization: Bearer KEY";
 *              SSE lines "data: {choices:[{delta:{content}}]}", "data: [DONE]"
 *   anthropic  POST .../v1/messages, "x-api-key", "anthropic-version";
 *              SSE "data: {type:content_block_delta, delta:{text}}",
 *              ends with {type:message_stop}
 *   ollama     POST .../api/chat; NDJSON {message:{content}, done}
 *
 * Temperature 0: a draft should be as repeatable as the model allows.
 */
#include "provider.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static cJSON *messages(const char *system, const char *user, bool with_system)
{
	cJSON *msgs = cJSON_CreateArray(), *m;
	if (with_system) {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "role", "system");
		cJSON_AddStringToObject(m, "content", system);
		cJSON_AddItemToArray(msgs, m);
	}
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", "user");
	cJSON_AddStringToObject(m, "content", user);
	cJSON_AddItemToArray(msgs, m);
	return msgs;
}

char *llm_request_body(const struct llm_config *cfg, const char *system, const char *user)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "model", cfg->model);
	cJSON_AddBoolToObject(o, "stream", 1);
	switch (cfg->provider) {
	case LLM_ANTHROPIC:
		cJSON_AddNumberToObject(o, "max_tokens", 8192);
		cJSON_AddNumberToObject(o, "temperature", 0);
		cJSON_AddStringToObject(o, "system", system);
		cJSON_AddItemToObject(o, "messages", messages(system, user, false));
		break;
	case LLM_OLLAMA: {
		cJSON *opts = cJSON_CreateObject();
		cJSON_AddNumberToObject(opts, "temperature", 0);
		cJSON_AddItemToObject(o, "options", opts);
		cJSON_AddItemToObject(o, "messages", messages(system, user, true));
		break;
	}
	default:
		cJSON_AddNumberToObject(o, "temperature", 0);
		cJSON_AddItemToObject(o, "messages", messages(system, user, true));
		break;
	}
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	char *r = xstrdup(s);
	cJSON_free(s);
	return r;
}

struct curl_slist *llm_request_headers(const struct llm_config *cfg)
{
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, "Content-Type: application/json");
	if (cfg->provider != LLM_OLLAMA)
		h = curl_slist_append(h, "Accept: text/event-stream");
	if (cfg->key) {
		char *line = cfg->provider == LLM_ANTHROPIC ? xstrfmt("x-api-key: %s", cfg->key)
							    : xstrfmt("Authorization: Bearer %s", cfg->key);
		h = curl_slist_append(h, line);
		memset(line, 0, strlen(line));
		free(line);
	}
	if (cfg->provider == LLM_ANTHROPIC)
		h = curl_slist_append(h, "anthropic-version: 2023-06-01");
	return h;
}

static void add_json_error(const cJSON *err, struct strbuf *why)
{
	const cJSON *m = cJSON_IsObject(err) ? cJSON_GetObjectItemCaseSensitive(err, "message") : err;
	strbuf_addstr(why, cJSON_IsString(m) ? m->valuestring : "unknown error");
}

/* Did the model stop at its output limit? `why` names the field and value. */
static const cJSON *tree_get(const cJSON *j, const char *a, const char *b)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, a), b);
}

static bool cut_short(const cJSON *reason, const char *limit, const char *field, struct strbuf *why)
{
	if (!cJSON_IsString(reason) || strcmp(reason->valuestring, limit))
		return false;
	strbuf_addf(why, "%s: %s", field, limit);
	return true;
}

static enum llm_event take_openai(const cJSON *j, struct strbuf *text, struct strbuf *why)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (err) {
		add_json_error(err, why);
		return LLM_EV_ERROR;
	}
	const cJSON *choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "choices"), 0);
	const cJSON *delta = cJSON_GetObjectItemCaseSensitive(choice, "delta");
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(delta, "content");
	bool got = cJSON_IsString(content) && content->valuestring[0];
	if (got)
		strbuf_addstr(text, content->valuestring);
	if (cut_short(cJSON_GetObjectItemCaseSensitive(choice, "finish_reason"), "length",
		      "finish_reason", why))
		return LLM_EV_CUT;
	return got ? LLM_EV_TEXT : LLM_EV_NONE;
}

static enum llm_event take_anthropic(const cJSON *j, struct strbuf *text, struct strbuf *why)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
	const char *t = cJSON_IsString(type) ? type->valuestring : "";
	if (!strcmp(t, "message_stop"))
		return LLM_EV_DONE;
	if (!strcmp(t, "error")) {
		add_json_error(cJSON_GetObjectItemCaseSensitive(j, "error"), why);
		return LLM_EV_ERROR;
	}
	if (!strcmp(t, "message_delta") &&
	    cut_short(tree_get(j, "delta", "stop_reason"), "max_tokens", "stop_reason", why))
		return LLM_EV_CUT;
	if (!strcmp(t, "content_block_delta")) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "delta");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(d, "text");
		if (cJSON_IsString(s)) {
			strbuf_addstr(text, s->valuestring);
			return LLM_EV_TEXT;
		}
	}
	return LLM_EV_NONE;
}

static enum llm_event take_ollama(const cJSON *j, struct strbuf *text, struct strbuf *why)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (err) {
		add_json_error(err, why);
		return LLM_EV_ERROR;
	}
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "message");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(msg, "content");
	if (cJSON_IsString(c))
		strbuf_addstr(text, c->valuestring);
	if (cut_short(cJSON_GetObjectItemCaseSensitive(j, "done_reason"), "length", "done_reason", why))
		return LLM_EV_CUT;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "done")))
		return LLM_EV_DONE;
	return LLM_EV_TEXT;
}

enum llm_event llm_parse_line(enum llm_provider p, const char *line, size_t len,
			      struct strbuf *text, struct strbuf *why)
{
	const char *data = line;
	size_t dlen = len;
	if (!len)
		return LLM_EV_NONE;
	if (p != LLM_OLLAMA) {
		/* SSE: only data lines carry anything; "event:", "id:", ":" comments do not */
		if (len < 5 || strncmp(line, "data:", 5))
			return LLM_EV_NONE;
		data = line + 5;
		dlen = len - 5;
		while (dlen && (*data == ' ' || *data == '\t')) {
			data++;
			dlen--;
		}
		if (p == LLM_OPENAI && dlen == 6 && !strncmp(data, "[DONE]", 6))
			return LLM_EV_DONE;
	}
	cJSON *j = cJSON_ParseWithLength(data, dlen);
	if (!j || !cJSON_IsObject(j)) {
		strbuf_addf(why, "a %s line does not parse: '%.40s%s'",
			    p == LLM_OLLAMA ? "NDJSON" : "data", data, dlen > 40 ? "..." : "");
		cJSON_Delete(j);
		return LLM_EV_BAD_JSON;
	}
	enum llm_event ev = p == LLM_ANTHROPIC ? take_anthropic(j, text, why)
			  : p == LLM_OLLAMA ? take_ollama(j, text, why) : take_openai(j, text, why);
	cJSON_Delete(j);
	return ev;
}

int llm_parse_whole(enum llm_provider p, const char *body, struct strbuf *text)
{
	cJSON *j = cJSON_Parse(body);
	const cJSON *c = NULL;
	if (!j)
		return -1;
	if (p == LLM_OPENAI) {
		const cJSON *choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "choices"), 0);
		c = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(choice, "message"),
						     "content");
	} else if (p == LLM_ANTHROPIC) {
		const cJSON *block = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "content"), 0);
		c = cJSON_GetObjectItemCaseSensitive(block, "text");
	}
	int r = -1;
	if (cJSON_IsString(c)) {
		strbuf_addstr(text, c->valuestring);
		r = 0;
	}
	cJSON_Delete(j);
	return r;
}

char *llm_error_message(const char *body)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *j = cJSON_Parse(body);
	const cJSON *e = j ? cJSON_GetObjectItemCaseSensitive(j, "error") : NULL;
	if (e) {
		add_json_error(e, &sb);
	} else {
		size_t n = strcspn(body, "\r\n");
		strbuf_add(&sb, body, n);
	}
	cJSON_Delete(j);
	strbuf_trim(&sb);
	if (sb.len > 120) {
		sb.len = 117;
		strbuf_addstr(&sb, "...");
	}
	return strbuf_detach(&sb, NULL);
}

void llm_scrub(struct strbuf *sb, const char *key)
{
	for (size_t i = 0; i < sb->len; i++)
		if ((unsigned char)sb->buf[i] < 0x20 || sb->buf[i] == 0x7f)
			sb->buf[i] = ' ';
	if (!key || strlen(key) < 4)
		return;
	char *hit;
	size_t kl = strlen(key);
	while ((hit = strstr(sb->buf, key))) {
		struct strbuf out = STRBUF_INIT;
		strbuf_add(&out, sb->buf, (size_t)(hit - sb->buf));
		strbuf_addstr(&out, "[key]");
		strbuf_addstr(&out, hit + kl);
		strbuf_release(sb);
		*sb = out;
	}
}
