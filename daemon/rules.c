/* rules.c: the rule engine: which rules are unmet, the derived state, what a change unblocks. */
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "xmalloc.h"

int
rules_met(const struct istate *s)
{
	return s->status == ST_DONE || s->status == ST_WAIVED;
}

size_t
rules_unmet(const struct plan *p, const struct istate *st, size_t idx, int64_t now,
    struct unmet **out)
{
	const struct instance *in = &p->inst[idx];
	struct unmet *v = NULL;
	size_t n = 0, cap = 0, i;

	for (i = 0; i < in->npre; i++) {
		if (rules_met(&st[in->pre[i]]))
			continue;
		XGROW(v, n, cap);
		v[n].kind = UNMET_REQUIRES;
		v[n].inst = in->pre[i];
		v[n].not_before = 0;
		n++;
	}
	if (in->opens && now < in->opens) {
		XGROW(v, n, cap);
		v[n].kind = UNMET_WINDOW;
		v[n].inst = idx;
		v[n].not_before = in->opens;
		n++;
	}
	if (in->not_before && now < in->not_before && in->not_before > in->opens) {
		XGROW(v, n, cap);
		v[n].kind = UNMET_NOT_BEFORE;
		v[n].inst = idx;
		v[n].not_before = in->not_before;
		n++;
	}
	if (out != NULL)
		*out = v;
	else
		free(v);
	return n;
}

int64_t
rules_earliest(const struct instance *in)
{
	return in->not_before > in->opens ? in->not_before : in->opens;
}

enum derived
rules_derived(const struct plan *p, const struct istate *st, size_t idx, int64_t now)
{
	const struct instance *in = &p->inst[idx];
	const struct istate *s = &st[idx];

	switch (s->status) {
	case ST_DONE:
		return s->at > in->deadline ? DV_DONE_LATE : DV_DONE;
	case ST_WAIVED:
		return DV_WAIVED;
	case ST_OPEN:
		break;
	}
	if (now >= in->deadline)
		return DV_OVERDUE;
	return rules_unmet(p, st, idx, now, NULL) > 0 ? DV_BLOCKED : DV_READY;
}

const char *
derived_name(enum derived d)
{
	switch (d) {
	case DV_BLOCKED:	return "blocked";
	case DV_READY:		return "ready";
	case DV_OVERDUE:	return "overdue";
	case DV_DONE:		return "done";
	case DV_DONE_LATE:	return "done-late";
	case DV_WAIVED:		return "waived";
	}
	return "?";
}

const char *
status_name(enum status s)
{
	switch (s) {
	case ST_OPEN:	return "open";
	case ST_DONE:	return "done";
	case ST_WAIVED:	return "waived";
	}
	return "?";
}

int
status_parse(const char *s, enum status *out)
{
	if (strcmp(s, "open") == 0)
		*out = ST_OPEN;
	else if (strcmp(s, "done") == 0)
		*out = ST_DONE;
	else if (strcmp(s, "waived") == 0)
		*out = ST_WAIVED;
	else
		return -1;
	return 0;
}

size_t
rules_unblocks(const struct plan *p, const struct istate *st, size_t idx, size_t **out)
{
	const struct instance *in = &p->inst[idx], *d;
	size_t *v = NULL, n = 0, cap = 0, i, j;
	int open_pre;

	for (i = 0; i < in->ndep; i++) {
		d = &p->inst[in->dep[i]];
		if (st[d->idx].status != ST_OPEN)
			continue;
		open_pre = 0;
		for (j = 0; j < d->npre; j++)
			if (d->pre[j] != idx && !rules_met(&st[d->pre[j]]))
				open_pre = 1;
		if (open_pre)
			continue;
		XGROW(v, n, cap);
		v[n++] = d->idx;
	}
	*out = v;
	return n;
}

size_t
rules_done_dependents(const struct plan *p, const struct istate *st, size_t idx, size_t **out)
{
	const struct instance *in = &p->inst[idx];
	size_t *v = NULL, n = 0, cap = 0, i;

	for (i = 0; i < in->ndep; i++) {
		if (st[in->dep[i]].status != ST_DONE)
			continue;
		XGROW(v, n, cap);
		v[n++] = in->dep[i];
	}
	*out = v;
	return n;
}

void
istate_clear(struct istate *s)
{
	free(s->actor);
	free(s->note);
	memset(s, 0, sizeof(*s));
}
