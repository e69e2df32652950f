/*
 * unit-ladder.c - the severity ladder (README, "Severity") holds for the
 * whole catalogue, and the judge keeps it: one finding per hazard per
 * statement, sizes and lock-time estimates when table sizes are known.
 *
 * Walks every rule: its default severity must be the one its documented
 * consequence class gives, an escalation must be a worse class, size-scaled
 * rules must be about locks. Then the README's ladder table must list every
 * class with its severity, so the documentation cannot drift either.
 */
#include "tap.h"
#include "judge.h"
#include "rules.h"
#include "schema.h"

#include <stdlib.h>
#include <string.h>

static void walk_catalogue(void)
{
	size_t bad = 0;
	for (size_t i = 0; i < rules_count(); i++) {
		const struct rule *r = rule_at(i);
		enum severity want = consequence_severity(r->cq);
		if (r->cq == CQ_UNSET || r->cq >= CQ__COUNT) {
			ok(0, "%s: no consequence class (.cq) documented", r->id);
			bad++;
			continue;
		}
		if (r->sev != want) {
			ok(0, "%s: default severity %s contradicts its consequence '%s' (%s)", r->id,
			   severity_name(r->sev), consequence_name(r->cq), severity_name(want));
			bad++;
		}
		if (r->cq == CQ_LOCK_OVER_BUDGET) {
			ok(0, "%s: '%s' needs a known size; it cannot be a default", r->id,
			   consequence_name(r->cq));
			bad++;
		}
		if (r->cq_worst != CQ_UNSET && consequence_severity(r->cq_worst) <= r->sev) {
			ok(0, "%s: its escalation '%s' is no worse than its default", r->id,
			   consequence_name(r->cq_worst));
			bad++;
		}
		if ((r->flags & RULE_SIZE_SCALED) && r->cq != CQ_LOCK_GROWS && r->cq != CQ_BRIEF_LOCK) {
			ok(0, "%s: scaled by table size, but its consequence '%s' is not about a lock",
			   r->id, consequence_name(r->cq));
			bad++;
		}
		if ((r->flags & RULE_HOT_SCALED) && r->cq_worst != CQ_HOT_QUEUE) {
			ok(0, "%s: raised on hot tables, but its escalation is not '%s'", r->id,
			   consequence_name(CQ_HOT_QUEUE));
			bad++;
		}
	}
	ok(bad == 0, "every one of the %zu rules has a default severity its consequence gives",
	   rules_count());
}

/* A rule whose severity contradicts its class is caught (the check above can fail). */
static void contradiction_caught(void)
{
	struct rule r = { .id = "x", .sev = SEV_BLOCKER, .cq = CQ_FAILS_CLEANLY };
	ok(r.sev != consequence_severity(r.cq), "a BLOCKER that only fails cleanly contradicts "
	   "'%s' (HIGH)", consequence_name(r.cq));
	is_int(consequence_severity(CQ_HALF_MIGRATED), SEV_BLOCKER, "half-migrated is a BLOCKER");
	is_int(consequence_severity(CQ_BRIEF_LOCK), SEV_MEDIUM, "a brief lock is MEDIUM");
	is_int(consequence_severity(CQ_ADVICE), SEV_LOW, "advice is LOW");
}

static void readme_table(void)
{
	const char *src = getenv("SLUICE_SRC");
	char *path = xstrfmt("%s/README.md", src ? src : ".");
	struct strbuf sb = STRBUF_INIT;
	ok(strbuf_read_file(&sb, path, 0) >= 0, "README.md is readable (%s)", path);
	for (int c = CQ_UNSET + 1; c < CQ__COUNT; c++) {
		char *row = xstrfmt("| %s | `%s` |", severity_name(consequence_severity(c)),
				    consequence_name(c));
		ok(sb.buf && strstr(sb.buf, row) != NULL, "the README's ladder has the row '%s'", row);
		free(row);
	}
	strbuf_release(&sb);
	free(path);
}

/* Judges `sql` (in a transaction unless it starts with "--notxn") after `history`. */
static void judge(const char *history, const char *sql, struct schema *s,
		  const struct judge_opts *o, struct file_report *fr)
{
	struct script *h = script_new("h.sql", history, strlen(history));
	struct script *sc = script_new("m.sql", sql, strlen(sql));
	sc->in_txn = strncmp(sql, "--notxn", 7) != 0;
	schema_begin_migration(s, "0");
	replay_script(s, h);
	schema_begin_migration(s, "1");
	judge_script(o, s, NULL, sc, fr);
	script_free(h);
	script_free(sc);
}

static size_t count_rule(const struct stmt *st, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < st->nr_findings; i++)
		n += !strcmp(st->findings[i].rule, rule);
	return n;
}

static const struct finding *find_rule(const struct stmt *st, const char *rule)
{
	for (size_t i = 0; i < st->nr_findings; i++)
		if (!strcmp(st->findings[i].rule, rule))
			return &st->findings[i];
	return NULL;
}

static void one_finding_per_hazard(void)
{
	struct judge_opts o;
	struct schema s;
	struct file_report fr;
	judge_opts_init(&o);
	schema_init(&s);
	judge("CREATE TABLE t (id bigint PRIMARY KEY, a int, b int);",
	      "SET lock_timeout = '1s';\n"
	      "ALTER TABLE t ADD COLUMN g1 int GENERATED ALWAYS AS (a + 1) STORED,\n"
	      "  ADD COLUMN g2 int GENERATED ALWAYS AS (a + 2) STORED,\n"
	      "  ADD COLUMN g3 int GENERATED ALWAYS AS (b * 3) STORED,\n"
	      "  ADD COLUMN r1 int NOT NULL, ADD COLUMN r2 text NOT NULL;\n",
	      &s, &o, &fr);
	const struct stmt *st = &fr.stmts[1];
	is_int(count_rule(st, "add-column-rewrite"), 1, "3 generated columns: one add-column-rewrite");
	const struct finding *f = find_rule(st, "add-column-rewrite");
	ok(f && strstr(f->message, "adding 'g1', 'g2', 'g3' rewrites 't'"),
	   "... naming them all in one sentence: %s", f ? f->message : "(none)");
	is_int(count_rule(st, "add-column-required"), 1, "2 required columns: one add-column-required");
	f = find_rule(st, "add-column-required");
	ok(f && strstr(f->message, "'r1'") && strstr(f->message, "'r2'"),
	   "... naming both: %s", f ? f->message : "(none)");
	/* Near miss: different hazards on one statement stay apart. */
	ok(count_rule(st, "add-column-rewrite") + count_rule(st, "add-column-required") == 2,
	   "different rules on one statement stay two findings");
	file_report_release(&fr);
	schema_release(&s);
	judge_opts_release(&o);
}

/* The worst sub-command sets the severity once: HIGH (rolls back) beside BLOCKER (half-migrated). */
static void worst_sets_severity(void)
{
	struct judge_opts o;
	struct schema s;
	struct file_report fr;
	judge_opts_init(&o);
	schema_init(&s);
	judge("CREATE TABLE t (id bigint PRIMARY KEY); CREATE TABLE e (id bigint PRIMARY KEY);",
	      "--notxn\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n"
	      "ALTER TABLE t ADD COLUMN a int NOT NULL, ADD COLUMN b int NOT NULL;\n", &s, &o, &fr);
	const struct finding *f = find_rule(&fr.stmts[1], "add-column-required");
	ok(f && f->sev == SEV_BLOCKER && count_rule(&fr.stmts[1], "add-column-required") == 1,
	   "outside a transaction after applied work: one BLOCKER (half-migrated), not two (%s)",
	   f ? f->message : "-");
	file_report_release(&fr);
	/* Near miss: in a transaction the same statement rolls back cleanly: HIGH. */
	schema_release(&s);
	schema_init(&s);
	judge("CREATE TABLE t (id bigint PRIMARY KEY);",
	      "CREATE INDEX t_id ON t (id);\n"
	      "ALTER TABLE t ADD COLUMN a int NOT NULL, ADD COLUMN b int NOT NULL;\n", &s, &o, &fr);
	f = find_rule(&fr.stmts[1], "add-column-required");
	ok(f && f->sev == SEV_HIGH && strstr(f->message, "rolls back"),
	   "in a transaction: HIGH, it rolls back (%s)", f ? f->message : "-");
	file_report_release(&fr);
	schema_release(&s);
	judge_opts_release(&o);
}

static void size_scaling(void)
{
	struct judge_opts o;
	struct schema s;
	struct file_report fr;
	judge_opts_init(&o);
	schema_init(&s);
	schema_set_stats(&s, "small", 60, 8192);
	schema_set_stats(&s, "mid", 200000, 20 << 20);
	schema_set_stats(&s, "big", 3000000, 110LL << 20);
	schema_set_stats(&s, "huge", 23000000, 9771050598LL);
	schema_set_write_rate(&s, "huge", 250);
	judge("CREATE TABLE small (v int); CREATE TABLE mid (v int); CREATE TABLE big (v int);"
	      "CREATE TABLE huge (v int); CREATE TABLE nostats (v int);",
	      "CREATE INDEX ON small (v);\nCREATE INDEX ON mid (v);\nCREATE INDEX ON big (v);\n"
	      "CREATE INDEX ON nostats (v);\nALTER TABLE huge ALTER COLUMN v TYPE bigint;\n",
	      &s, &o, &fr);
	const struct finding *f = find_rule(&fr.stmts[0], "create-index-nonconcurrent");
	ok(f && f->sev == SEV_LOW, "60-row table: index build LOW (%s)", f ? f->message : "-");
	f = find_rule(&fr.stmts[1], "create-index-nonconcurrent");
	ok(f && f->sev == SEV_MEDIUM, "200k rows, under blockerSeconds: MEDIUM (%s)",
	   f ? f->message : "-");
	f = find_rule(&fr.stmts[2], "create-index-nonconcurrent");
	ok(f && f->sev == SEV_BLOCKER && strstr(f->message, "~14 s under SHARE on big (3.0M rows, 110.0 MB)"),
	   "3M rows: BLOCKER with the estimate (%s)", f ? f->message : "-");
	f = find_rule(&fr.stmts[3], "create-index-nonconcurrent");
	ok(f && f->sev == SEV_HIGH && !strchr(f->message, '~'),
	   "size unknown: HIGH, no estimate (%s)", f ? f->message : "-");
	f = find_rule(&fr.stmts[4], "alter-column-type");
	ok(f && f->sev == SEV_BLOCKER && strstr(f->message, "~3 min under ACCESS EXCLUSIVE on huge (23M rows, 9.1 GB)"),
	   "23M-row rewrite: minutes under ACCESS EXCLUSIVE (%s)", f ? f->message : "-");
	file_report_release(&fr);

	/* The thresholds are settings: a blockerSeconds of 60 lets the 14 s build stay HIGH. */
	o.blocker_seconds = 60;
	schema_release(&s);
	schema_init(&s);
	schema_set_stats(&s, "big", 3000000, 110LL << 20);
	judge("CREATE TABLE big (v int);", "CREATE INDEX ON big (v);\n", &s, &o, &fr);
	f = find_rule(&fr.stmts[0], "create-index-nonconcurrent");
	ok(f && f->sev == SEV_HIGH, "blockerSeconds 60: the 14 s build on 3M rows is HIGH");
	file_report_release(&fr);
	schema_release(&s);
	judge_opts_release(&o);
}

static void hot_table(void)
{
	struct judge_opts o;
	struct schema s;
	struct file_report fr;
	judge_opts_init(&o);
	schema_init(&s);
	schema_set_stats(&s, "hot", 50000, 1 << 20);
	schema_set_write_rate(&s, "hot", 400);
	schema_set_stats(&s, "cold", 50000, 1 << 20);
	schema_set_write_rate(&s, "cold", 0.5);
	judge("CREATE TABLE hot (v int); CREATE TABLE cold (v int);",
	      "ALTER TABLE hot ADD COLUMN w int;\n", &s, &o, &fr);
	const struct finding *f = find_rule(&fr.stmts[0], "lock-timeout-missing");
	ok(f && f->sev == SEV_HIGH && strstr(f->message, "400 writes/s"),
	   "hot table: no lock_timeout is HIGH (%s)", f ? f->message : "-");
	file_report_release(&fr);
	schema_release(&s);
	schema_init(&s);
	schema_set_stats(&s, "cold", 50000, 1 << 20);
	schema_set_write_rate(&s, "cold", 0.5);
	judge("CREATE TABLE cold (v int);", "ALTER TABLE cold ADD COLUMN w int;\n", &s, &o, &fr);
	f = find_rule(&fr.stmts[0], "lock-timeout-missing");
	ok(f && f->sev == SEV_MEDIUM, "cold table: it stays MEDIUM");
	file_report_release(&fr);
	schema_release(&s);
	judge_opts_release(&o);
}

int main(void)
{
	walk_catalogue();
	contradiction_caught();
	readme_table();
	one_finding_per_hazard();
	worst_sets_severity();
	size_scaling();
	hot_table();
	return done_testing();
}
