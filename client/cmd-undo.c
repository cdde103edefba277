/* cmd-undo.c: termijn undo: reopen a milestone that was done or waived, with a reason. */
#include <stdio.h>

#include "client.h"

static int	cmd_undo_exec(struct client *, int, char **);

const struct cmd_entry cmd_undo_entry = {
	"undo",
	N_("KEY -r|--reason TEXT [-p PLAN]"),
	N_("reopen a milestone that was done or waived, with a reason"),
	cmd_undo_exec
};

static int
cmd_undo_exec(struct client *c, int argc, char **argv)
{
	const char *key, *state;
	json_t *ans, *inst;
	int rv;

	rv = cmd_post_reason(c, &cmd_undo_entry, argc, argv,
	    _("%s cannot be undone: these require it and are done"), &key, &ans);
	if (rv != 0 || ans == NULL)
		return rv;
	inst = json_object_get(ans, "instance");
	printf(_("undone: %s"), jstr_or(inst, "key", key));
	if ((state = jstr(inst, "state")) != NULL) {
		printf(_(" (now "));
		print_state(c, stdout, state);
		printf(")");
	}
	printf("\n");
	json_decref(ans);
	return 0;
}
