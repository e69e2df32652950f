/*
 * filter.h - which migrations a filter keeps (the workbench's `f`).
 *
 * A filter is words separated by blanks; a migration is kept when every
 * word matches it (AND), and a word starting with '!' keeps the ones it
 * does not match. A word in double quotes keeps its blanks. Words:
 *
 *   sev:high      its worst severity is HIGH (sev:safe: no finding);
 *   sev:medium+   ... MEDIUM or worse       (severity: works as sev:)
 *   rule:index    a finding's rule id contains "index"
 *   table:orders  a statement's table is orders (or <schema>.orders)
 *   anything else text found in the migration's files: their SQL (the
 *                 file's own text, or what sluice translated it to), the
 *                 findings' rule ids, messages and fixes, the id, name
 *                 and path. Case-insensitive (ASCII).
 *
 * The filter reads what the judge wrote and the scripts' text; it is
 * data in, bool out, so it is tested without a screen (tests/unit-filter).
 */
#ifndef SLUICE_FILTER_H
#define SLUICE_FILTER_H

#include <stdbool.h>
#include "model.h"
#include "util.h"

enum filter_kind { FILTER_TEXT, FILTER_SEV, FILTER_RULE, FILTER_TABLE };

struct filter_term {
	enum filter_kind kind;
	bool negate;
	bool at_least;       /* sev:X+ */
	enum severity sev;
	char *word;          /* FILTER_TEXT, _RULE, _TABLE */
};

struct mig_filter {
	struct filter_term *v;
	size_t nr, alloc;
	char *text;          /* as typed, for the title; NULL: no filter */
};

#define MIG_FILTER_INIT { NULL, 0, 0, NULL }

/*
 * Parses `text` into f (released first). Blank text leaves no filter
 * (f->text NULL). Returns 0, or -1 with why in *err (f is then empty).
 */
int filter_parse(struct mig_filter *f, const char *text, struct strbuf *err);
bool filter_active(const struct mig_filter *f);
/*
 * Does the filter keep migration m, judged into up and down (either may
 * be NULL)? An empty filter keeps everything.
 */
bool filter_match(const struct mig_filter *f, const struct migration *m, const struct file_report *up,
		  const struct file_report *down);
void filter_release(struct mig_filter *f);

#endif
