/* cmd-access.c: termijn access: personal access tokens: list, grant (by mail), revoke. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_access_exec(struct client *, int, char **);

const struct cmd_entry cmd_access_entry = {
	"access",
	N_("[list] | grant ADDRESS [--expires 30d|YYYY-MM-DD] | revoke ID"),
	N_("personal access tokens: list them, grant one (sent by e-mail), revoke one"),
	cmd_access_exec
};

/* The daemon's state words are data (the same in every language); say them in ours. */
static const char *
state_text(const char *state)
{
	if (state == NULL)
		return "?";
	if (strcmp(state, "in force") == 0)
		return _("in force");
	if (strcmp(state, "expired") == 0)
		return _("expired");
	if (strcmp(state, "revoked") == 0)
		return _("revoked");
	return state;
}

static int
access_list(struct client *c)
{
	struct table *t;
	json_t *ans, *k, *status = NULL;
	char id[32], *created, *expires, *hexp, *hcre;
	const char *zone;
	size_t i;
	int rv;

	if ((rv = api_get_shown_pages(c, "/access", "tokens", &ans)) != 0 || ans == NULL)
		return rv;
	/* As feeds list: the plans' zone, named in the heading, or it would be misread. */
	if ((rv = api_get(c, "/status?limit=1", &status)) != 0) {
		json_decref(ans);
		return rv;
	}
	zone = plans_zone(status);
	if (zone != NULL) {
		xasprintf(&hexp, _("EXPIRES (%s)"), zone);
		xasprintf(&hcre, _("CREATED (%s)"), zone);
	} else {
		hexp = xstrdup(_("EXPIRES (local time)"));
		hcre = xstrdup(_("CREATED (local time)"));
	}
	if (json_array_size(jarr(ans, "tokens")) == 0) {
		printf(_("no personal access tokens yet; termijn access grant ADDRESS gives one\n"));
		free(hexp);
		free(hcre);
		json_decref(ans);
		json_decref(status);
		return 0;
	}
	t = table_new(6, _("ID"), _("PERSON"), _("STATE"), hexp, hcre, _("BY"));
	free(hexp);
	free(hcre);
	json_array_foreach(jarr(ans, "tokens"), i, k) {
		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(
		    json_object_get(k, "id")));
		created = instant_local(jstr(k, "created"), zone);
		expires = instant_local(jstr(k, "expires"), zone);
		table_row(t, id, jstr_or(k, "person", "?"), state_text(jstr(k, "state")),
		    expires ? expires : jstr_or(k, "expires", "-"), created ? created :
		    jstr_or(k, "created", "-"), jstr_or(k, "created_by", "?"));
		free(created);
		free(expires);
	}
	table_print(c, t);
	table_free(t);
	json_decref(ans);
	json_decref(status);
	return 0;
}

static int
cmd_access_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "expires", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	const char *expires = NULL, *sub;
	json_t *req, *ans;
	long long id;
	char *end, *until;
	int ch, rv;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS, longopts, NULL)) != -1) {
		if (ch == 'e')
			expires = optarg;
		else if ((rv = cmd_option(c, &cmd_access_entry, ch, argv)) != -1)
			return rv;
	}
	argc -= optind;
	argv += optind;
	sub = argc > 0 ? argv[0] : "list";
	if (strcmp(sub, "list") == 0 && argc <= 1 && expires == NULL)
		return access_list(c);
	if (strcmp(sub, "grant") == 0 && argc == 2) {
		req = json_pack("{s:s}", "person", argv[1]);
		if ((rv = cmd_set(&cmd_access_entry, req, "expires", expires)) != 0) {
			json_decref(req);
			return rv;
		}
		rv = api_post(c, "/access/grant", req, &ans, NULL);
		json_decref(req);
		if (rv != 0)
			return rv;
		if (c->json)
			json_print(ans);
		else {
			until = until_text(jstr_or(ans, "expires", "?"));
			printf(_("token %lld granted to %s until %s; it goes to them by e-mail and "
			    "is kept nowhere else\n"), (long long)json_integer_value(
			    json_object_get(ans, "id")), argv[1], until);
			free(until);
		}
		json_decref(ans);
		return 0;
	}
	if (strcmp(sub, "revoke") == 0 && argc == 2 && expires == NULL) {
		id = strtoll(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end != '\0' || id <= 0) {
			warnx(_("access revoke: ID is the token's number (termijn access list)"));
			return cmd_usage(&cmd_access_entry);
		}
		req = json_pack("{s:I}", "id", (json_int_t)id);
		rv = api_post(c, "/access/revoke", req, &ans, NULL);
		json_decref(req);
		if (rv != 0)
			return rv;
		if (c->json)
			json_print(ans);
		else
			printf(_("revoked: token %lld no longer works\n"), id);
		json_decref(ans);
		return 0;
	}
	if ((strcmp(sub, "grant") == 0 || strcmp(sub, "revoke") == 0) && argc == 1)
		warnx(strcmp(sub, "grant") == 0 ? _("access grant: to whom? give the person's "
		    "e-mail address") : _("access revoke: which token? give its number (termijn "
		    "access list)"));
	return cmd_usage(&cmd_access_entry);
}
