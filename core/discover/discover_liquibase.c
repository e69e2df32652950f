/*
 * discover_liquibase.c - Liquibase "formatted SQL" changelogs: one file,
 * many changesets, each its own migration.
 *
 * The format (liquibase/liquibase, liquibase-standard/src/main/java/
 * liquibase/parser/core/formattedsql/AbstractFormattedChangeLogParser.java
 * and FormattedSqlChangeLogParser.java; docs.liquibase.com, "Example
 * Changelogs: SQL Format"):
 *
 *   --liquibase formatted sql                 first line: what makes it one
 *   --changeset author:id attr:value ...      starts a changeset, to the next
 *   --rollback SQL                            the changeset's rollback, one
 *                                             line each (or a block comment
 *                                             "/" "* liquibase rollback ... *" "/")
 *   --comment:, --preconditions ...           other directives: comments
 *
 * Each changeset runs in its own transaction unless runInTransaction:false.
 * Statements are split on ';' (or endDelimiter:X) unless splitStatements:
 * false, which sends the whole changeset as one JDBC execute: pgjdbc sends
 * its statements in one batch ended by one Sync, which PostgreSQL runs as
 * one implicit transaction (as golang-migrate's one Exec), so a CREATE INDEX
 * CONCURRENTLY there fails even with runInTransaction:false. dbms: and
 * ignore:true leave a changeset out, as Liquibase does on PostgreSQL.
 *
 * The up and the down keep the file's line numbers: the down is the
 * rollback lines in place (their "--rollback" blanked, other lines empty),
 * and an endDelimiter becomes a ';' padded to its width.
 */
#include "discover_int.h"
#include "parse.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* A line [s, s+n) of the file, starting at byte off, number no. */
struct lb_line {
	const char *s;
	size_t n, off;
	int no;
};

/* After "--" and blanks: the directive body, or NULL when the line is not a -- comment. */
static const char *directive(const char *s, size_t n, size_t *rest)
{
	const char *e = s + n;
	while (s < e && isspace((unsigned char)*s))
		s++;
	if (e - s < 2 || s[0] != '-' || s[1] != '-')
		return NULL;
	s += 2;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	*rest = (size_t)(e - s);
	return s;
}

static bool directive_is(const char *s, size_t n, const char *word, const char **after)
{
	size_t k = strlen(word), rest;
	const char *d = directive(s, n, &rest);
	if (!d || rest < k || strncasecmp(d, word, k))
		return false;
	if (rest > k && !isspace((unsigned char)d[k]) && d[k] != '\r')
		return false;
	if (after)
		*after = d + k;
	return true;
}

bool liquibase_formatted(const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);
	size_t n = nl ? (size_t)(nl - text) : len;
	if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
		text += 3;
		n -= 3;
	}
	const char *after;
	if (!directive_is(text, n, "liquibase", &after))
		return false;
	while (*after == ' ' || *after == '\t')
		after++;
	return !strncasecmp(after, "formatted sql", 13);
}

/* The attributes of a --changeset line: "runInTransaction:false" ... */
struct changeset {
	char *id;            /* author:id */
	bool txn, split, skip;
	char *delim, *rb_delim; /* endDelimiter, rollbackEndDelimiter; NULL: ';' */
	int line;
};

/* The value of attribute `key` among the words of `s` (n bytes), or NULL. */
static char *attribute(const char *s, size_t n, const char *key)
{
	size_t k = strlen(key);
	for (size_t i = 0; i < n;) {
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		size_t w = i;
		while (i < n && !isspace((unsigned char)s[i]))
			i++;
		if (i - w > k && !strncasecmp(s + w, key, k) && s[w + k] == ':')
			return xstrndup(s + w + k + 1, i - w - k - 1);
	}
	return NULL;
}

/* dbms:postgresql, dbms:!mysql, dbms:mysql,oracle: does Liquibase run it on PostgreSQL? */
static bool dbms_allows_postgres(const char *v)
{
	bool any_positive = false, match = false;
	char *copy = xstrdup(v);
	for (char *save, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		bool neg = *t == '!';
		const char *name = t + neg;
		bool pg = !strcasecmp(name, "postgresql") || !strcasecmp(name, "all");
		if (neg && pg) {
			free(copy);
			return false;
		}
		if (!neg) {
			any_positive = true;
			match |= pg;
		}
	}
	free(copy);
	return !any_positive || match;
}

static bool attr_false(const char *s, size_t n, const char *key)
{
	char *v = attribute(s, n, key);
	bool f = v && !strcasecmp(v, "false");
	free(v);
	return f;
}

static void changeset_parse(struct changeset *cs, const char *s, size_t n, int line)
{
	size_t i = 0;
	memset(cs, 0, sizeof(*cs));
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	size_t w = i;
	while (i < n && !isspace((unsigned char)s[i]))
		i++;
	cs->id = xstrndup(s + w, i - w);
	cs->line = line;
	cs->txn = !attr_false(s, n, "runInTransaction");
	cs->split = !attr_false(s, n, "splitStatements");
	cs->delim = attribute(s, n, "endDelimiter");
	cs->rb_delim = attribute(s, n, "rollbackEndDelimiter");
	char *v = attribute(s, n, "dbms");
	cs->skip = v && !dbms_allows_postgres(v);
	free(v);
	v = attribute(s, n, "ignore");
	cs->skip |= v && !strcasecmp(v, "true");
	free(v);
}

static void changeset_release(struct changeset *cs)
{
	free(cs->id);
	free(cs->delim);
	free(cs->rb_delim);
}

/*
 * A delimiter other than ';' ends statements where it ends a line ("/",
 * "GO", "$$"); there it becomes ';' and blanks, so the splitter sees what
 * Liquibase sends and the line numbers stay.
 */
static void apply_delimiter(char *text, size_t len, const char *delim)
{
	if (!delim || !*delim || !strcmp(delim, ";"))
		return;
	if (!strncmp(delim, "\\n", 2))
		delim += 2; /* "\nGO": a GO on a line of its own */
	size_t k = strlen(delim);
	for (size_t off = 0; off < len && k;) {
		char *nl = memchr(text + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t e = end;
		while (e > off && isspace((unsigned char)text[e - 1]))
			e--;
		if (e - off >= k && !strncasecmp(text + e - k, delim, k)) {
			memset(text + e - k, ' ', k);
			text[e - k] = ';';
		}
		off = end + 1;
	}
}

/* Several statements once split on ';' (after the delimiter): an implicit transaction. */
static bool several(const char *text, size_t len)
{
	struct sql_piece *pieces = NULL;
	size_t n = sql_split(text, len, &pieces);
	free(pieces);
	return n > 1;
}

/*
 * The rollback of lines [from, to): each "--rollback X" line keeps X in
 * place, lines of a "liquibase rollback" block comment are kept whole, the
 * rest are blank. NULL when there is none; *first its first line.
 */
static char *rollback_text(const struct lb_line *lines, size_t from, size_t to, size_t *len,
			   int *first)
{
	struct strbuf sb = STRBUF_INIT;
	bool in_block = false, any = false;
	for (size_t i = from; i < to; i++) {
		const struct lb_line *l = &lines[i];
		const char *after;
		size_t keep_from = l->n + 1; /* nothing */
		const char *t = l->s;
		while (t < l->s + l->n && isspace((unsigned char)*t))
			t++;
		if (in_block) {
			const char *close = memmem(l->s, l->n, "*/", 2);
			if (close) {
				in_block = false;
				/* the text before the closing marker */
				if (any)
					strbuf_add(&sb, l->s, (size_t)(close - l->s));
				strbuf_addch(&sb, '\n');
				continue;
			}
			keep_from = 0;
		} else if (directive_is(l->s, l->n, "rollback", &after)) {
			keep_from = (size_t)(after - l->s);
		} else if ((size_t)(l->s + l->n - t) >= 2 && !strncmp(t, "/*", 2)) {
			const char *w = t + 2;
			while (w < l->s + l->n && isspace((unsigned char)*w))
				w++;
			if ((size_t)(l->s + l->n - w) >= 18 && !strncasecmp(w, "liquibase rollback", 18)) {
				in_block = true;
				if (!any) {
					any = true;
					*first = l->no + 1;
				} else {
					strbuf_addch(&sb, '\n');
				}
				continue;
			}
		}
		if (keep_from <= l->n) {
			if (!any) {
				any = true;
				*first = l->no;
			}
			for (size_t k = 0; k < keep_from; k++)
				strbuf_addch(&sb, ' ');
			strbuf_add(&sb, l->s + keep_from, l->n - keep_from);
			strbuf_addch(&sb, '\n');
		} else if (any) {
			strbuf_addch(&sb, '\n');
		}
	}
	if (!any) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, len);
}

/* A changeset's up: lines [from, to) as written, with its delimiter made ';'. */
static struct script *up_script(const char *path, const char *text, const struct lb_line *lines,
				size_t from, size_t to, size_t len, const struct changeset *cs)
{
	size_t off = from < to ? lines[from].off : len;
	size_t stop = from < to ? lines[to - 1].off + lines[to - 1].n : off;
	if (stop < len && text[stop] == '\n')
		stop++;
	struct script *s = script_new(path, text + off, stop - off);
	apply_delimiter(s->text, s->len, cs->delim);
	s->first_line = cs->line + 1;
	s->dir = DIR_UP;
	s->in_txn = cs->txn;
	if (!cs->txn && !cs->split && several(s->text, s->len))
		s->in_txn = s->implicit_txn = true;
	return s;
}

static struct script *down_script(const char *path, const struct lb_line *lines, size_t from,
				  size_t to, const struct changeset *cs)
{
	size_t len;
	int first = 0;
	char *rb = rollback_text(lines, from, to, &len, &first);
	if (!rb)
		return NULL;
	struct script *s = script_new(path, rb, len);
	free(rb);
	apply_delimiter(s->text, s->len, cs->rb_delim ? cs->rb_delim : cs->delim);
	s->first_line = first;
	s->dir = DIR_DOWN;
	s->in_txn = cs->txn;
	return s;
}

static struct lb_line *split_lines(const char *text, size_t len, size_t *nr)
{
	struct lb_line *v = NULL;
	size_t alloc = 0, n = 0;
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t e = nl ? (size_t)(nl - text) : len;
		ALLOC_GROW(v, n + 1, alloc);
		v[n] = (struct lb_line){ text + off, e - off, off, (int)n + 1 };
		n++;
		off = e + 1;
	}
	*nr = n;
	return v;
}

int liquibase_add(struct migration_set *ms, const char *path, const char *root, const char *stem,
		  bool forced, const char *text, size_t len, bool from_worktree)
{
	size_t nr, at = 0;
	struct lb_line *lines = split_lines(text, len, &nr);
	size_t *starts = xmalloc((nr + 1) * sizeof(*starts)), nstarts = 0;
	for (size_t i = 0; i < nr; i++)
		if (directive_is(lines[i].s, lines[i].n, "changeset", NULL))
			starts[nstarts++] = i;
	starts[nstarts] = nr;
	for (size_t c = 0; c < nstarts; c++) {
		struct changeset cs;
		const char *after;
		const struct lb_line *l = &lines[starts[c]];
		directive_is(l->s, l->n, "changeset", &after);
		changeset_parse(&cs, after, (size_t)(l->s + l->n - after), l->no);
		if (!cs.skip) {
			struct layout_file lf;
			memset(&lf, 0, sizeof(lf));
			lf.fw = FW_LIQUIBASE;
			lf.root = xstrdup(root);
			lf.version = xstrfmt("%s#%05zu", stem, ++at);
			lf.name = xstrdup(cs.id);
			struct migration *m = discover_add_classified(ms, path, text, from_worktree,
								       forced, &lf);
			size_t from = starts[c] + 1, to = starts[c + 1];
			m->up = up_script(path, text, lines, from, to, len, &cs);
			m->up->from_worktree = from_worktree;
			m->down = down_script(path, lines, from, to, &cs);
			if (m->down)
				m->down->from_worktree = from_worktree;
		}
		changeset_release(&cs);
	}
	free(starts);
	free(lines);
	return 0;
}
