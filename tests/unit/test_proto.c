/*
 * Unit tests for proto/: the tables from methods.def, the encoder, the
 * framing and streaming decoder (split reads, several messages per read,
 * malformed input, shapes, limits), proto_check_request for every method,
 * the accessors and the socket path.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "proto.h"
#include "xmalloc.h"

/* ---- helpers ---------------------------------------------------------- */

/* Decode exactly one msgpack value from p (the test's own parse). */
static msgpack_object
unpack1(const char *p, size_t n, msgpack_unpacked *u)
{
	size_t off = 0;

	msgpack_unpacked_init(u);
	cr_assert_eq(msgpack_unpack_next(u, p, n, &off), MSGPACK_UNPACK_SUCCESS);
	cr_assert_eq(off, n, "one value, no trailing bytes");
	return u->data;
}

/* Feed all of b to d and collect up to max messages. */
static int
drain(struct proto_decoder *d, struct proto_msg *out, int max)
{
	int n = 0, r;
	char *cause = NULL;

	while (n < max && (r = proto_decoder_next(d, &out[n], &cause)) == 1)
		n++;
	cr_assert_null(cause, "unexpected decoder error: %s", cause);
	return n;
}

static bool
str_is(const char *p, uint32_t n, const char *s)
{
	return strlen(s) == n && memcmp(p, s, n) == 0;
}

/* Three messages of each kind in one buffer. */
static void
three_messages(struct buf *b)
{
	struct proto_enc e;

	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_key(&e, PROTO_F_IDS);
	proto_enc_strs(&e, (const char *[]){ "a", "b/c" }, 2);
	proto_enc_kv_bool(&e, PROTO_F_FORCE, true);
	proto_enc_end(&e);
	proto_pack_request(b, 7, PROTO_M_GENERATE, &e);
	proto_enc_reset(&e);
	proto_enc_map(&e);
	proto_enc_kv_uint(&e, PROTO_F_UPTIME, 123456789012ULL);
	proto_enc_end(&e);
	proto_pack_response(b, 8, &e);
	proto_enc_reset(&e);
	proto_enc_map(&e);
	proto_enc_kv_str(&e, PROTO_F_TYPE, "generated");
	proto_enc_end(&e);
	proto_pack_notification(b, PROTO_N_EVENT, 9, &e);
	proto_enc_free(&e);
}

static void
check_three(struct proto_msg *m)
{
	struct arena *a = arena_new();
	size_t n;
	const char **ids;

	cr_assert_eq(m[0].type, PROTO_MSG_REQUEST);
	cr_assert_eq(m[0].msgid, 7);
	cr_assert(str_is(m[0].method, m[0].method_len, "generate"));
	ids = proto_get_strs(m[0].params, PROTO_F_IDS, a, &n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(ids[0], "a");
	cr_assert_str_eq(ids[1], "b/c");
	cr_assert_null(ids[2]);
	cr_assert(proto_get_bool(m[0].params, PROTO_F_FORCE, false));
	cr_assert_eq(m[1].type, PROTO_MSG_RESPONSE);
	cr_assert_eq(m[1].msgid, 8);
	cr_assert_null(m[1].error);
	cr_assert_eq(proto_get_uint(m[1].result, PROTO_F_UPTIME, 0),
	    123456789012ULL);
	cr_assert_eq(m[2].type, PROTO_MSG_NOTIFICATION);
	cr_assert(str_is(m[2].method, m[2].method_len, "event"));
	cr_assert_eq(proto_get_uint(m[2].params, PROTO_F_STREAM, 0), 9);
	cr_assert_str_eq(proto_get_str(m[2].params, PROTO_F_TYPE, a),
	    "generated");
	arena_free(a);
}

/* ---- the tables ------------------------------------------------------- */

Test(table, methods_are_the_spec_list)
{
	static const char *const spec[] = {
		"hello", "status", "health", "generate", "check", "notify",
		"wait", "list", "show", "history", "deps", "stale",
		"subscribe", "deploy.record", "deploy.list", "rollback",
		"migrate", "roots", "gc",
	};
	size_t n = sizeof(spec) / sizeof(spec[0]);

	cr_assert_eq(PROTO_M__COUNT, n);
	for (size_t i = 0; i < n; i++) {
		const struct proto_method_def *m =
		    proto_method_find(spec[i], strlen(spec[i]));
		cr_assert_not_null(m, "%s missing from methods.def", spec[i]);
		cr_assert_eq(proto_method(m->id), m);
	}
	cr_assert_null(proto_method_find("gcx", 3));
	cr_assert_null(proto_method_find("gc\0x", 4), "embedded NUL");
	cr_assert_null(proto_method_find("g", 1));
	cr_assert_null(proto_method(PROTO_M__COUNT));
}

Test(table, names_are_unique)
{
	for (int i = 0; i < PROTO_F__COUNT; i++)
		for (int j = i + 1; j < PROTO_F__COUNT; j++)
			cr_assert_str_neq(proto_field_name(i),
			    proto_field_name(j));
	for (int i = 0; i < PROTO_M__COUNT; i++)
		for (int j = i + 1; j < PROTO_M__COUNT; j++)
			cr_assert_str_neq(proto_method(i)->name,
			    proto_method(j)->name);
}

/* Within one shape, each field once; records exist where named. */
static void
check_shape(const char *what, struct proto_shape s, bool params)
{
	for (size_t i = 0; i < s.n; i++) {
		const struct proto_param *r = &s.rows[i];

		cr_assert_lt((unsigned)r->field, PROTO_F__COUNT);
		cr_assert_not_null(r->doc, "%s: undocumented field", what);
		for (size_t j = i + 1; j < s.n; j++)
			cr_assert_neq(r->field, s.rows[j].field,
			    "%s: field '%s' twice", what,
			    proto_field_name(r->field));
		if (r->record != PROTO_R_NONE)
			cr_assert(r->type == PROTO_T_MAP ||
			    r->type == PROTO_T_MAPS, "%s.%s", what,
			    proto_field_name(r->field));
		if (r->choices != NULL)
			cr_assert(r->type == PROTO_T_STR ||
			    r->type == PROTO_T_STRS);
		if (params)
			cr_assert_neq(r->field, PROTO_F_ROOT,
			    "%s: root is a common parameter", what);
		else
			cr_assert_eq(r->presence & PROTO_P_OPT_WRITE, 0);
	}
}

Test(table, shapes_are_consistent)
{
	for (int i = 0; i < PROTO_M__COUNT; i++) {
		const struct proto_method_def *m = proto_method(i);

		check_shape(m->name, m->params, true);
		check_shape(m->name, m->result, false);
		cr_assert_gt(m->result.n, 0, "%s returns nothing", m->name);
	}
	for (int i = 1; i < PROTO_R__COUNT; i++)
		check_shape(proto_record(i)->name, proto_record(i)->fields,
		    false);
	for (int i = 0; i < PROTO_N__COUNT; i++) {
		const struct proto_notify_def *n = proto_notification(i);

		check_shape(n->name, n->fields, false);
		cr_assert_eq(n->fields.rows[0].field, PROTO_F_STREAM);
	}
	cr_assert_null(proto_record(PROTO_R_NONE));
	cr_assert_eq(proto_common_params().n, 1);
	cr_assert_eq(proto_common_params().rows[0].field, PROTO_F_ROOT);
	cr_assert_eq(proto_method(PROTO_M_GENERATE)->flags,
	    PROTO_MF_WRITE | PROTO_MF_ASYNC | PROTO_MF_STREAM);
	cr_assert_eq(proto_method(PROTO_M_STATUS)->flags, 0);
}

Test(table, errors)
{
	cr_assert_str_eq(proto_strerror(PROTO_E_PARAMS), "invalid parameters");
	cr_assert_str_eq(proto_error_name(PROTO_E_PARAMS), "invalid_params");
	cr_assert_str_eq(proto_error_name(PROTO_E_VERSION), "version_mismatch");
	cr_assert_str_eq(proto_strerror(9999), "unknown error");
	cr_assert_null(proto_error_name(0));
	for (int c = PROTO_E_INVALID; c <= PROTO_E_INTERNAL; c++)
		cr_assert_not_null(proto_error_name(c), "code %d", c);
}

/* ---- the encoder ------------------------------------------------------ */

/* An array of n nils, closed; check the header and the round trip. */
static void
check_array_of(uint32_t n, uint8_t first, size_t header)
{
	struct proto_enc e;
	msgpack_unpacked u;
	msgpack_object o;
	const char *p;
	size_t len;

	proto_enc_init(&e);
	proto_enc_array(&e);
	for (uint32_t i = 0; i < n; i++)
		proto_enc_uint(&e, i % 100);
	proto_enc_end(&e);
	p = proto_enc_data(&e, &len);
	cr_assert_eq((uint8_t)p[0], first, "n=%u: header 0x%02x", n,
	    (uint8_t)p[0]);
	cr_assert_eq(len, header + n);
	o = unpack1(p, len, &u);
	cr_assert_eq(o.type, MSGPACK_OBJECT_ARRAY);
	cr_assert_eq(o.via.array.size, n);
	for (uint32_t i = 0; i < n; i++)
		cr_assert_eq(o.via.array.ptr[i].via.u64, i % 100);
	msgpack_unpacked_destroy(&u);
	proto_enc_free(&e);
}

Test(enc, smallest_headers)
{
	check_array_of(0, 0x90, 1);
	check_array_of(15, 0x9f, 1);
	check_array_of(16, 0xdc, 3);
	check_array_of(65535, 0xdc, 3);
	check_array_of(65536, 0xdd, 5);
}

Test(enc, nested_maps_round_trip)
{
	struct proto_enc e;
	msgpack_unpacked u;
	msgpack_object o;
	const msgpack_object *roots, *r0;
	struct arena *a = arena_new();
	const char *p;
	size_t len;

	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_str(&e, PROTO_F_SERVER, "choradd 0.1.0");
	proto_enc_key(&e, PROTO_F_ROOTS);
	proto_enc_array(&e);
	for (int i = 0; i < 20; i++) {
		proto_enc_map(&e);
		proto_enc_kv_str(&e, PROTO_F_ROOT, "/srv/x");
		proto_enc_kv_uint(&e, PROTO_F_STALE, (uint64_t)i);
		proto_enc_key(&e, PROTO_F_WORKSPACES);
		proto_enc_array(&e);
		proto_enc_end(&e);
		proto_enc_end(&e);
	}
	proto_enc_end(&e);
	proto_enc_key(&e, PROTO_F_OK);
	proto_enc_nil(&e);
	proto_enc_key(&e, PROTO_F_LINE);
	proto_enc_int(&e, -3);
	proto_enc_end(&e);
	p = proto_enc_data(&e, &len);
	o = unpack1(p, len, &u);
	cr_assert_eq(o.via.map.size, 4);
	cr_assert_str_eq(proto_get_str(&o, PROTO_F_SERVER, a), "choradd 0.1.0");
	roots = proto_get(&o, PROTO_F_ROOTS);
	cr_assert_eq(roots->via.array.size, 20);
	r0 = &roots->via.array.ptr[19];
	cr_assert_eq(proto_get_uint(r0, PROTO_F_STALE, 0), 19);
	cr_assert_eq(proto_get(r0, PROTO_F_WORKSPACES)->via.array.size, 0);
	cr_assert_null(proto_get(&o, PROTO_F_OK), "nil reads as absent");
	cr_assert_eq(proto_get(&o, PROTO_F_LINE)->via.i64, -3);
	cr_assert_eq(proto_get_uint(&o, PROTO_F_LINE, 42), 42,
	    "a negative number is no uint");
	msgpack_unpacked_destroy(&u);
	proto_enc_free(&e);
	arena_free(a);
}

Test(enc, object_passthrough_and_nil_string)
{
	struct proto_enc e, f;
	msgpack_unpacked u, v;
	msgpack_object o;
	const char *p;
	size_t len;

	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_str(&e, PROTO_F_NOTE, NULL);
	proto_enc_kv_str(&e, PROTO_F_ENV, "prod");
	proto_enc_end(&e);
	p = proto_enc_data(&e, &len);
	o = unpack1(p, len, &u);
	proto_enc_init(&f);
	proto_enc_array(&f);
	proto_enc_object(&f, &o);
	proto_enc_end(&f);
	p = proto_enc_data(&f, &len);
	o = unpack1(p, len, &v);
	cr_assert_eq(o.via.array.size, 1);
	cr_assert(proto_str_eq(proto_get(&o.via.array.ptr[0], PROTO_F_ENV),
	    "prod"));
	cr_assert_null(proto_get(&o.via.array.ptr[0], PROTO_F_NOTE));
	msgpack_unpacked_destroy(&u);
	msgpack_unpacked_destroy(&v);
	proto_enc_free(&e);
	proto_enc_free(&f);
}

/* ---- framing and the decoder ------------------------------------------ */

Test(framing, several_messages_in_one_read)
{
	struct buf b = BUF_INIT;
	struct proto_decoder *d = proto_decoder_new(0);
	struct proto_msg m[4];

	three_messages(&b);
	proto_decoder_feed(d, b.data, b.len);
	cr_assert_eq(drain(d, m, 4), 3);
	check_three(m);
	cr_assert_eq(proto_decoder_pending(d), 0);
	for (int i = 0; i < 3; i++)
		proto_msg_free(&m[i]);
	proto_decoder_free(d);
	buf_free(&b);
}

Test(framing, split_at_every_byte)
{
	struct buf b = BUF_INIT;
	struct proto_msg m[4];

	three_messages(&b);
	for (size_t k = 0; k <= b.len; k++) {
		struct proto_decoder *d = proto_decoder_new(0);
		int n;

		proto_decoder_feed(d, b.data, k);
		n = drain(d, m, 4);
		proto_decoder_feed(d, b.data + k, b.len - k);
		n += drain(d, m + n, 4 - n);
		cr_assert_eq(n, 3, "split at %zu", k);
		check_three(m);
		for (int i = 0; i < 3; i++)
			proto_msg_free(&m[i]);
		proto_decoder_free(d);
	}
	buf_free(&b);
}

Test(framing, one_byte_at_a_time)
{
	struct buf b = BUF_INIT;
	struct proto_decoder *d = proto_decoder_new(0);
	struct proto_msg m[4];
	int n = 0;

	three_messages(&b);
	for (size_t i = 0; i < b.len; i++) {
		proto_decoder_feed(d, b.data + i, 1);
		n += drain(d, m + n, 4 - n);
	}
	cr_assert_eq(n, 3);
	check_three(m);
	for (int i = 0; i < 3; i++)
		proto_msg_free(&m[i]);
	proto_decoder_free(d);
	buf_free(&b);
}

Test(framing, messages_outlive_later_reads)
{
	struct buf b = BUF_INIT;
	struct proto_decoder *d = proto_decoder_new(0);
	struct proto_msg m[4], extra[3], scratch;
	char *big = xmalloc(300000), *cause = NULL;

	three_messages(&b);
	proto_decoder_feed(d, b.data, b.len);
	cr_assert_eq(drain(d, m, 4), 3);
	/* Push the buffer through reallocations; m[] must stay valid. */
	memset(big, 'x', 300000);
	for (int i = 0; i < 3; i++) {
		struct proto_enc e;
		struct buf r = BUF_INIT;

		proto_enc_init(&e);
		proto_enc_map(&e);
		proto_enc_key(&e, PROTO_F_TEXT);
		proto_enc_strn(&e, big, 300000);
		proto_enc_end(&e);
		proto_pack_response(&r, (uint32_t)i, &e);
		proto_decoder_feed(d, r.data, r.len);
		cr_assert_eq(drain(d, &extra[i], 1), 1);
		proto_enc_free(&e);
		buf_free(&r);
	}
	/* Nothing pending: the decoder drops its grown buffer. */
	cr_assert_eq(proto_decoder_next(d, &scratch, &cause), 0);
	cr_assert_eq(proto_decoder_pending(d), 0);
	check_three(m);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(proto_get(extra[i].result, PROTO_F_TEXT)->via.str.size,
		    300000);
		proto_msg_free(&m[i]);
		proto_msg_free(&extra[i]);
	}
	free(big);
	proto_decoder_free(d);
	buf_free(&b);
}

Test(framing, error_reply_round_trip)
{
	struct buf b = BUF_INIT;
	struct proto_decoder *d = proto_decoder_new(0);
	struct proto_msg m;
	struct proto_err err;
	char *cause = NULL;

	proto_pack_error(&b, 42, PROTO_E_FAILED, "'backend' is undefined",
	    "templates/x.j2", 12);
	proto_pack_error(&b, 43, PROTO_E_BUSY, NULL, NULL, 0);
	proto_decoder_feed(d, b.data, b.len);
	cr_assert_eq(proto_decoder_next(d, &m, &cause), 1);
	cr_assert_eq(m.type, PROTO_MSG_RESPONSE);
	cr_assert_eq(m.msgid, 42);
	cr_assert_eq(m.result->type, MSGPACK_OBJECT_NIL);
	proto_err_parse(m.error, &err);
	cr_assert_eq(err.code, PROTO_E_FAILED);
	cr_assert_str_eq(err.message, "'backend' is undefined");
	cr_assert_str_eq(err.file, "templates/x.j2");
	cr_assert_eq(err.line, 12);
	proto_err_clear(&err);
	proto_msg_free(&m);
	cr_assert_eq(proto_decoder_next(d, &m, &cause), 1);
	proto_err_parse(m.error, &err);
	cr_assert_eq(err.code, PROTO_E_BUSY);
	cr_assert_str_eq(err.message, "server limit reached");
	cr_assert_null(err.file);
	cr_assert_eq(err.line, 0);
	proto_err_clear(&err);
	proto_msg_free(&m);
	proto_decoder_free(d);
	buf_free(&b);
}

Test(framing, foreign_error_shapes)
{
	static const char str[] = "\xa4oops";
	static const char arr[] = "\x92\x01\xa3" "bad";
	msgpack_unpacked u;
	msgpack_object o;
	struct proto_err e;

	o = unpack1(str, sizeof(str) - 1, &u);
	proto_err_parse(&o, &e);
	cr_assert_str_eq(e.message, "oops");
	cr_assert_eq(e.code, PROTO_E_INTERNAL);
	proto_err_clear(&e);
	msgpack_unpacked_destroy(&u);
	o = unpack1(arr, sizeof(arr) - 1, &u);
	proto_err_parse(&o, &e);
	cr_assert_str_eq(e.message, "malformed error reply");
	proto_err_clear(&e);
	msgpack_unpacked_destroy(&u);
}

Test(framing, empty_params_array_is_an_empty_map)
{
	/* [0, 1, "status", []]: what Neovim's rpcrequest(ch, 'status')
	 * sends. */
	static const char req[] = "\x94\x00\x01\xa6status\x90";
	struct proto_decoder *d = proto_decoder_new(0);
	struct proto_msg m;
	char *cause = NULL;
	bool w;

	proto_decoder_feed(d, req, sizeof(req) - 1);
	cr_assert_eq(proto_decoder_next(d, &m, &cause), 1);
	cr_assert_eq(m.type, PROTO_MSG_REQUEST);
	cr_assert_eq(m.params->type, MSGPACK_OBJECT_MAP);
	cr_assert_eq(m.params->via.map.size, 0);
	cr_assert_eq(proto_check_request(proto_method(PROTO_M_STATUS),
	    m.params, &w, &cause), 0);
	proto_msg_free(&m);
	proto_decoder_free(d);
}

struct shape_case {
	const char	*bytes;
	size_t		 len;
	bool		 has_msgid;
	uint32_t	 msgid;
	const char	*why;
};

#define SHAPE_CASE(b, h, id, w) { b, sizeof(b) - 1, h, id, w }

Test(framing, wrong_top_level_shapes)
{
	static const struct shape_case cases[] = {
		SHAPE_CASE("\x05", false, 0, "must be an array"),
		SHAPE_CASE("\x90", false, 0, "must be an array"),
		SHAPE_CASE("\x80", false, 0, "must be an array"),
		SHAPE_CASE("\x94\x03\x01\xa1x\x90", false, 0, "type 0, 1 or 2"),
		SHAPE_CASE("\x94\xa1x\x01\xa1x\x90", false, 0, "type 0, 1 or 2"),
		SHAPE_CASE("\x93\x00\x01\xa1x", true, 1, "a request must be"),
		SHAPE_CASE("\x95\x00\x02\xa1x\x90\xc0", true, 2,
		    "a request must be"),
		SHAPE_CASE("\x94\x00\xff\xa1x\x90", false, 0, "msgid must be"),
		SHAPE_CASE("\x94\x00\xcf\x00\x00\x00\x01\x00\x00\x00\x00"
		    "\xa1x\x90", false, 0, "msgid must be"),
		SHAPE_CASE("\x94\x00\x03\x05\x90", true, 3,
		    "method must be a non-empty string"),
		SHAPE_CASE("\x94\x00\x03\xa0\x90", true, 3,
		    "method must be a non-empty string"),
		SHAPE_CASE("\x94\x00\x04\xa1x\x80", true, 4,
		    "params must be an array holding one map"),
		SHAPE_CASE("\x94\x00\x04\xa1x\x91\x01", true, 4,
		    "params must be an array holding one map"),
		SHAPE_CASE("\x94\x00\x04\xa1x\x92\x80\x80", true, 4,
		    "params must be an array holding one map"),
		SHAPE_CASE("\x93\x01\x05\xc0", true, 5, "a response must be"),
		SHAPE_CASE("\x92\x02\xa1x", false, 0, "must be an array"),
		SHAPE_CASE("\x94\x02\xa1x\x90\x90", false, 0,
		    "a notification must be"),
	};
	struct proto_decoder *d = proto_decoder_new(0);
	struct buf all = BUF_INIT;
	struct proto_msg m;
	char *cause = NULL;
	size_t n = sizeof(cases) / sizeof(cases[0]);

	for (size_t i = 0; i < n; i++)
		buf_add(&all, cases[i].bytes, cases[i].len);
	proto_decoder_feed(d, all.data, all.len);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(proto_decoder_next(d, &m, &cause), 1, "case %zu",
		    i);
		cr_assert_eq(m.type, PROTO_MSG_INVALID, "case %zu", i);
		cr_assert_not_null(strstr(m.invalid, cases[i].why),
		    "case %zu: %s", i, m.invalid);
		cr_assert_eq(m.has_msgid, cases[i].has_msgid, "case %zu", i);
		if (m.has_msgid)
			cr_assert_eq(m.msgid, cases[i].msgid);
		proto_msg_free(&m);
	}
	cr_assert_eq(proto_decoder_next(d, &m, &cause), 0,
	    "the stream stays in sync after invalid messages");
	proto_decoder_free(d);
	buf_free(&all);
}

/* Feed bytes; expect the stream to break with a cause containing why. */
static struct proto_decoder *
expect_broken(const void *p, size_t n, const char *why)
{
	struct proto_decoder *d = proto_decoder_new(0);
	struct proto_msg m;
	char *cause = NULL;

	proto_decoder_feed(d, p, n);
	cr_assert_eq(proto_decoder_next(d, &m, &cause), -1);
	cr_assert_not_null(strstr(cause, why), "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(proto_decoder_next(d, &m, &cause), -1, "stays broken");
	free(cause);
	return d;
}

Test(decoder, malformed_msgpack)
{
	static const char c1[] = "\x94\x00\x01\xc1";
	struct proto_decoder *d;

	uint32_t id;
	bool has;

	d = expect_broken(c1, sizeof(c1) - 1, "0xc1");
	cr_assert_eq(proto_decoder_error(d, &has, &id), PROTO_E_INVALID);
	cr_assert(has, "[0, 1, ... is a request with msgid 1");
	cr_assert_eq(id, 1);
	proto_decoder_free(d);
	/* A request cut short is not an error, just not there yet. */
	d = proto_decoder_new(0);
	struct proto_msg m;
	char *cause = NULL;
	proto_decoder_feed(d, "\x94\x00\x01\xa6sta", 7);
	cr_assert_eq(proto_decoder_next(d, &m, &cause), 0);
	cr_assert_eq(proto_decoder_pending(d), 7);
	proto_decoder_free(d);
}

Test(decoder, declared_size_refused_before_buffering)
{
	/* [0, 77, "show", [{"text": str32 of 17 MiB ... */
	static const char head[] = "\x94\x00\x4d\xa4show\x91\x81\xa4text"
	    "\xdb\x01\x10\x00\x00";
	struct proto_decoder *d;
	uint32_t id = 0;

	bool has;

	d = expect_broken(head, sizeof(head) - 1, "too large");
	cr_assert_eq(proto_decoder_error(d, &has, &id), PROTO_E_TOO_BIG);
	cr_assert(has);
	cr_assert_eq(id, 77);
	proto_decoder_free(d);
}

Test(decoder, huge_container_counts_refused)
{
	static const char arr[] = "\x94\x00\x01\xa1x\x91\xdd\xff\xff\xff\xff";
	static const char map[] = "\xdf\x7f\xff\xff\xff";

	proto_decoder_free(expect_broken(arr, sizeof(arr) - 1, "too large"));
	proto_decoder_free(expect_broken(map, sizeof(map) - 1, "too large"));
}

Test(decoder, streamed_size_limit)
{
	struct proto_decoder *d = proto_decoder_new(0);
	struct buf b = BUF_INIT;
	struct proto_enc e;
	struct proto_msg m;
	char *big = xcalloc(1, 17u << 20), *cause = NULL;
	size_t off = 0, chunk = PROTO_READ_CHUNK;
	int r = 0;

	memset(big, 'a', 17u << 20);
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_key(&e, PROTO_F_PATHS);
	proto_enc_array(&e);
	for (int i = 0; i < 17; i++)	/* many 1 MiB strings: no one
					   header gives it away */
		proto_enc_strn(&e, big + ((size_t)i << 20), 1u << 20);
	proto_enc_end(&e);
	proto_enc_end(&e);
	proto_pack_request(&b, 5, PROTO_M_NOTIFY, &e);
	while (off < b.len && (r = proto_decoder_next(d, &m, &cause)) == 0) {
		size_t n = b.len - off < chunk ? b.len - off : chunk;

		proto_decoder_feed(d, b.data + off, n);
		off += n;
		cr_assert_leq(proto_decoder_pending(d),
		    PROTO_MAX_MESSAGE + chunk);
	}
	if (r == 0)
		r = proto_decoder_next(d, &m, &cause);
	cr_assert_eq(r, -1);
	cr_assert_not_null(strstr(cause, "too large"));
	cr_assert_lt(off, b.len, "refused before all of it was read");
	free(cause);
	free(big);
	proto_enc_free(&e);
	buf_free(&b);
	proto_decoder_free(d);
}

Test(decoder, just_under_the_limit_passes)
{
	struct proto_decoder *d = proto_decoder_new(1000);
	struct proto_enc e;
	struct buf b = BUF_INIT;
	struct proto_msg m;
	char text[1000], *cause = NULL;

	memset(text, 'z', sizeof(text));
	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_key(&e, PROTO_F_TEXT);
	proto_enc_strn(&e, text, 950);
	proto_enc_end(&e);
	proto_pack_response(&b, 1, &e);
	cr_assert_leq(b.len, 1000);
	proto_decoder_feed(d, b.data, b.len);
	cr_assert_eq(proto_decoder_next(d, &m, &cause), 1);
	proto_msg_free(&m);
	proto_decoder_free(d);
	/* Ten bytes more and the same decoder limit refuses it. */
	d = proto_decoder_new(1000);
	proto_enc_reset(&e);
	buf_reset(&b);
	proto_enc_map(&e);
	proto_enc_key(&e, PROTO_F_TEXT);
	proto_enc_strn(&e, text, 990);
	proto_enc_end(&e);
	proto_pack_response(&b, 1, &e);
	proto_decoder_feed(d, b.data, b.len);
	cr_assert_eq(proto_decoder_next(d, &m, &cause), -1);
	free(cause);
	proto_decoder_free(d);
	proto_enc_free(&e);
	buf_free(&b);
}

Test(decoder, depth_limit)
{
	char deep[PROTO_MAX_DEPTH + 2];

	memset(deep, 0x91, sizeof(deep));	/* [[[[...]]]] */
	deep[sizeof(deep) - 1] = 0x00;
	proto_decoder_free(expect_broken(deep, sizeof(deep), "nested deeper"));
}

Test(decoder, depth_at_the_limit_passes)
{
	char deep[PROTO_MAX_DEPTH + 1];
	struct proto_decoder *d = proto_decoder_new(0);
	struct proto_msg m;
	char *cause = NULL;

	memset(deep, 0x91, sizeof(deep));
	deep[sizeof(deep) - 1] = 0x00;
	proto_decoder_feed(d, deep, sizeof(deep));
	cr_assert_eq(proto_decoder_next(d, &m, &cause), 1);
	cr_assert_eq(m.type, PROTO_MSG_INVALID);
	proto_msg_free(&m);
	proto_decoder_free(d);
}

Test(decoder, object_count_limit)
{
	size_t n = PROTO_MAX_OBJECTS + 1;
	char *p = xmalloc(n + 5);

	p[0] = (char)0xdd;
	p[1] = (char)(n >> 24);
	p[2] = (char)(n >> 16);
	p[3] = (char)(n >> 8);
	p[4] = (char)n;
	memset(p + 5, 0xc0, n);
	proto_decoder_free(expect_broken(p, n + 5, "more than"));
	free(p);
}

Test(decoder, all_scalar_kinds)
{
	/* [nil,false,true,1.5f,2.5,0xcc..0xd0,fixext1,ext8,bin8,str8,-1] */
	static const char v[] = "\x9f\xc0\xc2\xc3"
	    "\xca\x3f\xc0\x00\x00" "\xcb\x40\x04\x00\x00\x00\x00\x00\x00"
	    "\xcc\xff" "\xcd\xff\xff" "\xce\xff\xff\xff\xff"
	    "\xcf\x00\x00\x00\x00\x00\x00\x00\x01"
	    "\xd0\x80"
	    "\xd4\x01\x02" "\xc7\x02\x05\xaa\xbb" "\xc4\x03xyz"
	    "\xd9\x02hi" "\xff";
	struct proto_decoder *d = proto_decoder_new(0);
	struct proto_msg m;
	char *cause = NULL;

	for (size_t i = 0; i < sizeof(v) - 1; i++) {
		cr_assert_eq(proto_decoder_next(d, &m, &cause), 0, "at %zu", i);
		proto_decoder_feed(d, v + i, 1);
	}
	cr_assert_eq(proto_decoder_next(d, &m, &cause), 1);
	cr_assert_eq(m.type, PROTO_MSG_INVALID);
	cr_assert_eq(proto_decoder_pending(d), 0);
	proto_msg_free(&m);
	proto_decoder_free(d);
}

/* ---- proto_check_request ---------------------------------------------- */

/* A valid value for row (its first choice where restricted). */
static void
valid_value(struct proto_enc *e, const struct proto_param *row)
{
	char first[64] = "x";

	if (row->choices != NULL)
		sscanf(row->choices, "%63[^|]", first);
	switch (row->type) {
	case PROTO_T_BOOL: proto_enc_bool(e, true); break;
	case PROTO_T_UINT: proto_enc_uint(e, 5); break;
	case PROTO_T_STR: proto_enc_str(e, first); break;
	case PROTO_T_STRS: proto_enc_strs(e, (const char *[]){ first }, 1);
		break;
	case PROTO_T_MAP: proto_enc_map(e); proto_enc_end(e); break;
	case PROTO_T_MAPS:
		proto_enc_array(e);
		proto_enc_map(e);
		proto_enc_end(e);
		proto_enc_end(e);
		break;
	}
}

/* A value of the wrong type for row. */
static void
wrong_value(struct proto_enc *e, const struct proto_param *row)
{
	switch (row->type) {
	case PROTO_T_BOOL: proto_enc_uint(e, 1); break;
	case PROTO_T_UINT: proto_enc_int(e, -1); break;
	case PROTO_T_STR: proto_enc_uint(e, 3); break;
	case PROTO_T_STRS: proto_enc_strs(e, (const char *[]){ "a", NULL }, 2);
		break;
	case PROTO_T_MAP: proto_enc_str(e, "{}"); break;
	case PROTO_T_MAPS: proto_enc_strs(e, (const char *[]){ "a" }, 1);
		break;
	}
}

enum mutate { ALL_VALID, OMIT, WRONG, ONLY_REQUIRED };

/*
 * Params for m: every field valid, except target (omitted or wrongly
 * typed); check them and return the result and the cause.
 */
static int
check_with(const struct proto_method_def *m, size_t target, enum mutate how,
    bool *write, char **cause)
{
	struct proto_enc e;
	msgpack_unpacked u;
	msgpack_object o;
	const char *p;
	size_t len;
	int r;

	proto_enc_init(&e);
	proto_enc_map(&e);
	for (size_t i = 0; i < m->params.n; i++) {
		const struct proto_param *row = &m->params.rows[i];

		if ((i == target && how == OMIT) ||
		    (how == ONLY_REQUIRED && !(row->presence & PROTO_P_REQ)))
			continue;
		proto_enc_key(&e, row->field);
		if (i == target && how == WRONG)
			wrong_value(&e, row);
		else
			valid_value(&e, row);
	}
	proto_enc_end(&e);
	p = proto_enc_data(&e, &len);
	o = unpack1(p, len, &u);
	*cause = NULL;
	r = proto_check_request(m, &o, write, cause);
	msgpack_unpacked_destroy(&u);
	proto_enc_free(&e);
	return r;
}

Test(check, every_method_accepts_valid_params)
{
	for (int i = 0; i < PROTO_M__COUNT; i++) {
		const struct proto_method_def *m = proto_method(i);
		char *cause;
		bool w;

		cr_assert_eq(check_with(m, SIZE_MAX, ALL_VALID, &w, &cause), 0,
		    "%s: %s", m->name, cause);
		cr_assert_eq(check_with(m, SIZE_MAX, ONLY_REQUIRED, &w,
		    &cause), 0, "%s: %s", m->name, cause);
		cr_assert_eq(w, (m->flags & PROTO_MF_WRITE) != 0, "%s",
		    m->name);
	}
}

Test(check, every_required_field_is_required)
{
	int nreq = 0;

	for (int i = 0; i < PROTO_M__COUNT; i++) {
		const struct proto_method_def *m = proto_method(i);

		for (size_t f = 0; f < m->params.n; f++) {
			char *cause, want[128];
			bool w;

			if (!(m->params.rows[f].presence & PROTO_P_REQ))
				continue;
			nreq++;
			cr_assert_eq(check_with(m, f, OMIT, &w, &cause), -1);
			snprintf(want, sizeof(want), "%s: field '%s' is "
			    "required", m->name,
			    proto_field_name(m->params.rows[f].field));
			cr_assert_str_eq(cause, want);
			free(cause);
		}
	}
	cr_assert_geq(nreq, 10, "the table has required fields to test");
}

Test(check, every_field_rejects_the_wrong_type)
{
	for (int i = 0; i < PROTO_M__COUNT; i++) {
		const struct proto_method_def *m = proto_method(i);

		for (size_t f = 0; f < m->params.n; f++) {
			const struct proto_param *row = &m->params.rows[f];
			char *cause, want[128];
			bool w;

			cr_assert_eq(check_with(m, f, WRONG, &w, &cause), -1,
			    "%s.%s", m->name, proto_field_name(row->field));
			snprintf(want, sizeof(want), "%s: field '%s' must be "
			    "%s", m->name, proto_field_name(row->field),
			    proto_type_name(row->type));
			cr_assert(strncmp(cause, want, strlen(want)) == 0,
			    "got: %s; want: %s", cause, want);
			free(cause);
		}
	}
}

/* Check a request given as raw msgpack params; returns cause or NULL. */
static char *
check_raw(enum proto_method id, const char *p, size_t n, bool *write)
{
	msgpack_unpacked u;
	msgpack_object o = unpack1(p, n, &u);
	char *cause = NULL;
	bool w = false;

	if (proto_check_request(proto_method(id), &o, &w, &cause) == 0)
		cr_assert_null(cause);
	if (write != NULL)
		*write = w;
	msgpack_unpacked_destroy(&u);
	return cause;
}

#define CHECK_RAW(id, lit, w) check_raw(id, lit, sizeof(lit) - 1, w)

Test(check, precise_messages)
{
	char *c;

	c = CHECK_RAW(PROTO_M_GENERATE, "\x81\xa3ids\xa1x", NULL);
	cr_assert_str_eq(c, "generate: field 'ids' must be an array of "
	    "strings (UTF-8, no NUL bytes)");
	free(c);
	c = CHECK_RAW(PROTO_M_GENERATE, "\x81\xa3idz\x90", NULL);
	cr_assert_str_eq(c, "generate: unknown field 'idz'");
	free(c);
	c = CHECK_RAW(PROTO_M_GENERATE, "\x81\xa0\x90", NULL);
	cr_assert_str_eq(c, "generate: unknown field ''");
	free(c);
	c = CHECK_RAW(PROTO_M_GENERATE, "\x81\xa3i\x01z\x90", NULL);
	cr_assert_str_eq(c, "generate: unknown field 'i\\x01z'");
	free(c);
	c = CHECK_RAW(PROTO_M_GENERATE, "\x82\xa5" "force\xc3\xa5" "force\xc2",
	    NULL);
	cr_assert_str_eq(c, "generate: field 'force' given twice");
	free(c);
	c = CHECK_RAW(PROTO_M_GENERATE, "\x81\x01\xc3", NULL);
	cr_assert_str_eq(c, "generate: field names must be strings");
	free(c);
	c = CHECK_RAW(PROTO_M_LIST, "\x81\xa4type\xa3" "foo", NULL);
	cr_assert_str_eq(c, "list: field 'type' must be one of configs, "
	    "content, artifacts, collections, not 'foo'");
	free(c);
	c = CHECK_RAW(PROTO_M_SUBSCRIBE, "\x81\xa5types\x92\xa5" "drift\xa3"
	    "bad", NULL);
	cr_assert_str_eq(c, "subscribe: field 'types' must be one of "
	    "generated, failed, recovered, drift, deploy, rollback, not 'bad'");
	free(c);
	c = CHECK_RAW(PROTO_M_SHOW, "\x81\xa2id\xa3" "a\x00" "b", NULL);
	cr_assert_str_eq(c, "show: field 'id' must be a string (UTF-8, no "
	    "NUL bytes)");
	free(c);
	c = CHECK_RAW(PROTO_M_SHOW, "\x81\xa2id\xa2\xc3\x28", NULL);
	cr_assert_not_null(c, "invalid UTF-8");
	free(c);
	c = CHECK_RAW(PROTO_M_SHOW, "\x81\xa2id\xc4\x01x", NULL);
	cr_assert_not_null(c, "bin is not str");
	free(c);
	c = CHECK_RAW(PROTO_M_SHOW, "\x81\xa2id\xa5\xc3\xa9t\xc3\xa9", NULL);
	cr_assert_null(c, "valid UTF-8: %s", c);
	c = CHECK_RAW(PROTO_M_SHOW, "\x81\xa2id\xc0", NULL);
	cr_assert_str_eq(c, "show: field 'id' is required", "nil is absent");
	free(c);
	c = CHECK_RAW(PROTO_M_SHOW, "\x82\xa2id\xa1x\xa4root\xa2/r", NULL);
	cr_assert_null(c, "root is accepted by every method");
	c = CHECK_RAW(PROTO_M_STATUS, "\x81\xa4root\x01", NULL);
	cr_assert_str_eq(c, "status: field 'root' must be a string (UTF-8, "
	    "no NUL bytes)");
	free(c);
	c = CHECK_RAW(PROTO_M_STATUS, "\x91\x80", NULL);
	cr_assert_str_eq(c, "status: params must be a map");
	free(c);
}

Test(check, utf8_edge_cases)
{
	static const char *const bad[] = {
		"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\xf8\x88\x80\x80\x80", "\xe2\x82", "\x80",
	};
	static const char *const good[] = {
		"\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x7f", "\xef\xbf\xbf",
	};
	struct buf b = BUF_INIT;
	char *c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&b);
		buf_add(&b, "\x81\xa2id", 4);
		buf_addc(&b, (char)(0xa0 | strlen(bad[i])));
		buf_addstr(&b, bad[i]);
		c = check_raw(PROTO_M_SHOW, b.data, b.len, NULL);
		cr_assert_not_null(c, "bad %zu", i);
		free(c);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		buf_reset(&b);
		buf_add(&b, "\x81\xa2id", 4);
		buf_addc(&b, (char)(0xa0 | strlen(good[i])));
		buf_addstr(&b, good[i]);
		c = check_raw(PROTO_M_SHOW, b.data, b.len, NULL);
		cr_assert_null(c, "good %zu: %s", i, c);
	}
	buf_free(&b);
}

Test(check, write_fields)
{
	bool w = true;
	char *c;

	c = CHECK_RAW(PROTO_M_ROOTS, "\x80", &w);
	cr_assert_null(c);
	cr_assert_not(w, "listing roots reads");
	c = CHECK_RAW(PROTO_M_ROOTS, "\x81\xa3" "add\xa2/x", &w);
	cr_assert_null(c);
	cr_assert(w, "adding a root writes");
	c = CHECK_RAW(PROTO_M_ROOTS, "\x81\xa3" "add\xc0", &w);
	cr_assert_null(c);
	cr_assert_not(w, "a nil add is no add");
}

/* ---- accessors -------------------------------------------------------- */

Test(get, wrong_types_read_as_absent)
{
	static const char v[] = "\x85\xa2id\x05\xa5" "force\xa1x\xa5limit\xc3"
	    "\xa3ids\x93\xa1" "a\x01\xa1" "b\xa4" "text\xa3" "a\x00" "b";
	msgpack_unpacked u;
	msgpack_object o = unpack1(v, sizeof(v) - 1, &u);
	struct arena *a = arena_new();
	const char **s;
	size_t n;

	cr_assert_null(proto_get_str(&o, PROTO_F_ID, a));
	cr_assert_null(proto_get_str(&o, PROTO_F_TEXT, a), "embedded NUL");
	cr_assert_eq(proto_get_bool(&o, PROTO_F_FORCE, true), true);
	cr_assert_eq(proto_get_uint(&o, PROTO_F_LIMIT, 9), 9);
	s = proto_get_strs(&o, PROTO_F_IDS, a, &n);
	cr_assert_eq(n, 2, "the integer is skipped");
	cr_assert_str_eq(s[1], "b");
	s = proto_get_strs(&o, PROTO_F_PATHS, a, &n);
	cr_assert_eq(n, 0);
	cr_assert_null(s[0]);
	cr_assert_null(proto_get(NULL, PROTO_F_ID));
	cr_assert_null(proto_get(&o.via.map.ptr[0].val, PROTO_F_ID));
	cr_assert_not(proto_str_eq(NULL, "x"));
	cr_assert_not(proto_str_eq(&o.via.map.ptr[1].val, "xy"));
	cr_assert(proto_str_eq(&o.via.map.ptr[1].val, "x"));
	msgpack_unpacked_destroy(&u);
	arena_free(a);
}

/* ---- the socket path -------------------------------------------------- */

Test(socket, resolution_order)
{
	char *p, *cause = NULL, cwd[4096];

	unsetenv("CHORA_SOCKET");
	unsetenv("XDG_RUNTIME_DIR");
	p = proto_socket_path(NULL, &cause);
	cr_assert_str_eq(p, "/run/chora/choradd.sock");
	free(p);
	setenv("XDG_RUNTIME_DIR", "/run/user/1000/", 1);
	p = proto_socket_path(NULL, &cause);
	cr_assert_str_eq(p, "/run/user/1000/chora/choradd.sock");
	free(p);
	setenv("CHORA_SOCKET", "/tmp/c.sock", 1);
	p = proto_socket_path(NULL, &cause);
	cr_assert_str_eq(p, "/tmp/c.sock");
	free(p);
	p = proto_socket_path("/a//b/../s.sock", &cause);
	cr_assert_str_eq(p, "/a/s.sock");
	free(p);
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	p = proto_socket_path("rel.sock", &cause);
	cr_assert_eq(strncmp(p, cwd, strlen(cwd)), 0);
	cr_assert_str_eq(p + strlen(p) - 9, "/rel.sock");
	free(p);
	setenv("CHORA_SOCKET", "", 1);
	p = proto_socket_path(NULL, &cause);
	cr_assert_str_eq(p, "/run/user/1000/chora/choradd.sock",
	    "an empty variable is unset");
	free(p);
}

Test(socket, refuses_what_cannot_be_bound)
{
	char long_path[200], *cause = NULL;

	memset(long_path, 'a', sizeof(long_path));
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	cr_assert_null(proto_socket_path(long_path, &cause));
	cr_assert_not_null(strstr(cause, "socket path too long"));
	free(cause);
	cr_assert_null(proto_socket_path("", &cause));
	cr_assert_str_eq(cause, "empty socket path");
	free(cause);
}

/* ---- the fuzz target, replayed on mutated seeds ------------------------- */

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Valid requests for every method with every field, and more. */
static void
fuzz_seeds(struct buf *b)
{
	struct proto_enc e;

	three_messages(b);
	proto_pack_error(b, 3, PROTO_E_FAILED, "m", "f.j2", 2);
	proto_enc_init(&e);
	for (int i = 0; i < PROTO_M__COUNT; i++) {
		const struct proto_method_def *m = proto_method(i);

		proto_enc_reset(&e);
		proto_enc_map(&e);
		for (size_t f = 0; f < m->params.n; f++) {
			proto_enc_key(&e, m->params.rows[f].field);
			valid_value(&e, &m->params.rows[f]);
		}
		proto_enc_end(&e);
		proto_pack_request(b, (uint32_t)i, (enum proto_method)i, &e);
	}
	proto_enc_free(&e);
}

Test(fuzz, mutated_seeds_never_crash)
{
	struct buf seeds = BUF_INIT, in = BUF_INIT;
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	char piece[64];

	fuzz_seeds(&seeds);
	cr_assert_eq(LLVMFuzzerTestOneInput((const uint8_t *)seeds.data,
	    seeds.len), 0);
	for (int i = 0; i < 60000; i++) {
		size_t start = xorshift(&s) % seeds.len, len;

		len = xorshift(&s) % (seeds.len - start) + 1;
		buf_reset(&in);
		buf_add(&in, seeds.data + start, len);
		for (int k = (int)(xorshift(&s) % 8); k >= 0; k--) {
			size_t at = xorshift(&s) % in.len;

			switch (xorshift(&s) % 4) {
			case 0:		/* flip a bit */
				in.data[at] ^= (char)(1u << (xorshift(&s) % 8));
				break;
			case 1:		/* a header-ish byte */
				in.data[at] = (char)(0xc0 + xorshift(&s) % 64);
				break;
			case 2:		/* cut */
				in.len = at + 1;
				break;
			default:	/* repeat a piece */
				memcpy(piece, in.data + at, (in.len - at) % 64);
				buf_add(&in, piece, (in.len - at) % 64);
				break;
			}
		}
		cr_assert_eq(LLVMFuzzerTestOneInput((const uint8_t *)in.data,
		    in.len), 0);
	}
	buf_free(&seeds);
	buf_free(&in);
}

/* The daemon's subscribers take their event types from the table. */
Test(table, choices_of_a_parameter)
{
	const char *c = proto_param_choices(PROTO_M_SUBSCRIBE, PROTO_F_TYPES);

	cr_assert_not_null(c);
	cr_assert_eq(proto_choice_index(c, "generated", 9), 0);
	cr_assert_eq(proto_choice_index(c, "recovered", 9), 2);
	cr_assert(proto_choice_index(c, "rollback", 8) > 0);
	cr_assert_eq(proto_choice_index(c, "gen", 3), -1, "a prefix");
	cr_assert_eq(proto_choice_index(c, "nope", 4), -1);
	cr_assert_null(proto_param_choices(PROTO_M_SUBSCRIBE, PROTO_F_ID));
	cr_assert_null(proto_param_choices(PROTO_M_STATUS, PROTO_F_TYPES));
}

Test(enc, optional_string_is_left_out)
{
	struct proto_enc e;
	size_t n;

	proto_enc_init(&e);
	proto_enc_map(&e);
	proto_enc_kv_str_opt(&e, PROTO_F_ID, NULL);
	proto_enc_kv_str_opt(&e, PROTO_F_PATH, "p");
	proto_enc_end(&e);
	/* fixmap of 1, "path", "p" */
	cr_assert_eq(proto_enc_data(&e, &n)[0], (char)0x81);
	cr_assert_eq(n, 1 + 1 + strlen("path") + 1 + 1);
	proto_enc_free(&e);
}
