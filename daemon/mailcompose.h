/* mailcompose.h: RFC 5322 reminder messages, addresses, Message-IDs and templates (pure). */
#ifndef TERMIJN_MAILCOMPOSE_H
#define TERMIJN_MAILCOMPOSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * One message to one recipient. Strings are UTF-8 and borrowed for the call only.
 * Header values (names, subject) must be one line: no CR, LF or other control
 * character except TAB; a C string cannot carry NUL, so callers that read values
 * with lengths must refuse embedded NULs themselves.
 */
struct mail_msg {
	const char	*from;		/* addr-spec, required */
	const char	*from_name;	/* display name or NULL */
	const char	*to;		/* addr-spec, required */
	const char	*to_name;	/* display name or NULL */
	const char	*subject;	/* required, may be "" */
	const char	*body;		/* text, LF or CRLF line ends; NULL is "" */
	int64_t		 date;		/* Unix seconds */
	int		 utc_offset;	/* seconds east of UTC for Date; |x| < 86400 */
	const char	*message_id;	/* "<left@right>", e.g. from mail_message_id() */
	const char	*ics;		/* NULL, or an iCalendar object to attach */
	const char	*ics_name;	/* its file name ([A-Za-z0-9._-]); NULL: "termijn.ics" */
};

/*
 * The whole message, CRLF line ends, header lines at most 78 octets (given
 * addresses of sane length), body quoted-printable, the calendar base64 in a
 * multipart/mixed. The same input gives the same bytes. NULL and *cause
 * (to be freed) when the input is refused. lenp may be NULL.
 */
char	*mail_compose(const struct mail_msg *, size_t *lenp, char **cause);

/* local@domain: a dot-atom local part (no quoted forms), a host name domain, ASCII. */
int	 mail_addr_valid(const char *);
/* A host name: LDH labels of 1 to 63 octets, no trailing dot. */
int	 mail_domain_valid(const char *);

/*
 * "<32 hex digits@domain>" from SHA-256 of key: the same key always gives the
 * same Message-ID. NULL if domain is not mail_domain_valid.
 */
char	*mail_message_id(const char *key, const char *domain);

/*
 * Expand "{name}" placeholders (name: letters, digits, '_', '-', '.') through
 * lookup, which returns NULL for a name it does not know. "{{" and "}}" are
 * literal braces; a lone '}' is an error. NULL and *cause naming the line and
 * the placeholder on error.
 */
char	*mail_template_expand(const char *tmpl,
	    const char *(*lookup)(const char *name, void *arg), void *arg,
	    char **cause);

#endif
