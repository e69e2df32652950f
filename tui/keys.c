/*
 * keys.c - binding keys to requests (see keys.h).
 *
 * The bindings are a small array searched linearly: there are a few dozen
 * of them and a key press is rare next to a redraw. Only ncurses' KEY_*
 * constants are used here, never a curses call.
 */
#include "keys.h"
#include "display.h"
#include "settings.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name, *keys, *help;
} requests[] = {
	{ "none", "", "" },
#define X(id, name, keys, help) { name, keys, help },
	REQ_INFO(X)
#undef X
};

struct binding {
	int key;
	enum request req;
};
static struct binding *bindings;
static size_t nr_bindings, alloc_bindings;

static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{ "Enter", '\r' }, { "Tab", '\t' }, { "BTab", KEYFN(KEY_BTAB) }, { "Esc", 27 },
	{ "Space", ' ' }, { "Up", KEYFN(KEY_UP) }, { "Down", KEYFN(KEY_DOWN) },
	{ "Left", KEYFN(KEY_LEFT) }, { "Right", KEYFN(KEY_RIGHT) },
	{ "PgUp", KEYFN(KEY_PPAGE) }, { "PgDn", KEYFN(KEY_NPAGE) },
	{ "Home", KEYFN(KEY_HOME) }, { "End", KEYFN(KEY_END) },
	{ "Backspace", KEYFN(KEY_BACKSPACE) }, { "Del", KEYFN(KEY_DC) },
	{ "Ins", KEYFN(KEY_IC) },
};

const char *request_name(enum request r)
{
	return (unsigned)r < REQ__COUNT ? requests[r].name : "none";
}

const char *request_help(enum request r)
{
	return (unsigned)r < REQ__COUNT ? requests[r].help : "";
}

int request_parse(const char *name)
{
	for (int r = 1; r < REQ__COUNT; r++)
		if (!strcasecmp_ascii(requests[r].name, name))
			return r;
	return -1;
}

int key_parse(const char *s, const char **end)
{
	const char *close;
	int key = -1;

	if (*s != '<' || !(close = strchr(s + 1, '>')) || close == s + 1) {
		/* A character as itself (one UTF-8 sequence). */
		unsigned char c = (unsigned char)*s;
		if (!c)
			return -1;
		*end = s + 1;
		return c;
	}
	size_t n = (size_t)(close - s - 1);
	const char *name = s + 1;
	*end = close + 1;
	if (n == 3 && (name[0] == 'C' || name[0] == 'c') && name[1] == '-') {
		char c = name[2];
		if (c >= 'a' && c <= 'z')
			return c - 'a' + 1;
		if (c >= 'A' && c <= 'Z')
			return c - 'A' + 1;
		return -1;
	}
	if ((name[0] == 'F' || name[0] == 'f') && n >= 2 && n <= 3) {
		int f = atoi(name + 1);
		if (f >= 1 && f <= 12)
			return KEYFN(KEY_F(f));
	}
	for (size_t i = 0; i < ARRAY_SIZE(named_keys); i++)
		if (strlen(named_keys[i].name) == n && !strncasecmp(named_keys[i].name, name, n))
			key = named_keys[i].key;
	if (key == -1 && n == 1)
		key = (unsigned char)name[0];
	return key;
}

void key_to_name(int key, struct strbuf *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(named_keys); i++) {
		if (named_keys[i].key == key) {
			strbuf_addf(out, "<%s>", named_keys[i].name);
			return;
		}
	}
	if (key == '\n') {
		strbuf_addstr(out, "<Enter>");
	} else if (key > 0 && key < 32) {
		strbuf_addf(out, "<C-%c>", key + 'a' - 1);
	} else if (KEY_IS_FN(key) && key >= KEYFN(KEY_F(1)) && key <= KEYFN(KEY_F(12))) {
		strbuf_addf(out, "<F%d>", key - KEYFN(KEY_F(0)));
	} else if (key > 32 && key < 127) {
		strbuf_addch(out, key);
	} else {
		strbuf_addf(out, "<%#x>", key);
	}
}

static void bind_key(int key, enum request req)
{
	for (size_t i = 0; i < nr_bindings; i++) {
		if (bindings[i].key == key) {
			bindings[i].req = req;
			return;
		}
	}
	ALLOC_GROW(bindings, nr_bindings + 1, alloc_bindings);
	bindings[nr_bindings].key = key;
	bindings[nr_bindings++].req = req;
}

/* Binds every key named in `spec`; returns -1 at the first bad name. */
static int bind_keys(const char *spec, enum request req, const char **bad)
{
	const char *p = spec, *end;
	while (*p) {
		if (*p == ' ') {
			p++;
			continue;
		}
		int key = key_parse(p, &end);
		if (key < 0) {
			*bad = p;
			return -1;
		}
		bind_key(key, req);
		p = end;
	}
	return 0;
}

void keys_init(const struct config *cfg, struct strlist *errors)
{
	struct strlist keys = STRLIST_INIT, values = STRLIST_INIT;
	const char *bad;

	nr_bindings = 0;
	for (int r = 1; r < REQ__COUNT; r++)
		if (bind_keys(requests[r].keys, (enum request)r, &bad) < 0)
			BUG("bad default key '%s'", bad);
	bind_key('\n', REQ_ENTER);
	bind_key(KEYFN(KEY_ENTER), REQ_ENTER);
	if (cfg)
		config_get_prefix(cfg, "sluice.bind.", &keys, &values);
	for (size_t i = 0; i < keys.nr; i++) {
		const char *name = keys.items[i] + strlen("sluice.bind.");
		int r = request_parse(name);
		if (r < 0)
			strlist_add_nodup(errors, xstrfmt("%s: unknown request '%s' (see the help, '?')",
							  keys.items[i], name));
		else if (bind_keys(values.items[i], (enum request)r, &bad) < 0)
			strlist_add_nodup(errors, xstrfmt("%s: unknown key '%s'", keys.items[i], bad));
	}
	strlist_clear(&keys);
	strlist_clear(&values);
}

enum request keys_request(int key)
{
	for (size_t i = 0; i < nr_bindings; i++)
		if (bindings[i].key == key)
			return bindings[i].req;
	return REQ_NONE;
}

void keys_describe(enum request r, struct strbuf *out)
{
	for (size_t i = 0; i < nr_bindings; i++) {
		if (bindings[i].req != r || bindings[i].key == '\n' || bindings[i].key == KEYFN(KEY_ENTER))
			continue;
		if (out->len)
			strbuf_addch(out, ' ');
		key_to_name(bindings[i].key, out);
	}
}

void keys_release(void)
{
	free(bindings);
	bindings = NULL;
	nr_bindings = alloc_bindings = 0;
}
