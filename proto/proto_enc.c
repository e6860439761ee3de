/*
 * proto_enc — building msgpack values and framing messages.
 *
 * msgpack wants a container's element count in its header, before the
 * elements; handlers would rather not count ahead.  So an open container
 * gets a 5-byte placeholder, its elements are counted as they are written,
 * and on close the smallest header that fits replaces the placeholder (the
 * body slides back over the spare bytes), so the output is the canonical
 * msgpack any peer expects.  Scalars go through msgpack-c's packer.
 */
#include <string.h>

#include "log.h"
#include "proto.h"

#define PLACEHOLDER	5

static int
enc_write(void *data, const char *p, size_t n)
{
	buf_add(data, p, n);
	return 0;
}

static void
packer_init(msgpack_packer *pk, struct buf *b)
{
	msgpack_packer_init(pk, b, enc_write);
}

/* msgpack-c reports a failed write of our callback, which cannot fail. */
static void
enc_check(int r)
{
	if (r != 0)
		fatalx("proto_enc: msgpack packer failed");
}

void
proto_enc_init(struct proto_enc *e)
{
	buf_init(&e->b);
	e->depth = 0;
	e->nvalues = 0;
}

void
proto_enc_free(struct proto_enc *e)
{
	buf_free(&e->b);
	e->depth = 0;
	e->nvalues = 0;
}

void
proto_enc_reset(struct proto_enc *e)
{
	buf_reset(&e->b);
	e->depth = 0;
	e->nvalues = 0;
}

/* Count one value (or key) in the innermost open container. */
static void
enc_count(struct proto_enc *e)
{
	if (e->depth == 0)
		e->nvalues++;
	else if (++e->open[e->depth - 1].n == 0)
		fatalx("proto_enc: container too large");
}

/* A packer for one scalar value of e's, counted already. */
static msgpack_packer
enc_value(struct proto_enc *e)
{
	msgpack_packer pk;

	packer_init(&pk, &e->b);
	enc_count(e);
	return pk;
}

static void
enc_open(struct proto_enc *e, bool map)
{
	static const char zero[PLACEHOLDER];

	if (e->depth == PROTO_MAX_DEPTH)
		fatalx("proto_enc: nesting deeper than %d", PROTO_MAX_DEPTH);
	enc_count(e);
	e->open[e->depth].off = e->b.len;
	e->open[e->depth].n = 0;
	e->open[e->depth].map = map;
	e->depth++;
	buf_add(&e->b, zero, PLACEHOLDER);
}

void
proto_enc_map(struct proto_enc *e)
{
	enc_open(e, true);
}

void
proto_enc_array(struct proto_enc *e)
{
	enc_open(e, false);
}

/* The header for n elements; returns its length. */
static size_t
enc_header(uint8_t *h, bool map, uint32_t n)
{
	if (n < 16) {
		h[0] = (uint8_t)((map ? 0x80 : 0x90) | n);
		return 1;
	}
	if (n <= 0xffff) {
		h[0] = map ? 0xde : 0xdc;
		h[1] = (uint8_t)(n >> 8);
		h[2] = (uint8_t)n;
		return 3;
	}
	h[0] = map ? 0xdf : 0xdd;
	h[1] = (uint8_t)(n >> 24);
	h[2] = (uint8_t)(n >> 16);
	h[3] = (uint8_t)(n >> 8);
	h[4] = (uint8_t)n;
	return 5;
}

void
proto_enc_end(struct proto_enc *e)
{
	uint8_t h[PLACEHOLDER];
	size_t off, hl, body;
	uint32_t n;

	if (e->depth == 0)
		fatalx("proto_enc: end without an open container");
	e->depth--;
	off = e->open[e->depth].off;
	n = e->open[e->depth].n;
	if (e->open[e->depth].map) {
		if (n % 2 != 0)
			fatalx("proto_enc: map closed after a key without "
			    "its value");
		n /= 2;
	}
	hl = enc_header(h, e->open[e->depth].map, n);
	body = e->b.len - off - PLACEHOLDER;
	memcpy(e->b.data + off, h, hl);
	memmove(e->b.data + off + hl, e->b.data + off + PLACEHOLDER, body);
	e->b.len -= PLACEHOLDER - hl;
	e->b.data[e->b.len] = '\0';
}

void
proto_enc_key(struct proto_enc *e, enum proto_field f)
{
	if (e->depth == 0 || !e->open[e->depth - 1].map ||
	    e->open[e->depth - 1].n % 2 != 0)
		fatalx("proto_enc: key '%s' outside a map's key position",
		    proto_field_name(f));
	proto_enc_str(e, proto_field_name(f));
}

void
proto_enc_strn(struct proto_enc *e, const char *s, size_t n)
{
	msgpack_packer pk;

	if (n > UINT32_MAX)
		fatalx("proto_enc: string too long");
	pk = enc_value(e);
	enc_check(msgpack_pack_str(&pk, n));
	enc_check(msgpack_pack_str_body(&pk, s, n));
}

void
proto_enc_str(struct proto_enc *e, const char *s)
{
	if (s == NULL)
		proto_enc_nil(e);
	else
		proto_enc_strn(e, s, strlen(s));
}

void
proto_enc_uint(struct proto_enc *e, uint64_t v)
{
	msgpack_packer pk = enc_value(e);

	enc_check(msgpack_pack_uint64(&pk, v));
}

void
proto_enc_int(struct proto_enc *e, int64_t v)
{
	msgpack_packer pk = enc_value(e);

	enc_check(msgpack_pack_int64(&pk, v));
}

void
proto_enc_double(struct proto_enc *e, double v)
{
	msgpack_packer pk = enc_value(e);

	enc_check(msgpack_pack_double(&pk, v));
}

void
proto_enc_bool(struct proto_enc *e, bool v)
{
	msgpack_packer pk = enc_value(e);

	enc_check(v ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk));
}

void
proto_enc_nil(struct proto_enc *e)
{
	msgpack_packer pk = enc_value(e);

	enc_check(msgpack_pack_nil(&pk));
}

void
proto_enc_strs(struct proto_enc *e, const char *const *v, size_t n)
{
	proto_enc_array(e);
	for (size_t i = 0; i < n; i++)
		proto_enc_str(e, v[i]);
	proto_enc_end(e);
}

void
proto_enc_object(struct proto_enc *e, const msgpack_object *o)
{
	msgpack_packer pk = enc_value(e);

	enc_check(msgpack_pack_object(&pk, *o));
}

void
proto_enc_kv_str(struct proto_enc *e, enum proto_field f, const char *s)
{
	proto_enc_key(e, f);
	proto_enc_str(e, s);
}

void
proto_enc_kv_str_opt(struct proto_enc *e, enum proto_field f, const char *s)
{
	if (s != NULL)
		proto_enc_kv_str(e, f, s);
}

void
proto_enc_kv_uint(struct proto_enc *e, enum proto_field f, uint64_t v)
{
	proto_enc_key(e, f);
	proto_enc_uint(e, v);
}

void
proto_enc_kv_bool(struct proto_enc *e, enum proto_field f, bool v)
{
	proto_enc_key(e, f);
	proto_enc_bool(e, v);
}

const char *
proto_enc_data(const struct proto_enc *e, size_t *len)
{
	if (e->depth != 0)
		fatalx("proto_enc: %u container(s) still open", e->depth);
	*len = e->b.len;
	return e->b.data != NULL ? e->b.data : "";
}

/* ---- framing ------------------------------------------------------------ */

/* Append an encoder's single value, or an empty map for NULL. */
static void
pack_value(struct buf *out, const struct proto_enc *v, const char *what)
{
	const char *p;
	size_t n;

	if (v == NULL) {
		buf_addc(out, (char)0x80);
		return;
	}
	p = proto_enc_data(v, &n);
	if (v->nvalues != 1)
		fatalx("proto: %s must hold one value, not %u", what,
		    v->nvalues);
	buf_add(out, p, n);
}

void
proto_pack_request(struct buf *out, uint32_t msgid, enum proto_method m,
    const struct proto_enc *params)
{
	const struct proto_method_def *def = proto_method(m);
	msgpack_packer pk;

	if (def == NULL)
		fatalx("proto_pack_request: no method %d", (int)m);
	packer_init(&pk, out);
	enc_check(msgpack_pack_array(&pk, 4));
	enc_check(msgpack_pack_uint8(&pk, PROTO_MSG_REQUEST));
	enc_check(msgpack_pack_uint32(&pk, msgid));
	enc_check(msgpack_pack_str_with_body(&pk, def->name,
	    strlen(def->name)));
	enc_check(msgpack_pack_array(&pk, 1));
	pack_value(out, params, "request params");
}

void
proto_pack_response(struct buf *out, uint32_t msgid,
    const struct proto_enc *result)
{
	msgpack_packer pk;

	packer_init(&pk, out);
	enc_check(msgpack_pack_array(&pk, 4));
	enc_check(msgpack_pack_uint8(&pk, PROTO_MSG_RESPONSE));
	enc_check(msgpack_pack_uint32(&pk, msgid));
	enc_check(msgpack_pack_nil(&pk));
	pack_value(out, result, "a result");
}

void
proto_pack_error(struct buf *out, uint32_t msgid, int code,
    const char *message, const char *file, unsigned line)
{
	struct proto_enc e;
	msgpack_packer pk;

	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_key(&e, PROTO_F_CODE);
	proto_enc_int(&e, code);
	proto_enc_kv_str(&e, PROTO_F_MESSAGE,
	    message != NULL ? message : proto_strerror(code));
	if (file != NULL)
		proto_enc_kv_str(&e, PROTO_F_FILE, file);
	if (line != 0)
		proto_enc_kv_uint(&e, PROTO_F_LINE, line);
	proto_enc_end(&e);

	packer_init(&pk, out);
	enc_check(msgpack_pack_array(&pk, 4));
	enc_check(msgpack_pack_uint8(&pk, PROTO_MSG_RESPONSE));
	enc_check(msgpack_pack_uint32(&pk, msgid));
	pack_value(out, &e, "an error");
	enc_check(msgpack_pack_nil(&pk));
	proto_enc_free(&e);
}

/* A map's element count and header length, from its first bytes. */
static int
map_header(const uint8_t *p, size_t len, uint32_t *n, size_t *hl)
{
	if (len >= 1 && (p[0] & 0xf0) == 0x80) {
		*n = p[0] & 0x0f;
		*hl = 1;
	} else if (len >= 3 && p[0] == 0xde) {
		*n = (uint32_t)p[1] << 8 | p[2];
		*hl = 3;
	} else if (len >= 5 && p[0] == 0xdf) {
		*n = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 |
		    (uint32_t)p[3] << 8 | p[4];
		*hl = 5;
	} else
		return -1;
	return 0;
}

void
proto_pack_notification(struct buf *out, enum proto_notify n,
    int64_t stream, const struct proto_enc *params)
{
	const struct proto_notify_def *def = proto_notification(n);
	const char *name = proto_field_name(PROTO_F_STREAM);
	msgpack_packer pk;
	const uint8_t *p = (const uint8_t *)"\x80";
	size_t len = 1, hl;
	uint32_t count;

	if (def == NULL)
		fatalx("proto_pack_notification: no notification %d", (int)n);
	if (params != NULL) {
		p = (const uint8_t *)proto_enc_data(params, &len);
		if (params->nvalues != 1)
			fatalx("proto: notification params must hold one "
			    "value, not %u", params->nvalues);
	}
	if (map_header(p, len, &count, &hl) == -1)
		fatalx("proto: notification params must be a map");

	packer_init(&pk, out);
	enc_check(msgpack_pack_array(&pk, 3));
	enc_check(msgpack_pack_uint8(&pk, PROTO_MSG_NOTIFICATION));
	enc_check(msgpack_pack_str_with_body(&pk, def->name,
	    strlen(def->name)));
	enc_check(msgpack_pack_array(&pk, 1));
	if (stream < 0) {
		buf_add(out, p, len);
		return;
	}
	enc_check(msgpack_pack_map(&pk, count + 1));
	enc_check(msgpack_pack_str_with_body(&pk, name, strlen(name)));
	enc_check(msgpack_pack_uint64(&pk, (uint64_t)stream));
	buf_add(out, p + hl, len - hl);
}
