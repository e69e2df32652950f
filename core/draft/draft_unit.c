/*
 * draft_unit.c - the units of a split draft (one migration each) and the
 * statements added to them: each generated statement parsed again, its
 * down derived or given, its effect applied to the running schema, and the
 * engineer's comment carried onto the first statement that replaces the
 * original. A leaf the driver (draft_split.c) and the rewrites
 * (draft_rw_*.c) both use; it calls neither.
 */
#include "draft_unit_int.h"
#include "parse.h"

#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

struct unit *new_unit(struct split *sp, const char *phase, bool no_txn, const char *name,
		      const char *purpose)
{
	ALLOC_GROW(sp->units, sp->nr + 1, sp->alloc);
	struct unit *u = &sp->units[sp->nr++];
	memset(u, 0, sizeof(*u));
	u->phase = phase;
	u->no_txn = no_txn;
	u->name = xstrdup(name);
	u->purpose = xstrdup(purpose);
	return u;
}

void unit_release(struct unit *u)
{
	strlist_clear(&u->ups);
	strlist_clear(&u->downs);
	free(u->name);
	free(u->purpose);
	free(u->deploy_first);
	free(u->backup_first);
	free(u->check_first);
	free(u->down_first);
}

/* Parses one generated statement; NULL (and a note) when it does not parse: a sluice bug. */
cJSON *parse_generated(struct split *sp, const char *sql)
{
	PgQueryParseResult r = pg_query_parse(sql);
	cJSON *root = NULL, *node = NULL;
	if (r.error) {
		strlist_add_nodup(&sp->d->notes, xstrfmt("internal: a generated statement does not "
							 "parse (%s): %s", r.error->message, sql));
	} else {
		root = cJSON_Parse(r.parse_tree);
		cJSON *first = cJSON_GetArrayItem(tree_path(root, "stmts", NULL), 0);
		if (first)
			node = cJSON_DetachItemFromObject(first, "stmt");
	}
	pg_query_free_parse_result(r);
	cJSON_Delete(root);
	return node;
}

/*
 * The comment lines before a statement, without the framework's markers
 * (the layout writes its own) or sluice's ignores (the rewrite no longer
 * needs them); NULL when nothing is left. The engineer wrote them for the
 * reviewer: a draft that drops "why this index" loses something.
 */
char *own_comment(const char *comments)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = comments;
	while (p && *p) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		size_t len = (size_t)(end - p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
			len--;
		if (len > 2 && !strncmp(p, "--", 2) && strncmp(p, "-- +goose", 9) &&
		    strncmp(p, "-- migrate:", 11) && strncmp(p, "-- sluice:", 10) &&
		    strncmp(p, "--sluice:", 9))
			strbuf_addf(&sb, "%.*s\n", (int)len, p);
		p = nl ? nl + 1 : end;
	}
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

/* Adds an up statement, with the comment of the statement it came from before the first. */
void add_up(struct split *sp, struct unit *u, const char *sql)
{
	if (sp->comment) {
		strlist_add_nodup(&u->ups, xstrfmt("%s%s", sp->comment, sql));
		free(sp->comment);
		sp->comment = NULL;
	} else {
		strlist_add(&u->ups, sql);
	}
}

/*
 * Adds a generated statement to a unit: its down (given, or derived from
 * the tree against the running schema) and its effect on the schema.
 */
static void add_with_down(struct split *sp, struct unit *u, const char *sql, const char *down,
			  bool from_history)
{
	cJSON *tree = parse_generated(sp, sql);
	add_up(sp, u, sql);
	if (down) {
		strlist_add(&u->downs, down);
	} else if (tree) {
		struct stmt st;
		struct strbuf loss = STRBUF_INIT;
		memset(&st, 0, sizeof(st));
		st.tree = tree;
		st.kind = tree_kind(tree);
		st.sql = (char *)sql;
		if (from_history)
			reverse_with_history(&st, sp->s, sp->ms, sp->target, &u->downs, &loss);
		else
			reverse_statement(&st, sp->s, &u->downs, &loss);
		strbuf_release(&loss);
	}
	if (tree) {
		schema_apply(sp->s, tree);
		cJSON_Delete(tree);
	}
}

void unit_add(struct split *sp, struct unit *u, const char *sql, const char *down)
{
	add_with_down(sp, u, sql, down, false);
}

/*
 * unit_add() for a statement that destroys something the history created
 * (DROP TABLE, DROP COLUMN): its down is the history's own definition.
 */
void unit_add_from_history(struct split *sp, struct unit *u, const char *sql)
{
	add_with_down(sp, u, sql, NULL, true);
}

struct unit *current_unit(struct split *sp)
{
	if (sp->cur < 0) {
		new_unit(sp, "expand", false, "follow_up", "the statements that followed");
		sp->cur = (long)sp->nr - 1;
	}
	return &sp->units[sp->cur];
}
