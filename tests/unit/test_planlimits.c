/* test_planlimits.c: the plan reader on hostile and huge input: bytes, sizes, deep graphs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mailtext.h"
#include "plan.h"
#include "rules.h"
#include "schedule.h"
#include "xmalloc.h"

/* ASan reserves terabytes of address space: no RLIMIT_AS under it. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

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

/* A plan of n milestones, m0 requires m1 requires m2 ...; cycle: the last requires m0. */
static char *
chain_text(size_t n, int cycle, size_t *lenp)
{
	size_t cap = 128 + n * 96, len, i;
	char *t = xmalloc(cap);

	len = (size_t)snprintf(t, cap, "plan chain\n  title Chain\nrole sec\n  address s@x.example\n");
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(t + len, cap - len, "milestone m%zu\n  title M\n  owner sec\n"
		    "  due 2014-01-01\n", i);
		if (i + 1 < n || cycle)
			len += (size_t)snprintf(t + len, cap - len, "  requires m%zu\n",
			    (i + 1) % n);
	}
	*lenp = len;
	return t;
}

/*
 * Run fn in a child, within seconds: a stack overflow or a hang is then a failed test, not
 * a dead or stuck test program. fn answers 0 when all is as it should be, else its own
 * code, which the failure shows (1 is an allocation that failed).
 */
static void
in_child(int (*fn)(const void *), const void *arg, unsigned seconds, const char *what)
{
	int status;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == -1)
		fail_msg("fork");
	if (pid == 0) {
		alarm(seconds);
		_exit(fn(arg));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("%s: killed by signal %d%s", what, WTERMSIG(status),
		    WTERMSIG(status) == SIGALRM ? " (took too long)" : "");
	if (WEXITSTATUS(status) != 0)
		fail_msg("%s: exit %d", what, WEXITSTATUS(status));
}

struct parse_case {
	const char	*text;
	size_t		 len;
	const char	*want_error;	/* NULL: a plan */
};

static int
parse_child(const void *arg)
{
	const struct parse_case *c = arg;
	struct errlist e = { 0 };
	struct plan *p;
	size_t i;
	int ok;

	p = plan_parse("big.plan", c->text, c->len, &e);
	if (c->want_error == NULL)
		ok = p != NULL && e.n == 0;
	else
		ok = p == NULL && e.n == 1 && strstr(e.msg[0], c->want_error) != NULL &&
		    strlen(e.msg[0]) < 1000;
	if (!ok)
		for (i = 0; i < e.n && i < 5; i++)
			fprintf(stderr, "  | %.300s\n", e.msg[i]);
	plan_free(p);
	errlist_free(&e);
	return ok ? 0 : 3;
}

static void
parse_in_child(const char *text, size_t len, const char *want_error, const char *what)
{
	struct parse_case c = { text, len, want_error };

	in_child(parse_child, &c, 60, what);
}

/* A valid chain of 100,000 milestones overflowed the stack of the cycle check. */
static void
test_chain_of_100000(void **state)
{
	size_t len;
	char *t = chain_text(100000, 0, &len);

	(void)state;
	parse_in_child(t, len, NULL, "a chain of 100,000 milestones");
	free(t);
}

/* A cycle of 70,000: refused with one message that names its ends, not all 70,000. */
static void
test_cycle_of_70000(void **state)
{
	size_t len;
	char *t = chain_text(70000, 1, &len);

	(void)state;
	parse_in_child(t, len, "dependency cycle: m0 -> m1 -> m2 -> m3 -> m4 -> m5 -> ... "
	    "(69988 more) ... -> m69994 -> m69995 -> m69996 -> m69997 -> m69998 -> m69999 -> m0",
	    "a cycle of 70,000 milestones");
	free(t);
}

/* np parties, nm milestones for all of them, each requiring the one before @all (star:
 * each requiring m0@all). */
static char *
all_text(size_t np, size_t nm, int star, size_t *lenp)
{
	size_t cap = 128 + np * 32 + nm * 96, len, i;
	char *t = xmalloc(cap);

	len = (size_t)snprintf(t, cap, "plan all\n  title All\nrole sec\n  address s@x.example\n");
	for (i = 0; i < np; i++)
		len += (size_t)snprintf(t + len, cap - len, "party p%zu\n  name P%zu\n", i, i);
	for (i = 0; i < nm; i++) {
		len += (size_t)snprintf(t + len, cap - len, "milestone m%zu\n  title M\n  owner sec\n"
		    "  parties all\n  due 2014-01-01\n", i);
		if (i > 0)
			len += (size_t)snprintf(t + len, cap - len, "  requires m%zu@all\n",
			    star ? 0 : i - 1);
	}
	*lenp = len;
	return t;
}

/*
 * 200 parties x 2000 milestones requiring @all: 17.8 s and 1.38 GB to check, as every
 * instance got a link to each of the 200 it requires. Checked in a child with 1 GiB of
 * address space and 60 s; the rules must still see all 200 prerequisites.
 */
static int
all_child(const void *arg)
{
	struct errlist e = { 0 };
	struct plan *p;
	struct istate *st;
	struct unmet *u;
	size_t len, i, n, *v;
	char *t = all_text(200, 2000, 0, &len);
	struct instance *last, *first;
#ifndef UNDER_ASAN
	struct rlimit rl = { 1UL << 30, 1UL << 30 };

	setrlimit(RLIMIT_AS, &rl);
#endif
	(void)arg;
	if ((p = plan_parse("all.plan", t, len, &e)) == NULL)
		return 3;
	if (p->ninst != 400000 || (last = plan_instance(p, "m1999@p7")) == NULL ||
	    (first = plan_instance(p, "m0@p199")) == NULL || last->npre != 200 ||
	    first->ndep != 200)
		return 4;
	st = xcalloc(p->ninst, sizeof(*st));
	/* All open: every instance of m1998 is unmet. */
	n = rules_unmet(p, st, last->idx, 0, &u);
	for (i = 0; i < n; i++)
		if (u[i].kind != UNMET_REQUIRES || strcmp(p->inst[u[i].inst].ms->id, "m1998") != 0)
			return 5;
	free(u);
	if (n != 200 || rules_derived(p, st, last->idx, 0) != DV_BLOCKED)
		return 5;
	/* The last of m0 done but one: marking it done unblocks all 200 of m1. */
	for (i = 0; i < 199; i++)
		st[first->idx - 199 + i].status = ST_DONE;
	if (rules_unblocks(p, st, first->idx, &v) != 200)
		return 6;
	free(v);
	free(st);
	plan_free(p);
	free(t);
	return 0;
}

static void
test_all_not_expanded(void **state)
{
	(void)state;
	in_child(all_child, NULL, 60, "200 parties x 2000 @all (1: out of memory, 3: refused, "
	    "4: links wrong, 5: unmet wrong, 6: unblocks wrong)");
}

static char *
keys(const struct plan *p, size_t idx, int dependents)
{
	size_t *v, n, i;
	char *all = xstrdup(""), *s;

	n = dependents ? plan_dependents(p, idx, &v) : plan_prereqs(p, idx, &v);
	for (i = 0; i < n; i++) {
		xasprintf(&s, "%s%s%s", all, i ? " " : "", p->inst[v[i]].key);
		free(all);
		all = s;
	}
	free(v);
	return all;
}

static void
assert_links(const struct plan *p, const char *key, const char *pre, const char *dep)
{
	struct instance *in = plan_instance(p, key);
	char *a, *b;

	assert_non_null(in);
	a = keys(p, in->idx, 0);
	b = keys(p, in->idx, 1);
	if (strcmp(a, pre) != 0 || strcmp(b, dep) != 0)
		fail_msg("%s: requires [%s], wanted [%s]; required by [%s], wanted [%s]", key, a,
		    pre, b, dep);
	free(a);
	free(b);
}

/* Requirements that overlap (@all, @same, @PARTY, plain) give each link once, both ways. */
static void
test_overlapping_scopes(void **state)
{
	static const char text[] =
	    "plan o\n  title O\nrole sec\n  address s@x.example\n"
	    "party a\n  name A\nparty b\n  name B\nparty c\n  name C\n"
	    "milestone x\n  title X\n  owner sec\n  parties all\n  due 2014-01-01\n"
	    "milestone y\n  title Y\n  owner sec\n  parties c, a\n  due 2014-01-02\n"
	    "  requires x@same, x@b\n  requires x@same\n"
	    "milestone z\n  title Z\n  owner sec\n  due 2014-01-03\n"
	    "  requires x, y@a, x@c\n"
	    "milestone w\n  title W\n  owner sec\n  parties b\n  due 2014-01-03\n"
	    "  requires z, x@all, x@same\n";
	struct errlist e = { 0 };
	struct plan *p = plan_parse("o.plan", text, strlen(text), &e);

	(void)state;
	if (p == NULL)
		fail_msg("refused: %s", e.n ? e.msg[0] : "?");
	assert_links(p, "x@a", "", "y@a z w@b");
	assert_links(p, "x@b", "", "y@a y@c z w@b");
	assert_links(p, "x@c", "", "y@c z w@b");
	assert_links(p, "y@a", "x@a x@b", "z");
	assert_links(p, "y@c", "x@b x@c", "");
	assert_links(p, "z", "x@a x@b x@c y@a", "w@b");
	assert_links(p, "w@b", "x@a x@b x@c z", "");
	plan_free(p);
	errlist_free(&e);
}

/* A series is a run of its party's occurrences; /last is one; @all/last one per party. */
static void
test_series_links(void **state)
{
	static const char text[] =
	    "plan s\n  title S\nrole sec\n  address s@x.example\n"
	    "party a\n  name A\nparty b\n  name B\n"
	    "milestone x\n  title X\n  owner sec\n  parties all\n  due 2014-01-06\n"
	    "  repeat every 1 weeks until 2014-01-20\n"
	    "milestone y\n  title Y\n  owner sec\n  parties all\n  due 2014-02-01\n"
	    "  requires x/last\n"
	    "milestone z\n  title Z\n  owner sec\n  due 2014-02-02\n  requires x@all/last\n"
	    "milestone w\n  title W\n  owner sec\n  due 2014-02-03\n  requires x@b, y@all\n";
	struct errlist e = { 0 };
	struct plan *p = plan_parse("s.plan", text, strlen(text), &e);

	(void)state;
	if (p == NULL)
		fail_msg("refused: %s", e.n ? e.msg[0] : "?");
	assert_links(p, "x@a/2014-01-06", "", "");
	assert_links(p, "x@a/2014-01-20", "", "y@a z");
	assert_links(p, "x@b/2014-01-13", "", "w");
	assert_links(p, "x@b/2014-01-20", "", "y@b z w");
	assert_links(p, "y@a", "x@a/2014-01-20", "w");
	assert_links(p, "z", "x@a/2014-01-20 x@b/2014-01-20", "");
	assert_links(p, "w", "x@b/2014-01-06 x@b/2014-01-13 x@b/2014-01-20 y@a y@b", "");
	plan_free(p);
	errlist_free(&e);
}

/*
 * A reminder about m0@p0, which 99,800 instances require: the mail text built its lists by
 * copying the whole text for each line: about a minute. In a child, with 20 s.
 */
static int
reminder_child(const void *arg)
{
	struct errlist e = { 0 };
	struct templates tm;
	struct occurrence o;
	struct istate *st;
	struct plan *p;
	size_t len;
	char *t = all_text(200, 500, 1, &len), *subj, *body, *cause = NULL;

	(void)arg;
	memset(&tm, 0, sizeof(tm));
	if (templates_load(&tm, "etc/templates", &e) == -1 ||
	    (p = plan_parse("star.plan", t, len, &e)) == NULL)
		return 3;
	st = xcalloc(p->ninst, sizeof(*st));
	memset(&o, 0, sizeof(o));
	o.kind = RK_LEAD;
	o.inst = plan_instance(p, "m0@p0")->idx;
	o.n = 7;
	o.due = p->inst[o.inst].deadline;
	o.role = "sec";
	if (mailtext_compose(&tm, p, st, &o, 1, NULL, NULL, &subj, &body, &cause) == -1)
		return 4;
	/* Every dependent is listed: m1@p0 .. m499@p199. */
	if (strstr(body, "M, P199 (") == NULL || strlen(body) < 99800 * 10)
		return 5;
	return 0;
}

static void
test_reminder_with_100000_dependents(void **state)
{
	(void)state;
	in_child(reminder_child, NULL, 20, "a reminder listing 99,800 dependents");
}

/*
 * 100,000 milestones, each with a formerly id: each was looked for among all the others,
 * 10^10 comparisons. In a child, with 20 s.
 */
static int
formerly_child(const void *arg)
{
	size_t n = 100000, cap = 128 + n * 96, len, i;
	char *t = xmalloc(cap);
	struct errlist e = { 0 };
	struct plan *p;

	(void)arg;
	len = (size_t)snprintf(t, cap, "plan f\n  title F\nrole sec\n  address s@x.example\n");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len, "milestone m%zu\n  title M\n"
		    "  owner sec\n  due 2014-01-01\n  formerly old%zu\n", i, i);
	if ((p = plan_parse("f.plan", t, len, &e)) == NULL)
		return 3;
	if (plan_renamed(p, "old77777") != plan_milestone(p, "m77777") ||
	    plan_renamed(p, "m1") != NULL)
		return 4;
	return 0;
}

static void
test_formerly_100000(void **state)
{
	(void)state;
	in_child(formerly_child, NULL, 20, "100,000 milestones with formerly ids");
}

/* Refused with an error containing sub; returns how many errors. */
static size_t
expect_refused(const char *text, size_t len, const char *sub)
{
	struct errlist e = { 0 };
	struct plan *p = plan_parse("lim.plan", text, len, &e);
	size_t i, n = e.n;
	int found = 0;

	for (i = 0; i < e.n; i++)
		found |= strstr(e.msg[i], sub) != NULL;
	if (p != NULL || !found) {
		print_error("wanted an error with \"%s\"; got %zu:\n", sub, e.n);
		for (i = 0; i < e.n && i < 5; i++)
			print_error("  | %.300s\n", e.msg[i]);
	}
	plan_free(p);
	errlist_free(&e);
	assert_null(p);
	assert_true(found);
	return n;
}

/* An id of 10 MB was quoted whole in its error message. */
static void
test_long_input_cut_in_messages(void **state)
{
	size_t n = 10 * 1000 * 1000, len, i;
	char *t = xmalloc(n + 64);
	struct errlist e = { 0 };

	(void)state;
	len = (size_t)sprintf(t, "plan p\n  title P\nmilestone ");
	memset(t + len, 'X', n);
	len += n;
	len += (size_t)sprintf(t + len, "\n  title x\n");
	assert_null(plan_parse("long.plan", t, len, &e));
	assert_true(e.n >= 1);
	for (i = 0; i < e.n; i++) {
		if (strlen(e.msg[i]) > 500)
			fail_msg("a message of %zu bytes", strlen(e.msg[i]));
	}
	/* Its start and its end are kept, and what was cut is said. */
	assert_non_null(strstr(e.msg[0], "long.plan:3: milestone id \"XXXX"));
	assert_non_null(strstr(e.msg[0], "bytes cut)"));
	assert_non_null(strstr(e.msg[0], "XXXX\" is not valid (lower case letters, digits, - _ .)"));
	errlist_free(&e);
	free(t);
}

/* A file of exactly 16 MiB was refused (the limit was 4 KiB short); one byte more is. */
static void
test_size_limit_exact(void **state)
{
	static const char head[] = "plan p\n  title P\n#";
	char path[] = "/tmp/test_planlimits.XXXXXX";
	struct errlist e = { 0 };
	struct plan *p;
	char *t = xmalloc(PLAN_MAX_SIZE + 1);
	FILE *f;
	int fd;

	(void)state;
	memcpy(t, head, strlen(head));
	memset(t + strlen(head), 'c', PLAN_MAX_SIZE + 1 - strlen(head));
	t[PLAN_MAX_SIZE - 1] = '\n';
	if ((fd = mkstemp(path)) == -1)
		fail_msg("mkstemp");
	if ((f = fdopen(fd, "w")) == NULL)
		fail_msg("fdopen");
	assert_int_equal(fwrite(t, 1, PLAN_MAX_SIZE, f), PLAN_MAX_SIZE);
	fclose(f);
	p = plan_load(path, &e);
	if (p == NULL)
		fail_msg("a plan of exactly 16 MiB refused: %s", e.n ? e.msg[0] : "?");
	plan_free(p);
	/* One byte more: refused, saying the limit. */
	t[PLAN_MAX_SIZE] = '\n';
	if ((f = fopen(path, "w")) == NULL)
		fail_msg("fopen");
	assert_int_equal(fwrite(t, 1, PLAN_MAX_SIZE + 1, f), PLAN_MAX_SIZE + 1);
	fclose(f);
	assert_null(plan_load(path, &e));
	assert_int_equal(e.n, 1);
	assert_non_null(strstr(e.msg[0], "at most 16777216"));
	unlink(path);
	errlist_free(&e);
	free(t);
}

/* 100,000 bad lines: the first 100 errors and a count of the rest, not 100,000 messages. */
static void
test_errors_capped(void **state)
{
	size_t n = 100000, len, i;
	char *t = xmalloc(32 + n * 4);
	struct errlist e = { 0 };

	(void)state;
	len = (size_t)sprintf(t, "plan p\n  title P\n");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(t + len, "zz\n");
	assert_null(plan_parse("many.plan", t, len, &e));
	assert_int_equal(e.n, PLAN_MAX_ERRORS + 1);
	assert_non_null(strstr(e.msg[0], "many.plan:3: unknown block \"zz\""));
	assert_non_null(strstr(e.msg[PLAN_MAX_ERRORS], "99900 more errors not shown"));
	errlist_free(&e);
	free(t);
}

static void
test_count_limits(void **state)
{
	size_t cap = 64 * 1024 * 1024, len, i, n;
	char *t = xmalloc(cap);

	(void)state;
	/* 1001 parties. */
	len = (size_t)sprintf(t, "plan p\n  title P\n");
	for (i = 0; i <= PLAN_MAX_PARTIES; i++)
		len += (size_t)sprintf(t + len, "party p%zu\n  name P\n", i);
	n = expect_refused(t, len, "lim.plan:2003: more than 1000 party blocks: a plan may have at "
	    "most 1000");
	assert_int_equal(n, 1);
	/* 1000 parties x 1001 milestones for all: 1,001,000 instances. */
	len = (size_t)sprintf(t, "plan p\n  title P\nrole sec\n  address s@x.example\n");
	for (i = 0; i < PLAN_MAX_PARTIES; i++)
		len += (size_t)sprintf(t + len, "party p%zu\n", i);
	for (i = 0; i <= PLAN_MAX_INSTANCES / PLAN_MAX_PARTIES; i++)
		len += (size_t)sprintf(t + len, "milestone m%zu\n  title M\n  owner sec\n"
		    "  parties all\n  due 2014-01-01\n", i);
	expect_refused(t, len, "lim.plan: 1001000 instances (milestones times their parties): a "
	    "plan may have at most 1000000");
	/* 2 x 1000 parties x 501 occurrences: 1,002,000 instances. */
	len = (size_t)sprintf(t, "plan p\n  title P\nrole sec\n  address s@x.example\n");
	for (i = 0; i < PLAN_MAX_PARTIES; i++)
		len += (size_t)sprintf(t + len, "party p%zu\n", i);
	for (i = 0; i < 2; i++)
		len += (size_t)sprintf(t + len, "milestone m%zu\n  title M\n  owner sec\n"
		    "  parties all\n  due 2014-01-01\n  repeat every 1 days until 2015-05-16\n", i);
	expect_refused(t, len, "lim.plan:1011: over 1000000 instances (milestones times their "
	    "parties and occurrences)");
	/* 4001 milestones each requiring x@all of 1000 parties: 4,005,001 links. */
	len = (size_t)sprintf(t, "plan p\n  title P\nrole sec\n  address s@x.example\n");
	for (i = 0; i < PLAN_MAX_PARTIES; i++)
		len += (size_t)sprintf(t + len, "party p%zu\n", i);
	len += (size_t)sprintf(t + len, "milestone x\n  title X\n  owner sec\n  parties all\n"
	    "  due 2014-01-01\n");
	for (i = 0; i <= PLAN_MAX_LINKS / PLAN_MAX_PARTIES; i++)
		len += (size_t)sprintf(t + len, "milestone m%zu\n  title M\n  owner sec\n"
		    "  due 2014-01-02\n  requires x@all\n", i);
	expect_refused(t, len, "lim.plan: 4005001 links between instances: a plan may have at "
	    "most 4000000");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nul_in_first_bytes),
		cmocka_unit_test(test_chain_of_100000),
		cmocka_unit_test(test_cycle_of_70000),
		cmocka_unit_test(test_all_not_expanded),
		cmocka_unit_test(test_overlapping_scopes),
		cmocka_unit_test(test_series_links),
		cmocka_unit_test(test_reminder_with_100000_dependents),
		cmocka_unit_test(test_formerly_100000),
		cmocka_unit_test(test_long_input_cut_in_messages),
		cmocka_unit_test(test_size_limit_exact),
		cmocka_unit_test(test_errors_capped),
		cmocka_unit_test(test_count_limits),
	};

	return cmocka_run_group_tests_name("plan limits", tests, NULL, NULL);
}
