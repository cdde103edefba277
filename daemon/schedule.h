/* schedule.h: which reminders are due when, given plans, state and the time (pure). */
#ifndef TERMIJN_SCHEDULE_H
#define TERMIJN_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "rules.h"

enum rkind {
	RK_LEAD,	/* n days before the deadline, at the plan's reminder hour */
	RK_OPENS,	/* a window opens today */
	RK_OVERDUE,	/* the nth reminder after the deadline passed */
	RK_ESCALATE,	/* to another role, n days after the deadline */
	RK_GOAHEAD,	/* every prerequisite is met: it may go ahead now */
	RK_MOMENT,	/* a same-moment step is due now in every party */
	RK_HELDUP	/* its moment has come, but a party is not ready */
};
#define RK_LAST	RK_HELDUP

struct occurrence {
	int64_t		 when;
	enum rkind	 kind;
	size_t		 inst;		/* index in plan->inst */
	int		 n;		/* lead: days before; overdue: 1, 2, ...; escalate: days */
	int64_t		 due;		/* lead: the deadline it is about (recurring: that occurrence) */
	const char	*role;		/* who gets it: the owner, or the escalation role */
};

const char	*rkind_name(enum rkind);
int		 rkind_parse(const char *, enum rkind *);

/*
 * A plan's occurrences that follow from its timing alone, computed once per plan (load,
 * add) so that a scan after each change is a bisection per instance, not a recomputation.
 */
struct sched;
struct sched	*schedule_new(const struct plan *);
void		 schedule_free(struct sched *);
/* The instances a plan gained at its end since (an addition), and lost again (undone). */
void		 schedule_extend(struct sched *, const struct plan *);
void		 schedule_truncate(struct sched *, size_t ninst);
/*
 * The occurrences in (from, until] for the open instances, by time, go-ahead notices
 * included; *next (if not NULL) is the first occurrence after until, 0 when none.
 * out may be NULL.
 */
size_t		 schedule_scan(const struct sched *, const struct plan *, const struct istate *,
		    int64_t from, int64_t until, struct occurrence **out, int64_t *next);

/*
 * Every occurrence with from < when <= until for the open instances of a plan, sorted by
 * time. Done or waived instances have none (go-ahead notices are about open ones).
 */
size_t		 schedule_between(const struct plan *, const struct istate *, int64_t from,
		    int64_t until, struct occurrence **out);
/* The first occurrence after `after`, or 0 when there is none. */
int64_t		 schedule_next(const struct plan *, const struct istate *, int64_t after);

#endif
