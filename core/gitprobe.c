/*
 * gitprobe.c - whether libgit2 could find anything, asked without it (see
 * gitprobe.h). Both answers copy what libgit2 1.5 does (its discovery and
 * its git_config_open_default()); where that is in doubt they say "maybe".
 */
#include "gitprobe.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether `dir/name` exists, or might: only "no such file" is a no. */
static bool maybe_exists(const char *dir, const char *name)
{
	struct stat st;
	char *path = xstrfmt("%s%s%s", dir, ends_with(dir, "/") ? "" : "/", name);
	bool r = lstat(path, &st) == 0 || (errno != ENOENT && errno != ENOTDIR);
	free(path);
	return r;
}

/* An absolute path's parent, in place: "/a/b" becomes "/a", "/a" "/". */
static void parent_dir(char *path)
{
	char *slash = strrchr(path, '/');
	slash[slash == path] = '\0';
}

/*
 * libgit2 resolves the directory (symbolic links too) and looks at it and
 * each parent, opened as sluice opens it with no ceiling; it stops at a
 * file system's boundary, which going on to the root only errs past. A
 * level is a repository's work tree when it has .git (a
 * directory, or a file naming one), a bare repository or a .git directory
 * itself when it has HEAD (libgit2 wants objects/ and refs/ too; HEAD
 * alone is enough to ask it).
 */
bool gitprobe_maybe_in_repo(const char *dir)
{
	char *path = realpath(dir, NULL);
	bool found = !path;
	for (bool root = false; path && !found && !root;) {
		found = maybe_exists(path, ".git") || maybe_exists(path, "HEAD");
		root = !strcmp(path, "/");
		parent_dir(path);
	}
	free(path);
	return found;
}

/* Whether the config file at `path` might set a sluice.* key (gitprobe.h). */
static bool file_maybe_sluice(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	bool r;
	if (strbuf_read_regular(&sb, path, 1 << 20) < 0) {
		r = errno != ENOENT && errno != ENOTDIR;
	} else {
		/* a NUL would hide what follows it from the search */
		r = memchr(sb.buf, '\0', sb.len) || strstr(str_lower(sb.buf), "sluice") ||
		    strstr(sb.buf, "include");
	}
	strbuf_release(&sb);
	return r;
}

/* Whether $name/suffix might set a sluice.* key; $name set and not empty. */
static bool env_file_maybe_sluice(const char *name, const char *suffix)
{
	char *path = xstrfmt("%s/%s", getenv(name), suffix);
	bool r = file_maybe_sluice(path);
	free(path);
	return r;
}

/*
 * libgit2 1.5 reads, outside a repository: $HOME/.gitconfig, then
 * $XDG_CONFIG_HOME/git/config (when XDG_CONFIG_HOME is set, even empty),
 * else $HOME/.config/git/config, then /etc/gitconfig. It ignores
 * GIT_CONFIG_NOSYSTEM and GIT_CONFIG_GLOBAL (git's own, not libgit2's). An
 * empty variable gives it a path relative to the current directory; a
 * program running set-uid, or in a macOS sandbox, has it ask the password
 * file for the home directory. Those cases are left to libgit2.
 */
bool gitprobe_user_config_maybe_sluice(void)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	if (!home || !*home || (xdg && !*xdg) || getuid() != geteuid() ||
	    getenv("APP_SANDBOX_CONTAINER_ID"))
		return true;
	return env_file_maybe_sluice("HOME", ".gitconfig") ||
	       (xdg ? env_file_maybe_sluice("XDG_CONFIG_HOME", "git/config")
		    : env_file_maybe_sluice("HOME", ".config/git/config")) ||
	       file_maybe_sluice("/etc/gitconfig");
}
