/*
 * shadow_cluster.c - a throwaway PostgreSQL cluster for the shadow
 * database, started with initdb and pg_ctl in a temporary directory.
 *
 * It listens on a unix socket in that directory only (no TCP port to
 * collide with), runs with fsync off (the data is thrown away), and is
 * stopped with "-m immediate" and removed whatever happened. initdb
 * refuses to run as root; as root we run both programs as the `postgres`
 * system user, dropping privileges in the child before exec.
 */
#include "shadow.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static bool has_tools(const char *dir)
{
	char *a = xstrfmt("%s/initdb", dir), *b = xstrfmt("%s/pg_ctl", dir);
	bool ok = access(a, X_OK) == 0 && access(b, X_OK) == 0;
	free(a);
	free(b);
	return ok;
}

char *cluster_find_bindir(void)
{
	const char *path = getenv("PATH");
	while (path && *path) {
		size_t n = strcspn(path, ":");
		char *dir = xstrndup(path, n);
		if (n && has_tools(dir))
			return dir;
		free(dir);
		path += n + (path[n] == ':');
	}
	/* Debian: /usr/lib/postgresql/<major>/bin, the newest first. */
	for (int v = 30; v >= 10; v--) {
		char *dir = xstrfmt("/usr/lib/postgresql/%d/bin", v);
		if (has_tools(dir))
			return dir;
		free(dir);
	}
	return NULL;
}

/* Runs argv (as c->uid when as_other) with output to `log`; its exit status, or -1. */
static int run_tool(const struct pg_cluster *c, char *const argv[], const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int null = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (null >= 0)
			dup2(null, 0);
		if (c->as_other) {
			if (setgroups(0, NULL) < 0 || setgid((gid_t)c->gid) < 0 || setuid((uid_t)c->uid) < 0)
				_exit(126);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void last_lines(const char *path, struct strbuf *out)
{
	struct strbuf sb = STRBUF_INIT;
	if (strbuf_read_file(&sb, path, 1 << 20) >= 0) {
		strbuf_trim(&sb);
		const char *p = sb.buf + sb.len;
		int lines = 0;
		while (p > sb.buf && lines < 3)
			if (*--p == '\n')
				lines++;
		strbuf_addstr(out, p + (*p == '\n'));
		for (size_t i = 0; i < out->len; i++)
			if (out->buf[i] == '\n')
				out->buf[i] = ' ';
	}
	strbuf_release(&sb);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Can any user walk down to `dir`? */
static bool world_searchable(const char *dir)
{
	char *p = xstrdup(dir);
	bool ok = true;
	for (char *slash = p + strlen(p); ok && slash > p; slash = strrchr(p, '/')) {
		struct stat st;
		*slash = '\0';
		if (stat(*p ? p : "/", &st) < 0 || !(st.st_mode & S_IXOTH))
			ok = false;
	}
	struct stat st;
	if (ok && (stat(dir, &st) < 0 || !(st.st_mode & S_IXOTH)))
		ok = false;
	free(p);
	return ok;
}

static int who_runs_it(struct pg_cluster *c, struct strbuf *err)
{
	if (geteuid() != 0)
		return 0;
	struct passwd *pw = getpwnam("postgres");
	if (!pw) {
		strbuf_addstr(err, "running as root, and initdb refuses root: there is no 'postgres' user "
			      "to run the shadow cluster as; create one or pass --shadow URL");
		return -1;
	}
	c->uid = pw->pw_uid;
	c->gid = pw->pw_gid;
	c->as_other = true;
	return 0;
}

/*
 * Interrupted (^C, a CI timeout's SIGTERM), sluice still stops its cluster
 * and removes the directory: the handler runs pg_ctl with arguments built
 * before, then puts back the handler that was there before and raises the
 * signal again. For the CLI that is the default (sluice dies as it would
 * have); the workbench has its own handlers, which must survive a cluster
 * started and stopped by its drift worker, or ^C would later kill it
 * without giving the terminal back.
 *
 * In the workbench the cluster belongs to a worker thread, which may be
 * stopping it (unguard) while the handler runs on another thread: the
 * handler claims the cluster with an atomic exchange and uses only what
 * guard() built, and unguard() frees that only once no handler is inside.
 */
static struct pg_cluster *running;      /* atomic: set while guarded, claimed once */
static int in_handler;                  /* atomic: handlers between entry and raise */
static char *stop_argv_sig[10];
static char *dir_sig;
static bool as_other_sig;
static unsigned uid_sig, gid_sig;
static const int guarded_sigs[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction saved_actions[ARRAY_SIZE(guarded_sigs)];

static void restore_handlers(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(guarded_sigs); i++)
		sigaction(guarded_sigs[i], &saved_actions[i], NULL);
}

static void on_signal(int sig)
{
	__atomic_add_fetch(&in_handler, 1, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&running, NULL, __ATOMIC_SEQ_CST)) {
		pid_t pid = fork();
		if (pid == 0) {
			if (as_other_sig && (setgid((gid_t)gid_sig) < 0 || setuid((uid_t)uid_sig) < 0))
				_exit(126);
			execv(stop_argv_sig[0], stop_argv_sig);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
		nftw(dir_sig, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	restore_handlers();
	__atomic_sub_fetch(&in_handler, 1, __ATOMIC_SEQ_CST);
	raise(sig);
}

static void guard(struct pg_cluster *c)
{
	struct sigaction sa;
	stop_argv_sig[0] = xstrfmt("%s/pg_ctl", c->bindir);
	stop_argv_sig[1] = "-D";
	stop_argv_sig[2] = xstrfmt("%s/data", c->dir);
	stop_argv_sig[3] = "-m";
	stop_argv_sig[4] = "immediate";
	stop_argv_sig[5] = "-s";
	stop_argv_sig[6] = "stop";
	stop_argv_sig[7] = NULL;
	dir_sig = xstrdup(c->dir);
	as_other_sig = c->as_other;
	uid_sig = c->uid;
	gid_sig = c->gid;
	__atomic_store_n(&running, c, __ATOMIC_SEQ_CST);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < ARRAY_SIZE(guarded_sigs); i++)
		sigaction(guarded_sigs[i], &sa, &saved_actions[i]);
}

static void unguard(void)
{
	if (!stop_argv_sig[0])
		return;
	restore_handlers();
	__atomic_store_n(&running, NULL, __ATOMIC_SEQ_CST);
	/* A handler on another thread may still be stopping the cluster. */
	while (__atomic_load_n(&in_handler, __ATOMIC_SEQ_CST))
		usleep(1000);
	free(stop_argv_sig[0]);
	free(stop_argv_sig[2]);
	free(dir_sig);
	stop_argv_sig[0] = stop_argv_sig[2] = dir_sig = NULL;
}

int cluster_start(struct pg_cluster *c, struct strbuf *err)
{
	const char *tmp = getenv("TMPDIR");
	memset(c, 0, sizeof(*c));
	strbuf_reset(err);
	c->bindir = cluster_find_bindir();
	if (!c->bindir) {
		strbuf_addstr(err, "no PostgreSQL server programs (initdb, pg_ctl) on PATH or in "
			      "/usr/lib/postgresql/*/bin: install postgresql, or pass --shadow URL");
		return -1;
	}
	if (who_runs_it(c, err) < 0)
		goto fail;
	/*
	 * A unix socket path is limited to ~107 bytes; and when the server runs
	 * as another user, it must be able to reach the directory.
	 */
	if (!tmp || !*tmp || strlen(tmp) > 60 || (c->as_other && !world_searchable(tmp)))
		tmp = "/tmp";
	c->dir = xstrfmt("%s/sluice-shadow.XXXXXX", tmp);
	if (!mkdtemp(c->dir)) {
		strbuf_addf(err, "cannot create '%s': %s", c->dir, strerror(errno));
		free(c->dir);
		c->dir = NULL;
		goto fail;
	}
	if (c->as_other && chown(c->dir, (uid_t)c->uid, (gid_t)c->gid) < 0) {
		strbuf_addf(err, "cannot hand '%s' to the postgres user: %s", c->dir, strerror(errno));
		goto fail;
	}

	guard(c);
	char *initdb = xstrfmt("%s/initdb", c->bindir), *pg_ctl = xstrfmt("%s/pg_ctl", c->bindir);
	char *data = xstrfmt("%s/data", c->dir), *log = xstrfmt("%s/setup.log", c->dir);
	char *srvlog = xstrfmt("%s/server.log", c->dir);
	char *opts = xstrfmt("-c listen_addresses='' -k %s -p 5432 -c fsync=off "
			     "-c full_page_writes=off -c synchronous_commit=off", c->dir);
	char *const init_argv[] = { initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
				    "--locale=C", "--no-sync", NULL };
	char *const start_argv[] = { pg_ctl, "-D", data, "-l", srvlog, "-w", "-t", "30", "-o", opts,
				     "start", NULL };
	int r = run_tool(c, init_argv, log);
	if (r != 0) {
		strbuf_addf(err, "initdb failed (exit %d): ", r);
		last_lines(log, err);
	} else if ((r = run_tool(c, start_argv, log)) != 0) {
		strbuf_addf(err, "the shadow cluster did not start (pg_ctl exit %d): ", r);
		last_lines(srvlog, err);
	}
	free(initdb);
	free(pg_ctl);
	free(data);
	free(log);
	free(srvlog);
	free(opts);
	if (r != 0)
		goto fail;
	c->conninfo = xstrfmt("host=%s port=5432 user=postgres dbname=postgres", c->dir);
	return 0;
fail:
	cluster_stop(c);
	return -1;
}

void cluster_stop(struct pg_cluster *c)
{
	unguard();
	if (c->dir) {
		char *pg_ctl = xstrfmt("%s/pg_ctl", c->bindir);
		char *data = xstrfmt("%s/data", c->dir), *log = xstrfmt("%s/setup.log", c->dir);
		char *pid = xstrfmt("%s/postmaster.pid", data);
		char *const stop_argv[] = { pg_ctl, "-D", data, "-m", "immediate", "-w", "-t", "10",
					    "stop", NULL };
		if (access(pid, F_OK) == 0)
			run_tool(c, stop_argv, log);
		remove_tree(c->dir);
		free(pg_ctl);
		free(data);
		free(log);
		free(pid);
	}
	free(c->dir);
	free(c->bindir);
	free(c->conninfo);
	memset(c, 0, sizeof(*c));
}
