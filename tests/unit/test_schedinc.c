/* test_schedinc.c: the incremental schedule (schedule_due) equals the full scan, over
 * thousands of random changes to two linked plans (of 3 parties, and of 40 with the part's
 * milestone last, or before milestones added), parts and moves among them; and what a part's expansion reuses, or
 * links in place, equals a whole expansion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "links.h"
#include "plan.h"
#include "plantext.h"
#include "planedit.h"
#include "rules.h"
#include "schedule.h"
#include "tz.h"
#include "xmalloc.h"

/* Repeats, windows, not-before, @all and @same, same-moment, parts, working days, a
 * timed deadline, escalation; and requirements both ways between the plans. */
#define A_HEAD \
    "plan a\n" \
    "  title A\n" \
    "  timezone Europe/Amsterdam\n" \
    "  remind 7d, 1d, 0d\n" \
    "  remind-at 08:30\n" \
    "  overdue-every 2d\n" \
    "  overdue-max 3\n" \
    "  working-days nl\n" \
    "role sec\n" \
    "  address sec@a.example\n" \
    "role boss\n" \
    "  address boss@a.example\n"
#define PARTIES \
    "party x\n" \
    "  role sec s@x.example\n" \
    "party y\n" \
    "  role sec s@y.example\n" \
    "party z\n" \
    "  role sec s@z.example\n"
#define A_FIRST \
    "dimension onderdeel\n" \
    "  found-by start\n" \
    "milestone start\n  title Start\n  owner sec\n  due 2014-01-10\n" \
    "milestone besluit\n  title Besluit\n  owner sec\n  parties all\n  same-moment yes\n" \
    "  not-before 2014-01-20 09:00\n  due 2014-02-01\n  requires start, b:overleg\n" \
    "milestone reeks\n  title Reeks\n  owner sec\n  parties all\n  due 2014-01-08\n" \
    "  repeat every 1 weeks until 2014-03-26\n  requires start\n  escalate-after 2d\n" \
    "  escalate-to boss\n" \
    "milestone venster\n  title Venster\n  owner sec\n  parties all\n" \
    "  window 2014-01-13 .. 2014-01-31\n  requires reeks@same/last\n"
#define A_VOORSTEL \
    "milestone voorstel\n  title Voorstel\n  owner sec\n  per onderdeel\n  due 2014-02-15\n" \
    "  requires start\n"
#define A_REST \
    "milestone advies\n  title Advies\n  owner boss\n  due 2014-03-01 14:00\n" \
    "  requires venster@all, voorstel\n  escalate-after 3d\n  escalate-to boss\n" \
    "milestone samen\n  title Samen\n  owner sec\n  parties all\n  same-moment yes\n" \
    "  due 2014-02-03\n  repeat every 2 weeks until 2014-04-01\n  requires besluit\n" \
    /* Waits for every part, from a moment ahead: a part added or cut changes its go-ahead. */ \
    "milestone bundel\n  title Bundel\n  owner sec\n  not-before 2014-04-10 09:00\n" \
    "  due 2014-04-20\n  requires voorstel\n"

/* Repeats, windows, not-before, @all and @same, same-moment, parts, working days, a
 * timed deadline, escalation; and requirements both ways between the plans. */
static const char text_a[] = A_HEAD PARTIES A_FIRST A_VOORSTEL A_REST;

#define B_HEAD \
    "plan b\n" \
    "  title B\n" \
    "  timezone Europe/Amsterdam\n" \
    "  remind 3d, 0d\n" \
    "role sec\n" \
    "  address sec@b.example\n"
#define B_REST \
    "milestone overleg\n  title Overleg\n  owner sec\n  parties all\n  due 2014-01-20\n" \
    "milestone conferentie\n  title Conferentie\n  owner sec\n" \
    "  window 2014-01-13 .. 2014-01-31\n  requires a:start\n" \
    "milestone reeks\n  title Reeks\n  owner sec\n  due 2014-01-29 10:00\n" \
    "  repeat every 1 weeks until 2014-03-26\n  requires a:besluit@all\n" \
    /* The last of a series of the other plan: a move makes it another. */ \
    "milestone vervolg\n  title Vervolg\n  owner sec\n  not-before 2014-04-12 09:00\n" \
    "  due 2014-04-25\n  requires a:reeks/last\n"

static const char text_b[] = B_HEAD PARTIES B_REST;

/*
 * The shape of a national plan: many parties, and the milestone per part last, requiring
 * what every party does (@all): a part's instances come last and are linked in place
 * (plan.c append_part), what requires every part (advies, bundel) waits for one more.
 */
#define NPARTIES	40

static char	*text_many_a, *text_many_b;

static void
texts_many(void)
{
	char *parties = xstrdup(PARTIES), *s;
	int i;

	for (i = 0; i < NPARTIES - 3; i++) {
		xasprintf(&s, "%sparty g%02d\n  role sec s@g%02d.example\n", parties, i, i);
		free(parties);
		parties = s;
	}
	xasprintf(&text_many_a, "%s%s%s%s%s", A_HEAD, parties, A_FIRST, A_REST,
	    "milestone voorstel\n  title Voorstel\n  owner sec\n  per onderdeel\n"
	    "  due 2014-02-15\n  repeat every 1 weeks until 2014-03-01\n"
	    "  requires start, venster@all, reeks/last\n");
	xasprintf(&text_many_b, "%s%s%s", B_HEAD, parties, B_REST);
	free(parties);
}

/* One plan as the engine keeps it: the plan, its states, its schedule; and what the last
 * incremental call gave, at which until. */
struct tp {
	struct plan		*p;
	struct istate		*st;
	struct sched		*s;
	struct occurrence	*prev;
	size_t			 nprev;
	struct sched		*ref;	/* made anew from the plan as it is: the full scan's */
};

static struct tp	 T[2];
static size_t		 seen_kind[RK_LAST + 1];
static size_t		 nparts, nlive, nadded, nmoves, nevaluated, nchanges, nredone, nwholecheck;
static size_t		 nappended;	/* parts whose instances came last, linked in place */
static size_t		 ninplace;	/* parts linked in place, last or not */
static int		 many;		/* the plans of texts_many: 1, and milestones added: 2 */
/* Scans that evaluated a plan whole; after a change of shape: how many, what they took. */
static size_t		 nwhole[2], nreshaped, reshaped_eval, reshaped_inst;
static int		 was_reshaped;

static struct plan *
parse(const char *name, const char *text)
{
	return plantext_good(name, text);
}

static int
relink(void)
{
	struct linkplan v[2];
	struct errlist e = { 0 };
	int rc;

	memset(v, 0, sizeof(v));
	v[0].plan = T[0].p;
	v[0].st = &T[0].st;
	v[1].plan = T[1].p;
	v[1].st = &T[1].st;
	rc = links_resolve(v, 2, &e);
	for (size_t i = 0; i < e.n && getenv("SCHEDINC_DEBUG"); i++)
		fprintf(stderr, "%s\n", e.msg[i]);
	errlist_free(&e);
	return rc;
}

/* A state changed: what reads it is touched, here and in the other plan (as engine.c). */
static void
touch(struct tp *t, size_t idx)
{
	const struct xlink *x;
	size_t i, n;

	schedule_touch(t->s, t->p, idx);
	for (n = links_dep(t->p, idx, &x), i = 0; i < n; i++) {
		struct tp *o = x[i].plan == T[0].p ? &T[0] : &T[1];

		schedule_touch_reader(o->s, o->p, x[i].inst);
	}
}

static void
set_state(struct tp *t, size_t idx, int64_t now)
{
	struct istate *s = &t->st[idx];

	if (s->status == ST_OPEN)
		s->status = random() % 10 < 7 ? ST_DONE : ST_WAIVED;
	else
		s->status = ST_OPEN;
	s->at = s->changed = now;
	s->version++;
	if (getenv("SCHEDINC_DEBUG")) {
		char b[32];

		utc_format(now, b, sizeof(b));
		fprintf(stderr, "%s %s:%s %s\n", b, t->p->id, t->p->inst[idx].key,
		    status_name(s->status));
	}
	touch(t, idx);
}

/* What the other plan reads of plan a, touched before a change of its shape and after
 * (engine.c touch_readers). */
static void
touch_readers(void)
{
	const struct xlinks *xl = T[0].p->xl;
	size_t i;

	for (i = 0; xl != NULL && i < xl->ndep; i++)
		schedule_touch_reader(T[1].s, T[1].p, xl->dep[i].inst);
}

/* The plan changed shape: states to their instances by key, a schedule made from the old
 * one (engine.c reshape, published_take); what the last scan gave, at the new places. */
static void
reshaped(struct tp *t, char **keys, struct istate *old, size_t oldn)
{
	struct instance *in;
	struct sched *s;
	size_t i, k, *back = xcalloc(t->p->ninst ? t->p->ninst : 1, sizeof(*back));
	size_t *fwd = xcalloc(oldn ? oldn : 1, sizeof(*fwd));

	for (i = 0; i < t->p->ninst; i++)
		back[i] = SIZE_MAX;
	t->st = xcalloc(t->p->ninst ? t->p->ninst : 1, sizeof(*t->st));
	for (i = 0; i < oldn; i++) {
		fwd[i] = SIZE_MAX;
		if ((in = plan_instance(t->p, keys[i])) != NULL) {
			t->st[in->idx] = old[i];
			back[in->idx] = i;
			fwd[i] = in->idx;
		} else
			istate_clear(&old[i]);
		free(keys[i]);
	}
	free(keys);
	free(old);
	s = schedule_reshaped(t->s, t->p, back);
	schedule_free(t->s);
	t->s = s;
	schedule_free(t->ref);
	t->ref = NULL;
	for (i = k = 0; i < t->nprev; i++)
		if (t->prev[i].inst < oldn && fwd[t->prev[i].inst] != SIZE_MAX) {
			t->prev[k] = t->prev[i];
			t->prev[k++].inst = fwd[t->prev[i].inst];
		}
	t->nprev = k;
	free(back);
	free(fwd);
	touch_readers();
	was_reshaped = 1;
}

static char **
keys_of(const struct plan *p)
{
	char **k = xcalloc(p->ninst ? p->ninst : 1, sizeof(*k));
	size_t i;

	for (i = 0; i < p->ninst; i++)
		k[i] = xstrdup(p->inst[i].key);
	return k;
}

/* The index by key holds every instance once, in key order (plan_instance finds each). */
static void
assert_index(const struct plan *p)
{
	unsigned char *seen = xcalloc(p->ninst ? p->ninst : 1, 1);
	size_t i;

	for (i = 0; i < p->ninst; i++) {
		assert_true(p->inst_sorted[i] < p->ninst && !seen[p->inst_sorted[i]]);
		seen[p->inst_sorted[i]] = 1;
		if (i > 0)
			assert_true(strcmp(p->inst[p->inst_sorted[i - 1]].key,
			    p->inst[p->inst_sorted[i]].key) < 0);
	}
	free(seen);
}

/*
 * A part expands the plan reusing the series it had (plan.c expand_parts): what it made is
 * what a whole expansion of the plan makes, instance by instance, links and all.
 */
static void
expansion_whole(struct plan *p)
{
	struct instance *was = xcalloc(p->ninst ? p->ninst : 1, sizeof(*was)), *a, *b;
	struct errlist e = { 0 };
	size_t n = p->ninst, i, *sorted, nlinks;

	for (i = 0; i < n; i++) {
		was[i] = p->inst[i];
		was[i].key = xstrdup(p->inst[i].key);
		was[i].title = xstrdup(p->inst[i].title);
		was[i].pre_runs = xcalloc(was[i].npre_runs + 1, sizeof(struct irange));
		memcpy(was[i].pre_runs, p->inst[i].pre_runs, was[i].npre_runs * sizeof(struct irange));
		was[i].dep_runs = xcalloc(was[i].ndep_runs + 1, sizeof(struct irange));
		memcpy(was[i].dep_runs, p->inst[i].dep_runs, was[i].ndep_runs * sizeof(struct irange));
	}
	assert_index(p);
	sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	memcpy(sorted, p->inst_sorted, n * sizeof(*sorted));
	nlinks = p->nlinks;
	assert_int_equal(plan_expand(p, &e), 0);
	errlist_free(&e);
	assert_int_equal(p->ninst, n);
	assert_int_equal(p->nlinks, nlinks);
	/* In key order as a whole expansion sorts them (plan_instance finds each). */
	assert_memory_equal(sorted, p->inst_sorted, n * sizeof(*sorted));
	free(sorted);
	for (i = 0; i < n; i++) {
		a = &was[i];
		b = &p->inst[i];
		assert_string_equal(a->key, b->key);
		assert_string_equal(a->title, b->title);
		assert_ptr_equal(a->ms, b->ms);
		assert_ptr_equal(a->party, b->party);
		assert_ptr_equal(a->part, b->part);
		assert_ptr_equal(a->description, b->description);
		assert_ptr_equal(a->owner, b->owner);
		assert_memory_equal(&a->timing, &b->timing, sizeof(a->timing));
		assert_true(a->start == b->start && a->deadline == b->deadline &&
		    a->not_before == b->not_before && a->opens == b->opens);
		assert_true(a->idx == b->idx && a->occ == b->occ && a->nocc == b->nocc);
		assert_true(a->npre == b->npre && a->npre_runs == b->npre_runs &&
		    a->ndep == b->ndep && a->ndep_runs == b->ndep_runs);
		assert_memory_equal(a->pre_runs, b->pre_runs, a->npre_runs * sizeof(struct irange));
		assert_memory_equal(a->dep_runs, b->dep_runs, a->ndep_runs * sizeof(struct irange));
		free(a->key);
		free((char *)a->title);
		free(a->pre_runs);
		free(a->dep_runs);
	}
	free(was);
	nwholecheck++;
}

static void
part_add(void)
{
	struct tp *t = &T[0];
	char id[16], *cause = NULL, **keys = keys_of(t->p);
	size_t oldn = t->p->ninst, i;
	unsigned long expansions, revision;

	snprintf(id, sizeof(id), "o%zu", nparts++);
	touch_readers();
	/* Now and then one added and taken out again first, as a failed transaction does. */
	if (random() % 3 == 0) {
		if (plan_add_part(t->p, "onderdeel", "weg", "Weg", NULL, &cause) == -1)
			fail_msg("part add: %s", cause);
		expansion_whole(t->p);
		plan_remove_last_part(t->p, plan_dimension(t->p, "onderdeel"));
		expansion_whole(t->p);
	}
	expansions = t->p->expansions;
	revision = t->p->revision;
	if (plan_add_part(t->p, "onderdeel", id, "Onderdeel", random() % 2 ? "x" : NULL,
	    &cause) == -1)
		fail_msg("part add: %s", cause);
	nlive++;
	/* A whole expansion raises the revision for each milestone; in place, once. */
	if (t->p->revision == revision + 1)
		ninplace++;
	if (t->p->expansions != expansions) {
		expansion_whole(t->p);
		assert_int_equal(relink(), 0);
		reshaped(t, keys, t->st, oldn);
		return;
	}
	/* Its instances came last, the others where they were: the schedule extended, as
	 * engine.c does (what requires the part is evaluated again). */
	nappended++;
	expansion_whole(t->p);
	assert_int_equal(relink(), 0);
	for (i = 0; i < oldn; i++) {
		assert_string_equal(keys[i], t->p->inst[i].key);
		free(keys[i]);
	}
	free(keys);
	t->st = xreallocarray(t->st, t->p->ninst, sizeof(*t->st));
	memset(t->st + oldn, 0, (t->p->ninst - oldn) * sizeof(*t->st));
	schedule_extend(t->s, t->p);
	schedule_free(t->ref);
	t->ref = NULL;
	touch_readers();
}

static void
part_cancel(void)
{
	struct tp *t = &T[0];
	struct dimension *d = plan_dimension(t->p, "onderdeel");
	char **keys;
	size_t oldn = t->p->ninst, i;

	if (nlive == 0)
		return;
	/* Any live one: those after it move up. */
	for (i = (size_t)random() % d->nparts; d->parts[i]->cancelled; i = (i + 1) % d->nparts)
		;
	nlive--;
	keys = keys_of(t->p);
	touch_readers();
	plan_cancel_part(t->p, d->parts[i], 1);
	expansion_whole(t->p);
	assert_int_equal(relink(), 0);
	reshaped(t, keys, t->st, oldn);
}

/* A milestone added at run time, requiring one of the plan's: the schedule extended. */
static void
add(int64_t now)
{
	static const char *req[] = { "start", "reeks", "venster", "besluit" };
	struct tp *t = &T[0];
	struct milestone *m = milestone_new();
	char *cause = NULL;
	size_t oldn = t->p->ninst;

	xasprintf(&m->id, "extra%zu", nadded++);
	m->title = xstrdup("Extra");
	m->owner = xstrdup("sec");
	/* Due soon: its reminders come before some change touches it. */
	tz_from_utc(t->p->tz, now, &m->timing.due);
	m->timing.due.has_time = 0;
	ltime_add_days(&m->timing.due, 1 + (int)(random() % 8));
	m->per_party = random() % 2;
	m->reqs = xcalloc(1, sizeof(*m->reqs));
	m->reqs[0].id = xstrdup(req[random() % 4]);
	m->reqs[0].scope = REQ_AUTO;
	m->nreqs = 1;
	m->runtime = 1;
	if (plan_add_milestone(t->p, m, &cause) == -1) {
		free(cause);
		milestone_free(m);
		return;
	}
	t->st = xreallocarray(t->st, t->p->ninst, sizeof(*t->st));
	memset(t->st + oldn, 0, (t->p->ninst - oldn) * sizeof(*t->st));
	schedule_extend(t->s, t->p);
	schedule_free(t->ref);
	t->ref = NULL;
}

/* A deadline moved (termijn move): refused as the engine refuses, or the plan reshaped. */
static void
move(void)
{
	/* Series get longer or shorter, one party's too: instances come and go, groups of
	 * steps taken together change. */
	static const char *ms[] = { "start", "venster", "advies", "reeks", "samen@x", "reeks@y",
	    "besluit@z", "voorstel" };
	struct tp *t = &T[0];
	struct planedit ed;
	struct planedit_saved *sv = NULL;
	char *cause = NULL, js[128], **keys;
	json_t *o;
	size_t oldn = t->p->ninst;

	snprintf(js, sizeof(js), "{\"key\": \"%s\", \"due\": \"2014-0%d-%02d\"}", ms[random() % 8],
	    2 + (int)(random() % 2), 1 + (int)(random() % 28));
	o = json_loads(js, 0, NULL);
	assert_int_equal(planedit_from_json(EDIT_MOVE, o, &ed, &cause), 0);
	json_decref(o);
	keys = keys_of(t->p);
	touch_readers();
	if (planedit_apply(t->p, &ed, &sv, &cause) == -1) {
		free(cause);
		goto out;
	}
	if (relink() == -1) {
		planedit_restore(t->p, sv);
		assert_int_equal(relink(), 0);
		goto out;
	}
	planedit_saved_free(sv);
	/* Its keys the same or not (a series moved), the index holds. */
	assert_index(t->p);
	nmoves++;
	reshaped(t, keys, t->st, oldn);
	keys = NULL;
out:
	if (keys != NULL) {
		size_t i;

		for (i = 0; i < oldn; i++)
			free(keys[i]);
		free(keys);
	}
	planedit_clear(&ed);
}

static int
same(const struct occurrence *a, const struct occurrence *b)
{
	return a->when == b->when && a->kind == b->kind && a->inst == b->inst && a->n == b->n &&
	    a->due == b->due && strcmp(a->role, b->role) == 0;
}

static int
in_list(const struct occurrence *o, const struct occurrence *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (same(o, &v[i]))
			return 1;
	return 0;
}

/*
 * One scan of (from, until] of a plan both ways, the full one with a schedule made anew.
 * The incremental one gives what the full scan gives, less what its last call gave at its until already (the window's first
 * second, scanned twice on purpose, by every call within that second); the next moment is
 * the same.
 */
static void
compare(struct tp *t, int64_t from, int64_t until, int64_t last)
{
	struct occurrence *full, *inc;
	size_t nf, ni, i, k;
	int64_t next;
	int whole;
	char a[32], b[32];

	/* Not from t->s: what it kept of a plan of another shape is under test too. */
	if (t->ref == NULL)
		t->ref = schedule_new(t->p);
	nf = schedule_scan(t->ref, t->p, t->st, from, until, &full, &next);
	ni = schedule_due(t->s, t->p, t->st, from, until, &inc);
	for (i = 0; i < ni; i++)
		if (!in_list(&inc[i], full, nf)) {
			utc_format(inc[i].when, a, sizeof(a));
			fail_msg("%s: %s %s at %s given, not by the full scan", t->p->id,
			    rkind_name(inc[i].kind), t->p->inst[inc[i].inst].key, a);
		}
	for (i = 0; i < nf; i++) {
		seen_kind[full[i].kind]++;
		if (in_list(&full[i], inc, ni))
			continue;
		if (full[i].when == last && in_list(&full[i], t->prev, t->nprev))
			continue;
		utc_format(full[i].when, a, sizeof(a));
		utc_format(until, b, sizeof(b));
		if (getenv("SCHEDINC_DEBUG")) {
			const struct instance *in = &t->p->inst[full[i].inst];
			size_t x, y;

			IRANGE_FOREACH(in->pre_runs, in->npre_runs, x, y) {
				const struct instance *pr = &t->p->inst[y];
				size_t u, w;

				fprintf(stderr, "pre %s deps:", pr->key);
				IRANGE_FOREACH(pr->dep_runs, pr->ndep_runs, u, w)
					fprintf(stderr, " %s", t->p->inst[w].key);
				fprintf(stderr, "\n");
			}
		}
		fail_msg("%s: %s %s at %s missed by the incremental scan until %s", t->p->id,
		    rkind_name(full[i].kind), t->p->inst[full[i].inst].key, a, b);
	}
	if (schedule_head(t->s) != next) {
		utc_format(schedule_head(t->s), a, sizeof(a));
		utc_format(next, b, sizeof(b));
		fail_msg("%s: next %s incrementally, %s by the full scan", t->p->id, a, b);
	}
	nevaluated += ni;
	free(full);
	/* Never whole again after the first: a part or a move is no exception. */
	k = schedule_evaluated(t->s, &whole);
	if (whole)
		nwhole[t - T]++;
	if (t == &T[0] && was_reshaped) {
		nreshaped++;
		reshaped_eval += k;
		reshaped_inst += t->p->ninst;
		was_reshaped = 0;
	}
	/* Scans within one second: what any of them gave at that second was given. */
	if (until == last && t->prev != NULL) {
		t->prev = xreallocarray(t->prev, t->nprev + ni + 1, sizeof(*t->prev));
		if (ni > 0)
			memcpy(t->prev + t->nprev, inc, ni * sizeof(*inc));
		t->nprev += ni;
		free(inc);
		return;
	}
	free(t->prev);
	t->prev = inc;
	t->nprev = ni;
}

/* The two plans from their text, all open, linked, each with its schedule. */
static void
plans_new(unsigned seed, int shape)
{
	size_t i;

	srandom(seed);
	memset(T, 0, sizeof(T));
	nparts = nlive = nadded = nappended = ninplace = 0;
	nwhole[0] = nwhole[1] = 0;
	many = shape;
	if (many && text_many_a == NULL)
		texts_many();
	T[0].p = parse("a.plan", many ? text_many_a : text_a);
	T[1].p = parse("b.plan", many ? text_many_b : text_b);
	for (i = 0; i < 2; i++) {
		T[i].st = xcalloc(T[i].p->ninst, sizeof(struct istate));
		T[i].s = schedule_new(T[i].p);
	}
	assert_int_equal(relink(), 0);
}

static void
plans_free(void)
{
	size_t i, k;

	for (i = 0; i < 2; i++) {
		for (k = 0; k < T[i].p->ninst; k++)
			istate_clear(&T[i].st[k]);
		free(T[i].st);
		free(T[i].prev);
		schedule_free(T[i].s);
		schedule_free(T[i].ref);
	}
	plan_free(T[0].p);
	plan_free(T[1].p);
}

/*
 * One run: the plans from their text, random changes and scans until May. In the many
 * parties' shape no milestone is added: the one per part stays last.
 */
static void
run(unsigned seed, int shape)
{
	int64_t now, last, end;
	size_t step, k;
	int r, c;

	plans_new(seed, shape);
	assert_int_equal(instant_parse("2013-12-20T00:00:00Z", NULL, &now), 0);
	assert_int_equal(instant_parse("2014-05-01T00:00:00Z", NULL, &end), 0);
	last = now;
	for (step = 0; step < 10000 && now < end; step++) {
		/* A few changes between two scans, all in the second of the last scan or later. */
		for (c = (int)(random() % 3); c > 0; c--, nchanges++) {
			r = (int)(random() % 200);
			if (r < 2 && nlive < 3)
				part_add();
			else if (r < 4)
				part_cancel();
			else if (r < 8 && nadded < (many == 1 ? 0 : 40))
				add(now);
			else if (r < 11)
				move();
			else {
				struct tp *t = &T[random() % 2];

				if (t->p->ninst > 0)
					set_state(t, (size_t)random() % t->p->ninst, now);
			}
		}
		/* Scans in the same second, a second on, minutes, hours, and a day or two. */
		r = (int)(random() % 100);
		now += r < 20 ? 0 : r < 35 ? 1 : r < 65 ? random() % 1200 : r < 99 ?
		    random() % 3600 : random() % 86400;
		/* Now and then a scan whose transaction failed (remind.c scan_redo): what it
		 * gave is lost, what it evaluated is evaluated again, from where it began. */
		if (random() % 40 == 0) {
			for (k = 0; k < 2; k++) {
				struct occurrence *o;

				schedule_due(T[k].s, T[k].p, T[k].st, last - 1, now, &o);
				free(o);
				schedule_redo(T[k].s);
			}
			nredone++;
			now += random() % 600;
		}
		for (k = 0; k < 2; k++)
			compare(&T[k], last - 1, now, last);
		last = now;
	}
	/* Each plan was evaluated whole once, at its first scan: a part or a move is no
	 * exception. */
	assert_int_equal(nwhole[0], 1);
	assert_int_equal(nwhole[1], 1);
	assert_true(nparts > 0 && (many == 1 || nadded > 0));
	/*
	 * Every part was linked in place (one milestone is per part): at the plan's end in the
	 * many parties' plan while no milestone is added, else before the milestones after it.
	 */
	assert_int_equal(ninplace, nparts);
	if (many == 1)
		assert_int_equal(nappended, nparts);
	else
		assert_true(nappended < nparts);
	plans_free();
}

static void
test_incremental_equals_full(void **state)
{
	size_t k;

	(void)state;
	/* Which kinds come up depends on the draw: over a few, every one does. */
	run(1, 0);
	run(2, 0);
	run(7, 0);
	run(4, 1);
	run(5, 2);
	run(6, 2);
	if (getenv("SCHEDINC_DEBUG"))
		fprintf(stderr, "%zu changes, %zu moves, %zu scans lost, %zu occurrences; after "
		    "%zu changes of shape %zu of %zu instances evaluated\n", nchanges, nmoves,
		    nredone, nevaluated, nreshaped, reshaped_eval, reshaped_inst);
	assert_true(nchanges > 20000);
	/* Every kind came up, parts and moves happened: the comparison had things to compare. */
	for (k = 0; k <= RK_LAST; k++)
		if (seen_kind[k] == 0)
			fail_msg("no %s occurred", rkind_name((enum rkind)k));
	assert_true(nmoves > 100 && nredone > 100);
	/* Each part's expansion was compared with a whole one, a part taken out again too. */
	assert_true(nwholecheck > nparts);
	assert_true(nevaluated > 3000);
	/* After a part or a move, only what it touched: a few of the plan's instances. */
	assert_true(nreshaped > 300);
	assert_true(reshaped_eval * 4 < reshaped_inst);
}

static int64_t
local_at(const struct plan *p, const char *s)
{
	struct ltime t;

	assert_int_equal(ltime_parse(s, &t), 0);
	return tz_to_utc(p->tz, &t);
}

/*
 * A part added to what a step waits for (every part of voorstel): the step is evaluated
 * again, though its prerequisites' run only grew at its end. bundel was to go ahead at its
 * not-before, 10 April; a new part, open, holds it back.
 */
static void
holds_back(int shape)
{
	int64_t now;
	size_t i, k;

	plans_new(3, shape);
	assert_int_equal(instant_parse("2014-03-20T00:00:00Z", NULL, &now), 0);
	part_add();
	/* All done but bundel: its go-ahead is the only thing to come but its reminders. */
	for (k = 0; k < 2; k++)
		for (i = 0; i < T[k].p->ninst; i++)
			if (strcmp(T[k].p->inst[i].ms->id, "bundel") != 0) {
				T[k].st[i].status = ST_DONE;
				T[k].st[i].at = T[k].st[i].changed = now - 3600;
			}
	for (k = 0; k < 2; k++)
		compare(&T[k], now - 1, now, now);
	assert_int_equal(schedule_head(T[0].s), local_at(T[0].p, "2014-04-10 09:00"));
	part_add();
	for (k = 0; k < 2; k++)
		compare(&T[k], now - 1, now + 60, now);
	assert_true(schedule_head(T[0].s) > local_at(T[0].p, "2014-04-10 09:00"));
	assert_int_equal(nappended, shape ? 2 : 0);
	plans_free();
}

static void
test_part_holds_back(void **state)
{
	(void)state;
	holds_back(0);
}

/* The same where the part's instances come last and only what requires them is touched. */
static void
test_appended_part_holds_back(void **state)
{
	(void)state;
	holds_back(1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incremental_equals_full),
		cmocka_unit_test(test_part_holds_back),
		cmocka_unit_test(test_appended_part_holds_back),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(text_many_a);
	free(text_many_b);
	tz_free();
	return rc;
}
