/* test_mailcompose.c: the mail composer, checked by decoding what it writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailcompose.h"

/* 200 characters with é, ë, ï, ’, “ and ”: 213 octets of UTF-8. */
static const char dutch[] =
    "Herinnering: “Bestuursopdracht” – college van Zwartewaterland beslist "
    "vóór 17 december over ’één loket’; daarna worden raad, OR en personeel "
    "geïnformeerd over de financiële gevolgen en coördinatie (ë)";

static struct mail_msg
base_msg(void)
{
	struct mail_msg m;

	memset(&m, 0, sizeof(m));
	m.from = "termijn@staphorst.example";
	m.from_name = "Termijn";
	m.to = "secretaris@zwartewaterland.example";
	m.to_name = "Gemeentesecretaris";
	m.subject = "Herinnering: informeren personeel";
	m.body = "Goedemorgen,\n\nDit is een herinnering.\n";
	m.date = 1387440000;	/* 2013-12-19 08:00:00 UTC */
	m.utc_offset = 3600;
	m.message_id = "<0123abcd@termijn.example>";
	return m;
}

static size_t
utf8_chars(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t	i = 0, len, k;

	while (i < n) {
		if (s[i] < 0x80)
			len = 1;
		else if (s[i] >= 0xc2 && s[i] <= 0xdf)
			len = 2;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			len = 3;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			len = 4;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;	/* lower case is not allowed in what we write */
}

static int
b64val(int c)
{
	const char *d = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c != 0 ? strchr(d, c) : NULL;

	return p != NULL ? (int)(p - d) : -1;
}

/* Base64 into out (whitespace skipped); returns the length or -1. */
static long
b64_decode(const char *s, size_t n, unsigned char *out)
{
	uint32_t	v = 0;
	int		bits = 0, d;
	long		len = 0;
	size_t		i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r' || s[i] == '\n' || s[i] == '=')
			continue;
		if ((d = b64val((unsigned char)s[i])) < 0)
			return -1;
		v = v << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[len++] = (unsigned char)(v >> bits);
		}
	}
	return len;
}

/* Split header block and body; returns a copy of the header block. */
static char *
headers_of(const char *msg, const char **body)
{
	const char *sep = strstr(msg, "\r\n\r\n");

	assert_non_null(sep);
	*body = sep + 4;
	return strndup(msg, sep - msg + 2);
}

/* Every line of the header block ends in CRLF, is at most 78 octets, none bare CR or LF. */
static void
check_header_lines(const char *hdrs)
{
	const char *p = hdrs, *eol;

	while (*p != '\0') {
		eol = strstr(p, "\r\n");
		assert_non_null(eol);
		assert_true(eol - p <= 78);
		assert_null(memchr(p, '\n', eol - p));
		assert_null(memchr(p, '\r', eol - p));
		/* No line of only white space (RFC 5322 3.2.2). */
		assert_true(strspn(p, " \t") < (size_t)(eol - p));
		p = eol + 2;
	}
}

/* The unfolded value of a header field (first one named so), or NULL. */
static char *
header_get(const char *hdrs, const char *name)
{
	const char	*p = hdrs, *eol;
	size_t		 nl = strlen(name);
	char		*v, *w;

	for (; *p != '\0'; p = eol + 2) {
		eol = strstr(p, "\r\n");
		if (strncasecmp(p, name, nl) != 0 || p[nl] != ':')
			continue;
		p += nl + 1;
		while (eol[2] == ' ' || eol[2] == '\t')
			eol = strstr(eol + 2, "\r\n");
		v = strndup(p, eol - p);
		/* Unfold: drop each CRLF that precedes white space. */
		for (w = v; (w = strstr(w, "\r\n")) != NULL;)
			memmove(w, w + 2, strlen(w + 2) + 1);
		return v;
	}
	return NULL;
}

/* Decode one encoded-word starting at s ("=?UTF-8?Q?...?="); appends to out. */
static const char *
ew_decode(const char *s, unsigned char *out, size_t *outlen)
{
	const char	*text, *end;
	char		 enc;
	size_t		 start = *outlen, i;
	long		 n;

	assert_true(strncasecmp(s, "=?UTF-8?", 8) == 0);
	enc = s[8];
	assert_true(enc == 'Q' || enc == 'B');
	assert_int_equal(s[9], '?');
	text = s + 10;
	end = strstr(text, "?=");
	assert_non_null(end);
	assert_true(end + 2 - s <= 75);
	if (enc == 'B') {
		n = b64_decode(text, end - text, out + *outlen);
		assert_true(n >= 0);
		*outlen += n;
	} else {
		for (i = 0; text + i < end; i++) {
			if (text[i] == '_')
				out[(*outlen)++] = ' ';
			else if (text[i] == '=') {
				assert_true(hexval(text[i + 1]) >= 0 && hexval(text[i + 2]) >= 0);
				out[(*outlen)++] = (unsigned char)(hexval(text[i + 1]) * 16 +
				    hexval(text[i + 2]));
				i += 2;
			} else {
				/* Only the characters RFC 2047 5(3) allows in a phrase. */
				assert_true(strchr("!*+-/", text[i]) != NULL ||
				    (text[i] >= '0' && text[i] <= '9') ||
				    (text[i] >= 'a' && text[i] <= 'z') ||
				    (text[i] >= 'A' && text[i] <= 'Z'));
				out[(*outlen)++] = (unsigned char)text[i];
			}
		}
	}
	/* Each word stands on its own: no UTF-8 sequence is split. */
	assert_true(utf8_ok(out + start, *outlen - start));
	return end + 2;
}

/*
 * RFC 2047 decoding of an unfolded unstructured value: white space between
 * two adjacent encoded-words is dropped, everything else is kept.
 */
static char *
rfc2047_decode(const char *v, int *nwords)
{
	unsigned char	*out = calloc(1, strlen(v) * 3 + 1);
	size_t		 len = 0, ws;
	int		 prev_ew = 0;

	*nwords = 0;
	/* The one space after the colon is not part of the value. */
	if (*v == ' ')
		v++;
	while (*v != '\0') {
		ws = strspn(v, " \t");
		if (v[ws] == '=' && v[ws + 1] == '?') {
			if (prev_ew)
				assert_true(ws > 0);	/* words must be separated */
			else {
				memcpy(out + len, v, ws);
				len += ws;
			}
			v = ew_decode(v + ws, out, &len);
			(*nwords)++;
			prev_ew = 1;
			continue;
		}
		memcpy(out + len, v, ws + 1);
		len += ws + (v[ws] != '\0');
		v += ws + (v[ws] != '\0');
		prev_ew = 0;
	}
	out[len] = '\0';
	return (char *)out;
}

/* Quoted-printable to text with LF line ends, checking the encoding's rules. */
static char *
qp_decode(const char *s)
{
	const char *start = s;
	char	*out = calloc(1, strlen(s) + 1);
	size_t	 len = 0, col = 0, line = 0;
	int	 hi, lo;

	while (*s != '\0') {
		if (col == 0) {
			/* Each encoded line holds whole UTF-8 characters. */
			assert_true(utf8_ok((unsigned char *)out + line, len - line));
			line = len;
		}
		if (s[0] == '\r' && s[1] == '\n') {
			assert_true(col <= 76);
			/* No white space at the end of an encoded line. */
			assert_true(s == start || (s[-1] != ' ' && s[-1] != '\t'));
			out[len++] = '\n';
			s += 2;
			col = 0;
			continue;
		}
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
			assert_true(col + 1 <= 76);
			s += 3;
			col = 0;
			continue;
		}
		if (s[0] == '=') {
			hi = hexval(s[1]);
			lo = hexval(s[2]);
			assert_true(hi >= 0 && lo >= 0);
			out[len++] = (char)(hi * 16 + lo);
			s += 3;
			col += 3;
			continue;
		}
		assert_true((*s >= 33 && *s <= 126) || *s == ' ' || *s == '\t');
		/* A line never begins with a literal '.'. */
		assert_true(!(col == 0 && *s == '.'));
		out[len++] = *s++;
		col++;
	}
	assert_true(utf8_ok((unsigned char *)out + line, len - line));
	return out;
}

static void
test_headers(void **state)
{
	struct mail_msg	 m = base_msg();
	char		*msg, *cause = NULL, *hdrs, *v;
	const char	*body, *names[] = { "Date", "From", "To", "Subject",
	    "Message-ID", "MIME-Version", "Content-Type",
	    "Content-Transfer-Encoding", "Auto-Submitted" };
	size_t		 len, i;

	(void)state;
	msg = mail_compose(&m, &len, &cause);
	assert_non_null(msg);
	assert_null(cause);
	assert_int_equal(len, strlen(msg));
	hdrs = headers_of(msg, &body);
	check_header_lines(hdrs);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		v = header_get(hdrs, names[i]);
		assert_non_null(v);
		free(v);
	}
	v = header_get(hdrs, "Date");
	assert_string_equal(v, " Thu, 19 Dec 2013 09:00:00 +0100");
	free(v);
	v = header_get(hdrs, "From");
	assert_string_equal(v, " \"Termijn\" <termijn@staphorst.example>");
	free(v);
	v = header_get(hdrs, "To");
	assert_string_equal(v, " \"Gemeentesecretaris\" <secretaris@zwartewaterland.example>");
	free(v);
	v = header_get(hdrs, "Subject");
	assert_string_equal(v, " Herinnering: informeren personeel");
	free(v);
	v = header_get(hdrs, "Message-ID");
	assert_string_equal(v, " <0123abcd@termijn.example>");
	free(v);
	v = header_get(hdrs, "Auto-Submitted");
	assert_string_equal(v, " auto-generated");
	free(v);
	v = header_get(hdrs, "MIME-Version");
	assert_string_equal(v, " 1.0");
	free(v);
	v = header_get(hdrs, "Content-Type");
	assert_string_equal(v, " text/plain; charset=utf-8");
	free(v);
	v = header_get(hdrs, "Content-Transfer-Encoding");
	assert_string_equal(v, " quoted-printable");
	free(v);
	assert_string_equal(body, "Goedemorgen,\r\n\r\nDit is een herinnering.\r\n");
	/* No bare LF anywhere. */
	for (i = 0; i < len; i++)
		if (msg[i] == '\n')
			assert_true(i > 0 && msg[i - 1] == '\r');
	free(hdrs);
	free(msg);
}

static void
test_date(void **state)
{
	struct mail_msg	 m = base_msg();
	char		*msg, *cause = NULL;

	(void)state;
	m.utc_offset = -16200;	/* -04:30 */
	msg = mail_compose(&m, NULL, &cause);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "Date: Thu, 19 Dec 2013 03:30:00 -0430\r\n"));
	free(msg);
	m.date = 1372633200;	/* 2013-06-30 23:00:00 UTC, summer time */
	m.utc_offset = 7200;
	msg = mail_compose(&m, NULL, &cause);
	assert_non_null(strstr(msg, "Date: Mon, 1 Jul 2013 01:00:00 +0200\r\n"));
	free(msg);
	/* Seconds in an offset are dropped with the local time kept consistent. */
	m.date = 0;
	m.utc_offset = 1172;	/* +00:19:32, Amsterdam before 1937 */
	msg = mail_compose(&m, NULL, &cause);
	assert_non_null(strstr(msg, "Date: Thu, 1 Jan 1970 00:19:00 +0019\r\n"));
	free(msg);
	m.utc_offset = 86400;
	assert_null(mail_compose(&m, NULL, &cause));
	assert_non_null(cause);
	free(cause);
}

/* Compose with the given subject, check the lines and decode the subject back. */
static char *
subject_roundtrip(const char *subject, int *nwords)
{
	struct mail_msg	 m = base_msg();
	char		*msg, *cause = NULL, *hdrs, *v, *dec;
	const char	*body;

	m.subject = subject;
	msg = mail_compose(&m, NULL, &cause);
	assert_non_null(msg);
	hdrs = headers_of(msg, &body);
	check_header_lines(hdrs);
	v = header_get(hdrs, "Subject");
	assert_non_null(v);
	dec = rfc2047_decode(v, nwords);
	free(v);
	free(hdrs);
	free(msg);
	return dec;
}

static void
test_subject_dutch(void **state)
{
	char	*dec;
	int	 nwords;

	(void)state;
	assert_int_equal(utf8_chars(dutch), 200);
	dec = subject_roundtrip(dutch, &nwords);
	assert_string_equal(dec, dutch);
	assert_true(nwords > 1);
	free(dec);
}

static void
test_subject_other(void **state)
{
	/* Mostly non-ASCII: base64 is the shorter one. */
	const char	*heavy = "“’”“’”“’”“’”“’”“’”“’”“’”“’”“’”“’”“’”“’”“’”“’”“’”“’”“’” ëëëë";
	/* Long plain ASCII folds at spaces and stays as it is. */
	const char	*plain = "Reminder: the joint press release may go out now, all councils "
	    "and staff of Staphorst, Steenwijkerland and Zwartewaterland are informed";
	const char	*tricky[] = {
		"=?UTF-8?Q?not_a_word?=", " leading", "trailing ", "two  spaces",
		"a_b=c?d\t\"e\" <f> (g) 100%",
		"Éénwoordzonderspatiesdatveeltelangisomopéénregelteeindigenzelfsnahetvouwenvandekopregel",
		"𝄞 four-octet characters 𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞", "", "x",
	};
	char		*dec;
	int		 nwords;
	size_t		 i;

	(void)state;
	dec = subject_roundtrip(heavy, &nwords);
	assert_string_equal(dec, heavy);
	free(dec);
	dec = subject_roundtrip(plain, &nwords);
	assert_string_equal(dec, plain);
	assert_int_equal(nwords, 0);
	free(dec);
	for (i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
		dec = subject_roundtrip(tricky[i], &nwords);
		assert_string_equal(dec, tricky[i]);
		free(dec);
	}
}

static void
test_names(void **state)
{
	struct mail_msg	 m = base_msg();
	char		*msg, *cause = NULL, *hdrs, *v, *dec, *lt;
	const char	*body;
	int		 nwords;

	(void)state;
	m.from_name = "Gemeente Zwartewaterland – Secretariaat “Bestuursopdracht” ’s-Heerenbroek";
	m.to_name = "Team \"Bedrijfsvoering\" \\ Staphorst";
	msg = mail_compose(&m, NULL, &cause);
	assert_non_null(msg);
	hdrs = headers_of(msg, &body);
	check_header_lines(hdrs);
	v = header_get(hdrs, "From");
	lt = strrchr(v, '<');
	assert_non_null(lt);
	assert_string_equal(lt, "<termijn@staphorst.example>");
	lt[-1] = '\0';		/* drop " <addr>" */
	dec = rfc2047_decode(v, &nwords);
	assert_string_equal(dec, m.from_name);
	assert_true(nwords > 0);
	free(dec);
	free(v);
	v = header_get(hdrs, "To");
	assert_string_equal(v,
	    " \"Team \\\"Bedrijfsvoering\\\" \\\\ Staphorst\" <secretaris@zwartewaterland.example>");
	free(v);
	free(hdrs);
	free(msg);

	/* No name: a bare address. */
	m = base_msg();
	m.from_name = NULL;
	m.to_name = "";
	msg = mail_compose(&m, NULL, &cause);
	assert_non_null(strstr(msg, "\r\nFrom: termijn@staphorst.example\r\n"));
	assert_non_null(strstr(msg, "\r\nTo: secretaris@zwartewaterland.example\r\n"));
	free(msg);
}

static void
expect_refused(struct mail_msg *m, const char *word)
{
	char	*cause = NULL;

	assert_null(mail_compose(m, NULL, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, word));
	free(cause);
}

static void
test_injection(void **state)
{
	struct mail_msg	 m;
	const char	*evil = "Title\r\nBcc: x@y";

	(void)state;
	m = base_msg();
	m.subject = evil;
	expect_refused(&m, "subject");
	m.subject = "Title\nBcc: x@y";
	expect_refused(&m, "line break");
	m.subject = "Title\rBcc: x@y";
	expect_refused(&m, "line break");
	m.subject = "Title\x01";
	expect_refused(&m, "control");
	m.subject = "Titel \xc3";
	expect_refused(&m, "UTF-8");
	m.subject = "Overlong \xc0\xaf";
	expect_refused(&m, "UTF-8");
	m = base_msg();
	m.from_name = evil;
	expect_refused(&m, "From name");
	m = base_msg();
	m.to_name = evil;
	expect_refused(&m, "To name");
	m = base_msg();
	m.from = "a@b.example\r\nBcc: x@y";
	expect_refused(&m, "From address");
	m = base_msg();
	m.to = "a@b.example\r\nBcc: x@y";
	expect_refused(&m, "To address");
	m = base_msg();
	m.to = "a@b.example>\r\nRCPT TO:<x@y";
	expect_refused(&m, "To address");
	m = base_msg();
	m.message_id = "<a@b>\r\nBcc: x@y";
	expect_refused(&m, "Message-ID");
	m.message_id = "a@b";
	expect_refused(&m, "Message-ID");
	m = base_msg();
	m.body = "bad \xff byte";
	expect_refused(&m, "body");
	m = base_msg();
	m.ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
	m.ics_name = "x\"; y=.ics";
	expect_refused(&m, "calendar");
	m = base_msg();
	m.subject = NULL;
	expect_refused(&m, "subject");
}

static void
test_addr(void **state)
{
	const char	*good[] = {
		"a@b", "secretaris@zwartewaterland.example", "first.last+tag@sub.example.org",
		"x!#$%&'*+-/=?^_`{|}~@example.com", "root@localhost", "a@1-2.example",
	};
	const char	*bad[] = {
		"", "a", "@b", "a@", "a b@c", "a@b c", "<a@b>", "a@b>", "\"a\"@b",
		"a..b@c", ".a@b", "a.@b", "a@b..c", "a@.b", "a@b.", "a@-b", "a@b-",
		"a@b_c", "a@[127.0.0.1]", "a@b@c", "a\r@b", "a@b\n", "é@b", "a@bé",
		"a@b\r\nBcc: c@d",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b",
		"a@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.c",
	};
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!mail_addr_valid(good[i]))
			fail_msg("refused %s", good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mail_addr_valid(bad[i]))
			fail_msg("accepted %s", bad[i]);
	}
	assert_false(mail_addr_valid(NULL));
	assert_true(mail_domain_valid("termijn.example"));
	assert_false(mail_domain_valid("termijn..example"));
}

static void
test_message_id(void **state)
{
	char	*a, *b, *c;

	(void)state;
	/* SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223 b00361a3... */
	a = mail_message_id("abc", "termijn.example");
	assert_string_equal(a, "<ba7816bf8f01cfea414140de5dae2223@termijn.example>");
	free(a);
	/* Two blocks of padding: 56 octets. */
	a = mail_message_id("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "x.example");
	assert_string_equal(a, "<248d6a61d20638b8e5c026930c3e6039@x.example>");
	free(a);
	a = mail_message_id("bedrijfsvoering/informeren@staphorst/due-1d/1387440000/a@b",
	    "termijn.example");
	b = mail_message_id("bedrijfsvoering/informeren@staphorst/due-1d/1387440000/a@b",
	    "termijn.example");
	c = mail_message_id("bedrijfsvoering/informeren@staphorst/due-1d/1387440000/c@d",
	    "termijn.example");
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	free(a);
	free(b);
	free(c);
	assert_null(mail_message_id("k", "bad domain"));
	assert_null(mail_message_id("k", ""));
}

struct kv {
	const char	*k, *v;
};

static const char *
kv_lookup(const char *name, void *arg)
{
	const struct kv	*kv;

	for (kv = arg; kv->k != NULL; kv++)
		if (strcmp(kv->k, name) == 0)
			return kv->v;
	return NULL;
}

static void
test_template(void **state)
{
	struct kv	 kv[] = {
		{ "titel", "Personeel geïnformeerd" },
		{ "deadline", "donderdag 19 december 2013 09:00" },
		{ "party.name", "Staphorst" },
		{ "empty", "" },
		{ "brace", "{titel}" },
		{ NULL, NULL },
	};
	char		*out, *cause = NULL;

	(void)state;
	out = mail_template_expand("Herinnering: {titel} ({party.name})\n"
	    "Uiterlijk {deadline}.{empty}\n{{letterlijk}} {brace}\n", kv_lookup, kv, &cause);
	assert_non_null(out);
	assert_string_equal(out, "Herinnering: Personeel geïnformeerd (Staphorst)\n"
	    "Uiterlijk donderdag 19 december 2013 09:00.\n{letterlijk} {titel}\n");
	free(out);
	out = mail_template_expand("", kv_lookup, kv, &cause);
	assert_string_equal(out, "");
	free(out);

	assert_null(mail_template_expand("a\nb {titel}\n{onbekend} c", kv_lookup, kv, &cause));
	assert_string_equal(cause, "line 3: unknown placeholder {onbekend}");
	free(cause);
	assert_null(mail_template_expand("x {titel", kv_lookup, kv, &cause));
	assert_non_null(strstr(cause, "line 1"));
	free(cause);
	assert_null(mail_template_expand("x {tit\nel}", kv_lookup, kv, &cause));
	assert_non_null(cause);
	free(cause);
	assert_null(mail_template_expand("{}", kv_lookup, kv, &cause));
	assert_non_null(strstr(cause, "bad placeholder"));
	free(cause);
	assert_null(mail_template_expand("{a b}", kv_lookup, kv, &cause));
	assert_non_null(strstr(cause, "{a b}"));
	free(cause);
	assert_null(mail_template_expand("x } y", kv_lookup, kv, &cause));
	assert_non_null(strstr(cause, "'}'"));
	free(cause);
}

static void
test_qp_body(void **state)
{
	struct mail_msg	 m = base_msg();
	char		*msg, *cause = NULL, *dec, *hdrs, *want, *p;
	const char	*body;
	char		 longline[1200];
	size_t		 i;

	(void)state;
	/* A 1000-octet line of mixed text, '=' and accents, then edge cases. */
	longline[0] = '\0';
	for (i = 0; strlen(longline) < 1000; i++)
		strcat(longline, i % 3 == 0 ? "één=twee " : i % 3 == 1 ? "coördinatie\t" : "x");
	if (asprintf(&p, "Goedemorgen,\r\n%s\n"
	    "trailing space \n"
	    "trailing tab\t\r\n"
	    ".starts with a dot\n"
	    "From the start\n"
	    "\n"
	    "a=b 100%% \xe2\x80\x9cquoted\xe2\x80\x9d\n"
	    "lone\rcr\n"
	    "%075d\n%076d\n%077d\n"
	    "no final newline", longline, 0, 0, 0) < 0)
		fail();
	m.body = p;
	msg = mail_compose(&m, NULL, &cause);
	assert_non_null(msg);
	hdrs = headers_of(msg, &body);
	dec = qp_decode(body);
	/* Expected: LF line ends, a final line end added. */
	want = strdup(p);
	for (i = 0; want[i] != '\0'; i++) {
		if (want[i] == '\r' && want[i + 1] == '\n')
			memmove(want + i, want + i + 1, strlen(want + i));
	}
	{
		char *w2;

		if (asprintf(&w2, "%s\n", want) < 0)
			fail();
		free(want);
		want = w2;
	}
	assert_string_equal(dec, want);
	free(dec);
	free(want);
	free(hdrs);
	free(msg);
	free(p);

	/* An empty body and a NULL body are both fine. */
	m.body = "";
	msg = mail_compose(&m, NULL, &cause);
	assert_non_null(msg);
	assert_int_equal(strcmp(msg + strlen(msg) - 4, "\r\n\r\n"), 0);
	free(msg);
	m.body = NULL;
	msg = mail_compose(&m, NULL, &cause);
	assert_non_null(msg);
	free(msg);
}

static void
test_ics(void **state)
{
	struct mail_msg	 m = base_msg();
	const char	*ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//termijn//NL\r\n"
	    "METHOD:PUBLISH\r\nBEGIN:VEVENT\r\nSUMMARY:Personeel geïnformeerd\r\n"
	    "END:VEVENT\r\nEND:VCALENDAR\r\n";
	char		*msg, *msg2, *cause = NULL, *hdrs, *v, *dec, boundary[80], delim[90];
	const char	*body, *p, *q, *part2, *hdr;
	unsigned char	 out[1024];
	long		 n;

	(void)state;
	m.ics = ics;
	m.ics_name = "bedrijfsvoering.ics";
	msg = mail_compose(&m, NULL, &cause);
	assert_non_null(msg);
	hdrs = headers_of(msg, &body);
	check_header_lines(hdrs);
	v = header_get(hdrs, "Content-Type");
	p = strstr(v, "boundary=\"");
	assert_non_null(p);
	assert_non_null(strstr(v, "multipart/mixed;"));
	p += 10;
	q = strchr(p, '"');
	snprintf(boundary, sizeof(boundary), "%.*s", (int)(q - p), p);
	free(v);
	assert_true(strlen(boundary) <= 70);
	snprintf(delim, sizeof(delim), "--%s\r\n", boundary);
	assert_true(strncmp(body, delim, strlen(delim)) == 0);

	/* The text part: its own headers, then QP text that keeps its last line end. */
	p = body + strlen(delim);
	hdr = "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
	assert_true(strncmp(p, hdr, strlen(hdr)) == 0);
	p += strlen(hdr);
	snprintf(delim, sizeof(delim), "\r\n--%s\r\n", boundary);
	part2 = strstr(p, delim);
	assert_non_null(part2);
	v = strndup(p, part2 - p);
	dec = qp_decode(v);
	assert_string_equal(dec, "Goedemorgen,\n\nDit is een herinnering.\n");
	free(dec);
	free(v);

	/* The calendar part. */
	p = part2 + strlen(delim);
	assert_non_null(strstr(p, "Content-Type: text/calendar; charset=utf-8; method=PUBLISH;\r\n"
	    " name=\"bedrijfsvoering.ics\"\r\n"));
	assert_non_null(strstr(p, "Content-Disposition: attachment; filename=\"bedrijfsvoering.ics\"\r\n"));
	assert_non_null(strstr(p, "Content-Transfer-Encoding: base64\r\n"));
	p = strstr(p, "\r\n\r\n") + 4;
	snprintf(delim, sizeof(delim), "--%s--\r\n", boundary);
	q = strstr(p, delim);
	assert_non_null(q);
	assert_string_equal(q, delim);	/* the close delimiter ends the message */
	for (v = (char *)p; v < q; v = strstr(v, "\r\n") + 2)
		assert_true(strstr(v, "\r\n") - v <= 76);
	n = b64_decode(p, q - p, out);
	assert_int_equal(n, (long)strlen(ics));
	assert_memory_equal(out, ics, n);

	/* The same input gives the same bytes. */
	msg2 = mail_compose(&m, NULL, &cause);
	assert_string_equal(msg, msg2);
	free(msg2);
	free(hdrs);
	free(msg);

	m.ics_name = NULL;
	msg = mail_compose(&m, NULL, &cause);
	assert_non_null(strstr(msg, "filename=\"termijn.ics\""));
	free(msg);
}

static void
test_long_fields(void **state)
{
	struct mail_msg	 m = base_msg();
	char		*msg, *cause = NULL, *hdrs, *v;
	const char	*body;
	char		*id;

	(void)state;
	/* A long domain puts the Message-ID on a continuation line. */
	id = mail_message_id("k", "mail.gemeente-zwartewaterland.example");
	m.message_id = id;
	m.from_name = "A plain ASCII display name that is long enough to need encoded words";
	m.to_name = "An even longer plain ASCII display name, too long for one line with the From";
	msg = mail_compose(&m, NULL, &cause);
	assert_non_null(msg);
	hdrs = headers_of(msg, &body);
	check_header_lines(hdrs);
	v = header_get(hdrs, "Message-ID");
	assert_string_equal(v + 1, id);
	free(v);
	free(hdrs);
	free(msg);
	free(id);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_subject_dutch),
		cmocka_unit_test(test_subject_other),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_message_id),
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_qp_body),
		cmocka_unit_test(test_ics),
		cmocka_unit_test(test_long_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
