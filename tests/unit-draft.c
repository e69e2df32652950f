/*
 * unit-draft.c - draft pieces that the shell tests cannot reach: identifier
 * quoting (quote_ident's rules), and the runbook's timing estimate from
 * table statistics, which only a connected database provides.
 */
#include "draft.h"
#include "tap.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_quoting(void)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "users", "users" }, { "user", "\"user\"" }, { "Users", "\"Users\"" },
		{ "order", "\"order\"" }, { "a b", "\"a b\"" }, { "we\"ird", "\"we\"\"ird\"" },
		{ "_x1$", "_x1$" }, { "1abc", "\"1abc\"" }, { "", "\"\"" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf sb = STRBUF_INIT;
		sql_add_ident(&sb, cases[i].in);
		is_str(sb.buf, cases[i].want, "quote_ident(%s)", cases[i].in);
		strbuf_release(&sb);
	}
	struct strbuf sb = STRBUF_INIT;
	sql_add_qualified(&sb, "Sales.order");
	is_str(sb.buf, "\"Sales\".\"order\"", "schema-qualified, each part quoted");
	strbuf_reset(&sb);
	sql_add_literal(&sb, "it's");
	is_str(sb.buf, "'it''s'", "quote_literal");
	strbuf_release(&sb);
	ok(sql_parses("SELECT \"order\" FROM \"user\"", NULL), "quoted reserved words parse");
	char *why = NULL;
	ok(!sql_parses("SELECT FROM WHERE", &why) && why, "a bad statement gives the parser's message");
	free(why);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void test_runbook_stats(void)
{
	char dir[] = "/tmp/sluice-unit-draft.XXXXXX";
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	char *p1 = xstrfmt("%s/000001_init.up.sql", dir), *p2 = xstrfmt("%s/000002_idx.up.sql", dir);
	write_file(p1, "CREATE TABLE users (id bigserial PRIMARY KEY, email text);\n");
	write_file(p2, "CREATE INDEX users_email_idx ON users (email);\n");

	struct migration_set ms;
	struct judge_opts opts;
	struct schema s, stats;
	struct file_report fr;
	struct draft d;
	const char *paths[] = { dir };
	migration_set_init(&ms);
	judge_opts_init(&opts);
	discover_paths(&ms, paths, 1);
	is_int(ms.nr, 2, "two migrations found");
	draft_history_schema(&ms, 1, &s);
	schema_begin_migration(&s, ms.v[1]->id);
	judge_script(&opts, &s, ms.v[1], ms.v[1]->up, &fr);

	/* what core/db would fill in from pg_class */
	draft_history_schema(&ms, 1, &stats);
	schema_set_stats(&stats, "users", 12000000, 3LL * 1024 * 1024 * 1024);

	struct draft_ctx ctx = { .ms = &ms, .target = 1, .opts = &opts, .report = &fr, .stats = &stats };
	draft_init(&d);
	is_int(draft_runbook(&ctx, NULL, &d), 0, "runbook drafted");
	ok(d.nr == 1 && strstr(d.files[0].text, "on users (12M rows, 3.0 GB), from table statistics"),
	   "estimate from the table's statistics");
	ok(d.nr == 1 && strstr(d.files[0].text, "~54 s under SHARE"),
	   "12M-row index build: about a minute, the findings' estimate");
	draft_release(&d);

	ctx.stats = NULL;
	draft_init(&d);
	draft_runbook(&ctx, NULL, &d);
	ok(d.nr == 1 && strstr(d.files[0].text, "per GB (no statistics"), "without statistics: per GB");
	draft_release(&d);

	file_report_release(&fr);
	schema_release(&s);
	schema_release(&stats);
	migration_set_release(&ms);
	judge_opts_release(&opts);
	unlink(p1);
	unlink(p2);
	rmdir(dir);
	free(p1);
	free(p2);
}

int main(void)
{
	test_quoting();
	test_runbook_stats();
	return done_testing();
}
