/*
 * rules_rollback.c - (family being written)
 */
#include "rules.h"

const struct rule rules_rollback[] = {
	{ .id = NULL },
};
