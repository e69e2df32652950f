/*
 * theme.c - built-in themes and the theme-file loader (see theme.h).
 *
 * Built-in themes are arrays indexed by role, as htop's colour schemes
 * are, written in the same spec syntax a theme file uses, so both go
 * through one parser. Theme files are read with libgit2's config parser:
 * the format is git's, comments, includes and quoting included.
 */
#include "theme.h"
#include "settings.h"
#include "util.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

struct builtin_theme {
	const char *name;
	bool monochrome;
	const char *spec[ROLE__COUNT];
};

static const struct builtin_theme builtin[] = {
	{ "dark", false, {
		[ROLE_DEFAULT] = "default default",
		[ROLE_TITLE] = "white blue",
		[ROLE_TITLE_FOCUS] = "white blue bold",
		[ROLE_STATUS] = "black cyan",
		[ROLE_CURSOR] = "black cyan",
		[ROLE_GUTTER] = "yellow",
		[ROLE_BLOCKER] = "brightwhite red bold",
		[ROLE_HIGH] = "red bold",
		[ROLE_MEDIUM] = "yellow",
		[ROLE_LOW] = "cyan",
		[ROLE_SAFE] = "green",
		[ROLE_LOCK] = "magenta bold",
		[ROLE_REWRITE] = "red",
		[ROLE_RULE] = "blue bold",
		[ROLE_FIX] = "green",
		[ROLE_PATH] = "cyan",
		[ROLE_IDENT] = "black yellow bold",
		[ROLE_SEARCH] = "black yellow",
		[ROLE_ESCAPE] = "magenta reverse",
		[ROLE_HEADER] = "bold ul",
		[ROLE_DIM] = "dim",
		[ROLE_ERROR] = "red bold",
		[ROLE_KEY] = "green bold",
	} },
	{ "light", false, {
		[ROLE_DEFAULT] = "default default",
		[ROLE_TITLE] = "black white",
		[ROLE_TITLE_FOCUS] = "white blue bold",
		[ROLE_STATUS] = "white blue",
		[ROLE_CURSOR] = "white blue",
		[ROLE_GUTTER] = "blue",
		[ROLE_BLOCKER] = "white red bold",
		[ROLE_HIGH] = "red bold",
		[ROLE_MEDIUM] = "magenta",
		[ROLE_LOW] = "blue",
		[ROLE_SAFE] = "green",
		[ROLE_LOCK] = "magenta bold",
		[ROLE_REWRITE] = "red",
		[ROLE_RULE] = "blue bold",
		[ROLE_FIX] = "green",
		[ROLE_PATH] = "blue",
		[ROLE_IDENT] = "black yellow bold",
		[ROLE_SEARCH] = "black yellow",
		[ROLE_ESCAPE] = "red reverse",
		[ROLE_HEADER] = "bold ul",
		[ROLE_DIM] = "dim",
		[ROLE_ERROR] = "red bold",
		[ROLE_KEY] = "blue bold",
	} },
	{ "high-contrast", false, {
		[ROLE_DEFAULT] = "brightwhite black",
		[ROLE_TITLE] = "black brightwhite bold",
		[ROLE_TITLE_FOCUS] = "black brightyellow bold",
		[ROLE_STATUS] = "black brightwhite bold",
		[ROLE_CURSOR] = "black brightyellow bold",
		[ROLE_GUTTER] = "brightwhite black",
		[ROLE_BLOCKER] = "brightwhite red bold",
		[ROLE_HIGH] = "brightred black bold",
		[ROLE_MEDIUM] = "brightyellow black bold",
		[ROLE_LOW] = "brightcyan black",
		[ROLE_SAFE] = "brightgreen black",
		[ROLE_LOCK] = "brightmagenta black bold",
		[ROLE_REWRITE] = "brightred black",
		[ROLE_RULE] = "brightcyan black bold",
		[ROLE_FIX] = "brightgreen black bold",
		[ROLE_PATH] = "brightcyan black ul",
		[ROLE_IDENT] = "black brightyellow bold",
		[ROLE_SEARCH] = "black brightgreen bold",
		[ROLE_ESCAPE] = "black brightmagenta",
		[ROLE_HEADER] = "brightwhite black bold ul",
		[ROLE_DIM] = "white black",
		[ROLE_ERROR] = "brightwhite red bold",
		[ROLE_KEY] = "brightgreen black bold",
	} },
	{ "monochrome", true, {
		[ROLE_TITLE] = "reverse",
		[ROLE_TITLE_FOCUS] = "reverse bold",
		[ROLE_STATUS] = "reverse",
		[ROLE_CURSOR] = "reverse",
		[ROLE_BLOCKER] = "bold reverse",
		[ROLE_HIGH] = "bold",
		[ROLE_MEDIUM] = "ul",
		[ROLE_LOCK] = "bold",
		[ROLE_REWRITE] = "bold",
		[ROLE_RULE] = "bold",
		[ROLE_PATH] = "ul",
		[ROLE_IDENT] = "bold ul",
		[ROLE_SEARCH] = "reverse",
		[ROLE_ESCAPE] = "reverse",
		[ROLE_HEADER] = "bold",
		[ROLE_DIM] = "dim",
		[ROLE_ERROR] = "bold",
		[ROLE_KEY] = "bold",
	} },
};

const char *const theme_builtin_names[] = { "dark", "light", "high-contrast", "monochrome", NULL };

static const char *const color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static int parse_color(const char *w, short *out)
{
	char *end;
	if (!strcmp(w, "normal") || !strcmp(w, "default")) {
		*out = COLOR_SPEC_DEFAULT;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(color_names); i++) {
		if (!strcmp(w, color_names[i])) {
			*out = (short)i;
			return 0;
		}
		if (starts_with(w, "bright") && !strcmp(w + 6, color_names[i])) {
			*out = (short)(i + 8);
			return 0;
		}
	}
	long n = strtol(w, &end, 10);
	if (*w && !*end && n >= 0 && n <= 255) {
		*out = (short)n;
		return 0;
	}
	return -1;
}

static int parse_attr(const char *w, unsigned *attr)
{
	static const struct { const char *name; unsigned bit; } attrs[] = {
		{ "bold", THEME_ATTR_BOLD }, { "dim", THEME_ATTR_DIM },
		{ "ul", THEME_ATTR_UL }, { "underline", THEME_ATTR_UL },
		{ "reverse", THEME_ATTR_REVERSE }, { "blink", THEME_ATTR_BLINK },
	};
	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
		if (!strcmp(w, attrs[i].name)) {
			*attr |= attrs[i].bit;
			return 0;
		}
	}
	return -1;
}

int color_spec_parse(const char *spec, struct color_spec *out, struct strbuf *err)
{
	char *copy = xstrdup(spec), *save = NULL, *w;
	int colors = 0, ret = 0;
	out->fg = out->bg = COLOR_SPEC_DEFAULT;
	out->attr = 0;
	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		short c;
		str_lower(w);
		if (!parse_attr(w, &out->attr))
			continue;
		if (colors < 2 && !parse_color(w, &c)) {
			if (colors++ == 0)
				out->fg = c;
			else
				out->bg = c;
			continue;
		}
		if (err)
			strbuf_addf(err, "bad colour '%s' in '%s'", w, spec);
		ret = -1;
		break;
	}
	free(copy);
	return ret;
}

static int load_builtin(struct theme *t, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(builtin); i++) {
		if (strcmp(builtin[i].name, name))
			continue;
		free(t->name);
		t->name = xstrdup(name);
		t->monochrome = builtin[i].monochrome;
		for (int r = 0; r < ROLE__COUNT; r++)
			if (color_spec_parse(nonnull(builtin[i].spec[r]), &t->role[r], NULL) < 0)
				BUG("built-in theme '%s' has a bad spec", name);
		return 0;
	}
	return -1;
}

static int set_role(struct theme *t, const char *role, const char *spec, const char *where,
		    struct strbuf *err)
{
	int r = role_parse(role);
	if (r < 0) {
		strbuf_addf(err, "%s: unknown colour role '%s'", where, role);
		return -1;
	}
	if (color_spec_parse(spec, &t->role[r], err) < 0) {
		strbuf_addf(err, " (%s)", where);
		return -1;
	}
	return 0;
}

/* A theme file: [theme] base = NAME, then [color] ROLE = SPEC lines. */
static int load_file(struct theme *t, const char *path, struct strbuf *err)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	git_buf base = { 0 };
	int ret = 0;

	if (git_config_open_ondisk(&cfg, path) < 0) {
		const git_error *ge = git_error_last();
		strbuf_addf(err, "cannot read theme '%s': %s", path, ge ? ge->message : "unknown error");
		return -1;
	}
	if (!git_config_get_string_buf(&base, cfg, "theme.base")) {
		if (load_builtin(t, base.ptr) < 0) {
			strbuf_addf(err, "%s: theme.base: no built-in theme '%s'", path, base.ptr);
			ret = -1;
		}
	}
	git_buf_dispose(&base);
	free(t->name);
	t->name = xstrdup(path);
	if (ret < 0 || git_config_iterator_glob_new(&it, cfg, "^color\\.") < 0)
		goto out;
	while (!git_config_next(&e, it)) {
		struct strbuf where = STRBUF_INIT;
		strbuf_addf(&where, "%s: %s", path, e->name);
		if (set_role(t, e->name + strlen("color."), e->value ? e->value : "", where.buf, err) < 0)
			ret = -1;
		strbuf_release(&where);
		if (ret < 0)
			break;
	}
out:
	git_config_iterator_free(it);
	git_config_free(cfg);
	return ret;
}

static bool is_file_name(const char *name)
{
	return strchr(name, '/') || ends_with(name, ".theme") || ends_with(name, ".gitconfig");
}

int theme_load(struct theme *t, const char *name, const struct config *cfg, struct strbuf *err)
{
	struct strlist keys = STRLIST_INIT, values = STRLIST_INIT;
	int ret = 0;

	memset(t, 0, sizeof(*t));
	load_builtin(t, "dark");
	if (!name || !*name)
		name = "dark";
	if (is_file_name(name)) {
		if (load_file(t, name, err) < 0) {
			load_builtin(t, "dark");
			ret = -1;
		}
	} else if (load_builtin(t, name) < 0) {
		strbuf_addf(err, "unknown theme '%s' (dark, light, high-contrast, monochrome or a file)", name);
		ret = -1;
	}
	if (cfg)
		config_get_prefix(cfg, "sluice.color.", &keys, &values);
	for (size_t i = 0; i < keys.nr; i++) {
		struct strbuf one = STRBUF_INIT;
		if (set_role(t, keys.items[i] + strlen("sluice.color."), values.items[i], keys.items[i], &one) < 0) {
			if (err->len)
				strbuf_addstr(err, "; ");
			strbuf_addstr(err, one.buf);
			ret = -1;
		}
		strbuf_release(&one);
	}
	strlist_clear(&keys);
	strlist_clear(&values);
	return ret;
}

void theme_release(struct theme *t)
{
	free(t->name);
	t->name = NULL;
}
