/* localedir.h: where the compiled message catalogs of po/ are. */
#ifndef TERMIJN_LOCALEDIR_H
#define TERMIJN_LOCALEDIR_H

#define TERMIJN_DOMAIN	"termijn"

/* $TERMIJN_LOCALEDIR, else the build tree's when run from a checkout, else the installed. */
const char	*localedir(void);

#endif
