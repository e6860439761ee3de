/*
 * fileio — see fileio.h.
 */
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"
#include "xmalloc.h"

int
fileio_read(const char *path, char **data, size_t *len)
{
	struct stat st;
	size_t cap, n = 0;
	char *p;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail_fd;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail_fd;
	}
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
	p = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			p = xreallocarray(p, 1, cap);
		}
		ssize_t r = read(fd, p + n, cap - n - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			saved = errno;
			free(p);
			close(fd);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	p[n] = '\0';
	*data = p;
	*len = n;
	return 0;
fail_fd:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static int
fileio_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
fileio_fsync_dir(const char *dir)
{
	int fd, rc, saved;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
fileio_write_atomic(const char *path, const void *data, size_t len,
    bool do_fsync, mode_t mode, char **cause)
{
	char *dir = path_dirname(path), *tmp;
	const char *what;
	struct stat st;
	int fd;

	tmp = xprintf("%s/" FILEIO_TMP_PREFIX "%s.XXXXXX", dir,
	    path_basename(path));
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		what = "create temporary file";
		goto fail;
	}
	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	if (fchmod(fd, mode) == -1) {
		what = "chmod";
		goto fail_fd;
	}
	if (fileio_write_all(fd, data, len) == -1) {
		what = "write";
		goto fail_fd;
	}
	if (do_fsync && fsync(fd) == -1) {
		what = "fsync";
		goto fail_fd;
	}
	if (close(fd) == -1) {
		fd = -1;
		what = "close";
		goto fail_fd;
	}
	if (rename(tmp, path) == -1) {
		fd = -1;
		what = "rename";
		goto fail_fd;
	}
	if (do_fsync && fileio_fsync_dir(dir) == -1) {
		/* The new text is in place; only durability is in doubt. */
		*cause = xprintf("%s: fsync of folder %s: %s", path, dir,
		    strerror(errno));
		free(tmp);
		free(dir);
		return -1;
	}
	free(tmp);
	free(dir);
	return 0;

fail_fd: {
	int saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
}
fail:
	*cause = xprintf("%s: %s: %s", path, what, strerror(errno));
	free(tmp);
	free(dir);
	return -1;
}

int
fileio_mkdirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) == -1 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	if (rc == 0) {
		struct stat st;
		if (stat(path, &st) == -1)
			rc = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			rc = -1;
		}
	}
	int saved = errno;
	free(p);
	errno = saved;
	return rc;
}

bool
fileio_is_tmp(const char *name)
{
	return strncmp(name, FILEIO_TMP_PREFIX, strlen(FILEIO_TMP_PREFIX)) == 0;
}

static int
fileio_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
fileio_listdir(const char *dir, bool hidden, size_t *n)
{
	struct dirent *de;
	char **v = xcalloc(1, sizeof(char *));
	DIR *d;

	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		free(v);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
		    (!hidden && name[0] == '.'))
			continue;
		v = xreallocarray(v, *n + 2, sizeof(char *));
		v[(*n)++] = xstrdup(name);
	}
	closedir(d);
	v[*n] = NULL;
	qsort(v, *n, sizeof(char *), fileio_name_cmp);
	return v;
}

void
fileio_listdir_free(char **names)
{
	if (names == NULL)
		return;
	for (char **p = names; *p != NULL; p++)
		free(*p);
	free(names);
}
