/* version.h: termijn's version, one place for the programs, the feeds and the package. */
#ifndef TERMIJN_VERSION_H
#define TERMIJN_VERSION_H

#define TERMIJN_VERSION	"0.1"

#endif
