/*
 * shadow_cluster.c - a throwaway PostgreSQL cluster for the shadow
 * database, started with initdb and pg_ctl in a temporary directory.
 *
 * It listens on a unix socket in that directory only (no TCP port to
 * collide with), runs with fsync off (the data is thrown away), and is
 * stopped with an immediate shutdown (SIGQUIT) and removed whatever
 * happened. initdb refuses to run as root; as root we run both programs as
 * the `postgres` system user, dropping privileges in the child before exec.
 *
 * No shell ever sees a path: initdb and postgres get argv arrays through
 * run_command() (pg_ctl would hand its -o string and the data directory to
 * /bin/sh, so a TMPDIR with a space broke it and one with "$(...)" ran
 * that command). sluice starts the postmaster itself and waits for it to
 * accept connections.
 *
 * A cluster must not outlive sluice. Each directory holds a marker,
 * sluice-owner: "sluice PID START" (START: the process's start time, so a
 * recycled pid is not taken for it) and, once it runs, "postmaster PID".
 * The postmaster gets SIGQUIT when sluice dies, even by SIGKILL (Linux's
 * parent-death signal); ^C, SIGTERM, SIGHUP and SIGQUIT stop it and remove
 * the directory; SIGPIPE is ignored while a cluster runs (`sluice drift |
 * head -1`: a write fails with EPIPE, which ends the output, and sluice
 * cleans up). Whatever is left anyway (a power cut, a kill before the
 * marker was complete) is reaped when sluice next starts a cluster: a
 * directory whose sluice is gone, or whose postmaster is, is removed after
 * its postmaster (when it is still running and really is that cluster's)
 * is stopped.
 */
#include "db.h"
#include "run_command.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
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
	char *a = xstrfmt("%s/initdb", dir), *b = xstrfmt("%s/postgres", dir);
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

/* A server program run as c->uid when as_other, with no input and its output to `log`. */
static void cluster_child(const struct pg_cluster *c, const char *const argv[], const char *log,
			  struct child_process *cp)
{
	cp->argv = argv;
	cp->log = log;
	cp->null_stdin = true;
	cp->as_other = c->as_other;
	cp->uid = c->uid;
	cp->gid = c->gid;
}

/* Runs argv with cluster_child(); its exit status, or -1 with *err. */
static int run_tool(const struct pg_cluster *c, const char *const argv[], const char *log,
		    struct strbuf *err)
{
	struct child_process cp = CHILD_PROCESS_INIT;
	cluster_child(c, argv, log, &cp);
	return run_command(&cp, err);
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

/* The start time of a process (/proc/PID/stat field 22), 0 when it is gone or unknown. */
static unsigned long long start_time(long pid)
{
	char path[64], buf[1024];
	unsigned long long t = 0;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After the command's ")": state is field 3, start time field 22. */
	const char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] == 'Z')
		return 0;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &t) != 1)
		return 0;
	return t;
}

static bool alive(long pid)
{
	return pid > 0 && start_time(pid) != 0;
}

/* Writes the marker: who owns the directory, and its postmaster once there is one. */
static int write_marker(const char *dir, long postmaster)
{
	char *path = xstrfmt("%s/sluice-owner", dir), *tmp = xstrfmt("%s/sluice-owner.new", dir);
	long me = (long)getpid();
	int r = -1;
	FILE *f = fopen(tmp, "we");
	if (f) {
		fprintf(f, "sluice %ld %llu\npostmaster %ld\n", me, start_time(me), postmaster);
		r = fclose(f) == 0 && rename(tmp, path) == 0 ? 0 : -1;
	}
	free(path);
	free(tmp);
	return r;
}

/*
 * Is `pid` the postmaster of `data`? A postmaster's working directory is
 * its data directory: a pid recycled by another process is left alone.
 */
static bool is_postmaster_of(long pid, const char *data)
{
	char link[64], cwd[PATH_MAX], *real = realpath(data, NULL);
	snprintf(link, sizeof(link), "/proc/%ld/cwd", pid);
	ssize_t n = readlink(link, cwd, sizeof(cwd) - 1);
	bool yes = false;
	if (n > 0 && real) {
		cwd[n] = '\0';
		yes = !strcmp(cwd, real);
	}
	free(real);
	return yes;
}

/* SIGQUIT (immediate shutdown), then SIGKILL; waits up to ~5 s for it to go. */
static void stop_postmaster(long pid, bool ours)
{
	kill((pid_t)pid, SIGQUIT);
	for (int i = 0; i < 500; i++) {
		if (ours ? waitpid((pid_t)pid, NULL, WNOHANG) == (pid_t)pid : !alive(pid))
			return;
		if (i == 300)
			kill((pid_t)pid, SIGKILL);
		usleep(10000);
	}
}

/* Removes one leftover cluster directory when its sluice or its postmaster is gone. */
static void reap_one(const char *dir)
{
	char *marker = xstrfmt("%s/sluice-owner", dir), *data = xstrfmt("%s/data", dir);
	struct stat st;
	long owner = 0, postmaster = 0;
	unsigned long long started = 0;
	FILE *f;
	/* Only a marker of ours, a regular file: never someone else's directory. */
	if (lstat(marker, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    !(f = fopen(marker, "re")))
		goto out;
	int n = fscanf(f, "sluice %ld %llu\npostmaster %ld", &owner, &started, &postmaster);
	fclose(f);
	if (n < 2)
		goto out;
	bool owner_alive = alive(owner) && start_time(owner) == started;
	if (owner_alive && (postmaster <= 0 || alive(postmaster)))
		goto out;   /* in use */
	if (postmaster > 0 && alive(postmaster) && is_postmaster_of(postmaster, data))
		stop_postmaster(postmaster, false);
	remove_tree(dir);
out:
	free(marker);
	free(data);
}

/* Every leftover sluice-shadow.* directory in `parent`. */
static void reap_stale(const char *parent)
{
	DIR *d = opendir(parent);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;
		if (strncmp(e->d_name, "sluice-shadow.", strlen("sluice-shadow.")))
			continue;
		char *dir = xstrfmt("%s/%s", parent, e->d_name);
		if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			reap_one(dir);
		free(dir);
	}
	closedir(d);
}

/*
 * Interrupted (^C, a CI timeout's SIGTERM, SIGHUP, SIGQUIT), sluice still
 * stops its cluster and removes the directory: the handler sends the
 * postmaster SIGQUIT (no fork, no allocation: its pid and the directory
 * were recorded before), waits for it, removes the directory, then puts
 * back the handler that was there before and raises the signal again. For
 * the CLI that is the default (sluice dies as it would have); the
 * workbench has its own handlers, which must survive a cluster started
 * and stopped by its drift worker, or ^C would later kill it without
 * giving the terminal back.
 *
 * In the workbench the cluster belongs to a worker thread, which may be
 * stopping it (unguard) while the handler runs on another thread: the
 * handler claims the cluster with an atomic exchange and uses only what
 * guard() recorded, and unguard() frees that only once no handler is inside.
 */
static struct pg_cluster *running;      /* atomic: set while guarded, claimed once */
static int in_handler;                  /* atomic: handlers between entry and raise */
static pid_t postmaster_sig;
static char *dir_sig;
static const int guarded_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static struct sigaction saved_actions[ARRAY_SIZE(guarded_sigs)];
static struct sigaction saved_pipe;

static void restore_handlers(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(guarded_sigs); i++)
		sigaction(guarded_sigs[i], &saved_actions[i], NULL);
	sigaction(SIGPIPE, &saved_pipe, NULL);
}

static void on_signal(int sig)
{
	__atomic_add_fetch(&in_handler, 1, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&running, NULL, __ATOMIC_SEQ_CST)) {
		pid_t pm = __atomic_load_n(&postmaster_sig, __ATOMIC_SEQ_CST);
		if (pm > 0) {
			kill(pm, SIGQUIT);
			for (int i = 0; i < 500 && waitpid(pm, NULL, WNOHANG) == 0; i++)
				usleep(10000);
		}
		nftw(dir_sig, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	restore_handlers();
	__atomic_sub_fetch(&in_handler, 1, __ATOMIC_SEQ_CST);
	raise(sig);
}

static void guard(struct pg_cluster *c)
{
	struct sigaction sa, ign;
	dir_sig = xstrdup(c->dir);
	__atomic_store_n(&postmaster_sig, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&running, c, __ATOMIC_SEQ_CST);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	/* A signal ignored on entry (nohup, a background job's SIGINT and SIGQUIT) stays ignored. */
	for (size_t i = 0; i < ARRAY_SIZE(guarded_sigs); i++)
		if (sigaction(guarded_sigs[i], NULL, &saved_actions[i]) == 0 &&
		    saved_actions[i].sa_handler != SIG_IGN)
			sigaction(guarded_sigs[i], &sa, NULL);
	/* A closed pipe on stdout: writes fail with EPIPE and the output ends; sluice cleans up. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &saved_pipe);
}

/* false when a signal handler claimed the cluster first (it stopped it already). */
static bool unguard(void)
{
	if (!dir_sig)
		return true;
	restore_handlers();
	bool ours = __atomic_exchange_n(&running, NULL, __ATOMIC_SEQ_CST) != NULL;
	/* A handler on another thread may still be stopping the cluster. */
	while (__atomic_load_n(&in_handler, __ATOMIC_SEQ_CST))
		usleep(1000);
	free(dir_sig);
	dir_sig = NULL;
	return ours;
}

/* A conninfo value in single quotes, with \ and ' escaped (a path may hold spaces). */
static void add_quoted(struct strbuf *sb, const char *v)
{
	strbuf_addch(sb, '\'');
	for (; *v; v++) {
		if (*v == '\'' || *v == '\\')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *v);
	}
	strbuf_addch(sb, '\'');
}

/* unix_socket_directories is a list: the directory in double quotes, "" for a quote. */
static char *socket_dir_setting(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "unix_socket_directories=\"");
	for (; *dir; dir++) {
		if (*dir == '"')
			strbuf_addch(&sb, '"');
		strbuf_addch(&sb, *dir);
	}
	strbuf_addch(&sb, '"');
	return strbuf_detach(&sb, NULL);
}

/* Starts the postmaster and waits until it accepts connections (30 s at most). */
static int start_server(struct pg_cluster *c, const char *data, const char *srvlog, struct strbuf *err)
{
	char *postgres = xstrfmt("%s/postgres", c->bindir), *sockdir = socket_dir_setting(c->dir);
	const char *argv[] = { postgres, "-D", data, "-c", "listen_addresses=", "-c", sockdir,
			       "-c", "port=5432", "-c", "fsync=off", "-c", "full_page_writes=off",
			       "-c", "synchronous_commit=off", NULL };
	struct child_process cp = CHILD_PROCESS_INIT;
	int ret = -1;
	cluster_child(c, argv, srvlog, &cp);
	cp.new_session = true;          /* the terminal's ^C is sluice's to handle */
	cp.death_signal = SIGQUIT;      /* sluice killed: an immediate shutdown */
	if (start_command(&cp, err) < 0)
		goto out;
	c->postmaster = (int)cp.pid;
	__atomic_store_n(&postmaster_sig, cp.pid, __ATOMIC_SEQ_CST);
	write_marker(c->dir, (long)cp.pid);
	for (double until = now_seconds() + 30; now_seconds() < until;) {
		if (PQping(c->conninfo) == PQPING_OK) {
			ret = 0;
			goto out;
		}
		if (waitpid(cp.pid, NULL, WNOHANG) == cp.pid) {
			c->postmaster = 0;
			__atomic_store_n(&postmaster_sig, 0, __ATOMIC_SEQ_CST);
			break;
		}
		usleep(20000);
	}
	strbuf_addstr(err, "the shadow cluster did not start: ");
	last_lines(srvlog, err);
out:
	free(postgres);
	free(sockdir);
	return ret;
}

/* Where the cluster's directory goes: $TMPDIR when the server can use it, else /tmp. */
static const char *cluster_parent(const struct pg_cluster *c)
{
	const char *tmp = getenv("TMPDIR");
	/*
	 * A unix socket path is limited to ~107 bytes; and when the server runs
	 * as another user, it must be able to reach the directory.
	 */
	if (!tmp || !*tmp || strlen(tmp) > 60 || (c->as_other && !world_searchable(tmp)))
		tmp = "/tmp";
	return tmp;
}

int cluster_start(struct pg_cluster *c, struct strbuf *err)
{
	memset(c, 0, sizeof(*c));
	strbuf_reset(err);
	c->bindir = cluster_find_bindir();
	if (!c->bindir) {
		strbuf_addstr(err, "no PostgreSQL server programs (initdb, postgres) on PATH or in "
			      "/usr/lib/postgresql/*/bin: install postgresql, or pass --shadow URL");
		return -1;
	}
	if (who_runs_it(c, err) < 0)
		goto fail;
	const char *parent = cluster_parent(c);
	reap_stale(parent);
	c->dir = xstrfmt("%s/sluice-shadow.XXXXXX", parent);
	if (!mkdtemp(c->dir)) {
		strbuf_addf(err, "cannot create '%s': %s", c->dir, strerror(errno));
		free(c->dir);
		c->dir = NULL;
		goto fail;
	}
	if (write_marker(c->dir, 0) < 0) {
		strbuf_addf(err, "cannot write '%s/sluice-owner': %s", c->dir, strerror(errno));
		goto fail;
	}
	if (c->as_other && chown(c->dir, (uid_t)c->uid, (gid_t)c->gid) < 0) {
		strbuf_addf(err, "cannot hand '%s' to the postgres user: %s", c->dir, strerror(errno));
		goto fail;
	}
	struct strbuf ci = STRBUF_INIT;
	strbuf_addstr(&ci, "host=");
	add_quoted(&ci, c->dir);
	strbuf_addstr(&ci, " port=5432 user=postgres dbname=postgres");
	c->conninfo = strbuf_detach(&ci, NULL);

	guard(c);
	char *initdb = xstrfmt("%s/initdb", c->bindir);
	char *data = xstrfmt("%s/data", c->dir), *log = xstrfmt("%s/setup.log", c->dir);
	char *srvlog = xstrfmt("%s/server.log", c->dir);
	const char *init_argv[] = { initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
				    "--locale=C", "--no-sync", NULL };
	int r = run_tool(c, init_argv, log, err);
	if (r > 0) {
		strbuf_addf(err, "initdb failed (exit %d): ", r);
		last_lines(log, err);
	} else if (r == 0) {
		r = start_server(c, data, srvlog, err);
	}
	free(initdb);
	free(data);
	free(log);
	free(srvlog);
	if (r != 0)
		goto fail;
	return 0;
fail:
	cluster_stop(c);
	return -1;
}

void cluster_stop(struct pg_cluster *c)
{
	/* Stopped by the handler already: its pid may be another process's by now. */
	if (unguard() && c->postmaster > 0)
		stop_postmaster(c->postmaster, true);
	if (c->dir)
		remove_tree(c->dir);
	free(c->dir);
	free(c->bindir);
	free(c->conninfo);
	memset(c, 0, sizeof(*c));
}
