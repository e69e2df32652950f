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
 * the variable or file it came from, never its value. A key file others
 * can read is refused, as ssh refuses such a private key; a password in
 * the URL (http://user:pw@host) is shown as "***"; and once a key is in
 * memory the process dumps no core (a core file would hold it).
 */
#include "llm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

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
	free(lc->model);
	free(lc->shown_url);
	/* do not leave a secret in freed memory */
	char *secrets[] = { lc->key, lc->url, lc->url_password };
	for (size_t i = 0; i < ARRAY_SIZE(secrets); i++)
		if (secrets[i]) {
			memset(secrets[i], 0, strlen(secrets[i]));
			free(secrets[i]);
		}
	memset(lc, 0, sizeof(*lc));
}

/* No core file, and no ptrace by the same user, from now on: the key is in memory. */
static void no_core_dumps(void)
{
	struct rlimit none = { 0, 0 };
	setrlimit(RLIMIT_CORE, &none);
#ifdef PR_SET_DUMPABLE
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

/*
 * The URL as messages show it: user info "user:***@". Sets *password to
 * the password part (to scrub from server answers), or NULL.
 */
static char *mask_url(const char *url, char **password)
{
	const char *auth = strstr(url, "://");
	*password = NULL;
	if (!auth)
		return xstrdup(url);
	auth += 3;
	const char *end = auth + strcspn(auth, "/?#");
	const char *at = NULL;
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (!colon)
		return xstrdup(url);
	*password = xstrndup(colon + 1, (size_t)(at - colon - 1));
	return xstrfmt("%.*s:***%s", (int)(colon - url), url, at);
}

static char *read_key_file(const char *path, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		strbuf_addf(err, "llm: cannot read the key file '%s' (sluice.llm.keyFile): %s",
			    path, strerror(errno));
		return NULL;
	}
	/* as ssh does for a private key: a key others can read is no secret */
	if (fstat(fd, &st) == 0 && (st.st_mode & 077)) {
		strbuf_addf(err, "llm: the key file '%s' (sluice.llm.keyFile) is readable by group or "
			    "others (mode %04o): chmod 600 it", path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	/* the file checked is the file read: from the same descriptor */
	char buf[4096];
	ssize_t n = 0;
	while (sb.len < 64 * 1024 && ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			strbuf_add(&sb, buf, (size_t)n);
	memset(buf, 0, sizeof(buf));
	int read_errno = n < 0 ? errno : 0;
	close(fd);
	if (read_errno) {
		strbuf_addf(err, "llm: cannot read the key file '%s' (sluice.llm.keyFile): %s",
			    path, strerror(read_errno));
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

	out->shown_url = mask_url(out->url, &out->url_password);
	if (out->url_password)
		no_core_dumps();
	if (key_file) {
		no_core_dumps();
		out->key = read_key_file(key_file, err);
		if (!out->key)
			goto fail;
	} else {
		const char *env = key_env ? key_env : providers[i].key_env;
		const char *v = env ? getenv(env) : NULL;
		if (v && *v) {
			no_core_dumps();
			out->key = xstrdup(v);
		}
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
