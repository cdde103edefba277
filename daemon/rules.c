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

/*
 * The first requirement of in on every part of a milestone that has no part yet, as the
 * index of that milestone, or -1: "every part" is not met by there being none.
 */
static long
parts_missing(const struct plan *p, const struct instance *in)
{
	const struct requirement *r;
	size_t j;

	for (j = 0; j < in->ms->nreqs; j++) {
		r = &in->ms->reqs[j];
		if (req_every_part(p, in->ms, r) && p->ms[r->target].inst_n == 0)
			return (long)r->target;
	}
	return -1;
}

const struct istate *
rules_xstate(const struct xlink *x)
{
	return x->st != NULL && *x->st != NULL ? &(*x->st)[x->inst] : NULL;
}

static int
xmet(const struct xlink *x)
{
	const struct istate *s = rules_xstate(x);

	return s != NULL && rules_met(s);
}

/* Are the prerequisites of instance k met, in its plan and in others (skip: counted met)? */
static int
pre_met(const struct plan *p, const struct istate *st, size_t k, const struct plan *sp,
    size_t skip)
{
	const struct xlink *x;
	size_t i, j, n;

	IRANGE_FOREACH(p->inst[k].pre_runs, p->inst[k].npre_runs, i, j)
		if ((sp != p || j != skip) && !rules_met(&st[j]))
			return 0;
	for (n = links_pre(p, k, &x), i = 0; i < n; i++)
		if ((sp != x[i].plan || x[i].inst != skip) && !xmet(&x[i]))
			return 0;
	return 1;
}

static int
group_ready(const struct plan *p, const struct istate *st, size_t idx, const struct plan *sp,
    size_t skip)
{
	size_t k, end;

	for (rules_group_range(p, idx, &k, &end); k < end; k++) {
		if (!rules_together(p, idx, k) || (k != idx && st[k].status != ST_OPEN))
			continue;
		if (parts_missing(p, &p->inst[k]) != -1)
			return 0;
		if (!pre_met(p, st, k, sp, skip))
			return 0;
	}
	return 1;
}

int
rules_group_ready(const struct plan *p, const struct istate *st, size_t idx, size_t skip)
{
	return group_ready(p, st, idx, p, skip);
}

/* Is prerequisite pre already listed as unmet in v? */
static int
listed(const struct unmet *v, size_t n, const struct plan *p, size_t pre)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((v[i].kind == UNMET_REQUIRES || v[i].kind == UNMET_TOGETHER) &&
		    v[i].plan == p && v[i].inst == pre)
			return 1;
	return 0;
}

static void
unmet_push(struct unmet **v, size_t *n, size_t *cap, enum unmet_kind kind,
    const struct plan *p, size_t inst, size_t via, int64_t not_before)
{
	XGROW(*v, *n, *cap);
	memset(&(*v)[*n], 0, sizeof((*v)[*n]));
	(*v)[*n].kind = kind;
	(*v)[*n].plan = p;
	(*v)[*n].inst = inst;
	(*v)[*n].via = via;
	(*v)[(*n)++].not_before = not_before;
}

size_t
rules_unmet(const struct plan *p, const struct istate *st, size_t idx, int64_t now,
    struct unmet **out)
{
	const struct instance *in = &p->inst[idx];
	const struct xlink *x;
	struct unmet *v = NULL;
	size_t n = 0, cap = 0, i, j, k, end, pre, nx;
	const struct requirement *r;

	IRANGE_FOREACH(in->pre_runs, in->npre_runs, i, pre)
		if (!rules_met(&st[pre]))
			unmet_push(&v, &n, &cap, UNMET_REQUIRES, p, pre, 0, 0);
	for (nx = links_pre(p, idx, &x), i = 0; i < nx; i++)
		if (!xmet(&x[i]))
			unmet_push(&v, &n, &cap, UNMET_REQUIRES, x[i].plan, x[i].inst, 0, 0);
	for (j = 0; j < in->ms->nreqs; j++) {
		r = &in->ms->reqs[j];
		if (req_every_part(p, in->ms, r) && p->ms[r->target].inst_n == 0) {
			unmet_push(&v, &n, &cap, UNMET_NO_PARTS, p, idx, 0, 0);
			v[n - 1].ms = r->target;
		}
	}
	if (in->opens && now < in->opens)
		unmet_push(&v, &n, &cap, UNMET_WINDOW, p, idx, 0, in->opens);
	if (in->not_before && now < in->not_before && in->not_before > in->opens)
		unmet_push(&v, &n, &cap, UNMET_NOT_BEFORE, p, idx, 0, in->not_before);
	/* Taken together: ready only when every other party's open step is ready too. */
	for (rules_group_range(p, idx, &k, &end); k < end; k++) {
		if (k == idx || !rules_together(p, idx, k) || st[k].status != ST_OPEN)
			continue;
		IRANGE_FOREACH(p->inst[k].pre_runs, p->inst[k].npre_runs, j, pre)
			if (!rules_met(&st[pre]) && !listed(v, n, p, pre))
				unmet_push(&v, &n, &cap, UNMET_TOGETHER, p, pre, k, 0);
		for (nx = links_pre(p, k, &x), j = 0; j < nx; j++)
			if (!xmet(&x[j]) && !listed(v, n, x[j].plan, x[j].inst))
				unmet_push(&v, &n, &cap, UNMET_TOGETHER, x[j].plan, x[j].inst, k, 0);
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
		if (st[d].status != ST_OPEN || !group_ready(p, st, d, p, idx))
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
		if (u[i].kind == UNMET_REQUIRES || u[i].kind == UNMET_TOGETHER ||
		    u[i].kind == UNMET_NO_PARTS) {
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

static void
xref_once(struct xref **v, size_t *n, size_t *cap, const struct plan *p, size_t inst)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*v)[i].plan == p && (*v)[i].inst == inst)
			return;
	XGROW(*v, *n, *cap);
	(*v)[*n].plan = p;
	(*v)[(*n)++].inst = inst;
}

size_t
rules_unblocks_x(const struct plan *p, size_t idx, struct xref **out)
{
	const struct xlink *x;
	const struct istate *qst;
	struct xref *v = NULL;
	size_t n = 0, cap = 0, nx, i, k, end;

	for (nx = links_dep(p, idx, &x), i = 0; i < nx; i++) {
		if (x[i].st == NULL || (qst = *x[i].st) == NULL)
			continue;
		if (qst[x[i].inst].status != ST_OPEN ||
		    !group_ready(x[i].plan, qst, x[i].inst, p, idx))
			continue;
		for (rules_group_range(x[i].plan, x[i].inst, &k, &end); k < end; k++)
			if (rules_together(x[i].plan, x[i].inst, k) && qst[k].status == ST_OPEN)
				xref_once(&v, &n, &cap, x[i].plan, k);
	}
	*out = v;
	return n;
}

size_t
rules_done_dependents_x(const struct plan *p, size_t idx, struct xref **out)
{
	const struct xlink *x;
	const struct istate *s;
	struct xref *v = NULL;
	size_t n = 0, cap = 0, nx, i;

	for (nx = links_dep(p, idx, &x), i = 0; i < nx; i++)
		if ((s = rules_xstate(&x[i])) != NULL && s->status == ST_DONE)
			xref_once(&v, &n, &cap, x[i].plan, x[i].inst);
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
