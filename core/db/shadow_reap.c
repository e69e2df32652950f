/*
 * shadow_reap.c - dropping the scratch databases and roles that a sluice
 * run killed with SIGKILL (or a power cut) left on a shadow server.
 *
 * A run names what it creates sluice_shadow_<pid>_<n>_<epoch> and
 * sluice_migrator_<pid>_<n>_<epoch> and drops both at the end; only a run
 * that never reached its end leaves them. The server may be shared by
 * several machines (a CI shadow), so the pid proves nothing here; what
 * does is that a live run keeps two sessions open on its scratch database
 * from creating it to dropping it. A leftover is therefore one that
 *   - matches the name pattern exactly (nobody else's database),
 *   - has no session on it (pg_stat_activity), and
 *   - was created more than REAP_GRACE seconds ago by its own stamp (a
 *     run between CREATE DATABASE and its first connection is not one).
 * Names from before the stamp (sluice_shadow_<pid>_<n>) count as old.
 * A role is a leftover on the same terms and when it owns no database.
 * Anything that cannot be dropped (not ours to drop, a race with its
 * owner) is left alone; reaping never stops a run.
 */
#include "db.h"

#include <stdlib.h>
#include <string.h>

#define REAP_GRACE 300

/* The stamp is the client's clock; the grace absorbs modest skew. */
static const char stale_dbs_sql[] =
	"SELECT d.datname FROM pg_database d"
	" WHERE d.datname ~ '^sluice_shadow_[0-9]+_[0-9]+(_[0-9]+)?$'"
	"   AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)"
	"   AND COALESCE(substring(d.datname from '^sluice_shadow_[0-9]+_[0-9]+_([0-9]+)$')::bigint, 0)"
	"       < extract(epoch from now())::bigint - $1::int"
	" ORDER BY 1";

static const char stale_roles_sql[] =
	"SELECT r.rolname FROM pg_roles r"
	" WHERE r.rolname ~ '^sluice_migrator_[0-9]+_[0-9]+(_[0-9]+)?$'"
	"   AND NOT r.rolsuper"
	"   AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.usename = r.rolname)"
	"   AND NOT EXISTS (SELECT 1 FROM pg_database d WHERE d.datdba = r.oid)"
	"   AND COALESCE(substring(r.rolname from '^sluice_migrator_[0-9]+_[0-9]+_([0-9]+)$')::bigint, 0)"
	"       < extract(epoch from now())::bigint - $1::int"
	" ORDER BY 1";

/* Drops each `kind` (DATABASE, ROLE) the query lists; returns how many went. */
static int drop_listed(struct db *admin, const char *query, const char *kind)
{
	/* Tests of a kill -9 cannot wait five minutes. */
	const char *test_grace = getenv("SLUICE_TEST_REAP_GRACE");
	char grace[16];
	snprintf(grace, sizeof(grace), "%d", test_grace ? atoi(test_grace) : REAP_GRACE);
	const char *params[] = {grace};
	struct pg_result *res = db_query(admin, query, 1, params);
	if (!res)
		return 0;
	int dropped = 0;
	for (int i = 0; i < db_rows(res); i++) {
		/* The pattern admits only [a-z0-9_]: the name needs no quoting. */
		char *sql = xstrfmt("DROP %s IF EXISTS %s", kind, db_value(res, i, 0));
		if (db_exec(admin, sql) == 0)
			dropped++;
		free(sql);
	}
	db_free(res);
	return dropped;
}

void shadow_reap_leftovers(struct db *admin)
{
	/* Not WITH (FORCE): a session that arrived since the query makes the drop fail, as it should. */
	int dbs = drop_listed(admin, stale_dbs_sql, "DATABASE");
	int roles = drop_listed(admin, stale_roles_sql, "ROLE");
	if (dbs || roles)
		warning("the shadow on '%s' held %d database%s and %d role%s left by sluice runs that "
			"did not finish (killed?); dropped them", admin->display, dbs, dbs == 1 ? "" : "s",
			roles, roles == 1 ? "" : "s");
}
