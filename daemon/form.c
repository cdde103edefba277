/* form.c: form bodies and cookies as a browser sends them, and CSRF tokens (pure). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "sha256.h"
#include "xmalloc.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0..n) decoded ('+' is a space); NULL when an escape is bad or makes a NUL. */
static char *
decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= n || (hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0 ||
			    (hi == 0 && lo == 0))
				goto bad;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '\0')
			goto bad;
		else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

int
form_parse(const char *body, size_t len, struct form *f, char **cause)
{
	const char *p = body, *end = body + len, *amp, *eq;
	char *name, *value;

	memset(f, 0, sizeof(*f));
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		name = decode(p, (size_t)(eq - p));
		value = decode(eq < amp ? eq + 1 : amp, eq < amp ? (size_t)(amp - eq - 1) : 0);
		if (name == NULL || value == NULL) {
			free(name);
			free(value);
			xasprintf(cause, "a bad %%-escape or a NUL in the form");
			goto bad;
		}
		if (form_get(f, name) != NULL || f->n == FORM_MAX_FIELDS) {
			xasprintf(cause, f->n == FORM_MAX_FIELDS ? "more than %d fields in the form" :
			    "a field given twice in the form", FORM_MAX_FIELDS);
			free(name);
			free(value);
			goto bad;
		}
		f->name[f->n] = name;
		f->value[f->n++] = value;
		p = amp < end ? amp + 1 : end;
	}
	return 0;
bad:
	form_free(f);
	return -1;
}

void
form_free(struct form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->name[i]);
		/* A form may carry a secret (a link's token). */
		explicit_bzero(f->value[i], strlen(f->value[i]));
		free(f->value[i]);
	}
	f->n = 0;
}

const char *
form_get(const struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

int
cookie_get(const char *h, const char *name, char *out, size_t len)
{
	size_t n = strlen(name), vlen;
	const char *v, *e;

	while (h != NULL && *h != '\0') {
		while (*h == ' ' || *h == '\t' || *h == ';')
			h++;
		if ((e = strchr(h, ';')) == NULL)
			e = h + strlen(h);
		if ((size_t)(e - h) > n && strncmp(h, name, n) == 0 && h[n] == '=') {
			v = h + n + 1;
			vlen = (size_t)(e - v);
			while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"')
				v++, vlen -= 2;
			if (vlen >= len)
				return -1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return 1;
		}
		h = e;
	}
	return 0;
}

int
web_token_ok(const char *s)
{
	size_t i;

	for (i = 0; i < WEB_TOKEN_CHARS; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return s[i] == '\0';
}

void
form_csrf(const char *session_token, char out[WEB_TOKEN_CHARS + 1])
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char h[32];
	char *in;
	size_t i;

	/* A name of its own, so that it is never the hash the store keeps for the session. */
	xasprintf(&in, "termijn-csrf:%s", session_token);
	sha256(in, strlen(in), h);
	explicit_bzero(in, strlen(in));
	free(in);
	for (i = 0; i < WEB_TOKEN_CHARS; i++)
		out[i] = b64[h[i] & 63];
	out[WEB_TOKEN_CHARS] = '\0';
	explicit_bzero(h, sizeof(h));
}

int
secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}
