/*
 * judge_merge.c - one finding per hazard per statement.
 *
 * A rule that looks at each sub-command of an ALTER TABLE flags each one:
 * an ALTER adding 28 generated columns gave 28 findings, one Atlas-made
 * ALTER 13 BLOCKERs. The ladder counts hazards, not sub-commands, so the
 * findings of one rule on one statement become one: the worst severity,
 * and a message naming every column or sub-command. Messages that differ
 * only in a name ("adding 'a' rewrites 't' ...", "adding 'b' rewrites 't'
 * ...") are folded into one sentence ("adding 'a', 'b' rewrites 't' ...");
 * others are joined. An ignore names a rule on a statement, so the findings
 * merged are all suppressed or none is.
 */
#include "judge.h"

#include <stdlib.h>
#include <string.h>

/* The longest part a name may be: past this the messages are not one sentence. */
#define MAX_NAME 64

static bool boundary(char c)
{
	return c == '\'' || c == ' ' || c == '(' || c == ')' || c == ',' || c == '"' || c == '.';
}

/* Common prefix of every message, ending just after a boundary character. */
static size_t common_prefix(char *const *m, size_t n)
{
	size_t len = strlen(m[0]);
	for (size_t i = 1; i < n; i++) {
		size_t k = 0;
		while (k < len && m[i][k] == m[0][k])
			k++;
		len = k;
	}
	while (len > 0 && !boundary(m[0][len - 1]))
		len--;
	return len;
}

/* Common suffix after `pre` bytes, starting with a boundary character. */
static size_t common_suffix(char *const *m, size_t n, size_t pre)
{
	size_t l0 = strlen(m[0]), len = l0 - pre;
	for (size_t i = 1; i < n; i++) {
		size_t li = strlen(m[i]), k = 0;
		while (k < len && k < li - pre && m[i][li - 1 - k] == m[0][l0 - 1 - k])
			k++;
		len = k;
	}
	while (len > 0 && !boundary(m[0][l0 - len]))
		len--;
	return len;
}

static void merged_message(struct strbuf *out, char *const *m, size_t n)
{
	size_t pre = common_prefix(m, n), suf = common_suffix(m, n, pre);
	bool one_sentence = true;
	for (size_t i = 0; i < n; i++) {
		size_t mid = strlen(m[i]) - pre - suf;
		one_sentence &= mid > 0 && mid <= MAX_NAME && !memchr(m[i] + pre, ':', mid);
	}
	if (!one_sentence) {
		for (size_t i = 0; i < n; i++)
			strbuf_addf(out, "%s%s", i ? "; " : "", m[i]);
		return;
	}
	bool quoted = pre && m[0][pre - 1] == '\'' && suf && m[0][strlen(m[0]) - suf] == '\'';
	strbuf_add(out, m[0], pre);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(out, quoted ? "', '" : ", ");
		strbuf_add(out, m[i] + pre, strlen(m[i]) - pre - suf);
	}
	strbuf_addstr(out, m[0] + strlen(m[0]) - suf);
}

/* Folds findings k > i of f[i]'s rule into f[i]; returns how many remain. */
static size_t fold_rule(struct finding *f, size_t nr, size_t i)
{
	char **msgs = xmalloc(nr * sizeof(*msgs));
	size_t n = 0, keep = i + 1;
	msgs[n++] = f[i].message;
	for (size_t k = i + 1; k < nr; k++) {
		if (strcmp(f[k].rule, f[i].rule)) {
			f[keep++] = f[k];
			continue;
		}
		bool dup = false;
		for (size_t d = 0; d < n; d++)
			dup |= !strcmp(msgs[d], f[k].message);
		if (!dup)
			msgs[n++] = xstrdup(f[k].message);
		if (f[k].sev > f[i].sev) {
			f[i].sev = f[k].sev;
			free(f[i].fix);
			f[i].fix = f[k].fix;
			f[k].fix = NULL;
		}
		if (f[k].cls > f[i].cls)
			f[i].cls = f[k].cls;
		f[i].categories |= f[k].categories;
		finding_release(&f[k]);
	}
	if (n > 1) {
		struct strbuf sb = STRBUF_INIT;
		merged_message(&sb, msgs, n);
		f[i].message = strbuf_detach(&sb, NULL);
		for (size_t d = 0; d < n; d++)
			free(msgs[d]);
	}
	free(msgs);
	return keep;
}

void merge_findings(struct stmt *st)
{
	for (size_t i = 0; i < st->nr_findings; i++)
		st->nr_findings = fold_rule(st->findings, st->nr_findings, i);
}
