/* notify.c: sd_notify(3) spoken directly over NOTIFY_SOCKET, and LISTEN_FDS, for systemd. */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "notify.h"

static int			 notify_fd = -1;
static struct sockaddr_un	 notify_addr;
static socklen_t		 notify_len;
static struct event		*watchdog_ev;
static struct event_base	*notify_base;
static long long		 watchdog_usec;

void
notify_init(struct event_base *base)
{
	const char *path = getenv("NOTIFY_SOCKET"), *wd = getenv("WATCHDOG_USEC");
	const char *wpid = getenv("WATCHDOG_PID");
	size_t len;

	notify_base = base;
	if (wd != NULL && (wpid == NULL || atol(wpid) == (long)getpid()))
		watchdog_usec = atoll(wd);
	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	if ((len = strlen(path)) >= sizeof(notify_addr.sun_path)) {
		log_warnx("NOTIFY_SOCKET too long; not telling systemd anything");
		return;
	}
	memset(&notify_addr, 0, sizeof(notify_addr));
	notify_addr.sun_family = AF_UNIX;
	memcpy(notify_addr.sun_path, path, len);
	/* An abstract socket: the name starts with a NUL, not with '@'. */
	if (path[0] == '@')
		notify_addr.sun_path[0] = '\0';
	notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		log_warn("notify socket");
}

void
notify(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (notify_fd == -1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return;
	if (sendto(notify_fd, buf, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&notify_addr,
	    notify_len) == -1)
		log_warn("sd_notify %s", buf);
}

static void
watchdog_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	/* From the loop itself: a loop that hangs stops the pings, and systemd restarts us. */
	notify("WATCHDOG=1");
}

void
notify_watchdog(void)
{
	struct timeval tv;
	long long half;

	if (watchdog_usec <= 0 || notify_fd == -1 || watchdog_ev != NULL)
		return;
	half = watchdog_usec / 2;
	tv.tv_sec = (time_t)(half / 1000000);
	tv.tv_usec = (suseconds_t)(half % 1000000);
	watchdog_ev = event_new(notify_base, -1, EV_PERSIST, watchdog_cb, NULL);
	event_add(watchdog_ev, &tv);
	notify("WATCHDOG=1");
}

void
notify_free(void)
{
	if (watchdog_ev != NULL)
		event_free(watchdog_ev);
	watchdog_ev = NULL;
	if (notify_fd != -1)
		close(notify_fd);
	notify_fd = -1;
}

int
notify_listen_fd(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int fl;

	if (pid == NULL || fds == NULL || atol(pid) != (long)getpid() || atoi(fds) < 1)
		return -1;
	/* Not for our children. */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if ((fl = fcntl(3, F_GETFL)) == -1 || fcntl(3, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(3, F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	return 3;
}
