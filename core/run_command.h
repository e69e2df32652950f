/*
 * run_command.h - the one place sluice starts another program, as git's
 * run-command.c is for git.
 *
 * Arguments go to execv/execvp as an argv array: no shell ever reads them,
 * so a path with a space or a "$(...)" in it is just a path. (The
 * workbench's editor is the one exception, by design and as git does it:
 * $VISUAL/$EDITOR is a shell command line, "code -w" or "vim -u NONE", so
 * tui/app.c runs it as argv { "/bin/sh", "-c", "$EDITOR \"$@\"", ... } with
 * the file as a positional parameter: the file name is still never parsed
 * by the shell.)
 *
 * A program that cannot be started is an error with its name and errno's
 * message, reported by the child through a close-on-exec pipe: "cannot run
 * '/usr/lib/postgresql/15/bin/initdb': No such file or directory".
 */
#ifndef SLUICE_RUN_COMMAND_H
#define SLUICE_RUN_COMMAND_H

#include <stdbool.h>
#include <sys/types.h>
#include "util.h"

struct child_process {
	const char *const *argv;   /* NULL-terminated; argv[0] without '/' is looked up in PATH */
	const char *const *env;    /* "NAME=value" set in the child, or NULL */
	bool null_stdin;           /* stdin from /dev/null (else inherited) */
	const char *log;           /* stdout and stderr appended to this file (0600), or NULL */
	int err_fd;                /* >= 0: stderr goes there (when no log) */
	struct strbuf *capture;    /* stdout read into this (when no log), or NULL */
	bool as_other;             /* become uid/gid first (root running a server as postgres) */
	unsigned uid, gid;
	bool new_session;          /* setsid(): a ^C in the terminal is not sent to it */
	int death_signal;          /* Linux: sent to it when the thread that started it dies */
	pid_t pid;                 /* set by start_command() */
	/* For programs that print something for sluice to read (a migration
	 * tool printing SQL): */
	const char *dir;           /* run in this directory, or NULL */
	struct strbuf *capture_err; /* stderr read into this (when no log), or NULL */
	int timeout_ms;            /* > 0: killed (its process group with new_session) after this */
	size_t capture_max;        /* > 0: killed once stdout passes this many bytes */
	bool timed_out, too_long;  /* set when killed for either */
};

#define CHILD_PROCESS_INIT { .err_fd = -1 }

/* Starts it; 0, or -1 with the reason in *err. Call finish_command() unless it is a server. */
int start_command(struct child_process *cp, struct strbuf *err);
/* Waits for it: its exit status, 128 + the signal that killed it, or -1. */
int finish_command(struct child_process *cp);
/* start_command() then finish_command(): the exit status, or -1 with *err. */
int run_command(struct child_process *cp, struct strbuf *err);

#endif
