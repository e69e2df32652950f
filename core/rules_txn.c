/*
 * rules_txn.c - (family being written)
 */
#include "rules.h"

const struct rule rules_txn[] = {
	{ .id = NULL },
};
