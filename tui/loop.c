/*
 * loop.c - the event loop: one poll() over every file descriptor the
 * workbench waits on.
 *
 * The keyboard, a self-pipe for signals, the scan worker's pipe and our own
 * stderr are all watched the same way (tui_watch_fd), so a later part (an
 * LLM stream, a database connection) adds its fd and a callback and keys
 * keep working while it runs. Signal handlers only write a byte to the
 * self-pipe; resizing and quitting happen here, outside the handler.
 */
#include "app.h"
#include "display.h"
#include "job.h"
#include "navigate.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct watch {
	int fd;
	watch_fn fn;
	void *data;
};
static struct tui_poller poller;
static bool have_poller;
static struct watch *watches;
static size_t nr_watches, alloc_watches;
static int signal_pipe[2] = { -1, -1 };
static int stderr_pipe[2] = { -1, -1 };
int saved_stderr = -1;
static struct strbuf stderr_text = STRBUF_INIT;

void tui_watch_fd(int fd, watch_fn fn, void *data)
{
	tui_unwatch_fd(fd);
	ALLOC_GROW(watches, nr_watches + 1, alloc_watches);
	watches[nr_watches++] = (struct watch){ fd, fn, data };
}

void tui_unwatch_fd(int fd)
{
	for (size_t i = 0; i < nr_watches; i++) {
		if (watches[i].fd == fd) {
			memmove(&watches[i], &watches[i + 1], (nr_watches - i - 1) * sizeof(*watches));
			nr_watches--;
			return;
		}
	}
}

void tui_set_poller(const struct tui_poller *p)
{
	have_poller = p != NULL;
	if (p)
		poller = *p;
}

bool app_busy(void)
{
	return jobs_busy();
}

static void on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;
	if (write(signal_pipe[1], &c, 1) < 0) {
		/* The pipe is full: a byte is already waiting. */
	}
	errno = saved;
}

static void signal_ready(int fd, void *data)
{
	unsigned char sigs[64];
	ssize_t n = read(fd, sigs, sizeof(sigs));
	(void)data;
	for (ssize_t i = 0; i < n; i++) {
		if (sigs[i] == SIGWINCH) {
			struct winsize ws;
			if (!ioctl(1, TIOCGWINSZ, &ws))
				display_resize(ws.ws_row, ws.ws_col);
			app.dirty = true;
		} else {
			app.quit = true;
		}
	}
}

static void keys_ready(int fd, void *data)
{
	int key;
	(void)fd;
	(void)data;
	while (!app.quit && (key = display_getkey()) >= 0)
		app_key(key);
}

/* Lines written to stderr (by the engine, from either thread) while the
 * screen is ours: kept for the end, the last one shown in the status line. */
static void stderr_ready(int fd, void *data)
{
	char buf[4096];
	ssize_t n;
	(void)data;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(&stderr_text, buf, (size_t)n);
	char *nl;
	while ((nl = memchr(stderr_text.buf, '\n', stderr_text.len))) {
		*nl = '\0';
		strlist_add(&app.errors, stderr_text.buf);
		app_message(ROLE_ERROR, "%s", stderr_text.buf);
		size_t rest = stderr_text.len - (size_t)(nl + 1 - stderr_text.buf);
		memmove(stderr_text.buf, nl + 1, rest);
		strbuf_grow(&stderr_text, 0);
		stderr_text.len = rest;
		stderr_text.buf[rest] = '\0';
	}
	app.dirty = true;
}

void tui_flush_stderr(void)
{
	fflush(stderr);
	if (stderr_pipe[0] >= 0)
		stderr_ready(stderr_pipe[0], NULL);
}

static int make_pipe(int p[2])
{
	if (pipe(p) < 0)
		return error("cannot make a pipe: %m");
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

int loop_init(void)
{
	struct sigaction sa;
	if (make_pipe(signal_pipe) < 0 || make_pipe(stderr_pipe) < 0)
		return -1;
	fcntl(signal_pipe[1], F_SETFL, O_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	tui_watch_fd(signal_pipe[0], signal_ready, NULL);
	if (!app.script)
		tui_watch_fd(0, keys_ready, NULL);
	/* Our stderr would scribble over the screen: route it to the status line. */
	fflush(stderr);
	saved_stderr = dup(2);
	if (saved_stderr >= 0) {
		fcntl(saved_stderr, F_SETFD, FD_CLOEXEC);
		display_stderr(saved_stderr);
		dup2(stderr_pipe[1], 2);
	}
	tui_watch_fd(stderr_pipe[0], stderr_ready, NULL);
	return 0;
}

void loop_run(void)
{
	struct pollfd *fds = NULL;
	size_t alloc = 0;

	app.dirty = true;
	while (!app.quit) {
		if (app.dirty)
			app_redraw();
		if (app.script && !app_busy()) {
			if (!script_step())
				app.quit = true;
			continue;
		}
		enum { MAX_POLLER_FDS = 8 };
		ALLOC_GROW(fds, nr_watches + MAX_POLLER_FDS, alloc);
		for (size_t i = 0; i < nr_watches; i++)
			fds[i] = (struct pollfd){ .fd = watches[i].fd, .events = POLLIN };
		size_t n = nr_watches, np = 0;
		int tick = jobs_tick();   /* progress */
		int timeout = rejudge_timeout(tick);
		if (have_poller) {
			int t = -1;
			np = (size_t)poller.fds(poller.data, fds + n, MAX_POLLER_FDS, &t);
			if (t >= 0 && (timeout < 0 || t < timeout))
				timeout = t;
		}
		int r = poll(fds, n + np, timeout);
		if (r < 0 && errno != EINTR)
			die("poll: %m");
		if (r == 0 && tick >= 0)
			app.dirty = true;   /* progress */
		rejudge_poll(false);
		if (have_poller) {
			struct tui_poller p = poller;
			p.run(p.data);     /* may remove itself */
		}
		for (size_t i = 0; r > 0 && i < n && !app.quit; i++) {
			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			/* The callback may unwatch; find it again by fd. */
			for (size_t j = 0; j < nr_watches; j++) {
				if (watches[j].fd == fds[i].fd) {
					watches[j].fn(fds[i].fd, watches[j].data);
					break;
				}
			}
		}
	}
	free(fds);
}

void loop_release(void)
{
	fflush(stderr);
	if (saved_stderr >= 0) {
		display_stderr(-1);
		dup2(saved_stderr, 2);
		close(saved_stderr);
		saved_stderr = -1;
	}
	if (stderr_pipe[0] >= 0)
		stderr_ready(stderr_pipe[0], NULL);
	if (stderr_text.len)
		strlist_add(&app.errors, stderr_text.buf);
	strbuf_release(&stderr_text);
	for (int i = 0; i < 2; i++) {
		if (signal_pipe[i] >= 0)
			close(signal_pipe[i]);
		if (stderr_pipe[i] >= 0)
			close(stderr_pipe[i]);
		signal_pipe[i] = stderr_pipe[i] = -1;
	}
	signal(SIGWINCH, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	free(watches);
	watches = NULL;
	nr_watches = alloc_watches = 0;
}
