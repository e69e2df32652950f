/*
 * schema.c - replaying DDL into the schema model.
 *
 * Only what rules need is modelled: tables and their columns (type, NOT
 * NULL, default), indexes, constraints, and the names of functions,
 * triggers and types. Statements the model does not understand leave it
 * unchanged; a model that is slightly behind only makes rules more
 * cautious ("verify"), never wrong in the unsafe direction.
 */
#include "schema.h"
#include "schema_lookup.h"
#include "tree.h"

#include <stdlib.h>
#include <string.h>

void schema_init(struct schema *s)
{
	memset(s, 0, sizeof(*s));
	s->lookup = lookup_new();
}

static void table_release(struct table_def *t)
{
	for (size_t i = 0; i < t->nr_cols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].type);
	}
	free(t->cols);
	free(t->name);
	free(t->created_by);
	lookup_columns_changed(t);
}

static void index_release(struct index_def *ix)
{
	free(ix->name);
	free(ix->table);
	strlist_clear(&ix->columns);
}

static void constraint_release(struct constraint_def *c)
{
	free(c->name);
	free(c->table);
	free(c->ref_table);
	free(c->check_not_null_col);
	strlist_clear(&c->columns);
	strlist_clear(&c->ref_columns);
}

void schema_release(struct schema *s)
{
	for (size_t i = 0; i < s->nr_tables; i++)
		table_release(&s->tables[i]);
	free(s->tables);
	for (size_t i = 0; i < s->nr_indexes; i++)
		index_release(&s->indexes[i]);
	free(s->indexes);
	for (size_t i = 0; i < s->nr_cons; i++)
		constraint_release(&s->cons[i]);
	free(s->cons);
	strlist_clear(&s->functions);
	strlist_clear(&s->volatile_functions);
	strlist_clear(&s->triggers);
	strlist_clear(&s->types);
	strlist_clear(&s->publications);
	lookup_free(s->lookup);
	memset(s, 0, sizeof(*s));
}

const char *table_key(const char *name)
{
	return name && starts_with(name, "public.") ? name + 7 : name;
}

bool table_names_equal(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	a = table_key(a);
	b = table_key(b);
	return !strcmp(a, b);
}

struct table_def *schema_table(const struct schema *s, const char *name)
{
	if (!name)
		return NULL;
	name = table_key(name);
	if (s->lookup)
		return lookup_find(s, name);
	for (size_t i = 0; i < s->nr_tables; i++)
		if (!strcmp(s->tables[i].name, name))
			return &s->tables[i];
	return NULL;
}

struct column *table_column(const struct table_def *t, const char *col)
{
	if (!t || !col)
		return NULL;
	return lookup_column(t, col);
}

/* The first index called exactly `name` (no "public." stripping), or NULL. */
static struct index_def *index_named(const struct schema *s, const char *name)
{
	if (s->lookup) {
		long i = lookup_index_named(s, name);
		return i < 0 ? NULL : &s->indexes[i];
	}
	for (size_t i = 0; i < s->nr_indexes; i++)
		if (s->indexes[i].name && !strcmp(s->indexes[i].name, name))
			return &s->indexes[i];
	return NULL;
}

struct index_def *schema_index(const struct schema *s, const char *name)
{
	return name ? index_named(s, table_key(name)) : NULL;
}

/*
 * The next position *it reaches among `n` candidates: the lookup's
 * positions when there are any (`pos`), or every position (a schema
 * without a lookup). Callers still compare the table, which keeps the
 * fallback right.
 */
static bool next_position(const size_t *pos, size_t n, size_t *it, size_t *out)
{
	if (*it >= n)
		return false;
	*out = pos ? pos[*it] : *it;
	(*it)++;
	return true;
}

struct index_def *schema_next_index(const struct schema *s, const char *table, size_t *it)
{
	size_t n = s->nr_indexes, i;
	const size_t *pos = NULL;
	table = table_key(table);
	if (!table)
		return NULL;
	if (s->lookup)
		pos = lookup_indexes_of(s, table, &n);
	while (next_position(pos, n, it, &i))
		if (!strcmp(s->indexes[i].table, table))
			return &s->indexes[i];
	return NULL;
}

struct constraint_def *schema_next_constraint(const struct schema *s, const char *table, size_t *it)
{
	size_t n = s->nr_cons, i;
	const size_t *pos = NULL;
	table = table_key(table);
	if (!table)
		return NULL;
	if (s->lookup)
		pos = lookup_constraints_of(s, table, &n);
	while (next_position(pos, n, it, &i))
		if (!strcmp(s->cons[i].table, table))
			return &s->cons[i];
	return NULL;
}

static bool cols_prefix(const struct strlist *have, const struct strlist *want)
{
	if (have->nr < want->nr)
		return false;
	for (size_t i = 0; i < want->nr; i++)
		if (strcmp(have->items[i], want->items[i]))
			return false;
	return true;
}

bool schema_has_index_prefix(const struct schema *s, const char *table, const struct strlist *cols)
{
	const struct index_def *ix;
	for (size_t it = 0; (ix = schema_next_index(s, table, &it));)
		if (cols_prefix(&ix->columns, cols))
			return true;
	return false;
}

/* Are the first want->nr columns of `have` the columns of `want`, in any order? */
static bool cols_cover(const struct strlist *have, const struct strlist *want)
{
	if (have->nr < want->nr || !want->nr)
		return false;
	for (size_t i = 0; i < want->nr; i++) {
		bool found = false;
		for (size_t j = 0; j < want->nr && !found; j++)
			found = !strcmp(have->items[j], want->items[i]);
		if (!found)
			return false;
	}
	return true;
}

bool schema_has_index_covering(const struct schema *s, const char *table, const struct strlist *cols)
{
	const struct index_def *ix;
	for (size_t it = 0; (ix = schema_next_index(s, table, &it));)
		if (cols_cover(&ix->columns, cols))
			return true;
	return false;
}

bool schema_has_primary_key(const struct schema *s, const char *table)
{
	const struct index_def *ix;
	for (size_t it = 0; (ix = schema_next_index(s, table, &it));)
		if (ix->primary)
			return true;
	return false;
}

bool schema_has_notnull_check(const struct schema *s, const char *table, const char *col)
{
	const struct constraint_def *c;
	for (size_t it = 0; (c = schema_next_constraint(s, table, &it));)
		if (c->type == CON_CHECK && c->validated && c->check_not_null_col &&
		    !strcmp(c->check_not_null_col, col))
			return true;
	return false;
}

void schema_begin_migration(struct schema *s, const char *id)
{
	s->generation++;
	s->current_id = id;
	s->session_utc = false;     /* a tool may open a new session per migration */
	s->branch_new = false;
}

void schema_begin_part(struct schema *s, const char *id)
{
	s->current_id = id;
	s->session_utc = false;
	s->branch_new = false;
}

bool schema_table_is_new(const struct schema *s, const char *table)
{
	const struct table_def *t = schema_table(s, table);
	return t && ((t->created_gen == s->generation && s->generation > 0) ||
		     (t->branch_new && !t->copied));
}

bool schema_table_seeded(const struct schema *s, const char *table)
{
	const struct table_def *t = schema_table(s, table);
	return t && t->seeded > 0;
}

/*
 * INSERT ... VALUES adds rows the history can count; INSERT ... SELECT and
 * COPY FROM add rows nobody can, so the table is no longer a seeded one.
 * (Writers outside the history, the application's, are unknown here: a
 * lookup table is what its creating migration filled with VALUES.)
 */
static void apply_insert(struct schema *s, const cJSON *b, bool copy)
{
	char *n = tree_rangevar_name(tree_path(b, "relation", NULL));
	struct table_def *t = n ? schema_table(s, n) : NULL;
	const cJSON *values = tree_path(b, "selectStmt", "SelectStmt", "valuesLists", NULL);
	free(n);
	if (!t || (copy && !tree_bool(b, "is_from")))
		return; /* COPY TO reads */
	if (copy || !values)
		t->copied = true;
	if (t->seeded < 0)
		return;
	/*
	 * A table that makes a key or a timestamp for each row (serial, identity,
	 * DEFAULT now()) is built for rows inserted at run time: a few seed rows
	 * (the first admin) do not make it a lookup table. A catalogue spells its
	 * keys out in the migration.
	 */
	for (size_t i = 0; i < t->nr_cols; i++)
		if (t->cols[i].row_default) {
			t->seeded = -1;
			return;
		}
	/*
	 * Rows added to a table that already existed before this migration join
	 * rows nobody counted (the application's): only a table seeded by the
	 * migration that created it is a lookup table.
	 */
	if (copy || !values || (!t->seeded && t->created_gen != s->generation))
		t->seeded = -1;
	else
		t->seeded += cJSON_GetArraySize(values);
}

static bool type_is_serial(const char *type)
{
	static const char *const serials[] = {
		"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8",
	};
	for (size_t i = 0; i < ARRAY_SIZE(serials); i++)
		if (!strcmp(type, serials[i]))
			return true;
	return false;
}

static bool is_null_const(const cJSON *expr)
{
	return tree_bool(tree_as(expr, "A_Const"), "isnull");
}

void coldef_facts_read(const cJSON *cd, struct coldef_facts *f)
{
	const cJSON *node;
	memset(f, 0, sizeof(*f));
	f->name = tree_str(tree_path(cd, "colname", NULL));
	f->type = tree_type_name(tree_path(cd, "typeName", NULL));
	f->serial = type_is_serial(f->type);
	cJSON_ArrayForEach(node, tree_path(cd, "constraints", NULL)) {
		const cJSON *c = tree_as(node, "Constraint");
		const char *t = nonnull(tree_str(tree_path(c, "contype", NULL)));
		if (!strcmp(t, "CONSTR_NOTNULL"))
			f->not_null = true;
		else if (!strcmp(t, "CONSTR_PRIMARY"))
			f->primary = f->not_null = true;
		else if (!strcmp(t, "CONSTR_UNIQUE"))
			f->unique = true;
		else if (!strcmp(t, "CONSTR_IDENTITY"))
			f->identity = true;
		else if (!strcmp(t, "CONSTR_GENERATED"))
			f->generated = true;
		else if (!strcmp(t, "CONSTR_FOREIGN"))
			f->fk = c;
		else if (!strcmp(t, "CONSTR_CHECK"))
			f->check = c;
		else if (!strcmp(t, "CONSTR_DEFAULT")) {
			const cJSON *e = tree_path(c, "raw_expr", NULL);
			f->default_expr = is_null_const(e) ? NULL : e;
		}
	}
}

void coldef_facts_release(struct coldef_facts *f)
{
	free(f->type);
	f->type = NULL;
}

bool coldef_fills_rows(const struct coldef_facts *f)
{
	return f->default_expr || f->serial || f->identity || f->generated;
}

void schema_set_stats(struct schema *s, const char *table, long long rows, long long bytes)
{
	struct table_def *t = schema_table(s, table);
	if (!t) {
		ALLOC_GROW(s->tables, s->nr_tables + 1, s->alloc_tables);
		t = &s->tables[s->nr_tables++];
		memset(t, 0, sizeof(*t));
		t->name = xstrdup(table_key(table));
		t->created_gen = -1;
		t->writes_per_s = -1;
		lookup_note(s, t->name, s->nr_tables - 1);
	}
	t->rows = rows;
	t->bytes = bytes;
}

void schema_set_write_rate(struct schema *s, const char *table, double writes_per_s)
{
	struct table_def *t = schema_table(s, table);
	if (t)
		t->writes_per_s = writes_per_s;
}

static struct table_def *add_table(struct schema *s, const char *name)
{
	struct table_def *t = schema_table(s, name);
	if (t) {
		/* CREATE TABLE IF NOT EXISTS, or stats came first. */
		if (t->created_gen == -1)
			t->created_gen = 0;
		return t;
	}
	ALLOC_GROW(s->tables, s->nr_tables + 1, s->alloc_tables);
	t = &s->tables[s->nr_tables++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(table_key(name));
	t->created_by = s->current_id ? xstrdup(s->current_id) : NULL;
	t->created_gen = s->generation;
	t->branch_new = s->branch_new;
	t->rows = t->bytes = -1;
	t->writes_per_s = -1;
	lookup_note(s, t->name, s->nr_tables - 1);
	return t;
}

/* Removes s->indexes[i], moving the last one into its place. */
static void remove_index(struct schema *s, size_t i)
{
	lookup_index_removing(s, i);
	index_release(&s->indexes[i]);
	s->indexes[i] = s->indexes[--s->nr_indexes];
	if (i < s->nr_indexes)
		lookup_index_moved(s, s->nr_indexes, i);
}

/* The same for s->cons[i]. */
static void remove_constraint(struct schema *s, size_t i)
{
	lookup_constraint_removing(s, i);
	constraint_release(&s->cons[i]);
	s->cons[i] = s->cons[--s->nr_cons];
	if (i < s->nr_cons)
		lookup_constraint_moved(s, s->nr_cons, i);
}

static void drop_table(struct schema *s, const char *name)
{
	struct table_def *t = schema_table(s, name);
	if (!t)
		return;
	char *tname = xstrdup(t->name);
	table_release(t);
	*t = s->tables[--s->nr_tables];
	if (t < s->tables + s->nr_tables)
		lookup_note(s, t->name, (size_t)(t - s->tables));
	for (size_t i = 0; i < s->nr_indexes;) {
		if (!strcmp(s->indexes[i].table, tname))
			remove_index(s, i);
		else
			i++;
	}
	for (size_t i = 0; i < s->nr_cons;) {
		if (!strcmp(s->cons[i].table, tname))
			remove_constraint(s, i);
		else
			i++;
	}
	free(tname);
}

static struct column *add_column(struct table_def *t, const char *name)
{
	struct column *c = table_column(t, name);
	if (c)
		return c;
	ALLOC_GROW(t->cols, t->nr_cols + 1, t->alloc_cols);
	c = &t->cols[t->nr_cols++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	lookup_column_added(t);
	return c;
}

static void drop_column(struct table_def *t, const char *name)
{
	for (size_t i = 0; i < t->nr_cols; i++) {
		if (!strcmp(t->cols[i].name, name)) {
			free(t->cols[i].name);
			free(t->cols[i].type);
			memmove(&t->cols[i], &t->cols[i + 1], (t->nr_cols - i - 1) * sizeof(*t->cols));
			t->nr_cols--;
			lookup_columns_changed(t);
			return;
		}
	}
}

static void names_to_list(const cJSON *names, struct strlist *out)
{
	const cJSON *n;
	cJSON_ArrayForEach(n, names) {
		const char *s = tree_str(n);
		if (!s) {
			/* IndexElem */
			const cJSON *ie = tree_as(n, "IndexElem");
			s = tree_str(tree_path(ie, "name", NULL));
		}
		strlist_add(out, s ? s : "?");
	}
}

/* CHECK (col IS NOT NULL) -> "col" */
static char *notnull_check_column(const cJSON *expr)
{
	const cJSON *nt = tree_as(expr, "NullTest");
	if (!nt || strcmp(nonnull(tree_str(tree_path(nt, "nulltesttype", NULL))), "IS_NOT_NULL"))
		return NULL;
	const cJSON *cr = tree_as(tree_path(nt, "arg", NULL), "ColumnRef");
	const cJSON *fields = tree_path(cr, "fields", NULL);
	int n = cJSON_GetArraySize(fields);
	const char *c = n ? tree_str(cJSON_GetArrayItem(fields, n - 1)) : NULL;
	return c ? xstrdup(c) : NULL;
}

/* A DEFAULT that gives each row its own value (now(), nextval(), gen_random_uuid()). */
static bool default_per_row(const cJSON *expr)
{
	const cJSON *cast = tree_path(expr, "TypeCast", "arg", NULL);
	return expr && !tree_as(expr, "A_Const") && !tree_as(cast, "A_Const");
}

static void add_constraint(struct schema *s, const char *table, const char *column, const cJSON *con)
{
	const char *ct = tree_str(tree_path(con, "contype", NULL));
	if (!ct)
		return;
	struct table_def *t = schema_table(s, table);
	if (!strcmp(ct, "CONSTR_NOTNULL")) {
		struct column *c = table_column(t, column);
		if (c)
			c->not_null = true;
		return;
	}
	if (!strcmp(ct, "CONSTR_DEFAULT") || !strcmp(ct, "CONSTR_IDENTITY")) {
		struct column *c = table_column(t, column);
		if (c) {
			c->has_default = true;
			c->row_default = ct[7] == 'I' || default_per_row(tree_path(con, "raw_expr", NULL));
		}
		return;
	}
	enum constraint_type type;
	if (!strcmp(ct, "CONSTR_PRIMARY"))
		type = CON_PRIMARY;
	else if (!strcmp(ct, "CONSTR_UNIQUE"))
		type = CON_UNIQUE;
	else if (!strcmp(ct, "CONSTR_FOREIGN"))
		type = CON_FOREIGN;
	else if (!strcmp(ct, "CONSTR_CHECK"))
		type = CON_CHECK;
	else if (!strcmp(ct, "CONSTR_EXCLUSION"))
		type = CON_EXCLUDE;
	else
		return;
	ALLOC_GROW(s->cons, s->nr_cons + 1, s->alloc_cons);
	struct constraint_def *c = &s->cons[s->nr_cons++];
	memset(c, 0, sizeof(*c));
	const char *name = tree_str(tree_path(con, "conname", NULL));
	c->name = name ? xstrdup(name) : NULL;
	c->table = xstrdup(table_key(table));
	c->type = type;
	c->validated = !tree_bool(con, "skip_validation");
	if (column)
		strlist_add(&c->columns, column);
	else
		names_to_list(tree_path(con, type == CON_FOREIGN ? "fk_attrs" : "keys", NULL), &c->columns);
	if (type == CON_FOREIGN) {
		c->ref_table = tree_rangevar_name(tree_path(con, "pktable", NULL));
		names_to_list(tree_path(con, "pk_attrs", NULL), &c->ref_columns);
	}
	if (type == CON_CHECK)
		c->check_not_null_col = notnull_check_column(tree_path(con, "raw_expr", NULL));
	lookup_constraint_added(s, s->nr_cons - 1);
	if (type == CON_PRIMARY || type == CON_UNIQUE) {
		/* Both are backed by an index; model it so FK-index checks see it. */
		ALLOC_GROW(s->indexes, s->nr_indexes + 1, s->alloc_indexes);
		struct index_def *ix = &s->indexes[s->nr_indexes++];
		memset(ix, 0, sizeof(*ix));
		ix->name = name ? xstrdup(name) : NULL;
		ix->table = xstrdup(c->table);
		for (size_t i = 0; i < c->columns.nr; i++)
			strlist_add(&ix->columns, c->columns.items[i]);
		ix->unique = true;
		ix->primary = type == CON_PRIMARY;
		lookup_index_added(s, s->nr_indexes - 1);
		if (type == CON_PRIMARY)
			for (size_t i = 0; i < c->columns.nr; i++) {
				struct column *col = table_column(t, c->columns.items[i]);
				if (col)
					col->not_null = true;
			}
	}
}

static void apply_column_def(struct schema *s, struct table_def *t, const cJSON *cd)
{
	const char *name = tree_str(tree_path(cd, "colname", NULL));
	if (!name)
		return;
	struct column *c = add_column(t, name);
	free(c->type);
	c->type = tree_type_name(tree_path(cd, "typeName", NULL));
	if (type_is_serial(c->type))
		c->has_default = c->row_default = true;
	const cJSON *con;
	cJSON_ArrayForEach(con, tree_path(cd, "constraints", NULL))
		add_constraint(s, t->name, name, tree_body(con));
}

static void apply_create(struct schema *s, const cJSON *b)
{
	char *name = tree_rangevar_name(tree_path(b, "relation", NULL));
	if (!name)
		return;
	struct table_def *t = add_table(s, name);
	const cJSON *elt;
	cJSON_ArrayForEach(elt, tree_path(b, "tableElts", NULL)) {
		const cJSON *cd = tree_as(elt, "ColumnDef");
		const cJSON *con = tree_as(elt, "Constraint");
		if (cd)
			apply_column_def(s, t, cd);
		else if (con)
			add_constraint(s, name, NULL, con);
	}
	free(name);
}

/* Drops the first constraint of that name on the table, and the first index of that name. */
static void drop_constraint(struct schema *s, const char *table, const char *name)
{
	const struct constraint_def *c, *first = NULL;
	for (size_t it = 0; (c = schema_next_constraint(s, table, &it));)
		if (c->name && !strcmp(c->name, name) && (!first || c < first))
			first = c;
	if (first)
		remove_constraint(s, (size_t)(first - s->cons));
	const struct index_def *ix = index_named(s, name);
	if (ix)
		remove_index(s, (size_t)(ix - s->indexes));
}

static void apply_alter(struct schema *s, const cJSON *b)
{
	char *name = tree_rangevar_name(tree_path(b, "relation", NULL));
	struct table_def *t = schema_table(s, name);
	const cJSON *cmdn;
	cJSON_ArrayForEach(cmdn, tree_path(b, "cmds", NULL)) {
		const cJSON *cmd = tree_as(cmdn, "AlterTableCmd");
		const char *sub = tree_str(tree_path(cmd, "subtype", NULL));
		const char *col = tree_str(tree_path(cmd, "name", NULL));
		const cJSON *def = tree_path(cmd, "def", NULL);
		if (!sub || !name)
			continue;
		if (!t && strcmp(sub, "AT_AddConstraint"))
			continue;
		if (!strcmp(sub, "AT_AddColumn")) {
			const cJSON *cd = tree_as(def, "ColumnDef");
			if (cd)
				apply_column_def(s, t, cd);
		} else if (!strcmp(sub, "AT_DropColumn") && col) {
			drop_column(t, col);
		} else if (!strcmp(sub, "AT_AlterColumnType") && col) {
			struct column *c = table_column(t, col);
			const cJSON *cd = tree_as(def, "ColumnDef");
			if (c && cd) {
				free(c->type);
				c->type = tree_type_name(tree_path(cd, "typeName", NULL));
			}
		} else if (!strcmp(sub, "AT_SetNotNull") || !strcmp(sub, "AT_DropNotNull")) {
			struct column *c = table_column(t, col);
			if (c)
				c->not_null = !strcmp(sub, "AT_SetNotNull");
		} else if (!strcmp(sub, "AT_ColumnDefault")) {
			struct column *c = table_column(t, col);
			if (c) {
				c->has_default = def != NULL;
				c->row_default = default_per_row(def);
			}
		} else if (!strcmp(sub, "AT_AddConstraint")) {
			const cJSON *con = tree_as(def, "Constraint");
			if (con)
				add_constraint(s, name, NULL, con);
		} else if (!strcmp(sub, "AT_DropConstraint") && col) {
			drop_constraint(s, name, col);
		} else if (!strcmp(sub, "AT_ValidateConstraint") && col) {
			for (size_t i = 0; i < s->nr_cons; i++)
				if (s->cons[i].name && !strcmp(s->cons[i].name, col))
					s->cons[i].validated = true;
		}
	}
	free(name);
}

static void apply_index(struct schema *s, const cJSON *b)
{
	char *table = tree_rangevar_name(tree_path(b, "relation", NULL));
	if (!table)
		return;
	ALLOC_GROW(s->indexes, s->nr_indexes + 1, s->alloc_indexes);
	struct index_def *ix = &s->indexes[s->nr_indexes++];
	memset(ix, 0, sizeof(*ix));
	const char *name = tree_str(tree_path(b, "idxname", NULL));
	ix->name = name ? xstrdup(name) : NULL;
	ix->table = xstrdup(table_key(table));
	ix->unique = tree_bool(b, "unique");
	ix->primary = tree_bool(b, "primary");
	names_to_list(tree_path(b, "indexParams", NULL), &ix->columns);
	lookup_index_added(s, s->nr_indexes - 1);
	free(table);
}

static void apply_drop(struct schema *s, const cJSON *b)
{
	const char *type = tree_str(tree_path(b, "removeType", NULL));
	const cJSON *obj;
	if (!type)
		return;
	cJSON_ArrayForEach(obj, tree_path(b, "objects", NULL)) {
		const cJSON *list = tree_path(obj, "List", "items", NULL);
		char *name = list ? tree_name_list(list) : xstrdup(nonnull(tree_str(obj)));
		if (!strcmp(type, "OBJECT_TABLE"))
			drop_table(s, name);
		else if (!strcmp(type, "OBJECT_INDEX")) {
			struct index_def *ix = schema_index(s, name);
			if (ix)
				remove_index(s, (size_t)(ix - s->indexes));
		}
		free(name);
	}
}

static void apply_rename(struct schema *s, const cJSON *b)
{
	const char *type = tree_str(tree_path(b, "renameType", NULL));
	const char *newname = tree_str(tree_path(b, "newname", NULL));
	char *rel = tree_rangevar_name(tree_path(b, "relation", NULL));
	if (!type || !newname)
		goto out;
	if (!strcmp(type, "OBJECT_TABLE")) {
		struct table_def *t = schema_table(s, rel);
		if (t) {
			for (size_t i = 0; i < s->nr_indexes; i++)
				if (!strcmp(s->indexes[i].table, t->name)) {
					free(s->indexes[i].table);
					s->indexes[i].table = xstrdup(newname);
				}
			for (size_t i = 0; i < s->nr_cons; i++)
				if (!strcmp(s->cons[i].table, t->name)) {
					free(s->cons[i].table);
					s->cons[i].table = xstrdup(newname);
				}
			free(t->name);
			t->name = xstrdup(newname);
			lookup_note(s, t->name, (size_t)(t - s->tables));
			lookup_reindex(s);
		}
	} else if (!strcmp(type, "OBJECT_COLUMN")) {
		struct column *c = table_column(schema_table(s, rel), tree_str(tree_path(b, "subname", NULL)));
		if (c) {
			free(c->name);
			c->name = xstrdup(newname);
			lookup_columns_changed(schema_table(s, rel));
		}
	} else if (!strcmp(type, "OBJECT_INDEX")) {
		struct index_def *ix = schema_index(s, rel);
		if (ix) {
			char *old = ix->name;
			ix->name = xstrdup(newname);
			lookup_index_renamed(s, (size_t)(ix - s->indexes), old);
			free(old);
		}
	}
out:
	free(rel);
}

/* Functions are VOLATILE unless declared otherwise; ADD COLUMN cares. */
static void apply_function(struct schema *s, const cJSON *b)
{
	const cJSON *names = tree_path(b, "funcname", NULL);
	const char *last = tree_str(cJSON_GetArrayItem(names, cJSON_GetArraySize(names) - 1));
	const char *volatility = "volatile";
	char *n = tree_name_list(names);
	if (!strlist_has(&s->functions, n))
		strlist_add_nodup(&s->functions, n);
	else
		free(n);
	const cJSON *options = tree_path(b, "options", NULL);
	if (tree_option(options, "volatility"))
		volatility = nonnull(tree_option_str(options, "volatility"));
	if (!last)
		return;
	bool was = strlist_has(&s->volatile_functions, last);
	if (!strcmp(volatility, "volatile") && !was)
		strlist_add(&s->volatile_functions, last);
	else if (strcmp(volatility, "volatile") && was)
		for (size_t i = 0; i < s->volatile_functions.nr; i++)
			if (!strcmp(s->volatile_functions.items[i], last)) {
				free(s->volatile_functions.items[i]);
				s->volatile_functions.items[i] =
					s->volatile_functions.items[--s->volatile_functions.nr];
				break;
			}
}

/* SET [LOCAL] TIME ZONE 'UTC': type changes between timestamp and
 * timestamptz skip the rewrite in that session (PostgreSQL 12+). */
static void apply_set(struct schema *s, const cJSON *b)
{
	static const char *const utc[] = { "utc", "etc/utc", "gmt", "etc/gmt", "zulu", "z", "uct" };
	const char *name = tree_str(tree_path(b, "name", NULL));
	const char *kind = nonnull(tree_str(tree_path(b, "kind", NULL)));
	if (!name || strcmp(name, "timezone"))
		return;
	s->session_utc = false;
	if (strcmp(kind, "VAR_SET_VALUE"))
		return;
	const char *v = tree_str(tree_path(cJSON_GetArrayItem(tree_path(b, "args", NULL), 0),
					   "A_Const", "sval", "sval", NULL));
	for (size_t i = 0; v && i < ARRAY_SIZE(utc); i++)
		if (!strcasecmp_ascii(v, utc[i]))
			s->session_utc = true;
}

void schema_apply(struct schema *s, const cJSON *node)
{
	const char *kind = tree_kind(node);
	const cJSON *b = tree_body(node);
	if (!kind)
		return;
	if (!strcmp(kind, "CreateStmt"))
		apply_create(s, b);
	else if (!strcmp(kind, "AlterTableStmt"))
		apply_alter(s, b);
	else if (!strcmp(kind, "IndexStmt"))
		apply_index(s, b);
	else if (!strcmp(kind, "DropStmt"))
		apply_drop(s, b);
	else if (!strcmp(kind, "RenameStmt"))
		apply_rename(s, b);
	else if (!strcmp(kind, "CreateFunctionStmt"))
		apply_function(s, b);
	else if (!strcmp(kind, "VariableSetStmt"))
		apply_set(s, b);
	else if (!strcmp(kind, "CreateTrigStmt")) {
		char *rel = tree_rangevar_name(tree_path(b, "relation", NULL));
		const char *tg = tree_str(tree_path(b, "trigname", NULL));
		strlist_add_nodup(&s->triggers, xstrfmt("%s on %s", tg ? tg : "?", rel ? rel : "?"));
		free(rel);
	} else if (!strcmp(kind, "CreateEnumStmt") || !strcmp(kind, "CompositeTypeStmt")) {
		const cJSON *names = tree_path(b, kind[6] == 'E' ? "typeName" : "typevar", NULL);
		char *n = kind[6] == 'E' ? tree_name_list(names) : tree_rangevar_name(names);
		if (n)
			strlist_add_nodup(&s->types, n);
	} else if (!strcmp(kind, "CreatePublicationStmt")) {
		strlist_add(&s->publications, nonnull(tree_str(tree_path(b, "pubname", NULL))));
	} else if (!strcmp(kind, "CreateTableAsStmt")) {
		char *n = tree_rangevar_name(tree_path(b, "into", "rel", NULL));
		if (n) {
			struct table_def *t = add_table(s, n);
			t->seeded = -1; /* filled by its query */
			t->copied = true;
			free(n);
		}
	} else if (!strcmp(kind, "InsertStmt") || !strcmp(kind, "CopyStmt"))
		apply_insert(s, b, kind[0] == 'C');
}
