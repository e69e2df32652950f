/*
 * json_print.h - cJSON_Print's text, written into a strbuf.
 *
 * `sluice check --format json` printed its report with cJSON_Print, a
 * tenth of a check's instructions (cJSON grows its buffer a few bytes at a
 * time). json_print() writes the same bytes, tab for tab, into a strbuf,
 * and can start at any depth, so that the files of a report are printed
 * apart (on several threads, core/report.c) and joined into the text
 * cJSON_Print would have made of the whole. tests/unit-json-print.c
 * compares the two on trees of every kind.
 */
#ifndef SLUICE_JSON_PRINT_H
#define SLUICE_JSON_PRINT_H

#include <stdbool.h>
#include <cjson/cJSON.h>

struct strbuf;

/*
 * s with each byte that is not part of valid UTF-8 replaced by U+FFFD
 * (malloc'd), or NULL when s is valid: JSON must be UTF-8, a migration
 * need not be.
 */
char *json_utf8_fixed(const char *s);
/*
 * Appends item as cJSON_Print(item) formats it, once
 * report_json_fix_utf8() made its strings UTF-8, when it sits `depth`
 * containers deep (0 for the root). Returns false on what cJSON_Print
 * fails on (an invalid item), having appended part of it.
 */
bool json_print(struct strbuf *sb, const cJSON *item, int depth);

#endif
