/* test_parts.c: dimensions filled at run time: parsing, expansion per part, "every part". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authz.h"
#include "links.h"
#include "plan.h"
#include "plantext.h"
#include "rules.h"
#include "xmalloc.h"

#define BEDRIJFSVOERING	"etc/plans/bedrijfsvoering.plan"

static const char small[] =
    "plan p\n  title P\nrole sec\nparty a\n  role sec sec@a.example\n"
    "party b\n  role sec sec@b.example\n"
    "dimension part\n  name Part\n  found-by find\n"
    "milestone find\n  title Find\n  owner sec\n  due 2014-01-10\n"
    "milestone prop\n  title Proposal\n  owner sec\n  per part\n  due 2014-02-01\n"
    "  requires find\n"
    "milestone arch\n  title Architecture\n  owner sec\n  per part\n  due 2014-02-10\n"
    "  requires prop\n"
    "milestone advice\n  title Advice\n  owner sec\n  due 2014-03-01\n"
    "  requires prop#all, arch\n";

static struct plan *
parse(const char *text, struct errlist *e)
{
	return plan_parse("t.plan", text, strlen(text), e);
}

static struct plan *
parse_good(const char *text)
{
	return plantext_good("t.plan", text);
}

/* The one error a plan text gives contains want. */
static void
assert_error(const char *text, const char *want)
{
	struct errlist e = { 0 };
	struct plan *p = parse(text, &e);
	size_t i;
	int found = 0;

	assert_null(p);
	for (i = 0; i < e.n; i++)
		if (strstr(e.msg[i], want) != NULL)
			found = 1;
	if (!found) {
		for (i = 0; i < e.n; i++)
			fprintf(stderr, "%s\n", e.msg[i]);
		fail_msg("no error with \"%s\"", want);
	}
	errlist_free(&e);
}

static const struct instance *
inst(const struct plan *p, const char *key)
{
	const struct instance *in = plan_instance(p, key);

	if (in == NULL)
		fail_msg("no instance %s", key);
	return in;
}

/* The prerequisites of key, as "k1,k2" in plan order. */
static char *
pre_keys(const struct plan *p, const char *key)
{
	size_t *v, n = plan_prereqs(p, inst(p, key)->idx, &v), i;
	char *s = xstrdup(""), *t;

	for (i = 0; i < n; i++) {
		xasprintf(&t, "%s%s%s", s, i ? "," : "", p->inst[v[i]].key);
		free(s);
		s = t;
	}
	free(v);
	return s;
}

static void
assert_pre(const struct plan *p, const char *key, const char *want)
{
	char *got = pre_keys(p, key);

	if (strcmp(got, want) != 0)
		fail_msg("%s requires %s, expected %s", key, got, want);
	free(got);
}

/* Every prerequisite link has its dependent mirrored. */
static void
assert_mirrored(const struct plan *p)
{
	size_t i, j, n, m, *pre, *dep;
	int found;

	for (i = 0; i < p->ninst; i++) {
		n = plan_prereqs(p, i, &pre);
		for (j = 0; j < n; j++) {
			size_t k;

			m = plan_dependents(p, pre[j], &dep);
			found = 0;
			for (k = 0; k < m; k++)
				found |= dep[k] == i;
			free(dep);
			if (!found)
				fail_msg("%s requires %s, not mirrored", p->inst[i].key,
				    p->inst[pre[j]].key);
		}
		free(pre);
	}
}

static void
test_no_parts_no_instances(void **state)
{
	struct plan *p = parse_good(small);
	struct istate *st = xcalloc(p->ninst, sizeof(*st));
	struct unmet *u;
	size_t n;

	(void)state;
	assert_int_equal(p->ninst, 2);		/* find and advice */
	assert_null(plan_instance(p, "prop"));
	/* "Every part" is not met by there being none, even with find done. */
	st[inst(p, "find")->idx].status = ST_DONE;
	n = rules_unmet(p, st, inst(p, "advice")->idx, 0, &u);
	assert_int_equal(n, 2);			/* prop#all and arch (by default every part) */
	assert_int_equal(u[0].kind, UNMET_NO_PARTS);
	assert_string_equal(p->ms[u[0].ms].id, "prop");
	assert_string_equal(p->ms[u[1].ms].id, "arch");
	free(u);
	assert_int_equal(rules_derived(p, st, inst(p, "advice")->idx, 0), DV_BLOCKED);
	assert_int_equal(rules_ready_at(p, st, inst(p, "advice")->idx, 0), 0);
	free(st);
	plan_free(p);
}

static void
test_add_parts_expands(void **state)
{
	struct plan *p = parse_good(small);
	char *cause = NULL;

	(void)state;
	assert_int_equal(plan_add_part(p, "part", "inkoop", "Inkoop", "b", &cause), 0);
	assert_int_equal(plan_add_part(p, "part", "ict", "ICT", NULL, &cause), 0);
	assert_null(cause);
	assert_int_equal(p->ninst, 6);
	/* Keys ID#PART; the lead is the instance's party; the title names the part. */
	assert_string_equal(inst(p, "prop#inkoop")->party->id, "b");
	assert_null(inst(p, "prop#ict")->party);
	assert_string_equal(inst(p, "prop#inkoop")->title, "Proposal: Inkoop");
	assert_string_equal(inst(p, "arch#ict")->part->id, "ict");
	/* The same part's instance, by default; every part's for a milestone that is once. */
	assert_pre(p, "arch#inkoop", "prop#inkoop");
	assert_pre(p, "arch#ict", "prop#ict");
	assert_pre(p, "prop#ict", "find");
	assert_pre(p, "advice", "prop#inkoop,prop#ict,arch#inkoop,arch#ict");
	assert_mirrored(p);
	/* Instances of one milestone stay together, in the order the parts came. */
	assert_int_equal(inst(p, "prop#ict")->idx, inst(p, "prop#inkoop")->idx + 1);
	plan_free(p);
}

static void
test_every_part_waits_for_each(void **state)
{
	struct plan *p = parse_good(small);
	struct istate *st;
	char *cause = NULL;
	size_t adv;

	(void)state;
	assert_int_equal(plan_add_part(p, "part", "inkoop", "Inkoop", "a", &cause), 0);
	assert_int_equal(plan_add_part(p, "part", "ict", "ICT", "b", &cause), 0);
	st = xcalloc(p->ninst, sizeof(*st));
	adv = inst(p, "advice")->idx;
	st[inst(p, "find")->idx].status = ST_DONE;
	st[inst(p, "prop#inkoop")->idx].status = ST_DONE;
	st[inst(p, "arch#inkoop")->idx].status = ST_DONE;
	assert_int_equal(rules_unmet(p, st, adv, 0, NULL), 2);	/* ict's two */
	st[inst(p, "prop#ict")->idx].status = ST_DONE;
	st[inst(p, "arch#ict")->idx].status = ST_WAIVED;
	assert_int_equal(rules_unmet(p, st, adv, 0, NULL), 0);
	assert_int_equal(rules_derived(p, st, adv, 0), DV_READY);
	free(st);
	plan_free(p);
}

static void
test_cancel_and_remove(void **state)
{
	struct plan *p = parse_good(small);
	struct dimension *d = plan_dimension(p, "part");
	char *cause = NULL;

	(void)state;
	assert_int_equal(plan_add_part(p, "part", "inkoop", "Inkoop", NULL, &cause), 0);
	assert_int_equal(plan_add_part(p, "part", "ict", "ICT", NULL, &cause), 0);
	plan_cancel_part(p, dimension_part(d, "inkoop"), 1);
	assert_null(plan_instance(p, "prop#inkoop"));
	assert_true(plan_key_cancelled(p, "prop#inkoop"));
	assert_true(plan_key_cancelled(p, "arch#inkoop/2014-02-10"));
	assert_false(plan_key_cancelled(p, "prop#ict"));
	assert_false(plan_key_cancelled(p, "find"));
	assert_pre(p, "advice", "prop#ict,arch#ict");
	/* A cancelled part's id stays taken. */
	assert_int_equal(plan_add_part(p, "part", "inkoop", "Inkoop", NULL, &cause), -1);
	assert_non_null(strstr(cause, "cancelled"));
	free(cause);
	plan_cancel_part(p, dimension_part(d, "inkoop"), 0);
	assert_pre(p, "advice", "prop#inkoop,prop#ict,arch#inkoop,arch#ict");
	plan_remove_last_part(p, d);
	assert_null(plan_instance(p, "prop#ict"));
	assert_int_equal(d->nparts, 1);
	assert_mirrored(p);
	plan_free(p);
}

static void
test_add_part_refused(void **state)
{
	struct plan *p = parse_good(small);
	size_t ninst = p->ninst;
	char *cause = NULL;
	static const struct {
		const char	*dim, *id, *title, *lead, *want;
	} bad[] = {
		{ "onderdeel", "x", "X", NULL, "no dimension onderdeel" },
		{ "part", "Inkoop", "X", NULL, "part id" },
		{ "part", "", "X", NULL, "part id" },
		{ "part", "x", "", NULL, "title" },
		{ "part", "x", "a\tb", NULL, "control characters" },
		{ "part", "x", "a\xc2\x85" "b", NULL, "control characters" },	/* C1 NEL */
		{ "part", "x", "a\xe2\x80\xa8" "b", NULL, "control characters" },	/* U+2028 */
		{ "part", "x", "X", "kampen", "not a party" },
		{ "part", "dup", "Again", NULL, "exists already" },
	};
	size_t i;

	(void)state;
	assert_int_equal(plan_add_part(p, "part", "dup", "Dup", NULL, &cause), 0);
	ninst = p->ninst;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(plan_add_part(p, bad[i].dim, bad[i].id, bad[i].title, bad[i].lead,
		    &cause), -1);
		if (strstr(cause, bad[i].want) == NULL)
			fail_msg("%s: \"%s\" does not say \"%s\"", bad[i].id, cause, bad[i].want);
		free(cause);
		cause = NULL;
		assert_int_equal(p->ninst, ninst);
		assert_int_equal(plan_dimension(p, "part")->nparts, 1);
	}
	plan_free(p);
}

/* A lead whose party holds no owner role: refused by the plan's own check, nothing added. */
static void
test_lead_without_owner_refused(void **state)
{
	static const char text[] =
	    "plan p\n  title P\nrole sec\nrole other\nparty a\n  role sec sec@a.example\n"
	    "party b\n  role other o@b.example\n"
	    "dimension part\n"
	    "milestone prop\n  title Proposal\n  owner sec\n  per part\n  due 2014-02-01\n";
	struct plan *p = parse_good(text);
	char *cause = NULL;

	(void)state;
	assert_int_equal(plan_add_part(p, "part", "x", "X", "b", &cause), -1);
	assert_non_null(strstr(cause, "nobody holds role sec"));
	free(cause);
	assert_int_equal(p->ninst, 0);
	assert_int_equal(plan_add_part(p, "part", "x", "X", "a", &cause), 0);
	assert_int_equal(p->ninst, 1);
	plan_free(p);
}

static void
test_plan_errors(void **state)
{
	(void)state;
	assert_error("plan p\n  title P\nrole sec\n  address s@x.example\n"
	    "milestone a\n  title A\n  owner sec\n  per part\n  due 2014-01-01\n",
	    "per part: the plan has no such dimension");
	assert_error("plan p\n  title P\nrole sec\nparty x\n  role sec s@x.example\n"
	    "dimension d\nmilestone a\n  title A\n  owner sec\n  per d\n  parties all\n"
	    "  due 2014-01-01\n", "per a dimension or with parties, not both");
	assert_error("plan p\n  title P\nrole sec\n  address s@x.example\ndimension d\n"
	    "milestone a\n  title A\n  owner sec\n  due 2014-01-01\n"
	    "milestone b\n  title B\n  owner sec\n  due 2014-01-02\n  requires a#all\n",
	    "a is not per part");
	assert_error("plan p\n  title P\nrole sec\n  address s@x.example\ndimension d\n"
	    "milestone a\n  title A\n  owner sec\n  per d\n  due 2014-01-01\n"
	    "milestone b\n  title B\n  owner sec\n  due 2014-01-02\n  requires a#same\n",
	    "both milestones must be per d");
	assert_error("plan p\n  title P\nrole sec\n  address s@x.example\ndimension d\n"
	    "milestone a\n  title A\n  owner sec\n  per d\n  due 2014-01-01\n"
	    "milestone b\n  title B\n  owner sec\n  due 2014-01-02\n  requires a#x\n",
	    "after # comes same or all");
	assert_error("plan p\n  title P\nrole sec\n  address s@x.example\ndimension d\n"
	    "  found-by nothing\n", "found-by nothing: no such milestone");
	assert_error("plan p\n  title P\ndimension d\n  colour red\n",
	    "unknown key \"colour\" in dimension d");
	assert_error("plan p\n  title P\ndimension d\ndimension d\n", "duplicate dimension d");
	assert_error("plan p\n  title P\nrole sec\n  address s@x.example\ndimension d\n"
	    "milestone a\n  title A\n  owner sec\n  per d\n  same-moment yes\n"
	    "  due 2014-01-01\n", "same-moment needs parties");
}

/* The shipped memo plan: deliverables 3 and 4 per part, the advice waits for every part. */
static void
test_shipped_memo(void **state)
{
	struct errlist e = { 0 };
	struct plan *p = plan_load(BEDRIJFSVOERING, &e);
	struct istate *st;
	char *cause = NULL;
	size_t adv;

	(void)state;
	assert_non_null(p);
	errlist_free(&e);
	assert_int_equal(plan_add_part(p, "onderdeel", "inkoop", "Inkoop", "steenwijkerland",
	    &cause), 0);
	assert_int_equal(plan_add_part(p, "onderdeel", "ict", "ICT", "zwartewaterland", &cause),
	    0);
	assert_pre(p, "advies", "voorstellen#inkoop,voorstellen#ict,architectuur#inkoop,"
	    "architectuur#ict");
	assert_pre(p, "voorstellen#inkoop", "quickwins,or-betrokken@staphorst,"
	    "or-betrokken@steenwijkerland,or-betrokken@zwartewaterland");
	/* The lead's secretary owns the part's steps. */
	assert_string_equal(inst(p, "voorstellen#ict")->party->id, "zwartewaterland");
	st = xcalloc(p->ninst, sizeof(*st));
	adv = inst(p, "advies")->idx;
	st[inst(p, "voorstellen#inkoop")->idx].status = ST_DONE;
	st[inst(p, "architectuur#inkoop")->idx].status = ST_DONE;
	st[inst(p, "architectuur#ict")->idx].status = ST_DONE;
	assert_int_equal(rules_unmet(p, st, adv, 0, NULL), 1);
	st[inst(p, "voorstellen#ict")->idx].status = ST_DONE;
	assert_int_equal(rules_unmet(p, st, adv, 0, NULL), 0);
	assert_mirrored(p);
	free(st);
	plan_free(p);
}

/* Who may add a part: who may mark found-by done; else the plan's coordinators. */
static void
test_who_may_add(void **state)
{
	struct plan *p = parse_good(small);
	const struct instance *find = inst(p, "find");
	struct authz_who owner = { "sec@b.example", "sec@b.example", 0, 0 };
	struct authz_who other = { "x@elsewhere.example", "x@elsewhere.example", 0, 0 };
	struct authz_who op = { NULL, "root", 1, 0 };
	char *why = NULL;

	(void)state;
	/* find is once and owned by sec: the secretary of any party. */
	assert_int_equal(authz_check(p, find, &owner, AZ_PART, &why), AZ_OWNER);
	assert_int_equal(authz_check(p, find, &op, AZ_PART, &why), AZ_OPERATOR);
	assert_int_equal(authz_check(p, find, &other, AZ_PART, &why), AZ_DENY);
	assert_non_null(strstr(why, "parts can be added to and cancelled in plan p by"));
	assert_non_null(strstr(why, "sec@a.example"));
	free(why);
	/* Without found-by, as adding milestones: the secretary is no one special. */
	assert_int_equal(authz_check(p, NULL, &owner, AZ_PART, &why), AZ_DENY);
	assert_non_null(strstr(why, "an operator of termijnd"));
	free(why);
	plan_free(p);
}

/* Between plans: a milestone per part cannot be required, but may require. */
static void
test_links_between_plans(void **state)
{
	static const char other[] =
	    "plan q\n  title Q\nrole sec\n  address s@q.example\n"
	    "dimension d\n"
	    "milestone w\n  title W\n  owner sec\n  per d\n  due 2014-02-15\n"
	    "  requires p:find\n"
	    "milestone z\n  title Z\n  owner sec\n  due 2014-03-15\n";
	struct plan *p = parse_good(small), *q;
	struct istate *sp = NULL, *sq = NULL;
	struct linkplan v[2];
	struct errlist e = { 0 };
	const struct xlink *x;
	char *text, *cause = NULL;
	size_t n;

	(void)state;
	q = parse_good(other);
	v[0].plan = p;
	v[0].st = &sp;
	v[1].plan = q;
	v[1].st = &sq;
	assert_int_equal(links_resolve(v, 2, &e), 0);
	/* A part of q: its step is linked with p's find once the links are resolved again. */
	assert_int_equal(plan_add_part(q, "d", "een", "Een", NULL, &cause), 0);
	assert_int_equal(links_resolve(v, 2, &e), 0);
	n = links_pre(q, inst(q, "w#een")->idx, &x);
	assert_int_equal(n, 1);
	assert_ptr_equal(x[0].plan, p);
	assert_int_equal(x[0].inst, inst(p, "find")->idx);
	plan_free(q);
	/* q's step requiring p's proposals, per part: refused. */
	xasprintf(&text, "%s  requires p:prop\n", other);
	q = parse_good(text);
	v[1].plan = q;
	assert_int_equal(links_resolve(v, 2, &e), -1);
	assert_non_null(strstr(e.msg[0], "requires p:prop: prop is per part, whose parts are "
	    "added at run time"));
	errlist_free(&e);
	free(text);
	plan_free(q);
	plan_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_parts_no_instances),
		cmocka_unit_test(test_add_parts_expands),
		cmocka_unit_test(test_every_part_waits_for_each),
		cmocka_unit_test(test_cancel_and_remove),
		cmocka_unit_test(test_add_part_refused),
		cmocka_unit_test(test_lead_without_owner_refused),
		cmocka_unit_test(test_plan_errors),
		cmocka_unit_test(test_shipped_memo),
		cmocka_unit_test(test_who_may_add),
		cmocka_unit_test(test_links_between_plans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
