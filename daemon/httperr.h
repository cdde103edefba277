/*
 * httperr.h: evhttp's own error answers (bad request line, headers or body too large), and
 * the pieces of an answer that the fast paths write without evhttp.
 */
#ifndef TERMIJN_HTTPERR_H
#define TERMIJN_HTTPERR_H

struct evhttp;

/* The errors of this server are JSON ({"error", "message"}), not libevent's HTML. */
void	httperr_json(struct evhttp *);

/* The Date header's value as evhttp writes it, made once a second (loop thread only). */
const char	*http_date_now(void);

/* s copied to p, not its NUL; returns the end, where the next piece goes. */
char	*http_put(char *p, const char *s);

#endif
