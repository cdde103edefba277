/* act.h: the acting pages: signing in and out, a person's steps with their forms, and the
 * confirmation page of a reminder's "done" link. */
#ifndef TERMIJN_ACT_H
#define TERMIJN_ACT_H

struct evhttp_request;
struct termijnd;

/* Answer req when path is one of these pages' (1); 0: not theirs. */
int	act_dispatch(struct termijnd *, struct evhttp_request *, const char *path);

#endif
