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

struct log_pages {
	struct client		*c;
	struct json_pages	 jp;
	struct table		*t;
	const char		*zone;
	int			 plans;		/* the pages to come may be of several */
	size_t			 want, n;	/* want: -n (0: all) */
};

/* One page of the log as it comes, oldest first; with -n, no more than asked for. */
static int
log_page_cb(json_t *page, int first, int last, void *arg)
{
	struct log_pages *lp = arg;
	json_t *entries = jarr(page, "entries");
	int rv, enough;

	if (entries == NULL)
		json_object_set_new(page, "entries", entries = json_array());
	/* What was written since the first page is past the last -n. */
	while (lp->want > 0 && lp->n + json_array_size(entries) > lp->want)
		json_array_remove(entries, json_array_size(entries) - 1);
	lp->n += json_array_size(entries);
	enough = last || (lp->want > 0 && lp->n == lp->want);
	if (lp->c->json) {
		rv = json_pages_print(page, first, enough, &lp->jp);
		return rv != 0 ? rv : enough ? -1 : 0;
	}
	if (enough && lp->n == 0) {
		printf(_("no log entries\n"));
		return ferror(stdout) ? 1 : -1;
	}
	/* A plan column when the entries are of several plans, or may be in the pages to come. */
	if (first)
		lp->t = history_table(1, history_plans(entries) || (!enough && lp->plans), 0,
		    lp->zone);
	history_rows(lp->t, entries);
	table_flush(lp->c, lp->t);
	if (enough) {
		table_free(lp->t);
		lp->t = NULL;
	}
	return ferror(stdout) ? 1 : enough ? -1 : 0;
}

static int
cmd_log_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "plan", required_argument, NULL, 'p' },
		{ "limit", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct log_pages lp = { c, { "entries", 0, 0 }, NULL, NULL, 0, 0, 0 };
	const char *plan = NULL, *limit = NULL, *key = NULL;
	json_t *status = NULL;
	char *path, *first, *end;
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

	/* The times are in their plan's zone: say which. */
	if (!c->json && (rv = api_get(c, "/status?limit=1", &status)) != 0)
		return rv;
	lp.zone = plans_zone(status);
	/* Several plans when not one is asked for and the daemon has more than one. */
	lp.plans = plan == NULL && (json_array_size(jarr(status, "plans")) != 1 ||
	    !json_is_null(json_object_get(status, "next")));
	lp.want = limit != NULL ? (size_t)n : 0;
	/* Pages of at most 1000, oldest first, each printed as it comes: from the first entry, or
	 * from where the last -n begin. */
	path = api_path("/log", "plan", plan, "key", key, "limit", "1000", (char *)NULL);
	xasprintf(&first, "%s&%s=%ld", path, limit != NULL ? "last" : "after", n);
	rv = api_each_page(c, path, first, log_page_cb, "after", &lp);
	table_free(lp.t);
	free(first);
	free(path);
	json_decref(status);
	return rv;
}
