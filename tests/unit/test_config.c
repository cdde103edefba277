/* test_config.c: the termijnd.conf reader on bad values: control characters, broken addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "xmalloc.h"

/* Write text to a fresh file and read it back as a config; the errors go to e. */
static struct config *
load_text(const char *text, size_t len, struct errlist *e)
{
	char path[] = "/tmp/test_config.XXXXXX";
	struct config *c;
	int fd;

	if ((fd = mkstemp(path)) == -1)
		fail_msg("mkstemp");
	if (write(fd, text, len) != (ssize_t)len)
		fail_msg("write");
	close(fd);
	c = config_load(path, e);
	unlink(path);
	return c;
}

/* The config must be refused with one error at line, containing sub. */
static void
expect_refused(const char *text, size_t len, int line, const char *sub)
{
	struct errlist e = { 0 };
	struct config *c = load_text(text, len, &e);
	char where[32];
	size_t i;
	int ok;

	snprintf(where, sizeof(where), ":%d: ", line);
	ok = c == NULL && e.n == 1 && strstr(e.msg[0], where) != NULL &&
	    strstr(e.msg[0], sub) != NULL;
	if (!ok) {
		print_error("expected one error at line %d with \"%s\"; got %zu:\n", line, sub, e.n);
		for (i = 0; i < e.n; i++)
			print_error("  | %s\n", e.msg[i]);
	}
	config_free(c);
	errlist_free(&e);
	assert_true(ok);
}

/* "mail-from-name Termijn<CR>Bcc: ..." was cut at the CR and passed. */
static void
test_cr_in_value_refused(void **state)
{
	static const char text[] = "# a config\nmail-from-name Termijn\rBcc: all@evil.example\n";

	(void)state;
	expect_refused(text, sizeof(text) - 1, 2, "control character");
}

static void
test_control_characters_refused(void **state)
{
	static const char esc[] = "socket /run/x\n\nmail-user u\033[2J\nmail-password-file pw\n";
	static const char del[] = "mail-from-name Ter\177mijn\n";
	static const char vt[] = "mail-from-name Termijn\v\n";

	(void)state;
	expect_refused(esc, sizeof(esc) - 1, 3, "control character");
	expect_refused(del, sizeof(del) - 1, 1, "control character");
	expect_refused(vt, sizeof(vt) - 1, 1, "control character");
}

/* CRLF line ends and tabs are fine, and so is a control character in a comment. */
static void
test_crlf_tabs_allowed(void **state)
{
	static const char text[] = "# comment \001\r\nmail-from-name\tTermijn  Staphorst\t\r\n"
	    "mail-from termijn@staphorst.example\r\n";
	struct errlist e = { 0 };
	struct config *c = load_text(text, sizeof(text) - 1, &e);

	(void)state;
	assert_int_equal(e.n, 0);
	assert_non_null(c);
	assert_string_equal(c->mail_from_name, "Termijn  Staphorst");
	assert_string_equal(c->mail_domain, "staphorst.example");
	config_free(c);
}

/* Found by fuzz_config: a mail-from without '@' crashed the reader (termijnd -n: SIGSEGV). */
static void
test_mail_from_without_at_refused(void **state)
{
	static const char text[] = "mail-from nobody\n";

	(void)state;
	expect_refused(text, sizeof(text) - 1, 1, "not an e-mail address");
}

/* Whose X-Forwarded-* termijnd believes: addresses and networks, IPv4, IPv6, mapped IPv4. */
static void
test_trusted_proxies(void **state)
{
	static const char text[] = "trusted-proxies 127.0.0.1, 10.1.0.0/16 2001:db8::/32\n"
	    "trusted-proxies ::1\n";
	static const struct {
		const char	*addr;
		int		 want;
	} t[] = {
		{ "127.0.0.1", 1 }, { "127.0.0.2", 0 }, { "10.1.200.3", 1 }, { "10.2.0.1", 0 },
		{ "::1", 1 }, { "::2", 0 }, { "2001:db8:ffff::1", 1 }, { "2001:db9::1", 0 },
		{ "::ffff:127.0.0.1", 1 }, { "::ffff:10.1.0.9", 1 }, { "::ffff:10.3.0.9", 0 },
		{ "not-an-address", 0 }, { "10.1.0.0/16", 0 }, { "", 0 },
	};
	struct errlist e = { 0 };
	struct config *c = load_text(text, sizeof(text) - 1, &e);
	size_t i;

	(void)state;
	assert_non_null(c);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (config_trusted(c, t[i].addr) != t[i].want)
			fail_msg("%s: trusted %d, wanted %d", t[i].addr, !t[i].want, t[i].want);
	config_free(c);
	errlist_free(&e);
	expect_refused("trusted-proxies 10.0.0.0/33\n", 28, 1, "\"10.0.0.0/33\" is not an IP");
	expect_refused("trusted-proxies proxy.example\n", 30, 1, "is not an IP address");
}

/* outbox-retention: days, 90 by default; not zero, not a word, not a suffix. */
static void
test_outbox_retention(void **state)
{
	static const char text[] = "outbox-retention 7\n";
	static const char none[] = "# nothing\n";
	struct errlist e = { 0 };
	struct config *c;

	(void)state;
	c = load_text(text, sizeof(text) - 1, &e);
	assert_non_null(c);
	assert_int_equal(c->outbox_retention, 7);
	config_free(c);
	c = load_text(none, sizeof(none) - 1, &e);
	assert_non_null(c);
	assert_int_equal(c->outbox_retention, 90);
	config_free(c);
	expect_refused("outbox-retention 0\n", 19, 1, "days, from 1 to 36500");
	expect_refused("\noutbox-retention 30d\n", 22, 2, "days, from 1 to 36500");
	expect_refused("outbox-retention 36501\n", 23, 1, "days, from 1 to 36500");
}

/* The feed cache's budget: 32 MiB unless set (64 kept RSS over 200 MiB at national size). */
static void
test_feed_cache_mb(void **state)
{
	static const char text[] = "feed-cache-mb 100\n";
	static const char none[] = "# nothing\n";
	struct errlist e = { 0 };
	struct config *c;

	(void)state;
	c = load_text(text, sizeof(text) - 1, &e);
	assert_non_null(c);
	assert_int_equal(c->feed_cache_mb, 100);
	config_free(c);
	c = load_text(none, sizeof(none) - 1, &e);
	assert_non_null(c);
	assert_int_equal(c->feed_cache_mb, 32);
	config_free(c);
}

/* A session is a thread: mail-in-flight 100000 would have started as many. */
static void
test_mail_in_flight(void **state)
{
	static const char text[] = "mail-in-flight 64\nmail-retry-max 1000\n";
	struct errlist e = { 0 };
	struct config *c;

	(void)state;
	c = load_text(text, sizeof(text) - 1, &e);
	assert_non_null(c);
	assert_int_equal(c->mail_in_flight, 64);
	assert_int_equal(c->mail_retry_max, 1000);
	config_free(c);
	expect_refused("mail-in-flight 65\n", 18, 1, "mail-in-flight: a number from 1 to 64");
	expect_refused("mail-in-flight 0\n", 17, 1, "from 1 to 64");
}

/* The pages' lifetimes: durations with a unit, each key to its own field. */
static void
test_web_lifetimes(void **state)
{
	static const char text[] = "session-idle 30m\nsession-lifetime 8h\n"
	    "signin-link-lifetime 90s\nmail-link-lifetime 3d\n";
	static const char none[] = "# nothing\n";
	struct errlist e = { 0 };
	struct config *c;

	(void)state;
	c = load_text(text, sizeof(text) - 1, &e);
	assert_non_null(c);
	assert_int_equal(c->session_idle, 1800);
	assert_int_equal(c->session_lifetime, 8 * 3600);
	assert_int_equal(c->signin_link_lifetime, 90);
	assert_int_equal(c->mail_link_lifetime, 3 * 86400);
	config_free(c);
	c = load_text(none, sizeof(none) - 1, &e);
	assert_non_null(c);
	assert_int_equal(c->session_idle, 2 * 3600);
	assert_int_equal(c->session_lifetime, 12 * 3600);
	assert_int_equal(c->signin_link_lifetime, 15 * 60);
	assert_int_equal(c->mail_link_lifetime, 14 * 86400);
	config_free(c);
	assert_int_equal(duration_parse("0s"), 0);
	assert_int_equal(duration_parse("2h"), 7200);
	assert_int_equal(duration_parse("15"), -1);
	assert_int_equal(duration_parse("15 m"), -1);
	assert_int_equal(duration_parse("15mm"), -1);
	assert_int_equal(duration_parse("-5m"), -1);
	assert_int_equal(duration_parse("m"), -1);
	assert_int_equal(duration_parse("99999999999d"), -1);
	expect_refused("session-idle 0s\n", 16, 1, "a duration such as 90s");
	expect_refused("mail-link-lifetime 367d\n", 24, 1, "at most 366d");
	expect_refused("\nsignin-link-lifetime 15\n", 25, 2, "a duration such as 90s");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cr_in_value_refused),
		cmocka_unit_test(test_control_characters_refused),
		cmocka_unit_test(test_crlf_tabs_allowed),
		cmocka_unit_test(test_mail_from_without_at_refused),
		cmocka_unit_test(test_trusted_proxies),
		cmocka_unit_test(test_outbox_retention),
		cmocka_unit_test(test_feed_cache_mb),
		cmocka_unit_test(test_mail_in_flight),
		cmocka_unit_test(test_web_lifetimes),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
