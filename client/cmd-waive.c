/* cmd-waive.c: termijn waive: declare a milestone not applicable, with a reason. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_waive_exec(struct client *, int, char **);

const struct cmd_entry cmd_waive_entry = {
	"waive",
	"ID[@PARTY] -r|--reason TEXT [-p PLAN]",
	"mark a milestone not applicable, with a reason",
	cmd_waive_exec
};

static int
cmd_waive_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "plan", required_argument, NULL, 'p' },
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char *plan = NULL, *reason = NULL, *key;
	json_t *req, *ans;
	char *refused;
	int ch, rv;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS "p:r:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			plan = optarg;
			break;
		case 'r':
			reason = optarg;
			break;
		default:
			if ((rv = cmd_option(c, &cmd_waive_entry, ch, argv)) != -1)
				return rv;
		}
	}
	if ((rv = cmd_key(&cmd_waive_entry, argc, argv, &key)) != 0)
		return rv;
	if (reason == NULL || *reason == '\0') {
		warnx("waive: say why, with --reason TEXT (it goes into the log)");
		return cmd_usage(&cmd_waive_entry);
	}

	req = json_object();
	if ((rv = cmd_set(&cmd_waive_entry, req, "plan", plan)) != 0 ||
	    (rv = cmd_set(&cmd_waive_entry, req, "key", key)) != 0 ||
	    (rv = cmd_set(&cmd_waive_entry, req, "reason", reason)) != 0) {
		json_decref(req);
		return rv;
	}
	xasprintf(&refused, "%s cannot be waived", key);
	rv = api_post(c, "/waive", req, &ans, refused);
	free(refused);
	json_decref(req);
	if (rv != 0)
		return rv;
	if (c->json) {
		json_print(ans);
		json_decref(ans);
		return 0;
	}
	printf("waived: %s\n", jstr_or(json_object_get(ans, "instance"), "key", key));
	print_ready(jarr(ans, "ready"));
	json_decref(ans);
	return 0;
}
