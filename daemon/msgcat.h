/* msgcat.h: a gettext .mo catalog read into memory, and the language an Accept-Language asks for. */
#ifndef TERMIJN_MSGCAT_H
#define TERMIJN_MSGCAT_H

#include <stddef.h>

struct msgcat;

/* A copy of the .mo bytes, checked; NULL with *cause (to free) when they are not a catalog. */
struct msgcat	*msgcat_parse(const void *data, size_t len, char **cause);
void		 msgcat_free(struct msgcat *);
/* The translation of msgid, or NULL when the catalog has none (or an empty one). */
const char	*msgcat_get(const struct msgcat *, const char *msgid);
/* The plural form for n; both languages shipped use plural=(n != 1). NULL: none. */
const char	*msgcat_nget(const struct msgcat *, const char *msgid, unsigned long n);

/*
 * Of the n languages in langs (primary subtags such as "nl"), the one an Accept-Language
 * header prefers: its index, or -1 for English (untranslated), which is also the answer
 * when the header is NULL, malformed or names nothing we have.
 */
int		 msgcat_pick(const char *accept, const char *const *langs, size_t n);

#endif
