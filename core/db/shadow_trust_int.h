/*
 * shadow_trust_int.h - what a shadow database will not run.
 *
 * A shadow runs a stranger's migrations for real, on a server the user
 * named (--shadow URL) or on a cluster sluice started. The scratch
 * database is the only thing they may touch. A statement that reaches
 * beyond it - a database, a role, a tablespace, the server's
 * configuration, a subscription, a program or a file on the server, a
 * large object read from or written to a server file, another server
 * (dblink, postgres_fdw), code in an untrusted language, LOAD, SET ROLE -
 * is not executed: it is reported as unverifiable, with why.
 *
 * The decision is made from libpg_query's parse tree of the exact text
 * that would be sent, every statement of it, never by matching strings.
 * Text that does not parse is not sent either: sluice cannot tell what it
 * would do. This is the first of two walls; the second is that the
 * migration runs as a role that is not a superuser and owns nothing but
 * the scratch database (shadow.c), which also covers what a parse tree
 * cannot show (dynamic SQL in a DO block or a function body).
 */
#ifndef SLUICE_SHADOW_TRUST_INT_H
#define SLUICE_SHADOW_TRUST_INT_H

#include <stddef.h>
#include "util.h"

/* One statement of a vetted text: where it is, in bytes. */
struct vetted_stmt {
	size_t off, len;
};

struct vetted {
	struct vetted_stmt *v;   /* the text's statements, in order */
	size_t nr;
	char *why;               /* NULL: all may run; else why none of them may */
};

/*
 * Parses `sql` and decides whether it may run on a shadow. `roles` holds
 * the names of roles created by statements that did not run (CREATE ROLE
 * is refused): a statement that names one of them (GRANT ... TO it, OWNER
 * TO it) is refused too, since it could only fail for a reason that is not
 * the migration's. A refused CREATE ROLE adds its role to `roles`.
 * Returns 0 when every statement may run, 1 when out->why says why not.
 */
int shadow_vet(const char *sql, struct strlist *roles, struct vetted *out);
void vetted_release(struct vetted *v);

#endif
