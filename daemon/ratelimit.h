/* ratelimit.h: failed attempts counted per client address, in a window (pure). */
#ifndef TERMIJN_RATELIMIT_H
#define TERMIJN_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct ratelimit;

/* Room for slots addresses; max failures within window seconds lock an address out. */
struct ratelimit	*ratelimit_new(size_t slots, int max, int window);
void			 ratelimit_free(struct ratelimit *);
/* 0: may try; else the seconds until it may again. */
int			 ratelimit_blocked(struct ratelimit *, const char *addr, int64_t now);
/* One failure more for addr; returns how many it has in its window now. */
int			 ratelimit_fail(struct ratelimit *, const char *addr, int64_t now);

#endif
