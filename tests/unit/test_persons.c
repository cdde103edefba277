/* test_persons.c: the person index gives what a look at every instance gives, before and
 * after the plan's instances change (a part added and cancelled, a milestone added). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "persons.h"
#include "plan.h"
#include "plantext.h"
#include "xmalloc.h"

/*
 * Plan-wide holders with names and several addresses, parties with their own holders (or
 * none: the plan-wide ones act for them), a role only parties give, an escalation to
 * another role, one address in two roles, and a dimension of parts.
 */
static const char text[] =
    "plan p\n  title P\n"
    "role sec\n  address \"A. de Vries\" <sec@plan.example>, Sec2@Plan.example\n"
    "role chief\n  address chief@plan.example, sec@plan.example\n"
    "party a\n  role sec sec@a.example\n  role clerk clerk@a.example, both@x.example\n"
    "party b\n  role clerk clerk@b.example, BOTH@x.example\n"
    "party c\n  name C\n"
    "dimension part\n  name Part\n  found-by find\n"
    "milestone find\n  title Find\n  owner sec\n  due 2014-01-10\n"
    "milestone each\n  title Each\n  owner sec\n  parties all\n  due 2014-01-20\n"
    "  escalate-after 3d\n  escalate-to chief\n"
    "milestone clerks\n  title Clerks\n  owner clerk\n  parties a, b\n  due 2014-01-25\n"
    "milestone once\n  title Once\n  owner clerk\n  due 2014-01-30\n"
    "milestone prop\n  title Proposal\n  owner sec\n  per part\n  due 2014-02-01\n"
    "  requires find\n"
    "milestone arch\n  title Architecture\n  owner clerk\n  per part\n  due 2014-02-10\n"
    "  requires prop\n  escalate-after 1d\n  escalate-to sec\n"
    "milestone series\n  title Series\n  owner chief\n  parties all\n  due 2014-03-01\n"
    "  repeat every 1 months until 2014-06-01\n";

/* Every address the plan names, in other cases too, and some it does not. */
static const char *addrs[] = {
	"sec@plan.example", "SEC@PLAN.EXAMPLE", "sec2@plan.example", "chief@plan.example",
	"sec@a.example", "clerk@a.example", "clerk@b.example", "both@x.example", "Both@X.example",
	"nobody@plan.example", "sec@plan.exampl", "", "sec@plan.example ",
};

static struct plan *
parse_good(const char *t)
{
	return plantext_good("t.plan", t);
}

/* The index answers as the scan does for every address; returns how many hits in all. */
static size_t
assert_index_is_scan(const struct plan *p)
{
	struct persons *x = persons_index(p);
	const size_t *run;
	size_t a, j, n, k, total = 0;

	assert_true(persons_current(x, p));
	for (a = 0; a < sizeof(addrs) / sizeof(addrs[0]); a++) {
		n = persons_find(x, addrs[a], &run);
		k = 0;
		for (j = 0; j < p->ninst; j++) {
			if (!persons_acts(p, &p->inst[j], addrs[a]))
				continue;
			if (k >= n || run[k] != j)
				fail_msg("%s: the scan finds %s, the index %s", addrs[a], p->inst[j].key,
				    k < n ? p->inst[run[k]].key : "no more");
			k++;
		}
		if (k != n)
			fail_msg("%s: the index has %zu, the scan %zu", addrs[a], n, k);
		total += n;
	}
	persons_free(x);
	return total;
}

static void
test_index_equals_scan(void **state)
{
	struct plan *p = parse_good(text);
	const size_t *run;
	struct persons *x;

	(void)state;
	/* Not vacuous: the addresses act on things, and some act on nothing. */
	assert_true(assert_index_is_scan(p) > 20);
	x = persons_index(p);
	assert_int_equal(persons_find(x, "nobody@plan.example", &run), 0);
	/* both@x.example: clerks@a, clerks@b and once (no plan-wide clerk: every party's act). */
	assert_int_equal(persons_find(x, "both@x.example", &run), 3);
	persons_free(x);
	plan_free(p);
}

static void
test_index_follows_changes(void **state)
{
	struct plan *p = parse_good(text);
	struct persons *x = persons_index(p);
	struct dimension *d;
	struct milestone *m;
	char *cause = NULL;
	size_t before = assert_index_is_scan(p), n;

	(void)state;
	assert_int_equal(plan_add_part(p, "part", "inkoop", "Inkoop", "a", &cause), 0);
	assert_false(persons_current(x, p));
	n = assert_index_is_scan(p);
	assert_true(n > before);
	assert_int_equal(plan_add_part(p, "part", "ict", "ICT", NULL, &cause), 0);
	assert_true(assert_index_is_scan(p) > n);
	persons_free(x);
	x = persons_index(p);
	d = plan_dimension(p, "part");
	plan_cancel_part(p, dimension_part(d, "inkoop"), 1);
	assert_false(persons_current(x, p));
	assert_index_is_scan(p);

	/* An addition appends instances (the plan is not expanded anew): seen all the same. */
	persons_free(x);
	x = persons_index(p);
	m = milestone_new();
	m->id = xstrdup("extra");
	m->title = xstrdup("Extra");
	m->owner = xstrdup("clerk");
	m->runtime = 1;
	assert_int_equal(ltime_parse("2014-07-01", &m->timing.due), 0);
	if (plan_add_milestone(p, m, &cause) != 0)
		fail_msg("plan_add_milestone: %s", cause);
	assert_false(persons_current(x, p));
	assert_index_is_scan(p);
	persons_free(x);
	plan_free(p);
}

/* The shipped plans too: every address they name. */
static void
test_shipped_plans(void **state)
{
	static const char *files[] = { "etc/plans/bedrijfsvoering.plan",
	    "etc/plans/sociaal-domein.plan" };
	struct errlist e = { 0 };
	struct persons *x;
	const size_t *run;
	size_t f, r, a, j, n, k, hits = 0;

	(void)state;
	for (f = 0; f < 2; f++) {
		struct plan *p = plan_load(files[f], &e);

		assert_non_null(p);
		x = persons_index(p);
		for (r = 0; r < p->nroles; r++)
			for (a = 0; a < p->roles[r].naddrs; a++) {
				n = persons_find(x, p->roles[r].addrs[a], &run);
				for (j = k = 0; j < p->ninst; j++)
					if (persons_acts(p, &p->inst[j], p->roles[r].addrs[a]))
						assert_int_equal(run[k++], j);
				assert_int_equal(k, n);
				hits += n;
			}
		for (r = 0; r < p->nparties; r++)
			for (a = 0; a < p->parties[r].ncontacts; a++) {
				const struct contact *c = &p->parties[r].contacts[a];
				size_t i;

				for (i = 0; i < c->naddrs; i++) {
					n = persons_find(x, c->addrs[i], &run);
					for (j = k = 0; j < p->ninst; j++)
						if (persons_acts(p, &p->inst[j], c->addrs[i]))
							assert_int_equal(run[k++], j);
					assert_int_equal(k, n);
					hits += n;
				}
			}
		persons_free(x);
		plan_free(p);
	}
	errlist_free(&e);
	assert_true(hits > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_equals_scan),
		cmocka_unit_test(test_index_follows_changes),
		cmocka_unit_test(test_shipped_plans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
