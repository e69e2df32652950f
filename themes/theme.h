/*
 * theme.h - themes: colour roles mapped to colour specs.
 *
 * A spec is git's colour syntax: "[fg] [bg] [attr...]" with the names
 * normal/default, black, red, green, yellow, blue, magenta, cyan, white,
 * bright variants (brightred), 0-255, and bold, dim, ul, reverse, blink.
 * Built-in themes are dark (the default), light, high-contrast and
 * monochrome. A custom theme is a file in git-config format, read with
 * libgit2's parser:
 *
 *     [theme]
 *             base = light          # start from a built-in theme
 *     [color]
 *             blocker = white red bold
 *             cursor = reverse
 *
 * `sluice.theme` (or --theme) names a built-in theme or such a file;
 * `sluice.color.<role>` settings override single roles.
 */
#ifndef SLUICE_THEME_H
#define SLUICE_THEME_H

#include <stdbool.h>
#include "roles.h"

struct config;
struct strbuf;

#define COLOR_SPEC_DEFAULT (-1)

struct color_spec {
	short fg, bg;   /* 0-255 or COLOR_SPEC_DEFAULT */
	unsigned attr;  /* THEME_ATTR_* */
};
#define THEME_ATTR_BOLD 1u
#define THEME_ATTR_DIM 2u
#define THEME_ATTR_UL 4u
#define THEME_ATTR_REVERSE 8u
#define THEME_ATTR_BLINK 16u

struct theme {
	char *name;
	bool monochrome;               /* draw with attributes only */
	struct color_spec role[ROLE__COUNT];
};

/* Parses a spec; -1 with a message in *err (may be NULL) when invalid. */
int color_spec_parse(const char *spec, struct color_spec *out, struct strbuf *err);
/*
 * Loads a theme by name or file path, then the sluice.color.* overrides
 * from cfg (may be NULL). Returns 0, or -1 with the reason in *err; the
 * theme then holds the dark theme so that the workbench still opens.
 */
int theme_load(struct theme *t, const char *name, const struct config *cfg, struct strbuf *err);
void theme_release(struct theme *t);
/* The built-in theme names, NULL-terminated. */
extern const char *const theme_builtin_names[];

#endif
