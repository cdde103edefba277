/* termijnd.h: the daemon's state as its edges (control socket, API, main) share it. */
#ifndef TERMIJN_TERMIJND_H
#define TERMIJN_TERMIJND_H

#include <sys/queue.h>

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "config.h"
#include "engine.h"

/* A reply held back until the loop turn's writes are committed. */
struct fastconn;
struct pending {
	struct evhttp_request	*req;
	struct fastconn		*fast;		/* else: a `done` of the fast path (control.c) */
	int			 code;
	char			*body;
	int			 is_write;
	int			 raw;		/* a page: body and headers as the caller made them */
	int			 open;		/* answered from the open batch's changes */
	uint64_t		 gen;		/* else: the commit (store_commits) it waits for */
	const struct msgcat	*lang;		/* of the request, for a late error */
	TAILQ_ENTRY(pending)	 entry;
};

struct termijnd {
	struct event_base	*base;
	struct config		*conf;
	struct engine		 engine;
	struct evhttp		*http;
	struct evconnlistener	*control_lev;
	struct event		*commit_ev, *synced_ev;
	/* Stopping (SIGTERM): no new work, answers owed (inflight) still go out. */
	int			 stopping;
	unsigned		 inflight;
	struct event		*stop_ev;
	TAILQ_HEAD(, pending)	 pending;
	int			 batch_failed;
	uint64_t		 commits, committed_writes;
	uint64_t		 fast_dones;	/* taken by the control socket's fast path */
	/* The longest one callback held the loop, in seconds (/metrics, bench/stall.sh). */
	double			 longest_api, longest_commit, longest_reload;
	time_t			 slow_logged;
	struct remind		*remind;
	struct feeds		*feeds;
	struct access		*access;
	struct reload		*reload;
	int			 socket_activated;
};

/* control.c */
int	control_listen(struct termijnd *, char **cause);
void	control_close(struct termijnd *);
/* Send (or hold until commit) a JSON reply; steals body. */
void	control_reply(struct termijnd *, struct evhttp_request *, int code, json_t *body,
	    int is_write);
/* The same for JSON text (jsonw_end's, len bytes); steals text. */
void	control_reply_text(struct termijnd *, struct evhttp_request *, int code, char *text,
	    size_t len, int is_write);
/* The same for a body whose headers the caller set (a page); steals body. */
void	control_reply_raw(struct termijnd *, struct evhttp_request *, int code, char *body,
	    int is_write);
/* Commit the open batch and send its replies now (before a reload, at the end). */
void	control_flush(struct termijnd *);
/* SIGTERM: accept nothing new, finish and answer what is in progress, then leave the loop
 * (after timeout seconds at most). */
void	control_stop(struct termijnd *, int timeout);
/* Count a request in progress until its answer is written. */
void	control_track(struct termijnd *, struct evhttp_request *);
/* Who is calling: name and uid from the socket's peer credentials; -1 with *cause when
 * that cannot be told now (the lookup failed, as when out of descriptors). */
int	control_peer(struct evhttp_request *, long *uid, char *name, size_t namelen,
	    char **cause);

/* api.c */
void	api_handle(struct evhttp_request *, void *termijnd);
/* A `done` the control socket's fast path read (control.c), for the local user uid/name:
 * the answer's status, and its JSON text in *text (len bytes), as POST /api/v1/done. */
struct request;
int	api_done(struct termijnd *, const struct request *, long uid, const char *name,
	    char **text, size_t *len);
/* A request for /api/v1 from a caller known already (a token), or NULL: the socket's. */
struct actor;
void	api_route(struct termijnd *, struct evhttp_request *, const struct actor *);
/* The "next" of a page read by id with one row more than limit: that row's id (the row
 * taken off), null when there is none. */
json_t	*api_page_next(json_t *rows, long limit);

/* reload.c */
int	reload_init(struct termijnd *, char **cause);
/* Reload the plans: parsed aside, then put in force; req (NULL: a signal) is answered then. */
void	reload_start(struct termijnd *, struct evhttp_request *req);
void	reload_free(struct termijnd *);

#endif
