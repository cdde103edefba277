/* pagesend.c: cached bytes into a socket by page reference through one pipe (see pagesend.h). */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pagesend.h"

/*
 * vmsplice puts references to the body's pages into the pipe and splice moves them into
 * the socket: TCP sends (and on loopback the receiver copies) from the pages themselves, as
 * sendfile does from the page cache. The kernel holds them until the peer has acknowledged
 * (or read) the bytes, and nothing says when: so the bytes are never written once sealed,
 * and their memory goes back with munmap only, never to be reused by the process while
 * the kernel may still read it.
 */

static int	pfd[2] = { -1, -1 };
static int	devnull = -1;

static size_t
mapped(size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (len + page - 1) / page * page;
}

char *
pagesend_alloc(size_t len)
{
	void *p;

	if (len < PAGESEND_MIN)
		return NULL;
	p = mmap(NULL, mapped(len), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void
pagesend_seal(char *p, size_t len)
{
	/* A stray write faults at once instead of changing bytes a socket still sends. */
	if (mprotect(p, mapped(len), PROT_READ) == -1)
		log_warn("pagesend: mprotect");
}

void
pagesend_free(char *p, size_t len)
{
	if (p != NULL && munmap(p, mapped(len)) == -1)
		log_warn("pagesend: munmap");
}

int
pagesend_init(void)
{
	static const int sizes[] = { 1 << 20, 256 << 10 };
	size_t i;

	if (pfd[0] != -1)
		return 0;
	if (pipe2(pfd, O_NONBLOCK | O_CLOEXEC) == -1) {
		pfd[0] = pfd[1] = -1;
		return -1;
	}
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1) {
		pagesend_close();
		return -1;
	}
	/* Fewer round trips for big bodies; the default (64 KiB) does, only more of them. */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (fcntl(pfd[1], F_SETPIPE_SZ, sizes[i]) != -1)
			break;
	return 0;
}

void
pagesend_close(void)
{
	if (pfd[0] != -1) {
		close(pfd[0]);
		close(pfd[1]);
	}
	if (devnull != -1)
		close(devnull);
	pfd[0] = pfd[1] = devnull = -1;
}

/* Empty the pipe of the n bytes the socket did not take; or give the pipe up. */
static void
drain(size_t n)
{
	char buf[4096];
	ssize_t k;

	while (n > 0) {
		if ((k = splice(pfd[0], NULL, devnull, NULL, n, SPLICE_F_NONBLOCK)) <= 0 &&
		    (k = read(pfd[0], buf, n < sizeof(buf) ? n : sizeof(buf))) <= 0) {
			log_warn("pagesend: emptying the pipe; copying from now on");
			pagesend_close();
			return;
		}
		n -= (size_t)k;
	}
}

static ssize_t
copy(int fd, const char *head, size_t hlen, const char *body, size_t blen)
{
	struct iovec iov[2] = { { (void *)(uintptr_t)head, hlen },
	    { (void *)(uintptr_t)body, blen } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	return sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
}

ssize_t
pagesend(int fd, const char *head, size_t hlen, const char *body, size_t blen, int *byref)
{
	size_t off = 0, inpipe, sent = 0;
	struct iovec v;
	ssize_t n;
	int e;

	*byref = 0;
	if (pfd[0] == -1)
		return copy(fd, head, hlen, body, blen);
	/* The head is copied into the pipe (the caller's buffer is gone once we return). */
	if ((n = write(pfd[1], head, hlen)) != (ssize_t)hlen) {
		drain(n > 0 ? (size_t)n : 0);
		return copy(fd, head, hlen, body, blen);
	}
	inpipe = hlen;
	for (;;) {
		/* As much of the body as the pipe has room for, then into the socket. */
		v.iov_base = (void *)(uintptr_t)(body + off);
		v.iov_len = blen - off;
		if (off < blen && (n = vmsplice(pfd[1], &v, 1, SPLICE_F_NONBLOCK)) > 0) {
			off += (size_t)n;
			inpipe += (size_t)n;
		}
		if ((n = splice(pfd[0], NULL, fd, NULL, inpipe, SPLICE_F_NONBLOCK)) <= 0)
			break;
		sent += (size_t)n;
		inpipe -= (size_t)n;
		/* Past the head: the socket holds body pages. */
		*byref = sent > hlen;
		if (inpipe == 0 && off == blen)
			return (ssize_t)sent;
		if (inpipe > 0)
			break;		/* the socket is full */
	}
	e = errno;
	drain(inpipe);
	if (sent > 0 || n == 0)
		return (ssize_t)sent;
	/* Nothing went: a socket that cannot splice is written to as before. */
	if (e == EINVAL || e == ENOSYS || e == EOPNOTSUPP)
		return copy(fd, head, hlen, body, blen);
	errno = e;
	return -1;
}
