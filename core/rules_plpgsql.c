/*
 * rules_plpgsql.c - (family being written)
 */
#include "rules.h"

const struct rule rules_plpgsql[] = {
	{ .id = NULL },
};
