/*
 * model.c - constructors and destructors for the structures in model.h.
 */
#include "model.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	bool txn, downs, byver;
	const char *notxn, *apply;
} framework_info[] = {
#define X(id, name, txn, downs, byver, notxn, apply) { name, txn, downs, byver, notxn, apply },
	FRAMEWORK_INFO(X)
#undef X
};

const char *framework_name(enum framework fw)
{
	return (unsigned)fw < FW__COUNT ? framework_info[fw].name : "?";
}

bool framework_runs_downs(enum framework fw)
{
	return (unsigned)fw < FW__COUNT && framework_info[fw].downs;
}

bool framework_keyed_by_version(enum framework fw)
{
	return (unsigned)fw < FW__COUNT && framework_info[fw].byver;
}

const char *framework_no_txn_marker(enum framework fw)
{
	return (unsigned)fw < FW__COUNT ? framework_info[fw].notxn : NULL;
}

const char *framework_apply_command(enum framework fw)
{
	return framework_info[(unsigned)fw < FW__COUNT ? fw : FW_PLAIN].apply;
}

const char *direction_name(enum direction d)
{
	switch (d) {
	case DIR_UP:
		return "up";
	case DIR_DOWN:
		return "down";
	case DIR_REPEATABLE:
		return "repeatable";
	case DIR_VERIFY:
		return "verify";
	}
	return "?";
}

static void finding_init(struct finding *f, const char *rule, enum severity sev,
			 unsigned cats, const char *message, const char *fix)
{
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->sev = sev;
	f->categories = cats;
	f->message = xstrdup(message ? message : "");
	f->fix = xstrdup(fix ? fix : "");
}

struct finding *stmt_add_finding(struct stmt *st, const char *rule, enum severity sev,
				 unsigned cats, const char *message, const char *fix)
{
	ALLOC_GROW(st->findings, st->nr_findings + 1, st->alloc_findings);
	struct finding *f = &st->findings[st->nr_findings++];
	finding_init(f, rule, sev, cats, message, fix);
	return f;
}

struct finding *file_add_finding(struct file_report *fr, const char *rule, enum severity sev,
				 unsigned cats, int line, const char *message, const char *fix)
{
	ALLOC_GROW(fr->findings, fr->nr_findings + 1, fr->alloc_findings);
	struct finding *f = &fr->findings[fr->nr_findings++];
	finding_init(f, rule, sev, cats, message, fix);
	f->line = line;
	return f;
}

void finding_release(struct finding *f)
{
	free(f->message);
	free(f->fix);
	free(f->ignored);
}

void stmt_release(struct stmt *st)
{
	for (size_t i = 0; i < st->nr_findings; i++)
		finding_release(&st->findings[i]);
	free(st->findings);
	for (size_t i = 0; i < st->nr_refs; i++) {
		free(st->refs[i].path);
		free(st->refs[i].text);
		free(st->refs[i].ident);
	}
	free(st->refs);
	free(st->sql);
	free(st->parse_error);
	free(st->comments);
	free(st->table);
	cJSON_Delete(st->tree);
	cJSON_Delete(st->body_tree);
	free(st->body_error);
	memset(st, 0, sizeof(*st));
}

bool compat_row_ignored(const struct file_report *fr, const struct compat_row *row)
{
	if (row->stmt >= fr->nr_stmts || row->finding >= fr->stmts[row->stmt].nr_findings)
		return false;
	return fr->stmts[row->stmt].findings[row->finding].ignored != NULL;
}

static void app_compat_free(struct app_compat *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nr; i++) {
		struct compat_row *row = &c->v[i];
		free(row->element);
		free(row->detail);
		free(row->action);
		strlist_clear(&row->where);
	}
	free(c->v);
	free(c);
}

void file_report_release(struct file_report *fr)
{
	for (size_t i = 0; i < fr->nr_stmts; i++)
		stmt_release(&fr->stmts[i]);
	free(fr->stmts);
	for (size_t i = 0; i < fr->nr_findings; i++)
		finding_release(&fr->findings[i]);
	free(fr->findings);
	free(fr->path);
	free(fr->error);
	for (size_t i = 0; i < fr->nr_ignores; i++) {
		free(fr->ignores[i].rule);
		free(fr->ignores[i].reason);
	}
	free(fr->ignores);
	app_compat_free(fr->compat);
	memset(fr, 0, sizeof(*fr));
}

struct script *script_new(const char *path, const char *text, size_t len)
{
	struct script *s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->text = xstrndup(text, len);
	s->len = len;
	s->first_line = 1;
	s->in_txn = true;
	return s;
}

void script_free(struct script *s)
{
	if (!s)
		return;
	free(s->path);
	free(s->text);
	free(s->generated_by);
	if (s->renamed) {
		free(s->renamed->path);
		free(s->renamed->id);
		free(s->renamed->name);
		free(s->renamed);
	}
	script_origin_free(s->origin);
	free(s);
}

void script_origin_free(struct script_origin *o)
{
	if (!o)
		return;
	for (size_t i = 0; o->untranslated && i < o->nr; i++) {
		free(o->untranslated[i]);
		free(o->source[i]);
	}
	free(o->line);
	free(o->off);
	free(o->untranslated);
	free(o->source);
	free(o->error);
	free(o);
}

int script_line(const struct script *s, int text_line)
{
	if (!s->origin)
		return s->first_line + text_line - 1;
	if (!s->origin->nr)
		return 1;
	if (text_line < 1)
		text_line = 1;
	if ((size_t)text_line > s->origin->nr)
		text_line = (int)s->origin->nr;
	return s->origin->line[text_line - 1];
}

const char *script_untranslated(const struct script *s, size_t off)
{
	const struct script_origin *o = s->origin;
	if (!o || !o->untranslated || !o->nr || off > s->len)
		return NULL;
	/* the last line starting at or before `off`: a binary search, not a scan */
	size_t lo = 0, hi = o->nr;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (o->off[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return o->untranslated[lo];
}

void migration_free(struct migration *m)
{
	if (!m)
		return;
	script_free(m->up);
	script_free(m->down);
	free(m->id);
	free(m->name);
	free(m);
}
