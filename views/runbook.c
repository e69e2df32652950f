/*
 * runbook.c - the runbook draft (R) rendered as formatted text, in the
 * draft screen's second pane instead of its diff: headings underlined and
 * without their #, list items with bullets and check boxes and a hanging
 * indent, code blocks behind a bar without their fences, tables aligned in
 * columns, `code` and **bold** in their roles without the marks. Long rows
 * scroll sideways (<Left>/<Right>) or wrap (w) as in the SQL and diff
 * panes (tui/view.c); the other keys are the draft screen's.
 *
 * It renders the markdown core/runbook.c writes, a small subset: no
 * nesting beyond indentation, no links or emphasis with one *.
 */
#include "tui/app.h"
#include "tui/drafting.h"
#include "tui/text.h"

#include <stdlib.h>
#include <string.h>

enum rb_row { RB_TEXT, RB_HEADING, RB_RULE, RB_CODE, RB_TABLE, RB_BLANK };

/* Inline state at the start of a row (view_line.num): inside `code`, inside **bold**. */
#define IN_CODE 1
#define IN_BOLD 2

#define MARGIN 1

/* The draft file shown: the one under the files pane's cursor when it is markdown, else the first that is. */
static const struct draft_file *runbook_file(void)
{
	const struct draft *d = &drafting.d;
	if (drafting.state == DRAFTING_NONE)
		return NULL;
	if (app.draft_files.lineno < d->nr && ends_with(d->files[app.draft_files.lineno].path, ".md"))
		return &d->files[app.draft_files.lineno];
	for (size_t i = 0; i < d->nr; i++)
		if (ends_with(d->files[i].path, ".md"))
			return &d->files[i];
	return NULL;
}

/* Where the next inline mark (` or **) is at or after *pos, and how long it is; 0 at the end. */
static size_t next_mark(const char *s, size_t len, size_t *pos, unsigned state)
{
	for (; *pos < len; (*pos)++) {
		if (s[*pos] == '`')
			return 1;
		if (!(state & IN_CODE) && s[*pos] == '*' && *pos + 1 < len && s[*pos + 1] == '*')
			return 2;
	}
	return 0;
}

static unsigned toggle(const char *mark, unsigned state)
{
	return state ^ (*mark == '`' ? IN_CODE : IN_BOLD);
}

/* The inline state after the first len bytes of s, starting in `state`. */
static unsigned state_after(const char *s, size_t len, unsigned state)
{
	size_t pos = 0, n;
	while ((n = next_mark(s, len, &pos, state))) {
		state = toggle(s + pos, state);
		pos += n;
	}
	return state;
}

/*
 * Adds `text` as rows starting at column `indent` (the label, "• " or
 * "☐ ", just before it on the first row), wrapped to the pane with w.
 */
static void add_rows(struct view *v, enum rb_row type, enum role role, int indent, const char *label,
		     const char *text, size_t len)
{
	int room = v->rect.w - indent - MARGIN - 1;
	unsigned state = 0;
	for (size_t start = 0;;) {
		size_t end = view_row_end(v, text, len, start, room);
		struct view_line *l = view_add_line(v, type, text + start, end - start);
		l->role = role;
		l->indent = indent;
		l->label = start ? NULL : label;
		l->first = start == 0;
		l->num = state;
		if (type == RB_TEXT || type == RB_HEADING)
			state = state_after(text + start, end - start, state);
		int w = MARGIN + indent + text_width(text + start, end - start) + 1;
		if (w > v->widest && !v->wrap)
			v->widest = w;
		if ((start = view_row_next(text, len, start, end)) >= len)
			break;
	}
}

/* A table cell's text without its marks, trimmed. */
static void cell_text(struct strbuf *out, const char *s, size_t len)
{
	while (len && s[0] == ' ')
		s++, len--;
	while (len && s[len - 1] == ' ')
		len--;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '`' && !(s[i] == '*' && i + 1 < len && s[i + 1] == '*' && ++i))
			strbuf_addch(out, s[i]);
}

/* The cells of one table line: "| a | b |" gives a and b. */
static void split_cells(const char *s, size_t len, struct strlist *cells)
{
	struct strbuf cell = STRBUF_INIT;
	if (len && *s == '|')
		s++, len--;
	if (len && s[len - 1] == '|')
		len--;
	for (size_t start = 0, i = 0; i <= len; i++) {
		if (i < len && (s[i] != '|' || (i && s[i - 1] == '\\')))
			continue;
		strbuf_reset(&cell);
		cell_text(&cell, s + start, i - start);
		strlist_add(cells, cell.buf);
		start = i + 1;
	}
	strbuf_release(&cell);
}

static bool is_rule_row(const struct strlist *cells)
{
	for (size_t c = 0; c < cells->nr; c++)
		if (!*cells->items[c] || strspn(cells->items[c], "-:") != strlen(cells->items[c]))
			return false;
	return cells->nr > 0;
}

/* The table lines from `s` on (each starting with |, after `lead` spaces): columns lined up. */
static const char *add_table(struct view *v, int lead, const char *s, const char *end)
{
	struct strlist *rows = NULL;
	size_t nr = 0, alloc = 0, cols = 0;
	int width[64] = { 0 };
	const char *p = s;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t sp = strspn(p, " ");
		if (sp >= len || p[sp] != '|')
			break;
		ALLOC_GROW(rows, nr + 1, alloc);
		rows[nr] = (struct strlist)STRLIST_INIT;
		split_cells(p + sp, len - sp - (len && p[len - 1] == '\r'), &rows[nr]);
		for (size_t c = 0; c < rows[nr].nr && c < ARRAY_SIZE(width); c++) {
			int w = text_width_of(rows[nr].items[c]);
			if (!is_rule_row(&rows[nr]) && w > width[c])
				width[c] = w;
		}
		if (rows[nr].nr > cols)
			cols = rows[nr].nr;
		nr++;
		p = nl ? nl + 1 : end;
	}
	if (cols > ARRAY_SIZE(width))
		cols = ARRAY_SIZE(width);
	struct strbuf line = STRBUF_INIT;
	for (size_t r = 0; r < nr; r++) {
		bool rule = is_rule_row(&rows[r]);
		strbuf_reset(&line);
		for (size_t c = 0; c < cols; c++) {
			const char *cell = c < rows[r].nr ? rows[r].items[c] : "";
			if (c)
				strbuf_addstr(&line, rule ? "\xe2\x94\x80\xe2\x94\xbc\xe2\x94\x80" : " \xe2\x94\x82 ");
			for (int w = 0; rule && w < width[c]; w++)
				strbuf_addstr(&line, "\xe2\x94\x80");
			if (!rule)
				strbuf_addf(&line, "%s%*s", cell, width[c] - text_width_of(cell), "");
		}
		add_rows(v, rule ? RB_RULE : RB_TABLE, r == 0 ? ROLE_HEADER : ROLE_DEFAULT, lead, NULL,
			 line.buf, line.len);
		strlist_clear(&rows[r]);
	}
	strbuf_release(&line);
	free(rows);
	return p;
}

/* The label of a numbered item: its number is in the row's count. */
static const char numbered[] = "0. ";

/*
 * "- [ ] ", "- [x] ", "- ", "* ", "12. ": the list item's bullet as drawn
 * (static text; `numbered` with the number in *num), and its mark's length.
 */
static const char *list_bullet(const char *s, size_t len, size_t *mark, size_t *num)
{
	if (len >= 6 && (!strncmp(s, "- [ ] ", 6) || !strncmp(s, "* [ ] ", 6))) {
		*mark = 6;
		return "\xe2\x98\x90 ";   /* ☐ */
	}
	if (len >= 6 && (!strncasecmp(s, "- [x] ", 6) || !strncasecmp(s, "* [x] ", 6))) {
		*mark = 6;
		return "\xe2\x98\x91 ";   /* ☑ */
	}
	if (len >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ') {
		*mark = 2;
		return "\xe2\x80\xa2 ";   /* • */
	}
	size_t d = 0;
	while (d < len && d < 4 && s[d] >= '0' && s[d] <= '9')
		d++;
	if (d && d + 1 < len && s[d] == '.' && s[d + 1] == ' ') {
		*mark = d + 2;
		*num = (size_t)strtoul(s, NULL, 10);
		return numbered;
	}
	return NULL;
}

/* Columns the text takes as drawn: its marks hidden. */
static int visible_width(const char *s, size_t len)
{
	size_t pos = 0, n, marks = 0;
	unsigned state = 0;
	while ((n = next_mark(s, len, &pos, state))) {
		state = toggle(s + pos, state);
		pos += n;
		marks += n;
	}
	return text_width(s, len) - (int)marks;
}

/* "# Runbook" as "Runbook" over a double rule, "## Steps" over a single one, deeper ones plain. */
static void add_heading(struct view *v, int level, const char *s, size_t len)
{
	struct strbuf rule = STRBUF_INIT;
	add_rows(v, RB_HEADING, level <= 2 ? ROLE_HEADER : ROLE_RULE, 0, NULL, s, len);
	if (level <= 2) {
		int w = visible_width(s, len);
		if (w > v->rect.w - MARGIN - 1 && v->rect.w > MARGIN + 1)
			w = v->rect.w - MARGIN - 1;
		for (int i = 0; i < w; i++)
			strbuf_addstr(&rule, level == 1 ? "\xe2\x95\x90" : "\xe2\x94\x80");   /* ═ ─ */
		add_rows(v, RB_RULE, ROLE_HEADER, 0, NULL, rule.buf, rule.len);
	}
	strbuf_release(&rule);
}

static void runbook_open(struct view *v)
{
	const struct draft_file *f = runbook_file();
	bool code = false;
	size_t code_lead = 0, num = 0;

	v->widest = 0;
	if (!f || !f->text)
		return;
	const char *p = f->text, *end = f->text + strlen(f->text);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *next = nl ? nl + 1 : end;
		if (len && p[len - 1] == '\r')
			len--;
		size_t lead = strspn(p, " ");
		if (lead > len)
			lead = len;
		const char *body = p + lead;
		size_t blen = len - lead, mark;
		const char *bullet;
		if (blen >= 3 && !strncmp(body, "```", 3)) {
			/* The fences go; the block is behind a bar. */
			code = !code;
			code_lead = lead;
		} else if (code) {
			size_t cut = lead < code_lead ? lead : code_lead;
			add_rows(v, RB_CODE, ROLE_IDENT, (int)code_lead + 2, NULL, p + cut, len - cut);
		} else if (!blen) {
			view_add_line(v, RB_BLANK, "", 0);
		} else if (*body == '#') {
			int level = (int)strspn(body, "#");
			size_t skip = (size_t)level + ((size_t)level < blen && body[level] == ' ');
			add_heading(v, level, body + skip, blen - skip);
		} else if (*body == '|') {
			next = add_table(v, (int)lead, p, end);
		} else if ((bullet = list_bullet(body, blen, &mark, &num))) {
			int w = bullet == numbered ? snprintf(NULL, 0, "%zu. ", num) : text_width_of(bullet);
			size_t first = v->nr_line;
			add_rows(v, RB_TEXT, ROLE_DEFAULT, (int)lead + w, bullet, body + mark, blen - mark);
			v->line[first].count = num;
		} else {
			add_rows(v, RB_TEXT, ROLE_DEFAULT, (int)lead, NULL, body, blen);
		}
		p = next;
	}
}

/* Row text from column `skip` of its text on, marks hidden, `code` and **bold** in their roles. */
static int draw_marked(struct view *v, int y, int x, const struct view_line *l, size_t from)
{
	unsigned state = state_after(l->text, from, (unsigned)l->num);
	const char *s = l->text + from;
	size_t len = l->len - from, pos = 0, n;
	for (;;) {
		size_t at = pos;
		n = next_mark(s, len, &pos, state);
		enum role role = state & IN_CODE ? ROLE_IDENT : state & IN_BOLD ? ROLE_HEADER : l->role;
		x = draw_text_hl(&v->rect, y, x, role, s + at, pos - at, app.search, ROLE_SEARCH);
		if (!n)
			return x;
		state = toggle(s + pos, state);
		pos += n;
	}
}

static void runbook_draw(struct view *v, size_t line, int y)
{
	const struct view_line *l = &v->line[line];
	int x0 = MARGIN + l->indent - v->col, x = 0;
	/* Scrolled past the row's start: the text from the first column still in view. */
	size_t from = x0 < 0 ? text_skip_cols(l->text, l->len, -x0) : 0;
	if (x0 < 0)
		x0 = 0;
	draw_fill(&(struct rect){ v->rect.y, v->rect.x, v->rect.h, x0 }, y, 0, ROLE_DEFAULT);
	if (l->type == RB_CODE && l->indent - 2 - v->col + MARGIN >= 0)
		draw_str(&v->rect, y, MARGIN + l->indent - 2 - v->col, ROLE_DIM, "\xe2\x94\x82");   /* │ */
	if (l->label == numbered) {
		int lx = x0 - snprintf(NULL, 0, "%zu. ", l->count);
		if (lx >= 0)
			draw_fmt(&v->rect, y, lx, ROLE_HEADER, "%zu. ", l->count);
	} else if (l->label) {
		int lx = x0 - text_width_of(l->label);
		if (lx >= 0)
			draw_str(&v->rect, y, lx, ROLE_HEADER, l->label);
	}
	if (l->type == RB_TEXT || l->type == RB_HEADING)
		x = draw_marked(v, y, x0, l, from);
	else
		x = draw_text_hl(&v->rect, y, x0, l->role, l->text + from, l->len - from, app.search, ROLE_SEARCH);
	draw_fill(&v->rect, y, x, ROLE_DEFAULT);
}

static void runbook_title(struct view *v, struct strbuf *out)
{
	const struct draft_file *f = runbook_file();
	strbuf_addstr(out, " Runbook");
	if (f)
		view_title_path(v, out, f->path, "");
}

static bool runbook_request(struct view *v, enum request req)
{
	if (req == REQ_WRAP) {
		view_toggle_wrap(v);
		return true;
	}
	return draft_screen_request(req);
}

static bool runbook_grep(struct view *v, size_t line, const char *needle)
{
	return text_find(v->line[line].text, v->line[line].len, 0, needle) >= 0;
}

static void runbook_empty(struct view *v, struct strbuf *out)
{
	(void)v;
	strbuf_addstr(out, "No runbook in this draft.");
}

static const struct view_key runbook_keys[] = {
	{ REQ_SCROLL_RIGHT, "scroll" }, { REQ_WRAP, "wrap" }, { REQ_TOGGLE_FILE, "select" },
	{ REQ_ACCEPT, "accept" }, { REQ_EDIT, "edit" }, { REQ_BACK, "close" }, { REQ_NONE, NULL },
};

const struct view_ops runbook_ops = {
	.keys = runbook_keys,
	.name = "runbook",
	.open = runbook_open,
	.title = runbook_title,
	.draw = runbook_draw,
	.request = runbook_request,
	.grep = runbook_grep,
	.empty = runbook_empty,
};
