/*
 * types.h - the vocabulary of a verdict: severities, classes, lock modes and
 * the eight risk categories.
 *
 * Each is an X-macro table so that names, parsing and ordering come from one
 * place (tig's LINE_INFO does the same for line types).
 */
#ifndef SLUICE_TYPES_H
#define SLUICE_TYPES_H

#include <stdbool.h>

/* Ordered: a larger value is worse. */
#define SEVERITY_INFO(X) \
	X(SEV_NONE, "NONE") \
	X(SEV_LOW, "LOW") \
	X(SEV_MEDIUM, "MEDIUM") \
	X(SEV_HIGH, "HIGH") \
	X(SEV_BLOCKER, "BLOCKER")

enum severity {
#define X(id, name) id,
	SEVERITY_INFO(X)
#undef X
	SEV__COUNT
};

/* Ordered too: DESTRUCTIVE outranks BLOCKING outranks SLOW. */
#define CLASS_INFO(X) \
	X(CLASS_SAFE, "SAFE") \
	X(CLASS_SLOW, "SLOW") \
	X(CLASS_BLOCKING, "BLOCKING") \
	X(CLASS_DESTRUCTIVE, "DESTRUCTIVE")

enum stmt_class {
#define X(id, name) id,
	CLASS_INFO(X)
#undef X
	CLASS__COUNT
};

/*
 * PostgreSQL's table-level lock modes, weakest first, with the modes each
 * conflicts with as a bit mask (the table in "Explicit Locking", 13.3.1).
 * Bit i stands for mode i.
 */
#define LOCK_INFO(X) \
	X(LOCK_NONE, "none", 0x000) \
	X(LOCK_ACCESS_SHARE, "ACCESS SHARE", 0x100) \
	X(LOCK_ROW_SHARE, "ROW SHARE", 0x180) \
	X(LOCK_ROW_EXCLUSIVE, "ROW EXCLUSIVE", 0x1E0) \
	X(LOCK_SHARE_UPDATE_EXCLUSIVE, "SHARE UPDATE EXCLUSIVE", 0x1F0) \
	X(LOCK_SHARE, "SHARE", 0x1D8) \
	X(LOCK_SHARE_ROW_EXCLUSIVE, "SHARE ROW EXCLUSIVE", 0x1F8) \
	X(LOCK_EXCLUSIVE, "EXCLUSIVE", 0x1FC) \
	X(LOCK_ACCESS_EXCLUSIVE, "ACCESS EXCLUSIVE", 0x1FE)

enum lock_mode {
#define X(id, name, conflicts) id,
	LOCK_INFO(X)
#undef X
	LOCK__COUNT
};

/* The eight risk categories every report speaks to. */
#define CATEGORY_INFO(X) \
	X(CAT_LOCK, "lock contention") \
	X(CAT_WRITES, "concurrent write hazards") \
	X(CAT_ROLLBACK, "missing rollback path") \
	X(CAT_DATALOSS, "data loss") \
	X(CAT_REPLICATION, "replication lag") \
	X(CAT_CONSTRAINT, "constraint validation") \
	X(CAT_INDEX, "index dependencies") \
	X(CAT_FK, "foreign key implications")

enum category {
#define X(id, name) id,
	CATEGORY_INFO(X)
#undef X
	CAT__COUNT
};
#define CATBIT(c) (1u << (c))

const char *severity_name(enum severity s);
/* Case-insensitive; returns -1 for an unknown name. */
int severity_parse(const char *name);
const char *class_name(enum stmt_class c);
const char *lock_name(enum lock_mode m);
int lock_parse(const char *name); /* "AccessExclusiveLock" or "ACCESS EXCLUSIVE" */
/* Does holding `a` block a statement that wants `b` (and vice versa)? */
bool lock_conflicts(enum lock_mode a, enum lock_mode b);
/* Does this lock block plain reads (SELECT) / writes (INSERT/UPDATE/DELETE)? */
bool lock_blocks_reads(enum lock_mode m);
bool lock_blocks_writes(enum lock_mode m);
const char *category_name(enum category c);

/* The final word of a report. */
enum verdict { VERDICT_SAFE, VERDICT_MODIFY, VERDICT_BLOCK,
	       VERDICT_NOT_JUDGED /* an input was not judged: no verdict on it */ };
const char *verdict_name(enum verdict v); /* "SAFE TO SHIP", ... */

#endif
