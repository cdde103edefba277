/* api.c: the routes of /api/v1 on the client socket, JSON in and out (doc/api.md). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include "access.h"
#include "clock.h"
#include "feeds.h"
#include "i18n.h"
#include "jsontext.h"
#include "log.h"
#include "remind.h"
#include "request.h"
#include "suggest.h"
#include "termijnd.h"
#include "tz.h"
#include "xmalloc.h"

/* Bounds on one answer's work: a page costs about 10 ms at these (bench/stall.sh). */
#define STATUS_NEXT	5
#define STATUS_PAGE	100		/* plans */
#define STATUS_PAGE_MAX	1000
#define MILESTONES_PAGE	1000
#define PAGE_SCAN	20000		/* instances looked at */
#define LOG_PAGE	1000
#define FEEDS_PAGE	1000
#define REMINDERS_PAGE	1000
#define TOKENS_PAGE	1000
#define PARTS_PAGE	1000
#define API_MAX_BODY	65536		/* the transport takes more: see control.c */
#define UPCOMING_MAX	200		/* messages composed per plan for a preview */

static json_t *
jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* A note termijnd wrote itself (actor "plan") is in English in the store: translate it. */
static const char *
note_text(const char *actor, const char *note)
{
	if (note != NULL && actor != NULL && strcmp(actor, "plan") == 0)
		return _(note);
	return note;
}

static json_t *
note_json(const char *actor, const char *note)
{
	return jstr(note_text(actor, note));
}

static json_t *
jtime(int64_t t)
{
	char buf[32];

	if (t == 0)
		return json_null();
	utc_format(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *
jlocal(const struct plan *p, int64_t t)
{
	struct ltime lt;
	char buf[32];

	if (t == 0)
		return json_null();
	tz_from_utc(p->tz, t, &lt);
	ltime_format(&lt, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *
jltime(const struct ltime *lt)
{
	char buf[32];

	if (!lt->set)
		return json_null();
	ltime_format(lt, buf, sizeof(buf));
	return json_string(buf);
}

/* Another plan's instance as a requirement names it: "PLAN:KEY". */
static json_t *
jref(const struct plan *p, const struct instance *in)
{
	char *s;
	json_t *j;

	xasprintf(&s, "%s:%s", p->id, in->key);
	j = json_string(s);
	free(s);
	return j;
}

/* Times as the API writes them, through a writer (text, or fields of an object). */
static void
w_time(struct jsonw *w, const char *key, int64_t t)
{
	char buf[32];

	if (t == 0) {
		jsonw_null(w, key);
		return;
	}
	utc_format(t, buf, sizeof(buf));
	jsonw_str(w, key, buf);
}

static void
w_local(struct jsonw *w, const char *key, const struct plan *p, int64_t t)
{
	struct ltime lt;
	char buf[32];

	if (t == 0) {
		jsonw_null(w, key);
		return;
	}
	tz_from_utc(p->tz, t, &lt);
	ltime_format(&lt, buf, sizeof(buf));
	jsonw_str(w, key, buf);
}

static void
w_ltime(struct jsonw *w, const char *key, const struct ltime *lt)
{
	char buf[32];

	if (!lt->set) {
		jsonw_null(w, key);
		return;
	}
	ltime_format(lt, buf, sizeof(buf));
	jsonw_str(w, key, buf);
}

/* An instance's fields, the one list of them: as a tree (instance_json) or as text. */
static void
instance_fields(struct jsonw *w, const struct pstate *ps, size_t idx, int64_t now)
{
	const struct plan *p = ps->plan;
	const struct instance *in = &p->inst[idx];
	const struct istate *s = &ps->st[idx];
	const struct milestone *m = in->ms;
	char buf[96];

	jsonw_str(w, "plan", p->id);
	jsonw_str(w, "key", in->key);
	jsonw_str(w, "id", m->id);
	jsonw_str(w, "party", in->party ? in->party->id : NULL);
	jsonw_str(w, "party_name", in->party ? (in->party->name ? in->party->name :
	    in->party->id) : NULL);
	jsonw_str(w, "title", in->title);
	jsonw_str(w, "owner", in->owner);
	jsonw_str(w, "status", status_name(s->status));
	jsonw_str(w, "state", derived_name(rules_derived(p, ps->st, idx, now)));
	w_ltime(w, "due_local", &in->timing.due);
	w_ltime(w, "from_local", &in->timing.from);
	w_ltime(w, "not_before_local", &in->timing.not_before);
	w_time(w, "deadline", in->deadline);
	w_time(w, "start", in->start);
	w_time(w, "not_before", in->not_before);
	w_time(w, "opens", in->opens);
	jsonw_bool(w, "on", in->timing.on);
	jsonw_str(w, "timezone", p->tz);
	if (m->recur.every) {
		snprintf(buf, sizeof(buf), "every %d %s until %04d-%02d-%02d", m->recur.every,
		    m->recur.unit == 'd' ? "days" : m->recur.unit == 'w' ? "weeks" : "months",
		    m->recur.until.year, m->recur.until.mon, m->recur.until.day);
		jsonw_str(w, "recurrence", buf);
		jsonw_int(w, "occurrence", in->occ);
		jsonw_int(w, "occurrences", in->nocc);
	} else {
		jsonw_null(w, "recurrence");
		jsonw_null(w, "occurrence");
		jsonw_null(w, "occurrences");
	}
	if (s->status != ST_OPEN) {
		w_time(w, "at", s->at);
		w_local(w, "at_local", p, s->at);
	} else {
		jsonw_null(w, "at");
		jsonw_null(w, "at_local");
	}
	jsonw_str(w, "by", s->actor);
	jsonw_str(w, "by_name", s->actor ? plan_person_name(p, s->actor) : NULL);
	jsonw_str(w, "note", note_text(s->actor, s->note));
	jsonw_bool(w, "overridden", s->overridden);
	jsonw_bool(w, "runtime", m->runtime);
	jsonw_str(w, "dimension", m->dim ? m->dim->id : NULL);
	jsonw_str(w, "part", in->part ? in->part->id : NULL);
	jsonw_str(w, "part_title", in->part ? in->part->title : NULL);
}

static json_t *
instance_json(const struct pstate *ps, size_t idx, int64_t now)
{
	json_t *o = json_object();
	struct jsonw w;

	jsonw_tree(&w, o);
	instance_fields(&w, ps, idx, now);
	return o;
}

static json_t *
error_json(const char *code, const char *msg)
{
	return json_pack("{s:s, s:s}", "error", code, "message", msg ? msg : code);
}

static void
reply_error(struct termijnd *d, struct evhttp_request *req, int http, const char *code,
    const char *msg, int is_write)
{
	control_reply(d, req, http, error_json(code, msg), is_write);
}

static json_t *
unmet_json(struct termijnd *d, const struct pstate *ps, const struct unmet *u, size_t n)
{
	json_t *a = json_array(), *o;
	const struct instance *in;
	const struct pstate *qs;
	size_t i;

	for (i = 0; i < n; i++) {
		if (u[i].kind == UNMET_NO_PARTS) {
			const struct milestone *m = &ps->plan->ms[u[i].ms];

			o = json_pack("{s:s, s:s, s:s, s:s}", "kind", "no-parts", "milestone", m->id,
			    "title", m->title, "dimension", m->dim->id);
			json_object_set_new(o, "dimension_name", jstr(m->dim->name));
			json_array_append_new(a, o);
			continue;
		}
		if (u[i].kind == UNMET_NOT_BEFORE || u[i].kind == UNMET_WINDOW) {
			const struct instance *self = &ps->plan->inst[u[i].inst];

			o = json_pack("{s:s}", "kind", u[i].kind == UNMET_NOT_BEFORE ? "not-before" :
			    self->timing.on ? "on" : "window");
			if (u[i].kind == UNMET_WINDOW)
				json_object_set_new(o, "from_local", jltime(&self->timing.from));
			json_object_set_new(o, "at", jtime(u[i].not_before));
			json_object_set_new(o, "at_local", jlocal(ps->plan, u[i].not_before));
		} else {
			/* The prerequisite may be another plan's ("requires PLAN:ID"). */
			qs = u[i].plan == ps->plan ? ps : engine_pstate(&d->engine, u[i].plan);
			in = &u[i].plan->inst[u[i].inst];
			o = json_pack("{s:s, s:s, s:s, s:s}", "kind", u[i].kind == UNMET_TOGETHER ?
			    "together" : "requires", "plan", u[i].plan->id, "key", in->key, "title",
			    in->title);
			if (qs != ps)
				json_object_set_new(o, "ref", jref(u[i].plan, in));
			json_object_set_new(o, "party_name", jstr(in->party ? (in->party->name ?
			    in->party->name : in->party->id) : NULL));
			json_object_set_new(o, "status", json_string(status_name(qs != NULL ?
			    qs->st[u[i].inst].status : ST_OPEN)));
			if (u[i].kind == UNMET_TOGETHER) {
				/* The other party's step that waits for it. */
				in = &ps->plan->inst[u[i].via];
				json_object_set_new(o, "via", json_string(in->key));
				json_object_set_new(o, "via_party", jstr(in->party ? in->party->id :
				    NULL));
				json_object_set_new(o, "via_party_name", jstr(in->party ?
				    (in->party->name ? in->party->name : in->party->id) : NULL));
			}
		}
		json_array_append_new(a, o);
	}
	return a;
}

/* An engine outcome as an HTTP error (its status in *http), or NULL when it is none. */
static json_t *
result_json(struct termijnd *d, const struct pstate *ps, const struct eng_result *r, int *http)
{
	json_t *o, *a;
	size_t i;

	switch (r->rc) {
	case ENG_OK:
		break;
	case ENG_BAD:
		*http = 400;
		return error_json("bad-request", r->message);
	case ENG_FORBIDDEN:
		*http = 403;
		return error_json("forbidden", r->message);
	case ENG_NOTFOUND:
		*http = 404;
		return error_json("not-found", r->message);
	case ENG_AMBIGUOUS:
		o = error_json("ambiguous", r->message);
		a = json_array();
		for (i = 0; i < r->ncandidates; i++)
			json_array_append_new(a, json_string(r->candidates[i]));
		json_object_set_new(o, "candidates", a);
		*http = 409;
		return o;
	case ENG_REFUSED:
		o = error_json("refused", r->message);
		if (r->nunmet > 0)
			json_object_set_new(o, "unmet", unmet_json(d, ps, r->unmet, r->nunmet));
		if (r->nlist + r->nxlist > 0) {
			a = json_array();
			for (i = 0; i < r->nlist; i++)
				json_array_append_new(a, json_pack("{s:s, s:s}", "key",
				    ps->plan->inst[r->list[i]].key, "title",
				    ps->plan->inst[r->list[i]].title));
			for (i = 0; i < r->nxlist; i++) {
				const struct instance *in = &r->xlist[i].plan->inst[r->xlist[i].inst];

				json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o}", "plan",
				    r->xlist[i].plan->id, "key", in->key, "title", in->title, "ref",
				    jref(r->xlist[i].plan, in)));
			}
			json_object_set_new(o, "dependents", a);
		}
		*http = 409;
		return o;
	case ENG_FAIL:
		*http = 500;
		return error_json("internal", r->message);
	}
	return NULL;
}

/* Turn an engine outcome into an HTTP error reply; returns 1 when it was one. */
static int
reply_result(struct termijnd *d, struct evhttp_request *req, const struct pstate *ps,
    const struct eng_result *r, int is_write)
{
	int http = 500;
	json_t *o = result_json(d, ps, r, &http);

	if (o == NULL)
		return 0;
	control_reply(d, req, http, o, is_write);
	return 1;
}

/* ---- reading ---- */

static const char *
query(struct evkeyvalq *q, const char *name)
{
	const char *v = evhttp_find_header(q, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* "limit" of a paged read: 1 to max, default def; -1 when it is no number. */
static long
page_limit(struct evkeyvalq *q, long def, long max)
{
	const char *lim = query(q, "limit");
	char *end;
	long n;

	if (lim == NULL)
		return def;
	n = strtol(lim, &end, 10);
	if (*lim < '0' || *lim > '9' || *end != '\0' || n < 1)
		return -1;
	return n > max ? max : n;
}

/* The plan a cursor names by its first len bytes; NULL when there is none by that id. */
static struct pstate *
cursor_plan(struct engine *e, const char *cursor, size_t len)
{
	struct pstate *ps;
	char *id = xmalloc(len + 1);

	memcpy(id, cursor, len);
	id[len] = '\0';
	ps = engine_plan(e, id);
	free(id);
	return ps;
}

static void
reply_bad_cursor(struct termijnd *d, struct evhttp_request *req)
{
	reply_error(d, req, 400, "bad-request", _("cursor: no such place in the plans "
	    "(they were reloaded?); start again without it"), 0);
}

/*
 * A seq (or a count) in a query: a whole number from min; -1 when it is not one, or too big to
 * be one (strtoll would clamp it to the largest, a silently empty page).
 */
static int
seq_arg(const char *s, long long min, long long *out)
{
	char *end;

	if (s == NULL)
		return 0;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return *s < '0' || *s > '9' || *end != '\0' || errno == ERANGE || *out < min ? -1 : 0;
}

/*
 * The limit (1 to max, default max) and cursor of a page of rows by id (feeds, reminders,
 * tokens): the cursor is the id the page starts at, the "next" of the page before; what
 * says what a cursor is. -1 once answered 400.
 */
static int
id_page_args(struct termijnd *d, struct evhttp_request *req, struct evkeyvalq *q, long max,
    const char *what, long *limit, long long *from)
{
	*from = 1;
	if ((*limit = page_limit(q, max, max)) == -1 || seq_arg(query(q, "cursor"), 1, from) == -1) {
		reply_error(d, req, 400, "bad-request", *limit == -1 ? _("limit: a number from 1") :
		    what, 0);
		return -1;
	}
	return 0;
}

json_t *
api_page_next(json_t *rows, long limit)
{
	json_t *next;

	if (json_array_size(rows) <= (size_t)limit)
		return json_null();
	next = json_incref(json_object_get(json_array_get(rows, (size_t)limit), "id"));
	json_array_remove(rows, (size_t)limit);
	return next;
}

/* One plan's counts by derived state and its soonest open instances, read now. */
static json_t *
plan_status_json(const struct pstate *ps, int64_t now)
{
	const struct plan *p = ps->plan;
	int c[DV_WAIVED + 1] = { 0 };
	json_t *po, *counts, *next;
	size_t j, k, order[STATUS_NEXT], n = 0;

	po = json_pack("{s:s, s:s, s:s}", "id", p->id, "title", p->title, "timezone", p->tz);
	for (j = 0; j < p->ninst; j++) {
		c[rules_derived(p, ps->st, j, now)]++;
		if (ps->st[j].status != ST_OPEN)
			continue;
		/* The soonest few, in one pass (O(n)): ties keep plan order. */
		if (n == STATUS_NEXT && p->inst[order[n - 1]].deadline <= p->inst[j].deadline)
			continue;
		for (k = n < STATUS_NEXT ? n++ : n - 1;
		    k > 0 && p->inst[order[k - 1]].deadline > p->inst[j].deadline; k--)
			order[k] = order[k - 1];
		order[k] = j;
	}
	counts = json_object();
	for (j = 0; j <= DV_WAIVED; j++)
		json_object_set_new(counts, derived_name((enum derived)j), json_integer(c[j]));
	json_object_set_new(po, "counts", counts);
	next = json_array();
	for (j = 0; j < n; j++)
		json_array_append_new(next, instance_json(ps, order[j], now));
	json_object_set_new(po, "next", next);
	return po;
}

/* What the last page of a status adds: the kept states and changes that fit no plan. */
static void
status_leftovers(struct engine *e, json_t *o)
{
	struct pstate *ps;
	json_t *a;
	size_t i;

	a = json_array();
	for (i = 0; i < e->norphans; i++) {
		struct orphan *or = &e->orphans[i];
		json_t *oo = json_pack("{s:s, s:s, s:s}", "plan", or->plan, "key", or->key,
		    "status", status_name(or->st.status));

		json_object_set_new(oo, "at", or->st.status != ST_OPEN ? jtime(or->st.at) :
		    json_null());
		json_object_set_new(oo, "by", jstr(or->st.actor));
		/* Its plan's zone, for showing the time, when the plan is still there. */
		ps = engine_plan(e, or->plan);
		json_object_set_new(oo, "timezone", jstr(ps != NULL ? ps->plan->tz : NULL));
		json_array_append_new(a, oo);
	}
	json_object_set_new(o, "orphans", a);
	a = json_array();
	for (i = 0; i < e->nunfit; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:s}", "plan",
		    e->unfit[i].plan, "id", e->unfit[i].id, "title", jstr(e->unfit[i].title),
		    "reason", e->unfit[i].why));
	json_object_set_new(o, "unfit", a);
	a = json_array();
	for (i = 0; i < e->nconflicts; i++) {
		struct conflict *c = &e->conflicts[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o}",
		    "plan", c->plan, "key", c->id, "kind", c->kind, "runtime", c->runtime, "file",
		    jstr(c->file), "why", c->why, "by", c->actor, "reason", c->reason, "at",
		    jtime(c->at)));
	}
	json_object_set_new(o, "conflicts", a);
}

/*
 * Paged by plan, in the order the plans were loaded: at most limit plans, and no more
 * instances than PAGE_SCAN unless one plan alone has more, so that no answer holds the
 * loop long. Each plan is read at one moment; "cursor" names the next plan by its id.
 */
static void
get_status(struct termijnd *d, struct evhttp_request *req, struct evkeyvalq *q)
{
	struct engine *e = &d->engine;
	const char *from = query(q, "cursor"), *zone = NULL;
	int64_t now = clock_now();
	long limit = page_limit(q, STATUS_PAGE, STATUS_PAGE_MAX);
	json_t *o, *plans;
	struct pstate *ps;
	size_t i, start = 0, scanned = 0, emitted = 0;

	if (limit == -1) {
		reply_error(d, req, 400, "bad-request", _("limit: a number from 1"), 0);
		return;
	}
	if (from != NULL) {
		if ((ps = cursor_plan(e, from, strlen(from))) == NULL) {
			reply_bad_cursor(d, req);
			return;
		}
		start = (size_t)(ps - e->plans);
	}
	o = json_object();
	json_object_set_new(o, "now", jtime(now));
	json_object_set_new(o, "clock", json_pack("{s:b, s:f}", "demo", clock_is_demo(),
	    "speed", clock_speed()));
	json_object_set_new(o, "http", jstr(feeds_address(d)));
	json_object_set_new(o, "public_url", jstr(d->conf->public_url));
	/* The zone every plan shares (null when they differ): no client needs every page. */
	for (i = 0; i < e->nplans; i++) {
		if (zone != NULL && strcmp(zone, e->plans[i].plan->tz) != 0) {
			zone = NULL;
			break;
		}
		zone = e->plans[i].plan->tz;
	}
	json_object_set_new(o, "timezone", jstr(zone));
	plans = json_array();
	for (i = start; i < e->nplans; i++) {
		ps = &e->plans[i];
		if ((long)emitted == limit ||
		    (emitted > 0 && scanned + ps->plan->ninst > PAGE_SCAN))
			break;
		json_array_append_new(plans, plan_status_json(ps, now));
		scanned += ps->plan->ninst;
		emitted++;
	}
	json_object_set_new(o, "plans", plans);
	if (i == e->nplans)
		status_leftovers(e, o);
	json_object_set_new(o, "next", jstr(i < e->nplans ? e->plans[i].plan->id : NULL));
	control_reply(d, req, 200, o, 0);
}

/* A copy of s in lower case (NULL: NULL): ids are, and people type Staphorst. */
static char *
lower(const char *s)
{
	char *t, *p;

	if (s == NULL)
		return NULL;
	t = xstrdup(s);
	for (p = t; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return t;
}

/* What "no ..." says, and when a name is close, "; did you mean NAME?". */
static char *
near_miss(const char *what, const char *word, const char *const *names, size_t n)
{
	const char *hit = suggest(word, names, n);
	char *s;

	if (hit != NULL)
		xasprintf(&s, _("%s; did you mean %s?"), what, hit);
	else
		s = xstrdup(what);
	return s;
}

/* The parties (kind 'p') or roles ('r') of plan (NULL: of every plan), ids only. */
static const char **
plan_names(struct engine *e, const char *plan, int kind, size_t *n)
{
	const char **names = NULL;
	size_t i, k, cap = 0;

	*n = 0;
	for (i = 0; i < e->nplans; i++) {
		struct plan *p = e->plans[i].plan;
		size_t m = kind == 'p' ? p->nparties : p->nroles;

		if (plan != NULL && strcmp(p->id, plan) != 0)
			continue;
		for (k = 0; k < m; k++) {
			XGROW(names, *n, cap);
			names[(*n)++] = kind == 'p' ? p->parties[k].id : p->roles[k].id;
		}
	}
	return names;
}

static int
among(const char *s, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return 1;
	return 0;
}

/*
 * The filters of a list each name something that exists, case aside: else 404 naming it,
 * with the near miss. The ids come back in f (lower case, to free with filters_free).
 */
struct filters {
	char	*plan, *party, *state, *owner;
};

static void
filters_free(struct filters *f)
{
	free(f->plan);
	free(f->party);
	free(f->state);
	free(f->owner);
}

static int
filters_check(struct termijnd *d, struct evhttp_request *req, struct evkeyvalq *q,
    struct filters *f)
{
	struct engine *e = &d->engine;
	const char **names = NULL, *states[DV_WAIVED + 2], *word = NULL;
	char *what = NULL, *msg;
	size_t i, n = 0;

	f->plan = lower(query(q, "plan"));
	f->party = lower(query(q, "party"));
	f->state = lower(query(q, "state"));
	f->owner = lower(query(q, "owner"));
	if (f->plan != NULL && engine_plan(e, f->plan) == NULL) {
		names = xcalloc(e->nplans + 1, sizeof(*names));
		for (i = 0; i < e->nplans; i++)
			names[n++] = e->plans[i].plan->id;
		xasprintf(&what, _("no plan %s"), word = query(q, "plan"));
	}
	if (what == NULL && f->party != NULL) {
		names = plan_names(e, f->plan, 'p', &n);
		if (!among(f->party, names, n))
			xasprintf(&what, _("no party %s"), word = query(q, "party"));
	}
	if (what == NULL && f->owner != NULL) {
		free(names);
		names = plan_names(e, f->plan, 'r', &n);
		if (!among(f->owner, names, n))
			xasprintf(&what, _("no role %s"), word = query(q, "owner"));
	}
	if (what == NULL && f->state != NULL) {
		free(names);
		names = states;
		for (n = 0; n <= DV_WAIVED; n++)
			states[n] = derived_name((enum derived)n);
		states[n++] = "open";
		if (!among(f->state, names, n))
			xasprintf(&what, _("no state %s (open, blocked, ready, overdue, done, "
			    "done-late or waived)"), word = query(q, "state"));
	}
	if (what != NULL) {
		msg = near_miss(what, word, names, n);
		reply_error(d, req, 404, "not-found", msg, 0);
		free(msg);
		free(what);
	}
	if (names != states)
		free(names);
	return what != NULL ? -1 : 0;
}

/*
 * Paged: at most limit instances, and at most PAGE_SCAN looked at, per answer, so
 * that no answer holds the loop long (issue 8). "next" is where the following page
 * starts; a page may hold fewer than limit, even none, while next is not null.
 */
static void
get_milestones(struct termijnd *d, struct evhttp_request *req, struct evkeyvalq *q)
{
	struct engine *e = &d->engine;
	struct filters f = { NULL, NULL, NULL, NULL };
	const char *plan, *party, *state, *owner, *from = query(q, "cursor"), *slash;
	int64_t now = clock_now();
	json_t *o, *a;
	size_t i = 0, j, start = 0, scanned = 0, emitted = 0;
	long limit = page_limit(q, MILESTONES_PAGE, MILESTONES_PAGE);
	enum derived dv;
	char *cursor = NULL;

	if (filters_check(d, req, q, &f) == -1) {
		filters_free(&f);
		return;
	}
	plan = f.plan;
	party = f.party;
	state = f.state;
	owner = f.owner;
	if (limit == -1) {
		reply_error(d, req, 400, "bad-request", _("limit: a number from 1"), 0);
		filters_free(&f);
		return;
	}
	/* The cursor names the next instance to look at, PLAN/KEY: it survives changes. */
	if (from != NULL) {
		struct pstate *ps = NULL;
		struct instance *in = NULL;

		if ((slash = strchr(from, '/')) == NULL ||
		    (ps = cursor_plan(e, from, (size_t)(slash - from))) == NULL ||
		    (in = plan_instance(ps->plan, slash + 1)) == NULL) {
			reply_bad_cursor(d, req);
			filters_free(&f);
			return;
		}
		i = (size_t)(ps - e->plans);
		start = in->idx;
	}
	a = json_array();
	for (; i < e->nplans; i++, start = 0) {
		struct pstate *ps = &e->plans[i];

		if (plan != NULL && strcmp(ps->plan->id, plan) != 0)
			continue;
		for (j = start; j < ps->plan->ninst; j++) {
			struct instance *in = &ps->plan->inst[j];

			if ((long)emitted == limit || scanned == PAGE_SCAN) {
				/* More to look at: say where to go on. */
				xasprintf(&cursor, "%s/%s", ps->plan->id, in->key);
				goto done;
			}
			scanned++;
			if (party != NULL && (in->party == NULL || strcmp(in->party->id, party) != 0))
				continue;
			if (owner != NULL && strcmp(in->owner, owner) != 0)
				continue;
			dv = rules_derived(ps->plan, ps->st, j, now);
			if (state != NULL && (strcmp(state, "open") == 0 ?
			    ps->st[j].status != ST_OPEN : strcmp(state, derived_name(dv)) != 0))
				continue;
			json_array_append_new(a, instance_json(ps, j, now));
			emitted++;
		}
	}
done:
	o = json_object();
	json_object_set_new(o, "now", jtime(now));
	json_object_set_new(o, "milestones", a);
	json_object_set_new(o, "next", jstr(cursor));
	free(cursor);
	control_reply(d, req, 200, o, 0);
	filters_free(&f);
}

struct logctx {
	struct engine	*e;
	json_t		*a;
};

static void
log_cb(const struct audit *au, void *arg)
{
	struct logctx *lc = arg;
	struct pstate *ps = engine_plan(lc->e, au->plan);
	json_t *o = json_object();

	json_object_set_new(o, "seq", json_integer(au->seq));
	json_object_set_new(o, "at", jtime(au->at));
	json_object_set_new(o, "at_local", ps ? jlocal(ps->plan, au->at) : json_null());
	json_object_set_new(o, "actor", jstr(au->actor));
	json_object_set_new(o, "uid", au->uid >= 0 ? json_integer(au->uid) : json_null());
	json_object_set_new(o, "plan", jstr(au->plan));
	json_object_set_new(o, "key", jstr(au->key));
	json_object_set_new(o, "action", jstr(au->action));
	json_object_set_new(o, "reason", jstr(au->reason));
	json_object_set_new(o, "note", note_json(au->actor, au->note));
	json_object_set_new(o, "person", jstr(au->person));
	json_object_set_new(o, "person_name", jstr(au->person_name));
	json_object_set_new(o, "channel", jstr(au->channel));
	json_object_set_new(o, "token", au->token_id > 0 ? json_integer(au->token_id) :
	    json_null());
	json_array_append_new(lc->a, o);
}

/*
 * At most limit entries (LOG_PAGE) per answer, oldest first. Backwards (neither after nor
 * last): the newest, with a seq below before when given; "next" is the before of the page
 * before. Forwards (after=SEQ, or last=N: from where the newest N begin): "next" is the
 * after of the page after; the log only grows, so no entry is missed or repeated.
 */
static void
get_log(struct termijnd *d, struct evhttp_request *req, struct evkeyvalq *q)
{
	const char *plan = query(q, "plan"), *key = query(q, "key"), *bef = query(q, "before");
	const char *aft = query(q, "after"), *last = query(q, "last"), *bad = NULL;
	struct logctx lc = { &d->engine, NULL };
	long limit = page_limit(q, 100, LOG_PAGE);
	long long before = 0, after = 0, newest = 0;
	int64_t from;
	json_t *o;
	int rc;

	if (limit == -1)
		bad = _("limit: a number from 1");
	else if (seq_arg(bef, 1, &before) == -1)
		bad = _("before: the seq of a log entry");
	else if (seq_arg(aft, 0, &after) == -1)
		bad = _("after: the seq of a log entry, or 0 for the first");
	else if (seq_arg(last, 1, &newest) == -1)
		bad = _("last: a number of entries from 1");
	else if ((bef != NULL) + (aft != NULL) + (last != NULL) > 1)
		bad = _("before, after and last: one of them at a time");
	if (bad != NULL) {
		reply_error(d, req, 400, "bad-request", bad, 0);
		return;
	}
	if (last != NULL) {
		if (store_audit_before_newest(d->engine.store, plan, key, newest, &from) == -1)
			goto fail;
		after = from;
	}
	lc.a = json_array();
	/* One more than asked tells whether there are more. */
	if (aft != NULL || last != NULL)
		rc = store_each_audit_after(d->engine.store, plan, key, after, (int)limit + 1,
		    log_cb, &lc);
	else
		rc = store_each_audit(d->engine.store, plan, key, before, (int)limit + 1, log_cb,
		    &lc);
	if (rc == -1) {
		json_decref(lc.a);
		goto fail;
	}
	o = json_object();
	if (json_array_size(lc.a) <= (size_t)limit)
		json_object_set_new(o, "next", json_null());
	else if (aft != NULL || last != NULL) {
		json_array_remove(lc.a, (size_t)limit);
		json_object_set(o, "next", json_object_get(json_array_get(lc.a, (size_t)limit - 1),
		    "seq"));
	} else {
		json_array_remove(lc.a, 0);
		json_object_set(o, "next", json_object_get(json_array_get(lc.a, 0), "seq"));
	}
	json_object_set_new(o, "entries", lc.a);
	control_reply(d, req, 200, o, 0);
	return;
fail:
	reply_error(d, req, 500, "internal", store_error(d->engine.store), 0);
}

/* The prerequisites (pre) or dependents of idx in other plans, with their states read now. */
static void
xlinks_json(struct termijnd *d, json_t *a, const struct plan *p, size_t idx, int pre,
    int64_t now)
{
	const struct xlink *x;
	const struct pstate *qs;
	const struct instance *in;
	json_t *o;
	size_t i, n = pre ? links_pre(p, idx, &x) : links_dep(p, idx, &x);

	for (i = 0; i < n; i++) {
		if ((qs = engine_pstate(&d->engine, x[i].plan)) == NULL)
			continue;
		in = &x[i].plan->inst[x[i].inst];
		o = json_pack("{s:s, s:s, s:o, s:s, s:s}", "plan", x[i].plan->id, "key", in->key,
		    "ref", jref(x[i].plan, in), "title", in->title, "state",
		    derived_name(rules_derived(qs->plan, qs->st, x[i].inst, now)));
		if (pre)
			json_object_set_new(o, "met", json_boolean(rules_met(&qs->st[x[i].inst])));
		json_array_append_new(a, o);
	}
}

static void
get_milestone(struct termijnd *d, struct evhttp_request *req, struct evkeyvalq *q)
{
	struct eng_result r = { 0 };
	struct pstate *ps = NULL;
	struct instance *in;
	size_t idx, i, n, *v;
	int64_t now = clock_now();
	const char **addrs;
	json_t *o, *a;
	struct logctx lc;

	if (engine_find(&d->engine, query(q, "plan"), query(q, "key"), &ps, &idx, &r) != ENG_OK) {
		reply_result(d, req, ps, &r, 0);
		eng_result_clear(&r);
		return;
	}
	in = &ps->plan->inst[idx];
	o = instance_json(ps, idx, now);
	json_object_set_new(o, "description", jstr(in->description));
	n = plan_role_addrs(ps->plan, in->owner, in->party, &addrs);
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(addrs[i]));
	free(addrs);
	json_object_set_new(o, "addresses", a);
	a = json_array();
	n = plan_prereqs(ps->plan, idx, &v);
	for (i = 0; i < n; i++) {
		size_t k = v[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b}", "key",
		    ps->plan->inst[k].key, "title", ps->plan->inst[k].title, "state",
		    derived_name(rules_derived(ps->plan, ps->st, k, now)), "met",
		    rules_met(&ps->st[k])));
	}
	free(v);
	xlinks_json(d, a, ps->plan, idx, 1, now);
	json_object_set_new(o, "requires", a);
	r.nunmet = rules_unmet(ps->plan, ps->st, idx, now, &r.unmet);
	json_object_set_new(o, "unmet", unmet_json(d, ps, r.unmet, r.nunmet));
	a = json_array();
	n = plan_dependents(ps->plan, idx, &v);
	for (i = 0; i < n; i++) {
		size_t k = v[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "key",
		    ps->plan->inst[k].key, "title", ps->plan->inst[k].title, "state",
		    derived_name(rules_derived(ps->plan, ps->st, k, now))));
	}
	free(v);
	xlinks_json(d, a, ps->plan, idx, 0, now);
	json_object_set_new(o, "dependents", a);
	lc.e = &d->engine;
	lc.a = json_array();
	store_each_audit(d->engine.store, ps->plan->id, in->key, 0, 1000, log_cb, &lc);
	json_object_set_new(o, "history", lc.a);
	eng_result_clear(&r);
	control_reply(d, req, 200, o, 0);
}

struct outctx {
	json_t		*a;
	struct engine	*e;
	const char	*plan, *state;	/* NULL: every plan's, in every state */
	long		 limit;
	int64_t		 next;		/* the id the next page starts at */
	int		 more;		/* one past the limit was found */
};

static int
outbox_cb(const struct outbox_row *row, void *arg)
{
	struct outctx *oc = arg;
	struct pstate *ps;
	json_t *o;

	oc->next = row->id + 1;
	if ((oc->plan != NULL && strcmp(oc->plan, row->plan) != 0) ||
	    (oc->state != NULL && (row->state == NULL || strcmp(oc->state, row->state) != 0)))
		return 0;
	if ((long)json_array_size(oc->a) == oc->limit) {
		oc->next = row->id;
		oc->more = 1;
		return 1;
	}
	ps = engine_plan(oc->e, row->plan);
	o = json_object();
	json_object_set_new(o, "id", json_integer(row->id));
	json_object_set_new(o, "plan", jstr(row->plan));
	json_object_set_new(o, "key", jstr(row->key));
	json_object_set_new(o, "recipient", jstr(row->recipient));
	json_object_set_new(o, "kind", jstr(row->kind));
	json_object_set_new(o, "state", jstr(row->state));
	json_object_set_new(o, "due", jtime(row->due_at));
	json_object_set_new(o, "due_local", ps ? jlocal(ps->plan, row->due_at) : json_null());
	json_object_set_new(o, "attempts", json_integer(row->attempts));
	json_object_set_new(o, "last_error", jstr(row->last_error));
	json_object_set_new(o, "smtp_code", row->smtp_code ? json_integer(row->smtp_code) :
	    json_null());
	json_object_set_new(o, "sent_at", jtime(row->sent_at));
	json_object_set_new(o, "message_id", jstr(row->message_id));
	json_object_set_new(o, "subject", jstr(row->subject));
	json_array_append_new(oc->a, o);
	return 0;
}

/*
 * The outbox by id, in pages as feeds are, but of at most limit rows and PAGE_SCAN looked
 * at (those of the state asked for, through its index; the plan is looked at here, so that
 * a rare plan costs no more per page): a page may hold fewer than limit, even none, while
 * next is not null. What is to come is composed for the first page only.
 */
static void
get_reminders(struct termijnd *d, struct evhttp_request *req, struct evkeyvalq *q)
{
	const char *state = query(q, "state"), *plan = query(q, "plan"), *until_s = query(q, "until");
	struct outctx oc = { NULL, &d->engine, plan, state, 0, 0, 0 };
	int64_t until = clock_now() + 30 * 86400;
	long long from;
	json_t *o;
	int n;

	if (plan != NULL && engine_plan(&d->engine, plan) == NULL) {
		reply_error(d, req, 404, "not-found", _("no such plan"), 0);
		return;
	}
	if (state != NULL && strcmp(state, "pending") != 0 && strcmp(state, "sending") != 0 &&
	    strcmp(state, "sent") != 0 && strcmp(state, "failed") != 0 &&
	    strcmp(state, "cancelled") != 0) {
		reply_error(d, req, 400, "bad-request", _("state: pending, sending, sent, failed or "
		    "cancelled"), 0);
		return;
	}
	if (until_s != NULL && instant_parse(until_s, "Europe/Amsterdam", &until) == -1) {
		reply_error(d, req, 400, "bad-request", _("until: a date or an ISO 8601 instant"), 0);
		return;
	}
	if (id_page_args(d, req, q, REMINDERS_PAGE, _("cursor: the number of a reminder"),
	    &oc.limit, &from) == -1)
		return;
	o = json_pack("{s:o}", "now", jtime(clock_now()));
	/* Composing what is to come costs: only when asked (by default with no state). */
	if (query(q, "cursor") == NULL && (query(q, "upcoming") != NULL ?
	    strcmp(query(q, "upcoming"), "0") != 0 : state == NULL)) {
		int more = 0;

		json_object_set_new(o, "upcoming", remind_preview(d, until, plan, UPCOMING_MAX,
		    &more));
		json_object_set_new(o, "upcoming_truncated", json_boolean(more));
	}
	oc.a = json_array();
	if ((n = store_outbox_from(d->engine.store, state, from, PAGE_SCAN, outbox_cb, &oc)) == -1) {
		json_decref(oc.a);
		json_decref(o);
		reply_error(d, req, 500, "internal", store_error(d->engine.store), 0);
		return;
	}
	json_object_set_new(o, "outbox", oc.a);
	json_object_set_new(o, "next", oc.more || n == PAGE_SCAN ? json_integer(oc.next) :
	    json_null());
	control_reply(d, req, 200, o, 0);
}

/* ---- people ---- */

/* The person object for addr in a, made when missing. */
static json_t *
person_of(json_t *a, const struct plan *p, const char *addr)
{
	json_t *o;
	size_t i;

	json_array_foreach(a, i, o)
		if (strcasecmp(json_string_value(json_object_get(o, "address")), addr) == 0)
			return o;
	o = json_pack("{s:s, s:s, s:[], s:[], s:b}", "address", addr, "plan", p->id, "roles",
	    "coordinator_of", "overrider", plan_lists(p, &p->overriders, addr, NULL));
	json_object_set_new(o, "name", jstr(plan_person_name(p, addr)));
	if (plan_lists(p, &p->coordinators, addr, NULL))
		json_array_append_new(json_object_get(o, "coordinator_of"), json_string("*"));
	for (i = 0; i < p->nparties; i++)
		if (plan_lists(p, &p->parties[i].coordinators, addr, &p->parties[i]))
			json_array_append_new(json_object_get(o, "coordinator_of"),
			    json_string(p->parties[i].id));
	json_array_append_new(a, o);
	return o;
}

static void
person_role(json_t *a, const struct plan *p, const char *addr, const char *role,
    const struct party *pt)
{
	const struct role *r = plan_role(p, role);
	json_t *o = person_of(a, p, addr);

	json_array_append_new(json_object_get(o, "roles"), json_pack("{s:s, s:o, s:o, s:o}",
	    "role", role, "role_name", jstr(r && r->name ? r->name : NULL), "party",
	    jstr(pt ? pt->id : NULL), "party_name", jstr(pt ? (pt->name ? pt->name : pt->id) :
	    NULL)));
}

/* Whether addr is one of plan_people's, and the one asked for (only; NULL: anyone). */
static int
person_wanted(const char *addr, const char *only)
{
	return strchr(addr, '@') != NULL && (only == NULL || strcasecmp(addr, only) == 0);
}

/*
 * Everyone a plan names (only: that address alone): role holders, coordinators and
 * overriders by address.
 */
static json_t *
plan_people(const struct plan *p, const char *only)
{
	json_t *a = json_array();
	size_t j, k, l;

	for (j = 0; j < p->nroles; j++)
		for (k = 0; k < p->roles[j].naddrs; k++)
			if (only == NULL || strcasecmp(p->roles[j].addrs[k], only) == 0)
				person_role(a, p, p->roles[j].addrs[k], p->roles[j].id, NULL);
	for (j = 0; j < p->nparties; j++)
		for (k = 0; k < p->parties[j].ncontacts; k++)
			for (l = 0; l < p->parties[j].contacts[k].naddrs; l++)
				if (only == NULL || strcasecmp(p->parties[j].contacts[k].addrs[l],
				    only) == 0)
					person_role(a, p, p->parties[j].contacts[k].addrs[l],
					    p->parties[j].contacts[k].role, &p->parties[j]);
	for (j = 0; j < p->coordinators.n; j++)
		if (person_wanted(p->coordinators.v[j], only))
			person_of(a, p, p->coordinators.v[j]);
	for (j = 0; j < p->overriders.n; j++)
		if (person_wanted(p->overriders.v[j], only))
			person_of(a, p, p->overriders.v[j]);
	for (j = 0; j < p->nparties; j++)
		for (k = 0; k < p->parties[j].coordinators.n; k++)
			if (person_wanted(p->parties[j].coordinators.v[k], only))
				person_of(a, p, p->parties[j].coordinators.v[k]);
	return a;
}

/* Paged by plan as status is: at most limit plans' people, "cursor" the next plan's id. */
static void
get_people(struct termijnd *d, struct evhttp_request *req, struct evkeyvalq *q)
{
	struct engine *e = &d->engine;
	const char *plan = query(q, "plan"), *from = query(q, "cursor");
	long limit = page_limit(q, STATUS_PAGE, STATUS_PAGE_MAX);
	struct pstate *ps = NULL;
	json_t *all, *a;
	size_t i = 0, end = e->nplans;

	if (plan != NULL && (ps = engine_plan(e, plan)) == NULL) {
		reply_error(d, req, 404, "not-found", _("no such plan"), 0);
		return;
	}
	if (limit == -1) {
		reply_error(d, req, 400, "bad-request", _("limit: a number from 1"), 0);
		return;
	}
	if (ps != NULL) {
		i = (size_t)(ps - e->plans);
		end = i + 1;
	}
	if (from != NULL) {
		if ((ps = cursor_plan(e, from, strlen(from))) == NULL ||
		    (plan != NULL && strcmp(ps->plan->id, plan) != 0)) {
			reply_bad_cursor(d, req);
			return;
		}
		i = (size_t)(ps - e->plans);
	}
	all = json_array();
	for (; i < end && limit-- > 0; i++) {
		a = plan_people(e->plans[i].plan, NULL);
		json_array_extend(all, a);
		json_decref(a);
	}
	control_reply(d, req, 200, json_pack("{s:o, s:o}", "people", all, "next",
	    jstr(i < end ? e->plans[i].plan->id : NULL)), 0);
}

static void
get_whoami(struct termijnd *d, struct evhttp_request *req, const struct actor *who)
{
	json_t *o = json_object(), *plans = json_array(), *a;
	size_t i;

	json_object_set_new(o, "name", json_string(who->name));
	json_object_set_new(o, "uid", who->uid >= 0 ? json_integer(who->uid) : json_null());
	json_object_set_new(o, "person", jstr(who->person));
	json_object_set_new(o, "person_name", jstr(who->person_name));
	json_object_set_new(o, "channel", json_string(who->channel));
	json_object_set_new(o, "token", who->token_id > 0 ? json_integer(who->token_id) :
	    json_null());
	json_object_set_new(o, "operator", json_boolean(who->operator));
	json_object_set_new(o, "overrider", json_boolean(who->overrider));
	/* What the plans say of the person: their roles and what they coordinate. */
	for (i = 0; who->person != NULL && i < d->engine.nplans; i++) {
		a = plan_people(d->engine.plans[i].plan, who->person);
		json_array_extend(plans, a);
		json_decref(a);
	}
	json_object_set_new(o, "plans", plans);
	control_reply(d, req, 200, o, 0);
}

/* ---- changing ---- */

static json_t *
list_json(const struct pstate *ps, const size_t *list, size_t n, int64_t now)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, instance_json(ps, list[i], now));
	return a;
}

/*
 * What a change made ready, honestly: "ready" may be done now; "ready_later" waits only for
 * a time rule, each with "ready_at" (and its local time), the moment it may be done. later:
 * which of the two arrays this writes.
 */
static void
ready_one(struct jsonw *w, const struct pstate *ps, size_t idx, int other, int later,
    int64_t now)
{
	int64_t at = rules_ready_at(ps->plan, ps->st, idx, now);
	char *ref;

	if ((at > now) != later)
		return;
	jsonw_open(w, NULL, '{');
	instance_fields(w, ps, idx, now);
	if (other) {
		xasprintf(&ref, "%s:%s", ps->plan->id, ps->plan->inst[idx].key);
		jsonw_str(w, "ref", ref);
		free(ref);
	}
	if (later) {
		w_time(w, "ready_at", at);
		w_local(w, "ready_at_local", ps->plan, at);
	}
	jsonw_close(w, '}');
}

/* xl: what became ready in other plans (with "ref": PLAN:KEY). */
static void
ready_text(struct termijnd *d, struct jsonw *w, const struct pstate *ps, const size_t *list,
    size_t n, const struct xref *xl, size_t nx, int64_t now)
{
	const struct pstate *qs;
	size_t i;
	int later;

	for (later = 0; later <= 1; later++) {
		jsonw_open(w, later ? "ready_later" : "ready", '[');
		for (i = 0; i < n; i++)
			ready_one(w, ps, list[i], 0, later, now);
		for (i = 0; i < nx; i++)
			if ((qs = engine_pstate(&d->engine, xl[i].plan)) != NULL)
				ready_one(w, qs, xl[i].inst, 1, later, now);
		jsonw_close(w, ']');
	}
}

/* The answer to a done, undo or waive: its status, and its JSON text in *text (len bytes). */
static int
change_answer(struct termijnd *d, enum req_kind k, const struct request *rq,
    const struct actor *who, char **text, size_t *len)
{
	static const char *verbs[] = { [REQ_DONE] = "done", [REQ_UNDO] = "undo",
	    [REQ_WAIVE] = "waive" };
	struct eng_result r = { 0 };
	struct pstate *ps = NULL;
	struct jsonw w;
	char *cause = NULL;
	int64_t now = clock_now(), at = now;
	size_t idx;
	int http = 200;
	json_t *o;

	if (engine_find(&d->engine, rq->plan, rq->key, &ps, &idx, &r) != ENG_OK) {
		o = result_json(d, ps, &r, &http);
		goto error;
	}
	if (rq->at != NULL && request_when(ps->plan, rq->at, now, &at, &cause) == -1) {
		http = 400;
		o = error_json("bad-request", cause);
		goto error;
	}
	if (k == REQ_DONE)
		engine_done(&d->engine, ps, idx, who, now, at, rq->note, rq->override, rq->reason,
		    &r);
	else if (k == REQ_UNDO)
		engine_undo(&d->engine, ps, idx, who, now, rq->reason, &r);
	else
		engine_waive(&d->engine, ps, idx, who, now, rq->reason, &r);
	if ((o = result_json(d, ps, &r, &http)) != NULL)
		goto error;
	log_info("%s %s %s/%s", who->name, verbs[k], ps->plan->id, ps->plan->inst[idx].key);
	/* Written as text, without a tree: this is the answer made most often. */
	jsonw_text(&w);
	jsonw_open(&w, NULL, '{');
	jsonw_open(&w, "instance", '{');
	instance_fields(&w, ps, idx, now);
	jsonw_close(&w, '}');
	if (k != REQ_UNDO)
		ready_text(d, &w, ps, r.list, r.nlist, r.xlist, r.nxlist, now);
	jsonw_close(&w, '}');
	*text = jsonw_end(&w, len);
	goto out;
error:
	if ((*text = jsontext_compact(o, len)) == NULL)
		fatalx("jsontext_compact");
	json_decref(o);
out:
	free(cause);
	eng_result_clear(&r);
	return http;
}

static void
post_change(struct termijnd *d, struct evhttp_request *req, enum req_kind k,
    const struct request *rq, const struct actor *who)
{
	size_t len = 0;
	char *text = NULL;
	int http = change_answer(d, k, rq, who, &text, &len);

	control_reply_text(d, req, http, text, len, 1);
}

static void
post_add(struct termijnd *d, struct evhttp_request *req, const struct request *rq,
    const struct actor *who)
{
	struct eng_result r = { 0 };
	struct pstate *ps;
	json_t *def;
	int64_t now = clock_now();

	if ((ps = engine_plan(&d->engine, rq->plan)) == NULL) {
		reply_error(d, req, 404, "not-found", _("no such plan"), 1);
		return;
	}
	def = json_deep_copy(rq->body);
	json_object_del(def, "plan");
	engine_add(&d->engine, ps, def, who, now, &r);
	json_decref(def);
	if (reply_result(d, req, ps, &r, 1))
		goto out;
	log_info("%s added %s to plan %s", who->name, ps->plan->ms[ps->plan->nms - 1].id,
	    rq->plan);
	control_reply(d, req, 201, json_pack("{s:o}", "instances", list_json(ps, r.list, r.nlist,
	    now)), 1);
out:
	eng_result_clear(&r);
}

/* A part as the API shows it: its dimension, title, lead and instances (keys, stolen). */
static json_t *
part_json(const struct pstate *ps, const struct dimension *dim, const struct part *pt,
    json_t *keys)
{
	json_t *o = json_object();

	json_object_set_new(o, "plan", json_string(ps->plan->id));
	json_object_set_new(o, "dimension", json_string(dim->id));
	json_object_set_new(o, "id", json_string(pt->id));
	json_object_set_new(o, "title", json_string(pt->title));
	json_object_set_new(o, "lead", jstr(pt->lead));
	json_object_set_new(o, "lead_name", jstr(pt->lead_party ? (pt->lead_party->name ?
	    pt->lead_party->name : pt->lead_party->id) : NULL));
	json_object_set_new(o, "cancelled", json_boolean(pt->cancelled));
	json_object_set_new(o, "instances", keys);
	return o;
}

/* The keys of the instances of dm's parts first .. first + n, one pass over the plan. */
static json_t **
parts_keys(const struct plan *p, const struct dimension *dm, size_t first, size_t n)
{
	json_t **keys = xcalloc(n ? n : 1, sizeof(*keys));
	const struct part *pt;
	size_t i;

	for (i = 0; i < n; i++)
		keys[i] = json_array();
	for (i = 0; i < p->ninst; i++)
		if ((pt = p->inst[i].part) != NULL && pt->ord >= first && pt->ord < first + n &&
		    dm->parts[pt->ord] == pt)
			json_array_append_new(keys[pt->ord - first], json_string(p->inst[i].key));
	return keys;
}

/* The dimension dm of ps as /parts shows it, with its parts first .. first + n. */
static json_t *
dimension_json(const struct pstate *ps, const struct dimension *dm, size_t first, size_t n)
{
	json_t *o = json_object(), *parts = json_array(), **keys;
	size_t k;

	json_object_set_new(o, "plan", json_string(ps->plan->id));
	json_object_set_new(o, "id", json_string(dm->id));
	json_object_set_new(o, "name", jstr(dm->name));
	json_object_set_new(o, "found_by", jstr(dm->found_by));
	keys = parts_keys(ps->plan, dm, first, n);
	for (k = 0; k < n; k++)
		json_array_append_new(parts, part_json(ps, dm, dm->parts[first + k], keys[k]));
	free(keys);
	json_object_set_new(o, "parts", parts);
	return o;
}

/*
 * GET /api/v1/parts?plan=&dimension=: the dimensions of the plans, with their parts, in
 * pages of at most limit parts (a dimension without parts counts as one). The cursor names
 * where the next page starts, PLAN/DIMENSION or PLAN/DIMENSION/PART: parts are only ever
 * added at the end, never taken away, so it survives changes. A dimension whose parts go on
 * in the next page comes again at its start, with the rest.
 */
static void
get_parts(struct termijnd *d, struct evhttp_request *req, struct evkeyvalq *q)
{
	struct engine *e = &d->engine;
	const char *plan = query(q, "plan"), *dim = query(q, "dimension"), *from = query(q, "cursor");
	long limit = page_limit(q, PARTS_PAGE, PARTS_PAGE);
	struct pstate *ps;
	struct dimension *dm;
	json_t *a, *next = json_null();
	size_t i = 0, j = 0, k = 0, n, nfound = 0;
	long emitted = 0;

	if (plan != NULL && engine_plan(e, plan) == NULL) {
		reply_error(d, req, 404, "not-found", _("no such plan"), 0);
		return;
	}
	if (limit == -1) {
		reply_error(d, req, 400, "bad-request", _("limit: a number from 1"), 0);
		return;
	}
	if (from != NULL) {
		const char *s1 = strchr(from, '/'), *s2 = s1 != NULL ? strchr(s1 + 1, '/') : NULL;
		size_t dlen = s1 == NULL ? 0 : s2 != NULL ? (size_t)(s2 - s1 - 1) : strlen(s1 + 1);

		dm = NULL;
		if (s1 != NULL && (ps = cursor_plan(e, from, (size_t)(s1 - from))) != NULL)
			for (j = 0; j < ps->plan->ndims; j++)
				if (strlen(ps->plan->dims[j].id) == dlen &&
				    strncmp(ps->plan->dims[j].id, s1 + 1, dlen) == 0) {
					dm = &ps->plan->dims[j];
					break;
				}
		if (dm == NULL || (s2 != NULL && dimension_part(dm, s2 + 1) == NULL)) {
			reply_bad_cursor(d, req);
			return;
		}
		i = (size_t)(ps - e->plans);
		k = s2 != NULL ? dimension_part(dm, s2 + 1)->ord : 0;
	}
	a = json_array();
	for (; i < e->nplans; i++, j = 0) {
		ps = &e->plans[i];
		if (plan != NULL && strcmp(ps->plan->id, plan) != 0)
			continue;
		for (; j < ps->plan->ndims; j++, k = 0) {
			dm = &ps->plan->dims[j];
			if (dim != NULL && strcmp(dm->id, dim) != 0)
				continue;
			nfound++;
			if (emitted == limit) {
				/* More to show: say where to go on. */
				next = k == 0 ? json_sprintf("%s/%s", ps->plan->id, dm->id) :
				    json_sprintf("%s/%s/%s", ps->plan->id, dm->id, dm->parts[k]->id);
				goto done;
			}
			n = dm->nparts - k;
			if (n > (size_t)(limit - emitted))
				n = (size_t)(limit - emitted);
			json_array_append_new(a, dimension_json(ps, dm, k, n));
			emitted += n > 0 ? (long)n : 1;
			if (k + n < dm->nparts) {
				next = json_sprintf("%s/%s/%s", ps->plan->id, dm->id,
				    dm->parts[k + n]->id);
				goto done;
			}
		}
	}
	/* A cursor was a dimension once found: only a whole read may say there is none. */
	if (dim != NULL && nfound == 0 && from == NULL) {
		json_decref(a);
		reply_error(d, req, 404, "not-found", _("no such dimension"), 0);
		return;
	}
done:
	control_reply(d, req, 200, json_pack("{s:o, s:o}", "dimensions", a, "next", next), 0);
}

static void
post_part(struct termijnd *d, struct evhttp_request *req, enum req_kind k,
    const struct request *rq, const struct actor *who)
{
	struct eng_result r = { 0 };
	struct pstate *ps;
	struct dimension *dm;
	const struct part *pt;
	json_t *o, *a, **keys;
	int64_t now = clock_now();
	size_t i;

	if ((ps = engine_plan(&d->engine, rq->plan)) == NULL) {
		reply_error(d, req, 404, "not-found", _("no such plan"), 1);
		return;
	}
	if (k == REQ_PART_ADD)
		engine_part_add(&d->engine, ps, rq->dimension, rq->part, rq->title, rq->lead,
		    rq->override, rq->reason, who, now, &r);
	else
		engine_part_cancel(&d->engine, ps, rq->dimension, rq->part, rq->reason, who, now,
		    &r);
	if (reply_result(d, req, ps, &r, 1))
		goto out;
	dm = plan_dimension(ps->plan, rq->dimension);
	log_info("%s %s part %s of %s in plan %s", who->name, k == REQ_PART_ADD ? "added" :
	    "cancelled", rq->part, rq->dimension, ps->plan->id);
	o = json_object();
	pt = dimension_part(dm, rq->part);
	keys = parts_keys(ps->plan, dm, pt->ord, 1);
	json_object_set_new(o, "part", part_json(ps, dm, pt, keys[0]));
	free(keys);
	if (k == REQ_PART_ADD)
		json_object_set_new(o, "instances", list_json(ps, r.list, r.nlist, now));
	else {
		a = json_array();
		for (i = 0; i < r.nkeys; i++)
			json_array_append_new(a, json_string(r.keys[i]));
		json_object_set_new(o, "removed", a);
	}
	control_reply(d, req, k == REQ_PART_ADD ? 201 : 200, o, 1);
out:
	eng_result_clear(&r);
}

/* move, retitle, cancel, require: a change of the running plan (engine_change). */
static void
post_replan(struct termijnd *d, struct evhttp_request *req, enum req_kind k,
    const struct request *rq, const struct actor *who)
{
	static const enum edit_kind kinds[] = { [REQ_MOVE] = EDIT_MOVE,
	    [REQ_RETITLE] = EDIT_RETITLE, [REQ_CANCEL] = EDIT_CANCEL, [REQ_REQUIRE] = EDIT_REQUIRE };
	struct eng_result r = { 0 };
	struct planedit ed;
	struct pstate *ps = NULL;
	char *cause = NULL;
	json_t *o, *a;
	size_t i;

	if (planedit_from_json(kinds[k], rq->body, &ed, &cause) == -1) {
		reply_error(d, req, 400, "bad-request", cause, 1);
		free(cause);
		return;
	}
	if (engine_find_milestone(&d->engine, rq->plan, ed.ms, &ps, &r) == ENG_OK)
		engine_change(&d->engine, ps, &ed, who, clock_now(), rq->reason, &r);
	if (reply_result(d, req, ps, &r, 1))
		goto out;
	log_info("%s: %s %s/%s: %s -> %s (%s)", who->name, planedit_kind_name(ed.kind),
	    ps->plan->id, ed.key, r.before, r.after, rq->reason);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", planedit_kind_name(ed.kind), "plan",
	    ps->plan->id, "key", ed.key, "old", r.before, "new", r.after);
	o = json_pack("{s:o, s:o}", "change", o, "instances", list_json(ps, r.list, r.nlist,
	    clock_now()));
	a = json_array();
	for (i = 0; i < r.nkeys; i++)
		json_array_append_new(a, json_string(r.keys[i]));
	json_object_set_new(o, "cancelled", a);
	control_reply(d, req, 200, o, 1);
out:
	planedit_clear(&ed);
	eng_result_clear(&r);
}

static void
post_reload(struct termijnd *d, struct evhttp_request *req, const struct actor *who)
{
	if (!who->operator) {
		reply_error(d, req, 403, "forbidden", _("only operators may reload"), 1);
		return;
	}
	/* Answered once the new plans are in force, or why not; meanwhile the old ones serve. */
	reload_start(d, req);
}

static void
post_retry(struct termijnd *d, struct evhttp_request *req, const struct request *rq,
    const struct actor *who)
{
	int rc = 0;

	if (!who->operator) {
		reply_error(d, req, 403, "forbidden", _("only operators may retry reminders"), 1);
	} else if (store_begin(d->engine.store) == -1 ||
	    (rc = store_outbox_retry(d->engine.store, rq->id)) == -1) {
		reply_error(d, req, 500, "internal", store_error(d->engine.store), 1);
	} else if (rc == 1) {
		reply_error(d, req, 404, "not-found", _("no failed reminder with that number"), 1);
	} else {
		log_info("%s requeued reminder %lld", who->name, (long long)rq->id);
		control_reply(d, req, 200, json_pack("{s:I}", "id", (json_int_t)rq->id), 1);
	}
}

struct feedlist {
	json_t	*a;
};

static void
feed_list_cb(const struct feed_row *row, void *arg)
{
	struct feedlist *fl = arg;
	json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)row->id, "kind",
	    row->kind, "subject", row->subject, "created_by", row->created_by);

	json_object_set_new(o, "created", jtime(row->created));
	json_object_set_new(o, "revoked", row->revoked ? jtime(row->revoked) : json_null());
	json_array_append_new(fl->a, o);
}

/* In pages of at most limit (FEEDS_PAGE), by id: "cursor" is the id the next page starts at. */
static void
get_feeds(struct termijnd *d, struct evhttp_request *req, struct evkeyvalq *q)
{
	struct feedlist fl = { NULL };
	long limit;
	long long from;

	if (id_page_args(d, req, q, FEEDS_PAGE, _("cursor: the number of a feed"), &limit,
	    &from) == -1)
		return;
	fl.a = json_array();
	/* One more than asked tells where the next page starts. */
	if (store_feed_each_from(d->engine.store, from, (int)limit + 1, feed_list_cb,
	    &fl) == -1) {
		json_decref(fl.a);
		reply_error(d, req, 500, "internal", store_error(d->engine.store), 0);
		return;
	}
	control_reply(d, req, 200, json_pack("{s:o, s:o}", "feeds", fl.a, "next",
	    api_page_next(fl.a, limit)), 0);
}

/* Tokens in pages as feeds are (access.c lists them). */
static void
get_access(struct termijnd *d, struct evhttp_request *req, struct evkeyvalq *q,
    const struct actor *who)
{
	long limit;
	long long from;

	if (id_page_args(d, req, q, TOKENS_PAGE, _("cursor: the number of a token"), &limit,
	    &from) == 0)
		access_list(d, req, who, limit, from);
}

struct feedone {
	int		 found;
	char		*kind, *subject;
	int64_t		 revoked;
};

static void
feed_one_cb(const struct feed_row *row, void *arg)
{
	struct feedone *fo = arg;

	fo->found = 1;
	fo->kind = xstrdup(row->kind);
	fo->subject = xstrdup(row->subject);
	fo->revoked = row->revoked;
}

/* POST /api/v1/feeds, /feeds/rotate and /feeds/revoke. */
static void
post_feeds(struct termijnd *d, struct evhttp_request *req, enum req_kind k,
    const struct request *rq, const struct actor *who)
{
	struct feedone fo = { 0, NULL, NULL, 0 };
	const char *subject = rq->person;
	char *cause = NULL;
	json_t *out = NULL;
	int code, rc;

	if (!who->operator) {
		reply_error(d, req, 403, "forbidden", _("only operators may manage feeds"), 1);
		return;
	}
	if (k == REQ_FEED_CREATE) {
		code = feeds_create(d, rq->kind, rq->subject, who->name, 0, &out, &cause);
		goto reply;
	}
	if (k == REQ_FEED_SEND) {
		struct pstate *ps;

		/* A new feed: the address of an old one is not kept, only its hash. */
		if ((code = feeds_create(d, "person", subject, who->name, 0, &out, &cause)) != 201)
			goto reply;
		ps = feeds_person_plan(d, subject);
		if (remind_send_link(d, ps->plan, subject,
		    json_string_value(json_object_get(out, "url")),
		    json_string_value(json_object_get(out, "webcal")),
		    json_string_value(json_object_get(out, "page")),
		    json_integer_value(json_object_get(out, "id")), &cause) == -1) {
			json_decref(out);
			code = 500;
			goto reply;
		}
		log_info("%s sent feed %lld to %s", who->name,
		    (long long)json_integer_value(json_object_get(out, "id")), subject);
		/* The address goes to the person only, not back to whoever asked. */
		json_object_del(out, "url");
		json_object_del(out, "webcal");
		json_object_del(out, "page");
		json_object_set_new(out, "sent_to", json_string(subject));
		code = 200;
		goto reply;
	}
	if (store_feed_each(d->engine.store, rq->id, feed_one_cb, &fo) == -1 ||
	    !fo.found || fo.revoked) {
		xasprintf(&cause, _("no feed %lld in force"), (long long)rq->id);
		code = 404;
		goto reply;
	}
	if (store_begin(d->engine.store) == -1 ||
	    (rc = store_feed_revoke(d->engine.store, rq->id, clock_now())) == -1) {
		xasprintf(&cause, _("database: %s"), store_error(d->engine.store));
		code = 500;
		goto reply;
	}
	/* Revoked at once: the next request with the old token misses the cache too. */
	feeds_forget(d, rq->id);
	if (k == REQ_FEED_ROTATE)
		code = feeds_create(d, fo.kind, fo.subject, who->name, rq->id, &out,
		    &cause);
	else {
		log_info("%s revoked feed %lld", who->name, (long long)rq->id);
		out = json_pack("{s:I}", "id", rq->id);
		code = 200;
	}
	if (code == 201 && k == REQ_FEED_ROTATE) {
		json_object_set_new(out, "replaces", json_integer(rq->id));
		code = 200;
	}
reply:
	if (code >= 400)
		reply_error(d, req, code, code == 404 ? "not-found" : code == 500 ? "internal" :
		    "bad-request", cause, 1);
	else
		control_reply(d, req, code, out, 1);
	free(cause);
	free(fo.kind);
	free(fo.subject);
}

/* A local user, by name and uid, as the socket's credentials tell. */
static void
local_actor(struct termijnd *d, struct actor *who, const char *name, long uid)
{
	memset(who, 0, sizeof(*who));
	who->name = name;
	who->uid = uid;
	who->operator = config_allows(d->conf->operators, d->conf->noperators, name, uid);
	who->overrider = who->operator &&
	    config_allows(d->conf->overriders, d->conf->noverriders, name, uid);
	who->channel = "socket";
}

/* The caller on the client socket: a local user, known by the socket's credentials. */
static int
socket_actor(struct termijnd *d, struct evhttp_request *req, struct actor *who, char *name,
    size_t namelen, char **cause)
{
	long uid;

	if (control_peer(req, &uid, name, namelen, cause) == -1)
		return -1;
	local_actor(d, who, name, uid);
	return 0;
}

static void	route(struct termijnd *, struct evhttp_request *, const struct actor *);

/* How long a request since t0 held the loop, kept for /metrics (bench/stall.sh reads it). */
static void
timed(struct termijnd *d, double t0, const char *what)
{
	double dt;

	if ((dt = clock_mono() - t0) > d->longest_api)
		d->longest_api = dt;
	/* The loop waited for this: worth a line (at most one a second). */
	if (dt > 0.05 && (time_t)t0 != d->slow_logged) {
		d->slow_logged = (time_t)t0;
		log_warnx("slow request: %s took %.0f ms", what, dt * 1e3);
	}
}

/*
 * Every route of /api/v1, for a caller known already (remote) or on the socket (NULL);
 * how long each held the loop is kept for /metrics (bench/stall.sh reads it).
 */
void
api_route(struct termijnd *d, struct evhttp_request *req, const struct actor *remote)
{
	double t0 = clock_mono();
	char what[160];

	/* Copied now: the request may be gone once answered. The path only: no query. */
	snprintf(what, sizeof(what), "%s",
	    evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req)) ?
	    evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req)) : "/");
	route(d, req, remote);
	timed(d, t0, what);
}

int
api_done(struct termijnd *d, const struct request *rq, long uid, const char *name,
    char **text, size_t *len)
{
	double t0 = clock_mono();
	struct actor who;
	int http;

	local_actor(d, &who, name, uid);
	http = change_answer(d, REQ_DONE, rq, &who, text, len);
	timed(d, t0, "/api/v1/done");
	return http;
}

static void
route(struct termijnd *d, struct evhttp_request *req, const struct actor *remote)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = evhttp_uri_get_path(uri), *qs = evhttp_uri_get_query(uri);
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	struct evkeyvalq q;
	struct evbuffer *in;
	struct request rq;
	struct actor local;
	const struct actor *who = remote;
	char name[64], *cause = NULL;
	int k;

	control_track(d, req);
	/* While stopping, what is in progress is answered, and nothing new begins. */
	if (d->stopping) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		reply_error(d, req, 503, "unavailable", _("termijnd is stopping; nothing was changed"),
		    0);
		return;
	}
	TAILQ_INIT(&q);
	/* A NUL would end the value early in C: "x%00y" must not find "x". */
	if (qs != NULL && strstr(qs, "%00") != NULL) {
		reply_error(d, req, 400, "bad-request", _("a NUL byte (%00) in the query"), 0);
		return;
	}
	if (qs != NULL && evhttp_parse_query_str(qs, &q) == -1) {
		reply_error(d, req, 400, "bad-request", _("bad query string"), 0);
		return;
	}
	if (path == NULL)
		path = "/";
	if (who == NULL && (method == EVHTTP_REQ_POST || strcmp(path, "/api/v1/whoami") == 0 ||
	    strcmp(path, "/api/v1/access") == 0)) {
		if (socket_actor(d, req, &local, name, sizeof(name), &cause) == -1) {
			/* Not knowing who calls is our failure, never the caller's lack of rights. */
			evhttp_clear_headers(&q);
			reply_error(d, req, 503, "unavailable", cause, 0);
			free(cause);
			return;
		}
		who = &local;
	}
	if (method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD) {
		if (strcmp(path, "/api/v1/status") == 0)
			get_status(d, req, &q);
		else if (strcmp(path, "/api/v1/milestones") == 0)
			get_milestones(d, req, &q);
		else if (strcmp(path, "/api/v1/milestone") == 0)
			get_milestone(d, req, &q);
		else if (strcmp(path, "/api/v1/log") == 0)
			get_log(d, req, &q);
		else if (strcmp(path, "/api/v1/reminders") == 0)
			get_reminders(d, req, &q);
		else if (strcmp(path, "/api/v1/feeds") == 0)
			get_feeds(d, req, &q);
		else if (strcmp(path, "/api/v1/people") == 0)
			get_people(d, req, &q);
		else if (strcmp(path, "/api/v1/parts") == 0)
			get_parts(d, req, &q);
		else if (strcmp(path, "/api/v1/access") == 0)
			get_access(d, req, &q, who);
		else if (strcmp(path, "/api/v1/whoami") == 0)
			get_whoami(d, req, who);
		else
			reply_error(d, req, 404, "not-found", _("no such resource"), 0);
		evhttp_clear_headers(&q);
		return;
	}
	evhttp_clear_headers(&q);
	if (method != EVHTTP_REQ_POST) {
		reply_error(d, req, 405, "method-not-allowed", _("GET for reading, POST for changes"), 0);
		return;
	}
	if ((k = request_kind(path)) == -1) {
		reply_error(d, req, 404, "not-found", _("no such resource"), 0);
		return;
	}
	in = evhttp_request_get_input_buffer(req);
	if (evbuffer_get_length(in) > API_MAX_BODY) {
		reply_error(d, req, 413, "too-large", _("the request is too large: its body is over 64 KiB"), 0);
		return;
	}
	if (request_parse(k, (const char *)evbuffer_pullup(in, -1), evbuffer_get_length(in), &rq,
	    &cause) == -1) {
		reply_error(d, req, 400, "bad-request", cause, 1);
		free(cause);
		return;
	}
	switch (k) {
	case REQ_DONE:
	case REQ_UNDO:
	case REQ_WAIVE:
		post_change(d, req, k, &rq, who);
		break;
	case REQ_ADD:
		post_add(d, req, &rq, who);
		break;
	case REQ_PART_ADD:
	case REQ_PART_CANCEL:
		post_part(d, req, k, &rq, who);
		break;
	case REQ_MOVE:
	case REQ_RETITLE:
	case REQ_CANCEL:
	case REQ_REQUIRE:
		post_replan(d, req, k, &rq, who);
		break;
	case REQ_RELOAD:
		post_reload(d, req, who);
		break;
	case REQ_RETRY:
		post_retry(d, req, &rq, who);
		break;
	case REQ_ACCESS_GRANT:
	case REQ_ACCESS_REVOKE:
	case REQ_LOGIN:
	case REQ_LOGIN_CODE:
		access_post(d, req, k, &rq, who);
		break;
	default:
		post_feeds(d, req, k, &rq, who);
		break;
	}
	request_free(&rq);
}

void
api_handle(struct evhttp_request *req, void *arg)
{
	api_route(arg, req, NULL);
}
