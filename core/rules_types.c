/*
 * rules_types.c - (family being written)
 */
#include "rules.h"

const struct rule rules_types[] = {
	{ .id = NULL },
};
