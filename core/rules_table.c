/*
 * rules_table.c - (family being written)
 */
#include "rules.h"

const struct rule rules_table[] = {
	{ .id = NULL },
};
