/*
 * draft_input.h - values only a person can choose, in drafts.
 *
 * Some drafts need a value sluice cannot invent: the value existing rows
 * get in a new NOT NULL column. The draft then holds a placeholder, the
 * call sluice_draft_placeholder('users.plan') where the value goes (a
 * function no database has: the statement fails rather than guess), and
 * the draft is NEEDS INPUT: never verified, written or committed until the
 * engineer gives the value (`sluice draft --set users.plan="'free'"`, or
 * by editing the file in the workbench). A placeholder that reaches a
 * migration anyway is a BLOCKER (rule draft-placeholder).
 */
#ifndef SLUICE_DRAFT_INPUT_H
#define SLUICE_DRAFT_INPUT_H

#include <stdbool.h>
#include "util.h"

#define DRAFT_PLACEHOLDER_FN "sluice_draft_placeholder"

/* The placeholder for the value of `what` ("users.plan"), as SQL; malloc'd. */
char *draft_placeholder(const char *what);
/*
 * Where `sql` holds a placeholder (or the older RAISE EXCEPTION 'sluice
 * draft: choose the value ...' one): true, with the name it stands for
 * added to `names` once (when `names` is not NULL).
 */
bool draft_find_placeholders(const char *sql, struct strlist *names);

/*
 * One --set NAME=EXPR: checks that NAME is table.column and EXPR one SQL
 * expression (parsed as such: no second statement rides along). 0, or -1
 * with why in *err.
 */
int draft_value_check(const char *assignment, struct strbuf *err);
/* The expression given for `what` in `values` ("users.plan='free'" items), or NULL. */
const char *draft_value_for(const struct strlist *values, const char *what);
/* Is the expression constant enough to be stored as a column's default (not volatile)? */
bool draft_value_is_constant(const char *expr);

#endif
