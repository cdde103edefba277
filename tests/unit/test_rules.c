/* test_rules.c: the rule engine on the shipped bedrijfsvoering plan (unmet rules, states, unblocking). */
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
#include "tz.h"
#include "xmalloc.h"

#define BEDRIJFSVOERING	"etc/plans/bedrijfsvoering.plan"

static struct plan *plan;

static const char *persbericht_pre[] = {
	"raad@staphorst", "raad@steenwijkerland", "raad@zwartewaterland",
	"personeel@staphorst", "personeel@steenwijkerland", "personeel@zwartewaterland"
};

static int
setup_plan(void **state)
{
	struct errlist e = { 0 };
	size_t i;

	(void)state;
	if ((plan = plan_load(BEDRIJFSVOERING, &e)) == NULL) {
		for (i = 0; i < e.n; i++)
			fprintf(stderr, "%s\n", e.msg[i]);
		fprintf(stderr, "run the tests from the top directory\n");
	}
	errlist_free(&e);
	return plan == NULL ? -1 : 0;
}

static int
teardown_plan(void **state)
{
	(void)state;
	plan_free(plan);
	plan = NULL;
	return 0;
}

/* A fresh state per test: everything open. */
static int
setup_states(void **state)
{
	*state = xcalloc(plan->ninst, sizeof(struct istate));
	return 0;
}

static int
teardown_states(void **state)
{
	struct istate *st = *state;
	size_t i;

	for (i = 0; i < plan->ninst; i++)
		istate_clear(&st[i]);
	free(st);
	return 0;
}

static size_t
idx(const char *key)
{
	return plantext_idx(plan, key);
}

/* A local time in the plan's zone ("2013-12-19 08:00") as an instant. */
static int64_t
at(const char *local)
{
	int64_t t;

	if (instant_parse(local, plan->tz, &t) == -1)
		fail_msg("bad time %s", local);
	return t;
}

static void
set(struct istate *st, const char *key, enum status s, int64_t when)
{
	struct istate *x = &st[idx(key)];

	x->status = s;
	x->at = when;
	x->changed = when;
	x->version++;
}

static void
set_all(struct istate *st, const char *msid, enum status s, int64_t when)
{
	size_t i;

	for (i = 0; i < plan->ninst; i++)
		if (strcmp(plan->inst[i].ms->id, msid) == 0) {
			st[i].status = s;
			st[i].at = when;
		}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
join_sorted(char **v, size_t n)
{
	char *all = xstrdup(""), *s;
	size_t i;

	qsort(v, n, sizeof(char *), cmp_str);
	for (i = 0; i < n; i++) {
		xasprintf(&s, "%s%s%s", all, i ? "," : "", v[i]);
		free(all);
		all = s;
	}
	return all;
}

/* The unmet rules of key at now, named: instance keys, and "not-before <UTC>". */
static char *
unmet(const struct istate *st, const char *key, int64_t now, size_t *np)
{
	struct unmet *u;
	size_t n, i, self = idx(key);
	char **v, *all, buf[64];

	n = rules_unmet(plan, st, self, now, &u);
	v = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		if (u[i].kind == UNMET_REQUIRES) {
			assert_true(u[i].inst < plan->ninst);
			assert_int_not_equal(u[i].inst, self);
			v[i] = xstrdup(plan->inst[u[i].inst].key);
		} else if (u[i].kind == UNMET_TOGETHER) {
			assert_true(rules_together(plan, self, u[i].via));
			xasprintf(&v[i], "together %s via %s", plan->inst[u[i].inst].key,
			    plan->inst[u[i].via].key);
		} else {
			assert_int_equal(u[i].kind, UNMET_NOT_BEFORE);
			assert_int_equal(u[i].inst, self);
			utc_format(u[i].not_before, buf, sizeof(buf));
			xasprintf(&v[i], "not-before %s", buf);
		}
	}
	all = join_sorted(v, n);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(u);
	if (np != NULL)
		*np = n;
	return all;
}

static char *
keys(size_t *v, size_t n)
{
	char **k = xcalloc(n + 1, sizeof(char *)), *all;
	size_t i;

	for (i = 0; i < n; i++) {
		assert_true(v[i] < plan->ninst);
		k[i] = plan->inst[v[i]].key;
	}
	all = join_sorted(k, n);
	free(k);
	free(v);
	return all;
}

static char *
unblocks(const struct istate *st, const char *key)
{
	size_t *v, n = rules_unblocks(plan, st, idx(key), &v);

	return keys(v, n);
}

static char *
done_dependents(const struct istate *st, const char *key)
{
	size_t *v, n = rules_done_dependents(plan, st, idx(key), &v);

	return keys(v, n);
}

#define assert_str_free(got, want) do {					\
	char *got_ = (got);						\
	assert_string_equal(got_, (want));				\
	free(got_);							\
} while (0)

static enum derived
derived(const struct istate *st, const char *key, const char *local)
{
	return rules_derived(plan, st, idx(key), at(local));
}

/* ---- unmet rules ---- */

static void
test_persbericht_blocked_by_six(void **state)
{
	struct istate *st = *state;
	struct unmet *u;
	size_t n, i, j;
	int64_t now = at("2013-12-16 09:00");

	/* Six rules, each naming one instance: the councils and the staff of all three. */
	n = rules_unmet(plan, st, idx("persbericht"), now, &u);
	assert_int_equal(n, 6);
	for (i = 0; i < 6; i++) {
		int found = 0;

		assert_int_equal(u[i].kind, UNMET_REQUIRES);
		for (j = 0; j < 6; j++)
			if (strcmp(plan->inst[u[i].inst].key, persbericht_pre[j]) == 0)
				found++;
		assert_int_equal(found, 1);
		for (j = 0; j < i; j++)
			assert_int_not_equal(u[i].inst, u[j].inst);
	}
	free(u);
	assert_str_free(unmet(st, "persbericht", now, NULL),
	    "personeel@staphorst,personeel@steenwijkerland,personeel@zwartewaterland,"
	    "raad@staphorst,raad@steenwijkerland,raad@zwartewaterland");
	assert_int_equal(rules_derived(plan, st, idx("persbericht"), now), DV_BLOCKED);
	/* The count alone, without the list. */
	assert_int_equal(rules_unmet(plan, st, idx("persbericht"), now, NULL), 6);
}

static void
test_each_done_reduces(void **state)
{
	struct istate *st = *state;
	int64_t now = at("2014-01-20 10:00");
	size_t i, n;
	char *left;

	for (i = 0; i < 6; i++) {
		set(st, persbericht_pre[i], ST_DONE, now);
		left = unmet(st, "persbericht", now, &n);
		assert_int_equal(n, 5 - i);
		/* The one just done is no longer named; the others still are. */
		assert_null(strstr(left, persbericht_pre[i]));
		if (i < 5)
			assert_non_null(strstr(left, persbericht_pre[5]));
		free(left);
		assert_int_equal(rules_derived(plan, st, idx("persbericht"), now),
		    i < 5 ? DV_BLOCKED : DV_READY);
	}
	/* Reopening one blocks it again, naming that one. */
	set(st, "raad@steenwijkerland", ST_OPEN, 0);
	assert_str_free(unmet(st, "persbericht", now, NULL), "raad@steenwijkerland");
}

static void
test_waived_counts_as_met(void **state)
{
	struct istate *st = *state;
	int64_t now = at("2014-01-20 10:00");

	assert_false(rules_met(&st[idx("raad@zwartewaterland")]));
	set(st, "raad@zwartewaterland", ST_WAIVED, now);
	assert_true(rules_met(&st[idx("raad@zwartewaterland")]));
	assert_str_free(unmet(st, "persbericht", now, NULL),
	    "personeel@staphorst,personeel@steenwijkerland,personeel@zwartewaterland,"
	    "raad@staphorst,raad@steenwijkerland");
	set_all(st, "personeel", ST_DONE, now);
	set(st, "raad@staphorst", ST_WAIVED, now);
	set(st, "raad@steenwijkerland", ST_DONE, now);
	assert_str_free(unmet(st, "persbericht", now, NULL), "");
	assert_int_equal(rules_derived(plan, st, idx("persbericht"), now), DV_READY);
	/* A done milestone counts whether it was overridden or not. */
	st[idx("raad@steenwijkerland")].overridden = 1;
	assert_true(rules_met(&st[idx("raad@steenwijkerland")]));
}

static void
test_not_before(void **state)
{
	struct istate *st = *state;
	const char *key = "personeel@staphorst";
	struct unmet *u;
	size_t n;

	/* Open prerequisites and too early: both named, the prerequisites first. */
	assert_str_free(unmet(st, key, at("2013-12-18 10:00"), NULL),
	    "collegebesluit@staphorst,collegebesluit@steenwijkerland,"
	    "collegebesluit@zwartewaterland,mt-betrokken@staphorst,"
	    "not-before 2013-12-19T07:00:00Z,"
	    "together mt-betrokken@steenwijkerland via personeel@steenwijkerland,"
	    "together mt-betrokken@zwartewaterland via personeel@zwartewaterland");
	n = rules_unmet(plan, st, idx(key), at("2013-12-18 10:00"), &u);
	assert_int_equal(n, 7);
	assert_int_equal(u[4].kind, UNMET_NOT_BEFORE);
	free(u);

	set_all(st, "collegebesluit", ST_DONE, at("2013-12-17 20:00"));
	set_all(st, "mt-betrokken", ST_DONE, at("2013-12-18 10:00"));
	/* 08:00 local is 07:00 UTC: unmet a second before, met on the moment. */
	n = rules_unmet(plan, st, idx(key), at("2013-12-19 07:59"), &u);
	assert_int_equal(n, 1);
	assert_int_equal(u[0].kind, UNMET_NOT_BEFORE);
	assert_int_equal(u[0].not_before, at("2013-12-19 08:00"));
	assert_int_equal(u[0].not_before, plan->inst[idx(key)].not_before);
	free(u);
	assert_int_equal(rules_unmet(plan, st, idx(key), at("2013-12-19 08:00") - 1, NULL), 1);
	assert_int_equal(derived(st, key, "2013-12-19 07:59"), DV_BLOCKED);
	assert_int_equal(rules_unmet(plan, st, idx(key), at("2013-12-19 08:00"), NULL), 0);
	assert_int_equal(derived(st, key, "2013-12-19 08:00"), DV_READY);
	assert_int_equal(derived(st, key, "2013-12-19 09:15"), DV_READY);
	/* A milestone without a not-before or a window has no such rule, whatever the time. */
	assert_int_equal(rules_unmet(plan, st, idx("persbericht"), 0, NULL), 6);
}

/*
 * ---- a window's start is a rule ----
 * The council could be marked done on 16 December although its window opens on
 * 6 January, and that alone could release the press release early.
 */
static void
test_window_start_is_a_rule(void **state)
{
	struct istate *st = *state;
	const char *key = "raad@staphorst";
	struct unmet *u;
	size_t n;

	set(st, "startnotitie", ST_DONE, at("2013-11-25 12:00"));
	set_all(st, "collegebesluit", ST_DONE, at("2013-12-17 20:00"));
	n = rules_unmet(plan, st, idx(key), at("2013-12-18 10:00"), &u);
	assert_int_equal(n, 1);
	assert_int_equal(u[0].kind, UNMET_WINDOW);
	assert_int_equal(u[0].not_before, at("2014-01-06 00:00"));
	free(u);
	assert_int_equal(derived(st, key, "2014-01-05 23:59"), DV_BLOCKED);
	assert_int_equal(derived(st, key, "2014-01-06 00:00"), DV_READY);
	assert_int_equal(rules_earliest(&plan->inst[idx(key)]), at("2014-01-06 00:00"));
}

/* "on DATE": the colleges decide on 17 December, not before and not after. */
static void
test_on_one_day(void **state)
{
	struct istate *st = *state;
	const char *key = "collegebesluit@zwartewaterland";
	const struct instance *in = &plan->inst[idx(key)];
	struct unmet *u;

	set(st, "startnotitie", ST_DONE, at("2013-11-25 12:00"));
	assert_true(in->timing.on);
	assert_int_equal(in->start, at("2013-12-17 00:00"));
	assert_int_equal(in->opens, at("2013-12-17 00:00"));
	assert_int_equal(in->deadline, at("2013-12-18 00:00"));
	assert_int_equal(rules_unmet(plan, st, idx(key), at("2013-12-16 23:59"), &u), 1);
	assert_int_equal(u[0].kind, UNMET_WINDOW);
	free(u);
	assert_int_equal(derived(st, key, "2013-12-17 00:00"), DV_READY);
	assert_int_equal(derived(st, key, "2013-12-18 00:00"), DV_OVERDUE);
}

/* ---- derived states ---- */

static void
test_derived_timed(void **state)
{
	struct istate *st = *state;
	const char *key = "personeel@zwartewaterland";

	/* Blocked until the colleges decide. */
	assert_int_equal(derived(st, key, "2013-12-19 09:00"), DV_BLOCKED);
	/* Past the deadline (12:00 local) an open milestone is overdue, blocked or not. */
	assert_int_equal(derived(st, key, "2013-12-19 12:00"), DV_OVERDUE);
	set_all(st, "collegebesluit", ST_DONE, at("2013-12-17 20:00"));
	set_all(st, "mt-betrokken", ST_DONE, at("2013-12-18 10:00"));
	assert_int_equal(derived(st, key, "2013-12-19 11:59"), DV_READY);
	assert_int_equal(derived(st, key, "2013-12-19 12:00"), DV_OVERDUE);
	assert_int_equal(derived(st, key, "2014-06-01 12:00"), DV_OVERDUE);
	/* Done on time, on the deadline itself, or late. */
	set(st, key, ST_DONE, at("2013-12-19 09:00"));
	assert_int_equal(derived(st, key, "2014-06-01 12:00"), DV_DONE);
	set(st, key, ST_DONE, at("2013-12-19 12:00"));
	assert_int_equal(derived(st, key, "2014-06-01 12:00"), DV_DONE);
	set(st, key, ST_DONE, at("2013-12-19 12:00") + 1);
	assert_int_equal(derived(st, key, "2014-06-01 12:00"), DV_DONE_LATE);
	/* Waived, before or after the deadline. */
	set(st, key, ST_WAIVED, at("2013-12-20 12:00"));
	assert_int_equal(derived(st, key, "2013-12-19 09:00"), DV_WAIVED);
	assert_int_equal(derived(st, key, "2014-06-01 12:00"), DV_WAIVED);
}

static void
test_derived_dates_and_windows(void **state)
{
	struct istate *st = *state;

	/* A due date: the deadline is the end of that local day. */
	set(st, "startnotitie", ST_DONE, at("2013-11-25 00:00"));
	assert_int_equal(derived(st, "startnotitie", "2014-01-01 00:00"), DV_DONE);
	assert_int_equal(derived(st, "collegebesluit@staphorst", "2013-12-17 23:59"), DV_READY);
	assert_int_equal(derived(st, "collegebesluit@staphorst", "2013-12-18 00:00"),
	    DV_OVERDUE);
	set(st, "collegebesluit@staphorst", ST_DONE, at("2013-12-17 23:59"));
	assert_int_equal(derived(st, "collegebesluit@staphorst", "2013-12-18 00:00"), DV_DONE);
	set(st, "collegebesluit@staphorst", ST_DONE, at("2013-12-18 00:00") + 1);
	assert_int_equal(derived(st, "collegebesluit@staphorst", "2013-12-18 00:00"),
	    DV_DONE_LATE);
	/* A window ends with its last day; before it opens the milestone is blocked, not overdue. */
	assert_int_equal(derived(st, "raad@staphorst", "2014-01-02 10:00"), DV_BLOCKED);
	assert_int_equal(derived(st, "raad@staphorst", "2014-01-31 23:59"), DV_READY);
	assert_int_equal(derived(st, "raad@staphorst", "2014-02-01 00:00"), DV_OVERDUE);
	assert_int_equal(derived(st, "raad@steenwijkerland", "2014-01-31 23:59"), DV_BLOCKED);
}

static void
test_names(void **state)
{
	static const struct {
		enum derived	 d;
		const char	*name;
	} dn[] = {
		{ DV_BLOCKED, "blocked" }, { DV_READY, "ready" }, { DV_OVERDUE, "overdue" },
		{ DV_DONE, "done" }, { DV_DONE_LATE, "done-late" }, { DV_WAIVED, "waived" }
	};
	static const struct {
		enum status	 s;
		const char	*name;
	} sn[] = { { ST_OPEN, "open" }, { ST_DONE, "done" }, { ST_WAIVED, "waived" } };
	enum status s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dn) / sizeof(dn[0]); i++)
		assert_string_equal(derived_name(dn[i].d), dn[i].name);
	for (i = 0; i < sizeof(sn) / sizeof(sn[0]); i++) {
		assert_string_equal(status_name(sn[i].s), sn[i].name);
		s = ST_WAIVED + 1;
		assert_int_equal(status_parse(sn[i].name, &s), 0);
		assert_int_equal(s, sn[i].s);
	}
	assert_int_equal(status_parse("Done", &s), -1);
	assert_int_equal(status_parse("", &s), -1);
	assert_int_equal(status_parse("blocked", &s), -1);
}

/* ---- unblocking and the undo guard ---- */

static void
test_unblocks_last_council(void **state)
{
	struct istate *st = *state;
	int64_t now = at("2014-01-20 10:00");

	set_all(st, "personeel", ST_DONE, at("2013-12-19 09:00"));
	set(st, "raad@staphorst", ST_DONE, now);
	/* Two councils open: doing one of them makes nothing ready. */
	assert_str_free(unblocks(st, "raad@zwartewaterland"), "");
	assert_str_free(unblocks(st, "raad@steenwijkerland"), "");
	/* The last council: the press release may go out. */
	set(st, "raad@steenwijkerland", ST_DONE, now);
	assert_str_free(unblocks(st, "raad@zwartewaterland"), "persbericht");
	assert_int_equal(rules_derived(plan, st, idx("persbericht"), now), DV_BLOCKED);
	set(st, "raad@zwartewaterland", ST_DONE, now);
	assert_int_equal(rules_derived(plan, st, idx("persbericht"), now), DV_READY);
	/* A waived council counts as informed. */
	set(st, "raad@steenwijkerland", ST_WAIVED, now);
	assert_str_free(unblocks(st, "raad@zwartewaterland"), "persbericht");
	/* A staff message still open holds it back. */
	set(st, "personeel@staphorst", ST_OPEN, 0);
	assert_str_free(unblocks(st, "raad@zwartewaterland"), "");
	assert_str_free(unblocks(st, "personeel@staphorst"), "persbericht");
	/* What is already done or waived is not made ready again. */
	set(st, "persbericht", ST_WAIVED, now);
	assert_str_free(unblocks(st, "personeel@staphorst"), "");
	/* Nothing waits for the press release. */
	assert_str_free(unblocks(st, "persbericht"), "");
}

static void
test_unblocks_per_party(void **state)
{
	struct istate *st = *state;

	set(st, "startnotitie", ST_DONE, at("2013-11-25 12:00"));
	/* One college: only what waits for that party's college alone. */
	assert_str_free(unblocks(st, "collegebesluit@staphorst"),
	    "mt-betrokken@staphorst,raad@staphorst,terugkoppeling@staphorst/2014-01-07,"
	    "terugkoppeling@staphorst/2014-01-21,terugkoppeling@staphorst/2014-02-04,"
	    "terugkoppeling@staphorst/2014-02-18");
	/* The last college: what waits for all three as well. */
	set(st, "collegebesluit@staphorst", ST_DONE, at("2013-12-17 20:00"));
	set(st, "collegebesluit@steenwijkerland", ST_DONE, at("2013-12-17 20:00"));
	assert_str_free(unblocks(st, "collegebesluit@zwartewaterland"),
	    "inventarisatie,mt-betrokken@zwartewaterland,or-geinformeerd@staphorst,"
	    "or-geinformeerd@steenwijkerland,or-geinformeerd@zwartewaterland,"
	    "raad@zwartewaterland,terugkoppeling@zwartewaterland/2014-01-07,"
	    "terugkoppeling@zwartewaterland/2014-01-21,terugkoppeling@zwartewaterland/2014-02-04,"
	    "terugkoppeling@zwartewaterland/2014-02-18");
	/*
	 * Go-ahead ignores not-before: the staff message is ready to prepare. It is taken
	 * together: ready in no party until every management team is done, then in all three.
	 */
	set(st, "collegebesluit@zwartewaterland", ST_DONE, at("2013-12-17 20:00"));
	assert_str_free(unblocks(st, "mt-betrokken@staphorst"), "");
	set(st, "mt-betrokken@staphorst", ST_DONE, at("2013-12-18 09:00"));
	set(st, "mt-betrokken@steenwijkerland", ST_DONE, at("2013-12-18 09:00"));
	assert_str_free(unblocks(st, "mt-betrokken@zwartewaterland"),
	    "personeel@staphorst,personeel@steenwijkerland,personeel@zwartewaterland");
	assert_int_equal(rules_unmet(plan, st, idx("personeel@staphorst"),
	    at("2013-12-18 12:00"), NULL), 2);
}

/*
 * ---- steps taken together ----
 * same-moment sent a notice to the parties that were ready and nothing to the one that
 * held things up; each party's staff message could be marked done on its own.
 */
static void
test_together(void **state)
{
	struct istate *st = *state;
	struct unmet *u;
	size_t n;

	set(st, "startnotitie", ST_DONE, at("2013-11-25 12:00"));
	set_all(st, "collegebesluit", ST_DONE, at("2013-12-17 20:00"));
	set(st, "mt-betrokken@staphorst", ST_DONE, at("2013-12-18 09:00"));
	set(st, "mt-betrokken@steenwijkerland", ST_DONE, at("2013-12-18 09:00"));
	/* Staphorst's own rules are met; Zwartewaterland's management team holds it up. */
	n = rules_unmet(plan, st, idx("personeel@staphorst"), at("2013-12-19 08:00"), &u);
	assert_int_equal(n, 1);
	assert_int_equal(u[0].kind, UNMET_TOGETHER);
	assert_int_equal(u[0].inst, idx("mt-betrokken@zwartewaterland"));
	assert_int_equal(u[0].via, idx("personeel@zwartewaterland"));
	free(u);
	assert_int_equal(derived(st, "personeel@steenwijkerland", "2013-12-19 08:00"), DV_BLOCKED);
	assert_false(rules_group_ready(plan, st, idx("personeel@staphorst"), (size_t)-1));
	assert_true(rules_group_ready(plan, st, idx("personeel@staphorst"),
	    idx("mt-betrokken@zwartewaterland")));
	assert_true(rules_together(plan, idx("personeel@staphorst"),
	    idx("personeel@zwartewaterland")));
	assert_false(rules_together(plan, idx("raad@staphorst"), idx("raad@zwartewaterland")));
	/* A party already done (by an override) holds nobody up. */
	set(st, "personeel@zwartewaterland", ST_DONE, at("2013-12-19 08:05"));
	assert_int_equal(rules_unmet(plan, st, idx("personeel@staphorst"), at("2013-12-19 08:10"),
	    NULL), 0);
}

static void
test_done_dependents(void **state)
{
	struct istate *st = *state;
	int64_t now = at("2014-01-20 10:00");

	assert_str_free(done_dependents(st, "collegebesluit@staphorst"), "");
	set_all(st, "collegebesluit", ST_DONE, at("2013-12-17 20:00"));
	set(st, "personeel@zwartewaterland", ST_DONE, at("2013-12-19 09:00"));
	set(st, "raad@staphorst", ST_DONE, now);
	set(st, "inventarisatie", ST_WAIVED, now);
	/* Undoing the college of Staphorst is refused by these two; a waived one does not count. */
	assert_str_free(done_dependents(st, "collegebesluit@staphorst"),
	    "personeel@zwartewaterland,raad@staphorst");
	assert_str_free(done_dependents(st, "collegebesluit@steenwijkerland"),
	    "personeel@zwartewaterland");
	assert_str_free(done_dependents(st, "raad@zwartewaterland"), "");
	set(st, "persbericht", ST_DONE, now);
	assert_str_free(done_dependents(st, "raad@zwartewaterland"), "persbericht");
	assert_str_free(done_dependents(st, "persbericht"), "");
	/* The prerequisite's own state does not matter to the guard. */
	assert_int_equal(st[idx("startnotitie")].status, ST_OPEN);
	assert_str_free(done_dependents(st, "startnotitie"), "collegebesluit@staphorst,"
	    "collegebesluit@steenwijkerland,collegebesluit@zwartewaterland");
}

static void
test_istate_clear(void **state)
{
	struct istate s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.status = ST_DONE;
	s.at = 1387440000;
	s.actor = xstrdup("secretaris@staphorst.example");
	s.note = xstrdup("verstuurd");
	s.overridden = 1;
	s.version = 3;
	istate_clear(&s);
	assert_int_equal(s.status, ST_OPEN);
	assert_null(s.actor);
	assert_null(s.note);
	assert_int_equal(s.at, 0);
	assert_int_equal(s.version, 0);
	assert_int_equal(s.overridden, 0);
}

/*
 * ---- bugs found and fixed ----
 * Done for a recurring milestone marked the whole series done: the later report-backs
 * got no reminder. Each occurrence now has its own state and its own deadline.
 */
static void
test_recurring_occurrences_each_their_own(void **state)
{
	struct istate *st = *state;
	const char *first = "terugkoppeling@staphorst/2014-01-07";
	const char *second = "terugkoppeling@staphorst/2014-01-21";

	set(st, "collegebesluit@staphorst", ST_DONE, at("2013-12-17 20:00"));
	assert_int_equal(derived(st, first, "2014-01-07 12:00"), DV_READY);
	set(st, first, ST_DONE, at("2014-01-07 12:00"));
	assert_int_equal(derived(st, first, "2014-01-08 12:00"), DV_DONE);
	assert_int_equal(derived(st, second, "2014-01-08 12:00"), DV_READY);
	/* Late after its own day, not after the series' end. */
	assert_int_equal(derived(st, second, "2014-01-22 00:00"), DV_OVERDUE);
	assert_int_equal(derived(st, "terugkoppeling@staphorst/2014-02-04", "2014-01-22 00:00"),
	    DV_READY);
}

/* "now ready" was said of a step still blocked by its not-before: ready now, or when. */
static void
test_ready_at(void **state)
{
	struct istate *st = *state;
	int64_t now = at("2013-12-17 20:00");

	set(st, "startnotitie", ST_DONE, at("2013-11-25 12:00"));
	set_all(st, "collegebesluit", ST_DONE, now);
	assert_int_equal(rules_ready_at(plan, st, idx("inventarisatie"), now), now);
	assert_int_equal(rules_ready_at(plan, st, idx("or-geinformeerd@staphorst"), now),
	    at("2013-12-19 08:00"));
	assert_int_equal(rules_ready_at(plan, st, idx("raad@staphorst"), now),
	    at("2014-01-06 00:00"));
	/* A prerequisite open: no moment is known. */
	assert_int_equal(rules_ready_at(plan, st, idx("personeel@staphorst"), now), 0);
	assert_int_equal(rules_ready_at(plan, st, idx("persbericht"), now), 0);
	/* Once the moment has come: ready now. */
	assert_int_equal(rules_ready_at(plan, st, idx("or-geinformeerd@staphorst"),
	    at("2013-12-19 08:00")), at("2013-12-19 08:00"));
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup_states, teardown_states)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_persbericht_blocked_by_six),
		T(test_each_done_reduces),
		T(test_waived_counts_as_met),
		T(test_not_before),
		T(test_derived_timed),
		T(test_window_start_is_a_rule),
		T(test_on_one_day),
		T(test_together),
		T(test_ready_at),
		T(test_derived_dates_and_windows),
		cmocka_unit_test(test_names),
		T(test_unblocks_last_council),
		T(test_unblocks_per_party),
		T(test_done_dependents),
		cmocka_unit_test(test_istate_clear),
	};

	const struct CMUnitTest bugs[] = {
		T(test_recurring_occurrences_each_their_own),
	};
	int rc;

	rc = cmocka_run_group_tests_name("rules on bedrijfsvoering", tests, setup_plan,
	    teardown_plan);
	rc += cmocka_run_group_tests_name("rule-engine bugs found and fixed", bugs,
	    setup_plan, teardown_plan);
	return rc != 0;
}
