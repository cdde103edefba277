/* planedit.c: changes to a running plan, checked by the plan's own validator (pure). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "planedit.h"
#include "xmalloc.h"

struct planedit_saved {
	enum edit_kind		 kind;
	size_t			 idx;		/* the milestone's place in p->ms */
	struct timing		 timing;	/* move: the milestone's, or the party's for block's */
	size_t			 ovr;		/* move of a party: its for block in m->ovr */
	int			 ovr_new;	/* ... made by the move */
	char			*title;		/* retitle: the old one; else the new one */
	struct milestone	 ms;		/* cancel: the milestone taken out */
};

static const char *kind_names[] = {
	[EDIT_MOVE] = "move", [EDIT_RETITLE] = "retitle", [EDIT_CANCEL] = "cancel",
	[EDIT_REQUIRE] = "require"
};

const char *
planedit_kind_name(enum edit_kind k)
{
	return kind_names[k];
}

void
planedit_clear(struct planedit *ed)
{
	free(ed->key);
	free(ed->ms);
	free(ed->party);
	free(ed->title);
	free(ed->on);
	memset(ed, 0, sizeof(*ed));
}

/* A time given, or "none" to take it away (*set 1 either way; lt->set 0 for none). */
static int
json_time(json_t *o, const char *name, int none_ok, int *set, struct ltime *lt, char **cause)
{
	json_t *v = json_object_get(o, name);
	const char *s;

	memset(lt, 0, sizeof(*lt));
	if (v == NULL || json_is_null(v))
		return 0;
	s = json_string_value(v);
	*set = 1;
	if (s != NULL && none_ok && strcmp(s, "none") == 0)
		return 0;
	if (s == NULL || ltime_parse(s, lt) == -1) {
		xasprintf(cause, none_ok ? _("%s: write YYYY-MM-DD, YYYY-MM-DD HH:MM or none") :
		    _("%s: write YYYY-MM-DD or YYYY-MM-DD HH:MM"), name);
		return -1;
	}
	return 0;
}

int
planedit_from_json(enum edit_kind k, json_t *o, struct planedit *ed, char **cause)
{
	const char *key = json_string_value(json_object_get(o, "key"));
	const char *title = json_string_value(json_object_get(o, "title"));
	const char *on = json_string_value(json_object_get(o, "on"));
	const char *at = key != NULL ? strchr(key, '@') : NULL;
	struct requirement r;

	memset(ed, 0, sizeof(*ed));
	ed->kind = k;
	if (at != NULL && k == EDIT_MOVE) {
		ed->ms = xstrndup(key, (size_t)(at - key));
		ed->party = xstrdup(at + 1);
		if (!id_valid(ed->ms) || !id_valid(ed->party)) {
			xasprintf(cause, _("key: the id of a milestone, or ID@PARTY for one party's "
			    "own timing"));
			goto bad;
		}
	} else if (key == NULL || !id_valid(key)) {
		xasprintf(cause, _("key: the id of a milestone (without @PARTY: a change is to the "
		    "milestone of every party; only move takes ID@PARTY)"));
		return -1;
	} else
		ed->ms = xstrdup(key);
	ed->key = xstrdup(key);
	switch (k) {
	case EDIT_MOVE:
		if (json_time(o, "due", 0, &ed->set_due, &ed->due, cause) == -1 ||
		    json_time(o, "from", 1, &ed->set_from, &ed->from, cause) == -1 ||
		    json_time(o, "not_before", 1, &ed->set_nb, &ed->not_before, cause) == -1)
			goto bad;
		if (!ed->set_due && !ed->set_from && !ed->set_nb) {
			xasprintf(cause, _("move: give a due date, a window start or a not-before"));
			goto bad;
		}
		break;
	case EDIT_RETITLE:
		if (title == NULL || *title == '\0' || strlen(title) > 1000 || !text_valid(title, 0)) {
			xasprintf(cause, _("title: one line of text, at most 1000 bytes"));
			goto bad;
		}
		ed->title = xstrdup(title);
		break;
	case EDIT_REQUIRE:
		if (on == NULL) {
			xasprintf(cause, _("on: the milestone it is to require"));
			goto bad;
		}
		if (requirement_parse(on, &r, cause) == -1)
			goto bad;
		free(r.id);
		free(r.party);
		if (r.plan != NULL) {
			free(r.plan);
			xasprintf(cause, _("on: a milestone of the same plan (one of another plan is "
			    "required in the plan file)"));
			goto bad;
		}
		ed->on = xstrdup(on);
		break;
	case EDIT_CANCEL:
		break;
	}
	return 0;
bad:
	planedit_clear(ed);
	return -1;
}

static void
put_time(json_t *o, const char *name, int set, const struct ltime *lt)
{
	char buf[32];

	if (!set)
		return;
	if (!lt->set) {
		json_object_set_new(o, name, json_string("none"));
		return;
	}
	ltime_format(lt, buf, sizeof(buf));
	json_object_set_new(o, name, json_string(buf));
}

json_t *
planedit_to_json(const struct planedit *ed)
{
	json_t *o = json_pack("{s:s}", "key", ed->key);

	put_time(o, "due", ed->set_due, &ed->due);
	put_time(o, "from", ed->set_from, &ed->from);
	put_time(o, "not_before", ed->set_nb, &ed->not_before);
	if (ed->title != NULL)
		json_object_set_new(o, "title", json_string(ed->title));
	if (ed->on != NULL)
		json_object_set_new(o, "on", json_string(ed->on));
	return o;
}

static char *
timing_text(const struct timing *t)
{
	char d[32], f[32], n[32], *s;

	ltime_format(&t->due, d, sizeof(d));
	ltime_format(&t->from, f, sizeof(f));
	ltime_format(&t->not_before, n, sizeof(n));
	/* notr: the form of a plan file's keys, which is not translated either */
	xasprintf(&s, "%s %s%s%s%s%s", t->on ? "on" : "due", d,
	    t->from.set && !t->on ? ", window from " : "", t->from.set && !t->on ? f : "",
	    t->not_before.set ? ", not before " : "", t->not_before.set ? n : "");
	return s;
}

static int
req_is(const struct requirement *r, const struct requirement *w)
{
	return strcmp(r->id, w->id) == 0 && r->scope == w->scope && r->last == w->last &&
	    (r->scope != REQ_PARTY || strcmp(r->party, w->party) == 0);
}

char *
planedit_value(const struct plan *p, const struct planedit *ed)
{
	struct milestone *m = plan_milestone(p, ed->ms);
	struct requirement w;
	struct timing t;
	char *cause = NULL;
	size_t i;
	int has = 0;

	if (m == NULL)
		return ed->kind == EDIT_CANCEL ? xstrdup("absent") : NULL;
	switch (ed->kind) {
	case EDIT_MOVE:
		planedit_timing(p, ed, &t);
		return timing_text(&t);
	case EDIT_RETITLE:
		return xstrdup(m->title);
	case EDIT_CANCEL:
		return xstrdup("present");
	case EDIT_REQUIRE:
		if (requirement_parse(ed->on, &w, &cause) == -1) {
			free(cause);
			return NULL;
		}
		for (i = 0; i < m->nreqs && !has; i++)
			has = req_is(&m->reqs[i], &w);
		free(w.id);
		free(w.party);
		xasprintf(&cause, "%s %s", has ? "requires" : "does not require", ed->on);
		return cause;
	}
	return NULL;
}

/* The for block of party in m, or NULL. */
static struct override *
party_block(const struct milestone *m, const char *party)
{
	size_t i;

	for (i = 0; party != NULL && i < m->novr; i++)
		if (strcmp(m->ovr[i].party, party) == 0)
			return &m->ovr[i];
	return NULL;
}

void
planedit_timing(const struct plan *p, const struct planedit *ed, struct timing *t)
{
	struct milestone *m = plan_milestone(p, ed->ms);
	struct override *o;

	memset(t, 0, sizeof(*t));
	if (m == NULL)
		return;
	*t = m->timing;
	/* As plan.c applies a for block: its due or window for both, its not-before. */
	if ((o = party_block(m, ed->party)) == NULL)
		return;
	if (o->timing.due.set) {
		t->due = o->timing.due;
		t->from = o->timing.from;
		t->on = o->timing.on;
	}
	if (o->timing.not_before.set)
		t->not_before = o->timing.not_before;
}

/* The edit's times over t. */
static void
move_timing(struct timing *t, const struct planedit *ed)
{
	if (ed->set_due) {
		t->due = ed->due;
		if (t->on)
			t->from = ed->due;
	}
	if (ed->set_from) {
		t->from = ed->from;
		t->on = 0;
	}
	if (ed->set_nb)
		t->not_before = ed->not_before;
}

/*
 * A move of one party's timing: written into its for block (made when it has none), as the
 * plan file would have it. -1 and *cause where a for block cannot say it.
 */
static int
move_party(const struct plan *p, struct milestone *m, const struct planedit *ed,
    struct planedit_saved *sv, char **cause)
{
	struct override *o;
	struct timing t;
	size_t k;

	for (k = m->inst_first; k < m->inst_first + m->inst_n; k++)
		if (p->inst[k].party != NULL && strcmp(p->inst[k].party->id, ed->party) == 0)
			break;
	if (!m->per_party || k == m->inst_first + m->inst_n) {
		xasprintf(cause, m->per_party ? _("milestone %s does not apply to a party %s") :
		    _("milestone %s is not per party: move it without @%s"), m->id, ed->party);
		return -1;
	}
	planedit_timing(p, ed, &t);
	move_timing(&t, ed);
	if (!t.not_before.set && m->timing.not_before.set) {
		xasprintf(cause, _("a for block can replace the not-before of %s, not take it away "
		    "(move %s --not-before none takes it away for every party)"), m->id, m->id);
		return -1;
	}
	if ((o = party_block(m, ed->party)) == NULL) {
		m->ovr = xreallocarray(m->ovr, m->novr + 1, sizeof(*m->ovr));
		o = &m->ovr[m->novr++];
		memset(o, 0, sizeof(*o));
		o->party = xstrdup(ed->party);
		o->nkeys = 1;
		o->line = m->line;
		sv->ovr_new = 1;
	}
	sv->ovr = (size_t)(o - m->ovr);
	sv->timing = o->timing;
	o->timing.due = t.due;
	o->timing.from = t.from;
	o->timing.on = t.on;
	o->timing.not_before = t.not_before;
	return 0;
}

/* The validator's messages as one line, without "file:line: ": they are about the change. */
static char *
joined(const struct errlist *errs)
{
	char *msg = xstrdup(""), *nm;
	const char *s;
	size_t i;

	for (i = 0; i < errs->n; i++) {
		s = strstr(errs->msg[i], ": ");
		xasprintf(&nm, "%s%s%s", msg, i ? "; " : "", s ? s + 2 : errs->msg[i]);
		free(msg);
		msg = nm;
	}
	if (errs->dropped > 0) {
		xasprintf(&nm, "%s; ...", msg);
		free(msg);
		msg = nm;
	}
	return msg;
}

/* Put a change back in place; the plan is expanded again by the caller. */
static void
undo_in_place(struct plan *p, struct planedit_saved *sv)
{
	struct milestone *m = &p->ms[sv->idx];
	struct requirement *r;
	char *t;

	switch (sv->kind) {
	case EDIT_MOVE:
		if (sv->ovr_new) {
			free(m->ovr[--m->novr].party);
			sv->ovr_new = 0;
		} else if (sv->ovr != SIZE_MAX)
			m->ovr[sv->ovr].timing = sv->timing;
		else
			m->timing = sv->timing;
		break;
	case EDIT_RETITLE:
		t = m->title;
		m->title = sv->title;
		sv->title = t;
		break;
	case EDIT_REQUIRE:
		r = &m->reqs[--m->nreqs];
		free(r->id);
		free(r->party);
		break;
	case EDIT_CANCEL:
		/* Through plan.c, which keeps p->ms_cap: a realloc here left it larger than the
		 * array, and the next add wrote past the end. */
		plan_ms_room(p);
		memmove(&p->ms[sv->idx + 1], &p->ms[sv->idx], (p->nms - sv->idx) * sizeof(*p->ms));
		p->ms[sv->idx] = sv->ms;
		p->nms++;
		memset(&sv->ms, 0, sizeof(sv->ms));
		break;
	}
	/* The milestones moved in the array: their index by id is made again. */
	p->nms_sorted = (size_t)-1;
}

int
planedit_apply(struct plan *p, const struct planedit *ed, struct planedit_saved **out,
    char **cause)
{
	struct milestone *m = plan_milestone(p, ed->ms);
	struct planedit_saved *sv;
	struct errlist errs = { 0 };
	struct requirement *r;
	size_t i;

	*out = NULL;
	if (m == NULL) {
		xasprintf(cause, _("no milestone %s in plan %s"), ed->ms, p->id);
		return -1;
	}
	sv = xcalloc(1, sizeof(*sv));
	sv->kind = ed->kind;
	sv->idx = (size_t)(m - p->ms);
	sv->ovr = SIZE_MAX;
	switch (ed->kind) {
	case EDIT_MOVE:
		if (ed->party != NULL) {
			if (move_party(p, m, ed, sv, cause) == -1) {
				free(sv);
				return -1;
			}
			break;
		}
		sv->timing = m->timing;
		move_timing(&m->timing, ed);
		break;
	case EDIT_RETITLE:
		sv->title = m->title;
		m->title = xstrdup(ed->title);
		break;
	case EDIT_REQUIRE:
		m->reqs = xreallocarray(m->reqs, m->nreqs + 1, sizeof(*m->reqs));
		r = &m->reqs[m->nreqs];
		if (requirement_parse(ed->on, r, cause) == -1) {
			free(sv);
			return -1;
		}
		r->line = m->line;
		r->runtime = 1;
		for (i = 0; i < m->nreqs; i++)
			if (req_is(&m->reqs[i], r)) {
				xasprintf(cause, _("%s requires %s already"), m->id, ed->on);
				free(r->id);
				free(r->party);
				free(sv);
				return -1;
			}
		m->nreqs++;
		break;
	case EDIT_CANCEL:
		if (!m->runtime) {
			xasprintf(cause, _("%s is in the plan file: only a milestone added at run time "
			    "can be cancelled (take this one out of the file)"), m->id);
			free(sv);
			return -1;
		}
		sv->ms = *m;
		memmove(m, m + 1, (p->nms - sv->idx - 1) * sizeof(*m));
		p->nms--;
		p->nms_sorted = (size_t)-1;
		break;
	}
	errs.max = PLAN_MAX_ERRORS;
	if (plan_expand(p, &errs) == -1) {
		*cause = joined(&errs);
		errlist_free(&errs);
		undo_in_place(p, sv);
		plan_expand(p, &errs);	/* the plan was valid before: this cannot fail */
		errlist_free(&errs);
		planedit_saved_free(sv);
		return -1;
	}
	errlist_free(&errs);
	*out = sv;
	return 0;
}

void
planedit_restore(struct plan *p, struct planedit_saved *sv)
{
	struct errlist errs = { 0 };

	undo_in_place(p, sv);
	plan_expand(p, &errs);
	errlist_free(&errs);
	planedit_saved_free(sv);
}

void
planedit_saved_free(struct planedit_saved *sv)
{
	if (sv == NULL)
		return;
	free(sv->title);
	if (sv->ms.id != NULL) {
		struct milestone *m = milestone_new();

		*m = sv->ms;
		milestone_free(m);
	}
	free(sv);
}
