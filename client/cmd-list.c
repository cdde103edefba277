/* cmd-list.c: termijn list: the milestones, filtered, as a table. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_list_exec(struct client *, int, char **);

const struct cmd_entry cmd_list_entry = {
	"list",
	N_("[-p PLAN] [--party PARTY] [--owner ROLE]\n"
	"    [--state blocked|ready|overdue|done|done-late|waived|open]"),
	N_("the milestones with their state and due date"),
	cmd_list_exec
};

enum { OPT_PARTY = 0x200, OPT_STATE, OPT_OWNER };

static int
cmd_list_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "plan", required_argument, NULL, 'p' },
		{ "party", required_argument, NULL, OPT_PARTY },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ NULL, 0, NULL, 0 }
	};
	const char *plan = NULL, *party = NULL, *state = NULL, *owner = NULL, *p0 = NULL;
	struct table *t;
	json_t *body, *list, *inst;
	char *path, *title, *due;
	size_t i;
	int ch, rv, plans = 0;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS "p:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			plan = optarg;
			break;
		case OPT_PARTY:
			party = optarg;
			break;
		case OPT_STATE:
			/* termijnd names an unknown one (exit 4); a label is taken too. */
			state = state_id(optarg);
			break;
		case OPT_OWNER:
			owner = optarg;
			break;
		default:
			if ((rv = cmd_option(c, &cmd_list_entry, ch, argv)) != -1)
				return rv;
		}
	}
	if ((rv = cmd_noargs(&cmd_list_entry, argc, argv)) != 0)
		return rv;

	path = api_path("/milestones", "plan", plan, "party", party, "state", state,
	    "owner", owner, (char *)NULL);
	/*
	 * The daemon answers in pages, so as never to hold its loop long: follow them all.
	 * JSON goes out page by page as it comes, so that 100,000 steps are never held at once.
	 */
	rv = api_get_shown_pages(c, path, "milestones", &body);
	free(path);
	if (rv != 0 || body == NULL)
		return rv;

	list = jarr(body, "milestones");
	if (json_array_size(list) == 0) {
		printf(_("no milestones\n"));
		json_decref(body);
		return 0;
	}
	/* Keys are unique per plan only: name the plan when there are several. */
	json_array_foreach(list, i, inst) {
		if (p0 == NULL)
			p0 = jstr_or(inst, "plan", "");
		else if (strcmp(p0, jstr_or(inst, "plan", "")) != 0)
			plans = 1;
	}
	if (plans) {
		t = table_new(5, _("PLAN"), _("KEY"), _("STATE"), _("DUE"), _("TITLE"));
		table_state(t, 2);
		table_flex(t, 4);
		table_minor(t, 0);
	} else {
		t = table_new(4, _("KEY"), _("STATE"), _("DUE"), _("TITLE"));
		table_state(t, 1);
		table_flex(t, 3);
	}
	json_array_foreach(list, i, inst) {
		title = inst_title(inst);
		due = inst_due(inst);
		if (plans)
			table_row(t, jstr(inst, "plan"), jstr(inst, "key"), jstr(inst, "state"),
			    due, title);
		else
			table_row(t, jstr(inst, "key"), jstr(inst, "state"), due, title);
		free(title);
		free(due);
	}
	table_print(c, t);
	table_free(t);
	json_decref(body);
	return 0;
}
