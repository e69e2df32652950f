/*
 * settings.h - sluice's settings, in git-config format, read with libgit2.
 *
 * Looked up first in the repository's committed `.sluice` file (the
 * project's policy), then in git config (repository, global, system). Keys
 * compare case-insensitively, as git's do: sluice.pgVersion, sluice.base,
 * sluice.failOn, sluice.disable (multi-valued), sluice.theme, sluice.bind.*,
 * sluice.llm.*, sluice.db.*.
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
};

void config_init(struct config *c);
void config_release(struct config *c);
/* workdir may be NULL (global config only). Returns 0, or -1 with a message. */
int config_load(struct config *c, const char *workdir);
/* Adds one setting (tests, --set key=value). Earlier settings win. */
void config_set(struct config *c, const char *key, const char *value, const char *origin);
const char *config_get(const struct config *c, const char *key);
/* Every value of a multi-valued key, in lookup order. */
void config_get_all(const struct config *c, const char *key, struct strlist *out);
/* Every key below a prefix ("sluice.bind."), for key bindings and themes. */
void config_get_prefix(const struct config *c, const char *prefix, struct strlist *keys,
		       struct strlist *values);
int config_get_int(const struct config *c, const char *key, int def);
/* Where a key was set ("file:line"-ish), "" when not set. */
const char *config_origin(const struct config *c, const char *key);
bool config_get_bool(const struct config *c, const char *key, bool def);
/* A PostgreSQL major version, "9" to "30"; -1 for anything else. */
int pg_version_parse(const char *s);
/* sluice.pgVersion, sluice.failOn, sluice.disable -> judge options. */
int config_apply_judge(const struct config *c, struct judge_opts *o);

#endif
