/* session.h: the web's sessions (a cookie) and one-time links by mail, kept only as hashes. */
#ifndef TERMIJN_SESSION_H
#define TERMIJN_SESSION_H

#include <stdint.h>

#include "form.h"
#include "store.h"

struct evhttp_request;
struct termijnd;

#define SESSION_COOKIE	"termijn_session"

/* A signed-in person, as their session cookie says. */
struct web_person {
	int64_t	 session;
	char	 person[256];
	char	 csrf[WEB_TOKEN_CHARS + 1];	/* what their forms must carry */
};

/*
 * The person a request's cookie signs in: 1 (wp filled), 0 none (no cookie, unknown,
 * ended, idle or too old), -1 the database failed. May write (when it was last seen).
 */
int	 session_of(struct termijnd *, struct evhttp_request *, struct web_person *);
/* A new session for person (in the open batch) and its cookie on req: 0, or -1. */
int	 session_start(struct termijnd *, struct evhttp_request *, const char *person);
/* End a session in the store (in the open batch) and tell the browser to drop it. */
int	 session_end(struct termijnd *, struct evhttp_request *, const struct web_person *);

/*
 * A new one-time link of kind ("signin", or "done" for one step of plan, key) for person,
 * valid lifetime seconds, stored (in the open batch) by its hash: the whole URL, to free,
 * or NULL when the store failed.
 */
char	*weblink_new(struct termijnd *, const char *kind, const char *person, const char *plan,
	    const char *key, int lifetime);
/* The link of a token if it is of kind and may still be used: 1 (w filled), 0 not, -1. */
int	 weblink_find(struct termijnd *, const char *token, const char *kind,
	    struct weblink_row *);

#endif
