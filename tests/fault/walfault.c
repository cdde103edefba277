/*
 * walfault.c: an LD_PRELOAD shim that makes the disk under a database's WAL slow, stuck or
 * full on request, for tests/fault/t-groupcommit.sh. Only the file named *-wal is touched;
 * the test drives it with files in $WALFAULT_DIR:
 *   hang      while it exists, fsync and fdatasync of the WAL wait (the disk does not confirm)
 *   slow      each fsync or fdatasync of the WAL takes 5 ms more
 *   fail      fsync and fdatasync of the WAL fail with EIO
 *   full      writes to the WAL fail with ENOSPC
 *   fullonce  the next write to the WAL fails with ENOSPC (the file is removed then)
 *   syncs     is appended a line for each fsync or fdatasync of the WAL that returned
 * and, for a maildir (t-maildirsync.sh), of a directory named new:
 *   dirhang   while it exists, its fsync waits
 *   dirsyncs  is appended a line for each fsync of it that returned
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

int	fsync(int);
int	fdatasync(int);
ssize_t	write(int, const void *, size_t);
ssize_t	pwrite(int, const void *, size_t, off_t);
ssize_t	pwrite64(int, const void *, size_t, off_t);

static int
is_wal(int fd)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) < 4)
		return 0;
	path[n] = '\0';
	return strcmp(path + n - 4, "-wal") == 0;
}

/* A maildir's new/ (a directory of that name). */
static int
is_new_dir(int fd)
{
	char link[64], path[PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if (fstat(fd, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    (n = readlink(link, path, sizeof(path) - 1)) < 4)
		return 0;
	path[n] = '\0';
	return strcmp(path + n - 4, "/new") == 0;
}

static int
flag(const char *name)
{
	const char *dir = getenv("WALFAULT_DIR");
	char path[PATH_MAX];

	if (dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void
note_sync(const char *file)
{
	const char *dir = getenv("WALFAULT_DIR");
	char path[PATH_MAX];
	int fd;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) == -1)
		return;
	(void)!((ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write"))(fd, "s\n", 2);
	close(fd);
}

static int
sync_common(int fd, const char *name)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, name);
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int rc;

	if (is_new_dir(fd)) {
		while (flag("dirhang"))
			nanosleep(&ts, NULL);
		rc = real(fd);
		note_sync("dirsyncs");
		return rc;
	}
	if (!is_wal(fd))
		return real(fd);
	while (flag("hang"))
		nanosleep(&ts, NULL);
	if (flag("slow")) {
		ts.tv_nsec = 5 * 1000 * 1000;
		nanosleep(&ts, NULL);
	}
	if (flag("fail")) {
		errno = EIO;
		return -1;
	}
	rc = real(fd);
	note_sync("syncs");
	return rc;
}

int
fsync(int fd)
{
	return sync_common(fd, "fsync");
}

int
fdatasync(int fd)
{
	return sync_common(fd, "fdatasync");
}

static int
full(int fd)
{
	char p[PATH_MAX];

	if (flag("full") && is_wal(fd)) {
		errno = ENOSPC;
		return 1;
	}
	if (flag("fullonce") && is_wal(fd)) {
		snprintf(p, sizeof(p), "%s/fullonce", getenv("WALFAULT_DIR"));
		unlink(p);
		errno = ENOSPC;
		return 1;
	}
	return 0;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	if (full(fd))
		return -1;
	return ((ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write"))(fd, buf, n);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (full(fd))
		return -1;
	return ((ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite"))(fd,
	    buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	if (full(fd))
		return -1;
	return ((ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64"))(fd,
	    buf, n, off);
}
