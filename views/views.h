/*
 * views.h - every view of the workbench, as tig's VIEW_INFO.
 *
 * Each views/<name>.c fills one `const struct view_ops <name>_ops`; the
 * frame makes one struct view per row (app.<name>) with those ops and
 * knows a view only through them: what it draws, which screen it leads
 * (show), which migration it is about (entry), what it frees at the end
 * (release). A new view is a new file and a row here.
 */
#ifndef SLUICE_VIEWS_VIEWS_H
#define SLUICE_VIEWS_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include "tui/keys.h"

#define VIEW_INFO(X) \
	X(list) X(sql) X(info) X(refs) X(help) \
	X(verdict) X(preview) \
	X(draft_files) X(draft_diff) X(confirm) \
	X(drift) \
	X(basediff) X(runbook)

struct view_ops;
#define VIEW_OPS_DECL(name) extern const struct view_ops name##_ops;
VIEW_INFO(VIEW_OPS_DECL)
#undef VIEW_OPS_DECL

/* Shared between views: one draft file's row (check box, new/change, name, +/- counts, purpose). */
struct view;
void draft_draw_file(struct view *v, size_t file, int y);
/* The keys of the draft screen, whichever of its panes has the focus (views/draft.c). */
bool draft_screen_request(enum request req);

#endif
