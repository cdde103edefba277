/* output.c: text output for people: aligned tables, state colours, local times, JSON access. */
#include <sys/ioctl.h>

#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "xmalloc.h"

#define ELLIPSIS	"\xe2\x80\xa6"	/* U+2026 */
#define FLEX_MIN	12		/* narrower than this, truncating helps nobody */
#define BELOW_MIN	40		/* a last column narrower than this goes on its own line */

struct table {
	size_t	  ncols;
	char	**head;
	char	**cell;		/* nrows * ncols */
	size_t	  nrows, cap;
	size_t	  statecol;	/* coloured as a state label; ncols: none */
	size_t	  flexcol;	/* truncated to fit the terminal; ncols: none */
	size_t	  indent;
	int	  header;
	int	  below;	/* the flex column on lines of its own, under each row */
	size_t	  minorcol;	/* goes below too, before the flex text, when still too wide */
	int	  minor_below;
	size_t	 *wide;		/* the widths rows printed before took (table_flush) */
	int	  shown;	/* its header is out */
};

void
output_init(struct client *c)
{
	struct winsize ws;
	const char *s;
	long n;

	c->color = 0;
	c->width = 0;
	if (!isatty(STDOUT_FILENO))
		return;
	s = getenv("NO_COLOR");
	c->color = s == NULL || *s == '\0';
	if ((s = getenv("TERM")) != NULL && strcmp(s, "dumb") == 0)
		c->color = 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		c->width = ws.ws_col;
	else if ((s = getenv("COLUMNS")) != NULL && (n = strtol(s, NULL, 10)) > 0)
		c->width = (size_t)n;
	else
		c->width = 80;
}

/* Width in code points: what a terminal shows for é, ë and ï is one column each. */
size_t
utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return n;
}

/* A copy of s cut to at most max code points, an ellipsis marking the cut. */
char *
utf8_trunc(const char *s, size_t max)
{
	const char *p;
	size_t n = 0;
	char *out;

	if (utf8_len(s) <= max)
		return xstrdup(s);
	if (max == 0)
		return xstrdup("");
	for (p = s; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && n++ == max - 1)
			break;
	}
	/* "Bespreking…" rather than "Bespreking …". */
	while (p > s && p[-1] == ' ')
		p--;
	out = xmalloc((size_t)(p - s) + sizeof(ELLIPSIS));
	memcpy(out, s, (size_t)(p - s));
	memcpy(out + (p - s), ELLIPSIS, sizeof(ELLIPSIS));
	return out;
}

void
json_print(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
}

/* v as json_print writes it at depth (2 spaces a level), its first line already indented. */
static void
json_print_at(json_t *v, int depth)
{
	static const char spaces[] = "        ";
	char *t = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY), *p, *nl;

	if (t == NULL)
		errx(1, "json_dumps");	/* notr: a function's name: out of memory */
	for (p = t; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		fwrite(p, 1, (size_t)(nl - p) + 1, stdout);
		fwrite(spaces, 1, (size_t)(2 * depth), stdout);
	}
	fputs(p, stdout);
	free(t);
}

static void
json_print_member(const char *key, json_t *v, int *members)
{
	json_t *k = json_string(key);

	fputs((*members)++ ? ",\n  " : "\n  ", stdout);
	json_print_at(k, 1);
	fputs(": ", stdout);
	json_print_at(v, 1);
	json_decref(k);
}

int
json_pages_print(json_t *page, int first, int last, void *arg)
{
	struct json_pages *jp = arg;
	const char *key;
	json_t *v, *list = json_object_get(page, jp->name);
	size_t i;
	int seen = 0;

	/* What comes before the array, from the first page; what comes after, from the last. */
	if (first) {
		fputc('{', stdout);
		json_object_foreach(page, key, v) {
			if (strcmp(key, jp->name) == 0)
				break;
			if (strcmp(key, "next") != 0)
				json_print_member(key, v, &jp->members);
		}
		v = json_string(jp->name);
		fputs(jp->members++ ? ",\n  " : "\n  ", stdout);
		json_print_at(v, 1);
		fputs(": [", stdout);
		json_decref(v);
	}
	json_array_foreach(list, i, v) {
		fputs(jp->n++ ? ",\n    " : "\n    ", stdout);
		json_print_at(v, 2);
	}
	if (last) {
		fputs(jp->n ? "\n  ]" : "]", stdout);
		json_object_foreach(page, key, v) {
			if (strcmp(key, jp->name) == 0)
				seen = 1;
			else if (seen && strcmp(key, "next") != 0)
				json_print_member(key, v, &jp->members);
		}
		fputs(jp->members ? "\n}\n" : "}\n", stdout);
	}
	return ferror(stdout) ? 1 : 0;
}

/*
 * Replace control characters (C0 but newline, DEL, C1) in every string, so that a title
 * cannot send escape sequences to the terminal. Jansson's strings are valid UTF-8.
 */
void
json_clean(json_t *j)
{
	const char *key, *s;
	json_t *v;
	size_t i, len, o;
	char *t;
	int dirty;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		json_object_foreach(j, key, v)
			json_clean(v);
		break;
	case JSON_ARRAY:
		json_array_foreach(j, i, v)
			json_clean(v);
		break;
	case JSON_STRING:
		s = json_string_value(j);
		len = json_string_length(j);
		dirty = 0;
		for (i = 0; i < len; i++) {
			unsigned char ch = (unsigned char)s[i];

			if ((ch < 0x20 && ch != '\n') || ch == 0x7f || (ch == 0xc2 && i + 1 < len &&
			    (unsigned char)s[i + 1] < 0xa0))
				dirty = 1;
		}
		if (!dirty)
			break;
		t = xmalloc(len + 1);
		for (i = o = 0; i < len; i++) {
			unsigned char ch = (unsigned char)s[i];

			if (ch == '\t')
				t[o++] = ' ';
			else if ((ch < 0x20 && ch != '\n') || ch == 0x7f)
				t[o++] = '?';
			else if (ch == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] < 0xa0) {
				t[o++] = '?';
				i++;
			} else
				t[o++] = (char)ch;
		}
		t[o] = '\0';
		json_string_set(j, t);
		free(t);
		break;
	default:
		break;
	}
}

const char *
jstr(const json_t *o, const char *key)
{
	json_t *v;

	if (!json_is_object(o) || (v = json_object_get(o, key)) == NULL || !json_is_string(v))
		return NULL;
	return json_string_value(v);
}

const char *
jstr_or(const json_t *o, const char *key, const char *dflt)
{
	const char *s = jstr(o, key);

	return s != NULL ? s : dflt;
}

int
jbool(const json_t *o, const char *key)
{
	return json_is_object(o) && json_is_true(json_object_get(o, key));
}

json_t *
jarr(const json_t *o, const char *key)
{
	json_t *v;

	if (!json_is_object(o) || (v = json_object_get(o, key)) == NULL || !json_is_array(v))
		return NULL;
	return v;
}

/* The title, with the party's name for a per-party instance. */
char *
inst_title(const json_t *inst)
{
	const char *title = jstr_or(inst, "title", ""), *party = jstr(inst, "party_name");
	char *s;

	if (party != NULL)
		xasprintf(&s, "%s (%s)", title, party);
	else
		s = xstrdup(title);
	return s;
}

/* A log entry's action in our words; the JSON's are the same in every language. */
static const char *
action_text(const char *a)
{
	if (a == NULL)
		return "?";
	if (strcmp(a, "done") == 0)
		return C_("action", "done");
	if (strcmp(a, "done-override") == 0)
		return C_("action", "done-override");
	if (strcmp(a, "undo") == 0)
		return C_("action", "undo");
	if (strcmp(a, "waive") == 0)
		return C_("action", "waive");
	if (strcmp(a, "add") == 0)
		return C_("action", "add");
	if (strcmp(a, "plan-done") == 0)
		return C_("action", "plan-done");
	if (strcmp(a, "rename") == 0)
		return C_("action", "rename");
	return a;
}

/* When it is due, in the plan's zone: a day, a time, or a window. */
char *
inst_due(const json_t *inst)
{
	const char *from = jstr(inst, "from_local"), *due = jstr(inst, "due_local");
	char *s;

	/* A window of one day is that day. */
	if (from != NULL && due != NULL && strcmp(from, due) != 0)
		xasprintf(&s, "%s .. %s", from, due);
	else
		s = xstrdup(due != NULL ? due : "");
	return s;
}

/* The zone all plans of a /status answer share; NULL when they differ or there are none. */
const char *
plans_zone(const json_t *status)
{
	return jstr(status, "timezone");
}

/* An ISO 8601 instant as "YYYY-MM-DD HH:MM" in zone tz (NULL: ours); unparsable: as is. */
char *
instant_local(const char *iso, const char *tz)
{
	struct tm tm;
	const char *p;
	char buf[64], *old = NULL;
	time_t t;
	int sign, hh, mm, ok;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return xstrdup(iso);
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	t = timegm(&tm);
	if (*p == 'Z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2)
			p += 6;
		else if (sscanf(p + 1, "%2d%2d", &hh, &mm) == 2)
			p += 5;
		else
			return xstrdup(iso);
		t -= sign * (hh * 3600 + mm * 60);
	}
	if (*p != '\0')
		return xstrdup(iso);

	/* libc converts to the zone in TZ only; borrow it for a moment. */
	if (tz != NULL) {
		if ((p = getenv("TZ")) != NULL)
			old = xstrdup(p);
		setenv("TZ", tz, 1);
		tzset();
	}
	ok = localtime_r(&t, &tm) != NULL &&
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm) > 0;
	if (tz != NULL) {
		if (old != NULL)
			setenv("TZ", old, 1);
		else
			unsetenv("TZ");
		tzset();
		free(old);
	}
	return xstrdup(ok ? buf : iso);
}

/* A list grown an item at a time: *list (NULL: none yet), then sep and item. */
void
str_join(char **list, const char *sep, const char *item)
{
	char *s;

	xasprintf(&s, "%s%s%s", *list != NULL ? *list : "", *list != NULL ? sep : "",
	    item != NULL ? item : "?");
	free(*list);
	*list = s;
}

/* An instant as this machine's local time, saying so: a bare UTC stamp is misread. */
char *
until_text(const char *iso)
{
	char *local = instant_local(iso, NULL), *s;

	xasprintf(&s, _("%s local time"), local);
	free(local);
	return s;
}

void
color_on(struct client *c, FILE *fp, const char *sgr)
{
	if (c->color && sgr != NULL)
		fprintf(fp, "\033[%sm", sgr);
}

void
color_off(struct client *c, FILE *fp)
{
	if (c->color)
		fputs("\033[0m", fp);
}

const char *
state_color(const char *state)
{
	static const struct {
		const char	*state;
		const char	*sgr;
	} colors[] = {
		{ "overdue",	"1;31" },	/* bold red: act now */
		{ "ready",	"1;32" },	/* bold green: may go ahead */
		{ "blocked",	"33" },
		{ "done",	"32" },
		{ "done-late",	"35" },
		{ "waived",	"2" },
	};
	size_t i;

	if (state == NULL)
		return NULL;
	for (i = 0; i < sizeof(colors) / sizeof(colors[0]); i++) {
		if (strcmp(colors[i].state, state) == 0)
			return colors[i].sgr;
	}
	return NULL;
}

/* What people read for a state; the state itself is what JSON and --state use. */
const char *
state_label(const char *state)
{
	static const char *const ids[] = {
		"open", "blocked", "ready", "overdue", "done", "done-late", "waived"
	};
	const char *labels[] = {
		C_("state", "open"), C_("state", "blocked"), C_("state", "ready"),
		C_("state", "overdue"), C_("state", "done"), C_("state", "done-late"),
		C_("state", "waived")
	};
	size_t i;

	if (state == NULL)
		return "?";
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (strcmp(ids[i], state) == 0)
			return labels[i];
	}
	return state;
}

/* A state as a person types it, its label too (case aside), as the API names it. */
const char *
state_id(const char *s)
{
	static const char *const ids[] = {
		"open", "blocked", "ready", "overdue", "done", "done-late", "waived"
	};
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (strcasecmp(ids[i], s) == 0 || strcasecmp(state_label(ids[i]), s) == 0)
			return ids[i];
	}
	return s;
}

void
print_state(struct client *c, FILE *fp, const char *state)
{
	color_on(c, fp, state_color(state));
	fputs(state_label(state), fp);
	color_off(c, fp);
}

void
print_heading(struct client *c, const char *text)
{
	color_on(c, stdout, "1");
	fputs(text, stdout);
	color_off(c, stdout);
	fputc('\n', stdout);
}

/* The unmet rules of an instance, one "  - " line each, as show and a refused done give them. */
void
print_unmet(FILE *fp, json_t *unmet)
{
	const char *kind, *title, *party, *at;
	json_t *u;
	size_t i;
	char *s;

	json_array_foreach(unmet, i, u) {
		kind = jstr_or(u, "kind", "");
		if (strcmp(kind, "window") == 0 || strcmp(kind, "on") == 0) {
			if ((at = jstr(u, "from_local")) != NULL)
				s = xstrdup(at);
			else
				s = instant_local(jstr_or(u, "at", "?"), NULL);
			if (strcmp(kind, "on") == 0)
				fprintf(fp, _("  - only on its day, %s\n"), s);
			else
				fprintf(fp, _("  - its window opens %s\n"), s);
			free(s);
			continue;
		}
		if (strcmp(kind, "not-before") == 0) {
			if ((at = jstr(u, "at_local")) != NULL)
				s = xstrdup(at);
			else
				s = instant_local(jstr_or(u, "at", "?"), NULL);
			fprintf(fp, _("  - not before %s\n"), s);
			free(s);
			continue;
		}
		if (strcmp(kind, "no-parts") == 0) {
			/* TRANSLATORS: "  - requires every part's MILESTONE, and DIMENSION has no
			 * part yet (termijn part add)" */
			fprintf(fp, _("  - requires every part's %s, and %s has no part yet (termijn "
			    "part add)\n"), jstr_or(u, "milestone", "?"), jstr_or(u, "dimension", "?"));
			continue;
		}
		title = jstr(u, "title");
		party = jstr(u, "party_name");
		if (title != NULL && party != NULL)
			xasprintf(&s, " (%s, %s)", title, party);
		else if (title != NULL || party != NULL)
			xasprintf(&s, " (%s)", title != NULL ? title : party);
		else
			s = xstrdup("");
		if (strcmp(kind, "together") == 0)
			/* TRANSLATORS: "  - taken together: PARTY is not ready, ITS-KEY requires
			 * KEY (TITLE, PARTY): not done" */
			fprintf(fp, _("  - taken together: %s is not ready, %s requires %s%s: not "
			    "done\n"), jstr_or(u, "via_party_name", "?"), jstr_or(u, "via", "?"),
			    jstr_or(u, "ref", jstr_or(u, "key", "?")), s);
		else
			/* TRANSLATORS: "  - requires KEY (TITLE, PARTY): not done" */
			/* "ref": another plan's step, as PLAN:KEY. */
			fprintf(fp, _("  - requires %s%s: not done\n"), jstr_or(u, "ref",
			    jstr_or(u, "key", "?")), s);
		free(s);
	}
}

struct table *
table_new(size_t ncols, ...)
{
	struct table *t;
	va_list ap;
	size_t i;

	t = xcalloc(1, sizeof(*t));
	t->ncols = ncols;
	t->head = xcalloc(ncols, sizeof(*t->head));
	t->statecol = t->flexcol = t->minorcol = ncols;
	t->header = 1;
	va_start(ap, ncols);
	for (i = 0; i < ncols; i++)
		t->head[i] = xstrdup(va_arg(ap, const char *));
	va_end(ap);
	return t;
}

/* One row of ncols strings (NULL: empty); a table cell is one line. */
void
table_row(struct table *t, ...)
{
	va_list ap;
	const char *s;
	char *p;
	size_t i;

	va_start(ap, t);
	for (i = 0; i < t->ncols; i++) {
		XGROW(t->cell, t->nrows * t->ncols + i, t->cap);
		s = va_arg(ap, const char *);
		t->cell[t->nrows * t->ncols + i] = p = xstrdup(s != NULL ? s : "");
		for (; *p != '\0'; p++) {
			if (*p == '\n')
				*p = ' ';
		}
	}
	va_end(ap);
	t->nrows++;
}

void
table_state(struct table *t, size_t col)
{
	t->statecol = col;
}

void
table_flex(struct table *t, size_t col)
{
	t->flexcol = col;
}

void
table_minor(struct table *t, size_t col)
{
	t->minorcol = col;
}

void
table_indent(struct table *t, size_t n)
{
	t->indent = n;
}

void
table_noheader(struct table *t)
{
	t->header = 0;
}

/* The bytes of the first n code points of s. */
static size_t
utf8_prefix(const char *s, size_t n)
{
	const char *p = s;

	for (; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && n-- == 0)
			break;
	}
	return (size_t)(p - s);
}

/*
 * A title that does not fit goes on over more lines, each broken at a space and starting
 * under the first: what a person reads is not cut.
 */
static void
print_wrapped(const char *s, size_t width, size_t at)
{
	size_t len, brk, i;

	for (;;) {
		if (utf8_len(s) <= width) {
			fputs(s, stdout);
			return;
		}
		len = utf8_prefix(s, width);
		for (brk = len; brk > 0 && s[brk] != ' '; brk--)
			;
		if (brk == 0)
			brk = len;
		fwrite(s, 1, brk, stdout);
		for (i = brk; s[i] == ' '; i++)
			;
		s += i;
		printf("\n%*s", (int)at, "");
	}
}

static void
table_line(struct client *c, struct table *t, char **row, const size_t *w, int head)
{
	size_t i, n, last, at;
	char *s, *below;
	int first = 1;

	/* Trailing empty cells would only leave trailing blanks. */
	for (last = t->ncols; last > 0 && *row[last - 1] == '\0'; last--)
		;
	printf("%*s", (int)t->indent, "");
	at = t->indent;
	for (i = 0; i < last; i++) {
		s = row[i];
		if (i == t->minorcol && t->minor_below)
			continue;
		if (i == t->flexcol && t->below) {
			if (!head && *s != '\0') {
				if (t->minor_below && *row[t->minorcol] != '\0')
					xasprintf(&below, "%s: %s", row[t->minorcol], s);
				else
					below = xstrdup(s);
				printf("\n%*s", (int)(t->indent + 4), "");
				print_wrapped(below, w[i], t->indent + 4);
				free(below);
			}
			break;
		}
		if (!first)
			fputs("  ", stdout);
		at += !first ? 2 : 0;
		first = 0;
		if (!head && i == t->statecol)
			s = (char *)state_label(s);
		else if (!head && i == t->flexcol && i + 1 == t->ncols && utf8_len(s) > w[i]) {
			print_wrapped(s, w[i], at);
			break;
		} else if (i == t->flexcol && utf8_len(s) > w[i])
			s = utf8_trunc(s, w[i]);
		n = utf8_len(s);
		if (head)
			color_on(c, stdout, "1");
		else if (i == t->statecol)
			color_on(c, stdout, state_color(row[i]));
		fputs(s, stdout);
		if (head || (i == t->statecol && state_color(row[i]) != NULL))
			color_off(c, stdout);
		if (i + 1 < last && n < w[i] && !(t->below && i + 1 == t->flexcol))
			printf("%*s", (int)(w[i] - n), "");
		at += w[i];
		if (s != row[i] && (head || i != t->statecol))
			free(s);
	}
	fputc('\n', stdout);
}

/*
 * Columns too wide to stand beside each other even with the flex one below: each row as a
 * block, its first cell on a line of its own and every other as "LABEL: value", wrapped,
 * so that nothing runs over the terminal's edge and nothing is cut.
 */
static void
table_records(struct client *c, struct table *t)
{
	size_t r, i, lw = 0, at, room;
	char **row;
	const char *s;

	for (i = 1; i < t->ncols; i++) {
		if (utf8_len(t->head[i]) > lw)
			lw = utf8_len(t->head[i]);
	}
	at = t->indent + 2 + lw + 2;
	room = c->width > at + FLEX_MIN ? c->width - at : FLEX_MIN;
	for (r = 0; r < t->nrows; r++) {
		row = t->cell + r * t->ncols;
		if (r > 0 || t->shown)
			fputc('\n', stdout);
		printf("%*s", (int)t->indent, "");
		print_wrapped(row[0], c->width > t->indent + FLEX_MIN ? c->width - t->indent :
		    FLEX_MIN, t->indent);
		fputc('\n', stdout);
		for (i = 1; i < t->ncols; i++) {
			if (*row[i] == '\0')
				continue;
			printf("%*s%s:%*s", (int)(t->indent + 2), "", t->head[i],
			    (int)(lw - utf8_len(t->head[i]) + 1), "");
			if (i == t->statecol) {
				color_on(c, stdout, state_color(row[i]));
				s = state_label(row[i]);
			} else
				s = row[i];
			print_wrapped(s, room, at);
			if (i == t->statecol)
				color_off(c, stdout);
			fputc('\n', stdout);
		}
	}
}

void
table_print(struct client *c, struct table *t)
{
	size_t *w, i, r, used, need;

	w = xcalloc(t->ncols, sizeof(*w));
	if (t->wide == NULL)
		t->wide = xcalloc(t->ncols, sizeof(*t->wide));
	for (i = 0; i < t->ncols; i++) {
		w[i] = t->wide[i];
		if (t->header && utf8_len(t->head[i]) > w[i])
			w[i] = utf8_len(t->head[i]);
		for (r = 0; r < t->nrows; r++) {
			const char *s = t->cell[r * t->ncols + i];

			if (i == t->statecol)
				s = state_label(s);
			if (utf8_len(s) > w[i])
				w[i] = utf8_len(s);
		}
		/* A table printed in pages: its columns never narrow. */
		t->wide[i] = w[i];
	}
	/* On a terminal, long titles give way: wrapped when last, else cut. */
	if (c->width > 0 && t->flexcol < t->ncols) {
		used = t->indent + 2 * (t->ncols - 1);
		for (i = 0; i < t->ncols; i++) {
			if (i != t->flexcol)
				used += w[i];
		}
		/* Too little room beside the rest: the title gets lines of its own. */
		if (used + w[t->flexcol] > c->width && t->flexcol + 1 == t->ncols &&
		    c->width < used + BELOW_MIN && c->width > t->indent + 4 + FLEX_MIN) {
			t->below = 1;
			w[t->flexcol] = c->width - t->indent - 4;
			/* Still too wide: the minor column (the plan) joins the title below. */
			if (used - 2 > c->width && t->minorcol < t->ncols)
				t->minor_below = 1;
		} else if (used + w[t->flexcol] > c->width)
			w[t->flexcol] = c->width > used + FLEX_MIN ? c->width - used : FLEX_MIN;
	}
	/* What the rows still take beside each other; more than the terminal has: blocks. */
	if (c->width > 0 && t->header && t->ncols > 1) {
		need = t->indent;
		for (i = 0; i < t->ncols; i++) {
			if ((t->below && i == t->flexcol) || (t->minor_below && i == t->minorcol))
				continue;
			need += w[i] + (need > t->indent ? 2 : 0);
		}
		if (need > c->width && t->nrows > 0) {
			table_records(c, t);
			t->shown = 1;
			free(w);
			return;
		}
	}
	if (t->header && !t->shown)
		table_line(c, t, t->head, w, 1);
	t->shown = 1;
	for (r = 0; r < t->nrows; r++)
		table_line(c, t, t->cell + r * t->ncols, w, 0);
	free(w);
}

void
table_flush(struct client *c, struct table *t)
{
	size_t i;

	table_print(c, t);
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cell[i]);
	t->nrows = 0;
}

void
table_free(struct table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ncols; i++)
		free(t->head[i]);
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cell[i]);
	free(t->head);
	free(t->cell);
	free(t->wide);
	free(t);
}

/* Log entries as a table: AT, ACTOR, ACTION, [PLAN, KEY,] REASON/NOTE. */
/* "A. de Vries <griffie@...> via token 3", "root via socket (uid 0)", or the actor alone. */
static char *
actor_text(json_t *e)
{
	const char *name = jstr(e, "person_name"), *person = jstr(e, "person");
	const char *channel = jstr(e, "channel");
	json_t *uid = json_object_get(e, "uid"), *tok = json_object_get(e, "token");
	char *who, *out;

	if (person != NULL && name != NULL)
		xasprintf(&who, "%s <%s>", name, person);
	else
		who = xstrdup(person != NULL ? person : jstr_or(e, "actor", ""));
	if (channel != NULL && strcmp(channel, "token") == 0 && json_is_integer(tok))
		xasprintf(&out, _("%s via token %lld"), who, (long long)json_integer_value(tok));
	else if (channel != NULL && json_is_integer(uid))
		xasprintf(&out, _("%s via %s (uid %lld)"), who, channel,
		    (long long)json_integer_value(uid));
	else if (channel != NULL)
		xasprintf(&out, _("%s via %s"), who, channel);
	else
		return who;
	free(who);
	return out;
}

/* Whether entries are of several plans. */
int
history_plans(json_t *entries)
{
	const char *plan0 = NULL, *p;
	json_t *e;
	size_t i;

	json_array_foreach(entries, i, e) {
		p = jstr_or(e, "plan", "");
		if (plan0 == NULL)
			plan0 = p;
		else if (strcmp(plan0, p) != 0)
			return 1;
	}
	return 0;
}

struct table *
history_table(int withkey, int plans, size_t indent, const char *zone)
{
	struct table *t;
	char *head;

	if (zone != NULL)
		xasprintf(&head, _("AT (%s)"), zone);
	else
		head = xstrdup(_("AT"));
	if (plans && withkey)
		t = table_new(6, head, _("ACTOR"), _("ACTION"), _("PLAN"), _("KEY"),
		    _("REASON/NOTE"));
	else if (withkey)
		t = table_new(5, head, _("ACTOR"), _("ACTION"), _("KEY"), _("REASON/NOTE"));
	else
		t = table_new(4, head, _("ACTOR"), _("ACTION"), _("REASON/NOTE"));
	free(head);
	table_indent(t, indent);
	table_flex(t, t->ncols - 1);
	return t;
}

/* The entries as rows of a history_table, in the columns it has. */
void
history_rows(struct table *t, json_t *entries)
{
	json_t *e;
	const char *reason, *note, *at;
	char *when, *why, *actor;
	size_t i;

	json_array_foreach(entries, i, e) {
		/* The local form when the daemon gives one; the instant itself otherwise. */
		at = jstr(e, "at_local");
		when = xstrdup(at != NULL ? at : jstr_or(e, "at", ""));
		reason = jstr(e, "reason");
		note = jstr(e, "note");
		if (reason != NULL && *reason != '\0' && note != NULL && *note != '\0')
			xasprintf(&why, _("%s; note: %s"), reason, note);
		else if (reason != NULL && *reason != '\0')
			why = xstrdup(reason);
		else
			why = xstrdup(note != NULL ? note : "");
		if (jstr(e, "actor") != NULL)
			actor = actor_text(e);
		else if (json_is_integer(json_object_get(e, "uid")))
			xasprintf(&actor, _("uid %lld"),
			    (long long)json_integer_value(json_object_get(e, "uid")));
		else
			actor = xstrdup("");
		if (t->ncols == 6)
			table_row(t, when, actor, action_text(jstr(e, "action")), jstr(e, "plan"),
			    jstr(e, "key"), why);
		else if (t->ncols == 5)
			table_row(t, when, actor, action_text(jstr(e, "action")), jstr(e, "key"),
			    why);
		else
			table_row(t, when, actor, action_text(jstr(e, "action")), why);
		free(when);
		free(why);
		free(actor);
	}
}

void
print_history(struct client *c, json_t *entries, int withkey, size_t indent,
    const char *zone)
{
	struct table *t = history_table(withkey, withkey && history_plans(entries), indent,
	    zone);

	history_rows(t, entries);
	table_print(c, t);
	table_free(t);
}

/*
 * What a change made ready: "now ready: KEY (title, party)"; apart from it what only waits
 * for its moment: "ready from TIME: KEY (title, party)".
 */
void
print_ready(json_t *ans)
{
	json_t *inst;
	const char *party, *at;
	size_t i;

	/* "ref": a step of another plan, as PLAN:KEY. */
	json_array_foreach(json_object_get(ans, "ready"), i, inst) {
		if ((party = jstr(inst, "party_name")) != NULL)
			printf(_("now ready: %s (%s, %s)\n"), jstr_or(inst, "ref",
			    jstr_or(inst, "key", "?")), jstr_or(inst, "title", ""), party);
		else
			printf(_("now ready: %s (%s)\n"), jstr_or(inst, "ref",
			    jstr_or(inst, "key", "?")), jstr_or(inst, "title", ""));
	}
	json_array_foreach(json_object_get(ans, "ready_later"), i, inst) {
		at = jstr_or(inst, "ready_at_local", jstr_or(inst, "ready_at", "?"));
		if ((party = jstr(inst, "party_name")) != NULL)
			/* TRANSLATORS: "ready from TIME: KEY (TITLE, PARTY)" */
			printf(_("ready from %s: %s (%s, %s)\n"), at, jstr_or(inst, "ref",
			    jstr_or(inst, "key", "?")), jstr_or(inst, "title", ""), party);
		else
			printf(_("ready from %s: %s (%s)\n"), at, jstr_or(inst, "ref",
			    jstr_or(inst, "key", "?")), jstr_or(inst, "title", ""));
	}
}
