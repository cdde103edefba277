/* cmd-part.c: termijn part: the parts of a plan's dimension, found while it runs. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_part_exec(struct client *, int, char **);

const struct cmd_entry cmd_part_entry = {
	"part",
	N_("list [PLAN [DIMENSION]] |\n"
	"    add PLAN DIMENSION ID --title TEXT [--lead PARTY] [-r|--reason TEXT [--override]] |\n"
	"    cancel PLAN DIMENSION ID -r|--reason TEXT"),
	N_("list, add or cancel the parts of a plan found while it runs"),
	cmd_part_exec
};

enum { OPT_TITLE = 0x200, OPT_LEAD, OPT_OVERRIDE };

/* The pages of /parts: a dimension whose parts go on in the next page comes again there. */
struct part_pages {
	struct client		*c;
	struct json_pages	 jp;
	json_t			*held;	/* the last dimension so far, perhaps to go on */
	json_t			*all;	/* without --json: every dimension */
};

static int
same_dimension(json_t *a, json_t *b)
{
	return strcmp(jstr_or(a, "plan", ""), jstr_or(b, "plan", "")) == 0 &&
	    strcmp(jstr_or(a, "id", ""), jstr_or(b, "id", "")) == 0;
}

/* Each page's dimensions as one answer would have them: held back until known whole. */
static int
parts_page_cb(json_t *page, int first, int last, void *arg)
{
	struct part_pages *pp = arg;
	json_t *dims = jarr(page, "dimensions"), *d0;
	size_t n;

	if (dims == NULL)
		json_object_set_new(page, "dimensions", dims = json_array());
	if (pp->held != NULL) {
		if ((d0 = json_array_get(dims, 0)) != NULL && same_dimension(pp->held, d0)) {
			json_array_extend(jarr(pp->held, "parts"), jarr(d0, "parts"));
			json_array_remove(dims, 0);
		}
		json_array_insert_new(dims, 0, pp->held);
		pp->held = NULL;
	}
	if (!last && (n = json_array_size(dims)) > 0) {
		pp->held = json_incref(json_array_get(dims, n - 1));
		json_array_remove(dims, n - 1);
	}
	if (pp->c->json)
		return json_pages_print(page, first, last, &pp->jp);
	json_array_extend(pp->all, dims);
	return 0;
}

static int
part_list(struct client *c, const char *plan, const char *dim)
{
	struct part_pages pp = { c, { "dimensions", 0, 0 }, NULL, NULL };
	struct table *t;
	json_t *d, *pt, *k;
	char *path, *keys, *s;
	size_t i, j, n;
	int rv;

	path = api_path("/parts", "plan", plan, "dimension", dim, (char *)NULL);
	if (!c->json)
		pp.all = json_array();
	rv = api_each_page(c, path, NULL, parts_page_cb, "cursor", &pp);
	free(path);
	json_decref(pp.held);
	if (rv != 0 || c->json) {
		json_decref(pp.all);
		return rv;
	}
	if (json_array_size(pp.all) == 0)
		printf(_("no plan has dimensions\n"));
	t = table_new(5, _("PLAN"), _("DIMENSION"), _("PART"), _("LEAD"), _("STEPS"));
	table_flex(t, 4);
	json_array_foreach(pp.all, i, d) {
		if (json_array_size(jarr(d, "parts")) == 0)
			table_row(t, jstr_or(d, "plan", "?"), jstr_or(d, "id", "?"), _("(none yet)"),
			    "", "");
		json_array_foreach(jarr(d, "parts"), j, pt) {
			keys = NULL;
			json_array_foreach(jarr(pt, "instances"), n, k)
				str_join(&keys, " ", json_string_value(k));
			xasprintf(&s, jbool(pt, "cancelled") ? _("%s (%s), cancelled") : "%s (%s)",
			    jstr_or(pt, "id", "?"), jstr_or(pt, "title", ""));
			table_row(t, jstr_or(d, "plan", "?"), jstr_or(d, "id", "?"), s,
			    jstr_or(pt, "lead_name", jstr_or(pt, "lead", "-")), keys ? keys : "");
			free(s);
			free(keys);
		}
	}
	table_print(c, t);
	table_free(t);
	json_decref(pp.all);
	return 0;
}

static int
cmd_part_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "lead", required_argument, NULL, OPT_LEAD },
		{ "reason", required_argument, NULL, 'r' },
		{ "override", no_argument, NULL, OPT_OVERRIDE },
		{ NULL, 0, NULL, 0 }
	};
	const struct cmd_entry *e = &cmd_part_entry;
	const char *title = NULL, *lead = NULL, *reason = NULL, *sub;
	json_t *req, *ans, *inst;
	char *refused;
	size_t i;
	int ch, rv, override = 0, add;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS "r:", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_TITLE:
			title = optarg;
			break;
		case OPT_LEAD:
			lead = optarg;
			break;
		case 'r':
			reason = optarg;
			break;
		case OPT_OVERRIDE:
			override = 1;
			break;
		default:
			if ((rv = cmd_option(c, e, ch, argv)) != -1)
				return rv;
		}
	}
	argc -= optind;
	argv += optind;
	sub = argc > 0 ? argv[0] : "list";
	if (strcmp(sub, "list") == 0 && argc <= 3 && title == NULL && lead == NULL &&
	    reason == NULL && !override)
		return part_list(c, argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL);
	add = strcmp(sub, "add") == 0;
	if ((!add && strcmp(sub, "cancel") != 0) || argc != 4) {
		warnx(_("part: give list, add PLAN DIMENSION ID or cancel PLAN DIMENSION ID"));
		return cmd_usage(e);
	}
	if (add && title == NULL) {
		warnx(_("part add: --title is needed"));
		return cmd_usage(e);
	}
	if (!add && (title != NULL || lead != NULL || override)) {
		warnx(_("part cancel: only -r|--reason goes with it"));
		return cmd_usage(e);
	}
	if ((!add || override) && reason == NULL) {
		warnx(add ? _("part add --override: a reason is needed (-r TEXT)") :
		    _("part cancel: a reason is needed (-r TEXT)"));
		return cmd_usage(e);
	}
	req = json_object();
	if ((rv = cmd_set(e, req, "plan", argv[1])) != 0 ||
	    (rv = cmd_set(e, req, "dimension", argv[2])) != 0 ||
	    (rv = cmd_set(e, req, "part", argv[3])) != 0 ||
	    (rv = cmd_set(e, req, "title", title)) != 0 ||
	    (rv = cmd_set(e, req, "lead", lead)) != 0 ||
	    (rv = cmd_set(e, req, "reason", reason)) != 0)
		goto out;
	if (override)
		json_object_set_new(req, "override", json_true());
	xasprintf(&refused, add ? _("no part can be added to %s any more") :
	    _("part %s cannot be cancelled"), add ? argv[2] : argv[3]);
	rv = api_post(c, add ? "/parts/add" : "/parts/cancel", req, &ans, refused);
	free(refused);
	if (rv != 0)
		goto out;
	if (c->json)
		json_print(ans);
	else if (add) {
		printf(_("part added: %s#%s (%s)\n"), argv[2], argv[3],
		    jstr_or(json_object_get(ans, "part"), "title", ""));
		json_array_foreach(jarr(ans, "instances"), i, inst) {
			char *when = inst_due(inst);

			printf(_("added: %s"), jstr_or(inst, "key", "?"));
			if (*when != '\0')
				printf(jstr(inst, "from_local") != NULL ? _(" (window %s)") :
				    _(" (due %s)"), when);
			printf("\n");
			free(when);
		}
	} else {
		printf(_("part cancelled: %s#%s\n"), argv[2], argv[3]);
		json_array_foreach(jarr(ans, "removed"), i, inst)
			printf(_("no longer a step: %s\n"), json_string_value(inst));
	}
	json_decref(ans);
out:
	json_decref(req);
	return rv;
}
