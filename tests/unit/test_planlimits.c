/* test_planlimits.c: the plan reader on hostile and huge input: bytes, sizes, deep graphs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nul_in_first_bytes),
	};

	return cmocka_run_group_tests_name("plan limits", tests, NULL, NULL);
}
