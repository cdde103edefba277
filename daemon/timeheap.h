/* timeheap.h: a binary min-heap of moments with a handle per id (pure), as a mail queue's. */
#ifndef TERMIJN_TIMEHEAP_H
#define TERMIJN_TIMEHEAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Each id (0 .. nid) is in the heap at most once, with its key; setting, removing and
 * taking the head cost O(log n), finding an id's key O(1).
 */
struct timeheap {
	struct th_entry {
		int64_t	 key;
		size_t	 id;
	}		*v;
	size_t		 n, cap;
	size_t		*pos;		/* per id: its place in v plus one, 0: not in */
	size_t		 nid;
};

void	timeheap_init(struct timeheap *);
void	timeheap_free(struct timeheap *);
/* Make room for ids below nid; ids from nid on leave the heap. */
void	timeheap_resize(struct timeheap *, size_t nid);
/* Put id in with key, or move it to key. */
void	timeheap_set(struct timeheap *, size_t id, int64_t key);
void	timeheap_remove(struct timeheap *, size_t id);
void	timeheap_clear(struct timeheap *);
/* The smallest key (and its id); 0 when empty. */
int	timeheap_head(const struct timeheap *, size_t *id, int64_t *key);
/* Is id in, and with which key? */
int	timeheap_get(const struct timeheap *, size_t id, int64_t *key);

#endif
