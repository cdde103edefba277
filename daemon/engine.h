/* engine.h: the loaded plans with their states, and the changes that the rules allow. */
#ifndef TERMIJN_ENGINE_H
#define TERMIJN_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "plan.h"
#include "planedit.h"
#include "rules.h"
#include "store.h"

struct pstate {
	struct plan	*plan;
	struct istate	*st;		/* indexed like plan->inst */
	int		*seq;		/* published SEQUENCE per instance */
	struct sched	*sched;		/* the plan's reminder times, from its timing */
	int64_t		 stamp;		/* since when the plan's text is what it is */
	uint64_t	 hash;		/* the digest of the plan's text, stamp's since */
	uint64_t	*thash;		/* timing digest per instance, of the first nthash */
	size_t		 nthash;
	unsigned long	 expansions;	/* the plan's when thash and sched were made */
	unsigned char	*carried;	/* after a part: thash and seq kept, as published */
	struct persons	*people;	/* who acts on what (feeds.c makes it when asked) */
	/*
	 * The engine's generation when what a feed shows of this plan last changed (a state,
	 * its text, its links), and when its shape last did (instances, who acts on them).
	 */
	uint64_t	 changed, shaped;
};

/* A recorded state whose milestone the plan no longer has: kept, shown, never dropped. */
struct orphan {
	char		*plan;
	char		*key;
	struct istate	 st;
};

/* A milestone added at run time that the plan no longer takes: kept, shown, never dropped. */
struct unfit {
	char		*plan;
	char		*id;
	char		*title;		/* NULL when its definition cannot be read */
	char		*why;
};

struct pstate;
struct change;
struct engine;
/* The change hook (see engine_changed); -1 and *cause (to be freed) on a database error. */
typedef int	(*engine_change_fn)(void *arg, const struct pstate *, const struct change *,
		    char **cause);
/*
 * A run-time change that a plan file edited since then contradicts (the file wins, see
 * termijn.plan(5)), or that no longer fits the plan: kept, shown, not in force.
 */
struct conflict {
	char		*plan;
	char		*id;		/* the milestone */
	char		*kind;		/* move, retitle, require */
	char		*runtime;	/* what the change made of it */
	char		*file;		/* what the plan file says now; NULL: no such milestone */
	char		*why;
	char		*actor, *reason;
	int64_t		 at;
};

struct engine {
	struct store	*store;
	char		*plans_dir;
	struct pstate	*plans;		/* in file name order */
	size_t		 nplans;
	size_t		*by_id;		/* indices of plans, by plan id */
	struct orphan	*orphans;
	size_t		 norphans;
	struct unfit	*unfit;
	size_t		 nunfit;
	struct conflict	*conflicts;
	size_t		 nconflicts;
	/*
	 * Raised on every change, for caches: each plan keeps the value of its last change
	 * (pstate changed, shaped); shaped and loaded are those of the last change of any
	 * plan's shape and of the last load.
	 */
	uint64_t	 generation, shaped, loaded;
	/*
	 * What the reminders must look at again (remind.c): the plans (indices) whose
	 * schedules a change touched (a change of a plan's shape: those that read it too),
	 * or (touched_all) every plan, as after a load or a change taken back.
	 */
	size_t		*touched;
	size_t		 ntouched, touched_cap;
	int		 touched_all;
	engine_change_fn on_change;	/* NULL: nobody is told (termijnd -n, tests) */
	void		*on_change_arg;
};

struct actor {
	const char	*name;		/* a login name, or the person's address */
	long		 uid;		/* -1: not a local user */
	int		 operator;	/* a local operator: full rights */
	int		 overrider;
	const char	*person;	/* the person's address; NULL: a local user as such */
	const char	*person_name;	/* as the plans name them, NULL: no name */
	const char	*channel;	/* "socket" or "token" */
	int64_t		 token_id;	/* channel "token": which one */
};

enum eng_rc {
	ENG_OK = 0,
	ENG_BAD,		/* the request is wrong */
	ENG_FORBIDDEN,
	ENG_NOTFOUND,
	ENG_AMBIGUOUS,
	ENG_REFUSED,		/* a rule says no */
	ENG_FAIL		/* the database failed */
};

/*
 * The change hook: the owners of what an audited change affects are told by mail.
 *
 * A change calls engine_changed() right after its audit line, in the same open
 * transaction, so that a rollback takes the mails back along with the change. kind is
 * the audit action ("done-override", "undo", "add"; for new changes their own action,
 * such as "move", "retitle", "cancel", "require", "part-add", "part-cancel"); inst the
 * instances it affects (indices in plan->inst, as they are after the change). Each
 * person holding the owner role of one of them gets one message listing theirs; the
 * actor is not told of their own change. The text is etc/templates/LANG/change-KIND.txt
 * when mailtext.c's change_kinds names KIND, else the generic change.txt (with detail as
 * one more line, in the plan's language). ENG_OK, or ENG_FAIL with r filled.
 */
struct change {
	const char		*kind;
	const size_t		*inst;
	size_t			 ninst;
	const struct actor	*who;
	const char		*reason;	/* NULL: none */
	const char		*detail;	/* NULL: none */
	int64_t			 at;		/* when (the clock's now) */
	/* What changed, for the text (see struct mailchange); NULL: not of this change. */
	const struct timing	*was, *now;	/* move */
	const char		*was_title;	/* retitle */
	const char		*on;		/* require */
	int			 gone;		/* cancel, part-cancel: told before they go */
};
struct eng_result;
int		 engine_changed(struct engine *, const struct pstate *, const struct change *,
		    struct eng_result *);

/* The outcome of a request, for the API to turn into JSON. */
struct eng_result {
	enum eng_rc	 rc;
	char		*message;
	struct unmet	*unmet;		/* ENG_REFUSED by done */
	size_t		 nunmet;
	size_t		*list;		/* done/waive: what became ready; undo refused: dependents */
	size_t		 nlist;
	struct xref	*xlist;		/* the same in other plans */
	size_t		 nxlist;
	char		**candidates;	/* ENG_AMBIGUOUS */
	size_t		 ncandidates;
	char		**keys;		/* part cancel, a change of the plan: the instances it took away */
	size_t		 nkeys;
	char		*before, *after;	/* a change of the plan: the value it had, has */
};
void		 eng_result_clear(struct eng_result *);

/* Plans parsed and checked, not yet in force: engine_check makes them, engine_load takes them. */
struct planset {
	struct pstate	*ps;
	size_t		 n;
};
void		 planset_free(struct planset *);
/* What publishing the plans takes that needs nothing but them (a thread may do it). */
void		 planset_prepare(struct planset *);

/* Errors told in one language (NULL: English), for one of several askers. */
struct msgcat;
struct langerrs {
	const struct msgcat	*lang;
	struct errlist		 errs;
};
/*
 * Load (or reload) the plans of set, or (set NULL) every *.plan in the plans directory; on
 * any error nothing changes, and why is in errs and, each in its own language, in
 * also[0 .. nalso). With set, the plans put out of force come back in it, for the caller to
 * free. Never inside an open transaction: its own commits must not take others' changes
 * along.
 */
int		 engine_load(struct engine *, struct planset *set, struct errlist *,
		    struct langerrs *also, size_t nalso);
/*
 * Parse and check the plans of a directory without a database (termijnd -n); keep (if not
 * NULL) takes them when they are all right, for engine_load. Pure: touches no engine.
 */
int		 engine_check(const char *dir, struct errlist *, struct planset *keep);
void		 engine_free(struct engine *);

struct pstate	*engine_plan(struct engine *, const char *id);
/* The pstate of a loaded plan. */
struct pstate	*engine_pstate(struct engine *, const struct plan *);
/* Find an instance by key (ID or ID@PARTY) in plan (NULL: any plan). */
int		 engine_find(struct engine *, const char *plan, const char *key, struct pstate **,
		    size_t *idx, struct eng_result *);

/*
 * The changes: each records itself in the store's open transaction (beginning one) and
 * registers how to undo its in-memory effect should that transaction not be committed.
 */
int		 engine_done(struct engine *, struct pstate *, size_t idx, const struct actor *,
		    int64_t now, int64_t at, const char *note, int override, const char *reason,
		    struct eng_result *);
int		 engine_undo(struct engine *, struct pstate *, size_t idx, const struct actor *,
		    int64_t now, const char *reason, struct eng_result *);
int		 engine_waive(struct engine *, struct pstate *, size_t idx, const struct actor *,
		    int64_t now, const char *reason, struct eng_result *);
/* def: {"id", "title", "owner", "due", "from"?, "not_before"?, "description"?, "parties"?,
 * "requires"?} as in doc/api.md. */
int		 engine_add(struct engine *, struct pstate *, json_t *def, const struct actor *,
		    int64_t now, struct eng_result *);
/*
 * Change the running plan (operators only, with a reason): the edit is validated as a plan
 * file is, recorded to be replayed at each start, audited per instance with the old and new
 * value; the instances' pending reminders are made anew and their SEQUENCE raised. r->list:
 * the instances affected, r->keys the keys it took away (a cancel, a series moved),
 * r->before and r->after the value changed.
 */
int		 engine_change(struct engine *, struct pstate *, const struct planedit *,
		    const struct actor *, int64_t now, const char *reason, struct eng_result *);
/* The plan (plan NULL: the only one) that has milestone id. */
int		 engine_find_milestone(struct engine *, const char *plan, const char *id,
		    struct pstate **, struct eng_result *);

/*
 * Add a part to dimension dim (lead: a party id or NULL), with its instances of the
 * milestones per that dimension (r->list); refused (naming them in r->list) once a step
 * that waits for every part is done, unless overridden with a reason.
 */
int		 engine_part_add(struct engine *, struct pstate *, const char *dim, const char *id,
		    const char *title, const char *lead, int override, const char *reason,
		    const struct actor *, int64_t now, struct eng_result *);
/* Cancel a part: its instances go (their keys in r->keys), their states are kept. */
int		 engine_part_cancel(struct engine *, struct pstate *, const char *dim,
		    const char *id, const char *reason, const struct actor *, int64_t now,
		    struct eng_result *);

#endif
