/* clock.h: what time it is, for the daemon: the real clock or a demo clock. */
#ifndef TERMIJN_CLOCK_H
#define TERMIJN_CLOCK_H

#include <stdint.h>

/* start: the demo instant at which the clock begins; speed: demo seconds per real second. */
void	clock_set_demo(int64_t start, double speed);
int	clock_is_demo(void);
double	clock_speed(void);
int64_t	clock_now(void);
/* Seconds on the monotonic clock, for measuring how long something took. */
double	clock_mono(void);
/* The calling thread's CPU seconds: of a time measured, what was work and not waiting. */
double	clock_thread_cpu(void);
/* Real seconds until demo instant t (for arming timers), at least 0. */
double	clock_real_delay(int64_t t);
/*
 * The monotonic clock in seconds, equal to the wall clock when first read: what delays
 * (retries, backoff) are measured on, so that setting the wall clock does not move them.
 */
int64_t	clock_steady(void);

#endif
