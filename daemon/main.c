/* main.c: termijnd: options, setup, signals and the event loop. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <libical/ical.h>

#include "accept.h"
#include "clock.h"
#include "access.h"
#include "feeds.h"
#include "i18n.h"
#include "lang.h"
#include "log.h"
#include "memory.h"
#include "notify.h"
#include "mailtext.h"
#include "remind.h"
#include "termijnd.h"
#include "tz.h"
#include "version.h"
#include "xmalloc.h"

/* Seconds a stop waits for answers still owed; systemd's TimeoutStopSec= is longer. */
#define STOP_TIMEOUT	10

static struct event *logflush_ev;

static void
log_flush_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	log_flush();
}

static void
log_soon(void)
{
	event_active(logflush_ev, EV_TIMEOUT, 0);
}

static void
usage_to(FILE *f)
{
	fprintf(f, "usage: termijnd [-dn] [-f config] [-P plans-dir] [-S state-dir] "
	    "[-s socket]\n"
	    "                [--clock-start TIME] [--clock-speed N] [--clock-restart]\n");
}

static void
usage(void)
{
	usage_to(stderr);
	exit(2);
}

static void
signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct termijnd *d = arg;

	(void)ev;
	switch (sig) {
	case SIGHUP:
		log_info("SIGHUP: reloading plans");
		notify("RELOADING=1");
		reload_start(d, NULL);	/* READY=1 again once done */
		break;
	case SIGTERM:
	case SIGINT:
		notify("STOPPING=1");
		log_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
		feeds_pause(d);
		control_stop(d, STOP_TIMEOUT);
		break;
	}
}

static void
replace(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/*
 * A demo clock goes on where it stopped, as the state it made did (the database keeps the
 * demo instant of every commit); --clock-restart, or another --clock-start, begins again.
 */
static void
demo_resume(struct termijnd *d, int64_t start, int restart)
{
	int64_t was_start, was_now;
	struct ltime lt;
	char buf[32];

	if (!restart && store_meta_get(d->engine.store, "demo_start", &was_start) == 1 &&
	    was_start == start && store_meta_get(d->engine.store, "demo_now", &was_now) == 1 &&
	    was_now > start) {
		clock_set_demo(was_now, d->conf->clock_speed);
		tz_from_utc(d->conf->clock_tz, was_now, &lt);
		ltime_format(&lt, buf, sizeof(buf));
		log_notice("demo clock: resumes at %s, %g times real time, where it stopped "
		    "(--clock-restart: from the start)", buf, d->conf->clock_speed);
	} else
		log_notice("demo clock: starts at %s, %g times real time", d->conf->clock_start,
		    d->conf->clock_speed);
	if (store_meta_set(d->engine.store, "demo_start", start) == -1 ||
	    store_meta_set(d->engine.store, "demo_now", clock_now()) == -1)
		log_warnx("demo clock: cannot keep its time: %s", store_error(d->engine.store));
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "clock-start", required_argument, NULL, 'T' },
		{ "clock-speed", required_argument, NULL, 'X' },
		{ "clock-restart", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct termijnd d;
	struct errlist errs = { 0 };
	struct planset plans = { NULL, 0 };
	struct event_config *ecfg;
	struct event *sigs[4];
	const char *conffile = "/etc/termijn/termijnd.conf";
	const char *o_plans = NULL, *o_state = NULL, *o_socket = NULL, *o_start = NULL;
	const char *o_speed = NULL;
	char *cause = NULL, *end;
	int ch, checkonly = 0, debug = 0, o_restart = 0, i;
	int64_t start;
	size_t k;

	while ((ch = getopt_long(argc, argv, "df:hnP:S:s:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': debug = 1; break;
		case 'f': conffile = optarg; break;
		case 'n': checkonly = 1; break;
		case 'P': o_plans = optarg; break;
		case 'S': o_state = optarg; break;
		case 's': o_socket = optarg; break;
		case 'T': o_start = optarg; break;
		case 'X': o_speed = optarg; break;
		case 'R': o_restart = 1; break;
		case 'V': printf("termijnd %s\n", TERMIJN_VERSION); return 0;
		case 'h': usage_to(stdout); return 0;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("termijnd", debug);
	log_buffer();
	memset(&d, 0, sizeof(d));
	if ((d.conf = config_load(conffile, &errs)) != NULL) {
		/* Options name paths from where termijnd runs, not from the config file. */
		if (o_plans)
			replace(&d.conf->plans_dir, o_plans);
		if (o_state)
			replace(&d.conf->state_dir, o_state);
		if (o_socket)
			replace(&d.conf->socket, o_socket);
		if (o_start) {
			replace(&d.conf->clock_start, o_start);
			d.conf->clock_demo = 1;
		}
		if (o_speed) {
			d.conf->clock_speed = strtod(o_speed, &end);
			if (*end != '\0' || d.conf->clock_speed < 0 || d.conf->clock_speed > 1e6)
				errlist_add(&errs, "--clock-speed", 0, "a number from 0 to 1000000");
		}
		if (d.conf->clock_start != NULL &&
		    instant_parse(d.conf->clock_start, d.conf->clock_tz, &start) == -1)
			errlist_add(&errs, "--clock-start", 0, "bad time \"%s\"",
			    d.conf->clock_start);
		if (!o_plans) {
			char *p = config_path(d.conf, d.conf->plans_dir);

			replace(&d.conf->plans_dir, p);
			free(p);
		}
		if (!o_state && d.conf->state_dir[0] != '/') {
			char *p = config_path(d.conf, d.conf->state_dir);

			replace(&d.conf->state_dir, p);
			free(p);
		}
		/* systemd's LoadCredential= puts the SMTP password under $CREDENTIALS_DIRECTORY. */
		if (d.conf->mail_password_file != NULL) {
			const char *pf = d.conf->mail_password_file, *cd;
			size_t n = strncmp(pf, "${CREDENTIALS_DIRECTORY}/", 25) == 0 ? 25 :
			    strncmp(pf, "$CREDENTIALS_DIRECTORY/", 23) == 0 ? 23 : 0;

			if (n > 0 && (cd = getenv("CREDENTIALS_DIRECTORY")) != NULL) {
				char *p;

				xasprintf(&p, "%s/%s", cd, pf + n);
				replace(&d.conf->mail_password_file, p);
				free(p);
			} else if (n > 0 && !checkonly)
				errlist_add(&errs, d.conf->file, 0, "mail-password-file: "
				    "CREDENTIALS_DIRECTORY is not set (LoadCredential= in the unit)");
			else if (n == 0 && pf[0] != '/') {
				char *p = config_path(d.conf, pf);

				replace(&d.conf->mail_password_file, p);
				free(p);
			}
		}
		if (d.conf->mail_url != NULL && strncmp(d.conf->mail_url, "maildir:", 8) == 0 &&
		    d.conf->mail_url[8] != '/') {
			char *p = config_path(d.conf, d.conf->mail_url + 8), *u;

			xasprintf(&u, "maildir:%s", p);
			replace(&d.conf->mail_url, u);
			free(p);
			free(u);
		}
		if (!o_socket && d.conf->socket[0] != '/') {
			char *p = config_path(d.conf, d.conf->socket);

			replace(&d.conf->socket, p);
			free(p);
		}
		/* Parsed once: what is checked here is what goes into force. */
		engine_check(d.conf->plans_dir, &errs, checkonly ? NULL : &plans);
		{
			struct templates t;
			char *tdir = config_path(d.conf, d.conf->templates_dir);

			if (templates_load(&t, tdir, &errs) == 0)
				templates_free(&t);
			free(tdir);
		}
	}
	if (errs.n > 0) {
		for (k = 0; k < errs.n; k++)
			fprintf(stderr, "%s\n", errs.msg[k]);
		fprintf(stderr, "termijnd: %zu error%s\n", errs.n, errs.n == 1 ? "" : "s");
		errlist_free(&errs);
		planset_free(&plans);
		config_free(d.conf);
		tz_free();
		return 1;
	}
	if (checkonly) {
		printf("configuration OK\n");
		config_free(d.conf);
		tz_free();
		return 0;
	}

	signal(SIGPIPE, SIG_IGN);
	if (d.conf->clock_demo)
		clock_set_demo(start, d.conf->clock_speed);
	/*
	 * epoll's changes gathered per loop turn: an HTTP answer's read-off, write-on,
	 * write-off, read-on come to two epoll_ctl calls instead of four (no fd here is dup()ed,
	 * which this mode does not survive). No cached time: libevent's is the loop turn's
	 * start, so a timeout armed late in a long turn (evhttp's 10 s on an answer sent after a
	 * reload put in force) was over at once, and the connection closed with it unsent.
	 */
	if ((ecfg = event_config_new()) == NULL ||
	    event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) == -1 ||
	    event_config_set_flag(ecfg, EVENT_BASE_FLAG_NO_CACHE_TIME) == -1 ||
	    (d.base = event_base_new_with_config(ecfg)) == NULL)
		fatalx("event_base_new");
	event_config_free(ecfg);
	/* Three priorities: the group commit (2) runs after the turn's requests (1). */
	if (event_base_priority_init(d.base, 3) == -1)
		fatalx("event_base_priority_init");
	/* The turn's log lines in one write, after its requests. */
	if ((logflush_ev = event_new(d.base, -1, 0, log_flush_cb, NULL)) == NULL)
		fatalx("event_new");
	event_priority_set(logflush_ev, 2);
	log_turn_hook(log_soon);
	notify_init(d.base);
	memory_init(d.base);
	lang_init(NULL);
	if ((d.engine.store = store_open(d.conf->state_dir, &cause)) == NULL)
		fatalx("database: %s", cause);
	if (d.conf->clock_demo)
		demo_resume(&d, start, o_restart);
	d.engine.plans_dir = xstrdup(d.conf->plans_dir);
	/* The pure part of publishing, on every CPU, as a reload does it aside. */
	planset_prepare(&plans);
	if (engine_load(&d.engine, &plans, &errs, NULL, 0) == -1) {
		for (k = 0; k < errs.n; k++)
			log_warnx("%s", errs.msg[k]);
		fatalx("cannot load the plans");
	}
	planset_free(&plans);	/* none were in force before */
	if (control_listen(&d, &cause) == -1 || reload_init(&d, &cause) == -1)
		fatalx("%s", cause);
	if (remind_start(&d, &cause) == -1)
		fatalx("reminders: %s", cause);
	access_start(&d);
	if (feeds_start(&d, &cause) == -1)
		fatalx("feeds: %s", cause);
	sigs[0] = evsignal_new(d.base, SIGHUP, signal_cb, &d);
	sigs[1] = evsignal_new(d.base, SIGTERM, signal_cb, &d);
	sigs[2] = evsignal_new(d.base, SIGINT, signal_cb, &d);
	for (i = 0; i < 3; i++)
		if (sigs[i] == NULL || event_add(sigs[i], NULL) == -1)
			fatalx("cannot handle signals");
	/* The one line a person at the terminal sees: where everything is. */
	log_notice("ready: %zu plan%s from %s; state in %s, socket %s, feeds on http://%s/",
	    d.engine.nplans, d.engine.nplans == 1 ? "" : "s", d.conf->plans_dir,
	    d.conf->state_dir, d.conf->socket, feeds_address(&d) ? feeds_address(&d) : "-");
	/* Sockets bound and the database open: only now may systemd start what needs us. */
	notify("READY=1\nSTATUS=%zu plans", d.engine.nplans);
	notify_watchdog();

	event_base_dispatch(d.base);

	control_close(&d);
	reload_free(&d);
	if (clock_is_demo())
		store_meta_set(d.engine.store, "demo_now", clock_now());
	feeds_stop(&d);
	access_stop(&d);
	remind_stop(&d);
	for (i = 0; i < 3; i++)
		event_free(sigs[i]);
	engine_free(&d.engine);
	store_close(d.engine.store);
	config_free(d.conf);
	notify_free();
	accept_guard_free();
	memory_stop();
	/* What is logged from here on goes out at once. */
	log_turn_hook(NULL);
	log_flush();
	event_free(logflush_ev);
	event_base_free(d.base);
	lang_free();
	tz_free();
	log_notice("stopped");
	return 0;
}
