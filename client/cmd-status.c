/* cmd-status.c: termijn status: per plan the counts by state and what is due next. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_status_exec(struct client *, int, char **);

const struct cmd_entry cmd_status_entry = {
	"status",
	"",
	N_("each plan's milestones counted by state, and the next open ones"),
	cmd_status_exec
};

static void
print_counts(struct client *c, json_t *counts)
{
	static const char *order[] = {
		"overdue", "ready", "blocked", "done", "done-late", "waived"
	};
	json_t *v;
	size_t i;
	int any = 0;

	fputs("  ", stdout);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		v = json_object_get(counts, order[i]);
		if (!json_is_integer(v) || json_integer_value(v) == 0)
			continue;
		printf("%s%lld ", any ? ", " : "", (long long)json_integer_value(v));
		print_state(c, stdout, order[i]);
		any = 1;
	}
	if (!any)
		fputs(_("no milestones"), stdout);
	fputc('\n', stdout);
}

static void
print_plan(struct client *c, json_t *plan)
{
	struct table *t;
	json_t *inst, *next;
	char *head, *title, *due;
	size_t i;

	xasprintf(&head, "%s: %s", jstr_or(plan, "id", "?"), jstr_or(plan, "title", ""));
	print_heading(c, head);
	free(head);
	print_counts(c, json_object_get(plan, "counts"));

	next = jarr(plan, "next");
	if (json_array_size(next) == 0) {
		printf(_("  nothing open\n"));
		return;
	}
	printf(_("  next:\n"));
	t = table_new(4, _("KEY"), _("STATE"), _("DUE"), _("TITLE"));
	table_noheader(t);
	table_indent(t, 4);
	table_state(t, 1);
	table_flex(t, 3);
	json_array_foreach(next, i, inst) {
		title = inst_title(inst);
		due = inst_due(inst);
		table_row(t, jstr(inst, "key"), jstr(inst, "state"), due, title);
		free(title);
		free(due);
	}
	table_print(c, t);
	table_free(t);
}

static void
print_orphans(struct client *c, json_t *orphans)
{
	struct table *t;
	json_t *o;
	char *at, *by;
	size_t i;

	color_on(c, stdout, "1;33");
	fputs(_("warning:"), stdout);
	color_off(c, stdout);
	printf(_(" recorded states of milestones that are no longer in their plan (kept):\n"));
	t = table_new(5, _("PLAN"), _("KEY"), _("STATUS"), _("AT"), _("BY"));
	table_noheader(t);
	table_indent(t, 2);
	json_array_foreach(orphans, i, o) {
		/* In its plan's zone, when the plan is still there. */
		at = jstr(o, "at") != NULL ? instant_local(jstr(o, "at"), jstr(o, "timezone")) :
		    xstrdup("");
		if (jstr(o, "by") != NULL)
			xasprintf(&by, _("by %s"), jstr(o, "by"));
		else
			by = xstrdup("");
		table_row(t, jstr(o, "plan"), jstr(o, "key"), jstr(o, "status"), at, by);
		free(at);
		free(by);
	}
	table_print(c, t);
	table_free(t);
}

static void
print_unfit(struct client *c, json_t *unfit)
{
	struct table *t;
	json_t *o;
	size_t i;

	color_on(c, stdout, "1;33");
	fputs(_("warning:"), stdout);
	color_off(c, stdout);
	printf(_(" milestones added at run time that no longer fit their plan (kept):\n"));
	t = table_new(4, _("PLAN"), _("ID"), _("TITLE"), _("WHY"));
	table_noheader(t);
	table_indent(t, 2);
	json_array_foreach(unfit, i, o)
		table_row(t, jstr_or(o, "plan", ""), jstr_or(o, "id", ""), jstr_or(o, "title", ""),
		    jstr_or(o, "reason", ""));
	table_print(c, t);
	table_free(t);
}

static void
print_conflicts(struct client *c, json_t *conflicts)
{
	json_t *o;
	size_t i;

	color_on(c, stdout, "1;33");
	fputs(_("warning:"), stdout);
	color_off(c, stdout);
	printf(_(" run-time changes that are not in force:\n"));
	json_array_foreach(conflicts, i, o) {
		printf(_("  %s: %s of %s to \"%s\" (by %s: %s)\n"), jstr_or(o, "plan", ""),
		    jstr_or(o, "kind", ""), jstr_or(o, "key", ""), jstr_or(o, "runtime", ""),
		    jstr_or(o, "by", ""), jstr_or(o, "reason", ""));
		printf("    %s\n", jstr_or(o, "why", ""));
	}
}

struct status_pages {
	struct client		*c;
	struct json_pages	 jp;
	size_t			 nplans;
};

/* One page of the status as it comes: the plans, and after the last what fits none. */
static int
status_page_cb(json_t *page, int first, int last, void *arg)
{
	struct status_pages *sp = arg;
	struct client *c = sp->c;
	json_t *plans = jarr(page, "plans"), *plan, *clock = json_object_get(page, "clock");
	const char *now;
	char *s;
	size_t i;

	if (c->json)
		return json_pages_print(page, first, last, &sp->jp);
	/* A demo clock runs the 2013-2014 timeline now: say what time it thinks it is. */
	if (first && jbool(clock, "demo") && (now = jstr(page, "now")) != NULL) {
		s = instant_local(now, jstr(json_array_get(plans, 0), "timezone"));
		printf(_("demo clock: %s"), s);
		if (json_is_number(json_object_get(clock, "speed")))
			printf(_(", %g times real time"),
			    json_number_value(json_object_get(clock, "speed")));
		printf("\n\n");
		free(s);
	}
	json_array_foreach(plans, i, plan) {
		if (sp->nplans++ > 0)
			fputc('\n', stdout);
		print_plan(c, plan);
	}
	if (!last)
		return ferror(stdout) ? 1 : 0;
	if (sp->nplans == 0)
		printf(_("no plans loaded\n"));
	if (json_array_size(jarr(page, "orphans")) > 0) {
		fputc('\n', stdout);
		print_orphans(c, jarr(page, "orphans"));
	}
	if (json_array_size(jarr(page, "unfit")) > 0) {
		fputc('\n', stdout);
		print_unfit(c, jarr(page, "unfit"));
	}
	if (json_array_size(jarr(page, "conflicts")) > 0) {
		fputc('\n', stdout);
		print_conflicts(c, jarr(page, "conflicts"));
	}
	return ferror(stdout) ? 1 : 0;
}

static int
cmd_status_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct status_pages sp = { c, { "plans", 0, 0 }, 0 };
	int ch, rv;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS, longopts, NULL)) != -1) {
		if ((rv = cmd_option(c, &cmd_status_entry, ch, argv)) != -1)
			return rv;
	}
	if ((rv = cmd_noargs(&cmd_status_entry, argc, argv)) != 0)
		return rv;
	/* The daemon answers in pages of plans: each is printed as it comes, none kept. */
	return api_each_page(c, "/status", NULL, status_page_cb, "cursor", &sp);
}
