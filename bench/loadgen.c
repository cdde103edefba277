/* loadgen.c: keep-alive clients on termijnd's socket, each marking distinct milestones done. */
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
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

#define BUFSZ		65536
#define MAX_CLIENTS	1024
#define MAX_SHOWN	5

struct worker {
	pthread_t	 thread;
	int		 fd;
	uint64_t	 ok, other, errors;
	char		 buf[BUFSZ];
	size_t		 len;		/* bytes in buf */
};

static const char	*sockpath;
static long		 maxreq = 20000;
static long		 firstkey;
static char		**bodies;	/* -K: one JSON body a line, instead of m%05ld keys */
static long		 nbodies;
static double		 seconds = 3.0;
static double		 t_start;
static double		*lat;		/* ms, by request number; < 0 when not answered */
static int		*code;		/* HTTP status, by request number; 0 when none */
static const char	*outfile;	/* -o: the keys answered 200, one a line */
static const char	*latfile;	/* -L: appended each answered request's latency (ms) */
static atomic_long	 next_req;
static atomic_int	 shown;
static pthread_barrier_t start_barrier;

static void
usage(void)
{
	fprintf(stderr, "usage: loadgen -s socket [-c clients] [-n max-requests] "
	    "[-t seconds] [-k first-key | -K body-file] [-o answered-keys] [-L latencies]\n");
	exit(2);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A connection, or -1 (the daemon stopped: with -o that ends a client, not the run). */
static int
dial(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sockpath) >= sizeof(sun.sun_path))
		errx(1, "socket path too long: %s", sockpath);
	strcpy(sun.sun_path, sockpath);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (outfile == NULL)
			err(1, "connect %s", sockpath);
		close(fd);
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* More bytes into w->buf; 0 on end of file, -1 on error or a full buffer. */
static int
fill(struct worker *w)
{
	ssize_t r;

	if (w->len >= sizeof(w->buf))
		return -1;
	do
		r = read(w->fd, w->buf + w->len, sizeof(w->buf) - w->len);
	while (r == -1 && errno == EINTR);
	if (r <= 0)
		return r == 0 ? 0 : -1;
	w->len += (size_t)r;
	return 1;
}

/* Case-insensitive header value in the head [buf, end); NULL when absent. */
static const char *
header(const char *buf, const char *end, const char *name)
{
	size_t nl = strlen(name);
	const char *p = buf;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		if ((size_t)(end - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':')
			return p + nl + 1;
	}
	return NULL;
}

/*
 * Read one response: the status, and whether the server will close the connection.
 * Returns -1 when the connection failed or the answer was malformed.
 */
static int
read_response(struct worker *w, int *status, int *closing)
{
	const char *v, *body, *nl;
	char *eoh = NULL;
	size_t hlen, total;
	long clen;
	int rc, shownlen;

	for (;;) {
		if (w->len > 0 && (eoh = memmem(w->buf, w->len, "\r\n\r\n", 4)) != NULL)
			break;
		if ((rc = fill(w)) <= 0)
			return -1;
	}
	hlen = (size_t)(eoh - w->buf) + 4;
	if (w->len < 12 || strncmp(w->buf, "HTTP/1.", 7) != 0)
		return -1;
	*status = atoi(w->buf + 9);
	if ((v = header(w->buf, eoh + 2, "Content-Length")) == NULL)
		return -1;
	clen = strtol(v, NULL, 10);
	if (clen < 0 || (size_t)clen > sizeof(w->buf) - hlen)
		return -1;
	v = header(w->buf, eoh + 2, "Connection");
	*closing = v != NULL && strncasecmp(v + strspn(v, " \t"), "close", 5) == 0;
	total = hlen + (size_t)clen;
	while (w->len < total)
		if (fill(w) <= 0)
			return -1;
	if (*status != 200 && atomic_fetch_add(&shown, 1) < MAX_SHOWN) {
		body = w->buf + hlen;
		nl = memchr(body, '\n', (size_t)clen);
		shownlen = nl != NULL ? (int)(nl - body) : (int)clen;
		fprintf(stderr, "loadgen: HTTP %d: %.*s\n", *status, shownlen, body);
	}
	memmove(w->buf, w->buf + total, w->len - total);
	w->len -= total;
	return 0;
}

static void *
run(void *arg)
{
	struct worker *w = arg;
	char req[1024], json[512];
	double t0;
	long i;
	int n, status, closing;

	pthread_barrier_wait(&start_barrier);
	for (;;) {
		if (now_ms() - t_start >= seconds * 1e3)
			break;
		if ((i = atomic_fetch_add(&next_req, 1)) >= maxreq)
			break;
		if (bodies != NULL)
			snprintf(json, sizeof(json), "%s", bodies[i]);
		else
			snprintf(json, sizeof(json), "{\"key\": \"m%05ld\"}", firstkey + i);
		n = snprintf(req, sizeof(req), "POST /api/v1/done HTTP/1.1\r\n"
		    "Host: localhost\r\nContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n%s", strlen(json), json);
		t0 = now_ms();
		if (write_all(w->fd, req, (size_t)n) == -1 ||
		    read_response(w, &status, &closing) == -1) {
			w->errors++;
			closing = 1;
		} else {
			lat[i] = now_ms() - t0;
			code[i] = status;
			if (status == 200)
				w->ok++;
			else
				w->other++;
		}
		if (closing) {
			close(w->fd);
			w->len = 0;
			if ((w->fd = dial()) == -1)
				break;
		}
	}
	return NULL;
}

/* The -K file: each line a request body, used once, in order. */
static void
read_bodies(const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long size = 0;

	if ((f = fopen(path, "r")) == NULL)
		err(2, "%s", path);
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (n >= 500)
			errx(2, "%s: a body of %zd bytes (at most 499)", path, n);
		if (nbodies == size) {
			size = size ? size * 2 : 1024;
			if ((bodies = realloc(bodies, (size_t)size * sizeof(*bodies))) == NULL)
				err(1, "realloc");
		}
		if ((bodies[nbodies++] = strdup(line)) == NULL)
			err(1, "strdup");
	}
	free(line);
	fclose(f);
	if (nbodies == 0)
		errx(2, "%s: no bodies", path);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (nearest rank) of n sorted values. */
static double
quantile(const double *v, size_t n, double q)
{
	size_t r;

	if (n == 0)
		return 0;
	r = (size_t)(q * (double)n + 0.999999);
	if (r < 1)
		r = 1;
	return v[(r > n ? n : r) - 1];
}

int
main(int argc, char **argv)
{
	struct worker *ws;
	uint64_t ok = 0, other = 0, errors = 0;
	double elapsed, *done;
	long issued, i;
	size_t nd = 0;
	int ch, clients = 1, c;
	char *end;

	while ((ch = getopt(argc, argv, "c:K:k:L:n:o:s:t:")) != -1) {
		switch (ch) {
		case 'o':
			outfile = optarg;
			break;
		case 'c':
			clients = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || clients < 1 || clients > MAX_CLIENTS)
				usage();
			break;
		case 'k':
			firstkey = strtol(optarg, &end, 10);
			if (*end != '\0' || firstkey < 0)
				usage();
			break;
		case 'K':
			read_bodies(optarg);
			break;
		case 'L':
			latfile = optarg;
			break;
		case 'n':
			maxreq = strtol(optarg, &end, 10);
			if (*end != '\0' || maxreq < 1)
				usage();
			break;
		case 's':
			sockpath = optarg;
			break;
		case 't':
			seconds = strtod(optarg, &end);
			if (*end != '\0' || seconds <= 0 || seconds > 600)
				usage();
			break;
		default:
			usage();
		}
	}
	if (sockpath == NULL || optind != argc)
		usage();
	/* A daemon that stops closes connections: a write error, not the end of the run. */
	signal(SIGPIPE, SIG_IGN);
	if (bodies != NULL && maxreq > nbodies)
		maxreq = nbodies;
	if (bodies == NULL && firstkey + maxreq > 100000)
		errx(2, "keys are m00000 to m99999: -k plus -n is at most 100000");

	if ((lat = malloc((size_t)maxreq * sizeof(*lat))) == NULL ||
	    (code = calloc((size_t)maxreq, sizeof(*code))) == NULL ||
	    (done = malloc((size_t)maxreq * sizeof(*done))) == NULL ||
	    (ws = calloc((size_t)clients, sizeof(*ws))) == NULL)
		err(1, "malloc");
	for (i = 0; i < maxreq; i++)
		lat[i] = -1;
	if (pthread_barrier_init(&start_barrier, NULL, (unsigned)clients + 1) != 0)
		errx(1, "pthread_barrier_init");
	/* Every connection is open before the clock starts. */
	for (c = 0; c < clients; c++) {
		if ((ws[c].fd = dial()) == -1)
			err(1, "connect %s", sockpath);
		if (pthread_create(&ws[c].thread, NULL, run, &ws[c]) != 0)
			errx(1, "pthread_create");
	}
	t_start = now_ms();
	pthread_barrier_wait(&start_barrier);
	for (c = 0; c < clients; c++) {
		pthread_join(ws[c].thread, NULL);
		if (ws[c].fd != -1)
			close(ws[c].fd);
		ok += ws[c].ok;
		other += ws[c].other;
		errors += ws[c].errors;
	}
	elapsed = (now_ms() - t_start) / 1e3;

	issued = atomic_load(&next_req);
	if (issued > maxreq)
		issued = maxreq;
	for (i = 0; i < issued; i++)
		if (lat[i] >= 0)
			done[nd++] = lat[i];
	qsort(done, nd, sizeof(*done), cmp_double);
	printf("api-done  clients=%d  %.0f req/s  median %.2f ms  p99 %.2f ms  "
	    "(200: %llu, other: %llu, failed: %llu, %.2f s)\n", clients, (double)ok / elapsed,
	    quantile(done, nd, 0.5), quantile(done, nd, 0.99), (unsigned long long)ok,
	    (unsigned long long)other, (unsigned long long)errors, elapsed);
	if (latfile != NULL) {
		FILE *f = fopen(latfile, "a");

		if (f == NULL)
			err(1, "%s", latfile);
		for (i = 0; i < (long)nd; i++)
			fprintf(f, "%.3f\n", done[i]);
		if (fclose(f) == EOF)
			err(1, "%s", latfile);
	}
	if (outfile != NULL) {
		FILE *f = fopen(outfile, "w");

		if (f == NULL)
			err(1, "%s", outfile);
		for (i = 0; i < issued; i++)
			if (code[i] == 200 && bodies != NULL)
				fprintf(f, "%s\n", bodies[i]);
			else if (code[i] == 200)
				fprintf(f, "m%05ld\n", firstkey + i);
		if (fclose(f) == EOF)
			err(1, "%s", outfile);
	}
	free(lat);
	free(code);
	free(done);
	free(ws);
	pthread_barrier_destroy(&start_barrier);
	return other == 0 && errors == 0 ? 0 : 1;
}
