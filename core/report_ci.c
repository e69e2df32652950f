/*
 * report_ci.c - SARIF, GitHub annotations and the Markdown PR comment
 * (being written).
 */
#include "report.h"

void report_sarif(FILE *out, const struct report *r)
{
	report_json(out, r);
}

void report_github(FILE *out, const struct report *r)
{
	report_text(out, r, false);
}

void report_markdown(FILE *out, const struct report *r)
{
	report_text(out, r, false);
}
