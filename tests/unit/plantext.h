/*
 * plantext.h: a plan text parsed for a unit test, with its errors on stderr, and an
 * instance's index found or the test failed. Include after <cmocka.h> and "plan.h".
 */
#ifndef PLANTEXT_H
#define PLANTEXT_H

#include <stdio.h>
#include <string.h>

/* The plan of text, named as from the file name (NULL when its errors stop it). */
static inline struct plan *
plantext_parse(const char *name, const char *text)
{
	struct errlist e = { 0 };
	struct plan *p = plan_parse(name, text, strlen(text), &e);
	size_t i;

	for (i = 0; i < e.n; i++)
		fprintf(stderr, "%s\n", e.msg[i]);
	errlist_free(&e);
	return p;
}

/* The plan of a text that must parse: the test fails here when it does not. */
static inline struct plan *
plantext_good(const char *name, const char *text)
{
	struct plan *p = plantext_parse(name, text);

	if (p == NULL)
		fail_msg("the plan text should parse");
	return p;
}

/* The index of key's instance in p: the test fails here when p has none by that key. */
static inline size_t
plantext_idx(const struct plan *p, const char *key)
{
	const struct instance *in = plan_instance(p, key);

	if (in == NULL)
		fail_msg("no instance %s", key);
	return in->idx;
}

#endif
