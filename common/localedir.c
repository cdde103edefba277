/* localedir.c: find the message catalogs, installed or in the build tree of a checkout. */
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "localedir.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

/* A string of its own, not folded into code: packaging tests read it with strings(1). */
static const char installed[] = LOCALEDIR;

const char *
localedir(void)
{
	static char dir[PATH_MAX];
	static const char *const rel[] = { "/../build/locale", "/../locale" };
	char exe[PATH_MAX], *slash;
	const char *s;
	struct stat sb;
	ssize_t n;
	size_t i;

	if ((s = getenv("TERMIJN_LOCALEDIR")) != NULL && *s != '\0')
		return s;
	if (*dir != '\0')
		return dir;
	/* client/termijn, daemon/termijnd (build/locale) and build/asan/termijn (build/locale). */
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			if ((size_t)snprintf(dir, sizeof(dir), "%s%s/.termijn-build", exe,
			    rel[i]) < sizeof(dir) && stat(dir, &sb) == 0) {
				dir[strlen(dir) - strlen("/.termijn-build")] = '\0';
				return dir;
			}
		}
	}
	return installed;
}
