/* control.c: the client socket (HTTP on AF_UNIX), peer credentials and group commit. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "accept.h"
#include "clock.h"
#include "donewire.h"
#include "httperr.h"
#include "jsontext.h"
#include "lang.h"
#include "log.h"
#include "memory.h"
#include "notify.h"
#include "remind.h"
#include "request.h"
#include "termijnd.h"
#include "xmalloc.h"

#define MAX_HEADERS	8192
/*
 * evhttp answers a body over its limit at once and closes while the peer is still sending,
 * so the peer may never read the 413. The transport takes up to MAX_WIRE_BODY and the API
 * refuses over API_MAX_BODY (api.c) once the body is in, so that answer always arrives.
 */
#define MAX_WIRE_BODY	(1024 * 1024)
#define TIMEOUT_SEC	10

/* raw: the body and its headers are the caller's (a page); else JSON. */
static void
send_now(struct evhttp_request *req, int code, const char *body, int raw)
{
	struct evkeyvalq *out;
	struct evbuffer *buf;

	/*
	 * The peer hung up while the answer waited: evhttp let go of the request, and sending
	 * frees it (what its connection owed went with the connection, conn_close_cb).
	 */
	if (evhttp_request_get_connection(req) == NULL) {
		evhttp_send_reply(req, code, NULL, NULL);
		return;
	}
	out = evhttp_request_get_output_headers(req);
	if ((buf = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	evbuffer_add(buf, body, strlen(body));
	if (!raw) {
		evbuffer_add(buf, "\n", 1);
		evhttp_remove_header(out, "Content-Type");
		evhttp_add_header(out, "Content-Type", "application/json");
	} else if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		/* libevent 2.1 would send a HEAD answer's body too. */
		char clen[32];

		snprintf(clen, sizeof(clen), "%zu", evbuffer_get_length(buf));
		evhttp_add_header(out, "Content-Length", clen);
		evhttp_send_reply(req, code, NULL, NULL);
		evbuffer_free(buf);
		return;
	}
	evhttp_send_reply(req, code, NULL, buf);
	evbuffer_free(buf);
}

static void	fast_send(struct fastconn *, int code, const char *body);
static void	fast_evhttp_done(struct bufferevent *);

/* An answer to its peer: evhttp's request, or a `done` of the fast path. */
static void
deliver(struct pending *p, int code, const char *body)
{
	if (p->fast != NULL)
		fast_send(p->fast, code, body);
	else
		send_now(p->req, code, body, p->raw);
}

/* The answer to a request whose loop turn did not reach the disk. */
static char *
failure_body(struct termijnd *d, const struct pending *p)
{
	const char *why = NULL;
	char *msg, *text;
	json_t *o;

	store_writable(d->engine.store, &why);
	if (p->is_write)
		xasprintf(&msg, _("the database failed (%s); nothing was changed"),
		    why ? why : _("a request of the same moment failed"));
	else
		xasprintf(&msg, _("the database failed (%s) while this was read; ask again"),
		    why ? why : _("a request of the same moment failed"));
	o = json_pack("{s:s, s:s}", "error", "internal", "message", msg);
	if ((text = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("json_dumps");
	json_decref(o);
	free(msg);
	return text;
}

static void	drained(struct termijnd *);

/* Answer the requests whose changes (and what they read) are on disk now, in order. */
static void
answer_durable(struct termijnd *d)
{
	uint64_t durable = store_durable(d->engine.store);
	struct pending *p;

	/* What was logged of them is out before they are. */
	log_flush();
	while ((p = TAILQ_FIRST(&d->pending)) != NULL && !p->open && p->gen <= durable) {
		TAILQ_REMOVE(&d->pending, p, entry);
		if (p->is_write)
			d->committed_writes++;
		deliver(p, p->code, p->body);
		free(p->body);
		free(p);
	}
	remind_durable(d, durable);
	drained(d);
}

/* The open batch did not reach the disk: each request answered from it gets the failure. */
static void
answer_failed(struct termijnd *d)
{
	struct pending *p, *next;
	const struct msgcat *old;
	const char *why;
	size_t nfailed = 0;
	char *body;

	log_flush();
	for (p = TAILQ_FIRST(&d->pending); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (!p->open)
			continue;
		old = msgcat_use(p->lang);
		body = failure_body(d, p);
		msgcat_use(old);
		deliver(p, 500, body);
		free(body);
		nfailed++;
		TAILQ_REMOVE(&d->pending, p, entry);
		free(p->body);
		free(p);
	}
	store_writable(d->engine.store, &why);
	log_warnx("commit failed (%s): the changes of this moment are undone, %zu request%s "
	    "answered with the failure", why ? why : "a request failed", nfailed,
	    nfailed == 1 ? "" : "s");
}

/*
 * Group commit. The changes of the requests handled while the disk is busy share one
 * transaction; it is committed (written to the WAL, no fsync) once the sync thread is free,
 * from a low-priority event after the turn's requests, and the sync thread then makes it
 * durable while the loop goes on with the next requests. Only then are their replies sent,
 * so that nothing is acknowledged before it is on disk: a read too waits for the changes
 * it could see. A batch that does not reach the disk is rolled back whole: the store
 * undoes every in-memory change made with it, and each request answered from it (a
 * change, a refusal, a read) gets the failure instead. wait: commit whatever is open and
 * make it durable here, before returning (a reload, the end).
 */
static void
commit_step(struct termijnd *d, int wait)
{
	struct store *s = d->engine.store;
	struct pending *p;
	int ok = 1, wrote = 0;
	double t0 = clock_mono();

	answer_durable(d);
	if (store_in_txn(s) && (wait || d->batch_failed || !store_syncing(s))) {
		/* With the batch's changes, the demo time they were made at (main.c). */
		if (!d->batch_failed && clock_is_demo() &&
		    store_meta_set(s, "demo_now", clock_now()) == -1)
			d->batch_failed = 1;
		if (d->batch_failed) {
			store_rollback(s);
			ok = 0;
		} else if (store_commit_nowait(s) == -1)
			ok = 0;
		d->batch_failed = 0;
		d->commits++;
		wrote = 1;
		if (!ok)
			answer_failed(d);
	}
	/* Committed now (or by whoever committed the open transaction): numbered. */
	if (!store_in_txn(s))
		TAILQ_FOREACH(p, &d->pending, entry)
			if (p->open) {
				p->open = 0;
				p->gen = store_commits(s);
			}
	if (wait)
		store_sync(s);
	else
		store_sync_start(s);
	answer_durable(d);
	/*
	 * A change may make reminders due (a go-ahead) or end them; after a failed commit the
	 * reminder scan retries until the database takes writes again (and /healthz says so).
	 */
	if (wrote)
		remind_kick(d);
	if (clock_mono() - t0 > d->longest_commit)
		d->longest_commit = clock_mono() - t0;
}

static void
commit_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	commit_step(arg, 0);
}

/*
 * The sync thread is done: its requests are answered at once, at the priority of requests
 * (a busy loop would hold back a low-priority event); the open batch is committed after
 * this turn's requests, as always.
 */
static void
synced_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct termijnd *d = arg;

	(void)fd;
	(void)ev;
	store_sync_ack(d->engine.store);
	answer_durable(d);
	event_active(d->commit_ev, EV_TIMEOUT, 0);
}

void
control_flush(struct termijnd *d)
{
	if (d->commit_ev != NULL)
		commit_step(d, 1);
}

/* req: evhttp's request, or NULL and fast: a `done` of the fast path. */
static void
reply(struct termijnd *d, struct evhttp_request *req, struct fastconn *fast, int code,
    char *text, int is_write, int raw)
{
	struct store *s = d->engine.store;
	struct pending *p;
	int in_txn = store_in_txn(s);

	/* A change that failed half-way: what it wrote must not be committed with the rest. */
	if (code == 500 && is_write && in_txn)
		d->batch_failed = 1;
	/* Held back while changes it could see are not on disk. */
	if (!in_txn && TAILQ_EMPTY(&d->pending) && store_durable(s) == store_commits(s)) {
		log_flush();
		if (fast != NULL)
			fast_send(fast, code, text);
		else
			send_now(req, code, text, raw);
		free(text);
		return;
	}
	p = xcalloc(1, sizeof(*p));
	p->req = req;
	p->fast = fast;
	p->code = code;
	p->body = text;
	p->raw = raw;
	p->is_write = is_write;
	p->open = in_txn;
	p->gen = store_commits(s);
	p->lang = msgcat_current();
	TAILQ_INSERT_TAIL(&d->pending, p, entry);
	event_active(d->commit_ev, EV_TIMEOUT, 0);
}

void
control_reply(struct termijnd *d, struct evhttp_request *req, int code, json_t *body,
    int is_write)
{
	size_t len = 0;
	char *text = jsontext_compact(body, &len);

	json_decref(body);
	if (text == NULL)
		fatalx("jsontext_compact");
	control_reply_text(d, req, code, text, len, is_write);
}

void
control_reply_text(struct termijnd *d, struct evhttp_request *req, int code, char *text,
    size_t len, int is_write)
{
	if (text == NULL)
		fatalx("an answer that is not JSON text");
	/* Its objects are gone and the text soon will be: let the heap give them back. */
	if (len >= MEMORY_BIG)
		memory_trim_soon();
	reply(d, req, NULL, code, text, is_write, 0);
}

void
control_reply_raw(struct termijnd *d, struct evhttp_request *req, int code, char *body,
    int is_write)
{
	reply(d, req, NULL, code, body, is_write, 1);
}

static void
drained(struct termijnd *d)
{
	if (d->stopping && d->inflight == 0 && TAILQ_EMPTY(&d->pending)) {
		log_info("every answer sent; stopping");
		event_base_loopexit(d->base, NULL);
	}
}

/*
 * A connection's answers owed and its caller. An answer not written (the peer hung up, or
 * the write failed) never completes its request: what the connection still owed is let go
 * when evhttp frees it, and a request it left behind is freed unanswered (send_now).
 * SO_PEERCRED is fixed for a connection's life, so the user's name is looked up once.
 * Found by descriptor: one connection has it at a time, and it is dropped in the close
 * callback, before evhttp closes the descriptor.
 */
struct conn {
	struct termijnd		*d;
	struct evhttp_connection *evcon;
	unsigned		 owed;
	long			 uid;		/* -1: the name not looked up yet */
	char			 name[64];
};

static struct conn	**conns;
static size_t		  nconns;

static int
conn_fd(struct evhttp_connection *evcon)
{
	struct bufferevent *bev;

	if (evcon == NULL || (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return -1;
	return bufferevent_getfd(bev);
}

static struct conn *
conn_find(struct evhttp_connection *evcon)
{
	int fd = conn_fd(evcon);

	if (fd < 0 || (size_t)fd >= nconns || conns[fd] == NULL || conns[fd]->evcon != evcon)
		return NULL;
	return conns[fd];
}

static void
conn_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct conn *c = arg;
	struct termijnd *d = c->d;
	int fd = conn_fd(evcon);

	if (fd >= 0 && (size_t)fd < nconns && conns[fd] == c)
		conns[fd] = NULL;
	d->inflight -= c->owed;
	free(c);
	drained(d);
}

static struct conn *
conn_get(struct termijnd *d, struct evhttp_connection *evcon)
{
	struct conn *c;
	int fd;

	if ((c = conn_find(evcon)) != NULL)
		return c;
	if ((fd = conn_fd(evcon)) < 0)
		return NULL;
	if ((size_t)fd >= nconns) {
		size_t n = nconns ? nconns : 64;

		while (n <= (size_t)fd)
			n *= 2;
		conns = xreallocarray(conns, n, sizeof(*conns));
		memset(conns + nconns, 0, (n - nconns) * sizeof(*conns));
		nconns = n;
	}
	/* Left by a connection whose close we did not see: not ours to count any more. */
	if (conns[fd] != NULL) {
		log_warnx("connection on descriptor %d was not seen closing", fd);
		conns[fd]->d->inflight -= conns[fd]->owed;
		free(conns[fd]);
	}
	c = xcalloc(1, sizeof(*c));
	c->d = d;
	c->evcon = evcon;
	c->uid = -1;
	conns[fd] = c;
	evhttp_connection_set_closecb(evcon, conn_close_cb, c);
	return c;
}

static void
complete_cb(struct evhttp_request *req, void *arg)
{
	struct conn *c = arg;

	struct evhttp_connection *con = evhttp_request_get_connection(req);

	c->owed--;
	c->d->inflight--;
	if (con != NULL)
		fast_evhttp_done(evhttp_connection_get_bufferevent(con));
	drained(c->d);
}

void
control_track(struct termijnd *d, struct evhttp_request *req)
{
	struct conn *c = conn_get(d, evhttp_request_get_connection(req));

	/* Without a connection there is no answer to wait for. */
	if (c == NULL)
		return;
	c->owed++;
	d->inflight++;
	evhttp_request_set_on_complete_cb(req, complete_cb, c);
}

static void
stop_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct termijnd *d = arg;

	(void)fd;
	(void)ev;
	log_warnx("stopping with %u answer%s not sent after the stop timeout", d->inflight,
	    d->inflight == 1 ? "" : "s");
	event_base_loopexit(d->base, NULL);
}

void
control_stop(struct termijnd *d, int timeout)
{
	struct timeval tv = { timeout, 0 };

	if (d->stopping)
		return;
	d->stopping = 1;
	/* New connections wait in the socket's queue (systemd's, when it holds it). */
	if (d->control_lev != NULL)
		evconnlistener_disable(d->control_lev);
	d->stop_ev = evtimer_new(d->base, stop_timeout_cb, d);
	evtimer_add(d->stop_ev, &tv);
	drained(d);
}

/*
 * Who is on fd: the uid from the kernel on every request; the name of the uid last seen is
 * kept in *cuid and cname (64 bytes), when given.
 */
static int
peer_of(int fd, long *cuid, char *cname, long *uid, char *name, size_t namelen, char **cause)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct passwd pw, *res = NULL;
	char buf[4096];
	int rc;

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		xasprintf(cause, _("cannot tell who is calling: %s; try again"), strerror(errno));
		return -1;
	}
	*uid = (long)cred.uid;
	if (cuid != NULL && *cuid == (long)cred.uid) {
		snprintf(name, namelen, "%s", cname);
		return 0;
	}
	/* No entry is an answer (the uid alone may be an operator); a failed lookup is not. */
	errno = 0;
	if ((rc = getpwuid_r(cred.uid, &pw, buf, sizeof(buf), &res)) == 0 && res != NULL)
		snprintf(name, namelen, "%s", pw.pw_name);
	else if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM)
		snprintf(name, namelen, "uid%ld", (long)cred.uid);
	else {
		log_warnx("user lookup of uid %ld: %s", (long)cred.uid, strerror(rc));
		xasprintf(cause, _("cannot look up the calling user (uid %ld): %s; try again"),
		    (long)cred.uid, strerror(rc));
		return -1;
	}
	if (cuid != NULL) {
		*cuid = (long)cred.uid;
		snprintf(cname, 64, "%s", name);
	}
	return 0;
}

int
control_peer(struct evhttp_request *req, long *uid, char *name, size_t namelen, char **cause)
{
	struct evhttp_connection *con = evhttp_request_get_connection(req);
	struct conn *c = conn_find(con);

	return peer_of(conn_fd(con), c != NULL ? &c->uid : NULL, c != NULL ? c->name : NULL, uid,
	    name, namelen, cause);
}

/* ---- the fast path: a `done` answered from the bytes, before evhttp reads them ---- */

/*
 * A `done` is the change made most often, by many clients at once; evhttp spends some 30%
 * of its instructions reading it into lists of headers and writing its answer through
 * printf and evbuffers (issue 13). A `done` whole in the bytes just read at a request
 * boundary, plainly written (donewire.h), is answered here instead: the same change, held
 * back for the disk as every answer, then the same bytes evhttp would send
 * (tests/e2e/t-fastdone.sh compares them) in one write. Anything else is left in the input
 * as it came, for evhttp. As the feed listener's fast path (feeds.c), it sits on the input
 * buffer of the connection's bufferevent, whose callbacks run as the bytes are read,
 * before evhttp's read callback looks at them. From a request taken until its answer is
 * out, evhttp's callbacks are set aside and reading waits: evhttp sees an idle connection,
 * and what was pipelined behind waits for after the answer.
 */
struct fastconn {
	struct termijnd		*d;
	struct bufferevent	*bev;
	evutil_socket_t		 fd;
	int			 evhttp;	/* evhttp has a request of it under way */
	int			 holding;	/* ours: an answer owed or going out */
	int			 owed;		/* the answer not made or not sent yet */
	int			 taking;
	short			 event;		/* evhttp's, come while owed: for after */
	bufferevent_data_cb	 rcb, wcb;
	bufferevent_event_cb	 ecb;
	void			*cbarg;
	long			 uid;		/* -1: the name not looked up yet */
	char			 name[64];
	struct event		*resume;	/* what was read behind an answer, taken later */
};

static struct fastconn	**fasts;	/* by descriptor */
static size_t		  nfasts;
static struct bufferevent **fresh;	/* new connections, their descriptor not read yet */
static size_t		  nfresh, capfresh;
static struct event	 *fresh_ev;

static void	fast_take(struct fastconn *);

/* libevent's reason phrases, for the statuses an answer to a `done` has. */
static const char *
phrase(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 409: return "Conflict";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: fatalx("no reason phrase for HTTP %d", code);
	}
}

/* The answer is out (or the peer gone): evhttp's callbacks back, and the next request read. */
static void
fast_release(struct fastconn *fc)
{
	struct termijnd *d = fc->d;
	struct bufferevent *bev = fc->bev;
	short event = fc->event;

	fc->holding = fc->owed = 0;
	fc->event = 0;
	d->inflight--;
	bufferevent_setcb(bev, fc->rcb, fc->wcb, fc->ecb, fc->cbarg);
	bufferevent_disable(bev, EV_WRITE);
	if (event != 0) {
		/* What evhttp was told meanwhile (an error, a timeout): it closes, as it would. */
		fc->evhttp = 1;
		if (fc->ecb != NULL)
			fc->ecb(bev, event, fc->cbarg);
		drained(d);
		return;
	}
	bufferevent_enable(bev, EV_READ);
	/*
	 * Inside fast_take it goes on by itself. Else pipelined requests read before are taken
	 * from an event, as evhttp defers its own read: never from inside the delivery of
	 * answers (answer_failed would take a change of the next batch for one of its own).
	 */
	if (!fc->taking && evbuffer_get_length(bufferevent_get_input(bev)) > 0)
		event_active(fc->resume, EV_TIMEOUT, 0);
	drained(d);
}

/* Pipelined requests behind an answer: ours, or evhttp's to read now. */
static void
resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct fastconn *fc = arg;

	(void)fd;
	(void)ev;
	if (fc->holding || fc->evhttp ||
	    evbuffer_get_length(bufferevent_get_input(fc->bev)) == 0)
		return;
	fast_take(fc);
	if (fc->evhttp && !fc->holding && fc->rcb != NULL)
		fc->rcb(fc->bev, fc->cbarg);
}

static void
held_write_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	fast_release(arg);
}

/* While held, evhttp's events wait for the answer (or come with what is left of it). */
static void
held_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct fastconn *fc = arg;

	(void)bev;
	fc->event |= what;
	if (!fc->owed)
		fast_release(fc);
}

/* The answer as evhttp writes it (send_now: the body and a newline), in one write if it can. */
static void
fast_send(struct fastconn *fc, int code, const char *body)
{
	struct evbuffer *out = bufferevent_get_output(fc->bev);
	char head[256], num[24], *h = head;
	size_t blen = strlen(body), off, i;
	struct iovec iov[3];
	struct msghdr mh;
	ssize_t n;

	fc->owed = 0;
	if (fc->event != 0) {
		fast_release(fc);
		return;
	}
	snprintf(num, sizeof(num), "%d ", code);
	h = http_put(http_put(http_put(http_put(h, "HTTP/1.1 "), num), phrase(code)), "\r\n");
	h = http_put(h, "Content-Type: application/json\r\nDate: ");
	h = http_put(http_put(h, http_date_now()), "\r\nContent-Length: ");
	snprintf(num, sizeof(num), "%zu\r\n\r\n", blen + 1);
	h = http_put(h, num);
	iov[0].iov_base = head;
	iov[0].iov_len = (size_t)(h - head);
	iov[1].iov_base = (void *)(uintptr_t)body;
	iov[1].iov_len = blen;
	iov[2].iov_base = (void *)(uintptr_t)"\n";
	iov[2].iov_len = 1;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 3;
	if ((n = sendmsg(fc->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT)) == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			/* Gone: evhttp reads the end and closes. */
			shutdown(fc->fd, SHUT_RDWR);
			fast_release(fc);
			return;
		}
		n = 0;
	}
	if ((size_t)n == iov[0].iov_len + blen + 1) {
		fast_release(fc);
		return;
	}
	/* The rest through the bufferevent; released once it has gone. */
	for (i = 0, off = (size_t)n; i < 3; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		evbuffer_add(out, (char *)iov[i].iov_base + off, iov[i].iov_len - off);
		off = 0;
	}
	bufferevent_enable(fc->bev, EV_WRITE);
}

/* Take w (n bytes of the input): its answer made now, sent when it may be. */
static void
fast_done(struct fastconn *fc, const struct donewire *w, size_t n, long uid, const char *name)
{
	struct termijnd *d = fc->d;
	struct bufferevent *bev = fc->bev;
	struct request rq;
	size_t len = 0;
	char *text = NULL;
	int code;

	evbuffer_drain(bufferevent_get_input(bev), n);
	/* evhttp set aside, and nothing more read, until the answer is out. */
	bufferevent_getcb(bev, &fc->rcb, &fc->wcb, &fc->ecb, &fc->cbarg);
	bufferevent_setcb(bev, NULL, held_write_cb, held_event_cb, fc);
	bufferevent_disable(bev, EV_READ);
	fc->holding = fc->owed = 1;
	d->inflight++;
	memset(&rq, 0, sizeof(rq));
	rq.plan = w->plan;
	rq.key = w->key;
	rq.note = w->note;
	rq.at = w->at;
	rq.reason = w->reason;
	rq.override = w->override;
	d->fast_dones++;
	msgcat_use(lang_for(w->has_lang ? w->lang : NULL));
	code = api_done(d, &rq, uid, name, &text, &len);
	reply(d, NULL, fc, code, text, 1, 0);
	msgcat_use(NULL);
}

/* The requests whole in the input, while they are `done`s for the fast path. */
static void
fast_take(struct fastconn *fc)
{
	struct evbuffer *in = bufferevent_get_input(fc->bev);
	struct donewire *w = NULL;
	char name[64], *cause = NULL;
	const char *p;
	size_t len, n;
	long uid;

	fc->taking = 1;
	while (!fc->evhttp && !fc->holding && (len = evbuffer_get_length(in)) > 0) {
		/* Nothing of evhttp's may still be going out before our answer; a stop is its. */
		if (evbuffer_get_length(bufferevent_get_output(fc->bev)) > 0 || fc->d->stopping) {
			fc->evhttp = 1;
			break;
		}
		if (len > DONEWIRE_MAX_HEAD + DONEWIRE_MAX_BODY)
			len = DONEWIRE_MAX_HEAD + DONEWIRE_MAX_BODY;
		if (w == NULL)
			w = xmalloc(sizeof(*w));
		/* A caller we cannot tell: evhttp's route says so. */
		if ((p = (const char *)evbuffer_pullup(in, (ev_ssize_t)len)) == NULL ||
		    (n = donewire_parse(p, len, w)) == 0 ||
		    peer_of(fc->fd, &fc->uid, fc->name, &uid, name, sizeof(name), &cause) == -1) {
			free(cause);
			fc->evhttp = 1;
			break;
		}
		fast_done(fc, w, n, uid, name);
	}
	free(w);
	fc->taking = 0;
}

static void
fast_cb(struct evbuffer *in, const struct evbuffer_cb_info *info, void *arg)
{
	struct fastconn *fc = arg;

	(void)in;
	if (info->n_added > 0 && !fc->taking && !fc->evhttp && !fc->holding)
		fast_take(fc);
}

/* evhttp has answered a request of fd: with nothing more read, the next is at a boundary. */
static void
fast_evhttp_done(struct bufferevent *bev)
{
	evutil_socket_t fd = bev != NULL ? bufferevent_getfd(bev) : -1;
	struct fastconn *fc;

	if (fd < 0 || (size_t)fd >= nfasts || (fc = fasts[fd]) == NULL || fc->bev != bev)
		return;
	if (evbuffer_get_length(bufferevent_get_input(bev)) == 0)
		fc->evhttp = 0;
}

/* Put the fast path on a new connection's input. */
static void
fast_arm(struct termijnd *d, struct bufferevent *bev)
{
	evutil_socket_t fd = bufferevent_getfd(bev);
	struct fastconn *fc;
	struct event *ev;

	if (fd < 0)
		return;
	if ((size_t)fd >= nfasts) {
		size_t n = (size_t)fd + 64;

		fasts = xreallocarray(fasts, n, sizeof(*fasts));
		memset(fasts + nfasts, 0, (n - nfasts) * sizeof(*fasts));
		nfasts = n;
	}
	if ((fc = fasts[fd]) == NULL) {
		fc = fasts[fd] = xcalloc(1, sizeof(*fc));
		if ((fc->resume = event_new(d->base, -1, 0, resume_cb, fc)) == NULL)
			fatalx("event_new");
	}
	/* A resume of the connection that had the descriptor before is not this one's. */
	ev = fc->resume;
	event_del(ev);
	memset(fc, 0, sizeof(*fc));
	fc->resume = ev;
	fc->d = d;
	fc->fd = fd;
	fc->bev = bev;
	fc->uid = -1;
	evbuffer_add_cb(bufferevent_get_input(bev), fast_cb, fc);
}

/*
 * evhttp 2.1 tells of a new connection only through the bufferevent it asks for, and sets
 * its descriptor after: it is read from a priority-0 event, which runs before any read
 * on the new connection.
 */
static struct bufferevent *
fast_bev_cb(struct event_base *base, void *arg)
{
	struct bufferevent *bev;

	(void)arg;
	if ((bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)) == NULL)
		return NULL;
	XGROW(fresh, nfresh, capfresh);
	fresh[nfresh++] = bev;
	event_active(fresh_ev, EV_TIMEOUT, 0);
	return bev;
}

static void
fresh_cb(evutil_socket_t fd, short ev, void *arg)
{
	size_t i;

	(void)fd;
	(void)ev;
	for (i = 0; i < nfresh; i++)
		fast_arm(arg, fresh[i]);
	nfresh = 0;
}

static void
fast_free(void)
{
	size_t i;

	for (i = 0; i < nfasts; i++)
		if (fasts[i] != NULL) {
			event_free(fasts[i]->resume);
			free(fasts[i]);
		}
	free(fasts);
	free(fresh);
	fasts = NULL;
	fresh = NULL;
	nfasts = nfresh = capfresh = 0;
	if (fresh_ev != NULL)
		event_free(fresh_ev);
	fresh_ev = NULL;
}

/* Each request's human messages in the language its Accept-Language asks for. */
static void
request_cb(struct evhttp_request *req, void *arg)
{
	const char *accept = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Accept-Language");

	msgcat_use(lang_for(accept));
	api_handle(req, arg);
	msgcat_use(NULL);
}

/* Refuse to steal the socket of a daemon that still answers on it. */
static int
socket_in_use(const char *path)
{
	struct sockaddr_un sun;
	int fd, rc;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return rc == 0;
}

int
control_listen(struct termijnd *d, char **cause)
{
	struct sockaddr_un sun;
	struct evconnlistener *lev;
	struct stat sb;
	const char *path = d->conf->socket;
	mode_t old;
	int fd;

	/* Socket activation: systemd holds the socket, and clients wait while we restart. */
	if ((fd = notify_listen_fd()) != -1) {
		log_info("control socket from systemd (socket activation)");
		d->socket_activated = 1;
		goto listen;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		xasprintf(cause, "socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			xasprintf(cause, "%s exists and is not a socket", path);
			return -1;
		}
		if (socket_in_use(path)) {
			xasprintf(cause, "%s: another termijnd is listening there", path);
			return -1;
		}
		unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	/* No moment in which the socket exists with looser permissions than configured. */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		xasprintf(cause, "bind %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(path, (mode_t)d->conf->socket_mode) == -1 || listen(fd, 128) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
listen:
	if ((lev = evconnlistener_new(d->base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_CLOSE_ON_EXEC, -1, fd)) == NULL) {
		xasprintf(cause, "evconnlistener_new failed");
		close(fd);
		return -1;
	}
	accept_guard(lev, "control socket");
	d->control_lev = lev;
	if ((d->http = evhttp_new(d->base)) == NULL)
		fatalx("evhttp_new");
	evhttp_set_max_headers_size(d->http, MAX_HEADERS);
	evhttp_set_max_body_size(d->http, MAX_WIRE_BODY);
	evhttp_set_timeout(d->http, TIMEOUT_SEC);
	/* Every method reaches api_handle, so that a wrong one gets a JSON 405, not HTML. */
	evhttp_set_allowed_methods(d->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
	evhttp_set_gencb(d->http, request_cb, d);
	if ((fresh_ev = event_new(d->base, -1, 0, fresh_cb, d)) == NULL)
		fatalx("event_new");
	event_priority_set(fresh_ev, 0);
	evhttp_set_bevcb(d->http, fast_bev_cb, d);
	httperr_json(d->http);
	if (evhttp_bind_listener(d->http, lev) == NULL) {
		xasprintf(cause, "evhttp_bind_listener failed");
		return -1;
	}
	if ((d->commit_ev = event_new(d->base, -1, 0, commit_cb, d)) == NULL ||
	    (d->synced_ev = event_new(d->base, store_sync_fd(d->engine.store),
	    EV_READ | EV_PERSIST, synced_cb, d)) == NULL)
		fatalx("event_new");
	/* After the turn's requests: they join the batch. */
	event_priority_set(d->commit_ev, 2);
	event_priority_set(d->synced_ev, 1);
	event_add(d->synced_ev, NULL);
	TAILQ_INIT(&d->pending);
	return 0;
}

void
control_close(struct termijnd *d)
{
	if (d->stop_ev != NULL)
		event_free(d->stop_ev);
	if (d->commit_ev != NULL) {
		/* Whatever is still pending is committed and answered before we go. */
		control_flush(d);
		event_free(d->commit_ev);
		event_free(d->synced_ev);
	}
	if (d->http != NULL)
		evhttp_free(d->http);
	fast_free();
	/* A socket systemd made is systemd's to remove. */
	if (!d->socket_activated)
		unlink(d->conf->socket);
}
