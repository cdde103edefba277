/* donewire.h: a `done` request read straight from the bytes on the wire (pure), for the
 * control socket's fast path; whatever it does not take is left to evhttp as it came. */
#ifndef TERMIJN_DONEWIRE_H
#define TERMIJN_DONEWIRE_H

#include <stddef.h>

#define DONEWIRE_MAX_HEAD	4096	/* the longest request head taken */
#define DONEWIRE_MAX_BODY	2048	/* the longest body taken */
#define DONEWIRE_VALUE		256	/* the longest Accept-Language taken, and its NUL */

/* What a taken request says; a field absent (or null) is NULL. */
struct donewire {
	int		 has_lang;
	char		 lang[DONEWIRE_VALUE];	/* Accept-Language */
	size_t		 body;			/* where the body starts */
	const char	*plan, *key, *note, *at, *reason;
	int		 override;
	char		 text[DONEWIRE_MAX_BODY + 1];	/* the strings, each with its NUL */
};

/*
 * The length of the request at buf (head and body) when it is a whole POST of /api/v1/done
 * over HTTP/1.1 that stays open, with one Content-Length and no header but the few that do
 * not change the answer, whose body is a JSON object that request_parse would take and
 * read alike, written plainly: the known fields of a `done` once each, strings of printable
 * ASCII without escapes, true, false or null. 0 for anything else (evhttp's to read, answer
 * or refuse), including a request not whole yet.
 */
size_t	donewire_parse(const char *buf, size_t len, struct donewire *);

#endif
