/*
 * shadow_replay.c - the application's statements run on the shadow
 * between migrations (see app_sql.h).
 *
 * Each statement is prepared (the server says then whether its tables and
 * columns exist, and which type each parameter has), its parameters get
 * values, and it is executed in a transaction that is rolled back at once:
 * the replay never changes the rows the next migration runs on. Values
 * come from the rows the shadow was seeded with (shadow_seed.c): the value
 * a row holds in the column the parameter is tied to, a fresh one for a
 * unique column an INSERT sets, and a plain value of the parameter's type
 * when it is tied to no column. Whatever fails already before the pending
 * migrations (a value sluice chose badly, code written for a later schema)
 * is not held against them: only a statement that ran and then fails.
 */
#include "app_sql.h"
#include "db.h"
#include "draft.h"
#include "model.h"
#include "rules.h"
#include "shadow_trust_int.h"

#include <stdlib.h>
#include <string.h>

/* A value of a type when no row tells one. */
static const char *plain_value(const char *type)
{
	static const struct {
		const char *prefix, *value;
	} plain[] = {
		{ "smallint", "1" }, { "integer", "1" }, { "bigint", "1" }, { "numeric", "1" },
		{ "real", "1" }, { "double", "1" }, { "boolean", "true" },
		{ "uuid", "00000000-0000-4000-8000-000000000001" }, { "date", "2024-01-01" },
		{ "timestamp", "2024-01-01 00:00:00" }, { "time", "00:00:00" }, { "interval", "1 day" },
		{ "json", "{}" }, { "inet", "127.0.0.1" },
	};
	if (type && strstr(type, "[]"))
		return "{}";
	for (size_t i = 0; type && i < ARRAY_SIZE(plain); i++)
		if (starts_with(type, plain[i].prefix))
			return plain[i].value;
	return "x";
}

/* One text value, or NULL. */
static char *query_value(struct db *db, const char *sql, int n, const char *const *params)
{
	struct pg_result *res = db_query(db, sql, n, params);
	char *v = res && db_rows(res) && !db_isnull(res, 0, 0) ? xstrdup(db_value(res, 0, 0)) : NULL;
	if (res)
		db_free(res);
	return v;
}

/* The table of the statement that has `col` (the first one), as a quoted name; NULL. */
static char *table_with(struct db *db, const struct app_stmt *s, const char *table, const char *col,
			char **type, bool *unique)
{
	static const char q[] =
		"SELECT format_type(a.atttypid, NULL), EXISTS (SELECT FROM pg_index i WHERE "
		"i.indrelid = a.attrelid AND i.indisunique AND i.indnkeyatts = 1 AND "
		"i.indkey[0] = a.attnum) FROM pg_attribute a WHERE a.attrelid = to_regclass($1) "
		"AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped";
	for (size_t i = 0; i < s->tables.nr; i++) {
		if (*table && strcmp(table, s->tables.items[i]))
			continue;
		struct strbuf rel = STRBUF_INIT;
		sql_add_qualified(&rel, s->tables.items[i]);
		const char *params[] = { rel.buf, col };
		struct pg_result *res = db_query(db, q, 2, params);
		if (res && db_rows(res)) {
			*type = xstrdup(db_value(res, 0, 0));
			*unique = !strcmp(db_value(res, 0, 1), "t");
			db_free(res);
			return strbuf_detach(&rel, NULL);
		}
		if (res)
			db_free(res);
		strbuf_release(&rel);
	}
	return NULL;
}

/* The value for parameter i: from the rows when it is tied to a column. */
static char *param_value(struct db *db, const struct app_stmt *s, int i, const char *type)
{
	const char *tied = s->param_col[i];
	char *v = NULL, *ctype = NULL;
	bool unique = false;
	if (tied) {
		const char *dot = strrchr(tied, '.');
		char *table = xstrndup(tied, (size_t)(dot - tied));
		char *rel = table_with(db, s, table, dot + 1, &ctype, &unique);
		free(table);
		if (rel) {
			struct strbuf q = STRBUF_INIT, col = STRBUF_INIT;
			sql_add_ident(&col, dot + 1);
			if (s->insert && unique && plain_value(ctype)[0] == '1')
				strbuf_addf(&q, "SELECT (coalesce(max(%s), 0) + 1)::text FROM %s", col.buf, rel);
			else if (s->insert && unique && !strcmp(ctype, "uuid"))
				strbuf_addstr(&q, "SELECT md5(clock_timestamp()::text || random()::text)::uuid::text");
			else if (s->insert && unique)
				strbuf_addf(&q, "SELECT 'r' || left(md5(random()::text), 6) || "
					    "coalesce(min(%s::text), '') FROM %s", col.buf, rel);
			else
				strbuf_addf(&q, "SELECT %s::text FROM %s WHERE %s IS NOT NULL LIMIT 1",
					    col.buf, rel, col.buf);
			v = query_value(db, q.buf, 0, NULL);
			strbuf_release(&q);
			strbuf_release(&col);
			free(rel);
		}
	}
	if (!v)
		v = xstrdup(plain_value(ctype ? ctype : type));
	free(ctype);
	return v;
}

/* Prepares, fills and executes s, rolled back. 0, or -1 with the server's message in *why. */
static int run_one(struct shadow *sh, const struct app_stmt *s, struct strbuf *why)
{
	struct db *db = sh->db;
	struct strbuf q = STRBUF_INIT;
	int ret = -1;
	db_exec(db, "DEALLOCATE ALL");
	strbuf_addf(&q, "PREPARE sluice_replay AS %s", s->sql);
	if (db_exec_single(db, q.buf) < 0) {
		strbuf_addstr(why, db->err.buf);
		strbuf_release(&q);
		return -1;
	}
	struct pg_result *types = db_query(db, "SELECT t::text FROM pg_prepared_statements, "
					   "unnest(parameter_types) WITH ORDINALITY u(t, n) WHERE "
					   "name = 'sluice_replay' ORDER BY n", 0, NULL);
	strbuf_reset(&q);
	strbuf_addstr(&q, "EXECUTE sluice_replay");
	for (int i = 0; i < s->nparams; i++) {
		const char *type = types && i < db_rows(types) ? db_value(types, i, 0) : NULL;
		char *v = param_value(db, s, i, type);
		strbuf_addstr(&q, i ? ", " : "(");
		sql_add_literal(&q, v);
		free(v);
	}
	if (s->nparams)
		strbuf_addch(&q, ')');
	if (types)
		db_free(types);
	if (db_exec(db, "BEGIN") == 0 && db_exec(db, "SET LOCAL statement_timeout = '10s'") == 0) {
		ret = db_exec(db, q.buf);
		if (ret < 0)
			strbuf_addstr(why, db->err.buf);
	} else {
		strbuf_addstr(why, db->err.buf);
	}
	db_exec(db, "ROLLBACK");
	db_exec(db, "DEALLOCATE ALL");
	strbuf_release(&q);
	return ret;
}

void app_sql_baseline(struct shadow *sh, struct app_sql *a)
{
	for (size_t i = 0; i < a->nr; i++) {
		struct app_stmt *s = &a->v[i];
		struct strbuf why = STRBUF_INIT;
		struct vetted vt;
		/* the application's SQL is a stranger's too: only what stays in the scratch database */
		if (shadow_vet(s->sql, &sh->roles_not_created, &vt) != 0) {
			s->why = xstrfmt("not run: %s", vt.why);
			vetted_release(&vt);
			continue;
		}
		vetted_release(&vt);
		s->ran = s->ever = run_one(sh, s, &why) == 0;
		if (!s->ran)
			s->why = strbuf_detach(&why, NULL);
		strbuf_release(&why);
	}
}

static bool names_one_of(const struct app_stmt *s, const struct strlist *tables)
{
	for (size_t i = 0; i < s->tables.nr; i++)
		for (size_t k = 0; k < tables->nr; k++) {
			const char *t = tables->items[k], *dot = strrchr(t, '.');
			if (!strcmp(s->tables.items[i], t) || (dot && !strcmp(s->tables.items[i], dot + 1)))
				return true;
		}
	return false;
}

/* The statement as one line, cut short: for a message. */
static void add_short(struct strbuf *sb, const char *sql)
{
	size_t n = 0;
	bool space = false;
	for (const char *p = sql; *p && n < 100; p++) {
		if (*p == '\n' || *p == '\t' || *p == ' ' || *p == '\r') {
			space = true;
			continue;
		}
		if (space && n)
			strbuf_addch(sb, ' '), n++;
		space = false;
		strbuf_addch(sb, *p);
		n++;
	}
	if (strlen(sql) > n)
		strbuf_addstr(sb, "...");
}

static void one_line(struct strbuf *sb)
{
	for (size_t i = 0; i < sb->len; i++)
		if (sb->buf[i] == '\n' || sb->buf[i] == '\t')
			sb->buf[i] = ' ';
}

/* Is the statement in one of the "path:line" places the migrations say deploy first? */
static bool deploys_first(const struct app_stmt *s, const struct strlist *deploy_first)
{
	size_t pl = strlen(s->path);
	for (size_t i = 0; i < deploy_first->nr; i++) {
		const char *w = deploy_first->items[i];
		if (strncmp(w, s->path, pl) || w[pl] != ':')
			continue;
		int line = atoi(w + pl + 1);
		if (line >= s->line && line <= (s->end_line > s->line ? s->end_line : s->line))
			return true;
	}
	return false;
}

size_t app_sql_replay(struct shadow *sh, struct app_sql *a, const struct strlist *tables,
		      const struct strlist *deploy_first, struct file_report *fr)
{
	const struct rule *r = rule_find("app-statement-fails");
	size_t failed = 0;
	for (size_t i = 0; i < a->nr; i++) {
		struct app_stmt *s = &a->v[i];
		if (!names_one_of(s, tables) || (!s->ever && s->why && starts_with(s->why, "not run: ")))
			continue;
		struct strbuf why = STRBUF_INIT;
		bool was = s->ran;
		s->ran = run_one(sh, s, &why) == 0;
		s->ever |= s->ran;
		char *where = xstrfmt("%s:%d", s->path, s->line);
		if (was && !s->ran && deploys_first(s, deploy_first)) {
			s->expected = true;
		} else if (was && !s->ran) {
			struct strbuf msg = STRBUF_INIT;
			one_line(&why);
			strbuf_addf(&msg, "after this migration the application's statement at %s fails "
				    "on the shadow: %s (", where, why.buf);
			add_short(&msg, s->sql);
			strbuf_addstr(&msg, ")");
			file_add_finding(fr, r->id, r->sev, r->cats, fr->nr_stmts ? fr->stmts[0].line : 1,
					 msg.buf, r->fix);
			strbuf_release(&msg);
			failed++;
		}
		free(where);
		strbuf_release(&why);
	}
	return failed;
}

size_t app_sql_replayed(const struct app_sql *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->nr; i++)
		n += a->v[i].ever;
	return n;
}
