/* http.c: requests to termijnd's JSON API over its unix socket, and its errors as exit statuses. */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "client.h"
#include "xmalloc.h"

#define API_URL		"http://localhost/api/v1"
#define BODY_MAX	(256 * 1024 * 1024)	/* more than any plan's answer */

struct buf {
	char	*data;
	size_t	 len, cap;
	int	 toolong;
};

static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t n = size * nmemb;

	if (b->len + n > BODY_MAX) {
		b->toolong = 1;
		return 0;
	}
	while (b->len + n + 1 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16384;
		b->data = xreallocarray(b->data, b->cap, 1);
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

void
http_free(struct client *c)
{
	if (c->curl == NULL)
		return;
	curl_easy_cleanup(c->curl);
	curl_global_cleanup();
	c->curl = NULL;
	if (c->token != NULL) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
		c->token = NULL;
	}
}

static CURL *
http_handle(struct client *c)
{
	CURL *h;

	if (c->curl != NULL) {
		curl_easy_reset(c->curl);
		return c->curl;
	}
	if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK)
		errx(1, _("cannot initialise libcurl"));
	if ((h = curl_easy_init()) == NULL)
		errx(1, _("cannot initialise libcurl"));
	c->curl = h;
	return h;
}

/*
 * One request; body (may be NULL) is sent as JSON. Returns 0 with the HTTP status and the
 * answer parsed (NULL when it is not JSON), or the exit status after saying what went wrong.
 */
static int
http_request(struct client *c, const char *method, const char *path, json_t *body,
    long *status, json_t **answer)
{
	CURL *h = http_handle(c);
	struct curl_slist *hdrs = NULL;
	struct buf b = { NULL, 0, 0, 0 };
	char errbuf[CURL_ERROR_SIZE], *url, *req = NULL, *lang, *base, *auth;
	CURLcode rc;
	long oserr = 0;
	int rv = 0;

	*status = 0;
	*answer = NULL;
	errbuf[0] = '\0';
	if (c->server != NULL) {
		/* Remote use: the same API at SERVER/api/v1, as the person of the token. */
		base = server_norm(c->server);
		xasprintf(&url, "%s/api/v1%s", base, path);
		free(base);
		if (!c->token_read) {
			c->token_read = 1;
			if (token_load(c->server, &c->token) != 0) {
				free(url);
				curl_slist_free_all(hdrs);
				return 1;
			}
		}
		if (c->token != NULL) {
			xasprintf(&auth, "Authorization: Bearer %s", c->token);
			hdrs = curl_slist_append(hdrs, auth);
			explicit_bzero(auth, strlen(auth));
			free(auth);
		}
		if (c->cacert != NULL)
			curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	} else {
		xasprintf(&url, "%s%s", API_URL, path);
		curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->socket);
		/* A proxy from the environment has no business with a local socket. */
		curl_easy_setopt(h, CURLOPT_PROXY, "");
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "termijn/" TERMIJN_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	/* termijnd answers in the language we print in: the one our own catalog speaks. */
	xasprintf(&lang, "Accept-Language: %s",
	    /* TRANSLATORS: the language code of this translation, as in Accept-Language. */
	    C_("Accept-Language", "en"));
	hdrs = curl_slist_append(hdrs, lang);
	if (strcmp(method, "POST") == 0) {
		req = body != NULL ? json_dumps(body, JSON_COMPACT) : xstrdup("{}");
		if (req == NULL)
			errx(1, _("cannot encode the request"));
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		/* evhttp need not understand 100-continue; send the body at once. */
		hdrs = curl_slist_append(hdrs, "Expect:");
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(req));
	} else
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	if (hdrs == NULL)
		errx(1, _("cannot build the request"));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);

	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
	switch (rc) {
	case CURLE_OK:
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		if (b.len > 0)
			*answer = json_loadb(b.data, b.len, 0, NULL);
		break;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		/* The socket's errno (ENOENT, ECONNREFUSED, EACCES) says more than curl. */
		warnx(_("cannot reach termijnd at %s: %s"), api_where(c),
		    oserr != 0 ? strerror((int)oserr) :
		    *errbuf != '\0' ? errbuf : curl_easy_strerror(rc));
		rv = EXIT_UNREACH;
		break;
	case CURLE_GOT_NOTHING:
		/* Connected, so whether a change happened is unknown: not "unreachable". */
		warnx(_("termijnd at %s closed the connection without answering"), api_where(c));
		rv = 1;
		break;
	default:
		if (b.toolong)
			warnx(_("the answer from termijnd is too large"));
		else
			warnx(_("talking to termijnd at %s: %s"), api_where(c),
			    *errbuf != '\0' ? errbuf : curl_easy_strerror(rc));
		rv = 1;
		break;
	}
	curl_slist_free_all(hdrs);
	free(lang);
	free(req);
	free(url);
	free(b.data);
	return rv;
}

const char *
api_where(struct client *c)
{
	return c->server != NULL ? c->server : c->socket;
}

/* "/milestones" plus ?name=value&... for the values that are not NULL; ends with NULL. */
char *
api_path(const char *path, ...)
{
	static const char hex[] = "0123456789ABCDEF";
	va_list ap;
	const char *name, *value, *p;
	char *out;
	size_t len, cap, need;
	int first = 1;

	len = strlen(path);
	cap = len + 64;
	out = xmalloc(cap);
	memcpy(out, path, len + 1);
	va_start(ap, path);
	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		if (value == NULL)
			continue;
		/* Worst case: every byte escaped. */
		need = len + 1 + strlen(name) + 1 + 3 * strlen(value) + 1;
		if (need > cap) {
			cap = need * 2;
			out = xreallocarray(out, cap, 1);
		}
		out[len++] = first ? '?' : '&';
		first = 0;
		memcpy(out + len, name, strlen(name));
		len += strlen(name);
		out[len++] = '=';
		for (p = value; *p != '\0'; p++) {
			unsigned char ch = (unsigned char)*p;

			/* '@' is a legal query character and keeps keys readable in logs. */
			if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || strchr("-._~@", ch) != NULL)
				out[len++] = (char)ch;
			else {
				out[len++] = '%';
				out[len++] = hex[ch >> 4];
				out[len++] = hex[ch & 15];
			}
		}
		out[len] = '\0';
	}
	va_end(ap);
	return out;
}

static const char *
item_text(json_t *it, char **tofree)
{
	const char *key, *title;

	*tofree = NULL;
	if (json_is_string(it))
		return json_string_value(it);
	if (!json_is_object(it))
		return "?";
	key = jstr_or(it, "ref", jstr_or(it, "key", "?"));	/* ref: PLAN:KEY of another plan */
	if ((title = jstr(it, "title")) != NULL) {
		xasprintf(tofree, "%s (%s)", key, title);
		return *tofree;
	}
	return key;
}

static void
print_list(json_t *list)
{
	json_t *it;
	size_t i;
	char *s;

	json_array_foreach(list, i, it) {
		fprintf(stderr, "  - %s\n", item_text(it, &s));
		free(s);
	}
}

/*
 * An error answer: say what the daemon said and return the exit status for it. refused,
 * when not NULL, heads the list of unmet rules or dependents instead of the daemon's message.
 */
static int
api_error(struct client *c, long status, json_t *body, const char *refused)
{
	const char *code, *msg;
	json_t *unmet, *deps, *cands, *msgs;
	size_t n, len;
	int rv;

	if (!json_is_object(body)) {
		/* Not the API speaking (a route it lacks?): the status alone says too little. */
		warnx(_("unexpected answer from termijnd (HTTP %ld)"), status);
		return 1;
	}
	if (c->json)
		json_print(body);
	json_clean(body);
	code = jstr_or(body, "error", "");
	msg = jstr(body, "message");
	if (status == 404)
		rv = EXIT_NOTFOUND;
	else if (status == 409 && strcmp(code, "refused") == 0)
		rv = EXIT_REFUSED;
	else
		rv = 1;
	unmet = jarr(body, "unmet");
	deps = jarr(body, "dependents");
	cands = jarr(body, "candidates");
	msgs = jarr(body, "messages");
	n = json_array_size(unmet) + json_array_size(deps) + json_array_size(cands);
	/* With --json the lists are on stdout already; stderr gets one line. */
	if (c->json) {
		unmet = deps = cands = msgs = NULL;
		n = 0;
		refused = NULL;
	}

	if (refused != NULL && rv == EXIT_REFUSED && n > 0)
		warnx("%s:", refused);
	else if (msg != NULL && *msg != '\0') {
		/* A message that a list follows ends in a colon, not a full stop. */
		len = strlen(msg);
		while (len > 0 && (msg[len - 1] == '.' || msg[len - 1] == ':'))
			len--;
		if (n + json_array_size(msgs) > 0)
			warnx("%.*s:", (int)len, msg);
		else
			warnx("%s", msg);
	} else
		warnx(_("termijnd answered HTTP %ld %s"), status, code);

	print_unmet(stderr, unmet);
	print_list(deps);
	print_list(cands);
	if (json_array_size(msgs) > 0) {
		json_t *it;
		size_t i;

		/* file:line: messages stay at the start of the line, for editors. */
		json_array_foreach(msgs, i, it)
			fprintf(stderr, "%s\n", json_is_string(it) ? json_string_value(it) : "?");
	}
	return rv;
}

static int
api_call(struct client *c, const char *method, const char *path, json_t *req,
    json_t **answer, const char *refused)
{
	long status;
	json_t *body;
	int rv;

	*answer = NULL;
	if ((rv = http_request(c, method, path, req, &status, &body)) != 0)
		return rv;
	if (status < 200 || status > 299) {
		rv = api_error(c, status, body, refused);
		json_decref(body);
		return rv;
	}
	if (!json_is_object(body)) {
		warnx(_("unexpected answer from termijnd (HTTP %ld, not a JSON object)"), status);
		json_decref(body);
		return 1;
	}
	/* Text output shows what the daemon sent; keep the terminal's escapes out of it. */
	if (!c->json)
		json_clean(body);
	*answer = body;
	return 0;
}

int
api_get(struct client *c, const char *path, json_t **answer)
{
	return api_call(c, "GET", path, NULL, answer, NULL);
}

/* The URL of the page after page (path with param=its "next"), NULL after the last. */
static char *
next_page(const char *path, const char *param, json_t *page)
{
	json_t *next = json_object_get(page, "next");
	char *more, *url, num[32];

	if (json_is_integer(next)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(next));
		more = api_path("", param, num, (char *)NULL);
	} else if (json_is_string(next))
		more = api_path("", param, json_string_value(next), (char *)NULL);
	else
		return NULL;
	/* The page's query, its cursor replaced: it is the last parameter. */
	if (strchr(path, '?') != NULL)
		more[0] = '&';
	xasprintf(&url, "%s%s", path, more);
	free(more);
	return url;
}

int
api_each_page(struct client *c, const char *path, const char *first_url,
    int (*each)(json_t *, int, int, void *), const char *param, void *arg)
{
	json_t *page;
	char *url = xstrdup(first_url != NULL ? first_url : path), *more;
	int rv, first = 1;

	for (;;) {
		rv = api_get(c, url, &page);
		free(url);
		if (rv != 0)
			return rv;
		more = next_page(path, param, page);
		rv = each(page, first, more == NULL, arg);
		json_decref(page);
		if (rv != 0 || more == NULL) {
			free(more);
			return rv == -1 ? 0 : rv;
		}
		url = more;
		first = 0;
	}
}

int
api_get_shown_pages(struct client *c, const char *path, const char *name, json_t **answer)
{
	struct json_pages jp = { name, 0, 0 };

	*answer = NULL;
	if (c->json)
		return api_each_page(c, path, NULL, json_pages_print, "cursor", &jp);
	return api_get_pages(c, path, name, "cursor", 0, 0, answer);
}

int
api_get_shown(struct client *c, const char *path, json_t **answer)
{
	int rv = api_get(c, path, answer);

	if (rv == 0 && c->json) {
		json_print(*answer);
		json_decref(*answer);
		*answer = NULL;
	}
	return rv;
}

int
api_get_pages(struct client *c, const char *path, const char *name, const char *param,
    int backwards, size_t want, json_t **answer)
{
	json_t *page, *all = NULL, *list;
	char *more, *url = xstrdup(path);
	int rv;

	*answer = NULL;
	for (;;) {
		if ((rv = api_get(c, url, &page)) != 0) {
			json_decref(all);
			free(url);
			return rv;
		}
		free(url);
		url = NULL;
		list = jarr(page, name);
		if (all == NULL) {
			all = page;
			if (list == NULL)
				json_object_set_new(all, name, json_array());
		} else {
			json_t *have = json_object_get(all, name);

			if (backwards) {
				json_array_extend(list, have);
				json_object_set(all, name, list);
			} else
				json_array_extend(have, list);
		}
		more = next_page(path, param, page);
		if (page != all)
			json_decref(page);
		if (more == NULL || (want > 0 && json_array_size(json_object_get(all, name)) >= want))
			break;
		url = more;
	}
	free(more);
	list = json_object_get(all, name);
	while (want > 0 && json_array_size(list) > want)
		json_array_remove(list, backwards ? 0 : json_array_size(list) - 1);
	json_object_del(all, "next");
	*answer = all;
	return 0;
}

int
api_post(struct client *c, const char *path, json_t *req, json_t **answer,
    const char *refused)
{
	return api_call(c, "POST", path, req, answer, refused);
}
