/* stall.c: readers and writers on termijnd's socket and a /healthz probe on its listener,
 * for bench/stall.sh: how long any one request holds the daemon's event loop. */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAXT	64

/* What the readers ask, in turn. */
enum kind { K_STATUS, K_PAGE, K_FILTER, K_SHOW, K_LOG, K_REMIND, K_METRICS, K_FEED, K_WRITE,
	K_PROBE, K_N };
static const char *kname[K_N] = { "status", "milestones-page", "milestones-state",
	"show", "log-page", "reminders", "metrics", "feed", "done/undo", "healthz-probe" };

struct conn {
	int	 fd;
	int	 tcp;
	char	*buf;
	size_t	 len, cap;
};

struct stat {
	uint64_t	 n, bad;
	double		 max, sum;
	double		*lat;		/* the probe's, for its percentile */
	size_t		 nlat, caplat;
};

static const char	*sockpath, *hostport, *feedpath;
static long		 instances;
static double		 seconds = 5, t_end;
static int		 readers = 2, writers = 2;
static struct stat	 stats[MAXT][K_N];

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
dial(struct conn *c, int tcp)
{
	c->tcp = tcp;
	if (tcp) {
		struct sockaddr_in sin;
		char host[64];
		const char *colon = strrchr(hostport, ':');

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport), hostport);
		inet_pton(AF_INET, host, &sin.sin_addr);
		sin.sin_port = htons((uint16_t)atoi(colon + 1));
		if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
		    connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			err(1, "connect %s", hostport);
	} else {
		struct sockaddr_un sun;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sockpath);
		if ((c->fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
		    connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			err(1, "connect %s", sockpath);
	}
	c->len = 0;
}

/* One request and its answer on a keep-alive connection: the status, or -1. */
static int
request(struct conn *c, const char *method, const char *path, const char *body)
{
	char head[1024], *eoh, *v;
	size_t hlen, total, off = 0;
	ssize_t r;
	int n, status;

	n = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: localhost\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", method, path,
	    body ? strlen(body) : 0, body ? body : "");
	while (off < (size_t)n) {
		if ((r = write(c->fd, head + off, (size_t)n - off)) <= 0)
			return -1;
		off += (size_t)r;
	}
	c->len = 0;
	for (;;) {
		if (c->len + 65536 > c->cap) {
			c->cap = (c->len + 65536) * 2;
			if ((c->buf = realloc(c->buf, c->cap)) == NULL)
				err(1, "realloc");
		}
		if ((r = read(c->fd, c->buf + c->len, c->cap - c->len - 1)) <= 0)
			return -1;
		c->len += (size_t)r;
		c->buf[c->len] = '\0';
		if ((eoh = strstr(c->buf, "\r\n\r\n")) == NULL)
			continue;
		hlen = (size_t)(eoh - c->buf) + 4;
		if ((v = strcasestr(c->buf, "\r\nContent-Length:")) == NULL || v > eoh)
			return -1;
		total = hlen + strtoul(v + 17, NULL, 10);
		if (c->len >= total)
			break;
	}
	status = atoi(c->buf + 9);
	if (strcasestr(c->buf, "\r\nConnection: close") != NULL) {
		close(c->fd);
		dial(c, c->tcp);
	}
	return status;
}

static void
count(int t, enum kind k, double dt, int ok)
{
	struct stat *s = &stats[t][k];

	s->n++;
	s->bad += !ok;
	s->sum += dt;
	if (dt > s->max)
		s->max = dt;
	if (k == K_PROBE) {
		if (s->nlat == s->caplat) {
			s->caplat = s->caplat ? s->caplat * 2 : 1024;
			if ((s->lat = realloc(s->lat, s->caplat * sizeof(double))) == NULL)
				err(1, "realloc");
		}
		s->lat[s->nlat++] = dt;
	}
}

static void *
reader(void *arg)
{
	int t = (int)(intptr_t)arg, st;
	unsigned seed = (unsigned)t * 7919 + 1;
	struct conn api = { 0 }, http = { 0 };
	char path[256];
	enum kind k;
	double t0;
	long i = 0;

	dial(&api, 0);
	dial(&http, 1);
	while (now_s() < t_end) {
		k = (enum kind)(i++ % K_WRITE);
		switch (k) {
		case K_STATUS: snprintf(path, sizeof(path), "/api/v1/status"); break;
		case K_PAGE:
			snprintf(path, sizeof(path), "/api/v1/milestones?cursor=bench/m%06ld",
			    (long)(rand_r(&seed) % instances) / 1000 * 1000);
			break;
		case K_FILTER: snprintf(path, sizeof(path), "/api/v1/milestones?state=done"); break;
		case K_SHOW:
			snprintf(path, sizeof(path), "/api/v1/milestone?key=m%06ld",
			    (long)(rand_r(&seed) % instances) / 10 * 10);
			break;
		case K_LOG: snprintf(path, sizeof(path), "/api/v1/log?limit=1000"); break;
		case K_REMIND: snprintf(path, sizeof(path), "/api/v1/reminders"); break;
		case K_METRICS: snprintf(path, sizeof(path), "/metrics"); break;
		case K_FEED:
			if (feedpath == NULL)
				continue;
			snprintf(path, sizeof(path), "%s", feedpath);
			break;
		default: continue;
		}
		t0 = now_s();
		st = request(k == K_METRICS || k == K_FEED ? &http : &api, "GET", path, NULL);
		count(t, k, now_s() - t0, st == 200);
	}
	close(api.fd);
	close(http.fd);
	free(api.buf);
	free(http.buf);
	return NULL;
}

/* Each writer marks its own milestones done and undoes them, over and over. */
static void *
writer(void *arg)
{
	int t = (int)(intptr_t)arg, w = t - readers, st;
	struct conn api = { 0 };
	char body[160];
	long group = w, m = 1;
	double t0;

	dial(&api, 0);
	while (now_s() < t_end) {
		snprintf(body, sizeof(body), "{\"key\": \"m%06ld\"}", group * 10 + m);
		t0 = now_s();
		st = request(&api, "POST", "/api/v1/done", body);
		count(t, K_WRITE, now_s() - t0, st == 200);
		snprintf(body, sizeof(body), "{\"key\": \"m%06ld\", \"reason\": \"bench\"}",
		    group * 10 + m);
		t0 = now_s();
		st = request(&api, "POST", "/api/v1/undo", body);
		count(t, K_WRITE, now_s() - t0, st == 200);
		if (++m == 10) {
			m = 1;
			if ((group += writers) * 10 >= instances)
				group = w;
		}
	}
	close(api.fd);
	free(api.buf);
	return NULL;
}

static void *
prober(void *arg)
{
	int t = (int)(intptr_t)arg, st;
	struct conn http = { 0 };
	struct timespec pause = { 0, 20 * 1000000 };
	double t0;

	dial(&http, 1);
	while (now_s() < t_end) {
		t0 = now_s();
		st = request(&http, "GET", "/healthz", NULL);
		count(t, K_PROBE, now_s() - t0, st == 200);
		nanosleep(&pause, NULL);
	}
	close(http.fd);
	free(http.buf);
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	pthread_t th[MAXT];
	struct stat all[K_N];
	int ch, t, nt, k, bad = 0;
	size_t i;

	while ((ch = getopt(argc, argv, "f:H:n:r:s:t:w:")) != -1) {
		switch (ch) {
		case 'f': feedpath = optarg; break;
		case 'H': hostport = optarg; break;
		case 'n': instances = atol(optarg); break;
		case 'r': readers = atoi(optarg); break;
		case 's': sockpath = optarg; break;
		case 't': seconds = atof(optarg); break;
		case 'w': writers = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: stall -s socket -H host:port -n instances "
			    "[-t seconds] [-r readers] [-w writers] [-f feed-path]\n");
			return 2;
		}
	}
	if (sockpath == NULL || hostport == NULL || instances < 10 || readers < 1 ||
	    writers < 1 || readers + writers + 1 > MAXT || strchr(hostport, ':') == NULL)
		errx(2, "need -s, -H HOST:PORT, -n (10 or more), and up to %d threads", MAXT - 1);
	signal(SIGPIPE, SIG_IGN);
	t_end = now_s() + seconds;
	nt = readers + writers + 1;
	for (t = 0; t < nt; t++)
		if (pthread_create(&th[t], NULL, t < readers ? reader : t < nt - 1 ? writer :
		    prober, (void *)(intptr_t)t) != 0)
			errx(1, "pthread_create");
	for (t = 0; t < nt; t++)
		pthread_join(th[t], NULL);
	memset(all, 0, sizeof(all));
	for (t = 0; t < nt; t++)
		for (k = 0; k < K_N; k++) {
			all[k].n += stats[t][k].n;
			all[k].bad += stats[t][k].bad;
			all[k].sum += stats[t][k].sum;
			if (stats[t][k].max > all[k].max)
				all[k].max = stats[t][k].max;
			if (stats[t][k].nlat > 0) {
				all[k].lat = stats[t][k].lat;
				all[k].nlat = stats[t][k].nlat;
			}
		}
	for (k = 0; k < K_N; k++) {
		if (all[k].n == 0)
			continue;
		printf("  %-17s %6llu requests  mean %7.2f ms  max %7.2f ms", kname[k],
		    (unsigned long long)all[k].n, all[k].sum / (double)all[k].n * 1e3,
		    all[k].max * 1e3);
		if (all[k].nlat > 0) {
			qsort(all[k].lat, all[k].nlat, sizeof(double), cmp);
			i = (size_t)((double)all[k].nlat * 0.99);
			printf("  p99 %6.2f ms", all[k].lat[i < all[k].nlat ? i : all[k].nlat - 1] *
			    1e3);
		}
		if (all[k].bad > 0)
			printf("  (%llu not 200)", (unsigned long long)all[k].bad);
		printf("\n");
		/* undo of a milestone not done, after a failed done, is not a broken run */
		if (k != K_WRITE)
			bad += all[k].bad > 0;
	}
	for (t = 0; t < nt; t++)
		free(stats[t][K_PROBE].lat);
	return bad ? 1 : 0;
}
