/*
 * unit-navigate.c - the engine under the workbench's navigation: the
 * filter (core/filter.c) on migrations really judged from files; the
 * re-judge helpers (core/rejudge.c): file stamps that notice an edit (in
 * place, by rename, a deletion, a write during the scan) and the cursor's
 * statement found again after an edit above, below or in it; and a file
 * diffed against the base branch (core/discover/basediff.c) in a real repository.
 */
#include "check.h"
#include "discover.h"
#include "filter.h"
#include "rejudge.h"
#include "tap.h"

#include <git2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/unit-filter-XXXXXX";

static void write_file(const char *name, const char *text)
{
	char *path = xstrfmt("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		BUG("cannot write %s", path);
	free(path);
}

/* The ids of the migrations `text` keeps, "1 3", or "error: why". */
static char *kept(struct check_run *run, const char *text)
{
	struct mig_filter f = MIG_FILTER_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	if (filter_parse(&f, text, &err) < 0) {
		strbuf_addf(&out, "error: %s", err.buf);
		strbuf_release(&err);
		return strbuf_detach(&out, NULL);
	}
	for (size_t i = 0; i < run->ms.nr; i++) {
		const struct migration *m = run->ms.v[i];
		const struct file_report *up = NULL, *down = NULL;
		for (size_t k = 0; k < run->report.nr; k++) {
			const struct file_report *fr = &run->report.files[k];
			if (fr->mig != m)
				continue;
			if (fr->dir == DIR_DOWN)
				down = fr;
			else
				up = fr;
		}
		if (filter_match(&f, m, up, down))
			strbuf_addf(&out, "%s%s", out.len ? " " : "", m->id);
	}
	filter_release(&f);
	strbuf_release(&err);
	return strbuf_detach(&out, NULL);
}

static void expect(struct check_run *run, const char *text, const char *want, const char *why)
{
	char *got = kept(run, text);
	is_str(got, want, "filter '%s': %s", text, why);
	free(got);
}

static void test_filter(void)
{
	struct check_run run;
	const char *paths[1] = { dir };

	write_file("001_init.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
				      "CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz);\n");
	write_file("001_init.down.sql", "DROP TABLE orders;\nDROP TABLE users;\n");
	write_file("002_speedup.up.sql", "CREATE INDEX orders_created_idx ON orders (created_at);\n");
	write_file("003_profile.up.sql", "-- the profile screen\nALTER TABLE users ADD COLUMN nickname text;\n");
	write_file("004_cleanup.up.sql", "ALTER TABLE \"public\".\"Users\" DROP COLUMN email;\n");
	check_run_init(&run);
	ok(check_prepare(&run, paths, 1) == 0, "four migrations found");
	check_judge(&run);
	is_int(run.ms.nr, 4, "four migrations");

	expect(&run, "", "001 002 003 004", "no filter keeps everything");
	expect(&run, "   ", "001 002 003 004", "blanks are no filter");
	expect(&run, "nickname", "003", "text in the SQL, not in the name");
	expect(&run, "NICKNAME", "003", "case does not matter");
	expect(&run, "profile nickname", "003", "two words, each found somewhere in the file");
	expect(&run, "profile orders", "", "... both must be found");
	expect(&run, "\"the profile screen\"", "003", "a quoted phrase, found in a comment of the file");
	expect(&run, "speedup", "002", "the name still matches");
	expect(&run, "concurrently", "002", "the fix of a finding (CREATE INDEX CONCURRENTLY)");
	expect(&run, "rule:create-index", "002", "a rule id, in part");
	expect(&run, "rule:no-such-rule", "", "a rule nothing raised");
	expect(&run, "table:orders", "001 002", "statements on the table");
	expect(&run, "table:ord", "", "a table name is matched whole, not in part");
	expect(&run, "table:users", "001 003 004", "a quoted, schema-qualified name matches its table");
	expect(&run, "table:users !nickname", "001 004", "! leaves out what matches");
	expect(&run, "table:users drop", "001 004", "every word must match (the down drops users)");

	/* Severity: read the judged worst of each migration, then ask for it. */
	enum severity sev2 = SEV_NONE;
	for (size_t k = 0; k < run.report.nr; k++)
		if (!strcmp(run.report.files[k].mig->id, "002"))
			sev2 = run.report.files[k].sev;
	ok(sev2 >= SEV_MEDIUM, "a non-concurrent index on a table with rows is at least MEDIUM (%s)",
	   severity_name(sev2));
	char *word = xstrfmt("sev:%s", severity_name(sev2));
	char *got = kept(&run, word);
	ok(strstr(got, "002") != NULL, "'%s' keeps 002 (%s)", word, got);
	ok(strstr(got, "003") == NULL, "'%s' leaves out the added nullable column", word);
	free(got);
	free(word);
	expect(&run, "sev:low+ !sev:medium+", "", "nothing here is only LOW");
	got = kept(&run, "sev:safe");
	ok(strstr(got, "002") == NULL && strstr(got, "004") == NULL, "sev:safe leaves out what has findings (%s)", got);
	free(got);
	got = kept(&run, "sev:high+");
	ok(strstr(got, "004") != NULL, "sev:high+ keeps dropping a column (%s)", got);
	ok(strstr(got, "003") == NULL, "sev:high+ leaves out adding one");
	free(got);

	expect(&run, "sev:hgh", "error: unknown severity 'hgh' (safe, low, medium, high, blocker; a + after one means: or worse)",
	       "a misspelt severity says what would do");
	expect(&run, "rule:", "error: 'rule:' needs a value after the colon", "an empty value");
	expect(&run, "\"open", "error: a quote is not closed", "an open quote");
	expect(&run, "a::int", "", "an unknown prefix is text (a cast)");

	struct mig_filter f = MIG_FILTER_INIT;
	struct strbuf err = STRBUF_INIT;
	ok(filter_parse(&f, " table:orders ", &err) == 0 && filter_active(&f), "a filter is active");
	is_str(f.text, " table:orders ", "it keeps the text as typed, for the title");
	ok(filter_parse(&f, "", &err) == 0 && !filter_active(&f) && !f.text, "an empty one clears it");
	filter_release(&f);
	strbuf_release(&err);
	check_run_release(&run);
}

static void test_stamps(void)
{
	struct report r = { 0 };
	struct file_report files[3] = { { 0 } };
	struct file_stamps s = FILE_STAMPS_INIT;
	char *root = xstrfmt("%s/", dir);

	write_file("a.sql", "SELECT 1;\n");
	write_file("b.sql", "SELECT 2;\n");
	files[0].path = "a.sql";
	files[1].path = "a.sql";   /* its down, in the same file */
	files[2].path = "b.sql";
	r.files = files;
	r.nr = 3;
	file_stamps_take(&s, root, &r, 0);
	is_int(s.nr, 2, "one stamp per file");
	ok(!file_stamps_changed(&s), "nothing changed yet");

	write_file("a.sql", "SELECT 11;\n");
	is_str(file_stamps_changed(&s), "a.sql", "an edit in place (the size changed)");
	file_stamps_take(&s, root, &r, 0);
	char *tmp = xstrfmt("%s/b.tmp", dir), *b = xstrfmt("%s/b.sql", dir);
	FILE *fp = fopen(tmp, "w");
	fputs("SELECT 2;\n", fp);
	fclose(fp);
	struct stat st;
	stat(b, &st);
	struct timespec same[2] = { st.st_atim, st.st_mtim };
	utimensat(AT_FDCWD, tmp, same, 0);
	ok(rename(tmp, b) == 0, "b.sql saved by rename, same size and mtime");
	is_str(file_stamps_changed(&s), "b.sql", "a save by rename (a new inode)");
	file_stamps_take(&s, root, &r, 0);
	unlink(b);
	is_str(file_stamps_changed(&s), "b.sql", "a deleted file");

	/* Written during the scan: stale once, then not again. */
	write_file("b.sql", "SELECT 2;\n");
	/* (Far from now on both sides: the wall clock of a shared machine may step.) */
	double scan_start = (double)time(NULL) - 600;
	file_stamps_take(&s, root, &r, scan_start);
	ok(s.stale && file_stamps_changed(&s), "a file written after the scan began is re-judged");
	file_stamps_take(&s, root, &r, (double)time(NULL) + 600);
	ok(!s.stale, "... and only once: the next scan does not take it for new");
	ok(!file_stamps_changed(&s), "... nor does the next look (%s)", nonnull(file_stamps_changed(&s)));
	/* A file stamped in the future (clock skew) would never stop looking new. */
	struct timespec future[2] = { { time(NULL) + 7200, 0 }, { time(NULL) + 7200, 0 } };
	struct timespec old[2] = { { time(NULL) - 7200, 0 }, { time(NULL) - 7200, 0 } };
	char *a = xstrfmt("%s/a.sql", dir);
	utimensat(AT_FDCWD, b, future, 0);
	utimensat(AT_FDCWD, a, old, 0);
	free(a);
	file_stamps_take(&s, root, &r, (double)time(NULL) - 600);
	ok(!s.stale, "a future mtime does not loop re-judging");
	file_stamps_release(&s);
	free(tmp);
	free(b);
	free(root);
}

/* Statements from "abc": one letter each. */
static size_t stmts(const char *spec, struct stmt *v)
{
	size_t n = 0;
	for (const char *p = spec; *p; p++)
		v[n++] = (struct stmt){ .sql = xstrndup(p, 1) };
	return n;
}

static void follow(const char *old, long at, const char *now, long want, const char *why)
{
	struct stmt a[16], b[16];
	size_t na = stmts(old, a), nb = stmts(now, b);
	is_int(stmt_follow(a, na, at, b, nb), want, "follow %s[%ld] -> %s: %s", old, at, now, why);
	for (size_t i = 0; i < na; i++)
		free(a[i].sql);
	for (size_t i = 0; i < nb; i++)
		free(b[i].sql);
}

static void test_follow(void)
{
	follow("abcd", 2, "abcd", 2, "nothing changed");
	follow("abcd", 2, "xabcd", 3, "a statement added above: it moves down");
	follow("abcd", 2, "bcd", 1, "one above removed: it moves up");
	follow("abcd", 1, "abcdx", 1, "one added below: it stays");
	follow("abcd", 2, "abXd", 2, "the statement itself edited: its place");
	follow("abcd", 2, "abd", 2, "the statement removed: the one after it");
	follow("abcd", 3, "abc", 2, "the last removed: the new last");
	follow("abcd", 1, "aXYZd", 1, "an edit that splits it: its first part");
	follow("abcd", 2, "", -1, "an empty file: no statement");
	follow("abcd", 7, "abcd", -1, "out of range");
	follow("aaaa", 2, "aaaaa", 2, "identical statements: by position");
	follow("abcd", 1, "xaBcd", 2, "one added above and the statement edited: its new text");
	follow("abcdef", 3, "abXcdYef", 4, "moved by an insertion in the edited middle: itself");
	follow("abcdef", 3, "bacXef", 3, "two swapped above, the statement edited: after its neighbour");
	follow("abcdef", 2, "abdef", 2, "removed in the middle of others kept: the one after");
}

static char *render(const struct text_diff *d)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < d->nr; i++)
		strbuf_addf(&sb, "%s%.*s\n", d->v[i].origin == DIFF_HUNK ? "" : (char[]){ (char)d->v[i].origin, 0 },
			    (int)d->v[i].len, d->text.buf + d->v[i].off);
	return strbuf_detach(&sb, NULL);
}

static void test_base_diff(void)
{
	char *repo = xstrfmt("%s/repo/", dir), *base = NULL, *got;
	struct base_diff d;
	struct strbuf why = STRBUF_INIT, sb = STRBUF_INIT;
	char *cmd = xstrfmt("cd %s && git init -q -b main && mkdir m && "
			    "printf 'CREATE TABLE t (a int);\\nSELECT 1;\\n' >m/1.sql && "
			    "printf 'old name\\n' >m/old.sql && "
			    "git add -A && git -c user.name=t -c user.email=t@t commit -qm one && "
			    "git rev-parse HEAD >../base && git checkout -q -b feature && "
			    "printf 'CREATE TABLE t (a int, b int);\\nSELECT 1;\\n' >m/1.sql && "
			    "git mv m/old.sql m/new.sql && printf 'new file\\n' >m/2.sql && "
			    "git add -A && git -c user.name=t -c user.email=t@t commit -qm two && "
			    "printf 'SELECT 2;\\n' >>m/1.sql", repo);
	mkdir(repo, 0700);
	ok(system(cmd) == 0, "base diff: a repository with a branch");
	free(cmd);
	cmd = xstrfmt("%s/base", dir);
	strbuf_read_file(&sb, cmd, 100);
	free(cmd);
	strbuf_trim(&sb);
	base = strbuf_detach(&sb, NULL);

	ok(base_diff(repo, base, "m/1.sql", NULL, 3, &d, &why) == 0, "base diff: a changed file (%s)", why.buf);
	got = render(&d.diff);
	is_str(got, "@@ -1,2 +1,3 @@\n-CREATE TABLE t (a int);\n+CREATE TABLE t (a int, b int);\n SELECT 1;\n+SELECT 2;\n",
	       "base diff: the branch's change and the uncommitted one");
	ok(!d.new_file && !d.removed, "base diff: neither new nor removed");
	free(got);
	base_diff_release(&d);

	ok(base_diff(repo, base, "m/2.sql", NULL, 3, &d, &why) == 0 && d.new_file && d.diff.added == 1,
	   "base diff: a file the base does not have is all additions");
	base_diff_release(&d);
	ok(base_diff(repo, base, "m/new.sql", "m/old.sql", 3, &d, &why) == 0 && !d.new_file && d.diff.nr == 0,
	   "base diff: a renamed file against its old name: unchanged");
	base_diff_release(&d);

	strbuf_reset(&why);
	ok(base_diff(repo, "0123456789012345678901234567890123456789", "m/1.sql", NULL, 3, &d, &why) < 0,
	   "base diff: a commit that does not exist fails");
	ok(strstr(why.buf, "0123456789") != NULL, "... naming it (%s)", why.buf);
	base_diff_release(&d);
	strbuf_reset(&why);
	char *notrepo = xstrfmt("%s/", dir);
	ok(base_diff(notrepo, base, "m/1.sql", NULL, 3, &d, &why) < 0 && why.len, "base diff: not a repository (%s)", why.buf);
	base_diff_release(&d);
	free(notrepo);
	strbuf_release(&why);
	free(base);
	free(repo);
}

int main(void)
{
	if (!mkdtemp(dir))
		BUG("no temporary directory");
	git_libgit2_init();
	test_filter();
	test_stamps();
	test_follow();
	test_base_diff();
	git_libgit2_shutdown();
	char *cmd = xstrfmt("rm -rf %s", dir);
	if (system(cmd) != 0)
		BUG("rm");
	free(cmd);
	return done_testing();
}
