/*
 * proto_dec — the streaming decoder: bytes in, messages out.
 *
 * Bytes land in a msgpack_unpacker's buffer (read(2) straight into it, in
 * pieces of any size).  msgpack-c's parser trusts the sizes a message
 * declares: an array header claiming four billion elements makes it
 * allocate 96 GB before the elements exist, and it buffers a message of
 * any length.  So a small scanner walks the headers first, without
 * allocating: it finds where the message ends, and refuses it as soon as
 * it is larger, deeper or has more values than the limits in proto.h.
 * Only a complete, bounded message is handed to msgpack-c, whose
 * allocations are then bounded by the bytes actually present.  The
 * scanner resumes where it stopped, so a message arriving a byte at a
 * time is scanned once.
 *
 * Decoded strings point into the unpacker's buffer; msgpack-c keeps that
 * buffer alive through a reference held by the message's zone, so a
 * message may outlive later reads (a parked request).
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "proto.h"
#include "xmalloc.h"

/* Where the scanner is in the message being received. */
struct scan {
	size_t		 pos;		/* next header, from message start */
	unsigned	 depth;
	uint64_t	 left[PROTO_MAX_DEPTH];	/* elements still to come */
	uint64_t	 top_n;		/* elements of a top-level array */
	size_t		 objects;
	bool		 done;		/* the message ends at pos */
	bool		 top_array;
	bool		 request;	/* [0, ... so far */
	bool		 has_msgid;	/* [0, msgid, ... so far */
	uint32_t	 msgid;
};

struct proto_decoder {
	msgpack_unpacker up;
	size_t		 max;
	struct scan	 scan;
	char		*broken;	/* why the stream is unusable */
	bool		 too_big;	/* ... because of the size limit */
};

/* What a header byte announces. */
struct head {
	size_t		 hl;		/* header bytes */
	uint64_t	 payload;	/* bytes after the header (str, bin, ext) */
	uint64_t	 count;		/* elements (array; map: keys + values) */
	bool		 container;
};

static uint64_t
be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * Describe the header at p (avail bytes there).  Returns 1 when done, 0
 * when its length bytes have not all arrived, -1 for the byte 0xc1, which
 * msgpack never uses.
 */
static int
scan_head(const uint8_t *p, size_t avail, struct head *h)
{
	static const uint8_t fixed[] = {	/* total size of 0xc0..0xdf */
		1, 0, 1, 1, 2, 3, 5, 3, 4, 6, 5, 9, 2, 3, 5, 9,
		2, 3, 5, 9, 3, 4, 6, 10, 18, 2, 3, 5, 3, 5, 3, 5,
	};
	uint8_t b = p[0];
	size_t lenbytes = 0;

	memset(h, 0, sizeof(*h));
	h->hl = 1;
	if (b <= 0x7f || b >= 0xe0)
		return 1;
	if (b <= 0x8f || (b >= 0x90 && b <= 0x9f)) {
		h->container = true;
		h->count = (uint64_t)(b & 0x0f) * (b <= 0x8f ? 2 : 1);
		return 1;
	}
	if (b <= 0xbf) {
		h->payload = b & 0x1f;
		return 1;
	}
	if (b == 0xc1)
		return -1;
	h->hl = fixed[b - 0xc0];
	switch (b) {
	case 0xc4: case 0xd9: lenbytes = 1; break;		/* bin8, str8 */
	case 0xc5: case 0xda: lenbytes = 2; break;
	case 0xc6: case 0xdb: lenbytes = 4; break;
	case 0xc7: lenbytes = 1; break;				/* ext8..32 */
	case 0xc8: lenbytes = 2; break;
	case 0xc9: lenbytes = 4; break;
	case 0xdc: case 0xde: lenbytes = 2; h->container = true; break;
	case 0xdd: case 0xdf: lenbytes = 4; h->container = true; break;
	default: return 1;		/* fixed-size scalar, fixext */
	}
	if (avail < 1 + lenbytes)
		return 0;
	if (h->container)
		h->count = be(p + 1, lenbytes) * (b == 0xde || b == 0xdf ? 2 : 1);
	else {
		h->payload = be(p + 1, lenbytes);
		h->hl = 1 + lenbytes + (b >= 0xc7 && b <= 0xc9);  /* ext type */
	}
	return 1;
}

/* Note [0, msgid, ...] at the start of a message, to answer errors. */
static void
scan_capture(struct scan *s, const uint8_t *p, const struct head *h)
{
	uint64_t idx, v;

	if (s->depth != 1 || !s->top_array || h->container || h->payload != 0)
		return;
	idx = s->top_n - s->left[0];
	if (p[0] <= 0x7f)
		v = p[0];
	else if (p[0] >= 0xcc && p[0] <= 0xcf)
		v = be(p + 1, h->hl - 1);
	else
		return;
	if (idx == 0)
		s->request = v == PROTO_MSG_REQUEST;
	else if (idx == 1 && s->request && v <= UINT32_MAX) {
		s->has_msgid = true;
		s->msgid = (uint32_t)v;
	}
}

/*
 * Advance over the bytes of the current message (avail of them at p).
 * Returns 1 when the whole message is there (it is s->pos bytes long),
 * 0 when more must be read, -1 with *cause when it breaks a rule (-2
 * when the rule is the size limit).
 */
static int
scan_run(struct scan *s, const uint8_t *p, size_t avail, size_t max,
    char **cause)
{
	struct head h;
	int r;

	while (!s->done && s->pos < avail) {
		if ((r = scan_head(p + s->pos, avail - s->pos, &h)) == 0)
			break;
		if (r == -1) {
			xasprintf(cause, "malformed msgpack: byte 0xc1 at "
			    "offset %zu", s->pos);
			return -1;
		}
		if (s->pos + h.hl > avail)
			break;
		if (++s->objects > PROTO_MAX_OBJECTS) {
			xasprintf(cause, "message has more than %u values",
			    PROTO_MAX_OBJECTS);
			return -1;
		}
		if (s->objects == 1 && h.container) {	/* at offset 0 */
			s->top_array = (p[0] & 0xf0) == 0x90 || p[0] == 0xdc ||
			    p[0] == 0xdd;
			s->top_n = h.count;
		}
		scan_capture(s, p + s->pos, &h);
		s->pos += h.hl + h.payload;
		/* Each element takes a byte at least. */
		if (s->pos > max || h.count > max - s->pos) {
			xasprintf(cause, "message too large (more than %zu "
			    "bytes)", max);
			return -2;
		}
		if (h.container && h.count > 0) {
			if (s->depth == PROTO_MAX_DEPTH) {
				xasprintf(cause, "message nested deeper than "
				    "%d", PROTO_MAX_DEPTH);
				return -1;
			}
			s->left[s->depth++] = h.count;
			continue;
		}
		/* A complete value: it may complete its containers too. */
		while (s->depth > 0 && --s->left[s->depth - 1] == 0)
			s->depth--;
		s->done = s->depth == 0;
	}
	return s->done && s->pos <= avail;
}

struct proto_decoder *
proto_decoder_new(size_t max)
{
	struct proto_decoder *d = xcalloc(1, sizeof(*d));

	if (!msgpack_unpacker_init(&d->up, PROTO_READ_CHUNK))
		fatalx("proto_decoder_new: out of memory");
	d->max = max != 0 ? max : PROTO_MAX_MESSAGE;
	return d;
}

void
proto_decoder_free(struct proto_decoder *d)
{
	if (d == NULL)
		return;
	msgpack_unpacker_destroy(&d->up);
	free(d->broken);
	free(d);
}

char *
proto_decoder_space(struct proto_decoder *d, size_t n)
{
	if (!msgpack_unpacker_reserve_buffer(&d->up, n))
		fatalx("proto_decoder: out of memory for %zu bytes", n);
	return msgpack_unpacker_buffer(&d->up);
}

void
proto_decoder_fill(struct proto_decoder *d, size_t n)
{
	msgpack_unpacker_buffer_consumed(&d->up, n);
}

void
proto_decoder_feed(struct proto_decoder *d, const void *p, size_t n)
{
	memcpy(proto_decoder_space(d, n), p, n);
	proto_decoder_fill(d, n);
}

size_t
proto_decoder_pending(const struct proto_decoder *d)
{
	return d->up.used - d->up.off;
}

int
proto_decoder_error(const struct proto_decoder *d, bool *has_msgid,
    uint32_t *msgid)
{
	*has_msgid = d->scan.has_msgid;
	*msgid = d->scan.msgid;
	return d->too_big ? PROTO_E_TOO_BIG : PROTO_E_INVALID;
}

void
proto_msg_free(struct proto_msg *m)
{
	if (m->zone != NULL)
		msgpack_zone_free(m->zone);
	free(m->invalid);
	memset(m, 0, sizeof(*m));
}

static void
msg_invalid(struct proto_msg *m, const char *why)
{
	m->type = PROTO_MSG_INVALID;
	m->invalid = xstrdup(why);
}

static bool
msg_msgid(const msgpack_object *o, uint32_t *id)
{
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    o->via.u64 > UINT32_MAX)
		return false;
	*id = (uint32_t)o->via.u64;
	return true;
}

/* params: [] or [map]; NULL when neither. */
static const msgpack_object *
msg_params(const msgpack_object *o)
{
	static const msgpack_object empty = { .type = MSGPACK_OBJECT_MAP };

	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size > 1)
		return NULL;
	if (o->via.array.size == 0)
		return &empty;
	if (o->via.array.ptr[0].type != MSGPACK_OBJECT_MAP)
		return NULL;
	return &o->via.array.ptr[0];
}

/* The method (a[0]) and params (a[1]) of a request or notification. */
static void
msg_call(struct proto_msg *m, const msgpack_object *a)
{
	const msgpack_object *meth = &a[0], *params = &a[1];

	if (meth->type != MSGPACK_OBJECT_STR || meth->via.str.size == 0) {
		msg_invalid(m, "the method must be a non-empty string");
		return;
	}
	m->method = meth->via.str.ptr;
	m->method_len = meth->via.str.size;
	if ((m->params = msg_params(params)) == NULL)
		msg_invalid(m, "params must be an array holding one map");
}

/* Check the shape of a decoded message and fill m's pointers. */
static void
msg_parse(const msgpack_object *o, struct proto_msg *m)
{
	const msgpack_object *a;
	uint32_t n;

	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 3 ||
	    o->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    o->via.array.ptr[0].via.u64 > PROTO_MSG_NOTIFICATION) {
		msg_invalid(m, "a message must be an array [type, ...] with "
		    "type 0, 1 or 2");
		return;
	}
	a = o->via.array.ptr;
	n = o->via.array.size;
	m->type = (enum proto_msg_type)a[0].via.u64;
	if (m->type != PROTO_MSG_NOTIFICATION)
		m->has_msgid = msg_msgid(&a[1], &m->msgid);
	switch (m->type) {
	case PROTO_MSG_REQUEST:
		if (n != 4)
			msg_invalid(m, "a request must be [0, msgid, method, "
			    "params]");
		else if (!m->has_msgid)
			msg_invalid(m, "msgid must be an unsigned 32-bit "
			    "integer");
		else
			msg_call(m, &a[2]);
		break;
	case PROTO_MSG_RESPONSE:
		if (n != 4 || !m->has_msgid) {
			msg_invalid(m, "a response must be [1, msgid, error, "
			    "result]");
			break;
		}
		m->error = a[2].type == MSGPACK_OBJECT_NIL ? NULL : &a[2];
		m->result = &a[3];
		break;
	default:
		if (n != 3)
			msg_invalid(m, "a notification must be [2, method, "
			    "params]");
		else
			msg_call(m, &a[1]);
		break;
	}
}

/*
 * msgpack-c never shrinks its buffer; after one large message a
 * connection would hold that much for good.  With nothing pending, start
 * over with a fresh buffer (messages still alive keep the old one through
 * its reference count).
 */
static void
decoder_trim(struct proto_decoder *d)
{
	if (proto_decoder_pending(d) != 0 ||
	    d->up.used + d->up.free <= 4 * PROTO_READ_CHUNK)
		return;
	msgpack_unpacker_destroy(&d->up);
	if (!msgpack_unpacker_init(&d->up, PROTO_READ_CHUNK))
		fatalx("proto_decoder: out of memory");
}

static int
decoder_break(struct proto_decoder *d, char *why, char **cause)
{
	d->broken = why;
	*cause = xstrdup(why);
	return -1;
}

int
proto_decoder_next(struct proto_decoder *d, struct proto_msg *m,
    char **cause)
{
	msgpack_unpacked u;
	char *why = NULL;
	int r;

	memset(m, 0, sizeof(*m));
	if (d->broken != NULL) {
		*cause = xstrdup(d->broken);
		return -1;
	}
	r = scan_run(&d->scan, (const uint8_t *)d->up.buffer + d->up.off,
	    proto_decoder_pending(d), d->max, &why);
	if (r < 0) {
		d->too_big = r == -2;
		return decoder_break(d, why, cause);
	}
	if (r == 0) {
		decoder_trim(d);
		return 0;
	}

	msgpack_unpacked_init(&u);
	if (msgpack_unpacker_next(&d->up, &u) != MSGPACK_UNPACK_SUCCESS) {
		msgpack_unpacked_destroy(&u);
		return decoder_break(d, xstrdup("malformed msgpack"), cause);
	}
	memset(&d->scan, 0, sizeof(d->scan));
	m->zone = msgpack_unpacked_release_zone(&u);
	msg_parse(&u.data, m);
	msgpack_unpacked_destroy(&u);
	return 1;
}

void
proto_err_parse(const msgpack_object *error, struct proto_err *e)
{
	const msgpack_object *o;

	memset(e, 0, sizeof(*e));
	e->code = PROTO_E_INTERNAL;
	if (error->type == MSGPACK_OBJECT_STR) {
		e->message = xstrndup(error->via.str.ptr, error->via.str.size);
		return;
	}
	if (error->type != MSGPACK_OBJECT_MAP) {
		e->message = xstrdup("malformed error reply");
		return;
	}
	if ((o = proto_get(error, PROTO_F_CODE)) != NULL) {
		if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		    o->via.u64 <= INT32_MAX)
			e->code = (int)o->via.u64;
		else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER &&
		    o->via.i64 >= INT32_MIN)
			e->code = (int)o->via.i64;
	}
	o = proto_get(error, PROTO_F_MESSAGE);
	if (o != NULL && o->type == MSGPACK_OBJECT_STR)
		e->message = xstrndup(o->via.str.ptr, o->via.str.size);
	else
		e->message = xstrdup(proto_strerror(e->code));
	o = proto_get(error, PROTO_F_FILE);
	if (o != NULL && o->type == MSGPACK_OBJECT_STR)
		e->file = xstrndup(o->via.str.ptr, o->via.str.size);
	e->line = (unsigned)proto_get_uint(error, PROTO_F_LINE, 0);
}

void
proto_err_clear(struct proto_err *e)
{
	free(e->message);
	free(e->file);
	memset(e, 0, sizeof(*e));
}
