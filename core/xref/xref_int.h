/*
 * xref_int.h - the parts of the app-code cross-check, shared between its
 * files (not for the rest of sluice; see xref.h for that).
 *
 *   xref_extract.c  statements -> schema elements (table, column, change)
 *   xref_files.c    the repository's source files at HEAD plus the work tree
 *   xref_lex.c      the one-pass prefilter and the language-aware tokenizer
 *   xref_match.c    scopes (ORM models), SQL groups, and matching
 *   xref_compat.c   the verdict table and its reporters
 *   xref.c          the driver: extract, scan, match, judge
 */
#ifndef SLUICE_XREF_INT_H
#define SLUICE_XREF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include "model.h"
#include "util.h"
#include "xref.h"

struct schema;

enum xref_change {
	XC_DROP_TABLE,
	XC_RENAME_TABLE,
	XC_DROP_COLUMN,
	XC_RENAME_COLUMN,
	XC_RETYPE,
	XC_SET_NOT_NULL,
	XC_ADD_NOT_NULL,   /* ADD COLUMN ... NOT NULL without a default */
};
const char *xref_change_name(enum xref_change c);
/* Does code that still uses the element break, or only need a look? */
static inline bool xref_change_removes(enum xref_change c)
{
	return c <= XC_RENAME_COLUMN;
}
static inline bool xref_change_notnull(enum xref_change c)
{
	return c == XC_SET_NOT_NULL || c == XC_ADD_NOT_NULL;
}

/* One schema element a statement changes, and what the code says about it. */
struct xref_elem {
	char *schema;        /* NULL: unqualified or public */
	char *table;         /* as PostgreSQL folded it */
	char *column;        /* NULL for a table */
	enum xref_change change;
	char *detail;        /* the new name or the new type; NULL */
	size_t file, stmt;   /* where in the report */
	struct app_ref *hits;
	size_t nr_hits, alloc_hits;
};

struct xref_set {
	struct xref_elem *v;
	size_t nr, alloc;
};
void xref_set_release(struct xref_set *set);

/* Appends the elements statement `st` changes (it must have parsed). */
void xref_extract(const struct stmt *st, size_t file, size_t idx, struct xref_set *out);

/* --- files ---------------------------------------------------------------- */

/* Called once per source file worth reading, from the walk's reader threads
 * (so it must be thread-safe); nonzero stops the walk. */
typedef int (*xref_file_fn)(const char *path, const char *buf, size_t len, void *data);
struct xref_walk_stats {
	size_t files, bytes, skipped;
};
/*
 * The repository at `workdir`: the tree of HEAD plus uncommitted changes
 * (modified, added and untracked files; deleted ones gone), that is the
 * work tree's tracked and not-ignored files, without the
 * directories in `exclude`, vendored code, lock files, binaries and files
 * over `max_size`. Returns -1 with a message in *err when the repository
 * cannot be read.
 */
int xref_walk(const char *workdir, const struct strlist *exclude, size_t max_size,
	      xref_file_fn fn, void *data, struct xref_walk_stats *stats, struct strbuf *err);
/* Would the walk read this path at all (by name)? */
bool xref_path_wanted(const char *path, const struct strlist *exclude);

/* --- the prefilter --------------------------------------------------------- */

/*
 * Every name sought, folded to a key (lower case, underscores dropped, so
 * that `email_verified`, `EmailVerified` and `emailVerified` share one), in
 * an open-addressing set. A file is a candidate when one of its identifier
 * tokens has a key in the set; one pass over the bytes answers that.
 */
struct xref_keys {
	unsigned long long *hash;  /* 0: empty slot */
	size_t mask;
	unsigned char first[256];  /* first byte (folded) of some key */
	unsigned char pair[8192];  /* bit per (first, second) folded bytes of some key */
	bool short_key;            /* a key of one byte: the pair filter is off */
	size_t minlen, maxlen;
};
void xref_keys_init(struct xref_keys *k);
void xref_keys_add(struct xref_keys *k, const char *name);
void xref_keys_release(struct xref_keys *k);
bool xref_keys_match(const struct xref_keys *k, const char *buf, size_t len);

/* --- the tokenizer --------------------------------------------------------- */

enum xref_lang {
	LANG_OTHER, LANG_SQL, LANG_GO, LANG_RUBY, LANG_PYTHON, LANG_JAVA, LANG_JS,
	LANG_RUST, LANG_PRISMA, LANG_PHP, LANG_C,
};
enum xref_lang xref_lang_of(const char *path);

enum tok_kind {
	TK_IDENT,    /* a word */
	TK_QIDENT,   /* "word" inside SQL or a string: a quoted identifier */
	TK_PUNCT,    /* one byte of punctuation */
	TK_STRING,   /* a string literal in code; its content follows as tokens */
};

struct tok {
	const char *s;       /* into the file's buffer (the content, for strings) */
	unsigned len;
	int line;
	int col;             /* byte column on its line, 0-based */
	enum tok_kind kind;
	int str;             /* index of the enclosing TK_STRING; -1 in code */
};

/* A class, struct, model or table! block that maps to a table. */
struct xref_scope {
	char *name;          /* class or model name */
	char *table;         /* the table it maps to; NULL when unknown */
	bool fields;         /* it declares the table's fields (not Rails) */
	bool schema_dsl;     /* a schema declaration (diesel table!), not a model */
	size_t decl, first, end;   /* tokens: the declaration, [first, end) */
};

/* A run of string literals joined by concatenation, or one .sql statement. */
struct xref_group {
	size_t first, end;   /* tokens */
	bool sql;            /* reads as a SQL statement */
	struct strlist tables;   /* tables it names (folded), with aliases as */
	struct strlist aliases;  /* aliases.items[i] -> tables.items[i], or "" */
};

struct xref_file {
	char *path;
	enum xref_lang lang;
	const char *buf;
	size_t len;
	struct tok *t;
	size_t nr, alloc;
	int *match;          /* matching bracket per code token, -1 */
	struct xref_scope *scopes;
	size_t nr_scopes, alloc_scopes;
	struct xref_group *groups;
	size_t nr_groups, alloc_groups;
	int *group_of;       /* per token: its group, -1 */
	size_t *lines;       /* byte offset where each line starts; lines[0] is line 1 */
	size_t nr_lines, alloc_lines;
};

void xref_tokenize(struct xref_file *f);
void xref_file_release(struct xref_file *f);
/* Line `line` of the file, trimmed, as a new string. */
char *xref_line_text(const struct xref_file *f, int line);

/* --- token helpers (xref_scopes.c, xref_match.c) ------------------------------------------------------ */

static inline bool is_code(const struct xref_file *f, size_t i)
{
	return f->t[i].str < 0;
}

static inline bool tok_eq(const struct tok *t, const char *s)
{
	return t->len == strlen(s) && !memcmp(t->s, s, t->len);
}

static inline bool tok_ieq(const struct tok *t, const char *s)
{
	return t->len == strlen(s) && !strncasecmp(t->s, s, t->len);
}

static inline bool tok_punct(const struct tok *t, char c)
{
	return t->kind == TK_PUNCT && t->s[0] == c;
}

static inline char *tok_dup(const struct tok *t)
{
	return xstrndup(t->s, t->len);
}

/* The next code-level token after i (past a string's content), or f->nr. */
static inline size_t next_code(const struct xref_file *f, size_t i)
{
	for (i++; i < f->nr && !is_code(f, i); i++)
		;
	return i;
}

static inline size_t prev_code(const struct xref_file *f, size_t i)
{
	while (i > 0) {
		i--;
		if (is_code(f, i))
			return i;
	}
	return (size_t)-1;
}

/* An identifier as PostgreSQL folds it: unquoted lower case, quoted as is. */
static inline char *sql_name(const struct tok *t)
{
	char *s = tok_dup(t);
	return t->kind == TK_QIDENT ? s : str_lower(s);
}

/* A string literal's content as a new string, or NULL when i is not one. */
static inline char *string_at(const struct xref_file *f, size_t i)
{
	return i < f->nr && f->t[i].kind == TK_STRING ? tok_dup(&f->t[i]) : NULL;
}

static inline bool tok_has(const struct tok *t, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= t->len; i++)
		if (!memcmp(t->s + i, needle, n))
			return true;
	return false;
}

/* Names. */
char *xref_snake(const char *name, size_t len);    /* GitSSHKey -> git_ssh_key */
char *xref_plural(const char *word);               /* user -> users */
char *xref_singular(const char *word);             /* users -> user */
/* Same name once case and underscores are set aside. */
bool xref_loose_eq(const char *a, size_t alen, const char *b);
/* Does a code identifier name this column? (camelCase, snake_case, PG case) */
bool xref_code_names(const char *tok, size_t len, const char *column);
bool xref_is_sql_keyword(const char *s, size_t len);

/* --- matching --------------------------------------------------------------- */

/* What the matcher needs to know besides the file. */
struct xref_ctx {
	const struct schema *schema;   /* tables that exist after the branch */
	struct xref_set *set;
	struct strlist model_names;    /* from every candidate file: */
	struct strlist model_tables;   /* model_names[i] maps to model_tables[i] */
};
bool xref_known_table(const struct xref_ctx *cx, const char *table);
/* Tables a class name maps to by convention (User -> users), if known; NULL. */
char *xref_convention_table(const struct xref_ctx *cx, const char *name, size_t len);
/* The ORM scopes of a tokenized file (xref_scopes.c). */
void xref_find_scopes(struct xref_file *f, struct xref_ctx *cx);
/* Finds the scopes and SQL groups of a tokenized file. */
void xref_structure(struct xref_file *f, struct xref_ctx *cx);
/* Appends the file's references to every element of cx->set. */
void xref_match_file(struct xref_file *f, struct xref_ctx *cx);

void xref_elem_add_hit(struct xref_elem *e, const struct xref_file *f, int line,
		       const char *ident, int confidence);

/* --- the verdict ----------------------------------------------------------- */

/* Builds fr->compat tables for the elements, and findings on statements. */
void xref_conclude(struct check_run *run, struct xref_set *set, double elapsed,
		   const struct xref_walk_stats *stats);

#endif
