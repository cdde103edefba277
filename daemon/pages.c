/* pages.c: the read-only pages (pure): a plan's timeline, its table, what threatens its last
 * deadline, and one step with its rules and history. Every string goes through html.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "pages.h"
#include "slack.h"
#include "tz.h"
#include "xmalloc.h"

static const char *const months[12] = {
	N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
	N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec")
};

const char *
pages_state_name(enum derived d)
{
	switch (d) {
	case DV_BLOCKED:	return _("blocked");
	case DV_READY:		return _("ready");
	case DV_OVERDUE:	return _("overdue");
	case DV_DONE:		return _("done");
	case DV_DONE_LATE:	return _("done late");
	case DV_WAIVED:		return _("waived");
	}
	return "?";
}

const char *
pages_state_symbol(enum derived d)
{
	switch (d) {
	case DV_BLOCKED:	return "\u2298";	/* circled slash */
	case DV_READY:		return "\u25b6";	/* play */
	case DV_OVERDUE:	return "!";
	case DV_DONE:		return "\u2713";	/* check */
	case DV_DONE_LATE:	return "\u2713!";
	case DV_WAIVED:		return "\u2013";	/* en dash */
	}
	return "?";
}

/* "17 Dec 2013", with " 09:00" when it has a time of day. */
static void
put_ltime(struct html *h, const struct ltime *lt)
{
	if (!lt->set)
		return;
	html_put(h, "%d %s %d", lt->day, _(months[(lt->mon - 1) % 12]), lt->year);
	if (lt->has_time)
		html_put(h, " %02d:%02d", lt->hour, lt->min);
}

static void
put_instant(struct html *h, const struct plan *p, int64_t t)
{
	struct ltime lt;

	tz_from_utc(p->tz, t, &lt);
	lt.has_time = 1;
	put_ltime(h, &lt);
}

static const char *
party_name(const struct party *pt)
{
	return pt == NULL ? NULL : pt->name != NULL ? pt->name : pt->id;
}

static const char *
role_name(const struct plan *p, const char *role)
{
	const struct role *r = plan_role(p, role);

	return r != NULL && r->name != NULL ? r->name : role;
}

/* A step's name: its title, then its party and its occurrence's date. */
static void
put_step_name(struct html *h, const struct instance *in)
{
	html_text(h, in->title);
	if (in->party != NULL)
		html_put(h, " \u2014 %s", party_name(in->party));
	if (in->nocc > 1) {
		html_raw(h, " (");
		put_ltime(h, &in->timing.due);
		html_raw(h, ")");
	}
}

/* Its timing: "from A to B", "not before A, by B", "on A", "by B". */
static void
put_timing(struct html *h, const struct instance *in)
{
	const struct timing *t = &in->timing;

	if (t->on) {
		html_put(h, "%s ", _("on"));
		put_ltime(h, &t->due);
	} else if (t->from.set) {
		put_ltime(h, &t->from);
		html_raw(h, " \u2013 ");
		put_ltime(h, &t->due);
	} else {
		html_put(h, "%s ", _("by"));
		put_ltime(h, &t->due);
	}
	if (t->not_before.set) {
		html_put(h, "; %s ", _("not before"));
		put_ltime(h, &t->not_before);
	}
}

static void
put_state(struct html *h, enum derived dv)
{
	html_put(h, "<span class=\"st-%s\"><span class=\"sym\" aria-hidden=\"true\">%s</span> "
	    "%s</span>", derived_name(dv), pages_state_symbol(dv), pages_state_name(dv));
}

static void
put_step_link(struct html *h, const struct view *v, const struct plan *p,
    const struct instance *in)
{
	html_put(h, "<a href=\"%s/step?plan=", v->base);
	html_url(h, p->id);
	html_raw(h, "&amp;key=");
	html_url(h, in->key);
	html_raw(h, "\">");
	put_step_name(h, in);
	html_raw(h, "</a>");
}

/* What a step waits for, as a list of short phrases; returns how many. */
static size_t
put_waits(struct html *h, const struct plan *p, const struct istate *st, size_t idx,
    int64_t now, const char *sep)
{
	struct unmet *u;
	size_t n = rules_unmet(p, st, idx, now, &u), i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			html_raw(h, sep);
		switch (u[i].kind) {
		case UNMET_REQUIRES:
			put_step_name(h, &p->inst[u[i].inst]);
			break;
		case UNMET_TOGETHER:
			html_put(h, "%s: ", _("together with"));
			put_step_name(h, &p->inst[u[i].via]);
			break;
		case UNMET_NOT_BEFORE:
		case UNMET_WINDOW:
			html_put(h, "%s ", u[i].kind == UNMET_WINDOW ? _("its window opens") :
			    _("not before"));
			put_instant(h, p, u[i].not_before);
			break;
		}
	}
	free(u);
	return n;
}

/* Slack in whole days, rounded towards zero: "+3 days", "0 days", "-2 days". */
static void
put_slack(struct html *h, int64_t s)
{
	long days = (long)(s / 86400);

	html_put(h, "%s%ld %s", days > 0 ? "+" : days < 0 ? "\u2212" : "", days < 0 ? -days :
	    days, P_("day", "days", (unsigned long)(days < 0 ? -days : days)));
}

/* ---- the frame of every page ---- */

enum tab { TAB_TIMELINE, TAB_TABLE, TAB_STEP };

static const char *
view_lang(const struct view *v)
{
	return v->nparts > 0 && v->parts[0].plan->lang != NULL ? v->parts[0].plan->lang : "en";
}

static void
head(struct html *h, const struct view *v, enum tab tab, const char *title)
{
	html_begin(h, view_lang(v), title);
	html_put(h, "<a class=\"skip\" href=\"#main\">%s</a>\n<header>\n<nav aria-label=\"%s\">",
	    _("Skip to the content"), _("Views"));
	if (tab == TAB_TIMELINE)
		html_put(h, "<span aria-current=\"page\">%s</span>", _("Timeline"));
	else
		html_put(h, "<a href=\"%s\">%s</a>", v->base, _("Timeline"));
	if (tab == TAB_TABLE)
		html_put(h, "<span aria-current=\"page\">%s</span>", _("Table"));
	else
		html_put(h, "<a href=\"%s/table\">%s</a>", v->base, _("Table"));
	html_raw(h, "</nav>\n");
	html_put(h, "<h1>%s</h1>\n<p class=\"sub\">%s ", title, _("As it stands on"));
	if (v->nparts > 0)
		put_instant(h, v->parts[0].plan, v->now);
	html_raw(h, "</p>\n</header>\n<main id=\"main\">\n");
}

static void
foot(struct html *h)
{
	html_raw(h, "</main>\n");
	html_end(h);
}

/* Links to the pages of steps before and after this one, when there are more. */
static void
pager(struct html *h, const struct view *v, const char *page, size_t total)
{
	if (v->from == 0 && v->from + v->rows >= total)
		return;
	html_put(h, "<nav class=\"noprint\" aria-label=\"%s\"><p>", _("Pages"));
	html_put(h, _("Steps %zu to %zu of %zu."), v->from + 1, v->from + v->rows < total ?
	    v->from + v->rows : total, total);
	if (v->from > 0)
		html_put(h, " <a href=\"%s%s?from=%zu\">%s</a>", v->base, page,
		    v->from > v->rows ? v->from - v->rows : 0, _("previous"));
	if (v->from + v->rows < total)
		html_put(h, " <a href=\"%s%s?from=%zu\">%s</a>", v->base, page, v->from + v->rows,
		    _("next"));
	html_raw(h, "</p></nav>\n");
}

static size_t
view_total(const struct view *v)
{
	size_t i, n = 0;

	for (i = 0; i < v->nparts; i++)
		n += v->parts[i].n;
	return n;
}

/* ---- the table ---- */

void
pages_table(struct html *h, const struct view *v)
{
	size_t i, j, g = 0, total = view_total(v);
	struct slack sl;

	head(h, v, TAB_TABLE, v->title);
	pager(h, v, "/table", total);
	for (i = 0; i < v->nparts; i++) {
		const struct view_part *vp = &v->parts[i];
		const struct plan *p = vp->plan;
		int have = slack_compute(p, vp->st, v->now, &sl) == 0;

		if (g + vp->n <= v->from || g >= v->from + v->rows) {
			g += vp->n;
			if (have)
				slack_free(&sl);
			continue;
		}
		html_put(h, "<table class=\"steps\">\n<caption>%s</caption>\n<thead><tr>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "</tr></thead>\n<tbody>\n", p->title, _("Step"), _("Owner"), _("Timing"),
		    _("State"), _("Waits for"), _("Slack"));
		for (j = 0; j < vp->n; j++, g++) {
			size_t k = vp->inst[j];
			const struct instance *in = &p->inst[k];
			enum derived dv = rules_derived(p, vp->st, k, v->now);

			if (g < v->from || g >= v->from + v->rows)
				continue;
			html_put(h, "<tr data-key=\"%s\" data-state=\"%s\"", in->key,
			    derived_name(dv));
			html_raw(h, have && sl.crit[k] ? " class=\"crit\"><th scope=\"row\">" :
			    "><th scope=\"row\">");
			put_step_link(h, v, p, in);
			html_put(h, "</th><td>%s</td><td>", role_name(p, in->owner));
			put_timing(h, in);
			html_raw(h, "</td><td>");
			put_state(h, dv);
			if (vp->st[k].status != ST_OPEN) {
				html_raw(h, ", ");
				put_instant(h, p, vp->st[k].at);
			}
			html_raw(h, "</td><td>");
			if (vp->st[k].status == ST_OPEN)
				put_waits(h, p, vp->st, k, v->now, "; ");
			html_raw(h, "</td><td class=\"num\">");
			if (have && vp->st[k].status == ST_OPEN) {
				put_slack(h, sl.slack[k]);
				if (sl.crit[k])
					html_put(h, " <strong>%s</strong>", _("critical"));
			}
			html_raw(h, "</td></tr>\n");
		}
		html_raw(h, "</tbody>\n</table>\n");
		if (have)
			slack_free(&sl);
	}
	pager(h, v, "/table", total);
	foot(h);
}
