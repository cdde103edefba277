/* persons.h: who acts on which instances of a plan, by address: the rule and its index (pure). */
#ifndef TERMIJN_PERSONS_H
#define TERMIJN_PERSONS_H

#include <stddef.h>

struct plan;
struct instance;

/* Does the address hold the owner role of the instance (or the role it escalates to)? */
int	persons_acts(const struct plan *, const struct instance *, const char *addr);

/*
 * The instances of a plan by the addresses acting on them, as persons_acts says, made in
 * one pass. It answers for the plan's instances as they were: persons_current says whether
 * it still does (the plan counts every change of its instances, in revision).
 */
struct persons;
struct persons	*persons_index(const struct plan *);
int		 persons_current(const struct persons *, const struct plan *);
/* The instances the address acts on, ascending (*inst points into the index): how many. */
size_t		 persons_find(const struct persons *, const char *addr, const size_t **inst);
void		 persons_free(struct persons *);

#endif
