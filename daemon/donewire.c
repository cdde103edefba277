/* donewire.c: a whole `done` request read from its bytes, or left alone (see donewire.h). */
#include <string.h>
#include <strings.h>

#include "donewire.h"

enum hdr { H_REFUSE, H_IGNORE, H_HOST, H_CTYPE, H_CLEN, H_LANG, H_CONNECTION };

/* Only these: anything else (Expect, Transfer-Encoding, ...) may change what evhttp does. */
static const struct {
	const char	*name;
	enum hdr	 h;
} known[] = {
	{ "Host", H_HOST },
	{ "Content-Type", H_CTYPE },
	{ "Content-Length", H_CLEN },
	{ "Accept-Language", H_LANG },
	{ "Connection", H_CONNECTION },
	{ "Accept", H_IGNORE },
	{ "User-Agent", H_IGNORE },
};

/* The fields of a `done` (request.c's f_done), each a bit of what was seen. */
static const char *const fields[] = { "plan", "key", "note", "at", "reason", "override" };
#define F_OVERRIDE	5

struct seen {
	unsigned	 host, ctype, clen, lang;
	size_t		 length;
};

static enum hdr
which(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].name) == n && strncasecmp(known[i].name, name, n) == 0)
			return known[i].h;
	return H_REFUSE;
}

/* One header line (no CRLF): 0 when it may stand in a fast request. */
static int
header_line(const char *p, size_t n, struct donewire *w, struct seen *s)
{
	const char *v, *colon = memchr(p, ':', n);
	size_t i, vn;

	if (colon == NULL)
		return -1;
	for (i = 0; i < n; i++)
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
	switch (which(p, (size_t)(colon - p))) {
	case H_REFUSE:
		return -1;
	case H_IGNORE:
		return 0;
	case H_HOST:
		return s->host++ == 0 ? 0 : -1;
	case H_CTYPE:
		return s->ctype++ == 0 ? 0 : -1;
	case H_CONNECTION:
		/* Only what keeps it open as it is. */
		return vn == 10 && strncasecmp(v, "keep-alive", 10) == 0 ? 0 : -1;
	case H_CLEN:
		if (s->clen++ > 0 || vn == 0 || vn > 4)
			return -1;
		for (i = 0, s->length = 0; i < vn; i++) {
			if (v[i] < '0' || v[i] > '9')
				return -1;
			s->length = s->length * 10 + (size_t)(v[i] - '0');
		}
		return 0;
	case H_LANG:
		if (s->lang++ > 0 || vn >= DONEWIRE_VALUE)
			return -1;
		w->has_lang = 1;
		memcpy(w->lang, v, vn);
		w->lang[vn] = '\0';
		return 0;
	}
	return -1;
}

static const char *
ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* A string without escapes at p (its opening quote), copied to *dst: past it, or NULL. */
static const char *
string(const char *p, const char *end, char **dst)
{
	const char *q;

	if (p >= end || *p != '"')
		return NULL;
	for (q = ++p; q < end && *q != '"'; q++)
		if (*q == '\\' || (unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e)
			return NULL;
	if (q >= end)
		return NULL;
	memcpy(*dst, p, (size_t)(q - p));
	(*dst)[q - p] = '\0';
	*dst += q - p + 1;
	return q + 1;
}

static int
word(const char **p, const char *end, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(end - *p) < n || memcmp(*p, w, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/* The body [p, end): 0 when it is a plain object of a `done`'s fields. */
static int
body(const char *p, const char *end, struct donewire *w)
{
	const char **slot[] = { &w->plan, &w->key, &w->note, &w->at, &w->reason };
	char *dst = w->text, *name;
	unsigned seen = 0;
	size_t f;

	p = ws(p, end);
	if (p >= end || *p++ != '{')
		return -1;
	p = ws(p, end);
	if (p < end && *p == '}')
		p++;
	else
		for (;;) {
			name = dst;
			if ((p = string(p, end, &dst)) == NULL)
				return -1;
			for (f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
				if (strcmp(fields[f], name) == 0)
					break;
			/* An unknown field, or one twice: request_parse says which. */
			if (f == sizeof(fields) / sizeof(fields[0]) || (seen & (1u << f)))
				return -1;
			seen |= 1u << f;
			dst = name;
			p = ws(p, end);
			if (p >= end || *p++ != ':')
				return -1;
			p = ws(p, end);
			if (word(&p, end, "null"))
				;
			else if (f == F_OVERRIDE) {
				if (word(&p, end, "true"))
					w->override = 1;
				else if (!word(&p, end, "false"))
					return -1;
			} else {
				*slot[f] = dst;
				if ((p = string(p, end, &dst)) == NULL)
					return -1;
			}
			p = ws(p, end);
			if (p < end && *p == ',') {
				p = ws(p + 1, end);
				continue;
			}
			if (p >= end || *p++ != '}')
				return -1;
			break;
		}
	/* The key is required; request_parse words its absence. */
	return ws(p, end) == end && w->key != NULL && *w->key != '\0' ? 0 : -1;
}

size_t
donewire_parse(const char *buf, size_t len, struct donewire *w)
{
	static const char line[] = "POST /api/v1/done HTTP/1.1\r\n";
	const char *p, *end, *eol;
	struct seen s;

	memset(w, 0, sizeof(*w));
	memset(&s, 0, sizeof(s));
	if (len < sizeof(line) - 1 || memcmp(buf, line, sizeof(line) - 1) != 0)
		return 0;
	/* Whole: through its empty line, then the body. */
	if ((end = memmem(buf, len < DONEWIRE_MAX_HEAD ? len : DONEWIRE_MAX_HEAD, "\r\n\r\n",
	    4)) == NULL)
		return 0;
	end += 2;
	for (p = buf + sizeof(line) - 1; p < end; p = eol + 2) {
		/* Lines end in CRLF; a bare CR or LF is evhttp's to judge. */
		for (eol = p; *eol != '\r'; eol++)
			if (*eol == '\n')
				return 0;
		if (eol[1] != '\n' || header_line(p, (size_t)(eol - p), w, &s) == -1)
			return 0;
	}
	w->body = (size_t)(end - buf) + 2;
	if (s.clen != 1 || s.length > DONEWIRE_MAX_BODY || len - w->body < s.length ||
	    body(buf + w->body, buf + w->body + s.length, w) == -1) {
		memset(w, 0, sizeof(*w));
		return 0;
	}
	return w->body + s.length;
}
