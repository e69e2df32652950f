/*
 * parse.h - from a script's text to a list of parsed statements.
 *
 * The splitter is our own, not libpg_query's: it must survive text that
 * does not parse (so the statements after a syntax error are still judged)
 * and it must know the exact line each statement starts on. It understands
 * comments (nested block comments too), '' and E'' strings, "quoted
 * identifiers", $tag$ dollar quotes, parentheses (CREATE RULE ... (a; b)),
 * BEGIN ATOMIC ... END bodies and goose's StatementBegin/StatementEnd,
 * and what psql runs besides SQL: meta-commands and COPY ... FROM STDIN
 * data. Each piece is then parsed on its own by libpg_query.
 */
#ifndef SLUICE_PARSE_H
#define SLUICE_PARSE_H

#include <stddef.h>

struct script;
struct file_report;

/* What a piece is: SQL, or what a psql script holds besides SQL. */
enum piece_kind {
	PIECE_SQL,
	PIECE_META,          /* a psql meta-command (\set, \i, \connect ...), its line */
	PIECE_OPEN_COMMENT,  /* a block comment never closed: the rest of the text */
};

/* A span of text found by the splitter. */
struct sql_piece {
	size_t off, len;          /* the statement, without the trailing ';' */
	size_t comment_off, comment_len; /* comments and blanks before it */
	enum piece_kind kind;
};

/*
 * Splits `text` into SQL statements; returns how many, *out is malloc'd.
 * Pieces holding only comments or blanks are not returned, nor psql's
 * meta-commands (each ends at its line, as in psql) nor the data rows
 * after COPY ... FROM STDIN (skipped to the `\.` line).
 */
size_t sql_split(const char *text, size_t len, struct sql_piece **out);
/* The same, with the PIECE_META and PIECE_OPEN_COMMENT pieces in place. */
size_t sql_split_all(const char *text, size_t len, struct sql_piece **out);

/*
 * Splits and parses a script into fr->stmts (line numbers are file lines:
 * script->first_line is added). Never fails: a statement that does not
 * parse keeps its text and gets parse_error. Returns the number of
 * statements that did not parse.
 */
int parse_script(const struct script *s, struct file_report *fr);

/*
 * The start of the parse_error the splitter gives an unterminated block
 * comment. Unlike a grammar error (which may be newer syntax), PostgreSQL
 * certainly rejects this text, so parse-error reports it as a failure.
 */
#define PARSE_ERROR_OPEN_COMMENT "unterminated /* comment"

#endif
