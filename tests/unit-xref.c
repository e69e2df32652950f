/*
 * unit-xref.c - the app-code cross-check, two ways.
 *
 * With no arguments: TAP unit checks of the pieces that decide what counts
 * as a reference (identifier matching, names, the prefilter, comments).
 *
 * With arguments, a driver for the shell tests and the benchmark that
 * runs the cross-check inside the repository in the current directory:
 *
 *	unit-xref run [--format FMT] MIGRATION-DIR...
 *
 * judges the migrations under those directories as pending, reads the
 * repository's code (the directories themselves excluded, as repository
 * discovery does) and prints the report; exit 1 when it fails --fail-on.
 */
#include "check.h"
#include "tree.h"
#include "tap.h"
#include "util.h"
#include "xref.h"
#include "xref_int.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run_check(int argc, char **argv)
{
	struct check_run run;
	const char *format = "json";
	char cwd[4096];
	int i = 0, ret;

	if (argc > 1 && !strcmp(argv[0], "--format")) {
		format = argv[1];
		argc -= 2;
		argv += 2;
	}
	if (!argc || !getcwd(cwd, sizeof(cwd))) {
		fprintf(stderr, "usage: unit-xref run [--format FMT] MIGRATION-DIR...\n");
		return 2;
	}
	check_run_init(&run);
	if (check_prepare(&run, (const char *const *)argv, (size_t)argc) < 0) {
		check_run_release(&run);
		return 2;
	}
	run.ms.workdir = xstrfmt("%s/", cwd);
	for (i = 0; i < argc; i++)
		strlist_add(&run.ms.dirs, argv[i]);
	for (size_t k = 0; k < run.ms.nr; k++)
		run.ms.v[k]->pending = true;
	check_judge(&run);
	report_fn fn = report_format(format);
	if (!strcmp(format, "text"))
		report_text(stdout, &run.report, false);
	else if (fn)
		fn(stdout, &run.report);
	ret = report_fails(&run.report) ? 1 : 0;
	check_run_release(&run);
	return ret;
}

static void test_names(void)
{
	ok(xref_code_names("email", 5, "email"), "email names email");
	ok(!xref_code_names("email_verified", 14, "email"), "email_verified does not name email");
	ok(!xref_code_names("emails", 6, "email"), "emails does not name email");
	ok(xref_code_names("Email", 5, "email"), "a Go field Email names email");
	ok(xref_code_names("UserID", 6, "user_id"), "UserID names user_id");
	ok(xref_code_names("userId", 6, "user_id"), "userId names user_id");
	ok(!xref_code_names("EmailVerified", 13, "email"), "EmailVerified does not name email");
	ok(xref_code_names("Email", 5, "Email"), "a quoted \"Email\" is named by Email");
	ok(!xref_code_names("email", 5, "Email"), "... and not by email (case sensitive)");

	static const struct {
		char *(*fn)(const char *);
		const char *in, *want;
	} words[] = {
		{ xref_plural, "category", "categories" }, { xref_plural, "person", "people" },
		{ xref_plural, "address", "addresses" },   { xref_singular, "addresses", "address" },
		{ xref_singular, "users", "user" },        { xref_singular, "people", "person" },
	};
	char *s = xref_snake("GitSSHKey", 9);
	is_str(s, "git_ssh_key", "snake case of GitSSHKey");
	free(s);
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		s = words[i].fn(words[i].in);
		is_str(s, words[i].want, "inflection of %s", words[i].in);
		free(s);
	}
}

static void test_keys(void)
{
	struct xref_keys k;
	xref_keys_init(&k);
	xref_keys_add(&k, "email");
	xref_keys_add(&k, "user_id");
	ok(xref_keys_match(&k, "x := u.Email\n", 13), "prefilter: Email");
	ok(xref_keys_match(&k, "filter(email__iexact=x)", 23), "prefilter: a Django lookup");
	ok(xref_keys_match(&k, "row.UserID", 10), "prefilter: UserID");
	ok(!xref_keys_match(&k, "email_verified emails", 21), "prefilter: near misses only");
	ok(!xref_keys_match(&k, "", 0), "prefilter: empty");
	xref_keys_release(&k);
}

static size_t count_ident(const struct xref_file *f, const char *word)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nr; i++)
		if (f->t[i].kind != TK_PUNCT && f->t[i].kind != TK_STRING &&
		    f->t[i].len == strlen(word) && !memcmp(f->t[i].s, word, f->t[i].len))
			n++;
	return n;
}

static void test_tokenizer(void)
{
	static const struct {
		const char *path, *text, *word;
		size_t want;
	} cases[] = {
		{ "a.go", "// email\nx := 1 /* email */\n", "email", 0 },
		{ "a.py", "# email\ny = 'email'\n", "email", 1 },
		{ "a.rb", "=begin\nemail\n=end\nx = :email # email\n", "email", 1 },
		{ "a.sql", "-- email\nSELECT \"Email\" FROM t WHERE x = 'email';\n", "Email", 1 },
		{ "a.sql", "SELECT 1 /* email */;\n", "email", 0 },
		{ "a.rs", "fn f<'a>(x: &'a str) { users::email }\n", "email", 1 },
		{ "a.rb", "sql = <<~SQL\n  SELECT email FROM users\nSQL\n", "email", 1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct xref_file f;
		memset(&f, 0, sizeof(f));
		f.path = xstrdup(cases[i].path);
		f.lang = xref_lang_of(cases[i].path);
		f.buf = cases[i].text;
		f.len = strlen(cases[i].text);
		xref_tokenize(&f);
		is_int(count_ident(&f, cases[i].word), cases[i].want, "tokens of %s case %zu", cases[i].path, i);
		xref_file_release(&f);
	}
}

static void test_paths(void)
{
	struct strlist ex = STRLIST_INIT;
	strlist_add(&ex, "db/migrations");
	ok(xref_path_wanted("app/models/user.rb", &ex), "app code is read");
	ok(!xref_path_wanted("db/migrations/001_x.sql", &ex), "migrations are not");
	ok(!xref_path_wanted("vendor/lib/x.go", &ex), "vendored code is not");
	ok(!xref_path_wanted("web/node_modules/a/index.js", &ex), "node_modules is not");
	ok(!xref_path_wanted("db/schema.rb", &ex), "the Rails schema dump is not");
	ok(!xref_path_wanted("logo.png", &ex), "images are not");
	strlist_clear(&ex);
}

/*
 * In a repository, sluice check frees each file's parse trees once it is
 * judged (check_run.drop_trees); the cross-check runs later and must still
 * find the code that reads a dropped column, from facts taken per file.
 */
static void test_drop_trees_in_repo(void)
{
	char dir[] = "/tmp/unit-xref-drop-XXXXXX", cwd[4096];
	struct check_run run;
	size_t kept = 0, refs = 0;

	if (!mkdtemp(dir) || !getcwd(cwd, sizeof(cwd)))
		BUG("no temporary directory");
	char *cmd = xstrfmt("cd %s && git init -q -b main && mkdir migrations app && "
			    "echo 'CREATE TABLE users (id int, email text);' >migrations/1_users.sql && "
			    "git add -A && git -c user.name=t -c user.email=t@t commit -qm one && "
			    "git checkout -q -b feature && "
			    "printf 'ALTER TABLE users DROP COLUMN email;\\nCREATE INDEX i ON users (id);\\n' "
			    ">migrations/2_drop.sql && "
			    "echo 'db.query(\"SELECT email FROM users\")' >app/main.py && "
			    "git add -A && git -c user.name=t -c user.email=t@t commit -qm two", dir);
	ok(system(cmd) == 0, "drop trees: a repository whose branch drops a column the code reads");
	free(cmd);
	if (chdir(dir) < 0)
		BUG("chdir");
	git_libgit2_init();
	check_run_init(&run);
	ok(check_prepare(&run, NULL, 0) == 0, "drop trees: the repository's migrations found");
	run.drop_trees = true;
	check_judge(&run);
	for (size_t f = 0; f < run.report.nr; f++)
		for (size_t i = 0; i < run.report.files[f].nr_stmts; i++) {
			const struct stmt *st = &run.report.files[f].stmts[i];
			const cJSON *b = tree_body(st->tree);
			kept += b && b->child;
			refs += st->nr_refs;
		}
	is_int((long)kept, 0, "drop trees: no statement keeps its parse tree once judged, in a repository too");
	ok(refs > 0, "drop trees: the cross-check still finds the code reading the dropped column");
	check_run_release(&run);
	git_libgit2_shutdown();
	if (chdir(cwd) < 0)
		BUG("chdir");
	cmd = xstrfmt("rm -rf %s", dir);
	if (system(cmd) != 0)
		BUG("rm");
	free(cmd);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "run"))
		return run_check(argc - 2, argv + 2);
	test_names();
	test_keys();
	test_tokenizer();
	test_paths();
	test_drop_trees_in_repo();
	return done_testing();
}
