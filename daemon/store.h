/* store.h: the SQLite database: milestone states, the audit log, milestones added at run time. */
#ifndef TERMIJN_STORE_H
#define TERMIJN_STORE_H

#include <stdint.h>

#include "rules.h"

struct store;

struct audit {
	int64_t		 seq;
	int64_t		 at;
	const char	*actor;
	long		 uid;		/* -1: not a local user (the plan, the daemon) */
	const char	*plan;
	const char	*key;
	const char	*action;	/* done, done-override, undo, waive, add, plan-done, rename,
					 * part-add, part-add-override, part-cancel */
	const char	*reason;
	const char	*note;
	const char	*person;	/* the person's address, NULL: a local user or termijnd */
	const char	*person_name;
	const char	*channel;	/* socket, token; NULL: termijnd itself */
	int64_t		 token_id;	/* channel token: which one, else 0 */
};

struct store	*store_open(const char *dir, char **cause);
void		 store_close(struct store *);
const char	*store_error(struct store *);
int		 store_healthy(struct store *);

/*
 * Write transactions: many changes share one commit (and one fsync). After a failed write
 * the transaction is doomed: later writes fail and its commit rolls back.
 */
int		 store_begin(struct store *);
/* Commit and make it durable (an fdatasync of the WAL) before returning. */
int		 store_commit(struct store *);
void		 store_rollback(struct store *);
int		 store_in_txn(struct store *);
/*
 * Group commit: store_commit_nowait commits (the changes are in the database and survive a
 * crash of termijnd) without waiting for the disk. store_sync_start has the sync thread
 * make every commit so far durable, unless it is at it already (then 1 as well; 0: nothing
 * to do); store_sync_fd becomes readable when it is done, until store_sync_ack (the reader
 * of the fd acks, so that the one who watches it learns of every sync, whoever asked
 * store_durable meanwhile). Commits are numbered from 1
 * (store_commits: the last); store_durable: the last one on disk. store_sync makes all of
 * them durable before it returns. A sync that fails stops termijnd (fatal): what is on
 * disk is then unknown until a restart reads it back.
 */
int		 store_commit_nowait(struct store *);
/*
 * fn(arg) runs in each transaction store_commit_nowait is about to commit (one hook, NULL:
 * none), so that what the transaction's changes cause is written with them, in the same
 * commit. It may not fail the commit: what it cannot write it takes back (a savepoint).
 */
void		 store_before_commit(struct store *, void (*fn)(void *), void *arg);
/*
 * A savepoint in the open transaction: store_savepoint_end keeps what was written since,
 * or (undo) takes it back, with the in-memory changes registered since (store_on_rollback,
 * undone). 0, or -1 when the savepoint could not be taken or taken back (the transaction
 * then fails whole).
 */
int		 store_savepoint(struct store *);
int		 store_savepoint_end(struct store *, int undo);
int		 store_sync_start(struct store *);
int		 store_sync_fd(struct store *);
void		 store_sync_ack(struct store *);
int		 store_syncing(struct store *);
uint64_t	 store_commits(struct store *);
uint64_t	 store_durable(struct store *);
void		 store_sync(struct store *);
/*
 * A committed change that erased a secret (a sent message's token) leaves the old page in
 * the WAL until a checkpoint truncates it: store_wipe does that checkpoint, for all the
 * erasures so far. 0: done or none due; 1: a transaction is open (its erasures are due
 * once it commits), later; -1: failed
 * (still due).
 */
int		 store_wipe(struct store *);
/*
 * An in-memory change made with the open transaction: if the transaction is rolled back
 * (or its commit fails), fn(arg, 1) undoes it; after a commit fn(arg, 0) only frees arg.
 * Called newest first, so that memory ends as the database is.
 */
typedef void	 (*store_undo_fn)(void *arg, int undo);
void		 store_on_rollback(struct store *, store_undo_fn, void *arg);
/* 0 from a failed write or commit (disk full, I/O error) until one goes through; why. */
int		 store_writable(struct store *, const char **why);

int		 store_put_state(struct store *, const char *plan, const char *key,
		    const struct istate *);
int		 store_rename(struct store *, const char *plan, const char *from, const char *to);
int		 store_audit(struct store *, const struct audit *);
int		 store_put_added(struct store *, const char *plan, const char *id, const char *def,
		    int64_t at, const char *actor);

/* A part of a dimension, as added (and perhaps cancelled) at run time. */
struct part_row {
	const char	*plan, *dim, *id, *title, *lead;	/* lead NULL: none */
	int64_t		 at;
	const char	*actor, *reason;
	int64_t		 cancelled;			/* when; 0: it is not */
	const char	*cancelled_by, *cancel_reason;
};
int		 store_put_part(struct store *, const char *plan, const char *dim, const char *id,
		    const char *title, const char *lead, int64_t at, const char *actor,
		    const char *reason);
int		 store_cancel_part(struct store *, const char *plan, const char *dim,
		    const char *id, int64_t at, const char *actor, const char *reason);
typedef void	 (*store_part_cb)(const struct part_row *, void *);
/*
 * A plan's parts, in the order they were added; plan NULL: every plan's, by plan (one
 * query at start for thousands of plans), as for additions and changes below.
 */
int		 store_each_part(struct store *, const char *plan, store_part_cb, void *);

typedef void	 (*store_state_cb)(const char *plan, const char *key, const struct istate *,
		    void *);
int		 store_each_state(struct store *, const char *plan, store_state_cb, void *);
typedef void	 (*store_added_cb)(const char *plan, const char *id, const char *def, void *);
/* A plan's run-time additions, in the order they were made. */
int		 store_each_added(struct store *, const char *plan, store_added_cb, void *);
/* A change to a running plan, as kept to be replayed at each start (planedit.h). */
struct change_row {
	const char	*plan, *id, *kind;
	const char	*def;		/* JSON */
	const char	*old, *new;	/* the value before and after, in words */
	int64_t		 at;
	const char	*actor, *reason;
};
int		 store_put_change(struct store *, const struct change_row *);
typedef void	 (*store_change_cb)(const struct change_row *, void *);
/* A plan's changes, in the order they were made. */
int		 store_each_change(struct store *, const char *plan, store_change_cb, void *);
/* A run-time addition cancelled: it and the changes made to it are no longer replayed. */
int		 store_drop_added(struct store *, const char *plan, const char *id);
/* The recorded state of an instance that is no more (its history stays in the audit log). */
int		 store_drop_state(struct store *, const char *plan, const char *key);
/*
 * Pending reminders of an instance cancelled (they are made anew), not the mails that tell
 * of a change; how many, or -1.
 */
int		 store_outbox_cancel_key(struct store *, const char *plan, const char *key,
		    const char *why);
/* The published SEQUENCE of an instance one higher (its text changed). */
int		 store_sequence_raise(struct store *, const char *plan, const char *key);
typedef void	 (*store_audit_cb)(const struct audit *, void *);
/* The newest limit entries matching (NULL: any) with seq < before (0: any), oldest first. */
int		 store_each_audit(struct store *, const char *plan, const char *key,
		    int64_t before, int limit, store_audit_cb, void *);
/* The same forwards: the oldest limit entries with seq > after. */
int		 store_each_audit_after(struct store *, const char *plan, const char *key,
		    int64_t after, int limit, store_audit_cb, void *);
/* The seq before the newest n entries matching, 0 when there are no more than n of them. */
int		 store_audit_before_newest(struct store *, const char *plan, const char *key,
		    int64_t n, int64_t *seq);

/* Small named values (the last reminder scan). Returns 1 found, 0 not, -1 error. */
int		 store_meta_get(struct store *, const char *, int64_t *);
int		 store_meta_set(struct store *, const char *, int64_t);

/* A reminder message, written once and sent from the outbox. */
struct outbox_row {
	int64_t		 id;
	const char	*plan, *key, *recipient, *kind;
	int64_t		 due_at, created;
	const char	*state;		/* pending (NULL when added), sending, sent, failed */
	int		 attempts;
	int64_t		 next_attempt;	/* clock_steady(), not the demo clock */
	const char	*last_error;
	int		 smtp_code;
	int64_t		 sent_at;
	const char	*message_id, *subject;
	const void	*message;
	size_t		 message_len;
};
typedef void	 (*store_outbox_cb)(const struct outbox_row *, void *);

int		 store_occurrence_seen(struct store *, const char *plan, const char *key,
		    const char *kind, int64_t at, const char *recipient);
int		 store_occurrence_add(struct store *, const char *plan, const char *key,
		    const char *kind, int64_t at, const char *recipient, int64_t outbox_id);
int64_t		 store_outbox_add(struct store *, const struct outbox_row *);
/* Rows in state (NULL: any) with next_attempt <= due_before (-1: any), oldest first. */
int		 store_outbox_each(struct store *, const char *state, int64_t due_before,
		    int limit, store_outbox_cb, void *);
/* 1 when a row is pending with next_attempt <= due_before, 0 when none is, -1. */
int		 store_outbox_due(struct store *, int64_t due_before);
/*
 * At most scan rows in state (NULL: any) by id from from, without their message, until cb
 * says stop (not 0): the number of rows read, or -1.
 */
int		 store_outbox_from(struct store *, const char *state, int64_t from, int scan,
		    int (*)(const struct outbox_row *, void *), void *);
/*
 * Deletes at most limit rows sent before sent_before (the real clock, as sent_at is), or
 * failed or cancelled having been made before created_before; how many, or -1.
 */
int		 store_outbox_prune(struct store *, int64_t sent_before, int64_t created_before,
		    int limit);
int		 store_outbox_set(struct store *, int64_t id, const char *state, int attempts,
		    int64_t next_attempt, const char *last_error, int smtp_code, int64_t sent_at);
int		 store_outbox_requeue_sending(struct store *);
/* Pending rows wait until latest at the most. */
int		 store_outbox_wait_at_most(struct store *, int64_t latest);
/* A failed row back to pending: 0 done, 1 no failed row with that id, -1 error. */
int		 store_outbox_retry(struct store *, int64_t id);
int		 store_outbox_next_attempt(struct store *, int64_t *);
int		 store_outbox_count(struct store *, const char *state, int64_t *);

struct feed_row {
	int64_t		 id;
	const char	*kind;		/* person, party, plan */
	const char	*subject;	/* an address, PLAN/PARTY, or PLAN */
	int64_t		 created;
	const char	*created_by;
	int64_t		 revoked;	/* 0: in force */
	unsigned char	 hash[32];	/* SHA-256 of the token; the token itself is never kept */
};
typedef void	 (*store_feed_cb)(const struct feed_row *, void *);

int64_t		 store_feed_add(struct store *, const char *kind, const char *subject,
		    const unsigned char *hash, int64_t created, const char *by, int64_t replaces);
/* The feed in force with that token hash: 1 found (cb called), 0 none, -1 error. */
int		 store_feed_by_hash(struct store *, const unsigned char *hash, store_feed_cb,
		    void *);
/* Every feed (id <= 0) or one. */
int		 store_feed_each(struct store *, int64_t id, store_feed_cb, void *);
/* At most limit feeds from id from on, in the order of their ids. */
int		 store_feed_each_from(struct store *, int64_t from, int limit, store_feed_cb,
		    void *);
/* 0 revoked, 1 no feed in force with that id, -1 error. */
int		 store_feed_revoke(struct store *, int64_t id, int64_t at);
/* The SEQUENCE published of each instance of a plan (by key), with the timing digest it had. */
typedef void	 (*store_seq_cb)(const char *key, uint64_t hash, int seq, void *);
int		 store_each_sequence(struct store *, const char *plan, store_seq_cb, void *);
/* One instance's: 1 found, 0 none, -1 error. */
int		 store_get_sequence(struct store *, const char *plan, const char *key,
		    uint64_t *hash, int *seq);
int		 store_put_sequence(struct store *, const char *plan, const char *key,
		    uint64_t hash, int seq);
/* Since when a plan's text has been what it is (hash); a new hash starts now. */
int		 store_plan_seen(struct store *, const char *plan, uint64_t hash, int64_t now,
		    int64_t *since);
int64_t		 store_size(struct store *);

/* Personal access tokens: a person's, by the SHA-256 of the token (never the token). */
struct token_row {
	int64_t		 id;
	const char	*person;
	unsigned char	 hash[32];
	int64_t		 created, expires;
	int64_t		 revoked;	/* 0: in force */
	const char	*created_by;
	const char	*how;		/* grant, login */
};
typedef void	 (*store_token_cb)(const struct token_row *, void *);

int64_t		 store_token_add(struct store *, const char *person, const unsigned char *hash,
		    int64_t created, int64_t expires, const char *by, const char *how);
/* 1 found (cb called), 0 none, -1 error. */
int		 store_token_by_hash(struct store *, const unsigned char *hash, store_token_cb,
		    void *);
/* Every token (person NULL) or a person's, oldest first. */
/* A person's (NULL: everyone's), by id from from, at most limit (0: all). */
int		 store_token_each(struct store *, const char *person, int64_t from, int limit,
		    store_token_cb, void *);
/* 0 revoked, 1 no token in force with that id, -1 error. */
int		 store_token_revoke(struct store *, int64_t id, int64_t at);

/* Login codes, by hash: a person's newest request only. */
struct login_row {
	int64_t		 id;
	unsigned char	 hash[32];
	int64_t		 expires;
	int		 attempts;
};
typedef void	 (*store_login_cb)(const struct login_row *, void *);

int64_t		 store_login_add(struct store *, const char *person, const unsigned char *hash,
		    int64_t created, int64_t expires);
/* The person's newest login request if it is unused (cb called); 0, or -1 on error. */
int		 store_login_last(struct store *, const char *person, store_login_cb, void *);
/* One attempt more; used > 0 spends it (at that time). */
int		 store_login_attempt(struct store *, int64_t id, int64_t used);

/* The web's sessions, by the SHA-256 of the cookie's secret (never the secret). */
struct session_row {
	int64_t		 id;
	unsigned char	 hash[32];
	char		 person[256];
	int64_t		 created, seen, expires;
	int64_t		 ended;		/* 0: in force */
};

int64_t		 store_session_add(struct store *, const char *person, const unsigned char *hash,
		    int64_t created, int64_t expires);
/* 1 found (row filled), 0 none, -1 error. */
int		 store_session_by_hash(struct store *, const unsigned char *hash,
		    struct session_row *);
/* Seen at this time; ended > 0 ends it then (signing out, an idle one). */
int		 store_session_seen(struct store *, int64_t id, int64_t seen, int64_t ended);

/* One-time links: kind "signin" (a person's), or "done" (a person's for one step). */
struct weblink_row {
	int64_t		 id;
	char		 kind[16];
	unsigned char	 hash[32];
	char		 person[256];
	char		 plan[128];	/* "" for a sign-in link */
	char		 key[256];
	int64_t		 created, expires;
	int64_t		 used;		/* 0: not yet */
};

int64_t		 store_weblink_add(struct store *, const struct weblink_row *);
int		 store_weblink_by_hash(struct store *, const unsigned char *hash,
		    struct weblink_row *);
/* Spend a link: 0 now, 1 when it was spent already, -1 error. */
int		 store_weblink_use(struct store *, int64_t id, int64_t at);

#endif
