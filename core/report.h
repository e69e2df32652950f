/*
 * report.h - writing a judged set of files in each output format.
 *
 * Every reporter reads the same struct report and writes to a FILE; none
 * judges anything. The JSON field names are a contract with CI users:
 * {"files":[{"path","statements":[{"line","sql","class","lock","severity",
 * "findings":[{"rule","severity","message","fix"}]}]}],"summary":{...}}
 */
#ifndef SLUICE_REPORT_H
#define SLUICE_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "judge.h"
#include "model.h"

struct cJSON;

struct report {
	struct file_report *files;
	size_t nr;
	const struct judge_opts *opts;
	const char *branch, *base;   /* may be NULL */
	struct strlist errors;       /* files that could not be read at all */
	double elapsed;              /* seconds spent judging */
};

struct report_counts {
	size_t files, statements, findings, ignored;
	size_t unparsed;             /* statements that did not parse: not judged */
	size_t by_sev[SEV__COUNT];
	enum severity worst;
};
void report_count(const struct report *r, struct report_counts *c);
/*
 * A statement's class and lock as every reporter prints them: one that did
 * not parse was not judged, so it has neither ("NOT JUDGED", "not judged"),
 * never "SAFE" and "none".
 */
const char *stmt_class_label(const struct stmt *st);
const char *stmt_lock_label(const struct stmt *st);
/* "; 2 statements not judged (they do not parse)" for the verdict line, or "". */
void report_unparsed_note(struct strbuf *sb, const struct report_counts *c);
/* Does anything unsuppressed reach the --fail-on threshold? */
bool report_fails(const struct report *r);

void report_text(FILE *out, const struct report *r, bool color);
void report_json(FILE *out, const struct report *r);
struct cJSON *report_json_tree(const struct report *r);
/* Replaces bytes that are not UTF-8 in every string of a tree with U+FFFD. */
void report_json_fix_utf8(struct cJSON *tree);
void report_sarif(FILE *out, const struct report *r);
void report_github(FILE *out, const struct report *r);
void report_markdown(FILE *out, const struct report *r);

/*
 * The eight risk categories, each PASS / FLAG / BLOCK with the statement it
 * comes from (the worst finding in that category). FLAG: a MEDIUM or HIGH
 * finding; BLOCK: a BLOCKER. Ignored findings do not count.
 */
enum cat_state { CAT_PASS, CAT_FLAG, CAT_BLOCK };
struct category_row {
	enum cat_state state;
	enum severity sev;          /* of the worst finding */
	const char *path;           /* where it comes from; NULL on PASS */
	int line;
	const char *rule;
};
void report_categories(const struct report *r, struct category_row rows[CAT__COUNT]);
const char *cat_state_name(enum cat_state s);

/*
 * The run's verdict (report_verdict.c): NOT JUDGED whenever an input was
 * not judged (report.errors, a file's error: binary, too big, unreadable,
 * refused), whatever the judged files say, so that no reporter ever
 * claims a pass for what was not read; else verdict_of() the files.
 */
enum verdict report_verdict(const struct report *r);
/* The message naming each input not judged, in report order. */
void report_not_judged(const struct report *r, struct strlist *out);
/* The same as a JSON array of strings, added to obj under key (JSON and SARIF). */
void report_not_judged_json(const struct report *r, struct cJSON *obj, const char *key);

/* Calls fn for every finding of the report (ignored ones too), statement-level ones first. */
typedef void (*report_finding_fn)(const struct file_report *fr, const struct stmt *st,
				  const struct finding *f, void *data);
void report_each_finding(const struct report *r, report_finding_fn fn, void *data);
/* Where a finding points: its statement's lines (st may be NULL), or its own line; never 0. */
void report_finding_lines(const struct stmt *st, const struct finding *f, int *start, int *end);

/* The reporters for CI systems other than GitHub (core/report_gitlab.c, core/report_junit.c). */
void report_gitlab(FILE *out, const struct report *r);
void report_junit(FILE *out, const struct report *r);

/* Looks a format up by name; NULL when unknown. */
typedef void (*report_fn)(FILE *out, const struct report *r);
report_fn report_format(const char *name);

#endif
