/* schedule.c: reminder occurrences from plan, state and time; DST-correct through tz.c. */
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "tz.h"
#include "workday.h"
#include "xmalloc.h"

struct occlist {
	struct occurrence	*v;
	size_t			 n, cap;
	int64_t			 from, until;
};

const char *
rkind_name(enum rkind k)
{
	switch (k) {
	case RK_LEAD:		return "lead";
	case RK_OPENS:		return "opens";
	case RK_OVERDUE:	return "overdue";
	case RK_ESCALATE:	return "escalate";
	case RK_GOAHEAD:	return "go-ahead";
	case RK_MOMENT:		return "same-moment";
	case RK_HELDUP:		return "held-up";
	}
	return "?";
}

int
rkind_parse(const char *s, enum rkind *out)
{
	int k;

	for (k = RK_LEAD; k <= RK_LAST; k++)
		if (strcmp(s, rkind_name((enum rkind)k)) == 0) {
			*out = (enum rkind)k;
			return 0;
		}
	return -1;
}

static void
add(struct occlist *l, int64_t when, enum rkind kind, size_t inst, int n, int64_t due,
    const char *role)
{
	struct occurrence *o;

	if (when <= l->from || when > l->until)
		return;
	XGROW(l->v, l->n, l->cap);
	o = &l->v[l->n++];
	o->when = when;
	o->kind = kind;
	o->inst = inst;
	o->n = n;
	o->due = due;
	o->role = role;
}

/*
 * The plan's reminder hour on the local day of lt, moved by days, and then to a working
 * day if the plan says so: before (dir -1) for what comes ahead of a deadline, after
 * (dir +1) for what follows one.
 */
static int64_t
remind_at(const struct plan *p, const struct ltime *day, int days, int dir)
{
	struct ltime t = *day;

	ltime_add_days(&t, days);
	workday_shift(p, &t, dir);
	t.has_time = 1;
	t.hour = p->remind_hour;
	t.min = p->remind_min;
	return tz_to_utc(p->tz, &t);
}

/* Local date of the deadline: for a whole day, that day; for a time, its day. */
static void
leads(const struct plan *p, const struct instance *in, const struct ltime *due, int64_t deadline,
    struct occlist *l)
{
	const int *r = in->ms->nremind ? in->ms->remind : p->remind;
	size_t nr = in->ms->nremind ? in->ms->nremind : p->nremind, i;
	int64_t when;

	for (i = 0; i < nr; i++) {
		when = remind_at(p, due, -r[i], -1);
		/* A same-day reminder after a timed deadline would come too late to help. */
		if (when < deadline)
			add(l, when, RK_LEAD, in->idx, r[i], deadline, in->owner);
	}
}

static int
cmp_occ(const void *a, const void *b)
{
	const struct occurrence *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	if (x->inst != y->inst)
		return x->inst < y->inst ? -1 : 1;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return x->n - y->n;
}

/* What an instance's timing alone makes due: the same whatever the state. */
static void
static_occurrences(const struct plan *p, size_t idx, struct occlist *l)
{
	const struct instance *in = &p->inst[idx];
	const struct milestone *m = in->ms;
	struct ltime day = in->timing.due;
	int64_t deadline = in->deadline;
	int k, first;

	leads(p, in, &in->timing.due, deadline, l);
	/* A window opens with a notice; a step fixed to one day has its lead reminders. */
	if (in->timing.from.set && !in->timing.on)
		add(l, remind_at(p, &in->timing.from, 0, 1), RK_OPENS, idx, 0, deadline, in->owner);
	/* Overdue: the first at the reminder hour after the deadline, then every interval. */
	first = day.has_time && remind_at(p, &day, 0, 0) > deadline ? 0 : 1;
	for (k = 1; k <= p->overdue_max; k++)
		add(l, remind_at(p, &day, first + (k - 1) * p->overdue_every, 1), RK_OVERDUE, idx,
		    k, deadline, in->owner);
	if (m->escalate_to != NULL && m->escalate_after >= 0) {
		int64_t when = remind_at(p, &day, (day.has_time ? 0 : 1) + m->escalate_after, 1);

		/* Never before the deadline has passed: a timed due late in the day. */
		if (when <= deadline)
			when = remind_at(p, &day, 1 + m->escalate_after, 1);
		add(l, when, RK_ESCALATE, idx, m->escalate_after, deadline, m->escalate_to);
	}
	if (m->same_moment)
		add(l, rules_earliest(in) ? rules_earliest(in) : in->start, RK_MOMENT, idx, 0, deadline,
		    in->owner);
}

/* Go-ahead: the moment the last prerequisite was recorded met (or not-before passed); of a
 * step taken together, the last of every party's. */
static int64_t
goahead_at(const struct plan *p, const struct istate *st, size_t idx)
{
	const struct instance *in;
	const struct xlink *x;
	const struct istate *xs;
	int64_t ready = 0;
	size_t i, j, k, end, npre = 0, nx;

	for (rules_group_range(p, idx, &k, &end); k < end; k++) {
		if (!rules_together(p, idx, k) || (k != idx && st[k].status != ST_OPEN))
			continue;
		in = &p->inst[k];
		npre += in->npre;
		IRANGE_FOREACH(in->pre_runs, in->npre_runs, i, j) {
			if (!rules_met(&st[j]))
				return 0;
			if (st[j].changed > ready)
				ready = st[j].changed;
		}
		/* Another plan's prerequisites, read live: its step done makes this one go ahead. */
		for (nx = links_pre(p, k, &x), i = 0; i < nx; i++, npre++) {
			if ((xs = rules_xstate(&x[i])) == NULL || !rules_met(xs))
				return 0;
			if (xs->changed > ready)
				ready = xs->changed;
		}
	}
	if (npre == 0)
		return 0;
	/* Ready before its window opens: the window's notice says so, at the reminder hour. */
	if (p->inst[idx].opens > ready)
		return 0;
	if (ready > 0 && p->inst[idx].not_before > ready)
		ready = p->inst[idx].not_before;
	return ready;
}

struct sched {
	struct occurrence	**v;	/* per instance, by time */
	size_t			 *n;
	size_t			  ninst;
};

struct sched *
schedule_new(const struct plan *p)
{
	struct sched *s = xcalloc(1, sizeof(*s));

	schedule_extend(s, p);
	return s;
}

void
schedule_extend(struct sched *s, const struct plan *p)
{
	struct occlist l;
	size_t i;

	s->v = xreallocarray(s->v, p->ninst ? p->ninst : 1, sizeof(*s->v));
	s->n = xreallocarray(s->n, p->ninst ? p->ninst : 1, sizeof(*s->n));
	for (i = s->ninst; i < p->ninst; i++) {
		memset(&l, 0, sizeof(l));
		l.from = INT64_MIN;
		l.until = INT64_MAX;
		static_occurrences(p, i, &l);
		if (l.n > 1)
			qsort(l.v, l.n, sizeof(*l.v), cmp_occ);
		s->v[i] = l.v;
		s->n[i] = l.n;
	}
	s->ninst = p->ninst;
}

void
schedule_truncate(struct sched *s, size_t ninst)
{
	for (; s->ninst > ninst; s->ninst--)
		free(s->v[s->ninst - 1]);
}

void
schedule_free(struct sched *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ninst; i++)
		free(s->v[i]);
	free(s->v);
	free(s->n);
	free(s);
}

size_t
schedule_scan(const struct sched *s, const struct plan *p, const struct istate *st,
    int64_t from, int64_t until, struct occurrence **out, int64_t *next)
{
	struct occlist l = { NULL, 0, 0, from, until };
	size_t i, j, lo, hi, mid;
	int64_t nx = 0, g;

	for (i = 0; i < s->ninst && i < p->ninst; i++) {
		if (st[i].status != ST_OPEN)
			continue;
		/* The first entry after from, by bisection: most instances have none now. */
		lo = 0;
		hi = s->n[i];
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (s->v[i][mid].when <= from)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (j = lo; j < s->n[i] && s->v[i][j].when <= until; j++) {
			XGROW(l.v, l.n, l.cap);
			l.v[l.n++] = s->v[i][j];
			/* At its moment, a party not ready holds the step up: every owner is told. */
			if (s->v[i][j].kind == RK_MOMENT && !rules_group_ready(p, st, i, (size_t)-1))
				l.v[l.n - 1].kind = RK_HELDUP;
		}
		if (j < s->n[i] && (nx == 0 || s->v[i][j].when < nx))
			nx = s->v[i][j].when;
		if ((g = goahead_at(p, st, i)) != 0) {
			if (g > from && g <= until)
				add(&l, g, RK_GOAHEAD, i, 0, p->inst[i].deadline, p->inst[i].owner);
			else if (g > until && (nx == 0 || g < nx))
				nx = g;
		}
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), cmp_occ);
	if (next != NULL)
		*next = nx;
	if (out != NULL)
		*out = l.v;
	else
		free(l.v);
	return l.n;
}

size_t
schedule_between(const struct plan *p, const struct istate *st, int64_t from, int64_t until,
    struct occurrence **out)
{
	struct sched *s = schedule_new(p);
	size_t n = schedule_scan(s, p, st, from, until, out, NULL);

	schedule_free(s);
	return n;
}

int64_t
schedule_next(const struct plan *p, const struct istate *st, int64_t after)
{
	struct sched *s = schedule_new(p);
	int64_t next;

	schedule_scan(s, p, st, after, after, NULL, &next);
	schedule_free(s);
	return next;
}
