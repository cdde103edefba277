/* mailtext.h: the text of a reminder, from a deployment's templates (pure). */
#ifndef TERMIJN_MAILTEXT_H
#define TERMIJN_MAILTEXT_H

#include "plan.h"
#include "rules.h"
#include "schedule.h"

#define NLANGS	2	/* nl, en */
#define NCHANGE	10	/* the change kinds with a template of their own (mailtext.c) */

struct templates {
	char	*text[NLANGS][RK_LAST + 1];	/* "Subject: ...\n\nbody" */
	char	*feed_link[NLANGS];		/* the message with a person's feed address */
	char	*access_grant[NLANGS];		/* a personal access token */
	char	*login_code[NLANGS];		/* a one-time login code */
	char	*signin_link[NLANGS];		/* a one-time link to sign in to the pages */
	char	*change[NLANGS][NCHANGE + 1];	/* change-KIND.txt; [NCHANGE]: change.txt */
	char	*digest[NLANGS];		/* a person's daily digest */
};

/* Read DIR/{nl,en}/{kind}.txt; every missing file or unknown placeholder goes to errs. */
int	 templates_load(struct templates *, const char *dir, struct errlist *errs);
void	 templates_free(struct templates *);

/*
 * Subject and body of one reminder about one instance; occ holds the occurrences merged
 * into it (several after downtime), the last one deciding the kind. rcpt is the
 * recipient's address (NULL: unknown); the greeting names them where the plan gives a
 * person's name for it, not a function's ("Gemeentesecretaris Staphorst"). done_url: the
 * recipient's own link to report the step done ("Gereed melden"), or NULL when they get none.
 */
int	 mailtext_compose(const struct templates *, const struct plan *, const struct istate *,
	    const struct occurrence *occ, size_t nocc, const char *rcpt, const char *done_url,
	    char **subject,
	    char **body, char **cause);

/* An audited change told to one owner: the instances of theirs that it affects. */
struct mailchange {
	const char	*kind;		/* the audit action: "done-override", "undo", "add", ... */
	const size_t	*inst;		/* indices in plan->inst, at least one */
	size_t		 ninst;
	const char	*by;		/* who made it (a name, else a login or address) */
	const char	*reason;	/* NULL: none given */
	const char	*detail;	/* one line more, in the plan's language; NULL: none */
	const char	*rcpt;		/* the recipient's address, for the greeting */
	/* What changed, told in the plan's language; NULL: not of this change. */
	const struct timing *was, *now;	/* move: the milestone's (or party's) timing */
	const char	*was_title;	/* retitle: the title before (the new one is the items') */
	const char	*on;		/* require: what it waits for now too, as written */
	int		 gone;		/* the instances are going (cancel): nothing to report done */
};
int	 mailtext_change(const struct templates *, const struct plan *, const struct istate *,
	    const struct mailchange *, char **subject, char **body, char **cause);

/*
 * A person's daily digest at moment: the reminders occ (of any instances, by time) in one
 * message, by section (overdue, may go ahead, due soon, period opens), each instance once.
 */
int	 mailtext_digest(const struct templates *, const struct plan *, const struct istate *,
	    const struct occurrence *occ, size_t nocc, const char *rcpt, int64_t moment,
	    char **subject, char **body, char **cause);

/* The message that sends a person (an address) the address of their feed, and of its page. */
int	 mailtext_feed_link(const struct templates *, const struct plan *, const char *person,
	    const char *url, const char *webcal, const char *page, char **subject, char **body,
	    char **cause);

/*
 * The message with a secret for a person: which is "access-grant" (secret: the token,
 * extra: until when), "login-code" (secret: the code, extra: its minutes) or "signin-link"
 * (secret: the link, extra: its minutes). The secret is only in the text made here.
 */
int	 mailtext_secret(const struct templates *, const struct plan *, const char *which,
	    const char *person, const char *server, const char *secret, const char *extra,
	    char **subject, char **body, char **cause);

/* "dinsdag 17 december 2013", "donderdag 19 december 2013 om 12:00" (or English). */
void	 mailtext_date(const char *lang, const struct ltime *, char *, size_t);

#endif
