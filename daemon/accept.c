/* accept.c: on EMFILE or ENFILE a listener pauses 100 ms instead of spinning and logging. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "accept.h"
#include "log.h"
#include "xmalloc.h"

struct guard {
	struct evconnlistener	*lev;
	const char		*name;
	struct event		*resume;
	time_t			 last_log;
	struct guard		*next;
};

static struct guard *guards;

static void
resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct guard *g = arg;

	(void)fd;
	(void)ev;
	evconnlistener_enable(g->lev);
}

static void
error_cb(struct evconnlistener *lev, void *arg)
{
	struct guard *g;
	struct timeval tv = { 0, 100000 };
	int e = EVUTIL_SOCKET_ERROR();

	(void)arg;	/* the listener's own argument, evhttp's: find ours by the listener */
	for (g = guards; g != NULL && g->lev != lev; g = g->next)
		;
	if (g == NULL)
		return;
	if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM) {
		log_warnx("%s: accept: %s", g->name, strerror(e));
		return;
	}
	/* Once a minute is enough to say so; anyone on the network could cause it. */
	if (time(NULL) - g->last_log >= 60) {
		log_warnx("%s: accept: %s; pausing new connections", g->name,
		    strerror(e));
		g->last_log = time(NULL);
	}
	evconnlistener_disable(g->lev);
	evtimer_add(g->resume, &tv);
}

void
accept_guard(struct evconnlistener *lev, const char *name)
{
	struct guard *g = xcalloc(1, sizeof(*g));

	g->lev = lev;
	g->name = name;
	g->resume = evtimer_new(evconnlistener_get_base(lev), resume_cb, g);
	g->next = guards;
	guards = g;
	evconnlistener_set_error_cb(lev, error_cb);
}

void
accept_guard_free(void)
{
	struct guard *g;

	while ((g = guards) != NULL) {
		guards = g->next;
		event_free(g->resume);
		free(g);
	}
}
