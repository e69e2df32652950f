/*
 * settings.c - settings from .sluice and git config (see settings.h).
 *
 * The .sluice file is read first so that a project's committed policy wins
 * over a developer's personal git config; command-line flags win over both
 * (cli/cmd_check.c applies them after config_apply_judge).
 */
#include "settings.h"
#include "judge.h"
#include "rules.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
}

void config_release(struct config *c)
{
	strlist_clear(&c->keys);
	strlist_clear(&c->values);
	strlist_clear(&c->origins);
}

void config_set(struct config *c, const char *key, const char *value, const char *origin)
{
	strlist_add_nodup(&c->keys, str_lower(xstrdup(key)));
	strlist_add(&c->values, value ? value : "true");
	strlist_add(&c->origins, origin ? origin : "");
}

static int load_from(struct config *c, git_config *cfg, const char *origin)
{
	git_config_iterator *it;
	git_config_entry *e;
	/*
	 * Not git_config_iterator_glob_new(): libgit2 1.5 leaks the regex
	 * match data of a glob iterator. A prefix test does the same job.
	 */
	if (git_config_iterator_new(&it, cfg) < 0)
		return -1;
	/* libgit2 iterates files from highest priority down; keep that order. */
	while (git_config_next(&e, it) == 0)
		if (istarts_with(e->name, "sluice."))
			config_set(c, e->name, e->value, origin);
	git_config_iterator_free(it);
	return 0;
}

/* The project's policy file: .sluice at the top of the work tree. */
static int load_policy(struct config *c, const char *dir)
{
	git_config *cfg;
	int ret = 0;
	char *path = xstrfmt("%s%s.sluice", dir, ends_with(dir, "/") ? "" : "/");
	if (access(path, F_OK) == 0) {
		if (git_config_open_ondisk(&cfg, path) < 0) {
			const git_error *e = git_error_last();
			ret = error("cannot read '%s': %s", path, e ? e->message : "invalid");
		} else {
			load_from(c, cfg, ".sluice");
			git_config_free(cfg);
		}
	}
	free(path);
	return ret;
}

int config_load(struct config *c, const char *workdir)
{
	git_config *cfg = NULL;
	git_repository *repo;
	int ret = 0;
	if (workdir && git_repository_open_ext(&repo, workdir, 0, NULL) == 0) {
		/* from a subdirectory too: .sluice lives at the top */
		const char *top = git_repository_workdir(repo);
		ret = load_policy(c, top ? top : workdir);
		if (git_repository_config_snapshot(&cfg, repo) == 0) {
			load_from(c, cfg, "git config");
			git_config_free(cfg);
		}
		git_repository_free(repo);
		return ret;
	}
	if (workdir)
		ret = load_policy(c, workdir);
	if (git_config_open_default(&cfg) == 0) {
		git_config *snap;
		if (git_config_snapshot(&snap, cfg) == 0) {
			load_from(c, snap, "git config");
			git_config_free(snap);
		}
		git_config_free(cfg);
	}
	return ret;
}

const char *config_get(const struct config *c, const char *key)
{
	for (size_t i = 0; i < c->keys.nr; i++)
		if (!strcasecmp_ascii(c->keys.items[i], key))
			return c->values.items[i];
	return NULL;
}

void config_get_all(const struct config *c, const char *key, struct strlist *out)
{
	for (size_t i = 0; i < c->keys.nr; i++)
		if (!strcasecmp_ascii(c->keys.items[i], key))
			strlist_add(out, c->values.items[i]);
}

void config_get_prefix(const struct config *c, const char *prefix, struct strlist *keys,
		       struct strlist *values)
{
	for (size_t i = 0; i < c->keys.nr; i++)
		if (istarts_with(c->keys.items[i], prefix) && !strlist_has(keys, c->keys.items[i])) {
			strlist_add(keys, c->keys.items[i]);
			strlist_add(values, c->values.items[i]);
		}
}

int config_get_int(const struct config *c, const char *key, int def)
{
	const char *v = config_get(c, key);
	char *end;
	if (!v)
		return def;
	long n = strtol(v, &end, 10);
	return *v && !*end ? (int)n : def;
}

bool config_get_bool(const struct config *c, const char *key, bool def)
{
	const char *v = config_get(c, key);
	if (!v)
		return def;
	if (!strcasecmp_ascii(v, "true") || !strcasecmp_ascii(v, "yes") || !strcmp(v, "1") ||
	    !strcasecmp_ascii(v, "on"))
		return true;
	if (!strcasecmp_ascii(v, "false") || !strcasecmp_ascii(v, "no") || !strcmp(v, "0") ||
	    !strcasecmp_ascii(v, "off"))
		return false;
	return def;
}

/* Where a setting came from, for messages: ".sluice" or "git config". */
static const char *origin_of(const struct config *c, const char *key)
{
	for (size_t i = 0; i < c->keys.nr; i++)
		if (!strcasecmp_ascii(c->keys.items[i], key))
			return c->origins.items[i];
	return "";
}

int pg_version_parse(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	return *s && !*end && n >= 9 && n <= 30 ? (int)n : -1;
}

int config_apply_judge(const struct config *c, struct judge_opts *o)
{
	const char *v;
	int ret = 0;
	if ((v = config_get(c, "sluice.pgversion"))) {
		int n = pg_version_parse(v);
		if (n < 0)
			ret = error("sluice.pgVersion (%s): '%s' is not a PostgreSQL major version (9 to 30)",
				    origin_of(c, "sluice.pgversion"), v);
		else
			o->pg_version = n;
	}
	if ((v = config_get(c, "sluice.failon"))) {
		int s = severity_parse(v);
		if (s <= 0)
			ret = error("sluice.failOn (%s): '%s' is not one of LOW, MEDIUM, HIGH, BLOCKER",
				    origin_of(c, "sluice.failon"), v);
		else
			o->fail_on = (enum severity)s;
	}
	if ((v = config_get(c, "sluice.verifyrows"))) {
		char *end;
		long n = strtol(v, &end, 10);
		if (!*v || *end || n < 0 || n > 10000000)
			ret = error("sluice.verifyRows (%s): '%s' is not a row count (0 to 10000000)",
				    origin_of(c, "sluice.verifyrows"), v);
		else
			o->verify_rows = (int)n;
	}
	struct strlist dis = STRLIST_INIT;
	config_get_all(c, "sluice.disable", &dis);
	for (size_t i = 0; i < dis.nr; i++) {
		/* "a, b" and repeated keys both work */
		char *copy = xstrdup(dis.items[i]);
		for (char *save, *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
			if (!rule_find(t))
				warning("sluice.disable: no rule named '%s' (see 'sluice rules')", t);
			strlist_add(&o->disabled, t);
		}
		free(copy);
	}
	strlist_clear(&dis);
	return ret;
}
