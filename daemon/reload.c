/* reload.c: SIGHUP and `termijn reload`: new plans parsed aside in a thread, put in force on the loop. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>

#include "clock.h"
#include "config.h"
#include "i18n.h"
#include "log.h"
#include "mailtext.h"
#include "msgcat.h"
#include "notify.h"
#include "remind.h"
#include "termijnd.h"
#include "xmalloc.h"

/* Who waits for a reload's outcome: an API request, or (req NULL) a signal. */
struct waiter {
	struct evhttp_request	*req;
	const struct msgcat	*lang;
};

struct reload {
	struct termijnd		*d;
	int			 running;	/* the thread is at work */
	pthread_t		 thread;
	int			 fds[2];	/* the thread's one byte: done */
	struct event		*done_ev;
	struct waiter		*w, *next;	/* this round's, the next round's */
	size_t			 nw, nnext;
	/*
	 * The thread's: given before it starts, taken after it said so. It touches nothing
	 * else: the plans are parsed, checked and prepared, and the mail templates read and
	 * checked, from the files alone.
	 */
	char			*dir, *tdir;
	struct planset		 set;
	struct templates	 tpl;
	/* The round's errors in each of its askers' languages (and English, the journal's). */
	struct langerrs		*le;		/* the first asker's language first */
	size_t			 nle;
	double			 took;
	/* The plans put out of force, freed in a thread of their own: 100,000 instances. */
	int			 freeing;
	pthread_t		 free_thread;
	struct planset		 old;
};

static void	*parse_thread(void *);
static void	*free_thread(void *);
static void	 done_cb(evutil_socket_t, short, void *);

int
reload_init(struct termijnd *d, char **cause)
{
	struct reload *rl = xcalloc(1, sizeof(*rl));

	rl->d = d;
	if (pipe(rl->fds) == -1) {
		xasprintf(cause, "reload: pipe: %s", strerror(errno));
		free(rl);
		return -1;
	}
	evutil_make_socket_nonblocking(rl->fds[0]);
	evutil_make_socket_closeonexec(rl->fds[0]);
	evutil_make_socket_closeonexec(rl->fds[1]);
	if ((rl->done_ev = event_new(d->base, rl->fds[0], EV_READ | EV_PERSIST, done_cb, rl)) ==
	    NULL || event_add(rl->done_ev, NULL) == -1)
		fatalx("reload: cannot watch its pipe");
	d->reload = rl;
	return 0;
}

static void
free_join(struct reload *rl)
{
	if (rl->freeing)
		pthread_join(rl->free_thread, NULL);
	rl->freeing = 0;
}

static void *
free_thread(void *arg)
{
	planset_free(arg);
	return NULL;
}

static void
lang_add(struct reload *rl, const struct msgcat *lang)
{
	size_t i;

	for (i = 0; i < rl->nle; i++)
		if (rl->le[i].lang == lang)
			return;
	rl->le = xreallocarray(rl->le, rl->nle + 1, sizeof(*rl->le));
	memset(&rl->le[rl->nle], 0, sizeof(*rl->le));
	rl->le[rl->nle++].lang = lang;
}

static void
langs_free(struct reload *rl)
{
	while (rl->nle > 0)
		errlist_free(&rl->le[--rl->nle].errs);
	free(rl->le);
	rl->le = NULL;
}

/* The errors of the round in a language it was checked in (the first one's, if none there). */
static const struct errlist *
errs_in(struct reload *rl, const struct msgcat *lang)
{
	size_t i;

	for (i = 0; i < rl->nle; i++)
		if (rl->le[i].lang == lang && rl->le[i].errs.n > 0)
			return &rl->le[i].errs;
	return &rl->le[0].errs;
}

static void
start_round(struct reload *rl)
{
	size_t i;

	free_join(rl);
	rl->w = rl->next;
	rl->nw = rl->nnext;
	rl->next = NULL;
	rl->nnext = 0;
	free(rl->dir);
	rl->dir = xstrdup(rl->d->engine.plans_dir);
	free(rl->tdir);
	rl->tdir = config_path(rl->d->conf, rl->d->conf->templates_dir);
	/* Errors are told to each asker in its own language; the journal's stay English. */
	langs_free(rl);
	for (i = 0; i < rl->nw; i++)
		lang_add(rl, rl->w[i].lang);
	lang_add(rl, NULL);
	rl->running = 1;
	if (pthread_create(&rl->thread, NULL, parse_thread, rl) != 0)
		fatalx("reload: cannot start a thread");
}

void
reload_start(struct termijnd *d, struct evhttp_request *req)
{
	struct reload *rl = d->reload;

	rl->next = xreallocarray(rl->next, rl->nnext + 1, sizeof(*rl->next));
	rl->next[rl->nnext].req = req;
	rl->next[rl->nnext++].lang = req != NULL ? msgcat_current() : NULL;
	/* Asked while one runs: once more after it, as the files may have changed since. */
	if (!rl->running)
		start_round(rl);
}

/* The round's plans and templates checked, errors to errs; keep: kept when all is right. */
static int
check(struct reload *rl, struct errlist *errs, int keep)
{
	struct templates t;
	int rc;

	rc = engine_check(rl->dir, errs, keep ? &rl->set : NULL);
	if (templates_load(&t, rl->tdir, errs) == -1)
		rc = -1;
	else if (keep && rc == 0)
		rl->tpl = t;
	else
		templates_free(&t);
	if (keep && rc == -1)
		planset_free(&rl->set);
	return rc;
}

static void *
parse_thread(void *arg)
{
	struct reload *rl = arg;
	double t0 = clock_mono();
	size_t i;
	char c = 1;

	msgcat_use(rl->le[0].lang);
	if (check(rl, &rl->le[0].errs, 1) == 0)
		planset_prepare(&rl->set);
	else
		/* Refused: checked again in every other language of the round (seldom more). */
		for (i = 1; i < rl->nle; i++) {
			msgcat_use(rl->le[i].lang);
			check(rl, &rl->le[i].errs, 0);
		}
	rl->took = clock_mono() - t0;
	while (write(rl->fds[1], &c, 1) == -1 && errno == EINTR)
		;
	return NULL;
}

static json_t *
errors_json(const struct errlist *errs)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; i < errs->n; i++)
		json_array_append_new(a, json_string(errs->msg[i]));
	o = json_pack("{s:s, s:s}", "error", "invalid", "message",
	    _("the plans have errors; the old plans stay in force"));
	json_object_set_new(o, "messages", a);
	return o;
}

/* why: not tried (a message to translate); else refused when the round has errors. */
static void
answer(struct reload *rl, const char *why)
{
	struct termijnd *d = rl->d;
	const struct msgcat *old;
	json_t *a;
	size_t i, k;

	for (i = 0; i < rl->nw; i++) {
		if (rl->w[i].req == NULL) {
			notify("READY=1\nSTATUS=%zu plans", d->engine.nplans);
			continue;
		}
		old = msgcat_use(rl->w[i].lang);
		if (why != NULL)
			control_reply(d, rl->w[i].req, 503, json_pack("{s:s, s:s}", "error",
			    "unavailable", "message", _(why)), 1);
		else if (rl->le[0].errs.n > 0)
			control_reply(d, rl->w[i].req, 422,
			    errors_json(errs_in(rl, rl->w[i].lang)), 1);
		else {
			a = json_array();
			for (k = 0; k < d->engine.nplans; k++)
				json_array_append_new(a, json_string(d->engine.plans[k].plan->id));
			control_reply(d, rl->w[i].req, 200, json_pack("{s:o}", "plans", a), 1);
		}
		msgcat_use(old);
	}
	free(rl->w);
	rl->w = NULL;
	rl->nw = 0;
}

static void
log_errors(const struct errlist *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		log_warnx("reload: %s", e->msg[i]);
	log_warnx("reload failed; the old plans stay in force");
}

/* The thread is done: put its plans in force (a short step: they are ready), or say why not. */
static void
done_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct reload *rl = arg;
	struct termijnd *d = rl->d;
	const struct msgcat *old;
	double t0 = clock_mono(), cpu0 = clock_thread_cpu(), dt;
	char c;

	(void)ev;
	while (read(fd, &c, 1) == 1)
		;
	if (!rl->running)
		return;
	pthread_join(rl->thread, NULL);
	rl->running = 0;
	if (d->stopping) {
		planset_free(&rl->set);
		templates_free(&rl->tpl);
		answer(rl, N_("termijnd is stopping: the plans were not reloaded"));
	} else if (rl->le[0].errs.n > 0) {
		log_errors(errs_in(rl, NULL));
		answer(rl, NULL);
	} else {
		/* What this moment changed is committed first, on its own. */
		control_flush(d);
		/* Errors of putting them in force too come in each asker's language. */
		old = msgcat_use(rl->le[0].lang);
		if (engine_load(&d->engine, &rl->set, &rl->le[0].errs, rl->le + 1, rl->nle - 1) ==
		    -1) {
			templates_free(&rl->tpl);
			log_errors(errs_in(rl, NULL));
			answer(rl, NULL);
		} else {
			remind_reload(d, &rl->tpl);
			/* On a busy machine the loop waits for a CPU too: what was work, apart. */
			log_info("reloaded %zu plan%s (parsed in %.0f ms aside, put in force in %.0f "
			    "ms, %.0f ms of it CPU)", d->engine.nplans, d->engine.nplans == 1 ? "" :
			    "s", rl->took * 1e3, (clock_mono() - t0) * 1e3,
			    (clock_thread_cpu() - cpu0) * 1e3);
			answer(rl, NULL);
		}
		msgcat_use(old);
		/* The new plans, if refused, or the old ones: out of the loop's way. */
		free_join(rl);
		rl->old = rl->set;
		memset(&rl->set, 0, sizeof(rl->set));
		if (pthread_create(&rl->free_thread, NULL, free_thread, &rl->old) == 0)
			rl->freeing = 1;
		else
			planset_free(&rl->old);
	}
	langs_free(rl);
	if ((dt = clock_mono() - t0) > d->longest_reload)
		d->longest_reload = dt;
	if (rl->nnext > 0 && !d->stopping)
		start_round(rl);
	else if (rl->nnext > 0) {
		rl->w = rl->next;
		rl->nw = rl->nnext;
		rl->next = NULL;
		rl->nnext = 0;
		answer(rl, N_("termijnd is stopping: the plans were not reloaded"));
	}
}

void
reload_free(struct termijnd *d)
{
	struct reload *rl = d->reload;

	if (rl == NULL)
		return;
	if (rl->running)
		pthread_join(rl->thread, NULL);
	free_join(rl);
	planset_free(&rl->set);
	templates_free(&rl->tpl);
	langs_free(rl);
	event_free(rl->done_ev);
	close(rl->fds[0]);
	close(rl->fds[1]);
	free(rl->w);
	free(rl->next);
	free(rl->dir);
	free(rl->tdir);
	free(rl);
	d->reload = NULL;
}
