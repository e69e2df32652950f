/*
 * tree.c - helpers for walking libpg_query's JSON parse tree.
 */
#include "tree.h"
#include "util.h"

#include <stdarg.h>
#include <string.h>

/*
 * cJSON_GetObjectItemCaseSensitive(), which rules call millions of times
 * over a long history, with the compare inline (str_eq). Like cJSON, it
 * stops at the first member without a key (an array's items have none).
 */
static cJSON *tree_get(const cJSON *node, const char *key)
{
	if (!node)
		return NULL;
	for (cJSON *c = node->child; c && c->string; c = c->next)
		if (str_eq(c->string, key))
			return c;
	return NULL;
}

cJSON *tree_path(const cJSON *node, ...)
{
	va_list ap;
	const char *key;
	va_start(ap, node);
	while (node && (key = va_arg(ap, const char *)))
		node = tree_get(node, key);
	va_end(ap);
	return (cJSON *)node;
}

const char *tree_str(const cJSON *node)
{
	if (!node)
		return NULL;
	if (cJSON_IsString(node))
		return node->valuestring;
	/* {"String":{"sval":"x"}} */
	const cJSON *s = tree_path(node, "String", "sval", NULL);
	if (s && cJSON_IsString(s))
		return s->valuestring;
	s = tree_path(node, "sval", NULL);
	if (s && cJSON_IsString(s))
		return s->valuestring;
	return NULL;
}

bool tree_bool(const cJSON *node, const char *key)
{
	const cJSON *v = tree_get(node, key);
	return v && cJSON_IsTrue(v);
}

int tree_int(const cJSON *node, const char *key)
{
	const cJSON *v = tree_get(node, key);
	return v && cJSON_IsNumber(v) ? v->valueint : 0;
}

const char *tree_kind(const cJSON *node)
{
	if (!node || !cJSON_IsObject(node) || !node->child)
		return NULL;
	return node->child->string;
}

cJSON *tree_body(const cJSON *node)
{
	return node && cJSON_IsObject(node) ? node->child : NULL;
}

cJSON *tree_as(const cJSON *node, const char *kind)
{
	const char *k = tree_kind(node);
	return k && str_eq(k, kind) ? node->child : NULL;
}

char *tree_rangevar_name(const cJSON *rv)
{
	const char *rel = tree_str(tree_path(rv, "relname", NULL));
	const char *sch = tree_str(tree_path(rv, "schemaname", NULL));
	if (!rel)
		return NULL;
	if (sch && strcmp(sch, "public"))
		return xstrfmt("%s.%s", sch, rel);
	return xstrdup(rel);
}

char *tree_name_list(const cJSON *list)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *it;
	cJSON_ArrayForEach(it, list) {
		const char *s = tree_str(it);
		if (!s)
			continue;
		if (sb.len)
			strbuf_addch(&sb, '.');
		strbuf_addstr(&sb, s);
	}
	return strbuf_detach(&sb, NULL);
}

static long a_const_int(const cJSON *n)
{
	const cJSON *c = tree_as(n, "A_Const");
	return tree_int(tree_path(c, "ival", NULL), "ival");
}

char *tree_type_name(const cJSON *tn)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *names = tree_path(tn, "names", NULL);
	int n = cJSON_GetArraySize(names);
	/* Drop the "pg_catalog." the grammar adds to built-in types. */
	const cJSON *last = n ? cJSON_GetArrayItem(names, n - 1) : NULL;
	const char *base = tree_str(last);
	if (n >= 2 && base) {
		const char *first = tree_str(cJSON_GetArrayItem(names, 0));
		if (first && strcmp(first, "pg_catalog"))
			strbuf_addf(&sb, "%s.", first);
	}
	strbuf_addstr(&sb, base ? base : "?");
	const cJSON *mods = tree_path(tn, "typmods", NULL);
	if (cJSON_GetArraySize(mods) > 0) {
		const cJSON *m;
		int i = 0;
		strbuf_addch(&sb, '(');
		cJSON_ArrayForEach(m, mods) {
			strbuf_addf(&sb, "%s%ld", i++ ? "," : "", a_const_int(m));
		}
		strbuf_addch(&sb, ')');
	}
	if (cJSON_GetArraySize(tree_path(tn, "arrayBounds", NULL)) > 0)
		strbuf_addstr(&sb, "[]");
	return strbuf_detach(&sb, NULL);
}

bool tree_contains_kind(const cJSON *node, const char *kind)
{
	const cJSON *c;
	if (!node)
		return false;
	cJSON_ArrayForEach(c, node) {
		if (c->string && !strcmp(c->string, kind))
			return true;
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && tree_contains_kind(c, kind))
			return true;
	}
	return false;
}

bool tree_any_funccall(const cJSON *node, bool (*fn)(const char *name, void *data), void *data)
{
	const cJSON *c;
	if (!node)
		return false;
	cJSON_ArrayForEach(c, node) {
		if (c->string && !strcmp(c->string, "FuncCall")) {
			const cJSON *names = tree_path(c, "funcname", NULL);
			int n = cJSON_GetArraySize(names);
			const char *name = n ? tree_str(cJSON_GetArrayItem(names, n - 1)) : NULL;
			if (name && fn(name, data))
				return true;
		}
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && tree_any_funccall(c, fn, data))
			return true;
	}
	return false;
}

const cJSON *tree_option(const cJSON *options, const char *name)
{
	const cJSON *opt;
	cJSON_ArrayForEach(opt, options) {
		const cJSON *d = tree_as(opt, "DefElem");
		const char *n = tree_str(tree_path(d, "defname", NULL));
		if (n && !strcmp(n, name))
			return d;
	}
	return NULL;
}

const char *tree_option_str(const cJSON *options, const char *name)
{
	return tree_str(tree_path(tree_option(options, name), "arg", "String", "sval", NULL));
}

void tree_check_required_columns(const cJSON *expr, struct strlist *out)
{
	const cJSON *nt = tree_path(expr, "NullTest", NULL), *a;
	if (nt && !strcmp(nonnull(tree_str(tree_path(nt, "nulltesttype", NULL))), "IS_NOT_NULL")) {
		const cJSON *f = tree_path(nt, "arg", "ColumnRef", "fields", NULL);
		const char *col = tree_str(tree_path(cJSON_GetArrayItem(f, cJSON_GetArraySize(f) - 1),
						     "String", "sval", NULL));
		if (col)
			strlist_add(out, col);
	}
	const cJSON *be = tree_path(expr, "BoolExpr", NULL);
	if (be && !strcmp(nonnull(tree_str(tree_path(be, "boolop", NULL))), "AND_EXPR"))
		cJSON_ArrayForEach(a, tree_path(be, "args", NULL))
			tree_check_required_columns(a, out);
}
