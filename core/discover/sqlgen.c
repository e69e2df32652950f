/*
 * sqlgen.c - the stage that asks tools for the SQL of migrations that are
 * not SQL files (see discover.h), the generic hook sluice.sqlFrom, and what
 * the tool drivers share.
 */
#include "discover.h"
#include "sqlgen_int.h"
#include "discover_int.h"
#include "parse.h"
#include "run_command.h"
#include "settings.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Output over this is refused: no migration prints 16 MB of SQL. */
#define TOOL_MAX_BYTES ((size_t)16 << 20)
#define TOOL_TIMEOUT_S 120

/* --- the SQL and its line map -------------------------------------------- */

void gen_sql_release(struct gen_sql *g)
{
	strbuf_release(&g->sql);
	free(g->map);
	free(g->command);
	memset(g, 0, sizeof(*g));
}

void gen_add_line(struct gen_sql *g, const char *s, size_t n, int src)
{
	strbuf_add(&g->sql, s, n);
	strbuf_addch(&g->sql, '\n');
	ALLOC_GROW(g->map, g->nr + 1, g->alloc);
	g->map[g->nr++] = src;
}

void gen_add_text(struct gen_sql *g, const char *text, size_t n, int src)
{
	for (const char *s = text; s < text + n;) {
		const char *e = memchr(s, '\n', (size_t)(text + n - s));
		gen_add_line(g, s, e ? (size_t)(e - s) : (size_t)(text + n - s), src);
		s = e ? e + 1 : text + n;
	}
}

/* The line [s, e) without blanks around it equals `word` (case aside). */
static bool line_is(const char *s, const char *e, const char *word)
{
	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	return (size_t)(e - s) == strlen(word) && !strncasecmp(s, word, (size_t)(e - s));
}

static bool txn_line(const char *s, const char *e)
{
	return line_is(s, e, "BEGIN;") || line_is(s, e, "COMMIT;") || line_is(s, e, "ROLLBACK;") ||
	       line_is(s, e, "START TRANSACTION;");
}

static bool blank_or_comment(const char *s, const char *e)
{
	while (s < e && isspace((unsigned char)*s))
		s++;
	return s == e || (e - s >= 2 && s[0] == '-' && s[1] == '-');
}

void gen_unwrap_txn(struct gen_sql *g)
{
	char *first = NULL, *last = NULL, *first_end = NULL, *last_end = NULL;
	int txn_lines = 0;
	for (char *s = g->sql.buf; s && s < g->sql.buf + g->sql.len;) {
		char *e = memchr(s, '\n', (size_t)(g->sql.buf + g->sql.len - s));
		if (!e)
			e = g->sql.buf + g->sql.len;
		if (!blank_or_comment(s, e)) {
			if (!first) {
				first = s;
				first_end = e;
			}
			last = s;
			last_end = e;
			txn_lines += txn_line(s, e);
		}
		s = e + 1;
	}
	if (txn_lines != 2 || !first || first == last || !line_is(first, first_end, "BEGIN;") ||
	    !line_is(last, last_end, "COMMIT;"))
		return;
	memset(first, ' ', (size_t)(first_end - first));
	memset(last, ' ', (size_t)(last_end - last));
	g->in_txn = true;
}

int find_line(const char *text, size_t len, const char *needle, int from)
{
	int line = 1;
	size_t k = strlen(needle);
	for (size_t i = 0; i < len; i++) {
		if (line >= from && i + k <= len && !memcmp(text + i, needle, k) &&
		    (i == 0 || text[i - 1] == '\n' || isspace((unsigned char)text[i - 1])))
			return line;
		if (text[i] == '\n')
			line++;
	}
	return 0;
}

void call_lines_free(struct call_line *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].names);
	free(v);
}

/* The quoted strings of [s, e), appended to sb, each followed by a space. */
static void quoted_names(struct strbuf *sb, const char *s, const char *e)
{
	while (s < e) {
		char q = *s++;
		if (q != '\'' && q != '"' && q != '`')
			continue;
		const char *end = memchr(s, q, (size_t)(e - s));
		if (!end)
			break;
		if (end > s) {
			strbuf_add(sb, s, (size_t)(end - s));
			strbuf_addch(sb, ' ');
		}
		s = end + 1;
	}
}

size_t find_calls(const char *text, size_t len, int from, int to,
		  const char *const *prefixes, struct call_line **out)
{
	struct call_line *v = NULL;
	size_t n = 0, alloc = 0;
	const char *prev = NULL;
	int line = 1;
	for (const char *s = text; s < text + len; line++) {
		const char *e = memchr(s, '\n', (size_t)(text + len - s));
		if (!e)
			e = text + len;
		if (line >= from && line < to) {
			const char *t = s;
			while (t < e && isspace((unsigned char)*t))
				t++;
			bool call = false;
			for (const char *const *p = prefixes; *p && !call; p++)
				call = (size_t)(e - t) >= strlen(*p) && !strncmp(t, *p, strlen(*p));
			if (call) {
				if (n) {
					struct strbuf sb = STRBUF_INIT;
					quoted_names(&sb, prev, s);
					v[n - 1].names = strbuf_detach(&sb, NULL);
				}
				ALLOC_GROW(v, n + 1, alloc);
				v[n++] = (struct call_line){ line, NULL };
				prev = t;
			}
			if (line == to - 1 && n && !v[n - 1].names) {
				struct strbuf sb = STRBUF_INIT;
				quoted_names(&sb, prev, e);
				v[n - 1].names = strbuf_detach(&sb, NULL);
			}
		}
		s = e + 1;
	}
	if (n && !v[n - 1].names) {
		struct strbuf sb = STRBUF_INIT;
		quoted_names(&sb, prev, text + len);
		v[n - 1].names = strbuf_detach(&sb, NULL);
	}
	*out = v;
	return n;
}

/* `w` in `s` as a whole identifier (users, not users_email_idx). */
static bool has_word(const char *s, const char *w)
{
	size_t k = strlen(w);
	for (const char *p = s; (p = strstr(p, w)); p++) {
		bool before = p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool after = !(isalnum((unsigned char)p[k]) || p[k] == '_');
		if (before && after)
			return true;
	}
	return false;
}

/* How many of the call's names the statement (lower-cased) mentions. */
static int names_hit(const char *stmt_lc, const char *names)
{
	char *copy = str_lower(xstrdup(names));
	int hits = 0;
	for (char *save, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		hits += strlen(w) > 1 && has_word(stmt_lc, w);
	free(copy);
	return hits;
}

void gen_map_by_names(struct gen_sql *g, const struct call_line *calls, size_t n, int fallback)
{
	struct sql_piece *pieces = NULL;
	size_t np = sql_split(g->sql.buf, g->sql.len, &pieces), cur = 0;
	int at = n ? calls[0].line : fallback;
	for (size_t k = 0; k < g->nr; k++)
		g->map[k] = fallback;
	for (size_t i = 0; i < np; i++) {
		char *lc = str_lower(xstrndup(g->sql.buf + pieces[i].off, pieces[i].len));
		/* the call that names most of it, the earliest of equals, from the last one on */
		int best = 0;
		for (size_t j = cur; j < n; j++) {
			int h = names_hit(lc, calls[j].names);
			if (h > best) {
				best = h;
				cur = j;
			}
		}
		if (best)
			at = calls[cur].line;
		free(lc);
		int l0 = line_of_offset(g->sql.buf, pieces[i].off);
		int l1 = line_of_offset(g->sql.buf, pieces[i].off + pieces[i].len);
		for (int l = l0; l <= l1 && (size_t)l <= g->nr; l++)
			g->map[l - 1] = at;
	}
	free(pieces);
}

/* --- running a tool -------------------------------------------------------- */

void split_command(const char *cmdline, struct strlist *argv)
{
	struct strbuf w = STRBUF_INIT;
	bool in_word = false;
	char q = 0;
	for (const char *p = cmdline; *p; p++) {
		if (q) {
			if (*p == q)
				q = 0;
			else if (*p == '\\' && q == '"' && p[1])
				strbuf_addch(&w, *++p);
			else
				strbuf_addch(&w, *p);
		} else if (*p == '\'' || *p == '"') {
			q = *p;
			in_word = true;
		} else if (*p == '\\' && p[1]) {
			strbuf_addch(&w, *++p);
			in_word = true;
		} else if (isspace((unsigned char)*p)) {
			if (in_word)
				strlist_add(argv, w.buf ? w.buf : "");
			strbuf_reset(&w);
			in_word = false;
		} else {
			strbuf_addch(&w, *p);
			in_word = true;
		}
	}
	if (in_word)
		strlist_add(argv, w.buf ? w.buf : "");
	strbuf_release(&w);
}

int command_words(const char *cmdline, struct strlist *argv, struct strbuf *why)
{
	split_command(cmdline, argv);
	if (argv->nr)
		return 0;
	strbuf_addstr(why, "not run: its command is set to nothing in git config");
	return -1;
}

int tool_command(const char *cmdline, const char *key, const char *example,
		 struct strlist *argv, struct strbuf *why)
{
	if (!cmdline) {
		strbuf_addf(why, "not run: its SQL comes from running the project's own code, which "
			    "sluice does only when you allow it (git config %s '%s')", key, example);
		return -1;
	}
	return command_words(cmdline, argv, why);
}

/* The last non-empty line of a program's stderr, for a one-line message. */
static void last_line(struct strbuf *why, const struct strbuf *err)
{
	size_t e = err->len;
	while (e && isspace((unsigned char)err->buf[e - 1]))
		e--;
	size_t s = e;
	while (s && err->buf[s - 1] != '\n')
		s--;
	if (e > s) {
		strbuf_addstr(why, ": ");
		strbuf_add_printable(why, err->buf + s, e - s > 300 ? 300 : e - s, false);
	}
}

char *command_text(const struct strlist *argv)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < argv->nr; i++) {
		if (i)
			strbuf_addch(&sb, ' ');
		strbuf_addstr(&sb, argv->items[i]);
	}
	return strbuf_detach(&sb, NULL);
}

int sqlgen_command(struct sqlgen *g, const struct strlist *argv, const char *dir,
		   const char *shown, struct strbuf *out, struct strbuf *why)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	struct strbuf err = STRBUF_INIT;
	char *cmd;
	const char **args = xcalloc(argv->nr + 1, sizeof(*args));
	int ret = -1;
	if (!argv->nr) {
		free(args);
		strbuf_addstr(why, "not run: its command is empty");
		return -1;
	}
	for (size_t i = 0; i < argv->nr; i++)
		args[i] = argv->items[i];
	cmd = shown ? xstrdup(shown) : command_text(argv);
	cp.argv = args;
	cp.dir = dir && *dir ? dir : NULL;
	cp.null_stdin = true;
	cp.new_session = true;   /* a timeout kills what it started, too */
	cp.capture = out;
	cp.capture_err = &err;
	cp.timeout_ms = g->timeout_ms;
	cp.capture_max = g->max_bytes;
	int status = run_command(&cp, &err);
	if (status < 0 && !cp.timed_out && !cp.too_long) {
		/* err holds "cannot run 'x': reason" */
		strbuf_add_printable(why, err.buf, err.len, false);
	} else if (cp.timed_out) {
		strbuf_addf(why, "'%s' did not finish within %d s (sluice.toolTimeout)", cmd,
			    g->timeout_ms / 1000);
	} else if (cp.too_long) {
		strbuf_addf(why, "'%s' printed more than %zu MB", cmd, g->max_bytes >> 20);
	} else if (status) {
		strbuf_addf(why, "'%s' exited with status %d", cmd, status);
		last_line(why, &err);
	} else {
		ret = 0;
	}
	strbuf_release(&err);
	free(cmd);
	free(args);
	return ret;
}

char *find_up(const struct sqlgen *g, const char *dir, const char *name)
{
	char *d = xstrdup(dir);
	for (;;) {
		struct stat st;
		char *p = *d ? xstrfmt("%s%s/%s", g->top, d, name) : xstrfmt("%s%s", g->top, name);
		bool found = stat(p, &st) == 0;
		free(p);
		if (found) {
			char *r = *d ? xstrfmt("%s%s", g->top, d) : xstrdup(*g->top ? g->top : ".");
			free(d);
			return r;
		}
		if (!*d || !strcmp(d, "/"))
			break;
		char *slash = strrchr(d, '/');
		if (!slash)
			d[0] = '\0';
		else if (slash == d)
			d[1] = '\0';   /* "/srv" -> "/" */
		else
			*slash = '\0';
	}
	free(d);
	return NULL;
}

bool say_once(struct sqlgen *g, const char *tool)
{
	if (strlist_has(&g->said, tool))
		return false;
	strlist_add(&g->said, tool);
	return true;
}

/* --- sluice.sqlFrom -------------------------------------------------------- */

/* The command with {file} replaced in each word: a file name stays one argument. */
static void sqlfrom_argv(const char *cmdline, const char *file, struct strlist *argv)
{
	struct strlist words = STRLIST_INIT;
	split_command(cmdline, &words);   /* none: sqlgen_command() says so */
	for (size_t i = 0; i < words.nr; i++) {
		struct strbuf w = STRBUF_INIT;
		const char *s = words.items[i], *hit;
		while ((hit = strstr(s, "{file}"))) {
			strbuf_add(&w, s, (size_t)(hit - s));
			strbuf_addstr(&w, file);
			s = hit + 6;
		}
		strbuf_addstr(&w, s);
		strlist_add(argv, w.buf ? w.buf : "");
		strbuf_release(&w);
	}
	strlist_clear(&words);
}

static int sqlfrom_sql(struct sqlgen *g, const char *cmdline, const struct script *src,
		       struct gen_sql *out, struct strbuf *why)
{
	struct strlist argv = STRLIST_INIT;
	struct strbuf sql = STRBUF_INIT;
	int ret;
	sqlfrom_argv(cmdline, src->path, &argv);
	ret = sqlgen_command(g, &argv, *g->top ? g->top : NULL, NULL, &sql, why);
	if (!ret) {
		/* no way to tell which line printed what: all of it is about the file's first */
		gen_add_text(out, sql.buf, sql.len, 1);
		gen_unwrap_txn(out);
		out->command = command_text(&argv);
	}
	strbuf_release(&sql);
	strlist_clear(&argv);
	return ret;
}

/* --- ignores written in the migration file --------------------------------- */

struct src_ignore {
	int line;
	const char *s;       /* "sluice:ignore ..." */
	size_t n;
};

/* "# sluice:ignore ..." (Python) and "// sluice:ignore ..." (JavaScript) lines. */
static size_t source_ignores(const struct script *src, struct src_ignore **out)
{
	struct src_ignore *v = NULL;
	size_t n = 0, alloc = 0;
	int line = 1;
	for (const char *s = src->text, *end = src->text + src->len; s < end; line++) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		if (!e)
			e = end;
		const char *c = s;
		while (c < e && isspace((unsigned char)*c))
			c++;
		if (c < e && (*c == '#' || (e - c >= 2 && c[0] == '/' && c[1] == '/'))) {
			c += *c == '#' ? 1 : 2;
			while (c < e && isspace((unsigned char)*c))
				c++;
			if ((size_t)(e - c) > 13 && !strncmp(c, "sluice:ignore", 13)) {
				ALLOC_GROW(v, n + 1, alloc);
				v[n++] = (struct src_ignore){ line, c, (size_t)(e - c) };
			}
		}
		s = e + 1;
	}
	*out = v;
	return n;
}

/*
 * The file's ignore comments, carried into the SQL as "-- sluice:ignore ..."
 * before the first statement that comes from a later line: so one above an
 * operation ignores that operation's statements, as in a SQL file.
 */
static void carry_ignores(const struct script *src, struct gen_sql *g)
{
	struct src_ignore *ign;
	size_t ni = source_ignores(src, &ign), next = 0;
	struct gen_sql out = { 0 };
	if (!ni)
		return;
	const char *s = g->sql.buf ? g->sql.buf : "";
	for (size_t k = 0; k < g->nr; k++) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		for (; next < ni && !blank_or_comment(s, s + len) && ign[next].line < g->map[k]; next++) {
			char *c = xstrfmt("-- %.*s", (int)ign[next].n, ign[next].s);
			gen_add_line(&out, c, strlen(c), ign[next].line);
			free(c);
		}
		gen_add_line(&out, s, len, g->map[k]);
		s = e ? e + 1 : s + len;
	}
	for (; next < ni; next++) {
		char *c = xstrfmt("-- %.*s", (int)ign[next].n, ign[next].s);
		gen_add_line(&out, c, strlen(c), ign[next].line);
		free(c);
	}
	free(ign);
	out.in_txn = g->in_txn;
	out.command = g->command;
	g->command = NULL;
	gen_sql_release(g);
	*g = out;
}

/* --- the stage --------------------------------------------------------------- */

static bool tool_framework(enum framework fw)
{
	return fw == FW_DJANGO || fw == FW_ALEMBIC || fw == FW_KNEX || fw == FW_SQLFROM;
}

/* A tool's migration whose SQL is not asked for: its text is not SQL, so it goes. */
static void forget_scripts(struct migration *m)
{
	script_free(m->up);
	script_free(m->down);
	m->up = m->down = NULL;
}

static struct script *generated_script(const struct script *src, enum direction d,
				       struct gen_sql *g)
{
	struct script *s = script_new(src->path, g->sql.buf ? g->sql.buf : "", g->sql.len);
	s->dir = d;
	s->in_txn = g->in_txn;
	s->from_worktree = src->from_worktree;
	s->changed = src->changed;
	s->origin = xcalloc(1, sizeof(*s->origin));
	s->origin->line = g->map;
	s->origin->nr = g->nr;
	s->generated_by = g->command;
	g->map = NULL;
	g->command = NULL;
	return s;
}

static int generate(struct sqlgen *g, const struct migration *m, enum direction d,
		    const struct script *src, const char *sqlfrom, struct gen_sql *out,
		    struct strbuf *why)
{
	switch (m->fw) {
	case FW_DJANGO:
		return django_sql(g, m, d, src, out, why);
	case FW_ALEMBIC:
		return alembic_sql(g, m, d, src, out, why);
	case FW_KNEX:
		return knex_sql(g, m, d, src, out, why);
	default:
		return d == DIR_UP ? sqlfrom_sql(g, sqlfrom, src, out, why) : 1;
	}
}

/*
 * The history's migrations: at most this many tool runs per check (a
 * Django sqlmigrate takes about a second); the cache answers the rest on
 * later runs.
 */
#define HISTORY_RUNS_MAX 50

struct history {
	struct sqlgen_cache cache;
	int runs;
	struct strlist gave_up;   /* frameworks whose tool is not allowed or cannot run */
};

/*
 * A history migration: its up's SQL, so the schema model knows the tables
 * it made; from the cache, else from its tool when the tool's command is
 * set. Short of that (not allowed, fails, over HISTORY_RUNS_MAX) it stays
 * history without SQL, as its tables being taken to hold rows always was,
 * and nothing is said: what is judged is the pending migrations.
 */
static void history_sql(struct sqlgen *g, struct history *h, struct migration *m, const char *sqlfrom)
{
	struct script *src = m->up;
	struct gen_sql up = { 0 };
	struct strbuf why = STRBUF_INIT;
	const char *fw = framework_name(m->fw);
	sqlgen_cache_next(&h->cache, &g->run->cfg, m, src);
	bool ok = sqlgen_cache_get(&h->cache, &up);
	if (!ok && h->runs < HISTORY_RUNS_MAX && !strlist_has(&h->gave_up, fw)) {
		/* its failures are not reported: the pending's "say once" hints stay theirs */
		struct strlist said = g->said;
		memset(&g->said, 0, sizeof(g->said));
		h->runs++;
		ok = generate(g, m, DIR_UP, src, sqlfrom, &up, &why) == 0;
		strlist_clear(&g->said);
		g->said = said;
		if (ok)
			sqlgen_cache_put(&h->cache, &up);
		else if (starts_with(nonnull(why.buf), "not run") || starts_with(nonnull(why.buf), "cannot run"))
			strlist_add(&h->gave_up, fw);
	}
	m->up = ok ? generated_script(src, DIR_UP, &up) : NULL;
	script_free(m->down);
	m->down = NULL;
	script_free(src);
	gen_sql_release(&up);
	strbuf_release(&why);
}

/* One pending migration: its up (an error leaves it NOT JUDGED) and its down (when there is one). */
static void convert(struct sqlgen *g, struct migration *m, const char *sqlfrom)
{
	struct script *src = m->up;
	struct gen_sql up = { 0 }, down = { 0 };
	struct strbuf why = STRBUF_INIT;
	m->up = NULL;
	script_free(m->down);
	m->down = NULL;
	if (generate(g, m, DIR_UP, src, sqlfrom, &up, &why) != 0) {
		strlist_add_nodup(&g->run->ms.errors,
				  xstrfmt("%s: %s; not judged", src->path, why.buf ? why.buf : "failed"));
	} else {
		if (m->fw != FW_SQLFROM)
			carry_ignores(src, &up);
		m->up = generated_script(src, DIR_UP, &up);
		strbuf_reset(&why);
		/* no down is no error: an irreversible migration, a tool without downs */
		if (generate(g, m, DIR_DOWN, src, sqlfrom, &down, &why) == 0)
			m->down = generated_script(src, DIR_DOWN, &down);
	}
	gen_sql_release(&up);
	gen_sql_release(&down);
	strbuf_release(&why);
	script_free(src);
}

void sqlgen_prepare(struct check_run *run)
{
	struct migration_set *ms = &run->ms;
	struct sqlgen g = { .run = run };
	struct history h = { 0 };
	const char *sqlfrom = config_get(&run->cfg, "sluice.sqlfrom");
	size_t out = 0;
	g.top = ms->workdir ? ms->workdir : "";
	g.timeout_ms = config_get_int(&run->cfg, "sluice.tooltimeout", TOOL_TIMEOUT_S) * 1000;
	if (g.timeout_ms <= 0)
		g.timeout_ms = TOOL_TIMEOUT_S * 1000;
	g.max_bytes = TOOL_MAX_BYTES;
	alembic_order(ms);
	sqlgen_cache_open(&h.cache);
	for (size_t i = 0; i < ms->nr; i++) {
		struct migration *m = ms->v[i];
		/* a file named on the command line that is not SQL: the hook's, when set */
		if (m->fw == FW_PLAIN && sqlfrom && m->up && !layout_sql_name(m->up->path))
			m->fw = FW_SQLFROM;
		if (m->fw == FW_SQLFROM && !sqlfrom) {
			migration_free(m);   /* nothing says how to read it: not a migration */
			continue;
		}
		ms->v[out++] = m;
		if (!tool_framework(m->fw) || !m->up)
			continue;
		if (m->pending || run->all)
			convert(&g, m, sqlfrom);
		else
			history_sql(&g, &h, m, sqlfrom);
	}
	ms->nr = out;
	strlist_clear(&g.said);
	strlist_clear(&h.gave_up);
	sqlgen_cache_close(&h.cache);
}

void sqlgen_forget(struct migration_set *ms)
{
	size_t out = 0;
	for (size_t i = 0; i < ms->nr; i++) {
		struct migration *m = ms->v[i];
		if (m->fw == FW_SQLFROM) {
			migration_free(m);
			continue;
		}
		if (tool_framework(m->fw))
			forget_scripts(m);
		ms->v[out++] = m;
	}
	ms->nr = out;
}
