/*
 * db_check.c - the database's part of `sluice check` (see db.h).
 */
#include "db.h"
#include "check.h"
#include "report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

void db_check_before(struct db_check *dc, struct check_run *run, const char *url)
{
	struct strbuf err = STRBUF_INIT;
	if (!url)
		return;
	dc->live = db_open_live(url, &err);
	if (!dc->live) {
		warning("%s; judging without table statistics", err.buf);
	} else if (db_load_stats(dc->live, &run->schema) < 0) {
		warning("cannot read table statistics from '%s': %s; judging without them",
			dc->live->display, dc->live->err.buf);
		db_close(dc->live);
		dc->live = NULL;
	}
	strbuf_release(&err);
}

int db_check_after(struct db_check *dc, struct check_run *run)
{
	struct strbuf err = STRBUF_INIT;
	struct shadow sh;
	double t0 = now_seconds();
	if (!dc->verify)
		return 0;
	if (shadow_open(&sh, dc->shadow_url, &err) < 0) {
		dc->error = xstrfmt("no shadow database: %s", err.buf);
		strbuf_release(&err);
		return -1;
	}
	dc->open_seconds = now_seconds() - t0;
	dc->own_cluster = sh.own_cluster;
	shadow_verify(&sh, run, &dc->v);
	dc->verified = true;
	shadow_close(&sh);
	strbuf_release(&err);
	return 0;
}

bool db_check_print(const struct db_check *dc, const struct check_run *run, const char *format,
		    FILE *out, bool color)
{
	if (!dc->live && !dc->verified)
		return false;
	if (!strcmp(format, "json")) {
		cJSON *root = report_json_tree(&run->report);
		if (dc->live)
			db_annotate_json(root, &run->report, &run->schema);
		if (dc->verified)
			verify_add_json(root, run, &dc->v);
		char *s = cJSON_Print(root);
		fprintf(out, "%s\n", s);
		cJSON_free(s);
		cJSON_Delete(root);
		return true;
	}
	if (strcmp(format, "text"))
		return false;
	report_text(out, &run->report, color);
	if (dc->live)
		db_print_stats(out, &run->report, &run->schema, dc->live->display);
	if (dc->verified)
		verify_print_text(out, run, &dc->v);
	return true;
}

void db_check_release(struct db_check *dc)
{
	db_close(dc->live);
	verify_run_release(&dc->v);
	free(dc->error);
	memset(dc, 0, sizeof(*dc));
}
