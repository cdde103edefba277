/* token.c: the client's personal access tokens, one "URL TOKEN" line per server, mode 0600. */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "xmalloc.h"

/* $XDG_CONFIG_HOME/termijn, else ~/.config/termijn; NULL when there is no home. */
static char *
token_dir(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	char *d;

	if (x != NULL && *x == '/')
		xasprintf(&d, "%s/termijn", x);
	else if (h != NULL && *h != '\0')
		xasprintf(&d, "%s/.config/termijn", h);
	else
		return NULL;
	return d;
}

char *
token_path(void)
{
	char *d = token_dir(), *p;

	if (d == NULL)
		return NULL;
	xasprintf(&p, "%s/tokens", d);
	free(d);
	return p;
}

/* A server URL as the tokens file keeps it: without a trailing slash. */
char *
server_norm(const char *url)
{
	char *s = xstrdup(url);
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* Trailing slashes apart, the same server? */
static int
same_server(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	while (na > 0 && a[na - 1] == '/')
		na--;
	while (nb > 0 && b[nb - 1] == '/')
		nb--;
	return na == nb && strncmp(a, b, na) == 0;
}

/*
 * The token for server into *token (NULL: none). 0, or 1 after saying why the file is
 * not to be trusted (readable by others, or not the user's).
 */
int
token_load(const char *server, char **token)
{
	char *path = token_path(), *line = NULL, *sp;
	size_t cap = 0;
	struct stat sb;
	FILE *f;
	int fd;

	*token = NULL;
	if (path == NULL || (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		free(path);
		return 0;
	}
	/* A token others can read is no longer the person's alone: refuse to use it. */
	if (fstat(fd, &sb) == -1 || sb.st_uid != getuid() || (sb.st_mode & 077) != 0) {
		warnx(_("%s can be read by others (or is not yours): not using its tokens; "
		    "chmod 600 it, and have them revoked if someone else did read it"), path);
		close(fd);
		free(path);
		return 1;
	}
	if ((f = fdopen(fd, "r")) == NULL)
		err(1, "%s", path);
	while (getline(&line, &cap, f) != -1) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		if (same_server(line, server) && *sp != '\0') {
			free(*token);
			*token = xstrdup(sp);
		}
	}
	if (line != NULL)
		explicit_bzero(line, cap);
	free(line);
	fclose(f);
	free(path);
	return 0;
}

/* Keep token for server, replacing an older one: written aside, mode 0600, then renamed. */
int
token_save(const char *server, const char *token)
{
	char *dir = token_dir(), *path, *tmp, *line = NULL, *sp, *url;
	size_t cap = 0;
	FILE *in, *out;
	int fd;

	if (dir == NULL) {
		warnx(_("no HOME: nowhere to keep the token"));
		return 1;
	}
	xasprintf(&path, "%s/tokens", dir);
	xasprintf(&tmp, "%s/tokens.tmp.%ld", dir, (long)getpid());
	/* ~/.config first (0700 as XDG says), then ours. */
	if ((sp = strrchr(dir, '/')) != NULL) {
		*sp = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			warn(_("mkdir %s"), dir);
		*sp = '/';
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		warn(_("mkdir %s"), dir);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1 ||
	    (out = fdopen(fd, "w")) == NULL) {
		warn("%s", tmp);
		free(path);
		free(tmp);
		free(dir);
		return 1;
	}
	url = server_norm(server);
	if ((in = fopen(path, "r")) != NULL) {
		while (getline(&line, &cap, in) != -1) {
			if ((sp = strchr(line, ' ')) != NULL) {
				*sp = '\0';
				if (same_server(line, url))
					continue;
				*sp = ' ';
			}
			fputs(line, out);
		}
		if (line != NULL)
			explicit_bzero(line, cap);
		free(line);
		fclose(in);
	}
	fprintf(out, "%s %s\n", url, token);
	if (fflush(out) != 0 || fsync(fd) == -1 || fclose(out) != 0 || rename(tmp, path) == -1) {
		warn("%s", path);
		unlink(tmp);
		free(url);
		free(path);
		free(tmp);
		free(dir);
		return 1;
	}
	printf(_("token kept in %s (readable by you alone)\n"), path);
	free(url);
	free(path);
	free(tmp);
	free(dir);
	return 0;
}
