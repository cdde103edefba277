/* feedwire.h: a feed request read straight from the bytes on the wire (pure), for the
 * listener's fast path; whatever it does not take is left to evhttp as it came. */
#ifndef TERMIJN_FEEDWIRE_H
#define TERMIJN_FEEDWIRE_H

#include <stddef.h>

#include "feedreq.h"

/* The longest request head taken (evhttp reads the longer ones). */
#define FEEDWIRE_MAX_HEAD	4096
#define FEEDWIRE_VALUE		512	/* the longest header value taken, and its NUL */

/* What a feed answer depends on; a header that is absent has its has_ flag 0. */
struct feedwire {
	int	 head;		/* HEAD, not GET */
	char	 token[FEED_TOKEN_CHARS + 1];
	int	 has_inm, has_ims, has_ae;
	char	 inm[FEEDWIRE_VALUE];	/* If-None-Match */
	char	 ims[FEEDWIRE_VALUE];	/* If-Modified-Since */
	char	 ae[FEEDWIRE_VALUE];	/* Accept-Encoding */
};

/*
 * The length of the request head at buf (up to and with its empty line) when it is a whole
 * GET or HEAD of /feed/TOKEN[.ics] over HTTP/1.1 that stays open, with a Host, no body, no
 * Expect, no folded or repeated header of those that matter and nothing but printable
 * ASCII; 0 for anything else (evhttp's to read, answer or refuse), including a head not
 * whole yet. Header values are read as evhttp reads them (leading spaces and trailing
 * spaces and tabs dropped).
 */
size_t	feedwire_parse(const char *buf, size_t len, struct feedwire *);

#endif
