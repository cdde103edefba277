/* config.h: termijnd.conf, read and checked (pure but for reading the file). */
#ifndef TERMIJN_CONFIG_H
#define TERMIJN_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"

struct config {
	char	*file;
	char	*state_dir;
	char	*plans_dir;
	char	*socket;
	int	 socket_mode;
	char	**operators;	/* user names or numeric uids that may change state */
	size_t	 noperators;
	char	**overriders;	/* ... that may also override a rule */
	size_t	 noverriders;
	int	 clock_demo;
	char	*clock_start;	/* local time in clock_tz, or an ISO instant */
	char	*clock_tz;
	double	 clock_speed;
	/* E-mail reminders. */
	char	*mail_url;		/* smtp://, smtps:// or maildir:DIR; default maildir in state */
	char	*mail_from;
	char	*mail_from_name;
	char	*mail_tls;		/* required, opportunistic, none */
	char	*mail_user;
	char	*mail_password_file;
	char	*mail_domain;		/* right side of Message-IDs; default: mail_from's */
	char	*templates_dir;
	int	 mail_in_flight;
	int	 mail_retry_max;	/* attempts before a temporary failure counts as failed */
	int	 mail_retry_base;	/* seconds before the first retry; doubles each time */
	int	 outbox_retention;	/* days a message sent, failed or cancelled stays listed */
	/* The HTTP listener: feeds, health, metrics. */
	char	*listen;		/* HOST:PORT, [V6]:PORT, or "none" */
	char	*public_url;		/* the base of feed URLs, as subscribers see it */
	int	 feed_refresh;		/* minutes: REFRESH-INTERVAL and Cache-Control max-age */
	int	 feed_cache_mb;		/* MiB of rendered feeds kept; the least recently served go */
	int	 http_max_age;		/* seconds a connection may live, however it trickles */
	int	 http_max_conns;	/* connections at once; the oldest goes for a new one */
	int	 metrics_loopback;	/* /metrics and /healthz only for loopback peers */
	char	**trusted;		/* proxies whose X-Forwarded-For/-Proto we believe */
	size_t	 ntrusted;
	/* The web pages: lifetimes in seconds. */
	int	 session_idle;		/* a session ends after this long unused ... */
	int	 session_lifetime;	/* ... and this long after signing in, at the latest */
	int	 signin_link_lifetime;	/* a sign-in link by mail */
	int	 mail_link_lifetime;	/* a reminder's "done" link */
};

/* A configuration file is at most this long. */
#define CONFIG_MAX_SIZE	(1024 * 1024)

/* Reads and checks the file; every error goes to errs as file:line. */
struct config	*config_load(const char *path, struct errlist *errs);
/* The same for text already read (path names it in errors); text need not end in NUL. */
struct config	*config_parse(const char *path, const char *text, size_t len, struct errlist *errs);
void		 config_free(struct config *);
/* A path from the config: relative ones are relative to the config file's directory. */
char		*config_path(const struct config *, const char *);
int		 config_allows(char **names, size_t n, const char *user, long uid);
/* Is addr (an IPv4 or IPv6 address in text) one of the trusted-proxies? */
int		 config_trusted(const struct config *, const char *addr);
/* "90s", "15m", "12h", "14d": seconds, or -1. */
long		 duration_parse(const char *);
/* "192.0.2.1", "10.0.0.0/8", "::1", "2001:db8::/32": 0, or -1 when it is none of these. */
int		 cidr_parse(const char *, unsigned char net[16], int *bits, int *v6);

#endif
