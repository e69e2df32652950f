/*
 * run_command.c - fork and exec with an argv, never a shell (see
 * run_command.h).
 *
 * Between fork and exec the child only calls async-signal-safe functions
 * (the workbench forks from a process with threads): everything it needs
 * (the log file's name, the environment entries) is prepared before fork.
 * If exec fails, the child writes errno into a close-on-exec pipe and
 * exits 127; the parent reads it (nothing to read means exec succeeded).
 */
#include "run_command.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* In the child: report errno to the parent and die. */
static void child_fail(int fd)
{
	int e = errno;
	ssize_t n = write(fd, &e, sizeof(e));
	(void)n;
	_exit(127);
}

/* The environment with cp->env added (later entries of a name win), built before fork. */
static char **child_env(const struct child_process *cp)
{
	extern char **environ;
	size_t n = 0, k = 0, add = 0;
	while (environ[n])
		n++;
	while (cp->env && cp->env[add])
		add++;
	char **envp = xcalloc(n + add + 1, sizeof(*envp));
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(environ[i], "=");
		bool replaced = false;
		for (size_t j = 0; j < add && !replaced; j++)
			replaced = !strncmp(cp->env[j], environ[i], len) && cp->env[j][len] == '=';
		if (!replaced)
			envp[k++] = environ[i];
	}
	for (size_t j = 0; j < add; j++)
		envp[k++] = (char *)cp->env[j];
	return envp;
}

/* dup2, and the original closed unless it is one of 0-2. */
static int move_fd(int fd, int to)
{
	if (fd < 0 || dup2(fd, to) < 0)
		return -1;
	if (fd > 2)
		close(fd);
	return 0;
}

static void child_setup(const struct child_process *cp, char **envp, int report, int out_pipe,
			int err_pipe, pid_t parent)
{
	/*
	 * sluice may ignore SIGPIPE (shadow_cluster.c), and a worker thread
	 * blocks signals: a program expects the defaults and an empty mask.
	 */
	struct sigaction dfl;
	sigset_t none;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGPIPE, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (cp->null_stdin && move_fd(open("/dev/null", O_RDONLY), 0) < 0)
		child_fail(report);
	if (cp->log) {
		int fd = open(cp->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd < 0 || dup2(fd, 2) < 0 || move_fd(fd, 1) < 0)
			child_fail(report);
	} else {
		if (out_pipe >= 0 && dup2(out_pipe, 1) < 0)
			child_fail(report);
		if (err_pipe >= 0 && dup2(err_pipe, 2) < 0)
			child_fail(report);
		else if (err_pipe < 0 && cp->err_fd >= 0 && dup2(cp->err_fd, 2) < 0)
			child_fail(report);
	}
	if (cp->dir && chdir(cp->dir) < 0)
		child_fail(report);
	if (cp->new_session)
		setsid();
	if (cp->as_other &&
	    (setgroups(0, NULL) < 0 || setgid((gid_t)cp->gid) < 0 || setuid((uid_t)cp->uid) < 0))
		child_fail(report);
#ifdef __linux__
	/* After setuid, which clears it; and the parent may already be gone. */
	if (cp->death_signal && (prctl(PR_SET_PDEATHSIG, cp->death_signal) < 0 || getppid() != parent))
		child_fail(report);
#else
	(void)parent;
#endif
	execvpe(cp->argv[0], (char *const *)cp->argv, envp);
	child_fail(report);
}

/* Stops a child that ran too long or printed too much: its group when it leads one. */
static void kill_child(const struct child_process *cp)
{
	if (cp->new_session)
		kill(-cp->pid, SIGKILL);
	kill(cp->pid, SIGKILL);
}

/*
 * Reads the child's stdout (and stderr) to their end, within the bounds:
 * past cp->timeout_ms or cp->capture_max bytes it is killed, and reading
 * goes on only until the pipes close.
 */
static void read_outputs(struct child_process *cp, int out, int errp)
{
	struct pollfd fds[2] = { { out, POLLIN, 0 }, { errp, POLLIN, 0 } };
	struct strbuf *dst[2] = { cp->capture, cp->capture_err };
	double deadline = cp->timeout_ms > 0 ? now_seconds() + cp->timeout_ms / 1000.0 : 0;
	bool killed = false;
	char buf[8192];
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		int wait = -1;
		if (deadline) {
			double left = deadline - now_seconds();
			wait = left > 0 ? (int)(left * 1000) + 1 : 0;
		}
		int r = poll(fds, 2, wait);
		if (r < 0 && errno != EINTR)
			break;
		if (r == 0 && killed)
			break;   /* something it started, outside its group, holds the pipes */
		if (r == 0) {
			cp->timed_out = killed = true;
			kill_child(cp);
			deadline = now_seconds() + 2;
			continue;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			ssize_t n = read(fds[i].fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				continue;
			}
			/*
			 * Past the limit the rest is read and dropped, until it is
			 * killed. "Past" is a byte beyond it arriving: comparing the
			 * kept length alone missed output that filled the limit
			 * exactly in whole reads (16 MiB is 2,048 reads of 8 KiB),
			 * and `yes` then ran until the timeout.
			 */
			size_t room = cp->capture_max > dst[i]->len ? cp->capture_max - dst[i]->len : 0;
			bool over = cp->capture_max && (size_t)n > room;
			strbuf_add(dst[i], buf, over ? room : (size_t)n);
			if (i == 0 && over && !killed) {
				cp->too_long = killed = true;
				kill_child(cp);
				deadline = now_seconds() + 2;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
}

int start_command(struct child_process *cp, struct strbuf *err)
{
	int report[2], out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	pid_t parent = getpid();
	if (pipe2(report, O_CLOEXEC) < 0 || (cp->capture && !cp->log && pipe2(out, O_CLOEXEC) < 0) ||
	    (cp->capture_err && !cp->log && pipe2(errp, O_CLOEXEC) < 0)) {
		strbuf_addf(err, "cannot run '%s': %s", cp->argv[0], strerror(errno));
		return -1;
	}
	char **envp = child_env(cp);
	cp->pid = fork();
	if (cp->pid == 0) {
		close(report[0]);
		child_setup(cp, envp, report[1], out[1], errp[1], parent);
	}
	int fork_errno = errno;
	free(envp);
	close(report[1]);
	if (out[1] >= 0)
		close(out[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (cp->pid < 0) {
		close(report[0]);
		if (out[0] >= 0)
			close(out[0]);
		if (errp[0] >= 0)
			close(errp[0]);
		strbuf_addf(err, "cannot run '%s': fork: %s", cp->argv[0], strerror(fork_errno));
		return -1;
	}
	int e = 0;
	ssize_t n;
	while ((n = read(report[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(report[0]);
	if (n == (ssize_t)sizeof(e)) {
		if (out[0] >= 0)
			close(out[0]);
		if (errp[0] >= 0)
			close(errp[0]);
		while (waitpid(cp->pid, NULL, 0) < 0 && errno == EINTR)
			;
		cp->pid = -1;
		strbuf_addf(err, "cannot run '%s': %s", cp->argv[0], strerror(e));
		return -1;
	}
	if (errp[0] >= 0 || cp->timeout_ms > 0 || cp->capture_max) {
		read_outputs(cp, out[0], errp[0]);
	} else if (out[0] >= 0) {
		char buf[4096];
		while ((n = read(out[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
			if (n > 0)
				strbuf_add(cp->capture, buf, (size_t)n);
		close(out[0]);
	}
	return 0;
}

int finish_command(struct child_process *cp)
{
	int status;
	if (cp->pid <= 0)
		return -1;
	while (waitpid(cp->pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	cp->pid = -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

int run_command(struct child_process *cp, struct strbuf *err)
{
	if (start_command(cp, err) < 0)
		return -1;
	return finish_command(cp);
}
