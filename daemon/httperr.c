/* httperr.c: libevent's own error answers, in our formats: JSON on the API, text elsewhere. */
#include <stdio.h>
#include <string.h>

#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include "httperr.h"
#include "i18n.h"
#include "lang.h"

static struct evhttp *json_server;

void
httperr_json(struct evhttp *http)
{
	json_server = http;
}

static const char *
error_code(int status)
{
	switch (status) {
	case 400: return "bad-request";
	case 404: return "not-found";
	case 405: return "method-not-allowed";
	case 501: return "not-implemented";
	case 413: return "too-large";
	case 503: return "unavailable";
	default: return status >= 500 ? "internal" : "bad-request";
	}
}

static const char *
error_text(int status)
{
	switch (status) {
	case 400: return _("a request termijnd cannot read (request line or headers)");
	case 413: return _("the request is too large (headers over 8 KiB or body over 64 KiB)");
	case 501: return _("GET for reading, POST for changes");
	default: return _("the request cannot be answered");
	}
}

/*
 * libevent 2.1 answers a request it cannot parse (garbage, an unknown method, headers or
 * a body over the limits) from inside evhttp with evhttp_send_error and an HTML page; it
 * has no hook for that (2.2's evhttp_set_errorcb). Its calls go through the PLT, so this
 * definition takes their place (tests/e2e/t-api.sh checks that it does). The connection
 * is closed after it, as libevent does: the rest of what the peer sent is not trusted.
 */
void
evhttp_send_error(struct evhttp_request *req, int error, const char *reason)
{
	struct evhttp_connection *con = evhttp_request_get_connection(req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evbuffer *b = evbuffer_new();
	const struct msgcat *old;
	int json = con != NULL && json_server != NULL &&
	    evhttp_connection_get_server(con) == json_server;
	const char *text;
	char msg[256];
	size_t i;

	if (b == NULL) {
		if (con != NULL)
			evhttp_connection_free(con);
		return;
	}
	/* In the request's language when its headers were read (they may not have been). */
	old = msgcat_use(lang_for(evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Accept-Language")));
	text = reason != NULL && error != 400 && error != 413 && error != 501 ? reason :
	    error_text(error);
	/* The text is ours or libevent's, never the peer's; still, nothing JSON would mind. */
	snprintf(msg, sizeof(msg), "%s", text);
	msgcat_use(old);
	for (i = 0; msg[i] != '\0'; i++)
		if (msg[i] == '"' || msg[i] == '\\' || (unsigned char)msg[i] < 0x20)
			msg[i] = ' ';
	/* As libevent's own does: an unreadable request line leaves the version at 0.0. */
	if (req->major == 0 && req->minor == 0) {
		req->major = 1;
		req->minor = 1;
	}
	evhttp_clear_headers(out);
	evhttp_add_header(out, "Connection", "close");
	if (json) {
		evhttp_add_header(out, "Content-Type", "application/json");
		evbuffer_add_printf(b, "{\"error\":\"%s\",\"message\":\"%s\"}\n", error_code(error),
		    msg);
	} else {
		evhttp_add_header(out, "Content-Type", "text/plain; charset=utf-8");
		evbuffer_add_printf(b, "%d %s\n", error, msg);
	}
	evhttp_send_reply(req, error, reason, b);
	evbuffer_free(b);
}

const char *
http_date_now(void)
{
	static char date[50];
	static time_t made = -1;
	time_t now = time(NULL);

	if (now != made) {
		evutil_date_rfc1123(date, sizeof(date), NULL);
		made = now;
	}
	return date;
}

char *
http_put(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}
