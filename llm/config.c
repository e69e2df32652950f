/*
 * config.c - which model to ask and how: the sluice.llm.* settings.
 *
 *   sluice.llm.provider   openai (default; also vLLM, llama.cpp, LM Studio),
 *                         anthropic, ollama
 *   sluice.llm.url        base or full endpoint URL
 *   sluice.llm.model      model name (required)
 *   sluice.llm.keyEnv     environment variable holding the key
 *                         (default OPENAI_API_KEY / ANTHROPIC_API_KEY)
 *   sluice.llm.keyFile    file holding the key (first line)
 *   sluice.llm.timeout    seconds for the whole answer (default 120)
 *   sluice.llm.maxBytes   answer size cap (default 4 MiB)
 *
 * The key is read here and lives only in struct llm_config: messages name
 * the variable or file it came from, never its value.
 */
#include "llm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	enum llm_provider p;
	const char *default_url, *path, *key_env;
} providers[] = {
	{ "openai", LLM_OPENAI, "https://api.openai.com/v1", "/chat/completions", "OPENAI_API_KEY" },
	{ "anthropic", LLM_ANTHROPIC, "https://api.anthropic.com", "/v1/messages", "ANTHROPIC_API_KEY" },
	{ "ollama", LLM_OLLAMA, "http://127.0.0.1:11434", "/api/chat", NULL },
};

const char *llm_provider_name(enum llm_provider p)
{
	for (size_t i = 0; i < ARRAY_SIZE(providers); i++)
		if (providers[i].p == p)
			return providers[i].name;
	return "?";
}

void llm_config_release(struct llm_config *lc)
{
	free(lc->url);
	free(lc->model);
	if (lc->key) {
		/* do not leave the secret in freed memory */
		memset(lc->key, 0, strlen(lc->key));
		free(lc->key);
	}
	memset(lc, 0, sizeof(*lc));
}

static char *read_key_file(const char *path, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	if (strbuf_read_file(&sb, path, 64 * 1024) < 0) {
		strbuf_addf(err, "llm: cannot read the key file '%s' (sluice.llm.keyFile): %s",
			    path, strerror(errno));
		strbuf_release(&sb);
		return NULL;
	}
	sb.len = strcspn(sb.buf, "\r\n");
	sb.buf[sb.len] = '\0';
	strbuf_trim(&sb);
	if (!sb.len) {
		strbuf_addf(err, "llm: the key file '%s' (sluice.llm.keyFile) is empty", path);
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

int llm_config_load(const struct config *c, struct llm_config *out, struct strbuf *err)
{
	const char *prov = config_get(c, "sluice.llm.provider");
	const char *url = config_get(c, "sluice.llm.url");
	const char *model = config_get(c, "sluice.llm.model");
	const char *key_env = config_get(c, "sluice.llm.keyEnv");
	const char *key_file = config_get(c, "sluice.llm.keyFile");
	bool url_given = url != NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < ARRAY_SIZE(providers); i++)
		if (!strcasecmp_ascii(prov ? prov : "openai", providers[i].name))
			break;
	if (i == ARRAY_SIZE(providers)) {
		strbuf_addf(err, "llm: unknown sluice.llm.provider '%s': use openai, anthropic or ollama",
			    prov);
		return -1;
	}
	if (!model || !*model) {
		strbuf_addstr(err, "llm: no model configured: set sluice.llm.model "
			      "(git config sluice.llm.model NAME)");
		return -1;
	}
	out->provider = providers[i].p;
	out->model = xstrdup(model);
	if (!url)
		url = providers[i].default_url;
	size_t ul = strlen(url);
	while (ul && url[ul - 1] == '/')
		ul--;
	const char *path = providers[i].path;
	const char *tail = strrchr(path, '/');
	if (ul >= strlen(tail) && !strncmp(url + ul - strlen(tail), tail, strlen(tail)))
		out->url = xstrndup(url, ul);          /* already the full endpoint */
	else if (out->provider == LLM_OPENAI && ul >= 3 && !strncmp(url + ul - 3, "/v1", 3))
		out->url = xstrfmt("%.*s%s", (int)ul, url, path);
	else if (out->provider == LLM_OPENAI)
		out->url = xstrfmt("%.*s/v1%s", (int)ul, url, path);
	else
		out->url = xstrfmt("%.*s%s", (int)ul, url, path);

	out->timeout_ms = (long)config_get_int(c, "sluice.llm.timeout", 120) * 1000;
	if (out->timeout_ms <= 0)
		out->timeout_ms = 120000;
	out->max_bytes = (size_t)config_get_int(c, "sluice.llm.maxBytes", 4 << 20);
	out->max_retries = 2;
	out->max_retry_wait_ms = 30000;

	if (key_file) {
		out->key = read_key_file(key_file, err);
		if (!out->key)
			goto fail;
	} else {
		const char *env = key_env ? key_env : providers[i].key_env;
		const char *v = env ? getenv(env) : NULL;
		if (v && *v)
			out->key = xstrdup(v);
		else if (key_env) {
			strbuf_addf(err, "llm: the environment variable '%s' (sluice.llm.keyEnv) is "
				    "not set", key_env);
			goto fail;
		} else if (out->provider != LLM_OLLAMA && !url_given) {
			strbuf_addf(err, "llm: no key: set %s or sluice.llm.keyEnv / sluice.llm.keyFile",
				    env);
			goto fail;
		}
	}
	return 0;
fail:
	llm_config_release(out);
	return -1;
}
