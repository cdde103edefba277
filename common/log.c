/* log.c: stderr logging with syslog priority prefixes that journald understands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *log_prog = "termijn";
static int log_debug_on;

void
log_init(const char *progname, int debug)
{
	log_prog = progname;
	log_debug_on = debug;
}

/* "<N>" prefixes are read by journald as the priority; on a terminal they stay readable. */
static void
vlog(int prio, const char *fmt, va_list ap, const char *suffix)
{
	char buf[2048];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (suffix != NULL)
		fprintf(stderr, "<%d>%s: %s: %s\n", prio, log_prog, buf, suffix);
	else
		fprintf(stderr, "<%d>%s: %s\n", prio, log_prog, buf);
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
log_info(const char *fmt, ...)
{
	va_list ap;

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
