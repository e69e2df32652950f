/*
 * sqlgen_alembic.c - an Alembic revision's SQL, from Alembic's offline mode:
 * `alembic upgrade <down_revision>:<revision> --sql` (the down:
 * `alembic downgrade <revision>:<down_revision> --sql`), run in the
 * directory of the nearest alembic.ini above the versions directory (its
 * script_location), with sluice.alembic.command (no default: unset, nothing runs; the
 * user's git config only). Offline mode connects to no database.
 *
 * What it prints is what `alembic upgrade` sends: BEGIN; ... COMMIT; around
 * it (env.py's context.begin_transaction() on PostgreSQL, which has
 * transactional DDL), a COMMIT; ... BEGIN; around an autocommit_block(), and
 * the alembic_version bookkeeping, which is left out here. Alembic prints
 * no marker per operation, so each statement goes to the op.* call of
 * upgrade() (or downgrade()) that names its table or index
 * (gen_map_by_names()).
 *
 * Revisions are ordered by their down_revision chain, not by file name
 * (alembic/script/revision.py): revision ids are random hex.
 */
#include "sqlgen_int.h"
#include "parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_COMMAND "alembic"

/*
 * The quoted value of `name = "..."` (or `name: str = "..."`) at the start
 * of a line; NULL when missing or not a string (None, a tuple: the first
 * string of a tuple is taken, a merge's first parent).
 */
static char *assigned(const char *text, size_t len, const char *name)
{
	size_t k = strlen(name);
	for (const char *s = text; s < text + len;) {
		const char *e = memchr(s, '\n', (size_t)(text + len - s));
		if (!e)
			e = text + len;
		if ((size_t)(e - s) > k && !strncmp(s, name, k) &&
		    (s[k] == ' ' || s[k] == '=' || s[k] == ':')) {
			const char *eq = memchr(s + k, '=', (size_t)(e - s - (ptrdiff_t)k));
			const char *q = eq ? eq + 1 : e;
			while (q < e && (isspace((unsigned char)*q) || *q == '(' || *q == '['))
				q++;
			if (q < e && (*q == '\'' || *q == '"')) {
				const char *end = memchr(q + 1, *q, (size_t)(e - q - 1));
				if (end)
					return xstrndup(q + 1, (size_t)(end - q - 1));
			}
			return NULL;
		}
		s = e + 1;
	}
	return NULL;
}

/* --- order ------------------------------------------------------------------- */

static char *revision_of(const struct migration *m, const char *what)
{
	return m->up ? assigned(m->up->text, m->up->len, what) : NULL;
}

/* Is the revision `rev` among v[from, to) not yet placed? */
static bool unplaced(struct migration **v, const bool *placed, size_t from, size_t to,
		     const char *rev)
{
	for (size_t i = from; i < to; i++) {
		char *r = placed[i - from] ? NULL : revision_of(v[i], "revision");
		bool hit = r && rev && !strcmp(r, rev);
		free(r);
		if (hit)
			return true;
	}
	return false;
}

/* v[from, to), one versions directory: parents before children, else as they were. */
static void order_block(struct migration **v, size_t from, size_t to)
{
	size_t n = to - from;
	bool *placed = xcalloc(n, sizeof(*placed));
	struct migration **out = xmalloc(n * sizeof(*out));
	for (size_t k = 0; k < n; k++) {
		size_t pick = n;
		for (size_t i = 0; i < n && pick == n; i++) {
			if (placed[i])
				continue;
			char *down = revision_of(v[from + i], "down_revision");
			if (!down || !unplaced(v, placed, from, to, down))
				pick = i;
			free(down);
		}
		if (pick == n)   /* a cycle: keep the rest as they are */
			for (pick = 0; placed[pick]; pick++)
				;
		placed[pick] = true;
		out[k] = v[from + pick];
	}
	memcpy(v + from, out, n * sizeof(*out));
	free(out);
	free(placed);
}

static const char *dir_of(const struct migration *m, size_t *n)
{
	const char *p = m->up ? m->up->path : "";
	const char *slash = strrchr(p, '/');
	*n = slash ? (size_t)(slash - p) : 0;
	return p;
}

void alembic_order(struct migration_set *ms)
{
	for (size_t i = 0, j; i < ms->nr; i = j) {
		size_t n, n2;
		const char *d = dir_of(ms->v[i], &n);
		for (j = i + 1; j < ms->nr && ms->v[i]->fw == FW_ALEMBIC && ms->v[j]->fw == FW_ALEMBIC;
		     j++) {
			const char *d2 = dir_of(ms->v[j], &n2);
			if (n != n2 || strncmp(d, d2, n))
				break;
		}
		if (ms->v[i]->fw == FW_ALEMBIC && j - i > 1)
			order_block(ms->v, i, j);
	}
}

/* --- SQL ------------------------------------------------------------------------- */

/* Alembic's own table: CREATE TABLE, INSERT, UPDATE, DELETE of alembic_version. */
static bool bookkeeping(const char *s, size_t n)
{
	static const char *const heads[] = { "CREATE TABLE alembic_version", "INSERT INTO alembic_version",
					     "UPDATE alembic_version", "DELETE FROM alembic_version", NULL };
	for (const char *const *h = heads; *h; h++)
		if (n >= strlen(*h) && !strncasecmp(s, *h, strlen(*h)))
			return true;
	return false;
}

/* Blanks the bookkeeping statements, keeping their lines. */
static void drop_bookkeeping(struct gen_sql *g)
{
	struct sql_piece *pieces = NULL;
	size_t np = sql_split(g->sql.buf, g->sql.len, &pieces);
	for (size_t i = 0; i < np; i++) {
		char *s = g->sql.buf + pieces[i].off;
		if (!bookkeeping(s, pieces[i].len))
			continue;
		size_t n = pieces[i].len;
		if (pieces[i].off + n < g->sql.len && s[n] == ';')
			n++;
		for (size_t k = 0; k < n; k++)
			if (s[k] != '\n')
				s[k] = ' ';
	}
	free(pieces);
}

static const char *const op_prefixes[] = { "op.", "batch_op.", NULL };

int alembic_sql(struct sqlgen *g, const struct migration *m, enum direction d,
		const struct script *src, struct gen_sql *out, struct strbuf *why)
{
	(void)m;
	const char *cmdline = config_get(&g->run->cfg, "sluice.alembic.command");
	struct strlist argv = STRLIST_INIT;
	struct strbuf sql = STRBUF_INIT;
	char *rev = assigned(src->text, src->len, "revision");
	char *down = assigned(src->text, src->len, "down_revision");
	const char *slash = strrchr(src->path, '/');
	char *dir = xstrndup(src->path, slash ? (size_t)(slash - src->path) : 0);
	char *project = find_up(g, dir, "alembic.ini");
	int ret = -1;
	if (!rev) {
		strbuf_addstr(why, "no 'revision = \"...\"' in this Alembic script");
		goto out;
	}
	if (tool_command(cmdline, "sluice.alembic.command", DEFAULT_COMMAND, &argv, why) < 0)
		goto out;
	strlist_add(&argv, d == DIR_UP ? "upgrade" : "downgrade");
	char *range = d == DIR_UP ? (down ? xstrfmt("%s:%s", down, rev) : xstrdup(rev))
				  : xstrfmt("%s:%s", rev, down ? down : "base");
	strlist_add_nodup(&argv, range);
	strlist_add(&argv, "--sql");
	ret = sqlgen_command(g, &argv, project ? project : g->top, NULL, &sql, why);
	if (ret < 0 && d == DIR_UP && starts_with(why->buf, "cannot run") && say_once(g, "alembic"))
		strbuf_addf(why, " (sluice runs '%s %s' in %s; set the command with: git config "
			    "sluice.alembic.command '/usr/bin/python3 -m alembic')",
			    cmdline ? cmdline : DEFAULT_COMMAND, range,
			    project ? project : "the repository's top, where no alembic.ini is");
	if (ret < 0)
		goto out;
	gen_add_text(out, sql.buf, sql.len, 1);
	drop_bookkeeping(out);
	gen_unwrap_txn(out);
	/* map each statement to its op.* call in upgrade() or downgrade() */
	int up_at = find_line(src->text, src->len, "def upgrade(", 1);
	int down_at = find_line(src->text, src->len, "def downgrade(", 1);
	int from = d == DIR_UP ? up_at : down_at;
	int to = d == DIR_UP && down_at > up_at ? down_at : 1 << 30;
	if (d == DIR_DOWN && up_at > down_at)
		to = up_at;
	struct call_line *calls;
	size_t nc = find_calls(src->text, src->len, from, to, op_prefixes, &calls);
	gen_map_by_names(out, calls, nc, from ? from : 1);
	call_lines_free(calls, nc);
	out->command = command_text(&argv);
out:
	strbuf_release(&sql);
	strlist_clear(&argv);
	free(project);
	free(dir);
	free(rev);
	free(down);
	return ret;
}
