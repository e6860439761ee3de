/*
 * rpc_migrate — import a legacy layout on demand: chora-compose's
 * ephemeral/<content id>/ history becomes imported versions (what the
 * first start of a root does by itself, SPEC section 8).  An id whose
 * output already has history in the store is skipped, as is a folder no
 * config names.  The imports run on the store's writer thread; nothing
 * on disk is changed.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fileio.h"
#include "path.h"
#include "project.h"
#include "proto.h"
#include "root.h"
#include "rpc.h"
#include "rpc_methods.h"
#include "store.h"
#include "storeq.h"
#include "xmalloc.h"

struct skip {
	char	*id;
	char	*file;
	char	*why;
};

struct migrate {
	struct rpc_req	*req;		/* NULL once the client went */
	char		*root;
	char		*ws;
	bool		 dry_run;
	size_t		 configs;
	char		**ids;		/* to import */
	size_t		 nids;
	size_t		 imported;
	struct skip	*skipped;
	size_t		 nskipped;
};

static void
skipped(void *arg, const char *id, const char *file, const char *why)
{
	struct migrate *m = arg;
	struct skip *s;

	m->skipped = xreallocarray(m->skipped, m->nskipped + 1,
	    sizeof(*m->skipped));
	s = &m->skipped[m->nskipped++];
	s->id = xstrdup(id);
	s->file = file != NULL ? xstrdup(file) : NULL;
	s->why = xstrdup(why);
}

/* On the writer thread. */
static void
migrate_run(struct store *s, void *arg)
{
	struct migrate *m = arg;

	for (size_t i = 0; i < m->nids; i++)
		m->imported += (size_t)project_legacy_import(s, m->root, m->ws,
		    m->ids[i], m->dry_run, skipped, m);
}

static void
migrate_free(struct migrate *m)
{
	for (size_t i = 0; i < m->nids; i++)
		free(m->ids[i]);
	free(m->ids);
	for (size_t i = 0; i < m->nskipped; i++) {
		free(m->skipped[i].id);
		free(m->skipped[i].file);
		free(m->skipped[i].why);
	}
	free(m->skipped);
	free(m->root);
	free(m->ws);
	free(m);
}

static void
migrate_done(void *arg)
{
	struct migrate *m = arg;
	struct proto_enc e;

	if (m->req != NULL) {
		proto_enc_init(&e);
		proto_enc_map(&e);
		proto_enc_kv_uint(&e, PROTO_F_CONFIGS, m->configs);
		proto_enc_kv_uint(&e, PROTO_F_IMPORTED, m->imported);
		proto_enc_key(&e, PROTO_F_SKIPPED);
		proto_enc_array(&e);
		for (size_t i = 0; i < m->nskipped; i++) {
			proto_enc_map(&e);
			proto_enc_kv_str(&e, PROTO_F_ID, m->skipped[i].id);
			if (m->skipped[i].file != NULL)
				proto_enc_kv_str(&e, PROTO_F_FILE,
				    m->skipped[i].file);
			proto_enc_kv_str(&e, PROTO_F_MESSAGE, m->skipped[i].why);
			proto_enc_end(&e);
		}
		proto_enc_end(&e);
		proto_enc_end(&e);
		rpc_reply(m->req, &e);
		proto_enc_free(&e);
	}
	migrate_free(m);
}

static void
migrate_cancel(struct rpc_req *req, void *arg)
{
	struct migrate *m = arg;

	(void)req;
	m->req = NULL;
}

/* Decide, per ephemeral/ folder, whether it is imported or why not. */
static void
migrate_plan(struct migrate *m, struct project *p)
{
	const struct root *r = project_root(p);
	char *dir = path_join(m->root, "ephemeral"), **names, *cause = NULL;
	struct arena *a = arena_new();
	struct store_content c;
	size_t n;

	if ((names = fileio_listdir(dir, false, &n)) == NULL)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		int rc;
		if (root_config(r, names[i]) == NULL) {
			skipped(m, names[i], NULL, "no config has this id");
			continue;
		}
		rc = store_content_get(project_store(p), m->ws, names[i], 0, a,
		    &c, &cause);
		if (rc == 0)
			skipped(m, names[i], NULL, "its output already has "
			    "history in the store");
		else if (rc == -1) {
			skipped(m, names[i], NULL, cause);
			free(cause);
			cause = NULL;
		} else {
			m->ids = xreallocarray(m->ids, m->nids + 1,
			    sizeof(char *));
			m->ids[m->nids++] = xstrdup(names[i]);
		}
	}
	if (names != NULL)
		fileio_listdir_free(names);
	arena_free(a);
	free(dir);
}

void
rpc_migrate(struct rpc_req *req, void *arg)
{
	struct rpc_daemon *d = arg;
	struct migrate *m;
	struct project *p;
	struct storeq *q;

	if ((p = rpc_root_of(req, d, rpc_migrate, true)) == NULL)
		return;
	if ((q = project_storeq(p)) == NULL) {
		rpc_reply_errorf(req, PROTO_E_STORE, "migrate: the store of %s "
		    "is not writable", project_path(p));
		return;
	}
	m = xcalloc(1, sizeof(*m));
	m->req = req;
	m->root = xstrdup(project_path(p));
	m->ws = xstrdup(project_workspaces(p, &(size_t){ 0 })[0]);
	m->dry_run = proto_get_bool(rpc_req_params(req), PROTO_F_DRY_RUN,
	    false);
	m->configs = project_root(p)->nconfigs;
	migrate_plan(m, p);
	rpc_req_park(req, migrate_cancel, m);
	storeq_call(q, migrate_run, m);
	storeq_when_idle(q, migrate_done, m);
}
