/* msgcat.c: read gettext .mo catalogs (pure: bytes in, strings out) and pick a language. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "msgcat.h"
#include "xmalloc.h"

#define MO_MAGIC	0x950412deU

/* Per thread: the mail thread never answers a request, and stays English. */
static _Thread_local const struct msgcat *current;

struct msgcat {
	char		*data;
	size_t		 len;
	uint32_t	 n;
	const char	**orig, **trans;
	uint32_t	*translen;
};

static uint32_t
rd32(const unsigned char *p, int swap)
{
	if (swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The string of table entry i at off: inside the data and NUL-terminated, or NULL. */
static const char *
entry(const struct msgcat *c, uint32_t table, uint32_t i, int swap, uint32_t *lenp)
{
	const unsigned char *d = (const unsigned char *)c->data;
	uint64_t at = (uint64_t)table + (uint64_t)i * 8;
	uint32_t len, off;

	if (at + 8 > c->len)
		return NULL;
	len = rd32(d + at, swap);
	off = rd32(d + at + 4, swap);
	if ((uint64_t)off + len >= c->len || d[off + len] != '\0')
		return NULL;
	*lenp = len;
	return c->data + off;
}

struct msgcat *
msgcat_parse(const void *data, size_t len, char **cause)
{
	const unsigned char *d = data;
	struct msgcat *c;
	uint32_t otab, ttab, i, olen;
	int swap;

	if (len < 28 || (rd32(d, 0) != MO_MAGIC && rd32(d, 1) != MO_MAGIC)) {
		xasprintf(cause, "not a gettext .mo file");
		return NULL;
	}
	swap = rd32(d, 0) != MO_MAGIC;
	if (rd32(d + 4, swap) >> 16 != 0) {
		xasprintf(cause, "unknown .mo revision %u", rd32(d + 4, swap));
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->len = len;
	c->data = xmalloc(len);
	memcpy(c->data, data, len);
	c->n = rd32(d + 8, swap);
	otab = rd32(d + 12, swap);
	ttab = rd32(d + 16, swap);
	if ((uint64_t)c->n * 8 > len) {
		xasprintf(cause, "truncated .mo file");
		msgcat_free(c);
		return NULL;
	}
	c->orig = xcalloc(c->n ? c->n : 1, sizeof(*c->orig));
	c->trans = xcalloc(c->n ? c->n : 1, sizeof(*c->trans));
	c->translen = xcalloc(c->n ? c->n : 1, sizeof(*c->translen));
	for (i = 0; i < c->n; i++) {
		if ((c->orig[i] = entry(c, otab, i, swap, &olen)) == NULL ||
		    (c->trans[i] = entry(c, ttab, i, swap, &c->translen[i])) == NULL) {
			xasprintf(cause, "truncated .mo file (entry %u)", i);
			msgcat_free(c);
			return NULL;
		}
		/* Lookups halve the table: msgfmt writes it sorted, so insist on that. */
		if (i > 0 && strcmp(c->orig[i - 1], c->orig[i]) >= 0) {
			xasprintf(cause, ".mo file not sorted at entry %u", i);
			msgcat_free(c);
			return NULL;
		}
	}
	return c;
}

void
msgcat_free(struct msgcat *c)
{
	if (c == NULL)
		return;
	free(c->orig);
	free(c->trans);
	free(c->translen);
	free(c->data);
	free(c);
}

/* The entry of msgid; a plural entry's original is "singular\0plural", found by its first. */
static long
find(const struct msgcat *c, const char *msgid)
{
	uint32_t lo = 0, hi, mid;
	int cmp;

	if (c == NULL || msgid == NULL || *msgid == '\0')
		return -1;
	hi = c->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((cmp = strcmp(msgid, c->orig[mid])) == 0)
			return c->translen[mid] > 0 ? (long)mid : -1;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

const char *
msgcat_get(const struct msgcat *c, const char *msgid)
{
	long i = find(c, msgid);

	return i >= 0 ? c->trans[i] : NULL;
}

const char *
msgcat_nget(const struct msgcat *c, const char *msgid, unsigned long n)
{
	long i = find(c, msgid);
	const char *s, *end;

	if (i < 0)
		return NULL;
	s = c->trans[i];
	end = s + c->translen[i];
	if (n != 1) {
		s += strlen(s) + 1;
		if (s >= end)
			return NULL;
	}
	return *s != '\0' ? s : NULL;
}

int
msgcat_pick(const char *accept, const char *const *langs, size_t n)
{
	const char *p = accept, *tag, *q;
	double best_q = -1, qv;
	int best = -1, idx;
	size_t taglen, i;

	if (accept == NULL)
		return -1;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		tag = p;
		while (isalpha((unsigned char)*p))
			p++;
		taglen = (size_t)(p - tag);
		while (*p != '\0' && *p != ',' && *p != ';')
			p++;
		qv = 1;
		if (*p == ';') {
			q = p + 1;
			while (*q == ' ')
				q++;
			if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=')
				qv = strtod(q + 2, NULL);
			while (*p != '\0' && *p != ',')
				p++;
		}
		if (taglen == 0 || qv <= 0 || qv <= best_q)
			continue;
		idx = -2;
		if (taglen == 2 && strncasecmp(tag, "en", 2) == 0)
			idx = -1;
		for (i = 0; i < n && idx == -2; i++) {
			if (strlen(langs[i]) == taglen && strncasecmp(tag, langs[i], taglen) == 0)
				idx = (int)i;
		}
		if (idx == -2)
			continue;
		best = idx;
		best_q = qv;
	}
	return best;
}

const struct msgcat *
msgcat_use(const struct msgcat *c)
{
	const struct msgcat *old = current;

	current = c;
	return old;
}

const struct msgcat *
msgcat_current(void)
{
	return current;
}

const char *
tr(const char *msgid)
{
	const char *s = msgcat_get(current, msgid);

	return s != NULL ? s : msgid;
}

const char *
trn(const char *msgid, const char *plural, unsigned long n)
{
	const char *s = msgcat_nget(current, msgid, n);

	return s != NULL ? s : n == 1 ? msgid : plural;
}
