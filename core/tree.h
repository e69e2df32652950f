/*
 * tree.h - reading libpg_query's parse tree.
 *
 * libpg_query hands us its tree as JSON ({"IndexStmt":{"relation":...}});
 * we keep it as cJSON and walk it with these helpers, which accept NULL
 * anywhere so a rule can ask for a deep path without checking each step:
 *
 *	const char *rel = tree_str(tree_path(node, "relation", "relname", NULL));
 *
 * Boolean fields that are false and integers that are 0 are omitted from
 * the JSON, so tree_bool/tree_int default to false/0.
 */
#ifndef SLUICE_TREE_H
#define SLUICE_TREE_H

#include <stdbool.h>
#include <cjson/cJSON.h>

struct strbuf;

/*
 * cJSON_Parse(json) for libpg_query's output, in one block per statement
 * (tree_json.c). The tree must not be modified, and each statement's tree
 * (a "stmt") is freed whole, never a part of it.
 */
cJSON *tree_parse_json(const char *json);
/* {"<kind>":{}}, in one block: what stands in for a statement's dropped tree. */
cJSON *tree_kind_only(const char *kind);
/* Follow object keys; NULL-terminated. */
cJSON *tree_path(const cJSON *node, ...);
const char *tree_str(const cJSON *node);
bool tree_bool(const cJSON *node, const char *key);
int tree_int(const cJSON *node, const char *key);
/* The name of a node's single key: "IndexStmt" for {"IndexStmt":{...}}. */
const char *tree_kind(const cJSON *node);
/* The body of a node: {...} of {"IndexStmt":{...}}. */
cJSON *tree_body(const cJSON *node);
/* Body if the node is of that kind, else NULL. */
cJSON *tree_as(const cJSON *node, const char *kind);
/* "schema.name" or "name" of a RangeVar body; NULL when absent. Caller frees. */
char *tree_rangevar_name(const cJSON *rangevar);
/* A list of {"String":{"sval":...}} joined with '.', e.g. type or object names. */
char *tree_name_list(const cJSON *list);
/* A TypeName body as SQL: "varchar(20)", "numeric(10,2)", "text[]". Caller frees. */
char *tree_type_name(const cJSON *typename_body);
/*
 * The DefElem body named `name` in a list of options (WITH (...), a
 * function's LANGUAGE and AS, VACUUM (FULL), REINDEX (CONCURRENTLY)), or
 * NULL; tree_option_str() its value when it is a string.
 */
const cJSON *tree_option(const cJSON *options, const char *name);
const char *tree_option_str(const cJSON *options, const char *name);
/* Depth-first search for any node of `kind` below `node`. */
bool tree_contains_kind(const cJSON *node, const char *kind);
/* Calls fn on every FuncCall name below node; stops when fn returns true. */
bool tree_any_funccall(const cJSON *node, bool (*fn)(const char *name, void *data), void *data);
/*
 * The columns a CHECK expression makes required: `col IS NOT NULL`, alone or
 * ANDed with other conditions (NULL passes any other CHECK), added to out.
 */
struct strlist;
void tree_check_required_columns(const cJSON *expr, struct strlist *out);

#endif
