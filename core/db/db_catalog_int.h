/*
 * db_catalog_int.h - a database's schema as a set of catalogue objects, and
 * the difference between two of them.
 *
 * Both the shadow round trip ("is the schema after down the schema before
 * up?") and drift ("does the live database have the schema the history
 * builds?") compare structure, not text: each object is a (kind, name,
 * definition) triple read from the catalogues, the definition rendered by
 * the server itself (format_type, pg_get_indexdef, pg_get_constraintdef,
 * pg_get_expr ...) so that formatting, column order and comments do not
 * count. The migration frameworks' own tables are left out.
 */
#ifndef SLUICE_DB_CATALOG_INT_H
#define SLUICE_DB_CATALOG_INT_H

#include <stddef.h>

struct db;

struct catalog_item {
	char *kind;          /* "table", "column", "index", "constraint", "sequence",
				"function", "trigger", "type", "extension", "schema" */
	char *name;          /* e.g. "users.email"; schema-qualified outside public */
	char *def;           /* the server's rendering, compared as is */
};

struct catalog {
	struct catalog_item *v;   /* sorted by kind, then name */
	size_t nr, alloc;
};

void catalog_init(struct catalog *c);
void catalog_release(struct catalog *c);
/* Reads every user object; 0, or -1 with the message in db->err. */
int catalog_read(struct db *db, struct catalog *c);

/*
 * Calls fn once per difference: a only (b NULL), b only (a NULL), or both
 * with different definitions. Objects that belong to a table present on
 * one side only (its columns, constraints, triggers) are folded into the
 * table's own difference. Returns the number of differences.
 */
typedef void (*catalog_diff_fn)(const struct catalog_item *a, const struct catalog_item *b,
				void *data);
size_t catalog_diff(const struct catalog *a, const struct catalog *b, catalog_diff_fn fn, void *data);

#endif
