/*
 * info.c - the verdict on the current statement: its class and severity,
 * the lock it takes and whether it rewrites or scans the table, then each
 * finding with its rule, why, and the safer alternative. Text is wrapped
 * to the pane's width when the pane is opened (and again on resize).
 */
#include "tui/app.h"
#include "tui/text.h"
#include "check.h"
#include "db.h"

#include <stdlib.h>
#include <string.h>

/* A line: its label (static text, NULL on continuation lines), indent and text, in the view's store. */
static void push(struct view *v, enum role label_role, const char *label, int indent, enum role role,
		 const char *text, size_t len)
{
	struct view_line *l = view_add_line(v, 0, text, len);
	l->label_role = label_role;
	l->label = label;
	l->indent = indent;
	l->role = role;
}

/* Adds "label text", wrapping text at spaces to the pane's width. */
static void add(struct view *v, enum role label_role, const char *label, enum role role, const char *text)
{
	int indent = label ? text_width_of(label) + 1 : 0;
	int room = v->rect.w - indent - 1;
	size_t len = strlen(text), start = 0;
	if (room < 10)
		room = 10;
	do {
		size_t end = text_wrap(text, len, start, room);
		push(v, label_role, start ? NULL : label, indent, role, text + start, end - start);
		start = text_wrap_skip(text, len, end);
	} while (start < len);
}

static void add_finding(struct view *v, const struct finding *f)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s", f->rule);
	if (f->line)
		strbuf_addf(&sb, " (line %d)", f->line);
	if (f->ignored)
		strbuf_addf(&sb, "  ignored: %s", f->ignored);
	add(v, f->ignored ? ROLE_DIM : severity_role(f->sev), severity_name(f->sev),
	    f->ignored ? ROLE_DIM : ROLE_RULE, sb.buf);
	strbuf_release(&sb);
	if (f->message && *f->message)
		add(v, ROLE_HEADER, "  why", ROLE_DEFAULT, f->message);
	if (f->fix && *f->fix)
		add(v, ROLE_HEADER, "  fix", ROLE_FIX, f->fix);
}

static void describe_stmt(struct view *v, const struct file_report *fr, const struct stmt *st)
{
	struct strbuf sb = STRBUF_INIT;
	size_t nr_live = 0;

	strbuf_addf(&sb, "%ld of %zu, lines %d-%d", app.stmt + 1, fr->nr_stmts, st->line, st->end_line);
	if (st->kind)
		strbuf_addf(&sb, ", %.*s", (int)(strlen(st->kind) - (ends_with(st->kind, "Stmt") ? 4 : 0)),
			    st->kind);
	if (st->table)
		strbuf_addf(&sb, " on %s", st->table);
	add(v, ROLE_HEADER, "Statement", ROLE_DEFAULT, sb.buf);
	strbuf_reset(&sb);
	/*
	 * One verdict that never contradicts itself: a statement that did not
	 * parse was not judged (no class, no lock); one whose class is SAFE but
	 * that has findings says the severity comes from them.
	 */
	if (st->parse_error) {
		strbuf_addf(&sb, "not judged: it did not parse (severity %s)", severity_name(st->sev));
		add(v, ROLE_HEADER, "Verdict", ROLE_ERROR, sb.buf);
		add(v, ROLE_HEADER, "Lock", ROLE_DIM, "not judged");
		add(v, ROLE_ERROR, "Parse error", ROLE_ERROR, st->parse_error);
		strbuf_release(&sb);
		push(v, ROLE_DEFAULT, NULL, 0, ROLE_DEFAULT, "", 0);
		for (size_t i = 0; i < st->nr_findings; i++)
			add_finding(v, &st->findings[i]);
		return;
	}
	if (st->cls == CLASS_SAFE && st->sev > SEV_NONE)
		strbuf_addf(&sb, "%s from its findings (the lock and work alone are harmless)",
			    severity_name(st->sev));
	else
		strbuf_addf(&sb, "%s, severity %s", class_name(st->cls), severity_name(st->sev));
	add(v, ROLE_HEADER, "Verdict", st->sev ? severity_role(st->sev) : ROLE_SAFE, sb.buf);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, lock_name(st->lock));
	if (st->lock != LOCK_NONE)
		strbuf_addstr(&sb, lock_blocks_reads(st->lock) ? " (blocks reads and writes)"
				   : lock_blocks_writes(st->lock) ? " (blocks writes)" : " (reads and writes go on)");
	add(v, ROLE_HEADER, "Lock", ROLE_LOCK, sb.buf);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s, %s, %s%s", st->rewrite ? "rewrites the table" : "no rewrite",
		    st->scan ? "scans the table" : "no full scan",
		    st->in_txn ? "in a transaction" : "outside a transaction",
		    st->new_table ? ", table created in this migration" : "");
	add(v, ROLE_HEADER, "Work", st->rewrite || st->scan ? ROLE_REWRITE : ROLE_DEFAULT, sb.buf);
	strbuf_reset(&sb);
	/* With --db: the table's size and how long the lock is held, by order of magnitude. */
	if (db_describe_stats(st, &app.run->schema, &sb))
		add(v, ROLE_HEADER, "Table", ROLE_DEFAULT, sb.buf);
	push(v, ROLE_DEFAULT, NULL, 0, ROLE_DEFAULT, "", 0);
	/* Worst first: that is the one to read. */
	for (int sev = SEV_BLOCKER; sev >= SEV_NONE; sev--) {
		for (size_t i = 0; i < st->nr_findings; i++) {
			if (st->findings[i].sev != (enum severity)sev)
				continue;
			add_finding(v, &st->findings[i]);
			nr_live += !st->findings[i].ignored;
		}
	}
	if (!nr_live)
		add(v, ROLE_SAFE, "No findings:", ROLE_SAFE, "safe to ship as written.");
	strbuf_release(&sb);
}

static void info_open(struct view *v)
{
	const struct file_report *fr;
	if (!app.run || app.file < 0 || (size_t)app.file >= app.run->report.nr)
		return;
	fr = &app.run->report.files[app.file];
	if (fr->error)
		add(v, ROLE_ERROR, "Error", ROLE_ERROR, fr->error);
	if (app.stmt >= 0 && (size_t)app.stmt < fr->nr_stmts)
		describe_stmt(v, fr, &fr->stmts[app.stmt]);
	else
		add(v, ROLE_DIM, "No statement", ROLE_DIM, "at the cursor: move to a statement to see its verdict.");
	if (fr->nr_findings) {
		push(v, ROLE_DEFAULT, NULL, 0, ROLE_DEFAULT, "", 0);
		add(v, ROLE_HEADER, "File", ROLE_DEFAULT, "findings about the whole script:");
		for (size_t i = 0; i < fr->nr_findings; i++)
			add_finding(v, &fr->findings[i]);
	}
}

static void info_title(struct view *v, struct strbuf *out)
{
	(void)v;
	strbuf_addstr(out, " Verdict");
}

static void info_draw(struct view *v, size_t line, int y)
{
	const struct view_line *l = &v->line[line];
	int x = 0;
	if (l->label)
		x = draw_str(&v->rect, y, 0, l->label_role, l->label);
	else
		x = l->indent - 1 > 0 ? l->indent - 1 : 0;
	if (l->indent)
		draw_fill(&(struct rect){ v->rect.y, v->rect.x, v->rect.h, l->indent }, y, x, ROLE_DEFAULT);
	x = draw_str(&v->rect, y, l->indent, l->role, l->text);
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

static bool info_grep(struct view *v, size_t line, const char *needle)
{
	return text_find(v->line[line].text, v->line[line].len, 0, needle) >= 0;
}

const struct view_ops info_ops = {
	.name = "info",
	.open = info_open,
	.title = info_title,
	.draw = info_draw,
	.grep = info_grep,
};
