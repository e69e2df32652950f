/*
 * app_sql.c - a piece of application SQL made into a statement the
 * shadow can replay (see app_sql.h): its placeholders as $n, the tables it
 * names, and the column each parameter stands for.
 */
#include "app_sql.h"
#include "tree.h"

#include <ctype.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

void app_stmt_clear(struct app_stmt *s)
{
	free(s->path);
	free(s->sql);
	free(s->why);
	strlist_clear(&s->tables);
	for (int i = 0; i < s->nparams; i++)
		free(s->param_col[i]);
	free(s->param_col);
	memset(s, 0, sizeof(*s));
}

void app_stmt_free(struct app_stmt *s)
{
	if (s)
		app_stmt_clear(s);
	free(s);
}

void app_sql_release(struct app_sql *a)
{
	for (size_t i = 0; i < a->nr; i++)
		app_stmt_clear(&a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/* --- placeholders ----------------------------------------------------------------- */

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* $n for a named placeholder: the same name, the same number. */
static int named_number(struct strlist *names, const char *s, size_t len, int *next)
{
	char *name = xstrndup(s, len);
	for (size_t i = 0; i < names->nr; i++)
		if (*names->items[i] && !strcmp(names->items[i], name)) {
			free(name);
			return (int)i + 1;   /* numbers were handed out in list order */
		}
	strlist_add_nodup(names, name);
	return ++*next;
}

/* Skips a quoted run starting at s[i] (quote q, doubled to escape); returns the index after it. */
static size_t skip_quoted(const char *s, size_t i, char q, struct strbuf *out)
{
	size_t j = i + 1;
	for (; s[j]; j++) {
		if (s[j] == q && s[j + 1] == q) {
			j++;
			continue;
		}
		if (s[j] == q)
			break;
	}
	if (s[j])
		j++;
	strbuf_add(out, s + i, j - i);
	return j;
}

/*
 * The text with every placeholder as $n. Text that already uses $n keeps
 * it (then ? and : are PostgreSQL's own operators). -1 when it
 * interpolates at run time ({name}, #{name} is read as a placeholder).
 */
static int number_placeholders(const char *s, struct strbuf *out)
{
	struct strlist names = STRLIST_INIT;
	int next = 0, max = 0;
	bool dollar = false;
	for (const char *p = s; *p; p++)
		if (*p == '$' && isdigit((unsigned char)p[1]) && (p == s || !word_char(p[-1])))
			dollar = true;
	for (size_t i = 0; s[i];) {
		char c = s[i];
		if (c == '\'' || c == '"') {
			i = skip_quoted(s, i, c, out);
			continue;
		}
		if (c == '-' && s[i + 1] == '-') {
			while (s[i] && s[i] != '\n')
				i++;
			continue;
		}
		if (c == '$' && isdigit((unsigned char)s[i + 1])) {
			int n = atoi(s + i + 1);
			max = n > max ? n : max;
			strbuf_addch(out, c);
			i++;
			continue;
		}
		if (dollar) {
			strbuf_addch(out, c);
			i++;
			continue;
		}
		size_t n = 0, len = 0;   /* name at s + n, len; or an anonymous one */
		size_t skip = 0;
		bool anon = false;
		if (c == '?' && s[i + 1] != '|' && s[i + 1] != '&' && s[i + 1] != '?') {
			anon = true;
			skip = 1;
		} else if (c == '%' && s[i + 1] == 's') {
			anon = true;
			skip = 2;
		} else if (c == '%' && s[i + 1] == '%') {
			strbuf_addch(out, '%');
			i += 2;
			continue;
		} else if (c == '%' && s[i + 1] == '(') {
			const char *e = strchr(s + i, ')');
			if (!e || e[1] != 's')
				goto fail;
			n = i + 2;
			len = (size_t)(e - (s + n));
			skip = (size_t)(e + 2 - (s + i));
		} else if (c == ':' && s[i + 1] == ':') {
			strbuf_addstr(out, "::");
			i += 2;
			continue;
		} else if ((c == ':' || c == '@') && (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '_') &&
			   (i == 0 || !word_char(s[i - 1]))) {
			n = i + 1;
			while (word_char(s[n + len]))
				len++;
			skip = 1 + len;
		} else if (!strncmp(s + i, "sqlc.arg(", 9) || !strncmp(s + i, "sqlc.narg(", 10)) {
			n = i + (s[i + 5] == 'n' ? 10 : 9);
			const char *e = strchr(s + n, ')');
			if (!e)
				goto fail;
			len = (size_t)(e - (s + n));
			skip = (size_t)(e + 1 - (s + i));
		} else if (c == '#' && s[i + 1] == '{') {
			const char *e = strchr(s + i, '}');
			if (!e)
				goto fail;
			n = i + 2;
			len = (size_t)(e - (s + n));
			skip = (size_t)(e + 1 - (s + i));
		} else if (c == '{' || c == '}') {
			goto fail;   /* an f-string or a template: the text is built at run time */
		} else {
			strbuf_addch(out, c);
			i++;
			continue;
		}
		if (anon) {
			strlist_add(&names, "");   /* keeps names.items[k] at number k + 1 */
			strbuf_addf(out, "$%d", ++next);
		} else {
			int num = named_number(&names, s + n, len, &next);
			strbuf_addf(out, "$%d", num);
		}
		i += skip;
	}
	strlist_clear(&names);
	return dollar ? max : next;
fail:
	strlist_clear(&names);
	return -1;
}

/* --- tables and parameters ----------------------------------------------------------- */

struct walk {
	struct app_stmt *s;
	struct strlist rels, aliases;   /* every RangeVar: name and alias ("" none) */
};

static void collect_relations(const cJSON *node, struct walk *w)
{
	if (!node)
		return;
	/* a RangeVar's body: wrapped ({"RangeVar": ...}) or not (an INSERT's "relation") */
	if (cJSON_IsObject(node) && cJSON_IsString(cJSON_GetObjectItem(node, "relname"))) {
		const cJSON *rv = node;
		{
			char *name = tree_rangevar_name(rv);
			if (name) {
				const char *alias = tree_str(tree_path(rv, "alias", "aliasname", NULL));
				strlist_add(&w->rels, name);
				strlist_add(&w->aliases, alias ? alias : "");
				if (!strlist_has(&w->s->tables, name))
					strlist_add(&w->s->tables, name);
				free(name);
			}
		}
	}
	for (const cJSON *c = node->child; c; c = c->next)
		collect_relations(c, w);
}

/* The $n of a ParamRef, through a cast; 0 when the node is not one. */
static int param_number(const cJSON *node)
{
	const cJSON *tc = tree_as(node, "TypeCast");
	if (tc)
		node = cJSON_GetObjectItem(tc, "arg");
	const cJSON *p = tree_as(node, "ParamRef");
	return p ? tree_int(p, "number") : 0;
}

static void tie(struct walk *w, int n, const char *table, const char *col)
{
	if (n < 1 || n > w->s->nparams || w->s->param_col[n - 1] || !col)
		return;
	w->s->param_col[n - 1] = xstrfmt("%s.%s", table ? table : "", col);
}

/* The table a qualifier names (an alias or the table itself), or NULL. */
static const char *resolve(const struct walk *w, const char *q)
{
	for (size_t i = 0; i < w->rels.nr; i++)
		if (!strcmp(w->aliases.items[i], q) || !strcmp(w->rels.items[i], q))
			return w->rels.items[i];
	return NULL;
}

/* `col op $n`, `$n op col`, `col IN ($n, ...)`. */
static void tie_comparison(struct walk *w, const cJSON *e)
{
	const cJSON *l = cJSON_GetObjectItem(e, "lexpr"), *r = cJSON_GetObjectItem(e, "rexpr");
	for (int side = 0; side < 2; side++) {
		const cJSON *cr = tree_as(side ? r : l, "ColumnRef");
		const cJSON *other = side ? l : r;
		if (!cr)
			continue;
		const cJSON *fields = cJSON_GetObjectItem(cr, "fields");
		int nf = cJSON_GetArraySize(fields);
		const char *col = tree_str(tree_path(cJSON_GetArrayItem(fields, nf - 1), "String", "sval",
						     NULL));
		const char *q = nf > 1 ? tree_str(tree_path(cJSON_GetArrayItem(fields, nf - 2), "String",
							    "sval", NULL)) : NULL;
		const char *table = q ? resolve(w, q) : NULL;
		const cJSON *list = tree_as(other, "List");
		if (list) {
			const cJSON *it;
			cJSON_ArrayForEach(it, cJSON_GetObjectItem(list, "items"))
				tie(w, param_number(it), table, col);
		} else {
			tie(w, param_number(other), table, col);
		}
	}
}

static void tie_params(const cJSON *node, struct walk *w)
{
	if (!node)
		return;
	if (cJSON_IsObject(node)) {
		const cJSON *b;
		if ((b = tree_as(node, "A_Expr")))
			tie_comparison(w, b);
		if ((b = tree_as(node, "InsertStmt"))) {
			char *rel = tree_rangevar_name(cJSON_GetObjectItem(b, "relation"));
			const cJSON *cols = cJSON_GetObjectItem(b, "cols");
			const cJSON *vl = tree_path(b, "selectStmt", "SelectStmt", "valuesLists", NULL), *row;
			cJSON_ArrayForEach(row, vl) {
				const cJSON *items = tree_path(row, "List", "items", NULL);
				for (int i = 0; i < cJSON_GetArraySize(items); i++)
					tie(w, param_number(cJSON_GetArrayItem(items, i)), rel,
					    tree_str(tree_path(cJSON_GetArrayItem(cols, i), "ResTarget",
							       "name", NULL)));
			}
			free(rel);
		}
		if ((b = tree_as(node, "UpdateStmt"))) {
			char *rel = tree_rangevar_name(cJSON_GetObjectItem(b, "relation"));
			const cJSON *t;
			cJSON_ArrayForEach(t, cJSON_GetObjectItem(b, "targetList")) {
				const cJSON *rt = tree_as(t, "ResTarget");
				tie(w, param_number(cJSON_GetObjectItem(rt, "val")), rel,
				    tree_str(cJSON_GetObjectItem(rt, "name")));
			}
			free(rel);
		}
	}
	for (const cJSON *c = node->child; c; c = c->next)
		tie_params(c, w);
}

static const char *const replayed_kinds[] = {
	"InsertStmt", "UpdateStmt", "SelectStmt", "DeleteStmt", NULL,
};

struct app_stmt *app_stmt_from(const char *text, const char *path, int line)
{
	struct strbuf sql = STRBUF_INIT;
	int nparams = number_placeholders(text, &sql);
	strbuf_trim(&sql);
	while (sql.len && sql.buf[sql.len - 1] == ';') {
		sql.buf[--sql.len] = '\0';
		strbuf_trim(&sql);
	}
	if (nparams < 0 || !sql.len) {
		strbuf_release(&sql);
		return NULL;
	}
	PgQueryParseResult r = pg_query_parse(sql.buf);
	cJSON *root = r.error ? NULL : cJSON_Parse(r.parse_tree);
	pg_query_free_parse_result(r);
	const cJSON *stmts = tree_path(root, "stmts", NULL);
	const cJSON *top = tree_path(cJSON_GetArrayItem(stmts, 0), "stmt", NULL);
	const char *kind = tree_kind(top);
	bool wanted = false;
	for (size_t i = 0; kind && replayed_kinds[i]; i++)
		wanted |= !strcmp(kind, replayed_kinds[i]);
	if (!root || cJSON_GetArraySize(stmts) != 1 || !wanted) {
		cJSON_Delete(root);
		strbuf_release(&sql);
		return NULL;
	}
	struct app_stmt *s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->line = line;
	s->sql = strbuf_detach(&sql, NULL);
	s->nparams = nparams;
	s->param_col = xcalloc((size_t)nparams + 1, sizeof(*s->param_col));
	s->insert = !strcmp(kind, "InsertStmt");
	struct walk w = { s, STRLIST_INIT, STRLIST_INIT };
	collect_relations(top, &w);
	tie_params(top, &w);
	strlist_clear(&w.rels);
	strlist_clear(&w.aliases);
	cJSON_Delete(root);
	return s;
}

void app_sql_deploy_first(const char *text, struct strlist *out)
{
	size_t ml = strlen(APP_SQL_DEPLOY_MARK);
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > ml && !strncmp(p, APP_SQL_DEPLOY_MARK, ml)) {
			char *rest = xstrndup(p + ml, len - ml);
			char *save = NULL;
			for (char *tok = strtok_r(rest, ", \t\r", &save); tok;
			     tok = strtok_r(NULL, ", \t\r", &save))
				if (strchr(tok, ':') && !strlist_has(out, tok))
					strlist_add(out, tok);
			free(rest);
		}
		p = eol ? eol + 1 : NULL;
	}
}
