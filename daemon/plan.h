/* plan.h: the plan model, its parser and its validator (pure: no I/O but reading the text given). */
#ifndef TERMIJN_PLAN_H
#define TERMIJN_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A local time in the plan's zone: a date (all day) or a date and a time of day. */
struct ltime {
	int	set;		/* 0: absent */
	int	has_time;	/* 0: a whole day */
	int	year, mon, day;	/* mon 1..12, day 1..31 */
	int	hour, min;
};

enum req_scope {
	REQ_AUTO,		/* written without @: same party if both are per party, else all */
	REQ_SAME,		/* ID@same: the instance of the same party */
	REQ_ALL,		/* ID@all: every party's instance */
	REQ_PARTY		/* ID@PARTY: that one party's instance */
};

enum part_scope {
	PART_AUTO,		/* written without #: same part if both are per the same dimension */
	PART_SAME,		/* ID#same: the instance of the same part */
	PART_ALL		/* ID#all: every part's instance, and at least one part */
};

struct requirement {
	char		*plan;		/* "PLAN:ID": another plan's milestone (in milestone xreqs) */
	char		*id;
	enum req_scope	 scope;
	char		*party;		/* REQ_PARTY only */
	int		 last;		/* ID/last: only a series' last occurrence */
	struct ltime	 date;		/* PLAN:ID/YYYY-MM-DD: the occurrence due that day */
	enum part_scope	 part;		/* of a milestone per part: ID#same, ID#all */
	int		 runtime;	/* added at run time (termijn require), not in the file */
	int		 line;
	/* Resolved by plan_expand. */
	size_t		 target;	/* index of the milestone in plan->ms */
	struct party	*target_party;	/* REQ_PARTY only */
};

/* Timing as written; for a window, from..due (both inclusive when they are dates). */
struct timing {
	struct ltime	 due;
	struct ltime	 from;		/* set: a window */
	struct ltime	 not_before;
	int		 on;		/* "on DATE": a window of that one day */
};

/* A per-party exception ("for PARTY" block). NULL/unset fields take the milestone's. */
struct override {
	char		*party;
	char		*title;
	char		*description;
	char		*owner;
	struct timing	 timing;
	int		 nkeys;		/* lines in the block, right or wrong */
	int		 line;
};

struct recurrence {
	int		 every;		/* 0: not recurring */
	char		 unit;		/* 'd', 'w' or 'm' */
	struct ltime	 until;
};

struct milestone {
	char			*id;
	char			*title;
	char			*description;	/* may be NULL */
	char			*owner;		/* role id */
	int			 per_party;	/* one instance per party in parties */
	char			**parties;	/* per_party: the parties it applies to */
	size_t			 nparties;
	struct timing		 timing;
	struct recurrence	 recur;
	struct requirement	*reqs;
	size_t			 nreqs;
	struct requirement	*xreqs;		/* of other plans' milestones: resolved by links.c */
	size_t			 nxreqs;
	struct override		*ovr;
	size_t			 novr;
	int			*remind;	/* lead times in days, NULL: the plan's */
	size_t			 nremind;
	int			 escalate_after;	/* days after the deadline, -1: never */
	char			*escalate_to;	/* role id */
	int			 same_moment;	/* all parties' instances happen at one moment */
	int			 window_notice;	/* "window-start notice": the start is no rule */
	struct ltime		 done;		/* done before the plan starts */
	char			**formerly;	/* earlier ids whose recorded state carries over */
	size_t			 nformerly;
	char			*per;		/* "per DIMENSION": one instance per part, or NULL */
	struct dimension	*dim;		/* per, resolved by plan_expand */
	int			 runtime;	/* added at run time (termijn add), not in the file */
	int			 bad_timing;	/* a timing line had an error already reported */
	size_t			 inst_first;	/* its instances: plan->inst[first .. first+n) */
	size_t			 inst_n;
	int			 line;
};

struct contact {
	char	*role;
	char	**addrs;
	char	**names;	/* display names beside addrs, NULL where none was given */
	size_t	 naddrs;
};

/* Who a coordinators or overriders line names: role ids and addresses, with their lines. */
struct wholist {
	char	**v;
	int	 *lines;
	size_t	  n;
};

struct party {
	char		*id;
	char		*name;
	struct contact	*contacts;
	size_t		 ncontacts;
	struct wholist	 coordinators;	/* may act on every step of this party */
	int		 line;
};

struct role {
	char	*id;
	char	*name;
	char	**addrs;	/* plan-wide holders of the role, beside the parties' */
	char	**names;
	size_t	 naddrs;
	int	 line;
};

/* A part of a dimension, added at run time ("termijn part add"); pointers stay put. */
struct part {
	char		*id;
	char		*title;
	char		*lead;		/* the party responsible for it, NULL: none */
	struct party	*lead_party;	/* lead, resolved by plan_expand */
	int		 cancelled;	/* it has no instances, its id stays taken */
	size_t		 ord;		/* its place among the dimension's parts */
};

/* A dimension of a plan, like its parties but filled while the plan runs. */
struct dimension {
	char		*id;
	char		*name;		/* NULL: none */
	char		*found_by;	/* the milestone that finds the parts, NULL: none */
	struct part	**parts;	/* in the order they were added */
	size_t		 nparts;
	int		 line;
};

/* A run of instances, plan->inst[first .. first + n): all of one milestone's, or one. */
struct irange {
	size_t	first, n;
};
/* Each instance k of the runs v[0 .. n), run i: "break" leaves only the run. */
#define IRANGE_FOREACH(runs, nruns, i, k)					\
	for ((i) = 0; (i) < (nruns); (i)++)					\
		for ((k) = (runs)[i].first; (k) < (runs)[i].first + (runs)[i].n; (k)++)

/* A milestone as it applies to one party (or to the plan, for a milestone that is once). */
struct instance {
	struct milestone	*ms;
	struct party		*party;		/* NULL: once (of a part: its lead, if any) */
	struct part		*part;		/* per part: which, else NULL */
	char			*key;		/* "id", "id@party" or "id#part", and "/DATE" */
	const char		*title;		/* overrides applied */
	char			*title_own;	/* per part: the title with the part's, freed */
	const char		*description;
	const char		*owner;
	struct timing		 timing;
	/* Instants in UTC, 0 when absent. */
	int64_t			 start;		/* window start, or the due moment */
	int64_t			 deadline;	/* end of the due day, or the due time */
	int64_t			 not_before;
	int64_t			 opens;		/* a window's start as a rule (not before it), 0: none */
	/*
	 * Prerequisites and dependents as disjoint runs: "requires x@all" is one run of x's
	 * instances, not a link per pair of parties. npre and ndep count instances.
	 */
	struct irange		*pre_runs;
	size_t			 npre_runs, npre;
	struct irange		*dep_runs;	/* the instances that require this one */
	size_t			 ndep_runs, ndep;
	size_t			 idx;		/* index in plan->inst */
	int			 occ;		/* recurring: occurrence 1..nocc; else 0 */
	int			 nocc;
};

/* At most this many occurrences per series: a plan is a process, not a clock. */
#define RECUR_MAX	1000

enum workdays {
	WORKDAYS_ALL,		/* reminders on any day */
	WORKDAYS_WEEK,		/* Monday to Friday, less the plan's closed days */
	WORKDAYS_NL		/* and less the Dutch public holidays */
};

struct closed {
	struct ltime	 from, to;	/* days, both included */
};

struct xlinks;

struct plan {
	char			*id;
	char			*file;
	char			*title;
	char			*description;
	char			*tz;		/* IANA zone, default Europe/Amsterdam */
	char			*lang;		/* "nl" or "en" */
	int			*remind;	/* default lead times in days */
	size_t			 nremind;
	int			 remind_hour, remind_min;
	int			 overdue_every;	/* days between overdue reminders */
	int			 overdue_max;	/* how many, at most */
	enum workdays		 workdays;	/* which days reminders may go out on */
	struct closed		*closed;	/* the plan's own closed days */
	size_t			 nclosed;
	int			 digest_hour;	/* the daily digest's time; -1: no digest */
	int			 digest_min;
	struct wholist		 digest_who;	/* who gets it (roles, addresses); none: all */
	struct role		*roles;
	size_t			 nroles;
	struct party		*parties;
	size_t			 nparties;
	struct dimension	*dims;		/* filled at run time with parts */
	size_t			 ndims;
	struct wholist		 coordinators;	/* may act on every step of every party */
	struct wholist		 overriders;	/* people who may override a rule, with a reason */
	struct milestone	*ms;
	size_t			 nms;
	struct instance		*inst;		/* filled by plan_expand */
	size_t			 ninst;
	unsigned long		 expansions;	/* raised by each plan_expand: instances moved */
	unsigned long		 revision;	/* raised by any change of inst: made, added, cut */
	/* Lookup by id and by key in O(log n): plans of thousands of milestones exist. */
	size_t			*ms_sorted;	/* indices of ms, by id */
	size_t			 nms_sorted;	/* == nms when the index is current */
	size_t			*inst_sorted;	/* indices of inst, by key */
	size_t			*parties_sorted;	/* indices of parties, by id */
	size_t			 nparties_sorted;
	struct renamed {
		const char	*oldid;		/* a milestone's formerly */
		size_t		 ms;
	}			*renamed;	/* by oldid */
	size_t			 nrenamed;
	size_t			 renamed_nms;	/* nms when it was made: else not current */
	struct xlinks		*xl;		/* links with other plans (links.c), NULL: none */
	size_t			 ms_cap;	/* room in ms for additions (0: none known) */
	size_t			 inst_cap;	/* room in inst */
	size_t			 nlinks;	/* runs of links as made, against PLAN_MAX_LINKS */
};

/* Limits of one plan, as termijn.plan(5) gives them: past one, the plan is refused. */
#define PLAN_MAX_SIZE		(16 * 1024 * 1024)	/* bytes of text */
#define PLAN_MAX_MILESTONES	200000
#define PLAN_MAX_PARTIES	1000
#define PLAN_MAX_ROLES		1000
#define PLAN_MAX_INSTANCES	1000000
#define PLAN_MAX_LINKS		4000000		/* runs of prerequisites and dependents */
#define PLAN_MAX_DIMENSIONS	100
#define PLAN_MAX_PARTS		1000		/* of one dimension, cancelled ones too */
#define PLAN_MAX_ERRORS		100		/* shown of one plan; the rest are counted */

/* Error messages collected while parsing and validating, each "file:line: message". */
struct errlist {
	char	**msg;
	size_t	 n, cap;
	size_t	 max;		/* keep at most this many (0: all); the rest are counted */
	size_t	 dropped;
};
/* A message is cut in its middle to at most this many bytes: it may quote any input. */
#define ERRMSG_MAX	400
void	errlist_add(struct errlist *, const char *file, int line, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
void	errlist_free(struct errlist *);

/*
 * Parse one plan from text. Every error found is added to errs; on any error the
 * result is NULL. A plan returned is validated and expanded (instances filled).
 */
struct plan		*plan_parse(const char *file, const char *text, size_t len, struct errlist *errs);
struct plan		*plan_load(const char *path, struct errlist *errs);
void			 plan_free(struct plan *);

/* Add a milestone at run time; it is validated against the plan as the parser would. */
int			 plan_add_milestone(struct plan *, struct milestone *, char **cause);
/* Take the last milestone added out again (its addition was not committed). */
void			 plan_remove_last(struct plan *);
/* Room in p->ms for one more milestone, kept with p->ms_cap (never realloc p->ms elsewhere). */
void			 plan_ms_room(struct plan *);
struct milestone	*milestone_new(void);
void			 milestone_free(struct milestone *);

/*
 * Add a part to dimension dim at run time (lead: a party id or NULL) and expand the plan;
 * refused with *cause when it does not fit (an unknown dimension or party, a part id taken,
 * a title that is not one line of text, a limit). plan_remove_last_part takes it out again.
 */
int			 plan_add_part(struct plan *, const char *dim, const char *id,
			    const char *title, const char *lead, char **cause);
void			 plan_remove_last_part(struct plan *, struct dimension *);
/* Cancel a part (cancelled 1) or restore it (0), and expand the plan again. */
void			 plan_cancel_part(struct plan *, struct part *, int cancelled);
struct dimension	*plan_dimension(const struct plan *, const char *id);
struct part		*dimension_part(const struct dimension *, const char *id);
/* Does key name an instance of a cancelled part ("ID#PART...")? */
int			 plan_key_cancelled(const struct plan *, const char *key);
/* The instances of a part, one by one, as indices in plan->inst; *out is to be freed. */
size_t			 plan_part_instances(const struct plan *, const struct part *, size_t **out);
/* Requirement r of milestone m: on every part of a dimension (not vacuously met)? */
int			 req_every_part(const struct plan *, const struct milestone *,
			    const struct requirement *);

/* Re-resolve references and instances after a change (called by parse and add). */
int			 plan_expand(struct plan *, struct errlist *);

struct milestone	*plan_milestone(const struct plan *, const char *id);
struct party		*plan_party(const struct plan *, const char *id);
struct role		*plan_role(const struct plan *, const char *id);
struct instance		*plan_instance(const struct plan *, const char *key);
/* The milestone an old id was renamed to ("formerly"), or NULL. */
struct milestone	*plan_renamed(const struct plan *, const char *oldid);

/* The prerequisites (dependents) of instance idx one by one, as indices in plan->inst, in
 * plan order; *out is to be freed. Returns how many. */
size_t			 plan_prereqs(const struct plan *, size_t idx, size_t **out);
size_t			 plan_dependents(const struct plan *, size_t idx, size_t **out);

/* The e-mail addresses holding a role for a party (party NULL: plan-wide, else every party's). */
size_t			 plan_role_addrs(const struct plan *, const char *role, const struct party *,
			    const char ***out);

/*
 * The due dates of a series: first, then every N days, weeks or months from it (a day
 * past a month's end falls on its last day), up to and including until. Returns how
 * many (1 when rc does not recur), or -1 with *out NULL past RECUR_MAX.
 */
int			 recur_expand(const struct recurrence *, const struct ltime *first,
			    struct ltime **out);
/* "ID", "ID@same", "ID@all", "ID@PARTY", "ID#same", "ID#all", each optionally followed by
 * "/last" or "/all"; with "PLAN:" before it (and no "#") another plan's milestone, which may
 * also end in "/YYYY-MM-DD". */
int			 requirement_parse(const char *, struct requirement *, char **cause);
/* A cycle's path "a -> b -> a" of the nodes stack[from .. top], each named by name (an
 * allocated string), cut in its middle when long. */
char			*cycle_path(const size_t *stack, size_t from, size_t top,
			    char *(*name)(size_t, void *), void *arg);
/* The display name a plan gives an address (the first one written), or NULL. */
const char		*plan_person_name(const struct plan *, const char *addr);
/* Is addr one of v[0 .. n), in any case? (Addresses as plans name their people.) */
int			 plan_addr_among(const char *const *v, size_t n, const char *addr);
/* Does addr hold role for party (NULL: for any party, or plan-wide)? Case-insensitive. */
int			 plan_holds(const struct plan *, const char *addr, const char *role,
			    const struct party *);
/* Does a coordinators/overriders list name addr, itself or by a role it holds (for pt)? */
int			 plan_lists(const struct plan *, const struct wholist *, const char *addr,
			    const struct party *);

/* Parse helpers shared with the API ("2013-12-19", "2013-12-19 09:00", "2013-12-19T09:00"). */
int			 ltime_parse(const char *, struct ltime *);
void			 ltime_format(const struct ltime *, char *, size_t);
int			 id_valid(const char *);
/* UTF-8 text without control characters, DEL, C1 controls, U+2028 or U+2029 (multiline:
 * line feeds and tabs allowed). */
int			 text_valid(const char *, int multiline);

#endif
