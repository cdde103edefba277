/* cmd.c: the table of verbs, and the option handling every verb shares. */
#include <ctype.h>
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "xmalloc.h"

/* Adding a verb: a new cmd-VERB.c exporting its entry, and one line here. */
const struct cmd_entry *cmd_table[] = {
	&cmd_status_entry,
	&cmd_list_entry,
	&cmd_show_entry,
	&cmd_done_entry,
	&cmd_undo_entry,
	&cmd_waive_entry,
	&cmd_add_entry,
	&cmd_part_entry,
	&cmd_move_entry,
	&cmd_retitle_entry,
	&cmd_cancel_entry,
	&cmd_require_entry,
	&cmd_log_entry,
	&cmd_reload_entry,
	&cmd_reminders_entry,
	&cmd_feeds_entry,
	&cmd_people_entry,
	&cmd_whoami_entry,
	&cmd_access_entry,
	&cmd_login_entry,
	NULL
};

const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry **e;

	for (e = cmd_table; *e != NULL; e++) {
		if (strcmp((*e)->name, name) == 0)
			return *e;
	}
	return NULL;
}

/* The verb's arguments with their placeholders in the reader's language (gettext("") is
 * the catalog's header, so an empty one stays empty). */
static const char *
cmd_synopsis(const struct cmd_entry *e)
{
	return *e->usage != '\0' ? _(e->usage) : "";
}

void
cmd_help(const struct cmd_entry *e, FILE *fp)
{
	fprintf(fp, _("usage: termijn %s%s%s\n"), e->name, *e->usage != '\0' ? " " : "",
	    cmd_synopsis(e));
	fprintf(fp, "%s\n", _(e->summary));
}

int
cmd_usage(const struct cmd_entry *e)
{
	fprintf(stderr, _("usage: termijn %s%s%s\n"), e->name, *e->usage != '\0' ? " " : "",
	    cmd_synopsis(e));
	return EXIT_USAGE;
}

/*
 * The options every verb takes (--json, -h/--help) and option errors, for the default case
 * of a verb's getopt switch: -1 means go on parsing, anything else is the exit status.
 * Verbs' optstrings start with ':' so that the messages name the verb's usage, not argv[0].
 */
int
cmd_option(struct client *c, const struct cmd_entry *e, int ch, char **argv)
{
	switch (ch) {
	case OPT_JSON:
		c->json = 1;
		return -1;
	case OPT_HELP:
		cmd_help(e, stdout);
		return 0;
	case ':':
		warnx(_("%s: option %s needs a value"), e->name, argv[optind - 1]);
		break;
	default:
		if (optopt > 0 && optopt < 0x80 && isprint(optopt))
			warnx(_("%s: unknown option -%c"), e->name, optopt);
		else
			warnx(_("%s: unknown option %s"), e->name, argv[optind - 1]);
		break;
	}
	return cmd_usage(e);
}

/* A verb without arguments: anything left is a usage error. */
int
cmd_noargs(const struct cmd_entry *e, int argc, char **argv)
{
	if (argc > optind) {
		warnx(_("%s: unexpected argument: %s"), e->name, argv[optind]);
		return cmd_usage(e);
	}
	return 0;
}

/* A verb with exactly one KEY argument. */
int
cmd_key(const struct cmd_entry *e, int argc, char **argv, const char **key)
{
	if (argc - optind < 1) {
		warnx(_("%s: which milestone? give ID or ID@PARTY"), e->name);
		return cmd_usage(e);
	}
	if (argc - optind > 1) {
		warnx(_("%s: one milestone at a time; unexpected argument: %s"), e->name,
		    argv[optind + 1]);
		return cmd_usage(e);
	}
	if (*argv[optind] == '\0' || *argv[optind] == '@') {
		warnx(_("%s: bad milestone \"%s\": give ID or ID@PARTY"), e->name, argv[optind]);
		return cmd_usage(e);
	}
	*key = argv[optind];
	return 0;
}

/* Put a string argument (NULL: none) into a request; JSON strings are UTF-8 only. */
int
cmd_set(const struct cmd_entry *e, json_t *req, const char *name, const char *value)
{
	json_t *v;

	if (value == NULL)
		return 0;
	if ((v = json_string(value)) == NULL) {
		warnx(_("%s: the %s is not valid UTF-8"), e->name, name);
		return cmd_usage(e);
	}
	json_object_set_new(req, name, v);
	return 0;
}

/*
 * The verbs that change one milestone for a reason (undo, waive): parse KEY,
 * -p PLAN and -r REASON, post to /VERB. 0 with *ans (to print and free) unless --json
 * printed it already; else the exit status. refused heads a refusal's list ("%s" is the key).
 */
int
cmd_post_reason(struct client *c, const struct cmd_entry *e, int argc, char **argv,
    const char *refused_fmt, const char **key, json_t **ans)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "plan", required_argument, NULL, 'p' },
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char *plan = NULL, *reason = NULL;
	json_t *req;
	char *refused, *path;
	int ch, rv;

	*ans = NULL;
	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS "p:r:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			plan = optarg;
			break;
		case 'r':
			reason = optarg;
			break;
		default:
			if ((rv = cmd_option(c, e, ch, argv)) != -1)
				return rv;
		}
	}
	if ((rv = cmd_key(e, argc, argv, key)) != 0)
		return rv;
	if (reason == NULL || *reason == '\0') {
		warnx(_("%s: say why, with --reason TEXT (it goes into the log)"), e->name);
		return cmd_usage(e);
	}
	req = json_object();
	if ((rv = cmd_set(e, req, "plan", plan)) != 0 || (rv = cmd_set(e, req, "key", *key)) != 0 ||
	    (rv = cmd_set(e, req, "reason", reason)) != 0) {
		json_decref(req);
		return rv;
	}
	xasprintf(&refused, refused_fmt, *key);
	xasprintf(&path, "/%s", e->name);
	rv = api_post(c, path, req, ans, refused);
	free(path);
	free(refused);
	json_decref(req);
	if (rv == 0 && c->json) {
		json_print(*ans);
		json_decref(*ans);
		*ans = NULL;
	}
	return rv;
}

/*
 * The verbs that change a running plan: KEY (a milestone id), -p PLAN, --reason TEXT and
 * the verb's own fields, posted to /VERB; done_fmt prints the key, old and new value.
 */
int
cmd_post_change(struct client *c, const struct cmd_entry *e, int argc, char **argv,
    const struct cmd_field *fields, const char *done_fmt)
{
	struct option longopts[8] = { CMD_LONGOPTS,
	    { "plan", required_argument, NULL, 'p' },
	    { "reason", required_argument, NULL, 'r' } };
	const char *plan = NULL, *reason = NULL, *key, *given[4] = { NULL };
	json_t *req, *ans, *ch_o, *a, *v;
	char *path;
	size_t i, n, nf;
	int ch, rv;

	for (nf = 0; fields[nf].option != NULL; nf++) {
		longopts[4 + nf].name = fields[nf].option;
		longopts[4 + nf].has_arg = required_argument;
		longopts[4 + nf].val = 0x300 + (int)nf;
	}
	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS "p:r:", longopts, NULL)) != -1) {
		if (ch >= 0x300 && ch < 0x300 + (int)nf)
			given[ch - 0x300] = optarg;
		else if (ch == 'p')
			plan = optarg;
		else if (ch == 'r')
			reason = optarg;
		else if ((rv = cmd_option(c, e, ch, argv)) != -1)
			return rv;
	}
	if ((rv = cmd_key(e, argc, argv, &key)) != 0)
		return rv;
	if (reason == NULL || *reason == '\0') {
		warnx(_("%s: say why, with --reason TEXT (it goes into the log)"), e->name);
		return cmd_usage(e);
	}
	for (i = n = 0; i < nf; i++) {
		if (fields[i].required && given[i] == NULL) {
			warnx(_("%s: --%s is needed"), e->name, fields[i].option);
			return cmd_usage(e);
		}
		n += given[i] != NULL;
	}
	if (nf > 0 && n == 0) {
		warnx(_("%s: say what changes (see --help)"), e->name);
		return cmd_usage(e);
	}
	req = json_object();
	if ((rv = cmd_set(e, req, "plan", plan)) != 0 || (rv = cmd_set(e, req, "key", key)) != 0 ||
	    (rv = cmd_set(e, req, "reason", reason)) != 0)
		goto out;
	for (i = 0; i < nf; i++)
		if ((rv = cmd_set(e, req, fields[i].field, given[i])) != 0)
			goto out;
	xasprintf(&path, "/%s", e->name);
	rv = api_post(c, path, req, &ans, NULL);
	free(path);
	if (rv != 0)
		goto out;
	if (c->json)
		json_print(ans);
	else {
		ch_o = json_object_get(ans, "change");
		printf(done_fmt, jstr_or(ch_o, "key", key), jstr_or(ch_o, "old", "?"),
		    jstr_or(ch_o, "new", "?"));
		printf("\n");
		a = jarr(ans, "cancelled");
		json_array_foreach(a, i, v)
			printf(_("  cancelled: %s\n"), json_string_value(v));
	}
	json_decref(ans);
out:
	json_decref(req);
	return rv;
}
