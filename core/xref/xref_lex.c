/*
 * xref_lex.c - reading source text for the cross-check, in two speeds.
 *
 * The prefilter (xref_keys_*) decides in one pass whether a file mentions
 * any sought name at all: it walks identifier runs and looks each one up in
 * a hash set, stopping at the first hit. Most files of a repository stop
 * here, so this loop is what the benchmark against `git grep -w` measures.
 *
 * The tokenizer (xref_tokenize) runs only on candidate files. It knows each
 * language's comments (their text is not code and yields nothing) and
 * string literals; a string's content is tokenized again the way
 * PostgreSQL's lexer would see it, so SQL inside strings gives identifiers,
 * "quoted" identifiers and punctuation with their own line numbers.
 */
#include "xref_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* --- the prefilter --------------------------------------------------------- */

#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

/* 0: not part of an identifier; else the byte folded to lower case. */
static unsigned char fold_tab[256];

static void init_fold(void)
{
	if (fold_tab['a'])
		return;
	for (int c = 0; c < 256; c++) {
		if (c >= 'A' && c <= 'Z')
			fold_tab[c] = (unsigned char)(c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80)
			fold_tab[c] = (unsigned char)c;
	}
}

static inline unsigned long long mix(unsigned long long h)
{
	/* never 0, which marks an empty slot */
	return h ? h : 1;
}

void xref_keys_init(struct xref_keys *k)
{
	init_fold();
	memset(k, 0, sizeof(*k));
	k->mask = 63;
	k->hash = xcalloc(k->mask + 1, sizeof(*k->hash));
	k->minlen = (size_t)-1;
}

static void keys_insert(struct xref_keys *k, unsigned long long h)
{
	size_t i = (size_t)h & k->mask;
	while (k->hash[i] && k->hash[i] != h)
		i = (i + 1) & k->mask;
	k->hash[i] = h;
}

/* The key of a name: folded, underscores dropped, cut at a "__". */
void xref_keys_add(struct xref_keys *k, const char *name)
{
	unsigned long long h = FNV_OFFSET;
	size_t n = 0, used = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p == '_' || !fold_tab[*p])
			continue;
		h = (h ^ fold_tab[*p]) * FNV_PRIME;
		n++;
	}
	if (!n)
		return;
	for (size_t i = 0; i <= k->mask; i++)
		used += k->hash[i] != 0;
	if ((used + 1) * 2 > k->mask + 1) {
		unsigned long long *old = k->hash;
		size_t oldn = k->mask + 1;
		k->mask = k->mask * 2 + 1;
		k->hash = xcalloc(k->mask + 1, sizeof(*k->hash));
		for (size_t i = 0; i < oldn; i++)
			if (old[i])
				keys_insert(k, old[i]);
		free(old);
	}
	keys_insert(k, mix(h));
	unsigned char two[2] = { 0, 0 };
	size_t got = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && got < 2; p++)
		if (*p != '_' && fold_tab[*p])
			two[got++] = fold_tab[*p];
	k->first[two[0]] = 1;
	if (got == 2)
		k->pair[(two[0] << 5) | (two[1] >> 3)] |= (unsigned char)(1u << (two[1] & 7));
	else
		k->short_key = true;
	if (n < k->minlen)
		k->minlen = n;
	if (n > k->maxlen)
		k->maxlen = n;
}

void xref_keys_release(struct xref_keys *k)
{
	free(k->hash);
	memset(k, 0, sizeof(*k));
}

static inline bool keys_has(const struct xref_keys *k, unsigned long long h, size_t n)
{
	if (n < k->minlen || n > k->maxlen)
		return false;
	h = mix(h);
	for (size_t i = (size_t)h & k->mask; k->hash[i]; i = (i + 1) & k->mask)
		if (k->hash[i] == h)
			return true;
	return false;
}

/* Past the identifier run at p. */
static inline const unsigned char *skip_ident(const unsigned char *p, const unsigned char *end)
{
	while (p < end && fold_tab[*p])
		p++;
	return p;
}

/*
 * The hot loop of the cross-check: for every identifier run, its key is
 * hashed only while it can still be one of ours (right first letter, not
 * longer than the longest key) and looked up once. Only what precedes a
 * "__" counts: email__iexact is a lookup on email.
 */
bool xref_keys_match(const struct xref_keys *k, const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf, *end = p + len;
	if (!k->maxlen)
		return false;
	while (p < end) {
		while (p < end && !fold_tab[*p])
			p++;
		while (p < end && *p == '_')
			p++;
		if (p == end)
			break;
		if (!k->first[fold_tab[*p]]) {
			p = skip_ident(p, end);
			continue;
		}
		if (!k->short_key) {
			/* the second letter, past one underscore (a_b is ab) */
			const unsigned char *q = p + 1;
			if (q < end && *q == '_' && q + 1 < end && q[1] != '_')
				q++;
			unsigned c0 = fold_tab[*p], c1 = q < end ? fold_tab[*q] : 0;
			if (!c1 || c1 == '_' || !(k->pair[(c0 << 5) | (c1 >> 3)] & (1u << (c1 & 7)))) {
				p = skip_ident(p, end);
				continue;
			}
		}
		unsigned long long h = FNV_OFFSET;
		size_t n = 0;
		for (; p < end && fold_tab[*p]; p++) {
			if (*p == '_') {
				if (p + 1 < end && p[1] == '_')
					break;
				continue;
			}
			if (++n > k->maxlen)
				break;
			h = (h ^ fold_tab[*p]) * FNV_PRIME;
		}
		if (n <= k->maxlen && keys_has(k, h, n))
			return true;
		p = skip_ident(p, end);
	}
	return false;
}

/* --- languages ------------------------------------------------------------- */

static const struct {
	const char *ext;
	enum xref_lang lang;
} exts[] = {
	{ ".sql", LANG_SQL },     { ".go", LANG_GO },       { ".rb", LANG_RUBY },
	{ ".rake", LANG_RUBY },   { ".erb", LANG_RUBY },    { ".ex", LANG_RUBY },
	{ ".exs", LANG_RUBY },    { ".py", LANG_PYTHON },   { ".java", LANG_JAVA },
	{ ".kt", LANG_JAVA },     { ".kts", LANG_JAVA },    { ".scala", LANG_JAVA },
	{ ".cs", LANG_JAVA },     { ".groovy", LANG_JAVA }, { ".js", LANG_JS },
	{ ".jsx", LANG_JS },      { ".ts", LANG_JS },       { ".tsx", LANG_JS },
	{ ".mjs", LANG_JS },      { ".cjs", LANG_JS },      { ".vue", LANG_JS },
	{ ".svelte", LANG_JS },   { ".rs", LANG_RUST },     { ".prisma", LANG_PRISMA },
	{ ".php", LANG_PHP },     { ".c", LANG_C },         { ".h", LANG_C },
	{ ".cc", LANG_C },        { ".cpp", LANG_C },       { ".swift", LANG_C },
	{ ".dart", LANG_C },
};

enum xref_lang xref_lang_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot || strchr(dot, '/'))
		return LANG_OTHER;
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++)
		if (!strcmp(dot, exts[i].ext))
			return exts[i].lang;
	return LANG_OTHER;
}

/* --- the tokenizer --------------------------------------------------------- */

static bool is_ident(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

struct lexer {
	struct xref_file *f;
	const char *p, *end;
	int line;
	const char *bol;     /* beginning of the current line */
};

static void newline(struct lexer *lx, const char *at)
{
	lx->line++;
	lx->bol = at + 1;
	ALLOC_GROW(lx->f->lines, lx->f->nr_lines + 1, lx->f->alloc_lines);
	lx->f->lines[lx->f->nr_lines++] = (size_t)(at + 1 - lx->f->buf);
}

static size_t emit(struct lexer *lx, enum tok_kind kind, const char *s, size_t len, int str)
{
	struct xref_file *f = lx->f;
	ALLOC_GROW(f->t, f->nr + 1, f->alloc);
	struct tok *t = &f->t[f->nr];
	t->s = s;
	t->len = (unsigned)len;
	t->line = lx->line;
	t->col = (int)(s - lx->bol);
	t->kind = kind;
	t->str = str;
	return f->nr++;
}

/* Skips to the end of the line (not past the newline). */
static void skip_line(struct lexer *lx, const char *end)
{
	while (lx->p < end && *lx->p != '\n')
		lx->p++;
}

static void skip_block(struct lexer *lx, const char *end, const char *close)
{
	size_t cl = strlen(close);
	while (lx->p < end && !(lx->p + cl <= end && !memcmp(lx->p, close, cl))) {
		if (*lx->p == '\n')
			newline(lx, lx->p);
		lx->p++;
	}
	lx->p = lx->p + cl <= end ? lx->p + cl : end;
}

/*
 * The content of a string (or a whole .sql file) as PostgreSQL would lex
 * it: words, "quoted" words, punctuation; '...' literals and -- comments
 * give nothing. `str` is the TK_STRING the content belongs to.
 */
static void lex_sql(struct lexer *lx, const char *end, int str)
{
	while (lx->p < end) {
		const char *p = lx->p;
		unsigned char c = (unsigned char)*p;
		if (c == '\n') {
			newline(lx, p);
			lx->p++;
		} else if (isspace(c)) {
			lx->p++;
		} else if (c == '-' && p + 1 < end && p[1] == '-') {
			skip_line(lx, end);
		} else if (c == '/' && p + 1 < end && p[1] == '*') {
			lx->p += 2;
			skip_block(lx, end, "*/");
		} else if (c == '\'') {
			lx->p++;
			while (lx->p < end && *lx->p != '\'') {
				if (*lx->p == '\n')
					newline(lx, lx->p);
				lx->p++;
			}
			lx->p++;
		} else if (c == '"' || (c == '\\' && p + 1 < end && p[1] == '"')) {
			/* "Word" (or \"Word\" inside a C-like string) */
			const char *q = p + (c == '\\' ? 2 : 1), *w = q;
			while (q < end && is_ident((unsigned char)*q))
				q++;
			if (q > w && q < end && (*q == '"' || (*q == '\\' && q + 1 < end && q[1] == '"'))) {
				emit(lx, TK_QIDENT, w, (size_t)(q - w), str);
				lx->p = q + (*q == '\\' ? 2 : 1);
			} else {
				emit(lx, TK_PUNCT, p, 1, str);
				lx->p = p + 1;
			}
		} else if (is_ident(c)) {
			const char *q = p;
			while (q < end && (is_ident((unsigned char)*q) || *q == '$'))
				q++;
			emit(lx, TK_IDENT, p, (size_t)(q - p), str);
			lx->p = q;
		} else {
			emit(lx, TK_PUNCT, p, 1, str);
			lx->p++;
		}
	}
	lx->p = end;
}

/* A string literal from lx->p: `open` bytes, content, then `close`. */
static void lex_string(struct lexer *lx, size_t open, const char *close, bool escapes)
{
	size_t cl = strlen(close);
	const char *start = lx->p + open, *q = start;
	int line = lx->line;
	const char *bol = lx->bol;
	while (q < lx->end && !(q + cl <= lx->end && !memcmp(q, close, cl))) {
		if (escapes && *q == '\\' && q + 1 < lx->end)
			q++;
		q++;
	}
	int str = (int)emit(lx, TK_STRING, start, (size_t)(q - start), -1);
	lx->p = start;
	(void)line;
	(void)bol;
	lex_sql(lx, q, str);
	lx->p = q + cl <= lx->end ? q + cl : lx->end;
}

/* Ruby's <<~SQL ... SQL heredoc; false when it is not one. */
static bool lex_heredoc(struct lexer *lx)
{
	const char *p = lx->p + 2, *id;
	if (*p == '~' || *p == '-')
		p++;
	id = p;
	while (p < lx->end && (isupper((unsigned char)*p) || *p == '_'))
		p++;
	if (p == id)
		return false;
	size_t idn = (size_t)(p - id);
	const char *nl = memchr(p, '\n', (size_t)(lx->end - p));
	if (!nl)
		return false;
	/* The rest of the opening line is code; keep it simple and skip it. */
	const char *start = nl + 1, *q = start;
	while (q < lx->end) {
		const char *e = memchr(q, '\n', (size_t)(lx->end - q));
		const char *le = e ? e : lx->end, *s = q;
		while (s < le && isspace((unsigned char)*s))
			s++;
		if ((size_t)(le - s) == idn && !memcmp(s, id, idn))
			break;
		q = e ? e + 1 : lx->end;
	}
	lx->p = p;
	skip_line(lx, nl);
	newline(lx, nl);
	int str = (int)emit(lx, TK_STRING, start, (size_t)(q - start), -1);
	lx->p = start;
	lex_sql(lx, q, str);
	lx->p = q;
	return true;
}

static bool line_comment_at(enum xref_lang lang, const char *p, const char *end)
{
	bool slash = p + 1 < end && p[0] == '/' && p[1] == '/';
	switch (lang) {
	case LANG_RUBY:
	case LANG_PYTHON:
		return *p == '#';
	case LANG_PHP:
		return *p == '#' || slash;
	case LANG_GO:
	case LANG_JAVA:
	case LANG_JS:
	case LANG_RUST:
	case LANG_PRISMA:
	case LANG_C:
		return slash;
	default:
		return false;
	}
}

static bool block_comments(enum xref_lang lang)
{
	return lang != LANG_RUBY && lang != LANG_PYTHON && lang != LANG_PRISMA;
}

static void lex_code(struct lexer *lx)
{
	enum xref_lang lang = lx->f->lang;
	while (lx->p < lx->end) {
		const char *p = lx->p, *end = lx->end;
		unsigned char c = (unsigned char)*p;
		size_t left = (size_t)(end - p);
		if (c == '\n') {
			newline(lx, p);
			lx->p++;
		} else if (isspace(c)) {
			lx->p++;
		} else if (line_comment_at(lang, p, end)) {
			skip_line(lx, end);
		} else if (block_comments(lang) && left > 1 && c == '/' && p[1] == '*') {
			lx->p += 2;
			skip_block(lx, end, "*/");
		} else if (lang == LANG_RUBY && p == lx->bol && left > 6 && !memcmp(p, "=begin", 6)) {
			skip_block(lx, end, "\n=end");
		} else if ((lang == LANG_PYTHON || lang == LANG_JAVA) && left > 2 &&
			   (!memcmp(p, "\"\"\"", 3) || !memcmp(p, "'''", 3))) {
			char close[4] = { (char)c, (char)c, (char)c, 0 };
			lex_string(lx, 3, close, true);
		} else if (c == '"') {
			lex_string(lx, 1, "\"", true);
		} else if (c == '\'' && lang == LANG_RUST) {
			/* a char literal, or a lifetime ('a) which is code */
			if (left > 2 && (p[2] == '\'' || p[1] == '\\'))
				lex_string(lx, 1, "'", true);
			else
				emit(lx, TK_PUNCT, p, 1, -1), lx->p++;
		} else if (c == '\'' && lang != LANG_PRISMA) {
			lex_string(lx, 1, "'", true);
		} else if (c == '`' && (lang == LANG_GO || lang == LANG_JS || lang == LANG_RUBY)) {
			lex_string(lx, 1, "`", lang != LANG_GO);
		} else if (lang == LANG_RUST && c == 'r' && left > 2 && (p[1] == '#' || p[1] == '"')) {
			size_t h = 1;
			while (p + h < end && p[h] == '#')
				h++;
			if (p + h < end && p[h] == '"') {
				char close[32] = "\"";
				for (size_t i = 1; i < h && i < sizeof(close) - 1; i++)
					close[i] = '#';
				lex_string(lx, h + 1, close, false);
			} else {
				emit(lx, TK_IDENT, p, 1, -1);
				lx->p++;
			}
		} else if (lang == LANG_RUBY && c == '<' && left > 3 && p[1] == '<' && lex_heredoc(lx)) {
			;
		} else if (is_ident(c)) {
			const char *q = p;
			while (q < end && is_ident((unsigned char)*q))
				q++;
			emit(lx, TK_IDENT, p, (size_t)(q - p), -1);
			lx->p = q;
		} else {
			emit(lx, TK_PUNCT, p, 1, -1);
			lx->p++;
		}
	}
}

static void match_brackets(struct xref_file *f)
{
	size_t *stack = xmalloc((f->nr + 1) * sizeof(*stack));
	size_t depth = 0;
	f->match = xmalloc((f->nr + 1) * sizeof(*f->match));
	for (size_t i = 0; i < f->nr; i++) {
		const struct tok *t = &f->t[i];
		f->match[i] = -1;
		if (t->kind != TK_PUNCT || (t->str >= 0 && f->lang != LANG_SQL))
			continue;
		char c = t->s[0];
		if (c == '{' || c == '(' || c == '[') {
			stack[depth++] = i;
		} else if (c == '}' || c == ')' || c == ']') {
			char want = c == '}' ? '{' : c == ')' ? '(' : '[';
			/* tolerate a stray closer: pop to the nearest opener of its kind */
			size_t d = depth;
			while (d && f->t[stack[d - 1]].s[0] != want)
				d--;
			if (!d)
				continue;
			depth = d - 1;
			f->match[stack[depth]] = (int)i;
			f->match[i] = (int)stack[depth];
		}
	}
	free(stack);
}

void xref_tokenize(struct xref_file *f)
{
	struct lexer lx;
	memset(&lx, 0, sizeof(lx));
	lx.f = f;
	lx.p = f->buf;
	lx.end = f->buf + f->len;
	lx.line = 1;
	lx.bol = f->buf;
	ALLOC_GROW(f->lines, 1, f->alloc_lines);
	f->lines[0] = 0;
	f->nr_lines = 1;
	if (f->lang == LANG_SQL)
		lex_sql(&lx, lx.end, -1);
	else
		lex_code(&lx);
	match_brackets(f);
}

void xref_file_release(struct xref_file *f)
{
	for (size_t i = 0; i < f->nr_scopes; i++) {
		free(f->scopes[i].name);
		free(f->scopes[i].table);
	}
	for (size_t i = 0; i < f->nr_groups; i++) {
		strlist_clear(&f->groups[i].tables);
		strlist_clear(&f->groups[i].aliases);
	}
	free(f->scopes);
	free(f->groups);
	free(f->group_of);
	free(f->t);
	free(f->match);
	free(f->lines);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

char *xref_line_text(const struct xref_file *f, int line)
{
	if (line < 1 || (size_t)line > f->nr_lines)
		return xstrdup("");
	const char *s = f->buf + f->lines[line - 1];
	const char *e = memchr(s, '\n', (size_t)(f->buf + f->len - s));
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, s, e ? (size_t)(e - s) : (size_t)(f->buf + f->len - s));
	strbuf_trim(&sb);
	for (size_t i = 0; i < sb.len; i++)
		if ((unsigned char)sb.buf[i] < 0x20)
			sb.buf[i] = ' ';
	if (sb.len > 200) {
		strbuf_reset(&sb);
		strbuf_add(&sb, s, 200);
		strbuf_trim(&sb);
		strbuf_addstr(&sb, "...");
	}
	return strbuf_detach(&sb, NULL);
}

/* --- names ------------------------------------------------------------------ */

char *xref_snake(const char *name, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (isupper(c) && i > 0) {
			unsigned char prev = (unsigned char)name[i - 1];
			bool next_lower = i + 1 < len && islower((unsigned char)name[i + 1]);
			if (islower(prev) || isdigit(prev) || (isupper(prev) && next_lower))
				if (sb.len && sb.buf[sb.len - 1] != '_')
					strbuf_addch(&sb, '_');
		}
		strbuf_addch(&sb, (char)tolower(c));
	}
	return strbuf_detach(&sb, NULL);
}

static const char *const irregular[][2] = {
	{ "person", "people" }, { "child", "children" }, { "man", "men" },
	{ "woman", "women" },   { "mouse", "mice" },     { "datum", "data" },
};

char *xref_plural(const char *w)
{
	size_t n = strlen(w);
	for (size_t i = 0; i < ARRAY_SIZE(irregular); i++)
		if (ends_with(w, irregular[i][0]))
			return xstrfmt("%.*s%s", (int)(n - strlen(irregular[i][0])), w, irregular[i][1]);
	if (n > 1 && w[n - 1] == 'y' && !strchr("aeiou", w[n - 2]))
		return xstrfmt("%.*sies", (int)(n - 1), w);
	if (ends_with(w, "s") || ends_with(w, "x") || ends_with(w, "z") || ends_with(w, "ch") ||
	    ends_with(w, "sh"))
		return xstrfmt("%ses", w);
	return xstrfmt("%ss", w);
}

char *xref_singular(const char *w)
{
	size_t n = strlen(w);
	for (size_t i = 0; i < ARRAY_SIZE(irregular); i++)
		if (ends_with(w, irregular[i][1]))
			return xstrfmt("%.*s%s", (int)(n - strlen(irregular[i][1])), w, irregular[i][0]);
	if (n > 3 && ends_with(w, "ies"))
		return xstrfmt("%.*sy", (int)(n - 3), w);
	if (n > 3 && (ends_with(w, "ses") || ends_with(w, "xes") || ends_with(w, "ches") ||
		      ends_with(w, "shes")))
		return xstrndup(w, n - 2);
	if (n > 1 && w[n - 1] == 's' && w[n - 2] != 's')
		return xstrndup(w, n - 1);
	return xstrdup(w);
}

bool xref_loose_eq(const char *a, size_t alen, const char *b)
{
	size_t i = 0;
	for (;;) {
		while (i < alen && a[i] == '_')
			i++;
		while (*b == '_')
			b++;
		if (i == alen || !*b)
			return i == alen && !*b;
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)*b))
			return false;
		i++;
		b++;
	}
}

static bool has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isupper((unsigned char)s[i]))
			return true;
	return false;
}

bool xref_code_names(const char *tok, size_t len, const char *column)
{
	size_t cl = strlen(column);
	if (has_upper(column, cl))
		return len == cl && !memcmp(tok, column, len);
	if (memchr(tok, '_', len) || !has_upper(tok, len))
		return len == cl && !strncasecmp(tok, column, len);
	/* camelCase or PascalCase: EmailAddress, emailAddress, UserID */
	return xref_loose_eq(tok, len, column);
}

static const char *const sql_keywords[] = {
	"select", "from", "where", "join", "inner", "left", "right", "full", "outer", "cross",
	"on", "using", "and", "or", "not", "as", "insert", "into", "values", "update", "set",
	"delete", "returning", "group", "order", "by", "having", "limit", "offset", "union",
	"all", "distinct", "with", "table", "natural", "lateral", "is", "null", "in", "exists",
	"case", "when", "then", "else", "end", "default", "conflict", "do", "nothing", "only",
	"for", "lock", "share", "nowait", "skip", "locked", "window", "fetch", "except",
	"intersect", "like", "ilike", "between", "asc", "desc", "nulls", "first", "last",
};

bool xref_is_sql_keyword(const char *s, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(sql_keywords); i++)
		if (strlen(sql_keywords[i]) == len && !strncasecmp(s, sql_keywords[i], len))
			return true;
	return false;
}
