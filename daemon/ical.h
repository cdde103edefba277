/* ical.h: milestones as an iCalendar feed (pure: plans, state and a moment in, bytes out). */
#ifndef TERMIJN_ICAL_H
#define TERMIJN_ICAL_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "rules.h"

struct ical_feed_opts {
	const char	*calname;	/* X-WR-CALNAME and NAME; NULL: the first plan's title */
	const char	*source_url;	/* the feed's own URL (SOURCE), NULL: none */
	const char	*tz;		/* X-WR-TIMEZONE; NULL: the first plan's zone */
	int		 refresh_minutes;	/* REFRESH-INTERVAL, X-PUBLISHED-TTL; <= 0: 60 */
	int		 with_alarms;	/* a VALARM per reminder lead time (open instances only) */
	const char	*how_to_done;	/* the command that marks done; NULL: "termijn done" */
	const char	*lang;		/* "nl" or "en"; NULL: the first plan's */
};

/* One plan's share of a feed; a feed (a person's, say) may span several plans. */
struct ical_part {
	const struct plan	*plan;
	const struct istate	*states;	/* indexed like plan->inst; NULL: all open */
	const size_t		*inst;		/* the instances to publish; NULL: all of them */
	size_t			 n;
	const int		*sequence;	/* SEQUENCE, indexed like plan->inst; NULL: 0 */
	int64_t			 plan_stamp;	/* when the plan last changed, 0: unknown */
};

/*
 * A milestone with more instances than this among an event's prerequisites (or dependents)
 * is summed up in one line of its description, naming at most this many of those still
 * holding it up ("12 of 342 parties: ..."): an event's size stays bounded by the plan's
 * milestones, not its parties. Its RELATED-TO lines are then those named.
 */
#define ICAL_LIST_MAX	10

/*
 * The feed as text: one VEVENT per instance, in the order given (an instance listed
 * twice is published once). now only decides the derived state (overdue, blocked);
 * DTSTAMP and LAST-MODIFIED are the later of plan_stamp and the state's change (and those
 * of the steps it shows: its plan's and other plans', links.h), so the same data at the
 * same derived state gives the same bytes. Timing as published:
 * a date is an all-day event; a window spans from..due (DTEND exclusive); a deadline
 * at a time of day is a 30-minute event that ends at that time. Returns NULL and sets
 * *cause (to free) for an unknown zone or a bad argument.
 */
char		*ical_render(const struct ical_part *, size_t nparts, const struct ical_feed_opts *,
		    int64_t now, size_t *len, char **cause);

/*
 * The same, a slice at a time (so that a large feed does not hold up a server): a job for
 * the feed (p0: the first plan, for the defaults of opts; opts is copied, its strings are
 * not), then each part in order, budget instances per call (0: all) from *pos on, until
 * the call returns 1; then finish, which frees the job. -1 and *cause on an error (then
 * ical_job_free). Between calls the parts' states may change, never their plans.
 */
struct ical_job	*ical_job_new(const struct plan *p0, const struct ical_feed_opts *, int64_t now,
		    char **cause);
int		 ical_job_part(struct ical_job *, const struct ical_part *, size_t *pos,
		    size_t budget, char **cause);
char		*ical_job_finish(struct ical_job *, size_t *len, char **cause);
void		 ical_job_free(struct ical_job *);
/* Or the feed in pieces, for a caller that puts it together a slice at a time: the head
 * (to free; NULL and *cause on an error), the events (the job's), then ICAL_TAIL. */
char		*ical_job_head(struct ical_job *, size_t *len, char **cause);
const char	*ical_job_events(const struct ical_job *, size_t *len);
/*
 * The first moment after now at which what the job wrote so far reads otherwise by time
 * alone (a deadline passed: overdue, a SEQUENCE raised; a window opens); INT64_MAX: never.
 */
int64_t		 ical_job_next(const struct ical_job *);
#define ICAL_TAIL	"END:VCALENDAR\r\n"

/*
 * The last moment the feed's bytes changed as of now (for Last-Modified): data or time;
 * *next (if not NULL): the first moment after now at which time alone changes it.
 */
int64_t		 ical_modified(const struct ical_part *, size_t nparts, int64_t now, int64_t *next);

/* The stable UID of an instance: "KEY@PLAN.termijn". */
char		*ical_uid(const struct plan *, size_t idx);

/* A digest of an instance's published timing: when it differs, raise its SEQUENCE. */
uint64_t	 ical_timing_hash(const struct plan *, size_t idx);

#endif
