/* lang.c: the catalogs termijnd answers in, read once at start, chosen per request. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang.h"
#include "localedir.h"
#include "log.h"
#include "msgcat.h"
#include "xmalloc.h"

#ifndef TERMIJN_LINGUAS
#define TERMIJN_LINGUAS "nl"
#endif

/*
 * Not gettext's own lookup: with uselocale() it finds a catalog only when the caller's
 * locale (nl_NL.UTF-8) is installed on the server, which a fresh machine lacks. Reading
 * the .mo ourselves answers in Dutch whatever locales exist, in UTF-8 as JSON wants.
 */
static struct {
	char		*name;
	struct msgcat	*cat;
}		 langs[8];
static size_t	 nlangs;

static struct msgcat *
load(const char *path)
{
	struct msgcat *c = NULL;
	struct stat sb;
	FILE *fp;
	char *buf, *cause = NULL;

	if ((fp = fopen(path, "re")) == NULL) {
		log_warn("%s (termijnd answers in English)", path);
		return NULL;
	}
	if (fstat(fileno(fp), &sb) == 0 && sb.st_size > 0 && sb.st_size < 16 * 1024 * 1024) {
		buf = xmalloc((size_t)sb.st_size);
		if (fread(buf, 1, (size_t)sb.st_size, fp) == (size_t)sb.st_size &&
		    (c = msgcat_parse(buf, (size_t)sb.st_size, &cause)) == NULL)
			log_warnx("%s: %s", path, cause);
		free(buf);
		free(cause);
	} else
		log_warnx("%s: not a catalog", path);
	fclose(fp);
	return c;
}

void
lang_init(const char *dir)
{
	char *list, *p, *name, *path;

	if (dir == NULL)
		dir = localedir();
	list = xstrdup(TERMIJN_LINGUAS);
	for (p = list; (name = strsep(&p, " ")) != NULL;) {
		if (*name == '\0' || nlangs == sizeof(langs) / sizeof(langs[0]))
			continue;
		xasprintf(&path, "%s/%s/LC_MESSAGES/%s.mo", dir, name, TERMIJN_DOMAIN);
		if ((langs[nlangs].cat = load(path)) != NULL)
			langs[nlangs++].name = xstrdup(name);
		free(path);
	}
	free(list);
}

void
lang_free(void)
{
	size_t i;

	for (i = 0; i < nlangs; i++) {
		free(langs[i].name);
		msgcat_free(langs[i].cat);
	}
	nlangs = 0;
	msgcat_use(NULL);
}

const struct msgcat *
lang_for(const char *accept)
{
	const char *names[sizeof(langs) / sizeof(langs[0])];
	size_t i;
	int k;

	for (i = 0; i < nlangs; i++)
		names[i] = langs[i].name;
	k = msgcat_pick(accept, names, nlangs);
	return k >= 0 ? langs[k].cat : NULL;
}

const char *
lang_name(const struct msgcat *c)
{
	size_t i;

	for (i = 0; i < nlangs; i++)
		if (langs[i].cat == c)
			return langs[i].name;
	return "en";
}
