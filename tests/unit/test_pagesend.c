/* test_pagesend.c: bytes sent by page reference arrive whole and unchanged, over real
 * loopback TCP: taken in part, the pipe left empty, and unmapped before the peer reads. */
#include <sys/mman.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pagesend.h"

static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n";

/* A connected loopback pair: *tx non-blocking (as libevent's), *rx blocking. */
static void
pair(int *tx, int *rx, int sndbuf, int rcvbuf)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int ls;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((ls = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ls, 1), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sa, &sl), 0);
	assert_true((*rx = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	if (rcvbuf > 0)
		setsockopt(*rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	assert_int_equal(connect(*rx, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_true((*tx = accept(ls, NULL, NULL)) >= 0);
	if (sndbuf > 0)
		setsockopt(*tx, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	assert_int_equal(fcntl(*tx, F_SETFL, O_NONBLOCK), 0);
	close(ls);
}

/* A sealed body of len bytes, each from seed. */
static char *
body(size_t len, unsigned seed)
{
	char *p = pagesend_alloc(len);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < len; i++)
		p[i] = (char)('a' + (i * 7 + seed) % 26);
	pagesend_seal(p, len);
	return p;
}

/* Exactly n bytes from rx into buf. */
static void
recv_n(int rx, char *buf, size_t n)
{
	ssize_t k;

	while (n > 0) {
		assert_true((k = recv(rx, buf, n, 0)) > 0);
		buf += k;
		n -= (size_t)k;
	}
}

/* The socket takes the answer whole: the peer reads it after the body is unmapped and its
 * addresses mapped again with other bytes, and still gets the bytes sent. */
static void
test_unmapped_under_way(void **state)
{
	size_t len = 58105, hlen = sizeof(head) - 1;
	char *b = body(len, 1), *want = malloc(hlen + len), *got = malloc(hlen + len), *m;
	int tx, rx, byref;

	(void)state;
	pair(&tx, &rx, 0, 1 << 20);
	memcpy(want, head, hlen);
	memcpy(want + hlen, b, len);
	assert_int_equal(pagesend(tx, head, hlen, b, len, &byref), (ssize_t)(hlen + len));
	assert_int_equal(byref, 1);
	pagesend_free(b, len);
	m = mmap(b, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
	    -1, 0);
	assert_true(m != MAP_FAILED);
	memset(m, 'X', len);
	recv_n(rx, got, hlen + len);
	assert_memory_equal(got, want, hlen + len);
	munmap(m, len);
	close(tx);
	close(rx);
	free(want);
	free(got);
}

/*
 * What sealing is for: the socket holds the pages themselves, not a copy, so a write before
 * the peer reads shows in what it reads (and the path is really taken: were the body copied,
 * the peer would read the old bytes).
 */
static void
test_by_reference(void **state)
{
	size_t len = 32768, hlen = sizeof(head) - 1;
	char *b = body(len, 2), *got = malloc(hlen + len);
	int tx, rx, byref;

	(void)state;
	pair(&tx, &rx, 0, 1 << 20);
	assert_int_equal(pagesend(tx, head, hlen, b, len, &byref), (ssize_t)(hlen + len));
	assert_int_equal(byref, 1);
	assert_int_equal(mprotect(b, len, PROT_READ | PROT_WRITE), 0);
	memset(b, 'Z', len);
	recv_n(rx, got, hlen + len);
	assert_memory_equal(got, head, hlen);
	assert_int_equal(got[hlen], 'Z');
	assert_int_equal(got[hlen + len - 1], 'Z');
	pagesend_free(b, len);
	close(tx);
	close(rx);
	free(got);
}

/* A socket that takes part: the rest is not left in the pipe for the next answer. */
static void
test_partial(void **state)
{
	size_t big = 4 << 20, small = 20000, hlen = sizeof(head) - 1;
	char *b1 = body(big, 3), *b2 = body(small, 4), *got = malloc(hlen + big);
	ssize_t n1, n2;
	int tx, rx, byref;

	(void)state;
	pair(&tx, &rx, 16384, 16384);
	n1 = pagesend(tx, head, hlen, b1, big, &byref);
	assert_true(n1 > (ssize_t)hlen && n1 < (ssize_t)(hlen + big));
	assert_int_equal(byref, 1);
	/* Full now: nothing more, and nothing of it kept. */
	errno = 0;
	assert_int_equal(pagesend(tx, head, hlen, b2, small, &byref), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(byref, 0);
	recv_n(rx, got, (size_t)n1);
	assert_memory_equal(got, head, hlen);
	assert_memory_equal(got + hlen, b1, (size_t)n1 - hlen);
	assert_int_equal(poll(&(struct pollfd){ .fd = tx, .events = POLLOUT }, 1, 5000), 1);
	assert_true((n2 = pagesend(tx, head, hlen, b2, small, &byref)) > (ssize_t)hlen);
	recv_n(rx, got, (size_t)n2);
	assert_memory_equal(got, head, hlen);
	assert_memory_equal(got + hlen, b2, (size_t)n2 - hlen);
	pagesend_free(b1, big);
	pagesend_free(b2, small);
	close(tx);
	close(rx);
	free(got);
}

/* The peer gone: an error, not a signal. */
static void
test_gone(void **state)
{
	size_t len = 20000;
	char *b = body(len, 5);
	ssize_t n;
	int tx, rx, i, byref;

	(void)state;
	pair(&tx, &rx, 0, 0);
	close(rx);
	for (i = 0, n = 0; i < 10 && n >= 0; i++) {
		n = pagesend(tx, head, sizeof(head) - 1, b, len, &byref);
		usleep(10000);
	}
	assert_int_equal(n, -1);
	assert_true(errno == EPIPE || errno == ECONNRESET);
	pagesend_free(b, len);
	close(tx);
}

/* Small bodies are malloc's, not pages of their own. */
static void
test_small(void **state)
{
	(void)state;
	assert_null(pagesend_alloc(PAGESEND_MIN - 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unmapped_under_way),
		cmocka_unit_test(test_by_reference),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_gone),
		cmocka_unit_test(test_small),
	};

	signal(SIGPIPE, SIG_IGN);
	if (pagesend_init() == -1) {
		perror("pagesend_init");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
