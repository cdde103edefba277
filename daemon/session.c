/* session.c: the web's sessions and one-time links: secrets given out, only hashes kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>

#include "access.h"
#include "log.h"
#include "session.h"
#include "sha256.h"
#include "termijnd.h"
#include "xmalloc.h"

/* A session's last use is written at most this often: not a commit per page. */
#define SEEN_EVERY	60

/*
 * The attributes of the session cookie: Secure whenever the request came over HTTPS (a
 * trusted proxy says so) or the public address is https.
 */
static void
set_cookie(struct termijnd *d, struct evhttp_request *req, const char *value, int max_age)
{
	char addr[64], *c;
	int https, secure;

	access_client(d, req, addr, sizeof(addr), &https, &secure);
	xasprintf(&c, SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", value,
	    max_age, https || (d->conf->public_url != NULL &&
	    strncmp(d->conf->public_url, "https://", 8) == 0) ? "; Secure" : "");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Set-Cookie", c);
	explicit_bzero(c, strlen(c));
	free(c);
}

int
session_of(struct termijnd *d, struct evhttp_request *req, struct web_person *wp)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Cookie");
	struct store *s = d->engine.store;
	struct session_row row;
	unsigned char hash[32];
	char tok[WEB_TOKEN_CHARS + 2];
	int64_t now = (int64_t)time(NULL);
	int rc;

	memset(wp, 0, sizeof(*wp));
	if (cookie_get(h, SESSION_COOKIE, tok, sizeof(tok)) != 1 || !web_token_ok(tok))
		return 0;
	sha256(tok, strlen(tok), hash);
	if ((rc = store_session_by_hash(s, hash, &row)) != 1 ||
	    !access_hash_equal(row.hash, hash)) {
		explicit_bzero(tok, sizeof(tok));
		return rc == -1 ? -1 : 0;
	}
	if (row.ended != 0 || now >= row.expires || now - row.seen >= d->conf->session_idle) {
		explicit_bzero(tok, sizeof(tok));
		/* An idle one ends now, in the store as well. */
		if (row.ended == 0 && (store_begin(s) == -1 ||
		    store_session_seen(s, row.id, row.seen, now) == -1))
			return -1;
		return 0;
	}
	if (now - row.seen >= SEEN_EVERY && (store_begin(s) == -1 ||
	    store_session_seen(s, row.id, now, 0) == -1)) {
		explicit_bzero(tok, sizeof(tok));
		return -1;
	}
	wp->session = row.id;
	snprintf(wp->person, sizeof(wp->person), "%s", row.person);
	form_csrf(tok, wp->csrf);
	explicit_bzero(tok, sizeof(tok));
	return 1;
}

int
session_start(struct termijnd *d, struct evhttp_request *req, const char *person)
{
	char tok[WEB_TOKEN_CHARS + 1];
	unsigned char hash[32];
	int64_t now = (int64_t)time(NULL), id;

	access_random_token(tok);
	sha256(tok, strlen(tok), hash);
	if (store_begin(d->engine.store) == -1 || (id = store_session_add(d->engine.store,
	    person, hash, now, now + d->conf->session_lifetime)) == -1) {
		explicit_bzero(tok, sizeof(tok));
		return -1;
	}
	set_cookie(d, req, tok, d->conf->session_lifetime);
	explicit_bzero(tok, sizeof(tok));
	log_info("web session %lld for %s", (long long)id, person);
	return 0;
}

int
session_end(struct termijnd *d, struct evhttp_request *req, const struct web_person *wp)
{
	int64_t now = (int64_t)time(NULL);

	if (store_begin(d->engine.store) == -1 ||
	    store_session_seen(d->engine.store, wp->session, now, now) == -1)
		return -1;
	set_cookie(d, req, "", 0);
	log_info("web session %lld of %s ended", (long long)wp->session, wp->person);
	return 0;
}

char *
weblink_new(struct termijnd *d, const char *kind, const char *person, const char *plan,
    const char *key, int lifetime)
{
	struct weblink_row w;
	char tok[WEB_TOKEN_CHARS + 1], *url;
	const char *base = d->conf->public_url ? d->conf->public_url : "";
	size_t blen = strlen(base);

	memset(&w, 0, sizeof(w));
	snprintf(w.kind, sizeof(w.kind), "%s", kind);
	snprintf(w.person, sizeof(w.person), "%s", person);
	snprintf(w.plan, sizeof(w.plan), "%s", plan ? plan : "");
	snprintf(w.key, sizeof(w.key), "%s", key ? key : "");
	w.created = (int64_t)time(NULL);
	w.expires = w.created + lifetime;
	access_random_token(tok);
	sha256(tok, strlen(tok), w.hash);
	if (store_begin(d->engine.store) == -1 || store_weblink_add(d->engine.store, &w) == -1) {
		explicit_bzero(tok, sizeof(tok));
		return NULL;
	}
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	xasprintf(&url, "%.*s/%s/%s", (int)blen, base, strcmp(kind, "signin") == 0 ? "signin" :
	    "done", tok);
	explicit_bzero(tok, sizeof(tok));
	return url;
}

int
weblink_find(struct termijnd *d, const char *token, const char *kind, struct weblink_row *w)
{
	unsigned char hash[32];
	int rc;

	if (!web_token_ok(token))
		return 0;
	sha256(token, strlen(token), hash);
	if ((rc = store_weblink_by_hash(d->engine.store, hash, w)) != 1)
		return rc;
	return access_hash_equal(w->hash, hash) && strcmp(w->kind, kind) == 0 && w->used == 0 &&
	    (int64_t)time(NULL) < w->expires;
}
