/* suggest.h: the near miss a mistyped name probably meant. */
#ifndef TERMIJN_SUGGEST_H
#define TERMIJN_SUGGEST_H

#include <stddef.h>

/*
 * Of the n candidates, the one closest to word (letters swapped, left out, added or
 * changed; case ignored), if it is close enough to be what was meant; else NULL.
 */
const char	*suggest(const char *word, const char *const *cands, size_t n);

#endif
