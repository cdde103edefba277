/* test_planedit.c: changes to a running plan, validated as a plan file, and taken back. */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "planedit.h"
#include "xmalloc.h"

static const char text[] =
    "plan p\n"
    "  title P\n"
    "role sec\n"
    "  address sec@p.example\n"
    "party x\n"
    "party y\n"
    "milestone a\n"
    "  title A\n"
    "  owner sec\n"
    "  due 2014-01-09\n"
    "milestone b\n"
    "  title B\n"
    "  owner sec\n"
    "  due 2014-01-10\n"
    "  requires a\n"
    "milestone c\n"
    "  title C\n"
    "  owner sec\n"
    "  parties all\n"
    "  due 2014-01-31\n"
    "  requires b\n";

static struct plan *
load(void)
{
	struct errlist e = { 0 };
	struct plan *p = plan_parse("mem.plan", text, strlen(text), &e);

	assert_non_null(p);
	errlist_free(&e);
	return p;
}

/* An edit from its JSON form, as the API and the store give it. */
static void
edit(enum edit_kind k, const char *json, struct planedit *ed)
{
	json_error_t jerr;
	json_t *o = json_loads(json, 0, &jerr);
	char *cause = NULL;

	assert_non_null(o);
	if (planedit_from_json(k, o, ed, &cause) == -1)
		fail_msg("%s: %s", json, cause);
	json_decref(o);
}

static void
value_is(const struct plan *p, const struct planedit *ed, const char *want)
{
	char *v = planedit_value(p, ed);

	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static void
test_move(void **state)
{
	struct plan *p = load();
	struct planedit ed;
	struct planedit_saved *sv;
	char *cause = NULL;
	int64_t before = plan_instance(p, "b")->deadline;

	(void)state;
	edit(EDIT_MOVE, "{\"key\": \"b\", \"due\": \"2014-01-20\", \"not_before\": \"2014-01-15 08:00\"}",
	    &ed);
	value_is(p, &ed, "due 2014-01-10");
	assert_int_equal(planedit_apply(p, &ed, &sv, &cause), 0);
	value_is(p, &ed, "due 2014-01-20, not before 2014-01-15 08:00");
	assert_int_equal(plan_instance(p, "b")->deadline - before, 10 * 86400);
	planedit_restore(p, sv);
	assert_int_equal(plan_instance(p, "b")->deadline, before);
	value_is(p, &ed, "due 2014-01-10");
	planedit_clear(&ed);
	plan_free(p);
}

/* A deadline before a prerequisite can start is refused, and nothing changes. */
static void
test_move_impossible(void **state)
{
	struct plan *p = load();
	struct planedit ed, w;
	struct planedit_saved *sv, *sw;
	char *cause = NULL;

	(void)state;
	edit(EDIT_MOVE, "{\"key\": \"a\", \"from\": \"2014-01-08\"}", &w);
	assert_int_equal(planedit_apply(p, &w, &sw, &cause), 0);
	value_is(p, &w, "due 2014-01-09, window from 2014-01-08");
	edit(EDIT_MOVE, "{\"key\": \"b\", \"due\": \"2014-01-07\"}", &ed);
	assert_int_equal(planedit_apply(p, &ed, &sv, &cause), -1);
	assert_null(sv);
	assert_non_null(strstr(cause, "b is due 2014-01-07, but its prerequisite a cannot start "
	    "before 2014-01-08"));
	assert_null(strstr(cause, "mem.plan"));
	free(cause);
	value_is(p, &ed, "due 2014-01-10");
	assert_non_null(plan_instance(p, "b"));
	/* A window start given as none goes. */
	planedit_saved_free(sw);
	planedit_clear(&w);
	edit(EDIT_MOVE, "{\"key\": \"a\", \"from\": \"none\"}", &w);
	assert_int_equal(planedit_apply(p, &w, &sw, &cause), 0);
	value_is(p, &w, "due 2014-01-09");
	planedit_saved_free(sw);
	planedit_clear(&w);
	planedit_clear(&ed);
	plan_free(p);
}

static void
test_require_cycle(void **state)
{
	struct plan *p = load();
	struct planedit ed;
	struct planedit_saved *sv;
	char *cause = NULL;
	size_t n = plan_milestone(p, "a")->nreqs;

	(void)state;
	edit(EDIT_REQUIRE, "{\"key\": \"a\", \"on\": \"c@x\"}", &ed);
	assert_int_equal(planedit_apply(p, &ed, &sv, &cause), -1);
	assert_string_equal(cause, "dependency cycle: a -> c -> b -> a");
	free(cause);
	assert_int_equal(plan_milestone(p, "a")->nreqs, n);
	value_is(p, &ed, "does not require c@x");
	planedit_clear(&ed);

	edit(EDIT_REQUIRE, "{\"key\": \"c\", \"on\": \"a\"}", &ed);
	assert_int_equal(planedit_apply(p, &ed, &sv, &cause), 0);
	value_is(p, &ed, "requires a");
	assert_true(plan_milestone(p, "c")->reqs[1].runtime);
	assert_int_equal(plan_instance(p, "c@y")->npre, 2);
	planedit_saved_free(sv);
	/* Twice is refused. */
	assert_int_equal(planedit_apply(p, &ed, &sv, &cause), -1);
	assert_string_equal(cause, "c requires a already");
	free(cause);
	planedit_clear(&ed);
	plan_free(p);
}

static void
test_retitle(void **state)
{
	struct plan *p = load();
	struct planedit ed;
	struct planedit_saved *sv;
	char *cause = NULL;

	(void)state;
	edit(EDIT_RETITLE, "{\"key\": \"c\", \"title\": \"C, retitled\"}", &ed);
	assert_int_equal(planedit_apply(p, &ed, &sv, &cause), 0);
	assert_string_equal(plan_instance(p, "c@x")->title, "C, retitled");
	planedit_restore(p, sv);
	assert_string_equal(plan_instance(p, "c@x")->title, "C");
	planedit_clear(&ed);
	plan_free(p);
}

static void
test_cancel_file(void **state)
{
	struct plan *p = load();
	struct planedit ed;
	struct planedit_saved *sv;
	char *cause = NULL;

	(void)state;
	edit(EDIT_CANCEL, "{\"key\": \"b\"}", &ed);
	assert_int_equal(planedit_apply(p, &ed, &sv, &cause), -1);
	assert_non_null(strstr(cause, "in the plan file"));
	free(cause);
	assert_non_null(plan_milestone(p, "b"));
	planedit_clear(&ed);
	plan_free(p);
}

/* The room plan.c counts on for additions is there (a cancel taken back once shrank it). */
static void
room_is_true(const struct plan *p)
{
	assert_true(p->nms <= p->ms_cap || p->ms_cap == 0);
	assert_true(malloc_usable_size(p->ms) >= p->ms_cap * sizeof(*p->ms));
}

static struct milestone *
runtime_ms(const char *id)
{
	struct milestone *m = milestone_new();

	m->id = xstrdup(id);
	m->title = xstrdup(id);
	m->owner = xstrdup("sec");
	m->runtime = 1;
	ltime_parse("2014-01-05", &m->timing.due);
	return m;
}

static void
test_cancel_addition(void **state)
{
	struct plan *p = load();
	struct planedit ed, req;
	struct planedit_saved *sv, *sr;
	struct milestone *m = milestone_new();
	char *cause = NULL;
	size_t ninst = p->ninst;

	(void)state;
	m->id = xstrdup("z");
	m->title = xstrdup("Z");
	m->owner = xstrdup("sec");
	m->runtime = 1;
	ltime_parse("2014-01-05", &m->timing.due);
	assert_int_equal(plan_add_milestone(p, m, &cause), 0);
	assert_int_equal(p->ninst, ninst + 1);
	/* Required by another: refused, naming the requirement. */
	edit(EDIT_REQUIRE, "{\"key\": \"b\", \"on\": \"z\"}", &req);
	assert_int_equal(planedit_apply(p, &req, &sr, &cause), 0);
	edit(EDIT_CANCEL, "{\"key\": \"z\"}", &ed);
	assert_int_equal(planedit_apply(p, &ed, &sv, &cause), -1);
	assert_string_equal(cause, "milestone b requires unknown milestone z");
	free(cause);
	room_is_true(p);
	assert_non_null(plan_instance(p, "z"));
	planedit_restore(p, sr);
	/* Then it goes, and comes back when the cancel is taken back. */
	assert_int_equal(planedit_apply(p, &ed, &sv, &cause), 0);
	assert_null(plan_instance(p, "z"));
	assert_null(plan_milestone(p, "z"));
	assert_int_equal(p->ninst, ninst);
	value_is(p, &ed, "absent");
	planedit_restore(p, sv);
	room_is_true(p);
	assert_non_null(plan_instance(p, "z"));
	assert_string_equal(plan_milestone(p, "z")->title, "Z");
	assert_int_equal(planedit_apply(p, &ed, &sv, &cause), 0);
	planedit_saved_free(sv);
	assert_null(plan_milestone(p, "z"));
	assert_non_null(plan_milestone(p, "c"));
	planedit_clear(&ed);
	planedit_clear(&req);
	/* Additions after a refused cancel, past the room there was: each one in its place. */
	edit(EDIT_CANCEL, "{\"key\": \"y0\"}", &ed);
	assert_int_equal(plan_add_milestone(p, runtime_ms("y0"), &cause), 0);
	edit(EDIT_REQUIRE, "{\"key\": \"b\", \"on\": \"y0\"}", &req);
	assert_int_equal(planedit_apply(p, &req, &sr, &cause), 0);
	planedit_saved_free(sr);
	assert_int_equal(planedit_apply(p, &ed, &sv, &cause), -1);
	free(cause);
	room_is_true(p);
	for (int i = 1; i <= 40; i++) {
		char id[16];

		snprintf(id, sizeof(id), "y%d", i);
		assert_int_equal(plan_add_milestone(p, runtime_ms(id), &cause), 0);
		room_is_true(p);
	}
	assert_string_equal(plan_milestone(p, "y40")->title, "y40");
	assert_string_equal(plan_milestone(p, "y0")->title, "y0");
	planedit_clear(&ed);
	planedit_clear(&req);
	plan_free(p);
}

/* One party's timing, as a for block of the plan file would say it; the others' stay. */
static void
test_move_party(void **state)
{
	struct plan *p = load();
	struct planedit ed, e2, nb, bad;
	struct planedit_saved *sv, *s2, *snb, *sb;
	char *cause = NULL;
	int64_t x = plan_instance(p, "c@x")->deadline, y = plan_instance(p, "c@y")->deadline;
	struct milestone *m = plan_milestone(p, "c");

	(void)state;
	edit(EDIT_MOVE, "{\"key\": \"c@x\", \"due\": \"2014-02-05\"}", &ed);
	value_is(p, &ed, "due 2014-01-31");
	assert_int_equal(planedit_apply(p, &ed, &sv, &cause), 0);
	value_is(p, &ed, "due 2014-02-05");
	assert_int_equal(plan_instance(p, "c@x")->deadline - x, 5 * 86400);
	assert_int_equal(plan_instance(p, "c@y")->deadline, y);
	assert_int_equal(m->novr, 1);
	/* Its for block is there now: a second move changes it, the milestone keeps its own. */
	edit(EDIT_MOVE, "{\"key\": \"c@x\", \"from\": \"2014-02-01\"}", &e2);
	assert_int_equal(planedit_apply(p, &e2, &s2, &cause), 0);
	value_is(p, &e2, "due 2014-02-05, window from 2014-02-01");
	assert_int_equal(m->novr, 1);
	assert_false(m->timing.from.set);
	/* Checked as a for block is: a window that starts after it ends. */
	edit(EDIT_MOVE, "{\"key\": \"c@x\", \"from\": \"2014-02-10\"}", &bad);
	assert_int_equal(planedit_apply(p, &bad, &sb, &cause), -1);
	assert_non_null(strstr(cause, "for x: window starts 2014-02-10, after it ends 2014-02-05"));
	free(cause);
	planedit_clear(&bad);
	/* A for block cannot take the milestone's not-before away. */
	edit(EDIT_MOVE, "{\"key\": \"c\", \"not_before\": \"2014-01-20 08:00\"}", &nb);
	assert_int_equal(planedit_apply(p, &nb, &snb, &cause), 0);
	edit(EDIT_MOVE, "{\"key\": \"c@y\", \"not_before\": \"none\"}", &bad);
	assert_int_equal(planedit_apply(p, &bad, &sb, &cause), -1);
	assert_non_null(strstr(cause, "not take it away"));
	free(cause);
	planedit_clear(&bad);
	/* Not a party of the milestone, or a milestone without parties. */
	edit(EDIT_MOVE, "{\"key\": \"c@z\", \"due\": \"2014-02-05\"}", &bad);
	assert_int_equal(planedit_apply(p, &bad, &sb, &cause), -1);
	assert_string_equal(cause, "milestone c does not apply to a party z");
	free(cause);
	planedit_clear(&bad);
	edit(EDIT_MOVE, "{\"key\": \"b@x\", \"due\": \"2014-02-05\"}", &bad);
	assert_int_equal(planedit_apply(p, &bad, &sb, &cause), -1);
	assert_string_equal(cause, "milestone b is not per party: move it without @x");
	free(cause);
	planedit_clear(&bad);
	/* Taken back newest first: the block made by the first move goes again. */
	planedit_restore(p, snb);
	planedit_restore(p, s2);
	value_is(p, &ed, "due 2014-02-05");
	planedit_restore(p, sv);
	assert_int_equal(m->novr, 0);
	assert_int_equal(plan_instance(p, "c@x")->deadline, x);
	planedit_clear(&ed);
	planedit_clear(&e2);
	planedit_clear(&nb);
	plan_free(p);
}

static void
test_json(void **state)
{
	struct planedit ed;
	json_t *o;
	char *cause = NULL, *s;

	(void)state;
	/* Only a move takes ID@PARTY. */
	o = json_pack("{s:s, s:s}", "key", "b@x", "title", "B");
	assert_int_equal(planedit_from_json(EDIT_RETITLE, o, &ed, &cause), -1);
	assert_non_null(strstr(cause, "without @PARTY"));
	free(cause);
	json_decref(o);
	o = json_pack("{s:s, s:s}", "key", "b@", "due", "2014-01-20");
	assert_int_equal(planedit_from_json(EDIT_MOVE, o, &ed, &cause), -1);
	assert_non_null(strstr(cause, "ID@PARTY for one party's own timing"));
	free(cause);
	json_decref(o);
	o = json_pack("{s:s, s:s}", "key", "c@x", "due", "2014-01-20");
	assert_int_equal(planedit_from_json(EDIT_MOVE, o, &ed, &cause), 0);
	assert_string_equal(ed.ms, "c");
	assert_string_equal(ed.party, "x");
	json_decref(o);
	o = planedit_to_json(&ed);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"due\":\"2014-01-20\",\"key\":\"c@x\"}");
	free(s);
	json_decref(o);
	planedit_clear(&ed);
	o = json_pack("{s:s, s:s}", "key", "b", "due", "2014-02-30");
	assert_int_equal(planedit_from_json(EDIT_MOVE, o, &ed, &cause), -1);
	assert_string_equal(cause, "due: write YYYY-MM-DD or YYYY-MM-DD HH:MM");
	free(cause);
	json_decref(o);
	o = json_pack("{s:s}", "key", "b");
	assert_int_equal(planedit_from_json(EDIT_MOVE, o, &ed, &cause), -1);
	free(cause);
	assert_int_equal(planedit_from_json(EDIT_RETITLE, o, &ed, &cause), -1);
	free(cause);
	assert_int_equal(planedit_from_json(EDIT_REQUIRE, o, &ed, &cause), -1);
	free(cause);
	json_decref(o);
	o = json_pack("{s:s, s:s}", "key", "b", "title", "two\nlines");
	assert_int_equal(planedit_from_json(EDIT_RETITLE, o, &ed, &cause), -1);
	free(cause);
	json_decref(o);
	/* What is stored reads back the same. */
	o = json_pack("{s:s, s:s, s:s}", "key", "b", "from", "none", "not_before",
	    "2014-01-15 08:00");
	assert_int_equal(planedit_from_json(EDIT_MOVE, o, &ed, &cause), 0);
	json_decref(o);
	o = planedit_to_json(&ed);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"from\":\"none\",\"key\":\"b\",\"not_before\":\"2014-01-15 08:00\"}");
	free(s);
	json_decref(o);
	planedit_clear(&ed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move),
		cmocka_unit_test(test_move_impossible),
		cmocka_unit_test(test_require_cycle),
		cmocka_unit_test(test_retitle),
		cmocka_unit_test(test_cancel_file),
		cmocka_unit_test(test_cancel_addition),
		cmocka_unit_test(test_move_party),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
