/*
 * unit-llm.c - the LLM client's pieces on their own: stream lines of each
 * API, answers with and without proper fences, key scrubbing, endpoint
 * URLs from settings, and the poll() driving API against a socket that
 * accepts and never answers (descriptors handed out, Esc cancels).
 */
#include "../llm/llm.h"
#include "../llm/provider.h"
#include "draft.h"
#include "tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static void test_lines(void)
{
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	const char *l;

	l = "data: {\"choices\":[{\"delta\":{\"content\":\"CREATE\"}}]}";
	is_int(llm_parse_line(LLM_OPENAI, l, strlen(l), &text, &why), LLM_EV_TEXT, "openai: text");
	l = "data: [DONE]";
	is_int(llm_parse_line(LLM_OPENAI, l, strlen(l), &text, &why), LLM_EV_DONE, "openai: [DONE]");
	l = ": keep-alive";
	is_int(llm_parse_line(LLM_OPENAI, l, strlen(l), &text, &why), LLM_EV_NONE, "SSE comment ignored");
	l = "event: content_block_delta";
	is_int(llm_parse_line(LLM_ANTHROPIC, l, strlen(l), &text, &why), LLM_EV_NONE, "event line ignored");
	l = "data: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\" INDEX\"}}";
	is_int(llm_parse_line(LLM_ANTHROPIC, l, strlen(l), &text, &why), LLM_EV_TEXT, "anthropic: text");
	l = "data: {\"type\":\"message_stop\"}";
	is_int(llm_parse_line(LLM_ANTHROPIC, l, strlen(l), &text, &why), LLM_EV_DONE, "anthropic: stop");
	l = "{\"message\":{\"content\":\" x\"},\"done\":false}";
	is_int(llm_parse_line(LLM_OLLAMA, l, strlen(l), &text, &why), LLM_EV_TEXT, "ollama: text");
	l = "{\"message\":{\"content\":\"\"},\"done\":true}";
	is_int(llm_parse_line(LLM_OLLAMA, l, strlen(l), &text, &why), LLM_EV_DONE, "ollama: done");
	is_str(text.buf, "CREATE INDEX x", "text assembled across APIs");
	l = "data: {\"choices\":";
	is_int(llm_parse_line(LLM_OPENAI, l, strlen(l), &text, &why), LLM_EV_BAD_JSON, "truncated JSON");
	strbuf_reset(&why);
	l = "data: {\"type\":\"error\",\"error\":{\"message\":\"overloaded\"}}";
	is_int(llm_parse_line(LLM_ANTHROPIC, l, strlen(l), &text, &why), LLM_EV_ERROR, "anthropic error event");
	is_str(why.buf, "overloaded", "error message kept");
	strbuf_release(&text);
	strbuf_release(&why);
}

static void test_answer(void)
{
	struct draft d;
	draft_init(&d);
	is_int(llm_parse_answer("Sure.\n```sql file=db/1.up.sql\nSELECT 1;\n```\nand\n"
				"```sql file=\"db/1.down.sql\"\nSELECT 2;\n```\n", NULL, &d), 2, "two fences");
	is_str(d.files[0].text, "SELECT 1;\n", "fence body");
	is_int(d.files[1].dir, DIR_DOWN, "a .down.sql is a down");
	draft_release(&d);
	draft_init(&d);
	is_int(llm_parse_answer("```sql file=/etc/x.sql\nSELECT 1;\n```\n", NULL, &d), -1, "absolute path refused");
	draft_release(&d);
	draft_init(&d);
	is_int(llm_parse_answer("```sql file=a.sql\nSELECT 1;\n```\n```sql file=a.sql\nSELECT 2;\n```\n",
				NULL, &d), -1, "a file twice refused");
	ok(d.failed && strstr(d.failed, "twice"), "says twice");
	draft_release(&d);
	draft_init(&d);
	is_int(llm_parse_answer("```sql file=a.sql\nSELECT 1;\n", NULL, &d), -1, "unterminated fence");
	draft_release(&d);
	draft_init(&d);
	is_int(llm_parse_answer("```sql\nSELECT 1;\n```\n", NULL, &d), -1, "fence without a file name");
	draft_release(&d);
}

static void test_scrub_and_config(void)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "bad key sk-123456 and again sk-123456\n");
	llm_scrub(&sb, "sk-123456");
	is_str(sb.buf, "bad key [key] and again [key] ", "key scrubbed, newline cleaned");
	strbuf_release(&sb);

	struct config c;
	struct llm_config lc;
	struct strbuf err = STRBUF_INIT;
	config_init(&c);
	config_set(&c, "sluice.llm.model", "m", "test");
	config_set(&c, "sluice.llm.url", "http://127.0.0.1:8000/v1/", "test");
	ok(llm_config_load(&c, &lc, &err) == 0, "openai-compatible with a url needs no key");
	is_str(lc.url, "http://127.0.0.1:8000/v1/chat/completions", "vLLM-style base url");
	llm_config_release(&lc);
	config_release(&c);

	config_init(&c);
	config_set(&c, "sluice.llm.provider", "ollama", "test");
	config_set(&c, "sluice.llm.model", "llama3", "test");
	ok(llm_config_load(&c, &lc, &err) == 0, "ollama defaults");
	is_str(lc.url, "http://127.0.0.1:11434/api/chat", "ollama endpoint");
	llm_config_release(&lc);
	config_release(&c);

	config_init(&c);
	config_set(&c, "sluice.llm.provider", "bard", "test");
	config_set(&c, "sluice.llm.model", "x", "test");
	ok(llm_config_load(&c, &lc, &err) < 0 && strstr(err.buf, "unknown sluice.llm.provider 'bard'"),
	   "unknown provider named");
	config_release(&c);
	strbuf_release(&err);
}

/* A server that accepts (the kernel does, from the backlog) and never answers. */
static void test_poll_and_cancel(void)
{
	int srv = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(srv, (struct sockaddr *)&a, sizeof(a));
	listen(srv, 4);
	getsockname(srv, (struct sockaddr *)&a, &alen);

	struct llm_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.provider = LLM_OPENAI;
	cfg.url = xstrfmt("http://127.0.0.1:%d/v1/chat/completions", ntohs(a.sin_port));
	cfg.model = xstrdup("m");
	cfg.timeout_ms = 20000;
	cfg.max_bytes = 1 << 20;
	struct strbuf err = STRBUF_INIT, chunk = STRBUF_INIT;
	struct llm_stream *s = llm_stream_start(&cfg, "sys", "user", &err);
	ok(s != NULL, "stream started");
	int max_fds = 0, r = 1;
	double t0 = now_seconds();
	while (now_seconds() - t0 < 0.5 && r > 0) {
		struct pollfd fds[8];
		int timeout, n = llm_stream_fds(s, fds, 8, &timeout);
		if (n > max_fds)
			max_fds = n;
		ok(timeout >= 0 && timeout <= 20000, "bounded poll timeout (%d ms)", timeout);
		poll(fds, (nfds_t)n, timeout > 50 ? 50 : timeout);
		r = llm_stream_perform(s, &chunk);
	}
	is_int(r, 1, "still waiting for an answer after 0.5 s: never blocked");
	ok(max_fds >= 1, "a socket was handed to poll()");
	llm_stream_cancel(s);
	is_int(llm_stream_perform(s, &chunk), -1, "cancelled stream ends");
	is_str(llm_stream_error(s), "llm: cancelled", "cancel message");
	is_int(chunk.len, 0, "no text arrived");
	llm_stream_free(s);
	free(cfg.url);
	free(cfg.model);
	strbuf_release(&err);
	strbuf_release(&chunk);
	close(srv);
}

int main(void)
{
	test_lines();
	test_answer();
	test_scrub_and_config();
	test_poll_and_cancel();
	return done_testing();
}
