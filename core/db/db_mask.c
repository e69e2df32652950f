/*
 * db_mask.c - a connection string's password masked by its text alone.
 *
 * libpq quotes a string it cannot parse in its error message
 * ('invalid percent-encoded token: "S3cr3t%zz"', 'end of string reached
 * when looking for matching "]" ... "postgresql://app:S3cr3t@[::1/appdb"'),
 * so a string that did not parse is never shown, nor handed back to libpq,
 * before this has masked it. It errs on the side of hiding: a key=value
 * token without '=' (app:pw@host, a mistyped scheme) is hidden whole.
 */
#include "db.h"

#include <string.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The value of a password= query parameter up to '&' or the end. */
static void mask_query(struct strbuf *sb, const char *q)
{
	while (*q) {
		size_t n = strcspn(q, "&");
		if (!strncmp(q, "password=", 9))
			strbuf_addstr(sb, "password=***");
		else
			strbuf_add(sb, q, n);
		q += n;
		if (*q)
			strbuf_addch(sb, *q++);
	}
}

/*
 * postgresql://user:PASSWORD@host/db?password=PASSWORD. libpq ends the
 * user info at the first '@' or '/'; the last '@' before the first '/'
 * hides more when a password holds an '@'.
 */
static void mask_uri(struct strbuf *sb, const char *s)
{
	const char *auth = strstr(s, "://") + 3;
	const char *end = auth + strcspn(auth, "/");
	const char *at = NULL, *colon;
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	strbuf_add(sb, s, (size_t)(auth - s));
	if (at && (colon = memchr(auth, ':', (size_t)(at - auth)))) {
		strbuf_add(sb, auth, (size_t)(colon - auth));
		strbuf_addstr(sb, ":***");
		auth = at;
	}
	const char *q = strchr(auth, '?');
	if (!q) {
		strbuf_addstr(sb, auth);
		return;
	}
	strbuf_add(sb, auth, (size_t)(q + 1 - auth));
	mask_query(sb, q + 1);
}

/* host=h password='it''s' ...: password's value, and any token that is not key=value. */
static void mask_keywords(struct strbuf *sb, const char *p)
{
	while (*p) {
		if (is_space(*p)) {
			strbuf_addch(sb, *p++);
			continue;
		}
		const char *key = p;
		while (*p && *p != '=' && !is_space(*p))
			p++;
		size_t keylen = (size_t)(p - key);
		const char *eq = p;
		while (is_space(*eq))
			eq++;
		if (*eq != '=') {
			strbuf_addstr(sb, "***");       /* not key=value: could be anything */
			continue;
		}
		bool secret = keylen == 8 && !strncmp(key, "password", 8);
		strbuf_add(sb, key, keylen);
		strbuf_addch(sb, '=');
		p = eq + 1;
		while (is_space(*p))
			p++;
		const char *val = p;
		if (*p == '\'') {
			for (p++; *p && *p != '\''; p++)
				if (*p == '\\' && p[1])
					p++;
			if (*p)
				p++;
		} else {
			while (*p && !is_space(*p))
				p++;
		}
		if (secret)
			strbuf_addstr(sb, "***");
		else
			strbuf_add(sb, val, (size_t)(p - val));
	}
}

char *db_mask_text(const char *conninfo)
{
	struct strbuf sb = STRBUF_INIT;
	if (starts_with(conninfo, "postgresql://") || starts_with(conninfo, "postgres://"))
		mask_uri(&sb, conninfo);
	else
		mask_keywords(&sb, conninfo);
	return strbuf_detach(&sb, NULL);
}
