/* slack.h: what threatens a plan's last deadline (pure): each step's slack through its
 * dependents, and the critical chain. */
#ifndef TERMIJN_SLACK_H
#define TERMIJN_SLACK_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "rules.h"

/*
 * The plan's own schedule is the model: an open step is expected done at its deadline (or
 * now, when that has passed), and after its prerequisites by as long as the plan gives it
 * after theirs (its deadline less the later of their deadlines and its own earliest
 * moment). A done step was done when it was. latest is the last moment a step may be done
 * without moving its dependents past the plan's last deadline; slack is latest - expect
 * (negative: the last deadline is already in danger). All in seconds, by instance.
 */
struct slack {
	int64_t		 final;		/* the plan's last deadline */
	size_t		 final_idx;	/* the step that has it */
	int64_t		*expect, *latest, *slack;
	unsigned char	*crit;		/* open and on the critical chain */
	int64_t		 min;		/* the least slack of an open step; INT64_MAX: none open */
	size_t		 n;
};

/* 0, or -1 when the requirements have a cycle (a validated plan has none). */
int	slack_compute(const struct plan *, const struct istate *, int64_t now, struct slack *);
void	slack_free(struct slack *);
/* The open steps by slack, least first (ties in plan order); *out to free; how many. */
size_t	slack_order(const struct slack *, const struct istate *, size_t **out);

#endif
