/* termijn.c: the client's main: global options, then hand the rest to the verb. */
#include <ctype.h>
#include <err.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "localedir.h"
#include "log.h"

enum { OPT_SERVER = 0x300, OPT_CACERT };
#include "xmalloc.h"

const char *
cgettext(const char *ctxid, const char *msgid)
{
	const char *s = gettext(ctxid);

	return s == ctxid ? msgid : s;
}

static void
usage(FILE *fp, int full)
{
	const struct cmd_entry **e;

	fprintf(fp, _("usage: %s\n       %s\n"),
	    _("termijn [-s SOCKET | --server URL [--cacert FILE]] [--json] VERB [ARGUMENTS]"),
	    _("termijn help [VERB]"));
	if (!full)
		return;
	fputc('\n', fp);
	fprintf(fp, _("  -s SOCKET  termijnd's socket (default $TERMIJN_SOCKET, else %s)\n"),
	    TERMIJN_SOCKET_DEFAULT);
	fputs(_("  --server URL  termijnd over HTTPS, as the person of your token\n"
	    "             (default $TERMIJN_SERVER; tokens: termijn login)\n"), fp);
	fputs(_("  --cacert FILE  the CA certificates for that server (default $TERMIJN_CACERT)\n"),
	    fp);
	fputs(_("  --json     print the daemon's JSON instead of text\n"), fp);
	fputc('\n', fp);
	fputs(_("verbs:\n"), fp);
	for (e = cmd_table; *e != NULL; e++)
		fprintf(fp, "  %-10s %s\n", (*e)->name, _((*e)->summary));
	fputc('\n', fp);
	fputs(_("exit status: 0 success, 1 error, 2 usage, 3 refused by a rule, 4 not found,\n"
	    "69 termijnd unreachable\n"), fp);
}

/* termijn help [VERB] */
static int
help(int argc, char **argv)
{
	const struct cmd_entry *e;

	if (argc < 2) {
		usage(stdout, 1);
		return 0;
	}
	if (argc > 2) {
		warnx(_("help: one verb at a time"));
		fprintf(stderr, _("usage: %s\n"), _("termijn help [VERB]"));
		return EXIT_USAGE;
	}
	if ((e = cmd_find(argv[1])) == NULL) {
		warnx(_("help: no such verb: %s (termijn help lists them)"), argv[1]);
		return EXIT_USAGE;
	}
	cmd_help(e, stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "cacert", required_argument, NULL, OPT_CACERT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cmd_entry *e;
	struct client c;
	const char *s;
	char **vargv, *name;
	int ch, i, rv;

	/* fatal() from xmalloc says who failed; it must not look like a journald line. */
	log_init("termijn", 0);
	/* The language of LANG/LC_MESSAGES; numbers stay as JSON writes them. */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	bindtextdomain(TERMIJN_DOMAIN, localedir());
	textdomain(TERMIJN_DOMAIN);
	memset(&c, 0, sizeof(c));
	s = getenv("TERMIJN_SOCKET");
	c.socket = s != NULL && *s != '\0' ? s : TERMIJN_SOCKET_DEFAULT;
	s = getenv("TERMIJN_SERVER");
	c.server = s != NULL && *s != '\0' ? s : NULL;
	s = getenv("TERMIJN_CACERT");
	c.cacert = s != NULL && *s != '\0' ? s : NULL;

	/* '+': global options end at the verb; the verb parses the rest. */
	while ((ch = getopt_long(argc, argv, "+:s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (*optarg == '\0') {
				warnx(_("-s: the socket path is empty"));
				return EXIT_USAGE;
			}
			c.socket = optarg;
			/* The socket named on the command line wins over TERMIJN_SERVER. */
			c.server = NULL;
			break;
		case OPT_SERVER:
			if (strncmp(optarg, "https://", 8) != 0 && strncmp(optarg, "http://", 7) != 0) {
				warnx(_("--server: an https:// (or, on this machine, http://) URL"));
				return EXIT_USAGE;
			}
			c.server = optarg;
			break;
		case OPT_CACERT:
			c.cacert = optarg;
			break;
		case OPT_JSON:
			c.json = 1;
			break;
		case 'h':
			usage(stdout, 1);
			return 0;
		case 'V':
			printf("termijn %s\n", TERMIJN_VERSION);	/* notr: name and version */
			return 0;
		case ':':
			warnx(_("option %s needs a value"), argv[optind - 1]);
			usage(stderr, 0);
			return EXIT_USAGE;
		default:
			if (optopt > 0 && optopt < 0x80 && isprint(optopt))
				warnx(_("unknown option -%c"), optopt);
			else
				warnx(_("unknown option %s"), argv[optind - 1]);
			usage(stderr, 0);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr, 0);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "help") == 0)
		return help(argc, argv);
	if ((e = cmd_find(argv[0])) == NULL) {
		warnx(_("unknown verb: %s (termijn help lists them)"), argv[0]);
		return EXIT_USAGE;
	}

	output_init(&c);

	/* The verb parses its own argv from the start; glibc reinitialises at optind 0. */
	xasprintf(&name, "termijn %s", e->name);
	vargv = xcalloc((size_t)argc + 1, sizeof(*vargv));
	vargv[0] = name;
	for (i = 1; i < argc; i++)
		vargv[i] = argv[i];
	optind = 0;
	rv = e->exec(&c, argc, vargv);

	http_free(&c);
	free(vargv);
	free(name);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warn("stdout");		/* notr: a file's name */
		if (rv == 0)
			rv = 1;
	}
	return rv;
}
