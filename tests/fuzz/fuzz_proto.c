/*
 * fuzz_proto — libFuzzer target for the protocol's parsers: the
 * streaming decoder (fed in pieces whose sizes come from the input),
 * message shapes, proto_check_request, the accessors and re-encoding of
 * what was decoded.  None of it may crash, leak or read out of bounds,
 * whatever the bytes.  Also linked into a unit test that replays
 * mutated seeds, so the sanitizer build exercises it without libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every field a handler of m could read. */
static void
fuzz_access(const struct proto_method_def *m, const msgpack_object *params,
    struct arena *a)
{
	size_t n;

	for (size_t i = 0; i < m->params.n; i++) {
		enum proto_field f = m->params.rows[i].field;

		(void)proto_get_str(params, f, a);
		(void)proto_get_uint(params, f, 0);
		(void)proto_get_bool(params, f, false);
		(void)proto_get_strs(params, f, a, &n);
	}
}

/* Re-encode a decoded value and decode it again: it must round-trip. */
static void
fuzz_reencode(const msgpack_object *o)
{
	struct proto_enc e;
	msgpack_unpacked u;
	const char *p;
	size_t len, off = 0;

	proto_enc_init(&e);
	proto_enc_object(&e, o);
	p = proto_enc_data(&e, &len);
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, p, len, &off) != MSGPACK_UNPACK_SUCCESS ||
	    off != len)
		__builtin_trap();
	msgpack_unpacked_destroy(&u);
	proto_enc_free(&e);
}

static void
fuzz_message(const struct proto_msg *m, struct arena *a)
{
	const struct proto_method_def *def;
	struct proto_err err;
	char *cause = NULL;
	bool write;

	if (m->type == PROTO_MSG_RESPONSE) {
		if (m->error != NULL) {
			proto_err_parse(m->error, &err);
			proto_err_clear(&err);
		}
		fuzz_reencode(m->result);
		return;
	}
	if (m->type != PROTO_MSG_REQUEST)
		return;
	fuzz_reencode(m->params);
	if ((def = proto_method_find(m->method, m->method_len)) == NULL)
		return;
	if (proto_check_request(def, m->params, &write, &cause) == 0)
		fuzz_access(def, m->params, a);
	free(cause);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_decoder *d = proto_decoder_new(1 << 20);
	struct arena *a = arena_new();
	struct proto_msg m;
	size_t off = 0, chunk;
	char *cause = NULL;
	int r = 0;

	/* The first byte picks the read size, to vary the split points. */
	chunk = size > 0 ? (size_t)data[0] % 17 + 1 : 1;
	while (off < size && r != -1) {
		size_t n = size - off < chunk ? size - off : chunk;

		proto_decoder_feed(d, data + off, n);
		off += n;
		while ((r = proto_decoder_next(d, &m, &cause)) == 1) {
			fuzz_message(&m, a);
			proto_msg_free(&m);
		}
	}
	free(cause);
	arena_free(a);
	proto_decoder_free(d);
	return 0;
}
