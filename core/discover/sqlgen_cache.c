/*
 * sqlgen_cache.c - the SQL a tool printed for a migration of the history,
 * kept across runs: a Django or Alembic project's history is asked for
 * once, not on every `sluice check` (a sqlmigrate costs about a second).
 *
 * One file per migration under $XDG_CACHE_HOME/sluice/sqlgen (else
 * ~/.cache/sluice/sqlgen), named by a key that chains, in apply order, the
 * key before it, the tool settings and the migration's path and text: what
 * a tool prints for a migration depends on the ones before it (sqlmigrate
 * builds the project's state from them), so changing one re-asks for it and
 * every later one. The file holds the transaction mode, the line map and
 * the SQL; one that does not read back whole is not used.
 */
#include "sqlgen_int.h"
#include "rails_int.h"   /* rsql_sha256_hex */
#include "settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAGIC "sluice-sqlgen 1"

/* The settings that choose what the tools print. */
static const char *const tool_keys[] = { "sluice.django.command", "sluice.alembic.command",
					 "sluice.knex.node", "sluice.sqlfrom" };

void sqlgen_cache_open(struct sqlgen_cache *c)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	memset(c, 0, sizeof(*c));
	if (xdg && *xdg == '/')
		c->dir = xstrfmt("%s/sluice/sqlgen", xdg);
	else if (home && *home == '/')
		c->dir = xstrfmt("%s/.cache/sluice/sqlgen", home);
}

void sqlgen_cache_close(struct sqlgen_cache *c)
{
	free(c->dir);
	memset(c, 0, sizeof(*c));
}

void sqlgen_cache_next(struct sqlgen_cache *c, const struct config *cfg, const struct migration *m,
		       const struct script *src)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s\n%d\n", c->key, (int)m->fw);
	for (size_t i = 0; i < ARRAY_SIZE(tool_keys); i++)
		strbuf_addf(&sb, "%s=%s\n", tool_keys[i], nonnull(config_get(cfg, tool_keys[i])));
	strbuf_addf(&sb, "%s\n", src->path);
	strbuf_add(&sb, src->text, src->len);
	rsql_sha256_hex(sb.buf, sb.len, c->key);
	strbuf_release(&sb);
}

static char *entry_path(const struct sqlgen_cache *c)
{
	return c->dir && c->key[0] ? xstrfmt("%s/%s", c->dir, c->key) : NULL;
}

bool sqlgen_cache_get(const struct sqlgen_cache *c, struct gen_sql *out)
{
	char *path = entry_path(c);
	struct strbuf sb = STRBUF_INIT;
	bool ok = false;
	if (!path || strbuf_read_regular(&sb, path, (size_t)64 << 20) < 0)
		goto out;
	/* CACHE_MAGIC txn nr \n line line ... \n sql */
	char *p = sb.buf, *nl = memchr(p, '\n', sb.len);
	int txn;
	size_t nr, got = 0;
	if (!nl || sscanf(p, CACHE_MAGIC " %d %zu", &txn, &nr) != 2 || nr > sb.len)
		goto out;
	p = nl + 1;
	int *map = xcalloc(nr + 1, sizeof(*map));
	for (; got < nr; got++) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p || v < 1 || v > 1 << 30)
			break;
		map[got] = (int)v;
		p = end;
	}
	size_t lines = 0, off = (size_t)(p - sb.buf) + 1;
	for (size_t i = off; i < sb.len; i++)
		lines += sb.buf[i] == '\n';
	if (got != nr || off > sb.len || *p != '\n' || lines != nr) {
		free(map);
		goto out;
	}
	strbuf_add(&out->sql, sb.buf + off, sb.len - off);
	out->map = map;
	out->nr = out->alloc = nr;
	out->in_txn = txn != 0;
	ok = true;
out:
	strbuf_release(&sb);
	free(path);
	return ok;
}

/* mkdir -p, for the cache's own directory */
static int make_dirs(const char *dir)
{
	char *p = xstrdup(dir);
	int ret = 0;
	for (char *s = p + 1; ret == 0; s++) {
		if (*s != '/' && *s)
			continue;
		char was = *s;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			ret = -1;
		*s = was;
		if (!was)
			break;
	}
	free(p);
	return ret;
}

void sqlgen_cache_put(const struct sqlgen_cache *c, const struct gen_sql *g)
{
	char *path = entry_path(c), *tmp;
	FILE *f;
	if (!path || make_dirs(c->dir) < 0) {
		free(path);
		return;   /* no cache: the tool is asked again next time */
	}
	tmp = xstrfmt("%s.%ld.tmp", path, (long)getpid());
	if ((f = fopen(tmp, "w"))) {
		fprintf(f, CACHE_MAGIC " %d %zu\n", g->in_txn, g->nr);
		for (size_t i = 0; i < g->nr; i++)
			fprintf(f, "%s%d", i ? " " : "", g->map[i]);
		fputc('\n', f);
		if (g->sql.len)
			fwrite(g->sql.buf, 1, g->sql.len, f);
		if (fclose(f) == 0 && rename(tmp, path) == 0) {
			free(tmp);
			free(path);
			return;
		}
	}
	unlink(tmp);
	free(tmp);
	free(path);
}
