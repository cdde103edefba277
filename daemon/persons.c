/* persons.c: who acts on which instances of a plan, by address: the rule and its index. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "persons.h"
#include "plan.h"
#include "xmalloc.h"

struct persons {
	const struct plan	*plan;
	unsigned long		 revision;	/* the plan's when made */
	const char		**addr;		/* by address (any case), then instance */
	size_t			*inst;		/* beside addr */
	size_t			 n;
};

int
persons_acts(const struct plan *p, const struct instance *in, const char *addr)
{
	const char **v;
	size_t n;
	int hit;

	n = plan_role_addrs(p, in->owner, in->party, &v);
	hit = plan_addr_among(v, n, addr);
	free(v);
	if (!hit && in->ms->escalate_to != NULL) {
		n = plan_role_addrs(p, in->ms->escalate_to, in->party, &v);
		hit = plan_addr_among(v, n, addr);
		free(v);
	}
	return hit;
}

struct pair {
	const char	*addr;
	size_t		 inst;
};

static int
cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcasecmp(x->addr, y->addr);

	return c != 0 ? c : x->inst < y->inst ? -1 : x->inst > y->inst;
}

static void
add_role(const struct plan *p, const struct instance *in, const char *role, struct pair **v,
    size_t *n, size_t *cap)
{
	const char **a;
	size_t na, i;

	na = plan_role_addrs(p, role, in->party, &a);
	for (i = 0; i < na; i++) {
		XGROW(*v, *n, *cap);
		(*v)[*n].addr = a[i];
		(*v)[(*n)++].inst = in->idx;
	}
	free(a);
}

struct persons *
persons_index(const struct plan *p)
{
	struct persons *x = xcalloc(1, sizeof(*x));
	struct pair *v = NULL;
	size_t n = 0, cap = 0, i, j;

	x->plan = p;
	x->revision = p->revision;
	for (i = 0; i < p->ninst; i++) {
		add_role(p, &p->inst[i], p->inst[i].owner, &v, &n, &cap);
		if (p->inst[i].ms->escalate_to != NULL)
			add_role(p, &p->inst[i], p->inst[i].ms->escalate_to, &v, &n, &cap);
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_pair);
	x->addr = xcalloc(n ? n : 1, sizeof(*x->addr));
	x->inst = xcalloc(n ? n : 1, sizeof(*x->inst));
	/* An address twice on one instance (owner and escalation, or listed twice) counts once. */
	for (i = j = 0; i < n; i++) {
		if (j > 0 && x->inst[j - 1] == v[i].inst && strcasecmp(x->addr[j - 1], v[i].addr) == 0)
			continue;
		x->addr[j] = v[i].addr;
		x->inst[j++] = v[i].inst;
	}
	x->n = j;
	free(v);
	return x;
}

int
persons_current(const struct persons *x, const struct plan *p)
{
	return x != NULL && x->plan == p && x->revision == p->revision;
}

size_t
persons_find(const struct persons *x, const char *addr, const size_t **inst)
{
	size_t lo = 0, hi = x->n, mid, end;

	/* The first entry not below addr, then the run of entries equal to it. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcasecmp(x->addr[mid], addr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < x->n && strcasecmp(x->addr[end], addr) == 0; end++)
		;
	*inst = x->inst + lo;
	return end - lo;
}

void
persons_free(struct persons *x)
{
	if (x == NULL)
		return;
	free(x->addr);
	free(x->inst);
	free(x);
}
