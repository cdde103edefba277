/* test_tzthreads.c: zones found by several threads at once, as the first use of libical. */
#include <sys/wait.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <libical/ical.h>

#include "ical.h"
#include "plan.h"
#include "tz.h"

#define NTHREADS	8
#define NTRIES		200

static pthread_barrier_t	 go;
static int64_t			 got[NTHREADS];

static void *
find_cb(void *arg)
{
	struct ltime lt = { .year = 2014, .mon = 1, .day = 20, .hour = 9, .has_time = 1 };
	int64_t *out = arg;

	pthread_barrier_wait(&go);
	*out = tz_valid("Europe/Amsterdam") ? tz_to_utc("Europe/Amsterdam", &lt) : -1;
	return NULL;
}

/* In a process of its own, where libical has read nothing yet: 0 when every thread found it. */
static int
one_try(void)
{
	pthread_t t[NTHREADS];
	icalarray *zones;
	size_t i, n;

	pthread_barrier_init(&go, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, find_cb, &got[i]) != 0)
			return 2;
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < NTHREADS; i++)
		if (got[i] != 1390204800)	/* 2014-01-20 08:00 UTC */
			return 1;
	/* A thread that looked while the table was being filled added a copy of its own. */
	zones = icaltimezone_get_builtin_timezones();
	for (i = n = 0; i < zones->num_elements; i++)
		if (strcmp(icaltimezone_get_location(icalarray_element_at(zones, i)),
		    "Europe/Amsterdam") == 0)
			n++;
	return n == 1 ? 0 : 3;
}

/* try() in NTRIES processes of its own; fails saying why[] the last failed try did (its code). */
static void
tries(int (*try)(void), const char *const *why, size_t nwhy)
{
	int i, st, bad = 0, code = 0;
	pid_t pid;

	for (i = 0; i < NTRIES; i++) {
		if ((pid = fork()) == -1)
			fail_msg("fork failed");
		if (pid == 0)
			_exit(try());
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			bad++;
			code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
	}
	if (bad > 0)
		fail_msg("%d of %d tries failed (the last: %s)", bad, NTRIES,
		    code > 0 && (size_t)code < nwhy && why[code] ? why[code] : "the child died");
}

/*
 * libical 3.0.16 reads its table of zones unlocked while the first thread to ask fills it:
 * the plan files are parsed on every CPU, and a zone was then missing, or worse.
 */
static void
test_first_use_in_threads(void **state)
{
	static const char *const why[] = { [1] = "a thread did not find Europe/Amsterdam",
	    [3] = "Europe/Amsterdam twice in libical's table" };

	(void)state;
	tries(one_try, why, sizeof(why) / sizeof(why[0]));
}

/* A plan in a zone the renderers and the converters look up at once. */
static const char zoned_text[] =
    "plan z\n  title Z\n  timezone America/New_York\n"
    "role r\n  address r@x.example\n"
    "milestone m\n  title M\n  owner r\n  due 2014-01-20 09:00\n"
    "milestone w\n  title W\n  owner r\n  window 2014-07-01 .. 2014-07-15\n";
static struct plan	*zoned;
static char		*want;
static size_t		 wantlen;

static void *
render_cb(void *arg)
{
	struct ical_part part = { .plan = zoned };
	struct ical_feed_opts opts = { 0 };
	char *cause = NULL, *s;
	size_t len;

	pthread_barrier_wait(&go);
	s = ical_render(&part, 1, &opts, 1387184400, &len, &cause);
	*(int64_t *)arg = s != NULL && len == wantlen && memcmp(s, want, len) == 0;
	free(s);
	free(cause);
	return NULL;
}

static void *
convert_cb(void *arg)
{
	struct ltime lt = { .year = 2014, .mon = 1, .day = 20, .hour = 9, .has_time = 1 };

	pthread_barrier_wait(&go);
	/* 2014-01-20 14:00 UTC; then UTC itself, whose first use fills libical's table too. */
	*(int64_t *)arg = tz_valid("America/New_York") &&
	    tz_to_utc("America/New_York", &lt) == 1390226400 && tz_to_utc("UTC", &lt) == 1390208400;
	return NULL;
}

/* In a process of its own: the plan parsed, libical's zones freed, then its first use by
 * threads rendering the plan's feed (ical.c) and converting its times (tz.c) at once. */
static int
render_try(void)
{
	struct ical_part part;
	struct ical_feed_opts opts = { 0 };
	struct errlist errs = { 0 };
	char *cause = NULL;
	pthread_t t[NTHREADS];
	icalarray *zones;
	size_t i, n;

	if ((zoned = plan_parse("z.plan", zoned_text, strlen(zoned_text), &errs)) == NULL)
		return 4;
	memset(&part, 0, sizeof(part));
	part.plan = zoned;
	if ((want = ical_render(&part, 1, &opts, 1387184400, &wantlen, &cause)) == NULL)
		return 4;
	tz_free();
	pthread_barrier_init(&go, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, i % 2 ? convert_cb : render_cb, &got[i]) != 0)
			return 2;
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < NTHREADS; i++)
		if (got[i] != 1)
			return i % 2 ? 5 : 1;
	zones = icaltimezone_get_builtin_timezones();
	for (i = n = 0; i < zones->num_elements; i++)
		if (strcmp(icaltimezone_get_location(icalarray_element_at(zones, i)),
		    "America/New_York") == 0)
			n++;
	return n == 1 ? 0 : 3;
}

/*
 * A feed renders on the loop while a reload parses plans in a thread of its own: ical.c's
 * zone lookups must take tz.c's lock as the parser's do (issue 13), or libical's table is
 * searched while it is filled, or a zone's name read while its data replaces it.
 */
static void
test_render_beside_parse(void **state)
{
	static const char *const why[] = { [1] = "a render came out otherwise",
	    [3] = "America/New_York twice in libical's table",
	    [4] = "the plan did not parse or render", [5] = "a conversion came out wrong" };

	(void)state;
	tries(render_try, why, sizeof(why) / sizeof(why[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_use_in_threads),
		cmocka_unit_test(test_render_beside_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
