/* html.c: HTML written safely: escaping, the page shell, one style sheet, the security headers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "html.h"
#include "sha256.h"
#include "xmalloc.h"

/*
 * The one style sheet, inline so that a page needs nothing else; the CSP allows exactly
 * these bytes by their hash. No style="" attributes anywhere: the hash does not cover them.
 */
static const char css[] =
	":root{--done:#1b6e20;--late:#7a5a00;--ready:#0b57a4;--blocked:#5f5f5f;"
	"--overdue:#b3141c;--waived:#6a4a7a;--line:#c8c8c8;--ink:#1a1a1a}"
	"body{font:15px/1.4 system-ui,'DejaVu Sans',sans-serif;color:var(--ink);margin:0 1.5rem 2rem}"
	"header{border-bottom:1px solid var(--line);margin-bottom:1rem}"
	"nav a,nav span{margin-right:1rem}"
	"h1{font-size:1.4rem;margin:.8rem 0 .2rem}h2{font-size:1.15rem;margin:1.4rem 0 .4rem}"
	".sub{color:#4a4a4a;margin:0 0 .6rem}"
	".skip{position:absolute;left:-9999px}.skip:focus{left:1rem;top:.5rem;background:#fff}"
	".chart{overflow-x:auto;border:1px solid var(--line)}"
	"svg.tl{display:block}svg.tl text{font-size:12px;fill:var(--ink)}"
	"svg.tl .month{font-weight:600}svg.tl .wk{stroke:#e4e4e4}svg.tl .mo{stroke:#9a9a9a}"
	"svg.tl .band{fill:#f3f3f3}svg.tl .msrow{font-weight:600}"
	"svg.tl .today{stroke:#b3141c;stroke-width:2}svg.tl .todaylbl{fill:#b3141c;font-weight:600}"
	"svg.tl .win{fill-opacity:.35}svg.tl .nb{fill-opacity:.15;stroke-dasharray:3 2}"
	"svg.tl .dia{stroke:#fff;stroke-width:1}svg.tl .sym{font-weight:700}"
	"svg.tl .arrow{fill:none;stroke:#777;stroke-width:1}svg.tl .ah{fill:#777}"
	"svg.tl .crit .dia{stroke:#000;stroke-width:2.5}svg.tl .crit .win,svg.tl .crit .nb{stroke:#000}"
	"svg.tl a:focus{outline:none}svg.tl a:focus .hit,svg.tl a:hover .hit{fill:#fff4b0}"
	"svg.tl .hit{fill:transparent;stroke:none}svg.tl .crit text{font-weight:700}"
	".st-done{fill:var(--done);stroke:var(--done);color:var(--done)}"
	".st-done-late{fill:var(--late);stroke:var(--late);color:var(--late)}"
	".st-ready{fill:var(--ready);stroke:var(--ready);color:var(--ready)}"
	".st-blocked{fill:var(--blocked);stroke:var(--blocked);color:var(--blocked)}"
	".st-overdue{fill:var(--overdue);stroke:var(--overdue);color:var(--overdue)}"
	".st-waived{fill:var(--waived);stroke:var(--waived);color:var(--waived)}"
	"svg.tl text.sym{stroke:none}"
	".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1.2rem}"
	".legend .sym,td .sym{font-weight:700}"
	"table{border-collapse:collapse;margin:.4rem 0}th,td{border:1px solid var(--line);"
	"padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}"
	"tr.crit td{font-weight:600}td.num{text-align:right;white-space:nowrap}"
	"dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}"
	"dd{margin:0}.desc{white-space:pre-wrap;max-width:50rem}"
	"@media print{@page{size:A4 landscape;margin:10mm}body{margin:0;font-size:10pt}"
	"nav,.skip,.noprint{display:none}.chart{overflow:visible;border:0}"
	"svg.tl{max-width:100%;height:auto}a{color:inherit;text-decoration:none}}";

void
html_init(struct html *h)
{
	h->p = NULL;
	h->len = h->cap = 0;
}

void
html_free(struct html *h)
{
	free(h->p);
	html_init(h);
}

static void
room(struct html *h, size_t n)
{
	if (h->len + n + 1 <= h->cap)
		return;
	while (h->len + n + 1 > h->cap)
		h->cap = h->cap ? h->cap * 2 : 4096;
	h->p = xreallocarray(h->p, h->cap, 1);
}

static void
rawn(struct html *h, const char *s, size_t n)
{
	room(h, n);
	memcpy(h->p + h->len, s, n);
	h->len += n;
	h->p[h->len] = '\0';
}

char *
html_steal(struct html *h, size_t *len)
{
	char *p;

	room(h, 0);
	p = h->p;
	if (len != NULL)
		*len = h->len;
	html_init(h);
	return p;
}

void
html_raw(struct html *h, const char *s)
{
	rawn(h, s, strlen(s));
}

void
html_text(struct html *h, const char *s)
{
	const char *run = s, *rep;

	if (s == NULL)
		return;
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		rawn(h, run, (size_t)(s - run));
		html_raw(h, rep);
		run = s + 1;
	}
	rawn(h, run, (size_t)(s - run));
}

void
html_url(struct html *h, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			rawn(h, (const char *)&c, 1);
		else {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			rawn(h, e, 3);
		}
	}
}

/* A whole number in decimal, without snprintf (a page of 400 steps writes some 10,000). */
static void
put_long(struct html *h, long long v)
{
	char b[24], *p = b + sizeof(b);
	unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	rawn(h, p, (size_t)(b + sizeof(b) - p));
}

/*
 * printf, one conversion at a time: the literal runs are copied, a %s (or %c) is escaped,
 * any other conversion is handed to snprintf with its flags, width, precision and length.
 */
void
html_vput(struct html *h, const char *fmt, va_list ap)
{
	const char *p = fmt, *spec;
	char one[32], out[64], c[2];
	enum { L_NONE, L_H, L_L, L_LL, L_Z, L_J } lm;
	size_t n;

	while (*p != '\0') {
		if (*p != '%') {
			spec = strchr(p, '%');
			n = spec ? (size_t)(spec - p) : strlen(p);
			rawn(h, p, n);
			p += n;
			continue;
		}
		spec = p++;
		if (*p == '%') {
			rawn(h, "%", 1);
			p++;
			continue;
		}
		while (*p != '\0' && strchr("-+ #0123456789.*", *p) != NULL)
			p++;
		lm = L_NONE;
		if (*p == 'h') {
			lm = L_H;
			if (*++p == 'h')
				p++;
		} else if (*p == 'l') {
			lm = L_L;
			if (*++p == 'l') {
				lm = L_LL;
				p++;
			}
		} else if (*p == 'z') {
			lm = L_Z;
			p++;
		} else if (*p == 'j') {
			lm = L_J;
			p++;
		}
		n = (size_t)(p - spec) + 1;
		if (*p == '\0' || n >= sizeof(one) || memchr(spec, '*', n) != NULL)
			abort();	/* a format this does not take: a bug in the caller */
		memcpy(one, spec, n);
		one[n] = '\0';
		/* The plain %d of coordinates and counts, fast. */
		if (n == 2 && *p == 'd') {
			p++;
			put_long(h, va_arg(ap, int));
			continue;
		}
		switch (*p++) {
		case 's':
			html_text(h, va_arg(ap, const char *));
			continue;
		case 'c':
			c[0] = (char)va_arg(ap, int);
			c[1] = '\0';
			html_text(h, c);
			continue;
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
			if (lm == L_LL)
				snprintf(out, sizeof(out), one, va_arg(ap, long long));
			else if (lm == L_L)
				snprintf(out, sizeof(out), one, va_arg(ap, long));
			else if (lm == L_Z)
				snprintf(out, sizeof(out), one, va_arg(ap, size_t));
			else if (lm == L_J)
				snprintf(out, sizeof(out), one, va_arg(ap, intmax_t));
			else
				snprintf(out, sizeof(out), one, va_arg(ap, int));
			break;
		case 'f': case 'g': case 'e': {
			/* %f of a large number is long (1e300: 303 digits): as long as it takes. */
			double x = va_arg(ap, double);
			int len = snprintf(out, sizeof(out), one, x);
			char *big;

			if (len >= 0 && (size_t)len >= sizeof(out)) {
				big = xmalloc((size_t)len + 1);
				snprintf(big, (size_t)len + 1, one, x);
				html_raw(h, big);
				free(big);
				continue;
			}
			break;
		}
		default:
			abort();
		}
		html_raw(h, out);
	}
}

void
html_put(struct html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	html_vput(h, fmt, ap);
	va_end(ap);
}

void
html_begin(struct html *h, const char *lang, const char *title)
{
	html_put(h, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n"
	    /* No favicon request (a 404 in the console): an empty one. */
	    "<link rel=\"icon\" href=\"data:,\">\n<title>%s</title>\n<style>", lang, title);
	html_raw(h, css);
	html_raw(h, "</style>\n</head>\n<body>\n");
}

void
html_end(struct html *h)
{
	html_raw(h, "</body>\n</html>\n");
}

const char *
html_csp(void)
{
	static char csp[256];
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char d[33];
	char h[45];
	size_t i, o = 0;

	if (csp[0] != '\0')
		return csp;
	sha256(css, strlen(css), d);
	d[32] = 0;
	for (i = 0; i < 33; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];

		h[o++] = b64[(v >> 18) & 63];
		h[o++] = b64[(v >> 12) & 63];
		h[o++] = b64[(v >> 6) & 63];
		h[o++] = b64[v & 63];
	}
	h[43] = '=';	/* 32 bytes: 43 characters and one pad */
	h[44] = '\0';
	snprintf(csp, sizeof(csp), "default-src 'none'; style-src 'sha256-%s'; img-src data:; "
	    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'", h);
	return csp;
}

void
html_headers(struct evkeyvalq *hd, int private)
{
	evhttp_add_header(hd, "Content-Type", "text/html; charset=utf-8");
	evhttp_add_header(hd, "Content-Security-Policy", html_csp());
	evhttp_add_header(hd, "X-Frame-Options", "DENY");
	evhttp_add_header(hd, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(hd, "Referrer-Policy", "no-referrer");
	evhttp_add_header(hd, "Cross-Origin-Opener-Policy", "same-origin");
	evhttp_add_header(hd, "Cache-Control", private ? "private, no-store" : "no-cache");
}
