/* fuzz_plan.c: the plan parser, validator and rule engine on any bytes. */
/* fuzz-seeds: etc/plans tests/plans */
#include <string.h>

#include "fuzz.h"
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
	/* Every instance is found by its key; the rules answer for each, some done. */
	st = xcalloc(p->ninst ? p->ninst : 1, sizeof(*st));
	for (i = 0; i < p->ninst; i++) {
		FUZZ_ASSERT(plan_instance(p, p->inst[i].key) == &p->inst[i]);
		FUZZ_ASSERT(plan_milestone(p, p->inst[i].ms->id) == p->inst[i].ms);
		if (data[i % size] & 1)
			st[i].status = ST_DONE;
	}
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
