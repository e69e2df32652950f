/*
 * discover_drizzle.c - Drizzle Kit's two migration folder layouts.
 *
 *   drizzle/meta/_journal.json + drizzle/0000_<tag>.sql    drizzle-kit 0.x
 *   drizzle/<timestamp>_<name>/migration.sql (+ snapshot.json)   drizzle-kit 1.x
 *
 * In the journal layout the migrator runs exactly the journal's entries, in
 * their order, reading `<tag>.sql` for each (drizzle-orm src/migrator.ts,
 * readMigrationFiles()); a .sql file not in the journal is never run.
 * Either way each file is cut at its "--> statement-breakpoint" lines into
 * queries, and PgDialect.migrate() (drizzle-orm src/pg-core/dialect.ts)
 * runs every pending migration's queries inside session.transaction(): so
 * each migration runs in a transaction, and a CREATE INDEX CONCURRENTLY in
 * one fails.
 */
#include "discover_int.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define JOURNAL "meta/_journal.json"

/* The journal governing .sql files of `dir` (n bytes), or NULL. */
static const char *journal_of(const struct markers *mk, const char *dir, size_t n)
{
	return marker_in(mk, dir, n, JOURNAL);
}

/*
 * Where `tag` is in the journal: its entry's idx, -1 when it is not there,
 * -2 when the journal is for another database (dialect mysql, sqlite, ...).
 */
static long journal_pos(const char *journal, const char *tag, size_t n)
{
	cJSON *root = cJSON_Parse(journal);
	long pos = -1;
	const cJSON *dialect = cJSON_GetObjectItemCaseSensitive(root, "dialect");
	if (cJSON_IsString(dialect) && strcmp(dialect->valuestring, "postgresql") &&
	    strcmp(dialect->valuestring, "pg") && strcmp(dialect->valuestring, "postgres")) {
		cJSON_Delete(root);
		return -2;
	}
	const cJSON *e;
	long i = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "entries")) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "tag");
		const cJSON *idx = cJSON_GetObjectItemCaseSensitive(e, "idx");
		if (cJSON_IsString(t) && strlen(t->valuestring) == n && !strncmp(t->valuestring, tag, n)) {
			pos = cJSON_IsNumber(idx) ? (long)idx->valuedouble : i;
			break;
		}
		i++;
	}
	cJSON_Delete(root);
	return pos;
}

enum layout_verdict drizzle_candidate(const struct markers *mk, const char *path, size_t dir_len)
{
	const char *journal = journal_of(mk, path, dir_len);
	const char *base = path + dir_len + (dir_len ? 1 : 0);
	if (journal) {
		long pos = journal_pos(journal, base, strlen(base) - 4);
		return pos >= 0 ? LAYOUT_MIGRATION : pos == -2 ? LAYOUT_OTHER_DIALECT
							    : LAYOUT_NOT_MIGRATION;
	}
	if (!strcmp(base, "migration.sql")) {
		char *snap = xstrfmt("%.*s%ssnapshot.json", (int)dir_len, path, dir_len ? "/" : "");
		bool yes = strlist_has(&mk->paths, snap);
		free(snap);
		if (yes)
			return LAYOUT_MIGRATION;
	}
	return LAYOUT_NOT_MIGRATION;
}

bool drizzle_classify(const struct markers *mk, const char *path, size_t dir_len, size_t len,
		      struct layout_file *lf)
{
	const char *base = path + dir_len + (dir_len ? 1 : 0);
	const char *journal = journal_of(mk, path, dir_len);
	if (journal) {
		size_t n = strlen(base) - 4;
		long pos = journal_pos(journal, base, n);
		if (pos < 0)
			return false;
		lf->root = xstrndup(path, dir_len);
		lf->version = xstrfmt("%06ld", pos);
		const char *us = memchr(base, '_', n);
		lf->name = us ? xstrndup(us + 1, n - (size_t)(us + 1 - base)) : xstrndup(base, n);
	} else if (drizzle_candidate(mk, path, dir_len) == LAYOUT_MIGRATION) {
		/* <out>/<timestamp>_<name>/migration.sql */
		const char *slash = dir_len ? memrchr(path, '/', dir_len) : NULL;
		const char *folder = slash ? slash + 1 : path;
		size_t fl = (size_t)(path + dir_len - folder);
		size_t vl = 0;
		while (vl < fl && folder[vl] >= '0' && folder[vl] <= '9')
			vl++;
		lf->root = xstrndup(path, slash ? (size_t)(slash - path) : 0);
		lf->version = xstrndup(folder, vl ? vl : fl);
		lf->name = xstrndup(folder + vl + (vl < fl && folder[vl] == '_'), fl - vl - (vl < fl && folder[vl] == '_'));
	} else {
		return false;
	}
	lf->fw = FW_DRIZZLE;
	lf->part[0] = (struct layout_part){ .dir = DIR_UP, .len = len, .first_line = 1,
					    .in_txn = true, .breakpoints = true };
	lf->nr_parts = 1;
	return true;
}

void drizzle_breakpoints(char *text, size_t len)
{
	static const char mark[] = "--> statement-breakpoint";
	size_t k = sizeof(mark) - 1;
	for (char *p = text; (p = memmem(p, len - (size_t)(p - text), mark, k)); p += k) {
		/* the query before it ends here, as drizzle cuts the file */
		memset(p, ' ', k);
		*p = ';';
	}
}
