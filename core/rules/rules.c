/*
 * rules.c - the catalogue: every family's table, in the order rules run.
 *
 * A family is a file core/rules_<family>.c exporting one array terminated
 * by an entry with a NULL id. To add a family, add it here and to mk/rules.mk.
 */
#include "rules.h"

#include <string.h>

extern const struct rule rules_meta[];
extern const struct rule rules_index[];
extern const struct rule rules_column[];
extern const struct rule rules_constraint[];
extern const struct rule rules_table[];
extern const struct rule rules_data[];
extern const struct rule rules_txn[];
extern const struct rule rules_types[];
extern const struct rule rules_rollback[];
extern const struct rule rules_plpgsql[];
extern const struct rule rules_xref[];
extern const struct rule rules_db[];
extern const struct rule rules_history[];
extern const struct rule rules_hazards[];
extern const struct rule rules_draft[];

static const struct rule *const families[] = {
	rules_meta, rules_index, rules_column, rules_constraint, rules_table,
	rules_data, rules_txn, rules_types, rules_rollback, rules_plpgsql,
	rules_xref,
	rules_db,
	rules_history,
	rules_hazards,
	rules_draft,
};

static const struct {
	const char *name;
	enum severity sev;
	const char *what;
} consequences[] = {
#define X(id, name, sev, what) { name, sev, what },
	CONSEQUENCE_INFO(X)
#undef X
};

const char *consequence_name(enum consequence c)
{
	return c < CQ__COUNT ? consequences[c].name : "?";
}

enum severity consequence_severity(enum consequence c)
{
	return c < CQ__COUNT ? consequences[c].sev : SEV_NONE;
}

const char *consequence_what(enum consequence c)
{
	return c < CQ__COUNT ? consequences[c].what : "?";
}

static const struct rule **flat;
static size_t nr_flat;

static void build_flat(void)
{
	size_t n = 0;
	for (size_t f = 0; f < ARRAY_SIZE(families); f++)
		for (const struct rule *r = families[f]; r->id; r++)
			n++;
	flat = xmalloc(n * sizeof(*flat));
	for (size_t f = 0; f < ARRAY_SIZE(families); f++)
		for (const struct rule *r = families[f]; r->id; r++)
			flat[nr_flat++] = r;
}

/*
 * Built on first use and kept for the life of the process (a few hundred
 * bytes); judging is single-threaded per process or calls rules_count()
 * first from the main thread.
 */
size_t rules_count(void)
{
	if (!flat)
		build_flat();
	return nr_flat;
}

const struct rule *rule_at(size_t i)
{
	return i < rules_count() ? flat[i] : NULL;
}

const struct rule *rule_find(const char *id)
{
	for (size_t i = 0; i < rules_count(); i++)
		if (!strcmp(flat[i]->id, id))
			return flat[i];
	return NULL;
}

