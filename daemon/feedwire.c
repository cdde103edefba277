/* feedwire.c: a whole feed request read from its bytes, or left alone (see feedwire.h). */
#include <string.h>
#include <strings.h>

#include "feedwire.h"

enum hdr { H_OTHER, H_INM, H_IMS, H_AE, H_HOST, H_CONNECTION, H_REFUSE };

static const struct {
	const char	*name;
	enum hdr	 h;
} known[] = {
	{ "If-None-Match", H_INM },
	{ "If-Modified-Since", H_IMS },
	{ "Accept-Encoding", H_AE },
	{ "Host", H_HOST },
	{ "Connection", H_CONNECTION },
	/* A body, or something asked of the connection: evhttp's. */
	{ "Content-Length", H_REFUSE },
	{ "Transfer-Encoding", H_REFUSE },
	{ "Expect", H_REFUSE },
	{ "Upgrade", H_REFUSE },
	{ "Proxy-Connection", H_REFUSE },
};

/* RFC 9110 tchar. */
static int
tchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
token_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_';
}

static enum hdr
which(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].name) == n && strncasecmp(known[i].name, name, n) == 0)
			return known[i].h;
	return H_OTHER;
}

/* The request line up to its CRLF (p, n without it): 0 when it is a feed's. */
static int
request_line(const char *p, size_t n, struct feedwire *w)
{
	static const char tail[] = " HTTP/1.1";
	size_t i = 0, t;

	if (n >= 4 && memcmp(p, "GET ", 4) == 0)
		i = 4;
	else if (n >= 5 && memcmp(p, "HEAD ", 5) == 0) {
		w->head = 1;
		i = 5;
	} else
		return -1;
	if (n - i < 6 + FEED_TOKEN_CHARS || memcmp(p + i, "/feed/", 6) != 0)
		return -1;
	i += 6;
	for (t = 0; t < FEED_TOKEN_CHARS; t++)
		if (!token_char((unsigned char)p[i + t]))
			return -1;
	memcpy(w->token, p + i, FEED_TOKEN_CHARS);
	w->token[FEED_TOKEN_CHARS] = '\0';
	i += FEED_TOKEN_CHARS;
	if (n - i >= 4 && memcmp(p + i, ".ics", 4) == 0)
		i += 4;
	return n - i == sizeof(tail) - 1 && memcmp(p + i, tail, sizeof(tail) - 1) == 0 ? 0 : -1;
}

/* One header line (no CRLF): 0 when it may stand in a fast request. */
static int
header_line(const char *p, size_t n, struct feedwire *w, int *host)
{
	const char *v, *colon = memchr(p, ':', n);
	size_t i, vn;
	enum hdr h;
	char *dst;
	int *has;

	/* A folded line (it begins with space or tab) or no name: evhttp's. */
	if (colon == NULL || colon == p)
		return -1;
	for (i = 0; p + i < colon; i++)
		if (!tchar((unsigned char)p[i]))
			return -1;
	for (i = (size_t)(colon - p) + 1; i < n; i++)
		if (p[i] != '\t' && ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7e))
			return -1;
	/* As evhttp: leading spaces (not tabs) go, and trailing spaces and tabs. */
	v = colon + 1;
	vn = n - (size_t)(v - p);
	while (vn > 0 && *v == ' ') {
		v++;
		vn--;
	}
	while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
		vn--;
	switch ((h = which(p, (size_t)(colon - p)))) {
	case H_OTHER:
		return 0;
	case H_REFUSE:
		return -1;
	case H_HOST:
		/* Once; evhttp would read the first of two, a proxy perhaps the other. */
		return (*host)++ == 0 ? 0 : -1;
	case H_CONNECTION:
		/* Only what keeps it open as it is: anything else goes to evhttp. */
		return vn == 10 && strncasecmp(v, "keep-alive", 10) == 0 ? 0 : -1;
	case H_INM:
		has = &w->has_inm, dst = w->inm;
		break;
	case H_IMS:
		has = &w->has_ims, dst = w->ims;
		break;
	case H_AE:
	default:
		has = &w->has_ae, dst = w->ae;
		break;
	}
	if (*has || vn >= FEEDWIRE_VALUE)
		return -1;
	*has = 1;
	memcpy(dst, v, vn);
	dst[vn] = '\0';
	return 0;
}

size_t
feedwire_parse(const char *buf, size_t len, struct feedwire *w)
{
	const char *p, *end, *eol;
	int host = 0;

	memset(w, 0, sizeof(*w));
	if (len > FEEDWIRE_MAX_HEAD)
		len = FEEDWIRE_MAX_HEAD;
	/* Whole: through its empty line. */
	if ((end = memmem(buf, len, "\r\n\r\n", 4)) == NULL)
		return 0;
	end += 2;
	for (p = buf; p < end; p = eol + 2) {
		/* Lines end in CRLF; a bare CR or LF, or a NUL, is evhttp's to judge. */
		for (eol = p; *eol != '\r'; eol++)
			if (*eol == '\n' || *eol == '\0')
				return 0;
		if (eol[1] != '\n')
			return 0;
		if (p == buf ? request_line(p, (size_t)(eol - p), w) == -1 :
		    header_line(p, (size_t)(eol - p), w, &host) == -1)
			return 0;
	}
	return host == 1 ? (size_t)(end - buf) + 2 : 0;
}
