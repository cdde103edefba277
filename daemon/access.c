/* access.c: personal access tokens and login codes; the API on the HTTP listener with them. */
#include <sys/random.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "access.h"
#include "clock.h"
#include "i18n.h"
#include "lang.h"
#include "log.h"
#include "mailcompose.h"
#include "ratelimit.h"
#include "remind.h"
#include "request.h"
#include "sha256.h"
#include "termijnd.h"
#include "tz.h"
#include "xmalloc.h"

#define TOKEN_CHARS	32		/* 192 bits in base64url */
#define CODE_CHARS	10		/* 50 bits, typed by a person: no 0/O or 1/I/L */
#define CODE_MINUTES	10
#define CODE_TRIES	5		/* wrong codes before a login request is spent */
#define EXPIRES_DEFAULT	(90 * 86400)
#define EXPIRES_MAX	(366 * 86400)
#define FAIL_MAX	10		/* failed authentications per client address ... */
#define FAIL_WINDOW	600		/* ... in this many seconds, then 429 until it ends */


struct access {
	struct ratelimit	*fails;
};

int
access_start(struct termijnd *d)
{
	d->access = xcalloc(1, sizeof(*d->access));
	d->access->fails = ratelimit_new(4096, FAIL_MAX, FAIL_WINDOW);
	return 0;
}

void
access_stop(struct termijnd *d)
{
	if (d->access == NULL)
		return;
	ratelimit_free(d->access->fails);
	free(d->access);
	d->access = NULL;
}

/* ---- secrets ---- */

static void
random_bytes(unsigned char *b, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if ((r = getrandom(b + got, n - got, 0)) == -1)
			fatal("getrandom");
		got += (size_t)r;
	}
}

/* n characters from alphabet (of 32 or 64 letters: no bias from the modulo). */
static void
random_text(char *out, size_t n, const char *alphabet)
{
	unsigned char r[64];
	size_t i, len = strlen(alphabet);

	random_bytes(r, n);
	for (i = 0; i < n; i++)
		out[i] = alphabet[r[i] % len];
	out[n] = '\0';
	explicit_bzero(r, sizeof(r));
}

void
access_random_token(char out[TOKEN_CHARS + 1])
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	random_text(out, TOKEN_CHARS, b64);
}

int
access_hash_equal(const unsigned char *a, const unsigned char *b)
{
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < 32; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* ---- people ---- */

static int
wholist_has(const struct wholist *w, const char *addr)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (strcasecmp(w->v[i], addr) == 0)
			return 1;
	return 0;
}

static int
addrs_have(char **v, size_t n, const char *addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(v[i], addr) == 0)
			return 1;
	return 0;
}

struct pstate *
access_person_plan(struct termijnd *d, const char *addr)
{
	size_t i, j, k;

	for (i = 0; i < d->engine.nplans; i++) {
		const struct plan *p = d->engine.plans[i].plan;

		if (wholist_has(&p->coordinators, addr) || wholist_has(&p->overriders, addr))
			return &d->engine.plans[i];
		for (j = 0; j < p->nroles; j++)
			if (addrs_have(p->roles[j].addrs, p->roles[j].naddrs, addr))
				return &d->engine.plans[i];
		for (j = 0; j < p->nparties; j++) {
			if (wholist_has(&p->parties[j].coordinators, addr))
				return &d->engine.plans[i];
			for (k = 0; k < p->parties[j].ncontacts; k++)
				if (addrs_have(p->parties[j].contacts[k].addrs,
				    p->parties[j].contacts[k].naddrs, addr))
					return &d->engine.plans[i];
		}
	}
	return NULL;
}

static const char *
person_name(struct termijnd *d, const char *addr)
{
	const char *n;
	size_t i;

	for (i = 0; i < d->engine.nplans; i++)
		if ((n = plan_person_name(d->engine.plans[i].plan, addr)) != NULL)
			return n;
	return NULL;
}

/* ---- the client's address, as the trusted proxies tell it ---- */

static int
is_loopback(const char *a)
{
	return strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0 ||
	    strncmp(a, "::ffff:127.", 11) == 0;
}

struct client_info {
	char	 addr[64];
	int	 https;		/* TLS up to a trusted proxy */
	int	 untrusted_fwd;	/* forwarding headers from a peer we do not believe */
};

/* One hop of X-Forwarded-For, trimmed; what could not be in an address becomes '?' (logs). */
static void
trim_copy(char *dst, size_t len, const char *s, size_t n)
{
	size_t i;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= len)
		n = len - 1;
	for (i = 0; i < n; i++)
		dst[i] = strchr("0123456789abcdefABCDEF:.[]", s[i]) != NULL ? s[i] : '?';
	dst[n] = '\0';
}

static void
client_of(struct termijnd *d, struct evhttp_request *req, struct client_info *ci)
{
	struct evhttp_connection *con = evhttp_request_get_connection(req);
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *xff = evhttp_find_header(h, "X-Forwarded-For");
	const char *proto = evhttp_find_header(h, "X-Forwarded-Proto");
	char *peer = NULL, hop[64];
	ev_uint16_t port;
	const char *end, *comma;

	memset(ci, 0, sizeof(*ci));
	if (con != NULL)
		evhttp_connection_get_peer(con, &peer, &port);
	snprintf(ci->addr, sizeof(ci->addr), "%s", peer != NULL ? peer : "?");
	if (!config_trusted(d->conf, ci->addr)) {
		ci->untrusted_fwd = xff != NULL || proto != NULL;
		return;
	}
	/* From the right: the first hop that is not a trusted proxy is the client. */
	if (xff != NULL) {
		end = xff + strlen(xff);
		while (end > xff) {
			for (comma = end; comma > xff && comma[-1] != ','; comma--)
				;
			trim_copy(hop, sizeof(hop), comma, (size_t)(end - comma));
			end = comma > xff ? comma - 1 : xff;
			if (*hop == '\0')
				continue;
			snprintf(ci->addr, sizeof(ci->addr), "%s", hop);
			if (!config_trusted(d->conf, hop))
				break;
		}
	}
	ci->https = proto != NULL && strcasecmp(proto, "https") == 0;
}

void
access_client(struct termijnd *d, struct evhttp_request *req, char *addr, size_t len,
    int *https, int *secure)
{
	struct client_info ci;

	client_of(d, req, &ci);
	snprintf(addr, len, "%s", ci.addr);
	*https = ci.https;
	*secure = ci.https || (is_loopback(ci.addr) && !ci.untrusted_fwd);
}

int
access_limited(struct termijnd *d, const char *addr, int fail)
{
	int64_t now = (int64_t)time(NULL);

	if (fail)
		ratelimit_fail(d->access->fails, addr, now);
	return ratelimit_blocked(d->access->fails, addr, now);
}

/* ---- the HTTP listener ---- */

/* An error answered before the API's routes, in the request's language as theirs are. */
static void
send_error(struct evhttp_request *req, int code, const char *reason, const char *error,
    const char *message)
{
	struct evbuffer *b = evbuffer_new();
	json_t *o = json_pack("{s:s, s:s}", "error", error, "message", message);
	char *text = json_dumps(o, JSON_PRESERVE_ORDER);

	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "application/json");
	evbuffer_add_printf(b, "%s\n", text);
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
	free(text);
	json_decref(o);
}

/* The one answer to every token that does not let the caller in, whatever the reason. */
static void
unauthorized(struct evhttp_request *req)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);

	evhttp_add_header(out, "WWW-Authenticate", "Bearer realm=\"termijn\"");
	evhttp_add_header(out, "Cache-Control", "no-store");
	send_error(req, 401, "Unauthorized", "unauthorized", _("a valid personal access token "
	    "is needed (Authorization: Bearer TOKEN, over HTTPS)"));
}

static void
failed(struct termijnd *d, struct evhttp_request *req, const struct client_info *ci,
    const char *why)
{
	int n = ratelimit_fail(d->access->fails, ci->addr, (int64_t)time(NULL));

	/* Never the token itself: only why it did not do. */
	log_warnx("authentication failed from %s: %s (%d in %d s)", ci->addr, why, n,
	    FAIL_WINDOW);
	unauthorized(req);
}

struct tokfind {
	int		 found;
	int64_t		 id, expires, revoked;
	char		 person[256];
	unsigned char	 hash[32];
};

static void
tokfind_cb(const struct token_row *row, void *arg)
{
	struct tokfind *tf = arg;

	tf->found = 1;
	tf->id = row->id;
	tf->expires = row->expires;
	tf->revoked = row->revoked;
	memcpy(tf->hash, row->hash, 32);
	snprintf(tf->person, sizeof(tf->person), "%s", row->person);
}

static void
serve(struct termijnd *d, struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	const char *auth = evhttp_find_header(h, "Authorization"), *tok;
	struct client_info ci;
	struct tokfind tf;
	struct actor who;
	unsigned char hash[32];
	char buf[160], *msg;
	int wait, secure;

	client_of(d, req, &ci);
	if ((wait = ratelimit_blocked(d->access->fails, ci.addr, (int64_t)time(NULL))) > 0) {
		snprintf(buf, sizeof(buf), "%d", wait);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", buf);
		xasprintf(&msg, _("too many failed attempts from %s; try again in %d s"), ci.addr,
		    wait);
		send_error(req, 429, "Too Many Requests", "too-many", msg);
		free(msg);
		return;
	}
	if (ci.untrusted_fwd)
		log_warnx("X-Forwarded-* from %s, which is not in trusted-proxies: not believed",
		    ci.addr);
	/* Plain HTTP carries a token in the clear: only on this machine, never past a proxy. */
	secure = ci.https || (is_loopback(ci.addr) && !ci.untrusted_fwd);
	if (path != NULL && (strcmp(path, "/api/v1/login") == 0 ||
	    strcmp(path, "/api/v1/login/code") == 0)) {
		if (!secure) {
			failed(d, req, &ci, "a login over plain HTTP");
			return;
		}
		/* Each request for a code counts too: nobody mails a person a hundred codes. */
		if (strcmp(path, "/api/v1/login") == 0)
			ratelimit_fail(d->access->fails, ci.addr, (int64_t)time(NULL));
		memset(&who, 0, sizeof(who));
		who.name = ci.addr;
		who.uid = -1;
		who.channel = "login";
		api_route(d, req, &who);
		return;
	}
	/*
	 * No token is no guess: counting it would let a few commands typed before `termijn
	 * login` lock out an address, and behind a shared NAT that is everyone.
	 */
	if (auth == NULL) {
		unauthorized(req);
		return;
	}
	if (strncasecmp(auth, "Bearer ", 7) != 0) {
		failed(d, req, &ci, "not a Bearer token");
		return;
	}
	tok = auth + 7;
	while (*tok == ' ')
		tok++;
	if (!secure) {
		failed(d, req, &ci, "a token over plain HTTP (refused; revoke it if it was real)");
		return;
	}
	sha256(tok, strlen(tok), hash);
	memset(&tf, 0, sizeof(tf));
	if (strlen(tok) != TOKEN_CHARS ||
	    store_token_by_hash(d->engine.store, hash, tokfind_cb, &tf) != 1 ||
	    !access_hash_equal(tf.hash, hash)) {
		failed(d, req, &ci, "an unknown token");
		return;
	}
	if (tf.revoked != 0 || tf.expires <= (int64_t)time(NULL)) {
		snprintf(buf, sizeof(buf), "token %lld %s", (long long)tf.id, tf.revoked ?
		    "revoked" : "expired");
		failed(d, req, &ci, buf);
		return;
	}
	memset(&who, 0, sizeof(who));
	who.name = tf.person;
	who.uid = -1;
	who.person = tf.person;
	who.person_name = person_name(d, tf.person);
	who.channel = "token";
	who.token_id = tf.id;
	api_route(d, req, &who);
}

void
access_http(struct termijnd *d, struct evhttp_request *req)
{
	/* The answer's words in the language the request asks for, as on the socket. */
	msgcat_use(lang_for(evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Accept-Language")));
	serve(d, req);
	msgcat_use(NULL);
}

/* ---- managing tokens ---- */

static json_t *
jtime_or_null(int64_t t)
{
	char buf[32];

	if (t == 0)
		return json_null();
	utc_format(t, buf, sizeof(buf));
	return json_string(buf);
}

struct toklist {
	json_t		*a;
	const char	*person;	/* NULL: everyone's */
};

static void
toklist_cb(const struct token_row *row, void *arg)
{
	struct toklist *tl = arg;
	int64_t now = (int64_t)time(NULL);
	json_t *o;

	if (tl->person != NULL && strcasecmp(tl->person, row->person) != 0)
		return;
	o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)row->id, "person", row->person,
	    "created_by", row->created_by, "how", row->how);
	json_object_set_new(o, "created", jtime_or_null(row->created));
	json_object_set_new(o, "expires", jtime_or_null(row->expires));
	json_object_set_new(o, "revoked", jtime_or_null(row->revoked));
	json_object_set_new(o, "state", json_string(row->revoked ? "revoked" :
	    row->expires <= now ? "expired" : "in force"));
	json_array_append_new(tl->a, o);
}

static void
reply_err(struct termijnd *d, struct evhttp_request *req, int code, const char *err,
    const char *msg, int is_write)
{
	control_reply(d, req, code, json_pack("{s:s, s:s}", "error", err, "message", msg),
	    is_write);
}

void
access_list(struct termijnd *d, struct evhttp_request *req, const struct actor *who,
    long limit, int64_t from)
{
	struct toklist tl;

	if (!who->operator && who->person == NULL) {
		reply_err(d, req, 403, "forbidden", _("only operators of termijnd, and people with "
		    "a token for their own, may list access tokens"), 0);
		return;
	}
	tl.a = json_array();
	tl.person = who->operator ? NULL : who->person;
	/* One more than asked tells where the next page starts. */
	if (store_token_each(d->engine.store, tl.person, from, (int)limit + 1, toklist_cb,
	    &tl) == -1) {
		json_decref(tl.a);
		reply_err(d, req, 500, "internal", store_error(d->engine.store), 0);
		return;
	}
	control_reply(d, req, 200, json_pack("{s:o, s:o}", "tokens", tl.a, "next",
	    api_page_next(tl.a, limit)), 0);
}

/* "30d", "12w", or a date (the end of that day, in the plan's zone). */
static int
parse_expires(const char *s, const struct plan *p, int64_t now, int64_t *out, char **cause)
{
	struct ltime lt;
	char *end;
	long n;

	if (s == NULL) {
		*out = now + EXPIRES_DEFAULT;
		return 0;
	}
	n = strtol(s, &end, 10);
	/* Past EXPIRES_MAX in days it is refused below; bounded first, so nothing overflows. */
	if (end != s && (strcmp(end, "d") == 0 || strcmp(end, "w") == 0) && n > 0)
		*out = now + (int64_t)(n < 1000 ? n : 1000) * 86400 * (*end == 'w' ? 7 : 1);
	else if (ltime_parse(s, &lt) == 0 && !lt.has_time)
		*out = tz_day_end(p->tz, &lt);
	else {
		xasprintf(cause, _("expires: a number of days or weeks (30d, 12w) or a date "
		    "(YYYY-MM-DD)"));
		return -1;
	}
	if (*out <= now || *out - now > EXPIRES_MAX) {
		xasprintf(cause, _("expires: in the future, and at most 366 days from now"));
		return -1;
	}
	return 0;
}

/* A new token for addr, its hash stored in the open batch; the token only in out. */
static int64_t
token_new(struct termijnd *d, const char *addr, int64_t expires, const char *by,
    const char *how, char out[TOKEN_CHARS + 1])
{
	unsigned char hash[32];

	access_random_token(out);
	sha256(out, TOKEN_CHARS, hash);
	if (store_begin(d->engine.store) == -1)
		return -1;
	return store_token_add(d->engine.store, addr, hash, (int64_t)time(NULL), expires, by,
	    how);
}

static void
grant(struct termijnd *d, struct evhttp_request *req, const struct request *rq,
    const struct actor *who)
{
	struct pstate *ps;
	char token[TOKEN_CHARS + 1], *cause = NULL, when[32];
	int64_t now = (int64_t)time(NULL), expires, id;
	struct ltime lt;
	json_t *o;

	if (!who->operator) {
		reply_err(d, req, 403, "forbidden", _("only operators of termijnd may grant access "
		    "(a person can ask for a token with termijn login)"), 1);
		return;
	}
	if (!mail_addr_valid(rq->person)) {
		reply_err(d, req, 400, "bad-request", _("person: an e-mail address"), 1);
		return;
	}
	if ((ps = access_person_plan(d, rq->person)) == NULL) {
		reply_err(d, req, 404, "not-found", _("no plan names this person"), 1);
		return;
	}
	if (parse_expires(rq->expires, ps->plan, now, &expires, &cause) == -1) {
		reply_err(d, req, 400, "bad-request", cause, 1);
		free(cause);
		return;
	}
	if ((id = token_new(d, rq->person, expires, who->name, "grant", token)) == -1) {
		reply_err(d, req, 500, "internal", store_error(d->engine.store), 1);
		return;
	}
	tz_from_utc(ps->plan->tz, expires, &lt);
	ltime_format(&lt, when, sizeof(when));
	/* Mailed now, kept nowhere: not in the outbox, not in the answer, not in the log. */
	if (remind_send_secret(d, ps->plan, "access-grant", rq->person, token, when, &cause) ==
	    -1) {
		explicit_bzero(token, sizeof(token));
		reply_err(d, req, 500, "internal", cause, 1);
		free(cause);
		return;
	}
	explicit_bzero(token, sizeof(token));
	log_info("%s granted token %lld to %s, until %s", who->name, (long long)id, rq->person,
	    when);
	o = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "person", rq->person, "sent_to",
	    rq->person);
	json_object_set_new(o, "expires", jtime_or_null(expires));
	control_reply(d, req, 201, o, 1);
}

static void
revoke(struct termijnd *d, struct evhttp_request *req, const struct request *rq,
    const struct actor *who)
{
	struct toklist tl;
	json_t *t;
	size_t i;
	int found = 0, rc;

	/* Whose is it? A person may revoke their own tokens; operators any. */
	tl.a = json_array();
	tl.person = who->operator ? NULL : who->person;
	if (!who->operator && who->person == NULL) {
		json_decref(tl.a);
		reply_err(d, req, 403, "forbidden", _("only operators of termijnd, and people for "
		    "their own tokens, may revoke access"), 1);
		return;
	}
	store_token_each(d->engine.store, tl.person, rq->id, 1, toklist_cb, &tl);
	json_array_foreach(tl.a, i, t)
		if (json_integer_value(json_object_get(t, "id")) == rq->id &&
		    json_is_null(json_object_get(t, "revoked")))
			found = 1;
	json_decref(tl.a);
	if (!found) {
		reply_err(d, req, 404, "not-found", _("no token in force with that number"), 1);
		return;
	}
	if (store_begin(d->engine.store) == -1 ||
	    (rc = store_token_revoke(d->engine.store, rq->id, (int64_t)time(NULL))) == -1) {
		reply_err(d, req, 500, "internal", store_error(d->engine.store), 1);
		return;
	}
	log_info("%s revoked token %lld", who->name, (long long)rq->id);
	control_reply(d, req, 200, json_pack("{s:I}", "id", (json_int_t)rq->id), 1);
}

/* ---- login: a code by mail, typed back, gives a token ---- */

static void
login(struct termijnd *d, struct evhttp_request *req, const struct request *rq,
    const struct actor *who)
{
	static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
	struct pstate *ps;
	char code[CODE_CHARS + 1], shown[CODE_CHARS + 2], *cause = NULL, min[16];
	unsigned char hash[32];
	int64_t now = (int64_t)time(NULL);

	/* The same answer whether the address is known or not. */
	if (mail_addr_valid(rq->address) && (ps = access_person_plan(d, rq->address)) != NULL) {
		random_text(code, CODE_CHARS, alphabet);
		sha256(code, CODE_CHARS, hash);
		snprintf(shown, sizeof(shown), "%.5s-%s", code, code + 5);
		snprintf(min, sizeof(min), "%d", CODE_MINUTES);
		if (store_begin(d->engine.store) == -1 || store_login_add(d->engine.store,
		    rq->address, hash, now, now + CODE_MINUTES * 60) == -1)
			log_warnx("login for %s: database: %s", rq->address,
			    store_error(d->engine.store));
		else if (remind_send_secret(d, ps->plan, "login-code", rq->address, shown, min,
		    &cause) == -1) {
			log_warnx("login for %s: %s", rq->address, cause);
			free(cause);
		} else
			log_info("login code for %s asked from %s", rq->address, who->name);
		explicit_bzero(code, sizeof(code));
		explicit_bzero(shown, sizeof(shown));
	} else if (mail_addr_valid(rq->address)) {
		/*
		 * A row no code will ever match, so that the answer takes as long (a commit)
		 * as for an address the plans know.
		 */
		random_text(code, CODE_CHARS, alphabet);
		sha256(code, CODE_CHARS, hash);
		explicit_bzero(code, sizeof(code));
		if (store_begin(d->engine.store) == -1 || store_login_add(d->engine.store,
		    rq->address, hash, now, now) == -1)
			log_warnx("login: database: %s", store_error(d->engine.store));
		log_info("login asked from %s for an address no plan names", who->name);
	} else
		log_info("login asked from %s for an address no plan names", who->name);
	control_reply(d, req, 200, json_pack("{s:s, s:i}", "message", _("if a plan names this "
	    "address, a code is on its way to it by e-mail"), "minutes", CODE_MINUTES), 1);
}

struct loginfind {
	int		 found;
	int64_t		 id, expires;
	int		 attempts;
	unsigned char	 hash[32];
};

static void
loginfind_cb(const struct login_row *row, void *arg)
{
	struct loginfind *lf = arg;

	lf->found = 1;
	lf->id = row->id;
	lf->expires = row->expires;
	lf->attempts = row->attempts;
	memcpy(lf->hash, row->hash, 32);
}

/* The code as typed: case and a dash or blanks in it do not matter. */
static int
code_norm(const char *in, char out[CODE_CHARS + 1])
{
	size_t n = 0;

	for (; *in != '\0'; in++) {
		if (*in == '-' || *in == ' ')
			continue;
		if (n == CODE_CHARS)
			return -1;
		out[n++] = (char)(*in >= 'a' && *in <= 'z' ? *in - 'a' + 'A' : *in);
	}
	out[n] = '\0';
	return n == CODE_CHARS ? 0 : -1;
}

static void
login_code(struct termijnd *d, struct evhttp_request *req, const struct request *rq,
    const struct actor *who)
{
	struct loginfind lf;
	char code[CODE_CHARS + 1], token[TOKEN_CHARS + 1];
	unsigned char hash[32];
	int64_t now = (int64_t)time(NULL), id, expires = now + EXPIRES_DEFAULT;
	int ok;
	json_t *o;

	memset(&lf, 0, sizeof(lf));
	if (code_norm(rq->code, code) == -1)
		memset(code, 'x', CODE_CHARS), code[CODE_CHARS] = '\0';
	sha256(code, CODE_CHARS, hash);
	explicit_bzero(code, sizeof(code));
	if (store_login_last(d->engine.store, rq->address, loginfind_cb, &lf) == -1) {
		reply_err(d, req, 500, "internal", store_error(d->engine.store), 1);
		return;
	}
	ok = lf.found && lf.expires > now && lf.attempts < CODE_TRIES &&
	    access_hash_equal(lf.hash, hash);
	if (lf.found && (store_begin(d->engine.store) == -1 ||
	    store_login_attempt(d->engine.store, lf.id, ok ? now : 0) == -1)) {
		reply_err(d, req, 500, "internal", store_error(d->engine.store), 1);
		return;
	}
	if (!ok) {
		if (d->access != NULL && who->channel != NULL && strcmp(who->channel, "login") == 0)
			ratelimit_fail(d->access->fails, who->name, now);
		log_warnx("login from %s for %s: wrong, used or expired code", who->name,
		    rq->address);
		control_reply(d, req, 401, json_pack("{s:s, s:s}", "error", "unauthorized",
		    "message", _("that code is wrong, used or expired; ask for a new one")), 1);
		return;
	}
	if ((id = token_new(d, rq->address, expires, rq->address, "login", token)) == -1) {
		reply_err(d, req, 500, "internal", store_error(d->engine.store), 1);
		return;
	}
	log_info("token %lld for %s, by login from %s", (long long)id, rq->address, who->name);
	o = json_pack("{s:s, s:I, s:s}", "token", token, "id", (json_int_t)id, "person",
	    rq->address);
	explicit_bzero(token, sizeof(token));
	json_object_set_new(o, "person_name", json_string(person_name(d, rq->address) ?
	    person_name(d, rq->address) : ""));
	json_object_set_new(o, "expires", jtime_or_null(expires));
	control_reply(d, req, 200, o, 1);
}

void
access_post(struct termijnd *d, struct evhttp_request *req, int kind,
    const struct request *rq, const struct actor *who)
{
	switch (kind) {
	case REQ_ACCESS_GRANT:
		grant(d, req, rq, who);
		break;
	case REQ_ACCESS_REVOKE:
		revoke(d, req, rq, who);
		break;
	case REQ_LOGIN:
		login(d, req, rq, who);
		break;
	case REQ_LOGIN_CODE:
		login_code(d, req, rq, who);
		break;
	}
}
