/*
 * roles.c - role names, for theme files and sluice.color.* settings.
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
