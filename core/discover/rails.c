/*
 * rails.c - a Rails migration file as the up and down scripts sluice judges.
 *
 * ActiveRecord runs `up` (or `change`) to migrate and `down` (or `change`
 * reversed: the calls in reverse order, each inverted as
 * ActiveRecord::Migration::CommandRecorder inverts it) to roll back, each
 * inside one transaction unless the class says disable_ddl_transaction!.
 * The SQL of each direction becomes a script whose every text line maps to
 * the Ruby line it came from (struct script_origin), so the splitter, the
 * parser, the rules, the ignores and the reports work on it unchanged and
 * point at the Ruby.
 *
 * Structure that is not a call of its own:
 *   reversible do |dir| dir.up { } dir.down { } end   each direction's block
 *   up_only { }                                        the up only
 *   safety_assured { }   (strong_migrations)           its statements are
 *                        ignored with the reason "safety_assured" (the
 *                        comment core/ignore.c reads, written before each)
 *   say_with_time "..." do ... end                     its calls
 *   # sluice:ignore rule -- reason                     as the SQL comment
 */
#include "rails_int.h"

#include <stdlib.h>
#include <string.h>

/* Ruby files past this size are not translated (a migration is a few KB). */
#define MAX_RAILS_BYTES ((size_t)10 << 20)

static const char safety_comment[] = "-- strong_migrations:safety_assured";

struct walk {
	int ar_version;
	bool in_txn;
	bool dump;
	struct rindexes *known;
};

static void translate_calls(const struct walk *w, const struct rcall *calls, size_t n, bool down,
			    bool safety, struct remits *out);

/* "# sluice:ignore x -- why" before a call: the same comment in SQL. */
static void take_comments(const struct rcall *c, struct remits *out, size_t from)
{
	for (size_t i = 0; i < c->comments.nr; i++) {
		const char *tab = strchr(c->comments.items[i], '\t');
		const char *text = tab ? tab + 1 : c->comments.items[i];
		while (*text == '#')
			text++;
		if (!strstr(text, "sluice:") && !strstr(text, "squawk-ignore"))
			continue;
		for (size_t k = from; k < out->nr; k++)
			strlist_add_nodup(&out->v[k].comments, xstrfmt("--%s", text));
	}
}

static bool is_block_of(const struct rcall *c, const char *recv, const char *name)
{
	return c->recv && recv && !strcmp(c->recv, recv) && !strcmp(c->name, name);
}

/* reversible do |dir| ... end: the calls of dir.up or dir.down, in order. */
static void reversible(const struct walk *w, const struct rcall *c, bool down, bool safety,
		       struct remits *out)
{
	for (size_t i = 0; i < c->nr_body; i++) {
		const struct rcall *d = &c->body[i];
		if (is_block_of(d, c->param, down ? "down" : "up"))
			translate_calls(w, d->body, d->nr_body, false, safety, out);
		else if (!is_block_of(d, c->param, down ? "up" : "down"))
			remit_untranslated(out, d, "code inside reversible that is neither %s.up nor "
					   "%s.down", nonnull(c->param), nonnull(c->param));
	}
}

/* Calls that make no SQL themselves. */
static bool silent(const struct rcall *c)
{
	static const char *const names[] = { "say", "puts", "disable_ddl_transaction!",
					      "require", "p", "pp", NULL };
	if (c->recv)
		return false;
	for (const char *const *n = names; *n; n++)
		if (!strcmp(c->name, *n))
			return true;
	return false;
}

static void translate_one(const struct walk *w, const struct rcall *c, bool down, bool safety,
			  struct remits *out)
{
	struct rctx x = { .ar_version = w->ar_version, .down = down, .dump = w->dump,
			  .known = w->known };
	size_t from = out->nr;
	if (c->bad) {
		remit_untranslated(out, c, "%s", c->bad);
	} else if (silent(c)) {
		/* no SQL */
	} else if (!c->recv && !strcmp(c->name, "reversible") && c->block) {
		reversible(w, c, down, safety, out);
	} else if (!c->recv && !strcmp(c->name, "up_only") && c->block) {
		if (!down)
			translate_calls(w, c->body, c->nr_body, false, safety, out);
	} else if (!c->recv && !strcmp(c->name, "safety_assured") && c->block) {
		translate_calls(w, c->body, c->nr_body, down, true, out);
	} else if (!c->recv && !strcmp(c->name, "say_with_time") && c->block) {
		translate_calls(w, c->body, c->nr_body, down, safety, out);
	} else if (!c->recv && !strcmp(c->name, "revert") && c->block && !c->args.nr) {
		translate_calls(w, c->body, c->nr_body, !down, safety, out);
	} else if (c->recv && strcmp(c->recv, "connection") && !strcmp(c->name, "execute")) {
		remit_untranslated(out, c, "'%s.%s': Ruby sluice does not run", c->recv, c->name);
	} else if (!rails_dsl_translate(&x, c, out)) {
		if (c->recv)
			remit_untranslated(out, c, "Ruby code ('%s.%s'), not a migration call sluice "
					   "translates", c->recv, c->name);
		else
			remit_untranslated(out, c, "'%s' is not a migration call sluice translates",
					   c->name);
	}
	take_comments(c, out, from);
	if (safety)
		for (size_t k = from; k < out->nr; k++)
			strlist_add(&out->v[k].comments, safety_comment);
}

static void translate_calls(const struct walk *w, const struct rcall *calls, size_t n, bool down,
			    bool safety, struct remits *out)
{
	/* a change's down: the calls reversed, each inverted */
	for (size_t i = 0; i < n; i++)
		translate_one(w, &calls[down ? n - 1 - i : i], down, safety, out);
}

/* --- remits -> script ----------------------------------------------------------- */

struct builder {
	struct strbuf text;
	struct script_origin *o;
	size_t alloc;
};

static void add_line(struct builder *b, const char *s, size_t n, int line, const struct remit *r)
{
	struct script_origin *o = b->o;
	if (o->nr + 1 > b->alloc) {
		b->alloc = b->alloc ? 2 * b->alloc : 64;
		o->line = xrealloc(o->line, b->alloc * sizeof(*o->line));
		o->untranslated = xrealloc(o->untranslated, b->alloc * sizeof(*o->untranslated));
		o->source = xrealloc(o->source, b->alloc * sizeof(*o->source));
		o->off = xrealloc(o->off, b->alloc * sizeof(*o->off));
	}
	o->off[o->nr] = b->text.len;
	o->line[o->nr] = line;
	o->untranslated[o->nr] = r && r->why ? xstrdup(r->why) : NULL;
	o->source[o->nr] = r && r->why ? xstrdup(nonnull(r->source)) : NULL;
	o->nr++;
	strbuf_add(&b->text, s, n);
	strbuf_addch(&b->text, '\n');
}

static void add_remit_text(struct builder *b, const struct remit *r)
{
	for (size_t i = 0; i < r->comments.nr; i++)
		add_line(b, r->comments.items[i], strlen(r->comments.items[i]), r->line, NULL);
	if (r->why) {
		/* stands for the call; parse_script shows the Ruby instead and does not parse it */
		add_line(b, "sluice_untranslated_rails_call;", 31, r->line, r);
		return;
	}
	int line = r->line;
	const char *last = r->sql;
	for (const char *s = r->sql; *s;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		if (!nl) {
			last = s;
			break;
		}
		add_line(b, s, n, line, NULL);
		if (r->follows)
			line++;
		s += n + 1;
		last = s;
	}
	if (*last && !strstr(last, "--")) {
		struct strbuf end = STRBUF_INIT;
		strbuf_addf(&end, "%s;", last);
		add_line(b, end.buf, end.len, line, NULL);
		strbuf_release(&end);
	} else {
		if (*last)
			add_line(b, last, strlen(last), line, NULL);
		/* on a line of its own: a trailing "-- comment" cannot swallow it */
		add_line(b, ";", 1, r->follows && line > r->line && !*last ? line - 1 : line, NULL);
	}
}

static struct script *build_script(const char *path, const struct remits *e, enum direction dir,
				   bool in_txn)
{
	struct builder b = { STRBUF_INIT, xcalloc(1, sizeof(struct script_origin)), 0 };
	for (size_t i = 0; i < e->nr; i++)
		add_remit_text(&b, &e->v[i]);
	struct script *s = script_new(path, b.text.buf, b.text.len);
	s->dir = dir;
	s->in_txn = in_txn;
	s->origin = b.o;
	s->origin->translated = true;
	strbuf_release(&b.text);
	return s;
}

/* --- the file --------------------------------------------------------------------- */

static const struct rcall *find_def(const struct rcall *cls, const char *name)
{
	for (size_t i = 0; i < cls->nr_body; i++)
		if (!strcmp(cls->body[i].name, "def") && cls->body[i].recv &&
		    !strcmp(cls->body[i].recv, name))
			return &cls->body[i];
	return NULL;
}

/* The migration class: the first `class` at the top (or in a module). */
static const struct rcall *find_class(const struct rcall *top)
{
	for (size_t i = 0; i < top->nr_body; i++) {
		const struct rcall *c = &top->body[i];
		if (!strcmp(c->name, "class"))
			return c;
		if (!strcmp(c->name, "module")) {
			const struct rcall *inner = find_class(c);
			if (inner)
				return inner;
		}
	}
	return NULL;
}

static bool wants_no_txn(const struct rcall *cls)
{
	for (size_t i = 0; i < cls->nr_body; i++)
		if (!strcmp(cls->body[i].name, "disable_ddl_transaction!"))
			return true;
	return false;
}

/* Line `no` of the Ruby, trimmed, to show in place of a call that could not be read. */
static char *ruby_line(const char *text, size_t len, int no)
{
	const char *s = text, *end = text + len;
	for (int l = 1; l < no && s < end; l++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		s = nl ? nl + 1 : end;
	}
	const char *e = memchr(s, '\n', (size_t)(end - s));
	if (!e)
		e = end;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return e > s ? xstrndup(s, (size_t)(e - s)) : xstrfmt("(line %d)", no);
}

static void drop_from_line(struct remits *e, int line)
{
	size_t out = 0;
	for (size_t i = 0; i < e->nr; i++) {
		if (e->v[i].line < line) {
			e->v[out++] = e->v[i];
			continue;
		}
		remit_release(&e->v[i]);
	}
	e->nr = out;
}

static void refuse(struct rails_migration *out, const char *path, const char *text, size_t len, char *why)
{
	out->up = script_new(path, "", 0);
	out->up->origin = xcalloc(1, sizeof(*out->up->origin));
	out->up->origin->translated = true;
	out->up->origin->error = why;
	(void)text;
	(void)len;
}

void rails_translate(const char *path, const char *text, size_t len, struct rindexes *known,
		     struct rails_migration *out)
{
	struct rfile f;
	struct remits up = { 0 }, down = { 0 };
	size_t bad_at;
	memset(out, 0, sizeof(*out));
	out->in_txn = true;
	if (len > MAX_RAILS_BYTES) {
		refuse(out, path, text, len,
		       xstrfmt("'%s' is %.1f MB of Ruby, over the %zu MB sluice translates (a migration "
			       "is a few KB); not judged", path, (double)len / (1 << 20),
			       MAX_RAILS_BYTES >> 20));
		return;
	}
	rails_read(text, len, &f);
	const struct rcall *cls = find_class(&f.top);
	struct walk w = { f.ar_version, true, false, known };
	struct rindexes after_up = { 0 };
	const struct rcall *change = cls ? find_def(cls, "change") : NULL;
	const struct rcall *mup = cls ? find_def(cls, "up") : NULL, *mdown = cls ? find_def(cls, "down") : NULL;
	bool has_down;
	if (cls)
		w.in_txn = out->in_txn = !wants_no_txn(cls);
	if (change)
		translate_calls(&w, change->body, change->nr_body, false, false, &up);
	else if (mup)
		translate_calls(&w, mup->body, mup->nr_body, false, false, &up);
	/* the down runs after the up: it finds the indexes the up left, and
	 * what it does to them is not what the next migration finds */
	if (known)
		rindexes_copy(&after_up, known);
	w.known = known ? &after_up : NULL;
	if (change)
		translate_calls(&w, change->body, change->nr_body, true, false, &down);
	else if (mdown)
		translate_calls(&w, mdown->body, mdown->nr_body, false, false, &down);
	has_down = change || mdown;
	rindexes_release(&after_up);
	if (f.error) {
		/* what was read from the broken text on is an artefact of it */
		drop_from_line(&up, f.error_line);
		drop_from_line(&down, f.error_line);
		char *src = ruby_line(text, len, f.error_line);
		struct rcall at = { .line = f.error_line, .source = src };
		remit_untranslated(&up, &at, "%s; sluice read the file up to here", f.error);
		free(src);
	} else if (!cls || (!change && !mup)) {
		struct rcall at = { .line = 1, .source = (char *)"(the whole file)" };
		remit_untranslated(&up, &at, "no migration class with a change or up method: sluice "
				   "found nothing it knows how ActiveRecord runs");
	}
	out->up = build_script(path, &up, DIR_UP, out->in_txn);
	if (has_down)
		out->down = build_script(path, &down, DIR_DOWN, out->in_txn);
	if (!utf8_valid(text, len, &bad_at)) {
		out->up->origin->not_utf8_line = line_of_offset(text, bad_at);
		if (out->down)
			out->down->origin->not_utf8_line = out->up->origin->not_utf8_line;
	}
	remits_release(&up);
	remits_release(&down);
	rails_file_release(&f);
}

/* --- the schema dumps: db/schema.rb, db/structure.sql ------------------------ */

/* The calls of `ActiveRecord::Schema[7.0].define(version: ...) do ... end` */
static const struct rcall *dump_block(const struct rcall *top)
{
	for (size_t i = 0; i < top->nr_body; i++)
		if (top->body[i].block && strcmp(top->body[i].name, "def") &&
		    strcmp(top->body[i].name, "class"))
			return &top->body[i];
	return NULL;
}

/* define(version: 2024_01_01_000000): the digits, or NULL. */
static char *schema_rb_version(const char *text, size_t len)
{
	const char *v = NULL;
	for (size_t i = 0; i + 8 < len && !v; i++)
		if (!strncmp(text + i, "version:", 8))
			v = text + i + 8;
	struct strbuf sb = STRBUF_INIT;
	for (; v && v < text + len && (*v == ' ' || *v == '_' || (*v >= '0' && *v <= '9')); v++)
		if (*v >= '0' && *v <= '9')
			strbuf_addch(&sb, *v);
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

/* INSERT INTO "schema_migrations" (version) VALUES ('2024...'), ...: the latest. */
static char *structure_version(const char *text, size_t len)
{
	const char *p = NULL, *end = text + len;
	char *best = NULL;
	for (size_t i = 0; i + 17 < len; i++)
		if (!strncmp(text + i, "schema_migrations", 17))
			p = text + i;   /* the last mention: the INSERT at the end */
	for (; p && p < end; p++) {
		if (*p != '\'')
			continue;
		const char *q = p + 1;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q < end && *q == '\'' && q > p + 1) {
			char *v = xstrndup(p + 1, (size_t)(q - p - 1));
			if (!best || strlen(v) > strlen(best) ||
			    (strlen(v) == strlen(best) && strcmp(v, best) > 0)) {
				free(best);
				best = v;
			} else {
				free(v);
			}
		}
		p = q;
	}
	return best;
}

struct script *rails_dump_script(const char *path, const char *text, size_t len, char **version)
{
	*version = NULL;
	if (len > MAX_RAILS_BYTES)
		return NULL;
	if (ends_with(path, ".sql")) {
		if (!(*version = structure_version(text, len)))
			return NULL;
		struct script *s = script_new(path, text, len);
		s->in_txn = false;
		return s;
	}
	struct rfile f;
	struct remits e = { 0 };
	if (!(*version = schema_rb_version(text, len)))
		return NULL;
	rails_read(text, len, &f);
	const struct rcall *b = dump_block(&f.top);
	struct walk w = { f.ar_version, false, true, NULL };
	if (b)
		translate_calls(&w, b->body, b->nr_body, false, false, &e);
	struct script *s = build_script(path, &e, DIR_UP, false);
	remits_release(&e);
	rails_file_release(&f);
	return s;
}
