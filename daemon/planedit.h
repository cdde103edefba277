/* planedit.h: changes to a running plan, checked by the plan's own validator (pure). */
#ifndef TERMIJN_PLANEDIT_H
#define TERMIJN_PLANEDIT_H

#include <jansson.h>

#include "plan.h"

enum edit_kind {
	EDIT_MOVE,		/* a milestone's due date, window start or not-before */
	EDIT_RETITLE,
	EDIT_CANCEL,		/* take back a milestone added at run time */
	EDIT_REQUIRE		/* one requirement more between milestones the plan has */
};

struct planedit {
	enum edit_kind	 kind;
	char		*key;		/* as given: ID, or ID@PARTY (a move of one party's timing) */
	char		*ms;		/* the milestone's id */
	char		*party;		/* move: the party whose own timing moves; NULL: the milestone's */
	/* move: which parts are given; a window start or not-before given as "none" goes */
	int		 set_due, set_from, set_nb;
	struct ltime	 due, from, not_before;
	char		*title;		/* retitle */
	char		*on;		/* require: "ID[@PARTY|@same|@all][/last]" */
};

/* What an applied edit replaced, to put back (planedit_restore) or let go. */
struct planedit_saved;

const char	*planedit_kind_name(enum edit_kind);
/*
 * From an API body or a stored definition: {"key", "due"?, "from"?, "not_before"?} for a
 * move, {"key", "title"} for a retitle, {"key"} for a cancel, {"key", "on"} for a require.
 * The key of a move may be ID@PARTY: that party's timing, as a "for PARTY" block has it.
 * 0, or -1 with *cause naming the field.
 */
int		 planedit_from_json(enum edit_kind, json_t *, struct planedit *, char **cause);
/* The definition as it is stored (planedit_from_json reads it back). */
json_t		*planedit_to_json(const struct planedit *);
void		 planedit_clear(struct planedit *);
/*
 * What the edit changes, as it stands in p, in words ("due 2014-01-10", a title, "absent"):
 * the audit's old and new value, and how a plan file edited under a change is seen.
 * NULL when p has no such milestone.
 */
char		*planedit_value(const struct plan *, const struct planedit *);
/*
 * The timing a move changes, as it stands in p: the milestone's, or as it applies to the
 * move's party (its "for" block's, over the milestone's); zeroed without such a milestone.
 */
void		 planedit_timing(const struct plan *, const struct planedit *, struct timing *);
/*
 * Apply the edit and validate the whole plan as a plan file is. 0, with *saved to be given
 * to planedit_restore or planedit_saved_free; or -1 with *cause (why, as the validator
 * says it) and p as it was. Instances are expanded anew either way.
 */
int		 planedit_apply(struct plan *, const struct planedit *, struct planedit_saved **,
		    char **cause);
/* The plan as before the edit (its instances expanded anew); frees saved. */
void		 planedit_restore(struct plan *, struct planedit_saved *);
void		 planedit_saved_free(struct planedit_saved *);

#endif
