/* cmd-login.c: termijn login: a personal access token for a server, by a code sent by mail. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_login_exec(struct client *, int, char **);

const struct cmd_entry cmd_login_entry = {
	"login",
	N_("URL ADDRESS | --token URL"),
	N_("get a personal access token for termijnd at URL: a code comes by e-mail"),
	cmd_login_exec
};

/* One line from standard input, without its line end; NULL at its end. */
static char *
read_line(const char *prompt)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (isatty(STDIN_FILENO))
		fprintf(stderr, "%s", prompt);
	if ((n = getline(&line, &cap, stdin)) <= 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static int
keep(struct client *c, const char *url, const char *token)
{
	json_t *ans;
	int rv;

	/* Ask as whom the token is, before keeping it. */
	c->server = url;
	c->token = xstrdup(token);
	c->token_read = 1;
	if ((rv = api_get(c, "/whoami", &ans)) != 0)
		return rv;
	if ((rv = token_save(url, token)) == 0)
		printf(_("logged in to %s as %s%s%s%s\n"), url, jstr_or(ans, "person_name", ""),
		    jstr(ans, "person_name") ? " <" : "", jstr_or(ans, "person", "?"),
		    jstr(ans, "person_name") ? ">" : "");
	json_decref(ans);
	return rv;
}

static int
cmd_login_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "token", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *url, *addr;
	json_t *req, *ans;
	char *code, *prompt, *until;
	int ch, rv, bytoken = 0;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS, longopts, NULL)) != -1) {
		if (ch == 't')
			bytoken = 1;
		else if ((rv = cmd_option(c, &cmd_login_entry, ch, argv)) != -1)
			return rv;
	}
	if (argc - optind != (bytoken ? 1 : 2))
		return cmd_usage(&cmd_login_entry);
	url = argv[optind];
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) {
		warnx(_("login: URL is termijnd's address, https://..."));
		return cmd_usage(&cmd_login_entry);
	}
	c->server = url;
	if (bytoken) {
		if ((code = read_line(_("token: "))) == NULL || *code == '\0') {
			warnx(_("login: no token on standard input"));
			free(code);
			return 1;
		}
		rv = keep(c, url, code);
		explicit_bzero(code, strlen(code));
		free(code);
		return rv;
	}
	addr = argv[optind + 1];
	/* No token of an earlier login goes along with this one. */
	c->token_read = 1;
	req = json_pack("{s:s}", "address", addr);
	rv = api_post(c, "/login", req, &ans, NULL);
	json_decref(req);
	if (rv != 0)
		return rv;
	fprintf(stderr, _("%s (valid %lld minutes)\n"), jstr_or(ans, "message",
	    _("a code is on its way")), (long long)json_integer_value(json_object_get(ans,
	    "minutes")));
	json_decref(ans);
	xasprintf(&prompt, _("the code from the e-mail to %s: "), addr);
	code = read_line(prompt);
	free(prompt);
	if (code == NULL || *code == '\0') {
		warnx(_("login: no code given"));
		free(code);
		return 1;
	}
	req = json_pack("{s:s, s:s}", "address", addr, "code", code);
	free(code);
	rv = api_post(c, "/login/code", req, &ans, NULL);
	json_decref(req);
	if (rv != 0)
		return rv;
	if (jstr(ans, "token") == NULL) {
		warnx(_("login: the answer has no token"));
		json_decref(ans);
		return 1;
	}
	rv = token_save(url, jstr(ans, "token"));
	if (rv == 0) {
		until = until_text(jstr_or(ans, "expires", "?"));
		printf(_("logged in to %s as %s (token %lld, until %s)\n"), url,
		    jstr_or(ans, "person", addr), (long long)json_integer_value(
		    json_object_get(ans, "id")), until);
		free(until);
	}
	json_decref(ans);
	return rv;
}
