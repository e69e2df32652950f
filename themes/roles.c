/*
 * roles.c - role names, for theme files and sluice.color.* settings, and
 * the role of each severity.
 */
#include "roles.h"
#include "util.h"

static const char *const role_names[] = {
#define X(id, name) name,
	ROLE_INFO(X)
#undef X
};

int role_parse(const char *name)
{
	for (int r = 0; r < ROLE__COUNT; r++)
		if (!strcasecmp_ascii(role_names[r], name))
			return r;
	return -1;
}

enum role severity_role(enum severity s)
{
	switch (s) {
	case SEV_BLOCKER: return ROLE_BLOCKER;
	case SEV_HIGH: return ROLE_HIGH;
	case SEV_MEDIUM: return ROLE_MEDIUM;
	case SEV_LOW: return ROLE_LOW;
	default: return ROLE_SAFE;
	}
}
