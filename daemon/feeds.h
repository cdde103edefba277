/* feeds.h: the public HTTP listener: private iCalendar feeds, /healthz and /metrics. */
#ifndef TERMIJN_FEEDS_H
#define TERMIJN_FEEDS_H

#include <stdint.h>

#include <jansson.h>

struct termijnd;

int	 feeds_start(struct termijnd *, char **cause);
void	 feeds_stop(struct termijnd *);
/* Accept no new connections (stopping). */
void	 feeds_pause(struct termijnd *);
/* Forget cached feeds and tokens (stopping). */
void	 feeds_flush(struct termijnd *);
/* Forget one feed's rendering and token (revoked, rotated). */
void	 feeds_forget(struct termijnd *, int64_t feed_id);
/* The address the listener is bound to ("127.0.0.1:8461"), NULL when there is none. */
const char *feeds_address(struct termijnd *);

/* Control-socket side: create (kind, subject), rotate and revoke; JSON answers. */
int	 feeds_create(struct termijnd *, const char *kind, const char *subject, const char *by,
	    int64_t replaces, json_t **out, char **cause);
/* The first plan in which a person (an address) acts on something, or NULL. */
struct pstate *feeds_person_plan(struct termijnd *, const char *);
/* The kind and subject of a feed's token (copies, to free): 0, or -1 for none such. */
int	 feeds_token_view(struct termijnd *, const char *token, char **kind, char **subject);
/* Does the feed of kind (person, party, plan) and subject hold this instance of p? */
struct plan;
struct instance;
int	 feeds_holds(const struct plan *, const struct instance *, const char *kind,
	    const char *subject);
/*
 * The instances of a plan that the feed holds, ascending, in *out (to free): how many. A
 * person's are found in the plan's person index (persons.h), not by a look at each.
 */
size_t	 feeds_select(struct pstate *, const char *kind, const char *subject, size_t **out);
/* The public URLs of a token: the feed ("url", "webcal") and its page ("page"). */
json_t	*feeds_urls(struct termijnd *, const char *token);

#endif
