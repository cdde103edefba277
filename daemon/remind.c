/* remind.c: the reminder loop: one timer for the next thing due, the outbox, the mailer. */
#include <sys/timerfd.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libical/ical.h>

#include "authz.h"
#include "clock.h"
#include "digest.h"
#include "i18n.h"
#include "log.h"
#include "mailcompose.h"
#include "mailer.h"
#include "mailtext.h"
#include "remind.h"
#include "session.h"
#include "schedule.h"
#include "termijnd.h"
#include "timeheap.h"
#include "tz.h"
#include "xmalloc.h"

#define RETRY_CAP	(6 * 3600)	/* the longest wait between two attempts */
#define SCAN_RETRY_CAP	60		/* the longest wait before a failed scan goes again */
/*
 * How long the erasure of sent secrets (links with tokens) may wait for its checkpoint:
 * one checkpoint (an fsync of the database) for all the messages of that time.
 */
#define WIPE_DELAY_MS	500
#define WIPE_RETRY_MS	5000		/* after a failed one (logged) */
/* How long an outcome waits for a commit it can go with before it takes one of its own. */
#define OUTCOME_DELAY_MS 20

/* A message on its way: "sending" in the outbox, its text in memory. */
struct sendjob {
	int64_t	 id;
	char	*plan, *key, *rcpt, *kind;
	char	*msg;
	size_t	 len;
	int	 attempts;
	uint64_t gen;	/* the commit that has it "sending" */
};

struct remind {
	struct termijnd		*d;
	struct templates	 tpl;
	struct mailer		*mailer;
	struct event		*timer;		/* the next occurrence or retry */
	struct event		*scan_ev;	/* scan soon: after a change */
	struct event		*retry_ev;	/* scan again after a failed one */
	struct event		*prune_ev;	/* the outbox's next pruning */
	int			 scan_fails;	/* failed scans in a row */
	int64_t			 skew;		/* wall clock minus clock_steady, at the last scan */
	int			 clockfd;	/* tells when the wall clock is set */
	struct event		*clock_ev;
	int64_t			 last_scan;
	int64_t			 next_occ;	/* the first occurrence after last_scan, 0: none */
	/* Per plan (index): its next occurrence or digest; INT64_MIN: touched, scan it. */
	struct timeheap		 plans;
	int			 full;		/* the next scan takes every plan whole */
	size_t			*scanned, nscanned, scanned_cap;	/* by this scan */
	int64_t			 last_saved;	/* clock_steady when last_scan was last written */
	size_t			 queued;	/* messages the current scan wrote */
	size_t			 inflight;	/* handed to the mailer, or waiting below */
	/* "Sending" in a commit not yet on disk: they go when it is (remind_durable). */
	struct sendjob		*waiting;
	size_t			 nwaiting;
	/* Written "sending" by the open transaction: waiting once it commits (fresh_cb). */
	struct sendjob		*fresh;
	size_t			 nfresh;
	struct event		*wipe_ev;	/* the checkpoint that erases sent secrets */
	struct remind_stats	 stats;
	/* Outcomes not recorded yet: they go with the next commit (outcomes_write). */
	struct outcome		*unrecorded;
	size_t			 nunrecorded;
	struct event		*outcome_ev;	/* their commit, when no other comes first */
	int			 outcomes_lost;	/* a commit of them failed; they wait still */
	int			 own_commit;	/* committing its own transaction (txn_end) */
	/* What precommit_cb wrote in the batch about to commit: its scan's end, outcomes. */
	int64_t			 pre_now;
	int			 pre_saved, pre_nout;
};

/* What became of a message, as store_outbox_set writes it. */
struct outcome {
	struct remind	*r;
	int64_t		 id;
	const char	*state;		/* a constant */
	int		 attempts;
	int64_t		 next_attempt;
	char		*last_error;
	int		 smtp_code;
	int64_t		 sent_at;
};

static void	arm(struct remind *);
static void	pump(struct remind *, int);
static void	wipe_soon(struct remind *, int);
static void	sendjob_free(struct sendjob *);
static int	outcomes_write(struct remind *);
static void	outcomes_done(struct remind *, int, int);

static int
txn_begin(struct remind *r, int *own)
{
	*own = !store_in_txn(r->d->engine.store);
	return store_begin(r->d->engine.store);
}

/*
 * Commit unless a batch of the control socket is open: its commit takes ours along. The
 * commit is written to the WAL, not yet synced: the sync thread makes it durable together
 * with the batches around it (one fdatasync for all, off the loop). What must wait for the
 * disk waits for that (a message going out: remind_durable).
 */
static int
txn_end(struct remind *r, int own, int ok)
{
	struct store *s = r->d->engine.store;

	if (!own)
		return ok ? 0 : -1;
	if (!ok) {
		store_rollback(s);
		return -1;
	}
	r->own_commit = 1;
	if (store_commit_nowait(s) == -1) {
		r->own_commit = 0;
		return -1;
	}
	r->own_commit = 0;
	store_sync_start(s);
	return 0;
}

static int
utc_offset(const char *tz, int64_t when)
{
	struct ltime lt;
	struct ltime utc;

	tz_from_utc(tz, when, &lt);
	tz_from_utc("UTC", when, &utc);
	return (int)(tz_to_utc("UTC", &lt) - tz_to_utc("UTC", &utc));
}

/* ---- from the schedule to the outbox ---- */

static char *
occurrence_key(const struct plan *p, const struct occurrence *o, const char *rcpt)
{
	char *k;

	xasprintf(&k, "%s/%s/%s/%lld/%s", p->id, p->inst[o->inst].key, rkind_name(o->kind),
	    (long long)o->when, rcpt);
	return k;
}

/* A whole message from the deployment's sender to rcpt, dated now in the plan's zone. */
static char *
compose(struct remind *r, const struct plan *p, const char *rcpt, const char *subject,
    const char *body, const char *msgid, size_t *len, char **cause)
{
	const struct config *c = r->d->conf;
	struct mail_msg m;

	memset(&m, 0, sizeof(m));
	m.from = c->mail_from;
	m.from_name = c->mail_from_name;
	m.to = rcpt;
	m.subject = subject;
	m.body = body;
	/* The demo clock's time under a demo clock: the mail tells of that moment. */
	m.date = clock_now();
	m.utc_offset = utc_offset(p->tz, m.date);
	m.message_id = msgid;
	return mail_compose(&m, len, cause);
}

/* Room for more messages handed to the mailer or waiting for the disk. */
static int
has_room(struct remind *r)
{
	return r->inflight < (size_t)r->d->conf->mail_in_flight * 2;
}

/*
 * The open transaction is over: its "sending" messages wait for the disk (remind_durable),
 * in the order they were written; or they are gone with it.
 */
static void
fresh_cb(void *arg, int undo)
{
	struct remind *r = arg;
	uint64_t gen = store_commits(r->d->engine.store);
	size_t i;

	for (i = 0; i < r->nfresh; i++) {
		if (undo) {
			sendjob_free(&r->fresh[i]);
			r->inflight--;
			continue;
		}
		r->fresh[i].gen = gen;
		r->waiting = xreallocarray(r->waiting, r->nwaiting + 1, sizeof(*r->waiting));
		r->waiting[r->nwaiting++] = r->fresh[i];
	}
	r->nfresh = 0;
}

/* A message just written "sending" (its text is the job's now), to go after the commit. */
static void
fresh_add(struct remind *r, int64_t id, const char *plan, const char *key, const char *kind,
    const char *rcpt, char *msg, size_t len)
{
	struct sendjob *j;

	if (r->nfresh == 0)
		store_on_rollback(r->d->engine.store, fresh_cb, r);
	r->fresh = xreallocarray(r->fresh, r->nfresh + 1, sizeof(*r->fresh));
	j = &r->fresh[r->nfresh++];
	memset(j, 0, sizeof(*j));
	j->id = id;
	j->plan = xstrdup(plan);
	j->key = xstrdup(key);
	j->rcpt = xstrdup(rcpt);
	j->kind = xstrdup(kind);
	j->msg = msg;
	j->len = len;
	r->inflight++;
}

/*
 * Compose a message and write it to the outbox, once: a message that cannot be composed
 * (an address the plan parser let through but SMTP would not) is written as failed, with
 * why, so that it is shown and not tried at every scan. While the mailer has room, it is
 * written "sending" at once and goes when the transaction is on disk, as the pump's would
 * (one commit for both, and its text not read back). Returns its id, -1 on a database
 * error.
 */
static int64_t
outbox_write(struct remind *r, const struct plan *p, const char *key, const char *kind,
    const char *rcpt, const char *subject, const char *body, const char *idkey,
    int64_t due_at)
{
	const struct config *c = r->d->conf;
	struct outbox_row row;
	char *msgid, *msg, *cause = NULL;
	size_t len = 0;
	int64_t id;
	int now;

	msgid = mail_message_id(idkey, c->mail_domain);
	memset(&row, 0, sizeof(row));
	if ((msg = compose(r, p, rcpt, subject, body, msgid, &len, &cause)) == NULL) {
		log_warnx("%s for %s/%s to %s not composed: %s", kind, p->id, key, rcpt, cause);
		row.state = "failed";
		row.last_error = cause;
	}
	now = msg != NULL && store_in_txn(r->d->engine.store) && has_room(r);
	if (now)
		row.state = "sending";
	row.plan = p->id;
	row.key = key;
	row.recipient = rcpt;
	row.kind = kind;
	row.due_at = due_at;
	row.created = clock_now();
	row.message_id = msgid;
	row.subject = subject;
	row.message = msg;
	row.message_len = len;
	id = store_outbox_add(r->d->engine.store, &row);
	r->queued++;
	if (now && id != -1) {
		fresh_add(r, id, p->id, key, kind, rcpt, msg, len);
		msg = NULL;
	}
	free(cause);
	free(msg);
	free(msgid);
	return id;
}

/*
 * The recipient's own "done" link for the step, when they may mark it done themselves:
 * one link per message, for that step and that person only (session.c).
 */
static char *
done_link(struct remind *r, const struct plan *p, const struct instance *in, const char *rcpt)
{
	struct authz_who who = { rcpt, rcpt, 0, 0 };
	char *why = NULL;

	if (authz_check(p, in, &who, AZ_DONE, &why) == AZ_DENY) {
		free(why);
		return NULL;
	}
	return weblink_new(r->d, "done", rcpt, p->id, in->key, r->d->conf->mail_link_lifetime);
}

/* One message for one instance and one recipient, for the occurrences given. */
static int
queue_message(struct remind *r, const struct plan *p, const struct istate *st,
    const struct occurrence *occ, size_t nocc, const char *rcpt)
{
	char *subject = NULL, *body = NULL, *cause = NULL, *key, *link;
	const char *ikey = p->inst[occ->inst].key;
	size_t i;
	int64_t id;
	int rc = 0;

	link = done_link(r, p, &p->inst[occ->inst], rcpt);
	if (mailtext_compose(&r->tpl, p, st, occ, nocc, rcpt, link, &subject, &body,
	    &cause) == -1) {
		log_warnx("reminder for %s/%s not composed: %s", p->id, ikey, cause);
		free(cause);
		free(link);
		return 0;
	}
	free(link);
	key = occurrence_key(p, &occ[0], rcpt);
	id = outbox_write(r, p, ikey, nocc > 1 ? "merged" : rkind_name(occ[0].kind), rcpt,
	    subject, body, key, occ[nocc - 1].when);
	if (id == -1)
		rc = -1;
	for (i = 0; i < nocc && rc == 0; i++)
		if (store_occurrence_add(r->d->engine.store, p->id, ikey, rkind_name(occ[i].kind),
		    occ[i].when, rcpt, id) == -1)
			rc = -1;
	free(key);
	free(subject);
	free(body);
	return rc;
}

/* ---- the daily digest ---- */

struct pick {
	const char	*addr;
	size_t		 occ;
};

static int
pick_cmp(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;
	int c = strcasecmp(x->addr, y->addr);

	return c != 0 ? c : x->occ < y->occ ? -1 : x->occ > y->occ;
}

/*
 * The digests of a plan whose moment came in (from, until]: one message per person with
 * what waited for it, each reminder recorded as sent with it (once, across restarts).
 * After downtime that spanned several moments, one digest at the last of them. *next:
 * the plan's next digest moment.
 */
static int
queue_digests(struct remind *r, const struct pstate *ps, int64_t from, int64_t until,
    int64_t *next)
{
	const struct plan *p = ps->plan;
	struct occurrence *occ, *grp;
	struct pick *pk = NULL;
	const char **addrs;
	char *subject, *body, *cause = NULL, *key, *idkey, day[16];
	size_t n, i, k, naddr, npk = 0, first, ng;
	int64_t m, last = 0, lo, id;
	struct ltime lt;
	int seen, guard, rc = 0;

	for (m = digest_next(p, from), guard = 0; m != 0 && m <= until && guard < 1000;
	    m = digest_next(p, m), guard++)
		last = m;
	*next = m;
	if (last == 0)
		return 0;
	/* From the digest before: what fell due since is this one's (the sent are skipped). */
	if ((lo = digest_prev(p, digest_next(p, from))) == 0)
		lo = from;
	n = schedule_scan(ps->sched, p, ps->st, lo - 1, digest_horizon(p, last), &occ, NULL);
	for (i = 0; i < n && rc == 0; i++) {
		if (!digest_holds(p, last, &occ[i]))
			continue;
		naddr = plan_role_addrs(p, occ[i].role, p->inst[occ[i].inst].party, &addrs);
		for (k = 0; k < naddr && rc == 0; k++) {
			if (!digest_for(p, addrs[k]))
				continue;
			seen = store_occurrence_seen(r->d->engine.store, p->id,
			    p->inst[occ[i].inst].key, rkind_name(occ[i].kind), occ[i].when, addrs[k]);
			if (seen == -1)
				rc = -1;
			else if (!seen) {
				pk = xreallocarray(pk, npk + 1, sizeof(*pk));
				pk[npk].addr = addrs[k];
				pk[npk++].occ = i;
			}
		}
		free(addrs);
	}
	/* qsort's array may not be NULL, not even for none. */
	if (npk > 1)
		qsort(pk, npk, sizeof(*pk), pick_cmp);
	grp = xcalloc(npk ? npk : 1, sizeof(*grp));
	tz_from_utc(p->tz, last, &lt);
	snprintf(day, sizeof(day), "%04d-%02d-%02d", lt.year, lt.mon, lt.day);
	xasprintf(&key, "digest/%s", day);
	for (first = 0; first < npk && rc == 0; first = i) {
		for (i = first, ng = 0; i < npk && strcasecmp(pk[i].addr, pk[first].addr) == 0; i++)
			grp[ng++] = occ[pk[i].occ];
		if (mailtext_digest(&r->tpl, p, ps->st, grp, ng, pk[first].addr, last, &subject,
		    &body, &cause) == -1) {
			log_warnx("digest of %s for %s not composed: %s", p->id, pk[first].addr,
			    cause);
			free(cause);
			cause = NULL;
			continue;
		}
		xasprintf(&idkey, "%s/%s/%s/%s/%zu", p->id, key, pk[first].addr,
		    p->inst[grp[0].inst].key, ng);
		if ((id = outbox_write(r, p, key, "digest", pk[first].addr, subject, body, idkey,
		    last)) == -1)
			rc = -1;
		for (k = 0; k < ng && rc == 0; k++)
			if (store_occurrence_add(r->d->engine.store, p->id, p->inst[grp[k].inst].key,
			    rkind_name(grp[k].kind), grp[k].when, pk[first].addr, id) == -1)
				rc = -1;
		free(idkey);
		free(subject);
		free(body);
	}
	free(key);
	free(grp);
	free(pk);
	free(occ);
	return rc;
}

/*
 * Group the occurrences of a plan in (from, until] by instance and recipient: of the
 * instances touched or due (schedule_due). *next: the plan's next occurrence or digest.
 */
static int
queue_plan(struct remind *r, const struct pstate *ps, int64_t from, int64_t until,
    int64_t *next)
{
	const struct plan *p = ps->plan;
	struct occurrence *occ, *grp;
	const char **addrs;
	size_t n, i, j, k, naddr, ng;
	int seen, digest, rc = 0;
	int64_t dnext = 0;
	char *done;

	n = schedule_due(ps->sched, p, ps->st, from, until, &occ);
	*next = schedule_head(ps->sched);
	done = xcalloc(n ? n : 1, 1);
	grp = xcalloc(n ? n : 1, sizeof(*grp));
	for (i = 0; i < n && rc == 0; i++) {
		if (done[i])
			continue;
		naddr = plan_role_addrs(p, occ[i].role, p->inst[occ[i].inst].party, &addrs);
		for (k = 0; k < naddr && rc == 0; k++) {
			ng = 0;
			digest = digest_for(p, addrs[k]);
			for (j = i; j < n; j++) {
				if (occ[j].inst != occ[i].inst || strcmp(occ[j].role, occ[i].role) != 0)
					continue;
				/* Theirs waits for the digest (queue_digests). */
				if (digest && digest_takes(occ[j].kind))
					continue;
				seen = store_occurrence_seen(r->d->engine.store, p->id,
				    p->inst[occ[j].inst].key, rkind_name(occ[j].kind), occ[j].when,
				    addrs[k]);
				if (seen == -1)
					rc = -1;
				else if (!seen)
					grp[ng++] = occ[j];
			}
			if (ng > 0 && rc == 0)
				rc = queue_message(r, p, ps->st, grp, ng, addrs[k]);
		}
		free(addrs);
		for (j = i; j < n; j++)
			if (occ[j].inst == occ[i].inst && strcmp(occ[j].role, occ[i].role) == 0)
				done[j] = 1;
	}
	free(grp);
	free(done);
	free(occ);
	if (rc == 0 && p->digest_hour >= 0)
		rc = queue_digests(r, ps, from, until, &dnext);
	if (dnext != 0 && (*next == 0 || dnext < *next))
		*next = dnext;
	/* Never due again at once (digests after very long downtime). */
	if (*next != 0 && *next <= until)
		*next = until + 1;
	return rc;
}

/*
 * The plans whose next moment came by now, or that a change touched (engine.h), each
 * scanned for what is due; after a start, a reload or a clock jump, every plan whole. A
 * change (a part or a move too) so costs what it touches.
 */
static int
queue_due(struct remind *r, int64_t now)
{
	struct engine *e = &r->d->engine;
	size_t i;
	int64_t key, next;

	if (r->full || e->touched_all) {
		timeheap_clear(&r->plans);
		timeheap_resize(&r->plans, e->nplans);
		for (i = 0; i < e->nplans; i++) {
			schedule_touch_all(e->plans[i].sched);
			timeheap_set(&r->plans, i, INT64_MIN);
		}
		r->full = 0;
		e->touched_all = 0;
	}
	for (i = 0; i < e->ntouched; i++)
		if (e->touched[i] < e->nplans)
			timeheap_set(&r->plans, e->touched[i], INT64_MIN);
	e->ntouched = 0;
	while (timeheap_head(&r->plans, &i, &key) && key <= now) {
		timeheap_remove(&r->plans, i);
		XGROW(r->scanned, r->nscanned, r->scanned_cap);
		r->scanned[r->nscanned++] = i;
		if (queue_plan(r, &e->plans[i], r->last_scan - 1, now, &next) == -1)
			return -1;
		if (next != 0)
			timeheap_set(&r->plans, i, next);
	}
	return 0;
}

/* ---- the owners told of a change ---- */

struct told {
	const char	*addr;
	size_t		 inst;
	size_t		 order;		/* keeps the change's order of instances per person */
};

static int
told_cmp(const void *a, const void *b)
{
	const struct told *x = a, *y = b;
	int c = strcasecmp(x->addr, y->addr);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The engine's change hook (engine_changed): one message per owner, in the open txn. */
static int
change_cb(void *arg, const struct pstate *ps, const struct change *c, char **cause)
{
	struct termijnd *d = arg;
	struct remind *r = d->remind;
	const struct plan *p = ps->plan;
	struct mailchange mc;
	struct told *t = NULL;
	const char **addrs;
	char *subject, *body, *kind, *idkey, *why = NULL;
	size_t i, k, n = 0, naddr, first, *inst;
	static unsigned seq;
	int64_t id;
	int rc = 0;

	for (i = 0; i < c->ninst; i++) {
		const struct instance *in = &p->inst[c->inst[i]];

		naddr = plan_role_addrs(p, in->owner, in->party, &addrs);
		for (k = 0; k < naddr; k++) {
			if (c->who != NULL && c->who->person != NULL &&
			    strcasecmp(c->who->person, addrs[k]) == 0)
				continue;
			t = xreallocarray(t, n + 1, sizeof(*t));
			t[n].addr = addrs[k];
			t[n].inst = in->idx;
			t[n].order = n;
			n++;
		}
		free(addrs);
	}
	if (n > 1)
		qsort(t, n, sizeof(*t), told_cmp);
	inst = xcalloc(n ? n : 1, sizeof(*inst));
	xasprintf(&kind, "change-%s", c->kind);
	memset(&mc, 0, sizeof(mc));
	mc.kind = c->kind;
	mc.inst = inst;
	mc.by = c->who == NULL ? NULL : c->who->person_name != NULL ? c->who->person_name :
	    c->who->name;
	mc.reason = c->reason;
	mc.detail = c->detail;
	mc.was = c->was;
	mc.now = c->now;
	mc.was_title = c->was_title;
	mc.on = c->on;
	mc.gone = c->gone;
	for (first = 0; first < n && rc == 0; first = i) {
		mc.ninst = 0;
		for (i = first; i < n && strcasecmp(t[i].addr, t[first].addr) == 0; i++)
			/* One instance once, though the person holds its owner role twice. */
			if (mc.ninst == 0 || inst[mc.ninst - 1] != t[i].inst)
				inst[mc.ninst++] = t[i].inst;
		mc.rcpt = t[first].addr;
		if (mailtext_change(&r->tpl, p, ps->st, &mc, &subject, &body, &why) == -1) {
			log_warnx("%s mail for %s/%s not composed: %s", c->kind, p->id,
			    p->inst[inst[0]].key, why);
			free(why);
			why = NULL;
			continue;
		}
		/* Unique, also after a restart under a frozen demo clock. */
		xasprintf(&idkey, "%s/%s/%s/%lld/%s/%lld/%u", p->id, kind, p->inst[inst[0]].key,
		    (long long)c->at, t[first].addr, (long long)time(NULL), ++seq);
		id = outbox_write(r, p, p->inst[inst[0]].key, kind, t[first].addr, subject, body,
		    idkey, c->at);
		if (id == -1) {
			xasprintf(cause, _("database: %s"), store_error(d->engine.store));
			rc = -1;
		}
		free(idkey);
		free(subject);
		free(body);
	}
	free(kind);
	free(inst);
	free(t);
	return rc;
}

/* A failed scan goes again soon, with backoff, not at the next reminder moment. */
static void
scan_failed(struct remind *r)
{
	const char *why = NULL;
	struct timeval tv = { 1, 0 };

	if (r->scan_fails < 7)
		tv.tv_sec <<= r->scan_fails;
	if (tv.tv_sec > SCAN_RETRY_CAP)
		tv.tv_sec = SCAN_RETRY_CAP;
	r->scan_fails++;
	store_writable(r->d->engine.store, &why);
	log_warnx("reminders: database: %s; trying again in %ld s",
	    why ? why : store_error(r->d->engine.store), (long)tv.tv_sec);
	evtimer_add(r->retry_ev, &tv);
}

/*
 * The plans the failed scan took, taken again at the next, with the instances it evaluated
 * (the window begins where it began: last_scan stayed); the others keep their place.
 */
static void
scan_redo(struct remind *r)
{
	struct engine *e = &r->d->engine;
	size_t k, i;

	for (k = 0; k < r->nscanned; k++)
		if ((i = r->scanned[k]) < e->nplans && e->plans[i].sched != NULL) {
			schedule_redo(e->plans[i].sched);
			timeheap_set(&r->plans, i, INT64_MIN);
		}
	r->nscanned = 0;
}

/* Log a jump of the wall clock: plan moments follow it, delays do not. */
static void
clock_check(struct remind *r)
{
	int64_t skew = (int64_t)time(NULL) - clock_steady();

	if (!clock_is_demo() && (skew - r->skew > 2 || skew - r->skew < -2)) {
		r->full = 1;
		log_info("the wall clock was set %s by %lld s: reminders follow it, retries keep "
		    "their delays", skew > r->skew ? "forward" : "back",
		    (long long)(skew > r->skew ? skew - r->skew : r->skew - skew));
	}
	r->skew = skew;
}

/* Anything for a scan to do now: plans touched or due, outcomes to record. */
static int
scan_has_work(struct remind *r, int64_t now)
{
	struct engine *e = &r->d->engine;
	int64_t key;

	return r->full || e->touched_all || e->ntouched > 0 || r->nunrecorded > 0 ||
	    (timeheap_head(&r->plans, NULL, &key) && key <= now);
}

static void
scan(struct remind *r)
{
	struct engine *e = &r->d->engine;
	int64_t now = clock_now(), key;
	int own, ok = 1, nout = 0, same;

	/*
	 * From a second before the last scan: a change recorded in the second of that scan
	 * (a go-ahead at "now") is not missed. The occurrence table keeps each one once.
	 */
	/* A batch of the control socket is open: its commit kicks us again afterwards. */
	if (store_in_txn(e->store))
		return;
	clock_check(r);
	if (now < r->last_scan)
		now = r->last_scan;	/* a demo clock restarted earlier than it was */
	r->queued = 0;
	r->nscanned = 0;
	/* Most often the batch's commit took it all along (precommit_cb): no transaction. */
	if (r->scan_fails == 0 && !scan_has_work(r, now) && store_writable(e->store, NULL) &&
	    clock_steady() - r->last_saved < 3600) {
		r->last_scan = now;
		r->next_occ = timeheap_head(&r->plans, NULL, &key) ? key : 0;
		pump(r, 1);
		arm(r);
		return;
	}
	/* The outcomes not recorded yet go with this commit. */
	if (txn_begin(r, &own) == -1 || (r->nunrecorded > 0 && (nout = outcomes_write(r)) == -1) ||
	    queue_due(r, now) == -1)
		ok = 0;
	r->next_occ = timeheap_head(&r->plans, NULL, &key) ? key : 0;
	/*
	 * The last scan is only kept to bound the work after a restart (the occurrence table
	 * already keeps every reminder once): writing it costs an fsync per change otherwise.
	 * While the database is failing it is written, to find out when it takes writes again.
	 */
	same = ok && r->queued == 0 && r->scan_fails == 0 && store_writable(e->store, NULL) &&
	    clock_steady() - r->last_saved < 3600;
	if (same && nout == 0) {
		if (own)
			store_rollback(e->store);
		r->last_scan = now;
	} else {
		if (ok && !same && store_meta_set(e->store, "last_scan", now) == -1)
			ok = 0;
		if (txn_end(r, own, ok) == -1)
			ok = 0;
		else {
			r->last_scan = now;
			if (!same)
				r->last_saved = clock_steady();
		}
	}
	outcomes_done(r, nout, ok);
	if (ok) {
		r->scan_fails = 0;
		evtimer_del(r->retry_ev);
	} else {
		/* What it queued is gone with its transaction: what it scanned goes again. */
		scan_redo(r);
		scan_failed(r);
	}
	pump(r, 1);
	arm(r);
}

/* The batch that precommit_cb wrote in is over: as a scan's own commit would end. */
static void
precommit_end_cb(void *arg, int undo)
{
	struct remind *r = arg;
	int64_t key;

	if (undo) {
		/* Its outcomes and messages are undone apart; what it scanned goes again. */
		scan_redo(r);
		return;
	}
	r->last_scan = r->pre_now;
	if (r->pre_saved)
		r->last_saved = clock_steady();
	r->next_occ = timeheap_head(&r->plans, NULL, &key) ? key : 0;
	r->scan_fails = 0;
	evtimer_del(r->retry_ev);
	outcomes_done(r, r->pre_nout, 1);
}

/*
 * A batch of the control socket is about to commit (store_before_commit): the reminders
 * its changes made due (a done's go-ahead) and the outcomes not recorded yet are written
 * with it, so that a done and the mail it releases share one commit and one fdatasync.
 * What cannot be written is taken back (a savepoint), for the scan that the batch's
 * commit kicks, as before. The scan that follows finds nothing left to do.
 */
static void
precommit_cb(void *arg)
{
	struct remind *r = arg;
	struct store *s = r->d->engine.store;
	int64_t now = clock_now();
	int ok = 1, nout = 0;
	size_t fresh = r->nfresh;

	if (r->own_commit || !scan_has_work(r, now))
		return;
	if (now < r->last_scan)
		now = r->last_scan;
	if (store_savepoint(s) == -1)
		return;
	r->queued = 0;
	r->nscanned = 0;
	if ((r->nunrecorded > 0 && (nout = outcomes_write(r)) == -1) || queue_due(r, now) == -1)
		ok = 0;
	if (ok && r->queued > 0 && store_meta_set(s, "last_scan", now) == -1)
		ok = 0;
	if (store_savepoint_end(s, !ok) == -1 || !ok) {
		log_warnx("reminders: not written with the changes (%s); the scan after the "
		    "commit tries again", store_error(s));
		/* Its messages are gone with the savepoint (the batch's own stay). */
		while (r->nfresh > fresh) {
			sendjob_free(&r->fresh[--r->nfresh]);
			r->inflight--;
		}
		scan_redo(r);
		return;
	}
	r->pre_now = now;
	r->pre_saved = r->queued > 0;
	r->pre_nout = nout;
	store_on_rollback(s, precommit_end_cb, r);
}

static void
scan_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	scan(arg);
}

void
remind_kick(struct termijnd *d)
{
	if (d->remind != NULL)
		event_active(d->remind->scan_ev, EV_TIMEOUT, 0);
}

/* ---- sending ---- */

struct duectx {
	struct sendjob	*jobs;
	size_t		 n, max;
};

static void
due_cb(const struct outbox_row *row, void *arg)
{
	struct duectx *dc = arg;
	struct sendjob *j;

	if (dc->n >= dc->max)
		return;
	j = &dc->jobs[dc->n++];
	j->id = row->id;
	j->plan = xstrdup(row->plan);
	j->key = xstrdup(row->key);
	j->rcpt = xstrdup(row->recipient);
	j->kind = xstrdup(row->kind);
	j->msg = xmalloc(row->message_len + 1);
	memcpy(j->msg, row->message, row->message_len);
	j->msg[row->message_len] = '\0';
	j->len = row->message_len;
	j->attempts = row->attempts;
}

/* An outcome whose write did not reach the disk: kept in memory to write again. */
static void
outcome_keep(struct remind *r, const struct outcome *o)
{
	struct outcome *k;

	r->unrecorded = xreallocarray(r->unrecorded, r->nunrecorded + 1, sizeof(*k));
	k = &r->unrecorded[r->nunrecorded++];
	*k = *o;
	k->last_error = o->last_error ? xstrdup(o->last_error) : NULL;
}

static void
outcome_undo_cb(void *arg, int undo)
{
	struct outcome *o = arg;

	if (undo) {
		outcome_keep(o->r, o);
		o->r->outcomes_lost = 1;
	}
	free(o->last_error);
	free(o);
}

/*
 * What became of a message, recorded with the next commit (a scan's, the pump's, a batch
 * of the control socket's) or after OUTCOME_DELAY_MS with its own: many messages share
 * one. Until it is committed it stays in memory, so that a message that went does not stay
 * "sending" in the database (and go again at the next start) because its outcome met a
 * full disk. A crash before that commit sends it again at the next start, with the same
 * Message-ID.
 */
static void
outcome_defer(struct remind *r, const struct outcome *o)
{
	struct timeval tv = { 0, OUTCOME_DELAY_MS * 1000 };

	outcome_keep(r, o);
	if (!evtimer_pending(r->outcome_ev, NULL))
		evtimer_add(r->outcome_ev, &tv);
}

/*
 * The outcomes not recorded yet, written in the open transaction; kept again if it rolls
 * back (outcome_undo_cb). Returns how many, -1 when a write failed.
 */
static int
outcomes_write(struct remind *r)
{
	struct store *s = r->d->engine.store;
	struct outcome *v = r->unrecorded, *u;
	size_t i, n = r->nunrecorded;
	int rc = 0;

	r->unrecorded = NULL;
	r->nunrecorded = 0;
	for (i = 0; i < n; i++) {
		if (rc == 0 && store_outbox_set(s, v[i].id, v[i].state, v[i].attempts,
		    v[i].next_attempt, v[i].last_error, v[i].smtp_code, v[i].sent_at) == -1)
			rc = -1;
		u = xmalloc(sizeof(*u));
		*u = v[i];
		store_on_rollback(s, outcome_undo_cb, u);
	}
	free(v);
	return rc == -1 ? -1 : (int)n;
}

/* After the commit of n outcomes (written: what outcomes_write returned) or its failure. */
static void
outcomes_done(struct remind *r, int written, int ok)
{
	if (written == 0)
		return;
	if (!ok) {
		log_warnx("reminders: cannot record the outcomes of %zu message%s: %s; kept to "
		    "record later", r->nunrecorded, r->nunrecorded == 1 ? "" : "s",
		    store_error(r->d->engine.store));
		return;
	}
	/* Some were "sent": what they erased leaves the WAL too (nothing due is no work). */
	wipe_soon(r, WIPE_DELAY_MS);
	if (r->outcomes_lost) {
		r->outcomes_lost = 0;
		log_info("reminders: the outcomes of %d message%s recorded after all", written,
		    written == 1 ? "" : "s");
	}
}

static void
outcome_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct remind *r = arg;

	(void)fd;
	(void)ev;
	pump(r, 1);
	arm(r);
}

/* The erasure of what went (store_wipe), shared by the messages of the next moments. */
static void
wipe_soon(struct remind *r, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (!evtimer_pending(r->wipe_ev, NULL))
		evtimer_add(r->wipe_ev, &tv);
}

static void
wipe_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct remind *r = arg;

	(void)fd;
	(void)ev;
	switch (store_wipe(r->d->engine.store)) {
	case 1:
		/* Inside a batch: its commit is soon, the erasure right after. */
		wipe_soon(r, 20);
		break;
	case -1:
		wipe_soon(r, WIPE_RETRY_MS);
		break;
	}
}

static void
send_done_cb(uint64_t id, enum mail_result res, int code, const char *errmsg, void *arg)
{
	struct remind *r = arg;
	struct outcome o;
	int64_t now = (int64_t)time(NULL), wait;
	int attempts;

	r->inflight--;
	/* The attempts before this one travel in the top bits of the id (see pump). */
	attempts = (int)(id >> 48) + 1;
	id &= ((uint64_t)1 << 48) - 1;
	memset(&o, 0, sizeof(o));
	o.r = r;
	o.id = (int64_t)id;
	o.attempts = attempts;
	o.smtp_code = code;
	o.last_error = (char *)errmsg;
	switch (res) {
	case MAIL_SENT:
		o.state = "sent";
		o.last_error = NULL;
		o.sent_at = now;
		r->stats.sent++;
		log_info("reminder %llu sent", (unsigned long long)id);
		break;
	case MAIL_TEMPFAIL:
		r->stats.tempfail++;
		if (attempts >= r->d->conf->mail_retry_max) {
			o.state = "failed";
			log_warnx("reminder %llu failed after %d attempts: %s",
			    (unsigned long long)id, attempts, errmsg ? errmsg : "?");
			break;
		}
		wait = (int64_t)r->d->conf->mail_retry_base << (attempts - 1 < 20 ? attempts - 1 : 20);
		if (wait > RETRY_CAP)
			wait = RETRY_CAP;
		o.state = "pending";
		/* On the monotonic clock: setting the wall clock moves no retry. */
		o.next_attempt = clock_steady() + wait;
		log_warnx("reminder %llu: temporary failure (%s); retry in %llds",
		    (unsigned long long)id, errmsg ? errmsg : "?", (long long)wait);
		break;
	case MAIL_PERMFAIL:
	default:
		r->stats.permfail++;
		o.state = "failed";
		log_warnx("reminder %llu failed for good: %s", (unsigned long long)id,
		    errmsg ? errmsg : "?");
		break;
	}
	outcome_defer(r, &o);
	/* Room again: a pending message takes it, its commit the outcome along. */
	pump(r, 0);
	arm(r);
}

/*
 * Is a message still news? Reminders about what is done are not sent; a feed's address, a
 * change or a digest is news whatever a milestone's state.
 */
static int
still_news(struct remind *r, const struct sendjob *j)
{
	struct pstate *ps;
	struct instance *in;

	if (strcmp(j->kind, "feed-link") == 0 || strncmp(j->kind, "change-", 7) == 0 ||
	    strcmp(j->kind, "digest") == 0)
		return 1;
	if ((ps = engine_plan(&r->d->engine, j->plan)) == NULL ||
	    (in = plan_instance(ps->plan, j->key)) == NULL)
		return 0;
	return ps->st[in->idx].status == ST_OPEN;
}

static void
sendjob_free(struct sendjob *j)
{
	free(j->plan);
	free(j->key);
	free(j->rcpt);
	free(j->kind);
	free(j->msg);
}

/*
 * Hand the mailer each waiting message whose "sending" is on disk now (durable: the last
 * commit that is, as the control socket learnt it from the sync thread).
 */
void
remind_durable(struct termijnd *d, uint64_t durable)
{
	struct remind *r = d->remind;
	uint64_t tag;
	size_t i, n;
	char *cause = NULL;

	if (r == NULL || r->nwaiting == 0)
		return;
	/* In the order of their commits. */
	for (n = 0; n < r->nwaiting && r->waiting[n].gen <= durable; n++) {
		struct sendjob *j = &r->waiting[n];

		/* Done while its "sending" waited for the disk: not sent after all. */
		if (!still_news(r, j)) {
			struct outcome o;

			r->inflight--;
			r->stats.cancelled++;
			memset(&o, 0, sizeof(o));
			o.r = r;
			o.id = j->id;
			o.state = "cancelled";
			o.attempts = j->attempts;
			o.last_error = (char *)"the milestone is no longer open";
			outcome_defer(r, &o);
			sendjob_free(j);
			continue;
		}
		/* The attempt count travels in the top bits of the mailer's id. */
		tag = (uint64_t)j->id | ((uint64_t)j->attempts << 48);
		if (mailer_send(r->mailer, tag, r->d->conf->mail_from, j->rcpt, j->msg, j->len,
		    send_done_cb, r, &cause) == -1) {
			struct outcome o;

			r->inflight--;
			memset(&o, 0, sizeof(o));
			o.r = r;
			o.id = j->id;
			o.state = "failed";
			o.attempts = j->attempts + 1;
			o.last_error = cause;
			outcome_defer(r, &o);
			log_warnx("reminder %lld refused: %s", (long long)j->id, cause);
			free(cause);
			cause = NULL;
		}
		sendjob_free(j);
	}
	if (n == 0)
		return;
	r->nwaiting -= n;
	for (i = 0; i < r->nwaiting; i++)
		r->waiting[i] = r->waiting[n + i];
}

/*
 * Hand the mailer the pending messages due now, while it has room: each "sending" first,
 * in one commit with the outcomes not yet recorded (flush: also when no message is due).
 */
static void
pump(struct remind *r, int flush)
{
	struct store *s = r->d->engine.store;
	struct duectx dc;
	size_t i;
	int own = 0, ok = 1, nout = 0;
	uint64_t gen;

	/*
	 * Not inside a batch of the control socket: a message must be "sending" on disk
	 * before it goes, or a failed commit has it pending again while it is on its way.
	 * The batch's commit kicks a scan, which comes here.
	 */
	if (store_in_txn(s))
		return;
	/* Made durable by a commit that waited for the disk itself (a reload's): they go. */
	remind_durable(r->d, store_durable(s));
	memset(&dc, 0, sizeof(dc));
	/* Most often none is due (a scan's own go at once): asked cheaply first. */
	if (has_room(r) && store_outbox_due(s, clock_steady()) != 0) {
		dc.max = (size_t)r->d->conf->mail_in_flight * 2 - r->inflight;
		dc.jobs = xcalloc(dc.max, sizeof(*dc.jobs));
		if (store_outbox_each(s, "pending", clock_steady(), (int)dc.max, due_cb,
		    &dc) == -1) {
			log_warnx("reminders: database: %s", store_error(s));
			dc.n = 0;
		}
	}
	if (dc.n == 0 && (!flush || r->nunrecorded == 0)) {
		free(dc.jobs);
		return;
	}
	if (txn_begin(r, &own) == -1)
		ok = 0;
	if (ok && r->nunrecorded > 0 && (nout = outcomes_write(r)) == -1)
		ok = 0;
	for (i = 0; i < dc.n && ok; i++) {
		struct sendjob *j = &dc.jobs[i];

		if (!still_news(r, j)) {
			r->stats.cancelled++;
			if (store_outbox_set(s, j->id, "cancelled", j->attempts, 0,
			    "the milestone is no longer open", 0, 0) == -1)
				ok = 0;
			j->len = 0;
			continue;
		}
		if (store_outbox_set(s, j->id, "sending", j->attempts, 0, NULL, 0, 0) == -1)
			ok = 0;
	}
	/*
	 * "Sending" before it goes, and on disk first (remind_durable): after a crash it goes
	 * again, with the same Message-ID, never twice in one run. The fdatasync that makes it
	 * durable is the one the next batch of changes shares.
	 */
	if (txn_end(r, own, ok) == -1) {
		ok = 0;
		/* Not again at once (the rows are due): with the scan's backoff. */
		if (!evtimer_pending(r->retry_ev, NULL))
			scan_failed(r);
	}
	outcomes_done(r, nout, ok);
	gen = store_commits(s);
	for (i = 0; i < dc.n; i++) {
		struct sendjob *j = &dc.jobs[i];

		if (ok && j->len > 0) {
			j->gen = gen;
			r->waiting = xreallocarray(r->waiting, r->nwaiting + 1, sizeof(*j));
			r->waiting[r->nwaiting++] = *j;
			r->inflight++;
		} else
			sendjob_free(j);
	}
	/* Never on disk yet: the sync thread's end brings them (remind_durable). */
	free(dc.jobs);
}

int
remind_send_link(struct termijnd *d, const struct plan *p, const char *person, const char *url,
    const char *webcal, const char *page, int64_t feed_id, char **cause)
{
	struct remind *r = d->remind;
	char *subject, *body, *key;
	int64_t id;

	if (mailtext_feed_link(&r->tpl, p, person, url, webcal, page, &subject, &body,
	    cause) == -1)
		return -1;
	xasprintf(&key, "feed:%lld", (long long)feed_id);
	/* The caller's transaction (the API batch) takes this row along. */
	if ((id = outbox_write(r, p, key, "feed-link", person, subject, body, key,
	    clock_now())) == -1)
		xasprintf(cause, _("database: %s"), store_error(d->engine.store));
	free(key);
	free(subject);
	free(body);
	return id == -1 ? -1 : 0;
}

static void
secret_done_cb(uint64_t id, enum mail_result res, int code, const char *errmsg, void *arg)
{
	(void)arg;
	if (res == MAIL_SENT)
		log_info("access message %llu sent", (unsigned long long)(id & 0xffffffff));
	else
		log_warnx("access message %llu not sent (%d): %s; it is not kept, so ask again",
		    (unsigned long long)(id & 0xffffffff), code, errmsg ? errmsg : "?");
}

int
remind_send_secret(struct termijnd *d, const struct plan *p, const char *which,
    const char *person, const char *secret, const char *extra, char **cause)
{
	static uint32_t seq;
	struct remind *r = d->remind;
	const struct config *c = d->conf;
	char *subject, *body, *msg, *msgid, *idkey;
	size_t len = 0;
	int rc;

	if (mailtext_secret(&r->tpl, p, which, person, c->public_url ? c->public_url : "",
	    secret, extra, &subject, &body, cause) == -1)
		return -1;
	/* A Message-ID of its own that says nothing of the secret. */
	xasprintf(&idkey, "%s:%lld:%u", which, (long long)time(NULL), ++seq);
	msgid = mail_message_id(idkey, c->mail_domain);
	msg = compose(r, p, person, subject, body, msgid, &len, cause);
	explicit_bzero(body, strlen(body));
	free(body);
	free(subject);
	free(idkey);
	free(msgid);
	if (msg == NULL)
		return -1;
	/* The top bit tells these apart from outbox rows, whose ids stay below 2^48. */
	rc = mailer_send(r->mailer, ((uint64_t)1 << 63) | seq, c->mail_from, person, msg, len,
	    secret_done_cb, r, cause);
	explicit_bzero(msg, len);
	free(msg);
	return rc;
}

/* ---- timing ---- */

static void
timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	scan(arg);
}

static void
arm(struct remind *r)
{
	struct engine *e = &r->d->engine;
	int64_t next = r->next_occ, retry;
	double delay = -1, dr;
	struct timeval tv;

	if (next != 0 && (clock_speed() > 0 || !clock_is_demo()))
		delay = clock_real_delay(next);
	/* Outcomes not yet recorded: try again soon (the disk may have room again). */
	if (r->nunrecorded > 0 && (delay < 0 || delay > 10))
		delay = 10;
	/* While the database fails, the scan's backoff brings the due rows. */
	if (r->scan_fails == 0 && store_outbox_next_attempt(e->store, &retry) == 1 &&
	    r->inflight == 0) {
		dr = (double)(retry - clock_steady());
		if (dr < 0)
			dr = 0;
		if (delay < 0 || dr < delay)
			delay = dr;
	}
	evtimer_del(r->timer);
	if (delay < 0)
		return;		/* nothing to wait for: no wake-ups at all */
	if (delay > 86400 * 30)
		delay = 86400 * 30;
	tv.tv_sec = (time_t)delay;
	tv.tv_usec = (suseconds_t)((delay - (double)tv.tv_sec) * 1e6) + 1000;
	evtimer_add(r->timer, &tv);
	log_debug("reminders: next wake-up in %.1f s", delay);
}

static void
clockfd_arm(struct remind *r)
{
	struct itimerspec its;

	/* A far-off expiry: the fd only ever wakes us because the clock was set. */
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = time(NULL) + 10L * 365 * 86400;
	if (timerfd_settime(r->clockfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its,
	    NULL) == -1)
		log_warn("timerfd_settime");
}

static void
clock_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct remind *r = arg;
	uint64_t n;

	(void)ev;
	if (read(fd, &n, sizeof(n)) == -1 && errno == ECANCELED)
		log_info("the wall clock was set: re-arming the reminder timer");
	clockfd_arm(r);
	r->full = 1;
	scan(r);
}

/* ---- pruning ---- */

#define PRUNE_BATCH	200		/* rows a round (bodies of KBs): the loop is not held long */
#define PRUNE_EVERY	3600		/* seconds between rounds once nothing is left */
#define PRUNE_FIRST	2		/* seconds after start: the socket answers first */

/*
 * Rows sent, failed or cancelled longer ago than outbox-retention go, so that the outbox
 * holds what is pending and recent only. The occurrence table still keeps every reminder
 * once, so that a pruned one is not sent again.
 */
static void
prune_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct remind *r = arg;
	struct store *s = r->d->engine.store;
	struct timeval tv = { PRUNE_EVERY, 0 };
	int64_t keep = (int64_t)r->d->conf->outbox_retention * 86400;
	int n = 0;

	(void)fd;
	(void)ev;
	if (store_in_txn(s))
		tv.tv_sec = 1;
	else if ((n = store_outbox_prune(s, (int64_t)time(NULL) - keep, clock_now() - keep,
	    PRUNE_BATCH)) == -1)
		log_warnx("reminders: pruning the outbox: %s", store_error(s));
	else if (n == PRUNE_BATCH)
		tv.tv_sec = 0;
	if (n > 0)
		log_debug("reminders: %d old row(s) pruned from the outbox", n);
	evtimer_add(r->prune_ev, &tv);
}

/* ---- start and stop ---- */

int
remind_start(struct termijnd *d, char **cause)
{
	struct remind *r = xcalloc(1, sizeof(*r));
	struct mailer_config mc;
	struct errlist errs = { 0 };
	struct timeval prune_first = { PRUNE_FIRST, 0 };
	char *tdir, *url = NULL;
	size_t i;
	int64_t v;

	r->d = d;
	r->clockfd = -1;
	timeheap_init(&r->plans);
	r->full = 1;
	tdir = config_path(d->conf, d->conf->templates_dir);
	if (templates_load(&r->tpl, tdir, &errs) == -1) {
		free(tdir);
		xasprintf(cause, "%s", errs.msg[0]);
		for (i = 1; i < errs.n; i++)
			log_warnx("%s", errs.msg[i]);
		errlist_free(&errs);
		free(r);
		return -1;
	}
	free(tdir);
	memset(&mc, 0, sizeof(mc));
	if (d->conf->mail_url != NULL)
		url = xstrdup(d->conf->mail_url);
	else
		xasprintf(&url, "maildir:%s/maildir", d->conf->state_dir);
	mc.url = url;
	mc.tls = strcmp(d->conf->mail_tls, "none") == 0 ? MAILER_TLS_NONE :
	    strcmp(d->conf->mail_tls, "opportunistic") == 0 ? MAILER_TLS_OPPORTUNISTIC :
	    MAILER_TLS_REQUIRED;
	mc.user = d->conf->mail_user;
	mc.password_file = d->conf->mail_password_file;
	mc.max_in_flight = d->conf->mail_in_flight;
	if ((r->mailer = mailer_new(d->base, &mc, cause)) == NULL) {
		free(url);
		templates_free(&r->tpl);
		free(r);
		return -1;
	}
	log_info("reminders go to %s", url);
	free(url);
	switch (store_meta_get(d->engine.store, "last_scan", &v)) {
	case 1:
		r->last_scan = v;
		break;
	case 0:
		/* A new database: what was due before today is not news. */
		r->last_scan = clock_now();
		store_meta_set(d->engine.store, "last_scan", r->last_scan);
		break;
	default:
		xasprintf(cause, "database: %s", store_error(d->engine.store));
		mailer_free(r->mailer);
		templates_free(&r->tpl);
		free(r);
		return -1;
	}
	/* Whatever was being sent when we stopped goes again, with the same Message-ID. */
	store_outbox_requeue_sending(d->engine.store);
	/*
	 * The last run's monotonic clock is not ours: a retry it set after the wall clock went
	 * back would wait that much longer. No wait is longer than RETRY_CAP.
	 */
	store_outbox_wait_at_most(d->engine.store, clock_steady() + RETRY_CAP);
	r->skew = (int64_t)time(NULL) - clock_steady();
	r->timer = evtimer_new(d->base, timer_cb, r);
	r->retry_ev = evtimer_new(d->base, timer_cb, r);
	r->scan_ev = event_new(d->base, -1, 0, scan_cb, r);
	r->prune_ev = evtimer_new(d->base, prune_cb, r);
	r->wipe_ev = evtimer_new(d->base, wipe_cb, r);
	r->outcome_ev = evtimer_new(d->base, outcome_cb, r);
	evtimer_add(r->prune_ev, &prune_first);
	event_priority_set(r->scan_ev, 2);
	if (!clock_is_demo()) {
		if ((r->clockfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC)) == -1)
			log_warn("timerfd_create: wall clock jumps will go unnoticed");
		else {
			clockfd_arm(r);
			r->clock_ev = event_new(d->base, r->clockfd, EV_READ | EV_PERSIST, clock_cb,
			    r);
			event_add(r->clock_ev, NULL);
		}
	}
	d->remind = r;
	store_before_commit(d->engine.store, precommit_cb, r);
	d->engine.on_change = change_cb;
	d->engine.on_change_arg = d;
	remind_kick(d);
	return 0;
}

void
remind_stop(struct termijnd *d)
{
	struct remind *r = d->remind;
	struct store *s;

	if (r == NULL)
		return;
	s = d->engine.store;
	store_before_commit(s, NULL, NULL);
	d->engine.on_change = NULL;
	/* Rows still in flight stay "sending" and go again at the next start. */
	mailer_free(r->mailer);
	if (r->clock_ev != NULL)
		event_free(r->clock_ev);
	if (r->clockfd != -1)
		close(r->clockfd);
	event_free(r->timer);
	event_free(r->retry_ev);
	event_free(r->scan_ev);
	event_free(r->prune_ev);
	/* What is still to erase goes with the checkpoint of the database's close. */
	event_free(r->wipe_ev);
	event_free(r->outcome_ev);
	templates_free(&r->tpl);
	timeheap_free(&r->plans);
	/* Not sent yet: their rows stay "sending" and go at the next start. */
	while (r->nwaiting > 0)
		sendjob_free(&r->waiting[--r->nwaiting]);
	free(r->waiting);
	free(r->scanned);
	/* The outcomes not recorded yet, on disk now; if not, their rows stay "sending" and go again. */
	if (r->nunrecorded > 0 && !store_in_txn(s) && store_begin(s) == 0) {
		if (outcomes_write(r) == -1)
			store_rollback(s);
		else
			store_commit(s);
	}
	while (r->nfresh > 0)
		sendjob_free(&r->fresh[--r->nfresh]);
	free(r->fresh);
	while (r->nunrecorded > 0)
		free(r->unrecorded[--r->nunrecorded].last_error);
	free(r->unrecorded);
	free(r);
	d->remind = NULL;
}

void
remind_reload(struct termijnd *d, struct templates *t)
{
	templates_free(&d->remind->tpl);
	d->remind->tpl = *t;
	memset(t, 0, sizeof(*t));
	remind_kick(d);
}

const struct remind_stats *
remind_stats(struct termijnd *d)
{
	return &d->remind->stats;
}

json_t *
remind_preview(struct termijnd *d, int64_t until, const char *plan, size_t limit,
    int *truncated)
{
	struct engine *e = &d->engine;
	struct remind *r = d->remind;
	json_t *a = json_array(), *o;
	struct occurrence *occ;
	const char **addrs;
	char *subject, *body, *cause = NULL, when[32];
	size_t i, j, k, n, naddr;
	/*
	 * From the last scan: what a failed scan did not queue is still to come, and what was
	 * queued before the clock was set back is not.
	 */
	int64_t now = r->last_scan;

	for (i = 0; i < e->nplans; i++) {
		struct pstate *ps = &e->plans[i];

		if (plan != NULL && strcmp(plan, ps->plan->id) != 0)
			continue;
		n = schedule_scan(ps->sched, ps->plan, ps->st, now, until, &occ, NULL);
		/* Composing costs some 30 us a message: a bounded number per plan and answer. */
		if (n > limit) {
			n = limit;
			*truncated = 1;
		}
		for (j = 0; j < n; j++) {
			struct instance *in = &ps->plan->inst[occ[j].inst];

			naddr = plan_role_addrs(ps->plan, occ[j].role, in->party, &addrs);
			/* The text as its first recipient gets it (the greeting names them). */
			if (mailtext_compose(&r->tpl, ps->plan, ps->st, &occ[j], 1, naddr > 0 ?
			    addrs[0] : NULL, NULL, &subject, &body, &cause) == -1) {
				free(addrs);
				free(cause);
				cause = NULL;
				continue;
			}
			utc_format(occ[j].when, when, sizeof(when));
			o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "at", when, "plan",
			    ps->plan->id, "key", in->key, "kind", rkind_name(occ[j].kind),
			    "subject", subject, "body", body);
			json_object_set_new(o, "recipients", json_array());
			json_object_set_new(o, "digest", json_array());
			/* Who has a digest gets it there (the preview does not compose digests). */
			for (k = 0; k < naddr; k++)
				json_array_append_new(json_object_get(o, digest_takes(occ[j].kind) &&
				    digest_for(ps->plan, addrs[k]) ? "digest" : "recipients"),
				    json_string(addrs[k]));
			{
				struct ltime lt;
				char lbuf[32];

				tz_from_utc(ps->plan->tz, occ[j].when, &lt);
				ltime_format(&lt, lbuf, sizeof(lbuf));
				json_object_set_new(o, "at_local", json_string(lbuf));
			}
			json_array_append_new(a, o);
			free(addrs);
			free(subject);
			free(body);
		}
		free(occ);
	}
	return a;
}
