#include "sqlgen_int.h"
void alembic_order(struct migration_set *ms) { (void)ms; }
int alembic_sql(struct sqlgen *g, const struct migration *m, enum direction d,
		const struct script *src, struct gen_sql *out, struct strbuf *why)
{ (void)g; (void)m; (void)d; (void)src; (void)out; strbuf_addstr(why, "todo"); return -1; }
