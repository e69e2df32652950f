/*
 * typechange.c - binary-coercible type changes (see typechange.h).
 */
#include "typechange.h"
#include "tree.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *alias, *canon;
} type_aliases[] = {
	{ "character varying", "varchar" }, { "int", "int4" }, { "integer", "int4" },
	{ "smallint", "int2" }, { "bigint", "int8" }, { "character", "bpchar" },
	{ "char", "bpchar" }, { "decimal", "numeric" }, { "bit varying", "varbit" },
	{ "timestamp without time zone", "timestamp" },
	{ "timestamp with time zone", "timestamptz" }, { "boolean", "bool" },
	{ "real", "float4" }, { "double precision", "float8" }, { "float", "float8" },
};

const char *type_canonical(const char *base)
{
	for (size_t i = 0; i < ARRAY_SIZE(type_aliases); i++)
		if (!strcasecmp_ascii(base, type_aliases[i].alias))
			return type_aliases[i].canon;
	return base;
}

struct typ {
	char base[64];
	int mods[2];
	int nmods;
	bool array;
};

static void split_type(const char *s, struct typ *t)
{
	memset(t, 0, sizeof(*t));
	size_t n = strcspn(s, "([");
	if (n >= sizeof(t->base))
		n = sizeof(t->base) - 1;
	memcpy(t->base, s, n);
	t->base[n] = '\0';
	const char *canon = type_canonical(t->base);
	if (canon != t->base)
		snprintf(t->base, sizeof(t->base), "%s", canon);
	const char *p = s + n;
	if (*p == '(') {
		p++;
		while (t->nmods < 2 && *p && *p != ')') {
			t->mods[t->nmods++] = atoi(p);
			p += strcspn(p, ",)");
			if (*p == ',')
				p++;
		}
		p = strchr(p, ')');
		p = p ? p + 1 : s + strlen(s);
	}
	t->array = strstr(p, "[]") != NULL;
}

bool type_change_is_binary_coercible(const char *from, const char *to, int pg)
{
	struct typ a, b;
	(void)pg;
	split_type(from, &a);
	split_type(to, &b);
	if (a.array != b.array)
		return false;
	bool same_base = !strcmp(a.base, b.base);
	if (same_base && a.nmods == b.nmods &&
	    (a.nmods == 0 || (a.mods[0] == b.mods[0] && (a.nmods < 2 || a.mods[1] == b.mods[1]))))
		return true;                              /* no change at all */
	if (a.array)
		return false;  /* element coercions of arrays: not shown free, so a rewrite */
	if (!strcmp(a.base, "varchar") || !strcmp(a.base, "text")) {
		if (!strcmp(b.base, "text"))
			return true;
		if (!strcmp(b.base, "varchar"))
			return b.nmods == 0 || (!strcmp(a.base, "varchar") && a.nmods == 1 &&
						b.mods[0] >= a.mods[0]);
		return false;
	}
	if (same_base && !strcmp(a.base, "numeric")) {
		if (b.nmods == 0)
			return true;                      /* dropping the limit */
		if (a.nmods == 0)
			return false;
		int as = a.nmods > 1 ? a.mods[1] : 0, bs = b.nmods > 1 ? b.mods[1] : 0;
		return b.mods[0] >= a.mods[0] && bs == as;
	}
	if (same_base && (!strcmp(a.base, "varbit") || !strcmp(a.base, "bit varying")))
		return b.nmods == 0 || (a.nmods == 1 && b.mods[0] >= a.mods[0]);
	if (!strcmp(a.base, "cidr") && !strcmp(b.base, "inet"))
		return true;
	return false;
}

bool type_change_free_in_utc(const char *from, const char *to, int pg)
{
	struct typ a, b;
	split_type(from, &a);
	split_type(to, &b);
	if (pg < 12 || a.array != b.array || a.nmods != b.nmods ||
	    (a.nmods && a.mods[0] != b.mods[0]))
		return false;
	return (!strcmp(a.base, "timestamp") && !strcmp(b.base, "timestamptz")) ||
	       (!strcmp(a.base, "timestamptz") && !strcmp(b.base, "timestamp"));
}

/* A ColumnRef naming `column` (qualified or not). */
static bool names_column(const cJSON *node, const char *column)
{
	const cJSON *fields = tree_path(node, "ColumnRef", "fields", NULL);
	int n = cJSON_GetArraySize(fields);
	const char *last = n ? tree_str(tree_path(cJSON_GetArrayItem(fields, n - 1), "String",
						 "sval", NULL)) : NULL;
	return last && column && !strcmp(last, column);
}

bool type_change_using_is_plain(const cJSON *using, const char *column, const char *to)
{
	const cJSON *cast = tree_as(using, "TypeCast");
	if (!cast)
		return names_column(using, column);
	char *type = tree_type_name(tree_path(cast, "typeName", NULL));
	bool same = type && to && !strcmp(type, to);
	free(type);
	return same && names_column(tree_path(cast, "arg", NULL), column);
}
