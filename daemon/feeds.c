/* feeds.c: the HTTP listener for subscribers: feeds by token, cached; health; metrics. */
#include <sys/queue.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <zlib.h>

#include "accept.h"
#include "access.h"
#include "act.h"
#include "clock.h"
#include "feedreq.h"
#include "feedwire.h"
#include "httperr.h"
#include "feeds.h"
#include "i18n.h"
#include "ical.h"
#include "log.h"
#include "mailcompose.h"
#include "memory.h"
#include "pagesend.h"
#include "persons.h"
#include "remind.h"
#include "sha256.h"
#include "termijnd.h"
#include "tz.h"
#include "web.h"
#include "xmalloc.h"

#define TOKEN_BYTES	24		/* 192 bits; 32 characters in base64url */
#define TOKEN_CHARS	FEED_TOKEN_CHARS
/*
 * Descriptors kept for everything but feed connections: the client socket's connections,
 * the database, the mailer, and a listen queue's worth of connections accepted in one
 * go before the cap is applied to them.
 */
#define FD_RESERVE	(128 + 64)
/* Bytes one write to a connection may take (some 0.3 ms of copying into the kernel). */
#define MAX_SINGLE_WRITE	(1 << 20)

/* What /metrics tells of the listener. */
struct feed_stats {
	uint64_t	 requests, ok, not_modified, not_found, renders, dropped;
	uint64_t	 renders_same;	/* of renders, the bytes the rendering before had */
	uint64_t	 fast;		/* of ok and not_modified, answered by the fast path */
	uint64_t	 paged;		/* of fast, bodies sent by page reference (pagesend.c) */
	uint64_t	 latency_bucket[12];	/* request latency histogram, see feeds.c */
	double		 latency_sum, longest, longest_slice;
};

/* Rendered bytes, shared with the answers that still send them (by reference). */
struct blob {
	char		*p;
	size_t		 len;
	int		 refs;
	size_t		 map;		/* 0: malloc'd; else pagesend_alloc'd (and sealed) */
};

struct fjob;

/* A plan a rendered feed shows something of, and its change (pstate changed) it shows. */
struct fdep {
	char		*plan;
	uint64_t	 changed;
};

/* What a rendering shows: while none of it changed, the bytes stay right. */
struct fdeps {
	struct fdep	*v;
	size_t		 n;
	uint64_t	 loaded, shaped;	/* the engine's as the rendering began */
};

/* An entry of a table by SHA-256 (of a token, of a feed's subject). */
struct tabent {
	unsigned char	 hash[32];
	struct tabent	*next;		/* in its bucket */
};

struct table {
	struct tabent	**b;
	size_t		 n, count;	/* buckets (a power of two), entries */
};

/*
 * A feed's subject as last served: what it selects, the rendered bytes. What a feed shows
 * depends on its kind and subject alone (the language and name come from the plan, the
 * refresh from the config), so the tokens of one subject share one (issue 13).
 */
struct fcache {
	struct tabent	 te;		/* the hash of kind, NUL, subject */
	size_t		 tokens;	/* the tokens of it in memory */
	char		*kind, *subject;
	struct fdeps	 deps;		/* of the rendering it holds */
	/* Right from the moment it was made until a derived state (overdue, ready) changes. */
	int64_t		 valid_from, valid_until;
	struct blob	*body, *gz;
	char		 etag[48], etag_gz[52];
	int64_t		 modified;
	char		 lastmod[40];	/* modified as an HTTP date, for every answer */
	struct fjob	*job;		/* rendering or compressing, a slice a loop turn */
	TAILQ_ENTRY(fcache) lru;	/* while it holds bytes: most recently served first */
};

/*
 * A plan's instances by derived state for /metrics, counted again only once the plan or a
 * plan its steps wait for changed, or one of its open steps' moments passed.
 */
struct mcount {
	uint64_t	 at;		/* the engine's generation when counted; 0: not yet */
	int64_t		 from, until;	/* the moment counted at, and the next that changes them */
	uint64_t	 n[DV_WAIVED + 1];
	char		*text;		/* n as the metric's lines */
	size_t		 len;
	size_t		*pre;		/* the plans (indices) its steps wait for */
	size_t		 npre;
};

/* A connection's deadline, one slot per fd number: shut down when it has lived too long. */
struct conn_age {
	struct feeds		*f;
	evutil_socket_t		 fd;
	ino_t			 ino;	/* the fd number is reused: the socket tells them apart */
	struct event		*ev;
	int			 live;	/* on the live list */
	TAILQ_ENTRY(conn_age)	 entry;
	/* The fast path (see fast_cb): the connection's bufferevent, evhttp's. */
	struct bufferevent	*bev;
	int			 evhttp;	/* evhttp reads a request: its bytes are left */
	int			 holding;	/* our answer's rest in the output */
	int			 taking;	/* in fast_take: its own drains call back */
	bufferevent_data_cb	 rcb, wcb;	/* evhttp's callbacks while holding */
	bufferevent_event_cb	 ecb;
	void			*cbarg;
};

/* A token asked for: its feed, and the rendering of the feed's subject. */
struct ftoken {
	struct tabent	 te;		/* the token's hash */
	int64_t		 feed_id;
	struct fcache	*c;
};

struct feeds {
	struct termijnd		*d;
	struct evhttp		*http;
	/* The tokens asked for, by their hash (a request looks one bucket up), and their
	 * subjects' renderings, by subject. */
	struct table		 tokens, subjects;
	/* What the rendered feeds hold, against feed-cache-mb: the least recently served go. */
	TAILQ_HEAD(fcache_lru, fcache) lru;
	size_t			 cached;
	struct conn_age		**ages;		/* indexed by fd; slots never move */
	size_t			 nages;
	struct bufferevent	**fresh;	/* accepted, fd not yet known */
	size_t			 nfresh, capfresh;
	/* Open connections, oldest first: at the cap, the oldest makes room for a new one. */
	TAILQ_HEAD(, conn_age)	 live;
	size_t			 nlive, cap;
	uint64_t		 evicted;
	struct timespec		 swept;
	time_t			 evict_logged;
	struct event		*fresh_ev;
	struct feed_stats	 stats;
	struct mcount		*mc;		/* indexed like the engine's plans */
	size_t			 nmc;
	uint64_t		 mc_loaded;	/* the engine's load they are of */
	struct evconnlistener	*lev;
	char			 bound[80];	/* the address it listens on */
	char			 cache_control[48];	/* of every feed answer */
};

static void	sweep(struct feeds *);

static const double latency_bounds[12] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
    0.01, 0.025, 0.05, 0.1, 0.5, 1 };

/* ---- cache ---- */

static struct blob *
blob_new(char *p, size_t len)
{
	struct blob *b = xcalloc(1, sizeof(*b));

	b->p = p;
	b->len = len;
	b->refs = 1;
	return b;
}

/* A blob of the sealed pages at p, pagesend_alloc'd with map bytes. */
static struct blob *
blob_paged(char *p, size_t len, size_t map)
{
	struct blob *b = blob_new(p, len);

	b->map = map;
	return b;
}

static void
blob_drop(struct blob *b)
{
	if (b != NULL && --b->refs == 0) {
		if (b->map > 0)
			pagesend_free(b->p, b->map);
		else
			free(b->p);
		free(b);
	}
}

/* evbuffer_add_reference's cleanup: an answer has sent (or dropped) the bytes. */
static void
blob_sent_cb(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	blob_drop(arg);
}

static void	job_cancel(struct fcache *);
static void	job_forget(struct fcache *, int64_t);

static size_t
fcache_bytes(const struct fcache *c)
{
	return (c->body ? c->body->len : 0) + (c->gz ? c->gz->len : 0);
}

/* Answers still sending the bytes keep them (blobs are counted); the cache lets go. */
static void
fcache_clear_render(struct feeds *f, struct fcache *c)
{
	if (c->body != NULL || c->gz != NULL) {
		if (fcache_bytes(c) >= MEMORY_BIG)
			memory_trim_soon();
		f->cached -= fcache_bytes(c);
		TAILQ_REMOVE(&f->lru, c, lru);
	}
	blob_drop(c->body);
	blob_drop(c->gz);
	c->body = c->gz = NULL;
}

/* c was served or got new bytes (add: how many): first in line to stay. */
static void
fcache_touch(struct feeds *f, struct fcache *c, size_t add)
{
	if (add > 0 && fcache_bytes(c) == add)
		TAILQ_INSERT_HEAD(&f->lru, c, lru);
	else if (TAILQ_FIRST(&f->lru) != c) {
		TAILQ_REMOVE(&f->lru, c, lru);
		TAILQ_INSERT_HEAD(&f->lru, c, lru);
	}
	f->cached += add;
}

/*
 * Over the budget, the least recently served feeds lose their bytes (they are made again
 * when asked for). The one just made stays, even alone over the budget, and so do feeds
 * being compressed from their bytes.
 */
static void
fcache_trim(struct feeds *f, const struct fcache *keep)
{
	size_t budget = (size_t)f->d->conf->feed_cache_mb << 20;
	struct fcache *c, *prev;

	for (c = TAILQ_LAST(&f->lru, fcache_lru); c != NULL && f->cached > budget; c = prev) {
		prev = TAILQ_PREV(c, fcache_lru, lru);
		if (c == keep || c->job != NULL)
			continue;
		fcache_clear_render(f, c);
		f->stats.dropped++;
		/* Renderings come and go in other sizes: what they leave between them goes back. */
		memory_trim_soon();
	}
}

static void
fdeps_clear(struct fdeps *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++)
		free(ds->v[i].plan);
	free(ds->v);
	memset(ds, 0, sizeof(*ds));
}

static int
cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const void *const *)a, y = (uintptr_t)*(const void *const *)b;

	return x < y ? -1 : x > y;
}

/* v[0 .. n) sorted, each once: how many. */
static size_t
uniq_ptrs(const struct plan **v, size_t n)
{
	size_t i, k;

	qsort(v, n, sizeof(*v), cmp_ptr);
	for (i = k = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

static void
push_links(const struct plan ***v, size_t *n, size_t *cap, const struct plan *p, int deps)
{
	const struct xlinks *xl = p->xl;
	size_t i;

	for (i = 0; xl != NULL && i < xl->npre; i++) {
		XGROW(*v, *n, *cap);
		(*v)[(*n)++] = xl->pre[i].plan;
	}
	for (i = 0; deps && xl != NULL && i < xl->ndep; i++) {
		XGROW(*v, *n, *cap);
		(*v)[(*n)++] = xl->dep[i].plan;
	}
}

/*
 * What a feed of these plans shows changes with: those plans; the plans linked with them,
 * whose steps it shows with their states; and the plans those steps wait for, whose states
 * make theirs (blocked or ready). Taken as the rendering begins.
 */
static void
fdeps_take(struct engine *e, const struct plan *const *plans, size_t nplans, struct fdeps *ds)
{
	const struct plan **v = NULL;
	const struct pstate *ps;
	size_t n = 0, cap = 0, i, n1;

	for (i = 0; i < nplans; i++) {
		XGROW(v, n, cap);
		v[n++] = plans[i];
		push_links(&v, &n, &cap, plans[i], 1);
	}
	n1 = n = uniq_ptrs(v, n);
	for (i = 0; i < n1; i++)
		push_links(&v, &n, &cap, v[i], 0);
	n = uniq_ptrs(v, n);
	memset(ds, 0, sizeof(*ds));
	ds->v = xcalloc(n ? n : 1, sizeof(*ds->v));
	for (i = 0; i < n; i++)
		if ((ps = engine_pstate(e, v[i])) != NULL) {
			ds->v[ds->n].plan = xstrdup(ps->plan->id);
			ds->v[ds->n++].changed = ps->changed;
		}
	ds->loaded = e->loaded;
	ds->shaped = e->shaped;
	free(v);
}

static const struct persons *plan_persons(struct pstate *);

/*
 * Does c's rendering still show what is so at now? Not when time passed one of its moments,
 * a plan it shows changed, the plans were loaded again, or (a person's feed) a plan that
 * changed shape now has the person acting in it.
 */
static int
fcache_fresh(struct feeds *f, struct fcache *c, int64_t now)
{
	struct engine *e = &f->d->engine;
	struct fdeps *ds = &c->deps;
	const struct pstate *ps;
	const size_t *run;
	size_t i;

	/* The wall clock set back: a moment passed since may not have come yet (issue 13). */
	if (now < c->valid_from || now >= c->valid_until || ds->loaded != e->loaded)
		return 0;
	for (i = 0; i < ds->n; i++)
		if ((ps = engine_plan(e, ds->v[i].plan)) == NULL || ps->changed != ds->v[i].changed)
			return 0;
	if (ds->shaped != e->shaped) {
		if (strcmp(c->kind, "person") == 0)
			for (i = 0; i < e->nplans; i++)
				if (e->plans[i].shaped > ds->shaped &&
				    persons_find(plan_persons(&e->plans[i]), c->subject, &run) > 0)
					return 0;
		ds->shaped = e->shaped;
	}
	return 1;
}

/* The bucket of a hash (a SHA-256: its first bytes are as good as any). */
static size_t
bucket(const struct table *t, const unsigned char hash[32])
{
	uint64_t h;

	memcpy(&h, hash, sizeof(h));
	return (size_t)(h & (t->n - 1));
}

/* The entry of a hash, compared in constant time (a token's hash leaks nothing of it). */
static struct tabent *
tab_find(const struct table *t, const unsigned char hash[32])
{
	struct tabent *e;
	unsigned char diff;
	size_t i;

	for (e = t->n ? t->b[bucket(t, hash)] : NULL; e != NULL; e = e->next) {
		diff = 0;
		for (i = 0; i < 32; i++)
			diff |= (unsigned char)(e->hash[i] ^ hash[i]);
		if (diff == 0)
			return e;
	}
	return NULL;
}

/* A new entry, the table doubling when it holds as many as it has buckets. */
static void
tab_insert(struct table *t, struct tabent *te)
{
	struct tabent **old = t->b, *e, *next;
	size_t nold = t->n, i, b;

	if (t->count >= t->n) {
		t->n = nold ? nold * 2 : 64;
		t->b = xcalloc(t->n, sizeof(*t->b));
		for (i = 0; i < nold; i++)
			for (e = old[i]; e != NULL; e = next) {
				next = e->next;
				b = bucket(t, e->hash);
				e->next = t->b[b];
				t->b[b] = e;
			}
		free(old);
	}
	b = bucket(t, te->hash);
	te->next = t->b[b];
	t->b[b] = te;
	t->count++;
}

static void
tab_remove(struct table *t, struct tabent *te)
{
	struct tabent **pe;

	for (pe = &t->b[bucket(t, te->hash)]; *pe != te; pe = &(*pe)->next)
		;
	*pe = te->next;
	t->count--;
}

/* A subject's entry, out of its table already: its render stopped, its bytes let go. */
static void
fcache_free(struct feeds *f, struct fcache *c)
{
	job_cancel(c);
	fcache_clear_render(f, c);
	fdeps_clear(&c->deps);
	free(c->kind);
	free(c->subject);
	free(c);
}

/* A token out of the table: its subject's rendering goes with its last token. */
static void
ftoken_free(struct feeds *f, struct ftoken *t)
{
	if (--t->c->tokens == 0) {
		tab_remove(&f->subjects, &t->c->te);
		fcache_free(f, t->c);
	}
	free(t);
}

/*
 * Forget one feed (revoked, rotated): its next request looks its token up again (and finds
 * none). Its subject's rendering stays while other tokens show it.
 */
void
feeds_forget(struct termijnd *d, int64_t feed_id)
{
	struct feeds *f = d->feeds;
	struct tabent **pe, *e;
	struct ftoken *t;
	size_t i;

	for (i = 0; f != NULL && i < f->tokens.n; i++)
		for (pe = &f->tokens.b[i]; (e = *pe) != NULL;) {
			t = (struct ftoken *)e;
			if (t->feed_id != feed_id) {
				pe = &e->next;
				continue;
			}
			*pe = e->next;
			f->tokens.count--;
			job_forget(t->c, feed_id);
			ftoken_free(f, t);
		}
}

void
feeds_flush(struct termijnd *d)
{
	struct feeds *f = d->feeds;
	struct tabent *e, *next;
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->tokens.n; i++) {
		for (e = f->tokens.b[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
		f->tokens.b[i] = NULL;
	}
	f->tokens.count = 0;
	for (i = 0; i < f->subjects.n; i++) {
		for (e = f->subjects.b[i]; e != NULL; e = next) {
			next = e->next;
			fcache_free(f, (struct fcache *)e);
		}
		f->subjects.b[i] = NULL;
	}
	f->subjects.count = 0;
}

/* The subject's entry, made (with no rendering yet) when no token of it is in memory. */
static struct fcache *
fcache_of(struct feeds *f, const char *kind, const char *subject)
{
	size_t kl = strlen(kind), sl = strlen(subject);
	unsigned char hash[32];
	struct fcache *c;
	char *key = xmalloc(kl + 1 + sl);

	memcpy(key, kind, kl + 1);
	memcpy(key + kl + 1, subject, sl);
	sha256(key, kl + 1 + sl, hash);
	free(key);
	if ((c = (struct fcache *)tab_find(&f->subjects, hash)) != NULL)
		return c;
	c = xcalloc(1, sizeof(*c));
	memcpy(c->te.hash, hash, 32);
	c->kind = xstrdup(kind);
	c->subject = xstrdup(subject);
	tab_insert(&f->subjects, &c->te);
	return c;
}

struct lookup {
	struct feeds	*f;
	struct ftoken	*t;
};

static void
feed_found_cb(const struct feed_row *row, void *arg)
{
	struct lookup *lk = arg;

	lk->t = xcalloc(1, sizeof(*lk->t));
	memcpy(lk->t->te.hash, row->hash, 32);
	lk->t->feed_id = row->id;
	lk->t->c = fcache_of(lk->f, row->kind, row->subject);
	lk->t->c->tokens++;
}

/* The feed of a token's hash if the token table holds it. */
static struct fcache *
feed_in_memory(struct feeds *f, const unsigned char hash[32])
{
	struct ftoken *t = (struct ftoken *)tab_find(&f->tokens, hash);

	return t != NULL ? t->c : NULL;
}

/* A token, from memory or the store; NULL for a wrong or revoked one. */
static struct ftoken *
feed_by_token(struct feeds *f, const char *token)
{
	unsigned char hash[32];
	struct ftoken *t;
	struct lookup lk = { f, NULL };

	sha256(token, strlen(token), hash);
	if ((t = (struct ftoken *)tab_find(&f->tokens, hash)) != NULL)
		return t;
	if (store_feed_by_hash(f->d->engine.store, hash, feed_found_cb, &lk) != 1)
		return NULL;
	tab_insert(&f->tokens, &lk.t->te);
	return lk.t;
}

/* ---- what a feed holds ---- */

/*
 * The plan's person index, made when first asked and again once the plan's instances
 * changed (an addition, a part, a cancel, an edit: each expands the plan anew; a reload
 * brings new plans, people and all).
 */
static const struct persons *
plan_persons(struct pstate *ps)
{
	if (!persons_current(ps->people, ps->plan)) {
		persons_free(ps->people);
		ps->people = persons_index(ps->plan);
	}
	return ps->people;
}

size_t
feeds_select(struct pstate *ps, const char *kind, const char *subject, size_t **out)
{
	const struct plan *p = ps->plan;
	const char *slash = strchr(subject, '/');
	size_t plen = slash ? (size_t)(slash - subject) : strlen(subject), j, n;
	const size_t *run;

	if (strcmp(kind, "person") == 0) {
		n = persons_find(plan_persons(ps), subject, &run);
		*out = xcalloc(n ? n : 1, sizeof(size_t));
		memcpy(*out, run, n * sizeof(size_t));
		return n;
	}
	/* Another plan's feed holds nothing of this one. */
	if (strlen(p->id) != plen || strncmp(p->id, subject, plen) != 0) {
		*out = xcalloc(1, sizeof(size_t));
		return 0;
	}
	*out = xcalloc(p->ninst ? p->ninst : 1, sizeof(size_t));
	n = 0;
	for (j = 0; j < p->ninst; j++)
		if (feeds_holds(p, &p->inst[j], kind, subject))
			(*out)[n++] = j;
	return n;
}

struct selection {
	struct ical_part	*parts;
	size_t			 nparts;
	size_t			**idx;
	char			*calname;
};

static void
selection_free(struct selection *s)
{
	size_t i;

	for (i = 0; i < s->nparts; i++)
		free(s->idx[i]);
	free(s->idx);
	free(s->parts);
	free(s->calname);
}

int
feeds_holds(const struct plan *p, const struct instance *in, const char *kind,
    const char *subject)
{
	const char *slash = strchr(subject, '/');
	size_t plen = slash ? (size_t)(slash - subject) : strlen(subject);

	if (strcmp(kind, "person") == 0)
		return persons_acts(p, in, subject);
	if (strlen(p->id) != plen || strncmp(p->id, subject, plen) != 0)
		return 0;
	/* A party's feed has its own steps and the ones all parties share. */
	return strcmp(kind, "party") != 0 || in->party == NULL ||
	    (slash != NULL && strcmp(in->party->id, slash + 1) == 0);
}

int
feeds_token_view(struct termijnd *d, const char *token, char **kind, char **subject)
{
	struct ftoken *t;

	if (d->feeds == NULL || strlen(token) != TOKEN_CHARS ||
	    (t = feed_by_token(d->feeds, token)) == NULL)
		return -1;
	*kind = xstrdup(t->c->kind);
	*subject = xstrdup(t->c->subject);
	return 0;
}

static void
select_feed(struct termijnd *d, const char *kind, const char *subject, struct selection *s)
{
	struct engine *e = &d->engine;
	const char *slash = strchr(subject, '/');
	int person = strcmp(kind, "person") == 0;
	struct pstate *only = NULL;
	char *id;
	size_t i, n;

	memset(s, 0, sizeof(*s));
	/* A plan's or party's feed is of one plan, found by its id; a person's, of any. */
	if (!person) {
		id = xstrndup(subject, slash ? (size_t)(slash - subject) : strlen(subject));
		only = engine_plan(e, id);
		free(id);
	}
	s->parts = xcalloc(e->nplans ? e->nplans : 1, sizeof(*s->parts));
	s->idx = xcalloc(e->nplans ? e->nplans : 1, sizeof(*s->idx));
	for (i = 0; i < e->nplans; i++) {
		struct pstate *ps = &e->plans[i];
		struct plan *p = ps->plan;

		if (!person && ps != only)
			continue;
		n = feeds_select(ps, kind, subject, &s->idx[s->nparts]);
		if (n == 0 && person) {
			free(s->idx[s->nparts]);
			continue;
		}
		s->parts[s->nparts].plan = p;
		s->parts[s->nparts].states = ps->st;
		s->parts[s->nparts].inst = s->idx[s->nparts];
		s->parts[s->nparts].n = n;
		s->parts[s->nparts].sequence = ps->seq;
		s->parts[s->nparts].plan_stamp = ps->stamp;
		if (s->calname == NULL && strcmp(kind, "party") == 0) {
			struct party *pt = plan_party(p, slash + 1);

			xasprintf(&s->calname, "%s — %s", p->title, pt && pt->name ? pt->name :
			    slash + 1);
		} else if (s->calname == NULL && strcmp(kind, "plan") == 0)
			s->calname = xstrdup(p->title);
		s->nparts++;
	}
	if (s->calname == NULL)
		xasprintf(&s->calname, "termijn — %s", subject);
}

/*
 * A strong validator from the bytes themselves, so it survives a restart. It guards no
 * secret: FNV-1a over 8 bytes at a time and the length, about ten times SHA-256's speed
 * (a 10,000-milestone feed is 5.8 MB).
 */
#define FNV_START	14695981039346656037ULL

/* The hash over body[from, to): whole words while they last, then the bytes (at the end). */
static uint64_t
fnv_step(uint64_t h, const char *body, size_t from, size_t to)
{
	uint64_t w;
	size_t i;

	for (i = from; i + 8 <= to; i += 8) {
		memcpy(&w, body + i, 8);
		h = (h ^ w) * 1099511628211ULL;
	}
	for (; i < to; i++)
		h = (h ^ (unsigned char)body[i]) * 1099511628211ULL;
	return h;
}

static void
etag_set(struct fcache *c, uint64_t h, size_t len)
{
	snprintf(c->etag, sizeof(c->etag), "\"%016llx-%zx\"", (unsigned long long)h, len);
	snprintf(c->etag_gz, sizeof(c->etag_gz), "\"%016llx-%zx-gz\"", (unsigned long long)h,
	    len);
}

/*
 * A feed is rendered and compressed a slice at a time, one slice a loop turn, so that a
 * feed of 100,000 milestones (some 50 MB) does not hold up every other request for a
 * second (issue 8). Requests for it wait on the job and are answered when it is done.
 *
 * On the loop, not in a thread: plans and states change in place on the loop (a done, a
 * retitle, a reload), so a thread would need a deep copy of them made on the loop first,
 * which costs about what rendering does. Between slices the states may change. Each event
 * is written whole from the states of one moment, with its own DTSTAMP and SEQUENCE from
 * those same states, so every event is right for some moment of the render; the body as a
 * whole may mix moments. It is kept as of the plans' generations as the job began, so
 * the next request after such a change renders again; and its Last-Modified is the data's
 * as the job began, so that If-Modified-Since never answers 304 for bytes made after a
 * change that the body may lack. The ETag is the bytes' own.
 */
#define RENDER_SLICE	0.004		/* seconds of rendering a loop turn, about */
#define RENDER_STEP	64		/* instances rendered between looks at the clock */
#define GZIP_SLICE	(1 << 20)	/* bytes: some 10 ms */
#define COPY_SLICE	(2 << 20)	/* bytes copied (into new pages) and hashed: some 3 ms */

struct waiter {
	struct evhttp_request	*req;
	int			 gz;
	int64_t			 feed_id;	/* whose token asked: a revoke answers it */
};

struct fjob {
	struct feeds		*f;
	struct fcache		*c;
	struct event		*ev;
	struct selection	 s;
	char			**plan_ids;	/* to see that no plan went meanwhile */
	unsigned long		*revisions;	/* each plan's revision at the start */
	struct ical_feed_opts	 opts;
	struct ical_job		*ij;
	size_t			 part, pos;
	/* Putting the bytes together, then hashing them for the ETag, a slice a turn. */
	char			*body;
	size_t			 bodymap;	/* body is pagesend_alloc'd: its bytes */
	size_t			 len, hlen, copied, hashed;
	uint64_t		 hash;
	struct fdeps		 deps;		/* what it shows, as it began */
	int64_t			 now;
	int64_t			 modified;	/* the data's last change as the job began */
	int64_t			 modified_next;	/* and when time alone changes that */
	z_stream		 z;		/* compressing, once rendered */
	int			 zing;
	char			*zout;
	size_t			 zcap;
	struct waiter		*wait;
	size_t			 nwait, capwait;
};

static void	http_date(int64_t, char *, size_t);
static void	serve_ready(struct feeds *, struct fcache *, struct evhttp_request *, int gz);
static void	job_start(struct feeds *, struct fcache *);
static void	reply_text(struct evhttp_request *, int, const char *, const char *,
		    const char *);

static void
job_free(struct fjob *j)
{
	size_t i;

	for (i = 0; i < j->s.nparts; i++)
		free(j->plan_ids[i]);
	free(j->plan_ids);
	free(j->revisions);
	fdeps_clear(&j->deps);
	selection_free(&j->s);
	ical_job_free(j->ij);
	if (j->bodymap > 0)
		pagesend_free(j->body, j->bodymap);
	else
		free(j->body);
	if (j->zing)
		deflateEnd(&j->z);
	free(j->zout);
	event_free(j->ev);
	free(j->wait);
	j->c->job = NULL;
	/* Its events were as big as the feed. */
	if (j->len >= MEMORY_BIG)
		memory_trim_soon();
	free(j);
}

/* A request that waited for a feed that cannot be had now: to come back for. */
static void
answer_later(struct evhttp_request *req)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "5");
	reply_text(req, 503, "Service Unavailable", "text/plain",
	    "the feed cannot be made now; try again\n");
}

/* A token revoked: its requests waiting for c's rendering (shared) are not served it. */
static void
job_forget(struct fcache *c, int64_t feed_id)
{
	struct fjob *j = c->job;
	size_t i, k;

	for (i = k = 0; j != NULL && i < j->nwait; i++)
		if (j->wait[i].feed_id == feed_id)
			answer_later(j->wait[i].req);
		else
			j->wait[k++] = j->wait[i];
	if (j != NULL)
		j->nwait = k;
}

/* The waiters get their answer: the feed, or (ok 0) a 503 to come back for. */
static void
job_done(struct fjob *j, int ok)
{
	struct feeds *f = j->f;
	struct fcache *c = j->c;
	struct waiter *w = j->wait;
	size_t i, n = j->nwait;

	j->wait = NULL;
	j->nwait = 0;
	job_free(j);
	for (i = 0; i < n; i++) {
		if (!ok)
			answer_later(w[i].req);
		else if (w[i].gz && c->gz == NULL) {
			/* Compress first (a job of its own): this one waits on. */
			if (c->job == NULL)
				job_start(f, c);
			if (c->job != NULL) {
				XGROW(c->job->wait, c->job->nwait, c->job->capwait);
				c->job->wait[c->job->nwait++] = w[i];
			} else
				serve_ready(f, c, w[i].req, 0);
		} else
			serve_ready(f, c, w[i].req, w[i].gz);
	}
	free(w);
}

/* Still the plans it began with? A reload, an addition or a part moves them: begin again. */
static int
job_plans_hold(struct fjob *j)
{
	struct pstate *ps;
	size_t i;

	for (i = 0; i < j->s.nparts; i++) {
		ps = engine_plan(&j->f->d->engine, j->plan_ids[i]);
		if (ps == NULL || ps->plan != j->s.parts[i].plan ||
		    ps->plan->revision != j->revisions[i])
			return 0;
		/* States and sequences may have been reallocated: take them afresh. */
		j->s.parts[i].states = ps->st;
		j->s.parts[i].sequence = ps->seq;
	}
	return 1;
}

static int
job_render_slice(struct fjob *j)
{
	struct feeds *f = j->f;
	struct fcache *c = j->c;
	char *cause = NULL, *head, was[sizeof(c->etag)];
	const char *ev;
	size_t elen, n, end;
	double t0 = clock_mono();
	int rc;

	/* Instances cost what they show: a slice is a time, not a count. */
	while (j->part < j->s.nparts) {
		if ((rc = ical_job_part(j->ij, &j->s.parts[j->part], &j->pos, RENDER_STEP,
		    &cause)) == -1)
			goto fail;
		if (rc == 1) {
			j->part++;
			j->pos = 0;
		}
		if (clock_mono() - t0 >= RENDER_SLICE)
			return 0;
	}
	if (j->body == NULL) {
		/* The head, now that the zones are known; the events follow, in slices. */
		if ((head = ical_job_head(j->ij, &j->hlen, &cause)) == NULL)
			goto fail;
		ical_job_events(j->ij, &elen);
		j->len = j->hlen + elen + strlen(ICAL_TAIL);
		/* Big ones on pages of their own, sent by reference (pagesend.c). */
		if ((j->body = pagesend_alloc(j->len + 1)) != NULL)
			j->bodymap = j->len + 1;
		else
			j->body = xmalloc(j->len + 1);
		memcpy(j->body, head, j->hlen);
		free(head);
		j->copied = j->hlen;
		j->hash = FNV_START;
		return 0;
	}
	ev = ical_job_events(j->ij, &elen);
	if (j->copied < j->len) {
		/* The events left (none, for an empty feed), then the tail. */
		n = j->hlen + elen - j->copied;
		n = n > COPY_SLICE ? COPY_SLICE : n;
		memcpy(j->body + j->copied, ev + (j->copied - j->hlen), n);
		if ((j->copied += n) == j->hlen + elen) {
			memcpy(j->body + j->copied, ICAL_TAIL, strlen(ICAL_TAIL) + 1);
			j->copied = j->len;
		}
		/* Whole words of what is copied; the last bytes once all is. */
		end = j->copied == j->len ? j->len : j->copied & ~(size_t)7;
		j->hash = fnv_step(j->hash, j->body, j->hashed, end);
		j->hashed = end;
		if (j->copied < j->len)
			return 0;
	}
	fcache_clear_render(f, c);
	if (j->bodymap > 0) {
		pagesend_seal(j->body, j->bodymap);
		c->body = blob_paged(j->body, j->len, j->bodymap);
	} else
		c->body = blob_new(j->body, j->len);
	j->body = NULL;
	j->bodymap = 0;
	fcache_touch(f, c, c->body->len);
	fcache_trim(f, c);
	memcpy(was, c->etag, sizeof(was));
	etag_set(c, j->hash, j->len);
	/* Dropped for room, or made again for a change it does not show (issue 13). */
	if (strcmp(was, c->etag) == 0)
		f->stats.renders_same++;
	c->modified = j->modified;
	http_date(c->modified, c->lastmod, sizeof(c->lastmod));
	c->valid_from = j->now;
	c->valid_until = ical_job_next(j->ij);
	if (j->modified_next < c->valid_until)
		c->valid_until = j->modified_next;
	/* What changed while it was made shows at the next request. */
	fdeps_clear(&c->deps);
	c->deps = j->deps;
	memset(&j->deps, 0, sizeof(j->deps));
	f->stats.renders++;
	return 1;
fail:
	log_warnx("feed of %s %s: %s", c->kind, c->subject, cause ? cause : "cannot render");
	free(cause);
	return -1;
}

static int
job_gzip_slice(struct fjob *j)
{
	struct fcache *c = j->c;
	size_t in = c->body->len - j->z.total_in, take = in > GZIP_SLICE ? GZIP_SLICE : in;
	int rc;

	if (!j->zing) {
		memset(&j->z, 0, sizeof(j->z));
		/* 31: a gzip header and trailer. Level 3: repetitive text; more costs more. */
		if (deflateInit2(&j->z, 3, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return -1;
		j->zing = 1;
		j->zcap = compressBound((uLong)c->body->len) + 64;
		j->zout = xmalloc(j->zcap);
		j->z.next_out = (Bytef *)j->zout;
		j->z.avail_out = (uInt)j->zcap;
	}
	j->z.next_in = (Bytef *)(uintptr_t)(c->body->p + j->z.total_in);
	j->z.avail_in = (uInt)take;
	rc = deflate(&j->z, take == in ? Z_FINISH : Z_NO_FLUSH);
	if (rc == Z_STREAM_END) {
		/* Room was made for the worst case, the feed's size: keep what it came to. */
		c->gz = blob_new(xreallocarray(j->zout, j->z.total_out ? j->z.total_out : 1, 1),
		    j->z.total_out);
		j->zout = NULL;
		fcache_touch(j->f, c, c->gz->len);
		fcache_trim(j->f, c);
		return 1;
	}
	return rc == Z_OK || rc == Z_BUF_ERROR ? 0 : -1;
}

/* The next slice after the loop has looked at its sockets (an active event would run in
 * the same pass, before any of them). */
static void
job_next(struct fjob *j)
{
	static const struct timeval now = { 0, 0 };

	evtimer_add(j->ev, &now);
}

static void	job_slice(struct fjob *);

static void
job_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct feeds *f = ((struct fjob *)arg)->f;
	double t0 = clock_mono(), dt;

	(void)fd;
	(void)ev;
	job_slice(arg);
	if ((dt = clock_mono() - t0) > f->stats.longest_slice)
		f->stats.longest_slice = dt;
}

static void
job_slice(struct fjob *j)
{
	int rc;

	if (j->c->body == NULL || j->ij != NULL) {
		if (!job_plans_hold(j)) {
			/* Begin again on the plans as they are now; the waiters stay. */
			struct feeds *f = j->f;
			struct fcache *c = j->c;
			struct waiter *w = j->wait;
			size_t n = j->nwait, cap = j->capwait;

			j->wait = NULL;
			job_free(j);
			job_start(f, c);
			if (c->job == NULL) {
				for (; n > 0; n--)
					reply_text(w[n - 1].req, 500, "Internal Server Error",
					    "text/plain", "cannot render\n");
				free(w);
				return;
			}
			c->job->wait = w;
			c->job->nwait = n;
			c->job->capwait = cap;
			return;
		}
		rc = job_render_slice(j);
	} else
		rc = job_gzip_slice(j);
	if (rc == 0)
		job_next(j);
	else
		job_done(j, rc == 1);
}

/* Render c, or compress it when its bytes hold already. */
static void
job_start(struct feeds *f, struct fcache *c)
{
	struct termijnd *d = f->d;
	struct fjob *j = xcalloc(1, sizeof(*j));
	const struct plan **plans;
	char *cause = NULL;
	size_t i;

	j->f = f;
	j->c = c;
	j->now = clock_now();
	if ((j->ev = evtimer_new(d->base, job_cb, j)) == NULL)
		fatalx("evtimer_new");
	/* Below requests, beside the group commit: a change is answered between slices. */
	event_priority_set(j->ev, 2);
	c->job = j;
	if (c->body == NULL) {
		select_feed(d, c->kind, c->subject, &j->s);
		j->plan_ids = xcalloc(j->s.nparts ? j->s.nparts : 1, sizeof(char *));
		j->revisions = xcalloc(j->s.nparts ? j->s.nparts : 1, sizeof(unsigned long));
		plans = xcalloc(j->s.nparts ? j->s.nparts : 1, sizeof(*plans));
		for (i = 0; i < j->s.nparts; i++) {
			j->plan_ids[i] = xstrdup(j->s.parts[i].plan->id);
			j->revisions[i] = j->s.parts[i].plan->revision;
			plans[i] = j->s.parts[i].plan;
		}
		fdeps_take(&d->engine, plans, j->s.nparts, &j->deps);
		free(plans);
		j->modified = ical_modified(j->s.parts, j->s.nparts, j->now, &j->modified_next);
		j->opts.calname = j->s.calname;
		j->opts.refresh_minutes = d->conf->feed_refresh;
		if ((j->ij = ical_job_new(j->s.nparts > 0 ? j->s.parts[0].plan : NULL, &j->opts,
		    j->now, &cause)) == NULL) {
			log_warnx("feed of %s %s: %s", c->kind, c->subject, cause);
			free(cause);
			job_free(j);
			return;
		}
	}
	job_next(j);
}

static void
job_cancel(struct fcache *c)
{
	if (c->job != NULL)
		job_done(c->job, 0);
}

/* ---- HTTP ---- */

static void
http_date(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/*
 * Every answer with a body goes through here: libevent 2.1 sends the body of a HEAD
 * answer too, which a keep-alive client then reads as the start of the next answer.
 */
static void
send_reply(struct evhttp_request *req, int code, const char *reason, struct evbuffer *b)
{
	char clen[32];

	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		snprintf(clen, sizeof(clen), "%zu", evbuffer_get_length(b));
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Length", clen);
		evhttp_send_reply(req, code, reason, NULL);
	} else
		evhttp_send_reply(req, code, reason, b);
}

static void
reply_text(struct evhttp_request *req, int code, const char *reason, const char *type,
    const char *text)
{
	struct evbuffer *b = evbuffer_new();

	evbuffer_add(b, text, strlen(text));
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", type);
	send_reply(req, code, reason, b);
	evbuffer_free(b);
}

/* Wrong, revoked and malformed tokens all get these same bytes. */
static void
not_found(struct feeds *f, struct evhttp_request *req)
{
	f->stats.not_found++;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	reply_text(req, 404, "Not Found", "text/plain; charset=utf-8", "not found\n");
}

/* Does a request with these validators hold c's last rendering already? */
static int
validators_hold(const struct fcache *c, int gz, const char *inm, const char *ims)
{
	int64_t since;

	return (inm != NULL && feedreq_etag_matches(inm, gz ? c->etag_gz : c->etag)) ||
	    (inm == NULL && ims != NULL && http_date_parse(ims, &since) == 0 &&
	    since >= c->modified);
}

/* What a request for c gets (counted): 304 when its validators hold, else 200. */
static int
feed_status(struct feeds *f, struct fcache *c, int gz, const char *inm, const char *ims)
{
	if (validators_hold(c, gz, inm, ims)) {
		f->stats.not_modified++;
		return 304;
	}
	f->stats.ok++;
	fcache_touch(f, c, 0);
	return 200;
}

/* Are c's bytes those of the data as it is now? */
static int
feed_current(struct feeds *f, struct fcache *c)
{
	return fcache_fresh(f, c, clock_now());
}

/* Answer with the bytes of c as they are now (gz: compressed, which c->gz must hold). */
static void
serve_ready(struct feeds *f, struct fcache *c, struct evhttp_request *req, int gz)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct blob *bl = gz ? c->gz : c->body;
	struct evbuffer *b;

	evhttp_add_header(out, "ETag", gz ? c->etag_gz : c->etag);
	evhttp_add_header(out, "Last-Modified", c->lastmod);
	evhttp_add_header(out, "Cache-Control", f->cache_control);
	evhttp_add_header(out, "Vary", "Accept-Encoding");
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	if (feed_status(f, c, gz, evhttp_find_header(in, "If-None-Match"),
	    evhttp_find_header(in, "If-Modified-Since")) == 304) {
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		return;
	}
	evhttp_add_header(out, "Content-Type", "text/calendar; charset=utf-8");
	evhttp_add_header(out, "Content-Disposition", "inline; filename=\"termijn.ics\"");
	if (gz)
		evhttp_add_header(out, "Content-Encoding", "gzip");
	b = evbuffer_new();
	/* The cached bytes go out by reference, kept until sent even if re-rendered. */
	bl->refs++;
	evbuffer_add_reference(b, bl->p, bl->len, blob_sent_cb, bl);
	send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
serve_feed(struct feeds *f, struct evhttp_request *req, const char *rest)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	char token[TOKEN_CHARS + 1];
	struct ftoken *t;
	struct fcache *c;
	int gz;

	if (feedreq_token(rest, token) == -1 || (t = feed_by_token(f, token)) == NULL) {
		not_found(f, req);
		return;
	}
	c = t->c;
	gz = feedreq_gzip(evhttp_find_header(in, "Accept-Encoding"));
	if (c->job == NULL && c->body != NULL && !feed_current(f, c))
		fcache_clear_render(f, c);
	/*
	 * Its bytes dropped for room, nothing it shows changed: the validators kept answer a
	 * calendar's conditional request without rendering it again (10,000 feeds polled in
	 * turn find few in a cache that holds some of them).
	 */
	if (c->job == NULL && c->body == NULL && c->etag[0] != '\0' && feed_current(f, c) &&
	    validators_hold(c, gz, evhttp_find_header(in, "If-None-Match"),
	    evhttp_find_header(in, "If-Modified-Since"))) {
		serve_ready(f, c, req, gz);
		return;
	}
	/* Compressed on the first request that wants it, once per rendering. */
	if (c->job == NULL && c->body != NULL && (!gz || c->gz != NULL)) {
		serve_ready(f, c, req, gz);
		return;
	}
	if (c->job == NULL)
		job_start(f, c);
	if (c->job == NULL) {
		reply_text(req, 500, "Internal Server Error", "text/plain", "cannot render\n");
		return;
	}
	XGROW(c->job->wait, c->job->nwait, c->job->capwait);
	c->job->wait[c->job->nwait].req = req;
	c->job->wait[c->job->nwait].feed_id = t->feed_id;
	c->job->wait[c->job->nwait++].gz = gz;
}

static int
peer_loopback(struct evhttp_request *req)
{
	struct evhttp_connection *con = evhttp_request_get_connection(req);
	char *addr = NULL;
	ev_uint16_t port;

	if (con == NULL)
		return 0;
	evhttp_connection_get_peer(con, &addr, &port);
	return addr != NULL && (strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
	    strncmp(addr, "::ffff:127.", 11) == 0);
}

/* Degraded: running, but the database takes no writes (a full disk), so nothing changes. */
static void
serve_health(struct feeds *f, struct evhttp_request *req)
{
	struct store *s = f->d->engine.store;
	const char *werr = NULL;
	int schema = store_healthy(s), ok;
	json_t *o;
	char *text;

	store_writable(s, &werr);
	ok = schema && f->d->engine.nplans > 0 && werr == NULL;
	o = json_pack("{s:s, s:s, s:I}", "status", !schema || f->d->engine.nplans == 0 ?
	    "failing" : werr != NULL ? "degraded" : "ok", "database", !schema ? "failing" :
	    werr != NULL ? "not writable" : "ok", "plans", (json_int_t)f->d->engine.nplans);
	if (schema && werr != NULL)
		json_object_set_new(o, "reason", json_sprintf("the database cannot be written: %s",
		    werr));
	text = json_dumps(o, 0);
	json_decref(o);
	if (text == NULL)
		fatalx("json_dumps");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	reply_text(req, ok ? 200 : 503, ok ? "OK" : "Service Unavailable", "application/json", text);
	free(text);
}

static void
mcounts_free(struct feeds *f)
{
	size_t i;

	for (i = 0; i < f->nmc; i++) {
		free(f->mc[i].pre);
		free(f->mc[i].text);
	}
	free(f->mc);
	f->mc = NULL;
	f->nmc = 0;
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Count plan i's instances by derived state at now (see struct mcount). */
static void
mcount_plan(struct engine *e, size_t pi, struct mcount *m, int64_t now)
{
	const struct pstate *ps = &e->plans[pi], *q;
	const struct plan *p = ps->plan;
	const struct xlinks *xl = p->xl;
	const struct instance *in;
	char *t;
	size_t j, k;

	memset(m->n, 0, sizeof(m->n));
	m->from = now;
	m->until = INT64_MAX;
	for (j = 0; j < p->ninst; j++) {
		m->n[rules_derived(p, ps->st, j, now)]++;
		if (ps->st[j].status != ST_OPEN)
			continue;
		/* An open step's derived state changes by time alone at these. */
		in = &p->inst[j];
		if (in->deadline > now && in->deadline < m->until)
			m->until = in->deadline;
		if (in->opens > now && in->opens < m->until)
			m->until = in->opens;
		if (in->not_before > now && in->not_before < m->until)
			m->until = in->not_before;
	}
	free(m->pre);
	m->pre = xcalloc(xl != NULL && xl->npre ? xl->npre : 1, sizeof(size_t));
	m->npre = 0;
	for (j = 0; xl != NULL && j < xl->npre; j++)
		if ((q = engine_pstate(e, xl->pre[j].plan)) != NULL)
			m->pre[m->npre++] = (size_t)(q - e->plans);
	qsort(m->pre, m->npre, sizeof(size_t), cmp_size);
	for (j = k = 0; j < m->npre; j++)
		if (k == 0 || m->pre[k - 1] != m->pre[j])
			m->pre[k++] = m->pre[j];
	m->npre = k;
	m->at = e->generation;
	/* The lines too: a scrape of thousands of plans copies them, it does not format them. */
	free(m->text);
	m->text = xstrdup("");
	for (k = 0; k <= DV_WAIVED; k++) {
		xasprintf(&t, "%stermijn_milestones{plan=\"%s\",state=\"%s\"} %llu\n", m->text, p->id,
		    derived_name((enum derived)k), (unsigned long long)m->n[k]);
		free(m->text);
		m->text = t;
	}
	m->len = strlen(m->text);
}

/* Plan i's counts as of now: those kept, or counted again (see struct mcount). */
static const struct mcount *
mcounts(struct feeds *f, size_t i, int64_t now)
{
	struct engine *e = &f->d->engine;
	struct mcount *m;
	size_t k;

	if (f->mc_loaded != e->loaded || f->nmc != e->nplans) {
		mcounts_free(f);
		f->mc = xcalloc(e->nplans ? e->nplans : 1, sizeof(*f->mc));
		f->nmc = e->nplans;
		f->mc_loaded = e->loaded;
	}
	m = &f->mc[i];
	if (m->at != 0 && now >= m->from && now < m->until && e->plans[i].changed <= m->at) {
		for (k = 0; k < m->npre; k++)
			if (e->plans[m->pre[k]].changed > m->at)
				break;
		if (k == m->npre)
			return m;
	}
	mcount_plan(e, i, m, now);
	return m;
}

static void
metric(struct evbuffer *b, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
serve_metrics(struct feeds *f, struct evhttp_request *req)
{
	struct termijnd *d = f->d;
	struct evbuffer *b = evbuffer_new();
	const struct remind_stats *rs = remind_stats(d);
	static const char *ostates[] = { "pending", "sending", "sent", "failed", "cancelled" };
	int64_t now = clock_now(), n;
	const struct mcount *m;
	uint64_t cum;
	size_t i;

	metric(b, "termijn_milestones", "gauge", "Milestone instances by plan and derived state.");
	for (i = 0; i < d->engine.nplans; i++) {
		m = mcounts(f, i, now);
		evbuffer_add(b, m->text, m->len);
	}
	metric(b, "termijn_reminders", "gauge", "Reminders in the outbox by state.");
	for (i = 0; i < sizeof(ostates) / sizeof(ostates[0]); i++)
		if (store_outbox_count(d->engine.store, ostates[i], &n) == 0)
			evbuffer_add_printf(b, "termijn_reminders{state=\"%s\"} %lld\n", ostates[i],
			    (long long)n);
	metric(b, "termijn_smtp_attempts_total", "counter", "Messages handed to the mail "
	    "transport since start.");
	evbuffer_add_printf(b, "termijn_smtp_attempts_total %llu\n", (unsigned long long)(rs->sent +
	    rs->tempfail + rs->permfail));
	metric(b, "termijn_smtp_failures_total", "counter", "Failed attempts since start.");
	evbuffer_add_printf(b, "termijn_smtp_failures_total{kind=\"temporary\"} %llu\n",
	    (unsigned long long)rs->tempfail);
	evbuffer_add_printf(b, "termijn_smtp_failures_total{kind=\"permanent\"} %llu\n",
	    (unsigned long long)rs->permfail);
	metric(b, "termijn_feed_requests_total", "counter", "Feed requests by answer.");
	evbuffer_add_printf(b, "termijn_feed_requests_total{code=\"200\"} %llu\n",
	    (unsigned long long)f->stats.ok);
	evbuffer_add_printf(b, "termijn_feed_requests_total{code=\"304\"} %llu\n",
	    (unsigned long long)f->stats.not_modified);
	evbuffer_add_printf(b, "termijn_feed_requests_total{code=\"404\"} %llu\n",
	    (unsigned long long)f->stats.not_found);
	metric(b, "termijn_feed_fast_total", "counter", "Feed answers (200 and 304) sent from "
	    "the cache straight off the request's bytes, without evhttp.");
	evbuffer_add_printf(b, "termijn_feed_fast_total %llu\n", (unsigned long long)f->stats.fast);
	metric(b, "termijn_feed_paged_total", "counter", "Of those, the 200s whose plain body went "
	    "into the socket by reference to the cache's pages (vmsplice), not copied.");
	evbuffer_add_printf(b, "termijn_feed_paged_total %llu\n",
	    (unsigned long long)f->stats.paged);
	metric(b, "termijn_feed_renders_total", "counter", "Feeds rendered (cache misses).");
	evbuffer_add_printf(b, "termijn_feed_renders_total %llu\n",
	    (unsigned long long)f->stats.renders);
	metric(b, "termijn_feed_renders_same_total", "counter", "Of the feeds rendered, those "
	    "that came out as the rendering before (dropped for room, or a change not shown).");
	evbuffer_add_printf(b, "termijn_feed_renders_same_total %llu\n",
	    (unsigned long long)f->stats.renders_same);
	metric(b, "termijn_feed_cache_bytes", "gauge", "Bytes the rendered feeds hold in the "
	    "cache (feed-cache-mb is the budget).");
	evbuffer_add_printf(b, "termijn_feed_cache_bytes %zu\n", f->cached);
	metric(b, "termijn_feed_cache_dropped_total", "counter", "Rendered feeds dropped from "
	    "the cache to stay within feed-cache-mb.");
	evbuffer_add_printf(b, "termijn_feed_cache_dropped_total %llu\n",
	    (unsigned long long)f->stats.dropped);
	metric(b, "termijn_http_request_duration_seconds", "histogram", "Time to answer a "
	    "request on the HTTP listener.");
	cum = 0;
	for (i = 0; i < 12; i++) {
		cum += f->stats.latency_bucket[i];
		evbuffer_add_printf(b, "termijn_http_request_duration_seconds_bucket{le=\"%g\"} "
		    "%llu\n", latency_bounds[i], (unsigned long long)cum);
	}
	evbuffer_add_printf(b, "termijn_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
	    (unsigned long long)f->stats.requests);
	evbuffer_add_printf(b, "termijn_http_request_duration_seconds_sum %.6f\n",
	    f->stats.latency_sum);
	evbuffer_add_printf(b, "termijn_http_request_duration_seconds_count %llu\n",
	    (unsigned long long)f->stats.requests);
	metric(b, "termijn_http_connections", "gauge", "Connections open to the HTTP listener.");
	sweep(f);
	evbuffer_add_printf(b, "termijn_http_connections %zu\n", f->nlive);
	metric(b, "termijn_http_connections_closed_total", "counter", "Oldest connections "
	    "closed to make room at http-max-connections.");
	evbuffer_add_printf(b, "termijn_http_connections_closed_total %llu\n",
	    (unsigned long long)f->evicted);
	metric(b, "termijn_longest_callback_seconds", "gauge", "The longest one request (or "
	    "the group commit) held the event loop since start.");
	evbuffer_add_printf(b, "termijn_longest_callback_seconds{of=\"api\"} %.6f\n",
	    d->longest_api);
	evbuffer_add_printf(b, "termijn_longest_callback_seconds{of=\"commit\"} %.6f\n",
	    d->longest_commit);
	evbuffer_add_printf(b, "termijn_longest_callback_seconds{of=\"reload\"} %.6f\n",
	    d->longest_reload);
	evbuffer_add_printf(b, "termijn_longest_callback_seconds{of=\"http\"} %.6f\n",
	    f->stats.longest);
	evbuffer_add_printf(b, "termijn_longest_callback_seconds{of=\"feed-slice\"} %.6f\n",
	    f->stats.longest_slice);
	metric(b, "termijn_api_commits_total", "counter", "Database commits of API changes.");
	evbuffer_add_printf(b, "termijn_api_commits_total %llu\n", (unsigned long long)d->commits);
	metric(b, "termijn_api_changes_total", "counter", "API changes acknowledged.");
	evbuffer_add_printf(b, "termijn_api_changes_total %llu\n",
	    (unsigned long long)d->committed_writes);
	metric(b, "termijn_api_fast_total", "counter", "API dones read straight from the "
	    "request's bytes, without the general HTTP parser.");
	evbuffer_add_printf(b, "termijn_api_fast_total %llu\n", (unsigned long long)d->fast_dones);
	metric(b, "termijn_database_bytes", "gauge", "Size of the SQLite database.");
	evbuffer_add_printf(b, "termijn_database_bytes %lld\n", (long long)store_size(d->engine.store));
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/* A request answered (or handed to a job) since t0, in the figures of /metrics. */
static void
count_request(struct feeds *f, const struct timespec *t0)
{
	struct timespec t1;
	double dt;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	dt = (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
	/* Counted once answered, so that a scrape of /metrics does not count itself unfinished. */
	f->stats.requests++;
	f->stats.latency_sum += dt;
	if (dt > f->stats.longest)
		f->stats.longest = dt;
	for (i = 0; i < 12; i++)
		if (dt <= latency_bounds[i]) {
			f->stats.latency_bucket[i]++;
			break;
		}
}

static void	evhttp_done_cb(struct evhttp_request *, void *);

static void
http_cb(struct evhttp_request *req, void *arg)
{
	struct feeds *f = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Once answered, the fast path may read the connection again. */
	evhttp_request_set_on_complete_cb(req, evhttp_done_cb, f);
	if (path == NULL)
		path = "/";
	if (strncmp(path, "/api/", 5) == 0)
		/* The same API as on the socket, as the person whose token it is. */
		access_http(f->d, req);
	else if (act_dispatch(f->d, req, path))
		;	/* signing in and acting (act.c): methods of their own */
	else if (web_dispatch(f->d, req, path))
		;	/* the pages (web.c): methods of their own */
	else if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		reply_text(req, 405, "Method Not Allowed", "text/plain", "GET or HEAD\n");
	} else if (strncmp(path, "/feed/", 6) == 0)
		serve_feed(f, req, path + 6);
	else if (strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0) {
		if (f->d->conf->metrics_loopback && !peer_loopback(req))
			not_found(f, req);
		else if (path[1] == 'h')
			serve_health(f, req);
		else
			serve_metrics(f, req);
	} else
		not_found(f, req);
	count_request(f, &t0);
}

/* ---- the fast path: cached feeds answered from the bytes, before evhttp reads them ---- */

/*
 * evhttp 2.1 parses every request into lists of malloc'd headers and builds its answer in
 * evbuffers: some 40% of the CPU of a cached feed answer (issue 13). A request for a
 * feed that is cached and current, whole in the bytes just read at a request boundary, is
 * answered here instead, with the same bytes evhttp would send (tests/e2e/t-fastfeed.sh
 * compares them), in one write of the header and the cached body by reference (a big body
 * by reference to its pages, pagesend.c, as sendfile sends a file's). Anything
 * else (other paths, a feed to render or compress, a partial or odd request, a request
 * while evhttp has one under way) is left in the input as it came, for evhttp.
 *
 * It sits on the input buffer of the connection's bufferevent, which runs its callbacks
 * as the bytes are read, before evhttp's read callback looks at them. It is at a request
 * boundary while evhttp has none under way: from the start, and after evhttp completes
 * one with nothing more read.
 */

/* The head of c's answer as evhttp's serve_ready makes it, header by header in its order. */
static size_t
fast_head(const struct feeds *f, const struct fcache *c, int code, int gz, int head,
    size_t len, char *buf)
{
	char *p = buf, num[24];

	snprintf(num, sizeof(num), "%zu", len);
	p = http_put(p, code == 304 ? "HTTP/1.1 304 Not Modified\r\nETag: " :
	    "HTTP/1.1 200 OK\r\nETag: ");
	p = http_put(p, gz ? c->etag_gz : c->etag);
	p = http_put(p, "\r\nLast-Modified: ");
	p = http_put(p, c->lastmod);
	p = http_put(p, "\r\nCache-Control: ");
	p = http_put(p, f->cache_control);
	p = http_put(p, "\r\nVary: Accept-Encoding\r\nX-Content-Type-Options: nosniff\r\n");
	if (code == 200) {
		p = http_put(p, "Content-Type: text/calendar; charset=utf-8\r\n"
		    "Content-Disposition: inline; filename=\"termijn.ics\"\r\n");
		if (gz)
			p = http_put(p, "Content-Encoding: gzip\r\n");
		/* send_reply gives a HEAD its length; evhttp adds a GET's after the date. */
		if (head)
			p = http_put(http_put(http_put(p, "Content-Length: "), num), "\r\n");
	}
	p = http_put(http_put(http_put(p, "Date: "), http_date_now()), "\r\n");
	if (code == 200 && !head)
		p = http_put(http_put(http_put(p, "Content-Length: "), num), "\r\n");
	p = http_put(p, "\r\n");
	return (size_t)(p - buf);
}

static void	fast_take(struct feeds *, struct conn_age *);

/* Our answer is out: evhttp's callbacks back, and the next request read. */
static void
held_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn_age *a = arg;

	a->holding = 0;
	bufferevent_setcb(bev, a->rcb, a->wcb, a->ecb, a->cbarg);
	bufferevent_disable(bev, EV_WRITE);
	bufferevent_enable(bev, EV_READ);
	/* Pipelined requests read before: ours, or evhttp's to read now (as its own deferred
	 * read would). */
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0) {
		fast_take(a->f, a);
		if (a->evhttp && a->rcb != NULL)
			a->rcb(bev, a->cbarg);
	}
}

/* The peer went, or did not take the answer in time: evhttp closes as it would. */
static void
held_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn_age *a = arg;

	a->holding = 0;
	a->evhttp = 1;
	bufferevent_setcb(bev, a->rcb, a->wcb, a->ecb, a->cbarg);
	if (a->ecb != NULL)
		a->ecb(bev, what, a->cbarg);
}

/*
 * Send head and body (bl, or NULL) now, a body on pages of its own by reference to them
 * (pagesend.c: the kernel may read them after the cache let go, so they are never written
 * and are unmapped, not freed); what the socket does not take goes out through the
 * bufferevent (the body still by reference), evhttp's callbacks set aside meanwhile: evhttp
 * thinks the connection idle and would take our drained output for its own. Reading waits.
 */
static void
fast_send(struct conn_age *a, const char *head, size_t hlen, struct blob *bl)
{
	struct iovec iov[2] = { { (void *)(uintptr_t)head, hlen }, { NULL, 0 } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = bl != NULL ? 2 : 1 };
	struct evbuffer *out = bufferevent_get_output(a->bev);
	size_t total = hlen, off;
	ssize_t n;
	int byref;

	if (bl != NULL) {
		iov[1].iov_base = bl->p;
		iov[1].iov_len = bl->len;
		total += bl->len;
	}
	if (bl != NULL && bl->map > 0) {
		n = pagesend(a->fd, head, hlen, bl->p, bl->len, &byref);
		a->f->stats.paged += (uint64_t)byref;
	} else
		n = sendmsg(a->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			/* Gone: evhttp reads the end and closes. */
			shutdown(a->fd, SHUT_RDWR);
			return;
		}
		n = 0;
	}
	if ((size_t)n == total)
		return;
	off = (size_t)n;
	if (off < hlen) {
		evbuffer_add(out, head + off, hlen - off);
		off = hlen;
	}
	if (bl != NULL) {
		bl->refs++;
		evbuffer_add_reference(out, bl->p + (off - hlen), bl->len - (off - hlen),
		    blob_sent_cb, bl);
	}
	bufferevent_getcb(a->bev, &a->rcb, &a->wcb, &a->ecb, &a->cbarg);
	bufferevent_setcb(a->bev, NULL, held_write_cb, held_event_cb, a);
	bufferevent_disable(a->bev, EV_READ);
	bufferevent_enable(a->bev, EV_WRITE);
	a->holding = 1;
}

/* Answer w if its feed is cached and current: 1, or 0 to leave it to evhttp. */
static int
fast_answer(struct feeds *f, struct conn_age *a, const struct feedwire *w)
{
	unsigned char hash[32];
	char head[1024];
	struct timespec t0;
	struct fcache *c;
	size_t hlen;
	int gz, code;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	sha256(w->token, FEED_TOKEN_CHARS, hash);
	gz = w->has_ae && feedreq_gzip(w->ae);
	/* Tokens the table does not hold yet, and feeds to make, evhttp's serve_feed does. */
	if ((c = feed_in_memory(f, hash)) == NULL || c->job != NULL || c->body == NULL ||
	    !feed_current(f, c) || (gz && c->gz == NULL))
		return 0;
	code = feed_status(f, c, gz, w->has_inm ? w->inm : NULL, w->has_ims ? w->ims : NULL);
	hlen = fast_head(f, c, code, gz, w->head, (gz ? c->gz : c->body)->len, head);
	fast_send(a, head, hlen, code == 200 && !w->head ? (gz ? c->gz : c->body) : NULL);
	f->stats.fast++;
	count_request(f, &t0);
	return 1;
}

/* The requests whole in the input, while they are fast ones. */
static void
fast_take(struct feeds *f, struct conn_age *a)
{
	struct evbuffer *in = bufferevent_get_input(a->bev);
	struct feedwire w;
	size_t len, n;
	const char *p;

	a->taking = 1;
	while (!a->evhttp && !a->holding && (len = evbuffer_get_length(in)) > 0) {
		/* Nothing of evhttp's may still be going out before our answer. */
		if (evbuffer_get_length(bufferevent_get_output(a->bev)) > 0) {
			a->evhttp = 1;
			break;
		}
		if (len > FEEDWIRE_MAX_HEAD)
			len = FEEDWIRE_MAX_HEAD;
		if ((p = (const char *)evbuffer_pullup(in, (ev_ssize_t)len)) == NULL ||
		    (n = feedwire_parse(p, len, &w)) == 0 || !fast_answer(f, a, &w)) {
			a->evhttp = 1;
			break;
		}
		evbuffer_drain(in, n);
	}
	a->taking = 0;
}

static void
fast_cb(struct evbuffer *in, const struct evbuffer_cb_info *info, void *arg)
{
	struct conn_age *a = arg;

	(void)in;
	if (info->n_added > 0 && !a->taking && !a->evhttp && !a->holding)
		fast_take(a->f, a);
}

/* evhttp has answered a request: with nothing more read, the next is at a boundary. */
static void
evhttp_done_cb(struct evhttp_request *req, void *arg)
{
	struct feeds *f = arg;
	struct evhttp_connection *con = evhttp_request_get_connection(req);
	struct bufferevent *bev = con != NULL ? evhttp_connection_get_bufferevent(con) : NULL;
	evutil_socket_t fd = bev != NULL ? bufferevent_getfd(bev) : -1;
	struct conn_age *a;

	if (fd < 0 || (size_t)fd >= f->nages || (a = f->ages[fd]) == NULL || a->bev != bev)
		return;
	if (evbuffer_get_length(bufferevent_get_input(bev)) == 0)
		a->evhttp = 0;
}

/* ---- connection age ---- */

static void
unlive(struct feeds *f, struct conn_age *a)
{
	if (!a->live)
		return;
	TAILQ_REMOVE(&f->live, a, entry);
	a->live = 0;
	f->nlive--;
}

static void
age_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct conn_age *a = arg;
	struct stat sb;

	(void)fd;
	(void)ev;
	/* Shut down, not close: evhttp still owns the fd and closes it on the error. */
	if (fstat(a->fd, &sb) == 0 && S_ISSOCK(sb.st_mode) && sb.st_ino == a->ino)
		shutdown(a->fd, SHUT_RDWR);
	a->ino = 0;
	unlive(a->f, a);
}

/* Is the connection still open? Its fd may be closed, or another file's by now. */
static int
still_open(const struct conn_age *a)
{
	struct stat sb;

	return a->ino != 0 && fstat(a->fd, &sb) == 0 && S_ISSOCK(sb.st_mode) &&
	    sb.st_ino == a->ino;
}

static void
sweep(struct feeds *f)
{
	struct conn_age *a, *next;

	for (a = TAILQ_FIRST(&f->live); a != NULL; a = next) {
		next = TAILQ_NEXT(a, entry);
		if (!still_open(a))
			unlive(f, a);
	}
}

/*
 * Over the cap: forget the closed, then shut the oldest down. Slow clients (slowloris) are
 * the old ones; a normal request is in and out in milliseconds. The full sweep is O(cap),
 * so at most once a second; in between the oldest are checked one by one.
 */
static void
make_room(struct feeds *f)
{
	struct conn_age *a;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec != f->swept.tv_sec) {
		f->swept = now;
		sweep(f);
	}
	while (f->nlive > f->cap && (a = TAILQ_FIRST(&f->live)) != NULL) {
		if (still_open(a)) {
			shutdown(a->fd, SHUT_RDWR);
			f->evicted++;
		}
		a->ino = 0;
		evtimer_del(a->ev);
		unlive(f, a);
	}
	if (f->evicted > 0 && time(NULL) - f->evict_logged >= 60) {
		log_warnx("feeds: %zu connections at once (http-max-connections): closing the "
		    "oldest; %llu so far", f->cap, (unsigned long long)f->evicted);
		f->evict_logged = time(NULL);
	}
}

/* Start the clock of a new connection, and put the fast path on its input. */
static void
arm_age(struct feeds *f, struct bufferevent *bev)
{
	evutil_socket_t fd = bufferevent_getfd(bev);
	struct conn_age *a;
	struct timeval tv;
	struct stat sb;

	if (fd < 0 || fstat(fd, &sb) == -1)
		return;
	if ((size_t)fd >= f->nages) {
		size_t n = (size_t)fd + 64, i;

		f->ages = xreallocarray(f->ages, n, sizeof(*f->ages));
		for (i = f->nages; i < n; i++)
			f->ages[i] = NULL;
		f->nages = n;
	}
	if ((a = f->ages[fd]) == NULL) {
		a = f->ages[fd] = xcalloc(1, sizeof(*a));
		a->f = f;
		a->fd = fd;
		a->ev = evtimer_new(f->d->base, age_cb, a);
	}
	a->ino = sb.st_ino;
	a->bev = bev;
	a->evhttp = a->holding = a->taking = 0;
	evbuffer_add_cb(bufferevent_get_input(bev), fast_cb, a);
	/* A reused fd number: whatever had it before is closed. */
	unlive(f, a);
	TAILQ_INSERT_TAIL(&f->live, a, entry);
	a->live = 1;
	if (++f->nlive > f->cap)
		make_room(f);
	/*
	 * libevent writes 16 KiB per loop pass; with Nagle each next piece waits for the
	 * client's delayed ACK, some 40 ms per answer over 16 KiB.
	 */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	tv.tv_sec = f->d->conf->http_max_age;
	tv.tv_usec = 0;
	evtimer_add(a->ev, &tv);
}

/*
 * evhttp 2.1 tells nobody of a new connection but through the bufferevent it asks for,
 * and sets its fd only after: the fd is read from a priority-0 event, which runs before
 * any read on the new connection could free it. A client that trickles its requests
 * byte by byte (inactivity timeouts never fire) is cut off after http-max-age.
 */
static struct bufferevent *
bev_cb(struct event_base *base, void *arg)
{
	struct feeds *f = arg;
	struct bufferevent *bev;

	if ((bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)) == NULL)
		return NULL;
	/*
	 * libevent writes at most 16 KiB a pass by default: a 58 KB feed took four writev
	 * calls and four epoll_ctl, each a loop pass apart. One write takes what the socket does.
	 */
	bufferevent_set_max_single_write(bev, MAX_SINGLE_WRITE);
	XGROW(f->fresh, f->nfresh, f->capfresh);
	f->fresh[f->nfresh++] = bev;
	event_active(f->fresh_ev, EV_TIMEOUT, 0);
	return bev;
}

static void
fresh_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct feeds *f = arg;
	size_t i;

	(void)fd;
	(void)ev;
	for (i = 0; i < f->nfresh; i++)
		arm_age(f, f->fresh[i]);
	f->nfresh = 0;
}


/* ---- start, stop ---- */

int
feeds_start(struct termijnd *d, char **cause)
{
	struct feeds *f;
	struct evhttp_bound_socket *bound;
	struct sockaddr_storage ss;
	struct rlimit rl;
	socklen_t len;
	char *host, *colon;
	long port;

	if (strcmp(d->conf->listen, "none") == 0)
		return 0;
	host = xstrdup(d->conf->listen);
	if ((colon = strrchr(host, ':')) == NULL || (port = strtol(colon + 1, NULL, 10)) < 0 ||
	    port > 65535) {
		xasprintf(cause, "listen: HOST:PORT, not \"%s\"", d->conf->listen);
		free(host);
		return -1;
	}
	*colon = '\0';
	if (host[0] == '[' && colon[-1] == ']') {
		colon[-1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	f = xcalloc(1, sizeof(*f));
	f->d = d;
	TAILQ_INIT(&f->live);
	TAILQ_INIT(&f->lru);
	f->cap = (size_t)d->conf->http_max_conns;
	snprintf(f->cache_control, sizeof(f->cache_control), "private, max-age=%d",
	    d->conf->feed_refresh * 60 / 4);
	/* Feed connections never take the descriptors the client socket needs. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < f->cap + FD_RESERVE + 4) {
		f->cap = rl.rlim_cur > FD_RESERVE + 4 ? rl.rlim_cur - FD_RESERVE : 4;
		log_warnx("feeds: at most %zu connections at once, not %d: the descriptor limit "
		    "is %llu (LimitNOFILE=)", f->cap, d->conf->http_max_conns,
		    (unsigned long long)rl.rlim_cur);
	}
	if ((f->http = evhttp_new(d->base)) == NULL)
		fatalx("evhttp_new");
	evhttp_set_max_headers_size(f->http, 8192);
	/* The API's bodies, as on the socket. */
	evhttp_set_max_body_size(f->http, 65536);
	evhttp_set_timeout(f->http, 10);
	evhttp_set_allowed_methods(f->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(f->http, http_cb, f);
	evhttp_set_bevcb(f->http, bev_cb, f);
	if (pagesend_init() == -1)
		log_warn("feeds: no pipe for sending cached feeds by reference; copying them");
	f->fresh_ev = event_new(d->base, -1, 0, fresh_cb, f);
	event_priority_set(f->fresh_ev, 0);
	if ((bound = evhttp_bind_socket_with_handle(f->http, host, (ev_uint16_t)port)) == NULL) {
		xasprintf(cause, "cannot listen on %s", d->conf->listen);
		evhttp_free(f->http);
		event_free(f->fresh_ev);
		free(f);
		free(host);
		return -1;
	}
	f->lev = evhttp_bound_socket_get_listener(bound);
	accept_guard(f->lev, "feeds");
	/* Port 0 asks the kernel for a free one (tests); say which it gave. */
	len = sizeof(ss);
	if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &len) == 0) {
		char a[INET6_ADDRSTRLEN];

		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
			snprintf(f->bound, sizeof(f->bound), "[%s]:%u", a, ntohs(s6->sin6_port));
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
			snprintf(f->bound, sizeof(f->bound), "%s:%u", a, ntohs(s4->sin_port));
		}
	}
	if (d->conf->public_url == NULL)
		xasprintf(&d->conf->public_url, "http://%s", f->bound);
	free(host);
	d->feeds = f;
	log_info("feeds on %s, published as %s", f->bound, d->conf->public_url);
	return 0;
}

void
feeds_stop(struct termijnd *d)
{
	struct feeds *f = d->feeds;
	size_t i;

	if (f == NULL)
		return;
	/* First: requests waiting on a feed being made are answered before evhttp goes. */
	feeds_flush(d);
	mcounts_free(f);
	free(f->tokens.b);
	free(f->subjects.b);
	evhttp_free(f->http);
	for (i = 0; i < f->nages; i++)
		if (f->ages[i] != NULL) {
			if (f->ages[i]->ev != NULL)
				event_free(f->ages[i]->ev);
			free(f->ages[i]);
		}
	free(f->ages);
	free(f->fresh);
	event_free(f->fresh_ev);
	pagesend_close();
	free(f);
	d->feeds = NULL;
}

void
feeds_pause(struct termijnd *d)
{
	if (d->feeds != NULL)
		evconnlistener_disable(d->feeds->lev);
}

const char *
feeds_address(struct termijnd *d)
{
	return d->feeds != NULL ? d->feeds->bound : NULL;
}

/* ---- tokens ---- */

static void
new_token(char out[TOKEN_CHARS + 1], unsigned char hash[32])
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char r[TOKEN_BYTES];
	size_t i, got = 0;
	ssize_t n;

	while (got < sizeof(r)) {
		if ((n = getrandom(r + got, sizeof(r) - got, 0)) == -1)
			fatal("getrandom");
		got += (size_t)n;
	}
	for (i = 0; i < TOKEN_BYTES / 3; i++) {
		uint32_t v = (uint32_t)r[3 * i] << 16 | (uint32_t)r[3 * i + 1] << 8 | r[3 * i + 2];

		out[4 * i] = b64[(v >> 18) & 63];
		out[4 * i + 1] = b64[(v >> 12) & 63];
		out[4 * i + 2] = b64[(v >> 6) & 63];
		out[4 * i + 3] = b64[v & 63];
	}
	out[TOKEN_CHARS] = '\0';
	sha256(out, TOKEN_CHARS, hash);
	explicit_bzero(r, sizeof(r));
}

json_t *
feeds_urls(struct termijnd *d, const char *token)
{
	const char *base = d->conf->public_url, *rest;
	char *https, *webcal;
	size_t blen = strlen(base);
	json_t *o;

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	xasprintf(&https, "%.*s/feed/%s.ics", (int)blen, base, token);
	rest = strstr(https, "://") + 3;
	/*
	 * webcal:// makes clients fetch over plain http: offered only where the feed is http,
	 * never for https, where it would send the token in clear.
	 */
	o = json_pack("{s:s}", "url", https);
	/* The page beside the calendar: the same token, exchanged for a cookie at once. */
	xasprintf(&webcal, "%.*s/feed/%s.html", (int)blen, base, token);
	json_object_set_new(o, "page", json_string(webcal));
	free(webcal);
	if (strncmp(base, "http://", 7) == 0) {
		xasprintf(&webcal, "webcal://%s", rest);
		json_object_set_new(o, "webcal", json_string(webcal));
		free(webcal);
	} else
		json_object_set_new(o, "webcal", json_null());
	free(https);
	return o;
}

/* The first plan in which the person acts on something, or NULL. */
struct pstate *
feeds_person_plan(struct termijnd *d, const char *addr)
{
	const size_t *run;
	size_t i;

	for (i = 0; i < d->engine.nplans; i++)
		if (persons_find(plan_persons(&d->engine.plans[i]), addr, &run) > 0)
			return &d->engine.plans[i];
	return NULL;
}

int
feeds_create(struct termijnd *d, const char *kind, const char *subject, const char *by,
    int64_t replaces, json_t **out, char **cause)
{
	char token[TOKEN_CHARS + 1], *plan;
	unsigned char hash[32];
	const char *slash;
	struct pstate *ps;
	int64_t id;

	if (kind == NULL || subject == NULL) {
		xasprintf(cause, _("kind (person, party or plan) and subject are required"));
		return 400;
	}
	if (strcmp(kind, "person") == 0) {
		if (!mail_addr_valid(subject)) {
			xasprintf(cause, _("a person is named by an e-mail address"));
			return 400;
		}
		if (feeds_person_plan(d, subject) == NULL) {
			xasprintf(cause, _("%s holds no role of any milestone in the plans"), subject);
			return 404;
		}
	} else if (strcmp(kind, "party") == 0) {
		if ((slash = strchr(subject, '/')) == NULL) {
			xasprintf(cause, _("a party is named PLAN/PARTY"));
			return 400;
		}
		plan = xstrndup(subject, (size_t)(slash - subject));
		ps = engine_plan(&d->engine, plan);
		free(plan);
		if (ps == NULL || plan_party(ps->plan, slash + 1) == NULL) {
			xasprintf(cause, _("no party %s"), subject);
			return 404;
		}
	} else if (strcmp(kind, "plan") == 0) {
		if (engine_plan(&d->engine, subject) == NULL) {
			xasprintf(cause, _("no plan %s"), subject);
			return 404;
		}
	} else {
		xasprintf(cause, _("kind: person, party or plan"));
		return 400;
	}
	new_token(token, hash);
	if (store_begin(d->engine.store) == -1 ||
	    (id = store_feed_add(d->engine.store, kind, subject, hash, clock_now(), by,
	    replaces)) == -1) {
		xasprintf(cause, _("database: %s"), store_error(d->engine.store));
		return 500;
	}
	*out = feeds_urls(d, token);
	json_object_set_new(*out, "id", json_integer(id));
	json_object_set_new(*out, "kind", json_string(kind));
	json_object_set_new(*out, "subject", json_string(subject));
	explicit_bzero(token, sizeof(token));
	log_info("%s created feed %lld (%s %s)", by, (long long)id, kind, subject);
	return 201;
}
