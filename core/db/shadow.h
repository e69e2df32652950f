/*
 * shadow.h - the shadow database: a scratch database where sluice runs
 * migrations for real, to see what they do.
 *
 * Given a server (--shadow URL), sluice creates a fresh database on it
 * (sluice_shadow_<pid>_<n>_<epoch>), works there and drops it at the end;
 * the URL's own database is never written to. What a killed run left there
 * is dropped by the next run (shadow_reap.c). Given no URL, sluice starts a
 * throwaway cluster of its own with initdb and pg_ctl in a temporary
 * directory, listening only on a unix socket there, and removes it at
 * the end (as root, the server runs as the `postgres` user: initdb refuses
 * root).
 *
 * Nothing that reaches beyond the scratch database is run (shadow_trust.h
 * decides from the parse tree; such a statement is "not run", with why),
 * and what is run runs as a role of its own: created per shadow, not a
 * superuser, owning only the scratch database, dropped at the end. When
 * the URL's user cannot create roles and is not a superuser itself, the
 * migrations run as that user, and sh->note says so; a superuser that
 * cannot hand them to a role of their own is refused.
 *
 * While applying a statement sluice can trace the locks it takes: a
 * statement that may run in a transaction runs inside one, and pg_locks is
 * read for the backend's own pid before COMMIT; one that may not
 * (CREATE INDEX CONCURRENTLY, ...) runs while a second connection holds
 * ACCESS EXCLUSIVE on the target table, so that the statement queues for
 * its lock there and pg_locks shows the mode it asks for.
 */
#ifndef SLUICE_SHADOW_H
#define SLUICE_SHADOW_H

#include <stdbool.h>
#include "util.h"
#include "types.h"

struct db;

/* A cluster sluice started (shadow_cluster.c). */
struct pg_cluster {
	char *dir;           /* temporary directory: data/, the socket, logs */
	char *bindir;        /* where initdb and pg_ctl were found */
	char *conninfo;      /* how to reach it */
	unsigned uid, gid;   /* who runs it */
	bool as_other;       /* running as root: the server runs as uid */
	int postmaster;      /* its pid (a child of sluice's), 0 when not running */
};

/* Where initdb and postgres are: PATH, then /usr/lib/postgresql/<N>/bin. NULL when none. */
char *cluster_find_bindir(void);
int cluster_start(struct pg_cluster *c, struct strbuf *err);

/* Drops the scratch databases and roles that runs which never finished left on the server. */
void shadow_reap_leftovers(struct db *admin);
void cluster_stop(struct pg_cluster *c);

struct shadow {
	struct pg_cluster cluster;   /* when sluice started one */
	bool own_cluster;
	struct db *admin;            /* the server's maintenance database */
	struct db *db;               /* the scratch database */
	struct db *watch;            /* second connection, for lock tracing */
	char *dbname;
	char *display;               /* masked, for messages */
	char *url;                   /* the server's connection string */
	char *role;                  /* the migrations' role; NULL: the URL's own user */
	char *role_password;         /* random, for this run only */
	bool admin_super;            /* the URL's user is a superuser */
	char *note;                  /* why the migrations run as the URL's user, or NULL */
	struct strlist roles_not_created;  /* of CREATE ROLE statements not run */
	char *why;                   /* why shadow_run() did not run its statement */
	struct strlist not_run;      /* script statements not run: "path:line: why" */
};

/* What one statement was seen to lock. */
struct lock_trace {
	bool traced;                 /* a trace was taken */
	bool target_existed;         /* the statement's table existed before it ran */
	int target_mode;             /* strongest lock_mode on that table; -1 none */
	char *target_name;           /* the table it was seen on (for a statement
					without a table: the relation, of those that
					existed before, with the strongest lock) */
	char *locks;                 /* "users: ShareLock, users_email_idx: AccessExclusiveLock" */
	bool outside_txn;            /* it could not run in a transaction */
	char *not_run;               /* why it was not run (unverifiable), or NULL */
};

/* url NULL: start a cluster. -1 with the message in *err. */
int shadow_open(struct shadow *sh, const char *url, struct strbuf *err);
void shadow_close(struct shadow *sh);
/* Starts over on an empty scratch database. -1 with the message in *err. */
int shadow_reset(struct shadow *sh, struct strbuf *err);

/*
 * Runs one statement on the scratch database. With `trace` non-NULL,
 * records its locks; the target is `table`, or when NULL, whichever
 * existing relation it locks hardest. 0; 1 when it was not run because
 * it reaches beyond the scratch database (why in sh->why, and in
 * trace->not_run); or -1 with the server's message in sh->db->err.
 */
int shadow_run(struct shadow *sh, const char *sql, const char *table, struct lock_trace *trace);
void lock_trace_release(struct lock_trace *t);

/*
 * Runs a script's statements one by one, untraced; those that may not run
 * are skipped and listed in sh->not_run as "path:line: why". -1 with
 * *line and the message in sh->db->err.
 */
int shadow_run_script(struct shadow *sh, const char *path, const char *text, size_t len,
		      int first_line, int *line);

#endif
