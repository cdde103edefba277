/* pagesend.h: bytes sent into a socket by reference to their pages (vmsplice, splice), not
 * copied, from memory of their own that is never written once sealed. */
#ifndef TERMIJN_PAGESEND_H
#define TERMIJN_PAGESEND_H

#include <stddef.h>
#include <sys/types.h>

/* Below this a copy costs less than the two more system calls. */
#define PAGESEND_MIN	(16 << 10)

/*
 * len bytes of pages of their own (NULL when len < PAGESEND_MIN, or no memory: malloc
 * instead), written until pagesend_seal makes them read-only. pagesend_free unmaps them:
 * pages a socket still holds stay the kernel's, unchanged, and the addresses are never
 * handed out again by malloc. Only sealed bytes of pagesend_alloc go to pagesend.
 */
char	*pagesend_alloc(size_t len);
void	 pagesend_seal(char *, size_t len);
void	 pagesend_free(char *, size_t len);

/* The pipe everything goes through; without it (-1) pagesend copies, as send does. */
int	 pagesend_init(void);
void	 pagesend_close(void);

/*
 * Head (copied) and body (by reference) into the non-blocking socket fd, as much as it
 * takes now: the bytes sent, or -1 with errno (EAGAIN: none). The pipe is empty after.
 * *byref: 1 when body bytes went by reference, 0 when none did (none taken, or copied).
 */
ssize_t	 pagesend(int fd, const char *head, size_t hlen, const char *body, size_t blen,
	    int *byref);

#endif
