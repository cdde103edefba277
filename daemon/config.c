/* config.c: the termijnd.conf reader: "key value" lines, # comments, every error reported. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mailcompose.h"
#include "tz.h"
#include "xmalloc.h"

static void
words(const char *v, char ***out, size_t *n)
{
	char *copy = xstrdup(v), *s = copy, *w;

	while ((w = strsep(&s, ", \t")) != NULL) {
		if (*w == '\0')
			continue;
		*out = xreallocarray(*out, *n + 1, sizeof(char *));
		(*out)[(*n)++] = xstrdup(w);
	}
	free(copy);
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return 1;
	return 0;
}

static void
set(struct config *c, struct errlist *errs, int line, const char *key, char **dst, const char *v)
{
	if (*dst != NULL)
		errlist_add(errs, c->file, line, "%s given twice", key);
	free(*dst);
	*dst = xstrdup(v);
}

struct config *
config_parse(const char *path, const char *text, size_t textlen, struct errlist *errs)
{
	struct config *c = xcalloc(1, sizeof(*c));
	char *buf, *s, *line, *key, *val, *end;
	size_t start = errs->n, len;
	int lineno = 0;
	int64_t t;

	c->file = xstrdup(path);
	c->socket_mode = 0666;
	c->clock_speed = 1;
	c->metrics_loopback = 1;
	buf = xmalloc(textlen + 1);
	memcpy(buf, text, textlen);
	buf[textlen] = '\0';
	for (s = buf; s != NULL && s < buf + textlen;) {
		line = s;
		if ((s = memchr(s, '\n', (size_t)(buf + textlen - s))) != NULL)
			*s++ = '\0';
		len = (size_t)((s != NULL ? s - 1 : buf + textlen) - line);
		lineno++;
		if (memchr(line, '\0', len) != NULL) {
			errlist_add(errs, path, lineno, "NUL byte in line");
			continue;
		}
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		key = line + strspn(line, " \t");
		if (*key == '\0' || *key == '#')
			continue;
		/* A CR or other control character in a value would reach mail headers. */
		if (has_control(key)) {
			errlist_add(errs, path, lineno, "control character in line (only TAB is "
			    "allowed)");
			continue;
		}
		val = key + strcspn(key, " \t");
		if (*val != '\0')
			*val++ = '\0';
		val += strspn(val, " \t");
		end = val + strlen(val);
		while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*val == '\0') {
			errlist_add(errs, path, lineno, "%s needs a value", key);
			continue;
		}
		if (strcmp(key, "state-dir") == 0)
			set(c, errs, lineno, key, &c->state_dir, val);
		else if (strcmp(key, "plans-dir") == 0)
			set(c, errs, lineno, key, &c->plans_dir, val);
		else if (strcmp(key, "socket") == 0)
			set(c, errs, lineno, key, &c->socket, val);
		else if (strcmp(key, "socket-mode") == 0) {
			long m = strtol(val, &end, 8);

			if (*end != '\0' || m < 0 || m > 0777)
				errlist_add(errs, path, lineno, "socket-mode: an octal mode such as 0660");
			else
				c->socket_mode = (int)m;
		} else if (strcmp(key, "operators") == 0)
			words(val, &c->operators, &c->noperators);
		else if (strcmp(key, "overriders") == 0)
			words(val, &c->overriders, &c->noverriders);
		else if (strcmp(key, "clock-start") == 0) {
			set(c, errs, lineno, key, &c->clock_start, val);
			c->clock_demo = 1;
		} else if (strcmp(key, "clock-timezone") == 0) {
			if (!tz_valid(val))
				errlist_add(errs, path, lineno, "unknown time zone \"%s\"", val);
			set(c, errs, lineno, key, &c->clock_tz, val);
		} else if (strcmp(key, "clock-speed") == 0) {
			errno = 0;
			c->clock_speed = strtod(val, &end);
			if (errno != 0 || *end != '\0' || c->clock_speed < 0 || c->clock_speed > 1e6)
				errlist_add(errs, path, lineno, "clock-speed: a number from 0 (a "
				    "stopped clock) to 1000000");
		} else if (strcmp(key, "mail-url") == 0) {
			if (strncmp(val, "smtp://", 7) != 0 && strncmp(val, "smtps://", 8) != 0 &&
			    strncmp(val, "maildir:", 8) != 0)
				errlist_add(errs, path, lineno, "mail-url: smtp://HOST[:PORT], "
				    "smtps://HOST[:PORT] or maildir:DIR");
			set(c, errs, lineno, key, &c->mail_url, val);
		} else if (strcmp(key, "mail-from") == 0) {
			if (!mail_addr_valid(val))
				errlist_add(errs, path, lineno, "mail-from: \"%s\" is not an e-mail "
				    "address", val);
			set(c, errs, lineno, key, &c->mail_from, val);
		} else if (strcmp(key, "mail-from-name") == 0)
			set(c, errs, lineno, key, &c->mail_from_name, val);
		else if (strcmp(key, "mail-tls") == 0) {
			if (strcmp(val, "required") != 0 && strcmp(val, "opportunistic") != 0 &&
			    strcmp(val, "none") != 0)
				errlist_add(errs, path, lineno, "mail-tls: required, opportunistic or "
				    "none");
			set(c, errs, lineno, key, &c->mail_tls, val);
		} else if (strcmp(key, "mail-user") == 0)
			set(c, errs, lineno, key, &c->mail_user, val);
		else if (strcmp(key, "mail-password-file") == 0)
			set(c, errs, lineno, key, &c->mail_password_file, val);
		else if (strcmp(key, "mail-domain") == 0) {
			if (!mail_domain_valid(val))
				errlist_add(errs, path, lineno, "mail-domain: not a host name");
			set(c, errs, lineno, key, &c->mail_domain, val);
		} else if (strcmp(key, "templates-dir") == 0)
			set(c, errs, lineno, key, &c->templates_dir, val);
		else if (strcmp(key, "mail-in-flight") == 0 || strcmp(key, "mail-retry-max") == 0 ||
		    strcmp(key, "mail-retry-base") == 0) {
			long n = strtol(val, &end, 10);

			/* A session is a thread: a relay gets no more than it can take. */
			long max = key[5] == 'i' ? 64 : 100000;

			if (*end != '\0' || n < 1 || n > max)
				errlist_add(errs, path, lineno, "%s: a number from 1 to %ld", key, max);
			else if (key[5] == 'i')
				c->mail_in_flight = (int)n;
			else if (key[11] == 'm')
				c->mail_retry_max = (int)n;
			else
				c->mail_retry_base = (int)n;
		} else if (strcmp(key, "outbox-retention") == 0) {
			long n = strtol(val, &end, 10);

			if (*end != '\0' || n < 1 || n > 36500)
				errlist_add(errs, path, lineno, "%s: days, from 1 to 36500", key);
			else
				c->outbox_retention = (int)n;
		} else if (strcmp(key, "listen") == 0)
			set(c, errs, lineno, key, &c->listen, val);
		else if (strcmp(key, "public-url") == 0) {
			if ((strncmp(val, "https://", 8) != 0 && strncmp(val, "http://", 7) != 0) ||
			    strpbrk(val, " \t\"<>") != NULL)
				errlist_add(errs, path, lineno, "public-url: an http:// or https:// URL");
			set(c, errs, lineno, key, &c->public_url, val);
		} else if (strcmp(key, "feed-refresh") == 0 || strcmp(key, "http-max-age") == 0) {
			long n = strtol(val, &end, 10);

			if (*end != '\0' || n < 1 || n > 100000)
				errlist_add(errs, path, lineno, "%s: a number from 1 to 100000", key);
			else if (key[0] == 'f')
				c->feed_refresh = (int)n;
			else
				c->http_max_age = (int)n;
		} else if (strcmp(key, "feed-cache-mb") == 0) {
			long n = strtol(val, &end, 10);

			if (*end != '\0' || n < 1 || n > 65536)
				errlist_add(errs, path, lineno, "%s: MiB, from 1 to 65536", key);
			else
				c->feed_cache_mb = (int)n;
		} else if (strcmp(key, "trusted-proxies") == 0) {
			size_t i0 = c->ntrusted, i;
			unsigned char net[16];
			int bits, v6;

			words(val, &c->trusted, &c->ntrusted);
			for (i = i0; i < c->ntrusted; i++)
				if (cidr_parse(c->trusted[i], net, &bits, &v6) == -1)
					errlist_add(errs, path, lineno, "trusted-proxies: \"%s\" is not "
					    "an IP address or ADDRESS/BITS", c->trusted[i]);
		} else if (strcmp(key, "http-max-connections") == 0) {
			long n = strtol(val, &end, 10);

			if (*end != '\0' || n < 4 || n > 1000000)
				errlist_add(errs, path, lineno, "%s: a number from 4 to 1000000", key);
			else
				c->http_max_conns = (int)n;
		} else if (strcmp(key, "session-idle") == 0 ||
		    strcmp(key, "session-lifetime") == 0 ||
		    strcmp(key, "signin-link-lifetime") == 0 ||
		    strcmp(key, "mail-link-lifetime") == 0) {
			long n = duration_parse(val);

			if (n < 1 || n > 366L * 86400)
				errlist_add(errs, path, lineno, "%s: a duration such as 90s, 15m, 12h "
				    "or 14d, at most 366d", key);
			else if (key[1] == 'e' && key[8] == 'i')
				c->session_idle = (int)n;
			else if (key[1] == 'e')
				c->session_lifetime = (int)n;
			else if (key[0] == 's')
				c->signin_link_lifetime = (int)n;
			else
				c->mail_link_lifetime = (int)n;
		} else if (strcmp(key, "metrics") == 0) {
			if (strcmp(val, "loopback") == 0)
				c->metrics_loopback = 1;
			else if (strcmp(val, "everyone") == 0)
				c->metrics_loopback = 0;
			else
				errlist_add(errs, path, lineno, "metrics: loopback or everyone");
		} else
			errlist_add(errs, path, lineno, "unknown key \"%s\"", key);
	}
	free(buf);
	if (c->clock_tz == NULL)
		c->clock_tz = xstrdup("Europe/Amsterdam");
	if (c->clock_start != NULL && instant_parse(c->clock_start, c->clock_tz, &t) == -1)
		errlist_add(errs, path, 0, "clock-start: bad time \"%s\"", c->clock_start);
	if (c->state_dir == NULL)
		c->state_dir = xstrdup("/var/lib/termijn");
	if (c->plans_dir == NULL)
		c->plans_dir = xstrdup("plans");
	if (c->listen == NULL)
		c->listen = xstrdup("127.0.0.1:8461");
	if (c->feed_refresh == 0)
		c->feed_refresh = 60;
	/* 100,000 instances take some 140 MiB: with 32 of feeds, under 200 in all. */
	if (c->feed_cache_mb == 0)
		c->feed_cache_mb = 32;
	if (c->http_max_age == 0)
		c->http_max_age = 30;
	if (c->http_max_conns == 0)
		c->http_max_conns = 512;
	if (c->session_idle == 0)
		c->session_idle = 2 * 3600;
	if (c->session_lifetime == 0)
		c->session_lifetime = 12 * 3600;
	if (c->signin_link_lifetime == 0)
		c->signin_link_lifetime = 15 * 60;
	if (c->mail_link_lifetime == 0)
		c->mail_link_lifetime = 14 * 86400;
	if (c->mail_from == NULL)
		c->mail_from = xstrdup("termijn@localhost.example");
	/* mail-from may be bad (reported above): its domain only when it has one. */
	if (c->mail_domain == NULL && strchr(c->mail_from, '@') != NULL)
		c->mail_domain = xstrdup(strchr(c->mail_from, '@') + 1);
	if (c->mail_tls == NULL)
		c->mail_tls = xstrdup("required");
	if (c->templates_dir == NULL)
		c->templates_dir = xstrdup("templates");
	if (c->mail_in_flight == 0)
		c->mail_in_flight = 4;
	if (c->mail_retry_max == 0)
		c->mail_retry_max = 8;
	if (c->mail_retry_base == 0)
		c->mail_retry_base = 60;
	if (c->outbox_retention == 0)
		c->outbox_retention = 90;
	if (c->mail_user != NULL && c->mail_password_file == NULL)
		errlist_add(errs, path, 0, "mail-user needs mail-password-file");
	if (c->socket == NULL)
		c->socket = xstrdup("/run/termijn/termijnd.sock");
	if (errs->n > start) {
		config_free(c);
		return NULL;
	}
	return c;
}

struct config *
config_load(const char *path, struct errlist *errs)
{
	struct config *c = NULL;
	FILE *f;
	char *buf;
	size_t len;

	if ((f = fopen(path, "r")) == NULL) {
		errlist_add(errs, path, 0, "%s", strerror(errno));
		return NULL;
	}
	/* One byte more than allowed tells a file at the limit from one past it. */
	buf = xmalloc(CONFIG_MAX_SIZE + 1);
	len = fread(buf, 1, CONFIG_MAX_SIZE + 1, f);
	if (ferror(f))
		errlist_add(errs, path, 0, "read error");
	else if (len > CONFIG_MAX_SIZE)
		errlist_add(errs, path, 0, "larger than %d bytes: not a configuration",
		    CONFIG_MAX_SIZE);
	else
		c = config_parse(path, buf, len, errs);
	free(buf);
	fclose(f);
	return c;
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->file);
	free(c->state_dir);
	free(c->plans_dir);
	free(c->socket);
	strv_free(c->operators, c->noperators);
	strv_free(c->overriders, c->noverriders);
	strv_free(c->trusted, c->ntrusted);
	free(c->clock_start);
	free(c->clock_tz);
	free(c->mail_url);
	free(c->mail_from);
	free(c->mail_from_name);
	free(c->mail_tls);
	free(c->mail_user);
	free(c->mail_password_file);
	free(c->mail_domain);
	free(c->templates_dir);
	free(c->listen);
	free(c->public_url);
	free(c);
}

char *
config_path(const struct config *c, const char *p)
{
	char *copy, *dir, *out;

	if (p[0] == '/')
		return xstrdup(p);
	copy = xstrdup(c->file);
	dir = dirname(copy);
	xasprintf(&out, "%s/%s", dir, p);
	free(copy);
	return out;
}

long
duration_parse(const char *s)
{
	char *end;
	long n;

	if (*s < '0' || *s > '9')
		return -1;
	n = strtol(s, &end, 10);
	if (n < 0 || n > 100000000 || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (*end) {
	case 's':
		return n;
	case 'm':
		return n * 60;
	case 'h':
		return n * 3600;
	case 'd':
		return n > 1000000 ? -1 : n * 86400;
	}
	return -1;
}

int
config_allows(char **names, size_t n, const char *user, long uid)
{
	char buf[32];
	size_t i;

	snprintf(buf, sizeof(buf), "%ld", uid);
	for (i = 0; i < n; i++)
		if ((user != NULL && strcmp(names[i], user) == 0) || strcmp(names[i], buf) == 0)
			return 1;
	return 0;
}

int
cidr_parse(const char *s, unsigned char net[16], int *bits, int *v6)
{
	char buf[64], *slash, *end;
	long b;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	memset(net, 0, 16);
	if (inet_pton(AF_INET, buf, net) == 1)
		*v6 = 0;
	else if (inet_pton(AF_INET6, buf, net) == 1)
		*v6 = 1;
	else
		return -1;
	*bits = *v6 ? 128 : 32;
	if (slash != NULL) {
		b = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || b < 0 || b > *bits)
			return -1;
		*bits = (int)b;
	}
	return 0;
}

static int
prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
	int i;

	for (i = 0; bits >= 8; i++, bits -= 8)
		if (a[i] != b[i])
			return 0;
	return bits == 0 || ((a[i] ^ b[i]) & (0xff << (8 - bits)) & 0xff) == 0;
}

int
config_trusted(const struct config *c, const char *addr)
{
	unsigned char a[16], net[16];
	int abits, av6, bits, v6;
	size_t i;

	if (cidr_parse(addr, a, &abits, &av6) == -1 || abits != (av6 ? 128 : 32))
		return 0;
	/* An IPv4 peer on a dual-stack socket comes as ::ffff:a.b.c.d. */
	if (av6 && memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(a, a + 12, 4);
		av6 = 0;
	}
	for (i = 0; i < c->ntrusted; i++)
		if (cidr_parse(c->trusted[i], net, &bits, &v6) == 0 && v6 == av6 &&
		    prefix_equal(a, net, bits))
			return 1;
	return 0;
}
