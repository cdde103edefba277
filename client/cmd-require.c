/* cmd-require.c: termijn require: one milestone requires another, while the plan runs. */
#include <stddef.h>

#include "client.h"

static int	cmd_require_exec(struct client *, int, char **);

const struct cmd_entry cmd_require_entry = {
	"require",
	N_("ID --on OTHER[@PARTY|@same|@all][/last] -r|--reason TEXT [-p PLAN]"),
	N_("make a milestone require another while the plan runs"),
	cmd_require_exec
};

static int
cmd_require_exec(struct client *c, int argc, char **argv)
{
	static const struct cmd_field fields[] = { { "on", "on", 1 }, { NULL, NULL, 0 } };

	return cmd_post_change(c, &cmd_require_entry, argc, argv, fields,
	    _("changed %s: %s -> %s"));
}
