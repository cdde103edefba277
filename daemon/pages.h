/* pages.h: the read-only pages of the plans (pure): timeline, table, threats, one step. */
#ifndef TERMIJN_PAGES_H
#define TERMIJN_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "html.h"
#include "plan.h"
#include "rules.h"

/* The steps of one plan a view shows (inst: indices in plan->inst, in plan order). */
struct view_part {
	const struct plan	*plan;
	const struct istate	*st;
	const size_t		*inst;
	size_t			 n;
};

struct view {
	const char		*title;		/* what is viewed: a plan, a party, a person */
	const struct view_part	*parts;
	size_t			 nparts;
	int64_t			 now;
	const char		*base;		/* the pages' path ("/view"), for links */
	size_t			 from, rows;	/* the page of steps shown: [from, from + rows) */
};

/* One entry of a step's history, as the audit log has it. */
struct view_event {
	int64_t		 at;
	const char	*action;	/* done, done-override, undo, waive, add, plan-done, rename */
	const char	*who;		/* a name, or the actor */
	const char	*text;		/* note or reason, NULL: none */
	const char	*channel;	/* socket, token, web, mail link; NULL: termijnd */
};

/* At most this many steps on one page of a timeline or table (more: pages of them). */
#define PAGES_ROWS	400

/* The whole page (html_begin .. html_end) in the language of msgcat_current(). */
void	pages_timeline(struct html *, const struct view *);
void	pages_table(struct html *, const struct view *);
/* Step idx of part vp: description, timing, every rule with its state, dependents, history. */
void	pages_step(struct html *, const struct view *, const struct view_part *, size_t idx,
	    const struct view_event *, size_t nev);

/* The name of a state for people, and its symbol (so it reads without colour too). */
const char *pages_state_name(enum derived);
const char *pages_state_symbol(enum derived);

#endif
