/*
 * draft_layout.c - naming and marking drafted migrations the way the
 * repository already does.
 *
 * A split draft adds migrations after the one it rewrites. They must look
 * like the team's own: the same directory, the same numbering scheme and
 * width (golang-migrate's 000042_, Flyway's V42__, diesel's dated
 * directories, timestamps), and each framework's way of saying "run this
 * outside a transaction" (goose NO TRANSACTION, dbmate transaction:false,
 * sqlx -- no-transaction, diesel metadata.toml, a Flyway .conf file).
 * Numbers continue from the highest one in the directory, so a draft is
 * deterministic: the same repository gives the same file names.
 */
#include "draft_int.h"
#include "app_sql.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* "a/b/c.sql" -> "a/b/" ; "c.sql" -> "" */
static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? xstrndup(path, (size_t)(s - path + 1)) : xstrdup("");
}

static enum framework sniff_framework(const struct migration *m)
{
	const char *path = m->up ? m->up->path : m->down->path;
	const char *base = base_name(path);
	const char *text = m->up ? m->up->text : m->down->text;
	if (m->fw == FW_SQLX || m->fw == FW_SUPABASE || m->fw == FW_ATLAS)
		return m->fw;
	if (!strcmp(base, "up.sql") || !strcmp(base, "down.sql"))
		return FW_DIESEL;
	if (!strcmp(base, "migration.sql"))
		return FW_PRISMA;
	if (ends_with(base, ".up.sql") || ends_with(base, ".down.sql"))
		return FW_GOLANG_MIGRATE;
	if ((base[0] == 'V' || base[0] == 'U') && isdigit((unsigned char)base[1]) && strstr(base, "__"))
		return FW_FLYWAY;
	if (text && strstr(text, "+goose Up"))
		return FW_GOOSE;
	if (text && strstr(text, "migrate:up"))
		return FW_DBMATE;
	return m->fw;
}

/* The part of a path that carries the number: the file, or diesel/prisma's directory. */
static char *numbered_part(const char *path, enum framework fw)
{
	if (fw == FW_DIESEL || fw == FW_PRISMA) {
		char *d = dir_of(path);
		size_t n = strlen(d);
		if (n)
			d[n - 1] = '\0';
		char *r = xstrdup(base_name(d));
		free(d);
		return r;
	}
	return xstrdup(base_name(path));
}

/* Reads the number at the start of a numbered part; digits counts them. */
static bool read_number(const char *s, enum framework fw, unsigned long long *n, int *digits,
			bool *dashed)
{
	*n = 0;
	*digits = 0;
	*dashed = false;
	if (fw == FW_FLYWAY && (*s == 'V' || *s == 'U'))
		s++;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s)) {
			if (*n > 99999999999999999ULL)
				return false;
			*n = *n * 10 + (unsigned)(*s - '0');
			(*digits)++;
		} else if (*s == '-' && fw == FW_DIESEL && isdigit((unsigned char)s[1])) {
			*dashed = true;
		} else
			break;
	}
	return *digits > 0;
}

/* The migration's stem: its numbered part without extensions. */
static char *stem_of(const char *part)
{
	char *s = xstrdup(part);
	static const char *const exts[] = { ".up.sql", ".down.sql", ".sql" };
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++)
		if (ends_with(s, exts[i])) {
			s[strlen(s) - strlen(exts[i])] = '\0';
			break;
		}
	return s;
}

void layout_detect(const struct migration_set *ms, size_t target, struct layout *l)
{
	const struct migration *m = ms->v[target];
	const char *path = m->up ? m->up->path : m->down->path;
	char *part;
	bool dashed;
	unsigned long long n;
	int digits;

	memset(l, 0, sizeof(*l));
	l->fw = sniff_framework(m);
	l->single_file = l->fw == FW_GOOSE || l->fw == FW_DBMATE;
	l->dir = dir_of(path);
	if (l->fw == FW_DIESEL || l->fw == FW_PRISMA) {
		/* The migration is a directory: numbers live one level up. */
		size_t len = strlen(l->dir);
		if (len)
			l->dir[len - 1] = '\0';
		char *parent = dir_of(l->dir);
		free(l->dir);
		l->dir = parent;
	}
	part = numbered_part(path, l->fw);
	l->stem = stem_of(part);
	l->width = 6;
	if (read_number(part, l->fw, &n, &digits, &dashed)) {
		l->width = digits;
		l->dashed = dashed;
	}
	free(part);

	for (size_t i = 0; i < ms->nr; i++) {
		const struct script *sc = ms->v[i]->up ? ms->v[i]->up : ms->v[i]->down;
		if (!sc)
			continue;
		char *d = dir_of(sc->path), *p;
		if (l->fw == FW_DIESEL || l->fw == FW_PRISMA) {
			size_t len = strlen(d);
			if (len)
				d[len - 1] = '\0';
			char *parent = dir_of(d);
			free(d);
			d = parent;
		}
		p = numbered_part(sc->path, l->fw);
		if (!strcmp(d, l->dir) && read_number(p, l->fw, &n, &digits, &dashed) && n > l->max)
			l->max = n;
		free(p);
		free(d);
	}
}

void layout_release(struct layout *l)
{
	free(l->dir);
	free(l->stem);
	memset(l, 0, sizeof(*l));
}

static void add_number(struct strbuf *sb, const struct layout *l, unsigned long long n)
{
	if (l->dashed) {
		char digits[32];
		snprintf(digits, sizeof(digits), "%014llu", n);
		strbuf_addf(sb, "%.4s-%.2s-%.2s-%s", digits, digits + 4, digits + 6, digits + 8);
		return;
	}
	strbuf_addf(sb, "%0*llu", l->width, n);
}

/*
 * The stem of new migration k: "000006_backfill_status". The name comes
 * from identifiers in the migration, which a quoted identifier can fill
 * with anything: only letters, digits, '_', '-' and non-ASCII (UTF-8)
 * bytes are kept, so no '/' climbs out of the directory, no '.' reads as
 * a dialect or direction, no control byte reaches a terminal.
 */
static char *new_stem(const struct layout *l, unsigned k, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	if (l->fw == FW_FLYWAY)
		strbuf_addch(&sb, 'V');
	add_number(&sb, l, l->max + k);
	strbuf_addstr(&sb, l->fw == FW_FLYWAY ? "__" : "_");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		strbuf_addch(&sb, isalnum(*p) || *p == '_' || *p == '-' || *p >= 0x80 ? (char)*p : '_');
	return strbuf_detach(&sb, NULL);
}

const char *layout_no_txn_marker(enum framework fw)
{
	return framework_no_txn_marker(fw);
}

char *layout_down_path(const struct layout *l, const struct migration *m)
{
	const char *up = m->up ? m->up->path : "";
	if (m->down)
		return xstrdup(m->down->path);
	switch (l->fw) {
	case FW_GOLANG_MIGRATE:
	case FW_SQLX:
		if (ends_with(up, ".up.sql"))
			return xstrfmt("%.*s.down.sql", (int)(strlen(up) - 7), up);
		break;
	case FW_DIESEL: {
		char *d = dir_of(up), *r = xstrfmt("%sdown.sql", d);
		free(d);
		return r;
	}
	case FW_FLYWAY: {
		char *d = dir_of(up);
		const char *b = base_name(up);
		char *r = xstrfmt("%sU%s", d, *b == 'V' ? b + 1 : b);
		free(d);
		return r;
	}
	case FW_GOOSE:
	case FW_DBMATE:
		return xstrdup(up);
	default:
		break;
	}
	if (ends_with(up, ".sql"))
		return xstrfmt("%.*s.down.sql", (int)(strlen(up) - 4), up);
	return xstrfmt("%s.down.sql", up);
}

/* A statement that holds a body with semicolons (goose needs StatementBegin/End). */
static bool needs_statement_block(const char *s)
{
	return strchr(s, '$') != NULL;
}

static void add_statements(struct strbuf *sb, const struct strlist *l, bool reverse, enum framework fw)
{
	for (size_t j = 0; j < l->nr; j++) {
		const char *s = l->items[reverse ? l->nr - 1 - j : j];
		bool block = fw == FW_GOOSE && needs_statement_block(s);
		if (block)
			strbuf_addstr(sb, "-- +goose StatementBegin\n");
		strbuf_addf(sb, "%s;\n", s);
		if (block)
			strbuf_addstr(sb, "-- +goose StatementEnd\n");
	}
}

/* The down text: what must come first, as a comment the runbook's rollback shows too. */
static void add_down_text(struct strbuf *sb, const struct unit *u, enum framework fw)
{
	if (u->down_first)
		strbuf_addf(sb, "-- sluice: before this down: %s\n", u->down_first);
	add_statements(sb, &u->downs, true, fw);
}

/*
 * The up text: a blocking step gets a lock_timeout first, so that it gives
 * up instead of queueing every other query of the table behind it. Outside
 * a transaction most tools send the file as one multi-statement query
 * (an implicit transaction again), so those files keep exactly one
 * statement and the runbook sets lock_timeout on the connection instead;
 * goose runs NO TRANSACTION statements one by one and may have the SET.
 */
static void add_up_text(struct strbuf *sb, const struct layout *l, const struct unit *u)
{
	if (u->deploy_first)   /* for the reviewer, the runbook and the shadow's replay */
		strbuf_addf(sb, "%s %s\n", APP_SQL_DEPLOY_MARK, u->deploy_first);
	if (u->backup_first)
		strbuf_addf(sb, "%s %s\n", DRAFT_BACKUP_MARK, u->backup_first);
	if (u->check_first)
		strbuf_addf(sb, "%s %s\n", DRAFT_CHECK_MARK, u->check_first);
	if (u->locks && !u->no_txn)
		strbuf_addstr(sb, "SET LOCAL lock_timeout = '2s';\n");
	else if (u->locks && l->fw == FW_GOOSE)
		strbuf_addstr(sb, "SET lock_timeout = '2s';\n");
	add_statements(sb, &u->ups, false, l->fw);
}

static void emit_single_file(const struct layout *l, const char *path, const struct unit *u,
			     struct draft *d, bool replaces)
{
	struct strbuf sb = STRBUF_INIT;
	if (l->fw == FW_GOOSE) {
		if (u->no_txn)
			strbuf_addstr(&sb, layout_no_txn_marker(FW_GOOSE));
		strbuf_addstr(&sb, "-- +goose Up\n");
		add_up_text(&sb, l, u);
		strbuf_addstr(&sb, "\n-- +goose Down\n");
	} else {
		strbuf_addf(&sb, "-- migrate:up%s\n", u->no_txn ? " transaction:false" : "");
		add_up_text(&sb, l, u);
		strbuf_addf(&sb, "\n-- migrate:down%s\n", u->no_txn ? " transaction:false" : "");
	}
	add_down_text(&sb, u, l->fw);
	struct draft_file *f = draft_add_file(d, path, strbuf_detach(&sb, NULL), u->purpose, true);
	f->replaces = replaces;
	f->no_txn = u->no_txn;
}

static void emit_pair(const struct layout *l, const char *up, const char *down,
		      const struct unit *u, struct draft *d, bool replaces)
{
	struct strbuf sb = STRBUF_INIT;
	const char *marker = u->no_txn ? layout_no_txn_marker(l->fw) : NULL;
	if (marker)
		strbuf_addstr(&sb, marker);
	add_up_text(&sb, l, u);
	struct draft_file *f = draft_add_file(d, up, strbuf_detach(&sb, NULL), u->purpose, true);
	f->replaces = replaces;
	f->no_txn = u->no_txn;
	if (!down || l->fw == FW_PRISMA)
		return;
	if (marker)
		strbuf_addstr(&sb, marker);
	if (!u->downs.nr)
		strbuf_addstr(&sb, "-- nothing to undo: this step only reads or validates\n");
	add_down_text(&sb, u, l->fw);
	char *purpose = xstrfmt("undo: %s", u->purpose);
	f = draft_add_file(d, down, strbuf_detach(&sb, NULL), purpose, true);
	f->dir = DIR_DOWN;
	f->replaces = replaces;
	f->no_txn = u->no_txn;
	free(purpose);
}

/* Side files that tell a framework not to wrap a migration in a transaction. */
static void emit_no_txn_side_file(const struct layout *l, const char *up, struct draft *d)
{
	char *path = NULL, *text = NULL;
	if (l->fw == FW_FLYWAY) {
		path = xstrfmt("%s.conf", up);
		text = xstrdup("executeInTransaction=false\n");
	} else if (l->fw == FW_DIESEL) {
		char *dir = dir_of(up);
		path = xstrfmt("%smetadata.toml", dir);
		text = xstrdup("run_in_transaction = false\n");
		free(dir);
	}
	if (path)
		draft_add_file(d, path, text, "run this migration outside a transaction", false);
	free(path);
}

void layout_emit(const struct layout *l, unsigned k, const struct unit *u, struct draft *d)
{
	char *up, *down;
	if (k == 0)
		BUG("layout_emit with k == 0: use layout_emit_target");
	char *stem = new_stem(l, k, u->name);
	switch (l->fw) {
	case FW_DIESEL:
		up = xstrfmt("%s%s/up.sql", l->dir, stem);
		down = xstrfmt("%s%s/down.sql", l->dir, stem);
		break;
	case FW_PRISMA:
		up = xstrfmt("%s%s/migration.sql", l->dir, stem);
		down = NULL;
		break;
	case FW_FLYWAY:
		up = xstrfmt("%s%s.sql", l->dir, stem);
		down = xstrfmt("%sU%s.sql", l->dir, stem + 1);
		break;
	case FW_GOOSE:
	case FW_DBMATE:
		up = xstrfmt("%s%s.sql", l->dir, stem);
		down = NULL;
		break;
	case FW_GOLANG_MIGRATE:
	case FW_SQLX:
		up = xstrfmt("%s%s.up.sql", l->dir, stem);
		down = xstrfmt("%s%s.down.sql", l->dir, stem);
		break;
	default:
		up = xstrfmt("%s%s.sql", l->dir, stem);
		down = xstrfmt("%s%s.down.sql", l->dir, stem);
		break;
	}
	if (l->single_file)
		emit_single_file(l, up, u, d, false);
	else
		emit_pair(l, up, down, u, d, false);
	if (u->no_txn)
		emit_no_txn_side_file(l, up, d);
	free(stem);
	free(up);
	free(down);
}

void layout_emit_target(const struct layout *l, const struct migration *m, const struct unit *u,
			struct draft *d)
{
	char *down = layout_down_path(l, m);
	const char *up = m->up->path;
	if (l->single_file)
		emit_single_file(l, up, u, d, true);
	else
		emit_pair(l, up, down, u, d, true);
	if (u->no_txn)
		emit_no_txn_side_file(l, up, d);
	free(down);
}

/* Where the framework has no marker line, how a step says "outside a transaction". */
static const char *no_txn_how(enum framework fw)
{
	switch (fw) {
	case FW_DBMATE:
		return "'-- migrate:up transaction:false'";
	case FW_FLYWAY:
		return "a V...sql.conf file with executeInTransaction=false";
	case FW_DIESEL:
		return "metadata.toml with run_in_transaction = false";
	default:
		return "put the statement alone in its own file";
	}
}

void draft_conventions(const struct migration_set *ms, size_t target, struct draft_conventions *out)
{
	struct layout l;
	layout_detect(ms, target, &l);
	out->fw = l.fw;
	out->dir = l.dir;
	l.dir = NULL;
	out->width = l.width;
	out->dashed = l.dashed;
	out->max = l.max;
	out->no_txn_marker = layout_no_txn_marker(l.fw);
	out->no_txn_how = no_txn_how(l.fw);
	layout_release(&l);
}

void draft_conventions_release(struct draft_conventions *c)
{
	free(c->dir);
	memset(c, 0, sizeof(*c));
}
