/* rules.c: the rule engine: which rules are unmet, the derived state, what a change unblocks. */
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "xmalloc.h"

int
rules_met(const struct istate *s)
{
	return s->status == ST_DONE || s->status == ST_WAIVED;
}

void
rules_group_range(const struct plan *p, size_t idx, size_t *first, size_t *end)
{
	const struct milestone *m = p->inst[idx].ms;

	if (!m->same_moment) {
		*first = idx;
		*end = idx + 1;
		return;
	}
	*first = m->inst_first;
	*end = m->inst_first + m->inst_n;
}

int
rules_together(const struct plan *p, size_t idx, size_t k)
{
	const struct instance *a = &p->inst[idx], *b = &p->inst[k];

	return k == idx || (a->ms == b->ms && a->ms->same_moment && a->occ == b->occ);
}

int
rules_group_ready(const struct plan *p, const struct istate *st, size_t idx, size_t skip)
{
	size_t k, end, i, j;

	for (rules_group_range(p, idx, &k, &end); k < end; k++) {
		if (!rules_together(p, idx, k) || (k != idx && st[k].status != ST_OPEN))
			continue;
		IRANGE_FOREACH(p->inst[k].pre_runs, p->inst[k].npre_runs, i, j)
			if (j != skip && !rules_met(&st[j]))
				return 0;
	}
	return 1;
}

/* Is prerequisite pre already listed as unmet in v? */
static int
listed(const struct unmet *v, size_t n, size_t pre)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((v[i].kind == UNMET_REQUIRES || v[i].kind == UNMET_TOGETHER) && v[i].inst == pre)
			return 1;
	return 0;
}

size_t
rules_unmet(const struct plan *p, const struct istate *st, size_t idx, int64_t now,
    struct unmet **out)
{
	const struct instance *in = &p->inst[idx];
	struct unmet *v = NULL;
	size_t n = 0, cap = 0, i, j, k, end, pre;

	IRANGE_FOREACH(in->pre_runs, in->npre_runs, i, pre) {
		if (rules_met(&st[pre]))
			continue;
		XGROW(v, n, cap);
		v[n].kind = UNMET_REQUIRES;
		v[n].inst = pre;
		v[n].not_before = 0;
		n++;
	}
	if (in->opens && now < in->opens) {
		XGROW(v, n, cap);
		v[n].kind = UNMET_WINDOW;
		v[n].inst = idx;
		v[n].not_before = in->opens;
		n++;
	}
	if (in->not_before && now < in->not_before && in->not_before > in->opens) {
		XGROW(v, n, cap);
		v[n].kind = UNMET_NOT_BEFORE;
		v[n].inst = idx;
		v[n].not_before = in->not_before;
		n++;
	}
	/* Taken together: ready only when every other party's open step is ready too. */
	for (rules_group_range(p, idx, &k, &end); k < end; k++) {
		if (k == idx || !rules_together(p, idx, k) || st[k].status != ST_OPEN)
			continue;
		IRANGE_FOREACH(p->inst[k].pre_runs, p->inst[k].npre_runs, j, pre) {
			if (rules_met(&st[pre]) || listed(v, n, pre))
				continue;
			XGROW(v, n, cap);
			v[n].kind = UNMET_TOGETHER;
			v[n].inst = pre;
			v[n].via = k;
			v[n].not_before = 0;
			n++;
		}
	}
	if (out != NULL)
		*out = v;
	else
		free(v);
	return n;
}

int64_t
rules_earliest(const struct instance *in)
{
	return in->not_before > in->opens ? in->not_before : in->opens;
}

enum derived
rules_derived(const struct plan *p, const struct istate *st, size_t idx, int64_t now)
{
	const struct instance *in = &p->inst[idx];
	const struct istate *s = &st[idx];

	switch (s->status) {
	case ST_DONE:
		return s->at > in->deadline ? DV_DONE_LATE : DV_DONE;
	case ST_WAIVED:
		return DV_WAIVED;
	case ST_OPEN:
		break;
	}
	if (now >= in->deadline)
		return DV_OVERDUE;
	/* rules_unmet() > 0, without making the list: it stops at the first unmet rule. */
	if ((in->opens && now < in->opens) || (in->not_before && now < in->not_before))
		return DV_BLOCKED;
	return rules_group_ready(p, st, idx, (size_t)-1) ? DV_READY : DV_BLOCKED;
}

const char *
derived_name(enum derived d)
{
	switch (d) {
	case DV_BLOCKED:	return "blocked";
	case DV_READY:		return "ready";
	case DV_OVERDUE:	return "overdue";
	case DV_DONE:		return "done";
	case DV_DONE_LATE:	return "done-late";
	case DV_WAIVED:		return "waived";
	}
	return "?";
}

const char *
status_name(enum status s)
{
	switch (s) {
	case ST_OPEN:	return "open";
	case ST_DONE:	return "done";
	case ST_WAIVED:	return "waived";
	}
	return "?";
}

int
status_parse(const char *s, enum status *out)
{
	if (strcmp(s, "open") == 0)
		*out = ST_OPEN;
	else if (strcmp(s, "done") == 0)
		*out = ST_DONE;
	else if (strcmp(s, "waived") == 0)
		*out = ST_WAIVED;
	else
		return -1;
	return 0;
}

static void
add_once(size_t **v, size_t *n, size_t *cap, size_t x)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return;
	XGROW(*v, *n, *cap);
	(*v)[(*n)++] = x;
}

size_t
rules_unblocks(const struct plan *p, const struct istate *st, size_t idx, size_t **out)
{
	const struct instance *in = &p->inst[idx];
	size_t *v = NULL, n = 0, cap = 0, i, k, end, d;

	IRANGE_FOREACH(in->dep_runs, in->ndep_runs, i, d) {
		if (st[d].status != ST_OPEN || !rules_group_ready(p, st, d, idx))
			continue;
		/* A step taken together becomes ready in every party at once. */
		for (rules_group_range(p, d, &k, &end); k < end; k++)
			if (rules_together(p, d, k) && st[k].status == ST_OPEN)
				add_once(&v, &n, &cap, k);
	}
	*out = v;
	return n;
}

int64_t
rules_ready_at(const struct plan *p, const struct istate *st, size_t idx, int64_t now)
{
	struct unmet *u;
	size_t n = rules_unmet(p, st, idx, now, &u), i;
	int64_t at = now;

	for (i = 0; i < n; i++) {
		if (u[i].kind == UNMET_REQUIRES || u[i].kind == UNMET_TOGETHER) {
			at = 0;
			break;
		}
		if (u[i].not_before > at)
			at = u[i].not_before;
	}
	free(u);
	return at;
}

size_t
rules_done_dependents(const struct plan *p, const struct istate *st, size_t idx, size_t **out)
{
	const struct instance *in = &p->inst[idx];
	size_t *v = NULL, n = 0, cap = 0, i, d;

	IRANGE_FOREACH(in->dep_runs, in->ndep_runs, i, d) {
		if (st[d].status != ST_DONE)
			continue;
		XGROW(v, n, cap);
		v[n++] = d;
	}
	*out = v;
	return n;
}

void
istate_clear(struct istate *s)
{
	free(s->actor);
	free(s->note);
	memset(s, 0, sizeof(*s));
}
