/*
 * worker.c - a thread, a pipe and the event loop (see worker.h).
 */
#include "worker.h"
#include "app.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static void *trampoline(void *arg)
{
	struct worker *w = arg;
	char c = 1;
	w->run(w->job);
	/* Cannot fail on an empty pipe; if it did the loop would wait forever, so say so. */
	if (write(w->pipe[1], &c, 1) < 0)
		perror("sluice: worker pipe");
	return NULL;
}

static void done(int fd, void *data)
{
	struct worker *w = data;
	char c;
	if (read(fd, &c, 1) != 1)
		return;
	pthread_join(w->thread, NULL);
	void *job = w->job;
	w->job = NULL;
	w->busy = false;   /* before finished(): it may start the next job */
	w->finished(job);
	app.dirty = true;
}

void worker_start(struct worker *w, void *job)
{
	if (w->busy)
		BUG("the %s worker is already running", w->name);
	if (w->pipe[0] < 0) {
		if (pipe2(w->pipe, O_CLOEXEC) < 0)
			die("cannot make a pipe: %m");
		tui_watch_fd(w->pipe[0], done, w);
	}
	w->job = job;
	w->busy = true;
	if (pthread_create(&w->thread, NULL, trampoline, w))
		die("cannot start the %s thread", w->name);
}

bool worker_busy(const struct worker *w)
{
	return w->busy;
}

void worker_wait(struct worker *w)
{
	/* The pipe is blocking: each read waits for the thread's byte. */
	while (w->busy)
		done(w->pipe[0], w);
}

void worker_release(struct worker *w)
{
	worker_wait(w);
	if (w->pipe[0] >= 0) {
		tui_unwatch_fd(w->pipe[0]);
		close(w->pipe[0]);
		close(w->pipe[1]);
		w->pipe[0] = w->pipe[1] = -1;
	}
}
