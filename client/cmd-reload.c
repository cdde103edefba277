/* cmd-reload.c: termijn reload: have termijnd read its plans again (as SIGHUP does). */
#include <getopt.h>
#include <stdio.h>

#include "client.h"

static int	cmd_reload_exec(struct client *, int, char **);

const struct cmd_entry cmd_reload_entry = {
	"reload",
	"",
	N_("read the plan files again; on errors the old plans stay"),
	cmd_reload_exec
};

static int
cmd_reload_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	json_t *ans, *plans, *p;
	size_t i;
	int ch, rv;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS, longopts, NULL)) != -1) {
		if ((rv = cmd_option(c, &cmd_reload_entry, ch, argv)) != -1)
			return rv;
	}
	if ((rv = cmd_noargs(&cmd_reload_entry, argc, argv)) != 0)
		return rv;
	if ((rv = api_post(c, "/reload", NULL, &ans, NULL)) != 0)
		return rv;
	if (c->json) {
		json_print(ans);
		json_decref(ans);
		return 0;
	}
	plans = jarr(ans, "plans");
	printf(_("reloaded:"));
	json_array_foreach(plans, i, p)
		printf("%s %s", i > 0 ? "," : "", json_is_string(p) ? json_string_value(p) : "?");
	if (json_array_size(plans) == 0)
		printf(_(" no plans"));
	printf("\n");
	json_decref(ans);
	return 0;
}
