/* test_planlimits.c: the plan reader on hostile and huge input: bytes, sizes, deep graphs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "plan.h"
#include "xmalloc.h"

/* A NUL among the first three bytes: the byte-order-mark check read past the copy (ASan). */
static void
test_nul_in_first_bytes(void **state)
{
	static const char heads[][3] = { "\0", "\xef\0", "\xef\xbb\0", "p\0l", "\0\0\0" };
	struct errlist e = { 0 };
	struct plan *p;
	char *text;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		/* Exactly as long as it is, so that a read past it is one past the heap block. */
		len = 3 + strlen("plan x\n  title X\n");
		text = xmalloc(len);
		memcpy(text, heads[i], 3);
		memcpy(text + 3, "plan x\n  title X\n", len - 3);
		p = plan_parse("nul.plan", text, len, &e);
		assert_null(p);
		assert_true(e.n >= 1);
		assert_non_null(strstr(e.msg[0], "NUL byte"));
		errlist_free(&e);
		free(text);
	}
}

/* A plan of n milestones, m0 requires m1 requires m2 ...; cycle: the last requires m0. */
static char *
chain_text(size_t n, int cycle, size_t *lenp)
{
	size_t cap = 128 + n * 96, len, i;
	char *t = xmalloc(cap);

	len = (size_t)snprintf(t, cap, "plan chain\n  title Chain\nrole sec\n  address s@x.example\n");
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(t + len, cap - len, "milestone m%zu\n  title M\n  owner sec\n"
		    "  due 2014-01-01\n", i);
		if (i + 1 < n || cycle)
			len += (size_t)snprintf(t + len, cap - len, "  requires m%zu\n",
			    (i + 1) % n);
	}
	*lenp = len;
	return t;
}

/*
 * Parse in a child, so that a stack overflow is a failed test and not a dead test
 * program; the child answers 0 when the result is as expected (want_error NULL: a plan).
 */
static void
parse_in_child(const char *text, size_t len, const char *want_error, const char *what)
{
	int status;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == -1)
		fail_msg("fork");
	if (pid == 0) {
		struct errlist e = { 0 };
		struct plan *p;
		int ok;

		alarm(60);
		p = plan_parse("big.plan", text, len, &e);
		if (want_error == NULL)
			ok = p != NULL && e.n == 0;
		else
			ok = p == NULL && e.n == 1 && strstr(e.msg[0], want_error) != NULL &&
			    strlen(e.msg[0]) < 1000;
		if (!ok)
			for (size_t i = 0; i < e.n && i < 5; i++)
				fprintf(stderr, "  | %.300s\n", e.msg[i]);
		plan_free(p);
		errlist_free(&e);
		_exit(ok ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("%s: plan_parse died of signal %d", what, WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("%s: %s", what, want_error ? "not refused with one short error" :
		    "not accepted");
}

/* A valid chain of 100,000 milestones overflowed the stack of the cycle check. */
static void
test_chain_of_100000(void **state)
{
	size_t len;
	char *t = chain_text(100000, 0, &len);

	(void)state;
	parse_in_child(t, len, NULL, "a chain of 100,000 milestones");
	free(t);
}

/* A cycle of 70,000: refused with one message that names its ends, not all 70,000. */
static void
test_cycle_of_70000(void **state)
{
	size_t len;
	char *t = chain_text(70000, 1, &len);

	(void)state;
	parse_in_child(t, len, "dependency cycle: m0 -> m1 -> m2 -> m3 -> m4 -> m5 -> ... "
	    "(69988 more) ... -> m69994 -> m69995 -> m69996 -> m69997 -> m69998 -> m69999 -> m0",
	    "a cycle of 70,000 milestones");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nul_in_first_bytes),
		cmocka_unit_test(test_chain_of_100000),
		cmocka_unit_test(test_cycle_of_70000),
	};

	return cmocka_run_group_tests_name("plan limits", tests, NULL, NULL);
}
