/* cmd-feeds.c: termijn feeds: private calendar feeds: list, create, rotate, revoke. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_feeds_exec(struct client *, int, char **);

const struct cmd_entry cmd_feeds_entry = {
	"feeds",
	N_("[list] | create --person ADDRESS | --party PLAN/PARTY | --plan PLAN | rotate ID | "
	    "revoke ID | send ADDRESS"),
	N_("list, create, rotate, revoke or e-mail private iCalendar feeds"),
	cmd_feeds_exec
};

struct feed_pages {
	struct client		*c;
	struct json_pages	 jp;
	struct table		*t;
	const char		*zone;
};

/* One page of feeds (termijnd pages them by id), printed as it comes. */
static int
feeds_page_cb(json_t *page, int first, int last, void *arg)
{
	struct feed_pages *fp = arg;
	json_t *f;
	size_t i;
	char id[32], *created, *head;

	if (fp->c->json)
		return json_pages_print(page, first, last, &fp->jp);
	if (first && last && json_array_size(jarr(page, "feeds")) == 0) {
		printf(_("no feeds yet; termijn feeds create --person ADDRESS makes one\n"));
		return 0;
	}
	if (first) {
		if (fp->zone != NULL)
			xasprintf(&head, _("CREATED (%s)"), fp->zone);
		else
			head = xstrdup(_("CREATED (local time)"));
		fp->t = table_new(5, _("ID"), _("KIND"), _("FOR"), head, _("STATE"));
		free(head);
	}
	json_array_foreach(jarr(page, "feeds"), i, f) {
		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(
		    json_object_get(f, "id")));
		created = instant_local(jstr(f, "created"), fp->zone);
		table_row(fp->t, id, jstr_or(f, "kind", "?"), jstr_or(f, "subject", "?"),
		    created ? created : jstr_or(f, "created", "-"),
		    json_is_null(json_object_get(f, "revoked")) ? _("in force") : _("revoked"));
		free(created);
	}
	table_flush(fp->c, fp->t);
	return ferror(stdout) ? 1 : 0;
}

static int
feeds_list(struct client *c)
{
	struct feed_pages fp = { c, { "feeds", 0, 0 }, NULL, NULL };
	json_t *status = NULL;
	int rv;

	/* Times in the plans' zone, named in the heading: UTC or ours would be misread. */
	if (!c->json && (rv = api_get(c, "/status?limit=1", &status)) != 0)
		return rv;
	fp.zone = plans_zone(status);
	rv = api_each_page(c, "/feeds", NULL, feeds_page_cb, "cursor", &fp);
	table_free(fp.t);
	json_decref(status);
	return rv;
}

/* The URL is shown once: only a hash of the token is kept. */
static int
print_urls(struct client *c, json_t *ans, const char *what)
{
	if (c->json) {
		json_print(ans);
		return 0;
	}
	printf(_("%s feed %lld (%s %s)\n"), what, (long long)json_integer_value(
	    json_object_get(ans, "id")), jstr_or(ans, "kind", "?"), jstr_or(ans, "subject", "?"));
	printf("  %s\n", jstr_or(ans, "url", "?"));
	if (jstr(ans, "webcal") != NULL)
		printf("  %s\n", jstr(ans, "webcal"));
	if (jstr(ans, "page") != NULL)
		printf(_("  %s (the same steps as a page, in a browser)\n"), jstr(ans, "page"));
	printf(_("Subscribe to this address in a calendar. It is shown only now; "
	    "\"termijn feeds rotate\" makes a new one.\n"));
	return 0;
}

/*
 * Each send makes a new feed (an old address cannot be sent again: only its hash is kept);
 * say which older ones of the person still work.
 */
static void
others(struct client *c, const char *person, json_int_t made)
{
	json_t *ans, *f;
	size_t i, n = 0;
	char *ids = xstrdup(""), *t;

	if (api_get(c, "/feeds", &ans) != 0)
		return;
	json_array_foreach(jarr(ans, "feeds"), i, f) {
		if (strcmp(jstr_or(f, "kind", ""), "person") != 0 ||
		    strcasecmp(jstr_or(f, "subject", ""), person) != 0 ||
		    !json_is_null(json_object_get(f, "revoked")) ||
		    json_integer_value(json_object_get(f, "id")) == made)
			continue;
		xasprintf(&t, "%s%s%lld", ids, n++ > 0 ? ", " : "",
		    (long long)json_integer_value(json_object_get(f, "id")));
		free(ids);
		ids = t;
	}
	if (n > 0)
		printf(P_("%s's older feed %s still works; end it with termijn feeds revoke ID\n",
		    "%s's older feeds %s still work; end them with termijn feeds revoke ID\n", n),
		    person, ids);
	free(ids);
	json_decref(ans);
}

static int
id_arg(const char *s, long long *id)
{
	char *end;

	*id = strtoll(s, &end, 10);
	return *s != '\0' && *end == '\0' && *id > 0 ? 0 : -1;
}

static int
cmd_feeds_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "person", required_argument, NULL, 'P' },
		{ "party", required_argument, NULL, 'Q' },
		{ "plan", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char *kind = NULL, *subject = NULL, *sub;
	json_t *req, *ans;
	long long id;
	int ch, rv, nkinds = 0;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS "p:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'P':
		case 'Q':
		case 'p':
			kind = ch == 'P' ? "person" : ch == 'Q' ? "party" : "plan";
			subject = optarg;
			nkinds++;
			break;
		default:
			if ((rv = cmd_option(c, &cmd_feeds_entry, ch, argv)) != -1)
				return rv;
		}
	}
	argc -= optind;
	argv += optind;
	sub = argc > 0 ? argv[0] : "list";
	if (strcmp(sub, "list") == 0 && argc <= 1 && nkinds == 0)
		return feeds_list(c);
	if (strcmp(sub, "create") == 0 && argc == 1) {
		if (nkinds != 1) {
			warnx(_("feeds create: name one of --person, --party or --plan"));
			return cmd_usage(&cmd_feeds_entry);
		}
		req = json_pack("{s:s, s:s}", "kind", kind, "subject", subject);
		rv = api_post(c, "/feeds", req, &ans, NULL);
		json_decref(req);
		if (rv != 0)
			return rv;
		print_urls(c, ans, _("created"));
		json_decref(ans);
		return 0;
	}
	if ((strcmp(sub, "rotate") == 0 || strcmp(sub, "revoke") == 0) && argc == 2 &&
	    nkinds == 0) {
		if (id_arg(argv[1], &id) == -1) {
			warnx(_("feeds %s: ID is the feed's number (termijn feeds list)"), sub);
			return cmd_usage(&cmd_feeds_entry);
		}
		req = json_pack("{s:I}", "id", (json_int_t)id);
		rv = api_post(c, strcmp(sub, "rotate") == 0 ? "/feeds/rotate" : "/feeds/revoke",
		    req, &ans, NULL);
		json_decref(req);
		if (rv != 0)
			return rv;
		if (strcmp(sub, "rotate") == 0)
			print_urls(c, ans, _("rotated: the old address no longer works; new"));
		else if (c->json)
			json_print(ans);
		else
			printf(_("revoked: feed %lld no longer answers\n"), id);
		json_decref(ans);
		return 0;
	}
	if (strcmp(sub, "send") == 0 && argc == 2 && nkinds == 0) {
		req = json_pack("{s:s}", "person", argv[1]);
		rv = api_post(c, "/feeds/send", req, &ans, NULL);
		json_decref(req);
		if (rv != 0)
			return rv;
		if (c->json)
			json_print(ans);
		else {
			printf(_("feed %lld made for %s; its address goes to them by e-mail\n"),
			    (long long)json_integer_value(json_object_get(ans, "id")), argv[1]);
			others(c, argv[1], json_integer_value(json_object_get(ans, "id")));
		}
		json_decref(ans);
		return 0;
	}
	return cmd_usage(&cmd_feeds_entry);
}
