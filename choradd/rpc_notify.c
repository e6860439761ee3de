/*
 * rpc_notify — a save hook: the files named changed.  Each is touched as
 * if the watcher had seen it (an editor's hook may run before inotify
 * reports the write, or the file may live where nothing watches); by
 * default the request is answered once the pass that takes the change in
 * has ended, with what it wrote and every failure, so that an editor can
 * show "file:line: error:" lines at once.
 */
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "project.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_feed.h"
#include "rpc_methods.h"
#include "scheduler.h"
#include "xmalloc.h"

/*
 * path relative to root (absolute, or already relative), allocated; NULL
 * when it lies outside the root, even after resolving symlinks.
 */
static char *
relative(const char *root, const char *path)
{
	char *norm, *rel, *real;

	if (path[0] != '/')
		return path_normalize(path);
	norm = path_normalize(path);
	rel = path_relative(root, norm);
	free(norm);
	if (rel != NULL)
		return rel;
	/* A path through a symlink to the root (or a deleted file's). */
	if ((real = realpath(path, NULL)) == NULL) {
		char *dir = path_dirname(path), *rdir = realpath(dir, NULL);
		real = rdir != NULL ? path_join(rdir, path_basename(path)) :
		    NULL;
		free(rdir);
		free(dir);
	}
	rel = real != NULL ? path_relative(root, real) : NULL;
	free(real);
	return rel;
}

void
rpc_notify_method(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	const msgpack_object *params = rpc_req_params(req);
	struct project *p;
	const char **paths;
	char **rel;
	size_t n, affected = 0;
	struct proto_enc e;

	if ((p = rpc_root_of(req, d, rpc_notify_method, true)) == NULL)
		return;
	paths = proto_get_strs(params, PROTO_F_PATHS, rpc_req_arena(req), &n);
	rel = xcalloc(n + 1, sizeof(*rel));
	for (size_t i = 0; i < n; i++)
		if ((rel[i] = relative(project_path(p), paths[i])) == NULL ||
		    strcmp(rel[i], ".") == 0 || strncmp(rel[i], "../", 3) == 0) {
			rpc_reply_errorf(req, PROTO_E_PARAMS, "notify: %s is "
			    "not a file below the root %s", paths[i],
			    project_path(p));
			goto out;
		}
	for (size_t i = 0; i < n; i++) {
		affected += project_dependents(p, rel[i]);
		sched_touch(d->sched, p, rel[i]);
	}
	if (proto_get_bool(params, PROTO_F_WAIT, true)) {
		rpc_feed_collect(d->feed, req, project_path(p),
		    proto_get_bool(params, PROTO_F_PROGRESS, false),
		    (int64_t)affected);
		goto out;
	}
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_uint(&e, PROTO_F_AFFECTED, affected);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
out:
	for (size_t i = 0; i < n; i++)
		free(rel[i]);
	free(rel);
}
