/*
 * ignore.c - the one ignore grammar (see ignore.h).
 *
 * An ignore comment is read when the script is parsed and applied once
 * every stage of the pipeline has raised its findings (core/check.c), so a
 * finding from the rules, the history, the cross-check with application
 * code or the shadow database is suppressed by exactly the same matching:
 * the rule ids named in full (never a prefix or a substring), a comma or
 * space separated list, "all", and file-wide ignores for every finding of
 * the file.
 *
 *   -- sluice:ignore rule-a, rule-b -- reason      the next statement
 *   -- sluice:ignore-file rule -- reason           the whole script
 *   -- squawk-ignore name / squawk-ignore-file     squawk's names (rules.c)
 *   -- atlas:nolint [CODE|analyzer ...]            Atlas's codes, below
 *   -- eugene: ignore [ID, ...]                    eugene's ids, below
 *
 * Comments written for another linter are honoured with the rules they
 * mean; their codes for hazards sluice does not judge suppress nothing, and
 * they are never reported as unused (the other tool uses them). A foreign
 * ignore without a reason on its line takes the comment lines right after
 * it as the reason, as those tools' users write it.
 */
#include "ignore.h"
#include "rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/*
 * Another linter's codes, as sluice's rule ids ("a|b": several). A code
 * with "" maps to nothing sluice judges.
 *
 * Atlas: ariga/atlas sql/sqlcheck (destructive/destructive.go DS101-DS103,
 * datadepend/datadepend.go MF101-MF104, incompatible/incompatible.go
 * BC101-BC102, condrop/condrop.go CD101) and sql/postgres/postgrescheck
 * (concurrent_index: PG101-PG103); `-- atlas:nolint` alone or an
 * analyzer's name ignores all of them. MF101/MF102 (a unique index that
 * duplicates may break) and CD101 (a dropped constraint) have no sluice
 * counterpart.
 *
 * eugene: kaaveland/eugene eugene/src/hint_data.rs, E1-E11, W12-W14, E15;
 * `-- eugene: ignore` alone ignores all.
 */
static const struct foreign_name {
	const char *tool, *name, *rules;
} foreign_names[] = {
	{ "atlas", "DS101", "drop-schema" },
	{ "atlas", "DS102", "drop-table" },
	{ "atlas", "DS103", "drop-column" },
	{ "atlas", "destructive", "drop-schema|drop-table|drop-column" },
	{ "atlas", "MF101", "" },
	{ "atlas", "MF102", "" },
	{ "atlas", "MF103", "add-column-required" },
	{ "atlas", "MF104", "set-not-null" },
	{ "atlas", "data_depend", "add-column-required|set-not-null" },
	{ "atlas", "BC101", "rename-table|app-references-renamed" },
	{ "atlas", "BC102", "rename-column|app-references-renamed" },
	{ "atlas", "incompatible", "rename-table|rename-column|app-references-renamed" },
	{ "atlas", "PG101", "create-index-nonconcurrent" },
	{ "atlas", "PG102", "drop-index-nonconcurrent" },
	{ "atlas", "PG103", "concurrently-in-transaction" },
	{ "atlas", "concurrent_index",
	  "create-index-nonconcurrent|drop-index-nonconcurrent|concurrently-in-transaction" },
	{ "atlas", "CD101", "" },
	{ "atlas", "constraint_drop", "" },
	{ "eugene", "E1", "foreign-key-without-not-valid|check-without-not-valid" },
	{ "eugene", "E2", "set-not-null" },
	{ "eugene", "E3", "" },
	{ "eugene", "E4", "work-after-access-exclusive" },
	{ "eugene", "E5", "alter-column-type" },
	{ "eugene", "E6", "create-index-nonconcurrent" },
	{ "eugene", "E7", "add-constraint-builds-index" },
	{ "eugene", "E8", "add-constraint-builds-index" },
	{ "eugene", "E9", "lock-timeout-missing" },
	{ "eugene", "E10", "alter-table-rewrite|add-column-rewrite|alter-column-type" },
	{ "eugene", "E11", "add-column-rewrite" },
	{ "eugene", "W12", "" },
	{ "eugene", "W13", "" },
	{ "eugene", "W14", "" },
	{ "eugene", "E15", "foreign-key-without-index" },
};

static struct ignore *add_ignore(struct file_report *fr, const char *rule, const char *reason,
				 int line, bool file_wide, size_t stmt)
{
	ALLOC_GROW(fr->ignores, fr->nr_ignores + 1, fr->alloc_ignores);
	struct ignore *i = &fr->ignores[fr->nr_ignores++];
	memset(i, 0, sizeof(*i));
	i->rule = xstrdup(rule);
	i->reason = reason ? xstrdup(reason) : NULL;
	i->line = line;
	i->file_wide = file_wide;
	i->stmt = stmt;
	i->group = fr->nr_ignores - 1;
	return i;
}

/* Does the list "a|b" hold `name`? */
static bool list_has(const char *list, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, "|");
		if (len == n && !strncmp(p, name, n))
			return true;
		p += n + (p[n] == '|');
	}
	return false;
}

/* One ignore for each of our rules in `ids` ("a|b"), as one group; false when none exists. */
static bool add_group(struct file_report *fr, const char *ids, const char *reason, int line,
		      bool file_wide, size_t stmt, bool foreign)
{
	size_t first = fr->nr_ignores;
	for (size_t r = 0; r < rules_count(); r++) {
		const struct rule *rule = rule_at(r);
		if (!list_has(ids, rule->id))
			continue;
		struct ignore *i = add_ignore(fr, rule->id, reason, line, file_wide, stmt);
		i->group = first;
		i->foreign = foreign;
	}
	return fr->nr_ignores > first;
}

/*
 * squawk's names are coarser than ours: "transaction-nesting" covers both
 * a nested BEGIN and a COMMIT that ends the tool's transaction. One squawk
 * ignore is an ignore of every rule mapped to that name; each is reported
 * unused on its own only if none of them matched (see report_unused()).
 */
static bool add_squawk(struct file_report *fr, const char *name, const char *reason, int line,
		       bool file_wide, size_t stmt)
{
	size_t first = fr->nr_ignores;
	for (size_t r = 0; r < rules_count(); r++) {
		const struct rule *rule = rule_at(r);
		if (!rule->squawk || !list_has(rule->squawk, name))
			continue;
		add_ignore(fr, rule->id, reason, line, file_wide, stmt)->group = first;
	}
	return fr->nr_ignores > first;
}

static void add_foreign(struct file_report *fr, const char *tool, const char *name,
			const char *reason, int line, size_t stmt)
{
	for (size_t k = 0; k < sizeof(foreign_names) / sizeof(foreign_names[0]); k++) {
		const struct foreign_name *fn = &foreign_names[k];
		if (!strcmp(fn->tool, tool) && !strcasecmp_ascii(fn->name, name)) {
			add_group(fr, fn->rules, reason, line, false, stmt, true);
			return;
		}
	}
}

enum grammar { G_SLUICE, G_SQUAWK, G_ATLAS, G_EUGENE, G_SAFETY_ASSURED };

static const struct marker {
	const char *text;
	enum grammar g;
	bool file_wide;
} markers[] = {
	{ "sluice:ignore-file", G_SLUICE, true },
	{ "sluice:ignore", G_SLUICE, false },
	{ "squawk-ignore-file", G_SQUAWK, true },
	{ "squawk-ignore", G_SQUAWK, false },
	{ "atlas:nolint", G_ATLAS, false },
	{ "eugene: ignore", G_EUGENE, false },
	{ "eugene:ignore", G_EUGENE, false },
	/* strong_migrations' safety_assured { } in a Rails migration (core/discover/rails.c) */
	{ "strong_migrations:safety_assured", G_SAFETY_ASSURED, false },
};

/*
 * The marker a comment line starts with (after the dashes), and where its
 * list begins. sluice's and squawk's need a list; Atlas's and eugene's
 * alone mean every rule.
 */
static const struct marker *match_marker(const char **pp, const char *end)
{
	const char *p = *pp;
	while (p < end && (*p == '-' || isspace((unsigned char)*p)))
		p++;
	for (size_t k = 0; k < sizeof(markers) / sizeof(markers[0]); k++) {
		const struct marker *m = &markers[k];
		size_t n = strlen(m->text);
		bool bare_ok = m->g == G_ATLAS || m->g == G_EUGENE || m->g == G_SAFETY_ASSURED;
		if ((size_t)(end - p) < n || strncmp(p, m->text, n))
			continue;
		if ((size_t)(end - p) == n ? !bare_ok : !isspace((unsigned char)p[n]))
			continue;
		if ((size_t)(end - p) == n + 1 && !bare_ok)
			continue;
		*pp = p + n;
		return m;
	}
	return NULL;
}

/* The text after " -- " on the line, trimmed; NULL when none. Cuts `text` there. */
static const char *split_reason(char *text)
{
	char *sep = strstr(text, "--");
	if (!sep)
		return NULL;
	*sep = '\0';
	char *reason = sep + 2;
	while (isspace((unsigned char)*reason))
		reason++;
	char *r_end = reason + strlen(reason);
	while (r_end > reason && isspace((unsigned char)r_end[-1]))
		*--r_end = '\0';
	return *reason ? reason : NULL;
}

/* The plain comment lines right after a foreign ignore, joined: its reason. */
static char *following_comments(const char *p, const char *end)
{
	struct strbuf sb = STRBUF_INIT;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *c = p, *q;
		while (c < le && isspace((unsigned char)*c))
			c++;
		if (le - c < 2 || c[0] != '-' || c[1] != '-')
			break;
		q = c;
		if (match_marker(&q, le))
			break;
		while (c < le && *c == '-')
			c++;
		while (c < le && isspace((unsigned char)*c))
			c++;
		while (le > c && isspace((unsigned char)le[-1]))
			le--;
		if (le > c) {
			if (sb.len)
				strbuf_addch(&sb, ' ');
			strbuf_add(&sb, c, (size_t)(le - c));
		}
		p = (nl ? nl : end) + (nl != NULL);
	}
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

/* One comment line; `rest` is what follows it in the same comment block. */
static void parse_line(struct file_report *fr, const char *p, const char *end, const char *rest,
		       const char *rest_end, int line, size_t stmt, bool only_file_wide)
{
	const struct marker *m = match_marker(&p, end);
	if (!m || m->file_wide != only_file_wide)
		return;
	if (m->g == G_SAFETY_ASSURED) {
		/* every finding of the statement, and never unused: the block may hold safe ones */
		add_ignore(fr, "all", "safety_assured", line, false, stmt)->foreign = true;
		return;
	}
	char *text = xstrndup(p, (size_t)(end - p));
	const char *reason = split_reason(text);
	char *after = NULL;
	bool foreign = m->g == G_ATLAS || m->g == G_EUGENE;
	bool any = false;
	if (foreign && !reason)
		reason = after = following_comments(rest, rest_end);
	const char *tool = m->g == G_ATLAS ? "atlas" : "eugene";
	for (char *save, *tok = strtok_r(text, ", \t\r", &save); tok;
	     tok = strtok_r(NULL, ", \t\r", &save)) {
		any = true;
		if (foreign)
			add_foreign(fr, tool, tok, reason, line, stmt);
		else if (m->g != G_SQUAWK || !add_squawk(fr, tok, reason, line, m->file_wide, stmt))
			add_ignore(fr, tok, reason, line, m->file_wide, stmt);
	}
	if (foreign && !any)
		add_ignore(fr, "all", reason, line, false, stmt)->foreign = true;
	free(after);
	free(text);
}

static void scan(struct file_report *fr, const char *text, size_t len, int first_line, size_t stmt,
		 bool only_file_wide)
{
	int line = first_line;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *c = p;
		while (c < le && isspace((unsigned char)*c))
			c++;
		if (le - c > 2 && c[0] == '-' && c[1] == '-')
			parse_line(fr, c, le, nl ? nl + 1 : end, end, line, stmt, only_file_wide);
		line++;
		p = le + 1;
	}
}

void ignores_scan(struct file_report *fr, const struct script *sc)
{
	scan(fr, sc->text, sc->len, sc->first_line, (size_t)-1, true);
	for (size_t i = 0; i < fr->nr_stmts; i++) {
		const struct stmt *st = &fr->stmts[i];
		if (!st->comments)
			continue;
		/* The comments end on the statement's line: count back. */
		int nl = 0;
		for (const char *c = st->comments; *c; c++)
			nl += *c == '\n';
		scan(fr, st->comments, strlen(st->comments), st->line - nl, i, false);
	}
}

static bool names(const struct ignore *g, const struct finding *f)
{
	return !strcmp(g->rule, f->rule) || !strcmp(g->rule, "all");
}

static void suppress(struct ignore *g, struct finding *f)
{
	g->used = true;
	free(f->ignored);
	f->ignored = xstrdup(g->reason ? g->reason : "");
}

/* An ignore that matched nothing, once per comment (per foreign name's group). */
static void report_unused(struct file_report *fr, const struct judge_opts *o)
{
	const struct rule *r = rule_find("unused-ignore");
	if (!r || !rule_enabled(o, r->id))
		return;
	for (size_t i = 0; i < fr->nr_ignores; i++) {
		const struct ignore *g = &fr->ignores[i];
		bool used = false;
		if (g->group != i || g->foreign)
			continue;
		for (size_t k = i; k < fr->nr_ignores && fr->ignores[k].group == i; k++)
			used |= fr->ignores[k].used;
		if (used)
			continue;
		char *msg = xstrfmt("ignore of '%s' matched no finding", g->rule);
		struct finding *f = file_add_finding(fr, r->id, r->sev, r->cats, g->line > 0 ? g->line : 1,
						     msg, r->fix);
		f->cls = r->cls;
		free(msg);
	}
}

void ignores_apply(struct file_report *fr, const struct judge_opts *o)
{
	for (size_t s = 0; s < fr->nr_stmts; s++) {
		struct stmt *st = &fr->stmts[s];
		for (size_t f = 0; f < st->nr_findings; f++)
			for (size_t i = 0; i < fr->nr_ignores; i++) {
				struct ignore *g = &fr->ignores[i];
				if ((g->file_wide || g->stmt == s) && names(g, &st->findings[f]))
					suppress(g, &st->findings[f]);
			}
	}
	for (size_t f = 0; f < fr->nr_findings; f++)
		for (size_t i = 0; i < fr->nr_ignores; i++)
			if (fr->ignores[i].file_wide && names(&fr->ignores[i], &fr->findings[f]))
				suppress(&fr->ignores[i], &fr->findings[f]);
	report_unused(fr, o);
}
