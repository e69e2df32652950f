/*
 * draft_subset.c - the dependencies between a draft's files (see
 * draft.h).
 *
 * Each SQL file is parsed and walked once: every name a statement creates
 * ("constraint users_org_fk", "column users.status", "index x_idx") is a
 * provision of the file, every name it needs to exist already is a use.
 * A kept file that uses a name which no kept file provides but a left-out
 * one does depends on that file. Names are compared as the schema model
 * compares them: unqualified, as PostgreSQL folds them.
 */
#include "draft.h"
#include "discover.h"
#include "model.h"
#include "parse.h"
#include "tree.h"

#include <stdlib.h>
#include <string.h>

/* One name a file creates or needs, e.g. "constraint users_org_fk". */
struct dep_name {
	char *name;
	const char *verb;   /* for a use: "validates", "drops", ...; for a provision: "adds" */
	int line;
};

struct file_deps {
	struct dep_name *provides, *uses;
	size_t nr_provides, alloc_provides, nr_uses, alloc_uses;
};

static const char *unqualified(const char *name)
{
	const char *dot = name ? strrchr(name, '.') : NULL;
	return dot ? dot + 1 : name;
}

static void add_name(struct dep_name **v, size_t *nr, size_t *alloc, const char *kind,
		     const char *table, const char *name, const char *verb, int line)
{
	if (!name)
		return;
	ALLOC_GROW(*v, *nr + 1, *alloc);
	(*v)[*nr].name = table ? xstrfmt("%s %s.%s", kind, unqualified(table), name)
			       : xstrfmt("%s %s", kind, unqualified(name));
	(*v)[*nr].verb = verb;
	(*v)[(*nr)++].line = line;
}

#define PROVIDE(fd, kind, table, name, line) \
	add_name(&(fd)->provides, &(fd)->nr_provides, &(fd)->alloc_provides, kind, table, name, "adds", line)
#define USE(fd, kind, table, name, verb, line) \
	add_name(&(fd)->uses, &(fd)->nr_uses, &(fd)->alloc_uses, kind, table, name, verb, line)

/* ALTER TABLE: each command's provision or use. */
static void alter_deps(struct file_deps *fd, const cJSON *b, int line)
{
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	const cJSON *cmdn;
	cJSON_ArrayForEach(cmdn, tree_path(b, "cmds", NULL)) {
		const cJSON *cmd = tree_as(cmdn, "AlterTableCmd");
		const char *sub = tree_str(tree_path(cmd, "subtype", NULL));
		const char *name = tree_str(tree_path(cmd, "name", NULL));
		const cJSON *def = tree_path(cmd, "def", NULL);
		if (!sub || !table)
			continue;
		if (!strcmp(sub, "AT_AddConstraint")) {
			const cJSON *con = tree_as(def, "Constraint");
			PROVIDE(fd, "constraint", NULL, tree_str(tree_path(con, "conname", NULL)), line);
			USE(fd, "index", NULL, tree_str(tree_path(con, "indexname", NULL)),
			    "attaches", line);
		} else if (!strcmp(sub, "AT_AddColumn")) {
			PROVIDE(fd, "column", table,
				tree_str(tree_path(tree_as(def, "ColumnDef"), "colname", NULL)), line);
		} else if (!strcmp(sub, "AT_ValidateConstraint")) {
			USE(fd, "constraint", NULL, name, "validates", line);
		} else if (!strcmp(sub, "AT_DropConstraint")) {
			USE(fd, "constraint", NULL, name, "drops", line);
		} else if (!strcmp(sub, "AT_DropColumn")) {
			USE(fd, "column", table, name, "drops", line);
		} else if (name && (!strcmp(sub, "AT_SetNotNull") || !strcmp(sub, "AT_DropNotNull") ||
				    !strcmp(sub, "AT_ColumnDefault") || !strcmp(sub, "AT_AlterColumnType"))) {
			USE(fd, "column", table, name, "alters", line);
		}
	}
	free(table);
}

/* UPDATE t SET col = ...: a backfill needs the column it fills. */
static void update_deps(struct file_deps *fd, const cJSON *b, int line)
{
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	const cJSON *t;
	cJSON_ArrayForEach(t, tree_path(b, "targetList", NULL))
		USE(fd, "column", table, tree_str(tree_path(tree_as(t, "ResTarget"), "name", NULL)),
		    "fills", line);
	free(table);
}

/* DROP INDEX / DROP TABLE of names a file of the draft creates. */
static void drop_deps(struct file_deps *fd, const cJSON *b, int line)
{
	const char *type = tree_str(tree_path(b, "removeType", NULL));
	const char *kind = !type ? NULL : !strcmp(type, "OBJECT_INDEX") ? "index"
				       : !strcmp(type, "OBJECT_TABLE") ? "table" : NULL;
	const cJSON *obj;
	if (!kind)
		return;
	cJSON_ArrayForEach(obj, tree_path(b, "objects", NULL)) {
		char *name = tree_name_list(tree_path(obj, "List", "items", NULL));
		USE(fd, kind, NULL, name, "drops", line);
		free(name);
	}
}

static void rename_deps(struct file_deps *fd, const cJSON *b, int line)
{
	const char *type = tree_str(tree_path(b, "renameType", NULL));
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	if (type && table && !strcmp(type, "OBJECT_COLUMN")) {
		USE(fd, "column", table, tree_str(tree_path(b, "subname", NULL)), "renames", line);
		PROVIDE(fd, "column", table, tree_str(tree_path(b, "newname", NULL)), line);
	} else if (type && !strcmp(type, "OBJECT_TABCONSTRAINT")) {
		USE(fd, "constraint", NULL, tree_str(tree_path(b, "subname", NULL)), "renames", line);
		PROVIDE(fd, "constraint", NULL, tree_str(tree_path(b, "newname", NULL)), line);
	} else if (type && !strcmp(type, "OBJECT_INDEX")) {
		USE(fd, "index", NULL, table, "renames", line);
		PROVIDE(fd, "index", NULL, tree_str(tree_path(b, "newname", NULL)), line);
	}
	free(table);
}

static void stmt_deps(struct file_deps *fd, const struct stmt *st)
{
	const cJSON *b;
	if (!st->kind)
		return;
	if ((b = tree_as(st->tree, "AlterTableStmt"))) {
		alter_deps(fd, b, st->line);
	} else if ((b = tree_as(st->tree, "IndexStmt"))) {
		PROVIDE(fd, "index", NULL, tree_str(tree_path(b, "idxname", NULL)), st->line);
	} else if ((b = tree_as(st->tree, "CreateStmt"))) {
		char *t = tree_rangevar_name(tree_path(b, "relation", NULL));
		PROVIDE(fd, "table", NULL, t, st->line);
		free(t);
	} else if ((b = tree_as(st->tree, "UpdateStmt"))) {
		update_deps(fd, b, st->line);
	} else if ((b = tree_as(st->tree, "DropStmt"))) {
		drop_deps(fd, b, st->line);
	} else if ((b = tree_as(st->tree, "RenameStmt"))) {
		rename_deps(fd, b, st->line);
	}
}

static void read_deps(const struct draft_file *f, struct file_deps *fd)
{
	struct file_report fr;
	memset(&fr, 0, sizeof(fr));
	memset(fd, 0, sizeof(*fd));
	if (!f->sql)
		return;
	struct script *sc = script_new(f->path, f->text, strlen(f->text));
	fr.path = xstrdup(f->path);
	parse_script(sc, &fr);
	for (size_t i = 0; i < fr.nr_stmts; i++)
		stmt_deps(fd, &fr.stmts[i]);
	file_report_release(&fr);
	script_free(sc);
}

static void release_deps(struct file_deps *fd)
{
	for (size_t i = 0; i < fd->nr_provides; i++)
		free(fd->provides[i].name);
	for (size_t i = 0; i < fd->nr_uses; i++)
		free(fd->uses[i].name);
	free(fd->provides);
	free(fd->uses);
}

static bool provides(const struct file_deps *fd, const char *name)
{
	for (size_t i = 0; i < fd->nr_provides; i++)
		if (!strcmp(fd->provides[i].name, name))
			return true;
	return false;
}

/*
 * A kept file's use that only a left-out file provides. An up script runs
 * after the ups before it, never after a down: what it uses must come from
 * an up. A down may lean on anything the draft creates.
 */
static int check_uses(const struct draft *d, const bool *selected, const bool *is_down,
		      const struct file_deps *deps, struct strbuf *why)
{
	for (size_t i = 0; i < d->nr; i++) {
		if (!selected[i])
			continue;
		for (size_t u = 0; u < deps[i].nr_uses; u++) {
			const struct dep_name *use = &deps[i].uses[u];
			bool kept = false;
			long from = -1;
			for (size_t j = 0; j < d->nr && !kept; j++) {
				if ((!is_down[i] && is_down[j]) || !provides(&deps[j], use->name))
					continue;
				if (selected[j])
					kept = true;
				else if (from < 0)
					from = (long)j;
			}
			if (kept || from < 0)
				continue;
			strbuf_addf(why, "'%s' line %d %s %s, which '%s' (left out) adds: "
				    "select it too (x), or leave this one out",
				    d->files[i].path, use->line, use->verb, use->name, d->files[from].path);
			return -1;
		}
	}
	return 0;
}

/* The script of `m` at `path`: which half of its migration a draft file is. */
static const struct script *script_at(const struct migration *m, const char *path)
{
	if (m->up && !strcmp(m->up->path, path))
		return m->up;
	if (m->down && !strcmp(m->down->path, path))
		return m->down;
	return NULL;
}

/*
 * Pairs the draft's files as the repository's framework pairs them: each
 * file's up (its own index when it is an up, or when the draft leaves it
 * without one: -1) in up_of[], and whether it is a down in is_down[].
 */
static void pair_files(const struct draft *d, long *up_of, bool *is_down)
{
	struct migration_set ms;
	migration_set_init(&ms);
	for (size_t i = 0; i < d->nr; i++)
		if (d->files[i].sql)
			discover_add_file(&ms, d->files[i].path, d->files[i].text,
					  strlen(d->files[i].text), true);
	discover_finish(&ms);
	for (size_t i = 0; i < d->nr; i++) {
		up_of[i] = -1;
		is_down[i] = d->files[i].dir == DIR_DOWN;
		for (size_t m = 0; m < ms.nr; m++) {
			const struct migration *mig = ms.v[m];
			if (script_at(mig, d->files[i].path) != mig->down || !mig->up ||
			    !strcmp(mig->up->path, mig->down->path))
				continue;
			is_down[i] = true;
			for (size_t j = 0; j < d->nr; j++)
				if (!strcmp(d->files[j].path, mig->up->path))
					up_of[i] = (long)j;
		}
	}
	migration_set_release(&ms);
}

/* A kept down whose up, in the draft, is left out. */
static int check_downs(const struct draft *d, const bool *selected, const long *up_of,
		       struct strbuf *why)
{
	for (size_t i = 0; i < d->nr; i++) {
		if (!selected[i] || up_of[i] < 0 || selected[up_of[i]])
			continue;
		strbuf_addf(why, "'%s' is the down of '%s', which is left out: "
			    "select it too (x), or leave this one out",
			    d->files[i].path, d->files[up_of[i]].path);
		return -1;
	}
	return 0;
}

int draft_subset_check(const struct draft *d, const bool *selected, struct strbuf *why)
{
	size_t n = d->nr ? d->nr : 1;
	struct file_deps *deps = xcalloc(n, sizeof(*deps));
	long *up_of = xcalloc(n, sizeof(*up_of));
	bool *is_down = xcalloc(n, sizeof(*is_down));
	int ret;
	for (size_t i = 0; i < d->nr; i++)
		read_deps(&d->files[i], &deps[i]);
	pair_files(d, up_of, is_down);
	ret = check_downs(d, selected, up_of, why);
	if (!ret)
		ret = check_uses(d, selected, is_down, deps, why);
	for (size_t i = 0; i < d->nr; i++)
		release_deps(&deps[i]);
	free(deps);
	free(up_of);
	free(is_down);
	return ret;
}
