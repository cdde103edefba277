/* plan.c: the plan file parser and validator; every error is reported as file:line. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "links.h"
#include "plan.h"
#include "tz.h"
#include "xmalloc.h"

#define DEFAULT_TZ	"Europe/Amsterdam"

/* Cut msg in place to about ERRMSG_MAX bytes, keeping its start and end, whole UTF-8 characters. */
static void
errmsg_clip(char *msg)
{
	size_t len = strlen(msg), head = ERRMSG_MAX * 3 / 4, tail;
	char mark[48];

	if (len <= ERRMSG_MAX)
		return;
	while (head > 0 && ((unsigned char)msg[head] & 0xc0) == 0x80)
		head--;
	tail = len - ERRMSG_MAX / 5;
	while (tail < len && ((unsigned char)msg[tail] & 0xc0) == 0x80)
		tail++;
	snprintf(mark, sizeof(mark), "...(%zu bytes cut)...", tail - head);
	memmove(msg + head + strlen(mark), msg + tail, len - tail + 1);
	memcpy(msg + head, mark, strlen(mark));
}

void
errlist_add(struct errlist *e, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg, *full;

	if (e->max > 0 && e->n >= e->max) {
		e->dropped++;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (msg != NULL)
		errmsg_clip(msg);
	if (line > 0)
		xasprintf(&full, "%s:%d: %s", file, line, msg ? msg : "?");
	else
		xasprintf(&full, "%s: %s", file, msg ? msg : "?");
	free(msg);
	XGROW(e->msg, e->n, e->cap);
	e->msg[e->n++] = full;
}

void
errlist_free(struct errlist *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->msg[i]);
	free(e->msg);
	memset(e, 0, sizeof(*e));
}

int
id_valid(const char *s)
{
	const char *p;

	if (s == NULL || *s == '\0' || strlen(s) > 64)
		return 0;
	if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s))
		return 0;
	for (p = s; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '-' && *p != '_' && *p != '.')
			return 0;
	return 1;
}

static int
days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

int
recur_expand(const struct recurrence *rc, const struct ltime *first, struct ltime **out)
{
	struct ltime *v = NULL, d;
	size_t n = 0, cap = 0;
	int k, mon;

	for (k = 0;; k++) {
		d = *first;
		if (rc->every == 0 && k > 0)
			break;
		if (rc->unit == 'm') {
			/* From the first date each time, so that the 31st comes back after April. */
			mon = first->mon - 1 + k * rc->every;
			d.year = first->year + mon / 12;
			d.mon = mon % 12 + 1;
			if (d.day > days_in_month(d.year, d.mon))
				d.day = days_in_month(d.year, d.mon);
		} else if (k > 0)
			ltime_add_days(&d, k * rc->every * (rc->unit == 'w' ? 7 : 1));
		if (k > 0 && (d.year != rc->until.year ? d.year > rc->until.year :
		    d.mon != rc->until.mon ? d.mon > rc->until.mon : d.day > rc->until.day))
			break;
		if (n == RECUR_MAX) {
			free(v);
			*out = NULL;
			return -1;
		}
		XGROW(v, n, cap);
		v[n++] = d;
	}
	*out = v;
	return (int)n;
}

int
ltime_parse(const char *s, struct ltime *lt)
{
	int n = 0;

	memset(lt, 0, sizeof(*lt));
	if (sscanf(s, "%4d-%2d-%2d%n", &lt->year, &lt->mon, &lt->day, &n) != 3 || n != 10)
		return -1;
	s += n;
	if (*s == ' ' || *s == 'T') {
		s++;
		while (*s == ' ')
			s++;
		n = 0;
		if (sscanf(s, "%2d:%2d%n", &lt->hour, &lt->min, &n) != 2 || n != 5 || s[n] != '\0')
			return -1;
		lt->has_time = 1;
	} else if (*s != '\0')
		return -1;
	if (lt->year < 1970 || lt->year > 9999 || lt->mon < 1 || lt->mon > 12 || lt->day < 1 ||
	    lt->day > days_in_month(lt->year, lt->mon) || lt->hour > 23 || lt->min > 59 ||
	    lt->hour < 0 || lt->min < 0)
		return -1;
	lt->set = 1;
	return 0;
}

void
ltime_format(const struct ltime *lt, char *buf, size_t len)
{
	const int v[5] = { lt->year, lt->mon, lt->day, lt->hour, lt->min };
	size_t i, k, w, n = lt->has_time ? 5 : 3;
	char *p = buf;
	int x;

	if (!lt->set)
		snprintf(buf, len, "-");
	else if (len < 17 || lt->year < 0 || lt->year > 9999 || lt->mon < 0 || lt->mon > 99 ||
	    lt->day < 0 || lt->day > 99 || lt->hour < 0 || lt->hour > 99 || lt->min < 0 ||
	    lt->min > 99) {
		if (lt->has_time)
			snprintf(buf, len, "%04d-%02d-%02d %02d:%02d", lt->year, lt->mon, lt->day,
			    lt->hour, lt->min);
		else
			snprintf(buf, len, "%04d-%02d-%02d", lt->year, lt->mon, lt->day);
	} else {
		/* By hand: a feed formats tens of thousands, and snprintf was most of that. */
		for (i = 0; i < n; i++) {
			if (i > 0)
				*p++ = " -- :"[i];
			w = i == 0 ? 4 : 2;
			for (k = w, x = v[i]; k > 0; k--, x /= 10)
				p[k - 1] = (char)('0' + x % 10);
			p += w;
		}
		*p = '\0';
	}
}

/* ---- the model ---- */

struct milestone *
milestone_new(void)
{
	struct milestone *m = xcalloc(1, sizeof(*m));

	m->escalate_after = -1;
	return m;
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
milestone_clear(struct milestone *m)
{
	size_t i;

	free(m->id);
	free(m->title);
	free(m->description);
	free(m->owner);
	free(m->per);
	strv_free(m->parties, m->nparties);
	for (i = 0; i < m->nreqs; i++) {
		free(m->reqs[i].plan);
		free(m->reqs[i].id);
		free(m->reqs[i].party);
	}
	free(m->reqs);
	for (i = 0; i < m->nxreqs; i++) {
		free(m->xreqs[i].plan);
		free(m->xreqs[i].id);
		free(m->xreqs[i].party);
	}
	free(m->xreqs);
	for (i = 0; i < m->novr; i++) {
		free(m->ovr[i].party);
		free(m->ovr[i].title);
		free(m->ovr[i].description);
		free(m->ovr[i].owner);
	}
	free(m->ovr);
	free(m->remind);
	free(m->escalate_to);
	strv_free(m->formerly, m->nformerly);
}

void
milestone_free(struct milestone *m)
{
	if (m == NULL)
		return;
	milestone_clear(m);
	free(m);
}

static void
instances_free(struct plan *p)
{
	size_t i;

	p->revision++;
	for (i = 0; i < p->ninst; i++) {
		free(p->inst[i].key);
		free(p->inst[i].title_own);
		free(p->inst[i].pre_runs);
		free(p->inst[i].dep_runs);
	}
	free(p->inst);
	free(p->inst_sorted);
	p->inst = NULL;
	p->inst_sorted = NULL;
	p->ninst = p->inst_cap = 0;
}

static void
wholist_free(struct wholist *w)
{
	strv_free(w->v, w->n);
	free(w->lines);
	memset(w, 0, sizeof(*w));
}

void
plan_free(struct plan *p)
{
	size_t i, j;

	if (p == NULL)
		return;
	instances_free(p);
	for (i = 0; i < p->nms; i++)
		milestone_clear(&p->ms[i]);
	free(p->ms);
	free(p->ms_sorted);
	free(p->parties_sorted);
	free(p->renamed);
	for (i = 0; i < p->nparties; i++) {
		free(p->parties[i].id);
		free(p->parties[i].name);
		for (j = 0; j < p->parties[i].ncontacts; j++) {
			free(p->parties[i].contacts[j].role);
			strv_free(p->parties[i].contacts[j].addrs, p->parties[i].contacts[j].naddrs);
			strv_free(p->parties[i].contacts[j].names, p->parties[i].contacts[j].naddrs);
		}
		free(p->parties[i].contacts);
		wholist_free(&p->parties[i].coordinators);
	}
	free(p->parties);
	for (i = 0; i < p->ndims; i++) {
		struct dimension *d = &p->dims[i];

		for (j = 0; j < d->nparts; j++) {
			free(d->parts[j]->id);
			free(d->parts[j]->title);
			free(d->parts[j]->lead);
			free(d->parts[j]);
		}
		free(d->parts);
		free(d->id);
		free(d->name);
		free(d->found_by);
	}
	free(p->dims);
	for (i = 0; i < p->nroles; i++) {
		free(p->roles[i].id);
		free(p->roles[i].name);
		strv_free(p->roles[i].addrs, p->roles[i].naddrs);
		strv_free(p->roles[i].names, p->roles[i].naddrs);
	}
	free(p->roles);
	wholist_free(&p->coordinators);
	wholist_free(&p->overriders);
	wholist_free(&p->digest_who);
	free(p->id);
	free(p->file);
	free(p->title);
	free(p->description);
	free(p->tz);
	free(p->lang);
	free(p->remind);
	free(p->closed);
	links_free(p->xl);
	free(p);
}

struct milestone *
plan_milestone(const struct plan *p, const char *id)
{
	size_t i, lo = 0, hi = p->nms_sorted, mid;
	int c;

	if (p->nms_sorted != p->nms || p->ms_sorted == NULL) {
		for (i = 0; i < p->nms; i++)
			if (strcmp(p->ms[i].id, id) == 0)
				return &p->ms[i];
		return NULL;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(p->ms[p->ms_sorted[mid]].id, id)) == 0)
			return &p->ms[p->ms_sorted[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
cmp_renamed(const void *a, const void *b)
{
	return strcmp(((const struct renamed *)a)->oldid, ((const struct renamed *)b)->oldid);
}

/* By old id, then plan order: of two milestones that claim one old id, the first answers. */
static int
cmp_renamed_ms(const void *a, const void *b)
{
	const struct renamed *x = a, *y = b;
	int c = strcmp(x->oldid, y->oldid);

	return c != 0 ? c : x->ms < y->ms ? -1 : x->ms > y->ms;
}

struct milestone *
plan_renamed(const struct plan *p, const char *oldid)
{
	struct renamed key, *r;
	size_t i, j;

	if (p->renamed != NULL && p->renamed_nms == p->nms) {
		key.oldid = oldid;
		if ((r = bsearch(&key, p->renamed, p->nrenamed, sizeof(*r), cmp_renamed)) == NULL)
			return NULL;
		while (r > p->renamed && strcmp(r[-1].oldid, oldid) == 0)
			r--;
		return &p->ms[r->ms];
	}
	for (i = 0; i < p->nms; i++)
		for (j = 0; j < p->ms[i].nformerly; j++)
			if (strcmp(p->ms[i].formerly[j], oldid) == 0)
				return &p->ms[i];
	return NULL;
}

struct party *
plan_party(const struct plan *p, const char *id)
{
	size_t i, lo = 0, hi = p->nparties_sorted, mid;
	int c;

	if (p->nparties_sorted != p->nparties || p->parties_sorted == NULL) {
		for (i = 0; i < p->nparties; i++)
			if (strcmp(p->parties[i].id, id) == 0)
				return &p->parties[i];
		return NULL;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(p->parties[p->parties_sorted[mid]].id, id)) == 0)
			return &p->parties[p->parties_sorted[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct role *
plan_role(const struct plan *p, const char *id)
{
	size_t i;

	for (i = 0; i < p->nroles; i++)
		if (strcmp(p->roles[i].id, id) == 0)
			return &p->roles[i];
	return NULL;
}

struct instance *
plan_instance(const struct plan *p, const char *key)
{
	size_t lo = 0, hi = p->ninst, mid;
	int c;

	if (p->inst_sorted == NULL)
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(p->inst[p->inst_sorted[mid]].key, key)) == 0)
			return &p->inst[p->inst_sorted[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* qsort has no argument for the array being sorted; the plan being indexed goes here. */
static _Thread_local const struct plan *sorting;

static int
cmp_ms(const void *a, const void *b)
{
	return strcmp(sorting->ms[*(const size_t *)a].id, sorting->ms[*(const size_t *)b].id);
}

static int
cmp_inst(const void *a, const void *b)
{
	return strcmp(sorting->inst[*(const size_t *)a].key,
	    sorting->inst[*(const size_t *)b].key);
}

static int
cmp_party(const void *a, const void *b)
{
	return strcmp(sorting->parties[*(const size_t *)a].id,
	    sorting->parties[*(const size_t *)b].id);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lookups of parties in O(log n), of a milestone's parties (sorted in place), of old ids. */
static void
index_parties(struct plan *p)
{
	size_t i, j;

	free(p->parties_sorted);
	p->parties_sorted = xcalloc(p->nparties ? p->nparties : 1, sizeof(size_t));
	for (i = 0; i < p->nparties; i++)
		p->parties_sorted[i] = i;
	sorting = p;
	qsort(p->parties_sorted, p->nparties, sizeof(size_t), cmp_party);
	sorting = NULL;
	p->nparties_sorted = p->nparties;
	/* And of formerly ids: each milestone's are checked against all the others'. */
	free(p->renamed);
	p->nrenamed = 0;
	for (i = 0; i < p->nms; i++)
		p->nrenamed += p->ms[i].nformerly;
	p->renamed = xcalloc(p->nrenamed ? p->nrenamed : 1, sizeof(*p->renamed));
	p->nrenamed = 0;
	for (i = 0; i < p->nms; i++)
		for (j = 0; j < p->ms[i].nformerly; j++) {
			p->renamed[p->nrenamed].oldid = p->ms[i].formerly[j];
			p->renamed[p->nrenamed++].ms = i;
		}
	qsort(p->renamed, p->nrenamed, sizeof(*p->renamed), cmp_renamed_ms);
	p->renamed_nms = p->nms;
	for (i = 0; i < p->nms; i++)
		if (p->ms[i].nparties > 1)
			qsort(p->ms[i].parties, p->ms[i].nparties, sizeof(char *), cmp_str);
}

/* Sort the milestones by id; a duplicate id is reported at its second place. */
static void
index_milestones(struct plan *p, struct errlist *errs)
{
	size_t i;

	free(p->ms_sorted);
	p->ms_sorted = xcalloc(p->nms ? p->nms : 1, sizeof(size_t));
	for (i = 0; i < p->nms; i++)
		p->ms_sorted[i] = i;
	sorting = p;
	qsort(p->ms_sorted, p->nms, sizeof(size_t), cmp_ms);
	sorting = NULL;
	p->nms_sorted = p->nms;
	for (i = 1; i < p->nms; i++) {
		struct milestone *a = &p->ms[p->ms_sorted[i - 1]], *b = &p->ms[p->ms_sorted[i]];

		if (strcmp(a->id, b->id) == 0)
			errlist_add(errs, p->file, a->line > b->line ? a->line : b->line,
			    _("duplicate milestone %s (first at line %d)"), a->id,
			    a->line < b->line ? a->line : b->line);
	}
}

static const struct contact *
party_contact(const struct party *pt, const char *role)
{
	size_t i;

	for (i = 0; i < pt->ncontacts; i++)
		if (strcmp(pt->contacts[i].role, role) == 0)
			return &pt->contacts[i];
	return NULL;
}

/* Is role known to the plan at all: declared, or given an address by some party? */
static int
role_known(const struct plan *p, const char *role)
{
	size_t i;

	if (plan_role(p, role) != NULL)
		return 1;
	for (i = 0; i < p->nparties; i++)
		if (party_contact(&p->parties[i], role) != NULL)
			return 1;
	return 0;
}

size_t
plan_role_addrs(const struct plan *p, const char *role, const struct party *pt, const char ***out)
{
	const char **v = NULL;
	const struct contact *c;
	const struct role *r;
	size_t n = 0, cap = 0, i, j;

	if (pt != NULL && (c = party_contact(pt, role)) != NULL) {
		for (j = 0; j < c->naddrs; j++) {
			XGROW(v, n, cap);
			v[n++] = c->addrs[j];
		}
	} else if (pt != NULL) {
		/* The party has no holder of its own: the plan-wide holders act for it. */
		if ((r = plan_role(p, role)) != NULL)
			for (j = 0; j < r->naddrs; j++) {
				XGROW(v, n, cap);
				v[n++] = r->addrs[j];
			}
	} else {
		/* A plan-wide milestone: plan-wide holders, or else every party's. */
		if ((r = plan_role(p, role)) != NULL && r->naddrs > 0) {
			for (j = 0; j < r->naddrs; j++) {
				XGROW(v, n, cap);
				v[n++] = r->addrs[j];
			}
		} else {
			for (i = 0; i < p->nparties; i++) {
				if ((c = party_contact(&p->parties[i], role)) == NULL)
					continue;
				for (j = 0; j < c->naddrs; j++) {
					XGROW(v, n, cap);
					v[n++] = c->addrs[j];
				}
			}
		}
	}
	*out = v;
	return n;
}

const char *
plan_person_name(const struct plan *p, const char *addr)
{
	size_t i, j, k;

	/* Every address of a plan has one (addr_plausible): a user's login name is none. */
	if (strchr(addr, '@') == NULL)
		return NULL;
	for (i = 0; i < p->nparties; i++)
		for (j = 0; j < p->parties[i].ncontacts; j++) {
			const struct contact *c = &p->parties[i].contacts[j];

			for (k = 0; k < c->naddrs; k++)
				if (c->names[k] != NULL && strcasecmp(c->addrs[k], addr) == 0)
					return c->names[k];
		}
	for (i = 0; i < p->nroles; i++)
		for (k = 0; k < p->roles[i].naddrs; k++)
			if (p->roles[i].names[k] != NULL &&
			    strcasecmp(p->roles[i].addrs[k], addr) == 0)
				return p->roles[i].names[k];
	return NULL;
}

int
plan_addr_among(const char *const *v, size_t n, const char *addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(v[i], addr) == 0)
			return 1;
	return 0;
}

int
plan_holds(const struct plan *p, const char *addr, const char *role, const struct party *pt)
{
	const struct contact *c;
	const struct role *r;
	size_t i;

	if (addr == NULL)
		return 0;
	/* A plan-wide holder holds the role for every party. */
	if ((r = plan_role(p, role)) != NULL &&
	    plan_addr_among((const char *const *)r->addrs, r->naddrs, addr))
		return 1;
	if (pt != NULL)
		return (c = party_contact(pt, role)) != NULL &&
		    plan_addr_among((const char *const *)c->addrs, c->naddrs, addr);
	for (i = 0; i < p->nparties; i++)
		if ((c = party_contact(&p->parties[i], role)) != NULL &&
		    plan_addr_among((const char *const *)c->addrs, c->naddrs, addr))
			return 1;
	return 0;
}

int
plan_lists(const struct plan *p, const struct wholist *w, const char *addr,
    const struct party *pt)
{
	size_t i;

	if (addr == NULL)
		return 0;
	for (i = 0; i < w->n; i++)
		if (strchr(w->v[i], '@') != NULL ? strcasecmp(w->v[i], addr) == 0 :
		    plan_holds(p, addr, w->v[i], pt))
			return 1;
	return 0;
}

/* ---- the parser ---- */

enum block { B_NONE, B_PLAN, B_ROLE, B_PARTY, B_DIMENSION, B_MILESTONE };

struct parser {
	const char		*file;
	struct errlist		*errs;
	struct plan		*p;
	enum block		 block;
	int			 block_indent;
	struct role		*role;
	struct party		*party;
	struct dimension	*dim;
	struct milestone	*ms;
	struct override		*ovr;
	int			 ovr_indent;
	int			 seen_plan;
	int			 plan_line;
	size_t			 nerr_start;
	struct seen {
		char	 key[24];
		int	 line;
	}			 seen[2][48];	/* keys of the block [0] and of its for [1] */
	size_t			 nseen[2];
	/* Room in the arrays being filled: growing them one by one is quadratic. */
	size_t			 ms_cap, roles_cap, parties_cap, dims_cap;
	size_t			 reqs_cap, formerly_cap, ovr_cap, addrs_cap, contacts_cap;
	int			 said_too_many[3];	/* roles, parties, milestones */
};

/* One logical line: key, value (continuations joined) and where it started. */
struct pline {
	int	 line;
	int	 indent;
	char	*key;
	char	*value;		/* continuation lines joined by '\n' */
	size_t	 vlen, vcap;
};

/* Make room for n + add elements in arr, doubling its capacity cap. */
#define GROW(arr, n, add, cap) do {						\
	if ((n) + (add) > (cap)) {						\
		while ((cap) < (n) + (add))					\
			(cap) = (cap) ? (cap) * 2 : 8;				\
		(arr) = xreallocarray((arr), (cap), sizeof(*(arr)));		\
	}									\
} while (0)

static void
perr(struct parser *ps, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void	parse_wholist(struct parser *, const struct pline *, struct wholist *);
static void	parse_digest(struct parser *, const struct pline *);

static void
perr(struct parser *ps, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	errlist_add(ps->errs, ps->file, line, "%s", msg ? msg : "?");
	free(msg);
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Split "a, b c" on commas and blanks into a vector of words. */
static size_t
split_words(const char *value, char ***out)
{
	char *copy = xstrdup(value), *s, *w, **v = NULL;
	size_t n = 0, cap = 0;

	for (s = copy; (w = strsep(&s, ", \t\n")) != NULL;) {
		if (*w == '\0')
			continue;
		XGROW(v, n, cap);
		v[n++] = xstrdup(w);
	}
	free(copy);
	*out = v;
	return n;
}

/* "7d", "1w", "0d": days. */
static int
parse_days(const char *s, int *days)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || v < 0 || v > 3650)
		return -1;
	if (strcmp(end, "d") == 0)
		*days = (int)v;
	else if (strcmp(end, "w") == 0)
		*days = (int)v * 7;
	else
		return -1;
	return 0;
}

static int
parse_daylist(struct parser *ps, int line, const char *value, int **out, size_t *nout)
{
	char **w;
	size_t n, i;
	int *v, bad = 0;

	n = split_words(value, &w);
	if (n == 0) {
		perr(ps, line, _("remind needs lead times such as \"7d, 1d, 0d\""));
		strv_free(w, n);
		return -1;
	}
	v = xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++)
		if (parse_days(w[i], &v[i]) == -1) {
			perr(ps, line, _("bad lead time \"%s\": write days as Nd or weeks as Nw"), w[i]);
			bad = 1;
		}
	strv_free(w, n);
	if (bad) {
		free(v);
		return -1;
	}
	free(*out);
	*out = v;
	*nout = n;
	return 0;
}

static int
parse_time_value(struct parser *ps, int line, const char *key, const char *value,
    struct ltime *lt)
{
	if (ltime_parse(value, lt) == -1) {
		perr(ps, line, _("%s: bad date \"%s\": write YYYY-MM-DD or YYYY-MM-DD HH:MM"),
		    key, value);
		return -1;
	}
	return 0;
}

static int
parse_window(struct parser *ps, int line, const char *value, struct timing *t)
{
	const char *sep = strstr(value, "..");
	char *a, *b;
	int rc = 0;

	if (sep == NULL) {
		perr(ps, line, _("window needs FROM .. TO, such as 2014-01-06 .. 2014-01-31"));
		return -1;
	}
	a = xstrndup(value, (size_t)(sep - value));
	b = xstrdup(sep + 2);
	if (parse_time_value(ps, line, "window", trim(a), &t->from) == -1 ||
	    parse_time_value(ps, line, "window", trim(b), &t->due) == -1)
		rc = -1;
	free(a);
	free(b);
	return rc;
}

static void
set_string(struct parser *ps, int line, const char *key, char **dst, const char *value)
{
	if (*value == '\0')
		perr(ps, line, _("%s needs a value"), key);
	free(*dst);
	*dst = xstrdup(value);
}

static int
parse_timing_key(struct parser *ps, const struct pline *l, struct timing *t)
{
	if (strcmp(l->key, "due") == 0) {
		if (t->due.set)
			perr(ps, l->line, _("give either due or window, not both"));
		parse_time_value(ps, l->line, "due", l->value, &t->due);
		return 1;
	}
	if (strcmp(l->key, "window") == 0) {
		if (t->due.set)
			perr(ps, l->line, _("give either due or window, not both"));
		parse_window(ps, l->line, l->value, t);
		return 1;
	}
	if (strcmp(l->key, "on") == 0) {
		if (t->due.set)
			perr(ps, l->line, _("give one of due, window and on"));
		if (parse_time_value(ps, l->line, "on", l->value, &t->due) == 0 &&
		    t->due.has_time) {
			perr(ps, l->line, _("on: a date without a time (for hours, give not-before "
			    "and due)"));
			t->due.has_time = 0;
		}
		t->from = t->due;
		t->on = 1;
		return 1;
	}
	if (strcmp(l->key, "not-before") == 0) {
		parse_time_value(ps, l->line, "not-before", l->value, &t->not_before);
		return 1;
	}
	return 0;
}

int
requirement_parse(const char *text, struct requirement *r, char **cause)
{
	char *s = xstrdup(text), *at, *slash, *colon, *hash;

	memset(r, 0, sizeof(*r));
	if ((colon = strchr(s, ':')) != NULL) {
		*colon = '\0';
		if (!id_valid(s)) {
			xasprintf(cause, _("requires %s: before : comes a plan id"), text);
			goto bad;
		}
		r->plan = xstrdup(s);
		memmove(s, colon + 1, strlen(colon + 1) + 1);
	}
	if ((slash = strchr(s, '/')) != NULL) {
		*slash++ = '\0';
		if (strcmp(slash, "last") == 0)
			r->last = 1;
		else if (r->plan != NULL && ltime_parse(slash, &r->date) == 0 && !r->date.has_time)
			;
		else if (strcmp(slash, "all") != 0) {
			xasprintf(cause, r->plan != NULL ? _("requires %s: after / comes last, all or "
			    "a date YYYY-MM-DD") : _("requires %s: after / comes last or all"), text);
			goto bad;
		}
	}
	if ((hash = strchr(s, '#')) != NULL) {
		*hash++ = '\0';
		if (r->plan != NULL) {
			xasprintf(cause, _("requires %s: parts (#) only of a milestone of this plan"),
			    text);
			goto bad;
		}
		if (strchr(hash, '@') != NULL || strchr(s, '@') != NULL) {
			xasprintf(cause, _("requires %s: a milestone is per party (@) or per part (#), "
			    "not both"), text);
			goto bad;
		}
		if (strcmp(hash, "same") == 0)
			r->part = PART_SAME;
		else if (strcmp(hash, "all") == 0)
			r->part = PART_ALL;
		else {
			xasprintf(cause, _("requires %s: after # comes same or all"), text);
			goto bad;
		}
	}
	if ((at = strchr(s, '@')) != NULL) {
		*at++ = '\0';
		if (strcmp(at, "same") == 0)
			r->scope = REQ_SAME;
		else if (strcmp(at, "all") == 0)
			r->scope = REQ_ALL;
		else if (id_valid(at)) {
			r->scope = REQ_PARTY;
			r->party = xstrdup(at);
		} else {
			xasprintf(cause, _("requires %s: after @ comes same, all or a party id"), text);
			goto bad;
		}
	}
	if (!id_valid(s)) {
		xasprintf(cause, _("requires: \"%s\" is not a milestone id"), s);
		free(r->party);
		r->party = NULL;
		goto bad;
	}
	r->id = s;
	return 0;
bad:
	free(r->plan);
	r->plan = NULL;
	free(s);
	return -1;
}

static void
parse_requires(struct parser *ps, const struct pline *l, struct milestone *m)
{
	char **w, *cause;
	size_t n, i;
	struct requirement *r;

	n = split_words(l->value, &w);
	if (n == 0)
		perr(ps, l->line, _("requires needs at least one milestone id"));
	GROW(m->reqs, m->nreqs, n, ps->reqs_cap);
	for (i = 0; i < n; i++) {
		r = &m->reqs[m->nreqs];
		if (requirement_parse(w[i], r, &cause) == -1) {
			perr(ps, l->line, "%s", cause);
			free(cause);
			continue;
		}
		r->line = l->line;
		if (r->plan != NULL) {
			/* Another plan's: resolved over the set of plans (links.c). */
			m->xreqs = xreallocarray(m->xreqs, m->nxreqs + 1, sizeof(*m->xreqs));
			m->xreqs[m->nxreqs++] = *r;
			memset(r, 0, sizeof(*r));
			continue;
		}
		m->nreqs++;
	}
	strv_free(w, n);
}

static void
parse_repeat(struct parser *ps, const struct pline *l, struct milestone *m)
{
	char unit[16], until[32];
	int every, n = 0;

	/* "every 2 weeks until 2014-03-01" */
	if (sscanf(l->value, "every %d %15s until %31[0-9-]%n", &every, unit, until, &n) != 3 ||
	    l->value[n] != '\0' || every < 1 || every > 365) {
		perr(ps, l->line, _("repeat: write \"every N days|weeks|months until YYYY-MM-DD\""));
		return;
	}
	if (strcmp(unit, "day") == 0 || strcmp(unit, "days") == 0)
		m->recur.unit = 'd';
	else if (strcmp(unit, "week") == 0 || strcmp(unit, "weeks") == 0)
		m->recur.unit = 'w';
	else if (strcmp(unit, "month") == 0 || strcmp(unit, "months") == 0)
		m->recur.unit = 'm';
	else {
		perr(ps, l->line, _("repeat: unit \"%s\" is not days, weeks or months"), unit);
		return;
	}
	if (parse_time_value(ps, l->line, "repeat until", until, &m->recur.until) == -1)
		return;
	m->recur.every = every;
}

static void
key_override(struct parser *ps, const struct pline *l)
{
	struct override *o = ps->ovr;

	o->nkeys++;
	if (strcmp(l->key, "title") == 0)
		set_string(ps, l->line, "title", &o->title, l->value);
	else if (strcmp(l->key, "description") == 0)
		set_string(ps, l->line, "description", &o->description, l->value);
	else if (strcmp(l->key, "owner") == 0)
		set_string(ps, l->line, "owner", &o->owner, l->value);
	else if (!parse_timing_key(ps, l, &o->timing))
		perr(ps, l->line, _("unknown key \"%s\" in a for block (title, description, owner, "
		    "due, window, on, not-before)"), l->key);
}

static void
key_milestone(struct parser *ps, const struct pline *l)
{
	struct milestone *m = ps->ms;
	size_t n, i, nerr = ps->errs->n;
	char **w;

	if ((strcmp(l->key, "due") == 0 || strcmp(l->key, "window") == 0 ||
	    strcmp(l->key, "on") == 0) && parse_timing_key(ps, l, &m->timing)) {
		/* Spare the writer a "has no due date" after "bad date" on the same milestone. */
		if (ps->errs->n > nerr)
			m->bad_timing = 1;
		return;
	}

	if (strcmp(l->key, "title") == 0)
		set_string(ps, l->line, "title", &m->title, l->value);
	else if (strcmp(l->key, "description") == 0)
		set_string(ps, l->line, "description", &m->description, l->value);
	else if (strcmp(l->key, "owner") == 0)
		set_string(ps, l->line, "owner", &m->owner, l->value);
	else if (strcmp(l->key, "parties") == 0) {
		m->per_party = 1;
		n = split_words(l->value, &w);
		if (n == 0)
			perr(ps, l->line, _("parties needs \"all\" or party ids"));
		if (n == 1 && strcmp(w[0], "all") == 0)
			strv_free(w, n);
		else {
			strv_free(m->parties, m->nparties);
			m->parties = w;
			m->nparties = n;
		}
	} else if (strcmp(l->key, "per") == 0) {
		if (!id_valid(l->value))
			perr(ps, l->line, _("per needs a dimension id"));
		else
			set_string(ps, l->line, "per", &m->per, l->value);
	} else if (parse_timing_key(ps, l, &m->timing))
		;
	else if (strcmp(l->key, "repeat") == 0)
		parse_repeat(ps, l, m);
	else if (strcmp(l->key, "requires") == 0)
		parse_requires(ps, l, m);
	else if (strcmp(l->key, "remind") == 0)
		parse_daylist(ps, l->line, l->value, &m->remind, &m->nremind);
	else if (strcmp(l->key, "escalate-after") == 0) {
		if (parse_days(l->value, &m->escalate_after) == -1)
			perr(ps, l->line, _("escalate-after: bad duration \"%s\" (Nd or Nw)"), l->value);
	} else if (strcmp(l->key, "escalate-to") == 0)
		set_string(ps, l->line, "escalate-to", &m->escalate_to, l->value);
	else if (strcmp(l->key, "window-start") == 0) {
		if (strcmp(l->value, "rule") == 0)
			m->window_notice = 0;
		else if (strcmp(l->value, "notice") == 0)
			m->window_notice = 1;
		else
			perr(ps, l->line, _("window-start is rule or notice"));
	} else if (strcmp(l->key, "same-moment") == 0) {
		if (strcmp(l->value, "yes") == 0)
			m->same_moment = 1;
		else if (strcmp(l->value, "no") == 0)
			m->same_moment = 0;
		else
			perr(ps, l->line, _("same-moment is yes or no"));
	} else if (strcmp(l->key, "done") == 0)
		parse_time_value(ps, l->line, "done", l->value, &m->done);
	else if (strcmp(l->key, "formerly") == 0) {
		n = split_words(l->value, &w);
		for (i = 0; i < n; i++) {
			if (!id_valid(w[i])) {
				perr(ps, l->line, _("formerly: \"%s\" is not a milestone id"), w[i]);
				free(w[i]);
				continue;
			}
			GROW(m->formerly, m->nformerly, 1, ps->formerly_cap);
			m->formerly[m->nformerly++] = w[i];
		}
		free(w);
	} else
		perr(ps, l->line, _("unknown key \"%s\" in milestone %s"), l->key, m->id);
}

/* "closed 2013-12-27, 2013-12-30 .. 2013-12-31": days, or periods of days, of no reminders. */
static void
parse_closed(struct parser *ps, const struct pline *l)
{
	struct plan *p = ps->p;
	char *v = xstrdup(l->value), *item, *save = NULL, *dots;
	size_t nerr = ps->errs->n, n0 = p->nclosed;
	struct closed c;
	long span;

	for (item = strtok_r(v, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
		memset(&c, 0, sizeof(c));
		if ((dots = strstr(item, "..")) != NULL) {
			*dots = '\0';
			dots += 2;
		}
		if (parse_time_value(ps, l->line, "closed", trim(item), &c.from) == -1 ||
		    parse_time_value(ps, l->line, "closed", trim(dots ? dots : item), &c.to) == -1)
			continue;
		span = ltime_daynum(&c.to) - ltime_daynum(&c.from);
		if (c.from.has_time || c.to.has_time)
			perr(ps, l->line, _("closed: days, without a time"));
		else if (span < 0 || span > 366)
			perr(ps, l->line, _("closed: a period runs forward, a year at most"));
		else {
			p->closed = xreallocarray(p->closed, p->nclosed + 1, sizeof(*p->closed));
			p->closed[p->nclosed++] = c;
		}
	}
	if (p->nclosed == n0 && ps->errs->n == nerr)
		perr(ps, l->line, _("closed needs a date"));
	free(v);
}

static void
key_plan(struct parser *ps, const struct pline *l)
{
	struct plan *p = ps->p;
	int h, mi, n = 0;

	if (strcmp(l->key, "title") == 0)
		set_string(ps, l->line, "title", &p->title, l->value);
	else if (strcmp(l->key, "description") == 0)
		set_string(ps, l->line, "description", &p->description, l->value);
	else if (strcmp(l->key, "timezone") == 0) {
		if (!tz_valid(l->value))
			perr(ps, l->line, _("unknown time zone \"%s\""), l->value);
		else {
			free(p->tz);
			p->tz = xstrdup(l->value);
		}
	} else if (strcmp(l->key, "language") == 0) {
		if (strcmp(l->value, "nl") != 0 && strcmp(l->value, "en") != 0)
			perr(ps, l->line, _("language is nl or en"));
		else {
			free(p->lang);
			p->lang = xstrdup(l->value);
		}
	} else if (strcmp(l->key, "remind") == 0)
		parse_daylist(ps, l->line, l->value, &p->remind, &p->nremind);
	else if (strcmp(l->key, "remind-at") == 0) {
		if (sscanf(l->value, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5 ||
		    l->value[n] != '\0' ||
		    h < 0 || h > 23 || mi < 0 || mi > 59)
			perr(ps, l->line, _("remind-at: bad time \"%s\" (HH:MM)"), l->value);
		else {
			p->remind_hour = h;
			p->remind_min = mi;
		}
	} else if (strcmp(l->key, "overdue-every") == 0) {
		if (parse_days(l->value, &p->overdue_every) == -1 || p->overdue_every == 0)
			perr(ps, l->line, _("overdue-every: bad interval \"%s\" (Nd or Nw, not 0)"),
			    l->value);
	} else if (strcmp(l->key, "overdue-max") == 0) {
		char *end;
		long v = strtol(l->value, &end, 10);

		if (*end != '\0' || end == l->value || v < 0 || v > 100)
			perr(ps, l->line, _("overdue-max: a number from 0 to 100"));
		else
			p->overdue_max = (int)v;
	} else if (strcmp(l->key, "working-days") == 0) {
		if (strcmp(l->value, "nl") == 0)
			p->workdays = WORKDAYS_NL;
		else if (strcmp(l->value, "mon-fri") == 0)
			p->workdays = WORKDAYS_WEEK;
		else if (strcmp(l->value, "all") == 0)
			p->workdays = WORKDAYS_ALL;
		else
			perr(ps, l->line, _("working-days is nl, mon-fri or all"));
	} else if (strcmp(l->key, "closed") == 0)
		parse_closed(ps, l);
	else if (strcmp(l->key, "digest") == 0)
		parse_digest(ps, l);
	else if (strcmp(l->key, "coordinators") == 0)
		parse_wholist(ps, l, &p->coordinators);
	else if (strcmp(l->key, "overriders") == 0)
		parse_wholist(ps, l, &p->overriders);
	else
		perr(ps, l->line, _("unknown key \"%s\" in plan"), l->key);
}

/* "digest 07:30 [ROLE|ADDRESS, ...]": one message a day, for those named (none: all). */
static void
parse_digest(struct parser *ps, const struct pline *l)
{
	struct pline rest = *l;
	int h, mi, n = 0;

	if (sscanf(l->value, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5 ||
	    (l->value[n] != '\0' && l->value[n] != ' ') || h < 0 || h > 23 || mi < 0 || mi > 59) {
		perr(ps, l->line, _("digest: bad time \"%s\" (HH:MM, then who gets it, if not "
		    "everyone)"), l->value);
		return;
	}
	ps->p->digest_hour = h;
	ps->p->digest_min = mi;
	rest.value = l->value + n;
	while (*rest.value == ' ')
		rest.value++;
	if (*rest.value != '\0')
		parse_wholist(ps, &rest, &ps->p->digest_who);
}

/* A plausible addr-spec: local@domain, printable ASCII, no blanks or brackets. */
static int
addr_plausible(const char *a)
{
	const char *at = strchr(a, '@'), *p;

	if (at == NULL || at == a || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    strlen(a) > 254)
		return 0;
	for (p = a; *p; p++)
		if (*p <= ' ' || *p >= 127 || strchr("<>()[]\\,;:\"", *p) != NULL)
			return 0;
	return strchr(at, '.') != NULL;
}

/* A display name: printable, no quotes or angle brackets (they would end it in a header). */
static int
name_ok(const char *n)
{
	const unsigned char *q;

	if (*n == '\0' || strlen(n) > 200)
		return 0;
	for (q = (const unsigned char *)n; *q; q++)
		if (*q < ' ' || *q == 127 || strchr("\"<>\\", *q) != NULL)
			return 0;
	return 1;
}

/*
 * An address list as RFC 5322 writes one, simplified: entries apart by commas or blanks,
 * each ADDRESS, "Name" <ADDRESS> or Name <ADDRESS>. Appends to addrs/names; errors to ps.
 */
static void
parse_addrs(struct parser *ps, int line, const char *text, char ***addrs, char ***names,
    size_t *n, size_t *cap)
{
	const char *s = text, *e, *lt, *gt;
	char *name, *addr;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == ',' || *s == '\n')
			s++;
		if (*s == '\0')
			return;
		name = NULL;
		if (*s == '"') {
			if ((e = strchr(s + 1, '"')) == NULL) {
				perr(ps, line, _("a name in quotes needs its closing quote"));
				return;
			}
			name = xstrndup(s + 1, (size_t)(e - s - 1));
			s = e + 1;
			while (*s == ' ' || *s == '\t')
				s++;
			if (*s != '<') {
				perr(ps, line, _("after the name \"%s\" comes <ADDRESS>"), name);
				free(name);
				return;
			}
		} else if ((lt = strchr(s, '<')) != NULL && lt < s + strcspn(s, ",@")) {
			e = lt;
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			/* <ADDRESS> alone is an address without a name. */
			name = e > s ? xstrndup(s, (size_t)(e - s)) : NULL;
			s = lt;
		}
		if (*s == '<') {
			if ((gt = strchr(s, '>')) == NULL) {
				perr(ps, line, _("<ADDRESS> needs its closing >"));
				free(name);
				return;
			}
			addr = xstrndup(s + 1, (size_t)(gt - s - 1));
			s = gt + 1;
		} else {
			e = s + strcspn(s, ", \t\n");
			addr = xstrndup(s, (size_t)(e - s));
			s = e;
		}
		if (!addr_plausible(addr))
			perr(ps, line, _("\"%s\" is not an e-mail address"), addr);
		if (name != NULL && !name_ok(name)) {
			perr(ps, line, _("the name \"%s\" is empty or has quotes, <, > or control "
			    "characters"), name);
			free(name);
			name = NULL;
		}
		/* Doubling, for both at once: a list of thousands stays linear. */
		if (*n + 1 > *cap) {
			*cap = *cap ? *cap * 2 : 8;
			*addrs = xreallocarray(*addrs, *cap, sizeof(char *));
			*names = xreallocarray(*names, *cap, sizeof(char *));
		}
		(*addrs)[*n] = addr;
		(*names)[(*n)++] = name;
	}
}

/* coordinators/overriders: role ids and addresses; roles are checked once all are read. */
static void
parse_wholist(struct parser *ps, const struct pline *l, struct wholist *w)
{
	char **v;
	size_t n, i;

	n = split_words(l->value, &v);
	if (n == 0)
		perr(ps, l->line, _("%s needs role ids or e-mail addresses"), l->key);
	for (i = 0; i < n; i++) {
		if (strchr(v[i], '@') != NULL ? !addr_plausible(v[i]) : !id_valid(v[i])) {
			perr(ps, l->line, _("%s: \"%s\" is neither a role id nor an e-mail address"),
			    l->key, v[i]);
			free(v[i]);
			continue;
		}
		w->v = xreallocarray(w->v, w->n + 1, sizeof(char *));
		w->lines = xreallocarray(w->lines, w->n + 1, sizeof(int));
		w->lines[w->n] = l->line;
		w->v[w->n++] = v[i];
	}
	free(v);
}

static void
key_role(struct parser *ps, const struct pline *l)
{
	struct role *r = ps->role;

	if (strcmp(l->key, "name") == 0)
		set_string(ps, l->line, "name", &r->name, l->value);
	else if (strcmp(l->key, "address") == 0)
		parse_addrs(ps, l->line, l->value, &r->addrs, &r->names, &r->naddrs,
		    &ps->addrs_cap);
	else
		perr(ps, l->line, _("unknown key \"%s\" in role %s (name, address)"), l->key, r->id);
}

static void
key_party(struct parser *ps, const struct pline *l)
{
	struct party *pt = ps->party;
	struct contact *c;
	char *role;
	size_t i, n, cap;

	if (strcmp(l->key, "name") == 0)
		set_string(ps, l->line, "name", &pt->name, l->value);
	else if (strcmp(l->key, "coordinators") == 0)
		parse_wholist(ps, l, &pt->coordinators);
	else if (strcmp(l->key, "role") == 0) {
		n = strcspn(l->value, " \t\n");
		role = xstrndup(l->value, n);
		if (!id_valid(role) || l->value[n] == '\0') {
			perr(ps, l->line, _("role: write \"role ROLE ADDRESS[, ADDRESS...]\" (an "
			    "address may be \"Name\" <ADDRESS>)"));
			free(role);
			return;
		}
		for (i = 0; i < pt->ncontacts; i++)
			if (strcmp(pt->contacts[i].role, role) == 0)
				perr(ps, l->line, _("role %s given twice for party %s"), role, pt->id);
		GROW(pt->contacts, pt->ncontacts, 1, ps->contacts_cap);
		c = &pt->contacts[pt->ncontacts++];
		memset(c, 0, sizeof(*c));
		c->role = role;
		cap = 0;
		parse_addrs(ps, l->line, l->value + n, &c->addrs, &c->names, &c->naddrs, &cap);
	} else
		perr(ps, l->line, _("unknown key \"%s\" in party %s (name, role, coordinators)"),
		    l->key, pt->id);
}

static void
key_dimension(struct parser *ps, const struct pline *l)
{
	struct dimension *d = ps->dim;

	if (strcmp(l->key, "name") == 0)
		set_string(ps, l->line, "name", &d->name, l->value);
	else if (strcmp(l->key, "found-by") == 0) {
		if (!id_valid(l->value))
			perr(ps, l->line, _("found-by needs a milestone id"));
		else
			set_string(ps, l->line, "found-by", &d->found_by, l->value);
	} else
		perr(ps, l->line, _("unknown key \"%s\" in dimension %s (name, found-by)"), l->key,
		    d->id);
}

/* Past a limit a block is refused, said once, and its lines skipped. */
static int
too_many(struct parser *ps, const struct pline *l, const char *kind, size_t n, size_t max)
{
	if (strcmp(l->key, kind) != 0 || n < max)
		return 0;
	if (n == max && !ps->said_too_many[kind[0] == 'r' ? 0 : kind[0] == 'p' ? 1 : 2]++)
		perr(ps, l->line, _("more than %zu %s blocks: a plan may have at most %zu (see "
		    "termijn.plan(5))"), max, kind, max);
	return 1;
}

static void
open_block(struct parser *ps, const struct pline *l)
{
	struct plan *p = ps->p;
	const char *id = l->value;

	ps->ovr = NULL;
	ps->block = B_NONE;
	ps->nseen[0] = ps->nseen[1] = 0;
	ps->reqs_cap = ps->formerly_cap = ps->ovr_cap = ps->addrs_cap = ps->contacts_cap = 0;
	if (strcmp(l->key, "plan") == 0) {
		if (ps->seen_plan) {
			perr(ps, l->line, _("a second plan in one file: one plan per file"));
			return;
		}
		ps->seen_plan = 1;
		ps->plan_line = l->line;
		if (!id_valid(id))
			perr(ps, l->line, _("plan id \"%s\" is not valid (lower case letters, digits, "
			    "- _ .)"), id);
		p->id = xstrdup(id);
		ps->block = B_PLAN;
		return;
	}
	if (!ps->seen_plan) {
		perr(ps, l->line, _("the file must start with \"plan ID\""));
		ps->seen_plan = 1;	/* say it once */
	}
	if (strcmp(l->key, "role") == 0 || strcmp(l->key, "party") == 0 ||
	    strcmp(l->key, "dimension") == 0 || strcmp(l->key, "milestone") == 0) {
		if (!id_valid(id)) {
			perr(ps, l->line, _("%s id \"%s\" is not valid (lower case letters, digits, "
			    "- _ .)"), l->key, id);
			return;
		}
	}
	if (too_many(ps, l, "role", p->nroles, PLAN_MAX_ROLES) ||
	    too_many(ps, l, "party", p->nparties, PLAN_MAX_PARTIES) ||
	    too_many(ps, l, "milestone", p->nms, PLAN_MAX_MILESTONES))
		return;
	if (strcmp(l->key, "role") == 0) {
		if (plan_role(p, id) != NULL)
			perr(ps, l->line, _("duplicate role %s (first at line %d)"), id,
			    plan_role(p, id)->line);
		GROW(p->roles, p->nroles, 1, ps->roles_cap);
		ps->role = &p->roles[p->nroles++];
		memset(ps->role, 0, sizeof(*ps->role));
		ps->role->id = xstrdup(id);
		ps->role->line = l->line;
		ps->block = B_ROLE;
	} else if (strcmp(l->key, "party") == 0) {
		if (plan_party(p, id) != NULL)
			perr(ps, l->line, _("duplicate party %s (first at line %d)"), id,
			    plan_party(p, id)->line);
		GROW(p->parties, p->nparties, 1, ps->parties_cap);
		ps->party = &p->parties[p->nparties++];
		memset(ps->party, 0, sizeof(*ps->party));
		ps->party->id = xstrdup(id);
		ps->party->line = l->line;
		ps->block = B_PARTY;
	} else if (strcmp(l->key, "dimension") == 0) {
		if (plan_dimension(p, id) != NULL)
			perr(ps, l->line, _("duplicate dimension %s (first at line %d)"), id,
			    plan_dimension(p, id)->line);
		if (p->ndims == PLAN_MAX_DIMENSIONS) {
			perr(ps, l->line, _("more than %d dimension blocks"), PLAN_MAX_DIMENSIONS);
			return;
		}
		GROW(p->dims, p->ndims, 1, ps->dims_cap);
		ps->dim = &p->dims[p->ndims++];
		memset(ps->dim, 0, sizeof(*ps->dim));
		ps->dim->id = xstrdup(id);
		ps->dim->line = l->line;
		ps->block = B_DIMENSION;
	} else if (strcmp(l->key, "milestone") == 0) {
		/* Duplicates are found by index_milestones, in O(n log n). */
		GROW(p->ms, p->nms, 1, ps->ms_cap);
		ps->ms = &p->ms[p->nms++];
		memset(ps->ms, 0, sizeof(*ps->ms));
		ps->ms->escalate_after = -1;
		ps->ms->id = xstrdup(id);
		ps->ms->line = l->line;
		ps->block = B_MILESTONE;
	} else
		perr(ps, l->line, _("unknown block \"%s\" (plan, role, party, dimension, milestone)"),
		    l->key);
}

/* Keys that may come more than once in a block; any other key given twice is an error. */
static int
seen_twice(struct parser *ps, int which, const struct pline *l)
{
	static const char *repeatable[] = { "requires", "for", "formerly", "role", "address",
	    "closed", "coordinators", "overriders", NULL };
	size_t i;

	for (i = 0; repeatable[i] != NULL; i++)
		if (strcmp(l->key, repeatable[i]) == 0)
			return 0;
	for (i = 0; i < ps->nseen[which]; i++)
		if (strcmp(ps->seen[which][i].key, l->key) == 0) {
			perr(ps, l->line, _("%s given twice (first at line %d)"), l->key,
			    ps->seen[which][i].line);
			return 1;
		}
	if (ps->nseen[which] < sizeof(ps->seen[0]) / sizeof(ps->seen[0][0]) &&
	    strlen(l->key) < sizeof(ps->seen[0][0].key)) {
		snprintf(ps->seen[which][ps->nseen[which]].key, sizeof(ps->seen[0][0].key), "%s",
		    l->key);
		ps->seen[which][ps->nseen[which]++].line = l->line;
	}
	return 0;
}

static void
handle_line(struct parser *ps, const struct pline *l)
{
	struct milestone *m;

	if (l->indent == 0) {
		if (*l->value == '\0' && strcmp(l->key, "plan") != 0 && strcmp(l->key, "role") != 0 &&
		    strcmp(l->key, "party") != 0 && strcmp(l->key, "dimension") != 0 &&
		    strcmp(l->key, "milestone") != 0) {
			perr(ps, l->line, _("unknown block \"%s\" (plan, role, party, dimension, "
			    "milestone)"), l->key);
			ps->block = B_NONE;
			return;
		}
		if (*l->value == '\0') {
			perr(ps, l->line, _("%s needs an id"), l->key);
			ps->block = B_NONE;
			ps->seen_plan = 1;
			return;
		}
		open_block(ps, l);
		ps->block_indent = 0;
		return;
	}
	if (ps->ovr != NULL && l->indent > ps->ovr_indent) {
		if (!seen_twice(ps, 1, l))
			key_override(ps, l);
		return;
	}
	ps->ovr = NULL;
	if (ps->block == B_NONE && !ps->seen_plan) {
		perr(ps, l->line, _("\"%s\" is indented but belongs to no block"), l->key);
		return;
	}
	if (ps->block != B_NONE && seen_twice(ps, 0, l))
		return;
	switch (ps->block) {
	case B_NONE:
		/* The block's header was bad; its keys would only repeat the error. */
		break;
	case B_PLAN:
		key_plan(ps, l);
		break;
	case B_ROLE:
		key_role(ps, l);
		break;
	case B_PARTY:
		key_party(ps, l);
		break;
	case B_DIMENSION:
		key_dimension(ps, l);
		break;
	case B_MILESTONE:
		m = ps->ms;
		if (strcmp(l->key, "for") == 0) {
			if (!id_valid(l->value)) {
				perr(ps, l->line, _("for needs a party id"));
				break;
			}
			GROW(m->ovr, m->novr, 1, ps->ovr_cap);
			ps->ovr = &m->ovr[m->novr++];
			memset(ps->ovr, 0, sizeof(*ps->ovr));
			ps->ovr->party = xstrdup(l->value);
			ps->ovr->line = l->line;
			ps->ovr_indent = l->indent;
			ps->nseen[1] = 0;
		} else
			key_milestone(ps, l);
		break;
	}
}

static int
indent_of(const char *s, const char **rest)
{
	int n = 0;

	for (; *s == ' ' || *s == '\t'; s++)
		n = (*s == '\t') ? (n / 8 + 1) * 8 : n + 1;
	*rest = s;
	return n;
}

/*
 * Lines are "key value"; a value goes on over the following lines that are indented deeper
 * than its key (a description keeps its line breaks, other values join with a blank).
 * "for PARTY" is the one key whose deeper lines are keys of their own.
 */
/* Length of the valid UTF-8 sequence at p (no overlongs, surrogates or > U+10FFFF), or 0. */
static size_t
utf8_seq(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f))
			return 0;
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80 ||
		    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* Plans are UTF-8: a line that is not is reported, not published to calendars and mail. */
/*
 * Not DEL, a C1 control (U+0080..U+009F) or a line or paragraph separator (U+2028,
 * U+2029): calendar clients break lines at them (node-ical loses the SUMMARY).
 */
static int
char_printable(const unsigned char *p, size_t n)
{
	if (n == 1)
		return *p != 0x7f;
	if (n == 2)
		return !(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f);
	if (n == 3)
		return !(p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9));
	return 1;
}

static int
line_utf8_ok(const char *line)
{
	const unsigned char *p = (const unsigned char *)line;
	size_t n;

	while (*p) {
		if ((n = utf8_seq(p)) == 0)
			return 0;
		if (n == 1 && *p < 0x20 && *p != '\t')
			return 0;
		if (!char_printable(p, n))
			return 0;
		p += n;
	}
	return 1;
}

/* Append sep and s to l's value, in amortised constant time per byte. */
static void
value_append(struct pline *l, const char *sep, const char *s)
{
	size_t a = strlen(sep), b = strlen(s);

	if (l->vlen + a + b + 1 > l->vcap) {
		l->vcap = (l->vlen + a + b + 1) * 2;
		l->value = xreallocarray(l->value, l->vcap, 1);
	}
	memcpy(l->value + l->vlen, sep, a);
	memcpy(l->value + l->vlen + a, s, b + 1);
	l->vlen += a + b;
}

int
text_valid(const char *s, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p; p += n) {
		if ((n = utf8_seq(p)) == 0)
			return 0;
		if (n == 1 && *p < 0x20 && !(multiline && (*p == '\n' || *p == '\t')))
			return 0;
		if (!char_printable(p, n))
			return 0;
	}
	return 1;
}

static void
parse_text(struct parser *ps, const char *text, size_t len)
{
	char *buf = xstrndup(text, len), *s = buf, *line, *rest_c, *sp;
	const char *rest;
	struct pline cur = { 0 };
	int lineno = 0, indent, pending_blank = 0;
	size_t vlen;

	if (memchr(text, '\0', len) != NULL)
		perr(ps, 0, _("the file contains a NUL byte"));
	/* Editors on Windows start UTF-8 files with a byte order mark. buf ends at a NUL. */
	if (strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while ((line = strsep(&s, "\n")) != NULL) {
		lineno++;
		vlen = strlen(line);
		if (vlen > 0 && line[vlen - 1] == '\r')
			line[--vlen] = '\0';
		if (!line_utf8_ok(line)) {
			perr(ps, lineno, _("not valid UTF-8 text (or a control character)"));
			continue;
		}
		indent = indent_of(line, &rest);
		if (*rest == '\0') {
			if (cur.key != NULL)
				pending_blank++;
			continue;
		}
		if (*rest == '#')
			continue;
		if (cur.key != NULL && indent > cur.indent && strcmp(cur.key, "for") != 0 &&
		    cur.indent > 0) {
			/* A continuation line of cur's value. */
			const char *sep;

			/* A description keeps its line breaks and one blank line between paragraphs. */
			if (strcmp(cur.key, "description") == 0)
				sep = cur.vlen == 0 ? "" : pending_blank ? "\n\n" : "\n";
			else
				sep = cur.vlen == 0 ? "" : " ";
			value_append(&cur, sep, trim((char *)rest));
			pending_blank = 0;
			continue;
		}
		if (cur.key != NULL) {
			handle_line(ps, &cur);
			free(cur.key);
			free(cur.value);
			cur.key = NULL;
		}
		pending_blank = 0;
		rest_c = xstrdup(rest);
		sp = rest_c + strcspn(rest_c, " \t");
		if (*sp != '\0')
			*sp++ = '\0';
		cur.line = lineno;
		cur.indent = indent;
		cur.key = xstrdup(rest_c);
		cur.value = xstrdup(trim(sp));
		cur.vlen = cur.vcap = strlen(cur.value);
		free(rest_c);
	}
	if (cur.key != NULL) {
		handle_line(ps, &cur);
		free(cur.key);
		free(cur.value);
	}
	free(buf);
}

/* ---- validation and expansion ---- */

/* Does m, per party, apply to the plan's party? In O(log n): index_parties sorted m's. */
static int
party_listed(const struct milestone *m, const char *party)
{
	return m->parties == NULL || (m->nparties > 0 &&
	    bsearch(&party, m->parties, m->nparties, sizeof(char *), cmp_str) != NULL);
}

/* Does m apply to party (any name)? */
static int
party_in(const struct plan *p, const struct milestone *m, const char *party)
{
	return m->per_party && plan_party(p, party) != NULL && party_listed(m, party);
}

static void
validate_milestone(const char *file, struct plan *p, struct milestone *m, struct errlist *errs)
{
	struct milestone *t;
	size_t i;
	char a[32], b[32];

	if (m->title == NULL)
		errlist_add(errs, file, m->line, _("milestone %s has no title"), m->id);
	if (m->owner == NULL)
		errlist_add(errs, file, m->line, _("milestone %s has no owner"), m->id);
	else if (!role_known(p, m->owner))
		errlist_add(errs, file, m->line, _("milestone %s: owner \"%s\" is not a role of this "
		    "plan"), m->id, m->owner);
	if (!m->timing.due.set && !m->bad_timing)
		errlist_add(errs, file, m->line, _("milestone %s has no due date or window"), m->id);
	if (m->timing.from.set && m->timing.due.set &&
	    tz_to_utc(p->tz, &m->timing.from) > tz_to_utc(p->tz, &m->timing.due)) {
		ltime_format(&m->timing.from, a, sizeof(a));
		ltime_format(&m->timing.due, b, sizeof(b));
		errlist_add(errs, file, m->line, _("milestone %s: window starts %s, after it ends %s"),
		    m->id, a, b);
	}
	if ((m->escalate_to == NULL) != (m->escalate_after < 0))
		errlist_add(errs, file, m->line, _("milestone %s: escalate-after and escalate-to go "
		    "together"), m->id);
	if (m->escalate_to != NULL && !role_known(p, m->escalate_to))
		errlist_add(errs, file, m->line, _("milestone %s: escalate-to \"%s\" is not a role of "
		    "this plan"), m->id, m->escalate_to);
	if (m->recur.every && m->timing.due.set &&
	    tz_day_end(p->tz, &m->recur.until) <= tz_to_utc(p->tz, &m->timing.due))
		errlist_add(errs, file, m->line, _("milestone %s: repeat ends before its first due "
		    "date"), m->id);
	else if (m->recur.every && m->timing.due.set) {
		struct ltime *dates;

		if (recur_expand(&m->recur, &m->timing.due, &dates) == -1)
			errlist_add(errs, file, m->line, _("milestone %s: repeat gives more than %d "
			    "occurrences"), m->id, RECUR_MAX);
		free(dates);
	}
	for (i = 0; i < m->nformerly; i++) {
		struct milestone *o = plan_renamed(p, m->formerly[i]);

		if (plan_milestone(p, m->formerly[i]) != NULL)
			errlist_add(errs, file, m->line, _("milestone %s: formerly %s, but %s is still a "
			    "milestone"), m->id, m->formerly[i], m->formerly[i]);
		else if (o != NULL && o != m)
			errlist_add(errs, file, m->line, _("milestone %s: %s was formerly milestone %s "
			    "too"), m->id, o->id, m->formerly[i]);
	}
	m->dim = m->per != NULL ? plan_dimension(p, m->per) : NULL;
	if (m->per != NULL && m->dim == NULL)
		errlist_add(errs, file, m->line, _("milestone %s: per %s: the plan has no such "
		    "dimension"), m->id, m->per);
	if (m->per != NULL && m->per_party)
		errlist_add(errs, file, m->line, _("milestone %s: per a dimension or with parties, "
		    "not both"), m->id);
	for (i = 0; i < m->nparties; i++)
		if (plan_party(p, m->parties[i]) == NULL)
			errlist_add(errs, file, m->line, _("milestone %s: unknown party %s"), m->id,
			    m->parties[i]);
	if (m->same_moment && !m->per_party)
		errlist_add(errs, file, m->line, _("milestone %s: same-moment needs parties"), m->id);
	if (m->per_party && p->nparties == 0)
		errlist_add(errs, file, m->line, _("milestone %s applies to parties, but the plan has "
		    "none"), m->id);
	for (i = 0; i < m->novr; i++) {
		struct override *o = &m->ovr[i];

		if (!m->per_party)
			errlist_add(errs, file, o->line, _("for %s: milestone %s is not per party"),
			    o->party, m->id);
		else if (plan_party(p, o->party) == NULL)
			errlist_add(errs, file, o->line, _("for %s: unknown party"), o->party);
		else if (!party_in(p, m, o->party))
			errlist_add(errs, file, o->line, _("for %s: milestone %s does not apply to that "
			    "party"), o->party, m->id);
		if (o->timing.from.set && o->timing.due.set &&
		    tz_to_utc(p->tz, &o->timing.from) > tz_to_utc(p->tz, &o->timing.due)) {
			ltime_format(&o->timing.from, a, sizeof(a));
			ltime_format(&o->timing.due, b, sizeof(b));
			errlist_add(errs, file, o->line, _("for %s: window starts %s, after it ends %s"),
			    o->party, a, b);
		}
		if (o->nkeys == 0)
			errlist_add(errs, file, o->line, _("for %s: an exception without keys"), o->party);
		if (o->owner != NULL && !role_known(p, o->owner))
			errlist_add(errs, file, o->line, _("for %s: owner \"%s\" is not a role of this "
			    "plan"), o->party, o->owner);
	}
	for (i = 0; i < m->nreqs; i++) {
		struct requirement *r = &m->reqs[i];

		if (strcmp(r->id, m->id) == 0) {
			errlist_add(errs, file, r->line, _("milestone %s requires itself"), m->id);
			continue;
		}
		if ((t = plan_milestone(p, r->id)) == NULL) {
			errlist_add(errs, file, r->line, _("milestone %s requires unknown milestone %s"),
			    m->id, r->id);
			continue;
		}
		r->target = (size_t)(t - p->ms);
		r->target_party = r->scope == REQ_PARTY ? plan_party(p, r->party) : NULL;
		if (r->part != PART_AUTO && t->per == NULL)
			errlist_add(errs, file, r->line, _("requires %s#%s: %s is not per part"), r->id,
			    r->part == PART_SAME ? "same" : "all", r->id);
		else if (r->part == PART_SAME && (m->per == NULL || strcmp(m->per, t->per) != 0))
			errlist_add(errs, file, r->line, _("requires %s#same: both milestones must be per "
			    "%s"), r->id, t->per);
		if (r->scope == REQ_SAME && (!t->per_party || !m->per_party))
			errlist_add(errs, file, r->line, _("requires %s@same: both milestones must be per "
			    "party"), r->id);
		if (r->last && !t->recur.every)
			errlist_add(errs, file, r->line, _("requires %s/last: %s does not repeat"), r->id,
			    r->id);
		if ((r->scope == REQ_ALL || r->scope == REQ_PARTY) && !t->per_party)
			errlist_add(errs, file, r->line, _("requires %s@%s: %s is not per party"), r->id,
			    r->scope == REQ_ALL ? "all" : r->party, r->id);
		if (r->scope == REQ_PARTY && t->per_party && !party_in(p, t, r->party))
			errlist_add(errs, file, r->line, _("requires %s@%s: %s does not apply to party %s"),
			    r->id, r->party, r->id, r->party);
		if ((r->scope == REQ_SAME || r->scope == REQ_AUTO) && t->per_party &&
		    m->per_party) {
			size_t k, nk = m->parties != NULL ? m->nparties : p->nparties;
			const char *id;

			/* Over m's own parties: a party list per requirement, not every party. */
			for (k = 0; k < nk; k++) {
				id = m->parties != NULL ? m->parties[k] : p->parties[k].id;
				if ((k == 0 || m->parties == NULL || strcmp(id, m->parties[k - 1]) != 0) &&
				    party_in(p, m, id) && !party_in(p, t, id))
					errlist_add(errs, file, r->line, _("requires %s: %s has no instance "
					    "for party %s (write %s@all?)"), r->id, r->id, id, r->id);
			}
		}
	}
}

/* Ids shown of a long cycle's path, at each end: the message stays a line or two. */
#define CYCLE_SHOWN	6

char *
cycle_path(const size_t *stack, size_t from, size_t top, char *(*name)(size_t, void *),
    void *arg)
{
	char *path = xstrdup(""), *np, *id;
	size_t s, n = top - from + 1;

	for (s = from; s <= top; s++) {
		if (n > 2 * CYCLE_SHOWN && s == from + CYCLE_SHOWN) {
			xasprintf(&np, "%s -> ... (%zu more) ...", path, n - 2 * CYCLE_SHOWN);
			free(path);
			path = np;
			s = top - CYCLE_SHOWN;
			continue;
		}
		id = name(stack[s], arg);
		xasprintf(&np, "%s%s%s", path, s == from ? "" : " -> ", id);
		free(id);
		free(path);
		path = np;
	}
	id = name(stack[from], arg);
	xasprintf(&np, "%s -> %s", path, id);
	free(id);
	free(path);
	return np;
}

static char *
ms_name(size_t i, void *arg)
{
	return xstrdup(((const struct plan *)arg)->ms[i].id);
}

/* Report the cycle stack[from..top] -> stack[from], closed by requirement r. */
static void
cycle_report(const struct plan *p, const size_t *stack, size_t from, size_t top,
    const struct requirement *r, struct errlist *errs)
{
	char *path = cycle_path(stack, from, top, ms_name, (void *)(uintptr_t)p);

	errlist_add(errs, p->file, r->line, _("dependency cycle: %s"), path);
	free(path);
}

/*
 * Depth-first search over milestones on a stack of its own: a valid chain of 100,000
 * milestones must not take the C stack. Every back edge closes a cycle, reported with its
 * path in the direction of requires ("a -> b" reads "a requires b").
 */
static void
find_cycles(struct plan *p, struct errlist *errs)
{
	size_t n = p->nms ? p->nms : 1, root, top, i, j, k;
	size_t *stack = xcalloc(n, sizeof(size_t));	/* the path from the root */
	size_t *pos = xcalloc(n, sizeof(size_t));	/* a milestone's place on it */
	size_t *next = xcalloc(n, sizeof(size_t));	/* its next requirement to follow */
	unsigned char *mark = xcalloc(n, 1);		/* 0 new, 1 on the path, 2 done */
	struct milestone *m, *t;

	for (root = 0; root < p->nms; root++) {
		if (mark[root] != 0)
			continue;
		mark[root] = 1;
		stack[0] = root;
		top = 1;
		while (top > 0) {
			i = stack[top - 1];
			m = &p->ms[i];
			if (next[i] == m->nreqs) {
				mark[i] = 2;
				top--;
				continue;
			}
			k = next[i]++;
			if ((t = plan_milestone(p, m->reqs[k].id)) == NULL || t == m)
				continue;
			j = (size_t)(t - p->ms);
			if (mark[j] == 1)
				cycle_report(p, stack, pos[j], top - 1, &m->reqs[k], errs);
			else if (mark[j] == 0) {
				mark[j] = 1;
				pos[j] = top;
				stack[top++] = j;
			}
		}
	}
	free(stack);
	free(pos);
	free(next);
	free(mark);
}

static void
inst_timing(struct plan *p, struct instance *in)
{
	const struct timing *t = &in->timing;

	in->deadline = t->due.has_time ? tz_to_utc(p->tz, &t->due) : tz_day_end(p->tz, &t->due);
	if (t->from.set)
		in->start = tz_to_utc(p->tz, &t->from);
	else
		in->start = tz_to_utc(p->tz, &t->due);
	in->not_before = t->not_before.set ? tz_to_utc(p->tz, &t->not_before) : 0;
	in->opens = t->from.set && !in->ms->window_notice ? in->start : 0;
}

/* Shift a local time by days, if it is set. */
static void
shift_days(struct ltime *lt, long days)
{
	if (lt->set && days != 0)
		ltime_add_days(lt, (int)days);
}

/*
 * The instances of one milestone for one party (or once): one, or one per occurrence of a
 * series, each with its window and not-before moved along with its due date and a key
 * that ends in "/DATE".
 */
static void
expand_series(struct plan *p, const struct instance *proto, size_t *cap)
{
	const struct milestone *m = proto->ms;
	struct ltime *dates;
	struct instance *in;
	long shift;
	int n, o;
	char d[16];

	if ((n = recur_expand(&m->recur, &proto->timing.due, &dates)) <= 0)
		return;		/* over the limit: validate_milestone said so */
	for (o = 0; o < n; o++) {
		XGROW(p->inst, p->ninst, *cap);
		in = &p->inst[p->ninst];
		*in = *proto;
		in->idx = p->ninst;
		if (m->recur.every) {
			in->occ = o + 1;
			in->nocc = n;
			shift = ltime_daynum(&dates[o]) - ltime_daynum(&proto->timing.due);
			in->timing.due = dates[o];
			shift_days(&in->timing.from, shift);
			shift_days(&in->timing.not_before, shift);
			snprintf(d, sizeof(d), "/%04d-%02d-%02d", dates[o].year, dates[o].mon,
			    dates[o].day);
		} else
			d[0] = '\0';
		if (in->part != NULL) {
			xasprintf(&in->key, "%s#%s%s", m->id, in->part->id, d);
			xasprintf(&in->title_own, "%s: %s", proto->title, in->part->title);
			in->title = in->title_own;
		} else if (in->party != NULL)
			xasprintf(&in->key, "%s@%s%s", m->id, in->party->id, d);
		else
			xasprintf(&in->key, "%s%s", m->id, d);
		inst_timing(p, in);
		p->ninst++;
	}
	free(dates);
}

/* What a milestone's instances are ordered by: party (in party order) or part. */
static uintptr_t
by_party(const struct instance *in)
{
	return (uintptr_t)in->party;
}

static uintptr_t
by_part(const struct instance *in)
{
	return in->part->ord;
}

/* The instances of t whose key(in) is want: a run, as they are in that order. */
static struct irange
series_by(const struct plan *p, const struct milestone *t,
    uintptr_t (*key)(const struct instance *), uintptr_t want)
{
	size_t lo = t->inst_first, hi = t->inst_first + t->inst_n, mid, first;
	struct irange r;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (key(&p->inst[mid]) < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	hi = t->inst_first + t->inst_n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (key(&p->inst[mid]) <= want)
			lo = mid + 1;
		else
			hi = mid;
	}
	r.first = first;
	r.n = lo - first;
	return r;
}

/* The instances of t for party pt (NULL: t is once). */
static struct irange
series_of(const struct plan *p, const struct milestone *t, const struct party *pt)
{
	return series_by(p, t, by_party, (uintptr_t)pt);
}

/* The instances of t (per a dimension) for part pt. */
static struct irange
series_of_part(const struct plan *p, const struct milestone *t, const struct part *pt)
{
	return series_by(p, t, by_part, pt->ord);
}

/* Does r of m ask for the instance of the same part (both per one dimension)? */
static int
req_same_part(const struct plan *p, const struct milestone *m, const struct requirement *r)
{
	const struct milestone *t = &p->ms[r->target];

	return t->dim != NULL && (r->part == PART_SAME || (r->part == PART_AUTO &&
	    m->dim == t->dim));
}

int
req_every_part(const struct plan *p, const struct milestone *m, const struct requirement *r)
{
	return p->ms[r->target].dim != NULL && !req_same_part(p, m, r);
}

/* Append run r to v (n, cap) when it is not empty. */
static void
run_push(struct irange **v, size_t *n, size_t *cap, size_t first, size_t len)
{
	if (len == 0)
		return;
	XGROW(*v, *n, *cap);
	(*v)[*n].first = first;
	(*v)[(*n)++].n = len;
}

/*
 * The runs that requirement r of instance in asks for, appended to v: all of t, the series
 * of one party (or of a milestone that is once), or of a series only the last occurrence.
 */
static void
req_runs(const struct plan *p, const struct instance *in, const struct requirement *r,
    struct irange **v, size_t *n, size_t *cap)
{
	const struct milestone *t = &p->ms[r->target];
	enum req_scope sc = r->scope;
	struct irange s;
	size_t k;

	if (sc == REQ_AUTO)
		sc = in->ms->per_party ? REQ_SAME : REQ_ALL;
	if (req_same_part(p, in->ms, r))
		s = series_of_part(p, t, in->part);
	else if ((t->per_party && sc == REQ_ALL) || t->dim != NULL) {
		if (!r->last) {
			run_push(v, n, cap, t->inst_first, t->inst_n);
			return;
		}
		for (k = t->inst_first; k < t->inst_first + t->inst_n; k++)
			if (p->inst[k].occ == p->inst[k].nocc)
				run_push(v, n, cap, k, 1);
		return;
	}
	else
		s = series_of(p, t, !t->per_party ? NULL : sc == REQ_SAME ? in->party :
		    r->target_party);
	if (r->last && s.n > 0)
		run_push(v, n, cap, s.first + s.n - 1, 1);
	else
		run_push(v, n, cap, s.first, s.n);
}

static int
cmp_run(const void *a, const void *b)
{
	const struct irange *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->n > y->n ? -1 : x->n < y->n;
}

/* Sort runs and drop those inside another (one of a milestone's inside all of them). */
static size_t
runs_normalise(struct irange *v, size_t n, size_t *count)
{
	size_t i, k = 0;

	*count = 0;
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_run);
	for (i = 0; i < n; i++) {
		if (k > 0 && v[i].first + v[i].n <= v[k - 1].first + v[k - 1].n)
			continue;
		v[k++] = v[i];
		*count += v[i].n;
	}
	return k;
}

static size_t
runs_flatten(const struct irange *v, size_t nruns, size_t n, size_t **out)
{
	size_t i, j, k = 0, *o = xcalloc(n ? n : 1, sizeof(size_t));

	for (i = 0; i < nruns; i++)
		for (j = 0; j < v[i].n; j++)
			o[k++] = v[i].first + j;
	*out = o;
	return k;
}

size_t
plan_prereqs(const struct plan *p, size_t idx, size_t **out)
{
	const struct instance *in = &p->inst[idx];

	return runs_flatten(in->pre_runs, in->npre_runs, in->npre, out);
}

size_t
plan_dependents(const struct plan *p, size_t idx, size_t **out)
{
	const struct instance *in = &p->inst[idx];

	return runs_flatten(in->dep_runs, in->ndep_runs, in->ndep, out);
}

/* Instances of the milestones as written: before any is made, so that a limit holds. */
static size_t
count_instances(const struct plan *p)
{
	size_t i, k, n = 0;
	const struct milestone *m;

	for (i = 0; i < p->nms; i++) {
		m = &p->ms[i];
		if (m->per != NULL) {
			const struct dimension *d = plan_dimension(p, m->per);

			for (k = 0; d != NULL && k < d->nparts; k++)
				n += !d->parts[k]->cancelled;
		} else if (!m->per_party)
			n++;
		else if (m->parties == NULL)
			n += p->nparties;
		else
			for (k = 0; k < m->nparties; k++)
				n += k == 0 || strcmp(m->parties[k], m->parties[k - 1]) != 0;
	}
	return n;
}

/*
 * Dependents mirror prerequisites, made from the requirements: what a requirement asks of t
 * is the same for every instance of m, whose run goes to each instance asked for, except
 * with @same, where it is so for each party's series of m. With fill NULL, count them.
 */
static void
add_dependents(struct plan *p, size_t *fill)
{
	size_t i, j, k, x, g, end, n, cap = 0;
	struct irange *v = NULL;
	struct milestone *m;
	struct instance *d;

	for (i = 0; i < p->nms; i++) {
		m = &p->ms[i];
		for (j = 0; j < m->nreqs; j++) {
			const struct requirement *r = &m->reqs[j];
			int same = p->ms[r->target].per_party && (r->scope == REQ_SAME ||
			    (r->scope == REQ_AUTO && m->per_party));
			int same_part = req_same_part(p, m, r);

			for (g = m->inst_first; g < m->inst_first + m->inst_n; g = end) {
				if (same_part)
					end = g + series_of_part(p, m, p->inst[g].part).n;
				else if (same)
					end = g + series_of(p, m, p->inst[g].party).n;
				else
					end = m->inst_first + m->inst_n;
				n = 0;
				req_runs(p, &p->inst[g], r, &v, &n, &cap);
				IRANGE_FOREACH(v, n, k, x) {
					d = &p->inst[x];
					if (fill == NULL) {
						d->ndep_runs++;
						continue;
					}
					d->dep_runs[fill[x]].first = g;
					d->dep_runs[fill[x]++].n = end - g;
				}
			}
		}
	}
	free(v);
}

/* Prerequisite and dependent runs of every instance; -1 past PLAN_MAX_LINKS. */
static int
link_instances(struct plan *p, struct errlist *errs)
{
	size_t i, j, nlinks = 0, n, cap = 0, *fill;
	struct irange *v = NULL;
	struct instance *in;

	/* Counted before they are made, so that a plan past the limit costs nothing more. */
	add_dependents(p, NULL);
	for (i = 0; i < p->ninst; i++) {
		in = &p->inst[i];
		n = 0;
		for (j = 0; j < in->ms->nreqs; j++)
			req_runs(p, in, &in->ms->reqs[j], &v, &n, &cap);
		nlinks += n + in->ndep_runs;
	}
	if (nlinks > PLAN_MAX_LINKS) {
		free(v);
		errlist_add(errs, p->file, 0, _("%zu links between instances: a plan may have at most "
		    "%d (an @all requirement is one link for each instance on either side)"), nlinks,
		    PLAN_MAX_LINKS);
		return -1;
	}
	for (i = 0; i < p->ninst; i++) {
		in = &p->inst[i];
		n = 0;
		for (j = 0; j < in->ms->nreqs; j++)
			req_runs(p, in, &in->ms->reqs[j], &v, &n, &cap);
		in->npre_runs = runs_normalise(v, n, &in->npre);
		in->pre_runs = xcalloc(in->npre_runs ? in->npre_runs : 1, sizeof(*v));
		if (in->npre_runs > 0)
			memcpy(in->pre_runs, v, in->npre_runs * sizeof(*v));
	}
	free(v);
	for (i = 0; i < p->ninst; i++)
		p->inst[i].dep_runs = xcalloc(p->inst[i].ndep_runs ? p->inst[i].ndep_runs : 1,
		    sizeof(struct irange));
	fill = xcalloc(p->ninst ? p->ninst : 1, sizeof(size_t));
	add_dependents(p, fill);
	free(fill);
	p->nlinks = 0;
	for (i = 0; i < p->ninst; i++) {
		p->inst[i].ndep_runs = runs_normalise(p->inst[i].dep_runs, p->inst[i].ndep_runs,
		    &p->inst[i].ndep);
		p->nlinks += p->inst[i].npre_runs + p->inst[i].ndep_runs;
	}
	return 0;
}

/* The earliest moment an instance can be done: not-before, or its window's opening. */
static int64_t
earliest(const struct instance *in)
{
	return in->not_before > in->opens ? in->not_before : in->opens;
}

static void
check_prereq_start(struct plan *p, const struct instance *in, const struct instance *pre,
    struct errlist *errs)
{
	int64_t e = earliest(pre);
	char a[32], b[32];

	if (e == 0 || e < in->deadline)
		return;
	ltime_format(&in->timing.due, a, sizeof(a));
	ltime_format(e == pre->not_before ? &pre->timing.not_before : &pre->timing.from, b,
	    sizeof(b));
	errlist_add(errs, p->file, in->ms->line, _("%s is due %s, but its prerequisite %s cannot "
	    "start before %s"), in->key, a, pre->key, b);
}

/* A dimension's found-by milestone exists; its parts' leads are parties of the plan. */
static void
validate_dimensions(struct plan *p, struct errlist *errs)
{
	struct dimension *d;
	struct part *pt;
	size_t i, j;

	for (i = 0; i < p->ndims; i++) {
		d = &p->dims[i];
		if (d->found_by != NULL && plan_milestone(p, d->found_by) == NULL)
			errlist_add(errs, p->file, d->line, _("dimension %s: found-by %s: no such "
			    "milestone"), d->id, d->found_by);
		else if (d->found_by != NULL && plan_milestone(p, d->found_by)->per != NULL &&
		    strcmp(plan_milestone(p, d->found_by)->per, d->id) == 0)
			errlist_add(errs, p->file, d->line, _("dimension %s: found-by %s is itself per "
			    "%s"), d->id, d->found_by, d->id);
		for (j = 0; j < d->nparts; j++) {
			pt = d->parts[j];
			pt->lead_party = pt->lead != NULL ? plan_party(p, pt->lead) : NULL;
			if (pt->lead != NULL && pt->lead_party == NULL)
				errlist_add(errs, p->file, d->line, _("part %s of %s: lead %s is not a party "
				    "of the plan"), pt->id, d->id, pt->lead);
		}
	}
}

/*
 * The instances of the expansion before, while the milestones are as they were then (only
 * parts came or went): a series whose milestone, party and part are still expanded is moved
 * over as it is, its links made again, instead of being made anew.
 */
struct reuse {
	struct instance	*v;
	size_t		 n;
	size_t		*sorted;	/* v by key */
	size_t		*to;		/* v[i]'s new index, when taken */
	unsigned char	*taken;
};

/* The series of proto at *j of m's old run [*j, end), moved to p->inst; 0 if none is there. */
static int
reuse_series(struct plan *p, struct reuse *ru, const struct instance *proto, size_t *j,
    size_t end, size_t *cap)
{
	const struct instance *o;
	uintptr_t want = proto->part != NULL ? proto->part->ord :
	    proto->party != NULL ? (uintptr_t)(proto->party - p->parties) : 0, at;
	size_t n, k;

	/* Series gone (a part cancelled or removed) are before it: passed over. */
	for (; *j < end; ++*j) {
		o = &ru->v[*j];
		at = o->part != NULL ? o->part->ord : o->party != NULL ?
		    (uintptr_t)(o->party - p->parties) : 0;
		if (o->ms != proto->ms || at >= want)
			break;
	}
	if (*j >= end || ru->v[*j].part != proto->part || ru->v[*j].party != proto->party)
		return 0;
	n = ru->v[*j].nocc > 0 ? (size_t)ru->v[*j].nocc : 1;
	if (*j + n > end)
		return 0;
	for (k = 0; k < n; k++) {
		o = &ru->v[*j + k];
		if (ru->taken[*j + k] || o->ms != proto->ms || o->part != proto->part ||
		    o->party != proto->party || o->occ != (o->nocc > 0 ? (int)k + 1 : 0))
			return 0;
	}
	for (k = 0; k < n; k++) {
		struct instance *in;

		XGROW(p->inst, p->ninst, *cap);
		in = &p->inst[p->ninst];
		*in = ru->v[*j + k];
		ru->taken[*j + k] = 1;
		ru->to[*j + k] = p->ninst;
		free(in->pre_runs);
		free(in->dep_runs);
		in->pre_runs = in->dep_runs = NULL;
		in->npre_runs = in->npre = in->ndep_runs = in->ndep = 0;
		in->idx = p->ninst++;
	}
	*j += n;
	return 1;
}

/* What the expansion before had that this one did not take. */
static void
reuse_free(struct reuse *ru)
{
	size_t i;

	for (i = 0; i < ru->n; i++)
		if (!ru->taken[i]) {
			free(ru->v[i].key);
			free(ru->v[i].title_own);
			free(ru->v[i].pre_runs);
			free(ru->v[i].dep_runs);
		}
	free(ru->v);
	free(ru->sorted);
	free(ru->to);
	free(ru->taken);
}

/*
 * p->inst_sorted from the expansion before: the instances moved over keep their order, the
 * few made anew are sorted and merged in.
 */
static void
reuse_sorted(struct plan *p, const struct reuse *ru)
{
	unsigned char *anew = xcalloc(p->ninst ? p->ninst : 1, 1);
	size_t *v = xcalloc(p->ninst ? p->ninst : 1, sizeof(size_t)), *o = p->inst_sorted;
	size_t i, nv = 0, a = 0, b = 0, k = 0;

	memset(anew, 1, p->ninst);
	for (i = 0; i < ru->n; i++)
		if (ru->taken[i])
			anew[ru->to[i]] = 0;
	for (i = 0; i < p->ninst; i++)
		if (anew[i])
			v[nv++] = i;
	sorting = p;
	qsort(v, nv, sizeof(size_t), cmp_inst);
	sorting = NULL;
	/* The old order, of those taken, then merged with v. */
	while (k < p->ninst) {
		while (a < ru->n && !ru->taken[ru->sorted[a]])
			a++;
		if (a < ru->n && (b == nv || strcmp(p->inst[ru->to[ru->sorted[a]]].key,
		    p->inst[v[b]].key) < 0))
			o[k++] = ru->to[ru->sorted[a++]];
		else
			o[k++] = v[b++];
	}
	free(v);
	free(anew);
}

/* What m's instances for party pt (or part) are made from, before any exception. */
static void
proto_init(struct instance *proto, struct milestone *m, struct party *pt, struct part *part)
{
	memset(proto, 0, sizeof(*proto));
	proto->ms = m;
	proto->party = pt;
	proto->part = part;
	proto->title = m->title;
	proto->description = m->description;
	proto->owner = m->owner;
	proto->timing = m->timing;
}

/*
 * The instances of milestone m, appended to p->inst (of room cap): per party in plan order,
 * per part in the dimension's order (cancelled ones left out), or once; with ru, those of
 * the expansion before are moved over where they are still.
 */
static void
expand_milestone(struct plan *p, struct milestone *m, size_t *cap, struct reuse *ru)
{
	struct party *pt;
	size_t j, k, oj = 0, oend = 0;

	p->revision++;
	/* m's run in the expansion before, if it still fits there. */
	if (ru != NULL && m->inst_n > 0 && m->inst_first + m->inst_n <= ru->n) {
		oj = m->inst_first;
		oend = m->inst_first + m->inst_n;
	}
	m->inst_first = p->ninst;
	for (k = 0; k < (m->per_party ? p->nparties : m->dim ? m->dim->nparts : 1); k++) {
		struct instance proto;
		struct part *part = m->dim != NULL ? m->dim->parts[k] : NULL;

		if (part != NULL && part->cancelled)
			continue;
		pt = m->per_party ? &p->parties[k] : part != NULL ? part->lead_party : NULL;
		if (m->per_party && !party_listed(m, pt->id))
			continue;
		proto_init(&proto, m, pt, part);
		for (j = 0; m->per_party && j < m->novr; j++) {
			struct override *o = &m->ovr[j];

			if (strcmp(o->party, pt->id) != 0)
				continue;
			if (o->title)
				proto.title = o->title;
			if (o->description)
				proto.description = o->description;
			if (o->owner)
				proto.owner = o->owner;
			if (o->timing.due.set) {
				proto.timing.due = o->timing.due;
				proto.timing.from = o->timing.from;
				proto.timing.on = o->timing.on;
			}
			if (o->timing.not_before.set)
				proto.timing.not_before = o->timing.not_before;
		}
		if (ru == NULL || !reuse_series(p, ru, &proto, &oj, oend, cap))
			expand_series(p, &proto, cap);
	}
	m->inst_n = p->ninst - m->inst_first;
}

/* The keys of the expansion before, by index, and their order (a plan_expand again). */
struct keyhint {
	char	**keys;
	size_t	  n;
	size_t	 *sorted;
};

static int	expand(struct plan *, struct errlist *, struct reuse *, const struct keyhint *);
static int	part_in_place(const struct plan *, const struct dimension *, size_t *);
static int	insert_part(struct plan *, size_t, struct part *);

int
plan_expand(struct plan *p, struct errlist *errs)
{
	struct keyhint kh;
	size_t i;
	int rc;

	/* Kept aside: when the keys come out the same, so does their order. */
	kh.n = p->ninst;
	kh.keys = xcalloc(kh.n ? kh.n : 1, sizeof(char *));
	kh.sorted = p->inst_sorted;
	for (i = 0; i < kh.n; i++) {
		kh.keys[i] = p->inst[i].key;
		p->inst[i].key = NULL;
	}
	p->inst_sorted = NULL;
	instances_free(p);
	rc = expand(p, errs, NULL, &kh);
	for (i = 0; i < kh.n; i++)
		free(kh.keys[i]);
	free(kh.keys);
	free(kh.sorted);
	return rc;
}

/* Are the instances' keys those of kh, index by index (a deadline moved, not a series)? */
static int
keys_same(const struct plan *p, const struct keyhint *kh)
{
	size_t i;

	if (kh == NULL || kh->sorted == NULL || kh->n != p->ninst)
		return 0;
	for (i = 0; i < p->ninst; i++)
		if (strcmp(p->inst[i].key, kh->keys[i]) != 0)
			return 0;
	return 1;
}

/* The same after parts came or went, the milestones as they were: the kept series moved. */
static int
expand_parts(struct plan *p, struct errlist *errs)
{
	struct reuse ru;
	int rc;

	ru.v = p->inst;
	ru.n = p->ninst;
	ru.sorted = p->inst_sorted;
	ru.to = xcalloc(p->ninst ? p->ninst : 1, sizeof(size_t));
	ru.taken = xcalloc(p->ninst ? p->ninst : 1, 1);
	p->revision++;
	p->inst = NULL;
	p->inst_sorted = NULL;
	p->ninst = p->inst_cap = 0;
	rc = expand(p, errs, &ru, NULL);
	reuse_free(&ru);
	return rc;
}

static int
expand(struct plan *p, struct errlist *errs, struct reuse *ru, const struct keyhint *kh)
{
	size_t i, j, k, start_err = errs->n, ninst;
	struct milestone *m;
	struct instance *in;
	int64_t *latest;	/* per milestone: the latest earliest start of its instances */
	char a[32], b[32];

	p->expansions++;
	if (p->nms_sorted != p->nms)
		index_milestones(p, errs);
	index_parties(p);
	if ((ninst = count_instances(p)) > PLAN_MAX_INSTANCES) {
		errlist_add(errs, p->file, 0, _("%zu instances (milestones times their parties): a "
		    "plan may have at most %d"), ninst, PLAN_MAX_INSTANCES);
		return -1;
	}
	for (i = 0; i < p->nms; i++)
		validate_milestone(p->file, p, &p->ms[i], errs);
	validate_dimensions(p, errs);
	find_cycles(p, errs);
	if (errs->n > start_err)
		return -1;

	for (i = 0; i < p->nms; i++) {
		m = &p->ms[i];
		expand_milestone(p, m, &p->inst_cap, ru);
		/* With its occurrences: a series has up to RECUR_MAX of them. */
		if (p->ninst > PLAN_MAX_INSTANCES) {
			errlist_add(errs, p->file, m->line, _("over %d instances (milestones times their "
			    "parties and occurrences): a plan may have at most %d"), PLAN_MAX_INSTANCES,
			    PLAN_MAX_INSTANCES);
			return -1;
		}
	}
	p->inst_sorted = xcalloc(p->ninst ? p->ninst : 1, sizeof(size_t));
	if (ru != NULL && ru->sorted != NULL)
		reuse_sorted(p, ru);
	else if (keys_same(p, kh))
		memcpy(p->inst_sorted, kh->sorted, p->ninst * sizeof(size_t));
	else {
		for (i = 0; i < p->ninst; i++)
			p->inst_sorted[i] = i;
		sorting = p;
		qsort(p->inst_sorted, p->ninst, sizeof(size_t), cmp_inst);
		sorting = NULL;
	}
	if (link_instances(p, errs) == -1)
		return -1;
	/* Reminders must reach someone: an owner role without any address is an error. */
	for (i = 0; i < p->ninst; i++) {
		const char **addrs;

		in = &p->inst[i];
		if (plan_role_addrs(p, in->owner, in->party, &addrs) == 0)
			errlist_add(errs, p->file, in->ms->line, _("%s: nobody holds role %s%s%s"), in->key,
			    in->owner, in->party ? " for party " : "", in->party ? in->party->id : "");
		free(addrs);
	}
	/*
	 * Timing that cannot work: due before a prerequisite can even start. A run of all of a
	 * milestone's instances is looked into only when the latest of them is too late.
	 */
	latest = xcalloc(p->nms ? p->nms : 1, sizeof(int64_t));
	for (i = 0; i < p->ninst; i++) {
		j = (size_t)(p->inst[i].ms - p->ms);
		if (earliest(&p->inst[i]) > latest[j])
			latest[j] = earliest(&p->inst[i]);
	}
	for (i = 0; i < p->ninst; i++) {
		in = &p->inst[i];
		if (in->not_before && in->not_before >= in->deadline) {
			ltime_format(&in->timing.not_before, a, sizeof(a));
			ltime_format(&in->timing.due, b, sizeof(b));
			errlist_add(errs, p->file, in->ms->line, _("%s cannot be done: not before %s, "
			    "but due %s"), in->key, a, b);
		}
		for (j = 0; j < in->npre_runs; j++) {
			const struct irange *r = &in->pre_runs[j];

			if (r->n > 1 && latest[p->inst[r->first].ms - p->ms] < in->deadline)
				continue;
			for (k = r->first; k < r->first + r->n; k++)
				check_prereq_start(p, in, &p->inst[k], errs);
		}
	}
	free(latest);
	return errs->n > start_err ? -1 : 0;
}

static void
validate_wholist(const char *file, const struct plan *p, const struct wholist *w,
    struct errlist *errs)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (strchr(w->v[i], '@') == NULL && !role_known(p, w->v[i]))
			errlist_add(errs, file, w->lines[i], _("\"%s\" is not a role of this plan"),
			    w->v[i]);
}

struct plan *
plan_parse(const char *file, const char *text, size_t len, struct errlist *errs)
{
	struct parser ps;
	struct plan *p;
	size_t start = errs->n, max = errs->max, dropped = errs->dropped, i;

	if (len > PLAN_MAX_SIZE) {
		errlist_add(errs, file, 0, _("%zu bytes: a plan may have at most %d (16 MiB)"), len,
		    PLAN_MAX_SIZE);
		return NULL;
	}
	/* A plan's first errors say what is wrong; thousands more would only cost memory. */
	errs->max = start + PLAN_MAX_ERRORS;
	errs->dropped = 0;
	p = xcalloc(1, sizeof(*p));
	memset(&ps, 0, sizeof(ps));
	ps.file = file;
	ps.errs = errs;
	ps.p = p;
	p->file = xstrdup(file);
	p->tz = xstrdup(DEFAULT_TZ);
	p->lang = xstrdup("nl");
	p->remind_hour = 8;
	p->remind_min = 30;
	p->overdue_every = 1;
	p->overdue_max = 3;
	p->digest_hour = -1;
	parse_text(&ps, text, len);
	if (!ps.seen_plan)
		errlist_add(errs, file, 0, _("no \"plan ID\" line: not a plan"));
	if (p->id != NULL && p->title == NULL)
		errlist_add(errs, file, ps.plan_line, _("plan %s has no title"), p->id);
	if (p->nclosed > 0 && p->workdays == WORKDAYS_ALL)
		errlist_add(errs, file, ps.plan_line, _("plan %s: closed days need working-days nl or "
		    "mon-fri"), p->id);
	if (p->remind == NULL) {
		p->remind = xcalloc(3, sizeof(int));
		p->remind[0] = 7;
		p->remind[1] = 1;
		p->remind[2] = 0;
		p->nremind = 3;
	}
	validate_wholist(file, p, &p->coordinators, errs);
	validate_wholist(file, p, &p->overriders, errs);
	validate_wholist(file, p, &p->digest_who, errs);
	for (i = 0; i < p->nparties; i++)
		validate_wholist(file, p, &p->parties[i].coordinators, errs);
	index_milestones(p, errs);
	if (errs->n == start)
		plan_expand(p, errs);
	else if (p->id != NULL) {
		/* Report reference errors too, in the same run; timing checks need a clean parse. */
		index_parties(p);
		for (i = 0; i < p->nms; i++)
			validate_milestone(file, p, &p->ms[i], errs);
	}
	if (errs->dropped > 0) {
		errs->max = 0;
		errlist_add(errs, file, 0, _("%zu more errors not shown"), errs->dropped);
	}
	errs->max = max;
	errs->dropped = dropped;
	if (errs->n > start) {
		plan_free(p);
		return NULL;
	}
	return p;
}

struct plan *
plan_load(const char *path, struct errlist *errs)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	struct plan *p;

	if ((f = fopen(path, "r")) == NULL) {
		errlist_add(errs, path, 0, "%s", strerror(errno));
		return NULL;
	}
	/* Up to one byte past the limit, so that plan_parse tells a file at it from one past. */
	for (;;) {
		if (len == cap) {
			if (cap == PLAN_MAX_SIZE + 1)
				break;
			cap = cap == 0 ? 16384 : cap * 2 > PLAN_MAX_SIZE + 1 ? PLAN_MAX_SIZE + 1 :
			    cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		errlist_add(errs, path, 0, _("read: %s"), strerror(errno));
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	p = plan_parse(path, buf != NULL ? buf : "", len, errs);
	free(buf);
	return p;
}

/* The messages of errs as one, without "file:line: ": they are about a request. */
static char *
errs_join(const struct errlist *errs)
{
	char *msg = xstrdup(""), *nm;
	size_t i;

	for (i = 0; i < errs->n; i++) {
		const char *s = strstr(errs->msg[i], ": ");

		xasprintf(&nm, "%s%s%s", msg, i ? "; " : "", s ? s + 2 : errs->msg[i]);
		free(msg);
		msg = nm;
	}
	return msg;
}

struct dimension *
plan_dimension(const struct plan *p, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < p->ndims; i++)
		if (strcmp(p->dims[i].id, id) == 0)
			return &p->dims[i];
	return NULL;
}

struct part *
dimension_part(const struct dimension *d, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < d->nparts; i++)
		if (strcmp(d->parts[i]->id, id) == 0)
			return d->parts[i];
	return NULL;
}

int
plan_add_part(struct plan *p, const char *dim, const char *id, const char *title,
    const char *lead, char **cause)
{
	struct errlist errs = { 0 };
	struct dimension *d;
	struct part *pt;
	size_t mi = 0;

	errs.max = PLAN_MAX_ERRORS;
	if ((d = plan_dimension(p, dim)) == NULL) {
		xasprintf(cause, _("plan %s has no dimension %s"), p->id, dim ? dim : "");
		return -1;
	}
	if (!id_valid(id)) {
		xasprintf(cause, _("part id: lower case letters, digits, - _ . (at most 64)"));
		return -1;
	}
	if ((pt = dimension_part(d, id)) != NULL) {
		xasprintf(cause, pt->cancelled ? _("part %s of %s was cancelled; its id stays taken: "
		    "choose another") : _("part %s of %s exists already"), id, d->id);
		return -1;
	}
	if (d->nparts >= PLAN_MAX_PARTS) {
		xasprintf(cause, _("dimension %s has %d parts: it may have at most that many"),
		    d->id, PLAN_MAX_PARTS);
		return -1;
	}
	if (title == NULL || *title == '\0' || strlen(title) > 1000 || !text_valid(title, 0)) {
		xasprintf(cause, _("title: one line of text without control characters, at most "
		    "1000 bytes"));
		return -1;
	}
	if (lead != NULL && plan_party(p, lead) == NULL) {
		xasprintf(cause, _("lead: %s is not a party of plan %s"), lead, p->id);
		return -1;
	}
	pt = xcalloc(1, sizeof(*pt));
	pt->id = xstrdup(id);
	pt->title = xstrdup(title);
	pt->lead = lead != NULL ? xstrdup(lead) : NULL;
	pt->ord = d->nparts;
	d->parts = xreallocarray(d->parts, d->nparts + 1, sizeof(*d->parts));
	d->parts[d->nparts++] = pt;
	if (part_in_place(p, d, &mi) && insert_part(p, mi, pt) == 0)
		return 0;
	if (expand_parts(p, &errs) == -1) {
		*cause = errs_join(&errs);
		errlist_free(&errs);
		plan_remove_last_part(p, d);
		return -1;
	}
	return 0;
}

void
plan_remove_last_part(struct plan *p, struct dimension *d)
{
	struct errlist errs = { 0 };
	struct part *pt;

	if (d->nparts == 0)
		return;
	pt = d->parts[--d->nparts];
	free(pt->id);
	free(pt->title);
	free(pt->lead);
	free(pt);
	expand_parts(p, &errs);	/* the plan was valid before the part came */
	errlist_free(&errs);
}

void
plan_cancel_part(struct plan *p, struct part *pt, int cancelled)
{
	struct errlist errs = { 0 };

	pt->cancelled = cancelled;
	expand_parts(p, &errs);	/* fewer instances, or those the plan had before */
	errlist_free(&errs);
}

int
plan_key_cancelled(const struct plan *p, const char *key)
{
	const char *hash = strchr(key, '#');
	struct milestone *m;
	struct part *pt;
	char *id, *part;

	if (hash == NULL)
		return 0;
	id = xstrndup(key, (size_t)(hash - key));
	part = xstrndup(hash + 1, strcspn(hash + 1, "/"));
	m = plan_milestone(p, id);
	pt = m != NULL && m->dim != NULL ? dimension_part(m->dim, part) : NULL;
	free(id);
	free(part);
	return pt != NULL && pt->cancelled;
}

size_t
plan_part_instances(const struct plan *p, const struct part *pt, size_t **out)
{
	size_t *v = NULL, n = 0, cap = 0, i;

	for (i = 0; i < p->ninst; i++)
		if (p->inst[i].part == pt) {
			XGROW(v, n, cap);
			v[n++] = i;
		}
	*out = v;
	return n;
}

/* The instances before first that those from first on require, each once; *out to be freed. */
static size_t
older_prereqs(const struct plan *p, size_t first, size_t **out)
{
	unsigned char *seen = xcalloc(first ? first : 1, 1);
	size_t i, j, x, n = 0, cap = 0;

	*out = NULL;
	for (i = first; i < p->ninst; i++)
		IRANGE_FOREACH(p->inst[i].pre_runs, p->inst[i].npre_runs, j, x) {
			if (x >= first || seen[x])
				continue;
			seen[x] = 1;
			XGROW(*out, n, cap);
			(*out)[n++] = x;
		}
	free(seen);
	return n;
}

/* The instances from first on freed, before anything else points at them. */
static void
instances_drop(struct plan *p, size_t first)
{
	size_t i;

	for (i = first; i < p->ninst; i++) {
		free(p->inst[i].key);
		free(p->inst[i].title_own);
		free(p->inst[i].pre_runs);
		free(p->inst[i].dep_runs);
	}
	p->ninst = first;
}

/* The instances from first on out again, with the dependents that point at them. */
static void
instances_cut(struct plan *p, size_t first)
{
	size_t i, k, n, *pre, npre = older_prereqs(p, first, &pre);
	struct instance *d;

	p->revision++;
	for (i = 0; i < npre; i++) {
		d = &p->inst[pre[i]];
		for (k = n = 0, d->ndep = 0; k < d->ndep_runs; k++)
			if (d->dep_runs[k].first < first) {
				d->dep_runs[n++] = d->dep_runs[k];
				d->ndep += d->dep_runs[k].n;
			}
		p->nlinks -= d->ndep_runs - n;
		d->ndep_runs = n;
	}
	free(pre);
	for (i = first; i < p->ninst; i++)
		p->nlinks -= p->inst[i].npre_runs;
	for (i = k = 0; p->inst_sorted != NULL && i < p->ninst; i++)
		if (p->inst_sorted[i] < first)
			p->inst_sorted[k++] = p->inst_sorted[i];
	instances_drop(p, first);
}

/*
 * The n instances from pos on (new) into the index by key, which holds the others: sorted
 * apart, then merged in from its end.
 */
static void
index_merge(struct plan *p, size_t pos, size_t n)
{
	size_t i, a, b, *merged = xcalloc(n ? n : 1, sizeof(size_t));

	for (i = 0; i < n; i++)
		merged[i] = pos + i;
	sorting = p;
	qsort(merged, n, sizeof(size_t), cmp_inst);
	sorting = NULL;
	p->inst_sorted = xreallocarray(p->inst_sorted, p->ninst, sizeof(size_t));
	for (i = p->ninst, a = p->ninst - n, b = n; b > 0; i--)
		if (a > 0 && strcmp(p->inst[p->inst_sorted[a - 1]].key,
		    p->inst[merged[b - 1]].key) > 0)
			p->inst_sorted[i - 1] = p->inst_sorted[--a];
		else
			p->inst_sorted[i - 1] = merged[--b];
	free(merged);
}

/*
 * The dependents' runs that m's instances (from first on) give what they require, as
 * add_dependents makes them; with add 0, only how many.
 */
static size_t
new_dependents(struct plan *p, const struct milestone *m, size_t first, int add)
{
	size_t j, k, x, g, end, n, cap = 0, count = 0;
	struct irange *v = NULL;

	for (j = 0; j < m->nreqs; j++) {
		const struct requirement *r = &m->reqs[j];
		int same = p->ms[r->target].per_party && (r->scope == REQ_SAME ||
		    (r->scope == REQ_AUTO && m->per_party));

		for (g = first; g < p->ninst; g = end) {
			end = same ? g + series_of(p, m, p->inst[g].party).n : p->ninst;
			n = 0;
			req_runs(p, &p->inst[g], r, &v, &n, &cap);
			IRANGE_FOREACH(v, n, k, x) {
				struct instance *d = &p->inst[x];

				count++;
				if (!add)
					continue;
				d->dep_runs = xreallocarray(d->dep_runs, d->ndep_runs + 1,
				    sizeof(*d->dep_runs));
				d->dep_runs[d->ndep_runs].first = g;
				d->dep_runs[d->ndep_runs++].n = end - g;
			}
		}
	}
	free(v);
	return count;
}

/*
 * The plan's last milestone, added to a plan already expanded: validated, its instances
 * appended and linked, without expanding the rest again (plan_expand gives the same). Its
 * milestone is new, so nothing of the plan requires it: no cycle, no other links change
 * than the dependents of what it requires. On error the plan is as it was.
 */
static int
plan_extend(struct plan *p, struct errlist *errs)
{
	struct milestone *m = &p->ms[p->nms - 1];
	size_t first = p->ninst, start = errs->n, nlinks = 0, i, j, k, x;
	size_t n, vcap = 0, *merged;
	struct irange *v = NULL;
	struct instance *in;

	if (m->nparties > 1)
		qsort(m->parties, m->nparties, sizeof(char *), cmp_str);
	validate_milestone(p->file, p, m, errs);
	if (errs->n > start)
		return -1;
	expand_milestone(p, m, &p->inst_cap, NULL);
	if (p->ninst > PLAN_MAX_INSTANCES) {
		errlist_add(errs, p->file, m->line, _("over %d instances (milestones times their "
		    "parties and occurrences): a plan may have at most %d"), PLAN_MAX_INSTANCES,
		    PLAN_MAX_INSTANCES);
		goto bad;
	}
	for (i = first; i < p->ninst; i++) {
		in = &p->inst[i];
		n = 0;
		for (j = 0; j < m->nreqs; j++)
			req_runs(p, in, &m->reqs[j], &v, &n, &vcap);
		nlinks += n;
		in->npre_runs = runs_normalise(v, n, &in->npre);
		in->pre_runs = xcalloc(in->npre_runs ? in->npre_runs : 1, sizeof(*v));
		if (in->npre_runs > 0)
			memcpy(in->pre_runs, v, in->npre_runs * sizeof(*v));
		in->dep_runs = xcalloc(1, sizeof(struct irange));
	}
	/* The dependents' runs to come, counted as link_instances counts them. */
	nlinks += new_dependents(p, m, first, 0);
	nlinks += p->nlinks;
	if (nlinks > PLAN_MAX_LINKS) {
		errlist_add(errs, p->file, 0, _("%zu links between instances: a plan may have at most "
		    "%d (an @all requirement is one link for each instance on either side)"), nlinks,
		    PLAN_MAX_LINKS);
		goto bad;
	}
	for (i = first; i < p->ninst; i++) {
		const char **addrs;

		in = &p->inst[i];
		if (plan_role_addrs(p, in->owner, in->party, &addrs) == 0)
			errlist_add(errs, p->file, m->line, _("%s: nobody holds role %s%s%s"), in->key,
			    in->owner, in->party ? " for party " : "", in->party ? in->party->id : "");
		free(addrs);
		if (in->not_before && in->not_before >= in->deadline) {
			char d1[32], d2[32];

			ltime_format(&in->timing.not_before, d1, sizeof(d1));
			ltime_format(&in->timing.due, d2, sizeof(d2));
			errlist_add(errs, p->file, m->line, _("%s cannot be done: not before %s, but due "
			    "%s"), in->key, d1, d2);
		}
		IRANGE_FOREACH(in->pre_runs, in->npre_runs, j, x)
			check_prereq_start(p, in, &p->inst[x], errs);
	}
	if (errs->n > start)
		goto bad;
	new_dependents(p, m, first, 1);
	free(v);
	n = older_prereqs(p, first, &merged);
	for (i = 0; i < n; i++) {
		struct instance *d = &p->inst[merged[i]];

		d->ndep_runs = runs_normalise(d->dep_runs, d->ndep_runs, &d->ndep);
		for (k = 0; k < d->ndep_runs; k++)
			p->nlinks += d->dep_runs[k].first >= first;
	}
	free(merged);
	for (i = first; i < p->ninst; i++)
		p->nlinks += p->inst[i].npre_runs;
	index_merge(p, first, p->ninst - first);
	return 0;
bad:
	free(v);
	instances_drop(p, first);
	return -1;
}

/*
 * May a new part of d be linked in place? So when one milestone only is per d, links to no
 * other plan and asks the same of every instance of it (no @same, no #same): its new
 * instances come at the end of its run, and what they require and what requires them is
 * as for the others. Its index in *mi.
 */
static int
part_in_place(const struct plan *p, const struct dimension *d, size_t *mi)
{
	const struct milestone *m = NULL;
	size_t i;

	for (i = 0; i < p->nms; i++)
		if (p->ms[i].dim == d) {
			if (m != NULL)
				return 0;
			m = &p->ms[i];
			*mi = i;
		}
	if (m == NULL || m->per_party || m->nxreqs > 0)
		return 0;
	for (i = 0; i < m->nreqs; i++)
		if (req_same_part(p, m, &m->reqs[i]) || (p->ms[m->reqs[i].target].per_party &&
		    m->reqs[i].scope == REQ_SAME))
			return 0;
	return 1;
}

/* Instance in's prerequisite runs made again from its requirements; p->nlinks with them. */
static void
relink_pre(struct plan *p, struct instance *in, struct irange **v, size_t *cap)
{
	size_t j, n = 0;

	for (j = 0; j < in->ms->nreqs; j++)
		req_runs(p, in, &in->ms->reqs[j], v, &n, cap);
	p->nlinks -= in->npre_runs;
	in->npre_runs = runs_normalise(*v, n, &in->npre);
	in->pre_runs = xreallocarray(in->pre_runs, in->npre_runs ? in->npre_runs : 1,
	    sizeof(**v));
	if (in->npre_runs > 0)
		memcpy(in->pre_runs, *v, in->npre_runs * sizeof(**v));
	p->nlinks += in->npre_runs;
}

/* Dependent run (first, n) of d: the one starting there made so, or one more in its place. */
static void
dep_run_set(struct plan *p, struct instance *d, size_t first, size_t n)
{
	size_t k;

	for (k = 0; k < d->ndep_runs; k++)
		if (d->dep_runs[k].first == first) {
			d->ndep += n - d->dep_runs[k].n;
			d->dep_runs[k].n = n;
			return;
		}
	d->dep_runs = xreallocarray(d->dep_runs, d->ndep_runs + 1, sizeof(*d->dep_runs));
	for (k = d->ndep_runs; k > 0 && d->dep_runs[k - 1].first > first; k--)
		d->dep_runs[k] = d->dep_runs[k - 1];
	d->dep_runs[k].first = first;
	d->dep_runs[k].n = n;
	d->ndep_runs++;
	d->ndep += n;
	p->nlinks++;
}

/* Every index at or past pos, in runs and milestones after mi, k further on. */
static void
shift_runs(struct irange *v, size_t n, size_t pos, size_t k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].first >= pos)
			v[i].first += k;
}

/*
 * Part pt added where part_in_place says so (m = p->ms[mi]): its instances put at the end
 * of m's run, those after it moved up, and in place the links of what they require (the
 * run of m's instances grows) and of what requires m, as expand_parts would make them.
 * What it costs beyond what the part touches is a pass over the instances' runs, without
 * an allocation per instance. -1, the plan as it was, when a check fails: expand_parts
 * then says why.
 */
static int
insert_part(struct plan *p, size_t mi, struct part *pt)
{
	struct milestone *m = &p->ms[mi], *x;
	struct errlist errs = { 0 };
	struct instance proto, *in, *tmp;
	struct irange *v = NULL;
	size_t end = p->ninst, pos = m->inst_first + m->inst_n, i, j, k, g, y, n, cap = 0;
	size_t bound, nk, *sorted;
	int bad = 0;

	pt->lead_party = pt->lead != NULL ? plan_party(p, pt->lead) : NULL;
	proto_init(&proto, m, pt->lead_party, pt);
	expand_series(p, &proto, &p->inst_cap);
	nk = p->ninst - end;
	errs.max = 1;
	/* The checks expand makes, for what is new, while it is at the end. */
	bound = p->nlinks;
	for (i = end; i < p->ninst; i++) {
		const char **addrs;

		in = &p->inst[i];
		in->pre_runs = NULL;
		in->dep_runs = xcalloc(1, sizeof(*in->dep_runs));
		relink_pre(p, in, &v, &cap);
		bound += 2 * in->npre;
		bad |= plan_role_addrs(p, in->owner, in->party, &addrs) == 0 ||
		    (in->not_before && in->not_before >= in->deadline);
		free(addrs);
		IRANGE_FOREACH(in->pre_runs, in->npre_runs, j, k)
			check_prereq_start(p, in, &p->inst[k], &errs);
	}
	/* What requires m: all of it, or of each series the last (req_runs). */
	for (i = 0; i < p->nms && errs.n == 0; i++)
		for (x = &p->ms[i], j = 0; j < x->nreqs && errs.n == 0; j++) {
			if (x->reqs[j].target != mi || x->inst_n == 0)
				continue;
			bound += x->inst_n + nk;
			for (g = x->inst_first; g < x->inst_first + x->inst_n; g++)
				for (y = end; y < p->ninst; y++)
					if (!x->reqs[j].last || p->inst[y].occ == p->inst[y].nocc)
						check_prereq_start(p, &p->inst[g], &p->inst[y], &errs);
		}
	if (nk == 0 || bad || errs.n > 0 || p->ninst > PLAN_MAX_INSTANCES ||
	    bound > PLAN_MAX_LINKS) {
		errlist_free(&errs);
		for (i = end; i < p->ninst; i++)
			p->nlinks -= p->inst[i].npre_runs;
		instances_drop(p, end);
		free(v);
		return -1;
	}
	/* Into their place: the instances after them, and every index of those, move up. */
	if (pos < end) {
		tmp = xcalloc(nk, sizeof(*tmp));
		memcpy(tmp, &p->inst[end], nk * sizeof(*tmp));
		memmove(&p->inst[pos + nk], &p->inst[pos], (end - pos) * sizeof(*tmp));
		memcpy(&p->inst[pos], tmp, nk * sizeof(*tmp));
		free(tmp);
		for (i = 0; i < p->ninst; i++) {
			in = &p->inst[i];
			in->idx = i;
			shift_runs(in->pre_runs, in->npre_runs, pos, nk);
			shift_runs(in->dep_runs, in->ndep_runs, pos, nk);
		}
		for (i = mi + 1; i < p->nms; i++)
			p->ms[i].inst_first += nk;
		for (i = 0, sorted = p->inst_sorted; i < end; i++)
			if (sorted[i] >= pos)
				sorted[i] += nk;
		p->expansions++;	/* instances moved: what is kept by index is made again */
	}
	m->inst_n += nk;
	/* What the new instances require: the dependent run of m's instances there grows. */
	for (j = 0; j < m->nreqs; j++) {
		n = 0;
		req_runs(p, &p->inst[m->inst_first], &m->reqs[j], &v, &n, &cap);
		IRANGE_FOREACH(v, n, i, k)
			dep_run_set(p, &p->inst[k], m->inst_first, m->inst_n);
	}
	/* What requires m (every part of d): its prerequisites are more, it is their dependent. */
	for (i = 0; i < p->nms; i++)
		for (x = &p->ms[i], j = 0; j < x->nreqs; j++) {
			if (x->reqs[j].target != mi || x->inst_n == 0)
				continue;
			n = 0;
			req_runs(p, &p->inst[x->inst_first], &x->reqs[j], &v, &n, &cap);
			IRANGE_FOREACH(v, n, g, k)
				if (k >= pos && k < pos + nk)
					dep_run_set(p, &p->inst[k], x->inst_first, x->inst_n);
			for (g = x->inst_first; g < x->inst_first + x->inst_n; g++)
				relink_pre(p, &p->inst[g], &v, &cap);
		}
	for (i = pos; i < pos + nk; i++) {
		in = &p->inst[i];
		p->nlinks -= in->ndep_runs;
		in->ndep_runs = runs_normalise(in->dep_runs, in->ndep_runs, &in->ndep);
		p->nlinks += in->ndep_runs;
	}
	free(v);
	index_merge(p, pos, nk);
	p->revision++;
	return 0;
}

/* Room for one more milestone; when the array moves, the instances' pointers move along. */
void
plan_ms_room(struct plan *p)
{
	struct milestone *ms;
	size_t i;

	if (p->nms < p->ms_cap)
		return;
	p->ms_cap = p->nms < 8 ? 16 : p->nms * 2;
	ms = xcalloc(p->ms_cap, sizeof(*ms));
	if (p->nms > 0)
		memcpy(ms, p->ms, p->nms * sizeof(*ms));
	for (i = 0; i < p->ninst; i++)
		p->inst[i].ms = ms + (p->inst[i].ms - p->ms);
	free(p->ms);
	p->ms = ms;
}

/* Milestone i into (out of) the index by id, which is current for the others. */
static void
ms_index_insert(struct plan *p, size_t i)
{
	size_t lo = 0, hi = p->nms_sorted, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(p->ms[p->ms_sorted[mid]].id, p->ms[i].id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	p->ms_sorted = xreallocarray(p->ms_sorted, p->nms_sorted + 1, sizeof(size_t));
	memmove(p->ms_sorted + lo + 1, p->ms_sorted + lo, (p->nms_sorted - lo) * sizeof(size_t));
	p->ms_sorted[lo] = i;
	p->nms_sorted++;
}

static void
ms_index_remove(struct plan *p, size_t i)
{
	size_t k, n = 0;

	for (k = 0; k < p->nms_sorted; k++)
		if (p->ms_sorted[k] != i)
			p->ms_sorted[n++] = p->ms_sorted[k];
	p->nms_sorted = n;
}

int
plan_add_milestone(struct plan *p, struct milestone *m, char **cause)
{
	struct errlist errs = { 0 };

	errs.max = PLAN_MAX_ERRORS;
	if (!id_valid(m->id)) {
		xasprintf(cause, _("\"%s\" is not a milestone id"), m->id ? m->id : "");
		return -1;
	}
	if (plan_milestone(p, m->id) != NULL || plan_renamed(p, m->id) != NULL) {
		xasprintf(cause, _("milestone %s exists already in plan %s"), m->id, p->id);
		return -1;
	}
	plan_ms_room(p);
	p->ms[p->nms++] = *m;
	if (plan_extend(p, &errs) == -1) {
		*cause = errs_join(&errs);
		errlist_free(&errs);
		p->nms--;
		return -1;
	}
	if (p->nms_sorted == p->nms - 1)
		ms_index_insert(p, p->nms - 1);
	else
		index_milestones(p, &errs);
	/* Old ids too: checked by validate_milestone against every milestone's already. */
	if (m->nformerly > 0)
		index_parties(p);
	p->renamed_nms = p->nms;
	free(m);	/* its contents now belong to the plan */
	return 0;
}

void
plan_remove_last(struct plan *p)
{
	if (p->nms == 0)
		return;
	instances_cut(p, p->ms[p->nms - 1].inst_first);
	ms_index_remove(p, p->nms - 1);
	milestone_clear(&p->ms[--p->nms]);
	if (p->nrenamed > 0)
		index_parties(p);
	p->renamed_nms = p->nms;
}
