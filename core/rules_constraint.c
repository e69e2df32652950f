/*
 * rules_constraint.c - (family being written)
 */
#include "rules.h"

const struct rule rules_constraint[] = {
	{ .id = NULL },
};
