/*
 * unit-json-print.c - json_print() writes what cJSON_Print writes.
 *
 * `sluice check --format json` prints each file with json_print() and
 * joins them (core/report.c); its output must stay byte for byte what
 * cJSON_Print made of the whole report. Compared here on trees of every
 * kind cJSON prints: nested and empty objects and arrays, every escape,
 * valid and invalid UTF-8, numbers whole and not, NULL strings, and at
 * depths other than the root; and the writer (json_open ...) against the
 * tree it describes.
 */
#include "../core/json_print.h"
#include "../core/report.h"
#include "../core/util.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>

/*
 * json_print(item) equals cJSON_Print(item) once report_json_fix_utf8()
 * made its strings UTF-8 (json_print makes them so as it prints)?
 */
static void same(cJSON *item, const char *what)
{
	struct strbuf sb = STRBUF_INIT;
	bool printed = json_print(&sb, item, 0);
	report_json_fix_utf8(item);
	char *want = cJSON_Print(item);
	ok(printed && want && !strcmp(sb.buf, want), "%s", what);
	if (want && strcmp(sb.buf, want))
		printf("# got  '%s'\n# want '%s'\n", sb.buf, want);
	free(want);
	strbuf_release(&sb);
}

/* A deterministic tree of every kind, `depth` levels deep. */
static cJSON *tree(unsigned *seed, int depth)
{
	*seed = *seed * 1103515245u + 12345u;
	unsigned r = (*seed >> 16) % 9;
	if (depth <= 0)
		r %= 5;
	switch (r) {
	case 0: return cJSON_CreateNull();
	case 1: return cJSON_CreateBool(*seed & 1);
	case 2: return cJSON_CreateNumber((double)(int)(*seed % 100000) - 50000);
	case 3: return cJSON_CreateNumber(((double)(*seed % 1000000)) / 7.0);
	case 4: {
		char s[8] = { 'a', (char)(*seed % 256), '"', (char)((*seed >> 8) % 32), '\\', (char)0xe9, 'z', 0 };
		if (!s[1])
			s[1] = '\t';
		if (!s[3])
			s[3] = '\n';
		return cJSON_CreateString(s);
	}
	case 5: case 6: {
		cJSON *a = cJSON_CreateArray();
		for (unsigned i = 0; i < *seed % 4; i++)
			cJSON_AddItemToArray(a, tree(seed, depth - 1));
		return a;
	}
	default: {
		cJSON *o = cJSON_CreateObject();
		for (unsigned i = 0; i < *seed % 5; i++) {
			char key[16];
			snprintf(key, sizeof(key), "k%u\x01\"", i);
			cJSON_AddItemToObject(o, key, tree(seed, depth - 1));
		}
		return o;
	}
	}
}

int main(void)
{
	cJSON *o = cJSON_CreateObject();
	same(o, "an empty object");
	cJSON_AddItemToObject(o, "empty", cJSON_CreateObject());
	cJSON_AddItemToObject(o, "list", cJSON_CreateArray());
	same(o, "empty members, nested");
	cJSON_AddNumberToObject(o, "int", 42);
	cJSON_AddNumberToObject(o, "negative", -7);
	cJSON_AddNumberToObject(o, "half", 0.5);
	cJSON_AddNumberToObject(o, "third", 1.0 / 3);
	cJSON_AddNumberToObject(o, "big", 1e300);
	cJSON_AddNumberToObject(o, "huge int", 3e9);
	cJSON_AddNumberToObject(o, "nan", NAN);
	same(o, "numbers: whole, fractional, beyond int, not a number");
	cJSON_AddStringToObject(o, "escapes", "\"\\/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9\xff end");
	same(o, "every escape; DEL and valid UTF-8 as they are");
	cJSON_AddStringToObject(o, "not utf-8", "a\xff\xc3(\xe9\x80 \xed\xa0\x80 end");
	same(o, "bytes that are not UTF-8 become U+FFFD, as report_json_fix_utf8 makes them");
	cJSON *nul = cJSON_CreateString("x");
	free(nul->valuestring);
	nul->valuestring = NULL;
	cJSON_AddItemToObject(o, "null string", nul);
	same(o, "a string with no value prints as \"\"");
	cJSON *arr = cJSON_AddArrayToObject(o, "array");
	cJSON_AddItemToArray(arr, cJSON_CreateObject());
	cJSON *in = cJSON_CreateObject();
	cJSON_AddStringToObject(in, "a", "b");
	cJSON_AddItemToArray(arr, in);
	cJSON_AddItemToArray(arr, cJSON_CreateIntArray((int[]){ 1, 2, 3 }, 3));
	same(o, "objects in arrays in objects");

	/* A member printed at its depth is what the whole printed around it. */
	struct strbuf sb = STRBUF_INIT;
	char *whole = cJSON_Print(o);
	json_print(&sb, in, 2);
	ok(strstr(whole, sb.buf) != NULL, "an object printed at depth 2 is the text inside its parent");
	free(whole);
	strbuf_release(&sb);
	cJSON_Delete(o);

	/* The writer: the same text as the tree it describes. */
	cJSON *doc = cJSON_CreateObject();
	cJSON *files = cJSON_AddArrayToObject(doc, "files");
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "path", "a\"b\xff");
	cJSON_AddNumberToObject(f, "line", 12);
	cJSON_AddNumberToObject(f, "ratio", 0.25);
	cJSON_AddBoolToObject(f, "new", 0);
	cJSON_AddItemToObject(f, "empty", cJSON_CreateObject());
	cJSON *cats = cJSON_AddArrayToObject(f, "cats");
	cJSON_AddItemToArray(cats, cJSON_CreateString("x"));
	cJSON_AddItemToArray(cats, cJSON_CreateString("y"));
	cJSON_AddArrayToObject(f, "none");
	cJSON *sub = cJSON_CreateObject();
	cJSON_AddStringToObject(sub, "k", "v");
	cJSON_AddItemToObject(f, "compat", cJSON_Duplicate(sub, 1));
	cJSON_AddItemToArray(files, f);
	cJSON_AddItemToArray(files, cJSON_CreateObject());
	cJSON_AddNumberToObject(doc, "n", -3);
	struct strbuf w = STRBUF_INIT;
	struct json_out jo;
	json_out_init(&jo, &w, 0);
	json_open(&jo, NULL, false);
	json_open(&jo, "files", true);
	json_open(&jo, NULL, false);
	json_str(&jo, "path", "a\"b\xff");
	json_num(&jo, "line", 12);
	json_num(&jo, "ratio", 0.25);
	json_bool(&jo, "new", false);
	json_open(&jo, "empty", false);
	json_close(&jo);
	json_open(&jo, "cats", true);
	json_str(&jo, NULL, "x");
	json_str(&jo, NULL, "y");
	json_close(&jo);
	json_open(&jo, "none", true);
	json_close(&jo);
	json_item(&jo, "compat", sub);
	json_close(&jo);
	json_open(&jo, NULL, false);
	json_close(&jo);
	json_close(&jo);
	json_num(&jo, "n", -3);
	json_close(&jo);
	report_json_fix_utf8(doc);
	char *tw = cJSON_Print(doc);
	is_str(w.buf, tw, "the writer writes what cJSON_Print makes of the same tree");
	free(tw);
	strbuf_release(&w);
	cJSON_Delete(doc);
	cJSON_Delete(sub);

	unsigned seed = 7;
	int bad = 0;
	for (int i = 0; i < 300; i++) {
		cJSON *t = tree(&seed, 6);
		struct strbuf got = STRBUF_INIT;
		json_print(&got, t, 0);
		report_json_fix_utf8(t);
		char *want = cJSON_Print(t);
		if (!want || strcmp(got.buf, want))
			bad++;
		free(want);
		strbuf_release(&got);
		cJSON_Delete(t);
	}
	is_int(bad, 0, "300 generated trees of every kind print the same");
	return done_testing();
}
