/* schedule.c: reminder occurrences from plan, state and time; DST-correct through tz.c. */
#include <stdlib.h>
#include <string.h>

#include "links.h"
#include "schedule.h"
#include "timeheap.h"
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

/*
 * When the prerequisites of every open step taken together with an open instance were
 * last met (0: one is not; *npre: how many there are): the same for each such instance,
 * so a scan finds it once per group (a step of 342 parties, each with 342 together).
 */
struct gmemo {
	const struct milestone	*ms;
	int			 occ;
	int64_t			 ready;
	size_t			 npre;
};
#define GMEMO	64

static int64_t
group_met_at(const struct plan *p, const struct istate *st, size_t idx, size_t *npre)
{
	const struct instance *in;
	const struct xlink *x;
	const struct istate *xs;
	int64_t ready = 0;
	size_t i, j, k, end, nx;

	*npre = 0;
	for (rules_group_range(p, idx, &k, &end); k < end; k++) {
		if (!rules_together(p, idx, k) || (k != idx && st[k].status != ST_OPEN))
			continue;
		in = &p->inst[k];
		*npre += in->npre;
		IRANGE_FOREACH(in->pre_runs, in->npre_runs, i, j) {
			if (!rules_met(&st[j]))
				return 0;
			if (st[j].changed > ready)
				ready = st[j].changed;
		}
		/* Another plan's prerequisites, read live: its step done makes this one go ahead. */
		for (nx = links_pre(p, k, &x), i = 0; i < nx; i++, (*npre)++) {
			if ((xs = rules_xstate(&x[i])) == NULL || !rules_met(xs))
				return 0;
			if (xs->changed > ready)
				ready = xs->changed;
		}
	}
	return ready;
}

/* Go-ahead: the moment the last prerequisite was recorded met (or not-before passed); of a
 * step taken together, the last of every party's. memo: the groups found in this scan. */
static int64_t
goahead_at(const struct plan *p, const struct istate *st, size_t idx, struct gmemo *memo)
{
	const struct instance *in = &p->inst[idx];
	struct gmemo *g = NULL;
	int64_t ready;
	size_t npre;

	if (in->ms->same_moment) {
		g = &memo[((uintptr_t)in->ms / sizeof(void *) + (size_t)in->occ) % GMEMO];
		if (g->ms == in->ms && g->occ == in->occ) {
			ready = g->ready;
			npre = g->npre;
			goto found;
		}
	}
	ready = group_met_at(p, st, idx, &npre);
	if (g != NULL) {
		g->ms = in->ms;
		g->occ = in->occ;
		g->ready = ready;
		g->npre = npre;
	}
found:
	if (npre == 0 || ready == 0)
		return 0;
	/* Ready before its window opens: the window's notice says so, at the reminder hour. */
	if (in->opens > ready)
		return 0;
	if (in->not_before > ready)
		ready = in->not_before;
	return ready;
}

struct sched {
	struct occurrence	**v;	/* per instance, by time */
	size_t			 *n;
	size_t			  ninst;
	/* For schedule_due: each open instance's first occurrence after the last one. */
	struct timeheap		  next;
	unsigned char		 *dirty;	/* per instance: evaluate at the next schedule_due */
	size_t			 *dv, ndv, dcap;	/* the dirty ones, maybe some twice */
	int			  all;		/* every instance: new, or schedule_touch_all */
	/*
	 * Per instance, digests of what its occurrences follow from: its timing (v), and its
	 * prerequisites and the steps taken with it (its go-ahead); a change of the plan's
	 * shape (schedule_reshaped) makes again only those whose digests differ.
	 */
	uint64_t		 *tprint, *pprint;
	size_t			 *last, nlast;	/* what the last schedule_due evaluated */
	int			  last_all;	/* it evaluated all */
};

static uint64_t
mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static uint64_t
mix_str(uint64_t h, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return mix(h, s != NULL);
}

static uint64_t
mix_ltime(uint64_t h, const struct ltime *t)
{
	h = mix(h, (uint64_t)t->set << 1 | (uint64_t)t->has_time);
	h = mix(h, (uint64_t)(t->year * 10000 + t->mon * 100 + t->day));
	return mix(h, (uint64_t)(t->hour * 60 + t->min));
}

/* What static_occurrences reads of an instance (the plan's own settings stay). */
static uint64_t
timing_print(const struct plan *p, size_t i)
{
	const struct instance *in = &p->inst[i];
	uint64_t h = 0xcbf29ce484222325ULL;

	h = mix(h, (uintptr_t)in->ms);
	h = mix_str(h, in->owner);
	h = mix_ltime(h, &in->timing.due);
	h = mix_ltime(h, &in->timing.from);
	h = mix(h, (uint64_t)in->timing.on);
	h = mix(h, (uint64_t)in->deadline);
	h = mix(h, (uint64_t)in->start);
	h = mix(h, (uint64_t)in->opens);
	return mix(h, (uint64_t)in->not_before);
}

/* A set of indices as its maximal runs, given in increasing order (SIZE_MAX: one new). */
struct runprint {
	uint64_t	 h;
	size_t		 a, n;
};

static void
rp_flush(struct runprint *r)
{
	if (r->n > 0)
		r->h = mix(mix(r->h, r->a), r->n);
	r->n = 0;
}

static void
rp_run(struct runprint *r, size_t a, size_t n)
{
	if (r->n > 0 && a != SIZE_MAX && a == r->a + r->n) {
		r->n += n;
		return;
	}
	rp_flush(r);
	if (a == SIZE_MAX)
		r->h = mix(r->h, SIZE_MAX);
	else {
		r->a = a;
		r->n = n;
	}
}

/*
 * The prerequisites of instance i (here and in other plans) and how many steps it may be
 * taken together with;
 * back (not NULL): each index as it was before a change of the plan's shape, to compare
 * with the digest made then.
 */
static uint64_t
pre_print(const struct plan *p, size_t i, const size_t *back)
{
	const struct instance *in = &p->inst[i];
	const struct xlink *x;
	struct runprint r = { 0xcbf29ce484222325ULL, 0, 0 };
	size_t k, j, a = 0, b = 0, nx, first, end;

	/* The runs are sorted by start and may overlap: merged first. */
	for (k = 0; k <= in->npre_runs; k++) {
		if (k > 0 && k < in->npre_runs && in->pre_runs[k].first <= b) {
			if (in->pre_runs[k].first + in->pre_runs[k].n > b)
				b = in->pre_runs[k].first + in->pre_runs[k].n;
			continue;
		}
		if (k > 0 && back == NULL)
			rp_run(&r, a, b - a);
		for (j = a; k > 0 && back != NULL && j < b; j++)
			rp_run(&r, back[j], 1);
		if (k < in->npre_runs) {
			a = in->pre_runs[k].first;
			b = a + in->pre_runs[k].n;
		}
	}
	rp_flush(&r);
	rules_group_range(p, i, &first, &end);
	r.h = mix(r.h, end - first);
	for (nx = links_pre(p, i, &x), k = 0; k < nx; k++)
		r.h = mix(mix(r.h, (uintptr_t)x[k].plan), x[k].inst);
	return r.h;
}

static void
mark(struct sched *s, size_t i)
{
	if (s->all || s->dirty[i])
		return;
	s->dirty[i] = 1;
	XGROW(s->dv, s->ndv, s->dcap);
	s->dv[s->ndv++] = i;
}

struct sched *
schedule_new(const struct plan *p)
{
	struct sched *s = xcalloc(1, sizeof(*s));

	timeheap_init(&s->next);
	s->all = 1;
	schedule_extend(s, p);
	return s;
}

/* Instance i's occurrences by timing alone, and the digests they follow from. */
static void
make_one(struct sched *s, const struct plan *p, size_t i)
{
	struct occlist l;

	memset(&l, 0, sizeof(l));
	l.from = INT64_MIN;
	l.until = INT64_MAX;
	static_occurrences(p, i, &l);
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), cmp_occ);
	s->v[i] = l.v;
	s->n[i] = l.n;
	s->tprint[i] = timing_print(p, i);
	s->pprint[i] = pre_print(p, i, NULL);
}

static void
sched_room(struct sched *s, size_t ninst)
{
	size_t n = ninst ? ninst : 1;

	s->v = xreallocarray(s->v, n, sizeof(*s->v));
	s->n = xreallocarray(s->n, n, sizeof(*s->n));
	s->tprint = xreallocarray(s->tprint, n, sizeof(*s->tprint));
	s->pprint = xreallocarray(s->pprint, n, sizeof(*s->pprint));
	s->dirty = xreallocarray(s->dirty, n, 1);
	if (ninst > s->ninst)
		memset(s->dirty + s->ninst, 0, ninst - s->ninst);
	timeheap_resize(&s->next, ninst);
}

static void	mark_group(struct sched *, const struct plan *, size_t);

void
schedule_extend(struct sched *s, const struct plan *p)
{
	size_t i, k, d, first = s->ninst;

	sched_room(s, p->ninst);
	for (i = first; i < p->ninst; i++)
		make_one(s, p, i);
	for (i = first; i < p->ninst; i++)
		mark(s, i);
	s->ninst = p->ninst;
	/* What requires them (a part's, required by every part) waits for more. */
	for (i = first; i < p->ninst; i++)
		IRANGE_FOREACH(p->inst[i].dep_runs, p->inst[i].ndep_runs, k, d)
			if (d < first) {
				s->pprint[d] = pre_print(p, d, NULL);
				mark_group(s, p, d);
			}
}

void
schedule_truncate(struct sched *s, size_t ninst)
{
	for (; s->ninst > ninst; s->ninst--) {
		free(s->v[s->ninst - 1]);
		s->dirty[s->ninst - 1] = 0;
	}
	timeheap_resize(&s->next, ninst);
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
	free(s->tprint);
	free(s->pprint);
	timeheap_free(&s->next);
	free(s->dirty);
	free(s->dv);
	free(s->last);
	free(s);
}

/*
 * Instance i's occurrences in (from, until] into l, as the state makes them; returns its
 * first occurrence after until, 0 when none.
 */
static int64_t
scan_one(const struct sched *s, const struct plan *p, const struct istate *st, size_t i,
    int64_t from, int64_t until, struct occlist *l, struct gmemo *memo)
{
	size_t j, lo, hi, mid;
	int64_t nx = 0, g;

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
		XGROW(l->v, l->n, l->cap);
		l->v[l->n++] = s->v[i][j];
		/* At its moment, a party not ready holds the step up: every owner is told. */
		if (s->v[i][j].kind == RK_MOMENT && !rules_group_ready(p, st, i, (size_t)-1))
			l->v[l->n - 1].kind = RK_HELDUP;
	}
	if (j < s->n[i])
		nx = s->v[i][j].when;
	if ((g = goahead_at(p, st, i, memo)) != 0) {
		if (g > from && g <= until)
			add(l, g, RK_GOAHEAD, i, 0, p->inst[i].deadline, p->inst[i].owner);
		else if (g > until && (nx == 0 || g < nx))
			nx = g;
	}
	return nx;
}

static size_t
finish(struct occlist *l, struct occurrence **out)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_occ);
	if (out != NULL)
		*out = l->v;
	else
		free(l->v);
	return l->n;
}

size_t
schedule_scan(const struct sched *s, const struct plan *p, const struct istate *st,
    int64_t from, int64_t until, struct occurrence **out, int64_t *next)
{
	struct occlist l = { NULL, 0, 0, from, until };
	struct gmemo memo[GMEMO];
	size_t i;
	int64_t nx = 0, g;

	memset(memo, 0, sizeof(memo));
	for (i = 0; i < s->ninst && i < p->ninst; i++) {
		if (st[i].status != ST_OPEN)
			continue;
		if ((g = scan_one(s, p, st, i, from, until, &l, memo)) != 0 && (nx == 0 || g < nx))
			nx = g;
	}
	if (next != NULL)
		*next = nx;
	return finish(&l, out);
}

/* Instance k and the steps taken together with it. */
static void
mark_group(struct sched *s, const struct plan *p, size_t k)
{
	size_t i, end;

	for (rules_group_range(p, k, &i, &end); i < end; i++)
		if (i < s->ninst && rules_together(p, k, i))
			mark(s, i);
}

void
schedule_touch(struct sched *s, const struct plan *p, size_t idx)
{
	const struct instance *in;
	size_t i, d;

	if (s->all || idx >= s->ninst)
		return;
	in = &p->inst[idx];
	/* Its own and its group's (a member done no longer counts), and its dependents'. */
	mark_group(s, p, idx);
	IRANGE_FOREACH(in->dep_runs, in->ndep_runs, i, d)
		mark_group(s, p, d);
}

void
schedule_touch_reader(struct sched *s, const struct plan *p, size_t idx)
{
	if (!s->all && idx < s->ninst)
		mark_group(s, p, idx);
}

void
schedule_touch_all(struct sched *s)
{
	s->all = 1;
}

struct sched *
schedule_reshaped(const struct sched *o, const struct plan *p, const size_t *back)
{
	struct sched *s = xcalloc(1, sizeof(*s));
	const struct instance *in;
	size_t k, i, j;
	int64_t key;

	timeheap_init(&s->next);
	sched_room(s, p->ninst);
	s->ninst = p->ninst;
	s->all = o->all;
	for (k = 0; k < p->ninst; k++) {
		i = back[k];
		if (i >= o->ninst || o->tprint[i] != timing_print(p, k)) {
			/* New, or its timing moved: made again, with its group. */
			make_one(s, p, k);
			mark_group(s, p, k);
			continue;
		}
		in = &p->inst[k];
		s->n[k] = o->n[i];
		s->v[k] = xreallocarray(NULL, o->n[i] ? o->n[i] : 1, sizeof(**s->v));
		for (j = 0; j < o->n[i]; j++) {
			s->v[k][j] = o->v[i][j];
			s->v[k][j].inst = k;
			s->v[k][j].role = o->v[i][j].kind == RK_ESCALATE ? in->ms->escalate_to :
			    in->owner;
		}
		s->tprint[k] = o->tprint[i];
		s->pprint[k] = pre_print(p, k, NULL);
		if (timeheap_get(&o->next, i, &key))
			timeheap_set(&s->next, k, key);
		/* Its prerequisites or its group are others: its go-ahead may be. */
		if (o->dirty[i] || o->pprint[i] != pre_print(p, k, back))
			mark_group(s, p, k);
	}
	return s;
}

void
schedule_redo(struct sched *s)
{
	size_t i;

	if (s->last_all)
		s->all = 1;
	for (i = 0; i < s->nlast; i++)
		if (s->last[i] < s->ninst)
			mark(s, s->last[i]);
}

size_t
schedule_evaluated(const struct sched *s, int *all)
{
	if (all != NULL)
		*all = s->last_all;
	return s->last_all ? s->ninst : s->nlast;
}

size_t
schedule_due(struct sched *s, const struct plan *p, const struct istate *st, int64_t from,
    int64_t until, struct occurrence **out)
{
	struct occlist l = { NULL, 0, 0, from, until };
	struct gmemo memo[GMEMO];
	size_t *ev, nev, cap, i, k;
	int64_t key, nx;

	memset(memo, 0, sizeof(memo));
	if (s->all) {
		/* Everything again: what the heap held is made anew. */
		timeheap_clear(&s->next);
		for (i = 0; i < s->ndv; i++)
			if (s->dv[i] < s->ninst)
				s->dirty[s->dv[i]] = 0;
		s->ndv = 0;
		s->all = 0;
		s->last_all = 1;
		s->nlast = 0;
		for (i = 0; i < s->ninst && i < p->ninst; i++)
			if (st[i].status == ST_OPEN &&
			    (nx = scan_one(s, p, st, i, from, until, &l, memo)) != 0)
				timeheap_set(&s->next, i, nx);
		return finish(&l, out);
	}
	/* The touched ones, and those whose next occurrence has come: each once. */
	ev = s->dv;
	nev = s->ndv;
	cap = s->dcap;
	s->dv = NULL;
	s->ndv = s->dcap = 0;
	for (i = k = 0; i < nev; i++)
		if (ev[i] < s->ninst && s->dirty[ev[i]])
			ev[k++] = ev[i];
	nev = k;
	while (timeheap_head(&s->next, &i, &key) && key <= until) {
		timeheap_remove(&s->next, i);
		if (!s->dirty[i]) {
			s->dirty[i] = 1;
			XGROW(ev, nev, cap);
			ev[nev++] = i;
		}
	}
	for (k = 0; k < nev; k++) {
		i = ev[k];
		s->dirty[i] = 0;
		if (i >= p->ninst || st[i].status != ST_OPEN)
			timeheap_remove(&s->next, i);
		else if ((nx = scan_one(s, p, st, i, from, until, &l, memo)) != 0)
			timeheap_set(&s->next, i, nx);
		else
			timeheap_remove(&s->next, i);
	}
	free(s->last);
	s->last = ev;
	s->nlast = nev;
	s->last_all = 0;
	return finish(&l, out);
}

int64_t
schedule_head(const struct sched *s)
{
	int64_t key;

	return timeheap_head(&s->next, NULL, &key) ? key : 0;
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
