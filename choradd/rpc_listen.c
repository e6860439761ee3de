/*
 * rpc_listen — the listening socket: taken over from systemd (socket
 * activation), or bound at the configured path.
 *
 * Binding is where the daemon's locking lives.  "<socket>.pid" is held
 * with flock(2) for the server's lifetime: the kernel drops it when the
 * process dies however it dies, so a second daemon for the same socket
 * is refused at once, and a socket file left behind by a dead one is
 * known to be stale and replaced.  The socket is created under a umask
 * that leaves it 0600 (0660 with a group) from its first instant, in a
 * directory created 0700 (0710 with a group: the group may reach the
 * socket but not list the directory).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "fileio.h"
#include "log.h"
#include "path.h"
#include "rpc_int.h"
#include "xmalloc.h"

static bool
has_group(const struct rpc_server *s)
{
	return s->cfg.has_group;
}

/* Take the socket systemd passed.  0 done, 1 none passed, -1 error. */
static int
listen_activated(struct rpc_server *s, char **cause)
{
	int n = sd_listen_fds(1), fd = SD_LISTEN_FDS_START;

	if (n < 0) {
		xasprintf(cause, "sd_listen_fds: %s", strerror(-n));
		return -1;
	}
	if (n == 0)
		return 1;
	if (n > 1)
		log_warnx("rpc: systemd passed %d sockets; using the first", n);
	if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
		xasprintf(cause, "the socket systemd passed (fd %d) is not a "
		    "listening Unix stream socket", fd);
		return -1;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		xasprintf(cause, "fcntl on the systemd socket: %s",
		    strerror(errno));
		return -1;
	}
	s->lfd = fd;
	s->activated = true;
	return 0;
}

/* The socket's directory, created with the right mode when missing. */
static int
listen_dir(struct rpc_server *s, char **cause)
{
	char *dir = path_dirname(s->cfg.socket);
	mode_t mode = has_group(s) ? 0710 : 0700;
	struct stat st;
	int r = -1;

	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			r = 0;
		else
			xasprintf(cause, "%s is not a directory", dir);
	} else if (errno != ENOENT)
		xasprintf(cause, "%s: %s", dir, strerror(errno));
	else if (fileio_mkdirs(dir, 0755) == -1 || chmod(dir, mode) == -1 ||
	    (has_group(s) && chown(dir, (uid_t)-1, s->cfg.group) == -1))
		xasprintf(cause, "cannot create %s: %s", dir, strerror(errno));
	else
		r = 0;
	free(dir);
	return r;
}

/* Hold "<socket>.pid" locked with our pid in it. */
static int
listen_lock(struct rpc_server *s, char **cause)
{
	char pid[32] = "";
	ssize_t n;
	int len;

	xasprintf(&s->pidpath, "%s.pid", s->cfg.socket);
	s->pidfd = open(s->pidpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->pidfd == -1) {
		xasprintf(cause, "%s: %s", s->pidpath, strerror(errno));
		return -1;
	}
	if (flock(s->pidfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			xasprintf(cause, "flock %s: %s", s->pidpath,
			    strerror(errno));
			return -1;
		}
		n = pread(s->pidfd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		xasprintf(cause, "another choradd is serving %s%s%s%s",
		    s->cfg.socket, *pid != '\0' ? " (pid " : "", pid,
		    *pid != '\0' ? ")" : "");
		return -1;
	}
	s->locked = true;
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(s->pidfd, 0) == -1 ||
	    pwrite(s->pidfd, pid, (size_t)len, 0) != len) {
		xasprintf(cause, "%s: %s", s->pidpath, strerror(errno));
		return -1;
	}
	return 0;
}

static void
listen_unlock(struct rpc_server *s)
{
	/* Only the holder removes the file: it may be another daemon's. */
	if (s->locked && unlink(s->pidpath) == -1 && errno != ENOENT)
		log_warn("rpc: unlink %s", s->pidpath);
	if (s->pidfd != -1)
		close(s->pidfd);
	s->locked = false;
	free(s->pidpath);
	s->pidpath = NULL;
	s->pidfd = -1;
}

/*
 * A file already at the socket path.  With the lock held no live choradd
 * owns it, unless one that predates the lock file: ask it.
 */
static int
listen_clear(struct rpc_server *s, const struct sockaddr_un *sun,
    char **cause)
{
	struct stat st;
	int fd, r;

	if (lstat(sun->sun_path, &st) == -1)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		xasprintf(cause, "%s exists and is not a socket", s->cfg.socket);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (r == 0) {
		xasprintf(cause, "another choradd is serving %s",
		    s->cfg.socket);
		return -1;
	}
	if (unlink(sun->sun_path) == -1) {
		xasprintf(cause, "cannot remove the stale socket %s: %s",
		    s->cfg.socket, strerror(errno));
		return -1;
	}
	log_info("rpc: replaced the stale socket %s", s->cfg.socket);
	return 0;
}

/* socket, bind under a tight umask, listen. */
static int
listen_bind(struct rpc_server *s, const struct sockaddr_un *sun,
    char **cause)
{
	mode_t mode = has_group(s) ? 0660 : 0600, old;
	struct stat st;
	int fd, r;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0777 & ~mode);
	r = bind(fd, (const struct sockaddr *)sun, sizeof(*sun));
	umask(old);
	if (r == -1 || chmod(sun->sun_path, mode) == -1 ||
	    (has_group(s) && chown(sun->sun_path, (uid_t)-1,
	    s->cfg.group) == -1) || listen(fd, SOMAXCONN) == -1 ||
	    stat(sun->sun_path, &st) == -1) {
		xasprintf(cause, "%s: %s", s->cfg.socket, strerror(errno));
		if (r == 0)
			unlink(sun->sun_path);
		close(fd);
		return -1;
	}
	s->lfd = fd;
	s->sock_ino = st.st_ino;
	return 0;
}

int
rpc_listen_open(struct rpc_server *s, char **cause)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int r;

	if ((r = listen_activated(s, cause)) != 1)
		return r;
	if (strlen(s->cfg.socket) >= sizeof(sun.sun_path)) {
		xasprintf(cause, "socket path too long: %s", s->cfg.socket);
		return -1;
	}
	memcpy(sun.sun_path, s->cfg.socket, strlen(s->cfg.socket) + 1);
	if (listen_dir(s, cause) == -1 || listen_lock(s, cause) == -1 ||
	    listen_clear(s, &sun, cause) == -1 ||
	    listen_bind(s, &sun, cause) == -1) {
		listen_unlock(s);
		return -1;
	}
	return 0;
}

void
rpc_listen_close(struct rpc_server *s)
{
	struct stat st;

	if (s->lfd != -1 && close(s->lfd) == -1)
		log_warn("rpc: close listening socket");
	s->lfd = -1;
	if (!s->activated && s->sock_ino != 0 &&
	    stat(s->cfg.socket, &st) == 0 && st.st_ino == s->sock_ino &&
	    unlink(s->cfg.socket) == -1)
		log_warn("rpc: unlink %s", s->cfg.socket);
	listen_unlock(s);
}
