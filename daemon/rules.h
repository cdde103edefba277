/* rules.h: milestone state and the rule engine (pure): may it be done, what does it unblock. */
#ifndef TERMIJN_RULES_H
#define TERMIJN_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "links.h"
#include "plan.h"

enum status {
	ST_OPEN,
	ST_DONE,
	ST_WAIVED
};

/* The recorded state of one instance; states are indexed like plan->inst. */
struct istate {
	enum status	 status;
	int64_t		 at;		/* when it was done or waived */
	char		*actor;		/* who did it */
	char		*note;		/* done: note; waived: reason */
	int		 overridden;	/* done by a rule override */
	int64_t		 changed;	/* last change of this state, 0: never */
	int		 version;	/* raised on every change */
};

/* Derived from state, rules and the time. */
enum derived {
	DV_BLOCKED,	/* open, a rule is unmet */
	DV_READY,	/* open, every rule met, not yet overdue */
	DV_OVERDUE,	/* open, past its deadline */
	DV_DONE,
	DV_DONE_LATE,	/* done after its deadline */
	DV_WAIVED
};

enum unmet_kind {
	UNMET_REQUIRES,	/* a prerequisite is open */
	UNMET_NOT_BEFORE,
	UNMET_WINDOW,	/* its window (or its day, "on") has not begun */
	UNMET_TOGETHER,	/* taken together: another party's step (via) waits for inst */
	UNMET_NO_PARTS	/* requires every part of milestone ms, and there is no part yet */
};

struct unmet {
	enum unmet_kind	 kind;
	const struct plan *plan;	/* UNMET_REQUIRES, UNMET_TOGETHER: the prerequisite's */
	size_t		 inst;		/* UNMET_REQUIRES, UNMET_TOGETHER: the prerequisite */
	size_t		 via;		/* UNMET_TOGETHER: the other party's instance */
	int64_t		 not_before;	/* UNMET_NOT_BEFORE, UNMET_WINDOW: the moment */
	size_t		 ms;		/* UNMET_NO_PARTS: the milestone, in plan->ms */
};

/* An instance of some plan. */
struct xref {
	const struct plan	*plan;
	size_t			 inst;
};

/* Every unmet rule of instance idx at now; returns how many (0: it may be done). */
size_t		 rules_unmet(const struct plan *, const struct istate *, size_t idx, int64_t now,
		    struct unmet **out);
/* The first moment an instance may be done by its timing: not-before, window start; 0: any. */
int64_t		 rules_earliest(const struct instance *);
enum derived	 rules_derived(const struct plan *, const struct istate *, size_t idx, int64_t now);
const char	*derived_name(enum derived);	/* "blocked", "ready", "overdue", "done", "done-late", "waived" */
const char	*status_name(enum status);	/* "open", "done", "waived" */
int		 status_parse(const char *, enum status *);

/*
 * Is k taken together with idx: the same step (milestone, occurrence) of a same-moment
 * milestone, in another party or the same? A step that is not taken together is only
 * with itself.
 */
int		 rules_together(const struct plan *, size_t idx, size_t k);
/* The first and one-past-last instance that may be taken together with idx. */
void		 rules_group_range(const struct plan *, size_t idx, size_t *first, size_t *end);
/* Are the prerequisites of every open step taken together with idx met (skip: one counted met)? */
int		 rules_group_ready(const struct plan *, const struct istate *, size_t idx, size_t skip);

/* Is prerequisite state met (done or waived)? */
int		 rules_met(const struct istate *);

/*
 * The dependents of idx that are open and would have no unmet requires once idx is met:
 * what marking idx done makes ready (ignoring not-before); of a step taken together, every
 * party's, once all of them are. Returns how many.
 */
size_t		 rules_unblocks(const struct plan *, const struct istate *, size_t idx,
		    size_t **out);
/*
 * When instance idx may be done, as far as is known at now: now if it may be done now; the
 * moment its last time rule (not-before, window, on) is met when only those are unmet; 0
 * while a prerequisite is open.
 */
int64_t		 rules_ready_at(const struct plan *, const struct istate *, size_t idx, int64_t now);
/* Dependents of idx that are done: they forbid undoing idx. */
size_t		 rules_done_dependents(const struct plan *, const struct istate *, size_t idx,
		    size_t **out);
/* The same two of the dependents in other plans ("requires PLAN:ID"), their states read live. */
size_t		 rules_unblocks_x(const struct plan *, size_t idx, struct xref **out);
size_t		 rules_done_dependents_x(const struct plan *, size_t idx, struct xref **out);
/* The state of a linked instance of another plan; NULL when there are no states (a check). */
const struct istate *rules_xstate(const struct xlink *);

void		 istate_clear(struct istate *);

#endif
