/* httperr.h: evhttp's own error answers (bad request line, headers or body too large). */
#ifndef TERMIJN_HTTPERR_H
#define TERMIJN_HTTPERR_H

struct evhttp;

/* The errors of this server are JSON ({"error", "message"}), not libevent's HTML. */
void	httperr_json(struct evhttp *);

#endif
