/* authz.c: least privilege by party: owners, coordinators, overriders, local operators. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "i18n.h"
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

/* Add one more to a list of alternatives, "A, B" (the last one joins with "or" later). */
static void
alt(char ***v, size_t *n, char *text)
{
	*v = xreallocarray(*v, *n + 1, sizeof(char *));
	(*v)[(*n)++] = text;
}

/* "A, B or C"; frees the parts. */
static char *
alts_join(char **v, size_t n)
{
	char *out = xstrdup(n > 0 ? v[0] : ""), *s;
	size_t i;

	for (i = 1; i < n; i++) {
		if (i + 1 < n)
			xasprintf(&s, "%s, %s", out, v[i]);
		else
			xasprintf(&s, _("%s or %s"), out, v[i]);
		free(out);
		out = s;
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return out;
}

/* The addresses a wholist stands for, for a party (NULL: any), as "a, b"; NULL: none. */
static char *
wholist_addrs(const struct plan *p, const struct wholist *w, const struct party *pt)
{
	const char **v;
	char *out = NULL, *s;
	size_t i, j, n;

	for (i = 0; i < w->n; i++) {
		n = strchr(w->v[i], '@') != NULL ? 1 : plan_role_addrs(p, w->v[i], pt, &v);
		for (j = 0; j < n; j++) {
			xasprintf(&s, "%s%s%s", out ? out : "", out ? ", " : "",
			    strchr(w->v[i], '@') != NULL ? w->v[i] : v[j]);
			free(out);
			out = s;
		}
		if (strchr(w->v[i], '@') == NULL)
			free(v);
	}
	return out;
}

static void
who_may(const struct plan *p, const struct instance *in, enum authz_verb verb, char **why)
{
	const struct role *r;
	const char **v, *role;
	char **alts = NULL, *owners = NULL, *addrs, *s, *list;
	size_t i, n, nalts = 0;

	if (in != NULL && verb != AZ_ADD) {
		r = plan_role(p, in->owner);
		role = r != NULL && r->name != NULL ? r->name : in->owner;
		n = plan_role_addrs(p, in->owner, in->party, &v);
		for (i = 0; i < n; i++) {
			xasprintf(&s, "%s%s%s", owners ? owners : "", owners ? ", " : "", v[i]);
			free(owners);
			owners = s;
		}
		free(v);
		if (in->party != NULL)
			xasprintf(&s, _("the %s of %s (%s)"), role, party_label(in->party),
			    owners ? owners : "-");
		else
			xasprintf(&s, _("the %s of any party (%s)"), role, owners ? owners : "-");
		alt(&alts, &nalts, s);
		/* The same people twice (owners who coordinate too) say nothing new. */
		if (in->party != NULL && in->party->coordinators.n > 0 &&
		    (addrs = wholist_addrs(p, &in->party->coordinators, in->party)) != NULL) {
			if (owners == NULL || strcmp(owners, addrs) != 0) {
				xasprintf(&s, _("a coordinator of %s (%s)"), party_label(in->party),
				    addrs);
				alt(&alts, &nalts, s);
			}
			free(addrs);
		}
		free(owners);
	}
	if (p->coordinators.n > 0 && (addrs = wholist_addrs(p, &p->coordinators, NULL)) != NULL) {
		xasprintf(&s, _("a coordinator of the plan (%s)"), addrs);
		alt(&alts, &nalts, s);
		free(addrs);
	}
	alt(&alts, &nalts, xstrdup(_("an operator of termijnd")));
	list = alts_join(alts, nalts);
	switch (verb) {
	case AZ_DONE:
		xasprintf(why, _("%s can be marked done by %s"), in->key, list);
		break;
	case AZ_UNDO:
		xasprintf(why, _("%s can be reopened by %s"), in->key, list);
		break;
	case AZ_WAIVE:
		xasprintf(why, _("%s can be waived by %s"), in->key, list);
		break;
	case AZ_ADD:
		xasprintf(why, _("milestones can be added to plan %s by %s"), p->id, list);
		break;
	case AZ_PART:
		xasprintf(why, _("parts can be added to and cancelled in plan %s by %s"), p->id,
		    list);
		break;
	case AZ_CHANGE:
		break;
	}
	free(list);
}

enum authz_verdict
authz_check(const struct plan *p, const struct instance *in, const struct authz_who *who,
    enum authz_verb verb, char **why)
{
	*why = NULL;
	if (who->operator)
		return AZ_OPERATOR;
	/* A change of the plan itself is the plan file's author's, who is an operator. */
	if (verb == AZ_CHANGE) {
		xasprintf(why, _("plan %s can be changed while it runs by an operator of termijnd "
		    "only"), p->id);
		return AZ_DENY;
	}
	if (who->addr != NULL) {
		if (in != NULL && verb != AZ_ADD && plan_holds(p, who->addr, in->owner, in->party))
			return AZ_OWNER;
		if (in != NULL && verb != AZ_ADD && in->party != NULL &&
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
	if (addrs != NULL)
		xasprintf(why, _("%s may not override a rule of plan %s; %s or the overriders of "
		    "termijnd may"), who->label, p->id, addrs);
	else
		xasprintf(why, _("%s may not override a rule of plan %s; only the overriders of "
		    "termijnd may"), who->label, p->id);
	free(addrs);
	return 0;
}
