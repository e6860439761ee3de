/*
 * out_json — the backend for programs: the daemon's result as one JSON
 * document (keys as the protocol names them, docs/protocol.md), events
 * as JSON lines, errors as {"error": {code, name, message, file, line}}.
 * The pieces meant for people are ignored.
 */
#include <jansson.h>
#include <stdio.h>

#include "client.h"
#include "out.h"

static void
json_print(json_t *v)
{
	if (v == NULL || json_dumpf(v, stdout, JSON_COMPACT |
	    JSON_ENCODE_ANY) == -1)
		fputs("null", stdout);
	putchar('\n');
	fflush(stdout);
	json_decref(v);
}

static void
json_result(const msgpack_object *res)
{
	json_print(res != NULL ? out_to_json(res) : json_object());
}

static void
json_table(const struct out_col *cols, size_t ncols,
    const msgpack_object *rows)
{
	(void)cols;
	(void)ncols;
	(void)rows;
}

static void
json_ignore(const char *text)
{
	(void)text;
}

static void
json_raw(const char *s, size_t n)
{
	(void)s;
	(void)n;
}

static void
json_failure(const msgpack_object *f)
{
	(void)f;
}

/* A stream event: its map without the stream's msgid. */
static void
json_event(const msgpack_object *ev)
{
	json_t *v = out_to_json(ev);

	json_object_del(v, proto_field_name(PROTO_F_STREAM));
	json_print(v);
}

static void
json_error(const struct client_error *err)
{
	static const char *const local[] = {
		[CLIENT_OK] = "client", [CLIENT_UNREACHABLE] = "unreachable",
		[CLIENT_PROTOCOL] = "protocol", [CLIENT_TIMEOUT] = "timeout",
		[CLIENT_REMOTE] = "remote",
	};
	const char *name = err->status == CLIENT_REMOTE ?
	    proto_error_name(err->code) : NULL;
	json_t *e = json_object();

	fprintf(stderr, "chorac: %s\n", err->message);
	if (err->status == CLIENT_REMOTE)
		json_object_set_new(e, "code", json_integer(err->code));
	json_object_set_new(e, "name", json_string(name != NULL ? name :
	    local[err->status]));
	json_object_set_new(e, "message", json_string(err->message));
	if (err->file != NULL)
		json_object_set_new(e, "file", json_string(err->file));
	if (err->line != 0)
		json_object_set_new(e, "line", json_integer(err->line));
	json_print(json_pack("{s:o}", "error", e));
}

const struct out_ops out_json_ops = {
	.result = json_result,
	.table = json_table,
	.line = json_ignore,
	.raw = json_raw,
	.failure = json_failure,
	.event = json_event,
	.error = json_error,
};
