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

#endif
