/* access.h: personal access tokens, login codes, and who a request on the HTTP listener is. */
#ifndef TERMIJN_ACCESS_H
#define TERMIJN_ACCESS_H

#include <stdint.h>

#include <event2/http.h>

struct termijnd;
struct actor;
struct request;

int	 access_start(struct termijnd *);
void	 access_stop(struct termijnd *);
/* A request for /api/v1/ on the HTTP listener: authenticate it, then route it as the person. */
void	 access_http(struct termijnd *, struct evhttp_request *);
/* GET /api/v1/access, and the POSTs of access and login (kind from request.h). */
void	 access_list(struct termijnd *, struct evhttp_request *, const struct actor *,
	    long limit, int64_t from);
void	 access_post(struct termijnd *, struct evhttp_request *, int kind, const struct request *,
	    const struct actor *);
/*
 * Who sent a request on the HTTP listener, as the trusted proxies tell: the client's
 * address, and whether a secret may travel (HTTPS up to a trusted proxy, or loopback).
 */
void	 access_client(struct termijnd *, struct evhttp_request *, char *addr, size_t len,
	    int *https, int *secure);
/* The first plan that names the person (a role, or by address as coordinator or overrider). */
struct pstate *access_person_plan(struct termijnd *, const char *addr);
/* Two SHA-256 hashes compared in constant time. */
int	 access_hash_equal(const unsigned char *, const unsigned char *);
/* A new secret: 32 characters of base64url (192 bits), from getrandom. */
void	 access_random_token(char out[33]);
/* The failed attempts of an address: the seconds it must wait (0: it may try); fail first
 * counts one more. */
int	 access_limited(struct termijnd *, const char *addr, int fail);

#endif
