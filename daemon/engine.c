/* engine.c: plans and their states in memory, kept in step with the store; the changes. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "authz.h"
#include "engine.h"
#include "ical.h"
#include "links.h"
#include "persons.h"
#include "schedule.h"
#include "suggest.h"
#include "i18n.h"
#include "log.h"
#include "tz.h"
#include "xmalloc.h"

void
eng_result_clear(struct eng_result *r)
{
	size_t i;

	free(r->message);
	free(r->unmet);
	free(r->list);
	free(r->xlist);
	for (i = 0; i < r->ncandidates; i++)
		free(r->candidates[i]);
	free(r->candidates);
	for (i = 0; i < r->nkeys; i++)
		free(r->keys[i]);
	free(r->keys);
	free(r->before);
	free(r->after);
	memset(r, 0, sizeof(*r));
}

static int
fail(struct eng_result *r, enum eng_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct eng_result *r, enum eng_rc rc, const char *fmt, ...)
{
	va_list ap;

	free(r->message);
	va_start(ap, fmt);
	if (vasprintf(&r->message, fmt, ap) == -1)
		r->message = NULL;
	va_end(ap);
	r->rc = rc;
	return rc;
}

static void
pstates_free(struct pstate *ps, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; ps[i].st != NULL && j < ps[i].plan->ninst; j++)
			istate_clear(&ps[i].st[j]);
		free(ps[i].st);
		free(ps[i].seq);
		free(ps[i].thash);
		free(ps[i].carried);
		schedule_free(ps[i].sched);
		persons_free(ps[i].people);
		plan_free(ps[i].plan);
	}
	free(ps);
}

static void
orphans_free(struct orphan *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(o[i].plan);
		free(o[i].key);
		istate_clear(&o[i].st);
	}
	free(o);
}

static void
unfit_free(struct unfit *u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(u[i].plan);
		free(u[i].id);
		free(u[i].title);
		free(u[i].why);
	}
	free(u);
}

static void
conflict_clear(struct conflict *c)
{
	free(c->plan);
	free(c->id);
	free(c->kind);
	free(c->runtime);
	free(c->file);
	free(c->why);
	free(c->actor);
	free(c->reason);
}

static void
conflicts_free(struct conflict *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		conflict_clear(&c[i]);
	free(c);
}

void
engine_free(struct engine *e)
{
	pstates_free(e->plans, e->nplans);
	orphans_free(e->orphans, e->norphans);
	unfit_free(e->unfit, e->nunfit);
	conflicts_free(e->conflicts, e->nconflicts);
	free(e->plans_dir);
	free(e->by_id);
	free(e->touched);
	e->touched = NULL;
	e->ntouched = e->touched_cap = 0;
	e->by_id = NULL;
	e->plans = NULL;
	e->orphans = NULL;
	e->unfit = NULL;
	e->conflicts = NULL;
	e->nplans = e->norphans = e->nunfit = e->nconflicts = 0;
}

/* qsort has no argument for the array being sorted; the plans being indexed go here. */
static _Thread_local const struct pstate *sorting;

static int
cmp_plan_id(const void *a, const void *b)
{
	const size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sorting[x].plan->id, sorting[y].plan->id);

	return c != 0 ? c : x < y ? -1 : x > y;
}

/* Indices of ps by plan id (of one id, in file order): thousands of plans exist. */
static size_t *
index_plans(const struct pstate *ps, size_t n)
{
	size_t *v = xcalloc(n ? n : 1, sizeof(size_t)), i;

	for (i = 0; i < n; i++)
		v[i] = i;
	sorting = ps;
	qsort(v, n, sizeof(size_t), cmp_plan_id);
	sorting = NULL;
	return v;
}

static struct pstate *
find_plan(struct pstate *ps, const size_t *by_id, size_t n, const char *id)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(ps[by_id[mid]].plan->id, id)) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(ps[by_id[lo]].plan->id, id) == 0 ? &ps[by_id[lo]] : NULL;
}

struct pstate *
engine_plan(struct engine *e, const char *id)
{
	return find_plan(e->plans, e->by_id, e->nplans, id);
}

struct pstate *
engine_pstate(struct engine *e, const struct plan *p)
{
	struct pstate *ps = engine_plan(e, p->id);

	return ps != NULL && ps->plan == p ? ps : NULL;
}

/* The reminders look at plan ps again at their next scan (see engine.h). */
static void
touched_plan(struct engine *e, const struct pstate *ps)
{
	/* Nobody looked for long (no reminders, termijnd -n): all of it, at once, if ever. */
	if (e->ntouched >= 65536) {
		e->touched_all = 1;
		e->ntouched = 0;
	}
	XGROW(e->touched, e->ntouched, e->touched_cap);
	e->touched[e->ntouched++] = (size_t)(ps - e->plans);
}

/*
 * The state of instance idx changed: its schedule, and that of what reads its state
 * (its dependents, its steps taken together, in other plans too), is evaluated again.
 */
static void
touch(struct engine *e, struct pstate *ps, size_t idx)
{
	const struct xlink *x;
	struct pstate *q;
	size_t i, n;

	if (ps->sched == NULL)
		return;		/* made anew, whole, when published */
	schedule_touch(ps->sched, ps->plan, idx);
	touched_plan(e, ps);
	for (n = links_dep(ps->plan, idx, &x), i = 0; i < n; i++)
		if ((q = engine_pstate(e, x[i].plan)) != NULL && q->sched != NULL) {
			schedule_touch_reader(q->sched, q->plan, x[i].inst);
			touched_plan(e, q);
		}
}

/* What a feed shows of plan ps changed (feeds.c keeps a render while nothing it shows did). */
static void
shown_changed(struct engine *e, struct pstate *ps)
{
	ps->changed = ++e->generation;
}

/*
 * Plan ps changed shape (instances, roles, links), its links made anew: the plans linked
 * with it now show other steps of it, or show them for the first time.
 */
static void
shape_changed(struct engine *e, struct pstate *ps)
{
	const struct xlinks *xl = ps->plan->xl;
	struct pstate *q;
	size_t i;

	shown_changed(e, ps);
	ps->shaped = e->shaped = e->generation;
	for (i = 0; xl != NULL && i < xl->npre + xl->ndep; i++)
		if ((q = engine_pstate(e, i < xl->npre ? xl->pre[i].plan :
		    xl->dep[i - xl->npre].plan)) != NULL)
			q->changed = e->generation;
}

/* The requirements between the plans of ps[0 .. n), resolved and checked. */
static int
link_plans(struct pstate *ps, size_t n, struct errlist *errs)
{
	struct linkplan *v = xcalloc(n ? n : 1, sizeof(*v));
	size_t i;
	int rv;

	for (i = 0; i < n; i++) {
		v[i].plan = ps[i].plan;
		v[i].st = &ps[i].st;
		v[i].stamp = &ps[i].stamp;
	}
	rv = links_resolve(v, n, errs);
	free(v);
	return rv;
}

/* ---- milestones added at run time, kept as JSON ---- */

static int
json_ltime(json_t *def, const char *name, struct ltime *lt, char **cause)
{
	json_t *v = json_object_get(def, name);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || ltime_parse(json_string_value(v), lt) == -1) {
		xasprintf(cause, _("%s: write YYYY-MM-DD or YYYY-MM-DD HH:MM"), name);
		return -1;
	}
	return 0;
}

static const char *
json_str(json_t *def, const char *name)
{
	json_t *v = json_object_get(def, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static struct milestone *
milestone_from_json(json_t *def, char **cause)
{
	struct milestone *m = milestone_new();
	const char *id = json_str(def, "id"), *title = json_str(def, "title");
	const char *owner = json_str(def, "owner"), *desc = json_str(def, "description");
	json_t *parties = json_object_get(def, "parties"), *req = json_object_get(def, "requires");
	json_t *v;
	size_t i;

	if (!json_is_object(def)) {
		xasprintf(cause, _("the milestone must be a JSON object"));
		goto bad;
	}
	if (!id_valid(id)) {
		xasprintf(cause, _("id: lower case letters, digits, - _ . (at most 64)"));
		goto bad;
	}
	if (title == NULL || *title == '\0' || strlen(title) > 1000 || !text_valid(title, 0)) {
		xasprintf(cause, _("title: one line of text, at most 1000 bytes"));
		goto bad;
	}
	if (owner == NULL || !id_valid(owner)) {
		xasprintf(cause, _("owner: a role id"));
		goto bad;
	}
	if (desc != NULL && (strlen(desc) > 20000 || !text_valid(desc, 1))) {
		xasprintf(cause, _("description: text without control characters, at most 20000 "
		    "bytes"));
		goto bad;
	}
	m->id = xstrdup(id);
	m->title = xstrdup(title);
	m->owner = xstrdup(owner);
	m->description = desc ? xstrdup(desc) : NULL;
	m->runtime = 1;
	if (json_ltime(def, "due", &m->timing.due, cause) == -1 ||
	    json_ltime(def, "from", &m->timing.from, cause) == -1 ||
	    json_ltime(def, "not_before", &m->timing.not_before, cause) == -1)
		goto bad;
	if (!m->timing.due.set) {
		xasprintf(cause, _("due: required"));
		goto bad;
	}
	if (json_is_string(parties) && strcmp(json_string_value(parties), "all") == 0)
		m->per_party = 1;
	else if (json_is_array(parties)) {
		m->per_party = 1;
		json_array_foreach(parties, i, v) {
			if (!json_is_string(v) || !id_valid(json_string_value(v))) {
				xasprintf(cause, _("parties: \"all\" or a list of party ids"));
				goto bad;
			}
			m->parties = xreallocarray(m->parties, m->nparties + 1, sizeof(char *));
			m->parties[m->nparties++] = xstrdup(json_string_value(v));
		}
	} else if (parties != NULL && !json_is_null(parties)) {
		xasprintf(cause, _("parties: \"all\" or a list of party ids"));
		goto bad;
	}
	if (req != NULL && !json_is_null(req) && !json_is_array(req)) {
		xasprintf(cause, _("requires: a list of milestone ids"));
		goto bad;
	}
	json_array_foreach(req, i, v) {
		if (!json_is_string(v)) {
			xasprintf(cause, _("requires: a list of milestone ids"));
			goto bad;
		}
		m->reqs = xreallocarray(m->reqs, m->nreqs + 1, sizeof(*m->reqs));
		if (requirement_parse(json_string_value(v), &m->reqs[m->nreqs], cause) == -1)
			goto bad;
		m->nreqs++;
		if (m->reqs[m->nreqs - 1].plan != NULL) {
			xasprintf(cause, _("requires %s: a milestone added at run time cannot require "
			    "one of another plan"), json_string_value(v));
			goto bad;
		}
	}
	return m;
bad:
	milestone_free(m);
	return NULL;
}

/* ---- loading ---- */

struct added {
	char		*id;
	char		*def;
	char		*title;		/* as far as known, and why it did not fit (yet) */
	char		*why;
};

/* A part as recorded, kept until the plan's parts are restored together. */
struct rpart {
	char	*dim, *id, *title, *lead;
	int	 cancelled;
};

/*
 * What the store keeps of a plan besides its file, in the order it was recorded: read for
 * all plans in one query each, not three queries a plan (thousands of plans are reloaded
 * while the loop waits).
 */
struct planrows {
	struct rpart		*rparts;
	size_t			 nrparts;
	struct added		*added;
	size_t			 nadded;
	struct change_row	*changes;	/* copies: change_row_free */
	size_t			 nchanges;
};

struct loadctx {
	struct engine	*e;
	struct pstate	*ps;
	size_t		 nps;
	size_t		*by_id;		/* ps by plan id */
	struct pstate	*last;		/* states come by plan: the one of the state before */
	struct planrows	*rows;		/* by index of ps */
	struct pstate	*rows_last;	/* rows come by plan: the plan of the row before */
	struct orphan	*orphans;
	size_t		 norphans;
	struct unfit	*unfit;
	size_t		 nunfit;
	struct conflict	*conflicts;
	size_t		 nconflicts;
	struct errlist	*errs;
	int		 dbfail;
};

/* The rows kept for plan (NULL: no plan of that id is loaded, the row waits in the store). */
static struct planrows *
rows_of(struct loadctx *lc, const char *plan)
{
	struct pstate *ps = lc->rows_last;

	if (ps == NULL || strcmp(ps->plan->id, plan) != 0)
		ps = lc->rows_last = find_plan(lc->ps, lc->by_id, lc->nps, plan);
	return ps != NULL ? &lc->rows[ps - lc->ps] : NULL;
}

static void
load_added_cb(const char *plan, const char *id, const char *def, void *arg)
{
	struct planrows *r = rows_of(arg, plan);

	if (r == NULL)
		return;
	r->added = xreallocarray(r->added, r->nadded + 1, sizeof(*r->added));
	memset(&r->added[r->nadded], 0, sizeof(*r->added));
	r->added[r->nadded].id = xstrdup(id);
	r->added[r->nadded].def = xstrdup(def);
	r->nadded++;
}

/* One addition into the plan; its milestone, title or why it does not fit. */
static int
restore_added(struct plan *p, const struct added *a, char **title, char **cause)
{
	struct milestone *m;
	json_error_t jerr;
	json_t *j;
	const char *t;

	*title = NULL;
	if ((j = json_loads(a->def, 0, &jerr)) == NULL) {
		xasprintf(cause, _("its definition is not JSON: %s"), jerr.text);
		return -1;
	}
	if ((t = json_str(j, "title")) != NULL)
		*title = xstrdup(t);
	if ((m = milestone_from_json(j, cause)) == NULL) {
		json_decref(j);
		return -1;
	}
	json_decref(j);
	if (plan_add_milestone(p, m, cause) == -1) {
		milestone_free(m);
		return -1;
	}
	return 0;
}

/*
 * The plan's additions, in the order they were made (each fitted the plan as it was then),
 * again while any went in: an order that is off for whatever reason still comes right.
 * What no longer fits (the plan file changed under it) stays in the database and is
 * listed, so that nothing recorded disappears from view.
 */
static void
restore_additions(struct loadctx *lc, struct pstate *ps, struct planrows *rows)
{
	struct added *left = rows->added, *a;
	size_t n = rows->nadded, i, nleft;
	int progress = 1;

	while (n > 0 && progress) {
		progress = 0;
		nleft = 0;
		for (i = 0; i < n; i++) {
			a = &left[i];
			free(a->title);
			free(a->why);
			a->why = NULL;
			if (restore_added(ps->plan, a, &a->title, &a->why) == 0) {
				free(a->id);
				free(a->def);
				free(a->title);
				progress = 1;
			} else
				left[nleft++] = *a;
		}
		n = nleft;
	}
	for (i = 0; i < n; i++) {
		struct unfit *u;

		lc->unfit = xreallocarray(lc->unfit, lc->nunfit + 1, sizeof(*u));
		u = &lc->unfit[lc->nunfit++];
		u->plan = xstrdup(ps->plan->id);
		u->id = left[i].id;
		u->title = left[i].title;
		u->why = left[i].why != NULL ? left[i].why : xstrdup("?");
		free(left[i].def);
	}
	free(rows->added);
	rows->added = NULL;
	rows->nadded = 0;
}

static void
load_part_cb(const struct part_row *row, void *arg)
{
	struct planrows *rows = rows_of(arg, row->plan);
	struct rpart *r;

	if (rows == NULL)
		return;
	rows->rparts = xreallocarray(rows->rparts, rows->nrparts + 1, sizeof(*r));
	r = &rows->rparts[rows->nrparts++];
	r->dim = xstrdup(row->dim);
	r->id = xstrdup(row->id);
	r->title = xstrdup(row->title);
	r->lead = row->lead != NULL ? xstrdup(row->lead) : NULL;
	r->cancelled = row->cancelled != 0;
}

static void
part_unfit(struct loadctx *lc, const struct plan *p, const struct rpart *r, const char *why)
{
	struct unfit *u;

	lc->unfit = xreallocarray(lc->unfit, lc->nunfit + 1, sizeof(*u));
	u = &lc->unfit[lc->nunfit++];
	u->plan = xstrdup(p->id);
	xasprintf(&u->id, "%s#%s", r->dim, r->id);
	u->title = xstrdup(r->title);
	u->why = xstrdup(why);
}

static void
rparts_free(struct planrows *rows)
{
	size_t j;

	for (j = 0; j < rows->nrparts; j++) {
		free(rows->rparts[j].dim);
		free(rows->rparts[j].id);
		free(rows->rparts[j].title);
		free(rows->rparts[j].lead);
	}
	free(rows->rparts);
	rows->rparts = NULL;
	rows->nrparts = 0;
}

/*
 * The plan's parts, in the order they were added: all at once and the plan expanded once,
 * as they fitted when each was added. Should the plan file have changed under them, one by
 * one, and what no longer fits is kept in the database and listed, as an addition would be.
 */
static void
restore_parts(struct loadctx *lc, struct pstate *ps, struct planrows *rows)
{
	struct plan *p = ps->plan;
	struct errlist errs = { 0 };
	struct dimension *d;
	struct part *pt;
	char *cause;
	size_t i;
	int fits = 1;

	if (rows->nrparts == 0)
		return;
	for (i = 0; i < rows->nrparts && fits; i++) {
		struct rpart *r = &rows->rparts[i];

		if ((d = plan_dimension(p, r->dim)) == NULL || dimension_part(d, r->id) != NULL ||
		    d->nparts >= PLAN_MAX_PARTS || (r->lead != NULL && plan_party(p, r->lead) == NULL)) {
			fits = 0;
			break;
		}
		pt = xcalloc(1, sizeof(*pt));
		pt->id = xstrdup(r->id);
		pt->title = xstrdup(r->title);
		pt->lead = r->lead != NULL ? xstrdup(r->lead) : NULL;
		pt->cancelled = r->cancelled;
		pt->ord = d->nparts;
		d->parts = xreallocarray(d->parts, d->nparts + 1, sizeof(*d->parts));
		d->parts[d->nparts++] = pt;
	}
	if (fits && plan_expand(p, &errs) == 0)
		goto done;
	errlist_free(&errs);
	for (i = 0; i < p->ndims; i++)
		while (p->dims[i].nparts > 0)
			plan_remove_last_part(p, &p->dims[i]);
	for (i = 0; i < rows->nrparts; i++) {
		struct rpart *r = &rows->rparts[i];

		if (plan_add_part(p, r->dim, r->id, r->title, r->lead, &cause) == -1) {
			part_unfit(lc, p, r, cause);
			free(cause);
			continue;
		}
		if (r->cancelled) {
			d = plan_dimension(p, r->dim);
			plan_cancel_part(p, d->parts[d->nparts - 1], 1);
		}
	}
done:
	rparts_free(rows);
}

/*
 * A change's outcome at start: the last word on a milestone's kind of change (and, for a
 * requirement, on that requirement) replaces what an earlier one said; why NULL: in force.
 */
static void
change_outcome(struct loadctx *lc, const struct change_row *row, const char *file,
    const char *why)
{
	struct conflict *c = NULL;
	size_t i;

	for (i = 0; i < lc->nconflicts && c == NULL; i++)
		if (strcmp(lc->conflicts[i].plan, row->plan) == 0 &&
		    strcmp(lc->conflicts[i].id, row->id) == 0 &&
		    strcmp(lc->conflicts[i].kind, row->kind) == 0 &&
		    (strcmp(row->kind, "require") != 0 ||
		    strcmp(lc->conflicts[i].runtime, row->new) == 0))
			c = &lc->conflicts[i];
	if (c != NULL) {
		conflict_clear(c);
		*c = lc->conflicts[--lc->nconflicts];
	}
	if (why == NULL)
		return;
	lc->conflicts = xreallocarray(lc->conflicts, lc->nconflicts + 1, sizeof(*c));
	c = &lc->conflicts[lc->nconflicts++];
	c->plan = xstrdup(row->plan);
	c->id = xstrdup(row->id);
	c->kind = xstrdup(row->kind);
	c->runtime = xstrdup(row->new);
	c->file = file != NULL ? xstrdup(file) : NULL;
	c->why = xstrdup(why);
	c->actor = xstrdup(row->actor);
	c->reason = xstrdup(row->reason);
	c->at = row->at;
}

/*
 * A change made at run time, once more on the plan as it was read. The plan file may have
 * been edited since: where it still says what it said when the change was made (old), the
 * change applies; where it says what the change made (new), there is nothing to do; where
 * it says a third thing, the file was edited after the change, and the later word wins: the
 * file's. The change is then kept but not in force, and reported (termijn status).
 */
static void
replay_change(struct loadctx *lc, struct pstate *ps, const struct change_row *row)
{
	struct plan *p = ps->plan;
	struct planedit ed;
	struct planedit_saved *sv;
	json_error_t jerr;
	json_t *def;
	char *cur, *cause = NULL, *why;
	int k;

	for (k = EDIT_MOVE; k <= EDIT_REQUIRE; k++)
		if (strcmp(planedit_kind_name(k), row->kind) == 0)
			break;
	if (k > EDIT_REQUIRE || (def = json_loads(row->def, 0, &jerr)) == NULL) {
		change_outcome(lc, row, NULL, "its record cannot be read");
		return;
	}
	if (planedit_from_json(k, def, &ed, &cause) == -1) {
		change_outcome(lc, row, NULL, cause);
		free(cause);
		json_decref(def);
		return;
	}
	json_decref(def);
	cur = planedit_value(p, &ed);
	if (cur == NULL)
		change_outcome(lc, row, NULL, "the plan file has no such milestone now");
	else if (strcmp(cur, row->new) == 0)
		change_outcome(lc, row, cur, NULL);
	else if (strcmp(cur, row->old) != 0) {
		xasprintf(&why, "the plan file was changed since (%s, then %s): the file wins",
		    row->old, cur);
		change_outcome(lc, row, cur, why);
		free(why);
	} else if (planedit_apply(p, &ed, &sv, &cause) == -1) {
		xasprintf(&why, "it no longer fits the plan: %s", cause);
		change_outcome(lc, row, cur, why);
		free(why);
		free(cause);
	} else {
		planedit_saved_free(sv);
		change_outcome(lc, row, cur, NULL);
	}
	free(cur);
	planedit_clear(&ed);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
load_change_cb(const struct change_row *row, void *arg)
{
	struct planrows *rows = rows_of(arg, row->plan);
	struct change_row *c;

	if (rows == NULL)
		return;
	rows->changes = xreallocarray(rows->changes, rows->nchanges + 1, sizeof(*c));
	c = &rows->changes[rows->nchanges++];
	c->plan = dup_or_null(row->plan);
	c->id = dup_or_null(row->id);
	c->kind = dup_or_null(row->kind);
	c->def = dup_or_null(row->def);
	c->old = dup_or_null(row->old);
	c->new = dup_or_null(row->new);
	c->at = row->at;
	c->actor = dup_or_null(row->actor);
	c->reason = dup_or_null(row->reason);
}

/* The rows of each plan, and what restoring left of them (restore_* take what they use). */
static void
planrows_free(struct planrows *rows, size_t n)
{
	struct change_row *c;
	size_t i, j;

	for (i = 0; rows != NULL && i < n; i++) {
		rparts_free(&rows[i]);
		for (j = 0; j < rows[i].nadded; j++) {
			free(rows[i].added[j].id);
			free(rows[i].added[j].def);
		}
		free(rows[i].added);
		for (j = 0; j < rows[i].nchanges; j++) {
			c = &rows[i].changes[j];
			free((char *)c->plan);
			free((char *)c->id);
			free((char *)c->kind);
			free((char *)c->def);
			free((char *)c->old);
			free((char *)c->new);
			free((char *)c->actor);
			free((char *)c->reason);
		}
		free(rows[i].changes);
	}
	free(rows);
}

static void
add_orphan(struct loadctx *lc, const char *plan, const char *key, const struct istate *is)
{
	struct orphan *o;

	lc->orphans = xreallocarray(lc->orphans, lc->norphans + 1, sizeof(*o));
	o = &lc->orphans[lc->norphans++];
	o->plan = xstrdup(plan);
	o->key = xstrdup(key);
	o->st = *is;
	o->st.actor = is->actor ? xstrdup(is->actor) : NULL;
	o->st.note = is->note ? xstrdup(is->note) : NULL;
}

static void
copy_state(struct istate *dst, const struct istate *src)
{
	istate_clear(dst);
	*dst = *src;
	dst->actor = src->actor ? xstrdup(src->actor) : NULL;
	dst->note = src->note ? xstrdup(src->note) : NULL;
}

static void
load_state_cb(const char *planid, const char *key, const struct istate *is, void *arg)
{
	struct loadctx *lc = arg;
	struct pstate *ps = lc->last;
	struct instance *in;
	struct milestone *m;
	struct audit a;
	char *id, *newkey;
	const char *suffix;

	if (ps == NULL || strcmp(ps->plan->id, planid) != 0)
		ps = lc->last = find_plan(lc->ps, lc->by_id, lc->nps, planid);
	if (ps == NULL) {
		add_orphan(lc, planid, key, is);
		return;
	}
	if ((in = plan_instance(ps->plan, key)) != NULL) {
		copy_state(&ps->st[in->idx], is);
		return;
	}
	/* A cancelled part's steps keep their state in the database, out of sight. */
	if (plan_key_cancelled(ps->plan, key))
		return;
	/* A milestone renamed in the plan ("formerly") takes its old state along. */
	/* The key's suffix, "@PARTY" or "#PART" and "/DATE", stays. */
	suffix = key + strcspn(key, "@#/");
	id = xstrndup(key, (size_t)(suffix - key));
	if ((m = plan_renamed(ps->plan, id)) != NULL) {
		xasprintf(&newkey, "%s%s", m->id, suffix);
		if ((in = plan_instance(ps->plan, newkey)) != NULL &&
		    ps->st[in->idx].changed == 0) {
			memset(&a, 0, sizeof(a));
			a.at = is->changed;
			a.actor = "termijnd";
			a.uid = -1;
			a.plan = planid;
			a.key = newkey;
			a.action = "rename";
			a.reason = key;
			if (store_rename(lc->e->store, planid, key, newkey) == -1 ||
			    store_audit(lc->e->store, &a) == -1)
				lc->dbfail = 1;
			log_info("plan %s: state of %s carried over to %s", planid, key, newkey);
			copy_state(&ps->st[in->idx], is);
			free(newkey);
			free(id);
			return;
		}
		free(newkey);
	}
	free(id);
	add_orphan(lc, planid, key, is);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; s != NULL && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h * 1099511628211ULL;
}

/* What the store has published of a plan's instances, by index. */
struct seqload {
	const struct plan	*p;
	size_t			 pos;		/* rows come by key: a merge with inst_sorted */
	uint64_t		*hash;
	int			*seq;
	unsigned char		*known;
};

static void
seq_cb(const char *key, uint64_t hash, int seq, void *arg)
{
	struct seqload *sl = arg;
	const struct plan *p = sl->p;
	size_t i;
	int c = 1;

	while (sl->pos < p->ninst &&
	    (c = strcmp(p->inst[p->inst_sorted[sl->pos]].key, key)) < 0)
		sl->pos++;
	if (c != 0 || sl->pos == p->ninst)
		return;
	i = p->inst_sorted[sl->pos];
	sl->hash[i] = hash;
	sl->seq[i] = seq;
	sl->known[i] = 1;
}

/* v in lower-case hex without leading zeros, as "%llx" writes it (buf of 17 at least). */
static const char *
hex64(uint64_t v, char *buf)
{
	char *c = buf + 16;

	*c = '\0';
	do {
		*--c = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v != 0);
	return c;
}

/*
 * What publishing a plan takes that is pure: its schedule, the timing digest of each
 * instance and the digest of the whole, for the instances not done yet (an addition
 * appends some; after a part, those carried over are done).
 */
static void
publish_prepare(struct pstate *ps)
{
	struct plan *p = ps->plan;
	uint64_t h;
	size_t i;
	char buf[32];

	/* Expanded again since (a part restored): its instances moved, all is made again. */
	if (ps->expansions != p->expansions) {
		schedule_free(ps->sched);
		ps->sched = NULL;
		ps->nthash = 0;
		free(ps->carried);
		ps->carried = NULL;
		ps->expansions = p->expansions;
	}
	if (ps->sched == NULL)
		ps->sched = schedule_new(p);
	else
		schedule_extend(ps->sched, p);
	if (ps->nthash == 0) {
		h = 14695981039346656037ULL;
		h = fnv(h, p->title);
		h = fnv(h, p->description);
		h = fnv(h, p->tz);
		/* Requirements added at run time change the text (the prerequisites) of events. */
		for (i = 0; i < p->nms; i++) {
			size_t j;

			for (j = 0; j < p->ms[i].nreqs; j++)
				if (p->ms[i].reqs[j].runtime)
					h = fnv(fnv(h, p->ms[i].id), p->ms[i].reqs[j].id);
		}
	} else
		h = ps->hash;
	ps->thash = xreallocarray(ps->thash, p->ninst ? p->ninst : 1, sizeof(*ps->thash));
	for (i = ps->nthash; i < p->ninst; i++) {
		struct instance *in = &p->inst[i];

		if (ps->carried == NULL || !ps->carried[i])
			ps->thash[i] = ical_timing_hash(p, i);
		h = fnv(h, in->key);
		h = fnv(h, in->title);
		h = fnv(h, in->description);
		h = fnv(h, in->owner);
		h = fnv(h, hex64(ps->thash[i], buf));
	}
	ps->nthash = p->ninst;
	ps->hash = h;
}

/*
 * Work on many plans shared out over a few threads: each plan is parsed and prepared on its
 * own (the pure modules keep no state between threads), 3,000 plans in half the time.
 */
#define SPREAD_MAX	4		/* threads at most, the caller's one of them */
#define SPREAD_MIN	16		/* fewer plans: in the caller's thread alone */

struct spread {
	void			(*fn)(void *, size_t);
	void			*arg;
	size_t			 n;
	atomic_size_t		 next;
	const struct msgcat	*lang;		/* the caller's: errors in its language */
};

static void *
spread_thread(void *arg)
{
	struct spread *sp = arg;
	size_t i;

	msgcat_use(sp->lang);
	while ((i = atomic_fetch_add(&sp->next, 1)) < sp->n)
		sp->fn(sp->arg, i);
	return NULL;
}

/* fn(arg, i) for each i of [0, n), in any order, on as many threads as there are CPUs. */
static void
spread(size_t n, void (*fn)(void *, size_t), void *arg)
{
	struct spread sp;
	pthread_t t[SPREAD_MAX - 1];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nt = ncpu > 1 ? (size_t)ncpu : 1, k;

	sp.fn = fn;
	sp.arg = arg;
	sp.n = n;
	atomic_init(&sp.next, 0);
	sp.lang = msgcat_current();
	if (nt > SPREAD_MAX)
		nt = SPREAD_MAX;
	if (n < SPREAD_MIN)
		nt = 1;
	for (k = 0; k + 1 < nt; k++)
		if (pthread_create(&t[k], NULL, spread_thread, &sp) != 0)
			break;	/* the threads there are do it all */
	spread_thread(&sp);
	while (k > 0)
		pthread_join(t[--k], NULL);
}

static void
prepare_one(void *arg, size_t i)
{
	publish_prepare(&((struct pstate *)arg)[i]);
}

void
planset_prepare(struct planset *set)
{
	spread(set->n, prepare_one, set->ps);
}

/* The plan files, each parsed with its own errors: put together in file order after. */
struct parsejob {
	char		**files;
	struct plan	**plans;
	struct errlist	*errs;
};

static void
parse_one(void *arg, size_t i)
{
	struct parsejob *j = arg;

	j->plans[i] = plan_load(j->files[i], &j->errs[i]);
}

/* Instance i's SEQUENCE, from what the store has (known: hash, seq): raised if its timing moved. */
static int
seq_settle(struct engine *e, struct pstate *ps, size_t i, int known, uint64_t hash, int seq)
{
	const struct plan *p = ps->plan;

	if (known && hash == ps->thash[i]) {
		ps->seq[i] = seq;
		return 0;
	}
	/* New, or its timing changed: a calendar must see a higher SEQUENCE. */
	ps->seq[i] = known ? seq + 1 : 0;
	return store_put_sequence(e->store, p->id, p->inst[i].key, ps->thash[i], ps->seq[i]);
}

/* The same, its row read on its own. */
static int
publish_one(struct engine *e, struct pstate *ps, size_t i)
{
	uint64_t hash = 0;
	int seq = 0, k;

	if ((k = store_get_sequence(e->store, ps->plan->id, ps->plan->inst[i].key, &hash,
	    &seq)) == -1)
		return -1;
	return seq_settle(e, ps, i, k == 1, hash, seq);
}

/*
 * After a part: the instances carried over keep what they had published (their timing is
 * their milestone's, which a part does not change), the others are looked up one by one.
 */
static int
publish_carried(struct engine *e, struct pstate *ps, int64_t now)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < ps->plan->ninst && rc == 0; i++)
		if (!ps->carried[i])
			rc = publish_one(e, ps, i);
	free(ps->carried);
	ps->carried = NULL;
	if (rc == -1)
		return -1;
	return store_plan_seen(e->store, ps->plan->id, ps->hash, now, &ps->stamp);
}

/*
 * What the feeds publish of a plan, as SEQUENCE per instance and the time the plan last
 * changed: kept in the store so that the same data gives the same bytes after a restart.
 * Instances from first on are new (an addition appends them): those before keep theirs.
 */
static int
publish_state(struct engine *e, struct pstate *ps, size_t first, const struct pstate *was,
    int64_t now)
{
	struct plan *p = ps->plan;
	struct seqload sl;
	size_t i, n = p->ninst - first;
	int rc = 0;

	publish_prepare(ps);
	ps->seq = xreallocarray(ps->seq, p->ninst ? p->ninst : 1, sizeof(int));
	if (ps->carried != NULL)
		return publish_carried(e, ps, now);
	/* Reloaded as it was (the digest covers every instance's): published as it was. */
	if (was != NULL && was->hash == ps->hash && was->nthash == p->ninst &&
	    was->plan->ninst == p->ninst) {
		if (n > 0)
			memcpy(ps->seq, was->seq, p->ninst * sizeof(int));
		ps->stamp = was->stamp;
		return 0;
	}
	/* A few new ones (an addition) one by one; all of a plan's in one query. */
	for (i = first; first > 0 && i < p->ninst && rc == 0; i++)
		rc = publish_one(e, ps, i);
	if (first > 0 || n == 0)
		return rc == -1 ? -1 : store_plan_seen(e->store, p->id, ps->hash, now, &ps->stamp);
	sl.p = p;
	sl.pos = 0;
	sl.hash = xcalloc(n, sizeof(*sl.hash));
	sl.seq = xcalloc(n, sizeof(*sl.seq));
	sl.known = xcalloc(n, 1);
	if (store_each_sequence(e->store, p->id, seq_cb, &sl) == -1)
		rc = -1;
	for (i = 0; i < p->ninst && rc == 0; i++)
		rc = seq_settle(e, ps, i, sl.known[i], sl.hash[i], sl.seq[i]);
	free(sl.hash);
	free(sl.seq);
	free(sl.known);
	if (rc == -1)
		return -1;
	return store_plan_seen(e->store, p->id, ps->hash, now, &ps->stamp);
}

/* Milestones marked done in the plan file are recorded once, as done by the plan. */
static int
record_plan_done(struct engine *e, struct pstate *ps)
{
	struct instance *in;
	struct istate *s;
	struct audit a;
	size_t i;

	for (i = 0; i < ps->plan->ninst; i++) {
		in = &ps->plan->inst[i];
		s = &ps->st[i];
		/* A milestone's instances are a run: those without a done line skipped at once. */
		if (!in->ms->done.set) {
			i = in->ms->inst_first + in->ms->inst_n - 1;
			continue;
		}
		if (s->changed != 0)
			continue;
		/* Of a series, the occurrences up to that day. */
		if (in->nocc && ltime_daynum(&in->timing.due) > ltime_daynum(&in->ms->done))
			continue;
		s->status = ST_DONE;
		s->at = in->ms->done.has_time ? tz_to_utc(ps->plan->tz, &in->ms->done) :
		    tz_day_end(ps->plan->tz, &in->ms->done) - 1;
		s->actor = xstrdup("plan");
		/* Kept in English; the API answers it in the request's language (api.c). */
		s->note = xstrdup(N_("done before the plan started"));
		/* The data's own time: feeds stay the same, and no go-ahead is news at first start. */
		s->changed = s->at;
		s->version = 1;
		memset(&a, 0, sizeof(a));
		/* When it was done, as the plan says: the log tells what happened when. */
		a.at = s->at;
		a.actor = "plan";
		a.uid = -1;
		a.plan = ps->plan->id;
		a.key = in->key;
		a.action = "plan-done";
		a.note = s->note;
		if (store_put_state(e->store, ps->plan->id, in->key, s) == -1 ||
		    store_audit(e->store, &a) == -1)
			return -1;
	}
	return 0;
}

/* Every *.plan file of dir, parsed and checked, in name order; errors go to errs. */
static size_t
load_plan_files(const char *dir, struct pstate **out, struct errlist *errs)
{
	DIR *d;
	struct dirent *de;
	char **files = NULL;
	size_t nfiles = 0, i, j, len, n = 0, *by_id;
	struct pstate *ps = NULL;
	struct plan *p;
	struct parsejob job;

	if ((d = opendir(dir)) == NULL) {
		errlist_add(errs, dir, 0, "%s", strerror(errno));
		*out = NULL;
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".plan") != 0 || de->d_name[0] == '.')
			continue;
		files = xreallocarray(files, nfiles + 1, sizeof(char *));
		xasprintf(&files[nfiles++], "%s/%s", dir, de->d_name);
	}
	closedir(d);
	/* No files: files is NULL, which qsort may not be given even for none (UBSan). */
	if (nfiles == 0)
		errlist_add(errs, dir, 0, _("no *.plan files"));
	else
		qsort(files, nfiles, sizeof(char *), cmp_str);
	ps = xcalloc(nfiles ? nfiles : 1, sizeof(*ps));
	job.files = files;
	job.plans = xcalloc(nfiles ? nfiles : 1, sizeof(*job.plans));
	job.errs = xcalloc(nfiles ? nfiles : 1, sizeof(*job.errs));
	spread(nfiles, parse_one, &job);
	for (i = 0; i < nfiles; i++) {
		/* As plan_load would have added them to errs itself, one file after the other. */
		for (j = 0; j < job.errs[i].n; j++) {
			XGROW(errs->msg, errs->n, errs->cap);
			errs->msg[errs->n++] = job.errs[i].msg[j];
		}
		free(job.errs[i].msg);
		if ((p = job.plans[i]) != NULL)
			ps[n++].plan = p;
		free(files[i]);
	}
	free(job.plans);
	free(job.errs);
	free(files);
	by_id = index_plans(ps, n);
	for (i = 1; i < n; i++) {
		p = ps[by_id[i]].plan;
		for (j = i; j > 0 && strcmp(ps[by_id[j - 1]].plan->id, p->id) == 0; j--)
			;
		if (j < i)
			errlist_add(errs, p->file, 1, _("plan %s is also in %s"), p->id,
			    ps[by_id[j]].plan->file);
	}
	free(by_id);
	*out = ps;
	return n;
}

void
planset_free(struct planset *set)
{
	pstates_free(set->ps, set->n);
	set->ps = NULL;
	set->n = 0;
}

int
engine_check(const char *dir, struct errlist *errs, struct planset *keep)
{
	struct planset set;
	size_t start = errs->n;

	set.n = load_plan_files(dir, &set.ps, errs);
	if (errs->n == start)
		link_plans(set.ps, set.n, errs);
	if (keep != NULL && errs->n == start) {
		*keep = set;
		return 0;
	}
	planset_free(&set);
	return errs->n > start ? -1 : 0;
}

int
engine_load(struct engine *e, struct planset *set, struct errlist *errs, struct langerrs *also,
    size_t nalso)
{
	const struct msgcat *lang = msgcat_current();
	struct loadctx lc;
	size_t i, start = errs->n;
	int64_t now = clock_now();
	int unlinked = 0;

	memset(&lc, 0, sizeof(lc));
	lc.e = e;
	lc.errs = errs;
	if (set != NULL) {
		lc.ps = set->ps;
		lc.nps = set->n;
		set->ps = NULL;
		set->n = 0;
	} else
		lc.nps = load_plan_files(e->plans_dir, &lc.ps, errs);
	lc.by_id = index_plans(lc.ps, lc.nps);
	if (store_in_txn(e->store))
		fatalx("engine_load inside an open transaction");
	lc.rows = xcalloc(lc.nps ? lc.nps : 1, sizeof(*lc.rows));
	if (store_each_part(e->store, NULL, load_part_cb, &lc) == -1 ||
	    store_each_added(e->store, NULL, load_added_cb, &lc) == -1 ||
	    store_each_change(e->store, NULL, load_change_cb, &lc) == -1)
		lc.dbfail = 1;
	for (i = 0; i < lc.nps; i++) {
		struct pstate *ps = &lc.ps[i];
		struct planrows *rows = &lc.rows[i];
		size_t j;

		restore_parts(&lc, ps, rows);
		restore_additions(&lc, ps, rows);
		for (j = 0; j < rows->nchanges; j++)
			replay_change(&lc, ps, &rows->changes[j]);
		ps->st = xcalloc(ps->plan->ninst ? ps->plan->ninst : 1, sizeof(struct istate));
	}
	planrows_free(lc.rows, lc.nps);
	lc.rows = NULL;
	/* Links to a plan that did not load would only add noise to its own errors. */
	if (errs->n == start && link_plans(lc.ps, lc.nps, errs) == -1)
		unlinked = 1;
	if (errs->n > start || lc.dbfail)
		goto fail;
	if (store_begin(e->store) == -1) {
		lc.dbfail = 1;
		goto fail;
	}
	if (store_each_state(e->store, NULL, load_state_cb, &lc) == -1)
		lc.dbfail = 1;
	for (i = 0; i < lc.nps && !lc.dbfail; i++)
		if (record_plan_done(e, &lc.ps[i]) == -1 ||
		    publish_state(e, &lc.ps[i], 0, engine_plan(e, lc.ps[i].plan->id),
		    now) == -1)
			lc.dbfail = 1;
	if (lc.dbfail || store_commit(e->store) == -1) {
		store_rollback(e->store);
		lc.dbfail = 1;
		goto fail;
	}
	for (i = 0; i < lc.nunfit; i++)
		log_warnx("plan %s: milestone %s added at run time no longer fits the plan: %s; "
		    "it is kept", lc.unfit[i].plan, lc.unfit[i].id, lc.unfit[i].why);
	for (i = 0; i < lc.nconflicts; i++)
		log_warnx("plan %s: run-time %s of %s (%s) is not in force: %s", lc.conflicts[i].plan,
		    lc.conflicts[i].kind, lc.conflicts[i].id, lc.conflicts[i].runtime,
		    lc.conflicts[i].why);
	for (i = 0; i < lc.norphans; i++)
		log_warnx("plan %s: recorded state of %s (%s by %s) has no milestone in the plan; "
		    "it is kept", lc.orphans[i].plan, lc.orphans[i].key,
		    status_name(lc.orphans[i].st.status),
		    lc.orphans[i].st.actor ? lc.orphans[i].st.actor : "?");
	/* The plans put out of force go back in set: their caller may free them elsewhere. */
	if (set != NULL) {
		set->ps = e->plans;
		set->n = e->nplans;
	} else
		pstates_free(e->plans, e->nplans);
	orphans_free(e->orphans, e->norphans);
	unfit_free(e->unfit, e->nunfit);
	free(e->by_id);
	e->plans = lc.ps;
	e->nplans = lc.nps;
	e->by_id = lc.by_id;
	e->orphans = lc.orphans;
	e->norphans = lc.norphans;
	e->unfit = lc.unfit;
	e->nunfit = lc.nunfit;
	conflicts_free(e->conflicts, e->nconflicts);
	e->conflicts = lc.conflicts;
	e->nconflicts = lc.nconflicts;
	e->loaded = e->shaped = ++e->generation;
	for (i = 0; i < e->nplans; i++)
		e->plans[i].changed = e->plans[i].shaped = e->generation;
	e->touched_all = 1;
	e->ntouched = 0;
	return 0;
fail:
	if (lc.dbfail)
		errlist_add(errs, _("database"), 0, "%s", store_error(e->store));
	/* Told again in the other askers' languages: the links refused, or the database. */
	for (i = 0; i < nalso; i++) {
		msgcat_use(also[i].lang);
		if (unlinked)
			link_plans(lc.ps, lc.nps, &also[i].errs);
		if (lc.dbfail)
			errlist_add(&also[i].errs, _("database"), 0, "%s", store_error(e->store));
	}
	msgcat_use(lang);
	free(lc.by_id);
	pstates_free(lc.ps, lc.nps);
	orphans_free(lc.orphans, lc.norphans);
	unfit_free(lc.unfit, lc.nunfit);
	conflicts_free(lc.conflicts, lc.nconflicts);
	return -1;
}

/* ---- finding ---- */

/* s in lower case into buf (at least strlen(s) + 1): ids are, people type Staphorst. */
static const char *
lower_into(char *buf, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[i] = '\0';
	return buf;
}

/* Not found: say so, with the key (or plan) that was probably meant. */
static int
not_found(struct engine *e, const char *plan, const char *key, struct eng_result *r)
{
	const char **names = NULL, *hit;
	size_t i, j, n = 0, cap = 0;
	int plan_unknown = plan != NULL && engine_plan(e, plan) == NULL;

	for (i = 0; i < e->nplans; i++) {
		struct plan *p = e->plans[i].plan;

		if (plan_unknown) {
			XGROW(names, n, cap);
			names[n++] = p->id;
			continue;
		}
		if (plan != NULL && strcmp(p->id, plan) != 0)
			continue;
		for (j = 0; j < p->ninst; j++) {
			XGROW(names, n, cap);
			names[n++] = p->inst[j].key;
		}
	}
	hit = suggest(plan_unknown ? plan : key, names, n);
	free(names);
	if (plan_unknown)
		return hit != NULL ? fail(r, ENG_NOTFOUND, _("no plan %s; did you mean %s?"), plan,
		    hit) : fail(r, ENG_NOTFOUND, _("no plan %s"), plan);
	if (plan != NULL)
		return hit != NULL ? fail(r, ENG_NOTFOUND, _("no milestone %s in plan %s; did you "
		    "mean %s?"), key, plan, hit) : fail(r, ENG_NOTFOUND,
		    _("no milestone %s in plan %s"), key, plan);
	return hit != NULL ? fail(r, ENG_NOTFOUND, _("no milestone %s; did you mean %s?"), key,
	    hit) : fail(r, ENG_NOTFOUND, _("no milestone %s"), key);
}

static const struct unfit *
unfit_find(struct engine *e, const char *plan, const char *id, size_t idlen)
{
	size_t i;

	for (i = 0; i < e->nunfit; i++)
		if ((plan == NULL || strcmp(e->unfit[i].plan, plan) == 0) &&
		    strlen(e->unfit[i].id) == idlen && strncmp(e->unfit[i].id, id, idlen) == 0)
			return &e->unfit[i];
	return NULL;
}

int
engine_find(struct engine *e, const char *plan, const char *key, struct pstate **out,
    size_t *idx, struct eng_result *r)
{
	struct pstate *found = NULL, *ps;
	struct instance *in, *hit = NULL;
	const struct unfit *uf;
	size_t i, j, nhits = 0, first = 0, end = e->nplans;
	char keybuf[201], planbuf[201], *colon;

	if (key == NULL || *key == '\0' || strlen(key) > 200)
		return fail(r, ENG_BAD, _("a milestone key (ID or ID@PARTY) is needed"));
	key = lower_into(keybuf, key);
	/* "PLAN:KEY", as a refusal names another plan's step; ids have no colon. */
	if (plan == NULL && (colon = strchr(keybuf, ':')) != NULL) {
		*colon = '\0';
		plan = keybuf;
		key = colon + 1;
	}
	if (plan != NULL && strlen(plan) > 200)
		return fail(r, ENG_NOTFOUND, _("no plan %s"), plan);
	if (plan != NULL)
		plan = lower_into(planbuf, plan);
	/* A plan named: only that one, found by bisection (there may be thousands). */
	if (plan != NULL && (ps = engine_plan(e, plan)) == NULL)
		return not_found(e, plan, key, r);
	if (plan != NULL) {
		first = (size_t)(ps - e->plans);
		end = first + 1;
	}
	for (i = first; i < end; i++) {
		if ((in = plan_instance(e->plans[i].plan, key)) != NULL) {
			if (nhits++ == 0) {
				hit = in;
				found = &e->plans[i];
			}
			r->candidates = xreallocarray(r->candidates, r->ncandidates + 1,
			    sizeof(char *));
			xasprintf(&r->candidates[r->ncandidates++], "%s (plan %s)", key,
			    e->plans[i].plan->id);
		}
	}
	if (nhits == 1) {
		for (i = 0; i < r->ncandidates; i++)
			free(r->candidates[i]);
		free(r->candidates);
		r->candidates = NULL;
		r->ncandidates = 0;
		*out = found;
		*idx = hit->idx;
		return ENG_OK;
	}
	if (nhits > 1)
		return fail(r, ENG_AMBIGUOUS, _("%s is in several plans: name one with -p PLAN"), key);
	/*
	 * A milestone named without its party, or a series without its date: instances of the
	 * milestone named before any @ (looked up, not every instance compared).
	 */
	for (i = first; i < end; i++) {
		struct plan *p = e->plans[i].plan;
		size_t kl = strlen(key), ml = strcspn(key, "@/");
		struct milestone *m;
		char msid[201];

		memcpy(msid, key, ml);
		msid[ml] = '\0';
		if ((m = plan_milestone(p, msid)) == NULL)
			continue;
		for (j = m->inst_first; j < m->inst_first + m->inst_n; j++) {
			in = &p->inst[j];
			if (strcmp(in->ms->id, key) != 0 && (in->nocc == 0 ||
			    strncmp(in->key, key, kl) != 0 || in->key[kl] != '/'))
				continue;
			r->candidates = xreallocarray(r->candidates, r->ncandidates + 1,
			    sizeof(char *));
			r->candidates[r->ncandidates++] = xstrdup(in->key);
			hit = in;
		}
	}
	if (r->ncandidates > 0 && hit->part != NULL && strchr(key, '#') == NULL)
		return fail(r, ENG_AMBIGUOUS, _("%s applies to each part of %s: name one as %s#PART"),
		    key, hit->ms->dim->id, key);
	if (r->ncandidates > 0 && hit->nocc > 0)
		return fail(r, ENG_AMBIGUOUS, _("%s repeats: name one occurrence as %s%s/DATE"), key,
		    key, hit->party != NULL && hit->part == NULL && strchr(key, '@') == NULL ?
		    "@PARTY" : "");
	if (r->ncandidates > 0)
		return fail(r, ENG_AMBIGUOUS, _("%s applies to each party: name one as %s@PARTY"),
		    key, key);
	for (i = first; i < end; i++) {
		struct milestone *m = plan_milestone(e->plans[i].plan, key);

		if (m != NULL && m->dim != NULL && m->inst_n == 0)
			return fail(r, ENG_NOTFOUND, _("%s is per %s, which has no part yet (termijn "
			    "part add)"), key, m->dim->id);
	}
	if ((uf = unfit_find(e, plan, key, strcspn(key, "@"))) != NULL)
		return fail(r, ENG_NOTFOUND, _("no milestone %s: %s was added to plan %s at run "
		    "time and is kept, but no longer fits the plan: %s"), key, uf->id, uf->plan,
		    uf->why);
	return not_found(e, plan, key, r);
}

/* ---- changes ---- */

/* Least privilege by party (authz.c); a refusal says who may instead. */
static int
may_act(const struct pstate *ps, size_t idx, const struct actor *who, enum authz_verb verb,
    struct eng_result *r)
{
	struct authz_who az;
	const char *key;
	char *why, *label = NULL;

	az.addr = who->person;
	az.label = who->name;
	az.operator = who->operator;
	az.overrider = who->overrider;
	if (authz_check(ps->plan, verb == AZ_ADD || verb == AZ_CHANGE ? NULL :
	    &ps->plan->inst[idx], &az, verb,
	    &why) != AZ_DENY)
		return ENG_OK;
	if (who->person == NULL)
		xasprintf(&label, _("%s (uid %ld, not an operator of termijnd)"), who->name,
		    who->uid);
	key = verb == AZ_ADD || verb == AZ_CHANGE ? ps->plan->id : ps->plan->inst[idx].key;
	switch (verb) {
	case AZ_DONE:
		fail(r, ENG_FORBIDDEN, _("%s may not mark %s done: %s"), label ? label : who->name,
		    key, why);
		break;
	case AZ_UNDO:
		fail(r, ENG_FORBIDDEN, _("%s may not reopen %s: %s"), label ? label : who->name,
		    key, why);
		break;
	case AZ_WAIVE:
		fail(r, ENG_FORBIDDEN, _("%s may not waive %s: %s"), label ? label : who->name,
		    key, why);
		break;
	case AZ_ADD:
	case AZ_PART:
		fail(r, ENG_FORBIDDEN, _("%s may not add milestones to plan %s: %s"),
		    label ? label : who->name, key, why);
		break;
	case AZ_CHANGE:
		fail(r, ENG_FORBIDDEN, _("%s may not change plan %s: %s"),
		    label ? label : who->name, key, why);
		break;
	}
	free(label);
	free(why);
	return r->rc;
}

static int
may_override(const struct pstate *ps, const struct actor *who, struct eng_result *r)
{
	struct authz_who az = { who->person, who->name, who->operator, who->overrider };
	char *why;

	if (authz_override(ps->plan, &az, &why))
		return ENG_OK;
	fail(r, ENG_FORBIDDEN, "%s", why);
	free(why);
	return r->rc;
}

static void
audit_actor(struct audit *a, const struct actor *who)
{
	a->actor = who->name;
	a->uid = who->uid;
	a->person = who->person;
	a->person_name = who->person_name;
	a->channel = who->channel;
	a->token_id = who->token_id;
}

static int
record(struct engine *e, struct pstate *ps, size_t idx, const struct actor *who, int64_t now,
    const char *action, const char *reason, const char *note, struct eng_result *r)
{
	struct audit a;

	memset(&a, 0, sizeof(a));
	a.at = now;
	audit_actor(&a, who);
	a.plan = ps->plan->id;
	a.key = ps->plan->inst[idx].key;
	a.action = action;
	a.reason = reason;
	a.note = note;
	if (store_put_state(e->store, ps->plan->id, a.key, &ps->st[idx]) == -1 ||
	    store_audit(e->store, &a) == -1)
		return fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
	return ENG_OK;
}

int
engine_changed(struct engine *e, const struct pstate *ps, const struct change *c,
    struct eng_result *r)
{
	char *cause = NULL;

	if (e->on_change == NULL || c->ninst == 0)
		return ENG_OK;
	if (e->on_change(e->on_change_arg, ps, c, &cause) == -1) {
		fail(r, ENG_FAIL, "%s", cause);
		free(cause);
		return r->rc;
	}
	return ENG_OK;
}

/* Tell the owners of one instance of a change (see engine_changed). */
static int
changed_one(struct engine *e, const struct pstate *ps, size_t idx, const char *kind,
    const struct actor *who, const char *reason, int64_t now, struct eng_result *r)
{
	struct change c = { .kind = kind, .inst = &idx, .ninst = 1, .who = who, .reason = reason,
	    .at = now };

	return engine_changed(e, ps, &c, r);
}

/*
 * The owners of the open ones of instances v[0 .. n), which are about to go, told while the
 * plan still has them (v keeps the open ones first).
 */
static int
gone_told(struct engine *e, const struct pstate *ps, const char *kind, size_t *v, size_t n,
    const struct actor *who, const char *reason, int64_t now, struct eng_result *r)
{
	struct change c;
	size_t i, nopen = 0;

	for (i = 0; i < n; i++)
		if (ps->st[v[i]].status == ST_OPEN)
			v[nopen++] = v[i];
	memset(&c, 0, sizeof(c));
	c.kind = kind;
	c.inst = v;
	c.ninst = nopen;
	c.who = who;
	c.reason = reason;
	c.at = now;
	c.gone = 1;
	return engine_changed(e, ps, &c, r);
}

/*
 * How to take back an in-memory change whose transaction did not reach the disk. The
 * pstate stays where it is meanwhile: plans are only replaced by engine_load, never inside
 * an open transaction.
 */
struct state_undo {
	struct engine	*e;
	struct pstate	*ps;
	size_t		 idx;
	struct istate	 saved;
};

static void
state_undo_cb(void *arg, int undo)
{
	struct state_undo *u = arg;

	if (undo) {
		istate_clear(&u->ps->st[u->idx]);
		u->ps->st[u->idx] = u->saved;
		touch(u->e, u->ps, u->idx);
		shown_changed(u->e, u->ps);
	} else
		istate_clear(&u->saved);
	free(u);
}

static int
check_text(const char *what, const char *s, int required, struct eng_result *r)
{
	if (s == NULL || *s == '\0')
		return required ? fail(r, ENG_BAD, _("a %s is required"), _(what)) : ENG_OK;
	if (strlen(s) > 4000)
		return fail(r, ENG_BAD, _("the %s is longer than 4000 bytes"), _(what));
	if (!text_valid(s, 1))
		return fail(r, ENG_BAD, _("the %s has control characters"), _(what));
	return ENG_OK;
}

static void
set_state(struct istate *s, enum status st, int64_t at, const struct actor *who,
    const char *note, int overridden, int64_t now)
{
	free(s->actor);
	free(s->note);
	s->status = st;
	s->at = at;
	s->actor = st == ST_OPEN ? NULL : xstrdup(who->name);
	s->note = note != NULL && *note != '\0' ? xstrdup(note) : NULL;
	s->overridden = overridden;
	s->changed = now;
	s->version++;
}

/*
 * Change a state in memory and record it with its audit line, in the open transaction;
 * should that not be committed, the state goes back to what it was. note is the state's
 * note; audit_note what the log says beside it.
 */
static int
apply(struct engine *e, struct pstate *ps, size_t idx, const struct actor *who, int64_t now,
    enum status st, int64_t at, const char *note, int overridden, const char *action,
    const char *reason, const char *audit_note, struct eng_result *r)
{
	struct istate *s = &ps->st[idx];
	struct state_undo *u;

	if (store_begin(e->store) == -1)
		return fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
	u = xcalloc(1, sizeof(*u));
	u->e = e;
	u->ps = ps;
	u->idx = idx;
	u->saved = *s;
	s->actor = s->note = NULL;
	set_state(s, st, at, who, note, overridden, now);
	touch(e, ps, idx);
	store_on_rollback(e->store, state_undo_cb, u);
	shown_changed(e, ps);
	return record(e, ps, idx, who, now, action, reason, audit_note, r);
}

int
engine_done(struct engine *e, struct pstate *ps, size_t idx, const struct actor *who,
    int64_t now, int64_t at, const char *note, int override, const char *reason,
    struct eng_result *r)
{
	struct istate *s = &ps->st[idx];
	const char *key = ps->plan->inst[idx].key;

	if (may_act(ps, idx, who, AZ_DONE, r) || check_text(N_("note"), note, 0, r) ||
	    check_text(N_("reason"), reason, override, r))
		return r->rc;
	if (at > now)
		return fail(r, ENG_BAD, _("a milestone cannot be done in the future"));
	if (s->status != ST_OPEN)
		return fail(r, ENG_REFUSED, s->status == ST_DONE ? _("%s is already done (by %s)") :
		    _("%s is already waived (by %s)"), key, s->actor ? s->actor : "?");
	r->nunmet = rules_unmet(ps->plan, ps->st, idx, at, &r->unmet);
	if (r->nunmet > 0 && !override)
		return fail(r, ENG_REFUSED, P_("%s cannot be done yet: %zu rule is unmet",
		    "%s cannot be done yet: %zu rules are unmet", r->nunmet), key, r->nunmet);
	if (r->nunmet > 0 && may_override(ps, who, r))
		return r->rc;
	if (r->nunmet == 0)
		override = 0;
	r->nlist = rules_unblocks(ps->plan, ps->st, idx, &r->list);
	r->nxlist = rules_unblocks_x(ps->plan, idx, &r->xlist);
	if (apply(e, ps, idx, who, now, ST_DONE, at, note, override,
	    override ? "done-override" : "done", override ? reason : NULL, note, r) != ENG_OK)
		return r->rc;
	return override ? changed_one(e, ps, idx, "done-override", who, reason, now, r) : ENG_OK;
}

int
engine_undo(struct engine *e, struct pstate *ps, size_t idx, const struct actor *who,
    int64_t now, const char *reason, struct eng_result *r)
{
	struct istate *s = &ps->st[idx];
	const char *key = ps->plan->inst[idx].key;

	if (may_act(ps, idx, who, AZ_UNDO, r) || check_text(N_("reason"), reason, 1, r))
		return r->rc;
	if (s->status == ST_OPEN)
		return fail(r, ENG_REFUSED, _("%s is open: there is nothing to undo"), key);
	r->nlist = rules_done_dependents(ps->plan, ps->st, idx, &r->list);
	r->nxlist = rules_done_dependents_x(ps->plan, idx, &r->xlist);
	if (r->nlist + r->nxlist > 0)
		return fail(r, ENG_REFUSED, P_("%s cannot be reopened: %zu milestone that requires it "
		    "is done", "%s cannot be reopened: %zu milestones that require it are done",
		    r->nlist + r->nxlist), key, r->nlist + r->nxlist);
	if (apply(e, ps, idx, who, now, ST_OPEN, 0, NULL, 0, "undo", reason, NULL, r) != ENG_OK)
		return r->rc;
	return changed_one(e, ps, idx, "undo", who, reason, now, r);
}

int
engine_waive(struct engine *e, struct pstate *ps, size_t idx, const struct actor *who,
    int64_t now, const char *reason, struct eng_result *r)
{
	struct istate *s = &ps->st[idx];
	const char *key = ps->plan->inst[idx].key;

	if (may_act(ps, idx, who, AZ_WAIVE, r) || check_text(N_("reason"), reason, 1, r))
		return r->rc;
	if (s->status != ST_OPEN)
		return fail(r, ENG_REFUSED, s->status == ST_DONE ? _("%s is already done") :
		    _("%s is already waived"), key);
	r->nlist = rules_unblocks(ps->plan, ps->st, idx, &r->list);
	r->nxlist = rules_unblocks_x(ps->plan, idx, &r->xlist);
	return apply(e, ps, idx, who, now, ST_WAIVED, now, reason, 0, "waive", reason, NULL, r);
}

/*
 * An addition taken back: the milestone out of the plan, what was computed from it too; or
 * a part whose instances came last (plan.c insert_part): the part out (the plan expanded
 * whole then, a rare path) and the schedule evaluated whole.
 */
struct add_undo {
	struct engine		*e;
	struct pstate		*ps;
	struct dimension	*dim;		/* a part of it came */
	size_t			 old_ninst;
	int64_t			 stamp;
	uint64_t		 hash;
};

static void
add_undo_cb(void *arg, int undo)
{
	struct add_undo *u = arg;
	struct pstate *ps = u->ps;
	size_t i;

	if (undo) {
		/* Changes of the same transaction are undone newest first: it is the last. */
		for (i = u->old_ninst; i < ps->plan->ninst; i++)
			istate_clear(&ps->st[i]);
		if (u->dim != NULL)
			plan_remove_last_part(ps->plan, u->dim);
		else
			plan_remove_last(ps->plan);
		schedule_truncate(ps->sched, u->old_ninst);
		if (u->dim != NULL)
			schedule_touch_all(ps->sched);
		touched_plan(u->e, ps);
		ps->nthash = u->old_ninst;
		ps->stamp = u->stamp;
		ps->hash = u->hash;
		shape_changed(u->e, ps);
	}
	free(u);
}

/*
 * Instances keep their order, new ones (of milestone or of part d) came last: the states
 * extended, an undo registered.
 */
static void
states_appended(struct engine *e, struct pstate *ps, size_t old_n, struct dimension *d)
{
	struct add_undo *u = xcalloc(1, sizeof(*u));

	ps->st = xreallocarray(ps->st, ps->plan->ninst, sizeof(*ps->st));
	memset(ps->st + old_n, 0, (ps->plan->ninst - old_n) * sizeof(*ps->st));
	u->e = e;
	u->ps = ps;
	u->dim = d;
	u->old_ninst = old_n;
	u->stamp = ps->stamp;
	u->hash = ps->hash;
	store_on_rollback(e->store, add_undo_cb, u);
	shape_changed(e, ps);
}

int
engine_add(struct engine *e, struct pstate *ps, json_t *def, const struct actor *who,
    int64_t now, struct eng_result *r)
{
	struct milestone *m;
	struct audit a;
	struct change c;
	const struct unfit *uf;
	char *cause = NULL, *text;
	size_t old_n = ps->plan->ninst, j;
	struct instance *in;

	if (may_act(ps, 0, who, AZ_ADD, r))
		return r->rc;
	if ((m = milestone_from_json(def, &cause)) == NULL) {
		fail(r, ENG_BAD, "%s", cause);
		free(cause);
		return r->rc;
	}
	if ((uf = unfit_find(e, ps->plan->id, m->id, strlen(m->id))) != NULL) {
		fail(r, ENG_BAD, _("milestone %s was added before and is kept, but no longer fits "
		    "plan %s: %s"), m->id, ps->plan->id, uf->why);
		milestone_free(m);
		return r->rc;
	}
	if (plan_add_milestone(ps->plan, m, &cause) == -1) {
		milestone_free(m);
		fail(r, ENG_BAD, "%s", cause);
		free(cause);
		return r->rc;
	}
	if (store_begin(e->store) == -1) {
		plan_remove_last(ps->plan);
		return fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
	}
	states_appended(e, ps, old_n, NULL);
	text = json_dumps(def, JSON_COMPACT | JSON_SORT_KEYS);
	memset(&a, 0, sizeof(a));
	a.at = now;
	audit_actor(&a, who);
	a.plan = ps->plan->id;
	a.key = ps->plan->ms[ps->plan->nms - 1].id;
	a.action = "add";
	a.note = ps->plan->ms[ps->plan->nms - 1].title;
	if (store_put_added(e->store, ps->plan->id, a.key, text, now, who->name) == -1 ||
	    store_audit(e->store, &a) == -1 || publish_state(e, ps, old_n, NULL, now) == -1) {
		free(text);
		return fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
	}
	free(text);
	/* Its instances are new to the schedule (publish_state extended it). */
	touched_plan(e, ps);
	for (j = old_n; j < ps->plan->ninst; j++) {
		in = &ps->plan->inst[j];
		r->list = xreallocarray(r->list, r->nlist + 1, sizeof(size_t));
		r->list[r->nlist++] = in->idx;
	}
	memset(&c, 0, sizeof(c));
	c.kind = "add";
	c.inst = r->list;
	c.ninst = r->nlist;
	c.who = who;
	c.at = now;
	return engine_changed(e, ps, &c, r);
}

/* ---- parts ---- */

/* Who may add and cancel parts: those who may mark the dimension's found-by done, too. */
static int
may_part(const struct pstate *ps, const struct dimension *d, const struct actor *who,
    struct eng_result *r)
{
	struct authz_who az = { who->person, who->name, who->operator, who->overrider };
	const struct milestone *m = d->found_by ? plan_milestone(ps->plan, d->found_by) : NULL;
	char *why = NULL, *w;
	size_t k;

	if (m != NULL && m->inst_n == 0)
		m = NULL;

	for (k = m != NULL ? m->inst_first : 0; k < (m != NULL ? m->inst_first + m->inst_n : 1);
	    k++) {
		if (authz_check(ps->plan, m != NULL ? &ps->plan->inst[k] : NULL, &az, AZ_PART, &w) !=
		    AZ_DENY) {
			free(why);
			return ENG_OK;
		}
		if (why == NULL)
			why = w;
		else
			free(w);
	}
	fail(r, ENG_FORBIDDEN, _("%s may not change the parts of %s: %s"), who->name, d->id, why);
	free(why);
	return r->rc;
}

static void	relink(struct engine *);

/*
 * A change of the plan's instances by a part, taken back should its transaction not be
 * committed. States move to the instances' new places by key.
 */
struct published {
	struct istate		*st;		/* indexed like the instances before */
	size_t			 n;
	int			*seq;
	struct sched		*sched;
	int64_t			 stamp;
	uint64_t		 hash, *thash;	/* thash of nthash instances, as they were */
	size_t			 nthash;
};

/*
 * The instances of other plans that read ps's, touched: before its instances change places
 * (by the links as they were) and after (as they are), what they read may be another.
 */
static void
touch_readers(struct engine *e, const struct pstate *ps)
{
	const struct xlinks *xl = ps->plan->xl;
	struct pstate *q;
	size_t i;

	for (i = 0; xl != NULL && i < xl->ndep; i++)
		if ((q = engine_pstate(e, xl->dep[i].plan)) != NULL && q->sched != NULL) {
			schedule_touch_reader(q->sched, q->plan, xl->dep[i].inst);
			touched_plan(e, q);
		}
}

/*
 * Before the plan's instances change places: its published state into pb, ps given the
 * states nst (moved to the new places, shallow), a schedule made from the old one (back[k]:
 * instance k's old index) and, with carry (no instance's timing changed), each kept
 * instance's timing digest and SEQUENCE; nothing else is prepared for publishing. The links
 * between the plans are resolved anew by then.
 */
static void
published_take(struct engine *e, struct pstate *ps, struct published *pb, struct istate *nst,
    size_t old_n, const size_t *back, int carry)
{
	size_t n = ps->plan->ninst ? ps->plan->ninst : 1, k;

	pb->st = ps->st;
	pb->n = old_n;
	pb->seq = ps->seq;
	pb->sched = ps->sched;
	pb->stamp = ps->stamp;
	pb->hash = ps->hash;
	pb->thash = ps->thash;
	pb->nthash = ps->nthash;
	ps->st = nst;
	ps->seq = NULL;
	/* Only what the change touched is evaluated again, not every plan. */
	ps->sched = pb->sched != NULL ? schedule_reshaped(pb->sched, ps->plan, back) : NULL;
	ps->expansions = ps->plan->expansions;
	ps->thash = NULL;
	ps->nthash = 0;
	free(ps->carried);
	ps->carried = NULL;
	if (carry && pb->seq != NULL) {
		ps->thash = xcalloc(n, sizeof(*ps->thash));
		ps->seq = xcalloc(n, sizeof(*ps->seq));
		ps->carried = xcalloc(n, 1);
		for (k = 0; k < ps->plan->ninst; k++)
			if (back[k] < pb->nthash) {
				ps->thash[k] = pb->thash[back[k]];
				ps->seq[k] = pb->seq[back[k]];
				ps->carried[k] = 1;
			}
	}
	shape_changed(e, ps);
	touched_plan(e, ps);
	touch_readers(e, ps);
}

/*
 * The transaction is over: undo puts the published state back in ps (whose plan is as it
 * was again); else it is let go, with the old states that did not go along (kept[i] 0).
 */
static void
published_end(struct engine *e, struct pstate *ps, struct published *pb, int undo,
    const unsigned char *kept)
{
	size_t i;

	if (undo) {
		/* The states are pb's, shallow; new instances' are empty. */
		free(ps->st);
		ps->st = pb->st;
		free(ps->seq);
		schedule_free(ps->sched);
		ps->seq = pb->seq;
		ps->sched = pb->sched;
		ps->stamp = pb->stamp;
		ps->hash = pb->hash;
		free(ps->thash);
		ps->thash = pb->thash;
		ps->nthash = pb->nthash;
		free(ps->carried);
		ps->carried = NULL;
		shape_changed(e, ps);
		e->touched_all = 1;
		return;
	}
	for (i = 0; i < pb->n; i++)
		if (!kept[i])
			istate_clear(&pb->st[i]);
	free(pb->st);
	free(pb->thash);
	free(pb->seq);
	schedule_free(pb->sched);
}

struct reshape {
	struct engine		*e;
	struct pstate		*ps;
	struct published	 pub;
	unsigned char		*kept;		/* pub.st[i] went along */
	struct dimension	*dim;		/* added: its last part comes out again */
	struct part		*cancelled;	/* cancelled: it comes back */
};

static void
reshape_undo_cb(void *arg, int undo)
{
	struct reshape *u = arg;
	struct pstate *ps = u->ps;

	if (undo) {
		if (u->dim != NULL)
			plan_remove_last_part(ps->plan, u->dim);
		else
			plan_cancel_part(ps->plan, u->cancelled, 0);
		relink(u->e);
	}
	published_end(u->e, ps, &u->pub, undo, u->kept);
	free(u->kept);
	free(u);
}

/*
 * Links between plans name instances by their place, which a part moves: resolved again
 * over every plan. -1 (and *cause) when they no longer hold, as a plan's timing might not.
 */
static int
relink_cause(struct engine *e, char **cause)
{
	struct errlist errs = { 0 };
	char *s;
	size_t i;

	errs.max = PLAN_MAX_ERRORS;
	if (link_plans(e->plans, e->nplans, &errs) == 0)
		return 0;
	*cause = xstrdup("");
	for (i = 0; i < errs.n; i++) {
		const char *m = strstr(errs.msg[i], ": ");

		xasprintf(&s, "%s%s%s", *cause, i ? "; " : "", m ? m + 2 : errs.msg[i]);
		free(*cause);
		*cause = s;
	}
	errlist_free(&errs);
	return -1;
}

/* The same, where the plans are as they were before (they held then). */
static void
relink(struct engine *e)
{
	char *cause = NULL;

	if (relink_cause(e, &cause) == -1) {
		log_warnx("links between plans after a part: %s", cause);
		free(cause);
	}
}

/* The keys of a plan's instances, before a change of its shape. */
static char **
keys_save(const struct plan *p)
{
	char **k = xcalloc(p->ninst ? p->ninst : 1, sizeof(char *));
	size_t i;

	for (i = 0; i < p->ninst; i++)
		k[i] = xstrdup(p->inst[i].key);
	return k;
}

/*
 * After the plan changed shape: states to their new places (back[k]: instance k's old
 * index, SIZE_MAX: new; freed here), an undo registered.
 */
static void
reshape_back(struct engine *e, struct pstate *ps, size_t *back, size_t old_n,
    struct dimension *added, struct part *cancelled)
{
	struct reshape *u = xcalloc(1, sizeof(*u));
	struct istate *nst = xcalloc(ps->plan->ninst ? ps->plan->ninst : 1, sizeof(*nst));
	size_t k;

	u->kept = xcalloc(old_n ? old_n : 1, 1);
	for (k = 0; k < ps->plan->ninst; k++)
		if (back[k] != SIZE_MAX) {
			nst[k] = ps->st[back[k]];
			u->kept[back[k]] = 1;
		}
	u->e = e;
	u->ps = ps;
	u->dim = added;
	u->cancelled = cancelled;
	published_take(e, ps, &u->pub, nst, old_n, back, 1);
	free(back);
	store_on_rollback(e->store, reshape_undo_cb, u);
}

/* The same, the instances found by their keys as they were (oldkeys, freed here). */
static void
reshape(struct engine *e, struct pstate *ps, char **oldkeys, size_t old_n,
    struct dimension *added, struct part *cancelled)
{
	size_t *back = xcalloc(ps->plan->ninst ? ps->plan->ninst : 1, sizeof(*back));
	struct instance *in;
	size_t i, k;

	for (i = 0; i < ps->plan->ninst; i++)
		back[i] = SIZE_MAX;
	/* Those kept mostly keep their order: the next place is tried before a lookup. */
	for (i = 0, k = 0; i < old_n; i++) {
		if (k < ps->plan->ninst && strcmp(ps->plan->inst[k].key, oldkeys[i]) == 0)
			in = &ps->plan->inst[k];
		else
			in = plan_instance(ps->plan, oldkeys[i]);
		if (in != NULL) {
			back[in->idx] = i;
			k = in->idx + 1;
		}
		free(oldkeys[i]);
	}
	free(oldkeys);
	reshape_back(e, ps, back, old_n, added, cancelled);
}

/* The open instances that wait for every part of d: they must not be passed by a new one. */
static size_t
every_part_done(const struct pstate *ps, const struct dimension *d, size_t **out)
{
	const struct plan *p = ps->plan;
	const struct milestone *m;
	size_t *v = NULL, n = 0, cap = 0, i, j, k;

	for (i = 0; i < p->nms; i++) {
		m = &p->ms[i];
		for (j = 0; j < m->nreqs; j++)
			if (req_every_part(p, m, &m->reqs[j]) && p->ms[m->reqs[j].target].dim == d)
				break;
		if (j == m->nreqs)
			continue;
		for (k = m->inst_first; k < m->inst_first + m->inst_n; k++)
			if (ps->st[k].status != ST_OPEN) {
				XGROW(v, n, cap);
				v[n++] = k;
			}
	}
	*out = v;
	return n;
}

/* One audit line of a part's change, for key (the part's "DIM#PART" or an instance's). */
static int
part_audit(struct engine *e, struct pstate *ps, const struct actor *who, int64_t now,
    const char *key, const char *action, const char *reason, const char *note)
{
	struct audit a;

	memset(&a, 0, sizeof(a));
	a.at = now;
	audit_actor(&a, who);
	a.plan = ps->plan->id;
	a.key = key;
	a.action = action;
	a.reason = reason;
	a.note = note;
	return store_audit(e->store, &a);
}

static struct dimension *
find_dimension(struct engine *e, struct pstate *ps, const char *dim, struct eng_result *r)
{
	struct dimension *d;
	const char **names;
	const char *hit;
	size_t i;

	(void)e;
	if ((d = plan_dimension(ps->plan, dim)) != NULL)
		return d;
	if (ps->plan->ndims == 0) {
		fail(r, ENG_NOTFOUND, _("plan %s has no dimensions"), ps->plan->id);
		return NULL;
	}
	names = xcalloc(ps->plan->ndims, sizeof(char *));
	for (i = 0; i < ps->plan->ndims; i++)
		names[i] = ps->plan->dims[i].id;
	hit = suggest(dim != NULL ? dim : "", names, ps->plan->ndims);
	if (hit != NULL)
		fail(r, ENG_NOTFOUND, _("plan %s has no dimension %s; did you mean %s?"),
		    ps->plan->id, dim ? dim : "", hit);
	else
		fail(r, ENG_NOTFOUND, _("plan %s has no dimension %s"), ps->plan->id, dim ? dim : "");
	free(names);
	return NULL;
}

/*
 * The part's instances came last, the others kept their places: states (and at publishing
 * the schedule) extended as for an addition; no links between plans move.
 */
static int
part_appended(struct engine *e, struct pstate *ps, struct dimension *d, size_t old_n)
{
	if (store_begin(e->store) == -1)
		return -1;
	states_appended(e, ps, old_n, d);
	touched_plan(e, ps);
	touch_readers(e, ps);
	return 0;
}

/*
 * The plan's instances moved for part pt (the last of d): states follow them (the old
 * instances are the new ones but pt's, in their order: no lookup by key), the links
 * between plans resolved again. On error the part is out again.
 */
static int
part_reshaped(struct engine *e, struct pstate *ps, struct dimension *d, struct part *pt,
    size_t old_n, struct eng_result *r)
{
	size_t *back = xcalloc(ps->plan->ninst ? ps->plan->ninst : 1, sizeof(*back)), i, k;
	char *cause = NULL;

	for (i = k = 0; i < ps->plan->ninst; i++)
		back[i] = ps->plan->inst[i].part == pt || k == old_n ? SIZE_MAX : k++;
	/* By the links as they were: they name other plans' instances, which stay. */
	touch_readers(e, ps);
	if (relink_cause(e, &cause) == -1 || store_begin(e->store) == -1) {
		free(back);
		plan_remove_last_part(ps->plan, d);
		relink(e);
		if (cause != NULL) {
			fail(r, ENG_BAD, "%s", cause);
			free(cause);
			return r->rc;
		}
		return fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
	}
	reshape_back(e, ps, back, old_n, d, NULL);
	return ENG_OK;
}

int
engine_part_add(struct engine *e, struct pstate *ps, const char *dim, const char *id,
    const char *title, const char *lead, int override, const char *reason,
    const struct actor *who, int64_t now, struct eng_result *r)
{
	struct dimension *d;
	struct part *pt;
	struct change c;
	char *cause = NULL, *names = NULL, *s, *partkey;
	size_t old_n = ps->plan->ninst, *done, ndone, i, *v, n;
	unsigned long expansions = ps->plan->expansions;
	int appended;

	if ((d = find_dimension(e, ps, dim, r)) == NULL)
		return r->rc;
	if (may_part(ps, d, who, r) || check_text(N_("reason"), reason, override, r))
		return r->rc;
	if ((ndone = every_part_done(ps, d, &done)) > 0) {
		for (i = 0; i < ndone; i++) {
			xasprintf(&s, "%s%s%s", names ? names : "", names ? ", " : "",
			    ps->plan->inst[done[i]].key);
			free(names);
			names = s;
		}
		if (!override) {
			fail(r, ENG_REFUSED, P_("a part cannot be added to %s any more: %s, which waits "
			    "for every part, is done", "a part cannot be added to %s any more: %s, "
			    "which wait for every part, are done", ndone), d->id, names);
			free(names);
			r->list = done;
			r->nlist = ndone;
			return r->rc;
		}
		free(names);
		free(done);
		if (may_override(ps, who, r))
			return r->rc;
	} else
		override = 0;
	if (plan_add_part(ps->plan, d->id, id, title, lead, &cause) == -1) {
		fail(r, ENG_BAD, "%s", cause);
		free(cause);
		return r->rc;
	}
	pt = d->parts[d->nparts - 1];
	if ((appended = ps->plan->expansions == expansions)) {
		if (part_appended(e, ps, d, old_n) == -1) {
			plan_remove_last_part(ps->plan, d);
			return fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
		}
		n = ps->plan->ninst - old_n;
		v = xcalloc(n ? n : 1, sizeof(*v));
		for (i = 0; i < n; i++)
			v[i] = old_n + i;
	} else if (part_reshaped(e, ps, d, pt, old_n, r) != ENG_OK)
		return r->rc;
	else
		n = plan_part_instances(ps->plan, pt, &v);
	xasprintf(&partkey, "%s#%s", d->id, pt->id);
	if (store_put_part(e->store, ps->plan->id, d->id, pt->id, pt->title, pt->lead, now,
	    who->name, reason) == -1 ||
	    part_audit(e, ps, who, now, partkey, override ? "part-add-override" : "part-add",
	    reason, pt->title) == -1)
		goto dbfail;
	for (i = 0; i < n; i++)
		if (part_audit(e, ps, who, now, ps->plan->inst[v[i]].key, override ?
		    "part-add-override" : "part-add", reason, pt->title) == -1)
			goto dbfail;
	if (publish_state(e, ps, appended ? old_n : 0, NULL, now) == -1)
		goto dbfail;
	free(partkey);
	r->list = v;
	r->nlist = n;
	memset(&c, 0, sizeof(c));
	c.kind = override ? "part-add-override" : "part-add";
	c.inst = v;
	c.ninst = n;
	c.who = who;
	c.reason = reason;
	c.at = now;
	return engine_changed(e, ps, &c, r);
dbfail:
	free(partkey);
	free(v);
	return fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
}

int
engine_part_cancel(struct engine *e, struct pstate *ps, const char *dim, const char *id,
    const char *reason, const struct actor *who, int64_t now, struct eng_result *r)
{
	struct dimension *d;
	struct part *pt;
	char **oldkeys, *partkey;
	size_t old_n = ps->plan->ninst, i, *v, n;

	if ((d = find_dimension(e, ps, dim, r)) == NULL)
		return r->rc;
	if (may_part(ps, d, who, r) || check_text(N_("reason"), reason, 1, r))
		return r->rc;
	if ((pt = dimension_part(d, id)) == NULL)
		return fail(r, ENG_NOTFOUND, _("%s has no part %s"), d->id, id ? id : "");
	if (pt->cancelled)
		return fail(r, ENG_REFUSED, _("part %s of %s is cancelled already"), pt->id, d->id);
	n = plan_part_instances(ps->plan, pt, &v);
	for (i = 0; i < n; i++) {
		r->keys = xreallocarray(r->keys, r->nkeys + 1, sizeof(char *));
		r->keys[r->nkeys++] = xstrdup(ps->plan->inst[v[i]].key);
	}
	if (store_begin(e->store) == -1) {
		free(v);
		return fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
	}
	i = gone_told(e, ps, "part-cancel", v, n, who, reason, now, r);
	free(v);
	if (i != ENG_OK)
		return r->rc;
	oldkeys = keys_save(ps->plan);
	touch_readers(e, ps);
	plan_cancel_part(ps->plan, pt, 1);
	relink(e);
	reshape(e, ps, oldkeys, old_n, NULL, pt);
	xasprintf(&partkey, "%s#%s", d->id, pt->id);
	if (store_cancel_part(e->store, ps->plan->id, d->id, pt->id, now, who->name, reason) ==
	    -1 || part_audit(e, ps, who, now, partkey, "part-cancel", reason, pt->title) == -1) {
		free(partkey);
		return fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
	}
	free(partkey);
	for (i = 0; i < r->nkeys; i++)
		if (part_audit(e, ps, who, now, r->keys[i], "part-cancel", reason, pt->title) == -1)
			return fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
	if (publish_state(e, ps, 0, NULL, now) == -1)
		return fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
	return ENG_OK;
}

/* ---- changes to the running plan ---- */

int
engine_find_milestone(struct engine *e, const char *plan, const char *id, struct pstate **out,
    struct eng_result *r)
{
	size_t i, n = 0;

	if (plan != NULL && engine_plan(e, plan) == NULL)
		return not_found(e, plan, id, r);
	for (i = 0; i < e->nplans; i++) {
		if (plan != NULL && strcmp(e->plans[i].plan->id, plan) != 0)
			continue;
		if (plan_milestone(e->plans[i].plan, id) != NULL && n++ == 0)
			*out = &e->plans[i];
	}
	if (n > 1)
		return fail(r, ENG_AMBIGUOUS, _("%s is in several plans: name one with -p PLAN"), id);
	if (n == 0)
		return not_found(e, plan, id, r);
	return ENG_OK;
}

/* The plan as before an edit, and the links between plans (by instance index) with it. */
static void
edit_back(struct engine *e, struct plan *p, struct planedit_saved *saved)
{
	struct errlist errs = { 0 };

	planedit_restore(p, saved);
	link_plans(e->plans, e->nplans, &errs);	/* valid before the edit: cannot fail */
	errlist_free(&errs);
}

/*
 * A change of the plan taken back: the plan as it was, its states in their old places.
 * Changes of one transaction are undone newest first, so memory is as the change left it.
 */
struct change_undo {
	struct engine		*e;
	struct pstate		*ps;
	struct planedit_saved	*saved;
	struct published	 pub;
	unsigned char		*kept;		/* pub.st[i] went along */
};

static void
change_undo_cb(void *arg, int undo)
{
	struct change_undo *u = arg;

	if (undo)
		edit_back(u->e, u->ps->plan, u->saved);
	else
		planedit_saved_free(u->saved);
	published_end(u->e, u->ps, &u->pub, undo, u->kept);
	free(u->kept);
	free(u);
}

static const char *
change_verb(enum edit_kind k)
{
	switch (k) {
	case EDIT_MOVE:
		return _("move");
	case EDIT_RETITLE:
		return _("retitle");
	case EDIT_CANCEL:
		return _("cancel");
	case EDIT_REQUIRE:
		break;
	}
	return _("add a requirement to");
}

/* What an instance was before a change of the plan, to know whom it concerns. */
struct inst_was {
	struct timing	 timing;
	size_t		 npre;
};

static int
ltime_same(const struct ltime *a, const struct ltime *b)
{
	char x[32], y[32];

	ltime_format(a, x, sizeof(x));
	ltime_format(b, y, sizeof(y));
	return a->set == b->set && strcmp(x, y) == 0;
}

static int
timing_same(const struct timing *a, const struct timing *b)
{
	return ltime_same(&a->due, &b->due) && ltime_same(&a->from, &b->from) &&
	    ltime_same(&a->not_before, &b->not_before) && a->on == b->on;
}

/* A party's own title for milestone m ("for PARTY" with a title): a retitle leaves it. */
static int
own_title(const struct milestone *m, const struct instance *in)
{
	size_t i;

	for (i = 0; in->party != NULL && i < m->novr; i++)
		if (m->ovr[i].title != NULL && strcmp(m->ovr[i].party, in->party->id) == 0)
			return 1;
	return 0;
}

/*
 * The owners a change of the plan concerns, told (see termijn.plan(5)): of the open steps
 * whose timing a move made other, whose title a retitle did, that a requirement made wait
 * for one step more; back[k]: instance k's index before (SIZE_MAX: new), was[] as it was.
 */
static int
change_told(struct engine *e, struct pstate *ps, const struct planedit *ed,
    const struct inst_was *was, const size_t *back, const struct timing *mwas,
    const char *old, const struct actor *who, const char *reason, int64_t now,
    struct eng_result *r)
{
	const struct plan *p = ps->plan;
	const struct milestone *m = plan_milestone(p, ed->ms);
	const struct inst_was *w;
	struct timing mnow;
	struct change c;
	size_t *v, n = 0, k;
	int rc, hit;

	v = xcalloc(m->inst_n ? m->inst_n : 1, sizeof(*v));
	for (k = m->inst_first; k < m->inst_first + m->inst_n; k++) {
		if (ps->st[k].status != ST_OPEN)
			continue;
		w = back[k] != SIZE_MAX ? &was[back[k]] : NULL;
		switch (ed->kind) {
		case EDIT_MOVE:
			hit = w == NULL || !timing_same(&w->timing, &p->inst[k].timing);
			break;
		case EDIT_RETITLE:
			hit = !own_title(m, &p->inst[k]);
			break;
		case EDIT_REQUIRE:
			hit = w == NULL || p->inst[k].npre > w->npre;
			break;
		default:
			hit = 0;
		}
		if (hit)
			v[n++] = k;
	}
	memset(&c, 0, sizeof(c));
	c.kind = planedit_kind_name(ed->kind);
	c.inst = v;
	c.ninst = n;
	c.who = who;
	c.reason = reason;
	c.at = now;
	if (ed->kind == EDIT_MOVE) {
		planedit_timing(p, ed, &mnow);
		c.was = mwas;
		c.now = &mnow;
	} else if (ed->kind == EDIT_RETITLE)
		c.was_title = old;
	else if (ed->kind == EDIT_REQUIRE)
		c.on = ed->on;
	rc = engine_changed(e, ps, &c, r);
	free(v);
	return rc;
}

/* The owners of the open steps of a milestone cancelled. */
static int
cancel_told(struct engine *e, struct pstate *ps, const char *id, const struct actor *who,
    const char *reason, int64_t now, struct eng_result *r)
{
	const struct milestone *m = plan_milestone(ps->plan, id);
	size_t *v, k;
	int rc;

	v = xcalloc(m->inst_n ? m->inst_n : 1, sizeof(*v));
	for (k = 0; k < m->inst_n; k++)
		v[k] = m->inst_first + k;
	rc = gone_told(e, ps, "cancel", v, m->inst_n, who, reason, now, r);
	free(v);
	return rc;
}

/* Instance k (was: its index before) has another timing than it had when published. */
static int
timing_moved(const struct published *pb, size_t was, const struct plan *p, size_t k)
{
	return was < pb->nthash && pb->thash[was] != ical_timing_hash(p, k);
}

int
engine_change(struct engine *e, struct pstate *ps, const struct planedit *ed,
    const struct actor *who, int64_t now, const char *reason, struct eng_result *r)
{
	struct plan *p = ps->plan;
	struct planedit_saved *saved;
	struct change_undo *u;
	struct change_row row;
	struct instance *in;
	struct audit a;
	char **keys, *old, *new, *cause = NULL, *def;
	size_t i, k, old_n = p->ninst, *map = NULL, *back = NULL;
	struct inst_was *was;
	struct timing mwas;
	struct istate *nst;
	struct errlist errs = { 0 };
	json_t *j;
	int rc = ENG_OK;

	if (may_act(ps, 0, who, AZ_CHANGE, r) || check_text(N_("reason"), reason, 1, r))
		return r->rc;
	if ((old = planedit_value(p, ed)) == NULL)
		return not_found(e, p->id, ed->ms, r);
	keys = xcalloc(old_n ? old_n : 1, sizeof(char *));
	was = xcalloc(old_n ? old_n : 1, sizeof(*was));
	for (i = 0; i < old_n; i++) {
		keys[i] = xstrdup(p->inst[i].key);
		was[i].timing = p->inst[i].timing;
		was[i].npre = p->inst[i].npre;
	}
	planedit_timing(p, ed, &mwas);
	touch_readers(e, ps);
	if (planedit_apply(p, ed, &saved, &cause) == -1) {
		fail(r, ENG_REFUSED, _("cannot %s %s: %s"), change_verb(ed->kind), ed->key, cause);
		free(cause);
		goto out;
	}
	/* The links between plans, checked as at a reload (and made for the new indices). */
	if (link_plans(e->plans, e->nplans, &errs) == -1) {
		planedit_restore(p, saved);
		fail(r, ENG_REFUSED, _("cannot %s %s: %s"), change_verb(ed->kind), ed->key,
		    errs.n > 0 ? errs.msg[0] : "?");
		errlist_free(&errs);
		goto out;
	}
	new = planedit_value(p, ed);
	if (strcmp(old, new) == 0) {
		edit_back(e, p, saved);
		fail(r, ENG_BAD, _("%s: nothing changes (%s)"), ed->key, old);
		free(new);
		goto out;
	}
	/* A step done or waived keeps its instance: a change that would lose one is refused. */
	map = xcalloc(old_n ? old_n : 1, sizeof(size_t));
	for (i = 0; i < old_n; i++) {
		map[i] = (in = plan_instance(p, keys[i])) != NULL ? in->idx : SIZE_MAX;
		if (map[i] == SIZE_MAX && ps->st[i].status != ST_OPEN) {
			edit_back(e, p, saved);
			fail(r, ENG_REFUSED, _("cannot %s %s: %s is done or waived (reopen it first)"),
			    change_verb(ed->kind), ed->key, keys[i]);
			free(new);
			goto out;
		}
	}
	if (ed->kind == EDIT_CANCEL) {
		/* Its owners are told while the plan still has its steps: back, told, again. */
		edit_back(e, p, saved);
		if (store_begin(e->store) == -1) {
			free(new);
			rc = fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
			goto out;
		}
		if (cancel_told(e, ps, ed->ms, who, reason, now, r) != ENG_OK) {
			free(new);
			rc = r->rc;
			goto out;
		}
		/* It was valid a moment ago, and nothing else changed. */
		if (planedit_apply(p, ed, &saved, &cause) == -1 ||
		    link_plans(e->plans, e->nplans, &errs) == -1)
			fatalx("cancel of %s in plan %s: valid no more", ed->ms, p->id);
	} else if (store_begin(e->store) == -1) {
		edit_back(e, p, saved);
		free(new);
		rc = fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
		goto out;
	}
	back = xcalloc(p->ninst ? p->ninst : 1, sizeof(*back));
	for (i = 0; i < p->ninst; i++)
		back[i] = SIZE_MAX;
	for (i = 0; i < old_n; i++)
		if (map[i] != SIZE_MAX)
			back[map[i]] = i;
	nst = xcalloc(p->ninst ? p->ninst : 1, sizeof(*nst));
	for (i = 0; i < old_n; i++)
		if (map[i] != SIZE_MAX)
			nst[map[i]] = ps->st[i];
	u = xcalloc(1, sizeof(*u));
	u->e = e;
	u->ps = ps;
	u->saved = saved;
	u->kept = xcalloc(old_n ? old_n : 1, 1);
	for (i = 0; i < old_n; i++)
		u->kept[i] = map[i] != SIZE_MAX;
	published_take(e, ps, &u->pub, nst, old_n, back, 0);
	store_on_rollback(e->store, change_undo_cb, u);

	/* The instances it is about: those that went, and the milestone's that are. */
	for (i = 0; i < old_n; i++)
		if (map[i] == SIZE_MAX) {
			r->keys = xreallocarray(r->keys, r->nkeys + 1, sizeof(char *));
			r->keys[r->nkeys++] = xstrdup(keys[i]);
		}
	if (ed->kind != EDIT_CANCEL) {
		struct milestone *m = plan_milestone(p, ed->ms);

		for (i = m->inst_first; i < m->inst_first + m->inst_n; i++) {
			if (ed->party != NULL && (p->inst[i].party == NULL ||
			    strcmp(p->inst[i].party->id, ed->party) != 0))
				continue;
			r->list = xreallocarray(r->list, r->nlist + 1, sizeof(size_t));
			r->list[r->nlist++] = i;
		}
	}
	j = planedit_to_json(ed);
	def = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	memset(&row, 0, sizeof(row));
	row.plan = p->id;
	row.id = ed->key;
	row.kind = planedit_kind_name(ed->kind);
	row.def = def;
	row.old = old;
	row.new = new;
	row.at = now;
	row.actor = who->name;
	row.reason = reason;
	xasprintf(&cause, "%s -> %s", old, new);
	memset(&a, 0, sizeof(a));
	a.at = now;
	audit_actor(&a, who);
	a.plan = p->id;
	a.action = row.kind;
	a.reason = reason;
	a.note = cause;
	if (ed->kind == EDIT_CANCEL)
		rc = store_drop_added(e->store, p->id, ed->ms);
	else
		rc = store_put_change(e->store, &row);
	for (i = 0; i < old_n && rc == 0; i++) {
		if (map[i] != SIZE_MAX)
			continue;
		/* An open step that goes: its history stays in the audit log. */
		a.key = keys[i];
		if (store_audit(e->store, &a) == -1 || store_drop_state(e->store, p->id, a.key) == -1 ||
		    store_outbox_cancel_key(e->store, p->id, a.key, ed->kind == EDIT_CANCEL ?
		    "the milestone was cancelled" : "the milestone changed") == -1)
			rc = -1;
	}
	for (i = 0; i < r->nlist && rc == 0; i++) {
		k = r->list[i];
		a.key = p->inst[k].key;
		/* A new timing raises SEQUENCE in publish_state; raised here too, it went by 2. */
		if (store_audit(e->store, &a) == -1 ||
		    store_outbox_cancel_key(e->store, p->id, a.key, "the milestone changed") == -1 ||
		    (!timing_moved(&u->pub, back[k], p, k) &&
		    store_sequence_raise(e->store, p->id, a.key) == -1))
			rc = -1;
	}
	if (rc == 0)
		rc = publish_state(e, ps, 0, NULL, now);
	if (rc == -1)
		rc = fail(r, ENG_FAIL, _("database: %s"), store_error(e->store));
	else if (ed->kind != EDIT_CANCEL)
		rc = change_told(e, ps, ed, was, back, &mwas, old, who, reason, now, r);
	free(cause);
	free(def);
	r->before = old;
	r->after = new;
	old = NULL;
out:
	for (i = 0; i < old_n; i++)
		free(keys[i]);
	free(keys);
	free(was);
	free(map);
	free(back);
	free(old);
	return rc != ENG_OK ? rc : (int)r->rc;
}
