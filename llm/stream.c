/*
 * stream.c - one streamed chat request through curl's multi interface.
 *
 * curl tells us which sockets it wants watched and when its next timeout
 * is (CURLMOPT_SOCKETFUNCTION / TIMERFUNCTION); llm_stream_fds() hands
 * those to the caller's poll(), and llm_stream_perform() lets curl act on
 * whatever is ready, never blocking, so the workbench stays responsive and
 * Esc can cancel. The body is read line by line: server-sent events for
 * OpenAI-compatible servers and Anthropic, NDJSON for Ollama. A stream is
 * complete only when its terminator arrived ([DONE], message_stop,
 * "done":true); anything else is reported as cut off.
 */
#include <config.h>

#include "llm.h"
#include "provider.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SOCKS 8
#define MAX_ERROR_BODY (64 * 1024)

struct llm_stream {
	const struct llm_config *cfg;
	CURLM *multi;
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	struct { curl_socket_t fd; int what; } socks[MAX_SOCKS];
	int nsocks;
	double timer_at;          /* when curl wants its timeout action; 0 none */
	double retry_at;          /* waiting out a 429; 0 none */
	double deadline;          /* the whole request, retries included */
	int retries;
	long retry_after_ms;
	long status;
	size_t received;
	struct strbuf line;       /* an incomplete line of the stream */
	struct strbuf text;       /* the answer so far */
	struct strbuf errbody;    /* body of an HTTP error */
	size_t reported;          /* text handed out by perform */
	bool done, finished, attached, saw_stream;
	char *error;
};

static double now(void)
{
	return now_seconds();
}

const char *llm_stream_error(const struct llm_stream *s)
{
	return s->error;
}

const char *llm_stream_text(const struct llm_stream *s)
{
	return s->text.buf;
}

/* A message for the user: one line, no control bytes, and never the key. */
static void set_error(struct llm_stream *s, const char *fmt, ...) ATTR_PRINTF(2, 3);
static void set_error(struct llm_stream *s, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	if (s->error)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	llm_scrub(&sb, s->cfg->key);
	llm_scrub(&sb, s->cfg->url_password);
	s->error = strbuf_detach(&sb, NULL);
}

static const char *host_of(const struct llm_stream *s)
{
	return s->cfg->shown_url ? s->cfg->shown_url : s->cfg->url;
}

/* --- curl callbacks -------------------------------------------------------- */

static int on_socket(CURL *e, curl_socket_t fd, int what, void *data, void *sockp)
{
	struct llm_stream *s = data;
	(void)e;
	(void)sockp;
	for (int i = 0; i < s->nsocks; i++) {
		if (s->socks[i].fd != fd)
			continue;
		if (what == CURL_POLL_REMOVE)
			s->socks[i] = s->socks[--s->nsocks];
		else
			s->socks[i].what = what;
		return 0;
	}
	if (what != CURL_POLL_REMOVE && s->nsocks < MAX_SOCKS) {
		s->socks[s->nsocks].fd = fd;
		s->socks[s->nsocks].what = what;
		s->nsocks++;
	}
	return 0;
}

static int on_timer(CURLM *m, long ms, void *data)
{
	struct llm_stream *s = data;
	(void)m;
	s->timer_at = ms < 0 ? 0 : now() + ms / 1000.0;
	return 0;
}

static size_t on_header(char *buf, size_t size, size_t n, void *data)
{
	struct llm_stream *s = data;
	size_t len = size * n;
	if (len > 12 && !strncasecmp(buf, "retry-after:", 12)) {
		long secs = strtol(buf + 12, NULL, 10);
		s->retry_after_ms = secs > 0 ? secs * 1000 : 1000;
	}
	return len;
}

static void take_line(struct llm_stream *s, const char *line, size_t len)
{
	struct strbuf why = STRBUF_INIT;
	enum llm_event ev = llm_parse_line(s->cfg->provider, line, len, &s->text, &why);
	if (ev != LLM_EV_NONE)
		s->saw_stream = true;
	if (ev == LLM_EV_DONE)
		s->done = true;
	else if (ev == LLM_EV_BAD_JSON)
		set_error(s, "llm: invalid JSON in the answer from %s: %s", host_of(s), why.buf);
	else if (ev == LLM_EV_ERROR)
		set_error(s, "llm: %s reported an error mid-answer: %s", host_of(s), why.buf);
	else if (ev == LLM_EV_CUT)
		set_error(s, "llm: the answer from %s was cut short at the model's output limit "
			  "(%s): not used; raise the model's limit or draft a smaller migration",
			  host_of(s), why.buf);
	strbuf_release(&why);
}

static size_t on_body(char *buf, size_t size, size_t n, void *data)
{
	struct llm_stream *s = data;
	size_t len = size * n;
	s->received += len;
	if (s->received > s->cfg->max_bytes) {
		set_error(s, "llm: the answer from %s is larger than %zu MB; stopped reading it",
			  host_of(s), s->cfg->max_bytes >> 20 ? s->cfg->max_bytes >> 20 : 1);
		return 0;  /* aborts the transfer */
	}
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
	if (s->status >= 400) {
		if (s->errbody.len < MAX_ERROR_BODY)
			strbuf_add(&s->errbody, buf, len);
		return len;
	}
	strbuf_add(&s->line, buf, len);
	char *start = s->line.buf, *nl;
	while ((nl = memchr(start, '\n', s->line.len - (size_t)(start - s->line.buf)))) {
		size_t l = (size_t)(nl - start);
		if (l && start[l - 1] == '\r')
			l--;
		take_line(s, start, l);
		start = nl + 1;
		if (s->error)
			return 0;
	}
	size_t rest = s->line.len - (size_t)(start - s->line.buf);
	memmove(s->line.buf, start, rest);
	s->line.len = rest;
	s->line.buf[rest] = '\0';
	return len;
}

/* --- the request ---------------------------------------------------------- */

static int attach(struct llm_stream *s)
{
	long left = (long)((s->deadline - now()) * 1000);
	if (left <= 0)
		left = 1;
	s->easy = curl_easy_init();
	if (!s->easy)
		return -1;
	curl_easy_setopt(s->easy, CURLOPT_URL, s->cfg->url);
	curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, left);
	curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS, left < 10000 ? left : 10000L);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->easy, CURLOPT_USERAGENT, "sluice/" PACKAGE_VERSION);
	curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	s->status = 0;
	s->retry_after_ms = 0;
	strbuf_reset(&s->errbody);
	strbuf_reset(&s->line);
	if (curl_multi_add_handle(s->multi, s->easy) != CURLM_OK)
		return -1;
	s->attached = true;
	return 0;
}

static void detach(struct llm_stream *s)
{
	if (s->attached)
		curl_multi_remove_handle(s->multi, s->easy);
	s->attached = false;
	if (s->easy)
		curl_easy_cleanup(s->easy);
	s->easy = NULL;
	s->nsocks = 0;
	s->timer_at = 0;
}

struct llm_stream *llm_stream_start(const struct llm_config *cfg, const char *system,
				    const char *user, struct strbuf *err)
{
	static bool curl_ready;
	struct llm_stream *s;
	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = true;
	}
	s = xcalloc(1, sizeof(*s));
	s->cfg = cfg;
	s->body = llm_request_body(cfg, system, user);
	s->headers = llm_request_headers(cfg);
	s->deadline = now() + cfg->timeout_ms / 1000.0;
	s->multi = curl_multi_init();
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
	if (attach(s) < 0) {
		strbuf_addstr(err, "llm: cannot start a request (curl)");
		llm_stream_free(s);
		return NULL;
	}
	return s;
}

int llm_stream_fds(struct llm_stream *s, struct pollfd *fds, int max, int *timeout_ms)
{
	int n = 0;
	double t = 0, at = s->retry_at ? s->retry_at : s->timer_at;
	if (s->finished) {
		*timeout_ms = 0;
		return 0;
	}
	for (int i = 0; i < s->nsocks && n < max && !s->retry_at; i++) {
		fds[n].fd = s->socks[i].fd;
		fds[n].events = (short)(((s->socks[i].what & CURL_POLL_IN) ? POLLIN : 0) |
					((s->socks[i].what & CURL_POLL_OUT) ? POLLOUT : 0));
		fds[n].revents = 0;
		n++;
	}
	if (at)
		t = at - now();
	if (!at)
		*timeout_ms = 100;  /* curl set no timer: look again soon */
	else
		*timeout_ms = t <= 0 ? 0 : (int)(t * 1000) + 1;
	return n;
}

static void finish_http_error(struct llm_stream *s)
{
	char *msg = llm_error_message(s->errbody.buf);
	if (s->status == 401 || s->status == 403)
		set_error(s, "llm: %s rejected the key (HTTP %ld): check sluice.llm.keyEnv or "
			  "sluice.llm.keyFile", host_of(s), s->status);
	else if (s->status >= 500)
		set_error(s, "llm: server error from %s (HTTP %ld)%s%s", host_of(s), s->status,
			  *msg ? ": " : "", msg);
	else
		set_error(s, "llm: %s answered HTTP %ld%s%s", host_of(s), s->status, *msg ? ": " : "", msg);
	free(msg);
}

/* 429: wait as told (bounded) and try again, a few times. */
static bool schedule_retry(struct llm_stream *s)
{
	long wait = s->retry_after_ms ? s->retry_after_ms : 1000;
	if (s->retries >= s->cfg->max_retries || wait > s->cfg->max_retry_wait_ms ||
	    now() + wait / 1000.0 > s->deadline)
		return false;
	s->retries++;
	s->retry_at = now() + wait / 1000.0;
	return true;
}

static void on_done(struct llm_stream *s, CURLcode rc)
{
	long status = 0;
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status)
		s->status = status;
	if (s->error) {
		/* set by a callback: invalid JSON, too large */
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		set_error(s, "llm: no complete answer from %s within %ld s (timeout)", host_of(s),
			  s->cfg->timeout_ms / 1000);
	} else if (rc == CURLE_COULDNT_CONNECT) {
		set_error(s, "llm: cannot connect to %s: connection refused (is the server running?)",
			  host_of(s));
	} else if (rc == CURLE_COULDNT_RESOLVE_HOST) {
		set_error(s, "llm: cannot resolve the host of %s", host_of(s));
	} else if (s->status == 429) {
		detach(s);
		if (schedule_retry(s))
			return;
		set_error(s, "llm: rate limited by %s (HTTP 429) after %d retr%s; try again later",
			  host_of(s), s->retries, s->retries == 1 ? "y" : "ies");
	} else if (s->status >= 400) {
		finish_http_error(s);
	} else if (rc != CURLE_OK) {
		set_error(s, "llm: %s: %s%s", host_of(s), curl_easy_strerror(rc),
			  rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR ?
			  " (the answer stopped half way)" : "");
	} else {
		if (s->line.len)
			take_line(s, s->line.buf, s->line.len);
		if (!s->done && !s->saw_stream && !s->error) {
			/* a server that ignored "stream": one JSON answer */
			if (llm_parse_whole(s->cfg->provider, s->line.buf, &s->text) == 0)
				s->done = true;
		}
		if (!s->done && !s->error)
			set_error(s, "llm: the answer from %s stopped half way (the stream ended "
				  "before its end marker); nothing was applied", host_of(s));
	}
	detach(s);
	s->finished = true;
}

int llm_stream_perform(struct llm_stream *s, struct strbuf *chunk)
{
	int running = 0;
	if (s->finished)
		return s->error ? -1 : 0;
	if (s->retry_at) {
		if (now() < s->retry_at)
			return 1;
		s->retry_at = 0;
		if (attach(s) < 0) {
			set_error(s, "llm: cannot restart the request (curl)");
			s->finished = true;
			return -1;
		}
	}
	struct pollfd fds[MAX_SOCKS];
	int n = 0;
	for (int i = 0; i < s->nsocks; i++, n++) {
		fds[n].fd = s->socks[i].fd;
		fds[n].events = POLLIN | POLLOUT;
		fds[n].revents = 0;
	}
	if (n)
		poll(fds, (nfds_t)n, 0);
	for (int i = 0; i < n && s->attached; i++) {
		int mask = 0;
		if (fds[i].revents & POLLIN)
			mask |= CURL_CSELECT_IN;
		if (fds[i].revents & POLLOUT)
			mask |= CURL_CSELECT_OUT;
		if (fds[i].revents & (POLLERR | POLLHUP))
			mask |= CURL_CSELECT_ERR;
		if (mask)
			curl_multi_socket_action(s->multi, fds[i].fd, mask, &running);
	}
	if (s->attached && (!s->timer_at || now() >= s->timer_at || !n))
		curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	if (chunk && s->text.len > s->reported)
		strbuf_add(chunk, s->text.buf + s->reported, s->text.len - s->reported);
	s->reported = s->text.len;

	CURLMsg *msg;
	int left;
	while (s->attached && (msg = curl_multi_info_read(s->multi, &left)))
		if (msg->msg == CURLMSG_DONE) {
			on_done(s, msg->data.result);
			break;
		}
	if (!s->finished)
		return 1;
	return s->error ? -1 : 0;
}

void llm_stream_cancel(struct llm_stream *s)
{
	if (!s || s->finished)
		return;
	detach(s);
	set_error(s, "llm: cancelled");
	s->finished = true;
}

void llm_stream_free(struct llm_stream *s)
{
	if (!s)
		return;
	detach(s);
	if (s->multi)
		curl_multi_cleanup(s->multi);
	curl_slist_free_all(s->headers);
	free(s->body);
	free(s->error);
	strbuf_release(&s->line);
	strbuf_release(&s->text);
	strbuf_release(&s->errbody);
	free(s);
}
