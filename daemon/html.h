/* html.h: writing HTML safely (pure): a growing buffer, escaping, the page shell and the
 * security headers every page is sent with. */
#ifndef TERMIJN_HTML_H
#define TERMIJN_HTML_H

#include <stdarg.h>
#include <stddef.h>

struct evkeyvalq;

struct html {
	char	*p;
	size_t	 len, cap;
};

void	 html_init(struct html *);
void	 html_free(struct html *);
/* The bytes, NUL-terminated, for the caller to free; h is empty after. */
char	*html_steal(struct html *, size_t *len);

/* Markup written in the code: string literals only, never data. */
void	 html_raw(struct html *, const char *);
/* Text or an attribute value: & < > " ' escaped, so it can never end a tag or a quote. */
void	 html_text(struct html *, const char *);
/*
 * Markup with data: printf's conversions, but every %s is escaped as html_text does, and
 * %c too; numbers are written as printf would. The format itself is markup (a literal).
 */
void	 html_put(struct html *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	 html_vput(struct html *, const char *fmt, va_list);
/* A query value: percent-encoded but for A-Z a-z 0-9 - . _ ~ (safe in an attribute). */
void	 html_url(struct html *, const char *);

/*
 * The page around a body: doctype, <html lang>, <head> with the title and the one shared
 * style sheet, <body>. html_end closes it. lang: "nl", "en".
 */
void	 html_begin(struct html *, const char *lang, const char *title);
void	 html_end(struct html *);

/* The Content-Security-Policy of every page: no script at all, the style sheet by its hash. */
const char *html_csp(void);
/* The headers of an HTML answer (type, CSP, framing, sniffing, referrer, caching). private:
 * a page for one reader (a token's or a session's): not stored by any cache. */
void	 html_headers(struct evkeyvalq *, int private);

#endif
