/* web.h: the HTML pages on the HTTP listener (read-only views reached by a feed's token). */
#ifndef TERMIJN_WEB_H
#define TERMIJN_WEB_H

struct evhttp_request;
struct html;
struct termijnd;

/* Answer req when path is one of the pages' (1); 0: not theirs, for feeds.c to answer. */
int	web_dispatch(struct termijnd *, struct evhttp_request *, const char *path);
/* Send a page (html.c's buffer, emptied) with the headers of every page. */
void	web_send(struct evhttp_request *, int code, const char *reason, struct html *);

#endif
