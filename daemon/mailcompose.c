/* mailcompose.c: builds RFC 5322 reminder messages: headers, encoded words, MIME, templates (pure). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "xmalloc.h"
#include "mailcompose.h"
#include "sha256.h"

#define HDR_LINE_MAX	78	/* RFC 5322 2.1.1: SHOULD */
#define EW_MAX		75	/* RFC 2047 2: an encoded-word's length */
#define EW_OVERHEAD	12	/* "=?UTF-8?Q?" "?=" */
#define QP_LINE_MAX	76	/* RFC 2045 6.7, the soft break '=' included */
#define B64_LINE	76

static const char hexdig[] = "0123456789ABCDEF";
static const char b64dig[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* A growing string that knows the length of its current line. */
struct sbuf {
	char	*p;
	size_t	 len, cap;
	size_t	 col;
};

static void
sb_room(struct sbuf *sb, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		while (sb->len + n + 1 > sb->cap)
			sb->cap = sb->cap ? sb->cap * 2 : 1024;
		sb->p = xreallocarray(sb->p, sb->cap, 1);
	}
}

static void
sb_add(struct sbuf *sb, const char *s, size_t n)
{
	const char	*nl;

	sb_room(sb, n);
	memcpy(sb->p + sb->len, s, n);
	sb->len += n;
	sb->p[sb->len] = '\0';
	if ((nl = memrchr(s, '\n', n)) != NULL)
		sb->col = n - (size_t)(nl - s) - 1;
	else
		sb->col += n;
}

static void
sb_puts(struct sbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

/* A character at a time, as the bodies are encoded: without sb_add's search. */
static void
sb_putc(struct sbuf *sb, char c)
{
	sb_room(sb, 1);
	sb->p[sb->len++] = c;
	sb->p[sb->len] = '\0';
	sb->col = c == '\n' ? 0 : sb->col + 1;
}

static void
sb_hex(struct sbuf *sb, unsigned char c)
{
	char	e[3] = { '=', hexdig[c >> 4], hexdig[c & 0xf] };

	sb_add(sb, e, 3);
}

/* Base64 of s, in lines of linemax characters ended by CRLF when linemax > 0. */
static void
sb_base64(struct sbuf *sb, const unsigned char *s, size_t n, size_t linemax)
{
	char	q[4];
	size_t	i, out = 0;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = b64dig[(v >> 18) & 63];
		q[1] = b64dig[(v >> 12) & 63];
		q[2] = i + 1 < n ? b64dig[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? b64dig[v & 63] : '=';
		sb_add(sb, q, 4);
		out += 4;
		if (linemax > 0 && out % linemax == 0)
			sb_puts(sb, "\r\n");
	}
	if (linemax > 0 && out % linemax != 0)
		sb_puts(sb, "\r\n");
}

/* Length of a UTF-8 sequence from its first byte (the text is validated first). */
static size_t
utf8_seqlen(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return 4;
}

/* Well-formed UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t		i = 0, k, len;
	uint32_t	cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			len = 2;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			len = 3;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			len = 4;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* A header value must stay one line: that is what stops header injection. */
static int
check_value(const char *what, const char *s, char **cause)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n') {
			xasprintf(cause, "%s contains a line break", what);
			return -1;
		}
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
			xasprintf(cause, "%s contains a control character", what);
			return -1;
		}
	}
	if (!utf8_valid((const unsigned char *)s, strlen(s))) {
		xasprintf(cause, "%s is not valid UTF-8", what);
		return -1;
	}
	return 0;
}

static int
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static int
dot_atom_valid(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

int
mail_domain_valid(const char *d)
{
	size_t	i, label = 0, n = strlen(d);
	char	c;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i <= n; i++) {
		c = d[i];
		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || d[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (label == 0 && c == '-')
			return 0;
		label++;
	}
	return 1;
}

int
mail_addr_valid(const char *a)
{
	const char	*at;
	size_t		 local;

	if (a == NULL || (at = strchr(a, '@')) == NULL)
		return 0;
	local = at - a;
	/* RFC 5321 4.5.3.1: 64 for the local part, 256 for the path with "<>". */
	if (local > 64 || strlen(a) > 254)
		return 0;
	return dot_atom_valid(a, local) && mail_domain_valid(at + 1);
}

/* "<left@right>" with dot-atom sides, as RFC 5322 3.6.4 has it without the obsolete forms. */
static int
msgid_valid(const char *id)
{
	const char	*at;
	size_t		 n = strlen(id);

	if (n < 5 || n > 250 || id[0] != '<' || id[n - 1] != '>')
		return 0;
	if ((at = strchr(id, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	return dot_atom_valid(id + 1, at - id - 1) &&
	    dot_atom_valid(at + 1, id + n - 1 - (at + 1));
}

/*
 * Header writing. A token goes after one space; when it would not fit on the
 * line, the line is folded first (the CRLF goes before that space, so
 * unfolding gives back exactly the text).
 */
static void
hdr_token(struct sbuf *sb, const char *t, size_t n)
{
	if (sb->col > 0 && sb->col + 1 + n > HDR_LINE_MAX)
		sb_puts(sb, "\r\n");
	sb_putc(sb, ' ');
	sb_add(sb, t, n);
}

/* Q is safe in both phrases and text with only these left as they are (RFC 2047 5(3)). */
static int
q_literal(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '!' || c == '*' || c == '+' ||
	    c == '-' || c == '/' || c == ' ';
}

static size_t
q_len(unsigned char c)
{
	return q_literal(c) ? 1 : 3;
}

static size_t
b_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/*
 * The whole value as encoded-words, Q or B, whichever is shorter (as Python's
 * email does). Each word holds whole UTF-8 characters, is at most 75 octets,
 * and is placed so that no line passes 78; readers drop the folding white
 * space between adjacent encoded-words.
 */
static void
hdr_encoded(struct sbuf *sb, const char *value)
{
	const unsigned char	*s = (const unsigned char *)value;
	size_t			 len = strlen(value), i, n, k, clen, qsum, avail;
	size_t			 qtotal = 0;
	int			 b64;

	for (i = 0; i < len; i++)
		qtotal += q_len(s[i]);
	b64 = b_len(len) < qtotal;

	i = 0;
	while (i < len) {
		avail = sb->col + 1 < HDR_LINE_MAX ?
		    HDR_LINE_MAX - sb->col - 1 : 0;
		if (avail > EW_MAX)
			avail = EW_MAX;
		n = qsum = 0;
		while (i + n < len) {
			clen = utf8_seqlen(s[i + n]);
			if (i + n + clen > len)
				clen = len - i - n;
			for (k = 0; k < clen; k++)
				qsum += q_len(s[i + n + k]);
			if (EW_OVERHEAD + (b64 ? b_len(n + clen) : qsum) > avail)
				break;
			n += clen;
		}
		if (n == 0) {
			/* Not even one character fits here: a fresh line has room. */
			sb_puts(sb, "\r\n");
			continue;
		}
		sb_putc(sb, ' ');
		sb_puts(sb, b64 ? "=?UTF-8?B?" : "=?UTF-8?Q?");
		if (b64)
			sb_base64(sb, s + i, n, 0);
		else {
			for (k = i; k < i + n; k++) {
				if (s[k] == ' ')
					sb_putc(sb, '_');
				else if (q_literal(s[k]))
					sb_putc(sb, (char)s[k]);
				else
					sb_hex(sb, s[k]);
			}
		}
		sb_puts(sb, "?=");
		i += n;
	}
}

/*
 * Plain text can go as it is when it is printable ASCII that folds cleanly:
 * single spaces, none at the ends, no word too long and nothing a reader
 * could take for an encoded-word.
 */
static int
plain_ok(const char *s, size_t maxword)
{
	size_t	word = 0;

	if (s[0] == ' ' || strstr(s, "=?") != NULL)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < 0x20 || *s > 0x7e)
			return 0;
		if (*s == ' ') {
			if (s[1] == ' ' || s[1] == '\0')
				return 0;
			word = 0;
		} else if (++word > maxword)
			return 0;
	}
	return 1;
}

static void
hdr_text(struct sbuf *sb, const char *s)
{
	const char	*sp;

	if (!plain_ok(s, HDR_LINE_MAX - sb->col - 1)) {
		hdr_encoded(sb, s);
		return;
	}
	while (*s != '\0') {
		if ((sp = strchr(s, ' ')) == NULL)
			sp = s + strlen(s);
		hdr_token(sb, s, sp - s);
		s = *sp == ' ' ? sp + 1 : sp;
	}
}

/* name-addr or addr-spec: a quoted-string name when it is plain ASCII that fits. */
static void
hdr_mailbox(struct sbuf *sb, const char *name, const char *addr)
{
	struct sbuf	 q = { 0 };
	const char	*p;
	char		*a;
	int		 plain = 1;

	if (name != NULL && *name != '\0') {
		for (p = name; *p != '\0'; p++) {
			if (*p < 0x20 || *p > 0x7e)
				plain = 0;
		}
		if (strstr(name, "=?") != NULL)
			plain = 0;
		if (plain) {
			sb_putc(&q, '"');
			for (p = name; *p != '\0'; p++) {
				if (*p == '"' || *p == '\\')
					sb_putc(&q, '\\');
				sb_putc(&q, *p);
			}
			sb_putc(&q, '"');
		}
		if (plain && sb->col + 1 + q.len <= HDR_LINE_MAX)
			hdr_token(sb, q.p, q.len);
		else
			hdr_encoded(sb, name);
		free(q.p);
		xasprintf(&a, "<%s>", addr);
		hdr_token(sb, a, strlen(a));
		free(a);
	} else
		hdr_token(sb, addr, strlen(addr));
}

static int
hdr_date(struct sbuf *sb, int64_t date, int utc_offset, char **cause)
{
	static const char *days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	struct tm	 tm;
	time_t		 t;
	int		 off, aoff;
	char		 buf[64];

	if (utc_offset <= -86400 || utc_offset >= 86400) {
		xasprintf(cause, "UTC offset %d out of range", utc_offset);
		return -1;
	}
	/* Whole minutes only; the local time shown moves with it, so the instant stays right. */
	off = utc_offset / 60 * 60;
	t = (time_t)(date + off);
	if (date < 0 || date > INT64_C(253402300799) - 86400 ||
	    gmtime_r(&t, &tm) == NULL) {
		xasprintf(cause, "date out of range");
		return -1;
	}
	aoff = off < 0 ? -off : off;
	snprintf(buf, sizeof(buf), "Date: %s, %d %s %04d %02d:%02d:%02d %c%02d%02d\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
	    aoff / 3600, aoff / 60 % 60);
	sb_puts(sb, buf);
	return 0;
}

/*
 * Quoted-printable (RFC 2045 6.7) of UTF-8 text whose lines end in LF or CRLF;
 * every line, the last one too, ends in CRLF. Soft breaks never split a UTF-8
 * sequence, and a line-initial '.' is encoded so that no transport needs to
 * dot-stuff.
 */
static void
body_qp(struct sbuf *sb, const char *body)
{
	const unsigned char	*s = (const unsigned char *)body, *eol;
	size_t			 n, i, k, clen, need, col;
	char			*o;
	int			 lit;

	while (*s != '\0') {
		if ((eol = (const unsigned char *)strchr((const char *)s, '\n')) == NULL)
			eol = s + strlen((const char *)s);
		n = eol - s;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		/*
		 * Room for the whole line at once (3 an octet at most, and a soft break of 3
		 * after 21 octets at least), then written in place: a check an octet cost
		 * more than the encoding.
		 */
		sb_room(sb, 6 * n + 2);
		o = sb->p + sb->len;
		col = 0;
		for (i = 0; i < n; i += clen) {
			clen = 1;
			if (s[i] == ' ' || s[i] == '\t')
				lit = i + 1 < n;	/* none at the end of a line */
			else if (s[i] >= 0x80) {
				lit = 0;
				clen = utf8_seqlen(s[i]);
				if (clen > n - i)
					clen = n - i;
			} else
				lit = s[i] >= 33 && s[i] <= 126 && s[i] != '=';
			need = lit ? 1 : 3 * clen;
			/* Room for a soft break '=' unless this ends the line. */
			if (col + need > (i + clen < n ? QP_LINE_MAX - 1 : QP_LINE_MAX)) {
				memcpy(o, "=\r\n", 3);
				o += 3;
				col = 0;
			}
			if (lit && col == 0 && s[i] == '.') {
				lit = 0;
				need = 3;
			}
			if (lit)
				*o++ = (char)s[i];
			else {
				for (k = 0; k < clen; k++) {
					*o++ = '=';
					*o++ = hexdig[s[i + k] >> 4];
					*o++ = hexdig[s[i + k] & 0xf];
				}
			}
			col += need;
		}
		*o++ = '\r';
		*o++ = '\n';
		*o = '\0';
		sb->len = (size_t)(o - sb->p);
		sb->col = 0;
		s = *eol == '\n' ? eol + 1 : eol;
	}
}

/* The first 16 octets of SHA-256 of s, as 32 lower-case hex digits. */
static void
hash_hex(const char *s, char hex[33])
{
	static const char	 lower[] = "0123456789abcdef";
	unsigned char		 md[32];
	int			 i;

	sha256(s, strlen(s), md);
	for (i = 0; i < 16; i++) {
		hex[2 * i] = lower[md[i] >> 4];
		hex[2 * i + 1] = lower[md[i] & 0xf];
	}
	hex[32] = '\0';
}

char *
mail_message_id(const char *key, const char *domain)
{
	char	 hex[33], *id;

	if (!mail_domain_valid(domain))
		return NULL;
	hash_hex(key, hex);
	xasprintf(&id, "<%s@%s>", hex, domain);
	return id;
}

static int
ics_name_valid(const char *s)
{
	size_t	n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '.')
		return 0;
	for (; *s != '\0'; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-'))
			return 0;
	}
	return 1;
}

static int
msg_check(const struct mail_msg *m, char **cause)
{
	if (m->from == NULL || !mail_addr_valid(m->from)) {
		xasprintf(cause, "From address is missing or not a valid address");
		return -1;
	}
	if (m->to == NULL || !mail_addr_valid(m->to)) {
		xasprintf(cause, "To address is missing or not a valid address");
		return -1;
	}
	if (m->from_name != NULL && check_value("From name", m->from_name, cause) == -1)
		return -1;
	if (m->to_name != NULL && check_value("To name", m->to_name, cause) == -1)
		return -1;
	if (m->subject == NULL) {
		xasprintf(cause, "subject is missing");
		return -1;
	}
	if (check_value("subject", m->subject, cause) == -1)
		return -1;
	if (m->message_id == NULL || !msgid_valid(m->message_id)) {
		xasprintf(cause, "Message-ID is missing or not of the form <left@right>");
		return -1;
	}
	if (m->body != NULL &&
	    !utf8_valid((const unsigned char *)m->body, strlen(m->body))) {
		xasprintf(cause, "body is not valid UTF-8");
		return -1;
	}
	if (m->ics != NULL && m->ics_name != NULL && !ics_name_valid(m->ics_name)) {
		xasprintf(cause, "calendar file name may only hold letters, digits, '.', '_' and '-'");
		return -1;
	}
	return 0;
}

char *
mail_compose(const struct mail_msg *m, size_t *lenp, char **cause)
{
	struct sbuf	 sb = { 0 };
	const char	*body = m->body != NULL ? m->body : "";
	const char	*ics_name;
	char		 boundary[48], hex[33];

	if (msg_check(m, cause) == -1)
		return NULL;

	if (hdr_date(&sb, m->date, m->utc_offset, cause) == -1) {
		free(sb.p);
		return NULL;
	}
	sb_puts(&sb, "From:");
	hdr_mailbox(&sb, m->from_name, m->from);
	sb_puts(&sb, "\r\nTo:");
	hdr_mailbox(&sb, m->to_name, m->to);
	sb_puts(&sb, "\r\nSubject:");
	hdr_text(&sb, m->subject);
	sb_puts(&sb, "\r\nMessage-ID:");
	hdr_token(&sb, m->message_id, strlen(m->message_id));
	sb_puts(&sb, "\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n");

	if (m->ics == NULL) {
		sb_puts(&sb, "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: quoted-printable\r\n"
		    "\r\n");
		body_qp(&sb, body);
	} else {
		/* "=_" never occurs in quoted-printable or base64 text. */
		hash_hex(m->message_id, hex);
		snprintf(boundary, sizeof(boundary), "=_termijn_%s", hex);
		ics_name = m->ics_name != NULL ? m->ics_name : "termijn.ics";
		sb_puts(&sb, "Content-Type: multipart/mixed;\r\n boundary=\"");
		sb_puts(&sb, boundary);
		sb_puts(&sb, "\"\r\n\r\n--");
		sb_puts(&sb, boundary);
		sb_puts(&sb, "\r\nContent-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: quoted-printable\r\n"
		    "\r\n");
		body_qp(&sb, body);
		/* The CRLF before a delimiter belongs to it: keep the text's last line end. */
		sb_puts(&sb, "\r\n--");
		sb_puts(&sb, boundary);
		sb_puts(&sb, "\r\nContent-Type: text/calendar; charset=utf-8; method=PUBLISH;\r\n"
		    " name=\"");
		sb_puts(&sb, ics_name);
		sb_puts(&sb, "\"\r\nContent-Disposition: attachment; filename=\"");
		sb_puts(&sb, ics_name);
		sb_puts(&sb, "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
		sb_base64(&sb, (const unsigned char *)m->ics, strlen(m->ics),
		    B64_LINE);
		sb_puts(&sb, "--");
		sb_puts(&sb, boundary);
		sb_puts(&sb, "--\r\n");
	}
	if (lenp != NULL)
		*lenp = sb.len;
	return sb.p;
}

static int
is_namechar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

char *
mail_template_expand(const char *tmpl,
    const char *(*lookup)(const char *, void *), void *arg, char **cause)
{
	struct sbuf	 sb = { 0 };
	const char	*p = tmpl, *end, *val;
	char		*name;
	int		 line = 1;
	size_t		 i;

	sb_add(&sb, "", 0);	/* an empty template gives "", not NULL */
	while (*p != '\0') {
		if (p[0] == '{' && p[1] == '{') {
			sb_putc(&sb, '{');
			p += 2;
			continue;
		}
		if (p[0] == '}' && p[1] == '}') {
			sb_putc(&sb, '}');
			p += 2;
			continue;
		}
		if (*p == '}') {
			xasprintf(cause, _("line %d: lone '}' (write \"}}\" for a brace)"),
			    line);
			goto fail;
		}
		if (*p != '{') {
			if (*p == '\n')
				line++;
			sb_putc(&sb, *p++);
			continue;
		}
		if ((end = strchr(p + 1, '}')) == NULL ||
		    memchr(p + 1, '\n', end - p - 1) != NULL) {
			xasprintf(cause, _("line %d: '{' without '}' (write \"{{\" for a brace)"),
			    line);
			goto fail;
		}
		name = xstrndup(p + 1, end - p - 1);
		for (i = 0; name[i] != '\0' && is_namechar(name[i]); i++)
			;
		if (i == 0 || name[i] != '\0') {
			xasprintf(cause, _("line %d: bad placeholder name {%s}"),
			    line, name);
			free(name);
			goto fail;
		}
		if ((val = lookup(name, arg)) == NULL) {
			xasprintf(cause, _("line %d: unknown placeholder {%s}"),
			    line, name);
			free(name);
			goto fail;
		}
		free(name);
		sb_puts(&sb, val);
		p = end + 1;
	}
	return sb.p;

fail:
	free(sb.p);
	return NULL;
}
