/*
 * rules_column.c - (family being written)
 */
#include "rules.h"

const struct rule rules_column[] = {
	{ .id = NULL },
};
