/*
 * rpc_gc — prune history beyond the root's current `history` setting
 * and the blob files no version refers to any more.  The work runs on
 * the store's writer thread (only the writer may sweep blobs: a reader
 * could race its blob writes); freed bytes are measured on the blob
 * folder before and after.  A dry run counts on the loop's read-only
 * handle what pruning would remove, and the blobs only those versions
 * use; it deletes nothing.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "path.h"
#include "project.h"
#include "proto.h"
#include "root.h"
#include "rpc.h"
#include "rpc_methods.h"
#include "store.h"
#include "storeq.h"
#include "strmap.h"
#include "xmalloc.h"

struct gc {
	struct rpc_req	*req;		/* NULL once the client went */
	char		*blobs;		/* the blob folder */
	unsigned	 keep;
	struct store_gc_stats st;
	uint64_t	 freed;
	int		 rc;
	char		*cause;
};

/* Bytes of the files in dir (0 when it does not exist). */
static uint64_t
dir_bytes(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	struct stat st;
	uint64_t n = 0;

	if (dp == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL)
		if (fstatat(dirfd(dp), de->d_name, &st, 0) == 0 &&
		    S_ISREG(st.st_mode))
			n += (uint64_t)st.st_size;
	closedir(dp);
	return n;
}

static void
gc_answer(struct rpc_req *req, size_t versions, size_t blobs, uint64_t freed)
{
	struct proto_enc e;

	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_uint(&e, PROTO_F_PRUNED_VERSIONS, versions);
	proto_enc_kv_uint(&e, PROTO_F_PRUNED_BLOBS, blobs);
	proto_enc_kv_uint(&e, PROTO_F_FREED_BYTES, freed);
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}

/* On the writer thread. */
static void
gc_run(struct store *s, void *arg)
{
	struct gc *g = arg;
	uint64_t before = dir_bytes(g->blobs), after;

	/* keep 0 keeps every version: then only unreferenced blobs go. */
	g->rc = store_gc(s, g->keep, &g->st, &g->cause);
	after = dir_bytes(g->blobs);
	g->freed = before > after ? before - after : 0;
}

static void
gc_done(void *arg)
{
	struct gc *g = arg;

	if (g->req != NULL && g->rc == -1) {
		rpc_fmt_store_error(g->req, g->cause);
		g->cause = NULL;
	} else if (g->req != NULL)
		gc_answer(g->req, g->st.versions_pruned, g->st.blobs_removed,
		    g->freed);
	free(g->cause);
	free(g->blobs);
	free(g);
}

static void
gc_cancel(struct rpc_req *req, void *arg)
{
	struct gc *g = arg;

	(void)req;
	g->req = NULL;
}

struct dry {
	size_t		 versions;
	struct strmap	*kept;		/* blob hashes still used */
	struct strmap	*pruned;	/* blob hash -> its size */
};

/* One output's history: versions beyond keep, and their blobs. */
static int
dry_output(struct project *p, const char *ws, const char *id,
    unsigned keep, struct dry *x, struct arena *a, char **cause)
{
	struct store_content *v;
	size_t n;

	if (store_content_history(project_store(p), ws, id, a, &v, &n,
	    cause) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		bool gone = keep > 0 && i >= keep;
		x->versions += gone;
		if (v[i].len < STORE_BLOB_THRESHOLD)
			continue;
		if (!gone)
			strmap_set(x->kept, v[i].hash, x);
		else
			strmap_set(x->pruned, v[i].hash,
			    (void *)(uintptr_t)v[i].len);
	}
	return 0;
}

static void
gc_dry_run(struct rpc_req *req, struct project *p, unsigned keep)
{
	struct dry x = { 0, strmap_new(), strmap_new() };
	struct arena *a = arena_new();
	size_t nws, n, it = 0, blobs = 0;
	const char *const *ws = project_workspaces(p, &nws), *k;
	struct store_content *v;
	uint64_t bytes = 0;
	char *cause = NULL;
	void *val;
	int rc = 0;

	for (size_t w = 0; w < nws && rc == 0; w++) {
		struct store_filter f = { .workspace = ws[w] };
		rc = store_content_list(project_store(p), &f, a, &v, &n,
		    &cause);
		for (size_t i = 0; rc == 0 && i < n; i++)
			rc = dry_output(p, ws[w], v[i].id, keep, &x, a, &cause);
	}
	while (rc == 0 && strmap_next(x.pruned, &it, &k, &val))
		if (strmap_get(x.kept, k) == NULL) {
			blobs++;
			bytes += (uintptr_t)val;
		}
	if (rc == -1)
		rpc_fmt_store_error(req, cause);
	else
		gc_answer(req, x.versions, blobs, bytes);
	strmap_free(x.kept);
	strmap_free(x.pruned);
	arena_free(a);
}

void
rpc_gc(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	struct project *p;
	struct storeq *q;
	struct gc *g;

	if ((p = rpc_root_of(req, d, rpc_gc, true)) == NULL)
		return;
	if (proto_get_bool(rpc_req_params(req), PROTO_F_DRY_RUN, false)) {
		gc_dry_run(req, p, project_root(p)->history);
		return;
	}
	if ((q = project_storeq(p)) == NULL) {
		rpc_reply_errorf(req, PROTO_E_STORE, "gc: the store of %s is "
		    "not writable", project_path(p));
		return;
	}
	g = xcalloc(1, sizeof(*g));
	g->req = req;
	g->blobs = path_join(project_path(p), ".chora/blobs/content");
	g->keep = project_root(p)->history;
	rpc_req_park(req, gc_cancel, g);
	storeq_call(q, gc_run, g);
	storeq_when_idle(q, gc_done, g);
}
