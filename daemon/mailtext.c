/* mailtext.c: reminder subjects and bodies in the plan's language, from templates. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "i18n.h"
#include "log.h"
#include "mailcompose.h"
#include "mailtext.h"
#include "tz.h"
#include "xmalloc.h"

static const char *langs[NLANGS] = { "nl", "en" };

static int
lang_index(const char *lang)
{
	return lang != NULL && strcmp(lang, "en") == 0 ? 1 : 0;
}

void
mailtext_date(const char *lang, const struct ltime *lt, char *buf, size_t len)
{
	static const char *nl_mon[] = { "januari", "februari", "maart", "april", "mei", "juni",
	    "juli", "augustus", "september", "oktober", "november", "december" };
	static const char *en_mon[] = { "January", "February", "March", "April", "May", "June",
	    "July", "August", "September", "October", "November", "December" };
	static const char *nl_day[] = { "zondag", "maandag", "dinsdag", "woensdag", "donderdag",
	    "vrijdag", "zaterdag" };
	static const char *en_day[] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
	    "Friday", "Saturday" };
	struct tm tm;
	time_t t;
	int en = lang_index(lang);

	if (!lt->set) {
		snprintf(buf, len, "-");
		return;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = lt->year - 1900;
	tm.tm_mon = lt->mon - 1;
	tm.tm_mday = lt->day;
	tm.tm_hour = 12;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	if (lt->has_time)
		snprintf(buf, len, "%s %d %s %d %s %02d:%02d", en ? en_day[tm.tm_wday] :
		    nl_day[tm.tm_wday], lt->day, en ? en_mon[lt->mon - 1] : nl_mon[lt->mon - 1],
		    lt->year, en ? "at" : "om", lt->hour, lt->min);
	else
		snprintf(buf, len, "%s %d %s %d", en ? en_day[tm.tm_wday] : nl_day[tm.tm_wday],
		    lt->day, en ? en_mon[lt->mon - 1] : nl_mon[lt->mon - 1], lt->year);
}

/* The names a template may use; templates_load checks against them. */
static const char *names[] = {
	"plan", "title", "party", "for_party", "owner", "recipient_role", "due", "days",
	"days_text", "window", "window_line", "not_before", "not_before_line", "description",
	"description_block", "waits_for", "unblocks", "command", "overdue_n", "escalate_days",
	"merged", "key", "person", "url", "webcal", "page", "held_up", "greeting",
	"escalate_days_text", "server", "token", "expires", "code", "minutes", "done_url",
	"done_link", "by", "reason",
	"reason_line", "detail_line", "items", "count", "count_text", "date", NULL
};

/*
 * The audited changes with a text of their own (etc/templates/LANG/change-FILE.txt); any
 * other kind is told with the generic change.txt. A new kind: a line here (and NCHANGE),
 * and its two templates.
 */
static const struct {
	const char	*kind;		/* the audit action */
	const char	*file;
} change_kinds[NCHANGE] = {
	{ "done-override",	"done-override" },
	{ "undo",		"undo" },
	{ "add",		"add" },
	{ "move",		"move" },
	{ "retitle",		"retitle" },
	{ "cancel",		"cancel" },
	{ "require",		"require" },
	{ "part-add",		"part-add" },
	{ "part-add-override",	"part-add" },
	{ "part-cancel",	"part-cancel" },
};

static const char *
check_lookup(const char *name, void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0)
			return "";
	return NULL;
}

static char *
read_file(const char *path, char **cause)
{
	FILE *f;
	char *buf;
	long n;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s", strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 || n > 65536 ||
	    fseek(f, 0, SEEK_SET) == -1) {
		xasprintf(cause, _("unreadable or over 64 KiB"));
		fclose(f);
		return NULL;
	}
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		xasprintf(cause, _("read error"));
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	if (strlen(buf) != (size_t)n) {
		xasprintf(cause, _("contains a NUL byte"));
		free(buf);
		return NULL;
	}
	return buf;
}

/* One template file, checked: a subject line, a blank line, known placeholders only. */
static char *
template_load(const char *dir, const char *lang, const char *name, struct errlist *errs)
{
	char *path, *text, *cause = NULL, *out;

	xasprintf(&path, "%s/%s/%s.txt", dir, lang, name);
	if ((text = read_file(path, &cause)) == NULL) {
		errlist_add(errs, path, 0, "%s", cause);
		free(cause);
	} else if (strncmp(text, "Subject: ", 9) != 0 || strstr(text, "\n\n") == NULL) {
		errlist_add(errs, path, 1, _("a template starts with \"Subject: ...\" and a blank "
		    "line before the body"));
		free(text);
		text = NULL;
	} else if ((out = mail_template_expand(text, check_lookup, NULL, &cause)) == NULL) {
		errlist_add(errs, path, 0, "%s", cause);
		free(cause);
		free(text);
		text = NULL;
	} else
		free(out);
	free(path);
	return text;
}

int
templates_load(struct templates *t, const char *dir, struct errlist *errs)
{
	size_t start = errs->n;
	int l, k;

	memset(t, 0, sizeof(*t));
	for (l = 0; l < NLANGS; l++) {
		for (k = RK_LEAD; k <= RK_LAST; k++)
			t->text[l][k] = template_load(dir, langs[l], rkind_name((enum rkind)k), errs);
		t->feed_link[l] = template_load(dir, langs[l], "feed-link", errs);
		t->access_grant[l] = template_load(dir, langs[l], "access-grant", errs);
		t->login_code[l] = template_load(dir, langs[l], "login-code", errs);
		t->signin_link[l] = template_load(dir, langs[l], "signin-link", errs);
		t->change[l][NCHANGE] = template_load(dir, langs[l], "change", errs);
		t->digest[l] = template_load(dir, langs[l], "digest", errs);
		for (k = 0; k < NCHANGE; k++) {
			char *name;

			xasprintf(&name, "change-%s", change_kinds[k].file);
			t->change[l][k] = template_load(dir, langs[l], name, errs);
			free(name);
		}
	}
	if (errs->n > start) {
		templates_free(t);
		return -1;
	}
	return 0;
}

void
templates_free(struct templates *t)
{
	int l, k;

	for (l = 0; l < NLANGS; l++) {
		for (k = 0; k <= RK_LAST; k++) {
			free(t->text[l][k]);
			t->text[l][k] = NULL;
		}
		free(t->feed_link[l]);
		t->feed_link[l] = NULL;
		free(t->access_grant[l]);
		t->access_grant[l] = NULL;
		free(t->login_code[l]);
		t->login_code[l] = NULL;
		free(t->signin_link[l]);
		t->signin_link[l] = NULL;
		for (k = 0; k <= NCHANGE; k++) {
			free(t->change[l][k]);
			t->change[l][k] = NULL;
		}
		free(t->digest[l]);
		t->digest[l] = NULL;
	}
}

/* ---- composing ---- */

#define NVARS	48

struct vars {
	const char	*name[NVARS];
	char		*value[NVARS];
	size_t		 n;
};

static void
var(struct vars *v, const char *name, char *value)
{
	if (v->n == NVARS)
		fatalx("mailtext: more than %d placeholder values", NVARS);
	v->name[v->n] = name;
	v->value[v->n++] = value;
}

static const char *
vars_lookup(const char *name, void *arg)
{
	struct vars *v = arg;
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->name[i], name) == 0)
			return v->value[i];
	return NULL;
}

static const char *
role_name(const struct plan *p, const char *role)
{
	const struct role *r = plan_role(p, role);

	return r != NULL && r->name != NULL ? r->name : role;
}

/* Text that grows at its end in amortised constant time: a list may have 100,000 lines. */
struct text {
	char	*s;
	size_t	 len, cap;
};

static void
text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* Written in place; only a line longer than the room left is written twice. */
	va_start(ap, fmt);
	n = vsnprintf(t->s != NULL ? t->s + t->len : NULL, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("vsnprintf");
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		t->s = xreallocarray(t->s, t->cap, 1);
		va_start(ap, fmt);
		vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
	}
	t->len += (size_t)n;
}

/* The text, without its last line break (the template puts its own). */
static char *
text_end(struct text *t)
{
	if (t->s == NULL)
		return xstrdup("");
	t->s[t->len - 1] = '\0';
	return t->s;
}

static const char *nl_state[] = { "nog niet gereed", "gereed", "vervallen" };
static const char *en_state[] = { "not done", "done", "waived" };

/* The instances idx[0 .. n) of plan p, then those of other plans x[0 .. nx). */
static char *
instance_list(const struct plan *p, const struct istate *st, const size_t *idx, size_t n,
    const struct xlink *x, size_t nx, int en)
{
	struct text t = { NULL, 0, 0 };
	const struct istate *xs;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct instance *in = &p->inst[idx[i]];

		text_add(&t, "  - %s%s%s (%s)\n", in->title, in->party ? ", " : "",
		    in->party ? (in->party->name ? in->party->name : in->party->id) : "",
		    en ? en_state[st[idx[i]].status] : nl_state[st[idx[i]].status]);
	}
	for (i = 0; i < nx; i++) {
		const struct instance *in = &x[i].plan->inst[x[i].inst];
		enum status s = (xs = rules_xstate(&x[i])) != NULL ? xs->status : ST_OPEN;

		text_add(&t, "  - %s%s%s (plan %s; %s)\n", in->title, in->party ? ", " : "",
		    in->party ? (in->party->name ? in->party->name : in->party->id) : "",
		    x[i].plan->id, en ? en_state[s] : nl_state[s]);
	}
	if (n == 0 && nx == 0)
		return xstrdup(en ? "  (nothing)" : "  (niets)");
	return text_end(&t);
}

/* Of a step taken together: each party that is not ready, and what it waits for. */
static char *
held_up_list(const struct plan *p, const struct istate *st, size_t idx, int en)
{
	struct text t = { NULL, 0, 0 };
	const struct xlink *x;
	size_t k, end, i, j, nx;

	for (rules_group_range(p, idx, &k, &end); k < end; k++) {
		const struct instance *in = &p->inst[k];

		if (!rules_together(p, idx, k) || st[k].status != ST_OPEN)
			continue;
		IRANGE_FOREACH(in->pre_runs, in->npre_runs, i, j) {
			const struct instance *pre = &p->inst[j];

			if (rules_met(&st[pre->idx]))
				continue;
			text_add(&t, "  - %s: %s %s%s%s (%s)\n", in->party ?
			    (in->party->name ? in->party->name : in->party->id) : p->id,
			    en ? "waits for" : "wacht op", pre->title, pre->party ? ", " : "",
			    pre->party ? (pre->party->name ? pre->party->name : pre->party->id) : "",
			    pre->key);
		}
		for (nx = links_pre(p, k, &x), i = 0; i < nx; i++) {
			const struct instance *pre = &x[i].plan->inst[x[i].inst];
			const struct istate *xs = rules_xstate(&x[i]);

			if (xs != NULL && rules_met(xs))
				continue;
			text_add(&t, "  - %s: %s %s%s%s (%s:%s)\n", in->party ?
			    (in->party->name ? in->party->name : in->party->id) : p->id,
			    en ? "waits for" : "wacht op", pre->title, pre->party ? ", " : "",
			    pre->party ? (pre->party->name ? pre->party->name : pre->party->id) : "",
			    x[i].plan->id, pre->key);
		}
	}
	return text_end(&t);
}

/* "1 dag", "2 dagen" ("1 day", "2 days"). */
static char *
days_text(int en, int n)
{
	char *s;

	xasprintf(&s, "%d %s", n, en ? (n == 1 ? "day" : "days") : (n == 1 ? "dag" : "dagen"));
	return s;
}

static int
word_is(const char *w, size_t n, const char *s)
{
	return s != NULL && strlen(s) == n && strncasecmp(w, s, n) == 0;
}

/*
 * Does a display name name a function rather than a person ("Gemeentesecretaris Staphorst",
 * "Griffie Staphorst")? Then one of its words is a role's id or name, a party's id, or a
 * word of four letters or more of a party's name.
 */
static int
names_function(const struct plan *p, const char *name)
{
	const char *w, *e, *pw, *pe;
	size_t i, n;

	if (p == NULL)
		return 0;
	for (w = name; *w != '\0'; w = e) {
		while (*w == ' ')
			w++;
		for (e = w; *e != '\0' && *e != ' '; e++)
			;
		if ((n = (size_t)(e - w)) == 0)
			break;
		for (i = 0; i < p->nroles; i++)
			if (word_is(w, n, p->roles[i].id) || word_is(w, n, p->roles[i].name))
				return 1;
		for (i = 0; i < p->nparties; i++) {
			if (word_is(w, n, p->parties[i].id))
				return 1;
			for (pw = p->parties[i].name; pw != NULL && *pw != '\0'; pw = pe) {
				while (*pw == ' ')
					pw++;
				for (pe = pw; *pe != '\0' && *pe != ' '; pe++)
					;
				if (pe - pw >= 4 && (size_t)(pe - pw) == n && strncasecmp(w, pw, n) == 0)
					return 1;
			}
		}
	}
	return 0;
}

/*
 * The salutation: the person's name where the plan gives one ("Beste A. de Vries"). Dutch
 * does not greet a function or an address ("Beste Gemeentesecretaris"): without a person's
 * name the formal form. English greets the role ("Dear Secretary"), or says hello.
 */
static char *
greeting(const struct plan *p, int en, const char *role, const char *name)
{
	char *s;

	if (name != NULL && *name != '\0' && !names_function(p, name))
		xasprintf(&s, en ? "Dear %s" : "Beste %s", name);
	else if (!en)
		s = xstrdup("Geachte heer, mevrouw");
	else if (role != NULL)
		xasprintf(&s, "Dear %s", role_name(p, role));
	else
		s = xstrdup("Hello");
	return s;
}

/* Expand a template and split it at its first blank line; frees the values of v. */
static char *
expand_split(const char *tmpl, struct vars *v, char **subject, char **rest, char **cause)
{
	char *out, *nl, *s;
	size_t i;

	out = mail_template_expand(tmpl, vars_lookup, v, cause);
	for (i = 0; i < v->n; i++)
		free(v->value[i]);
	if (out == NULL)
		return NULL;
	nl = strstr(out, "\n\n");
	*subject = xstrndup(out + 9, (size_t)(nl - out - 9));
	/* Values may not carry a line break into the subject. */
	for (s = *subject; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
	*rest = nl;
	return out;
}

int
mailtext_feed_link(const struct templates *t, const struct plan *p, const char *person,
    const char *url, const char *webcal, const char *page, char **subject, char **body,
    char **cause)
{
	const char *lang = p->lang;
	const char *tmpl = t->feed_link[lang_index(lang)];
	struct vars v;
	char *out, *nl;

	memset(&v, 0, sizeof(v));
	if (tmpl == NULL) {
		xasprintf(cause, _("no feed-link template for %s"), langs[lang_index(lang)]);
		return -1;
	}
	var(&v, "plan", xstrdup(p->title));
	var(&v, "person", xstrdup(person));
	var(&v, "greeting", greeting(p, lang_index(lang), NULL, plan_person_name(p, person)));
	var(&v, "url", xstrdup(url));
	/* No webcal:// for an https feed: the https address both times. */
	var(&v, "webcal", xstrdup(webcal != NULL ? webcal : url));
	var(&v, "page", xstrdup(page));
	if ((out = expand_split(tmpl, &v, subject, &nl, cause)) == NULL)
		return -1;
	*body = xstrdup(nl + 2);
	free(out);
	return 0;
}

int
mailtext_secret(const struct templates *t, const struct plan *p, const char *which,
    const char *person, const char *server, const char *secret, const char *extra,
    char **subject, char **body, char **cause)
{
	const char *lang = p->lang;
	int login = strcmp(which, "login-code") == 0, link = strcmp(which, "signin-link") == 0;
	const char *tmpl = login ? t->login_code[lang_index(lang)] : link ?
	    t->signin_link[lang_index(lang)] : t->access_grant[lang_index(lang)];
	struct vars v;
	char *out, *nl;

	memset(&v, 0, sizeof(v));
	if (tmpl == NULL) {
		xasprintf(cause, _("no %s template for %s"), which, langs[lang_index(lang)]);
		return -1;
	}
	var(&v, "plan", xstrdup(p->title));
	var(&v, "person", xstrdup(person));
	var(&v, "greeting", greeting(p, lang_index(lang), NULL, plan_person_name(p, person)));
	var(&v, "server", xstrdup(server));
	var(&v, login ? "code" : link ? "url" : "token", xstrdup(secret));
	var(&v, login || link ? "minutes" : "expires", xstrdup(extra));
	if ((out = expand_split(tmpl, &v, subject, &nl, cause)) == NULL)
		return -1;
	*body = xstrdup(nl + 2);
	explicit_bzero(out, strlen(out));
	free(out);
	return 0;
}

/* "termijn done -p PLAN KEY" */
static char *
done_command(const struct plan *p, const struct instance *in)
{
	char *s;

	xasprintf(&s, "termijn done -p %s %s", p->id, in->key);
	return s;
}

static char *
party_name(const struct instance *in)
{
	return xstrdup(in->party ? (in->party->name ? in->party->name : in->party->id) : "");
}

/* Does tmpl have the placeholder {name}? ("{{name}}" counts: then it is made for nothing.) */
static int
tmpl_uses(const char *tmpl, const char *name)
{
	const char *c;
	size_t n = strlen(name);

	for (c = tmpl; (c = strchr(c, '{')) != NULL; c++)
		if (strncmp(c + 1, name, n) == 0 && c[n + 1] == '}')
			return 1;
	return 0;
}

/*
 * The placeholders about one instance that every message about it has; the lists of what
 * it waits for and unblocks (every party's, with @all) only if the template tmpl has them.
 */
static void
instance_vars(struct vars *v, const struct plan *p, const struct istate *st,
    const struct instance *in, int en, const char *tmpl)
{
	const struct xlink *x;
	char buf[128], *s;
	size_t *list, n, nx;

	var(v, "plan", xstrdup(p->title));
	var(v, "title", xstrdup(in->title));
	var(v, "key", xstrdup(in->key));
	var(v, "party", party_name(in));
	if (in->party)
		xasprintf(&s, " — %s", in->party->name ? in->party->name : in->party->id);
	else
		s = xstrdup("");
	var(v, "for_party", s);
	var(v, "owner", xstrdup(role_name(p, in->owner)));
	mailtext_date(p->lang, &in->timing.due, buf, sizeof(buf));
	var(v, "due", xstrdup(buf));
	var(v, "description", xstrdup(in->description ? in->description : ""));
	if (in->description) {
		/* Indented, as a quotation of the plan; ends in an empty line. */
		struct text q = { NULL, 0, 0 };
		const char *d, *e;

		for (d = in->description; d != NULL; d = e ? e + 1 : NULL) {
			e = strchr(d, '\n');
			text_add(&q, "  %.*s\n", e ? (int)(e - d) : (int)strlen(d), d);
		}
		text_add(&q, "\n\n");
		var(v, "description_block", text_end(&q));
	} else
		var(v, "description_block", xstrdup(""));
	if (tmpl_uses(tmpl, "waits_for")) {
		n = plan_prereqs(p, in->idx, &list);
		nx = links_pre(p, in->idx, &x);
		var(v, "waits_for", instance_list(p, st, list, n, x, nx, en));
		free(list);
	} else
		var(v, "waits_for", xstrdup(""));
	if (tmpl_uses(tmpl, "unblocks")) {
		n = plan_dependents(p, in->idx, &list);
		nx = links_dep(p, in->idx, &x);
		var(v, "unblocks", instance_list(p, st, list, n, x, nx, en));
		free(list);
	} else
		var(v, "unblocks", xstrdup(""));
	var(v, "command", done_command(p, in));
}

int
mailtext_compose(const struct templates *t, const struct plan *p, const struct istate *st,
    const struct occurrence *occ, size_t nocc, const char *rcpt, const char *done_url,
    char **subject, char **body, char **cause)
{
	const struct occurrence *last = &occ[nocc - 1];
	const struct instance *in = &p->inst[last->inst];
	int en = lang_index(p->lang);
	const char *tmpl = t->text[en][last->kind];
	struct vars v;
	char buf[128], buf2[128], *out, *nl, *s;
	int days = last->kind == RK_LEAD ? last->n : 0;

	memset(&v, 0, sizeof(v));
	if (tmpl == NULL) {
		xasprintf(cause, _("no template for %s/%s"), langs[en], rkind_name(last->kind));
		return -1;
	}
	instance_vars(&v, p, st, in, en, tmpl);
	var(&v, "recipient_role", xstrdup(role_name(p, last->role)));
	xasprintf(&s, "%d", days);
	var(&v, "days", s);
	if (days == 0)
		s = xstrdup(en ? "today" : "vandaag");
	else if (days == 1)
		s = xstrdup(en ? "tomorrow" : "morgen");
	else
		xasprintf(&s, en ? "in %d days" : "over %d dagen", days);
	var(&v, "days_text", s);
	if (in->timing.from.set && !in->timing.on) {
		mailtext_date(p->lang, &in->timing.from, buf, sizeof(buf));
		mailtext_date(p->lang, &in->timing.due, buf2, sizeof(buf2));
		xasprintf(&s, en ? "%s to %s" : "%s t/m %s", buf, buf2);
		var(&v, "window", s);
		xasprintf(&s, en ? "\n  Period: %s to %s" : "\n  Periode: %s t/m %s", buf, buf2);
		var(&v, "window_line", s);
	} else {
		var(&v, "window", xstrdup(""));
		var(&v, "window_line", xstrdup(""));
	}
	if (in->timing.not_before.set) {
		mailtext_date(p->lang, &in->timing.not_before, buf, sizeof(buf));
		var(&v, "not_before", xstrdup(buf));
		xasprintf(&s, en ? "\n  Not before: %s" : "\n  Niet eerder dan: %s", buf);
		var(&v, "not_before_line", s);
	} else {
		var(&v, "not_before", xstrdup(""));
		var(&v, "not_before_line", xstrdup(""));
	}
	var(&v, "held_up", held_up_list(p, st, in->idx, en));
	var(&v, "done_url", xstrdup(done_url ? done_url : ""));
	if (done_url != NULL)
		xasprintf(&s, en ? "Or report it done on the web, with your own link (for this "
		    "step only):\n\n  %s\n\n" : "Of meld het gereed op het web, met uw eigen link "
		    "(alleen voor deze stap):\n\n  %s\n\n", done_url);
	else
		s = xstrdup("");
	var(&v, "done_link", s);
	xasprintf(&s, "%d", last->kind == RK_OVERDUE ? last->n : 0);
	var(&v, "overdue_n", s);
	xasprintf(&s, "%d", last->kind == RK_ESCALATE ? last->n : 0);
	var(&v, "escalate_days", s);
	var(&v, "escalate_days_text", days_text(en, last->kind == RK_ESCALATE ? last->n : 0));
	var(&v, "greeting", greeting(p, en, last->role, rcpt ? plan_person_name(p, rcpt) : NULL));
	xasprintf(&s, "%zu", nocc);
	var(&v, "merged", s);

	out = expand_split(tmpl, &v, subject, &nl, cause);
	if (out == NULL)
		return -1;
	/* Only notices that fell due at different times were late; one minute's are news. */
	if (nocc > 1 && occ[nocc - 1].when - occ[0].when >= 60)
		xasprintf(body, en ? "(%zu reminders missed while termijn was not running, in one "
		    "message.)\n\n%s" : "(%zu herinneringen die termijn niet kon versturen, in één "
		    "bericht samengevoegd.)\n\n%s", nocc, nl + 2);
	else
		*body = xstrdup(nl + 2);
	free(out);
	return 0;
}

/*
 * One instance as an item of a list: its title and party, its deadline, and (while open)
 * how to report it done. Room for one more line per item (a link to report it done).
 */
static void
item_add(struct text *t, const struct plan *p, const struct istate *st, const struct instance *in,
    int en, const char *note, int gone)
{
	char buf[128];

	mailtext_date(p->lang, &in->timing.due, buf, sizeof(buf));
	text_add(t, "  - %s%s%s\n    %s: %s%s%s%s\n", in->title, in->party ? " — " : "",
	    in->party ? (in->party->name ? in->party->name : in->party->id) : "",
	    en ? "Due" : "Uiterlijk", buf, note ? " (" : "", note ? note : "", note ? ")" : "");
	if (st[in->idx].status == ST_OPEN && !gone)
		text_add(t, "    %s: termijn done -p %s %s\n", en ? "Report it done" :
		    "Gereed melden", p->id, in->key);
}

/* A timing in words: "uiterlijk vrijdag 10 januari 2014, niet eerder dan ...". */
static void
timing_words(struct text *t, const struct plan *p, const struct timing *tm, int en)
{
	char due[128], from[128];

	mailtext_date(p->lang, &tm->due, due, sizeof(due));
	mailtext_date(p->lang, &tm->from, from, sizeof(from));
	if (tm->on)
		text_add(t, "%s %s", en ? "on" : "op", due);
	else if (tm->from.set)
		text_add(t, en ? "%s to %s" : "%s t/m %s", from, due);
	else
		text_add(t, "%s %s", en ? "due" : "uiterlijk", due);
	if (tm->not_before.set) {
		mailtext_date(p->lang, &tm->not_before, from, sizeof(from));
		text_add(t, en ? ", not before %s" : ", niet eerder dan %s", from);
	}
}

/* What the change made other, before the list of steps: the old and the new value. */
static char *
change_detail(const struct plan *p, const struct mailchange *c, int en)
{
	struct text t = { NULL, 0, 0 };
	const struct milestone *m;
	struct requirement r;
	char *cause = NULL;

	if (c->was != NULL && c->now != NULL) {
		text_add(&t, "Was: ");
		timing_words(&t, p, c->was, en);
		text_add(&t, "\n%s: ", en ? "Now" : "Nu");
		timing_words(&t, p, c->now, en);
		text_add(&t, "\n");
	}
	if (c->was_title != NULL)
		text_add(&t, "%s: %s\n%s: %s\n", en ? "Old title" : "Oude titel", c->was_title,
		    en ? "New title" : "Nieuwe titel", p->inst[c->inst[0]].ms->title);
	if (c->on != NULL && requirement_parse(c->on, &r, &cause) == 0) {
		m = plan_milestone(p, r.id);
		text_add(&t, "%s: %s (%s)\n", en ? "Now also waits for" : "Wacht nu ook op",
		    m != NULL ? m->title : r.id, c->on);
		free(r.id);
		free(r.party);
	}
	free(cause);
	if (c->detail != NULL && *c->detail != '\0')
		text_add(&t, "%s\n", c->detail);
	return text_end(&t);
}

int
mailtext_change(const struct templates *t, const struct plan *p, const struct istate *st,
    const struct mailchange *c, char **subject, char **body, char **cause)
{
	const struct instance *in;
	struct text items = { NULL, 0, 0 };
	int en = lang_index(p->lang);
	const char *tmpl;
	struct vars v;
	char *out, *nl, *s;
	size_t i, k;

	if (c->ninst == 0) {
		xasprintf(cause, _("a change mail about no milestone"));
		return -1;
	}
	for (k = 0; k < NCHANGE && strcmp(change_kinds[k].kind, c->kind) != 0; k++)
		;
	if ((tmpl = t->change[en][k]) == NULL) {
		xasprintf(cause, _("no change template for %s/%s"), langs[en], c->kind);
		return -1;
	}
	memset(&v, 0, sizeof(v));
	in = &p->inst[c->inst[0]];
	instance_vars(&v, p, st, in, en, tmpl);
	var(&v, "greeting", greeting(p, en, NULL, c->rcpt ? plan_person_name(p, c->rcpt) : NULL));
	var(&v, "by", xstrdup(c->by != NULL ? c->by : "termijn"));
	var(&v, "reason", xstrdup(c->reason != NULL ? c->reason : ""));
	if (c->reason != NULL && *c->reason != '\0')
		xasprintf(&s, "\n%s: %s\n", en ? "Reason" : "Reden", c->reason);
	else
		s = xstrdup("");
	var(&v, "reason_line", s);
	s = change_detail(p, c, en);
	if (*s != '\0') {
		nl = s;
		xasprintf(&s, "\n%s\n", nl);
		free(nl);
	}
	var(&v, "detail_line", s);
	for (i = 0; i < c->ninst; i++)
		item_add(&items, p, st, &p->inst[c->inst[i]], en, NULL, c->gone);
	var(&v, "items", text_end(&items));
	xasprintf(&s, "%zu", c->ninst);
	var(&v, "count", s);
	if ((out = expand_split(tmpl, &v, subject, &nl, cause)) == NULL)
		return -1;
	*body = xstrdup(nl + 2);
	free(out);
	return 0;
}

/* The sections of a digest, most pressing first; an instance is listed once, in its first. */
static const struct {
	int		 kinds;		/* a bit per enum rkind */
	const char	*head[NLANGS];
} sections[] = {
	{ 1 << RK_OVERDUE | 1 << RK_ESCALATE, { "Verlopen:", "Overdue:" } },
	{ 1 << RK_GOAHEAD, { "Kan nu verder:", "May go ahead now:" } },
	{ 1 << RK_LEAD, { "Binnenkort uiterlijk:", "Due soon:" } },
	{ 1 << RK_OPENS, { "Periode begint:", "Period opens:" } },
};

int
mailtext_digest(const struct templates *t, const struct plan *p, const struct istate *st,
    const struct occurrence *occ, size_t nocc, const char *rcpt, int64_t moment,
    char **subject, char **body, char **cause)
{
	int en = lang_index(p->lang);
	const char *tmpl = t->digest[en];
	struct text items = { NULL, 0, 0 };
	struct ltime today;
	struct vars v;
	char buf[128], *out, *nl, *s;
	size_t i, j, sec, n = 0;
	int first;
	char *listed;

	if (tmpl == NULL) {
		xasprintf(cause, _("no digest template for %s"), langs[en]);
		return -1;
	}
	tz_from_utc(p->tz, moment, &today);
	today.has_time = 0;
	listed = xcalloc(p->ninst ? p->ninst : 1, 1);
	for (sec = 0; sec < sizeof(sections) / sizeof(sections[0]); sec++) {
		first = 1;
		for (i = 0; i < nocc; i++) {
			const struct instance *in = &p->inst[occ[i].inst];

			if (!(sections[sec].kinds & 1 << occ[i].kind) || listed[in->idx])
				continue;
			/* An instance is due soon in the most pressing of its reminders. */
			for (j = i + 1; j < nocc; j++)
				if (occ[j].inst == occ[i].inst && occ[j].kind == RK_LEAD &&
				    occ[i].kind == RK_LEAD && occ[j].n < occ[i].n)
					break;
			if (j < nocc)
				continue;
			listed[in->idx] = 1;
			n++;
			if (first)
				text_add(&items, "%s\n", sections[sec].head[en]);
			first = 0;
			s = NULL;
			if (occ[i].kind == RK_LEAD && occ[i].n == 0)
				s = xstrdup(en ? "today" : "vandaag");
			else if (occ[i].kind == RK_LEAD && occ[i].n == 1)
				s = xstrdup(en ? "tomorrow" : "morgen");
			else if (occ[i].kind == RK_LEAD)
				xasprintf(&s, en ? "in %d days" : "over %d dagen", occ[i].n);
			else if (occ[i].kind == RK_OVERDUE || occ[i].kind == RK_ESCALATE) {
				struct ltime due = in->timing.due;
				long late;
				char *d;

				due.has_time = 0;
				late = ltime_daynum(&today) - ltime_daynum(&due);
				d = days_text(en, late > 0 ? (int)late : 0);
				xasprintf(&s, en ? "%s overdue" : "%s over de termijn", d);
				free(d);
			}
			item_add(&items, p, st, in, en, s, 0);
			free(s);
		}
		if (!first)
			text_add(&items, "\n");
	}
	free(listed);
	if (n == 0) {
		free(items.s);
		xasprintf(cause, _("a digest of nothing"));
		return -1;
	}
	memset(&v, 0, sizeof(v));
	var(&v, "plan", xstrdup(p->title));
	var(&v, "greeting", greeting(p, en, NULL, rcpt ? plan_person_name(p, rcpt) : NULL));
	mailtext_date(p->lang, &today, buf, sizeof(buf));
	var(&v, "date", xstrdup(buf));
	xasprintf(&s, "%zu", n);
	var(&v, "count", s);
	xasprintf(&s, "%zu %s", n, en ? (n == 1 ? "milestone" : "milestones") :
	    (n == 1 ? "mijlpaal" : "mijlpalen"));
	var(&v, "count_text", s);
	/* Without the last section's blank line: the template puts its own. */
	if (items.len > 0 && items.s[items.len - 1] == '\n')
		items.s[--items.len] = '\0';
	var(&v, "items", text_end(&items));
	if ((out = expand_split(tmpl, &v, subject, &nl, cause)) == NULL)
		return -1;
	*body = xstrdup(nl + 2);
	free(out);
	return 0;
}
