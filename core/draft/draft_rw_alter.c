/*
 * draft_rw_alter.c - ALTER TABLE, one subcommand at a time: each risky one
 * goes to the rewrite of its family (draft_rw_column.c,
 * draft_rw_constraint.c, draft_rw_rename.c); the others are kept, each an
 * ALTER TABLE of its own in the unit collecting kept statements.
 *
 * The pieces keep their text and their order, so the kept subcommands do
 * what the statement did; only the risky ones are replaced. When none of
 * them needed a rewrite after all, the statement stays whole, as written.
 */
#include "draft_split_int.h"

#include <stdlib.h>
#include <string.h>

/* --- pieces of the user's statement -------------------------------------- */

/* The ALTER TABLE's subcommands as text spans, in order; false if they cannot be matched. */
static bool alter_pieces(const struct stmt *st, const cJSON *b, size_t *from, size_t *to, int n)
{
	const char *sql = st->sql;
	int loc = tree_int(tree_path(b, "relation", NULL), "location");
	size_t p = (size_t)loc, len = strlen(sql);
	/* Skip the relation name: identifiers, dots and quotes. */
	while (p < len && (sql[p] == '"' || sql[p] == '.' || sql[p] == '_' ||
			   (unsigned char)sql[p] >= 0x80 || (sql[p] >= '0' && sql[p] <= '9') ||
			   ((sql[p] | 0x20) >= 'a' && (sql[p] | 0x20) <= 'z'))) {
		if (sql[p] == '"') {
			p++;
			while (p < len && sql[p] != '"')
				p++;
		}
		p++;
	}
	for (int i = 0; i < n; i++) {
		size_t e = sql_clause_end(sql, p, len, NULL);
		from[i] = p;
		to[i] = e;
		if (i < n - 1 && (e >= len || sql[e] != ','))
			return false;
		p = e + 1;
	}
	return to[n - 1] <= len;
}

static char *rel_of(const cJSON *b)
{
	char *name = tree_rangevar_name(tree_path(b, "relation", NULL));
	char *r = sql_qualified(name ? name : "?");
	free(name);
	return r;
}

/*
 * now() and its kin are STABLE: PostgreSQL 11+ stores one value without a
 * rewrite. Any other function call in a DEFAULT is treated as volatile;
 * a needless split is cheaper than a table rewrite.
 */
static bool not_stable(const char *name, void *data)
{
	(void)data;
	return strcmp(name, "now") && strcmp(name, "statement_timestamp") &&
	       strcmp(name, "transaction_timestamp");
}

enum rw_result rw_alter(struct split *sp, const struct stmt *st, const cJSON *b)
{
	const cJSON *cmds = tree_path(b, "cmds", NULL), *cmd;
	int n = cJSON_GetArraySize(cmds), i = 0;
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	size_t *from, *to;
	bool any = false;
	enum rw_result ret = RW_NONE;
	if (!n || !table || st->new_table) {
		free(table);
		return RW_NONE;
	}
	from = xcalloc((size_t)n, sizeof(*from));
	to = xcalloc((size_t)n, sizeof(*to));
	if (!alter_pieces(st, b, from, to, n))
		goto out;
	/* Rewrite each subcommand on its own; keep the ones with nothing to fix. */
	char *rel = rel_of(b);
	cJSON_ArrayForEach(cmd, cmds) {
		const cJSON *c = tree_body(cmd);
		const char *sub = nonnull(tree_str(tree_path(c, "subtype", NULL)));
		bool done = false;
		if (!strcmp(sub, "AT_AddColumn")) {
			const cJSON *cd = tree_path(c, "def", "ColumnDef", NULL);
			const cJSON *def = find_constraint(cd, "CONSTR_DEFAULT");
			bool volatile_def = def && tree_any_funccall(tree_path(def, "raw_expr", NULL),
								     not_stable, NULL);
			bool not_null = find_constraint(cd, "CONSTR_NOTNULL") != NULL;
			/* A constant default is metadata only since PostgreSQL 11, NOT NULL included. */
			if (not_null && !def && sp->opts->pg_version >= 11) {
				enum rw_result r = rw_add_column_instant(sp, table, st, cd, to[i]);
				/* instant: the statement stays with the ones around it */
				any |= r != RW_NONE;
				if (r == RW_KEPT) {
					i++;
					continue;
				}
				done = r == RW_DONE;
			} else if ((not_null && !def) || volatile_def || (def && sp->opts->pg_version < 11)) {
				done = rw_add_column(sp, table, st, cd, to[i]);
			}
		} else if (!strcmp(sub, "AT_SetNotNull")) {
			const char *col = tree_str(tree_path(c, "name", NULL));
			if (col) {
				add_not_null_steps(sp, table, col);
				done = true;
			}
		} else if (!strcmp(sub, "AT_AddConstraint")) {
			done = rw_add_constraint(sp, table, st, tree_path(c, "def", "Constraint", NULL), to[i]);
		} else if (!strcmp(sub, "AT_AlterColumnType")) {
			done = rw_alter_type(sp, table, st, c, to[i]);
		} else if (!strcmp(sub, "AT_DropColumn")) {
			done = rw_drop_column(sp, table, c);
		}
		if (done) {
			any = true;
			sp->cur = -1;
		} else {
			char *piece = sql_slice(st->sql, from[i], to[i]);
			char *sql = xstrfmt("ALTER TABLE %s %s", rel, piece);
			struct unit *u = current_unit(sp);
			u->locks = true;
			unit_add(sp, u, sql, NULL);
			free(sql);
			free(piece);
		}
		i++;
	}
	free(rel);
	ret = RW_DONE;
	if (!any) {
		/* Nothing to rewrite after all: the statement stays whole, as written. */
		struct unit *u = &sp->units[sp->cur];
		for (int k = 0; k < n && u->ups.nr; k++)
			free(u->ups.items[--u->ups.nr]);
		free(sp->comment);   /* it may have gone with a piece taken back */
		sp->comment = own_comment(st->comments);
		add_up(sp, u, st->sql);
		ret = RW_KEPT;
	}
out:
	free(from);
	free(to);
	free(table);
	return ret;
}
