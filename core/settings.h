/*
 * settings.h - sluice's settings, in git-config format, read with libgit2.
 *
 * Looked up first in the repository's committed `.sluice` file (the
 * project's policy), then in git config (repository, global, system). Keys
 * compare case-insensitively, as git's do: sluice.pgVersion, sluice.base,
 * sluice.failOn, sluice.disable (multi-valued), sluice.theme, sluice.bind.*,
 * sluice.llm.*, sluice.db.*.
 *
 * A `.sluice` may set policy keys only (the table in settings.c): keys that
 * choose where to connect, which secret to send or what to run are taken
 * from the user's own git config, the environment or the command line, and
 * a `.sluice` that sets one gets a warning naming it.
 */
#ifndef SLUICE_SETTINGS_H
#define SLUICE_SETTINGS_H

#include <stdbool.h>
#include "util.h"

struct judge_opts;

struct config {
	struct strlist keys;    /* lower-cased full names, e.g. "sluice.pgversion" */
	struct strlist values;
	struct strlist origins; /* "file:line"-ish origin for messages */
	/* Policy keys the branch's .sluice changes from its base's (core/policy.c). */
	struct strlist policy_changed;
};

void config_init(struct config *c);
void config_release(struct config *c);
/*
 * The work tree's .sluice, then git config. workdir may be NULL (global
 * config only). Returns 0, or -1 with a message.
 */
int config_load(struct config *c, const char *workdir);
/* Only git config: the repository's .git/config (when workdir is in one), global, system. */
int config_load_user(struct config *c, const char *workdir);
/*
 * Only the policy keys of the repository's .sluice: the work tree's when
 * `commit` is NULL (other keys named in a warning when `warn`), else the
 * blob in that commit's tree, named `origin` in messages. No .sluice: 0.
 */
int config_load_repo_file(struct config *c, const char *workdir, const char *commit,
			  const char *origin, bool warn);
/* Appends every setting of `from` (they lose to c's own). */
void config_append(struct config *c, const struct config *from);
/* May a repository's .sluice set this key? (policy, not connection or command) */
bool config_key_is_policy(const char *key);
/* The keys whose values differ between two policies, as the table spells them. */
void config_policy_changes(const struct config *base, const struct config *branch,
			   struct strlist *changed);
/* Adds one setting (tests, --set key=value). Earlier settings win. */
void config_set(struct config *c, const char *key, const char *value, const char *origin);
const char *config_get(const struct config *c, const char *key);
/* Every value of a multi-valued key, in lookup order. */
void config_get_all(const struct config *c, const char *key, struct strlist *out);
/* Every key below a prefix ("sluice.bind."), for key bindings and themes. */
void config_get_prefix(const struct config *c, const char *prefix, struct strlist *keys,
		       struct strlist *values);
int config_get_int(const struct config *c, const char *key, int def);
/*
 * Sets o->pg_version from a PostgreSQL major version, "9" to "30"; anything
 * else is -1 with a message naming `what` (an option, or a setting and
 * where it came from).
 */
int pg_version_set(struct judge_opts *o, const char *s, const char *what);
/* Where a key was set ("file:line"-ish), "" when not set. */
const char *config_origin(const struct config *c, const char *key);
/* sluice.pgVersion, sluice.failOn, sluice.disable -> judge options. */
int config_apply_judge(const struct config *c, struct judge_opts *o);

#endif
