/* client.h: what the verbs of termijn share: the client, the verb table, HTTP and output. */
#ifndef TERMIJN_CLIENT_H
#define TERMIJN_CLIENT_H

#include <stdio.h>

#include <jansson.h>
#include <libintl.h>

/* Messages for people go through gettext (po/nl.po); make po-check finds untranslated ones. */
#define _(s)		gettext(s)
#define P_(s, p, n)	ngettext(s, p, n)
#define N_(s)		(s)
/* A message with a context, for words that mean different things in different places. */
#define C_(ctx, s)	cgettext(ctx "\004" s, s)
/* The same, marked for a table: cgettext(NC_(ctx, s), s) translates it. */
#define NC_(ctx, s)	(ctx "\004" s)

#include "version.h"

#define TERMIJN_SOCKET_DEFAULT "/run/termijn/termijnd.sock"

/* Exit statuses, as termijn(1) documents them. */
#define EXIT_USAGE	2
#define EXIT_REFUSED	3
#define EXIT_NOTFOUND	4
#define EXIT_UNREACH	69	/* EX_UNAVAILABLE */

struct client {
	const char	*socket;
	const char	*server;	/* remote use: termijnd's base URL; NULL: the socket */
	const char	*cacert;	/* CA certificates for the server's TLS, NULL: the system's */
	char		*token;		/* the personal access token for server */
	int		 token_read;
	int		 json;		/* print the daemon's JSON instead of text */
	int		 color;		/* stdout is a terminal and NO_COLOR is unset */
	size_t		 width;		/* columns to fit tables in; 0: no limit */
	void		*curl;		/* CURL *, made and freed by http.c */
};

struct cmd_entry {
	const char	*name;
	const char	*usage;		/* arguments after the verb, N_(): placeholders translated */
	const char	*summary;	/* one line */
	int		(*exec)(struct client *, int, char **);
};

/* cmd.c */
extern const struct cmd_entry *cmd_table[];
const struct cmd_entry	*cmd_find(const char *);
void			 cmd_help(const struct cmd_entry *, FILE *);
int			 cmd_usage(const struct cmd_entry *);
int			 cmd_option(struct client *, const struct cmd_entry *, int, char **);
int			 cmd_noargs(const struct cmd_entry *, int, char **);
int			 cmd_key(const struct cmd_entry *, int, char **, const char **);
int			 cmd_set(const struct cmd_entry *, json_t *, const char *, const char *);
int			 cmd_post_reason(struct client *, const struct cmd_entry *, int, char **,
			    const char *, const char **, json_t **);
/* A value a change verb sends: --OPTION TEXT as the body's field (required: given). */
struct cmd_field {
	const char	*option;
	const char	*field;
	int		 required;
};
int			 cmd_post_change(struct client *, const struct cmd_entry *, int, char **,
			    const struct cmd_field *, const char *done_fmt);

/* The long options every verb takes, and the values they return. */
#define OPT_JSON	0x100
#define OPT_HELP	'h'
#define CMD_LONGOPTS							\
	{ "help", no_argument, NULL, OPT_HELP },			\
	{ "json", no_argument, NULL, OPT_JSON }
/* Every verb's short options start with ':' (we report option errors) and take -h. */
#define CMD_SHORTOPTS	":h"

extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_done_entry;
extern const struct cmd_entry cmd_undo_entry;
extern const struct cmd_entry cmd_waive_entry;
extern const struct cmd_entry cmd_add_entry;
extern const struct cmd_entry cmd_part_entry;
extern const struct cmd_entry cmd_move_entry;
extern const struct cmd_entry cmd_retitle_entry;
extern const struct cmd_entry cmd_cancel_entry;
extern const struct cmd_entry cmd_require_entry;
extern const struct cmd_entry cmd_log_entry;
extern const struct cmd_entry cmd_reload_entry;
extern const struct cmd_entry cmd_reminders_entry;
extern const struct cmd_entry cmd_feeds_entry;
extern const struct cmd_entry cmd_people_entry;
extern const struct cmd_entry cmd_whoami_entry;
extern const struct cmd_entry cmd_access_entry;
extern const struct cmd_entry cmd_login_entry;

/* http.c */
void	 http_free(struct client *);
char	*api_path(const char *, ...) __attribute__((sentinel));
int	 api_get(struct client *, const char *, json_t **);
int	 api_post(struct client *, const char *, json_t *, json_t **, const char *);
/* A GET that --json prints as it came: then *answer is NULL, and nothing is left to do. */
int	 api_get_shown(struct client *, const char *, json_t **answer);
/* Where requests go, for messages: the socket path or the server URL. */
const char *api_where(struct client *);

/* token.c */
char	*token_path(void);
char	*server_norm(const char *);
int	 token_load(const char *server, char **token);
int	 token_save(const char *server, const char *token);
/*
 * A paged GET: path, then path&param=NEXT while the answer's "next" is not null, the
 * pages' arrays name joined in order (backwards: each page is older, so goes before).
 * want: at most that many (0: all). The answer has no "next".
 */
int	 api_get_pages(struct client *, const char *path, const char *name, const char *param,
	    int backwards, size_t want, json_t **);
/*
 * The same pages one at a time, forwards, each to each(page, first, last, arg) and let go
 * after: so a long list is never held whole. The first is first_url (NULL: path). Stops at
 * the first non-zero each returns, and returns it (-1: enough, 0).
 */
int	 api_each_page(struct client *, const char *path, const char *first_url,
	    int (*each)(json_t *, int, int, void *), const char *param, void *arg);
/*
 * A read in pages by "cursor" that shows what it gets: with --json each page goes out as it
 * comes (the answer as the pages make it together, its list name) and *answer is NULL;
 * else the pages joined (api_get_pages).
 */
int	 api_get_shown_pages(struct client *, const char *path, const char *name,
	    json_t **answer);

/* termijn.c */
const char	*cgettext(const char *, const char *) __attribute__((format_arg(2)));

/* output.c */
struct table;

void		 output_init(struct client *);
size_t		 utf8_len(const char *);
char		*utf8_trunc(const char *, size_t);
void		 json_print(json_t *);
/*
 * A paged answer (api_each_page) written as json_print writes it whole, page by page: the
 * members before the array from the first page, those after it from the last.
 */
struct json_pages {
	const char	*name;		/* the array the pages hold */
	size_t		 n;
	int		 members;
};
int		 json_pages_print(json_t *page, int first, int last, void *json_pages);
void		 json_clean(json_t *);
const char	*jstr(const json_t *, const char *);
const char	*jstr_or(const json_t *, const char *, const char *);
int		 jbool(const json_t *, const char *);
json_t		*jarr(const json_t *, const char *);
char		*inst_title(const json_t *);
char		*inst_due(const json_t *);
char		*instant_local(const char *, const char *);
char		*until_text(const char *);
void		 str_join(char **, const char *, const char *);
const char	*plans_zone(const json_t *);
void		 color_on(struct client *, FILE *, const char *);
void		 color_off(struct client *, FILE *);
const char	*state_color(const char *);
const char	*state_label(const char *);
const char	*state_id(const char *);
void		 print_state(struct client *, FILE *, const char *);
void		 print_heading(struct client *, const char *);
void		 print_unmet(FILE *, json_t *);

struct table	*table_new(size_t, ...);
void		 table_row(struct table *, ...);
void		 table_state(struct table *, size_t);
void		 table_flex(struct table *, size_t);
void		 table_indent(struct table *, size_t);
void		 table_minor(struct table *, size_t);
void		 table_noheader(struct table *);
void		 table_print(struct client *, struct table *);
/* The rows so far, then forgotten: the header comes once, the columns never narrow. */
void		 table_flush(struct client *, struct table *);
void		 table_free(struct table *);

/* zone: named in the AT heading (NULL: said elsewhere, or the zones differ). */
void		 print_history(struct client *, json_t *, int, size_t, const char *);
/* The same in parts, for a log that comes in pages: a table (plans: with PLAN), its rows. */
int		 history_plans(json_t *);
struct table	*history_table(int withkey, int plans, size_t indent, const char *zone);
void		 history_rows(struct table *, json_t *);
void		 print_ready(json_t *);

#endif
