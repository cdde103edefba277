/* request.c: the API's request bodies: known fields only, each of its type (pure). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "plan.h"
#include "request.h"
#include "tz.h"
#include "xmalloc.h"

enum ftype { F_STR, F_BOOL, F_INT, F_ANY };

struct fdef {
	const char	*name;
	enum ftype	 type;
	int		 required;
};

#define END	{ NULL, F_ANY, 0 }

static const struct fdef f_done[] = { { "plan", F_STR, 0 }, { "key", F_STR, 1 },
    { "note", F_STR, 0 }, { "at", F_STR, 0 }, { "override", F_BOOL, 0 },
    { "reason", F_STR, 0 }, END };
static const struct fdef f_reason[] = { { "plan", F_STR, 0 }, { "key", F_STR, 1 },
    { "reason", F_STR, 0 }, END };
/* The milestone's own fields are checked by the engine, as for a plan file's. */
static const struct fdef f_add[] = { { "plan", F_STR, 1 }, { "id", F_ANY, 0 },
    { "title", F_ANY, 0 }, { "owner", F_ANY, 0 }, { "due", F_ANY, 0 }, { "from", F_ANY, 0 },
    { "not_before", F_ANY, 0 }, { "description", F_ANY, 0 }, { "parties", F_ANY, 0 },
    { "requires", F_ANY, 0 }, END };
static const struct fdef f_part_add[] = { { "plan", F_STR, 1 }, { "dimension", F_STR, 1 },
    { "part", F_STR, 1 }, { "title", F_STR, 1 }, { "lead", F_STR, 0 }, { "reason", F_STR, 0 },
    { "override", F_BOOL, 0 }, END };
static const struct fdef f_part_cancel[] = { { "plan", F_STR, 1 }, { "dimension", F_STR, 1 },
    { "part", F_STR, 1 }, { "reason", F_STR, 1 }, END };
/* Changes of the running plan: the engine says what a missing reason or a bad date is. */
static const struct fdef f_move[] = { { "plan", F_STR, 0 }, { "key", F_STR, 1 },
    { "reason", F_STR, 0 }, { "due", F_STR, 0 }, { "from", F_STR, 0 },
    { "not_before", F_STR, 0 }, END };
static const struct fdef f_retitle[] = { { "plan", F_STR, 0 }, { "key", F_STR, 1 },
    { "reason", F_STR, 0 }, { "title", F_STR, 1 }, END };
static const struct fdef f_require[] = { { "plan", F_STR, 0 }, { "key", F_STR, 1 },
    { "reason", F_STR, 0 }, { "on", F_STR, 1 }, END };
static const struct fdef f_none[] = { END };
static const struct fdef f_id[] = { { "id", F_INT, 1 }, END };
static const struct fdef f_create[] = { { "kind", F_STR, 1 }, { "subject", F_STR, 1 }, END };
static const struct fdef f_send[] = { { "person", F_STR, 1 }, END };
static const struct fdef f_grant[] = { { "person", F_STR, 1 }, { "expires", F_STR, 0 }, END };
static const struct fdef f_login[] = { { "address", F_STR, 1 }, END };
static const struct fdef f_code[] = { { "address", F_STR, 1 }, { "code", F_STR, 1 }, END };

static const struct {
	const char		*path;
	const struct fdef	*fields;
} kinds[REQ_NKINDS] = {
	[REQ_DONE] = { "/api/v1/done", f_done },
	[REQ_UNDO] = { "/api/v1/undo", f_reason },
	[REQ_WAIVE] = { "/api/v1/waive", f_reason },
	[REQ_ADD] = { "/api/v1/add", f_add },
	[REQ_RELOAD] = { "/api/v1/reload", f_none },
	[REQ_RETRY] = { "/api/v1/reminders/retry", f_id },
	[REQ_FEED_CREATE] = { "/api/v1/feeds", f_create },
	[REQ_FEED_ROTATE] = { "/api/v1/feeds/rotate", f_id },
	[REQ_FEED_REVOKE] = { "/api/v1/feeds/revoke", f_id },
	[REQ_FEED_SEND] = { "/api/v1/feeds/send", f_send },
	[REQ_ACCESS_GRANT] = { "/api/v1/access/grant", f_grant },
	[REQ_ACCESS_REVOKE] = { "/api/v1/access/revoke", f_id },
	[REQ_LOGIN] = { "/api/v1/login", f_login },
	[REQ_LOGIN_CODE] = { "/api/v1/login/code", f_code },
	[REQ_PART_ADD] = { "/api/v1/parts/add", f_part_add },
	[REQ_PART_CANCEL] = { "/api/v1/parts/cancel", f_part_cancel },
	[REQ_MOVE] = { "/api/v1/move", f_move },
	[REQ_RETITLE] = { "/api/v1/retitle", f_retitle },
	[REQ_CANCEL] = { "/api/v1/cancel", f_reason },
	[REQ_REQUIRE] = { "/api/v1/require", f_require },
};

int
request_kind(const char *path)
{
	int k;

	for (k = 0; k < REQ_NKINDS; k++)
		if (strcmp(kinds[k].path, path) == 0)
			return k;
	return -1;
}

static const char *
type_name(enum ftype t)
{
	return t == F_STR ? _("a string") : t == F_BOOL ? _("true or false") : _("an integer");
}

static int
type_ok(json_t *v, enum ftype t)
{
	switch (t) {
	case F_STR:
		return json_is_string(v);
	case F_BOOL:
		return json_is_boolean(v);
	case F_INT:
		return json_is_integer(v);
	case F_ANY:
		break;
	}
	return 1;
}

/* A field printed in a message: short, and without what a terminal would take as control. */
static void
safe_name(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len && i < 64; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
}

int
request_parse(enum req_kind k, const char *buf, size_t len, struct request *r, char **cause)
{
	const struct fdef *f;
	json_error_t jerr;
	const char *name;
	char shown[72];
	json_t *v;

	memset(r, 0, sizeof(*r));
	if ((unsigned)k >= REQ_NKINDS)
		return -1;
	if (len == 0 && kinds[k].fields == f_none)
		buf = "{}", len = 2;
	if (len == 0) {
		xasprintf(cause, _("a JSON object is needed as the request body"));
		return -1;
	}
	/* jansson refuses \u0000 in strings by default: no key that C would cut short. */
	if ((r->body = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		xasprintf(cause, _("bad JSON at line %d column %d: %s"), jerr.line, jerr.column,
		    jerr.text);
		return -1;
	}
	if (!json_is_object(r->body)) {
		xasprintf(cause, _("the request body must be a JSON object"));
		goto bad;
	}
	json_object_foreach(r->body, name, v) {
		for (f = kinds[k].fields; f->name != NULL; f++)
			if (strcmp(f->name, name) == 0)
				break;
		safe_name(name, shown, sizeof(shown));
		if (f->name == NULL) {
			xasprintf(cause, _("unknown field \"%s\""), shown);
			goto bad;
		}
		if (!json_is_null(v) && !type_ok(v, f->type)) {
			xasprintf(cause, _("%s must be %s"), f->name, type_name(f->type));
			goto bad;
		}
	}
	for (f = kinds[k].fields; f->name != NULL; f++) {
		v = json_object_get(r->body, f->name);
		if (f->required && (v == NULL || json_is_null(v) ||
		    (json_is_string(v) && json_string_length(v) == 0))) {
			xasprintf(cause, _("%s is required"), f->name);
			goto bad;
		}
	}
#define S(x) (json_is_string(json_object_get(r->body, #x)) ? \
	json_string_value(json_object_get(r->body, #x)) : NULL)
	r->plan = S(plan);
	r->key = S(key);
	r->note = S(note);
	r->at = S(at);
	r->reason = S(reason);
	r->kind = S(kind);
	r->subject = S(subject);
	r->person = S(person);
	r->expires = S(expires);
	r->address = S(address);
	r->code = S(code);
	r->dimension = S(dimension);
	r->part = S(part);
	r->title = S(title);
	r->lead = S(lead);
#undef S
	r->override = json_is_true(json_object_get(r->body, "override"));
	if ((v = json_object_get(r->body, "id")) != NULL && json_is_integer(v))
		r->id = json_integer_value(v);
	return 0;
bad:
	json_decref(r->body);
	r->body = NULL;
	return -1;
}

void
request_free(struct request *r)
{
	json_decref(r->body);
	r->body = NULL;
}

int64_t
plan_first_moment(const struct plan *p)
{
	int64_t first = INT64_MAX, t[3];
	size_t i, j;

	for (i = 0; i < p->ninst; i++) {
		t[0] = p->inst[i].start;
		t[1] = p->inst[i].deadline;
		t[2] = p->inst[i].not_before;
		for (j = 0; j < 3; j++)
			if (t[j] != 0 && t[j] < first)
				first = t[j];
	}
	return first;
}

#define YEAR	(366 * 86400)

int
request_when(const struct plan *p, const char *s, int64_t now, int64_t *out, char **cause)
{
	int64_t first = plan_first_moment(p), t;
	char buf[32];

	if (instant_parse(s, p->tz, &t) == -1) {
		xasprintf(cause, _("at: an RFC 3339 instant (2013-12-19T09:00:00+01:00) or a local "
		    "time in %s that exists there (\"2013-12-19 09:00\")"), p->tz);
		return -1;
	}
	if (t > now) {
		xasprintf(cause, _("at: a milestone cannot be done in the future"));
		return -1;
	}
	if (first != INT64_MAX && t < first - YEAR) {
		utc_format(first - YEAR, buf, sizeof(buf));
		xasprintf(cause, _("at: before the plan's life (it starts a year before its first "
		    "moment, at %s)"), buf);
		return -1;
	}
	*out = t;
	return 0;
}
