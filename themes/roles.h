/*
 * roles.h - the colour roles of the workbench, and the one mapping from a
 * severity to its role.
 *
 * Views never ask for "red": they ask for the colour of a BLOCKER, of the
 * cursor, of a lock name. A theme (themes/) maps each role to a colour
 * spec; the table below gives each role its settings name, used in theme
 * files (`[color] blocker = white red bold`) and in `sluice.color.<role>`.
 */
#ifndef SLUICE_THEMES_ROLES_H
#define SLUICE_THEMES_ROLES_H

#include "types.h"

#define ROLE_INFO(X) \
	X(ROLE_DEFAULT, "default") \
	X(ROLE_TITLE, "title") \
	X(ROLE_TITLE_FOCUS, "title-focus") \
	X(ROLE_STATUS, "status") \
	X(ROLE_CURSOR, "cursor") \
	X(ROLE_GUTTER, "line-number") \
	X(ROLE_BLOCKER, "blocker") \
	X(ROLE_HIGH, "high") \
	X(ROLE_MEDIUM, "medium") \
	X(ROLE_LOW, "low") \
	X(ROLE_SAFE, "safe") \
	X(ROLE_LOCK, "lock") \
	X(ROLE_REWRITE, "rewrite") \
	X(ROLE_RULE, "rule") \
	X(ROLE_FIX, "fix") \
	X(ROLE_PATH, "path") \
	X(ROLE_IDENT, "ident") \
	X(ROLE_SEARCH, "search") \
	X(ROLE_ESCAPE, "escape") \
	X(ROLE_HEADER, "header") \
	X(ROLE_DIM, "dim") \
	X(ROLE_ERROR, "error") \
	X(ROLE_KEY, "key")

enum role {
#define X(id, name) id,
	ROLE_INFO(X)
#undef X
	ROLE__COUNT
};

/* -1 when unknown. */
int role_parse(const char *name);
/*
 * The colour of a severity, wherever one is drawn (list, preview, verdict,
 * statement, status line): SEV_NONE is safe.
 */
enum role severity_role(enum severity s);

#endif
