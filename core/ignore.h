/*
 * ignore.h - ignore comments: read from a script, applied to its findings
 * once every stage has raised them (see core/ignore.c for the grammar).
 */
#ifndef SLUICE_IGNORE_H
#define SLUICE_IGNORE_H

#include "judge.h"
#include "model.h"

/* Reads the ignore comments of sc (file-wide ones, then each statement's) into fr->ignores. */
void ignores_scan(struct file_report *fr, const struct script *sc);
/*
 * Marks every finding of fr an ignore names as ignored, with its reason,
 * and reports each ignore that matched nothing (unused-ignore). Once per
 * file, after the last finding is raised.
 */
void ignores_apply(struct file_report *fr, const struct judge_opts *o);

#endif
