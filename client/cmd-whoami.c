/* cmd-whoami.c: termijn whoami: as whom termijnd sees this client, and through which channel. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_whoami_exec(struct client *, int, char **);

const struct cmd_entry cmd_whoami_entry = {
	"whoami",
	"",
	N_("as whom termijnd sees you: the person or local user, the channel, the roles"),
	cmd_whoami_exec
};

static int
cmd_whoami_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	json_t *ans, *p, *r;
	size_t i, j;
	int ch, rv;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS, longopts, NULL)) != -1)
		if ((rv = cmd_option(c, &cmd_whoami_entry, ch, argv)) != -1)
			return rv;
	if ((rv = cmd_noargs(&cmd_whoami_entry, argc, argv)) != 0)
		return rv;
	if ((rv = api_get(c, "/whoami", &ans)) != 0)
		return rv;
	if (c->json) {
		json_print(ans);
		json_decref(ans);
		return 0;
	}
	if (jstr(ans, "person") != NULL)
		printf("%s%s%s%s\n", jstr_or(ans, "person_name", ""),
		    jstr(ans, "person_name") ? " <" : "", jstr(ans, "person"),
		    jstr(ans, "person_name") ? ">" : "");
	else
		printf("%s\n", jstr_or(ans, "name", "?"));
	if (json_is_integer(json_object_get(ans, "token")))
		printf(_("  channel: token %lld\n"), (long long)json_integer_value(
		    json_object_get(ans, "token")));
	else
		printf(_("  channel: %s (uid %lld)\n"), jstr_or(ans, "channel", "?"),
		    (long long)json_integer_value(json_object_get(ans, "uid")));
	if (jbool(ans, "operator"))
		printf(_("  operator of termijnd%s: may change everything\n"),
		    jbool(ans, "overrider") ? _(" and overrider") : "");
	json_array_foreach(jarr(ans, "plans"), i, p) {
		json_array_foreach(jarr(p, "roles"), j, r)
			printf(_("  %s: %s of %s\n"), jstr_or(p, "plan", "?"), jstr_or(r, "role", "?"),
			    jstr_or(r, "party_name", _("every party")));
		json_array_foreach(jarr(p, "coordinator_of"), j, r)
			printf(_("  %s: coordinator of %s\n"), jstr_or(p, "plan", "?"),
			    json_string_value(r)[0] == '*' ? _("the plan") : json_string_value(r));
		if (jbool(p, "overrider"))
			printf(_("  %s: may override a rule, with a reason\n"), jstr_or(p, "plan", "?"));
	}
	if (jstr(ans, "person") == NULL && !jbool(ans, "operator"))
		printf(_("  may read; changes need an operator of termijnd or a personal token\n"));
	json_decref(ans);
	return 0;
}
