/*
 * parseahead.h - parsing scripts on a second thread, ahead of the judge.
 *
 * Judging is sequential (the schema model advances statement by statement),
 * but parsing a script needs nothing from the scripts before it. So a
 * worker parses the scripts of a run in apply order while the judge works,
 * at most a window ahead so memory stays bounded, and the judge takes each
 * script's statements when it reaches it. On a 5,000-file run parsing was a
 * third of the time; this puts it on the other core.
 */
#ifndef SLUICE_PARSEAHEAD_H
#define SLUICE_PARSEAHEAD_H

#include <stddef.h>
#include "model.h"

struct cJSON;

struct parse_ahead;

/* Starts parsing `scripts` (in the order they will be taken); NULL on failure. */
struct parse_ahead *parse_ahead_start(struct script *const *scripts, size_t n);
/*
 * Moves the statements of sc into fr (which must have none). Scripts must be
 * taken in order; returns false when sc is not the next one (then parse it
 * yourself).
 */
bool parse_ahead_take(struct parse_ahead *pa, const struct script *sc, struct file_report *fr);
/*
 * Hands parse trees the judge is done with to the worker, which frees them
 * between parses (copies the pointers; frees them here when pa is NULL).
 */
void parse_ahead_discard(struct parse_ahead *pa, struct cJSON *const *trees, size_t n);
/* Stops the worker and frees what was not taken. */
void parse_ahead_finish(struct parse_ahead *pa);

#endif
