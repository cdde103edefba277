/* authz.c: least privilege by party: owners, coordinators, overriders, local operators. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "xmalloc.h"

const char *
authz_verdict_name(enum authz_verdict v)
{
	static const char *names[] = { "deny", "operator", "owner", "party-coordinator",
	    "plan-coordinator" };

	return names[v];
}

static const char *
party_label(const struct party *pt)
{
	return pt->name != NULL ? pt->name : pt->id;
}

/* Append ", " or " or " and text to a growing list of alternatives. */
static void
alt(char **out, const char *text)
{
	char *s;

	xasprintf(&s, "%s%s%s", *out ? *out : "", *out ? ", " : "", text);
	free(*out);
	*out = s;
}

/* The addresses a wholist stands for, for a party (NULL: any), as "a, b". */
static char *
wholist_addrs(const struct plan *p, const struct wholist *w, const struct party *pt)
{
	const char **v;
	char *out = NULL;
	size_t i, j, n;

	for (i = 0; i < w->n; i++) {
		if (strchr(w->v[i], '@') != NULL) {
			alt(&out, w->v[i]);
			continue;
		}
		n = plan_role_addrs(p, w->v[i], pt, &v);
		for (j = 0; j < n; j++)
			alt(&out, v[j]);
		free(v);
	}
	return out;
}

static void
who_may(const struct plan *p, const struct instance *in, enum authz_verb verb, char **why)
{
	static const char *done_as[] = { "marked done", "reopened", "waived" };
	const struct role *r;
	const char **v;
	char *alts = NULL, *s, *addrs = NULL, *owners;
	size_t i, n;

	if (verb == AZ_ADD) {
		xasprintf(why, "milestones can be added to plan %s by", p->id);
	} else {
		r = plan_role(p, in->owner);
		n = plan_role_addrs(p, in->owner, in->party, &v);
		for (i = 0; i < n; i++)
			alt(&addrs, v[i]);
		free(v);
		xasprintf(&s, "the %s of %s%s%s%s", r != NULL && r->name != NULL ? r->name :
		    in->owner, in->party ? party_label(in->party) : "any party",
		    addrs ? " (" : "", addrs ? addrs : "", addrs ? ")" : "");
		alt(&alts, s);
		free(s);
		owners = addrs;
		/* The same people twice (owners who coordinate too) say nothing new. */
		if (in->party != NULL && in->party->coordinators.n > 0 &&
		    (addrs = wholist_addrs(p, &in->party->coordinators, in->party)) != NULL) {
			if (owners == NULL || strcmp(owners, addrs) != 0) {
				xasprintf(&s, "a coordinator of %s (%s)", party_label(in->party),
				    addrs);
				alt(&alts, s);
				free(s);
			}
			free(addrs);
		}
		free(owners);
		xasprintf(why, "%s can be %s by", in->key, done_as[verb]);
	}
	if (p->coordinators.n > 0 && (addrs = wholist_addrs(p, &p->coordinators, NULL)) != NULL) {
		xasprintf(&s, "a coordinator of the plan (%s)", addrs);
		alt(&alts, s);
		free(s);
		free(addrs);
	}
	xasprintf(&s, "%s %s%san operator of termijnd", *why, alts ? alts : "", alts ? " or " : "");
	free(*why);
	free(alts);
	*why = s;
}

enum authz_verdict
authz_check(const struct plan *p, const struct instance *in, const struct authz_who *who,
    enum authz_verb verb, char **why)
{
	*why = NULL;
	if (who->operator)
		return AZ_OPERATOR;
	if (who->addr != NULL) {
		if (verb != AZ_ADD && plan_holds(p, who->addr, in->owner, in->party))
			return AZ_OWNER;
		if (verb != AZ_ADD && in->party != NULL &&
		    plan_lists(p, &in->party->coordinators, who->addr, in->party))
			return AZ_PARTY_COORD;
		if (plan_lists(p, &p->coordinators, who->addr, NULL))
			return AZ_PLAN_COORD;
	}
	who_may(p, in, verb, why);
	return AZ_DENY;
}

int
authz_override(const struct plan *p, const struct authz_who *who, char **why)
{
	char *addrs;

	*why = NULL;
	if (who->operator && who->overrider)
		return 1;
	if (!who->operator && who->addr != NULL &&
	    plan_lists(p, &p->overriders, who->addr, NULL))
		return 1;
	addrs = wholist_addrs(p, &p->overriders, NULL);
	xasprintf(why, "%s may not override a rule of plan %s; %s%sthe overriders of termijnd "
	    "may", who->label, p->id, addrs ? addrs : "only", addrs ? " or " : " ");
	free(addrs);
	return 0;
}
