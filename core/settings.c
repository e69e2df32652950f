/*
 * settings.c - settings from .sluice and git config (see settings.h).
 *
 * The .sluice file is read first so that a project's committed policy wins
 * over a developer's personal git config; command-line flags win over both
 * (cli/cmd_check.c applies them after config_apply_judge).
 *
 * A .sluice is written by whoever wrote the branch, so it is trusted with
 * policy only (key_rules below): how strictly to judge, never where to
 * connect, which secret to send or what to run.
 */
#include "settings.h"
#include "gitprobe.h"
#include "judge.h"
#include "rules.h"

#include <ctype.h>
#include <errno.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Who may set a key. POLICY: a repository's committed .sluice may (and wins
 * over git config, as the project's rule). TRUSTED: only the user's own git
 * config (repository .git/config, global, system), the environment or the
 * command line; a .sluice that sets one gets a warning and is ignored.
 *
 * A new key is one line here. A key no line matches is TRUSTED: a setting
 * that connects somewhere or runs something cannot be taken from a
 * stranger's .sluice because someone forgot to list it. Patterns compare
 * case-insensitively; a trailing ".*" matches every key below it.
 */
enum key_trust { KEY_POLICY, KEY_TRUSTED };
static const struct key_rule {
	const char *pattern;
	enum key_trust trust;
} key_rules[] = {
	{ "sluice.pgVersion", KEY_POLICY },
	{ "sluice.failOn", KEY_POLICY },
	{ "sluice.disable", KEY_POLICY },
	{ "sluice.base", KEY_POLICY },
	{ "sluice.blockerSeconds", KEY_POLICY },
	{ "sluice.smallTableRows", KEY_POLICY },
	{ "sluice.largeTableRows", KEY_POLICY },
	{ "sluice.statsMaxAge", KEY_POLICY },
	{ "sluice.unparsedSeverity", KEY_POLICY },
	{ "sluice.runbookDir", KEY_POLICY },
	{ "sluice.stats", KEY_POLICY },
	{ "sluice.ignore", KEY_POLICY },
	{ "sluice.ignore.*", KEY_POLICY },
	{ "sluice.theme", KEY_POLICY },
	{ "sluice.color.*", KEY_POLICY },
	/* Listed for the reader; unlisted keys are TRUSTED anyway. */
	{ "sluice.llm.*", KEY_TRUSTED },      /* endpoint, key variable, key file */
	{ "sluice.db.*", KEY_TRUSTED },       /* the live database */
	{ "sluice.shadow", KEY_TRUSTED },     /* a server to run migrations on */
	{ "sluice.shadow.*", KEY_TRUSTED },
	{ "sluice.sqlFrom", KEY_TRUSTED },    /* a command printing SQL */
	{ "sluice.django.*", KEY_TRUSTED },   /* manage.py command */
	{ "sluice.alembic.*", KEY_TRUSTED },  /* alembic command */
	{ "sluice.knex.*", KEY_TRUSTED },     /* node, for knex migrations */
	{ "sluice.toolTimeout", KEY_TRUSTED }, /* how long those commands may run */
	{ "sluice.bind.*", KEY_TRUSTED },
};

/* "sluice.llm.*" matches "sluice.llm.url", not "sluice.llm." nor "sluice.llmx". */
static bool key_matches(const char *key, const char *pat)
{
	for (; *pat && *pat != '*'; key++, pat++)
		if (tolower((unsigned char)*key) != tolower((unsigned char)*pat))
			return false;
	return *pat == '*' ? *key != '\0' : *key == '\0';
}

static const struct key_rule *key_rule_of(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(key_rules); i++)
		if (key_matches(key, key_rules[i].pattern))
			return &key_rules[i];
	return NULL;
}

bool config_key_is_policy(const char *key)
{
	const struct key_rule *r = key_rule_of(key);
	return r && r->trust == KEY_POLICY;
}

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
}

void config_release(struct config *c)
{
	strlist_clear(&c->keys);
	strlist_clear(&c->values);
	strlist_clear(&c->origins);
	strlist_clear(&c->policy_changed);
}

void config_set(struct config *c, const char *key, const char *value, const char *origin)
{
	strlist_add_nodup(&c->keys, str_lower(xstrdup(key)));
	strlist_add(&c->values, value ? value : "true");
	strlist_add(&c->origins, origin ? origin : "");
}

/*
 * Every sluice.* key of `cfg`. A repository file (`repo_file`) gives its
 * policy keys only; the others are named in a warning when `warn`.
 */
static int load_from(struct config *c, git_config *cfg, const char *origin, bool repo_file,
		     bool warn)
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
	while (git_config_next(&e, it) == 0) {
		if (!istarts_with(e->name, "sluice."))
			continue;
		if (!repo_file || config_key_is_policy(e->name))
			config_set(c, e->name, e->value, origin);
		else if (warn)
			warning("%s: '%s' is ignored: a repository's .sluice may set policy only, "
				"not where sluice connects, which secret it sends or what it runs; "
				"set it in your own git config (git config --global %s ...)",
				origin, e->name, e->name);
	}
	git_config_iterator_free(it);
	return 0;
}

/* A .sluice at `path` on disk; `origin` names it in messages. */
static int load_policy_file(struct config *c, const char *path, const char *origin, bool warn)
{
	git_config *cfg;
	if (git_config_open_ondisk(&cfg, path) < 0) {
		const git_error *e = git_error_last();
		return error("cannot read '%s': %s", origin, e ? e->message : "invalid");
	}
	load_from(c, cfg, origin, true, warn);
	git_config_free(cfg);
	return 0;
}

/* The project's policy file: .sluice at the top of the work tree. */
static int load_policy(struct config *c, const char *dir, bool warn)
{
	int ret = 0;
	char *path = xstrfmt("%s%s.sluice", dir, ends_with(dir, "/") ? "" : "/");
	if (access(path, F_OK) == 0)
		ret = load_policy_file(c, path, ".sluice", warn);
	free(path);
	return ret;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * The .sluice of a commit's tree. libgit2 reads config from files only, so
 * the blob goes through a private temporary file.
 */
static int load_policy_blob(struct config *c, git_repository *repo, const char *commit,
			    const char *origin)
{
	git_object *obj = NULL;
	git_blob *blob = NULL;
	char *spec = xstrfmt("%s:.sluice", commit);
	int ret = 0;
	if (git_revparse_single(&obj, repo, spec) < 0) {
		free(spec);
		return 0;       /* no .sluice there: no policy */
	}
	free(spec);
	if (git_object_peel((git_object **)&blob, obj, GIT_OBJECT_BLOB) < 0) {
		git_object_free(obj);
		return error("%s is not a file", origin);
	}
	const char *dir = getenv("TMPDIR");
	char *tmp = xstrfmt("%s/sluice-policy-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(tmp);
	size_t len = (size_t)git_blob_rawsize(blob);
	if (fd < 0 || write_all(fd, git_blob_rawcontent(blob), len) < 0) {
		ret = error("cannot read %s: a temporary file: %s", origin, strerror(errno));
	} else {
		ret = load_policy_file(c, tmp, origin, false);
	}
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	git_blob_free(blob);
	git_object_free(obj);
	return ret;
}

/*
 * `maybe_repo` below is gitprobe_maybe_in_repo(workdir): false means libgit2
 * could find no repository there, and need not be loaded to learn it
 * (core/discover/git_shim.c). config_load() asks it once for both steps.
 */

static int load_user(struct config *c, const char *workdir, bool maybe_repo)
{
	git_config *cfg = NULL;
	git_repository *repo;
	/* outside a repository, no config file libgit2 would read can set a sluice.* key */
	if (workdir && !maybe_repo && !gitprobe_user_config_maybe_sluice())
		return 0;
	if (workdir && git_repository_open_ext(&repo, workdir, 0, NULL) == 0) {
		if (git_repository_config_snapshot(&cfg, repo) == 0) {
			load_from(c, cfg, "git config", false, false);
			git_config_free(cfg);
		}
		git_repository_free(repo);
		return 0;
	}
	if (git_config_open_default(&cfg) == 0) {
		git_config *snap;
		if (git_config_snapshot(&snap, cfg) == 0) {
			load_from(c, snap, "git config", false, false);
			git_config_free(snap);
		}
		git_config_free(cfg);
	}
	return 0;
}

static int load_repo_file(struct config *c, const char *workdir, bool maybe_repo,
			  const char *commit, const char *origin, bool warn)
{
	git_repository *repo;
	int ret;
	if (!workdir)
		return 0;
	/* load_policy() needs no libgit2 when there is no .sluice */
	if (!maybe_repo || git_repository_open_ext(&repo, workdir, 0, NULL) < 0)
		return commit ? 0 : load_policy(c, workdir, warn);
	if (commit) {
		ret = load_policy_blob(c, repo, commit, origin);
	} else {
		/* from a subdirectory too: .sluice lives at the top */
		const char *top = git_repository_workdir(repo);
		ret = load_policy(c, top ? top : workdir, warn);
	}
	git_repository_free(repo);
	return ret;
}

int config_load_user(struct config *c, const char *workdir)
{
	return load_user(c, workdir, workdir && gitprobe_maybe_in_repo(workdir));
}

int config_load_repo_file(struct config *c, const char *workdir, const char *commit,
			  const char *origin, bool warn)
{
	return load_repo_file(c, workdir, workdir && gitprobe_maybe_in_repo(workdir), commit,
			      origin, warn);
}

int config_load(struct config *c, const char *workdir)
{
	bool maybe_repo = workdir && gitprobe_maybe_in_repo(workdir);
	int ret = load_repo_file(c, workdir, maybe_repo, NULL, NULL, true);
	load_user(c, workdir, maybe_repo);
	return ret;
}

void config_append(struct config *c, const struct config *from)
{
	for (size_t i = 0; i < from->keys.nr; i++)
		config_set(c, from->keys.items[i], from->values.items[i], from->origins.items[i]);
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

/* Where a setting came from, for messages: ".sluice" or "git config". */
static const char *origin_of(const struct config *c, const char *key)
{
	for (size_t i = 0; i < c->keys.nr; i++)
		if (!strcasecmp_ascii(c->keys.items[i], key))
			return c->origins.items[i];
	return "";
}

int pg_version_set(struct judge_opts *o, const char *s, const char *what)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (!*s || *end || n < 9 || n > 30)
		return error("%s: '%s' is not a PostgreSQL major version (9 to 30)", what, s);
	o->pg_version = (int)n;
	return 0;
}

int config_apply_judge(const struct config *c, struct judge_opts *o)
{
	const char *v;
	int ret = 0;
	if ((v = config_get(c, "sluice.pgversion"))) {
		char *what = xstrfmt("sluice.pgVersion (%s)", origin_of(c, "sluice.pgversion"));
		if (pg_version_set(o, v, what) < 0)
			ret = -1;
		free(what);
	}
	if ((v = config_get(c, "sluice.failon"))) {
		int s = severity_parse(v);
		if (s <= 0)
			ret = error("sluice.failOn (%s): '%s' is not one of LOW, MEDIUM, HIGH, BLOCKER",
				    origin_of(c, "sluice.failon"), v);
		else
			o->fail_on = (enum severity)s;
	}
	if ((v = config_get(c, "sluice.unparsedseverity"))) {
		int s = severity_parse(v);
		if (s <= 0)
			ret = error("sluice.unparsedSeverity (%s): '%s' is not one of LOW, MEDIUM, "
				    "HIGH, BLOCKER", origin_of(c, "sluice.unparsedseverity"), v);
		else
			o->unparsed_sev = (enum severity)s;
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

/* The key as the table spells it (sluice.failOn), for messages. */
static const char *key_display(const char *key)
{
	const struct key_rule *r = key_rule_of(key);
	return r && !strchr(r->pattern, '*') ? r->pattern : key;
}

static bool same_values(const struct config *a, const struct config *b, const char *key)
{
	struct strlist va = STRLIST_INIT, vb = STRLIST_INIT;
	bool same;
	config_get_all(a, key, &va);
	config_get_all(b, key, &vb);
	same = va.nr == vb.nr;
	for (size_t i = 0; same && i < va.nr; i++)
		same = !strcmp(va.items[i], vb.items[i]);
	strlist_clear(&va);
	strlist_clear(&vb);
	return same;
}

void config_policy_changes(const struct config *base, const struct config *branch,
			   struct strlist *changed)
{
	const struct config *both[] = { base, branch };
	for (size_t k = 0; k < ARRAY_SIZE(both); k++)
		for (size_t i = 0; i < both[k]->keys.nr; i++) {
			const char *key = both[k]->keys.items[i];
			const char *shown = key_display(key);
			if (!strlist_has(changed, shown) && !same_values(base, branch, key))
				strlist_add(changed, shown);
		}
}

const char *config_origin(const struct config *c, const char *key)
{
	return origin_of(c, key);
}
