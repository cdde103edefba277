/* links.h: requirements between plans (pure): resolved and checked over a set of plans. */
#ifndef TERMIJN_LINKS_H
#define TERMIJN_LINKS_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"

struct istate;

/* An instance of another plan, linked with instance `from` of this one. */
struct xlink {
	size_t			 from;
	const struct plan	*plan;
	struct istate *const	*st;	/* where the engine keeps that plan's states; NULL: none */
	const int64_t		*stamp;	/* and when its text last changed; NULL: unknown */
	size_t			 inst;
};

/* One plan's links, each list by from: its prerequisites elsewhere, its dependents elsewhere. */
struct xlinks {
	struct xlink	*pre;
	size_t		 npre;
	struct xlink	*dep;
	size_t		 ndep;
};

/* A plan of the set, with where its states are kept (read live by the other plans' rules). */
struct linkplan {
	struct plan		*plan;
	struct istate *const	*st;
	const int64_t		*stamp;
};

/* At most this many links between plans, over the whole set. */
#define LINKS_MAX	4000000

/*
 * Resolve the other-plan requirements ("requires PLAN:ID") of every plan of the set and
 * check them: the plan is in the set, the milestone is in it, the scope fits, no cycle runs
 * through several plans, no prerequisite starts too late. Every error goes to errs as
 * file:line. On success each plan's xl is replaced; on any error none is, and -1.
 */
int	links_resolve(const struct linkplan *, size_t n, struct errlist *errs);
void	links_free(struct xlinks *);

/* The prerequisites in other plans (dependents in other plans) of instance idx. */
size_t	links_pre(const struct plan *, size_t idx, const struct xlink **);
size_t	links_dep(const struct plan *, size_t idx, const struct xlink **);

#endif
