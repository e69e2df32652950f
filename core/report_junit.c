/*
 * report_junit.c - JUnit XML, which every CI system without a format of its
 * own reads (Jenkins, GitLab's test reports, Azure Pipelines, CircleCI,
 * Buildkite, TeamCity).
 *
 * One <testcase> per migration file; each unsuppressed finding at or above
 * --fail-on is a <failure> of it, so the test report fails exactly when
 * `sluice check` exits 1. Findings below the threshold, and ignored ones
 * with their reasons, go to the test case's <system-out>, where a reviewer
 * can still read them. A file that could not be judged is an <error>:
 * "could not run", never a pass.
 *
 * XML 1.0 cannot hold most control characters even escaped, so they become
 * '?', and bytes that are not UTF-8 become U+FFFD.
 */
#include "report.h"
#include "rules.h"

#include <stdlib.h>
#include <string.h>

/* `s` as XML character data or an attribute value. */
static void xml_add(struct strbuf *sb, const char *s)
{
	size_t len = s ? strlen(s) : 0, bad;
	while (len) {
		size_t good = utf8_valid(s, len, &bad) ? len : bad;
		for (size_t i = 0; i < good; i++) {
			unsigned char c = (unsigned char)s[i];
			switch (c) {
			case '&': strbuf_addstr(sb, "&amp;"); break;
			case '<': strbuf_addstr(sb, "&lt;"); break;
			case '>': strbuf_addstr(sb, "&gt;"); break;
			case '"': strbuf_addstr(sb, "&quot;"); break;
			case '\'': strbuf_addstr(sb, "&apos;"); break;
			case '\n': case '\t': strbuf_addch(sb, (char)c); break;
			default:
				strbuf_addch(sb, c < 0x20 || c == 0x7f ? '?' : (char)c);
			}
		}
		if (good == len)
			break;
		strbuf_addstr(sb, "\xef\xbf\xbd");
		s += good + 1;
		len -= good + 1;
	}
}

struct junit_counts {
	size_t tests, failures, errors;
};

static bool fails(const struct report *r, const struct finding *f)
{
	return !f->ignored && f->sev >= r->opts->fail_on;
}

static void junit_failure(struct strbuf *sb, const struct file_report *fr,
			  const struct stmt *st, const struct finding *f)
{
	int start, end;
	report_finding_lines(st, f, &start, &end);
	strbuf_addstr(sb, "      <failure type=\"");
	xml_add(sb, severity_name(f->sev));
	strbuf_addstr(sb, "\" message=\"");
	xml_add(sb, f->rule);
	strbuf_addstr(sb, ": ");
	xml_add(sb, f->message);
	strbuf_addstr(sb, "\">");
	xml_add(sb, fr->path);
	strbuf_addf(sb, ":%d: %s %s\n", start, severity_name(f->sev), f->rule);
	xml_add(sb, f->message);
	if (st) {
		strbuf_addstr(sb, "\n\n");
		xml_add(sb, st->sql);
	}
	if (f->fix && *f->fix) {
		strbuf_addstr(sb, "\n\nFix: ");
		xml_add(sb, f->fix);
	}
	strbuf_addstr(sb, "</failure>\n");
}

/* One line of <system-out> for a finding below the threshold, or ignored. */
static void junit_note(struct strbuf *out, const struct file_report *fr,
		       const struct stmt *st, const struct finding *f)
{
	int start, end;
	report_finding_lines(st, f, &start, &end);
	xml_add(out, fr->path);
	strbuf_addf(out, ":%d: %s %s: ", start, severity_name(f->sev), f->rule);
	xml_add(out, f->message);
	if (f->ignored) {
		strbuf_addstr(out, " (ignored: ");
		xml_add(out, *f->ignored ? f->ignored : "no reason given");
		strbuf_addch(out, ')');
	}
	strbuf_addch(out, '\n');
}

static void junit_finding(const struct report *r, struct strbuf *sb, struct strbuf *notes,
			  const struct file_report *fr, const struct stmt *st,
			  const struct finding *f, struct junit_counts *c)
{
	if (fails(r, f)) {
		junit_failure(sb, fr, st, f);
		c->failures++;
	} else {
		junit_note(notes, fr, st, f);
	}
}

static void junit_testcase(struct strbuf *sb, const struct report *r,
			   const struct file_report *fr, struct junit_counts *c)
{
	struct strbuf notes = STRBUF_INIT;

	c->tests++;
	strbuf_addstr(sb, "    <testcase classname=\"sluice.migrations\" name=\"");
	xml_add(sb, fr->path);
	strbuf_addstr(sb, "\" file=\"");
	xml_add(sb, fr->path);
	strbuf_addstr(sb, "\">\n");
	if (fr->error) {
		strbuf_addstr(sb, "      <error type=\"not-judged\" message=\"not judged: ");
		xml_add(sb, fr->error);
		strbuf_addstr(sb, "\"/>\n");
		c->errors++;
	}
	for (size_t s = 0; s < fr->nr_stmts; s++)
		for (size_t k = 0; k < fr->stmts[s].nr_findings; k++)
			junit_finding(r, sb, &notes, fr, &fr->stmts[s], &fr->stmts[s].findings[k], c);
	for (size_t k = 0; k < fr->nr_findings; k++)
		junit_finding(r, sb, &notes, fr, NULL, &fr->findings[k], c);
	if (notes.len) {
		strbuf_addstr(sb, "      <system-out>");
		strbuf_add(sb, notes.buf, notes.len);
		strbuf_addstr(sb, "</system-out>\n");
	}
	strbuf_addstr(sb, "    </testcase>\n");
	strbuf_release(&notes);
}

void report_junit(FILE *out, const struct report *r)
{
	struct strbuf cases = STRBUF_INIT;
	struct junit_counts c = { 0, 0, 0 };

	for (size_t i = 0; i < r->nr; i++)
		junit_testcase(&cases, r, &r->files[i], &c);
	/* Paths that never became a file report: one errored test case each. */
	for (size_t i = 0; i < r->errors.nr; i++) {
		strbuf_addstr(&cases, "    <testcase classname=\"sluice.migrations\" name=\"");
		xml_add(&cases, r->errors.items[i]);
		strbuf_addstr(&cases, "\">\n      <error type=\"not-judged\" message=\"");
		xml_add(&cases, r->errors.items[i]);
		strbuf_addstr(&cases, "\"/>\n    </testcase>\n");
		c.tests++;
		c.errors++;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"sluice\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		"time=\"%.3f\">\n"
		"  <testsuite name=\"sluice check\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		"skipped=\"0\" time=\"%.3f\">\n",
		c.tests, c.failures, c.errors, r->elapsed, c.tests, c.failures, c.errors, r->elapsed);
	fwrite(cases.buf, 1, cases.len, out);
	fputs("  </testsuite>\n</testsuites>\n", out);
	strbuf_release(&cases);
}
