/* test_jsontext.c: jsontext_compact and the writer against json_dumps(JSON_COMPACT), byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsontext.h"

/* Both give the same text, or both refuse. */
static void
same(const json_t *j)
{
	char *want = json_dumps(j, JSON_COMPACT), *got;
	size_t len = 0;

	got = jsontext_compact(j, &len);
	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
	free(want);
	free(got);
}

static void
test_scalars_and_empties(void **state)
{
	json_t *o = json_object(), *a = json_array();

	(void)state;
	same(o);
	same(a);
	json_array_append_new(a, json_true());
	json_array_append_new(a, json_false());
	json_array_append_new(a, json_null());
	json_array_append_new(a, json_integer(0));
	json_array_append_new(a, json_integer(-1));
	json_array_append_new(a, json_integer(INT64_MAX));
	json_array_append_new(a, json_integer(INT64_MIN));
	json_array_append_new(a, json_object());
	json_array_append_new(a, json_array());
	same(a);
	json_object_set_new(o, "a", a);
	json_object_set_new(o, "", json_string(""));
	same(o);
	json_decref(o);
}

static void
test_reals(void **state)
{
	static const double v[] = { 0.0, -0.0, 1.0, -2.5, 0.1, 1e20, 1e-5, 123456789012345678.0,
	    1.5e300, -3e-300, 2.0 / 3.0, 100.0 };
	json_t *a = json_array();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		json_array_append_new(a, json_real(v[i]));
	same(a);
	json_decref(a);
}

static void
test_strings(void **state)
{
	/* Every escape jansson makes, UTF-8 of every length, '/' and DEL as they are. */
	static const char *s[] = { "plain", "quote \" backslash \\ slash /", "\b\f\n\r\t",
	    "\x01\x1f\x7f", "Gemeente Súdwest-Fryslân", "\xe2\x82\xac \xf0\x9f\x98\x80",
	    "<script>&amp;</script>", "tab\tend\n" };
	json_t *o = json_object();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		json_object_set_new(o, s[i], json_string(s[i]));
	/* A NUL inside a string, and a key with one. */
	json_object_set_new(o, "nul", json_stringn("a\0b", 3));
	json_object_setn_new(o, "k\0ey", 4, json_true());
	same(o);
	json_decref(o);
}

static void
test_refusals(void **state)
{
	json_t *o = json_object(), *deep = json_array(), *cur = deep, *str = json_string("x");
	size_t len = 7;
	int i;

	(void)state;
	/* Not a container: json_dumps without JSON_ENCODE_ANY refuses it too. */
	assert_null(json_dumps(str, JSON_COMPACT));
	assert_null(jsontext_compact(str, &len));
	json_decref(str);
	assert_null(jsontext_compact(NULL, &len));
	/* Not UTF-8 (jansson checks again when it writes). */
	json_object_set_new(o, "bad", json_string_nocheck("\xc3\x28"));
	same(o);
	assert_null(jsontext_compact(o, &len));
	json_object_clear(o);
	json_object_set_new(o, "overlong", json_string_nocheck("\xc0\xaf"));
	same(o);
	json_object_clear(o);
	json_object_set_new(o, "surrogate", json_string_nocheck("\xed\xa0\x80"));
	same(o);
	json_object_clear(o);
	json_object_set_new(o, "cut", json_string_nocheck("ab\xe2\x82"));
	same(o);
	json_decref(o);
	/* Too deep: refused rather than the stack overflowed. */
	for (i = 0; i < JSONTEXT_DEPTH + 10; i++) {
		json_t *next = json_array();

		json_array_append_new(cur, next);
		cur = next;
	}
	assert_null(jsontext_compact(deep, &len));
	json_decref(deep);
}

/* Random trees of random values: the same text as jansson's, each time. */
static json_t *
random_value(unsigned *seed, int depth)
{
	static const char *pieces[] = { "a", "ü", "€", "\"", "\\", "\n", "\x02", "/", " ",
	    "😀", "key", "\t", "é", "0" };
	char buf[64];
	size_t i, n;
	json_t *j;

	switch (rand_r(seed) % (depth > 4 ? 6 : 8)) {
	case 0:
		return json_null();
	case 1:
		return json_boolean(rand_r(seed) % 2);
	case 2:
		return json_integer((json_int_t)rand_r(seed) - RAND_MAX / 2);
	case 3:
		return json_real((double)rand_r(seed) / (rand_r(seed) % 1000 + 1));
	case 4:
	case 5:
		buf[0] = '\0';
		n = rand_r(seed) % 6;
		for (i = 0; i < n; i++)
			strcat(buf, pieces[rand_r(seed) % (sizeof(pieces) / sizeof(pieces[0]))]);
		return json_string(buf);
	case 6:
		j = json_array();
		n = rand_r(seed) % 5;
		for (i = 0; i < n; i++)
			json_array_append_new(j, random_value(seed, depth + 1));
		return j;
	default:
		j = json_object();
		n = rand_r(seed) % 5;
		for (i = 0; i < n; i++) {
			snprintf(buf, sizeof(buf), "%s%u",
			    pieces[rand_r(seed) % (sizeof(pieces) / sizeof(pieces[0]))], rand_r(seed) % 50);
			json_object_set_new(j, buf, random_value(seed, depth + 1));
		}
		return j;
	}
}

static void
test_random_trees(void **state)
{
	unsigned seed = 13;
	json_t *o;
	int i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		o = json_object();
		json_object_set_new(o, "v", random_value(&seed, 0));
		json_object_set_new(o, "w", random_value(&seed, 0));
		same(o);
		json_decref(o);
	}
}

/* The same fields through a writer: once as text, once onto an object. */
static void
fields(struct jsonw *w, unsigned *seed)
{
	static const char *pieces[] = { "a", "ü", "\"", "\\", "\n", "\x02", "😀", "", "0" };
	char key[16];
	int i, n = (int)(rand_r(seed) % 8);

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		switch (rand_r(seed) % 5) {
		case 0:
			jsonw_str(w, key, pieces[rand_r(seed) % (sizeof(pieces) / sizeof(pieces[0]))]);
			break;
		case 1:
			jsonw_str(w, key, NULL);
			break;
		case 2:
			jsonw_null(w, key);
			break;
		case 3:
			jsonw_bool(w, key, rand_r(seed) % 2);
			break;
		default:
			jsonw_int(w, key, (json_int_t)rand_r(seed) - RAND_MAX / 2);
			break;
		}
	}
}

static void
test_writer(void **state)
{
	unsigned seed = 7, s1, s2;
	struct jsonw w, t;
	json_t *top, *a, *o;
	char *want, *got;
	size_t len, n, i;
	int round;

	(void)state;
	for (round = 0; round < 500; round++) {
		/* {"one":{...},"list":[{...},...],"tail":...} both ways */
		top = json_object();
		jsonw_text(&w);
		jsonw_open(&w, NULL, '{');
		s1 = s2 = seed;
		o = json_object();
		jsonw_tree(&t, o);
		fields(&t, &s1);
		json_object_set_new(top, "one", o);
		jsonw_open(&w, "one", '{');
		fields(&w, &s2);
		jsonw_close(&w, '}');
		a = json_array();
		jsonw_open(&w, "list", '[');
		n = rand_r(&s1) % 4;
		(void)rand_r(&s2);
		for (i = 0; i < n; i++) {
			o = json_object();
			jsonw_tree(&t, o);
			fields(&t, &s1);
			json_array_append_new(a, o);
			jsonw_open(&w, NULL, '{');
			fields(&w, &s2);
			jsonw_close(&w, '}');
		}
		jsonw_close(&w, ']');
		json_object_set_new(top, "list", a);
		jsonw_tree(&t, top);
		fields(&t, &s1);
		fields(&w, &s2);
		jsonw_close(&w, '}');
		seed = s1;
		want = json_dumps(top, JSON_COMPACT);
		got = jsonw_end(&w, &len);
		assert_non_null(got);
		assert_string_equal(got, want);
		assert_int_equal(len, strlen(want));
		free(want);
		free(got);
		json_decref(top);
	}
}

static void
test_writer_refusals(void **state)
{
	struct jsonw w;
	size_t len = 7;

	(void)state;
	/* A value that is not UTF-8 is left out, as the tree leaves it out. */
	{
		json_t *o = json_object();
		char *want, *t;
		struct jsonw tw;

		jsonw_tree(&tw, o);
		jsonw_text(&w);
		jsonw_open(&w, NULL, '{');
		jsonw_str(&tw, "bad", "\xc3\x28");
		jsonw_str(&w, "bad", "\xc3\x28");
		jsonw_int(&tw, "n", 1);
		jsonw_int(&w, "n", 1);
		jsonw_str(&tw, "surrogate", "\xed\xa0\x80");
		jsonw_str(&w, "surrogate", "\xed\xa0\x80");
		jsonw_close(&w, '}');
		want = json_dumps(o, JSON_COMPACT);
		t = jsonw_end(&w, &len);
		assert_string_equal(want, "{\"n\":1}");
		assert_string_equal(t, want);
		free(want);
		free(t);
		json_decref(o);
	}
	/* Left open, closed too often, nothing at all. */
	jsonw_text(&w);
	jsonw_open(&w, NULL, '[');
	assert_null(jsonw_end(&w, &len));
	jsonw_text(&w);
	jsonw_open(&w, NULL, '[');
	jsonw_close(&w, ']');
	jsonw_close(&w, ']');
	assert_null(jsonw_end(&w, &len));
	jsonw_text(&w);
	assert_null(jsonw_end(&w, &len));
	/* Empty containers are text. */
	jsonw_text(&w);
	jsonw_open(&w, NULL, '[');
	jsonw_open(&w, NULL, '{');
	jsonw_close(&w, '}');
	jsonw_open(&w, NULL, '[');
	jsonw_close(&w, ']');
	jsonw_close(&w, ']');
	{
		char *t = jsonw_end(&w, &len);

		assert_string_equal(t, "[{},[]]");
		assert_int_equal(len, 7);
		free(t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars_and_empties),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_random_trees),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_writer_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
