/* web.c: the HTML pages on the HTTP listener: their routes, who sees what, the answers. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "clock.h"
#include "feeds.h"
#include "form.h"
#include "html.h"
#include "i18n.h"
#include "lang.h"
#include "log.h"
#include "pages.h"
#include "store.h"
#include "termijnd.h"
#include "web.h"
#include "xmalloc.h"

#define VIEW_COOKIE	"termijn_view"
#define VIEW_BASE	"/view"
#define VIEW_MAX_AGE	(30 * 86400)

/* Who is looking: a feed's selection (kind person, party or plan, and its subject). */
struct viewer {
	char	*kind, *subject;
};

typedef void	 web_fn(struct termijnd *, struct evhttp_request *, const char *rest);

struct web_route {
	const char	*path;
	const char	*suffix;	/* non-NULL: path is a prefix, and this ends it */
	int		 methods;
	web_fn		*fn;
};

static web_fn	 feed_page, view_timeline, view_table, view_step;

#define GET_HEAD	(EVHTTP_REQ_GET | EVHTTP_REQ_HEAD)

/* Every page, by path; a new page is one line here. */
static const struct web_route routes[] = {
	{ "/feed/", ".html", GET_HEAD, feed_page },
	{ VIEW_BASE, NULL, GET_HEAD, view_timeline },
	{ VIEW_BASE "/table", NULL, GET_HEAD, view_table },
	{ VIEW_BASE "/step", NULL, GET_HEAD, view_step },
};

static void
free_cb(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	free(arg);
}

void
web_send(struct evhttp_request *req, int code, const char *reason, struct html *h)
{
	struct evbuffer *b = evbuffer_new();
	size_t len;
	char *p = html_steal(h, &len), clen[32];

	html_headers(evhttp_request_get_output_headers(req), 1);
	evbuffer_add_reference(b, p, len, free_cb, p);
	/* libevent 2.1 would send a HEAD answer's body too (see feeds.c). */
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		snprintf(clen, sizeof(clen), "%zu", len);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Length", clen);
		evhttp_send_reply(req, code, reason, NULL);
	} else
		evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

/* A short page that says one thing (an error, a pointer elsewhere), in this thread's language. */
static void
send_message(struct evhttp_request *req, int code, const char *reason, const char *title,
    const char *text)
{
	struct html h;

	html_init(&h);
	html_begin(&h, lang_name(msgcat_current()), title);
	html_put(&h, "<main>\n<h1>%s</h1>\n<p>%s</p>\n</main>\n", title, text);
	html_end(&h);
	web_send(req, code, reason, &h);
}

/*
 * For a page with no plan to go by: the reader's Accept-Language, else the plans' (the
 * first one's), as act.c's pages. Returns the language to go back to.
 */
static const struct msgcat *
use_reader_lang(struct termijnd *d, struct evhttp_request *req)
{
	const char *accept = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Accept-Language");

	if (accept == NULL && d->engine.nplans > 0)
		accept = d->engine.plans[0].plan->lang;
	return msgcat_use(lang_for(accept));
}

int
web_dispatch(struct termijnd *d, struct evhttp_request *req, const char *path)
{
	const struct web_route *r;
	const struct msgcat *old;
	size_t i, plen, slen;
	char allow[64];

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		r = &routes[i];
		plen = strlen(r->path);
		if (r->suffix == NULL ? strcmp(path, r->path) != 0 :
		    strncmp(path, r->path, plen) != 0 || strlen(path) < plen + (slen =
		    strlen(r->suffix)) || strcmp(path + strlen(path) - slen, r->suffix) != 0)
			continue;
		if ((evhttp_request_get_command(req) & r->methods) == 0) {
			snprintf(allow, sizeof(allow), "%s%s", r->methods & EVHTTP_REQ_GET ?
			    "GET, HEAD" : "", r->methods & EVHTTP_REQ_POST ? (r->methods &
			    EVHTTP_REQ_GET ? ", POST" : "POST") : "");
			evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
			old = use_reader_lang(d, req);
			send_message(req, 405, "Method Not Allowed", _("Method not allowed"), allow);
			msgcat_use(old);
			return 1;
		}
		r->fn(d, req, path + plen);
		return 1;
	}
	return 0;
}

/* ---- who is looking ---- */

/* The value of a cookie (a token) in the Cookie header, copied; NULL: none such. */
static char *
cookie(struct evhttp_request *req, const char *name)
{
	char v[WEB_TOKEN_CHARS + 2];

	if (cookie_get(evhttp_find_header(evhttp_request_get_input_headers(req), "Cookie"), name,
	    v, sizeof(v)) != 1)
		return NULL;
	return xstrdup(v);
}

static void
viewer_free(struct viewer *v)
{
	free(v->kind);
	free(v->subject);
	v->kind = v->subject = NULL;
}

/* The viewer of a request: its view cookie's feed; -1 (answered) when there is none. */
static int
viewer_of(struct termijnd *d, struct evhttp_request *req, struct viewer *v)
{
	char *tok = cookie(req, VIEW_COOKIE);
	int rc = tok != NULL ? feeds_token_view(d, tok, &v->kind, &v->subject) : -1;

	if (tok != NULL)
		explicit_bzero(tok, strlen(tok));
	free(tok);
	if (rc == -1) {
		const struct msgcat *old = use_reader_lang(d, req);

		send_message(req, 403, "Forbidden", _("Not allowed"),
		    _("Open the page link of a feed (termijn feeds create) to see this."));
		msgcat_use(old);
	}
	return rc;
}

/* ---- the view of a viewer ---- */

struct built {
	struct view		 v;
	struct view_part	*parts;
	char			*title;
	const struct msgcat	*old;
};

static void
build(struct termijnd *d, const struct viewer *w, struct evhttp_request *req, struct built *b)
{
	struct engine *e = &d->engine;
	struct evkeyvalq q;
	const char *from, *slash;
	struct party *pt;
	size_t i, n;

	memset(b, 0, sizeof(*b));
	b->parts = xcalloc(e->nplans ? e->nplans : 1, sizeof(*b->parts));
	for (i = 0; i < e->nplans; i++) {
		struct pstate *ps = &e->plans[i];
		size_t *sel;

		if ((n = feeds_select(ps, w->kind, w->subject, &sel)) == 0) {
			free(sel);
			continue;
		}
		b->parts[b->v.nparts].plan = ps->plan;
		b->parts[b->v.nparts].st = ps->st;
		b->parts[b->v.nparts].inst = sel;
		b->parts[b->v.nparts++].n = n;
	}
	b->v.parts = b->parts;
	b->v.now = clock_now();
	b->v.base = VIEW_BASE;
	b->v.rows = PAGES_ROWS;
	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req)) ?
	    evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req)) : "", &q) == 0 &&
	    (from = evhttp_find_header(&q, "from")) != NULL)
		b->v.from = strtoul(from, NULL, 10);
	evhttp_clear_headers(&q);
	/* The plans' language (the first one's, for a person's view of several). */
	b->old = msgcat_use(b->v.nparts > 0 ? lang_for(b->parts[0].plan->lang) : NULL);
	if (b->v.nparts == 0)
		b->title = xstrdup(w->subject);
	else if (strcmp(w->kind, "party") == 0 && (slash = strchr(w->subject, '/')) != NULL &&
	    (pt = plan_party(b->parts[0].plan, slash + 1)) != NULL)
		xasprintf(&b->title, "%s \u2014 %s", b->parts[0].plan->title, pt->name ? pt->name :
		    pt->id);
	else if (strcmp(w->kind, "person") == 0) {
		const char *name = plan_person_name(b->parts[0].plan, w->subject);

		b->title = xstrdup(name != NULL ? name : w->subject);
	} else
		b->title = xstrdup(b->parts[0].plan->title);
	b->v.title = b->title;
}

static void
built_free(struct built *b)
{
	size_t i;

	msgcat_use(b->old);
	for (i = 0; i < b->v.nparts; i++)
		free((void *)b->parts[i].inst);
	free(b->parts);
	free(b->title);
}

/* ---- the pages ---- */

/*
 * /feed/TOKEN.html: the token becomes a cookie for the view pages at once, and the browser
 * goes on to /view, so that the token stays out of every later address (history, logs).
 */
static void
feed_page(struct termijnd *d, struct evhttp_request *req, const char *rest)
{
	struct viewer w = { NULL, NULL };
	const struct msgcat *old;
	char *tok, *c;

	tok = xstrndup(rest, strlen(rest) - strlen(".html"));
	if (feeds_token_view(d, tok, &w.kind, &w.subject) == -1) {
		explicit_bzero(tok, strlen(tok));
		free(tok);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control",
		    "no-store");
		old = use_reader_lang(d, req);
		send_message(req, 404, "Not Found", _("Not found"),
		    _("This page link is not known (or no longer valid)."));
		msgcat_use(old);
		return;
	}
	xasprintf(&c, VIEW_COOKIE "=%s; Path=" VIEW_BASE "; Max-Age=%d; HttpOnly; "
	    "SameSite=Lax%s", tok, VIEW_MAX_AGE, strncmp(d->conf->public_url, "https:", 6) == 0 ?
	    "; Secure" : "");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Set-Cookie", c);
	explicit_bzero(c, strlen(c));
	explicit_bzero(tok, strlen(tok));
	free(c);
	free(tok);
	viewer_free(&w);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location", VIEW_BASE);
	send_message(req, 303, "See Other", "termijn", VIEW_BASE);
}

typedef void	 page_fn(struct html *, const struct view *);

static void
view_page(struct termijnd *d, struct evhttp_request *req, page_fn *fn)
{
	struct viewer w = { NULL, NULL };
	struct built b;
	struct html h;

	if (viewer_of(d, req, &w) == -1)
		return;
	build(d, &w, req, &b);
	html_init(&h);
	fn(&h, &b.v);
	built_free(&b);
	viewer_free(&w);
	web_send(req, 200, "OK", &h);
}

static void
view_timeline(struct termijnd *d, struct evhttp_request *req, const char *rest)
{
	(void)rest;
	view_page(d, req, pages_timeline);
}

static void
view_table(struct termijnd *d, struct evhttp_request *req, const char *rest)
{
	(void)rest;
	view_page(d, req, pages_table);
}

struct history {
	struct view_event	*ev;
	size_t			 n, cap;
};

static void
history_cb(const struct audit *au, void *arg)
{
	struct history *hi = arg;
	struct view_event *e;

	XGROW(hi->ev, hi->n, hi->cap);
	e = &hi->ev[hi->n++];
	e->at = au->at;
	e->action = xstrdup(au->action ? au->action : "");
	e->who = au->person_name ? xstrdup(au->person_name) : au->person ? xstrdup(au->person) :
	    au->actor ? xstrdup(au->actor) : NULL;
	e->text = au->note ? xstrdup(au->note) : au->reason ? xstrdup(au->reason) : NULL;
	e->channel = au->channel ? xstrdup(au->channel) : NULL;
}

/* /view/step?plan=ID&key=KEY: one step of the viewer's, with its history. */
static void
view_step(struct termijnd *d, struct evhttp_request *req, const char *rest)
{
	struct viewer w = { NULL, NULL };
	struct history hi = { NULL, 0, 0 };
	struct evkeyvalq q;
	const char *qs = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	const char *plan = NULL, *key = NULL;
	struct instance *in = NULL;
	struct built b;
	struct html h;
	size_t i;

	(void)rest;
	if (viewer_of(d, req, &w) == -1)
		return;
	TAILQ_INIT(&q);
	if (qs != NULL && evhttp_parse_query_str(qs, &q) == 0) {
		plan = evhttp_find_header(&q, "plan");
		key = evhttp_find_header(&q, "key");
	}
	build(d, &w, req, &b);
	for (i = 0; plan != NULL && key != NULL && i < b.v.nparts; i++)
		if (strcmp(b.parts[i].plan->id, plan) == 0 &&
		    (in = plan_instance(b.parts[i].plan, key)) != NULL &&
		    feeds_holds(b.parts[i].plan, in, w.kind, w.subject))
			break;
	if (i == b.v.nparts || in == NULL) {
		/* In the view's language, as its pages. */
		send_message(req, 404, "Not Found", _("Not found"), _("No such step in this view."));
		built_free(&b);
		viewer_free(&w);
		evhttp_clear_headers(&q);
		return;
	}
	if (store_each_audit(d->engine.store, plan, in->key, 0, 500, history_cb, &hi) == -1)
		log_warnx("step page %s %s: %s", plan, in->key, store_error(d->engine.store));
	html_init(&h);
	pages_step(&h, &b.v, &b.parts[i], in->idx, hi.ev, hi.n);
	for (i = 0; i < hi.n; i++) {
		free((void *)hi.ev[i].action);
		free((void *)hi.ev[i].who);
		free((void *)hi.ev[i].text);
		free((void *)hi.ev[i].channel);
	}
	free(hi.ev);
	built_free(&b);
	viewer_free(&w);
	evhttp_clear_headers(&q);
	web_send(req, 200, "OK", &h);
}
