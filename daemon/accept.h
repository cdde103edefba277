/* accept.h: listeners that pause, not spin, when the process runs out of descriptors. */
#ifndef TERMIJN_ACCEPT_H
#define TERMIJN_ACCEPT_H

struct evconnlistener;

/* Install the error callback; what it allocates is freed with the listener's base. */
void	accept_guard(struct evconnlistener *, const char *name);
void	accept_guard_free(void);

#endif
