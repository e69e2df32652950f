/*
 * parseahead.h - parsing scripts on a second thread, ahead of the judge.
 *
 * Judging is sequential (the schema model advances statement by statement),
 * but parsing a script needs nothing from the scripts before it. So a
 * worker parses the scripts of a run in apply order while the judge works,
 * at most a window ahead so memory stays bounded, and the judge takes each
 * script's statements when it reaches it. On a 5,000-file run parsing was a
 * third of the time; this puts it on the other cores. Several workers parse
 * at once (each script on one of them); the judge still takes the scripts
 * in order, so the result does not depend on how many there are.
 */
#ifndef SLUICE_PARSEAHEAD_H
#define SLUICE_PARSEAHEAD_H

#include <stddef.h>
#include "model.h"

struct cJSON;

struct parse_ahead;

/*
 * Starts `threads` - 1 workers (threads: parallel_threads(); the judge is
 * the other) parsing `scripts` (in the order they will be taken); those
 * judged[i] says will be judged (NULL: all) get judge_prepare() too, the
 * rest are only replayed. The judge parses the next scripts itself while
 * the one it needs is not ready. With threads < 2, or when no thread
 * starts, there are no workers: the judge parses each script as it takes
 * it, the same way.
 */
struct parse_ahead *parse_ahead_start(struct script *const *scripts, const bool *judged,
				      size_t n, int threads);
/*
 * Moves the statements of sc into fr (which must have none). Scripts must be
 * taken in order; returns false when sc is not the next one (then parse it
 * yourself).
 */
bool parse_ahead_take(struct parse_ahead *pa, const struct script *sc, struct file_report *fr);
/*
 * The statements of sc, parsed, when it is the next script to take (NULL
 * otherwise): to read, not to keep; it stays the next until taken. The up
 * script's rules read its down this way (rules_rollback.c), without
 * parsing it a second time.
 */
const struct file_report *parse_ahead_peek(struct parse_ahead *pa, const struct script *sc);
/*
 * Hands parse trees the judge is done with to the worker, which frees them
 * between parses (copies the pointers; frees them here when pa is NULL).
 */
void parse_ahead_discard(struct parse_ahead *pa, struct cJSON *const *trees, size_t n);
/* Stops the worker and frees what was not taken. */
void parse_ahead_finish(struct parse_ahead *pa);

#endif
