/*
 * sqlgen_knex.c - a knex migration's SQL, from knex itself: a small runner
 * (below, given to node with -e) loads the project's own knex, hands the
 * migration's up (or down) a knex instance for PostgreSQL whose connection
 * records each query instead of sending it, and prints them as JSON. No
 * database is needed, but node and the project's knex (and pg) are: where
 * they are missing sluice says so once and judges the rest.
 *
 * The node program is sluice.knex.node (no default: unset, nothing runs; the user's git
 * config only), run in the nearest directory above the migration that has
 * node_modules (else package.json). knex's migrator runs each migration in
 * a transaction unless it exports config = { transaction: false }
 * (knex lib/migrations/migrate/Migrator.js, _useTransaction()), which the
 * runner reports. Statements map to the knex call that names their table,
 * index or column (gen_map_by_names()).
 */
#include "sqlgen_int.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_NODE "node"

/* The runner, argv: <migration file> <up|down> <project dir>; exit 3 when there is no knex. */
static const char runner[] =
	"// sluice's knex runner: prints the SQL a knex migration's up (or down) sends,\n"
	"// without a database. argv: <migration file> <up|down> <project dir>.\n"
	"// Loads the project's own knex, gives the migration a knex instance (client\n"
	"// 'pg') whose connection is a recorder: each query is collected (bindings\n"
	"// inlined, as knex's toString() does) and answered with no rows.\n"
	"// Prints {\"transaction\": bool, \"queries\": [sql, ...]}; exit 3: no knex.\n"
	"'use strict';\n"
	"const path = require('path');\n"
	"const url = require('url');\n"
	"const [file, direction, project] = process.argv.slice(-3);\n"
	"function fail(code, msg) { process.stderr.write(msg + '\\n'); process.exit(code); }\n"
	"let knexPath;\n"
	"try {\n"
	"\tknexPath = require.resolve('knex', { paths: [project] });\n"
	"} catch (e) {\n"
	"\tfail(3, 'knex is not installed in ' + project + ' (npm install knex pg there)');\n"
	"}\n"
	"async function load(file) {\n"
	"\tconst abs = path.resolve(file);\n"
	"\tif (/\\.ts$/.test(abs)) {\n"
	"\t\tfor (const reg of ['ts-node/register', 'esbuild-register', '@swc/register']) {\n"
	"\t\t\ttry { require(require.resolve(reg, { paths: [project] })); break; } catch (e) { /* next */ }\n"
	"\t\t}\n"
	"\t}\n"
	"\ttry {\n"
	"\t\treturn require(abs);\n"
	"\t} catch (e) {\n"
	"\t\tif (e.code !== 'ERR_REQUIRE_ESM') throw e;\n"
	"\t\treturn import(url.pathToFileURL(abs).href);\n"
	"\t}\n"
	"}\n"
	"(async () => {\n"
	"\tconst knexMod = require(knexPath);\n"
	"\tconst knexFn = knexMod.knex || knexMod.default || knexMod;\n"
	"\tconst k = knexFn({ client: 'pg', pool: { min: 0, max: 1 } });\n"
	"\tconst queries = [];\n"
	"\tconst client = k.client;\n"
	"\tclient.acquireConnection = async () => ({ __knexUid: 'sluice' });\n"
	"\tclient.releaseConnection = async () => {};\n"
	"\tclient.query = async (conn, q) => {\n"
	"\t\tconst o = typeof q === 'string' ? { sql: q } : q;\n"
	"\t\tconst sql = o.bindings && o.bindings.length ? k.raw(o.sql, o.bindings).toString() : o.sql;\n"
	"\t\tqueries.push(sql);\n"
	"\t\treturn o;\n"
	"\t};\n"
	"\tclient.processResponse = (o, runner) => {\n"
	"\t\tconst resp = { rows: [], rowCount: 0, command: '' };\n"
	"\t\tif (o && typeof o.output === 'function') {\n"
	"\t\t\ttry { return o.output.call(runner, resp); } catch (e) { return []; }\n"
	"\t\t}\n"
	"\t\treturn [];\n"
	"\t};\n"
	"\tconst mod = await load(file);\n"
	"\tconst m = mod && mod.up === undefined && mod.default ? mod.default : mod;\n"
	"\tconst fn = m[direction];\n"
	"\tif (typeof fn !== 'function') fail(4, file + ' exports no ' + direction + ' function');\n"
	"\tawait fn(k);\n"
	"\tconst transaction = !(m.config && m.config.transaction === false);\n"
	"\tprocess.stdout.write(JSON.stringify({ transaction, queries }) + '\\n');\n"
	"\tprocess.exit(0);\n"
	"})().catch((e) => fail(1, (e && e.stack ? e.stack.split('\\n')[0] : String(e))));\n";

/* The calls a knex migration makes, for the line map. */
static const char *const knex_prefixes[] = {
	"knex", "return knex", "await knex", "t.", "table.", ".", "return ", "await ", NULL,
};

/* Where up (or down) starts, and where the other one does, if after it. */
static void body_lines(const char *text, size_t len, enum direction d, int *from, int *to)
{
	static const char *const ups[] = { "exports.up", "function up", "up(", "const up", NULL };
	static const char *const downs[] = { "exports.down", "function down", "down(", "const down", NULL };
	int u = 0, w = 0;
	for (const char *const *p = ups; *p && !u; p++)
		u = find_line(text, len, *p, 1);
	for (const char *const *p = downs; *p && !w; p++)
		w = find_line(text, len, *p, 1);
	*from = d == DIR_UP ? u : w;
	int other = d == DIR_UP ? w : u;
	*to = other > *from ? other : 1 << 30;
	if (!*from)
		*from = 1;
}

static int parse_output(const struct strbuf *json, const struct script *src, enum direction d,
			struct gen_sql *out, struct strbuf *why)
{
	cJSON *root = cJSON_Parse(json->buf ? json->buf : "");
	const cJSON *qs = cJSON_GetObjectItemCaseSensitive(root, "queries");
	const cJSON *txn = cJSON_GetObjectItemCaseSensitive(root, "transaction");
	const cJSON *q;
	if (!cJSON_IsArray(qs)) {
		cJSON_Delete(root);
		strbuf_addstr(why, "the knex runner printed no list of queries");
		return -1;
	}
	cJSON_ArrayForEach(q, qs) {
		if (!cJSON_IsString(q))
			continue;
		const char *s = q->valuestring;
		size_t n = strlen(s);
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
			n--;
		struct strbuf stmt = STRBUF_INIT;
		strbuf_add(&stmt, s, n);
		if (!n || s[n - 1] != ';')
			strbuf_addch(&stmt, ';');
		gen_add_text(out, stmt.buf, stmt.len, 1);
		strbuf_release(&stmt);
	}
	out->in_txn = !cJSON_IsFalse(txn);
	cJSON_Delete(root);
	int from, to;
	body_lines(src->text, src->len, d, &from, &to);
	struct call_line *calls;
	size_t nc = find_calls(src->text, src->len, from, to, knex_prefixes, &calls);
	gen_map_by_names(out, calls, nc, from);
	call_lines_free(calls, nc);
	return 0;
}

int knex_sql(struct sqlgen *g, const struct migration *m, enum direction d,
	     const struct script *src, struct gen_sql *out, struct strbuf *why)
{
	const char *node = config_get(&g->run->cfg, "sluice.knex.node");
	struct strlist argv = STRLIST_INIT;
	struct strbuf json = STRBUF_INIT;
	const char *slash = strrchr(src->path, '/');
	char *dir = xstrndup(src->path, slash ? (size_t)(slash - src->path) : 0);
	char *project = find_up(g, dir, "node_modules");
	int ret;
	(void)m;
	if (!project)
		project = find_up(g, dir, "package.json");
	if (!project)
		project = xstrdup(*g->top ? g->top : ".");
	/* node runs there: the file and the project as absolute paths */
	char *file = xstrfmt("%s%s", g->top, src->path);
	char *abs_file = realpath(file, NULL), *abs_project = realpath(project, NULL);
	if (tool_command(node, "sluice.knex.node", DEFAULT_NODE, &argv, why) < 0) {
		free(project);
		free(dir);
		return -1;
	}
	char *shown = xstrfmt("%s <sluice's knex runner> %s %s", node ? node : DEFAULT_NODE,
			      src->path, d == DIR_UP ? "up" : "down");
	strlist_add(&argv, "-e");
	strlist_add(&argv, runner);
	strlist_add(&argv, abs_file ? abs_file : file);
	strlist_add(&argv, d == DIR_UP ? "up" : "down");
	strlist_add(&argv, abs_project ? abs_project : project);
	ret = sqlgen_command(g, &argv, project, shown, &json, why);
	if (ret < 0 && d == DIR_UP) {
		bool no_node = starts_with(why->buf, "cannot run");
		bool no_knex = strstr(why->buf, "exited with status 3") != NULL;
		if ((no_node || no_knex) && !say_once(g, "knex")) {
			strbuf_reset(why);
			strbuf_addf(why, "no %s to run knex migrations, as above", no_node ? "node" : "knex");
		} else if (no_node) {
			strbuf_addstr(why, " (knex migrations need node and the project's knex; set "
				      "the program with: git config sluice.knex.node /usr/bin/node)");
		}
	}
	if (!ret) {
		ret = parse_output(&json, src, d, out, why);
		out->command = xstrdup(shown);
	}
	free(shown);
	free(file);
	free(abs_file);
	free(abs_project);
	free(project);
	free(dir);
	strbuf_release(&json);
	strlist_clear(&argv);
	return ret;
}
