#include "sqlgen_int.h"
int knex_sql(struct sqlgen *g, const struct migration *m, enum direction d,
	     const struct script *src, struct gen_sql *out, struct strbuf *why)
{ (void)g; (void)m; (void)d; (void)src; (void)out; strbuf_addstr(why, "todo"); return -1; }
