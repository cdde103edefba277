/* log.c: stderr logging with syslog priority prefixes that journald understands. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static const char *log_prog = "termijn";
static int log_debug_on, log_tty, log_buffered;
static void (*log_hook)(void);
static pthread_t log_hook_thread;

void
log_init(const char *progname, int debug)
{
	log_prog = progname;
	log_debug_on = debug;
	/* A person at a terminal reads warnings and notices; the journal gets everything. */
	log_tty = isatty(STDERR_FILENO) && getenv("JOURNAL_STREAM") == NULL;
}

void
log_buffer(void)
{
	static char buf[65536];

	if (setvbuf(stderr, buf, _IOFBF, sizeof(buf)) == 0)
		log_buffered = 1;
}

void
log_turn_hook(void (*hook)(void))
{
	log_hook = hook;
	log_hook_thread = pthread_self();
}

void
log_flush(void)
{
	fflush(stderr);
}

/* "<N>" prefixes are read by journald as the priority; a terminal gets none. */
static void
vlog(int prio, const char *fmt, va_list ap, const char *suffix)
{
	char buf[2048], pfx[8] = "";

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (!log_tty)
		snprintf(pfx, sizeof(pfx), "<%d>", prio);
	if (suffix != NULL)
		fprintf(stderr, "%s%s: %s: %s\n", pfx, log_prog, buf, suffix);
	else
		fprintf(stderr, "%s%s: %s\n", pfx, log_prog, buf);
	if (!log_buffered)
		return;
	if (log_hook != NULL && pthread_equal(pthread_self(), log_hook_thread))
		log_hook();
	else
		fflush(stderr);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(4, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(4, fmt, ap, NULL);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(5, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_tty && !log_debug_on)
		return;
	va_start(ap, fmt);
	vlog(6, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	vlog(7, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(2, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(2, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
