/*
 * types.c - names and parsing for the enums in types.h.
 */
#include "types.h"
#include "util.h"

#include <ctype.h>
#include <string.h>

static const char *const severity_names[] = {
#define X(id, name) name,
	SEVERITY_INFO(X)
#undef X
};

static const char *const class_names[] = {
#define X(id, name) name,
	CLASS_INFO(X)
#undef X
};

static const struct {
	const char *name;
	unsigned conflicts;
} lock_info[] = {
#define X(id, name, conflicts) { name, conflicts },
	LOCK_INFO(X)
#undef X
};

static const char *const category_names[] = {
#define X(id, name) name,
	CATEGORY_INFO(X)
#undef X
};

const char *severity_name(enum severity s)
{
	return (unsigned)s < SEV__COUNT ? severity_names[s] : "?";
}

int severity_parse(const char *name)
{
	for (int i = 0; i < SEV__COUNT; i++)
		if (!strcasecmp_ascii(name, severity_names[i]))
			return i;
	return -1;
}

const char *class_name(enum stmt_class c)
{
	return (unsigned)c < CLASS__COUNT ? class_names[c] : "?";
}

const char *lock_name(enum lock_mode m)
{
	return (unsigned)m < LOCK__COUNT ? lock_info[m].name : "?";
}

/* Accepts pg_locks' "ShareRowExclusiveLock" as well as "SHARE ROW EXCLUSIVE". */
int lock_parse(const char *name)
{
	char norm[64];
	size_t n = 0;
	for (const char *p = name; *p && n + 2 < sizeof(norm); p++) {
		if (isupper((unsigned char)*p) && p != name && islower((unsigned char)p[-1]))
			norm[n++] = ' ';
		norm[n++] = (char)toupper((unsigned char)*p);
	}
	norm[n] = '\0';
	if (n > 5 && !strcmp(norm + n - 5, " LOCK"))
		norm[n - 5] = '\0';
	for (int i = 0; i < LOCK__COUNT; i++)
		if (!strcmp(norm, lock_info[i].name))
			return i;
	return -1;
}

bool lock_conflicts(enum lock_mode a, enum lock_mode b)
{
	if (a == LOCK_NONE || b == LOCK_NONE)
		return false;
	return (lock_info[a].conflicts >> b) & 1;
}

bool lock_blocks_reads(enum lock_mode m)
{
	return lock_conflicts(m, LOCK_ACCESS_SHARE);
}

bool lock_blocks_writes(enum lock_mode m)
{
	return lock_conflicts(m, LOCK_ROW_EXCLUSIVE);
}

const char *category_name(enum category c)
{
	return (unsigned)c < CAT__COUNT ? category_names[c] : "?";
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_SAFE:
		return "SAFE TO SHIP";
	case VERDICT_MODIFY:
		return "SAFE WITH MODIFICATIONS";
	case VERDICT_BLOCK:
		return "BLOCK";
	case VERDICT_NOT_JUDGED:
		return "NOT JUDGED";
	}
	return "?";
}
