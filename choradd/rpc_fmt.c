/*
 * rpc_fmt — small pieces of results that several handlers build the
 * same way: times, failures with their file and line, context maps, id
 * matching, store errors.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc_methods.h"

void
rpc_fmt_time(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(out, "1970-01-01T00:00:00Z");
}

/* "15m" and friends: seconds, or -1. */
static int64_t
duration_s(const char *s)
{
	static const struct {
		char	 unit;
		int64_t	 seconds;
	} units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 },
	};
	char *end;
	long long n;

	if (!isdigit((unsigned char)*s))
		return -1;
	n = strtoll(s, &end, 10);
	if (end[0] == '\0' || end[1] != '\0' || n < 0 || n > 100LL * 365 *
	    86400)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].unit == *end)
			return (int64_t)n * units[i].seconds;
	return -1;
}

int
rpc_fmt_parse_time(const char *s, int64_t now_ms, int64_t *ms)
{
	static const char *const fmts[] = {
		"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%MZ",
		"%Y-%m-%d %H:%M:%S", "%Y-%m-%d",
	};
	int64_t d;

	if ((d = duration_s(s)) >= 0) {
		*ms = now_ms - d * 1000;
		return 0;
	}
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct tm tm = { 0 };
		const char *end = strptime(s, fmts[i], &tm);
		if (end != NULL && *end == '\0') {
			*ms = (int64_t)timegm(&tm) * 1000;
			return 0;
		}
	}
	return -1;
}

void
rpc_fmt_error_fields(struct proto_enc *e, const char *error)
{
	const char *m = strstr(error, ": error: ");
	const char *colon = NULL;
	char *end;
	unsigned long line = 0;

	if (m != NULL && (colon = memrchr(error, ':', (size_t)(m - error))) !=
	    NULL) {
		line = strtoul(colon + 1, &end, 10);
		if (end != m || line == 0 || line > UINT32_MAX)
			colon = NULL;
	}
	if (colon == NULL) {
		proto_enc_kv_str(e, PROTO_F_MESSAGE, error);
		return;
	}
	proto_enc_key(e, PROTO_F_FILE);
	proto_enc_strn(e, error, (size_t)(colon - error));
	proto_enc_kv_uint(e, PROTO_F_LINE, line);
	proto_enc_kv_str(e, PROTO_F_MESSAGE, m + strlen(": error: "));
}

void
rpc_fmt_failure(struct proto_enc *e, const char *id, const char *ws,
    const char *error)
{
	proto_enc_map(e);
	proto_enc_kv_str(e, PROTO_F_ID, id);
	proto_enc_kv_str_opt(e, PROTO_F_WORKSPACE, ws);
	rpc_fmt_error_fields(e, error);
	proto_enc_end(e);
}

void
rpc_fmt_output(struct proto_enc *e, const char *id, const char *ws,
    const char *path, const char *hash, const char *action, bool drifted)
{
	proto_enc_map(e);
	proto_enc_kv_str(e, PROTO_F_ID, id);
	proto_enc_kv_str(e, PROTO_F_WORKSPACE, ws);
	proto_enc_kv_str(e, PROTO_F_PATH, path != NULL ? path : "");
	proto_enc_kv_str(e, PROTO_F_HASH, hash);
	proto_enc_kv_str(e, PROTO_F_ACTION, action);
	if (drifted)
		proto_enc_kv_bool(e, PROTO_F_DRIFTED, true);
	proto_enc_end(e);
}

bool
rpc_fmt_id_match(const char *id, const char *out)
{
	size_t l = strlen(id);

	return strcmp(id, out) == 0 || (strncmp(id, out, l) == 0 &&
	    out[l] == '/');
}

void
rpc_fmt_store_error(struct rpc_req *req, char *cause)
{
	rpc_reply_errorf(req, PROTO_E_STORE, "%s: %s",
	    proto_method(rpc_req_method(req))->name, cause);
	free(cause);
}

/* One JSON value as msgpack. */
static void
enc_json(struct proto_enc *e, const json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;

	/* Deeper than the wire allows: the rest as JSON text. */
	if (e->depth + 2 >= PROTO_MAX_DEPTH && (json_is_object(v) ||
	    json_is_array(v))) {
		char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		proto_enc_str(e, t != NULL ? t : "");
		free(t);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		proto_enc_map(e);
		json_object_foreach((json_t *)v, k, x) {
			proto_enc_str(e, k);
			enc_json(e, x);
		}
		proto_enc_end(e);
		break;
	case JSON_ARRAY:
		proto_enc_array(e);
		json_array_foreach(v, i, x)
			enc_json(e, x);
		proto_enc_end(e);
		break;
	case JSON_STRING:
		proto_enc_strn(e, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		proto_enc_int(e, json_integer_value(v));
		break;
	case JSON_REAL:
		proto_enc_double(e, json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		proto_enc_bool(e, json_is_true(v));
		break;
	default:
		proto_enc_nil(e);
		break;
	}
}

void
rpc_fmt_json(struct proto_enc *e, enum proto_field f, const char *text)
{
	json_t *v;

	if (text == NULL || (v = json_loads(text, JSON_DECODE_ANY |
	    JSON_ALLOW_NUL, NULL)) == NULL)
		return;
	proto_enc_key(e, f);
	enc_json(e, v);
	json_decref(v);
}
