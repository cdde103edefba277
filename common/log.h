/* log.h: the logging family shared by daemon and client. */
#ifndef TERMIJN_LOG_H
#define TERMIJN_LOG_H

#include <stdarg.h>

void	log_init(const char *progname, int debug);
/*
 * A daemon's loop: stderr buffered, written once a loop turn rather than once a line (a
 * `done` logged a write of its own). Called before anything is logged; until
 * log_turn_hook names what to call when a line waits on this thread (it arranges a
 * log_flush at the end of the turn), and on other threads, each line goes out at once.
 */
void	log_buffer(void);
void	log_turn_hook(void (*)(void));
void	log_flush(void);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
/* notice: what a person at the terminal should see too; info: the journal's (or -d). */
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
