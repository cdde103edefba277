/* mailer.c: sends messages by SMTP (libcurl multi on libevent, in mail threads) or into a maildir. */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/event_struct.h>

#include "log.h"
#include "xmalloc.h"
#include "mailcompose.h"
#include "mailer.h"

/*
 * Why a thread: libcurl's SMTP waits for the reply to the final "." inside
 * its DONE phase, synchronously, even under the multi interface (curl issue
 * 8555, still so in 8.x). On the daemon's loop that wait froze everything for
 * as long as the server took; in one thread with several transfers it let
 * only one message end at a time, however many sessions were open (a relay
 * taking 1 s per message gave 1 message/s). So each of mail-in-flight mail
 * threads runs a multi handle of its own the hiperfifo way, one message at a
 * time, and keeps its connection for the next one. The daemon's loop only sees
 * finished jobs, through a pipe. Jobs cross between the threads only on the
 * two lists under mtx; the lists of curl's sockets are under mtx too, so that
 * mailer_free can cut transfers from the daemon's thread.
 *
 * A maildir too is written in mail threads (plain ones, waiting on cv): its two
 * fsyncs a message would otherwise hold the daemon's loop for each message. The
 * second, of the directory new/, is shared: one sync makes every rename before it
 * durable, so a thread whose rename an fsync begun after it covers waits for that
 * one (dir_cv) instead of taking its own, as a group commit does.
 */

#define MAILER_CONNECT_MS	10000
#define MAILER_TOTAL_MS		30000
#define MAILER_IN_FLIGHT	4
#define PASSWORD_MAX		4096
#define REPLY_MAX		200

struct mailer;
struct mworker;

struct mail_job {
	TAILQ_ENTRY(mail_job)	 entry;
	struct mailer		*m;
	uint64_t		 id;
	char			*from, *rcpt;
	char			*msg;
	size_t			 len, off;
	mailer_done_cb		 done;
	void			*arg;
	unsigned int		 seq;		/* maildir: in the file's name */

	/* The mail thread's, while the job is in curl. */
	CURL			*easy;
	struct curl_slist	*rcpts;
	char			 errbuf[CURL_ERROR_SIZE];
	char			 reply[REPLY_MAX + 1];	/* the server's last refusal */

	/* The outcome, handed back. */
	enum mail_result	 result;
	int			 code;
	char			*errmsg;
};
TAILQ_HEAD(mail_jobs, mail_job);

/* One socket that curl asked us to watch (mail thread). */
struct msock {
	LIST_ENTRY(msock)	 entry;
	struct mworker		*w;
	curl_socket_t		 fd;
	struct event		 ev;
};

/* One mail thread: a multi handle on a loop of its own, one message at a time. */
struct mworker {
	struct mailer		*m;
	struct event_base	*mbase;
	int			 wake[2];	/* daemon -> this thread */
	struct event		 wake_ev;
	struct event		 timer;		/* curl's single timeout */
	CURLM			*multi;
	LIST_HEAD(, msock)	 socks;		/* under m->mtx */
	struct mail_job		*active;	/* in curl */
	pthread_t		 thread;
	int			 thread_set;
};

struct mailer {
	/* Set by mailer_new, read-only after. */
	char			*dir;		/* maildir transport, else SMTP */
	char			*newdir;	/* its new/ */
	char			*url;
	enum mailer_tls		 tls;
	char			*user, *password, *cafile;
	long			 connect_ms, total_ms;
	int			 max_in_flight;

	char			 host[128];	/* maildir file names */

	/* The daemon's thread. */
	struct event_base	*base;
	unsigned int		 counter;	/* maildir file names */
	struct event		 done_ev;	/* finished jobs to report */
	int			 done_ev_set;
	size_t			 npending;
	int			 dispatching;	/* inside done callbacks */
	int			 dying;		/* mailer_free called meanwhile */

	/* Between the threads. */
	pthread_mutex_t		 mtx;
	int			 mtx_set;
	pthread_cond_t		 cv;		/* maildir: a job was submitted, or stop */
	pthread_cond_t		 dir_cv;	/* maildir: a sync of new/ ended */
	int			 cv_set;
	uint64_t		 renamed;	/* maildir: renames into new/ so far */
	uint64_t		 dir_synced;	/* the first that many made durable */
	int			 dir_syncing;	/* a thread syncs new/ now */
	struct mail_jobs	 submitted;	/* to the mail threads, under mtx */
	struct mail_jobs	 finished;	/* from them, under mtx */
	atomic_int		 stop;
	int			 donefd[2];	/* mail threads -> daemon */
	int			 curl_set;
	struct mworker		*workers;	/* max_in_flight of them */
	int			 nworkers;	/* set up so far */
};

static void	mailer_destroy(struct mailer *);

static void
poke(int fd)
{
	/* A full pipe is a wake-up already pending. */
	while (write(fd, "", 1) == -1 && errno == EINTR)
		;
}

static void
drain(int fd)
{
	char	buf[64];
	ssize_t	n;

	for (;;) {
		if ((n = read(fd, buf, sizeof(buf))) > 0 ||
		    (n == -1 && errno == EINTR))
			continue;
		break;
	}
}

static void
job_free(struct mail_job *job)
{
	if (job->easy != NULL)
		curl_easy_cleanup(job->easy);
	curl_slist_free_all(job->rcpts);
	free(job->from);
	free(job->rcpt);
	free(job->msg);
	free(job->errmsg);
	free(job);
}

static void
jobs_free(struct mail_jobs *jobs)
{
	struct mail_job	*job;

	while ((job = TAILQ_FIRST(jobs)) != NULL) {
		TAILQ_REMOVE(jobs, job, entry);
		job_free(job);
	}
}

/* ---- the mail threads: a multi handle each, on a loop of its own ---- */

/* Printable ASCII only: replies end up in logs and in the outbox. */
static void
copy_printable(char *dst, size_t dstsz, const char *src, size_t n)
{
	size_t	i, j = 0;

	for (i = 0; i < n && j + 1 < dstsz; i++) {
		if (src[i] == '\r' || src[i] == '\n')
			break;
		dst[j++] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	}
	dst[j] = '\0';
}

/*
 * curl tells the conversation here. Only the server's last refusal is kept;
 * what we send, AUTH included, is never looked at.
 */
static int
debug_cb(CURL *easy, curl_infotype type, char *data, size_t size, void *arg)
{
	struct mail_job	*job = arg;
	const char	*line = data, *p;

	(void)easy;
	if (type != CURLINFO_HEADER_IN || size == 0)
		return 0;
	/* A multi-line reply may come in one piece: keep its last line. */
	for (p = data; p + 1 < data + size; p++) {
		if (*p == '\n')
			line = p + 1;
	}
	/* Only refusals: the "221 Bye" to the QUIT after one is no news. */
	if (*line == '4' || *line == '5')
		copy_printable(job->reply, sizeof(job->reply), line,
		    data + size - line);
	return 0;
}

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct mail_job	*job = arg;
	size_t		 n = size * nitems;

	if (n > job->len - job->off)
		n = job->len - job->off;
	memcpy(buf, job->msg + job->off, n);
	job->off += n;
	return n;
}

/* Lets curl start over on a fresh connection when a reused one turns out dead. */
static int
seek_cb(void *arg, curl_off_t offset, int origin)
{
	struct mail_job	*job = arg;

	if (origin != SEEK_SET || offset < 0 || (size_t)offset > job->len)
		return CURL_SEEKFUNC_CANTSEEK;
	job->off = (size_t)offset;
	return CURL_SEEKFUNC_OK;
}

static int
job_start(struct mworker *w, struct mail_job *job)
{
	struct mailer	*m = w->m;
	CURL		*e;
	char		*addr;
	int		 ok = 1;

	if ((e = job->easy = curl_easy_init()) == NULL)
		return -1;
	xasprintf(&addr, "<%s>", job->rcpt);
	job->rcpts = curl_slist_append(NULL, addr);
	free(addr);
	if (job->rcpts == NULL)
		return -1;
	xasprintf(&addr, "<%s>", job->from);

#define SETOPT(o, v) ok = ok && curl_easy_setopt(e, o, v) == CURLE_OK
	SETOPT(CURLOPT_URL, m->url);
	SETOPT(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_USE_SSL, m->tls == MAILER_TLS_REQUIRED ? (long)CURLUSESSL_ALL :
	    m->tls == MAILER_TLS_OPPORTUNISTIC ? (long)CURLUSESSL_TRY :
	    (long)CURLUSESSL_NONE);
	SETOPT(CURLOPT_MAIL_FROM, addr);
	SETOPT(CURLOPT_MAIL_RCPT, job->rcpts);
	SETOPT(CURLOPT_UPLOAD, 1L);
	SETOPT(CURLOPT_READFUNCTION, read_cb);
	SETOPT(CURLOPT_READDATA, job);
	SETOPT(CURLOPT_SEEKFUNCTION, seek_cb);
	SETOPT(CURLOPT_SEEKDATA, job);
	SETOPT(CURLOPT_INFILESIZE_LARGE, (curl_off_t)job->len);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, m->connect_ms);
	SETOPT(CURLOPT_TIMEOUT_MS, m->total_ms);
	/* Also bounds the QUIT that closing a cached connection waits for. */
	SETOPT(CURLOPT_SERVER_RESPONSE_TIMEOUT, (m->total_ms + 999) / 1000);
	SETOPT(CURLOPT_PRIVATE, job);
	SETOPT(CURLOPT_ERRORBUFFER, job->errbuf);
	SETOPT(CURLOPT_DEBUGFUNCTION, debug_cb);
	SETOPT(CURLOPT_DEBUGDATA, job);
	SETOPT(CURLOPT_VERBOSE, 1L);	/* for debug_cb; it prints nothing */
	if (m->user != NULL) {
		SETOPT(CURLOPT_USERNAME, m->user);
		SETOPT(CURLOPT_PASSWORD, m->password);
	}
	if (m->cafile != NULL)
		SETOPT(CURLOPT_CAINFO, m->cafile);
#undef SETOPT
	free(addr);	/* curl copied it */
	if (!ok)
		return -1;
	job->errbuf[0] = '\0';
	job->reply[0] = '\0';
	job->off = 0;
	if (curl_multi_add_handle(w->multi, e) != CURLM_OK)
		return -1;
	return 0;
}

/* Hand a job back to the daemon's thread (its easy handle is out of the multi). */
static void
job_finish(struct mailer *m, struct mail_job *job, enum mail_result r, int code,
    const char *errmsg)
{
	if (job->easy != NULL) {
		curl_easy_cleanup(job->easy);
		job->easy = NULL;
	}
	job->result = r;
	job->code = code;
	job->errmsg = errmsg != NULL ? xstrdup(errmsg) : NULL;
	pthread_mutex_lock(&m->mtx);
	TAILQ_INSERT_TAIL(&m->finished, job, entry);
	pthread_mutex_unlock(&m->mtx);
	poke(m->donefd[1]);
}

/* An idle thread takes the next submitted job, if there is one. */
static void
start_job(struct mworker *w)
{
	struct mailer	*m = w->m;
	struct mail_job	*job;

	while (w->active == NULL && !atomic_load(&m->stop)) {
		pthread_mutex_lock(&m->mtx);
		if ((job = TAILQ_FIRST(&m->submitted)) != NULL)
			TAILQ_REMOVE(&m->submitted, job, entry);
		pthread_mutex_unlock(&m->mtx);
		if (job == NULL)
			return;
		if (job_start(w, job) == -1) {
			log_warnx("mailer: cannot start a transfer");
			job_finish(m, job, MAIL_TEMPFAIL, 0,
			    "cannot start a transfer (libcurl)");
			continue;
		}
		w->active = job;
	}
}

/*
 * Past the first MAIL, RCPT or DATA most failures are CURLE_SEND_ERROR or
 * CURLE_RECV_ERROR: the reply code tells a refusal (5xx) from a setback.
 * A login refused (535) counts as permanent too, by its code.
 */
static enum mail_result
classify(CURLcode res, long code)
{
	if (res == CURLE_OK)
		return MAIL_SENT;
	if (code >= 500 && code <= 599)
		return MAIL_PERMFAIL;
	return MAIL_TEMPFAIL;
}

static void
check_multi_info(struct mworker *w)
{
	struct mailer	*m = w->m;
	struct mail_job	*job;
	CURLMsg		*msg;
	CURL		*e;
	CURLcode	 res;
	long		 code;
	int		 left;
	char		*errmsg, *p;
	enum mail_result r;

	while ((msg = curl_multi_info_read(w->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		e = msg->easy_handle;
		res = msg->data.result;
		code = 0;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, &p);
		job = (struct mail_job *)p;
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
		curl_multi_remove_handle(w->multi, e);
		w->active = NULL;

		r = classify(res, code);
		errmsg = NULL;
		if (r != MAIL_SENT) {
			xasprintf(&errmsg, "%s%s%s",
			    job->errbuf[0] != '\0' ? job->errbuf : curl_easy_strerror(res),
			    code >= 400 && job->reply[0] != '\0' ? "; server said: " : "",
			    code >= 400 ? job->reply : "");
			log_debug("mail %llu to %s: %s", (unsigned long long)job->id,
			    job->rcpt, errmsg);
		}
		job_finish(m, job, r, (int)code, errmsg);
		free(errmsg);
	}
	start_job(w);
}

static void
sock_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct msock	*ms = arg;
	struct mworker	*w = ms->w;
	int		 action = 0, running = 1;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	/* ms may be freed in there (CURL_POLL_REMOVE). */
	if (curl_multi_socket_action(w->multi, fd, action, &running) != CURLM_OK)
		log_warnx("mailer: curl_multi_socket_action failed");
	if (running <= 0)
		evtimer_del(&w->timer);
	check_multi_info(w);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mworker	*w = arg;
	int		 running;

	(void)fd;
	(void)what;
	if (curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0,
	    &running) != CURLM_OK)
		log_warnx("mailer: curl_multi_socket_action failed");
	check_multi_info(w);
}

/* CURLMOPT_SOCKETFUNCTION: watch what curl wants watched. */
static int
socket_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct mworker	*w = userp;
	struct mailer	*m = w->m;
	struct msock	*ms = socketp;
	short		 kind;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (ms != NULL) {
			event_del(&ms->ev);
			pthread_mutex_lock(&m->mtx);
			LIST_REMOVE(ms, entry);
			pthread_mutex_unlock(&m->mtx);
			free(ms);
		}
		return 0;
	}
	if (ms == NULL) {
		ms = xcalloc(1, sizeof(*ms));
		ms->w = w;
		ms->fd = s;
		pthread_mutex_lock(&m->mtx);
		LIST_INSERT_HEAD(&w->socks, ms, entry);
		pthread_mutex_unlock(&m->mtx);
		curl_multi_assign(w->multi, s, ms);
	} else
		event_del(&ms->ev);
	kind = EV_PERSIST;
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	event_assign(&ms->ev, w->mbase, s, kind, sock_event_cb, ms);
	if (event_add(&ms->ev, NULL) == -1)
		return -1;
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: arm the one timer; curl must not be called back from here. */
static int
multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct mworker	*w = userp;
	struct timeval	 tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(&w->timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	return evtimer_add(&w->timer, &tv) == -1 ? -1 : 0;
}

/* New jobs, or the order to stop. */
static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mworker	*w = arg;

	(void)what;
	drain(fd);
	if (atomic_load(&w->m->stop)) {
		event_base_loopbreak(w->mbase);
		return;
	}
	start_job(w);
}

/*
 * Removing a transfer makes libcurl end the DATA it was sending with "." and
 * wait for the reply, and a transfer may be waiting for a reply already,
 * blocking the mail thread: dead sockets end both at once, and the server
 * drops a message it did not see the end of. The sockets watched are those of
 * transfers in flight (idle connections get a QUIT later, bounded by the
 * server response timeout). Any thread; shutdown leaves the fd to curl.
 */
static void
cut_transfers(struct mailer *m)
{
	struct msock	*ms;
	int		 i;

	pthread_mutex_lock(&m->mtx);
	for (i = 0; i < m->nworkers; i++) {
		LIST_FOREACH(ms, &m->workers[i].socks, entry)
			shutdown(ms->fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&m->mtx);
}

static void *
mail_thread(void *arg)
{
	struct mworker	*w = arg;
	struct mailer	*m = w->m;
	struct msock	*ms;

	event_base_dispatch(w->mbase);

	cut_transfers(m);
	if (w->active != NULL) {
		curl_multi_remove_handle(w->multi, w->active->easy);
		job_free(w->active);
		w->active = NULL;
	}
	curl_multi_cleanup(w->multi);
	w->multi = NULL;
	/* Sockets curl did not say goodbye to. */
	pthread_mutex_lock(&m->mtx);
	while ((ms = LIST_FIRST(&w->socks)) != NULL) {
		event_del(&ms->ev);
		LIST_REMOVE(ms, entry);
		free(ms);
	}
	pthread_mutex_unlock(&m->mtx);
	evtimer_del(&w->timer);
	event_del(&w->wake_ev);
	return NULL;
}

/* ---- the daemon's thread ---- */

/* The job has left every list: report and free it. */
static void
job_done(struct mailer *m, struct mail_job *job)
{
	m->npending--;
	if (!m->dying)
		job->done(job->id, job->result, job->code, job->errmsg, job->arg);
	job_free(job);
}

static void
done_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mailer	*m = arg;
	struct mail_jobs done;
	struct mail_job	*job;

	(void)what;
	drain(fd);
	TAILQ_INIT(&done);
	pthread_mutex_lock(&m->mtx);
	TAILQ_CONCAT(&done, &m->finished, entry);
	pthread_mutex_unlock(&m->mtx);

	m->dispatching++;
	while ((job = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, job, entry);
		job_done(m, job);
	}
	m->dispatching--;
	if (m->dying && m->dispatching == 0)
		mailer_destroy(m);
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= w;
	}
	return 0;
}

static int
fsync_dir(const char *dir)
{
	int	fd, rv;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rv = fsync(fd);
	close(fd);
	return rv;
}

/*
 * A rename into new/ just made: on disk once a sync of new/ begun after it has
 * ended, this thread's or another's (under mtx: renamed, dir_synced, dir_syncing).
 */
static int
dir_sync(struct mailer *m)
{
	uint64_t	mine, upto;
	int		rv = 0, saved = 0;

	pthread_mutex_lock(&m->mtx);
	mine = ++m->renamed;
	while (m->dir_synced < mine && rv == 0) {
		if (m->dir_syncing) {
			pthread_cond_wait(&m->dir_cv, &m->mtx);
			continue;
		}
		m->dir_syncing = 1;
		upto = m->renamed;
		pthread_mutex_unlock(&m->mtx);
		if ((rv = fsync_dir(m->newdir)) == -1)
			saved = errno;
		pthread_mutex_lock(&m->mtx);
		m->dir_syncing = 0;
		if (rv == 0 && upto > m->dir_synced)
			m->dir_synced = upto;
		pthread_cond_broadcast(&m->dir_cv);
	}
	pthread_mutex_unlock(&m->mtx);
	errno = saved;
	return rv;
}

/*
 * Deliver into DIR/tmp, fsync, rename into DIR/new, sync new/ (dir_sync): a
 * reader sees whole messages only, and a message is reported sent only once
 * both are on disk. The envelope goes first as an MDA would write it.
 */
static int
maildir_write(struct mailer *m, struct mail_job *job, char **err)
{
	struct timeval	 tv;
	char		*name = NULL, *tmp = NULL, *new = NULL;
	char		*env = NULL;
	int		 fd = -1, rv = -1, saved;
	const char	*step = "open";

	gettimeofday(&tv, NULL);
	xasprintf(&name, "%lld.M%06ldP%ldQ%u.%s", (long long)tv.tv_sec,
	    (long)tv.tv_usec, (long)getpid(), job->seq, m->host);
	xasprintf(&tmp, "%s/tmp/%s", m->dir, name);
	xasprintf(&new, "%s/new/%s", m->dir, name);
	xasprintf(&env, "Return-Path: <%s>\r\nDelivered-To: %s\r\n", job->from,
	    job->rcpt);

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1)
		goto out;
	step = "write";
	if (write_all(fd, env, strlen(env)) == -1 ||
	    write_all(fd, job->msg, job->len) == -1)
		goto out;
	step = "fsync";
	if (fsync(fd) == -1)
		goto out;
	step = "close";
	if (close(fd) == -1) {
		fd = -1;
		goto out;
	}
	fd = -1;
	step = "rename";
	if (rename(tmp, new) == -1)
		goto out;
	step = "fsync";
	if (dir_sync(m) == -1)
		goto out;
	rv = 0;
out:
	if (rv == -1) {
		saved = errno;
		if (fd != -1)
			close(fd);
		unlink(tmp);
		xasprintf(err, "maildir %s %s: %s", step,
		    strcmp(step, "rename") == 0 || strcmp(step, "fsync") == 0 ?
		    new : tmp, strerror(saved));
	}
	free(name);
	free(tmp);
	free(new);
	free(env);
	return rv;
}

/* A maildir's mail thread: one message after the other, handed back as SMTP's are. */
static void *
maildir_thread(void *arg)
{
	struct mworker	*w = arg;
	struct mailer	*m = w->m;
	struct mail_job	*job;
	char		*err;

	pthread_mutex_lock(&m->mtx);
	for (;;) {
		while (!atomic_load(&m->stop) && TAILQ_EMPTY(&m->submitted))
			pthread_cond_wait(&m->cv, &m->mtx);
		if (atomic_load(&m->stop))
			break;
		job = TAILQ_FIRST(&m->submitted);
		TAILQ_REMOVE(&m->submitted, job, entry);
		pthread_mutex_unlock(&m->mtx);
		err = NULL;
		if (maildir_write(m, job, &err) == -1) {
			log_warnx("mailer: %s", err);
			job->result = MAIL_TEMPFAIL;
			job->errmsg = err;
		} else
			job->result = MAIL_SENT;
		pthread_mutex_lock(&m->mtx);
		TAILQ_INSERT_TAIL(&m->finished, job, entry);
		poke(m->donefd[1]);
	}
	pthread_mutex_unlock(&m->mtx);
	return NULL;
}

int
mailer_send(struct mailer *m, uint64_t id, const char *from, const char *rcpt,
    const char *msg, size_t len, mailer_done_cb done, void *arg, char **cause)
{
	struct mail_job	*job;
	int		 i;

	/* curl puts CR and LF in addresses on the wire as they are. */
	if (!mail_addr_valid(from)) {
		xasprintf(cause, "sender address is not valid");
		return -1;
	}
	if (!mail_addr_valid(rcpt)) {
		xasprintf(cause, "recipient address is not valid");
		return -1;
	}
	job = xcalloc(1, sizeof(*job));
	job->m = m;
	job->id = id;
	job->from = xstrdup(from);
	job->rcpt = xstrdup(rcpt);
	job->msg = xmalloc(len);
	memcpy(job->msg, msg, len);
	job->len = len;
	job->done = done;
	job->arg = arg;
	m->npending++;
	job->seq = ++m->counter;
	pthread_mutex_lock(&m->mtx);
	TAILQ_INSERT_TAIL(&m->submitted, job, entry);
	if (m->dir != NULL)
		pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mtx);
	if (m->dir != NULL)
		return 0;
	/* Whichever thread is idle takes it; the busy ones look again when done. */
	for (i = 0; i < m->nworkers; i++)
		poke(m->workers[i].wake[1]);
	return 0;
}

static int
mkdir_ok(const char *path, char **cause)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
maildir_init(struct mailer *m, const char *dir, char **cause)
{
	static const char	*subs[] = { "tmp", "new", "cur" };
	struct stat		 st;
	char			*p;
	size_t			 i;
	int			 rv;

	if (*dir == '\0') {
		xasprintf(cause, "maildir: needs a directory");
		return -1;
	}
	if (mkdir_ok(dir, cause) == -1)
		return -1;
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		xasprintf(&p, "%s/%s", dir, subs[i]);
		rv = mkdir_ok(p, cause);
		if (rv == 0 && (stat(p, &st) == -1 || !S_ISDIR(st.st_mode))) {
			xasprintf(cause, "%s: not a directory", p);
			rv = -1;
		}
		free(p);
		if (rv == -1)
			return -1;
	}
	m->dir = xstrdup(dir);
	xasprintf(&m->newdir, "%s/new", dir);
	if (gethostname(m->host, sizeof(m->host)) == -1)
		snprintf(m->host, sizeof(m->host), "localhost");
	m->host[sizeof(m->host) - 1] = '\0';
	/* '/' and ':' have meanings in maildir names. */
	for (p = m->host; *p != '\0'; p++) {
		if (*p == '/' || *p == ':')
			*p = '_';
	}
	return 0;
}

/* The password is the file's content less its trailing line end. */
static int
read_password(struct mailer *m, const char *path, char **cause)
{
	struct stat	 st;
	char		 buf[PASSWORD_MAX + 1];
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd, rv = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0)
		log_warnx("%s: readable by others than its owner", path);
	for (;;) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += n;
		if (len == sizeof(buf)) {
			xasprintf(cause, "%s: too long for a password", path);
			goto out;
		}
	}
	buf[len] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (len == 0 || strlen(buf) != len || strpbrk(buf, "\r\n") != NULL) {
		xasprintf(cause, "%s: not a password on one line", path);
		goto out;
	}
	m->password = xstrdup(buf);
	rv = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rv;
}

/* One mail thread's multi handle, loop and wake-up pipe. */
static int
worker_init(struct mworker *w, char **cause)
{
	if ((w->multi = curl_multi_init()) == NULL) {
		xasprintf(cause, "curl_multi_init failed");
		return -1;
	}
	curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
	curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
	curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
	/* The connection stays in the multi handle's cache for the next message. */
	curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, 1L);
	if ((w->mbase = event_base_new()) == NULL) {
		xasprintf(cause, "event_base_new failed");
		return -1;
	}
	if (pipe2(w->wake, O_NONBLOCK | O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return -1;
	}
	event_assign(&w->wake_ev, w->mbase, w->wake[0], EV_READ | EV_PERSIST,
	    wake_cb, w);
	evtimer_assign(&w->timer, w->mbase, timer_cb, w);
	if (event_add(&w->wake_ev, NULL) == -1) {
		xasprintf(cause, "event_add failed");
		return -1;
	}
	return 0;
}

/* The mail threads (SMTP: with their loops) and the pipes between the threads. */
static int
threads_init(struct mailer *m, char **cause)
{
	sigset_t	 all, old;
	struct mworker	*w;
	int		 i, rv;

	if (pipe2(m->donefd, O_NONBLOCK | O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return -1;
	}
	event_assign(&m->done_ev, m->base, m->donefd[0], EV_READ | EV_PERSIST,
	    done_ev_cb, m);
	if (event_add(&m->done_ev, NULL) == -1) {
		xasprintf(cause, "event_add failed");
		return -1;
	}
	m->done_ev_set = 1;
	if ((rv = pthread_mutex_init(&m->mtx, NULL)) != 0) {
		xasprintf(cause, "pthread_mutex_init: %s", strerror(rv));
		return -1;
	}
	m->mtx_set = 1;
	if (m->dir != NULL) {
		if ((rv = pthread_cond_init(&m->cv, NULL)) != 0) {
			xasprintf(cause, "pthread_cond_init: %s", strerror(rv));
			return -1;
		}
		if ((rv = pthread_cond_init(&m->dir_cv, NULL)) != 0) {
			pthread_cond_destroy(&m->cv);
			xasprintf(cause, "pthread_cond_init: %s", strerror(rv));
			return -1;
		}
		m->cv_set = 1;
	}

	m->workers = xcalloc(m->max_in_flight, sizeof(*m->workers));
	for (i = 0; i < m->max_in_flight; i++) {
		w = &m->workers[i];
		w->m = m;
		w->wake[0] = w->wake[1] = -1;
		LIST_INIT(&w->socks);
		m->nworkers++;
		if (m->dir == NULL && worker_init(w, cause) == -1)
			return -1;
		/* Signals stay with the daemon's thread and its loop. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		rv = pthread_create(&w->thread, NULL, m->dir != NULL ? maildir_thread :
		    mail_thread, w);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (rv != 0) {
			xasprintf(cause, "pthread_create: %s", strerror(rv));
			return -1;
		}
		w->thread_set = 1;
	}
	return 0;
}

struct mailer *
mailer_new(struct event_base *base, const struct mailer_config *cf,
    char **cause)
{
	struct mailer	*m;
	const char	*url = cf->url;

	if (url == NULL) {
		xasprintf(cause, "no mail URL");
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->base = base;
	m->tls = cf->tls;
	m->connect_ms = cf->connect_timeout_ms > 0 ? cf->connect_timeout_ms :
	    MAILER_CONNECT_MS;
	m->total_ms = cf->total_timeout_ms > 0 ? cf->total_timeout_ms :
	    MAILER_TOTAL_MS;
	m->max_in_flight = cf->max_in_flight > 0 ? cf->max_in_flight :
	    MAILER_IN_FLIGHT;
	m->donefd[0] = m->donefd[1] = -1;
	atomic_init(&m->stop, 0);
	TAILQ_INIT(&m->submitted);
	TAILQ_INIT(&m->finished);

	if (strncmp(url, "maildir:", 8) == 0) {
		if (maildir_init(m, url + 8, cause) == -1 || threads_init(m, cause) == -1)
			goto fail;
		return m;
	}
	if (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0) {
		xasprintf(cause, "mail URL must begin with smtp://, smtps:// or maildir:");
		goto fail;
	}
	if (strpbrk(url, " \t\r\n") != NULL) {
		xasprintf(cause, "mail URL contains white space");
		goto fail;
	}
	if ((cf->user == NULL) != (cf->password_file == NULL)) {
		xasprintf(cause, "a mail user needs a password file and the other way round");
		goto fail;
	}
	if (cf->user != NULL) {
		if (read_password(m, cf->password_file, cause) == -1)
			goto fail;
		m->user = xstrdup(cf->user);
		if (m->tls == MAILER_TLS_NONE && strncmp(url, "smtps://", 8) != 0)
			log_warnx("mailer: the password to %s goes without TLS", url);
	}
	m->url = xstrdup(url);
	if (cf->cafile != NULL)
		m->cafile = xstrdup(cf->cafile);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		xasprintf(cause, "curl_global_init failed");
		goto fail;
	}
	m->curl_set = 1;
	if (threads_init(m, cause) == -1)
		goto fail;
	return m;

fail:
	mailer_destroy(m);
	return NULL;
}

static void
mailer_destroy(struct mailer *m)
{
	struct mworker	*w;
	int		 i;

	/* Cut first: a mail thread may be stuck in curl, waiting for a reply. */
	atomic_store(&m->stop, 1);
	if (m->mtx_set)
		cut_transfers(m);
	if (m->cv_set) {
		/* A maildir thread ends the message it is writing first. */
		pthread_mutex_lock(&m->mtx);
		pthread_cond_broadcast(&m->cv);
		pthread_mutex_unlock(&m->mtx);
	}
	for (i = 0; i < m->nworkers; i++) {
		if (m->workers[i].thread_set && m->workers[i].wake[1] != -1)
			poke(m->workers[i].wake[1]);
	}
	for (i = 0; i < m->nworkers; i++) {
		w = &m->workers[i];
		if (w->thread_set)
			pthread_join(w->thread, NULL);
		else if (w->multi != NULL)
			curl_multi_cleanup(w->multi);
		if (w->mbase != NULL)
			event_base_free(w->mbase);
		if (w->wake[0] != -1) {
			close(w->wake[0]);
			close(w->wake[1]);
		}
	}
	free(m->workers);
	jobs_free(&m->submitted);
	jobs_free(&m->finished);
	if (m->done_ev_set)
		event_del(&m->done_ev);
	if (m->curl_set)
		curl_global_cleanup();
	if (m->cv_set) {
		pthread_cond_destroy(&m->cv);
		pthread_cond_destroy(&m->dir_cv);
	}
	if (m->mtx_set)
		pthread_mutex_destroy(&m->mtx);
	if (m->donefd[0] != -1) {
		close(m->donefd[0]);
		close(m->donefd[1]);
	}
	if (m->password != NULL) {
		explicit_bzero(m->password, strlen(m->password));
		free(m->password);
	}
	free(m->user);
	free(m->cafile);
	free(m->url);
	free(m->dir);
	free(m->newdir);
	free(m);
}

void
mailer_free(struct mailer *m)
{
	if (m == NULL)
		return;
	if (m->dispatching > 0) {
		/* Called from a done callback: finish once it has returned. */
		m->dying = 1;
		return;
	}
	mailer_destroy(m);
}
