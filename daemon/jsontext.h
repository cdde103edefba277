/* jsontext.h: a JSON value as compact text, what json_dumps(JSON_COMPACT) writes. */
#ifndef JSONTEXT_H
#define JSONTEXT_H

#include <stddef.h>

#include <jansson.h>

/*
 * The text of an object or an array, byte for byte as json_dumps(j, JSON_COMPACT) gives it
 * (keys in their order, strings escaped as jansson escapes them), in a fraction of its
 * instructions: every answer of the API goes through here. NULL where json_dumps gives
 * NULL: not an object or array, a string that is not UTF-8, or nesting past
 * JSONTEXT_DEPTH. The text is the caller's (free); *len is its length.
 */
#define JSONTEXT_DEPTH	2048

char	*jsontext_compact(const json_t *j, size_t *len);

/*
 * The same text written as it is made, without a tree: for answers made often (a `done`).
 * A writer made with jsonw_tree sets the fields on a jansson object instead (no nesting),
 * so that one function can make an object either way. Keys are written as given (the
 * program's own, with nothing to escape); a NULL string is null, and one that is not UTF-8
 * is left out, as the tree leaves it out (json_string refuses it). jsonw_end gives the
 * text (the caller's), or NULL if the containers were not closed.
 */
struct jsontext_buf {
	char	*p;
	size_t	 len, cap;
};

struct jsonw {
	struct jsontext_buf b;
	json_t	*obj;		/* jsonw_tree: the fields go here */
	int	 comma, depth, bad;
};

void	 jsonw_text(struct jsonw *);
void	 jsonw_tree(struct jsonw *, json_t *obj);
/* A container, '{' or '[', as a field (key) or an element (key NULL). */
void	 jsonw_open(struct jsonw *, const char *key, char brace);
void	 jsonw_close(struct jsonw *, char brace);
void	 jsonw_str(struct jsonw *, const char *key, const char *s);
void	 jsonw_null(struct jsonw *, const char *key);
void	 jsonw_bool(struct jsonw *, const char *key, int v);
void	 jsonw_int(struct jsonw *, const char *key, json_int_t v);
char	*jsonw_end(struct jsonw *, size_t *len);

#endif
