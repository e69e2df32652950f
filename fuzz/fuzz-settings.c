/*
 * fuzz-settings.c - libFuzzer target for the settings reader: a committed
 * `.sluice` file, which comes from whoever wrote the branch under review.
 *
 * The input is written as `.sluice` in a private directory that is not a
 * repository, then read the way `sluice check` reads it: libgit2's config
 * parser (includes, sections, quoting, continuation lines), the prefix
 * filter, and config_apply_judge()'s pgVersion / failOn / disable parsing.
 * Every lookup the engine makes on settings runs once, so a key of any
 * shape, case or length goes through the same string handling.
 *
 * HOME and XDG_CONFIG_HOME point at the empty directory so that the user's
 * own git config neither feeds nor skews the run.
 *
 * Build: `make fuzz/fuzz-settings` (see mk/fuzz.mk); run: ./dev fuzz settings.
 */
#include "judge.h"
#include "settings.h"

#include <git2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[] = "/tmp/sluice-fuzz-settings-XXXXXX";
static char *path;

static void cleanup(void)
{
	if (path)
		unlink(path);
	rmdir(dir);
	free(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	path = xstrfmt("%s/.sluice", dir);
	atexit(cleanup);
	setenv("HOME", dir, 1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	git_libgit2_init();
	return 0;
}

/* Every lookup the engine and the frame make on settings. */
static void look_up(const struct config *c)
{
	static const char *const keys[] = {
		"sluice.base", "sluice.theme", "sluice.db.url", "sluice.llm.provider",
		"sluice.llm.url", "sluice.llm.model", "sluice.llm.keyEnv", "sluice.llm.keyFile",
	};
	static const char *const prefixes[] = { "sluice.bind.", "sluice.color.", "sluice." };
	struct strlist k = STRLIST_INIT, v = STRLIST_INIT;

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		(void)config_get(c, keys[i]);
	(void)config_get_int(c, "sluice.llm.timeout", 120);
	(void)config_get_int(c, "sluice.llm.maxBytes", 4 << 20);
	(void)config_get(c, "sluice.color");
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++) {
		config_get_prefix(c, prefixes[i], &k, &v);
		strlist_clear(&k);
		strlist_clear(&v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	struct config c;
	struct judge_opts o;

	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	config_init(&c);
	judge_opts_init(&o);
	if (config_load(&c, dir) == 0) {
		look_up(&c);
		(void)config_apply_judge(&c, &o);
	}
	judge_opts_release(&o);
	config_release(&c);
	return 0;
}
