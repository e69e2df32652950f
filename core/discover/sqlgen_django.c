/*
 * sqlgen_django.c - a Django migration's SQL, from the project's own
 * `manage.py sqlmigrate <app> <name>` (`--backwards` for the down).
 *
 * The command is sluice.django.command (no default: unset, nothing runs; see tool_command()), run
 * in the directory of the nearest manage.py above the migration. sqlmigrate
 * prints what `migrate` sends: BEGIN; ... COMMIT; around it when the
 * migration is atomic (Migration.atomic, default True) and the database can
 * roll DDL back, nothing around it with `atomic = False`
 * (django/core/management/commands/sqlmigrate.py; Migration.apply() in
 * django/db/migrations/migration.py). Before each operation's SQL it prints
 * a header,
 *
 *     --
 *     -- Add field email to author
 *     --
 *
 * one per entry of the Migration's `operations` list, in order: so the
 * statements under the k-th header map to the line of the k-th operation.
 */
#include "sqlgen_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_COMMAND "python manage.py"

/*
 * The line of each item of `operations = [ ... ]`: Python read just enough
 * (brackets, strings, comments) to find the list's top-level items.
 */
static size_t operation_lines(const char *text, size_t len, int **out)
{
	const char *p = text, *end = text + len;
	int *v = NULL, line;
	size_t n = 0, alloc = 0;
	*out = NULL;
	for (;; p++) {
		p = memmem(p, (size_t)(end - p), "operations", 10);
		if (!p)
			return 0;
		const char *q = p + 10;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q < end && *q == '=') {
			q++;
			while (q < end && isspace((unsigned char)*q))
				q++;
			if (q < end && *q == '[') {
				p = q + 1;
				break;
			}
		}
	}
	line = line_of_offset(text, (size_t)(p - text));
	int depth = 0;
	bool expect = true;
	while (p < end) {
		char c = *p;
		if (c == '\n') {
			line++;
			p++;
		} else if (c == '#') {
			while (p < end && *p != '\n')
				p++;
		} else if (c == '\'' || c == '"') {
			bool triple = end - p >= 3 && p[1] == c && p[2] == c;
			if (depth == 0 && expect) {
				ALLOC_GROW(v, n + 1, alloc);
				v[n++] = line;
				expect = false;
			}
			p += triple ? 3 : 1;
			while (p < end) {
				if (*p == '\\' && p + 1 < end) {
					p += 2;
					continue;
				}
				if (*p == '\n')
					line++;
				if (*p == c && (!triple || (end - p >= 3 && p[1] == c && p[2] == c))) {
					p += triple ? 3 : 1;
					break;
				}
				p++;
			}
		} else if (isspace((unsigned char)c)) {
			p++;
		} else {
			if ((c == ')' || c == ']' || c == '}') && depth == 0)
				break;   /* the end of the list */
			if (depth == 0 && c == ',') {
				expect = true;
			} else if (depth == 0 && expect) {
				ALLOC_GROW(v, n + 1, alloc);
				v[n++] = line;
				expect = false;
			}
			if (c == '(' || c == '[' || c == '{')
				depth++;
			else if (c == ')' || c == ']' || c == '}')
				depth--;
			p++;
		}
	}
	*out = v;
	return n;
}

/* "--" then "-- <description>": the start of the next operation's SQL. */
static bool op_header(const char *prev, size_t prev_n, const char *s, size_t n)
{
	return prev && prev_n == 2 && !memcmp(prev, "--", 2) && n > 3 && !memcmp(s, "-- ", 3);
}

/* The app label: the directory that holds migrations/ ("shop/orders/migrations" -> "orders"). */
static char *app_label(const char *path, char **migdir)
{
	const char *slash = strrchr(path, '/');
	*migdir = xstrndup(path, slash ? (size_t)(slash - path) : 0);
	const char *m = strrchr(*migdir, '/');
	const char *app_end = m ? m : *migdir;
	const char *app = app_end;
	while (app > *migdir && app[-1] != '/')
		app--;
	return xstrndup(app, (size_t)(app_end - app));
}

int django_sql(struct sqlgen *g, const struct migration *m, enum direction d,
	       const struct script *src, struct gen_sql *out, struct strbuf *why)
{
	const char *cmdline = config_get(&g->run->cfg, "sluice.django.command");
	struct strlist argv = STRLIST_INIT;
	struct strbuf sql = STRBUF_INIT;
	char *migdir, *app = app_label(src->path, &migdir);
	char *project = find_up(g, migdir, "manage.py");
	const char *base = strrchr(src->path, '/');
	char *name = xstrdup(base ? base + 1 : src->path);
	int *ops = NULL, ret, class_line = find_line(src->text, src->len, "class Migration(", 1);
	size_t nops = 0;
	(void)m;
	name[strlen(name) - 3] = '\0';  /* .py */
	if (tool_command(cmdline, "sluice.django.command", DEFAULT_COMMAND, &argv, why) < 0) {
		ret = -1;
		goto out;
	}
	strlist_add(&argv, "sqlmigrate");
	strlist_add(&argv, app);
	strlist_add(&argv, name);
	if (d == DIR_DOWN)
		strlist_add(&argv, "--backwards");
	ret = sqlgen_command(g, &argv, project ? project : g->top, NULL, &sql, why);
	if (ret < 0 && d == DIR_UP && starts_with(why->buf, "cannot run") && say_once(g, "django"))
		strbuf_addf(why, " (sluice runs the project's '%s sqlmigrate %s %s' in %s; set the "
			    "command with: git config sluice.django.command '/usr/bin/python3 manage.py')",
			    cmdline ? cmdline : DEFAULT_COMMAND, app, name,
			    project ? project : "the repository's top, where no manage.py is");
	if (!ret) {
		nops = operation_lines(src->text, src->len, &ops);
		const char *prev = NULL;
		size_t prev_n = 0;
		long op = -1;
		for (const char *s = sql.buf; s && s < sql.buf + sql.len;) {
			const char *e = memchr(s, '\n', (size_t)(sql.buf + sql.len - s));
			size_t n = e ? (size_t)(e - s) : (size_t)(sql.buf + sql.len - s);
			if (op_header(prev, prev_n, s, n))
				op++;
			/* --backwards prints the operations last first */
			size_t k = op < 0 || (size_t)op >= nops ? nops - 1
				   : d == DIR_DOWN ? nops - 1 - (size_t)op : (size_t)op;
			int at = !nops || op < 0 ? class_line : ops[k];
			gen_add_line(out, s, n, at ? at : 1);
			prev = s;
			prev_n = n;
			s = e ? e + 1 : sql.buf + sql.len;
		}
		gen_unwrap_txn(out);
		out->command = command_text(&argv);
	}
	free(ops);
out:
	strbuf_release(&sql);
	strlist_clear(&argv);
	free(name);
	free(project);
	free(app);
	free(migdir);
	return ret;
}
