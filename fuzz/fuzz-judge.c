/*
 * fuzz-judge.c - libFuzzer target for the path every migration takes:
 * the statement splitter, libpg_query, the schema model and the judge.
 *
 * The input is one migration script. It is judged twice, once as if the
 * framework wrapped it in a transaction and once not, each time on a fresh
 * schema, because several rules (CONCURRENTLY, lock_timeout, BEGIN/COMMIT
 * nesting) only run in one of the two contexts. The reports are then put
 * through every reporter, to a null stream, since reporters walk the same
 * statements and escape whatever text the input holds.
 *
 * Build: configure with CC=clang --enable-fuzz, or `make fuzz/fuzz-judge`
 * (see mk/fuzz.mk); run: ./dev fuzz.
 */
#include "judge.h"
#include "model.h"
#include "parse.h"
#include "report.h"
#include "schema.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void judge_once(const struct judge_opts *o, const uint8_t *data, size_t size, bool in_txn)
{
	struct script *sc = script_new("fuzz.sql", (const char *)data, size);
	struct schema s;
	struct file_report fr;
	struct report r;

	sc->in_txn = in_txn;
	schema_init(&s);
	schema_begin_migration(&s, "1");
	judge_script(o, &s, NULL, sc, &fr);

	memset(&r, 0, sizeof(r));
	r.files = &fr;
	r.nr = 1;
	r.opts = o;
	static const char *const formats[] = { "json", "sarif", "github", "markdown" };
	for (size_t i = 0; i < sizeof(formats) / sizeof(*formats); i++)
		report_format(formats[i])(devnull, &r);
	report_text(devnull, &r, true);

	file_report_release(&fr);
	schema_release(&s);
	script_free(sc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct judge_opts o;

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	judge_opts_init(&o);
	judge_once(&o, data, size, true);
	judge_once(&o, data, size, false);
	judge_opts_release(&o);
	return 0;
}
