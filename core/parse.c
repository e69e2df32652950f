/*
 * parse.c - the statement splitter and the libpg_query call.
 */
#include "parse.h"
#include "model.h"
#include "tree.h"
#include "util.h"

#include <ctype.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

/* Length of the $tag$ starting at s[0] == '$', or 0 when it is not one. */
static size_t dollar_tag_len(const char *s, size_t rest)
{
	size_t i = 1;
	if (rest < 2)
		return 0;
	if (s[1] == '$')
		return 2;
	if (!(isalpha((unsigned char)s[1]) || s[1] == '_' || (unsigned char)s[1] >= 0x80))
		return 0;
	while (i < rest && (isalnum((unsigned char)s[i]) || s[i] == '_' || (unsigned char)s[i] >= 0x80))
		i++;
	return i < rest && s[i] == '$' ? i + 1 : 0;
}

static bool word_at(const char *text, size_t len, size_t i, const char *w)
{
	size_t n = strlen(w);
	if (i + n > len || strncasecmp(text + i, w, n))
		return false;
	if (i > 0 && (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_'))
		return false;
	return i + n == len || !(isalnum((unsigned char)text[i + n]) || text[i + n] == '_');
}

/* True when the line comment at i is goose's StatementBegin / StatementEnd. */
static int goose_marker(const char *text, size_t len, size_t i)
{
	size_t j = i + 2;
	while (j < len && (text[j] == ' ' || text[j] == '\t'))
		j++;
	if (j + 6 <= len && !strncmp(text + j, "+goose", 6)) {
		j += 6;
		while (j < len && (text[j] == ' ' || text[j] == '\t'))
			j++;
		if (j + 14 <= len && !strncasecmp(text + j, "StatementBegin", 14))
			return 1;
		if (j + 12 <= len && !strncasecmp(text + j, "StatementEnd", 12))
			return -1;
	}
	return 0;
}

struct splitter {
	const char *text;
	size_t len;
	struct sql_piece *pieces;
	size_t nr, alloc;
	size_t start;        /* where the current piece's leading part began */
	size_t first_token;  /* first non-comment byte of the piece, or SIZE_MAX */
	size_t last_token_end;
	bool all;            /* sql_split_all(): keep the pieces that are not SQL */
	size_t limit;        /* stop after this many pieces (0: never) */
};

static void add_piece(struct splitter *sp, size_t off, size_t len, enum piece_kind kind)
{
	ALLOC_GROW(sp->pieces, sp->nr + 1, sp->alloc);
	struct sql_piece *p = &sp->pieces[sp->nr++];
	p->off = off;
	p->len = len;
	p->comment_off = sp->start;
	p->comment_len = off - sp->start;
	p->kind = kind;
}

static void emit(struct splitter *sp, size_t end)
{
	if (sp->first_token != (size_t)-1)
		add_piece(sp, sp->first_token, sp->last_token_end - sp->first_token, PIECE_SQL);
	sp->start = end;
	sp->first_token = (size_t)-1;
}

static size_t line_end(const char *text, size_t len, size_t i)
{
	const char *nl = memchr(text + i, '\n', len - i);
	return nl ? (size_t)(nl - text) : len;
}

/* Skips blanks and comments (not nested: enough for a COPY's few words). */
static size_t skip_blank(const char *text, size_t len, size_t i)
{
	for (;;) {
		while (i < len && isspace((unsigned char)text[i]))
			i++;
		if (i + 1 < len && text[i] == '-' && text[i + 1] == '-')
			i = line_end(text, len, i);
		else if (i + 1 < len && text[i] == '/' && text[i + 1] == '*') {
			const char *e = memmem(text + i + 2, len - i - 2, "*/", 2);
			i = e ? (size_t)(e - text) + 2 : len;
		} else
			return i;
	}
}

/*
 * COPY ... FROM STDIN (and psql's \copy ... from stdin): psql sends the
 * lines after it as data, up to a line `\.`. The words are found outside
 * quotes the way the splitter found the statement's end, so a table or
 * column named "stdin" does not count.
 */
static bool copy_from_stdin(const char *text, size_t off, size_t len)
{
	size_t end = off + len, i = skip_blank(text, end, off);
	bool from = false;
	if (!word_at(text, end, i, "COPY"))
		return false;
	for (i += 4; i < end;) {
		i = skip_blank(text, end, i);
		if (i >= end)
			break;
		if (text[i] == '\'' || text[i] == '"') {
			char q = text[i++];
			while (i < end && text[i] != q)
				i++;
			i++;
			from = false;
		} else if (isalpha((unsigned char)text[i]) || text[i] == '_') {
			size_t b = i;
			while (i < end && (isalnum((unsigned char)text[i]) || text[i] == '_'))
				i++;
			if (from && i - b == 5 && !strncasecmp(text + b, "STDIN", 5))
				return true;
			from = i - b == 4 && !strncasecmp(text + b, "FROM", 4);
		} else {
			i++;
			from = false;
		}
	}
	return false;
}

/* Past the COPY data that starts on the line after `i`: after its `\.` line. */
static size_t skip_copy_data(const char *text, size_t len, size_t i)
{
	i = line_end(text, len, i);
	while (i < len) {
		size_t b = i + 1, e = line_end(text, len, b);
		size_t n = e - b;
		if (n && text[e - 1] == '\r')
			n--;
		i = e;
		if (n == 2 && text[b] == '\\' && text[b + 1] == '.')
			break;
	}
	return i;
}

/*
 * A psql meta-command at text[i] == '\\' (outside quotes and comments):
 * psql runs it and reads on from the next line, so it ends at its line,
 * and it ends the statement before it (\g sends that one). Returns where
 * the splitter goes on.
 */
static size_t meta_command(struct splitter *sp, size_t i)
{
	size_t e = line_end(sp->text, sp->len, i), n = e - i;
	if (sp->first_token != (size_t)-1)
		emit(sp, i); /* else the comments before it are its own */
	while (n && isspace((unsigned char)sp->text[i + n - 1]))
		n--;
	if (sp->all)
		add_piece(sp, i, n, PIECE_META);
	sp->start = e;
	/* \copy ... from stdin: its data follows, as after COPY */
	if (copy_from_stdin(sp->text, i + 1, n - 1))
		e = sp->start = skip_copy_data(sp->text, sp->len, i);
	return e;
}

static void token(struct splitter *sp, size_t b, size_t e)
{
	if (sp->first_token == (size_t)-1)
		sp->first_token = b;
	sp->last_token_end = e;
}

static size_t split(const char *text, size_t len, struct sql_piece **out, bool all, size_t limit)
{
	struct splitter sp = { text, len, NULL, 0, 0, 0, (size_t)-1, 0, all, limit };
	int paren = 0, atomic = 0, goose_block = 0;
	size_t i = 0;

	while (i < len && (!limit || sp.nr < limit)) {
		char c = text[i];
		if (c == '-' && i + 1 < len && text[i + 1] == '-') {
			int g = goose_marker(text, len, i);
			while (i < len && text[i] != '\n')
				i++;
			if (g > 0)
				goose_block = 1;
			else if (g < 0 && goose_block) {
				goose_block = 0;
				emit(&sp, i);
			}
			continue;
		}
		if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			int depth = 1;
			size_t b = i;
			i += 2;
			while (i < len && depth) {
				if (text[i] == '/' && i + 1 < len && text[i + 1] == '*')
					depth++, i += 2;
				else if (text[i] == '*' && i + 1 < len && text[i + 1] == '/')
					depth--, i += 2;
				else
					i++;
			}
			if (depth) {
				/* PostgreSQL rejects the rest: an error where it opens */
				if (sp.first_token != (size_t)-1)
					emit(&sp, b);
				if (all)
					add_piece(&sp, b, len - b, PIECE_OPEN_COMMENT);
				sp.start = len;
			}
			continue;
		}
		if (c == '\\') {
			i = meta_command(&sp, i);
			continue;
		}
		if (isspace((unsigned char)c)) {
			i++;
			continue;
		}
		size_t b = i;
		if (c == '\'' || ((c == 'E' || c == 'e') && i + 1 < len && text[i + 1] == '\'' &&
				  (i == 0 || !(isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_')))) {
			bool esc = c != '\'';
			i += esc ? 2 : 1;
			while (i < len) {
				if (esc && text[i] == '\\' && i + 1 < len)
					i += 2;
				else if (text[i] == '\'' && i + 1 < len && text[i + 1] == '\'')
					i += 2;
				else if (text[i] == '\'') {
					i++;
					break;
				} else
					i++;
			}
		} else if (c == '"') {
			i++;
			while (i < len) {
				if (text[i] == '"' && i + 1 < len && text[i + 1] == '"')
					i += 2;
				else if (text[i++] == '"')
					break;
			}
		} else if (c == '$' && dollar_tag_len(text + i, len - i) &&
			   (i == 0 || !(isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_'))) {
			size_t tl = dollar_tag_len(text + i, len - i);
			const char *tag = text + i;
			i += tl;
			while (i < len && !(text[i] == '$' && i + tl <= len && !memcmp(text + i, tag, tl)))
				i++;
			i = i < len ? i + tl : len;
		} else if (c == '(') {
			paren++, i++;
		} else if (c == ')') {
			if (paren)
				paren--;
			i++;
		} else if (c == ';') {
			if (!paren && !atomic && !goose_block) {
				bool copy = sp.first_token != (size_t)-1 &&
					    copy_from_stdin(text, sp.first_token,
							    sp.last_token_end - sp.first_token);
				emit(&sp, i + 1);
				i++;
				if (copy)
					sp.start = i = skip_copy_data(text, len, i);
				continue;
			}
			i++;
		} else if (isalpha((unsigned char)c) || c == '_') {
			while (i < len && (isalnum((unsigned char)text[i]) || text[i] == '_' || text[i] == '$'))
				i++;
			/* BEGIN ATOMIC ... END (SQL-standard function bodies). */
			if (i - b == 5 && !strncasecmp(text + b, "BEGIN", 5)) {
				size_t j = i;
				while (j < len && isspace((unsigned char)text[j]))
					j++;
				if (word_at(text, len, j, "ATOMIC"))
					atomic++;
			} else if (atomic && i - b == 3 && !strncasecmp(text + b, "END", 3)) {
				atomic--;
			} else if (atomic && (i - b == 4 && !strncasecmp(text + b, "CASE", 4))) {
				atomic++; /* CASE ... END inside an atomic body */
			}
		} else {
			i++;
		}
		token(&sp, b, i);
	}
	if (!limit || sp.nr < limit)
		emit(&sp, len);
	*out = sp.pieces;
	return sp.nr;
}

size_t sql_split(const char *text, size_t len, struct sql_piece **out)
{
	return split(text, len, out, false, 0);
}

size_t sql_split_all(const char *text, size_t len, struct sql_piece **out)
{
	return split(text, len, out, true, 0);
}

size_t sql_count_upto(const char *text, size_t len, size_t max)
{
	struct sql_piece *pieces;
	size_t n = split(text, len, &pieces, false, max);
	free(pieces);
	return n;
}

/* The parser's error, with its line in the file when it has a position. */
static char *parse_error_message(const PgQueryError *e, const char *sql, int line, int *eline)
{
	*eline = line;
	if (e->cursorpos > 0)
		*eline = line + line_of_offset(sql, (size_t)e->cursorpos - 1) - 1;
	return xstrdup(e->message ? e->message : "syntax error");
}

static void parse_piece(struct stmt *st, const char *sql)
{
	PgQueryParseResult r = pg_query_parse(sql);
	if (r.error) {
		int eline;
		st->parse_error = parse_error_message(r.error, sql, st->line, &eline);
		if (eline != st->line) {
			char *m = xstrfmt("%s (line %d)", st->parse_error, eline);
			free(st->parse_error);
			st->parse_error = m;
		}
	} else {
		cJSON *root = tree_parse_json(r.parse_tree);
		cJSON *stmts = tree_path(root, "stmts", NULL);
		cJSON *first = cJSON_GetArrayItem(stmts, 0);
		cJSON *node = tree_path(first, "stmt", NULL);
		if (node) {
			cJSON_DetachItemViaPointer(first, node);
			st->tree = node;
			st->kind = tree_kind(node);
		}
		cJSON_Delete(root);
	}
	pg_query_free_parse_result(r);
}

/*
 * A script made from a file (a Rails migration's translation, the SQL a
 * tool printed): the statement's lines become the file's, and a call that
 * was not translated shows as its source. Returns why it was not, or NULL.
 * `line` is the statement's text line.
 */
static const char *origin_lines(const struct script *s, struct stmt *st, int line)
{
	const struct script_origin *o = s->origin;
	if (!o)
		return NULL;
	int text_line = line - s->first_line + 1, end = st->end_line - s->first_line + 1;
	st->line = script_line(s, text_line);
	st->end_line = script_line(s, end);
	if (st->end_line < st->line)
		st->end_line = st->line;
	if (!o->untranslated || text_line < 1 || (size_t)text_line > o->nr ||
	    !o->untranslated[text_line - 1])
		return NULL;
	free(st->sql);
	st->sql = xstrdup(nonnull(o->source[text_line - 1]));
	return o->untranslated[text_line - 1];
}

int parse_script(const struct script *s, struct file_report *fr)
{
	struct sql_piece *pieces;
	size_t n = sql_split_all(s->text, s->len, &pieces);
	int bad = 0;
	/* Count lines incrementally: pieces come in order. */
	size_t pos = 0;
	int line = s->first_line;

	for (size_t i = 0; i < n; i++) {
		ALLOC_GROW(fr->stmts, fr->nr_stmts + 1, fr->alloc_stmts);
		struct stmt *st = &fr->stmts[fr->nr_stmts++];
		memset(st, 0, sizeof(*st));
		for (; pos < pieces[i].off; pos++)
			if (s->text[pos] == '\n')
				line++;
		st->line = line;
		st->end_line = line;
		for (size_t k = pieces[i].off; k < pieces[i].off + pieces[i].len; k++)
			if (s->text[k] == '\n')
				st->end_line++;
		st->off = pieces[i].off;
		st->len = pieces[i].len;
		st->sql = xstrndup(s->text + st->off, st->len);
		const char *untranslated = origin_lines(s, st, line);
		if (pieces[i].comment_len)
			st->comments = xstrndup(s->text + pieces[i].comment_off, pieces[i].comment_len);
		st->lock = LOCK_NONE;
		if (untranslated) {
			/* a call of another language sluice could not translate: rails-untranslated */
			st->parse_error = xstrdup(untranslated);
		} else if (pieces[i].kind == PIECE_META) {
			/* not SQL: no tree, no parse error; rule psql-meta-command says so */
		} else if (pieces[i].kind == PIECE_OPEN_COMMENT) {
			st->parse_error = xstrdup(PARSE_ERROR_OPEN_COMMENT ": PostgreSQL rejects the "
						  "text from here to the end of the file, none of it runs");
		} else if (memchr(st->sql, '\0', st->len)) {
			st->parse_error = xstrdup("statement contains a NUL byte");
		} else {
			parse_piece(st, st->sql);
		}
		if (st->parse_error)
			bad++;
	}
	free(pieces);
	return bad;
}
