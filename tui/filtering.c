/*
 * filtering.c - the list's filter (f): which of app.entries the list
 * shows. What a filter matches is core/filter.c's business; this keeps
 * the rows, the prompt, and the cursor on the migration it was on.
 */
#include "app.h"
#include "navigate.h"
#include "check.h"
#include "filter.h"

#include <stdlib.h>
#include <string.h>

static struct mig_filter filter = MIG_FILTER_INIT;
static size_t *rows;   /* indexes into app.entries */
static size_t nr_rows, alloc_rows;

static const struct file_report *report_file(long i)
{
	return i >= 0 ? &app.run->report.files[i] : NULL;
}

void filtering_apply(void)
{
	nr_rows = 0;
	for (size_t i = 0; app.run && i < app.nr_entries; i++) {
		const struct entry *e = &app.entries[i];
		if (!filter_match(&filter, app.run->ms.v[e->migration], report_file(e->up), report_file(e->down)))
			continue;
		ALLOC_GROW(rows, nr_rows + 1, alloc_rows);
		rows[nr_rows++] = i;
	}
}

size_t filtering_rows(void)
{
	return nr_rows;
}

const struct entry *filtering_entry(size_t row)
{
	return row < nr_rows && rows[row] < app.nr_entries ? &app.entries[rows[row]] : NULL;
}

long filtering_row_of(const struct entry *e)
{
	for (size_t r = 0; e && r < nr_rows; r++)
		if (&app.entries[rows[r]] == e)
			return (long)r;
	return -1;
}

const char *filtering_text(void)
{
	return filter_active(&filter) ? filter.text : NULL;
}

/* New rows: the list keeps its cursor on the same migration when it is still shown. */
static void rows_changed(const struct entry *was)
{
	filtering_apply();
	long row = filtering_row_of(was);
	view_open(&app.list);
	view_goto(&app.list, row >= 0 ? (size_t)row : 0);
	view_open(&app.preview);
}

bool filtering_clear(void)
{
	if (!filter_active(&filter))
		return false;
	const struct entry *was = filtering_entry(app.list.lineno);
	filter_release(&filter);
	rows_changed(was);
	app_message(ROLE_STATUS, "filter cleared: all %zu migrations", app.nr_entries);
	return true;
}

static void filter_done(const char *text)
{
	struct mig_filter next = MIG_FILTER_INIT;
	struct strbuf err = STRBUF_INIT;
	const struct entry *was = filtering_entry(app.list.lineno);

	if (filter_parse(&next, text, &err) < 0) {
		app_message(ROLE_ERROR, "filter: %s", err.buf);
	} else if (!filter_active(&next)) {
		filtering_clear();
	} else {
		filter_release(&filter);
		filter = next;
		next = (struct mig_filter)MIG_FILTER_INIT;
		rows_changed(was);
	}
	filter_release(&next);
	strbuf_release(&err);
}

void filtering_prompt(void)
{
	app_prompt("filter: ", filter_done);
	if (filter_active(&filter))
		strbuf_addstr(&app.prompt, filter.text);
}

void filtering_release(void)
{
	filter_release(&filter);
	free(rows);
	rows = NULL;
	nr_rows = alloc_rows = 0;
}
