/* remind.h: reminders: the schedule turned into outbox rows, and the outbox sent. */
#ifndef TERMIJN_REMIND_H
#define TERMIJN_REMIND_H

#include <stdint.h>

#include <jansson.h>

#include "plan.h"

struct termijnd;

struct remind_stats {
	uint64_t	 sent, tempfail, permfail, cancelled;
};

int	 remind_start(struct termijnd *, char **cause);
void	 remind_stop(struct termijnd *);
/* Something changed: scan for what is due now and re-arm the timer. */
void	 remind_kick(struct termijnd *);
/* The commits up to durable are on disk: the messages waiting for theirs go (control.c). */
void	 remind_durable(struct termijnd *, uint64_t durable);
/* The templates a reload read and checked: in force from now on (t is left empty). */
struct templates;
void	 remind_reload(struct termijnd *, struct templates *t);
const struct remind_stats *remind_stats(struct termijnd *);
/* Queue the message that gives a person the address of their feed and of its page (in the
 * open txn). */
int	 remind_send_link(struct termijnd *, const struct plan *, const char *person,
	    const char *url, const char *webcal, const char *page, int64_t feed_id, char **cause);

/*
 * Send a person a secret (template "access-grant" or "login-code", see mailtext_secret)
 * straight to the mail transport: no outbox row, so the secret is kept nowhere. Sent once;
 * a failure is logged, and the person asks again.
 */
int	 remind_send_secret(struct termijnd *, const struct plan *, const char *which,
	    const char *person, const char *secret, const char *extra, char **cause);

/* The messages the plans would send from now until `until`, without sending (JSON array):
 * the first limit of each plan; *truncated set when a plan had more. */
json_t	*remind_preview(struct termijnd *, int64_t until, const char *plan, size_t limit,
	    int *truncated);

#endif
