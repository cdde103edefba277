/* feedreq.c: a feed request's token, validators and encodings, from path and headers. */
#include <stdlib.h>
#include <string.h>

#include "feedreq.h"

static int
token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_';
}

int
feedreq_token(const char *rest, char token[FEED_TOKEN_CHARS + 1])
{
	size_t i;

	for (i = 0; i < FEED_TOKEN_CHARS; i++)
		if (!token_char(rest[i]))
			return -1;
	if (rest[i] != '\0' && strcmp(rest + i, ".ics") != 0)
		return -1;
	memcpy(token, rest, FEED_TOKEN_CHARS);
	token[FEED_TOKEN_CHARS] = '\0';
	return 0;
}

int
feedreq_etag_matches(const char *inm, const char *etag)
{
	const char *p = inm;
	size_t n = strlen(etag);

	/* A list of entity tags; weak ones compare by their opaque part (RFC 9110 13.1.2). */
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return 1;
		while (*p && *p != ',')
			p++;
	}
	return 0;
}

int
feedreq_gzip(const char *ae)
{
	const char *p;

	if (ae == NULL || (p = strstr(ae, "gzip")) == NULL)
		return 0;
	p += 4;
	while (*p == ' ')
		p++;
	/* "gzip;q=0" says no. */
	if (*p == ';') {
		p = strchr(p, '=');
		if (p != NULL && strtod(p + 1, NULL) == 0)
			return 0;
	}
	return 1;
}
