/* test_authz.c: who may change what, as a table: person, role, party, milestone kind, verb. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authz.h"
#include "plan.h"

static const char plan_text[] =
    "plan t\n"
    "  title T\n"
    "  coordinators projectleider\n"
    "  overriders voorzitter@alpha.example\n"
    "role projectleider\n"
    "  name Projectleider\n"
    "  address \"P. Leider\" <pl@regio.example>\n"
    "role sec\n"
    "  name Secretaris\n"
    "role griffier\n"
    "  name Griffier\n"
    "role comm\n"
    "  name Communicatie\n"
    "party alpha\n"
    "  name Alpha\n"
    "  role sec \"A. Sec\" <sec@alpha.example>\n"
    "  role griffier Griffie Alpha <griffie@alpha.example>, griffie2@alpha.example\n"
    "  role comm comm@alpha.example\n"
    "  coordinators sec, voorzitter@alpha.example\n"
    "party beta\n"
    "  name Beta\n"
    "  role sec sec@beta.example\n"
    "  role griffier griffie@beta.example\n"
    "  role comm comm@beta.example\n"
    "milestone raad\n"
    "  title Raad\n"
    "  owner griffier\n"
    "  parties all\n"
    "  due 2014-01-31\n"
    "milestone pers\n"
    "  title Pers\n"
    "  owner comm\n"
    "  due 2014-02-07\n";

static struct plan *plan;

static int
setup(void **state)
{
	struct errlist e = { 0 };
	size_t i;

	(void)state;
	plan = plan_parse("t.plan", plan_text, sizeof(plan_text) - 1, &e);
	for (i = 0; i < e.n; i++)
		fprintf(stderr, "%s\n", e.msg[i]);
	errlist_free(&e);
	return plan == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	plan_free(plan);
	return 0;
}

struct row {
	const char		*addr;		/* NULL: a local user */
	int			 operator;
	const char		*key;		/* NULL: add */
	enum authz_verb		 verb;
	enum authz_verdict	 want;
};

static const struct row rows[] = {
	/* The owner role, for its own party only. */
	{ "griffie@alpha.example", 0, "raad@alpha", AZ_DONE, AZ_OWNER },
	{ "griffie2@alpha.example", 0, "raad@alpha", AZ_DONE, AZ_OWNER },
	{ "GRIFFIE@Alpha.Example", 0, "raad@alpha", AZ_DONE, AZ_OWNER },
	{ "griffie@alpha.example", 0, "raad@beta", AZ_DONE, AZ_DENY },
	{ "griffie@beta.example", 0, "raad@beta", AZ_UNDO, AZ_OWNER },
	{ "griffie@beta.example", 0, "raad@beta", AZ_WAIVE, AZ_OWNER },
	{ "griffie@beta.example", 0, "raad@alpha", AZ_WAIVE, AZ_DENY },
	/* Another role of the same party is not the owner's. */
	{ "comm@alpha.example", 0, "raad@alpha", AZ_DONE, AZ_DENY },
	{ "comm@alpha.example", 0, "raad@alpha", AZ_UNDO, AZ_DENY },
	{ "sec@beta.example", 0, "raad@beta", AZ_DONE, AZ_DENY },
	/* A milestone that is once: the owner role in any party. */
	{ "comm@beta.example", 0, "pers", AZ_DONE, AZ_OWNER },
	{ "comm@alpha.example", 0, "pers", AZ_WAIVE, AZ_OWNER },
	{ "griffie@alpha.example", 0, "pers", AZ_DONE, AZ_DENY },
	/* Coordinators of a party, by role and by address, for that party only. */
	{ "sec@alpha.example", 0, "raad@alpha", AZ_DONE, AZ_PARTY_COORD },
	{ "sec@alpha.example", 0, "raad@alpha", AZ_UNDO, AZ_PARTY_COORD },
	{ "sec@alpha.example", 0, "raad@beta", AZ_DONE, AZ_DENY },
	{ "voorzitter@alpha.example", 0, "raad@alpha", AZ_WAIVE, AZ_PARTY_COORD },
	{ "voorzitter@alpha.example", 0, "raad@beta", AZ_DONE, AZ_DENY },
	{ "sec@alpha.example", 0, "pers", AZ_DONE, AZ_DENY },
	/* Plan-wide coordinators: every party, once milestones, adding. */
	{ "pl@regio.example", 0, "raad@beta", AZ_DONE, AZ_PLAN_COORD },
	{ "pl@regio.example", 0, "pers", AZ_UNDO, AZ_PLAN_COORD },
	{ "pl@regio.example", 0, NULL, AZ_ADD, AZ_PLAN_COORD },
	{ "griffie@alpha.example", 0, NULL, AZ_ADD, AZ_DENY },
	{ "sec@alpha.example", 0, NULL, AZ_ADD, AZ_DENY },
	/* Strangers and local users who are not operators: nothing. */
	{ "stranger@gamma.example", 0, "raad@alpha", AZ_DONE, AZ_DENY },
	{ NULL, 0, "raad@alpha", AZ_DONE, AZ_DENY },
	{ NULL, 0, NULL, AZ_ADD, AZ_DENY },
	/* Local operators: everything. */
	{ NULL, 1, "raad@alpha", AZ_DONE, AZ_OPERATOR },
	{ NULL, 1, "pers", AZ_WAIVE, AZ_OPERATOR },
	{ NULL, 1, NULL, AZ_ADD, AZ_OPERATOR },
};

static void
test_table(void **state)
{
	struct authz_who who;
	const struct instance *in;
	enum authz_verdict got;
	char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		in = r->key ? plan_instance(plan, r->key) : NULL;
		assert_true(r->key == NULL || in != NULL);
		who.addr = r->addr;
		who.label = r->addr ? r->addr : "anne";
		who.operator = r->operator;
		who.overrider = 0;
		got = authz_check(plan, in, &who, r->verb, &why);
		if (got != r->want)
			fail_msg("row %zu: %s %d on %s: %s, wanted %s", i, r->addr ? r->addr : "local",
			    r->verb, r->key ? r->key : "(add)", authz_verdict_name(got),
			    authz_verdict_name(r->want));
		/* A refusal always says who may instead; an allowance says nothing. */
		if (got == AZ_DENY) {
			assert_non_null(why);
			assert_non_null(strstr(why, "an operator of termijnd"));
		} else
			assert_null(why);
		free(why);
	}
}

/* The refusal names the owner role of that party, its coordinators and the plan's. */
static void
test_who_may(void **state)
{
	struct authz_who who = { "sec@beta.example", "sec@beta.example", 0, 0 };
	char *why;

	(void)state;
	assert_int_equal(authz_check(plan, plan_instance(plan, "raad@alpha"), &who, AZ_DONE,
	    &why), AZ_DENY);
	assert_string_equal(why, "raad@alpha can be marked done by the Griffier of Alpha "
	    "(griffie@alpha.example, griffie2@alpha.example), a coordinator of Alpha "
	    "(sec@alpha.example, voorzitter@alpha.example), a coordinator of the plan "
	    "(pl@regio.example) or an operator of termijnd");
	free(why);
	assert_int_equal(authz_check(plan, plan_instance(plan, "pers"), &who, AZ_WAIVE, &why),
	    AZ_DENY);
	assert_string_equal(why, "pers can be waived by the Communicatie of any party "
	    "(comm@alpha.example, comm@beta.example), a coordinator of the plan "
	    "(pl@regio.example) or an operator of termijnd");
	free(why);
}

static void
test_override(void **state)
{
	static const struct {
		const char	*addr;
		int		 operator, overrider, want;
	} t[] = {
		{ "voorzitter@alpha.example", 0, 0, 1 },
		{ "VOORZITTER@alpha.example", 0, 0, 1 },
		{ "pl@regio.example", 0, 0, 0 },
		{ "griffie@alpha.example", 0, 0, 0 },
		{ NULL, 1, 1, 1 },
		{ NULL, 1, 0, 0 },
		{ NULL, 0, 1, 0 },
	};
	struct authz_who who;
	char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		who.addr = t[i].addr;
		who.label = t[i].addr ? t[i].addr : "anne";
		who.operator = t[i].operator;
		who.overrider = t[i].overrider;
		if (authz_override(plan, &who, &why) != t[i].want)
			fail_msg("override row %zu", i);
		if (!t[i].want)
			assert_non_null(strstr(why, "voorzitter@alpha.example or the overriders"));
		free(why);
	}
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(plan_person_name(plan, "sec@alpha.example"), "A. Sec");
	assert_string_equal(plan_person_name(plan, "Griffie@alpha.example"), "Griffie Alpha");
	assert_string_equal(plan_person_name(plan, "pl@regio.example"), "P. Leider");
	assert_null(plan_person_name(plan, "griffie2@alpha.example"));
	assert_null(plan_person_name(plan, "sec@beta.example"));
}

/* Coordinators must name roles the plan has, or addresses. */
static void
test_bad_lists(void **state)
{
	static const char text[] =
	    "plan t\n  title T\n  coordinators nosuchrole\n  overriders not-an-address@\n"
	    "role r\n  name R\nparty a\n  role r r@a.example\n  coordinators \"x\"\n"
	    "milestone m\n  title M\n  owner r\n  due 2014-01-01\n";
	struct errlist e = { 0 };
	size_t i;
	int seen = 0;

	(void)state;
	assert_null(plan_parse("bad.plan", text, sizeof(text) - 1, &e));
	for (i = 0; i < e.n; i++) {
		if (strstr(e.msg[i], "bad.plan:3: \"nosuchrole\" is not a role") != NULL)
			seen |= 1;
		if (strstr(e.msg[i], "bad.plan:4: overriders: \"not-an-address@\"") != NULL)
			seen |= 2;
		if (strstr(e.msg[i], "bad.plan:9: coordinators: \"\"x\"\"") != NULL)
			seen |= 4;
	}
	if (seen != 7)
		for (i = 0; i < e.n; i++)
			fprintf(stderr, "%s\n", e.msg[i]);
	assert_int_equal(seen, 7);
	errlist_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_who_may),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bad_lists),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
