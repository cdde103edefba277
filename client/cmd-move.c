/* cmd-move.c: termijn move: a milestone's deadline, window or not-before, while the plan runs. */
#include <stddef.h>

#include "client.h"

static int	cmd_move_exec(struct client *, int, char **);

const struct cmd_entry cmd_move_entry = {
	"move",
	N_("ID -r|--reason TEXT [-p PLAN] [--due D] [--window-start D|none]\n"
	"    [--not-before TIME|none]\n"
	"    (D, TIME: \"YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM\" in the plan's zone)"),
	N_("move a milestone's deadline, window or not-before while the plan runs"),
	cmd_move_exec
};

static int
cmd_move_exec(struct client *c, int argc, char **argv)
{
	static const struct cmd_field fields[] = {
		{ "due", "due", 0 }, { "window-start", "from", 0 },
		{ "not-before", "not_before", 0 }, { NULL, NULL, 0 }
	};

	return cmd_post_change(c, &cmd_move_entry, argc, argv, fields, _("moved %s: %s -> %s"));
}
