/*
 * Unit tests for rpc_fmt: times given by clients, failures split into
 * file, line and message, id matching, JSON context as msgpack.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "proto.h"
#include "rpc_methods.h"

/* Decode e's single value into *o (zone is the caller's). */
static void
decode(const struct proto_enc *e, msgpack_zone *zone, msgpack_object *o)
{
	size_t len, off = 0;
	const char *data = proto_enc_data(e, &len);

	msgpack_zone_init(zone, 1024);
	cr_assert_eq(msgpack_unpack(data, len, &off, zone, o),
	    MSGPACK_UNPACK_SUCCESS);
}

static bool
str_is(const msgpack_object *map, enum proto_field f, const char *want)
{
	return proto_str_eq(proto_get(map, f), want);
}

Test(rpc_fmt, times)
{
	int64_t ms, now = 1767323045000;	/* 2026-01-02T03:04:05Z */
	char out[32];

	rpc_fmt_time(now, out);
	cr_assert_str_eq(out, "2026-01-02T03:04:05Z");
	cr_assert_eq(rpc_fmt_parse_time("2026-01-02T03:04:05Z", 0, &ms), 0);
	cr_assert_eq(ms, now);
	cr_assert_eq(rpc_fmt_parse_time("2026-01-02", 0, &ms), 0);
	cr_assert_eq(ms, now - (3 * 3600 + 4 * 60 + 5) * 1000);
	cr_assert_eq(rpc_fmt_parse_time("15m", now, &ms), 0);
	cr_assert_eq(ms, now - 15 * 60 * 1000);
	cr_assert_eq(rpc_fmt_parse_time("7d", now, &ms), 0);
	cr_assert_eq(ms, now - 7 * 86400 * 1000LL);
	cr_assert_eq(rpc_fmt_parse_time("0s", now, &ms), 0);
	cr_assert_eq(ms, now);
	const char *bad[] = { "", "yesterday", "15", "15x", "m", "-5m",
	    "2026-13-45", "2026-01-02T03:04:05Zjunk", "1h2m",
	    "99999999999999999999d" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(rpc_fmt_parse_time(bad[i], now, &ms), -1, "%s",
		    bad[i]);
}

Test(rpc_fmt, failure_with_file_and_line)
{
	struct proto_enc e;
	msgpack_zone zone;
	msgpack_object o;

	proto_enc_init(&e);
	rpc_fmt_failure(&e, "compose/mysql", "default",
	    "templates/x.j2:12: error: 'backend' is undefined");
	decode(&e, &zone, &o);
	cr_assert(str_is(&o, PROTO_F_ID, "compose/mysql"));
	cr_assert(str_is(&o, PROTO_F_WORKSPACE, "default"));
	cr_assert(str_is(&o, PROTO_F_FILE, "templates/x.j2"));
	cr_assert_eq(proto_get_uint(&o, PROTO_F_LINE, 0), 12);
	cr_assert(str_is(&o, PROTO_F_MESSAGE, "'backend' is undefined"));
	msgpack_zone_destroy(&zone);
	proto_enc_free(&e);
}

Test(rpc_fmt, failure_without_a_location)
{
	static const char *const msgs[] = {
		"plain message",
		"a:b: error: no line number",
		"x.j2:0: error: line zero is no line",
		"x.j2:12junk: error: not a number",
		": error: nothing before",
	};
	struct proto_enc e;
	msgpack_zone zone;
	msgpack_object o;

	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		proto_enc_init(&e);
		rpc_fmt_failure(&e, "id", NULL, msgs[i]);
		decode(&e, &zone, &o);
		cr_assert_null(proto_get(&o, PROTO_F_FILE), "%s", msgs[i]);
		cr_assert_null(proto_get(&o, PROTO_F_WORKSPACE));
		cr_assert(str_is(&o, PROTO_F_MESSAGE, msgs[i]), "%s", msgs[i]);
		msgpack_zone_destroy(&zone);
		proto_enc_free(&e);
	}
}

Test(rpc_fmt, id_match)
{
	cr_assert(rpc_fmt_id_match("compose", "compose"));
	cr_assert(rpc_fmt_id_match("compose", "compose/mysql"));
	cr_assert(rpc_fmt_id_match("compose/mysql", "compose/mysql"));
	cr_assert_not(rpc_fmt_id_match("compose", "composer"));
	cr_assert_not(rpc_fmt_id_match("compose/mysql", "compose"));
	cr_assert_not(rpc_fmt_id_match("comp", "compose/mysql"));
}

Test(rpc_fmt, json_context)
{
	struct proto_enc e;
	msgpack_zone zone;
	msgpack_object o;
	const msgpack_object *ctx, *tier = NULL;
	char deep[200] = "";

	proto_enc_init(&e);
	proto_enc_map(&e);
	rpc_fmt_json(&e, PROTO_F_CONTEXT, "{\"team\": \"infra\", \"n\": -3, "
	    "\"f\": 0.5, \"ok\": true, \"none\": null, \"tier\": {\"l\": [1]}}");
	rpc_fmt_json(&e, PROTO_F_ID, "not json");
	rpc_fmt_json(&e, PROTO_F_PATH, NULL);
	proto_enc_end(&e);
	decode(&e, &zone, &o);
	cr_assert_null(proto_get(&o, PROTO_F_ID), "bad JSON is left out");
	cr_assert_null(proto_get(&o, PROTO_F_PATH));
	ctx = proto_get(&o, PROTO_F_CONTEXT);
	cr_assert_not_null(ctx);
	cr_assert_eq(ctx->type, MSGPACK_OBJECT_MAP);
	cr_assert_eq(ctx->via.map.size, 6);
	for (uint32_t i = 0; i < ctx->via.map.size; i++) {
		const msgpack_object_kv *kv = &ctx->via.map.ptr[i];
		if (proto_str_eq(&kv->key, "n"))
			cr_assert_eq(kv->val.via.i64, -3);
		if (proto_str_eq(&kv->key, "f"))
			cr_assert_float_eq(kv->val.via.f64, 0.5, 1e-12);
		if (proto_str_eq(&kv->key, "none"))
			cr_assert_eq(kv->val.type, MSGPACK_OBJECT_NIL);
		if (proto_str_eq(&kv->key, "tier"))
			tier = &kv->val;
	}
	cr_assert_not_null(tier);
	cr_assert_eq(tier->type, MSGPACK_OBJECT_MAP);
	msgpack_zone_destroy(&zone);
	proto_enc_free(&e);

	/* Nesting deeper than the wire allows becomes JSON text. */
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	for (int i = 0; i < 40; i++)
		strcat(deep, "]");
	proto_enc_init(&e);
	proto_enc_map(&e);
	rpc_fmt_json(&e, PROTO_F_CONTEXT, deep);
	proto_enc_end(&e);
	decode(&e, &zone, &o);
	ctx = proto_get(&o, PROTO_F_CONTEXT);
	for (int depth = 0; ctx->type == MSGPACK_OBJECT_ARRAY; depth++) {
		cr_assert_lt(depth, PROTO_MAX_DEPTH);
		ctx = &ctx->via.array.ptr[0];
	}
	cr_assert_eq(ctx->type, MSGPACK_OBJECT_STR);
	msgpack_zone_destroy(&zone);
	proto_enc_free(&e);
}
