/* clock.c: the daemon's notion of now, real or a replay of the plans' own time. */
#include <time.h>

#include "clock.h"

static int	demo;
static int64_t	demo_start;
static double	demo_speed = 1;
static struct timespec real_start;

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(ts.tv_sec - real_start.tv_sec) + (ts.tv_nsec - real_start.tv_nsec) / 1e9;
}

void
clock_set_demo(int64_t start, double speed)
{
	demo = 1;
	demo_start = start;
	demo_speed = speed;
	/* Monotonic, so that the demo clock does not jump with the wall clock. */
	clock_gettime(CLOCK_MONOTONIC, &real_start);
}

int
clock_is_demo(void)
{
	return demo;
}

double
clock_speed(void)
{
	return demo_speed;
}

int64_t
clock_now(void)
{
	if (!demo)
		return (int64_t)time(NULL);
	return demo_start + (int64_t)(mono() * demo_speed);
}

double
clock_real_delay(int64_t t)
{
	double d = (double)(t - clock_now());

	if (d <= 0)
		return 0;
	if (demo)
		return demo_speed > 0 ? d / demo_speed : 1e9;
	return d;
}

int64_t
clock_steady(void)
{
	static int64_t base;
	static int set;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!set) {
		base = (int64_t)time(NULL) - (int64_t)ts.tv_sec;
		set = 1;
	}
	return base + (int64_t)ts.tv_sec;
}

double
clock_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
clock_thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
