/* act.c: the acting pages: sign in by a mailed link, a person's steps and their forms (done,
 * undo, waive), sign out, and the confirmation page of a reminder's "done" link. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "access.h"
#include "act.h"
#include "authz.h"
#include "clock.h"
#include "form.h"
#include "html.h"
#include "i18n.h"
#include "lang.h"
#include "log.h"
#include "mailcompose.h"
#include "mailtext.h"
#include "pages.h"
#include "remind.h"
#include "session.h"
#include "termijnd.h"
#include "tz.h"
#include "xmalloc.h"

#define FORM_MAX_BODY	(16 * 1024)

/* What one request of these pages has: its form, who sent it, where from. */
struct page_req {
	struct termijnd		*d;
	struct evhttp_request	*req;
	struct form		 form;
	char			 addr[64];
	int			 https, secure;
	const struct msgcat	*old;
};

/* ---- answering ---- */

/* The plans' language for what follows (the first plan's where no plan is concerned). */
static const char *
use_lang(struct page_req *pr, const struct plan *p)
{
	struct engine *e = &pr->d->engine;

	if (p == NULL && e->nplans > 0)
		p = e->plans[0].plan;
	msgcat_use(lang_for(p != NULL ? p->lang : NULL));
	return p != NULL && p->lang != NULL ? p->lang : "en";
}

/* Send a page, held back (as every answer) until the loop turn's changes are on disk. */
static void
send_page(struct page_req *pr, int code, struct html *h, int is_write)
{
	html_headers(evhttp_request_get_output_headers(pr->req), 1);
	control_reply_raw(pr->d, pr->req, code, html_steal(h, NULL), is_write);
}

static void
page_begin(struct page_req *pr, struct html *h, const char *lang, const char *title)
{
	html_init(h);
	html_begin(h, lang, title);
	html_put(h, "<header><nav><a href=\"/me\">%s</a></nav></header>\n<main>\n<h1>%s</h1>\n",
	    _("My steps"), title);
	(void)pr;
}

static void
page_end(struct html *h)
{
	html_raw(h, "</main>\n");
	html_end(h);
}

/* A page that says one thing. */
static void
message(struct page_req *pr, int code, const char *title, const char *text, int is_write)
{
	struct html h;

	page_begin(pr, &h, use_lang(pr, NULL), title);
	html_put(&h, "<p>%s</p>\n", text);
	page_end(&h);
	send_page(pr, code, &h, is_write);
}

static void
see_other(struct page_req *pr, const char *location, int is_write)
{
	struct html h;

	evhttp_add_header(evhttp_request_get_output_headers(pr->req), "Location", location);
	html_init(&h);
	html_begin(&h, use_lang(pr, NULL), "termijn");
	html_put(&h, "<main><p><a href=\"%s\">%s</a></p></main>\n", location, location);
	html_end(&h);
	send_page(pr, 303, &h, is_write);
}

static void
hidden(struct html *h, const char *name, const char *value)
{
	html_put(h, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n", name, value);
}

/* ---- what a request brings ---- */

static int
read_form(struct page_req *pr)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(pr->req);
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(pr->req),
	    "Content-Type");
	size_t len = evbuffer_get_length(in);
	char *cause = NULL;

	if (len > FORM_MAX_BODY || ct == NULL ||
	    strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
		message(pr, len > FORM_MAX_BODY ? 413 : 415, _("Not a form"),
		    _("This address takes a form sent by its page."), 0);
		return -1;
	}
	if (form_parse((const char *)evbuffer_pullup(in, -1), len, &pr->form, &cause) == -1) {
		message(pr, 400, _("Not a form"), cause, 0);
		free(cause);
		return -1;
	}
	return 0;
}

/* Secrets travel over HTTPS only (or on this machine), as the API's tokens do. */
static int
need_secure(struct page_req *pr)
{
	if (pr->secure)
		return 0;
	log_warnx("web: a page with a secret over plain HTTP from %s: refused", pr->addr);
	message(pr, 403, _("HTTPS needed"), _("These pages carry secrets: open them over "
	    "HTTPS."), 0);
	return -1;
}

static int
limited(struct page_req *pr, int fail)
{
	char *text;
	int wait;

	if ((wait = access_limited(pr->d, pr->addr, fail)) == 0 || fail)
		return 0;
	xasprintf(&text, _("too many failed attempts from %s; try again in %d s"), pr->addr,
	    wait);
	message(pr, 429, _("Too many attempts"), text, 0);
	free(text);
	return -1;
}

/* The signed-in person, or an answer (a pointer to signing in) and -1. */
static int
signed_in(struct page_req *pr, struct web_person *wp, int is_post)
{
	int rc = session_of(pr->d, pr->req, wp);

	if (rc == -1) {
		message(pr, 500, _("The database failed"), store_error(pr->d->engine.store), 1);
		return -1;
	}
	if (rc == 1)
		return 0;
	if (is_post)
		message(pr, 403, _("Not signed in"), _("Your session has ended: sign in again."),
		    1);
	else
		see_other(pr, "/signin", 1);
	return -1;
}

/* A form of a session carries its CSRF token: a page of another site cannot know it. */
static int
csrf_ok(struct page_req *pr, const struct web_person *wp)
{
	const char *c = form_get(&pr->form, "csrf");

	if (c != NULL && secret_equal(c, wp->csrf))
		return 1;
	log_warnx("web: a form of %s from %s without its session's CSRF token: refused",
	    wp->person, pr->addr);
	message(pr, 403, _("Refused"), _("This form did not come from its page here; open the "
	    "page again and send it from there."), 1);
	return 0;
}

/* ---- signing in ---- */

static void
signin_form(struct html *h)
{
	html_put(h, "<form method=\"post\" action=\"/signin\">\n<p><label>%s "
	    "<input type=\"email\" name=\"address\" autocomplete=\"email\" required></label>\n"
	    "<button type=\"submit\">%s</button></p>\n</form>\n", _("E-mail address"),
	    _("Send me a link"));
}

static void
get_signin(struct page_req *pr)
{
	struct html h;

	page_begin(pr, &h, use_lang(pr, NULL), _("Sign in"));
	html_put(&h, "<p>%s</p>\n", _("termijn mails you a link to sign in with, valid for a few "
	    "minutes, once."));
	signin_form(&h);
	page_end(&h);
	send_page(pr, 200, &h, 0);
}

/* A sign-in link to mail once the answer is out. */
struct signin_mail {
	struct termijnd	*d;
	char		*plan, *addr, *url, *from;
	char		 minutes[16];
};

static void
signin_mail_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct signin_mail *m = arg;
	struct pstate *ps = engine_plan(&m->d->engine, m->plan);
	char *cause = NULL;

	(void)fd;
	(void)ev;
	if (ps == NULL)
		log_warnx("web sign-in for %s: plan %s is gone", m->addr, m->plan);
	else if (remind_send_secret(m->d, ps->plan, "signin-link", m->addr, m->url, m->minutes,
	    &cause) == -1) {
		log_warnx("web sign-in for %s: %s", m->addr, cause);
		free(cause);
	} else
		log_info("web sign-in link for %s asked from %s", m->addr, m->from);
	explicit_bzero(m->url, strlen(m->url));
	free(m->plan);
	free(m->addr);
	free(m->url);
	free(m->from);
	free(m);
}

/*
 * The same answer, after the same kind of work (a row written and committed), whether a
 * plan names the address or not: the page tells nobody who is known. The mail goes after
 * the answer (a moment later), so that its making does not lengthen the known one's.
 */
static void
post_signin(struct page_req *pr)
{
	struct termijnd *d = pr->d;
	const char *addr = form_get(&pr->form, "address");
	struct pstate *ps = NULL;
	char *url = NULL, min[16];
	int life = d->conf->signin_link_lifetime;
	struct html h;

	if (limited(pr, 0) == -1)
		return;
	/* Each request counts: nobody mails a person a hundred links. */
	access_limited(d, pr->addr, 1);
	snprintf(min, sizeof(min), "%d", (life + 59) / 60);
	if (addr != NULL && mail_addr_valid(addr)) {
		ps = access_person_plan(d, addr);
		url = weblink_new(d, "signin", addr, NULL, NULL, ps != NULL ? life : 0);
		if (url == NULL)
			log_warnx("web sign-in: database: %s", store_error(d->engine.store));
		else if (ps != NULL) {
			struct signin_mail *m = xcalloc(1, sizeof(*m));
			struct timeval later = { 0, 2000 };

			m->d = d;
			m->plan = xstrdup(ps->plan->id);
			m->addr = xstrdup(addr);
			m->url = url;
			m->from = xstrdup(pr->addr);
			memcpy(m->minutes, min, sizeof(min));
			url = NULL;
			if (event_base_once(d->base, -1, EV_TIMEOUT, signin_mail_cb, m, &later) == -1)
				signin_mail_cb(-1, 0, m);
		}
		if (url != NULL)
			explicit_bzero(url, strlen(url));
		free(url);
	}
	if (ps == NULL)
		log_info("web sign-in asked from %s for an address no plan names", pr->addr);
	page_begin(pr, &h, use_lang(pr, NULL), _("Sign in"));
	html_put(&h, "<p role=\"status\">%s</p>\n", _("If a plan names this address, a link to "
	    "sign in is on its way to it by e-mail."));
	signin_form(&h);
	page_end(&h);
	send_page(pr, 200, &h, 1);
}

/* GET /signin/TOKEN: a button, nothing more (mail scanners open links). */
static void
get_signin_link(struct page_req *pr, const char *token)
{
	struct html h;

	page_begin(pr, &h, use_lang(pr, NULL), _("Sign in"));
	html_put(&h, "<form method=\"post\" action=\"/signin/confirm\">\n");
	hidden(&h, "token", token);
	html_put(&h, "<p><button type=\"submit\">%s</button></p>\n</form>\n", _("Sign in"));
	page_end(&h);
	send_page(pr, 200, &h, 0);
}

static void
post_signin_confirm(struct page_req *pr)
{
	struct termijnd *d = pr->d;
	const char *tok = form_get(&pr->form, "token");
	struct weblink_row w;
	int rc, used;

	if (limited(pr, 0) == -1)
		return;
	rc = tok != NULL ? weblink_find(d, tok, "signin", &w) : 0;
	if (rc == 1) {
		/* Spent first: the same link in two requests gives one session. */
		used = store_begin(d->engine.store) == -1 ? -1 :
		    store_weblink_use(d->engine.store, w.id, (int64_t)time(NULL));
		if (used == -1 || (used == 0 && session_start(d, pr->req, w.person) == -1))
			rc = -1;
		else if (used == 1)
			rc = 0;
	}
	if (rc == -1) {
		message(pr, 500, _("The database failed"), store_error(d->engine.store), 1);
		return;
	}
	if (rc == 0) {
		access_limited(d, pr->addr, 1);
		log_warnx("web sign-in from %s: a wrong, used or expired link", pr->addr);
		message(pr, 403, _("Sign in"), _("This link is wrong, used or expired; ask for a "
		    "new one on the sign-in page."), 1);
		return;
	}
	log_info("web sign-in of %s from %s", w.person, pr->addr);
	see_other(pr, "/me", 1);
}

static void
post_signout(struct page_req *pr)
{
	struct web_person wp;

	if (signed_in(pr, &wp, 1) == -1 || !csrf_ok(pr, &wp))
		return;
	if (session_end(pr->d, pr->req, &wp) == -1) {
		message(pr, 500, _("The database failed"), store_error(pr->d->engine.store), 1);
		return;
	}
	see_other(pr, "/signin", 1);
}

/* ---- a person's steps ---- */

static int
may(const struct plan *p, const struct instance *in, const char *person, enum authz_verb v)
{
	struct authz_who who = { person, person, 0, 0 };
	char *why = NULL;
	enum authz_verdict ok = authz_check(p, in, &who, v, &why);

	free(why);
	return ok != AZ_DENY;
}

static void
put_step(struct html *h, const struct plan *p, const struct instance *in)
{
	char due[128];

	mailtext_date(p->lang, &in->timing.due, due, sizeof(due));
	html_put(h, "<td>%s", in->title);
	if (in->party != NULL)
		html_put(h, "<br><span class=\"sub\">%s</span>", in->party->name ? in->party->name :
		    in->party->id);
	html_put(h, "</td><td>%s</td>", due);
}

static void
put_state(struct html *h, enum derived dv)
{
	html_put(h, "<span class=\"st-%s\"><span class=\"sym\" aria-hidden=\"true\">%s</span> "
	    "%s</span>", derived_name(dv), pages_state_symbol(dv), pages_state_name(dv));
}

/* The forms of one step: done (a note) and waive (a reason) while open, else undo. */
static void
put_forms(struct html *h, const struct web_person *wp, const struct plan *p,
    const struct instance *in, int open)
{
	static const char *verbs[] = { "done", "waive", "undo" };
	int v, allowed;

	for (v = open ? 0 : 2; v < (open ? 2 : 3); v++) {
		allowed = may(p, in, wp->person, v == 0 ? AZ_DONE : v == 1 ? AZ_WAIVE : AZ_UNDO);
		if (!allowed)
			continue;
		html_put(h, "<form method=\"post\" action=\"/me/act\" class=\"act\">\n");
		hidden(h, "csrf", wp->csrf);
		hidden(h, "plan", p->id);
		hidden(h, "key", in->key);
		hidden(h, "verb", verbs[v]);
		if (v == 0)
			html_put(h, "<label>%s <input type=\"text\" name=\"note\"></label>\n",
			    _("Note"));
		else
			html_put(h, "<label>%s <input type=\"text\" name=\"reason\" required>"
			    "</label>\n", _("Reason"));
		html_put(h, "<button type=\"submit\">%s</button>\n</form>\n", v == 0 ?
		    _("Report done") : v == 1 ? _("Waive") : _("Undo"));
	}
}

static void
get_me(struct page_req *pr)
{
	struct engine *e = &pr->d->engine;
	struct web_person wp;
	const char *name = NULL, *lang;
	int64_t now = clock_now();
	size_t i, j, shown = 0;
	struct html h;
	char *title;

	if (signed_in(pr, &wp, 0) == -1)
		return;
	for (i = 0; i < e->nplans && name == NULL; i++)
		name = plan_person_name(e->plans[i].plan, wp.person);
	lang = use_lang(pr, NULL);
	xasprintf(&title, _("Steps of %s"), name != NULL ? name : wp.person);
	page_begin(pr, &h, lang, title);
	free(title);
	html_put(&h, "<p class=\"sub\">%s %s</p>\n", _("Signed in as"), wp.person);
	html_put(&h, "<form method=\"post\" action=\"/signout\">\n");
	hidden(&h, "csrf", wp.csrf);
	html_put(&h, "<p><button type=\"submit\">%s</button></p>\n</form>\n", _("Sign out"));
	for (i = 0; i < e->nplans; i++) {
		const struct pstate *ps = &e->plans[i];
		const struct plan *p = ps->plan;
		size_t n = 0;

		for (j = 0; j < p->ninst; j++) {
			const struct instance *in = &p->inst[j];
			enum derived dv;

			if (!may(p, in, wp.person, AZ_DONE))
				continue;
			if (n++ == 0)
				html_put(&h, "<h2>%s</h2>\n<table>\n<thead><tr><th scope=\"col\">%s"
				    "</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
				    "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n", p->title,
				    _("Step"), _("Due"), _("State"), _("Act"));
			dv = rules_derived(p, ps->st, j, now);
			html_put(&h, "<tr data-key=\"%s\" data-plan=\"%s\" data-state=\"%s\">",
			    in->key, p->id, derived_name(dv));
			put_step(&h, p, in);
			html_raw(&h, "<td>");
			put_state(&h, dv);
			html_raw(&h, "</td><td>");
			put_forms(&h, &wp, p, in, ps->st[j].status == ST_OPEN);
			html_raw(&h, "</td></tr>\n");
		}
		if (n > 0)
			html_raw(&h, "</tbody>\n</table>\n");
		shown += n;
	}
	if (shown == 0)
		html_put(&h, "<p>%s</p>\n", _("No plan gives you a step to act on."));
	page_end(&h);
	send_page(pr, 200, &h, 0);
}

/* Every unmet rule of a refusal, as the client lists them. */
static void
put_unmet(struct html *h, const struct pstate *ps, const struct eng_result *r)
{
	const struct plan *p = ps->plan;
	struct ltime lt;
	char when[64];
	size_t i;

	html_raw(h, "<ul class=\"unmet\">\n");
	for (i = 0; i < r->nunmet; i++) {
		const struct unmet *u = &r->unmet[i];
		const struct instance *in = &p->inst[u->inst];
		const char *party = in->party ? (in->party->name ? in->party->name :
		    in->party->id) : NULL;

		html_raw(h, "<li>");
		if (u->kind == UNMET_NOT_BEFORE || u->kind == UNMET_WINDOW) {
			if (u->kind == UNMET_WINDOW && in->timing.from.set)
				lt = in->timing.from;
			else
				tz_from_utc(p->tz, u->not_before, &lt);
			mailtext_date(p->lang, &lt, when, sizeof(when));
			html_put(h, u->kind == UNMET_NOT_BEFORE ? _("not before %s") :
			    in->timing.on ? _("only on its day, %s") : _("its window opens %s"),
			    when);
		} else if (u->kind == UNMET_TOGETHER) {
			const struct instance *via = &p->inst[u->via];

			html_put(h, _("taken together: %s is not ready, %s requires %s (%s): not "
			    "done"), via->party ? (via->party->name ? via->party->name :
			    via->party->id) : "?", via->key, in->key, in->title);
		} else if (party != NULL)
			html_put(h, _("requires %s (%s, %s): not done"), in->key, in->title, party);
		else
			html_put(h, _("requires %s (%s): not done"), in->key, in->title);
		html_raw(h, "</li>\n");
	}
	html_raw(h, "</ul>\n");
}

/* The answer to a change the engine would not make: its message and every unmet rule. */
static void
refused(struct page_req *pr, const struct pstate *ps, const struct eng_result *r,
    const char *back)
{
	static const int codes[] = { [ENG_BAD] = 400, [ENG_FORBIDDEN] = 403, [ENG_NOTFOUND] = 404,
	    [ENG_AMBIGUOUS] = 409, [ENG_REFUSED] = 409, [ENG_FAIL] = 500 };
	struct html h;
	size_t i;

	page_begin(pr, &h, use_lang(pr, ps ? ps->plan : NULL), _("Not done"));
	html_put(&h, "<p role=\"alert\">%s</p>\n", r->message ? r->message : "?");
	if (ps != NULL && r->nunmet > 0)
		put_unmet(&h, ps, r);
	if (ps != NULL && r->rc == ENG_REFUSED && r->nlist > 0) {
		html_raw(&h, "<ul>\n");
		for (i = 0; i < r->nlist; i++)
			html_put(&h, "<li>%s (%s)</li>\n", ps->plan->inst[r->list[i]].key,
			    ps->plan->inst[r->list[i]].title);
		html_raw(&h, "</ul>\n");
	}
	if (back != NULL)
		html_put(&h, "<p><a href=\"%s\">%s</a></p>\n", back, _("Back"));
	page_end(&h);
	send_page(pr, codes[r->rc], &h, 1);
}

/* Make the change as person through channel; 0 done, -1 answered with why not. */
static int
change(struct page_req *pr, const char *person, const char *channel, const char *plan,
    const char *key, const char *verb, const char *back, struct pstate **psp, size_t *idxp)
{
	struct engine *e = &pr->d->engine;
	struct eng_result r = { 0 };
	struct pstate *ps = NULL;
	struct actor who;
	int64_t now = clock_now();
	size_t idx = 0, i;
	const char *note = form_get(&pr->form, "note"), *reason = form_get(&pr->form, "reason");

	memset(&who, 0, sizeof(who));
	who.name = person;
	who.uid = -1;
	who.person = person;
	who.channel = channel;
	for (i = 0; i < e->nplans && who.person_name == NULL; i++)
		who.person_name = plan_person_name(e->plans[i].plan, person);
	if (note != NULL && *note == '\0')
		note = NULL;
	if (reason != NULL && *reason == '\0')
		reason = NULL;
	if (plan == NULL || key == NULL || verb == NULL)
		r.rc = ENG_BAD, r.message = xstrdup(_("plan, key and verb are needed"));
	else if (engine_find(e, plan, key, &ps, &idx, &r) == ENG_OK) {
		/* The engine's words (and refusals) in the plan's language. */
		use_lang(pr, ps->plan);
		if (strcmp(verb, "done") == 0)
			engine_done(e, ps, idx, &who, now, now, note, 0, NULL, &r);
		else if (strcmp(verb, "undo") == 0)
			engine_undo(e, ps, idx, &who, now, reason, &r);
		else if (strcmp(verb, "waive") == 0)
			engine_waive(e, ps, idx, &who, now, reason, &r);
		else
			r.rc = ENG_BAD, r.message = xstrdup(_("verb: done, undo or waive"));
	}
	if (r.rc != ENG_OK) {
		refused(pr, r.rc == ENG_NOTFOUND ? NULL : ps, &r, back);
		eng_result_clear(&r);
		return -1;
	}
	log_info("%s %s %s/%s (%s)", person, verb, ps->plan->id, ps->plan->inst[idx].key,
	    channel);
	eng_result_clear(&r);
	*psp = ps;
	*idxp = idx;
	return 0;
}

static void
post_act(struct page_req *pr)
{
	struct web_person wp;
	struct pstate *ps;
	size_t idx;

	if (signed_in(pr, &wp, 1) == -1 || !csrf_ok(pr, &wp))
		return;
	if (change(pr, wp.person, "web", form_get(&pr->form, "plan"), form_get(&pr->form, "key"),
	    form_get(&pr->form, "verb"), "/me", &ps, &idx) == -1)
		return;
	see_other(pr, "/me", 1);
}

/* ---- a reminder's "done" link ---- */

/* The link's step, when the link may still be used; else an answer and NULL. */
static struct pstate *
link_step(struct page_req *pr, const char *tok, struct weblink_row *w, size_t *idx)
{
	struct eng_result r = { 0 };
	struct pstate *ps = NULL;
	int rc = tok != NULL ? weblink_find(pr->d, tok, "done", w) : 0;

	if (rc == 1 && engine_find(&pr->d->engine, w->plan, w->key, &ps, idx, &r) != ENG_OK)
		rc = 0;
	eng_result_clear(&r);
	if (rc == -1)
		message(pr, 500, _("The database failed"), store_error(pr->d->engine.store), 0);
	else if (rc == 0) {
		access_limited(pr->d, pr->addr, 1);
		log_warnx("web: a wrong, used or expired done link from %s", pr->addr);
		message(pr, 404, _("Report done"), _("This link is wrong, used or expired. Each "
		    "reminder brings a new one; or sign in and report it done there."), 0);
	}
	return rc == 1 ? ps : NULL;
}

/* GET /done/TOKEN: what the step is, and a button; opening it changes nothing. */
static void
get_done_link(struct page_req *pr, const char *tok)
{
	struct weblink_row w;
	struct pstate *ps;
	const struct instance *in;
	struct html h;
	char due[128];
	size_t idx;

	if ((ps = link_step(pr, tok, &w, &idx)) == NULL)
		return;
	in = &ps->plan->inst[idx];
	page_begin(pr, &h, use_lang(pr, ps->plan), _("Report done"));
	mailtext_date(ps->plan->lang, &in->timing.due, due, sizeof(due));
	html_put(&h, "<dl>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s", _("Plan"),
	    ps->plan->title, _("Step"), in->title);
	if (in->party != NULL)
		html_put(&h, ", %s", in->party->name ? in->party->name : in->party->id);
	html_put(&h, " (%s)</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>", in->key, _("Due"),
	    due, _("State"));
	put_state(&h, rules_derived(ps->plan, ps->st, idx, clock_now()));
	html_put(&h, "</dd>\n</dl>\n<form method=\"post\" action=\"/done\">\n");
	hidden(&h, "token", tok);
	html_put(&h, "<p><label>%s <input type=\"text\" name=\"note\"></label></p>\n"
	    "<p><button type=\"submit\">%s</button></p>\n</form>\n", _("Note"), _("Report done"));
	page_end(&h);
	send_page(pr, 200, &h, 0);
}

static void
post_done_link(struct page_req *pr)
{
	const char *tok = form_get(&pr->form, "token");
	struct weblink_row w;
	struct pstate *ps;
	struct html h;
	size_t idx;
	int rc;

	if (limited(pr, 0) == -1 || link_step(pr, tok, &w, &idx) == NULL)
		return;
	if (change(pr, w.person, "mail link", w.plan, w.key, "done", NULL, &ps, &idx) == -1)
		return;
	/* Spent once it did its work: a refusal (too early) leaves it for later. */
	if ((rc = store_weblink_use(pr->d->engine.store, w.id, (int64_t)time(NULL))) != 0) {
		message(pr, 500, _("The database failed"), rc == -1 ?
		    store_error(pr->d->engine.store) : _("the link was used at the same moment"), 1);
		return;
	}
	page_begin(pr, &h, use_lang(pr, ps->plan), _("Reported done"));
	html_put(&h, "<p role=\"status\">%s: %s</p>\n", _("Reported done"),
	    ps->plan->inst[idx].title);
	page_end(&h);
	send_page(pr, 200, &h, 1);
}

/* ---- routes ---- */

int
act_dispatch(struct termijnd *d, struct evhttp_request *req, const char *path)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	struct page_req pr;
	int post = m == EVHTTP_REQ_POST, get = m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD;
	const char *tok = NULL;

	if (strcmp(path, "/signin") != 0 && strcmp(path, "/signin/confirm") != 0 &&
	    strncmp(path, "/signin/", 8) != 0 && strcmp(path, "/signout") != 0 &&
	    strcmp(path, "/me") != 0 && strcmp(path, "/me/act") != 0 &&
	    strcmp(path, "/done") != 0 && strncmp(path, "/done/", 6) != 0)
		return 0;
	memset(&pr, 0, sizeof(pr));
	pr.d = d;
	pr.req = req;
	pr.old = msgcat_current();
	access_client(d, req, pr.addr, sizeof(pr.addr), &pr.https, &pr.secure);
	control_track(d, req);
	use_lang(&pr, NULL);
	if (d->stopping) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		message(&pr, 503, _("Stopping"), _("termijnd is stopping; nothing was changed"), 0);
		goto out;
	}
	if (strncmp(path, "/signin/", 8) == 0 && strcmp(path, "/signin/confirm") != 0)
		tok = path + 8;
	else if (strncmp(path, "/done/", 6) == 0)
		tok = path + 6;
	if (need_secure(&pr) == -1 || (post && read_form(&pr) == -1))
		goto out;
	if (get && strcmp(path, "/signin") == 0)
		get_signin(&pr);
	else if (post && strcmp(path, "/signin") == 0)
		post_signin(&pr);
	else if (get && tok != NULL && path[1] == 's')
		get_signin_link(&pr, tok);
	else if (post && strcmp(path, "/signin/confirm") == 0)
		post_signin_confirm(&pr);
	else if (post && strcmp(path, "/signout") == 0)
		post_signout(&pr);
	else if (get && strcmp(path, "/me") == 0)
		get_me(&pr);
	else if (post && strcmp(path, "/me/act") == 0)
		post_act(&pr);
	else if (get && tok != NULL)
		get_done_link(&pr, tok);
	else if (post && strcmp(path, "/done") == 0)
		post_done_link(&pr);
	else {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
		    tok != NULL || strcmp(path, "/me") == 0 ? "GET, HEAD" : strcmp(path,
		    "/signin") == 0 ? "GET, HEAD, POST" : "POST");
		message(&pr, 405, _("Not allowed"), _("This address does not take that method."),
		    0);
	}
out:
	form_free(&pr.form);
	msgcat_use(pr.old);
	return 1;
}
