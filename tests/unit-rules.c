/*
 * unit-rules.c - runs every per-rule test file in tests/rules/.
 *
 * One file per rule, named after it (tests/rules/<rule-id>.sql). The file
 * is a migration with its expectations in comments:
 *
 *   -- test: pg=10             judge for PostgreSQL 10
 *   -- test: txn               the framework runs the script in a transaction
 *   -- test: fw=goose          the migration's framework (default: plain, or
 *                              golang-migrate with txn)
 *   -- test: rows users=500    table statistics, as a database would give
 *   -- test: history           what follows, up to the next section, is the
 *                              applied history (replayed, not judged)
 *   -- test: branch            what follows is an earlier migration of this
 *                              branch, not yet applied anywhere (judged,
 *                              unchecked): the tables it creates are new
 *   -- test: up / -- test: down   the migration's up and down scripts
 *
 *   -- expect: RULE [SEVERITY]    the next statement has this finding
 *   -- expect-ignored: RULE       ... has it, suppressed by an ignore
 *   -- expect-lock: SHARE         ... takes this lock
 *   -- expect-class: BLOCKING     ... gets this class
 *   -- expect-file: RULE [SEV]    the script has this file-level finding
 *
 * Every statement without an `expect` of the file's own rule is a near
 * miss: that rule must not fire on it. And every rule in the catalogue must
 * have a test file. A test that cannot fail is a bug of its own: an unknown
 * "-- test:" or "-- expect...:" key, or an expectation that no statement
 * follows, fails the file.
 */
#include "judge.h"
#include "rules.h"
#include "schema.h"
#include "tap.h"
#include "util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

struct section {
	struct strbuf text;
	int first_line;
	bool present;
};

struct testfile {
	const char *rule;
	struct section history, branch, up, down;
	struct judge_opts opts;
	bool txn;
	int fw;                  /* -1: from txn */
	struct strlist row_tables;
	struct strlist row_counts;
	struct strlist bad_headers; /* "-- test:" lines that say nothing known */
};

static void parse_header(struct testfile *tf, const char *line)
{
	const char *p = line + strlen("-- test:");
	while (*p == ' ')
		p++;
	bool known = true;
	if (starts_with(p, "pg="))
		known = (tf->opts.pg_version = atoi(p + 3)) > 0;
	else if (starts_with(p, "txn"))
		tf->txn = true;
	else if (starts_with(p, "fw=")) {
		known = false;
		for (int fw = 0; fw < FW__COUNT; fw++)
			if (!strncmp(p + 3, framework_name(fw), strlen(framework_name(fw)))) {
				tf->fw = fw;
				known = true;
			}
	}
	else if (starts_with(p, "rows ")) {
		char name[128];
		long long n;
		known = sscanf(p + 5, "%127[^=]=%lld", name, &n) == 2;
		if (known) {
			strlist_add(&tf->row_tables, name);
			strlist_add_nodup(&tf->row_counts, xstrfmt("%lld", n));
		}
	} else
		known = false;
	if (!known)
		strlist_add_nodup(&tf->bad_headers, xstrndup(line, strcspn(line, "\n")));
}

static void split_sections(struct testfile *tf, const char *text)
{
	struct section *cur = &tf->up;
	int line = 1;
	tf->up.first_line = 1;
	tf->up.present = true;
	for (const char *p = text; *p; line++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
		struct section *next = NULL;
		if (starts_with(p, "-- test: history"))
			next = &tf->history;
		else if (starts_with(p, "-- test: branch"))
			next = &tf->branch;
		else if (starts_with(p, "-- test: up"))
			next = &tf->up;
		else if (starts_with(p, "-- test: down"))
			next = &tf->down;
		else if (starts_with(p, "-- test:"))
			parse_header(tf, p);
		if (next) {
			cur = next;
			cur->present = true;
			strbuf_reset(&cur->text);
			cur->first_line = line + 1;
		} else {
			strbuf_add(&cur->text, p, n);
		}
		p += n;
	}
}

static bool has_finding(const struct finding *fs, size_t n, const char *rule, const char *sev,
			bool ignored)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fs[i].rule, rule) || !!fs[i].ignored != ignored)
			continue;
		if (sev && *sev && strcmp(severity_name(fs[i].sev), sev))
			continue;
		return true;
	}
	return false;
}

static void describe(const struct finding *fs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("#   has %s %s%s: %s\n", fs[i].rule, severity_name(fs[i].sev),
		       fs[i].ignored ? " (ignored)" : "", fs[i].message);
}

/* The "-- expect<what>:" keys a statement's comments may hold ("-file" is the file's). */
static bool statement_key(const char *what)
{
	static const char *const keys[] = { "", "-ignored", "-lock", "-class" };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(what, keys[i]))
			return true;
	return false;
}

/*
 * Checks the "-- expect...:" lines against a statement (st) or, with st
 * NULL, the file: there an unknown key fails, and the statement keys are
 * counted, for the caller to compare with what the statements checked.
 * Returns the number of statement keys seen.
 */
static int check_expect_lines(const char *name, const char *comments, const struct stmt *st,
			      const struct file_report *fr, bool *own_expected, const char *own)
{
	int keys = 0;
	const char *p = comments;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		char line[512];
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		char *l = line;
		while (*l == ' ' || *l == '\t')
			l++;
		char what[32], a[128] = "", b[32] = "";
		if (sscanf(l, "-- expect%31[^:]: %127s %31s", what, a, b) >= 2 ||
		    (sscanf(l, "-- expect: %127s %31s", a, b) >= 1 && (strcpy(what, ""), 1))) {
			int at = st ? st->line : 0;
			keys += statement_key(what);
			if (!st && !statement_key(what) && strcmp(what, "-file"))
				ok(0, "%s: unknown expectation '-- expect%s:' (a test that cannot fail)",
				   name, what);
			if (!strcmp(what, "") && st) {
				if (!strcmp(a, own))
					*own_expected = true;
				if (!ok(has_finding(st->findings, st->nr_findings, a, b, false),
					"%s:%d: %s %s", name, at, a, b))
					describe(st->findings, st->nr_findings);
			} else if (!strcmp(what, "-ignored") && st) {
				if (!strcmp(a, own))
					*own_expected = true;
				ok(has_finding(st->findings, st->nr_findings, a, NULL, true),
				   "%s:%d: %s is reported and ignored", name, at, a);
			} else if (!strcmp(what, "-lock") && st) {
				/* lock names have spaces: take the rest of the line */
				const char *rest = strstr(l, ":") + 1;
				while (*rest == ' ')
					rest++;
				is_str(lock_name(st->lock), rest, "%s:%d: lock", name, at);
			} else if (!strcmp(what, "-class") && st) {
				is_str(class_name(st->cls), a, "%s:%d: class", name, at);
			} else if (!strcmp(what, "-file") && fr) {
				if (!ok(has_finding(fr->findings, fr->nr_findings, a, b, false),
					"%s: file finding %s %s", name, a, b))
					describe(fr->findings, fr->nr_findings);
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return keys;
}

static void judge_section(struct testfile *tf, const char *name, struct section *sec,
			  enum direction dir, struct schema *schema, struct migration *m)
{
	struct script *sc = script_new(name, sec->text.buf, sec->text.len);
	struct file_report fr;
	sc->first_line = sec->first_line;
	sc->dir = dir;
	sc->in_txn = tf->txn;
	judge_script(&tf->opts, schema, m, sc, &fr);
	int checked = 0;
	for (size_t i = 0; i < fr.nr_stmts; i++) {
		const struct stmt *st = &fr.stmts[i];
		bool own = false;
		checked += check_expect_lines(name, st->comments, st, NULL, &own, tf->rule);
		if (!own && has_finding(st->findings, st->nr_findings, tf->rule, NULL, false)) {
			ok(0, "%s:%d: near miss: %s must not fire", name, st->line, tf->rule);
			describe(st->findings, st->nr_findings);
		}
	}
	bool dummy;
	int written = check_expect_lines(name, sec->text.buf, NULL, &fr, &dummy, tf->rule);
	if (written != checked)
		ok(0, "%s: %d of %d statement expectations have no statement after them", name,
		   written - checked, written);
	file_report_release(&fr);
	script_free(sc);
}

static void run_file(const char *dir, const char *file)
{
	struct testfile tf;
	struct strbuf sb = STRBUF_INIT;
	struct schema schema;
	char *path = xstrfmt("%s/%s", dir, file);
	char *rule = xstrndup(file, strlen(file) - 4);

	memset(&tf, 0, sizeof(tf));
	judge_opts_init(&tf.opts);
	tf.rule = rule;
	tf.fw = -1;
	strbuf_init(&tf.history.text, 0);
	strbuf_init(&tf.branch.text, 0);
	strbuf_init(&tf.up.text, 0);
	strbuf_init(&tf.down.text, 0);
	if (strbuf_read_file(&sb, path, 0) < 0) {
		ok(0, "cannot read %s", path);
		goto out;
	}
	ok(rule_find(rule) != NULL, "%s names a rule in the catalogue", file);
	split_sections(&tf, sb.buf);
	for (size_t i = 0; i < tf.bad_headers.nr; i++)
		ok(0, "%s: unknown test header '%s' (a test that cannot fail)", file,
		   tf.bad_headers.items[i]);
	schema_init(&schema);
	if (tf.history.present) {
		struct script *h = script_new("history.sql", tf.history.text.buf, tf.history.text.len);
		schema_begin_migration(&schema, "0_history");
		replay_script(&schema, h);
		script_free(h);
	}
	if (tf.branch.present) {
		/* judged as check does a pending migration of the branch, unchecked */
		struct script *b = script_new("branch.sql", tf.branch.text.buf, tf.branch.text.len);
		struct file_report bfr;
		schema_begin_migration(&schema, "0_branch");
		schema.branch_new = true;
		judge_script(&tf.opts, &schema, NULL, b, &bfr);
		file_report_release(&bfr);
		script_free(b);
	}
	for (size_t i = 0; i < tf.row_tables.nr; i++)
		schema_set_stats(&schema, tf.row_tables.items[i], atoll(tf.row_counts.items[i]), -1);

	struct migration m = { 0 };
	m.id = xstrdup("1_test");
	m.name = xstrdup(rule);
	m.fw = tf.fw >= 0 ? (enum framework)tf.fw : tf.txn ? FW_GOLANG_MIGRATE : FW_PLAIN;
	m.up = script_new(file, tf.up.text.buf, tf.up.text.len);
	m.up->first_line = tf.up.first_line;
	m.up->in_txn = tf.txn;
	if (tf.down.present) {
		m.down = script_new(file, tf.down.text.buf, tf.down.text.len);
		m.down->first_line = tf.down.first_line;
		m.down->dir = DIR_DOWN;
		m.down->in_txn = tf.txn;
	}
	schema_begin_migration(&schema, m.id);
	judge_section(&tf, file, &tf.up, DIR_UP, &schema, &m);
	if (tf.down.present) {
		struct schema scratch;
		schema_init(&scratch);
		judge_section(&tf, file, &tf.down, DIR_DOWN, &scratch, &m);
		schema_release(&scratch);
	}
	schema_release(&schema);
	script_free(m.up);
	script_free(m.down);
	free(m.id);
	free(m.name);
out:
	strbuf_release(&sb);
	strbuf_release(&tf.history.text);
	strbuf_release(&tf.branch.text);
	strbuf_release(&tf.up.text);
	strbuf_release(&tf.down.text);
	strlist_clear(&tf.row_tables);
	strlist_clear(&tf.row_counts);
	strlist_clear(&tf.bad_headers);
	judge_opts_release(&tf.opts);
	free(path);
	free(rule);
}

int main(int argc, char **argv)
{
	const char *src = getenv("SLUICE_SRC");
	char *dir = xstrfmt("%s/tests/rules", src ? src : ".");
	struct strlist files = STRLIST_INIT;
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d) {
		ok(0, "cannot open %s", dir);
		free(dir);
		return done_testing();
	}
	while ((de = readdir(d)))
		if (ends_with(de->d_name, ".sql") && (argc < 2 || strstr(de->d_name, argv[1])))
			strlist_add(&files, de->d_name);
	closedir(d);
	for (size_t i = 0; i < files.nr; i++)
		run_file(dir, files.items[i]);
	if (argc < 2)
		for (size_t i = 0; i < rules_count(); i++) {
			char *want = xstrfmt("%s.sql", rule_at(i)->id);
			ok(strlist_has(&files, want), "rule %s has a test file tests/rules/%s",
			   rule_at(i)->id, want);
			free(want);
		}
	strlist_clear(&files);
	free(dir);
	return done_testing();
}
