/*
 * drift.c - comparing the live schema with the one the history builds
 * (see db.h).
 */
#include "db.h"
#include "db_catalog_int.h"
#include "discover.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void drift_init(struct drift *d)
{
	memset(d, 0, sizeof(*d));
}

void drift_release(struct drift *d)
{
	for (size_t i = 0; i < d->nr; i++) {
		free(d->v[i].object_kind);
		free(d->v[i].object);
		free(d->v[i].detail);
	}
	free(d->v);
	free(d->database);
	free(d->table);
	strlist_clear(&d->not_run);
	drift_init(d);
}

const char *drift_kind_name(enum drift_kind k)
{
	static const char *const names[] = { "database-only", "repository-only", "version-skew" };
	return names[k];
}

static void add_item(struct drift *d, enum drift_kind k, const char *okind, const char *obj,
		     char *detail)
{
	ALLOC_GROW(d->v, d->nr + 1, d->alloc);
	struct drift_item *it = &d->v[d->nr++];
	it->kind = k;
	it->object_kind = xstrdup(okind);
	it->object = xstrdup(obj);
	it->detail = detail;
}

char *migration_version(const char *id, bool flyway)
{
	size_t n = strlen(id);
	while (n && id[n - 1] == '/')
		n--;
	const char *end = id + n, *base = end;
	while (base > id && base[-1] != '/')
		base--;
	const char *p = base;
	if (strchr("VvUuRr", *p) && p + 1 < end && isdigit((unsigned char)p[1]))
		p++;
	struct strbuf sb = STRBUF_INIT;
	while (p < end) {
		bool next_digit = p + 1 < end && isdigit((unsigned char)p[1]);
		if (isdigit((unsigned char)*p)) {
			/* Leading zeros do not make another version. */
			if (!(*p == '0' && (!sb.len || sb.buf[sb.len - 1] == '.') && next_digit))
				strbuf_addch(&sb, *p);
		} else if (*p == '-' && next_digit && sb.len) {
			;       /* diesel's 2023-01-02-030405 is stored as 20230102030405 */
		} else if ((*p == '.' || (*p == '_' && flyway)) && next_digit && sb.len) {
			strbuf_addch(&sb, '.');
		} else {
			break;
		}
		p++;
	}
	if (!sb.len)
		strbuf_add(&sb, base, (size_t)(end - base));
	return strbuf_detach(&sb, NULL);
}

/* Numeric versions compare by length first ("10" > "9"). */
static int version_cmp(const char *a, const char *b)
{
	size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
	if (la && lb && !a[la] && !b[lb] && la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/* Is the repository's version `v` among the recorded ones? */
static bool recorded(const char *v, const struct strlist *db_versions)
{
	for (size_t i = 0; i < db_versions->nr; i++) {
		const char *dv = db_versions->items[i];
		if (starts_with(dv, "<=")) {
			if (version_cmp(v, dv + 2) <= 0)
				return true;
		} else if (!version_cmp(v, dv)) {
			return true;
		}
	}
	return false;
}

static bool in_repo(const char *dv, const struct strlist *repo_versions)
{
	for (size_t i = 0; i < repo_versions->nr; i++)
		if (!version_cmp(dv, repo_versions->items[i]))
			return true;
	return false;
}

/* Version skew both ways; fills `apply` with whether each migration is applied. */
static void compare_versions(struct drift *d, const struct migration_set *ms,
			     const struct strlist *db_raw, bool *apply)
{
	struct strlist repo = STRLIST_INIT, dbv = STRLIST_INIT;
	for (size_t i = 0; i < ms->nr; i++)
		strlist_add_nodup(&repo, migration_version(ms->v[i]->id, ms->v[i]->fw == FW_FLYWAY));
	for (size_t i = 0; i < db_raw->nr; i++) {
		const char *raw = db_raw->items[i];
		bool upto = starts_with(raw, "<=");
		char *v = migration_version(raw + (upto ? 2 : 0), true);
		strlist_add_nodup(&dbv, upto ? xstrfmt("<=%s", v) : xstrdup(v));
		if (!in_repo(v, &repo))
			add_item(d, DRIFT_SKEW, "migration", v,
				 xstrfmt("recorded as applied in %s, but no migration in the repository "
					 "has this version", d->table));
		free(v);
	}
	for (size_t i = 0; i < ms->nr; i++) {
		apply[i] = recorded(repo.items[i], &dbv);
		d->applied += apply[i];
		if (!apply[i])
			add_item(d, DRIFT_SKEW, "migration", repo.items[i],
				 xstrfmt("'%s' is in the repository but %s does not record it as applied",
					 ms->v[i]->up ? ms->v[i]->up->path : ms->v[i]->id, d->table));
	}
	strlist_clear(&repo);
	strlist_clear(&dbv);
}

struct diff_ctx {
	struct drift *d;
};

static void on_difference(const struct catalog_item *live, const struct catalog_item *want, void *data)
{
	struct drift *d = ((struct diff_ctx *)data)->d;
	if (live && !want)
		add_item(d, DRIFT_DB_ONLY, live->kind, live->name,
			 *live->def ? xstrfmt("%s", live->def) : NULL);
	else if (!live)
		add_item(d, DRIFT_REPO_ONLY, want->kind, want->name,
			 *want->def ? xstrfmt("%s", want->def) : NULL);
	else
		add_item(d, DRIFT_DB_ONLY, live->kind, live->name,
			 xstrfmt("differs: the database has '%s', the history gives '%s'", live->def,
				 want->def));
}

int drift_compute(struct db *live, struct shadow *sh, const struct migration_set *ms,
		  struct drift *d, struct strbuf *err)
{
	struct strlist db_versions = STRLIST_INIT;
	bool *apply = xcalloc(ms->nr ? ms->nr : 1, sizeof(bool));
	struct catalog have, want;
	int ret = -1;
	catalog_init(&have);
	catalog_init(&want);
	d->database = xstrdup(live->display);
	d->migrations = ms->nr;
	int found = db_applied_migrations(live, &d->table, &db_versions);
	if (found < 0) {
		strbuf_addf(err, "cannot read the migration table of '%s': %s", live->display, live->err.buf);
		goto out;
	}
	if (found)
		compare_versions(d, ms, &db_versions, apply);
	else
		for (size_t i = 0; i < ms->nr; i++)
			apply[i] = true, d->applied++;

	for (size_t i = 0; i < ms->nr; i++) {
		const struct script *up = ms->v[i]->up;
		int line = 0;
		if (!apply[i] || !up)
			continue;
		if (shadow_run_script(sh, up->path, up->text, up->len, up->first_line, &line) < 0) {
			strbuf_addf(err, "%s:%d: the history does not apply on the shadow: %s", up->path,
				    line, sh->db->err.buf);
			goto out;
		}
	}
	if (catalog_read(sh->db, &want) < 0) {
		strbuf_addf(err, "cannot read the shadow's catalogue: %s", sh->db->err.buf);
		goto out;
	}
	if (catalog_read(live, &have) < 0) {
		strbuf_addf(err, "cannot read the catalogue of '%s': %s", live->display, live->err.buf);
		goto out;
	}
	struct diff_ctx ctx = { d };
	catalog_diff(&have, &want, on_difference, &ctx);
	for (size_t i = 0; i < sh->not_run.nr; i++)
		strlist_add(&d->not_run, sh->not_run.items[i]);
	ret = 0;
out:
	catalog_release(&have);
	catalog_release(&want);
	strlist_clear(&db_versions);
	free(apply);
	return ret;
}

void drift_print_text(FILE *out, const struct drift *d)
{
	fprintf(out, "drift of %s against the repository's history", d->database);
	if (d->table)
		fprintf(out, " (%zu of %zu migrations applied per %s)", d->applied, d->migrations, d->table);
	else
		fprintf(out, " (no migration table: all %zu migrations expected)", d->migrations);
	fputs(":\n", out);
	for (size_t i = 0; i < d->nr; i++) {
		const struct drift_item *it = &d->v[i];
		fprintf(out, "  %-16s %s \"%s\"", drift_kind_name(it->kind), it->object_kind, it->object);
		if (it->detail) {
			/* Function bodies span lines: keep one line per difference. */
			fputs(": ", out);
			for (const char *p = it->detail; *p; p++)
				fputc(*p == '\n' ? ' ' : *p, out);
		}
		fputc('\n', out);
	}
	if (d->nr)
		fprintf(out, "%zu difference%s\n", d->nr, d->nr == 1 ? "" : "s");
	else
		fputs("  no drift\n", out);
	for (size_t i = 0; i < d->not_run.nr; i++)
		fprintf(out, "not run on the shadow, so not covered: %s\n", d->not_run.items[i]);
}

/*
 * A drift item's fingerprint: FNV-1a (64 bits, twice with different
 * bases) over its kind, object kind and object, not its detail or its
 * place in the list, so that a scheduled run finds the same drifted object
 * under the same name whatever else drifted meanwhile, and an issue
 * tracker can tell a new difference from an old one.
 */
static void drift_fingerprint(const struct drift_item *it, char out[33])
{
	uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
	const char *parts[] = { drift_kind_name(it->kind), it->object_kind, it->object };
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		for (const unsigned char *p = (const unsigned char *)parts[i]; p && *p; p++) {
			a = (a ^ *p) * 0x100000001b3ULL;
			b = (b ^ *p) * 0x100000001b3ULL;
		}
		a = (a ^ 0xff) * 0x100000001b3ULL;   /* a separator no name holds */
		b = (b ^ 0xff) * 0x100000001b3ULL;
	}
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

/* The whole report's fingerprint: its items' fingerprints, sorted, hashed. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void drift_report_fingerprint(const struct drift *d, char out[33])
{
	struct drift_item sum = { .kind = DRIFT_DB_ONLY, .object_kind = "report" };
	char (*fps)[33] = xcalloc(d->nr + 1, sizeof(*fps));
	const char **sorted = xcalloc(d->nr + 1, sizeof(*sorted));
	struct strbuf all = STRBUF_INIT;
	for (size_t i = 0; i < d->nr; i++) {
		drift_fingerprint(&d->v[i], fps[i]);
		sorted[i] = fps[i];
	}
	qsort(sorted, d->nr, sizeof(*sorted), cmp_str);
	for (size_t i = 0; i < d->nr; i++)
		strbuf_addstr(&all, sorted[i]);
	sum.object = all.buf;
	drift_fingerprint(&sum, out);
	strbuf_release(&all);
	free(sorted);
	free(fps);
}

void drift_print_json(FILE *out, const struct drift *d)
{
	char fp[33];
	cJSON *root = cJSON_CreateObject();
	size_t counts[3] = { 0, 0, 0 };
	cJSON_AddStringToObject(root, "database", d->database);
	if (d->table)
		cJSON_AddStringToObject(root, "migration_table", d->table);
	else
		cJSON_AddNullToObject(root, "migration_table");
	cJSON_AddNumberToObject(root, "migrations", (double)d->migrations);
	cJSON_AddNumberToObject(root, "applied", (double)d->applied);
	cJSON *nr = cJSON_AddArrayToObject(root, "not_run");
	for (size_t i = 0; i < d->not_run.nr; i++)
		cJSON_AddItemToArray(nr, cJSON_CreateString(d->not_run.items[i]));
	cJSON *arr = cJSON_AddArrayToObject(root, "drift");
	for (size_t i = 0; i < d->nr; i++) {
		const struct drift_item *it = &d->v[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", drift_kind_name(it->kind));
		drift_fingerprint(it, fp);
		cJSON_AddStringToObject(o, "fingerprint", fp);
		cJSON_AddStringToObject(o, "object_kind", it->object_kind);
		cJSON_AddStringToObject(o, "object", it->object);
		if (it->detail)
			cJSON_AddStringToObject(o, "detail", it->detail);
		cJSON_AddItemToArray(arr, o);
		counts[it->kind]++;
	}
	cJSON *sum = cJSON_AddObjectToObject(root, "summary");
	for (int k = 0; k < 3; k++)
		cJSON_AddNumberToObject(sum, drift_kind_name((enum drift_kind)k), (double)counts[k]);
	cJSON_AddNumberToObject(sum, "total", (double)d->nr);
	drift_report_fingerprint(d, fp);
	cJSON_AddStringToObject(root, "fingerprint", fp);
	char *s = cJSON_Print(root);
	fprintf(out, "%s\n", s);
	cJSON_free(s);
	cJSON_Delete(root);
}

/* A table cell: one line, '|' escaped, no HTML, backticks kept out of code spans. */
static void md_cell(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '\n': case '\r': case '\t': fputc(' ', out); break;
		case '|': fputs("\\|", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '`': fputc('\'', out); break;
		default: fputc((unsigned char)*s < 0x20 ? '?' : *s, out);
		}
	}
}

/*
 * The body of the issue a scheduled drift check opens or updates: what
 * drifted, where, and the fingerprints, with the report's fingerprint on
 * a line of its own (`<!-- sluice-drift: FP -->`) so a workflow can tell
 * whether the open issue already says this.
 */
void drift_print_markdown(FILE *out, const struct drift *d)
{
	char fp[33];
	drift_report_fingerprint(d, fp);
	fprintf(out, "<!-- sluice-drift: %s -->\n", fp);
	fputs("## ", out);
	if (d->nr)
		fprintf(out, "⚠️ sluice: %zu schema difference%s on ", d->nr, d->nr == 1 ? "" : "s");
	else
		fputs("✅ sluice: no schema drift on ", out);
	fputc('`', out);
	md_cell(out, d->database);
	fputs("`\n\n", out);
	if (d->table)
		fprintf(out, "%zu of %zu migrations applied per `%s`.\n\n", d->applied, d->migrations,
			d->table);
	else
		fprintf(out, "No migration table: all %zu migrations expected.\n\n", d->migrations);
	if (d->nr) {
		fputs("| kind | object | detail | fingerprint |\n|---|---|---|---|\n", out);
		for (size_t i = 0; i < d->nr; i++) {
			const struct drift_item *it = &d->v[i];
			drift_fingerprint(it, fp);
			fprintf(out, "| %s | %s `", drift_kind_name(it->kind), it->object_kind);
			md_cell(out, it->object);
			fputs("` | ", out);
			md_cell(out, it->detail);
			fprintf(out, " | `%.12s` |\n", fp);
		}
		fputs("\n", out);
	}
	for (size_t i = 0; i < d->not_run.nr; i++) {
		fputs("- not run on the shadow, so not covered: ", out);
		md_cell(out, d->not_run.items[i]);
		fputc('\n', out);
	}
}
