/* cmd-done.c: termijn done: mark a milestone done, unless a rule says it is too early. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_done_exec(struct client *, int, char **);

const struct cmd_entry cmd_done_entry = {
	"done",
	N_("KEY [-p PLAN] [-n|--note TEXT] [--at \"YYYY-MM-DD HH:MM\"]\n"
	"    [--override --reason TEXT]"),
	N_("mark a milestone done; refused while its rules are not met"),
	cmd_done_exec
};

enum { OPT_AT = 0x200, OPT_OVERRIDE };

static int
cmd_done_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "plan", required_argument, NULL, 'p' },
		{ "note", required_argument, NULL, 'n' },
		{ "at", required_argument, NULL, OPT_AT },
		{ "override", no_argument, NULL, OPT_OVERRIDE },
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char *plan = NULL, *note = NULL, *at = NULL, *reason = NULL, *key;
	json_t *req, *ans;
	char *refused;
	int ch, rv, override = 0;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS "p:n:r:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			plan = optarg;
			break;
		case 'n':
			note = optarg;
			break;
		case OPT_AT:
			at = optarg;
			break;
		case OPT_OVERRIDE:
			override = 1;
			break;
		case 'r':
			reason = optarg;
			break;
		default:
			if ((rv = cmd_option(c, &cmd_done_entry, ch, argv)) != -1)
				return rv;
		}
	}
	if ((rv = cmd_key(&cmd_done_entry, argc, argv, &key)) != 0)
		return rv;
	/* An override is accountable: it is never without a reason. */
	if (override && (reason == NULL || *reason == '\0')) {
		warnx(_("done: --override needs --reason TEXT"));
		return cmd_usage(&cmd_done_entry);
	}
	if (!override && reason != NULL) {
		warnx(_("done: --reason goes with --override; use --note for a remark"));
		return cmd_usage(&cmd_done_entry);
	}

	req = json_object();
	if ((rv = cmd_set(&cmd_done_entry, req, "plan", plan)) != 0 ||
	    (rv = cmd_set(&cmd_done_entry, req, "key", key)) != 0 ||
	    (rv = cmd_set(&cmd_done_entry, req, "note", note)) != 0 ||
	    (rv = cmd_set(&cmd_done_entry, req, "at", at)) != 0 ||
	    (rv = cmd_set(&cmd_done_entry, req, "reason", reason)) != 0) {
		json_decref(req);
		return rv;
	}
	if (override)
		json_object_set_new(req, "override", json_true());
	xasprintf(&refused, _("%s cannot be done yet"), key);
	rv = api_post(c, "/done", req, &ans, refused);
	free(refused);
	json_decref(req);
	if (rv != 0)
		return rv;
	if (c->json) {
		json_print(ans);
		json_decref(ans);
		return 0;
	}
	printf(_("done: %s\n"), jstr_or(json_object_get(ans, "instance"), "key", key));
	print_ready(ans);
	json_decref(ans);
	return 0;
}
