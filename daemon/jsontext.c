/* jsontext.c: compact JSON text of a jansson value, without jansson's per-value costs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsontext.h"
#include "xmalloc.h"

/*
 * Why not json_dumps: for each object and array it formats the container's address with
 * snprintf to check for loops, and it writes through a callback a piece at a time; for a
 * `done` answer (1.3 kB) that was 80,000 instructions, a third of the request. Our values
 * are trees built per answer, so there are no loops to find; the depth is bounded instead.
 */

static void
sb_room(struct jsontext_buf *b, size_t n)
{
	if (b->len + n < b->cap)
		return;
	while (b->len + n >= b->cap)
		b->cap = b->cap ? b->cap * 2 : 1024;
	b->p = xreallocarray(b->p, b->cap, 1);
}

static void
sb_add(struct jsontext_buf *b, const char *s, size_t n)
{
	sb_room(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
sb_char(struct jsontext_buf *b, char c)
{
	sb_room(b, 1);
	b->p[b->len++] = c;
}

/* Length of the UTF-8 sequence at s (n bytes left), 0 if it is not one (as jansson's utf.c). */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t k, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2)
		return 0;	/* a continuation byte, or an overlong 2-byte form */
	if (s[0] < 0xe0) {
		k = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] < 0xf0) {
		k = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] <= 0xf4) {
		k = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

static int
put_string(struct jsontext_buf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0, k;
	char esc[6];

	sb_char(b, '"');
	while (i < n) {
		if (s[i] >= 0x20 && s[i] != '"' && s[i] != '\\' && s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0x80) {
			if ((k = utf8_len(s + i, n - i)) == 0)
				return -1;
			i += k;
			continue;
		}
		sb_add(b, str + run, i - run);
		switch (s[i]) {
		case '"':
			sb_add(b, "\\\"", 2);
			break;
		case '\\':
			sb_add(b, "\\\\", 2);
			break;
		case '\b':
			sb_add(b, "\\b", 2);
			break;
		case '\f':
			sb_add(b, "\\f", 2);
			break;
		case '\n':
			sb_add(b, "\\n", 2);
			break;
		case '\r':
			sb_add(b, "\\r", 2);
			break;
		case '\t':
			sb_add(b, "\\t", 2);
			break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[s[i] >> 4];
			esc[5] = hex[s[i] & 0xf];
			sb_add(b, esc, 6);
			break;
		}
		run = ++i;
	}
	sb_add(b, str + run, n - run);
	sb_char(b, '"');
	return 0;
}

static void
put_integer(struct jsontext_buf *b, json_int_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	/* Through unsigned: the most negative value has no positive one. */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	sb_add(b, p, (size_t)(buf + sizeof(buf) - p));
}

/* As jansson's jsonp_dtostr: 17 digits, a ".0" when it would read as an integer, no '+'. */
static void
put_real(struct jsontext_buf *b, double v)
{
	char buf[64], *start, *end;
	size_t len;

	len = (size_t)snprintf(buf, sizeof(buf) - 3, "%.17g", v);
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
		memcpy(buf + len, ".0", 3);
		len += 2;
	}
	if ((start = strchr(buf, 'e')) != NULL) {
		start++;
		end = start + 1;
		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, len - (size_t)(end - buf) + 1);
			len -= (size_t)(end - start);
		}
	}
	sb_add(b, buf, len);
}

static int
put_value(struct jsontext_buf *b, const json_t *j, int depth)
{
	const char *key;
	json_t *v;
	size_t klen, i;
	int first = 1;

	if (depth > JSONTEXT_DEPTH)
		return -1;
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		sb_char(b, '{');
		json_object_keylen_foreach((json_t *)j, key, klen, v) {
			if (!first)
				sb_char(b, ',');
			first = 0;
			if (put_string(b, key, klen) == -1)
				return -1;
			sb_char(b, ':');
			if (put_value(b, v, depth + 1) == -1)
				return -1;
		}
		sb_char(b, '}');
		return 0;
	case JSON_ARRAY:
		sb_char(b, '[');
		for (i = 0; i < json_array_size(j); i++) {
			if (i > 0)
				sb_char(b, ',');
			if (put_value(b, json_array_get(j, i), depth + 1) == -1)
				return -1;
		}
		sb_char(b, ']');
		return 0;
	case JSON_STRING:
		return put_string(b, json_string_value(j), json_string_length(j));
	case JSON_INTEGER:
		put_integer(b, json_integer_value(j));
		return 0;
	case JSON_REAL:
		put_real(b, json_real_value(j));
		return 0;
	case JSON_TRUE:
		sb_add(b, "true", 4);
		return 0;
	case JSON_FALSE:
		sb_add(b, "false", 5);
		return 0;
	case JSON_NULL:
		sb_add(b, "null", 4);
		return 0;
	}
	return -1;
}

char *
jsontext_compact(const json_t *j, size_t *len)
{
	struct jsontext_buf b = { NULL, 0, 0 };

	if (j == NULL || (!json_is_object(j) && !json_is_array(j)) ||
	    put_value(&b, j, 0) == -1) {
		free(b.p);
		return NULL;
	}
	sb_char(&b, '\0');
	if (len != NULL)
		*len = b.len - 1;
	return b.p;
}

void
jsonw_text(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
}

void
jsonw_tree(struct jsonw *w, json_t *obj)
{
	memset(w, 0, sizeof(*w));
	w->obj = obj;
}

/* The comma and the key before a value; keys are the program's, with nothing to escape. */
static void
w_key(struct jsonw *w, const char *key)
{
	size_t n = key != NULL ? strlen(key) : 0;
	char *p;

	sb_room(&w->b, n + 4);
	p = w->b.p + w->b.len;
	if (w->comma)
		*p++ = ',';
	if (key != NULL) {
		*p++ = '"';
		memcpy(p, key, n);
		p += n;
		*p++ = '"';
		*p++ = ':';
	}
	w->b.len = (size_t)(p - w->b.p);
	w->comma = 1;
}

void
jsonw_open(struct jsonw *w, const char *key, char brace)
{
	if (w->obj != NULL || (brace != '{' && brace != '[')) {
		w->bad = 1;
		return;
	}
	w_key(w, key);
	sb_add(&w->b, &brace, 1);
	w->comma = 0;
	w->depth++;
}

void
jsonw_close(struct jsonw *w, char brace)
{
	if (w->obj != NULL || w->depth == 0 || (brace != '}' && brace != ']')) {
		w->bad = 1;
		return;
	}
	sb_add(&w->b, &brace, 1);
	w->comma = 1;
	w->depth--;
}

void
jsonw_str(struct jsonw *w, const char *key, const char *s)
{
	size_t len;
	int comma;

	if (w->obj != NULL) {
		json_object_set_new(w->obj, key, s != NULL ? json_string(s) : json_null());
		return;
	}
	if (s == NULL) {
		jsonw_null(w, key);
		return;
	}
	len = w->b.len;
	comma = w->comma;
	w_key(w, key);
	/* As the tree would have it: json_string refuses it, and the field is left out. */
	if (put_string(&w->b, s, strlen(s)) == -1) {
		w->b.len = len;
		w->comma = comma;
	}
}

void
jsonw_null(struct jsonw *w, const char *key)
{
	if (w->obj != NULL) {
		json_object_set_new(w->obj, key, json_null());
		return;
	}
	w_key(w, key);
	sb_add(&w->b, "null", 4);
}

void
jsonw_bool(struct jsonw *w, const char *key, int v)
{
	if (w->obj != NULL) {
		json_object_set_new(w->obj, key, json_boolean(v));
		return;
	}
	w_key(w, key);
	sb_add(&w->b, v ? "true" : "false", v ? 4 : 5);
}

void
jsonw_int(struct jsonw *w, const char *key, json_int_t v)
{
	if (w->obj != NULL) {
		json_object_set_new(w->obj, key, json_integer(v));
		return;
	}
	w_key(w, key);
	put_integer(&w->b, v);
}

char *
jsonw_end(struct jsonw *w, size_t *len)
{
	char *text;

	if (w->obj != NULL || w->bad || w->depth != 0 || w->b.len == 0) {
		free(w->b.p);
		memset(w, 0, sizeof(*w));
		return NULL;
	}
	sb_add(&w->b, "", 1);
	if (len != NULL)
		*len = w->b.len - 1;
	text = w->b.p;
	memset(w, 0, sizeof(*w));
	return text;
}
