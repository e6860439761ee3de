/*
 * watch — see watch.h.  Watch descriptors map to folder paths relative to
 * the root and back; a folder that goes away drops its entries when the
 * kernel says IN_IGNORED.
 */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "path.h"
#include "strmap.h"
#include "xmalloc.h"

/*
 * No IN_MODIFY: a writer's close (IN_CLOSE_WRITE) or rename (IN_MOVED_TO)
 * says the file is complete, and one event per write(2) would fill the
 * kernel's queue during a big pass (each output already costs four events:
 * its temporary file's create, close and move, and the move in).
 */
#define WATCH_MASK	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
			 IN_CREATE | IN_DELETE | IN_DELETE_SELF | \
			 IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK)

struct watch {
	struct ev_loop	*loop;
	ev_io		 io;
	int		 fd;
	char		*root;
	bool		 clean;
	bool		 alive;
	watch_fn	 fn;
	void		*arg;
	struct strmap	*by_wd;		/* "%d" -> rel folder (char *) */
	struct strmap	*by_dir;	/* rel folder -> wd (intptr) */
};

bool
watch_skip_dir(const char *name)
{
	static const char *skip[] = { ".chora", ".git", ".hg", ".svn",
	    "node_modules" };

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(name, skip[i]) == 0)
			return true;
	return false;
}

static char *
child(const char *rel, const char *name)
{
	return strcmp(rel, ".") == 0 ? xstrdup(name) : path_join(rel, name);
}

static void
forget_wd(struct watch *w, int wd)
{
	char key[16];
	char *rel;

	snprintf(key, sizeof(key), "%d", wd);
	if ((rel = strmap_del(w->by_wd, key)) != NULL) {
		if ((intptr_t)strmap_get(w->by_dir, rel) == wd)
			strmap_del(w->by_dir, rel);
		free(rel);
	}
}

/* Watch rel and everything below; report files found when report. */
static void
add_tree(struct watch *w, const char *rel, bool report, int depth)
{
	char *abs = path_join(w->root, rel), key[16];
	struct dirent *de;
	DIR *d;
	int wd;

	if (depth > 128) {
		free(abs);
		return;
	}
	if ((wd = inotify_add_watch(w->fd, abs, WATCH_MASK)) == -1) {
		if (errno != ENOENT && errno != ENOTDIR) {
			log_warn("inotify_add_watch %s", abs);
			w->alive = false;
		}
		free(abs);
		return;
	}
	snprintf(key, sizeof(key), "%d", wd);
	free(strmap_set(w->by_wd, key, xstrdup(rel)));
	strmap_set(w->by_dir, rel, (void *)(intptr_t)wd);
	if ((d = opendir(abs)) == NULL) {
		free(abs);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		char *c, *cabs;
		struct stat st;
		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		c = child(rel, n);
		cabs = path_join(w->root, c);
		if (lstat(cabs, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (!watch_skip_dir(n))
				add_tree(w, c, report, depth + 1);
		} else if (fileio_is_tmp(n)) {
			if (w->clean && unlink(cabs) == 0)
				log_info("removed leftover %s", c);
		} else if (report)
			w->fn(w->arg, c);
		free(cabs);
		free(c);
	}
	closedir(d);
	free(abs);
}

static void
handle(struct watch *w, const struct inotify_event *ev)
{
	char key[16], *rel, *c;

	if (ev->mask & IN_Q_OVERFLOW) {
		log_warnx("%s: inotify queue overflow, rescanning", w->root);
		w->fn(w->arg, NULL);
		return;
	}
	snprintf(key, sizeof(key), "%d", ev->wd);
	if ((rel = strmap_get(w->by_wd, key)) == NULL)
		return;
	if (ev->mask & IN_IGNORED) {
		forget_wd(w, ev->wd);
		return;
	}
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		if (strcmp(rel, ".") == 0 || (ev->mask & IN_MOVE_SELF))
			w->fn(w->arg, NULL);
		if (ev->mask & IN_MOVE_SELF) {
			inotify_rm_watch(w->fd, ev->wd);
			forget_wd(w, ev->wd);
		}
		return;
	}
	if (ev->len == 0 || fileio_is_tmp(ev->name))
		return;
	c = child(rel, ev->name);
	if (ev->mask & IN_ISDIR) {
		if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
		    !watch_skip_dir(ev->name))
			add_tree(w, c, true, 0);
		else if (ev->mask & IN_MOVED_FROM)
			w->fn(w->arg, NULL);	/* its files moved away */
	} else
		w->fn(w->arg, c);
	free(c);
}

static void
watch_read(struct ev_loop *loop, ev_io *io, int revents)
{
	struct watch *w = io->data;
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct
	    inotify_event))));

	(void)loop;
	(void)revents;
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == -1 && errno != EAGAIN) {
				log_warn("%s: inotify read", w->root);
				w->fn(w->arg, NULL);
			}
			return;
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (void *)p;
			handle(w, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
}

struct watch *
watch_new(struct ev_loop *loop, const char *root, bool clean, watch_fn fn,
    void *arg, char **cause)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		*cause = xprintf("inotify_init1: %s", strerror(errno));
		free(w);
		return NULL;
	}
	w->loop = loop;
	w->root = xstrdup(root);
	w->clean = clean;
	w->alive = true;
	w->fn = fn;
	w->arg = arg;
	w->by_wd = strmap_new();
	w->by_dir = strmap_new();
	add_tree(w, ".", false, 0);
	w->clean = false;
	ev_io_init(&w->io, watch_read, w->fd, EV_READ);
	w->io.data = w;
	ev_io_start(loop, &w->io);
	return w;
}

void
watch_free(struct watch *w)
{
	size_t it = 0;
	const char *k;
	void *v;

	if (w == NULL)
		return;
	ev_io_stop(w->loop, &w->io);
	close(w->fd);
	while (strmap_next(w->by_wd, &it, &k, &v))
		free(v);
	strmap_free(w->by_wd);
	strmap_free(w->by_dir);
	free(w->root);
	free(w);
}

size_t
watch_count(const struct watch *w)
{
	return strmap_count(w->by_wd);
}

bool
watch_alive(const struct watch *w)
{
	return w->alive;
}
