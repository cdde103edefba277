/* notify.h: the systemd notify protocol and socket activation, without libsystemd. */
#ifndef TERMIJN_NOTIFY_H
#define TERMIJN_NOTIFY_H

struct event_base;

/* Reads NOTIFY_SOCKET and WATCHDOG_USEC; does nothing outside systemd. */
void	notify_init(struct event_base *);
void	notify_free(void);
/* Send a state line such as "READY=1" (several lines allowed). */
void	notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Start pinging WATCHDOG=1 from the event loop, when systemd asked for it. */
void	notify_watchdog(void);
/* The first socket passed by systemd socket activation (LISTEN_FDS), or -1. */
int	notify_listen_fd(void);

#endif
