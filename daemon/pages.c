/* pages.c: the read-only pages (pure): a plan's timeline, its table, what threatens its last
 * deadline, and one step with its rules and history. Every string goes through html.c. */
#include <math.h>
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

/* A prerequisite, which may be another plan's (then named with that plan's title). */
static void
put_other(struct html *h, const struct plan *p, const struct plan *of, size_t k)
{
	if (of != NULL && of != p)
		html_put(h, "%s: ", of->title);
	put_step_name(h, &(of != NULL ? of : p)->inst[k]);
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
			put_other(h, p, u[i].plan, u[i].inst);
			break;
		case UNMET_TOGETHER:
			html_put(h, "%s: ", _("together with"));
			put_step_name(h, &p->inst[u[i].via]);
			break;
		case UNMET_NO_PARTS:
			/* "Every part" is not met by there being none. */
			html_put(h, "%s %s", _("a first part of"), p->ms[u[i].ms].dim->id);
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

/* ---- the timeline ---- */

#define TL_LABEL	400	/* px of the labels on the left */
#define TL_TOP		46	/* px of the time axis above the rows */
#define TL_ROW		20
#define TL_MAXW		2400	/* px of time at most: a long plan gets fewer px a day */
#define TL_ARROWS	3000	/* arrows drawn on one page at most */
#define TL_LABEL_CHARS	56

struct axis {
	const char	*tz;
	int64_t		 t0, t1;
	double		 px;	/* a day */
};

/* Whole pixels: fractions would only cost the formatting (a quarter of a page's time). */
static int
x_of(const struct axis *a, int64_t t)
{
	return TL_LABEL + (int)lround((double)(t - a->t0) / 86400.0 * a->px);
}

/* At most n characters of s (whole UTF-8 sequences), with an ellipsis when cut. */
static void
put_cut(struct html *h, const char *s, size_t n)
{
	size_t i = 0, chars = 0;
	char *t;

	while (s[i] != '\0' && chars < n) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	if (s[i] == '\0') {
		html_text(h, s);
		return;
	}
	t = xstrndup(s, i);
	html_text(h, t);
	html_raw(h, "\u2026");
	free(t);
}

/* The first and last moments worth showing of a step. */
static void
step_span(const struct instance *in, const struct istate *st, int64_t *lo, int64_t *hi)
{
	*lo = in->deadline;
	*hi = in->deadline;
	if (in->start > 0 && in->start < *lo)
		*lo = in->start;
	if (in->not_before > 0 && in->not_before < *lo)
		*lo = in->not_before;
	if (st->status != ST_OPEN && st->at > *hi)
		*hi = st->at;
}

static void
axis_make(struct axis *a, const struct view *v, const struct view_part *vp, size_t first,
    size_t end)
{
	int64_t lo = INT64_MAX, hi = 0, l, r;
	struct ltime lt;
	size_t j;
	double days;

	for (j = first; j < end; j++) {
		step_span(&vp->plan->inst[vp->inst[j]], &vp->st[vp->inst[j]], &l, &r);
		if (l < lo)
			lo = l;
		if (r > hi)
			hi = r;
	}
	/* Today, when it is near: the line says where the process stands. */
	if (v->now > lo - 60 * 86400 && v->now < lo)
		lo = v->now;
	if (v->now < hi + 60 * 86400 && v->now > hi)
		hi = v->now;
	a->tz = vp->plan->tz;
	/* From the Monday before, to a week after. */
	tz_from_utc(a->tz, lo, &lt);
	lt.has_time = 0;
	lt.hour = lt.min = 0;
	ltime_add_days(&lt, -(int)((ltime_daynum(&lt) + 3) % 7) - 7);
	a->t0 = tz_to_utc(a->tz, &lt);
	a->t1 = hi + 7 * 86400;
	days = (double)(a->t1 - a->t0) / 86400.0;
	a->px = days * 9 <= TL_MAXW ? 9 : TL_MAXW / days;
}

/* Months labelled, weeks as thin lines (when they are wide enough), from the top down. */
static void
axis_draw(struct html *h, const struct axis *a, int height)
{
	struct ltime lt;
	int64_t t;
	int x;

	tz_from_utc(a->tz, a->t0, &lt);
	lt.has_time = 0;
	lt.hour = lt.min = 0;
	if (a->px * 7 >= 8)
		for (t = a->t0; t < a->t1; ltime_add_days(&lt, 7), t = tz_to_utc(a->tz, &lt)) {
			x = x_of(a, t);
			html_put(h, "<line class=\"wk\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
			    "<text x=\"%d\" y=\"38\">%d</text>\n", x, TL_TOP - 4, x, height, x + 2,
			    lt.day);
		}
	tz_from_utc(a->tz, a->t0, &lt);
	lt.day = 1;
	lt.has_time = 0;
	lt.hour = lt.min = 0;
	for (;;) {
		struct ltime next = lt;

		t = tz_to_utc(a->tz, &lt);
		if (t >= a->t1)
			break;
		if (++next.mon > 12) {
			next.mon = 1;
			next.year++;
		}
		x = t < a->t0 ? TL_LABEL : x_of(a, t);
		/* The month the axis begins in, only when its name fits before the next one's. */
		if (t >= a->t0 || x_of(a, tz_to_utc(a->tz, &next)) - x >= 70)
			html_put(h, "<line class=\"mo\" x1=\"%d\" y1=\"4\" x2=\"%d\" y2=\"%d\"/>"
			    "<text class=\"month\" x=\"%d\" y=\"18\">%s %d</text>\n", x, x, height,
			    x + 3, _(months[(lt.mon - 1) % 12]), lt.year);
		lt = next;
	}
}

/* The hover text of a step: title, owner, dates, state, what it waits for. */
static void
put_tip(struct html *h, const struct view_part *vp, size_t k, enum derived dv, int64_t now,
    const struct slack *sl)
{
	const struct plan *p = vp->plan;
	const struct instance *in = &p->inst[k];

	html_raw(h, "<title>");
	put_step_name(h, in);
	html_put(h, "\n%s: %s\n%s: ", _("Owner"), role_name(p, in->owner), _("Timing"));
	put_timing(h, in);
	html_put(h, "\n%s: %s", _("State"), pages_state_name(dv));
	if (vp->st[k].status != ST_OPEN) {
		html_raw(h, ", ");
		put_instant(h, p, vp->st[k].at);
	} else {
		html_put(h, "\n%s: ", _("Waits for"));
		if (put_waits(h, p, vp->st, k, now, "; ") == 0)
			html_put(h, "%s", _("nothing"));
		if (sl != NULL) {
			html_put(h, "\n%s: ", _("Slack"));
			put_slack(h, sl->slack[k]);
			if (sl->crit[k])
				html_put(h, " (%s)", _("critical"));
		}
	}
	html_raw(h, "</title>");
}

/* One step's row: bars for a window and a not-before, a diamond on the deadline, a symbol. */
static void
put_step_row(struct html *h, const struct view *v, const struct view_part *vp, size_t k,
    const struct axis *a, int y, const char *label, const struct slack *sl)
{
	const struct plan *p = vp->plan;
	const struct instance *in = &p->inst[k];
	enum derived dv = rules_derived(p, vp->st, k, v->now);
	const char *dn = derived_name(dv);
	int xd = x_of(a, in->deadline), cy = y + TL_ROW / 2;

	html_raw(h, sl != NULL && sl->crit[k] ? "<a class=\"step crit\"" : "<a class=\"step\"");
	html_put(h, " data-key=\"%s\" data-state=\"%s\" href=\"%s/step?plan=", in->key, dn,
	    v->base);
	html_url(h, p->id);
	html_raw(h, "&amp;key=");
	html_url(h, in->key);
	/* Its name is its <title>: the step, its owner, dates, state and what it waits for. */
	html_raw(h, "\">");
	put_tip(h, vp, k, dv, v->now, sl);
	html_put(h, "<rect class=\"hit\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\"/>", y,
	    x_of(a, a->t1), TL_ROW);
	html_put(h, "<text x=\"14\" y=\"%d\">", cy + 4);
	put_cut(h, label, TL_LABEL_CHARS);
	html_raw(h, "</text>");
	if (in->timing.from.set || in->timing.on)
		html_put(h, "<rect class=\"win st-%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"10\"/>",
		    dn, x_of(a, in->start), cy - 5, xd - x_of(a, in->start) > 1 ? xd - x_of(a,
		    in->start) : 1);
	if (in->not_before > 0 && in->not_before < in->deadline)
		html_put(h, "<rect class=\"nb st-%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"8\"/>",
		    dn, x_of(a, in->not_before), cy - 4, xd - x_of(a, in->not_before));
	html_put(h, "<polygon class=\"dia st-%s\" points=\"%d,%d %d,%d %d,%d "
	    "%d,%d\"/>", dn, xd, cy - 7, xd + 7, cy, xd, cy + 7, xd - 7, cy);
	html_put(h, "<text class=\"sym st-%s\" aria-hidden=\"true\" x=\"%d\" y=\"%d\">%s</text></a>\n", dn, xd + 10,
	    cy + 4, pages_state_symbol(dv));
}

static void
legend(struct html *h)
{
	static const enum derived order[] = { DV_DONE, DV_DONE_LATE, DV_READY, DV_BLOCKED,
	    DV_OVERDUE, DV_WAIVED };
	size_t i;

	html_put(h, "<ul class=\"legend\" aria-label=\"%s\">", _("Legend"));
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		html_raw(h, "<li>");
		put_state(h, order[i]);
		html_raw(h, "</li>");
	}
	html_put(h, "<li>\u25c6 %s</li><li>\u25ac %s</li><li>\u25ad %s</li><li>\u2192 %s</li>"
	    "<li><strong>%s</strong>: %s</li></ul>\n", _("deadline"), _("window"),
	    _("not before, to the deadline"), _("requires"), _("critical"),
	    _("if late, the last deadline moves"));
}

/* What threatens the last deadline: the open steps with the least slack. */
static void
threats(struct html *h, const struct view *v, const struct view_part *vp, const struct slack *sl)
{
	const struct plan *p = vp->plan;
	size_t *o, n = slack_order(sl, vp->st, &o), i, shown = 0;

	html_put(h, "<section aria-labelledby=\"thr-%s\"><h2 id=\"thr-%s\">%s</h2>\n<p>", p->id,
	    p->id, _("What threatens the last deadline"));
	html_put(h, "%s: ", _("The last deadline"));
	put_step_link(h, v, p, &p->inst[sl->final_idx]);
	html_raw(h, ", ");
	put_ltime(h, &p->inst[sl->final_idx].timing.due);
	html_raw(h, ".</p>\n");
	if (n == 0) {
		html_put(h, "<p>%s</p></section>\n", _("Every step is done or waived."));
		free(o);
		return;
	}
	html_put(h, "<table class=\"threats\"><caption>%s</caption><thead><tr>"
	    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">%s</th></tr></thead><tbody>\n", _("Open steps, least slack first"),
	    _("Step"), _("Timing"), _("State"), _("Slack"));
	for (i = 0; i < n && shown < 12; i++) {
		size_t k = o[i];

		shown++;
		html_put(h, "<tr data-key=\"%s\"", p->inst[k].key);
		html_raw(h, sl->crit[k] ? " class=\"crit\"><th scope=\"row\">" :
		    "><th scope=\"row\">");
		put_step_link(h, v, p, &p->inst[k]);
		html_raw(h, "</th><td>");
		put_timing(h, &p->inst[k]);
		html_raw(h, "</td><td>");
		put_state(h, rules_derived(p, vp->st, k, v->now));
		html_raw(h, "</td><td class=\"num\">");
		put_slack(h, sl->slack[k]);
		if (sl->crit[k])
			html_put(h, " <strong>%s</strong>", _("critical"));
		html_raw(h, "</td></tr>\n");
	}
	html_raw(h, "</tbody></table>\n");
	if (n > shown)
		html_put(h, "<p><a href=\"%s/table\">%s</a></p>\n", v->base,
		    _("Every step, with its slack, in the table"));
	html_raw(h, "</section>\n");
	free(o);
}

/* One plan's chart: the rows of its steps in [first, end) of the part. */
static void
chart(struct html *h, const struct view *v, const struct view_part *vp, size_t first,
    size_t end, const struct slack *sl)
{
	const struct plan *p = vp->plan;
	struct axis a;
	int *ys, y, height, x1, x2, y1, y2;
	size_t j, nrows = 0, narrows = 0, i, n, *pre;
	const struct milestone *m = NULL;
	char *label;

	axis_make(&a, v, vp, first, end);
	/* Rows first: a milestone's header where it has more than one step here. */
	for (j = first; j < end; j++) {
		const struct instance *in = &p->inst[vp->inst[j]];

		if (in->ms != m) {
			m = in->ms;
			if (in->party != NULL || in->nocc > 1)
				nrows++;
		}
		nrows++;
	}
	height = TL_TOP + (int)nrows * TL_ROW + 6;
	html_put(h, "<div class=\"chart\"><svg class=\"tl\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "role=\"group\" aria-label=\"%s: %s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
	    "%d\">\n", _("Timeline"), p->title, x_of(&a, a.t1), height, x_of(&a, a.t1), height);
	html_raw(h, "<defs><marker id=\"ah\" viewBox=\"0 0 6 6\" refX=\"6\" refY=\"3\" "
	    "markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path class=\"ah\" "
	    "d=\"M0,0 L6,3 L0,6 z\"/></marker></defs>\n");
	axis_draw(h, &a, height);
	ys = xcalloc(p->ninst ? p->ninst : 1, sizeof(int));
	for (j = 0; j < p->ninst; j++)
		ys[j] = -1;
	y = TL_TOP;
	m = NULL;
	for (j = first; j < end; j++) {
		size_t k = vp->inst[j];
		const struct instance *in = &p->inst[k];

		if (in->ms != m) {
			m = in->ms;
			if (in->party != NULL || in->nocc > 1) {
				html_put(h, "<g class=\"ms\" data-id=\"%s\"><rect class=\"band\" x=\"0\" "
				    "y=\"%d\" width=\"%d\" height=\"%d\"/><text class=\"msrow\" "
				    "x=\"4\" y=\"%d\">", m->id, y, x_of(&a, a.t1), TL_ROW,
				    y + TL_ROW / 2 + 4);
				put_cut(h, m->title, TL_LABEL_CHARS);
				html_raw(h, "</text></g>\n");
				y += TL_ROW;
			} else
				html_put(h, "<g class=\"ms\" data-id=\"%s\"></g>\n", m->id);
		}
		if (in->party != NULL && in->nocc > 1) {
			struct html t;

			html_init(&t);
			put_ltime(&t, &in->timing.due);
			xasprintf(&label, "%s (%s)", party_name(in->party), t.p);
			html_free(&t);
		} else if (in->party != NULL)
			label = xstrdup(party_name(in->party));
		else if (in->nocc > 1) {
			struct html t;

			html_init(&t);
			put_ltime(&t, &in->timing.due);
			label = html_steal(&t, NULL);
		} else
			label = xstrdup(in->title);
		put_step_row(h, v, vp, k, &a, y, label, sl);
		free(label);
		ys[k] = y + TL_ROW / 2;
		y += TL_ROW;
	}
	/* Requirements: from the prerequisite's deadline to where the dependent begins. */
	html_raw(h, "<g class=\"arrows\" aria-hidden=\"true\">\n");
	for (j = first; j < end && narrows < TL_ARROWS; j++) {
		size_t k = vp->inst[j];
		const struct instance *in = &p->inst[k];
		int64_t lo, hi;

		step_span(in, &vp->st[k], &lo, &hi);
		n = plan_prereqs(p, k, &pre);
		for (i = 0; i < n && narrows < TL_ARROWS; i++) {
			if (ys[pre[i]] < 0)
				continue;
			x1 = x_of(&a, p->inst[pre[i]].deadline) + 7;
			y1 = ys[pre[i]];
			x2 = x_of(&a, lo) - (lo == in->deadline ? 8 : 1);
			y2 = ys[k];
			html_put(h, "<path class=\"arrow\" marker-end=\"url(#ah)\" d=\"M%d,%d C%d,"
			    "%d %d,%d %d,%d\"/>\n", x1, y1, x1 + 24, y1, x2 - 24, y2, x2, y2);
			narrows++;
		}
		free(pre);
	}
	html_raw(h, "</g>\n");
	if (v->now >= a.t0 && v->now <= a.t1) {
		char iso[32];

		utc_format(v->now, iso, sizeof(iso));
		html_put(h, "<g class=\"now\"><line id=\"today\" class=\"today\" data-time=\"%s\" "
		    "x1=\"%d\" y1=\"22\" x2=\"%d\" y2=\"%d\"/><text class=\"todaylbl\" "
		    "x=\"%d\" y=\"30\">%s</text></g>\n", iso, x_of(&a, v->now), x_of(&a, v->now),
		    height, x_of(&a, v->now) + 3, _("today"));
	}
	html_raw(h, "</svg></div>\n");
	free(ys);
}

void
pages_timeline(struct html *h, const struct view *v)
{
	size_t i, g = 0, first, end, total = view_total(v);
	struct slack sl;

	head(h, v, TAB_TIMELINE, v->title);
	html_put(h, "<p class=\"noprint\">%s <a href=\"%s/table\">%s</a>.</p>\n",
	    _("The same steps, as text:"), v->base, _("the table"));
	legend(h);
	pager(h, v, "", total);
	for (i = 0; i < v->nparts; i++) {
		const struct view_part *vp = &v->parts[i];
		int have;

		if (g + vp->n <= v->from || g >= v->from + v->rows) {
			g += vp->n;
			continue;
		}
		first = v->from > g ? v->from - g : 0;
		end = v->from + v->rows - g < vp->n ? v->from + v->rows - g : vp->n;
		g += vp->n;
		have = slack_compute(vp->plan, vp->st, v->now, &sl) == 0;
		html_put(h, "<section aria-labelledby=\"pl-%s\"><h2 id=\"pl-%s\">%s</h2>\n",
		    vp->plan->id, vp->plan->id, vp->plan->title);
		chart(h, v, vp, first, end, have ? &sl : NULL);
		if (have) {
			threats(h, v, vp, &sl);
			slack_free(&sl);
		}
		html_raw(h, "</section>\n");
	}
	pager(h, v, "", total);
	foot(h);
}

/* ---- one step ---- */

static const char *
action_name(const char *a)
{
	static const char *const names[][2] = {
		{ "done", N_("marked done") }, { "done-override", N_("marked done over a rule") },
		{ "undo", N_("undone") }, { "waive", N_("waived") }, { "add", N_("added") },
		{ "plan-done", N_("done in the plan") }, { "rename", N_("renamed") },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(a, names[i][0]) == 0)
			return _(names[i][1]);
	return a;
}

static const char *
channel_name(const char *c)
{
	if (c == NULL)
		return "termijnd";
	if (strcmp(c, "socket") == 0)
		return _("the termijn command");
	if (strcmp(c, "token") == 0)
		return _("an access token");
	if (strcmp(c, "web") == 0)
		return _("the web pages");
	if (strcmp(c, "mail link") == 0)
		return _("a link in a mail");
	return c;
}

static void
put_rule(struct html *h, int met, const char *what)
{
	html_put(h, "<li class=\"%s\"><span class=\"sym\" aria-hidden=\"true\">%s</span> %s: ",
	    met ? "met" : "unmet", met ? "\u2713" : "\u2717", met ? _("met") : _("not met"));
	html_text(h, what);
	html_raw(h, " ");
}

void
pages_step(struct html *h, const struct view *v, const struct view_part *vp, size_t k,
    const struct view_event *ev, size_t nev)
{
	const struct plan *p = vp->plan;
	const struct instance *in = &p->inst[k];
	const struct istate *s = &vp->st[k];
	enum derived dv = rules_derived(p, vp->st, k, v->now);
	struct html t;
	struct slack sl;
	struct unmet *u;
	const char **addrs;
	size_t i, n, *list, nu;
	char *title;

	/* The title as text (the shell escapes it): with its party, and its date in a series. */
	html_init(&t);
	if (in->nocc > 1) {
		html_raw(&t, " (");
		put_ltime(&t, &in->timing.due);
		html_raw(&t, ")");
	}
	xasprintf(&title, "%s%s%s%s", in->title, in->party ? " \u2014 " : "",
	    in->party ? party_name(in->party) : "", t.p ? t.p : "");
	html_free(&t);
	head(h, v, TAB_STEP, title);
	free(title);
	html_put(h, "<dl>\n<dt>%s</dt><dd>%s</dd>\n", _("Plan"), p->title);
	if (in->party != NULL)
		html_put(h, "<dt>%s</dt><dd>%s</dd>\n", _("Party"), party_name(in->party));
	html_put(h, "<dt>%s</dt><dd>%s", _("Owner"), role_name(p, in->owner));
	n = plan_role_addrs(p, in->owner, in->party, &addrs);
	for (i = 0; i < n; i++) {
		const char *name = plan_person_name(p, addrs[i]);

		html_put(h, "%s%s", i == 0 ? ": " : ", ", name != NULL ? name : addrs[i]);
	}
	free(addrs);
	html_put(h, "</dd>\n<dt>%s</dt><dd>", _("Timing"));
	put_timing(h, in);
	if (in->nocc > 1)
		html_put(h, " (%d/%d)", in->occ, in->nocc);
	html_put(h, "</dd>\n<dt>%s</dt><dd data-state=\"%s\">", _("State"), derived_name(dv));
	put_state(h, dv);
	if (s->status != ST_OPEN) {
		const char *name = s->actor ? plan_person_name(p, s->actor) : NULL;

		html_raw(h, ", ");
		put_instant(h, p, s->at);
		if (s->actor != NULL)
			html_put(h, ", %s", name != NULL ? name : s->actor);
		if (s->note != NULL)
			html_put(h, ": \u201c%s\u201d", s->note);
	}
	html_raw(h, "</dd>\n");
	if (s->status == ST_OPEN && slack_compute(p, vp->st, v->now, &sl) == 0) {
		html_put(h, "<dt>%s</dt><dd>", _("Slack"));
		put_slack(h, sl.slack[k]);
		if (sl.crit[k])
			html_put(h, " <strong>%s</strong>", _("critical"));
		html_raw(h, "</dd>\n");
		slack_free(&sl);
	}
	html_raw(h, "</dl>\n");
	if (in->description != NULL)
		html_put(h, "<h2>%s</h2>\n<p class=\"desc\">%s</p>\n", _("Description"),
		    in->description);

	/* Every rule, met or not. */
	html_put(h, "<h2>%s</h2>\n<ul class=\"rules\">\n", _("Rules"));
	n = plan_prereqs(p, k, &list);
	for (i = 0; i < n; i++) {
		put_rule(h, rules_met(&vp->st[list[i]]), _("requires"));
		put_step_link(h, v, p, &p->inst[list[i]]);
		html_raw(h, " (");
		put_state(h, rules_derived(p, vp->st, list[i], v->now));
		html_raw(h, ")</li>\n");
	}
	free(list);
	if (in->not_before > 0) {
		put_rule(h, v->now >= in->not_before, _("not before"));
		put_instant(h, p, in->not_before);
		html_raw(h, "</li>\n");
	}
	if (in->opens > 0) {
		put_rule(h, v->now >= in->opens, in->timing.on ? _("only on its day") :
		    _("its window opens"));
		put_instant(h, p, in->opens);
		html_raw(h, "</li>\n");
	}
	nu = rules_unmet(p, vp->st, k, v->now, &u);
	for (i = 0; i < nu; i++)
		if (u[i].kind == UNMET_REQUIRES && u[i].plan != NULL && u[i].plan != p) {
			/* Another plan's step: no page of it in this view, its name only. */
			put_rule(h, 0, _("requires"));
			put_other(h, p, u[i].plan, u[i].inst);
			html_raw(h, "</li>\n");
		} else if (u[i].kind == UNMET_NO_PARTS) {
			put_rule(h, 0, _("requires"));
			html_put(h, "%s %s", _("a first part of"), p->ms[u[i].ms].dim->id);
			html_raw(h, "</li>\n");
		} else if (u[i].kind == UNMET_TOGETHER) {
			put_rule(h, 0, _("together with"));
			put_step_link(h, v, p, &p->inst[u[i].via]);
			html_raw(h, "</li>\n");
		}
	free(u);
	if (n == 0 && in->not_before == 0 && in->opens == 0 && nu == 0)
		html_put(h, "<li>%s</li>\n", _("none: it may be done at any time"));
	html_raw(h, "</ul>\n");

	html_put(h, "<h2>%s</h2>\n", _("What waits for it"));
	n = plan_dependents(p, k, &list);
	if (n == 0)
		html_put(h, "<p>%s</p>\n", _("nothing"));
	else {
		html_raw(h, "<ul class=\"deps\">\n");
		for (i = 0; i < n; i++) {
			html_raw(h, "<li>");
			put_step_link(h, v, p, &p->inst[list[i]]);
			html_raw(h, " (");
			put_state(h, rules_derived(p, vp->st, list[i], v->now));
			html_raw(h, ")</li>\n");
		}
		html_raw(h, "</ul>\n");
	}
	free(list);

	html_put(h, "<h2>%s</h2>\n", _("History"));
	if (nev == 0)
		html_put(h, "<p>%s</p>\n", _("Nothing recorded yet."));
	else {
		html_put(h, "<table class=\"history\"><thead><tr><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th></tr></thead><tbody>\n", _("When"), _("What"), _("Who"),
		    _("Note or reason"), _("How"));
		for (i = 0; i < nev; i++) {
			html_raw(h, "<tr><td>");
			put_instant(h, p, ev[i].at);
			html_put(h, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			    action_name(ev[i].action), ev[i].who ? ev[i].who : "termijnd",
			    ev[i].text ? ev[i].text : "", channel_name(ev[i].channel));
		}
		html_raw(h, "</tbody></table>\n");
	}
	foot(h);
}
