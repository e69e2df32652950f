/*
 * shadow_trust.c - deciding from the parse tree what a shadow will not run
 * (see shadow_trust_int.h).
 *
 * Three tables: statement kinds refused outright or when one field has a
 * value (RenameStmt of a database, GRANT ON TABLESPACE, ...), functions
 * refused wherever they are called (lo_import, pg_read_file, dblink...),
 * and the languages trusted to run code. A few statements need a closer
 * look (COPY, SET, functions and DO blocks, CREATE EXTENSION, set_config)
 * and get a small function each. New entries go at the end of a table.
 */
#include "shadow_trust_int.h"
#include "tree.h"

#include <pg_query.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BEYOND(what) "it acts on " what ", beyond the scratch database"
#define OTHER_SERVER "it connects to another server"
#define SERVER_FILES "it reads or writes files on the database server"

/* A statement kind, refused when `field` (NULL: always) has `value`. */
static const struct {
	const char *kind, *field, *value, *why;
} refused_kinds[] = {
	{ "CreatedbStmt", NULL, NULL, BEYOND("a database") },
	{ "AlterDatabaseStmt", NULL, NULL, BEYOND("a database") },
	{ "AlterDatabaseSetStmt", NULL, NULL, BEYOND("a database") },
	{ "AlterDatabaseRefreshCollStmt", NULL, NULL, BEYOND("a database") },
	{ "DropdbStmt", NULL, NULL, BEYOND("a database") },
	{ "CreateRoleStmt", NULL, NULL, BEYOND("a role") },
	{ "AlterRoleStmt", NULL, NULL, BEYOND("a role") },
	{ "AlterRoleSetStmt", NULL, NULL, BEYOND("a role") },
	{ "DropRoleStmt", NULL, NULL, BEYOND("a role") },
	{ "GrantRoleStmt", NULL, NULL, BEYOND("a role's membership") },
	{ "ReassignOwnedStmt", NULL, NULL, BEYOND("everything a role owns") },
	{ "DropOwnedStmt", NULL, NULL, BEYOND("everything a role owns") },
	{ "CreateTableSpaceStmt", NULL, NULL, BEYOND("a tablespace") },
	{ "DropTableSpaceStmt", NULL, NULL, BEYOND("a tablespace") },
	{ "AlterTableSpaceOptionsStmt", NULL, NULL, BEYOND("a tablespace") },
	{ "AlterTableMoveAllStmt", NULL, NULL, BEYOND("a tablespace") },
	{ "AlterSystemStmt", NULL, NULL, BEYOND("the server's configuration (ALTER SYSTEM)") },
	{ "LoadStmt", NULL, NULL, "it loads a shared library into the server (LOAD)" },
	{ "CreatePLangStmt", NULL, NULL, "it installs a procedural language" },
	{ "CreateSubscriptionStmt", NULL, NULL, OTHER_SERVER " (a subscription)" },
	{ "AlterSubscriptionStmt", NULL, NULL, OTHER_SERVER " (a subscription)" },
	{ "DropSubscriptionStmt", NULL, NULL, OTHER_SERVER " (a subscription)" },
	{ "CreateFdwStmt", NULL, NULL, OTHER_SERVER " (a foreign-data wrapper)" },
	{ "AlterFdwStmt", NULL, NULL, OTHER_SERVER " (a foreign-data wrapper)" },
	{ "CreateForeignServerStmt", NULL, NULL, OTHER_SERVER " (a foreign server)" },
	{ "AlterForeignServerStmt", NULL, NULL, OTHER_SERVER " (a foreign server)" },
	{ "CreateUserMappingStmt", NULL, NULL, OTHER_SERVER " (a user mapping)" },
	{ "AlterUserMappingStmt", NULL, NULL, OTHER_SERVER " (a user mapping)" },
	{ "DropUserMappingStmt", NULL, NULL, OTHER_SERVER " (a user mapping)" },
	{ "ImportForeignSchemaStmt", NULL, NULL, OTHER_SERVER " (IMPORT FOREIGN SCHEMA)" },
	{ "CreateForeignTableStmt", NULL, NULL, OTHER_SERVER " (a foreign table)" },
	{ "RenameStmt", "renameType", "OBJECT_DATABASE", BEYOND("a database") },
	{ "RenameStmt", "renameType", "OBJECT_ROLE", BEYOND("a role") },
	{ "RenameStmt", "renameType", "OBJECT_TABLESPACE", BEYOND("a tablespace") },
	{ "RenameStmt", "renameType", "OBJECT_SUBSCRIPTION", OTHER_SERVER " (a subscription)" },
	{ "RenameStmt", "renameType", "OBJECT_FOREIGN_SERVER", OTHER_SERVER " (a foreign server)" },
	{ "AlterOwnerStmt", "objectType", "OBJECT_DATABASE", BEYOND("a database") },
	{ "AlterOwnerStmt", "objectType", "OBJECT_TABLESPACE", BEYOND("a tablespace") },
	{ "AlterOwnerStmt", "objectType", "OBJECT_SUBSCRIPTION", OTHER_SERVER " (a subscription)" },
	{ "AlterOwnerStmt", "objectType", "OBJECT_FOREIGN_SERVER", OTHER_SERVER " (a foreign server)" },
	{ "GrantStmt", "objtype", "OBJECT_DATABASE", BEYOND("a database") },
	{ "GrantStmt", "objtype", "OBJECT_TABLESPACE", BEYOND("a tablespace") },
	{ "GrantStmt", "objtype", "OBJECT_FOREIGN_SERVER", OTHER_SERVER " (a foreign server)" },
	{ "GrantStmt", "objtype", "OBJECT_FDW", OTHER_SERVER " (a foreign-data wrapper)" },
	{ "GrantStmt", "objtype", "OBJECT_PARAMETER_ACL", BEYOND("the server's configuration") },
	{ "CommentStmt", "objtype", "OBJECT_DATABASE", BEYOND("a database") },
	{ "CommentStmt", "objtype", "OBJECT_ROLE", BEYOND("a role") },
	{ "CommentStmt", "objtype", "OBJECT_TABLESPACE", BEYOND("a tablespace") },
	{ "SecLabelStmt", "objtype", "OBJECT_DATABASE", BEYOND("a database") },
	{ "SecLabelStmt", "objtype", "OBJECT_ROLE", BEYOND("a role") },
	{ "SecLabelStmt", "objtype", "OBJECT_TABLESPACE", BEYOND("a tablespace") },
	{ "DropStmt", "removeType", "OBJECT_FOREIGN_SERVER", OTHER_SERVER " (a foreign server)" },
	{ "DropStmt", "removeType", "OBJECT_FDW", OTHER_SERVER " (a foreign-data wrapper)" },
};

/* Functions refused wherever they are called; `prefix` matches the name's start. */
static const struct {
	const char *name;
	bool prefix;
	const char *why;
} refused_funcs[] = {
	{ "lo_import", false, SERVER_FILES " (lo_import)" },
	{ "lo_export", false, SERVER_FILES " (lo_export)" },
	{ "pg_read_file", false, SERVER_FILES " (pg_read_file)" },
	{ "pg_read_binary_file", false, SERVER_FILES " (pg_read_binary_file)" },
	{ "pg_stat_file", false, SERVER_FILES " (pg_stat_file)" },
	{ "pg_ls_", true, SERVER_FILES " (pg_ls_*)" },
	{ "pg_file_", true, SERVER_FILES " (pg_file_*)" },
	{ "pg_logdir_ls", false, SERVER_FILES " (pg_logdir_ls)" },
	{ "dblink", true, OTHER_SERVER " (dblink)" },
	{ "postgres_fdw_", true, OTHER_SERVER " (postgres_fdw)" },
	{ "pg_reload_conf", false, BEYOND("the server's configuration") },
	{ "pg_rotate_logfile", false, BEYOND("the server's log") },
	{ "pg_terminate_backend", false, BEYOND("other sessions") },
	{ "pg_cancel_backend", false, BEYOND("other sessions") },
	{ "pg_promote", false, BEYOND("the server") },
	{ "pg_switch_wal", false, BEYOND("the server") },
	{ "pg_create_physical_replication_slot", false, BEYOND("the server's replication slots") },
	{ "pg_create_logical_replication_slot", false, BEYOND("the server's replication slots") },
	{ "pg_drop_replication_slot", false, BEYOND("the server's replication slots") },
};

/* Languages that run code only inside the server's sandbox. */
static const char *const trusted_languages[] = {
	"sql", "plpgsql", "plperl", "pltcl", "plv8", "pllua", "plrust",
};

/* Extensions whose only purpose is to reach out (and that need a superuser anyway). */
static const char *const refused_extensions[] = {
	"dblink", "postgres_fdw", "file_fdw", "adminpack", "plpython3u", "plpythonu",
	"plpython2u", "plperlu", "pltclu", "plsh",
};

/* Settings that change who runs the statements, or how the server reads them. */
static const char *const refused_settings[] = {
	"role", "session_authorization", "standard_conforming_strings", "client_encoding",
};

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

static const char *by_kind(const char *kind, const cJSON *body)
{
	for (size_t i = 0; i < ARRAY_SIZE(refused_kinds); i++) {
		if (strcmp(refused_kinds[i].kind, kind))
			continue;
		if (!refused_kinds[i].field)
			return refused_kinds[i].why;
		const char *v = tree_str(tree_path(body, refused_kinds[i].field, NULL));
		if (v && !strcmp(v, refused_kinds[i].value))
			return refused_kinds[i].why;
	}
	return NULL;
}

static const char *copy_why(const cJSON *body)
{
	if (tree_bool(body, "is_program"))
		return "it runs a program on the database server (COPY ... PROGRAM)";
	if (tree_str(tree_path(body, "filename", NULL)))
		return SERVER_FILES " (COPY to or from a file)";
	if (tree_bool(body, "is_from"))
		return "COPY FROM STDIN: its rows are not sent to the shadow";
	return NULL;
}

/* The language a CREATE FUNCTION or DO names (NULL when it names none). */
static const char *language_of(const cJSON *options)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, options) {
		const cJSON *d = tree_as(o, "DefElem");
		const char *name = tree_str(tree_path(d, "defname", NULL));
		if (name && !strcmp(name, "language"))
			return tree_str(tree_path(d, "arg", "String", "sval", NULL));
	}
	return NULL;
}

static const char *language_why(const char *kind, const cJSON *body)
{
	const char *lang = NULL;
	if (!strcmp(kind, "CreateFunctionStmt"))
		lang = language_of(tree_path(body, "options", NULL));
	else if (!strcmp(kind, "DoStmt"))
		lang = language_of(tree_path(body, "args", NULL));
	else
		return NULL;
	if (!lang || in_list(trusted_languages, ARRAY_SIZE(trusted_languages), lang))
		return NULL;
	return "its code is in a language that is not trusted to stay inside the database "
	       "(e.g. C, plpython3u, plperlu)";
}

/* The setting a SET names, or set_config()'s first argument ("" when not a constant). */
static const char *setting_why(const char *name)
{
	if (!in_list(refused_settings, ARRAY_SIZE(refused_settings), name))
		return NULL;
	if (!strcmp(name, "role") || !strcmp(name, "session_authorization"))
		return "it changes the role the statements run as (SET ROLE, SET SESSION AUTHORIZATION)";
	return "it changes how the server reads the statements after it, which sluice parses "
	       "as UTF-8 with standard_conforming_strings on";
}

static const char *set_why(const cJSON *body)
{
	const char *name = tree_str(tree_path(body, "name", NULL));
	const char *why = setting_why(name ? name : "");
	if (!why || (strcmp(name, "standard_conforming_strings") && strcmp(name, "client_encoding")))
		return why;
	/* Setting them to what sluice assumes anyway is harmless (pg_dump writes both). */
	const char *v = tree_str(tree_path(cJSON_GetArrayItem(tree_path(body, "args", NULL), 0),
					   "A_Const", "sval", "sval", NULL));
	if (v && (!strcasecmp(v, "on") || !strcasecmp(v, "utf8") || !strcasecmp(v, "utf-8")))
		return NULL;
	return why;
}

struct func_ctx {
	const char *why;
};

static bool refused_func(const char *name, void *data)
{
	struct func_ctx *fc = data;
	for (size_t i = 0; i < ARRAY_SIZE(refused_funcs); i++) {
		size_t n = strlen(refused_funcs[i].name);
		if (refused_funcs[i].prefix ? !strncmp(name, refused_funcs[i].name, n)
					    : !strcmp(name, refused_funcs[i].name)) {
			fc->why = refused_funcs[i].why;
			return true;
		}
	}
	return false;
}

/* set_config(name, ...) anywhere below `node`: refused when name is a refused setting or not a constant. */
static const char *set_config_why(const cJSON *node)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, node) {
		if (c->string && !strcmp(c->string, "FuncCall")) {
			const cJSON *names = tree_path(c, "funcname", NULL);
			const char *fn = tree_str(cJSON_GetArrayItem(names, cJSON_GetArraySize(names) - 1));
			if (fn && !strcmp(fn, "set_config")) {
				const cJSON *arg = cJSON_GetArrayItem(tree_path(c, "args", NULL), 0);
				const char *name = tree_str(tree_path(arg, "A_Const", "sval", "sval", NULL));
				if (!name)
					return "it calls set_config() with a setting sluice cannot read";
				if (setting_why(name))
					return setting_why(name);
			}
		}
		if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
			const char *why = set_config_why(c);
			if (why)
				return why;
		}
	}
	return NULL;
}

/* A role named anywhere below `node` (RoleSpec, OWNER TO ...) that is in `roles`. */
static const char *named_role(const cJSON *node, const struct strlist *roles)
{
	const cJSON *c;
	const char *type = tree_str(tree_path(node, "roletype", NULL));
	const char *name = tree_str(tree_path(node, "rolename", NULL));
	if (type && name && !strcmp(type, "ROLESPEC_CSTRING") && strlist_has(roles, name))
		return name;
	cJSON_ArrayForEach(c, node) {
		if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
			const char *r = named_role(c, roles);
			if (r)
				return r;
		}
	}
	return NULL;
}

/* Why one statement's tree may not run; NULL when it may. *owned is set when the result is malloc'd. */
static const char *stmt_why(const cJSON *stmt, struct strlist *roles, char **owned)
{
	const char *kind = tree_kind(stmt);
	const cJSON *body = tree_body(stmt);
	const char *why;
	struct func_ctx fc = { NULL };
	if (!kind)
		return "sluice cannot read its parse tree";
	if (!strcmp(kind, "CreateRoleStmt")) {
		const char *name = tree_str(tree_path(body, "role", NULL));
		if (name && !strlist_has(roles, name))
			strlist_add(roles, name);
	}
	if ((why = by_kind(kind, body)))
		return why;
	if (!strcmp(kind, "CopyStmt") && (why = copy_why(body)))
		return why;
	if (!strcmp(kind, "VariableSetStmt") && (why = set_why(body)))
		return why;
	if ((why = language_why(kind, body)))
		return why;
	if (!strcmp(kind, "CreateExtensionStmt") &&
	    in_list(refused_extensions, ARRAY_SIZE(refused_extensions),
		    tree_str(tree_path(body, "extname", NULL))))
		return "the extension reaches beyond the scratch database (another server, server "
		       "files, or an untrusted language)";
	if (tree_any_funccall(stmt, refused_func, &fc))
		return fc.why;
	if ((why = set_config_why(stmt)))
		return why;
	const char *role = named_role(stmt, roles);
	if (role) {
		*owned = xstrfmt("it names the role \"%s\", whose CREATE ROLE was not run", role);
		return *owned;
	}
	return NULL;
}

/* "does not parse (syntax error at or near ...)", one line. */
static char *parse_failure(const PgQueryError *e)
{
	char *why = xstrfmt("it does not parse (%s), so sluice cannot tell what it would do",
			    e->message ? e->message : "unknown error");
	for (char *p = why; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return why;
}

int shadow_vet(const char *sql, struct strlist *roles, struct vetted *out)
{
	memset(out, 0, sizeof(*out));
	PgQueryParseResult r = pg_query_parse(sql);
	if (r.error) {
		out->why = parse_failure(r.error);
		pg_query_free_parse_result(r);
		return 1;
	}
	cJSON *root = tree_parse_json(r.parse_tree);
	pg_query_free_parse_result(r);
	const cJSON *item;
	size_t alloc = 0, end = strlen(sql);
	cJSON_ArrayForEach(item, tree_path(root, "stmts", NULL)) {
		char *owned = NULL;
		const char *why = stmt_why(tree_path(item, "stmt", NULL), roles, &owned);
		if (why && !out->why)
			out->why = owned ? owned : xstrdup(why);
		else
			free(owned);
		/* stmt_location and stmt_len are left out when 0 (0 length: to the end). */
		size_t off = (size_t)tree_int(item, "stmt_location");
		size_t len = (size_t)tree_int(item, "stmt_len");
		if (off > end)
			off = end;
		if (!len || len > end - off)
			len = end - off;
		ALLOC_GROW(out->v, out->nr + 1, alloc);
		out->v[out->nr].off = off;
		out->v[out->nr++].len = len;
	}
	cJSON_Delete(root);
	if (!root && !out->why)
		out->why = xstrdup("sluice cannot read its parse tree");
	return out->why ? 1 : 0;
}

void vetted_release(struct vetted *v)
{
	free(v->v);
	free(v->why);
	memset(v, 0, sizeof(*v));
}
