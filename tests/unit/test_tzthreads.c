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

/*
 * libical 3.0.16 reads its table of zones unlocked while the first thread to ask fills it:
 * the plan files are parsed on every CPU, and a zone was then missing, or worse.
 */
static void
test_first_use_in_threads(void **state)
{
	int i, st, bad = 0, why = 0;
	pid_t pid;

	(void)state;
	for (i = 0; i < NTRIES; i++) {
		if ((pid = fork()) == -1)
			fail_msg("fork failed");
		if (pid == 0)
			_exit(one_try());
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			bad++;
			why = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
	}
	if (bad > 0)
		fail_msg("%d of %d tries failed (the last: %s)", bad, NTRIES, why == 1 ?
		    "a thread did not find Europe/Amsterdam" : why == 3 ? "Europe/Amsterdam "
		    "twice in libical's table" : "the child died");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_use_in_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
