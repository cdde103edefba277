/* test_msgcat.c: reading .mo catalogs (the real po/nl.po, and broken bytes) and Accept-Language. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "msgcat.h"
#include "xmalloc.h"

#define NL_MO	"build/locale/nl/LC_MESSAGES/termijn.mo"

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (fp == NULL) {
		fprintf(stderr, "%s: run make all (msgfmt) and the tests from the top\n", path);
		return NULL;
	}
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = xmalloc((size_t)n);
	*len = fread(buf, 1, (size_t)n, fp);
	fclose(fp);
	return buf;
}

static void
test_nl(void **state)
{
	struct msgcat *c;
	char *buf, *cause = NULL;
	size_t len = 0;

	(void)state;
	assert_non_null(buf = slurp(NL_MO, &len));
	c = msgcat_parse(buf, len, &cause);
	free(buf);
	assert_non_null(c);
	assert_string_equal(msgcat_get(c, "no such plan"), "dat plan bestaat niet");
	assert_string_equal(msgcat_get(c, "%s cannot be done yet"),
	    "%s kan nog niet worden afgerond");
	/* Plural forms: nl has one for 1 and one for the rest. */
	assert_string_equal(msgcat_nget(c, "%s cannot be done yet: %zu rule is unmet", 1),
	    "%s kan nog niet worden afgerond: aan %zu regel is niet voldaan");
	assert_string_equal(msgcat_nget(c, "%s cannot be done yet: %zu rule is unmet", 6),
	    "%s kan nog niet worden afgerond: aan %zu regels is niet voldaan");
	assert_null(msgcat_get(c, "a message nobody wrote"));
	assert_null(msgcat_get(c, ""));
	assert_null(msgcat_get(NULL, "no such plan"));
	msgcat_free(c);
}

/* A catalog of two entries, built by hand: "a" -> "A", "b" -> "B". */
static size_t
tiny(unsigned char *out, int bigendian)
{
	static const uint32_t w[] = { 0x950412de, 0, 2, 28, 44, 0, 0,
	    /* originals */ 1, 60, 1, 62, /* translations */ 1, 64, 1, 66 };
	size_t i, j;

	memset(out, 0, 68);
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		for (j = 0; j < 4; j++)
			out[i * 4 + j] = (unsigned char)(w[i] >> (bigendian ? 24 - 8 * j : 8 * j));
	}
	memcpy(out + 60, "a\0b\0A\0B", 8);
	return 68;
}

static void
test_tiny_both_orders(void **state)
{
	unsigned char mo[68];
	struct msgcat *c;
	char *cause = NULL;
	int be;

	(void)state;
	for (be = 0; be < 2; be++) {
		c = msgcat_parse(mo, tiny(mo, be), &cause);
		assert_non_null(c);
		assert_string_equal(msgcat_get(c, "a"), "A");
		assert_string_equal(msgcat_get(c, "b"), "B");
		assert_null(msgcat_get(c, "c"));
		msgcat_free(c);
	}
}

/* Every cut of a catalog, and each byte changed, is refused or read within its bounds. */
static void
test_broken(void **state)
{
	unsigned char mo[68], bad[68];
	struct msgcat *c;
	char *cause;
	size_t len = tiny(mo, 0), n, i;

	(void)state;
	for (n = 0; n < len; n++) {
		cause = NULL;
		c = msgcat_parse(mo, n, &cause);
		assert_null(c);
		assert_non_null(cause);
		free(cause);
	}
	for (i = 0; i < 60; i++) {
		memcpy(bad, mo, len);
		bad[i] ^= 0xff;
		cause = NULL;
		if ((c = msgcat_parse(bad, len, &cause)) != NULL) {
			msgcat_get(c, "a");
			msgcat_nget(c, "b", 2);
			msgcat_free(c);
		} else
			free(cause);
	}
	/* Unsorted originals cannot be searched: refused. */
	memcpy(bad, mo, len);
	memcpy(bad + 60, "b\0a", 3);
	cause = NULL;
	assert_null(msgcat_parse(bad, len, &cause));
	free(cause);
}

static void
test_pick(void **state)
{
	const char *langs[] = { "nl" };

	(void)state;
	assert_int_equal(msgcat_pick(NULL, langs, 1), -1);
	assert_int_equal(msgcat_pick("", langs, 1), -1);
	assert_int_equal(msgcat_pick("nl", langs, 1), 0);
	assert_int_equal(msgcat_pick("NL-nl", langs, 1), 0);
	assert_int_equal(msgcat_pick("nl-NL,nl;q=0.9,en;q=0.8", langs, 1), 0);
	assert_int_equal(msgcat_pick("en-GB, nl;q=0.5", langs, 1), -1);
	assert_int_equal(msgcat_pick("en;q=0.5, nl", langs, 1), 0);
	assert_int_equal(msgcat_pick("de, fr;q=0.9", langs, 1), -1);
	assert_int_equal(msgcat_pick("de, nl;q=0.1", langs, 1), 0);
	assert_int_equal(msgcat_pick("nl;q=0", langs, 1), -1);
	assert_int_equal(msgcat_pick("*", langs, 1), -1);
	assert_int_equal(msgcat_pick(";;;,,,q=", langs, 1), -1);
	assert_int_equal(msgcat_pick("nld", langs, 1), -1);
	assert_int_equal(msgcat_pick("nl", langs, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nl),
		cmocka_unit_test(test_tiny_both_orders),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_pick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
