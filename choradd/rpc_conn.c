/*
 * rpc_conn — one client connection: non-blocking reads into the decoder,
 * queued replies written as the socket accepts them, and the end of the
 * connection.
 *
 * Reads are bounded per callback so that one busy client cannot starve
 * the others (libev is level-triggered and comes back).  Replies made
 * while a read batch is dispatched are written together at its end;
 * replies to parked requests are written at once.  A client that stops
 * reading is disconnected when its queued replies pass max_outbuf: the
 * loop never blocks on it and its memory stays bounded.
 *
 * A peer that shuts down only its writing half (a script piping requests
 * in) still gets its replies, parked ones included; a peer that closed
 * the socket is gone, and its parked requests are cancelled.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "arena.h"
#include "log.h"
#include "rpc_int.h"
#include "xmalloc.h"

/* Reads per callback before yielding to other connections. */
#define CONN_READS_PER_WAKEUP	16

static void	conn_read_cb(struct ev_loop *, ev_io *, int);
static void	conn_write_cb(struct ev_loop *, ev_io *, int);

void
rpc_conn_new(struct rpc_server *s, int fd, uid_t uid, gid_t gid, pid_t pid,
    bool can_write)
{
	struct rpc_conn *c = xcalloc(1, sizeof(*c));

	c->srv = s;
	c->fd = fd;
	c->uid = uid;
	c->gid = gid;
	c->pid = pid;
	c->can_write = can_write;
	c->dec = proto_decoder_new(0);
	buf_init(&c->out);
	TAILQ_INIT(&c->parked);
	ev_io_init(&c->rw, conn_read_cb, fd, EV_READ);
	ev_io_init(&c->ww, conn_write_cb, fd, EV_WRITE);
	c->rw.data = c->ww.data = c;
	ev_io_start(s->loop, &c->rw);
	TAILQ_INSERT_TAIL(&s->conns, c, entry);
	s->nconns++;
	log_debug("rpc: connection from uid %u pid %d%s", (unsigned)uid,
	    (int)pid, can_write ? "" : " (read-only)");
}

void
rpc_conn_kill(struct rpc_conn *c, const char *reason)
{
	struct rpc_server *s = c->srv;

	if (c->dead)
		return;
	log_debug("rpc: closing connection of uid %u pid %d: %s",
	    (unsigned)c->uid, (int)c->pid, reason);
	c->dead = true;
	ev_io_stop(s->loop, &c->rw);
	ev_io_stop(s->loop, &c->ww);
	if (close(c->fd) == -1)
		log_warn("rpc: close");
	c->fd = -1;
	TAILQ_REMOVE(&s->conns, c, entry);
	TAILQ_INSERT_TAIL(&s->dead, c, entry);
	s->nconns--;
	ev_prepare_start(s->loop, &s->reap_w);
}

static void
conn_free(struct rpc_conn *c)
{
	struct rpc_req *req;

	while ((req = TAILQ_FIRST(&c->parked)) != NULL) {
		TAILQ_REMOVE(&c->parked, req, entry);
		req->cancelled = true;
		req->cancel(req, req->cancel_arg);
		rpc_req_free(req);
	}
	proto_decoder_free(c->dec);
	buf_free(&c->out);
	free(c);
}

void
rpc_conn_reap(struct rpc_server *s)
{
	struct rpc_conn *c;

	while ((c = TAILQ_FIRST(&s->dead)) != NULL) {
		TAILQ_REMOVE(&s->dead, c, entry);
		conn_free(c);
	}
	ev_prepare_stop(s->loop, &s->reap_w);
}

/* Nothing left to do for a peer that stopped sending: close. */
static void
conn_maybe_done(struct rpc_conn *c)
{
	if (c->eof && !c->dead && c->nparked == 0 && c->outoff == c->out.len)
		rpc_conn_kill(c, "the client finished");
}

/* Write what the socket takes now; the rest when it is writable. */
static void
conn_flush(struct rpc_conn *c)
{
	ssize_t n;

	while (!c->dead && c->outoff < c->out.len) {
		n = send(c->fd, c->out.data + c->outoff, c->out.len - c->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			c->outoff += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			ev_io_start(c->srv->loop, &c->ww);
			return;
		}
		rpc_conn_kill(c, strerror(errno));
		return;
	}
	if (c->dead)
		return;
	buf_reset(&c->out);
	c->outoff = 0;
	ev_io_stop(c->srv->loop, &c->ww);
	conn_maybe_done(c);
}

static void
conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	conn_flush(w->data);
}

void
rpc_conn_queued(struct rpc_conn *c)
{
	size_t pending = c->out.len - c->outoff;

	if (pending > c->srv->cfg.max_outbuf) {
		log_warnx("rpc: uid %u pid %d is not reading its replies "
		    "(%zu bytes queued); disconnecting", (unsigned)c->uid,
		    (int)c->pid, pending);
		rpc_conn_kill(c, "output cap");
		return;
	}
	/* Keep the written prefix from growing the buffer forever. */
	if (c->outoff > PROTO_READ_CHUNK && c->outoff > pending) {
		memmove(c->out.data, c->out.data + c->outoff, pending);
		c->out.len = pending;
		c->outoff = 0;
	}
	if (c->busy == 0)
		conn_flush(c);
}

void
rpc_conn_error(struct rpc_conn *c, uint32_t msgid, int code,
    const char *message)
{
	if (c->dead)
		return;
	proto_pack_error(&c->out, msgid, code, message, NULL, 0);
	rpc_conn_queued(c);
}

/* The stream broke: answer if we can, then close. */
static void
conn_broken(struct rpc_conn *c, const char *cause)
{
	uint32_t msgid;
	bool has;
	int code;

	code = proto_decoder_error(c->dec, &has, &msgid);
	log_warnx("rpc: uid %u pid %d: %s; closing", (unsigned)c->uid,
	    (int)c->pid, cause);
	if (has)
		rpc_conn_error(c, msgid, code, cause);
	c->busy = 0;
	conn_flush(c);		/* one try: the reply, if it fits now */
	rpc_conn_kill(c, cause);
}

/* Decode and dispatch every complete message buffered. */
static void
conn_process(struct rpc_conn *c)
{
	struct proto_msg m;
	char *cause = NULL;
	int r;

	while (!c->dead && (r = proto_decoder_next(c->dec, &m, &cause)) == 1)
		rpc_dispatch(c, &m);
	if (!c->dead && r == -1)
		conn_broken(c, cause);
	free(cause);
}

/*
 * read(2) said end-of-file.  If the peer closed the whole socket
 * (POLLHUP: both directions are shut), it is gone; otherwise it only
 * stopped sending and still wants its replies.
 */
static void
conn_eof(struct rpc_conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLOUT };

	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR))) {
		rpc_conn_kill(c, "the client closed the connection");
		return;
	}
	c->eof = true;
	ev_io_stop(c->srv->loop, &c->rw);
	conn_maybe_done(c);
}

static void
conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct rpc_conn *c = w->data;
	ssize_t n;
	char *p;

	(void)loop;
	(void)revents;
	c->busy++;
	for (int i = 0; i < CONN_READS_PER_WAKEUP && !c->dead && !c->eof;
	    i++) {
		p = proto_decoder_space(c->dec, PROTO_READ_CHUNK);
		n = read(c->fd, p, PROTO_READ_CHUNK);
		if (n > 0) {
			proto_decoder_fill(c->dec, (size_t)n);
			conn_process(c);
			if ((size_t)n < PROTO_READ_CHUNK)
				break;
		} else if (n == 0)
			conn_eof(c);
		else if (errno == EINTR)
			continue;
		else if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		else
			rpc_conn_kill(c, strerror(errno));
	}
	if (c->busy > 0)
		c->busy--;
	if (!c->dead && c->busy == 0)
		conn_flush(c);
}
