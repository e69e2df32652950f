/*
 * rules_xref.c - the catalogue entries of the app-code cross-check.
 *
 * These rules have no per-statement check: the judge cannot know what the
 * application does. core/xref/xref.c reports them after judging, when the run
 * is inside a repository whose code it can read; they live in the
 * catalogue so that ids, titles, fixes, ignores and `sluice rules` work
 * like any other rule's.
 */
#include "rules.h"

const struct rule rules_xref[] = {
	{
		.id = "app-references-dropped",
		.sev = SEV_BLOCKER,
		.cq = CQ_APP_BREAKS,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_WRITES),
		.title = "drops a table or column the application still uses",
		.fix = "ship code that no longer uses it first; drop it in a later release "
		       "(expand, migrate, contract)",
	},
	{
		.id = "app-references-renamed",
		.sev = SEV_BLOCKER,
		.cq = CQ_APP_BREAKS,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_WRITES),
		.title = "renames a table or column the application still uses by its old name",
		.fix = "add the new name next to the old one, move the code, drop the old name later",
	},
	{
		.id = "app-references-retyped",
		.sev = SEV_MEDIUM,
		.cq = CQ_HYGIENE,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_WRITES),
		.title = "changes the type of a column the application uses",
		.fix = "check that the code handles the new type, or add a new column and move over",
	},
	{
		.id = "app-insert-missing-column",
		.sev = SEV_HIGH,
		.cq = CQ_MAY_BREAK,
		.cls = CLASS_SAFE,
		.cats = CATBIT(CAT_WRITES),
		.title = "makes a column NOT NULL that application INSERTs do not set",
		.fix = "give the column a default, or ship code that sets it before the constraint",
	},
	{ .id = NULL },
};
