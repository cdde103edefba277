/* lang.h: the catalogs termijnd answers in (po/), read at start, one chosen per request. */
#ifndef TERMIJN_LANG_H
#define TERMIJN_LANG_H

#include "i18n.h"

/* Read the catalogs of the languages in po/ from localedir (NULL: the usual place). */
void		 lang_init(const char *localedir);
void		 lang_free(void);
/* The catalog an Accept-Language header asks for; NULL: English. */
const struct msgcat *lang_for(const char *accept_language);
/* A catalog's language code, as in <html lang>: "nl"; NULL (English): "en". */
const char	*lang_name(const struct msgcat *);

#endif
