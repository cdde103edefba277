/* slack.c: each open step's slack against the plan's last deadline, and the critical chain. */
#include <stdlib.h>
#include <string.h>

#include "slack.h"
#include "xmalloc.h"

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* How long the plan gives step i after its prerequisites and its own earliest moment. */
static int64_t
given(const struct plan *p, size_t i)
{
	const struct instance *in = &p->inst[i];
	int64_t after = rules_earliest(in);
	size_t r, k;

	IRANGE_FOREACH(in->pre_runs, in->npre_runs, r, k)
		after = max64(after, p->inst[k].deadline);
	return after > 0 && in->deadline > after ? in->deadline - after : 0;
}

int
slack_compute(const struct plan *p, const struct istate *st, int64_t now, struct slack *s)
{
	size_t n = p->ninst, i, k, r, head = 0, tail = 0, *order, *indeg;
	int64_t *dur, v;

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->min = INT64_MAX;
	s->expect = xcalloc(n ? n : 1, sizeof(int64_t));
	s->latest = xcalloc(n ? n : 1, sizeof(int64_t));
	s->slack = xcalloc(n ? n : 1, sizeof(int64_t));
	s->crit = xcalloc(n ? n : 1, 1);
	order = xcalloc(n ? n : 1, sizeof(size_t));
	indeg = xcalloc(n ? n : 1, sizeof(size_t));
	dur = xcalloc(n ? n : 1, sizeof(int64_t));
	for (i = 0; i < n; i++) {
		if (p->inst[i].deadline > s->final) {
			s->final = p->inst[i].deadline;
			s->final_idx = i;
		}
		indeg[i] = p->inst[i].npre;
		if (indeg[i] == 0)
			order[tail++] = i;
		dur[i] = given(p, i);
	}
	/* Kahn's order: no recursion, however long the chains. */
	while (head < tail) {
		const struct instance *in = &p->inst[order[head++]];

		IRANGE_FOREACH(in->dep_runs, in->ndep_runs, r, k)
			if (--indeg[k] == 0)
				order[tail++] = k;
	}
	if (tail != n) {
		free(order);
		free(indeg);
		free(dur);
		slack_free(s);
		return -1;
	}
	/* Forward: when each is (expected to be) done. */
	for (i = 0; i < n; i++) {
		const struct instance *in = &p->inst[order[i]];
		int64_t start = rules_earliest(in);

		if (st[in->idx].status != ST_OPEN) {
			s->expect[in->idx] = st[in->idx].at;
			continue;
		}
		IRANGE_FOREACH(in->pre_runs, in->npre_runs, r, k)
			start = max64(start, s->expect[k]);
		s->expect[in->idx] = max64(max64(in->deadline, now), start + dur[in->idx]);
	}
	/* Backward: the latest each may be, through the open steps that wait for it. */
	for (i = n; i-- > 0;) {
		const struct instance *in = &p->inst[order[i]];

		v = s->final;
		IRANGE_FOREACH(in->dep_runs, in->ndep_runs, r, k)
			if (st[k].status == ST_OPEN && s->latest[k] - dur[k] < v)
				v = s->latest[k] - dur[k];
		s->latest[in->idx] = v;
		s->slack[in->idx] = v - s->expect[in->idx];
		if (st[in->idx].status == ST_OPEN && s->slack[in->idx] < s->min)
			s->min = s->slack[in->idx];
	}
	/* Critical: every open step already at or past zero slack, else those with the least. */
	for (i = 0; i < n; i++)
		s->crit[i] = st[i].status == ST_OPEN && s->slack[i] <= max64(s->min, 0);
	free(order);
	free(indeg);
	free(dur);
	return 0;
}

void
slack_free(struct slack *s)
{
	free(s->expect);
	free(s->latest);
	free(s->slack);
	free(s->crit);
	memset(s, 0, sizeof(*s));
}

static const struct slack *sorting;

static int
by_slack(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (sorting->slack[x] != sorting->slack[y])
		return sorting->slack[x] < sorting->slack[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

size_t
slack_order(const struct slack *s, const struct istate *st, size_t **out)
{
	size_t i, n = 0;

	*out = xcalloc(s->n ? s->n : 1, sizeof(size_t));
	for (i = 0; i < s->n; i++)
		if (st[i].status == ST_OPEN)
			(*out)[n++] = i;
	sorting = s;
	qsort(*out, n, sizeof(size_t), by_slack);
	sorting = NULL;
	return n;
}
