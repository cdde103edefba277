/* cmd-log.c: termijn log: the audit log, who did what and when, oldest first. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_log_exec(struct client *, int, char **);

const struct cmd_entry cmd_log_entry = {
	"log",
	N_("[-p PLAN] [KEY] [-n LIMIT]"),
	N_("the audit log: who changed what, when and why"),
	cmd_log_exec
};

static int
cmd_log_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "plan", required_argument, NULL, 'p' },
		{ "limit", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	const char *plan = NULL, *limit = NULL, *key = NULL;
	json_t *body, *entries, *status;
	char *path, *end;
	long n = 0;
	int ch, rv;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS "p:n:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			plan = optarg;
			break;
		case 'n':
			limit = optarg;
			n = strtol(limit, &end, 10);
			if (*limit < '0' || *limit > '9' || *end != '\0' || n < 1) {
				warnx(_("log: -n: not a number of entries: %s"), limit);
				return cmd_usage(&cmd_log_entry);
			}
			break;
		default:
			if ((rv = cmd_option(c, &cmd_log_entry, ch, argv)) != -1)
				return rv;
		}
	}
	if (argc - optind > 1) {
		warnx(_("log: one milestone at a time; unexpected argument: %s"), argv[optind + 1]);
		return cmd_usage(&cmd_log_entry);
	}
	if (argc - optind == 1 && (rv = cmd_key(&cmd_log_entry, argc, argv, &key)) != 0)
		return rv;

	/* Pages of at most 1000, newest first: as many as it takes for -n, else all. */
	path = api_path("/log", "plan", plan, "key", key, "limit", "1000", (char *)NULL);
	rv = api_get_pages(c, path, "entries", "before", 1, limit != NULL ? (size_t)n : 0,
	    &body);
	free(path);
	if (rv != 0)
		return rv;
	if (c->json) {
		json_print(body);
		json_decref(body);
		return 0;
	}
	entries = jarr(body, "entries");
	if (json_array_size(entries) == 0)
		printf(_("no log entries\n"));
	else {
		/* The times are in their plan's zone: say which. */
		if ((rv = api_get(c, "/status?limit=1", &status)) != 0) {
			json_decref(body);
			return rv;
		}
		print_history(c, entries, 1, 0, plans_zone(status));
		json_decref(status);
	}
	json_decref(body);
	return 0;
}
