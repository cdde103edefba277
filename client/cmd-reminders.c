/* cmd-reminders.c: termijn reminders: the outbox, what the plans will send, a preview, retry. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "xmalloc.h"

static int	cmd_reminders_exec(struct client *, int, char **);

const struct cmd_entry cmd_reminders_entry = {
	"reminders",
	N_("[upcoming|sent|failed|pending|all] [-p PLAN] [--until DATE]\n"
	"       termijn reminders preview [--until DATE] [-p PLAN]\n"
	"       termijn reminders retry ID"),
	N_("the reminders: upcoming, sent, failed; a preview of the messages; retry a failed one"),
	cmd_reminders_exec
};

enum { OPT_UNTIL = 0x200 };

/* What the outbox views ask the daemon for; NULL: every row. */
static const struct {
	const char	*view;
	const char	*state;
} views[] = {
	{ "sent",	"sent" },
	{ "failed",	"failed" },
	{ "pending",	"pending" },
	{ "sending",	"sending" },
	{ "cancelled",	"cancelled" },
	{ "all",	NULL },
};

/* An empty outbox view, said in words (a state name in a Dutch sentence reads badly). */
static const char *
none_in(const char *state)
{
	static const struct {
		const char	*state;
		const char	*none;
	} nones[] = {
		{ "sent",	N_("no sent reminders") },
		{ "failed",	N_("no failed reminders") },
		{ "pending",	N_("no reminders waiting in the outbox") },
		{ "sending",	N_("no reminders being sent") },
		{ "cancelled",	N_("no cancelled reminders") },
	};
	size_t i;

	for (i = 0; i < sizeof(nones) / sizeof(nones[0]); i++)
		if (strcmp(nones[i].state, state) == 0)
			return nones[i].none;
	return N_("no such reminders");
}

/*
 * A reminder's kind in our words (the daemon's, in the JSON, are the same in every
 * language): every kind remind.c writes to the outbox, the change mails' too.
 */
static const char *
kind_word(const char *kind)
{
	static const struct {
		const char	*kind;
		const char	*word;
	} words[] = {
		{ "lead",			NC_("reminder", "lead") },
		{ "opens",			NC_("reminder", "opens") },
		{ "overdue",			NC_("reminder", "overdue") },
		{ "escalate",			NC_("reminder", "escalate") },
		{ "go-ahead",			NC_("reminder", "go-ahead") },
		{ "same-moment",		NC_("reminder", "same-moment") },
		{ "held-up",			NC_("reminder", "held-up") },
		{ "merged",			NC_("reminder", "merged") },
		{ "digest",			NC_("reminder", "digest") },
		{ "feed-link",			NC_("reminder", "feed-link") },
		{ "access-grant",		NC_("reminder", "access-grant") },
		{ "login-code",			NC_("reminder", "login-code") },
		{ "signin-link",		NC_("reminder", "signin-link") },
		{ "change-done-override",	NC_("reminder", "change-done-override") },
		{ "change-undo",		NC_("reminder", "change-undo") },
		{ "change-add",			NC_("reminder", "change-add") },
		{ "change-move",		NC_("reminder", "change-move") },
		{ "change-retitle",		NC_("reminder", "change-retitle") },
		{ "change-cancel",		NC_("reminder", "change-cancel") },
		{ "change-require",		NC_("reminder", "change-require") },
		{ "change-part-add",		NC_("reminder", "change-part-add") },
		{ "change-part-add-override",	NC_("reminder", "change-part-add-override") },
		{ "change-part-cancel",		NC_("reminder", "change-part-cancel") },
	};
	size_t i;

	if (kind == NULL)
		return "?";
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i].kind, kind) == 0)
			return cgettext(words[i].word, words[i].kind);
	return kind;
}

/* An outbox row's state in our words (the daemon's are the same in every language). */
static const char *
state_word(const char *state)
{
	if (state == NULL)
		return "?";
	if (strcmp(state, "sent") == 0)
		return C_("outbox", "sent");
	if (strcmp(state, "failed") == 0)
		return C_("outbox", "failed");
	if (strcmp(state, "pending") == 0)
		return C_("outbox", "pending");
	if (strcmp(state, "sending") == 0)
		return C_("outbox", "sending");
	if (strcmp(state, "cancelled") == 0)
		return C_("outbox", "cancelled");
	return state;
}

/*
 * The recipients (or, field "digest", those who get it in their digest) of an upcoming
 * message on one line; short: the first and how many more.
 */
static char *
recipients(const json_t *m, const char *field, int shortly)
{
	json_t *a = jarr(m, field), *r;
	char *s;
	size_t i;

	if (shortly && json_array_size(a) > 1) {
		r = json_array_get(a, 0);
		xasprintf(&s, "%s +%zu", json_is_string(r) ? json_string_value(r) : "?",
		    json_array_size(a) - 1);
		return s;
	}
	s = NULL;
	json_array_foreach(a, i, r)
		str_join(&s, ", ", json_string_value(r));
	return s != NULL ? s : xstrdup("");
}

static const json_t *sort_base;

/* By instant, then as the daemon gave them: ISO instants in UTC sort as strings. */
static int
cmp_at(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(jstr_or(json_array_get(sort_base, x), "at", ""),
	    jstr_or(json_array_get(sort_base, y), "at", ""));

	if (c != 0)
		return c;
	return x < y ? -1 : x > y;
}

/* The upcoming messages in time order, across plans (the daemon lists them per plan). */
static size_t *
upcoming_order(json_t *up)
{
	size_t n = json_array_size(up), i, *order;

	order = xcalloc(n ? n : 1, sizeof(*order));
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_base = up;
	qsort(order, n, sizeof(*order), cmp_at);
	sort_base = NULL;
	return order;
}

static int
several_plans(json_t *list)
{
	const char *p0 = NULL;
	json_t *it;
	size_t i;

	json_array_foreach(list, i, it) {
		if (p0 == NULL)
			p0 = jstr_or(it, "plan", "");
		else if (strcmp(p0, jstr_or(it, "plan", "")) != 0)
			return 1;
	}
	return 0;
}

/* The time in the plan's zone, as the daemon gave it, or the instant shown in zone. */
static char *
local_of(const json_t *m, const char *local, const char *iso, const char *zone)
{
	const char *s = jstr(m, local);

	if (s != NULL)
		return xstrdup(s);
	return jstr(m, iso) != NULL ? instant_local(jstr(m, iso), zone) : xstrdup("");
}

/* A time column's heading, naming the zone (zone NULL: the plans' zones differ). */
static char *
time_heading(const char *word, const char *zone)
{
	char *s;

	if (zone != NULL)
		/* TRANSLATORS: a column heading (WHEN, DUE) and the time zone of its times. */
		xasprintf(&s, _("%s (%s)"), word, zone);
	else
		xasprintf(&s, _("%s (the plan's zone)"), word);
	return s;
}

static void
print_upcoming(struct client *c, json_t *body, const char *until, const char *zone)
{
	json_t *up = jarr(body, "upcoming"), *m;
	struct table *t;
	size_t *order, i, n = json_array_size(up);
	const char *kind;
	char *when, *to, *head;
	int plans = several_plans(up);

	if (n == 0)
		if (until != NULL)
			printf(_("no reminders until %s\n"), until);
		else
			printf(_("no reminders in the next 30 days\n"));
	else {
		head = time_heading(_("WHEN"), zone);
		if (plans) {
			t = table_new(6, head, _("KIND"), _("PLAN"), _("KEY"), _("TO"),
			    _("SUBJECT"));
			table_flex(t, 5);
		} else {
			t = table_new(5, head, _("KIND"), _("KEY"), _("TO"), _("SUBJECT"));
			table_flex(t, 4);
		}
		free(head);
		order = upcoming_order(up);
		for (i = 0; i < n; i++) {
			m = json_array_get(up, order[i]);
			when = local_of(m, "at_local", "at", zone);
			to = recipients(m, "recipients", 1);
			kind = kind_word(jstr(m, "kind"));
			if (plans)
				table_row(t, when, kind, jstr(m, "plan"), jstr(m, "key"), to,
				    jstr(m, "subject"));
			else
				table_row(t, when, kind, jstr(m, "key"), to, jstr(m, "subject"));
			free(when);
			free(to);
		}
		free(order);
		table_print(c, t);
		table_free(t);
	}
}

/* Every message that would go out, in full, the body indented. */
static void
print_preview(struct client *c, json_t *body, const char *until, const char *zone)
{
	json_t *up = jarr(body, "upcoming"), *m;
	size_t *order, i, n = json_array_size(up);
	const char *b, *e;
	char *when, *to, *dg, *head;

	order = upcoming_order(up);
	for (i = 0; i < n; i++) {
		m = json_array_get(up, order[i]);
		when = local_of(m, "at_local", "at", zone);
		to = recipients(m, "recipients", 0);
		dg = recipients(m, "digest", 0);
		if (i > 0)
			fputc('\n', stdout);
		xasprintf(&head, "%s  %s  %s/%s", when, kind_word(jstr(m, "kind")),
		    jstr_or(m, "plan", "?"), jstr_or(m, "key", "?"));
		print_heading(c, head);
		printf(_("  To:      %s\n"), to);
		if (*dg != '\0')
			printf(_("  Digest:  %s\n"), dg);
		free(dg);
		printf(_("  Subject: %s\n\n"), jstr_or(m, "subject", ""));
		/* The body as the daemon composed it, each line indented; blank lines stay blank. */
		b = jstr_or(m, "body", "");
		while (*b != '\0') {
			e = strchr(b, '\n');
			if (e == NULL)
				e = b + strlen(b);
			if (e > b)
				printf("    %.*s", (int)(e - b), b);
			fputc('\n', stdout);
			b = *e == '\n' ? e + 1 : e;
		}
		free(head);
		free(when);
		free(to);
	}
	free(order);
	if (n > 0)
		fputc('\n', stdout);
	if (until != NULL)
		printf(P_("%zu message until %s; nothing was sent\n",
		    "%zu messages until %s; nothing was sent\n", n), n, until);
	else
		printf(P_("%zu message in the next 30 days; nothing was sent\n",
		    "%zu messages in the next 30 days; nothing was sent\n", n), n);
}

/* Outbox rows as a table; plan filters here, as the outbox holds every plan's rows. */
static void
print_outbox(struct client *c, json_t *body, const char *state, const char *plan,
    const char *zone)
{
	json_t *rows = jarr(body, "outbox"), *r, *keep = json_array();
	struct table *t;
	const char *err, *detail, *st, *kind;
	char *due, *tries, *head;
	size_t i;
	int plans;

	json_array_foreach(rows, i, r) {
		if (plan == NULL || strcmp(jstr_or(r, "plan", ""), plan) == 0)
			json_array_append(keep, r);
	}
	if (json_array_size(keep) == 0) {
		if (state != NULL)
			printf("%s\n", _(none_in(state)));
		else
			printf(_("no sent or queued reminders\n"));
		json_decref(keep);
		return;
	}
	plans = several_plans(keep);
	head = time_heading(_("DUE"), zone);
	if (plans) {
		t = table_new(9, _("ID"), _("STATE"), head, _("KIND"), _("PLAN"), _("KEY"),
		    _("TO"), _("TRIES"), _("SUBJECT/ERROR"));
		table_flex(t, 8);
	} else {
		t = table_new(8, _("ID"), _("STATE"), head, _("KIND"), _("KEY"), _("TO"),
		    _("TRIES"), _("SUBJECT/ERROR"));
		table_flex(t, 7);
	}
	free(head);
	json_array_foreach(keep, i, r) {
		char id[32];
		json_t *v = json_object_get(r, "id");

		snprintf(id, sizeof(id), "%lld", json_is_integer(v) ?
		    (long long)json_integer_value(v) : -1LL);
		due = local_of(r, "due_local", "due", zone);
		v = json_object_get(r, "attempts");
		xasprintf(&tries, "%lld", json_is_integer(v) ? (long long)json_integer_value(v) : 0LL);
		/* Why it did not go matters more than what it says. */
		err = jstr(r, "last_error");
		detail = err != NULL && strcmp(jstr_or(r, "state", ""), "sent") != 0 ? err :
		    jstr(r, "subject");
		st = state_word(jstr(r, "state"));
		kind = kind_word(jstr(r, "kind"));
		if (plans)
			table_row(t, id, st, due, kind, jstr(r, "plan"), jstr(r, "key"),
			    jstr(r, "recipient"), tries, detail);
		else
			table_row(t, id, st, due, kind, jstr(r, "key"), jstr(r, "recipient"), tries,
			    detail);
		free(due);
		free(tries);
	}
	table_print(c, t);
	table_free(t);
	json_decref(keep);
}

static int
retry(struct client *c, int argc, char **argv)
{
	json_t *req, *ans;
	const char *s;
	char *end;
	long long id;
	int rv;

	if (argc - optind < 2) {
		warnx(_("reminders: retry which reminder? give its ID (termijn reminders failed "
		    "lists them)"));
		return cmd_usage(&cmd_reminders_entry);
	}
	if (argc - optind > 2) {
		warnx(_("reminders: one reminder at a time; unexpected argument: %s"),
		    argv[optind + 2]);
		return cmd_usage(&cmd_reminders_entry);
	}
	s = argv[optind + 1];
	id = strtoll(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || id < 1) {
		warnx(_("reminders: retry: not a reminder number: %s"), s);
		return cmd_usage(&cmd_reminders_entry);
	}
	req = json_pack("{s:I}", "id", (json_int_t)id);
	rv = api_post(c, "/reminders/retry", req, &ans, NULL);
	json_decref(req);
	if (rv != 0)
		return rv;
	if (c->json)
		json_print(ans);
	else
		printf(_("reminder %lld requeued: it goes out again shortly\n"), id);
	json_decref(ans);
	return 0;
}

static int
cmd_reminders_exec(struct client *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_LONGOPTS,
		{ "plan", required_argument, NULL, 'p' },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ NULL, 0, NULL, 0 }
	};
	const char *plan = NULL, *until = NULL, *view = "upcoming", *state = NULL, *zone;
	json_t *body, *status;
	char *path;
	size_t i;
	int ch, rv, preview = 0, outbox = 0;

	while ((ch = getopt_long(argc, argv, CMD_SHORTOPTS "p:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			plan = optarg;
			break;
		case OPT_UNTIL:
			until = optarg;
			break;
		default:
			if ((rv = cmd_option(c, &cmd_reminders_entry, ch, argv)) != -1)
				return rv;
		}
	}
	if (argc - optind >= 1) {
		view = argv[optind];
		if (strcmp(view, "retry") == 0) {
			if (plan != NULL || until != NULL) {
				warnx(_("reminders: retry takes only the reminder's ID"));
				return cmd_usage(&cmd_reminders_entry);
			}
			return retry(c, argc, argv);
		}
		if (argc - optind > 1) {
			warnx(_("reminders: unexpected argument: %s"), argv[optind + 1]);
			return cmd_usage(&cmd_reminders_entry);
		}
	}
	if (strcmp(view, "preview") == 0)
		preview = 1;
	else if (strcmp(view, "upcoming") != 0) {
		for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
			if (strcmp(views[i].view, view) == 0)
				break;
		}
		if (i == sizeof(views) / sizeof(views[0])) {
			warnx(_("reminders: no such view: %s (upcoming, sent, failed, pending, sending, "
			    "cancelled, all, preview or retry)"), view);
			return cmd_usage(&cmd_reminders_entry);
		}
		if (until != NULL) {
			warnx(_("reminders: --until is for upcoming and preview, not %s"), view);
			return cmd_usage(&cmd_reminders_entry);
		}
		outbox = 1;
		state = views[i].state;
	}

	/* Upcoming only needs the outbox's queue, for the line that points at it. */
	path = api_path("/reminders", "state", outbox ? state : "pending", "plan", plan,
	    "until", until, "upcoming", outbox ? "0" : "1", (char *)NULL);
	rv = api_get_shown_pages(c, path, "outbox", &body);
	free(path);
	if (rv != 0 || body == NULL)
		return rv;
	/* The times are in the plans' zone: say which, as feeds list does. */
	if ((rv = api_get(c, "/status?limit=1", &status)) != 0) {
		json_decref(body);
		return rv;
	}
	zone = plans_zone(status);
	if (outbox)
		print_outbox(c, body, state, plan, zone);
	else if (preview)
		print_preview(c, body, until, zone);
	else {
		size_t queued = 0;
		json_t *r, *failed;

		print_upcoming(c, body, until, zone);
		/* What did not go out matters as much as what is coming. */
		path = api_path("/reminders", "state", "failed", "plan", plan, "upcoming", "0",
		    (char *)NULL);
		rv = api_get_pages(c, path, "outbox", "cursor", 0, 0, &failed);
		free(path);
		if (rv != 0) {
			json_decref(body);
			json_decref(status);
			return rv;
		}
		if (json_array_size(jarr(failed, "outbox")) > 0) {
			printf("\n");
			print_heading(c, _("Failed (termijn reminders retry ID sends one again):"));
			print_outbox(c, failed, "failed", plan, zone);
		}
		json_decref(failed);
		json_array_foreach(jarr(body, "outbox"), i, r) {
			if (plan == NULL || strcmp(jstr_or(r, "plan", ""), plan) == 0)
				queued++;
		}
		if (queued > 0)
			printf(P_("\n%zu queued in the outbox, not sent yet: termijn reminders pending\n",
			    "\n%zu queued in the outbox, not sent yet: termijn reminders pending\n",
			    queued), queued);
		printf(_("\nWhat went out: termijn reminders sent\n"));
	}
	json_decref(body);
	json_decref(status);
	return 0;
}
