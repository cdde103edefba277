/* fuzz_request.c: every API request body (request.c) and the times a client may give. */
#include <string.h>

#include "fuzz.h"
#include "plan.h"
#include "request.h"
#include "tz.h"
#include "xmalloc.h"

static const char plan_text[] =
    "plan demo\n  title Demo\n  timezone Europe/Amsterdam\nrole sec\nparty alpha\n"
    "  role sec sec@alpha.example\nmilestone start\n  title Start\n  owner sec\n"
    "  due 2013-12-17\n";

/* The fields each kind takes, as doc/api.md lists them. */
static const char *allowed[REQ_NKINDS] = {
	[REQ_DONE] = " plan key note at override reason ",
	[REQ_UNDO] = " plan key reason ",
	[REQ_WAIVE] = " plan key reason ",
	[REQ_ADD] = " plan id title owner due from not_before description parties requires ",
	[REQ_RELOAD] = " ",
	[REQ_RETRY] = " id ",
	[REQ_FEED_CREATE] = " kind subject ",
	[REQ_FEED_ROTATE] = " id ",
	[REQ_FEED_REVOKE] = " id ",
	[REQ_FEED_SEND] = " person ",
	[REQ_ACCESS_GRANT] = " person expires ",
	[REQ_ACCESS_REVOKE] = " id ",
	[REQ_LOGIN] = " address ",
	[REQ_LOGIN_CODE] = " address code ",
	[REQ_PART_ADD] = " plan dimension part title lead reason override ",
	[REQ_PART_CANCEL] = " plan dimension part reason ",
	[REQ_MOVE] = " plan key reason due from not_before ",
	[REQ_RETITLE] = " plan key reason title ",
	[REQ_CANCEL] = " plan key reason ",
	[REQ_REQUIRE] = " plan key reason on ",
};

static int
listed(const char *list, const char *name)
{
	char buf[80];

	if (strlen(name) > 64 || strchr(name, ' ') != NULL)
		return 0;
	snprintf(buf, sizeof(buf), " %s ", name);
	return strstr(list, buf) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct plan *p;
	struct request r;
	const char *name;
	char *cause = NULL, *s, buf[32];
	enum req_kind k;
	json_t *v;
	int64_t t, now = 1387440000, t2;	/* 2013-12-19 08:00 UTC */

	if (p == NULL) {
		struct errlist e = { 0 };

		p = plan_parse("demo.plan", plan_text, strlen(plan_text), &e);
		FUZZ_ASSERT(p != NULL);
	}
	if (size == 0)
		return 0;
	k = (enum req_kind)(data[0] % REQ_NKINDS);
	if (request_parse(k, (const char *)data + 1, size - 1, &r, &cause) == 0) {
		FUZZ_ASSERT(cause == NULL && json_is_object(r.body));
		/* Kinds added since this list was written are checked for the rest only. */
		if (allowed[k] != NULL)
			json_object_foreach(r.body, name, v)
				FUZZ_ASSERT(listed(allowed[k], name));
		FUZZ_ASSERT((k != REQ_DONE && k != REQ_UNDO && k != REQ_WAIVE) ||
		    (r.key != NULL && *r.key != '\0'));
		if (r.at != NULL && request_when(p, r.at, now, &t, &cause) == 0)
			FUZZ_ASSERT(t <= now && t >= plan_first_moment(p) - 366 * 86400);
		free(cause);
		request_free(&r);
	} else {
		/* A refusal always says why, and names no more than 64 bytes of a field. */
		FUZZ_ASSERT(cause != NULL && r.body == NULL && strlen(cause) < 400);
		free(cause);
	}
	/* Any text as a time: what is taken prints and reads back as the same instant. */
	s = xstrndup((const char *)data + 1, size - 1);
	if (instant_parse(s, "Europe/Amsterdam", &t) == 0) {
		FUZZ_ASSERT(t >= 0 && t < 253402300800LL);	/* 1970 to 9999 */
		utc_format(t, buf, sizeof(buf));
		FUZZ_ASSERT(instant_parse(buf, "UTC", &t2) == 0 && t2 == t);
	}
	free(s);
	return 0;
}
