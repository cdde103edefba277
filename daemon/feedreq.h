/* feedreq.h: what a feed request asks, read from its path and headers (pure); its dates
 * are tz.c's http_date_parse. */
#ifndef TERMIJN_FEEDREQ_H
#define TERMIJN_FEEDREQ_H

#include <stdint.h>

#define FEED_TOKEN_CHARS	32	/* 192 bits in base64url */

/* The token of a path after "/feed/" ("TOKEN" or "TOKEN.ics"): 0, or -1 for no token. */
int	feedreq_token(const char *rest, char token[FEED_TOKEN_CHARS + 1]);
/* Does an If-None-Match list hold this entity tag (weak ones compare too)? */
int	feedreq_etag_matches(const char *inm, const char *etag);
/* Does an Accept-Encoding take gzip (not "gzip;q=0")? */
int	feedreq_gzip(const char *ae);

#endif
