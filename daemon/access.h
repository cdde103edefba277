/* access.h: personal access tokens, login codes, and who a request on the HTTP listener is. */
#ifndef TERMIJN_ACCESS_H
#define TERMIJN_ACCESS_H

#include <event2/http.h>

struct termijnd;
struct actor;
struct request;

int	 access_start(struct termijnd *);
void	 access_stop(struct termijnd *);
/* A request for /api/v1/ on the HTTP listener: authenticate it, then route it as the person. */
void	 access_http(struct termijnd *, struct evhttp_request *);
/* GET /api/v1/access, and the POSTs of access and login (kind from request.h). */
void	 access_list(struct termijnd *, struct evhttp_request *, const struct actor *);
void	 access_post(struct termijnd *, struct evhttp_request *, int kind, const struct request *,
	    const struct actor *);

#endif
