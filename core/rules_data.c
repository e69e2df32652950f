/*
 * rules_data.c - (family being written)
 */
#include "rules.h"

const struct rule rules_data[] = {
	{ .id = NULL },
};
