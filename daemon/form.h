/* form.h: what a browser sends (pure): form bodies, cookies, and a session's CSRF token. */
#ifndef TERMIJN_FORM_H
#define TERMIJN_FORM_H

#include <stddef.h>

#define FORM_MAX_FIELDS	16
#define WEB_TOKEN_CHARS	32	/* 192 bits in base64url, as feed and access tokens */

struct form {
	char	*name[FORM_MAX_FIELDS];
	char	*value[FORM_MAX_FIELDS];
	size_t	 n;
};

/*
 * An application/x-www-form-urlencoded body: 0, or -1 with *cause (to free) when it is not
 * one: a bad %-escape, a NUL, a name given twice, more than FORM_MAX_FIELDS fields.
 */
int		 form_parse(const char *body, size_t len, struct form *, char **cause);
void		 form_free(struct form *);
/* The value of a field, NULL when the form has none. */
const char	*form_get(const struct form *, const char *name);

/*
 * The value of cookie name in a Cookie header (RFC 6265 5.4: "a=1; b=2", a value may be
 * quoted): 1 with it in out, 0 when there is none, -1 when it does not fit in len.
 */
int		 cookie_get(const char *header, const char *name, char *out, size_t len);

/* Is s a token as termijnd makes them (WEB_TOKEN_CHARS of base64url)? */
int		 web_token_ok(const char *s);
/* The CSRF token of a session: derived from its secret, so nothing more is stored. */
void		 form_csrf(const char *session_token, char out[WEB_TOKEN_CHARS + 1]);
/* Two NUL-terminated secrets compared in time that depends on their lengths only. */
int		 secret_equal(const char *, const char *);

#endif
