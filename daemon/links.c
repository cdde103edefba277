/* links.c: requirements between plans: resolved over the set of loaded plans, checked, looked up. */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "links.h"
#include "xmalloc.h"

/* One plan's links while they are made. */
struct build {
	struct xlink	*pre, *dep;
	size_t		 npre, precap, ndep, depcap;
};

void
links_free(struct xlinks *x)
{
	if (x == NULL)
		return;
	free(x->pre);
	free(x->dep);
	free(x);
}

static ssize_t
set_find(const struct linkplan *v, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].plan->id, id) == 0)
			return (ssize_t)i;
	return -1;
}

/* The requirement as written: "PLAN:ID[@SCOPE][/last|/DATE]". */
static void
req_text(const struct requirement *r, char *buf, size_t len)
{
	char d[16] = "";

	if (r->last)
		snprintf(d, sizeof(d), "/last");
	else if (r->date.set)
		snprintf(d, sizeof(d), "/%04d-%02d-%02d", r->date.year, r->date.mon, r->date.day);
	snprintf(buf, len, "%s:%s%s%s%s", r->plan, r->id,
	    r->scope == REQ_AUTO ? "" : "@", r->scope == REQ_SAME ? "same" : r->scope == REQ_ALL ?
	    "all" : r->scope == REQ_PARTY ? r->party : "", d);
}

static int
applies_to(const struct milestone *t, const struct plan *q, const char *party)
{
	size_t i;

	if (!t->per_party)
		return 0;
	for (i = 0; i < t->inst_n; i++)
		if (strcmp(q->inst[t->inst_first + i].party->id, party) == 0)
			return 1;
	return 0;
}

/* Does the scope of r fit milestones m (requiring) and t (required, in plan q)? */
static int
scope_fits(const struct plan *p, const struct milestone *m, const struct requirement *r,
    const char *text, const struct plan *q, const struct milestone *t, struct errlist *errs)
{
	/* Its parts come and go at run time: no link could stay put. */
	if (t->per != NULL) {
		errlist_add(errs, p->file, r->line, _("requires %s: %s is per %s, whose parts are "
		    "added at run time: another plan cannot require it"), text, r->id, t->per);
		return 0;
	}
	if (r->scope == REQ_SAME && (!t->per_party || !m->per_party)) {
		errlist_add(errs, p->file, r->line, _("requires %s: both milestones must be per "
		    "party"), text);
		return 0;
	}
	if ((r->scope == REQ_ALL || r->scope == REQ_PARTY) && !t->per_party) {
		errlist_add(errs, p->file, r->line, _("requires %s: %s is not per party"), text,
		    r->id);
		return 0;
	}
	if (r->scope == REQ_PARTY && !applies_to(t, q, r->party)) {
		errlist_add(errs, p->file, r->line, _("requires %s: %s does not apply to party %s"),
		    text, r->id, r->party);
		return 0;
	}
	if (r->last && !t->recur.every) {
		errlist_add(errs, p->file, r->line, _("requires %s: %s does not repeat"), text, r->id);
		return 0;
	}
	return 1;
}

/* Does instance k (of the required milestone) answer requirement r of instance in? */
static int
answers(const struct requirement *r, const struct instance *in, const struct instance *k)
{
	enum req_scope sc = r->scope;

	if (sc == REQ_AUTO)
		sc = in->ms->per_party && k->ms->per_party ? REQ_SAME : REQ_ALL;
	if (k->party != NULL && sc == REQ_SAME && strcmp(k->party->id, in->party->id) != 0)
		return 0;
	if (k->party != NULL && sc == REQ_PARTY && strcmp(k->party->id, r->party) != 0)
		return 0;
	if (r->last && k->occ != k->nocc)
		return 0;
	if (r->date.set && (k->timing.due.year != r->date.year ||
	    k->timing.due.mon != r->date.mon || k->timing.due.day != r->date.day))
		return 0;
	return 1;
}

static int64_t
earliest(const struct instance *in)
{
	return in->not_before > in->opens ? in->not_before : in->opens;
}

static void
push(struct xlink **v, size_t *n, size_t *cap, size_t from, const struct linkplan *to,
    size_t inst)
{
	XGROW(*v, *n, *cap);
	(*v)[*n].from = from;
	(*v)[*n].plan = to->plan;
	(*v)[*n].st = to->st;
	(*v)[*n].stamp = to->stamp;
	(*v)[(*n)++].inst = inst;
}

/* The links of requirement r of milestone m (plan v[i]) to milestone t of plan v[qi]. */
static int
link_req(const struct linkplan *v, size_t i, size_t qi, const struct milestone *m,
    const struct requirement *r, const char *text, const struct milestone *t,
    struct build *b, size_t *total, struct errlist *errs)
{
	const struct plan *p = v[i].plan, *q = v[qi].plan;
	const struct instance *in, *pre;
	size_t g, k, found;
	int64_t e;
	char a[32], c[32];

	for (g = m->inst_first; g < m->inst_first + m->inst_n; g++) {
		in = &p->inst[g];
		found = 0;
		for (k = t->inst_first; k < t->inst_first + t->inst_n; k++) {
			pre = &q->inst[k];
			if (!answers(r, in, pre))
				continue;
			found++;
			push(&b[i].pre, &b[i].npre, &b[i].precap, g, &v[qi], k);
			push(&b[qi].dep, &b[qi].ndep, &b[qi].depcap, k, &v[i], g);
			if (++*total > LINKS_MAX) {
				errlist_add(errs, p->file, r->line, _("over %d links between plans: a "
				    "set of plans may have at most %d"), LINKS_MAX, LINKS_MAX);
				return -1;
			}
			if ((e = earliest(pre)) != 0 && e >= in->deadline) {
				ltime_format(&in->timing.due, a, sizeof(a));
				ltime_format(e == pre->not_before ? &pre->timing.not_before :
				    &pre->timing.from, c, sizeof(c));
				errlist_add(errs, p->file, r->line, _("%s is due %s, but its "
				    "prerequisite %s:%s cannot start before %s"), in->key, a, q->id,
				    pre->key, c);
			}
		}
		if (found > 0)
			continue;
		if (r->date.set) {
			snprintf(a, sizeof(a), "%04d-%02d-%02d", r->date.year, r->date.mon,
			    r->date.day);
			errlist_add(errs, p->file, r->line, _("requires %s: %s has no occurrence due "
			    "%s"), text, r->id, a);
		} else
			errlist_add(errs, p->file, r->line, _("requires %s: %s has no instance for "
			    "party %s (write %s:%s@all?)"), text, r->id,
			    in->party ? in->party->id : "?", r->plan, r->id);
		return 0;	/* once per requirement */
	}
	return 0;
}

/* ---- cycles through several plans ---- */

struct graph {
	const struct linkplan	*v;
	size_t			 n;
	size_t			*base;		/* the first node of each plan */
	size_t			 nnodes;
};

static void
node_of(const struct graph *g, size_t node, size_t *plan, size_t *ms)
{
	size_t lo = 0, hi = g->n;

	/* The last plan whose base is at most node. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->base[mid] <= node)
			lo = mid;
		else
			hi = mid;
	}
	*plan = lo;
	*ms = node - g->base[lo];
}

/* Edge e of a node: its requirement e (its own plan's first, then the other plans'). */
static int
edge(const struct graph *g, size_t node, size_t e, size_t *to, const struct requirement **r)
{
	size_t pi, mi;
	const struct milestone *m, *t;
	ssize_t qi;

	node_of(g, node, &pi, &mi);
	m = &g->v[pi].plan->ms[mi];
	if (e < m->nreqs) {
		*r = &m->reqs[e];
		*to = g->base[pi] + (*r)->target;
		return 1;
	}
	*r = &m->xreqs[e - m->nreqs];
	if ((qi = set_find(g->v, g->n, (*r)->plan)) == -1 ||
	    (t = plan_milestone(g->v[qi].plan, (*r)->id)) == NULL)
		return 0;
	*to = g->base[qi] + (size_t)(t - g->v[qi].plan->ms);
	return 1;
}

static size_t
node_edges(const struct graph *g, size_t node)
{
	size_t pi, mi;
	const struct milestone *m;

	node_of(g, node, &pi, &mi);
	m = &g->v[pi].plan->ms[mi];
	return m->nreqs + m->nxreqs;
}

static char *
node_name(const struct graph *g, size_t node)
{
	size_t pi, mi;
	char *s;

	node_of(g, node, &pi, &mi);
	xasprintf(&s, "%s:%s", g->v[pi].plan->id, g->v[pi].plan->ms[mi].id);
	return s;
}

static char *
node_name_cb(size_t node, void *arg)
{
	return node_name(arg, node);
}

static void
cycle_report(const struct graph *g, const size_t *stack, size_t from, size_t top,
    size_t last, const struct requirement *r, struct errlist *errs)
{
	char *path = cycle_path(stack, from, top, node_name_cb, (void *)(uintptr_t)g);
	size_t pi, mi;

	node_of(g, last, &pi, &mi);
	errlist_add(errs, g->v[pi].plan->file, r->line, _("dependency cycle across plans: %s"),
	    path);
	free(path);
}

/*
 * Each plan has no cycle of its own (plan.c): one through several plans passes a
 * requirement of another plan, so the search starts only from milestones that have one.
 */
static void
find_cycles(const struct linkplan *v, size_t n, struct errlist *errs)
{
	struct graph g;
	size_t i, root, top, k, j, *stack, *pos, *next, pi, mi;
	unsigned char *mark;
	const struct requirement *r;

	g.v = v;
	g.n = n;
	g.base = xcalloc(n ? n : 1, sizeof(size_t));
	g.nnodes = 0;
	for (i = 0; i < n; i++) {
		g.base[i] = g.nnodes;
		g.nnodes += v[i].plan->nms;
	}
	stack = xcalloc(g.nnodes ? g.nnodes : 1, sizeof(size_t));
	pos = xcalloc(g.nnodes ? g.nnodes : 1, sizeof(size_t));
	next = xcalloc(g.nnodes ? g.nnodes : 1, sizeof(size_t));
	mark = xcalloc(g.nnodes ? g.nnodes : 1, 1);
	for (root = 0; root < g.nnodes; root++) {
		node_of(&g, root, &pi, &mi);
		if (mark[root] != 0 || v[pi].plan->ms[mi].nxreqs == 0)
			continue;
		mark[root] = 1;
		stack[0] = root;
		top = 1;
		while (top > 0) {
			i = stack[top - 1];
			if (next[i] == node_edges(&g, i)) {
				mark[i] = 2;
				top--;
				continue;
			}
			k = next[i]++;
			if (!edge(&g, i, k, &j, &r) || j == i)
				continue;
			if (mark[j] == 1)
				cycle_report(&g, stack, pos[j], top - 1, i, r, errs);
			else if (mark[j] == 0) {
				mark[j] = 1;
				pos[j] = top;
				stack[top++] = j;
			}
		}
	}
	free(g.base);
	free(stack);
	free(pos);
	free(next);
	free(mark);
}

/* ---- the result ---- */

static int
cmp_link(const void *a, const void *b)
{
	const struct xlink *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->plan != y->plan)
		return (uintptr_t)x->plan < (uintptr_t)y->plan ? -1 : 1;
	return x->inst < y->inst ? -1 : x->inst > y->inst;
}

/* Sort by from, one link once (two requirements may ask for the same instance). */
static size_t
links_sort(struct xlink *v, size_t n)
{
	size_t i, k = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_link);
	for (i = 0; i < n; i++)
		if (k == 0 || cmp_link(&v[k - 1], &v[i]) != 0)
			v[k++] = v[i];
	return k;
}

int
links_resolve(const struct linkplan *v, size_t n, struct errlist *errs)
{
	struct build *b = xcalloc(n ? n : 1, sizeof(*b));
	const struct milestone *m, *t;
	const struct requirement *r;
	const struct plan *p;
	size_t i, j, k, total = 0, start = errs->n;
	ssize_t qi;
	int any = 0;
	char text[256];

	for (i = 0; i < n; i++) {
		p = v[i].plan;
		for (j = 0; j < p->nms; j++) {
			m = &p->ms[j];
			for (k = 0; k < m->nxreqs; k++) {
				r = &m->xreqs[k];
				any = 1;
				req_text(r, text, sizeof(text));
				if (strcmp(r->plan, p->id) == 0) {
					errlist_add(errs, p->file, r->line, _("requires %s: that is this "
					    "plan's own milestone: write %s"), text, r->id);
					continue;
				}
				if ((qi = set_find(v, n, r->plan)) == -1) {
					errlist_add(errs, p->file, r->line, _("milestone %s requires %s, "
					    "but no plan %s is loaded"), m->id, text, r->plan);
					continue;
				}
				if ((t = plan_milestone(v[qi].plan, r->id)) == NULL) {
					errlist_add(errs, p->file, r->line, _("milestone %s requires %s, "
					    "but plan %s has no milestone %s"), m->id, text, r->plan,
					    r->id);
					continue;
				}
				if (!scope_fits(p, m, r, text, v[qi].plan, t, errs))
					continue;
				if (link_req(v, i, (size_t)qi, m, r, text, t, b, &total, errs) == -1)
					goto out;
			}
		}
	}
	if (any && errs->n == start)
		find_cycles(v, n, errs);
out:
	if (errs->n > start) {
		for (i = 0; i < n; i++) {
			free(b[i].pre);
			free(b[i].dep);
		}
		free(b);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct xlinks *x = NULL;

		if (b[i].npre > 0 || b[i].ndep > 0) {
			x = xcalloc(1, sizeof(*x));
			x->pre = b[i].pre;
			x->npre = links_sort(b[i].pre, b[i].npre);
			x->dep = b[i].dep;
			x->ndep = links_sort(b[i].dep, b[i].ndep);
		}
		links_free(v[i].plan->xl);
		v[i].plan->xl = x;
	}
	free(b);
	return 0;
}

static size_t
range(const struct xlink *v, size_t n, size_t idx, const struct xlink **out)
{
	size_t lo = 0, hi = n, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].from < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < n && v[end].from == idx; end++)
		;
	*out = v != NULL ? v + lo : NULL;
	return end - lo;
}

size_t
links_pre(const struct plan *p, size_t idx, const struct xlink **out)
{
	if (p->xl == NULL) {
		*out = NULL;
		return 0;
	}
	return range(p->xl->pre, p->xl->npre, idx, out);
}

size_t
links_dep(const struct plan *p, size_t idx, const struct xlink **out)
{
	if (p->xl == NULL) {
		*out = NULL;
		return 0;
	}
	return range(p->xl->dep, p->xl->ndep, idx, out);
}
