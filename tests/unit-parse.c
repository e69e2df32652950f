/*
 * unit-parse.c - the statement splitter, line numbers, lock conflicts and
 * type-change facts.
 */
#include "judge.h"
#include "parse.h"
#include "schema.h"
#include "model.h"
#include "tap.h"
#include "tree.h"
#include "typechange.h"
#include "types.h"
#include "util.h"

#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

static size_t split(const char *sql, struct sql_piece **p)
{
	return sql_split(sql, strlen(sql), p);
}

static void piece_is(const char *sql, struct sql_piece *p, const char *want, const char *desc)
{
	char *got = xstrndup(sql + p->off, p->len);
	is_str(got, want, "%s", desc);
	free(got);
}

static void test_splitter(void)
{
	struct sql_piece *p;
	const char *s1 = "SELECT 1; -- one; two\nSELECT 'a;b' /* c; /* nested; */ d */; SELECT $$x;y$$";
	is_int(split(s1, &p), 3, "comments, strings and dollar quotes hide semicolons");
	piece_is(s1, &p[1], "SELECT 'a;b'", "a trailing comment is not part of the statement");
	piece_is(s1, &p[2], "SELECT $$x;y$$", "unterminated last statement is kept");
	free(p);

	const char *s2 = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$\n"
			 "BEGIN RETURN 1; END;\n$body$;\nSELECT E'it\\'s;';";
	is_int(split(s2, &p), 2, "tagged dollar quote and E'' escapes");
	free(p);

	const char *s3 = "-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION g() AS $$ SELECT 1; $$;\n"
			 "SELECT 2;\n-- +goose StatementEnd\nSELECT 3;";
	is_int(split(s3, &p), 2, "goose StatementBegin/End groups statements");
	free(p);

	const char *s4 = "CREATE FUNCTION h() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT 9;";
	is_int(split(s4, &p), 2, "BEGIN ATOMIC body is one statement");
	free(p);

	const char *s5 = "CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2); SELECT 3";
	is_int(split(s5, &p), 2, "semicolons inside parentheses do not split");
	free(p);

	const char *s6 = "-- only a comment\n/* and another */\n";
	is_int(split(s6, &p), 0, "comment-only text has no statements");
	free(p);

	const char *s7 = "SELECT \"a;b\" FROM t; SELECT 1";
	is_int(split(s7, &p), 2, "quoted identifiers hide semicolons");
	free(p);
}

static void test_lines(void)
{
	const char *text = "\n\n-- c\nCREATE TABLE t (\n  id int\n);\n\nSELEC 1;\nSELECT 2;";
	struct script *s = script_new("x.sql", text, strlen(text));
	struct file_report fr = { 0 };
	s->first_line = 10;
	int bad = parse_script(s, &fr);
	is_int(fr.nr_stmts, 3, "three statements");
	is_int(fr.stmts[0].line, 13, "first statement starts at its own line, offset by first_line");
	is_int(fr.stmts[0].end_line, 15, "and ends three lines later");
	is_int(bad, 1, "one statement does not parse");
	ok(fr.stmts[1].parse_error && strstr(fr.stmts[1].parse_error, "SELEC"),
	   "the parser's message names the bad token");
	is_int(fr.stmts[2].line, 18, "statements after the error are still parsed");
	is_str(fr.stmts[2].kind, "SelectStmt", "and have their kind");
	file_report_release(&fr);
	script_free(s);
}

static void test_locks(void)
{
	ok(lock_conflicts(LOCK_SHARE, LOCK_ROW_EXCLUSIVE), "SHARE blocks writers");
	ok(!lock_conflicts(LOCK_SHARE, LOCK_ACCESS_SHARE), "SHARE lets readers in");
	ok(!lock_conflicts(LOCK_SHARE_UPDATE_EXCLUSIVE, LOCK_ROW_EXCLUSIVE),
	   "SHARE UPDATE EXCLUSIVE lets writers in");
	ok(lock_conflicts(LOCK_SHARE_UPDATE_EXCLUSIVE, LOCK_SHARE_UPDATE_EXCLUSIVE),
	   "SHARE UPDATE EXCLUSIVE conflicts with itself");
	ok(lock_blocks_reads(LOCK_ACCESS_EXCLUSIVE), "ACCESS EXCLUSIVE blocks reads");
	ok(!lock_blocks_reads(LOCK_EXCLUSIVE), "EXCLUSIVE does not block plain reads");
	int asymmetric = 0, pairs = 0;
	for (int a = 0; a < LOCK__COUNT; a++)
		for (int b = 0; b < LOCK__COUNT; b++, pairs++)
			if (lock_conflicts(a, b) != lock_conflicts(b, a)) {
				asymmetric++;
				printf("# asymmetric: %s/%s\n", lock_name(a), lock_name(b));
			}
	is_int(asymmetric, 0, "conflict table is symmetric (%d pairs)", pairs);
	ok(pairs > 1, "the symmetry check saw the lock modes");
	is_int(lock_parse("ShareRowExclusiveLock"), LOCK_SHARE_ROW_EXCLUSIVE, "pg_locks names parse");
	is_int(lock_parse("ACCESS EXCLUSIVE"), LOCK_ACCESS_EXCLUSIVE, "manual names parse");
}

static void test_typechange(void)
{
	ok(type_change_is_binary_coercible("varchar(20)", "varchar(40)", 15), "varchar widening");
	ok(!type_change_is_binary_coercible("varchar(40)", "varchar(20)", 15), "varchar narrowing rewrites");
	ok(type_change_is_binary_coercible("varchar(20)", "text", 15), "varchar to text");
	ok(type_change_is_binary_coercible("numeric(10,2)", "numeric(12,2)", 15), "numeric precision up");
	ok(!type_change_is_binary_coercible("numeric(10,2)", "numeric(12,3)", 15), "numeric scale change rewrites");
	ok(type_change_is_binary_coercible("cidr", "inet", 15), "cidr to inet");
	ok(!type_change_is_binary_coercible("int4", "int8", 15), "int to bigint rewrites");
	ok(!type_change_is_binary_coercible("timestamp", "timestamptz", 15),
	   "timestamp to timestamptz is not shown safe statically");
	ok(type_change_free_in_utc("timestamp", "timestamptz", 12), "timestamptz in UTC, PG 12");
	ok(type_change_free_in_utc("timestamptz(3)", "timestamp(3)", 15), "and back");
	ok(!type_change_free_in_utc("timestamp", "timestamptz", 11), "not before PG 12");
	ok(!type_change_free_in_utc("timestamp(6)", "timestamptz(3)", 15), "not with a precision change");
	ok(!type_change_free_in_utc("date", "timestamptz", 15), "not from date");
	ok(type_change_is_binary_coercible("varbit(8)", "varbit", 15), "varbit drops its limit");
	ok(type_change_is_binary_coercible("numeric(10,2)", "numeric", 15), "numeric drops its limit");
	ok(!type_change_is_binary_coercible("numeric", "numeric(10,2)", 15), "numeric gains a limit");
	ok(!type_change_is_binary_coercible("text", "varchar(10)", 15), "text to varchar(n) checks");
	ok(!type_change_is_binary_coercible("text[]", "varchar[]", 15), "arrays are not shown free");
	ok(type_change_is_binary_coercible("text[]", "text[]", 15), "an array to itself");
	ok(!type_change_is_binary_coercible("int4[]", "int4", 15), "array to scalar");
}

/* Does tree_parse_json build what cJSON_Parse does (printed, and valueint)? */
static bool same_tree(const cJSON *a, const cJSON *b)
{
	for (; a || b; a = a->next, b = b->next) {
		if (!a || !b || (a->type & 0xFF) != (b->type & 0xFF) || a->valueint != b->valueint)
			return false;
		if (!same_tree(a->child, b->child))
			return false;
	}
	return true;
}

static void json_is_cjsons(const char *json, const char *desc)
{
	cJSON *want = cJSON_Parse(json), *got = tree_parse_json(json);
	char *w = want ? cJSON_PrintUnformatted(want) : NULL;
	char *g = got ? cJSON_PrintUnformatted(got) : NULL;
	ok(w && g && !strcmp(w, g) && same_tree(want, got), "%s", desc);
	if (!(w && g && !strcmp(w, g)))
		printf("# got %s\n# want %s\n", g ? g : "NULL", w ? w : "NULL");
	free(w);
	free(g);
	cJSON_Delete(want);
	cJSON_Delete(got);
}

static void sql_is_cjsons(const char *sql, const char *desc)
{
	PgQueryParseResult r = pg_query_parse(sql);
	ok(!r.error, "%s: parses", desc);
	if (!r.error)
		json_is_cjsons(r.parse_tree, desc);
	pg_query_free_parse_result(r);
}

static void test_tree_json(void)
{
	sql_is_cjsons("CREATE TABLE t (id bigserial PRIMARY KEY, n numeric(10,2) DEFAULT 1.5, "
		      "b boolean NOT NULL DEFAULT true)", "CREATE TABLE with numbers and booleans");
	sql_is_cjsons("SELECT E'tab\\there\\nnewline \"quoted\" back\\\\slash', 'caf\xc3\xa9', "
		      "-2147483648, 9999999999", "escapes, UTF-8 and big numbers");
	sql_is_cjsons("COMMENT ON TABLE \"we\"\"ird\" IS 'x'", "quotes in identifiers");
	json_is_cjsons("{\"a\": [1, -2.5e3, true, false, null, \"s\\u0001\\/\"], \"b\": {}, \"c\": []}",
		       "every JSON value, with whitespace");
	json_is_cjsons("{\"k\\u00e9\": \"\\u00e9\\ud83d\\ude00\"}", "non-ASCII escapes (cJSON's own)");
	cJSON *bad = tree_parse_json("{\"a\": [1, 2");
	ok(!bad, "malformed JSON is NULL, as from cJSON_Parse");
	cJSON_Delete(bad);
	struct strbuf deep = STRBUF_INIT;
	for (int i = 0; i < 600; i++)
		strbuf_addch(&deep, '[');
	for (int i = 0; i < 600; i++)
		strbuf_addch(&deep, ']');
	json_is_cjsons(deep.buf, "deep nesting goes to cJSON_Parse");
	strbuf_release(&deep);
	/* The point of it: a member is one block (cJSON frees its key with it). */
	cJSON *t = tree_parse_json("{\"IndexStmt\":{\"idxname\":\"i\"}}");
	ok(t && (t->child->type & cJSON_StringIsConst) &&
	   (t->child->child->type & cJSON_IsReference), "keys and string values share the node's block");
	cJSON_Delete(t);
	/* ... and a statement is one block, its node first, its children after it. */
	PgQueryParseResult r = pg_query_parse("CREATE INDEX i ON t (a); DROP TABLE u");
	cJSON *root = tree_parse_json(r.parse_tree);
	pg_query_free_parse_result(r);
	const cJSON *stmts = tree_path(root, "stmts", NULL), *item;
	int blocks = 0;
	cJSON_ArrayForEach(item, stmts) {
		cJSON *stmt = cJSON_DetachItemFromObject((cJSON *)item, "stmt");
		blocks += stmt && (stmt->type & cJSON_IsReference) && stmt->child == stmt + 1;
		cJSON_Delete(stmt);    /* the block; ASan sees a wrong free */
	}
	is_int(blocks, 2, "each statement's tree is one block");
	cJSON_Delete(root);
	t = tree_kind_only("IndexStmt");
	is_str(tree_kind(t), "IndexStmt", "a dropped tree keeps its kind");
	ok(tree_body(t) && !tree_body(t)->child, "and nothing else");
	cJSON_Delete(t);
}

/* What psql runs besides SQL (t-splitter.sh judges the same through the CLI). */
static void test_splitter_psql(void)
{
	struct sql_piece *p;
	const char *m = "-- c\n\\set ON_ERROR_STOP on\nDROP DATABASE prod;";
	is_int(split(m, &p), 1, "a meta-command is no SQL statement");
	piece_is(m, &p[0], "DROP DATABASE prod", "... and ends at its line, not at the next ';'");
	free(p);
	is_int(sql_split_all(m, strlen(m), &p), 2, "sql_split_all keeps the meta-command");
	ok(p[0].kind == PIECE_META && p[1].kind == PIECE_SQL, "... as PIECE_META, then the SQL");
	piece_is(m, &p[0], "\\set ON_ERROR_STOP on", "... its line, its comments before it");
	is_int((long)p[0].comment_len, 5, "... the comment before it is its own");
	free(p);

	const char *g = "SELECT 1 \\g\nSELECT 2;";
	is_int(split(g, &p), 2, "a meta-command ends the statement before it (\\g)");
	free(p);

	const char *c = "COPY t FROM stdin;\n1\tx; DROP TABLE t;\n\\.\nSELECT 3;";
	is_int(split(c, &p), 2, "COPY FROM stdin: the data rows are skipped");
	piece_is(c, &p[1], "SELECT 3", "... to the line after \\.");
	free(p);
	const char *nc = "COPY t TO stdout;\nSELECT 4;";
	is_int(split(nc, &p), 2, "near miss: COPY TO stdout has no data rows");
	free(p);
	const char *qc = "COPY \"from\" (\"stdin\") FROM '/x';\nSELECT 5;";
	is_int(split(qc, &p), 2, "near miss: quoted \"from\" and \"stdin\" are names");
	free(p);

	const char *o = "SELECT 1;\nSELECT 2 /* open\nDROP TABLE t;";
	is_int(split(o, &p), 2, "an unterminated /*: the statement before it stays");
	free(p);
	is_int(sql_split_all(o, strlen(o), &p), 3, "... and sql_split_all reports the comment");
	ok(p[2].kind == PIECE_OPEN_COMMENT && p[2].off == 19, "... as PIECE_OPEN_COMMENT where it opens");
	free(p);
	const char *e = "SELECT E'a\\\\b', 'c\\d';";
	is_int(split(e, &p), 1, "near miss: backslashes inside strings are no meta-command");
	free(p);
}

/*
 * The schema model's columns by name (a per-table hash past a few
 * columns): found first to last, and still right after a drop shifts the
 * positions, a rename, and an append.
 */
static void test_wide_table(void)
{
	struct strbuf sql = STRBUF_INIT;
	struct schema s;
	strbuf_addstr(&sql, "CREATE TABLE wide (");
	for (int i = 0; i < 300; i++)
		strbuf_addf(&sql, "%sc%d int", i ? ", " : "", i);
	strbuf_addstr(&sql, ");\nALTER TABLE wide DROP COLUMN c5;\n"
			    "ALTER TABLE wide RENAME COLUMN c7 TO renamed;\n"
			    "ALTER TABLE wide ADD COLUMN late text NOT NULL;\n");
	struct script *sc = script_new("wide.sql", sql.buf, sql.len);
	schema_init(&s);
	schema_begin_migration(&s, "1");
	replay_script(&s, sc);
	const struct table_def *t = schema_table(&s, "wide");
	ok(t && t->nr_cols == 300, "wide table: 300 columns after a drop and an add");
	ok(table_column(t, "c0") == &t->cols[0], "wide table: the first column");
	ok(table_column(t, "c299") && !strcmp(table_column(t, "c299")->name, "c299"), "wide table: the last");
	ok(!table_column(t, "c5"), "wide table: a dropped column is gone");
	ok(table_column(t, "c6") == &t->cols[5], "wide table: the columns after it moved up");
	ok(!table_column(t, "c7") && table_column(t, "renamed"), "wide table: a renamed column");
	ok(table_column(t, "late") && table_column(t, "late")->not_null, "wide table: an added column");
	ok(!table_column(t, "nosuch"), "wide table: near miss, no such column");
	schema_release(&s);
	script_free(sc);
	strbuf_release(&sql);
}

int main(void)
{
	test_wide_table();
	test_splitter();
	test_splitter_psql();
	test_lines();
	test_locks();
	test_typechange();
	test_tree_json();
	return done_testing();
}
