/* cmd-waive.c: termijn waive: declare a milestone not applicable, with a reason. */
#include <stdio.h>

#include "client.h"

static int	cmd_waive_exec(struct client *, int, char **);

const struct cmd_entry cmd_waive_entry = {
	"waive",
	N_("KEY -r|--reason TEXT [-p PLAN]"),
	N_("mark a milestone not applicable, with a reason"),
	cmd_waive_exec
};

static int
cmd_waive_exec(struct client *c, int argc, char **argv)
{
	const char *key;
	json_t *ans;
	int rv;

	rv = cmd_post_reason(c, &cmd_waive_entry, argc, argv, _("%s cannot be waived"),
	    &key, &ans);
	if (rv != 0 || ans == NULL)
		return rv;
	printf(_("waived: %s\n"), jstr_or(json_object_get(ans, "instance"), "key", key));
	print_ready(ans);
	json_decref(ans);
	return 0;
}
