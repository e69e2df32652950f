/*
 * cmd_mcp.c - `sluice mcp`: a Model Context Protocol server on stdio, so a
 * coding agent can ask sluice about the migration it is writing.
 *
 * The transport is MCP's stdio one: one JSON-RPC 2.0 message per line on
 * stdin, one per line on stdout, nothing else on stdout (logs go to
 * stderr). Methods: initialize, ping, tools/list, tools/call; notifications
 * (no id) get no answer.
 *
 * Tools:
 *   check         SQL text or repository paths -> the JSON report of `sluice check`
 *   explain_rule  a rule id -> its severity, class, what it catches and the fix
 *   draft         a migration path and split|down|runbook -> the draft as
 *                 `sluice draft` prints it, verified (on the shadow when one is set)
 *   verify        paths -> `sluice verify` on the shadow (only with --shadow)
 *
 * Each tool runs this same sluice binary as a child with a fixed argv (no
 * shell): the answer is exactly what the CLI gives, a crash in one call
 * cannot take the server down, and the server holds no state between calls.
 * The server never writes into the repository and never commits: no tool
 * passes --out or --commit, and paths must resolve (symlinks followed)
 * inside the repository the server was started in. SQL text is judged from
 * a private temporary directory that is removed after the call. Where to
 * verify comes only from the command line (`sluice mcp --shadow URL`), never
 * from a tool call or the repository.
 */
#include <config.h>

#include "commands.h"
#include "rules.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MCP_PROTOCOL "2024-11-05"
#define MCP_MAX_LINE (16u << 20)      /* a request larger than this is refused */
#define MCP_MAX_OUTPUT (32u << 20)    /* a child's output larger than this is cut */
#define MCP_CHILD_SECONDS 300

static const char mcp_usage[] =
	"usage: sluice [-C DIR] mcp [--shadow URL]\n"
	"\n"
	"Serves the Model Context Protocol on stdin/stdout for coding agents: tools\n"
	"check, explain_rule, draft and (with --shadow) verify. Never writes files or\n"
	"commits; refuses paths outside the repository it was started in.\n"
	"\n"
	"  --shadow URL   verify drafts and migrations on this PostgreSQL server\n";

struct mcp {
	char root[PATH_MAX];      /* the repository (or directory) paths must stay in */
	char self[PATH_MAX];      /* this binary, run for each tool */
	const char *shadow;       /* --shadow URL, or NULL */
};

/* --- running sluice itself ----------------------------------------------- */

struct child_out {
	struct strbuf out, err;
	int status;               /* exit status, or -1 when it did not exit normally */
};

/* Reads the child's stdout and stderr until both close, the cap or the deadline. */
static void drain(int fds[2], struct child_out *co, time_t deadline)
{
	struct strbuf *bufs[2] = { &co->out, &co->err };
	int open_fds = 2;
	char chunk[65536];
	while (open_fds) {
		struct pollfd p[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 } };
		int left = (int)(deadline - time(NULL));
		if (left <= 0 || poll(p, 2, left * 1000) <= 0)
			break;
		for (int i = 0; i < 2; i++) {
			if (fds[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(fds[i], chunk, sizeof(chunk));
			if (n <= 0 || bufs[i]->len + (size_t)n > MCP_MAX_OUTPUT) {
				close(fds[i]);
				fds[i] = -1;
				open_fds--;
				continue;
			}
			strbuf_add(bufs[i], chunk, (size_t)n);
		}
	}
}

static int run_self(const struct mcp *m, const char *const *args, struct child_out *co)
{
	const char *argv[32];
	size_t n = 0;
	int po[2], pe[2];
	posix_spawn_file_actions_t fa;
	pid_t pid;

	argv[n++] = m->self;
	for (; *args && n < ARRAY_SIZE(argv) - 1; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	strbuf_init(&co->out, 0);
	strbuf_init(&co->err, 0);
	co->status = -1;
	if (pipe2(po, O_CLOEXEC) < 0)
		return error("mcp: pipe: %s", strerror(errno));
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return error("mcp: pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	int rc = posix_spawn(&pid, m->self, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	if (rc) {
		close(po[0]);
		close(pe[0]);
		return error("mcp: cannot run %s: %s", m->self, strerror(rc));
	}
	int fds[2] = { po[0], pe[0] };
	drain(fds, co, time(NULL) + MCP_CHILD_SECONDS);
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			kill(pid, SIGKILL);   /* over the deadline or the output cap */
		}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	co->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}

static void child_out_release(struct child_out *co)
{
	strbuf_release(&co->out);
	strbuf_release(&co->err);
}

/* --- paths ------------------------------------------------------------------ */

/*
 * `path` (relative to the root, or absolute) resolved with every symlink
 * followed; NULL with *why when it does not exist or leaves the root.
 */
static char *path_inside(const struct mcp *m, const char *path, char **why)
{
	char joined[PATH_MAX * 2], real[PATH_MAX];
	size_t rl = strlen(m->root);
	snprintf(joined, sizeof(joined), "%s%s%s", path[0] == '/' ? "" : m->root,
		 path[0] == '/' ? "" : "/", path);
	if (!realpath(joined, real)) {
		*why = xstrfmt("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (strncmp(real, m->root, rl) || (real[rl] && real[rl] != '/')) {
		*why = xstrfmt("%s: outside the repository (%s); sluice mcp only reads files in it",
			       path, m->root);
		return NULL;
	}
	return xstrdup(real[rl] ? real + rl + 1 : ".");
}

/* --- results ------------------------------------------------------------------ */

static cJSON *tool_text(const char *text, bool is_error)
{
	cJSON *res = cJSON_CreateObject();
	cJSON *content = cJSON_AddArrayToObject(res, "content");
	cJSON *item = cJSON_CreateObject();
	cJSON_AddStringToObject(item, "type", "text");
	cJSON_AddStringToObject(item, "text", text);
	cJSON_AddItemToArray(content, item);
	cJSON_AddBoolToObject(res, "isError", is_error);
	return res;
}

static cJSON *tool_error(char *why)
{
	cJSON *res = tool_text(why, true);
	free(why);
	return res;
}

/* A child's answer: its stdout, and its stderr when it failed (exit 2 or a crash). */
static cJSON *child_result(struct child_out *co, const char *what)
{
	cJSON *res;
	if (co->status == 0 || co->status == 1) {
		res = tool_text(co->out.len ? co->out.buf : "", false);
		cJSON_AddNumberToObject(res, "exitCode", co->status);
	} else {
		char *msg = xstrfmt("%s failed (%s):\n%s%s", what,
				    co->status < 0 ? "killed" : "exit 2", co->err.buf, co->out.buf);
		res = tool_text(msg, true);
		free(msg);
	}
	child_out_release(co);
	return res;
}

/* --- tools ---------------------------------------------------------------------- */

/* The "paths" argument: an array of strings, each resolved inside the root. */
static int take_paths(const struct mcp *m, const cJSON *args, struct strlist *out, char **why)
{
	const cJSON *paths = cJSON_GetObjectItemCaseSensitive(args, "paths"), *p;
	if (!cJSON_IsArray(paths) || !cJSON_GetArraySize(paths)) {
		*why = xstrdup("give \"paths\": an array of migration files or directories");
		return -1;
	}
	cJSON_ArrayForEach(p, paths) {
		char *rel;
		if (!cJSON_IsString(p) || !*p->valuestring) {
			*why = xstrdup("\"paths\" holds something that is not a path");
			return -1;
		}
		if (!(rel = path_inside(m, p->valuestring, why)))
			return -1;
		strlist_add_nodup(out, rel);
	}
	return 0;
}

static const char *string_arg(const cJSON *args, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* check: SQL text is judged from a private temporary directory. */
static cJSON *tool_check_sql(const struct mcp *m, const char *sql, const char *const *opts)
{
	char *file;
	const char *tmp = getenv("TMPDIR");
	char *tmpl = xstrfmt("%s/sluice-mcp.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	struct child_out co;
	cJSON *res;
	FILE *f;

	if (!mkdtemp(tmpl))
		return tool_error(xstrfmt("cannot make a temporary directory: %s", strerror(errno)));
	file = xstrfmt("%s/migration.sql", tmpl);
	if (!(f = fopen(file, "wx")) || fputs(sql, f) == EOF || fclose(f)) {
		res = tool_error(xstrfmt("cannot write %s: %s", file, strerror(errno)));
	} else {
		/* Run in the temporary directory, so the report names "migration.sql". */
		const char *args[16] = { "-C", tmpl, "check", "--format", "json" };
		size_t n = 5;
		for (; *opts && n < 14; opts++)
			args[n++] = *opts;
		args[n++] = "migration.sql";
		args[n] = NULL;
		run_self(m, args, &co);
		res = child_result(&co, "sluice check");
	}
	unlink(file);
	rmdir(tmpl);
	free(file);
	free(tmpl);
	return res;
}

static cJSON *tool_check(const struct mcp *m, const cJSON *args)
{
	const char *sql = string_arg(args, "sql"), *pg = string_arg(args, "pg_version");
	const char *fail = string_arg(args, "fail_on");
	const cJSON *pgn = cJSON_GetObjectItemCaseSensitive(args, "pg_version");
	const char *opts[8];
	size_t no = 0;
	char pgbuf[16], *why = NULL;
	struct strlist paths = STRLIST_INIT;
	struct child_out co;
	cJSON *res;

	if (cJSON_IsNumber(pgn)) {
		snprintf(pgbuf, sizeof(pgbuf), "%d", pgn->valueint);
		pg = pgbuf;
	}
	if (pg) {
		opts[no++] = "--pg-version";
		opts[no++] = pg;
	}
	if (fail) {
		opts[no++] = "--fail-on";
		opts[no++] = fail;
	}
	opts[no] = NULL;
	if (sql)
		return tool_check_sql(m, sql, opts);
	if (take_paths(m, args, &paths, &why) < 0) {
		strlist_clear(&paths);
		char *msg = xstrfmt("check: %s (or \"sql\": the statements to judge)", why ? why : "");
		free(why);
		return tool_error(msg);
	}
	const char *argv[40] = { "check", "--format", "json" };
	size_t n = 3;
	for (size_t i = 0; i < no; i++)
		argv[n++] = opts[i];
	argv[n++] = "--";
	for (size_t i = 0; i < paths.nr && n < ARRAY_SIZE(argv) - 1; i++)
		argv[n++] = paths.items[i];
	argv[n] = NULL;
	run_self(m, argv, &co);
	res = child_result(&co, "sluice check");
	strlist_clear(&paths);
	return res;
}

static cJSON *tool_explain_rule(const cJSON *args)
{
	const char *id = string_arg(args, "rule");
	const struct rule *r = id ? rule_find(id) : NULL;
	if (!r)
		return tool_error(xstrfmt("explain_rule: no rule named '%s' (tools/call check lists "
					  "the rules that fired; every id is in `sluice rules`)",
					  id ? id : "(none given)"));
	char *text = xstrfmt("%s (%s, class %s): %s.\nSafer: %s", r->id, severity_name(r->sev),
			     class_name(r->cls), r->title, r->fix ? r->fix : "(no generic fix)");
	cJSON *res = tool_text(text, false);
	free(text);
	return res;
}

static cJSON *tool_draft(const struct mcp *m, const cJSON *args)
{
	const char *path = string_arg(args, "path"), *kind = string_arg(args, "kind");
	const char *flag;
	char *rel, *why = NULL;
	struct child_out co;

	if (!kind || !strcmp(kind, "split"))
		flag = "--split";
	else if (!strcmp(kind, "down"))
		flag = "--down";
	else if (!strcmp(kind, "runbook"))
		flag = "--runbook";
	else
		return tool_error(xstrfmt("draft: kind is split, down or runbook, not '%s'", kind));
	if (!path)
		return tool_error(xstrdup("draft: give \"path\", the migration file to draft for"));
	if (!(rel = path_inside(m, path, &why))) {
		char *msg = xstrfmt("draft: %s", why);
		free(why);
		return tool_error(msg);
	}
	/* No --out, no --commit: the draft is printed, never written. */
	const char *argv[] = { "draft", flag, m->shadow ? "--shadow" : "--", m->shadow ? m->shadow : rel,
			       m->shadow ? "--" : NULL, m->shadow ? rel : NULL, NULL };
	run_self(m, argv, &co);
	free(rel);
	return child_result(&co, "sluice draft");
}

static cJSON *tool_verify(const struct mcp *m, const cJSON *args)
{
	struct strlist paths = STRLIST_INIT;
	struct child_out co;
	char *why = NULL;
	cJSON *res;

	if (!m->shadow)
		return tool_error(xstrdup("verify: no shadow database: start the server with "
					  "`sluice mcp --shadow URL`"));
	if (take_paths(m, args, &paths, &why) < 0) {
		strlist_clear(&paths);
		return tool_error(xstrfmt("verify: %s", why ? why : ""));
	}
	const char *argv[40] = { "verify", "--format", "json", "--shadow", m->shadow, "--" };
	size_t n = 6;
	for (size_t i = 0; i < paths.nr && n < ARRAY_SIZE(argv) - 1; i++)
		argv[n++] = paths.items[i];
	argv[n] = NULL;
	run_self(m, argv, &co);
	res = child_result(&co, "sluice verify");
	strlist_clear(&paths);
	return res;
}

/* --- tools/list ------------------------------------------------------------------ */

static cJSON *schema_of(const char *json)
{
	return cJSON_Parse(json);
}

static void add_tool(cJSON *tools, const char *name, const char *desc, const char *schema)
{
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "name", name);
	cJSON_AddStringToObject(t, "description", desc);
	cJSON_AddItemToObject(t, "inputSchema", schema_of(schema));
	cJSON_AddItemToArray(tools, t);
}

static cJSON *tools_list(const struct mcp *m)
{
	cJSON *res = cJSON_CreateObject(), *tools = cJSON_AddArrayToObject(res, "tools");
	add_tool(tools, "check",
		 "Judge PostgreSQL migration SQL (text, or files/directories of the repository) as "
		 "`sluice check --format json` does: per statement the lock, class, severity and "
		 "findings with the safer alternative. exitCode 1 means a finding at or above fail_on.",
		 "{\"type\":\"object\",\"properties\":{"
		 "\"sql\":{\"type\":\"string\",\"description\":\"the migration's SQL\"},"
		 "\"paths\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
		 "\"description\":\"migration files or directories, relative to the repository\"},"
		 "\"pg_version\":{\"type\":\"integer\"},"
		 "\"fail_on\":{\"type\":\"string\",\"enum\":[\"LOW\",\"MEDIUM\",\"HIGH\",\"BLOCKER\"]}}}");
	add_tool(tools, "explain_rule",
		 "What a sluice rule catches, its default severity and class, and the safer pattern.",
		 "{\"type\":\"object\",\"properties\":{\"rule\":{\"type\":\"string\"}},"
		 "\"required\":[\"rule\"]}");
	add_tool(tools, "draft",
		 "A safer version of a migration of the repository, as `sluice draft` prints it: "
		 "an expand/migrate/contract split, the down migration, or a runbook, re-judged "
		 "(and run on the shadow database when the server has one). Nothing is written.",
		 "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},"
		 "\"kind\":{\"type\":\"string\",\"enum\":[\"split\",\"down\",\"runbook\"]}},"
		 "\"required\":[\"path\"]}");
	if (m->shadow)
		add_tool(tools, "verify",
			 "Apply migrations up and down on the shadow database, tracing the locks "
			 "each statement takes, as `sluice verify --format json` does.",
			 "{\"type\":\"object\",\"properties\":{\"paths\":{\"type\":\"array\","
			 "\"items\":{\"type\":\"string\"}}},\"required\":[\"paths\"]}");
	return res;
}

/* --- JSON-RPC ---------------------------------------------------------------------- */

static void send_msg(cJSON *msg)
{
	char *s = cJSON_PrintUnformatted(msg);
	fputs(s, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	free(s);
	cJSON_Delete(msg);
}

static void send_result(const cJSON *id, cJSON *result)
{
	cJSON *msg = cJSON_CreateObject();
	cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
	cJSON_AddItemToObject(msg, "id", id ? cJSON_Duplicate(id, true) : cJSON_CreateNull());
	cJSON_AddItemToObject(msg, "result", result);
	send_msg(msg);
}

static void send_error(const cJSON *id, int code, const char *message)
{
	cJSON *msg = cJSON_CreateObject(), *err;
	cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
	cJSON_AddItemToObject(msg, "id", id ? cJSON_Duplicate(id, true) : cJSON_CreateNull());
	err = cJSON_AddObjectToObject(msg, "error");
	cJSON_AddNumberToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", message);
	send_msg(msg);
}

static cJSON *initialize_result(const cJSON *params)
{
	const char *asked = string_arg(params, "protocolVersion");
	cJSON *res = cJSON_CreateObject(), *caps, *info;
	/* We speak MCP_PROTOCOL; a client asking for it, or not saying, gets it. */
	cJSON_AddStringToObject(res, "protocolVersion", asked && !strcmp(asked, MCP_PROTOCOL)
						     ? asked : MCP_PROTOCOL);
	caps = cJSON_AddObjectToObject(res, "capabilities");
	cJSON_AddObjectToObject(caps, "tools");
	info = cJSON_AddObjectToObject(res, "serverInfo");
	cJSON_AddStringToObject(info, "name", "sluice");
	cJSON_AddStringToObject(info, "version", PACKAGE_VERSION);
	cJSON_AddStringToObject(res, "instructions",
				"sluice judges PostgreSQL migrations: call check on the SQL you "
				"write, explain_rule on a finding, draft for a safer rewrite.");
	return res;
}

static cJSON *tools_call(const struct mcp *m, const cJSON *params, const char **err)
{
	const char *name = string_arg(params, "name");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	cJSON *empty = NULL, *res;
	if (!name) {
		*err = "tools/call needs params.name";
		return NULL;
	}
	if (!cJSON_IsObject(args))
		args = empty = cJSON_CreateObject();
	if (!strcmp(name, "check"))
		res = tool_check(m, args);
	else if (!strcmp(name, "explain_rule"))
		res = tool_explain_rule(args);
	else if (!strcmp(name, "draft"))
		res = tool_draft(m, args);
	else if (!strcmp(name, "verify"))   /* without a shadow: says how to set one */
		res = tool_verify(m, args);
	else {
		*err = "unknown tool (see tools/list)";
		res = NULL;
	}
	cJSON_Delete(empty);
	return res;
}

static void handle(const struct mcp *m, const char *line)
{
	cJSON *req = cJSON_Parse(line), *res = NULL;
	const cJSON *id, *params;
	const char *method, *err = NULL;

	if (!req || !cJSON_IsObject(req)) {
		send_error(NULL, -32700, "parse error: not a JSON-RPC object");
		cJSON_Delete(req);
		return;
	}
	id = cJSON_GetObjectItemCaseSensitive(req, "id");
	params = cJSON_GetObjectItemCaseSensitive(req, "params");
	method = string_arg(req, "method");
	if (!method) {
		if (id)
			send_error(id, -32600, "invalid request: no method");
	} else if (!id) {
		;   /* a notification (notifications/initialized, cancelled): no answer */
	} else if (!strcmp(method, "initialize")) {
		send_result(id, initialize_result(params));
	} else if (!strcmp(method, "ping")) {
		send_result(id, cJSON_CreateObject());
	} else if (!strcmp(method, "tools/list")) {
		send_result(id, tools_list(m));
	} else if (!strcmp(method, "tools/call")) {
		if ((res = tools_call(m, params, &err)))
			send_result(id, res);
		else
			send_error(id, -32602, err);
	} else {
		send_error(id, -32601, "method not found");
	}
	cJSON_Delete(req);
}

/* The repository's top (or the current directory outside one), resolved. */
static int find_root(struct mcp *m)
{
	char cwd[PATH_MAX], probe[PATH_MAX + 8];
	if (!getcwd(cwd, sizeof(cwd)) || !realpath(cwd, m->root))
		return error("mcp: cannot read the current directory: %s", strerror(errno));
	strcpy(cwd, m->root);
	for (;;) {
		struct stat st;
		snprintf(probe, sizeof(probe), "%s/.git", cwd);
		if (!stat(probe, &st)) {
			strcpy(m->root, cwd);
			return 0;
		}
		char *slash = strrchr(cwd, '/');
		if (!slash || slash == cwd)
			return 0;   /* not in a repository: the current directory is the root */
		*slash = '\0';
	}
}

int cmd_mcp(int argc, char **argv)
{
	struct mcp m = { .shadow = NULL };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--shadow") && i + 1 < argc) {
			m.shadow = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(mcp_usage, stdout);
			return 0;
		} else {
			fputs(mcp_usage, stderr);
			return 2;
		}
	}
	if (find_root(&m) < 0)
		return 2;
	n = readlink("/proc/self/exe", m.self, sizeof(m.self) - 1);
	if (n <= 0)
		return error("mcp: cannot find this program (/proc/self/exe): %s", strerror(errno)), 2;
	m.self[n] = '\0';
	signal(SIGPIPE, SIG_IGN);   /* a client gone is EOF on stdin, not a signal */
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if ((size_t)n > MCP_MAX_LINE) {
			send_error(NULL, -32600, "request too large");
			continue;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n)
			handle(&m, line);
	}
	free(line);
	return 0;
}
