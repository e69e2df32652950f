/*
 * draft_input.c - placeholders and the values that replace them (see
 * draft.h).
 */
#include "draft.h"
#include "rules.h"
#include "tree.h"

#include <cjson/cJSON.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

/* The placeholder older sluice drafts wrote: a backfill that stops with a message. */
#define OLD_PLACEHOLDER "sluice draft: choose the value of "

char *draft_placeholder(const char *what)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, DRAFT_PLACEHOLDER_FN "(");
	sql_add_literal(&sb, what);
	strbuf_addch(&sb, ')');
	return strbuf_detach(&sb, NULL);
}

/* Do the first n bytes match, ASCII letters in any case (not the locale's)? */
static bool prefix_ci(const char *s, const char *prefix, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char a = s[i], b = prefix[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b || !a)
			return false;
	}
	return true;
}

/*
 * Case-insensitive strstr for ASCII needles that start with a letter.
 * Every statement of every check is searched (rule draft-placeholder), so
 * it jumps from one occurrence of the first letter to the next.
 */
static const char *find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	char first[3] = { needle[0], needle[0], '\0' };
	if (first[0] >= 'a' && first[0] <= 'z')
		first[1] = (char)(first[0] - 'a' + 'A');
	else if (first[0] >= 'A' && first[0] <= 'Z')
		first[1] = (char)(first[0] - 'A' + 'a');
	for (const char *p = hay; (p = strpbrk(p, first)); p++)
		if (prefix_ci(p, needle, n))
			return p;
	return NULL;
}

/* The name after a marker: up to the closing quote (or a space for the old form). */
static void add_name(struct strlist *names, const char *p, const char *stops)
{
	size_t n = strcspn(p, stops);
	if (!names || !n || n > 200)
		return;
	char *name = xstrndup(p, n);
	if (!strlist_has(names, name))
		strlist_add(names, name);
	free(name);
}

bool draft_find_placeholders(const char *sql, struct strlist *names)
{
	bool found = false;
	for (const char *p = sql; (p = find_ci(p, DRAFT_PLACEHOLDER_FN)); p++) {
		const char *q = p + strlen(DRAFT_PLACEHOLDER_FN);
		while (*q == ' ')
			q++;
		if (*q != '(')
			continue;
		found = true;
		q++;
		while (*q == ' ')
			q++;
		if (*q == '\'')
			add_name(names, q + 1, "'");
	}
	for (const char *p = sql; (p = find_ci(p, OLD_PLACEHOLDER)); p++) {
		found = true;
		add_name(names, p + strlen(OLD_PLACEHOLDER), " '");
	}
	return found;
}

/* The parsed expression of "SELECT <expr>" when that is all the text holds; NULL otherwise. */
static cJSON *parse_expression(const char *expr, char **why)
{
	char *sql = xstrfmt("SELECT %s", expr);
	PgQueryParseResult r = pg_query_parse(sql);
	cJSON *root = NULL, *val = NULL;
	free(sql);
	if (r.error) {
		*why = xstrdup(r.error->message);
	} else {
		root = cJSON_Parse(r.parse_tree);
		const cJSON *stmts = tree_path(root, "stmts", NULL);
		const cJSON *sel = tree_path(cJSON_GetArrayItem(stmts, 0), "stmt", "SelectStmt", NULL);
		const cJSON *targets = tree_path(sel, "targetList", NULL);
		if (cJSON_GetArraySize(stmts) != 1 || !sel || cJSON_GetArraySize(targets) != 1 ||
		    tree_path(sel, "fromClause", NULL) || tree_path(sel, "whereClause", NULL) ||
		    tree_path(cJSON_GetArrayItem(targets, 0), "ResTarget", "name", NULL))
			*why = xstrdup("more than an expression");
		else
			val = cJSON_DetachItemFromObject(tree_path(cJSON_GetArrayItem(targets, 0),
								   "ResTarget", NULL), "val");
	}
	pg_query_free_parse_result(r);
	cJSON_Delete(root);
	return val;
}

static bool valid_name(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);
	return n && dot && dot > s && (size_t)(dot - s) < n - 1 && !memchr(s, '\'', n) &&
	       !memchr(s, ' ', n);
}

int draft_value_check(const char *assignment, struct strbuf *err)
{
	const char *eq = strchr(assignment, '=');
	char *why = NULL;
	if (!eq || !valid_name(assignment, (size_t)(eq - assignment))) {
		strbuf_addf(err, "--set '%s': expected TABLE.COLUMN=EXPRESSION, e.g. "
			    "--set users.plan=\"'free'\"", assignment);
		return -1;
	}
	cJSON *val = parse_expression(eq + 1, &why);
	if (!val) {
		strbuf_addf(err, "--set %.*s: '%s' is not one SQL expression (%s); a string needs its "
			    "quotes: --set %.*s=\"'text'\"", (int)(eq - assignment), assignment, eq + 1,
			    why, (int)(eq - assignment), assignment);
		free(why);
		return -1;
	}
	cJSON_Delete(val);
	return 0;
}

const char *draft_value_for(const struct strlist *values, const char *what)
{
	size_t n = strlen(what);
	for (size_t i = 0; values && i < values->nr; i++) {
		const char *v = values->items[i];
		if (prefix_ci(v, what, n) && v[n] == '=')
			return v + n + 1;
	}
	return NULL;
}

/* Column references and subqueries are not allowed in a DEFAULT. */
static bool refers_to_rows(const cJSON *node)
{
	if (!node)
		return false;
	if (node->string && (!strcmp(node->string, "ColumnRef") || !strcmp(node->string, "SubLink")))
		return true;
	for (const cJSON *c = node->child; c; c = c->next)
		if (refers_to_rows(c))
			return true;
	return false;
}

bool draft_value_is_constant(const char *expr)
{
	char *why = NULL;
	cJSON *val = parse_expression(expr, &why);
	bool constant = val && !refers_to_rows(val) && !expr_is_volatile(val, NULL) &&
			!expr_unknown_function(val, NULL);
	cJSON_Delete(val);
	free(why);
	return constant;
}
