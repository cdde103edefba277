/* fuzz_plan.c: the plan parser, validator, links to another plan and rule engine on any
 * bytes, with parts added as at run time. */
/* fuzz-seeds: etc/plans tests/plans */
#include <string.h>

#include "fuzz.h"
#include "links.h"
#include "plan.h"
#include "rules.h"
#include "xmalloc.h"

static int
has(const size_t *v, size_t n, size_t x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/* Prerequisites and dependents mirror each other, each listed once, in plan order. */
static void
check_links(const struct plan *p)
{
	size_t i, j, n, m, *v, *w;

	for (i = 0; i < p->ninst; i++) {
		n = plan_prereqs(p, i, &v);
		FUZZ_ASSERT(n == p->inst[i].npre);
		for (j = 0; j < n; j++) {
			FUZZ_ASSERT(v[j] < p->ninst && v[j] != i && (j == 0 || v[j] > v[j - 1]));
			m = plan_dependents(p, v[j], &w);
			FUZZ_ASSERT(has(w, m, i));
			free(w);
		}
		free(v);
		n = plan_dependents(p, i, &v);
		FUZZ_ASSERT(n == p->inst[i].ndep);
		for (j = 0; j < n; j++) {
			FUZZ_ASSERT(v[j] < p->ninst && (j == 0 || v[j] > v[j - 1]));
			m = plan_prereqs(p, v[j], &w);
			FUZZ_ASSERT(has(w, m, i));
			free(w);
		}
		free(v);
	}
}

/* The other track, as shipped, for "requires sociaal-domein:ID" in the input. */
static const char other_text[] =
    "plan sociaal-domein\n  title S\nrole secretaris\n"
    "party staphorst\n  role secretaris s@staphorst.example\n"
    "party meppel\n  role secretaris s@meppel.example\n"
    "milestone werkgroep-opbrengst\n  title W\n  owner secretaris\n  parties all\n"
    "  due 2013-12-20\n"
    "milestone conferentie\n  title C\n  owner secretaris\n  window 2014-01-13 .. 2014-01-31\n"
    "  requires werkgroep-opbrengst@all\n"
    "milestone overleg\n  title O\n  owner secretaris\n  parties all\n  due 2014-01-07\n"
    "  repeat every 2 weeks until 2014-03-01\n";

/* Links with the other plan: errors say where; prerequisites and dependents mirror. */
static void
check_xlinks(struct plan *p, struct istate **st)
{
	static struct plan *other;
	static struct istate *ost;
	struct errlist e = { 0 };
	struct linkplan v[2];
	const struct xlink *x, *y;
	struct xref *xr;
	size_t i, j, k, n, m;
	int found;

	if (other == NULL) {
		other = plan_parse("other.plan", other_text, sizeof(other_text) - 1, &e);
		FUZZ_ASSERT(other != NULL);
		ost = xcalloc(other->ninst, sizeof(*ost));
	}
	v[0].plan = p;
	v[0].st = st;
	v[1].plan = other;
	v[1].st = &ost;
	if (links_resolve(v, 2, &e) == -1) {
		FUZZ_ASSERT(e.n > 0 && p->xl == NULL);
		for (i = 0; i < e.n; i++)
			FUZZ_ASSERT(strncmp(e.msg[i], "fuzz.plan:", 10) == 0);
	}
	errlist_free(&e);
	for (i = 0; i < p->ninst; i++) {
		n = links_pre(p, i, &x);
		for (j = 0; j < n; j++) {
			FUZZ_ASSERT(x[j].plan == other && x[j].inst < other->ninst);
			m = links_dep(other, x[j].inst, &y);
			for (found = 0, k = 0; k < m; k++)
				found |= y[k].plan == p && y[k].inst == i;
			FUZZ_ASSERT(found);
		}
	}
	for (i = 0; i < other->ninst; i++) {
		n = rules_unblocks_x(other, i, &xr);
		for (j = 0; j < n; j++)
			FUZZ_ASSERT(xr[j].plan == p && xr[j].inst < p->ninst);
		free(xr);
	}
	/* The other plan must not point into this one once it is freed. */
	links_free(other->xl);
	other->xl = NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist e = { 0 };
	struct plan *p;
	struct istate *st;
	size_t i, j, n, *v;

	p = plan_parse("fuzz.plan", (const char *)data, size, &e);
	/* A plan comes back exactly when there was no error, and every error says where. */
	FUZZ_ASSERT((p == NULL) == (e.n > 0));
	for (i = 0; i < e.n; i++)
		FUZZ_ASSERT(strncmp(e.msg[i], "fuzz.plan:", 10) == 0);
	errlist_free(&e);
	if (p == NULL)
		return 0;
	check_links(p);
	/* Parts as termijn part add brings them (one led by a party), and one cancelled. */
	for (i = 0; i < p->ndims && i < 4; i++) {
		char *cause = NULL;

		if (plan_add_part(p, p->dims[i].id, "p1", "P1", p->nparties > 0 ?
		    p->parties[size % p->nparties].id : NULL, &cause) == -1)
			free(cause);
		cause = NULL;
		if (plan_add_part(p, p->dims[i].id, "p2", "P2", NULL, &cause) == -1)
			free(cause);
		FUZZ_ASSERT(plan_add_part(p, p->dims[i].id, "p2", "P2", NULL, &cause) == -1);
		free(cause);
		if (p->dims[i].nparts > 0 && (size & 1))
			plan_cancel_part(p, p->dims[i].parts[0], 1);
		check_links(p);
	}
	/* Every instance is found by its key; the rules answer for each, some done. */
	st = xcalloc(p->ninst ? p->ninst : 1, sizeof(*st));
	for (i = 0; i < p->ninst; i++) {
		FUZZ_ASSERT(plan_instance(p, p->inst[i].key) == &p->inst[i]);
		FUZZ_ASSERT(plan_milestone(p, p->inst[i].ms->id) == p->inst[i].ms);
		if (data[i % size] & 1)
			st[i].status = ST_DONE;
	}
	check_xlinks(p, &st);
	for (i = 0; i < p->ninst; i++) {
		(void)rules_derived(p, st, i, p->inst[i].deadline - 1);
		n = rules_unblocks(p, st, i, &v);
		for (j = 0; j < n; j++)
			FUZZ_ASSERT(v[j] < p->ninst && st[v[j]].status == ST_OPEN);
		free(v);
		n = rules_done_dependents(p, st, i, &v);
		for (j = 0; j < n; j++)
			FUZZ_ASSERT(st[v[j]].status == ST_DONE);
		free(v);
	}
	free(st);
	plan_free(p);
	return 0;
}
