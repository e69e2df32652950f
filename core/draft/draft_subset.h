/*
 * draft_subset.h - may these files of a draft be committed without the
 * others?
 *
 * A draft is a sequence of steps that lean on one another: VALIDATE
 * CONSTRAINT needs the ADD CONSTRAINT ... NOT VALID before it, a backfill
 * needs the column it fills, a down migration needs its up. When the
 * engineer leaves files out (x in the workbench), the files kept must not
 * use what only a left-out file creates. The check is on the draft's own
 * text: what each file creates (constraints, indexes, columns, tables)
 * against what the kept files use, and each down against its up (paired by
 * discovery, as the repository's framework pairs them).
 */
#ifndef SLUICE_DRAFT_SUBSET_H
#define SLUICE_DRAFT_SUBSET_H

#include <stdbool.h>
#include "util.h"

struct draft;

/*
 * 0 when the files marked in `selected` (one flag per d->files) stand on
 * their own; -1 with why in `why`, naming the kept file, what it uses and
 * the left-out file that provides it ("select it too, or leave this one out").
 */
int draft_subset_check(const struct draft *d, const bool *selected, struct strbuf *why);

#endif
