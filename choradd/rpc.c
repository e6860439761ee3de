/*
 * rpc — the server: accepting and admitting clients, dispatching their
 * requests, and the request API handlers use (see rpc.h).
 *
 * Every request goes through the same gate before a handler sees it, as
 * tmux parses arguments before exec and Redis checks a command before
 * calling it: a known method, hello first, params valid against
 * methods.def, write permission for writes, room to park if the method
 * may park.  A failed check is answered with an error and the
 * connection goes on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "arena.h"
#include "log.h"
#include "rpc_int.h"
#include "xmalloc.h"

/* Accepts per wakeup, so a connection storm cannot monopolise the loop. */
#define RPC_ACCEPTS_PER_WAKEUP	64
/* How long to stop accepting when out of descriptors. */
#define RPC_ACCEPT_PAUSE	0.1

enum rpc_access { RPC_NONE, RPC_READ, RPC_FULL };

/* ---- admission ---------------------------------------------------------- */

static bool
in_uids(uid_t u, const uid_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == u)
			return true;
	return false;
}

static bool
in_gids(const gid_t *g, size_t ng, const gid_t *v, size_t n)
{
	for (size_t i = 0; i < ng; i++)
		for (size_t j = 0; j < n; j++)
			if (g[i] == v[j])
				return true;
	return false;
}

/*
 * The peer's groups: its primary gid and, where the kernel tells
 * (SO_PEERGROUPS), its supplementary ones.  Returns the count; *gp is
 * allocated.
 */
static size_t
peer_groups(int fd, gid_t gid, gid_t **gp)
{
	socklen_t len = 64 * sizeof(gid_t);
	gid_t *g = xmalloc(sizeof(gid_t) + len);

	g[0] = gid;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g + 1, &len) == -1) {
		if (errno != ERANGE) {
			*gp = g;
			return 1;
		}
		g = xreallocarray(g, 1, sizeof(gid_t) + len);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g + 1,
		    &len) == -1) {
			*gp = g;
			return 1;
		}
	}
	*gp = g;
	return 1 + len / sizeof(gid_t);
}

static enum rpc_access
peer_access(const struct rpc_server *s, int fd, const struct ucred *cr)
{
	const struct rpc_config *c = &s->cfg;
	enum rpc_access a = RPC_NONE;
	gid_t *groups;
	size_t ng;

	if (cr->uid == 0 || cr->uid == c->owner ||
	    in_uids(cr->uid, c->allow_uids, c->nallow_uids))
		return RPC_FULL;
	if (c->nallow_gids == 0 && c->nread_gids == 0)
		return in_uids(cr->uid, c->read_uids, c->nread_uids) ?
		    RPC_READ : RPC_NONE;
	ng = peer_groups(fd, cr->gid, &groups);
	if (in_gids(groups, ng, c->allow_gids, c->nallow_gids))
		a = RPC_FULL;
	else if (in_uids(cr->uid, c->read_uids, c->nread_uids) ||
	    in_gids(groups, ng, c->read_gids, c->nread_gids))
		a = RPC_READ;
	free(groups);
	return a;
}

/* Admit or refuse one accepted connection. */
static void
server_admit(struct rpc_server *s, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	enum rpc_access a;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1) {
		log_warn("rpc: SO_PEERCRED");
		close(fd);
		return;
	}
	if ((a = peer_access(s, fd, &cr)) == RPC_NONE) {
		log_warnx("rpc: refused connection from uid %u gid %u pid %d: "
		    "not allowed on %s", (unsigned)cr.uid, (unsigned)cr.gid,
		    (int)cr.pid, s->cfg.socket);
		close(fd);
		return;
	}
	if (s->nconns >= s->cfg.max_conns) {
		log_warnx("rpc: refused connection from uid %u pid %d: %u "
		    "connections open, the limit", (unsigned)cr.uid,
		    (int)cr.pid, s->nconns);
		close(fd);
		return;
	}
	rpc_conn_new(s, fd, cr.uid, cr.gid, cr.pid, a == RPC_FULL);
}

static void
server_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct rpc_server *s = w->data;
	int fd;

	(void)revents;
	for (int i = 0; i < RPC_ACCEPTS_PER_WAKEUP; i++) {
		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1) {
			server_admit(s, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/* The socket stays readable: pause, don't spin. */
			log_warn("rpc: accept (pausing)");
			ev_io_stop(loop, &s->accept_w);
			ev_timer_start(loop, &s->pause_w);
		} else if (errno != EAGAIN && errno != EWOULDBLOCK)
			log_warn("rpc: accept");
		return;
	}
}

static void
server_pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rpc_server *s = w->data;

	(void)revents;
	ev_io_start(loop, &s->accept_w);
}

static void
server_reap_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)revents;
	rpc_conn_reap(w->data);
}

/* ---- the server --------------------------------------------------------- */

static void *
copy_ids(const void *v, size_t n, size_t size)
{
	void *p;

	if (n == 0)
		return NULL;
	p = xreallocarray(NULL, n, size);
	memcpy(p, v, n * size);
	return p;
}

static void
server_config(struct rpc_server *s, const struct rpc_config *cfg)
{
	struct rpc_config *c = &s->cfg;

	*c = *cfg;
	c->socket = xstrdup(cfg->socket);
	c->server = xstrdup(cfg->server != NULL ? cfg->server :
	    "choradd " CHORA_VERSION);
	c->allow_uids = copy_ids(cfg->allow_uids, cfg->nallow_uids,
	    sizeof(uid_t));
	c->allow_gids = copy_ids(cfg->allow_gids, cfg->nallow_gids,
	    sizeof(gid_t));
	c->read_uids = copy_ids(cfg->read_uids, cfg->nread_uids,
	    sizeof(uid_t));
	c->read_gids = copy_ids(cfg->read_gids, cfg->nread_gids,
	    sizeof(gid_t));
	if (c->owner == 0)
		c->owner = geteuid();
	if (c->max_conns == 0)
		c->max_conns = RPC_MAX_CONNS;
	if (c->max_outbuf == 0)
		c->max_outbuf = RPC_MAX_OUTBUF;
	if (c->max_parked == 0)
		c->max_parked = RPC_MAX_PARKED;
}

static void
server_config_free(struct rpc_config *c)
{
	free((char *)c->socket);
	free((char *)c->server);
	free((uid_t *)c->allow_uids);
	free((gid_t *)c->allow_gids);
	free((uid_t *)c->read_uids);
	free((gid_t *)c->read_gids);
}

struct rpc_server *
rpc_server_new(struct ev_loop *loop, const struct rpc_config *cfg,
    char **cause)
{
	struct rpc_server *s = xcalloc(1, sizeof(*s));

	s->loop = loop;
	s->lfd = s->pidfd = -1;
	server_config(s, cfg);
	TAILQ_INIT(&s->conns);
	TAILQ_INIT(&s->dead);
	if (rpc_listen_open(s, cause) == -1) {
		server_config_free(&s->cfg);
		free(s);
		return NULL;
	}
	ev_io_init(&s->accept_w, server_accept_cb, s->lfd, EV_READ);
	ev_timer_init(&s->pause_w, server_pause_cb, RPC_ACCEPT_PAUSE, 0.);
	ev_prepare_init(&s->reap_w, server_reap_cb);
	s->accept_w.data = s->pause_w.data = s->reap_w.data = s;
	ev_io_start(loop, &s->accept_w);
	log_info("rpc: listening on %s%s", s->cfg.socket,
	    s->activated ? " (socket activation)" : "");
	return s;
}

void
rpc_server_free(struct rpc_server *s)
{
	struct rpc_conn *c;
	struct rpc_req *req;

	if (s == NULL)
		return;
	while ((c = TAILQ_FIRST(&s->conns)) != NULL) {
		TAILQ_FOREACH(req, &c->parked, entry)
			rpc_conn_error(c, req->msgid, PROTO_E_CANCELLED, NULL);
		rpc_conn_kill(c, "the server is stopping");
	}
	rpc_conn_reap(s);
	ev_io_stop(s->loop, &s->accept_w);
	ev_timer_stop(s->loop, &s->pause_w);
	rpc_listen_close(s);
	server_config_free(&s->cfg);
	free(s);
}

void
rpc_register(struct rpc_server *s, enum proto_method m, rpc_handler fn,
    void *arg)
{
	if ((unsigned)m >= PROTO_M__COUNT || m == PROTO_M_HELLO)
		fatalx("rpc_register: cannot register method %d", (int)m);
	s->handlers[m].fn = fn;
	s->handlers[m].arg = arg;
}

bool
rpc_server_activated(const struct rpc_server *s)
{
	return s->activated;
}

const char *
rpc_server_socket(const struct rpc_server *s)
{
	return s->cfg.socket;
}

unsigned
rpc_server_connections(const struct rpc_server *s)
{
	return s->nconns;
}

/* ---- dispatch ----------------------------------------------------------- */

static void
rpc_hello(struct rpc_req *req)
{
	const struct rpc_server *s = req->conn->srv;
	uint64_t v = proto_get_uint(req->msg.params, PROTO_F_VERSION, 0);
	struct proto_enc e;

	if (v != PROTO_VERSION) {
		rpc_reply_errorf(req, PROTO_E_VERSION, "protocol version "
		    "mismatch: the client speaks version %llu, %s speaks "
		    "version %d; use chorac and choradd from the same release "
		    "(restart choradd after an upgrade)",
		    (unsigned long long)v, s->cfg.server, PROTO_VERSION);
		return;
	}
	req->conn->hello = true;
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_uint(&e, PROTO_F_VERSION, PROTO_VERSION);
	proto_enc_kv_str(&e, PROTO_F_SERVER, s->cfg.server);
	proto_enc_kv_uint(&e, PROTO_F_PID, (uint64_t)getpid());
	proto_enc_end(&e);
	rpc_reply(req, &e);
	proto_enc_free(&e);
}

/*
 * The gate: the reason req may not run (allocated), and its error code,
 * or NULL when it may.
 */
static char *
dispatch_refusal(struct rpc_conn *c, const struct proto_method_def *def,
    const struct proto_msg *m, int *code)
{
	char *cause = NULL;
	bool write;

	if (def->id != PROTO_M_HELLO && !c->hello) {
		*code = PROTO_E_NO_HELLO;
		return xprintf("%s: the first request must be hello",
		    def->name);
	}
	if (proto_check_request(def, m->params, &write, &cause) == -1) {
		*code = PROTO_E_PARAMS;
		return cause;
	}
	if (write && !c->can_write) {
		*code = PROTO_E_PERM;
		return xprintf("%s: permission denied: uid %u has read-only "
		    "access", def->name, (unsigned)c->uid);
	}
	if (def->id != PROTO_M_HELLO && c->srv->handlers[def->id].fn == NULL) {
		*code = PROTO_E_UNSUPPORTED;
		return xprintf("%s: not implemented by this server",
		    def->name);
	}
	if ((def->flags & PROTO_MF_ASYNC) &&
	    c->nparked >= c->srv->cfg.max_parked) {
		*code = PROTO_E_BUSY;
		return xprintf("%s: %u requests already waiting on this "
		    "connection", def->name, c->nparked);
	}
	return NULL;
}

/* A request arrived: check it, then run it. */
static void
dispatch_request(struct rpc_conn *c, struct proto_msg *m)
{
	const struct proto_method_def *def;
	const struct rpc_handler_slot *h;
	struct rpc_req *req;
	char *why, *name;
	int code;

	if ((def = proto_method_find(m->method, m->method_len)) == NULL) {
		name = proto_quote(m->method, m->method_len);
		why = xprintf("unknown method '%s'", name);
		rpc_conn_error(c, m->msgid, PROTO_E_NO_METHOD, why);
		free(name);
		free(why);
		proto_msg_free(m);
		return;
	}
	if ((why = dispatch_refusal(c, def, m, &code)) != NULL) {
		rpc_conn_error(c, m->msgid, code, why);
		free(why);
		proto_msg_free(m);
		return;
	}
	req = xcalloc(1, sizeof(*req));
	req->conn = c;
	req->method = def->id;
	req->msgid = m->msgid;
	req->msg = *m;
	memset(m, 0, sizeof(*m));
	c->current = req;
	if (def->id == PROTO_M_HELLO)
		rpc_hello(req);
	else {
		h = &c->srv->handlers[def->id];
		h->fn(req, h->arg);
	}
	if (c->current == req) {
		log_warnx("rpc: the %s handler neither answered nor parked "
		    "its request", def->name);
		rpc_reply_error(req, PROTO_E_INTERNAL, "the request was "
		    "dropped by the server", NULL, 0);
	}
}

void
rpc_dispatch(struct rpc_conn *c, struct proto_msg *m)
{
	switch (m->type) {
	case PROTO_MSG_REQUEST:
		dispatch_request(c, m);
		return;
	case PROTO_MSG_INVALID:
		if (m->has_msgid)
			rpc_conn_error(c, m->msgid, PROTO_E_INVALID,
			    m->invalid);
		else {
			log_warnx("rpc: uid %u pid %d sent %s; closing",
			    (unsigned)c->uid, (int)c->pid, m->invalid);
			rpc_conn_kill(c, m->invalid);
		}
		break;
	default:
		/* Nothing asked for responses or notifications: ignore. */
		log_debug("rpc: ignoring a %s from uid %u",
		    m->type == PROTO_MSG_RESPONSE ? "response" :
		    "notification", (unsigned)c->uid);
		break;
	}
	proto_msg_free(m);
}

/* ---- requests ----------------------------------------------------------- */

void
rpc_req_free(struct rpc_req *req)
{
	proto_msg_free(&req->msg);
	if (req->arena != NULL)
		arena_free(req->arena);
	free(req);
}

enum proto_method
rpc_req_method(const struct rpc_req *req)
{
	return req->method;
}

uint32_t
rpc_req_msgid(const struct rpc_req *req)
{
	return req->msgid;
}

const msgpack_object *
rpc_req_params(const struct rpc_req *req)
{
	return req->msg.params;
}

uid_t
rpc_req_uid(const struct rpc_req *req)
{
	return req->conn->uid;
}

gid_t
rpc_req_gid(const struct rpc_req *req)
{
	return req->conn->gid;
}

pid_t
rpc_req_pid(const struct rpc_req *req)
{
	return req->conn->pid;
}

bool
rpc_req_can_write(const struct rpc_req *req)
{
	return req->conn->can_write;
}

struct arena *
rpc_req_arena(struct rpc_req *req)
{
	if (req->arena == NULL)
		req->arena = arena_new();
	return req->arena;
}

void
rpc_req_park(struct rpc_req *req, rpc_cancel cancel, void *arg)
{
	struct rpc_conn *c = req->conn;

	if (cancel == NULL || req->parked)
		fatalx("rpc_req_park: %s", cancel == NULL ?
		    "no cancel callback" : "parked twice");
	req->parked = true;
	req->cancel = cancel;
	req->cancel_arg = arg;
	TAILQ_INSERT_TAIL(&c->parked, req, entry);
	c->nparked++;
	if (c->current == req)
		c->current = NULL;
}

void
rpc_req_resume(struct rpc_req *req)
{
	struct rpc_conn *c = req->conn;

	if (!req->parked || req->cancelled)
		fatalx("rpc_req_resume: the request is not parked");
	TAILQ_REMOVE(&c->parked, req, entry);
	c->nparked--;
	req->parked = false;
	req->cancel = NULL;
	req->cancel_arg = NULL;
}

/*
 * Take req off its connection's books before answering it.  Returns
 * false when req must not be touched (its cancel callback is running);
 * else *cp is the connection to answer on, or NULL when it is gone.
 */
static bool
req_detach(struct rpc_req *req, struct rpc_conn **cp)
{
	struct rpc_conn *c = req->conn;

	if (req->cancelled) {
		log_warnx("rpc: bug: answer to a cancelled %s request",
		    proto_method(req->method)->name);
		return false;
	}
	if (c->current == req)
		c->current = NULL;
	if (req->parked) {
		TAILQ_REMOVE(&c->parked, req, entry);
		c->nparked--;
		req->parked = false;
	}
	*cp = c->dead ? NULL : c;
	return true;
}

void
rpc_reply(struct rpc_req *req, const struct proto_enc *result)
{
	struct rpc_conn *c;
	size_t len = 0;

	if (!req_detach(req, &c))
		return;
	if (c != NULL) {
		if (result != NULL)
			(void)proto_enc_data(result, &len);
		if (len > PROTO_MAX_MESSAGE - 64) {
			log_warnx("rpc: %s result of %zu bytes is too large",
			    proto_method(req->method)->name, len);
			proto_pack_error(&c->out, req->msgid, PROTO_E_TOO_BIG,
			    "the result is larger than the 16 MiB message "
			    "limit", NULL, 0);
		} else
			proto_pack_response(&c->out, req->msgid, result);
		rpc_conn_queued(c);
	}
	rpc_req_free(req);
}

void
rpc_reply_error(struct rpc_req *req, enum proto_error code,
    const char *message, const char *file, unsigned line)
{
	struct rpc_conn *c;

	if (!req_detach(req, &c))
		return;
	if (c != NULL) {
		proto_pack_error(&c->out, req->msgid, code, message, file,
		    line);
		rpc_conn_queued(c);
	}
	rpc_req_free(req);
}

void
rpc_reply_errorf(struct rpc_req *req, enum proto_error code,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	rpc_reply_error(req, code, msg, NULL, 0);
	free(msg);
}

int
rpc_notify(struct rpc_req *req, enum proto_notify n,
    const struct proto_enc *params)
{
	struct rpc_conn *c = req->conn;

	if (req->cancelled || c->dead)
		return -1;
	if (!(proto_method(req->method)->flags & PROTO_MF_STREAM)) {
		log_warnx("rpc: bug: notification on a %s request",
		    proto_method(req->method)->name);
		return -1;
	}
	proto_pack_notification(&c->out, n, req->msgid, params);
	rpc_conn_queued(c);
	return c->dead ? -1 : 0;
}
