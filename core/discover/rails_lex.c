/*
 * rails_lex.c - a Rails migration's Ruby as tokens, then as calls.
 *
 * Not a Ruby parser: enough of Ruby's lexical grammar to never lose its
 * place (strings of every kind, heredocs whose bodies start on the next
 * line, #{} interpolation, comments, symbols and labels), and enough of
 * its syntax to read what migrations are written in: method calls with or
 * without parentheses, keyword arguments, literal values, do/end and { }
 * blocks, `def`, `class`. Anything else (a condition, a loop, a variable)
 * is read over to its end and kept as a call marked `bad`, so the
 * translation reports it at its line instead of guessing.
 *
 * Linear in the file's size: every token is looked at a bounded number of
 * times, and a string that never ends stops the lexer with a message that
 * names its line (what came before it is still read).
 */
#include "rails_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum tk { TK_EOF, TK_NL, TK_IDENT, TK_CONST, TK_LABEL, TK_SYM, TK_STR, TK_NUM, TK_OP };

struct tok {
	enum tk k;
	char *s;
	int line;
	int text_line;       /* strings: where their text starts */
	bool interp, space;  /* #{} in a string; blank before the token */
	size_t off, end;     /* bytes of the source */
};

struct comment {
	int line;
	char *text;
};

struct heredoc {
	size_t tok;
	char *id;
	bool squiggly, dash, raw;
};

struct lexer {
	const char *text;
	size_t len, i;
	int line;
	struct tok *v;
	size_t nr, alloc;
	struct comment *cm;
	size_t nr_cm, alloc_cm;
	struct heredoc *hd;
	size_t nr_hd, alloc_hd;
	char *error;
	int error_line;
};

static struct tok *add_tok(struct lexer *lx, enum tk k, size_t off, size_t end, char *s)
{
	ALLOC_GROW(lx->v, lx->nr + 1, lx->alloc);
	struct tok *t = &lx->v[lx->nr++];
	memset(t, 0, sizeof(*t));
	t->k = k;
	t->s = s ? s : xstrndup(lx->text + off, end - off);
	t->line = t->text_line = lx->line;
	t->off = off;
	t->end = end;
	t->space = off > 0 && isspace((unsigned char)lx->text[off - 1]);
	return t;
}

static void lex_error(struct lexer *lx, int line, const char *what)
{
	if (!lx->error) {
		lx->error = xstrdup(what);
		lx->error_line = line;
	}
	lx->i = lx->len;
}

static bool ident_char(int c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

static char closing(char open)
{
	switch (open) {
	case '(': return ')';
	case '[': return ']';
	case '{': return '}';
	case '<': return '>';
	default: return open;
	}
}

/* One escape in a double-quoted string at text[i] == '\\'; returns bytes used. */
static size_t add_escape(struct strbuf *sb, const char *s, size_t rest)
{
	if (rest < 2)
		return rest;
	switch (s[1]) {
	case 'n': strbuf_addch(sb, '\n'); break;
	case 't': strbuf_addch(sb, '\t'); break;
	case 's': strbuf_addch(sb, ' '); break;
	case '0': strbuf_addch(sb, ' '); break;
	case '\n': break;
	default: strbuf_addch(sb, s[1]); break;
	}
	return 2;
}

/*
 * A string from text[lx->i] (after its opening delimiter) to `close`;
 * `open` nests (%q(a (b) c)). Double-quoted strings take escapes and
 * #{...}. Returns false at the end of the file.
 */
static bool read_quoted(struct lexer *lx, char open, char close, bool dq, struct strbuf *sb,
			bool *interp)
{
	int depth = 0;
	while (lx->i < lx->len) {
		char c = lx->text[lx->i];
		if (c == '\\') {
			if (dq)
				lx->i += add_escape(sb, lx->text + lx->i, lx->len - lx->i);
			else {
				char n = lx->i + 1 < lx->len ? lx->text[lx->i + 1] : 0;
				if (n == close || n == '\\' || (open != close && n == open))
					strbuf_addch(sb, n), lx->i += 2;
				else
					strbuf_addch(sb, c), lx->i++;
			}
			if (lx->i <= lx->len && lx->text[lx->i - 1] == '\n')
				lx->line++;
			continue;
		}
		if (dq && c == '#' && lx->i + 1 < lx->len && lx->text[lx->i + 1] == '{') {
			int d = 0;
			*interp = true;
			for (; lx->i < lx->len; lx->i++) {
				char x = lx->text[lx->i];
				strbuf_addch(sb, x);
				if (x == '\n')
					lx->line++;
				if (x == '{')
					d++;
				else if (x == '}' && --d == 0) {
					lx->i++;
					break;
				}
			}
			continue;
		}
		lx->i++;
		if (c == '\n')
			lx->line++;
		if (open != close && c == open)
			depth++;
		else if (c == close && depth-- == 0)
			return true;
		strbuf_addch(sb, c);
	}
	return false;
}

static void add_string(struct lexer *lx, size_t start, int line, char open, char close, bool dq,
		       enum tk k)
{
	struct strbuf sb = STRBUF_INIT;
	bool interp = false;
	if (!read_quoted(lx, open, close, dq, &sb, &interp)) {
		strbuf_release(&sb);
		lex_error(lx, line, "unterminated string: it runs to the end of the file");
		return;
	}
	int now = lx->line;
	lx->line = line;
	struct tok *t = add_tok(lx, k, start, lx->i, strbuf_detach(&sb, NULL));
	lx->line = now;
	t->interp = interp;
}

/* %q() %Q() %() %w[] %i[]: returns false when text[i] starts no such literal. */
static bool percent_literal(struct lexer *lx, size_t start)
{
	const char *s = lx->text + lx->i;
	size_t rest = lx->len - lx->i;
	char kind = 'Q';
	size_t k = 1;
	if (rest >= 3 && strchr("qQwWiI", s[1]) && !isalnum((unsigned char)s[2]) && !isspace((unsigned char)s[2]))
		kind = s[1], k = 2;
	else if (rest < 2 || !strchr("([{<|!/", s[1]))
		return false;
	char open = s[k];
	int line = lx->line;
	lx->i += k + 1;
	if (kind == 'w' || kind == 'W' || kind == 'i' || kind == 'I') {
		struct strbuf sb = STRBUF_INIT;
		bool interp = false;
		if (!read_quoted(lx, open, closing(open), false, &sb, &interp)) {
			strbuf_release(&sb);
			lex_error(lx, line, "unterminated %w/%i list: it runs to the end of the file");
			return true;
		}
		/* one token per word, as [ 'a', 'b' ] would give */
		int now = lx->line;
		lx->line = line;
		add_tok(lx, TK_OP, start, start, xstrdup("["));
		char *save = NULL;
		bool first = true;
		for (char *w = strtok_r(sb.buf, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
			if (!first)
				add_tok(lx, TK_OP, start, start, xstrdup(","));
			add_tok(lx, kind == 'i' || kind == 'I' ? TK_SYM : TK_STR, start, lx->i, xstrdup(w));
			first = false;
		}
		add_tok(lx, TK_OP, lx->i, lx->i, xstrdup("]"));
		lx->line = now;
		strbuf_release(&sb);
		return true;
	}
	add_string(lx, start, line, open, closing(open), kind != 'q', TK_STR);
	return true;
}

/* <<~ID, <<-ID, <<ID, <<~'ID': the body comes after the end of this line. */
static bool heredoc_start(struct lexer *lx)
{
	const char *s = lx->text + lx->i;
	size_t rest = lx->len - lx->i, k = 2;
	bool squiggly = false, dash = false, raw = false;
	if (rest < 3 || s[0] != '<' || s[1] != '<')
		return false;
	if (s[2] == '~' || s[2] == '-') {
		squiggly = s[2] == '~';
		dash = s[2] == '-';
		k = 3;
	}
	char q = k < rest ? s[k] : 0;
	size_t b, e;
	if (q == '\'' || q == '"') {
		raw = q == '\'';
		b = k + 1;
		for (e = b; e < rest && s[e] != q && s[e] != '\n'; e++)
			;
		if (e >= rest || s[e] != q)
			return false;
	} else {
		if (!(isupper((unsigned char)q) || (k == 3 && (isalpha((unsigned char)q) || q == '_'))))
			return false;
		b = k;
		for (e = b; e < rest && ident_char((unsigned char)s[e]); e++)
			;
	}
	if (e == b)
		return false;
	struct tok *t = add_tok(lx, TK_STR, lx->i, lx->i + e + (q == '\'' || q == '"'), xstrdup(""));
	ALLOC_GROW(lx->hd, lx->nr_hd + 1, lx->alloc_hd);
	lx->hd[lx->nr_hd++] = (struct heredoc){ (size_t)(t - lx->v), xstrndup(s + b, e - b),
						squiggly, dash, raw };
	lx->i += e + (q == '\'' || q == '"');
	return true;
}

/* The smallest indentation of the body's non-blank lines (<<~ removes it). */
static size_t common_indent(const char *s, size_t n)
{
	size_t best = (size_t)-1;
	for (size_t i = 0; i < n;) {
		size_t w = 0;
		while (i + w < n && (s[i + w] == ' ' || s[i + w] == '\t'))
			w++;
		if (i + w < n && s[i + w] != '\n' && w < best)
			best = w;
		const char *nl = memchr(s + i, '\n', n - i);
		i = nl ? (size_t)(nl - s) + 1 : n;
	}
	return best == (size_t)-1 ? 0 : best;
}

static void heredoc_body(struct lexer *lx, struct heredoc *h)
{
	size_t body = lx->i, end = lx->i;
	int first = lx->line;
	bool found = false;
	while (end < lx->len) {
		const char *nl = memchr(lx->text + end, '\n', lx->len - end);
		size_t le = nl ? (size_t)(nl - lx->text) : lx->len, b = end, e = le;
		if (h->squiggly || h->dash)
			while (b < e && isspace((unsigned char)lx->text[b]))
				b++;
		while (e > b && (lx->text[e - 1] == '\r' || lx->text[e - 1] == ' '))
			e--;
		if (e - b == strlen(h->id) && !memcmp(lx->text + b, h->id, e - b)) {
			found = true;
			lx->i = nl ? le + 1 : le;
			lx->line++;
			break;
		}
		end = nl ? le + 1 : le;
		lx->line++;
	}
	struct tok *t = &lx->v[h->tok];
	if (!found) {
		lex_error(lx, t->line, "unterminated heredoc: no line ends it");
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	size_t cut = h->squiggly ? common_indent(lx->text + body, end - body) : 0;
	for (size_t i = body; i < end;) {
		const char *nl = memchr(lx->text + i, '\n', end - i);
		size_t le = nl ? (size_t)(nl - lx->text) + 1 : end, skip = 0;
		while (skip < cut && i + skip < le && (lx->text[i + skip] == ' ' || lx->text[i + skip] == '\t'))
			skip++;
		for (size_t k = i + skip; k < le; k++) {
			if (!h->raw && lx->text[k] == '\\' && k + 1 < le) {
				k += add_escape(&sb, lx->text + k, le - k) - 1;
				continue;
			}
			if (!h->raw && lx->text[k] == '#' && k + 1 < le && lx->text[k + 1] == '{')
				t->interp = true;
			strbuf_addch(&sb, lx->text[k]);
		}
		i = le;
	}
	free(t->s);
	t->s = strbuf_detach(&sb, NULL);
	t->text_line = first;
}

static void newline(struct lexer *lx)
{
	add_tok(lx, TK_NL, lx->i, lx->i + 1, xstrdup("\n"));
	lx->i++;
	lx->line++;
	for (size_t k = 0; k < lx->nr_hd && !lx->error; k++)
		heredoc_body(lx, &lx->hd[k]);
	for (size_t k = 0; k < lx->nr_hd; k++)
		free(lx->hd[k].id);
	lx->nr_hd = 0;
}

static void add_comment(struct lexer *lx, size_t b, size_t e)
{
	ALLOC_GROW(lx->cm, lx->nr_cm + 1, lx->alloc_cm);
	lx->cm[lx->nr_cm++] = (struct comment){ lx->line, xstrndup(lx->text + b, e - b) };
}

static const char *const multi_ops[] = {
	"**=", "<=>", "===", "...", "=>", "->", "::", "==", "!=", "<=", ">=", "&&", "||", "**",
	"<<", ">>", "&.", "..", "+=", "-=", "*=", "/=", "||=", "=~", NULL,
};

/* Starts an operand: a symbol (:x) rather than a ternary's ':'. */
static bool at_line_start(const struct lexer *lx, size_t i)
{
	while (i > 0 && (lx->text[i - 1] == ' ' || lx->text[i - 1] == '\t'))
		i--;
	return i == 0 || lx->text[i - 1] == '\n';
}

static void lex_one(struct lexer *lx)
{
	const char *s = lx->text;
	size_t i = lx->i;
	char c = s[i];
	if (c == '\n') {
		newline(lx);
	} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
		lx->i++;
	} else if (c == '\\' && i + 1 < lx->len && s[i + 1] == '\n') {
		lx->i += 2;
		lx->line++;
	} else if (c == '#') {
		size_t e = i;
		while (e < lx->len && s[e] != '\n')
			e++;
		add_comment(lx, i, e);
		lx->i = e;
	} else if (c == '=' && at_line_start(lx, i) && !strncmp(s + i, "=begin", 6)) {
		const char *e = NULL;
		for (size_t k = i; k < lx->len && !e; k++)
			if (s[k] == '\n' && !strncmp(s + k + 1, "=end", 4))
				e = s + k + 1;
		int line = lx->line;
		if (!e) {
			lex_error(lx, line, "unterminated =begin comment");
			return;
		}
		for (const char *p = s + i; p < e; p++)
			lx->line += *p == '\n';
		lx->i = (size_t)(e - s);
		while (lx->i < lx->len && s[lx->i] != '\n')
			lx->i++;
	} else if (c == '\'' || c == '"' || c == '`') {
		lx->i++;
		add_string(lx, i, lx->line, c, c, c != '\'', TK_STR);
	} else if (c == '%' && percent_literal(lx, i)) {
		/* read */
	} else if (c == '<' && heredoc_start(lx)) {
		/* body after this line */
	} else if (c == ':' && i + 1 < lx->len && s[i + 1] == '"') {
		lx->i += 2;
		add_string(lx, i, lx->line, '"', '"', true, TK_SYM);
	} else if (c == ':' && i + 1 < lx->len && (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '_')) {
		size_t e = i + 1;
		while (e < lx->len && ident_char((unsigned char)s[e]))
			e++;
		if (e < lx->len && (s[e] == '?' || s[e] == '!' || s[e] == '='))
			e++;
		add_tok(lx, TK_SYM, i, e, xstrndup(s + i + 1, e - i - 1));
		lx->i = e;
	} else if (isdigit((unsigned char)c)) {
		struct strbuf sb = STRBUF_INIT;
		size_t e = i;
		while (e < lx->len && (isalnum((unsigned char)s[e]) || s[e] == '_' ||
				       (s[e] == '.' && e + 1 < lx->len && isdigit((unsigned char)s[e + 1])))) {
			if (s[e] != '_')
				strbuf_addch(&sb, s[e]);
			e++;
		}
		add_tok(lx, TK_NUM, i, e, strbuf_detach(&sb, NULL));
		lx->i = e;
	} else if (ident_char((unsigned char)c) || c == '@' || c == '$') {
		size_t e = i + 1;
		while (e < lx->len && ident_char((unsigned char)s[e]))
			e++;
		if (e < lx->len && (s[e] == '?' || s[e] == '!') && (e + 1 >= lx->len || s[e + 1] != '='))
			e++;
		if (e < lx->len && s[e] == ':' && (e + 1 >= lx->len || s[e + 1] != ':') && c != '@') {
			add_tok(lx, TK_LABEL, i, e + 1, xstrndup(s + i, e - i));
			e++;
		} else {
			add_tok(lx, isupper((unsigned char)c) ? TK_CONST : TK_IDENT, i, e, NULL);
		}
		lx->i = e;
	} else {
		size_t n = 1;
		for (const char *const *op = multi_ops; *op; op++)
			if (!strncmp(s + i, *op, strlen(*op))) {
				n = strlen(*op);
				break;
			}
		add_tok(lx, TK_OP, i, i + n, NULL);
		lx->i += n;
	}
}

static void lex(struct lexer *lx)
{
	while (lx->i < lx->len)
		lex_one(lx);
	for (size_t k = 0; k < lx->nr_hd; k++) {
		if (!lx->error)
			lex_error(lx, lx->v[lx->hd[k].tok].line, "unterminated heredoc: no line ends it");
		free(lx->hd[k].id);
	}
	lx->nr_hd = 0;
	add_tok(lx, TK_NL, lx->len, lx->len, xstrdup(""));
	add_tok(lx, TK_EOF, lx->len, lx->len, xstrdup(""));
}

static void lexer_release(struct lexer *lx)
{
	for (size_t i = 0; i < lx->nr; i++)
		free(lx->v[i].s);
	free(lx->v);
	for (size_t i = 0; i < lx->nr_cm; i++)
		free(lx->cm[i].text);
	free(lx->cm);
	free(lx->hd);
	free(lx->error);
}

/* --- calls ----------------------------------------------------------------- */

struct reader {
	struct lexer *lx;
	size_t i;            /* current token */
	size_t cm;           /* next comment to hand out */
	struct rfile *f;
	int depth;           /* nesting, bounded */
};

#define MAX_DEPTH 64

static const struct tok *cur(const struct reader *r)
{
	return &r->lx->v[r->i];
}

static const struct tok *peek(const struct reader *r, size_t k)
{
	size_t j = r->i + k;
	return &r->lx->v[j < r->lx->nr ? j : r->lx->nr - 1];
}

static void advance(struct reader *r)
{
	if (cur(r)->k != TK_EOF)
		r->i++;
}

static bool is_op(const struct tok *t, const char *op)
{
	return t->k == TK_OP && !strcmp(t->s, op);
}

static bool is_word(const struct tok *t, const char *w)
{
	return t->k == TK_IDENT && !strcmp(t->s, w);
}

static bool opens_end_block(const struct reader *r, size_t at)
{
	const struct tok *t = &r->lx->v[at];
	static const char *const always[] = { "class", "module", "def", "do", "begin", "case", NULL };
	static const char *const at_start[] = { "if", "unless", "while", "until", "for", NULL };
	if (t->k != TK_IDENT)
		return false;
	for (const char *const *w = always; *w; w++)
		if (!strcmp(t->s, *w))
			return true;
	const struct tok *prev = at ? &r->lx->v[at - 1] : NULL;
	bool start = !prev || prev->k == TK_NL || is_op(prev, ";") || is_op(prev, "=") ||
		     is_op(prev, "(") || is_op(prev, ",") || is_op(prev, "||") || is_op(prev, "&&");
	for (const char *const *w = at_start; *w && start; w++)
		if (!strcmp(t->s, *w))
			return true;
	return false;
}

/*
 * Skips to the end of the statement: a newline at depth 0, or the `end`
 * / `}` that closes the enclosing block (not consumed). Nested do/end,
 * if/end and brackets are skipped whole.
 */
static void skip_statement(struct reader *r)
{
	int depth = 0;
	for (;;) {
		const struct tok *t = cur(r);
		if (t->k == TK_EOF)
			return;
		if (depth == 0 && (t->k == TK_NL || is_op(t, ";")))
			return;
		if (depth == 0 && (is_word(t, "end") || is_op(t, "}") || is_op(t, ")") || is_op(t, "]")))
			return;
		if (opens_end_block(r, r->i) || is_op(t, "{") || is_op(t, "(") || is_op(t, "["))
			depth++;
		else if (is_word(t, "end") || is_op(t, "}") || is_op(t, ")") || is_op(t, "]"))
			depth--;
		advance(r);
	}
}

static char *source_line(const struct reader *r, size_t from)
{
	const char *text = r->lx->text;
	size_t b = r->lx->v[from].off, e = b;
	while (e < r->lx->len && text[e] != '\n')
		e++;
	while (e > b && isspace((unsigned char)text[e - 1]))
		e--;
	return xstrndup(text + b, e - b);
}

static struct rcall *add_call(struct reader *r, struct rcall *parent, size_t at)
{
	ALLOC_GROW(parent->body, parent->nr_body + 1, parent->alloc_body);
	struct rcall *c = &parent->body[parent->nr_body++];
	memset(c, 0, sizeof(*c));
	c->line = c->end_line = r->lx->v[at].line;
	c->args.kind = RV_ARRAY;
	c->kw.kind = RV_HASH;
	c->source = source_line(r, at);
	/* the comments since the last call, and one on its own line */
	while (r->cm < r->lx->nr_cm && r->lx->cm[r->cm].line <= c->line) {
		strlist_add_nodup(&c->comments, xstrfmt("%d\t%s", r->lx->cm[r->cm].line,
							r->lx->cm[r->cm].text));
		r->cm++;
	}
	return c;
}

static void value_release(struct rvalue *v)
{
	free(v->s);
	for (size_t i = 0; i < v->nr; i++) {
		value_release(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	memset(v, 0, sizeof(*v));
}

static void value_add(struct rvalue *list, const char *key, struct rvalue *v)
{
	list->items = xrealloc(list->items, (list->nr + 1) * sizeof(*list->items));
	if (list->kind == RV_HASH)
		list->keys = xrealloc(list->keys, (list->nr + 1) * sizeof(*list->keys));
	list->items[list->nr] = *v;
	if (list->kind == RV_HASH)
		list->keys[list->nr] = xstrdup(key);
	list->nr++;
	memset(v, 0, sizeof(*v));
}

/* Tokens that end a value: a separator, a closing bracket, the end of the line. */
static bool ends_value(const struct tok *t)
{
	return t->k == TK_NL || t->k == TK_EOF || is_op(t, ",") || is_op(t, ")") || is_op(t, "]") ||
	       is_op(t, "}") || is_op(t, "=>") || is_op(t, ";") || is_op(t, "|") || is_word(t, "do") ||
	       is_word(t, "if") || is_word(t, "unless") || is_word(t, "end");
}

/* Reads the rest of an expression whatever it is; v becomes its source. */
static void other_value(struct reader *r, size_t from, struct rvalue *v)
{
	int depth = 0;
	for (;;) {
		const struct tok *t = cur(r);
		if (t->k == TK_EOF || (depth == 0 && ends_value(t) && !is_op(t, "|")))
			break;
		if (depth == 0 && is_op(t, "|") && from == r->i)
			break;
		if (is_op(t, "(") || is_op(t, "[") || is_op(t, "{") || opens_end_block(r, r->i))
			depth++;
		else if (is_op(t, ")") || is_op(t, "]") || is_op(t, "}") || is_word(t, "end"))
			depth--;
		advance(r);
	}
	value_release(v);
	v->kind = RV_OTHER;
	v->line = r->lx->v[from].line;
	size_t end = r->i > from ? r->lx->v[r->i - 1].end : r->lx->v[from].end;
	v->s = xstrndup(r->lx->text + r->lx->v[from].off, end - r->lx->v[from].off);
}

static void read_value(struct reader *r, struct rvalue *v);

/* "a  b\n c" -> "a b c", as String#squish. */
static void squish(char *s)
{
	char *o = s;
	bool space = false;
	for (char *p = s; *p; p++) {
		if (isspace((unsigned char)*p)) {
			space = o != s;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = false;
		*o++ = *p;
	}
	*o = '\0';
}

static void read_string(struct reader *r, struct rvalue *v)
{
	const struct tok *t = cur(r);
	struct strbuf sb = STRBUF_INIT;
	v->kind = RV_STR;
	v->line = t->text_line;
	while (cur(r)->k == TK_STR) {
		strbuf_addstr(&sb, cur(r)->s);
		v->interp |= cur(r)->interp;
		advance(r);
	}
	v->s = strbuf_detach(&sb, NULL);
	/* "...".squish, <<~SQL.strip: what ActiveRecord is given */
	while (is_op(cur(r), ".") && peek(r, 1)->k == TK_IDENT) {
		const char *m = peek(r, 1)->s;
		if (!strcmp(m, "squish"))
			squish(v->s);
		else if (strcmp(m, "strip") && strcmp(m, "strip_heredoc") && strcmp(m, "freeze") &&
			 strcmp(m, "chomp") && strcmp(m, "dup"))
			break;
		advance(r);
		advance(r);
	}
}

/* -> { "now()" }, lambda { 'x' }: a block returning one string. */
static void read_lambda(struct reader *r, size_t from, struct rvalue *v)
{
	if (is_op(cur(r), "(")) {
		while (!is_op(cur(r), ")") && cur(r)->k != TK_EOF)
			advance(r);
		advance(r);
	}
	bool brace = is_op(cur(r), "{");
	if ((brace || is_word(cur(r), "do")) && peek(r, 1)->k == TK_STR && !peek(r, 1)->interp &&
	    (brace ? is_op(peek(r, 2), "}") : is_word(peek(r, 2), "end"))) {
		advance(r);
		v->kind = RV_LAMBDA;
		v->line = cur(r)->line;
		v->s = xstrdup(cur(r)->s);
		advance(r);
		advance(r);
		return;
	}
	r->i = from;
	other_value(r, from, v);
}

static void read_list(struct reader *r, struct rvalue *v, const char *close, bool hash)
{
	v->kind = hash ? RV_HASH : RV_ARRAY;
	advance(r);
	for (;;) {
		while (cur(r)->k == TK_NL)
			advance(r);
		if (is_op(cur(r), close) || cur(r)->k == TK_EOF)
			break;
		struct rvalue item = { 0 };
		char *key = NULL;
		if (hash && cur(r)->k == TK_LABEL) {
			key = xstrdup(cur(r)->s);
			advance(r);
		} else if (hash) {
			read_value(r, &item);
			key = xstrdup(rv_name(&item) ? rv_name(&item) : "");
			value_release(&item);
			if (is_op(cur(r), "=>"))
				advance(r);
		}
		while (cur(r)->k == TK_NL)
			advance(r);
		read_value(r, &item);
		value_add(v, key, &item);
		free(key);
		while (cur(r)->k == TK_NL)
			advance(r);
		if (!is_op(cur(r), ","))
			break;
		advance(r);
	}
	if (is_op(cur(r), close))
		advance(r);
}

static void read_value(struct reader *r, struct rvalue *v)
{
	size_t from = r->i;
	const struct tok *t = cur(r);
	memset(v, 0, sizeof(*v));
	v->line = t->line;
	if (++r->depth > MAX_DEPTH) {
		other_value(r, from, v);
	} else if (t->k == TK_NUM || (is_op(t, "-") && peek(r, 1)->k == TK_NUM)) {
		bool neg = is_op(t, "-");
		if (neg)
			advance(r);
		v->kind = RV_NUM;
		v->s = xstrfmt("%s%s", neg ? "-" : "", cur(r)->s);
		advance(r);
	} else if (t->k == TK_STR) {
		read_string(r, v);
	} else if (t->k == TK_SYM) {
		v->kind = RV_SYM;
		v->s = xstrdup(t->s);
		advance(r);
	} else if (is_word(t, "nil") || is_word(t, "true") || is_word(t, "false")) {
		v->kind = t->s[0] == 'n' ? RV_NIL : t->s[0] == 't' ? RV_TRUE : RV_FALSE;
		advance(r);
	} else if (is_op(t, "[")) {
		read_list(r, v, "]", false);
	} else if (is_op(t, "{")) {
		read_list(r, v, "}", true);
	} else if (is_op(t, "->") || ((is_word(t, "lambda") || is_word(t, "proc")) &&
				      (is_op(peek(r, 1), "{") || is_word(peek(r, 1), "do")))) {
		advance(r);
		read_lambda(r, from, v);
	}
	r->depth--;
	/* a literal that goes on ("a" + b, 1.day, x.y): an expression we cannot know */
	if (v->kind == RV_NONE || !ends_value(cur(r))) {
		r->i = from;
		other_value(r, from, v);
	}
}

static bool starts_argument(const struct tok *t)
{
	if (t->k == TK_NL || t->k == TK_EOF || is_word(t, "do") || is_word(t, "end") ||
	    is_word(t, "if") || is_word(t, "unless") || is_word(t, "and") || is_word(t, "or"))
		return false;
	if (t->k == TK_OP)
		return is_op(t, "[") || is_op(t, "->") || is_op(t, ":") || is_op(t, "-") ||
		       is_op(t, "*") || is_op(t, "**") || is_op(t, "&") || is_op(t, "(");
	return true;
}

/* Positional and keyword arguments, up to `close` (NULL: the end of the line). */
static void read_args(struct reader *r, struct rcall *c, const char *close)
{
	for (;;) {
		if (close)
			while (cur(r)->k == TK_NL)
				advance(r);
		if ((close && is_op(cur(r), close)) || (!close && !starts_argument(cur(r))))
			break;
		struct rvalue v = { 0 };
		if (cur(r)->k == TK_LABEL) {
			char *key = xstrdup(cur(r)->s);
			advance(r);
			while (cur(r)->k == TK_NL)
				advance(r);
			read_value(r, &v);
			value_add(&c->kw, key, &v);
			free(key);
		} else {
			read_value(r, &v);
			if (is_op(cur(r), "=>") && rv_name(&v)) {
				char *key = xstrdup(rv_name(&v));
				value_release(&v);
				advance(r);
				read_value(r, &v);
				value_add(&c->kw, key, &v);
				free(key);
			} else {
				value_add(&c->args, NULL, &v);
			}
		}
		if (!is_op(cur(r), ","))
			break;
		advance(r);
		while (cur(r)->k == TK_NL)
			advance(r);
	}
	if (close && is_op(cur(r), close))
		advance(r);
	else if (close)
		c->bad = c->bad ? c->bad : xstrfmt("could not read its arguments (no '%s')", close);
}

static void read_body(struct reader *r, struct rcall *parent, bool brace);

static void read_block(struct reader *r, struct rcall *c)
{
	bool brace = is_op(cur(r), "{");
	advance(r);
	c->block = true;
	if (is_op(cur(r), "|")) {
		advance(r);
		if (cur(r)->k == TK_IDENT)
			c->param = xstrdup(cur(r)->s);
		while (!is_op(cur(r), "|") && cur(r)->k != TK_NL && cur(r)->k != TK_EOF)
			advance(r);
		advance(r);
	}
	read_body(r, c, brace);
}

/* `def name ... end`, `class X < ActiveRecord::Migration[6.1] ... end` */
static void read_definition(struct reader *r, struct rcall *parent)
{
	size_t at = r->i;
	struct rcall *c = add_call(r, parent, at);
	bool def = is_word(cur(r), "def");
	c->name = xstrdup(cur(r)->s);
	advance(r);
	if (def && is_word(cur(r), "self") && is_op(peek(r, 1), "."))
		advance(r), advance(r);
	if (cur(r)->k == TK_IDENT || cur(r)->k == TK_CONST)
		c->recv = xstrdup(cur(r)->s);   /* the method's or class's name */
	/* ActiveRecord::Migration[6.1] */
	for (; cur(r)->k != TK_NL && cur(r)->k != TK_EOF; advance(r))
		if (!def && !strcmp(cur(r)->s, "Migration") && is_op(peek(r, 1), "[") &&
		    peek(r, 2)->k == TK_NUM) {
			const char *n = peek(r, 2)->s, *dot = strchr(n, '.');
			r->f->ar_version = atoi(n) * 100 + (dot ? atoi(dot + 1) : 0);
		}
	c->block = true;
	if (r->depth >= MAX_DEPTH) {
		/* nested past any migration's needs: read over, not into */
		c->bad = xstrdup("nested too deep for sluice to read");
		for (int depth = 1; depth > 0 && cur(r)->k != TK_EOF; advance(r))
			if (opens_end_block(r, r->i) || is_op(cur(r), "{"))
				depth++;
			else if (is_word(cur(r), "end") || is_op(cur(r), "}"))
				depth--;
	} else {
		r->depth++;
		read_body(r, c, false);
		r->depth--;
	}
	c = &parent->body[parent->nr_body - 1];
	c->end_line = cur(r)->line;
}

/* A condition, loop or begin block: read over whole, kept as not translatable. */
static void read_construct(struct reader *r, struct rcall *parent)
{
	struct rcall *c = add_call(r, parent, r->i);
	c->name = xstrdup(cur(r)->s);
	c->bad = xstrfmt("Ruby '%s' code: which statements run depends on what sluice does not "
			 "run", c->name);
	int depth = 0;
	do {
		if (opens_end_block(r, r->i) || is_op(cur(r), "{"))
			depth++;
		else if (is_word(cur(r), "end") || is_op(cur(r), "}"))
			depth--;
		advance(r);
	} while (depth > 0 && cur(r)->k != TK_EOF);
	c->end_line = cur(r)->line;
}

static void read_statement(struct reader *r, struct rcall *parent)
{
	const struct tok *t = cur(r);
	static const char *const constructs[] = { "if", "unless", "while", "until", "case", "begin",
						  "for", NULL };
	for (const char *const *w = constructs; *w; w++)
		if (is_word(t, *w)) {
			read_construct(r, parent);
			return;
		}
	if (is_word(t, "def") || is_word(t, "class") || is_word(t, "module")) {
		read_definition(r, parent);
		return;
	}
	size_t at = r->i;
	struct rcall *c = add_call(r, parent, at);
	struct strbuf recv = STRBUF_INIT;
	char *name = NULL;
	/* a.b.c: the receiver "a.b", the method "c" */
	while (cur(r)->k == TK_IDENT || cur(r)->k == TK_CONST) {
		if (name) {
			if (recv.len)
				strbuf_addch(&recv, '.');
			strbuf_addstr(&recv, name);
			free(name);
		}
		name = xstrdup(cur(r)->s);
		advance(r);
		if (!(is_op(cur(r), ".") || is_op(cur(r), "&.") || is_op(cur(r), "::")) ||
		    !(peek(r, 1)->k == TK_IDENT || peek(r, 1)->k == TK_CONST))
			break;
		advance(r);
	}
	c->name = name ? name : xstrdup("");
	c->recv = recv.len ? strbuf_detach(&recv, NULL) : NULL;
	strbuf_release(&recv);
	if (!name || is_op(cur(r), "=") || is_op(cur(r), "||=") || is_op(cur(r), "+=")) {
		c->bad = xstrdup(name ? "an assignment: sluice does not run Ruby"
				      : "not a method call sluice can read");
		skip_statement(r);
	} else {
		if (is_op(cur(r), "(") && !cur(r)->space) {
			advance(r);
			read_args(r, c, ")");
		} else if (!is_op(cur(r), "{")) {
			read_args(r, c, NULL);
		}
		c = &parent->body[parent->nr_body - 1];
		if ((is_word(cur(r), "do") || is_op(cur(r), "{")) && r->depth < MAX_DEPTH) {
			r->depth++;
			read_block(r, c);
			r->depth--;
			c = &parent->body[parent->nr_body - 1];
		}
		if (is_word(cur(r), "if") || is_word(cur(r), "unless")) {
			free(c->bad);
			c->bad = xstrfmt("runs only under a condition ('%s ...'), which sluice does not "
					 "evaluate", cur(r)->s);
		} else if ((is_op(cur(r), ".") || is_op(cur(r), "&.")) && !c->bad) {
			c->bad = xstrfmt("Ruby code ('%s%s%s(...).%s'), not a migration call: sluice does "
					 "not run it", c->recv ? c->recv : "", c->recv ? "." : "", c->name,
					 peek(r, 1)->s);
		} else if (!(cur(r)->k == TK_NL || cur(r)->k == TK_EOF || is_op(cur(r), ";") ||
			     is_word(cur(r), "end") || is_op(cur(r), "}")) && !c->bad) {
			c->bad = xstrfmt("could not read it past '%s'", cur(r)->s);
		}
		skip_statement(r);
	}
	c->end_line = r->i ? r->lx->v[r->i - 1].line : c->line;
}

/* Statements up to the `end` (or `}`) that closes the block, consumed. */
static void read_body(struct reader *r, struct rcall *parent, bool brace)
{
	for (;;) {
		while (cur(r)->k == TK_NL || is_op(cur(r), ";"))
			advance(r);
		const struct tok *t = cur(r);
		if (t->k == TK_EOF)
			return;
		if ((!brace && is_word(t, "end")) || (brace && is_op(t, "}"))) {
			advance(r);
			return;
		}
		if (is_word(t, "end") || is_op(t, "}") || is_op(t, ")") || is_op(t, "]")) {
			advance(r);  /* a stray closer: keep going */
			continue;
		}
		size_t before = r->i;
		read_statement(r, parent);
		if (r->i == before)
			advance(r);
	}
}

int rails_read(const char *text, size_t len, struct rfile *out)
{
	struct lexer lx = { .text = text, .len = len, .line = 1 };
	struct reader r = { .lx = &lx, .f = out };
	memset(out, 0, sizeof(*out));
	out->top.args.kind = RV_ARRAY;
	out->top.kw.kind = RV_HASH;
	lex(&lx);
	read_body(&r, &out->top, false);
	/* statements after a stray top-level `end` */
	while (cur(&r)->k != TK_EOF)
		read_body(&r, &out->top, false);
	if (lx.error) {
		out->error = xstrdup(lx.error);
		out->error_line = lx.error_line;
	}
	lexer_release(&lx);
	return out->error ? -1 : 0;
}

void rails_call_release(struct rcall *c)
{
	free(c->recv);
	free(c->name);
	value_release(&c->args);
	value_release(&c->kw);
	free(c->param);
	for (size_t i = 0; i < c->nr_body; i++)
		rails_call_release(&c->body[i]);
	free(c->body);
	free(c->source);
	free(c->bad);
	strlist_clear(&c->comments);
	memset(c, 0, sizeof(*c));
}

void rails_file_release(struct rfile *f)
{
	rails_call_release(&f->top);
	free(f->error);
	memset(f, 0, sizeof(*f));
}

const struct rvalue *rcall_kw(const struct rcall *c, const char *key)
{
	for (size_t i = 0; i < c->kw.nr; i++)
		if (!strcmp(c->kw.keys[i], key))
			return &c->kw.items[i];
	return NULL;
}

const struct rvalue *rcall_arg(const struct rcall *c, size_t i)
{
	return i < c->args.nr ? &c->args.items[i] : NULL;
}

const char *rv_name(const struct rvalue *v)
{
	return v && (v->kind == RV_SYM || (v->kind == RV_STR && !v->interp)) ? v->s : NULL;
}

bool rv_bool(const struct rvalue *v, bool dflt)
{
	if (!v)
		return dflt;
	if (v->kind == RV_TRUE)
		return true;
	if (v->kind == RV_FALSE || v->kind == RV_NIL)
		return false;
	return dflt;
}
