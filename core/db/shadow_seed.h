/*
 * shadow_seed.h - rows for the shadow's tables before the pending
 * migrations run there.
 *
 * On empty tables a backfill loop never runs, a NOT NULL column without a
 * value "works", and a swap that loses the primary key passes. So once the
 * history is applied, every table it created gets `rows` rows generated
 * from its own schema: values by type (uuid, integers, text within its
 * length, dates, enums, json, ...), integer keys sparse (every 37th
 * value, as the int4-exhaustion case looks), foreign keys pointing at rows
 * of the parent (parents are seeded first; an org_id without a foreign key
 * yet takes the keys of orgs), defaults and identities used
 * where the column has one, and sequences moved past the keys. A table
 * whose CHECK or UNIQUE refuses the generated rows is tried again with its
 * nullable columns NULL, and left empty (named) when that fails too.
 */
#ifndef SLUICE_SHADOW_SEED_H
#define SLUICE_SHADOW_SEED_H

#include "shadow.h"

struct seed_result {
	int tables;              /* tables with rows */
	int empty;               /* tables left empty */
	struct strbuf skipped;   /* "t (why), ..." */
};

/* Seeds the scratch database. 0, or -1 with the server's message in sh->db->err. */
int shadow_seed(struct shadow *sh, int rows, struct seed_result *out);
void seed_result_release(struct seed_result *r);

#endif
