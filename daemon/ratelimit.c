/* ratelimit.c: failed authentication per client address: a fixed table, oldest out (pure). */
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"
#include "xmalloc.h"

struct slot {
	char	 addr[64];	/* an IPv6 address in text is at most 45 */
	int	 n;
	int64_t	 since;		/* the start of its window */
};

struct ratelimit {
	struct slot	*slots;
	size_t		 nslots;
	int		 max, window;
};

struct ratelimit *
ratelimit_new(size_t slots, int max, int window)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));

	rl->slots = xcalloc(slots, sizeof(*rl->slots));
	rl->nslots = slots;
	rl->max = max;
	rl->window = window;
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	free(rl->slots);
	free(rl);
}

static struct slot *
find(struct ratelimit *rl, const char *addr, int64_t now, int make)
{
	struct slot *s, *empty = NULL, *oldest = NULL;
	size_t i;

	for (i = 0; i < rl->nslots; i++) {
		s = &rl->slots[i];
		if (s->n > 0 && now - s->since >= rl->window)
			s->n = 0;	/* its window is over */
		if (s->n == 0) {
			if (empty == NULL)
				empty = s;
			continue;
		}
		if (strcmp(s->addr, addr) == 0)
			return s;
		if (oldest == NULL || s->since < oldest->since)
			oldest = s;
	}
	if (!make)
		return NULL;
	/* A full table forgets the address whose window started first. */
	s = empty != NULL ? empty : oldest;
	memset(s, 0, sizeof(*s));
	strncpy(s->addr, addr, sizeof(s->addr) - 1);
	s->since = now;
	return s;
}

int
ratelimit_blocked(struct ratelimit *rl, const char *addr, int64_t now)
{
	struct slot *s = find(rl, addr, now, 0);
	int64_t left;

	if (s == NULL || s->n < rl->max)
		return 0;
	left = s->since + rl->window - now;
	return left > 0 ? (int)left : 1;
}

int
ratelimit_fail(struct ratelimit *rl, const char *addr, int64_t now)
{
	struct slot *s = find(rl, addr, now, 1);

	return ++s->n;
}
