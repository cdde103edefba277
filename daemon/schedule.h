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
/*
 * The instances a plan gained at its end since (an addition, a part), and lost again
 * (undone); those that require the new ones are evaluated again.
 */
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
 * The same, incrementally: only for the instances touched since the last call and those
 * whose next occurrence has come by until (a heap of them, by time), so that a change
 * costs O(log n + what it touches). Over calls with windows that follow each other (from
 * at most the last until), what it gives is what schedule_scan gives, less what the last
 * call gave already at its until. A new sched, or one touched all, evaluates every
 * instance once.
 */
size_t		 schedule_due(struct sched *, const struct plan *, const struct istate *,
		    int64_t from, int64_t until, struct occurrence **out);
/* The first occurrence after the last schedule_due's until, 0 when none. */
int64_t		 schedule_head(const struct sched *);
/*
 * Instance idx's state changed: it, the steps taken together with it and its dependents
 * (with theirs) are evaluated again. Dependents in other plans: schedule_touch_reader on
 * their plan's sched, for each of links_dep.
 */
void		 schedule_touch(struct sched *, const struct plan *, size_t idx);
/* Instance idx reads a state that changed in another plan. */
void		 schedule_touch_reader(struct sched *, const struct plan *, size_t idx);
/* Everything (a clock jump, a start). */
void		 schedule_touch_all(struct sched *);
/*
 * After the plan changed shape (a part added or cancelled, a move): a new sched for p made
 * from o (left as it was, to go back to), back[k] the index instance k had in o's plan
 * (SIZE_MAX: new). Occurrences are made again, and evaluated at the next schedule_due, only
 * for the instances that are new or whose timing moved (with their groups), and those whose
 * prerequisites or group are others (a dependent of a new or a lost instance); the others
 * keep theirs and their place in the heap. Links between plans are resolved for p by then;
 * other plans' instances that read p's are touched by the caller (before and after).
 */
struct sched	*schedule_reshaped(const struct sched *o, const struct plan *p,
		    const size_t *back);
/* What the last schedule_due gave was lost (a failed transaction): evaluate it again. */
void		 schedule_redo(struct sched *);
/* How many instances the last schedule_due evaluated; *all: every one (a full scan). */
size_t		 schedule_evaluated(const struct sched *, int *all);

/*
 * Every occurrence with from < when <= until for the open instances of a plan, sorted by
 * time. Done or waived instances have none (go-ahead notices are about open ones).
 */
size_t		 schedule_between(const struct plan *, const struct istate *, int64_t from,
		    int64_t until, struct occurrence **out);
/* The first occurrence after `after`, or 0 when there is none. */
int64_t		 schedule_next(const struct plan *, const struct istate *, int64_t after);

#endif
