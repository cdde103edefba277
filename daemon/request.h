/* request.h: the bodies of the API's POST requests, read and checked (pure: jansson only). */
#ifndef TERMIJN_REQUEST_H
#define TERMIJN_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct plan;

enum req_kind {
	REQ_DONE, REQ_UNDO, REQ_WAIVE, REQ_ADD, REQ_RELOAD, REQ_RETRY,
	REQ_FEED_CREATE, REQ_FEED_ROTATE, REQ_FEED_REVOKE, REQ_FEED_SEND,
	REQ_ACCESS_GRANT, REQ_ACCESS_REVOKE, REQ_LOGIN, REQ_LOGIN_CODE,
	REQ_PART_ADD, REQ_PART_CANCEL,
	REQ_MOVE, REQ_RETITLE, REQ_CANCEL, REQ_REQUIRE,
	REQ_NKINDS
};

/* What a body says; strings point into body and live as long as it. */
struct request {
	json_t		*body;
	const char	*plan, *key, *note, *at, *reason;
	int		 override;
	const char	*kind, *subject, *person;
	const char	*expires, *address, *code;	/* access grant, login */
	const char	*dimension, *part, *title, *lead;	/* parts */
	int64_t		 id;		/* retry, rotate, revoke */
};

/* The kind of a POST path ("/api/v1/done"), or -1. */
int	request_kind(const char *path);
/*
 * Parse and check a body: a JSON object of known fields only, each of its type; the fields
 * a kind requires. 0, or -1 with a message naming the field in *cause.
 */
int	request_parse(enum req_kind, const char *buf, size_t len, struct request *,
	    char **cause);
void	request_free(struct request *);

/*
 * When a change happened, as the client said it: an RFC 3339 instant or a local time in
 * the plan's zone (that exists there), within the plan's life (from a year before its
 * first moment) and not after now. 0, or -1 with *cause.
 */
int	request_when(const struct plan *, const char *, int64_t now, int64_t *out,
	    char **cause);
/* The plan's first moment: the earliest start, deadline or not-before of any instance. */
int64_t	plan_first_moment(const struct plan *);

#endif
