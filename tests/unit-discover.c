/*
 * unit-discover.c - what the shell tests cannot see through `sluice check`:
 * version ordering, the migration set's fields after repository discovery
 * (head, merge-base, dirs) and `changed` for an edited applied migration.
 * The repository is a real one, made with git in a temporary directory.
 */
#include "discover.h"
#include "discover_int.h"
#include "tap.h"
#include "util.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_versions(void)
{
	ok(version_cmp("2", "10") < 0, "2 before 10");
	ok(version_cmp("1.9", "1.10") < 0, "1.9 before 1.10");
	ok(version_cmp("1_9", "1.10") < 0, "Flyway's 1_9 is 1.9");
	ok(version_cmp("0010", "10") == 0, "leading zeros do not count");
	ok(version_cmp("2024-01-02-000000", "2024-01-10-000000") < 0, "Diesel dates");
	ok(version_cmp("20240101", "20240101") == 0, "equal");
	ok(version_cmp("abc", "abd") < 0, "text compares as text");
}

static struct migration *find(struct migration_set *ms, const char *id)
{
	for (size_t i = 0; i < ms->nr; i++)
		if (!strcmp(ms->v[i]->id, id))
			return ms->v[i];
	return NULL;
}

static int sh(const char *cmd)
{
	return system(cmd);
}

static void test_repo(const char *dir)
{
	struct migration_set ms;
	struct migration *m;
	char *cmd = xstrfmt(
		"set -e; cd '%s'; git init -q -b main; mkdir -p db/migrations app\n"
		"echo 'CREATE TABLE a (id int);' >db/migrations/1_a.up.sql\n"
		"echo 'DROP TABLE a;' >db/migrations/1_a.down.sql\n"
		"echo 'CREATE TABLE b (id int);' >db/migrations/2_b.up.sql\n"
		"echo 'SELECT 1;' >app/q.sql\n"
		"git add -A; git commit -q -m one; git checkout -q -b feature\n"
		"echo 'DROP TABLE IF EXISTS a;' >db/migrations/1_a.down.sql\n"
		"echo 'CREATE TABLE c (id int);' >db/migrations/3_c.up.sql\n"
		"git add -A; git commit -q -m two\n"
		"echo 'CREATE TABLE b (id bigint);' >db/migrations/2_b.up.sql\n",
		dir);
	ok(sh(cmd) == 0, "made a repository");
	free(cmd);

	migration_set_init(&ms);
	is_int(discover_repo(&ms, dir, NULL), 0, "discovered");
	is_int(ms.nr, 3, "three migrations, app/q.sql is not one");
	is_str(ms.branch, "feature", "branch");
	is_str(ms.base, "main", "base");
	ok(ms.head && strlen(ms.head) == 40, "head is a commit id");
	ok(ms.merge_base && strlen(ms.merge_base) == 40 && strcmp(ms.merge_base, ms.head),
	   "merge-base is another commit");
	ok(ms.dirs.nr == 1 && !strcmp(ms.dirs.items[0], "db/migrations"), "one migration directory");
	ok((m = find(&ms, "1")) && m->pending && m->changed && m->down && !m->down->from_worktree,
	   "1: down edited on the branch: pending and changed");
	ok((m = find(&ms, "2")) && m->pending && m->changed && m->up->from_worktree,
	   "2: edited in the work tree: changed, read from disk");
	ok((m = find(&ms, "2")) && m->up && strstr(m->up->text, "bigint"), "2: the work tree's text");
	ok((m = find(&ms, "3")) && m->pending && !m->changed, "3: new on the branch, not changed");
	is_int(migration_set_pending(&ms), 3, "all three pending");
	migration_set_release(&ms);

	migration_set_init(&ms);
	is_int(discover_repo(&ms, dir, "feature"), 0, "against the branch itself");
	ok((m = find(&ms, "1")) && !m->pending, "1: committed, so history");
	ok((m = find(&ms, "2")) && m->pending, "2: still pending from the work tree");
	migration_set_release(&ms);
}

int main(void)
{
	char tmpl[] = "/tmp/sluice-unit-discover.XXXXXX";
	char *dir = mkdtemp(tmpl);
	git_libgit2_init();
	test_versions();
	if (!dir) {
		ok(0, "cannot make a temporary directory");
	} else {
		test_repo(dir);
		char *rm = xstrfmt("rm -rf '%s'", dir);
		sh(rm);
		free(rm);
	}
	git_libgit2_shutdown();
	return done_testing();
}
