/*
 * report_gitlab.c - GitLab Code Quality: the JSON array GitLab reads from a
 * job's `artifacts:reports:codequality` and shows in the merge request.
 *
 * The format is a subset of the Code Climate issue spec; GitLab reads
 * description, check_name, fingerprint, severity (info, minor, major,
 * critical, blocker), location.path and location.lines.begin
 * (docs.gitlab.com, "Code Quality", "Implement a custom tool").
 *
 * GitLab compares the base pipeline's report with the merge request's by
 * fingerprint, to say which issues are new and which were fixed. So a
 * fingerprint must not move when a line is added above the statement: it
 * hashes the path, the rule and the statement's text with its blanks
 * folded, plus how many identical (path, rule, text) came before it in the
 * file, never a line number.
 *
 * Ignored findings are left out (GitLab has no suppressions); a file that
 * could not be judged is an issue of its own, so the widget never shows a
 * clean report for it.
 */
#include "report.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Code Quality's five severities, from sluice's four. */
static const char *gitlab_severity(enum severity s)
{
	switch (s) {
	case SEV_BLOCKER: return "blocker";
	case SEV_HIGH:    return "critical";
	case SEV_MEDIUM:  return "major";
	default:          return "minor";
	}
}

/* FNV-1a, 64 bits, over `s` with runs of blanks folded to one space. */
static uint64_t fnv_folded(uint64_t h, const char *s)
{
	bool blank = false;
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			blank = true;
			continue;
		}
		if (blank) {
			h = (h ^ ' ') * 0x100000001b3ULL;
			blank = false;
		}
		h = (h ^ c) * 0x100000001b3ULL;
	}
	return (h ^ 0xff) * 0x100000001b3ULL;   /* a field separator no text holds */
}

struct gl_key {
	uint64_t a, b;      /* two FNV-1a hashes with different bases: 128 bits */
};

static struct gl_key gl_key_of(const char *path, const struct finding *f, const char *text)
{
	struct gl_key k = { 0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL };
	const char *parts[] = { path, f->rule, text };
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		k.a = fnv_folded(k.a, parts[i]);
		k.b = fnv_folded(k.b, parts[i]);
	}
	return k;
}

struct gl_state {
	cJSON *issues;
	const struct file_report *file;  /* the file the keys below belong to */
	struct gl_key *keys;             /* keys of this file's findings so far */
	size_t nr, alloc;
};

/* The fingerprint: the key, and the number of equal keys before it in the file. */
static void gl_fingerprint(struct gl_state *gs, struct gl_key k, char out[33])
{
	uint64_t seen = 0;
	for (size_t i = 0; i < gs->nr; i++)
		seen += gs->keys[i].a == k.a && gs->keys[i].b == k.b;
	ALLOC_GROW(gs->keys, gs->nr + 1, gs->alloc);
	gs->keys[gs->nr++] = k;
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)(k.a ^ seen * 0x9e3779b97f4a7c15ULL),
		 (unsigned long long)k.b);
}

static cJSON *gl_issue(const char *check, const char *description, const char *severity,
		       const char *path, int begin, int end, const char *fingerprint)
{
	cJSON *o = cJSON_CreateObject(), *loc, *lines;
	cJSON_AddStringToObject(o, "type", "issue");
	cJSON_AddStringToObject(o, "check_name", check);
	cJSON_AddStringToObject(o, "description", description);
	cJSON_AddStringToObject(o, "severity", severity);
	cJSON_AddStringToObject(o, "fingerprint", fingerprint);
	loc = cJSON_AddObjectToObject(o, "location");
	cJSON_AddStringToObject(loc, "path", path);
	lines = cJSON_AddObjectToObject(loc, "lines");
	cJSON_AddNumberToObject(lines, "begin", begin);
	cJSON_AddNumberToObject(lines, "end", end);
	return o;
}

static void gl_finding(const struct file_report *fr, const struct stmt *st,
		       const struct finding *f, void *data)
{
	struct gl_state *gs = data;
	char fp[33], *desc;
	int begin, end;

	if (f->ignored)
		return;
	if (gs->file != fr) {
		gs->file = fr;
		gs->nr = 0;
	}
	gl_fingerprint(gs, gl_key_of(fr->path, f, st ? st->sql : f->message), fp);
	report_finding_lines(st, f, &begin, &end);
	desc = f->fix && *f->fix ? xstrfmt("%s: %s. Fix: %s", f->rule, f->message, f->fix)
				 : xstrfmt("%s: %s", f->rule, f->message);
	cJSON_AddItemToArray(gs->issues, gl_issue(f->rule, desc, gitlab_severity(f->sev),
						  fr->path, begin, end, fp));
	free(desc);
}

/* A file sluice could not judge: never a silent pass in the widget. */
static void gl_not_judged(struct gl_state *gs, const char *path, int line, const char *why)
{
	struct finding f = { .rule = "not-judged", .message = (char *)why };
	char fp[33], *desc = xstrfmt("not judged: %s", why);
	gs->file = NULL;
	gs->nr = 0;
	gl_fingerprint(gs, gl_key_of(path, &f, why), fp);
	cJSON_AddItemToArray(gs->issues, gl_issue("not-judged", desc, "critical", path, line, line, fp));
	free(desc);
}

/*
 * An input that never became a file report: its message starts with the
 * path, "PATH: why" or "PATH:LINE: why" (the form of every error()).
 */
static void gl_unreadable(struct gl_state *gs, const char *msg)
{
	const char *colon = strstr(msg, ": "), *end = colon;
	int line = 1;
	char *path;
	if (!colon) {
		gl_not_judged(gs, ".", 1, msg);
		return;
	}
	while (end > msg && end[-1] >= '0' && end[-1] <= '9')
		end--;
	if (end < colon && end > msg && end[-1] == ':') {
		line = atoi(end);
		end--;
	} else {
		end = colon;
	}
	path = xstrndup(msg, (size_t)(end - msg));
	gl_not_judged(gs, path, line > 0 ? line : 1, msg);
	free(path);
}

void report_gitlab(FILE *out, const struct report *r)
{
	struct gl_state gs = { cJSON_CreateArray(), NULL, NULL, 0, 0 };
	char *text;

	report_each_finding(r, gl_finding, &gs);
	for (size_t i = 0; i < r->nr; i++)
		if (r->files[i].error)
			gl_not_judged(&gs, r->files[i].path, 1, r->files[i].error);
	for (size_t i = 0; i < r->errors.nr; i++)
		gl_unreadable(&gs, r->errors.items[i]);
	report_json_fix_utf8(gs.issues);
	text = cJSON_Print(gs.issues);
	fputs(text, out);
	fputc('\n', out);
	free(text);
	free(gs.keys);
	cJSON_Delete(gs.issues);
}
