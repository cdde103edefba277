/* test_slack.c: slack against the last deadline, the critical chain, on a small plan and the
 * shipped one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"
#include "plantext.h"
#include "rules.h"
#include "slack.h"
#include "tz.h"
#include "xmalloc.h"

#define DAY	86400

/* a -> b -> c, and d -> c with 5 days more than it needs. */
static const char chain[] =
	"plan t\n  title T\n  timezone Europe/Amsterdam\n\n"
	"role r\n  address r@t.example\n\n"
	"milestone a\n  title A\n  owner r\n  due 2014-01-10\n\n"
	"milestone b\n  title B\n  owner r\n  due 2014-01-20\n  requires a\n\n"
	"milestone d\n  title D\n  owner r\n  due 2014-01-15\n\n"
	"milestone c\n  title C\n  owner r\n  due 2014-02-01\n  requires b, d\n\n"
	"milestone e\n  title E\n  owner r\n  due 2014-01-02\n  not-before 2014-01-01\n";

static struct plan *
parse(const char *text)
{
	return plantext_good("t.plan", text);
}

static size_t
at(const struct plan *p, const char *key)
{
	struct instance *in = plan_instance(p, key);

	assert_non_null(in);
	return in->idx;
}

static int64_t
local(const char *s)
{
	int64_t t;

	assert_int_equal(instant_parse(s, "Europe/Amsterdam", &t), 0);
	return t;
}

static void
test_chain_on_time(void **state)
{
	struct plan *p = parse(chain);
	struct istate *st = xcalloc(p->ninst, sizeof(*st));
	struct slack s;
	size_t *o, n;

	(void)state;
	assert_int_equal(slack_compute(p, st, local("2013-12-20 09:00"), &s), 0);
	assert_int_equal(s.final, p->inst[at(p, "c")].deadline);
	assert_int_equal(s.final_idx, at(p, "c"));
	assert_int_equal(s.slack[at(p, "a")], 0);
	assert_int_equal(s.slack[at(p, "b")], 0);
	assert_int_equal(s.slack[at(p, "c")], 0);
	/* d may slip to b's deadline: c still has its 12 days after. */
	assert_int_equal(s.slack[at(p, "d")], 5 * DAY);
	/* e leads nowhere: everything to the last deadline. */
	assert_int_equal(s.slack[at(p, "e")], s.final - p->inst[at(p, "e")].deadline);
	assert_int_equal(s.min, 0);
	assert_true(s.crit[at(p, "a")] && s.crit[at(p, "b")] && s.crit[at(p, "c")]);
	assert_false(s.crit[at(p, "d")] || s.crit[at(p, "e")]);
	n = slack_order(&s, st, &o);
	assert_int_equal(n, 5);
	assert_int_equal(o[0], at(p, "a"));	/* ties in plan order */
	assert_int_equal(o[3], at(p, "d"));
	assert_int_equal(o[4], at(p, "e"));
	free(o);
	slack_free(&s);
	free(st);
	plan_free(p);
}

/* a three days late pushes b and c three days past: negative slack along the chain. */
static void
test_chain_late(void **state)
{
	struct plan *p = parse(chain);
	struct istate *st = xcalloc(p->ninst, sizeof(*st));
	struct slack s;
	int64_t now = p->inst[at(p, "a")].deadline + 3 * DAY;

	(void)state;
	assert_int_equal(slack_compute(p, st, now, &s), 0);
	assert_int_equal(s.expect[at(p, "a")], now);
	assert_int_equal(s.expect[at(p, "b")], p->inst[at(p, "b")].deadline + 3 * DAY);
	assert_int_equal(s.slack[at(p, "a")], -3 * DAY);
	assert_int_equal(s.slack[at(p, "b")], -3 * DAY);
	assert_int_equal(s.slack[at(p, "c")], -3 * DAY);
	assert_int_equal(s.min, -3 * DAY);
	assert_true(s.crit[at(p, "a")] && s.crit[at(p, "b")] && s.crit[at(p, "c")]);
	assert_false(s.crit[at(p, "d")]);
	slack_free(&s);

	/* Done early, a is off the chain; b and c keep no more than the plan gave them. */
	st[at(p, "a")].status = ST_DONE;
	st[at(p, "a")].at = local("2014-01-05 12:00");
	assert_int_equal(slack_compute(p, st, local("2014-01-06 09:00"), &s), 0);
	assert_false(s.crit[at(p, "a")]);
	assert_int_equal(s.expect[at(p, "b")], p->inst[at(p, "b")].deadline);
	assert_int_equal(s.slack[at(p, "b")], 0);
	assert_true(s.crit[at(p, "b")]);
	slack_free(&s);

	/* With every open step's slack positive, the least is the chain. */
	st[at(p, "b")].status = ST_DONE;
	st[at(p, "b")].at = local("2014-01-07 12:00");
	st[at(p, "c")].status = ST_WAIVED;
	st[at(p, "c")].at = local("2014-01-07 12:00");
	assert_int_equal(slack_compute(p, st, local("2014-01-08 09:00"), &s), 0);
	assert_true(s.min > 0);
	assert_true(s.crit[at(p, "d")]);
	assert_false(s.crit[at(p, "e")] || s.crit[at(p, "c")]);
	slack_free(&s);
	free(st);
	plan_free(p);
}

/* The shipped plan: the advice on its last day is critical, and so is what it waits for. */
static void
test_shipped(void **state)
{
	struct errlist e = { 0 };
	struct plan *p = plan_load("etc/plans/bedrijfsvoering.plan", &e);
	struct istate *st;
	struct slack s;
	size_t i, k, r, ncrit = 0;
	char *cause = NULL;

	(void)state;
	errlist_free(&e);
	assert_non_null(p);
	/* The advice waits for the parts' proposals: with none yet it has no chain. */
	assert_int_equal(plan_add_part(p, "onderdeel", "inkoop", "Inkoop", "steenwijkerland",
	    &cause), 0);
	st = xcalloc(p->ninst, sizeof(*st));
	assert_int_equal(slack_compute(p, st, local("2013-12-16 09:00"), &s), 0);
	for (i = 0; i < p->ninst; i++)
		assert_true(s.final >= p->inst[i].deadline);
	assert_true(s.crit[s.final_idx]);
	/* A critical step that is not the last has a critical dependent: a chain, not a scatter. */
	for (i = 0; i < p->ninst; i++) {
		int hit = 0;

		if (!s.crit[i])
			continue;
		ncrit++;
		if (i == s.final_idx)
			continue;
		IRANGE_FOREACH(p->inst[i].dep_runs, p->inst[i].ndep_runs, r, k)
			hit |= s.crit[k];
		assert_true(hit);
	}
	assert_true(ncrit >= 2 && ncrit < p->ninst);
	slack_free(&s);
	free(st);
	plan_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_on_time),
		cmocka_unit_test(test_chain_late),
		cmocka_unit_test(test_shipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
