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
	const char	*action;	/* done, done-override, undo, waive, add, plan-done, rename */
	const char	*reason;
	const char	*note;
};

struct store	*store_open(const char *dir, char **cause);
void		 store_close(struct store *);
const char	*store_error(struct store *);
int		 store_healthy(struct store *);

/* Write transactions: many changes share one commit (and one fsync). */
int		 store_begin(struct store *);
int		 store_commit(struct store *);
void		 store_rollback(struct store *);
int		 store_in_txn(struct store *);

int		 store_put_state(struct store *, const char *plan, const char *key,
		    const struct istate *);
int		 store_rename(struct store *, const char *plan, const char *from, const char *to);
int		 store_audit(struct store *, const struct audit *);
int		 store_put_added(struct store *, const char *plan, const char *id, const char *def,
		    int64_t at, const char *actor);

typedef void	 (*store_state_cb)(const char *plan, const char *key, const struct istate *,
		    void *);
int		 store_each_state(struct store *, const char *plan, store_state_cb, void *);
typedef void	 (*store_added_cb)(const char *id, const char *def, void *);
int		 store_each_added(struct store *, const char *plan, store_added_cb, void *);
typedef void	 (*store_audit_cb)(const struct audit *, void *);
/* The newest limit entries matching (NULL: any), oldest first. */
int		 store_each_audit(struct store *, const char *plan, const char *key, int limit,
		    store_audit_cb, void *);

#endif
