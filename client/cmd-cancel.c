/* cmd-cancel.c: termijn cancel: take back a milestone that was added at run time. */
#include <stddef.h>

#include "client.h"

static int	cmd_cancel_exec(struct client *, int, char **);

const struct cmd_entry cmd_cancel_entry = {
	"cancel",
	N_("ID -r|--reason TEXT [-p PLAN]"),
	N_("take back a milestone that was added while the plan runs"),
	cmd_cancel_exec
};

static int
cmd_cancel_exec(struct client *c, int argc, char **argv)
{
	static const struct cmd_field fields[] = { { NULL, NULL, 0 } };

	return cmd_post_change(c, &cmd_cancel_entry, argc, argv, fields,
	    _("cancelled %s (%s -> %s)"));
}
