/* test_links.c: requirements between plans (links.c) and the rules that read them (rules.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "links.h"
#include "plan.h"
#include "plantext.h"
#include "rules.h"
#include "xmalloc.h"

static const char *plan_a =
    "plan a\n"
    "  title A\n"
    "role sec\n"
    "party x\n"
    "  role sec s@x.example\n"
    "party y\n"
    "  role sec s@y.example\n"
    "milestone start\n"
    "  title Start\n"
    "  owner sec\n"
    "  due 2014-01-10\n"
    "milestone besluit\n"
    "  title Besluit\n"
    "  owner sec\n"
    "  parties all\n"
    "  same-moment yes\n"
    "  due 2014-02-01\n"
    "  requires b:overleg\n"
    "milestone eind\n"
    "  title Eind\n"
    "  owner sec\n"
    "  due 2014-03-01\n"
    "  requires b:conferentie, b:overleg@z, b:reeks/2014-01-15, b:reeks/last\n";

static const char *plan_b =
    "plan b\n"
    "  title B\n"
    "role sec\n"
    "party x\n"
    "  role sec s@x.example\n"
    "party y\n"
    "  role sec s@y.example\n"
    "party z\n"
    "  role sec s@z.example\n"
    "milestone overleg\n"
    "  title Overleg\n"
    "  owner sec\n"
    "  parties all\n"
    "  due 2014-01-20\n"
    "milestone conferentie\n"
    "  title Conferentie\n"
    "  owner sec\n"
    "  window 2014-01-13 .. 2014-01-31\n"
    "  requires a:start\n"
    "milestone reeks\n"
    "  title Reeks\n"
    "  owner sec\n"
    "  due 2014-01-08\n"
    "  repeat every 1 weeks until 2014-01-29\n";

struct set {
	struct plan	*a, *b;
	struct istate	*sa, *sb;
	struct errlist	 errs;
};

static struct plan *
parse(const char *name, const char *text)
{
	return plantext_parse(name, text);
}

/* Parse both texts and link them; the result of links_resolve. */
static int
load(struct set *s, const char *ta, const char *tb)
{
	struct linkplan v[2];

	memset(s, 0, sizeof(*s));
	s->a = parse("a.plan", ta);
	s->b = parse("b.plan", tb);
	assert_non_null(s->a);
	assert_non_null(s->b);
	s->sa = xcalloc(s->a->ninst, sizeof(struct istate));
	s->sb = xcalloc(s->b->ninst, sizeof(struct istate));
	v[0].plan = s->a;
	v[0].st = &s->sa;
	v[1].plan = s->b;
	v[1].st = &s->sb;
	return links_resolve(v, 2, &s->errs);
}

static void
unload(struct set *s)
{
	size_t i;

	for (i = 0; i < s->a->ninst; i++)
		istate_clear(&s->sa[i]);
	for (i = 0; i < s->b->ninst; i++)
		istate_clear(&s->sb[i]);
	free(s->sa);
	free(s->sb);
	plan_free(s->a);
	plan_free(s->b);
	errlist_free(&s->errs);
}

static size_t
ix(const struct plan *p, const char *key)
{
	const struct instance *in = plan_instance(p, key);

	assert_non_null(in);
	return in->idx;
}

/* Does some error message contain text? */
static int
has_error(const struct set *s, const char *text)
{
	size_t i;

	for (i = 0; i < s->errs.n; i++)
		if (strstr(s->errs.msg[i], text) != NULL)
			return 1;
	return 0;
}

static void
test_requirement_parse(void **state)
{
	struct requirement r;
	char *cause = NULL;

	(void)state;
	assert_int_equal(requirement_parse("sociaal-domein:conferentie@all/last", &r, &cause), 0);
	assert_string_equal(r.plan, "sociaal-domein");
	assert_string_equal(r.id, "conferentie");
	assert_int_equal(r.scope, REQ_ALL);
	assert_true(r.last);
	free(r.plan);
	free(r.id);
	assert_int_equal(requirement_parse("p:reeks@x/2014-01-15", &r, &cause), 0);
	assert_string_equal(r.party, "x");
	assert_true(r.date.set);
	assert_int_equal(r.date.day, 15);
	free(r.plan);
	free(r.id);
	free(r.party);
	/* A date only for another plan's milestone; a bad plan id. */
	assert_int_equal(requirement_parse("reeks/2014-01-15", &r, &cause), -1);
	assert_non_null(strstr(cause, "after / comes last or all"));
	free(cause);
	assert_int_equal(requirement_parse("Plan:x", &r, &cause), -1);
	assert_non_null(strstr(cause, "before : comes a plan id"));
	free(cause);
	assert_int_equal(requirement_parse("p:x/2014-02-30", &r, &cause), -1);
	free(cause);
}

static void
test_resolved(void **state)
{
	struct set s;
	const struct xlink *x;
	size_t n;

	(void)state;
	assert_int_equal(load(&s, plan_a, plan_b), 0);
	/* besluit@x requires overleg@x of b: the same party by id. */
	n = links_pre(s.a, ix(s.a, "besluit@x"), &x);
	assert_int_equal(n, 1);
	assert_ptr_equal(x[0].plan, s.b);
	assert_int_equal(x[0].inst, ix(s.b, "overleg@x"));
	/* eind: conferentie, overleg@z, one occurrence by its date and the last one. */
	n = links_pre(s.a, ix(s.a, "eind"), &x);
	assert_int_equal(n, 4);
	/* The dependents mirror them: overleg@z is required by eind, overleg@y by besluit@y. */
	n = links_dep(s.b, ix(s.b, "overleg@z"), &x);
	assert_int_equal(n, 1);
	assert_int_equal(x[0].inst, ix(s.a, "eind"));
	n = links_dep(s.b, ix(s.b, "reeks/2014-01-15"), &x);
	assert_int_equal(n, 1);
	n = links_dep(s.b, ix(s.b, "reeks/2014-01-29"), &x);
	assert_int_equal(n, 1);
	assert_int_equal(links_dep(s.b, ix(s.b, "reeks/2014-01-22"), &x), 0);
	/* And back: a's start is required by b's conferentie. */
	n = links_dep(s.a, ix(s.a, "start"), &x);
	assert_int_equal(n, 1);
	assert_ptr_equal(x[0].plan, s.b);
	unload(&s);
}

static void
test_rules_read_live(void **state)
{
	struct set s;
	struct unmet *u;
	struct xref *xr;
	size_t n, bx;

	(void)state;
	assert_int_equal(load(&s, plan_a, plan_b), 0);
	bx = ix(s.a, "besluit@x");
	n = rules_unmet(s.a, s.sa, bx, 0, &u);
	/* Its own b:overleg@x, and taken together: besluit@y waits for b:overleg@y. */
	assert_int_equal(n, 2);
	assert_int_equal(u[0].kind, UNMET_REQUIRES);
	assert_ptr_equal(u[0].plan, s.b);
	assert_int_equal(u[0].inst, ix(s.b, "overleg@x"));
	assert_int_equal(u[1].kind, UNMET_TOGETHER);
	assert_ptr_equal(u[1].plan, s.b);
	assert_int_equal(u[1].inst, ix(s.b, "overleg@y"));
	free(u);
	/* What b's overleg@x makes ready: nothing yet (besluit is taken together). */
	assert_int_equal(rules_unblocks_x(s.b, ix(s.b, "overleg@x"), &xr), 0);
	free(xr);
	s.sb[ix(s.b, "overleg@x")].status = ST_DONE;
	/* The last of the two: both parties' besluit, in plan a. */
	n = rules_unblocks_x(s.b, ix(s.b, "overleg@y"), &xr);
	assert_int_equal(n, 2);
	assert_ptr_equal(xr[0].plan, s.a);
	assert_int_equal(xr[0].inst, bx);
	assert_int_equal(xr[1].inst, ix(s.a, "besluit@y"));
	free(xr);
	s.sb[ix(s.b, "overleg@y")].status = ST_WAIVED;
	assert_int_equal(rules_unmet(s.a, s.sa, bx, 0, NULL), 0);
	assert_int_equal(rules_derived(s.a, s.sa, bx, 0), DV_READY);
	/* Undo of overleg@x is refused while besluit@x is done. */
	assert_int_equal(rules_done_dependents_x(s.b, ix(s.b, "overleg@x"), &xr), 0);
	free(xr);
	s.sa[bx].status = ST_DONE;
	assert_int_equal(rules_done_dependents_x(s.b, ix(s.b, "overleg@x"), &xr), 1);
	assert_int_equal(xr[0].inst, bx);
	free(xr);
	unload(&s);
}

static char *
replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	char *s;

	assert_non_null(at);
	xasprintf(&s, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return s;
}

static void
test_errors(void **state)
{
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
		{ "requires b:overleg\n", "requires c:overleg\n",
		    "a.plan:18: milestone besluit requires c:overleg, but no plan c is loaded" },
		{ "requires b:overleg\n", "requires b:overlag\n",
		    "a.plan:18: milestone besluit requires b:overlag, but plan b has no milestone" },
		{ "requires b:overleg\n", "requires a:start\n",
		    "a.plan:18: requires a:start: that is this plan's own milestone: write start" },
		{ "requires b:overleg\n", "requires b:conferentie@same\n",
		    "requires b:conferentie@same: both milestones must be per party" },
		{ "requires b:overleg\n", "requires b:conferentie@all\n",
		    "requires b:conferentie@all: conferentie is not per party" },
		{ "requires b:overleg\n", "requires b:overleg@q\n",
		    "requires b:overleg@q: overleg does not apply to party q" },
		{ "requires b:overleg\n", "requires b:overleg/last\n",
		    "requires b:overleg/last: overleg does not repeat" },
		{ "b:reeks/2014-01-15", "b:reeks/2014-01-16",
		    "requires b:reeks/2014-01-16: reeks has no occurrence due 2014-01-16" },
		{ "due 2014-03-01\n", "due 2014-01-12\n", "a.plan:23: eind is due 2014-01-12, "
		    "but its prerequisite b:conferentie cannot start before 2014-01-13" },
	};
	struct set s;
	char *t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = replace(plan_a, cases[i].from, cases[i].to);
		assert_int_equal(load(&s, t, plan_b), -1);
		if (!has_error(&s, cases[i].want)) {
			fprintf(stderr, "case %zu: no \"%s\" in:\n", i, cases[i].want);
			for (size_t k = 0; k < s.errs.n; k++)
				fprintf(stderr, "  %s\n", s.errs.msg[k]);
			fail();
		}
		/* On an error no plan takes links. */
		assert_null(s.a->xl);
		assert_null(s.b->xl);
		unload(&s);
		free(t);
	}
}

static void
test_cycle(void **state)
{
	struct set s;
	char *t = replace(plan_b, "  requires a:start\n", "  requires a:start, a:eind\n");

	(void)state;
	assert_int_equal(load(&s, plan_a, t), -1);
	assert_true(has_error(&s, "dependency cycle across plans: ") &&
	    (has_error(&s, "a:eind -> b:conferentie -> a:eind") ||
	    has_error(&s, "b:conferentie -> a:eind -> b:conferentie")));
	unload(&s);
	free(t);
	/* Through a milestone of each plan's own requirements as well. */
	t = replace(plan_b, "  due 2014-01-20\n", "  due 2014-01-20\n  requires a:eind\n");
	assert_int_equal(load(&s, plan_a, t), -1);
	assert_true(has_error(&s, "dependency cycle across plans: b:overleg -> a:eind -> b:overleg"));
	unload(&s);
	free(t);
}

static void
test_no_links(void **state)
{
	struct set s;
	char *ta = replace(plan_a, "  requires b:overleg\n", "");
	char *tb = replace(plan_b, "  requires a:start\n", "");
	char *ta2 = replace(ta, "  requires b:conferentie, b:overleg@z, b:reeks/2014-01-15, "
	    "b:reeks/last\n", "");
	const struct xlink *x;

	(void)state;
	assert_int_equal(load(&s, ta2, tb), 0);
	assert_null(s.a->xl);
	assert_null(s.b->xl);
	assert_int_equal(links_pre(s.a, 0, &x), 0);
	unload(&s);
	free(ta);
	free(ta2);
	free(tb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requirement_parse),
		cmocka_unit_test(test_resolved),
		cmocka_unit_test(test_rules_read_live),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_no_links),
	};

	return cmocka_run_group_tests_name("links between plans", tests, NULL, NULL);
}
