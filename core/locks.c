/*
 * locks.c - which lock a statement takes, and whether it rewrites or scans.
 *
 * The facts come from the PostgreSQL manual: "Explicit Locking" (13.3) and
 * the per-command pages (ALTER TABLE lists the lock of each subcommand).
 * The lock recorded is the strongest one the statement takes on its main,
 * already existing table; for ALTER TABLE that is the strongest over all
 * subcommands, which is what PostgreSQL takes too.
 *
 * Rewrite and scan are the two ways a statement's duration grows with the
 * table: a rewrite copies every row (ADD COLUMN with a volatile default,
 * most type changes), a scan reads every row while holding the lock
 * (SET NOT NULL, validating a constraint, building an index).
 */
#include "judge.h"
#include "rules.h"
#include "typechange.h"

#include <stdlib.h>
#include <string.h>

struct subcmd_lock {
	const char *subtype;
	enum lock_mode lock;
	int since;        /* first PostgreSQL major with this lock, else AE before */
};

/* ALTER TABLE subcommands whose lock is weaker than ACCESS EXCLUSIVE. */
static const struct subcmd_lock alter_locks[] = {
	{ "AT_SetStatistics", LOCK_SHARE_UPDATE_EXCLUSIVE, 9 },
	{ "AT_SetOptions", LOCK_SHARE_UPDATE_EXCLUSIVE, 9 },
	{ "AT_ResetOptions", LOCK_SHARE_UPDATE_EXCLUSIVE, 9 },
	{ "AT_ClusterOn", LOCK_SHARE_UPDATE_EXCLUSIVE, 9 },
	{ "AT_DropCluster", LOCK_SHARE_UPDATE_EXCLUSIVE, 9 },
	{ "AT_ValidateConstraint", LOCK_SHARE_UPDATE_EXCLUSIVE, 9 },
	{ "AT_AttachPartition", LOCK_SHARE_UPDATE_EXCLUSIVE, 12 },
	{ "AT_EnableTrig", LOCK_SHARE_ROW_EXCLUSIVE, 9 },
	{ "AT_DisableTrig", LOCK_SHARE_ROW_EXCLUSIVE, 9 },
	{ "AT_EnableAlwaysTrig", LOCK_SHARE_ROW_EXCLUSIVE, 9 },
	{ "AT_EnableReplicaTrig", LOCK_SHARE_ROW_EXCLUSIVE, 9 },
	{ "AT_EnableTrigAll", LOCK_SHARE_ROW_EXCLUSIVE, 9 },
	{ "AT_DisableTrigAll", LOCK_SHARE_ROW_EXCLUSIVE, 9 },
	{ "AT_EnableTrigUser", LOCK_SHARE_ROW_EXCLUSIVE, 9 },
	{ "AT_DisableTrigUser", LOCK_SHARE_ROW_EXCLUSIVE, 9 },
};

static bool str_in(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

/*
 * Storage parameters that ALTER TABLE ... SET (...) changes under SHARE
 * UPDATE EXCLUSIVE (reloptions.c gives each its lock; autovacuum ones since
 * 9.6, fillfactor and parallel_workers since 10). Any other parameter, or a
 * mix, takes ACCESS EXCLUSIVE.
 */
static const char *const weak_reloptions[] = {
	"fillfactor", "parallel_workers", "toast_tuple_target", "vacuum_index_cleanup",
	"vacuum_truncate", "log_autovacuum_min_duration",
};

static bool reloption_is_weak(const char *name)
{
	if (starts_with(name, "toast."))
		name += 6;
	return starts_with(name, "autovacuum_") ||
	       str_in(name, weak_reloptions, ARRAY_SIZE(weak_reloptions));
}

static enum lock_mode reloptions_lock(const cJSON *def, int pg)
{
	const cJSON *opt;
	if (pg < 10)
		return LOCK_ACCESS_EXCLUSIVE;
	cJSON_ArrayForEach(opt, tree_path(def, "List", "items", NULL)) {
		const char *n = tree_str(tree_path(opt, "DefElem", "defname", NULL));
		const char *ns = tree_str(tree_path(opt, "DefElem", "defnamespace", NULL));
		if (!n || (ns && strcmp(ns, "toast")) || !reloption_is_weak(n))
			return LOCK_ACCESS_EXCLUSIVE;
	}
	return LOCK_SHARE_UPDATE_EXCLUSIVE;
}

/* Subcommands that rewrite the table whatever their arguments. */
static const char *const alter_rewrites[] = {
	"AT_SetTableSpace", "AT_SetLogged", "AT_SetUnLogged", "AT_SetAccessMethod",
};

static bool is_volatile_builtin(const char *name)
{
	static const char *const volatile_funcs[] = {
		"random", "gen_random_uuid", "uuid_generate_v4", "uuid_generate_v1",
		"uuid_generate_v1mc", "clock_timestamp", "timeofday", "nextval",
		"random_normal", "txid_current", "gen_random_bytes", "uuid_generate_v7",
	};
	return str_in(name, volatile_funcs, ARRAY_SIZE(volatile_funcs));
}

static bool is_volatile_func(const char *name, void *data)
{
	const struct schema *s = data;
	return is_volatile_builtin(name) || (s && strlist_has(&s->volatile_functions, name));
}

/*
 * now(), CURRENT_TIMESTAMP and friends are STABLE, not volatile: PostgreSQL
 * 11+ evaluates them once and stores the value without a rewrite.
 */
bool expr_is_volatile(const cJSON *expr, const struct schema *s)
{
	return tree_any_funccall(expr, is_volatile_func, (void *)s);
}

/* Built-ins seen in DEFAULTs that are STABLE or IMMUTABLE: no rewrite on 11+. */
static const char *const known_funcs[] = {
	"now", "statement_timestamp", "transaction_timestamp", "current_setting",
	"lower", "upper", "btrim", "trim", "replace", "concat", "md5", "length",
	"to_char", "to_timestamp", "to_date", "date_trunc", "timezone", "make_interval",
	"make_date", "to_json", "to_jsonb", "json_build_object", "jsonb_build_object",
	"json_build_array", "jsonb_build_array", "array_fill", "encode", "decode",
	"current_database", "current_schema", "current_user", "session_user",
};

struct unknown_search {
	const struct schema *s;
	const char *found;
};

static bool is_unknown_func(const char *name, void *data)
{
	struct unknown_search *u = data;
	if (is_volatile_builtin(name) || str_in(name, known_funcs, ARRAY_SIZE(known_funcs)))
		return false;
	if (u->s) {
		/* created by the history: its volatility is known either way */
		for (size_t i = 0; i < u->s->functions.nr; i++) {
			const char *f = u->s->functions.items[i], *dot = strrchr(f, '.');
			if (!strcmp(dot ? dot + 1 : f, name))
				return false;
		}
	}
	u->found = name;
	return true;
}

const char *expr_unknown_function(const cJSON *expr, const struct schema *s)
{
	struct unknown_search u = { s, NULL };
	tree_any_funccall(expr, is_unknown_func, &u);
	return u.found;
}

static const cJSON *column_default(const cJSON *coldef, bool *has_default)
{
	const cJSON *con;
	*has_default = false;
	cJSON_ArrayForEach(con, tree_path(coldef, "constraints", NULL)) {
		const cJSON *c = tree_as(con, "Constraint");
		const char *t = tree_str(tree_path(c, "contype", NULL));
		if (t && (!strcmp(t, "CONSTR_DEFAULT") || !strcmp(t, "CONSTR_IDENTITY") ||
			  !strcmp(t, "CONSTR_GENERATED"))) {
			*has_default = true;
			return c;
		}
	}
	return NULL;
}

/* Does ADD COLUMN rewrite the table? */
static bool add_column_rewrites(const cJSON *coldef, const struct schema *s, int pg)
{
	bool has_default;
	const cJSON *c = column_default(coldef, &has_default);
	char *type = tree_type_name(tree_path(coldef, "typeName", NULL));
	bool serial = !strcmp(type, "serial") || !strcmp(type, "bigserial") ||
		      !strcmp(type, "smallserial") || !strcmp(type, "serial4") ||
		      !strcmp(type, "serial8");
	free(type);
	if (serial)
		return true;            /* a nextval() default: volatile */
	if (!has_default)
		return false;
	const char *ct = tree_str(tree_path(c, "contype", NULL));
	if (strcmp(ct, "CONSTR_DEFAULT"))
		return true;            /* identity / stored generated column */
	const cJSON *expr = tree_path(c, "raw_expr", NULL);
	if (tree_as(expr, "A_Const") && tree_bool(tree_as(expr, "A_Const"), "isnull"))
		return false;           /* DEFAULT NULL */
	if (pg < 11)
		return true;
	return expr_is_volatile(expr, s);
}

struct alter_facts {
	enum lock_mode lock;
	bool rewrite, scan;
};

static void merge(struct alter_facts *f, enum lock_mode lock, bool rewrite, bool scan)
{
	if (lock > f->lock)
		f->lock = lock;
	f->rewrite |= rewrite;
	f->scan |= scan;
}

static void assess_alter_cmd(struct alter_facts *f, const cJSON *cmd, const char *table,
			     const struct schema *s, int pg)
{
	const char *sub = tree_str(tree_path(cmd, "subtype", NULL));
	const cJSON *def = tree_path(cmd, "def", NULL);
	if (!sub)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(alter_locks); i++)
		if (!strcmp(sub, alter_locks[i].subtype)) {
			merge(f, pg >= alter_locks[i].since ? alter_locks[i].lock : LOCK_ACCESS_EXCLUSIVE,
			      false, !strcmp(sub, "AT_ValidateConstraint"));
			return;
		}
	if (!strcmp(sub, "AT_SetRelOptions") || !strcmp(sub, "AT_ResetRelOptions")) {
		merge(f, reloptions_lock(def, pg), false, false);
		return;
	}
	if (str_in(sub, alter_rewrites, ARRAY_SIZE(alter_rewrites))) {
		merge(f, LOCK_ACCESS_EXCLUSIVE, true, false);
		return;
	}
	if (!strcmp(sub, "AT_AddColumn")) {
		merge(f, LOCK_ACCESS_EXCLUSIVE, add_column_rewrites(tree_as(def, "ColumnDef"), s, pg), false);
	} else if (!strcmp(sub, "AT_AlterColumnType")) {
		const struct column *c = table_column(schema_table(s, table),
						      tree_str(tree_path(cmd, "name", NULL)));
		const cJSON *cd = tree_as(def, "ColumnDef");
		char *to = tree_type_name(tree_path(cd, "typeName", NULL));
		const cJSON *u = tree_path(cd, "raw_default", NULL);
		bool using = u && !type_change_using_is_plain(u, c ? c->name : NULL, to);
		bool safe = c && c->type && !using &&
			    (type_change_is_binary_coercible(c->type, to, pg) ||
			     (s->session_utc && type_change_free_in_utc(c->type, to, pg)));
		free(to);
		merge(f, LOCK_ACCESS_EXCLUSIVE, !safe, false);
	} else if (!strcmp(sub, "AT_SetNotNull")) {
		const char *col = tree_str(tree_path(cmd, "name", NULL));
		bool proven = pg >= 12 && schema_has_notnull_check(s, table, nonnull(col));
		merge(f, LOCK_ACCESS_EXCLUSIVE, false, !proven);
	} else if (!strcmp(sub, "AT_AddConstraint")) {
		const cJSON *con = tree_as(def, "Constraint");
		const char *ct = nonnull(tree_str(tree_path(con, "contype", NULL)));
		bool not_valid = tree_bool(con, "skip_validation");
		bool using_index = tree_path(con, "indexname", NULL) != NULL;
		if (!strcmp(ct, "CONSTR_FOREIGN"))
			merge(f, LOCK_SHARE_ROW_EXCLUSIVE, false, !not_valid);
		else if (!strcmp(ct, "CONSTR_PRIMARY") || !strcmp(ct, "CONSTR_UNIQUE") ||
			 !strcmp(ct, "CONSTR_EXCLUSION"))
			merge(f, LOCK_ACCESS_EXCLUSIVE, false, !using_index);
		else
			merge(f, LOCK_ACCESS_EXCLUSIVE, false, !not_valid);
	} else if (!strcmp(sub, "AT_DetachPartition")) {
		const cJSON *pc = tree_as(def, "PartitionCmd");
		merge(f, pg >= 14 && tree_bool(pc, "concurrent") ? LOCK_SHARE_UPDATE_EXCLUSIVE
								    : LOCK_ACCESS_EXCLUSIVE, false, false);
	} else {
		merge(f, LOCK_ACCESS_EXCLUSIVE, false, false);
	}
}

static enum lock_mode lock_stmt_mode(const char *mode)
{
	/* LockStmt's mode is the LOCKMODE number: 1 AccessShare ... 8 AccessExclusive. */
	(void)mode;
	return LOCK_ACCESS_EXCLUSIVE;
}

static char *first_relation(const cJSON *list)
{
	const cJSON *rv = tree_as(cJSON_GetArrayItem(list, 0), "RangeVar");
	return rv ? tree_rangevar_name(rv) : NULL;
}

static char *drop_object_name(const cJSON *b)
{
	const cJSON *obj = cJSON_GetArrayItem(tree_path(b, "objects", NULL), 0);
	const cJSON *list = tree_path(obj, "List", "items", NULL);
	if (list)
		return tree_name_list(list);
	return tree_str(obj) ? xstrdup(tree_str(obj)) : NULL;
}

/*
 * CREATE TABLE locks nothing that exists but what it links to: SHARE ROW
 * EXCLUSIVE on each table its foreign keys reference (to add the FK's
 * triggers: tablecmds.c, ATAddForeignKeyConstraint opens the referenced
 * table with ShareRowExclusiveLock), and for PARTITION OF, ACCESS EXCLUSIVE
 * on the parent (MergeAttributes: "if the child table is a partition, then we
 * instead grab an exclusive lock on the parent because its partition
 * descriptor will be changed"; INHERITS takes SHARE UPDATE EXCLUSIVE). The
 * relation it creates is invisible to everyone else until commit, so nobody
 * waits on it.
 */
enum lock_mode create_table_lock(const cJSON *b, const struct schema *s, char **on)
{
	enum lock_mode lock = LOCK_NONE;
	char *self = tree_rangevar_name(tree_path(b, "relation", NULL));
	const cJSON *elt, *c;
	*on = NULL;
	if (tree_path(b, "partbound", NULL)) {
		*on = first_relation(tree_path(b, "inhRelations", NULL));
		if (*on && schema_table(s, *on))
			lock = LOCK_ACCESS_EXCLUSIVE;
	}
	cJSON_ArrayForEach(elt, tree_path(b, "tableElts", NULL)) {
		const cJSON *cons = tree_path(elt, "ColumnDef", "constraints", NULL);
		const cJSON *one = tree_as(elt, "Constraint");
		for (c = one ? elt : cJSON_GetArrayItem(cons, 0); c && lock == LOCK_NONE;
		     c = one ? NULL : c->next) {
			const cJSON *con = tree_as(c, "Constraint");
			if (strcmp(nonnull(tree_str(tree_path(con, "contype", NULL))), "CONSTR_FOREIGN"))
				continue;
			char *ref = tree_rangevar_name(tree_path(con, "pktable", NULL));
			if (ref && schema_table(s, ref) && !table_names_equal(ref, self)) {
				free(*on);
				*on = ref;
				lock = LOCK_SHARE_ROW_EXCLUSIVE;
			} else
				free(ref);
		}
	}
	free(self);
	if (lock == LOCK_NONE) {
		free(*on);
		*on = NULL;
	}
	return lock;
}

void assess_statement(struct stmt *st, const struct schema *s, int pg)
{
	const char *k = st->kind;
	const cJSON *b = tree_body(st->tree);
	st->lock = LOCK_NONE;
	st->rewrite = st->scan = false;
	if (!k)
		return;
	free(st->table);
	st->table = NULL;

	if (!strcmp(k, "AlterTableStmt")) {
		struct alter_facts f = { LOCK_NONE, false, false };
		const cJSON *cmd;
		st->table = tree_rangevar_name(tree_path(b, "relation", NULL));
		cJSON_ArrayForEach(cmd, tree_path(b, "cmds", NULL))
			assess_alter_cmd(&f, tree_as(cmd, "AlterTableCmd"), st->table, s, pg);
		st->lock = f.lock;
		st->rewrite = f.rewrite;
		st->scan = f.scan || f.rewrite;
	} else if (!strcmp(k, "IndexStmt")) {
		st->table = tree_rangevar_name(tree_path(b, "relation", NULL));
		st->lock = tree_bool(b, "concurrent") ? LOCK_SHARE_UPDATE_EXCLUSIVE : LOCK_SHARE;
		st->scan = true;
	} else if (!strcmp(k, "CreateStmt") || !strcmp(k, "CreateTableAsStmt") || !strcmp(k, "ViewStmt")) {
		const cJSON *rel = tree_path(b, !strcmp(k, "CreateTableAsStmt") ? "into" : "relation", NULL);
		if (!strcmp(k, "CreateTableAsStmt"))
			rel = tree_path(rel, "rel", NULL);
		if (!strcmp(k, "ViewStmt"))
			rel = tree_path(b, "view", NULL);
		st->table = tree_rangevar_name(rel);
		if (!strcmp(k, "CreateStmt")) {
			char *on;
			st->lock = create_table_lock(b, s, &on);
			free(on);
		} else if (!strcmp(k, "ViewStmt") && tree_bool(b, "replace"))
			st->lock = LOCK_ACCESS_EXCLUSIVE; /* CREATE OR REPLACE: on the view, if it exists */
		else
			st->lock = LOCK_NONE; /* nobody else sees the new relation before commit */
	} else if (!strcmp(k, "DropStmt")) {
		const char *t = nonnull(tree_str(tree_path(b, "removeType", NULL)));
		st->table = drop_object_name(b);
		if (!strcmp(t, "OBJECT_INDEX"))
			st->lock = tree_bool(b, "concurrent") ? LOCK_SHARE_UPDATE_EXCLUSIVE
							      : LOCK_ACCESS_EXCLUSIVE;
		else if (!strcmp(t, "OBJECT_TABLE") || !strcmp(t, "OBJECT_VIEW") ||
			 !strcmp(t, "OBJECT_MATVIEW") || !strcmp(t, "OBJECT_SEQUENCE") ||
			 !strcmp(t, "OBJECT_TRIGGER") || !strcmp(t, "OBJECT_POLICY") ||
			 !strcmp(t, "OBJECT_RULE"))
			st->lock = LOCK_ACCESS_EXCLUSIVE;
	} else if (!strcmp(k, "RenameStmt")) {
		const char *t = nonnull(tree_str(tree_path(b, "renameType", NULL)));
		st->table = tree_rangevar_name(tree_path(b, "relation", NULL));
		/* Renaming an index takes SHARE UPDATE EXCLUSIVE since PostgreSQL 12. */
		st->lock = !strcmp(t, "OBJECT_INDEX") && pg >= 12 ? LOCK_SHARE_UPDATE_EXCLUSIVE
								  : LOCK_ACCESS_EXCLUSIVE;
		if (!st->table)
			st->lock = LOCK_NONE;
	} else if (!strcmp(k, "TruncateStmt")) {
		st->table = first_relation(tree_path(b, "relations", NULL));
		st->lock = LOCK_ACCESS_EXCLUSIVE;
	} else if (!strcmp(k, "UpdateStmt") || !strcmp(k, "DeleteStmt") || !strcmp(k, "InsertStmt") ||
		   !strcmp(k, "MergeStmt")) {
		st->table = tree_rangevar_name(tree_path(b, "relation", NULL));
		st->lock = LOCK_ROW_EXCLUSIVE;
		st->scan = strcmp(k, "InsertStmt") && !tree_path(b, "whereClause", NULL);
	} else if (!strcmp(k, "CopyStmt")) {
		/* COPY FROM writes rows (ROW EXCLUSIVE), COPY TO reads them */
		st->table = tree_rangevar_name(tree_path(b, "relation", NULL));
		st->lock = !st->table ? LOCK_NONE : tree_bool(b, "is_from") ? LOCK_ROW_EXCLUSIVE
									    : LOCK_ACCESS_SHARE;
	} else if (!strcmp(k, "SelectStmt")) {
		/* FOR UPDATE / FOR SHARE and friends lock rows: ROW SHARE on the table. */
		if (tree_path(b, "lockingClause", NULL)) {
			st->table = first_relation(tree_path(b, "fromClause", NULL));
			st->lock = LOCK_ROW_SHARE;
		} else {
			st->lock = LOCK_ACCESS_SHARE;
		}
	} else if (!strcmp(k, "RuleStmt")) {
		/* DefineQueryRewrite() opens the relation with AccessExclusiveLock. */
		st->table = tree_rangevar_name(tree_path(b, "relation", NULL));
		st->lock = LOCK_ACCESS_EXCLUSIVE;
	} else if (!strcmp(k, "CreateStatsStmt")) {
		st->table = first_relation(tree_path(b, "relations", NULL));
		st->lock = LOCK_SHARE_UPDATE_EXCLUSIVE;
	} else if (!strcmp(k, "VacuumStmt")) {
		bool full = tree_option(tree_path(b, "options", NULL), "full") != NULL;
		const cJSON *rel = tree_path(cJSON_GetArrayItem(tree_path(b, "rels", NULL), 0),
					     "VacuumRelation", "relation", NULL);
		st->table = tree_rangevar_name(rel);
		st->lock = full ? LOCK_ACCESS_EXCLUSIVE : LOCK_SHARE_UPDATE_EXCLUSIVE;
		st->rewrite = full;
		st->scan = true;
	} else if (!strcmp(k, "ClusterStmt")) {
		st->table = tree_rangevar_name(tree_path(b, "relation", NULL));
		st->lock = LOCK_ACCESS_EXCLUSIVE;
		st->rewrite = st->scan = true;
	} else if (!strcmp(k, "ReindexStmt")) {
		bool conc = tree_option(tree_path(b, "params", NULL), "concurrently") != NULL;
		st->table = tree_rangevar_name(tree_path(b, "relation", NULL));
		/*
		 * The table gets SHARE, each index being rebuilt ACCESS EXCLUSIVE;
		 * REINDEX INDEX names the index, so that is its lock. (The planner
		 * locks every index of a table it plans for, so reads queue either
		 * way: the rule says so.)
		 */
		if (conc)
			st->lock = LOCK_SHARE_UPDATE_EXCLUSIVE;
		else if (!strcmp(nonnull(tree_str(tree_path(b, "kind", NULL))), "REINDEX_OBJECT_INDEX"))
			st->lock = LOCK_ACCESS_EXCLUSIVE;
		else
			st->lock = LOCK_SHARE;
		st->scan = true;
	} else if (!strcmp(k, "CreateTrigStmt")) {
		st->table = tree_rangevar_name(tree_path(b, "relation", NULL));
		st->lock = LOCK_SHARE_ROW_EXCLUSIVE;
	} else if (!strcmp(k, "CreatePolicyStmt") || !strcmp(k, "AlterPolicyStmt")) {
		st->table = tree_rangevar_name(tree_path(b, "table", NULL));
		st->lock = LOCK_ACCESS_EXCLUSIVE;
	} else if (!strcmp(k, "CommentStmt")) {
		st->lock = LOCK_SHARE_UPDATE_EXCLUSIVE;
	} else if (!strcmp(k, "AlterSeqStmt")) {
		/* PostgreSQL 10+: SHARE ROW EXCLUSIVE on the sequence (OWNED BY also
		 * takes ACCESS SHARE on the owning table, which blocks nobody) */
		st->table = tree_rangevar_name(tree_path(b, "sequence", NULL));
		st->lock = LOCK_SHARE_ROW_EXCLUSIVE;
	} else if (!strcmp(k, "RefreshMatViewStmt")) {
		st->table = tree_rangevar_name(tree_path(b, "relation", NULL));
		st->lock = tree_bool(b, "concurrent") ? LOCK_EXCLUSIVE : LOCK_ACCESS_EXCLUSIVE;
		st->scan = true;
	} else if (!strcmp(k, "LockStmt")) {
		int mode = tree_int(b, "mode");
		st->table = first_relation(tree_path(b, "relations", NULL));
		st->lock = mode >= 1 && mode <= 8 ? (enum lock_mode)mode : lock_stmt_mode(NULL);
	}
}
