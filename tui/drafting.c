/*
 * drafting.c - making, streaming, editing and accepting the workbench's
 * draft (see drafting.h).
 *
 * Everything that can block is kept off the key path: a built-in draft is
 * pure computation (a few milliseconds), the model's answer arrives through
 * the loop's poller, and the only slow step left, $EDITOR, is the user's.
 */
#include "drafting.h"
#include "app.h"
#include "check.h"
#include "draft.h"
#include "job.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct drafting drafting = { .answer = STRBUF_INIT };

/* Draft files are at most this big when read back from the editor or disk. */
#define DRAFT_FILE_MAX (64u << 20)

/* Where a draft file lives in the work tree (paths are work-tree relative). */
static char *work_path(const char *path)
{
	return path[0] == '/' ? xstrdup(path) : xstrfmt("%s%s", app_workdir(), path);
}

/*
 * The draft context for the migration, from the run shown now. False when
 * a rescan dropped the migration (renamed, or no longer pending).
 */
bool drafting_ctx(struct draft_ctx *ctx)
{
	const struct check_run *run = app.run;
	memset(ctx, 0, sizeof(*ctx));
	if (!run || !drafting.migration)
		return false;
	for (size_t i = 0; i < run->report.nr; i++) {
		const struct file_report *fr = &run->report.files[i];
		if (fr->dir != DIR_DOWN && !strcmp(fr->path, drafting.migration)) {
			ctx->target = check_migration_index(run, fr, 0);
			ctx->report = fr;
		}
	}
	if (!ctx->report || ctx->target == (size_t)-1)
		return false;
	ctx->ms = &run->ms;
	ctx->opts = &run->opts;
	ctx->stats = &run->schema;   /* sizes from --db, --stats or sluice.stats */
	ctx->runbook_dir = config_get(&run->cfg, "sluice.runbookdir");
	return true;
}

static void diff_file(size_t i)
{
	struct drafting_file *df = &drafting.files[i];
	const struct draft_file *f = &drafting.d.files[i];
	struct strbuf old = STRBUF_INIT;
	char *path = work_path(f->path);

	df->exists = strbuf_read_file(&old, path, DRAFT_FILE_MAX) >= 0;
	text_diff_release(&df->diff);
	text_diff(df->exists ? old.buf : NULL, old.len, f->text, strlen(f->text), 3, &df->diff);
	strbuf_release(&old);
	free(path);
}

/* One drafting_file per draft file, all selected, each with its diff. */
static void prepare_files(void)
{
	drafting.files = xcalloc(drafting.d.nr ? drafting.d.nr : 1, sizeof(*drafting.files));
	for (size_t i = 0; i < drafting.d.nr; i++) {
		drafting.files[i].selected = true;
		diff_file(i);
	}
	drafting.state = drafting.d.failed ? DRAFTING_FAILED : DRAFTING_READY;
}

/* The draft changed: its panes show it again. */
static void reopen_views(void)
{
	view_open(&app.draft_files);
	view_open(&app.draft_diff);
	view_open(&app.runbook);
}

static void say_verdict(void)
{
	const struct draft *d = &drafting.d;
	if (d->failed && d->needs_input)
		app_message(ROLE_ERROR, "%s; e edits the file", d->failed);
	else if (d->failed)
		app_message(ROLE_ERROR, "draft failed: %s", d->failed);
	else if (d->before > SEV_NONE)
		app_message(ROLE_SAFE, "verified: worst finding %s before, %s after; A commits, x leaves a file out",
			    severity_name(d->before), severity_name(d->after));
	else
		app_message(ROLE_SAFE, "verified: every statement parses; A commits, x leaves a file out");
}

void drafting_verify(struct draft *d)
{
	struct draft_ctx ctx;
	if (!drafting_ctx(&ctx)) {
		draft_fail(d, DRAFTING_GONE, drafting.migration);
	} else if (drafting.kind == REQ_DRAFT_DOWN) {
		draft_verify_parse_only(d);
	} else if (drafting.kind != REQ_DRAFT_RUNBOOK) {
		d->before = ctx.report->sev;
		draft_verify(&ctx, d);
	}
}

/* Verifies the draft again, as its kind is verified (after an edit, or a model's answer). */
static void reverify(void)
{
	struct draft *d = &drafting.d;

	free(d->failed);
	d->failed = NULL;
	d->after = SEV_NONE;
	draftshadow_forget();   /* the edited draft has not run there */
	drafting_verify(d);
	drafting.state = d->failed ? DRAFTING_FAILED : DRAFTING_READY;
}

/* The model's answer, driven by the loop (tui_set_poller). */
static int stream_fds(void *data, struct pollfd *fds, int max, int *timeout_ms)
{
	(void)data;
	int n = llm_stream_fds(drafting.stream, fds, max, timeout_ms);
	/* Redraw the elapsed time at least twice a second while waiting. */
	if (*timeout_ms < 0 || *timeout_ms > 500)
		*timeout_ms = 500;
	return n;
}

static void stream_ended(int r)
{
	struct draft_ctx ctx;

	tui_set_poller(NULL);
	if (r < 0) {
		draft_fail(&drafting.d, "%s", llm_stream_error(drafting.stream));
	} else if (!drafting_ctx(&ctx)) {
		draft_fail(&drafting.d, DRAFTING_GONE, drafting.migration);
	} else {
		llm_draft_finish(&drafting.lc, &ctx, llm_stream_text(drafting.stream), &drafting.d);
		if (drafting.d.nr && !drafting.d.failed)
			reverify();
	}
	llm_stream_free(drafting.stream);
	drafting.stream = NULL;
	prepare_files();
	say_verdict();
	reopen_views();
}

static void stream_run(void *data)
{
	struct strbuf chunk = STRBUF_INIT;
	(void)data;
	int r = llm_stream_perform(drafting.stream, &chunk);
	if (chunk.len) {
		struct view *v = &app.draft_diff;
		/* Follow the end of the answer unless the engineer scrolled up. */
		bool follow = v->lineno + 1 >= v->lines;
		strbuf_add(&drafting.answer, chunk.buf, chunk.len);
		view_open(v);
		if (follow && v->lines)
			view_goto(v, v->lines - 1);
	}
	strbuf_release(&chunk);
	app.dirty = true;   /* bytes and seconds in the files pane */
	if (r <= 0)
		stream_ended(r);
}

static bool start_llm(void)
{
	struct draft_ctx ctx;
	struct strbuf err = STRBUF_INIT, sys = STRBUF_INIT, user = STRBUF_INIT;

	if (llm_config_load(&app.run->cfg, &drafting.lc, &err) < 0) {
		app_message(ROLE_ERROR, "%s", err.buf);
		strbuf_release(&err);
		return false;
	}
	drafting.have_lc = true;
	if (!drafting_ctx(&ctx)) {
		app_message(ROLE_ERROR, "'%s' is not among the judged migrations", drafting.migration);
		return false;
	}
	drafting.d.before = ctx.report->sev;
	/* a model's answer costs time and money: A's checks (branch, a clean migration) first */
	const struct migration *m = ctx.ms->v[ctx.target];
	char *up = work_path(m->up->path), *down = m->down ? work_path(m->down->path) : NULL;
	struct commit_scope scope = { up, down };
	int ready = commit_check_ready(*app_workdir() ? app_workdir() : ".", &scope,
				       app.run ? app.run->ms.branch : NULL);
	free(up);
	free(down);
	if (ready < 0) {
		tui_flush_stderr();   /* commit_check_ready() said why; the model is not asked */
		return false;
	}
	llm_prompt(&ctx, &sys, &user);
	drafting.stream = llm_stream_start(&drafting.lc, sys.buf, user.buf, &err);
	strbuf_release(&sys);
	strbuf_release(&user);
	if (!drafting.stream) {
		app_message(ROLE_ERROR, "%s", err.buf);
		strbuf_release(&err);
		return false;
	}
	strbuf_release(&err);
	drafting.state = DRAFTING_STREAMING;
	drafting.started = now_seconds();
	tui_set_poller(&(struct tui_poller){ stream_fds, stream_run, NULL });
	app_message(ROLE_STATUS, "asking %s %s; keys keep working, Esc cancels",
		    llm_provider_name(drafting.lc.provider), drafting.lc.model);
	return true;
}

/* After a draft that came to nothing: no draft screen left showing "No draft". */
static void close_draft_screen(void)
{
	if (app.stack[app.depth - 1].panes[0] == &app.draft_files)
		app_pop();
}

/* The built-in draft each key makes. */
static const enum draft_what builtin_what[] = {
	[REQ_DRAFT] = DRAFT_SPLIT, [REQ_DRAFT_DOWN] = DRAFT_DOWN,
	[REQ_DRAFT_RUNBOOK] = DRAFT_RUNBOOK,
};

void drafting_start(const struct entry *e, enum request kind)
{
	struct draft_ctx ctx;

	if (!e || !app.run) {
		app_message(ROLE_ERROR, "no migration here to draft: pick one in the list");
		return;
	}
	if (e->up < 0) {
		app_message(ROLE_ERROR, "this migration has no up script to draft from");
		return;
	}
	char *path = xstrdup(app.run->report.files[e->up].path);
	drafting_release();
	drafting.migration = path;
	drafting.kind = kind;
	if (kind == REQ_DRAFT_LLM) {
		if (!start_llm()) {
			drafting_release();
			close_draft_screen();
			return;
		}
	} else {
		drafting_ctx(&ctx);
		ctx.values = &drafting.values;
		draft_builtin(&ctx, builtin_what[kind], &drafting.d);
		if (!drafting.d.nr) {
			/* Nothing to show: say why where the engineer is. */
			app_message(ROLE_STATUS, "%s: %s", path,
				    drafting.d.failed ? drafting.d.failed : "nothing to draft");
			drafting_release();
			close_draft_screen();
			return;
		}
		prepare_files();
		say_verdict();
	}
	app_show(&app.draft_files);
	if (drafting.d.needs_input)
		drafting_ask_value();   /* the value first: nothing else can happen before it */
}

/* The placeholder's name the prompt asks about. */
static char *asking_for;

/* The draft's files and their diffs go; the draft is empty again. */
static void forget_files(void)
{
	for (size_t i = 0; drafting.files && i < drafting.d.nr; i++)
		text_diff_release(&drafting.files[i].diff);
	free(drafting.files);
	drafting.files = NULL;
	draft_release(&drafting.d);
	draft_init(&drafting.d);
}

/* Drafts the built-in kind again, with the values given so far. */
static void redraft(void)
{
	struct draft_ctx ctx;
	forget_files();
	draftshadow_forget();
	if (!drafting_ctx(&ctx)) {
		draft_fail(&drafting.d, DRAFTING_GONE, drafting.migration);
	} else {
		ctx.values = &drafting.values;
		draft_builtin(&ctx, builtin_what[drafting.kind], &drafting.d);
	}
	prepare_files();
	say_verdict();
	reopen_views();
}

static void value_given(const char *text)
{
	struct strbuf err = STRBUF_INIT;
	char *assignment = xstrfmt("%s=%s", asking_for, text);
	if (!*text) {
		app_message(ROLE_ERROR, "no value given for %s: the draft still NEEDS INPUT; A asks again",
			    asking_for);
	} else if (draft_value_check(assignment, &err) < 0) {
		app_message(ROLE_ERROR, "%s; A asks again", err.buf);
	} else {
		strlist_add(&drafting.values, assignment);
		drafting.touched = true;
		redraft();
		if (drafting.d.needs_input)
			drafting_ask_value();
	}
	free(assignment);
	strbuf_release(&err);
}

void drafting_ask_value(void)
{
	struct strlist names = STRLIST_INIT;
	for (size_t i = 0; i < drafting.d.nr; i++)
		if (drafting.d.files[i].sql)
			draft_find_placeholders(drafting.d.files[i].text, &names);
	if (!names.nr || drafting.kind == REQ_DRAFT_LLM) {
		app_message(ROLE_ERROR, "not accepted until the value is filled in (e edits the file): %s",
			    nonnull(drafting.d.failed));
	} else {
		free(asking_for);
		asking_for = xstrdup(names.items[0]);
		char *label = xstrfmt("NEEDS INPUT: the value existing rows get for %s (SQL, e.g. 'free'): ",
				      asking_for);
		app_prompt(label, value_given);
		free(label);
	}
	strlist_clear(&names);
}

void drafting_toggle(size_t file)
{
	if (file < drafting.d.nr && drafting.state != DRAFTING_STREAMING)
		drafting.files[file].selected = !drafting.files[file].selected;
}

/* The file's extension, so the editor picks its syntax (".sql", ".md"). */
static const char *extension(const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	return dot && (!slash || dot > slash) && strlen(dot) < 16 ? dot : "";
}

/* Writes `text` to a new temporary file; its path, or NULL with a message. */
static char *write_temp(const char *text, const char *ext)
{
	const char *dir = getenv("TMPDIR");
	char *tmp = xstrfmt("%s/sluice-draft-XXXXXX%s", dir && *dir ? dir : "/tmp", ext);
	int fd = mkstemps(tmp, (int)strlen(ext));
	size_t len = strlen(text), off = 0;

	if (fd < 0) {
		app_message(ROLE_ERROR, "cannot make a temporary file in %s: %s",
			    dir && *dir ? dir : "/tmp", strerror(errno));
		free(tmp);
		return NULL;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			app_message(ROLE_ERROR, "cannot write '%s': %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			free(tmp);
			return NULL;
		}
		off += (size_t)n;
	}
	close(fd);
	return tmp;
}

void drafting_edit(size_t file)
{
	struct draft_file *f;
	struct strbuf text = STRBUF_INIT;

	if (drafting.state == DRAFTING_STREAMING) {
		app_message(ROLE_ERROR, "the draft is still arriving: wait for it, or Esc to cancel");
		return;
	}
	if (file >= drafting.d.nr)
		return;
	f = &drafting.d.files[file];
	char *tmp = write_temp(f->text, extension(f->path));
	if (!tmp)
		return;
	if (app_edit(tmp, 1) < 0 || app.message_role == ROLE_ERROR) {
		/* app_edit() said why; the draft stays as it was */
	} else if (strbuf_read_file(&text, tmp, DRAFT_FILE_MAX) < 0) {
		app_message(ROLE_ERROR, "cannot read back '%s': %s", tmp, strerror(errno));
	} else if (!text.len) {
		app_message(ROLE_ERROR, "%s: the edited file is empty; the draft is unchanged", f->path);
	} else if (!strcmp(text.buf, f->text)) {
		app_message(ROLE_STATUS, "%s: unchanged", f->path);
	} else {
		free(f->text);
		f->text = strbuf_detach(&text, NULL);
		drafting.files[file].edited = true;
		drafting.touched = true;
		reverify();
		diff_file(file);
		say_verdict();
		view_open(&app.draft_files);
		view_open(&app.draft_diff);
	}
	unlink(tmp);
	free(tmp);
	strbuf_release(&text);
}

/*
 * The selected files as a draft of their own: the commit message names the
 * work-tree relative paths, commit_draft() gets absolute ones (our working
 * directory need not be the work tree's root). The strings are borrowed.
 */
void drafting_selection(struct draft *sel, bool absolute)
{
	draft_init(sel);
	sel->title = drafting.d.title;
	sel->origin = drafting.d.origin;
	sel->before = drafting.d.before;
	for (size_t i = 0; i < drafting.d.nr; i++) {
		if (!drafting.files[i].selected)
			continue;
		ALLOC_GROW(sel->files, sel->nr + 1, sel->alloc);
		sel->files[sel->nr] = drafting.d.files[i];
		if (absolute)
			sel->files[sel->nr].path = work_path(drafting.d.files[i].path);
		sel->nr++;
	}
}

void drafting_selection_free(struct draft *sel, bool absolute)
{
	for (size_t i = 0; absolute && i < sel->nr; i++)
		free(sel->files[i].path);
	free(sel->files);
	free(sel->failed);
	strlist_clear(&sel->notes);
}

void drafting_accept(void)
{
	if (drafting.state == DRAFTING_STREAMING) {
		app_message(ROLE_ERROR, "the draft is still arriving: wait for it, or Esc to cancel");
	} else if (drafting.d.failed && drafting.d.needs_input) {
		drafting_ask_value();   /* a value only the engineer can choose, first */
	} else if (drafting.d.failed) {
		app_message(ROLE_ERROR, "a failed draft cannot be accepted: %s", drafting.d.failed);
	} else if (!app.run || !app.run->ms.branch) {
		app_message(ROLE_ERROR, "not committing: no branch is checked out (detached HEAD)");
	} else {
		accepting_open();
	}
}

static void discard(void)
{
	drafting_release();
	while (app.depth > 1 && app.stack[app.depth - 1].panes[0] != &app.draft_files)
		app_pop();
	app_pop();
	app_message(ROLE_STATUS, "draft discarded: nothing was written");
}

void drafting_close(void)
{
	if (drafting_cancel())
		return;
	if (drafting.touched)
		app_ask("discard the draft and your edits to it?", discard);
	else
		discard();
}

bool drafting_cancel(void)
{
	if (drafting.state != DRAFTING_STREAMING)
		return false;
	llm_stream_cancel(drafting.stream);
	stream_ended(-1);
	app_message(ROLE_STATUS, "cancelled: nothing was written; Esc again closes the draft");
	return true;
}

void drafting_release(void)
{
	if (drafting.stream) {
		llm_stream_cancel(drafting.stream);
		llm_stream_free(drafting.stream);
		drafting.stream = NULL;
		tui_set_poller(NULL);
	}
	forget_files();
	if (drafting.have_lc)
		llm_config_release(&drafting.lc);
	drafting.have_lc = false;
	strbuf_release(&drafting.answer);
	free(drafting.migration);
	drafting.migration = NULL;
	drafting.state = DRAFTING_NONE;
	strlist_clear(&drafting.values);
	drafting.touched = false;
	free(asking_for);
	asking_for = NULL;
	accepting_release();
	draftshadow_forget();
}

/* d, u, R, L: a draft of the migration under the cursor (or open, or drafted). */
static bool draft_job_start(enum request req)
{
	if (req != REQ_DRAFT && req != REQ_DRAFT_DOWN && req != REQ_DRAFT_RUNBOOK && req != REQ_DRAFT_LLM)
		return false;
	drafting_start(app_current_entry(), req);
	return true;
}

/* A model's answer arriving; its elapsed time is in the files pane, not the status line. */
static bool draft_poll(struct strbuf *status)
{
	(void)status;
	return drafting.state == DRAFTING_STREAMING;
}

const struct job_ops draft_job = {
	.name = "draft",
	.start = draft_job_start,
	.poll = draft_poll,
	.cancel = drafting_release,
};
