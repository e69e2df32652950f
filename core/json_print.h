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

/*
 * The same text written as it goes, without a tree: a report's files are
 * most of what sluice prints, and building them as cJSON nodes to print
 * and free cost more than printing them. Keys and values are appended in
 * order; containers nest up to JSON_OUT_LEVELS deep.
 *
 *	json_open(&jo, "statements", true);    an array member of an object
 *	json_open(&jo, NULL, false);           an object in that array
 *	json_num(&jo, "line", 3); ...
 *	json_close(&jo); json_close(&jo);
 */
#define JSON_OUT_LEVELS 16

struct json_out {
	struct strbuf *sb;
	int depth;                      /* cJSON's depth: containers around the next value */
	int level;                      /* containers this writer opened */
	bool has[JSON_OUT_LEVELS];      /* the container at each level has a value */
	bool array[JSON_OUT_LEVELS];
};

/* Starts writing into sb a value `depth` containers deep (as json_print). */
void json_out_init(struct json_out *jo, struct strbuf *sb, int depth);
/* key: the member's name in an object, NULL in an array (or for the value itself). */
void json_open(struct json_out *jo, const char *key, bool array);
void json_close(struct json_out *jo);
void json_str(struct json_out *jo, const char *key, const char *s);
void json_num(struct json_out *jo, const char *key, double d);
void json_bool(struct json_out *jo, const char *key, bool b);
/* A tree built elsewhere, printed in place. */
void json_item(struct json_out *jo, const char *key, const cJSON *item);

#endif
