/* digest.h: a person's daily digest: when it goes and which reminders wait for it (pure). */
#ifndef TERMIJN_DIGEST_H
#define TERMIJN_DIGEST_H

#include <stdint.h>

#include "plan.h"
#include "schedule.h"

/* Does addr get the plan's digest ("digest" in termijn.plan(5))? */
int	 digest_for(const struct plan *, const char *addr);
/*
 * May a reminder of this kind wait for the digest? Not the moment of a step taken together
 * nor its being held up: those are news at their moment.
 */
int	 digest_takes(enum rkind);
/*
 * The plan's digest moments: its digest time on every day, on working days only when the
 * plan has working-days. The first after `after`, the last before `before`; 0 when none
 * (no digest).
 */
int64_t	 digest_next(const struct plan *, int64_t after);
int64_t	 digest_prev(const struct plan *, int64_t before);
/*
 * Does the digest at moment hold this occurrence (in time: its own day's reminders, even
 * those set for later that day; a go-ahead only once it has come)? Reminders before a
 * previous digest are that one's: callers ask from the previous moment on.
 */
int	 digest_holds(const struct plan *, int64_t moment, const struct occurrence *);
/* The last instant a digest at moment looks ahead to: the end of its local day. */
int64_t	 digest_horizon(const struct plan *, int64_t moment);

#endif
