/*
 * filter.c - which migrations a filter keeps (see filter.h).
 *
 * Matching reads each file at most once per word: a workbench filter runs
 * over the branch's migrations (tens) or, after `a`, the whole history
 * (thousands), when Enter is pressed, never per key; a plain ASCII
 * case-folding scan is fast enough for that and needs no index.
 */
#include "filter.h"
#include "types.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *prefix;
	enum filter_kind kind;
} prefixes[] = {
	{ "sev:", FILTER_SEV },
	{ "severity:", FILTER_SEV },
	{ "rule:", FILTER_RULE },
	{ "table:", FILTER_TABLE },
};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c;
}

/* Does `hay` (hay_len bytes) contain `needle` (lower case), ignoring ASCII case? */
static bool contains(const char *hay, size_t hay_len, const char *needle)
{
	size_t n = strlen(needle);
	if (!hay)
		return false;
	if (!n)
		return true;
	for (size_t i = 0; i + n <= hay_len; i++) {
		if (lower((unsigned char)hay[i]) != needle[0])
			continue;
		size_t k = 1;
		while (k < n && lower((unsigned char)hay[i + k]) == needle[k])
			k++;
		if (k == n)
			return true;
	}
	return false;
}

static bool contains_str(const char *hay, const char *needle)
{
	return hay && contains(hay, strlen(hay), needle);
}

/* The next word of *p: quoted ("a b") or up to a blank; NULL at the end. */
static char *next_word(const char **p, bool *unterminated)
{
	const char *s = *p;
	struct strbuf sb = STRBUF_INIT;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s) {
		*p = s;
		return NULL;
	}
	while (*s && *s != ' ' && *s != '\t') {
		if (*s != '"') {
			strbuf_addch(&sb, *s++);
			continue;
		}
		const char *close = strchr(s + 1, '"');
		if (!close) {
			*unterminated = true;
			close = s + strlen(s);
		}
		strbuf_add(&sb, s + 1, (size_t)(close - s - 1));
		s = *close ? close + 1 : close;
	}
	*p = s;
	return strbuf_detach(&sb, NULL);
}

static int parse_severity(struct filter_term *t, const char *value, struct strbuf *err)
{
	char *name = xstrdup(value);
	size_t n = strlen(name);
	int sev;
	if (n && name[n - 1] == '+') {
		t->at_least = true;
		name[n - 1] = '\0';
	}
	sev = !strcasecmp_ascii(name, "safe") || !strcasecmp_ascii(name, "none") ? SEV_NONE
										  : severity_parse(name);
	if (sev < 0 || (sev == SEV_NONE && t->at_least)) {
		strbuf_addf(err, "unknown severity '%s' (safe, low, medium, high, blocker; a + after one "
				 "means: or worse)", value);
		free(name);
		return -1;
	}
	t->sev = (enum severity)sev;
	free(name);
	return 0;
}

static int parse_term(struct filter_term *t, char *word, struct strbuf *err)
{
	const char *w = word;
	memset(t, 0, sizeof(*t));
	if (*w == '!' && w[1]) {
		t->negate = true;
		w++;
	}
	t->kind = FILTER_TEXT;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		if (istarts_with(w, prefixes[i].prefix)) {
			t->kind = prefixes[i].kind;
			w += strlen(prefixes[i].prefix);
			break;
		}
	}
	if (t->kind != FILTER_TEXT && !*w) {
		strbuf_addf(err, "'%s' needs a value after the colon", word);
		return -1;
	}
	if (t->kind == FILTER_SEV)
		return parse_severity(t, w, err);
	t->word = str_lower(xstrdup(w));
	return 0;
}

int filter_parse(struct mig_filter *f, const char *text, struct strbuf *err)
{
	const char *p = text ? text : "";
	bool unterminated = false;
	char *word;

	filter_release(f);
	while ((word = next_word(&p, &unterminated))) {
		ALLOC_GROW(f->v, f->nr + 1, f->alloc);
		int r = parse_term(&f->v[f->nr], word, err);
		free(word);
		if (r < 0) {
			filter_release(f);
			return -1;
		}
		f->nr++;
	}
	if (unterminated) {
		strbuf_addstr(err, "a quote is not closed");
		filter_release(f);
		return -1;
	}
	if (f->nr)
		f->text = xstrdup(text);
	return 0;
}

bool filter_active(const struct mig_filter *f)
{
	return f->nr > 0;
}

/* A relation name as written ("public"."Orders") against a lower-case word: the whole name or its last part. */
static bool table_is(const char *table, const char *word)
{
	struct strbuf name = STRBUF_INIT;
	bool same = false;
	if (!table)
		return false;
	for (const char *s = table; *s; s++)
		if (*s != '"')
			strbuf_addch(&name, lower((unsigned char)*s));
	const char *dot = strrchr(name.buf, '.');
	same = !strcmp(name.buf, word) || (dot && !strcmp(dot + 1, word));
	strbuf_release(&name);
	return same;
}

static bool finding_has(const struct finding *f, const struct filter_term *t)
{
	if (t->kind == FILTER_RULE)
		return !f->ignored && contains_str(f->rule, t->word);
	return contains_str(f->rule, t->word) || contains_str(f->message, t->word) ||
	       contains_str(f->fix, t->word);
}

static bool findings_have(const struct finding *v, size_t nr, const struct filter_term *t)
{
	for (size_t i = 0; i < nr; i++)
		if (finding_has(&v[i], t))
			return true;
	return false;
}

/* The file's text as sluice read it, and the source lines of a translated one (Rails' Ruby). */
static bool script_has(const struct script *s, const char *word)
{
	if (!s)
		return false;
	if (contains(s->text, s->len, word) || contains_str(s->path, word))
		return true;
	for (size_t i = 0; s->origin && i < s->origin->nr; i++)
		if (contains_str(s->origin->source ? s->origin->source[i] : NULL, word))
			return true;
	return false;
}

static bool file_has(const struct file_report *fr, const struct filter_term *t)
{
	if (!fr)
		return false;
	if (findings_have(fr->findings, fr->nr_findings, t))
		return true;
	for (size_t i = 0; i < fr->nr_stmts; i++) {
		const struct stmt *st = &fr->stmts[i];
		if (t->kind == FILTER_TABLE ? table_is(st->table, t->word)
					    : findings_have(st->findings, st->nr_findings, t))
			return true;
		/* A generated script's statements are its text; a parsed one's are in it already. */
		if (t->kind == FILTER_TEXT && contains_str(st->sql, t->word))
			return true;
	}
	return t->kind == FILTER_TEXT && contains_str(fr->path, t->word);
}

static enum severity worst(const struct file_report *up, const struct file_report *down)
{
	enum severity s = up ? up->sev : SEV_NONE;
	if (down && down->sev > s)
		s = down->sev;
	return s;
}

static bool term_matches(const struct filter_term *t, const struct migration *m,
			 const struct file_report *up, const struct file_report *down)
{
	if (t->kind == FILTER_SEV) {
		enum severity s = worst(up, down);
		return t->at_least ? s >= t->sev : s == t->sev;
	}
	if (file_has(up, t) || file_has(down, t))
		return true;
	if (t->kind != FILTER_TEXT || !m)
		return false;
	return contains_str(m->id, t->word) || contains_str(m->name, t->word) ||
	       script_has(m->up, t->word) || script_has(m->down, t->word);
}

bool filter_match(const struct mig_filter *f, const struct migration *m, const struct file_report *up,
		  const struct file_report *down)
{
	for (size_t i = 0; i < f->nr; i++)
		if (term_matches(&f->v[i], m, up, down) == f->v[i].negate)
			return false;
	return true;
}

void filter_release(struct mig_filter *f)
{
	for (size_t i = 0; i < f->nr; i++)
		free(f->v[i].word);
	free(f->v);
	free(f->text);
	f->v = NULL;
	f->nr = f->alloc = 0;
	f->text = NULL;
}
