/*
 * discover_layout.c - which framework a file belongs to, and how it splits.
 *
 * Every migration tool has its own conventions for names, directories,
 * direction and transactions. They are all decided here, from the path,
 * the text and marker files (see discover_int.h), so that repository
 * discovery and files named on the command line agree exactly.
 *
 * Only files inside a migration directory count: .sql files under queries/,
 * fixtures/, vendored code or dumps elsewhere in a repository are not
 * migrations, and reading them would both waste time and invent findings.
 */
#include "discover_int.h"
#include "parse.h"
#include "rails_int.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const char layout_names[] =
	"golang-migrate, goose, dbmate, Flyway, sqitch, Prisma, Supabase, Diesel, sqlx, "
	"Atlas, pop, Synapse deltas, Liquibase formatted SQL, Drizzle, Rails db/migrate/*.rb and plain "
	"migrations/*.sql";

/* Directories whose .sql files are not migrations even below migrations/. */
static const char *const excluded_dirs[] = {
	"vendor", "node_modules", "third_party", "thirdparty", "bower_components",
	"testdata", "fixtures", "fixture", "queries", "query", "dumps", "dump",
	"seeds", "seed", NULL,
};

/* Database dialects that are not PostgreSQL, as directory or file-name parts. */
static const char *const other_dialects[] = {
	"mysql", "mariadb", "sqlite", "sqlite3", "mssql", "sqlserver", "oracle",
	"cockroach", "cockroachdb", "crdb", "clickhouse", "spanner", "snowflake",
	"redshift", "tidb", "h2", "ydb", "vertica", "duckdb", NULL,
};

static bool word_in(const char *const *list, const char *s, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && !strncasecmp(*list, s, n))
			return true;
	return false;
}

static bool iends_with_n(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && !strncasecmp(s + n - k, suffix, k);
}

/* migrations/, db/migration (Flyway), db/migrate, sql/, sql_migrations/ ... */
static bool is_migration_dir_name(const char *s, size_t n)
{
	return (n == 7 && !strncasecmp(s, "migrate", 7)) || (n == 3 && !strncasecmp(s, "sql", 3)) ||
	       iends_with_n(s, n, "migrations") || iends_with_n(s, n, "migration");
}

/* Liquibase: src/main/resources/db/changelog/, changelogs/ (discover_liquibase.c). */
static bool is_changelog_dir_name(const char *s, size_t n)
{
	return iends_with_n(s, n, "changelog") || iends_with_n(s, n, "changelogs");
}

bool layout_is_marker(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return !strcmp(base, "atlas.sum") || !strcmp(base, "sqitch.plan") ||
	       !strcmp(base, "Cargo.toml") || !strcmp(base, "metadata.toml") ||
	       ends_with(base, ".sql.conf") || !strcmp(base, "flyway.conf") ||
	       !strcmp(base, "flyway.toml") || ends_with(base, ".fizz") ||
	       !strcmp(base, "database.yml") || !strcmp(base, "_journal.json") ||
	       !strcmp(base, "snapshot.json");
}

bool layout_marker_wants_text(const char *path)
{
	return ends_with(path, "sqitch.plan") || ends_with(path, "metadata.toml") ||
	       ends_with(path, ".sql.conf") || ends_with(path, "flyway.conf") ||
	       ends_with(path, "flyway.toml") || ends_with(path, "database.yml") ||
	       ends_with(path, "/_journal.json") || !strcmp(path, "_journal.json");
}

void markers_add(struct markers *mk, const char *path, const char *text, size_t len)
{
	if (strlist_has(&mk->paths, path))
		return;
	strlist_add(&mk->paths, path);
	strlist_add_nodup(&mk->texts, xstrndup(text ? text : "", text ? len : 0));
}

void markers_clear(struct markers *mk)
{
	strlist_clear(&mk->paths);
	strlist_clear(&mk->texts);
	if (mk->rails_indexes)
		rindexes_release(mk->rails_indexes);
	free(mk->rails_indexes);
	mk->rails_indexes = NULL;
}

const char *marker_in(const struct markers *mk, const char *dir, size_t n, const char *name)
{
	char *p = n ? xstrfmt("%.*s/%s", (int)n, dir, name) : xstrdup(name);
	const char *found = NULL;
	for (size_t i = 0; i < mk->paths.nr && !found; i++)
		if (!strcmp(mk->paths.items[i], p))
			found = mk->texts.items[i];
	free(p);
	return found;
}

/* A path cut into directory components and a base name. */
struct path_parts {
	const char *path;
	size_t nr;                   /* directory components */
	size_t *off, *len;
	const char *base;
};

static void path_split(struct path_parts *pp, const char *path)
{
	size_t alloc = 0;
	memset(pp, 0, sizeof(*pp));
	pp->path = path;
	const char *s = path;
	for (const char *slash; (slash = strchr(s, '/')); s = slash + 1) {
		if (slash == s || (slash - s == 1 && *s == '.'))
			continue; /* "a//b", "./a" */
		ALLOC_GROW(pp->off, pp->nr + 1, alloc);
		pp->len = xrealloc(pp->len, alloc * sizeof(*pp->len));
		pp->off[pp->nr] = (size_t)(s - path);
		pp->len[pp->nr++] = (size_t)(slash - s);
	}
	pp->base = s;
}

static void path_parts_release(struct path_parts *pp)
{
	free(pp->off);
	free(pp->len);
}

static const char *comp(const struct path_parts *pp, size_t i)
{
	return pp->path + pp->off[i];
}

static bool comp_is(const struct path_parts *pp, size_t i, const char *name)
{
	return pp->len[i] == strlen(name) && !strncasecmp(comp(pp, i), name, pp->len[i]);
}

/* Bytes of the path up to (not including) component i: its parent dirs. */
static size_t upto(const struct path_parts *pp, size_t i)
{
	if (i == 0)
		return 0;
	return pp->off[i - 1] + pp->len[i - 1];
}

/* The directory holding the file: the path before the base name. */
static size_t dir_len(const struct path_parts *pp)
{
	return pp->nr ? upto(pp, pp->nr) : 0;
}

/*
 * The dotted words of a name, as kratos/popx writes them:
 * "1_x.postgres.autocommit.up.sql" has "postgres" and "autocommit". Is one
 * of them in `list`? The first part (the version and name) and the
 * extension do not count; "1.2_x.sql" has none.
 */
static bool dotted_word_in(const char *base, const char *const *list)
{
	const char *w = strchr(base, '.');
	while (w && w[1]) {
		const char *end = strchr(w + 1, '.');
		size_t n = end ? (size_t)(end - w - 1) : strlen(w + 1);
		if (end && isalpha((unsigned char)w[1]) && word_in(list, w + 1, n))
			return true;
		w = end;
	}
	return false;
}

/* Where the dotted words start: "1_x.postgres.up.sql" -> 3; "1.2_x" keeps its dot. */
static size_t stem_end(const char *base, size_t stem)
{
	for (size_t i = 0; i < stem; i++)
		if (base[i] == '.' && isalpha((unsigned char)base[i + 1]))
			return i;
	return stem;
}

static const char *const autocommit_words[] = { "autocommit", NULL };

static bool sqitch_script(const struct markers *mk, const struct path_parts *pp, const char *kind)
{
	return pp->nr >= 1 && comp_is(pp, pp->nr - 1, kind) &&
	       marker_in(mk, pp->path, upto(pp, pp->nr - 1), "sqitch.plan");
}

/*
 * Synapse: <schema>/<database>/delta/<version>/<NN>_<name>.sql, and
 * .sql.postgres for PostgreSQL only (.sql.sqlite for the other engine).
 * element-hq/synapse synapse/storage/prepare_database.py,
 * _upgrade_existing_database(): for each schema version in turn, the file
 * names of common/delta/<v> and every <database>/delta/<v> are sorted
 * together and run; .py deltas are Python. prepare_database() runs the
 * whole upgrade on one cursor and commits once: one transaction.
 * Returns the index of the "delta" component, or 0 when not such a file.
 */
static size_t synapse_delta(const struct path_parts *pp)
{
	size_t n = pp->nr;
	if (n < 3 || !comp_is(pp, n - 2, "delta"))
		return 0;
	for (size_t i = 0; i < pp->len[n - 1]; i++)
		if (!isdigit((unsigned char)comp(pp, n - 1)[i]))
			return 0;
	return n - 2;
}

static bool synapse_sql_name(const char *base)
{
	size_t n = strlen(base);
	return iends_with_n(base, n, ".sql") || iends_with_n(base, n, ".sql.postgres");
}

/* db/migrate/ and a second database's db/<name>_migrate/ (config/database.yml's migrations_paths) */
bool layout_rails_name(const char *path)
{
	const char *base = strrchr(path, '/'), *dir;
	if (!base || !ends_with(base, ".rb") || !isdigit((unsigned char)base[1]))
		return false;
	for (dir = base; dir > path && dir[-1] != '/'; dir--)
		;
	size_t n = (size_t)(base - dir);
	return (n == 7 && !strncmp(dir, "migrate", 7)) || iends_with_n(dir, n, "_migrate");
}

char *layout_rails_dump(const char *path)
{
	const char *base = strrchr(path, '/'), *dir;
	static const char *const kinds[] = { "schema.rb", "structure.sql", NULL };
	if (!base)
		return NULL;
	for (dir = base; dir > path && dir[-1] != '/'; dir--)
		;
	if (base - dir != 2 || strncmp(dir, "db", 2))
		return NULL;
	base++;
	for (const char *const *k = kinds; *k; k++) {
		size_t bl = strlen(base), kl = strlen(*k);
		if (!strcmp(base, *k))
			return xstrfmt("%.*smigrate", (int)(base - path), path);
		/* db/animals_schema.rb goes with db/animals_migrate/ */
		if (bl > kl + 1 && !strcmp(base + bl - kl, *k) && base[bl - kl - 1] == '_')
			return xstrfmt("%.*smigrate", (int)(base - path + bl - kl), path);
	}
	return NULL;
}

bool layout_sql_name(const char *path)
{
	return ends_with(path, ".sql") || ends_with(path, ".sql.postgres") ||
	       ends_with(path, ".sql.sqlite");
}

enum layout_verdict layout_candidate(const struct markers *mk, const char *path, size_t skip,
				     bool forced)
{
	struct path_parts pp;
	enum layout_verdict v = LAYOUT_NOT_MIGRATION;

	path_split(&pp, path);
	if (synapse_delta(&pp) && ends_with(path, ".sql.sqlite")) {
		v = LAYOUT_OTHER_DIALECT;
		goto out;
	}
	if (!iends_with_n(path, strlen(path), ".sql") && !layout_rails_name(path) &&
	    !(synapse_delta(&pp) && synapse_sql_name(pp.base)))
		goto out;
	for (size_t i = 0; i < pp.nr; i++) {
		if (pp.off[i] < skip)
			continue;
		if (word_in(other_dialects, comp(&pp, i), pp.len[i])) {
			v = LAYOUT_OTHER_DIALECT;
			goto out;
		}
		if (word_in(excluded_dirs, comp(&pp, i), pp.len[i]))
			goto out;
	}
	if (dotted_word_in(pp.base, other_dialects)) {
		v = LAYOUT_OTHER_DIALECT;
		goto out;
	}
	if (sqitch_script(mk, &pp, "verify"))
		goto out;
	if ((v = drizzle_candidate(mk, path, dir_len(&pp))) == LAYOUT_OTHER_DIALECT)
		goto out;
	v = LAYOUT_NOT_MIGRATION;
	if (forced || marker_in(mk, path, dir_len(&pp), "atlas.sum") || synapse_delta(&pp) ||
	    drizzle_candidate(mk, path, dir_len(&pp)) == LAYOUT_MIGRATION ||
	    sqitch_script(mk, &pp, "deploy") || sqitch_script(mk, &pp, "revert")) {
		v = LAYOUT_MIGRATION;
		goto out;
	}
	for (size_t i = 0; i < pp.nr; i++)
		if (is_migration_dir_name(comp(&pp, i), pp.len[i]) ||
		    is_changelog_dir_name(comp(&pp, i), pp.len[i]))
			v = LAYOUT_MIGRATION;
out:
	path_parts_release(&pp);
	return v;
}

/* --- text: directives in comments ------------------------------------- */

/* A line of text: [s, s+n). */
struct line {
	const char *s;
	size_t n, off, next; /* offset of the line, of the line after it */
	int no;
};

static bool next_line(const char *text, size_t len, struct line *l)
{
	size_t off = l->no ? l->next : 0;
	if (off >= len)
		return false;
	const char *nl = memchr(text + off, '\n', len - off);
	l->s = text + off;
	l->off = off;
	l->n = nl ? (size_t)(nl - l->s) : len - off;
	l->next = off + l->n + (nl ? 1 : 0);
	l->no++;
	return true;
}

/* "  -- +goose Up" -> "+goose Up"; NULL when the line is not a -- comment. */
static const char *comment_body(const struct line *l, size_t *n)
{
	const char *s = l->s, *e = l->s + l->n;
	if (l->off == 0 && l->n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3; /* a UTF-8 byte order mark some editors write */
	while (s < e && isspace((unsigned char)*s))
		s++;
	if (e - s < 2 || s[0] != '-' || s[1] != '-')
		return NULL;
	s += 2;
	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*n = (size_t)(e - s);
	return s;
}

/* Does the comment body start with `word` followed by a space or its end? */
static bool body_is(const char *b, size_t n, const char *word, const char **rest)
{
	size_t k = strlen(word);
	if (n < k || strncasecmp(b, word, k) || (n > k && !isspace((unsigned char)b[k])))
		return false;
	if (rest)
		*rest = b + k;
	return true;
}

static bool has_word(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);
	for (size_t i = 0; i + k <= n; i++)
		if (!strncasecmp(s + i, word, k))
			return true;
	return false;
}

/*
 * Might `text` hold `word` (ASCII letters in any case)? False only when it
 * cannot: the word's first byte that is not a letter ('+', ':', a space)
 * is looked for with memchr, so the many files that mention no marker are
 * passed over at memchr's speed rather than line by line. A word of
 * letters only: true.
 */
static bool may_mention(const char *text, size_t len, const char *word, size_t n)
{
	size_t a = 0;
	while (a < n && isalpha((unsigned char)word[a]))
		a++;
	if (a == n)
		return true;
	for (const char *p = text; (p = memchr(p, word[a], len - (size_t)(p - text))); p++) {
		size_t at = (size_t)(p - text);
		if (at >= a && len - (at - a) >= n && !strncasecmp(p - a, word, n))
			return true;
	}
	return false;
}

/* The bytes two markers start with: "+goose " of "+goose up" and "+goose down". */
static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;
	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

/*
 * Sections of a goose or dbmate file: each marker line starts a section on
 * the line after it, which runs to the next marker. Returns the number of
 * Up/Down markers seen.
 */
static int split_sections(const char *text, size_t len, const char *up, const char *down,
			  struct layout_file *lf, bool txn, bool dbmate)
{
	struct line l = { 0 };
	struct layout_part *cur = NULL;
	int seen = 0;
	if (!may_mention(text, len, up, common_prefix(up, down)))
		return 0;
	while (next_line(text, len, &l)) {
		size_t n;
		const char *b = comment_body(&l, &n), *rest;
		if (!b)
			continue;
		enum direction dir;
		if (body_is(b, n, up, &rest))
			dir = DIR_UP;
		else if (body_is(b, n, down, &rest))
			dir = DIR_DOWN;
		else
			continue;
		seen++;
		if (cur)
			cur->len = l.off - cur->off;
		cur = NULL;
		if (lf->nr_parts == 2)
			continue; /* a third section: the tool would refuse it */
		cur = &lf->part[lf->nr_parts++];
		cur->dir = dir;
		cur->off = l.next;
		cur->len = len - l.next;
		cur->first_line = l.no + 1;
		/* dbmate: "-- migrate:up transaction:false" on the marker itself */
		cur->in_txn = dbmate ? !has_word(rest, (size_t)(b + n - rest), "transaction:false") : txn;
	}
	return seen;
}

/* Any line "-- <directive>" in the file (goose NO TRANSACTION, atlas:txmode none). */
static bool has_directive(const char *text, size_t len, const char *directive)
{
	struct line l = { 0 };
	if (!may_mention(text, len, directive, strlen(directive)))
		return false;
	while (next_line(text, len, &l)) {
		size_t n;
		const char *b = comment_body(&l, &n);
		if (b && n == strlen(directive) && !strncasecmp(b, directive, n))
			return true;
	}
	return false;
}

static bool first_line_is(const char *text, size_t len, const char *directive)
{
	struct line l = { 0 };
	size_t n;
	const char *b;
	return next_line(text, len, &l) && (b = comment_body(&l, &n)) && n == strlen(directive) &&
	       !strncasecmp(b, directive, n);
}

/* A "key = <value>" line in a TOML or properties marker ("key: value" too). */
static bool setting_is(const char *text, const char *key, const char *value)
{
	struct line l = { 0 };
	if (!text)
		return false;
	size_t len = strlen(text), k = strlen(key), v = strlen(value);
	while (next_line(text, len, &l)) {
		const char *s = l.s, *e = l.s + l.n;
		while (s < e && isspace((unsigned char)*s))
			s++;
		if ((size_t)(e - s) < k || strncmp(s, key, k))
			continue;
		s += k;
		if (s < e && !isspace((unsigned char)*s) && *s != '=' && *s != ':')
			continue; /* a longer key */
		while (s < e && (isspace((unsigned char)*s) || *s == '=' || *s == ':' || *s == '"'))
			s++;
		if ((size_t)(e - s) >= v && !strncasecmp(s, value, v))
			return true;
	}
	return false;
}

static bool setting_false(const char *text, const char *key)
{
	return setting_is(text, key, "false");
}

/* --- names and versions -------------------------------------------------- */

/*
 * "20240101120000_add_users" -> version "20240101120000", name "add_users".
 * "2024-01-01-000000_x" (Diesel) and "1.2_x" keep their separators. A stem
 * with no leading digits is its own version and name.
 */
static void split_version(const char *stem, size_t n, char **version, char **name)
{
	size_t i = 0;
	while (i < n && (isdigit((unsigned char)stem[i]) ||
			 ((stem[i] == '-' || stem[i] == '.') && i + 1 < n && i > 0 &&
			  isdigit((unsigned char)stem[i + 1]))))
		i++;
	if (i == 0) {
		*version = xstrndup(stem, n);
		*name = xstrndup(stem, n);
		return;
	}
	*version = xstrndup(stem, i);
	while (i < n && (stem[i] == '_' || stem[i] == '-' || stem[i] == '.'))
		i++;
	*name = xstrndup(stem + i, n - i);
}

int version_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t na = 0, nb = 0;
			while (isdigit((unsigned char)a[na]))
				na++;
			while (isdigit((unsigned char)b[nb]))
				nb++;
			if (na != nb)
				return na < nb ? -1 : 1;
			int c = strncmp(a, b, na);
			if (c)
				return c;
			a += na;
			b += nb;
			continue;
		}
		/* Flyway's 1_2 is 1.2; Diesel's dates use '-' */
		bool sep_a = *a == '.' || *a == '_' || *a == '-', sep_b = *b == '.' || *b == '_' || *b == '-';
		if (*a != *b && !(sep_a && sep_b))
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

/*
 * Flyway decides per statement whether it can run in a transaction, and
 * runs a file in one only if every statement can (ParserSqlScript.java:
 * executeInTransaction() is !nonTransactionalStatementFound, unless the
 * script's .conf sets executeInTransaction). A file with both kinds it
 * refuses ("Detected both transactional and non-transactional statements
 * within the same migration (even though mixed is false)") unless
 * flyway.mixed=true, which runs the whole file outside a transaction.
 *   flyway/flyway flyway-core/src/main/java/org/flywaydb/core/internal/
 *     sqlscript/ParserSqlScript.java (parse(), executeInTransaction())
 * The statement test is PostgreSQLParser.detectCanExecuteInTransaction():
 * the first keywords at parenthesis depth 0, upper-cased and joined by
 * spaces, are matched whole after each keyword (Parser.java, up to
 * getTransactionalDetectionCutoff() = 10 keywords):
 *   flyway/flyway flyway-database/flyway-database-postgresql/src/main/java/
 *     org/flywaydb/database/postgresql/PostgreSQLParser.java
 * Not mirrored: ALTER TYPE ... ADD VALUE, non-transactional only when the
 * connected server is older than 12 (sluice does not know it here).
 */
static const char *const flyway_nontxn[] = {
	"CREATE DATABASE", "DROP DATABASE", "CREATE TABLESPACE", "DROP TABLESPACE",
	"CREATE SUBSCRIPTION", "DROP SUBSCRIPTION", "ALTER SYSTEM",
	"CREATE INDEX CONCURRENTLY", "DROP INDEX CONCURRENTLY",
	"CREATE UNIQUE INDEX CONCURRENTLY", "DROP UNIQUE INDEX CONCURRENTLY",
	"REINDEX SCHEMA", "REINDEX DATABASE", "REINDEX SYSTEM", "REINDEX VERBOSE SCHEMA",
	"REINDEX VERBOSE DATABASE", "REINDEX VERBOSE SYSTEM", "VACUUM", "DISCARD ALL", NULL,
};

static bool flyway_statement_nontxn(const char *s, size_t n)
{
	struct strbuf simple = STRBUF_INIT;
	int depth = 0, words = 0;
	bool hit = false;
	for (size_t i = 0; i < n && !hit && words < 10;) {
		char c = s[i];
		if (c == '(' || c == ')') {
			depth += c == '(' ? 1 : -1;
			i++;
		} else if (c == '\'' || c == '"') {
			const char *e = memchr(s + i + 1, c, n - i - 1);
			i = e ? (size_t)(e - s) + 1 : n;
		} else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
			const char *e = memchr(s + i, '\n', n - i);
			i = e ? (size_t)(e - s) : n;
		} else if (isalpha((unsigned char)c) || c == '_') {
			size_t k = i;
			while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '_' || s[k] == '.'))
				k++;
			if (depth == 0) {
				if (simple.len)
					strbuf_addch(&simple, ' ');
				for (size_t j = i; j < k; j++)
					strbuf_addch(&simple, (char)toupper((unsigned char)s[j]));
				words++;
				for (const char *const *p = flyway_nontxn; *p && !hit; p++)
					hit = !strcmp(simple.buf, *p);
			}
			i = k;
		} else
			i++;
	}
	strbuf_release(&simple);
	return hit;
}

/* flyway.mixed=true in a flyway.conf, or mixed = true in a flyway.toml, of the repository. */
static bool flyway_mixed(const struct markers *mk)
{
	for (size_t i = 0; i < mk->paths.nr; i++) {
		const char *base = strrchr(mk->paths.items[i], '/');
		base = base ? base + 1 : mk->paths.items[i];
		if ((!strcmp(base, "flyway.conf") && setting_is(mk->texts.items[i], "flyway.mixed", "true")) ||
		    (!strcmp(base, "flyway.toml") && setting_is(mk->texts.items[i], "mixed", "true")))
			return true;
	}
	return false;
}

/* Does Flyway run this file in a transaction? Notes a mixed file in `part`. */
static bool flyway_txn(const struct markers *mk, const char *text, size_t len,
		       struct layout_part *part)
{
	struct sql_piece *pieces = NULL;
	size_t n = sql_split(text, len, &pieces);
	bool txn = false;
	int first_nontxn = 0;
	for (size_t i = 0; i < n; i++) {
		if (!flyway_statement_nontxn(text + pieces[i].off, pieces[i].len))
			txn = true;
		else if (!first_nontxn)
			first_nontxn = line_of_offset(text, pieces[i].off);
	}
	free(pieces);
	if (first_nontxn && txn) {
		part->mixed_line = first_nontxn;
		part->mixed_refused = !flyway_mixed(mk);
	}
	return !first_nontxn;
}

/* Flyway: V1.2__desc.sql, U1.2__desc.sql, R__desc.sql. */
static bool flyway_name(const char *base, struct layout_file *lf, enum direction *dir)
{
	char kind = base[0];
	const char *sep = strstr(base, "__");
	if ((kind != 'V' && kind != 'U' && kind != 'R') || !sep)
		return false;
	const char *v = base + 1;
	if (kind == 'R' ? sep != v : sep == v)
		return false;
	for (const char *p = v; p < sep; p++)
		if (!isdigit((unsigned char)*p) && *p != '.' && *p != '_')
			return false;
	lf->version = kind == 'R' ? xstrdup("") : xstrndup(v, (size_t)(sep - v));
	lf->name = xstrndup(sep + 2, strlen(sep + 2) - 4);
	lf->rank = kind == 'R';
	*dir = kind == 'U' ? DIR_DOWN : kind == 'R' ? DIR_REPEATABLE : DIR_UP;
	return true;
}

/* The line of `change` in a sqitch.plan: its apply order. */
static long sqitch_plan_pos(const char *plan, const char *change, size_t n)
{
	struct line l = { 0 };
	if (!plan)
		return 0;
	size_t len = strlen(plan);
	while (next_line(plan, len, &l)) {
		const char *s = l.s, *e = l.s + l.n;
		while (s < e && isspace((unsigned char)*s))
			s++;
		if (s == e || *s == '%' || *s == '#' || *s == '@')
			continue;
		const char *w = s;
		while (s < e && !isspace((unsigned char)*s) && *s != '[')
			s++;
		if ((size_t)(s - w) == n && !strncmp(w, change, n))
			return l.no;
	}
	return 1L << 30; /* not in the plan: after everything that is */
}

void layout_file_release(struct layout_file *lf)
{
	for (int i = 0; i < 2; i++)
		script_free(lf->part[i].script);
	free(lf->root);
	free(lf->version);
	free(lf->name);
	memset(lf, 0, sizeof(*lf));
}

/*
 * golang-migrate's postgres driver (without x-multi-statement) sends a whole
 * file as one Exec, a simple-protocol Query message; its README ("Multi-
 * statement mode"): "running multiple SQL statements in one Exec executes
 * them inside a transaction", so CREATE INDEX CONCURRENTLY must sit in a file
 * of its own. PostgreSQL's protocol documentation, "Multiple Statements in a
 * Simple Query" (protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT): several
 * statements in one Query message run as one implicit transaction block; a
 * single statement runs by itself. kratos/popx (1_x.postgres.up.sql) instead
 * runs a file inside a pop transaction unless it is an .autocommit. file.
 */
static bool several_statements(const char *text, size_t len)
{
	return sql_count_upto(text, len, 2) > 1;
}

static void one_part(struct layout_file *lf, enum direction dir, bool in_txn, size_t len)
{
	lf->part[0] = (struct layout_part){ dir, 0, len, 1, in_txn, false, 0, false, false, NULL };
	lf->nr_parts = 1;
}

/*
 * gobuffalo/pop (soda): <version>_<name>[.<dialect>].(up|down).(sql|fizz),
 * downs optional (migrator.go's mrx). Migrator.UpTo() and Down() run each
 * migration inside c.Transaction(), and FileMigrator's runner sends the
 * whole file as one Exec (gobuffalo/pop migrator.go, file_migrator.go): so
 * unlike golang-migrate, even a one-statement file runs in a transaction
 * and CREATE INDEX CONCURRENTLY cannot work there. Told from golang-migrate
 * by a .fizz migration in the same directory or pop's database.yml (its
 * "dialect:" key; Rails' has "adapter:").
 */
static bool pop_layout(const struct markers *mk, const struct path_parts *pp)
{
	size_t dl = dir_len(pp);
	for (size_t i = 0; i < mk->paths.nr; i++) {
		const char *p = mk->paths.items[i], *slash = strrchr(p, '/');
		size_t pdl = slash ? (size_t)(slash - p) : 0;
		if (ends_with(p, ".fizz") && pdl == dl && !strncmp(p, pp->path, dl))
			return true;
		if (ends_with(p, "database.yml") && strstr(mk->texts.items[i], "dialect:"))
			return true;
	}
	return false;
}

/* Name-based layouts: one file is one direction of one migration. */
static void classify_by_name(const struct markers *mk, const struct path_parts *pp,
			     const char *text, size_t len, struct layout_file *lf)
{
	const char *base = pp->base;
	size_t bl = strlen(base), dl = dir_len(pp);
	enum direction dir = DIR_UP;
	bool txn;

	if (drizzle_classify(mk, pp->path, dl, len, lf))
		return;
	lf->root = xstrndup(pp->path, dl);
	if (pp->nr >= 2 && !strcasecmp(base, "migration.sql") &&
	    is_migration_dir_name(comp(pp, pp->nr - 2), pp->len[pp->nr - 2])) {
		/* prisma/migrations/<ts>_<name>/migration.sql */
		lf->fw = FW_PRISMA;
	} else if (pp->nr >= 1 && (!strcasecmp(base, "up.sql") || !strcasecmp(base, "down.sql"))) {
		/* diesel: migrations/<ts>_<name>/{up,down}.sql (+ metadata.toml) */
		lf->fw = FW_DIESEL;
		dir = tolower((unsigned char)base[0]) == 'd' ? DIR_DOWN : DIR_UP;
	}
	if (lf->fw == FW_PRISMA || lf->fw == FW_DIESEL) {
		size_t last = pp->nr - 1;
		free(lf->root);
		lf->root = xstrndup(pp->path, upto(pp, last));
		split_version(comp(pp, last), pp->len[last], &lf->version, &lf->name);
		txn = lf->fw == FW_PRISMA ||
		      !setting_false(marker_in(mk, pp->path, dl, "metadata.toml"), "run_in_transaction");
		one_part(lf, dir, txn, len);
		return;
	}
	if (flyway_name(base, lf, &dir)) {
		char *conf = xstrfmt("%s.conf", base);
		const char *conf_text = marker_in(mk, pp->path, dl, conf);
		struct layout_part mixed = { 0 };
		lf->fw = FW_FLYWAY;
		/* the script's .conf wins over what its statements say */
		if (conf_text && setting_is(conf_text, "executeInTransaction", "false"))
			txn = false;
		else if (conf_text && setting_is(conf_text, "executeInTransaction", "true"))
			txn = true;
		else
			txn = flyway_txn(mk, text, len, &mixed);
		free(conf);
		one_part(lf, dir, txn, len);
		lf->part[0].mixed_line = mixed.mixed_line;
		lf->part[0].mixed_refused = mixed.mixed_refused;
		return;
	}

	/* <version>_<name>[.<dialect>][.up|.down].sql */
	size_t stem = bl - 4;
	bool updown = false;
	if (iends_with_n(base, bl, ".up.sql")) {
		stem = bl - 7;
		updown = true;
	} else if (iends_with_n(base, bl, ".down.sql")) {
		stem = bl - 9;
		dir = DIR_DOWN;
		updown = true;
	}
	/* kratos/popx: 1_x.postgres.up.sql, 1_x.autocommit.up.sql */
	split_version(base, stem_end(base, stem), &lf->version, &lf->name);

	size_t parent = pp->nr ? upto(pp, pp->nr - 1) : 0;
	bool cargo = pp->nr && marker_in(mk, pp->path, parent, "Cargo.toml");
	if (updown && !cargo && stem_end(base, stem) == stem && pop_layout(mk, pp)) {
		lf->fw = FW_POP;
		one_part(lf, dir, true, len);
		return;
	} else if (updown && !cargo) {
		lf->fw = FW_GOLANG_MIGRATE;
		bool popx = stem_end(base, stem) < stem;
		txn = popx ? !dotted_word_in(base, autocommit_words) : several_statements(text, len);
		one_part(lf, dir, txn, len);
		lf->part[0].implicit_txn = txn && !popx;
		return;
	} else if (cargo) {
		lf->fw = FW_SQLX;
		txn = !first_line_is(text, len, "no-transaction");
	} else if (marker_in(mk, pp->path, dl, "atlas.sum")) {
		lf->fw = FW_ATLAS;
		txn = !has_directive(text, len, "atlas:txmode none");
	} else if (pp->nr >= 2 && comp_is(pp, pp->nr - 1, "migrations") &&
		   comp_is(pp, pp->nr - 2, "supabase")) {
		lf->fw = FW_SUPABASE;
		txn = true;
	} else {
		lf->fw = FW_PLAIN;
		txn = false;
	}
	one_part(lf, dir, txn, len);
}

enum layout_verdict layout_classify(struct markers *mk, const char *path, size_t skip,
				    bool forced, const char *text, size_t len,
				    struct layout_file *lf)
{
	enum layout_verdict v = layout_candidate(mk, path, skip, forced);
	struct path_parts pp;

	memset(lf, 0, sizeof(*lf));
	if (v != LAYOUT_MIGRATION)
		return v;
	path_split(&pp, path);
	size_t bl = strlen(pp.base);

	if (layout_rails_name(path)) {
		/* Ruby: its SQL is what core/discover/rails.c translates it into */
		struct rails_migration rm;
		if (!mk->rails_indexes)
			mk->rails_indexes = xcalloc(1, sizeof(*mk->rails_indexes));
		rails_translate(path, text, len, mk->rails_indexes, &rm);
		lf->fw = FW_RAILS;
		lf->part[0] = (struct layout_part){ .dir = DIR_UP, .first_line = 1, .in_txn = rm.in_txn,
						    .script = rm.up };
		lf->nr_parts = 1;
		if (rm.down)
			lf->part[lf->nr_parts++] = (struct layout_part){
				.dir = DIR_DOWN, .first_line = 1, .in_txn = rm.in_txn, .script = rm.down };
		lf->root = xstrndup(path, dir_len(&pp));
		split_version(pp.base, bl - 3, &lf->version, &lf->name);
	} else if (sqitch_script(mk, &pp, "deploy") || sqitch_script(mk, &pp, "revert")) {
		/* sqitch runs a script as written; it carries its own BEGIN/COMMIT */
		size_t top = upto(&pp, pp.nr - 1);
		lf->fw = FW_SQITCH;
		lf->root = xstrndup(path, top);
		lf->version = xstrndup(pp.base, bl - 4);
		lf->name = xstrdup(lf->version);
		lf->plan_pos = sqitch_plan_pos(marker_in(mk, path, top, "sqitch.plan"), pp.base, bl - 4);
		one_part(lf, comp_is(&pp, pp.nr - 1, "revert") ? DIR_DOWN : DIR_UP, false, len);
	} else if (synapse_delta(&pp)) {
		size_t d = synapse_delta(&pp), stem = bl - (ends_with(pp.base, ".postgres") ? 13 : 4);
		lf->fw = FW_SYNAPSE;
		lf->root = xstrndup(path, d >= 1 ? upto(&pp, d - 1) : 0);
		lf->version = xstrfmt("%.*s/%s", (int)pp.len[d + 1], comp(&pp, d + 1), pp.base);
		lf->name = xstrndup(pp.base, stem);
		one_part(lf, DIR_UP, true, len);
	} else if (split_sections(text, len, "+goose up", "+goose down", lf,
				  !has_directive(text, len, "+goose NO TRANSACTION"), false)) {
		lf->fw = FW_GOOSE;
	} else if (split_sections(text, len, "migrate:up", "migrate:down", lf, true, true)) {
		lf->fw = FW_DBMATE;
	} else {
		classify_by_name(mk, &pp, text, len, lf);
	}
	if (!lf->root) {
		/* goose and dbmate: <version>_<name>.sql in its directory */
		lf->root = xstrndup(path, dir_len(&pp));
		split_version(pp.base, bl - 4, &lf->version, &lf->name);
	}
	path_parts_release(&pp);
	return LAYOUT_MIGRATION;
}
