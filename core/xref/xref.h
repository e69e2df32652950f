/*
 * xref.h - the app-code cross-check: who reads the columns a migration changes.
 *
 * After a run is judged inside a repository, xref_annotate() takes every
 * schema element the pending statements drop, rename, retype or make
 * NOT NULL, finds the application code at the same commit that references
 * it (raw SQL in strings and .sql files, ORM mappings, bare identifiers),
 * attaches each hit to its statement (stmt->refs), adds findings where the
 * code would break while the migration deploys, and leaves a verdict table
 * per file in file_report->compat for every reporter.
 */
#ifndef SLUICE_XREF_H
#define SLUICE_XREF_H

#include <stdio.h>

struct app_sql;
struct check_run;
struct cJSON;
struct file_report;
struct strbuf;
struct strlist;

/* How sure a reference is (app_ref.confidence); larger is surer. */
#define XREF_BARE 1   /* the identifier, in code, table unknown */
#define XREF_ORM  2   /* an ORM attribute or mapping of that table */
#define XREF_SQL  3   /* the column or table in SQL that names that table */
const char *xref_confidence_name(int confidence);

/*
 * Annotates the judged statements of run->report with the references found
 * in the repository at run->ms.workdir. Returns 0, or -1 when the
 * repository could not be read (a message is added to run->report.errors;
 * the judged report stands).
 */
int xref_annotate(struct check_run *run);
/*
 * Takes what the cross-check needs from report file `f` (the elements its
 * statements change, small strings) while its parse trees still exist, so
 * that check_judge() can free them at once; xref_annotate() then uses
 * these instead of the trees. xref_facts_free() drops unused facts.
 */
void xref_extract_file(struct check_run *run, size_t f);
void xref_facts_free(struct check_run *run);

/* The per-file verdict table (fr->compat), for reporters; nothing when there is none. */
void xref_compat_text(FILE *out, const struct file_report *fr);
void xref_compat_markdown(FILE *out, const struct file_report *fr);
struct cJSON *xref_compat_json(const struct file_report *fr);

/*
 * The application's own SQL (app_sql.h; xref_sql.c): the statements of the
 * application code at run->ms.workdir that name one of `tables`. 0, or -1
 * with why in *err (the repository cannot be read).
 */
int app_sql_collect(const struct check_run *run, const struct strlist *tables, struct app_sql *out,
		    struct strbuf *err);

#endif
