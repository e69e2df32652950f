/*
 * report_verdict.c - the run's verdict, which every reporter prints: NOT
 * JUDGED when anything that should have been judged was not (see
 * report.h), so that an unreadable, binary or refused migration can never
 * read as "SAFE TO SHIP".
 */
#include "report.h"

void report_not_judged(const struct report *r, struct strlist *out)
{
	for (size_t i = 0; i < r->errors.nr; i++)
		strlist_add(out, r->errors.items[i]);
	for (size_t i = 0; i < r->nr; i++)
		if (r->files[i].error)
			strlist_add(out, r->files[i].error);
}

enum verdict report_verdict(const struct report *r)
{
	if (r->errors.nr)
		return VERDICT_NOT_JUDGED;
	for (size_t i = 0; i < r->nr; i++)
		if (r->files[i].error)
			return VERDICT_NOT_JUDGED;
	return verdict_of(r->files, r->nr);
}
