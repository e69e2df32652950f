/*
 * typechange.h - does ALTER COLUMN ... TYPE rewrite the table?
 *
 * PostgreSQL skips the rewrite (and, for most cases, the scan) when the
 * old type is binary-coercible to the new one and no check of the values is
 * needed: varchar(n) to varchar(m >= n) or text, numeric(p,s) to
 * numeric(p' >= p, s), varbit(n) widening, cidr to inet, dropping a length
 * limit; and, when the session TimeZone is UTC, timestamp <-> timestamptz.
 * Everything else is treated as a rewrite.
 */
#ifndef SLUICE_TYPECHANGE_H
#define SLUICE_TYPECHANGE_H

#include <stdbool.h>

/* Types as tree_type_name() writes them ("varchar(20)", "numeric(10,2)"). */
bool type_change_is_binary_coercible(const char *from, const char *to, int pg_version);
/*
 * timestamp <-> timestamptz: PostgreSQL 12+ skips the rewrite when the
 * session's TimeZone is UTC, because the stored values are then the same.
 * True when that is the only thing standing between from and to.
 */
bool type_change_free_in_utc(const char *from, const char *to, int pg_version);
/*
 * Is ALTER COLUMN ... TYPE's USING (the ColumnDef's raw_default) only the
 * column itself, or the column cast to the new type `to`? That is the very
 * conversion PostgreSQL applies without USING: ATColumnChangeRequiresRewrite()
 * (tablecmds.c) judges the transform expression, not whether USING was
 * written, so such a USING rewrites exactly when no USING would.
 */
struct cJSON;
bool type_change_using_is_plain(const struct cJSON *using, const char *column, const char *to);
/* Canonical base name: "character varying" -> "varchar", "int" -> "int4". */
const char *type_canonical(const char *base);

#endif
