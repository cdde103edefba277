/* authz.h: who may change what (pure): least privilege by party; a refusal says who may. */
#ifndef TERMIJN_AUTHZ_H
#define TERMIJN_AUTHZ_H

#include "plan.h"

enum authz_verb {
	AZ_DONE,
	AZ_UNDO,
	AZ_WAIVE,
	AZ_ADD,		/* add a milestone to the plan at run time */
	AZ_PART,	/* add or cancel a part; in: an instance of the dimension's found-by */
	AZ_CHANGE	/* move, retitle, cancel, require: operators only, as reload */
};

/* Why a change is allowed; AZ_DENY (0) when it is not. */
enum authz_verdict {
	AZ_DENY = 0,
	AZ_OPERATOR,		/* a local operator: full rights, how an administrator recovers */
	AZ_OWNER,		/* holds the owner role for the instance's party */
	AZ_PARTY_COORD,		/* a coordinator of the instance's party */
	AZ_PLAN_COORD		/* a coordinator of the whole plan */
};

struct authz_who {
	const char	*addr;		/* the person acting; NULL: a local user without one */
	const char	*label;		/* how a refusal names the caller */
	int		 operator;	/* a local operator (termijnd.conf operators) */
	int		 overrider;	/* a local overrider (termijnd.conf overriders) */
};

/*
 * May who do verb on instance in (NULL for AZ_ADD, AZ_CHANGE, and AZ_PART without found-by)?
 * On AZ_DENY *why (to be freed) says
 * who may instead.
 */
enum authz_verdict	 authz_check(const struct plan *, const struct instance *,
			    const struct authz_who *, enum authz_verb, char **why);
/* May who override a rule of this plan (beside being allowed the change itself)? */
int			 authz_override(const struct plan *, const struct authz_who *, char **why);
const char		*authz_verdict_name(enum authz_verdict);

#endif
