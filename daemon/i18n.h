/* i18n.h: termijnd's messages to people, in the language of the request being answered. */
#ifndef TERMIJN_I18N_H
#define TERMIJN_I18N_H

/*
 * Wrap every message meant for a person (API errors, refusals) in _("..."), or
 * P_("singular", "plural", n); po/nl.po must translate it (make po-check lists what is
 * missing, make po-update adds it there). Log lines stay English: they are for the
 * administrator and the journal. Pure modules may use these too (msgcat.c).
 */
#define _(s)		tr(s)
#define P_(s, p, n)	trn(s, p, n)
#define N_(s)		(s)

struct msgcat;

/* The catalog of this thread's messages from now on (NULL: English); returns the old one. */
const struct msgcat *msgcat_use(const struct msgcat *);
const struct msgcat *msgcat_current(void);

const char	*tr(const char *) __attribute__((format_arg(1)));
const char	*trn(const char *, const char *, unsigned long)
		    __attribute__((format_arg(1), format_arg(2)));

#endif
