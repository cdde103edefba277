/* cmd-show.c: termijn show: one milestone instance in full, with its rules and history. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_show_exec(struct client *, int, char **);

const struct cmd_entry cmd_show_entry = {
	"show",
	N_("KEY [-p PLAN]"),
	N_("one milestone in full: timing, state, rules, dependents, history"),
	cmd_show_exec
};

#define LABEL_WIDTH	13

static void
label(const char *text)
{
	size_t n = utf8_len(text);

	printf("  %s%*s ", text, n < LABEL_WIDTH ? (int)(LABEL_WIDTH - n) : 0, "");
}

static void
field(const char *text, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	label(text);
	printf("%s\n", value);
}

/* The instance's local time for field name, or its instant shown in the plan's zone. */
static char *
local_time(json_t *inst, const char *name)
{
	const char *s;
	char *lname;

	xasprintf(&lname, "%s_local", name);
	s = jstr(inst, lname);
	free(lname);
	if (s != NULL)
		return xstrdup(s);
	if ((s = jstr(inst, name)) != NULL)
		return instant_local(s, jstr(inst, "timezone"));
	return NULL;
}

static void
print_timing(json_t *inst)
{
	const char *from = jstr(inst, "from_local"), *due = jstr(inst, "due_local");
	char *s;

	if (from != NULL && due != NULL) {
		xasprintf(&s, "%s .. %s", from, due);
		field(_("Window"), s);
		free(s);
	} else
		field(_("Due"), due);
	field(_("Not before"), jstr(inst, "not_before_local"));
	field(_("Repeats"), jstr(inst, "recurrence"));
	if (json_is_integer(json_object_get(inst, "occurrence"))) {
		xasprintf(&s, "%lld of %lld",
		    (long long)json_integer_value(json_object_get(inst, "occurrence")),
		    (long long)json_integer_value(json_object_get(inst, "occurrences")));
		field("Occurrence", s);
		free(s);
	}
}

static void
print_status(struct client *c, json_t *inst)
{
	const char *state = jstr(inst, "state"), *status = jstr_or(inst, "status", "");
	const char *by = jstr(inst, "by");
	char *at = local_time(inst, "at");

	label(_("State"));
	print_state(c, stdout, state);
	if (strcmp(status, "open") != 0) {
		if (at != NULL)
			printf(_(" on %s"), at);
		if (by != NULL)
			printf(_(" by %s"), by);
	}
	if (jbool(inst, "overridden"))
		printf(_(" (rules overridden)"));
	fputc('\n', stdout);
	/* A waiver's note is its reason. */
	field(strcmp(status, "waived") == 0 ? _("Reason") : _("Note"), jstr(inst, "note"));
	free(at);
}

static void
print_owner(json_t *inst)
{
	json_t *addrs = jarr(inst, "addresses"), *a;
	char *s, *t;
	size_t i;

	s = xstrdup(jstr_or(inst, "owner", ""));
	json_array_foreach(addrs, i, a) {
		if (!json_is_string(a))
			continue;
		xasprintf(&t, "%s%s%s", s, i == 0 ? " (" : ", ", json_string_value(a));
		free(s);
		s = t;
	}
	if (json_array_size(addrs) > 0) {
		xasprintf(&t, "%s)", s);
		free(s);
		s = t;
	}
	field(_("Owner"), s);
	free(s);
}

/* requires and dependents: KEY, STATE, TITLE under a heading. */
static void
print_related(struct client *c, const char *heading, json_t *list)
{
	struct table *t;
	json_t *r;
	size_t i;

	if (json_array_size(list) == 0)
		return;
	fputc('\n', stdout);
	print_heading(c, heading);
	t = table_new(3, _("KEY"), _("STATE"), _("TITLE"));
	table_noheader(t);
	table_indent(t, 2);
	table_state(t, 1);
	table_flex(t, 2);
	json_array_foreach(list, i, r)
		table_row(t, jstr_or(r, "ref", jstr(r, "key")), jstr(r, "state"), jstr(r, "title"));
	table_print(c, t);
	table_free(t);
}

static void
print_description(struct client *c, const char *text)
{
	const char *p, *nl;

	if (text == NULL || *text == '\0')
		return;
	fputc('\n', stdout);
	print_heading(c, _("Description"));
	for (p = text; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		printf("  %.*s\n", (int)(nl - p), p);
	}
}

static int
cmd_show_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "plan", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char *plan = NULL, *key, *party, *zone;
	json_t *inst, *unmet, *hist;
	char *path, *s;
	int ch, rv;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS "p:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			plan = optarg;
			break;
		default:
			if ((rv = cmd_option(c, &cmd_show_entry, ch, argv)) != -1)
				return rv;
		}
	}
	if ((rv = cmd_key(&cmd_show_entry, argc, argv, &key)) != 0)
		return rv;

	path = api_path("/milestone", "key", key, "plan", plan, (char *)NULL);
	rv = api_get(c, path, &inst);
	free(path);
	if (rv != 0)
		return rv;
	if (c->json) {
		json_print(inst);
		json_decref(inst);
		return 0;
	}

	xasprintf(&s, "%s: %s", jstr_or(inst, "key", key), jstr_or(inst, "title", ""));
	print_heading(c, s);
	free(s);
	if ((zone = jstr(inst, "timezone")) != NULL)
		xasprintf(&s, _("%s (times in %s)"), jstr_or(inst, "plan", ""), zone);
	else
		s = xstrdup(jstr_or(inst, "plan", ""));
	field(_("Plan"), s);
	free(s);
	if ((party = jstr(inst, "party_name")) != NULL)
		field(_("Party"), party);
	print_owner(inst);
	print_timing(inst);
	print_status(c, inst);
	if (jbool(inst, "runtime"))
		field(_("Added"), _("at run time (termijn add), not in the plan file"));

	print_related(c, _("Requires"), jarr(inst, "requires"));
	unmet = jarr(inst, "unmet");
	if (json_array_size(unmet) > 0) {
		fputc('\n', stdout);
		print_heading(c, _("Unmet rules"));
		print_unmet(stdout, unmet);
	}
	print_related(c, _("Required by"), jarr(inst, "dependents"));
	print_description(c, jstr(inst, "description"));
	hist = jarr(inst, "history");
	if (json_array_size(hist) > 0) {
		fputc('\n', stdout);
		print_heading(c, _("History"));
		print_history(c, hist, 0, 2, NULL);
	}
	json_decref(inst);
	return 0;
}
