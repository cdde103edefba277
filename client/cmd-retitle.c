/* cmd-retitle.c: termijn retitle: a milestone's title, while the plan runs. */
#include <stddef.h>

#include "client.h"

static int	cmd_retitle_exec(struct client *, int, char **);

const struct cmd_entry cmd_retitle_entry = {
	"retitle",
	N_("ID --title TEXT -r|--reason TEXT [-p PLAN]"),
	N_("give a milestone another title while the plan runs"),
	cmd_retitle_exec
};

static int
cmd_retitle_exec(struct client *c, int argc, char **argv)
{
	static const struct cmd_field fields[] = {
		{ "title", "title", 1 }, { NULL, NULL, 0 }
	};

	return cmd_post_change(c, &cmd_retitle_entry, argc, argv, fields,
	    _("retitled %s: \"%s\" -> \"%s\""));
}
