/* cmd-people.c: termijn people: who the plans name, with their roles, parties and rights. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_people_exec(struct client *, int, char **);

const struct cmd_entry cmd_people_entry = {
	"people",
	N_("[-p PLAN]"),
	N_("who the plans name: address, name, plan, roles and what they coordinate"),
	cmd_people_exec
};

/* "griffier (Gemeente Zwartewaterland), secretaris (plan-wide)" */
static char *
roles_text(json_t *roles)
{
	json_t *r;
	char *out = NULL, *one;
	size_t i;

	json_array_foreach(roles, i, r) {
		xasprintf(&one, "%s (%s)", jstr_or(r, "role", "?"),
		    jstr_or(r, "party_name", _("plan-wide")));
		str_join(&out, ", ", one);
		free(one);
	}
	return out ? out : xstrdup("-");
}

static char *
rights_text(json_t *p)
{
	json_t *c;
	char *out = NULL, *one;
	size_t i;

	json_array_foreach(jarr(p, "coordinator_of"), i, c) {
		xasprintf(&one, _("coordinator of %s"), strcmp(json_string_value(c), "*") == 0 ?
		    _("the plan") : json_string_value(c));
		str_join(&out, ", ", one);
		free(one);
	}
	if (jbool(p, "overrider"))
		str_join(&out, ", ", _("overrider"));
	return out ? out : xstrdup("");
}

struct people_pages {
	struct client		*c;
	struct json_pages	 jp;
	struct table		*t;
};

/* One page of people (termijnd pages them by plan), printed as it comes. */
static int
people_page_cb(json_t *page, int first, int last, void *arg)
{
	struct people_pages *pp = arg;
	json_t *p;
	char *roles, *rights;
	size_t i;

	if (pp->c->json)
		return json_pages_print(page, first, last, &pp->jp);
	if (first) {
		pp->t = table_new(5, _("ADDRESS"), _("NAME"), _("PLAN"), _("ROLES"), _("ALSO"));
		table_flex(pp->t, 3);
	}
	json_array_foreach(jarr(page, "people"), i, p) {
		roles = roles_text(jarr(p, "roles"));
		rights = rights_text(p);
		table_row(pp->t, jstr_or(p, "address", "?"), jstr_or(p, "name", "-"),
		    jstr_or(p, "plan", "?"), roles, rights);
		free(roles);
		free(rights);
	}
	table_flush(pp->c, pp->t);
	return ferror(stdout) ? 1 : 0;
}

static int
cmd_people_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "plan", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	struct people_pages pp = { c, { "people", 0, 0 }, NULL };
	const char *plan = NULL;
	char *path;
	int ch, rv;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS "p:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			plan = optarg;
			break;
		default:
			if ((rv = cmd_option(c, &cmd_people_entry, ch, argv)) != -1)
				return rv;
		}
	}
	if ((rv = cmd_noargs(&cmd_people_entry, argc, argv)) != 0)
		return rv;
	path = api_path("/people", "plan", plan, (char *)NULL);
	rv = api_each_page(c, path, NULL, people_page_cb, "cursor", &pp);
	table_free(pp.t);
	free(path);
	return rv;
}
