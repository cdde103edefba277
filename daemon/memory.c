/* memory.c: freed heap memory given back to the kernel soon after something big went. */
#include <malloc.h>
#include <stddef.h>

#include <event2/event.h>

#include "clock.h"
#include "log.h"
#include "memory.h"

/*
 * glibc keeps what is freed in the heap for the next allocation and gives back only a free
 * top: the 9 MB status of 3,000 plans left 66 MiB resident that nothing used again. A
 * malloc_trim a second after, and again ten seconds after for an answer still being
 * written to a slow reader then; what comes meanwhile shares them.
 */
static struct event	*trim_ev;
static int		 again;

static void
trim_cb(evutil_socket_t fd, short ev, void *arg)
{
	static const struct timeval later = { 10, 0 };
	double t0 = clock_mono();

	(void)fd;
	(void)ev;
	(void)arg;
	malloc_trim(0);
	log_debug("malloc_trim: %.1f ms", (clock_mono() - t0) * 1000);
	if (again) {
		again = 0;
		evtimer_add(trim_ev, &later);
	}
}

void
memory_init(struct event_base *base)
{
	if ((trim_ev = evtimer_new(base, trim_cb, NULL)) == NULL)
		fatalx("evtimer_new");
}

void
memory_stop(void)
{
	if (trim_ev != NULL)
		event_free(trim_ev);
	trim_ev = NULL;
}

void
memory_trim_soon(void)
{
	static const struct timeval second = { 1, 0 };

	if (trim_ev != NULL && !evtimer_pending(trim_ev, NULL)) {
		again = 1;
		evtimer_add(trim_ev, &second);
	}
}
