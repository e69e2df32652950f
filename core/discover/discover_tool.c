/*
 * discover_tool.c - migrations that are not SQL: a tool prints their SQL
 * (core/discover/sqlgen.c does that, once settings are read). Here they are only
 * found, by path and text:
 *
 *   <app>/migrations/NNNN_<name>.py with "class Migration("      Django
 *   .../versions/<rev>_<name>.py with revision and down_revision  Alembic
 *   migrations/<ts>_<name>.js|.ts|.cjs|.mjs with an exported up   knex
 *   any other versioned file in a migration directory            sluice.sqlFrom
 *
 * The last kind is kept only when sluice.sqlFrom is set (sqlgen.c drops it
 * otherwise, as sluice always has). A file the tool never runs (a helper
 * module, __init__.py) is not a migration.
 */
#include "discover_int.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Extensions of migrations a tool (or sluice.sqlFrom) turns into SQL. */
static const char *const tool_exts[] = {
	".py", ".js", ".ts", ".cjs", ".mjs", ".xml", ".yaml", ".yml", ".json", ".go", ".java",
	".kt", ".php", ".cs", ".ex", ".exs", NULL,
};

/* Directories that hold other people's code or test data, never migrations to judge. */
static const char *const skipped[] = {
	"node_modules", "vendor", "third_party", "site-packages", "dist-packages", "venv",
	".venv", "__pycache__", "fixtures", "testdata", "dist", "build", NULL,
};

bool layout_tool_name(const char *path)
{
	for (const char *const *e = tool_exts; *e; e++)
		if (ends_with(path, *e))
			return true;
	return false;
}

static bool ends_any(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (ends_with(s, *list))
			return true;
	return false;
}

static const char *const js_exts[] = { ".js", ".ts", ".cjs", ".mjs", NULL };

/* The directory components of path (after `skip` bytes), checked against the lists. */
struct tool_path {
	const char *base, *parent; /* the base name, the directory holding it */
	size_t parent_len;
	bool in_versions, in_migration_dir, excluded;
};

static bool migration_dir_word(const char *s, size_t n)
{
	static const char *const words[] = { "migrations", "migration", "migrate", "changelog",
					     "changelogs", NULL };
	for (const char *const *w = words; *w; w++) {
		size_t k = strlen(*w);
		if (n >= k && !strncasecmp(s + n - k, *w, k))
			return true;
	}
	return false;
}

static void tool_path_split(struct tool_path *tp, const char *path, size_t skip)
{
	memset(tp, 0, sizeof(*tp));
	const char *s = path;
	for (const char *slash; (slash = strchr(s, '/')); s = slash + 1) {
		size_t n = (size_t)(slash - s);
		tp->parent = s;
		tp->parent_len = n;
		if (n == 8 && !strncmp(s, "versions", 8))
			tp->in_versions = true;
		if (migration_dir_word(s, n))
			tp->in_migration_dir = true;
		if ((size_t)(s - path) < skip)
			continue;   /* named on the command line: wherever it is */
		for (const char *const *x = skipped; *x; x++)
			if (strlen(*x) == n && !strncmp(s, *x, n))
				tp->excluded = true;
	}
	tp->base = s;
}

/* A versioned name: 0001_x, 20240101_x, V2__x, 1700000000000-AddUsers. */
static bool versioned(const char *base)
{
	if (strchr("VUR", base[0]) && isdigit((unsigned char)base[1]))
		return true;
	return isdigit((unsigned char)base[0]);
}

bool tool_candidate(const char *path, size_t skip, bool forced)
{
	struct tool_path tp;
	if (!layout_tool_name(path))
		return false;
	tool_path_split(&tp, path, skip);
	if (tp.excluded && !forced)
		return false;
	if (forced)
		return true;
	if (ends_with(path, ".py") && (tp.in_versions || tp.in_migration_dir))
		return strcmp(tp.base, "__init__.py") != 0;
	return tp.in_migration_dir && versioned(tp.base);
}

static bool has(const char *text, size_t len, const char *needle)
{
	return memmem(text, len, needle, strlen(needle)) != NULL;
}

/* Django: four digits, an underscore, in a directory named migrations. */
static bool django_file(const struct tool_path *tp, const char *text, size_t len)
{
	const char *b = tp->base;
	return tp->parent_len == 10 && !strncmp(tp->parent, "migrations", 10) &&
	       isdigit((unsigned char)b[0]) && isdigit((unsigned char)b[1]) &&
	       isdigit((unsigned char)b[2]) && isdigit((unsigned char)b[3]) && b[4] == '_' &&
	       ends_with(b, ".py") && has(text, len, "class Migration(");
}

/* Alembic: a revision script (revision = ..., down_revision = ..., def upgrade). */
static bool alembic_file(const struct tool_path *tp, const char *text, size_t len)
{
	return ends_with(tp->base, ".py") && has(text, len, "down_revision") &&
	       has(text, len, "revision") && has(text, len, "def upgrade(");
}

/* knex: a module exporting up (CommonJS or ES module, JavaScript or TypeScript). */
static bool knex_file(const struct tool_path *tp, const char *text, size_t len)
{
	return ends_any(tp->base, js_exts) && has(text, len, "knex") &&
	       (has(text, len, "exports.up") || has(text, len, "function up(") ||
		has(text, len, "const up ") || has(text, len, " up: ") || has(text, len, "up(knex"));
}

/* "0001_add_users.py" -> version "0001", name "add_users"; no digits: the stem. */
static void version_and_name(const char *base, struct layout_file *lf)
{
	size_t stem = strcspn(base, ".");
	size_t v = 0;
	while (v < stem && (isdigit((unsigned char)base[v]) || (v == 0 && strchr("VUR", base[0]))))
		v++;
	lf->version = xstrndup(base, v ? v : stem);
	while (v < stem && (base[v] == '_' || base[v] == '-'))
		v++;
	lf->name = xstrndup(base + v, stem > v ? stem - v : 0);
}

int discover_tool_file(struct migration_set *ms, const char *path, size_t skip, bool forced,
		       const char *text, size_t len, bool from_worktree)
{
	struct tool_path tp;
	struct layout_file lf;
	if (!tool_candidate(path, skip, forced))
		return 1;
	if (!discover_text_ok(ms, path, text, len))
		return -1;
	tool_path_split(&tp, path, skip);
	memset(&lf, 0, sizeof(lf));
	if (django_file(&tp, text, len))
		lf.fw = FW_DJANGO;
	else if (alembic_file(&tp, text, len))
		lf.fw = FW_ALEMBIC;
	else if ((tp.in_migration_dir || forced) && knex_file(&tp, text, len))
		lf.fw = FW_KNEX;
	else if (!forced && ends_with(path, ".py"))
		return 1; /* a helper module beside migrations */
	else if (!forced)
		lf.fw = FW_SQLFROM;
	else
		return 1; /* named: judged as SQL, or through sluice.sqlFrom (sqlgen.c) */
	lf.root = xstrndup(path, tp.base > path ? (size_t)(tp.base - path - 1) : 0);
	version_and_name(tp.base, &lf);
	/* the file's own text, for now: sqlgen.c puts the tool's SQL in its place */
	lf.part[0] = (struct layout_part){ .dir = DIR_UP, .len = len, .first_line = 1,
					   .in_txn = false };
	lf.nr_parts = 1;
	discover_add_classified(ms, path, text, from_worktree, forced && skip >= strlen(path), &lf);
	return 0;
}
