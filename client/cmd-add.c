/* cmd-add.c: termijn add: add a milestone to a running plan (parts only known on the way). */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_add_exec(struct client *, int, char **);

const struct cmd_entry cmd_add_entry = {
	"add",
	N_("-p PLAN ID --title TEXT --owner ROLE (--due D | --from D --due D)\n"
	"    [--not-before TIME] [--description TEXT] [--parties all|PARTY,...]\n"
	"    [--requires ID[@PARTY|@same|@all],...]\n"
	"    (D, TIME: \"YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM\" in the plan's zone)"),
	N_("add a milestone to a plan while it runs"),
	cmd_add_exec
};

enum {
	OPT_TITLE = 0x200, OPT_OWNER, OPT_DUE, OPT_FROM, OPT_NOTBEFORE, OPT_DESCR,
	OPT_PARTIES, OPT_REQUIRES
};

/* "a, b,c" as a JSON array; NULL when an item is empty or not UTF-8. */
static json_t *
split(const char *list)
{
	json_t *a, *v;
	const char *p, *end;
	char *item;
	size_t len;

	a = json_array();
	for (p = list;; p = end + 1) {
		while (*p == ' ')
			p++;
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		item = xstrndup(p, (size_t)(end - p));
		for (len = strlen(item); len > 0 && item[len - 1] == ' '; len--)
			item[len - 1] = '\0';
		if (*item == '\0' || (v = json_string(item)) == NULL) {
			free(item);
			json_decref(a);
			return NULL;
		}
		free(item);
		json_array_append_new(a, v);
		if (*end == '\0')
			break;
	}
	return a;
}

static int
cmd_add_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "plan", required_argument, NULL, 'p' },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ "due", required_argument, NULL, OPT_DUE },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "not-before", required_argument, NULL, OPT_NOTBEFORE },
		{ "description", required_argument, NULL, OPT_DESCR },
		{ "parties", required_argument, NULL, OPT_PARTIES },
		{ "requires", required_argument, NULL, OPT_REQUIRES },
		{ NULL, 0, NULL, 0 }
	};
	const struct cmd_entry *e = &cmd_add_entry;
	const char *plan = NULL, *title = NULL, *owner = NULL, *due = NULL, *from = NULL;
	const char *notbefore = NULL, *descr = NULL, *parties = NULL, *requires = NULL, *id;
	json_t *req, *ans, *list, *inst;
	char *when;
	size_t i;
	int ch, rv;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS "p:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			plan = optarg;
			break;
		case OPT_TITLE:
			title = optarg;
			break;
		case OPT_OWNER:
			owner = optarg;
			break;
		case OPT_DUE:
			due = optarg;
			break;
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_NOTBEFORE:
			notbefore = optarg;
			break;
		case OPT_DESCR:
			descr = optarg;
			break;
		case OPT_PARTIES:
			parties = optarg;
			break;
		case OPT_REQUIRES:
			requires = optarg;
			break;
		default:
			if ((rv = cmd_option(c, e, ch, argv)) != -1)
				return rv;
		}
	}
	if (argc - optind != 1) {
		warnx(_("add: give exactly one ID for the new milestone"));
		return cmd_usage(e);
	}
	id = argv[optind];
	if (plan == NULL || title == NULL || owner == NULL || due == NULL) {
		warnx(_("add: -p PLAN, --title, --owner and --due are all needed"));
		return cmd_usage(e);
	}

	req = json_object();
	if ((rv = cmd_set(e, req, "plan", plan)) != 0 ||
	    (rv = cmd_set(e, req, "id", id)) != 0 ||
	    (rv = cmd_set(e, req, "title", title)) != 0 ||
	    (rv = cmd_set(e, req, "owner", owner)) != 0 ||
	    (rv = cmd_set(e, req, "from", from)) != 0 ||
	    (rv = cmd_set(e, req, "due", due)) != 0 ||
	    (rv = cmd_set(e, req, "not_before", notbefore)) != 0 ||
	    (rv = cmd_set(e, req, "description", descr)) != 0)
		goto out;
	if (parties != NULL && strcmp(parties, "all") == 0)
		json_object_set_new(req, "parties", json_string("all"));
	else if (parties != NULL) {
		if ((list = split(parties)) == NULL) {
			warnx(_("add: --parties: give all, or party ids separated by commas"));
			rv = cmd_usage(e);
			goto out;
		}
		json_object_set_new(req, "parties", list);
	}
	if (requires != NULL) {
		if ((list = split(requires)) == NULL) {
			warnx(_("add: --requires: give milestone ids separated by commas"));
			rv = cmd_usage(e);
			goto out;
		}
		json_object_set_new(req, "requires", list);
	}

	if ((rv = api_post(c, "/add", req, &ans, NULL)) != 0)
		goto out;
	if (c->json)
		json_print(ans);
	else {
		json_array_foreach(jarr(ans, "instances"), i, inst) {
			when = inst_due(inst);
			printf(_("added: %s"), jstr_or(inst, "key", "?"));
			if (*when != '\0')
				printf(jstr(inst, "from_local") != NULL ? _(" (window %s)") :
				    _(" (due %s)"), when);
			printf("\n");
			free(when);
		}
	}
	json_decref(ans);
out:
	json_decref(req);
	return rv;
}
